package dev.atoll.samples;

import dev.atoll.leftright.LeftRightMap;
import dev.atoll.leftright.ReadHandle;
import dev.atoll.leftright.WriteHandle;
import dev.atoll.lock.BatchEntry;
import dev.atoll.lock.Entry;
import dev.atoll.lock.LockMap;
import dev.atoll.lock.LruLockMap;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.atomic.AtomicLong;

/** The tour's second half: the left-right map, the per-key locks and the LRU lock map. */
final class TourLocksAndReplicas {
  private TourLocksAndReplicas() {}

  static void run(List<Tour.Line> lines) throws InterruptedException {
    leftRight();
    locks();
    batchLocks();
    lru();
  }

  /**
   * A writer publishes 2,000 batches, each setting all 100 keys to the batch number; a reader on
   * another thread checks in each state it sees that all keys agree (no half-applied batch).
   */
  private static void leftRight() throws InterruptedException {
    LeftRightMap<Integer, Long, String> map = LeftRightMap.create();
    WriteHandle<Integer, Long, String> w = map.writer();
    for (int k = 0; k < 100; k++) {
      w.update(k, 0L);
    }
    w.publish();
    AtomicLong reads = new AtomicLong();
    AtomicLong torn = new AtomicLong();
    Thread reader = new Thread(() -> {
      try (ReadHandle<Integer, Long, String> r = map.readers().handle()) {
        while (r.publishCount() < 2_001) {
          try (var state = r.enter()) {
            long first = state.getOne(0);
            for (int k = 1; k < 100; k++) {
              if (state.getOne(k) != first) {
                torn.incrementAndGet();
              }
            }
          }
          reads.addAndGet(100);
        }
      }
    });
    long start = System.nanoTime();
    reader.start();
    for (long batch = 1; batch <= 2_000; batch++) {
      for (int k = 0; k < 100; k++) {
        w.update(k, batch);
      }
      w.publish();
    }
    reader.join();
    double seconds = (System.nanoTime() - start) / 1e9;
    Tour.record("LeftRightMap", "2,000 publishes of 100 keys while a reader reads whole states",
        torn.get() == 0 ? "no half-applied batch seen" : "TORN BATCHES: " + torn.get(), reads.get() / seconds);
    w.close();
  }

  /** Two threads increment 64 counters non-atomically, each inside the counter's per-key lock. */
  private static void locks() throws InterruptedException {
    LockMap<Integer, Long> counters = new LockMap<>();
    Runnable work = () -> {
      for (int i = 0; i < 100_000; i++) {
        try (Entry<Integer, Long> e = counters.entry(i & 63)) {
          Long v = e.get();
          e.set(v == null ? 1 : v + 1);
        }
      }
    };
    double seconds = twoThreads(work);
    long total = counters.values().stream().mapToLong(Long::longValue).sum();
    Tour.record("LockMap.entry", "2 threads x 100,000 locked read-modify-writes on 64 keys",
        "total " + String.format(Locale.ROOT, "%,d", total) + (total == 200_000 ? " (exact)" : " (WRONG)"),
        200_000 / seconds);
  }

  /** Opposite transfers between 10 accounts under the batch lock: no deadlock, money conserved. */
  private static void batchLocks() throws InterruptedException {
    LockMap<Integer, Long> accounts = new LockMap<>();
    for (int a = 0; a < 10; a++) {
      accounts.put(a, 1_000L);
    }
    Thread[] threads = new Thread[2];
    long start = System.nanoTime();
    for (int t = 0; t < 2; t++) {
      int dir = t;
      threads[t] = new Thread(() -> {
        for (int i = 0; i < 20_000; i++) {
          int a = i % 10;
          int b = (i * 7 + 3) % 10 == a ? (a + 1) % 10 : (i * 7 + 3) % 10;
          int from = dir == 0 ? a : b;
          int to = dir == 0 ? b : a; // the other thread transfers the opposite way
          try (BatchEntry<Integer, Long> batch = accounts.batchLock(List.of(from, to))) {
            batch.entry(from).set(batch.entry(from).get() - 1);
            batch.entry(to).set(batch.entry(to).get() + 1);
          }
        }
      });
      threads[t].start();
    }
    for (Thread t : threads) {
      t.join();
    }
    double seconds = (System.nanoTime() - start) / 1e9;
    long total = accounts.values().stream().mapToLong(Long::longValue).sum();
    Tour.record("LockMap.batchLock", "2 threads x 20,000 opposite two-account transfers",
        "no deadlock; total " + total + (total == 10_000 ? " (conserved)" : " (WRONG)"), 40_000 / seconds);
  }

  /** An LRU lock map of capacity 1,000 takes 10,000 keys and keeps the 1,000 most recent. */
  private static void lru() throws InterruptedException {
    LruLockMap<Integer, Integer> cache = new LruLockMap<>(1_000);
    for (int k = 0; k < 10_000; k++) {
      cache.put(k, k);
    }
    boolean recentKept = cache.containsKey(9_999) && !cache.containsKey(0);
    int size = cache.size();
    double seconds = twoThreads(() -> {
      for (int i = 0; i < 200_000; i++) {
        cache.get(9_000 + (i % 1_000));
      }
    });
    Tour.record("LruLockMap", "10,000 puts into capacity 1,000, then 2 threads x 200,000 gets",
        "size " + size + (size <= 1_000 && recentKept ? ", newest kept, oldest evicted" : " (WRONG)"),
        400_000 / seconds);
  }

  private static double twoThreads(Runnable work) throws InterruptedException {
    Thread a = new Thread(work);
    Thread b = new Thread(work);
    long start = System.nanoTime();
    a.start();
    b.start();
    a.join();
    b.join();
    return (System.nanoTime() - start) / 1e9;
  }
}
