package dev.atoll.map;

import static dev.atoll.map.WriteCondition.ABSENT;
import static dev.atoll.map.WriteCondition.ANY;
import static dev.atoll.map.WriteCondition.EQUAL;
import static dev.atoll.map.WriteCondition.PRESENT;
import static dev.atoll.map.WriteCondition.SAME;
import static dev.atoll.map.WriteCondition.holds;
import static dev.atoll.map.WriteCondition.same;

import dev.atoll.internal.ArrayAccess;
import dev.atoll.internal.CollisionBucket;
import dev.atoll.internal.Hashing;
import dev.atoll.internal.Sizing;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.AbstractMap;
import java.util.Arrays;
import java.util.Iterator;
import java.util.NoSuchElementException;
import java.util.Objects;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.BiConsumer;

/**
 * A lock-free concurrent hash map with separate chaining, whose table grows <em>and shrinks</em> with
 * the number of entries.
 *
 * <p>Any number of threads may read and write at once. No operation takes a lock: each bucket holds
 * an immutable chain of nodes, and every write publishes a new chain with one compare-and-set on
 * the bucket. Reads never write shared memory, never wait and never retry: a lookup reads the
 * table, one bucket, and then immutable nodes. Keys and values must not be null
 * ({@link NullPointerException}).
 *
 * <h2>Resizing</h2>
 * The table starts small (16 buckets, or enough for the {@linkplain #ChainedHashMap(int) initial
 * capacity hint}) and is resized cooperatively: it doubles (or more) when the map holds more than
 * 3/4 as many entries as buckets, and shrinks to a quarter (or less) when it holds fewer than 1/8 as
 * many, never below its initial length. Either way the new load is between 1/4 and 1/2, far from
 * both bounds, so a workload hovering at one boundary does not make the table resize back and
 * forth. Threads that write during a resize help
 * move buckets to the new table; {@code get} and {@code containsKey} never wait for a resize and
 * never help it. Iterators and {@link #forEach} do not either, except across the one-time switch
 * to the seeded layout (see below): one that meets it helps that resize finish, once.
 *
 * <h2>Hash flooding</h2>
 * A new map indexes its table by the hash codes themselves (their high half folded into the low
 * half, as {@code ConcurrentHashMap} does), so that sequential ids keep one bucket each, in order.
 * When inserts show clustering (more of them than chance explains find 6 or more other keys in
 * their bucket, or one finds 16), the map moves every entry, in one cooperative resize, to a
 * table indexed by hash codes spread with a random per-instance seed, and stays there for good:
 * keys chosen to collide cost a bounded number of nodes each until that resize, and cannot be
 * precomputed to collide after it. Keys whose {@code hashCode()}s are <em>equal</em> collide
 * whatever the seed: when more than a few such keys share a bucket they are kept in an ordered
 * collision bucket, so 100,000 {@link Comparable} keys with one hash code still take O(log n)
 * per operation (other keys with one hash code take O(n)).
 *
 * <h2>Atomicity of the function-taking methods</h2>
 * Every single-key operation is atomic. {@link #computeIfAbsent} runs its function at most once per
 * call and every caller gets the same value instance for a key; {@link #compute},
 * {@link #computeIfPresent} and {@link #merge} are <em>optimistic</em>: the function runs without a
 * lock and its result is written only if the key still has the value the function saw, otherwise
 * the function runs again on the new value. So the function may run more than once per call, but
 * only when another thread changes the same key at the same time, never because of writes to other
 * keys or a resize. The function must not write to this map.
 *
 * <h2>Views and iteration</h2>
 * Iterators of the {@linkplain #entrySet() views} are <em>weakly consistent</em>, as those of
 * {@link java.util.concurrent.ConcurrentHashMap}: they never throw
 * {@link java.util.ConcurrentModificationException}, return every entry that is present for the
 * whole iteration exactly once (also across concurrent resizes), never return a key twice unless it
 * was removed and added again, and may or may not return entries added or removed during the
 * iteration. {@code Iterator.remove()} removes the last returned key from the map, and
 * {@code Map.Entry.setValue} writes through to the map. {@link #size()} is exact when no write is
 * in flight and otherwise an estimate (a striped counter, as in {@code ConcurrentHashMap}).
 * {@link #equals}, {@link #hashCode} and {@link #toString} are those of {@link AbstractMap}, over a
 * weakly consistent iteration.
 *
 * <h2>Memory consistency effects</h2>
 * As with other concurrent collections, actions in a thread prior to placing an object into a
 * {@code ChainedHashMap} as a key or value <i>happen-before</i> actions subsequent to the access or
 * removal of that object from the map in another thread. An iterator that returns an entry
 * observes the write that placed it, with the same effect.
 *
 * @param <K> the type of keys
 * @param <V> the type of values
 */
