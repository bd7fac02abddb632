package dev.atoll.map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.common.collect.testing.features.CollectionSize;
import dev.atoll.testkit.CollidingKey;
import dev.atoll.testkit.ConcurrentMapContract;
import dev.atoll.testkit.GuavaMapSuite;
import java.lang.ref.WeakReference;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentMap;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicNode;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.function.Executable;

/**
 * {@link HashTrieMap}: the shared contract, Guava's generated suite for the map, for a mutable
 * snapshot and for a read-only snapshot, and the snapshot and contraction behaviour specific to the
 * trie. Concurrent snapshot isolation: {@link HashTrieMapSnapshotConcurrencyTest}.
 */
class HashTrieMapTest extends ConcurrentMapContract {
  @Override
  protected <K, V> ConcurrentMap<K, V> newMap() {
    return new HashTrieMap<>();
  }

  @Override
  protected long capacityOf(ConcurrentMap<?, ?> map) {
    return ((HashTrieMap<?, ?>) map).slotCount();
  }

  @Override
  protected Map<String, Executable> badConstructorCalls() {
    // The only constructor argument is the hash function; a null one is a NullPointerException
    // (checked below), there is no numeric argument that could be out of range.
    return Map.of();
  }

  @TestFactory
  Stream<DynamicNode> guavaTestlib() {
    return GuavaMapSuite.tests("HashTrieMap", HashTrieMap::new);
  }

  @TestFactory
  Stream<DynamicNode> guavaTestlibCustomHasher() {
    return GuavaMapSuite.tests("HashTrieMap with hasher", () -> new HashTrieMap<>(String::length));
  }

  @TestFactory
  Stream<DynamicNode> guavaTestlibMutableSnapshot() {
    return GuavaMapSuite.tests("HashTrieMap snapshot", entries -> {
      HashTrieMap<String, String> map = new HashTrieMap<>();
      entries.forEach(e -> map.put(e.getKey(), e.getValue()));
      HashTrieMap<String, String> snap = map.snapshot();
      map.put("written after the snapshot", "x"); // must not show in the snapshot
      map.clear();
      return snap;
    }, GuavaMapSuite.STANDARD_FEATURES);
  }

  @TestFactory
  Stream<DynamicNode> guavaTestlibReadOnlySnapshot() {
    return GuavaMapSuite.tests("HashTrieMap readOnlySnapshot", entries -> {
      HashTrieMap<String, String> map = new HashTrieMap<>();
      entries.forEach(e -> map.put(e.getKey(), e.getValue()));
      Map<String, String> snap = map.readOnlySnapshot();
      map.put("written after the snapshot", "x");
      if (!entries.isEmpty()) {
        map.remove(entries.get(0).getKey());
      }
      return snap;
    }, CollectionSize.ANY);
  }

  @Test
  void nullHasherIsRejected() {
    assertThrows(NullPointerException.class, () -> new HashTrieMap<String, String>(null));
  }

  @Test
  void snapshotIsIsolatedFromLaterWritesBothWays() {
    HashTrieMap<Integer, Integer> m = new HashTrieMap<>();
    Map<Integer, Integer> expected = new HashMap<>();
    for (int i = 0; i < 5_000; i++) {
      m.put(i, i);
      expected.put(i, i);
    }
    HashTrieMap<Integer, Integer> snap = m.snapshot();
    Map<Integer, Integer> frozen = m.readOnlySnapshot();
    for (int i = 0; i < 5_000; i += 2) {
      m.remove(i);
    }
    for (int i = 5_000; i < 6_000; i++) {
      m.put(i, -i);
    }
    m.put(1, 100);
    assertEquals(expected, new HashMap<>(snap));
    assertEquals(expected, new HashMap<>(frozen));
    assertEquals(5_000, snap.size());
    assertEquals(5_000, frozen.size());

    // writes to the mutable snapshot do not reach the original or the read-only snapshot
    Map<Integer, Integer> original = new HashMap<>(m);
    for (int i = 0; i < 5_000; i += 3) {
      snap.remove(i);
    }
    snap.put(-1, -1);
    snap.put(7, 77);
    assertEquals(original, new HashMap<>(m));
    assertEquals(expected, new HashMap<>(frozen));
    assertEquals(-1, snap.get(-1));
    assertNull(m.get(-1));
    assertNull(frozen.get(-1));

    // snapshots of snapshots
    HashTrieMap<Integer, Integer> snap2 = snap.snapshot();
    snap.clear();
    assertTrue(snap.isEmpty());
    assertEquals(77, snap2.get(7));
    HashTrieMap<Integer, Integer> fromFrozen = ((HashTrieMap<Integer, Integer>) frozen).snapshot();
    fromFrozen.put(-5, 5);
    assertEquals(expected, new HashMap<>(frozen));
    assertEquals(expected.size() + 1, fromFrozen.size());
  }

