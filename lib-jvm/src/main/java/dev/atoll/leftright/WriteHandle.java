package dev.atoll.leftright;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.function.Function;
import java.util.function.Predicate;

/**
 * The writing side of a {@link LeftRightMap}: changes are made here and become visible to readers,
 * all together, at the next {@link #publish()}. Reads through this handle ({@link #get},
 * {@link #getOne}, {@link #size()}, ...) see the last published state, as readers do.
 *
 * <p>A write handle is used by one thread at a time. A second thread calling it while a call is in
 * progress gets an {@link IllegalStateException} (a cheap check, not a guarantee: handing the
 * handle from thread to thread needs a happens-before edge, as for any unsynchronized object). To
 * write from many threads, run each batch inside {@link #withLock}.
 *
 * <p>Bags are copy-on-write: the first change of a key's bag after a publish copies it (O(size of
 * the bag)); further changes to it before the next publish are in place. So publishing after every
 * single insert into a very large bag costs a copy each time.
 *
 * @param <K> the type of keys
 * @param <V> the type of values
 * @param <M> the type of the meta value
 */
public final class WriteHandle<K, V, M> implements AutoCloseable {
  private final LeftRightMap<K, V, M> lr;
  private final int initialCapacity;
  /** The copy readers are not in. Only this handle touches it. */
  private HashMap<K, Object> w;
  /** Keys to copy into the other copy at the next publish: true if the key's contents changed. */
  private final HashMap<K, Boolean> changed = new HashMap<>();
  private boolean purged;
  private M meta;
  private boolean metaChanged;
  /** The epoch the next publish will have; bags created in this batch carry it. */
  private long batch = 1;
  private boolean closed;
  /** 1 while a call runs: detects two threads using the handle at once. Through {@link #BUSY}. */
  @SuppressWarnings("unused")
  private int busy;
  private final Object lock = new Object();

  WriteHandle(LeftRightMap<K, V, M> lr, HashMap<K, Object> w, int initialCapacity, M meta) {
    this.lr = lr;
    this.w = w;
    this.initialCapacity = initialCapacity;
    this.meta = meta;
  }

  // ================================================================== writes (visible after publish)

  /**
   * Adds one copy of {@code value} to the bag of {@code key} (duplicates are kept).
   *
   * @return this handle
   * @throws NullPointerException if {@code key} or {@code value} is null
   */
  public WriteHandle<K, V, M> insert(K key, V value) {
    Objects.requireNonNull(key, "key");
    Objects.requireNonNull(value, "value");
    enterWrite();
    try {
      Object cur = w.get(key);
      if (cur == null) {
        w.put(key, value);
      } else {
        Values.Bag<V> bag = mutable(cur);
        w.put(key, bag.with(value));
      }
      changed(key);
      return this;
    } finally {
      exit();
    }
  }

  /**
   * Replaces the bag of {@code key} by the single value {@code value}.
   *
   * @return this handle
   * @throws NullPointerException if {@code key} or {@code value} is null
   */
  public WriteHandle<K, V, M> update(K key, V value) {
    Objects.requireNonNull(key, "key");
    Objects.requireNonNull(value, "value");
    enterWrite();
    try {
      w.put(key, value);
      changed(key);
      return this;
    } finally {
      exit();
    }
  }

  /**
   * Removes one copy of {@code value} from the bag of {@code key}, if there is one. The key stays,
   * with an empty bag if this was its last value (as in evmap; {@link #removeEntry} drops the key).
   *
   * @return this handle
   * @throws NullPointerException if {@code key} or {@code value} is null
   */
  public WriteHandle<K, V, M> removeValue(K key, V value) {
    Objects.requireNonNull(key, "key");
    Objects.requireNonNull(value, "value");
    enterWrite();
    try {
      Object cur = w.get(key);
      if (cur == null || (!(cur instanceof Values.Bag) && !cur.equals(value))) {
        return this;
      }
      Values.Bag<V> bag = mutable(cur);
      if (bag.removeOne(value)) {
        w.put(key, bag);
        changed(key);
      }
      return this;
    } finally {
      exit();
    }
  }

  /**
   * Removes {@code key} and all its values.
   *
   * @return this handle
   * @throws NullPointerException if {@code key} is null
   */
  public WriteHandle<K, V, M> removeEntry(K key) {
    Objects.requireNonNull(key, "key");
    enterWrite();
    try {
      if (w.remove(key) != null) {
        changed(key);
      }
      return this;
    } finally {
      exit();
    }
  }

