package dev.atoll.testkit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.lang.ref.WeakReference;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.atomic.AtomicReferenceArray;
import java.util.function.BiFunction;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;

/**
 * The {@code Map}/{@code ConcurrentMap} contract, written once and run against every implementation:
 * a test class extends this with a factory and gets every test below (after Caffeine's one spec over
 * every cache configuration). The sequential half compares with {@link HashMap}; the concurrent half
 * (the "model tests") runs seeded random operations on many threads and compares with a sequential
 * model where the outcome is determined.
 *
 * <p>Hooks a map may override: {@link #badConstructorCalls()} (constructor calls that must throw
 * {@link IllegalArgumentException} naming the argument) and {@link #capacityOf} (internal table
 * size, so the kit can check that the table shrinks after mass removal).
 */
public abstract class ConcurrentMapContract {
  /** Returns a new, empty map under test. */
  protected abstract <K, V> ConcurrentMap<K, V> newMap();

  /**
   * Constructor calls with bad arguments. Each key is the argument name the exception message must
   * contain (empty: any message). Default: none.
   */
  protected Map<String, Executable> badConstructorCalls() {
    return Map.of();
  }

  /** The map's internal table capacity (slots or buckets), or -1 when it is not exposed. */
  protected long capacityOf(ConcurrentMap<?, ?> map) {
    return -1;
  }

  /** How many equal-hash {@link Comparable} keys the flooding test inserts. */
  protected int collidingKeyCount() {
    return 100_000;
  }

  /** Threads used by the concurrent model tests. */
  protected int threads() {
    return 4;
  }

  // ------------------------------------------------------------------ basic operations

  @Test
  void getPutRemove() {
    ConcurrentMap<String, Integer> m = newMap();
    assertNull(m.get("a"));
    assertNull(m.put("a", 1));
    assertEquals(1, m.get("a"));
    assertEquals(1, m.put("a", 2));
    assertEquals(2, m.get("a"));
    assertTrue(m.containsKey("a"));
    assertTrue(m.containsValue(2));
    assertFalse(m.containsValue(1));
    assertEquals(2, m.remove("a"));
    assertNull(m.remove("a"));
    assertNull(m.get("a"));
    assertFalse(m.containsKey("a"));
    assertTrue(m.isEmpty());
  }

  @Test
  void putIfAbsent() {
    ConcurrentMap<String, Integer> m = newMap();
    assertNull(m.putIfAbsent("a", 1));
    assertEquals(1, m.putIfAbsent("a", 2));
    assertEquals(1, m.get("a"));
    assertEquals(1, m.size());
  }

  @Test
  void replaceBothForms() {
    ConcurrentMap<String, Integer> m = newMap();
    assertNull(m.replace("a", 1));
    assertFalse(m.containsKey("a"));
    assertFalse(m.replace("a", 1, 2));
    assertFalse(m.containsKey("a"));
    m.put("a", 1);
    assertEquals(1, m.replace("a", 3));
    assertEquals(3, m.get("a"));
    assertFalse(m.replace("a", 1, 4));
    assertEquals(3, m.get("a"));
    assertTrue(m.replace("a", 3, 5));
    assertEquals(5, m.get("a"));
  }

  @Test
  void conditionalRemove() {
    ConcurrentMap<String, Integer> m = newMap();
    assertFalse(m.remove("a", 1));
    m.put("a", 1);
    assertFalse(m.remove("a", 2));
    assertEquals(1, m.get("a"));
    assertTrue(m.remove("a", 1));
    assertFalse(m.containsKey("a"));
    assertEquals(0, m.size());
  }

