package dev.atoll.leftright;

import dev.atoll.internal.Sizing;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.HashMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.locks.LockSupport;

/**
 * A left-right, eventually consistent multi-value map (after evmap): readers never lock, never wait
 * and never retry, and one writer's changes become visible to all of them together, at the moment
 * the writer calls {@link WriteHandle#publish()}.
 *
 * <pre>{@code
 * LeftRightMap<String, String, Instant> reviews = LeftRightMap.create();
 * WriteHandle<String, String, Instant> w = reviews.writer();
 * w.insert("Dune", "a classic").insert("Dune", "too long");
 * w.setMeta(Instant.now());
 * w.publish();                                  // readers now see both reviews, and the meta
 *
 * try (ReadHandle<String, String, Instant> r = reviews.readers().handle()) {   // one per thread
 *   Values<String> dune = r.get("Dune");        // ["a classic", "too long"]
 * }
 * }</pre>
 *
 * <p>Each key maps to a bag of values ({@link Values}); the map also carries a meta value, published
 * with the data. Memory is about twice a {@link HashMap}'s: the map is kept twice, while the value
 * bags themselves are shared by the two copies.
 *
 * <p><b>Threads.</b> There is one {@link WriteHandle}, used by one thread at a time (a second thread
 * using it concurrently gets an {@link IllegalStateException}; {@link WriteHandle#withLock} shares it
 * safely between threads, and the Kotlin layer offers a suspending writer). Each reading thread uses
 * its own {@link ReadHandle}, made by the thread-safe {@link ReadHandleFactory} from
 * {@link #readers()}; making a handle never waits for a publish.
 *
 * <p><b>Memory consistency effects.</b> Actions of the writer before a {@code publish()}
 * <i>happen-before</i> the actions of a reader after it reads state of that publish or a later one
 * (any read that reports a {@link ReadHandle#publishCount()} at least that publish's epoch).
 *
 * @param <K> the type of keys
 * @param <V> the type of values
 * @param <M> the type of the meta value
 */
public final class LeftRightMap<K, V, M> {
  /*
   * Implementation notes
   * ====================
   *
   * Layout. Two java.util.HashMap copies, "read" and "write". A key's value in a copy is the value
   * itself when the key has exactly one (inline, no bag object), or a Values.Bag. Bags are shared
   * by the two copies and never change once published (copy-on-write, see Values.Bag), so a bag a
   * reader holds stays valid forever.
   *
   * `published` holds the read copy together with its epoch, meta and a closed flag (a Published,
   * replaced as a whole by one volatile store: the swap). Each ReadHandle has an epoch counter of
   * its own: even = outside the map, odd = reading. A reader enters by a volatile store of
   * counter+1, then reads `published` (volatile); it leaves by a release store of counter+2.
   *
   * publish() (WriteHandle):
   *   1. swap: volatile store of Published(write copy, epoch + 1, meta). Linearization point of
   *      the publish: a reader that reads `published` after it sees the new state, one that read
   *      it before keeps the old state until it leaves.
   *   2. wait for readers (awaitReaders): for every registered handle whose counter is odd, wait
   *      until the counter changes. Why this is enough (the Dekker argument): a reader stores its
   *      odd counter and then loads `published`; the writer stores `published` and then loads the
   *      counters; all four accesses are volatile, hence totally ordered. So either the writer sees
   *      the odd counter (and waits for the reader to leave), or the reader's load of `published`
   *      comes after the swap and it reads the new copy. Once every odd counter seen has changed,
   *      no reader is in the old copy, and none can enter it again.
   *   3. replay: bring the old copy up to date by copying, for each key changed in the batch, its
   *      entry from the new read copy (or removing it). The old copy becomes the write copy.
   * Nothing is ever taken from a reader: a reader never waits, locks or retries; the writer waits
   * only for readers that are inside the old copy, each for the length of one read (or of one
   * ReadGuard, which a reader holds for an iteration).
   *
   * Handles register in a copy-on-write list; publish() iterates a snapshot of it and never holds
   * a lock, so making or closing handles never waits for a publish (and a publish never waits for
   * a reader that registers while it runs: such a reader reads `published` after the swap).
   *
   * Closing the writer stores a closed Published: later reads fail with IllegalStateException;
   * readers inside a guard finish on the copy they hold.
   */

