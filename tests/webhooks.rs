//! Signed webhooks (D2) through the Rust API, on the store under test: a subscribed event
//! becomes one `webhook` message due at once, its body fixed when queued, signed at claim
//! time as the Standard Webhooks specification says; rotation, ping, removal, and
//! disabling after a 410 or 20 failures in a row. Fixed clocks, no sleeps.

mod common;

use chrono::{DateTime, TimeDelta, Utc};
use common::{at, batch, paris_night, sale};
use hearken::rules::webhook::signature_header;
use hearken::{
    Engine, ErrorKind, EventsPage, FailOutcome, MessageKind, NewWebhook, OutboundMessage,
    WebhookStatus,
};

const SECRET: &str = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
const NIGHT: &str = "2026-11-20";

fn subscribe(e: &Engine, types: &[&str]) -> i64 {
    let w = e
        .add_webhook(
            &NewWebhook {
                url: "https://crm.example/hooks/hearken".into(),
                event_types: types.iter().map(|t| t.to_string()).collect(),
                secret: Some(SECRET.into()),
            },
            paris_night(NIGHT) - TimeDelta::hours(1),
        )
        .unwrap();
    assert_eq!(w.secret.as_deref(), Some(SECRET));
    w.id
}

/// A night in Paris inviting `a` (the invitation is due the next morning).
fn night(e: &Engine) {
    let sales = vec![sale("t-a", Some("a"), Some("2026-11-20T10:00:00+01:00"))];
    e.sync(&batch("paris", NIGHT, &["a"], sales), paris_night(NIGHT))
        .unwrap();
}

fn webhooks_of(claimed: &[OutboundMessage]) -> Vec<&OutboundMessage> {
    claimed
        .iter()
        .filter(|m| m.kind == MessageKind::Webhook)
        .collect()
}

/// The signature a claim at `now` must carry for `m` under `secrets`.
fn expected(m: &OutboundMessage, secrets: &[&str], now: DateTime<Utc>) -> String {
    let w = m.webhook.as_ref().unwrap();
    signature_header(secrets, &w.webhook_id, now.timestamp(), &m.body).unwrap()
}

#[test]
fn d2_a_subscribed_event_queues_one_message_due_at_once_even_in_a_closed_slot() {
    let e = common::engine();
    let id = subscribe(&e, &["invitation.created.v1"]);
    night(&e);
    // 23:00 in Paris: no send slot for the customer, the machine's message is due now.
    let now = paris_night(NIGHT);
    let claimed = e.claim(10, now).unwrap();
    assert_eq!(claimed.len(), 1, "{claimed:?}");
    let m = &claimed[0];
    assert_eq!(m.kind, MessageKind::Webhook);
    let w = m.webhook.as_ref().unwrap();
    assert_eq!(w.webhook, id);
    assert_eq!(w.url, "https://crm.example/hooks/hearken");
    assert_eq!(m.recipient, w.url);
    assert_eq!(w.webhook_id, format!("msg_{}", m.message_id));
    assert_eq!(w.webhook_timestamp, now.timestamp().to_string());
    // The body is the feed's event: type, timestamp, data.
    let body: serde_json::Value = serde_json::from_str(&m.body).unwrap();
    assert_eq!(body["type"], "invitation.created.v1");
    let EventsPage::Events { events, .. } = e.events(None, 100).unwrap() else {
        panic!("the feed")
    };
    let created = events
        .iter()
        .find(|ev| ev.kind == "invitation.created.v1")
        .unwrap();
    let data: serde_json::Value = serde_json::from_str(&created.data).unwrap();
    assert_eq!(body["data"], data);
    assert_eq!(
        body["timestamp"]
            .as_str()
            .unwrap()
            .parse::<DateTime<Utc>>()
            .unwrap(),
        created.at
    );
    assert_eq!(w.webhook_signature, expected(m, &[SECRET], now));
    e.ack(&m.message_id, now).unwrap();
}

#[test]
fn d2_unsubscribed_kinds_queue_nothing() {
    let e = common::engine();
    subscribe(&e, &["response.created.v1"]);
    night(&e);
    assert!(e.claim(10, paris_night(NIGHT)).unwrap().is_empty());
}

