package dev.atoll.coroutines

import io.kotest.core.annotation.EnabledCondition
import io.kotest.core.annotation.EnabledIf
import io.kotest.core.annotation.Tags
import io.kotest.core.spec.Spec
import io.kotest.core.spec.style.FunSpec
import kotlinx.coroutines.Dispatchers
import kotlin.reflect.KClass

/**
 * The [KeyLockSpec] scenarios at stress sizes (about three minutes on two cores).
 *
 * Tagged "stress", but Kotest's JUnit Platform engine does not apply surefire's tag filters
 * (`excludedGroups`), so the class also switches itself off unless it is asked for:
 * `-Datoll.stress=true`, or a Kotest tag expression naming stress (`-Dkotest.tags=stress`).
 * `mvn verify -Pstress` sets both (see the `stress` profile in this module's pom).
 */
@Tags("stress")
@EnabledIf(StressRequested::class)
class KeyLockStressTest : FunSpec({
    test("stress: threads and coroutines mixed on the same keys") {
        KeyLockScenarios.mixedThreadsAndCoroutines(threads = 4, threadOps = 500_000, coroutines = 10_000, coroutineOps = 200)
    }

    test("stress: 200,000 overlapping batches from coroutines and threads") {
        KeyLockScenarios.overlappingBatches(threads = 4, threadBatches = 25_000, coroutines = 1_000, coroutineBatches = 100)
    }

    test("stress: cancellation storms") {
        repeat(10) { KeyLockScenarios.cancellationStorm(200_000) }
    }

    test("stress: 1,000,000 coroutines waiting on one key on a 2-thread dispatcher") {
        KeyLockScenarios.manyWaitersOnOneKey(1_000_000, Dispatchers.Default.limitedParallelism(2))
    }
})

/** Enables a stress spec only when `atoll.stress=true` or `kotest.tags` mentions "stress". */
class StressRequested : EnabledCondition {
    override fun enabled(kclass: KClass<out Spec>): Boolean =
        System.getProperty("atoll.stress") == "true" || System.getProperty("kotest.tags").orEmpty().contains("stress")
}
