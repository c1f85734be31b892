"""Inbound SMS through the uniffi door (issue 28, D4): an opt-out word anywhere is
confirmed once and at once, START lifts it, a reply is kept, a bad phone is a typed error.
The Rust tests are tests/inbound_sms.rs, the C ones in tests/c/test_screen.c.

Run with scripts/test-bindings.sh, or by hand after `cargo build --release --lib`:
    ln -sf ../../target/release/libhearken.so bindings/python/ && pytest bindings/python
"""

import pytest

import hearken

DUE = 1_795_251_600_000  # 2026-11-21T09:00:00Z
PHONE = "+33699999999"


def test_d4_stop_is_confirmed_once_start_lifts_it_and_replies_are_kept():
    engine = hearken.Engine.open_in_memory()
    out = engine.receive_sms(PHONE, "please stop texting me", DUE)
    assert isinstance(out, hearken.SmsOutcome.OPTED_OUT)
    assert out.keyword == "stop"
    assert out.confirmation_id is not None
    again = engine.receive_sms(PHONE, " Stop ", DUE + 1000)
    assert again.confirmation_id is None
    claimed = engine.claim(10, DUE + 2000)
    assert [m.kind for m in claimed] == [hearken.MessageKind.SMS_KEYWORD_REPLY]
    assert claimed[0].recipient == PHONE
    assert claimed[0].channel == hearken.Channel.SMS
    assert engine.receive_sms(PHONE, "START", DUE + 3000) == hearken.SmsOutcome.OPTED_IN(
        lifted=True)
    kept = engine.receive_sms(PHONE, "Stopped by today, great staff! 10", DUE + 4000)
    assert isinstance(kept, hearken.SmsOutcome.KEPT_AS_REPLY)
    assert engine.receive_sms(PHONE, "7", DUE + 5000) == hearken.SmsOutcome.NO_OPEN_SURVEY()
    with pytest.raises(hearken.HearkenError.InvalidInput):
        engine.receive_sms("SECRET", "STOP", DUE)


def test_d4_the_opt_out_confirmation_is_a_setting_per_language():
    engine = hearken.Engine.open_in_memory()
    settings = engine.settings()
    assert settings.sms_opt_out_confirmations == {}
    settings.sms_opt_out_confirmations = {"en": "Done: no more texts from the shop."}
    engine.set_settings(settings)
    assert engine.settings().sms_opt_out_confirmations == {
        "en": "Done: no more texts from the shop."}
    out = engine.receive_sms(PHONE, "stop", DUE)
    assert isinstance(out, hearken.SmsOutcome.OPTED_OUT)
    claimed = engine.claim(10, DUE + 1000)
    assert [m.body for m in claimed] == ["Done: no more texts from the shop."]
    settings.sms_opt_out_confirmations = {"EN": "SECRET"}
    with pytest.raises(hearken.HearkenError.InvalidInput) as caught:
        engine.set_settings(settings)
    assert [p.field for p in caught.value.problems] == ["sms_opt_out_confirmations"]
    assert "SECRET" not in caught.value.to_json()
    assert engine.settings().sms_opt_out_confirmations == {
        "en": "Done: no more texts from the shop."}
