package dev.atoll.map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.atoll.testkit.Seeds;
import dev.atoll.testkit.Threads;
import java.util.HashMap;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.Phaser;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * Resize storms: writers add and remove thousands of keys so that the table grows and shrinks many
 * times, while readers check that keys present the whole time are always found (by {@code get}, by
 * {@code containsKey} and by iteration, exactly once), and that updates of those keys during the
 * resizes are never lost.
 */
class HopscotchHashMapResizeStormTest {
  private static final int STABLE = 2_000;

  @Test
  void tableGrowsAndShrinksWhileStableKeysAreAlwaysFound() {
    storm(2, 2, 12, 20_000);
  }

  @Test
  @Tag("stress")
  void longResizeStorm() {
    storm(3, 3, 200, 50_000);
  }

  /**
   * Writers add keys whose hash codes fold to one home in 65,536, so that the map switches to its
   * seeded layout, while readers look up and iterate over keys present all along; each reader
   * starts a slow iteration right away, so that iterations cross the switch. Ten maps.
   */
  @Test
  void theSwitchToTheSeededLayoutUnderConcurrentReadsWritesAndIterations() {
    for (int i = 0; i < 10; i++) {
      switchStorm(2, 2);
    }
  }

  private static void switchStorm(int writers, int readers) {
    SwitchStorm.run(
        HopscotchHashMap::new, m -> ((HopscotchHashMap<?, ?>) m).seeded(), STABLE, writers, readers);
  }

  private static void storm(int writers, int readers, int roundCount, int churnPerRound) {
    long seed = Seeds.next();
    String ctx = Seeds.describe(seed);
    HopscotchHashMap<Integer, Integer> m = new HopscotchHashMap<>();
    for (int k = 0; k < STABLE; k++) {
      m.put(k, k);
    }
    AtomicBoolean done = new AtomicBoolean();
    AtomicInteger writersLeft = new AtomicInteger(writers);
    AtomicInteger grows = new AtomicInteger();
    AtomicInteger shrinks = new AtomicInteger();
    AtomicInteger readerPasses = new AtomicInteger();
    // Writers insert, then remove, in lockstep (a phaser), so that every round starts from a
    // shrunk table and grows it, whatever the scheduling: the grow and shrink counts below must
    // not depend on how the writers' rounds happen to overlap.
    Phaser rounds = new Phaser(writers);
    Threads.run(writers + readers, t -> {
      SplittableRandom rnd = new SplittableRandom(seed + t);
      if (t < writers) {
        try {
          int base = 1_000_000 * (t + 1);
          for (int r = 0; r < roundCount; r++) {
            rounds.arriveAndAwaitAdvance();
            int before = m.tableLength();
            for (int i = 0; i < churnPerRound; i++) {
              assertNull(m.put(base + i, i), ctx);
              if ((i & 63) == 0) {
                // an update of a stable key during the resizes: value k or -k, never lost
                int k = rnd.nextInt(STABLE);
                Integer cur = m.get(k);
                int next = -cur;
                assertTrue(m.replace(k, cur, next) || !m.get(k).equals(cur), "stable key " + k + ", " + ctx);
              }
            }
            rounds.arriveAndAwaitAdvance();
            if (m.tableLength() > before) {
              grows.incrementAndGet();
            }
            int peak = m.tableLength();
            for (int i = 0; i < churnPerRound; i++) {
              assertEquals(i, m.remove(base + i), ctx);
            }
            rounds.arriveAndAwaitAdvance();
            if (m.tableLength() < peak) {
              shrinks.incrementAndGet();
            }
          }
        } finally {
          rounds.arriveAndDeregister(); // a failed writer must not hold the others at the phaser
          if (writersLeft.decrementAndGet() == 0) {
            done.set(true);
          }
        }
      } else {
        while (!done.get()) {
          for (int k = 0; k < STABLE; k++) {
            Integer v = m.get(k);
            if (v == null || (v != k && v != -k)) {
              fail("stable key " + k + " read as " + v + ", " + ctx);
            }
            assertTrue(m.containsKey(k), ctx);
          }
          if (rnd.nextInt(4) == 0) {
            boolean[] seen = new boolean[STABLE];
            for (Map.Entry<Integer, Integer> e : m.entrySet()) {
              int k = e.getKey();
              if (k < STABLE) {
                assertFalse(seen[k], "iteration returned stable key " + k + " twice, " + ctx);
                seen[k] = true;
                assertEquals(k, Math.abs(e.getValue()), ctx);
              }
            }
            for (int k = 0; k < STABLE; k++) {
              assertTrue(seen[k], "iteration missed stable key " + k + ", " + ctx);
            }
          }
          readerPasses.incrementAndGet();
        }
      }
    });
    assertTrue(grows.get() >= roundCount, "grows observed: " + grows);
    assertTrue(shrinks.get() >= roundCount, "shrinks observed: " + shrinks);
    assertTrue(readerPasses.get() > 0);
    assertEquals(STABLE, m.size(), ctx);
    Map<Integer, Integer> copy = new HashMap<>(m);
    assertEquals(STABLE, copy.size(), ctx);
    for (int k = 0; k < STABLE; k++) {
      assertEquals(k, Math.abs(copy.get(k)), ctx);
    }
    assertTrue(m.tableLength() <= 8 * STABLE, "table after the storm: " + m.tableLength());
  }
}
