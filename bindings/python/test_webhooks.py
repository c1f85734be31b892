"""Signed webhooks (D2) through the uniffi door, verified with PyPI's `standardwebhooks`
(the Standard Webhooks reference verifier): claimed with the real clock as `now` (the
verifier allows 5 minutes), a retry keeps the id with a fresh timestamp, and during a
rotation both secrets verify. The Rust tests are tests/webhooks.rs.

Run with scripts/test-bindings.sh (it installs standardwebhooks when missing).
"""

import time

import pytest

import hearken

standardwebhooks = pytest.importorskip("standardwebhooks")


def headers(m):
    w = m.webhook
    return {"webhook-id": w.webhook_id, "webhook-timestamp": w.webhook_timestamp,
            "webhook-signature": w.webhook_signature}


def test_d2_standardwebhooks_verifies_a_claim_a_retry_and_a_rotation():
    now = int(time.time() * 1000)
    engine = hearken.Engine.open_in_memory()
    settings = engine.delivery_settings()
    settings.retry_base_seconds = 60
    engine.set_delivery_settings(settings)
    sub = engine.add_webhook(hearken.NewWebhook(
        url="http://127.0.0.1:9/hook", event_types=["response.created.v1"], secret=None), now)
    old = sub.secret
    assert old.startswith("whsec_")
    ping = engine.ping_webhook(sub.id, now)
    [m] = engine.claim(10, now)
    assert m.message_id == ping and m.kind == hearken.MessageKind.WEBHOOK
    body = standardwebhooks.Webhook(old).verify(m.body, headers(m))
    assert body["type"] == "webhook.ping.v1" and body["data"]["webhook_id"] == sub.id
    # A retry: the same id and body, a fresh timestamp, still verified.
    outcome = engine.fail_webhook(m.message_id, 503, "unavailable", now)
    later = outcome.retry_at  # Unix ms, a minute from now
    [again] = engine.claim(10, later)
    assert again.webhook.webhook_id == m.webhook.webhook_id
    assert again.webhook.webhook_timestamp != m.webhook.webhook_timestamp
    assert again.body == m.body
    standardwebhooks.Webhook(old).verify(again.body, headers(again))
    engine.ack(again.message_id, later)
    # A rotation: both secrets verify during the grace.
    new = engine.rotate_webhook_secret(sub.id, 3600, later).secret
    assert new != old
    engine.ping_webhook(sub.id, later)
    [r] = engine.claim(10, later)
    assert len(r.webhook.webhook_signature.split(" ")) == 2
    for secret in (old, new):
        standardwebhooks.Webhook(secret).verify(r.body, headers(r))
    with pytest.raises(standardwebhooks.webhooks.WebhookVerificationError):
        standardwebhooks.Webhook("whsec_" + "QUJD" * 8).verify(r.body, headers(r))
    with pytest.raises(hearken.HearkenError.InvalidInput):
        engine.add_webhook(hearken.NewWebhook(url="http://crm.example/h",
                                              event_types=["response.created.v1"],
                                              secret=None), later)
