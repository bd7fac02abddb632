package dev.atoll.benchmarks;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

class KeyStreamsTest {
  @Test
  void streamsAreDeterministicForASeed() {
    assertArrayEquals(KeyStreams.keys("zipf", 100_000, 5), KeyStreams.keys("zipf", 100_000, 5));
    assertArrayEquals(KeyStreams.keys("uniform", 100_000, 5), KeyStreams.keys("uniform", 100_000, 5));
    assertArrayEquals(KeyStreams.ops("50/25/25", 9), KeyStreams.ops("50/25/25", 9));
    assertTrue(!Arrays.equals(KeyStreams.keys("uniform", 100_000, 5), KeyStreams.keys("uniform", 100_000, 6)));
  }

  @Test
  void keySetsAreSequentialOrDistinctScrambledLongs() {
    assertEquals(12345L, KeyStreams.key("sequential", 12345));
    java.util.Set<Long> seen = new java.util.HashSet<>();
    int small = 0;
    for (long i = 0; i < 100_000; i++) {
      long k = KeyStreams.key("scrambled", i);
      assertTrue(seen.add(k), "scrambled keys must be distinct");
      if (Math.abs(k) < 1L << 40) {
        small++;
      }
    }
    assertTrue(small < 100, "scrambled keys must spread over the 64-bit range, " + small + " were small");
    assertThrows(IllegalArgumentException.class, () -> KeyStreams.key("random", 1));
  }

  @Test
  void zipfIsSkewedAndUniformIsNot() {
    int n = 100_000;
    assertTrue(topPercentShare(KeyStreams.keys("zipf", n, 1), n) > 0.20, "zipf: top 1% of keys must take > 20%");
    double uniform = topPercentShare(KeyStreams.keys("uniform", n, 1), n);
    assertTrue(uniform < 0.03, "uniform: top 1% of keys took " + uniform);
  }

  @Test
  void keysStayInRangeAndMixesMatchTheirPercentages() {
    for (long k : KeyStreams.keys("zipf", 1000, 3)) {
      assertTrue(k >= 0 && k < 1000);
    }
    int[] counts = new int[3];
    for (byte op : KeyStreams.ops("95/4/1", 3)) {
      counts[op]++;
    }
    double total = KeyStreams.LENGTH;
    assertEquals(0.95, counts[KeyStreams.GET] / total, 0.01);
    assertEquals(0.04, counts[KeyStreams.PUT] / total, 0.01);
    assertEquals(0.01, counts[KeyStreams.REMOVE] / total, 0.01);
  }

  /** The share of accesses that go to the most frequent 1% of keys. */
  private static double topPercentShare(long[] stream, int n) {
    Map<Long, Integer> freq = new HashMap<>();
    for (long k : stream) {
      freq.merge(k, 1, Integer::sum);
    }
    int[] counts = freq.values().stream().mapToInt(Integer::intValue).sorted().toArray();
    long top = 0;
    for (int i = counts.length - 1; i >= Math.max(0, counts.length - n / 100); i--) {
      top += counts[i];
    }
    return top / (double) stream.length;
  }
}