public final class ChainedHashMap<K, V> extends WeaklyConsistentMap<K, V> {
  /*
   * Implementation notes
   * ====================
   *
   * Data layout. `table` is an Object[] of 2^k buckets (2^k + 1 elements in a seeded table, see
   * "Hashing") whose elements are read and written only through ArrayAccess (VarHandle acquire
   * reads and volatile CAS). A bucket is:
   *
   *   null                      empty.
   *   Node                      the head of an immutable chain Node(hash, key, value, next).
   *                             A "collision node" is a Node whose key is null: its value is a
   *                             CollisionBucket holding every key of the chain with that hash.
   *   Frozen(content, resize)   (old table only) the bucket is being moved by `resize`; `content`
   *                             (null or a chain) is its final content in this table.
   *   Forwarding(resize)        (old table only) moved; the keys are in resize.to (CHM's MOVED).
   *   UNFILLED                  (new table only) not yet filled by the resize. Readers and
   *                             writers reach a new bucket only through a Forwarding, so after
   *                             its fill; only clear(), which sweeps whole tables, may see it.
   *   Building(content, resize) (new table of a reseeding resize only) the nodes added so far by
   *                             the resize; readers read `content`, writers unwrap it first.
   *
   * Chain invariants: a chain holds each key at most once; for each hash h it holds either at most
   * COLLISION_THRESHOLD plain nodes with hash h or exactly one collision node with hash h and no
   * plain node with hash h. Nodes are never modified after publication (final fields).
   *
   * Bucket transitions (each one CAS):
   *   null/chain -> chain        put/remove/compute: a copy-on-write of the chain prefix up to the
   *                              affected node (an insertion prepends and copies nothing).
   *   null/chain -> Frozen       a resize freezes the bucket; from then on the content is final.
   *   Frozen -> Forwarding       after the bucket's new home (one or more buckets of the next
   *                              table) has been filled from the frozen content.
   *   UNFILLED -> chain/null     the fill of a new bucket; only the first fill CAS succeeds, and
   *                              every helper computes the same content from the frozen buckets.
   *   Building -> Building       a reseeding resize adds one node of a frozen old bucket (each
   *                              CAS installs a new Building object: no ABA).
   *   Building -> chain/null     unwrap, by a writer (or clear), only once the resize is settled
   *                              (every old bucket forwarded, so nothing is left to add).
   *   Building -> Frozen         the next resize (which starts only after this one is settled).
   * UNFILLED is never written back, so a stale helper can never overwrite a bucket that writers
   * already use (this is why the new table is filled with UNFILLED rather than left null).
   *
   * Resizing. `resize` always holds a Resize descriptor: idle (to == null, from == table) or
   * active (from == table, to == the next table). A resize starts with one CAS of `resize` from the
   * idle descriptor to an active one; the idle descriptor of a table is written only after `table`
   * points to it, so the table a resize starts from is always current (no ABA: descriptors are
   * never reused). Work is split into groups: when growing by a factor f, group g is old bucket g,
   * whose keys go to new buckets g, g + n, ..., g + (f-1)n; when shrinking by f, group g is new
   * bucket g, which receives old buckets g, g + m, ..., g + (f-1)m. Moving a group: freeze its old
   * buckets, fill its new buckets (UNFILLED -> content, deterministic from the frozen contents),
   * then CAS each Frozen to the Forwarding. Writers that meet a Frozen bucket finish its group
   * themselves, so a thread stalled in mid-group blocks no one. Threads claim chunks of groups by
   * CAS on `claimed` (CHM's transferIndex) and add the groups they finished to `done`; the thread
   * that brings `done` to the group count publishes `table = to` and then a new idle descriptor.
   * Termination: the group count is fixed and each claim takes a distinct chunk, so claims run out;
   * each group ends after a bounded number of CAS (its old buckets are frozen once and then change
   * only to the Forwarding, its new buckets are filled once). A thread that stalls holding a
   * claimed chunk delays the end of the resize (as in CHM), and so the next resize, but not any
   * other operation: other threads keep writing the buckets that are not frozen, finish frozen
   * groups and read everything.
   * Triggers: an insertion into a non-empty bucket checks for growth (count > 3/4 length), a removal
   * that empties a bucket checks for shrinking (count < 1/8 length, or 0, and length > minLength);
   * the new length is the smallest power of two with load <= 1/2, at least double (growth) or at
   * most half (shrinking) the old one, never below minLength, so the load after a resize is in
   * (1/4, 1/2] unless minLength is larger: hysteresis. A write that runs this check during a
   * resize, or meets a Frozen or Forwarding bucket, helps the resize instead.
   *
   * Hashing. Nodes hold the map-level hash h = fold(hashCode()) (h ^ h >>> 16, a bijection with no
   * seed). A table is either unseeded, indexed by h & (2^k - 1) as ConcurrentHashMap is (sequential
   * ids keep one bucket each, in order, which is what makes CHM fast on them), or seeded, indexed
   * by spread(h, seed) & (2^k - 1). The kind is the parity of the array's length: a seeded table
   * has one unused last element. So it is known from the array alone, at no cost, on every path
   * that reaches a table (the current one, or one behind a Forwarding): index(tab, h, seed). A new
   * map is unseeded (the test constructor may start seeded); every resize keeps the kind, except
   * the reseeding resize, which goes from unseeded to seeded, once in a map's life.
   * Trigger: an insert into an unseeded table that found >= CLUSTER_CHAIN (6) nodes of other hashes
   * in its bucket adds one to the idle descriptor's `clustered`; reaching max(8, buckets / 64), or
   * one insert finding >= LONG_CHAIN (16), starts a reseeding resize (same length, or grown if the
   * load calls for it). For random hash codes at load 3/4, 1 insert in about 8,000 finds 6, so a
   * table of 2^k buckets expects under 2^k / 10,000 counted inserts, far from the limit. Equal hash
   * codes do not count (no seed separates them; they end in a collision node).
   *
   * The reseeding resize. Its groups are the old buckets. Moving group g: freeze old bucket g,
   * add each node of the frozen content (the same hash, key and value; collision nodes whole) to
   * its bucket of the new table, which starts filled with one empty Building: CAS Building(c) ->
   * Building(node + c) unless c already holds that node's hash and key object (another helper
   * added it). Then CAS the Frozen to the Forwarding. Helpers of one group add the same nodes, so
   * the check makes the adds idempotent; and since equal hashes share an old bucket, the chain
   * invariants hold in the new table. The danger is a stale helper adding a node after writers
   * changed that key in the new table (a removed key would come back). Writers therefore never
   * write a Building: they first settle the resize (help until every old bucket is forwarded,
   * moving any group that is not, so they never wait for another thread), and then unwrap
   * (Building(c) -> c). A stale helper's CAS expects the Building it read; after an unwrap no
   * Building ever appears in that bucket again, so the CAS fails, the helper re-reads, sees no
   * Building and stops (returns without forwarding: the group was forwarded before the unwrap).
   * While a bucket is still a Building no writer has written it, so every node that a helper may
   * still add is already in it (the helper that forwarded the group added it), and the helper's
   * check finds it. The thread that completes the resize's `done` count also sets `settled`
   * before it publishes the new table, so the next resize never freezes a Building that can
   * still grow.
   *
   * Linearization points:
   *   get/containsKey: the acquire read of the bucket that holds (or would hold) the key: a chain,
   *     or the content of a Frozen bucket, which does not change until the bucket is forwarded
   *     (keys of a frozen bucket can only be written after it is forwarded, in the next table),
   *     or of a Building, in which a key forwarded to it has the value it had when frozen until a
   *     writer unwraps the bucket.
   *   put/putIfAbsent/replace/remove: the successful bucket CAS; when the condition fails, the read
   *     of the bucket that showed it.
   *   compute, computeIfPresent, merge, replaceAll: a read of the value, then a conditional write
   *     (commit()) that requires the key to map to that same value instance (or still be absent);
   *     a failed condition re-runs the function (see the class Javadoc); a failed CAS for any other
   *     reason (another key of the bucket, a resize) only retries the write, inside
   *     putVal/removeVal. The loops themselves are OptimisticComputeMap's, shared by every map.
   *   computeIfAbsent: the read that finds the key, or the CAS of its putIfAbsent; a caller that
   *     loses that CAS returns the winner's value, so all callers return one instance.
   *   size/isEmpty: not linearizable (a LongAdder updated after each successful CAS).
   *   iteration/clear: weakly consistent, no single point.
   *
   * Iteration. An iterator walks the buckets of the table it started with. For bucket i of a table
   * of length L it yields the keys with (hash & (L-1)) == i, wherever they are now: a chain or
   * frozen content is read once; a Forwarding is followed into the next table, visiting only the
   * buckets of the next table that hold such keys (all of i, i + L, ... when it is larger; bucket
   * i & (m-1), filtered by hash, when it is smaller), recursively. Each key's current place is
   * read at most once, and a key that stays present is found in exactly one place, so no present
   * key is missed or returned twice. (Positions in tables of one kind: h, or spread(h, seed).)
   * Across the reseeding resize bucket i no longer names a set of buckets of the next table. An
   * iterator that meets its Forwarding while collecting bucket c discards what it gathered of c,
   * settles the resize (then every key present is in the new table), and walks every bucket of
   * the new table, keeping only keys whose bucket in its starting table (fold(hashCode()) &
   * (L - 1): the starting table was unseeded) is c or later. The others were returned before,
   * from buckets it finished. A map switches once, so an iterator starts over at most once;
   * iterators may thus help one resize in a map's life (readers never do).
   *
   * Memory: nodes are immutable and replaced nodes become garbage once no reader holds them; an
   * old table becomes garbage when the resize that replaced it is done and no iterator holds it.
   */

