//! Webhook subscriptions (D2): adding, listing, removing, rotating and pinging them;
//! queueing one `webhook` message per matching subscription wherever an event is appended
//! (in the same transaction), rendering and signing it at claim time, and counting the
//! endpoint's failures.

use std::collections::HashMap;

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use chrono::{DateTime, Utc};

use crate::error::{Error, Problem, Result};
use crate::model::events::EVENT_TYPES;
use crate::model::{
    Channel, MessageKind, OutboundMessage, Webhook, WebhookDelivery, WebhookStatus,
};
use crate::rules::time::{from_stored, ms};
use crate::rules::webhook::{self as sig, SECRET_PREFIX};
use crate::store::{Claimable, NewEvent, Tx, WebhookRow};

use super::outbox::{MessageIds, random_bytes};

/// Failed deliveries in a row that disable a subscription.
pub const MAX_CONSECUTIVE_FAILURES: u32 = 20;
/// How long a rotated-out secret still signs, unless the rotation says.
pub const DEFAULT_GRACE: std::time::Duration = std::time::Duration::from_secs(24 * 3600);
/// The longest grace a rotation may give the old secret.
pub const MAX_GRACE: std::time::Duration = std::time::Duration::from_secs(30 * 24 * 3600);
/// The longest URL a subscription may have.
pub const MAX_URL_BYTES: usize = 2048;
/// The type of a ping's body (a test delivery; not an event of the feed).
pub const PING_TYPE: &str = "webhook.ping.v1";

fn problem(field: &str, reason: &str) -> Problem {
    Problem::top("webhook", field, reason)
}

/// Whether `url` is `https://host…`, or `http://` to a loopback host; never echoed.
fn url_problem(url: &str) -> Option<Problem> {
    let bad = |reason: &str| Some(problem("url", reason));
    if url.len() > MAX_URL_BYTES {
        return bad("is longer than 2048 bytes");
    }
    if url.chars().any(|c| c.is_whitespace() || c.is_control()) {
        return bad("must not contain spaces or control characters");
    }
    let lower = url.to_ascii_lowercase();
    let (https, rest) = if let Some(rest) = lower.strip_prefix("https://") {
        (true, rest)
    } else if let Some(rest) = lower.strip_prefix("http://") {
        (false, rest)
    } else {
        return bad("must be an https:// URL (or http:// to a loopback host)");
    };
    let authority = rest.split(['/', '?', '#']).next().unwrap_or_default();
    if authority.contains('@') {
        return bad("must not carry a user name or password");
    }
    let host = if let Some(v6) = authority.strip_prefix('[') {
        match v6.split_once(']') {
            Some((h, port)) if port.is_empty() || port.starts_with(':') => h,
            _ => return bad("has a malformed host"),
        }
    } else {
        authority.split(':').next().unwrap_or_default()
    };
    if host.is_empty() {
        return bad("has no host");
    }
    if let Some(port) = authority.rsplit_once(']').map_or_else(
        || authority.split_once(':').map(|(_, p)| p),
        |(_, p)| p.strip_prefix(':'),
    ) && (port.is_empty() || port.parse::<u16>().is_err())
    {
        return bad("has a malformed port");
    }
    let loopback = host == "localhost"
        || host == "::1"
        || host
            .parse::<std::net::Ipv4Addr>()
            .is_ok_and(|a| a.is_loopback());
    if !https && !loopback {
        return bad("must be https:// (http:// only to a loopback host)");
    }
    None
}

fn event_types_problem(types: &[String]) -> Option<Problem> {
    if types.is_empty() {
        return Some(problem("event_types", "must name at least one event type"));
    }
    if types.len() > EVENT_TYPES.len() {
        return Some(problem("event_types", "names more types than there are"));
    }
    if types.iter().any(|t| !EVENT_TYPES.contains(&t.as_str())) {
        return Some(problem(
            "event_types",
            "must be event types of the feed (docs/events.md), e.g. response.created.v1",
        ));
    }
    None
}

/// A fresh secret: `whsec_` and the base64 of 32 random bytes.
fn new_secret() -> Result<String> {
    Ok(format!(
        "{SECRET_PREFIX}{}",
        STANDARD.encode(random_bytes::<32>()?)
    ))
}

/// Checks a new subscription: every bad field named, none echoed.
pub fn check_new(new: &crate::model::NewWebhook) -> Result<()> {
    let mut problems = Vec::new();
    problems.extend(url_problem(&new.url));
    problems.extend(event_types_problem(&new.event_types));
    if let Some(secret) = &new.secret
        && let Err(e) = sig::secret_key(secret)
    {
        problems.push(problem("secret", &e.to_string()));
    }
    if problems.is_empty() {
        Ok(())
    } else {
        Err(Error::Invalid(problems))
    }
}

/// Checks a rotation's grace.
pub fn check_grace(grace: Option<std::time::Duration>) -> Result<()> {
    match grace {
        Some(g) if g > MAX_GRACE => {
            Err(Error::invalid(problem("grace", "must be at most 30 days")))
        }
        _ => Ok(()),
    }
}

