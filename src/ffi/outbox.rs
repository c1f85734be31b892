//! The delivery outbox: claim due messages, ack or fail them, resend, unsubscribe links.
//!
//! hearken never sends anything itself: the host claims a batch (JSON, or read through
//! `hk_message_batch`), delivers each message, then acks or fails it by its id.

use std::ffi::c_char;

use super::boundary::{Out, flag, now, optional_text, text};
use super::engine::{engine_call, hk_engine};
use super::result::{Failure, hk_result};
use crate::model::{Channel, FailOutcome, MessageKind};
use crate::wire;

/// Message kind code: a survey invitation (or its resend).
pub const HK_MESSAGE_KIND_SURVEY_INVITATION: u32 = 1;
/// Message kind code: a review reminder to a respondent (R1).
pub const HK_MESSAGE_KIND_REVIEW_REMINDER: u32 = 2;
/// Message kind code: a survey reminder to a non-respondent (R2).
pub const HK_MESSAGE_KIND_SURVEY_REMINDER: u32 = 3;
/// Message kind code: tells a user about new feedback (A2).
pub const HK_MESSAGE_KIND_FEEDBACK_NOTIFICATION: u32 = 4;
/// Message kind code: tells a location's owners an alert is still open.
pub const HK_MESSAGE_KIND_ALERT_ESCALATION: u32 = 5;
/// Message kind code: a business reply, reward, refund or dashboard e-mail (F2, A3).
pub const HK_MESSAGE_KIND_CUSTOMER_REPLY: u32 = 6;
/// Message kind code: the post-intervention survey (A4).
pub const HK_MESSAGE_KIND_FOLLOW_UP_SURVEY: u32 = 7;
/// Message kind: the periodic relationship survey (P7).
pub const HK_MESSAGE_KIND_RELATIONSHIP_SURVEY: u32 = 8;
/// Message kind code: an event delivered to a webhook subscription (D2).
pub const HK_MESSAGE_KIND_WEBHOOK: u32 = 9;
/// `sms_keyword_reply`: hearken's answer to an inbound SMS (D4).
pub const HK_MESSAGE_KIND_SMS_KEYWORD_REPLY: u32 = 10;

/// Channel code: e-mail.
pub const HK_CHANNEL_EMAIL: u32 = 1;
/// Channel code: SMS.
pub const HK_CHANNEL_SMS: u32 = 2;

/// Written by `hk_engine_fail` to `*retry_at_ms_out` when the message failed for good.
pub const HK_NO_RETRY: i64 = -1;

/// The `HK_MESSAGE_KIND_*` code of a kind.
pub(crate) fn kind_code(kind: MessageKind) -> u32 {
    match kind {
        MessageKind::SurveyInvitation => HK_MESSAGE_KIND_SURVEY_INVITATION,
        MessageKind::ReviewReminder => HK_MESSAGE_KIND_REVIEW_REMINDER,
        MessageKind::SurveyReminder => HK_MESSAGE_KIND_SURVEY_REMINDER,
        MessageKind::FeedbackNotification => HK_MESSAGE_KIND_FEEDBACK_NOTIFICATION,
        MessageKind::AlertEscalation => HK_MESSAGE_KIND_ALERT_ESCALATION,
        MessageKind::CustomerReply => HK_MESSAGE_KIND_CUSTOMER_REPLY,
        MessageKind::FollowUpSurvey => HK_MESSAGE_KIND_FOLLOW_UP_SURVEY,
        MessageKind::RelationshipSurvey => HK_MESSAGE_KIND_RELATIONSHIP_SURVEY,
        MessageKind::Webhook => HK_MESSAGE_KIND_WEBHOOK,
        MessageKind::SmsKeywordReply => HK_MESSAGE_KIND_SMS_KEYWORD_REPLY,
    }
}

/// The kind behind an `HK_MESSAGE_KIND_*` code from C.
pub(crate) fn kind_from(code: u32, name: &'static str) -> Result<MessageKind, Failure> {
    match code {
        HK_MESSAGE_KIND_SURVEY_INVITATION => Ok(MessageKind::SurveyInvitation),
        HK_MESSAGE_KIND_REVIEW_REMINDER => Ok(MessageKind::ReviewReminder),
        HK_MESSAGE_KIND_SURVEY_REMINDER => Ok(MessageKind::SurveyReminder),
        HK_MESSAGE_KIND_FEEDBACK_NOTIFICATION => Ok(MessageKind::FeedbackNotification),
        HK_MESSAGE_KIND_ALERT_ESCALATION => Ok(MessageKind::AlertEscalation),
        HK_MESSAGE_KIND_CUSTOMER_REPLY => Ok(MessageKind::CustomerReply),
        HK_MESSAGE_KIND_FOLLOW_UP_SURVEY => Ok(MessageKind::FollowUpSurvey),
        HK_MESSAGE_KIND_RELATIONSHIP_SURVEY => Ok(MessageKind::RelationshipSurvey),
        HK_MESSAGE_KIND_WEBHOOK => Ok(MessageKind::Webhook),
        HK_MESSAGE_KIND_SMS_KEYWORD_REPLY => Ok(MessageKind::SmsKeywordReply),
        _ => Err(Failure::Range(
            name,
            "unknown message kind; expected an HK_MESSAGE_KIND_* code (1 to 7)",
        )),
    }
}

