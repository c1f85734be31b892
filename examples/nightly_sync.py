#!/usr/bin/env python3
"""A POS back-office script: tonight's sync of every location through the Python bindings.

    cargo build --release --lib
    ln -sf ../../target/release/libhearken.so bindings/python/
    python3 examples/nightly_sync.py [DATABASE] [--now UNIX_MS]

For each location it asks hearken which business dates to send (sync_window), hands over
the day's customers, employees and transactions as typed records, prints the report, then
lists the invitations waiting for delivery, drains the outbox at each send hour with a fake
mailer that prints the rendered messages (one in French, one in Korean), and explains one
customer's decisions. Then the answers come in: a promoter (shown the review link), a
detractor, a walk-in from a receipt link and an e-receipt thumbs-down; it prints the NPS and
the review reminder due a week later. Without DATABASE it works on a temporary file.
"""

import argparse
import sys
import tempfile
import time
from datetime import datetime, timezone
from pathlib import Path

try:
    import hearken
except ImportError:  # run from a checkout: use the generated module in bindings/python
    sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "bindings" / "python"))
    import hearken

HOUR_MS = 3_600_000
DAY_MS = 24 * HOUR_MS


def count(n, noun):
    """n and the noun in the right number: "1 promoter", "2 promoters" (M3)."""
    return f"{n} {noun}" if n == 1 else f"{n} {noun}s"


def iso(ms):
    return datetime.fromtimestamp(ms / 1000, tz=timezone.utc).isoformat(timespec="minutes")


def todays_sales(location, now_ms):
    """What a POS would export for one location: here, two customers and three sales."""
    if location == "seoul":
        regular = hearken.Customer(id=f"{location}-c1", name="김민준", email="minjun@example.kr",
                                   language="ko", include_in_communications=True)
    else:
        regular = hearken.Customer(id=f"{location}-c1", name="Amélie Dupont",
                                   email="amelie@example.fr", language="fr-FR",
                                   include_in_communications=True)
    customers = [
        regular,
        hearken.Customer(id=f"{location}-c2", name="Bob O'Neil", email="bob@example.com",
                         include_in_communications=True),
    ]
    employees = [hearken.Employee(id="e1", name="Lucas", role=hearken.Role.SALESPERSON)]
    sale = lambda tid, customer, cents, hours_ago: hearken.Transaction(  # noqa: E731
        id=f"{location}-{tid}", customer=customer, employees=["e1"],
        kind=hearken.TransactionKind.SALE, amount_minor=cents, currency="EUR",
        finalized_at=now_ms - hours_ago * HOUR_MS,
    )
    transactions = [
        sale("t1", f"{location}-c1", 12_900, 3),
        sale("t2", f"{location}-c2", 4_500, 2),
        sale("t3", None, 350, 1),  # an anonymous sale
    ]
    return customers, employees, transactions


def fake_mailer(message):
    """Stands in for the host's e-mail or SMS gateway: prints the rendered message."""
    print(f"--- {message.channel.name.lower()} to {message.recipient} in {message.language} "
          f"(message {message.message_id}, attempt {message.attempt})")
    if message.subject:
        print(f"Subject: {message.subject}")
    print(message.body.rstrip())


def drain_outbox(engine):
    """The delivery job: at each due time, claim what is due, send it, then ack or fail it.

    hearken never reads the clock, so the demo simply claims at each invitation's due time;
    a real job would run every few minutes with the current time. A message claimed but
    never acked (a crash) is offered again when its lease expires; one acked never is.
    """
    delivered = []
    for due_ms in sorted({inv.due_at for inv in engine.pending_invitations()}):
        for message in engine.claim(50, due_ms):
            try:
                fake_mailer(message)
            except OSError as err:  # the gateway is down: retried with backoff
                outcome = engine.fail(message.message_id, str(err), False, due_ms)
                if outcome.is_retry():
                    print(f"  retry at {iso(outcome.retry_at)}")
            else:
                engine.ack(message.message_id, due_ms)
                delivered.append((message, due_ms))
    counts = engine.outbox_counts()
    print(f"outbox: {counts.acked} delivered, {counts.pending} pending, "
          f"{counts.in_flight} in flight, {counts.failed} failed, {counts.cancelled} cancelled")
    return delivered


def token(link):
    """The token the survey page passes on: the link's last path segment."""
    return link.rsplit("/", 1)[-1]


def nps_answer(score):
    return hearken.ResponseInput(answers=[hearken.Answer(question="recommend", score=score)],
                                 consent_to_reply=True)


