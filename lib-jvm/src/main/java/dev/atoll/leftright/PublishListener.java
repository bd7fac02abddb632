package dev.atoll.leftright;

/**
 * Receives the publishes of a {@link LeftRightMap}; registered with
 * {@link WriteHandle#onPublish(PublishListener)}.
 *
 * <p>Both methods run on the writer's thread, inside {@code publish()} and {@code close()}, after
 * the new state is visible to every reader: keep them short and never block in them (hand the event
 * to a queue or a channel, as the Kotlin {@code publishes()} flow does). An exception thrown by a
 * listener does not undo the publish nor stop other listeners from being called; {@code publish()}
 * rethrows it after all have run.
 *
 * @param <K> the type of keys
 * @param <M> the type of the meta value
 */
@FunctionalInterface
public interface PublishListener<K, M> {
  /** Called once per publish, in publish order. */
  void onPublish(PublishEvent<K, M> event);

  /** Called once when the map is closed; no event follows. The default does nothing. */
  default void onClose() {}
}
