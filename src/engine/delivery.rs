//! The delivery use cases: claim, ack, fail, resend, unsubscribe links, templates.

use std::collections::HashMap;

use crate::store::Tx;
use chrono::{DateTime, TimeDelta, Utc};

use crate::error::{Error, Problem, Result};
use crate::model::events as ev;
use crate::model::{
    AckOutcome, AckStatus, Channel, DeliverySettings, FailOutcome, MessageKind, MessageStatus,
    OutboundMessage, SkipReason, Template,
};
use crate::rules::time::ms;
use crate::rules::{template, time, token};
use crate::store::{self, Claimable};

use super::events::event;
use super::outbox::{FixedText, MessageIds, new_token};
use super::suppressions::Suppressions;

/// Longest failure reason kept from the host.
const MAX_REASON_CHARS: usize = 500;
/// Retries never wait longer than this.
const MAX_RETRY_DELAY: TimeDelta = TimeDelta::hours(6);

/// Why a due message must not be sent any more (delivery-time suppression), if so.
fn cancel_reason(
    c: &mut dyn Tx,
    suppressions: &Suppressions,
    m: &Claimable,
) -> Result<Option<&'static str>> {
    let skip = |r: SkipReason| Ok(Some(r.as_str()));
    if m.kind.to_staff() {
        return Ok((!m.user_active).then_some("user_removed"));
    }
    // D4: hearken's answer to the phone that wrote (an opt-out's confirmation, HELP) is
    // sent whatever the consent checks (E2, E3) say.
    if m.kind == MessageKind::SmsKeywordReply {
        return Ok(None);
    }
    // A reply the customer asked for (F2, A3) is not a survey: only a missing e-mail stops it.
    if m.kind == MessageKind::CustomerReply {
        return if m.email.is_none() {
            skip(SkipReason::NoUsableContact)
        } else {
            Ok(None)
        };
    }
    let customer_id = m.customer_id.as_deref().unwrap_or_default();
    if m.excluded {
        return skip(SkipReason::Excluded);
    }
    if !m.location_enabled {
        return skip(SkipReason::LocationDisabled);
    }
    if !m.communications {
        return skip(SkipReason::CommunicationsOff);
    }
    if suppressions
        .check(
            c,
            customer_id,
            m.email.as_deref(),
            m.phone.as_deref(),
            m.channel == Channel::Sms,
        )?
        .0
    {
        return skip(SkipReason::Unsubscribed);
    }
    let contact = match m.channel {
        Channel::Email => m.email.as_ref(),
        Channel::Sms => m.phone.as_ref(),
    };
    if contact.is_none() {
        return skip(SkipReason::NoUsableContact);
    }
    let Some(invitation) = m.invitation else {
        return Ok(None);
    };
    Ok(match m.kind {
        MessageKind::SurveyInvitation
        | MessageKind::FollowUpSurvey
        | MessageKind::RelationshipSurvey
        | MessageKind::FeedbackNotification
        | MessageKind::AlertEscalation
        | MessageKind::CustomerReply
        | MessageKind::Webhook => None,
        MessageKind::SmsKeywordReply => None,
        // R1: a review confirmed before the reminder is handed over cancels it.
        MessageKind::ReviewReminder => c
            .invitation_response_state(invitation)?
            .1
            .then_some("review_confirmed"),
        MessageKind::SurveyReminder => c
            .invitation_response_state(invitation)?
            .0
            .then_some("already_answered"),
    })
}

