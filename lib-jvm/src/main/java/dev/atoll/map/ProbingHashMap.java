package dev.atoll.map;

import dev.atoll.internal.ArrayAccess;
import dev.atoll.internal.CollisionBucket;
import dev.atoll.internal.Hashing;
import dev.atoll.internal.Sizing;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.Objects;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.BiConsumer;
import java.util.function.BiFunction;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.function.Predicate;

/**
 * A lock-free concurrent hash map with open addressing and linear probing over one array of
 * key and value slots, after Cliff Click's non-blocking hash map and the moka-cht crate: reads
 * take no lock and allocate nothing, writes are one compare-and-set on a slot, and the table
 * grows and shrinks by an incremental resize that every thread meeting it helps forward.
 *
 * <p>Keys and values must not be null ({@link NullPointerException}). Removing an entry clears
 * its value slot (or leaves a tombstone there while a resize copy is in flight), so the removed
 * value is no longer reachable from the map; the key slot stays claimed until a resize purges
 * it. The table starts small, grows when half of its key slots are in use and shrinks when fewer
 * than an eighth of its slots hold entries.
 *
 * <h2>Iteration</h2>
 * Iterators of the {@linkplain #entrySet() views} are <em>weakly consistent</em>, as those of
 * {@link java.util.concurrent.ConcurrentHashMap}: they never throw
 * {@link java.util.ConcurrentModificationException}, return every entry that is present during
 * the whole iteration exactly once (also when the table is resized meanwhile), never return a key
 * twice unless it was removed and re-inserted, and may or may not show changes made during the
 * iteration. {@code Iterator.remove} removes the last returned key; {@code Entry.setValue} writes
 * through with {@link #put}. {@link #size()} reads a striped counter: exact when no writer is
 * active, an estimate while writers run.
 *
 * <h2>Hash flooding</h2>
 * A new map indexes its table by the hash codes themselves (their high half folded into the low
 * half, as {@code ConcurrentHashMap} does), so that sequential ids keep one slot each, in order.
 * When inserts show clustering (more of them than chance explains have to pass 8 occupied
 * slots), the map switches, with a resize, to hash codes spread with a random per-instance seed,
 * for good: keys chosen to collide cost a bounded number of probes each until that resize, and
 * cannot be precomputed to collide after it. A key whose probe
 * sequence is full of other keys after {@code probeLimit} slots (which happens only when very
 * many keys share a hash code, or by rare bad luck) is kept in the table's <em>overflow</em>: an
 * immutable map of ordered collision buckets, replaced by compare-and-set. So 100,000 keys with
 * one hash code cost O(probeLimit + log n) per operation instead of O(n), and do not make the
 * table grow forever.
 *
 * <h2>Functions</h2>
 * {@link #compute}, {@link #computeIfPresent}, {@link #merge}, {@link #insertOrModify} and
 * {@link #replaceAll} apply their function to the value they read and install the result with a
 * compare-and-set; when another thread changed the value meanwhile they call the function again
 * on the new value, so under contention the function may run several times for one call, and it
 * must be free of side effects. Only the result of the last run is installed. {@link
 * #computeIfAbsent} runs its function at most once per call; several threads racing on one
 * absent key may each run it, but only one result is installed and every caller gets that same
 * instance back. A function that throws leaves the map unchanged.
 *
 * <h2>Memory consistency effects</h2>
 * As with other concurrent collections, actions in a thread prior to placing an object into a
 * {@code ProbingHashMap} as a key or value <i>happen-before</i> actions subsequent to the access
 * or removal of that object from the map in another thread. A value written by a resize copy is
 * the same instance that was written before, with the same happens-before edge.
 *
 * @param <K> the type of keys
 * @param <V> the type of values
 */
