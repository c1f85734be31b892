//! Claimed messages read from their JSON, with typed readers: what a mailer needs to send
//! each one, for hosts without a JSON parser.

use std::ffi::{CString, c_char};

use super::handles::{at, c, count, free_handle, parse_into, read};
use super::outbox::{channel_code, kind_code};
use super::result::hk_result;
use crate::model::OutboundMessage;

struct Message {
    message_id: CString,
    kind: u32,
    channel: u32,
    recipient: CString,
    language: CString,
    subject: CString,
    body: CString,
    html_body: Option<CString>,
    survey_link: Option<CString>,
    survey_link_expires_at_ms: i64,
    unsubscribe_link: Option<CString>,
    reply_to: Option<CString>,
    customer: Option<CString>,
    user: Option<CString>,
    location: Option<CString>,
    invitation_id: i64,
    alert_id: i64,
    attempt: u32,
    lease_until_ms: i64,
}

impl Message {
    fn new(m: OutboundMessage) -> Self {
        Message {
            message_id: c(&m.message_id),
            kind: kind_code(m.kind),
            channel: channel_code(m.channel),
            recipient: c(&m.recipient),
            language: c(&m.language),
            subject: c(&m.subject),
            body: c(&m.body),
            html_body: m.html_body.as_ref().map(c),
            survey_link: m.survey_link.as_ref().map(c),
            survey_link_expires_at_ms: m.survey_link_expires_at.map_or(0, |t| t.timestamp_millis()),
            unsubscribe_link: m.unsubscribe_link.as_ref().map(c),
            reply_to: m.reply_to.as_ref().map(c),
            customer: m.customer.as_ref().map(c),
            user: m.user.as_ref().map(c),
            location: m.location.as_ref().map(c),
            invitation_id: m.invitation_id.unwrap_or(0),
            alert_id: m.alert_id.unwrap_or(0),
            attempt: m.attempt,
            lease_until_ms: m.lease_until.timestamp_millis(),
        }
    }
}

/// Claimed messages read from their JSON, with typed readers. Opaque; free with
/// `hk_message_batch_free`.
#[allow(non_camel_case_types)]
pub struct hk_message_batch {
    messages: Vec<Message>,
}

/// Field of message `index`, or `fallback` for a NULL handle or an index past the end.
///
/// # Safety
/// `batch` is NULL or a live handle.
unsafe fn field<T: Copy>(
    batch: *const hk_message_batch,
    index: u32,
    fallback: T,
    f: impl FnOnce(&Message) -> T,
) -> T {
    // SAFETY: forwarded contract.
    unsafe {
        read(batch, fallback, |b| {
            at(&b.messages, index).map_or(fallback, f)
        })
    }
}

/// A string field of message `index`, or NULL; borrowed from the handle.
///
/// # Safety
/// `batch` is NULL or a live handle.
unsafe fn string_field(
    batch: *const hk_message_batch,
    index: u32,
    f: impl FnOnce(&Message) -> &CString,
) -> *const c_char {
    // SAFETY: forwarded contract.
    unsafe { field(batch, index, std::ptr::null(), |m| f(m).as_ptr()) }
}

/// An optional string field of message `index`, or NULL; borrowed from the handle.
///
/// # Safety
/// `batch` is NULL or a live handle.
unsafe fn optional_string_field(
    batch: *const hk_message_batch,
    index: u32,
    f: impl FnOnce(&Message) -> Option<&CString>,
) -> *const c_char {
    // SAFETY: forwarded contract.
    unsafe {
        field(batch, index, std::ptr::null(), |m| {
            f(m).map_or(std::ptr::null(), |s| s.as_ptr())
        })
    }
}

