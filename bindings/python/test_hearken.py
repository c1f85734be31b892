"""The golden scenario of tests/golden/README.md through the generated Python bindings,
then the delivery outbox (issue 5) on the golden night: claim, ack, fail, unsubscribe links,
templates, resend and cross-store suppression; responses and scores (issue 6); alerts and
follow-up (issue 7): users, assignments, notifications, handling, tracking replies,
escalation, the post-intervention survey, unanswered reviews and reply threads.

Run with scripts/test-bindings.sh, or by hand after `cargo build --release --lib`:
    ln -sf ../../target/release/libhearken.so bindings/python/ && pytest bindings/python
"""

import csv
import itertools
import json
import os
import threading
import time
from datetime import datetime, timezone
from pathlib import Path

import pytest

import hearken

GOLDEN = Path(__file__).resolve().parents[2] / "tests" / "golden"

# The instants of the scenario, Unix milliseconds.
UNSUBSCRIBE_AT = 1_795_089_600_000  # 2026-11-19T12:00:00Z
NIGHT1 = 1_795_212_000_000  # 2026-11-20T22:00:00Z
NIGHT4 = 1_795_471_200_000  # 2026-11-23T22:00:00Z
DUE = 1_795_251_600_000  # 2026-11-21T09:00:00Z: 10:00 in Paris, the invitations' due time
# Every period (ReportQuery.period has no default across uniffi).
ALL_TIME = hearken.ReportQuery(period=hearken.Period.ALL_TIME())
SECOND_MS = 1_000
DAY_MS = 86_400_000


def golden_text(name):
    return (GOLDEN / name).read_text(encoding="utf-8")


def golden_json(name):
    return json.loads(golden_text(name))


def ms(rfc3339):
    """Unix milliseconds of an RFC 3339 timestamp (the JSON door's form)."""
    return int(datetime.fromisoformat(rfc3339.replace("Z", "+00:00")).timestamp() * 1000)


def compact(value):
    """JSON in the form serde_json writes: compact, UTF-8, keys in the given order."""
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


_HOSTED_STORES = itertools.count()


def fresh_engine():
    """A fresh store: in memory, or with HEARKEN_TEST_STORE=postgres (a library built with
    the `hosted` feature, scripts/pg-cluster.sh env) a new store of the test cluster made
    with the admin door and opened by URL (H1)."""
    if os.environ.get("HEARKEN_TEST_STORE") != "postgres":
        return hearken.Engine.open_in_memory()
    store_id = f"py-{os.getpid()}-{time.time_ns()}-{next(_HOSTED_STORES)}"
    hearken.admin_create_store(os.environ["HEARKEN_TEST_PG_URL"], store_id)
    return hearken.Engine.open_url(os.environ["HEARKEN_TEST_PG_ENGINE_URL"], store_id)


def open_store(engine=None):
    """Step 1: a fresh database with the locations of locations.json, in order."""
    engine = engine or fresh_engine()
    for loc in golden_json("locations.json"):
        engine.upsert_location(hearken.Location(**loc))
    return engine


def typed_batch(obj):
    """A JSON batch as the typed records of the bindings (timestamps in milliseconds)."""
    enum = lambda cls, name: getattr(cls, name.upper())  # noqa: E731
    customers = []
    for c in obj.get("customers", []):
        c = dict(c)
        if "gender" in c:
            c["gender"] = enum(hearken.Gender, c["gender"])
        customers.append(hearken.Customer(**c))
    employees = [
        hearken.Employee(id=e["id"], name=e.get("name"), role=enum(hearken.Role, e["role"]))
        for e in obj.get("employees", [])
    ]
    transactions = []
    for t in obj.get("transactions", []):
        t = dict(t)
        t["kind"] = enum(hearken.TransactionKind, t["kind"])
        if "finalized_at" in t:
            t["finalized_at"] = ms(t.pop("finalized_at"))
        transactions.append(hearken.Transaction(**t))
    return hearken.SyncBatch(
        location=obj["location"],
        business_dates=obj["business_dates"],
        customers=customers,
        employees=employees,
        transactions=transactions,
    )


def prepared(engine=None):
    """Steps 1–2: locations upserted, Dana's address unsubscribed before any survey."""
    engine = open_store(engine)
    engine.unsubscribe_contact("  Dana@Example.COM ", UNSUBSCRIBE_AT)
    return engine


@pytest.fixture
def store():
    """A fresh in-memory store after steps 1–2."""
    return prepared()


@pytest.fixture
def synced(store):
    """Steps 1–3: night 1 synced through sync_json; returns (engine, report JSON)."""
    report = store.sync_json(golden_text("night1.batch.json"), NIGHT1)
    return store, report


def test_step3_nightly_sync_json_equals_golden_report(synced):
    _, report = synced
    assert report + "\n" == golden_text("night1.report.json")


def test_step3_rerunning_the_batch_creates_no_new_invitation(synced):
    engine, _ = synced
    again = json.loads(engine.sync_json(golden_text("night1.batch.json"), NIGHT1))
    assert again["invitations"] == []
    assert len(engine.pending_invitations()) == 2


def test_step3_typed_batch_gives_the_golden_report(store):
    report = store.sync(typed_batch(golden_json("night1.batch.json")), NIGHT1)
    want = golden_json("night1.report.json")
    assert report.location == want["location"] == "paris"
    assert report.business_date == want["business_date"] == "2026-11-20"
    assert report.caught_up_dates == want["caught_up_dates"]
    assert report.missing_dates == want["missing_dates"]
    counts = ("customers_created", "customers_updated", "employees_upserted",
              "transactions_created", "transactions_updated")
    assert [getattr(report, c) for c in counts] == [want[c] for c in counts] == [6, 0, 2, 10, 0]
    assert [
        (i.invitation_id, i.customer, i.transaction, i.channel.name.lower(), i.language, i.due_at)
        for i in report.invitations
    ] == [
        (i["invitation_id"], i["customer"], i["transaction"], i["channel"], i["language"],
         ms(i["due_at"]))
        for i in want["invitations"]
    ]
    assert [
        (s.transaction, s.customer, s.reason.code_name(), s.eligible_again_on, s.repeat)
        for s in report.skipped
    ] == [
        (s["transaction"], s["customer"], s["reason"], s["eligible_again_on"], s["repeat"])
        for s in want["skipped"]
    ]


def test_step3_skip_reasons_are_typed_enums(store):
    report = store.sync(typed_batch(golden_json("night1.batch.json")), NIGHT1)
    reasons = {s.transaction: s.reason for s in report.skipped}
    assert reasons["t2"] == hearken.SkipReason.NO_USABLE_CONTACT
    assert reasons["t4"] == hearken.SkipReason.UNSUBSCRIBED
    assert reasons["t6"] == hearken.SkipReason.ONE_PER_BATCH
    assert hearken.SkipReason.UNSUBSCRIBED.describe() == "the customer unsubscribed"


def test_step4_bad_batch_error_json_equals_golden(synced):
    engine, _ = synced
    with pytest.raises(hearken.HearkenError.InvalidInput) as caught:
        engine.sync_json(golden_text("bad.batch.json"), NIGHT1)
    assert caught.value.to_json() + "\n" == golden_text("bad.error.json")


def test_step4_bad_batch_typed_fields_rebuild_the_golden_error(synced):
    engine, _ = synced
    with pytest.raises(hearken.HearkenError) as caught:
        engine.sync_json(golden_text("bad.batch.json"), NIGHT1)
    err = caught.value
    assert isinstance(err, hearken.HearkenError.InvalidInput)
    assert err.kind() == "invalid_input"
    problems = [
        {"record": p.record, "index": p.index, "host_id": p.host_id, "field": p.field,
         "reason": p.reason}
        for p in err.problems
    ]
    shown = {"kind": err.kind(), "message": err.reason, "problems": problems}
    assert compact(shown) + "\n" == golden_text("bad.error.json")
    assert [(p.record, p.index, p.host_id, p.field) for p in err.problems] == [
        ("customers", 1, "c7", "id"),
        ("transactions", 0, "t20", "customer"),
        ("transactions", 1, "t21", "finalized_at"),
        ("transactions", 2, "t22", "currency"),
    ]
    # No personal data: the bad values are never echoed.
    assert "ana" not in err.reason.lower() and "euro" not in err.reason


def test_step4_bad_batch_writes_nothing(synced):
    engine, _ = synced
    before = engine.pending_invitations()
    with pytest.raises(hearken.HearkenError.InvalidInput):
        engine.sync(typed_batch(golden_json("bad.batch.json")), NIGHT1)
    assert engine.pending_invitations() == before
    with pytest.raises(hearken.HearkenError.NotFound):
        engine.explain("c7", NIGHT1)


def test_step5_explain_c5_json_equals_golden(synced):
    engine, _ = synced
    assert engine.explain_json("c5", NIGHT1) + "\n" == golden_text("explain_c5.json")


def test_step5_explain_gives_the_reason_for_c5s_other_transaction(synced):
    engine, _ = synced
    ex = engine.explain("c5", NIGHT1)
    assert ex.customer == "c5" and not ex.unsubscribed
    assert ex.eligible_again_on == "2027-02-20"
    by_tx = {d.transaction: d for d in ex.decisions}
    assert by_tx["t7"].invitation_id == 2 and by_tx["t7"].reason is None
    assert by_tx["t6"].invitation_id is None
    assert by_tx["t6"].reason == hearken.SkipReason.ONE_PER_BATCH
    assert by_tx["t6"].finalized_at == ms("2026-11-20T13:00:00Z")
    assert any("one_per_batch" in line for line in ex.lines())


def test_step6_window_json_equals_golden(synced):
    engine, _ = synced
    got = engine.sync_window_json("paris", NIGHT4)
    assert got + "\n" == golden_text("window_paris.json")


def test_step6_typed_window_catches_up_22_and_reports_21_missing(synced):
    engine, _ = synced
    w = engine.sync_window("paris", NIGHT4)
    assert (w.today, w.last_synced) == ("2026-11-23", "2026-11-20")
    assert w.dates == ["2026-11-22", "2026-11-23"]
    assert w.missing == ["2026-11-21"]
    assert w.next_sync_at == ms("2026-11-24T22:00:00Z")
    assert engine.next_sync_at("paris", NIGHT4) == w.next_sync_at


def test_unsubscribe_customer_is_global_and_explained(synced):
    engine, _ = synced
    engine.unsubscribe_customer("c1", NIGHT4)
    ex = engine.explain("c1", NIGHT4)
    assert ex.unsubscribed and ex.unsubscribed_at == NIGHT4
    assert ex.lines()[0] == "c1 is unsubscribed from all surveys"


def test_unsubscribed_contact_before_any_survey_skips_dana(synced):
    engine, _ = synced
    ex = engine.explain("c4", NIGHT1)
    assert ex.unsubscribed
    assert ex.decisions[0].reason == hearken.SkipReason.UNSUBSCRIBED


def test_unknown_location_is_not_found_and_last_location_stays_enabled():
    engine = open_store()
    with pytest.raises(hearken.HearkenError.NotFound) as caught:
        engine.location("nowhere")
    assert caught.value.kind() == "not_found"
    engine.set_location_enabled("seoul", False)
    with pytest.raises(hearken.HearkenError.Conflict):
        engine.set_location_enabled("paris", False)
    assert [(l.id, l.enabled) for l in engine.locations()] == [("paris", True), ("seoul", False)]


def test_locations_round_trip_with_defaults():
    engine = open_store()
    paris = engine.location("paris")
    assert paris == hearken.Location(
        id="paris", name="Boutique Paris", time_zone="Europe/Paris",
        review_link="https://g.page/r/paris/review",
    )
    assert engine.location("seoul").name == "서울 매장"


def test_settings_round_trip_and_invalid_settings_are_rejected():
    engine = hearken.Engine.open_in_memory()
    assert engine.settings() == hearken.default_settings()
    s = hearken.default_settings()
    s.cooldown_months = 6
    s.channel = hearken.Channel.SMS
    engine.set_settings(s)
    assert engine.settings() == s
    s.sync_hour = 25
    with pytest.raises(hearken.HearkenError.InvalidInput) as caught:
        engine.set_settings(s)
    assert [p.field for p in caught.value.problems] == ["sync_hour"]


