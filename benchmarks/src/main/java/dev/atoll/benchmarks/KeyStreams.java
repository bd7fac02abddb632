package dev.atoll.benchmarks;

import dev.atoll.internal.Hashing;
import java.util.SplittableRandom;

/**
 * Pre-computed key and operation streams, generated outside the measured loop: uniform and
 * scrambled Zipfian (YCSB's generator, skew 0.99) over {@code [0, n)}.
 */
public final class KeyStreams {
  /** Length of each pre-computed stream (a power of two, indexed with a mask). */
  public static final int LENGTH = 1 << 20;
  /** Zipfian skew, as in YCSB. */
  public static final double SKEW = 0.99;

  /** Operation codes in an op stream. */
  public static final byte GET = 0;
  public static final byte PUT = 1;
  public static final byte REMOVE = 2;

  private KeyStreams() {}

  /** {@code LENGTH} keys in {@code [0, n)}: uniform or scrambled Zipfian, deterministic for a seed. */
  public static long[] keys(String distribution, long n, long seed) {
    SplittableRandom rnd = new SplittableRandom(seed);
    long[] out = new long[LENGTH];
    switch (distribution) {
      case "uniform":
        for (int i = 0; i < LENGTH; i++) {
          out[i] = rnd.nextLong(n);
        }
        return out;
      case "zipf":
        Zipf z = new Zipf(n, SKEW);
        for (int i = 0; i < LENGTH; i++) {
          out[i] = Math.floorMod(fnv64(z.next(rnd)), n); // scrambled: hot keys spread over the key space
        }
        return out;
      default:
        throw new IllegalArgumentException("distribution must be uniform or zipf, was " + distribution);
    }
  }

  /**
   * The key with index {@code i}: {@code i} itself for the "sequential" key set, or a bijective
   * 64-bit mix of it for "scrambled". Sequential {@code Long} keys are a best case for a map that
   * uses {@code hashCode()} almost as it is (ConcurrentHashMap, HashMap): neighbouring keys get
   * neighbouring buckets. Scrambled keys (like random ids) take that advantage away.
   */
  public static long key(String keySet, long i) {
    switch (keySet) {
      case "sequential":
        return i;
      case "scrambled":
        return Hashing.mix64(i); // SplitMix64's finaliser: a bijection, so distinct indexes give distinct keys
      default:
        throw new IllegalArgumentException("key set must be sequential or scrambled, was " + keySet);
    }
  }

  /** {@code LENGTH} operations with the given percentages of get/put/remove (e.g. "95/4/1"). */
  public static byte[] ops(String mix, long seed) {
    String[] p = mix.split("/");
    int get = Integer.parseInt(p[0]);
    int put = Integer.parseInt(p[1]);
    SplittableRandom rnd = new SplittableRandom(seed);
    byte[] out = new byte[LENGTH];
    for (int i = 0; i < LENGTH; i++) {
      int r = rnd.nextInt(100);
      out[i] = r < get ? GET : r < get + put ? PUT : REMOVE;
    }
    return out;
  }

  static long fnv64(long v) {
    long h = 0xCBF29CE484222325L;
    for (int i = 0; i < 8; i++) {
      h ^= v & 0xFF;
      h *= 0x100000001B3L;
      v >>>= 8;
    }
    return h;
  }

  /** YCSB's ZipfianGenerator (Gray et al., "Quickly generating billion-record synthetic databases"). */
  static final class Zipf {
    private final long n;
    private final double theta;
    private final double alpha;
    private final double zetan;
    private final double eta;

    Zipf(long n, double theta) {
      this.n = n;
      this.theta = theta;
      double zeta2 = zeta(2, theta);
      this.alpha = 1.0 / (1.0 - theta);
      this.zetan = zeta(n, theta);
      this.eta = (1 - Math.pow(2.0 / n, 1 - theta)) / (1 - zeta2 / zetan);
    }

    long next(SplittableRandom rnd) {
      double u = rnd.nextDouble();
      double uz = u * zetan;
      if (uz < 1.0) {
        return 0;
      }
      if (uz < 1.0 + Math.pow(0.5, theta)) {
        return 1;
      }
      return (long) (n * Math.pow(eta * u - eta + 1, alpha));
    }

    private static double zeta(long n, double theta) {
      double sum = 0;
      for (long i = 0; i < n; i++) {
        sum += 1 / Math.pow(i + 1, theta);
      }
      return sum;
    }
  }
}
