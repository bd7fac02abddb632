package dev.atoll.map;

import dev.atoll.testkit.ConcurrentMapLincheck;

/**
 * Lincheck model checking and stress of {@link SegmentedHashMap} (two segments, so that the four
 * keys meet in one segment and also spread over both) with the shared operation set and a fixed
 * seed.
 */
// Test classes are compiled into the dev.atoll.core module, whose dev.atoll.map package is
// exported while the test kit's is not; the kit's base class is public API of this test only.
@SuppressWarnings("exports")
public class SegmentedHashMapLincheckTest extends ConcurrentMapLincheck {
  public SegmentedHashMapLincheckTest() {
    super(new SegmentedHashMap<>(2, 0, 0x5EED));
  }

  /** Half the default scenarios: the segments run ProbingHashMap's code, checked in full there. */
  @Override
  protected int iterations() {
    return Math.max(1, super.iterations() / 2);
  }
}
