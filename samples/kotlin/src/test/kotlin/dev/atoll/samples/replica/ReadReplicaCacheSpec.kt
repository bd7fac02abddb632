package dev.atoll.samples.replica

import io.kotest.core.spec.style.FunSpec
import io.kotest.matchers.shouldBe
import io.kotest.matchers.shouldNotBe

/** The read-replica sample: readers never see half a batch, and the derived view ends exact. */
class ReadReplicaCacheSpec : FunSpec({
    test("300 upstream batches: no torn read, one lag per publish, derived view equals a recomputation") {
        val r = runReadReplica(batches = 300, readerThreads = 4, seed = 7, print = false)
        r.publishes shouldBe 301L // the initial catalogue, then one per batch
        r.tornReads shouldBe 0L
        r.lagsMicros.size shouldBe 300
        r.averages shouldBe r.expectedAverages
        r.expectedAverages.size shouldBe 20
        r.reads shouldNotBe 0L
    }
})
