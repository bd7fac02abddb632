package dev.atoll.map;

import static dev.atoll.map.WriteCondition.ANY;
import static dev.atoll.map.WriteCondition.EQUAL;
import static dev.atoll.map.WriteCondition.SAME;
import static dev.atoll.map.WriteCondition.holds;

import dev.atoll.internal.ArrayAccess;
import dev.atoll.internal.CollisionBucket;
import dev.atoll.internal.Hashing;
import dev.atoll.internal.Sizing;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.Arrays;
import java.util.HashSet;
import java.util.IdentityHashMap;
import java.util.Iterator;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentMap;
import java.util.function.BiConsumer;

/**
 * A concurrent hash map built on hopscotch hashing: every entry lives within a small neighbourhood
 * (16 slots) of its home bucket, so a lookup normally reads one slot, its home slot (and, in
 * parallel, the bucket's neighbourhood bitmap). The table grows and shrinks with the number of
 * entries, cooperatively: threads that write during a resize help to finish it, while readers never
 * wait.
 *
 * <p>Keys and values must not be null ({@link NullPointerException}). All single-key operations of
 * {@link ConcurrentMap} are atomic (linearizable) per key. {@link #get} and {@link #containsKey}
 * take no lock, never wait and allocate nothing. {@code put}, {@code remove}, {@code replace} and
 * the compute family update an existing key with one compare-and-set and take no lock either; only
 * the insertion of a <em>new</em> key takes a short claim on its segment of 16 home buckets (see
 * "Progress" below), which readers and updaters of present keys never wait for.
 *
 * <h2>Progress</h2>
 * Readers ({@code get}, {@code containsKey}, iteration) never wait, never retry because of a
 * concurrent write, and never help, with one exception once in a map's life: an iterator that is
 * under way when the map switches to its seeded layout (see "Hash flooding") helps that resize
 * finish. Writers are not lock-free in every case: an insert of a new key
 * waits for another insert in the same segment (a claim held for the few steps of placing one
 * entry); a write to a key that another insert is displacing waits until that move is done (a few
 * steps); and a writer that meets a resize helps copy the table and then waits until every chunk
 * has been copied. So a writer thread descheduled inside one of these short sections delays other
 * writers of the same segment or of the resized table, as a bin lock does in
 * {@link java.util.concurrent.ConcurrentHashMap}; it never delays readers.
 *
 * <h2>Hash flooding</h2>
 * A new map places keys by their hash codes themselves (the high half folded into the low half,
 * as {@code ConcurrentHashMap} does), so that sequential ids sit in consecutive slots, each in its
 * home. The first key that no neighbourhood of such a table can hold switches the map, with a
 * resize, to hash codes spread with a random per-instance seed, for good, so that keys cannot be
 * precomputed to collide. Keys that no neighbourhood of a seeded table can hold (for example many keys with one {@code hashCode()}) go to a per-segment
 * overflow bucket, an ordered persistent structure: 100,000 {@link Comparable} keys with one hash
 * code take O(log n) per operation, and the table does not grow because of them beyond what their
 * number needs.
 *
 * <h2>Iteration</h2>
 * Iterators of the {@linkplain #entrySet() views} are weakly consistent, as those of
 * {@link java.util.concurrent.ConcurrentHashMap}: they never throw
 * {@link java.util.ConcurrentModificationException}, they return every entry that is present for
 * the whole iteration, and they never return one key twice (unless it was removed and added again
 * during the iteration); entries added or removed during the iteration may or may not be returned.
 * {@code Iterator.remove()} removes the last returned key from the map and
 * {@code Map.Entry.setValue} writes through. {@link #size()} is exact when no write is in progress.
 *
 * <h2>Memory consistency effects</h2>
 * As with other concurrent collections, actions in a thread prior to placing an object into a
 * {@code HopscotchHashMap} as a key or value <i>happen-before</i> actions subsequent to the access
 * or removal of that object from the map in another thread. In particular a value read by
 * {@code get} is seen with every write made before the {@code put} that stored it.
 *
 * @param <K> the type of keys
 * @param <V> the type of values
 */