  /** Default and smallest table length of the no-argument constructor. */
  private static final int DEFAULT_LENGTH = 16;
  /** Equal-hash plain nodes a chain may hold for one hash before they move into a collision node. */
  private static final int COLLISION_THRESHOLD = 8;
  /** The highest load a resize leaves: well between the shrink (1/8) and grow (3/4) bounds. */
  private static final double TARGET_LOAD = 0.5;
  /**
   * An insert into an unseeded table that finds at least this many keys of other hashes in its
   * bucket counts as clustered (about 1 insert in 8,000 for random hash codes at load 3/4).
   */
  private static final int CLUSTER_CHAIN = 6;
  /** An insert into an unseeded table that finds this many keys of other hashes switches at once. */
  private static final int LONG_CHAIN = 16;
  /** Fewest groups a resizing thread claims at once. */
  private static final int MIN_STRIDE = 16;
  private static final int NCPU = Runtime.getRuntime().availableProcessors();

  /** The marker in a new table's buckets until the resize fills them (see the notes). */
  private static final Object UNFILLED = new Object();

  /**
   * The current table; read once per operation. Its length says how it is indexed (see the notes,
   * "Hashing"): 2^k buckets by the folded hash code, or 2^k + 1 (the last element unused) by the
   * seeded spread of it.
   */
  private volatile Object[] table;
  /** The current resize descriptor, idle or active (see the notes); never null. */
  private volatile Resize resize;
  private final LongAdder count = new LongAdder();
  private final int seed;
  /** The table never shrinks below this length. */
  private final int minLength;
  /** CLUSTER_CHAIN and LONG_CHAIN, or lower in tests that make the map switch in a few inserts. */
  private final int clusterChain;
  private final int longChain;

  /** Creates an empty map with a small table (16 buckets) that grows and shrinks as needed. */
  public ChainedHashMap() {
    this(false, DEFAULT_LENGTH, Hashing.newSeed(), LONG_CHAIN);
  }

  /**
   * Creates an empty map whose table holds {@code initialCapacity} entries without resizing. The
   * table then grows as needed, and shrinks back to no less than this initial length.
   *
   * @param initialCapacity the number of entries to size the table for (0 for the smallest table)
   * @throws IllegalArgumentException if {@code initialCapacity} is negative
   */
  public ChainedHashMap(int initialCapacity) {
    this(initialCapacity, Hashing.newSeed());
  }

  /**
   * As {@link #ChainedHashMap(int)} with a fixed hash seed: for tests that need the same bucket
   * layout in every run (Lincheck replays interleavings and requires determinism).
   */
  ChainedHashMap(int initialCapacity, int seed) {
    this(initialCapacity, seed, false);
  }

  /**
   * As {@link #ChainedHashMap(int, int)}, starting {@code seeded} (indexed by the seeded spread
   * from the start) if asked: for tests of the seeded layout.
   */
  ChainedHashMap(int initialCapacity, int seed, boolean seeded) {
    this(initialCapacity, seed, seeded, LONG_CHAIN);
  }

  /**
   * As {@link #ChainedHashMap(int, int, boolean)}; an insert that finds {@code switchAt} (at most
   * LONG_CHAIN) keys of other hashes in its bucket switches the map to the seeded layout at once,
   * so that model checking meets the switch within a few operations.
   */
  ChainedHashMap(int initialCapacity, int seed, boolean seeded, int switchAt) {
    this(seeded, Sizing.tableSizeFor(Sizing.checkNonNegative(initialCapacity, "initialCapacity"), 0.75, 2),
        seed, switchAt);
  }

  /** The one that sets the fields: a first table of {@code length} buckets, the floor. */
  private ChainedHashMap(boolean seeded, int length, int seed, int switchAt) {
    this.minLength = length;
    this.longChain = Math.min(switchAt, LONG_CHAIN);
    this.clusterChain = Math.min(longChain, CLUSTER_CHAIN);
    this.seed = seed;
    Object[] tab = newTable(length, seeded);
    this.table = tab;
    this.resize = new Resize(tab, null, seed);
  }

  // ================================================================== queries

  /**
   * Returns the value mapped to {@code key}, or null. Allocates nothing, takes no lock and never
   * retries: one read of the table, one of the bucket, then immutable nodes.
   *
   * @throws NullPointerException if {@code key} is null
   */
  @Override
  @SuppressWarnings("unchecked")
  public V get(Object key) {
    int h = Hashing.fold(key.hashCode()); // NullPointerException for a null key
    Object[] tab = table;
    Object b = tabAt(tab, index(tab, h, seed));
    while (!(b instanceof Node)) {
      if (b == null) {
        return null;
      }
      if (b instanceof Forwarding) {
        tab = ((Forwarding) b).next;
        b = tabAt(tab, index(tab, h, seed));
      } else {
        b = ((Held) b).content; // Frozen: final until forwarded; Building: see the notes
      }
    }
    for (Node e = (Node) b; e != null; e = e.next) {
      if (e.hash == h) {
        Object k = e.key;
        if (k == null) {
          return (V) collisions(e).get(key);
        }
        if (k == key || key.equals(k)) {
          return (V) e.value;
        }
      }
    }
    return null;
  }

