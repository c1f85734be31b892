// A POS server's nightly sync through the Kotlin bindings (Android tablets, JVM servers).
//
// scripts/test-bindings.sh compiles and runs it; by hand:
//   kotlinc bindings/kotlin/com/hearken/hearken.kt examples/NightlySync.kt \
//       -cp /usr/share/java/jna.jar -d nightly.jar
//   java -Djna.library.path=target/release \
//       -cp nightly.jar:/usr/share/java/jna.jar:$KOTLIN_HOME/lib/kotlin-stdlib.jar \
//       com.hearken.examples.NightlySyncKt
//
// Optional arguments: a database path (default: a temporary file) and the current instant
// in Unix milliseconds (default: the system clock).
//
// After the sync it drains the outbox the next morning with a fake mailer that prints each
// rendered message (Amélie's in French), acking what was sent. Then the answers come in:
// Amélie answers 9 (a promoter, shown the review link), a walk-in answers 6 from a receipt
// link and another customer leaves an e-receipt thumbs-up; it prints the NPS and the review
// reminder due a week after delivery.

package com.hearken.examples

import com.hearken.*
import java.io.File
import java.time.Instant

const val HOUR_MS = 3_600_000L
const val DAY_MS = 24 * HOUR_MS

/** Stands in for the host's e-mail or SMS gateway: prints the rendered message. */
/** n and the noun in the right number: "1 promoter", "2 promoters" (M3). */
fun count(n: Any, noun: String) = if (n.toString() == "1") "$n $noun" else "$n ${noun}s"

fun fakeMailer(m: OutboundMessage) {
    println("--- ${m.channel.name.lowercase()} to ${m.recipient} in ${m.language} (message ${m.messageId})")
    if (m.subject.isNotEmpty()) println("Subject: ${m.subject}")
    println(m.body.trimEnd())
}

fun main(args: Array<String>) {
    val tmp = File.createTempFile("hearken-demo", ".db").also { it.delete() }
    val path = args.getOrNull(0)?.takeIf { it.isNotEmpty() } ?: tmp.path
    val now = args.getOrNull(1)?.toLong() ?: System.currentTimeMillis()

    // Engine is AutoCloseable: `use` frees the native handle deterministically.
    Engine(path).use { engine ->
        engine.upsertLocation(
            Location(id = "paris", name = "Boutique Paris", timeZone = "Europe/Paris",
                reviewLink = "https://g.page/r/paris/review"),
        )
        val window = engine.syncWindow("paris", now)
        val batch = SyncBatch(
            location = "paris",
            businessDates = window.dates,
            customers = listOf(
                Customer(id = "c1", name = "Amélie Dupont", email = "amelie@example.fr",
                    language = "fr-FR", includeInCommunications = true),
                Customer(id = "c2", name = "Bob O'Neil", email = "bob(at)example",
                    includeInCommunications = true),
            ),
            employees = listOf(Employee(id = "e1", name = "Lucas", role = Role.SALESPERSON)),
            transactions = listOf(
                Transaction(id = "t1", customer = "c1", employees = listOf("e1"),
                    kind = TransactionKind.SALE, amountMinor = 12_900, currency = "EUR",
                    finalizedAt = now - 3 * HOUR_MS),
                Transaction(id = "t2", customer = "c2", kind = TransactionKind.SALE,
                    amountMinor = 4_500, currency = "EUR", finalizedAt = now - 2 * HOUR_MS),
            ),
        )
        try {
            val report = engine.sync(batch, now)
            println("paris ${report.businessDate}: ${count(report.invitations.size, "invitation")}, " +
                "${report.skipped.size} skipped; next sync ${Instant.ofEpochMilli(window.nextSyncAt)}")
            for (s in report.skipped) println("  ${s.transaction}: ${s.reason.codeName()} (${s.reason.describe()})")
        } catch (e: HearkenException.InvalidInput) {
            for (p in e.problems) println("  rejected ${p.record}[${p.index}] ${p.hostId} ${p.field}: ${p.reason}")
        }
        for (inv in engine.pendingInvitations()) {
            println("invitation #${inv.invitationId} to ${inv.customer}, due ${Instant.ofEpochMilli(inv.dueAt)}")
        }
        // The delivery job, run at the send hour: claim what is due, send it, ack or fail it.
        // hearken never reads the clock: the demo claims at the invitations' due time.
        val delivered = mutableListOf<Pair<OutboundMessage, Long>>()
        for (dueMs in engine.pendingInvitations().map { it.dueAt }.toSortedSet()) {
            for (m in engine.claim(50u, dueMs)) {
                try {
                    fakeMailer(m)
                    engine.ack(m.messageId, dueMs)
                    delivered += m to dueMs
                } catch (e: java.io.IOException) {
                    when (val outcome = engine.fail(m.messageId, e.toString(), false, dueMs)) {
                        is FailOutcome.Retry -> println("  retry at ${Instant.ofEpochMilli(outcome.retryAt)}")
                        FailOutcome.Failed -> println("  failed for good")
                    }
                }
            }
        }
        val counts = engine.outboxCounts()
        println("outbox: ${counts.acked} delivered, ${counts.pending} pending, ${counts.failed} failed")
        engine.explain("c2", now).lines().forEach(::println)
        answerSurveys(engine, delivered)
    }
    for (suffix in listOf("", "-wal", "-shm")) File(tmp.path + suffix).delete()
}

