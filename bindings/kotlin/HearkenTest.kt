// The golden scenario of tests/golden/README.md through the generated Kotlin bindings.
//
// Run with scripts/test-bindings.sh, which compiles this file with
// bindings/kotlin/com/hearken/hearken.kt and runs `java ... HearkenTestKt <repo root>`.
// No JUnit (Maven Central is not reachable here): a small harness below counts the
// tests, prints one PASS/FAIL line each and a final `kotlin: N passed, M failed` line,
// and exits non-zero if any failed.

import com.hearken.*
import java.io.File
import java.nio.file.Files
import java.time.Instant
import java.time.OffsetDateTime
import java.util.concurrent.Executors
import java.util.concurrent.TimeUnit
import kotlin.system.exitProcess

// The instants of the scenario, Unix milliseconds.
const val UNSUBSCRIBE_AT = 1_795_089_600_000L // 2026-11-19T12:00:00Z
const val NIGHT1 = 1_795_212_000_000L // 2026-11-20T22:00:00Z
const val NIGHT4 = 1_795_471_200_000L // 2026-11-23T22:00:00Z

lateinit var golden: File

fun goldenText(name: String): String = File(golden, name).readText(Charsets.UTF_8)

fun ms(rfc3339: String): Long = OffsetDateTime.parse(rfc3339).toInstant().toEpochMilli()

// ---- harness -------------------------------------------------------------------------

val passed = mutableListOf<String>()
val failed = mutableListOf<String>()

fun test(name: String, body: () -> Unit) {
    try {
        body()
        passed += name
        println("PASS $name")
    } catch (e: Throwable) {
        failed += name
        println("FAIL $name: $e")
    }
}

fun <T> eq(got: T, want: T, what: String = "value") {
    if (got != want) throw AssertionError("$what:\n  got  $got\n  want $want")
}

fun check(cond: Boolean, what: String) {
    if (!cond) throw AssertionError(what)
}

inline fun <reified E : Throwable> assertThrows(body: () -> Unit): E {
    try {
        body()
    } catch (e: Throwable) {
        if (e is E) return e
        throw AssertionError("expected ${E::class.simpleName}, got $e")
    }
    throw AssertionError("expected ${E::class.simpleName}, nothing thrown")
}

// ---- JSON as serde_json writes it: compact, UTF-8, fields in declaration order --------

fun js(s: String?): String {
    if (s == null) return "null"
    val b = StringBuilder("\"")
    for (c in s) {
        when {
            c == '"' -> b.append("\\\"")
            c == '\\' -> b.append("\\\\")
            c == '\n' -> b.append("\\n")
            c == '\r' -> b.append("\\r")
            c == '\t' -> b.append("\\t")
            c == '\b' -> b.append("\\b")
            c == '\u000C' -> b.append("\\f")
            c < ' ' -> b.append(String.format("\\u%04x", c.code))
            else -> b.append(c)
        }
    }
    return b.append('"').toString()
}

fun obj(vararg fields: Pair<String, String>) =
    fields.joinToString(",", "{", "}") { (k, v) -> "${js(k)}:$v" }

fun <T> arr(items: List<T>, each: (T) -> String) = items.joinToString(",", "[", "]") { each(it) }

fun instant(ms: Long?) = if (ms == null) "null" else js(Instant.ofEpochMilli(ms).toString())

fun num(n: Any?) = n?.toString() ?: "null"

fun reportJson(r: SyncReport) = obj(
    "location" to js(r.location),
    "business_date" to js(r.businessDate),
    "caught_up_dates" to arr(r.caughtUpDates, ::js),
    "missing_dates" to arr(r.missingDates, ::js),
    "customers_created" to num(r.customersCreated),
    "customers_updated" to num(r.customersUpdated),
    "employees_upserted" to num(r.employeesUpserted),
    "transactions_created" to num(r.transactionsCreated),
    "transactions_updated" to num(r.transactionsUpdated),
    "invitations" to arr(r.invitations) {
        obj(
            "invitation_id" to num(it.invitationId),
            "customer" to js(it.customer),
            "transaction" to js(it.transaction),
            "channel" to js(it.channel.name.lowercase()),
            "language" to js(it.language),
            "due_at" to instant(it.dueAtMs),
        )
    },
    "skipped" to arr(r.skipped) {
        obj(
            "transaction" to js(it.transaction),
            "customer" to js(it.customer),
            "reason" to js(it.reason.codeName()),
            "eligible_again_on" to js(it.eligibleAgainOn),
            "repeat" to it.repeat.toString(),
        )
    },
)

