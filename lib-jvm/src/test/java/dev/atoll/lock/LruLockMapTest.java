package dev.atoll.lock;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.atoll.testkit.Seeds;
import dev.atoll.testkit.Threads;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** Eviction order, promotion and capacity of {@link LruLockMap}. */
class LruLockMapTest {
  private static LruLockMap<String, Integer> oneShard(int capacity, List<String> evicted) {
    return new LruLockMap<>(capacity, 1, null, (k, v) -> evicted.add(k + "=" + v));
  }

  @Test
  void evictsLeastRecentlyUsedAndGetPromotes() {
    List<String> evicted = new ArrayList<>();
    LruLockMap<String, Integer> map = oneShard(3, evicted);
    map.put("a", 1);
    map.put("b", 2);
    map.put("c", 3);
    assertEquals(1, map.get("a")); // order now (cold) b c a (hot)
    map.put("d", 4);
    assertEquals(List.of("b=2"), evicted);
    assertNull(map.get("b"));
    map.put("c", 33); // an update promotes too: cold a d c hot
    map.put("e", 5);
    assertEquals(List.of("b=2", "a=1"), evicted);
    assertEquals(3, map.size());
    assertEquals(3, map.lockRecordCount());
  }

  @Test
  void entryPromotesAndLockedAbsentKeysDoNotCount() {
    List<String> evicted = new ArrayList<>();
    LruLockMap<String, Integer> map = oneShard(2, evicted);
    map.put("a", 1);
    map.put("b", 2);
    try (Entry<String, Integer> e = map.entry("a")) {
      assertEquals(1, e.get());
    }
    try (Entry<String, Integer> ghost = map.entry("ghost")) {
      assertEquals(2, map.size());
      assertTrue(evicted.isEmpty(), "a locked key without value does not take capacity");
      ghost.set(9); // over capacity: b is the coldest free key
    }
    assertEquals(List.of("b=2"), evicted);
    assertEquals(2, map.size());
  }

  @Test
  void neverEvictsAHeldKeyAndCatchesUpOnRelease() {
    List<String> evicted = Collections.synchronizedList(new ArrayList<>());
    LruLockMap<String, Integer> map = oneShard(2, evicted);
    map.put("a", 1);
    map.put("b", 2);
    Entry<String, Integer> a = map.entry("a");
    Entry<String, Integer> b = map.entry("b");
    map.put("c", 3); // a and b are held: c itself is the only candidate
    assertEquals(List.of("c=3"), evicted);
    try (Entry<String, Integer> d = map.entry("d")) {
      d.set(4); // d is held too: the shard is over capacity for now
      assertEquals(3, map.size());
    } // releasing d brings the shard back: d is the only free key, so it goes although it is hot
    assertEquals(2, map.size());
    assertEquals(1, a.get());
    assertEquals(2, b.get());
    a.close();
    b.close();
    assertEquals(List.of("c=3", "d=4"), evicted);
    assertEquals(2, map.size());
  }

  @Test
  void capacityIsSplitExactlyOverShards() {
    LruLockMap<Integer, Integer> map = new LruLockMap<>(10, 16);
    assertEquals(8, map.shardCount());
    for (int i = 0; i < 10_000; i++) {
      map.put(i, i);
    }
    assertEquals(10, map.size());
    assertEquals(10, map.lockRecordCount());
  }

  @Test
  void capacityRespectedAfterConcurrentUseAndRelease() {
    long seed = Seeds.next();
    int capacity = 64;
    LruLockMap<Integer, Integer> map = new LruLockMap<>(capacity, 4);
    Threads.run(4, t -> {
      SplittableRandom rnd = new SplittableRandom(seed + t);
      for (int i = 0; i < 30_000; i++) {
        int k = rnd.nextInt(1_000);
        switch (rnd.nextInt(4)) {
          case 0:
            map.put(k, i);
            break;
          case 1:
            map.get(k);
            break;
          case 2:
            try (Entry<Integer, Integer> e = map.entry(k)) {
              e.set(i);
            }
            break;
          default:
            try (BatchEntry<Integer, Integer> b = map.batchLock(List.of(k, (k + 1) % 1000))) {
              b.entry(k).set(i);
            }
        }
      }
    });
    assertTrue(map.size() <= capacity, "size " + map.size() + ", " + Seeds.describe(seed));
    assertEquals(map.size(), map.lockRecordCount(), Seeds.describe(seed));
  }

  /** The default shard count: 16 per processor, at most one shard per 64 keys of capacity. */
  @Test
  void defaultShardCountFollowsProcessorsAndCapacity() {
    int byProcessors = Integer.highestOneBit(Runtime.getRuntime().availableProcessors() * 16 * 2 - 1);
    assertEquals(1, LruLockMap.defaultShards(10));
    assertEquals(1, LruLockMap.defaultShards(127));
    assertEquals(Math.min(byProcessors, 2), LruLockMap.defaultShards(128));
    assertEquals(Math.min(byProcessors, 128), LruLockMap.defaultShards(10_000));
    assertEquals(byProcessors, LruLockMap.defaultShards(Integer.MAX_VALUE));
    assertEquals(1, LruLockMap.defaultShards(-5));
    assertThrows(IllegalArgumentException.class, () -> new LruLockMap<String, String>(0));
    // a small cache is one shard: exact LRU order over all its keys
    LruLockMap<Integer, Integer> small = new LruLockMap<>(3);
    small.put(1, 1);
    small.put(2, 2);
    small.put(3, 3);
    small.get(1);
    small.put(4, 4); // evicts 2, the least recently used of the whole cache
    assertNull(small.get(2));
    assertEquals(1, small.get(1));
    assertEquals(3, small.get(3));
  }
}