fn types_of(row: &WebhookRow) -> Vec<String> {
    serde_json::from_str(&row.event_types).unwrap_or_default()
}

/// The public record of a stored subscription (its secret left out).
fn public(row: &WebhookRow) -> Webhook {
    Webhook {
        id: row.id,
        url: row.url.clone(),
        event_types: types_of(row),
        status: WebhookStatus::parse(&row.status).unwrap_or(WebhookStatus::Disabled),
        consecutive_failures: row.consecutive_failures,
        created_at: from_stored(row.created_at_ms),
        disabled_at: row.disabled_at_ms.map(from_stored),
        disabled_reason: row.disabled_reason.clone(),
        previous_secret_until: row
            .previous_secret
            .as_ref()
            .and(row.previous_until_ms)
            .map(from_stored),
        secret: None,
    }
}

fn not_found(id: i64) -> Error {
    Error::NotFound {
        what: "webhook",
        id: id.to_string(),
    }
}

fn stored(c: &mut dyn Tx, id: i64) -> Result<WebhookRow> {
    c.webhook(id)?.ok_or_else(|| not_found(id))
}

/// Adds a subscription; the answer carries its secret (the only time it is shown).
pub fn add(c: &mut dyn Tx, new: &crate::model::NewWebhook, now: DateTime<Utc>) -> Result<Webhook> {
    check_new(new)?;
    let secret = match &new.secret {
        Some(s) => s.clone(),
        None => new_secret()?,
    };
    let mut types: Vec<String> = Vec::with_capacity(new.event_types.len());
    for t in &new.event_types {
        if !types.contains(t) {
            types.push(t.clone());
        }
    }
    let mut row = WebhookRow {
        id: 0,
        url: new.url.clone(),
        secret: secret.clone(),
        previous_secret: None,
        previous_until_ms: None,
        event_types: serde_json::Value::from(types).to_string(),
        status: WebhookStatus::Active.as_str().to_owned(),
        consecutive_failures: 0,
        created_at_ms: ms(now),
        disabled_at_ms: None,
        disabled_reason: None,
    };
    row.id = c.insert_webhook(&row)?;
    Ok(Webhook {
        secret: Some(secret),
        ..public(&row)
    })
}

/// Every subscription, by id, without secrets.
pub fn list(c: &mut dyn Tx) -> Result<Vec<Webhook>> {
    Ok(c.webhooks()?.iter().map(public).collect())
}

/// Removes a subscription and cancels its messages not yet delivered.
pub fn remove(c: &mut dyn Tx, id: i64, now: DateTime<Utc>) -> Result<()> {
    stored(c, id)?;
    c.cancel_webhook_messages(id, "webhook_removed", ms(now))?;
    c.delete_webhook(id)?;
    Ok(())
}

/// Gives a subscription a new secret; the old one still signs for `grace` (24 hours
/// unless given). The answer carries the new secret.
pub fn rotate(
    c: &mut dyn Tx,
    id: i64,
    grace: Option<std::time::Duration>,
    now: DateTime<Utc>,
) -> Result<Webhook> {
    check_grace(grace)?;
    let mut row = stored(c, id)?;
    let grace = grace.unwrap_or(DEFAULT_GRACE);
    let grace_ms = i64::try_from(grace.as_millis()).unwrap_or(i64::MAX);
    let secret = new_secret()?;
    let until = ms(now).saturating_add(grace_ms);
    let previous = (grace_ms > 0).then(|| row.secret.clone());
    let until = previous.as_ref().map(|_| until);
    c.set_webhook_secrets(id, &secret, previous.as_deref(), until)?;
    row.secret = secret.clone();
    row.previous_secret = previous;
    row.previous_until_ms = until;
    Ok(Webhook {
        secret: Some(secret),
        ..public(&row)
    })
}

/// The body of a webhook message: `{"type", "timestamp", "data"}`, the data as stored.
fn body(kind: &str, at_ms: i64, data: &str) -> Result<String> {
    let kind = serde_json::to_string(kind)
        .map_err(|e| Error::Internal(format!("a webhook body did not serialise: {e}")))?;
    let at = from_stored(at_ms).to_rfc3339_opts(chrono::SecondsFormat::Millis, true);
    Ok(format!(
        r#"{{"type":{kind},"timestamp":"{at}","data":{data}}}"#
    ))
}

