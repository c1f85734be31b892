"""The POS customer screen and the data subject through the uniffi door (issue 28): D7
contact state and cancelling a customer's pending messages, D6 access and erasure by
contact. The Rust tests are tests/screen.rs, the C ones tests/c/test_screen.c.

Run with scripts/test-bindings.sh, or by hand after `cargo build --release --lib`:
    ln -sf ../../target/release/libhearken.so bindings/python/ && pytest bindings/python
"""

import json

import pytest

import hearken

NIGHT1 = 1_795_212_000_000  # 2026-11-20T22:00:00Z: 23:00 in Paris
DUE = 1_795_251_600_000  # 2026-11-21T09:00:00Z: the invitations' due time
SALE_AT = 1_795_165_200_000  # 2026-11-20T09:00:00Z = 10:00 in Paris


def synced():
    engine = hearken.Engine.open_in_memory()
    engine.upsert_location(hearken.Location(id="paris", name="Boutique Paris",
                                            time_zone="Europe/Paris"))
    customers = [hearken.Customer(id=c, email=f"{c}@example.com",
                                  include_in_communications=True) for c in ("a", "b")]
    sales = [hearken.Transaction(id=f"t-{c}", customer=c, kind=hearken.TransactionKind.SALE,
                                 amount_minor=1000, currency="EUR", finalized_at=SALE_AT)
             for c in ("a", "b")]
    engine.sync(hearken.SyncBatch(location="paris", business_dates=["2026-11-20"],
                                  customers=customers, transactions=sales), NIGHT1)
    return engine


def test_d7_contact_state_and_cancel_pending_release_the_cooldown():
    engine = synced()
    state = engine.contact_state("a", DUE)
    assert state.customer == "a"
    assert state.last_invited.status == "pending"
    assert state.last_invited.kind == hearken.SurveyKind.TRANSACTIONAL
    assert [m.kind for m in state.pending] == [hearken.MessageKind.SURVEY_INVITATION]
    assert state.next_eligible[0].reason == hearken.SkipReason.COOLDOWN
    assert state.next_eligible[0].eligible_on == "2027-02-20"
    report = engine.cancel_pending("a", DUE)
    assert report.cancelled == 1
    assert report.message_ids == [state.pending[0].message_id]
    after = engine.contact_state("a", DUE)
    assert after.pending == []
    assert after.last_invited.status == "cancelled"
    assert after.next_eligible[0].reason is None
    with pytest.raises(hearken.HearkenError.NotFound):
        engine.contact_state("nobody", DUE)
    with pytest.raises(hearken.HearkenError.NotFound):
        engine.cancel_pending("nobody", DUE)


def test_d6_exports_and_erase_by_contact():
    engine = synced()
    export = json.loads(engine.customer_export_json("a"))
    assert export["customer"] == "a"
    assert export["tables"]["transactions"][0]["host_id"] == "t-a"
    assert "t-b" not in json.dumps(export)
    contact = json.loads(engine.contact_export_json("A@example.com"))
    assert contact["customers"] == ["a"]
    erased = engine.erase_contact("a@example.com", DUE)
    assert erased.kind == "email"
    assert [c.customer for c in erased.customers] == ["a"]
    assert json.loads(engine.customer_export_json("a"))["erased"] is True
    with pytest.raises(hearken.HearkenError.InvalidInput) as caught:
        engine.contact_export_json("SECRET not a contact")
    assert [p.field for p in caught.value.problems] == ["contact"]
    assert "SECRET" not in caught.value.reason