/// Reads claimed messages (the JSON array written by `hk_engine_claim`) into a handle.
///
/// On failure nothing is written to `*batch_out` and, if `error_out` is not NULL,
/// `*error_out` receives the error detail JSON (free it with `hk_string_free`).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn hk_message_batch_parse(
    messages_json: *const c_char,
    batch_out: *mut *mut hk_message_batch,
    error_out: *mut *mut c_char,
) -> hk_result {
    let build = |messages: Vec<OutboundMessage>| hk_message_batch {
        messages: messages.into_iter().map(Message::new).collect(),
    };
    // SAFETY: forwarded contract.
    unsafe {
        parse_into(
            messages_json,
            "messages_json",
            "messages",
            batch_out,
            error_out,
            build,
        )
    }
}

/// Frees a message batch and sets `*batch` to NULL; NULL or `*batch` NULL is fine.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn hk_message_batch_free(batch: *mut *mut hk_message_batch) {
    // SAFETY: forwarded contract.
    unsafe { free_handle(batch) }
}

/// Number of messages in the batch (0 for NULL).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn hk_message_batch_count(batch: *const hk_message_batch) -> u32 {
    // SAFETY: forwarded contract.
    unsafe { read(batch, 0, |b| count(&b.messages)) }
}

/// Message `index`'s stable id (ack or fail it by this; the host's idempotency key), or
/// NULL past the end. Every string of a batch is borrowed, valid until the batch is freed.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn hk_message_batch_message_id(
    batch: *const hk_message_batch,
    index: u32,
) -> *const c_char {
    // SAFETY: forwarded contract.
    unsafe { string_field(batch, index, |m| &m.message_id) }
}

/// Message `index`'s kind, an `HK_MESSAGE_KIND_*` code (0 past the end).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn hk_message_batch_kind(batch: *const hk_message_batch, index: u32) -> u32 {
    // SAFETY: forwarded contract.
    unsafe { field(batch, index, 0, |m| m.kind) }
}

/// Message `index`'s channel, an `HK_CHANNEL_*` code (0 past the end).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn hk_message_batch_channel(
    batch: *const hk_message_batch,
    index: u32,
) -> u32 {
    // SAFETY: forwarded contract.
    unsafe { field(batch, index, 0, |m| m.channel) }
}

/// Message `index`'s recipient: an e-mail address or an E.164 phone number; borrowed.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn hk_message_batch_recipient(
    batch: *const hk_message_batch,
    index: u32,
) -> *const c_char {
    // SAFETY: forwarded contract.
    unsafe { string_field(batch, index, |m| &m.recipient) }
}

/// The language message `index` was rendered in (after the fallback chain); borrowed.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn hk_message_batch_language(
    batch: *const hk_message_batch,
    index: u32,
) -> *const c_char {
    // SAFETY: forwarded contract.
    unsafe { string_field(batch, index, |m| &m.language) }
}

/// Message `index`'s rendered subject line (empty for SMS); borrowed.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn hk_message_batch_subject(
    batch: *const hk_message_batch,
    index: u32,
) -> *const c_char {
    // SAFETY: forwarded contract.
    unsafe { string_field(batch, index, |m| &m.subject) }
}

/// Message `index`'s rendered body, links included (lines separated by `\n`); borrowed.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn hk_message_batch_body(
    batch: *const hk_message_batch,
    index: u32,
) -> *const c_char {
    // SAFETY: forwarded contract.
    unsafe { string_field(batch, index, |m| &m.body) }
}

/// Message `index`'s HTML part (M1: a multipart e-mail with the 0–10 scale as eleven score
/// links), or NULL if it is plain text only (SMS, staff messages, a template without an
/// HTML part); borrowed. Send it as `text/html` beside the body as `text/plain`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn hk_message_batch_html_body(
    batch: *const hk_message_batch,
    index: u32,
) -> *const c_char {
    // SAFETY: forwarded contract.
    unsafe { optional_string_field(batch, index, |m| m.html_body.as_ref()) }
}