  @Test
  void computeFamily() {
    ConcurrentMap<String, Integer> m = newMap();
    assertEquals(1, m.computeIfAbsent("a", k -> 1));
    assertEquals(1, m.computeIfAbsent("a", k -> 2));
    assertNull(m.computeIfAbsent("b", k -> null));
    assertFalse(m.containsKey("b"));

    assertEquals(11, m.computeIfPresent("a", (k, v) -> v + 10));
    assertNull(m.computeIfPresent("b", (k, v) -> 99));
    assertFalse(m.containsKey("b"));
    assertNull(m.computeIfPresent("a", (k, v) -> null));
    assertFalse(m.containsKey("a"));

    assertEquals(7, m.compute("c", (k, v) -> v == null ? 7 : v + 1));
    assertEquals(8, m.compute("c", (k, v) -> v == null ? 7 : v + 1));
    assertNull(m.compute("c", (k, v) -> null));
    assertFalse(m.containsKey("c"));
    assertNull(m.compute("d", (k, v) -> null));
    assertFalse(m.containsKey("d"));

    assertEquals(5, m.merge("e", 5, Integer::sum));
    assertEquals(8, m.merge("e", 3, Integer::sum));
    assertNull(m.merge("e", 1, (a, b) -> null));
    assertFalse(m.containsKey("e"));
    assertTrue(m.isEmpty());
  }

  @Test
  void functionThatThrowsChangesNothing() {
    ConcurrentMap<String, Integer> m = newMap();
    m.put("a", 1);
    RuntimeException boom = new IllegalStateException("boom");
    assertSame(boom, assertThrows(IllegalStateException.class, () -> m.compute("a", (k, v) -> { throw boom; })));
    assertSame(boom, assertThrows(IllegalStateException.class, () -> m.computeIfPresent("a", (k, v) -> { throw boom; })));
    assertSame(boom, assertThrows(IllegalStateException.class, () -> m.computeIfAbsent("b", k -> { throw boom; })));
    assertSame(boom, assertThrows(IllegalStateException.class, () -> m.merge("a", 2, (x, y) -> { throw boom; })));
    assertEquals(Map.of("a", 1), new HashMap<>(m));
  }

  @Test
  void getOrDefaultForEachReplaceAll() {
    ConcurrentMap<String, Integer> m = newMap();
    assertEquals(9, m.getOrDefault("a", 9));
    for (int i = 0; i < 100; i++) {
      m.put("k" + i, i);
    }
    assertEquals(5, m.getOrDefault("k5", 9));
    Map<String, Integer> seen = new HashMap<>();
    m.forEach((k, v) -> assertNull(seen.put(k, v), "forEach repeated " + k));
    assertEquals(100, seen.size());
    assertEquals(seen, new HashMap<>(m));
    m.replaceAll((k, v) -> v * 2);
    for (int i = 0; i < 100; i++) {
      assertEquals(i * 2, m.get("k" + i));
    }
  }

  /** A null result of replaceAll's function throws and leaves that entry as it was. */
  @Test
  void replaceAllRejectsANullResult() {
    ConcurrentMap<String, Integer> m = newMap();
    m.put("a", 1);
    assertThrows(NullPointerException.class, () -> m.replaceAll((k, v) -> null));
    assertEquals(Map.of("a", 1), new HashMap<>(m));
  }

  @Test
  void sizeIsEmptyClear() {
    ConcurrentMap<Integer, Integer> m = newMap();
    assertTrue(m.isEmpty());
    assertEquals(0, m.size());
    for (int i = 0; i < 1000; i++) {
      m.put(i, i);
      assertEquals(i + 1, m.size());
    }
    assertFalse(m.isEmpty());
    m.clear();
    assertTrue(m.isEmpty());
    assertEquals(0, m.size());
    assertNull(m.get(5));
    m.put(5, 5);
    assertEquals(1, m.size());
  }

