package dev.atoll.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;

class HashingAndSizingTest {
  @Test
  void spreadIsABijectionForOneSeedAndDependsOnTheSeed() {
    int seed = Hashing.newSeed();
    Set<Integer> out = new HashSet<>();
    for (int h = -50_000; h < 50_000; h++) {
      out.add(Hashing.spread(h, seed));
    }
    assertEquals(100_000, out.size(), "distinct hash codes must stay distinct");
    int other = seed ^ 0x5bd1e995;
    assertNotEquals(Hashing.spread(12345, seed), Hashing.spread(12345, other));
  }

  @Test
  void sequentialHashCodesFillLowBitsEvenly() {
    int seed = Hashing.newSeed();
    int buckets = 1024;
    int[] counts = new int[buckets];
    for (int i = 0; i < buckets * 64; i++) {
      counts[Hashing.spread(Long.hashCode((long) i << 32), seed) & (buckets - 1)]++;
    }
    for (int c : counts) {
      assertTrue(c > 16 && c < 160, "bucket load " + c + " far from 64: keys differing only in high bits must spread");
    }
  }

  @Test
  void seedsDiffer() {
    Set<Integer> seeds = new HashSet<>();
    for (int i = 0; i < 1000; i++) {
      seeds.add(Hashing.newSeed());
    }
    assertTrue(seeds.size() > 990);
  }

  @Test
  void sizing() {
    assertEquals(1, Sizing.ceilPowerOfTwo(0));
    assertEquals(1, Sizing.ceilPowerOfTwo(1));
    assertEquals(2, Sizing.ceilPowerOfTwo(2));
    assertEquals(4, Sizing.ceilPowerOfTwo(3));
    assertEquals(1 << 30, Sizing.ceilPowerOfTwo(Integer.MAX_VALUE));
    assertEquals(16, Sizing.tableSizeFor(12, 0.75, 4));
    assertEquals(8, Sizing.tableSizeFor(0, 0.75, 8));
    assertTrue(Integer.bitCount(Sizing.defaultShards()) == 1);
  }

  @Test
  void argumentChecksNameTheArgument() {
    assertTrue(assertThrows(IllegalArgumentException.class, () -> Sizing.checkNonNegative(-1, "initialCapacity"))
        .getMessage().contains("initialCapacity"));
    assertTrue(assertThrows(IllegalArgumentException.class, () -> Sizing.checkPositive(0, "capacity"))
        .getMessage().contains("capacity"));
    assertTrue(assertThrows(IllegalArgumentException.class, () -> Sizing.checkPowerOfTwo(3, "shards"))
        .getMessage().contains("shards"));
    assertTrue(assertThrows(IllegalArgumentException.class, () -> Sizing.checkPowerOfTwo(0, "shards"))
        .getMessage().contains("shards"));
    assertTrue(assertThrows(IllegalArgumentException.class, () -> Sizing.checkFraction(1.0, "loadFactor"))
        .getMessage().contains("loadFactor"));
    assertEquals(8, Sizing.checkPowerOfTwo(8, "shards"));
  }
}
