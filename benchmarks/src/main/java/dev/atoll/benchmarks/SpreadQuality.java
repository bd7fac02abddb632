package dev.atoll.benchmarks;

import dev.atoll.internal.Hashing;
import java.util.Arrays;
import java.util.SplittableRandom;

/**
 * Compares hash spreaders by the share of keys that land in an already used bucket, over many
 * seeds: Atoll's seeded fmix32 ({@link Hashing#spread(int, int)}) against multiply-shift (the high
 * half of the 64-bit product with a random multiplier, after {@code h ^ h >>> 16}), a cheaper
 * seeded family that was considered and rejected (docs/performance.md). Not a JMH benchmark: it
 * counts collisions, so the machine's load does not matter.
 *
 * <p>Run: {@code java -cp benchmarks/target/benchmarks.jar dev.atoll.benchmarks.SpreadQuality [seeds]}
 */
public final class SpreadQuality {
  private SpreadQuality() {}

  /** Prints percentiles of the shared-bucket fraction per spreader and key set. */
  public static void main(String[] args) {
    int seeds = args.length > 0 ? Integer.parseInt(args[0]) : 400;
    int bucketBits = 21;
    int buckets = 1 << bucketBits;
    int n = buckets / 2;
    for (String keys : new String[] {"sequential", "scrambled"}) {
      double[] fmix = new double[seeds];
      double[] mulShift = new double[seeds];
      SplittableRandom rnd = new SplittableRandom(42);
      for (int s = 0; s < seeds; s++) {
        int seed = rnd.nextInt();
        long multiplier = Hashing.mix64(rnd.nextLong());
        int[] a = new int[buckets];
        int[] b = new int[buckets];
        int sharedA = 0;
        int sharedB = 0;
        for (int i = 0; i < n; i++) {
          int h = Long.hashCode(KeyStreams.key(keys, i));
          if (a[Hashing.spread(h, seed) & (buckets - 1)]++ > 0) {
            sharedA++;
          }
          int x = h ^ (h >>> 16);
          if (b[(int) (((x & 0xFFFF_FFFFL) * multiplier) >>> 32) & (buckets - 1)]++ > 0) {
            sharedB++;
          }
        }
        fmix[s] = sharedA / (double) n;
        mulShift[s] = sharedB / (double) n;
      }
      System.out.printf("%s keys, %d keys in 2^%d buckets, %d seeds: share of keys in a used bucket%n", keys, n, bucketBits, seeds);
      print("  fmix32 (Atoll)   ", fmix);
      print("  multiply-shift   ", mulShift);
    }
  }

  private static void print(String name, double[] x) {
    double[] c = x.clone();
    Arrays.sort(c);
    int m = c.length;
    System.out.printf("%s median %5.1f %%  p90 %5.1f %%  p99 %5.1f %%  worst %5.1f %%%n", name,
        100 * c[m / 2], 100 * c[m * 9 / 10], 100 * c[Math.min(m - 1, m * 99 / 100)], 100 * c[m - 1]);
  }
}