/** The token the survey page passes on: the link's last path segment. */
fun token(link: String) = link.substringAfterLast('/')

fun npsAnswer(score: UInt) =
    ResponseInput(answers = listOf(Answer(question = "recommend", score = score)), consentToReply = true)

/** The survey pages record answers as they come in; then the NPS and the one reminder (R1). */
fun answerSurveys(engine: Engine, delivered: List<Pair<OutboundMessage, Long>>) {
    if (delivered.isEmpty()) {
        println("no new deliveries: nothing to answer")
        return
    }
    val now = delivered.maxOf { it.second } + 3 * HOUR_MS
    for ((m, _) in delivered) {
        val link = m.surveyLink ?: continue
        val page = engine.surveyPage(token(link), null, now)
        println("${m.customer} opens the page in ${page.language}: ${page.questions.first().text}")
        val outcome = engine.recordResponse(token(link), npsAnswer(9u), now)
        println("  answered 9/10: ${outcome.npsCategory?.name?.lowercase()}" +
            (outcome.reviewLink?.let { ", shown the review link $it" } ?: ""))
    }
    val receipt = engine.mintReceiptLink("paris", "t2", now)
    val walkIn = engine.recordResponse(token(receipt.url), npsAnswer(6u), now)
    println("a walk-in answered 6/10 from ${receipt.url}: ${walkIn.npsCategory?.name?.lowercase()}" +
        (if (walkIn.unhappy) ", unhappy" else ""))
    engine.recordFeedback(
        FeedbackInput(location = "paris", transaction = "t2", sentiment = Sentiment.POSITIVE, facets = listOf("staff")),
        now,
    )
    println("e-receipt feedback: positive, facet staff")
    val s = engine.nps(ScoreQuery(location = "paris"))
    println("NPS: ${s.nps?.let { "%.0f".format(java.util.Locale.ROOT, it) } ?: "none yet"} " +
        "(${count(s.promoters, "promoter")}, ${count(s.passives, "passive")}, ${count(s.detractors, "detractor")})")
    try {
        engine.recordResponse(token(receipt.url), npsAnswer(10u), now)
    } catch (e: HearkenException.Conflict) {
        println("the receipt link takes one response: ${e.reason}")
    }
    val week = now + 7 * DAY_MS
    val reminders = engine.claim(50u, week)
    if (reminders.isEmpty()) println("a week later: no reminder due")
    for (m in reminders) {
        println("a week later: ${m.kind.codeName()} to ${m.recipient} in ${m.language}: ${m.subject}")
        engine.ack(m.messageId, week)
    }
}
