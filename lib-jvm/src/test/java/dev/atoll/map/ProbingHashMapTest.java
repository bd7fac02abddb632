package dev.atoll.map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.atoll.internal.Hashing;
import dev.atoll.testkit.CollidingKey;
import dev.atoll.testkit.ConcurrentMapContract;
import dev.atoll.testkit.GuavaMapSuite;
import dev.atoll.testkit.Seeds;
import java.lang.ref.WeakReference;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.ConcurrentMap;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicNode;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.function.Executable;

/**
 * {@link ProbingHashMap}: the shared contract, Guava's generated suite, and the behaviour specific
 * to open addressing (tombstones, overflow, shrinking, the extra operations). Concurrent resizes:
 * {@link ProbingResizeStormTest}.
 */
class ProbingHashMapTest extends ConcurrentMapContract {
  @Override
  protected <K, V> ConcurrentMap<K, V> newMap() {
    return new ProbingHashMap<>();
  }

  @Override
  protected long capacityOf(ConcurrentMap<?, ?> map) {
    return ((ProbingHashMap<?, ?>) map).tableLength();
  }

  @Override
  protected Map<String, Executable> badConstructorCalls() {
    return Map.of("initialCapacity", () -> new ProbingHashMap<String, String>(-1));
  }

  @TestFactory
  Stream<DynamicNode> guavaTestlib() {
    return GuavaMapSuite.tests("ProbingHashMap", ProbingHashMap::new);
  }

  @TestFactory
  Stream<DynamicNode> guavaTestlibPresized() {
    return GuavaMapSuite.tests("ProbingHashMap presized 100", () -> new ProbingHashMap<>(100));
  }

  @Test
  void initialCapacityPresizesAndIsAFloor() {
    ProbingHashMap<Integer, Integer> m = new ProbingHashMap<>(1_000);
    int len = m.tableLength();
    assertTrue(len >= 2_000, "length " + len);
    for (int i = 0; i < 1_000; i++) {
      m.put(i, i);
    }
    assertEquals(len, m.tableLength(), "1000 entries fit without a resize");
    for (int i = 0; i < 1_000; i++) {
      m.remove(i);
    }
    assertEquals(len, m.tableLength(), "the table does not shrink below the initial capacity");
    assertEquals(ProbingHashMap.MIN_LENGTH, new ProbingHashMap<>().tableLength());
  }

  @Test
  void removeIfRemovesOnlyMatchingValues() {
    ProbingHashMap<String, Integer> m = new ProbingHashMap<>();
    assertFalse(m.removeIf("a", v -> true));
    m.put("a", 1);
    m.put("b", 2);
    assertFalse(m.removeIf("a", v -> v == 2));
    assertEquals(1, m.get("a"));
    assertTrue(m.removeIf("b", v -> v == 2));
    assertFalse(m.containsKey("b"));
    assertEquals(1, m.size());
    assertThrows(NullPointerException.class, () -> m.removeIf(null, v -> true));
    assertThrows(NullPointerException.class, () -> m.removeIf("a", null));
    IllegalStateException boom = new IllegalStateException();
    assertSame(boom, assertThrows(IllegalStateException.class, () -> m.removeIf("a", v -> { throw boom; })));
    assertEquals(Map.of("a", 1), new HashMap<>(m));
  }

  @Test
  void insertOrModifyInsertsThenModifies() {
    ProbingHashMap<String, Integer> m = new ProbingHashMap<>();
    assertNull(m.insertOrModify("a", 1, (k, v) -> v + 10));
    assertEquals(1, m.get("a"));
    assertEquals(1, m.insertOrModify("a", 1, (k, v) -> v + 10));
    assertEquals(11, m.get("a"));
    assertEquals(11, m.insertOrModify("a", 1, (k, v) -> k.length() + v));
    assertEquals(12, m.get("a"));
    assertThrows(NullPointerException.class, () -> m.insertOrModify("a", 1, (k, v) -> null));
    assertEquals(12, m.get("a"), "a null result changes nothing");
    assertThrows(NullPointerException.class, () -> m.insertOrModify("b", null, (k, v) -> v));
    assertThrows(NullPointerException.class, () -> m.insertOrModify("b", 1, null));
    assertEquals(1, m.size());
  }

