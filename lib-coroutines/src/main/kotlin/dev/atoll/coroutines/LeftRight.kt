package dev.atoll.coroutines

import dev.atoll.leftright.PublishEvent
import dev.atoll.leftright.PublishListener
import dev.atoll.leftright.WriteHandle
import kotlinx.coroutines.channels.BufferOverflow
import kotlinx.coroutines.channels.Channel
import kotlinx.coroutines.channels.awaitClose
import kotlinx.coroutines.flow.Flow
import kotlinx.coroutines.flow.buffer
import kotlinx.coroutines.flow.callbackFlow
import kotlinx.coroutines.future.await
import kotlinx.coroutines.sync.Mutex
import kotlinx.coroutines.sync.withLock

/**
 * A cold [Flow] of this map's publishes: each collector subscribes when it starts collecting and
 * then receives one [PublishEvent] per [WriteHandle.publish], in publish order, from that moment on
 * (earlier publishes are not replayed). The flow completes normally when the map is closed (at once,
 * if it is already closed), and the subscription is removed when the collector is cancelled or stops.
 *
 * The writer never waits for a collector: events go into a buffer without suspending `publish()`.
 * - Default ([Channel.UNLIMITED]): no event is ever lost; a collector that falls behind makes the
 *   buffer grow, so use it for collectors that keep up on average.
 * - A bounded [bufferCapacity] needs a dropping [onOverflow] ([BufferOverflow.DROP_OLDEST] keeps
 *   the newest events; [BufferOverflow.DROP_LATEST] the oldest). [Channel.CONFLATED] keeps only the
 *   latest event, for consumers that only care about the current epoch.
 *
 * Events are delivered on the collector's context; the listener that feeds the buffer runs on the
 * writer's thread and only enqueues.
 *
 * @throws IllegalArgumentException if [bufferCapacity] is bounded and [onOverflow] is
 *   [BufferOverflow.SUSPEND] (the writer must never be made to wait)
 */
public fun <K, V, M> WriteHandle<K, V, M>.publishes(
    bufferCapacity: Int = Channel.UNLIMITED,
    onOverflow: BufferOverflow = BufferOverflow.DROP_OLDEST,
): Flow<PublishEvent<K, M>> {
    require(bufferCapacity == Channel.UNLIMITED || bufferCapacity == Channel.CONFLATED ||
        onOverflow != BufferOverflow.SUSPEND) {
        "onOverflow must drop events when bufferCapacity is bounded: publish() never waits for a collector"
    }
    val writer = this
    return callbackFlow {
        val subscription = try {
            writer.onPublish(object : PublishListener<K, M> {
                override fun onPublish(event: PublishEvent<K, M>) {
                    trySend(event) // never suspends; the buffer policy decides what a full buffer keeps
                }

                override fun onClose() {
                    channel.close()
                }
            })
        } catch (closed: IllegalStateException) {
            null // the map is closed: an empty flow
        }
        if (subscription == null) {
            channel.close()
        }
        awaitClose { subscription?.close() }
    }.buffer(
        bufferCapacity,
        if (bufferCapacity == Channel.UNLIMITED || bufferCapacity == Channel.CONFLATED) BufferOverflow.SUSPEND else onOverflow,
    )
}

/**
 * Suspends until readers can see publish [epoch] (the write you made before that publish), and
 * returns the publish count at that moment; returns at once if they already can.
 *
 * Cancellation: cancelling the waiting coroutine stops the wait with [kotlinx.coroutines.CancellationException]
 * and affects no other waiter; nothing is held.
 *
 * @throws IllegalStateException if the map is closed before that epoch is published
 */
public suspend fun <K, V, M> WriteHandle<K, V, M>.awaitPublish(epoch: Long): Long = whenPublished(epoch).await()

/**
 * Shares one [WriteHandle] between coroutines (and threads): each [write] runs its block alone on the
 * handle. Coroutines wait for their turn on a kotlinx [Mutex], so waiting never blocks a thread; the
 * block itself then runs under the handle's [WriteHandle.withLock], so Java threads using `withLock`
 * directly are excluded as well.
 *
 * The block is not suspending: a publish inside it waits only for readers inside the old copy (for
 * the length of a read or of a guard they hold), on the calling thread.
 */
public class SuspendingWriter<K, V, M>(
    /** The shared write handle. */
    public val handle: WriteHandle<K, V, M>,
) {
    private val mutex = Mutex()

    /**
     * Runs [block] on the handle while no other [write] (nor `withLock` caller) runs, and returns its
     * result.
     *
     * Cancellation: a coroutine cancelled while waiting for its turn leaves the queue without running
     * [block]; once [block] has started it runs to completion (it does not suspend).
     */
    public suspend fun <R> write(block: (WriteHandle<K, V, M>) -> R): R =
        mutex.withLock { handle.withLock { block(it) } }
}

/** A [SuspendingWriter] over this handle. */
public fun <K, V, M> WriteHandle<K, V, M>.suspending(): SuspendingWriter<K, V, M> = SuspendingWriter(this)