  /**
   * Returns true if some entry has this key.
   *
   * @throws NullPointerException if {@code key} is null
   */
  @Override
  public boolean containsKey(Object key) {
    return get(key) != null;
  }

  /**
   * Returns true if some entry has this value (by {@code equals}); a weakly consistent O(n) scan.
   *
   * @throws NullPointerException if {@code value} is null
   */
  @Override
  public boolean containsValue(Object value) {
    Objects.requireNonNull(value, "value");
    for (Iterator<V> it = values().iterator(); it.hasNext(); ) {
      V v = it.next();
      if (v == value || value.equals(v)) {
        return true;
      }
    }
    return false;
  }

  /**
   * Returns the number of entries: exact when no write is in flight, an estimate otherwise.
   * Saturates at {@link Integer#MAX_VALUE}.
   */
  @Override
  public int size() {
    long n = count.sum();
    return n < 0 ? 0 : (int) Math.min(n, Integer.MAX_VALUE);
  }

  /** Returns true if the map has no entries (with the same accuracy as {@link #size()}). */
  @Override
  public boolean isEmpty() {
    return count.sum() <= 0;
  }

  /**
   * Calls {@code action} for each entry, with the guarantees of a weakly consistent iteration.
   *
   * @throws NullPointerException if {@code action} is null
   */
  @Override
  @SuppressWarnings("unchecked")
  public void forEach(BiConsumer<? super K, ? super V> action) {
    Objects.requireNonNull(action, "action");
    Cursor c = new Cursor();
    while (c.advance()) {
      Object[] buf = c.buffer;
      for (int i = 0; i < c.size; i += 2) {
        action.accept((K) buf[i], (V) buf[i + 1]);
      }
    }
  }

  /** The current table length (number of buckets), for tests of growing and shrinking. */
  int tableLength() {
    return buckets(table);
  }

  /** Whether the current table is indexed by the seeded spread (see the notes), for tests. */
  boolean seeded() {
    return isSeeded(table);
  }

  /** The bucket of {@code key} in the current table, for tests of the layout. */
  int bucketOf(Object key) {
    return index(table, Hashing.fold(key.hashCode()), seed);
  }

  /** The most nodes in one bucket of the current table (run it quiescent), for tests. */
  int longestChain() {
    Object[] tab = table;
    int longest = 0;
    for (int i = 0, n = buckets(tab); i < n; i++) {
      Object b = tabAt(tab, i);
      int len = 0;
      for (Node e = b == UNFILLED ? null : chainOf(b); e != null; e = e.next) {
        len++;
      }
      longest = Math.max(longest, len);
    }
    return longest;
  }

  // ================================================================== updates

  /**
   * Maps {@code key} to {@code value}; returns the previous value or null.
   *
   * @throws NullPointerException if the key or value is null
   */
  @Override
  @SuppressWarnings("unchecked")
  public V put(K key, V value) {
    return (V) putVal(key, Objects.requireNonNull(value, "value"), ANY, null);
  }

  /**
   * Maps {@code key} to {@code value} unless the key is present; returns the current value, or null
   * if the value was added.
   *
   * @throws NullPointerException if the key or value is null
   */
  @Override
  @SuppressWarnings("unchecked")
  public V putIfAbsent(K key, V value) {
    return (V) putVal(key, Objects.requireNonNull(value, "value"), ABSENT, null);
  }

  /**
   * Replaces the value of a present key; returns the previous value, or null (and nothing changes)
   * if the key is absent.
   *
   * @throws NullPointerException if the key or value is null
   */
  @Override
  @SuppressWarnings("unchecked")
  public V replace(K key, V value) {
    return (V) putVal(key, Objects.requireNonNull(value, "value"), PRESENT, null);
  }

  /**
   * Replaces the value of {@code key} with {@code newValue} if it currently equals {@code oldValue}.
   *
   * @throws NullPointerException if any argument is null
   */
  @Override
  public boolean replace(K key, V oldValue, V newValue) {
    Objects.requireNonNull(oldValue, "oldValue");
    Objects.requireNonNull(newValue, "newValue");
    return holds(EQUAL, oldValue, putVal(key, newValue, EQUAL, oldValue));
  }

  /**
   * Removes {@code key}; returns its previous value or null.
   *
   * @throws NullPointerException if the key is null
   */
  @Override
  @SuppressWarnings("unchecked")
  public V remove(Object key) {
    return (V) removeVal(key, ANY, null);
  }

  /**
   * Removes {@code key} if its value currently equals {@code value}.
   *
   * @throws NullPointerException if the key or value is null
   */
  @Override
  public boolean remove(Object key, Object value) {
    Objects.requireNonNull(value, "value");
    return holds(EQUAL, value, removeVal(key, EQUAL, value));
  }

  /**
   * Removes every entry, bucket by bucket (not atomically: entries added during the call may stay),
   * and lets the table shrink back.
   */
  @Override
  public void clear() {
    Object[] tab = table;
    while (tab != null) {
      Object[] next = null;
      for (int i = 0, n = buckets(tab); i < n; i++) {
        while (true) {
          Object b = tabAt(tab, i);
          if (b == null || b == UNFILLED) {
            break; // an unfilled bucket of a next table receives only what this call already saw
          }
          if (b instanceof Node) {
            if (casTabAt(tab, i, b, null)) {
              count.add(-entries((Node) b));
              break;
            }
          } else if (b instanceof Forwarding) {
            next = ((Forwarding) b).next; // one resize per table: every Forwarding has this next
            break;
          } else if (b instanceof Building) {
            unwrap(tab, i, (Building) b);
          } else {
            finishFrozen(tab, i, (Frozen) b);
          }
        }
      }
      tab = next;
    }
    maybeResize();
  }

  /**
   * The conditional write of the function-taking methods, which {@link OptimisticComputeMap} writes
   * once for every map: {@code next} (null: removes) if {@code key} still maps to {@code old}
   * (null: absent), through putVal/removeVal, which retry a CAS that failed for any other reason.
   */
  @Override
  boolean commit(K key, V old, V next) {
    if (old == null) {
      return next == null || putVal(key, next, ABSENT, null) == null;
    }
    if (next == null) {
      return removeVal(key, SAME, old) == old;
    }
    return putVal(key, next, SAME, old) == old;
  }

