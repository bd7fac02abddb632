package dev.atoll.benchmarks

import dev.atoll.coroutines.withLock
import dev.atoll.lock.LockMap
import kotlinx.coroutines.runBlocking
import kotlinx.coroutines.sync.Mutex
import kotlinx.coroutines.sync.withLock
import java.util.concurrent.ConcurrentHashMap

/**
 * The coroutine side of [SuspendLockBenchmark]: each call runs [BATCH] suspending lock+unlock cycles
 * inside one `runBlocking`, so the cost of entering a coroutine is spread over the batch and the
 * same for every implementation.
 */
object SuspendLocks {
    /** Lock+unlock cycles per call; the benchmark's operations per invocation. */
    const val BATCH: Int = 100

    /** The `ConcurrentHashMap<K, Mutex>` pattern with kotlinx.coroutines' [Mutex]. */
    @JvmStatic
    fun mutexMap(map: ConcurrentHashMap<Long, Mutex>, keys: Array<Long>, start: Int): Int = runBlocking {
        var i = start
        repeat(BATCH) {
            map.computeIfAbsent(keys[i++ and 1023]) { Mutex() }.withLock { }
        }
        i
    }

    /** Atoll's suspending per-key lock: `LockMap.withLock`. */
    @JvmStatic
    fun lockMap(map: LockMap<Long, Long>, keys: Array<Long>, start: Int): Int = runBlocking {
        var i = start
        repeat(BATCH) {
            map.withLock(keys[i++ and 1023]) { }
        }
        i
    }
}
