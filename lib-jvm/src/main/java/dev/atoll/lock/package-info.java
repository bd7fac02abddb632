/**
 * Per-key locks in a concurrent map: {@link dev.atoll.lock.LockMap} and the bounded
 * {@link dev.atoll.lock.LruLockMap}, both {@link dev.atoll.lock.KeyLockMap}s. Any key, present or
 * absent, can be held exclusively through an {@link dev.atoll.lock.Entry} by a thread (blocking)
 * or asynchronously ({@code lockAsync}, and the suspending {@code lock}/{@code withLock} of
 * {@code dev.atoll.coroutines}); threads and coroutines share one lock per key, first-in-first-out
 * among its waiters (see {@link dev.atoll.lock.LockMap} for the bounded barging). Several keys
 * are locked without deadlock by a {@link dev.atoll.lock.BatchEntry}.
 */
package dev.atoll.lock;
