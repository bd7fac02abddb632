package dev.atoll.lock;

import dev.atoll.internal.ArrayAccess;
import dev.atoll.internal.CollisionBucket;
import dev.atoll.internal.Hashing;
import dev.atoll.internal.Sizing;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.AbstractMap;
import java.util.AbstractSet;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.Collections;
import java.util.Comparator;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BiConsumer;
import java.util.function.BiFunction;
import java.util.function.Function;

/**
 * The one implementation behind {@link LockMap} and {@link LruLockMap} (an LRU flag and a capacity
 * are the only differences). Package-private: users see the two public classes and
 * {@link KeyLockMap}.
 *
 * @param <K> the type of keys
 * @param <V> the type of values
 */
abstract class AbstractLockMap<K, V> extends AbstractMap<K, V> implements KeyLockMap<K, V> {
  /*
   * Implementation notes
   * ====================
   *
   * Data layout. The map is an array of Shards, chosen by the top bits of the key's spread hash
   * (Hashing.spread with a per-map seed, computed once per operation and stored in the Slot or
   * Held). Each shard has two parts:
   *   - CELLS lock-free cells, indexed by the low bits of the hash: the fast path, which locks a
   *     key that has no record with one CAS and releases it with one CAS. The cells sit one cache
   *     line apart in their array (cellIndex), with a padding line at each end: two threads that
   *     lock keys of different cells never write the same line, so the fast path scales with
   *     threads (unpadded, 2 threads on disjoint keys ran at about half the 1-thread rate);
   *   - a small chained hash table of Slots guarded by the shard's monitor (the "shard lock";
   *     synchronized rather than a ReentrantLock: no extra object, and nothing here needs timed or
   *     interruptible acquisition of it), for everything else: values, waiters, batch pins, LRU.
   * The shard lock is held only for bookkeeping that takes a few steps and never while anybody
   * waits for a key: waiting is done by parking a thread or by an incomplete CompletableFuture,
   * after the shard lock was released.
   *
   *   Shard { monitor, Object[] cells, int[] classSlots, Slot[] table, slots, values, seq,
   *           capacity, lruHead (hot), lruTail (cold) }
   *   Slot  { key, hash, seq, lock (lock word), value, holder, head/tail (FIFO waiters), handOff,
   *           pins, next (chain), same (equal-hash bucket), lruPrev/lruNext }
   *   Held  { map, key, hash, slot (null while in a cell), owner thread (null: async), state,
   *           inBatch }: the Entry; 40 bytes, all that the fast paths allocate
   *   Waiter extends Held { prev/next (queue links), since, future, ready }: a request that may
   *           wait (queued by a thread, a lockAsync/batch future, or a lockRequest)
   *
   * The keys whose hashes select the same cell form the cell's "class". Cell states:
   *   EMPTY (null)   no key of the class has a record (no slot, no holder).
   *   a Held         exactly one key of the class has a record: this holder, which has no slot,
   *                  no value, no waiter and no pin (a "fast holder"); no slot of the class.
   *   a Slot         (not in an LRU map) the class has exactly this one slot: its key's lockers
   *                  may take and release the slot's lock word without the shard lock (below).
   *   SLOW           every key of the class is handled by the table: zero or more slots.
   * Invariant: a cell that is EMPTY or a Held has no slot of its class in the table; a Slot cell
   * points to the only slot of its class; classSlots[c] counts the slots of class c (under the
   * shard lock), and the cell is SLOW or that Slot while it is > 0.
   * Transitions: EMPTY -> Held (fast lock: CAS, no shard lock; the linearization point of that
   * acquisition); Held -> EMPTY (fast release: CAS); under the shard lock only: EMPTY -> SLOW and
   * Held -> SLOW ("claim": every shard-locked operation on a key first claims its cell; a fast
   * holder found there is adopted: it gets a slot with itself as holder, and its later writes and
   * release go through the slot; a fast release whose CAS fails finds it adopted), and SLOW ->
   * EMPTY (when the class's last slot is removed, or a claim created no slot); also under the
   * shard lock, SLOW -> Slot ("publish", at the end of an operation on a live slot that is the
   * only one of its class), Slot -> SLOW (create adds a second slot of the class) and Slot ->
   * EMPTY (its slot is removed). A claim leaves a Slot cell as it is. Only the fast path and claims
   * CAS a cell, and the fast path only CASes an EMPTY cell, so a claim's loop ends. One record per
   * key holds across both parts: a key is in a cell as a Held only while its class has no slot,
   * and a slot is created only in a claimed class (SLOW, or a Slot cell of another key).
   * A map operation that would not create a value (get, containsKey, remove, replace) returns
   * "absent" without the shard lock when the key's cell is EMPTY or holds another key's Held or
   * Slot.
   *
   * A Slot is the per-key lock record and the map entry at once: the key is stored once, in it,
   * with its hash. A Held is the Entry handed to a holder; a Waiter is a Held that is, before
   * that, its node in the slot's waiter queue (an intrusive doubly linked list, so a cancelled
   * waiter leaves in O(1)).
   * A blocking waiter spins briefly and then parks its thread; a future waiter (lockAsync, the
   * steps of batchLockAsync) has an AsyncLock future; a lockRequest waiter (the Kotlin lock) has a
   * wake-up word, ready: null, WOKEN, a pending action or CANCELLED. wake() swaps in WOKEN and
   * runs the action it replaced; poll swaps in null before it reads the state, and onReady
   * installs the action only over null (over WOKEN it runs the action at once), so a wake-up is
   * never lost between a poll that returned null and the action's registration (a one-permit
   * handshake like LockSupport's park/unpark).
   *
   * Slot states. Whether a slot is held is its lock word's HELD bit (the lock word, "lock", is
   * written by CAS only); all other fields of a slot are guarded by its shard lock, except value,
   * which the holder may also read without it since only the holder writes it while the key is
   * held, and holder, which is written by whoever sets HELD (and cleared by the holder) and only
   * read for the self-deadlock check (it may be stale, but never shows the reading thread unless
   * that thread holds the key):
   *   FREE     HELD clear; maybe waiters, of which the head is then a SIGNALLED thread or
   *            lockRequest.
   *   HELD     HELD set, maybe waiters.
   *   value present or not, independently; pins counts batch locks that reserved the slot.
   * The lock word's other bits mirror the shard-locked state for the lock-free paths (sync writes
   * them, keeping HELD, after every change of the queue, pins or hand-off mode):
   *   QUEUED   a waiter or a pin: the slot stays in the table when the key is released;
   *   SIGNAL   the head waiter is WAITING: the next release must signal or grant it;
   *   HANDOFF  the slot is in hand-off mode (see barging): newcomers must not take the key;
   *   DEAD     the slot has been removed from the table (terminal).
   * Lock-free slot operations (only while the class's cell points to the slot, only in a LockMap,
   * only for entry(key) of a thread, whose Entry only its thread can close):
   *   acquire  CAS a word without HELD, HANDOFF and DEAD to word | HELD (a newcomer barging, as
   *            mayTake allows under the shard lock); then it sets holder. Its linearization point
   *            is the CAS.
   *   release  CAS a word with HELD, without SIGNAL and HANDOFF, and with QUEUED or a value, to
   *            word & ~HELD. Any other release takes the shard lock (vacate), which then signals or
   *            grants the head, or removes the unused slot, exactly as before.
   * Under the shard lock the word changes by CAS loops (sync, take, settle), which may race only
   * with these two: so a slot held by somebody else can become FREE at any moment only when its
   * release would have nothing to do under the shard lock, and a FREE slot can become HELD only
   * when a newcomer could take it there too. settle, run at the end of every shard-locked change
   * to a FREE slot, re-reads the word until it sees either HELD (then the holder's release will
   * come back to the shard lock if anything is left to do: a WAITING head sets SIGNAL, an unused
   * slot has neither QUEUED nor a value) or FREE (then it grants, signals or removes itself).
   * A slot exists in the table iff value != null || HELD || a waiter || pins > 0. The last holder
   * or waiter or pin to leave, or the operation that removes the value of a free slot, removes
   * the slot under the shard lock: it first CASes the lock word from 0 to DEAD, which fails if a
   * lock-free locker took the key meanwhile (the slot then stays: its release comes back). Every
   * other locker finds-or-creates the slot under the same shard lock (after claiming the cell),
   * and a lock-free locker that reaches a DEAD slot through a stale cell fails and goes to the
   * shard lock, so removal is atomic with respect to new lockers: there is never more than one
   * record, hence one lock, per key.
   *
   * Held states: a fast holder or a granted newcomer starts GRANTED; a waiter goes WAITING ->
   * GRANTED (hand-off), or WAITING -> SIGNALLED -> GRANTED (it took the free key itself, or was
   * handed it) or back to WAITING (a newcomer took it first and the waiter is about to park; a
   * signalled head that is still spinning stays SIGNALLED, watching the lock word, and retries when
   * the key looks free), or WAITING/SIGNALLED -> ABANDONED (timeout, interrupt,
   * cancel); GRANTED -> CLOSED. All waiter transitions happen under the shard lock; state is read
   * with acquire and written with release semantics (STATE) so that a waiter sees GRANTED or
   * SIGNALLED after its park returns.
   *
   * Barging, bounded (after Go's sync.Mutex). When a holder releases a slot that has waiters,
   * vacate and settle look at the head of the queue:
   *   - a future head (lockAsync, a batchLockAsync step: a future cannot come back to take the
   *     key), or any head while the slot is in hand-off mode, is granted the key in the same
   *     critical section and completed/unparked/woken afterwards (FIFO hand-off);
   *   - a thread or lockRequest head is SIGNALLED and woken (unparked, or its action run); the key
   *     stays FREE. The head takes it (retry, under the shard lock) when it runs (a request: at its
   *     next poll), unless a newcomer (a caller that is not queued: entry, lockAsync, lockRequest,
   *     a map operation, a batch step, or a lock-free acquire) took it first: mayTake
   *     lets a newcomer take a FREE slot whose head is only signalled. A head that lost goes back
   *     to WAITING, still at the head, with SIGNAL set, and is signalled again by the next release;
   *     but first it spins a while (SPINS_BEFORE_PARK) reading the lock word and retrying when the
   *     key looks free, still SIGNALLED, so that the releases of the newcomer meanwhile stay
   *     lock-free (an AbstractQueuedSynchronizer node, likewise, re-arms only before it parks).
   *     A lockRequest that lost does not spin (it must not block its thread): it re-arms at once
   *     and waits for its action again.
   *     Each retry checks the starvation bound below.
   *     While the head is only SIGNALLED, a thread that relocks the key in a loop takes and
   *     releases the lock word lock-free (two CASes per cycle, no shard lock), and pays one
   *     unpark per sleep of the head, as ReentrantLock does.
   * This avoids a thread switch per release when one thread relocks a key in a loop (a lock
   * convoy). Guarantees: waiters never overtake each other (FIFO among waiters: only the head is
   * ever granted or signalled, and queued waiters never barge); tryEntry does not barge (it fails
   * while the key has waiters). Bound: a head that loses the key after it has waited longer than
   * STARVATION_NANOS (1 ms, measured from its enqueue) switches the slot to hand-off mode; then
   * every release grants the head directly and newcomers queue, until the queue is empty or a
   * granted waiter had waited less than 1 ms. So a waiter waits at most for the waiters ahead of
   * it, and once at the head it gets the key after about 1 ms plus its own wake-up and two more
   * releases at most: none starves.
   * The grant (hand-off, or a retry that takes the FREE key, or a newcomer taking it) is the
   * linearization point of a slot acquisition. An abandoning waiter takes the shard lock: if still
   * WAITING or SIGNALLED it unlinks itself (passing a signal on to the new head if the key is
   * FREE); if it finds GRANTED, the grant won the race and the waiter releases the key again
   * (async cancel, interrupt) or keeps it (timed out too late), so a key is never leaked to an
   * abandoned request.
   *
   * Map operations. get/put/remove/replace/containsKey on a FREE slot (or an absent key) run
   * entirely inside one shard-lock critical section, which is the same as lock-operate-unlock on
   * the key lock (and barges like a newcomer); get and containsKey do not even set HELD: every
   * write of a value takes the shard lock, so the value read there is the key's value at the
   * read of the FREE lock word, their linearization point. On a HELD slot they queue like entry() and operate
   * when granted. compute/computeIfAbsent/computeIfPresent/merge take the key lock (an Entry) and
   * run the user function outside the shard lock. Iteration copies one shard at a time (weakly
   * consistent); fast holders have no value, so iteration and size never look at the cells.
   *
   * LRU. When the map is an LruLockMap each shard keeps its slots that have a value in an
   * intrusive doubly linked list, hot end first. Gaining a value, get, and acquiring an entry move
   * the slot to the hot end (no allocation). When a shard holds more values than its capacity,
   * eviction walks from the cold end and drops the value (and the slot) of every slot that is
   * FREE, without waiters and unpinned until the shard is back within capacity; held, waited-for
   * or pinned slots are skipped, never waited for. Over-capacity left by skipped slots is
   * corrected when a key of the shard is released. (A key with a value is never in a cell.)
   *
   * Batch order. A batch first pins every key's slot (creating it if needed), so that slots and
   * their sequence numbers cannot change while the batch is in progress, then sorts the slots by
   * the global order (comparator or natural class, then hash, then per-shard sequence number:
   * equal hashes always share a shard, whose counter numbers slots uniquely), then acquires them
   * one by one. Any two batches that wait on each other have both pinned the slots they share, so
   * they saw the same slots and sort them the same way: no cycle can form.
   *
   * Equal hashes. A chain holds one slot per distinct hash; further slots with the same hash live
   * in a CollisionBucket (the shared persistent AVL of dev.atoll.internal) hanging off that chain
   * slot ("same"), so 100,000 equal-hash Comparable keys cost O(log n) per lookup. Removing the
   * chain slot promotes a bucket member into the chain. (Equal hashes share a cell, hence go
   * through the table as soon as two of them are locked at once.)
   *
   * Costs. An uncontended entry(key) + close() of a key whose class has no slot allocates one Held
   * (the Entry) and does two CASes, nothing else; Kotlin's lock on a free key does the same through
   * lockRequest. A thread's entry(key) + close() of a key whose slot is published in its cell
   * (a key with a value or waiters, alone in its class) also does two CASes and one allocation,
   * on the slot's lock word, when the release has nothing to signal. Otherwise it takes the shard
   * lock twice and also allocates a Slot when the key had none. An LRU map never publishes slots
   * in cells (every access must promote under the shard lock), and a class with two or more slots
   * uses the table path for all its keys.
   *
   * Reclamation: unlinked slots and Helds are ordinary garbage. The table of each shard doubles
   * above 3/4 load and halves below 1/8, so it shrinks after mass removal; the cells are a fixed
   * CELLS cache lines per shard (about 2 KB).
   */