public final class HopscotchHashMap<K, V> extends WeaklyConsistentMap<K, V> {
  /*
   * Implementation notes
   * ====================
   *
   * Data layout. The map points to a Table:
   *
   *   slots[n]    Object: null | Entry | Frozen(Entry) | RESERVED | MOVED      (n a power of two >= 32)
   *   hop[n]      16-bit bitmap (a short) per home bucket h: bit d says "slot h+d (mod n) may hold an
   *               entry whose home is h". Neighbourhood size H = 16.
   *   claims[n/16] int per segment of 16 home buckets: FREE | HELD | CLOSED.
   *   stash[n/16] Object per segment, allocated on first overflow: null | CollisionBucket | Frozen(bucket) | MOVED
   *   next        the table a resize copies into (null when no resize is running)
   *
   * An Entry (key, hash, value) is immutable; a value update replaces the Entry object in its
   * slot by CAS. Its hash is the map-level hash (the hash code folded, no seed). The home of an
   * entry is home(t, hash): index(t, hash) & (n - 1), where index is the hash itself in an unseeded
   * table and its seeded spread in a seeded one (see Hashing); an entry in the table sits in slot
   * home + d with 0 <= d < H and bit d of hop[home] set.
   *
   * Slot states and who may write them:
   *   null           free. Inserters CAS null -> RESERVED; a resize CASes null -> MOVED.
   *   RESERVED       owned by the thread that installed it (an inserter on its way to fill it, a
   *                  displacer that just emptied it, or a remover between its two stores). Only the
   *                  owner writes the slot, and the slot's bits in every hop word.
   *   Entry e        live. Updaters CAS e -> e' (same key, new value); removers CAS e -> RESERVED;
   *                  displacers and the resize CAS e -> Frozen(e).
   *   Frozen(e)      e is still the live entry (readers use it), but it is being moved: by a
   *                  displacement (to a later slot of its neighbourhood) or by the resize (to the
   *                  next table). Writers of that key wait or help, then retry.
   *   MOVED          final: the slot's entry (if any) is in `next`. Readers go on in `next`.
   *
   * Invariants.
   *   (I1) Every slot holding e or Frozen(e) has its bit set in hop[home(e)]. The owner of a slot sets
   *        the bit before storing an entry and clears it only after the entry has left.
   *   (I2) A key is in at most one place of a table: one slot, or one stash bucket (the only moment
   *        two slots hold it is during a displacement: Frozen(e) at the source and e at the target,
   *        the same entry). New keys are added only under the segment claim of their home, after
   *        looking for the key under that claim.
   *   (I3) Entries only move forward in their neighbourhood (to a larger d): displacement moves an
   *        entry from slot q to a later free slot f of the same neighbourhood, writing f before
   *        emptying q. Nothing ever moves an entry backward, or between a slot and a stash bucket.
   *
   * Lookup (get): for d = 0, 1, ...: read hop[home] (re-read every step), jump to its next set bit
   * >= d, read that slot, compare hash and key; then look in the segment's stash bucket. Why a key
   * that is present during the whole lookup cannot be missed, although displacements move it: let
   * m(t) be the smallest d at which the key is (in a slot with its bit set) at time t. By (I3) m(t)
   * never decreases, and the lookup keeps d <= m(t): the next set bit at or after d is at most m(t)
   * by (I1), and if the slot read there no longer holds the key, the key has moved forward, so
   * m > d. Hence the lookup finds it before d passes H. A lookup that finds nothing therefore saw a
   * moment at which the key was absent. (All these reads and the writers' stores are volatile, so
   * they are ordered in one synchronization order and "time" is well defined.) No version counter
   * is needed, and a reader never retries because of a displacement.
   *
   * Home slot first. Step d = 0 of get reads slot home and then hop[home], issuing both loads
   * before using either (neither address depends on the other load, so their cache misses overlap),
   * and checks slot home whether or not bit 0 is set. In a 1M-entry table these are two misses in
   * two large arrays; waiting for the hop word before the slot read made get pay one more dependent
   * miss than ConcurrentHashMap's table -> node -> key. This keeps the argument above:
   *   - a match at slot home is returned on the strength of the slot read alone, as at any step:
   *     e or Frozen(e) in a slot of t means e is the key's current entry at that read (updaters and
   *     removers wait for Frozen, and a displaced entry is the same object in both slots);
   *   - if the slot does not hold the key at that read, then m >= 1 from then on (if the key was at
   *     d = 0 we would have seen it; m never decreases), so the hop word read after it may be used for
   *     step d = 1: its next set bit >= 1 is at most m by (I1), as in the loop above. Every later
   *     step re-reads the hop word after the previous slot read, unchanged.
   * Checking slot home without its bit only adds a slot the scan would also have accepted: an
   * Entry with the key's hash in slot home has home as its home. get() itself is only this step
   * (about 100 bytes of bytecode, so the JIT inlines it into its callers as it does
   * ConcurrentHashMap.get; the whole lookup was over the 325-byte hot-inlining limit) and passes
   * the slot and word it read to lookOn(), which does the other steps, the stash and the next
   * tables. The slot and hop reads stay volatile rather than acquire or plain: the argument orders
   * each hop read after the slot read before it (and the writers' stores) in the one
   * synchronization order, and on x86 a volatile read is a plain load anyway (C2 only keeps later
   * loads after it, which the overlap above does not need: the two loads are independent and
   * issued back to back, and the hardware overlaps their misses).
   *
   * Insert of a new key (insert(), under the claim of its segment): look for the key again, then
   * reserve the first free slot f at or after home (linear probing, at most PROBE_LIMIT slots); while
   * f is outside the neighbourhood, find the earliest entry e in the H - 1 slots before f whose own
   * neighbourhood contains f, CAS its slot q to Frozen(e), set its bit for f, store e in f, make q
   * RESERVED, clear its bit for q, and go on with f = q. Finally set the new key's bit and store its
   * Entry. Linearization point: that store. If no slot can be found (probing or displacement
   * fails): grow the table if it is at least half full, otherwise put the entry in the segment's
   * stash bucket (an immutable CollisionBucket replaced by CAS). So equal hash codes never make the
   * table grow beyond what the entry count needs.
   *
   * Update and remove of a present key take no claim: CAS the slot from the Entry read to a new
   * Entry, or to RESERVED (then clear the bit, then store null); in a stash bucket, CAS the bucket to
   * the updated copy. Linearization point: that CAS. A CAS that fails (the entry changed, was frozen
   * or moved) makes the operation look again. A conditional operation whose condition fails
   * linearizes at the read of the entry it examined.
   *
   * compute/computeIfPresent/merge/replaceAll run the function on the value read, then commit the
   * result only if the key still maps to that same value instance (or is still absent), else run it
   * again: the function may run more than once. computeIfAbsent runs its function only when the key
   * was absent and adds the result as putIfAbsent does, so every caller gets the one instance that
   * was added. These loops are OptimisticComputeMap's, shared by every map; this class supplies
   * the conditional write, commit() (doPut/doRemove with SAME).
   *
   * Resize (grow at load > 0.8 or on a failed insert at load >= 0.5; shrink at load < 0.2; the new
   * length gives load <= 0.5, which leaves a wide hysteresis band). The thread that decides CASes
   * t.next from null to a new table, then every thread that meets the resize helps:
   *   1. Close: CAS every segment claim FREE -> CLOSED (waiting for claims HELD by inserters, which
   *      finish without waiting for anything). After this no insert or displacement runs in t,
   *      so entries no longer move inside t and no RESERVED slot is owned by an inserter.
   *   2. Copy, in chunks of STRIDE home buckets handed out by CAS on transferIndex (as
   *      ConcurrentHashMap does): each slot null -> MOVED, or e -> Frozen(e), copy e into next, then
   *      MOVED; each stash bucket likewise. Copying into next uses next's normal insert (claims,
   *      displacement, stash; never a resize). Nobody else writes into next while it is copied.
   *   3. The thread that completes the last chunk sets t.finished and swings the map's table to next.
   * Writers that find MOVED, Frozen(e) of a table with a next, or a CLOSED claim help, then wait for
   * `finished` and retry in the new table. Readers never help and never wait: a Frozen(e) is still
   * current, and a MOVED slot in the key's neighbourhood (or stash) sends them on to next after they
   * have finished looking in t, where a copied key must be (it is copied before its slot is marked).
   * Why the resize finishes: closing waits only for inserts in progress, each of which ends in a
   * bounded number of steps; afterwards no thread can add work to t, the copy of each slot is a
   * bounded number of steps, and the chunks are finite. (A thread stalled in the middle of its chunk
   * or of an insert delays completion, as a stalled bin-lock holder does in ConcurrentHashMap; that is
   * where this map is not lock-free for writers. Readers are unaffected.)
   *
   * Hashing. A map's first table is unseeded: homes are the folded hash code's low bits, the
   * layout ConcurrentHashMap gives (sequential ids in consecutive slots, each in its home, and
   * their entries copied by G1 in that order). An insert into an unseeded table that finds no slot
   * (probing and displacement failed) does not use the stash. Below half full, where sequential
   * and random hash codes almost never fail and clustered ones soon do, it starts a resize into a
   * seeded table of the same length, and every later table is seeded. At half full or more,
   * where random hash codes also fail now and then, it grows the table, unseeded: clustered
   * hash codes then fail again in the grown table, below half full, and switch there. (A first
   * version switched on any failure; 1M random keys then always ended seeded, paying the seeded
   * spreader on every operation.) Nothing in the resize depends on the function: a copy inserts each entry into `next`
   * with next's own homes. Copies never start a resize, so an unseeded table that a copy fills
   * may stash; the next insert that fails there switches. Readers and writers compute the home
   * per table, so an operation that follows MOVED into the seeded table finds the key there.
   *
   * Iteration visits home buckets of the table it started with, one at a time; for each home it
   * collects the entries whose home it is (from the neighbourhood, with the lookup's scan, and from the
   * stash), follows MOVED into the next tables (visiting there the homes that hold the same hashes),
   * and drops keys it collected twice (a key displaced during the scan, or met in both tables).
   * Every key belongs to exactly one home of the starting table, hence no duplicates across homes.
   * This needs one function for all tables met; the switch breaks it once per map. A cursor that
   * meets a MOVED slot whose next table is seeded while its own is not stops collecting, helps
   * every resize up to that table finish (so the seeded table then holds every key that was
   * present all along), drops the home it was collecting, and goes on over the seeded table from
   * its first home, keeping only keys whose home in the starting table (hash & its mask: that
   * table is unseeded) is the dropped home or a later one: the earlier homes' keys were returned
   * already, each exactly once.
   *
   * Memory: an Entry is 24 bytes (compressed oops), plus a slot reference (4 bytes) and a 16-bit hop
   * word per slot: 24 + 6 / load bytes per entry excluding keys and values. 1M Long -> Long entries
   * sit in a 2M-slot table right after a grow (load 0.48): about 36.6 bytes per entry, against
   * ConcurrentHashMap's 32-byte node + 4 / load bytes of table (about 40.4 at the same load); with a
   * 32-bit hop word (the first version) it was 40.8, a little above. H = 16 still leaves inserts
   * ample room below the 0.8 growth load; a neighbourhood that overflows falls back as described.
   * Parallel key/value arrays were rejected: pairing a key with its value across a concurrent
   * displacement needs a second protocol for the value slot, and correctness came first.
   * Replaced entries, frozen wrappers and old tables are garbage once no operation refers to them.
   *
   * Costs: get reads the home slot and its hop word (the two loads overlap), the further slots the
   * bits name (none for most keys) and their entries, and allocates nothing. An update allocates one Entry and stores it into the table, a removal stores
   * the RESERVED marker then null: with G1, stores of non-null references into the (old, large) slot
   * array dirty cards, which makes writes slower than ConcurrentHashMap's in-place value writes
   * when the machine has no spare core for G1's refinement threads.
   */