  /** The state readers see: one copy of the map with its epoch and meta. Immutable. */
  static final class Published<K, M> {
    final HashMap<K, Object> map;
    final long epoch;
    final M meta;
    final boolean closed;

    Published(HashMap<K, Object> map, long epoch, M meta, boolean closed) {
      this.map = map;
      this.epoch = epoch;
      this.meta = meta;
      this.closed = closed;
    }
  }

  /** Accessed through {@link #PUBLISHED}: volatile store by the writer, volatile loads by readers. */
  @SuppressWarnings("unused")
  private Published<K, M> published;

  final CopyOnWriteArrayList<ReadHandle<K, V, M>> handles = new CopyOnWriteArrayList<>();
  final CopyOnWriteArrayList<PublishListener<K, M>> listeners = new CopyOnWriteArrayList<>();
  /** Futures of {@link WriteHandle#whenPublished}, by the epoch they wait for. */
  final ConcurrentSkipListMap<Long, CompletableFuture<Long>> waiting = new ConcurrentSkipListMap<>();

  private final WriteHandle<K, V, M> writer;
  private final ReadHandleFactory<K, V, M> factory;

  private LeftRightMap(int initialCapacity, M meta) {
    setPublished(new Published<>(new HashMap<>(initialCapacity), 0, meta, false));
    this.writer = new WriteHandle<>(this, new HashMap<>(initialCapacity), initialCapacity, meta);
    this.factory = new ReadHandleFactory<>(this);
  }

  /** A new empty map with a null meta value. */
  public static <K, V, M> LeftRightMap<K, V, M> create() {
    return new Builder<K, V, M>().build();
  }

  /** A builder for a map with an initial capacity or an initial meta value. */
  public static <K, V, M> Builder<K, V, M> builder() {
    return new Builder<>();
  }

  /** The map's single write handle (always the same instance). */
  public WriteHandle<K, V, M> writer() {
    return writer;
  }

  /** The thread-safe factory of read handles. */
  public ReadHandleFactory<K, V, M> readers() {
    return factory;
  }

  /** Builds a {@link LeftRightMap}. Not thread-safe. */
  public static final class Builder<K, V, M> {
    private int initialCapacity = 16;
    private M meta;

    private Builder() {}

    /**
     * Sets the number of keys each copy holds without resizing.
     *
     * @throws IllegalArgumentException if {@code initialCapacity} is negative
     */
    public Builder<K, V, M> initialCapacity(int initialCapacity) {
      this.initialCapacity = Sizing.checkNonNegative(initialCapacity, "initialCapacity");
      return this;
    }

    /** Sets the meta value readers see before the first publish (may be null). */
    public Builder<K, V, M> meta(M meta) {
      this.meta = meta;
      return this;
    }

    /** A new empty map. */
    public LeftRightMap<K, V, M> build() {
      return new LeftRightMap<>(initialCapacity, meta);
    }
  }

  // ================================================================== package-private machinery

  @SuppressWarnings("unchecked")
  Published<K, M> published() {
    return (Published<K, M>) PUBLISHED.getVolatile(this);
  }

  void setPublished(Published<K, M> p) {
    PUBLISHED.setVolatile(this, p);
  }

  /** Step 2 of publish (see the notes): returns once no reader can be inside the old copy. */
  void awaitReaders() {
    for (ReadHandle<K, V, M> h : handles) {
      long e = h.epochVolatile();
      if ((e & 1) == 0) {
        continue;
      }
      for (int spins = 0; h.epochVolatile() == e; spins++) {
        if (spins < 100) {
          Thread.onSpinWait();
        } else if (spins < 200) {
          Thread.yield();
        } else {
          LockSupport.parkNanos(10_000); // a reader inside a ReadGuard may take a while
        }
      }
    }
  }

  private static final VarHandle PUBLISHED;

  static {
    try {
      PUBLISHED = MethodHandles.lookup().findVarHandle(LeftRightMap.class, "published", Published.class);
    } catch (ReflectiveOperationException e) {
      throw new ExceptionInInitializerError(e);
    }
  }
}
