//! Webhook subscriptions (D2): events pushed to a host's URL through the outbox, signed
//! as the Standard Webhooks specification says. Records are JSON strings.

use std::ffi::c_char;

use super::boundary::{Out, now, text};
use super::engine::{engine_call, hk_engine};
use super::outbox::HK_NO_RETRY;
use super::result::{Failure, hk_result};
use crate::model::FailOutcome;
use crate::wire;

/// Subscribes a URL to event types. `webhook_json` is `{"url","event_types":[…],
/// "secret"?}`: an `https://` URL (or `http://` to a loopback host), event types of the
/// feed (docs/events.md), and optionally a `whsec_…` secret (else one is generated).
/// Writes the subscription to `*webhook_json_out`, with its `secret` — the only time it is
/// shown. A bad field is `HK_RESULT_INVALID_INPUT` naming `url`, `event_types` or
/// `secret`, never echoing it. Free the answer with `hk_string_free`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn hk_engine_add_webhook(
    engine: *mut hk_engine,
    webhook_json: *const c_char,
    now_ms: i64,
    webhook_json_out: *mut *mut c_char,
) -> hk_result {
    let body = |engine: &crate::Engine| {
        // SAFETY: NULL or NUL-terminated (contract above).
        let json = unsafe { text(webhook_json, "webhook_json") }?;
        let now = now(now_ms)?;
        let out = Out::new(webhook_json_out, "webhook_json_out")?;
        let new = wire::parse_new_webhook(json)?;
        out.set_string(wire::to_json(&engine.add_webhook(&new, now)?));
        Ok(())
    };
    // SAFETY: forwarded contract.
    unsafe { engine_call(engine, body) }
}

/// Writes every subscription to `*webhooks_json_out` as a JSON array (by id, without
/// secrets). Free it with `hk_string_free`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn hk_engine_webhooks(
    engine: *mut hk_engine,
    webhooks_json_out: *mut *mut c_char,
) -> hk_result {
    let body = |engine: &crate::Engine| {
        let out = Out::new(webhooks_json_out, "webhooks_json_out")?;
        out.set_string(wire::to_json(&engine.webhooks()?));
        Ok(())
    };
    // SAFETY: forwarded contract.
    unsafe { engine_call(engine, body) }
}

/// Removes subscription `webhook_id`; its messages not yet delivered are cancelled.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn hk_engine_remove_webhook(
    engine: *mut hk_engine,
    webhook_id: i64,
    now_ms: i64,
) -> hk_result {
    let body = |engine: &crate::Engine| {
        engine.remove_webhook(webhook_id, now(now_ms)?)?;
        Ok(())
    };
    // SAFETY: forwarded contract.
    unsafe { engine_call(engine, body) }
}

/// Gives subscription `webhook_id` a new secret; the old one still signs beside it for
/// `grace_seconds` (-1: the default, 24 hours; at most 30 days). Writes the subscription
/// with its new `secret` (shown this once) to `*webhook_json_out`; free it with
/// `hk_string_free`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn hk_engine_rotate_webhook_secret(
    engine: *mut hk_engine,
    webhook_id: i64,
    grace_seconds: i64,
    now_ms: i64,
    webhook_json_out: *mut *mut c_char,
) -> hk_result {
    let body = |engine: &crate::Engine| {
        let grace = match grace_seconds {
            -1 => None,
            s => Some(std::time::Duration::from_secs(u64::try_from(s).map_err(
                |_| Failure::Range("grace_seconds", "expected -1 or 0 and above"),
            )?)),
        };
        let now = now(now_ms)?;
        let out = Out::new(webhook_json_out, "webhook_json_out")?;
        let w = engine.rotate_webhook_secret(webhook_id, grace, now)?;
        out.set_string(wire::to_json(&w));
        Ok(())
    };
    // SAFETY: forwarded contract.
    unsafe { engine_call(engine, body) }
}

/// Queues a test delivery (type `webhook.ping.v1`) to subscription `webhook_id`, due at
/// once, and writes its message id to `*message_id_out` (free it with `hk_string_free`).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn hk_engine_ping_webhook(
    engine: *mut hk_engine,
    webhook_id: i64,
    now_ms: i64,
    message_id_out: *mut *mut c_char,
) -> hk_result {
    let body = |engine: &crate::Engine| {
        let now = now(now_ms)?;
        let out = Out::new(message_id_out, "message_id_out")?;
        out.set_string(engine.ping_webhook(webhook_id, now)?);
        Ok(())
    };
    // SAFETY: forwarded contract.
    unsafe { engine_call(engine, body) }
}

/// Records a failed delivery of a claimed webhook message with the endpoint's HTTP
/// status (`http_status` 100–599, or 0 when the connection failed): a 410, or the
/// subscription's 20th failure in a row, fails it for good and disables the subscription.
/// Writes the retry time (Unix ms) to `*retry_at_ms_out`, or `HK_NO_RETRY` (-1).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn hk_engine_fail_webhook(
    engine: *mut hk_engine,
    message_id: *const c_char,
    http_status: u32,
    reason: *const c_char,
    now_ms: i64,
    retry_at_ms_out: *mut i64,
) -> hk_result {
    let body = |engine: &crate::Engine| {
        // SAFETY: NULL or NUL-terminated (contract above).
        let id = unsafe { text(message_id, "message_id") }?;
        // SAFETY: as above.
        let reason = unsafe { text(reason, "reason") }?;
        let status = u16::try_from(http_status)
            .map_err(|_| Failure::Range("http_status", "expected 0 or 100 to 599"))?;
        let now = now(now_ms)?;
        let out = Out::new(retry_at_ms_out, "retry_at_ms_out")?;
        out.set(match engine.fail_webhook(id, status, reason, now)? {
            FailOutcome::Retry { retry_at } => retry_at.timestamp_millis(),
            FailOutcome::Failed => HK_NO_RETRY,
        });
        Ok(())
    };
    // SAFETY: forwarded contract.
    unsafe { engine_call(engine, body) }
}
