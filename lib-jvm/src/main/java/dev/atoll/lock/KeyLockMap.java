package dev.atoll.lock;

import java.util.Collection;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.TimeUnit;

/**
 * A {@link ConcurrentMap} in which any key, present or absent, can be locked exclusively by a
 * thread or a coroutine: what {@link LockMap} and {@link LruLockMap} have in common, so that code
 * (and the Kotlin extensions in {@code dev.atoll.coroutines}) can work with either.
 *
 * <p>Each key has at most one lock at a time, shared by threads and asynchronous callers. Waiters
 * are served first-in-first-out and never overtake each other; a caller that is not waiting yet
 * may take a key just released before the woken longest waiter does, but only for a bounded time
 * (after the longest waiter has waited about 1 ms, released keys are handed to it directly), so
 * no waiter starves; the futures of {@link #lockAsync} and {@link #batchLockAsync} are always handed
 * the key directly (see {@link LockMap} for the exact rules). The lock is not reentrant; a thread that blocks on a key it already holds gets an
 * {@link IllegalStateException} instead of a deadlock. The single-key map operations
 * ({@code get}, {@code put}, {@code compute}, ...) take the key's lock for their duration, so they
 * wait while another caller holds an {@link dev.atoll.lock.Entry} for the key, and are atomic with respect to it.
 *
 * <p><b>Batch order.</b> {@link #batchLock} acquires keys in one global order for the whole map:
 * the map's comparator if it was given one; otherwise, the keys of the first {@link Comparable}
 * class that any batch used come first in their natural order, and every other key follows ordered
 * by its spread hash; ties (equal comparison, or equal hash) are broken by a sequence number that
 * the key's lock record received when it was created and that cannot change while a batch is in
 * progress. The order is therefore total and the same for every batch, which is what makes
 * overlapping batches deadlock-free.
 *
 * @param <K> the type of keys
 * @param <V> the type of values
 */
public interface KeyLockMap<K, V> extends ConcurrentMap<K, V> {
  /**
   * Locks {@code key}, waiting as long as needed; the key need not have a value.
   *
   * @param key the key, not null
   * @return the entry, to be closed by the caller
   * @throws IllegalStateException if the current thread already holds the key (self-deadlock)
   */
  dev.atoll.lock.Entry<K, V> entry(K key);

  /**
   * Locks {@code key}, waiting until it is free or the thread is interrupted.
   *
   * @param key the key, not null
   * @return the entry, to be closed by the caller
   * @throws InterruptedException if the thread was interrupted while waiting; nothing stays locked
   * @throws IllegalStateException if the current thread already holds the key (self-deadlock)
   */
  dev.atoll.lock.Entry<K, V> entryInterruptibly(K key) throws InterruptedException;

  /**
   * Locks {@code key} only if it is free and nobody waits for it.
   *
   * @param key the key, not null
   * @return the entry, or {@code null} if the key is held or has waiters
   */
  dev.atoll.lock.Entry<K, V> tryEntry(K key);

  /**
   * Locks {@code key} only if it is free and nobody waits for it, like {@link #tryEntry(Object)},
   * but the entry belongs to no thread, as those of {@link #lockAsync}: it may be used and closed
   * from any thread, one at a time. This is the non-blocking first step of an asynchronous caller
   * (the Kotlin {@code lock} tries it before {@code lockAsync}): no future is created.
   *
   * @param key the key, not null
   * @return the entry, or {@code null} if the key is held or has waiters
   */
  dev.atoll.lock.Entry<K, V> tryEntryUnowned(K key);

  /**
   * Locks {@code key}, waiting at most the given time.
   *
   * @param key the key, not null
   * @param timeout the longest time to wait
   * @param unit the unit of {@code timeout}
   * @return the entry, or {@code null} if the time elapsed first (nothing stays locked)
   * @throws InterruptedException if the thread was interrupted while waiting; nothing stays locked
   * @throws IllegalStateException if the current thread already holds the key (self-deadlock)
   */
  dev.atoll.lock.Entry<K, V> tryEntry(K key, long timeout, TimeUnit unit) throws InterruptedException;

  /**
   * Locks {@code key} without blocking the calling thread: the returned future completes with the
   * entry when the key is granted (at once if it is free). The entry belongs to no thread.
   *
   * <p>{@code cancel} (or {@code completeExceptionally}, as {@code orTimeout} does) on the returned
   * future withdraws the request: if it was still waiting it leaves the queue; if the key was
   * granted concurrently, the key is released again, so that a cancelled request never holds a
   * key. {@code complete} and {@code obtrude*} are not supported. Cancelling a future derived from
   * it (with {@code thenApply} and the like) does not cancel the request.
   *
   * @param key the key, not null
   * @return a future of the entry
   */
  CompletableFuture<dev.atoll.lock.Entry<K, V>> lockAsync(K key);

  /**
   * Starts a lock request for {@code key} by a caller that waits without blocking a thread, and
   * tries to take the key at once; the caller then polls it (see {@link LockRequest}). Unlike
   * {@link #lockAsync}, a waiting request is woken rather than handed the key, so that a caller
   * relocking the key in a loop is not forced into a thread switch per release; waiters stay FIFO
   * and overtaking is bounded as for threads. The Kotlin {@code lock} is built on it.
   *
   * @param key the key, not null
   * @return the request; its {@link LockRequest#poll()} returns the entry at once if the key was free
   */
  LockRequest<K, V> lockRequest(K key);

  /**
   * Locks every key of {@code keys} (duplicates once) in the map's global key order, waiting as
   * long as needed.
   *
   * @param keys the keys, none null
   * @return the batch, to be closed by the caller
   * @throws IllegalStateException if the current thread already holds one of the keys
   */
  BatchEntry<K, V> batchLock(Collection<? extends K> keys);

  /**
   * As {@link #batchLock}, giving up when the total time elapses or the thread is interrupted;
   * then every key taken so far is released.
   *
   * @param keys the keys, none null
   * @param timeout the longest total time to wait
   * @param unit the unit of {@code timeout}
   * @return the batch, or {@code null} if the time elapsed first
   * @throws InterruptedException if the thread was interrupted while waiting
   * @throws IllegalStateException if the current thread already holds one of the keys
   */
  BatchEntry<K, V> tryBatchLock(Collection<? extends K> keys, long timeout, TimeUnit unit) throws InterruptedException;

  /**
   * Locks every key of {@code keys} in the map's global key order without blocking the calling
   * thread. Cancelling the returned future (or completing it exceptionally) withdraws the pending
   * request and releases every key taken so far; a batch is never granted to a cancelled future.
   *
   * @param keys the keys, none null
   * @return a future of the batch, whose entries belong to no thread
   */
  CompletableFuture<BatchEntry<K, V>> batchLockAsync(Collection<? extends K> keys);
}
