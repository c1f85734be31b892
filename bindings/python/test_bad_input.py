"""The bad-input matrix (issue 9), bindings column: one test per input class.

Each cell runs one bad call on a file-backed engine holding one synced night and one
delivered invitation, checks the typed error (the `HearkenError` variant and, where there
is one, the field its problems name), that the error does not echo the value sent
("SECRET"), and that the stored data is unchanged: an ordered dump of every table taken
before the call equals the one taken after the engine was closed. The Rust cells are in
tests/bad_input.rs, the C ones in tests/c; the table is docs/bad-input.md.

Run with scripts/test-bindings.sh, or by hand after `cargo build --release --lib`:
    ln -sf ../../target/release/libhearken.so bindings/python/ && pytest bindings/python
"""

import gc
import sqlite3

import pytest

import hearken

NIGHT1 = 1_795_212_000_000  # 2026-11-20T22:00:00Z: 23:00 in Paris
NIGHT2 = NIGHT1 + 86_400_000  # 2026-11-21T22:00:00Z
DUE = 1_795_251_600_000  # 2026-11-21T09:00:00Z: the invitation's due time
SALE_AT = 1_795_165_200_000  # 2026-11-20T09:00:00Z = 10:00 in Paris


# Every period (ReportQuery.period has no default across uniffi).
ALL_TIME = hearken.ReportQuery(period=hearken.Period.ALL_TIME())
# A date or instant inside a record is checked while uniffi reads the record, before
# hearken sees it: the problem names the crossing type, not the field (docs/bindings.md).
DATE = "arguments.date"
TIMESTAMP = "arguments.timestamp"


def customer(cid, **fields):
    return hearken.Customer(id=cid, email=f"{cid}@example.com",
                            include_in_communications=True, **fields)


def sale(tid, cid):
    return hearken.Transaction(id=tid, customer=cid, kind=hearken.TransactionKind.SALE,
                               amount_minor=1000, currency="EUR", finalized_at=SALE_AT)


def night(date="2026-11-21"):
    """A Paris batch for `date`: customer b and sale t2."""
    return hearken.SyncBatch(location="paris", business_dates=[date],
                             customers=[customer("b")], transactions=[sale("t2", "b")])


def nps(score, comment=None):
    answers = [hearken.Answer(question="recommend", score=score)]
    if comment is not None:
        answers.append(hearken.Answer(question="comment", text=comment))
    return hearken.ResponseInput(answers=answers)


def setup(tmp_path):
    """A file engine: Paris, night 1 with customer a and sale t1, its invitation delivered.
    Returns (engine, database path, survey token)."""
    tmp_path.mkdir(parents=True, exist_ok=True)
    path = tmp_path / "store.db"
    engine = hearken.Engine(str(path))
    engine.upsert_location(hearken.Location(id="paris", name="Boutique Paris",
                                            time_zone="Europe/Paris"))
    engine.sync(hearken.SyncBatch(location="paris", business_dates=["2026-11-20"],
                                  customers=[customer("a")], transactions=[sale("t1", "a")]),
                NIGHT1)
    (message,) = engine.claim(1, DUE)
    engine.ack(message.message_id, DUE)
    return engine, path, message.survey_link.rsplit("/", 1)[-1]


def dump(path):
    """Every row of every table, ordered: what a rejected input must leave unchanged."""
    con = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        tables = [r[0] for r in con.execute(
            "SELECT name FROM sqlite_schema WHERE type = 'table' ORDER BY name")]
        return [(t, row) for t in tables
                for row in con.execute(f'SELECT * FROM "{t}" ORDER BY 1, 2')]
    finally:
        con.close()


def cell(tmp_path, name, error, field, bad):
    """Runs `bad(engine, token)`; checks it raises `error` (naming `field` in a problem's
    `record.field` when given), echoes nothing, and leaves the stored data unchanged."""
    engine, path, token = setup(tmp_path / name.replace(" ", "_"))
    before = dump(path)
    with pytest.raises(error) as caught:
        bad(engine, token)
    err = caught.value
    if field:
        named = [f"{p.record}.{p.field}" for p in err.problems]
        assert any(field in f for f in named), f"{name}: {named} does not name {field}"
    if isinstance(err, hearken.HearkenError):
        assert "SECRET" not in err.reason, f"{name}: {err.reason}"
    del engine, caught, err
    gc.collect()  # the last reference: the engine is closed
    assert dump(path) == before, f"{name}: stored data changed"
    return before


