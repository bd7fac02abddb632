package dev.atoll.map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.util.Iterator;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/**
 * Removals clear the value slot (store null) only while no resize copy is in flight (invariant 5
 * of ProbingHashMap's notes). A copier stalled by the package-private copy hook after priming a
 * key's old slot must make a removal of that key store TOMBSTONE; were it to store null, the
 * stalled copy (which expects "never written", null) would land on it and put the removed value
 * back. These tests fail when the removal clears without looking at the copier count.
 */
class ProbingHashMapClearingRemovalTest {
  private static final int PLAIN = 3_000;

  /** With no resize under way, every kind of removal leaves null in the value slot. */
  @Test
  void removalsClearWhenNoCopyIsInFlight() {
    ProbingHashMap<Object, Object> m = new ProbingHashMap<>(0, 0x5eed);
    for (long i = 0; i < 100; i++) {
      m.put(i, "v" + i);
    }
    settle(m);
    ProbingHashMap.Table t = m.topTable();
    assertNull(t.next);
    assertEquals("v1", m.remove(1L));
    assertTrue(m.remove(2L, "v2"));
    assertTrue(m.removeIf(3L, v -> true));
    assertNull(m.compute(4L, (k, v) -> null));
    assertNull(m.computeIfPresent(5L, (k, v) -> null));
    assertNull(m.merge(6L, "x", (a, b) -> null));
    for (Iterator<Object> it = m.keySet().iterator(); it.hasNext(); ) {
      if (it.next().equals(7L)) {
        it.remove();
      }
    }
    assertSame(t, m.topTable(), "no resize meanwhile");
    for (long i = 1; i <= 7; i++) {
      assertNull(rawValue(t, i), "removal of " + i + " cleared its slot");
      assertNull(m.get(i));
      assertFalse(m.containsKey(i));
    }
    assertEquals(93, m.size());
    // a cleared slot is absent for every write
    assertNull(m.putIfAbsent(1L, "again"));
    assertEquals("again", m.get(1L));
    assertNull(m.replace(2L, "no"));
    assertNull(m.get(2L));
    assertEquals(94, m.size());
  }

  /**
   * A copier primed the key's old slot and stalls before writing its copy into the next table;
   * another thread copies the key itself and removes it there: the removal must store TOMBSTONE,
   * and the stalled copy must not land.
   */
  @Test
  void removalDuringStalledCopyKeepsTombstone() throws InterruptedException {
    stalledCopy(false);
  }

  /** As above, but the resize is finished (and the next table promoted) before the removal. */
  @Test
  void removalAfterPromotionDuringStalledCopyKeepsTombstone() throws InterruptedException {
    stalledCopy(true);
  }

  private static void stalledCopy(boolean promoteFirst) throws InterruptedException {
    ProbingHashMap<Object, Object> m = new ProbingHashMap<>(0, 0x5eed);
    for (long i = 0; i < PLAIN; i++) {
      m.put(i, "v" + i);
    }
    settle(m);
    ProbingHashMap.Table t0 = m.topTable();
    assertNull(t0.next);
    Object key = null;
    for (long i = 0; i < PLAIN && key == null; i++) {
      if ((m.hash(i) & 15) != 0 && rawValue(t0, i) != null) {
        key = i;
      }
    }
    assertNotNull(key);
    Object value = m.get(key);
    assertNotNull(value);
    ProbingHashMap.Table t1 = startShrink(m, t0, key);

    Object stallKey = key;
    CountDownLatch primed = new CountDownLatch(1);
    CountDownLatch go = new CountDownLatch(1);
    AtomicBoolean stalled = new AtomicBoolean();
    AtomicReference<Object> copierResult = new AtomicReference<>();
    AtomicReference<Throwable> copierError = new AtomicReference<>();
    // the copier: a conditional removal that does not match; it copies the key's slot first and
    // stalls in the hook right before writing the copy into t1
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
    Object stored = null;
    try {
      primed.await();
      assertTrue(stalled.get(), "the copier stalled in its copy of " + key);
      assertTrue(rawValue(t0, key) instanceof ProbingHashMap.Prime, "the stalled copier primed the key's old slot");
      if (promoteFirst) {
        settle(m); // copies every slot (the stalled one too) and promotes t1
        assertSame(t1, m.topTable());
        assertNull(t1.next);
      }
      // another thread copies the key itself (unless done) and removes it in t1
      assertEquals(value, m.remove(key));
      assertNull(m.get(key));
      stored = rawValue(t1, key);
    } finally {
      go.countDown();
      copier.join();
    }
    m.copyHook = null;
    assertNull(copierError.get());
    assertEquals(Boolean.FALSE, copierResult.get());
    assertNull(m.get(key), "the stalled copy put the removed value back");
    assertSame(ProbingHashMap.TOMBSTONE, stored, "a removal while a copy is in flight stores TOMBSTONE, not null");
    assertFalse(m.containsKey(key));
    assertEquals(countByIteration(m), m.size(), "the count matches the entries");

    // the copier has finished: removals clear again once no copy is in flight
    settle(m);
    ProbingHashMap.Table top = m.topTable();
    assertNull(m.put(key, "again"));
    assertEquals("again", m.remove(key));
    assertNull(rawValue(top, key), "with no copy in flight the removal cleared the slot");
    assertNull(m.get(key));
  }

  /**
   * Removes keys that do not check for shrinking until the table is sparse, then one that does:
   * the shrink's resize starts and nothing is copied yet. Returns the new table.
   */
  private static ProbingHashMap.Table startShrink(ProbingHashMap<Object, Object> m, ProbingHashMap.Table t0, Object keep) {
    Long trigger = null;
    for (long i = 0; i < PLAIN; i++) {
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

  /** The raw value slot of {@code key} in {@code t} (a sentinel, a Prime, null or the value). */
  private static Object rawValue(ProbingHashMap.Table t, Object key) {
    Object[] kvs = t.kvs;
    for (int i = 0; i < kvs.length; i += 2) {
      if (key.equals(kvs[i])) {
        return kvs[i + 1];
      }
    }
    fail("key " + key + " has no slot in the table");
    return null;
  }

  private static int countByIteration(ProbingHashMap<Object, Object> m) {
    int n = 0;
    for (Iterator<Object> it = m.keySet().iterator(); it.hasNext(); it.next()) {
      n++;
    }
    return n;
  }

  /** Finishes any resize under way (an iterator starts on a settled table). */
  private static void settle(ProbingHashMap<Object, Object> m) {
    m.keySet().iterator();
  }
}
