package dev.atoll.lock;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.atoll.testkit.Seeds;
import dev.atoll.testkit.Threads;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * {@link KeyLockMap#lockRequest}: the thread-less waiter behind the Kotlin {@code lock}, woken
 * (not handed the key) like a blocked thread, with bounded barging, FIFO among waiters and
 * cancellation that never leaves a key held. (The timeout turns a lost wake-up, which would hang,
 * into a failure.)
 */
@Timeout(120)
class LockRequestTest {
  /** Counts the runs of a wake-up action. */
  private static final class Wakes implements Runnable {
    final AtomicInteger runs = new AtomicInteger();

    @Override
    public void run() {
      runs.incrementAndGet();
    }
  }

  @Test
  void aFreeKeyIsTakenAtOnce() {
    LockMap<String, Integer> map = new LockMap<>();
    LockRequest<String, Integer> r = map.lockRequest("k");
    Entry<String, Integer> e = r.poll();
    assertNotNull(e);
    assertSame(e, r.poll()); // the same open entry again
    Wakes w = new Wakes();
    r.onReady(w);
    assertEquals(1, w.runs.get()); // nothing to wait for: runs at once
    assertNull(map.tryEntry("k"));
    e.set(7);
    r.cancel(); // after poll returned the entry: nothing happens
    assertEquals(7, e.get());
    e.close();
    assertEquals(7, map.get("k"));
    assertThrows(IllegalStateException.class, r::poll);
  }

  @Test
  void aWaitingRequestIsWokenWhenTheKeyIsReleasedAndTakesIt() {
    LockMap<String, Integer> map = new LockMap<>();
    Entry<String, Integer> holder = map.entry("k");
    LockRequest<String, Integer> r = map.lockRequest("k");
    assertNull(r.poll());
    Wakes w = new Wakes();
    r.onReady(w);
    assertEquals(0, w.runs.get());
    holder.close();
    assertEquals(1, w.runs.get());
    Entry<String, Integer> e = r.poll();
    assertNotNull(e);
    e.close();
    assertEquals(0, map.lockRecordCount());
  }

  /** A wake-up that comes between a poll and the registration of the action is not lost. */
  @Test
  void aWakeUpBeforeTheActionIsRegisteredRunsTheActionAtOnce() {
    LockMap<String, Integer> map = new LockMap<>();
    Entry<String, Integer> holder = map.entry("k");
    LockRequest<String, Integer> r = map.lockRequest("k");
    assertNull(r.poll());
    holder.close(); // wakes r, which has no action yet
    Wakes w = new Wakes();
    r.onReady(w);
    assertEquals(1, w.runs.get());
    Entry<String, Integer> e = r.poll();
    assertNotNull(e);
    e.close();
  }

  /**
   * The new behaviour against lockAsync: a woken request does not own the key yet, so a caller
   * that is not waiting may take it first (the request re-arms and is woken again by that caller's
   * release); once the request has waited more than 1 ms, releases hand the key to it directly.
   */
  @Test
  void aNewcomerMayOvertakeAWokenRequest() {
    LockMap<String, Integer> map = new LockMap<>();
    map.starvationNanos = Long.MAX_VALUE / 2; // never switch to hand-off in this test
    Entry<String, Integer> holder = map.entry("k");
    LockRequest<String, Integer> r = map.lockRequest("k");
    assertNull(r.poll());
    Wakes w = new Wakes();
    r.onReady(w);
    holder.close();
    assertEquals(1, w.runs.get());
    for (int i = 0; i < 3; i++) {
      Entry<String, Integer> newcomer = map.entry("k"); // barges: the request was only woken
      assertNull(r.poll()); // lost it: back to waiting, still first in the queue
      r.onReady(w);
      newcomer.close(); // wakes it again
      assertEquals(2 + i, w.runs.get());
    }
    Entry<String, Integer> e = r.poll();
    assertNotNull(e);
    e.close();
    assertEquals(0, map.lockRecordCount());
  }

  /** Once a request that lost the key has waited past the bound, releases hand the key to it. */
  @Test
  void aRequestThatWaitedPastTheBoundIsHandedTheKey() {
    LockMap<String, Integer> map = new LockMap<>();
    map.starvationNanos = 0; // any wait is past the bound
    Entry<String, Integer> holder = map.entry("k");
    LockRequest<String, Integer> r = map.lockRequest("k");
    assertNull(r.poll());
    Wakes w = new Wakes();
    r.onReady(w);
    holder.close(); // wakes it (the key stays free: the request has not lost it yet)
    Entry<String, Integer> newcomer = map.entry("k");
    assertNull(r.poll()); // lost after waiting past the bound: the key switches to hand-off
    r.onReady(w);
    newcomer.close(); // hands the key to the request directly
    assertEquals(2, w.runs.get());
    assertNull(map.tryEntry("k"));
    CompletableFutureProbe probe = new CompletableFutureProbe(map);
    assertFalse(probe.grantedAtOnce()); // a newcomer queues behind it now
    Entry<String, Integer> e = r.poll();
    assertNotNull(e);
    e.close();
    probe.closeWhenGranted();
    assertEquals(0, map.lockRecordCount());
  }

  /** A lockAsync newcomer, to see whether it was granted at once. */
  private static final class CompletableFutureProbe {
    final java.util.concurrent.CompletableFuture<Entry<String, Integer>> f;

    CompletableFutureProbe(LockMap<String, Integer> map) {
      f = map.lockAsync("k");
    }

    boolean grantedAtOnce() {
      return f.isDone();
    }

    void closeWhenGranted() {
      f.join().close();
    }
  }

  /** Requests and threads queued on one key are served in arrival order. */
  @Test
  void requestsAndThreadsAreServedInArrivalOrder() throws Exception {
    LockMap<String, Integer> map = new LockMap<>();
    Entry<String, Integer> holder = map.entry("k");
    List<String> order = java.util.Collections.synchronizedList(new ArrayList<>());
    LockRequest<String, Integer> first = map.lockRequest("k");
    assertNull(first.poll());
    Semaphore firstWoken = new Semaphore(0);
    first.onReady(firstWoken::release);
    Thread second = new Thread(() -> {
      Entry<String, Integer> e = map.entry("k");
      order.add("thread");
      e.close();
    });
    second.start();
    while (map.waiters("k") < 2) {
      Thread.onSpinWait(); // until the thread has queued behind the first request
    }
    LockRequest<String, Integer> third = map.lockRequest("k");
    assertNull(third.poll());
    Semaphore thirdWoken = new Semaphore(0);
    third.onReady(thirdWoken::release);
    holder.close();
    firstWoken.acquire();
    Entry<String, Integer> e1 = first.poll();
    assertNotNull(e1); // nobody else may take it: the others are queued behind it
    order.add("first");
    e1.close(); // wakes the thread, not the third request
    second.join();
    thirdWoken.acquire();
    Entry<String, Integer> e3 = third.poll();
    assertNotNull(e3);
    order.add("third");
    e3.close();
    assertEquals(List.of("first", "thread", "third"), order);
    assertEquals(0, map.lockRecordCount());
  }

  @Test
  void cancelLeavesTheQueueOrGivesBackAKeyGrantedMeanwhile() {
    LockMap<String, Integer> map = new LockMap<>();
    // waiting: leaves the queue, the action never runs
    Entry<String, Integer> holder = map.entry("k");
    LockRequest<String, Integer> waiting = map.lockRequest("k");
    assertNull(waiting.poll());
    Wakes w = new Wakes();
    waiting.onReady(w);
    waiting.cancel();
    waiting.cancel(); // again: nothing
    holder.close();
    assertEquals(0, w.runs.get());
    assertEquals(0, map.lockRecordCount());
    assertThrows(IllegalStateException.class, waiting::poll);
    assertThrows(IllegalStateException.class, () -> waiting.onReady(w));

    // woken but not polled: the signal passes on to the next waiter
    holder = map.entry("k");
    LockRequest<String, Integer> woken = map.lockRequest("k");
    LockRequest<String, Integer> next = map.lockRequest("k");
    assertNull(woken.poll());
    assertNull(next.poll());
    Wakes nextWakes = new Wakes();
    next.onReady(nextWakes);
    holder.close(); // wakes `woken`
    assertEquals(0, nextWakes.runs.get());
    woken.cancel();
    assertEquals(1, nextWakes.runs.get());
    Entry<String, Integer> e = next.poll();
    assertNotNull(e);
    e.close();

    // granted by a hand-off (after the starvation bound) but not polled: released again
    map.starvationNanos = 0;
    holder = map.entry("k");
    LockRequest<String, Integer> granted = map.lockRequest("k");
    assertNull(granted.poll());
    holder.close();
    holder = map.entry("k"); // overtakes the woken request
    assertNull(granted.poll()); // hand-off mode from now on
    holder.close(); // grants it
    assertNull(map.tryEntry("k"));
    granted.cancel();
    Entry<String, Integer> free = map.tryEntry("k");
    assertNotNull(free);
    free.close();
    assertEquals(0, map.lockRecordCount());
  }

  @Test
  void misuseIsRejected() {
    LockMap<String, Integer> map = new LockMap<>();
    assertThrows(NullPointerException.class, () -> map.lockRequest(null));
    Entry<String, Integer> holder = map.entry("k");
    LockRequest<String, Integer> r = map.lockRequest("k");
    assertNull(r.poll());
    assertThrows(NullPointerException.class, () -> r.onReady(null));
    r.onReady(() -> { });
    assertThrows(IllegalStateException.class, () -> r.onReady(() -> { })); // one pending action
    r.cancel();
    holder.close();
    // an entry that did not come from lockRequest is not a request
    try (Entry<String, Integer> e = map.entry("x")) {
      assertThrows(IllegalStateException.class, () -> ((LockRequest<?, ?>) e).poll());
    }
    assertEquals(0, map.lockRecordCount());
  }

  /**
   * Threads that drive requests like an event loop (poll; wait for the action; poll again), some
   * of them cancelled at random moments, mixed with blocking threads on the same few keys: plain
   * counters stay exact, and afterwards no key is held and no record is left.
   */
  @Test
  void requestsAndThreadsKeepPlainCountersExactUnderCancellation() {
    long seed = Seeds.next();
    for (boolean lru : new boolean[] {false, true}) {
      KeyLockMap<Integer, Integer> map = lru ? new LruLockMap<>(64, 2) : new LockMap<>(2);
      int keys = 4;
      int threads = 4;
      int ops = 10_000;
      long[] plain = new long[keys];
      long[] counted = new long[threads];
      Threads.run(threads, t -> {
        SplittableRandom rnd = new SplittableRandom(seed + t);
        Semaphore woken = new Semaphore(0);
        for (int i = 0; i < ops; i++) {
          int k = rnd.nextInt(keys);
          if (t % 2 == 0) {
            Entry<Integer, Integer> held = map.entry(k);
            plain[k]++;
            counted[t]++;
            held.close();
            continue;
          }
          LockRequest<Integer, Integer> r = map.lockRequest(k);
          boolean cancel = rnd.nextInt(4) == 0;
          Entry<Integer, Integer> e;
          while ((e = r.poll()) == null) {
            if (cancel && rnd.nextBoolean()) {
              break;
            }
            r.onReady(woken::release);
            woken.acquireUninterruptibly();
          }
          if (e == null) {
            r.cancel(); // may race with a grant: then the key is given back
            woken.drainPermits(); // a wake-up that raced with the cancel
            continue;
          }
          plain[k]++;
          counted[t]++;
          if (cancel) {
            r.cancel(); // after poll returned the entry: no effect
          }
          e.close();
        }
      });
      long total = 0;
      for (long c : counted) {
        total += c;
      }
      long sum = 0;
      for (long p : plain) {
        sum += p;
      }
      assertEquals(total, sum, Seeds.describe(seed));
      for (int k = 0; k < keys; k++) {
        Entry<Integer, Integer> e = map.tryEntry(k);
        assertNotNull(e, "key " + k + " left held; " + Seeds.describe(seed));
        e.close();
      }
      assertTrue(map.isEmpty());
      assertEquals(0, ((AbstractLockMap<?, ?>) map).lockRecordCount(), Seeds.describe(seed));
    }
  }
}
