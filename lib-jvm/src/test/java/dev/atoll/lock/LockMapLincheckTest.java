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

  /**
   * Half the kit's scenarios: a blocked key parks a thread, which makes each stress invocation
   * slower than for the lock-free maps; {@code -Datoll.lincheck.iterations=N} still scales it.
   */
  @Override
  protected int iterations() {
    return Math.max(1, super.iterations() / 2);
  }
}