  @Test
  void viewsIterateEveryEntryOnceAndRemoveThroughIterators() {
    ConcurrentMap<Integer, Integer> m = newMap();
    Map<Integer, Integer> expected = new HashMap<>();
    for (int i = 0; i < 500; i++) {
      m.put(i, -i);
      expected.put(i, -i);
    }
    assertEquals(expected.keySet(), new HashSet<>(m.keySet()));
    List<Integer> values = new ArrayList<>(m.values());
    values.sort(null);
    List<Integer> expectedValues = new ArrayList<>(expected.values());
    expectedValues.sort(null);
    assertEquals(expectedValues, values);
    assertEquals(expected.entrySet(), new HashSet<>(m.entrySet()));

    // keySet iterator removes even keys
    for (Iterator<Integer> it = m.keySet().iterator(); it.hasNext(); ) {
      int k = it.next();
      if (k % 2 == 0) {
        it.remove();
        expected.remove(k);
      }
    }
    assertEquals(expected, new HashMap<>(m));
    // values iterator removes values divisible by 3
    for (Iterator<Integer> it = m.values().iterator(); it.hasNext(); ) {
      int v = it.next();
      if (v % 3 == 0) {
        it.remove();
        expected.remove(-v);
      }
    }
    assertEquals(expected, new HashMap<>(m));
    // entrySet iterator removes the rest
    for (Iterator<Map.Entry<Integer, Integer>> it = m.entrySet().iterator(); it.hasNext(); ) {
      it.next();
      it.remove();
    }
    assertTrue(m.isEmpty());
    Iterator<Integer> empty = m.keySet().iterator();
    assertFalse(empty.hasNext());
    assertThrows(java.util.NoSuchElementException.class, empty::next);
    assertThrows(IllegalStateException.class, () -> m.keySet().iterator().remove());
  }

  @Test
  void viewRemovalAndContains() {
    ConcurrentMap<String, Integer> m = newMap();
    m.put("a", 1);
    m.put("b", 2);
    m.put("c", 3);
    assertTrue(m.keySet().contains("a"));
    assertTrue(m.keySet().remove("a"));
    assertFalse(m.containsKey("a"));
    assertTrue(m.values().remove(2));
    assertFalse(m.containsKey("b"));
    assertTrue(m.entrySet().contains(Map.entry("c", 3)));
    assertFalse(m.entrySet().contains(Map.entry("c", 4)));
    assertEquals(Map.of("c", 3), new HashMap<>(m));
  }

  @Test
  void equalsHashCodeToStringMatchHashMap() {
    ConcurrentMap<String, Integer> m = newMap();
    Map<String, Integer> h = new HashMap<>();
    assertEquals(h, m);
    assertEquals(m, h);
    assertEquals("{}", m.toString());
    for (int i = 0; i < 50; i++) {
      m.put("k" + i, i);
      h.put("k" + i, i);
    }
    assertEquals(h, m);
    assertEquals(m, h);
    assertEquals(h.hashCode(), m.hashCode());
    String s = m.toString();
    assertTrue(s.startsWith("{") && s.endsWith("}"), s);
    Set<String> parts = new HashSet<>(Arrays.asList(s.substring(1, s.length() - 1).split(", ")));
    Set<String> expectedParts = new HashSet<>(Arrays.asList(h.toString().substring(1, h.toString().length() - 1).split(", ")));
    assertEquals(expectedParts, parts);
    h.put("other", 1);
    assertFalse(m.equals(h));
    assertFalse(h.equals(m));
    m.clear();
    m.put("x", 1);
    assertEquals("{x=1}", m.toString());
  }

  @Test
  void nullKeysAndValuesAreRejected() {
    ConcurrentMap<String, String> m = newMap();
    m.put("a", "1");
    BiFunction<String, String, String> f = (k, v) -> v;
    List<Executable> calls = List.of(
        () -> m.get(null),
        () -> m.containsKey(null),
        () -> m.containsValue(null),
        () -> m.put(null, "x"),
        () -> m.put("b", null),
        () -> m.putIfAbsent(null, "x"),
        () -> m.putIfAbsent("b", null),
        () -> m.remove(null),
        () -> m.replace(null, "x"),
        () -> m.replace("a", null),
        () -> m.replace(null, "1", "x"),
        () -> m.replace("a", "1", null),
        () -> m.replace("a", null, "x"),
        () -> m.computeIfAbsent(null, k -> "x"),
        () -> m.computeIfAbsent("b", null),
        () -> m.computeIfPresent(null, f),
        () -> m.computeIfPresent("a", null),
        () -> m.compute(null, f),
        () -> m.compute("a", null),
        () -> m.merge(null, "x", f),
        () -> m.merge("a", null, f),
        () -> m.merge("a", "x", null),
        () -> m.getOrDefault(null, "x"),
        () -> m.forEach(null),
        () -> m.replaceAll(null));
    for (int i = 0; i < calls.size(); i++) {
      assertThrows(NullPointerException.class, calls.get(i), "call #" + i + " must throw NullPointerException");
    }
    assertEquals(Map.of("a", "1"), new HashMap<>(m), "a rejected call must not change the map");
  }

