package dev.atoll.samples.bank

import dev.atoll.coroutines.publishes
import dev.atoll.coroutines.withBatchLock
import dev.atoll.coroutines.withLock
import dev.atoll.leftright.LeftRightMap
import dev.atoll.leftright.ReadHandle
import dev.atoll.lock.LockMap
import io.ktor.http.HttpStatusCode
import kotlinx.coroutines.CoroutineScope
import kotlinx.coroutines.Job
import kotlinx.coroutines.channels.Channel
import kotlinx.coroutines.flow.Flow
import kotlinx.coroutines.flow.map
import kotlinx.coroutines.launch
import kotlinx.coroutines.runBlocking
import java.util.concurrent.atomic.AtomicLong

/** A balance as the read replica shows it, with the replica's publish epoch. */
data class ReplicaView(val balance: Long, val epoch: Long)

/** How far the replica is behind: commits made on the ledger, commits the replica has published. */
data class ReplicaLag(val committed: Long, val replicated: Long, val epoch: Long)

/** One replica publish, for the `/events` stream. */
data class ReplicaEvent(val epoch: Long, val replicated: Long, val changed: Set<String>)

/**
 * The bank behind the sample service.
 *
 * - The **ledger** is a [LockMap]: every change to an account runs under that account's per-key
 *   lock, taken with the *suspending* `withLock` (a request waiting for a busy account parks no
 *   thread); a transfer locks both accounts with `withBatchLock`, which takes keys in one global
 *   order, so opposite transfers (a→b while b→a) can never deadlock.
 * - Each committed change is queued (while the lock is still held, so per-account order is kept)
 *   for a background coroutine, the **replicator**, which applies everything queued to a
 *   [LeftRightMap] read replica and publishes it as one batch. Reads (`GET /accounts/{id}`) hit the
 *   replica: they never lock and never wait for writers, and they see whole batches only.
 */
class Bank private constructor(initial: Map<String, Long>, scope: CoroutineScope) : AutoCloseable {
    private val ledger = LockMap<String, Long>()
    /** The read replica; its meta is the number of commits it contains. */
    private val replica = LeftRightMap.create<String, Long, Long>()
    private val writer = replica.writer()
    private val commits = Channel<Pair<String, Long>>(Channel.UNLIMITED)
    private val committed = AtomicLong()
    /** A reader per thread: a read never suspends, so it starts and ends on one thread. */
    private val readers = ThreadLocal.withInitial<ReadHandle<String, Long, Long>> { replica.readers().handle() }
    private val replicator: Job

    init {
        initial.forEach { (id, balance) ->
            require(balance >= 0) { "initial balance of $id is negative" }
            ledger[id] = balance
            writer.update(id, balance)
        }
        writer.setMeta(0L)
        writer.publish()
        replicator = scope.launch {
            var replicated = 0L
            for (first in commits) {
                var change: Pair<String, Long>? = first
                while (change != null) { // everything queued so far goes into one publish
                    writer.update(change.first, change.second)
                    replicated++
                    change = commits.tryReceive().getOrNull()
                }
                writer.setMeta(replicated)
                writer.publish()
            }
        }
    }

    /** Adds [amount] to account [id]; returns the new balance. */
    suspend fun deposit(id: String, amount: Long): Long = ledger.withLock(id) { account ->
        val balance = account.get() ?: throw BankException(HttpStatusCode.NotFound, "no account '$id'")
        val updated = Math.addExact(balance, amount)
        account.set(updated)
        commit(id, updated)
        updated
    }

    /** Moves [amount] from [from] to [to]; returns both new balances. */
    suspend fun transfer(from: String, to: String, amount: Long): Pair<Long, Long> {
        if (from == to) throw BankException(HttpStatusCode.BadRequest, "'from' and 'to' must differ")
        return ledger.withBatchLock(listOf(from, to)) { batch ->
            val source = batch.entry(from)
            val target = batch.entry(to)
            val a = source.get() ?: throw BankException(HttpStatusCode.NotFound, "no account '$from'")
            val b = target.get() ?: throw BankException(HttpStatusCode.NotFound, "no account '$to'")
            if (a < amount) throw BankException(HttpStatusCode.Conflict, "account '$from' holds less than $amount")
            val credited = Math.addExact(b, amount)
            source.set(a - amount)
            target.set(credited)
            commit(from, a - amount)
            commit(to, credited)
            (a - amount) to credited
        }
    }

    /** The balance of [id] in the read replica (possibly a few commits behind the ledger). */
    fun replicaBalance(id: String): ReplicaView {
        val r = readers.get()
        r.enter().use { state ->
            val balance = state.getOne(id) ?: throw BankException(HttpStatusCode.NotFound, "no account '$id'")
            return ReplicaView(balance, state.publishCount())
        }
    }

    /** How many commits the replica has not published yet. */
    fun replicaLag(): ReplicaLag {
        val r = readers.get()
        r.enter().use { state -> return ReplicaLag(committed.get(), state.meta(), state.publishCount()) }
    }

    /** The ledger's balance of [id] (takes the account's lock briefly), or null. */
    fun ledgerBalance(id: String): Long? = ledger[id]

    /** The replica's publishes, from the moment of collection; completes when the bank closes. */
    fun publishes(): Flow<ReplicaEvent> = writer.publishes().map { ReplicaEvent(it.epoch(), it.meta(), it.changedKeys()) }

    private fun commit(id: String, balance: Long) {
        committed.incrementAndGet()
        commits.trySend(id to balance) // unlimited: never fails while open
    }

    /** Stops the replicator after it has published everything queued, then closes the replica. */
    override fun close() {
        commits.close()
        runBlocking { replicator.join() }
        writer.close()
    }

    companion object {
        /** A bank with the given accounts; its replicator runs in [scope]. */
        fun open(initial: Map<String, Long>, scope: CoroutineScope): Bank = Bank(initial, scope)
    }
}