  /** Neighbourhood size: bits per hop word (a short: 2 bytes per slot). */
  private static final int H = 16;
  /** log2 of the home buckets per segment (claim and stash granularity). */
  private static final int SEG_SHIFT = 4;
  /** The smallest table length (one neighbourhood). */
  private static final int MIN_CAPACITY = H;
  /** How far an insert probes for a free slot before it gives up on the neighbourhood. */
  private static final int PROBE_LIMIT = 512;
  /** Home buckets per resize chunk (a multiple of the segment size). */
  private static final int STRIDE = 512;
  /** Grow when the entry count exceeds this fraction of the table length. */
  private static final double MAX_LOAD = 0.8;
  /** Shrink when the entry count falls below this fraction of the table length. */
  private static final double MIN_LOAD = 0.2;
  /** A failed insert grows the table only at this load or more; below it uses the stash. */
  private static final double GROW_ON_FAILURE_LOAD = 0.5;
  /** Load the resized table is sized for (at most). */
  private static final double RESIZED_LOAD = 0.5;

  // Slot sentinels.
  /** A slot owned by one thread, empty for everybody else. */
  private static final Object RESERVED = new Sentinel("RESERVED");
  /** A slot (or stash bucket) whose contents were copied to the next table. */
  private static final Object MOVED = new Sentinel("MOVED");

  // Claim states.
  private static final int FREE = 0;
  private static final int HELD = 1;
  private static final int CLOSED = 2;

  // Results of findForWrite (slot indexes are >= 0).
  private static final int ABSENT = -1;
  private static final int STASHED = -2;
  private static final int HELP = -3;

  // Results of insert.
  private static final int INSERTED = 0;
  private static final int PRESENT = 1;
  private static final int RETRY_AFTER_HELP = 2;
  private static final int GROW = 3;

  /** The current table; accessed through {@link #TABLE}. */
  private volatile Table table;
  /** Entry count; accessed through {@link #COUNT}. */
  private volatile long count;
  private final int seed;


  /** Creates an empty map with a small table (32 slots). */
  public HopscotchHashMap() {
    this(0);
  }

  /**
   * Creates an empty map whose table holds {@code initialCapacity} entries without growing. The
   * capacity is a hint: the table still shrinks when far fewer entries are present.
   *
   * @param initialCapacity the number of entries expected
   * @throws IllegalArgumentException if {@code initialCapacity} is negative
   */
  public HopscotchHashMap(int initialCapacity) {
    this(initialCapacity, Hashing.newSeed(), false);
  }

  /**
   * For tests: a map with a known hash seed whose tables are seeded from the start, so that a
   * test can place keys: the home of key k is {@code Hashing.spread(Hashing.fold(k.hashCode()),
   * seed)} under the table's mask.
   */
  HopscotchHashMap(int initialCapacity, int seed) {
    this(initialCapacity, seed, true);
  }

  private HopscotchHashMap(int initialCapacity, int seed, boolean seeded) {
    Sizing.checkNonNegative(initialCapacity, "initialCapacity");
    this.seed = seed;
    this.table = new Table(Sizing.tableSizeFor(initialCapacity, MAX_LOAD, MIN_CAPACITY), seed, seeded);
  }

  /**
   * Returns the length of the current table (slots), for tests and monitoring. It grows and shrinks
   * with the entry count.
   *
   * @return the number of slots of the current table
   */
  public int tableLength() {
    return table.length;
  }

  /** For tests: whether the current table is seeded (see the notes, "Hashing"). */
  boolean seeded() {
    return table.seeded;
  }

  /**
   * For tests: the slot of {@code key} in the current table, -2 if it is in a stash bucket, -1 if
   * absent. Meaningful only when no write is in progress.
   */
  int slotOf(Object key) {
    Table t = table;
    int h = spread(key);
    int r = findForWrite(t, key, h, false);
    return r >= 0 ? r : (r == STASHED ? -2 : -1);
  }

  // ================================================================== queries

  /**
   * Returns the value mapped to {@code key}, or null. Never waits and allocates nothing.
   *
   * @throws NullPointerException if {@code key} is null
   */
  @Override
  @SuppressWarnings("unchecked")
  public V get(Object key) {
    // Kept small (the rest is in lookOn) so that the JIT inlines it into callers, as it does
    // ConcurrentHashMap.get; the whole method used to be over the hot-inlining limit (325 bytes).
    int h = spread(key);
    Table t = table;
    int home = home(t, h);
    // Step d = 0 reads the home slot and then the hop word, both before using either, so the two
    // cache misses overlap instead of the slot read waiting for the hop word (see the notes,
    // "Lookup"): most keys sit in their home slot, and then the hop word is not needed at all.
    Object x = slotAt(t.slots, home);
    int word = hopAt(t.hop, home);
    if (x instanceof Entry) {
      Entry e = (Entry) x;
      if (e.hash == h && (e.key == key || key.equals(e.key))) {
        return (V) e.value;
      }
    }
    return (V) lookOn(t, key, h, x, word);
  }

