package dev.atoll.samples.replica

import dev.atoll.coroutines.publishes
import dev.atoll.leftright.LeftRightMap
import kotlinx.coroutines.CoroutineScope
import kotlinx.coroutines.Dispatchers
import kotlinx.coroutines.flow.MutableStateFlow
import kotlinx.coroutines.flow.first
import kotlinx.coroutines.launch
import kotlinx.coroutines.runBlocking
import kotlinx.coroutines.withContext
import kotlinx.coroutines.yield
import java.util.SplittableRandom
import java.util.concurrent.ConcurrentHashMap
import java.util.concurrent.atomic.AtomicBoolean
import java.util.concurrent.atomic.AtomicLong
import kotlin.concurrent.thread

/** One product's price, as the upstream system publishes it. */
data class Price(val product: String, val category: String, val cents: Long, val version: Long)

/**
 * A simulated upstream (a database change stream, say): each batch reprices every product of one
 * category at a new version, so a consistent reader always sees one version per category.
 */
class Upstream(private val products: Int, private val categories: Int, seed: Long) {
    private val rnd = SplittableRandom(seed)
    private var version = 0L

    /** The initial catalogue: every product at version 0. */
    fun snapshot(): List<Price> = (0 until products).map { Price("p$it", "c${it % categories}", 1_000, 0) }

    /** The next change batch. */
    fun nextBatch(): List<Price> {
        version++
        val category = rnd.nextInt(categories)
        return (category until products step categories).map { Price("p$it", "c$category", rnd.nextLong(100, 10_000), version) }
    }
}

/** What one run of the read-replica cache saw. */
data class ReplicaReport(
    val publishes: Long,
    val reads: Long,
    val tornReads: Long,
    val averages: Map<String, Long>,
    val expectedAverages: Map<String, Long>,
    val lagsMicros: List<Long>,
)

/**
 * A reactive read-replica cache: a [LeftRightMap] replica of the upstream catalogue. The feeder
 * applies each upstream batch and publishes it (meta = when upstream emitted it); reader threads
 * read whole categories without ever locking or waiting; a Kotlin consumer of `publishes()` keeps a
 * derived view (average price per category) up to date by recomputing only the categories whose
 * products changed, and measures the replica lag of each publish.
 */
fun runReadReplica(batches: Int, readerThreads: Int, seed: Long, print: Boolean): ReplicaReport = runBlocking {
    val upstream = Upstream(products = 2_000, categories = 20, seed = seed)
    val replica = LeftRightMap.create<String, Price, Long>()
    val writer = replica.writer()
    upstream.snapshot().forEach { writer.update(it.product, it) }
    writer.setMeta(System.nanoTime())
    writer.publish()

    // the derived view, kept up to date from the publish events
    val averages = ConcurrentHashMap<String, Long>()
    val lags = mutableListOf<Long>()
    val consumed = MutableStateFlow(0L)
    fun recompute(reader: dev.atoll.leftright.ReadHandle<String, Price, Long>, categories: Set<String>) {
        reader.enter().use { state ->
            val sums = HashMap<String, LongArray>()
            state.forEach { _, values ->
                val p = values.getOne()
                if (p.category in categories) sums.getOrPut(p.category) { LongArray(2) }.let { it[0] += p.cents; it[1]++ }
            }
            sums.forEach { (c, s) -> averages[c] = s[0] / s[1] }
        }
    }
    val consumerReader = replica.readers().handle()
    recompute(consumerReader, (0 until 20).map { "c$it" }.toSet())
    val consumer = launch(Dispatchers.Default) {
        writer.publishes().collect { event ->
            val lagMicros = (System.nanoTime() - event.meta()) / 1_000
            val categories = event.changedKeys().mapNotNull { writer.getOne(it)?.category }.toSet()
            // the consumer runs on pool threads: a ReadHandle per recomputation keeps it single-threaded
            replica.readers().handle().use { recompute(it, categories) }
            lags += lagMicros
            if (print) println("publish #${event.epoch()}: ${event.changedKeys().size} prices changed in $categories, replica lag $lagMicros µs")
            consumed.value = event.epoch()
        }
    }
    consumerReader.close()
    while (writer.listenerCount() == 0) yield()

    // readers: each checks that every category it sees has one version (no half-applied batch)
    val stop = AtomicBoolean()
    val reads = AtomicLong()
    val torn = AtomicLong()
    val readers = (0 until readerThreads).map { t ->
        thread(name = "replica-reader-$t") {
            replica.readers().handle().use { r ->
                while (!stop.get()) {
                    r.enter().use { state ->
                        val versions = HashMap<String, Long>()
                        state.forEach { _, values ->
                            val p = values.getOne()
                            if (versions.getOrPut(p.category) { p.version } != p.version) torn.incrementAndGet()
                        }
                    }
                    reads.incrementAndGet()
                }
            }
        }
    }

    withContext(Dispatchers.Default) { // the feeder
        repeat(batches) {
            val batch = upstream.nextBatch()
            val emittedAt = System.nanoTime()
            batch.forEach { writer.update(it.product, it) }
            writer.setMeta(emittedAt)
            writer.publish()
        }
    }
    consumed.first { it == batches + 1L }
    val expected = HashMap<String, Long>()
    replica.readers().handle().use { r ->
        val sums = HashMap<String, LongArray>()
        r.forEach { _, values -> val p = values.getOne(); sums.getOrPut(p.category) { LongArray(2) }.let { it[0] += p.cents; it[1]++ } }
        sums.forEach { (c, s) -> expected[c] = s[0] / s[1] }
    }
    stop.set(true)
    readers.forEach { it.join() }
    val publishes = writer.publishCount()
    writer.close() // ends the publishes() flow: the consumer completes
    consumer.join()
    ReplicaReport(publishes, reads.get(), torn.get(), HashMap(averages), expected, lags.toList())
}

/** Runs the replica for 200 batches with 4 reader threads, printing each publish and a summary. */
fun main() {
    val r = runReadReplica(batches = 200, readerThreads = 4, seed = 1, print = true)
    println("${r.publishes} publishes, ${r.reads} whole-catalogue reads, ${r.tornReads} torn; " +
        "median lag ${r.lagsMicros.sorted()[r.lagsMicros.size / 2]} µs; derived view ${if (r.averages == r.expectedAverages) "exact" else "WRONG"}")
}