def test_null_arguments(tmp_path):
    """None where a str, an int or a record field is required: the bindings refuse it with
    a TypeError before the call crosses into Rust, so nothing can be stored. None for a
    whole record argument fails the same way but as an AttributeError (the generated
    check reads the record's fields)."""
    cells = [
        ("null customer", lambda e, t: e.explain(None, DUE)),
        ("null json", lambda e, t: e.sync_json(None, NIGHT2)),
        ("null token", lambda e, t: e.record_response(None, nps(9), DUE)),
        ("null field in a record", lambda e, t: e.upsert_location(
            hearken.Location(id=None, name="Lyon", time_zone="Europe/Paris"))),
        ("null batch location", lambda e, t: e.sync(
            hearken.SyncBatch(location=None, business_dates=["2026-11-21"]), NIGHT2)),
        ("null now", lambda e, t: e.unsubscribe_customer("a", None)),
        ("null export path", lambda e, t: e.export_csv_file(hearken.ScoreQuery(), None)),
    ]
    for name, bad in cells:
        cell(tmp_path, name, TypeError, None, bad)
    for name, bad in [
        ("null response", lambda e, t: e.record_response(t, None, DUE)),
        ("null location record", lambda e, t: e.upsert_location(None)),
    ]:
        cell(tmp_path, name, (TypeError, AttributeError), None, bad)


def test_invalid_utf8(tmp_path):
    """A Python str cannot hold invalid UTF-8 except as lone surrogates: the bindings
    refuse those while encoding (UnicodeEncodeError, before Rust is called). Invalid bytes
    do reach hearken in a backfill file: InvalidInput naming the line."""
    cell(tmp_path, "lone surrogate", UnicodeEncodeError, None,
         lambda e, t: e.unsubscribe_contact("SECRET\ud800@example.com", DUE))
    cell(tmp_path, "lone surrogate in a record", UnicodeEncodeError, None,
         lambda e, t: e.sync(hearken.SyncBatch(
             location="paris", business_dates=["2026-11-21"],
             customers=[customer("b", name="SECRET\udcff")]), NIGHT2))

    def backfill(e, t):
        path = tmp_path / "backfill.jsonl"
        path.write_bytes(b'{"format":1,"location":"paris","SECRET\xff"}\n')
        e.backfill_file(str(path), NIGHT2, None)

    cell(tmp_path, "backfill not utf-8", hearken.HearkenError.InvalidInput, None, backfill)
    # The problem names where: the file's first line.
    engine, _, _ = setup(tmp_path / "line")
    with pytest.raises(hearken.HearkenError.InvalidInput) as caught:
        backfill(engine, None)
    # The line is in `record` ("line 1: batch"), not in `index` (see docs/bindings.md).
    (problem,) = caught.value.problems
    assert problem.record.startswith("line 1") and "UTF-8" in problem.reason


def test_malformed_json(tmp_path):
    invalid = hearken.HearkenError.InvalidInput
    cell(tmp_path, "truncated batch", invalid, None,
         lambda e, t: e.sync_json('{"format":1,"location":"SECRET', NIGHT2))
    cell(tmp_path, "not a date", invalid, "business_dates",
         lambda e, t: e.sync_json(
             '{"format":1,"location":"paris","business_dates":["SECRET"]}', NIGHT2))
    cell(tmp_path, "unknown field", invalid, None,
         lambda e, t: e.sync_json('{"format":1,"location":"paris",'
                                  '"business_dates":["2026-11-21"],"bogus":1}', NIGHT2))
    cell(tmp_path, "truncated aggregate bundle", invalid, "bundle",
         lambda e, t: e.import_aggregates_json('{"format":1,"store":"SECRET', DUE))