  static final int WAITING = 0;
  static final int GRANTED = 1;
  static final int ABANDONED = 2;
  static final int CLOSED = 3;
  /** A thread or lockRequest waiter at the head of its queue, told that the key is free: it comes to take it. */
  static final int SIGNALLED = 4;

  // lock word bits of a slot (see the notes)
  /** Somebody holds the key. */
  static final int HELD = 1;
  /** The slot has waiters or pins: it stays in the table when the key is released. */
  static final int QUEUED = 2;
  /** The head waiter is WAITING: the next release must signal or grant it (under the shard lock). */
  static final int SIGNAL = 4;
  /** Hand-off mode: newcomers do not barge, releases grant the head under the shard lock. */
  static final int HANDOFF = 8;
  /** The slot was removed from the table: lock-free lockers that still see it retry. */
  static final int DEAD = 16;

  /** Fast-path cells per shard (a power of two). */
  static final int CELLS = 32;
  private static final int CELL_MASK = CELLS - 1;
  /**
   * Cells are spread 1 << CELL_SHIFT references apart (64 bytes with compressed references), with
   * a padding line at each end of the array, so that two threads locking keys of different cells
   * never write the same cache line (nor the line holding the array's length).
   */
  private static final int CELL_SHIFT = 4;
  /** The cell state "the keys of this cell are in the table"; EMPTY is null, a holder is a Held. */
  static final Object SLOW = new Object();

  /**
   * How long the head waiter may be overtaken by newcomers before the key switches to hand-off
   * mode (as Go's sync.Mutex does after 1 ms).
   */
  static final long STARVATION_NANOS = TimeUnit.MILLISECONDS.toNanos(1);

  /**
   * This map's starvation bound: {@link #STARVATION_NANOS}; tests of the barging rules set it (before
   * the map is shared) to 0 or to a very large value, to make either behaviour deterministic.
   */
  long starvationNanos = STARVATION_NANOS;

  private static final int MIN_TABLE = 8;

  // simple operations executed under the shard lock
  private static final int GET = 0;
  private static final int CONTAINS = 1;
  private static final int PUT = 2;
  private static final int PUT_IF_ABSENT = 3;
  private static final int REMOVE = 4;
  private static final int REPLACE = 5;
  private static final int REPLACE_IF = 6;
  private static final int REMOVE_IF = 7;

  // acquisition modes
  private static final int BLOCK = 0;
  private static final int INTERRUPTIBLE = 1;
  private static final int TIMED = 2;

  private final Shard<K, V>[] shards;
  private final int shardShift;
  private final int seed;
  private final boolean lru;
  private final Comparator<? super K> comparator;
  private final BiConsumer<? super K, ? super V> evictionListener;
  /** The class whose keys batches order naturally; set once (see the notes). */
  @SuppressWarnings("unused") // accessed through NATURAL_CLASS
  private volatile Class<?> naturalClass;

  @SuppressWarnings({"unchecked", "rawtypes"})
  AbstractLockMap(int shardCount, boolean lru, int capacity, Comparator<? super K> comparator,
      BiConsumer<? super K, ? super V> evictionListener) {
    Sizing.checkPowerOfTwo(shardCount, "shards");
    this.lru = lru;
    if (lru) {
      Sizing.checkPositive(capacity, "capacity");
      shardCount = Math.min(shardCount, Integer.highestOneBit(capacity)); // every shard gets >= 1
    }
    this.shards = new Shard[shardCount];
    for (int i = 0; i < shardCount; i++) {
      int cap = !lru ? Integer.MAX_VALUE : capacity / shardCount + (i < capacity % shardCount ? 1 : 0);
      shards[i] = new Shard<>(cap, lru);
    }
    this.shardShift = 32 - Integer.numberOfTrailingZeros(shardCount);
    this.seed = Hashing.newSeed();
    this.comparator = comparator;
    this.evictionListener = evictionListener;
  }

  // ------------------------------------------------------------------ entries

  @Override
  public dev.atoll.lock.Entry<K, V> entry(K key) {
    try {
      return acquire(key, BLOCK, 0L);
    } catch (InterruptedException e) {
      throw new AssertionError(e); // BLOCK mode never throws it
    }
  }

  @Override
  public dev.atoll.lock.Entry<K, V> entryInterruptibly(K key) throws InterruptedException {
    return acquire(key, INTERRUPTIBLE, 0L);
  }

  @Override
  public dev.atoll.lock.Entry<K, V> tryEntry(K key) {
    return tryLock(key, Thread.currentThread());
  }

  @Override
  public dev.atoll.lock.Entry<K, V> tryEntryUnowned(K key) {
    return tryLock(key, null);
  }

  private Held<K, V> tryLock(K key, Thread me) {
    int h = spread(key);
    Shard<K, V> s = shardFor(h);
    Held<K, V> fast = tryFast(s, key, h, me, false);
    if (fast != null) {
      return fast;
    }
    synchronized (s) {
      s.claim(h);
      Slot<K, V> slot = s.find(key, h);
      if (slot != null && (slot.head != null || (slot.lockWord() & HELD) != 0)) {
        return null;
      }
      if (slot == null) {
        slot = s.create(key, h);
      }
      Held<K, V> held = new Held<>(this, key, h, me);
      held.slot = slot;
      if (!take(slot)) {
        settle(s, slot); // taken lock-free just now: no waiter to wake (the queue is empty)
        return null;
      }
      grant(s, slot, held);
      s.publish(slot);
      return held;
    }
  }

  @Override
  public dev.atoll.lock.Entry<K, V> tryEntry(K key, long timeout, TimeUnit unit) throws InterruptedException {
    return acquire(key, TIMED, System.nanoTime() + unit.toNanos(timeout));
  }

  @Override
  public CompletableFuture<dev.atoll.lock.Entry<K, V>> lockAsync(K key) {
    int h = spread(key);
    Shard<K, V> s = shardFor(h);
    Waiter<K, V> fast = (Waiter<K, V>) tryFast(s, key, h, null, true);
    if (fast != null) {
      AsyncLock<K, V> future = new AsyncLock<>(fast);
      fast.future = future;
      future.granted();
      return future;
    }
    synchronized (s) {
      s.claim(h);
      Slot<K, V> slot = s.find(key, h);
      if (slot == null) {
        slot = s.create(key, h);
      }
      AsyncLock<K, V> future = lockSlotAsync(s, slot);
      s.publish(slot);
      return future;
    }
  }

