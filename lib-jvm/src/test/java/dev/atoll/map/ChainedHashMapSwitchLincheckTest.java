package dev.atoll.map;

import dev.atoll.testkit.ConcurrentMapLincheck;

/**
 * Lincheck model checking and stress of {@link ChainedHashMap} across its switch to the seeded
 * layout: the map starts unseeded with 2 buckets and switches as soon as an insert finds another
 * key in its bucket, so most scenarios run the reseeding resize (frozen buckets, Building buckets
 * that writers unwrap, helpers that add nodes late) concurrently with the operations checked.
 */
// Test classes are compiled into the dev.atoll.core module, whose dev.atoll.map package is
// exported while the test kit's is not; the kit's base class is public API of this test only.
@SuppressWarnings("exports")
public class ChainedHashMapSwitchLincheckTest extends ConcurrentMapLincheck {
  /** A fixed hash seed: Lincheck replays each interleaving on a fresh map and needs one layout. */
  private static final int SEED = 0x5eed;

  public ChainedHashMapSwitchLincheckTest() {
    super(new ChainedHashMap<>(0, SEED, false, 1));
  }
}