  // ================================================================== put, remove

  /**
   * Writes {@code value} for {@code key} if {@code condition} holds; returns the value found (null
   * if absent) whether or not it wrote. Retries only when its bucket CAS fails or the bucket moved.
   */
  private Object putVal(Object key, Object value, int condition, Object expected) {
    int h = Hashing.fold(key.hashCode());
    Object[] tab = table;
    while (true) {
      int i = index(tab, h, seed);
      Object b = tabAt(tab, i);
      if (b != null && !(b instanceof Node)) {
        tab = moved(tab, i, b);
        continue;
      }
      Node head = (Node) b;
      Node found = null;
      Object old = null;
      int sameHash = 0;
      int others = 0;
      for (Node e = head; e != null; e = e.next) {
        if (e.hash != h) {
          others++;
        } else {
          Object k = e.key;
          if (k == null) {
            found = e;
            old = collisions(e).get(key);
            break;
          }
          if (same(key, k)) {
            found = e;
            old = e.value;
            break;
          }
          sameHash++;
        }
      }
      if (!holds(condition, expected, old)) {
        return old; // linearizes at the bucket read above
      }
      Node update;
      if (found == null) {
        update = sameHash >= COLLISION_THRESHOLD
            ? withCollisionNode(head, h, key, value)
            : new Node(h, key, value, head); // prepend: no copy
      } else if (found.key == null) {
        update = replaced(head, found, new Node(h, null, collisions(found).put(key, value), found.next));
      } else {
        update = replaced(head, found, new Node(h, found.key, value, found.next));
      }
      if (casTabAt(tab, i, b, update)) {
        if (old == null) {
          count.increment();
          if (others >= clusterChain && !isSeeded(tab)) {
            clustered(tab, others);
          } else if (head != null) {
            maybeResize(); // a collision: maybe time to grow
          }
        }
        return old;
      }
    }
  }

  /**
   * Removes {@code key} if {@code condition} (ANY, EQUAL or SAME) holds; returns the value found
   * (null if absent) whether or not it removed.
   */
  private Object removeVal(Object key, int condition, Object expected) {
    int h = Hashing.fold(key.hashCode());
    Object[] tab = table;
    while (true) {
      int i = index(tab, h, seed);
      Object b = tabAt(tab, i);
      if (b == null) {
        return null;
      }
      if (!(b instanceof Node)) {
        tab = moved(tab, i, b);
        continue;
      }
      Node head = (Node) b;
      Node found = null;
      Object old = null;
      for (Node e = head; e != null; e = e.next) {
        if (e.hash == h) {
          Object k = e.key;
          if (k == null) {
            found = e;
            old = collisions(e).get(key);
            break;
          }
          if (same(key, k)) {
            found = e;
            old = e.value;
            break;
          }
        }
      }
      if (old == null || !holds(condition, expected, old)) {
        return old;
      }
      Node rest;
      if (found.key == null) {
        CollisionBucket<Object, Object> left = collisions(found).remove(key);
        rest = left.size() == 1 ? single(left, h, found.next) : new Node(h, null, left, found.next);
      } else {
        rest = found.next;
      }
      Node update = replaced(head, found, rest);
      if (casTabAt(tab, i, b, update)) {
        count.decrement();
        if (update == null) {
          maybeResize(); // an emptied bucket: maybe time to shrink
        }
        return old;
      }
    }
  }

  /**
   * The chain {@code head} with {@code target} replaced by {@code replacement} (the rest of the
   * chain after the replacement): a copy of the prefix before {@code target}, iteratively.
   */
  private static Node replaced(Node head, Node target, Node replacement) {
    if (head == target) {
      return replacement;
    }
    if (head.next == target) { // the common case at the loads this table keeps: no prefix array
      return new Node(head.hash, head.key, head.value, replacement);
    }
    int n = 0;
    for (Node e = head; e != target; e = e.next) {
      n++;
    }
    Node[] prefix = new Node[n];
    n = 0;
    for (Node e = head; e != target; e = e.next) {
      prefix[n++] = e;
    }
    Node r = replacement;
    while (--n >= 0) {
      Node e = prefix[n];
      r = new Node(e.hash, e.key, e.value, r);
    }
    return r;
  }

  /** The chain {@code head} plus (key, value), whose same-hash plain nodes become one collision node. */
  private static Node withCollisionNode(Node head, int h, Object key, Object value) {
    CollisionBucket<Object, Object> bucket = CollisionBucket.empty();
    Node rest = null;
    for (Node e = head; e != null; e = e.next) {
      if (e.hash == h) {
        bucket = bucket.put(e.key, e.value); // plain nodes only: a collision node would have been found
      } else {
        rest = new Node(e.hash, e.key, e.value, rest);
      }
    }
    return new Node(h, null, bucket.put(key, value), rest);
  }

  /** A plain node holding the only entry of {@code bucket}. */
  private static Node single(CollisionBucket<Object, Object> bucket, int h, Node next) {
    Object[] kv = new Object[2];
    bucket.forEach((k, v) -> {
      kv[0] = k;
      kv[1] = v;
    });
    return new Node(h, kv[0], kv[1], next);
  }

  @SuppressWarnings("unchecked")
  private static CollisionBucket<Object, Object> collisions(Node collisionNode) {
    return (CollisionBucket<Object, Object>) collisionNode.value;
  }

  /** The chain that bucket state {@code b} (null, a chain, Frozen or Building) holds. */
  private static Node chainOf(Object b) {
    return b instanceof Held ? ((Held) b).content : (Node) b;
  }

  /** Number of entries in a chain. */
  private static long entries(Node head) {
    long n = 0;
    for (Node e = head; e != null; e = e.next) {
      n += e.key == null ? collisions(e).size() : 1;
    }
    return n;
  }

  // ================================================================== resize

  /**
   * A writer met bucket {@code i} of {@code tab} in a resize state {@code b}: helps, and returns
   * the table to retry in.
   */
  private Object[] moved(Object[] tab, int i, Object b) {
    if (b instanceof Forwarding) {
      return helpTransfer(((Forwarding) b).resize);
    }
    if (b instanceof Building) {
      unwrap(tab, i, (Building) b);
    } else {
      finishFrozen(tab, i, (Frozen) b);
    }
    return tab; // the bucket is forwarded or unwrapped now; the retry follows it
  }

  /** Completes the move of the group holding frozen bucket {@code i} of {@code tab}. */
  private static void finishFrozen(Object[] tab, int i, Frozen f) {
    Resize r = f.resize;
    moveGroup(r, r.reseeds || r.grows ? i : i & (buckets(r.to) - 1));
  }

