package dev.atoll.map;

import dev.atoll.internal.Hashing;
import dev.atoll.internal.Sizing;
import java.util.Iterator;
import java.util.NoSuchElementException;
import java.util.Objects;
import java.util.function.BiConsumer;
import java.util.function.BiFunction;
import java.util.function.Function;
import java.util.function.Predicate;

/**
 * A lock-free concurrent hash map made of a fixed number of {@link ProbingHashMap} segments, for
 * write throughput: writes to different segments never touch the same table, counter cell or
 * resize, and each segment grows, shrinks and resizes on its own (after moka-cht's
 * {@code SegmentedHashMap}).
 *
 * <p>Every key is hashed once: a mix of the bytes of its hash code chooses the segment, and the
 * segment's table uses the bits above the lowest ones, so that sequential ids go round the
 * segments and stay sequential inside each. Each segment is a {@code ProbingHashMap} in full, so
 * everything its Javadoc says
 * holds here per key: lock-free reads that allocate nothing, tombstones that drop removed values,
 * cooperative incremental resize, the overflow that defends against equal hash codes, and how
 * often the functions of {@link #compute} and its relatives may run (several times under
 * contention, only the last result installed; {@link #computeIfAbsent} hands every caller the same
 * instance). Keys and values must not be null.
 *
 * <p>Iterators are weakly consistent: they walk the segments one after the other with the
 * segments' iterators, so they return every entry present during the whole iteration exactly
 * once, never throw {@link java.util.ConcurrentModificationException}, and support
 * {@code remove}. {@link #size()} sums the segments' striped counters: exact when quiescent.
 *
 * <h2>Memory consistency effects</h2>
 * As with other concurrent collections, actions in a thread prior to placing an object into a
 * {@code SegmentedHashMap} as a key or value <i>happen-before</i> actions subsequent to the access
 * or removal of that object from the map in another thread.
 *
 * @param <K> the type of keys
 * @param <V> the type of values
 */
public final class SegmentedHashMap<K, V> extends WeaklyConsistentMap<K, V> {
  /*
   * Implementation notes: a key's hash is its folded hash code (Hashing.fold, no seed) rotated
   * right by s = log2(segments) bits, exactly as its segment computes it (the segments are
   * created with this rotation and this map's seed), so the segment tables index by the bits
   * above the low s. Its segment is the low s bits of the xor of the folded hash code's four
   * bytes (segmentShift = 32 - s). In an aligned run of 2^s consecutive hash codes the other
   * bytes are fixed, so the run's keys go to 2^s different segments, one each, and each
   * segment's keys stay sequential (their hash above the low s bits is the run's number):
   * sequential ids keep the unseeded layout in every segment. Hash codes that share their low
   * bits (multiples of 8, or of 1000) still spread over the segments through their higher bytes,
   * which a choice by the low bits alone would not do. The choice has no seed: keys chosen to
   * share the xor go to one segment, which then defends itself (it switches to its seeded
   * spreader, ProbingHashMap "Hashing"), so such keys cost this map its write parallelism, never
   * more. Segments are called through their package-private "Hashed" hooks with the hash computed
   * here, so a key is hashed once. All concurrency lives in the segments; this class holds no
   * mutable state of its own except the cached views.
   */

  private final ProbingHashMap<K, V>[] segments;
  private final int segmentShift;
  private final int seed;

  /** Creates an empty map with {@link Sizing#defaultShards()} segments (four per processor). */
  public SegmentedHashMap() {
    this(Sizing.defaultShards(), 0);
  }

  /**
   * Creates an empty map with {@code segments} segments.
   *
   * @throws IllegalArgumentException if {@code segments} is not a power of two {@code >= 1}
   */
  public SegmentedHashMap(int segments) {
    this(segments, 0);
  }

  /**
   * Creates an empty map with {@code segments} segments sized together for
   * {@code initialCapacity} entries.
   *
   * @throws IllegalArgumentException if {@code segments} is not a power of two {@code >= 1}, or
   *     {@code initialCapacity} is negative
   */
  public SegmentedHashMap(int segments, int initialCapacity) {
    this(segments, initialCapacity, Hashing.newSeed());
  }

