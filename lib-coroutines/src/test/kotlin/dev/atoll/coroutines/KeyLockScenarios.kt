package dev.atoll.coroutines

import dev.atoll.lock.KeyLockMap
import dev.atoll.lock.LockMap
import dev.atoll.testkit.Seeds
import io.kotest.assertions.withClue
import io.kotest.matchers.shouldBe
import io.kotest.matchers.shouldNotBe
import kotlinx.coroutines.CompletableDeferred
import kotlinx.coroutines.CoroutineDispatcher
import kotlinx.coroutines.Dispatchers
import kotlinx.coroutines.Job
import kotlinx.coroutines.coroutineScope
import kotlinx.coroutines.launch
import kotlinx.coroutines.withContext
import kotlinx.coroutines.withTimeout
import kotlinx.coroutines.yield
import java.util.SplittableRandom
import java.util.concurrent.atomic.AtomicBoolean
import java.util.concurrent.atomic.AtomicInteger
import kotlin.concurrent.thread

/**
 * The coroutine scenarios, sized by the caller: the default specs run them small enough for the
 * normal build, the `*StressTest` classes run them large.
 */
internal object KeyLockScenarios {
    /** The number of per-key lock records (package-private in the core, read reflectively). */
    fun lockRecords(map: KeyLockMap<*, *>): Int {
        val m = Class.forName("dev.atoll.lock.AbstractLockMap").getDeclaredMethod("lockRecordCount")
        m.isAccessible = true
        return m.invoke(map) as Int
    }

    /** Every key can be taken at once: nobody holds or waits for it. */
    fun allFree(map: KeyLockMap<Int, *>, keys: Int) {
        for (k in 0 until keys) {
            val e = map.tryEntry(k)
            withClue("key $k is still held or waited for") { e shouldNotBe null }
            e!!.close()
        }
    }

    /** Threads (blocking entries) and coroutines (suspending withLock) on the same keys. */
    suspend fun mixedThreadsAndCoroutines(threads: Int, threadOps: Int, coroutines: Int, coroutineOps: Int) {
        val seed = Seeds.next()
        val map = LockMap<Int, Int>(4)
        val keys = 16
        val plain = LongArray(keys)
        val workers = (0 until threads).map { t ->
            thread {
                val rnd = SplittableRandom(seed + t)
                repeat(threadOps) {
                    val k = rnd.nextInt(keys)
                    map.entry(k).use { e ->
                        plain[k]++
                        e.set((e.get() ?: 0) + 1)
                    }
                }
            }
        }
        withContext(Dispatchers.Default) {
            repeat(coroutines) { c ->
                launch {
                    val rnd = SplittableRandom(seed * 31 + c)
                    repeat(coroutineOps) {
                        val k = rnd.nextInt(keys)
                        map.withLock(k) { e ->
                            plain[k]++
                            if (rnd.nextInt(4) == 0) yield() // hold the key across a suspension
                            e.set((e.get() ?: 0) + 1)
                        }
                    }
                }
            }
        }
        workers.forEach { it.join() }
        val expected = threads.toLong() * threadOps + coroutines.toLong() * coroutineOps
        withClue(Seeds.describe(seed)) {
            plain.sum() shouldBe expected
            (0 until keys).sumOf { (map[it] ?: 0).toLong() } shouldBe expected
            lockRecords(map) shouldBe map.size
        }
        allFree(map, keys)
    }

    /** Overlapping batches from coroutines (suspending) and threads (blocking) all finish. */
    suspend fun overlappingBatches(threads: Int, threadBatches: Int, coroutines: Int, coroutineBatches: Int) {
        val seed = Seeds.next()
        val map = LockMap<Int, Int>(2)
        val keys = 24
        val plain = LongArray(keys)
        fun pick(rnd: SplittableRandom): List<Int> = List(1 + rnd.nextInt(6)) { rnd.nextInt(keys) }
        val workers = (0 until threads).map { t ->
            thread {
                val rnd = SplittableRandom(seed + t)
                repeat(threadBatches) {
                    val ks = pick(rnd)
                    map.batchLock(ks).use { b -> for (k in ks.toSet()) { plain[k]++; b.entry(k).set(1) } }
                }
            }
        }
        withContext(Dispatchers.Default) {
            repeat(coroutines) { c ->
                launch {
                    val rnd = SplittableRandom(seed * 17 + c)
                    repeat(coroutineBatches) {
                        val ks = pick(rnd)
                        map.withBatchLock(ks) { b ->
                            for (k in ks.toSet()) {
                                plain[k]++
                                if (rnd.nextInt(8) == 0) yield()
                                b.entry(k).remove()
                            }
                        }
                    }
                }
            }
        }
        workers.forEach { it.join() }
        // replay the random choices to know how many increments each side made
        var expected = 0L
        for (t in 0 until threads) {
            val rnd = SplittableRandom(seed + t)
            repeat(threadBatches) { expected += pick(rnd).toSet().size }
        }
        for (c in 0 until coroutines) {
            val rnd = SplittableRandom(seed * 17 + c)
            repeat(coroutineBatches) {
                val distinct = pick(rnd).toSet()
                expected += distinct.size
                repeat(distinct.size) { rnd.nextInt(8) }
            }
        }
        withClue(Seeds.describe(seed)) {
            plain.sum() shouldBe expected
            lockRecords(map) shouldBe map.size
        }
        allFree(map, keys)
    }

