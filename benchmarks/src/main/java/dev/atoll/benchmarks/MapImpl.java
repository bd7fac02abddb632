package dev.atoll.benchmarks;

import dev.atoll.leftright.LeftRightMap;
import dev.atoll.leftright.ReadHandle;
import dev.atoll.map.ChainedHashMap;
import dev.atoll.map.HashTrieMap;
import dev.atoll.map.HopscotchHashMap;
import dev.atoll.map.ProbingHashMap;
import dev.atoll.map.SegmentedHashMap;
import java.util.AbstractMap;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import java.util.function.Supplier;
import org.jctools.maps.NonBlockingHashMap;

/**
 * Every map the map benchmarks measure, by the name used in {@code -p impl=...}. Adding an Atoll map
 * is one constant here plus its name in the {@code @Param} lists.
 */
public enum MapImpl {
  /** The reference: every ratio in the report is against it. */
  CHM(ConcurrentHashMap::new),
  /** JCTools NonBlockingHashMap (Cliff Click's design). */
  NBHM(NonBlockingHashMap::new),
  /** Scala 2.13's lock-free Ctrie, through its java.util.concurrent.ConcurrentMap wrapper. */
  SCALA_TRIEMAP(() -> scala.jdk.javaapi.CollectionConverters.asJava(new scala.collection.concurrent.TrieMap<Long, Long>())),
  /** A HashMap guarded by a ReentrantReadWriteLock. */
  RWLOCK_HASHMAP(RwLockMap::new),
  /** The limit: an unsynchronised HashMap. Read-only mixes only; not thread-safe for writes. */
  HASHMAP(HashMap::new, false),
  /** Read limit of ProbingHashMap's layout (see {@link LimitMaps}). Read-only mixes only. */
  LIMIT_OPEN_KV(LimitMaps.OpenKv::new, false),
  /** Read limit of HopscotchHashMap's entry slots without hop words. Read-only mixes only. */
  LIMIT_OPEN_ENTRIES(LimitMaps.OpenEntries::new, false),
  /** Read limit of a 64-way hash trie, HashTrieMap's shape. Read-only mixes only. */
  LIMIT_HAMT(LimitMaps.Hamt::new, false),

  // ---- Atoll
  /** Lock-free CAS chaining (kovan_map). */
  CHAINED(ChainedHashMap::new),
  /** Lock-free hopscotch hashing (kovan_map). */
  HOPSCOTCH(HopscotchHashMap::new),
  /** Lock-free linear probing with tombstones and cooperative resize (moka_cht). */
  PROBING(ProbingHashMap::new),
  /** ProbingHashMap segments, one per CPU by default (moka_cht). */
  SEGMENTED(SegmentedHashMap::new),
  /** Lock-free hash trie with O(1) snapshots (cmap). */
  HASH_TRIE(HashTrieMap::new),
  /**
   * LeftRightMap (evmap) behind a Map adapter: put = update, and a publish after every 64 puts (the
   * batching left-right is made for; a background writer then publishes ~100k times a second); get
   * = getOne through the calling thread's ReadHandle. For the read-while-writing benchmark and the
   * footprint only.
   */
  LEFT_RIGHT(LeftRightAdapter::new);

  private final Supplier<Map<Long, Long>> factory;
  private final boolean threadSafe;

  MapImpl(Supplier<Map<Long, Long>> factory) {
    this(factory, true);
  }

  MapImpl(Supplier<Map<Long, Long>> factory, boolean threadSafe) {
    this.factory = factory;
    this.threadSafe = threadSafe;
  }

  /** False for the limits (HASHMAP, LIMIT_*), which may only be read once filled by one thread. */
  public boolean threadSafe() {
    return threadSafe;
  }

  /** A new empty map. */
  public Map<Long, Long> create() {
    return factory.get();
  }

  /** A LeftRightMap seen as a Map: one writer thread, readers on any thread. */
  static final class LeftRightAdapter extends AbstractMap<Long, Long> {
    private final LeftRightMap<Long, Long, Void> map = LeftRightMap.create();
    private final ThreadLocal<ReadHandle<Long, Long, Void>> readers =
        ThreadLocal.withInitial(() -> map.readers().handle());

    @Override
    public Long get(Object key) {
      return readers.get().getOne((Long) key);
    }

    /** A new read handle, for a benchmark thread that keeps its own (as real readers do). */
    ReadHandle<Long, Long, Void> newReader() {
      return map.readers().handle();
    }

    private int unpublished;

    /** Publishes after every {@link #PUBLISH_EVERY} writes (and {@link #flush()} publishes the rest). */
    static final int PUBLISH_EVERY = 64;

    @Override
    public Long put(Long key, Long value) {
      map.writer().update(key, value);
      if (++unpublished == PUBLISH_EVERY) {
        flush();
      }
      return null; // the benchmarks ignore it
    }

    /** Publishes what is pending. */
    void flush() {
      map.writer().publish();
      unpublished = 0;
    }

    @Override
    public Set<Map.Entry<Long, Long>> entrySet() {
      throw new UnsupportedOperationException("not needed by the benchmarks");
    }
  }

  /** HashMap behind a read-write lock: the "just add a lock" baseline. */
  static final class RwLockMap extends AbstractMap<Long, Long> {
    private final HashMap<Long, Long> map = new HashMap<>();
    private final ReentrantReadWriteLock lock = new ReentrantReadWriteLock();

    @Override
    public Long get(Object key) {
      lock.readLock().lock();
      try {
        return map.get(key);
      } finally {
        lock.readLock().unlock();
      }
    }

    @Override
    public Long put(Long key, Long value) {
      lock.writeLock().lock();
      try {
        return map.put(key, value);
      } finally {
        lock.writeLock().unlock();
      }
    }

    @Override
    public Long remove(Object key) {
      lock.writeLock().lock();
      try {
        return map.remove(key);
      } finally {
        lock.writeLock().unlock();
      }
    }

    @Override
    public Set<Map.Entry<Long, Long>> entrySet() {
      throw new UnsupportedOperationException("not needed by the benchmarks");
    }
  }
}
