package dev.atoll.map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.atoll.internal.Hashing;
import dev.atoll.testkit.CollidingKey;
import dev.atoll.testkit.ConcurrentMapContract;
import dev.atoll.testkit.GuavaMapSuite;
import dev.atoll.testkit.Seeds;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.concurrent.ConcurrentMap;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicNode;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.function.Executable;

/**
 * {@link HopscotchHashMap}: the shared contract, Guava's generated suite, and the sizing and
 * overflow behaviour specific to hopscotch hashing. Concurrency beyond the contract's model tests:
 * {@link HopscotchHashMapResizeStormTest}, {@link HopscotchHashMapDisplacementTest}.
 */
class HopscotchHashMapTest extends ConcurrentMapContract {
  @Override
  protected <K, V> ConcurrentMap<K, V> newMap() {
    return new HopscotchHashMap<>();
  }

  @Override
  protected long capacityOf(ConcurrentMap<?, ?> map) {
    return ((HopscotchHashMap<?, ?>) map).tableLength();
  }

  @Override
  protected Map<String, Executable> badConstructorCalls() {
    return Map.of("initialCapacity", () -> new HopscotchHashMap<String, String>(-1));
  }

  @TestFactory
  Stream<DynamicNode> guavaTestlib() {
    return GuavaMapSuite.tests("HopscotchHashMap", HopscotchHashMap::new);
  }

  @TestFactory
  Stream<DynamicNode> guavaTestlibPresized() {
    return GuavaMapSuite.tests("HopscotchHashMap presized 1000", () -> new HopscotchHashMap<>(1_000));
  }

  @Test
  void anIteratorOutlivesManyGrows() {
    // The cursor starts on the 16-slot table, then the map grows about a dozen times before the
    // cursor reaches its second home: following MOVED once per home (instead of once per table)
    // made this exponential in the number of grows (an OutOfMemoryError in the resize storm test).
    HopscotchHashMap<Integer, Integer> m = new HopscotchHashMap<>();
    for (int i = 0; i < 10; i++) {
      m.put(i, i);
    }
    int before = m.tableLength();
    Iterator<Map.Entry<Integer, Integer>> it = m.entrySet().iterator();
    assertTrue(it.hasNext()); // the cursor now holds the 16-slot table
    for (int i = 10; i < 20_000; i++) {
      m.put(i, i);
    }
    assertTrue(m.tableLength() >= 1024 * before, "grew from " + before + " to " + m.tableLength());
    Set<Integer> seen = new HashSet<>();
    while (it.hasNext()) {
      Map.Entry<Integer, Integer> e = it.next();
      assertTrue(seen.add(e.getKey()), "returned twice: " + e.getKey());
      assertEquals(e.getKey(), e.getValue());
    }
    for (int i = 0; i < 10; i++) {
      assertTrue(seen.contains(i), "missed " + i);
    }
  }

  @Test
  void startsSmallAndHonoursTheCapacityHint() {
    assertEquals(16, new HopscotchHashMap<>().tableLength());
    assertEquals(16, new HopscotchHashMap<>(0).tableLength());
    HopscotchHashMap<Integer, Integer> m = new HopscotchHashMap<>(10_000);
    int presized = m.tableLength();
    assertTrue(presized >= 10_000 / 0.8, "table for 10k entries: " + presized);
    for (int i = 0; i < 10_000; i++) {
      m.put(i, i);
    }
    assertEquals(presized, m.tableLength(), "a presized table does not grow for the entries it was sized for");
  }