  @Test
  void badConstructorArgumentsAreRejectedWithTheirName() {
    for (Map.Entry<String, Executable> call : badConstructorCalls().entrySet()) {
      IllegalArgumentException e = assertThrows(IllegalArgumentException.class, call.getValue(), call.getKey());
      if (!call.getKey().isEmpty()) {
        assertNotNull(e.getMessage(), "message must name " + call.getKey());
        assertTrue(e.getMessage().contains(call.getKey()), "message '" + e.getMessage() + "' must name " + call.getKey());
      }
    }
  }

  // ------------------------------------------------------------------ hash flooding, growth, memory

  @Test
  void equalHashComparableKeys() {
    int n = collidingKeyCount();
    ConcurrentMap<CollidingKey, Integer> m = newMap();
    for (int i = 0; i < n; i++) {
      assertNull(m.put(new CollidingKey(i), i));
    }
    assertEquals(n, m.size());
    for (int i = 0; i < n; i++) {
      assertEquals(i, m.get(new CollidingKey(i)), "key " + i);
    }
    assertNull(m.get(new CollidingKey(n)));
    for (int i = 0; i < n; i += 2) {
      assertEquals(i, m.remove(new CollidingKey(i)));
    }
    assertEquals(n / 2, m.size());
    for (int i = 0; i < n; i++) {
      assertEquals(i % 2 == 0 ? null : Integer.valueOf(i), m.get(new CollidingKey(i)), "key " + i);
    }
    int seen = 0;
    for (CollidingKey k : m.keySet()) {
      assertEquals(1, k.id() % 2);
      seen++;
    }
    assertEquals(n / 2, seen);
  }

  @Test
  void equalHashOpaqueKeys() {
    int n = 2_000;
    ConcurrentMap<CollidingKey.Opaque, Integer> m = newMap();
    for (int i = 0; i < n; i++) {
      assertNull(m.putIfAbsent(new CollidingKey.Opaque(i), i));
    }
    for (int i = 0; i < n; i++) {
      assertEquals(i, m.get(new CollidingKey.Opaque(i)));
      assertEquals(i, m.remove(new CollidingKey.Opaque(i)));
    }
    assertTrue(m.isEmpty());
  }

  @Test
  void growsToAMillionEntriesAndShrinksBack() {
    int n = 1_000_000;
    ConcurrentMap<Integer, Integer> m = newMap();
    long small = capacityOf(m);
    for (int i = 0; i < n; i++) {
      m.put(i, i);
    }
    assertEquals(n, m.size());
    for (int i = 0; i < n; i += 7) {
      assertEquals(i, m.get(i));
    }
    long peak = capacityOf(m);
    for (int i = 0; i < n; i++) {
      assertEquals(i, m.remove(i));
    }
    assertTrue(m.isEmpty());
    assertEquals(0, m.size());
    // a few more operations let lazily shrinking maps finish
    for (int i = 0; i < 1000; i++) {
      m.put(i, i);
      m.remove(i);
    }
    long after = capacityOf(m);
    if (peak >= 0) {
      assertTrue(peak >= n / 2, "capacity at 1M entries: " + peak);
      assertTrue(after <= Math.max(small, 1024) * 4 && after <= peak / 16,
          "table must shrink after mass removal: initial " + small + ", peak " + peak + ", after " + after);
    }
    m.put(3, 3);
    assertEquals(Map.of(3, 3), new HashMap<>(m));
  }

  @Test
  void removedAndReplacedValuesBecomeUnreachable() {
    ConcurrentMap<String, Object> m = newMap();
    Object removed = new Object();
    Object replaced = new Object();
    Object cleared = new Object();
    m.put("removed", removed);
    m.put("replaced", replaced);
    m.put("cleared", cleared);
    WeakReference<Object> removedRef = new WeakReference<>(removed);
    WeakReference<Object> replacedRef = new WeakReference<>(replaced);
    WeakReference<Object> clearedRef = new WeakReference<>(cleared);
    removed = null;
    replaced = null;
    cleared = null;
    m.remove("removed");
    m.put("replaced", "new value");
    m.remove("cleared");
    awaitCleared(removedRef, "removed value");
    awaitCleared(replacedRef, "replaced value");
    awaitCleared(clearedRef, "value removed by remove(k)");
    assertEquals(Map.of("replaced", "new value"), new HashMap<>(m));
  }