  /**
   * Makes bucket {@code i} of a reseeding resize's new table writable: once every old bucket is
   * forwarded, replaces the Building by its content (see the notes).
   */
  private void unwrap(Object[] tab, int i, Building b) {
    settle(b.resize);
    casTabAt(tab, i, b, b.content); // fails only if another thread unwrapped or froze it
  }

  /**
   * Returns once every old bucket of reseeding resize {@code r} is forwarded, moving the groups
   * that are not (any thread may move any group, so this never waits for another thread).
   */
  private void settle(Resize r) {
    if (r.settled) {
      return;
    }
    helpTransfer(r);
    Object[] from = r.from;
    for (int g = 0; g < r.groups; g++) {
      if (!(tabAt(from, g) instanceof Forwarding)) {
        moveGroup(r, g);
      }
    }
    r.settled = true;
  }

  /** Checks the load after a write, and starts (or helps) a resize if it is out of bounds. */
  private void maybeResize() {
    Resize r = resize;
    if (r.to != null) {
      helpTransfer(r);
      return;
    }
    int n = buckets(r.from);
    long s = count.sum();
    int target = grownLength(n, s);
    if (target == n && (s < (n >>> 3) || s <= 0) && n > minLength) { // s <= 0: tables of 4 shrink too
      target = Math.min(n >>> 1, Math.max(minLength, lengthFor(s)));
    }
    if (target != n) {
      startResize(r, target, isSeeded(r.from));
    }
  }

  /**
   * An insert into unseeded table {@code tab} found {@code others} keys of other hashes in its
   * bucket: counts it, and switches the map to the seeded layout when the count (or this chain)
   * shows clustering. Only the current table's idle descriptor counts; during a resize, helps.
   */
  private void clustered(Object[] tab, int others) {
    Resize r = resize;
    if (r.to != null) {
      helpTransfer(r);
      return;
    }
    if (r.from != tab) {
      return; // a resize ended meanwhile; the next long chain counts in the new table
    }
    int n = buckets(tab);
    if (others >= longChain || (int) CLUSTERED.getAndAdd(r, 1) + 1 >= Math.max(8, n >>> 6)) {
      startResize(r, grownLength(n, count.sum()), true); // same length unless the load is high
    } else {
      maybeResize();
    }
  }

  /** Starts a resize from idle descriptor {@code r} to a new table of {@code target} buckets. */
  private void startResize(Resize r, int target, boolean seeded) {
    if (resize != r) {
      return; // someone else started one: do not allocate a table in vain
    }
    Resize active = new Resize(r.from, newTable(target, seeded), seed);
    if (casResize(r, active)) {
      helpTransfer(active);
    }
  }

  /**
   * The length a table of {@code n} buckets holding {@code s} entries grows to: at least double,
   * if {@code s} is over 3/4 of {@code n} (and n is below the largest table); otherwise n.
   */
  private static int grownLength(int n, long s) {
    return s > n - (n >>> 2) && n < Sizing.MAX_TABLE ? Math.max(n << 1, lengthFor(s)) : n;
  }

  /** The smallest table length that holds {@code s} entries at no more than the target load. */
  private static int lengthFor(long s) {
    return Sizing.tableSizeFor(s, TARGET_LOAD, 1);
  }

  /** Claims and moves chunks of groups of {@code r} until none is left; returns the next table. */
  private Object[] helpTransfer(Resize r) {
    int groups = r.groups;
    int stride = r.stride;
    while (true) {
      int start = r.claimed;
      if (start >= groups) {
        break;
      }
      int end = Math.min(start + stride, groups);
      if (!casClaimed(r, start, end)) {
        continue;
      }
      for (int g = start; g < end; g++) {
        moveGroup(r, g);
      }
      if (addDone(r, end - start) + (end - start) == groups) {
        r.settled = true; // every old bucket is forwarded: Buildings may be unwrapped
        table = r.to; // publish the next table
        setResize(new Resize(r.to, null, seed)); // then the idle descriptor of the new table
        break;
      }
    }
    return r.to;
  }

  /** Moves group {@code g} of {@code r} (see the notes); idempotent, any thread may call it. */
  private static void moveGroup(Resize r, int g) {
    Object[] from = r.from;
    Object[] to = r.to;
    int n = buckets(from);
    int m = buckets(to);
    if (r.reseeds) {
      Frozen f = freeze(r, g);
      if (f == null) {
        return; // already forwarded
      }
      for (Node e = f.content; e != null; e = e.next) {
        if (!build(r, e)) {
          return; // the new table is being written: another thread finished this group
        }
      }
      casTabAt(from, g, f, r.fwd);
    } else if (r.grows) {
      Frozen f = freeze(r, g);
      if (f == null) {
        return; // already forwarded
      }
      int factor = m / n;
      int shift = Integer.numberOfTrailingZeros(n);
      Node[] heads = new Node[factor];
      // The longest suffix of the chain whose keys all go to one new bucket is reused as it is
      // (nodes are immutable); only the nodes before it are copied. Most chains are one node long,
      // so most nodes are never copied, and a node stays next to its key in memory.
      Node run = f.content;
      int runK = 0;
      for (Node e = f.content; e != null; e = e.next) {
        int k = (position(to, e.hash, r.seed) & (m - 1)) >>> shift; // new index = g + k * n
        if (e == f.content || k != runK) {
          run = e;
          runK = k;
        }
      }
      if (run != null) {
        heads[runK] = run;
      }
      for (Node e = f.content; e != run; e = e.next) {
        int k = (position(to, e.hash, r.seed) & (m - 1)) >>> shift;
        heads[k] = new Node(e.hash, e.key, e.value, heads[k]);
      }
      for (int k = 0; k < factor; k++) {
        casTabAt(to, g + k * n, UNFILLED, heads[k]); // fails only if another helper filled it
      }
      casTabAt(from, g, f, r.fwd);
    } else {
      int factor = n / m;
      boolean filled = false;
      Node merged = null;
      for (int k = 0; k < factor; k++) {
        Frozen f = freeze(r, g + k * m);
        if (f == null) {
          filled = true; // a forwarded source: the target was filled before it
        } else if (!filled && f.content != null) {
          if (merged == null) {
            merged = f.content; // the first non-empty chain is reused as the tail, uncopied
          } else {
            for (Node e = f.content; e != null; e = e.next) {
              merged = new Node(e.hash, e.key, e.value, merged);
            }
          }
        }
      }
      if (!filled) {
        casTabAt(to, g, UNFILLED, merged);
      }
      for (int k = 0; k < factor; k++) {
        Object b = tabAt(from, g + k * m);
        if (b instanceof Frozen) {
          casTabAt(from, g + k * m, b, r.fwd);
        }
      }
    }
  }