  @Test
  void readOnlySnapshotRejectsEveryMutator() {
    HashTrieMap<String, String> m = new HashTrieMap<>();
    m.put("a", "1");
    Map<String, String> ro = m.readOnlySnapshot();
    HashTrieMap<String, String> r = (HashTrieMap<String, String>) ro;
    List<Executable> calls = List.of(
        () -> ro.put("b", "2"),
        () -> ro.remove("a"),
        () -> ro.clear(),
        () -> r.putIfAbsent("b", "2"),
        () -> r.replace("a", "2"),
        () -> r.replace("a", "1", "2"),
        () -> r.remove("a", "1"),
        () -> r.compute("a", (k, v) -> "x"),
        () -> r.computeIfAbsent("b", k -> "x"),
        () -> r.computeIfPresent("a", (k, v) -> "x"),
        () -> r.merge("a", "x", (a, b) -> a + b),
        () -> r.replaceAll((k, v) -> v),
        () -> ro.keySet().remove("a"),
        () -> ro.entrySet().iterator().next().setValue("z"),
        () -> ro.entrySet().iterator().next().setValue(null),
        () -> ro.entrySet().remove(Map.entry("a", "1")),
        () -> ro.entrySet().remove("not an entry"),
        () -> ro.values().remove("1"),
        () -> ro.keySet().clear(),
        () -> ro.values().clear(),
        () -> ro.entrySet().clear(),
        () -> {
          Iterator<String> it = ro.keySet().iterator();
          it.next();
          it.remove();
        });
    for (int i = 0; i < calls.size(); i++) {
      assertThrows(UnsupportedOperationException.class, calls.get(i), "call #" + i);
    }
    assertEquals(Map.of("a", "1"), new HashMap<>(ro));
    assertEquals(Map.of("a", "1"), new HashMap<>(m));
    assertTrue(ro == r.readOnlySnapshot());
  }

  @Test
  void iteratorSeesThePointInTimeAndRemovesFromTheMap() {
    HashTrieMap<Integer, Integer> m = new HashTrieMap<>();
    for (int i = 0; i < 1_000; i++) {
      m.put(i, i);
    }
    Iterator<Map.Entry<Integer, Integer>> it = m.entrySet().iterator();
    m.clear();
    for (int i = 1_000; i < 2_000; i++) {
      m.put(i, i);
    }
    int n = 0;
    while (it.hasNext()) {
      Map.Entry<Integer, Integer> e = it.next();
      assertTrue(e.getKey() < 1_000, "the iterator sees only the state at its creation");
      if (e.getKey() % 2 == 0) {
        e.setValue(-1); // writes through: adds the key back
      }
      n++;
    }
    assertEquals(1_000, n);
    assertEquals(1_500, m.size());
    assertEquals(-1, m.get(10));
    assertNull(m.get(11));
    Iterator<Integer> keys = m.keySet().iterator();
    while (keys.hasNext()) {
      keys.next();
      keys.remove();
    }
    assertTrue(m.isEmpty());
  }

  @Test
  void customHasherIsUsed() {
    // a constant hash function: everything collides, and everything still works
    HashTrieMap<Integer, Integer> m = new HashTrieMap<>(k -> 7);
    for (int i = 0; i < 1_000; i++) {
      m.put(i, i);
    }
    assertEquals(1_000, m.size());
    for (int i = 0; i < 1_000; i++) {
      assertEquals(i, m.get(i));
    }
    HashTrieMap<Integer, Integer> snap = m.snapshot();
    for (int i = 0; i < 1_000; i++) {
      assertEquals(i, m.remove(i));
    }
    assertTrue(m.isEmpty());
    assertEquals(1_000, snap.size());
    assertTrue(m.slotCount() <= 1, "slots after removing everything: " + m.slotCount());
  }

