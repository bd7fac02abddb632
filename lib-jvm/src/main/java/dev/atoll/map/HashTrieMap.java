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
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.Arrays;
import java.util.Collection;
import java.util.Iterator;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.Objects;
import java.util.Set;
import java.util.function.BiConsumer;
import java.util.function.BiFunction;
import java.util.function.Function;
import java.util.function.ToIntFunction;

/**
 * A lock-free concurrent hash map with constant-time consistent snapshots: a concurrent hash array
 * mapped trie (a "Ctrie", after Prokopec, Bronson, Bagwell and Odersky, <i>Concurrent Tries with
 * Efficient Non-Blocking Snapshots</i>, PPoPP 2012).
 *
 * <p>Any number of threads may read and write at once; no operation takes a lock, and a thread
 * that stalls in the middle of an update never blocks the others. Keys and values must not be
 * null ({@link NullPointerException}).
 *
 * <h2>Snapshots and linearizable iteration</h2>
 * {@link #snapshot()} returns a new, independent, mutable {@code HashTrieMap} holding exactly the
 * entries present at one instant, and {@link #readOnlySnapshot()} a read-only one; both take
 * constant time whatever the size of the map (the trie is shared and copied lazily, path by path,
 * by the first writes after the snapshot). Later writes to the original never show in a snapshot,
 * and writes to a mutable snapshot never show in the original.
 *
 * <p>Iteration over this map and its {@linkplain #entrySet() views}, {@link #size()},
 * {@link #forEach}, {@link #containsValue}, {@link #equals}, {@link #hashCode} and
 * {@link #toString} all run on a read-only snapshot taken when they start. Iterators are therefore
 * <em>linearizable</em>: an iterator returns exactly the entries of the map at one instant, never a
 * mix of states, unlike the weakly consistent iterators of {@link
 * java.util.concurrent.ConcurrentHashMap}. {@code Iterator.remove()} removes the last returned key
 * from this map (not from the snapshot), and {@code Map.Entry.setValue} writes through to this map
 * (the entry's own value then changes too); {@code entrySet().add} is not supported.
 *
 * <p><b>Costs.</b> {@code get}, {@code put}, {@code remove} and the other single-key operations
 * take O(log<sub>64</sub> n) steps; {@code get} allocates nothing (but for the lookup cache,
 * at most 18 KB made in 64 small parts once the trie has three levels, and again after each
 * snapshot or {@code clear}). Taking a
 * snapshot is O(1), but it makes the next writes on each path copy that path's branch nodes
 * (129 references per level), once per snapshot. {@link #size()} counts the entries of a
 * snapshot and is therefore O(n) (a read-only snapshot caches its size after the first call);
 * {@link #isEmpty()} is O(1) in the usual case.
 *
 * <h2>Hashing</h2>
 * By default keys are hashed with {@link Object#hashCode()} spread by a random per-instance seed
 * (so that an attacker cannot precompute colliding keys for a layout). An application may supply
 * its own {@link ToIntFunction} hash function instead ({@link #HashTrieMap(ToIntFunction)}), which
 * must be consistent with {@code equals}; it is used as given, so its quality decides how deep the
 * trie grows. Keys with equal hashes are kept in an ordered collision bucket: 100,000 keys with one
 * hash code still take O(log n) per operation when the keys are {@link Comparable}.
 *
 * <h2>Memory consistency effects</h2>
 * As with other concurrent collections, actions in a thread prior to placing an object into a
 * {@code HashTrieMap} as a key or value <i>happen-before</i> actions subsequent to the access or
 * removal of that object from the map in another thread. Actions prior to a write that a snapshot
 * contains happen-before the reads of that snapshot; a snapshot shares no mutable state with the
 * map it was taken from except the nodes it reads, which are never modified after the snapshot.
 *
 * @param <K> the type of keys
 * @param <V> the type of values
 */