  /**
   * The rest of a lookup in {@code t}, after step d = 0 read slot home ({@code x}) and then
   * hop[home] ({@code word}) and found no live entry of the key there (or a frozen one, checked
   * here); then in the next tables if a slot or the stash had moved.
   */
  private static Object lookOn(Table t, Object key, int h, Object x, int word) {
    while (true) {
      Object[] slots = t.slots;
      int mask = t.mask;
      int home = home(t, h);
      Object r = step(x, key, h);
      if (r != null && r != MOVED) {
        return r;
      }
      boolean moved = r == MOVED;
      // Steps d >= 1: jump to the next set bit of the hop word; re-read the word after every slot.
      int d = 1;
      while (true) {
        int bits = word >>> d;
        if (bits == 0) {
          break;
        }
        d += Integer.numberOfTrailingZeros(bits);
        r = step(slotAt(slots, (home + d) & mask), key, h);
        if (r == MOVED) {
          moved = true;
        } else if (r != null) {
          return r;
        }
        if (++d >= H) {
          break;
        }
        word = hopAt(t.hop, home);
      }
      Object[] stash = t.stash;
      if (stash != null) {
        Object b = slotAt(stash, home >>> SEG_SHIFT);
        if (b instanceof Frozen) {
          b = ((Frozen) b).item;
        }
        if (b instanceof CollisionBucket) {
          Object v = ((CollisionBucket<?, ?>) b).get(key);
          if (v != null) {
            return v;
          }
        } else if (b == MOVED) {
          moved = true;
        }
      }
      if (!moved) {
        return null;
      }
      // Look again in the next table, from step d = 0.
      t = t.next;
      home = home(t, h);
      x = slotAt(t.slots, home);
      word = hopAt(t.hop, home);
    }
  }

  /**
   * One step of lookOn: the value if slot content {@code x} (unwrapped when frozen) is the key's
   * entry, MOVED if the slot has moved to the next table, otherwise null (values are never null).
   */
  private static Object step(Object x, Object key, int h) {
    if (x instanceof Frozen) {
      x = ((Frozen) x).item;
    }
    if (x instanceof Entry) {
      Entry e = (Entry) x;
      return e.hash == h && (e.key == key || key.equals(e.key)) ? e.value : null;
    }
    return x == MOVED ? MOVED : null;
  }

  /**
   * Returns true if some entry has this key. Never waits and allocates nothing.
   *
   * @throws NullPointerException if {@code key} is null
   */
  @Override
  public boolean containsKey(Object key) {
    return get(key) != null;
  }

  /**
   * Returns true if some entry has this value (by {@code equals}); O(n), weakly consistent.
   *
   * @throws NullPointerException if {@code value} is null
   */
  @Override
  public boolean containsValue(Object value) {
    Objects.requireNonNull(value, "value");
    for (Cursor c = new Cursor(); c.key != null; c.advance()) {
      if (value.equals(c.value)) {
        return true;
      }
    }
    return false;
  }

  /**
   * Returns the number of entries: exact when no write is in progress, O(1). Saturates at
   * {@link Integer#MAX_VALUE}.
   */
  @Override
  public int size() {
    long c = count;
    return c <= 0 ? 0 : (int) Math.min(c, Integer.MAX_VALUE);
  }

  /** Returns true if there are no entries (exact when no write is in progress), O(1). */
  @Override
  public boolean isEmpty() {
    return count <= 0;
  }

  /**
   * Calls {@code action} for each entry, weakly consistent as the iterators are.
   *
   * @throws NullPointerException if {@code action} is null
   */
  @Override
  @SuppressWarnings("unchecked")
  public void forEach(BiConsumer<? super K, ? super V> action) {
    Objects.requireNonNull(action, "action");
    for (Cursor c = new Cursor(); c.key != null; c.advance()) {
      action.accept((K) c.key, (V) c.value);
    }
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
    Objects.requireNonNull(value, "value");
    return (V) doPut(key, spread(key), value, ANY, null);
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
    Objects.requireNonNull(value, "value");
    return (V) doPut(key, spread(key), value, WriteCondition.ABSENT, null);
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
    Objects.requireNonNull(value, "value");
    return (V) doPut(key, spread(key), value, WriteCondition.PRESENT, null);
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
    Object witness = doPut(key, spread(key), newValue, EQUAL, oldValue);
    return holds(EQUAL, oldValue, witness);
  }

  /**
   * Removes {@code key}; returns its previous value or null.
   *
   * @throws NullPointerException if the key is null
   */
  @Override
  @SuppressWarnings("unchecked")
  public V remove(Object key) {
    return (V) doRemove(key, spread(key), ANY, null);
  }

  /**
   * Removes {@code key} if its value currently equals {@code value}.
   *
   * @throws NullPointerException if the key or value is null
   */
  @Override
  public boolean remove(Object key, Object value) {
    Objects.requireNonNull(value, "value");
    Object witness = doRemove(key, spread(key), EQUAL, value);
    return holds(EQUAL, value, witness);
  }

  /**
   * Removes every entry present when the call starts (entries added concurrently may stay), key by
   * key; the table then shrinks.
   */
  @Override
  public void clear() {
    for (Cursor c = new Cursor(); c.key != null; c.advance()) {
      remove(c.key);
    }
  }

  // ================================================================== write machinery

  /**
   * The map-level hash of {@code key} (NullPointerException for a null key): its hash code folded,
   * no seed. Entries keep it; each table derives homes from it with {@link #home}.
   */
  private static int spread(Object key) {
    return Hashing.fold(key.hashCode());
  }

  /**
   * Whether a failed insert into {@code t}, holding {@code count} entries, grows it: the table is
   * at least GROW_ON_FAILURE_LOAD full and below the largest length.
   */
  private static boolean halfFull(Table t, long count) {
    return t.length < Sizing.MAX_TABLE && count >= (long) (t.length * GROW_ON_FAILURE_LOAD);
  }

  /** The home bucket of map-level hash {@code h} in {@code t} (see the notes, "Hashing"). */
  static int home(Table t, int h) {
    return index(t, h) & t.mask;
  }

  /** The hash that {@code t}'s homes are the low bits of: {@code h}, or its seeded spread. */
  static int index(Table t, int h) {
    return t.seeded ? Hashing.spread(h, t.seed) : h;
  }

  /**
   * The conditional write of the function-taking methods, which {@link OptimisticComputeMap} writes
   * once for every map: {@code next} (null: removes) for {@code key} if it still maps to
   * {@code old} (null: absent). doPut and doRemove retry a CAS that failed for any other reason.
   */
  @Override
  boolean commit(K key, V old, V next) {
    int h = spread(key);
    if (next == null) {
      return old == null || doRemove(key, h, SAME, old) == old;
    }
    return doPut(key, h, next, SAME, old) == old;
  }