fun explanationJson(e: Explanation) = obj(
    "customer" to js(e.customer),
    "unsubscribed" to e.unsubscribed.toString(),
    "unsubscribed_at" to instant(e.unsubscribedAtMs),
    "include_in_communications" to e.includeInCommunications.toString(),
    "email_usable" to e.emailUsable.toString(),
    "phone_usable" to e.phoneUsable.toString(),
    "eligible_again_on" to js(e.eligibleAgainOn),
    "decisions" to arr(e.decisions) {
        obj(
            "transaction" to js(it.transaction),
            "location" to js(it.location),
            "business_date" to js(it.businessDate),
            "finalized_at" to instant(it.finalizedAtMs),
            "invitation_id" to num(it.invitationId),
            "reason" to js(it.reason?.codeName()),
            "eligible_again_on" to js(it.eligibleAgainOn),
        )
    },
)

fun windowJson(w: SyncWindow) = obj(
    "location" to js(w.location),
    "today" to js(w.today),
    "last_synced" to js(w.lastSynced),
    "dates" to arr(w.dates, ::js),
    "missing" to arr(w.missing, ::js),
    "next_sync_at" to instant(w.nextSyncAtMs),
)

fun errorJson(e: HearkenException.InvalidInput) = obj(
    "kind" to js(e.kind()),
    "message" to js(e.reason),
    "problems" to arr(e.problems) {
        obj(
            "record" to js(it.record),
            "index" to num(it.index),
            "host_id" to js(it.hostId),
            "field" to js(it.field),
            "reason" to js(it.reason),
        )
    },
)

// ---- the scenario --------------------------------------------------------------------

// The locations of tests/golden/locations.json, in order.
val locations = listOf(
    Location(
        id = "paris", name = "Boutique Paris", timeZone = "Europe/Paris",
        reviewLink = "https://g.page/r/paris/review",
    ),
    Location(id = "seoul", name = "서울 매장", timeZone = "Asia/Seoul"),
)

/** Steps 1–2 on [engine]: locations upserted, Dana's address unsubscribed. */
fun prepared(engine: Engine = Engine.openInMemory()): Engine {
    for (l in locations) engine.upsertLocation(l)
    engine.unsubscribeContact("  Dana@Example.COM ", UNSUBSCRIBE_AT)
    return engine
}

/** Steps 1–3: night 1 synced through sync_json. */
fun synced(): Pair<Engine, String> {
    val engine = prepared()
    return engine to engine.syncJson(goldenText("night1.batch.json"), NIGHT1)
}

/** tests/golden/night1.batch.json as typed records. */
fun night1Typed(): SyncBatch {
    fun c(id: String, name: String, email: String, include: Boolean = true, language: String? = null) =
        Customer(id = id, name = name, email = email, language = language, includeInCommunications = include)
    fun t(
        id: String, customer: String?, amount: Long, finalized: String?,
        employees: List<String> = listOf(), kind: TransactionKind = TransactionKind.SALE,
        exclude: Boolean = false,
    ) = Transaction(
        id = id, customer = customer, employees = employees, kind = kind, amountMinor = amount,
        currency = "EUR", finalizedAtMs = finalized?.let(::ms), exclude = exclude,
    )
    return SyncBatch(
        location = "paris",
        businessDates = listOf("2026-11-20"),
        customers = listOf(
            c("c1", "Amélie Dupont", "amelie@example.fr", language = "fr-FR"),
            c("c2", "Bob O'Neil", "bob(at)example"),
            c("c3", "Chloé Martin", "chloe@example.fr", include = false),
            c("c4", "Dana Smith", " Dana@Example.com"),
            Customer(
                id = "c5", name = "김민준", email = "minjun@example.kr", phone = "+82 10-1234-5678",
                language = "ko", gender = Gender.MALE, includeInCommunications = true,
            ),
            c("c6", "Élodie Roux", "elodie@example.fr"),
        ),
        employees = listOf(
            Employee(id = "e1", name = "Lucas", role = Role.SALESPERSON),
            Employee(id = "e2", name = "Sophie", role = Role.TECHNICIAN),
        ),
        transactions = listOf(
            t("t1", "c1", 12900, "2026-11-20T10:15:00+01:00", listOf("e1")),
            t("t2", "c2", 4500, "2026-11-20T11:00:00+01:00", listOf("e1")),
            t("t3", "c3", 990, "2026-11-20T11:30:00+01:00"),
            t("t4", "c4", 2000, "2026-11-20T12:00:00+01:00"),
            t("t5", null, 350, "2026-11-20T12:30:00+01:00"),
            t("t6", "c5", 5000, "2026-11-20T14:00:00+01:00", listOf("e1")),
            t("t7", "c5", 8000, "2026-11-20T16:30:00+01:00", listOf("e2"), TransactionKind.SERVICE),
            t("t8", "c1", 1500, null),
            t("t9", "c6", 1500, "2026-11-01T15:00:00+01:00"),
            t("t10", "c6", 0, "2026-11-20T17:00:00+01:00", kind = TransactionKind.SERVICE, exclude = true),
        ),
    )
}

