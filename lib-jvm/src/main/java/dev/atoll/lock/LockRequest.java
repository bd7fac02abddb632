package dev.atoll.lock;

/**
 * A request for the lock of one key by a caller that waits without a thread of its own (a
 * coroutine, an event loop): the primitive behind the Kotlin {@code lock} of
 * {@code dev.atoll.coroutines}. {@link KeyLockMap#lockRequest} creates it and already tries to take
 * the key; the caller then loops:
 *
 * <pre>{@code
 * LockRequest<K, V> request = map.lockRequest(key);
 * Entry<K, V> entry;
 * while ((entry = request.poll()) == null) {
 *   // wait (without blocking a thread) until the action runs, e.g. resume a continuation
 *   request.onReady(wakeUp);
 * }
 * }</pre>
 *
 * <p><b>Fairness.</b> Unlike {@link KeyLockMap#lockAsync}, whose waiting future is always handed
 * the key directly, a waiting request is treated like a blocked thread: when it is the longest
 * waiter and the key is released, it is woken (its action runs) and takes the key at its next
 * {@link #poll()}, unless a caller that was not waiting took the key first. Such overtaking is
 * bounded as for threads: once the request has waited about 1 ms, released keys are handed to it
 * directly. Waiters never overtake each other. This avoids a thread switch per release when a
 * caller relocks a key in a loop while others wait (see {@link LockMap} for the exact rules).
 *
 * <p>The entry that {@link #poll()} returns belongs to no thread, as those of
 * {@link KeyLockMap#lockAsync}. A request is used by one caller at a time (calls may come from
 * different threads when they are ordered, as a coroutine's steps are).
 *
 * @param <K> the type of keys
 * @param <V> the type of values
 */
public interface LockRequest<K, V> {
  /**
   * Returns the entry if this request holds the key now: it was granted the key, or the key was
   * free when this request, woken as the longest waiter, came to take it. Otherwise returns
   * {@code null}: the request keeps its place in the queue, and the caller should wait for the
   * action of {@link #onReady} before polling again. Once the entry is returned, later calls
   * return the same entry while it is open.
   *
   * @return the entry, to be closed by the caller, or {@code null} to wait
   * @throws IllegalStateException if the request was cancelled or its entry closed
   */
  Entry<K, V> poll();

  /**
   * Runs {@code action} once, when this request should {@linkplain #poll() poll} again: at once, in
   * the calling thread, if the request was woken since the last poll (or holds the key); otherwise
   * later, in the thread that releases the key or withdraws another request, after the map's
   * internal locks are released. The action must be short and must not throw or block (resuming a
   * continuation, or scheduling a task, is what it is for). At most one action may be pending.
   *
   * @param action what wakes the caller
   * @throws IllegalStateException if another action is pending, or the request was cancelled
   */
  void onReady(Runnable action);

  /**
   * Withdraws the request, unless {@link #poll()} has returned its entry (then close the entry
   * instead; this method does nothing). A waiting request leaves the queue; if the key was granted
   * to it at the same moment, the key is released again, so that a cancelled request never holds
   * the key. A pending action does not run after this method returns (it may be running already).
   * Calling it again does nothing.
   */
  void cancel();
}