/// The `HK_CHANNEL_*` code of a channel.
pub(crate) fn channel_code(channel: Channel) -> u32 {
    match channel {
        Channel::Email => HK_CHANNEL_EMAIL,
        Channel::Sms => HK_CHANNEL_SMS,
    }
}

/// The channel behind an `HK_CHANNEL_*` code from C.
pub(crate) fn channel_from(code: u32, name: &'static str) -> Result<Channel, Failure> {
    match code {
        HK_CHANNEL_EMAIL => Ok(Channel::Email),
        HK_CHANNEL_SMS => Ok(Channel::Sms),
        _ => Err(Failure::Range(
            name,
            "unknown channel; expected HK_CHANNEL_EMAIL (1) or HK_CHANNEL_SMS (2)",
        )),
    }
}

/// Queues what has fallen due by `now_ms`: survey and review reminders (R1, R2) and alert
/// escalations (A3); writes `{"reminders","escalations"}` (how many were queued) as JSON.
/// `hk_engine_claim` runs it first, so a host that claims regularly never needs it.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn hk_engine_run_due(
    engine: *mut hk_engine,
    now_ms: i64,
    due_json_out: *mut *mut c_char,
) -> hk_result {
    let body = |engine: &crate::Engine| {
        let now = now(now_ms)?;
        let out = Out::new(due_json_out, "due_json_out")?;
        out.set_string(wire::to_json(&engine.run_due(now)?));
        Ok(())
    };
    // SAFETY: forwarded contract.
    unsafe { engine_call(engine, body) }
}

/// Runs the timers (as `hk_engine_run_due` does), then claims up to `limit` due messages
/// for the host to deliver and writes them to `*messages_json_out` as a JSON array:
/// expired leases first, then by due time (`[]` when nothing is due).
///
/// Each message is rendered in the customer's language with fresh survey and unsubscribe
/// links and leased: if it is neither acked nor failed by its `lease_until`, a later claim
/// offers it again (same `message_id`, next `attempt`). Deliver each one, then call
/// `hk_engine_ack` or `hk_engine_fail` with its `message_id`, the host's idempotency key.
/// Without a JSON parser, read the array with `hk_message_batch_parse`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn hk_engine_claim(
    engine: *mut hk_engine,
    limit: u32,
    now_ms: i64,
    messages_json_out: *mut *mut c_char,
) -> hk_result {
    let body = |engine: &crate::Engine| {
        let now = now(now_ms)?;
        let out = Out::new(messages_json_out, "messages_json_out")?;
        out.set_string(wire::to_json(&engine.claim(limit, now)?));
        Ok(())
    };
    // SAFETY: forwarded contract.
    unsafe { engine_call(engine, body) }
}

/// Records that a claimed message was delivered: it is never offered again, even after a
/// reopen. Acking twice is fine; acking a cancelled message is `HK_RESULT_CONFLICT`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn hk_engine_ack(
    engine: *mut hk_engine,
    message_id: *const c_char,
    now_ms: i64,
) -> hk_result {
    let body = |engine: &crate::Engine| {
        // SAFETY: NULL or NUL-terminated (contract above).
        let id = unsafe { text(message_id, "message_id") }?;
        engine.ack(id, now(now_ms)?)?;
        Ok(())
    };
    // SAFETY: forwarded contract.
    unsafe { engine_call(engine, body) }
}

