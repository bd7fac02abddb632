package dev.atoll.lock;

import dev.atoll.testkit.ConcurrentMapContract;
import dev.atoll.testkit.GuavaMapSuite;
import java.util.Map;
import java.util.concurrent.ConcurrentMap;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicNode;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.function.Executable;

/** {@link LockMap} as a plain {@code ConcurrentMap}: the shared contract and Guava's suite. */
class LockMapContractTest extends ConcurrentMapContract {
  @Override
  protected <K, V> ConcurrentMap<K, V> newMap() {
    return new LockMap<>();
  }

  @Override
  protected Map<String, Executable> badConstructorCalls() {
    return Map.of(
        "shards", () -> new LockMap<>(0),
        "shards must", () -> new LockMap<>(3),
        "shards must be", () -> new LockMap<>(-4));
  }

  @TestFactory
  Stream<DynamicNode> guavaTestlib() {
    return GuavaMapSuite.tests("LockMap", LockMap::new);
  }

  @TestFactory
  Stream<DynamicNode> guavaTestlibOneShard() {
    return GuavaMapSuite.tests("LockMap 1 shard", () -> new LockMap<>(1));
  }
}
