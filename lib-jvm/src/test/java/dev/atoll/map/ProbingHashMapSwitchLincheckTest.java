package dev.atoll.map;

import dev.atoll.testkit.ConcurrentMapLincheck;

/**
 * Lincheck model checking and stress of {@link ProbingHashMap} across its switch to the seeded
 * layout. The hash codes are rotated right by 3 bits (as a segment of a SegmentedHashMap of 8
 * rotates them), so the scenario keys 1..4 share one home in the unseeded table, and the map is
 * built to switch on the first insert that passes a slot: most scenarios run the resize into the
 * seeded table concurrently with the operations checked.
 */
// Test classes are compiled into the dev.atoll.core module, whose dev.atoll.map package is
// exported while the test kit's is not; the kit's base class is public API of this test only.
@SuppressWarnings("exports")
public class ProbingHashMapSwitchLincheckTest extends ConcurrentMapLincheck {
  public ProbingHashMapSwitchLincheckTest() {
    super(new ProbingHashMap<>(0, 0x5EED, 3, true));
  }
}