/// Message `index`'s survey link (its last path segment is the token for
/// `hk_engine_record_response`), or NULL if it has none (a review reminder); borrowed.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn hk_message_batch_survey_link(
    batch: *const hk_message_batch,
    index: u32,
) -> *const c_char {
    // SAFETY: forwarded contract.
    unsafe { optional_string_field(batch, index, |m| m.survey_link.as_ref()) }
}

/// When message `index`'s survey link stops working, Unix ms (0 if it has none).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn hk_message_batch_survey_link_expires_at(
    batch: *const hk_message_batch,
    index: u32,
) -> i64 {
    // SAFETY: forwarded contract.
    unsafe { field(batch, index, 0, |m| m.survey_link_expires_at_ms) }
}

/// Message `index`'s unsubscribe link (never expires; its last path segment is the token
/// for `hk_engine_unsubscribe_by_token`), or NULL if it has none; borrowed.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn hk_message_batch_unsubscribe_link(
    batch: *const hk_message_batch,
    index: u32,
) -> *const c_char {
    // SAFETY: forwarded contract.
    unsafe { optional_string_field(batch, index, |m| m.unsubscribe_link.as_ref()) }
}

/// Message `index`'s Reply-To address (a tracking address: the customer's answer to it goes
/// to `hk_engine_record_inbound_reply`), or NULL if it has none; borrowed.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn hk_message_batch_reply_to(
    batch: *const hk_message_batch,
    index: u32,
) -> *const c_char {
    // SAFETY: forwarded contract.
    unsafe { optional_string_field(batch, index, |m| m.reply_to.as_ref()) }
}

/// Host id of message `index`'s customer; NULL for a message to staff; borrowed.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn hk_message_batch_customer(
    batch: *const hk_message_batch,
    index: u32,
) -> *const c_char {
    // SAFETY: forwarded contract.
    unsafe { optional_string_field(batch, index, |m| m.customer.as_ref()) }
}

/// Host id of the user message `index` goes to (a notification or an escalation), or NULL
/// for a message to a customer; borrowed.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn hk_message_batch_user(
    batch: *const hk_message_batch,
    index: u32,
) -> *const c_char {
    // SAFETY: forwarded contract.
    unsafe { optional_string_field(batch, index, |m| m.user.as_ref()) }
}

/// Host id of message `index`'s location; borrowed. NULL for a message that belongs to
/// no location (a webhook, D2; a keyword reply to a phone, D4).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn hk_message_batch_location(
    batch: *const hk_message_batch,
    index: u32,
) -> *const c_char {
    // SAFETY: forwarded contract.
    unsafe { optional_string_field(batch, index, |m| m.location.as_ref()) }
}

/// The invitation message `index` delivers (what `hk_engine_resend` takes), or 0 if none.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn hk_message_batch_invitation_id(
    batch: *const hk_message_batch,
    index: u32,
) -> i64 {
    // SAFETY: forwarded contract.
    unsafe { field(batch, index, 0, |m| m.invitation_id) }
}

/// The alert message `index` is about (a notification, an escalation, a dashboard e-mail, a
/// follow-up survey), or 0 if none.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn hk_message_batch_alert_id(
    batch: *const hk_message_batch,
    index: u32,
) -> i64 {
    // SAFETY: forwarded contract.
    unsafe { field(batch, index, 0, |m| m.alert_id) }
}

/// Delivery attempt of message `index`: 1 the first time it is claimed (0 past the end).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn hk_message_batch_attempt(
    batch: *const hk_message_batch,
    index: u32,
) -> u32 {
    // SAFETY: forwarded contract.
    unsafe { field(batch, index, 0, |m| m.attempt) }
}

/// End of message `index`'s lease, Unix ms: unacked by then, it is offered again.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn hk_message_batch_lease_until(
    batch: *const hk_message_batch,
    index: u32,
) -> i64 {
    // SAFETY: forwarded contract.
    unsafe { field(batch, index, 0, |m| m.lease_until_ms) }
}