  /** With a given seed: deterministic layouts for model checking. */
  @SuppressWarnings({"unchecked", "rawtypes"})
  SegmentedHashMap(int segments, int initialCapacity, int seed) {
    Sizing.checkPowerOfTwo(segments, "segments");
    Sizing.checkNonNegative(initialCapacity, "initialCapacity");
    this.seed = seed;
    this.segmentShift = 32 - Integer.numberOfTrailingZeros(segments);
    this.segments = new ProbingHashMap[segments];
    int perSegment = (int) (((long) initialCapacity + segments - 1) / segments);
    int segmentBits = Integer.numberOfTrailingZeros(segments);
    for (int i = 0; i < segments; i++) {
      this.segments[i] = new ProbingHashMap<>(perSegment, seed, segmentBits);
    }
  }

  /** The hash of {@code key} as its segment computes it (see the notes). */
  private int hash(Object key) {
    return Integer.rotateRight(Hashing.fold(key.hashCode()), 32 - segmentShift);
  }

  private ProbingHashMap<K, V> segmentFor(int h) {
    return segments[segmentIndex(h)];
  }

  /** The segment of hash {@code h} (see the notes): the xor of the folded hash code's bytes. */
  private int segmentIndex(int h) {
    int x = Integer.rotateLeft(h, 32 - segmentShift); // the folded hash code
    x ^= x >>> 16;
    x ^= x >>> 8;
    return x & (segments.length - 1);
  }

  /** The index of {@code key}'s segment, for tests. */
  int segmentOf(Object key) {
    return segmentIndex(hash(key));
  }

  /** The segments, for tests. */
  ProbingHashMap<K, V>[] segments() {
    return segments.clone();
  }

  /** The number of segments. */
  public int segmentCount() {
    return segments.length;
  }

  /** The sum of the segments' table lengths (for tests and footprint checks). */
  public long tableLength() {
    long n = 0;
    for (ProbingHashMap<K, V> s : segments) {
      n += s.tableLength();
    }
    return n;
  }

  // ================================================================== reads

  /** Returns the value of {@code key}, or null. Allocation-free. */
  @Override
  public V get(Object key) {
    int h = hash(key);
    return segmentFor(h).getHashed(key, h);
  }

  /** True when {@code key} has a value. */
  @Override
  public boolean containsKey(Object key) {
    return get(key) != null;
  }

  /** True when some key maps to {@code value} (a weakly consistent scan of every segment). */
  @Override
  public boolean containsValue(Object value) {
    Objects.requireNonNull(value);
    for (ProbingHashMap<K, V> s : segments) {
      if (s.containsValue(value)) {
        return true;
      }
    }
    return false;
  }

  /** The number of entries, summed over the segments; exact when quiescent. */
  @Override
  public int size() {
    long n = 0;
    for (ProbingHashMap<K, V> s : segments) {
      n += s.size();
    }
    return (int) Math.min(n, Integer.MAX_VALUE);
  }

  /** True when every segment is empty. */
  @Override
  public boolean isEmpty() {
    for (ProbingHashMap<K, V> s : segments) {
      if (!s.isEmpty()) {
        return false;
      }
    }
    return true;
  }

  // ================================================================== writes

  /** Maps {@code key} to {@code value}; returns the previous value or null. */
  @Override
  public V put(K key, V value) {
    Objects.requireNonNull(value);
    int h = hash(key);
    return segmentFor(h).putHashed(key, h, value);
  }

  /** Maps {@code key} to {@code value} if it is absent; returns the current value or null. */
  @Override
  public V putIfAbsent(K key, V value) {
    Objects.requireNonNull(value);
    int h = hash(key);
    return segmentFor(h).putIfAbsentHashed(key, h, value);
  }

  /** Replaces the value of a present key; returns the previous value or null. */
  @Override
  public V replace(K key, V value) {
    Objects.requireNonNull(value);
    int h = hash(key);
    return segmentFor(h).replaceHashed(key, h, value);
  }

  /** Replaces the value of {@code key} if it equals {@code oldValue}; true when replaced. */
  @Override
  public boolean replace(K key, V oldValue, V newValue) {
    Objects.requireNonNull(oldValue);
    Objects.requireNonNull(newValue);
    int h = hash(key);
    return segmentFor(h).replaceHashed(key, h, oldValue, newValue);
  }

  /** Removes {@code key}; returns its value or null. */
  @Override
  public V remove(Object key) {
    int h = hash(key);
    return segmentFor(h).removeHashed(key, h);
  }

  /** Removes {@code key} if its value equals {@code value}; true when removed. */
  @Override
  public boolean remove(Object key, Object value) {
    int h = hash(key);
    return value != null && segmentFor(h).removeHashed(key, h, value);
  }