def test_out_of_range_milliseconds_are_invalid_input():
    engine = open_store()
    with pytest.raises(hearken.HearkenError.InvalidInput) as caught:
        engine.sync_window("paris", 2**62)
    assert caught.value.problems[0].field == "now_ms"


def test_typed_batch_with_a_bad_date_names_it():
    engine = open_store()
    batch = hearken.SyncBatch(location="paris", business_dates=["20/11/2026"])
    with pytest.raises(hearken.HearkenError.InvalidInput) as caught:
        engine.sync(batch, NIGHT1)
    p = caught.value.problems[0]
    # Checked while uniffi reads the record: the problem names the type, not the field.
    assert (p.record, p.field, p.index) == ("arguments", "date", None)
    assert "20/11" not in caught.value.reason


def test_backfill_reports_progress_and_survives_a_throwing_listener(tmp_path):
    engine = prepared()
    night1 = golden_json("night1.batch.json")
    night2 = dict(night1, business_dates=["2026-11-21"], customers=[], employees=[],
                  transactions=[])
    path = tmp_path / "backfill.jsonl"
    path.write_text("\n".join(json.dumps(b) for b in (night1, night2)) + "\n", encoding="utf-8")

    class Recorder(hearken.BackfillListener):
        def __init__(self):
            self.seen = []

        def on_progress(self, progress):
            self.seen.append((progress.done, progress.total))

    class Broken(hearken.BackfillListener):
        def __init__(self):
            self.calls = 0

        def on_progress(self, progress):
            self.calls += 1
            raise RuntimeError("listener bug")

    recorder = Recorder()
    report = engine.backfill_file(str(path), NIGHT4, recorder)
    assert recorder.seen == [(1, 2), (2, 2)]
    assert [b.location for b in report.batches] == ["paris", "paris"]
    assert [i.transaction for i in report.batches[0].invitations] == ["t1", "t7"]

    other = prepared()
    broken = Broken()
    report = other.backfill_file(str(path), NIGHT4, broken)
    assert broken.calls == 1 and len(report.batches) == 2
    assert len(other.pending_invitations()) == 2
    assert len(other.backfill_file(str(path), NIGHT4, None).batches) == 2


def test_file_database_persists_across_handles(tmp_path):
    path = str(tmp_path / "store.db")
    engine = prepared(hearken.Engine(path))
    engine.sync_json(golden_text("night1.batch.json"), NIGHT1)
    del engine
    options = hearken.OpenOptions(journal=hearken.JournalMode.ROLLBACK, busy_timeout_ms=5_000)
    reopened = hearken.Engine.open_with(path, options)
    pending = reopened.pending_invitations()
    assert [(i.customer, i.transaction) for i in pending] == [("c1", "t1"), ("c5", "t7")]
    assert hearken.default_open_options().journal == hearken.JournalMode.WAL