  @Override
  public LockRequest<K, V> lockRequest(K key) {
    int h = spread(key);
    Shard<K, V> s = shardFor(h);
    Held<K, V> fast = tryFast(s, key, h, null, false);
    if (fast != null) {
      fast.request = true; // read only by the requester: a plain write after publication is enough
      return fast; // granted at once
    }
    synchronized (s) {
      s.claim(h);
      Slot<K, V> slot = s.find(key, h);
      if (slot == null) {
        slot = s.create(key, h);
      }
      Held<K, V> held = admit(s, slot, null, REQUEST); // signalled or granted at once: its first poll sees it
      s.publish(slot);
      return held;
    }
  }

  /**
   * The fast path: locks a key of an EMPTY cell by installing a new holder there with one CAS
   * (no shard lock, no slot). Returns null when the cell is not EMPTY.
   */
  private Held<K, V> tryFast(Shard<K, V> s, K key, int h, Thread owner, boolean async) {
    Object[] cells = s.cells;
    int c = cellIndex(h);
    if (ArrayAccess.getAcquire(cells, c) == null) {
      Held<K, V> held = async ? new Waiter<>(this, key, h, owner) : new Held<>(this, key, h, owner);
      if (ArrayAccess.cas(cells, c, null, held)) {
        return held;
      }
    }
    return null;
  }

  /**
   * The fast paths of a thread's entry(key): an EMPTY cell is taken as in {@link #tryFast}; a cell
   * that points to the key's own slot (the only slot of its class) lets the thread take the slot's
   * lock word with one CAS when nobody holds it and it is not in hand-off mode (a newcomer barging,
   * as under the shard lock). Returns null when the shard lock is needed.
   */
  private Held<K, V> tryFastOwned(Shard<K, V> s, K key, int h, Thread me) {
    Object[] cells = s.cells;
    int c = cellIndex(h);
    Object cell = ArrayAccess.getAcquire(cells, c);
    if (cell == null) {
      Held<K, V> held = new Held<>(this, key, h, me);
      if (ArrayAccess.cas(cells, c, null, held)) {
        return held;
      }
    } else if (cell instanceof Slot) {
      @SuppressWarnings("unchecked")
      Slot<K, V> slot = (Slot<K, V>) cell;
      if (slot.hash == h && (slot.key == key || slot.key.equals(key))) {
        int w = slot.lockWord();
        if ((w & (HELD | HANDOFF | DEAD)) == 0 && slot.casLock(w, w | HELD)) {
          Held<K, V> held = new Held<>(this, slot.key, h, me);
          held.slot = slot; // plain: the Entry is not shared before it is returned
          slot.holder = held;
          return held;
        }
      }
    }
    return null;
  }

  /** Under the shard lock: grants a free slot at once or queues an asynchronous (future) waiter. */
  private AsyncLock<K, V> lockSlotAsync(Shard<K, V> s, Slot<K, V> slot) {
    Waiter<K, V> held = (Waiter<K, V>) admit(s, slot, null, FUTURE);
    if (held.state == GRANTED) {
      held.future.granted(); // no dependents yet: completing under the lock runs no user code
    }
    return held.future;
  }

  /** Kinds of requests for admit: a thread's, an AsyncLock future's, a lockRequest's. */
  private static final int THREAD = 0;
  private static final int FUTURE = 1;
  private static final int REQUEST = 2;

  /**
   * Under the shard lock: the newcomer step common to every request. Grants the slot to a new
   * Held at once if a newcomer may take it (barging while the head is only signalled), or queues a
   * new WAITING Waiter. A FUTURE request is always a Waiter with its AsyncLock (set before it is
   * queued: settle hands a future the key directly). If the key was released lock-free just before
   * the waiter queued, settle signals or grants the head here: this waiter, which finds out from
   * its state, or an earlier head that is signalled already; no other waiter needs waking.
   */
  private Held<K, V> admit(Shard<K, V> s, Slot<K, V> slot, Thread owner, int kind) {
    Held<K, V> held;
    if (mayTake(slot) && take(slot)) {
      held = kind == FUTURE ? new Waiter<>(this, slot.key, slot.hash, owner) : new Held<>(this, slot.key, slot.hash, owner);
      held.slot = slot;
      grant(s, slot, held);
      sync(slot);
    } else {
      Waiter<K, V> w = new Waiter<>(this, slot.key, slot.hash, owner);
      w.slot = slot;
      w.state = WAITING;
      w.since = System.nanoTime();
      held = w;
    }
    if (kind == FUTURE) {
      Waiter<K, V> w = (Waiter<K, V>) held;
      w.future = new AsyncLock<>(w);
    }
    held.request = kind == REQUEST;
    if (held.state == WAITING) {
      slot.enqueue((Waiter<K, V>) held);
      settle(s, slot);
    }
    return held;
  }

  private Held<K, V> acquire(K key, int mode, long deadline) throws InterruptedException {
    int h = spread(key);
    Shard<K, V> s = shardFor(h);
    Thread me = Thread.currentThread();
    Held<K, V> held = lru ? tryFast(s, key, h, me, false) : tryFastOwned(s, key, h, me);
    if (held != null) {
      return held;
    }
    synchronized (s) {
      s.claim(h);
      Slot<K, V> slot = s.find(key, h);
      if (slot == null) {
        slot = s.create(key, h);
      }
      held = grantOrEnqueue(s, slot, me);
      s.publish(slot);
    }
    return held.stateAcquire() == GRANTED ? held : await(held, mode, deadline);
  }

  /**
   * Under the shard lock: whether a newcomer may take the slot now. It may when nobody holds it
   * and either nobody waits or the slot is not in hand-off mode (a woken waiter then competes with
   * the newcomer; see the notes on barging).
   */
  private static boolean mayTake(Slot<?, ?> slot) {
    return (slot.lockWord() & HELD) == 0 && (slot.head == null || !slot.handOff);
  }

  /**
   * Under the shard lock: sets HELD in the lock word of a slot that nobody holds; false if a
   * lock-free newcomer took it first (or it is held). The caller then grants it with grant().
   */
  private static boolean take(Slot<?, ?> slot) {
    while (true) {
      int w = slot.lockWord();
      if ((w & HELD) != 0) {
        return false;
      }
      if (slot.casLock(w, w | HELD)) {
        return true;
      }
    }
  }

  /**
   * Under the shard lock: publishes the slot's queue, pin and hand-off state in its lock word
   * (QUEUED, SIGNAL, HANDOFF), keeping HELD as the lock-free paths may change it. Returns the
   * word written.
   */
  private static int sync(Slot<?, ?> slot) {
    Held<?, ?> head = slot.head;
    int flags = (head != null || slot.pins > 0 ? QUEUED : 0)
        | (head != null && head.state == WAITING ? SIGNAL : 0)
        | (slot.handOff ? HANDOFF : 0);
    while (true) {
      int w = slot.lockWord();
      int n = (w & HELD) | flags;
      if (w == n || slot.casLock(w, n)) {
        return n;
      }
    }
  }

  /** Under the shard lock: grants the slot to a new Held of {@code me}, or queues it. */
  private Held<K, V> grantOrEnqueue(Shard<K, V> s, Slot<K, V> slot, Thread me) {
    Held<K, V> holder = slot.holder; // may be stale, but never shows this thread unless it holds the key
    if (holder != null && holder.owner == me && (slot.lockWord() & HELD) != 0) {
      throw new IllegalStateException("self-deadlock: the current thread already holds the lock of key "
          + slot.key + " (the lock is not reentrant)");
    }
    return admit(s, slot, me, THREAD);
  }

  /** Under the shard lock, with HELD set in the slot's lock word: makes {@code held} its holder. */
  private void grant(Shard<K, V> s, Slot<K, V> slot, Held<K, V> held) {
    slot.holder = held;
    held.setStateRelease(GRANTED);
    if (lru && slot.value != null) {
      s.promote(slot);
    }
  }

  /**
   * Spins before parking, on multi-core machines: a key held for a short critical section is
   * usually free again within a few microseconds, and a spinning waiter sees its signal or grant
   * without the unpark/wake-up round trip.
   */
  private static final int SPINS_BEFORE_PARK = Runtime.getRuntime().availableProcessors() > 1 ? 128 : 0;

  /**
   * Waits until {@code held} is granted (by a hand-off, or by taking the key itself after a
   * signal), or abandons it on timeout or interrupt.
   */
  private Held<K, V> await(Held<K, V> held, int mode, long deadline) throws InterruptedException {
    boolean interrupted = false;
    int spins = SPINS_BEFORE_PARK;
    int watch = SPINS_BEFORE_PARK;
    try {
      while (true) {
        int state = held.stateAcquire();
        if (state == GRANTED) {
          return held;
        }
        if (state == SIGNALLED) {
          // signalled, but a newcomer may hold the key again: watch its lock word (reading only)
          // and retry when it looks free; only when the watch is over does a failed retry re-arm
          // (WAITING: SIGNAL sends the next release through the shard lock to signal it), as an
          // AbstractQueuedSynchronizer node re-arms only before it parks. Every retry checks the
          // starvation bound.
          if (watch > 0) {
            watch--;
            if ((held.slot.lockWord() & HELD) != 0) {
              Thread.onSpinWait();
              continue;
            }
          }
          if (retry((Waiter<K, V>) held, watch == 0)) { // not granted at once: a Waiter
            return held;
          }
          continue; // still signalled and watching, or back to WAITING (or granted meanwhile)
        }
        if (spins > 0) {
          spins--;
          Thread.onSpinWait();
          continue;
        }
        if (mode == TIMED) {
          long remaining = deadline - System.nanoTime();
          if (remaining <= 0L) {
            return abandon((Waiter<K, V>) held) ? null : held; // granted in the meantime: keep it
          }
          LockSupport.parkNanos(this, remaining);
        } else {
          LockSupport.park(this);
        }
        watch = SPINS_BEFORE_PARK;
        if (Thread.interrupted()) {
          if (mode == BLOCK) {
            interrupted = true;
          } else {
            if (!abandon((Waiter<K, V>) held)) {
              release(held); // granted just now: give it back
            }
            throw new InterruptedException();
          }
        }
      }
    } finally {
      if (interrupted) {
        Thread.currentThread().interrupt();
      }
    }
  }