public final class ProbingHashMap<K, V> extends WeaklyConsistentMap<K, V> {
  /*
   * Implementation notes
   * ====================
   *
   * Layout. A Table holds `kvs`, an Object[] of 2 * length slots: the key of slot i at kvs[2i],
   * its value at kvs[2i+1] (parallel slots as in NBHM, no entry objects and no cached hashes:
   * 8 bytes per slot pair with compressed references, so 16 to 32 bytes per entry over the load
   * range 1/4..1/2 that growth keeps, against about 44 for ConcurrentHashMap's node + table).
   * Index of a key: its home slot (see Hashing), then linear probing, at most `probeLimit` =
   * min(length, 16 + 4 log2 length) slots (the key's "window"). Beside the slots a Table has
   * `overflow` (see Hash flooding), `next` (the table a resize copies into), and counters
   * (`bound`: claimed key slots, the grow trigger; `copyIndex`/`copyDone`: resize progress).
   * The map's `table` ("top") is where every operation starts: every older table has been fully
   * copied into it, and it may itself be being copied into its `next`. The entry count is one
   * LongAdder per map (a segment of a SegmentedHashMap has its own), changed only by the CAS that
   * makes a key present or absent, never by copies: exact when quiescent.
   *
   * Key slot states (transitions only left to right, each by one CAS):
   *   null ──► K          claimed by an insert; K stays forever in this table (a key's slot never
   *                       moves within a table, and never holds another key)
   *   null ──► SEALED     set by the resize copy: the slot is dead, inserts go to `next`
   * Value slot states:
   *   null                absent: key claimed, no value yet ("never written"), or removed while
   *                       no copier was in flight ("cleared", invariant 5)
   *   V ◄──► V' ◄──► TOMBSTONE   live value / removed while a copier was in flight (absent; the
   *                       removed value is unreachable either way)
   *   V ──► null          removed while no copier was in flight (invariant 5)
   *   null ──► NULLPRIME                          dead, never written or cleared in this table
   *   V or TOMBSTONE ──► Prime(V) or TOMBPRIME    frozen by the copy (V being copied to `next`)
   *   Prime(V) ──► TOMBPRIME                      copied; the slot is dead in this table
   * A Prime never goes back: once a slot is primed, every operation on its key continues in `next`.
   * Only a removal returns a value slot to null, and only when no copy can land on that null or
   * walk past the NULLPRIME it may become (invariant 5); so for copies, null and NULLPRIME still
   * mean "never written" and TOMBPRIME "dead after a write" (invariant 3).
   *
   * Invariants.
   * (1) A key occupies at most one place of a table: one slot in its window, or the overflow.
   *     Inserts scan the window in probe order and claim the first null slot, re-reading after a
   *     failed CAS, so two racing inserts of one key meet in the same slot. A key goes to the
   *     overflow only when its whole window held other real keys, and key slots never return to
   *     null, so that window stays full: later operations find it in the overflow again.
   * (2) Consequently a null key slot met in the window is a "clear miss": the key is in neither
   *     this table nor any later one (a write to a later table first makes every null slot in
   *     front of the key non-null, by claiming or sealing it).
   * (3) Before any write for key k lands in `next`, k's place in this table has been copied:
   *     its slot is primed and its value copied (copySlotAndCheck), or the whole overflow is
   *     frozen and copied (copyOverflow), or its window holds a SEALED slot before any null (then
   *     k was never here). Copies write with expected value "never written" (null), and a copy
   *     lands only if its key's place was never written in any table from `next` up to the one
   *     it lands in: it walks on past a dead place only if that place is NULLPRIME, SEALED
   *     ahead of the key, or a frozen overflow without the key, and it gives up (stale) at any
   *     other place (a value, a tombstone, Prime(V) or TOMBPRIME; an overflow entry). Those
   *     states are final, so the first write for k in or after `next` is the one copy of k's
   *     old value that lands, and every later write for k comes after it. A copy that stalls
   *     after freezing its source therefore never puts an old value back, not even after k was
   *     removed in `next` and `next`'s own resize dropped that tombstone (a chained resize).
   *     A null or NULLPRIME left by a clearing removal (invariant 5) breaks "never written", but
   *     no copy of k ever meets one: invariant 5 shows that no copy of k is in flight when the
   *     removal clears, and that none can start later from a place older than the cleared slot.
   * (4) A value slot becomes a Prime only after `next` is set (only copySlot primes, and it runs
   *     with `next` in hand). So a thread that reads a value slot (acquire) and then finds
   *     t.next == null (volatile) knows that value is no Prime: if it were, the priming CAS, and
   *     the setting of `next` before it, would be visible. get and putIfMatch test `next` instead
   *     of `v instanceof Prime`, which would load the value object (a cache miss at 1M entries).
   * (5) A removal clears (stores null, which G1's post-write barrier filters out, where a
   *     TOMBSTONE store from another region takes the barrier's slow path) only when it reads
   *     `copiers` == 0 (volatile) after reading t.next == null in the table t it writes in, just
   *     before its CAS; otherwise it stores TOMBSTONE. The overflow always keeps TOMBSTONE.
   *     `copiers` counts copiers in flight: every copy work (a helpCopy chunk, the slot copy of
   *     a reader or writer, an overflow copy, settledTable) raises it (getAndAdd, volatile)
   *     before it reads or freezes any source place and lowers it after all its copies have
   *     landed or given up; a copy inside a copy (exp == null in putIfMatch) is covered by its
   *     outer copier. A copier reads its source places only with volatile accesses (copySlot's
   *     volatile read and CASes; `overflowCopied` and `overflow` are volatile). Why no copy of k
   *     meets a cleared slot S of table t: write the total order of volatile accesses as <.
   *     (a) Before the removal R of k in t, every place of k in a table older than t is dead
   *     and final (TOMBPRIME or NULLPRIME, or `overflowCopied` set), and R's accesses saw it so:
   *     tables older than the top table R started from were fully copied before the volatile
   *     read of `table` that R began with (copyDone and overflowCopied are read by the
   *     promotion, after the copiers counted done saw each slot dead), and in the tables from
   *     there up to t, R copied k's place itself (copySlotAndCheck makes the slot final and
   *     reads it volatile; copyOverflow ends with overflowCopied set or read) before walking on,
   *     or met a SEALED slot ahead of k (no place). So every such death < R's read of `copiers`.
   *     (b) Every copy of k that could reach S comes from a place P of k in a table older than
   *     t, made by a copier C that saw P live by a volatile access A (Prime(V) read or made by
   *     copySlot, or `overflowCopied` read false). C raised before A; A < the death of P (a
   *     volatile read sees the latest earlier write, and deaths are final); and that death <
   *     R's read by (a). So C raised before R's read. If C's copy reached S (landed on it, or
   *     walked past the NULLPRIME it became) after R's clearing CAS, C lowered after that CAS,
   *     so after R's read: R's read counted C's raise and not its lowering, so it read
   *     `copiers` != 0 (each copier lowers only after its own raise, so a zero sum has every
   *     counted raise matched by its lowering) and R stored TOMBSTONE: a contradiction. A
   *     copier that raises after R's read sees every place older than t dead: it copies
   *     nothing of k. (A copy of k that landed at S before the clearing CAS is just a value
   *     that the removal then removed.)
   *     (c) Copies of k from t itself or later tables read a place at or after S: the slot S is
   *     null, then NULLPRIME, from which nothing is copied, until a later write for k, whose
   *     value is then the newest one. So a cleared null is met only by non-copy writes, for
   *     which null means absent (like TOMBSTONE); a copy that gets past S and lands is ruled out
   *     by (b). A copier stalled anywhere keeps `copiers` raised, so removals store TOMBSTONE
   *     until it finishes; the counter is written only during resizes, so in a table that is
   *     not resizing the check costs one read of a field beside `table`.
   *
   * Linearization points. get: the acquire read of the value slot (or of the overflow
   * reference) in the table where the key is not primed; a clear miss linearizes at the read of
   * the null key slot. Writes: the successful CAS on the value slot (a removal's CAS stores
   * TOMBSTONE or null alike, invariant 5), or on the overflow reference; a failed condition
   * linearizes at the read that refuted it. compute and friends: a read followed by a CAS that
   * expects the very instance read (identity), retried on failure (commitHashed(); replaceAll is
   * OptimisticComputeMap's loop over forEach and commit(), shared by every map).
   *
   * Resize. resize(t) allocates `next` sized for the live count (target load 3/8, hysteresis:
   * grow when half the key slots are claimed, shrink when live entries < length/8, checked on a
   * sample of removals) and installs it with one CAS. From then on writers go to `next` (after
   * copying their key's slot), and every thread that meets the resize (a Prime, a SEALED key,
   * a frozen overflow, or a table with `next`) copies a chunk of COPY_CHUNK slots of the top
   * table (helpCopy) before continuing. Chunks are claimed with getAndAdd on `copyIndex`; after
   * two passes of claims (a claimant may stall) a helper scans the whole table. copySlot is
   * idempotent and reports "done" to exactly one thread per slot (the one whose CAS made it dead
   * or whose copy landed: by invariant 3 at most one copy of a slot lands, even with chained
   * resizes), so `copyDone` reaches `length` exactly once; with the overflow copied
   * the table is promoted (CAS table: t -> t.next). The overflow is copied by the first helper
   * (claimed with overflowClaim), and again by anyone who needs it (an operation on a key kept
   * there, a helper that finds no slot work left, an iterator): copying it is idempotent. Why it
   * finishes: every step is a CAS that fails only if another thread made progress on the same
   * slot, each slot takes at most three
   * transitions, and a helper never waits for a claimant. A later table may start its own resize
   * before it is promoted; copies then flow through it (the chain is walked, never waited on).
   *
   * Hashing. hash(key) is the map-level hash: the hash code folded (h ^ h >>> 16, no seed, a
   * bijection), rotated right in a segment of a SegmentedHashMap. The overflow, copies, iterators
   * and the shrink sample use it. Each table maps it to a home slot (home()): the hash itself,
   * masked, while the table is not seeded; Hashing.spread(hash, seed) once it is. A map's first
   * table is not seeded, so keys with sequential hash codes (ids) get the layout that
   * ConcurrentHashMap gives them: a slot each, in key order, no probing, and the hot keys of a
   * skewed workload on few cache lines and pages. Clustering shows as long probes: inserts and
   * copies that claim a slot after passing CLUSTER_PROBES (8) slots of an unseeded table are
   * counted in `clustered`, and the one that brings it to clusterLimit (length/64, at least 8)
   * starts a resize whose next table is seeded; so does an insert into the overflow of an
   * unseeded table (its window is full). The successors of a seeded table are seeded. Random hash
   * codes pass 8 slots in about 0.5 % of inserts up to load 1/2 (simulated), about length/400 per
   * table, far below the limit, so they keep the unseeded layout, which suits them as well as
   * the seeded one; so do sequential ids inserted in any order, which look random to a table
   * smaller than their range. Keys chosen to collide, or keys whose hash codes are merely
   * structured (multiples of a power of two), cost at most probeLimit slots per operation until
   * clusterLimit of them have been inserted and that one resize ends, and then get the seeded
   * layout for good (if another resize wins the race to install `next`, the copy into it meets
   * the same clusters and counts again). Keys that keep every probe below 8 slots cost at most 8
   * slots per operation and are never noticed. Nothing else depends on how a table indexes: a
   * key's window, the invariants above and the copy are per table, and a copy finds its key's
   * slot in `next` with `next`'s own function.
   *
   * Hash flooding. `overflow` is null or an immutable Overflow: a CollisionBucket keyed by the
   * spread hash (an AVL tree of Integer) of CollisionBuckets (ordered by key when Comparable)
   * mapping key -> value or TOMBSTONE (kept so that late copies cannot resurrect removed keys;
   * the overflow never clears to null: its writes allocate anyway, so invariant 5 would gain
   * nothing there). Writers replace it by CAS; the copy freezes it (one CAS to a frozen
   * Overflow) before copying its live entries, so a writer that raced with the freeze fails its
   * CAS and retries in `next`. Tombstones there are purged by a resize once they outnumber the
   * live entries (and exceed OVERFLOW_PURGE_MIN).
   *
   * Memory. Removed and replaced values are dropped by the CAS that replaces them (a removal
   * stores null or TOMBSTONE, invariant 5). Prime boxes
   * are short-lived garbage of a resize. Old tables become garbage after promotion (an iterator
   * created earlier keeps its table alive while it is used).
   */