    /**
     * [coroutines] coroutines lock random keys; a random third of them is cancelled at random
     * moments (before starting, while waiting, while holding). Afterwards every key is free, no
     * lock record is left and the map is empty.
     */
    suspend fun cancellationStorm(coroutines: Int) {
        val seed = Seeds.next()
        val map = LockMap<Int, Int>(4)
        val keys = 32
        val completed = AtomicInteger()
        val plain = LongArray(keys)
        withContext(Dispatchers.Default) {
            val jobs = arrayOfNulls<Job>(coroutines)
            val canceller = launch {
                val rnd = SplittableRandom(seed)
                var cancelled = 0
                while (cancelled < coroutines / 3) {
                    val j = jobs[rnd.nextInt(coroutines)]
                    if (j != null) {
                        j.cancel()
                        cancelled++
                    }
                    if (rnd.nextInt(8) == 0) yield()
                }
            }
            repeat(coroutines) { c ->
                jobs[c] = launch {
                    val k = Math.floorMod((seed + c * 0x9E3779B97L).toInt(), keys)
                    map.withLock(k) { e ->
                        try {
                            e.set(c)
                            if (c % 3 == 0) yield()
                            plain[k]++
                            completed.incrementAndGet()
                        } finally {
                            e.remove()
                        }
                    }
                }
            }
            canceller.join()
        }
        withClue(Seeds.describe(seed)) {
            plain.sum() shouldBe completed.get().toLong()
            map.isEmpty() shouldBe true
            lockRecords(map) shouldBe 0
        }
        allFree(map, keys)
        withClue(Seeds.describe(seed)) { lockRecords(map) shouldBe 0 }
        (completed.get() >= coroutines - coroutines / 3) shouldBe true
    }

    /**
     * One coroutine relocks a key in a loop the whole time, taking it before the woken waiter
     * whenever it can, while [waiters] coroutines wait for the key: bounded barging lets every
     * waiter have it (a starved waiter makes the test time out instead of finishing).
     */
    suspend fun waitersNotStarvedByAGreedyCoroutine(waiters: Int) {
        val map = LockMap<String, Int>()
        val done = AtomicBoolean()
        val taken = AtomicInteger()
        withTimeout(120_000) {
            withContext(Dispatchers.Default) {
                val looping = CompletableDeferred<Unit>()
                val greedy = launch {
                    var n = 0
                    while (!done.get()) {
                        map.withLock("k") { it.set(n++) }
                        looping.complete(Unit)
                    }
                }
                looping.await()
                coroutineScope {
                    repeat(waiters) { launch { map.withLock("k") { taken.incrementAndGet() } } }
                }
                done.set(true)
                greedy.join()
            }
        }
        taken.get() shouldBe waiters
        lockRecords(map) shouldBe 1 // the key keeps its value; nobody holds or waits
    }

    /** [coroutines] coroutines queue on one key on a two-thread dispatcher and all complete. */
    suspend fun manyWaitersOnOneKey(coroutines: Int, dispatcher: CoroutineDispatcher) {
        val map = LockMap<String, Int>()
        val gate = map.lockAsync("k").join() // held by no thread, so it can be closed from any
        var count = 0
        withContext(dispatcher) {
            coroutineScope {
                repeat(coroutines) { launch { map.withLock("k") { count++ } } }
                launch { gate.close() }
            }
        }
        count shouldBe coroutines
        lockRecords(map) shouldBe 0
    }
}