def answer_surveys(engine, delivered):
    """The survey pages record answers as they come in; then the NPS and the reminder.

    A promoter is shown the location's review link (N3); a week after delivery, a promoter
    who did not confirm a review gets one reminder (R1), through the same outbox.
    """
    if not delivered:
        print("no new deliveries: nothing to answer")
        return
    now = max(due for _, due in delivered) + 3 * HOUR_MS
    scores = {"paris-c1": 10, "seoul-c1": 3}
    for message, _ in delivered:
        score = scores.get(message.customer)
        if score is None or message.survey_link is None:
            continue
        page = engine.survey_page(token(message.survey_link), None, now)
        print(f"{message.customer} opens the page in {page.language}: {page.questions[0].text}")
        outcome = engine.record_response(token(message.survey_link), nps_answer(score), now)
        print(f"  answered {score}/10: {outcome.nps_category.name.lower()}"
              f"{', unhappy' if outcome.unhappy else ''}"
              f"{', shown the review link ' + outcome.review_link if outcome.review_link else ''}")
    receipt = engine.mint_receipt_link("paris", "paris-t3", now)
    outcome = engine.record_response(token(receipt.url), nps_answer(8), now)
    print(f"a walk-in answered 8/10 from the receipt link {receipt.url} (anonymous, "
          f"{outcome.nps_category.name.lower()}, valid until {iso(receipt.expires_at)})")
    engine.record_feedback(hearken.FeedbackInput(
        location="paris", transaction="paris-t3", sentiment=hearken.Sentiment.NEGATIVE,
        facets=["wait_time"], comment="Trop d'attente à la caisse"), now)
    print("e-receipt feedback: negative, facet wait_time")
    s = engine.nps(hearken.ScoreQuery())
    shown = "none yet" if s.nps is None else f"{s.nps:.0f}"
    print(f"NPS: {shown} ({count(s.promoters, 'promoter')}, {count(s.passives, 'passive')}, "
          f"{count(s.detractors, 'detractor')})")
    week = now + 7 * DAY_MS
    reminders = engine.claim(50, week)
    if not reminders:
        print("a week later: no reminder due")
    for m in reminders:
        print(f"a week later: {m.kind.code_name()} to {m.recipient} in {m.language}: {m.subject}")
        engine.ack(m.message_id, week)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("database", nargs="?", help="hearken database file")
    parser.add_argument("--now", type=int, default=int(time.time() * 1000),
                        help="the current instant, Unix milliseconds")
    args = parser.parse_args()

    with tempfile.TemporaryDirectory() as tmp:
        path = args.database or str(Path(tmp) / "hearken-demo.db")
        engine = hearken.Engine(path)
        engine.upsert_location(hearken.Location(
            id="paris", name="Boutique Paris", time_zone="Europe/Paris",
            review_link="https://g.page/r/paris/review"))
        engine.upsert_location(hearken.Location(id="seoul", name="서울 매장",
                                                time_zone="Asia/Seoul"))
        # Bob unsubscribed through a link before hearken ever saw him: unknown contacts work too.
        engine.unsubscribe_contact(" Bob@Example.com", args.now - 24 * HOUR_MS)

        for location in engine.locations():
            window = engine.sync_window(location.id, args.now)
            customers, employees, transactions = todays_sales(location.id, args.now)
            batch = hearken.SyncBatch(location=location.id, business_dates=window.dates,
                                      customers=customers, employees=employees,
                                      transactions=transactions)
            try:
                report = engine.sync(batch, args.now)
            except hearken.HearkenError.InvalidInput as err:
                for p in err.problems:  # every bad record, never its value
                    print(f"  rejected {p.record}[{p.index}] {p.host_id} {p.field}: {p.reason}")
                continue
            print(f"{location.name} ({location.id}) business date {report.business_date}: "
                  f"{count(len(report.invitations), 'invitation')}, {len(report.skipped)} skipped; "
                  f"next sync {iso(window.next_sync_at)}")
            for s in report.skipped:
                print(f"  {s.transaction}: {s.reason.code_name()} ({s.reason.describe()})")

        for inv in engine.pending_invitations():
            print(f"invitation #{inv.invitation_id} to {inv.customer} by "
                  f"{inv.channel.name.lower()} in {inv.language}, due {iso(inv.due_at)}")

        delivered = drain_outbox(engine)

        for line in engine.explain("paris-c2", args.now).lines():
            print(line)

        answer_surveys(engine, delivered)


if __name__ == "__main__":
    main()