  @Test
  void growsAndShrinksWithHysteresis() {
    HopscotchHashMap<Integer, Integer> m = new HopscotchHashMap<>();
    Set<Integer> lengths = new HashSet<>();
    for (int round = 0; round < 3; round++) {
      for (int i = 0; i < 20_000; i++) {
        m.put(i, i);
        lengths.add(m.tableLength());
      }
      assertTrue(m.tableLength() >= 20_000 / 0.8, "grown: " + m.tableLength());
      for (int i = 0; i < 20_000; i++) {
        assertEquals(i, m.remove(i));
      }
      assertTrue(m.tableLength() <= 64, "shrunk: " + m.tableLength());
    }
    assertTrue(lengths.size() >= 8, "table lengths seen: " + lengths);
    // at the hysteresis boundary, adding and removing one entry does not resize back and forth
    for (int i = 0; i < 1_000; i++) {
      m.put(i, i);
    }
    int len = m.tableLength();
    for (int i = 0; i < 1_000; i++) {
      m.put(-1, -1);
      m.remove(-1);
      assertEquals(len, m.tableLength());
    }
  }

  @Test
  void equalHashKeysDoNotBlowUpTheTable() {
    HopscotchHashMap<CollidingKey, Integer> m = new HopscotchHashMap<>();
    int n = 100_000;
    for (int i = 0; i < n; i++) {
      m.put(new CollidingKey(i), i);
    }
    // the table is sized by the entry count alone (load >= 0.2), not by the overflow
    assertTrue(m.tableLength() <= n * 5L, "table length " + m.tableLength());
    for (int i = 0; i < n; i++) {
      assertEquals(i, m.remove(new CollidingKey(i)));
    }
    assertTrue(m.isEmpty());
    assertTrue(m.tableLength() <= 64, "shrunk: " + m.tableLength());
  }

  @Test
  void keysNoNeighbourhoodCanHoldOverflowToTheStash() {
    int seed = 0x0BAD_5EED;
    // 120 keys whose homes are 0..3 in every table of up to 1024 slots: the neighbourhoods of
    // homes 0..3 reach 35 slots, so at least 85 keys must overflow
    HopscotchHashMap<Integer, Integer> m = new HopscotchHashMap<>(0, seed);
    java.util.List<Integer> keys = new java.util.ArrayList<>();
    for (int k = 0; keys.size() < 120; k++) {
      if ((dev.atoll.internal.Hashing.spread(dev.atoll.internal.Hashing.fold(k), seed) & 1023) < 4) {
        keys.add(k);
      }
    }
    for (int k : keys) {
      assertNull(m.putIfAbsent(k, k));
    }
    int stashed = 0;
    for (int k : keys) {
      assertEquals(k, m.get(k));
      if (m.slotOf(k) == -2) {
        stashed++;
      }
    }
    assertTrue(stashed >= 85, "stashed: " + stashed);
    assertTrue(m.tableLength() <= 512, "overflow must not grow the table: " + m.tableLength());
    for (int k : keys) {
      assertEquals(k, m.replace(k, -k));
      assertEquals(-k, m.get(k));
    }
    assertEquals(120, new HashSet<>(m.keySet()).size());
    for (int i = 0; i < keys.size(); i += 2) {
      int k = keys.get(i);
      assertTrue(m.remove(k, -k));
      assertNull(m.get(k));
    }
    assertEquals(60, m.size());
    for (int i = 0; i < keys.size(); i++) {
      assertEquals(i % 2 == 0 ? null : Integer.valueOf(-keys.get(i)), m.get(keys.get(i)));
    }
  }

  @Test
  void mixedCollidingAndOrdinaryKeysAcrossResizes() {
    HopscotchHashMap<Object, Integer> m = new HopscotchHashMap<>();
    Map<Object, Integer> model = new HashMap<>();
    for (int i = 0; i < 5_000; i++) {
      Object k = i % 3 == 0 ? new CollidingKey(i) : (i % 3 == 1 ? new CollidingKey.Opaque(i) : (Object) i);
      assertNull(m.put(k, i));
      model.put(k, i);
    }
    assertEquals(model, new HashMap<>(m));
    for (int i = 0; i < 5_000; i += 2) {
      Object k = i % 3 == 0 ? new CollidingKey(i) : (i % 3 == 1 ? new CollidingKey.Opaque(i) : (Object) i);
      assertEquals(model.remove(k), m.remove(k));
    }
    assertEquals(model, new HashMap<>(m));
    assertEquals(model.size(), m.size());
    int seen = 0;
    for (Object k : m.keySet()) {
      assertTrue(model.containsKey(k));
      seen++;
    }
    assertEquals(model.size(), seen);
  }

