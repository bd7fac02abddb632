package dev.atoll.testkit;

import com.google.common.collect.testing.ConcurrentMapTestSuiteBuilder;
import com.google.common.collect.testing.TestStringMapGenerator;
import com.google.common.collect.testing.features.CollectionFeature;
import com.google.common.collect.testing.features.CollectionSize;
import com.google.common.collect.testing.features.Feature;
import com.google.common.collect.testing.features.MapFeature;
import java.lang.reflect.Method;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Enumeration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentMap;
import java.util.function.Function;
import java.util.function.Supplier;
import java.util.stream.Stream;
import junit.framework.Test;
import junit.framework.TestCase;
import junit.framework.TestSuite;
import org.junit.jupiter.api.DynamicContainer;
import org.junit.jupiter.api.DynamicNode;
import org.junit.jupiter.api.DynamicTest;

/**
 * Guava testlib's generated {@code ConcurrentMap} suite (about a thousand tests of the
 * {@code Map}/{@code ConcurrentMap} contract and its views) adapted to JUnit 5 dynamic tests, so that
 * each map adds it with one line:
 *
 * <pre>{@code
 * @TestFactory
 * Stream<DynamicNode> guavaTestlib() {
 *   return GuavaMapSuite.tests("ChainedHashMap", ChainedHashMap::new);
 * }
 * }</pre>
 */
public final class GuavaMapSuite {
  private GuavaMapSuite() {}

  /** The features every Atoll {@code ConcurrentMap} has: general purpose, no nulls, iterator remove. */
  public static final Feature<?>[] STANDARD_FEATURES = {
    MapFeature.GENERAL_PURPOSE,
    CollectionFeature.SUPPORTS_ITERATOR_REMOVE,
    CollectionSize.ANY,
  };

  /** The generated suite for an empty-map factory, with {@link #STANDARD_FEATURES}. */
  public static Stream<DynamicNode> tests(String name, Supplier<? extends ConcurrentMap<String, String>> factory) {
    return tests(name, entries -> {
      ConcurrentMap<String, String> map = factory.get();
      for (Map.Entry<String, String> e : entries) {
        map.put(e.getKey(), e.getValue());
      }
      return map;
    }, STANDARD_FEATURES);
  }

  /**
   * The generated suite for a map built from the given entries (a map that cannot be empty-built,
   * such as a snapshot, uses this form), with the given features.
   */
  public static Stream<DynamicNode> tests(
      String name, Function<List<Map.Entry<String, String>>, ? extends Map<String, String>> build, Feature<?>... features) {
    return tests(name, build, List.of(), features);
  }

  /**
   * As {@link #tests(String, Function, Feature...)}, leaving out the given tester methods; each
   * suppression must be explained where it is made (the JDK example uses it for a deliberate
   * {@code ConcurrentHashMap} extension, never to hide an Atoll bug).
   */
  public static Stream<DynamicNode> tests(
      String name,
      Function<List<Map.Entry<String, String>>, ? extends Map<String, String>> build,
      Collection<Method> suppressed,
      Feature<?>... features) {
    TestSuite suite = ConcurrentMapTestSuiteBuilder.using(new TestStringMapGenerator() {
          @Override
          protected Map<String, String> create(Map.Entry<String, String>[] entries) {
            return build.apply(List.of(entries));
          }
        })
        .named(name)
        .withFeatures(features)
        .suppressing(suppressed)
        .createTestSuite();
    return children(suite);
  }

  private static Stream<DynamicNode> children(TestSuite suite) {
    List<DynamicNode> nodes = new ArrayList<>();
    for (Enumeration<Test> e = suite.tests(); e.hasMoreElements(); ) {
      nodes.add(node(e.nextElement()));
    }
    return nodes.stream();
  }

  private static DynamicNode node(Test test) {
    if (test instanceof TestSuite) {
      TestSuite s = (TestSuite) test;
      return DynamicContainer.dynamicContainer(s.getName(), children(s));
    }
    TestCase tc = (TestCase) test;
    return DynamicTest.dynamicTest(tc.getName(), tc::runBare);
  }
}
