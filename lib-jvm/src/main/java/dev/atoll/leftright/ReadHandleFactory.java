package dev.atoll.leftright;

/**
 * Makes {@link ReadHandle}s of one {@link LeftRightMap}. Thread-safe: share it freely, and give each
 * reading thread its own handle. Making a handle never waits for a publish in progress.
 *
 * @param <K> the type of keys
 * @param <V> the type of values
 * @param <M> the type of the meta value
 */
public final class ReadHandleFactory<K, V, M> {
  private final LeftRightMap<K, V, M> lr;

  ReadHandleFactory(LeftRightMap<K, V, M> lr) {
    this.lr = lr;
  }

  /**
   * A new read handle, for one thread.
   *
   * @throws IllegalStateException if the map is closed
   */
  public ReadHandle<K, V, M> handle() {
    if (lr.published().closed) {
      throw new IllegalStateException("the map is closed");
    }
    ReadHandle<K, V, M> h = new ReadHandle<>(lr);
    lr.handles.add(h);
    return h;
  }

  /** The number of open read handles (for diagnostics and tests). */
  public int handleCount() {
    return lr.handles.size();
  }
}
