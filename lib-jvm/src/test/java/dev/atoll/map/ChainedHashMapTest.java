package dev.atoll.map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.atoll.internal.Hashing;
import dev.atoll.testkit.CollidingKey;
import dev.atoll.testkit.ConcurrentMapContract;
import dev.atoll.testkit.GuavaMapSuite;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentMap;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicNode;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.function.Executable;

/**
 * {@link ChainedHashMap}: the shared contract (including 100k equal-hash keys and grow/shrink of the
 * table), Guava's generated suite for the default and the smallest table, and the sizing, hysteresis
 * and iteration-across-resize behaviour specific to this map. Concurrent resizes:
 * {@link ChainedHashMapResizeStormTest}.
 */
class ChainedHashMapTest extends ConcurrentMapContract {
  @Override
  protected <K, V> ConcurrentMap<K, V> newMap() {
    return new ChainedHashMap<>();
  }

  @Override
  protected long capacityOf(ConcurrentMap<?, ?> map) {
    return ((ChainedHashMap<?, ?>) map).tableLength();
  }

  @Override
  protected Map<String, Executable> badConstructorCalls() {
    return Map.of("initialCapacity", () -> new ChainedHashMap<String, String>(-1));
  }

  @TestFactory
  Stream<DynamicNode> guavaTestlib() {
    return GuavaMapSuite.tests("ChainedHashMap", ChainedHashMap::new);
  }

  @TestFactory
  Stream<DynamicNode> guavaTestlibSmallestTable() {
    // 2 buckets: the suite's few entries already make the table grow and shrink
    return GuavaMapSuite.tests("ChainedHashMap with 2 buckets", () -> new ChainedHashMap<>(0));
  }

  @TestFactory
  Stream<DynamicNode> guavaTestlibSeededFromTheStart() {
    // the layout a map switches to when its keys cluster, with the smallest table
    return GuavaMapSuite.tests(
        "ChainedHashMap seeded, 2 buckets", () -> new ChainedHashMap<>(0, Hashing.newSeed(), true));
  }

  @Test
  void initialCapacityPresizesAndIsTheFloor() {
    ChainedHashMap<Integer, Integer> m = new ChainedHashMap<>(1_000);
    int len = m.tableLength();
    assertTrue(len >= 1_334, "1000 entries at load 3/4 need 1334 buckets, have " + len);
    for (int i = 0; i < 1_000; i++) {
      m.put(i, i);
    }
    assertEquals(len, m.tableLength(), "no resize up to the initial capacity");
    for (int i = 0; i < 100_000; i++) {
      m.put(i, i);
    }
    assertTrue(m.tableLength() > len);
    for (int i = 0; i < 100_000; i++) {
      m.remove(i);
    }
    assertEquals(len, m.tableLength(), "shrinks back to the initial length, not below");
    assertEquals(2, new ChainedHashMap<>(0).tableLength());
    assertEquals(16, new ChainedHashMap<>().tableLength());
  }

  @Test
  void boundaryWorkloadDoesNotResizeBackAndForth() {
    ChainedHashMap<Integer, Integer> m = new ChainedHashMap<>();
    int i = 0;
    int len = m.tableLength();
    while (m.tableLength() == len) { // fill until the first growth
      m.put(i, i);
      i++;
    }
    int grown = m.tableLength();
    int changes = 0;
    int last = grown;
    // hover around the growth boundary, then around the size that grew it
    for (int r = 0; r < 20_000; r++) {
      m.put(i, i);
      m.remove(i);
      m.remove(i - 1);
      m.put(i - 1, i - 1);
      if (m.tableLength() != last) {
        changes++;
        last = m.tableLength();
      }
    }
    assertEquals(0, changes, "table length changed while the size hovered at the boundary");
    // and at the shrink boundary: remove down to just below 1/8 of the length, then hover
    int n = m.size();
    int k = 0;
    while (m.tableLength() == grown) {
      m.remove(k++);
      assertTrue(k <= n, "never shrank");
    }
    int shrunk = m.tableLength();
    assertTrue(shrunk < grown);
    for (int r = 0; r < 20_000; r++) {
      m.put(k - 1, 0);
      m.remove(k - 1);
    }
    assertEquals(shrunk, m.tableLength(), "table length changed at the shrink boundary");
  }

