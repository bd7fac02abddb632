package dev.atoll.map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.atoll.testkit.CollidingKey;
import dev.atoll.testkit.Seeds;
import dev.atoll.testkit.Threads;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;
import java.util.function.ToLongFunction;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * Resize storms: writer threads insert and remove batches of their own keys, so that the table
 * grows, shrinks and purges tombstones many times, while reader threads check that keys present
 * all along (plain ones and equal-hash ones kept in the overflow) are always found with their
 * value, and that iterators return each of them exactly once. Writers also insert and remove
 * equal-hash keys, so overflow writes race with the overflow's freeze and copy. Run for {@link ProbingHashMap} and
 * for {@link SegmentedHashMap} with one and with many segments. The switch storms make an
 * unseeded table hand over to its seeded successor while writers and readers race with it.
 */
class ProbingResizeStormTest {
  private static final int STABLE = 2_000;
  private static final int COLLIDING = 300;

  @Test
  void probingHashMap() {
    storm(ProbingHashMap::new, m -> ((ProbingHashMap<?, ?>) m).tableLength(), 2, 2, 6);
  }

  @Test
  void segmentedOneSegment() {
    storm(() -> new SegmentedHashMap<>(1), m -> ((SegmentedHashMap<?, ?>) m).tableLength(), 2, 2, 6);
  }

  @Test
  void segmentedManySegments() {
    storm(() -> new SegmentedHashMap<>(8), m -> ((SegmentedHashMap<?, ?>) m).tableLength(), 2, 2, 6);
  }

  /** A long storm with more threads than cores (excluded from the default build). */
  @Test
  @Tag("stress")
  void longStorms() {
    for (int i = 0; i < 5; i++) {
      storm(ProbingHashMap::new, m -> ((ProbingHashMap<?, ?>) m).tableLength(), 4, 4, 40);
      storm(() -> new SegmentedHashMap<>(1), m -> ((SegmentedHashMap<?, ?>) m).tableLength(), 4, 4, 40);
      storm(() -> new SegmentedHashMap<>(4), m -> ((SegmentedHashMap<?, ?>) m).tableLength(), 4, 4, 40);
    }
  }

  private static void storm(
      Supplier<ConcurrentMap<Object, Object>> factory,
      ToLongFunction<ConcurrentMap<Object, Object>> capacity,
      int writers,
      int readers,
      int rounds) {
    long seed = Seeds.next();
    String ctx = Seeds.describe(seed);
    ConcurrentMap<Object, Object> m = factory.get();
    long initial = capacity.applyAsLong(m);
    for (int i = 0; i < STABLE; i++) {
      m.put(stableKey(i), "s" + i);
    }
    for (int i = 0; i < COLLIDING; i++) {
      m.put(new CollidingKey(i), "c" + i);
    }
    AtomicBoolean writing = new AtomicBoolean(true);
    AtomicInteger writersLeft = new AtomicInteger(writers);
    AtomicLong peak = new AtomicLong();
    AtomicLong changes = new AtomicLong();
    Threads.run(writers + readers, t -> {
      SplittableRandom rnd = new SplittableRandom(seed + t);
      if (t < writers) {
        try {
          for (int r = 0; r < rounds; r++) {
            // a batch big enough to force several grows, then removed to force shrinks
            int n = 8_000 + rnd.nextInt(8_000);
            long base = ((long) t << 40) | ((long) r << 24);
            // equal-hash keys written meanwhile: overflow writes race with its freeze and copy
            int collidingBase = 1_000_000 + t * 100_000 + r * 1_000;
            for (int i = 0; i < n; i++) {
              Long k = base + i;
              assertNull(m.put(k, k), ctx);
              if (i % 40 == 0) {
                CollidingKey c = new CollidingKey(collidingBase + i / 40);
                assertNull(m.putIfAbsent(c, k), ctx);
              }
            }
            peak.accumulateAndGet(capacity.applyAsLong(m), Math::max);
            for (int i = 0; i < n; i++) {
              Long k = base + i;
              assertEquals(k, m.remove(k), ctx);
              if (i % 40 == 0) {
                CollidingKey c = new CollidingKey(collidingBase + i / 40);
                assertEquals(k, m.replace(c, -k), ctx);
                assertTrue(m.remove(c, -k), ctx);
                assertNull(m.get(c), ctx);
              }
            }
            // churn of distinct keys: tombstones pile up and are purged by same-size resizes
            for (int i = 0; i < 4_000; i++) {
              Long k = base + (1 << 20) + i;
              assertNull(m.putIfAbsent(k, k), ctx);
              assertEquals(k, m.remove(k), ctx);
            }
          }
        } finally {
          if (writersLeft.decrementAndGet() == 0) {
            writing.set(false);
          }
        }
      } else {
        long lastCapacity = -1;
        do {
          int i = rnd.nextInt(STABLE);
          Object v = m.get(stableKey(i));
          if (!("s" + i).equals(v)) {
            fail("stable key " + i + " read as " + v + ", " + ctx);
          }
          int c = rnd.nextInt(COLLIDING);
          Object cv = m.get(new CollidingKey(c));
          if (!("c" + c).equals(cv)) {
            fail("colliding key " + c + " read as " + cv + ", " + ctx);
          }
          long cap = capacity.applyAsLong(m);
          if (cap != lastCapacity) {
            changes.incrementAndGet();
            lastCapacity = cap;
          }
          if (rnd.nextInt(2_000) == 0) {
            // an iteration during the storm returns every stable key exactly once
            Set<Object> seen = new HashSet<>();
            int stableSeen = 0;
            for (Map.Entry<Object, Object> e : m.entrySet()) {
              if (!seen.add(e.getKey())) {
                fail("iterator repeated " + e.getKey() + ", " + ctx);
              }
              if (e.getKey() instanceof String
                  || (e.getKey() instanceof CollidingKey && ((CollidingKey) e.getKey()).id() < COLLIDING)) {
                stableSeen++;
              }
            }
            assertEquals(STABLE + COLLIDING, stableSeen, "iterator missed stable keys, " + ctx);
          }
        } while (writing.get());
      }
    });
    assertEquals(STABLE + COLLIDING, m.size(), ctx);
    for (int i = 0; i < STABLE; i++) {
      assertEquals("s" + i, m.get(stableKey(i)), ctx);
    }
    for (int i = 0; i < COLLIDING; i++) {
      assertEquals("c" + i, m.get(new CollidingKey(i)), ctx);
    }
    long end = capacity.applyAsLong(m);
    assertTrue(peak.get() > end, "the table grew during the storm and shrank after: peak " + peak + ", end " + end + ", initial " + initial);
    assertTrue(changes.get() >= 4, "readers saw resizes: " + changes);
  }

