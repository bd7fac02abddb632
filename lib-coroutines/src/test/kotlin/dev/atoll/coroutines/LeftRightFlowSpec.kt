package dev.atoll.coroutines

import dev.atoll.leftright.LeftRightMap
import dev.atoll.leftright.PublishEvent
import io.kotest.assertions.throwables.shouldThrow
import io.kotest.core.spec.style.FunSpec
import io.kotest.matchers.shouldBe
import kotlinx.coroutines.CancellationException
import kotlinx.coroutines.CompletableDeferred
import kotlinx.coroutines.Dispatchers
import kotlinx.coroutines.async
import kotlinx.coroutines.channels.BufferOverflow
import kotlinx.coroutines.channels.Channel
import kotlinx.coroutines.coroutineScope
import kotlinx.coroutines.flow.take
import kotlinx.coroutines.flow.toList
import kotlinx.coroutines.launch
import kotlinx.coroutines.withContext
import kotlinx.coroutines.yield

/** The Kotlin layer of the left-right map: the publish Flow, awaitPublish and the suspending writer. */
class LeftRightFlowSpec : FunSpec({
    suspend fun awaitListeners(w: dev.atoll.leftright.WriteHandle<*, *, *>, n: Int) {
        while (w.listenerCount() != n) yield()
    }

    test("a collector gets every one of 10,000 publishes, in order, with the default policy") {
        val map = LeftRightMap.create<Int, Int, String>()
        val w = map.writer()
        withContext(Dispatchers.Default) {
            val events = async { w.publishes().take(10_000).toList() }
            awaitListeners(w, 1)
            repeat(10_000) { i ->
                w.insert(i % 100, i).setMeta("m$i")
                w.publish()
            }
            val got = events.await()
            got.map { it.epoch } shouldBe (1L..10_000L).toList()
            got[41].meta shouldBe "m41"
            got[41].changedKeys shouldBe setOf(41)
        }
        awaitListeners(w, 0) // take() stopped collecting: the subscription is gone
    }

    test("cancelling the collector frees its subscription") {
        val w = LeftRightMap.create<String, Int, Unit>().writer()
        withContext(Dispatchers.Default) {
            val job = launch { w.publishes().collect { } }
            awaitListeners(w, 1)
            w.publish()
            job.cancel()
            job.join()
            w.listenerCount() shouldBe 0
            w.publish() // nothing left to call
        }
    }

    test("the flow completes when the map closes, and is empty for a closed map") {
        val w = LeftRightMap.create<String, Int, Unit>().writer()
        withContext(Dispatchers.Default) {
            val events = async { w.publishes().toList() }
            awaitListeners(w, 1)
            w.insert("a", 1).publish()
            w.insert("b", 1).publish()
            w.close()
            events.await().map(PublishEvent<String, Unit>::changedKeys) shouldBe listOf(setOf("a"), setOf("b"))
            w.publishes().toList() shouldBe emptyList()
        }
    }

    test("a bounded buffer must drop, never make the writer wait; a conflated one keeps the latest") {
        val w = LeftRightMap.create<String, Int, Unit>().writer()
        shouldThrow<IllegalArgumentException> { w.publishes(16, BufferOverflow.SUSPEND) }
        withContext(Dispatchers.Default) {
            val gate = CompletableDeferred<Unit>()
            val seen = async {
                w.publishes(Channel.CONFLATED).take(2).toList()
            }
            val slow = async {
                val got = mutableListOf<Long>()
                w.publishes(Channel.CONFLATED).take(2).collect { got += it.epoch; gate.await() }
                got
            }
            awaitListeners(w, 2)
            repeat(6) { w.publish() } // the slow collector holds at its first event meanwhile
            gate.complete(Unit)
            slow.await() shouldBe listOf(1L, 6L)
            seen.await().size shouldBe 2
        }
    }

    test("awaitPublish returns once readers can see the epoch; cancelling one waiter leaves the others") {
        val map = LeftRightMap.create<String, Int, Unit>()
        val w = map.writer()
        withContext(Dispatchers.Default) {
            val first = async { w.awaitPublish(2) }
            val second = async { w.awaitPublish(2) }
            w.publish()
            first.cancel()
            w.insert("x", 1).publish()
            second.await() shouldBe 2L
            shouldThrow<CancellationException> { first.await() }
            map.readers().handle().use { it.getOne("x") shouldBe 1 }
            w.awaitPublish(1) shouldBe 2L
        }
        w.close()
        shouldThrow<IllegalStateException> { w.awaitPublish(3) }
    }

    test("a suspending writer lets many coroutines write and publish through one handle") {
        val map = LeftRightMap.create<Int, Int, Unit>()
        val writer = map.writer().suspending()
        withContext(Dispatchers.Default) {
            coroutineScope {
                repeat(100) { c ->
                    launch {
                        repeat(100) { i -> writer.write { it.insert(c, i); if (i % 10 == 0) it.publish() } }
                    }
                }
            }
        }
        writer.write { it.publish() }
        map.readers().handle().use { r -> (0 until 100).sumOf { r.get(it).size } shouldBe 10_000 }
    }
})