  @Test
  void concurrentInsertOrModifyAndRemoveIfCount() {
    ProbingHashMap<Integer, Integer> m = new ProbingHashMap<>();
    int threads = 4;
    int ops = 20_000;
    dev.atoll.testkit.Threads.run(threads, t -> {
      for (int i = 0; i < ops; i++) {
        m.insertOrModify(i % 16, 1, (k, v) -> v + 1);
      }
    });
    long total = 0;
    for (int v : m.values()) {
      total += v;
    }
    assertEquals((long) threads * ops, total);
    // removeIf under contention: exactly one thread removes each key
    java.util.concurrent.atomic.AtomicInteger removed = new java.util.concurrent.atomic.AtomicInteger();
    dev.atoll.testkit.Threads.run(threads, t -> {
      for (int k = 0; k < 16; k++) {
        if (m.removeIf(k, v -> v > 0)) {
          removed.incrementAndGet();
        }
      }
    });
    assertEquals(16, removed.get());
    assertTrue(m.isEmpty());
  }

  @Test
  void tombstonesKeepTheSlotAndDropTheValue() {
    ProbingHashMap<String, Object> m = new ProbingHashMap<>(64);
    Object v = new Object();
    m.put("k", v);
    WeakReference<Object> ref = new WeakReference<>(v);
    v = null;
    m.remove("k");
    int len = m.tableLength();
    for (int i = 0; i < 50 && ref.get() != null; i++) {
      System.gc();
    }
    assertNull(ref.get(), "the removed value is still reachable");
    assertEquals(len, m.tableLength());
    m.put("k", "again");
    assertEquals("again", m.get("k"));
  }

  @Test
  void removedValuesAreUnreachableAfterResizesToo() {
    ProbingHashMap<Integer, Object> m = new ProbingHashMap<>();
    Object v = new Object();
    m.put(-1, v);
    WeakReference<Object> ref = new WeakReference<>(v);
    v = null;
    m.remove(-1);
    for (int i = 0; i < 10_000; i++) {
      m.put(i, i); // several grow resizes copy the slots
    }
    for (int i = 0; i < 10_000; i++) {
      m.remove(i); // and shrink resizes
    }
    for (int i = 0; i < 50 && ref.get() != null; i++) {
      System.gc();
    }
    assertNull(ref.get(), "the removed value is still reachable");
    assertTrue(m.tableLength() <= 1024, "length " + m.tableLength());
  }

  @Test
  void churnOfDistinctKeysPurgesTombstonesWithoutGrowing() {
    ProbingHashMap<Integer, Integer> m = new ProbingHashMap<>();
    for (int i = 0; i < 200_000; i++) {
      m.put(i, i);
      if (i >= 10) {
        assertEquals(i - 10, m.remove(i - 10));
      }
    }
    assertEquals(10, m.size());
    assertTrue(m.tableLength() <= 256, "tombstones must be purged, not grown: " + m.tableLength());
  }

  @Test
  void floodedOverflowSurvivesResizesAndIteration() {
    ProbingHashMap<Object, Integer> m = new ProbingHashMap<>();
    for (int i = 0; i < 5_000; i++) {
      m.put(new CollidingKey(i), i);
    }
    for (int i = 0; i < 50_000; i++) {
      m.put(i, i); // many grow resizes, each copying the overflow
    }
    for (int i = 0; i < 5_000; i++) {
      assertEquals(i, m.get(new CollidingKey(i)));
    }
    Set<Object> seen = new HashSet<>();
    for (Object k : m.keySet()) {
      assertTrue(seen.add(k), "repeated " + k);
    }
    assertEquals(55_000, seen.size());
    for (int i = 0; i < 50_000; i++) {
      m.remove(i);
    }
    for (int i = 0; i < 5_000; i += 2) {
      assertEquals(i, m.remove(new CollidingKey(i)));
    }
    assertEquals(2_500, m.size());
    for (int i = 0; i < 5_000; i++) {
      assertEquals(i % 2 == 0 ? null : Integer.valueOf(i), m.get(new CollidingKey(i)));
    }
  }