  /** The smallest table length (key/value slot pairs). */
  static final int MIN_LENGTH = 8;
  /** The largest table length: the array has twice as many elements. */
  static final int MAX_LENGTH = Sizing.MAX_TABLE >>> 1;
  /** Slots one helper copies per visit. */
  private static final int COPY_CHUNK = 256;
  /** Removals whose spread hash has these bits clear check whether the table should shrink. */
  private static final int SHRINK_SAMPLE_MASK = 15;
  /**
   * An insert into a table that is not seeded that passes this many slots before its own counts
   * as a sign of clustering (see the notes, "Hashing").
   */
  static final int CLUSTER_PROBES = 8;
  /** Overflow tombstones tolerated before a purge (also needs more tombstones than live entries). */
  private static final int OVERFLOW_PURGE_MIN = 64;

  /** Value slot: the key was removed. */
  static final Object TOMBSTONE = new Sentinel("TOMBSTONE");
  /** Key slot: sealed empty by the copy; inserts go to the next table. */
  static final Object SEALED = new Sentinel("SEALED");
  /** Value slot: dead in this table after a write here (its value copied, or it was a tombstone). */
  static final Prime TOMBPRIME = new Prime(TOMBSTONE);
  /** Value slot: dead in this table and never written here (primed from null); copies pass it. */
  static final Prime NULLPRIME = new Prime(null);
  /** Expected value: none, write unconditionally. */
  private static final Object NO_MATCH_OLD = new Sentinel("NO_MATCH_OLD");
  /** Expected value: any live value. */
  private static final Object MATCH_ANY = new Sentinel("MATCH_ANY");
  // Expected value TOMBSTONE: absent (null or TOMBSTONE). Expected value null: never written (copies).
  /** Overflow result: continue in the next table. */
  private static final Object RETRY_NEXT = new Sentinel("RETRY_NEXT");

  /** find() results that are not slot indexes. */
  private static final int MISS = -1;
  private static final int SEALED_HIT = -2;
  private static final int EXHAUSTED = -3;

  private final int seed;
  /** See {@link #hash}: 0, or log2(segments) in a segment of a SegmentedHashMap. */
  private final int rotation;
  private final int minLength;
  /**
   * CLUSTER_PROBES, or 1 in tests that make the map switch at once: then the first insert that
   * passes a slot of an unseeded table starts the switch to the seeded layout.
   */
  private final int clusterProbes;
  private final LongAdder count = new LongAdder();
  private volatile Table table;
  /**
   * Copiers in flight (invariant 5): raised by every copier before it reads or freezes any source
   * of a copy, lowered after its copies have landed or given up. Written only during resizes.
   */
  private volatile int copiers;
  /**
   * Test hook, null outside tests: called by a resize copy with the key it is about to copy, after
   * its source is frozen (a primed slot, or the frozen overflow) and before the copy is written.
   */
  Consumer<Object> copyHook;

  /** Creates an empty map with a small table. */
  public ProbingHashMap() {
    this(0);
  }

  /**
   * Creates an empty map whose table holds {@code initialCapacity} entries without resizing; the
   * table never shrinks below that size.
   *
   * @throws IllegalArgumentException if {@code initialCapacity} is negative
   */
  public ProbingHashMap(int initialCapacity) {
    this(Sizing.checkNonNegative(initialCapacity, "initialCapacity"), Hashing.newSeed());
  }

  /**
   * A map with a given seed: the segments of a {@link SegmentedHashMap} share its seed, and model
   * checking needs the same layout in every run.
   */
  ProbingHashMap(int initialCapacity, int seed) {
    this(initialCapacity, seed, 0);
  }

  /**
   * A map with a given seed whose hash codes are rotated right by {@code rotation} bits after
   * folding: a segment of a {@link SegmentedHashMap} with 2^rotation segments, which chooses the
   * segment by the low bits that the rotation moves to the top.
   */
  ProbingHashMap(int initialCapacity, int seed, int rotation) {
    this(initialCapacity, seed, rotation, false);
  }

  /**
   * As {@link #ProbingHashMap(int, int, int)}; {@code switchAtOnce}: the first insert that passes
   * a slot of an unseeded table switches the map to the seeded layout, so that model checking
   * meets the switch within a few operations.
   */
  ProbingHashMap(int initialCapacity, int seed, int rotation, boolean switchAtOnce) {
    this.seed = seed;
    this.rotation = rotation;
    this.clusterProbes = switchAtOnce ? 1 : CLUSTER_PROBES;
    this.minLength = lengthFor(initialCapacity, MIN_LENGTH);
    this.table = new Table(minLength, seed, false);
  }

  // ================================================================== reads

  /** Returns the value of {@code key}, or null. Allocation-free. */
  @Override
  public V get(Object key) {
    return getHashed(key, hash(key));
  }

  /** True when {@code key} has a value. */
  @Override
  public boolean containsKey(Object key) {
    return getHashed(key, hash(key)) != null;
  }

