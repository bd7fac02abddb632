package dev.atoll.samples.bank

import io.ktor.http.ContentType
import io.ktor.http.HttpStatusCode
import io.ktor.server.application.Application
import io.ktor.server.application.install
import io.ktor.server.engine.EmbeddedServer
import io.ktor.server.engine.embeddedServer
import io.ktor.server.netty.Netty
import io.ktor.server.netty.NettyApplicationEngine
import io.ktor.server.plugins.statuspages.StatusPages
import io.ktor.server.request.receiveText
import io.ktor.server.response.respondText
import io.ktor.server.routing.get
import io.ktor.server.routing.post
import io.ktor.server.routing.routing
import io.ktor.server.sse.SSE
import io.ktor.server.sse.sse
import io.ktor.sse.ServerSentEvent
import kotlinx.coroutines.runBlocking
import kotlinx.serialization.SerializationException
import kotlinx.serialization.json.Json
import kotlinx.serialization.json.JsonObject
import kotlinx.serialization.json.JsonPrimitive
import kotlinx.serialization.json.buildJsonArray
import kotlinx.serialization.json.buildJsonObject
import kotlinx.serialization.json.jsonObject
import kotlinx.serialization.json.longOrNull
import kotlinx.serialization.json.put

/**
 * The HTTP face of [Bank]:
 *
 * - `POST /accounts/{id}/deposit` `{"amount": 25}` → the new balance (per-key suspending lock)
 * - `POST /transfers` `{"from": "a", "to": "b", "amount": 5}` → both new balances (batch lock)
 * - `GET /accounts/{id}` → the balance as the left-right read replica shows it, with its epoch
 * - `GET /replica` → how far the replica is behind the ledger
 * - `GET /events` → Server-Sent Events, one per replica publish
 *
 * Bad input is a 4xx JSON `{"error": "..."}` and changes nothing: unknown account 404, a malformed
 * body, a non-numeric, zero or negative amount 400, not enough money 409.
 */
fun Application.bankModule(bank: Bank) {
    install(SSE)
    install(StatusPages) {
        exception<BankException> { call, e -> call.respondError(e.status, e.message ?: "error") }
        exception<SerializationException> { call, _ -> call.respondError(HttpStatusCode.BadRequest, "malformed JSON") }
        exception<IllegalArgumentException> { call, e -> call.respondError(HttpStatusCode.BadRequest, e.message ?: "bad request") }
        exception<ArithmeticException> { call, _ -> call.respondError(HttpStatusCode.BadRequest, "amount too large") }
    }
    routing {
        post("/accounts/{id}/deposit") {
            val id = call.parameters["id"]!!
            val amount = positiveAmount(jsonBody(call.receiveText()))
            val balance = bank.deposit(id, amount)
            call.respondJson(buildJsonObject { put("id", id); put("balance", balance) })
        }
        post("/transfers") {
            val body = jsonBody(call.receiveText())
            val from = text(body, "from")
            val to = text(body, "to")
            val amount = positiveAmount(body)
            val (fromBalance, toBalance) = bank.transfer(from, to, amount)
            call.respondJson(buildJsonObject {
                put("from", buildJsonObject { put("id", from); put("balance", fromBalance) })
                put("to", buildJsonObject { put("id", to); put("balance", toBalance) })
            })
        }
        get("/accounts/{id}") {
            val id = call.parameters["id"]!!
            val view = bank.replicaBalance(id)
            call.respondJson(buildJsonObject { put("id", id); put("balance", view.balance); put("epoch", view.epoch) })
        }
        get("/replica") {
            val lag = bank.replicaLag()
            call.respondJson(buildJsonObject {
                put("committed", lag.committed); put("replicated", lag.replicated); put("epoch", lag.epoch)
            })
        }
        sse("/events") {
            bank.publishes().collect { event ->
                send(ServerSentEvent(event = "publish", id = event.epoch.toString(), data = buildJsonObject {
                    put("epoch", event.epoch)
                    put("replicated", event.replicated)
                    put("changed", buildJsonArray { event.changed.sorted().forEach { add(JsonPrimitive(it)) } })
                }.toString()))
            }
        }
    }
}

/** Raised for a request the bank refuses; [status] is its HTTP status. */
class BankException(val status: HttpStatusCode, message: String) : RuntimeException(message)

private fun jsonBody(text: String): JsonObject =
    (if (text.isBlank()) null else Json.parseToJsonElement(text) as? JsonObject)
        ?: throw BankException(HttpStatusCode.BadRequest, "body must be a JSON object")

private fun text(body: JsonObject, field: String): String {
    val p = body[field] as? JsonPrimitive
    if (p == null || !p.isString || p.content.isEmpty()) {
        throw BankException(HttpStatusCode.BadRequest, "'$field' must be a non-empty string")
    }
    return p.content
}

private fun positiveAmount(body: JsonObject): Long {
    val p = body["amount"] as? JsonPrimitive
    val amount = if (p == null || p.isString) null else p.longOrNull
    if (amount == null || amount <= 0) {
        throw BankException(HttpStatusCode.BadRequest, "'amount' must be a positive whole number")
    }
    return amount
}

private suspend fun io.ktor.server.application.ApplicationCall.respondJson(body: JsonObject) =
    respondText(body.toString(), ContentType.Application.Json)

private suspend fun io.ktor.server.application.ApplicationCall.respondError(status: HttpStatusCode, message: String) =
    respondText(buildJsonObject { put("error", message) }.toString(), ContentType.Application.Json, status)

/** Starts the bank service on [port] (0 picks a free one) on the loopback interface. */
fun startBankServer(bank: Bank, port: Int = 0): EmbeddedServer<NettyApplicationEngine, NettyApplicationEngine.Configuration> =
    embeddedServer(Netty, port = port, host = "127.0.0.1") { bankModule(bank) }.start(wait = false)

/** The port a started server listens on. */
fun EmbeddedServer<NettyApplicationEngine, *>.port(): Int =
    runBlocking { engine.resolvedConnectors().first().port }

/** Runs the service on port 8080 until the process is stopped. */
fun main() {
    val scope = kotlinx.coroutines.CoroutineScope(kotlinx.coroutines.SupervisorJob() + kotlinx.coroutines.Dispatchers.Default)
    val bank = Bank.open(mapOf("alice" to 100L, "bob" to 50L, "carol" to 0L), scope)
    val server = startBankServer(bank, port = 8080)
    println("Bank service on http://127.0.0.1:${server.port()}  (GET /accounts/alice, GET /events)")
    Runtime.getRuntime().addShutdownHook(Thread { server.stop(500, 1000); bank.close() })
    Thread.currentThread().join()
}