  /**
   * Sequential ids keep the unseeded layout through every growth: one slot each, the slot of key i
   * being {@code i ^ i >>> 16} mod the table length (the layout ConcurrentHashMap gives them),
   * whatever the order of insertion.
   */
  @Test
  void sequentialKeysKeepOneSlotEachInKeyOrder() {
    long seed = Seeds.next();
    List<Integer> keys = new ArrayList<>();
    for (int i = 0; i < 100_000; i++) {
      keys.add(i);
    }
    Collections.shuffle(keys, new Random(seed));
    ProbingHashMap<Integer, Integer> m = new ProbingHashMap<>();
    for (Integer k : keys) {
      m.put(k, k);
    }
    assertFalse(m.seeded(), "sequential keys never cluster: " + Seeds.describe(seed));
    ProbingHashMap.Table t = m.topTable();
    for (int i = 0; i < 100_000; i++) {
      assertEquals(i, t.kvs[2 * (Hashing.fold(i) & t.mask)], "key " + i + " is not in its own slot");
    }
  }

  /**
   * Hash codes {@code a << 16 | a} fold to {@code a << 16}: one home slot in every table up to
   * 2^16 slots. The unseeded layout must notice and hand over to the seeded one, for good.
   */
  @Test
  void clusteredHashCodesSwitchTheMapToItsSeedForGood() {
    ProbingHashMap<Integer, Integer> m = new ProbingHashMap<>();
    for (int a = 0; a < 20_000; a++) {
      m.put(a << 16 | a, a);
    }
    assertTrue(m.seeded(), "a clustered unseeded table must switch to the seeded spreader");
    assertNull(m.topTable().overflow, "the seeded layout spreads them: no window is full");
    for (int a = 0; a < 20_000; a++) {
      assertEquals(a, m.get(a << 16 | a));
    }
    for (int a = 0; a < 20_000; a++) {
      assertEquals(a, m.remove(a << 16 | a));
    }
    for (int i = 0; i < 1_000; i++) {
      m.put(i, i); // shrinks, then sequential keys: the map stays seeded
    }
    assertTrue(m.tableLength() < 8_192, "the table must shrink: " + m.tableLength());
    assertTrue(m.seeded(), "the switch is for good");
    assertEquals(1_000, m.size());
  }

  /**
   * Multiples of 64 share one home slot in 64 in an unseeded table: clusters of a dozen keys and
   * more, never a full window. The count of long probes must notice them.
   */
  @Test
  void stridedHashCodesAreNoticedBeforeAnyWindowIsFull() {
    ProbingHashMap<Integer, Integer> m = new ProbingHashMap<>();
    for (int a = 0; a < 1_000; a++) {
      m.put(a << 6, a);
    }
    assertTrue(m.seeded(), "strided hash codes cluster: the map must switch to the seeded spreader");
    assertNull(m.topTable().overflow);
    for (int a = 0; a < 1_000; a++) {
      assertEquals(a, m.get(a << 6));
    }
  }

  @Test
  void iteratorDuringGrowthSeesEveryEarlierKeyOnce() {
    ProbingHashMap<Integer, Integer> m = new ProbingHashMap<>();
    for (int i = 0; i < 1_000; i++) {
      m.put(i, i);
    }
    Iterator<Integer> it = m.keySet().iterator();
    Set<Integer> seen = new HashSet<>();
    int next = 1_000;
    while (it.hasNext()) {
      assertTrue(seen.add(it.next()));
      for (int j = 0; j < 20; j++) {
        m.put(next, next); // forces resizes while iterating
        next++;
      }
    }
    for (int i = 0; i < 1_000; i++) {
      assertTrue(seen.contains(i), "missed " + i);
    }
  }
}
