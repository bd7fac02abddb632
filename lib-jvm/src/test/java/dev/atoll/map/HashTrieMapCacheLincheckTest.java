package dev.atoll.map;

import java.util.Map;

/**
 * Lincheck on writes that start at the lookup cache, racing with snapshots and with the
 * contraction of the cached INode itself. The hash function {@code k << 12} sends every key down
 * index 0 of the first two levels; the constructor puts nine keys (which splits the buckets down
 * to one third-level INode) and removes seven of them again, so each scenario starts with a
 * third-level INode holding keys -1 and 1, in the lookup cache. A removal of key 1 (from an
 * otherwise empty scenario) contracts that INode to a tomb and must merge it back up from below
 * the cache level, while other threads write through the cache, hit the tomb, or take snapshots
 * that make the cached INode stale.
 */
// Test classes are compiled into the dev.atoll.core module, whose dev.atoll.map package is
// exported while the test kit's is not; the kit's base class is public API of this test only.
@SuppressWarnings("exports")
public class HashTrieMapCacheLincheckTest extends HashTrieMapWithSnapshotsLincheck {
  /** Lincheck creates one instance per scenario. */
  public HashTrieMapCacheLincheckTest() {
    super(new HashTrieMap<>(k -> k << 12));
    for (int k = -1; k >= -8; k--) {
      map.put(k, 0);
    }
    map.put(1, 0); // nine keys: a third-level INode
    for (int k = -2; k >= -8; k--) {
      map.remove(k); // the first removal descends from the root and caches the INode
    }
  }

  @Override
  protected String keys() {
    return "1:3";
  }

  @Override
  protected Class<?> specification() {
    return Spec.class;
  }

  /** The snapshot test's sequential specification, starting with the keys the map keeps. */
  public static final class Spec extends HashTrieMapSnapshotLincheckTest.Spec {
    /** Lincheck creates one instance per scenario: the keys the map starts with. */
    public Spec() {
      super(Map.of(-1, 0, 1, 0));
    }
  }
}