def test_unknown_and_duplicate_ids(tmp_path):
    invalid = hearken.HearkenError.InvalidInput
    not_found = hearken.HearkenError.NotFound

    def sync_with(change):
        def bad(e, t):
            b = night()
            change(b)
            e.sync(b, NIGHT2)
        return bad

    cell(tmp_path, "unknown location", invalid, "location",
         sync_with(lambda b: setattr(b, "location", "SECRET-nowhere")))

    def ghost(b):
        b.customers = []
        b.transactions[0].customer = "SECRET-ghost"
    cell(tmp_path, "unknown customer", invalid, "customer", sync_with(ghost))
    cell(tmp_path, "duplicate customer", invalid, "id",
         sync_with(lambda b: b.customers.append(customer("b", name="Other"))))
    cell(tmp_path, "duplicate transaction", invalid, "id",
         sync_with(lambda b: b.transactions.append(sale("t2", "b"))))
    cell(tmp_path, "unknown alert", not_found, None,
         lambda e, t: e.set_alert_status(424242, hearken.AlertStatus.DONE, DUE))
    cell(tmp_path, "unknown response", not_found, None,
         lambda e, t: e.delete_response(424242, "admin", DUE))
    cell(tmp_path, "erase unknown customer", not_found, None,
         lambda e, t: e.erase_customer("ghost", DUE))
    cell(tmp_path, "history of unknown customer", not_found, None,
         lambda e, t: e.customer_history("ghost", None))
    cell(tmp_path, "bounds at unknown location", not_found, None,
         lambda e, t: e.period_bounds("nowhere", hearken.Period.LAST_MONTH(), DUE))


def test_bad_dates_and_time_zones(tmp_path):
    invalid = hearken.HearkenError.InvalidInput
    cell(tmp_path, "bad time zone", invalid, "time_zone",
         lambda e, t: e.upsert_location(hearken.Location(id="lyon", name="Lyon",
                                                         time_zone="Mars/SECRET")))
    cell(tmp_path, "future business date", invalid, None,
         lambda e, t: e.sync(night("2027-01-01"), NIGHT2))
    cell(tmp_path, "impossible business date", invalid, DATE,
         lambda e, t: e.sync(night("2026-02-30"), NIGHT2))

    def instant_out_of_range(b):
        b.transactions[0].finalized_at = 2**62

    def bad_finalized(e, t):
        b = night()
        instant_out_of_range(b)
        e.sync(b, NIGHT2)
    cell(tmp_path, "finalized_at out of range", invalid, TIMESTAMP, bad_finalized)
    cell(tmp_path, "now out of range", invalid, "now_ms",
         lambda e, t: e.sync(night(), 2**62))
    cell(tmp_path, "bad custom period", invalid, DATE,
         lambda e, t: e.scores(hearken.ReportQuery(period=hearken.Period.CUSTOM(
             first_day="2026-02-30", last_day="2026-03-01")), DUE))
    cell(tmp_path, "period instant out of range", invalid, TIMESTAMP,
         lambda e, t: e.feedback(hearken.FeedbackQuery(scope=hearken.ReportQuery(
             period=hearken.Period.BETWEEN(starts_at=0, ends_at=2**62)),
             sort=hearken.FeedbackSort.NEWEST), DUE))
    cell(tmp_path, "export bound out of range", invalid, TIMESTAMP,
         lambda e, t: e.export_csv_file(hearken.ScoreQuery(starts_at=-(2**62)),
                                        str(tmp_path / "x.csv")))
    assert not (tmp_path / "x.csv").exists()


def test_out_of_range_scores(tmp_path):
    invalid = hearken.HearkenError.InvalidInput
    cell(tmp_path, "nps 11", invalid, "score",
         lambda e, t: e.record_response(t, nps(11), DUE))
    cell(tmp_path, "unknown question", invalid, "question",
         lambda e, t: e.record_response(t, hearken.ResponseInput(answers=[
             hearken.Answer(question="bogus", score=5)]), DUE))
    # The refused answer did not use up the link.
    engine, _, token = setup(tmp_path / "link")
    with pytest.raises(invalid):
        engine.record_response(token, nps(11), DUE)
    engine.record_response(token, nps(9), DUE)
    assert engine.nps(hearken.ScoreQuery()).promoters == 1