/// Records the delivery of several claimed messages in one transaction. `message_ids_json`
/// is a JSON array of message ids (`["id1","id2"]`); writes to `*outcomes_json_out` a JSON
/// array with one object per id, in order: `{"message_id","status"}` with `status` one of
/// `acked`, `already_acked` (acked before: fine, as with `hk_engine_ack`), `conflict`
/// (never claimed, or cancelled before delivery; with a `detail` text) or `not_found`. An
/// id that cannot be acked changes nothing and does not stop the others: the call returns
/// `HK_RESULT_OK` unless the array itself is bad or the store fails (then nothing is acked).
/// Free the outcomes with `hk_string_free`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn hk_engine_ack_many(
    engine: *mut hk_engine,
    message_ids_json: *const c_char,
    now_ms: i64,
    outcomes_json_out: *mut *mut c_char,
) -> hk_result {
    let body = |engine: &crate::Engine| {
        // SAFETY: NULL or NUL-terminated (contract above).
        let json = unsafe { text(message_ids_json, "message_ids_json") }?;
        let now = now(now_ms)?;
        let out = Out::new(outcomes_json_out, "outcomes_json_out")?;
        let ids = wire::parse_message_ids(json)?;
        out.set_string(wire::to_json(&engine.ack_many(&ids, now)?));
        Ok(())
    };
    // SAFETY: forwarded contract.
    unsafe { engine_call(engine, body) }
}

/// Acts on an SMS a customer sent to the store's number (D4), in one transaction.
/// `sms_json` is `{"from","body","received_at"}` (`from` E.164 or local in the store's
/// `default_country_code`, `body` at most 1600 characters, `received_at` RFC 3339 UTC);
/// writes to `*outcome_json_out` the outcome: `{"outcome": "opted_out", "keyword",
/// "confirmation_id"}`, `{"outcome": "opted_in", "lifted"}`, `{"outcome": "help_queued",
/// "message_id"}`, `{"outcome": "answered", "response_id"}`, `{"outcome":
/// "no_open_survey"}` or `{"outcome": "kept_as_reply", "reply_id"}`. Bad input is
/// `HK_RESULT_INVALID_INPUT` naming the field, and changes nothing. Free the outcome with
/// `hk_string_free`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn hk_engine_receive_sms(
    engine: *mut hk_engine,
    sms_json: *const c_char,
    outcome_json_out: *mut *mut c_char,
) -> hk_result {
    let body = |engine: &crate::Engine| {
        // SAFETY: NULL or NUL-terminated (contract above).
        let json = unsafe { text(sms_json, "sms_json") }?;
        let out = Out::new(outcome_json_out, "outcome_json_out")?;
        let sms = wire::parse_inbound_sms(json)?;
        out.set_string(wire::to_json(&engine.receive_sms(&sms)?));
        Ok(())
    };
    // SAFETY: forwarded contract.
    unsafe { engine_call(engine, body) }
}

/// Records that a claimed message could not be delivered, with a short reason for the
/// report (no personal data, please; at most 500 characters are kept).
///
/// `permanent` is 1 when retrying cannot help (no such mailbox), else 0. Writes to
/// `*retry_at_ms_out` when the message is offered again (Unix ms; the retry delay doubles
/// from `retry_base_seconds`), or `HK_NO_RETRY` (-1) when it failed for good: after the
/// last attempt or a permanent failure, which also releases the customer's cooldown.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn hk_engine_fail(
    engine: *mut hk_engine,
    message_id: *const c_char,
    reason: *const c_char,
    permanent: u32,
    now_ms: i64,
    retry_at_ms_out: *mut i64,
) -> hk_result {
    let body = |engine: &crate::Engine| {
        // SAFETY: NULL or NUL-terminated (contract above).
        let id = unsafe { text(message_id, "message_id") }?;
        // SAFETY: as above.
        let reason = unsafe { text(reason, "reason") }?;
        let permanent = flag(permanent, "permanent")?;
        let now = now(now_ms)?;
        let out = Out::new(retry_at_ms_out, "retry_at_ms_out")?;
        out.set(match engine.fail(id, reason, permanent, now)? {
            FailOutcome::Retry { retry_at } => retry_at.timestamp_millis(),
            FailOutcome::Failed => HK_NO_RETRY,
        });
        Ok(())
    };
    // SAFETY: forwarded contract.
    unsafe { engine_call(engine, body) }
}

/// Queues an invitation again (F5), due now, and writes the new message's id to
/// `*message_id_out`. `language` is a BCP 47 tag (`"ko"`, `"fr-CA"`), or NULL to keep the
/// invitation's language. The survey stays the same and the cooldown is not restarted.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn hk_engine_resend(
    engine: *mut hk_engine,
    invitation_id: i64,
    language: *const c_char,
    now_ms: i64,
    message_id_out: *mut *mut c_char,
) -> hk_result {
    let body = |engine: &crate::Engine| {
        // SAFETY: NULL or NUL-terminated (contract above).
        let language = unsafe { optional_text(language, "language") }?;
        let now = now(now_ms)?;
        let out = Out::new(message_id_out, "message_id_out")?;
        out.set_string(engine.resend(invitation_id, language, now)?);
        Ok(())
    };
    // SAFETY: forwarded contract.
    unsafe { engine_call(engine, body) }
}