  /**
   * Adds (a copy of) node {@code e} of a frozen old bucket to its bucket of reseeding resize
   * {@code r}'s new table, unless it is there already. Returns false, adding nothing, if that
   * bucket is no longer a Building: then every old bucket is forwarded (see the notes).
   */
  private static boolean build(Resize r, Node e) {
    Object[] to = r.to;
    int j = index(to, e.hash, r.seed);
    while (true) {
      Object b = tabAt(to, j);
      if (!(b instanceof Building)) {
        return false;
      }
      Node head = ((Building) b).content;
      for (Node x = head; x != null; x = x.next) {
        if (x.hash == e.hash && x.key == e.key) {
          return true; // the same entry (or collision node), added by another helper
        }
      }
      if (casTabAt(to, j, b, new Building(new Node(e.hash, e.key, e.value, head), r))) {
        return true;
      }
    }
  }

  /** Freezes old bucket {@code s} of {@code r}; returns its Frozen, or null if already forwarded. */
  private static Frozen freeze(Resize r, int s) {
    Object[] from = r.from;
    while (true) {
      Object b = tabAt(from, s);
      if (b instanceof Frozen) {
        return (Frozen) b;
      }
      if (b instanceof Forwarding) {
        return null;
      }
      // A Building left in a table that a reseeding resize has finished filling is its content.
      Frozen f = new Frozen(chainOf(b), r);
      if (casTabAt(from, s, b, f)) {
        return f;
      }
    }
  }

  // ================================================================== hashing

  /** The number of buckets of {@code tab}: its length, less the unused last element if seeded. */
  static int buckets(Object[] tab) {
    return tab.length & ~1;
  }

  /** Whether {@code tab} is indexed by the seeded spread (its length is odd; see the notes). */
  static boolean isSeeded(Object[] tab) {
    return (tab.length & 1) != 0;
  }

  /** The bucket of map-level hash {@code h} in {@code tab}. */
  static int index(Object[] tab, int h, int seed) {
    int n = tab.length;
    return (n & 1) == 0 ? h & (n - 1) : Hashing.spread(h, seed) & (n - 2);
  }

  /** The hash whose low bits are {@code h}'s bucket in tables of {@code tab}'s kind. */
  static int position(Object[] tab, int h, int seed) {
    return isSeeded(tab) ? Hashing.spread(h, seed) : h;
  }

  /** A table of {@code buckets} buckets (a power of two), indexed as {@code seeded} says. */
  private static Object[] newTable(int buckets, boolean seeded) {
    return new Object[seeded ? buckets + 1 : buckets];
  }

  // ================================================================== traversal

  /**
   * Passes to {@code sink} the entries reachable from {@code tab} whose position (the hash whose
   * low bits index tables of {@code tab}'s kind) satisfies {@code (position & (len - 1)) == c},
   * following forwarding nodes (see the notes on iteration); {@code len} is a power of two.
   * Returns null, or the reseeding resize it met (having passed on part of the class): the
   * caller must then start over in that resize's new table.
   */
  private Resize collect(Object[] tab, int len, int c, BiConsumer<Object, Object> sink) {
    int m = buckets(tab);
    if (m >= len) {
      for (int j = c; j < m; j += len) {
        Object b = tabAt(tab, j);
        if (b instanceof Forwarding) {
          Resize r = ((Forwarding) b).resize;
          // position & (m-1) == j implies the caller's class, in tables of one kind
          Resize met = r.reseeds ? r : collect(r.to, m, j, sink);
          if (met != null) {
            return met;
          }
        } else {
          emit(tab, b, 0, 0, sink);
        }
      }
      return null;
    }
    int j = c & (m - 1);
    Object b = tabAt(tab, j);
    if (b instanceof Forwarding) {
      Resize r = ((Forwarding) b).resize;
      return r.reseeds ? r : collect(r.to, len, c, sink);
    }
    emit(tab, b, len - 1, c, sink); // this bucket also holds other classes: filter
    return null;
  }

  /**
   * Passes the entries of a chain, or of a Frozen or Building bucket, of {@code tab} whose
   * position satisfies {@code (position & mask) == c} to {@code sink}.
   */
  private void emit(Object[] tab, Object b, int mask, int c, BiConsumer<Object, Object> sink) {
    for (Node e = chainOf(b); e != null; e = e.next) {
      if (mask == 0 || (position(tab, e.hash, seed) & mask) == c) {
        if (e.key == null) {
          collisions(e).forEach(sink);
        } else {
          sink.accept(e.key, e.value);
        }
      }
    }
  }

  /**
   * Walks the buckets of the table it started with, gathering one bucket's keys at a time
   * (following forwarding nodes) into {@code buffer}; the iterators and forEach drain it.
   *
   * <p>Across the switch to the seeded layout (a reseeding resize) the buckets of the starting
   * table no longer name sets of the new table's buckets. A cursor that meets that switch while
   * collecting bucket c drops what it collected of c, helps the resize until every old bucket is
   * forwarded (then every key present is in the new table), and walks the new table's buckets
   * from the start, keeping only keys whose bucket in the starting table is c or later: the others
   * were gathered before. The switch happens once in a map's life, so a cursor starts over at
   * most once.
   */
  private class Cursor implements BiConsumer<Object, Object> {
    /** Buckets of the starting table, and its kind: the classes that {@link #floor} refers to. */
    private final int rootLength;
    private Object[] tab = table;
    private int nextBucket;
    /** After the switch: keys of the starting table's buckets below this were already passed on. */
    private int floor = -1;
    /** Key, value pairs of the current bucket. */
    Object[] buffer = new Object[16];
    int size;

    Cursor() {
      rootLength = buckets(tab);
    }

    @Override
    public void accept(Object k, Object v) {
      if (floor >= 0 && (Hashing.fold(k.hashCode()) & (rootLength - 1)) < floor) {
        return; // the starting table was unseeded (it switched): its buckets were by folded hash
      }
      if (size == buffer.length) {
        buffer = Arrays.copyOf(buffer, size * 2);
      }
      buffer[size++] = k;
      buffer[size++] = v;
    }

