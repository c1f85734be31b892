"""Trust through the Python bindings: export files are renamed into place under a fresh
temporary name (T4), formula text in the CSV gets a leading quote (T9), an unsubscribe
through a contact survives a new e-mail (E3), explain reads the cooldown on the
location's local date (E4) and a batch synced twice changes nothing (E8, T12).

Run with scripts/test-bindings.sh (after `cargo build --release --lib`).
"""

import csv
import json
import os
import threading
from datetime import datetime

import hearken


def ms(rfc3339):
    return int(datetime.fromisoformat(rfc3339.replace("Z", "+00:00")).timestamp() * 1000)


def engine_with(*locations):
    engine = hearken.Engine.open_in_memory()
    for loc_id, name, tz in locations:
        engine.upsert_location(hearken.Location(id=loc_id, name=name, time_zone=tz))
    return engine


def c1_buys(location, date, email, transaction, finalized):
    return json.dumps(
        {
            "format": 1,
            "location": location,
            "business_dates": [date],
            "customers": [{"id": "c1", "email": email, "include_in_communications": True}],
            "transactions": [
                {
                    "id": transaction,
                    "customer": "c1",
                    "kind": "sale",
                    "amount_minor": 1000,
                    "currency": "EUR",
                    "finalized_at": finalized,
                }
            ],
        }
    )


def feedback(engine, location, comment):
    engine.record_feedback(
        hearken.FeedbackInput(
            location=location, sentiment=hearken.Sentiment.NEGATIVE, comment=comment
        ),
        ms("2026-11-21T09:00:00Z"),
    )


