package dev.atoll.map;

import java.util.Map;
import java.util.TreeMap;
import org.jetbrains.lincheck.datastructures.IntGen;
import org.jetbrains.lincheck.datastructures.ModelCheckingOptions;
import org.jetbrains.lincheck.datastructures.Operation;
import org.jetbrains.lincheck.datastructures.Param;
import org.jetbrains.lincheck.datastructures.StressOptions;
import org.junit.jupiter.api.Test;

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
@Param(name = "key", gen = IntGen.class, conf = "1:3")
@Param(name = "value", gen = IntGen.class, conf = "1:3")
public class HashTrieMapCacheLincheckTest {
  private final HashTrieMap<Integer, Integer> map = new HashTrieMap<>(k -> k << 12);

  /** Lincheck creates one instance per scenario. */
  public HashTrieMapCacheLincheckTest() {
    for (int k = -1; k >= -8; k--) {
      map.put(k, 0);
    }
    map.put(1, 0); // nine keys: a third-level INode
    for (int k = -2; k >= -8; k--) {
      map.remove(k); // the first removal descends from the root and caches the INode
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

  protected int iterations() {
    return Integer.getInteger("atoll.lincheck.iterations", 20);
  }

  @Test
  void modelChecking() {
    new ModelCheckingOptions()
        .iterations(Math.max(5, iterations() / 2))
        .invocationsPerIteration(200)
        .loopBound(200) // snapshots scan 64-slot branches: bounded loops, not spinning
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

  /** The snapshot test's sequential specification, starting with the keys the map keeps. */
  public static final class Spec extends HashTrieMapSnapshotLincheckTest.Spec {
    /** Lincheck creates one instance per scenario: the keys the map starts with. */
    public Spec() {
      super(Map.of(-1, 0, 1, 0));
    }
  }
}
