package dev.atoll.lock;

/**
 * Exclusive access to one key of a {@link KeyLockMap}, whether or not the key has a value: the
 * handle returned by {@link KeyLockMap#entry}, {@link KeyLockMap#tryEntry(Object)},
 * {@link KeyLockMap#lockAsync} and the batch lock. While an {@code Entry} is open no other entry, batch
 * or map operation on its key proceeds; operations on other keys are never blocked by it.
 *
 * <p>An entry is released by {@link #close()} (use try-with-resources). It is not reentrant and
 * there is no lock poisoning: if the holder throws in the middle of an update, {@code close()} still
 * releases the key, and the value is whatever was last {@linkplain #set set}.
 *
 * <p><b>Owner.</b> An entry acquired by a blocking call ({@code entry}, {@code tryEntry},
 * {@code entryInterruptibly}, {@code batchLock}) belongs to the acquiring thread: using or closing
 * it from another thread throws {@link IllegalStateException}. An entry acquired asynchronously
 * ({@code lockAsync}, {@code batchLockAsync}, {@code lockRequest}, the Kotlin {@code lock})
 * belongs to no thread (a coroutine resumes on any thread) and may be used and closed from any
 * thread, one at a time.
 * Using an entry after {@code close()} throws {@link IllegalStateException}.
 *
 * <p><b>Memory consistency effects.</b> Actions of a holder before {@code close()} happen-before
 * the actions of the next holder of the same key after its acquisition, and before any map
 * operation on the key that observes their effects.
 *
 * @param <K> the type of keys
 * @param <V> the type of values
 */
public interface Entry<K, V> extends AutoCloseable {
  /**
   * Returns the key this entry locks (also after close).
   *
   * @return the key
   */
  K key();

  /**
   * Returns the current value of the key.
   *
   * @return the value, or {@code null} when the key has no value
   */
  V get();

  /**
   * Returns whether the key has a value.
   *
   * @return {@code true} if the key has a value
   */
  boolean isPresent();

  /**
   * Sets the value of the key.
   *
   * @param value the new value, not null
   * @return the previous value, or {@code null} when there was none
   */
  V set(V value);

  /**
   * Sets the value of the key only if it has none.
   *
   * @param value the value, not null
   * @return {@code true} if the value was set, {@code false} if the key already had a value
   */
  boolean insert(V value);

  /**
   * Removes the value of the key; the key stays locked by this entry.
   *
   * @return the removed value, or {@code null} when there was none
   */
  V remove();

  /**
   * Releases the key: the longest-waiting thread or coroutine, if any, gets it next (FIFO among
   * waiters; a thread that is not waiting yet may take it first for a bounded time, see
   * {@link LockMap}). If the key then has no value and nobody waits for it, its bookkeeping is
   * dropped from the map.
   *
   * @throws IllegalStateException if the entry is already closed, or belongs to another thread
   */
  @Override
  void close();
}
