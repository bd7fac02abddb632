package dev.atoll.map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertSame;

import dev.atoll.testkit.Threads;
import java.util.List;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The promises {@link OptimisticComputeMap} documents for every map that uses it (and
 * {@link ProbingHashMap}'s hash-once variants), with deterministic interleavings: an optimistic
 * function runs again only when its own key changes, never because other keys are written, the
 * table resizes or (for {@link HashTrieMap}) a snapshot is taken while it runs; and racing
 * callers of computeIfAbsent all get the one instance that was added. Not in the shared contract:
 * a map that holds a lock while the function runs (ConcurrentHashMap, the lock maps) would block
 * the other thread, which these tests make the function wait for.
 */
class OptimisticComputeMapTest {
  /** Keys the writer adds while the function runs (several grows), then removes but for KEPT. */
  private static final int CHURN = 5_000;
  /** Keys the writer leaves: the map's size differs after the function ran, its table shrank. */
  private static final int KEPT = 10;

  /** A new empty map of the kind named. */
  private static <V> ConcurrentMap<Integer, V> newMap(String kind) {
    switch (kind) {
      case "Chained":
        return new ChainedHashMap<>();
      case "Hopscotch":
        return new HopscotchHashMap<>();
      case "Probing":
        return new ProbingHashMap<>();
      case "Segmented":
        return new SegmentedHashMap<>();
      case "HashTrie":
        return new HashTrieMap<>();
      default:
        throw new IllegalArgumentException(kind);
    }
  }

  @ParameterizedTest
  @ValueSource(strings = {"Chained", "Hopscotch", "Probing", "Segmented", "HashTrie"})
  void writesToOtherKeysAndResizesDoNotRunTheFunctionAgain(String kind) {
    for (String op : List.of("compute", "computeIfPresent", "merge", "replaceAll")) {
      ConcurrentMap<Integer, Integer> m = newMap(kind);
      m.put(-1, 0);
      AtomicInteger runs = new AtomicInteger();
      CountDownLatch running = new CountDownLatch(1);
      CountDownLatch written = new CountDownLatch(1);
      Threads.run(2, t -> {
        if (t == 1) {
          running.await();
          try {
            churn(m);
          } finally {
            written.countDown();
          }
          return;
        }
        try {
          switch (op) {
            case "compute":
              m.compute(-1, (k, v) -> once(runs, running, written, k, v));
              break;
            case "computeIfPresent":
              m.computeIfPresent(-1, (k, v) -> once(runs, running, written, k, v));
              break;
            case "merge":
              m.merge(-1, 100, (v, given) -> once(runs, running, written, -1, v));
              break;
            default:
              m.replaceAll((k, v) -> once(runs, running, written, k, v)); // other keys may be visited too
          }
        } finally {
          running.countDown(); // never leave the writer waiting
        }
      });
      assertEquals(1, runs.get(), kind + "." + op + " ran its function again for writes to other keys");
      assertEquals(1, m.get(-1), kind + "." + op);
      assertEquals(1 + KEPT, m.size(), kind + "." + op);
    }
  }

  /**
   * Two callers of computeIfAbsent for one absent key, deterministically interleaved: the first
   * one's function waits while the second one computes and adds its value; the first one's own
   * result is then discarded and both get the second one's instance (PITFALLS: JCTools #376).
   */
  @ParameterizedTest
  @ValueSource(strings = {"Chained", "Hopscotch", "Probing", "Segmented", "HashTrie"})
  void racingComputeIfAbsentCallersGetTheOneInstanceAdded(String kind) {
    ConcurrentMap<Integer, Object> m = newMap(kind);
    Object[] got = new Object[2];
    Object[] made = new Object[2];
    CountDownLatch firstRunning = new CountDownLatch(1);
    CountDownLatch secondDone = new CountDownLatch(1);
    Threads.run(2, t -> {
      if (t == 0) {
        try {
          got[0] = m.computeIfAbsent(7, k -> {
            firstRunning.countDown();
            await(secondDone);
            return made[0] = new Object();
          });
        } finally {
          firstRunning.countDown();
        }
      } else {
        firstRunning.await();
        try {
          got[1] = m.computeIfAbsent(7, k -> made[1] = new Object());
        } finally {
          secondDone.countDown();
        }
      }
    });
    assertNotNull(made[0], kind + ": the first caller's function ran");
    assertSame(made[1], got[1], kind + ": the second caller added its value");
    assertSame(made[1], got[0], kind + ": the first caller must get the instance that was added");
    assertSame(made[1], m.get(7), kind);
  }

  /**
   * The function for key -1: on its first run, lets the writer churn other keys and waits until it
   * is done; returns {@code v + 1}. Other keys (which replaceAll may meet) keep their value.
   */
  private static Integer once(
      AtomicInteger runs, CountDownLatch running, CountDownLatch written, Integer k, Integer v) {
    if (k != -1) {
      return v;
    }
    if (runs.getAndIncrement() == 0) {
      running.countDown();
      await(written);
    }
    return v + 1;
  }

  private static void await(CountDownLatch latch) {
    try {
      latch.await();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError(e);
    }
  }

  /**
   * Adds CHURN other keys and removes all but KEPT (the table grows and shrinks); also snapshots a
   * HashTrieMap.
   */
  private static void churn(ConcurrentMap<Integer, Integer> m) {
    for (int i = 0; i < CHURN; i++) {
      m.put(i, i);
      if (m instanceof HashTrieMap && i % 1_000 == 0) {
        ((HashTrieMap<Integer, Integer>) m).snapshot();
      }
    }
    for (int i = KEPT; i < CHURN; i++) {
      m.remove(i);
    }
  }
}
