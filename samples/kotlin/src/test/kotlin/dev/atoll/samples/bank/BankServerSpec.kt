package dev.atoll.samples.bank

import io.kotest.core.spec.style.FunSpec
import io.kotest.matchers.shouldBe
import io.kotest.matchers.string.shouldContain
import kotlinx.coroutines.CoroutineScope
import kotlinx.coroutines.Dispatchers
import kotlinx.coroutines.SupervisorJob
import kotlinx.coroutines.async
import kotlinx.coroutines.cancel
import kotlinx.coroutines.delay
import kotlinx.coroutines.future.await
import kotlinx.coroutines.withContext
import kotlinx.coroutines.withTimeout
import kotlinx.serialization.json.Json
import kotlinx.serialization.json.jsonObject
import kotlinx.serialization.json.jsonPrimitive
import kotlinx.serialization.json.long
import java.net.URI
import java.net.http.HttpClient
import java.net.http.HttpRequest
import java.net.http.HttpResponse
import java.util.SplittableRandom
import java.util.concurrent.CompletableFuture
import java.util.concurrent.Semaphore
import java.util.concurrent.TimeUnit

/**
 * The Ktor sample end to end, through a real HTTP client on loopback: a burst of concurrent deposits
 * and opposite transfers conserves money and leaves every balance exact; bad input gets a clear 4xx
 * and changes nothing; `/events` streams replica publishes.
 */