  /**
   * Removes {@code key} only if its current value matches {@code predicate}; true when removed.
   * See {@link ProbingHashMap#removeIf(Object, Predicate)}: the predicate may run several times.
   */
  public boolean removeIf(K key, Predicate<? super V> predicate) {
    Objects.requireNonNull(predicate);
    int h = hash(key);
    return segmentFor(h).removeIfHashed(key, h, predicate);
  }

  /**
   * Inserts {@code value} if {@code key} is absent, else replaces the current value by
   * {@code modifier.apply(key, current)}; returns the previous value or null. See
   * {@link ProbingHashMap#insertOrModify}: the modifier may run several times and must not return
   * null.
   */
  public V insertOrModify(K key, V value, BiFunction<? super K, ? super V, ? extends V> modifier) {
    Objects.requireNonNull(value);
    Objects.requireNonNull(modifier);
    int h = hash(key);
    return segmentFor(h).insertOrModifyHashed(key, h, value, modifier);
  }

  /** As {@link ProbingHashMap#computeIfAbsent}: every caller for one key gets the same instance. */
  @Override
  public V computeIfAbsent(K key, Function<? super K, ? extends V> mappingFunction) {
    Objects.requireNonNull(mappingFunction);
    int h = hash(key);
    return segmentFor(h).computeIfAbsentHashed(key, h, mappingFunction);
  }

  /** As {@link ProbingHashMap#computeIfPresent}; the function may run several times. */
  @Override
  public V computeIfPresent(K key, BiFunction<? super K, ? super V, ? extends V> remappingFunction) {
    Objects.requireNonNull(remappingFunction);
    int h = hash(key);
    return segmentFor(h).computeIfPresentHashed(key, h, remappingFunction);
  }

  /** As {@link ProbingHashMap#compute}; the function may run several times. */
  @Override
  public V compute(K key, BiFunction<? super K, ? super V, ? extends V> remappingFunction) {
    Objects.requireNonNull(remappingFunction);
    int h = hash(key);
    return segmentFor(h).computeHashed(key, h, remappingFunction);
  }

  /** As {@link ProbingHashMap#merge}; the function may run several times. */
  @Override
  public V merge(K key, V value, BiFunction<? super V, ? super V, ? extends V> remappingFunction) {
    Objects.requireNonNull(value);
    Objects.requireNonNull(remappingFunction);
    int h = hash(key);
    return segmentFor(h).mergeHashed(key, h, value, remappingFunction);
  }

  /** The segment's {@link ProbingHashMap#commitHashed}, with the key hashed once, here. */
  @Override
  boolean commit(K key, V old, V next) {
    int h = hash(key);
    return segmentFor(h).commitHashed(key, h, old, next);
  }

  /** Calls {@code action} for every entry of a weakly consistent iteration, segment by segment. */
  @Override
  public void forEach(BiConsumer<? super K, ? super V> action) {
    Objects.requireNonNull(action);
    for (ProbingHashMap<K, V> s : segments) {
      s.forEach(action);
    }
  }

  /** Removes every entry, segment by segment (not atomic, as in {@link ProbingHashMap#clear}). */
  @Override
  public void clear() {
    for (ProbingHashMap<K, V> s : segments) {
      s.clear();
    }
  }

  // ================================================================== views

  @Override
  <T> Iterator<T> traversal(Projection<T> projection) {
    return new Concat<>(segments, seg -> seg.traversal(projection));
  }

  /** The segments' iterators one after the other, each created when the previous one ends. */
  private static final class Concat<K, V, T> implements Iterator<T> {
    private final ProbingHashMap<K, V>[] segments;
    private final Function<ProbingHashMap<K, V>, Iterator<T>> open;
    private int next;
    private Iterator<T> current;
    private Iterator<T> last;

    Concat(ProbingHashMap<K, V>[] segments, Function<ProbingHashMap<K, V>, Iterator<T>> open) {
      this.segments = segments;
      this.open = open;
    }

    @Override
    public boolean hasNext() {
      while (current == null || !current.hasNext()) {
        if (next >= segments.length) {
          return false;
        }
        current = open.apply(segments[next++]);
      }
      return true;
    }

    @Override
    public T next() {
      if (!hasNext()) {
        throw new NoSuchElementException();
      }
      last = current;
      return current.next();
    }

    @Override
    public void remove() {
      if (last == null) {
        throw new IllegalStateException("next() was not called");
      }
      last.remove();
    }
  }
}
