package dev.atoll.lock;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.atoll.testkit.CollidingKey;
import dev.atoll.testkit.Seeds;
import dev.atoll.testkit.Threads;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/** Long versions of the {@link LockMapTest} scenarios; run with {@code -Pstress}. */
@Tag("stress")
class LockMapStressTest {
  @Test
  void manyOverlappingBatchesOfEveryKeyKind() {
    LockMapTest.overlappingBatches(i -> i, 4, 100_000);
    LockMapTest.overlappingBatches(CollidingKey.Opaque::new, 4, 50_000);
    LockMapTest.overlappingBatches(i -> i % 2 == 0 ? (Object) ("s" + i) : new CollidingKey(i), 4, 50_000);
  }

  @Test
  void lruCapacityUnderLongChurn() {
    long seed = Seeds.next();
    LruLockMap<Integer, Integer> map = new LruLockMap<>(100, 8);
    Threads.run(4, t -> {
      SplittableRandom rnd = new SplittableRandom(seed + t);
      for (int i = 0; i < 2_000_000; i++) {
        int k = rnd.nextInt(10_000);
        if (rnd.nextBoolean()) {
          map.put(k, i);
        } else {
          try (Entry<Integer, Integer> e = map.entry(k)) {
            if (e.isPresent()) {
              e.remove();
            } else {
              e.set(i);
            }
          }
        }
      }
    });
    assertEquals(map.size(), map.lockRecordCount(), Seeds.describe(seed));
    assertEquals(true, map.size() <= 100, Seeds.describe(seed));
  }
}
