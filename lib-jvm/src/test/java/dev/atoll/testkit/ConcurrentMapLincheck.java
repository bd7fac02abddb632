package dev.atoll.testkit;

import java.util.concurrent.ConcurrentMap;
import org.jetbrains.lincheck.datastructures.IntGen;
import org.jetbrains.lincheck.datastructures.ModelCheckingOptions;
import org.jetbrains.lincheck.datastructures.Operation;
import org.jetbrains.lincheck.datastructures.Param;
import org.jetbrains.lincheck.datastructures.StressOptions;
import org.junit.jupiter.api.Test;

/**
 * Lincheck linearizability tests for any {@code ConcurrentMap<Integer, Integer>}: a subclass passes a
 * fresh map to the constructor (Lincheck builds one test instance per scenario through the no-argument
 * constructor) and gets a model-checking and a stress test of the operations below, checked against
 * the independent sequential specification {@link MapSpec}, a plain {@link java.util.HashMap}.
 *
 * <pre>{@code
 * class ChainedHashMapLincheckTest extends ConcurrentMapLincheck {
 *   ChainedHashMapLincheckTest() { super(new ChainedHashMap<>()); }
 * }
 * }</pre>
 *
 * <p>Keys come from a small range so that operations meet; the JVM flags Lincheck needs are in the
 * surefire {@code argLine} of the root pom. {@code size()} is left out: it is not linearizable in
 * {@code ConcurrentHashMap} either (a quiescent-accurate counter), and each map tests it elsewhere.
 */
@Param(name = "key", gen = IntGen.class, conf = "1:4")
@Param(name = "value", gen = IntGen.class, conf = "1:3")
public abstract class ConcurrentMapLincheck {
  private final ConcurrentMap<Integer, Integer> map;

  protected ConcurrentMapLincheck(ConcurrentMap<Integer, Integer> map) {
    this.map = map;
  }

  /**
   * Scenarios per Lincheck run: {@code -Datoll.lincheck.iterations=N} (default 20, which keeps the
   * default build fast; raise it for a long run).
   */
  protected int iterations() {
    return Integer.getInteger("atoll.lincheck.iterations", 20);
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
  public Integer replace(@Param(name = "key") int key, @Param(name = "value") int value) {
    return map.replace(key, value);
  }

  @Operation
  public boolean replaceIfEquals(@Param(name = "key") int key, @Param(name = "value") int expected, @Param(name = "value") int value) {
    return map.replace(key, expected, value);
  }

  @Operation
  public boolean removeIfEquals(@Param(name = "key") int key, @Param(name = "value") int expected) {
    return map.remove(key, expected);
  }

  @Operation
  public Integer computeIncrement(@Param(name = "key") int key) {
    return map.compute(key, (k, v) -> v == null ? 1 : (v >= 3 ? null : v + 1));
  }

  @Operation
  public Integer computeIfAbsent(@Param(name = "key") int key, @Param(name = "value") int value) {
    return map.computeIfAbsent(key, k -> value);
  }

  @Operation
  public Integer mergeSum(@Param(name = "key") int key, @Param(name = "value") int value) {
    return map.merge(key, value, (a, b) -> a + b > 5 ? null : a + b);
  }

  @Operation
  public boolean containsKey(@Param(name = "key") int key) {
    return map.containsKey(key);
  }

  @Test
  void modelChecking() {
    new ModelCheckingOptions()
        .iterations(iterations())
        .invocationsPerIteration(300)
        .threads(2)
        .actorsPerThread(3)
        .sequentialSpecification(MapSpec.class)
        .check(getClass());
  }

  @Test
  void stress() {
    new StressOptions()
        .iterations(iterations())
        .invocationsPerIteration(1_000)
        .threads(2)
        .actorsPerThread(3)
        .sequentialSpecification(MapSpec.class)
        .check(getClass());
  }

  /** The sequential specification: the same operations on a {@link java.util.HashMap}. */
  public static final class MapSpec {
    private final java.util.HashMap<Integer, Integer> map = new java.util.HashMap<>();

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

    public Integer replace(int key, int value) {
      return map.replace(key, value);
    }

    public boolean replaceIfEquals(int key, int expected, int value) {
      return map.replace(key, expected, value);
    }

    public boolean removeIfEquals(int key, int expected) {
      return map.remove(key, expected);
    }

    public Integer computeIncrement(int key) {
      return map.compute(key, (k, v) -> v == null ? 1 : (v >= 3 ? null : v + 1));
    }

    public Integer computeIfAbsent(int key, int value) {
      return map.computeIfAbsent(key, k -> value);
    }

    public Integer mergeSum(int key, int value) {
      return map.merge(key, value, (a, b) -> a + b > 5 ? null : a + b);
    }

    public boolean containsKey(int key) {
      return map.containsKey(key);
    }
  }
}