  /**
   * evmap's name for {@link #removeEntry}: removes {@code key} and all its values.
   *
   * @return this handle
   * @throws NullPointerException if {@code key} is null
   */
  public WriteHandle<K, V, M> empty(K key) {
    return removeEntry(key);
  }

  /**
   * Empties the bag of {@code key} but keeps the key (readers see it with no values), adding the key
   * if it is absent.
   *
   * @return this handle
   * @throws NullPointerException if {@code key} is null
   */
  public WriteHandle<K, V, M> clear(K key) {
    Objects.requireNonNull(key, "key");
    enterWrite();
    try {
      w.put(key, new Values.Small<V>(batch, new Object[0], 0));
      changed(key);
      return this;
    } finally {
      exit();
    }
  }

  /**
   * Keeps only the values of {@code key} that {@code keep} accepts (called once per value); the key
   * stays, possibly with an empty bag.
   *
   * @return this handle
   * @throws NullPointerException if {@code key} or {@code keep} is null
   */
  public WriteHandle<K, V, M> retain(K key, Predicate<? super V> keep) {
    Objects.requireNonNull(key, "key");
    Objects.requireNonNull(keep, "keep");
    enterWrite();
    try {
      Object cur = w.get(key);
      if (cur == null) {
        return this;
      }
      Values.Bag<V> kept = new Values.Small<>(batch, new Object[4], 0);
      boolean dropped = false;
      for (V v : WriteHandle.<V>values(cur)) {
        if (keep.test(v)) {
          kept = kept.with(v);
        } else {
          dropped = true;
        }
      }
      if (dropped) {
        w.put(key, kept);
        changed(key);
      }
      return this;
    } finally {
      exit();
    }
  }

  /** Removes every key (the storage of the tables is kept for reuse; see {@link #purge()}). */
  public WriteHandle<K, V, M> clear() {
    enterWrite();
    try {
      for (K k : w.keySet()) {
        changed(k);
      }
      w.clear();
      return this;
    } finally {
      exit();
    }
  }

  /** Removes every key and drops the storage of both copies (they start again small). */
  public WriteHandle<K, V, M> purge() {
    enterWrite();
    try {
      for (K k : w.keySet()) {
        changed(k);
      }
      w = new HashMap<>(initialCapacity);
      purged = true;
      return this;
    } finally {
      exit();
    }
  }

  /**
   * Stores the values of {@code key} in the smallest form: one value inline, a few in an exact-size
   * array, many in a hash bag. Readers see the same values; the change is published like any other.
   *
   * @return this handle
   * @throws NullPointerException if {@code key} is null
   */
  public WriteHandle<K, V, M> fit(K key) {
    Objects.requireNonNull(key, "key");
    enterWrite();
    try {
      fitKey(key);
      return this;
    } finally {
      exit();
    }
  }

  /** {@link #fit} for every key. */
  public WriteHandle<K, V, M> fitAll() {
    enterWrite();
    try {
      for (K k : new ArrayList<>(w.keySet())) {
        fitKey(k);
      }
      return this;
    } finally {
      exit();
    }
  }

  /** Sets the meta value published with the next {@link #publish()} (may be null). */
  public WriteHandle<K, V, M> setMeta(M meta) {
    enterWrite();
    try {
      this.meta = meta;
      metaChanged = true;
      return this;
    } finally {
      exit();
    }
  }

  /** Returns whether there are changes (or a new meta) that the next publish would make visible. */
  public boolean hasPending() {
    return !changed.isEmpty() || purged || metaChanged;
  }