def test_engine_is_shared_between_threads(synced):
    engine, _ = synced
    want = golden_text("explain_c5.json")
    results, errors = [], []

    def ask():
        try:
            for _ in range(20):
                results.append(engine.explain_json("c5", NIGHT1) + "\n" == want)
        except Exception as e:  # pragma: no cover - reported below
            errors.append(e)

    threads = [threading.Thread(target=ask) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors and len(results) == 80 and all(results)


# ---- delivery (issue 5) on the golden night: c1 (fr-FR) and c5 (ko) are due at DUE -------


def by_customer(messages):
    return {m.customer: m for m in messages}


def last_segment(link):
    """The token of a survey or unsubscribe link: its last path segment."""
    return link.rsplit("/", 1)[-1]


def test_delivery_nothing_is_offered_before_the_send_hour(synced):
    engine, _ = synced
    assert engine.claim(10, DUE - SECOND_MS) == []
    assert engine.outbox_counts() == hearken.OutboxCounts(
        pending=2, in_flight=0, acked=0, failed=0, cancelled=0)
    assert len(engine.claim(10, DUE)) == 2


def test_delivery_claim_gives_c1_french_and_c5_korean(synced):
    engine, _ = synced
    msgs = by_customer(engine.claim(10, DUE))
    assert sorted(msgs) == ["c1", "c5"]
    fr, ko = msgs["c1"], msgs["c5"]
    assert (fr.language, fr.recipient, fr.invitation_id) == ("fr", "amelie@example.fr", 1)
    assert fr.subject == "Comment s'est passée votre visite chez Boutique Paris ?"
    assert fr.body.startswith("Bonjour Amélie,")
    assert "Quelle est la probabilité que vous recommandiez Boutique Paris" in fr.body
    assert (ko.language, ko.recipient, ko.invitation_id) == ("ko", "minjun@example.kr", 2)
    assert ko.subject == "Boutique Paris 방문은 어떠셨나요?"
    assert ko.body.startswith("김민준님, 안녕하세요.")
    assert "추천할 가능성" in ko.body
    for m in (fr, ko):
        assert m.kind == hearken.MessageKind.SURVEY_INVITATION
        assert m.kind.code_name() == "survey_invitation"
        assert m.channel == hearken.Channel.EMAIL
        assert (m.location, m.attempt) == ("paris", 1)
        assert m.survey_link.startswith("https://feedback.example.com/s/")
        assert m.unsubscribe_link.startswith("https://feedback.example.com/u/")
        assert m.survey_link in m.body and m.unsubscribe_link in m.body
        assert m.survey_link_expires_at == DUE + 60 * DAY_MS  # F6
        assert m.lease_until == DUE + 300 * SECOND_MS
    assert fr.message_id != ko.message_id
    assert engine.outbox_counts().in_flight == 2


def test_delivery_an_acked_message_is_not_offered_again_but_an_expired_lease_is(synced):
    engine, _ = synced
    msgs = by_customer(engine.claim(10, DUE))
    engine.ack(msgs["c1"].message_id, DUE)
    engine.ack(msgs["c1"].message_id, DUE)  # at least once: acking twice is fine
    # c5 was claimed but never acked (a crash): offered again once its lease expires.
    assert engine.claim(10, DUE + 60 * SECOND_MS) == []
    again = engine.claim(10, msgs["c5"].lease_until)
    assert [(m.customer, m.message_id, m.attempt) for m in again] == [
        ("c5", msgs["c5"].message_id, 2)]
    assert again[0].survey_link != msgs["c5"].survey_link  # fresh tokens at each claim
    engine.ack(again[0].message_id, DUE)
    assert engine.claim(10, DUE + 30 * DAY_MS) == []
    assert engine.outbox_counts() == hearken.OutboxCounts(
        pending=0, in_flight=0, acked=2, failed=0, cancelled=0)
    assert engine.pending_invitations() == []


def test_delivery_t8_ack_many_acks_a_batch_and_reports_each_id(synced):
    engine, _ = synced
    m = engine.claim(1, DUE)[0]
    never = engine.resend(m.invitation_id, None, DUE)  # queued, never claimed
    out = engine.ack_many([m.message_id, "nope", never, m.message_id], DUE)
    assert [(o.message_id, o.status) for o in out] == [
        (m.message_id, hearken.AckStatus.ACKED),
        ("nope", hearken.AckStatus.NOT_FOUND),
        (never, hearken.AckStatus.CONFLICT),
        (m.message_id, hearken.AckStatus.ALREADY_ACKED),
    ]
    assert "never claimed" in out[2].detail
    assert out[0].detail is None
    assert engine.ack_many([], DUE) == []
    # Only the claimed message was acked: the other invitation and the resend wait.
    assert engine.outbox_counts() == hearken.OutboxCounts(
        pending=2, in_flight=0, acked=1, failed=0, cancelled=0)


def test_delivery_ack_holds_across_a_reopen(tmp_path):
    path = str(tmp_path / "outbox.db")
    engine = prepared(hearken.Engine(path))
    engine.sync_json(golden_text("night1.batch.json"), NIGHT1)
    for m in engine.claim(10, DUE):
        engine.ack(m.message_id, DUE)
    del engine
    reopened = hearken.Engine(path)
    assert reopened.claim(10, DUE + 30 * DAY_MS) == []
    assert reopened.outbox_counts().acked == 2


def test_delivery_fail_retries_with_backoff_then_fails_for_good(synced):
    engine, _ = synced
    m = by_customer(engine.claim(10, DUE))["c1"]
    outcome = engine.fail(m.message_id, "mailbox full", False, DUE)
    assert outcome == hearken.FailOutcome.RETRY(retry_at=DUE + 300 * SECOND_MS)
    assert outcome.is_retry() and not outcome.is_failed()
    retry_at = outcome.retry_at
    assert all(x.message_id != m.message_id for x in engine.claim(10, retry_at - SECOND_MS))
    again = by_customer(engine.claim(10, retry_at))["c1"]
    assert (again.message_id, again.attempt) == (m.message_id, 2)
    second = engine.fail(m.message_id, "mailbox full", False, retry_at)
    assert second.retry_at == retry_at + 600 * SECOND_MS  # the backoff doubles
    engine.claim(10, second.retry_at)
    outcome = engine.fail(m.message_id, "no such address", True, second.retry_at)
    assert outcome == hearken.FailOutcome.FAILED()
    assert outcome.is_failed()
    assert engine.outbox_counts().failed == 1
    # Failing a failed message again answers the same.
    assert engine.fail(m.message_id, "again", False, second.retry_at).is_failed()


def test_delivery_the_last_attempt_fails_and_releases_the_cooldown(synced):
    engine, _ = synced
    s = hearken.default_delivery_settings()
    s.max_attempts = 1
    engine.set_delivery_settings(s)
    m = by_customer(engine.claim(10, DUE))["c1"]
    assert engine.fail(m.message_id, "bounced", False, DUE) == hearken.FailOutcome.FAILED()
    # E4: the failed invitation no longer holds c1 in a cooldown.
    assert engine.explain("c1", DUE).eligible_again_on is None
    assert engine.explain("c5", DUE).eligible_again_on == "2027-02-20"


def test_delivery_unknown_and_wrong_state_messages_are_typed_errors(synced):
    engine, _ = synced
    with pytest.raises(hearken.HearkenError.NotFound):
        engine.ack("nope", DUE)
    with pytest.raises(hearken.HearkenError.NotFound):
        engine.fail("nope", "x", False, DUE)
    m = engine.claim(1, DUE)[0]
    engine.ack(m.message_id, DUE)
    with pytest.raises(hearken.HearkenError.Conflict) as caught:
        engine.fail(m.message_id, "x", False, DUE)
    assert caught.value.kind() == "conflict"
    with pytest.raises(hearken.HearkenError.InvalidInput) as caught:
        engine.claim(10, 2**62)
    assert caught.value.problems[0].field == "now_ms"


def test_delivery_unsubscribe_by_token_from_the_link(synced):
    engine, _ = synced
    m = by_customer(engine.claim(10, DUE))["c1"]
    token = last_segment(m.unsubscribe_link)
    assert engine.unsubscribe_by_token(token, DUE) == "c1"
    ex = engine.explain("c1", DUE)
    assert ex.unsubscribed and ex.unsubscribed_at == DUE
    assert ex.lines()[0] == "c1 is unsubscribed from all surveys"
    # The link works again (idempotent) and never expires.
    assert engine.unsubscribe_by_token(token, DUE + 3650 * DAY_MS) == "c1"
    with pytest.raises(hearken.HearkenError.InvalidInput) as caught:
        engine.unsubscribe_by_token("../../etc", DUE)
    assert caught.value.problems[0].field == "token"
    assert "etc" not in caught.value.reason
    with pytest.raises(hearken.HearkenError.NotFound):
        engine.unsubscribe_by_token("0" * 32, DUE)
    with pytest.raises(hearken.HearkenError.NotFound):  # a survey token does not unsubscribe
        engine.unsubscribe_by_token(last_segment(m.survey_link), DUE)


def test_delivery_a_customer_unsubscribed_after_queueing_is_not_offered(synced):
    engine, _ = synced
    engine.unsubscribe_customer("c5", DUE - 3_600 * SECOND_MS)
    assert [m.customer for m in engine.claim(10, DUE)] == ["c1"]
    assert engine.outbox_counts().cancelled == 1


def test_delivery_a_bad_template_is_rejected_naming_the_fields(synced):
    engine, _ = synced
    bad = hearken.Template(kind=hearken.MessageKind.SURVEY_INVITATION,
                           channel=hearken.Channel.EMAIL, language="fr",
                           subject="Bonjour {prenom}", body="Votre avis : {survey_link}")
    with pytest.raises(hearken.HearkenError.InvalidInput) as caught:
        engine.set_template(bad)
    assert [(p.record, p.field) for p in caught.value.problems] == [
        ("template", "subject"), ("template", "body")]
    bad.language = "not a language!"
    bad.subject, bad.body = "Votre avis", "{survey_link} {unsubscribe_link}"
    with pytest.raises(hearken.HearkenError.InvalidInput) as caught:
        engine.set_template(bad)
    assert [p.field for p in caught.value.problems] == ["language"]
    # Nothing was stored: fr-CA still falls back to the shipped French template.
    shipped = engine.template(hearken.MessageKind.SURVEY_INVITATION, hearken.Channel.EMAIL,
                              "fr-CA")
    assert shipped.language == "fr" and "{first_name}" in shipped.body

    good = hearken.Template(kind=hearken.MessageKind.SURVEY_INVITATION,
                            channel=hearken.Channel.EMAIL, language="fr",
                            subject="Votre avis compte, {first_name}",
                            body="{location} : {survey_link} (désinscription : {unsubscribe_link})")
    engine.set_template(good)
    assert engine.template(hearken.MessageKind.SURVEY_INVITATION, hearken.Channel.EMAIL,
                           "fr-CA") == good
    fr = by_customer(engine.claim(10, DUE))["c1"]
    assert fr.subject == "Votre avis compte, Amélie"
    assert fr.body == (f"Boutique Paris : {fr.survey_link} "
                       f"(désinscription : {fr.unsubscribe_link})")
    # A language without a template falls back to the store default (English).
    en = engine.template(hearken.MessageKind.SURVEY_INVITATION, hearken.Channel.SMS, "de-AT")
    assert en.language == "en" and en.channel == hearken.Channel.SMS


def test_delivery_resend_in_another_language_keeps_the_survey_and_the_cooldown(synced):
    engine, _ = synced
    msgs = by_customer(engine.claim(10, DUE))
    for m in msgs.values():
        engine.ack(m.message_id, DUE)
    before = engine.explain("c1", DUE).eligible_again_on
    later = DUE + 2 * DAY_MS
    new_id = engine.resend(msgs["c1"].invitation_id, "ko", later)
    assert new_id != msgs["c1"].message_id
    [again] = engine.claim(10, later)
    assert (again.message_id, again.customer, again.language, again.invitation_id) == (
        new_id, "c1", "ko", msgs["c1"].invitation_id)
    assert again.body.startswith("Amélie님, 안녕하세요.")
    assert engine.explain("c1", later).eligible_again_on == before
    # None keeps the invitation's language.
    same = engine.resend(msgs["c5"].invitation_id, None, later)
    assert by_customer(engine.claim(10, later))["c5"].message_id == same
    assert by_customer(engine.claim(10, later + DAY_MS))["c5"].language == "ko"
    with pytest.raises(hearken.HearkenError.NotFound):
        engine.resend(999, None, later)
    with pytest.raises(hearken.HearkenError.InvalidInput) as caught:
        engine.resend(msgs["c1"].invitation_id, "not a language!", later)
    assert caught.value.problems[0].field == "language"


def test_delivery_settings_round_trip_and_validation():
    engine = hearken.Engine.open_in_memory()
    stored = engine.delivery_settings()
    assert len(stored.suppression_pepper) == 64  # a new store's pepper is random (T2)
    stored.suppression_pepper = ""
    assert stored == hearken.default_delivery_settings()
    s = hearken.default_delivery_settings()
    s.link_base_url = "https://avis.example.fr"
    s.survey_link_days = 30
    s.suppression_pepper = "vendor-secret"
    engine.set_delivery_settings(s)
    assert engine.delivery_settings() == s
    s.link_base_url = "ftp://x/"
    with pytest.raises(hearken.HearkenError.InvalidInput) as caught:
        engine.set_delivery_settings(s)
    assert [p.field for p in caught.value.problems] == ["link_base_url"]


def test_delivery_links_use_the_base_url_setting(synced):
    engine, _ = synced
    s = engine.delivery_settings()
    s.link_base_url = "https://avis.example.fr"
    s.survey_link_days = 30
    engine.set_delivery_settings(s)
    m = engine.claim(1, DUE)[0]
    assert m.survey_link.startswith("https://avis.example.fr/s/")
    assert m.unsubscribe_link.startswith("https://avis.example.fr/u/")
    assert m.survey_link_expires_at == DUE + 30 * DAY_MS


def test_delivery_suppressions_exported_by_one_engine_hold_at_another(synced):
    lyon, _ = synced
    pepper = hearken.default_delivery_settings()
    pepper.suppression_pepper = "vendor-secret"
    lyon.set_delivery_settings(pepper)
    c1 = by_customer(lyon.claim(10, DUE))["c1"]
    lyon.unsubscribe_by_token(last_segment(c1.unsubscribe_link), DUE)
    bundle = lyon.export_suppressions()
    assert bundle.format == 1
    assert len(bundle.hashes) == 2  # Dana (step 2) and Amélie
    assert all(len(h) == 64 and h == h.lower() for h in bundle.hashes)
    assert not any("example" in h for h in bundle.hashes)  # no contact in clear

    paris = prepared()
    paris.set_delivery_settings(pepper)
    assert paris.import_suppressions(bundle, "central", DUE) == 2
    assert paris.import_suppressions(bundle, "central", DUE) == 0
    report = json.loads(paris.sync_json(golden_text("night1.batch.json"), NIGHT1))
    assert [i["customer"] for i in report["invitations"]] == ["c5"]
    assert {s["transaction"]: s["reason"] for s in report["skipped"]}["t1"] == "unsubscribed"
    assert paris.explain("c1", NIGHT1).unsubscribed
    assert paris.export_suppressions().hashes == bundle.hashes

    # Another vendor's pepper matches nothing.
    other = prepared()
    other.import_suppressions(bundle, "central", DUE)
    other.sync_json(golden_text("night1.batch.json"), NIGHT1)
    assert [i.customer for i in other.pending_invitations()] == ["c1", "c5"]
    # A bundle holding a contact in clear is rejected without echoing it.
    with pytest.raises(hearken.HearkenError.InvalidInput) as caught:
        other.import_suppressions(
            hearken.SuppressionBundle(format=1, hashes=["amelie@example.fr"]), "central", DUE)
    p = caught.value.problems[0]
    assert (p.record, p.index, p.field) == ("suppressions", 0, "hashes")
    assert "amelie" not in caught.value.to_json()


def test_message_status_names():
    assert [s.code_name() for s in hearken.MessageStatus] == [
        "pending", "in_flight", "acked", "failed", "cancelled"]


# ---- responses and scores (issue 6) on the golden night ------------------------------------
# Steps 1–3, then the delivery job claims at DUE and acks everything: c1 (fr) and c5 (ko)
# hold survey links. NPS answers without an invitation come through receipt links.

REVIEW_LINK = "https://g.page/r/paris/review"
WEEK_MS = 7 * DAY_MS


@pytest.fixture
def delivered(synced):
    """Steps 1–3, every message claimed and acked at DUE; returns (engine, {customer: token})."""
    engine, _ = synced
    tokens = {}
    for m in engine.claim(10, DUE):
        engine.ack(m.message_id, DUE)
        tokens[m.customer] = last_segment(m.survey_link)
    assert sorted(tokens) == ["c1", "c5"]
    return engine, tokens


def nps_answer(score, comment=None):
    answers = [hearken.Answer(question="recommend", score=score)]
    if comment is not None:
        answers.append(hearken.Answer(question="comment", text=comment))
    return hearken.ResponseInput(answers=answers)


def receipt_token(engine, transaction=None, now=DUE):
    return last_segment(engine.mint_receipt_link("paris", transaction, now).url)


def test_responses_the_default_survey_and_the_page_in_the_invitations_language(delivered):
    engine, tokens = delivered
    survey = engine.survey()
    recommend = survey.questions[0]
    assert (recommend.id, recommend.kind) == ("recommend", hearken.QuestionKind.NPS)
    assert recommend.text["en"] == "How likely are you to recommend {location}?"
    assert sorted(recommend.text) == ["en", "fr", "ko"]
    assert [q.kind for q in survey.questions] == [hearken.QuestionKind.NPS,
                                                  hearken.QuestionKind.COMMENT]
    fr = engine.survey_page(tokens["c1"], None, DUE)
    # The page's language is the one its wording was found in: fr-FR falls back to fr.
    assert (fr.location, fr.location_name, fr.language) == ("paris", "Boutique Paris", "fr")
    assert fr.questions[0].text == ("Quelle est la probabilité que vous recommandiez "
                                    "Boutique Paris ?")
    assert fr.questions[0].options == [] and fr.questions[0].scale is None
    ko = engine.survey_page(tokens["c5"], None, DUE)
    assert ko.language == "ko" and "추천할 가능성" in ko.questions[0].text
    en = engine.survey_page(tokens["c5"], "en-GB", DUE)
    assert en.questions[0].text == "How likely are you to recommend Boutique Paris?"


def test_responses_nps_of_10_7_3_9_is_25_from_the_counts(delivered):
    engine, tokens = delivered
    assert engine.nps(hearken.ScoreQuery()) == hearken.NpsSummary(
        promoters=0, passives=0, detractors=0, nps=None)
    outcomes = [
        engine.record_response(tokens["c1"], nps_answer(10), DUE),
        engine.record_response(tokens["c5"], nps_answer(7), DUE),
        engine.record_response(receipt_token(engine), nps_answer(3), DUE),
        engine.record_response(receipt_token(engine, "t5"), nps_answer(9), DUE),
    ]
    assert [o.nps_category for o in outcomes] == [
        hearken.NpsCategory.PROMOTER, hearken.NpsCategory.PASSIVE,
        hearken.NpsCategory.DETRACTOR, hearken.NpsCategory.PROMOTER]
    assert [o.score_base10 for o in outcomes] == [10.0, 7.0, 3.0, 9.0]
    assert len({o.response_id for o in outcomes}) == 4
    s = engine.nps(hearken.ScoreQuery())
    assert (s.promoters, s.passives, s.detractors) == (2, 1, 1)
    assert s.nps == 25.0
    assert engine.nps(hearken.ScoreQuery(location="paris")).nps == 25.0
    assert engine.nps(hearken.ScoreQuery(location="seoul")).nps is None
    later = engine.nps(hearken.ScoreQuery(starts_at=DUE + 1))
    assert (later.promoters, later.passives, later.detractors, later.nps) == (0, 0, 0, None)
    assert engine.nps(hearken.ScoreQuery(starts_at=DUE, ends_at=DUE + 1)).nps == 25.0
    with pytest.raises(hearken.HearkenError.InvalidInput) as caught:
        engine.nps(hearken.ScoreQuery(starts_at=2**62, ends_at=-(2**62)))
    # The first bad instant uniffi reads stops the lift: one problem, naming the type.
    assert [(p.record, p.field) for p in caught.value.problems] == [("arguments", "timestamp")]


def test_responses_n3_the_review_link_is_offered_to_a_9_not_to_an_8(delivered):
    engine, tokens = delivered
    nine = engine.record_response(tokens["c1"], nps_answer(9), DUE)
    assert nine.nps_category == hearken.NpsCategory.PROMOTER
    assert nine.review_link == REVIEW_LINK
    assert not nine.unhappy
    eight = engine.record_response(tokens["c5"], nps_answer(8), DUE)
    assert eight.nps_category == hearken.NpsCategory.PASSIVE
    assert eight.review_link is None
    engine.review_clicked(nine.response_id, DUE)
    engine.review_confirmed(nine.response_id, DUE)
    with pytest.raises(hearken.HearkenError.NotFound):
        engine.review_clicked(999, DUE)
    with pytest.raises(hearken.HearkenError.NotFound):
        engine.review_confirmed(999, DUE)


def test_responses_n3_everyone_mode_and_feedback_settings(delivered):
    engine, tokens = delivered
    assert engine.feedback_settings() == hearken.default_feedback_settings()
    s = hearken.default_feedback_settings()
    assert (s.review_mode, s.unhappy_stars, s.non_respondent_reminder_days) == (
        hearken.ReviewMode.PROMOTERS, 2, 0)
    s.review_mode = hearken.ReviewMode.EVERYONE
    engine.set_feedback_settings(s)
    assert engine.feedback_settings() == s
    three = engine.record_response(tokens["c1"], nps_answer(3), DUE)
    assert three.review_link == REVIEW_LINK  # Google's policy: everyone is asked
    assert three.unhappy
    s.unhappy_stars = 0
    s.non_respondent_reminder_days = 61
    with pytest.raises(hearken.HearkenError.InvalidInput) as caught:
        engine.set_feedback_settings(s)
    assert [p.field for p in caught.value.problems] == [
        "unhappy_stars", "non_respondent_reminder_days"]


def test_responses_a_second_response_to_the_same_link_is_a_conflict(delivered):
    engine, tokens = delivered
    engine.record_response(tokens["c1"], nps_answer(10, "Merci !"), DUE)
    with pytest.raises(hearken.HearkenError.Conflict) as caught:
        engine.record_response(tokens["c1"], nps_answer(1), DUE)
    assert caught.value.kind() == "conflict"
    with pytest.raises(hearken.HearkenError.Conflict):  # its page is closed too
        engine.survey_page(tokens["c1"], None, DUE)
    s = engine.nps(hearken.ScoreQuery())
    assert (s.promoters, s.detractors) == (1, 0)


def test_responses_a_bad_answer_is_invalid_input_naming_the_fields(delivered):
    engine, tokens = delivered
    bad = hearken.ResponseInput(answers=[
        hearken.Answer(question="recommend", score=11),
        hearken.Answer(question="colour", text="red"),
    ])
    with pytest.raises(hearken.HearkenError.InvalidInput) as caught:
        engine.record_response(tokens["c1"], bad, DUE)
    assert [(p.record, p.index, p.host_id, p.field) for p in caught.value.problems] == [
        ("answers", 0, "recommend", "score"), ("answers", 1, "colour", "question")]
    assert "red" not in caught.value.to_json()
    wrong_kind = hearken.ResponseInput(answers=[hearken.Answer(question="recommend",
                                                               choice="yes")])
    with pytest.raises(hearken.HearkenError.InvalidInput) as caught:
        engine.record_response(tokens["c1"], wrong_kind, DUE)
    assert [p.field for p in caught.value.problems] == ["score"]
    assert engine.nps(hearken.ScoreQuery()).nps is None  # nothing was stored
    engine.record_response(tokens["c1"], nps_answer(10), DUE)  # the link still works
    with pytest.raises(hearken.HearkenError.InvalidInput) as caught:
        engine.record_response("../../etc", nps_answer(9), DUE)
    assert caught.value.problems[0].field == "token"
    with pytest.raises(hearken.HearkenError.NotFound):
        engine.record_response("ab" * 16, nps_answer(9), DUE)


def test_responses_a_receipt_link_takes_one_anonymous_response(delivered):
    engine, _ = delivered
    link = engine.mint_receipt_link("paris", "t5", DUE)
    assert link.url.startswith("https://feedback.example.com/r/")
    assert link.expires_at == DUE + 60 * DAY_MS  # F6, like survey links
    token = last_segment(link.url)
    page = engine.survey_page(token, None, DUE)
    assert (page.location, page.language) == ("paris", "en")
    with pytest.raises(hearken.HearkenError.Conflict):  # expired
        engine.record_response(token, nps_answer(9), link.expires_at)
    outcome = engine.record_response(token, nps_answer(9), DUE)
    assert outcome.review_link == REVIEW_LINK
    with pytest.raises(hearken.HearkenError.Conflict):
        engine.record_response(token, nps_answer(0), DUE)
    assert engine.nps(hearken.ScoreQuery()).promoters == 1
    # Anonymous: it counts in the NPS, not in the response rate of invitations.
    r = engine.ratings(hearken.ScoreQuery())
    assert (r.delivered, r.answered, r.response_rate) == (2, 0, 0.0)
    with pytest.raises(hearken.HearkenError.NotFound):
        engine.mint_receipt_link("lyon", None, DUE)
    with pytest.raises(hearken.HearkenError.NotFound):
        engine.mint_receipt_link("paris", "t404", DUE)


def test_responses_ratings_and_the_satisfaction_filter_with_a_custom_survey(delivered):
    engine, tokens = delivered
    survey = engine.survey()
    survey.questions.append(hearken.Question(
        id="stars", kind=hearken.QuestionKind.RATING, text={"en": "Rate {location}"},
        scale=5))
    survey.questions.append(hearken.Question(
        id="fast", kind=hearken.QuestionKind.CHOICE,
        text={"en": "Was it fast?", "fr": "Était-ce rapide ?"},
        options=[
            hearken.ChoiceOption(id="yes", text={"en": "Yes", "fr": "Oui"}, satisfied=True),
            hearken.ChoiceOption(id="no", text={"en": "No", "fr": "Non"}, satisfied=False),
        ]))
    engine.set_survey(survey)
    assert engine.survey() == survey
    page = engine.survey_page(tokens["c1"], None, DUE)
    stars, fast = page.questions[2], page.questions[3]
    assert (stars.kind, stars.text, stars.scale) == (
        hearken.QuestionKind.RATING, "Rate Boutique Paris", 5)
    assert fast.options == [hearken.QuestionOption(id="yes", label="Oui"),
                            hearken.QuestionOption(id="no", label="Non")]

    def rated(n, choice):
        return hearken.ResponseInput(answers=[
            hearken.Answer(question="stars", score=n),
            hearken.Answer(question="fast", choice=choice)], consent_to_reply=True)

    four = engine.record_response(tokens["c1"], rated(4, "yes"), DUE)
    assert (four.score_base10, four.unhappy, four.nps_category) == (8.0, False, None)
    slow = engine.record_response(tokens["c5"], rated(5, "no"), DUE)
    assert slow.unhappy  # an unsatisfied choice (N4)
    two = engine.record_response(receipt_token(engine), rated(2, "yes"), DUE)
    assert two.unhappy  # 2 of 5 is at the default threshold
    r = engine.ratings(hearken.ScoreQuery(location="paris"))
    assert (r.responses, r.delivered, r.answered, r.response_rate) == (3, 2, 2, 1.0)
    assert r.average_base10 == pytest.approx((8 + 10 + 4) / 3)
    assert engine.ratings(hearken.ScoreQuery(location="seoul")).average_base10 is None
    # The feedback list gives each rating as Stars (a (stars, scale) pair in Rust).
    newest = hearken.FeedbackQuery(scope=ALL_TIME, sort=hearken.FeedbackSort.NEWEST)
    items = engine.feedback(newest, DUE).items
    assert sorted((i.rating for i in items if i.rating), key=lambda r: r.stars) == [
        hearken.Stars(stars=n, scale=5) for n in (2, 4, 5)]

    bad = hearken.Survey(questions=[hearken.Question(
        id="fast", kind=hearken.QuestionKind.CHOICE, text={"en": "Fast?"},
        options=[hearken.ChoiceOption(id="yes", text={"en": "Yes"}, satisfied=True)])])
    with pytest.raises(hearken.HearkenError.InvalidInput) as caught:
        engine.set_survey(bad)
    assert [(p.record, p.host_id, p.field) for p in caught.value.problems] == [
        ("questions", "fast", "options")]
    with pytest.raises(hearken.HearkenError.InvalidInput) as caught:
        engine.record_response(receipt_token(engine), rated(4, "maybe"), DUE)
    assert [p.field for p in caught.value.problems] == ["choice"]


def test_feedback_negative_with_a_facet_then_turned_off(delivered):
    engine, _ = delivered

    def feedback(sentiment, facets):
        return hearken.FeedbackInput(location="paris", sentiment=sentiment, facets=facets,
                                     comment="Très bon accueil, mais l'attente…",
                                     consent_to_reply=True)

    response_id = engine.record_feedback(feedback(hearken.Sentiment.NEGATIVE, ["staff"]), DUE)
    assert response_id > 0
    assert hearken.Sentiment.NEGATIVE.code_name() == "negative"
    with pytest.raises(hearken.HearkenError.InvalidInput) as caught:
        engine.record_feedback(feedback(hearken.Sentiment.POSITIVE, ["parking"]), DUE)
    assert [(p.record, p.field) for p in caught.value.problems] == [("feedback", "facets")]
    with pytest.raises(hearken.HearkenError.InvalidInput) as caught:
        engine.record_feedback(feedback(hearken.Sentiment.UNKNOWN, []), DUE)
    assert [p.field for p in caught.value.problems] == ["sentiment"]
    known = hearken.FeedbackInput(location="paris", sentiment=hearken.Sentiment.POSITIVE,
                                  customer="c1", transaction="t1")
    assert engine.record_feedback(known, DUE) > response_id
    engine.set_feedback_enabled("paris", False)
    with pytest.raises(hearken.HearkenError.Conflict):
        engine.record_feedback(feedback(hearken.Sentiment.POSITIVE, []), DUE)
    with pytest.raises(hearken.HearkenError.NotFound):
        engine.set_feedback_enabled("lyon", False)
    # Old feedback stays: an admin can still delete it, leaving an audit record.
    engine.delete_response(response_id, "admin@store", DUE)
    assert [d.response_id for d in engine.response_deletions()] == [response_id]
    engine.set_feedback_enabled("paris", True)
    engine.record_feedback(feedback(hearken.Sentiment.POSITIVE, []), DUE)


def test_responses_f3_delete_leaves_an_audit_record(delivered):
    engine, tokens = delivered
    r = engine.record_response(tokens["c1"], nps_answer(6), DUE)
    with pytest.raises(hearken.HearkenError.InvalidInput) as caught:
        engine.delete_response(r.response_id, " ", DUE)
    assert caught.value.problems[0].field == "admin"
    assert engine.response_deletions() == []
    engine.delete_response(r.response_id, "owner@boutique", DUE + DAY_MS)
    assert engine.response_deletions() == [hearken.ResponseDeletion(
        response_id=r.response_id, customer="c1", responded_at=DUE, score_base10=6.0,
        deleted_by="owner@boutique", deleted_at=DUE + DAY_MS)]
    assert engine.nps(hearken.ScoreQuery()).nps is None
    with pytest.raises(hearken.HearkenError.NotFound):
        engine.delete_response(r.response_id, "owner@boutique", DUE + DAY_MS)
    with pytest.raises(hearken.HearkenError.Conflict):  # deleted, still answered: no redo
        engine.record_response(tokens["c1"], nps_answer(10), DUE + DAY_MS)


def test_r1_run_due_queues_the_reminder_that_claim_then_hands_over(delivered):
    engine, tokens = delivered
    engine.record_response(tokens["c1"], nps_answer(10), DUE)
    assert engine.run_due(DUE + WEEK_MS - SECOND_MS) == hearken.DueWork(
        reminders=0, escalations=0)
    assert engine.run_due(DUE + WEEK_MS) == hearken.DueWork(reminders=1, escalations=0)
    assert engine.run_due(DUE + WEEK_MS).reminders == 0  # queued once
    [m] = engine.claim(10, DUE + WEEK_MS)
    assert m.kind == hearken.MessageKind.REVIEW_REMINDER
    with pytest.raises(hearken.HearkenError.InvalidInput):
        engine.run_due(-1)


def test_reminders_r1_a_week_after_the_ack_for_the_promoter_without_a_confirmed_review(
        delivered):
    engine, tokens = delivered
    engine.record_response(tokens["c1"], nps_answer(10), DUE)
    confirmed = engine.record_response(tokens["c5"], nps_answer(9), DUE)
    engine.review_confirmed(confirmed.response_id, DUE + DAY_MS)
    assert engine.claim(10, DUE + WEEK_MS - SECOND_MS) == []
    [m] = engine.claim(10, DUE + WEEK_MS)
    assert (m.customer, m.kind, m.kind.code_name()) == (
        "c1", hearken.MessageKind.REVIEW_REMINDER, "review_reminder")
    assert m.language == "fr" and REVIEW_LINK in m.body
    assert m.survey_link is None and m.unsubscribe_link is not None
    engine.ack(m.message_id, DUE + WEEK_MS)
    assert engine.claim(10, DUE + 30 * DAY_MS) == []  # never a second one


def test_reminders_r1_not_for_a_passive(delivered):
    engine, tokens = delivered
    engine.record_response(tokens["c1"], nps_answer(8), DUE)
    engine.record_response(tokens["c5"], nps_answer(8), DUE)
    assert engine.claim(10, DUE + 30 * DAY_MS) == []


def test_reminders_r2_the_non_respondent_gets_one_survey_reminder_when_turned_on(delivered):
    engine, tokens = delivered
    s = hearken.default_feedback_settings()
    s.non_respondent_reminder_days = 3
    engine.set_feedback_settings(s)
    engine.record_response(tokens["c1"], nps_answer(5), DUE)
    [m] = engine.claim(10, DUE + 3 * DAY_MS)
    assert (m.customer, m.kind, m.language) == ("c5", hearken.MessageKind.SURVEY_REMINDER, "ko")
    assert m.survey_link is not None and m.survey_link in m.body
    engine.ack(m.message_id, DUE + 3 * DAY_MS)
    assert engine.claim(10, DUE + 30 * DAY_MS) == []
    # The reminder's fresh link takes c5's one response.
    assert engine.record_response(last_segment(m.survey_link), nps_answer(9),
                                  DUE + 3 * DAY_MS).review_link == REVIEW_LINK


# ---- alerts and follow-up (issue 7) on the golden night ------------------------------------
# The `delivered` night (c1 "Amélie Dupont" fr-FR, c5 "김민준" ko hold survey links at
# Paris), plus three users: Léa (manager), 지우 (staff, Korean notifications) and the
# owner. The rules are A1–A5 and F2 of the issue; tests/alerts.rs runs the same in Rust.

HOUR_MS = 3_600_000


def staffed(engine):
    """Upserts the users lea (manager), jiwoo (staff, ko) and owner; notifications off."""
    for user in (
        hearken.User(id="lea", name="Léa d'Orléans", email="lea@boutique.example",
                     role=hearken.UserRole.MANAGER, notify=hearken.NotifyLevel.NONE),
        hearken.User(id="jiwoo", name="박지우", email="jiwoo@boutique.example",
                     role=hearken.UserRole.STAFF, notify=hearken.NotifyLevel.NONE,
                     language="ko"),
        hearken.User(id="owner", name="Claire Martin", email="owner@boutique.example",
                     role=hearken.UserRole.OWNER, notify=hearken.NotifyLevel.NONE),
    ):
        engine.upsert_user(user)
    return engine


@pytest.fixture
def staffed_night(delivered):
    engine, tokens = delivered
    return staffed(engine), tokens


def phone_call(user):
    return hearken.InteractionInput(method=hearken.InteractionMethod.PHONE,
                                    note="Rappelée, réparation offerte", user=user)


def claimed(engine, kind, now=DUE):
    """Claims everything due at `now` and keeps the messages of `kind`."""
    return [m for m in engine.claim(100, now) if m.kind == kind]


def test_alerts_users_round_trip_validate_and_name_their_enums(staffed_night):
    engine, _ = staffed_night
    assert [u.id for u in engine.users()] == ["jiwoo", "lea", "owner"]
    jiwoo = engine.user("jiwoo")
    assert (jiwoo.name, jiwoo.role, jiwoo.language, jiwoo.locations) == (
        "박지우", hearken.UserRole.STAFF, "ko", [])
    assert jiwoo.notify == hearken.NotifyLevel.NONE
    assert engine.user("lea").name == "Léa d'Orléans"
    bad = hearken.User(id="x", name=" ", email="not-an-email", role=hearken.UserRole.STAFF,
                       notify=hearken.NotifyLevel.ALL, locations=["lyon"])
    with pytest.raises(hearken.HearkenError.InvalidInput) as caught:
        engine.upsert_user(bad)
    assert [(p.record, p.field) for p in caught.value.problems] == [
        ("user", "name"), ("user", "email"), ("user", "locations[0]")]
    assert "not-an-email" not in caught.value.to_json()
    with pytest.raises(hearken.HearkenError.NotFound):
        engine.user("ghost")
    assert [k.code_name() for k in hearken.AlertKind] == [
        "unhappy_customer", "negative_feedback", "unanswered_reviews", "sync_gap"]
    assert [s.code_name() for s in hearken.AlertStatus] == ["open", "in_progress", "done"]
    assert hearken.InteractionMethod.IN_PERSON.code_name() == "in_person"
    assert [k.code_name() for k in (
        hearken.MessageKind.FEEDBACK_NOTIFICATION, hearken.MessageKind.ALERT_ESCALATION,
        hearken.MessageKind.CUSTOMER_REPLY, hearken.MessageKind.FOLLOW_UP_SURVEY)] == [
        "feedback_notification", "alert_escalation", "customer_reply", "follow_up_survey"]


def test_alerts_settings_round_trip_and_validation(store):
    assert store.alert_settings() == hearken.default_alert_settings() == hearken.AlertSettings(
        escalate_after_hours=0, reply_domain="reply.feedback.example.com")
    s = hearken.AlertSettings(escalate_after_hours=48, reply_domain="reply.boutique.example")
    store.set_alert_settings(s)
    assert store.alert_settings() == s
    with pytest.raises(hearken.HearkenError.InvalidInput) as caught:
        store.set_alert_settings(hearken.AlertSettings(escalate_after_hours=24 * 366,
                                                       reply_domain="not a domain"))
    assert [(p.record, p.field) for p in caught.value.problems] == [
        ("alert_settings", "escalate_after_hours"), ("alert_settings", "reply_domain")]
    assert store.alert_settings() == s


def test_alerts_a1_one_assignee_per_kind_and_location_with_a_store_wide_default(staffed_night):
    engine, tokens = staffed_night
    unhappy = hearken.AlertKind.UNHAPPY_CUSTOMER
    assert engine.assignee(unhappy, "paris") is None
    engine.assign_alerts(unhappy, None, "lea")
    assert engine.assignee(unhappy, "seoul").id == "lea"  # the store-wide default
    engine.assign_alerts(unhappy, "paris", "lea")
    engine.assign_alerts(unhappy, "paris", "jiwoo")  # replaces, never adds
    assert engine.assignments() == [
        hearken.Assignment(kind=unhappy, location=None, user="lea"),
        hearken.Assignment(kind=unhappy, location="paris", user="jiwoo")]
    assert engine.assignee(unhappy, "paris").id == "jiwoo"
    assert engine.assignee(hearken.AlertKind.SYNC_GAP, "paris") is None  # per kind

    out = engine.record_response(tokens["c1"], nps_answer(2, "Accueil très froid"), DUE)
    assert out.alert_id is not None
    alert = engine.alert(out.alert_id)
    assert alert == hearken.Alert(
        id=out.alert_id, kind=unhappy, status=hearken.AlertStatus.OPEN, location="paris",
        assignee="jiwoo", customer="c1", response_id=out.response_id, score_base10=2.0,
        comment="Accueil très froid", detail="", interactions=0, created_at=DUE,
        updated_at=DUE, closed_at=None, escalated_at=None, follow_up_at=None)
    assert engine.record_response(tokens["c5"], nps_answer(10), DUE).alert_id is None

    with pytest.raises(hearken.HearkenError.NotFound):
        engine.assign_alerts(hearken.AlertKind.SYNC_GAP, "lyon", "lea")
    with pytest.raises(hearken.HearkenError.NotFound):
        engine.assign_alerts(hearken.AlertKind.SYNC_GAP, None, "nobody")
    with pytest.raises(hearken.HearkenError.Conflict):  # holds an assignment
        engine.remove_user("lea")
    engine.unassign_alerts(unhappy, None)
    assert engine.assignee(unhappy, "seoul") is None
    engine.remove_user("lea")
    with pytest.raises(hearken.HearkenError.NotFound):
        engine.user("lea")


def test_alerts_a2_notifications_all_or_negative_for_all_locations_or_a_subset(staffed_night):
    engine, tokens = staffed_night
    for uid, level, where in (("lea", hearken.NotifyLevel.ALL, []),
                              ("jiwoo", hearken.NotifyLevel.NEGATIVE, []),
                              ("owner", hearken.NotifyLevel.ALL, ["seoul"])):
        user = engine.user(uid)
        user.notify, user.notify_locations = level, where
        engine.upsert_user(user)
    engine.record_response(tokens["c1"], nps_answer(9, "Parfait"), DUE)
    slow = engine.record_response(tokens["c5"], nps_answer(4, "너무 느려요"), DUE)
    notes = claimed(engine, hearken.MessageKind.FEEDBACK_NOTIFICATION)
    assert sorted(m.user for m in notes) == ["jiwoo", "lea", "lea"]  # owner: Seoul only
    [ko] = [m for m in notes if m.user == "jiwoo"]
    assert (ko.recipient, ko.language, ko.customer, ko.location) == (
        "jiwoo@boutique.example", "ko", None, "paris")
    assert ko.subject.startswith("불만 고객")
    assert "너무 느려요" in ko.body
    assert ko.alert_id == slow.alert_id
    assert ko.survey_link is None and ko.unsubscribe_link is None and ko.reply_to is None
    en = [m for m in notes if m.user == "lea"]
    assert {m.recipient for m in en} == {"lea@boutique.example"}
    assert any("Parfait" in m.body for m in en)
    # Notifications off or on, every answer counts.
    s = engine.nps(hearken.ScoreQuery())
    assert (s.promoters, s.detractors) == (1, 1)
    # Negative e-receipt feedback raises its own kind of alert and notifies too.
    engine.record_feedback(hearken.FeedbackInput(
        location="paris", sentiment=hearken.Sentiment.NEGATIVE, comment="Café froid"), DUE)
    kinds = sorted(a.kind.code_name() for a in engine.alerts(hearken.AlertQuery()))
    assert kinds == ["negative_feedback", "unhappy_customer"]
    assert sorted(m.user for m in claimed(engine, hearken.MessageKind.FEEDBACK_NOTIFICATION)) == [
        "jiwoo", "lea"]


def test_alerts_a2_an_assignee_who_chose_none_still_has_the_alert_on_the_dashboard(
        staffed_night):
    engine, tokens = staffed_night
    engine.assign_alerts(hearken.AlertKind.UNHAPPY_CUSTOMER, "paris", "jiwoo")
    out = engine.record_response(tokens["c1"], nps_answer(1, "Plus jamais"), DUE)
    [alert] = engine.alerts(hearken.AlertQuery())
    assert (alert.id, alert.assignee) == (out.alert_id, "jiwoo")
    assert [a.id for a in engine.alerts(hearken.AlertQuery(assignee="jiwoo"))] == [alert.id]
    assert engine.alerts(hearken.AlertQuery(assignee="lea")) == []
    assert engine.alerts(hearken.AlertQuery(location="seoul")) == []
    assert claimed(engine, hearken.MessageKind.FEEDBACK_NOTIFICATION) == []


def test_alerts_a3_done_requires_an_interaction_delegation_and_history(staffed_night):
    engine, tokens = staffed_night
    engine.assign_alerts(hearken.AlertKind.UNHAPPY_CUSTOMER, None, "lea")
    alert_id = engine.record_response(tokens["c1"], nps_answer(3, "Longue attente"),
                                      DUE).alert_id
    with pytest.raises(hearken.HearkenError.Conflict) as caught:
        engine.set_alert_status(alert_id, hearken.AlertStatus.DONE, DUE)
    assert caught.value.kind() == "conflict"
    assert "interaction" in caught.value.reason
    engine.reassign_alert(alert_id, "jiwoo", DUE)
    assert engine.alert(alert_id).assignee == "jiwoo"
    later = DUE + 2 * HOUR_MS
    interaction_id = engine.record_interaction(alert_id, phone_call("jiwoo"), later)
    assert engine.alert(alert_id).status == hearken.AlertStatus.IN_PROGRESS
    assert engine.interactions(alert_id) == [hearken.Interaction(
        id=interaction_id, alert_id=alert_id, method=hearken.InteractionMethod.PHONE,
        note="Rappelée, réparation offerte", author=hearken.Author.BUSINESS, user="jiwoo",
        at=later)]
    engine.set_alert_status(alert_id, hearken.AlertStatus.DONE, later)
    done = engine.alert(alert_id)
    assert (done.status, done.closed_at, done.interactions) == (
        hearken.AlertStatus.DONE, later, 1)
    with pytest.raises(hearken.HearkenError.Conflict):  # done is final
        engine.set_alert_status(alert_id, hearken.AlertStatus.IN_PROGRESS, later)
    assert engine.alerts(hearken.AlertQuery()) == []  # off the dashboard…
    history = engine.alerts(hearken.AlertQuery(statuses=[hearken.AlertStatus.DONE]))
    assert [a.id for a in history] == [alert_id]  # …not out of the history
    blank = phone_call("jiwoo")
    blank.note = "  "
    with pytest.raises(hearken.HearkenError.InvalidInput) as caught:
        engine.record_interaction(alert_id, blank, later)
    assert [p.field for p in caught.value.problems] == ["note"]
    with pytest.raises(hearken.HearkenError.NotFound):
        engine.record_interaction(alert_id, phone_call("ghost"), later)
    with pytest.raises(hearken.HearkenError.NotFound):
        engine.alert(999)


def test_alerts_a3_a_dashboard_email_carries_a_tracking_reply_address(staffed_night):
    engine, tokens = staffed_night
    engine.set_alert_settings(hearken.AlertSettings(escalate_after_hours=0,
                                                    reply_domain="reply.boutique.example"))
    out = engine.record_response(tokens["c1"], nps_answer(2, "Fermeture cassée"), DUE)
    message_id = engine.email_customer(out.alert_id, hearken.CustomerEmail(
        user="lea", subject="Votre fermeture éclair",
        body="Nous sommes désolés, passez en boutique."), DUE)
    [m] = [m for m in engine.claim(100, DUE) if m.message_id == message_id]
    assert (m.kind, m.recipient, m.customer, m.alert_id) == (
        hearken.MessageKind.CUSTOMER_REPLY, "amelie@example.fr", "c1", out.alert_id)
    assert (m.subject, m.body) == ("Votre fermeture éclair",
                                   "Nous sommes désolés, passez en boutique.")
    assert m.reply_to.startswith("reply+") and m.reply_to.endswith("@reply.boutique.example")
    engine.ack(m.message_id, DUE)
    # The customer answers; the host's mail server hands the reply to hearken.
    inbound = engine.record_inbound_reply(f"Amélie <{m.reply_to}>", "Merci, je passe samedi.",
                                          DUE + HOUR_MS)
    assert inbound.alert_id == out.alert_id and inbound.response_id == out.response_id
    log = engine.interactions(out.alert_id)
    assert [(i.method, i.author, i.user) for i in log] == [
        (hearken.InteractionMethod.EMAIL, hearken.Author.BUSINESS, "lea"),
        (hearken.InteractionMethod.EMAIL, hearken.Author.CUSTOMER, None)]
    assert (log[1].note, log[1].at) == ("Merci, je passe samedi.", DUE + HOUR_MS)
    thread = engine.thread(out.response_id)
    assert [(c.author, c.kind, c.body) for c in thread] == [
        (hearken.Author.CUSTOMER, hearken.CommentKind.COMMENT, "Fermeture cassée"),
        (hearken.Author.BUSINESS, hearken.CommentKind.REPLY,
         "Nous sommes désolés, passez en boutique."),
        (hearken.Author.CUSTOMER, hearken.CommentKind.COMMENT, "Merci, je passe samedi.")]
    assert thread[2].id == inbound.comment_id
    with pytest.raises(hearken.HearkenError.NotFound):
        engine.record_inbound_reply("reply+" + "0" * 32 + "@x.example", "hi", DUE)
    with pytest.raises(hearken.HearkenError.InvalidInput):
        engine.record_inbound_reply("someone@example.com", "hi", DUE)


def test_alerts_a3_at_risk_customers_and_escalation_to_the_owner(staffed_night):
    engine, tokens = staffed_night
    engine.set_alert_settings(hearken.AlertSettings(escalate_after_hours=24,
                                                    reply_domain="reply.boutique.example"))
    alert_id = engine.record_response(tokens["c5"], nps_answer(0, "최악"), DUE).alert_id
    engine.record_response(tokens["c1"], nps_answer(8), DUE)
    assert engine.at_risk_customers(None) == [hearken.AtRiskCustomer(
        customer="c5", name="김민준", email="minjun@example.kr", phone="+82 10-1234-5678",
        location="paris", nps=0, last_comment="최악", responded_at=DUE,
        open_alert=alert_id)]
    assert engine.at_risk_customers("seoul") == []
    assert claimed(engine, hearken.MessageKind.ALERT_ESCALATION, DUE + 23 * HOUR_MS) == []
    [esc] = claimed(engine, hearken.MessageKind.ALERT_ESCALATION, DUE + 25 * HOUR_MS)
    assert (esc.user, esc.recipient, esc.alert_id, esc.customer) == (
        "owner", "owner@boutique.example", alert_id, None)
    assert engine.alert(alert_id).escalated_at is not None
    engine.ack(esc.message_id, DUE + 25 * HOUR_MS)
    assert claimed(engine, hearken.MessageKind.ALERT_ESCALATION, DUE + 50 * HOUR_MS) == []


def test_alerts_a4_follow_up_after_done_and_refused_for_an_anonymous_response(staffed_night):
    engine, tokens = staffed_night
    alert_id = engine.record_response(tokens["c1"], nps_answer(4, "Trop lent"), DUE).alert_id
    with pytest.raises(hearken.HearkenError.Conflict):  # only once the case is done
        engine.send_follow_up(alert_id, DUE)
    engine.record_interaction(alert_id, phone_call("lea"), DUE)
    engine.set_alert_status(alert_id, hearken.AlertStatus.DONE, DUE)
    message_id = engine.send_follow_up(alert_id, DUE)
    assert engine.alert(alert_id).follow_up_at == DUE
    with pytest.raises(hearken.HearkenError.Conflict):  # once
        engine.send_follow_up(alert_id, DUE)
    [m] = [m for m in engine.claim(100, DUE) if m.message_id == message_id]
    assert (m.kind, m.customer, m.recipient, m.alert_id) == (
        hearken.MessageKind.FOLLOW_UP_SURVEY, "c1", "amelie@example.fr", alert_id)
    assert m.survey_link in m.body
    before = engine.nps(hearken.ScoreQuery())
    out = engine.record_response(last_segment(m.survey_link),
                                 nps_answer(9, "Merci de m'avoir appelée"), DUE)
    assert out.alert_id == alert_id
    assert engine.nps(hearken.ScoreQuery()) == before  # kept on the case, not in the NPS
    assert "9.0/10" in engine.interactions(alert_id)[-1].note
    with pytest.raises(hearken.HearkenError.Conflict):
        engine.record_response(last_segment(m.survey_link), nps_answer(9), DUE)

    # An anonymous receipt response: hearken says why it cannot send one.
    anon = engine.record_response(receipt_token(engine), nps_answer(2), DUE).alert_id
    assert engine.alert(anon).customer is None
    engine.record_interaction(anon, phone_call("lea"), DUE)
    engine.set_alert_status(anon, hearken.AlertStatus.DONE, DUE)
    with pytest.raises(hearken.HearkenError.Conflict) as caught:
        engine.send_follow_up(anon, DUE)
    assert "anonymous" in caught.value.reason
    assert json.loads(caught.value.to_json())["kind"] == "conflict"


def test_alerts_a5_unanswered_reviews_alert_clears_when_every_review_has_a_reply(
        staffed_night):
    engine, _ = staffed_night
    kind = hearken.AlertKind.UNANSWERED_REVIEWS
    engine.assign_alerts(kind, "paris", "lea")
    posted = ms("2026-11-20T12:00:00Z")

    def review(rid, replied_at=None, rating=2):
        return hearken.ExternalReview(id=rid, location="paris", site="google",
                                      posted_at=posted, rating=rating,
                                      replied_at=replied_at)

    assert engine.report_review(review("g1"), DUE) == 1
    assert engine.report_review(review("g2"), DUE) == 2
    [alert] = engine.alerts(hearken.AlertQuery(kind=kind))  # one per location, not per review
    assert (alert.assignee, alert.location, alert.customer) == ("lea", "paris", None)
    assert "2" in alert.detail
    assert engine.report_review(review("g1", ms("2026-11-21T08:00:00Z")), DUE) == 1
    assert engine.alert(alert.id).status == hearken.AlertStatus.OPEN
    assert engine.report_review(review("g2", ms("2026-11-21T08:30:00Z")), DUE + HOUR_MS) == 0
    cleared = engine.alert(alert.id)
    assert (cleared.status, cleared.closed_at) == (hearken.AlertStatus.DONE, DUE + HOUR_MS)
    assert engine.interactions(alert.id)[0].author == hearken.Author.SYSTEM
    engine.report_review(review("g3"), DUE + HOUR_MS)  # a new unanswered one: a new alert
    [again] = engine.alerts(hearken.AlertQuery(kind=kind))
    assert again.id != alert.id
    with pytest.raises(hearken.HearkenError.InvalidInput) as caught:
        engine.report_review(review("g4", rating=11), DUE)
    assert [(p.record, p.field) for p in caught.value.problems] == [("review", "rating")]
    with pytest.raises(hearken.HearkenError.InvalidInput) as caught:
        engine.report_review(review("g4", replied_at=-(2**62)), DUE)
    assert [(p.record, p.field) for p in caught.value.problems] == [("arguments", "timestamp")]
    with pytest.raises(hearken.HearkenError.NotFound):
        engine.report_review(hearken.ExternalReview(id="g5", location="lyon", site="google",
                                                    posted_at=posted), DUE)


def test_alerts_f2_replies_rewards_and_refunds_only_with_consent(staffed_night):
    engine, tokens = staffed_night

    def answer(token, comment, consent):
        return engine.record_response(token, hearken.ResponseInput(answers=[
            hearken.Answer(question="recommend", score=5),
            hearken.Answer(question="comment", text=comment)], consent_to_reply=consent), DUE)

    consented = answer(tokens["c1"], "Article cassé", True)
    silent = answer(tokens["c5"], "그저 그래요", False)
    refund = hearken.ReplyInput(user="lea", kind=hearken.CommentKind.REFUND,
                                body="Nous avons remboursé l'article.", amount_minor=2590,
                                currency="EUR")
    with pytest.raises(hearken.HearkenError.Conflict) as caught:
        engine.reply(silent.response_id, refund, DUE)
    assert "agree" in caught.value.reason
    assert len(engine.thread(silent.response_id)) == 1
    refund_id = engine.reply(consented.response_id, refund, DUE)
    reward = hearken.ReplyInput(user="lea", kind=hearken.CommentKind.REWARD,
                                body="Un bon pour votre prochaine visite.",
                                coupon_code="SORRY-10")
    reward_id = engine.reply(consented.response_id, reward, DUE)
    thread = engine.thread(consented.response_id)
    assert [c.id for c in thread[1:]] == [refund_id, reward_id]
    assert thread[0].body == "Article cassé" and thread[0].author == hearken.Author.CUSTOMER
    assert thread[1] == hearken.ThreadComment(
        id=refund_id, response_id=consented.response_id, author=hearken.Author.BUSINESS,
        kind=hearken.CommentKind.REFUND, body="Nous avons remboursé l'article.",
        coupon_code=None, amount_minor=2590, currency="EUR", user="lea", at=DUE)
    assert (thread[2].kind, thread[2].coupon_code) == (hearken.CommentKind.REWARD, "SORRY-10")
    replies = claimed(engine, hearken.MessageKind.CUSTOMER_REPLY)
    assert [m.customer for m in replies] == ["c1", "c1"]
    assert any("25.90 EUR" in m.body for m in replies)
    assert any("SORRY-10" in m.body for m in replies)
    back = engine.record_inbound_reply(replies[0].reply_to, "Merci beaucoup !", DUE)
    assert (back.response_id, back.alert_id) == (consented.response_id, consented.alert_id)
    assert engine.thread(consented.response_id)[-1].body == "Merci beaucoup !"
    no_coupon = hearken.ReplyInput(user="lea", kind=hearken.CommentKind.REWARD, body="Un bon.")
    with pytest.raises(hearken.HearkenError.InvalidInput) as caught:
        engine.reply(consented.response_id, no_coupon, DUE)
    assert [p.field for p in caught.value.problems] == ["coupon_code"]
    with pytest.raises(hearken.HearkenError.NotFound):
        engine.reply(999, reward, DUE)


def test_alerts_s2_a_sync_gap_raises_an_alert_that_a_backfill_clears(synced, tmp_path):
    engine, _ = synced
    window = engine.sync_window("paris", NIGHT4)  # 22 caught up, 21 missing
    report = engine.sync(hearken.SyncBatch(location="paris", business_dates=window.dates),
                         NIGHT4)
    assert report.missing_dates == ["2026-11-21"]
    [gap] = engine.alerts(hearken.AlertQuery(kind=hearken.AlertKind.SYNC_GAP))
    assert (gap.location, gap.status) == ("paris", hearken.AlertStatus.OPEN)
    assert "2026-11-21" in gap.detail
    path = tmp_path / "backfill.jsonl"
    path.write_text(json.dumps({"format": 1, "location": "paris",
                                "business_dates": ["2026-11-21"]}) + "\n")
    engine.backfill_file(str(path), NIGHT4, None)
    assert engine.alert(gap.id).status == hearken.AlertStatus.DONE


# ---- reports, exports and erasure (issue 8, X1, X2) ------------------------------------

X1_HEADER = ["Date", "Time", "Conversation ID", "Comment ID", "Transaction ID", "Customer ID",
             "Customer Name", "Customer Reference ID", "Channel", "Location", "Author",
             "Sentiment", "Facet", "Comment"]


@pytest.fixture
def answered(delivered):
    """The golden night delivered, c1 answering 10 with a comment and c5 answering 3."""
    engine, tokens = delivered
    engine.record_response(tokens["c1"], nps_answer(10, "Très bien, merci"), DUE)
    engine.record_response(tokens["c5"], nps_answer(3, "Trop lent"), DUE)
    return engine


def read_csv(path):
    with open(path, encoding="utf-8-sig", newline="") as f:
        return list(csv.reader(f))


def test_reports_scores_rate_series_and_period_bounds(answered):
    q = hearken.ReportQuery(period=hearken.Period.ALL_TIME(), location="paris")
    scores = answered.scores(q, DUE)
    assert (scores.responses, scores.nps.promoters, scores.nps.detractors, scores.nps.nps) == (
        2, 1, 1, 0.0)
    rate = answered.response_rate(q, DUE)
    assert (rate.delivered, rate.answered, rate.rate) == (2, 2, 1.0)
    (point,) = answered.score_series(q, hearken.Bucket.DAY, DUE)
    assert (point.label, point.start, point.scores.responses) == ("2026-11-21", "2026-11-21", 2)
    bounds = answered.period_bounds("paris", hearken.Period.LAST_MONTH(), DUE)
    assert (bounds.first_day, bounds.last_day) == ("2026-10-01", "2026-10-31")
    assert bounds.starts_at == ms("2026-09-30T22:00:00Z")  # local midnight, summer time
    assert bounds.ends_at == ms("2026-10-31T23:00:00Z")  # winter time
    custom = hearken.ReportQuery(period=hearken.Period.CUSTOM(first_day="2026-11-01",
                                                              last_day="2026-11-30"))
    assert answered.scores(custom, DUE).responses == 2
    assert answered.scores(hearken.ReportQuery(period=hearken.Period.LAST_MONTH()),
                           DUE).responses == 0
    between = hearken.Period.BETWEEN(starts_at=DUE, ends_at=DUE + 1)
    assert answered.scores(hearken.ReportQuery(period=between), DUE).responses == 2


def test_reports_feedback_list_history_customers_and_unsubscribes(answered):
    lowest = hearken.FeedbackQuery(scope=ALL_TIME, sort=hearken.FeedbackSort.LOWEST)
    page = answered.feedback(lowest, DUE)
    assert page.total == 2
    assert [i.nps for i in page.items] == [3, 10]
    assert page.items[0].source == hearken.ResponseSource.INVITATION
    assert page.items[0].source.code_name() == "invitation"
    assert page.items[0].category == hearken.NpsCategory.DETRACTOR
    promoters = answered.feedback(
        hearken.FeedbackQuery(scope=ALL_TIME, sort=hearken.FeedbackSort.NEWEST,
                              category=hearken.NpsCategory.PROMOTER), DUE)
    assert [i.customer for i in promoters.items] == ["c1"]
    history = answered.customer_history("c1", None)
    assert history.name == "Amélie Dupont"
    assert [(i.business_date, i.status, i.answered) for i in history.invitations] == [
        ("2026-11-20", "delivered", True)]
    assert [r.comment for r in history.responses] == ["Très bien, merci"]
    assert answered.customers(hearken.CustomerQuery()).total == 6
    detractors = answered.customers(hearken.CustomerQuery(category=hearken.NpsCategory.DETRACTOR))
    assert [c.customer for c in detractors.items] == ["c5"]
    answered.unsubscribe_customer("c5", DUE + SECOND_MS)
    unsubscribed = answered.customers(
        hearken.CustomerQuery(subscription=hearken.Subscription.UNSUBSCRIBED))
    assert "c5" in [c.customer for c in unsubscribed.items]
    kinds = [(u.kind, u.customer) for u in answered.unsubscribes(ALL_TIME, DUE)]
    assert ("customer", "c5") in kinds
    assert answered.customer_history("c5", None).unsubscribed_at == DUE + SECOND_MS


def test_reports_employee_performance_funnel_and_rollups(answered):
    for p in answered.employee_performance(ALL_TIME, None, DUE):
        assert isinstance(p.role, hearken.Role)
        assert p.scores.responses <= 2
    funnel = answered.review_funnel(ALL_TIME, DUE)
    assert (funnel.responses, funnel.promoters) == (2, 1)
    assert answered.rebuild_rollups() == 2
    assert answered.scores(ALL_TIME, DUE).nps.nps == 0.0


def test_reports_compare_with_an_imported_bundle(answered):
    bundle = answered.export_aggregates("store-a", DUE)
    assert (bundle.format, bundle.store, bundle.created_at) == (1, "store-a", DUE)
    assert [(r.location, r.month, r.promoters, r.detractors) for r in bundle.rows] == [
        (1, "2026-11", 1, 1)]
    text = answered.export_aggregates_json("store-a", DUE)
    assert json.loads(text)["rows"][0]["month"] == "2026-11"
    other = open_store()
    assert other.import_aggregates(bundle, DUE) == 1
    assert other.import_aggregates_json(text.replace("store-a", "store-b"), DUE) == 1
    comparison = other.compare_nps(ALL_TIME, DUE)
    assert comparison.you.nps is None
    assert (comparison.peers.promoters, comparison.peers.detractors) == (2, 2)
    assert (comparison.peer_stores, comparison.peer_average) == (2, 0.0)


def test_exports_csv_is_x1_and_xlsx_is_a_zip(answered, tmp_path):
    path = tmp_path / "feedback.csv"
    assert answered.export_csv_file(hearken.ScoreQuery(location="paris"), str(path)) == 2
    assert path.read_bytes().startswith(b"\xef\xbb\xbf")
    rows = read_csv(path)
    assert rows[0] == X1_HEADER
    assert [(r[4], r[5], r[6], r[13]) for r in rows[1:]] == [
        ("t1", "c1", "Amélie Dupont", "Très bien, merci"), ("t7", "c5", "김민준", "Trop lent")]
    empty = tmp_path / "none.csv"
    assert answered.export_csv_file(hearken.ScoreQuery(ends_at=DUE), str(empty)) == 0
    assert read_csv(empty) == [X1_HEADER]
    xlsx = tmp_path / "feedback.xlsx"
    summary = answered.export_xlsx_file(hearken.ScoreQuery(), str(xlsx))
    assert (summary.days, summary.comments) == (1, 2)
    assert xlsx.read_bytes()[:2] == b"PK"
    try:
        import openpyxl
    except ImportError:
        return
    assert openpyxl.load_workbook(xlsx).sheetnames == ["By employee", "By date", "Comments"]


def test_erase_customer_removes_personal_data_and_keeps_the_nps(answered, tmp_path):
    before = answered.scores(ALL_TIME, DUE)
    erasure = answered.erase_customer("c1", DUE)
    assert (erasure.customer, erasure.responses_kept, erasure.texts_removed) == ("c1", 1, 1)
    assert answered.scores(ALL_TIME, DUE) == before
    path = tmp_path / "after.csv"
    answered.export_csv_file(hearken.ScoreQuery(), str(path))
    text = path.read_text(encoding="utf-8-sig")
    assert "amelie" not in text.lower() and "@" not in text and "Amélie" not in text
    assert "Très bien" not in text
    row = next(r for r in read_csv(path)[1:] if r[5] == "c1")
    assert (row[6], row[13]) == ("", "")
    history = answered.customer_history("c1", None)
    assert history.name is None and history.responses[0].comment is None


# --- The contact policy (P1-P8) -------------------------------------------------------

POLICY_NIGHT2 = 1_795_298_400_000  # 2026-11-21T22:00:00Z
WEEKDAYS = ["MONDAY", "TUESDAY", "WEDNESDAY", "THURSDAY", "FRIDAY"]


def test_p1_p8_policy_nights_equal_the_golden_files(store):
    """The golden policy nights: the policy as JSON, the location's rules as records."""
    store.set_contact_policy_json(golden_text("policy.contact.json"))
    own = golden_json("policy.location.json")
    store.set_location_policy(hearken.LocationPolicy(
        location=own["location"],
        daily_cap=own["daily_cap"],
        sample_percent=None,
        monthly_response_quota=None,
        calendar=hearken.Calendar(
            send_weekdays=[getattr(hearken.Weekday, d) for d in WEEKDAYS],
            closed_dates=own["calendar"]["closed_dates"],
            opening_hours=[],
        ),
    ))
    night1 = store.sync_json(golden_text("policy_night1.batch.json"), NIGHT1)
    assert night1 + "\n" == golden_text("policy_night1.report.json")
    night2 = store.sync_json(golden_text("policy_night2.batch.json"), POLICY_NIGHT2)
    assert night2 + "\n" == golden_text("policy_night2.report.json")
    assert store.explain_json("g1", POLICY_NIGHT2) + "\n" == golden_text(
        "policy_explain_g1.json")


def test_p2_p4_typed_policy_reads_back_and_a_bad_value_names_its_field(store):
    policy = store.contact_policy()
    assert policy.sample_percent == 100 and policy.daily_cap == 0  # defaults: E4 as before
    policy.min_gap_days = 30
    policy.sample_percent = 50
    store.set_contact_policy(policy)
    assert store.contact_policy().min_gap_days == 30
    policy.sample_percent = 101
    with pytest.raises(hearken.HearkenError.InvalidInput) as caught:
        store.set_contact_policy(policy)
    assert "sample_percent" in str(caught.value)
    assert store.contact_policy().sample_percent == 50  # nothing changed


def test_t10_a_link_lifetime_longer_than_the_stored_retry_is_refused(store):
    policy = store.contact_policy()
    policy.retry_after_no_answer_months = 3
    store.set_contact_policy(policy)
    delivery = store.delivery_settings()
    delivery.survey_link_days = 365
    with pytest.raises(hearken.HearkenError.InvalidInput) as caught:
        store.set_delivery_settings(delivery)
    (p,) = caught.value.problems
    assert (p.record, p.field) == ("delivery_settings", "survey_link_days")
    assert store.delivery_settings().survey_link_days == 60  # nothing changed
    delivery.survey_link_days = 84  # 3 months of 28 days
    store.set_delivery_settings(delivery)


def test_t6_the_calendar_reads_dates_with_the_one_grammar(store):
    for bad in ("+10000-01-01", "2026-1-1", " 2026-12-25", "1969-12-31"):
        with pytest.raises(hearken.HearkenError.InvalidInput):
            store.set_calendar(hearken.Calendar(send_weekdays=[hearken.Weekday.MONDAY],
                                                closed_dates=[bad], opening_hours=[]))
    calendar = hearken.Calendar(send_weekdays=[hearken.Weekday.MONDAY],
                                closed_dates=["9999-12-31"], opening_hours=[])
    store.set_calendar(calendar)
    store.set_calendar(store.calendar())  # what one door stores, every door reads back
    assert store.calendar().closed_dates == ["9999-12-31"]


def test_p5_every_weekday_off_is_refused_and_p8_reasons_speak_three_languages(store):
    with pytest.raises(hearken.HearkenError.InvalidInput) as caught:
        store.set_calendar(hearken.Calendar(send_weekdays=[], closed_dates=[], opening_hours=[]))
    assert "send_weekdays" in str(caught.value)
    assert hearken.SkipReason.DAILY_CAP.describe_in_language("fr").startswith("la limite")
    assert hearken.SkipReason.REFUNDED.code_name() == "refunded"
    assert hearken.SkipReason.NOT_SAMPLED.describe_in_language("ko") != \
        hearken.SkipReason.NOT_SAMPLED.describe()


def test_sync_counts_gives_the_full_reports_counts_with_empty_lists(store):
    """The counts-only sync (sync_counts, sync_counts_json): the lists stay empty and
    `counts` holds their lengths, the same as the full report's."""
    full = json.loads(store.sync_json(golden_text("night1.batch.json"), NIGHT1))
    typed = prepared().sync_counts(typed_batch(golden_json("night1.batch.json")), NIGHT1)
    assert typed.invitations == [] and typed.skipped == []
    assert typed.relationship_invitations == [] and typed.cancelled_by_refund == []
    assert typed.counts == hearken.SyncCounts(
        invitations=len(full["invitations"]),
        skipped=len(full["skipped"]),
        relationship_invitations=0,
        cancelled_by_refund=0,
    )
    assert typed.counts.invitations > 0 and typed.counts.skipped > 0
    assert typed.customers_created == full["customers_created"]
    as_json = json.loads(prepared().sync_counts_json(golden_text("night1.batch.json"), NIGHT1))
    assert as_json["invitations"] == [] and as_json["skipped"] == []
    assert as_json["counts"]["invitations"] == len(full["invitations"])
    assert as_json["counts"]["skipped"] == len(full["skipped"])
    assert "counts" not in full
    # A full typed report has no counts.
    assert prepared().sync(typed_batch(golden_json("night1.batch.json")), NIGHT1).counts is None


def test_h3_a_mailer_leases_stores_with_due_work():
    """issue 27 (H3): lease_stores hands a mailer the stores with due work that no other
    mailer holds; renew and release give the lease back. The default library (no hosted
    feature) raises Unsupported."""
    if os.environ.get("HEARKEN_TEST_STORE") != "postgres":
        with pytest.raises(hearken.HearkenError.Unsupported):
            hearken.lease_stores("postgres://eng@127.0.0.1/db", "m1", DUE, 10, 300)
        return
    url = os.environ["HEARKEN_TEST_PG_ENGINE_URL"]
    store_id = f"py-lease-{os.getpid()}-{time.time_ns()}"
    hearken.admin_create_store(os.environ["HEARKEN_TEST_PG_URL"], store_id)
    engine = prepared(hearken.Engine.open_url(url, store_id))
    engine.sync_json(golden_text("night1.batch.json"), NIGHT1)
    leases = hearken.lease_stores(url, "py-mailer-a", DUE, 10_000, 300)
    mine = [lease for lease in leases if lease.store == store_id]
    assert len(mine) == 1 and mine[0].mailer == "py-mailer-a"
    assert mine[0].leased_until == DUE + 300 * SECOND_MS
    others = hearken.lease_stores(url, "py-mailer-b", DUE, 10_000, 300)
    assert store_id not in [lease.store for lease in others]
    renewed = hearken.renew_store_lease(url, mine[0], DUE + SECOND_MS, 600)
    assert renewed.leased_until == DUE + 601 * SECOND_MS
    with pytest.raises(hearken.HearkenError.Conflict):
        hearken.renew_store_lease(url, mine[0], DUE + SECOND_MS, 600)
    assert hearken.release_store_lease(url, renewed) is True
    for lease in leases + others:
        if lease.store != store_id:
            hearken.release_store_lease(url, lease)
    with pytest.raises(hearken.HearkenError.InvalidInput):
        hearken.lease_stores(url, "", DUE, 10, 300)


def test_h7_a_store_moves_to_a_file_and_back_and_is_deleted(tmp_path):
    """issue 27 (H7): admin_export_sqlite writes a store to a file that answers as the
    store did; admin_import_sqlite brings it back as a new store; admin_delete_store takes
    every row. The default library (no hosted feature) raises Unsupported."""
    if os.environ.get("HEARKEN_TEST_STORE") != "postgres":
        with pytest.raises(hearken.HearkenError.Unsupported):
            hearken.admin_list_stores("postgres://admin@127.0.0.1/db")
        return
    admin = os.environ["HEARKEN_TEST_PG_URL"]
    store_id = f"py-move-{os.getpid()}-{time.time_ns()}"
    hearken.admin_create_store(admin, store_id)
    engine = prepared(hearken.Engine.open_url(os.environ["HEARKEN_TEST_PG_ENGINE_URL"], store_id))
    engine.sync_json(golden_text("night1.batch.json"), NIGHT1)
    path = str(tmp_path / "moved.db")
    exported = hearken.admin_export_sqlite(admin, store_id, path)
    assert exported > 0
    moved = hearken.Engine(path)
    assert moved.explain_json("c5", NIGHT1) + "\n" == golden_text("explain_c5.json")
    moved.close_store()
    back = store_id + "-back"
    assert hearken.admin_import_sqlite(admin, path, back) == exported
    assert back in hearken.admin_list_stores(admin)
    assert hearken.admin_delete_store(admin, back) >= exported
    assert back not in hearken.admin_list_stores(admin)
    with pytest.raises(hearken.HearkenError.NotFound):
        hearken.admin_delete_store(admin, back)


def test_h5_the_admin_check_of_a_store_after_its_night_is_ok():
    """issue 27 (H5): admin_check of a store after its night is ok: the schema current,
    no orphan among the references the schema does not enforce, the engine's role safe;
    an unknown store raises NotFound, a bad id InvalidInput. The default library (no
    hosted feature) raises Unsupported."""
    if os.environ.get("HEARKEN_TEST_STORE") != "postgres":
        with pytest.raises(hearken.HearkenError.Unsupported):
            hearken.admin_check("postgres://admin@127.0.0.1/db", None)
        with pytest.raises(hearken.HearkenError.InvalidInput):
            hearken.admin_check("postgres://admin@127.0.0.1/db", "")
        return
    admin = os.environ["HEARKEN_TEST_PG_URL"]
    store_id = f"py-check-{os.getpid()}-{time.time_ns()}"
    hearken.admin_create_store(admin, store_id)
    engine = prepared(hearken.Engine.open_url(os.environ["HEARKEN_TEST_PG_ENGINE_URL"], store_id))
    engine.sync_json(golden_text("night1.batch.json"), NIGHT1)
    report = hearken.admin_check(admin, store_id)
    assert report.ok, report
    assert report.store == store_id and report.stores_checked == 1
    assert report.schema_current and report.schema_version is not None
    assert report.references_checked == 13 and report.orphans == []
    assert report.unsecured_tables == []
    engine_role = [r for r in report.roles if r.role == "hearken_engine"]
    assert len(engine_role) == 1
    assert not engine_role[0].superuser and not engine_role[0].bypass_rls
    assert engine_role[0].owned_objects == 0
    with pytest.raises(hearken.HearkenError.NotFound):
        hearken.admin_check(admin, store_id + "-missing")
    with pytest.raises(hearken.HearkenError.InvalidInput):
        hearken.admin_check(admin, "")


def test_d1_golden_events_of_night1_match_the_rust_door(synced):
    """Step 8 (D1): after steps 1-3, claim one message and ack it; the event feed gives the
    types, data and cursor numbers of events_night1.json (the incarnation is the store's)."""
    engine, _ = synced
    (message,) = engine.claim(1, DUE)
    engine.ack(message.message_id, DUE)
    page = engine.events(None, 1000)
    assert page.is_EVENTS()
    golden = golden_json("events_night1.json")
    assert golden["outcome"] == "events"
    incarnation = page.next_cursor.split(".")[0]
    assert page.next_cursor == golden["next_cursor"].replace("INCARNATION", incarnation)
    assert len(page.events) == len(golden["events"])
    for got, want in zip(page.events, golden["events"]):
        assert got.cursor == want["cursor"].replace("INCARNATION", incarnation)
        assert got.kind == want["type"]
        assert json.loads(got.data) == want["data"]
    # Reading on from the last cursor: nothing new, the same cursor.
    after = engine.events(page.next_cursor, 10)
    assert after.is_EVENTS() and after.events == [] and after.next_cursor == page.next_cursor
    # A cursor from another incarnation is told, with the oldest valid cursor.
    foreign = engine.events("0123456789abcdef.1", 10)
    assert foreign.is_FOREIGN_CURSOR()
    assert foreign.oldest_cursor == f"{incarnation}.0"
    # A cursor that is not one, or a limit out of range: invalid input naming it.
    with pytest.raises(hearken.HearkenError.InvalidInput) as caught:
        engine.events("secret@example.com", 10)
    assert "after_cursor" in str(caught.value) and "secret" not in str(caught.value)
    with pytest.raises(hearken.HearkenError.InvalidInput) as caught:
        engine.events(None, 0)
    assert "limit" in str(caught.value)


def test_d3_d5_delivery_feedback_and_consent_history(synced):
    """D3: a hard bounce after the ack bounces the invitation and marks the contact; a
    complaint unsubscribes. D5: the complaint is in the consent history and in explain."""
    engine, _ = synced
    first, second = engine.claim(10, DUE)[:2]
    engine.ack(first.message_id, DUE)
    out = engine.report_delivery(first.message_id, hearken.DeliveryFeedback.HARD_BOUNCE, DUE)
    assert out.invitation_status == "bounced"
    assert out.message_status == "acked"
    assert out.contact_marked and out.changed
    again = engine.report_delivery(first.message_id, hearken.DeliveryFeedback.HARD_BOUNCE, DUE)
    assert not again.changed
    assert engine.explain(first.customer, DUE).contact_bounced_at is not None
    out = engine.report_delivery(second.message_id, hearken.DeliveryFeedback.COMPLAINT, DUE)
    assert out.unsubscribed
    history = engine.consent_history(second.customer)
    assert [(h.source, h.granted, h.purpose) for h in history] == [
        ("complaint", False, "surveys")
    ]
    assert engine.explain(second.customer, DUE).consent == history
    with pytest.raises(hearken.HearkenError.NotFound):
        engine.report_delivery("no-such-message", hearken.DeliveryFeedback.SOFT_BOUNCE, DUE)
    with pytest.raises(hearken.HearkenError.NotFound):
        engine.consent_history("nobody")


def test_d2_golden_webhooks_of_night1_match_the_rust_door(store):
    """Step 9 (D2): the subscription of webhook.json (a fixed secret), night 1 and claim(10)
    at 22:00 give the two invitation.created.v1 webhooks of webhook_night1.json (its
    message ids and signatures masked); each signature is checked with `standardwebhooks`'
    own signer (its verifier refuses a timestamp 5 minutes from the real clock)."""
    standardwebhooks = pytest.importorskip("standardwebhooks")
    sub = golden_json("webhook.json")
    added = store.add_webhook(hearken.NewWebhook(**sub), NIGHT1)
    assert added.secret == sub["secret"] and added.event_types == sub["event_types"]
    store.sync_json(golden_text("night1.batch.json"), NIGHT1)
    claimed = store.claim(10, NIGHT1)
    golden = golden_json("webhook_night1.json")
    assert len(claimed) == len(golden) == 2
    signer = standardwebhooks.Webhook(sub["secret"])
    for got, want in zip(claimed, golden):
        w, ww = got.webhook, want["webhook"]
        assert got.kind == hearken.MessageKind.WEBHOOK and want["kind"] == "webhook"
        assert got.recipient == want["recipient"] == w.url == ww["url"]
        assert got.body == want["body"]
        assert (w.webhook, w.webhook_timestamp) == (ww["webhook"], ww["webhook_timestamp"])
        assert w.webhook_id == ww["webhook_id"].replace("MESSAGE_ID", got.message_id)
        assert (got.attempt, got.lease_until) == (want["attempt"], ms(want["lease_until"]))
        assert got.customer is None and got.invitation_id is None
        assert ww["webhook_signature"] == "SIGNATURE"
        at = datetime.fromtimestamp(int(w.webhook_timestamp), tz=timezone.utc)
        assert w.webhook_signature == signer.sign(w.webhook_id, at, got.body)
