package dev.atoll.leftright;

import java.util.Set;

/**
 * What one {@link WriteHandle#publish()} made visible: its epoch (the publish count readers report
 * from then on), the meta published with it, and the keys whose values changed in it (added,
 * updated or removed; a key changed and changed back within one batch is still listed).
 *
 * @param epoch the publish count after this publish (1 for the first publish)
 * @param meta the meta value published with it, possibly null
 * @param changedKeys the keys whose values changed in this publish, unmodifiable
 * @param <K> the type of keys
 * @param <M> the type of the meta value
 */
public record PublishEvent<K, M>(long epoch, M meta, Set<K> changedKeys) {
  /** Checks and freezes the arguments. */
  public PublishEvent {
    changedKeys = Set.copyOf(changedKeys);
  }
}
