package dev.atoll.map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.atoll.testkit.Seeds;
import dev.atoll.testkit.Threads;
import java.util.HashSet;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Predicate;
import java.util.function.Supplier;

/**
 * The switch to the seeded layout under concurrency, for the maps that start unseeded: writers
 * add (and now and then remove and re-add) keys {@code a << 16 | a}, whose hash codes fold to one
 * bucket in 65,536, so that the map switches in the middle of the run, while readers look up
 * keys present all along and iterate over them. Each reader starts a slow iteration right away,
 * so that iterations cross the switch. Seeded: a failure message tells how to replay it.
 */
final class SwitchStorm {
  private SwitchStorm() {}

  /**
   * One storm on a fresh map from {@code newMap}, prefilled with keys {@code 0..stable-1}; at the
   * end {@code seeded} must hold for it and every key must map to its value.
   */
  static void run(Supplier<ConcurrentMap<Integer, Integer>> newMap,
      Predicate<ConcurrentMap<Integer, Integer>> seeded, int stable, int writers, int readers) {
    long seed = Seeds.next();
    String ctx = Seeds.describe(seed);
    ConcurrentMap<Integer, Integer> m = newMap.get();
    for (int k = 0; k < stable; k++) {
      m.put(k, k);
    }
    int perWriter = 2_000;
    AtomicBoolean writing = new AtomicBoolean(true);
    AtomicInteger writersLeft = new AtomicInteger(writers);
    Threads.run(writers + readers, t -> {
      SplittableRandom rnd = new SplittableRandom(seed + t);
      if (t < writers) {
        try {
          for (int i = 0; i < perWriter; i++) {
            int a = 1 + t * perWriter + i; // distinct across writers, below 2^16
            assertNull(m.put(a << 16 | a, a), ctx);
            if (rnd.nextInt(4) == 0) {
              assertEquals(a, m.remove(a << 16 | a), ctx);
              assertNull(m.put(a << 16 | a, a), ctx);
            }
          }
        } finally {
          if (writersLeft.decrementAndGet() == 0) {
            writing.set(false);
          }
        }
      } else {
        boolean first = true;
        do {
          if (first || rnd.nextInt(500) == 0) {
            Set<Integer> seen = new HashSet<>();
            int stableSeen = 0;
            for (Integer k : m.keySet()) {
              if (!seen.add(k)) {
                fail("iterator repeated " + k + ", " + ctx);
              }
              if (k < stable) {
                stableSeen++;
              }
              if (first) {
                m.get(rnd.nextInt(stable)); // slow: let the writers switch the map meanwhile
              }
            }
            assertEquals(stable, stableSeen, "iterator missed stable keys, " + ctx);
            first = false;
          }
          int k = rnd.nextInt(stable);
          Integer v = m.get(k);
          if (v == null || v != k) {
            fail("stable key " + k + " read as " + v + ", " + ctx);
          }
        } while (writing.get());
      }
    });
    assertTrue(seeded.test(m), "the clustered keys must have switched the map, " + ctx);
    assertEquals(stable + writers * perWriter, m.size(), ctx);
    for (int a = 1; a <= writers * perWriter; a++) {
      assertEquals(a, m.get(a << 16 | a), ctx);
    }
    for (int k = 0; k < stable; k++) {
      assertEquals(k, m.get(k), ctx);
    }
  }
}