def test_t4_export_replaces_a_link_takes_255_byte_names_and_concurrent_writers(tmp_path):
    engine = engine_with(("paris", "Boutique Paris", "Europe/Paris"))
    feedback(engine, "paris", "Très bien")
    victim = tmp_path / "victim.txt"
    victim.write_text("precious")
    target = tmp_path / "feedback.csv"
    os.symlink(victim, target)
    assert engine.export_csv_file(hearken.ScoreQuery(), str(target)) == 1
    assert victim.read_text() == "precious"
    assert not target.is_symlink() and "Très bien" in target.read_text(encoding="utf-8-sig")

    long_name = tmp_path / ("a" * 251 + ".csv")
    assert len(long_name.name.encode()) == 255
    assert engine.export_csv_file(hearken.ScoreQuery(), str(long_name)) == 1

    shared = tmp_path / "shared.csv"
    errors = []

    def export():
        try:
            engine.export_csv_file(hearken.ScoreQuery(), str(shared))
        except Exception as e:  # noqa: BLE001 - reported below
            errors.append(e)

    threads = [threading.Thread(target=export) for _ in range(20)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    with open(shared, encoding="utf-8-sig", newline="") as f:
        assert len(list(csv.reader(f))) == 2
    assert [n for n in os.listdir(tmp_path) if n.startswith(".hearken-")] == []


def test_t9_csv_cells_starting_like_a_formula_get_a_leading_quote(tmp_path):
    engine = engine_with(("paris", "+Paris", "Europe/Paris"), ("lyon", "@Lyon", "Europe/Paris"))
    feedback(engine, "paris", "=HYPERLINK(1)")
    feedback(engine, "lyon", "-1+1")
    path = tmp_path / "f.csv"
    assert engine.export_csv_file(hearken.ScoreQuery(), str(path)) == 2
    with open(path, encoding="utf-8-sig", newline="") as f:
        rows = list(csv.DictReader(f))
    assert sorted(r["Location"] for r in rows) == ["'+Paris", "'@Lyon"]
    assert sorted(r["Comment"] for r in rows) == ["'-1+1", "'=HYPERLINK(1)"]


def test_e3_unsubscribe_by_contact_holds_after_the_customer_changes_email():
    engine = engine_with(("paris", "Boutique Paris", "Europe/Paris"), ("seoul", "Seoul", "Asia/Seoul"))
    engine.sync_json(
        c1_buys("paris", "2026-11-19", "old@example.com", "t0", "2026-11-19T10:00:00+01:00"),
        ms("2026-11-19T22:00:00Z"),
    )
    engine.unsubscribe_contact(" OLD@example.com", ms("2026-11-20T08:00:00Z"))
    report = json.loads(
        engine.sync_json(
            c1_buys("seoul", "2026-11-22", "new@example.com", "t1", "2026-11-22T15:00:00+09:00"),
            ms("2026-11-22T14:00:00Z"),
        )
    )
    assert report["invitations"] == []
    assert [s["reason"] for s in report["skipped"]] == ["unsubscribed"]
    explained = engine.explain("c1", ms("2026-11-22T14:00:00Z"))
    assert explained.unsubscribed is True
    assert explained.unsubscribed_at == ms("2026-11-20T08:00:00Z")


def test_e4_explain_reads_the_cooldown_on_the_locations_date():
    engine = engine_with(("toronto", "Toronto", "America/Toronto"))
    report = json.loads(
        engine.sync_json(
            c1_buys("toronto", "2026-11-20", "c1@example.com", "t1", "2026-11-20T12:00:00-05:00"),
            ms("2026-11-21T04:00:00Z"),
        )
    )
    assert [i["transaction"] for i in report["invitations"]] == ["t1"]
    # 19:00 in Toronto on Feb 19 is already Feb 20 in UTC: still in the cooldown there.
    assert engine.explain("c1", ms("2027-02-20T00:00:00Z")).eligible_again_on == "2027-02-20"
    assert engine.explain("c1", ms("2027-02-20T05:00:00Z")).eligible_again_on is None


def test_t12_a_batch_with_employees_and_a_refund_synced_twice_changes_nothing():
    engine = engine_with(("paris", "Boutique Paris", "Europe/Paris"))
    customers = [
        hearken.Customer(id=c, email=f"{c}@example.com", include_in_communications=True)
        for c in ("c1", "c2")
    ]
    employees = [
        hearken.Employee(id="sal", name="Sal", role=hearken.Role.SALESPERSON),
        hearken.Employee(id="tech", name="Tech", role=hearken.Role.TECHNICIAN),
    ]

    def transaction(id, customer, kind, finalized, employees=(), refers_to=None):
        return hearken.Transaction(
            id=id,
            customer=customer,
            employees=list(employees),
            kind=kind,
            amount_minor=-1000 if refers_to else 1000,
            currency="EUR",
            finalized_at=ms(finalized),
            refers_to=refers_to,
        )

    sale, refund = hearken.TransactionKind.SALE, hearken.TransactionKind.REFUND
    batch = hearken.SyncBatch(
        location="paris",
        business_dates=["2026-11-19"],
        customers=customers,
        employees=employees,
        transactions=[
            # Employees out of order; a second sale and its refund (P6).
            transaction("t1", "c1", sale, "2026-11-19T10:00:00+01:00", ["tech", "sal"]),
            transaction("t2", "c2", sale, "2026-11-19T11:00:00+01:00", ["sal"]),
            transaction("r2", "c2", refund, "2026-11-19T12:00:00+01:00", refers_to="t2"),
        ],
    )
    first = engine.sync(batch, ms("2026-11-19T22:00:00Z"))
    assert (first.transactions_created, first.employees_upserted) == (3, 2)
    assert [i.transaction for i in first.invitations] == ["t1"]

    again = engine.sync(batch, ms("2026-11-19T23:00:00Z"))
    counts = {
        "customers_created": again.customers_created,
        "customers_updated": again.customers_updated,
        "employees_upserted": again.employees_upserted,
        "transactions_created": again.transactions_created,
        "transactions_updated": again.transactions_updated,
        "invitations": len(again.invitations),
        "relationship_invitations": len(again.relationship_invitations),
        "cancelled_by_refund": len(again.cancelled_by_refund),
    }
    assert counts == {k: 0 for k in counts}
    # Both sales are reported as decided before (E9); the refund is never decided.
    assert sorted((s.transaction, s.repeat) for s in again.skipped) == [
        ("t1", True),
        ("t2", True),
    ]
    engine.close()
