package dev.atoll.map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.atoll.testkit.CollidingKey;
import dev.atoll.testkit.Seeds;
import dev.atoll.testkit.Threads;
import java.util.Iterator;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * Resize storms: writer threads fill and empty the map in rounds, so the table grows and shrinks many
 * times, while reader threads check that a stable set of keys (added first, never removed) is always
 * found with its value, and that every iteration returns each stable key exactly once. Writers also
 * fight over a few shared keys with compute/merge, so that writes race with frozen and forwarded
 * buckets. Seeded: a failure message tells how to replay it.
 */
class ChainedHashMapResizeStormTest {
  private static final int WRITERS = 3;
  private static final int READERS = 2;
  private static final int ITERATORS = 1;
  private static final int STABLE = 500;
  private static final int SHARED = 16;

  @Test
  void stableKeysAreAlwaysFoundWhileTheTableGrowsAndShrinks() {
    storm(6, 20_000, 0);
    storm(6, 20_000, 2); // initial capacity 2: a floor of two buckets, more resizes
  }

  @Test
  @Tag("stress")
  void longResizeStorm() {
    storm(100, 60_000, 0);
    storm(100, 20_000, 2);
  }

  /**
   * Writers insert keys whose folded hash codes share one bucket, which switches the map to the
   * seeded layout in the middle of the run, while readers read stable keys and iterate slowly
   * across the switch: no stable key may be missed or returned twice.
   */
  @Test
  void theSwitchToTheSeededLayoutUnderConcurrentReadsWritesAndIterations() {
    for (int i = 0; i < 10; i++) {
      switchStorm(2, 2);
    }
  }

  @Test
  @Tag("stress")
  void longSwitchStorm() {
    for (int i = 0; i < 200; i++) {
      switchStorm(3, 3);
    }
  }

  private static void switchStorm(int writers, int readers) {
    SwitchStorm.run(
        ChainedHashMap::new, m -> ((ChainedHashMap<?, ?>) m).seeded(), STABLE, writers, readers);
  }

  /**
   * clear() sweeps tables while writers make them grow and shrink: nothing breaks, and when the
   * threads stop, the size agrees with the entries and every value is one written for its key.
   */
  @Test
  void clearRacesWithResizes() {
    long seed = Seeds.next();
    String replay = Seeds.describe(seed);
    ChainedHashMap<Integer, Integer> m = new ChainedHashMap<>(0);
    AtomicInteger writersLeft = new AtomicInteger(2);
    Threads.run(3, t -> {
      SplittableRandom rnd = new SplittableRandom(seed + t);
      if (t < 2) {
        for (int r = 0; r < 30; r++) {
          int n = 1 + rnd.nextInt(20_000);
          for (int i = 0; i < n; i++) {
            m.put(rnd.nextInt(50_000), t);
          }
          for (int i = 0; i < n / 2; i++) {
            m.remove(rnd.nextInt(50_000));
          }
        }
        writersLeft.decrementAndGet();
      } else {
        while (writersLeft.get() > 0) {
          m.clear();
          Thread.yield();
        }
      }
    });
    int n = 0;
    for (Map.Entry<Integer, Integer> e : m.entrySet()) {
      assertTrue(e.getValue() == 0 || e.getValue() == 1, replay);
      n++;
    }
    assertEquals(n, m.size(), "size after clear races, " + replay);
    m.clear();
    assertEquals(0, m.size());
    assertEquals(2, m.tableLength(), "clear shrinks to the floor");
  }