  /** Sequential ids keep the unseeded layout: each key in its own home, in key order. */
  @Test
  void sequentialKeysSitInTheirHomesInKeyOrder() {
    HopscotchHashMap<Integer, Integer> m = new HopscotchHashMap<>();
    for (int i = 0; i < 100_000; i++) {
      m.put(i, i);
    }
    assertFalse(m.seeded(), "sequential keys never overflow a neighbourhood");
    int mask = m.tableLength() - 1;
    for (int i = 0; i < 100_000; i++) {
      assertEquals(Hashing.fold(i) & mask, m.slotOf(i), "key " + i);
    }
  }

  /**
   * Random hash codes make a neighbourhood overflow now and then once the table is half full or
   * more; that must grow the table, not switch it to the seeded spreader, which they do not need.
   */
  @Test
  void randomHashCodesKeepTheUnseededLayout() {
    long seed = Seeds.next();
    SplittableRandom rnd = new SplittableRandom(seed);
    HopscotchHashMap<Integer, Integer> m = new HopscotchHashMap<>();
    for (int i = 0; i < 500_000; i++) {
      int k = rnd.nextInt();
      m.put(k, k);
    }
    assertFalse(m.seeded(), "random keys switched the map, " + Seeds.describe(seed));
  }

  /**
   * Hash codes {@code a << 16 | a} fold to {@code a << 16}: one home in every table of up to
   * 2^16 slots. The unseeded layout must hand over to the seeded one, which spreads them.
   */
  @Test
  void clusteredHashCodesSwitchTheMapToItsSeedForGood() {
    HopscotchHashMap<Integer, Integer> m = new HopscotchHashMap<>();
    for (int a = 0; a < 20_000; a++) {
      m.put(a << 16 | a, a);
    }
    assertTrue(m.seeded(), "a neighbourhood that overflows in an unseeded table must switch it");
    int stashed = 0;
    for (int a = 0; a < 20_000; a++) {
      assertEquals(a, m.get(a << 16 | a));
      if (m.slotOf(a << 16 | a) == -2) {
        stashed++;
      }
    }
    assertTrue(stashed < 100, "the seeded layout spreads them: stashed " + stashed);
    for (int a = 0; a < 20_000; a++) {
      assertEquals(a, m.remove(a << 16 | a));
    }
    for (int i = 0; i < 1_000; i++) {
      m.put(i, i);
    }
    assertTrue(m.seeded(), "the switch is for good");
    assertEquals(1_000, m.size());
  }

  /**
   * An iterator that is half way through an unseeded table when the switch to the seeded layout
   * happens must still return every key present all along exactly once (it goes on over the
   * seeded table, skipping the homes it has done).
   */
  @Test
  void anIteratorCarriesOnAcrossTheSwitchToTheSeededLayout() {
    for (int stop : new int[] {0, 1, 500, 1_500, 2_999}) {
      HopscotchHashMap<Object, Integer> m = new HopscotchHashMap<>();
      for (int i = 0; i < 3_000; i++) {
        m.put(i, i); // sequential: no neighbourhood overflows, the map stays unseeded
      }
      assertFalse(m.seeded());
      Iterator<Object> it = m.keySet().iterator();
      Set<Object> seen = new HashSet<>();
      for (int i = 0; i < stop; i++) {
        assertTrue(seen.add(it.next()));
      }
      for (int a = 1; a < 400; a++) {
        m.put(a << 16 | a, a); // one home in 65,536: the switch
      }
      assertTrue(m.seeded(), "the clustered keys must have switched the map");
      while (it.hasNext()) {
        Object k = it.next();
        assertTrue(seen.add(k), "returned twice: " + k + " (stopped at " + stop + ")");
      }
      for (int i = 0; i < 3_000; i++) {
        assertTrue(seen.contains(i), "missed " + i + " (stopped at " + stop + ")");
      }
    }
  }

}