  /** True when some key maps to {@code value} (a weakly consistent scan). */
  @Override
  public boolean containsValue(Object value) {
    Objects.requireNonNull(value);
    for (Iterator<V> it = valueIterator(); it.hasNext(); ) {
      V v = it.next();
      if (v == value || value.equals(v)) {
        return true;
      }
    }
    return false;
  }

  /** The number of entries (saturated at {@code Integer.MAX_VALUE}); exact when quiescent. */
  @Override
  public int size() {
    long n = count.sum();
    return n <= 0 ? 0 : (int) Math.min(n, Integer.MAX_VALUE);
  }

  /** True when there are no entries (read from the same counter as {@link #size()}). */
  @Override
  public boolean isEmpty() {
    return count.sum() <= 0;
  }

  /** The top table (for tests). */
  Table topTable() {
    return table;
  }

  /** The current table length in key/value slot pairs (for tests and footprint checks). */
  public int tableLength() {
    return table.length;
  }

  /** Whether the current table is seeded (see the notes, "Hashing"), for tests. */
  boolean seeded() {
    return table.seeded;
  }

  // ================================================================== writes

  /** Maps {@code key} to {@code value}; returns the previous value or null. */
  @Override
  public V put(K key, V value) {
    Objects.requireNonNull(value);
    return putHashed(key, hash(key), value);
  }

  /** Maps {@code key} to {@code value} if it is absent; returns the current value or null. */
  @Override
  public V putIfAbsent(K key, V value) {
    Objects.requireNonNull(value);
    return putIfAbsentHashed(key, hash(key), value);
  }

  /** Replaces the value of a present key; returns the previous value or null (then nothing changed). */
  @Override
  public V replace(K key, V value) {
    Objects.requireNonNull(value);
    return replaceHashed(key, hash(key), value);
  }

  /** Replaces the value of {@code key} if it equals {@code oldValue}; true when replaced. */
  @Override
  public boolean replace(K key, V oldValue, V newValue) {
    Objects.requireNonNull(oldValue);
    Objects.requireNonNull(newValue);
    return replaceHashed(key, hash(key), oldValue, newValue);
  }

  /** Removes {@code key}; returns its value or null. */
  @Override
  public V remove(Object key) {
    return removeHashed(key, hash(key));
  }

  /** Removes {@code key} if its value equals {@code value}; true when removed. */
  @Override
  public boolean remove(Object key, Object value) {
    int h = hash(key);
    return value != null && removeHashed(key, h, value);
  }

  /**
   * Removes {@code key} only if its current value matches {@code predicate}; returns true when
   * removed. The predicate sees the value at the moment of the removal: if another thread changes
   * the value in between, the predicate runs again on the new value (so it may run several times
   * and must be free of side effects). A predicate that throws leaves the map unchanged.
   */
  public boolean removeIf(K key, Predicate<? super V> predicate) {
    Objects.requireNonNull(predicate);
    return removeIfHashed(key, hash(key), predicate);
  }

  /**
   * Inserts {@code value} if {@code key} is absent, else replaces the current value by
   * {@code modifier.apply(key, current)}; returns the previous value, or null when {@code value}
   * was inserted. The modifier may run several times under contention (see the class notes) and
   * must not return null ({@link NullPointerException}, the map unchanged).
   */
  public V insertOrModify(K key, V value, BiFunction<? super K, ? super V, ? extends V> modifier) {
    Objects.requireNonNull(value);
    Objects.requireNonNull(modifier);
    return insertOrModifyHashed(key, hash(key), value, modifier);
  }

  /**
   * Returns the value of {@code key}, computing and inserting it first if absent. Every caller
   * for one key gets the same instance back; the function runs at most once per call.
   */
  @Override
  public V computeIfAbsent(K key, Function<? super K, ? extends V> mappingFunction) {
    Objects.requireNonNull(mappingFunction);
    return computeIfAbsentHashed(key, hash(key), mappingFunction);
  }

  /** Recomputes the value of a present key (null removes it); may run the function several times. */
  @Override
  public V computeIfPresent(K key, BiFunction<? super K, ? super V, ? extends V> remappingFunction) {
    Objects.requireNonNull(remappingFunction);
    return computeIfPresentHashed(key, hash(key), remappingFunction);
  }

  /** Computes the new value of {@code key} (null removes it); may run the function several times. */
  @Override
  public V compute(K key, BiFunction<? super K, ? super V, ? extends V> remappingFunction) {
    Objects.requireNonNull(remappingFunction);
    return computeHashed(key, hash(key), remappingFunction);
  }

  /** Inserts {@code value} or merges it with the present one (null removes); see the class notes. */
  @Override
  public V merge(K key, V value, BiFunction<? super V, ? super V, ? extends V> remappingFunction) {
    Objects.requireNonNull(value);
    Objects.requireNonNull(remappingFunction);
    return mergeHashed(key, hash(key), value, remappingFunction);
  }

  /** Calls {@code action} for every entry of a weakly consistent iteration. */
  @Override
  public void forEach(BiConsumer<? super K, ? super V> action) {
    Objects.requireNonNull(action);
    for (Iterator<Map.Entry<K, V>> it = entryIterator(); it.hasNext(); ) {
      Map.Entry<K, V> e = it.next();
      action.accept(e.getKey(), e.getValue());
    }
  }

  /**
   * Removes every entry, key by key (as {@link java.util.concurrent.ConcurrentHashMap#clear}, not
   * atomic: entries inserted meanwhile may stay). The table shrinks as it empties.
   */
  @Override
  public void clear() {
    for (Iterator<K> it = keyIterator(); it.hasNext(); ) {
      it.next();
      it.remove();
    }
  }

  // ================================================================== hash-taking hooks (also used by SegmentedHashMap)

  /**
   * The map-level hash of {@code key} (NullPointerException for a null key): its hash code folded
   * (no seed: a table that is not seeded indexes by it directly) and rotated for a segment. A
   * bijection of the hash code; each table derives its slots from it (see {@link #home}).
   */
  int hash(Object key) {
    return Integer.rotateRight(Hashing.fold(key.hashCode()), rotation);
  }

  /**
   * The first slot of {@code key}'s window in {@code t}: the map-level hash itself while {@code t}
   * is not seeded, else the hash spread with the seed (see the notes, "Hashing").
   */
  private static int home(Table t, int h) {
    return (t.seeded ? Hashing.spread(h, t.seed) : h) & t.mask;
  }

  @SuppressWarnings("unchecked")
  V getHashed(Object key, int h) {
    Table t = table;
    for (;;) {
      int i = find(t, key, h);
      if (i >= 0) {
        Object v = valAt(t.kvs, i);
        // invariant 4: with no `next` read after the slot, v is no Prime, and v is not dereferenced
        if (t.next == null || !(v instanceof Prime)) {
          return v == TOMBSTONE ? null : (V) v;
        }
        t = copySlotAndCheck(t, i, true); // being copied: the value lives in the next table
      } else if (i == MISS) {
        return null;
      } else if (i == SEALED_HIT) {
        t = helpAndNext(t);
      } else {
        Object o = t.overflow;
        if (o == null) {
          return null;
        }
        Overflow ov = (Overflow) o;
        if (!ov.frozen) {
          Object v = ov.get(key, h); // boxes the hash: the overflow path allocates
          return v == TOMBSTONE ? null : (V) v;
        }
        copyOverflowAnnounced(t, t.next);
        t = helpAndNext(t);
      }
    }
  }

