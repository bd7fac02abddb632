package dev.atoll.map;

import dev.atoll.testkit.MapLincheck;
import java.util.TreeMap;
import org.jetbrains.lincheck.datastructures.IntGen;
import org.jetbrains.lincheck.datastructures.ModelCheckingOptions;
import org.jetbrains.lincheck.datastructures.Operation;
import org.jetbrains.lincheck.datastructures.Param;
import org.jetbrains.lincheck.datastructures.StressOptions;

/**
 * The common part of the Lincheck tests of {@link HashTrieMap} with snapshots in the operation set
 * ({@link HashTrieMapSnapshotLincheckTest}, {@link HashTrieMapCacheLincheckTest}): the kit's core
 * operations, a read-only snapshot and a mutable snapshot written to (both compared as sorted
 * strings), and the Lincheck options these scenarios need (fewer model-checking scenarios, a higher
 * loop bound, three threads in the stress run).
 */
// Test classes are compiled into the dev.atoll.core module, whose dev.atoll.map package is
// exported while the test kit's is not; the kit's base class is public API of this test only.
@SuppressWarnings("exports")
@Param(name = "key", gen = MapLincheck.Keys.class)
@Param(name = "value", gen = IntGen.class, conf = MapLincheck.VALUES)
public abstract class HashTrieMapWithSnapshotsLincheck extends MapLincheck<HashTrieMap<Integer, Integer>> {
  protected HashTrieMapWithSnapshotsLincheck(HashTrieMap<Integer, Integer> map) {
    super(map);
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

  @Override
  protected ModelCheckingOptions modelCheckingOptions() {
    return super.modelCheckingOptions()
        .iterations(Math.max(5, iterations() / 2)) // snapshots make long interleavings: fewer, to stay fast
        .invocationsPerIteration(200)
        // snapshots, size() and iteration scan 64-slot branches: loops of up to 64 iterations per
        // branch are bounded, not spinning (Lincheck's default bound would report them as a hang)
        .loopBound(200);
  }

  @Override
  protected StressOptions stressOptions() {
    return super.stressOptions().threads(3);
  }
}