  /**
   * Puts {@code value} for {@code key} if {@code mode}'s condition holds for the current value.
   * Returns the value found (null if absent): the condition held iff {@link WriteCondition#holds} says so.
   */
  private Object doPut(Object key, int h, Object value, int mode, Object expected) {
    while (true) {
      Table t = table;
      int r = findForWrite(t, key, h, true);
      if (r >= 0) {
        Object x = slotAt(t.slots, r);
        if (!(x instanceof Entry)) {
          continue; // changed under us: look again
        }
        Entry e = (Entry) x;
        if (e.hash != h || !(e.key == key || key.equals(e.key))) {
          continue;
        }
        Object cur = e.value;
        if (!holds(mode, expected, cur)) {
          return cur;
        }
        // Linearization point of an update: replace the entry object (the stored key stays).
        if (casSlot(t.slots, r, e, new Entry(e.key, h, value))) {
          return cur;
        }
      } else if (r == STASHED) {
        Object[] stash = t.stash;
        int s = home(t, h) >>> SEG_SHIFT;
        Object b = slotAt(stash, s);
        if (!(b instanceof CollisionBucket)) {
          continue;
        }
        @SuppressWarnings("unchecked")
        CollisionBucket<Object, Object> bucket = (CollisionBucket<Object, Object>) b;
        Object cur = bucket.get(key);
        if (cur == null) {
          continue; // removed meanwhile
        }
        if (!holds(mode, expected, cur)) {
          return cur;
        }
        if (casSlot(stash, s, b, bucket.put(key, value))) {
          return cur;
        }
      } else if (r == HELP) {
        help(t);
      } else { // ABSENT
        if (!holds(mode, expected, null)) {
          return null;
        }
        int res = insert(t, key, h, value);
        if (res == INSERTED) {
          addCount(1);
          return null;
        }
        if (res == GROW) {
          boolean full = halfFull(t, count);
          int n = full ? Math.max(t.length << 1, Sizing.tableSizeFor(count, RESIZED_LOAD, MIN_CAPACITY)) : t.length;
          // Not full: an unseeded layout that clusters, re-hashed. Full: random hash codes also
          // fail now and then at such loads, so grow, unseeded; clustered ones fail again in the
          // grown table, below half full, and switch then.
          startResize(t, n, !t.seeded && !full);
          help(t);
        } else if (res == RETRY_AFTER_HELP) {
          help(t);
        } // PRESENT: added by someone else meanwhile, look again
      }
    }
  }

  /**
   * Removes {@code key} if {@code mode}'s condition holds for the current value. Returns the value
   * found (null if absent).
   */
  private Object doRemove(Object key, int h, int mode, Object expected) {
    while (true) {
      Table t = table;
      int r = findForWrite(t, key, h, true);
      if (r >= 0) {
        Object[] slots = t.slots;
        Object x = slotAt(slots, r);
        if (!(x instanceof Entry)) {
          continue;
        }
        Entry e = (Entry) x;
        if (e.hash != h || !(e.key == key || key.equals(e.key))) {
          continue;
        }
        Object cur = e.value;
        if (!holds(mode, expected, cur)) {
          return cur;
        }
        // Linearization point of a removal: the entry leaves; the slot stays ours (RESERVED) while
        // we clear its bit, so no other thread can place an entry there before the bit is clear.
        if (casSlot(slots, r, e, RESERVED)) {
          int home = home(t, h);
          clearBit(t.hop, home, (r - home) & t.mask);
          setSlot(slots, r, null);
          addCount(-1);
          return cur;
        }
      } else if (r == STASHED) {
        Object[] stash = t.stash;
        int s = home(t, h) >>> SEG_SHIFT;
        Object b = slotAt(stash, s);
        if (!(b instanceof CollisionBucket)) {
          continue;
        }
        @SuppressWarnings("unchecked")
        CollisionBucket<Object, Object> bucket = (CollisionBucket<Object, Object>) b;
        Object cur = bucket.get(key);
        if (cur == null) {
          continue;
        }
        if (!holds(mode, expected, cur)) {
          return cur;
        }
        CollisionBucket<Object, Object> nb = bucket.remove(key);
        if (casSlot(stash, s, b, nb.isEmpty() ? null : nb)) {
          addCount(-1);
          return cur;
        }
      } else if (r == HELP) {
        help(t);
      } else {
        return null;
      }
    }
  }

  /**
   * Looks for {@code key} as a writer: returns its slot index, {@link #STASHED}, {@link #ABSENT}, or
   * {@link #HELP} when the table is being resized and the caller must help first. A key frozen by a
   * displacement is waited for (the displacer finishes without waiting for anyone); with
   * {@code mayHelp}, a frozen key in a table that is being resized answers HELP instead. Callers
   * that hold a claim pass {@code mayHelp = false}: helping would wait for their own claim.
   */
  private int findForWrite(Table t, Object key, int h, boolean mayHelp) {
    Object[] slots = t.slots;
    short[] hop = t.hop;
    int mask = t.mask;
    int home = home(t, h);
    int spins = 0;
    scan:
    while (true) {
      boolean moved = false;
      int d = 0;
      while (d < H) {
        int bits = hopAt(hop, home) >>> d;
        if (bits == 0) {
          break;
        }
        d += Integer.numberOfTrailingZeros(bits);
        int p = (home + d) & mask;
        Object x = slotAt(slots, p);
        if (x instanceof Entry) {
          Entry e = (Entry) x;
          if (e.hash == h && (e.key == key || key.equals(e.key))) {
            return p;
          }
        } else if (x instanceof Frozen) {
          Entry e = (Entry) ((Frozen) x).item;
          if (e.hash == h && (e.key == key || key.equals(e.key))) {
            if (mayHelp && t.next != null) {
              return HELP;
            }
            backoff(spins++);
            continue scan;
          }
        } else if (x == MOVED) {
          moved = true;
        }
        d++;
      }
      if (moved) {
        return HELP;
      }
      Object[] stash = t.stash;
      if (stash != null) {
        Object b = slotAt(stash, home >>> SEG_SHIFT);
        if (b == MOVED || b instanceof Frozen) {
          return HELP;
        }
        if (b instanceof CollisionBucket && ((CollisionBucket<?, ?>) b).get(key) != null) {
          return STASHED;
        }
      }
      return ABSENT;
    }
  }

  /**
   * Adds a new key to {@code t} under the claim of its segment: {@link #INSERTED}, {@link #PRESENT}
   * (the key was added meanwhile), {@link #RETRY_AFTER_HELP} (the table is being resized) or
   * {@link #GROW} (no slot and the table is at least half full: the caller grows it).
   */
  private int insert(Table t, Object key, int h, Object value) {
    int home = home(t, h);
    int s = home >>> SEG_SHIFT;
    if (!acquire(t, s)) {
      return RETRY_AFTER_HELP;
    }
    try {
      int r = findForWrite(t, key, h, false);
      if (r == HELP) {
        return RETRY_AFTER_HELP;
      }
      if (r != ABSENT) {
        return PRESENT;
      }
      if (place(t, home, new Entry(key, h, value))) {
        return INSERTED;
      }
      if (t.next == null && table == t
          && (!t.seeded || halfFull(t, count))) {
        return GROW; // the caller grows t, or re-hashes it with the seed if t is unseeded
      }
      stashPut(t, s, key, value);
      return INSERTED;
    } finally {
      release(t, s);
    }
  }

  /**
   * Places {@code e} (a key absent from {@code t}) in its neighbourhood: reserve a free slot, hop it
   * back into the neighbourhood, set the bit, store. The caller holds the segment claim of home.
   * Returns false (leaving nothing reserved) when no slot can be found.
   */
  private static boolean place(Table t, int home, Entry e) {
    int f = reserveFree(t, home);
    if (f < 0) {
      return false;
    }
    f = hopBack(t, home, f);
    if (f < 0) {
      return false;
    }
    int mask = t.mask;
    setBit(t.hop, home, (f - home) & mask);
    // Linearization point of an insert: the entry becomes visible in its (already set) bit's slot.
    setSlot(t.slots, f, e);
    return true;
  }

