package dev.atoll.map;

import dev.atoll.testkit.ConcurrentMapLincheck;

/**
 * Lincheck model checking and stress of {@link ProbingHashMap} with the shared operation set. The
 * map starts at the minimum table length, so four keys already trigger grow and purge resizes; the
 * seed is fixed so that every replay of an interleaving sees the same layout.
 */
// Test classes are compiled into the dev.atoll.core module, whose dev.atoll.map package is
// exported while the test kit's is not; the kit's base class is public API of this test only.
@SuppressWarnings("exports")
public class ProbingHashMapLincheckTest extends ConcurrentMapLincheck {
  public ProbingHashMapLincheckTest() {
    super(new ProbingHashMap<>(0, 0x5EED));
  }
}
