package dev.atoll.coroutines

import dev.atoll.testkit.CollidingKey
import dev.atoll.testkit.Seeds
import io.kotest.core.spec.style.FunSpec
import io.kotest.matchers.shouldBe
import kotlinx.coroutines.Dispatchers
import kotlinx.coroutines.coroutineScope
import kotlinx.coroutines.launch
import kotlinx.coroutines.withContext
import java.util.SplittableRandom
import java.util.concurrent.ConcurrentHashMap

/**
 * Shows that Kotest specs run in the default build and that the Java test kit (atoll-core's test-jar)
 * is usable from Kotlin: coroutines on a real dispatcher hammer a map with merges, and the totals
 * must be exact.
 */
class TestKitSpec : FunSpec({
    test("coroutines on Dispatchers.Default lose no merge on a ConcurrentHashMap") {
        val seed = Seeds.next()
        val map = ConcurrentHashMap<CollidingKey, Int>()
        withContext(Dispatchers.Default) {
            coroutineScope {
                repeat(64) { c ->
                    launch {
                        val rnd = SplittableRandom(seed + c)
                        repeat(1_000) { map.merge(CollidingKey(rnd.nextInt(16)), 1, Int::plus) }
                    }
                }
            }
        }
        withClue(Seeds.describe(seed)) { map.values.sum() shouldBe 64_000 }
    }
})

private inline fun <T> withClue(clue: String, block: () -> T): T = io.kotest.assertions.withClue(clue, block)
