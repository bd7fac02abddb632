package dev.atoll.map;

import dev.atoll.testkit.MapLincheck;
import java.util.HashMap;
import java.util.Map;
import java.util.TreeMap;
import org.jetbrains.lincheck.datastructures.Operation;

/**
 * Lincheck with snapshots in the operation set: a snapshot must be the map's state at one instant
 * (its contents are compared as a sorted string), {@code size()} is linearizable (it counts a
 * snapshot), writes to a mutable snapshot must not reach the map, and {@code clear()} is atomic.
 * The hash function {@code k << 12} sends every key down one path; ten filler keys (-1..-10,
 * present in the map and in the specification from the start) overflow the leaf buckets there, so
 * keys 1..6 sit in a third-level branch under two levels of indirection nodes: the scenarios meet
 * renewal of shared nodes after snapshots, the lookup cache (which holds third-level INodes), and
 * clear() going back to a flat trie.
 */
// Test classes are compiled into the dev.atoll.core module, whose dev.atoll.map package is
// exported while the test kit's is not; the kit's base class is public API of this test only.
@SuppressWarnings("exports")
public class HashTrieMapSnapshotLincheckTest extends HashTrieMapWithSnapshotsLincheck {
  /** Lincheck creates one instance per scenario. */
  public HashTrieMapSnapshotLincheckTest() {
    // Level-0 and level-6 index 0 for every key; level-12 index: k mod 64 (distinct).
    super(new HashTrieMap<>(k -> k << 12));
    fill(map);
  }

  /** The filler keys, in the map and in the specification. */
  static void fill(Map<Integer, Integer> m) {
    for (int k = -1; k >= -10; k--) {
      m.put(k, 0);
    }
  }

  @Override
  protected String keys() {
    return "1:6";
  }

  @Override
  protected Class<?> specification() {
    return Spec.class;
  }

  @Operation
  public int size() {
    return map.size();
  }

  @Operation
  public void clear() {
    map.clear();
  }

  @Operation
  public String iterate() {
    TreeMap<Integer, Integer> seen = new TreeMap<>();
    for (Map.Entry<Integer, Integer> e : map.entrySet()) {
      seen.put(e.getKey(), e.getValue());
    }
    return seen.toString();
  }

  /** The sequential specification on a {@link HashMap} (also HashTrieMapCacheLincheckTest's). */
  public static class Spec extends MapLincheck.Spec {
    /** Lincheck creates one instance per scenario. */
    public Spec() {
      fill(map);
    }

    /** A specification that starts with {@code initial} instead of the filler keys. */
    protected Spec(Map<Integer, Integer> initial) {
      super(initial);
    }

    public int size() {
      return map.size();
    }

    public void clear() {
      map.clear();
    }

    public String readOnlySnapshot() {
      return new TreeMap<>(map).toString();
    }

    public String snapshotThenWrite(int key, int value) {
      TreeMap<Integer, Integer> s = new TreeMap<>(map);
      s.put(key, value);
      s.remove(key + 1);
      return s.toString();
    }

    public String iterate() {
      return new TreeMap<>(map).toString();
    }
  }
}