  @Test
  void keysWithOneHashInABucketAreEachFound() {
    // Up to BUCKET_MAX (8) keys sharing a slot stay in one leaf bucket. get() looks first at the
    // last entry whose stored hash matches; every earlier entry with that same hash must still
    // be found, and a missing key with that hash must not be.
    for (int n = 2; n <= 8; n++) {
      // keys below 100 have hash 7; the others differ in bits no level before the bucket reads
      HashTrieMap<Integer, Integer> m = new HashTrieMap<>(k -> k < 100 ? 7 : 7 | k << 24);
      Map<Integer, Integer> others = new HashMap<>();
      for (int i = 0; i < n; i++) {
        m.put(i, -i);
        if (i % 2 == 1 && n + others.size() < 8) {
          m.put(100 + i, i); // interleave keys of other hashes in the same bucket
          others.put(100 + i, i);
        }
      }
      assertEquals(1, m.depth(), "one branch, all keys in one of its buckets");
      for (int i = 0; i < n; i++) {
        assertEquals(-i, m.get(i), "key " + i + " of " + n);
        assertTrue(m.containsKey(i));
      }
      others.forEach((k, v) -> assertEquals(v, m.get(k)));
      assertNull(m.get(n), "absent key with the same hash, n = " + n);
      assertNull(m.get(100), "absent key with another hash, n = " + n);
    }
  }

  @Test
  void trieContractsAfterMassRemoval() {
    HashTrieMap<Integer, Integer> m = new HashTrieMap<>();
    assertEquals(0, m.slotCount());
    int n = 100_000;
    for (int i = 0; i < n; i++) {
      m.put(i, i);
    }
    long peak = m.slotCount();
    int peakDepth = m.depth();
    assertTrue(peak >= n, "slots at peak: " + peak);
    assertTrue(peakDepth >= 3, "depth at peak: " + peakDepth);
    for (int i = 0; i < n; i++) {
      assertEquals(i, m.remove(i));
    }
    assertTrue(m.isEmpty());
    assertEquals(0, m.slotCount(), "the root must be empty again");
    assertEquals(1, m.depth());

    // the same with a snapshot holding the old trie: the map still contracts, the snapshot keeps all
    for (int i = 0; i < n; i++) {
      m.put(i, i);
    }
    HashTrieMap<Integer, Integer> snap = m.snapshot();
    for (int i = 0; i < n; i++) {
      if (i % 10 != 0) {
        m.remove(i);
      }
    }
    assertEquals(n / 10, m.size());
    assertTrue(m.slotCount() <= 2L * n / 10, "slots after removing 90%: " + m.slotCount());
    assertEquals(n, snap.size());
  }

  @Test
  void collidingKeysContractToo() {
    HashTrieMap<CollidingKey, Integer> m = new HashTrieMap<>();
    for (int i = 0; i < 1_000; i++) {
      m.put(new CollidingKey(i), i);
    }
    HashTrieMap<CollidingKey, Integer> snap = m.snapshot();
    for (int i = 0; i < 1_000; i++) {
      assertEquals(i, m.remove(new CollidingKey(i)));
    }
    assertEquals(0, m.slotCount());
    assertEquals(1_000, snap.size());
    assertEquals(5, snap.get(new CollidingKey(5)));
  }

  @Test
  void bucketsSplitAndShrinkAtEveryDepth() {
    // Hash functions whose values share many low bits: slots fill up as leaf buckets, overflow
    // and split several levels down (down to collision lists where whole hashes are equal),
    // then shrink back, with a snapshot holding the full state.
    List<java.util.function.ToIntFunction<Integer>> hashers = List.of(
        k -> k << 25, k -> k << 27, k -> (k & 7) << 29, k -> (k & 3) << 30 | 5, k -> k % 11);
    for (java.util.function.ToIntFunction<Integer> hasher : hashers) {
      HashTrieMap<Integer, Integer> m = new HashTrieMap<>(hasher);
      Map<Integer, Integer> model = new HashMap<>();
      for (int i = 0; i < 200; i++) {
        m.put(i, i);
        model.put(i, i);
        assertEquals(model.size(), m.size());
      }
      HashTrieMap<Integer, Integer> snap = m.snapshot();
      for (int i = 0; i < 200; i++) {
        assertEquals(i, m.get(i));
        assertEquals(i, m.replace(i, -i));
      }
      for (int i = 0; i < 200; i += 3) {
        assertEquals(-i, m.remove(i));
        model.remove(i);
      }
      model.replaceAll((k, v) -> -k);
      assertEquals(model, new HashMap<>(m));
      for (int i = 0; i < 200; i++) {
        assertEquals(i, snap.get(i), "the snapshot keeps the state it was taken at");
      }
      for (int i = 0; i < 200; i++) {
        m.remove(i);
      }
      assertTrue(m.isEmpty());
      assertTrue(m.slotCount() <= 1, "slots after removing everything: " + m.slotCount());
      assertEquals(200, snap.size());
    }
  }