class Recorder : BackfillListener {
    val seen = mutableListOf<Pair<ULong, ULong>>()
    override fun onProgress(progress: BackfillProgress) {
        seen += progress.done to progress.total
    }
}

class Broken : BackfillListener {
    var calls = 0
    override fun onProgress(progress: BackfillProgress) {
        calls += 1
        throw IllegalStateException("listener bug")
    }
}

fun main(args: Array<String>) {
    golden = File(args.getOrElse(0) { "." }, "tests/golden")

    test("step3_nightly_sync_json_equals_golden_report") {
        val (engine, report) = synced()
        engine.use { eq(report + "\n", goldenText("night1.report.json"), "report") }
    }

    test("step3_typed_batch_gives_the_golden_report") {
        prepared().use { engine ->
            val report = engine.sync(night1Typed(), NIGHT1)
            eq(reportJson(report) + "\n", goldenText("night1.report.json"), "typed report as JSON")
            eq(report.customersCreated, 6u, "customers_created")
            eq(report.transactionsCreated, 10u, "transactions_created")
            eq(report.invitations.map { it.customer to it.transaction }, listOf("c1" to "t1", "c5" to "t7"))
            val reasons = report.skipped.associate { it.transaction to it.reason }
            eq(reasons["t2"], SkipReason.NO_USABLE_CONTACT, "t2")
            eq(reasons["t4"], SkipReason.UNSUBSCRIBED, "t4")
        }
    }

    test("step4_bad_batch_error_equals_golden_and_typed_fields_rebuild_it") {
        val (engine, _) = synced()
        engine.use {
            val err = assertThrows<HearkenException.InvalidInput> {
                engine.syncJson(goldenText("bad.batch.json"), NIGHT1)
            }
            eq(err.toJson() + "\n", goldenText("bad.error.json"), "toJson")
            eq(errorJson(err) + "\n", goldenText("bad.error.json"), "typed error as JSON")
            eq(err.kind(), "invalid_input", "kind")
            eq(
                err.problems.map { listOf(it.record, it.index, it.hostId, it.field) },
                listOf(
                    listOf("customers", 1uL, "c7", "id"),
                    listOf("transactions", 0uL, "t20", "customer"),
                    listOf("transactions", 1uL, "t21", "finalized_at"),
                    listOf("transactions", 2uL, "t22", "currency"),
                ),
                "problems",
            )
            check(!err.reason.contains("euro"), "no bad value in the message")
        }
    }

    test("step4_bad_batch_writes_nothing") {
        val (engine, _) = synced()
        engine.use {
            val before = engine.pendingInvitations()
            assertThrows<HearkenException.InvalidInput> {
                engine.syncJson(goldenText("bad.batch.json"), NIGHT1)
            }
            eq(engine.pendingInvitations(), before, "pending invitations")
            assertThrows<HearkenException.NotFound> { engine.explain("c7", NIGHT1) }
        }
    }

    test("step5_explain_c5_equals_golden_and_gives_the_other_transactions_reason") {
        val (engine, _) = synced()
        engine.use {
            eq(engine.explainJson("c5", NIGHT1) + "\n", goldenText("explain_c5.json"), "explain JSON")
            val ex = engine.explain("c5", NIGHT1)
            eq(explanationJson(ex) + "\n", goldenText("explain_c5.json"), "typed explanation as JSON")
            val t6 = ex.decisions.single { it.transaction == "t6" }
            eq(t6.reason, SkipReason.ONE_PER_BATCH, "t6 reason")
            eq(t6.invitationId, null, "t6 invitation")
            eq(ex.decisions.single { it.transaction == "t7" }.invitationId, 2L, "t7 invitation")
            check(ex.lines.any { "one_per_batch" in it }, "a line names the rule")
        }
    }

    test("step6_window_equals_golden") {
        val (engine, _) = synced()
        engine.use {
            eq(engine.syncWindowJson("paris", NIGHT4) + "\n", goldenText("window_paris.json"), "window JSON")
            val w = engine.syncWindow("paris", NIGHT4)
            eq(windowJson(w) + "\n", goldenText("window_paris.json"), "typed window as JSON")
            eq(w.missing, listOf("2026-11-21"), "missing")
            eq(engine.nextSyncAt("paris", NIGHT4), ms("2026-11-24T22:00:00Z"), "next sync")
        }
    }

    test("unsubscribe_customer_is_explained") {
        val (engine, _) = synced()
        engine.use {
            eq(engine.explain("c4", NIGHT1).unsubscribed, true, "Dana, unsubscribed by contact")
            engine.unsubscribeCustomer("c1", NIGHT4)
            val ex = engine.explain("c1", NIGHT4)
            eq(ex.unsubscribed, true, "unsubscribed")
            eq(ex.unsubscribedAtMs, NIGHT4, "unsubscribed at")
        }
    }

    test("not_found_and_conflict_kinds") {
        prepared().use { engine ->
            val nf = assertThrows<HearkenException.NotFound> { engine.location("nowhere") }
            eq(nf.kind(), "not_found", "kind")
            engine.setLocationEnabled("seoul", false)
            val c = assertThrows<HearkenException.Conflict> { engine.setLocationEnabled("paris", false) }
            eq(c.kind(), "conflict", "kind")
            eq(engine.locations().map { it.id to it.enabled }, listOf("paris" to true, "seoul" to false))
        }
    }

    test("settings_round_trip_and_validation") {
        Engine.openInMemory().use { engine ->
            eq(engine.settings(), defaultSettings(), "defaults")
            val s = defaultSettings().copy(cooldownMonths = 6u, channel = Channel.SMS)
            engine.setSettings(s)
            eq(engine.settings(), s, "round trip")
            val err = assertThrows<HearkenException.InvalidInput> { engine.setSettings(s.copy(syncHour = 25u)) }
            eq(err.problems.map { it.field }, listOf("sync_hour"), "fields")
        }
    }

    test("backfill_reports_progress_and_survives_a_throwing_listener") {
        val dir = Files.createTempDirectory("hearken-kt")
        val night1 = goldenText("night1.batch.json").replace(Regex("\\s*\n\\s*"), "")
        val file = dir.resolve("backfill.jsonl").toFile()
        file.writeText(night1 + "\n")
        prepared().use { engine ->
            val recorder = Recorder()
            val report = engine.backfillFile(file.path, NIGHT4, recorder)
            eq(recorder.seen, listOf(1uL to 1uL), "progress")
            eq(report.batches.single().invitations.map { it.transaction }, listOf("t1", "t7"))
        }
        prepared().use { engine ->
            val broken = Broken()
            eq(engine.backfillFile(file.path, NIGHT4, broken).batches.size, 1, "batches")
            eq(broken.calls, 1, "listener calls")
            eq(engine.pendingInvitations().size, 2, "pending")
        }
        dir.toFile().deleteRecursively()
    }

    test("file_database_is_shared_between_threads_and_handles") {
        val dir = Files.createTempDirectory("hearken-kt")
        val path = dir.resolve("store.db").toString()
        prepared(Engine(path)).use { engine ->
            engine.syncJson(goldenText("night1.batch.json"), NIGHT1)
            val want = goldenText("explain_c5.json")
            val pool = Executors.newFixedThreadPool(4)
            val answers = (1..40).map { pool.submit<String> { engine.explainJson("c5", NIGHT1) + "\n" } }
            check(answers.all { it.get() == want }, "every thread sees the golden answer")
            pool.shutdown()
            check(pool.awaitTermination(10, TimeUnit.SECONDS), "pool finished")
        }
        Engine.openWith(path, OpenOptions(journal = JournalMode.ROLLBACK, busyTimeoutMs = 5_000uL)).use { engine ->
            eq(engine.pendingInvitations().map { it.customer }, listOf("c1", "c5"), "persisted")
        }
        dir.toFile().deleteRecursively()
    }

    println("kotlin: ${passed.size} passed, ${failed.size} failed")
    if (failed.isNotEmpty()) exitProcess(1)
}