  /**
   * A signalled waiter (the head of its queue) tries to take the key. If a newcomer took it first,
   * the waiter stays SIGNALLED (it keeps watching the key: releases need not signal it) or, with
   * {@code arm} (it is about to park), goes back to WAITING, still at the head, so that the next
   * release signals it; if it has waited longer than {@link #STARVATION_NANOS}, the slot switches
   * to hand-off mode so that the next release grants the key to it directly. Returns true if
   * {@code held} now holds the key.
   */
  private boolean retry(Waiter<K, V> held, boolean arm) {
    Slot<K, V> slot = held.slot;
    Shard<K, V> s = shardFor(held.hash);
    synchronized (s) {
      int state = held.state;
      if (state != SIGNALLED) {
        return state == GRANTED;
      }
      if (take(slot)) {
        slot.unlink(held);
        grant(s, slot, held);
        sync(slot); // the next head, if any, is WAITING: SIGNAL sends this holder's release through the shard lock
        return true;
      }
      boolean starving = !slot.handOff && System.nanoTime() - held.since > starvationNanos;
      if (starving) {
        slot.handOff = true;
      }
      if (arm) {
        held.setStateRelease(WAITING);
      } else if (!starving) {
        return false; // nothing changed: still the signalled head, watching
      }
      // SIGNAL (if armed) or HANDOFF (set here) makes the holder's release come to the shard
      // lock for this waiter; if the holder released lock-free just before, settle signals or
      // grants this waiter (still the head) at once
      settle(s, slot);
      return held.state == GRANTED;
    }
  }

  /** Withdraws a waiting request; false if it had been granted already (the caller owns it). */
  boolean abandon(Waiter<K, V> held) {
    Slot<K, V> slot = held.slot;
    Shard<K, V> s = shardFor(held.hash);
    Waiter<K, V> next = null;
    synchronized (s) {
      int state = held.state;
      if (state != WAITING && state != SIGNALLED) {
        return false;
      }
      slot.unlink(held);
      held.setStateRelease(ABANDONED);
      next = settle(s, slot); // it may have been the signalled head: pass the signal on
    }
    if (next != null) {
      next.wake();
    }
    return true;
  }

  /** Releases a granted Held: lets the next waiter have the key or drops an unused slot. */
  void release(Held<K, V> held) {
    Slot<K, V> fastSlot = held.slotAcquire();
    if (fastSlot == null) {
      // fast path: the holder still sits in its cell; EMPTY it with one CAS
      Shard<K, V> s = shardFor(held.hash);
      if (ArrayAccess.cas(s.cells, cellIndex(held.hash), held, null)) {
        held.setStateRelease(CLOSED);
        return;
      }
      // adopted into a slot meanwhile (the cell is SLOW now): the slot path below sees it
    } else if (!lru && held.owner != null) {
      // lock-free release of a slot: only when nothing needs the shard lock (no WAITING head to
      // signal or grant, no hand-off) and the slot stays needed (a value, waiters or pins); an
      // owned entry is closed only by its thread, so no second close races with this one
      int w = fastSlot.lockWord();
      if ((w & (HELD | SIGNAL | HANDOFF)) == HELD && ((w & QUEUED) != 0 || fastSlot.value != null)) {
        fastSlot.holder = null;
        if (fastSlot.casLock(w, w & ~HELD)) {
          held.setStateRelease(CLOSED);
          return;
        }
      }
    }
    Shard<K, V> s = shardFor(held.hash);
    Waiter<K, V> next;
    Object[] evicted = null;
    synchronized (s) {
      if (held.state != GRANTED) {
        throw new IllegalStateException("entry of key " + held.key + " is already closed");
      }
      held.setStateRelease(CLOSED);
      next = vacate(s, held.slot);
      if (lru && s.values > s.capacity) {
        evicted = evict(s);
      }
    }
    if (next != null) {
      next.wake();
    }
    notifyEvicted(evicted);
  }

  /**
   * Under the shard lock, after the holder closed: frees the slot and lets the queue know (see
   * {@link #settle}); returns the waiter to wake after unlocking, or null.
   */
  private Waiter<K, V> vacate(Shard<K, V> s, Slot<K, V> slot) {
    slot.holder = null;
    Waiter<K, V> next = slot.head;
    if (next != null && (next.future != null || slot.handOff)) {
      // hand the key over with HELD kept set: no lock-free newcomer can slip in between
      handOver(s, slot, next);
      return next;
    }
    while (true) {
      int w = slot.lockWord(); // HELD (this holder's): stable, but a CAS keeps every write of it alike
      if (slot.casLock(w, w & ~HELD)) {
        break;
      }
    }
    return settle(s, slot);
  }

  /** Under the shard lock, with HELD set: grants the key to the head {@code next} (FIFO hand-off). */
  private void handOver(Shard<K, V> s, Slot<K, V> slot, Waiter<K, V> next) {
    slot.unlink(next);
    grant(s, slot, next);
    if (slot.handOff && (slot.head == null || System.nanoTime() - next.since < starvationNanos)) {
      slot.handOff = false; // nobody else has waited long: back to normal mode
    }
    sync(slot);
  }

  /**
   * Under the shard lock, after a change of a slot's queue, pins, hand-off mode or holder:
   * publishes them in the lock word (sync) and, if nobody holds the key, lets the queue know: an
   * future head, or any head in hand-off mode, is granted the key (FIFO hand-off); a thread or
   * lockRequest head that waits is SIGNALLED to come and take it (a newcomer may take it first;
   * see the notes); with no waiters the slot is retired when unused. If somebody holds the key,
   * the lock word makes its release come here when needed (SIGNAL, HANDOFF, or an unused slot).
   * Returns the waiter to wake (unpark, complete or run its action) after unlocking, or null.
   */
  private Waiter<K, V> settle(Shard<K, V> s, Slot<K, V> slot) {
    while (true) {
      int w = sync(slot);
      if ((w & HELD) != 0) {
        return null;
      }
      Waiter<K, V> next = slot.head;
      if (next == null) {
        if (slot.handOff) {
          slot.handOff = false;
          continue;
        }
        if (slot.value == null && slot.pins == 0) {
          if (!slot.casLock(w, DEAD)) {
            continue; // a lock-free newcomer took it: its release comes back here
          }
          s.remove(slot);
        }
        return null;
      }
      if (next.future != null || slot.handOff) {
        if (!slot.casLock(w, w | HELD)) {
          continue; // a lock-free newcomer took it (not in hand-off mode): SIGNAL brings its release here
        }
        handOver(s, slot, next);
        return next;
      }
      if (next.state == WAITING) {
        next.setStateRelease(SIGNALLED);
        sync(slot); // the head is signalled: releases need not come here for it
        return next;
      }
      return null; // already signalled and about to retry
    }
  }

  /** Under the shard lock: sets the value of a held or free slot; returns the previous value. */
  private V store(Shard<K, V> s, Slot<K, V> slot, V value) {
    V old = slot.value;
    slot.value = value;
    if (old == null) {
      if (value != null) {
        s.values++;
        if (lru) {
          s.linkHot(slot);
        }
      }
    } else if (value == null) {
      s.values--;
      if (lru) {
        s.unlinkLru(slot);
      }
    } else if (lru) {
      s.promote(slot);
    }
    return old;
  }

  /** Entry.set/insert/remove: a write by the holder. */
  V write(Held<K, V> held, V value, boolean onlyIfAbsent) {
    Shard<K, V> s = shardFor(held.hash);
    Object[] evicted = null;
    V old;
    synchronized (s) {
      Slot<K, V> slot = held.slot;
      if (slot == null) {
        s.claim(held.hash); // a fast holder: its cell adopts it into a slot, which takes the value
        slot = held.slot;
        s.publish(slot);
      }
      if (onlyIfAbsent && slot.value != null) {
        return slot.value;
      }
      old = store(s, slot, value);
      if (lru && s.values > s.capacity) {
        evicted = evict(s);
      }
    }
    notifyEvicted(evicted);
    return old;
  }

  /**
   * Under the shard lock: drops values (and slots) from the cold end until the shard is within
   * capacity, skipping slots that are held, waited for or pinned. Returns the evicted key/value
   * pairs when there is a listener (the only allocation of eviction).
   */
  private Object[] evict(Shard<K, V> s) {
    Object[] out = null;
    int n = 0;
    for (Slot<K, V> c = s.lruTail; c != null && s.values > s.capacity; ) {
      Slot<K, V> prev = c.lruPrev;
      if (c.head == null && c.pins == 0 && c.casLock(0, DEAD)) { // free (no lock-free path in an LRU map)
        V v = c.value;
        store(s, c, null);
        s.remove(c);
        if (evictionListener != null) {
          if (out == null) {
            out = new Object[8];
          } else if (n == out.length) {
            out = Arrays.copyOf(out, n * 2);
          }
          out[n++] = c.key;
          out[n++] = v;
        }
      }
      c = prev;
    }
    return out;
  }

  @SuppressWarnings({"unchecked", "rawtypes"})
  private void notifyEvicted(Object[] evicted) {
    if (evicted == null) {
      return;
    }
    for (int i = 0; i < evicted.length && evicted[i] != null; i += 2) {
      evictionListener.accept((K) evicted[i], (V) evicted[i + 1]);
    }
  }

  // ------------------------------------------------------------------ batches

  @Override
  public BatchEntry<K, V> batchLock(Collection<? extends K> keys) {
    try {
      return batch(keys, BLOCK, 0L);
    } catch (InterruptedException e) {
      throw new AssertionError(e); // BLOCK mode never throws it
    }
  }

  @Override
  public BatchEntry<K, V> tryBatchLock(Collection<? extends K> keys, long timeout, TimeUnit unit) throws InterruptedException {
    return batch(keys, TIMED, System.nanoTime() + unit.toNanos(timeout));
  }

  @Override
  public CompletableFuture<BatchEntry<K, V>> batchLockAsync(Collection<? extends K> keys) {
    BatchAcquisition<K, V> acquisition = new BatchAcquisition<>(this, pinSorted(keys));
    acquisition.run();
    return acquisition;
  }