class BankServerSpec : FunSpec({
    val accounts = (0 until 10).associate { "acct-$it" to 1_000_000L }
    val scope = CoroutineScope(SupervisorJob() + Dispatchers.Default)
    val bank = Bank.open(accounts, scope)
    val server = startBankServer(bank)
    val base = "http://127.0.0.1:${server.port()}"
    val client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build()

    fun post(path: String, body: String): CompletableFuture<HttpResponse<String>> = client.sendAsync(
        HttpRequest.newBuilder(URI.create(base + path)).header("Content-Type", "application/json")
            .POST(HttpRequest.BodyPublishers.ofString(body)).build(),
        HttpResponse.BodyHandlers.ofString(),
    )

    fun get(path: String): HttpResponse<String> =
        client.send(HttpRequest.newBuilder(URI.create(base + path)).GET().build(), HttpResponse.BodyHandlers.ofString())

    fun replicaBalance(id: String): Long =
        Json.parseToJsonElement(get("/accounts/$id").body()).jsonObject["balance"]!!.jsonPrimitive.long

    suspend fun awaitReplicaCaughtUp() = withTimeout(60_000) { // deadlock guard, not a timing assertion
        while (true) {
            val lag = Json.parseToJsonElement(get("/replica").body()).jsonObject
            if (lag["committed"]!!.jsonPrimitive.long == lag["replicated"]!!.jsonPrimitive.long) break
            delay(10)
        }
    }

    afterSpec {
        server.stop(100, 1_000)
        bank.close()
        scope.cancel()
    }

    test("2,000 concurrent deposits and opposite transfers conserve money and leave exact balances") {
        val rnd = SplittableRandom(42)
        val expected = accounts.toMutableMap()
        val requests = mutableListOf<Pair<String, String>>()
        var deposited = 0L
        repeat(1_000) {
            val a = "acct-${rnd.nextInt(10)}"
            val amount = rnd.nextLong(1, 100)
            requests += "/accounts/$a/deposit" to """{"amount": $amount}"""
            expected[a] = expected[a]!! + amount
            deposited += amount
        }
        repeat(500) { // pairs of opposite transfers: a->b and b->a run concurrently
            val a = rnd.nextInt(10)
            val b = (a + 1 + rnd.nextInt(9)) % 10
            for ((from, to) in listOf(a to b, b to a)) {
                val amount = rnd.nextLong(1, 500)
                requests += "/transfers" to """{"from": "acct-$from", "to": "acct-$to", "amount": $amount}"""
                expected["acct-$from"] = expected["acct-$from"]!! - amount
                expected["acct-$to"] = expected["acct-$to"]!! + amount
            }
        }
        requests.shuffle(java.util.Random(7))
        val inFlight = Semaphore(64)
        val responses = requests.map { (path, body) ->
            inFlight.acquire()
            post(path, body).whenComplete { _, _ -> inFlight.release() }
        }
        val statuses = responses.map { it.get(2, TimeUnit.MINUTES).statusCode() } // deadlock guard
        statuses.groupingBy { it }.eachCount() shouldBe mapOf(200 to 2_000)

        awaitReplicaCaughtUp()
        accounts.keys.forEach { id ->
            bank.ledgerBalance(id) shouldBe expected[id]
            replicaBalance(id) shouldBe expected[id]
        }
        accounts.keys.sumOf { replicaBalance(it) } shouldBe 10_000_000L + deposited
    }

    test("bad input gets a clear 4xx JSON error and changes nothing") {
        awaitReplicaCaughtUp()
        val before = accounts.keys.associateWith { replicaBalance(it) }
        suspend fun expectError(path: String, body: String, status: Int, message: String) {
            val r = post(path, body).await()
            r.statusCode() shouldBe status
            r.headers().firstValue("Content-Type").orElse("") shouldContain "application/json"
            Json.parseToJsonElement(r.body()).jsonObject["error"]!!.jsonPrimitive.content shouldContain message
        }
        expectError("/accounts/nobody/deposit", """{"amount": 5}""", 404, "no account 'nobody'")
        expectError("/accounts/acct-1/deposit", """{"amount": -5}""", 400, "positive")
        expectError("/accounts/acct-1/deposit", """{"amount": 0}""", 400, "positive")
        expectError("/accounts/acct-1/deposit", """{"amount": "ten"}""", 400, "positive")
        expectError("/accounts/acct-1/deposit", """{"amount": 1.5}""", 400, "positive")
        expectError("/accounts/acct-1/deposit", """{"amount": 5""", 400, "malformed JSON")
        expectError("/accounts/acct-1/deposit", "", 400, "JSON object")
        expectError("/accounts/acct-1/deposit", """{"amount": 9223372036854775807}""", 400, "too large")
        expectError("/transfers", """{"from": "acct-1", "to": "nobody", "amount": 5}""", 404, "no account 'nobody'")
        expectError("/transfers", """{"from": "acct-1", "to": "acct-1", "amount": 5}""", 400, "differ")
        expectError("/transfers", """{"from": "acct-1", "to": "acct-2", "amount": 999999999999}""", 409, "holds less")
        expectError("/transfers", """{"from": "acct-1", "amount": 5}""", 400, "'to'")
        get("/accounts/nobody").statusCode() shouldBe 404
        awaitReplicaCaughtUp()
        accounts.keys.associateWith { replicaBalance(it) } shouldBe before
        accounts.keys.associateWith { bank.ledgerBalance(it) } shouldBe before
    }

    test("GET /events streams one Server-Sent Event per replica publish") {
        val line = withTimeout(60_000) { // deadlock guard, not a timing assertion
            withContext(Dispatchers.IO) {
                val found = async {
                    val response = client.sendAsync(
                        HttpRequest.newBuilder(URI.create("$base/events")).GET().build(),
                        HttpResponse.BodyHandlers.ofLines(),
                    ).await()
                    response.statusCode() shouldBe 200
                    response.body().use { lines ->
                        lines.filter { it.startsWith("data:") && it.contains("acct-7") }.findFirst().get()
                    }
                }
                // publishes reach the stream once it is subscribed: deposit until one arrives
                while (!found.isCompleted) {
                    post("/accounts/acct-7/deposit", """{"amount": 1}""").await().statusCode() shouldBe 200
                    delay(50)
                }
                found.await()
            }
        }
        line shouldContain "\"changed\":[\"acct-7\"]"
    }
})
