package dev.atoll.testkit;

import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.ConcurrentMap;
import org.jetbrains.lincheck.datastructures.IntGen;
import org.jetbrains.lincheck.datastructures.ModelCheckingOptions;
import org.jetbrains.lincheck.datastructures.Operation;
import org.jetbrains.lincheck.datastructures.Options;
import org.jetbrains.lincheck.datastructures.Param;
import org.jetbrains.lincheck.datastructures.ParameterGenerator;
import org.jetbrains.lincheck.datastructures.RandomProvider;
import org.jetbrains.lincheck.datastructures.StressOptions;
import org.junit.jupiter.api.Test;

/**
 * The common part of the kit's Lincheck tests of {@code Integer -> Integer} maps: the core operations
 * ({@code get}, {@code put}, {@code remove}, {@code putIfAbsent}, {@code compute}) on the map passed to
 * the constructor, a model-checking and a stress run against {@link #specification()}, and the key
 * range of the scenarios. A subclass adds its own operations (annotated here as Lincheck expects:
 * {@code @Operation} methods of the test class and of its superclasses), its map, its starting keys,
 * its specification and, where it needs other ones, its Lincheck options.
 *
 * <p>Key range: Lincheck (3.7) resolves the named {@code @Param} generators of an operation in the
 * class that declares the operation, so the operations inherited from here would always draw keys
 * from a range fixed here. Instead, the {@code "key"} generator is {@link Keys}, which takes the
 * range of the running test from {@link #keys()}. A subclass with operations of its own that take a
 * key declares {@code @Param(name = "key", gen = MapLincheck.Keys.class)} (and the values
 * {@code @Param(name = "value", gen = IntGen.class, conf = MapLincheck.VALUES)}) on its class.
 */
@Param(name = "key", gen = MapLincheck.Keys.class)
@Param(name = "value", gen = IntGen.class, conf = MapLincheck.VALUES)
public abstract class MapLincheck<M extends ConcurrentMap<Integer, Integer>> {
  /** The values of the scenarios: 1 to 3. */
  public static final String VALUES = "1:3";

  /** The key range of the test being checked on this thread, for {@link Keys}. */
  private static final ThreadLocal<String> KEY_RANGE = new ThreadLocal<>();

  /** The map under test (Lincheck builds one test instance, so one map, per scenario). */
  protected final M map;

  protected MapLincheck(M map) {
    this.map = map;
  }

  /** The keys of the scenarios, as Lincheck's {@link IntGen} range {@code "first:last"}. */
  protected abstract String keys();

  /** The sequential specification: a public class with a public no-argument constructor. */
  protected abstract Class<?> specification();

  /**
   * Scenarios per Lincheck run: {@code -Datoll.lincheck.iterations=N} (default 20, which keeps the
   * default build fast; raise it for a long run).
   */
  protected int iterations() {
    return defaultIterations();
  }

  /** {@code -Datoll.lincheck.iterations=N}, default 20. */
  public static int defaultIterations() {
    return Integer.getInteger("atoll.lincheck.iterations", 20);
  }

  /** This test's model checking: {@link #modelChecking(int)} of {@link #iterations()}. */
  protected ModelCheckingOptions modelCheckingOptions() {
    return modelChecking(iterations());
  }

  /** This test's stress run: {@link #stress(int)} of {@link #iterations()}. */
  protected StressOptions stressOptions() {
    return stress(iterations());
  }

  /**
   * The kit's model checking: {@code iterations} scenarios of 2 threads with 3 operations each, 300
   * interleavings per scenario.
   */
  public static ModelCheckingOptions modelChecking(int iterations) {
    return new ModelCheckingOptions()
        .iterations(iterations)
        .invocationsPerIteration(300)
        .threads(2)
        .actorsPerThread(3);
  }

  /**
   * The kit's stress run: {@code iterations} scenarios of 2 threads with 3 operations each, run 1000
   * times per scenario.
   */
  public static StressOptions stress(int iterations) {
    return new StressOptions()
        .iterations(iterations)
        .invocationsPerIteration(1_000)
        .threads(2)
        .actorsPerThread(3);
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

  @Test
  void modelChecking() {
    check(modelCheckingOptions());
  }

  @Test
  void stress() {
    check(stressOptions());
  }

  private void check(Options<?, ?> options) {
    KEY_RANGE.set(keys());
    try {
      options.sequentialSpecification(specification()).check(getClass());
    } finally {
      KEY_RANGE.remove();
    }
  }

  /**
   * The {@code "key"} generator: an {@link IntGen} over the {@link #keys()} of the test that is being
   * checked on this thread (Lincheck builds the generators in {@code check}, on the calling thread).
   */
  public static final class Keys implements ParameterGenerator<Integer> {
    private final IntGen keys;

    /** Lincheck's generator constructor; {@code configuration} is unused (the range is the test's). */
    public Keys(RandomProvider random, String configuration) {
      String range = KEY_RANGE.get();
      if (range == null) {
        throw new IllegalStateException("MapLincheck.Keys is used outside MapLincheck's check");
      }
      keys = new IntGen(random, range);
    }

    @Override
    public Integer generate() {
      return keys.generate();
    }

    @Override
    public void reset() {
      keys.reset();
    }
  }

  /** The sequential specification of the core operations, on a {@link HashMap}. */
  public static class Spec {
    /** The model map. */
    protected final HashMap<Integer, Integer> map = new HashMap<>();

    /** A specification that starts empty. */
    protected Spec() {}

    /** A specification that starts with {@code initial}. */
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
  }
}
