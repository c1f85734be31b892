//! Delivery feedback (D3) and consent history (D5): a hard bounce makes the invitation
//! `bounced` and the contact unusable; a soft bounce retries; a spam complaint unsubscribes.
//! Every change of consent is recorded with its time and source.

use chrono::{DateTime, Utc};

use crate::error::{Error, Result};
use crate::model::events as ev;
use crate::model::{
    Channel, ConsentChange, DeliveryFeedback, DeliveryFeedbackOutcome, FailOutcome, MessageStatus,
};
use crate::rules::time::{self, ms};
use crate::store::{StoredCustomer, Tx};

use super::suppressions::not_found;

/// The reason a hard-bounced message ends with, and its invitation's pending messages
/// (reminders) are cancelled with.
const HARD_BOUNCE: &str = "hard_bounce";

/// The normalised contact of `channel` of a customer, as (kind, value).
fn channel_contact(s: &StoredCustomer, channel: Channel) -> Option<(&'static str, &str)> {
    match channel {
        Channel::Email => s.row.email_norm.as_deref().map(|v| ("email", v)),
        Channel::Sms => s.row.phone_norm.as_deref().map(|v| ("phone", v)),
    }
}

/// The customer a message was addressed to, and its channel.
fn recipient(c: &mut dyn Tx, rowid: i64) -> Result<(Option<StoredCustomer>, Channel)> {
    let Some((customer, channel)) = c.message_recipient(rowid)? else {
        return Ok((None, Channel::Email));
    };
    let channel = Channel::parse(&channel).unwrap_or(Channel::Email);
    let stored = match customer {
        Some(rowid) => c.customers_by_rowid(&[rowid])?.into_iter().next(),
        None => None,
    };
    Ok((stored, channel))
}

/// Records what the provider reported on message `message_id` (D3), even after its ack.
pub fn report_delivery(
    c: &mut dyn Tx,
    message_id: &str,
    feedback: DeliveryFeedback,
    now: DateTime<Utc>,
) -> Result<DeliveryFeedbackOutcome> {
    let m = c.find_message(message_id)?.ok_or_else(|| Error::NotFound {
        what: "message",
        id: message_id.to_owned(),
    })?;
    match m.status {
        MessageStatus::Cancelled => {
            return Err(Error::Conflict(
                "the message was cancelled before delivery and was never sent".into(),
            ));
        }
        MessageStatus::Pending if m.attempts == 0 => {
            return Err(Error::Conflict(
                "the message was never claimed, so it was never sent".into(),
            ));
        }
        _ => {}
    }
    let mut out = DeliveryFeedbackOutcome {
        message_id: message_id.to_owned(),
        feedback,
        message_status: m.status.as_str().to_owned(),
        invitation_id: m.invitation,
        invitation_status: None,
        retry_at: None,
        contact_marked: false,
        unsubscribed: false,
        changed: false,
    };
    match feedback {
        DeliveryFeedback::HardBounce => hard_bounce(c, &m, &mut out, now)?,
        DeliveryFeedback::SoftBounce => soft_bounce(c, &m, &mut out, now)?,
        DeliveryFeedback::Complaint => complaint(c, &m, &mut out, now)?,
    }
    if let Some(inv) = m.invitation {
        out.invitation_status = c.invitation_status(inv)?;
    }
    if let Some(state) = c.find_message(message_id)? {
        out.message_status = state.status.as_str().to_owned();
    }
    Ok(out)
}

/// A hard bounce: the invitation is `bounced` (failed before delivery: the cooldown is
/// released, no reminder, out of N5's rate), the message ends, the invitation's pending
/// messages are cancelled and the customer's contact of the channel is marked unusable.
fn hard_bounce(
    c: &mut dyn Tx,
    m: &crate::store::MessageState,
    out: &mut DeliveryFeedbackOutcome,
    now: DateTime<Utc>,
) -> Result<()> {
    if let Some(inv) = m.invitation
        && c.bounce_invitation(inv)?
    {
        out.changed = true;
        let data = ev::InvitationRef { invitation_id: inv };
        super::events::emit(c, ev::INVITATION_BOUNCED, now, &data)?;
    }
    // In flight, or waiting for a retry: the message ends as failed (its invitation has
    // left `pending` already, so it does not follow).
    if matches!(m.status, MessageStatus::InFlight | MessageStatus::Pending) {
        c.end_message(m.rowid, None, MessageStatus::Failed, HARD_BOUNCE, ms(now))?;
        out.changed = true;
    }
    if let Some(inv) = m.invitation
        && c.cancel_invitation_messages(inv, HARD_BOUNCE, ms(now))? > 0
    {
        out.changed = true;
    }
    let (customer, channel) = recipient(c, m.rowid)?;
    if let Some(s) = customer
        && let Some((kind, value)) = channel_contact(&s, channel)
    {
        let value = value.to_owned();
        if c.mark_bounced(kind, &value, ms(now), &out.message_id, Some(s.rowid))? {
            out.changed = true;
            let data = ev::ContactBounced {
                customer: s.row.host_id.clone(),
                channel: channel.as_str().to_owned(),
            };
            super::events::emit(c, ev::CONTACT_BOUNCED, now, &data)?;
        }
        out.contact_marked = true;
    }
    Ok(())
}