  @Test
  void valuesRemovedAfterASnapshotIsDroppedBecomeUnreachable() {
    HashTrieMap<String, Object> m = new HashTrieMap<>();
    Object v = new Object();
    m.put("k", v);
    for (int i = 0; i < 1_000; i++) {
      m.put("filler" + i, i);
    }
    WeakReference<Object> ref = new WeakReference<>(v);
    v = null;
    m.snapshot().size(); // snapshots and iterators taken and dropped
    m.forEach((k, x) -> { });
    assertFalse(m.isEmpty());
    m.remove("k");
    for (int i = 0; i < 50 && ref.get() != null; i++) {
      System.gc();
    }
    assertNull(ref.get(), "the removed value is still reachable");
  }

  @Test
  void intArrayKeysAreNotMistakenForBuckets() {
    // A bucket's key slot holds an int[] of hashes, so keys that are themselves int[] are stored
    // as one-entry buckets; with a hasher that puts many of them in one slot they also share
    // buckets, split and contract like any other key.
    for (java.util.function.ToIntFunction<int[]> hasher : List.<java.util.function.ToIntFunction<int[]>>of(
        k -> k[0], k -> k[0] & 3, k -> k[0] << 26)) {
      HashTrieMap<int[], Integer> m = new HashTrieMap<>(hasher);
      List<int[]> keys = new java.util.ArrayList<>();
      for (int i = 0; i < 300; i++) {
        int[] k = {i};
        keys.add(k);
        assertNull(m.put(k, i));
      }
      assertNull(m.get(new int[] {5}), "int[] keys compare by identity");
      HashTrieMap<int[], Integer> snap = m.snapshot();
      for (int i = 0; i < 300; i++) {
        assertEquals(i, m.get(keys.get(i)));
      }
      int seen = 0;
      for (Map.Entry<int[], Integer> e : m.entrySet()) {
        assertEquals(e.getKey()[0], e.getValue());
        seen++;
      }
      assertEquals(300, seen);
      for (int i = 0; i < 300; i++) {
        assertEquals(i, m.remove(keys.get(i)));
      }
      assertTrue(m.isEmpty());
      assertEquals(0, m.slotCount());
      assertEquals(300, snap.size());
      assertEquals(7, snap.get(keys.get(7)));
    }
    HashTrieMap<Object, Integer> mixed = new HashTrieMap<>();
    int[] a = {1};
    mixed.put(a, 1);
    mixed.put("x", 2);
    assertEquals(1, mixed.get(a));
    assertEquals(2, mixed.remove("x"));
    assertEquals(1, mixed.remove(a));
    assertTrue(mixed.isEmpty());
  }