    /** Gathers the next non-empty bucket into {@code buffer}; false when there is none. */
    boolean advance() {
      while (true) {
        Arrays.fill(buffer, 0, size, null);
        size = 0;
        int n = buckets(tab);
        if (nextBucket >= n) {
          return false;
        }
        int c = nextBucket;
        Resize switched = collect(tab, n, c, this);
        if (switched == null) {
          nextBucket++;
          if (size > 0) {
            return true;
          }
        } else {
          settle(switched);
          floor = floor >= 0 ? floor : c; // once only: the new table is seeded, it cannot switch
          tab = switched.to;
          nextBucket = 0;
        }
      }
    }
  }

  /** A weakly consistent iterator over a {@link Cursor}. */
  private final class Traversal<T> extends Cursor implements Iterator<T> {
    private final Projection<T> projection;
    private int at;
    private Object lastKey;

    Traversal(Projection<T> projection) {
      this.projection = projection;
      advance();
    }

    @Override
    public final boolean hasNext() {
      return at < size;
    }

    @Override
    public final T next() {
      if (at >= size) {
        throw new NoSuchElementException();
      }
      Object k = buffer[at];
      Object v = buffer[at + 1];
      at += 2;
      if (at == size) {
        at = 0;
        advance();
      }
      lastKey = k;
      return projection.make(k, v);
    }

    @Override
    public final void remove() {
      if (lastKey == null) {
        throw new IllegalStateException("next() has not been called, or remove() was already called");
      }
      ChainedHashMap.this.remove(lastKey);
      lastKey = null;
    }
  }

  @Override
  <T> Iterator<T> traversal(Projection<T> projection) {
    return new Traversal<>(projection);
  }

  // ================================================================== nodes and descriptors

  /**
   * An immutable chain node. A collision node has a null {@code key} and a
   * {@link CollisionBucket} as its {@code value}.
   */
  static final class Node {
    final int hash;
    final Object key;
    final Object value;
    final Node next;

    Node(int hash, Object key, Object value, Node next) {
      this.hash = hash;
      this.key = key;
      this.value = value;
      this.next = next;
    }
  }

  /** A bucket state that wraps a chain, which readers read as the bucket's content. */
  abstract static class Held {
    final Node content;
    final Resize resize;

    Held(Node content, Resize resize) {
      this.content = content;
      this.resize = resize;
    }
  }

  /** An old-table bucket being moved: {@code content} is final; writers finish the move first. */
  static final class Frozen extends Held {
    Frozen(Node content, Resize resize) {
      super(content, resize);
    }
  }

  /**
   * A bucket of a reseeding resize's new table while old buckets are added to it: only the
   * resize adds nodes (a new Building per addition); writers first wait until the resize is
   * settled, helping, and then unwrap it (see the notes).
   */
  static final class Building extends Held {
    Building(Node content, Resize resize) {
      super(content, resize);
    }
  }

  /** An old-table bucket whose keys are in {@code next}; one instance per resize. */
  static final class Forwarding {
    final Object[] next;
    final Resize resize;

    Forwarding(Resize resize) {
      this.next = resize.to;
      this.resize = resize;
    }
  }

  /** A resize from {@code from} to {@code to}; idle (nothing to do) when {@code to} is null. */
  static final class Resize {
    final Object[] from;
    final Object[] to;
    final Forwarding fwd;
    final boolean grows;
    /**
     * From an unseeded table to a seeded one: every node is added to the new table on its own
     * (see the notes), not by groups of buckets that share hash bits.
     */
    final boolean reseeds;
    /** The map's seed, for the positions of seeded tables. */
    final int seed;
    /** Groups to move: old buckets when growing or reseeding, new buckets when shrinking. */
    final int groups;
    /** Groups per claim. */
    final int stride;
    /** The first unclaimed group; advanced by CAS through {@link #CLAIMED}. */
    volatile int claimed;
    /** Groups moved by their claimants; added through {@link #DONE}. */
    volatile int done;
    /** Set once every old bucket is known to be forwarded; then Buildings may be unwrapped. */
    volatile boolean settled;
    /** Idle descriptor of an unseeded table: its inserts that found a long chain. */
    volatile int clustered;

    Resize(Object[] from, Object[] to, int seed) {
      this.from = from;
      this.to = to;
      this.seed = seed;
      if (to == null) {
        this.fwd = null;
        this.grows = false;
        this.reseeds = false;
        this.groups = 0;
        this.stride = 0;
      } else {
        int n = buckets(from);
        int m = buckets(to);
        this.fwd = new Forwarding(this);
        this.grows = m > n;
        this.reseeds = !isSeeded(from) && isSeeded(to);
        this.groups = reseeds ? n : Math.min(n, m);
        this.stride = Math.max(MIN_STRIDE, groups / (8 * NCPU));
        // Before the descriptor is published: the CAS that publishes it orders these stores.
        Arrays.fill(to, 0, m, reseeds ? new Building(null, this) : UNFILLED);
      }
    }
  }

  // ================================================================== memory-ordered access

  /** Acquire read of a bucket: the chain it returns is fully visible. */
  private static Object tabAt(Object[] tab, int i) {
    return ArrayAccess.getAcquire(tab, i);
  }

  /** Volatile CAS of a bucket: the linearization point of every write. */
  private static boolean casTabAt(Object[] tab, int i, Object expected, Object update) {
    return ArrayAccess.cas(tab, i, expected, update);
  }

  private boolean casResize(Resize expected, Resize update) {
    return RESIZE.compareAndSet(this, expected, update);
  }

  private void setResize(Resize r) {
    RESIZE.setVolatile(this, r);
  }

  private static boolean casClaimed(Resize r, int expected, int update) {
    return CLAIMED.compareAndSet(r, expected, update);
  }

  private static int addDone(Resize r, int delta) {
    return (int) DONE.getAndAdd(r, delta);
  }

  private static final VarHandle RESIZE;
  private static final VarHandle CLAIMED;
  private static final VarHandle DONE;
  private static final VarHandle CLUSTERED;

  static {
    try {
      MethodHandles.Lookup l = MethodHandles.lookup();
      RESIZE = l.findVarHandle(ChainedHashMap.class, "resize", Resize.class);
      CLAIMED = l.findVarHandle(Resize.class, "claimed", int.class);
      DONE = l.findVarHandle(Resize.class, "done", int.class);
      CLUSTERED = l.findVarHandle(Resize.class, "clustered", int.class);
    } catch (ReflectiveOperationException e) {
      throw new ExceptionInInitializerError(e);
    }
  }
}
