package dev.atoll.map;

import static dev.atoll.map.ProbingCopyRaces.countByIteration;
import static dev.atoll.map.ProbingCopyRaces.rawValue;
import static dev.atoll.map.ProbingCopyRaces.settle;
import static dev.atoll.map.ProbingCopyRaces.startShrink;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.atoll.map.ProbingCopyRaces.StalledCopier;
import java.util.Iterator;
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
    ProbingHashMap.Table t1 = startShrink(m, t0, key, PLAIN);

    // the copier: a conditional removal that does not match; it copies the key's slot first and
    // stalls in the hook right before writing the copy into t1
    Object stored;
    StalledCopier copier = StalledCopier.start(m, key);
    try (copier) {
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
    }
    copier.assertFinishedWithoutMatch();
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
}