  @Test
  void iteratorSeesStableKeysOnceAcrossGrowthAndShrinking() {
    for (int variant = 0; variant < 4; variant++) {
      ChainedHashMap<Integer, Integer> m = new ChainedHashMap<>(variant % 2 == 0 ? 0 : 64);
      int stable = 1_000;
      for (int i = 0; i < stable; i++) {
        m.put(i, i);
      }
      Iterator<Integer> it = m.keySet().iterator();
      Set<Integer> seen = new HashSet<>();
      for (int i = 0; i < 10; i++) {
        assertTrue(seen.add(it.next()));
      }
      int lenBefore = m.tableLength();
      // grow a lot (several resizes), then shrink a lot (several resizes), with the iterator half-way
      for (int i = stable; i < 100_000; i++) {
        m.put(i, i);
      }
      if (variant >= 2) {
        for (int i = 0; i < 50 && it.hasNext(); i++) {
          int k = it.next();
          assertTrue(seen.add(k), "key returned twice: " + k);
        }
      }
      assertTrue(m.tableLength() > lenBefore);
      for (int i = stable; i < 100_000; i++) {
        m.remove(i);
      }
      while (it.hasNext()) {
        int k = it.next();
        assertTrue(seen.add(k), "key returned twice: " + k);
      }
      for (int i = 0; i < stable; i++) {
        assertTrue(seen.contains(i), "stable key missed: " + i);
      }
    }
  }

  @Test
  void equalHashKeysMixedWithOthersSurviveResizes() {
    ChainedHashMap<Object, Integer> m = new ChainedHashMap<>(0);
    Map<Object, Integer> model = new HashMap<>();
    for (int i = 0; i < 5_000; i++) {
      Object k = i % 3 == 0 ? new CollidingKey(i) : (Object) i;
      m.put(k, i);
      model.put(k, i);
    }
    assertEquals(model, new HashMap<>(m));
    for (int i = 0; i < 5_000; i++) {
      if (i % 2 == 0) {
        Object k = i % 3 == 0 ? new CollidingKey(i) : (Object) i;
        assertEquals(model.remove(k), m.remove(k));
      }
    }
    assertEquals(model, new HashMap<>(m));
    assertEquals(model.size(), m.size());
    int n = 0;
    for (Object k : m.keySet()) {
      assertTrue(model.containsKey(k));
      n++;
    }
    assertEquals(model.size(), n);
    m.clear();
    assertTrue(m.isEmpty());
    assertEquals(2, m.tableLength(), "clear lets the table shrink back");
    assertNull(m.get(new CollidingKey(3)));
  }

  @Test
  void entrySetValueWritesThrough() {
    ChainedHashMap<String, Integer> m = new ChainedHashMap<>();
    m.put("a", 1);
    Map.Entry<String, Integer> e = m.entrySet().iterator().next();
    assertEquals(1, e.setValue(2));
    assertEquals(2, e.getValue());
    assertEquals(2, m.get("a"));
  }

  @Test
  void sequentialKeysKeepOneBucketEachInKeyOrder() {
    ChainedHashMap<Integer, Integer> m = new ChainedHashMap<>();
    for (int i = 0; i < 100_000; i++) {
      m.put(i, i);
    }
    assertFalse(m.seeded(), "sequential keys never cluster");
    int mask = m.tableLength() - 1;
    for (int i = 0; i < 100_000; i++) {
      assertEquals(Hashing.fold(i) & mask, m.bucketOf(i), "key " + i);
    }
    assertEquals(1, m.longestChain());
  }

  /**
   * Hash codes {@code a << 16 | a} fold to {@code a << 16}: one bucket in every table of up to
   * 2^16 buckets. The unseeded layout must hand over to the seeded one, which spreads them, and
   * keep it when the map shrinks and grows again.
   */
  @Test
  void clusteredHashCodesSwitchTheMapToItsSeedForGood() {
    ChainedHashMap<Integer, Integer> m = new ChainedHashMap<>();
    for (int a = 0; a < 20_000; a++) {
      m.put(a << 16 | a, a);
    }
    assertTrue(m.seeded(), "a clustered unseeded table must switch to the seeded spreader");
    assertTrue(m.longestChain() <= 10, "the seeded layout spreads them: " + m.longestChain());
    for (int a = 0; a < 20_000; a++) {
      assertEquals(a, m.get(a << 16 | a));
    }
    assertEquals(20_000, m.size());
    for (int a = 0; a < 20_000; a++) {
      assertEquals(a, m.remove(a << 16 | a));
    }
    assertEquals(16, m.tableLength(), "shrunk back");
    for (int i = 0; i < 1_000; i++) {
      m.put(i, i);
    }
    assertTrue(m.seeded(), "the switch is for good");
    assertEquals(1_000, m.size());
  }

