package dev.atoll.map;

import dev.atoll.testkit.ConcurrentMapLincheck;

/**
 * Lincheck model checking and stress of {@link ChainedHashMap} with the shared operation set. The map
 * starts with the smallest table (2 buckets, initial capacity 0), so that the few keys of a scenario
 * make it grow and shrink: resizes, frozen and forwarded buckets are part of what is checked.
 */
// Test classes are compiled into the dev.atoll.core module, whose dev.atoll.map package is
// exported while the test kit's is not; the kit's base class is public API of this test only.
@SuppressWarnings("exports")
public class ChainedHashMapLincheckTest extends ConcurrentMapLincheck {
  public ChainedHashMapLincheckTest() {
    super(new ChainedHashMap<>(0));
  }
}
