package dev.atoll.leftright;

/**
 * A registration that can be cancelled, such as a publish listener
 * ({@link WriteHandle#onPublish}). {@link #close()} is idempotent and throws nothing.
 */
@FunctionalInterface
public interface Subscription extends AutoCloseable {
  /** Cancels the registration; later calls do nothing. */
  @Override
  void close();
}
