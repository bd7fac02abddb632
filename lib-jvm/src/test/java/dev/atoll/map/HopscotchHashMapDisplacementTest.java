package dev.atoll.map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.atoll.internal.Hashing;
import dev.atoll.testkit.Seeds;
import dev.atoll.testkit.Threads;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * Displacement under contention: all keys are engineered (with the map's known seed) to have their
 * home in the first few buckets, so their neighbourhoods overlap and almost every insert displaces
 * other keys (and some overflow to the stash). Writers add and remove their own keys and check every
 * result against a sequential model; readers check that stable keys, which displacement moves
 * around all the time, are always found with a value written for them.
 */
class HopscotchHashMapDisplacementTest {
  @Test
  void displacedKeysAreNeverMissedInAFixedTable() {
    // homes in [0, 24) of a 128-slot table (presized for 100): 55 reachable slots for up to 56 keys.
    // The count stays in [28, 56], inside the hysteresis band of a 128-slot table, so no resize
    // interferes.
    run(24, 28, 28, 300_000, 128);
  }

  @Test
  void displacedKeysAreNeverMissedWhileTheTableResizes() {
    // More churn keys than a small table holds: displacement, stash and resizes all at once.
    run(16, 24, 120, 100_000, -1);
  }

  @Test
  @Tag("stress")
  void longDisplacementStorm() {
    run(24, 28, 28, 3_000_000, 128);
    run(16, 24, 120, 2_000_000, -1);
  }

  /**
   * @param homes keys have their home below this (for every table length up to 1024)
   * @param expectedLength the table length that must hold throughout, or -1
   */
  private static void run(int homes, int stable, int churn, int opsPerWriter, int expectedLength) {
    long seed = Seeds.next();
    String ctx = Seeds.describe(seed);
    int hashSeed = (int) (seed ^ (seed >>> 32));
    HopscotchHashMap<Integer, Integer> m = new HopscotchHashMap<>(expectedLength > 0 ? 100 : 0, hashSeed);
    List<Integer> keys = new ArrayList<>();
    for (int k = 0; keys.size() < stable + churn; k++) {
      if ((Hashing.spread(Hashing.fold(k), hashSeed) & 1023) < homes) {
        keys.add(k);
      }
    }
    List<Integer> stableKeys = keys.subList(0, stable);
    List<Integer> churnKeys = keys.subList(stable, keys.size());
    for (int k : stableKeys) {
      m.put(k, k);
    }
    int writers = 2;
    // the first half of the churn keys is always present before the run (they are owned by writer 0
    // and 1 alternately, and start present so the table is at its full load)
    Map<Integer, Integer> initial = new HashMap<>();
    for (int i = 0; i < churn; i++) {
      if (i % 2 == 0) {
        m.put(churnKeys.get(i), i);
        initial.put(churnKeys.get(i), i);
      }
    }
    if (expectedLength > 0) {
      assertEquals(expectedLength, m.tableLength(), "setup");
    }
    AtomicBoolean done = new AtomicBoolean();
    AtomicInteger writersLeft = new AtomicInteger(writers);
    AtomicInteger readerPasses = new AtomicInteger();
    Threads.run(writers + 2, t -> {
      SplittableRandom rnd = new SplittableRandom(seed * 17 + t);
      if (t < writers) {
        try {
          Map<Integer, Integer> model = new HashMap<>();
          List<Integer> mine = new ArrayList<>();
          for (int i = t; i < churnKeys.size(); i += writers) {
            int k = churnKeys.get(i);
            mine.add(k);
            if (initial.containsKey(k)) {
              model.put(k, initial.get(k));
            }
          }
          for (int i = 0; i < opsPerWriter; i++) {
            int k = mine.get(rnd.nextInt(mine.size()));
            int v = rnd.nextInt(1_000);
            String where = "writer " + t + " op " + i + " key " + k + ", " + ctx;
            switch (rnd.nextInt(6)) {
              case 0: assertEquals(model.put(k, v), m.put(k, v), where); break;
              case 1: assertEquals(model.remove(k), m.remove(k), where); break;
              case 2: assertEquals(model.putIfAbsent(k, v), m.putIfAbsent(k, v), where); break;
              case 3: assertEquals(model.get(k), m.get(k), where); break;
              case 4: assertEquals(model.merge(k, v, (a, b) -> a + b > 1_500 ? null : a + b), m.merge(k, v, (a, b) -> a + b > 1_500 ? null : a + b), where); break;
              default: {
                int s = stableKeys.get(rnd.nextInt(stableKeys.size()));
                Integer cur = m.get(s);
                // stable keys flip between k and -k; a failed replace means the other writer flipped it
                if (!m.replace(s, cur, -cur)) {
                  Integer now = m.get(s);
                  assertTrue(now != null && Math.abs(now) == s, "stable key " + s + " read as " + now + ", " + where);
                }
              }
            }
          }
          for (Map.Entry<Integer, Integer> e : model.entrySet()) {
            assertEquals(e.getValue(), m.get(e.getKey()), "final value of " + e.getKey() + ", " + ctx);
          }
          for (int k : mine) {
            if (!model.containsKey(k)) {
              assertFalse(m.containsKey(k), "removed key " + k + " is present, " + ctx);
            }
          }
        } finally {
          if (writersLeft.decrementAndGet() == 0) {
            done.set(true);
          }
        }
      } else {
        while (!done.get()) {
          for (int s : stableKeys) {
            Integer v = m.get(s);
            if (v == null || Math.abs(v) != s) {
              fail("stable key " + s + " read as " + v + " (table " + m.tableLength() + "), " + ctx);
            }
          }
          if (t == writers && rnd.nextInt(8) == 0) {
            Set<Integer> seen = new HashSet<>();
            for (int k : m.keySet()) {
              if (stableKeys.contains(k)) {
                assertTrue(seen.add(k), "iteration returned stable key " + k + " twice, " + ctx);
              }
            }
            assertEquals(stable, seen.size(), "iteration missed stable keys, " + ctx);
          }
          readerPasses.incrementAndGet();
        }
      }
    });
    assertTrue(readerPasses.get() > 0);
    if (expectedLength > 0) {
      assertEquals(expectedLength, m.tableLength(), "the table must not have resized, " + ctx);
    }
    int count = 0;
    for (Map.Entry<Integer, Integer> e : m.entrySet()) {
      count++;
      assertTrue(keys.contains(e.getKey()), ctx);
    }
    assertEquals(count, m.size(), ctx);
  }
}