/// Applies the global unsubscribe (every survey, every location) for the customer an
/// unsubscribe link was made for, and writes the customer's host id to `*customer_id_out`.
///
/// `token` is the link's last path segment (44 hex digits; 32 for a link minted before
/// time-ordered tokens, which still resolves). A malformed token is
/// `HK_RESULT_INVALID_INPUT`; an unknown one (or a survey link's) `HK_RESULT_NOT_FOUND`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn hk_engine_unsubscribe_by_token(
    engine: *mut hk_engine,
    token: *const c_char,
    now_ms: i64,
    customer_id_out: *mut *mut c_char,
) -> hk_result {
    let body = |engine: &crate::Engine| {
        // SAFETY: NULL or NUL-terminated (contract above).
        let token = unsafe { text(token, "token") }?;
        let now = now(now_ms)?;
        let out = Out::new(customer_id_out, "customer_id_out")?;
        out.set_string(engine.unsubscribe_by_token(token, now)?);
        Ok(())
    };
    // SAFETY: forwarded contract.
    unsafe { engine_call(engine, body) }
}

/// Writes the number of outbox messages in each status, read in one snapshot: waiting,
/// claimed and not yet acked, delivered, failed for good, and cancelled before delivery.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn hk_engine_outbox_counts(
    engine: *const hk_engine,
    pending_out: *mut u64,
    in_flight_out: *mut u64,
    acked_out: *mut u64,
    failed_out: *mut u64,
    cancelled_out: *mut u64,
) -> hk_result {
    let body = |engine: &crate::Engine| {
        let pending = Out::new(pending_out, "pending_out")?;
        let in_flight = Out::new(in_flight_out, "in_flight_out")?;
        let acked = Out::new(acked_out, "acked_out")?;
        let failed = Out::new(failed_out, "failed_out")?;
        let cancelled = Out::new(cancelled_out, "cancelled_out")?;
        let counts = engine.outbox_counts()?;
        pending.set(counts.pending);
        in_flight.set(counts.in_flight);
        acked.set(counts.acked);
        failed.set(counts.failed);
        cancelled.set(counts.cancelled);
        Ok(())
    };
    // SAFETY: forwarded contract.
    unsafe { engine_call(engine, body) }
}

/// Records what the mail or SMS provider reported on a sent message, even after its ack
/// (D3). `feedback` is `"hard_bounce"` (the invitation becomes `bounced`, as if it failed
/// before delivery, and the customer's contact is unusable until the POS sends another),
/// `"soft_bounce"` (retried as `hk_engine_fail` with `permanent` 0; an acked message is
/// offered again) or `"complaint"` (a spam complaint: the customer is unsubscribed, E3).
/// Writes to `*outcome_json_out` a JSON object `{"message_id","feedback","message_status",
/// "invitation_id","invitation_status","retry_at","contact_marked","unsubscribed",
/// "changed"}`; a repeated report answers `"changed":false`. Free it with
/// `hk_string_free`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn hk_engine_report_delivery(
    engine: *mut hk_engine,
    message_id: *const c_char,
    feedback: *const c_char,
    now_ms: i64,
    outcome_json_out: *mut *mut c_char,
) -> hk_result {
    let body = |engine: &crate::Engine| {
        // SAFETY: NULL or NUL-terminated (contract above).
        let id = unsafe { text(message_id, "message_id") }?;
        // SAFETY: as above.
        let feedback = unsafe { text(feedback, "feedback") }?;
        let feedback = crate::model::DeliveryFeedback::parse(feedback).ok_or(Failure::Range(
            "feedback",
            "expected hard_bounce, soft_bounce or complaint",
        ))?;
        let now = now(now_ms)?;
        let out = Out::new(outcome_json_out, "outcome_json_out")?;
        out.set_string(wire::to_json(&engine.report_delivery(id, feedback, now)?));
        Ok(())
    };
    // SAFETY: forwarded contract.
    unsafe { engine_call(engine, body) }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_round_trip_and_zero_is_never_valid() {
        for channel in [Channel::Email, Channel::Sms] {
            assert_eq!(
                channel_from(channel_code(channel), "channel").unwrap(),
                channel
            );
        }
        for &kind in MessageKind::ALL {
            assert_eq!(kind_from(kind_code(kind), "kind").unwrap(), kind);
        }
        assert!(channel_from(0, "channel").is_err());
        assert!(channel_from(3, "channel").is_err());
        assert!(kind_from(0, "kind").is_err());
        let json = kind_from(11, "kind").unwrap_err().to_json();
        assert!(json.contains(r#""field":"kind""#), "{json}");
    }
}
