package dev.atoll.map;

import dev.atoll.testkit.ConcurrentMapLincheck;

/** Lincheck model checking and stress of {@link HopscotchHashMap} with the shared operation set. */
// Test classes are compiled into the dev.atoll.core module, whose dev.atoll.map package is
// exported while the test kit's is not; the kit's base class is public API of this test only.
@SuppressWarnings("exports")
public class HopscotchHashMapLincheckTest extends ConcurrentMapLincheck {
  public HopscotchHashMapLincheckTest() {
    super(new HopscotchHashMap<>());
  }
}