def test_oversized_strings(tmp_path):
    invalid = hearken.HearkenError.InvalidInput

    def sync_with(change):
        def bad(e, t):
            b = night()
            change(b)
            e.sync(b, NIGHT2)
        return bad

    cell(tmp_path, "customer name > 256", invalid, "name",
         sync_with(lambda b: setattr(b.customers[0], "name", "SECRET" * 50)))
    cell(tmp_path, "transaction id > 128 bytes", invalid, "id",
         sync_with(lambda b: setattr(b.transactions[0], "id", "x" * 129)))

    def wide_id(b):  # 65 characters, 130 bytes: the limit counts bytes
        b.customers[0].id = "é" * 65
        b.transactions[0].customer = "é" * 65
    cell(tmp_path, "customer id > 128 bytes", invalid, "id", sync_with(wide_id))
    cell(tmp_path, "comment > 5000", invalid, None,
         lambda e, t: e.record_response(t, nps(5, "SECRET " * 800), DUE))


def test_unknown_tokens(tmp_path):
    cell(tmp_path, "unknown token", hearken.HearkenError.NotFound, None,
         lambda e, t: e.record_response("0123456789abcdef0123456789abcdef", nps(9), DUE))
    cell(tmp_path, "malformed token", hearken.HearkenError.InvalidInput, "token",
         lambda e, t: e.record_response("SECRET", nps(9), DUE))
    cell(tmp_path, "unknown unsubscribe token", hearken.HearkenError.NotFound, None,
         lambda e, t: e.unsubscribe_by_token("fedcba9876543210fedcba9876543210", DUE))
    cell(tmp_path, "unknown survey page token", hearken.HearkenError.NotFound, None,
         lambda e, t: e.survey_page("0123456789abcdef0123456789abcdef", None, DUE))

    # A used link: the second answer is a conflict and changes nothing.
    engine, path, token = setup(tmp_path / "used")
    engine.record_response(token, nps(9), DUE)
    before = dump(path)
    with pytest.raises(hearken.HearkenError.Conflict):
        engine.record_response(token, nps(3), DUE)
    del engine
    gc.collect()
    assert dump(path) == before


T3_MIN = 0  # 1970-01-01T00:00:00.000Z
T3_MAX = 253_402_300_799_999  # 9999-12-31T23:59:59.999Z


def t3_calls(e, token, now):
    """Every kind of instant-taking call, at `now`."""
    q = ALL_TIME
    calls = [
        ("sync", lambda: e.sync(night(), now)),
        ("sync_window", lambda: e.sync_window("paris", now)),
        ("next_sync_at", lambda: e.next_sync_at("paris", now)),
        ("claim", lambda: e.claim(10, now)),
        ("explain", lambda: e.explain("a", now)),
        ("survey_page", lambda: e.survey_page(token, None, now)),
        ("record_response", lambda: e.record_response(token, nps(3), now)),
        ("mint_receipt_link", lambda: e.mint_receipt_link("paris", None, now)),
        ("scores", lambda: e.scores(q, now)),
        ("response_rate", lambda: e.response_rate(q, now)),
        ("review_funnel", lambda: e.review_funnel(q, now)),
        ("employee_performance", lambda: e.employee_performance(q, None, now)),
        ("period_bounds", lambda: e.period_bounds("paris", hearken.Period.CURRENT_MONTH(), now)),
        ("feedback", lambda: e.feedback(
            hearken.FeedbackQuery(scope=q, sort=hearken.FeedbackSort.NEWEST), now)),
        ("unsubscribes", lambda: e.unsubscribes(q, now)),
        ("compare_nps", lambda: e.compare_nps(q, now)),
        ("export_aggregates", lambda: e.export_aggregates("s1", now)),
    ]
    for b in (hearken.Bucket.DAY, hearken.Bucket.ISO_WEEK, hearken.Bucket.MONTH):
        calls.append(("score_series", lambda b=b: e.score_series(q, b, now)))
    return calls