public final class HashTrieMap<K, V> extends OptimisticComputeMap<K, V> {
  /*
   * Implementation notes
   * ====================
   *
   * Data layout. The map is a trie over the 32-bit hash, 6 bits per level (level = bit offset
   * 0, 6, ..., 30; the last level uses the top 2 bits):
   *
   *   root ──► INode ──main──► Object[] branch: [gcas state, k0, v0, k1, v1, ..., k63, v63]
   *                     or ──► TNode { one entry }         (a "tomb": an INode about to be removed)
   *                     or ──► LNode { bucket }            (keys whose full 32-bit hashes are equal)
   *
   * - INode (indirection node): the only mutable node. Its `main` pointer is changed with GCAS;
   *   its `gen` is the generation (snapshot epoch) the INode belongs to.
   * - Branch: the main node is the array itself, with no node object around it and no bitmap:
   *   slot 0 is the GCAS state (what `prev` is for the other main nodes), and child i (the 6-bit
   *   index i) always takes the slot pair 1 + 2i, 2 + 2i (BRANCH_LENGTH = 129 references, 532
   *   bytes with compressed oops). Immutable once published, but for slot 0. A pair is one of:
   *     [null, null]           empty.
   *     [null, INode]          a subtrie one level down (SUBTRIE is null: keys are never null).
   *     [int[] hs, Object[] kv] a leaf bucket: kv holds hs.length entries as key, value pairs, hs
   *                            their full 32-bit hashes; 2..BUCKET_MAX entries, all agreeing on
   *                            the hash bits of this level and the levels above. (A key that is
   *                            itself an int[] is always stored as a one-entry bucket, so that a
   *                            leaf key is never an int[].)
   *     [key, value]           a leaf: one entry, stored flat (no leaf object, no stored hash).
   *   Leaves and buckets are values inside the immutable branch, so writing one copies the branch
   *   (GCAS on its INode), exactly like any other change of it. Adding a key where a leaf of
   *   another key sits turns the slot into a bucket of the two (the leaf's hash is computed again
   *   then); a bucket that would exceed BUCKET_MAX becomes a subtrie built from its entries and
   *   stored hashes (build()). Removing from a bucket of two leaves a plain leaf.
   *
   *   Why this layout (the lookup is a chain of dependent loads, each a likely cache miss on a big
   *   map): the earlier layout, INode -> CNode {bitmap, array} -> array, 32-way, cost three
   *   dependent loads per level and four levels at 1M keys (12, plus the keys compared in a
   *   bucket: each compared key is one more miss when the probe is an equal but not identical
   *   instance). Now a level costs two (INode, then the branch, whose slot 0 and child slot are
   *   both addressed from the branch pointer, so they miss in parallel), and 64-way levels put 1M
   *   random keys in buckets under the third level; a bucket costs one more step (its hashes and
   *   entries, loaded in parallel), then one key load for the entry whose stored hash matches.
   *   Full-width branches cost memory only where they are sparse: at 1M keys the upper two
   *   levels are full and the memory is mostly buckets (the structure stays well under Scala
   *   TrieMap's bytes per entry; see benchmarks' Footprint).
   * - TNode (tomb): immutable; the main node of an INode whose branch contracted to a single
   *   entry (not at the root). A tombed INode is final: writers that meet it first "clean" the
   *   parent (replace the INode's slot pair by the tomb's entry) and restart. Readers treat the
   *   tomb's entry as present, which it is.
   * - LNode (collision list): immutable; only below level 30, where all 32 hash bits are used up.
   *   It holds a persistent CollisionBucket (AVL for Comparable keys), at least two entries; a
   *   removal that leaves one entry produces a TNode instead. (Up to BUCKET_MAX keys with equal
   *   hashes fit in a bucket at any level; only more of them reach an LNode.)
   * - FailedNode: never a main node; the GCAS state of a proposal that was aborted.
   *
   * States of a main node m (its GCAS state: slot 0 of a branch, `prev` of a TNode or LNode; read
   * with acquire, or opaque on gcasRead's and lookup's fast path; see gcasRead):
   *   state == null             committed: m is the INode's value.
   *   state == some main node p proposed by GCAS(in, p, m); not decided yet. Any thread that
   *                             reads it completes the decision (gcasComplete): commit (state :=
   *                             null) if the map's root still has the INode's generation and the
   *                             map is writable, else abort (state := FailedNode(p)).
   *   state == FailedNode(p)    aborted; any thread that sees it CASes in.main back from m to p.
   * The CAS on m's state (null or FailedNode) is the decision, so every thread and every snapshot
   * agree on the outcome. A branch copy starts with a null state (copyOf()) and gets its proposal
   * state written by gcas before it is published.
   *
   * GCAS (generation compare-and-swap, gcas()): set n's state = old, CAS in.main old -> n, then
   * complete. A proposal commits only if the INode's generation equals the root's generation at
   * decision time. Taking a snapshot changes the root's generation, so no write can ever commit
   * on an INode that a snapshot shares: shared INodes are frozen, and the map and the snapshot
   * each copy ("renew") INodes into their own generation before writing below them. Writers
   * renew lazily on the way down, one child at a time (renewedAt()): a writer that is about to
   * descend from INode `in` (of the current generation) into a child INode of an older
   * generation GCASes in's branch to a copy in which only that child is replaced by a new INode
   * of the current generation with the same committed main node, then descends into the copy.
   * Other children, of whatever generation, are kept as they are: children already of the
   * current generation must be, since writes may be committing on them; stale siblings are
   * renewed by the writer that first descends into them. So the first write after a snapshot
   * costs one branch copy per level and reads one child main node per level, whatever the size
   * of the map. Readers never renew. A branch may therefore hold INodes of several generations
   * (unlike Scala's TrieMap, branches carry no generation of their own), and a write that does
   * not descend (changing a leaf or bucket, splitting a bucket, merging a tomb) keeps the
   * generations of the other children; only the INode that is about to be written must have the
   * root's generation. Leaves and buckets need no renewal: they are immutable values.
   *
   * Lookup cache (after Prokopec's cache-tries, reduced to what snapshots allow): 4096 slots for
   * the INodes of level CACHE_LEVEL = 12 (the third level), indexed by the low 12 hash bits, i.e.
   * by the path from the root. They are held in two levels, as the trie's top two levels are: an
   * outer array of 64 chunks by hash bits 0-5, each chunk 64 slots by bits 6-11, a chunk made on
   * its first use (CAS null -> chunk; never replaced). So dropping the cache (a snapshot) costs
   * one field write, and the first write after a snapshot makes a 64-slot outer array and one
   * chunk (about 550 bytes), not a 16 KB array (with one flat array, snapshot() plus one write
   * allocated 18.3 KB at 1M entries against 1.4 KB at 10k). The outer array and the chunks are
   * small and hot, so the extra load is a cache hit. A lookup that descends through such an
   * INode of the root's generation puts it there (remember(); release store, read with acquire);
   * get() then starts at the cached INode and skips the top two levels (four dependent loads).
   * An entry is used only if its generation is the root's (read at the start of get) and its
   * committed main node is a branch. That is enough: an INode of the root's generation leaves
   * the trie only by becoming a tomb (final) or by the root being replaced (a new generation),
   * since renewal replaces only INodes of older generations; if a snapshot is taken between the
   * root read and the read of the cached INode's main node, that INode is frozen from then on, so
   * the lookup returns the state at the snapshot, inside its own interval. A failed check drops
   * the entry (CAS to null), and snapshot()/readOnlySnapshot()/clear() drop the whole cache after
   * replacing the root; remember() takes its entry back if the root changed meanwhile. So the
   * cache never keeps INodes of an older generation (which would keep removed entries or a
   * dropped snapshot's nodes reachable); at most a tombed INode stays until the next lookup on
   * its path. After a snapshot the cache refills where writers have renewed paths (readers never
   * renew); a writer's descent from the root remembers the level-12 INode it passes, as a lookup
   * does.
   *
   * Writers start at the cache too (cachedForWrite(): the same generation check, root read
   * first), which skips the top two levels of the descent, and pass no parent for the cached
   * INode x. That is safe by the same argument: x, of the root's generation, is in the trie
   * unless it is a tomb; a write below x commits only by a GCAS whose decision finds the root
   * still of x's generation (else it aborts and the write restarts from the root), and a
   * conditional write that fails reads x's main node (or a node below it) at an instant at which
   * x was in the trie or frozen by a snapshot taken inside the operation's interval. The parent
   * chain is needed only in two cases, both rare:
   *   - x's main node is a tomb (a writer would clean x's parent): the writer drops x from the
   *     cache and restarts from the root, whose descent cleans it (as any writer that meets a
   *     tomb does).
   *   - a removal that started at x leaves x itself a tomb (x's branch contracted to one entry):
   *     the remover drops x from the cache and walks down from the root to x's parent
   *     (cleanAbove()), merges the tomb there, and on the way back up merges each ancestor that
   *     contracted in turn, as a removal from the root does on its way back up. If the path has
   *     changed meanwhile (someone else merged it) or the root's generation has (a snapshot), it
   *     stops; the tomb is then merged by the next writer that meets it.
   * Any restart of a write that started at the cache goes from the root.
   *
   * Dependent loads of get() on 1M random keys: before this layout, 3 per level (INode, CNode,
   * array) on 4 levels, then ~60% of keys in buckets whose keys were compared with equals one
   * by one: about 13-15. Now, through the cache: cache slot (behind its chunk, both usually in
   * the CPU cache), INode, branch, bucket hashes and entries (together), one key: 5 (the root's
   * generation is read in parallel); without the cache
   * (small tries, or right after a snapshot) 2 per level on 3 levels, then the bucket and the
   * key: 8.
   *
   * RDCSS on the root (rdcssRoot()): a snapshot or clear() replaces the root INode only if the
   * root INode's main node is still the one it read: it installs a RootDescriptor(old root,
   * expected main, new root), then any thread decides it by CAS on the descriptor's `state`
   * (committed iff old.main is still `expected`; aborted by a GCAS that needs the root) and swings
   * `root` to the new or the old INode. A decided descriptor never stays in `root` for long:
   * every root read completes it.
   *
   * Invariants: the root INode's main is always a branch (never a tomb: contraction is skipped
   * at level 0). Every INode reachable from a map's root, traversed by a writer, has the root's
   * generation or is renewed before it is written. A bucket holds 2..BUCKET_MAX distinct keys
   * (or one int[] key). Below the root a branch normally has >= 2 entries, or one bucket or
   * INode child; a branch left with a single entry by a removal or cleanup is contracted into a
   * TNode (contracted()), which the next writer on that path (or the remover itself, on its way
   * back up, or from the root by cleanAbove() if it started at the cache) merges into the
   * parent. So removals shrink the trie back (mass removal ends with an empty root branch; see
   * slotCount()). An INode of the root's generation leaves the trie only
   * by becoming a tomb (final) or when the root itself is replaced (a new generation): renewal
   * replaces only INodes of older generations.
   *
   * Linearization points:
   *   get/containsKey: the acquire read of the main node that holds the key's slot (or of the
   *     committed node behind a pending proposal, decided by gcasComplete).
   *   put/putIfAbsent/replace/remove (all conditional forms): the commit CAS of the GCAS that
   *     installs the new main node (m's state: proposal -> null). A conditional operation whose
   *     condition fails linearizes at the read of the main node it examined (for a write that
   *     started at the lookup cache, see above why that node was current or frozen then).
   *   compute/computeIfAbsent/computeIfPresent/merge/replaceAll: built from get plus a conditional
   *     write that requires the value read to be still the same instance; a failed write retries
   *     with a fresh read, so the function may run more than once.
   *   snapshot/readOnlySnapshot/clear: the CAS on the RootDescriptor's state to COMMITTED.
   *   size/iteration/equals/...: the snapshot they take.
   *
   * Progress: every CAS failure means another thread made progress (a committed write, a decided
   * proposal, a renewal, a cleanup). There is no resize: the trie grows and shrinks one node at
   * a time, so there is nothing that has to "finish".
   *
   * Memory reclamation: nodes are immutable except INode.main, the GCAS state of main nodes and
   * the root; a replaced node becomes garbage when no snapshot or in-flight operation references
   * it (the JVM's GC does the rest). A proposal's state is cleared on commit, so old values are
   * not retained through chains of previous main nodes. Iterators drop their snapshot when exhausted; the map keeps no
   * reference to snapshots it took for iteration or size().
   */

  /** Bits of hash per trie level. */
  private static final int BITS = 6;
  /** Children per branch. */
  private static final int WIDTH = 1 << BITS;
  /** Mask for one level's index. */
  private static final int MASK = WIDTH - 1;
  /** The deepest level that still has hash bits; below it equal hashes go to an LNode. */
  private static final int LAST_LEVEL = 30;
  /** Maximum number of branches on a path: levels 0, 6, ..., 30. */
  private static final int MAX_DEPTH = LAST_LEVEL / BITS + 1;
  /** The index of a branch's GCAS state; child i takes the slot pair 1 + 2i, 2 + 2i. */
  private static final int PREV_SLOT = 0;
  /** The length of a branch array: the GCAS state, then a key slot and a value slot per child. */
  private static final int BRANCH_LENGTH = 1 + 2 * WIDTH;

  /** The level of the INodes the lookup cache holds: the third level (two levels skipped). */
  private static final int CACHE_LEVEL = 2 * BITS;
  /**
   * The lookup cache is an outer array of chunks, one per root slot (hash bits 0-5), and a chunk
   * has one INode slot per second-level slot (hash bits 6-11): WIDTH * WIDTH = 4096 slots in all.
   */
  private static final int CHUNK_MASK = WIDTH - 1;