  /** Reserves the first free slot at or after {@code home} (linear probing); -1 if none near. */
  private static int reserveFree(Table t, int home) {
    Object[] slots = t.slots;
    int mask = t.mask;
    int limit = Math.min(t.length, PROBE_LIMIT);
    for (int i = 0; i < limit; i++) {
      int p = (home + i) & mask;
      if (slotAt(slots, p) == null && casSlot(slots, p, null, RESERVED)) {
        return p;
      }
    }
    return -1;
  }

  /**
   * Moves the reserved free slot {@code f} back into the neighbourhood of {@code home} by displacing
   * entries forward (see the notes). Returns the reserved slot in the neighbourhood, or -1 (having
   * freed the reserved slot) when no entry can be displaced.
   */
  private static int hopBack(Table t, int home, int f) {
    Object[] slots = t.slots;
    short[] hop = t.hop;
    int mask = t.mask;
    while (((f - home) & mask) >= H) {
      boolean hopped = false;
      for (int back = H - 1; back > 0 && !hopped; back--) {
        int q = (f - back) & mask;
        Object x = slotAt(slots, q);
        if (!(x instanceof Entry)) {
          continue; // free, reserved by someone else, or frozen by another displacement
        }
        Entry e = (Entry) x;
        int eh = home(t, e.hash);
        int df = (f - eh) & mask;
        int dq = (q - eh) & mask;
        if (df >= H || dq >= df) {
          continue; // f is outside e's neighbourhood
        }
        if (!casSlot(slots, q, e, new Frozen(e))) {
          continue; // updated, removed or taken meanwhile
        }
        setBit(hop, eh, df);
        setSlot(slots, f, e); // e is now at q (frozen) and at f: readers find it in either
        setSlot(slots, q, RESERVED); // q is ours now
        clearBit(hop, eh, dq);
        f = q;
        hopped = true;
      }
      if (!hopped) {
        setSlot(slots, f, null);
        return -1;
      }
    }
    return f;
  }

  /** Adds {@code key} (absent) to segment {@code s}'s stash bucket. The caller holds the claim. */
  private static void stashPut(Table t, int s, Object key, Object value) {
    Object[] stash = t.stash;
    if (stash == null) {
      casStash(t, null, new Object[t.claims.length]);
      stash = t.stash;
    }
    while (true) {
      Object b = slotAt(stash, s);
      @SuppressWarnings("unchecked")
      CollisionBucket<Object, Object> bucket = b == null ? CollisionBucket.empty() : (CollisionBucket<Object, Object>) b;
      if (casSlot(stash, s, b, bucket.put(key, value))) {
        return;
      }
    }
  }

  /** Takes the claim of segment {@code s}; false if the table is closed for a resize. */
  private static boolean acquire(Table t, int s) {
    int[] claims = t.claims;
    int spins = 0;
    while (true) {
      int c = ArrayAccess.getVolatile(claims, s);
      if (c == FREE) {
        if (ArrayAccess.cas(claims, s, FREE, HELD)) {
          return true;
        }
      } else if (c == CLOSED) {
        return false;
      } else {
        backoff(spins++);
      }
    }
  }

  private static void release(Table t, int s) {
    ArrayAccess.setRelease(t.claims, s, FREE);
  }

  /** Spins briefly, then yields: the waits here are short unless the other thread is descheduled. */
  private static void backoff(int spins) {
    if (spins < 32) {
      Thread.onSpinWait();
    } else {
      Thread.yield();
    }
  }

  private void addCount(int delta) {
    long c = (long) COUNT.getAndAdd(this, (long) delta) + delta;
    Table t = table;
    if (t.next != null) {
      return;
    }
    if (delta > 0 && c > (long) (t.length * MAX_LOAD) && t.length < Sizing.MAX_TABLE) {
      startResize(t, Math.max(t.length << 1, Sizing.tableSizeFor(c, RESIZED_LOAD, MIN_CAPACITY)));
      help(t);
    } else if (delta < 0 && t.length > MIN_CAPACITY && c < (long) (t.length * MIN_LOAD)) {
      int n = Sizing.tableSizeFor(Math.max(c, 0), RESIZED_LOAD, MIN_CAPACITY);
      if (n < t.length) {
        startResize(t, n);
        help(t);
      }
    }
  }

  // ================================================================== resize

  /** Starts resizing {@code t} (if it is still current and not resizing) into a table of {@code n}. */
  private void startResize(Table t, int n) {
    startResize(t, n, false);
  }

  /**
   * As {@link #startResize(Table, int)}; {@code reseed}: the next table is seeded (see the notes,
   * "Hashing"), also at the same length.
   */
  private void startResize(Table t, int n, boolean reseed) {
    if (table == t && t.next == null && (n != t.length || reseed)) {
      casNext(t, null, new Table(n, seed, reseed || t.seeded));
    }
  }

  /** Helps the resize of {@code t} (if any) and returns when it has finished. */
  private void help(Table t) {
    Table next = t.next;
    if (next == null) {
      return;
    }
    if (!t.closed) {
      closeAll(t);
      t.closed = true;
    }
    while (true) {
      int i = t.transferIndex;
      if (i <= 0) {
        break;
      }
      int lo = Math.max(0, i - STRIDE);
      if (casTransferIndex(t, i, lo)) {
        for (int p = lo; p < i; p++) {
          copySlot(t, next, p);
        }
        for (int s = lo >>> SEG_SHIFT; s < i >>> SEG_SHIFT; s++) {
          copyStash(t, next, s);
        }
        if ((int) COPIED.getAndAdd(t, i - lo) + (i - lo) == t.length) {
          t.finished = true;
          casTable(t, next);
        }
      }
    }
    int spins = 0;
    while (!t.finished) {
      backoff(spins++);
    }
  }

  /** Phase 1: closes every segment claim of {@code t} for good, waiting for inserts in progress. */
  private static void closeAll(Table t) {
    int[] claims = t.claims;
    for (int s = 0; s < claims.length; s++) {
      int spins = 0;
      while (true) {
        int c = ArrayAccess.getVolatile(claims, s);
        if (c == CLOSED || (c == FREE && ArrayAccess.cas(claims, s, FREE, CLOSED))) {
          break;
        }
        backoff(spins++);
      }
    }
  }

  /** Phase 2, one slot: null -> MOVED, or e -> Frozen(e), copy e, -> MOVED. */
  private void copySlot(Table t, Table next, int p) {
    Object[] slots = t.slots;
    int spins = 0;
    while (true) {
      Object x = slotAt(slots, p);
      if (x == null) {
        if (casSlot(slots, p, null, MOVED)) {
          return;
        }
      } else if (x instanceof Entry) {
        if (casSlot(slots, p, x, new Frozen(x))) {
          transfer(next, (Entry) x);
          setSlot(slots, p, MOVED);
          return;
        }
      } else if (x == MOVED) {
        return;
      } else {
        backoff(spins++); // RESERVED by a remover between its two stores
      }
    }
  }