  private BatchEntry<K, V> batch(Collection<? extends K> keys, int mode, long deadline) throws InterruptedException {
    List<Slot<K, V>> slots = pinSorted(keys);
    @SuppressWarnings({"unchecked", "rawtypes"})
    Held<K, V>[] held = new Held[slots.size()];
    Thread me = Thread.currentThread();
    int taken = 0;
    boolean done = false;
    try {
      for (; taken < held.length; taken++) {
        Slot<K, V> slot = slots.get(taken);
        Shard<K, V> s = shardFor(slot.hash);
        Held<K, V> h;
        synchronized (s) {
          h = grantOrEnqueue(s, slot, me);
        }
        if (h.stateAcquire() != GRANTED) {
          h = await(h, mode, deadline);
          if (h == null) {
            return null; // timed out: the finally block releases what was taken
          }
        }
        held[taken] = h;
      }
      done = true;
      return new Batch<>(held, me);
    } finally {
      if (!done) {
        for (int i = taken - 1; i >= 0; i--) {
          release(held[i]);
        }
      }
      unpin(slots);
    }
  }

  /** Pins every key's slot, then sorts the distinct slots in the global batch order. */
  List<Slot<K, V>> pinSorted(Collection<? extends K> keys) {
    Objects.requireNonNull(keys, "keys");
    ArrayList<Slot<K, V>> slots = new ArrayList<>(keys.size());
    try {
      for (K key : keys) {
        if (comparator == null && naturalClass == null && key instanceof Comparable) {
          NATURAL_CLASS.compareAndSet(this, (Class<?>) null, key.getClass());
        }
        int h = spread(key);
        Shard<K, V> s = shardFor(h);
        synchronized (s) {
          s.claim(h);
          Slot<K, V> slot = s.find(key, h);
          if (slot == null) {
            slot = s.create(key, h);
          }
          slot.pins++;
          sync(slot); // QUEUED: a lock-free release keeps the slot
          s.publish(slot);
          slots.add(slot);
        }
      }
      slots.sort(this::compareSlots);
    } catch (RuntimeException | Error e) {
      unpin(slots);
      throw e;
    }
    // duplicates are adjacent (equal slots compare 0 and nothing else does): keep one pin each
    int w = 0;
    for (int i = 0; i < slots.size(); i++) {
      Slot<K, V> slot = slots.get(i);
      if (w > 0 && slots.get(w - 1) == slot) {
        unpinOne(slot);
      } else {
        slots.set(w++, slot);
      }
    }
    slots.subList(w, slots.size()).clear();
    return slots;
  }

  /** The global batch order on pinned slots (see the implementation notes). */
  @SuppressWarnings({"unchecked", "rawtypes"})
  private int compareSlots(Slot<K, V> a, Slot<K, V> b) {
    if (a == b) {
      return 0;
    }
    if (comparator != null) {
      int c = comparator.compare(a.key, b.key);
      if (c != 0) {
        return c;
      }
    } else {
      Class<?> natural = naturalClass;
      boolean na = natural != null && a.key.getClass() == natural;
      boolean nb = natural != null && b.key.getClass() == natural;
      if (na != nb) {
        return na ? -1 : 1;
      }
      if (na) {
        int c = ((Comparable<Object>) a.key).compareTo(b.key);
        if (c != 0) {
          return c;
        }
      }
    }
    int c = Integer.compare(a.hash, b.hash);
    return c != 0 ? c : Long.compare(a.seq, b.seq); // equal hashes share a shard: seqs differ
  }

  void unpin(List<Slot<K, V>> slots) {
    for (Slot<K, V> slot : slots) {
      unpinOne(slot);
    }
  }

  private void unpinOne(Slot<K, V> slot) {
    Shard<K, V> s = shardFor(slot.hash);
    Waiter<K, V> next;
    synchronized (s) {
      slot.pins--;
      next = settle(s, slot);
    }
    if (next != null) {
      next.wake();
    }
  }

  AsyncLock<K, V> lockPinnedAsync(Slot<K, V> slot) {
    Shard<K, V> s = shardFor(slot.hash);
    synchronized (s) {
      return lockSlotAsync(s, slot);
    }
  }

  // ------------------------------------------------------------------ Map operations

  private Object simple(Object key, int op, V value, Object expected) {
    int h = spread(key);
    Shard<K, V> s = shardFor(h);
    Object result;
    Object[] evicted = null;
    Held<K, V> held;
    boolean creates = op == PUT || op == PUT_IF_ABSENT;
    if (!creates) {
      // an EMPTY cell, or a fast holder of another key, means the key has no record: no value
      // (a cell pointing to another key's slot: that slot is the only one of the class)
      Object cell = ArrayAccess.getAcquire(s.cells, cellIndex(h));
      if (cell == null
          || (cell instanceof Held && !((Held<?, ?>) cell).key.equals(key))
          || (cell instanceof Slot && !((Slot<?, ?>) cell).key.equals(key))) {
        return op == GET || op == REMOVE || op == REPLACE ? null : Boolean.FALSE;
      }
    }
    Waiter<K, V> woken = null;
    synchronized (s) {
      s.claim(h);
      Slot<K, V> slot = s.find(key, h);
      if (slot == null) {
        if (!creates) {
          s.unclaimIfUnused(h);
          return op == GET || op == REMOVE || op == REPLACE ? null : Boolean.FALSE;
        }
        @SuppressWarnings({"unchecked", "rawtypes"})
        K k = (K) key;
        slot = s.create(k, h);
      }
      if ((op == GET || op == CONTAINS) && mayTake(slot)) {
        // a read of a key nobody holds: under the shard lock the value cannot change (writes of
        // holders, lock-free ones too, take it), so reading it here is the same as taking and
        // releasing the key lock around the read, without the two CASes and the vacate; it
        // linearizes at the read of the lock word in mayTake
        result = operate(s, slot, op, value, expected); // GET promotes in an LRU map
        held = null;
      } else if (mayTake(slot) && take(slot)) {
        // free: the whole critical section is lock-operate-unlock of the key lock
        result = operate(s, slot, op, value, expected);
        woken = vacate(s, slot); // retires the slot if it is unused now
        if (lru && s.values > s.capacity) {
          evicted = evict(s);
        }
        held = null;
      } else {
        held = grantOrEnqueue(s, slot, Thread.currentThread());
        result = null;
      }
      s.publish(slot);
    }
    if (held == null) {
      if (woken != null) {
        woken.wake();
      }
      notifyEvicted(evicted);
      return result;
    }
    try {
      await(held, BLOCK, 0L);
    } catch (InterruptedException e) {
      throw new AssertionError(e);
    }
    Slot<K, V> slot = held.slot;
    Waiter<K, V> next;
    synchronized (s) {
      result = operate(s, slot, op, value, expected);
      held.setStateRelease(CLOSED);
      next = vacate(s, slot);
      if (lru && s.values > s.capacity) {
        evicted = evict(s);
      }
    }
    if (next != null) {
      next.wake();
    }
    notifyEvicted(evicted);
    return result;
  }

  private Object operate(Shard<K, V> s, Slot<K, V> slot, int op, V value, Object expected) {
    V cur = slot.value;
    switch (op) {
      case GET:
        if (lru && cur != null) {
          s.promote(slot);
        }
        return cur;
      case CONTAINS:
        return cur != null;
      case PUT:
        return store(s, slot, value);
      case PUT_IF_ABSENT:
        return cur != null ? cur : store(s, slot, value);
      case REMOVE:
        return cur == null ? null : store(s, slot, null);
      case REPLACE:
        return cur == null ? null : store(s, slot, value);
      case REPLACE_IF:
        if (cur != null && cur.equals(expected)) {
          store(s, slot, value);
          return Boolean.TRUE;
        }
        return Boolean.FALSE;
      case REMOVE_IF:
        if (cur != null && cur.equals(expected)) {
          store(s, slot, null);
          return Boolean.TRUE;
        }
        return Boolean.FALSE;
      default:
        throw new AssertionError(op);
    }
  }

  /**
   * {@inheritDoc}
   *
   * <p>Waits while another caller holds the key's {@link dev.atoll.lock.Entry}; never waits for
   * other keys. On an {@link LruLockMap} a hit moves the key to the most recently used end.
   */
  @Override
  @SuppressWarnings({"unchecked", "rawtypes"})
  public V get(Object key) {
    return (V) simple(key, GET, null, null);
  }

  @Override
  public boolean containsKey(Object key) {
    return (Boolean) simple(key, CONTAINS, null, null);
  }

  @Override
  @SuppressWarnings({"unchecked", "rawtypes"})
  public V put(K key, V value) {
    Objects.requireNonNull(value, "value");
    return (V) simple(key, PUT, value, null);
  }

  @Override
  @SuppressWarnings({"unchecked", "rawtypes"})
  public V putIfAbsent(K key, V value) {
    Objects.requireNonNull(value, "value");
    return (V) simple(key, PUT_IF_ABSENT, value, null);
  }

  @Override
  @SuppressWarnings({"unchecked", "rawtypes"})
  public V remove(Object key) {
    return (V) simple(key, REMOVE, null, null);
  }

  @Override
  public boolean remove(Object key, Object value) {
    Objects.requireNonNull(key, "key");
    if (value == null) {
      throw new NullPointerException("value");
    }
    return (Boolean) simple(key, REMOVE_IF, null, value);
  }

  @Override
  @SuppressWarnings({"unchecked", "rawtypes"})
  public V replace(K key, V value) {
    Objects.requireNonNull(value, "value");
    return (V) simple(key, REPLACE, value, null);
  }

  @Override
  public boolean replace(K key, V oldValue, V newValue) {
    Objects.requireNonNull(key, "key");
    Objects.requireNonNull(oldValue, "oldValue");
    Objects.requireNonNull(newValue, "newValue");
    return (Boolean) simple(key, REPLACE_IF, newValue, oldValue);
  }

  /**
   * {@inheritDoc}
   *
   * <p>The function runs at most once per call, while the key is locked (not the shard), so every
   * caller for one key gets the same instance back; it must not lock the same key.
   */
  @Override
  public V computeIfAbsent(K key, Function<? super K, ? extends V> mappingFunction) {
    Objects.requireNonNull(mappingFunction, "mappingFunction");
    V v = get(key);
    if (v != null) {
      return v;
    }
    try (dev.atoll.lock.Entry<K, V> e = entry(key)) {
      v = e.get();
      if (v == null) {
        v = mappingFunction.apply(key);
        if (v != null) {
          e.set(v);
        }
      }
      return v;
    }
  }