  private static void awaitCleared(WeakReference<?> ref, String what) {
    for (int i = 0; i < 50 && ref.get() != null; i++) {
      System.gc();
      byte[][] churn = new byte[64][];
      for (int j = 0; j < churn.length; j++) {
        churn[j] = new byte[16 * 1024];
      }
      Thread.onSpinWait();
    }
    assertNull(ref.get(), what + " is still reachable from the map after 50 GCs");
  }

  // ------------------------------------------------------------------ concurrent model tests

  /**
   * Threads own disjoint keys, so every return value and the final state are determined: each thread
   * keeps a sequential model of its keys and compares every result.
   */
  @Test
  void concurrentDisjointKeysMatchSequentialModel() {
    long seed = Seeds.next();
    int n = threads();
    int keysPerThread = 512;
    int opsPerThread = 40_000;
    ConcurrentMap<Integer, Integer> m = newMap();
    List<Map<Integer, Integer>> models = new ArrayList<>();
    for (int t = 0; t < n; t++) {
      models.add(new HashMap<>());
    }
    Threads.run(n, t -> {
      SplittableRandom rnd = new SplittableRandom(seed + t);
      Map<Integer, Integer> model = models.get(t);
      for (int i = 0; i < opsPerThread; i++) {
        int key = rnd.nextInt(keysPerThread) * n + t;
        int value = rnd.nextInt(1_000_000);
        int op = rnd.nextInt(12);
        String ctx = "thread " + t + " op " + i + " kind " + op + " key " + key + ", " + Seeds.describe(seed);
        switch (op) {
          case 0: assertEquals(model.put(key, value), m.put(key, value), ctx); break;
          case 1: assertEquals(model.get(key), m.get(key), ctx); break;
          case 2: assertEquals(model.remove(key), m.remove(key), ctx); break;
          case 3: assertEquals(model.putIfAbsent(key, value), m.putIfAbsent(key, value), ctx); break;
          case 4: assertEquals(model.replace(key, value), m.replace(key, value), ctx); break;
          case 5: {
            Integer old = rnd.nextBoolean() ? model.get(key) : Integer.valueOf(value);
            if (old == null) {
              old = value;
            }
            assertEquals(model.replace(key, old, value + 1), m.replace(key, old, value + 1), ctx);
            break;
          }
          case 6: {
            Integer old = rnd.nextBoolean() ? model.get(key) : Integer.valueOf(value);
            if (old == null) {
              old = value;
            }
            assertEquals(model.remove(key, old), m.remove(key, old), ctx);
            break;
          }
          case 7: {
            BiFunction<Integer, Integer, Integer> f = (k, v) -> v == null ? Integer.valueOf(value) : (v % 5 == 0 ? null : v + 1);
            assertEquals(model.compute(key, f), m.compute(key, f), ctx);
            break;
          }
          case 8: assertEquals(model.computeIfAbsent(key, k -> value), m.computeIfAbsent(key, k -> value), ctx); break;
          case 9: {
            BiFunction<Integer, Integer, Integer> f = (k, v) -> v % 3 == 0 ? null : v - 1;
            assertEquals(model.computeIfPresent(key, f), m.computeIfPresent(key, f), ctx);
            break;
          }
          case 10: {
            BiFunction<Integer, Integer, Integer> f = (a, b) -> (a + b) % 7 == 0 ? null : a + b;
            assertEquals(model.merge(key, value, f), m.merge(key, value, f), ctx);
            break;
          }
          default: assertEquals(model.containsKey(key), m.containsKey(key), ctx); break;
        }
      }
    });
    Map<Integer, Integer> expected = new HashMap<>();
    models.forEach(expected::putAll);
    assertEquals(expected, new HashMap<>(m), Seeds.describe(seed));
    assertEquals(expected.size(), m.size(), Seeds.describe(seed));
  }