def test_t3_instants_at_and_beyond_the_range_ends(tmp_path):
    """T3: at the range ends (and one millisecond inside) no call panics or fails
    internally; one millisecond beyond, every call is InvalidInput naming now_ms."""
    for now in (T3_MIN, T3_MIN + 1, T3_MAX - 1, T3_MAX, 1_774_746_000_000):
        engine, _, token = setup(tmp_path / f"in{now}")
        for name, call in t3_calls(engine, token, now):
            try:
                call()
            except hearken.HearkenError as err:
                assert not isinstance(err, (hearken.HearkenError.Internal,
                                            hearken.HearkenError.Storage)), f"{name} at {now}: {err}"
    for now in (T3_MIN - 1, T3_MAX + 1, -(2**63), 2**63 - 1):
        engine, path, token = setup(tmp_path / f"out{now}")
        before = dump(path)
        for name, call in t3_calls(engine, token, now):
            with pytest.raises(hearken.HearkenError.InvalidInput) as caught:
                call()
            named = [p.field for p in caught.value.problems]
            assert "now_ms" in named, f"{name} at {now}: {named}"
        del engine, caught
        gc.collect()
        assert dump(path) == before


def test_t3_rows_at_the_range_ends_never_make_a_report_fail(tmp_path):
    engine, _, _ = setup(tmp_path)
    for now in (T3_MIN, T3_MAX):
        engine.record_feedback(hearken.FeedbackInput(
            location="paris", sentiment=hearken.Sentiment.NEGATIVE), now)
    for now in (T3_MIN, DUE, T3_MAX):
        for b in (hearken.Bucket.DAY, hearken.Bucket.ISO_WEEK, hearken.Bucket.MONTH):
            assert engine.score_series(ALL_TIME, b, now)
        engine.scores(ALL_TIME, now)


def test_t6_strict_json(tmp_path):
    """T6: duplicate keys, padded dates, numbers out of range and unknown keys are
    InvalidInput naming the field (or the record of an unknown key), echoing nothing."""
    invalid = hearken.HearkenError.InvalidInput
    base = '{"format":1,"location":"paris","business_dates":["2026-11-21"]'
    cell(tmp_path, "duplicate key", invalid, "batch.location",
         lambda e, t: e.sync_json(base + ',"location":"SECRET"}', NIGHT2))
    cell(tmp_path, "padded date", invalid, "business_dates",
         lambda e, t: e.sync_json(
             '{"format":1,"location":"paris","business_dates":["2026-11-21 "]}', NIGHT2))
    cell(tmp_path, "padded date in a record", invalid, DATE,
         lambda e, t: e.sync(night("2026-11-21 "), NIGHT2))
    cell(tmp_path, "number out of range", invalid, "amount_minor",
         lambda e, t: e.sync_json(base + ',"transactions":[{"id":"t9","kind":"sale",'
                                  '"amount_minor":1e999,"currency":"EUR"}]}', NIGHT2))
    engine, _, _ = setup(tmp_path / "unknown")
    with pytest.raises(invalid) as caught:
        engine.sync_json(base + ',"SECRETKEY":1}', NIGHT2)
    (p,) = caught.value.problems
    assert (p.record, p.field, p.reason) == ("batch", "", "unknown field")
    assert "SECRETKEY" not in caught.value.reason
    # A dotted key is dropped whole, never echoed up to its last dot.
    with pytest.raises(invalid) as caught:
        engine.sync_json(base + ',"jane.SECRET@example.com":1}', NIGHT2)
    (p,) = caught.value.problems
    assert (p.record, p.field, p.reason) == ("batch", "", "unknown field")
    assert "SECRET" not in caught.value.reason and "jane" not in caught.value.reason
    with pytest.raises(hearken.HearkenError.NotFound) as caught:
        engine.explain("SECRET" * 30, DUE)
    assert "SECRET" not in caught.value.reason