/// The template to render: the first language of the chain with an override or a shipped
/// one. Also returns what `{first_name}` becomes for a customer without a name.
fn pick_template(
    c: &mut dyn Tx,
    kind: MessageKind,
    channel: Channel,
    language: &str,
    store_default: &str,
) -> Result<(Template, &'static str)> {
    for lang in template::language_chain(Some(language), store_default) {
        let primary = lang.split('-').next().unwrap_or(&lang).to_owned();
        let shipped = template::builtin(kind, channel, &lang)
            .or_else(|| template::builtin(kind, channel, &primary));
        let no_name = shipped.map_or("", |b| b.no_name);
        if let Some(mut t) = c.get_template(kind, channel, &lang)? {
            // An HTML part stored before M4's placement check, with a placeholder where no
            // escaping is safe, is not sent: the message goes as plain text only.
            if t.html.as_deref().is_some_and(|h| {
                template::check_part(h, template::required_in_html(kind), template::Part::Html)
                    .is_err()
            }) {
                t.html = None;
            }
            return Ok((t, no_name));
        }
        if let Some(b) = template::builtin(kind, channel, &lang) {
            return Ok((
                Template {
                    kind,
                    channel,
                    language: lang,
                    subject: b.subject.to_owned(),
                    body: b.body.to_owned(),
                    html: match channel {
                        Channel::Email => crate::pages::builtin_html(kind, &primary),
                        Channel::Sms => None,
                    },
                },
                b.no_name,
            ));
        }
    }
    Err(Error::Internal("no template for the message".into()))
}

/// What one claim reads once for every message it renders.
struct ClaimContext {
    default_language: String,
    delivery: DeliverySettings,
    reply_domain: String,
    suppressions: Suppressions,
    /// Some contact bounced hard (D3): a customer message's contact is looked up.
    bounces: bool,
    /// The webhook subscriptions this claim has read (D2).
    webhooks: super::webhooks::ClaimWebhooks,
    /// Messages of one claim share a handful of templates: each is looked up and parsed
    /// once.
    templates: HashMap<(MessageKind, Channel, String), ClaimTemplate>,
    now: DateTime<Utc>,
    lease_until: DateTime<Utc>,
}

/// A template as a claim renders it: picked, and each part parsed once.
struct ClaimTemplate {
    /// The template's language (after fallback).
    language: String,
    /// What `{first_name}` becomes for a customer without a name.
    no_name: &'static str,
    subject: template::Parsed,
    body: template::Parsed,
    html: Option<template::Parsed>,
}

