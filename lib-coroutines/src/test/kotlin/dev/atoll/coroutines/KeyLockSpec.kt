package dev.atoll.coroutines

import io.kotest.core.spec.style.FunSpec
import kotlinx.coroutines.Dispatchers

/**
 * Suspending per-key locks of [dev.atoll.lock.LockMap] with real dispatchers, at sizes for the
 * default build; [KeyLockStressTest] runs the same scenarios larger.
 */
class KeyLockSpec : FunSpec({
    test("threads and coroutines mixed on the same keys keep plain counters exact") {
        KeyLockScenarios.mixedThreadsAndCoroutines(threads = 2, threadOps = 20_000, coroutines = 1_000, coroutineOps = 40)
    }

    test("10,000 overlapping batches from coroutines and threads finish") {
        KeyLockScenarios.overlappingBatches(threads = 2, threadBatches = 2_500, coroutines = 100, coroutineBatches = 50)
    }

    test("cancellation storm of 100,000 coroutines leaves every key free and the map empty") {
        KeyLockScenarios.cancellationStorm(100_000)
    }

    test("waiting coroutines are not starved by a coroutine that relocks the key in a loop") {
        KeyLockScenarios.waitersNotStarvedByAGreedyCoroutine(200)
    }

    test("100,000 coroutines waiting on one key on a 2-thread dispatcher all complete") {
        KeyLockScenarios.manyWaitersOnOneKey(100_000, Dispatchers.Default.limitedParallelism(2))
    }
})