  /** Phase 2, one stash bucket: null -> MOVED, or b -> Frozen(b), copy its entries, -> MOVED. */
  private void copyStash(Table t, Table next, int s) {
    Object[] stash = t.stash;
    if (stash == null) {
      return; // never allocated, and no insert can allocate it any more
    }
    while (true) {
      Object b = slotAt(stash, s);
      if (b == null) {
        if (casSlot(stash, s, null, MOVED)) {
          return;
        }
      } else if (b instanceof CollisionBucket) {
        if (casSlot(stash, s, b, new Frozen(b))) {
          ((CollisionBucket<?, ?>) b).forEach((k, v) -> transfer(next, new Entry(k, spread(k), v)));
          setSlot(stash, s, MOVED);
          return;
        }
      } else {
        return; // MOVED
      }
    }
  }

  /**
   * Copies {@code e} (whose key is in no other place of {@code next}) into {@code next}, which no
   * other thread writes except copiers. Never resizes: overflows go to the stash.
   */
  private static void transfer(Table next, Entry e) {
    int home = home(next, e.hash);
    int s = home >>> SEG_SHIFT;
    if (!acquire(next, s)) {
      throw new IllegalStateException("the next table cannot be closed before it is installed");
    }
    try {
      if (!place(next, home, e)) {
        stashPut(next, s, e.key, e.value);
      }
    } finally {
      release(next, s);
    }
  }

  // ================================================================== iteration

  /**
   * Walks the entries home bucket by home bucket of the table current at creation (see the notes).
   * {@code key} is the current entry's key, or null when exhausted.
   */
  private final class Cursor {
    private Table root;
    private int nextHome;
    /** Entries of the current home, as key, value pairs. */
    private Object[] buf = new Object[16];
    private int len;
    private int at;
    /** Stash buckets met so far, by identity (allocated on the first one). */
    private Map<Object, StashView> stashViews;
    Object key;
    Object value;
    /** Set by collect() when it meets the resize to the seeded layout (see switchRoot). */
    private Table switched;
    /** After a switch: only keys whose home in the old root (hash & fromMask) is >= fromHome. */
    private int fromMask;
    private int fromHome;

    Cursor() {
      root = table;
      advance();
    }

    void advance() {
      while (at >= len) {
        if (nextHome >= root.length) {
          key = null;
          value = null;
          buf = null;
          stashViews = null;
          return;
        }
        len = 0;
        at = 0;
        collect(root, nextHome, root.mask);
        if (switched != null) {
          switchRoot();
          continue;
        }
        dedupe();
        nextHome++;
      }
      key = buf[at];
      value = buf[at + 1];
      at += 2;
    }

    /**
     * Adds the entries of {@code t} whose hash is h0 under mask m0, then (once, if any of the homes
     * visited had moved slots) those of the next table. Following {@code next} once per table rather
     * than once per home matters: after a grow, several homes of {@code t} hold hashes h0 under m0,
     * and each following {@code next} on its own would visit the later tables' homes again and
     * again, a blow-up exponential in the number of resizes that ran since the cursor started.
     */
    private void collect(Table t, int h0, int m0) {
      while (t != null) {
        int m = t.mask;
        boolean moved = false;
        if (m >= m0) {
          for (int h = h0; h <= m; h += m0 + 1) {
            moved |= collectHome(t, h, h0, m0);
          }
        } else {
          moved = collectHome(t, h0 & m, h0, m0);
        }
        Table n = moved ? t.next : null;
        if (n != null && n.seeded != t.seeded) {
          switched = t; // the next table places keys by another function: see switchRoot
          return;
        }
        t = n;
      }
    }

    /**
     * The cursor met the one resize from the unseeded layout to the seeded one (`switched` into
     * its next table), where the keys of home nextHome of root are no longer a few homes. Help
     * that resize (and any before it in the chain) to its end, then go on over the seeded table
     * from its first home, keeping only keys whose home in root is nextHome or later: the earlier
     * homes of root were returned already, and every key present all along is in the seeded
     * table (or after it) once the resize has ended. The homes of root before the switch and of
     * the seeded table after it come from one function each, so collect() works on both.
     */
    private void switchRoot() {
      Table from = switched;
      switched = null;
      for (Table t = root; t != from; t = t.next) {
        help(t);
      }
      help(from);
      fromMask = root.mask; // root is unseeded: a key's home there is its hash under this mask
      fromHome = nextHome;
      root = from.next;
      nextHome = 0;
      len = 0;
      at = 0;
    }

    /** Whether a key of map-level hash {@code h} is still to be returned (see switchRoot). */
    private boolean due(int h) {
      return (h & fromMask) >= fromHome;
    }

    /** Adds the entries of home {@code h} of {@code t} whose hash is h0 under m0; true if it met MOVED. */
    private boolean collectHome(Table t, int h, int h0, int m0) {
      Object[] slots = t.slots;
      short[] hop = t.hop;
      int m = t.mask;
      boolean moved = false;
      int d = 0;
      while (d < H) {
        int bits = hopAt(hop, h) >>> d;
        if (bits == 0) {
          break;
        }
        d += Integer.numberOfTrailingZeros(bits);
        Object x = slotAt(slots, (h + d) & m);
        if (x instanceof Frozen) {
          x = ((Frozen) x).item;
        }
        if (x instanceof Entry) {
          Entry e = (Entry) x;
          int f = index(t, e.hash);
          if ((f & m) == h && (f & m0) == h0 && due(e.hash)) {
            add(e.key, e.value);
          }
        } else if (x == MOVED) {
          moved = true;
        }
        d++;
      }
      Object[] stash = t.stash;
      if (stash != null) {
        Object b = slotAt(stash, h >>> SEG_SHIFT);
        if (b instanceof Frozen) {
          b = ((Frozen) b).item;
        }
        if (b instanceof CollisionBucket) {
          StashView sv = stashView((CollisionBucket<?, ?>) b);
          Object[] kv = sv.kv;
          int[] hashes = sv.hashes;
          for (int i = 0; i < hashes.length; i++) {
            int hh = hashes[i];
            int f = index(t, hh);
            if ((f & m) == h && (f & m0) == h0 && due(hh)) {
              add(kv[2 * i], kv[2 * i + 1]);
            }
          }
        } else if (b == MOVED) {
          moved = true;
        }
      }
      return moved;
    }

    /**
     * The entries and spread hashes of a stash bucket. A bucket is immutable, so its view is cached
     * by identity: a bucket is met once per home of its segment (and once per home of a larger
     * starting table after a shrink), and hashing its keys again each time would be quadratic.
     */
    private StashView stashView(CollisionBucket<?, ?> b) {
      if (stashViews == null) {
        stashViews = new IdentityHashMap<>();
      }
      StashView sv = stashViews.get(b);
      if (sv == null) {
        int n = b.size();
        Object[] kv = new Object[2 * n];
        int[] hashes = new int[n];
        int[] at = {0};
        b.forEach((k, v) -> {
          int i = at[0]++;
          kv[2 * i] = k;
          kv[2 * i + 1] = v;
          hashes[i] = spread(k);
        });
        sv = new StashView(kv, hashes);
        stashViews.put(b, sv);
      }
      return sv;
    }

