/**
 * Atoll core: concurrent maps for the JVM.
 *
 * <p>Each public package is exported once its first structure lands:
 * {@code dev.atoll.map} (lock-free {@link java.util.concurrent.ConcurrentMap}s),
 * {@code dev.atoll.leftright} (the left-right map) and {@code dev.atoll.lock} (per-key locks).
 * {@code dev.atoll.internal} is never exported.
 */
module dev.atoll.core {
  exports dev.atoll.lock;
  exports dev.atoll.map;
  exports dev.atoll.leftright;
}