  V putHashed(K key, int h, V value) {
    return live(putIfMatch(table, key, h, value, NO_MATCH_OLD, false));
  }

  V putIfAbsentHashed(K key, int h, V value) {
    return live(putIfMatch(table, key, h, value, TOMBSTONE, false));
  }

  V replaceHashed(K key, int h, V value) {
    return live(putIfMatch(table, key, h, value, MATCH_ANY, false));
  }

  boolean replaceHashed(K key, int h, V oldValue, V newValue) {
    Object r = putIfMatch(table, key, h, newValue, oldValue, false);
    return r == oldValue || (live(r) != null && oldValue.equals(r));
  }

  V removeHashed(Object key, int h) {
    return live(putIfMatch(table, key, h, TOMBSTONE, NO_MATCH_OLD, false));
  }

  boolean removeHashed(Object key, int h, Object value) {
    Object r = putIfMatch(table, key, h, TOMBSTONE, value, false);
    return r == value || (live(r) != null && value.equals(r));
  }

  boolean removeIfHashed(K key, int h, Predicate<? super V> predicate) {
    for (;;) {
      V v = getHashed(key, h);
      if (v == null || !predicate.test(v)) {
        return false;
      }
      if (casValue(key, h, v, TOMBSTONE)) {
        return true;
      }
    }
  }

  V insertOrModifyHashed(K key, int h, V value, BiFunction<? super K, ? super V, ? extends V> modifier) {
    for (;;) {
      V v = getHashed(key, h);
      if (v == null) {
        if (live(putIfMatch(table, key, h, value, TOMBSTONE, false)) == null) {
          return null;
        }
      } else {
        V nv = Objects.requireNonNull(modifier.apply(key, v), "modifier returned null");
        if (casValue(key, h, v, nv)) {
          return v;
        }
      }
    }
  }

  V computeIfAbsentHashed(K key, int h, Function<? super K, ? extends V> f) {
    V v = getHashed(key, h);
    if (v != null) {
      return v;
    }
    V nv = f.apply(key);
    if (nv == null) {
      return null;
    }
    V old = live(putIfMatch(table, key, h, nv, TOMBSTONE, false));
    return old == null ? nv : old; // a racing insert won: every caller returns its instance
  }

  V computeIfPresentHashed(K key, int h, BiFunction<? super K, ? super V, ? extends V> f) {
    for (;;) {
      V v = getHashed(key, h);
      if (v == null) {
        return null;
      }
      V nv = f.apply(key, v);
      if (commitHashed(key, h, v, nv)) {
        return nv;
      }
    }
  }

  V computeHashed(K key, int h, BiFunction<? super K, ? super V, ? extends V> f) {
    for (;;) {
      V v = getHashed(key, h);
      V nv = f.apply(key, v);
      if (commitHashed(key, h, v, nv)) {
        return nv;
      }
    }
  }

  V mergeHashed(K key, int h, V value, BiFunction<? super V, ? super V, ? extends V> f) {
    for (;;) {
      V v = getHashed(key, h);
      V nv = v == null ? value : f.apply(v, value);
      if (commitHashed(key, h, v, nv)) {
        return nv;
      }
    }
  }

  /**
   * The conditional write of the function-taking methods (OptimisticComputeMap's, and the hashed
   * ones above, which hash the key once): {@code next} (null: removes) if {@code key} still maps to
   * the very instance {@code old}, or, when {@code old} is null, if it is still absent.
   */
  boolean commitHashed(K key, int h, V old, V next) {
    if (old == null) {
      return next == null || live(putIfMatch(table, key, h, next, TOMBSTONE, false)) == null;
    }
    return casValue(key, h, old, next == null ? TOMBSTONE : next);
  }

  @Override
  boolean commit(K key, V old, V next) {
    return commitHashed(key, hash(key), old, next);
  }

  /** Replaces the very instance {@code expected} (identity) by {@code update} (TOMBSTONE removes). */
  private boolean casValue(Object key, int h, Object expected, Object update) {
    return putIfMatch(table, key, h, update, expected, true) == expected;
  }

  @SuppressWarnings("unchecked")
  private static <V> V live(Object v) {
    return v == null || v == TOMBSTONE ? null : (V) v;
  }

  // ================================================================== probing

  /**
   * The slot of {@code key} in {@code t}'s window: its index, MISS (a null key slot: not in this
   * table nor a later one), SEALED_HIT (the copy sealed a slot of the window: look in the next
   * table) or EXHAUSTED (the window holds only other keys: look in the overflow).
   */
  private static int find(Table t, Object key, int h) {
    Object[] kvs = t.kvs;
    int mask = t.mask;
    int limit = t.probeLimit;
    int i = home(t, h);
    for (int p = 0; ; ) {
      Object k = keyAt(kvs, i);
      if (k == key) {
        return i;
      }
      if (k == null) {
        return MISS;
      }
      if (k == SEALED) {
        return SEALED_HIT;
      }
      if (key.equals(k)) {
        return i;
      }
      if (++p >= limit) {
        return EXHAUSTED;
      }
      i = (i + 1) & mask;
    }
  }