    private void add(Object k, Object v) {
      if (len + 2 > buf.length) {
        buf = Arrays.copyOf(buf, buf.length * 2);
      }
      buf[len++] = k;
      buf[len++] = v;
    }

    /** Drops later copies of keys collected twice (displaced during the scan, or in two tables). */
    private void dedupe() {
      if (len <= 2) {
        return;
      }
      int out = 0;
      if (len <= 32) {
        outer:
        for (int i = 0; i < len; i += 2) {
          Object k = buf[i];
          for (int j = 0; j < out; j += 2) {
            if (buf[j] == k || buf[j].equals(k)) {
              continue outer;
            }
          }
          buf[out++] = k;
          buf[out++] = buf[i + 1];
        }
      } else {
        Set<Object> seen = new HashSet<>();
        for (int i = 0; i < len; i += 2) {
          if (seen.add(buf[i])) {
            buf[out++] = buf[i];
            buf[out++] = buf[i + 1];
          }
        }
      }
      Arrays.fill(buf, out, len, null);
      len = out;
    }
  }

  /** A stash bucket's entries as key, value pairs and their spread hashes. */
  private static final class StashView {
    final Object[] kv;
    final int[] hashes;

    StashView(Object[] kv, int[] hashes) {
      this.kv = kv;
      this.hashes = hashes;
    }
  }

  /** Iterator over a cursor; {@code remove} removes the last key from the map. */
  private final class BaseIterator<T> implements Iterator<T> {
    private final Projection<T> projection;
    private final Cursor cursor = new Cursor();
    private Object lastKey;

    BaseIterator(Projection<T> projection) {
      this.projection = projection;
    }

    @Override
    public final boolean hasNext() {
      return cursor.key != null;
    }

    @Override
    public final T next() {
      Object k = cursor.key;
      if (k == null) {
        throw new NoSuchElementException();
      }
      Object v = cursor.value;
      cursor.advance();
      lastKey = k;
      return projection.make(k, v);
    }

    @Override
    public final void remove() {
      if (lastKey == null) {
        throw new IllegalStateException("next() has not been called, or remove() was already called");
      }
      HopscotchHashMap.this.remove(lastKey);
      lastKey = null;
    }
  }

  @Override
  <T> Iterator<T> traversal(Projection<T> projection) {
    return new BaseIterator<>(projection);
  }

  // ================================================================== nodes

  /** One table generation; see the notes for the states of its arrays. */
  private static final class Table {
    final Object[] slots;
    final short[] hop;
    final int[] claims;
    final int length;
    final int mask;
    /** Whether homes come from the seeded spread of the map-level hash, or from the hash itself. */
    final boolean seeded;
    /** The map's seed (used only when {@code seeded}). */
    final int seed;
    /** Per-segment overflow buckets, allocated on first overflow; accessed through {@link #STASH}. */
    volatile Object[] stash;
    /** The table this one is being copied into; set once through {@link #NEXT}. */
    volatile Table next;
    /** Home buckets below this index are still to be handed out for copying ({@link #TRANSFER_INDEX}). */
    volatile int transferIndex;
    /** Home buckets copied so far ({@link #COPIED}). */
    volatile int copied;
    /** Every claim is CLOSED (a hint that lets helpers skip phase 1). */
    volatile boolean closed;
    /** Every slot is MOVED and {@code next} holds everything. */
    volatile boolean finished;

    Table(int length, int seed, boolean seeded) {
      this.seed = seed;
      this.seeded = seeded;
      this.length = length;
      this.mask = length - 1;
      this.slots = new Object[length];
      this.hop = new short[length];
      this.claims = new int[length >>> SEG_SHIFT];
      this.transferIndex = length;
    }
  }

  /** An immutable entry: key, spread hash, value. */
  private static final class Entry {
    final Object key;
    final int hash;
    final Object value;

    Entry(Object key, int hash, Object value) {
      this.key = key;
      this.hash = hash;
      this.value = value;
    }
  }

  /** An entry (or stash bucket) being moved; still current for readers. */
  private static final class Frozen {
    final Object item;

    Frozen(Object item) {
      this.item = item;
    }
  }

  /** A named sentinel slot value. */
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

  // ================================================================== memory-ordered access

  /** Volatile read of a slot (or stash bucket). */
  private static Object slotAt(Object[] a, int i) {
    return ArrayAccess.getVolatile(a, i);
  }

  /** Volatile write of a slot the caller owns. */
  private static void setSlot(Object[] a, int i, Object v) {
    ArrayAccess.setVolatile(a, i, v);
  }

  private static boolean casSlot(Object[] a, int i, Object expected, Object update) {
    return ArrayAccess.cas(a, i, expected, update);
  }

  /** Volatile read of a hop word, as an unsigned value. */
  private static int hopAt(short[] hop, int home) {
    return (short) HOP.getVolatile(hop, home) & 0xFFFF;
  }

  /** Atomically sets bit {@code d} of {@code hop[home]} (volatile; the casts keep the call exact). */
  private static int setBit(short[] hop, int home, int d) {
    return (short) HOP.getAndBitwiseOr(hop, home, (short) (1 << d)) & 0xFFFF;
  }

  /** Atomically clears bit {@code d} of {@code hop[home]}. */
  private static int clearBit(short[] hop, int home, int d) {
    return (short) HOP.getAndBitwiseAnd(hop, home, (short) ~(1 << d)) & 0xFFFF;
  }

  private boolean casTable(Table expected, Table update) {
    return TABLE.compareAndSet(this, expected, update);
  }

  private static boolean casNext(Table t, Table expected, Table update) {
    return NEXT.compareAndSet(t, expected, update);
  }

  private static boolean casStash(Table t, Object[] expected, Object[] update) {
    return STASH.compareAndSet(t, expected, update);
  }

  private static boolean casTransferIndex(Table t, int expected, int update) {
    return TRANSFER_INDEX.compareAndSet(t, expected, update);
  }

  private static final VarHandle HOP = MethodHandles.arrayElementVarHandle(short[].class);
  private static final VarHandle TABLE;
  private static final VarHandle COUNT;
  private static final VarHandle NEXT;
  private static final VarHandle STASH;
  private static final VarHandle TRANSFER_INDEX;
  private static final VarHandle COPIED;

  static {
    try {
      MethodHandles.Lookup l = MethodHandles.lookup();
      TABLE = l.findVarHandle(HopscotchHashMap.class, "table", Table.class);
      COUNT = l.findVarHandle(HopscotchHashMap.class, "count", long.class);
      NEXT = l.findVarHandle(Table.class, "next", Table.class);
      STASH = l.findVarHandle(Table.class, "stash", Object[].class);
      TRANSFER_INDEX = l.findVarHandle(Table.class, "transferIndex", int.class);
      COPIED = l.findVarHandle(Table.class, "copied", int.class);
    } catch (ReflectiveOperationException e) {
      throw new ExceptionInInitializerError(e);
    }
  }
}
