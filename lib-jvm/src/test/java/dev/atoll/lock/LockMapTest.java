package dev.atoll.lock;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.atoll.testkit.CollidingKey;
import dev.atoll.testkit.Seeds;
import dev.atoll.testkit.Threads;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.IntFunction;
import org.junit.jupiter.api.Test;

/** The per-key locking of {@link LockMap}: exclusion, FIFO, cleanup, errors, batches, async. */
class LockMapTest {
  /** Non-atomic counters updated inside the key lock stay exact. */
  @Test
  void mutualExclusionKeepsPlainCountersExact() {
    long seed = Seeds.next();
    LockMap<Integer, Integer> map = new LockMap<>(4);
    int keys = 16;
    int threads = 4;
    int ops = 20_000;
    long[] plain = new long[keys];
    Threads.run(threads, t -> {
      SplittableRandom rnd = new SplittableRandom(seed + t);
      for (int i = 0; i < ops; i++) {
        int k = rnd.nextInt(keys);
        switch (rnd.nextInt(3)) {
          case 0:
            try (Entry<Integer, Integer> e = map.entry(k)) {
              plain[k]++;
              Integer v = e.get();
              e.set(v == null ? 1 : v + 1);
            }
            break;
          case 1:
            map.merge(k, 1, Integer::sum); // counted by the value only
            break;
          default:
            Entry<Integer, Integer> e = map.tryEntry(k, 1, TimeUnit.MINUTES);
            try {
              plain[k]++;
              e.set(e.isPresent() ? e.get() + 1 : 1);
            } finally {
              e.close();
            }
        }
      }
    });
    long total = 0;
    long plainTotal = 0;
    for (int k = 0; k < keys; k++) {
      total += map.getOrDefault(k, 0);
      plainTotal += plain[k];
    }
    assertEquals((long) threads * ops, total, Seeds.describe(seed));
    long expectedPlain = 0;
    for (int t = 0; t < threads; t++) {
      SplittableRandom rnd = new SplittableRandom(seed + t);
      for (int i = 0; i < ops; i++) {
        rnd.nextInt(keys);
        if (rnd.nextInt(3) != 1) {
          expectedPlain++;
        }
      }
    }
    assertEquals(expectedPlain, plainTotal, "a plain counter lost an update: " + Seeds.describe(seed));
  }