#[test]
fn d2_a_retry_keeps_the_id_and_body_with_a_fresh_timestamp_and_signature() {
    let e = common::engine();
    subscribe(&e, &["invitation.created.v1"]);
    night(&e);
    let first_at = paris_night(NIGHT);
    let first = e.claim(10, first_at).unwrap().remove(0);
    let FailOutcome::Retry { retry_at } = e
        .fail_webhook(&first.message_id, 503, "unavailable", first_at)
        .unwrap()
    else {
        panic!("a 503 is retried")
    };
    let again = e.claim(10, retry_at).unwrap();
    let again = webhooks_of(&again)[0];
    let (a, b) = (
        first.webhook.as_ref().unwrap(),
        again.webhook.as_ref().unwrap(),
    );
    assert_eq!(a.webhook_id, b.webhook_id);
    assert_eq!(first.body, again.body, "the body is fixed when queued");
    assert_eq!(b.webhook_timestamp, retry_at.timestamp().to_string());
    assert_ne!(a.webhook_timestamp, b.webhook_timestamp);
    assert_eq!(b.webhook_signature, expected(again, &[SECRET], retry_at));
    assert_eq!(again.attempt, 2);
}

#[test]
fn d2_a_rotation_signs_with_both_secrets_until_the_grace_ends() {
    let e = common::engine();
    let id = subscribe(&e, &["webhook.disabled.v1", "invitation.created.v1"]);
    let t0 = paris_night(NIGHT);
    let rotated = e
        .rotate_webhook_secret(id, Some(std::time::Duration::from_secs(3600)), t0)
        .unwrap();
    let new = rotated.secret.clone().unwrap();
    assert!(new.starts_with("whsec_") && new != SECRET);
    assert_eq!(
        rotated.previous_secret_until,
        Some(t0 + TimeDelta::hours(1))
    );
    assert!(
        e.webhooks().unwrap()[0].secret.is_none(),
        "a list shows no secret"
    );
    // Secrets are credentials: masked in a debug print and in the T12 dump.
    assert!(!format!("{rotated:?}").contains(&new));
    let dump = e.dump_rows(&[]).unwrap();
    assert!(dump.iter().any(|l| l.contains("previous_secret=\"secret:")));
    assert!(!dump.iter().any(|l| l.contains("whsec_")), "{dump:?}");
    e.ping_webhook(id, t0).unwrap();
    let m = e.claim(10, t0).unwrap().remove(0);
    let sig = &m.webhook.as_ref().unwrap().webhook_signature;
    assert_eq!(sig.split(' ').count(), 2);
    assert_eq!(*sig, expected(&m, &[&new, SECRET], t0));
    // After the grace, only the new secret signs the retry.
    let late = t0 + TimeDelta::hours(2);
    e.fail_webhook(&m.message_id, 500, "oops", t0).unwrap();
    let m = e.claim(10, late).unwrap().remove(0);
    assert_eq!(
        m.webhook.as_ref().unwrap().webhook_signature,
        expected(&m, &[&new], late)
    );
    // The default grace is 24 hours.
    let r = e.rotate_webhook_secret(id, None, late).unwrap();
    assert_eq!(r.previous_secret_until, Some(late + TimeDelta::hours(24)));
}

#[test]
fn d2_ping_queues_a_test_delivery() {
    let e = common::engine();
    let id = subscribe(&e, &["response.created.v1"]);
    let now = at("2026-11-20T03:00:00Z");
    let message_id = e.ping_webhook(id, now).unwrap();
    let m = e.claim(10, now).unwrap().remove(0);
    assert_eq!(m.message_id, message_id);
    let body: serde_json::Value = serde_json::from_str(&m.body).unwrap();
    assert_eq!(body["type"], "webhook.ping.v1");
    assert_eq!(body["data"]["webhook_id"], id);
    assert_eq!(
        m.webhook.as_ref().unwrap().webhook_signature,
        expected(&m, &[SECRET], now)
    );
    assert_eq!(
        e.ping_webhook(id + 100, now).unwrap_err().kind(),
        ErrorKind::NotFound
    );
}