  /**
   * {@inheritDoc}
   *
   * <p>The function runs once, while the key is locked; it must not lock the same key.
   */
  @Override
  public V computeIfPresent(K key, BiFunction<? super K, ? super V, ? extends V> remappingFunction) {
    Objects.requireNonNull(remappingFunction, "remappingFunction");
    Objects.requireNonNull(key, "key");
    if (!containsKey(key)) {
      return null;
    }
    try (dev.atoll.lock.Entry<K, V> e = entry(key)) {
      V old = e.get();
      if (old == null) {
        return null;
      }
      V v = remappingFunction.apply(key, old);
      if (v == null) {
        e.remove();
      } else {
        e.set(v);
      }
      return v;
    }
  }

  /**
   * {@inheritDoc}
   *
   * <p>The function runs once, while the key is locked; it must not lock the same key.
   */
  @Override
  public V compute(K key, BiFunction<? super K, ? super V, ? extends V> remappingFunction) {
    Objects.requireNonNull(remappingFunction, "remappingFunction");
    try (dev.atoll.lock.Entry<K, V> e = entry(key)) {
      V old = e.get();
      V v = remappingFunction.apply(key, old);
      if (v == null) {
        if (old != null) {
          e.remove();
        }
      } else {
        e.set(v);
      }
      return v;
    }
  }

  /**
   * {@inheritDoc}
   *
   * <p>The function runs at most once, while the key is locked; it must not lock the same key.
   */
  @Override
  public V merge(K key, V value, BiFunction<? super V, ? super V, ? extends V> remappingFunction) {
    Objects.requireNonNull(value, "value");
    Objects.requireNonNull(remappingFunction, "remappingFunction");
    try (dev.atoll.lock.Entry<K, V> e = entry(key)) {
      V old = e.get();
      V v = old == null ? value : remappingFunction.apply(old, value);
      if (v == null) {
        e.remove();
      } else {
        e.set(v);
      }
      return v;
    }
  }

  /** {@inheritDoc} Counts the keys with a value, one shard at a time (exact when quiescent). */
  @Override
  public int size() {
    long n = 0;
    for (Shard<K, V> s : shards) {
      synchronized (s) {
        n += s.values;
      }
    }
    return (int) Math.min(n, Integer.MAX_VALUE);
  }

  @Override
  public boolean isEmpty() {
    return size() == 0;
  }

  @Override
  public boolean containsValue(Object value) {
    Objects.requireNonNull(value, "value");
    for (Map.Entry<K, V> e : entrySet()) {
      if (value.equals(e.getValue())) {
        return true;
      }
    }
    return false;
  }

  /** Removes every value, one key at a time (through the key locks; weakly consistent). */
  @Override
  public void clear() {
    for (Shard<K, V> s : shards) {
      Object[] kv = s.copy();
      for (int i = 0; i < kv.length; i += 2) {
        remove(kv[i]);
      }
    }
  }

  /**
   * {@inheritDoc}
   *
   * <p>Iterators are weakly consistent: each shard is copied under its shard lock when the
   * iterator reaches it; {@code remove} and {@code Map.Entry.setValue} write through to the map.
   */
  @Override
  public Set<Map.Entry<K, V>> entrySet() {
    return new EntrySet();
  }

  /**
   * The number of per-key lock records in the map (slots, and holders in cells): keys with a
   * value, holder, waiter or batch reservation.
   */
  int lockRecordCount() {
    int n = 0;
    for (Shard<K, V> s : shards) {
      synchronized (s) {
        n += s.slots;
        for (int c = 0; c < CELLS; c++) {
          Object cell = ArrayAccess.getAcquire(s.cells, (c + 1) << CELL_SHIFT);
          if (cell instanceof Held) {
            n++; // a fast holder: a record without a slot
          }
        }
      }
    }
    return n;
  }

  /** The number of waiters queued for {@code key} (for tests). */
  int waiters(Object key) {
    int h = spread(key);
    Shard<K, V> s = shardFor(h);
    synchronized (s) {
      Slot<K, V> slot = s.find(key, h);
      int n = 0;
      for (Waiter<K, V> w = slot == null ? null : slot.head; w != null; w = w.next) {
        n++;
      }
      return n;
    }
  }

  /** The number of shards (after an LRU map reduced it so that every shard has capacity). */
  int shardCount() {
    return shards.length;
  }

  private final class EntrySet extends AbstractSet<Map.Entry<K, V>> {
    @Override
    public Iterator<Map.Entry<K, V>> iterator() {
      return new EntryIterator();
    }

    @Override
    public int size() {
      return AbstractLockMap.this.size();
    }

    @Override
    public boolean contains(Object o) {
      if (!(o instanceof Map.Entry)) {
        return false;
      }
      Map.Entry<?, ?> e = (Map.Entry<?, ?>) o;
      Object k = e.getKey();
      Object v = k == null ? null : get(k);
      return v != null && v.equals(e.getValue());
    }

    @Override
    public boolean remove(Object o) {
      if (!(o instanceof Map.Entry)) {
        return false;
      }
      Map.Entry<?, ?> e = (Map.Entry<?, ?>) o;
      return e.getKey() != null && e.getValue() != null && AbstractLockMap.this.remove(e.getKey(), e.getValue());
    }

    @Override
    public void clear() {
      AbstractLockMap.this.clear();
    }
  }

  private final class EntryIterator implements Iterator<Map.Entry<K, V>> {
    private int shard;
    private Object[] kv = new Object[0];
    private int i;
    private K lastKey;

    @Override
    public boolean hasNext() {
      while (i >= kv.length) {
        if (shard >= shards.length) {
          return false;
        }
        kv = shards[shard++].copy();
        i = 0;
      }
      return true;
    }

    @Override
    @SuppressWarnings({"unchecked", "rawtypes"})
    public Map.Entry<K, V> next() {
      if (!hasNext()) {
        throw new NoSuchElementException();
      }
      K k = (K) kv[i];
      V v = (V) kv[i + 1];
      i += 2;
      lastKey = k;
      return new WriteThroughEntry(k, v);
    }

    @Override
    public void remove() {
      if (lastKey == null) {
        throw new IllegalStateException("next() was not called, or remove() was already called");
      }
      AbstractLockMap.this.remove(lastKey);
      lastKey = null;
    }
  }

  private final class WriteThroughEntry extends SimpleEntry<K, V> {
    private static final long serialVersionUID = 1L;

    WriteThroughEntry(K key, V value) {
      super(key, value);
    }

    @Override
    public V setValue(V value) {
      Objects.requireNonNull(value, "value");
      V old = super.setValue(value);
      put(getKey(), value);
      return old;
    }
  }

  // ------------------------------------------------------------------ machinery

  /** The index in a shard's cells of the cell of {@code hash} (one cache line per cell; see the notes). */
  static int cellIndex(int hash) {
    return ((hash & CELL_MASK) + 1) << CELL_SHIFT;
  }

  private int spread(Object key) {
    return Hashing.spread(key, seed); // NullPointerException for a null key
  }

  Shard<K, V> shardFor(int hash) {
    return shards.length == 1 ? shards[0] : shards[hash >>> shardShift];
  }

  /** A shard: a chained table of slots, its LRU list and its lock. */
  static final class Shard<K, V> {
    final int capacity;
    /** An LRU map's shard: its cells are never slot cells (every access must promote under the lock). */
    final boolean lruMap;
    /** The fast-path cells: EMPTY (null), a fast holder (a Held), or SLOW (see the notes). */
    final Object[] cells = new Object[(CELLS + 2) << CELL_SHIFT];
    /** Per cell: how many slots of the table have a hash of that cell (guarded by the shard lock). */
    final int[] classSlots = new int[CELLS];
    Slot<K, V>[] table;
    int slots;
    int values;
    long seq;
    Slot<K, V> lruHead;
    Slot<K, V> lruTail;

    @SuppressWarnings({"unchecked", "rawtypes"})
    Shard(int capacity, boolean lruMap) {
      this.capacity = capacity;
      this.lruMap = lruMap;
      this.table = new Slot[MIN_TABLE];
    }

    /**
     * Under the shard lock, before looking up or creating a key of hash {@code hash}: makes the
     * key's cell SLOW, so that every key of that cell is handled by the table. A fast holder found
     * in the cell is adopted: it gets a slot, as its holder. The CAS races only with the fast
     * path (EMPTY to holder, holder to EMPTY); the loop ends because the cell can only go back to
     * EMPTY from a holder, once.
     */
    @SuppressWarnings({"unchecked", "rawtypes"})
    void claim(int hash) {
      int c = cellIndex(hash);
      while (true) {
        Object cell = ArrayAccess.getAcquire(cells, c);
        if (cell == SLOW || cell instanceof Slot) {
          return; // a slot cell stays until create() adds a second slot of the class
        }
        if (ArrayAccess.cas(cells, c, cell, SLOW)) {
          if (cell != null) {
            Held<K, V> fast = (Held<K, V>) cell;
            Slot<K, V> slot = create(fast.key, fast.hash);
            slot.lock = HELD; // plain: published by the shard lock and by setSlotRelease below
            slot.holder = fast;
            fast.setSlotRelease(slot); // the holder's writes and its release now go through the slot
          }
          return;
        }
      }
    }

    /**
     * Under the shard lock, at the end of an operation on {@code slot}: when the slot is alive and
     * the only one of its class (and the map is not LRU), points the class's cell to it, so that
     * the key's lockers take and release its lock word without the shard lock.
     */
    void publish(Slot<K, V> slot) {
      if (lruMap || (slot.lockWord() & DEAD) != 0 || classSlots[slot.hash & CELL_MASK] != 1) {
        return;
      }
      int c = cellIndex(slot.hash);
      if (ArrayAccess.getAcquire(cells, c) != slot) {
        ArrayAccess.setRelease(cells, c, slot); // from SLOW: no lock-free writer touches a SLOW cell
      }
    }

    /** Under the shard lock: gives a claimed cell back to the fast path when none of its keys has a slot. */
    void unclaimIfUnused(int hash) {
      if (classSlots[hash & CELL_MASK] == 0) {
        ArrayAccess.setRelease(cells, cellIndex(hash), null);
      }
    }

    /** Finds the slot of {@code key}: in the chain, or in the collision bucket of its hash. */
    Slot<K, V> find(Object key, int hash) {
      Slot<K, V>[] t = table;
      for (Slot<K, V> s = t[hash & (t.length - 1)]; s != null; s = s.next) {
        if (s.hash == hash) {
          if (s.key == key || s.key.equals(key)) {
            return s;
          }
          return s.same == null ? null : s.same.get(key);
        }
      }
      return null;
    }

