package dev.atoll.leftright;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.atoll.testkit.Seeds;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/**
 * The left-right model test: a writer applies random batches of every write operation to the map
 * and to a sequential model, and records the model's state for each epoch before publishing it.
 * Reader threads continuously read whole states (inside guards) and single keys, and check that
 * each state is exactly the recorded state of its epoch (never a half-applied batch) and that
 * epochs never go back.
 */
class LeftRightMapModelTest {
  private static final int KEYS = 48;

  /** A canonical form of a state: key -> value -> count. */
  private static Map<Integer, Map<Integer, Integer>> canonical(Map<Integer, List<Integer>> model) {
    Map<Integer, Map<Integer, Integer>> c = new TreeMap<>();
    model.forEach((k, vs) -> {
      Map<Integer, Integer> counts = new TreeMap<>();
      vs.forEach(v -> counts.merge(v, 1, Integer::sum));
      c.put(k, counts);
    });
    return c;
  }

  @Test
  void readersSeeExactlyPublishedStatesInOrder() throws Exception {
    long seed = Seeds.next();
    LeftRightMap<Integer, Integer, Long> map = LeftRightMap.create();
    WriteHandle<Integer, Integer, Long> w = map.writer();
    Map<Long, Map<Integer, Map<Integer, Integer>>> states = new ConcurrentHashMap<>();
    states.put(0L, canonical(Map.of()));
    AtomicBoolean stop = new AtomicBoolean();
    AtomicReference<Throwable> failure = new AtomicReference<>();
    AtomicLong checks = new AtomicLong();
    int readers = 4;
    CountDownLatch done = new CountDownLatch(readers);
    for (int t = 0; t < readers; t++) {
      int id = t;
      Thread reader = new Thread(() -> {
        SplittableRandom rnd = new SplittableRandom(seed + id);
        try (ReadHandle<Integer, Integer, Long> r = map.readers().handle()) {
          long last = 0;
          while (!stop.get() && failure.get() == null) {
            if (rnd.nextInt(4) == 0) {
              try (ReadGuard<Integer, Integer, Long> g = r.enter()) {
                long epoch = g.publishCount();
                assertTrue(epoch >= last, "epoch went back from " + last + " to " + epoch);
                last = epoch;
                Map<Integer, Map<Integer, Integer>> seen = new TreeMap<>();
                g.forEach((k, vs) -> {
                  Map<Integer, Integer> counts = new TreeMap<>();
                  vs.forEach(v -> counts.merge(v, 1, Integer::sum));
                  seen.put(k, counts);
                });
                assertEquals(states.get(epoch), seen, "state of epoch " + epoch);
                assertEquals(epoch == 0 ? null : epoch, g.meta(), "meta of epoch " + epoch);
              }
            } else {
              int key = rnd.nextInt(KEYS);
              long before = r.publishCount();
              Values<Integer> vs = r.get(key);
              long after = r.publishCount();
              assertTrue(before >= last && after >= before, "epochs went back");
              last = after;
              if (before == after) { // the read happened at that epoch
                Map<Integer, Integer> expected = states.get(before).get(key);
                Map<Integer, Integer> counts = null;
                if (vs != null) {
                  counts = new TreeMap<>();
                  for (Integer v : vs) {
                    counts.merge(v, 1, Integer::sum);
                  }
                }
                assertEquals(expected, counts, "key " + key + " at epoch " + before);
              }
            }
            checks.incrementAndGet();
          }
        } catch (Throwable e) {
          failure.compareAndSet(null, e);
        } finally {
          done.countDown();
        }
      }, "reader-" + t);
      reader.setDaemon(true);
      reader.start();
    }

    SplittableRandom rnd = new SplittableRandom(seed);
    Map<Integer, List<Integer>> model = new HashMap<>();
    try {
      for (int publish = 1; publish <= 1_000 && failure.get() == null; publish++) {
        int ops = rnd.nextInt(1, 12);
        for (int i = 0; i < ops; i++) {
          int key = rnd.nextInt(KEYS);
          int value = rnd.nextInt(6);
          switch (rnd.nextInt(100)) {
            case 0 -> {
              w.clear();
              model.clear();
            }
            case 1 -> {
              w.purge();
              model.clear();
            }
            case 2, 3 -> w.fitAll();
            default -> {
              int op = rnd.nextInt(8);
              if (op <= 2) { // bags grow past the small form now and then
                for (int n = rnd.nextInt(1, op == 0 ? 20 : 3); n > 0; n--) {
                  w.insert(key, value);
                  model.computeIfAbsent(key, k -> new ArrayList<>()).add(value);
                }
              } else if (op == 3) {
                w.update(key, value);
                model.put(key, new ArrayList<>(List.of(value)));
              } else if (op == 4) {
                w.removeValue(key, value);
                List<Integer> vs = model.get(key);
                if (vs != null) {
                  vs.remove(Integer.valueOf(value));
                }
              } else if (op == 5) {
                w.removeEntry(key);
                model.remove(key);
              } else if (op == 6) {
                w.retain(key, v -> v % 2 == 0);
                List<Integer> vs = model.get(key);
                if (vs != null) {
                  vs.removeIf(v -> v % 2 != 0);
                }
              } else {
                w.fit(key);
              }
            }
          }
        }
        w.setMeta((long) publish);
        states.put((long) publish, canonical(model));
        assertEquals(publish, w.publish());
      }
    } finally {
      stop.set(true);
      assertTrue(done.await(1, TimeUnit.MINUTES), "deadlock guard, not a timing assertion");
    }
    if (failure.get() != null) {
      throw new AssertionError(Seeds.describe(seed), failure.get());
    }
    assertTrue(checks.get() > 0);
    try (ReadHandle<Integer, Integer, Long> r = map.readers().handle()) {
      Map<Integer, Map<Integer, Integer>> last = new TreeMap<>();
      r.forEach((k, vs) -> {
        Map<Integer, Integer> counts = new TreeMap<>();
        vs.forEach(v -> counts.merge(v, 1, Integer::sum));
        last.put(k, counts);
      });
      assertEquals(canonical(model), last, Seeds.describe(seed));
    }
  }
}
