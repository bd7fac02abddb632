package dev.atoll.map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.atoll.testkit.CollidingKey;
import java.util.Iterator;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/**
 * A resize copy that stalls after freezing its source and resumes after the key was copied by
 * another thread, removed in the next table, and that table started its own resize (which purges
 * the removal's tombstone). The stalled copy must not put the removed value back. The stall is
 * made deterministic by the package-private copy hook.
 */
class ProbingHashMapLateCopyTest {

  /** The key sits in a slot: the stalled copier primed it. */
  @Test
  void lateSlotCopyAfterNestedResize() throws InterruptedException {
    lateCopy(false);
  }

  /** The key sits in the overflow: the stalled copier froze it and copies its entries one by one. */
  @Test
  void lateOverflowCopyAfterNestedResize() throws InterruptedException {
    lateCopy(true);
  }

  private static void lateCopy(boolean colliding) throws InterruptedException {
    ProbingHashMap<Object, Object> m = new ProbingHashMap<>(0, 0x5eed);
    int plain = 3_000;
    for (long i = 0; i < plain; i++) {
      m.put(i, "v" + i);
    }
    if (colliding) {
      for (int i = 0; i < 100; i++) {
        m.put(new CollidingKey(i), "c" + i);
      }
    }
    settle(m);
    ProbingHashMap.Table t0 = m.topTable();
    assertNull(t0.next);

    // the key whose copy will stall: a plain key in a slot, or an equal-hash key in the overflow
    Object key = null;
    ProbingHashMap.Overflow ov = (ProbingHashMap.Overflow) t0.overflow;
    if (colliding) {
      assertNotNull(ov, "equal-hash keys overflowed");
      for (int i = 0; i < 100 && key == null; i++) {
        CollidingKey c = new CollidingKey(i);
        if (ov.get(c, m.hash(c)) != null) {
          key = c;
        }
      }
    } else {
      for (long i = 0; i < plain && key == null; i++) {
        if ((m.hash(i) & 15) != 0 && (ov == null || ov.get(i, m.hash(i)) == null)) {
          key = i;
        }
      }
    }
    assertNotNull(key);
    Object value = m.get(key);
    assertNotNull(value);

    // remove plain keys that do not check for shrinking until the table is sparse, then one that
    // does: the shrink's resize starts and nothing is copied yet
    Long trigger = null;
    for (long i = 0; i < plain; i++) {
      if (key.equals(i)) {
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

    // the copier: a conditional removal that does not match; it copies the key's place first and
    // stalls in the hook right before writing the copy into t1
    Object stallKey = key;
    CountDownLatch primed = new CountDownLatch(1);
    CountDownLatch go = new CountDownLatch(1);
    AtomicBoolean stalled = new AtomicBoolean();
    AtomicReference<Object> copierResult = new AtomicReference<>();
    AtomicReference<Throwable> copierError = new AtomicReference<>();
    Thread copier = new Thread(() -> {
      try {
        copierResult.set(m.remove(stallKey, "no such value"));
      } catch (Throwable e) {
        copierError.set(e);
      } finally {
        primed.countDown(); // also when the hook was never reached, so that the test cannot hang
      }
    });
    m.copyHook = k -> {
      if (Thread.currentThread() == copier && k.equals(stallKey) && stalled.compareAndSet(false, true)) {
        primed.countDown();
        try {
          go.await();
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
      }
    };
    copier.start();
    try {
      primed.await();
      assertTrue(stalled.get(), "the copier stalled in its copy of " + key);
      // another thread copies the key itself and removes it in t1
      assertEquals(value, m.remove(key));
      assertNull(m.get(key));
      // t1 starts its own resize: the key's tombstone there is dropped by it
      long k = 1L << 40;
      while (t1.next == null) {
        m.put(k, k);
        if (++k > (1L << 40) + 1_000_000) {
          fail("t1 never started a resize");
        }
      }
    } finally {
      go.countDown();
      copier.join();
    }
    assertNull(copierError.get());
    assertEquals(Boolean.FALSE, copierResult.get());
    assertNull(m.get(key), "the stalled copy put the removed value back");
    assertFalse(m.containsKey(key));
    int n = 0;
    for (Iterator<Object> it = m.keySet().iterator(); it.hasNext(); it.next()) {
      n++;
    }
    assertEquals(n, m.size(), "the count matches the entries");
  }

  /** Finishes any resize under way (an iterator starts on a settled table). */
  private static void settle(ProbingHashMap<Object, Object> m) {
    m.keySet().iterator();
  }
}
