// The golden scenario of tests/golden/README.md through the generated Kotlin bindings,
// then the delivery outbox (issue 5) on the golden night: claim, ack, fail, unsubscribe
// links, templates, resend and cross-store suppression; then responses and scores
// (issue 6): NPS, the review redirect, receipt links, e-receipt feedback, deletion audit
// and the review reminder; then alerts and follow-up (issue 7): rules A1–A5, F2 and S2.
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
const val DUE = 1_795_251_600_000L // 2026-11-21T09:00:00Z: 10:00 in Paris, when invitations are due
const val SECOND_MS = 1_000L
const val DAY_MS = 86_400_000L

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
            "due_at" to instant(it.dueAt),
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
    "unsubscribed_at" to instant(e.unsubscribedAt),
    "include_in_communications" to e.includeInCommunications.toString(),
    "email_usable" to e.emailUsable.toString(),
    "phone_usable" to e.phoneUsable.toString(),
    "eligible_again_on" to js(e.eligibleAgainOn),
    "decisions" to arr(e.decisions) {
        obj(
            "transaction" to js(it.transaction),
            "location" to js(it.location),
            "business_date" to js(it.businessDate),
            "finalized_at" to instant(it.finalizedAt),
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
    "next_sync_at" to instant(w.nextSyncAt),
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

var hostedStores = 0

/**
 * A fresh store: in memory, or with HEARKEN_TEST_STORE=postgres (a library built with the
 * `hosted` feature, scripts/pg-cluster.sh env) a new store of the test cluster made with
 * the admin door and opened by URL (H1).
 */
fun freshEngine(): Engine {
    if (System.getenv("HEARKEN_TEST_STORE") != "postgres") return Engine.openInMemory()
    val storeId = "kt-${ProcessHandle.current().pid()}-${System.nanoTime()}-${hostedStores++}"
    adminCreateStore(System.getenv("HEARKEN_TEST_PG_URL"), storeId)
    return Engine.openUrl(System.getenv("HEARKEN_TEST_PG_ENGINE_URL"), storeId)
}

/** Steps 1–2 on [engine]: locations upserted, Dana's address unsubscribed. */
fun prepared(engine: Engine = freshEngine()): Engine {
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
        currency = "EUR", finalizedAt = finalized?.let(::ms), exclude = exclude,
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

    test("h1_open_url_is_unsupported_without_hosted_mode") {
        // The default library (the jar) carries no PostgreSQL client (issue 27, H1).
        if (System.getenv("HEARKEN_TEST_STORE") == "postgres") return@test
        val err = assertThrows<HearkenException.Unsupported> {
            Engine.openUrl("postgres://eng:hunter2@127.0.0.1/db", "s1")
        }
        check(!(err.message ?: "").contains("hunter2"), "the password is not repeated")
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

    test("sync_counts_gives_the_full_reports_counts_with_empty_lists") {
        val full = prepared().use { it.sync(night1Typed(), NIGHT1) }
        prepared().use { engine ->
            val counted = engine.syncCounts(night1Typed(), NIGHT1)
            eq(counted.invitations, emptyList<InvitationSummary>(), "invitations")
            eq(counted.skipped, emptyList<SkippedTransaction>(), "skipped")
            eq(
                counted.counts,
                SyncCounts(full.invitations.size.toUInt(), full.skipped.size.toUInt(), 0u, 0u),
                "counts",
            )
            eq(counted.customersCreated, full.customersCreated, "customers_created")
            eq(full.counts, null, "a full report has no counts")
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
            check(ex.lines().any { "one_per_batch" in it }, "a line names the rule")
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
            eq(ex.unsubscribedAt, NIGHT4, "unsubscribed at")
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

    test("windows_zone_name_is_stored_as_its_iana_zone") {
        Engine.openInMemory().use { engine ->
            engine.upsertLocation(Location(id = "paris", name = "Paris", timeZone = "Romance Standard Time"))
            eq(engine.location("paris").timeZone, "Europe/Paris", "stored zone")
            // 2026-11-20T12:00Z: the next sync is 23:00 Paris time.
            eq(engine.syncWindow("paris", 1_795_190_400_000L).nextSyncAt, NIGHT1, "next sync")
            val err = assertThrows<HearkenException.InvalidInput> {
                engine.upsertLocation(Location(id = "mars", name = "Mars", timeZone = "Mars Standard Time"))
            }
            eq(err.problems.map { it.field }, listOf("time_zone"), "field")
            check(!err.reason.contains("Mars Standard"), "no bad value in the message")
            eq(engine.locations().map { it.id }, listOf("paris"), "nothing else stored")
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

    deliveryTests()
    responseTests()
    alertTests()
    reportTests()
    trustTests()
    pagesTests()
    integrationTests()

    println("kotlin: ${passed.size} passed, ${failed.size} failed")
    if (failed.isNotEmpty()) exitProcess(1)
}

// ---- delivery (issue 5) on the golden night: c1 (fr-FR) and c5 (ko) are due at DUE ------

fun List<OutboundMessage>.byCustomer() = associateBy { it.customer }

/** The token of a survey or unsubscribe link: its last path segment. */
fun lastSegment(link: String?) = link!!.substringAfterLast('/')

fun invitationTemplate(language: String, subject: String, body: String) = Template(
    kind = MessageKind.SURVEY_INVITATION, channel = Channel.EMAIL, language = language,
    subject = subject, body = body,
)

fun deliveryTests() {
    test("delivery_claim_gives_c1_french_and_c5_korean") {
        val (engine, _) = synced()
        engine.use {
            eq(engine.claim(10u, DUE - SECOND_MS), listOf(), "nothing before the send hour")
            val msgs = engine.claim(10u, DUE).byCustomer()
            eq(msgs.keys, setOf("c1", "c5"), "customers")
            val fr = msgs.getValue("c1")
            eq(listOf(fr.language, fr.recipient), listOf("fr", "amelie@example.fr"), "c1")
            eq(fr.subject, "Comment s'est passée votre visite chez Boutique Paris ?", "fr subject")
            check(fr.body.startsWith("Bonjour Amélie,"), "fr body: ${fr.body}")
            val ko = msgs.getValue("c5")
            eq(listOf(ko.language, ko.recipient), listOf("ko", "minjun@example.kr"), "c5")
            eq(ko.subject, "Boutique Paris 방문은 어떠셨나요?", "ko subject")
            check(ko.body.startsWith("김민준님, 안녕하세요."), "ko body: ${ko.body}")
            check("추천할 가능성" in ko.body, "ko question")
            for (m in listOf(fr, ko)) {
                eq(m.kind, MessageKind.SURVEY_INVITATION, "kind")
                eq(m.kind.codeName(), "survey_invitation", "kind name")
                eq(m.channel, Channel.EMAIL, "channel")
                eq(m.attempt, 1u, "attempt")
                check(m.body.contains(m.surveyLink!!) && m.body.contains(m.unsubscribeLink!!), "links in body")
                check(m.surveyLink!!.startsWith("https://feedback.example.com/s/"), "survey link")
                eq(m.surveyLinkExpiresAt, DUE + 60 * DAY_MS, "F6 expiry")
                eq(m.leaseUntil, DUE + 300 * SECOND_MS, "lease")
            }
            eq(listOf(fr.invitationId, ko.invitationId), listOf(1L, 2L), "invitations")
            eq(engine.outboxCounts(), OutboxCounts(0uL, 2uL, 0uL, 0uL, 0uL), "counts")
        }
    }

    test("delivery_an_acked_message_is_not_offered_again_but_an_expired_lease_is") {
        val (engine, _) = synced()
        engine.use {
            val msgs = engine.claim(10u, DUE).byCustomer()
            val c1 = msgs.getValue("c1")
            val c5 = msgs.getValue("c5")
            engine.ack(c1.messageId, DUE)
            engine.ack(c1.messageId, DUE) // at least once: acking twice is fine
            eq(engine.claim(10u, DUE + 60 * SECOND_MS), listOf(), "within the lease")
            val again = engine.claim(10u, c5.leaseUntil)
            eq(again.map { Triple(it.customer, it.messageId, it.attempt) }, listOf(Triple("c5", c5.messageId, 2u)))
            check(again[0].surveyLink != c5.surveyLink, "fresh tokens at each claim")
            engine.ack(again[0].messageId, DUE)
            eq(engine.claim(10u, DUE + 30 * DAY_MS), listOf(), "acked: never offered again")
            eq(engine.outboxCounts().acked, 2uL, "acked")
        }
    }

    test("delivery_ack_holds_across_a_reopen") {
        val dir = Files.createTempDirectory("hearken-kt")
        val path = dir.resolve("outbox.db").toString()
        prepared(Engine(path)).use { engine ->
            engine.syncJson(goldenText("night1.batch.json"), NIGHT1)
            engine.claim(10u, DUE).forEach { engine.ack(it.messageId, DUE) }
        }
        Engine(path).use { engine ->
            eq(engine.claim(10u, DUE + 30 * DAY_MS), listOf(), "after reopen")
            eq(engine.outboxCounts().acked, 2uL, "acked")
        }
        dir.toFile().deleteRecursively()
    }

    test("delivery_t8_ack_many_acks_a_batch_and_reports_each_id") {
        val (engine, _) = synced()
        engine.use {
            val m = engine.claim(1u, DUE).single()
            val never = engine.resend(m.invitationId!!, null, DUE) // queued, never claimed
            val out = engine.ackMany(listOf(m.messageId, "nope", never, m.messageId), DUE)
            eq(
                out.map { it.messageId to it.status },
                listOf(
                    m.messageId to AckStatus.ACKED,
                    "nope" to AckStatus.NOT_FOUND,
                    never to AckStatus.CONFLICT,
                    m.messageId to AckStatus.ALREADY_ACKED,
                ),
                "one outcome per id",
            )
            check(out[2].detail!!.contains("never claimed"), "the conflict says why")
            eq(engine.ackMany(listOf(), DUE), listOf<AckOutcome>(), "nothing to ack")
            eq(engine.outboxCounts().acked, 1uL, "only the claimed one")
            eq(engine.outboxCounts().pending, 2uL, "the other invitation and the resend wait")
        }
    }

    test("delivery_fail_retries_with_backoff_then_fails_for_good") {
        val (engine, _) = synced()
        engine.use {
            val m = engine.claim(10u, DUE).byCustomer().getValue("c1")
            val first = engine.fail(m.messageId, "mailbox full", false, DUE)
            eq(first, FailOutcome.Retry(retryAt = DUE + 300 * SECOND_MS), "first failure")
            val retryAt = (first as FailOutcome.Retry).retryAt
            check(engine.claim(10u, retryAt - SECOND_MS).none { it.messageId == m.messageId }, "not before retry_at")
            val again = engine.claim(10u, retryAt).byCustomer().getValue("c1")
            eq(again.messageId to again.attempt, m.messageId to 2u, "offered again")
            val second = engine.fail(m.messageId, "mailbox full", false, retryAt)
            val secondAt = when (second) {
                is FailOutcome.Retry -> second.retryAt
                FailOutcome.Failed -> throw AssertionError("second failure retries")
            }
            eq(secondAt, retryAt + 600 * SECOND_MS, "the backoff doubles")
            engine.claim(10u, secondAt)
            eq(engine.fail(m.messageId, "no such address", true, secondAt), FailOutcome.Failed, "permanent")
            eq(engine.outboxCounts().failed, 1uL, "failed")
            val c = assertThrows<HearkenException.Conflict> {
                val other = engine.claim(10u, secondAt + DAY_MS).single()
                engine.ack(other.messageId, secondAt)
                engine.fail(other.messageId, "x", false, secondAt)
            }
            eq(c.kind(), "conflict", "fail after ack")
            assertThrows<HearkenException.NotFound> { engine.ack("nope", DUE) }
        }
    }

    test("delivery_the_last_attempt_fails_and_releases_the_cooldown") {
        val (engine, _) = synced()
        engine.use {
            engine.setDeliverySettings(defaultDeliverySettings().copy(maxAttempts = 1u))
            val m = engine.claim(10u, DUE).byCustomer().getValue("c1")
            eq(engine.fail(m.messageId, "bounced", false, DUE), FailOutcome.Failed, "outcome")
            eq(engine.explain("c1", DUE).eligibleAgainOn, null, "c1 cooldown released")
            eq(engine.explain("c5", DUE).eligibleAgainOn, "2027-02-20", "c5 cooldown kept")
        }
    }

    test("delivery_unsubscribe_by_token_from_the_link") {
        val (engine, _) = synced()
        engine.use {
            val m = engine.claim(10u, DUE).byCustomer().getValue("c1")
            eq(engine.unsubscribeByToken(lastSegment(m.unsubscribeLink), DUE), "c1", "customer")
            val ex = engine.explain("c1", DUE)
            eq(ex.unsubscribed, true, "unsubscribed")
            eq(ex.unsubscribedAt, DUE, "unsubscribed at")
            eq(ex.lines()[0], "c1 is unsubscribed from all surveys", "first line")
            val bad = assertThrows<HearkenException.InvalidInput> { engine.unsubscribeByToken("../../etc", DUE) }
            eq(bad.problems.map { it.field }, listOf("token"), "field")
            assertThrows<HearkenException.NotFound> { engine.unsubscribeByToken("0".repeat(32), DUE) }
            assertThrows<HearkenException.NotFound> { engine.unsubscribeByToken(lastSegment(m.surveyLink), DUE) }
            // explain_json shows it too.
            eq(engine.explainJson("c1", DUE).contains("\"unsubscribed\":true"), true, "explain JSON")
        }
    }

    test("delivery_a_bad_template_is_rejected_naming_the_fields") {
        val (engine, _) = synced()
        engine.use {
            val bad = invitationTemplate("fr", "Bonjour {prenom}", "Votre avis : {survey_link}")
            val err = assertThrows<HearkenException.InvalidInput> { engine.setTemplate(bad) }
            eq(err.problems.map { it.record to it.field }, listOf("template" to "subject", "template" to "body"), "problems")
            val good = invitationTemplate(
                "fr", "Votre avis compte, {first_name}",
                "{location} : {survey_link} (désinscription : {unsubscribe_link})",
            )
            engine.setTemplate(good)
            eq(engine.template(MessageKind.SURVEY_INVITATION, Channel.EMAIL, "fr-CA"), good, "fr-CA falls back to fr")
            val fr = engine.claim(10u, DUE).byCustomer().getValue("c1")
            eq(fr.subject, "Votre avis compte, Amélie", "rendered subject")
            eq(fr.body, "Boutique Paris : ${fr.surveyLink} (désinscription : ${fr.unsubscribeLink})", "rendered body")
            eq(engine.template(MessageKind.SURVEY_INVITATION, Channel.SMS, "de-AT").language, "en", "store default")
        }
    }

    test("delivery_resend_in_another_language_keeps_the_survey_and_the_cooldown") {
        val (engine, _) = synced()
        engine.use {
            val msgs = engine.claim(10u, DUE).byCustomer()
            msgs.values.forEach { engine.ack(it.messageId, DUE) }
            val c1 = msgs.getValue("c1")
            val before = engine.explain("c1", DUE).eligibleAgainOn
            val later = DUE + 2 * DAY_MS
            val id = engine.resend(c1.invitationId!!, "ko", later)
            check(id != c1.messageId, "a new message id")
            val again = engine.claim(10u, later).single()
            eq(listOf(again.messageId, again.language), listOf(id, "ko"), "resent in Korean")
            eq(again.invitationId, c1.invitationId, "same survey")
            check(again.body.startsWith("Amélie님, 안녕하세요."), "ko body: ${again.body}")
            eq(engine.explain("c1", later).eligibleAgainOn, before, "cooldown not restarted")
            assertThrows<HearkenException.NotFound> { engine.resend(999L, null, later) }
        }
    }

    test("delivery_settings_round_trip_and_validation") {
        Engine.openInMemory().use { engine ->
            // A new store's pepper is random (T2); the rest are the defaults.
            eq(engine.deliverySettings().suppressionPepper.length, 64, "random pepper")
            eq(engine.deliverySettings().copy(suppressionPepper = ""), defaultDeliverySettings(), "defaults")
            val s = defaultDeliverySettings().copy(
                linkBaseUrl = "https://avis.example.fr", surveyLinkDays = 30u, suppressionPepper = "vendor-secret")
            engine.setDeliverySettings(s)
            eq(engine.deliverySettings(), s, "round trip")
            val err = assertThrows<HearkenException.InvalidInput> {
                engine.setDeliverySettings(s.copy(linkBaseUrl = "ftp://x/"))
            }
            eq(err.problems.map { it.field }, listOf("link_base_url"), "fields")
        }
    }

    test("delivery_suppressions_exported_by_one_engine_hold_at_another") {
        val pepper = defaultDeliverySettings().copy(suppressionPepper = "vendor-secret")
        val (lyon, _) = synced()
        val bundle = lyon.use {
            lyon.setDeliverySettings(pepper)
            val c1 = lyon.claim(10u, DUE).byCustomer().getValue("c1")
            lyon.unsubscribeByToken(lastSegment(c1.unsubscribeLink), DUE)
            lyon.exportSuppressions()
        }
        eq(bundle.format, 1u, "format")
        eq(bundle.hashes.size, 2, "Dana and Amélie")
        check(bundle.hashes.all { it.length == 64 && !it.contains("example") }, "hashes only")
        prepared().use { paris ->
            paris.setDeliverySettings(pepper)
            eq(paris.importSuppressions(bundle, "central", DUE), 2uL, "imported")
            eq(paris.importSuppressions(bundle, "central", DUE), 0uL, "again: nothing new")
            val report = paris.sync(night1Typed(), NIGHT1)
            eq(report.invitations.map { it.customer }, listOf("c5"), "c1 suppressed")
            eq(report.skipped.single { it.transaction == "t1" }.reason, SkipReason.UNSUBSCRIBED, "t1")
            eq(paris.explain("c1", NIGHT1).unsubscribed, true, "explained")
            val err = assertThrows<HearkenException.InvalidInput> {
                paris.importSuppressions(SuppressionBundle(format = 1u, hashes = listOf("amelie@example.fr")), "central", DUE)
            }
            eq(err.problems.map { it.field }, listOf("hashes"), "fields")
            check(!err.toJson().contains("amelie"), "no contact echoed")
        }
        prepared().use { other ->
            other.importSuppressions(bundle, "central", DUE)
            other.syncJson(goldenText("night1.batch.json"), NIGHT1)
            eq(other.pendingInvitations().map { it.customer }, listOf("c1", "c5"), "another pepper matches nothing")
        }
    }

    test("message_status_names") {
        eq(MessageStatus.values().map { it.codeName() }, listOf("pending", "in_flight", "acked", "failed", "cancelled"))
    }
}

// ---- responses and scores (issue 6) on the golden night ----------------------------------
// Steps 1–3, then the delivery job claims at DUE and acks everything: c1 (fr) and c5 (ko)
// hold survey links. NPS answers without an invitation come through receipt links.

const val REVIEW_LINK = "https://g.page/r/paris/review"
const val WEEK_MS = 7 * DAY_MS

/** Steps 1–3, every message claimed and acked at DUE; the survey token of each customer. */
fun delivered(): Pair<Engine, Map<String, String>> {
    val (engine, _) = synced()
    val tokens = mutableMapOf<String, String>()
    for (m in engine.claim(10u, DUE)) {
        engine.ack(m.messageId, DUE)
        tokens[m.customer!!] = lastSegment(m.surveyLink)
    }
    eq(tokens.keys, setOf("c1", "c5"), "invited")
    return engine to tokens
}

fun npsAnswer(score: Int) = ResponseInput(answers = listOf(Answer(question = "recommend", score = score.toUInt())))

fun receiptToken(engine: Engine, transaction: String? = null) =
    lastSegment(engine.mintReceiptLink("paris", transaction, DUE).url)

fun responseTests() {
    test("responses_survey_and_page_in_the_invitations_language") {
        val (engine, tokens) = delivered()
        engine.use {
            val recommend = engine.survey().questions.first()
            eq(recommend.id to recommend.kind, "recommend" to QuestionKind.NPS, "default question")
            eq(recommend.text["en"], "How likely are you to recommend {location}?", "en text")
            eq(recommend.text.keys, setOf("en", "fr", "ko"), "languages")
            val fr = engine.surveyPage(tokens.getValue("c1"), null, DUE)
            eq(fr.location to fr.locationName, "paris" to "Boutique Paris", "location")
            eq(fr.questions[0].text, "Quelle est la probabilité que vous recommandiez Boutique Paris ?", "fr")
            val en = engine.surveyPage(tokens.getValue("c5"), "en", DUE)
            eq(en.questions[0].text, "How likely are you to recommend Boutique Paris?", "en")
        }
    }

    test("responses_nps_of_10_7_3_9_is_25_from_the_counts") {
        val (engine, tokens) = delivered()
        engine.use {
            eq(engine.nps(ScoreQuery()), NpsSummary(0uL, 0uL, 0uL, null), "no answers: no NPS")
            val outcomes = listOf(
                engine.recordResponse(tokens.getValue("c1"), npsAnswer(10), DUE),
                engine.recordResponse(tokens.getValue("c5"), npsAnswer(7), DUE),
                engine.recordResponse(receiptToken(engine), npsAnswer(3), DUE),
                engine.recordResponse(receiptToken(engine, "t5"), npsAnswer(9), DUE),
            )
            eq(
                outcomes.map { it.npsCategory },
                listOf(NpsCategory.PROMOTER, NpsCategory.PASSIVE, NpsCategory.DETRACTOR, NpsCategory.PROMOTER),
                "categories",
            )
            eq(outcomes.map { it.scoreBase10 }, listOf(10.0, 7.0, 3.0, 9.0), "base 10")
            eq(engine.nps(ScoreQuery()), NpsSummary(promoters = 2uL, passives = 1uL, detractors = 1uL, nps = 25.0), "NPS")
            eq(engine.nps(ScoreQuery(location = "seoul")).nps, null, "seoul")
            eq(engine.nps(ScoreQuery(startsAt = DUE + 1)).nps, null, "later")
            eq(engine.nps(ScoreQuery(location = "paris", startsAt = DUE, endsAt = DUE + 1)).nps, 25.0, "window")
            val err = assertThrows<HearkenException.InvalidInput> { engine.nps(ScoreQuery(endsAt = Long.MAX_VALUE)) }
            eq(err.problems.map { it.record to it.field }, listOf("arguments" to "timestamp"), "bad bound")
        }
    }

    test("responses_n3_review_link_offered_to_a_9_not_to_an_8") {
        val (engine, tokens) = delivered()
        engine.use {
            val nine = engine.recordResponse(tokens.getValue("c1"), npsAnswer(9), DUE)
            eq(nine.npsCategory, NpsCategory.PROMOTER, "9")
            eq(nine.reviewLink, REVIEW_LINK, "9 gets the link")
            val eight = engine.recordResponse(tokens.getValue("c5"), npsAnswer(8), DUE)
            eq(eight.npsCategory, NpsCategory.PASSIVE, "8")
            eq(eight.reviewLink, null, "8 does not")
            engine.reviewClicked(nine.responseId, DUE)
            engine.reviewConfirmed(nine.responseId, DUE)
            assertThrows<HearkenException.NotFound> { engine.reviewClicked(999L, DUE) }
        }
    }

    test("responses_everyone_mode_and_feedback_settings") {
        val (engine, tokens) = delivered()
        engine.use {
            eq(engine.feedbackSettings(), defaultFeedbackSettings(), "defaults")
            eq(defaultFeedbackSettings().reviewMode, ReviewMode.PROMOTERS, "default mode")
            val everyone = defaultFeedbackSettings().copy(reviewMode = ReviewMode.EVERYONE)
            engine.setFeedbackSettings(everyone)
            eq(engine.feedbackSettings(), everyone, "round trip")
            val three = engine.recordResponse(tokens.getValue("c1"), npsAnswer(3), DUE)
            eq(three.reviewLink, REVIEW_LINK, "everyone is asked")
            check(three.unhappy, "a 3 is unhappy")
            val err = assertThrows<HearkenException.InvalidInput> {
                engine.setFeedbackSettings(everyone.copy(unhappyStars = 0u))
            }
            eq(err.problems.map { it.field }, listOf("unhappy_stars"), "fields")
        }
    }

    test("responses_second_response_to_the_same_link_is_a_conflict") {
        val (engine, tokens) = delivered()
        engine.use {
            engine.recordResponse(tokens.getValue("c1"), npsAnswer(10), DUE)
            val c = assertThrows<HearkenException.Conflict> {
                engine.recordResponse(tokens.getValue("c1"), npsAnswer(1), DUE)
            }
            eq(c.kind(), "conflict", "kind")
            eq(engine.nps(ScoreQuery()).promoters, 1uL, "one answer kept")
        }
    }

    test("responses_bad_answer_is_invalid_input_naming_the_fields") {
        val (engine, tokens) = delivered()
        engine.use {
            val bad = ResponseInput(
                answers = listOf(
                    Answer(question = "recommend", score = 11u),
                    Answer(question = "colour", text = "red"),
                ),
            )
            val err = assertThrows<HearkenException.InvalidInput> {
                engine.recordResponse(tokens.getValue("c1"), bad, DUE)
            }
            eq(
                err.problems.map { listOf(it.record, it.index, it.hostId, it.field) },
                listOf(listOf("answers", 0uL, "recommend", "score"), listOf("answers", 1uL, "colour", "question")),
                "problems",
            )
            check(!err.toJson().contains("red\""), "no value echoed")
            eq(engine.nps(ScoreQuery()).nps, null, "nothing stored")
            engine.recordResponse(tokens.getValue("c1"), npsAnswer(10), DUE) // the link still works
            val t = assertThrows<HearkenException.InvalidInput> { engine.recordResponse("../../etc", npsAnswer(9), DUE) }
            eq(t.problems.map { it.field }, listOf("token"), "token")
            assertThrows<HearkenException.NotFound> { engine.recordResponse("ab".repeat(16), npsAnswer(9), DUE) }
        }
    }

    test("responses_receipt_link_takes_one_anonymous_response") {
        val (engine, _) = delivered()
        engine.use {
            val link = engine.mintReceiptLink("paris", "t5", DUE)
            check(link.url.startsWith("https://feedback.example.com/r/"), "url: ${link.url}")
            eq(link.expiresAt, DUE + 60 * DAY_MS, "F6 expiry")
            val token = lastSegment(link.url)
            eq(engine.surveyPage(token, null, DUE).language, "en", "store default language")
            val outcome = engine.recordResponse(token, npsAnswer(9), DUE)
            eq(outcome.reviewLink, REVIEW_LINK, "a promoter")
            assertThrows<HearkenException.Conflict> { engine.recordResponse(token, npsAnswer(0), DUE) }
            eq(engine.nps(ScoreQuery()).promoters, 1uL, "counted once")
            val r = engine.ratings(ScoreQuery())
            eq(Triple(r.delivered, r.answered, r.responseRate), Triple(2uL, 0uL, 0.0), "not an invitation")
            assertThrows<HearkenException.NotFound> { engine.mintReceiptLink("lyon", null, DUE) }
        }
    }

    test("responses_ratings_with_a_custom_survey") {
        val (engine, tokens) = delivered()
        engine.use {
            val survey = engine.survey()
            val custom = survey.copy(
                questions = survey.questions + listOf(
                    Question(id = "stars", kind = QuestionKind.RATING, text = mapOf("en" to "Rate {location}"), scale = 5u),
                    Question(
                        id = "fast", kind = QuestionKind.CHOICE,
                        text = mapOf("en" to "Was it fast?", "fr" to "Était-ce rapide ?"),
                        options = listOf(
                            ChoiceOption(id = "yes", text = mapOf("en" to "Yes", "fr" to "Oui"), satisfied = true),
                            ChoiceOption(id = "no", text = mapOf("en" to "No", "fr" to "Non"), satisfied = false),
                        ),
                    ),
                ),
            )
            engine.setSurvey(custom)
            eq(engine.survey(), custom, "round trip")
            val fast = engine.surveyPage(tokens.getValue("c1"), null, DUE).questions.single { it.id == "fast" }
            eq(fast.options, listOf(QuestionOption("yes", "Oui"), QuestionOption("no", "Non")), "options in French")
            fun rated(n: UInt, choice: String) = ResponseInput(
                answers = listOf(Answer(question = "stars", score = n), Answer(question = "fast", choice = choice)),
            )
            val four = engine.recordResponse(tokens.getValue("c1"), rated(4u, "yes"), DUE)
            eq(four.scoreBase10 to four.unhappy, 8.0 to false, "4 stars")
            check(engine.recordResponse(tokens.getValue("c5"), rated(5u, "no"), DUE).unhappy, "unsatisfied choice")
            check(engine.recordResponse(receiptToken(engine), rated(2u, "yes"), DUE).unhappy, "2 of 5")
            val r = engine.ratings(ScoreQuery(location = "paris"))
            eq(listOf(r.responses, r.delivered, r.answered), listOf(3uL, 2uL, 2uL), "counts")
            eq(r.responseRate, 1.0, "rate")
            check(Math.abs(r.averageBase10!! - 22.0 / 3) < 1e-9, "average ${r.averageBase10}")
            val err = assertThrows<HearkenException.InvalidInput> {
                engine.setSurvey(Survey(listOf(custom.questions.last().copy(options = custom.questions.last().options.take(1)))))
            }
            eq(err.problems.map { it.hostId to it.field }, listOf("fast" to "options"), "bad survey")
        }
    }

    test("feedback_negative_with_a_facet_then_turned_off") {
        val (engine, _) = delivered()
        engine.use {
            fun feedback(sentiment: Sentiment, facets: List<String>) = FeedbackInput(
                location = "paris", sentiment = sentiment, facets = facets,
                comment = "Très bon accueil, mais l'attente…", consentToReply = true,
            )
            val id = engine.recordFeedback(feedback(Sentiment.NEGATIVE, listOf("staff")), DUE)
            check(id > 0, "response id")
            eq(Sentiment.NEGATIVE.codeName(), "negative", "code name")
            val bad = assertThrows<HearkenException.InvalidInput> {
                engine.recordFeedback(feedback(Sentiment.POSITIVE, listOf("parking")), DUE)
            }
            eq(bad.problems.map { it.record to it.field }, listOf("feedback" to "facets"), "facets")
            engine.setFeedbackEnabled("paris", false)
            val c = assertThrows<HearkenException.Conflict> {
                engine.recordFeedback(feedback(Sentiment.POSITIVE, listOf()), DUE)
            }
            eq(c.kind(), "conflict", "turned off")
            engine.deleteResponse(id, "admin@store", DUE) // old feedback stays readable
            eq(engine.responseDeletions().map { it.responseId }, listOf(id), "audit")
        }
    }

    test("responses_f3_delete_leaves_an_audit_record") {
        val (engine, tokens) = delivered()
        engine.use {
            val r = engine.recordResponse(tokens.getValue("c1"), npsAnswer(6), DUE)
            val err = assertThrows<HearkenException.InvalidInput> { engine.deleteResponse(r.responseId, " ", DUE) }
            eq(err.problems.map { it.field }, listOf("admin"), "admin named")
            engine.deleteResponse(r.responseId, "owner@boutique", DUE + DAY_MS)
            eq(
                engine.responseDeletions(),
                listOf(ResponseDeletion(r.responseId, "c1", DUE, 6.0, "owner@boutique", DUE + DAY_MS)),
                "audit record",
            )
            eq(engine.nps(ScoreQuery()).nps, null, "gone from the scores")
            assertThrows<HearkenException.NotFound> { engine.deleteResponse(r.responseId, "owner@boutique", DUE) }
        }
    }

    test("p1_p8_policy_nights_equal_the_golden_files") {
        val engine = prepared()
        engine.use {
            engine.setContactPolicyJson(goldenText("policy.contact.json"))
            engine.setLocationPolicy(
                LocationPolicy(
                    location = "paris",
                    dailyCap = 3u,
                    calendar = Calendar(
                        sendWeekdays = listOf(
                            Weekday.MONDAY, Weekday.TUESDAY, Weekday.WEDNESDAY,
                            Weekday.THURSDAY, Weekday.FRIDAY,
                        ),
                        closedDates = listOf("2026-11-23"),
                        openingHours = listOf(),
                    ),
                ),
            )
            val night2 = 1_795_298_400_000L // 2026-11-21T22:00:00Z
            eq(engine.syncJson(goldenText("policy_night1.batch.json"), NIGHT1) + "\n",
                goldenText("policy_night1.report.json"), "night 1")
            eq(engine.syncJson(goldenText("policy_night2.batch.json"), night2) + "\n",
                goldenText("policy_night2.report.json"), "night 2")
            eq(engine.explainJson("g1", night2) + "\n", goldenText("policy_explain_g1.json"), "explain")
        }
    }

    test("p4_p5_typed_policy_reads_back_and_bad_values_name_their_field") {
        val engine = prepared()
        engine.use {
            val policy = engine.contactPolicy()
            eq(policy.samplePercent, 100u, "default: everyone")
            engine.setContactPolicy(policy.copy(minGapDays = 30u, samplePercent = 50u))
            eq(engine.contactPolicy().minGapDays, 30u, "read back")
            val err = assertThrows<HearkenException.InvalidInput> {
                engine.setContactPolicy(policy.copy(samplePercent = 101u))
            }
            check("sample_percent" in err.toString(), "names the field: $err")
            val cal = assertThrows<HearkenException.InvalidInput> {
                engine.setCalendar(Calendar(listOf(), listOf(), listOf()))
            }
            check("send_weekdays" in cal.toString(), "names the field: $cal")
            eq(SkipReason.REFUNDED.codeName(), "refunded", "P8 code name")
            check(SkipReason.DAILY_CAP.describeInLanguage("fr").startsWith("la limite"), "French")
        }
    }

    test("r1_run_due_queues_the_reminder_that_claim_then_hands_over") {
        val (engine, tokens) = delivered()
        engine.use {
            engine.recordResponse(tokens.getValue("c1"), npsAnswer(10), DUE)
            eq(engine.runDue(DUE + WEEK_MS - SECOND_MS), DueWork(0u, 0u), "nothing due yet")
            eq(engine.runDue(DUE + WEEK_MS), DueWork(1u, 0u), "the reminder")
            eq(engine.runDue(DUE + WEEK_MS).reminders, 0u, "queued once")
            eq(engine.claim(10u, DUE + WEEK_MS).single().kind, MessageKind.REVIEW_REMINDER, "handed over")
        }
    }

    test("reminders_r1_a_week_after_the_ack_for_the_promoter_without_a_confirmed_review") {
        val (engine, tokens) = delivered()
        engine.use {
            engine.recordResponse(tokens.getValue("c1"), npsAnswer(10), DUE)
            val confirmed = engine.recordResponse(tokens.getValue("c5"), npsAnswer(9), DUE)
            engine.reviewConfirmed(confirmed.responseId, DUE + DAY_MS)
            eq(engine.claim(10u, DUE + WEEK_MS - SECOND_MS), listOf(), "not before a week")
            val m = engine.claim(10u, DUE + WEEK_MS).single()
            eq(m.customer to m.kind, "c1" to MessageKind.REVIEW_REMINDER, "the reminder")
            eq(m.kind.codeName(), "review_reminder", "code name")
            check(REVIEW_LINK in m.body, "review link in body: ${m.body}")
            eq(m.surveyLink, null, "no survey link")
            engine.ack(m.messageId, DUE + WEEK_MS)
            eq(engine.claim(10u, DUE + 30 * DAY_MS), listOf(), "never a second one")
        }
    }
}

// ---- alerts and follow-up (issue 7) on the golden night ----------------------------------
// The delivered night (c1 "Amélie Dupont" fr-FR, c5 "김민준" ko hold survey links at Paris)
// plus three users: Léa (manager), 지우 (staff, Korean notifications) and the owner.

const val HOUR_MS = 3_600_000L

/** [delivered], plus the users lea (manager), jiwoo (staff, ko) and owner; notifications off. */
fun staffed(): Pair<Engine, Map<String, String>> {
    val (engine, tokens) = delivered()
    engine.upsertUser(User(id = "lea", name = "Léa d'Orléans", email = "lea@boutique.example",
        role = UserRole.MANAGER, notify = NotifyLevel.NONE))
    engine.upsertUser(User(id = "jiwoo", name = "박지우", email = "jiwoo@boutique.example",
        role = UserRole.STAFF, notify = NotifyLevel.NONE, language = "ko"))
    engine.upsertUser(User(id = "owner", name = "Claire Martin", email = "owner@boutique.example",
        role = UserRole.OWNER, notify = NotifyLevel.NONE))
    return engine to tokens
}

fun npsComment(score: Int, comment: String, consent: Boolean = false) = ResponseInput(
    answers = listOf(
        Answer(question = "recommend", score = score.toUInt()),
        Answer(question = "comment", text = comment),
    ),
    consentToReply = consent,
)

fun phoneCall(user: String) =
    InteractionInput(method = InteractionMethod.PHONE, note = "Rappelée, réparation offerte", user = user)

fun Engine.claimed(kind: MessageKind, now: Long = DUE) = claim(100u, now).filter { it.kind == kind }

fun alertTests() {
    test("alerts_users_round_trip_validate_and_settings") {
        val (engine, _) = staffed()
        engine.use {
            eq(engine.users().map { it.id }, listOf("jiwoo", "lea", "owner"), "users by id")
            eq(engine.user("jiwoo"), User("jiwoo", "박지우", "jiwoo@boutique.example", UserRole.STAFF,
                listOf(), "ko", NotifyLevel.NONE, listOf()), "jiwoo")
            val err = assertThrows<HearkenException.InvalidInput> {
                engine.upsertUser(User(id = "x", name = " ", email = "not-an-email", role = UserRole.STAFF,
                    notify = NotifyLevel.ALL, locations = listOf("lyon")))
            }
            eq(err.problems.map { it.record to it.field },
                listOf("user" to "name", "user" to "email", "user" to "locations[0]"), "bad user")
            assertThrows<HearkenException.NotFound> { engine.user("ghost") }
            eq(engine.alertSettings(), defaultAlertSettings(), "defaults")
            eq(defaultAlertSettings(), AlertSettings(0u, "reply.feedback.example.com"), "default values")
            val s = AlertSettings(escalateAfterHours = 48u, replyDomain = "reply.boutique.example")
            engine.setAlertSettings(s)
            eq(engine.alertSettings(), s, "round trip")
            val bad = assertThrows<HearkenException.InvalidInput> {
                engine.setAlertSettings(AlertSettings(24u * 366u, "not a domain"))
            }
            eq(bad.problems.map { it.field }, listOf("escalate_after_hours", "reply_domain"), "bad settings")
            eq(AlertKind.values().map { it.codeName() },
                listOf("unhappy_customer", "negative_feedback", "unanswered_reviews", "sync_gap"), "kinds")
            eq(MessageKind.FOLLOW_UP_SURVEY.codeName(), "follow_up_survey", "message kind")
        }
    }

    test("alerts_a1_one_assignee_per_kind_and_location_with_a_store_wide_default") {
        val (engine, tokens) = staffed()
        engine.use {
            val unhappy = AlertKind.UNHAPPY_CUSTOMER
            eq(engine.assignee(unhappy, "paris"), null, "nobody yet")
            engine.assignAlerts(unhappy, null, "lea")
            eq(engine.assignee(unhappy, "seoul")?.id, "lea", "store-wide default")
            engine.assignAlerts(unhappy, "paris", "lea")
            engine.assignAlerts(unhappy, "paris", "jiwoo")
            eq(engine.assignments(), listOf(Assignment(unhappy, null, "lea"), Assignment(unhappy, "paris", "jiwoo")),
                "one per kind and location, replaced")
            eq(engine.assignee(AlertKind.SYNC_GAP, "paris"), null, "per kind")
            val out = engine.recordResponse(tokens.getValue("c1"), npsComment(2, "Accueil très froid"), DUE)
            val id = out.alertId ?: throw AssertionError("an unhappy answer raises an alert")
            eq(engine.alert(id), Alert(
                id = id, kind = unhappy, status = AlertStatus.OPEN, location = "paris", assignee = "jiwoo",
                customer = "c1", responseId = out.responseId, scoreBase10 = 2.0, comment = "Accueil très froid",
                detail = "", interactions = 0u, createdAt = DUE, updatedAt = DUE, closedAt = null,
                escalatedAt = null, followUpAt = null,
            ), "the alert")
            eq(engine.recordResponse(tokens.getValue("c5"), npsAnswer(10), DUE).alertId, null, "a promoter raises none")
            assertThrows<HearkenException.NotFound> { engine.assignAlerts(AlertKind.SYNC_GAP, "lyon", "lea") }
            assertThrows<HearkenException.NotFound> { engine.assignAlerts(AlertKind.SYNC_GAP, null, "nobody") }
            assertThrows<HearkenException.Conflict> { engine.removeUser("lea") }
            engine.unassignAlerts(unhappy, null)
            engine.removeUser("lea")
            assertThrows<HearkenException.NotFound> { engine.user("lea") }
        }
    }

    test("alerts_a2_notifications_all_negative_or_a_subset_and_none_keeps_the_dashboard") {
        val (engine, tokens) = staffed()
        engine.use {
            engine.upsertUser(engine.user("lea").copy(notify = NotifyLevel.ALL))
            engine.upsertUser(engine.user("jiwoo").copy(notify = NotifyLevel.NEGATIVE))
            engine.upsertUser(engine.user("owner").copy(notify = NotifyLevel.ALL, notifyLocations = listOf("seoul")))
            engine.recordResponse(tokens.getValue("c1"), npsComment(9, "Parfait"), DUE)
            val slow = engine.recordResponse(tokens.getValue("c5"), npsComment(4, "너무 느려요"), DUE)
            val notes = engine.claimed(MessageKind.FEEDBACK_NOTIFICATION)
            eq(notes.map { it.user }.sortedBy { it }, listOf("jiwoo", "lea", "lea"), "recipients")
            val ko = notes.single { it.user == "jiwoo" }
            eq(listOf(ko.recipient, ko.language, ko.customer, ko.alertId),
                listOf("jiwoo@boutique.example", "ko", null, slow.alertId), "the Korean note")
            check(ko.subject.startsWith("불만 고객"), "subject: ${ko.subject}")
            check("너무 느려요" in ko.body, "comment in body: ${ko.body}")
            // An assignee who chose none still has the alert on the dashboard.
            val dash = engine.alerts(AlertQuery())
            eq(dash.map { it.id }, listOf(slow.alertId), "dashboard")
            eq(engine.alerts(AlertQuery(location = "seoul")), listOf(), "by location")
            eq(engine.alerts(AlertQuery(kind = AlertKind.SYNC_GAP)), listOf(), "by kind")
            eq(engine.nps(ScoreQuery()).detractors, 1uL, "every answer counts")
        }
    }

    test("alerts_a3_done_requires_an_interaction_then_is_final") {
        val (engine, tokens) = staffed()
        engine.use {
            engine.assignAlerts(AlertKind.UNHAPPY_CUSTOMER, null, "lea")
            val id = engine.recordResponse(tokens.getValue("c1"), npsComment(3, "Longue attente"), DUE).alertId!!
            val err = assertThrows<HearkenException.Conflict> { engine.setAlertStatus(id, AlertStatus.DONE, DUE) }
            check("interaction" in err.reason, "reason: ${err.reason}")
            eq(err.kind(), "conflict", "kind")
            engine.reassignAlert(id, "jiwoo", DUE)
            eq(engine.alert(id).assignee, "jiwoo", "delegated")
            val later = DUE + 2 * HOUR_MS
            val interactionId = engine.recordInteraction(id, phoneCall("jiwoo"), later)
            eq(engine.alert(id).status, AlertStatus.IN_PROGRESS, "in progress")
            eq(engine.interactions(id), listOf(Interaction(interactionId, id, InteractionMethod.PHONE,
                "Rappelée, réparation offerte", Author.BUSINESS, "jiwoo", later)), "interactions")
            engine.setAlertStatus(id, AlertStatus.DONE, later)
            val done = engine.alert(id)
            eq(done.status to done.closedAt, AlertStatus.DONE to later, "done")
            assertThrows<HearkenException.Conflict> { engine.setAlertStatus(id, AlertStatus.IN_PROGRESS, later) }
            eq(engine.alerts(AlertQuery()), listOf(), "off the dashboard")
            eq(engine.alerts(AlertQuery(statuses = listOf(AlertStatus.DONE))).map { it.id }, listOf(id), "history")
            val blank = assertThrows<HearkenException.InvalidInput> {
                engine.recordInteraction(id, phoneCall("jiwoo").copy(note = " "), later)
            }
            eq(blank.problems.map { it.field }, listOf("note"), "blank note")
        }
    }

    test("alerts_a3_dashboard_email_tracking_reply_at_risk_and_escalation") {
        val (engine, tokens) = staffed()
        engine.use {
            engine.setAlertSettings(AlertSettings(escalateAfterHours = 24u, replyDomain = "reply.boutique.example"))
            val out = engine.recordResponse(tokens.getValue("c5"), npsComment(0, "최악"), DUE)
            val id = out.alertId!!
            eq(engine.atRiskCustomers(null), listOf(AtRiskCustomer("c5", "김민준", "minjun@example.kr",
                "+82 10-1234-5678", "paris", 0u, "최악", DUE, id)), "at risk")
            eq(engine.atRiskCustomers("seoul"), listOf(), "none in Seoul")
            val messageId = engine.emailCustomer(id, CustomerEmail("lea", "죄송합니다", "다시 방문해 주세요."), DUE)
            val m = engine.claim(100u, DUE).single { it.messageId == messageId }
            eq(listOf(m.kind, m.recipient, m.customer, m.alertId),
                listOf(MessageKind.CUSTOMER_REPLY, "minjun@example.kr", "c5", id), "the e-mail")
            val replyTo = m.replyTo!!
            check(replyTo.startsWith("reply+") && replyTo.endsWith("@reply.boutique.example"), "reply to $replyTo")
            engine.ack(m.messageId, DUE)
            val inbound = engine.recordInboundReply("김민준 <$replyTo>", "감사합니다", DUE + HOUR_MS)
            eq(inbound.alertId to inbound.responseId, id to out.responseId, "filed on the alert")
            eq(engine.interactions(id).map { it.author to it.method },
                listOf(Author.BUSINESS to InteractionMethod.EMAIL, Author.CUSTOMER to InteractionMethod.EMAIL), "log")
            eq(engine.thread(out.responseId).map { it.author to it.body },
                listOf(Author.CUSTOMER to "최악", Author.BUSINESS to "다시 방문해 주세요.", Author.CUSTOMER to "감사합니다"),
                "thread")
            assertThrows<HearkenException.InvalidInput> { engine.recordInboundReply("someone@example.com", "hi", DUE) }
            // Still in progress a day later: the owner covering Paris is told, once.
            eq(engine.claimed(MessageKind.ALERT_ESCALATION, DUE + 23 * HOUR_MS), listOf(), "not yet")
            val esc = engine.claimed(MessageKind.ALERT_ESCALATION, DUE + 25 * HOUR_MS).single()
            eq(listOf(esc.user, esc.recipient, esc.alertId), listOf("owner", "owner@boutique.example", id), "escalation")
            check(engine.alert(id).escalatedAt != null, "escalated_at set")
            engine.ack(esc.messageId, DUE + 25 * HOUR_MS)
            eq(engine.claimed(MessageKind.ALERT_ESCALATION, DUE + 50 * HOUR_MS), listOf(), "once only")
        }
    }

    test("alerts_a4_follow_up_after_done_and_refused_for_an_anonymous_response") {
        val (engine, tokens) = staffed()
        engine.use {
            val id = engine.recordResponse(tokens.getValue("c1"), npsComment(4, "Trop lent"), DUE).alertId!!
            assertThrows<HearkenException.Conflict> { engine.sendFollowUp(id, DUE) }
            engine.recordInteraction(id, phoneCall("lea"), DUE)
            engine.setAlertStatus(id, AlertStatus.DONE, DUE)
            val messageId = engine.sendFollowUp(id, DUE)
            eq(engine.alert(id).followUpAt, DUE, "follow_up_at")
            val m = engine.claim(100u, DUE).single { it.messageId == messageId }
            eq(listOf(m.kind, m.customer, m.alertId), listOf(MessageKind.FOLLOW_UP_SURVEY, "c1", id), "follow-up")
            check(m.surveyLink!! in m.body, "link in body")
            val before = engine.nps(ScoreQuery())
            val out = engine.recordResponse(lastSegment(m.surveyLink), npsAnswer(9), DUE)
            eq(out.alertId, id, "kept on the case")
            eq(engine.nps(ScoreQuery()), before, "not in the store's NPS")
            check("9.0/10" in engine.interactions(id).last().note, "logged")

            val anon = engine.recordResponse(receiptToken(engine), npsAnswer(2), DUE).alertId!!
            engine.recordInteraction(anon, phoneCall("lea"), DUE)
            engine.setAlertStatus(anon, AlertStatus.DONE, DUE)
            val err = assertThrows<HearkenException.Conflict> { engine.sendFollowUp(anon, DUE) }
            check("anonymous" in err.reason, "reason: ${err.reason}")
        }
    }

    test("alerts_a5_unanswered_reviews_alert_clears_when_every_review_has_a_reply") {
        val (engine, _) = staffed()
        engine.use {
            engine.assignAlerts(AlertKind.UNANSWERED_REVIEWS, "paris", "lea")
            val posted = ms("2026-11-20T12:00:00Z")
            fun review(id: String, repliedAt: Long? = null, rating: UInt? = 2u) =
                ExternalReview(id = id, location = "paris", site = "google", postedAt = posted, rating = rating,
                    repliedAt = repliedAt)
            eq(engine.reportReview(review("g1"), DUE), 1u, "one waiting")
            eq(engine.reportReview(review("g2"), DUE), 2u, "two waiting")
            val alert = engine.alerts(AlertQuery(kind = AlertKind.UNANSWERED_REVIEWS)).single()
            eq(alert.assignee, "lea", "assignee")
            check("2" in alert.detail, "detail: ${alert.detail}")
            eq(engine.reportReview(review("g1", ms("2026-11-21T08:00:00Z")), DUE), 1u, "one replied")
            eq(engine.alert(alert.id).status, AlertStatus.OPEN, "still open")
            eq(engine.reportReview(review("g2", ms("2026-11-21T08:30:00Z")), DUE), 0u, "all replied")
            eq(engine.alert(alert.id).status, AlertStatus.DONE, "cleared by itself")
            eq(engine.interactions(alert.id).first().author, Author.SYSTEM, "by hearken")
            val err = assertThrows<HearkenException.InvalidInput> { engine.reportReview(review("g4", rating = 11u), DUE) }
            eq(err.problems.map { it.record to it.field }, listOf("review" to "rating"), "bad rating")
            val range = assertThrows<HearkenException.InvalidInput> {
                engine.reportReview(review("g4").copy(postedAt = Long.MAX_VALUE), DUE)
            }
            eq(range.problems.map { it.record to it.field }, listOf("arguments" to "timestamp"), "out of range")
        }
    }

    test("alerts_f2_replies_rewards_and_refunds_only_with_consent") {
        val (engine, tokens) = staffed()
        engine.use {
            val consented = engine.recordResponse(tokens.getValue("c1"), npsComment(5, "Article cassé", true), DUE)
            val silent = engine.recordResponse(tokens.getValue("c5"), npsComment(5, "그저 그래요"), DUE)
            val refund = ReplyInput(user = "lea", kind = CommentKind.REFUND, body = "Nous avons remboursé l'article.",
                amountMinor = 2590L, currency = "EUR")
            val err = assertThrows<HearkenException.Conflict> { engine.reply(silent.responseId, refund, DUE) }
            check("agree" in err.reason, "reason: ${err.reason}")
            val refundId = engine.reply(consented.responseId, refund, DUE)
            val reward = ReplyInput(user = "lea", kind = CommentKind.REWARD, body = "Un bon pour votre prochaine visite.",
                couponCode = "SORRY-10")
            engine.reply(consented.responseId, reward, DUE)
            val thread = engine.thread(consented.responseId)
            eq(thread.map { it.kind }, listOf(CommentKind.COMMENT, CommentKind.REFUND, CommentKind.REWARD), "thread")
            eq(thread[1], ThreadComment(refundId, consented.responseId, Author.BUSINESS, CommentKind.REFUND,
                "Nous avons remboursé l'article.", null, 2590L, "EUR", "lea", DUE), "the refund")
            eq(thread[2].couponCode, "SORRY-10", "coupon")
            val replies = engine.claimed(MessageKind.CUSTOMER_REPLY)
            eq(replies.size, 2, "both went out")
            check(replies.any { "25.90 EUR" in it.body } && replies.any { "SORRY-10" in it.body }, "bodies")
            val back = engine.recordInboundReply(replies[0].replyTo!!, "Merci beaucoup !", DUE)
            eq(back.responseId, consented.responseId, "same thread")
            eq(engine.thread(consented.responseId).last().body, "Merci beaucoup !", "answer in the thread")
            val bad = assertThrows<HearkenException.InvalidInput> {
                engine.reply(consented.responseId, reward.copy(couponCode = null), DUE)
            }
            eq(bad.problems.map { it.field }, listOf("coupon_code"), "a reward needs its coupon")
            assertThrows<HearkenException.NotFound> { engine.reply(999L, reward, DUE) }
        }
    }

    test("alerts_s2_a_sync_gap_raises_an_alert") {
        val (engine, _) = synced()
        engine.use {
            val window = engine.syncWindow("paris", NIGHT4)
            val report = engine.sync(SyncBatch(location = "paris", businessDates = window.dates), NIGHT4)
            eq(report.missingDates, listOf("2026-11-21"), "missing")
            val gap = engine.alerts(AlertQuery(kind = AlertKind.SYNC_GAP)).single()
            check("2026-11-21" in gap.detail, "detail: ${gap.detail}")
        }
    }
}

// ---- reports, exports, erasure (issue 8, X1, X2) and bad input (issue 9) ---------------

fun answered(): Engine {
    val (engine, tokens) = delivered()
    fun withComment(score: Int, comment: String) = ResponseInput(
        answers = npsAnswer(score).answers + Answer(question = "comment", text = comment),
    )
    engine.recordResponse(tokens.getValue("c1"), withComment(10, "Très bien, merci"), DUE)
    engine.recordResponse(tokens.getValue("c5"), withComment(3, "Trop lent"), DUE)
    return engine
}

fun reportTests() {
    test("reports_scores_rate_and_last_month") {
        answered().use { engine ->
            val q = ReportQuery(period = Period.AllTime, location = "paris")
            val scores = engine.scores(q, DUE)
            eq(scores.responses, 2uL, "responses")
            eq(scores.nps.nps, 0.0, "nps")
            val rate = engine.responseRate(q, DUE)
            eq(Triple(rate.delivered, rate.answered, rate.rate), Triple(2uL, 2uL, 1.0), "N5")
            val bounds = engine.periodBounds("paris", Period.LastMonth, DUE)
            eq(bounds.firstDay to bounds.lastDay, "2026-10-01" to "2026-10-31", "X3 last month")
            eq(engine.scores(ReportQuery(period = Period.LastMonth), DUE).responses, 0uL, "last month")
            val page = engine.feedback(FeedbackQuery(scope = ReportQuery(period = Period.AllTime), sort = FeedbackSort.LOWEST), DUE)
            eq(page.items.map { it.nps?.toInt() }, listOf(3, 10), "lowest first")
        }
    }

    test("reports_aggregate_bundle_compared_in_another_store") {
        answered().use { engine ->
            val bundle = engine.exportAggregates("store-a", DUE)
            prepared().use { other ->
                eq(other.importAggregates(bundle, DUE), 1uL, "rows")
                val c = other.compareNps(ReportQuery(period = Period.AllTime), DUE)
                eq(c.peerStores, 1u, "peer stores")
                eq(c.peers.promoters to c.peers.detractors, 1uL to 1uL, "peer counts")
            }
        }
    }

    test("exports_csv_header_xlsx_zip_and_erasure") {
        answered().use { engine ->
            val dir = Files.createTempDirectory("hearken-export").toFile()
            val csv = File(dir, "feedback.csv")
            eq(engine.exportCsvFile(ScoreQuery(), csv.path), 2uL, "comment rows")
            val bytes = csv.readBytes()
            check(bytes.size > 3 && bytes[0] == 0xEF.toByte() && bytes[1] == 0xBB.toByte(), "BOM")
            eq(
                csv.readText(Charsets.UTF_8).removePrefix("\uFEFF").lineSequence().first().trimEnd('\r'),
                "Date,Time,Conversation ID,Comment ID,Transaction ID,Customer ID,Customer Name," +
                    "Customer Reference ID,Channel,Location,Author,Sentiment,Facet,Comment",
                "X1 header",
            )
            val xlsx = File(dir, "feedback.xlsx")
            eq(engine.exportXlsxFile(ScoreQuery(), xlsx.path).comments, 2uL, "xlsx comments")
            eq(String(xlsx.readBytes().copyOf(2), Charsets.US_ASCII), "PK", "zip")
            val before = engine.scores(ReportQuery(period = Period.AllTime), DUE)
            val erasure = engine.eraseCustomer("c1", DUE)
            eq(erasure.responsesKept, 1uL, "responses kept")
            eq(engine.scores(ReportQuery(period = Period.AllTime), DUE), before, "NPS unchanged")
            engine.exportCsvFile(ScoreQuery(), csv.path)
            check("Amélie" !in csv.readText(Charsets.UTF_8), "name gone from the CSV")
            dir.deleteRecursively()
        }
    }

    test("bad_input_typed_errors_and_nothing_stored") {
        val (engine, _) = synced()
        engine.use {
            fun state() = listOf(
                engine.outboxCounts().toString(),
                engine.explainJson("c1", NIGHT1),
                engine.pendingInvitations().size.toString(),
                engine.locations().size.toString(),
            )
            val before = state()
            val date = assertThrows<HearkenException.InvalidInput> {
                engine.sync(SyncBatch(location = "paris", businessDates = listOf("2026-02-30")), NIGHT1)
            }
            // Checked while uniffi reads the record: the problem names the type, not the field.
            eq(date.problems.map { it.record to it.field }, listOf("arguments" to "date"), "impossible date")
            val period = assertThrows<HearkenException.InvalidInput> {
                engine.scores(ReportQuery(period = Period.Custom("2026-02-30", "2026-03-01")), DUE)
            }
            eq(period.problems.map { it.record to it.field }, listOf("arguments" to "date"), "bad period")
            val zone = assertThrows<HearkenException.InvalidInput> {
                engine.upsertLocation(Location(id = "lyon", name = "Lyon", timeZone = "Mars/SECRET"))
            }
            eq(zone.problems.map { it.field }, listOf("time_zone"), "time zone")
            check(!zone.reason.contains("SECRET"), "no echo")
            assertThrows<HearkenException.InvalidInput> { engine.syncJson("{\"format\":1,\"loc", NIGHT1) }
            assertThrows<HearkenException.NotFound> { engine.eraseCustomer("ghost", DUE) }
            val token = assertThrows<HearkenException.InvalidInput> {
                engine.recordResponse("SECRET", npsAnswer(9), DUE)
            }
            eq(token.problems.map { it.field }, listOf("token"), "malformed token")
            assertThrows<HearkenException.NotFound> {
                engine.recordResponse("0123456789abcdef0123456789abcdef", npsAnswer(9), DUE)
            }
            val long = assertThrows<HearkenException.InvalidInput> {
                engine.sync(
                    SyncBatch(
                        location = "paris", businessDates = listOf("2026-11-20"),
                        customers = listOf(Customer(id = "z", name = "x".repeat(257), includeInCommunications = true)),
                    ),
                    NIGHT1,
                )
            }
            eq(long.problems.map { it.field }, listOf("name"), "name > 256")
            eq(state(), before, "nothing stored")
        }
    }
}

// ---- trust (T1, T5, T7, T8): close, backup, check, journal mode ----------------------------
fun trustTests() {
    test("t1_t8_close_store_leaves_one_file_and_later_calls_throw_closed") {
        val dir = Files.createTempDirectory("hearken-kt-trust")
        val path = dir.resolve("store.db").toString()
        val engine = prepared(Engine(path))
        engine.syncJson(goldenText("night1.batch.json"), NIGHT1)
        val want = engine.explainJson("c5", NIGHT1)
        engine.backup(dir.resolve("backup.db").toString())
        engine.closeStore()
        engine.closeStore() // twice is harmless
        assertThrows<HearkenException.Closed> { engine.explainJson("c5", NIGHT1) }
        engine.close() // releases the handle (AutoCloseable)
        check(!dir.resolve("store.db-wal").toFile().let { it.exists() && it.length() > 0 }, "WAL folded back")
        val alone = Files.createTempDirectory("hearken-kt-alone").resolve("copy.db")
        Files.copy(dir.resolve("store.db"), alone)
        Engine(alone.toString()).use { copy -> eq(copy.explainJson("c5", NIGHT1), want, "copy alone") }
        Engine(dir.resolve("backup.db").toString()).use { copy ->
            val check = copy.check()
            check(check.ok, "backup is sound")
            eq(check.journal, JournalMode.ROLLBACK, "a backup is one file")
            eq(copy.explainJson("c5", NIGHT1), want, "backup")
        }
        alone.parent.toFile().deleteRecursively()
        dir.toFile().deleteRecursively()
    }

    test("t5_t7_journal_kept_converted_and_foreign_files_refused") {
        val dir = Files.createTempDirectory("hearken-kt-journal")
        val path = dir.resolve("share.db").toString()
        Engine.openWith(path, OpenOptions(journal = JournalMode.ROLLBACK, busyTimeoutMs = 5_000uL)).use { }
        Engine(path).use { eq(it.journalMode(), JournalMode.ROLLBACK, "kept") }
        eq(convertJournal(path, JournalMode.WAL), JournalMode.ROLLBACK, "previous mode")
        Engine(path).use { engine ->
            eq(engine.journalMode(), JournalMode.WAL, "converted")
            assertThrows<HearkenException.Conflict> { convertJournal(path, JournalMode.ROLLBACK) }
        }
        val foreign = dir.resolve("notes.txt").toFile()
        foreign.writeText("x".repeat(8192))
        val before = foreign.readBytes()
        assertThrows<HearkenException.NotHearken> { Engine(foreign.path) }
        check(foreign.readBytes().contentEquals(before), "foreign file untouched")
        dir.toFile().deleteRecursively()
    }
}

/** What the customer sees (M1, M2, M4) through the Kotlin door, on the golden night. */
fun pagesTests() {
    test("m1_m2_score_click_once_then_the_page_completes_it_and_thanks_equal_golden") {
        val (engine, _) = synced()
        engine.use {
            val msgs = engine.claim(10u, DUE).byCustomer()
            msgs.values.forEach { engine.ack(it.messageId, DUE) }
            val c1 = msgs.getValue("c1")
            val html = c1.htmlBody!!
            for (n in 0..10) check(html.contains("href=\"${c1.surveyLink}?score=$n\""), "score link $n")
            val token = lastSegment(c1.surveyLink)
            val click = engine.recordScoreClick(token, 9u, DUE)
            eq(listOf(click.score, click.recorded, click.completed), listOf(9u, true, false), "first click")
            eq(engine.nps(ScoreQuery()).promoters, 1uL, "counted at once")
            val page = engine.surveyLinkPage(token, 2u, null, DUE)
            eq(page.kind, PageKind.SURVEY, "same page")
            check("Vous nous avez donné 9 sur 10" in page.html, "the recorded score")
            eq(engine.recordScoreClick(token, 4u, DUE).recorded, false, "second click")
            val body = "q.comment=Tr%c3%a8s+bien%2c+l%27accueil+%ec%a2%8b%ec%95%84%ec%9a%94"
            val thanks = engine.submitSurveyForm(token, body, DUE)
            eq(thanks.kind, PageKind.THANK_YOU, "thanks")
            eq(thanks.html + "\n", goldenText("thanks_c1.html"), "golden thank-you page")
            eq(thanks.reviewLink, "https://g.page/r/paris/review", "N3")
            eq(engine.nps(ScoreQuery()).promoters, 1uL, "still one")
            val unsub = engine.unsubscribePage(lastSegment(msgs.getValue("c5").unsubscribeLink), DUE)
            eq(listOf(unsub.kind, unsub.language), listOf(PageKind.UNSUBSCRIBED, "ko"), "E3 page")
            val answers = engine.surveyFormAnswers("q.recommend=10&consent=1")
            eq(answers.answers[0].score, 10u, "form answers")
            val err = assertThrows<HearkenException.InvalidInput> { engine.surveyFormAnswers("q.recommend=secret") }
            check("secret" !in err.toString(), "never echoes the value")
        }
    }
}

/** A flat JSON object of scalars (an event's data) with its keys in order, as the golden
 *  file writes it; the door gives them in the record's field order. */
fun sortedFlatJson(obj: String): String =
    Regex("\"([^\"]+)\":(\"(?:[^\"\\\\]|\\\\.)*\"|[^,}]+)").findAll(obj)
        .map { it.groupValues[1] to it.groupValues[2] }
        .sortedBy { it.first }
        .joinToString(",", "{", "}") { "\"${it.first}\":${it.second}" }

/** A JSON string as serde_json writes it (the texts here hold no control characters). */
fun jsonString(s: String?): String =
    if (s == null) "null" else "\"" + s.replace("\\", "\\\\").replace("\"", "\\\"") + "\""

/** The Standard Webhooks signature (`v1,` and the base64 HMAC-SHA256 of `id.timestamp.body`
 *  under the secret's bytes), computed with javax.crypto, not by hearken. */
fun standardSignature(secret: String, id: String, timestamp: String, body: String): String {
    val key = java.util.Base64.getDecoder().decode(secret.removePrefix("whsec_"))
    val mac = javax.crypto.Mac.getInstance("HmacSHA256")
    mac.init(javax.crypto.spec.SecretKeySpec(key, "HmacSHA256"))
    val digest = mac.doFinal("$id.$timestamp.$body".toByteArray(Charsets.UTF_8))
    return "v1," + java.util.Base64.getEncoder().encodeToString(digest)
}

/** The golden subscription of tests/golden/webhook.json. */
const val GOLDEN_HOOK_URL = "https://crm.example/hooks/hearken"
const val GOLDEN_HOOK_SECRET = "whsec_AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8="
val GOLDEN_HOOK_TYPES = listOf("invitation.created.v1", "invitation.delivered.v1")

/** Issue 28 through the Kotlin door: the event feed's golden night (D1), the customer
 *  screen and cancelling (D7), delivery feedback and consent history (D3, D5), the golden
 *  webhook night and a 410 (D2), inbound SMS (D4). */
fun integrationTests() {
    test("d2_golden_webhooks_of_night1_match_the_rust_door") {
        val typesJson = GOLDEN_HOOK_TYPES.joinToString(",", "[", "]") { jsonString(it) }
        eq(goldenText("webhook.json"),
            "{\"url\":\"$GOLDEN_HOOK_URL\",\"event_types\":$typesJson,\"secret\":\"$GOLDEN_HOOK_SECRET\"}\n",
            "the golden subscription")
        val engine = prepared()
        engine.use {
            val added = engine.addWebhook(NewWebhook(GOLDEN_HOOK_URL, GOLDEN_HOOK_TYPES, GOLDEN_HOOK_SECRET), NIGHT1)
            eq(added.secret, GOLDEN_HOOK_SECRET, "the secret, shown once")
            engine.syncJson(goldenText("night1.batch.json"), NIGHT1)
            val claimed = engine.claim(10u, NIGHT1)
            eq(claimed.size, 2, "two invitation.created.v1 webhooks, due at once")
            val got = claimed.joinToString(",", "[", "]") { m ->
                val w = m.webhook!!
                eq(w.webhookId, "msg_${m.messageId}", "webhook-id")
                eq(w.webhookSignature, standardSignature(GOLDEN_HOOK_SECRET, w.webhookId, w.webhookTimestamp, m.body),
                    "signature (javax.crypto.Mac)")
                val hook = "{\"webhook\":${w.webhook},\"url\":${jsonString(w.url)},\"webhook_id\":\"msg_MESSAGE_ID\"," +
                    "\"webhook_timestamp\":${jsonString(w.webhookTimestamp)},\"webhook_signature\":\"SIGNATURE\"}"
                "{\"message_id\":\"MESSAGE_ID\",\"kind\":\"${m.kind.name.lowercase()}\"," +
                    "\"channel\":\"${m.channel.name.lowercase()}\",\"recipient\":${jsonString(m.recipient)}," +
                    "\"language\":${jsonString(m.language)},\"subject\":${jsonString(m.subject)}," +
                    "\"body\":${jsonString(m.body)},\"html_body\":${jsonString(m.htmlBody)}," +
                    "\"survey_link\":${jsonString(m.surveyLink)},\"survey_link_expires_at\":" +
                    "${m.surveyLinkExpiresAt?.let { "\"${Instant.ofEpochMilli(it)}\"" } ?: "null"}," +
                    "\"unsubscribe_link\":${jsonString(m.unsubscribeLink)},\"reply_to\":${jsonString(m.replyTo)}," +
                    "\"customer\":${jsonString(m.customer)},\"user\":${jsonString(m.user)}," +
                    "\"location\":${jsonString(m.location)},\"webhook\":$hook," +
                    "\"invitation_id\":${m.invitationId ?: "null"},\"alert_id\":${m.alertId ?: "null"}," +
                    "\"attempt\":${m.attempt},\"lease_until\":\"${Instant.ofEpochMilli(m.leaseUntil)}\"}"
            }
            eq(got + "\n", goldenText("webhook_night1.json"), "the golden webhooks, ids and signatures masked")
        }
    }
    test("d2_a_subscribed_event_is_due_at_once_signed_and_a_410_disables_the_subscription") {
        val engine = prepared()
        engine.use {
            val sub = engine.addWebhook(NewWebhook(GOLDEN_HOOK_URL, listOf("invitation.created.v1"), null), NIGHT1)
            val secret = sub.secret!!
            check(secret.startsWith("whsec_"), "a generated secret")
            eq(engine.webhooks().single().secret, null, "the secret is shown once")
            engine.syncJson(goldenText("night1.batch.json"), NIGHT1)
            // 23:00 in Paris: no send slot for customers, the machine's message is due now.
            val m = engine.claim(1u, NIGHT1).single()
            eq(m.kind, MessageKind.WEBHOOK, "a webhook message")
            val w = m.webhook!!
            eq(w.webhookTimestamp, (NIGHT1 / 1000).toString(), "the claim's now, Unix seconds")
            eq(w.webhookSignature, standardSignature(secret, w.webhookId, w.webhookTimestamp, m.body),
                "verified with javax.crypto.Mac")
            check(m.body.startsWith("{\"type\":\"invitation.created.v1\""), "the event's body")
            eq(engine.failWebhook(m.messageId, 410u, "gone", NIGHT1), FailOutcome.Failed, "a 410 fails for good")
            val disabled = engine.webhooks().single()
            eq(disabled.status, WebhookStatus.DISABLED, "a 410 disables")
            eq(disabled.disabledReason, "gone", "reason")
            eq(engine.claim(10u, NIGHT1), listOf(), "its other message is cancelled")
        }
    }
    test("d4_stop_please_opts_out_once_start_lifts_it_and_a_bare_score_finds_no_survey") {
        val engine = freshEngine()
        engine.use {
            val phone = "+33699999999"
            val out = engine.receiveSms(phone, "stop please", DUE)
            check(out is SmsOutcome.OptedOut && out.keyword == "stop" && out.confirmationId != null, "opted out: $out")
            val again = engine.receiveSms(phone, " Stop ", DUE + SECOND_MS)
            check(again is SmsOutcome.OptedOut && again.confirmationId == null, "confirmed once: $again")
            val claimed = engine.claim(10u, DUE + 2 * SECOND_MS)
            eq(claimed.map { it.kind }, listOf(MessageKind.SMS_KEYWORD_REPLY), "one confirmation, due at once")
            eq(claimed[0].recipient, phone, "to the phone")
            eq(engine.receiveSms(phone, "START", DUE + 3 * SECOND_MS), SmsOutcome.OptedIn(true), "START lifts it")
            eq(engine.receiveSms(phone, "7", DUE + 4 * SECOND_MS), SmsOutcome.NoOpenSurvey, "a bare score, no survey")
            val err = assertThrows<HearkenException.InvalidInput> { engine.receiveSms("SECRET", "STOP", DUE) }
            check("SECRET" !in err.toString(), "never echoes the value")
        }
    }
    test("d1_golden_events_of_night1_match_the_rust_door") {
        val (engine, _) = synced()
        engine.use {
            val message = engine.claim(1u, DUE).single()
            engine.ack(message.messageId, DUE)
            val page = engine.events(null, 1000u)
            check(page is EventsPage.Events, "a page of events")
            page as EventsPage.Events
            val incarnation = page.nextCursor.substringBefore('.')
            val events = page.events.joinToString(",") {
                "{\"cursor\":\"${it.cursor}\",\"type\":\"${it.kind}\"," +
                    "\"at\":\"${Instant.ofEpochMilli(it.at)}\",\"data\":${sortedFlatJson(it.data)}}"
            }
            val got = "{\"outcome\":\"events\",\"events\":[$events],\"next_cursor\":\"${page.nextCursor}\"}"
            eq(got + "\n", goldenText("events_night1.json").replace("INCARNATION", incarnation), "feed")
            val after = engine.events(page.nextCursor, 10u)
            eq(after, EventsPage.Events(listOf(), page.nextCursor), "nothing after the last cursor")
            eq(engine.events("0123456789abcdef.1", 10u), EventsPage.ForeignCursor("$incarnation.0"),
                "a foreign cursor is told, with the oldest valid one")
            val err = assertThrows<HearkenException.InvalidInput> { engine.events("secret@example.com", 10u) }
            check("after_cursor" in err.toString() && "secret" !in err.toString(), "names after_cursor, no echo")
        }
    }
    test("d7_contact_state_and_cancel_pending_release_the_cooldown") {
        val (engine, _) = synced()
        engine.use {
            val state = engine.contactState("c1", DUE)
            eq(state.customer, "c1", "customer")
            eq(state.pending.size, 1, "one pending invitation message")
            val cancelled = engine.cancelPending("c1", DUE)
            eq(cancelled.cancelled, 1u, "cancelled")
            eq(engine.contactState("c1", DUE).pending, listOf(), "nothing pending after cancel")
            assertThrows<HearkenException.NotFound> { engine.contactState("nobody", DUE) }
        }
    }
    test("d3_d5_hard_bounce_after_the_ack_and_the_complaint_in_the_consent_history") {
        val (engine, _) = synced()
        engine.use {
            val (first, second) = engine.claim(10u, DUE).take(2)
            engine.ack(first.messageId, DUE)
            val bounced = engine.reportDelivery(first.messageId, DeliveryFeedback.HARD_BOUNCE, DUE)
            eq(bounced.invitationStatus, "bounced", "invitation bounced")
            check(bounced.contactMarked, "contact marked unusable")
            engine.ack(second.messageId, DUE)
            val complained = engine.reportDelivery(second.messageId, DeliveryFeedback.COMPLAINT, DUE)
            check(complained.unsubscribed, "a complaint unsubscribes")
            val history = engine.consentHistory(second.customer!!)
            check(history.any { it.source == "complaint" && !it.granted }, "the complaint is in the history")
        }
    }
}