  private static String stableKey(int i) {
    return "stable-" + i;
  }

  @Test
  void probingHashMapSwitchesToItsSeedUnderConcurrentWrites() {
    for (int i = 0; i < 10; i++) {
      switchStorm(new ProbingHashMap<>(), 2, 2);
    }
  }

  @Test
  void segmentedHashMapSwitchesItsSegmentsUnderConcurrentWrites() {
    for (int i = 0; i < 10; i++) {
      switchStorm(new SegmentedHashMap<>(8), 2, 2);
    }
  }

  /**
   * A map of random keys (unseeded: random hash codes do not cluster) gets keys from several
   * writers whose hash codes fold to one slot in 65,536, so that the map (or one segment) switches
   * to its seeded layout while the writers race with each other and with readers that check the
   * random keys present all along. Afterwards every key is there once, with its value.
   */
  private static void switchStorm(ConcurrentMap<Object, Object> m, int writers, int readers) {
    long seed = Seeds.next();
    String ctx = Seeds.describe(seed);
    for (int i = 0; i < STABLE; i++) {
      m.put(stableKey(i), "s" + i);
    }
    int perWriter = 3_000;
    AtomicInteger writersLeft = new AtomicInteger(writers);
    AtomicBoolean writing = new AtomicBoolean(true);
    Threads.run(writers + readers, t -> {
      SplittableRandom rnd = new SplittableRandom(seed + t);
      if (t < writers) {
        try {
          for (int i = 0; i < perWriter; i++) {
            Long k = clusteredKey(t, i);
            assertNull(m.put(k, k), ctx);
            if (rnd.nextInt(4) == 0) {
              Long old = clusteredKey(t, rnd.nextInt(i + 1));
              assertEquals(old, m.put(old, old), ctx);
            }
          }
        } finally {
          if (writersLeft.decrementAndGet() == 0) {
            writing.set(false);
          }
        }
      } else {
        do {
          int i = rnd.nextInt(STABLE);
          Object v = m.get(stableKey(i));
          if (!("s" + i).equals(v)) {
            fail("stable key " + i + " read as " + v + ", " + ctx);
          }
        } while (writing.get());
      }
    });
    assertEquals(STABLE + writers * perWriter, m.size(), ctx);
    Set<Object> seen = new HashSet<>();
    for (Map.Entry<Object, Object> e : m.entrySet()) {
      assertTrue(seen.add(e.getKey()), "iterator repeated " + e.getKey() + ", " + ctx);
      Object expected = e.getKey() instanceof String ? "s" + ((String) e.getKey()).substring(7) : e.getKey();
      assertEquals(expected, e.getValue(), ctx);
    }
    assertEquals(STABLE + writers * perWriter, seen.size(), ctx);
    if (m instanceof ProbingHashMap) {
      assertTrue(((ProbingHashMap<?, ?>) m).seeded(), "the clustered keys must have switched the map, " + ctx);
    } else {
      for (ProbingHashMap<?, ?> s : ((SegmentedHashMap<?, ?>) m).segments()) {
        assertTrue(s.seeded(), "the clustered keys must have switched every segment, " + ctx);
      }
    }
  }

  /**
   * A Long whose hash code is {@code (i << 16) | i} (folding to {@code i << 16}: low 16 bits 0)
   * for every thread {@code t}: the high half carries t, and the low half is xored with it.
   */
  private static Long clusteredKey(int t, int i) {
    long hi = t + 1;
    long lo = ((((long) i << 16) | i) ^ hi) & 0xFFFF_FFFFL;
    return (hi << 32) | lo;
  }
}
