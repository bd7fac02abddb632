package dev.atoll.testkit;

import com.google.common.collect.testing.testers.CollectionAddAllTester;
import com.google.common.collect.testing.testers.CollectionAddTester;
import java.lang.reflect.Method;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicNode;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.function.Executable;

/**
 * The kit run against {@link ConcurrentHashMap}: the reference every Atoll map is held to, and the
 * first example of how a map wires the contract and the Guava testlib suite (Lincheck:
 * {@link JdkConcurrentHashMapLincheckTest}).
 */
class JdkConcurrentHashMapTest extends ConcurrentMapContract {
  @Override
  protected <K, V> ConcurrentMap<K, V> newMap() {
    return new ConcurrentHashMap<>();
  }

  @Override
  protected Map<String, Executable> badConstructorCalls() {
    // ConcurrentHashMap's IllegalArgumentException carries no message: "" accepts any.
    return Map.of("", () -> new ConcurrentHashMap<>(-1));
  }

  @TestFactory
  Stream<DynamicNode> guavaTestlib() {
    // ConcurrentHashMap.entrySet().add(e) puts the entry: a documented extension that Guava's
    // generated suite expects to be unsupported, so the "add is unsupported" testers are left out.
    List<Method> suppressed = new ArrayList<>();
    for (Method m : CollectionAddTester.class.getMethods()) {
      if (m.getName().contains("_unsupported")) {
        suppressed.add(m);
      }
    }
    for (Method m : CollectionAddAllTester.class.getMethods()) {
      if (m.getName().contains("_unsupported")) {
        suppressed.add(m);
      }
    }
    return GuavaMapSuite.tests("ConcurrentHashMap", entries -> {
      ConcurrentHashMap<String, String> map = new ConcurrentHashMap<>();
      entries.forEach(e -> map.put(e.getKey(), e.getValue()));
      return map;
    }, suppressed, GuavaMapSuite.STANDARD_FEATURES);
  }

}