    /** Under the shard lock, with the key's cell claimed: adds a slot for an absent key. */
    Slot<K, V> create(K key, int hash) {
      Slot<K, V> slot = new Slot<>(key, hash, seq++);
      if (classSlots[hash & CELL_MASK]++ == 1) {
        ArrayAccess.setRelease(cells, cellIndex(hash), SLOW); // the cell may point to the class's other slot
      }
      Slot<K, V>[] t = table;
      int i = hash & (t.length - 1);
      Slot<K, V> primary = t[i];
      while (primary != null && primary.hash != hash) {
        primary = primary.next;
      }
      if (primary != null) {
        // an equal hash: the chain keeps one slot per hash, the others live in its bucket
        CollisionBucket<K, Slot<K, V>> b = primary.same == null ? CollisionBucket.empty() : primary.same;
        primary.same = b.put(key, slot);
        slots++;
        return slot;
      }
      slot.next = t[i];
      t[i] = slot;
      if (++slots > t.length - (t.length >>> 2)) {
        resize(t.length << 1);
      }
      return slot;
    }

    /** Under the shard lock: drops an unused slot (and unclaims its cell when it was the last). */
    void remove(Slot<K, V> s) {
      if (--classSlots[s.hash & CELL_MASK] == 0) {
        ArrayAccess.setRelease(cells, cellIndex(s.hash), null);
      }
      Slot<K, V>[] t = table;
      int i = s.hash & (t.length - 1);
      Slot<K, V> p = null;
      Slot<K, V> c = t[i];
      while (c.hash != s.hash) {
        p = c;
        c = c.next;
      }
      if (c != s) {
        c.same = c.same.remove(s.key); // s is in the bucket of the primary c
        if (c.same.isEmpty()) {
          c.same = null;
        }
      } else {
        Slot<K, V> replacement = s.next;
        if (s.same != null) {
          // promote one bucket member to the chain, handing it the rest of the bucket
          Slot<K, V> heir = s.same.iterator().next().getValue();
          CollisionBucket<K, Slot<K, V>> rest = s.same.remove(heir.key);
          heir.same = rest.isEmpty() ? null : rest;
          heir.next = s.next;
          replacement = heir;
          s.same = null;
        }
        if (p == null) {
          t[i] = replacement;
        } else {
          p.next = replacement;
        }
      }
      s.next = null;
      if (--slots < (t.length >>> 3) && t.length > MIN_TABLE) {
        resize(t.length >>> 1);
      }
    }

    @SuppressWarnings({"unchecked", "rawtypes"})
    private void resize(int length) {
      if (length > Sizing.MAX_TABLE) {
        return;
      }
      Slot<K, V>[] old = table;
      Slot<K, V>[] t = new Slot[length];
      for (Slot<K, V> head : old) {
        for (Slot<K, V> s = head, n; s != null; s = n) {
          n = s.next;
          int i = s.hash & (length - 1);
          s.next = t[i];
          t[i] = s;
        }
      }
      table = t;
    }

    void linkHot(Slot<K, V> s) {
      s.lruPrev = null;
      s.lruNext = lruHead;
      if (lruHead != null) {
        lruHead.lruPrev = s;
      } else {
        lruTail = s;
      }
      lruHead = s;
    }

    void unlinkLru(Slot<K, V> s) {
      Slot<K, V> p = s.lruPrev;
      Slot<K, V> n = s.lruNext;
      if (p == null) {
        lruHead = n;
      } else {
        p.lruNext = n;
      }
      if (n == null) {
        lruTail = p;
      } else {
        n.lruPrev = p;
      }
      s.lruPrev = null;
      s.lruNext = null;
    }

    void promote(Slot<K, V> s) {
      if (lruHead != s) {
        unlinkLru(s);
        linkHot(s);
      }
    }

    /** Copies the key/value pairs of the slots that have a value. */
    Object[] copy() {
      synchronized (this) {
        Object[] out = new Object[values * 2];
        int n = 0;
        for (Slot<K, V> head : table) {
          for (Slot<K, V> s = head; s != null; s = s.next) {
            if (s.value != null) {
              out[n++] = s.key;
              out[n++] = s.value;
            }
            if (s.same != null) {
              for (Map.Entry<K, Slot<K, V>> e : s.same) {
                Slot<K, V> m = e.getValue();
                if (m.value != null) {
                  out[n++] = m.key;
                  out[n++] = m.value;
                }
              }
            }
          }
        }
        return out;
      }
    }
  }

  /** The per-key record: the key's lock, its value and its waiters (see the notes). */
  static final class Slot<K, V> {
    final K key;
    final int hash;
    final long seq;
    V value;
    Held<K, V> holder;
    Waiter<K, V> head;
    Waiter<K, V> tail;
    int pins;
    /** Hand-off mode: a waiter waited too long, so releases grant the head directly (no barging). */
    boolean handOff;
    Slot<K, V> next;
    /** On the chain's slot of a hash: the other slots with that hash (null when none). */
    CollisionBucket<K, Slot<K, V>> same;
    Slot<K, V> lruPrev;
    Slot<K, V> lruNext;
    /**
     * The lock word: HELD, QUEUED, SIGNAL, HANDOFF, DEAD bits (see the notes). Written by CAS
     * (LOCK); the flags other than HELD only under the shard lock.
     */
    volatile int lock;

    Slot(K key, int hash, long seq) {
      this.key = key;
      this.hash = hash;
      this.seq = seq;
    }

    int lockWord() {
      return lock;
    }

    boolean casLock(int expected, int update) {
      return LOCK.compareAndSet(this, expected, update);
    }

    void enqueue(Waiter<K, V> h) {
      h.prev = tail;
      if (tail == null) {
        head = h;
      } else {
        tail.next = h;
      }
      tail = h;
    }

    void unlink(Waiter<K, V> h) {
      Waiter<K, V> p = h.prev;
      Waiter<K, V> n = h.next;
      if (p == null) {
        head = n;
      } else {
        p.next = n;
      }
      if (n == null) {
        tail = p;
      } else {
        n.prev = p;
      }
      h.prev = null;
      h.next = null;
    }
  }

  /**
   * An Entry handed to a holder. A request that may wait is a {@link Waiter} (its node in the
   * waiter queue, or an asynchronous request); a plain Held (40 bytes with compressed references
   * instead of 64) is what the fast paths and immediate grants allocate.
   */
  static class Held<K, V> implements dev.atoll.lock.Entry<K, V>, LockRequest<K, V> {
    final AbstractLockMap<K, V> map;
    final K key;
    final int hash;
    /** The owning (and waiting) thread; null for an asynchronous request. */
    final Thread owner;
    /**
     * The key's slot; null while this is a fast holder sitting in its cell. Set once, under the
     * shard lock (at creation, or when the cell adopts the holder); read by the holder without it.
     */
    Slot<K, V> slot;
    /** WAITING, SIGNALLED, GRANTED, ABANDONED or CLOSED; written with release semantics (STATE). */
    int state;
    boolean inBatch;
    /** Made by lockRequest: the LockRequest methods may be used (by the requester only). */
    boolean request;
    /** A request whose poll returned the entry: cancel no longer releases it. */
    boolean delivered;

    /** A new request; a fast holder starts GRANTED (published by the CAS into its cell). */
    Held(AbstractLockMap<K, V> map, K key, int hash, Thread owner) {
      this.map = map;
      this.key = key;
      this.hash = hash;
      this.owner = owner;
      this.state = GRANTED; // plain: a waiter is set to WAITING before its queue is published
    }

    int stateAcquire() {
      return (int) STATE.getAcquire(this);
    }

    /** The slot, read by the holder outside the shard lock (a cell may adopt it meanwhile). */
    @SuppressWarnings("unchecked")
    Slot<K, V> slotAcquire() {
      return (Slot<K, V>) SLOT.getAcquire(this);
    }

    void setSlotRelease(Slot<K, V> s) {
      SLOT.setRelease(this, s);
    }

    void setStateRelease(int s) {
      STATE.setRelease(this, s);
    }

    private void check() {
      if (stateAcquire() != GRANTED) {
        throw new IllegalStateException("entry of key " + key + " is closed");
      }
      if (owner != null && owner != Thread.currentThread()) {
        throw new IllegalStateException("entry of key " + key + " belongs to thread " + owner.getName());
      }
    }

    /** The value; only the holder writes it, so it may read it without the shard lock. */
    private V value() {
      Slot<K, V> s = slotAcquire();
      return s == null ? null : s.value; // a fast holder's key has no value
    }

    @Override
    public K key() {
      return key;
    }

    @Override
    public V get() {
      check();
      return value();
    }

    @Override
    public boolean isPresent() {
      check();
      return value() != null;
    }

    @Override
    public V set(V value) {
      Objects.requireNonNull(value, "value");
      check();
      return map.write(this, value, false);
    }

    @Override
    public boolean insert(V value) {
      Objects.requireNonNull(value, "value");
      check();
      return value() == null && map.write(this, value, true) == null;
    }

    @Override
    public V remove() {
      check();
      return value() == null ? null : map.write(this, null, false);
    }

    @Override
    public void close() {
      check();
      if (inBatch) {
        throw new IllegalStateException("entry of key " + key + " belongs to a batch: close the batch");
      }
      map.release(this);
    }

    void closeInBatch() {
      map.release(this);
    }

    // LockRequest: a plain Held was granted at once; a Waiter overrides the waiting part

    final void checkRequest() {
      if (!request) {
        throw new IllegalStateException("entry of key " + key + " was not made by lockRequest");
      }
    }

    @Override
    public dev.atoll.lock.Entry<K, V> poll() {
      checkRequest();
      return pollState();
    }

    /** The state machine of poll: takes the key if signalled, returns this if held, null to wait. */
    final dev.atoll.lock.Entry<K, V> pollState() {
      while (true) {
        int st = stateAcquire();
        if (st == GRANTED) {
          delivered = true;
          return this;
        }
        if (st == WAITING) {
          return null;
        }
        if (st == SIGNALLED) {
          // the longest waiter, woken because the key was released: take it unless a newcomer
          // has it again (then back to WAITING, still at the head, with the starvation check)
          if (map.retry((Waiter<K, V>) this, true)) {
            delivered = true;
            return this;
          }
          continue; // WAITING again, or signalled or granted again by the settle in retry
        }
        if (st == ABANDONED) {
          throw new IllegalStateException("lock request of key " + key + " was cancelled");
        }
        throw new IllegalStateException("entry of key " + key + " is closed");
      }
    }

