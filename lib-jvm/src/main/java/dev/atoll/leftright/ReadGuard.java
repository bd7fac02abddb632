package dev.atoll.leftright;

import java.util.AbstractMap;
import java.util.Map;
import java.util.Objects;
import java.util.function.BiConsumer;
import java.util.stream.Stream;

/**
 * One published state of a {@link LeftRightMap}, held by a reader from {@link ReadHandle#enter()}
 * until {@link #close()} (use try-with-resources). Every read through the guard (or through its
 * handle meanwhile) sees that state, however many publishes happen; the writer's next
 * {@code publish()} waits until the guard is closed, so hold it only for one iteration or a few
 * reads. Belongs to the handle's thread. Using it after {@code close()} throws
 * {@link IllegalStateException}.
 *
 * @param <K> the type of keys
 * @param <V> the type of values
 * @param <M> the type of the meta value
 */
public final class ReadGuard<K, V, M> implements AutoCloseable {
  private final ReadHandle<K, V, M> handle;
  private final LeftRightMap.Published<K, M> state;
  private boolean closed;

  ReadGuard(ReadHandle<K, V, M> handle, LeftRightMap.Published<K, M> state) {
    this.handle = handle;
    this.state = state;
  }

  /** The values of {@code key} in this state, or null if absent. */
  public Values<V> get(K key) {
    return WriteHandle.values(state().map.get(Objects.requireNonNull(key, "key")));
  }

  /** One value of {@code key} in this state, or null. */
  public V getOne(K key) {
    Values<V> v = get(key);
    return v == null ? null : v.getOne();
  }

  /** Whether {@code key} is present in this state. */
  public boolean containsKey(K key) {
    return state().map.containsKey(Objects.requireNonNull(key, "key"));
  }

  /** The number of keys in this state. */
  public int size() {
    return state().map.size();
  }

  /** Whether this state has no key. */
  public boolean isEmpty() {
    return size() == 0;
  }

  /** The meta value of this state. */
  public M meta() {
    return state().meta;
  }

  /** The epoch of this state (the publish count it shows). */
  public long publishCount() {
    return state().epoch;
  }

  /** Calls {@code action} for every key of this state and its values. */
  public void forEach(BiConsumer<? super K, ? super Values<V>> action) {
    Objects.requireNonNull(action, "action");
    state().map.forEach((k, v) -> action.accept(k, WriteHandle.values(v)));
  }

  /**
   * The keys of this state with their values, as immutable entries. Consume the stream before
   * closing the guard.
   */
  public Stream<Map.Entry<K, Values<V>>> stream() {
    return state().map.entrySet().stream()
        .map(e -> new AbstractMap.SimpleImmutableEntry<>(e.getKey(), WriteHandle.<V>values(e.getValue())));
  }

  /** Leaves the state: the writer may reuse its copy. Idempotent. */
  @Override
  public void close() {
    if (!closed) {
      closed = true;
      handle.leaveGuard();
    }
  }

  LeftRightMap.Published<K, M> state() {
    if (closed) {
      throw new IllegalStateException("this ReadGuard is closed");
    }
    return state;
  }
}