  /**
   * Hash codes {@code i << 20} fold to multiples of 16 below 2^16: one bucket in 16 holds up to
   * 12 keys before each growth, never 16 (LONG_CHAIN). The count of inserts into chains of 6 or
   * more must notice them.
   */
  @Test
  void stridedHashCodesAreNoticedBeforeAnyChainIsLong() {
    ChainedHashMap<Integer, Integer> m = new ChainedHashMap<>();
    int longest = 0;
    for (int i = 0; i < 4_096 && !m.seeded(); i++) {
      m.put(i << 20, i);
      longest = Math.max(longest, m.seeded() ? 0 : m.longestChain());
    }
    assertTrue(m.seeded(), "strided hash codes cluster: the map must switch to the seeded spreader");
    assertTrue(longest < 16, "switched by the count, before any chain was long: " + longest);
    for (int i = 4_096; i < 8_000; i++) {
      m.put(i << 20, i);
    }
    assertTrue(m.longestChain() <= 10, "spread: " + m.longestChain());
  }

  /** Equal hash codes cannot be spread by any seed: they go to a collision node, no switch. */
  @Test
  void equalHashCodesDoNotSwitchTheMap() {
    ChainedHashMap<Object, Integer> m = new ChainedHashMap<>();
    for (int i = 0; i < 10_000; i++) {
      m.put(new CollidingKey(i), i);
    }
    assertFalse(m.seeded());
    assertEquals(10_000, m.size());
  }

  /**
   * An iterator (or forEach) that is part way through an unseeded table when the switch to the
   * seeded layout happens must still return every key present all along exactly once: it goes
   * on over the seeded table, skipping the buckets it has done.
   */
  @Test
  void anIteratorCarriesOnAcrossTheSwitchToTheSeededLayout() {
    for (int stop : new int[] {0, 1, 500, 1_500, 2_999}) {
      ChainedHashMap<Object, Integer> m = unseededWith3000Keys();
      Iterator<Object> it = m.keySet().iterator();
      Set<Object> seen = new HashSet<>();
      for (int i = 0; i < stop; i++) {
        assertTrue(seen.add(it.next()));
      }
      switchByClusteredKeys(m);
      while (it.hasNext()) {
        Object k = it.next();
        assertTrue(seen.add(k), "returned twice: " + k + " (stopped at " + stop + ")");
      }
      for (int i = 0; i < 3_000; i++) {
        assertTrue(seen.contains(i), "missed " + i + " (stopped at " + stop + ")");
      }
    }
  }

  @Test
  void forEachCarriesOnAcrossTheSwitchToTheSeededLayout() {
    for (int stop : new int[] {0, 1, 500, 2_999}) {
      ChainedHashMap<Object, Integer> m = unseededWith3000Keys();
      Set<Object> seen = new HashSet<>();
      int[] calls = {0};
      m.forEach((k, v) -> {
        if (calls[0]++ == stop) {
          switchByClusteredKeys(m);
        }
        assertTrue(seen.add(k), "returned twice: " + k + " (stopped at " + stop + ")");
      });
      for (int i = 0; i < 3_000; i++) {
        assertTrue(seen.contains(i), "missed " + i + " (stopped at " + stop + ")");
      }
    }
  }

  private static ChainedHashMap<Object, Integer> unseededWith3000Keys() {
    ChainedHashMap<Object, Integer> m = new ChainedHashMap<>();
    for (int i = 0; i < 3_000; i++) {
      m.put(i, i); // sequential: no bucket gets a long chain, the map stays unseeded
    }
    assertFalse(m.seeded());
    return m;
  }

  private static void switchByClusteredKeys(ChainedHashMap<Object, Integer> m) {
    for (int a = 1; a < 40; a++) {
      m.put(a << 16 | a, a); // one bucket in 65,536: the switch
    }
    assertTrue(m.seeded(), "the clustered keys must have switched the map");
  }
}