  /**
   * The one write path: sets the value of {@code key} to {@code putVal} (TOMBSTONE removes) if the
   * current value matches {@code exp} (NO_MATCH_OLD: always; MATCH_ANY: present; TOMBSTONE:
   * absent; null: never written, for copies; otherwise a value, compared by identity or equals).
   * Returns the value before (null or TOMBSTONE when absent); when that value does not match,
   * nothing was written.
   */
  private Object putIfMatch(Table t, Object key, int h, Object putVal, Object exp, boolean identity) {
    // Copies (exp == null) never help copy chunks: they run inside a helper already, and helping
    // from there would recurse without bound.
    boolean help = exp != null;
    outer:
    for (;;) {
      Object[] kvs = t.kvs;
      int mask = t.mask;
      int limit = t.probeLimit;
      int i = home(t, h);
      boolean claimed = false;
      int p = 0; // slots passed before the key's slot
      for (;;) {
        Object k = keyAt(kvs, i);
        if (k == null) {
          if (putVal == TOMBSTONE || (exp != NO_MATCH_OLD && exp != TOMBSTONE && exp != null)) {
            return null; // a clear miss: nothing to remove or replace, here or later (invariant 2)
          }
          if (casKey(kvs, i, key)) {
            claimed = true;
            break;
          }
          k = keyAt(kvs, i); // lost the race: maybe to the same key
        }
        if (k == key) {
          break;
        }
        if (k == SEALED) {
          t = help ? helpAndNext(t) : t.next;
          continue outer;
        }
        if (key.equals(k)) {
          break;
        }
        if (++p >= limit) {
          Object r = putInOverflow(t, key, h, putVal, exp, identity);
          if (r != RETRY_NEXT) {
            return r;
          }
          // invariant 3: the overflow reaches `next` before this write (a copy is announced already)
          if (help) {
            copyOverflowAnnounced(t, t.next);
          } else {
            copyOverflow(t, t.next);
          }
          if (exp == null) {
            Object d = ((Overflow) t.overflow).get(key, h); // frozen now: final
            if (d != null) {
              return d; // a copy that meets a write for its key is stale (invariant 3)
            }
          }
          t = help ? helpAndNext(t) : t.next;
          continue outer;
        }
        i = (i + 1) & mask;
      }
      if (claimed && t.next == null) {
        if ((int) BOUND.getAndAdd(t, 1) + 1 >= t.growAt) {
          resize(t, false);
        } else if (p >= clusterProbes && !t.seeded
            && ((int) CLUSTERED.getAndAdd(t, 1) + 1 >= t.clusterLimit || clusterProbes == 1)) {
          resize(t, true); // the unseeded layout clusters: re-hash with the seed (see "Hashing")
        }
      }
      Object v = valAt(kvs, i);
      for (;;) {
        if (t.next != null) {
          // a resize is under way: writes go to the newest table, after this slot is copied.
          // Invariant 4: when `next` is null here, v (read before it) is no Prime, so the fast
          // path never loads the value object's class word (a cache miss at scale).
          Table n = copySlotAndCheck(t, i, help);
          if (exp == null) {
            Object d = valAt(kvs, i); // dead now: final
            if (d != NULLPRIME) {
              return d; // a copy that meets a write for its key is stale (invariant 3)
            }
          }
          t = n;
          continue outer;
        }
        if (!matches(v, exp, identity)) {
          return v;
        }
        boolean wasLive = v != null && v != TOMBSTONE;
        if ((putVal == TOMBSTONE && !wasLive) || v == putVal) {
          return v; // nothing to change
        }
        // invariant 5: with no copier in flight, a removal stores null, which G1's post-write
        // barrier filters out (a TOMBSTONE store from another region takes its slow path)
        Object stored = putVal == TOMBSTONE && copiers == 0 ? null : putVal;
        if (casVal(kvs, i, v, stored)) { // linearization point
          if (exp != null) {
            counted(t, h, wasLive, putVal);
          }
          return v;
        }
        v = valAt(kvs, i);
      }
    }
  }

  private static boolean matches(Object v, Object exp, boolean identity) {
    if (exp == NO_MATCH_OLD) {
      return true;
    }
    if (exp == null) {
      return v == null;
    }
    boolean live = v != null && v != TOMBSTONE;
    if (exp == TOMBSTONE) {
      return !live;
    }
    if (exp == MATCH_ANY) {
      return live;
    }
    return live && (v == exp || (!identity && exp.equals(v)));
  }

  /** Adjusts the count after a write that changed presence; a sample of removals checks for shrinking. */
  private void counted(Table t, int h, boolean wasLive, Object putVal) {
    if (putVal == TOMBSTONE) {
      if (wasLive) {
        count.decrement();
        if ((h & SHRINK_SAMPLE_MASK) == 0 && t.length > minLength && t.next == null && count.sum() * 8 < t.length) {
          resize(t);
        }
      }
    } else if (!wasLive) {
      count.increment();
    }
  }

  /** The write path for a key whose window is full of other keys; RETRY_NEXT: continue in `next`. */
  private Object putInOverflow(Table t, Object key, int h, Object putVal, Object exp, boolean identity) {
    for (;;) {
      Object o = t.overflow;
      Overflow ov = o == null ? Overflow.EMPTY : (Overflow) o;
      if (ov.frozen || t.next != null) {
        return RETRY_NEXT;
      }
      Object v = ov.get(key, h);
      if (!matches(v, exp, identity)) {
        return v;
      }
      boolean wasLive = v != null && v != TOMBSTONE;
      if ((putVal == TOMBSTONE && !wasLive) || v == putVal) {
        return v;
      }
      if (v == null && (t.bound >= t.growAt || !t.seeded)) {
        // the table is really full: grow instead; or its unseeded layout clusters: re-hash
        resize(t, !t.seeded);
        return RETRY_NEXT;
      }
      Overflow updated = ov.with(key, h, v, putVal);
      if (OVERFLOW.compareAndSet(t, o, updated)) { // linearization point
        if (exp != null) {
          counted(t, h, wasLive, putVal);
        }
        if (updated.dead >= OVERFLOW_PURGE_MIN && updated.dead > updated.live) {
          resize(t); // purge the overflow's tombstones
        }
        return v;
      }
    }
  }

  // ================================================================== resize: allocate, copy, promote

  /** The length for {@code n} entries at load at most 3/8, at least {@code min}. */
  private static int lengthFor(long n, int min) {
    long needed = n * 8 / 3 + 1;
    int len = needed >= MAX_LENGTH ? MAX_LENGTH : Sizing.ceilPowerOfTwo((int) needed);
    return Math.max(len, min);
  }

  /** Starts a resize of {@code t} (if none is under way) sized for the live count; returns `next`. */
  private Table resize(Table t) {
    return resize(t, false);
  }

  /**
   * As {@link #resize(Table)}; {@code reseed}: the next table is seeded even if {@code t} is not
   * (a seeded table's successors are always seeded).
   */
  private Table resize(Table t, boolean reseed) {
    Table n = t.next;
    if (n != null) {
      return n;
    }
    // Several threads may allocate a candidate; one CAS wins and the others become garbage.
    n = new Table(lengthFor(Math.max(0, count.sum()), minLength), seed, reseed || t.seeded);
    Table w = (Table) NEXT.compareAndExchange(t, (Table) null, n);
    return w == null ? n : w;
  }

  /** Helps the top table's copy by one chunk, and returns {@code t.next} (non-null). */
  private Table helpAndNext(Table t) {
    Table n = t.next;
    helpCopy();
    return n;
  }

  /**
   * Copies slot {@code i} of {@code t} (whose value may be primed) and returns {@code t.next}.
   * {@code help}: the caller is no copy, so it announces itself (invariant 5) and helps a chunk;
   * a copy (help false) runs inside an announced copier already.
   */
  private Table copySlotAndCheck(Table t, int i, boolean help) {
    Table n = t.next; // non-null: a Prime or a writer meeting `next` means the resize started
    if (!help) {
      if (copySlot(t, i, n)) {
        addCopyDone(t, 1);
      }
      return n;
    }
    Object v = valAtVolatile(t.kvs, i);
    if (v != TOMBPRIME && v != NULLPRIME) { // a dead slot needs no copy, and no announcement
      enterCopy();
      try {
        if (copySlot(t, i, n)) {
          addCopyDone(t, 1);
        }
      } finally {
        exitCopy();
      }
    }
    helpCopy();
    return n;
  }

  /** Copies one chunk of the top table if it is being resized. */
  private void helpCopy() {
    Table t = table;
    Table n = t.next;
    if (n != null) {
      enterCopy();
      try {
        copyChunk(t, n);
      } finally {
        exitCopy();
      }
    }
  }

  /** Announces a copier (invariant 5): called before it reads or freezes any source of a copy. */
  private void enterCopy() {
    COPIERS.getAndAdd(this, 1);
  }