/// A soft bounce: an in-flight message fails exactly as `fail(…, permanent = false)`; an
/// acked one is offered again like a retry (its invitation pending again, no longer
/// delivered). A message already waiting for its retry, or failed, is left as it is.
fn soft_bounce(
    c: &mut dyn Tx,
    m: &crate::store::MessageState,
    out: &mut DeliveryFeedbackOutcome,
    now: DateTime<Utc>,
) -> Result<()> {
    let retry_at = match m.status {
        MessageStatus::InFlight => {
            match super::delivery::fail(c, &out.message_id, "soft_bounce", false, now)? {
                FailOutcome::Retry { retry_at } => Some(retry_at),
                FailOutcome::Failed => None,
            }
        }
        MessageStatus::Acked => {
            let delivery = c.get_delivery_settings()?;
            let mut due = time::add(now, time::seconds(i64::from(delivery.retry_base_seconds)));
            if !m.kind.to_staff() {
                let created = time::from_stored(m.created_at_ms);
                match super::policy::Slots::new(c)?.slot(c, m.location, due, created)? {
                    Some(slot) => due = slot,
                    None => {
                        // No send slot before its link would expire: it stays delivered.
                        return Ok(());
                    }
                }
            }
            c.reoffer_message(m.rowid, m.invitation, ms(due), "soft_bounce", ms(now))?;
            Some(due)
        }
        _ => return Ok(()),
    };
    out.changed = true;
    out.retry_at = retry_at;
    let data = ev::MessageSoftBounced {
        message_id: out.message_id.clone(),
        invitation_id: m.invitation,
        retry_at,
    };
    super::events::emit(c, ev::MESSAGE_SOFT_BOUNCED, now, &data)
}

/// A spam complaint: the customer is unsubscribed as by E3, with `complaint` as source.
fn complaint(
    c: &mut dyn Tx,
    m: &crate::store::MessageState,
    out: &mut DeliveryFeedbackOutcome,
    now: DateTime<Utc>,
) -> Result<()> {
    let (customer, _) = recipient(c, m.rowid)?;
    let Some(s) = customer else {
        return Err(Error::Conflict(
            "the message was not sent to a customer".into(),
        ));
    };
    out.changed =
        super::suppressions::unsubscribe_customer_by(c, &s.row.host_id, "complaint", now)?;
    out.unsubscribed = true;
    Ok(())
}

/// The consent history of a stored customer: their own changes and their contacts'
/// (plain, or as imported hashes), oldest first (D5).
pub(super) fn history_of(c: &mut dyn Tx, s: &StoredCustomer) -> Result<Vec<ConsentChange>> {
    let mut contacts: Vec<String> = Vec::new();
    let pepper = c.get_delivery_settings()?.suppression_pepper;
    if let Some(e) = &s.row.email_norm {
        contacts.push(e.clone());
        contacts.push(crate::rules::token::contact_hash(&pepper, "email", e));
    }
    if let Some(p) = &s.row.phone_norm {
        contacts.push(p.clone());
        contacts.push(crate::rules::token::contact_hash(&pepper, "phone", p));
    }
    let rows = c.consent_changes(s.rowid, &contacts)?;
    Ok(rows
        .into_iter()
        .map(|r| ConsentChange {
            by_contact: r.customer.is_none(),
            channel: r.channel,
            purpose: r.purpose,
            granted: r.granted,
            source: r.source,
            at: time::from_stored(r.at_ms),
        })
        .collect())
}

/// The consent history of customer `customer` (host id), oldest first (D5).
pub fn consent_history(c: &mut dyn Tx, customer: &str) -> Result<Vec<ConsentChange>> {
    let stored = c
        .find_customer(customer)?
        .ok_or_else(|| not_found(customer))?;
    history_of(c, &stored)
}

/// When the customer's contact of `channel` bounced hard, if it did (D3).
pub(super) fn bounced_at(
    c: &mut dyn Tx,
    s: &StoredCustomer,
    channel: Channel,
) -> Result<Option<DateTime<Utc>>> {
    let Some((kind, value)) = channel_contact(s, channel) else {
        return Ok(None);
    };
    if c.bounces_empty()? {
        return Ok(None);
    }
    let value = value.to_owned();
    Ok(c.bounced_among(kind, std::slice::from_ref(&value))?
        .into_iter()
        .next()
        .map(|(_, at)| time::from_stored(at)))
}
