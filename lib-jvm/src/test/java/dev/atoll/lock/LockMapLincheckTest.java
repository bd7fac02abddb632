package dev.atoll.lock;

import dev.atoll.testkit.ConcurrentMapLincheck;

/** Lincheck model checking and stress of {@link LockMap} (two shards) with the shared operations. */
// Test classes are compiled into the dev.atoll.core module, whose dev.atoll.lock package is
// exported while the test kit's is not; the kit's base class is public API of this test only.
@SuppressWarnings("exports")
public class LockMapLincheckTest extends ConcurrentMapLincheck {
  public LockMapLincheckTest() {
    super(new LockMap<>(2));
  }
}
