package dev.atoll.map;

import static dev.atoll.map.ProbingCopyRaces.countByIteration;
import static dev.atoll.map.ProbingCopyRaces.settle;
import static dev.atoll.map.ProbingCopyRaces.startShrink;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.fail;

import dev.atoll.map.ProbingCopyRaces.StalledCopier;
import dev.atoll.testkit.CollidingKey;
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
    ProbingHashMap.Table t1 = startShrink(m, t0, key, plain);

    // the copier: a conditional removal that does not match; it copies the key's place first and
    // stalls in the hook right before writing the copy into t1
    StalledCopier copier = StalledCopier.start(m, key);
    try (copier) {
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
    }
    copier.assertFinishedWithoutMatch();
    assertNull(m.get(key), "the stalled copy put the removed value back");
    assertFalse(m.containsKey(key));
    assertEquals(countByIteration(m), m.size(), "the count matches the entries");
  }
}