  /** Withdraws the announcement, after every copy of the copier has landed or given up. */
  private void exitCopy() {
    COPIERS.getAndAdd(this, -1);
  }

  /** copyOverflow for a caller that is no copy: announced (invariant 5). */
  private void copyOverflowAnnounced(Table t, Table n) {
    if (t.overflowCopied) {
      return;
    }
    enterCopy();
    try {
      copyOverflow(t, n);
    } finally {
      exitCopy();
    }
  }

  private void copyChunk(Table t, Table n) {
    int len = t.length;
    if (!t.overflowCopied && t.overflowClaim == 0 && OVERFLOW_CLAIM.compareAndSet(t, 0, 1)) {
      copyOverflow(t, n); // the first helper copies the overflow; the others copy slots meanwhile
    }
    if (t.copyDone >= len) {
      copyOverflow(t, n); // slots done: if the overflow's claimant stalled, copy it too (idempotent)
      tryPromote(t);
      return;
    }
    int chunk = Math.min(COPY_CHUNK, len);
    int start = t.copyIndex;
    if (start < 2 * len) {
      start = (int) COPY_INDEX.getAndAdd(t, chunk);
    }
    int done = 0;
    if (start < 2 * len) {
      // first pass: fresh chunks; second pass: chunks whose claimant may have stalled
      int from = start & (len - 1);
      for (int j = from; j < from + chunk; j++) {
        if (copySlot(t, j, n)) {
          done++;
        }
      }
    } else {
      // every chunk was claimed twice and the copy is not done: finish it alone
      copyOverflow(t, n);
      for (int j = 0; j < len; j++) {
        if (copySlot(t, j, n)) {
          done++;
        }
      }
    }
    addCopyDone(t, done);
  }

  private void addCopyDone(Table t, int done) {
    if (done > 0) {
      COPY_DONE.getAndAdd(t, done);
    }
    tryPromote(t);
  }

  private void tryPromote(Table t) {
    if (t.copyDone >= t.length && t.overflowCopied && table == t) {
      TABLE.compareAndSet(this, t, t.next);
    }
  }

  /**
   * Makes slot {@code i} of {@code t} dead, copying its live value into {@code n} first. Returns
   * true for exactly one caller per slot: the one that made it dead or whose copy landed.
   */
  private boolean copySlot(Table t, int i, Table n) { // the caller is announced (invariant 5)
    Object[] kvs = t.kvs;
    Object k = keyAt(kvs, i);
    while (k == null) {
      if (casKey(kvs, i, SEALED)) { // no insert may land here any more
        k = SEALED;
      } else {
        k = keyAt(kvs, i);
      }
    }
    Object v = valAtVolatile(kvs, i); // after the announcement in the total order (invariant 5)
    while (!(v instanceof Prime)) {
      Prime box = v == null ? NULLPRIME : v == TOMBSTONE ? TOMBPRIME : new Prime(v);
      Object w = caxVal(kvs, i, v, box);
      if (w == v) {
        if (box == TOMBPRIME || box == NULLPRIME) {
          return true; // nothing to copy: dead at once
        }
        v = box;
        break;
      }
      v = w;
    }
    if (v == TOMBPRIME || v == NULLPRIME) {
      return false;
    }
    Consumer<Object> hook = copyHook;
    if (hook != null) {
      hook.accept(k);
    }
    Object value = ((Prime) v).value;
    // "never written" expected: a late copy never lands over, or beyond, a newer write (invariant 3)
    boolean copied = putIfMatch(n, k, hash(k), value, null, false) == null;
    while (v != TOMBPRIME) {
      Object w = caxVal(kvs, i, v, TOMBPRIME);
      if (w == v) {
        break;
      }
      v = w;
    }
    return copied;
  }

  /**
   * Freezes the overflow of {@code t} (whose resize has started) and copies its live entries. The
   * caller is announced (invariant 5).
   */
  private void copyOverflow(Table t, Table n) {
    if (t.overflowCopied) {
      return;
    }
    Overflow frozen;
    for (;;) {
      Object o = t.overflow;
      if (o != null && ((Overflow) o).frozen) {
        frozen = (Overflow) o;
        break;
      }
      Overflow f = o == null ? Overflow.FROZEN_EMPTY : ((Overflow) o).freeze();
      if (OVERFLOW.compareAndSet(t, o, f)) {
        frozen = f;
        break;
      }
    }
    if (frozen.live > 0) {
      // idempotent: every entry is written with "never written" expected
      Consumer<Object> hook = copyHook;
      frozen.forEachLive((k, v) -> {
        if (hook != null) {
          hook.accept(k);
        }
        putIfMatch(n, k, hash(k), v, null, false);
      });
    }
    t.overflowCopied = true;
    tryPromote(t);
  }

  /** The top table after finishing any copy under way (iterators start on a settled table). */
  private Table settledTable() {
    for (;;) {
      Table t = table;
      Table n = t.next;
      if (n == null) {
        return t;
      }
      enterCopy();
      try {
        copyOverflow(t, n);
        int done = 0;
        for (int j = 0; j < t.length; j++) {
          if (copySlot(t, j, n)) {
            done++;
          }
        }
        addCopyDone(t, done);
      } finally {
        exitCopy();
      }
    }
  }

  // ================================================================== iteration

  /** Also called by {@link SegmentedHashMap} for each segment. */
  @Override
  <T> Iterator<T> traversal(Projection<T> projection) {
    return new BaseIterator<>(projection);
  }

  /**
   * Walks the key slots of the table that was top (with no resize under way) when the iterator
   * was created, then that table's overflow. Every key present during the whole iteration was in
   * that table (invariant 1: once) and stays there; a slot primed by a later resize is read
   * through {@link #getHashed} instead, so its current value is returned.
   */
  private final class BaseIterator<T> implements Iterator<T> {
    private final Projection<T> projection;
    private final Table t0 = settledTable();
    private int index;
    private Object[] overflowEntries;
    private boolean overflowFrozen;
    private int overflowIndex;
    private K nextKey;
    private V nextValue;
    private K lastKey;
    private int lastHash;

    BaseIterator(Projection<T> projection) {
      this.projection = projection;
      advance();
    }

    @SuppressWarnings("unchecked")
    private void advance() {
      nextKey = null;
      nextValue = null;
      Object[] kvs = t0.kvs;
      while (index < t0.length) {
        int i = index++;
        Object k = keyAt(kvs, i);
        if (k == null || k == SEALED) {
          continue;
        }
        Object v = valAt(kvs, i);
        if (v instanceof Prime) {
          v = getHashed(k, hash(k));
        }
        if (v != null && v != TOMBSTONE) {
          nextKey = (K) k;
          nextValue = (V) v;
          return;
        }
      }
      if (overflowEntries == null) {
        Object o = t0.overflow;
        if (o == null) {
          overflowEntries = new Object[0];
        } else {
          Overflow ov = (Overflow) o;
          overflowFrozen = ov.frozen;
          List<Object> all = new ArrayList<>();
          ov.forEachLive((k, v) -> {
            all.add(k);
            all.add(v);
          });
          overflowEntries = all.toArray();
        }
      }
      while (overflowIndex < overflowEntries.length) {
        Object k = overflowEntries[overflowIndex];
        Object v = overflowEntries[overflowIndex + 1];
        overflowIndex += 2;
        if (overflowFrozen) {
          v = getHashed(k, hash(k)); // the entry lives on in a later table
        }
        if (v != null) {
          nextKey = (K) k;
          nextValue = (V) v;
          return;
        }
      }
    }