  /**
   * Makes every change since the last publish visible to readers, atomically: a reader sees all of
   * them or none. Waits until no reader is still reading the previous state (each for the length of
   * one read, or of a {@link ReadGuard} it holds), then brings the other copy up to date. Then calls
   * the {@linkplain #onPublish listeners}.
   *
   * @return the epoch of this publish (the new {@link #publishCount()})
   * @throws IllegalStateException if the map is closed; or, after the publish is complete, with the
   *     first exception a listener threw
   */
  public long publish() {
    enterWrite();
    List<RuntimeException> failures = null;
    long epoch;
    try {
      LeftRightMap.Published<K, M> old = lr.published();
      epoch = old.epoch + 1;
      lr.setPublished(new LeftRightMap.Published<>(w, epoch, meta, false)); // the swap
      HashMap<K, Object> fresh = w;
      lr.awaitReaders();
      HashMap<K, Object> stale = purged ? new HashMap<>(initialCapacity) : old.map;
      List<K> contentChanged = new ArrayList<>();
      for (Map.Entry<K, Boolean> c : changed.entrySet()) {
        K k = c.getKey();
        Object v = fresh.get(k);
        if (v == null) {
          stale.remove(k);
        } else {
          stale.put(k, v);
        }
        if (c.getValue()) {
          contentChanged.add(k);
        }
      }
      w = stale;
      changed.clear();
      purged = false;
      metaChanged = false;
      batch = epoch + 1;
      if (!lr.listeners.isEmpty()) {
        PublishEvent<K, M> event = new PublishEvent<>(epoch, meta, new java.util.HashSet<>(contentChanged));
        for (PublishListener<K, M> l : lr.listeners) {
          try {
            l.onPublish(event);
          } catch (RuntimeException e) {
            failures = failures == null ? new ArrayList<>() : failures;
            failures.add(e);
          }
        }
      }
      completeWaiting(epoch);
    } finally {
      exit();
    }
    if (failures != null) {
      RuntimeException first = failures.get(0);
      failures.subList(1, failures.size()).forEach(first::addSuppressed);
      throw first;
    }
    return epoch;
  }

  /**
   * Registers a listener called after each publish (see {@link PublishListener} for its rules). Safe
   * to call from any thread.
   *
   * @return a subscription; closing it removes the listener (idempotent)
   * @throws NullPointerException if {@code listener} is null
   * @throws IllegalStateException if the map is closed
   */
  public Subscription onPublish(PublishListener<K, M> listener) {
    Objects.requireNonNull(listener, "listener");
    lr.listeners.add(listener);
    if (lr.published().closed) {
      lr.listeners.remove(listener);
      throw new IllegalStateException("the map is closed");
    }
    return () -> lr.listeners.remove(listener);
  }

  /** The number of registered publish listeners (for diagnostics and tests). */
  public int listenerCount() {
    return lr.listeners.size();
  }

  /**
   * A future completed with the publish count once readers can see epoch {@code epoch} (at once if
   * they already can), or failed with {@link IllegalStateException} if the map is closed first.
   * Safe to call from any thread. Cancelling the returned future affects no other caller.
   */
  public CompletableFuture<Long> whenPublished(long epoch) {
    LeftRightMap.Published<K, M> p = lr.published();
    if (p.epoch >= epoch) {
      return CompletableFuture.completedFuture(p.epoch);
    }
    if (p.closed) {
      return CompletableFuture.failedFuture(new IllegalStateException("the map is closed"));
    }
    CompletableFuture<Long> f = lr.waiting.computeIfAbsent(epoch, e -> new CompletableFuture<>());
    p = lr.published(); // a publish may have drained `waiting` just before the add: check again
    if (p.closed) {
      f.completeExceptionally(new IllegalStateException("the map is closed"));
      lr.waiting.remove(epoch, f);
    } else if (p.epoch >= epoch) {
      f.complete(p.epoch);
      lr.waiting.remove(epoch, f);
    }
    return f.copy(); // callers share `f`: cancelling one's copy must not cancel the others
  }

  /**
   * Runs {@code batch} on this handle while holding the handle's lock, so that several threads can
   * write (and publish) through one handle; returns what {@code batch} returns.
   */
  public <R> R withLock(Function<? super WriteHandle<K, V, M>, R> batch) {
    synchronized (lock) {
      return batch.apply(this);
    }
  }

  /**
   * Closes the map: readers' later calls fail with {@link IllegalStateException}, listeners get
   * {@link PublishListener#onClose()} and are removed, pending {@link #whenPublished} futures fail.
   * Unpublished changes are dropped. Idempotent.
   */
  @Override
  public void close() {
    enter();
    try {
      if (closed) {
        return;
      }
      closed = true;
      LeftRightMap.Published<K, M> old = lr.published();
      lr.setPublished(new LeftRightMap.Published<>(old.map, old.epoch, old.meta, true));
      for (PublishListener<K, M> l : lr.listeners) {
        try {
          l.onClose();
        } catch (RuntimeException ignored) {
          // closing goes on for the other listeners
        }
      }
      lr.listeners.clear();
      IllegalStateException e = new IllegalStateException("the map is closed");
      lr.waiting.values().forEach(f -> f.completeExceptionally(e));
      lr.waiting.clear();
    } finally {
      exit();
    }
  }

