package dev.atoll.internal;

import java.util.concurrent.atomic.AtomicLong;

/**
 * The hash spreader that every Atoll structure applies to {@link Object#hashCode()}.
 *
 * <p>Each structure instance draws its own random {@linkplain #newSeed() seed} and spreads every key
 * hash with {@link #spread(int, int)}: the seed is mixed into the hash and the result is passed
 * through the MurmurHash3 32-bit finaliser. Two effects follow: low-quality hash codes (sequential
 * integers, {@code Long}s that differ only in their high bits) spread over all 32 bits, and an
 * attacker who can choose keys cannot pre-compute a set of distinct hash codes that land in one
 * bucket of a table layout, since the layout depends on a seed they do not know. Keys whose
 * {@code hashCode()} values are <em>equal</em> still collide whatever the seed; every structure
 * handles that case through {@link CollisionBucket}.
 *
 * <p>{@link #fold(int)} is the unseeded alternative, for a table that watches for clustering and
 * switches to {@link #spread(int, int)} when it sees any ({@code ChainedHashMap},
 * {@code ProbingHashMap}, {@code SegmentedHashMap}, {@code HopscotchHashMap}): it keeps
 * sequential hash codes in order, which is what makes {@code ConcurrentHashMap} fast on
 * sequential ids.
 */
public final class Hashing {
  private static final long GOLDEN = 0x9E3779B97F4A7C15L;
  private static final AtomicLong SEEDS = new AtomicLong(System.nanoTime() ^ mix64(System.identityHashCode(Hashing.class)));

  private Hashing() {}

  /** Returns a fresh, unpredictable seed for one structure instance. */
  public static int newSeed() {
    long z = mix64(SEEDS.addAndGet(GOLDEN) ^ Thread.currentThread().getId() ^ System.nanoTime());
    return (int) (z ^ (z >>> 32));
  }

  /**
   * Spreads a hash code with a seed: a bijection on {@code int} for a fixed seed, so distinct
   * hash codes never become equal.
   */
  public static int spread(int h, int seed) {
    return fmix32(h ^ seed);
  }

  /**
   * Folds the high half of a hash code into the low half, as {@code ConcurrentHashMap} does: a
   * bijection with no seed, which leaves sequential hash codes sequential. A table may index by it
   * only while it watches for clustering and switches to {@link #spread(int, int)} when it sees
   * any (as {@code ProbingHashMap} does): on its own it gives no protection against hash flooding.
   */
  public static int fold(int h) {
    return h ^ (h >>> 16);
  }

  /** Spreads {@code key.hashCode()}; throws {@link NullPointerException} for a null key. */
  public static int spread(Object key, int seed) {
    return fmix32(key.hashCode() ^ seed);
  }

  /** The MurmurHash3 32-bit finaliser: every input bit affects every output bit. */
  public static int fmix32(int h) {
    h ^= h >>> 16;
    h *= 0x85ebca6b;
    h ^= h >>> 13;
    h *= 0xc2b2ae35;
    h ^= h >>> 16;
    return h;
  }

  /** The SplitMix64 / Stafford variant 13 finaliser. */
  public static long mix64(long z) {
    z = (z ^ (z >>> 30)) * 0xbf58476d1ce4e5b9L;
    z = (z ^ (z >>> 27)) * 0x94d049bb133111ebL;
    return z ^ (z >>> 31);
  }
}