  /** Returned by the recursive update procedures: the attempt must start again from the root. */
  private static final Object RESTART = new Object();

  /**
   * The key slot of a slot pair whose value slot holds a subtrie (an INode), or whose value slot
   * is null too (an empty slot). Keys are never null, so null marks both (a null check is the
   * cheapest test on the lookup path).
   */
  private static final Object SUBTRIE = null;

  /**
   * The most entries a leaf bucket holds; one more splits it into a subtrie one level down. A
   * bucket is the slot pair {@code [int[] hashes, Object[] {k, v, k, v, ..}]}.
   */
  private static final int BUCKET_MAX = 8;

  /** An {@link INode} (the normal case) or a {@link RootDescriptor} being decided. */
  private volatile Object root;
  /** The application's hash function, or null for the default seeded spread of hashCode. */
  private final ToIntFunction<? super K> hasher;
  private final int seed;
  private final boolean readOnly;
  /** Read-only maps only: the entry count once computed, else -1. */
  private volatile int cachedSize = -1;
  /**
   * The lookup cache (see the notes): null until a lookup first reaches level CACHE_LEVEL, then
   * WIDTH chunks (null until first used), each WIDTH INodes of that level or null slots, by hash
   * prefix. Dropped when the root changes.
   */
  private volatile Object[] lookupCache;

  /** Creates an empty map that hashes keys with their {@code hashCode()}, spread by a random seed. */
  public HashTrieMap() {
    this(new INode(emptyBranch(), new Gen()), null, Hashing.newSeed(), false);
  }

  /**
   * Creates an empty map that hashes keys with {@code hasher}, which must be consistent with the
   * keys' {@code equals} (equal keys, equal hashes). The function is applied to keys passed to
   * any operation, including {@code get} and {@code containsKey} (so a key of the wrong type may
   * cause a {@link ClassCastException} there), and again to a stored key when the trie moves it
   * one level down (hashes are not stored); its result is used as is.
   *
   * @param hasher the hash function
   * @throws NullPointerException if {@code hasher} is null
   */
  public HashTrieMap(ToIntFunction<? super K> hasher) {
    this(new INode(emptyBranch(), new Gen()), Objects.requireNonNull(hasher, "hasher"), 0, false);
  }

  private HashTrieMap(INode root, ToIntFunction<? super K> hasher, int seed, boolean readOnly) {
    this.root = root;
    this.hasher = hasher;
    this.seed = seed;
    this.readOnly = readOnly;
  }

  // ================================================================== snapshots

  /**
   * Returns an independent, mutable map holding exactly the entries of this map at the moment of
   * the call, in constant time. Later writes to this map do not affect the snapshot and writes to
   * the snapshot do not affect this map. The snapshot uses the same hash function (and seed).
   *
   * <p>Memory consistency effects: actions before the writes that the snapshot contains
   * happen-before reads of the snapshot.
   *
   * @return a new mutable map with this map's current entries
   */
  public HashTrieMap<K, V> snapshot() {
    if (readOnly) {
      return new HashTrieMap<>(new INode(gcasRead(readRoot(false)), new Gen()), hasher, seed, false);
    }
    while (true) {
      INode r = readRoot(false);
      Object main = gcasRead(r);
      if (rdcssRoot(r, main, new INode(main, new Gen()))) {
        lookupCache = null; // its INodes are of the old generation now
        return new HashTrieMap<>(new INode(main, new Gen()), hasher, seed, false);
      }
    }
  }

  /**
   * Returns a read-only view of this map's entries at the moment of the call, in constant time.
   * The view never changes; its mutators ({@code put}, {@code remove}, {@code clear}, view and
   * iterator removal, {@code Entry.setValue}, ...) throw {@link UnsupportedOperationException}.
   * Its {@code size()} is computed once, then cached.
   *
   * <p>Memory consistency effects: as for {@link #snapshot()}.
   *
   * @return an immutable map with this map's current entries ({@code this} if this map is itself
   *     a read-only snapshot)
   */
  public Map<K, V> readOnlySnapshot() {
    return frozen();
  }

  /** A read-only snapshot as its class, for internal iteration. */
  private HashTrieMap<K, V> frozen() {
    if (readOnly) {
      return this;
    }
    while (true) {
      INode r = readRoot(false);
      Object main = gcasRead(r);
      if (rdcssRoot(r, main, new INode(main, new Gen()))) {
        lookupCache = null; // its INodes are of the old generation now
        return new HashTrieMap<>(new INode(main, new Gen()), hasher, seed, true);
      }
    }
  }

  // ================================================================== queries

