package dev.atoll.lock;

import dev.atoll.internal.Sizing;
import java.util.Comparator;
import java.util.function.BiConsumer;

/**
 * A {@link LockMap} that is also a bounded cache: at most {@code capacity} keys have a value, and
 * when an operation would exceed that, the least recently used values are evicted.
 *
 * <p>Each shard keeps its own LRU order in an intrusive doubly linked list threaded through the
 * per-key records (no allocation per access), and owns an equal share of the capacity (the shard
 * count is reduced to at most {@code capacity}, so every shard can hold a value; the shares add
 * up to exactly {@code capacity}). {@code put}, {@code get} hits, {@link dev.atoll.lock.Entry#set} and acquiring
 * an {@link dev.atoll.lock.Entry} of a key with a value make it the most recently used of its shard. Eviction
 * starts at the least recently used end and skips, never waits for, keys that are held, waited for
 * or reserved by a batch: a held key is never evicted. A shard may therefore exceed its share while
 * its cold keys are held; it is brought back within capacity when a key of the shard is released.
 * Keys that are locked but have no value do not count.
 *
 * <p>The optional eviction listener is called with each evicted key and value, after the shard
 * lock was released, on the thread whose operation caused the eviction; it should not throw (an
 * exception reaches that caller after the map is consistent). Values removed by {@code remove} or
 * replaced are not reported.
 *
 * <p>Everything else (locking rules, batch order, memory consistency effects) is as in
 * {@link LockMap}.
 *
 * @param <K> the type of keys
 * @param <V> the type of values
 */
public final class LruLockMap<K, V> extends AbstractLockMap<K, V> {
  /**
   * Creates a cache with the given capacity and the default shard count: 16 per processor (as a
   * power of two), but at most one shard per 64 keys of capacity (at least one). A cache takes its
   * shard's lock on every {@code get} to move the key in the shard's LRU order, so it needs more
   * shards than a {@link LockMap} for two threads to rarely meet on one (with 2 threads on
   * Zipfian keys over 10,000 entries, 8 shards ran at about 0.75 and 32 shards at about 1.0 times
   * Caffeine's reads); the bound by capacity keeps every shard's LRU order meaningful.
   *
   * @param capacity the largest number of keys with a value, {@code > 0}
   * @throws IllegalArgumentException if {@code capacity <= 0}
   */
  public LruLockMap(int capacity) {
    this(capacity, defaultShards(capacity));
  }

  /** The default shard count for {@code capacity} (see {@link #LruLockMap(int)}). */
  static int defaultShards(int capacity) {
    int byProcessors = Sizing.ceilPowerOfTwo(Runtime.getRuntime().availableProcessors() * 16);
    int byCapacity = Integer.highestOneBit(Math.max(1, capacity / 64));
    return Math.min(byProcessors, byCapacity);
  }

  /**
   * Creates a cache with the given capacity and shard count.
   *
   * @param capacity the largest number of keys with a value, {@code > 0}
   * @param shards the number of shards, a power of two {@code >= 1} (reduced to at most
   *     {@code capacity})
   * @throws IllegalArgumentException if {@code capacity <= 0} or {@code shards} is not a power of
   *     two {@code >= 1}
   */
  public LruLockMap(int capacity, int shards) {
    this(capacity, shards, null, null);
  }

  /**
   * Creates a cache with every option.
   *
   * @param capacity the largest number of keys with a value, {@code > 0}
   * @param shards the number of shards, a power of two {@code >= 1} (reduced to at most
   *     {@code capacity})
   * @param batchOrder the order in which {@link #batchLock} acquires keys, or {@code null} for the
   *     default order (see {@link KeyLockMap})
   * @param evictionListener called with each evicted key and value, or {@code null}
   * @throws IllegalArgumentException if {@code capacity <= 0} or {@code shards} is not a power of
   *     two {@code >= 1}
   */
  public LruLockMap(int capacity, int shards, Comparator<? super K> batchOrder,
      BiConsumer<? super K, ? super V> evictionListener) {
    super(shards, true, capacity, batchOrder, evictionListener);
  }
}