    @Override
    public final boolean hasNext() {
      return nextKey != null;
    }

    @Override
    public final T next() {
      K k = nextKey;
      if (k == null) {
        throw new NoSuchElementException();
      }
      T r = projection.make(k, nextValue);
      lastKey = k;
      lastHash = hash(k);
      advance();
      return r;
    }

    @Override
    public final void remove() {
      K k = lastKey;
      if (k == null) {
        throw new IllegalStateException("next() was not called, or remove() was already called");
      }
      lastKey = null;
      removeHashed(k, lastHash);
    }
  }

  // ================================================================== tables and sentinels

  /** One generation of the table (see the notes). */
  static final class Table {
    final Object[] kvs;
    final int length;
    final int mask;
    final int probeLimit;
    final int growAt;
    /** Whether slots come from the seeded spread of the map-level hash, or from the hash itself. */
    final boolean seeded;
    /** The map's seed (used only when {@code seeded}). */
    final int seed;
    /** When {@code clustered} reaches it, an unseeded table hands over to a seeded one. */
    final int clusterLimit;
    /** Inserts into this (unseeded) table that passed CLUSTER_PROBES slots or more. */
    volatile int clustered;
    volatile Table next;
    volatile Object overflow;
    volatile boolean overflowCopied;
    volatile int overflowClaim;
    volatile int bound;
    volatile int copyIndex;
    volatile int copyDone;

    Table(int length, int seed, boolean seeded) {
      this.seed = seed;
      this.seeded = seeded;
      this.clusterLimit = Math.max(8, length / 64);
      this.kvs = new Object[2 * length];
      this.length = length;
      this.mask = length - 1;
      this.probeLimit = Math.min(length, 16 + 4 * Integer.numberOfTrailingZeros(length));
      this.growAt = Math.max(1, length / 2);
    }
  }

  /** A value frozen by the copy (JCTools' Prime: the JVM has no spare pointer bits to tag). */
  static final class Prime {
    final Object value;

    Prime(Object value) {
      this.value = value;
    }
  }

  /** A named marker object. */
  private static final class Sentinel {
    private final String name;

    Sentinel(String name) {
      this.name = name;
    }

    @Override
    public String toString() {
      return name;
    }
  }

  /** The immutable overflow of a table: spread hash -> (key -> value or TOMBSTONE). */
  static final class Overflow {
    static final Overflow EMPTY = new Overflow(CollisionBucket.empty(), 0, 0, false);
    static final Overflow FROZEN_EMPTY = new Overflow(CollisionBucket.empty(), 0, 0, true);

    final CollisionBucket<Integer, CollisionBucket<Object, Object>> byHash;
    final int live;
    final int dead;
    final boolean frozen;

    Overflow(CollisionBucket<Integer, CollisionBucket<Object, Object>> byHash, int live, int dead, boolean frozen) {
      this.byHash = byHash;
      this.live = live;
      this.dead = dead;
      this.frozen = frozen;
    }

    /** The value or TOMBSTONE of {@code key}, or null when it was never written here. */
    Object get(Object key, int h) {
      if (byHash.isEmpty()) {
        return null;
      }
      CollisionBucket<Object, Object> b = byHash.get(h);
      return b == null ? null : b.get(key);
    }

    Overflow with(Object key, int h, Object old, Object value) {
      CollisionBucket<Object, Object> b = byHash.get(h);
      if (b == null) {
        b = CollisionBucket.empty();
      }
      boolean oldLive = old != null && old != TOMBSTONE;
      boolean newLive = value != TOMBSTONE;
      int l = live + (newLive ? 1 : 0) - (oldLive ? 1 : 0);
      int d = dead + (newLive ? 0 : 1) - (old == TOMBSTONE ? 1 : 0);
      return new Overflow(byHash.put(h, b.put(key, value)), l, d, false);
    }

    Overflow freeze() {
      return new Overflow(byHash, live, dead, true);
    }

    void forEachLive(BiConsumer<Object, Object> action) {
      byHash.forEach((h, b) -> b.forEach((k, v) -> {
        if (v != TOMBSTONE) {
          action.accept(k, v);
        }
      }));
    }
  }

  // ================================================================== memory-ordered accesses

  private static Object keyAt(Object[] kvs, int i) {
    return ArrayAccess.getAcquire(kvs, i << 1);
  }

  private static Object valAt(Object[] kvs, int i) {
    return ArrayAccess.getAcquire(kvs, (i << 1) + 1);
  }

  /** A value read in the total order of volatile accesses (copies read their source so: invariant 5). */
  private static Object valAtVolatile(Object[] kvs, int i) {
    return ArrayAccess.getVolatile(kvs, (i << 1) + 1);
  }

  /** CAS of an empty key slot to {@code key} (or SEALED). */
  private static boolean casKey(Object[] kvs, int i, Object key) {
    return ArrayAccess.cas(kvs, i << 1, null, key);
  }

  private static boolean casVal(Object[] kvs, int i, Object expected, Object update) {
    return ArrayAccess.cas(kvs, (i << 1) + 1, expected, update);
  }

  private static Object caxVal(Object[] kvs, int i, Object expected, Object update) {
    return ArrayAccess.cax(kvs, (i << 1) + 1, expected, update);
  }

  private static final VarHandle TABLE;
  private static final VarHandle CLUSTERED;
  private static final VarHandle COPIERS;
  private static final VarHandle NEXT;
  private static final VarHandle OVERFLOW;
  private static final VarHandle OVERFLOW_CLAIM;
  private static final VarHandle BOUND;
  private static final VarHandle COPY_INDEX;
  private static final VarHandle COPY_DONE;

  static {
    try {
      MethodHandles.Lookup l = MethodHandles.lookup();
      TABLE = l.findVarHandle(ProbingHashMap.class, "table", Table.class);
      COPIERS = l.findVarHandle(ProbingHashMap.class, "copiers", int.class);
      NEXT = l.findVarHandle(Table.class, "next", Table.class);
      OVERFLOW = l.findVarHandle(Table.class, "overflow", Object.class);
      OVERFLOW_CLAIM = l.findVarHandle(Table.class, "overflowClaim", int.class);
      BOUND = l.findVarHandle(Table.class, "bound", int.class);
      CLUSTERED = l.findVarHandle(Table.class, "clustered", int.class);
      COPY_INDEX = l.findVarHandle(Table.class, "copyIndex", int.class);
      COPY_DONE = l.findVarHandle(Table.class, "copyDone", int.class);
    } catch (ReflectiveOperationException e) {
      throw new ExceptionInInitializerError(e);
    }
  }
}