/// Queues a test delivery to a subscription and returns its message id.
pub fn ping(c: &mut dyn Tx, id: i64, now: DateTime<Utc>) -> Result<String> {
    let row = stored(c, id)?;
    if row.status != WebhookStatus::Active.as_str() {
        return Err(Error::Conflict(
            "the webhook is disabled; add it again to deliver to it".into(),
        ));
    }
    let data = format!(r#"{{"webhook_id":{id}}}"#);
    let message_id = MessageIds::new(now)?.next_id();
    c.queue_webhook_message(
        &message_id,
        id,
        &body(PING_TYPE, ms(now), &data)?,
        ms(now),
        ms(now),
    )?;
    Ok(message_id)
}

/// Queues one `webhook` message per active subscription of each event's type, due at
/// once, in the caller's transaction: every append of the feed whose store has an active
/// subscription comes here (the append itself says whether one is, in its statement).
pub(in crate::engine) fn queue_for(c: &mut dyn Tx, events: &[NewEvent]) -> Result<()> {
    if events.is_empty() {
        return Ok(());
    }
    let subscriptions = c.active_webhooks()?;
    if subscriptions.is_empty() {
        return Ok(());
    }
    let subscriptions: Vec<(i64, Vec<String>)> =
        subscriptions.iter().map(|s| (s.id, types_of(s))).collect();
    let mut ids: Option<MessageIds> = None;
    for e in events {
        for (id, types) in &subscriptions {
            if !types.iter().any(|t| t == e.kind) {
                continue;
            }
            let ids = match &mut ids {
                Some(ids) => ids,
                None => ids.insert(MessageIds::new(from_stored(e.at_ms))?),
            };
            let message_id = ids.next_id();
            let body = body(e.kind, e.at_ms, &e.data)?;
            c.queue_webhook_message(&message_id, *id, &body, e.at_ms, e.at_ms)?;
        }
    }
    Ok(())
}

/// The subscriptions one claim has read, by id (`None`: removed).
#[derive(Default)]
pub(in crate::engine) struct ClaimWebhooks(HashMap<i64, Option<WebhookRow>>);

/// What becomes of a due webhook message: handed over, signed for `now`, or cancelled
/// with a reason (its subscription is gone or disabled).
pub(in crate::engine) fn render(
    c: &mut dyn Tx,
    cache: &mut ClaimWebhooks,
    m: &Claimable,
    now: DateTime<Utc>,
    lease_until: DateTime<Utc>,
) -> Result<std::result::Result<OutboundMessage, &'static str>> {
    let Some(id) = m.webhook else {
        return Ok(Err("webhook_removed"));
    };
    if let std::collections::hash_map::Entry::Vacant(slot) = cache.0.entry(id) {
        slot.insert(c.webhook(id)?);
    }
    let Some(Some(row)) = cache.0.get(&id) else {
        return Ok(Err("webhook_removed"));
    };
    if row.status != WebhookStatus::Active.as_str() {
        return Ok(Err("webhook_disabled"));
    }
    let mut secrets = vec![row.secret.as_str()];
    if let (Some(previous), Some(until)) = (&row.previous_secret, row.previous_until_ms)
        && until > ms(now)
    {
        secrets.push(previous.as_str());
    }
    let webhook_id = format!("msg_{}", m.message_id);
    let timestamp = now.timestamp();
    let signature = sig::signature_header(&secrets, &webhook_id, timestamp, &m.params)
        .map_err(|_| Error::Internal("a stored webhook secret cannot sign".into()))?;
    Ok(Ok(OutboundMessage {
        message_id: m.message_id.clone(),
        kind: MessageKind::Webhook,
        channel: Channel::Email,
        recipient: row.url.clone(),
        language: String::new(),
        subject: String::new(),
        body: m.params.clone(),
        html_body: None,
        survey_link: None,
        survey_link_expires_at: None,
        unsubscribe_link: None,
        reply_to: None,
        customer: None,
        user: None,
        location: None,
        invitation_id: None,
        alert_id: None,
        attempt: m.attempts + 1,
        lease_until,
        webhook: Some(WebhookDelivery {
            webhook: id,
            url: row.url.clone(),
            webhook_id,
            webhook_timestamp: timestamp.to_string(),
            webhook_signature: signature,
        }),
    }))
}

/// Checks the HTTP status a host reports for a failed webhook delivery.
pub fn check_http_status(status: u16) -> Result<()> {
    if (100..=599).contains(&status) {
        Ok(())
    } else {
        Err(Error::invalid(problem(
            "http_status",
            "must be an HTTP status code (100 to 599)",
        )))
    }
}

/// After a recorded failure of a webhook message (from `fail` or `fail_webhook`): counts
/// it, and disables the subscription after a 410 or the 20th failure in a row; its messages
/// not yet delivered are cancelled. Returns the subscription and the reason when it was
/// disabled (the caller appends `webhook.disabled.v1`).
pub(in crate::engine) fn failed(
    c: &mut dyn Tx,
    rowid: i64,
    gone: bool,
    now: DateTime<Utc>,
) -> Result<Option<(i64, &'static str)>> {
    let Some(id) = c.message_webhook(rowid)? else {
        return Ok(None);
    };
    let count = c.webhook_failed(id)?;
    let reason = if gone {
        "gone"
    } else if count >= MAX_CONSECUTIVE_FAILURES {
        "failures"
    } else {
        return Ok(None);
    };
    if !c.disable_webhook(id, reason, ms(now))? {
        return Ok(None);
    }
    c.cancel_webhook_messages(id, "webhook_disabled", ms(now))?;
    Ok(Some((id, reason)))
}
