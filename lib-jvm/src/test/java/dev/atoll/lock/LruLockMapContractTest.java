package dev.atoll.lock;

import dev.atoll.testkit.ConcurrentMapContract;
import dev.atoll.testkit.GuavaMapSuite;
import java.util.Map;
import java.util.concurrent.ConcurrentMap;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicNode;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.function.Executable;

/**
 * {@link LruLockMap} with a capacity larger than any test uses, as a plain {@code ConcurrentMap}:
 * the LRU bookkeeping runs on every operation but never evicts. Eviction: {@link LruLockMapTest}.
 */
class LruLockMapContractTest extends ConcurrentMapContract {
  @Override
  protected <K, V> ConcurrentMap<K, V> newMap() {
    return new LruLockMap<>(Integer.MAX_VALUE);
  }

  @Override
  protected Map<String, Executable> badConstructorCalls() {
    return Map.of(
        "capacity", () -> new LruLockMap<>(0),
        "capacity must", () -> new LruLockMap<>(-1, 4),
        "shards", () -> new LruLockMap<>(10, 6));
  }

  @TestFactory
  Stream<DynamicNode> guavaTestlib() {
    return GuavaMapSuite.tests("LruLockMap", () -> new LruLockMap<>(1 << 20));
  }
}