#[test]
fn d2_a_410_disables_the_subscription_and_appends_an_event() {
    let e = common::engine();
    let id = subscribe(&e, &["invitation.created.v1"]);
    let now = at("2026-11-20T03:00:00Z");
    let ping = e.ping_webhook(id, now).unwrap();
    let other = e.ping_webhook(id, now).unwrap();
    let claimed = e.claim(1, now).unwrap();
    assert_eq!(claimed[0].message_id, ping);
    assert_eq!(
        e.fail_webhook(&ping, 410, "gone", now).unwrap(),
        FailOutcome::Failed
    );
    let w = &e.webhooks().unwrap()[0];
    assert_eq!(w.status, WebhookStatus::Disabled);
    assert_eq!(w.disabled_reason.as_deref(), Some("gone"));
    let EventsPage::Events { events, .. } = e.events(None, 100).unwrap() else {
        panic!("the feed")
    };
    let last = events.last().unwrap();
    assert_eq!(last.kind, "webhook.disabled.v1");
    let data: serde_json::Value = serde_json::from_str(&last.data).unwrap();
    assert_eq!(data["webhook_id"], id);
    // The other pending message is not sent; a disabled subscription queues nothing more.
    assert!(e.claim(10, now).unwrap().is_empty());
    let _ = other;
    night(&e);
    assert!(e.claim(10, paris_night(NIGHT)).unwrap().is_empty());
    assert_eq!(
        e.ping_webhook(id, now).unwrap_err().kind(),
        ErrorKind::Conflict
    );
}

#[test]
fn d2_twenty_failures_in_a_row_disable_and_an_ack_resets_the_count() {
    let e = common::engine();
    let id = subscribe(&e, &["response.created.v1"]);
    let now = at("2026-11-20T03:00:00Z");
    let fail_n = |n: usize| {
        for _ in 0..n {
            e.ping_webhook(id, now).unwrap();
        }
        let claimed = e.claim(100, now).unwrap();
        assert_eq!(claimed.len(), n);
        claimed
            .iter()
            .map(|m| e.fail_webhook(&m.message_id, 500, "boom", now).unwrap())
            .collect::<Vec<_>>()
    };
    // 19 failures, then an ack: the count starts again.
    let now2 = now + TimeDelta::days(1);
    fail_n(19);
    assert_eq!(e.webhooks().unwrap()[0].consecutive_failures, 19);
    let retried = e.claim(1, now2).unwrap();
    e.ack(&retried[0].message_id, now2).unwrap();
    assert_eq!(e.webhooks().unwrap()[0].consecutive_failures, 0);
    // Drop the 18 retries still queued, then 20 in a row disable it.
    let rest = e.claim(100, now2).unwrap();
    for m in &rest {
        e.ack(&m.message_id, now2).unwrap();
    }
    let outcomes = fail_n(20);
    assert_eq!(outcomes[19], FailOutcome::Failed);
    let w = &e.webhooks().unwrap()[0];
    assert_eq!(w.status, WebhookStatus::Disabled);
    assert_eq!(w.disabled_reason.as_deref(), Some("failures"));
    assert!(e.claim(100, now2 + TimeDelta::days(1)).unwrap().is_empty());
}

#[test]
fn d2_removing_a_subscription_cancels_its_pending_messages() {
    let e = common::engine();
    let id = subscribe(&e, &["invitation.created.v1"]);
    let keep = e
        .add_webhook(
            &NewWebhook {
                url: "http://127.0.0.1:8080/hook".into(),
                event_types: vec!["invitation.created.v1".into()],
                secret: None,
            },
            paris_night(NIGHT),
        )
        .unwrap();
    assert!(keep.secret.as_deref().unwrap().starts_with("whsec_"));
    night(&e);
    e.remove_webhook(id, paris_night(NIGHT)).unwrap();
    let claimed = e.claim(10, paris_night(NIGHT)).unwrap();
    assert_eq!(claimed.len(), 1);
    assert_eq!(claimed[0].webhook.as_ref().unwrap().webhook, keep.id);
    assert_eq!(e.webhooks().unwrap().len(), 1);
    assert_eq!(
        e.remove_webhook(id, paris_night(NIGHT)).unwrap_err().kind(),
        ErrorKind::NotFound
    );
}
