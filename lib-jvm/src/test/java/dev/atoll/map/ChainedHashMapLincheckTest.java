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
  /**
   * A fixed hash seed: Lincheck replays each interleaving on a fresh map and needs the same bucket
   * layout every time (with 2 buckets, whether keys 1..4 share one depends on the seed).
   */
  private static final int SEED = 0x5eed;

  public ChainedHashMapLincheckTest() {
    super(new ChainedHashMap<>(0, SEED));
  }
}