  private static void storm(int rounds, int keysPerWriter, int initialCapacity) {
    long seed = Seeds.next();
    String replay = Seeds.describe(seed);
    ChainedHashMap<Object, Integer> m = initialCapacity == 0 ? new ChainedHashMap<>() : new ChainedHashMap<>(initialCapacity);
    for (int i = 0; i < STABLE; i++) {
      // some stable keys share one hash code: they live in a collision node that resizes move
      m.put(stableKey(i), i);
    }
    int small = m.tableLength();
    AtomicBoolean writing = new AtomicBoolean(true);
    AtomicInteger writersLeft = new AtomicInteger(WRITERS);
    int[] grownTo = new int[rounds];
    int[] shrunkTo = new int[rounds];
    int[] roundOf = {0};
    CyclicBarrier filled = new CyclicBarrier(WRITERS, () -> grownTo[roundOf[0]] = m.tableLength());
    CyclicBarrier emptied = new CyclicBarrier(WRITERS, () -> shrunkTo[roundOf[0]++] = m.tableLength());
    AtomicInteger reads = new AtomicInteger();
    AtomicInteger iterations = new AtomicInteger();

    Threads.run(WRITERS + READERS + ITERATORS, t -> {
      SplittableRandom rnd = new SplittableRandom(seed + t);
      if (t < WRITERS) {
        try {
          for (int r = 0; r < rounds; r++) {
            int base = 1_000_000 * (t + 1);
            for (int i = 0; i < keysPerWriter; i++) {
              Integer prior = m.put(base + i, i);
              if (prior != null) {
                throw new AssertionError("writer " + t + " key " + (base + i) + " was present: " + prior + ", " + replay);
              }
              if ((i & 63) == 0) {
                m.merge(-1 - rnd.nextInt(SHARED), 1, Integer::sum);
              }
            }
            filled.await();
            for (int i = 0; i < keysPerWriter; i++) {
              assertEquals(i, m.remove(base + i), "writer " + t + " key " + (base + i) + ", " + replay);
              if ((i & 63) == 0) {
                m.compute(-1 - rnd.nextInt(SHARED), (k, v) -> v == null || v > 3 ? null : v + 1);
              }
            }
            for (int i = 0; i < 64; i++) { // a few writes that let the last shrink happen
              m.put(base, 0);
              m.remove(base);
            }
            emptied.await();
          }
        } finally {
          if (writersLeft.decrementAndGet() == 0) {
            writing.set(false);
          }
        }
      } else if (t < WRITERS + READERS) {
        while (writing.get()) {
          int i = rnd.nextInt(STABLE);
          Object k = stableKey(i);
          Integer v = m.get(k);
          if (v == null || v != i) {
            throw new AssertionError("stable key " + k + " read as " + v + ", " + replay);
          }
          assertTrue(m.containsKey(k), replay);
          reads.incrementAndGet();
        }
      } else {
        while (writing.get()) {
          int[] seen = new int[STABLE];
          for (Iterator<Map.Entry<Object, Integer>> it = m.entrySet().iterator(); it.hasNext(); ) {
            Map.Entry<Object, Integer> e = it.next();
            int i = stableIndex(e.getKey());
            if (i >= 0) {
              assertEquals(i, e.getValue(), replay);
              seen[i]++;
            }
          }
          for (int i = 0; i < STABLE; i++) {
            if (seen[i] != 1) {
              throw new AssertionError("iteration returned stable key " + stableKey(i) + " " + seen[i] + " times, " + replay);
            }
          }
          iterations.incrementAndGet();
        }
      }
    });

    for (int i = 0; i < STABLE; i++) {
      assertEquals(i, m.get(stableKey(i)), replay);
    }
    int expectedEntries = WRITERS * keysPerWriter + STABLE;
    for (int r = 0; r < rounds; r++) {
      assertTrue(grownTo[r] >= expectedEntries, "round " + r + ": table of " + grownTo[r] + " for " + expectedEntries + " entries, " + replay);
      // below 1/8 load the table must have shrunk: at most 8 buckets per remaining entry
      assertTrue(shrunkTo[r] <= Math.max(small, 8 * (STABLE + SHARED)), "round " + r + ": table of " + shrunkTo[r] + " after emptying, " + replay);
    }
    int shared = 0;
    for (Object k : m.keySet()) {
      if (stableIndex(k) < 0) {
        assertTrue(k instanceof Integer && (Integer) k < 0 && (Integer) k >= -SHARED, "leftover key " + k + ", " + replay);
        shared++;
      }
    }
    assertEquals(STABLE + shared, m.size(), replay);
    assertTrue(reads.get() > 0 && iterations.get() > 0, "readers ran");
  }

  /** Stable keys: every fourth is a CollidingKey (all one hash code), the others negative longs. */
  private static Object stableKey(int i) {
    return i % 4 == 0 ? new CollidingKey(i) : (Object) (-(long) i - 1);
  }

  private static int stableIndex(Object k) {
    if (k instanceof CollidingKey) {
      return ((CollidingKey) k).id();
    }
    if (k instanceof Long) {
      return (int) (-(Long) k - 1);
    }
    return -1;
  }
}