impl ClaimTemplate {
    fn new((t, no_name): (Template, &'static str)) -> Self {
        ClaimTemplate {
            subject: template::Parsed::new(&t.subject, template::Part::Text),
            body: template::Parsed::new(&t.body, template::Part::Text),
            html: t
                .html
                .as_deref()
                .map(|h| template::Parsed::new(h, template::Part::Html)),
            language: t.language,
            no_name,
        }
    }
}

/// What becomes of one due message.
enum Triage {
    /// It leaves the outbox unsent, with this status and reason.
    End(MessageStatus, &'static str),
    /// It is handed to the host.
    Send(Box<OutboundMessage>),
}

/// Claims up to `limit` due messages: first runs the timers ([`super::timers::run_due`]),
/// then renders each due message, mints its link tokens and leases it. Messages that must
/// not be sent any more leave the outbox as cancelled or failed, and do not count.
pub fn claim(c: &mut dyn Tx, limit: u32, now: DateTime<Utc>) -> Result<Vec<OutboundMessage>> {
    // Reminders and escalations whose moment has come join the queue first (R1, R2, A3).
    super::timers::run_due(c, now)?;
    crate::failpoint::hit("claim.after_reminders");
    let mut ctx = ClaimContext::load(c, now)?;
    let mut out = Vec::new();
    // Fetch until `limit` is filled or nothing due is left (each fetched message leaves
    // the due set).
    let limit = usize::try_from(limit).unwrap_or(usize::MAX);
    loop {
        let want = u32::try_from(limit - out.len()).unwrap_or(u32::MAX);
        let due = match want {
            0 => break,
            n => c.claimable(ms(now), n)?,
        };
        if due.is_empty() {
            break;
        }
        // The messages handed over are leased in one statement per fetch.
        let mut leased = Vec::with_capacity(due.len());
        for m in due {
            match triage(c, &mut ctx, &m)? {
                Triage::End(status, reason) => {
                    let followed = c.end_message(m.rowid, m.invitation, status, reason, ms(now))?;
                    ended_event(c, followed, m.invitation, status, reason, now)?;
                }
                Triage::Send(message) => {
                    leased.push(m.rowid);
                    if out.is_empty() {
                        crate::failpoint::hit("claim.after_first_message");
                    }
                    out.push(*message);
                }
            }
        }
        c.mark_claimed_many(&leased, ms(ctx.lease_until), ms(now))?;
    }
    crate::failpoint::hit("claim.before_commit");
    Ok(out)
}

impl ClaimContext {
    fn load(c: &mut dyn Tx, now: DateTime<Utc>) -> Result<Self> {
        let delivery = c.get_delivery_settings()?;
        let lease_until = time::add(now, time::seconds(i64::from(delivery.lease_seconds)));
        let suppressions = Suppressions::load(c)?;
        let bounces = suppressions.bounces;
        Ok(ClaimContext {
            default_language: c.get_settings()?.default_language,
            reply_domain: c.get_alert_settings()?.reply_domain,
            suppressions,
            bounces,
            webhooks: Default::default(),
            delivery,
            templates: HashMap::new(),
            now,
            lease_until,
        })
    }
}

/// Decides what becomes of one due message, and renders it when it is sent.
fn triage(c: &mut dyn Tx, ctx: &mut ClaimContext, m: &Claimable) -> Result<Triage> {
    if m.lease_expired && m.attempts >= ctx.delivery.max_attempts {
        let reason = "lease expired after the last attempt";
        return Ok(Triage::End(MessageStatus::Failed, reason));
    }
    if m.kind == MessageKind::Webhook {
        // D2: signed now, with the secrets valid now; no customer, slot or template.
        let (now, lease_until) = (ctx.now, ctx.lease_until);
        return Ok(
            match super::webhooks::render(c, &mut ctx.webhooks, m, now, lease_until)? {
                Ok(message) => Triage::Send(Box::new(message)),
                Err(reason) => Triage::End(MessageStatus::Cancelled, reason),
            },
        );
    }
    if let Some(reason) = cancel_reason(c, &ctx.suppressions, m)? {
        return Ok(Triage::End(MessageStatus::Cancelled, reason));
    }
    // D3: a survey message to a contact that bounced hard since it was queued.
    if ctx.bounces && m.kind.templated() && !m.kind.to_staff() {
        let contact = match m.channel {
            Channel::Email => m.email.as_ref().map(|v| ("email", v)),
            Channel::Sms => m.phone.as_ref().map(|v| ("phone", v)),
        };
        if let Some((kind, value)) = contact
            && !c
                .bounced_among(kind, std::slice::from_ref(value))?
                .is_empty()
        {
            let reason = SkipReason::NoUsableContact.as_str();
            return Ok(Triage::End(MessageStatus::Cancelled, reason));
        }
    }
    if m.kind.templated() {
        let message = render_templated(c, ctx, m)?;
        return Ok(Triage::Send(Box::new(header_safe(message))));
    }
    let Ok(text) = serde_json::from_str::<FixedText>(&m.params) else {
        // Its text was removed (an erased customer): never send it.
        return Ok(Triage::End(MessageStatus::Cancelled, "text removed"));
    };
    let message = render_fixed(c, ctx, m, text)?;
    Ok(Triage::Send(Box::new(header_safe(message))))
}

/// T11: every header-like field of a message (subject, recipient, reply-to, language, the
/// links a host may put in `List-Unsubscribe`) without line breaks or control characters,
/// whatever the names and templates hold. Bodies keep their lines.
fn header_safe(mut m: OutboundMessage) -> OutboundMessage {
    use crate::rules::header::clean;
    m.subject = clean(&m.subject);
    m.recipient = clean(&m.recipient);
    m.language = clean(&m.language);
    for v in [&mut m.reply_to, &mut m.survey_link, &mut m.unsubscribe_link]
        .into_iter()
        .flatten()
    {
        *v = clean(v);
    }
    m
}

/// A message whose text was written when it was queued (staff notices, replies); a reply
/// to a customer gets its own Reply-To address (F2).
fn render_fixed(
    c: &mut dyn Tx,
    ctx: &ClaimContext,
    m: &Claimable,
    text: FixedText,
) -> Result<OutboundMessage> {
    let reply_to = match text.response {
        Some(response) => {
            let token = new_token(ctx.now)?;
            c.insert_reply_address(&token.key(), response, m.alert, ms(ctx.now))?;
            Some(format!("reply+{token}@{}", ctx.reply_domain))
        }
        None => None,
    };
    // D4: hearken's SMS answer goes to the phone that wrote, fixed when it was queued.
    let (recipient, channel) = if m.kind == MessageKind::SmsKeywordReply {
        (text.phone.clone(), Channel::Sms)
    } else if m.kind.to_staff() {
        (m.user_email.clone(), Channel::Email)
    } else {
        (m.email.clone(), Channel::Email)
    };
    Ok(OutboundMessage {
        message_id: m.message_id.clone(),
        kind: m.kind,
        channel,
        recipient: recipient.unwrap_or_default(),
        language: m.language.clone(),
        subject: text.subject,
        body: text.body,
        html_body: None,
        survey_link: None,
        survey_link_expires_at: None,
        unsubscribe_link: None,
        reply_to,
        customer: m.customer_id.clone(),
        user: m.user_id.clone(),
        location: m.location_id.clone(),
        invitation_id: None,
        alert_id: m.alert,
        attempt: m.attempts + 1,
        lease_until: ctx.lease_until,
        webhook: None,
    })
}

/// A customer message rendered from its template, with fresh survey and unsubscribe
/// links (a review reminder has no survey link).
fn render_templated(
    c: &mut dyn Tx,
    ctx: &mut ClaimContext,
    m: &Claimable,
) -> Result<OutboundMessage> {
    let Some(customer) = m.customer else {
        return Err(Error::Internal(
            "a customer message without a customer".into(),
        ));
    };
    let recipient = match m.channel {
        Channel::Email => m.email.clone(),
        Channel::Sms => m.phone.clone(),
    };
    let key = (m.kind, m.channel, m.language.clone());
    if !ctx.templates.contains_key(&key) {
        let t = pick_template(c, m.kind, m.channel, &m.language, &ctx.default_language)?;
        ctx.templates.insert(key.clone(), ClaimTemplate::new(t));
    }
    let ctx = &*ctx;
    let tpl = &ctx.templates[&key];
    let owner = store::TokenOwner {
        invitation: m.invitation,
        alert: m.alert,
        customer,
    };
    let base = &ctx.delivery.link_base_url;
    let expires = time::add(
        ctx.now,
        time::days(i64::from(ctx.delivery.survey_link_days)),
    );
    let survey_link = if m.kind == MessageKind::ReviewReminder {
        None
    } else {
        let token = mint_token(c, "survey", owner, ctx.now, Some(expires))?;
        Some(format!("{base}/s/{token}"))
    };
    let owner = store::TokenOwner {
        alert: None,
        ..owner
    };
    let unsubscribe_link = format!(
        "{base}/u/{}",
        mint_token(c, "unsubscribe", owner, ctx.now, None)?
    );
    let first = template::first_name(m.customer_name.as_deref());
    let lang = tpl.language.as_str();
    // The eleven score links of the HTML part (M1), each with the token and its score.
    let scale = match (&tpl.html, &survey_link) {
        (Some(_), Some(link)) if m.channel == Channel::Email => {
            crate::pages::score_scale(link, lang)
        }
        _ => String::new(),
    };
    let values = template::Values {
        first_name: first.as_deref().unwrap_or(tpl.no_name),
        location: m.location_name.as_deref().unwrap_or_default(),
        survey_link: survey_link.as_deref().unwrap_or_default(),
        unsubscribe_link: &unsubscribe_link,
        review_link: m.review_link.as_deref().unwrap_or_default(),
        score_scale: &scale,
    };
    let html_body = match (&tpl.html, m.channel) {
        (Some(html), Channel::Email) => Some(html.render(&values, lang)),
        _ => None,
    };
    Ok(OutboundMessage {
        message_id: m.message_id.clone(),
        kind: m.kind,
        channel: m.channel,
        recipient: recipient.unwrap_or_default(),
        language: tpl.language.clone(),
        subject: tpl.subject.render(&values, lang),
        body: tpl.body.render(&values, lang),
        html_body,
        survey_link_expires_at: survey_link.is_some().then_some(expires),
        survey_link,
        unsubscribe_link: Some(unsubscribe_link),
        reply_to: None,
        customer: m.customer_id.clone(),
        user: None,
        location: m.location_id.clone(),
        invitation_id: m.invitation,
        alert_id: m.alert,
        attempt: m.attempts + 1,
        lease_until: ctx.lease_until,
        webhook: None,
    })
}

/// Stores the hash of a fresh link token of `kind` and returns the token for the link.
fn mint_token(
    c: &mut dyn Tx,
    kind: &str,
    owner: store::TokenOwner,
    now: DateTime<Utc>,
    expires: Option<DateTime<Utc>>,
) -> Result<String> {
    let token = new_token(now)?;
    c.insert_token(&token.key(), kind, owner, ms(now), expires.map(ms))?;
    Ok(token.to_string())
}

fn message(c: &mut dyn Tx, message_id: &str) -> Result<store::MessageState> {
    c.find_message(message_id)?.ok_or_else(|| Error::NotFound {
        what: "message",
        id: message_id.to_owned(),
    })
}

/// What acking a message in this state does (T8): `Ok(true)` records the delivery,
/// `Ok(false)` changes nothing (acked before), `Err` is the conflict's reason.
fn ack_verdict(m: &store::MessageState) -> std::result::Result<bool, &'static str> {
    match m.status {
        MessageStatus::Acked => Ok(false),
        MessageStatus::Cancelled => {
            Err("the message was cancelled before delivery and must not be sent")
        }
        // Only a message the host claimed can have been delivered (T8).
        MessageStatus::Pending if m.attempts == 0 => {
            Err("the message was never claimed; claim it before acknowledging it")
        }
        _ => Ok(true),
    }
}

/// Records a delivery; acking twice is fine, and an acked message is never offered again.
pub fn ack(c: &mut dyn Tx, message_id: &str, now: DateTime<Utc>) -> Result<()> {
    let m = message(c, message_id)?;
    match ack_verdict(&m) {
        Err(reason) => Err(Error::Conflict(reason.into())),
        Ok(false) => Ok(()),
        Ok(true) => {
            if m.kind == MessageKind::Webhook {
                c.webhook_delivered(m.rowid)?;
            }
            if c.ack_message(&m, ms(now))?
                && let Some(invitation) = m.invitation
            {
                delivered_event(c, invitation, now)?;
            }
            crate::failpoint::hit("ack.before_commit");
            Ok(())
        }
    }
}

/// Longest message id echoed back in a batch ack's outcome (the ids hearken mints are
/// shorter); a longer one is reported with an empty id (T6).
const MAX_ECHOED_ID: usize = 64;

/// Records the delivery of each of `message_ids` in the caller's one transaction: each id
/// gets the outcome a single [`ack`] would give it (acked, acked before, conflict, not
/// found), and an id that cannot be acked changes nothing.
pub fn ack_many<S: AsRef<str>>(
    c: &mut dyn Tx,
    message_ids: &[S],
    now: DateTime<Utc>,
) -> Result<Vec<AckOutcome>> {
    let mut out = Vec::with_capacity(message_ids.len());
    // What the batch acks, written by two statements at the end; an id repeated in the
    // batch is acked before by then.
    let mut acked = std::collections::HashSet::with_capacity(message_ids.len());
    let mut invitations = Vec::with_capacity(message_ids.len());
    for id in message_ids {
        let id = id.as_ref();
        let (status, detail) = match c.find_message(id)? {
            None => (AckStatus::NotFound, None),
            Some(m) if acked.contains(&m.rowid) => (AckStatus::AlreadyAcked, None),
            Some(m) => match ack_verdict(&m) {
                Err(reason) => (AckStatus::Conflict, Some(reason.to_owned())),
                Ok(false) => (AckStatus::AlreadyAcked, None),
                Ok(true) => {
                    if m.kind == MessageKind::Webhook {
                        c.webhook_delivered(m.rowid)?;
                    }
                    acked.insert(m.rowid);
                    invitations.extend(m.invitation);
                    (AckStatus::Acked, None)
                }
            },
        };
        out.push(AckOutcome {
            message_id: if id.len() <= MAX_ECHOED_ID {
                id.to_owned()
            } else {
                String::new()
            },
            status,
            detail,
        });
    }
    let rowids: Vec<i64> = acked.into_iter().collect();
    let mut delivered: std::collections::HashSet<i64> = c
        .ack_messages(&rowids, &invitations, ms(now))?
        .into_iter()
        .collect();
    // In the order the batch named them, so the feed does not depend on the store.
    let mut events = Vec::with_capacity(delivered.len());
    for invitation in &invitations {
        if !delivered.remove(invitation) {
            continue;
        }
        let data = ev::InvitationRef {
            invitation_id: *invitation,
        };
        events.push(event(ev::INVITATION_DELIVERED, ms(now), &data)?);
    }
    super::events::append(c, &events)?;
    crate::failpoint::hit("ack.before_commit");
    Ok(out)
}

/// Records a failed delivery: retried with backoff, or failed for good.
pub fn fail(
    c: &mut dyn Tx,
    message_id: &str,
    reason: &str,
    permanent: bool,
    now: DateTime<Utc>,
) -> Result<FailOutcome> {
    fail_with_status(c, message_id, reason, permanent, None, now)
}

/// [`fail`], with the HTTP status a webhook endpoint answered (D2): a webhook message's
/// failure counts against its subscription, which a 410 or the 20th failure in a row
/// disables (the message then fails for good).
fn fail_with_status(
    c: &mut dyn Tx,
    message_id: &str,
    reason: &str,
    permanent: bool,
    http_status: Option<u16>,
    now: DateTime<Utc>,
) -> Result<FailOutcome> {
    let m = message(c, message_id)?;
    let gone = http_status == Some(410);
    let permanent = permanent || gone;
    // Only a failure this call records counts (failing a failed message again is fine).
    let webhook = m.kind == MessageKind::Webhook && m.status == MessageStatus::InFlight;
    let outcome = record_failure(c, &m, reason, permanent, now)?;
    if webhook && let Some((id, why)) = super::webhooks::failed(c, m.rowid, gone, now)? {
        let data = ev::WebhookDisabled {
            webhook_id: id,
            reason: why.to_owned(),
        };
        super::events::emit(c, ev::WEBHOOK_DISABLED, now, &data)?;
        return Ok(FailOutcome::Failed);
    }
    Ok(outcome)
}

/// Records a failed webhook delivery with the endpoint's HTTP status (0: none, the
/// connection failed): a 410 fails it for good and disables the subscription, as does the
/// 20th failure in a row; otherwise it is retried as every message is (D2).
pub fn fail_webhook(
    c: &mut dyn Tx,
    message_id: &str,
    http_status: u16,
    reason: &str,
    now: DateTime<Utc>,
) -> Result<FailOutcome> {
    if http_status != 0 {
        super::webhooks::check_http_status(http_status)?;
    }
    let m = message(c, message_id)?;
    if m.kind != MessageKind::Webhook {
        return Err(Error::Conflict(
            "the message is not a webhook message; fail it with fail".into(),
        ));
    }
    fail_with_status(c, message_id, reason, false, Some(http_status), now)
}

fn record_failure(
    c: &mut dyn Tx,
    m: &store::MessageState,
    reason: &str,
    permanent: bool,
    now: DateTime<Utc>,
) -> Result<FailOutcome> {
    let reason: String = reason.chars().take(MAX_REASON_CHARS).collect();
    match m.status {
        MessageStatus::InFlight => {}
        MessageStatus::Failed => return Ok(FailOutcome::Failed),
        other => {
            return Err(Error::Conflict(format!(
                "only a claimed message can fail; this one is {}",
                other.as_str()
            )));
        }
    }
    let delivery = c.get_delivery_settings()?;
    if permanent || m.attempts >= delivery.max_attempts {
        let followed = c.end_message(
            m.rowid,
            m.invitation,
            MessageStatus::Failed,
            &reason,
            ms(now),
        )?;
        ended_event(
            c,
            followed,
            m.invitation,
            MessageStatus::Failed,
            "failed",
            now,
        )?;
        return Ok(FailOutcome::Failed);
    }
    let doublings = m.attempts.saturating_sub(1).min(16);
    let delay = time::seconds(i64::from(delivery.retry_base_seconds))
        .checked_mul(1 << doublings)
        .unwrap_or(MAX_RETRY_DELAY)
        .min(MAX_RETRY_DELAY);
    let mut retry_at = time::add(now, delay);
    if !m.kind.to_staff() && m.kind != MessageKind::Webhook {
        // P5: a customer-facing retry waits for the next send slot, or ends without one.
        let created = time::from_stored(m.created_at_ms);
        let slot = super::policy::Slots::new(c)?.slot(c, m.location, retry_at, created)?;
        let Some(slot) = slot else {
            let followed = c.end_message(
                m.rowid,
                m.invitation,
                MessageStatus::Cancelled,
                "no_send_slot",
                ms(now),
            )?;
            ended_event(
                c,
                followed,
                m.invitation,
                MessageStatus::Cancelled,
                "no_send_slot",
                now,
            )?;
            return Ok(FailOutcome::Failed);
        };
        retry_at = slot;
    }
    c.retry_message(m.rowid, ms(retry_at), &reason, ms(now))?;
    Ok(FailOutcome::Retry { retry_at })
}

/// Queues the invitation again (F5), optionally in another language; the cooldown is
/// untouched.
pub fn resend(
    c: &mut dyn Tx,
    invitation: i64,
    language: Option<&str>,
    now: DateTime<Utc>,
) -> Result<String> {
    if let Some(l) = language
        && !crate::rules::validate::is_language_tag(l)
    {
        return Err(Error::invalid(Problem::top(
            "resend",
            "language",
            "not a BCP 47 language tag",
        )));
    }
    let (customer, location, channel, original) =
        c.invitation_for_resend(invitation)?
            .ok_or_else(|| Error::NotFound {
                what: "invitation",
                id: invitation.to_string(),
            })?;
    let message_id = MessageIds::new(now)?.next_id();
    // P5: a resend waits for the location's next send slot.
    let slot = super::policy::Slots::new(c)?.slot(c, Some(location), now, now)?;
    c.queue_message(
        &message_id,
        &store::NewMessage {
            invitation: Some(invitation),
            ..store::NewMessage::to_customer(
                MessageKind::SurveyInvitation,
                customer,
                location,
                channel,
                language.unwrap_or(&original),
                ms(slot.unwrap_or(now)),
            )
        },
        ms(now),
    )?;
    if slot.is_none() {
        c.cancel_message(&message_id, None, "no_send_slot", ms(now))?;
    }
    Ok(message_id)
}

/// Applies the global unsubscribe (E3) for the customer an unsubscribe link was minted for.
pub fn unsubscribe_by_token(c: &mut dyn Tx, raw: &str, now: DateTime<Utc>) -> Result<String> {
    let token = token::parse_token(raw).ok_or_else(|| {
        Error::invalid(Problem::top(
            "unsubscribe",
            "token",
            "not a hearken link token (44 or 32 hex digits)",
        ))
    })?;
    let unknown = || Error::NotFound {
        what: "token",
        id: String::new(),
    };
    let (customer, kind, _) = c.token_owner(&token.key())?.ok_or_else(unknown)?;
    if kind != "unsubscribe" {
        return Err(unknown());
    }
    let host_id = c.customer_host_id(customer)?.ok_or_else(unknown)?;
    super::suppressions::unsubscribe_customer_by(c, &host_id, "link", now)?;
    Ok(host_id)
}

/// Checks and stores a template override; placeholder errors are reported now (issue 5).
pub fn set_template(c: &mut dyn Tx, t: &Template) -> Result<()> {
    if !t.kind.templated() {
        return Err(Error::invalid(Problem::top(
            "template",
            "kind",
            "this kind's text is written when it is queued, not from a template",
        )));
    }
    let mut problems = Vec::new();
    if !crate::rules::validate::is_language_tag(&t.language) {
        problems.push(Problem::top(
            "template",
            "language",
            "not a BCP 47 language tag",
        ));
    }
    if let Err(reason) = template::check(&t.subject, &[]) {
        problems.push(Problem::top("template", "subject", reason));
    } else if crate::rules::header::has_breaking(&t.subject) {
        // T11: a subject is one header line.
        problems.push(Problem::top(
            "template",
            "subject",
            "contains line breaks or control characters",
        ));
    }
    if let Err(reason) = template::check(&t.body, template::required_in_body(t.kind, t.channel)) {
        problems.push(Problem::top("template", "body", reason));
    }
    match (&t.html, t.channel) {
        (Some(_), Channel::Sms) => {
            problems.push(Problem::top("template", "html", "an SMS has no HTML part"));
        }
        (Some(html), Channel::Email) => {
            let required = template::required_in_html(t.kind);
            if let Err(reason) = template::check_part(html, required, template::Part::Html) {
                problems.push(Problem::top("template", "html", reason));
            }
        }
        (None, _) => {}
    }
    if t.channel == Channel::Email && t.subject.trim().is_empty() {
        problems.push(Problem::top(
            "template",
            "subject",
            "an e-mail needs a subject",
        ));
    }
    if !problems.is_empty() {
        return Err(Error::Invalid(problems));
    }
    let stored = Template {
        language: t.language.to_ascii_lowercase(),
        ..t.clone()
    };
    c.set_template(&stored)
}

/// The template a customer of `language` would get (override or shipped, after fallback).
pub fn effective_template(
    c: &mut dyn Tx,
    kind: MessageKind,
    channel: Channel,
    language: &str,
) -> Result<Template> {
    if !kind.templated() {
        return Err(Error::invalid(Problem::top(
            "template",
            "kind",
            "this kind's text is written when it is queued, not from a template",
        )));
    }
    let settings = c.get_settings()?;
    pick_template(c, kind, channel, language, &settings.default_language).map(|(t, _)| t)
}

/// Appends the event of an invitation that followed its message's end (D1): failed for
/// good, or cancelled with `reason`.
fn ended_event(
    c: &mut dyn Tx,
    followed: bool,
    invitation: Option<i64>,
    status: MessageStatus,
    reason: &str,
    now: DateTime<Utc>,
) -> Result<()> {
    let Some(invitation) = invitation.filter(|_| followed) else {
        return Ok(());
    };
    if status == MessageStatus::Failed {
        let data = ev::InvitationRef {
            invitation_id: invitation,
        };
        return super::events::emit(c, ev::INVITATION_FAILED, now, &data);
    }
    super::events::invitation_cancelled(c, invitation, reason, now)
}

/// Appends `invitation.delivered` for `invitation`.
fn delivered_event(c: &mut dyn Tx, invitation: i64, now: DateTime<Utc>) -> Result<()> {
    let data = ev::InvitationRef {
        invitation_id: invitation,
    };
    super::events::emit(c, ev::INVITATION_DELIVERED, now, &data)
}