  /**
   * Writes that start at the lookup cache's third-level INode: with the hash {@code k << 12} every
   * key takes index 0 at the first two levels, so nine keys split the buckets down to one
   * third-level INode, which the root descents of the puts put into the cache. Removals then start
   * there; the one that leaves a single entry contracts that INode to a tomb, and must merge it
   * (and then the second-level branch, left with one leaf) back up to the root although it started
   * below them.
   */
  @Test
  void writesThroughTheLookupCacheContractAboveIt() {
    HashTrieMap<Integer, Integer> m = new HashTrieMap<>(k -> k << 12);
    for (int k = 0; k < 9; k++) {
      assertNull(m.put(k, k));
    }
    assertEquals(3, m.depth());
    for (int k = 0; k < 9; k++) {
      assertEquals(k, m.put(k, -k)); // through the cache
      assertEquals(-k, m.get(k));
    }
    HashTrieMap<Integer, Integer> snap = m.snapshot(); // drops the cache; writes renew the path
    for (int k = 0; k < 8; k++) {
      assertEquals(-k, m.remove(k));
      assertNull(m.get(k));
      assertEquals(-k, snap.get(k));
    }
    assertEquals(1, m.depth(), "the last entry must be merged back into the root");
    assertEquals(1, m.slotCount());
    assertEquals(-8, m.get(8));
    assertEquals(9, snap.size());
    assertEquals(3, snap.depth());

    // the same without a snapshot in between: the removals start at the cached INode
    for (int k = 0; k < 9; k++) {
      m.put(k, k);
    }
    assertEquals(3, m.depth());
    for (int k = 0; k < 9; k++) {
      assertEquals(k, m.get(k)); // the cache holds the third-level INode
    }
    for (int k = 1; k < 9; k++) {
      assertEquals(k, m.remove(k));
    }
    assertEquals(1, m.depth(), "the last entry must be merged back into the root");
    assertEquals(Map.of(0, 0), new HashMap<>(m));
    for (int k = 0; k < 20; k++) { // grows again: a new third-level INode replaces the tomb in the cache
      m.put(k, k);
    }
    for (int k = 0; k < 20; k++) {
      assertEquals(k, m.remove(k));
    }
    assertEquals(0, m.slotCount());
    assertEquals(1, m.depth());
  }

  @Test
  void lookupCacheFollowsWritesSnapshotsAndClear() {
    // The cache must never answer from an INode that a write, a snapshot or clear() has made
    // stale.
    int n = CACHED_KEYS;
    HashTrieMap<Integer, Integer> m = filledThroughTheCache();
    HashTrieMap<Integer, Integer> snap = m.snapshot();
    Map<Integer, Integer> frozen = m.readOnlySnapshot();
    for (int i = 0; i < n; i += 2) {
      assertEquals(i, m.remove(i));
      assertNull(m.get(i));
      assertEquals(i, snap.get(i));
    }
    for (int i = 1; i < n; i += 2) {
      assertEquals(i, m.get(i));
      m.put(i, -i);
      assertEquals(-i, m.get(i));
      assertEquals(i, snap.get(i));
    }
    for (int i = 0; i < n; i += 3) {
      snap.put(i, 7);
      assertEquals(7, snap.get(i));
      assertEquals(i % 2 == 0 ? null : -i, m.get(i));
      assertEquals(i, frozen.get(i));
    }
    assertEquals(n / 2, m.size());
    m.clear();
    for (int i = 0; i < n; i += 7) {
      assertNull(m.get(i));
    }
    m.put(5, 5);
    assertEquals(5, m.get(5));
    assertEquals(n, snap.size());
    assertEquals(n, frozen.size());
  }

  @Test
  void aSnapshotMakesTheNextWriteBuildOnlyItsOwnPartOfTheLookupCache() {
    // The cache is dropped by every snapshot; the first write after it must not rebuild all of
    // it (a flat 16 KB cache made snapshot()+write allocate 18 KB at 1M entries, 1.4 KB at 10k).
    int n = CACHED_KEYS;
    HashTrieMap<Integer, Integer> m = filledThroughTheCache();
    assertEquals(64, m.cacheChunks()); // 200k keys reach every third-level path
    for (int round = 0; round < 3; round++) {
      HashTrieMap<Integer, Integer> snap = m.snapshot();
      assertEquals(-1, m.cacheChunks());
      int k = round + 1;
      m.put(k, -k);
      assertEquals(1, m.cacheChunks());
      assertEquals(-k, m.get(k));
      assertEquals(k, snap.get(k));
    }
    for (int i = 0; i < n; i += 97) {
      assertEquals(i >= 1 && i <= 3 ? -i : i, m.get(i));
    }
  }

  /** Keys 0..CACHED_KEYS-1 make third-level INodes, which lookups put in the lookup cache. */
  private static final int CACHED_KEYS = 200_000;

  /** A map of i -> i for the CACHED_KEYS keys, each looked up once (which fills the cache). */
  private static HashTrieMap<Integer, Integer> filledThroughTheCache() {
    HashTrieMap<Integer, Integer> m = new HashTrieMap<>();
    for (int i = 0; i < CACHED_KEYS; i++) {
      m.put(i, i);
    }
    for (int i = 0; i < CACHED_KEYS; i++) {
      assertEquals(i, m.get(i));
    }
    return m;
  }
}