    @Override
    public void onReady(Runnable action) {
      Objects.requireNonNull(action, "action");
      checkRequest();
      action.run(); // a plain Held was granted at once: nothing to wait for
    }

    @Override
    public void cancel() {
      checkRequest();
      if (delivered) {
        return;
      }
      if (stateAcquire() == GRANTED) {
        map.release(this);
      }
    }

    @Override
    public String toString() {
      return "Entry[" + key + (stateAcquire() == GRANTED ? "" : ", closed") + "]";
    }
  }

  /**
   * A request that may wait: a thread's queue node, or an asynchronous request (with its future,
   * even when granted at once). Becomes the Entry when granted.
   */
  static final class Waiter<K, V> extends Held<K, V> {
    AsyncLock<K, V> future;
    Waiter<K, V> prev;
    Waiter<K, V> next;
    /** When a waiter was queued (System.nanoTime), for the hand-off decision. */
    long since;
    /**
     * A lockRequest's wake-up (READY): null (no wake-up since the last poll, no action), WOKEN (a
     * wake-up came and no action was pending), the pending action (a Runnable), or CANCELLED.
     */
    Object ready;

    Waiter(AbstractLockMap<K, V> map, K key, int hash, Thread owner) {
      super(map, key, hash, owner);
    }

    /**
     * After unlocking the shard: tells the waiter it was granted the key (a future, a thread) or
     * that it should come and take it (a thread, a lockRequest: SIGNALLED).
     */
    void wake() {
      if (future != null) {
        future.granted();
      } else if (owner != null) {
        LockSupport.unpark(owner);
      } else {
        Object r;
        do {
          r = READY.getVolatile(this);
          if (r == CANCELLED) {
            return;
          }
        } while (!READY.compareAndSet(this, r, WOKEN));
        if (r instanceof Runnable) {
          ((Runnable) r).run();
        }
      }
    }

    @Override
    public dev.atoll.lock.Entry<K, V> poll() {
      checkRequest();
      Object r = READY.getAndSet(this, null); // consume the wake-up before reading the state it announces
      if (r == CANCELLED) {
        READY.setVolatile(this, CANCELLED);
      }
      return pollState();
    }

    @Override
    public void onReady(Runnable action) {
      Objects.requireNonNull(action, "action");
      checkRequest();
      Object r = READY.compareAndExchange(this, (Object) null, (Object) action);
      if (r == null) {
        return; // pending: wake runs it
      }
      if (r == WOKEN) {
        action.run(); // woken since the last poll
        return;
      }
      if (r == CANCELLED) {
        throw new IllegalStateException("lock request of key " + key + " was cancelled");
      }
      throw new IllegalStateException("another action is pending on the lock request of key " + key);
    }

    @Override
    public void cancel() {
      checkRequest();
      if (delivered) {
        return;
      }
      READY.setVolatile(this, CANCELLED); // a pending action is not run by a later wake-up
      if (!map.abandon(this) && stateAcquire() == GRANTED) {
        map.release(this); // the key was granted at the same moment: give it back
      }
    }
  }

  /** Waiter.ready: woken, no action pending. */
  static final Object WOKEN = new Object();
  /** Waiter.ready: the request was cancelled. */
  static final Object CANCELLED = new Object();

  /** The future of an asynchronous lock request; cancel withdraws it (see lockAsync). */
  static final class AsyncLock<K, V> extends CompletableFuture<dev.atoll.lock.Entry<K, V>> {
    final Waiter<K, V> held;

    AsyncLock(Waiter<K, V> held) {
      this.held = held;
    }

    void granted() {
      super.complete(held); // false if cancelled meanwhile: the canceller releases the key
    }

    @Override
    public boolean cancel(boolean mayInterruptIfRunning) {
      if (!super.cancel(mayInterruptIfRunning)) {
        return false;
      }
      withdraw();
      return true;
    }

    @Override
    public boolean completeExceptionally(Throwable ex) {
      if (!super.completeExceptionally(ex)) {
        return false;
      }
      withdraw();
      return true;
    }

    private void withdraw() {
      if (!held.map.abandon(held)) {
        held.map.release(held); // the grant raced with the cancellation: give the key back
      }
    }

    /** Not supported: the future completes only by a grant. */
    @Override
    public boolean complete(dev.atoll.lock.Entry<K, V> value) {
      throw new UnsupportedOperationException("a lock future completes only when the key is granted");
    }

    /** Not supported. */
    @Override
    public void obtrudeValue(dev.atoll.lock.Entry<K, V> value) {
      throw new UnsupportedOperationException();
    }

    /** Not supported. */
    @Override
    public void obtrudeException(Throwable ex) {
      throw new UnsupportedOperationException();
    }
  }

  /** The future of an asynchronous batch: acquires the pinned, sorted slots one by one. */
  static final class BatchAcquisition<K, V> extends CompletableFuture<BatchEntry<K, V>> {
    private final AbstractLockMap<K, V> map;
    private final List<Slot<K, V>> slots;
    private final Held<K, V>[] held;
    private int taken;
    private AsyncLock<K, V> pending;
    private boolean abandoned;
    private boolean finished;

    @SuppressWarnings({"unchecked", "rawtypes"})
    BatchAcquisition(AbstractLockMap<K, V> map, List<Slot<K, V>> slots) {
      this.map = map;
      this.slots = slots;
      this.held = new Held[slots.size()];
    }

    /** Takes keys until one must be waited for (then resumes from its callback) or all are held. */
    void run() {
      while (true) {
        AsyncLock<K, V> f;
        synchronized (this) {
          if (abandoned) {
            return;
          }
          if (taken == held.length) {
            finished = true;
            break;
          }
          f = map.lockPinnedAsync(slots.get(taken));
          pending = f;
        }
        if (!f.isDone()) {
          f.whenComplete((e, ex) -> {
            if (stepDone(f, ex)) {
              run();
            }
          });
          return;
        }
        if (!stepDone(f, f.isCompletedExceptionally() ? new CancellationException() : null)) {
          return;
        }
      }
      map.unpin(slots);
      for (Held<K, V> h : held) {
        h.inBatch = true;
      }
      super.complete(new Batch<>(held, null));
    }

    /** Records a granted step; false if the batch was abandoned (the step is then released). */
    private boolean stepDone(AsyncLock<K, V> f, Throwable ex) {
      if (ex != null) {
        return false; // only a withdrawal fails a step; the withdrawer cleans up
      }
      synchronized (this) {
        if (!abandoned) {
          held[taken++] = f.held;
          pending = null;
          return true;
        }
      }
      map.release(f.held);
      return false;
    }

    @Override
    public boolean cancel(boolean mayInterruptIfRunning) {
      return withdraw(null, mayInterruptIfRunning);
    }

    @Override
    public boolean completeExceptionally(Throwable ex) {
      return withdraw(Objects.requireNonNull(ex), false);
    }

    private boolean withdraw(Throwable ex, boolean mayInterrupt) {
      AsyncLock<K, V> p;
      int n;
      synchronized (this) {
        if (finished || abandoned) {
          return false;
        }
        abandoned = true;
        p = pending;
        n = taken;
      }
      if (ex == null) {
        super.cancel(mayInterrupt);
      } else {
        super.completeExceptionally(ex);
      }
      if (p != null) {
        p.cancel(false); // releases it if it was granted meanwhile
      }
      for (int i = n - 1; i >= 0; i--) {
        map.release(held[i]);
      }
      map.unpin(slots);
      return true;
    }

    /** Not supported: the future completes only when every key is held. */
    @Override
    public boolean complete(BatchEntry<K, V> value) {
      throw new UnsupportedOperationException("a batch future completes only when every key is held");
    }

    /** Not supported. */
    @Override
    public void obtrudeValue(BatchEntry<K, V> value) {
      throw new UnsupportedOperationException();
    }

    /** Not supported. */
    @Override
    public void obtrudeException(Throwable ex) {
      throw new UnsupportedOperationException();
    }
  }

  /** A held batch. */
  static final class Batch<K, V> implements BatchEntry<K, V> {
    private final Held<K, V>[] held;
    private final Thread owner;
    private boolean closed;
    private Map<K, dev.atoll.lock.Entry<K, V>> byKey;

    Batch(Held<K, V>[] held, Thread owner) {
      this.held = held;
      this.owner = owner;
      for (Held<K, V> h : held) {
        h.inBatch = true;
      }
    }

    private void check() {
      if (closed) {
        throw new IllegalStateException("batch is closed");
      }
      if (owner != null && owner != Thread.currentThread()) {
        throw new IllegalStateException("batch belongs to thread " + owner.getName());
      }
    }

    @Override
    public dev.atoll.lock.Entry<K, V> entry(K key) {
      check();
      if (byKey == null) {
        Map<K, dev.atoll.lock.Entry<K, V>> m = new HashMap<>();
        for (Held<K, V> h : held) {
          m.put(h.key, h);
        }
        byKey = m;
      }
      dev.atoll.lock.Entry<K, V> e = byKey.get(key);
      if (e == null) {
        throw new IllegalArgumentException("key " + key + " is not part of this batch");
      }
      return e;
    }

    @Override
    public Set<K> keys() {
      check();
      Set<K> keys = new LinkedHashSet<>();
      for (Held<K, V> h : held) {
        keys.add(h.key);
      }
      return Collections.unmodifiableSet(keys);
    }

    @Override
    public Collection<dev.atoll.lock.Entry<K, V>> entries() {
      check();
      return Collections.unmodifiableList(Arrays.asList(held));
    }

    @Override
    public void close() {
      check();
      closed = true;
      for (int i = held.length - 1; i >= 0; i--) {
        held[i].closeInBatch();
      }
    }
  }

  private static final VarHandle NATURAL_CLASS;
  private static final VarHandle STATE;
  private static final VarHandle SLOT;
  private static final VarHandle LOCK;
  private static final VarHandle READY;

  static {
    try {
      NATURAL_CLASS = MethodHandles.lookup().findVarHandle(AbstractLockMap.class, "naturalClass", Class.class);
      STATE = MethodHandles.lookup().findVarHandle(Held.class, "state", int.class);
      SLOT = MethodHandles.lookup().findVarHandle(Held.class, "slot", Slot.class);
      LOCK = MethodHandles.lookup().findVarHandle(Slot.class, "lock", int.class);
      READY = MethodHandles.lookup().findVarHandle(Waiter.class, "ready", Object.class);
    } catch (ReflectiveOperationException e) {
      throw new ExceptionInInitializerError(e);
    }
  }
}