  /**
   * Waiters (threads and async requests, mixed) get the key in arrival order: FIFO among waiters,
   * which is what the barging policy keeps (only a caller that is not queued yet may overtake).
   */
  @Test
  void handOffIsFifoAcrossThreadsAndAsyncWaiters() throws Exception {
    LockMap<String, Integer> map = new LockMap<>();
    List<Integer> order = Collections.synchronizedList(new ArrayList<>());
    Entry<String, Integer> first = map.entry("k");
    List<Thread> threads = new ArrayList<>();
    List<CompletableFuture<Void>> asyncs = new ArrayList<>();
    int n = 12;
    for (int i = 0; i < n; i++) {
      int id = i;
      if (i % 3 == 2) {
        asyncs.add(map.lockAsync("k").thenAccept(e -> {
          order.add(id);
          e.close();
        }));
      } else {
        Thread t = new Thread(() -> {
          try (Entry<String, Integer> e = map.entry("k")) {
            order.add(id);
            e.set(id);
          }
        });
        t.start();
        threads.add(t);
      }
      while (map.waiters("k") != i + 1) {
        Thread.onSpinWait();
      }
    }
    // tryEntry never takes a key that has waiters, and no waiter overtakes an earlier one
    assertNull(map.tryEntry("k"));
    first.close();
    for (Thread t : threads) {
      t.join();
    }
    for (CompletableFuture<Void> f : asyncs) {
      f.get();
    }
    List<Integer> expected = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      expected.add(i);
    }
    assertEquals(expected, order);
    assertEquals(1, map.lockRecordCount(), "the key keeps its value only");
  }

  /**
   * More keys than one shard has fast-path cells: keys that share a cell move between the
   * lock-free cells and the shard's table while other threads lock them; exclusion, values and
   * cleanup stay exact.
   */
  @Test
  void keysSharingFastCellsStayExclusiveAndLeaveNoTrace() throws Exception {
    LockMap<Integer, Integer> map = new LockMap<>(1);
    int keys = 200;
    List<Entry<Integer, Integer>> held = new ArrayList<>();
    for (int k = 0; k < keys; k++) {
      held.add(map.entry(k));
    }
    assertEquals(keys, map.lockRecordCount());
    AtomicInteger free = new AtomicInteger();
    Thread other = new Thread(() -> {
      for (int k = 0; k < keys; k++) {
        if (map.tryEntry(k) != null) {
          free.incrementAndGet();
        }
      }
    });
    other.start();
    other.join();
    assertEquals(0, free.get(), "a held key was free");
    for (int k = 0; k < keys; k += 2) {
      held.get(k).set(k);
    }
    for (Entry<Integer, Integer> e : held) {
      e.close();
    }
    assertEquals(keys / 2, map.lockRecordCount());
    assertEquals(keys / 2, map.size());
    for (int k = 0; k < keys; k += 2) {
      assertEquals(k, map.remove(k));
    }
    assertEquals(0, map.lockRecordCount());

    long seed = Seeds.next();
    long[] plain = new long[keys];
    Threads.run(4, t -> {
      SplittableRandom rnd = new SplittableRandom(seed + t);
      for (int i = 0; i < 20_000; i++) {
        int k = rnd.nextInt(keys);
        try (Entry<Integer, Integer> e = map.entry(k)) {
          plain[k]++;
          if (rnd.nextInt(8) == 0) {
            e.set(1);
          } else if (rnd.nextInt(4) == 0) {
            e.remove();
          }
        }
      }
    });
    assertEquals(4L * 20_000, java.util.Arrays.stream(plain).sum(), Seeds.describe(seed));
    assertEquals(map.size(), map.lockRecordCount(), Seeds.describe(seed));
    map.clear();
    assertEquals(0, map.lockRecordCount(), Seeds.describe(seed));
  }

  /**
   * Barging is bounded: threads and coroutines that wait for a key all get it although another
   * thread relocks the key in a tight loop the whole time (it must finish; no timing assertions).
   */
  @Test
  void waitersAreNotStarvedByAThreadThatRelocksInALoop() throws Exception {
    for (boolean withValue : new boolean[] {false, true}) {
      LockMap<String, Integer> map = new LockMap<>();
      AtomicBoolean done = new AtomicBoolean();
      CountDownLatch looping = new CountDownLatch(1);
      Thread greedy = new Thread(() -> {
        int n = 0;
        while (!done.get()) {
          try (Entry<String, Integer> e = map.entry("k")) {
            if (withValue) {
              e.set(n++);
            }
          }
          looping.countDown();
        }
      });
      greedy.start();
      looping.await();
      int rounds = 50;
      AtomicInteger taken = new AtomicInteger();
      List<CompletableFuture<Void>> asyncs = new ArrayList<>();
      for (int i = 0; i < rounds; i++) {
        asyncs.add(map.lockAsync("k").thenAccept(e -> {
          taken.incrementAndGet();
          e.close();
        }));
      }
      Threads.run(2, t -> {
        for (int i = 0; i < rounds; i++) {
          map.entry("k").close();
          taken.incrementAndGet();
        }
      });
      for (CompletableFuture<Void> f : asyncs) {
        f.get();
      }
      done.set(true);
      greedy.join();
      assertEquals(3 * rounds, taken.get());
      assertEquals(withValue ? 1 : 0, map.lockRecordCount());
    }
  }

  /**
   * Keys whose record is published in their cell (a value, waiters) are locked and released
   * lock-free on the record's lock word by threads, while other callers queue, lock them
   * asynchronously or with tryEntry, and map operations remove and re-add the value (so the record
   * is retired and created again): plain counters stay exact and no record is left.
   */
  @Test
  void publishedRecordsStayExclusiveWhileRetiredAndRecreated() {
    long seed = Seeds.next();
    LockMap<Integer, Integer> map = new LockMap<>(1);
    int threads = 4;
    int ops = 20_000;
    long[] plain = new long[3];
    long[] counted = new long[threads];
    Threads.run(threads, t -> {
      SplittableRandom rnd = new SplittableRandom(seed + t);
      for (int i = 0; i < ops; i++) {
        int k = rnd.nextInt(plain.length);
        switch (rnd.nextInt(5)) {
          case 0:
          case 1:
            try (Entry<Integer, Integer> e = map.entry(k)) {
              plain[k]++;
              counted[t]++;
              if (rnd.nextInt(4) == 0) {
                e.remove();
              } else {
                e.set(i);
              }
            }
            break;
          case 2:
            if (rnd.nextBoolean()) {
              map.put(k, i);
            } else {
              map.remove(k);
            }
            break;
          case 3:
            Entry<Integer, Integer> a = map.lockAsync(k).join();
            try {
              plain[k]++;
              counted[t]++;
            } finally {
              a.close();
            }
            break;
          default:
            Entry<Integer, Integer> e = map.tryEntry(k);
            if (e != null) {
              plain[k]++;
              counted[t]++;
              e.close();
            }
        }
      }
    });
    long expected = 0;
    for (long c : counted) {
      expected += c;
    }
    assertEquals(expected, plain[0] + plain[1] + plain[2], "a plain counter lost an update: " + Seeds.describe(seed));
    for (int k = 0; k < plain.length; k++) {
      map.remove(k);
    }
    assertEquals(0, map.lockRecordCount(), Seeds.describe(seed));
  }

  @Test
  void absentKeysCanBeLockedAndLeaveNoTrace() throws Exception {
    LockMap<String, String> map = new LockMap<>();
    try (Entry<String, String> e = map.entry("ghost")) {
      assertEquals("ghost", e.key());
      assertFalse(e.isPresent());
      assertNull(e.get());
      assertEquals(1, map.lockRecordCount());
      assertTrue(map.isEmpty());
      AtomicReference<Entry<String, String>> other = new AtomicReference<>();
      Thread t = new Thread(() -> other.set(map.tryEntry("ghost")));
      t.start();
      t.join();
      assertNull(other.get(), "absent key must be locked");
      assertTrue(e.insert("boo"));
      assertFalse(e.insert("again"));
      assertEquals("boo", e.remove());
      assertNull(e.remove());
    }
    assertEquals(0, map.lockRecordCount());
    assertTrue(map.isEmpty());
  }

  @Test
  void lockRecordsDisappearAfterAMillionDistinctKeys() {
    LockMap<Integer, Integer> map = new LockMap<>();
    for (int i = 0; i < 1_000_000; i++) {
      try (Entry<Integer, Integer> e = map.entry(i)) {
        if (i % 2 == 0) {
          e.set(i);
          e.remove();
        }
      }
    }
    assertEquals(0, map.lockRecordCount());
    assertTrue(map.isEmpty());
  }

  @Test
  void noPoisoningAfterAnExceptionInsideTheLock() {
    LockMap<String, Integer> map = new LockMap<>();
    assertThrows(IllegalStateException.class, () -> {
      try (Entry<String, Integer> e = map.entry("k")) {
        e.set(1);
        throw new IllegalStateException("boom");
      }
    });
    try (Entry<String, Integer> e = map.tryEntry("k")) {
      assertNotNull(e, "released despite the exception");
      assertEquals(1, e.get(), "value as last set, not poisoned");
    }
  }

  @Test
  void closedEntryAndWrongThreadAreRejected() throws Exception {
    LockMap<String, Integer> map = new LockMap<>();
    Entry<String, Integer> e = map.entry("k");
    AtomicReference<Throwable> fromOther = new AtomicReference<>();
    Thread t = new Thread(() -> {
      try {
        e.close();
      } catch (Throwable x) {
        fromOther.set(x);
      }
    });
    t.start();
    t.join();
    assertTrue(fromOther.get() instanceof IllegalStateException, String.valueOf(fromOther.get()));
    e.set(3);
    e.close();
    assertThrows(IllegalStateException.class, e::close);
    assertThrows(IllegalStateException.class, e::get);
    assertThrows(IllegalStateException.class, () -> e.set(4));
    assertThrows(IllegalStateException.class, e::remove);
    assertEquals(3, map.get("k"));
    // async entries belong to no thread: close from another one is fine, twice is not
    Entry<String, Integer> a = map.lockAsync("k").get();
    Thread t2 = new Thread(a::close);
    t2.start();
    t2.join();
    assertThrows(IllegalStateException.class, a::close);
    assertEquals(1, map.lockRecordCount());
  }

  @Test
  void selfDeadlockIsAnIllegalStateException() {
    LockMap<String, Integer> map = new LockMap<>();
    try (Entry<String, Integer> e = map.entry("k")) {
      assertThrows(IllegalStateException.class, () -> map.entry("k"));
      assertThrows(IllegalStateException.class, () -> map.entryInterruptibly("k"));
      assertThrows(IllegalStateException.class, () -> map.tryEntry("k", 1, TimeUnit.SECONDS));
      assertThrows(IllegalStateException.class, () -> map.put("k", 1));
      assertThrows(IllegalStateException.class, () -> map.batchLock(List.of("a", "k")));
      assertNull(map.tryEntry("k"));
      e.set(5);
    }
    assertEquals(5, map.get("k"));
    assertEquals(1, map.lockRecordCount(), "failed batch released a and its reservation");
  }

  @Test
  void holdingOneKeyNeverBlocksOthersInTheSameShard() {
    LockMap<Integer, Integer> map = new LockMap<>(1);
    try (Entry<Integer, Integer> e = map.entry(1)) {
      e.set(1);
      Threads.run(2, t -> {
        for (int i = 2; i < 1000; i++) {
          map.put(i * 2 + t, i);
          map.compute(i * 2 + t, (k, v) -> v + 1);
        }
      });
      assertEquals(1 + 2 * 998, map.size());
    }
  }

  // ------------------------------------------------------------------ batches

  @Test
  void tenThousandOverlappingBatchesFinishIntegerKeys() {
    overlappingBatches(i -> i);
  }

  @Test
  void tenThousandOverlappingBatchesFinishEqualHashOpaqueKeys() {
    overlappingBatches(i -> new CollidingKey.Opaque(i));
  }

  @Test
  void tenThousandOverlappingBatchesFinishMixedKeyClasses() {
    overlappingBatches(i -> i % 3 == 0 ? (Object) ("s" + i) : i % 3 == 1 ? (Object) i : new CollidingKey.Opaque(i));
  }

  private static void overlappingBatches(IntFunction<Object> key) {
    overlappingBatches(key, 4, 2_500);
  }

  /** {@code threads} threads each lock {@code batches} random batches of up to six of 24 keys. */
  static void overlappingBatches(IntFunction<Object> key, int threads, int batches) {
    long seed = Seeds.next();
    LockMap<Object, Integer> map = new LockMap<>(2);
    int keys = 24;
    long[] plain = new long[keys];
    Threads.run(threads, t -> {
      SplittableRandom rnd = new SplittableRandom(seed + t);
      for (int b = 0; b < batches; b++) {
        int size = 1 + rnd.nextInt(6);
        List<Object> ks = new ArrayList<>();
        List<Integer> ids = new ArrayList<>();
        for (int i = 0; i < size; i++) {
          int id = rnd.nextInt(keys);
          ks.add(key.apply(id));
          ids.add(id);
        }
        try (BatchEntry<Object, Integer> batch = map.batchLock(ks)) {
          for (int id : new java.util.HashSet<>(ids)) {
            plain[id]++;
            Entry<Object, Integer> e = batch.entry(key.apply(id));
            e.set(e.isPresent() ? e.get() + 1 : 1);
          }
          assertEquals(new java.util.HashSet<>(ks), batch.keys());
          assertThrows(IllegalStateException.class, () -> batch.entries().iterator().next().close());
        }
      }
    });
    long total = 0;
    for (int id = 0; id < keys; id++) {
      assertEquals(plain[id], (long) map.getOrDefault(key.apply(id), 0), Seeds.describe(seed));
      total += plain[id];
    }
    assertTrue(total > 0);
    assertEquals(map.size(), map.lockRecordCount(), "only keys with values keep a record");
  }

  @Test
  void batchTimeoutAndInterruptReleaseEverything() throws Exception {
    LockMap<String, Integer> map = new LockMap<>(1, String::compareTo);
    Entry<String, Integer> held = map.lockAsync("b").join(); // held by no thread of this test
    // a, b, c in comparator order: a is taken, then b times out; a must be released again
    assertNull(map.tryBatchLock(List.of("c", "b", "a"), 20, TimeUnit.MILLISECONDS));
    assertEquals(1, map.lockRecordCount());
    AtomicReference<Throwable> failure = new AtomicReference<>();
    Thread t = new Thread(() -> {
      try {
        map.tryBatchLock(List.of("a", "b", "c"), 1, TimeUnit.DAYS);
        failure.set(new AssertionError("batch acquired a held key"));
      } catch (Throwable x) {
        failure.set(x);
      }
    });
    t.start();
    while (map.waiters("b") != 1) {
      Thread.onSpinWait();
    }
    assertNull(map.tryEntry("a"), "a is held by the waiting batch");
    t.interrupt();
    t.join();
    assertTrue(failure.get() instanceof InterruptedException, String.valueOf(failure.get()));
    assertEquals(0, map.waiters("b"));
    held.close();
    assertEquals(0, map.lockRecordCount());
    try (BatchEntry<String, Integer> all = map.batchLock(List.of("c", "a", "b", "a"))) {
      assertEquals(List.of("a", "b", "c"), new ArrayList<>(all.keys()));
      assertThrows(IllegalArgumentException.class, () -> all.entry("zz"));
    }
    assertEquals(0, map.lockRecordCount());
  }

  @Test
  void singleKeyTimeoutAndInterruptLeaveNoWaiter() throws Exception {
    LockMap<String, Integer> map = new LockMap<>();
    Entry<String, Integer> held = map.entry("k");
    Thread timed = new Thread(() -> {
      try {
        assertNull(map.tryEntry("k", 10, TimeUnit.MILLISECONDS));
      } catch (InterruptedException e) {
        throw new AssertionError(e);
      }
    });
    timed.start();
    timed.join();
    AtomicReference<Throwable> failure = new AtomicReference<>();
    Thread waiting = new Thread(() -> {
      try {
        map.entryInterruptibly("k").close();
      } catch (Throwable x) {
        failure.set(x);
      }
    });
    waiting.start();
    while (map.waiters("k") != 1) {
      Thread.onSpinWait();
    }
    waiting.interrupt();
    waiting.join();
    assertTrue(failure.get() instanceof InterruptedException, String.valueOf(failure.get()));
    assertEquals(0, map.waiters("k"));
    // entry() is not interruptible: it keeps waiting and restores the interrupt flag
    AtomicReference<Boolean> flag = new AtomicReference<>();
    Thread stubborn = new Thread(() -> {
      map.entry("k").close();
      flag.set(Thread.currentThread().isInterrupted());
    });
    stubborn.start();
    while (map.waiters("k") != 1) {
      Thread.onSpinWait();
    }
    stubborn.interrupt();
    held.close();
    stubborn.join();
    assertEquals(Boolean.TRUE, flag.get());
    assertEquals(0, map.lockRecordCount());
  }

  // ------------------------------------------------------------------ async

  @Test
  void cancelledAsyncWaiterLeavesTheQueueAndGrantRacesRelease() throws Exception {
    LockMap<String, Integer> map = new LockMap<>();
    Entry<String, Integer> held = map.entry("k");
    CompletableFuture<Entry<String, Integer>> f = map.lockAsync("k");
    assertFalse(f.isDone());
    assertTrue(f.cancel(false));
    assertEquals(0, map.waiters("k"));
    CompletableFuture<Entry<String, Integer>> g = map.lockAsync("k").orTimeout(5, TimeUnit.MILLISECONDS);
    assertThrows(Exception.class, g::join);
    while (map.waiters("k") != 0) { // the timer thread withdraws right after completing the future
      Thread.onSpinWait();
    }
    held.close();
    assertEquals(0, map.lockRecordCount());
    CompletableFuture<Entry<String, Integer>> now = map.lockAsync("k");
    assertTrue(now.isDone());
    assertFalse(now.cancel(false), "a granted request cannot be cancelled: its owner closes it");
    assertThrows(UnsupportedOperationException.class, () -> now.complete(null));
    now.join().close();
    assertEquals(0, map.lockRecordCount());

    // storm: holders release while other threads cancel pending requests
    long seed = Seeds.next();
    ConcurrentLinkedQueue<CompletableFuture<Entry<String, Integer>>> pending = new ConcurrentLinkedQueue<>();
    Threads.run(4, t -> {
      SplittableRandom rnd = new SplittableRandom(seed + t);
      for (int i = 0; i < 20_000; i++) {
        String key = "k" + rnd.nextInt(4);
        if (t < 2) {
          CompletableFuture<Entry<String, Integer>> r = map.lockAsync(key);
          r.thenAccept(e -> {
            if (java.util.concurrent.ThreadLocalRandom.current().nextBoolean()) {
              e.close();
            } else {
              pending.add(CompletableFuture.completedFuture(e));
            }
          });
          pending.add(r);
        } else {
          CompletableFuture<Entry<String, Integer>> r = pending.poll();
          if (r != null && !r.cancel(false)) {
            Entry<String, Integer> e = r.getNow(null);
            if (e != null) {
              try {
                e.close();
              } catch (IllegalStateException alreadyClosed) {
                // closed by its callback
              }
            }
          }
        }
      }
    });
    for (CompletableFuture<Entry<String, Integer>> r; (r = pending.poll()) != null; ) {
      if (!r.cancel(false)) {
        try {
          r.join().close();
        } catch (IllegalStateException alreadyDoneOrCancelled) {
          // closed by its callback or cancelled
        }
      }
    }
    // whatever is still queued behind a never-closed entry was cancelled or closed above
    assertEquals(0, map.lockRecordCount(), Seeds.describe(seed));
  }

  @Test
  void asyncBatchCancelledMidwayReleasesWhatItHad() throws Exception {
    LockMap<String, Integer> map = new LockMap<>(1, String::compareTo);
    Entry<String, Integer> held = map.entry("b");
    CompletableFuture<BatchEntry<String, Integer>> f = map.batchLockAsync(List.of("c", "a", "b"));
    assertFalse(f.isDone());
    assertNull(map.tryEntry("a"), "a is taken by the batch");
    assertEquals(1, map.waiters("b"));
    assertTrue(f.cancel(false));
    assertEquals(0, map.waiters("b"));
    held.close();
    assertEquals(0, map.lockRecordCount());

    CountDownLatch done = new CountDownLatch(1);
    Entry<String, Integer> c = map.entry("c");
    map.batchLockAsync(List.of("a", "b", "c")).thenAccept(b -> {
      b.entry("a").set(1);
      b.close();
      done.countDown();
    });
    c.close();
    done.await();
    assertEquals(1, map.get("a"));
    assertEquals(1, map.lockRecordCount());
  }
}
