package dev.atoll.lock;

import dev.atoll.internal.Sizing;
import java.util.Comparator;
import java.util.Objects;

/**
 * A concurrent map with a lock for every key, present or absent: a thread or coroutine can hold a
 * key exclusively through an {@link dev.atoll.lock.Entry} for a complex read-modify-write while other keys stay
 * fully available, lock several keys at once without deadlock ({@link #batchLock}), and use the
 * whole {@link java.util.concurrent.ConcurrentMap} API, whose single-key operations are atomic with
 * respect to the key locks.
 *
 * <pre>{@code
 * LockMap<String, Account> accounts = new LockMap<>();
 * try (Entry<String, Account> e = accounts.entry("alice")) {   // other keys stay available
 *   Account a = e.get();                                       // null if absent
 *   e.set(a == null ? Account.open() : a.deposit(10));
 * }                                                            // released; next waiter gets it
 * }</pre>
 *
 * <h2>Design</h2>
 * The map is split into shards (a power of two, chosen by the top bits of the key's seeded,
 * spread hash, which is computed once per operation and stored with the key). Each shard is a
 * small chained hash table guarded by a short shard lock that is held only for bookkeeping, never
 * while anybody waits for a key. Every key that has a value, a holder, a waiter or a batch
 * reservation has exactly one record in its shard, which holds the key (stored once), its hash,
 * its value, its holder and a FIFO queue of waiters, each either a parked thread or an
 * asynchronous request. A record disappears as soon as the key has no value, no holder, no waiter
 * and no batch reservation, under the same shard lock that lockers use to find or create it: two
 * locks for one key can never exist. Tables grow and shrink with the number of records; keys with
 * equal hashes share one chain position through a {@code CollisionBucket} (ordered for
 * {@link Comparable} keys), so hash flooding stays O(log n) per operation. In front of the
 * table each shard has a small array of lock-free cells: a key that has no record is locked by
 * one compare-and-set that puts its entry handle into the key's cell, and released by another,
 * without the shard lock and without creating a record in the table; as soon as anything else
 * happens to a key of that cell (a waiter, a value, a batch, a second key of the same cell), the
 * cell hands its holder over to the table. An uncontended {@code entry(key)} + {@code close()}
 * of such a key allocates only the entry handle. A key that has a record and is alone in its
 * cell (for example a key with a value, or one that threads wait for) is reached through its cell
 * too: a thread locks and unlocks it with one compare-and-set each on the record's lock word when
 * no waiter needs to be woken; otherwise an operation takes the shard lock twice.
 *
 * <h2>Locking rules</h2>
 * <ul>
 *   <li>Fair among waiters, with bounded barging: waiters are served in arrival order and never
 *       overtake each other. When a key is released while a thread or a coroutine (a
 *       {@link #lockRequest}) waits, the longest waiter is
 *       woken to take it, but a caller that is not waiting yet may take it first (barging, as
 *       {@link java.util.concurrent.locks.ReentrantLock} and Go's {@code sync.Mutex} allow),
 *       which spares a thread switch per release under contention. Barging is bounded: once the
 *       longest waiter has waited more than 1 ms and loses the key to a newcomer, the key switches
 *       to strict hand-off (each release gives the key to the longest waiter; newcomers queue)
 *       until its queue is empty or is served promptly again. No waiter starves. The futures of
 *       {@link #lockAsync} and {@link #batchLockAsync}, which cannot come back to take a key, are
 *       always handed the key directly.
 *       {@link #tryEntry(Object)} never barges: it fails while the key has waiters.
 *   <li>Not reentrant: a thread that blocks on a key it already holds (including through a map
 *       operation on that key) gets {@link IllegalStateException} instead of a self-deadlock.
 *       Deadlocks through several keys held in different orders are not detected; use
 *       {@link #batchLock} for several keys.
 *   <li>No poisoning: an exception inside an entry leaves the value as last set.
 *   <li>Waiting never blocks other keys or other shards; an asynchronous waiter ({@link
 *       #lockAsync}, the Kotlin {@code lock}/{@code withLock}) never blocks a thread.
 *   <li>Iteration, {@code size} and {@code containsValue} visit one shard at a time (weakly
 *       consistent) and do not take key locks.
 * </ul>
 *
 * <h2>Memory consistency effects</h2>
 * Actions of the holder of a key before it closes its {@link dev.atoll.lock.Entry} happen-before the actions of
 * the next holder after acquiring it; actions in a thread prior to placing a value into the map
 * happen-before actions subsequent to the access or removal of that value in another thread.
 *
 * @param <K> the type of keys
 * @param <V> the type of values
 */
public final class LockMap<K, V> extends AbstractLockMap<K, V> {
  /** Creates a map with {@link Sizing#defaultShards()} shards and the default batch order. */
  public LockMap() {
    this(Sizing.defaultShards());
  }

  /**
   * Creates a map with the given number of shards and the default batch order.
   *
   * @param shards the number of shards, a power of two {@code >= 1}
   * @throws IllegalArgumentException if {@code shards} is not a power of two {@code >= 1}
   */
  public LockMap(int shards) {
    super(shards, false, 0, null, null);
  }

  /**
   * Creates a map whose batches lock keys in the order of {@code batchOrder} (ties broken by hash
   * and then by an internal sequence number).
   *
   * @param shards the number of shards, a power of two {@code >= 1}
   * @param batchOrder the order in which {@link #batchLock} acquires keys; must be consistent over
   *     time
   * @throws IllegalArgumentException if {@code shards} is not a power of two {@code >= 1}
   */
  public LockMap(int shards, Comparator<? super K> batchOrder) {
    super(shards, false, 0, Objects.requireNonNull(batchOrder, "batchOrder"), null);
  }
}