  /**
   * Threads fight over a few keys. The outcome is not determined, but every value found must have
   * been written by some thread for that key, and the size must match the entries.
   */
  @Test
  void concurrentOverlappingKeysHoldOnlyWrittenValues() {
    long seed = Seeds.next();
    int n = threads();
    int keys = 32;
    int opsPerThread = 40_000;
    ConcurrentMap<Integer, Long> m = newMap();
    Threads.run(n, t -> {
      SplittableRandom rnd = new SplittableRandom(seed * 31 + t);
      for (int i = 0; i < opsPerThread; i++) {
        int key = rnd.nextInt(keys);
        long value = ((long) key << 40) | ((long) t << 32) | i; // encodes who wrote it for which key
        switch (rnd.nextInt(8)) {
          case 0: m.put(key, value); break;
          case 1: m.remove(key); break;
          case 2: m.putIfAbsent(key, value); break;
          case 3: m.replace(key, value); break;
          case 4: {
            Long cur = m.get(key);
            if (cur != null) {
              m.replace(key, cur, value);
            }
            break;
          }
          case 5: m.compute(key, (k, v) -> v == null || rnd.nextInt(4) != 0 ? value : null); break;
          case 6: m.merge(key, value, (a, b) -> b); break;
          default: {
            Long cur = m.get(key);
            if (cur != null) {
              assertEquals(key, (int) (cur >>> 40), "value of another key under " + key + ", " + Seeds.describe(seed));
            }
          }
        }
      }
    });
    int count = 0;
    for (Map.Entry<Integer, Long> e : m.entrySet()) {
      long v = e.getValue();
      assertEquals((long) e.getKey(), v >>> 40, "value written for another key, " + Seeds.describe(seed));
      assertTrue(((v >>> 32) & 0xFF) < n && (v & 0xFFFFFFFFL) < opsPerThread, "value no thread wrote: " + v);
      count++;
    }
    assertEquals(count, m.size(), "size() disagrees with iteration when quiescent, " + Seeds.describe(seed));
  }

  /** Read-modify-write operations are atomic: no increment is lost. */
  @Test
  void concurrentCountersLoseNoUpdate() {
    long seed = Seeds.next();
    int n = threads();
    int keys = 8;
    int opsPerThread = 25_000;
    ConcurrentMap<Integer, Integer> m = newMap();
    Threads.run(n, t -> {
      SplittableRandom rnd = new SplittableRandom(seed ^ t);
      for (int i = 0; i < opsPerThread; i++) {
        int key = rnd.nextInt(keys);
        switch (rnd.nextInt(4)) {
          case 0: m.merge(key, 1, Integer::sum); break;
          case 1: m.compute(key, (k, v) -> v == null ? 1 : v + 1); break;
          case 2:
            if (m.computeIfPresent(key, (k, v) -> v + 1) == null) {
              m.merge(key, 1, Integer::sum);
            }
            break;
          default:
            while (true) {
              Integer cur = m.get(key);
              if (cur == null ? m.putIfAbsent(key, 1) == null : m.replace(key, cur, cur + 1)) {
                break;
              }
            }
        }
      }
    });
    long total = 0;
    for (int v : m.values()) {
      total += v;
    }
    assertEquals((long) n * opsPerThread, total, "lost updates, " + Seeds.describe(seed));
  }

  /** Every caller of computeIfAbsent for one key gets the same instance back. */
  @Test
  void concurrentComputeIfAbsentReturnsOneInstancePerKey() {
    int n = threads();
    int keys = 2_000;
    ConcurrentMap<Integer, Object> m = newMap();
    AtomicReferenceArray<Object> firstSeen = new AtomicReferenceArray<>(keys);
    Threads.run(n, t -> {
      for (int i = 0; i < keys; i++) {
        int key = (t % 2 == 0) ? i : keys - 1 - i;
        Object got = m.computeIfAbsent(key, k -> new Object());
        assertNotNull(got);
        Object prior = firstSeen.compareAndExchange(key, null, got);
        if (prior != null && prior != got) {
          fail("computeIfAbsent returned two different instances for key " + key);
        }
      }
    });
    for (int i = 0; i < keys; i++) {
      assertSame(firstSeen.get(i), m.get(i));
    }
  }
}
