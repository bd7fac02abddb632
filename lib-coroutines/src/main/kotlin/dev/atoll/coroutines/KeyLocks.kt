package dev.atoll.coroutines

import dev.atoll.lock.BatchEntry
import dev.atoll.lock.Entry
import dev.atoll.lock.KeyLockMap
import kotlinx.coroutines.suspendCancellableCoroutine
import java.util.concurrent.CompletableFuture
import kotlin.coroutines.resume
import kotlin.coroutines.resumeWithException

/*
 * Suspending per-key locks for LockMap and LruLockMap (both KeyLockMap). There is no second
 * implementation here: lock drives a LockRequest of the Java core, which queues in the same FIFO
 * as blocking threads and is treated like one: poll takes the key (at once if it is free, or
 * after a wake-up as the longest waiter), and between polls the coroutine suspends until the
 * request's onReady action resumes it. Waiting never blocks a thread. Any exception out of the
 * loop (cancellation while suspended, or a cancelled coroutine resumed by its wake-up) cancels the
 * request, which the core turns into "leave the queue, or, if the key was granted at the same
 * moment, release it again", so a cancelled caller never holds a key. Batches wait for the future
 * of batchLockAsync: cancellation withdraws it through CompletableFuture.cancel, and a grant that
 * reaches an already cancelled coroutine is released by the onCancellation handler of resume.
 */

/**
 * Locks [key] (present or absent) for the calling coroutine, suspending until it is granted; the
 * coroutine then holds it exclusively against threads and other coroutines until it calls
 * [Entry.close]. Prefer [withLock], which cannot forget to close.
 *
 * Waiters are served first-in-first-out, together with threads blocked in [KeyLockMap.entry], and
 * never overtake each other. When the key is released, the longest waiter is resumed to take it;
 * a caller that is not waiting yet may take it first, but only for a bounded time: once the
 * longest waiter has waited about 1 ms, released keys are handed to it directly (see
 * [dev.atoll.lock.LockMap]). This spares a thread switch per release when a coroutine relocks a
 * key in a loop while others wait.
 * The returned entry belongs to no thread: it may be used and closed from whatever thread the
 * coroutine resumes on. The lock is not reentrant: a coroutine that locks a key it already holds
 * suspends until it is cancelled.
 *
 * **Cancellation.** If the coroutine is cancelled while suspended here, its request leaves the
 * queue and this function throws [kotlinx.coroutines.CancellationException]; if the key was granted
 * at the same moment, it is released again before the exception is thrown, so a cancelled call
 * never leaves the key held. If the key is free, it is taken without suspending (as
 * `Mutex.lock` does), even when the coroutine is already cancelled.
 */
public suspend fun <K, V> KeyLockMap<K, V>.lock(key: K): Entry<K, V> {
    // a free key is taken by lockRequest itself: the first poll returns it, nothing suspends
    val request = lockRequest(key)
    try {
        while (true) {
            request.poll()?.let { return it }
            suspendCancellableCoroutine { cont -> request.onReady { cont.resume(Unit) } }
        }
    } catch (e: Throwable) {
        request.cancel() // leave the queue, or give back a key granted at the same moment
        throw e
    }
}

/**
 * Runs [block] while holding the lock of [key] and releases the lock afterwards, whether [block]
 * returns, throws or is cancelled.
 *
 * **Cancellation.** Cancellation while waiting for the key behaves as in [lock]: the request is
 * withdrawn and nothing stays held. Cancellation while [block] runs is up to [block] (it is
 * cancelled at its next suspension point); the `finally` releases the key in any case.
 */
public suspend inline fun <K, V, R> KeyLockMap<K, V>.withLock(key: K, block: suspend (Entry<K, V>) -> R): R {
    val entry = lock(key)
    try {
        return block(entry)
    } finally {
        entry.close()
    }
}

/**
 * Locks every key of [keys] (duplicates once), suspending until all are held, in the same global
 * key order as [KeyLockMap.batchLock] uses for threads, so batches from coroutines and threads never
 * deadlock each other. Close the returned batch to release every key; prefer [withBatchLock].
 *
 * (It is not called `batchLock` because the blocking Java member of that name would shadow it.)
 *
 * **Cancellation.** If the coroutine is cancelled while suspended here, the pending request is
 * withdrawn and every key already taken by this call is released before
 * [kotlinx.coroutines.CancellationException] is thrown; if the whole batch was granted at the same
 * moment, it is released too.
 */
public suspend fun <K, V> KeyLockMap<K, V>.lockBatch(keys: Collection<K>): BatchEntry<K, V> =
    awaitGrant(batchLockAsync(keys)) { it.close() }

/**
 * Runs [block] while holding the locks of all [keys] (see [lockBatch]) and releases them
 * afterwards, whether [block] returns, throws or is cancelled.
 *
 * **Cancellation.** Cancellation while waiting behaves as in [lockBatch]: nothing stays held.
 * Cancellation while [block] runs is up to [block]; the `finally` releases every key in any case.
 */
public suspend inline fun <K, V, R> KeyLockMap<K, V>.withBatchLock(keys: Collection<K>, block: suspend (BatchEntry<K, V>) -> R): R {
    val batch = lockBatch(keys)
    try {
        return block(batch)
    } finally {
        batch.close()
    }
}

/** Suspends until [future] (a lock request of the core) completes; [release] gives back a late grant. */
private suspend fun <T : Any> awaitGrant(future: CompletableFuture<T>, release: (T) -> Unit): T {
    if (future.isDone) {
        return future.join() // granted at once; a lock request is never cancelled by anyone else
    }
    return suspendCancellableCoroutine { cont ->
        cont.invokeOnCancellation { future.cancel(false) }
        future.whenComplete { value, error ->
            if (error == null) {
                cont.resume(value) { _, granted, _ -> release(granted) }
            } else {
                cont.resumeWithException(error) // only after our own cancel: ignored by the cancelled continuation
            }
        }
    }
}