  /**
   * Returns the value mapped to {@code key}, or null. Allocates nothing but the lookup cache (see
   * the class notes on costs).
   *
   * @throws NullPointerException if {@code key} is null
   */
  @Override
  @SuppressWarnings("unchecked")
  public V get(Object key) {
    int h = hash(key);
    INode r = readRoot(false);
    Object[] c = cacheChunk(h);
    if (c != null) {
      int ci = (h >>> BITS) & CHUNK_MASK;
      INode x = (INode) ArrayAccess.getAcquire(c, ci);
      if (x != null) {
        Object m = mainAcquire(x);
        if (x.gen == r.gen && m instanceof Object[]) {
          Object[] a = (Object[]) m;
          if (prevOpaque(a) == null) {
            // the usual case inline: a leaf or bucket in the cached branch
            int i = slotOf(h, CACHE_LEVEL);
            Object k = a[i];
            if (k instanceof int[]) {
              return (V) inBucket((int[]) k, (Object[]) a[i + 1], key, h);
            }
            if (k != SUBTRIE) {
              return key == k || key.equals(k) ? (V) a[i + 1] : null;
            }
            return (V) lookup(x, a, CACHE_LEVEL, key, h, r.gen);
          }
        } else {
          ArrayAccess.cas(c, ci, x, null); // a tomb, or of an old generation: forget it
        }
      }
    }
    return (V) lookup(r, null, 0, key, h, r.gen);
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
   * Returns true if some entry has this value (by {@code equals}), searching a snapshot: O(n).
   *
   * @throws NullPointerException if {@code value} is null
   */
  @Override
  public boolean containsValue(Object value) {
    Objects.requireNonNull(value, "value");
    for (Cursor c = cursor(); c.key != null; c.advance()) {
      if (value.equals(c.value)) {
        return true;
      }
    }
    return false;
  }

  /**
   * Returns the number of entries, counted on a read-only snapshot: exact at one instant, O(n)
   * (O(1) after the first call on a read-only snapshot). Saturates at {@link Integer#MAX_VALUE}.
   */
  @Override
  public int size() {
    if (!readOnly) {
      return frozen().size();
    }
    int s = cachedSize;
    if (s < 0) {
      long n = count(gcasRead(readRoot(false)));
      s = (int) Math.min(n, Integer.MAX_VALUE);
      cachedSize = s;
    }
    return s;
  }

  /**
   * Returns true if the map has no entries at this instant. A non-empty map answers after walking
   * one path (an entry found in a committed node proves the map non-empty at the read of that
   * node); "empty" is confirmed on a read-only snapshot, which is small after contraction.
   */
  @Override
  public boolean isEmpty() {
    return !hasEntry(gcasRead(readRoot(false))) && cursor().key == null;
  }
  /**
   * Calls {@code action} for each entry of a read-only snapshot taken at the start.
   *
   * @throws NullPointerException if {@code action} is null
   */
  @Override
  @SuppressWarnings("unchecked")
  public void forEach(BiConsumer<? super K, ? super V> action) {
    Objects.requireNonNull(action, "action");
    for (Cursor c = cursor(); c.key != null; c.advance()) {
      action.accept((K) c.key, (V) c.value);
    }
  }

  // ================================================================== updates

  /**
   * Maps {@code key} to {@code value}; returns the previous value or null.
   *
   * @throws NullPointerException if the key or value is null
   * @throws UnsupportedOperationException on a read-only snapshot
   */
  @Override
  @SuppressWarnings("unchecked")
  public V put(K key, V value) {
    checkWritable();
    return (V) insert(key, Objects.requireNonNull(value, "value"), ANY, null);
  }

  /**
   * Maps {@code key} to {@code value} unless the key is present; returns the current value, or
   * null if the value was added.
   *
   * @throws NullPointerException if the key or value is null
   * @throws UnsupportedOperationException on a read-only snapshot
   */
  @Override
  @SuppressWarnings("unchecked")
  public V putIfAbsent(K key, V value) {
    checkWritable();
    return (V) insert(key, Objects.requireNonNull(value, "value"), ABSENT, null);
  }

  /**
   * Replaces the value of a present key; returns the previous value, or null (and nothing changes)
   * if the key is absent.
   *
   * @throws NullPointerException if the key or value is null
   * @throws UnsupportedOperationException on a read-only snapshot
   */
  @Override
  @SuppressWarnings("unchecked")
  public V replace(K key, V value) {
    checkWritable();
    return (V) insert(key, Objects.requireNonNull(value, "value"), PRESENT, null);
  }

  /**
   * Replaces the value of {@code key} with {@code newValue} if it currently equals
   * {@code oldValue}.
   *
   * @throws NullPointerException if any argument is null
   * @throws UnsupportedOperationException on a read-only snapshot
   */
  @Override
  public boolean replace(K key, V oldValue, V newValue) {
    checkWritable();
    Objects.requireNonNull(oldValue, "oldValue");
    Objects.requireNonNull(newValue, "newValue");
    return holds(EQUAL, oldValue, insert(key, newValue, EQUAL, oldValue));
  }

  /**
   * Removes {@code key}; returns its previous value or null.
   *
   * @throws NullPointerException if the key is null
   * @throws UnsupportedOperationException on a read-only snapshot
   */
  @Override
  @SuppressWarnings("unchecked")
  public V remove(Object key) {
    checkWritable();
    return (V) delete(key, ANY, null);
  }

  /**
   * Removes {@code key} if its value currently equals {@code value}.
   *
   * @throws NullPointerException if the key or value is null
   * @throws UnsupportedOperationException on a read-only snapshot
   */
  @Override
  public boolean remove(Object key, Object value) {
    checkWritable();
    Objects.requireNonNull(value, "value");
    return holds(EQUAL, value, delete(key, EQUAL, value));
  }

  /**
   * Removes every entry, atomically and in constant time (the map switches to a new empty trie).
   *
   * @throws UnsupportedOperationException on a read-only snapshot
   */
  @Override
  public void clear() {
    checkWritable();
    while (true) {
      INode r = readRoot(false);
      if (rdcssRoot(r, gcasRead(r), new INode(emptyBranch(), new Gen()))) {
        lookupCache = null;
        return;
      }
    }
  }

  /**
   * {@inheritDoc}
   *
   * @throws NullPointerException {@inheritDoc}
   * @throws UnsupportedOperationException on a read-only snapshot
   */
  @Override
  public V computeIfAbsent(K key, Function<? super K, ? extends V> mappingFunction) {
    checkWritable();
    return super.computeIfAbsent(key, mappingFunction);
  }

  /**
   * {@inheritDoc}
   *
   * @throws NullPointerException {@inheritDoc}
   * @throws UnsupportedOperationException on a read-only snapshot
   */
  @Override
  public V computeIfPresent(K key, BiFunction<? super K, ? super V, ? extends V> remappingFunction) {
    checkWritable();
    return super.computeIfPresent(key, remappingFunction);
  }

  /**
   * {@inheritDoc}
   *
   * @throws NullPointerException {@inheritDoc}
   * @throws UnsupportedOperationException on a read-only snapshot
   */
  @Override
  public V compute(K key, BiFunction<? super K, ? super V, ? extends V> remappingFunction) {
    checkWritable();
    return super.compute(key, remappingFunction);
  }

  /**
   * {@inheritDoc}
   *
   * @throws NullPointerException {@inheritDoc}
   * @throws UnsupportedOperationException on a read-only snapshot
   */
  @Override
  public V merge(K key, V value, BiFunction<? super V, ? super V, ? extends V> remappingFunction) {
    checkWritable();
    return super.merge(key, value, remappingFunction);
  }

  /**
   * Replaces each value with {@code function(key, value)}, entry by entry, over the entries of a
   * snapshot taken at the start; an entry changed or removed concurrently is recomputed from its
   * current value (or skipped if removed), so the function may run more than once per key.
   *
   * @throws NullPointerException if the function is null or returns null
   * @throws UnsupportedOperationException on a read-only snapshot
   */
  @Override
  public void replaceAll(BiFunction<? super K, ? super V, ? extends V> function) {
    checkWritable();
    super.replaceAll(function); // over forEach, which runs on a snapshot
  }

  /**
   * The conditional write of the function-taking methods, which {@link OptimisticComputeMap} writes
   * once for every map (the overrides above only add the read-only check first): {@code next}
   * (null: removes) if {@code key} still maps to {@code old} (null: absent).
   */
  @Override
  boolean commit(K key, V old, V next) {
    if (old == null) {
      return next == null || insert(key, next, ABSENT, null) == null;
    }
    if (next == null) {
      return delete(key, SAME, old) == old;
    }
    return insert(key, next, SAME, old) == old;
  }

  // ================================================================== views and Object methods

  /**
   * A set view of the keys. Its iterator runs on a snapshot taken when it is created (see the
   * class notes) and its {@code remove} removes from this map; the set does not support
   * {@code add}.
   */
  @Override
  public Set<K> keySet() {
    return keyView();
  }

  /**
   * A collection view of the values. Its iterator runs on a snapshot taken when it is created and
   * its {@code remove} removes the entry from this map; the collection does not support
   * {@code add}.
   */
  @Override
  public Collection<V> values() {
    return valueView();
  }

  /**
   * A set view of the entries. Its iterator runs on a snapshot taken when it is created; its
   * {@code remove} removes from this map and {@code Entry.setValue} writes through to this map.
   * {@code add} is not supported.
   */
  @Override
  public Set<Map.Entry<K, V>> entrySet() {
    return entryView();
  }

  /** Compares with another map as {@link Map#equals} specifies, using one snapshot of this map. */
  @Override
  public boolean equals(Object o) {
    if (o == this) {
      return true;
    }
    if (!(o instanceof Map)) {
      return false;
    }
    Map<?, ?> other = (Map<?, ?>) o;
    long n = 0;
    try {
      for (Cursor c = cursor(); c.key != null; c.advance()) {
        n++;
        if (!c.value.equals(other.get(c.key))) {
          return false;
        }
      }
    } catch (ClassCastException | NullPointerException e) {
      return false;
    }
    return n == other.size();
  }

  /** The hash code {@link Map#hashCode} specifies, computed on one snapshot. */
  @Override
  public int hashCode() {
    int h = 0;
    for (Cursor c = cursor(); c.key != null; c.advance()) {
      h += c.key.hashCode() ^ c.value.hashCode();
    }
    return h;
  }

  /** The entries of one snapshot as {@code {k1=v1, k2=v2}}, in no particular order. */
  @Override
  public String toString() {
    StringBuilder sb = new StringBuilder("{");
    for (Cursor c = cursor(); c.key != null; c.advance()) {
      if (sb.length() > 1) {
        sb.append(", ");
      }
      sb.append(c.key == this ? "(this Map)" : c.key).append('=').append(c.value == this ? "(this Map)" : c.value);
    }
    return sb.append('}').toString();
  }

  // ================================================================== package-private probes

  /**
   * The number of child slots of all branch nodes plus the entries of collision lists, on a
   * snapshot: the trie's footprint, for tests (it grows with the entries and must shrink back
   * after mass removal).
   */
  long slotCount() {
    return slots(frozen().rootMain());
  }

  /** The number of levels of branch nodes on the deepest path of a snapshot (1 for a flat trie). */
  int depth() {
    return depthOf(frozen().rootMain());
  }

  /**
   * The number of lookup-cache chunks made since the cache was last dropped, or -1 if there is no
   * cache: for tests (a snapshot must not make the next write rebuild the whole cache).
   */
  int cacheChunks() {
    Object[] outer = lookupCache;
    if (outer == null) {
      return -1;
    }
    int n = 0;
    for (Object chunk : outer) {
      n += chunk == null ? 0 : 1;
    }
    return n;
  }

  private Object rootMain() {
    return gcasRead(readRoot(false));
  }

  // ================================================================== lookup, insert, delete

  private int hash(Object key) {
    ToIntFunction<? super K> h = hasher;
    if (h == null) {
      return Hashing.spread(key, seed); // key.hashCode(): NullPointerException for a null key
    }
    @SuppressWarnings("unchecked")
    K k = (K) Objects.requireNonNull(key, "key");
    return h.applyAsInt(k);
  }

  /** The array index of the key slot of {@code h}'s child in a branch at level {@code lev}. */
  private static int slotOf(int h, int lev) {
    return 1 + (((h >>> lev) & MASK) << 1);
  }

  /**
   * Read-only lookup: walks down without renewing or cleaning anything; a tomb's entry counts as
   * present. Only a pending GCAS proposal on a visited INode makes it help (gcasComplete).
   * Allocation-free. Per level it loads two objects: the INode (its {@code main}) and the branch
   * array (its GCAS state in slot 0, then the child's slot pair, usually on another cache line
   * but at an address known without waiting for slot 0). At the end it loads the leaf's key, or a
   * bucket's hashes and entries (independent of each other) and then only the key whose stored
   * hash equals {@code h}.
   */
  private Object lookup(INode in, Object[] main, int level, Object key, int h, Gen gen) {
    Object[] a = main;
    int lev = level;
    while (true) {
      if (a == null) {
        Object m = mainAcquire(in);
        if (!(m instanceof Object[]) || prevOpaque((Object[]) m) != null) {
          m = gcasRead(in);
          if (!(m instanceof Object[])) {
            return lookupIn(m, key);
          }
        }
        a = (Object[]) m;
        if (lev == CACHE_LEVEL && in.gen == gen) {
          remember(in, h, gen);
        }
      }
      int i = slotOf(h, lev);
      Object k = a[i];
      if (k == SUBTRIE) {
        Object v = a[i + 1];
        if (v == null) {
          return null; // an empty slot
        }
        in = (INode) v;
        lev += BITS;
        a = null;
      } else if (k instanceof int[]) {
        return inBucket((int[]) k, (Object[]) a[i + 1], key, h);
      } else {
        return key == k || key.equals(k) ? a[i + 1] : null;
      }
    }
  }

  /**
   * Puts {@code in}, an INode of level CACHE_LEVEL on the path of {@code h} and of the root's
   * generation {@code gen}, into the lookup cache (creating the cache on first use). If the root
   * changed meanwhile (a snapshot or clear() dropped the cache), the entry is taken back, so the
   * cache never keeps an INode of an older generation (which could hold entries removed since).
   */
  private void remember(INode in, int h, Gen gen) {
    Object[] outer = lookupCache;
    if (outer == null) {
      outer = new Object[WIDTH];
      if (!LOOKUP_CACHE.compareAndSet(this, null, outer)) {
        outer = lookupCache;
        if (outer == null) {
          return;
        }
      }
    }
    int oi = h & CHUNK_MASK;
    Object[] c = (Object[]) ArrayAccess.getAcquire(outer, oi);
    if (c == null) {
      Object[] fresh = new Object[WIDTH];
      c = (Object[]) ArrayAccess.cax(outer, oi, null, fresh);
      if (c == null) {
        c = fresh;
      }
    }
    int ci = (h >>> BITS) & CHUNK_MASK;
    if (c[ci] != in) {
      ArrayAccess.setRelease(c, ci, in);
      if (readRoot(false).gen != gen) {
        ArrayAccess.cas(c, ci, in, null);
      }
    }
  }

  /**
   * The value of {@code key} (hash {@code h}) in the bucket {@code hs, kv}, or null: only a key
   * whose stored hash equals {@code h} is loaded and compared.
   */
  private static Object inBucket(int[] hs, Object[] kv, Object key, int h) {
    // The last index whose stored hash is h, found with a select that C2 can compile to a
    // conditional move (not checked in the assembly; the timing is what was measured), so that no
    // branch depends on where the key sits. A loop that stopped at the first match mispredicted
    // on most lookups (the position is random); each misprediction, resolved only once the bucket
    // arrived from memory, also threw away the work the processor had started on the caller's
    // next operation. Same-JVM A/B at 1M keys: 1.11-1.29x faster gets (docs/performance.md,
    // "#7 HashTrieMap", "where a read's time goes").
    int j = 0;
    for (int q = 1; q < hs.length; q++) {
      j = hs[q] == h ? q : j;
    }
    if (hs[j] == h) {
      if (same(key, kv[2 * j])) {
        return kv[2 * j + 1];
      }
      if (j > 0) {
        // another stored key with the same 32-bit hash: the write path's in-order search
        j = indexIn(hs, kv, key, h);
        return j < 0 ? null : kv[2 * j + 1];
      }
    }
    return null;
  }

  /** Lookup in a tomb or collision list (the committed main node of an INode). */
  private static Object lookupIn(Object m, Object key) {
    if (m instanceof TNode) {
      TNode tn = (TNode) m;
      return same(key, tn.key) ? tn.value : null;
    }
    return ((LNode) m).bucket.get(key);
  }

  /**
   * Writes {@code value} for {@code key} if {@code condition} holds; returns the value found
   * (null if absent) whether or not it wrote.
   */
  private Object insert(K key, Object value, int condition, Object expected) {
    int h = hash(key);
    INode r = readRoot(false);
    INode x = cachedForWrite(h, r.gen);
    if (x != null) {
      Object res = insert(x, key, h, value, condition, expected, CACHE_LEVEL, null, r.gen);
      if (res != RESTART) {
        return res;
      }
    }
    while (true) { // from the root: first descent without a usable cache entry, or any restart
      r = readRoot(false);
      Object res = insert(r, key, h, value, condition, expected, 0, null, r.gen);
      if (res != RESTART) {
        return res;
      }
    }
  }

  /**
   * The lookup cache's INode for {@code h} if a writer may start there (see the notes: of the
   * root's generation {@code gen}, read after the root), else null (no cache, no entry, or an
   * entry of another generation, which is dropped).
   */
  private INode cachedForWrite(int h, Gen gen) {
    Object[] c = cacheChunk(h);
    if (c == null) {
      return null;
    }
    int ci = (h >>> BITS) & CHUNK_MASK;
    INode x = (INode) ArrayAccess.getAcquire(c, ci);
    if (x == null || x.gen == gen) {
      return x;
    }
    ArrayAccess.cas(c, ci, x, null);
    return null;
  }

  /** Drops {@code x} from the lookup cache if it is still the entry for {@code h} (x is a tomb). */
  private void forget(INode x, int h) {
    Object[] c = cacheChunk(h);
    if (c != null) {
      ArrayAccess.cas(c, (h >>> BITS) & CHUNK_MASK, x, null);
    }
  }

  /**
   * The lookup cache's chunk for the hash prefix of {@code h}, or null if there is no cache or no
   * chunk for it yet. A chunk is only added (never replaced or removed) while its outer array is
   * the cache; snapshots and {@code clear()} drop the whole outer array.
   */
  private Object[] cacheChunk(int h) {
    Object[] outer = lookupCache;
    return outer == null ? null : (Object[]) ArrayAccess.getAcquire(outer, h & CHUNK_MASK);
  }

  private Object insert(INode in, Object key, int h, Object value, int condition, Object expected, int lev, INode parent, Gen startGen) {
    while (true) {
      Object m = gcasRead(in);
      if (m instanceof Object[]) {
        Object[] a = (Object[]) m;
        if (lev == CACHE_LEVEL && parent != null) {
          remember(in, h, startGen); // came from the root: later writes on this path start here
        }
        int i = slotOf(h, lev);
        Object k = a[i];
        Object v = a[i + 1];
        if (k == SUBTRIE) {
          if (v == null) { // empty slot
            if (!holds(condition, expected, null)) {
              return null;
            }
            Object[] b = copyOf(a);
            setEntry(b, i, key, h, value);
            return gcas(in, a, b) ? null : RESTART;
          }
          INode child = (INode) v;
          if (child.gen == startGen) {
            return insert(child, key, h, value, condition, expected, lev + BITS, in, startGen);
          }
          if (gcas(in, a, renewedAt(a, i, child, startGen))) {
            continue; // same INode, now with this child of our generation
          }
          return RESTART;
        }
        if (k instanceof int[]) {
          int[] hs = (int[]) k;
          Object[] kv = (Object[]) v;
          int j = indexIn(hs, kv, key, h);
          if (j >= 0) {
            Object old = kv[2 * j + 1];
            if (!holds(condition, expected, old)) {
              return old;
            }
            Object[] nkv = kv.clone();
            nkv[2 * j + 1] = value;
            return gcas(in, a, updatedAt(a, i, hs, nkv)) ? old : RESTART;
          }
          if (!holds(condition, expected, null)) {
            return null;
          }
          int n = hs.length;
          int[] nhs = Arrays.copyOf(hs, n + 1);
          nhs[n] = h;
          Object[] nkv = Arrays.copyOf(kv, 2 * n + 2);
          nkv[2 * n] = key;
          nkv[2 * n + 1] = value;
          Object[] next = n < BUCKET_MAX
              ? updatedAt(a, i, nhs, nkv)
              : updatedAt(a, i, SUBTRIE, new INode(build(nkv, nhs, lev + BITS, startGen), startGen));
          return gcas(in, a, next) ? null : RESTART;
        }
        if (same(key, k)) {
          if (!holds(condition, expected, v)) {
            return v;
          }
          return gcas(in, a, updatedAt(a, i, k, value)) ? v : RESTART;
        }
        if (!holds(condition, expected, null)) {
          return null;
        }
        // Another key holds this slot: the two entries share it as a bucket. Leaves store no
        // hash, so the other key's hash is computed again here.
        Object[] next = updatedAt(a, i, new int[] {hash(k), h}, new Object[] {k, v, key, value});
        return gcas(in, a, next) ? null : RESTART;
      }
      if (m instanceof TNode) {
        if (parent != null) {
          clean(parent, lev - BITS);
        } else {
          forget(in, h); // a tombed cache entry: the restart from the root cleans it
        }
        return RESTART;
      }
      LNode ln = (LNode) m;
      Object old = ln.bucket.get(key);
      if (!holds(condition, expected, old)) {
        return old;
      }
      return gcas(in, ln, new LNode(ln.bucket.put(key, value))) ? old : RESTART;
    }
  }

  /**
   * Removes {@code key} if {@code condition} (ANY, EQUAL or SAME) holds; returns the value found
   * (null if absent) whether or not it removed.
   */
  private Object delete(Object key, int condition, Object expected) {
    int h = hash(key);
    INode r = readRoot(false);
    INode x = cachedForWrite(h, r.gen);
    if (x != null) {
      Object res = delete(x, key, h, condition, expected, CACHE_LEVEL, null, r.gen);
      if (res != RESTART) {
        if (res != null && gcasRead(x) instanceof TNode) {
          // The removal contracted the cached INode itself; its parent is above the cache level.
          forget(x, h);
          cleanAbove(readRoot(false), null, 0, x, h, r.gen);
        }
        return res;
      }
    }
    while (true) { // from the root: first descent without a usable cache entry, or any restart
      r = readRoot(false);
      Object res = delete(r, key, h, condition, expected, 0, null, r.gen);
      if (res != RESTART) {
        return res;
      }
    }
  }

  /**
   * After a removal that started at the cached INode {@code tombed} (level CACHE_LEVEL) and left
   * it a tomb: walks from {@code in} (level {@code lev}, child of {@code parent}) down the path of
   * {@code h} to tombed's parent, merges the tomb there, and on the way back up merges every
   * ancestor that contracted to a tomb in turn, as a removal from the root does. Stops where the
   * path no longer leads to {@code tombed} (someone else cleaned it) or where the generation is no
   * longer {@code gen} (a snapshot came between; the next writer on the path cleans the tomb).
   */
  private void cleanAbove(INode in, INode parent, int lev, INode tombed, int h, Gen gen) {
    if (in.gen != gen) {
      return;
    }
    Object m = gcasRead(in);
    if (!(m instanceof Object[])) {
      return;
    }
    Object[] a = (Object[]) m;
    int i = slotOf(h, lev);
    if (a[i] != SUBTRIE || a[i + 1] == null) {
      return;
    }
    INode child = (INode) a[i + 1];
    if (lev + BITS == CACHE_LEVEL) {
      if (child != tombed) {
        return;
      }
      Object cm = gcasRead(child);
      if (cm instanceof TNode) {
        cleanParent((TNode) cm, child, in, h, CACHE_LEVEL, gen);
      }
    } else {
      cleanAbove(child, in, lev + BITS, tombed, h, gen);
    }
    if (parent != null) {
      Object now = gcasRead(in);
      if (now instanceof TNode) {
        cleanParent((TNode) now, in, parent, h, lev, gen);
      }
    }
  }

  private Object delete(INode in, Object key, int h, int condition, Object expected, int lev, INode parent, Gen startGen) {
    while (true) {
      Object m = gcasRead(in);
      Object res;
      if (m instanceof Object[]) {
        Object[] a = (Object[]) m;
        if (lev == CACHE_LEVEL && parent != null) {
          remember(in, h, startGen); // came from the root: later writes on this path start here
        }
        int i = slotOf(h, lev);
        Object k = a[i];
        Object v = a[i + 1];
        if (k == SUBTRIE) {
          if (v == null) {
            return null;
          }
          INode child = (INode) v;
          if (child.gen != startGen) {
            if (gcas(in, a, renewedAt(a, i, child, startGen))) {
              continue;
            }
            return RESTART;
          }
          res = delete(child, key, h, condition, expected, lev + BITS, in, startGen);
        } else if (k instanceof int[]) {
          int[] hs = (int[]) k;
          Object[] kv = (Object[]) v;
          int j = indexIn(hs, kv, key, h);
          if (j < 0) {
            return null;
          }
          Object old = kv[2 * j + 1];
          if (!holds(condition, expected, old)) {
            return old;
          }
          Object[] next = copyOf(a);
          int n = hs.length;
          if (n == 1) {
            next[i] = null; // the slot becomes empty
            next[i + 1] = null;
          } else if (n == 2) { // the other entry stays as a leaf
            int o = 1 - j;
            setEntry(next, i, kv[2 * o], hs[o], kv[2 * o + 1]);
          } else {
            int[] nhs = new int[n - 1];
            Object[] nkv = new Object[2 * n - 2];
            System.arraycopy(hs, 0, nhs, 0, j);
            System.arraycopy(hs, j + 1, nhs, j, n - j - 1);
            System.arraycopy(kv, 0, nkv, 0, 2 * j);
            System.arraycopy(kv, 2 * j + 2, nkv, 2 * j, 2 * n - 2 * j - 2);
            next[i] = nhs;
            next[i + 1] = nkv;
          }
          if (!gcas(in, a, contracted(next, lev))) {
            return RESTART;
          }
          res = old;
        } else {
          if (!same(key, k)) {
            return null;
          }
          if (!holds(condition, expected, v)) {
            return v;
          }
          Object[] next = copyOf(a);
          next[i] = null;
          next[i + 1] = null;
          if (!gcas(in, a, contracted(next, lev))) {
            return RESTART;
          }
          res = v;
        }
      } else if (m instanceof TNode) {
        if (parent != null) {
          clean(parent, lev - BITS);
        } else {
          forget(in, h); // a tombed cache entry: the restart from the root cleans it
        }
        return RESTART;
      } else {
        LNode ln = (LNode) m;
        Object old = ln.bucket.get(key);
        if (old == null || !holds(condition, expected, old)) {
          return old;
        }
        CollisionBucket<Object, Object> rest = ln.bucket.remove(key);
        Object next = rest.size() == 1 ? tombOf(rest) : new LNode(rest);
        if (!gcas(in, ln, next)) {
          return RESTART;
        }
        res = old;
      }
      // On the way back up: if this INode became a tomb, merge its entry into the parent.
      if (res != null && res != RESTART && parent != null) {
        Object now = gcasRead(in);
        if (now instanceof TNode) {
          cleanParent((TNode) now, in, parent, h, lev, startGen);
        }
      }
      return res;
    }
  }

  /** Replaces the tombed INode {@code in} (at level {@code lev}) in its parent by its entry. */
  private void cleanParent(TNode tomb, INode in, INode parent, int h, int lev, Gen startGen) {
    while (true) {
      Object pm = gcasRead(parent);
      if (!(pm instanceof Object[])) {
        return;
      }
      Object[] a = (Object[]) pm;
      int i = slotOf(h, lev - BITS);
      if (a[i] != SUBTRIE || a[i + 1] != in) {
        return; // someone else cleaned it already
      }
      Object[] merged = copyOf(a);
      setEntry(merged, i, tomb.key, tombHash(tomb), tomb.value);
      if (gcas(parent, a, contracted(merged, lev - BITS)) || readRoot(false).gen != startGen) {
        return;
      }
    }
  }

  /** Resurrects every tombed child of {@code parent}'s branch (level {@code lev}). */
  private void clean(INode parent, int lev) {
    Object m = gcasRead(parent);
    if (m instanceof Object[]) {
      Object[] a = (Object[]) m;
      Object[] b = copyOf(a);
      for (int i = 1; i < b.length; i += 2) {
        if (b[i] == SUBTRIE && b[i + 1] != null) {
          Object cm = gcasRead((INode) b[i + 1]);
          if (cm instanceof TNode) {
            TNode tn = (TNode) cm;
            setEntry(b, i, tn.key, tombHash(tn), tn.value);
          }
        }
      }
      gcas(parent, a, contracted(b, lev));
    }
  }

  /**
   * Below the root, a branch whose only child is one entry (a leaf, or the one-entry bucket of an
   * {@code int[]} key) becomes a tomb of that entry; any other branch is returned as it is.
   */
  private static Object contracted(Object[] a, int lev) {
    if (lev == 0) {
      return a;
    }
    int only = -1;
    for (int i = 1; i < a.length; i += 2) {
      if (a[i] != SUBTRIE || a[i + 1] != null) {
        if (only >= 0) {
          return a; // two children
        }
        only = i;
      }
    }
    if (only < 0) {
      return a;
    }
    Object k = a[only];
    if (k == SUBTRIE) {
      return a; // a single subtrie stays (it contracts when its own entries go)
    }
    if (k instanceof int[]) {
      Object[] kv = (Object[]) a[only + 1];
      return kv.length == 2 ? new TNode(kv[0], kv[1]) : a;
    }
    return new TNode(k, a[only + 1]);
  }

  /** The hash a tomb's key needs when it goes back into a branch: only {@code int[]} keys need one. */
  private int tombHash(TNode tn) {
    return tn.key instanceof int[] ? hash(tn.key) : 0;
  }

  /**
   * Writes one entry into the slot pair at {@code i} of a fresh branch copy: a leaf, or for a key
   * that is itself an {@code int[]} (which would read as a bucket's hashes) a one-entry bucket.
   */
  private static void setEntry(Object[] b, int i, Object key, int h, Object value) {
    if (key instanceof int[]) {
      b[i] = new int[] {h};
      b[i + 1] = new Object[] {key, value};
    } else {
      b[i] = key;
      b[i + 1] = value;
    }
  }

  private static TNode tombOf(CollisionBucket<Object, Object> single) {
    Object[] kv = new Object[2];
    single.forEach((k, v) -> {
      kv[0] = k;
      kv[1] = v;
    });
    return new TNode(kv[0], kv[1]);
  }

  /** A new, empty branch. */
  private static Object[] emptyBranch() {
    return new Object[BRANCH_LENGTH];
  }

  /** A copy of branch {@code a} with a fresh GCAS state (slot 0), to be proposed by gcas. */
  private static Object[] copyOf(Object[] a) {
    Object[] b = a.clone();
    b[PREV_SLOT] = null;
    return b;
  }

  /** A copy of branch {@code a} whose slot pair at {@code i} is {@code k, v}. */
  private static Object[] updatedAt(Object[] a, int i, Object k, Object v) {
    Object[] b = copyOf(a);
    b[i] = k;
    b[i + 1] = v;
    return b;
  }

  /**
   * A copy of branch {@code a} in which the INode child {@code child} at slot {@code i}, of
   * another generation, is replaced by a new INode of generation {@code gen} with the same
   * (committed) main node; the other children are kept as they are. Renewal is lazy, one child
   * per descent: a write after a snapshot copies only the branches on its own path, and reads
   * only the one child it descends into (renewing every stale child at once would read 64 cold
   * main nodes per level on a large trie). Children already of generation {@code gen} must never
   * be copied, since they are live (writers may be committing on them right now) and a copy
   * would lose such a write. Copying a stale INode is safe: no root has its generation any more,
   * so nothing can commit on it (gcasRead aborts any proposal still pending on it).
   */
  private Object[] renewedAt(Object[] a, int i, INode child, Gen gen) {
    return updatedAt(a, i, SUBTRIE, new INode(gcasRead(child), gen));
  }

  /** The index of {@code key} among the entries of a bucket, or -1: hashes first, then equals. */
  private static int indexIn(int[] hs, Object[] kv, Object key, int h) {
    for (int j = 0; j < hs.length; j++) {
      if (hs[j] == h && same(key, kv[2 * j])) {
        return j;
      }
    }
    return -1;
  }

  /**
   * A new subtrie at level {@code lev} holding the entries {@code kv} (key, value pairs) with
   * hashes {@code hs} (more than BUCKET_MAX of them, all agreeing on the bits above {@code lev}):
   * per 6-bit index one leaf, a bucket of up to BUCKET_MAX entries, or a deeper subtrie; below
   * the last level all hashes are equal and the entries form an LNode.
   */
  private static Object build(Object[] kv, int[] hs, int lev, Gen gen) {
    int n = hs.length;
    if (lev > LAST_LEVEL) {
      CollisionBucket<Object, Object> c = CollisionBucket.empty();
      for (int i = 0; i < n; i++) {
        c = c.put(kv[2 * i], kv[2 * i + 1]);
      }
      return new LNode(c);
    }
    int[] counts = new int[WIDTH];
    for (int i = 0; i < n; i++) {
      counts[(hs[i] >>> lev) & MASK]++;
    }
    Object[] a = emptyBranch();
    for (int idx = 0; idx < WIDTH; idx++) {
      int c = counts[idx];
      if (c == 0) {
        continue;
      }
      Object[] gkv = new Object[2 * c];
      int[] gh = new int[c];
      for (int i = 0, g = 0; i < n; i++) {
        if (((hs[i] >>> lev) & MASK) == idx) {
          gkv[2 * g] = kv[2 * i];
          gkv[2 * g + 1] = kv[2 * i + 1];
          gh[g++] = hs[i];
        }
      }
      int s = 1 + 2 * idx;
      if (c == 1) {
        setEntry(a, s, gkv[0], gh[0], gkv[1]);
      } else if (c <= BUCKET_MAX) {
        a[s] = gh;
        a[s + 1] = gkv;
      } else {
        a[s] = SUBTRIE;
        a[s + 1] = new INode(build(gkv, gh, lev + BITS, gen), gen);
      }
    }
    return a;
  }

  @Override
  void checkWritable() {
    if (readOnly) {
      throw new UnsupportedOperationException("read-only snapshot");
    }
  }

  // ================================================================== GCAS and RDCSS

  /**
   * The committed main node of {@code in}: one acquire read (of {@code main}) unless a proposal
   * is pending. The node's GCAS state (a branch's slot 0, or {@code prev}) is then read opaque:
   * the acquire read of {@code main} already orders it after the proposer's plain write of it (so
   * the fresh node's default null cannot be seen), and null is final once written (a commit; an
   * abort writes a FailedNode), so seeing null proves the commit. Any other value goes to
   * gcasComplete, which reads with acquire.
   */
  private Object gcasRead(INode in) {
    Object m = mainAcquire(in);
    return prevOpaque(m) == null ? m : gcasComplete(in, m);
  }

  /** Proposes {@code n} to replace {@code old} in {@code in}; true if it committed. */
  private boolean gcas(INode in, Object old, Object n) {
    setPrevPlain(n, old); // published by the CAS below
    if (casMain(in, old, n)) {
      gcasComplete(in, n);
      return prevAcquire(n) == null;
    }
    return false;
  }

  /** Decides the proposal {@code m} (and any that follow) in {@code in}; returns the committed node. */
  private Object gcasComplete(INode in, Object m) {
    while (true) {
      Object prev = prevAcquire(m);
      INode r = readRoot(true);
      if (prev == null) {
        return m;
      }
      if (prev instanceof FailedNode) {
        Object restored = ((FailedNode) prev).previous;
        if (casMain(in, m, restored)) {
          return restored;
        }
        m = mainAcquire(in);
      } else if (r.gen == in.gen && !readOnly) {
        if (casPrev(m, prev, null)) {
          return m;
        }
      } else {
        casPrev(m, prev, new FailedNode(prev));
        m = mainAcquire(in);
      }
    }
  }

  /** The root INode, completing a pending root descriptor (aborting it if {@code abort}). */
  private INode readRoot(boolean abort) {
    Object r = root;
    return r instanceof INode ? (INode) r : rdcssComplete(abort);
  }

  /** Replaces the root {@code old} by {@code next} if {@code old}'s main node is still {@code expected}. */
  private boolean rdcssRoot(INode old, Object expected, INode next) {
    RootDescriptor d = new RootDescriptor(old, expected, next);
    if (casRoot(old, d)) {
      rdcssComplete(false);
      return d.state == RootDescriptor.COMMITTED;
    }
    return false;
  }

  private INode rdcssComplete(boolean abort) {
    while (true) {
      Object v = root;
      if (v instanceof INode) {
        return (INode) v;
      }
      RootDescriptor d = (RootDescriptor) v;
      if (d.state == RootDescriptor.UNDECIDED) {
        int decision = RootDescriptor.ABORTED;
        if (!abort && gcasRead(d.old) == d.expected) {
          decision = RootDescriptor.COMMITTED;
        }
        casState(d, RootDescriptor.UNDECIDED, decision);
      }
      casRoot(d, d.state == RootDescriptor.COMMITTED ? d.next : d.old);
    }
  }

  // ================================================================== snapshot traversal

  /** A cursor over a read-only snapshot of this map (this map itself if read-only). */
  private Cursor cursor() {
    return new Cursor(frozen());
  }

  private long count(Object m) {
    if (m instanceof Object[]) {
      Object[] a = (Object[]) m;
      long n = 0;
      for (int i = 1; i < a.length; i += 2) {
        Object k = a[i];
        if (k == SUBTRIE) {
          if (a[i + 1] != null) {
            n += count(gcasRead((INode) a[i + 1]));
          }
        } else {
          n += k instanceof int[] ? ((int[]) k).length : 1;
        }
      }
      return n;
    }
    return m instanceof TNode ? 1 : ((LNode) m).bucket.size();
  }

  private boolean hasEntry(Object m) {
    if (m instanceof Object[]) {
      Object[] a = (Object[]) m;
      for (int i = 1; i < a.length; i += 2) {
        if (a[i] != SUBTRIE || (a[i + 1] != null && hasEntry(gcasRead((INode) a[i + 1])))) {
          return true;
        }
      }
      return false;
    }
    return true; // a tomb or a collision list holds entries
  }

  /** Occupied slots of the branches, plus the entries of buckets, tombs and collision lists. */
  private long slots(Object m) {
    if (m instanceof Object[]) {
      Object[] a = (Object[]) m;
      long n = 0;
      for (int i = 1; i < a.length; i += 2) {
        Object k = a[i];
        if (k == SUBTRIE) {
          if (a[i + 1] != null) {
            n += 1 + slots(gcasRead((INode) a[i + 1]));
          }
        } else {
          n += 1 + (k instanceof int[] ? ((int[]) k).length : 0);
        }
      }
      return n;
    }
    return m instanceof TNode ? 1 : ((LNode) m).bucket.size();
  }

  private int depthOf(Object m) {
    if (!(m instanceof Object[])) {
      return 0;
    }
    Object[] a = (Object[]) m;
    int d = 0;
    for (int i = 1; i < a.length; i += 2) {
      if (a[i] == SUBTRIE && a[i + 1] != null) {
        d = Math.max(d, depthOf(gcasRead((INode) a[i + 1])));
      }
    }
    return d + 1;
  }

  /**
   * Walks the entries of a read-only map depth-first. {@code key} is the current entry's key, or
   * null when exhausted; then the cursor drops its references to the snapshot.
   */
  private static final class Cursor {
    private HashTrieMap<?, ?> snap;
    private final Object[][] arrays = new Object[MAX_DEPTH + 1][];
    private final int[] next = new int[MAX_DEPTH + 1];
    private int depth = -1;
    /** Pending entries of a tomb, bucket or collision list, as key, value pairs. */
    private Object[] pending;
    private int pendingAt;
    Object key;
    Object value;

    Cursor(HashTrieMap<?, ?> snap) {
      this.snap = snap;
      enter(snap.gcasRead(snap.readRoot(false)));
      advance();
    }

    private void enter(Object m) {
      if (m instanceof Object[]) {
        arrays[++depth] = (Object[]) m;
        next[depth] = 1;
      } else if (m instanceof TNode) {
        TNode tn = (TNode) m;
        pending = new Object[] {tn.key, tn.value};
        pendingAt = 0;
      } else {
        CollisionBucket<Object, Object> b = ((LNode) m).bucket;
        Object[] kv = new Object[b.size() * 2];
        int[] at = {0};
        b.forEach((k, v) -> {
          kv[at[0]++] = k;
          kv[at[0]++] = v;
        });
        pending = kv;
        pendingAt = 0;
      }
    }

    void advance() {
      while (true) {
        if (pending != null) {
          if (pendingAt < pending.length) {
            key = pending[pendingAt];
            value = pending[pendingAt + 1];
            pendingAt += 2;
            return;
          }
          pending = null;
        }
        if (depth < 0) {
          key = null;
          value = null;
          snap = null;
          return;
        }
        Object[] a = arrays[depth];
        int i = next[depth];
        if (i == a.length) {
          arrays[depth--] = null;
          continue;
        }
        next[depth] = i + 2;
        Object k = a[i];
        if (k == SUBTRIE) {
          if (a[i + 1] != null) {
            enter(snap.gcasRead((INode) a[i + 1]));
          }
        } else if (k instanceof int[]) {
          pending = (Object[]) a[i + 1]; // immutable: read in place
          pendingAt = 0;
        } else {
          key = k;
          value = a[i + 1];
          return;
        }
      }
    }
  }

  /**
   * An iterator over a read-only snapshot taken now (see the class notes) that returns
   * {@code projection.make(key, value)} for each entry; its {@code remove} removes the last key from
   * this map. The views ({@link MapViews}) iterate through it.
   */
  @Override
  <T> Iterator<T> traversal(Projection<T> projection) {
    return new SnapshotIterator<>(projection);
  }

  /** Iterator over a snapshot; {@code remove} removes the last key from this map. */
  private final class SnapshotIterator<T> implements Iterator<T> {
    private final Cursor cursor = cursor();
    private final Projection<T> projection;
    private Object lastKey;

    SnapshotIterator(Projection<T> projection) {
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
      checkWritable();
      if (lastKey == null) {
        throw new IllegalStateException("next() has not been called, or remove() was already called");
      }
      HashTrieMap.this.remove(lastKey);
      lastKey = null;
    }
  }

  // ================================================================== nodes

  /** A generation: identity only. Snapshots give the map and the snapshot new generations. */
  private static final class Gen {}

  /**
   * Indirection node: the only mutable trie node; {@code main} (a branch {@code Object[]}, a
   * TNode or an LNode) changes by GCAS.
   */
  static final class INode {
    /** Accessed through {@link #MAIN}. */
    Object main;
    final Gen gen;

    INode(Object main, Gen gen) {
      this.main = main;
      this.gen = gen;
    }
  }

  /**
   * A main node other than a branch; {@code prev} is the GCAS state (see the notes), as slot 0 is
   * for a branch.
   */
  abstract static class MainNode {
    /** Accessed through {@link #PREV}: null (committed), a main node (proposed) or a FailedNode. */
    Object prev;
  }

  /** Tomb: the single remaining entry of a contracted subtrie, waiting to move into the parent. */
  static final class TNode extends MainNode {
    final Object key;
    final Object value;

    TNode(Object key, Object value) {
      this.key = key;
      this.value = value;
    }
  }

  /** Collision list: two or more keys with the same 32-bit hash, in a persistent bucket. */
  static final class LNode extends MainNode {
    final CollisionBucket<Object, Object> bucket;

    LNode(CollisionBucket<Object, Object> bucket) {
      this.bucket = bucket;
    }
  }

  /** The GCAS state of an aborted proposal: the main node to restore. Never a main node. */
  static final class FailedNode {
    final Object previous;

    FailedNode(Object previous) {
      this.previous = previous;
    }
  }

  /** An RDCSS in progress on the root: replace {@code old} by {@code next} if old.main is {@code expected}. */
  static final class RootDescriptor {
    static final int UNDECIDED = 0;
    static final int COMMITTED = 1;
    static final int ABORTED = 2;

    final INode old;
    final Object expected;
    final INode next;
    /** UNDECIDED, then COMMITTED or ABORTED by one CAS through {@link #STATE}. */
    volatile int state;

    RootDescriptor(INode old, Object expected, INode next) {
      this.old = old;
      this.expected = expected;
      this.next = next;
    }
  }

  // ================================================================== memory-ordered access

  private static Object mainAcquire(INode in) {
    return MAIN.getAcquire(in);
  }

  private static boolean casMain(INode in, Object expected, Object update) {
    return MAIN.compareAndSet(in, expected, update);
  }

  /** Acquire read of a main node's GCAS state (slot 0 of a branch, else {@code prev}). */
  private static Object prevAcquire(Object m) {
    return m instanceof Object[] ? ArrayAccess.getAcquire((Object[]) m, PREV_SLOT) : PREV.getAcquire((MainNode) m);
  }

  /** Opaque read of a main node's GCAS state. */
  private static Object prevOpaque(Object m) {
    return m instanceof Object[] ? prevOpaque((Object[]) m) : PREV.getOpaque((MainNode) m);
  }

  /** Opaque read of a branch's GCAS state (the lookup fast path). */
  private static Object prevOpaque(Object[] branch) {
    return ArrayAccess.getOpaque(branch, PREV_SLOT);
  }

  /** Plain write of a fresh node's GCAS state, before the node is published by a CAS. */
  private static void setPrevPlain(Object m, Object prev) {
    if (m instanceof Object[]) {
      ((Object[]) m)[PREV_SLOT] = prev;
    } else {
      PREV.set((MainNode) m, prev);
    }
  }

  private static boolean casPrev(Object m, Object expected, Object update) {
    return m instanceof Object[]
        ? ArrayAccess.cas((Object[]) m, PREV_SLOT, expected, update)
        : PREV.compareAndSet((MainNode) m, expected, update);
  }

  private boolean casRoot(Object expected, Object update) {
    return ROOT.compareAndSet(this, expected, update);
  }

  private static boolean casState(RootDescriptor d, int expected, int update) {
    return STATE.compareAndSet(d, expected, update);
  }

  private static final VarHandle MAIN;
  private static final VarHandle PREV;
  private static final VarHandle ROOT;
  private static final VarHandle LOOKUP_CACHE;
  private static final VarHandle STATE;

  static {
    try {
      MethodHandles.Lookup l = MethodHandles.lookup();
      MAIN = l.findVarHandle(INode.class, "main", Object.class);
      PREV = l.findVarHandle(MainNode.class, "prev", Object.class);
      ROOT = l.findVarHandle(HashTrieMap.class, "root", Object.class);
      LOOKUP_CACHE = l.findVarHandle(HashTrieMap.class, "lookupCache", Object[].class);
      STATE = l.findVarHandle(RootDescriptor.class, "state", int.class);
    } catch (ReflectiveOperationException e) {
      throw new ExceptionInInitializerError(e);
    }
  }
}
