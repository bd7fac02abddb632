package dev.atoll.testkit;

import java.util.concurrent.ConcurrentMap;
import org.jetbrains.lincheck.datastructures.IntGen;
import org.jetbrains.lincheck.datastructures.Operation;
import org.jetbrains.lincheck.datastructures.Param;

/**
 * Lincheck linearizability tests for any {@code ConcurrentMap<Integer, Integer>}: a subclass passes a
 * fresh map to the constructor (Lincheck builds one test instance per scenario through the no-argument
 * constructor) and gets a model-checking and a stress test ({@link MapLincheck}'s) of the operations
 * below and the core ones inherited from {@link MapLincheck}, checked against the independent
 * sequential specification {@link MapSpec}, a plain {@link java.util.HashMap}.
 *
 * <pre>{@code
 * class ChainedHashMapLincheckTest extends ConcurrentMapLincheck {
 *   ChainedHashMapLincheckTest() { super(new ChainedHashMap<>()); }
 * }
 * }</pre>
 *
 * <p>Keys come from a small range (1 to 4) so that operations meet; the JVM flags Lincheck needs are
 * in the surefire {@code argLine} of the root pom. {@code size()} is left out: it is not linearizable
 * in {@code ConcurrentHashMap} either (a quiescent-accurate counter), and each map tests it elsewhere.
 */
@Param(name = "key", gen = MapLincheck.Keys.class)
@Param(name = "value", gen = IntGen.class, conf = MapLincheck.VALUES)
public abstract class ConcurrentMapLincheck extends MapLincheck<ConcurrentMap<Integer, Integer>> {
  protected ConcurrentMapLincheck(ConcurrentMap<Integer, Integer> map) {
    super(map);
  }

  @Override
  protected final String keys() {
    return "1:4";
  }

  @Override
  protected final Class<?> specification() {
    return MapSpec.class;
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

  /** The sequential specification: the same operations on a {@link java.util.HashMap}. */
  public static final class MapSpec extends MapLincheck.Spec {
    public Integer replace(int key, int value) {
      return map.replace(key, value);
    }

    public boolean replaceIfEquals(int key, int expected, int value) {
      return map.replace(key, expected, value);
    }

    public boolean removeIfEquals(int key, int expected) {
      return map.remove(key, expected);
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
