package dev.atoll.map;

import java.util.HashMap;
import java.util.Map;
import java.util.TreeMap;
import org.jetbrains.lincheck.datastructures.IntGen;
import org.jetbrains.lincheck.datastructures.ModelCheckingOptions;
import org.jetbrains.lincheck.datastructures.Operation;
import org.jetbrains.lincheck.datastructures.Param;
import org.jetbrains.lincheck.datastructures.StressOptions;
import org.junit.jupiter.api.Test;

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
@Param(name = "key", gen = IntGen.class, conf = "1:6")
@Param(name = "value", gen = IntGen.class, conf = "1:3")
public class HashTrieMapSnapshotLincheckTest {
  /** Level-0 and level-6 index 0 for every key; level-12 index: k mod 64 (distinct). */
  private final HashTrieMap<Integer, Integer> map = new HashTrieMap<>(k -> k << 12);

  /** Lincheck creates one instance per scenario. */
  public HashTrieMapSnapshotLincheckTest() {
    fill(map);
  }

  /** The filler keys, in the map and in the specification. */
  static void fill(Map<Integer, Integer> m) {
    for (int k = -1; k >= -10; k--) {
      m.put(k, 0);
    }
  }

  @Operation
  public Integer get(@Param(name = "key") int key) {
    return map.get(key);
  }

  @Operation
  public Integer put(@Param(name = "key") int key, @Param(name = "value") int value) {
    return map.put(key, value);
  }

  @Operation
  public Integer remove(@Param(name = "key") int key) {
    return map.remove(key);
  }

  @Operation
  public Integer putIfAbsent(@Param(name = "key") int key, @Param(name = "value") int value) {
    return map.putIfAbsent(key, value);
  }

  @Operation
  public Integer computeIncrement(@Param(name = "key") int key) {
    return map.compute(key, (k, v) -> v == null ? 1 : (v >= 3 ? null : v + 1));
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
  public String readOnlySnapshot() {
    return new TreeMap<>(map.readOnlySnapshot()).toString();
  }

  @Operation
  public String snapshotThenWrite(@Param(name = "key") int key, @Param(name = "value") int value) {
    HashTrieMap<Integer, Integer> s = map.snapshot();
    s.put(key, value);
    s.remove(key + 1);
    return new TreeMap<>(s).toString();
  }

  @Operation
  public String iterate() {
    TreeMap<Integer, Integer> seen = new TreeMap<>();
    for (Map.Entry<Integer, Integer> e : map.entrySet()) {
      seen.put(e.getKey(), e.getValue());
    }
    return seen.toString();
  }

  protected int iterations() {
    return Integer.getInteger("atoll.lincheck.iterations", 20);
  }

  @Test
  void modelChecking() {
    new ModelCheckingOptions()
        .iterations(Math.max(5, iterations() / 2)) // snapshots make long interleavings: fewer, to stay fast
        .invocationsPerIteration(200)
        // size() and iteration scan 64-slot branches: loops of up to 64 iterations per branch are
        // bounded, not spinning (Lincheck's default bound would report them as a hang)
        .loopBound(200)
        .threads(2)
        .actorsPerThread(3)
        .sequentialSpecification(Spec.class)
        .check(getClass());
  }

  @Test
  void stress() {
    new StressOptions()
        .iterations(iterations())
        .invocationsPerIteration(1_000)
        .threads(3)
        .actorsPerThread(3)
        .sequentialSpecification(Spec.class)
        .check(getClass());
  }

  /** The sequential specification on a {@link HashMap} (also HashTrieMapCacheLincheckTest's). */
  public static class Spec {
    private final HashMap<Integer, Integer> map = new HashMap<>();

    /** Lincheck creates one instance per scenario. */
    public Spec() {
      fill(map);
    }

    /** A specification that starts with {@code initial} instead of the filler keys. */
    protected Spec(Map<Integer, Integer> initial) {
      map.putAll(initial);
    }

    public Integer get(int key) {
      return map.get(key);
    }

    public Integer put(int key, int value) {
      return map.put(key, value);
    }

    public Integer remove(int key) {
      return map.remove(key);
    }

    public Integer putIfAbsent(int key, int value) {
      return map.putIfAbsent(key, value);
    }

    public Integer computeIncrement(int key) {
      return map.compute(key, (k, v) -> v == null ? 1 : (v >= 3 ? null : v + 1));
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
