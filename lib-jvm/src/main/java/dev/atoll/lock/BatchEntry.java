package dev.atoll.lock;

import java.util.Collection;
import java.util.Set;

/**
 * Several keys of a {@link KeyLockMap} locked at once by {@link KeyLockMap#batchLock} (or its timed
 * and asynchronous forms), acquired in the map's deterministic global key order so that batches
 * with overlapping keys never deadlock each other. {@link #close()} releases every key.
 *
 * <p>The same owner rules as for {@link Entry} apply: a batch locked by a blocking call belongs to
 * its thread, an asynchronously locked batch to no thread. The entries inside a batch must not be
 * closed individually ({@link IllegalStateException}); close the batch.
 *
 * @param <K> the type of keys
 * @param <V> the type of values
 */
public interface BatchEntry<K, V> extends AutoCloseable {
  /**
   * Returns the entry of a key of this batch.
   *
   * @param key a key that was passed to the batch lock
   * @return its entry
   * @throws IllegalArgumentException if the key is not part of this batch
   * @throws IllegalStateException if the batch is closed or belongs to another thread
   */
  Entry<K, V> entry(K key);

  /**
   * Returns the distinct keys of this batch.
   *
   * @return the keys, in the order they were locked
   */
  Set<K> keys();

  /**
   * Returns the entries of this batch.
   *
   * @return the entries, in the order they were locked
   */
  Collection<Entry<K, V>> entries();

  /**
   * Releases every key of the batch.
   *
   * @throws IllegalStateException if the batch is already closed, or belongs to another thread
   */
  @Override
  void close();
}
