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

    /** A [Mutex] with the number of coroutines that use it; [users] changes only inside the map's compute. */
    class CountedMutex {
        /** The lock. */
        val mutex: Mutex = Mutex()

        /** Callers between their compute and computeIfPresent. */
        var users: Int = 0
    }

    /**
     * The same pattern with the clean-up that gives LockMap's guarantee (a key neither held nor
     * waited for costs no memory): a use count changed inside `compute`/`computeIfPresent`, the
     * mutex removed when it drops to zero.
     */
    @JvmStatic
    fun mutexMapCleanup(map: ConcurrentHashMap<Long, CountedMutex>, keys: Array<Long>, start: Int): Int = runBlocking {
        var i = start
        repeat(BATCH) {
            val key = keys[i++ and 1023]
            val m = map.compute(key) { _, v -> (v ?: CountedMutex()).also { it.users++ } }!!
            try {
                m.mutex.withLock { }
            } finally {
                map.computeIfPresent(key) { _, v -> if (--v.users == 0) null else v }
            }
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