  /** Returns whether this map has been closed. */
  public boolean isClosed() {
    return closed;
  }

  // ================================================================== reads of the published state

  /** The published values of {@code key}, or null if absent (as {@link ReadHandle#get}). */
  public Values<V> get(K key) {
    return values(published().map.get(Objects.requireNonNull(key, "key")));
  }

  /** One published value of {@code key}, or null (as {@link ReadHandle#getOne}). */
  @SuppressWarnings("unchecked")
  public V getOne(K key) {
    Object o = published().map.get(Objects.requireNonNull(key, "key"));
    return o instanceof Values.Bag ? ((Values.Bag<V>) o).getOne() : (V) o;
  }

  /** Whether {@code key} is published (possibly with an empty bag). */
  public boolean containsKey(K key) {
    return published().map.containsKey(Objects.requireNonNull(key, "key"));
  }

  /** The number of published keys. */
  public int size() {
    return published().map.size();
  }

  /** Whether no key is published. */
  public boolean isEmpty() {
    return size() == 0;
  }

  /** The published meta value. */
  public M meta() {
    return published().meta;
  }

  /** The number of publishes so far (the epoch readers see). */
  public long publishCount() {
    return published().epoch;
  }

  /** The thread-safe factory of read handles of this map. */
  public ReadHandleFactory<K, V, M> readers() {
    return lr.readers();
  }

  // ================================================================== machinery

  private LeftRightMap.Published<K, M> published() {
    LeftRightMap.Published<K, M> p = lr.published();
    if (p.closed) {
      throw new IllegalStateException("the map is closed");
    }
    return p;
  }

  @SuppressWarnings("unchecked")
  static <V> Values<V> values(Object stored) {
    if (stored == null || stored instanceof Values) {
      return (Values<V>) stored;
    }
    return new Values.One<>((V) stored);
  }

  /** The bag to change for a key currently stored as {@code cur}: owned by this batch. */
  @SuppressWarnings("unchecked")
  private Values.Bag<V> mutable(Object cur) {
    if (cur instanceof Values.Bag) {
      Values.Bag<V> b = (Values.Bag<V>) cur;
      return b.batch == batch ? b : b.copy(batch);
    }
    Object[] items = new Object[4];
    items[0] = cur;
    return new Values.Small<>(batch, items, 1);
  }

  private void fitKey(K key) {
    Object cur = w.get(key);
    if (!(cur instanceof Values.Bag)) {
      return; // absent or already inline
    }
    Values.Bag<?> b = (Values.Bag<?>) cur;
    Object fitted;
    if (b.size() == 1) {
      fitted = b.getOne();
    } else if (b.size() <= Values.Small.MAX) {
      fitted = new Values.Small<>(batch, b.toArray(), b.size());
    } else {
      return; // a hash bag holds exactly its distinct values
    }
    w.put(key, fitted);
    changed.putIfAbsent(key, Boolean.FALSE);
  }

  private void changed(K key) {
    changed.put(key, Boolean.TRUE);
  }

  private void completeWaiting(long epoch) {
    Map<Long, CompletableFuture<Long>> done = lr.waiting.headMap(epoch, true);
    done.values().forEach(f -> f.complete(epoch));
    done.clear();
  }

  private void enter() {
    if (!BUSY.compareAndSet(this, 0, 1)) {
      throw new IllegalStateException(
          "WriteHandle used by two threads at once; share it with withLock (or the suspending writer)");
    }
  }

  /** {@link #enter()} for an operation that needs an open map. */
  private void enterWrite() {
    enter();
    if (closed) {
      exit();
      throw new IllegalStateException("the map is closed");
    }
  }

  private void exit() {
    BUSY.setRelease(this, 0);
  }

  private static final VarHandle BUSY;

  static {
    try {
      BUSY = MethodHandles.lookup().findVarHandle(WriteHandle.class, "busy", int.class);
    } catch (ReflectiveOperationException e) {
      throw new ExceptionInInitializerError(e);
    }
  }
}
