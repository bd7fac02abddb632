package dev.atoll.map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.util.Iterator;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Test support for races between ProbingHashMap's resize copies and writes: settling a resize,
 * reading raw value slots, starting a shrink before anything is copied, and a copier stalled by
 * the package-private copy hook (used by ProbingHashMapLateCopyTest and
 * ProbingHashMapClearingRemovalTest).
 */
final class ProbingCopyRaces {
  private ProbingCopyRaces() {}

  /** Finishes any resize under way (an iterator starts on a settled table). */
  static void settle(ProbingHashMap<Object, Object> m) {
    m.keySet().iterator();
  }

  /** The number of keys an iteration returns. */
  static int countByIteration(ProbingHashMap<Object, Object> m) {
    int n = 0;
    for (Iterator<Object> it = m.keySet().iterator(); it.hasNext(); it.next()) {
      n++;
    }
    return n;
  }

  /** The raw value slot of {@code key} in {@code t} (a sentinel, a Prime, null or the value). */
  static Object rawValue(ProbingHashMap.Table t, Object key) {
    Object[] kvs = t.kvs;
    for (int i = 0; i < kvs.length; i += 2) {
      if (key.equals(kvs[i])) {
        return kvs[i + 1];
      }
    }
    fail("key " + key + " has no slot in the table");
    return null;
  }

  /**
   * Removes the plain keys {@code 0..plain-1} (all but {@code keep}) that do not check for
   * shrinking until the table is sparse, then one that does: the shrink's resize starts and
   * nothing is copied yet. Returns the new table.
   */
  static ProbingHashMap.Table startShrink(ProbingHashMap<Object, Object> m, ProbingHashMap.Table t0, Object keep, long plain) {
    Long trigger = null;
    for (long i = 0; i < plain; i++) {
      if (keep.equals(i)) {
        continue;
      }
      if ((m.hash(i) & 15) == 0) {
        if (trigger == null) {
          trigger = i;
        }
      } else if ((long) m.size() * 8 >= t0.length) {
        m.remove(i);
      }
    }
    assertNotNull(trigger);
    assertTrue((long) m.size() * 8 < t0.length);
    assertNull(t0.next, "no resize before the trigger");
    m.remove(trigger);
    ProbingHashMap.Table t1 = t0.next;
    assertNotNull(t1, "the sampled removal started a shrink");
    assertSame(t0, m.topTable());
    return t1;
  }

  /**
   * A thread running a conditional removal of a key that does not match: it copies the key's
   * place first and stalls in the copy hook right before writing the copy into the next table.
   * {@link #close()} lets it go and waits for it.
   */
  static final class StalledCopier implements AutoCloseable {
    private final ProbingHashMap<Object, Object> map;
    private final Thread thread;
    private final CountDownLatch go = new CountDownLatch(1);
    private final AtomicReference<Object> result = new AtomicReference<>();
    private final AtomicReference<Throwable> error = new AtomicReference<>();

    private StalledCopier(ProbingHashMap<Object, Object> map, Object key) throws InterruptedException {
      this.map = map;
      CountDownLatch primed = new CountDownLatch(1);
      AtomicBoolean stalled = new AtomicBoolean();
      thread = new Thread(() -> {
        try {
          result.set(map.remove(key, "no such value"));
        } catch (Throwable e) {
          error.set(e);
        } finally {
          primed.countDown(); // also when the hook was never reached, so that the test cannot hang
        }
      });
      map.copyHook = k -> {
        if (Thread.currentThread() == thread && k.equals(key) && stalled.compareAndSet(false, true)) {
          primed.countDown();
          try {
            go.await();
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
          }
        }
      };
      thread.start();
      primed.await();
      if (!stalled.get()) {
        thread.join();
        map.copyHook = null;
        fail("the copier did not stall in its copy of " + key);
      }
    }

    /** Starts the copier and returns once it is stalled in its copy of {@code key}. */
    static StalledCopier start(ProbingHashMap<Object, Object> map, Object key) throws InterruptedException {
      return new StalledCopier(map, key);
    }

    /** Lets the copier finish, waits for it and removes the hook. */
    @Override
    public void close() {
      go.countDown();
      try {
        thread.join();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new AssertionError("interrupted while waiting for the copier", e);
      } finally {
        map.copyHook = null;
      }
    }

    /** After {@link #close()}: the copier's removal ran without error and found no match. */
    void assertFinishedWithoutMatch() {
      assertNull(error.get());
      assertEquals(Boolean.FALSE, result.get());
    }
  }
}
