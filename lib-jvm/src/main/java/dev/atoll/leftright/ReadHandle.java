package dev.atoll.leftright;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.Objects;
import java.util.function.BiConsumer;

/**
 * A reader of a {@link LeftRightMap}: sees the state of the last {@link WriteHandle#publish()}, and
 * never locks, waits or retries. Made by {@link ReadHandleFactory#handle()}; cheap to make.
 *
 * <p>A read handle belongs to one thread (it keeps a per-reader counter that the writer watches;
 * sharing one between threads at once breaks the wait of {@code publish()}). Make one per thread,
 * and close it when the thread is done with the map, so that the writer stops watching it.
 *
 * <p>Each read ({@link #get}, {@link #getOne}, ...) sees one published state; two reads may see two
 * different publishes, never going back in time. To see one state across several reads or an
 * iteration, {@link #enter()} a {@link ReadGuard} (try-with-resources), and close it soon: the
 * next {@code publish()} waits for it.
 *
 * <p>{@link #getOne} and {@link #containsKey} allocate nothing; {@link #get} returns the stored bag
 * for keys with several values, and a small view (which escape analysis usually removes) for a key
 * with a single value, since that value is stored inline.
 *
 * <p>Every method throws {@link IllegalStateException} once this handle or the map is closed, and
 * {@link NullPointerException} for a null key or value.
 *
 * @param <K> the type of keys
 * @param <V> the type of values
 * @param <M> the type of the meta value
 */
public final class ReadHandle<K, V, M> extends ReadHandlePadding.Padded implements AutoCloseable {
  private final LeftRightMap<K, V, M> lr;
  /** The open guard of this handle, or null. */
  ReadGuard<K, V, M> guard;
  private boolean closed;

  ReadHandle(LeftRightMap<K, V, M> lr) {
    this.lr = lr;
  }

  /** The values of {@code key} as last published, or null if the key is absent. */
  public Values<V> get(K key) {
    Objects.requireNonNull(key, "key");
    LeftRightMap.Published<K, M> p = enterRead();
    try {
      return WriteHandle.values(p.map.get(key));
    } finally {
      exitRead();
    }
  }

  /** One value of {@code key} as last published (the first inserted, for a few values), or null. */
  @SuppressWarnings("unchecked")
  public V getOne(K key) {
    Objects.requireNonNull(key, "key");
    LeftRightMap.Published<K, M> p = enterRead();
    try {
      Object o = p.map.get(key);
      return o instanceof Values.Bag ? ((Values.Bag<V>) o).getOne() : (V) o;
    } finally {
      exitRead();
    }
  }

  /** Whether {@code key} is published (possibly with an empty bag). */
  public boolean containsKey(K key) {
    Objects.requireNonNull(key, "key");
    LeftRightMap.Published<K, M> p = enterRead();
    try {
      return p.map.containsKey(key);
    } finally {
      exitRead();
    }
  }

  /** Whether the published bag of {@code key} holds {@code value}. */
  public boolean containsValue(K key, V value) {
    Objects.requireNonNull(key, "key");
    Objects.requireNonNull(value, "value");
    LeftRightMap.Published<K, M> p = enterRead();
    try {
      Object o = p.map.get(key);
      return o instanceof Values ? ((Values<?>) o).contains(value) : value.equals(o);
    } finally {
      exitRead();
    }
  }

  /** The number of published keys. */
  public int size() {
    LeftRightMap.Published<K, M> p = enterRead();
    try {
      return p.map.size();
    } finally {
      exitRead();
    }
  }

  /** Whether no key is published. */
  public boolean isEmpty() {
    return size() == 0;
  }

  /** The published meta value. */
  public M meta() {
    LeftRightMap.Published<K, M> p = enterRead();
    try {
      return p.meta;
    } finally {
      exitRead();
    }
  }

  /** The epoch this handle reads: the number of publishes so far (0 before the first). */
  public long publishCount() {
    LeftRightMap.Published<K, M> p = enterRead();
    try {
      return p.epoch;
    } finally {
      exitRead();
    }
  }

  /**
   * Calls {@code action} for every published key and its values, all from one publish (inside a
   * guard, so a publish waits until it returns).
   */
  public void forEach(BiConsumer<? super K, ? super Values<V>> action) {
    Objects.requireNonNull(action, "action");
    try (ReadGuard<K, V, M> g = enter()) {
      g.forEach(action);
    }
  }

  /**
   * Starts reading one published state: until the guard is closed, every read through it or through
   * this handle sees that state, and {@code publish()} waits for it.
   *
   * @throws IllegalStateException if a guard of this handle is already open, or if this handle or
   *     the map is closed
   */
  public ReadGuard<K, V, M> enter() {
    if (guard != null) {
      throw new IllegalStateException("this ReadHandle already has an open ReadGuard");
    }
    LeftRightMap.Published<K, M> p = enterRead();
    guard = new ReadGuard<>(this, p);
    return guard;
  }

  /** The thread-safe factory of handles of this map, to make handles for other threads. */
  public ReadHandleFactory<K, V, M> factory() {
    return lr.readers();
  }

  /** Whether this handle is closed. */
  public boolean isClosed() {
    return closed;
  }

  /** Closes this handle (and its open guard, if any); the writer stops watching it. Idempotent. */
  @Override
  public void close() {
    if (closed) {
      return;
    }
    if (guard != null) {
      guard.close();
    }
    closed = true;
    lr.handles.remove(this);
  }

  // ================================================================== entering and leaving

  /** The state to read: the guard's, or a fresh one with the counter made odd (see the notes). */
  private LeftRightMap.Published<K, M> enterRead() {
    ReadGuard<K, V, M> g = guard;
    if (g != null) {
      return g.state();
    }
    if (closed) {
      throw new IllegalStateException("this ReadHandle is closed");
    }
    EPOCH.setVolatile(this, epoch + 1);
    LeftRightMap.Published<K, M> p = lr.published();
    if (p.closed) {
      EPOCH.setRelease(this, epoch + 1);
      throw new IllegalStateException("the map is closed");
    }
    return p;
  }

  private void exitRead() {
    if (guard == null) {
      EPOCH.setRelease(this, epoch + 1);
    }
  }

  /** Called by the guard's close. */
  void leaveGuard() {
    guard = null;
    EPOCH.setRelease(this, epoch + 1);
  }

  /** The counter, for the writer. */
  long epochVolatile() {
    return (long) EPOCH.getVolatile(this);
  }

  private static final VarHandle EPOCH;

  static {
    try {
      EPOCH = MethodHandles.lookup().findVarHandle(ReadHandlePadding.Counter.class, "epoch", long.class);
    } catch (ReflectiveOperationException e) {
      throw new ExceptionInInitializerError(e);
    }
  }
}
