//! The POS customer screen (D7): a customer's contact state, and cancelling their pending
//! messages. The next eligible dates come from the rules the sync applies (E2, E3, E4, E6,
//! E7, P1–P3, P7), read as explain reads them.

use chrono::{DateTime, NaiveDate, Utc};

use crate::error::{Error, Result};
use crate::model::{
    CancelReport, Channel, ConsentState, ContactState, LastAnswered, LastInvited, MessageStatus,
    NextEligible, PendingMessage, SkipReason, SubscriptionState, SurveyKind,
};
use crate::rules::policy::{Hold, PastInvitation, PersonPolicy, history_since};
use crate::rules::time;
use crate::store::{PersonKey, StoredCustomer, Tx};

use super::suppressions::{Suppressions, not_found};

/// The cancel reason of a message the host cancelled from the customer screen (D7).
pub const CANCELLED_BY_HOST: &str = "cancelled_by_host";

/// A customer's contact state for the POS customer screen (D7).
pub fn contact_state(c: &mut dyn Tx, customer: &str, now: DateTime<Utc>) -> Result<ContactState> {
    let stored = c
        .find_customer(customer)?
        .ok_or_else(|| not_found(customer))?;
    let row = &stored.row;
    let lists = Suppressions::load(c)?;
    // For the store's channel: an SMS opt-out word stops only text messages (D4); the
    // phone's own state counts it.
    let sms = c.get_settings()?.channel == Channel::Sms;
    let (unsubscribed, since) = lists.check(
        c,
        &row.host_id,
        row.email_norm.as_deref(),
        row.phone_norm.as_deref(),
        sms,
    )?;
    let email_suppressed = match row.email_norm.as_deref() {
        Some(e) => lists.check(c, "", Some(e), None, false)?.0,
        None => false,
    };
    let phone_suppressed = match row.phone_norm.as_deref() {
        Some(ph) => lists.check(c, "", None, Some(ph), true)?.0,
        None => false,
    };
    let last_invited = c
        .customer_invitations(stored.rowid, None)?
        .into_iter()
        .max_by_key(|i| (i.business_date, i.invitation_id))
        .map(|i| LastInvited {
            invitation_id: i.invitation_id,
            business_date: i.business_date,
            // A transaction's invitation is transactional; the others are relationship
            // surveys (P7); follow-ups (A4) are not invitations.
            kind: if i.transaction.is_some() {
                SurveyKind::Transactional
            } else {
                SurveyKind::Relationship
            },
            status: i.status,
            location: i.location,
        });
    let latest = c
        .customer_responses(stored.rowid, None)?
        .into_iter()
        .max_by_key(|r| (r.created_at, r.response_id));
    let reply = match &latest {
        Some(r) => c.response_contact(r.response_id)?.map(|rc| rc.consent),
        None => None,
    };
    let last_answered = latest.map(|r| LastAnswered {
        response_id: r.response_id,
        at: r.created_at,
        source: r.source,
        location: r.location,
        nps: r.nps,
        score_base10: r.score_base10,
    });
    let next_eligible = next_eligible(c, &stored, unsubscribed, now)?;
    let pending = c
        .live_messages(stored.rowid)?
        .into_iter()
        .map(|m| {
            Ok(PendingMessage {
                due_at: time::from_ms(m.due_at_ms)
                    .ok_or_else(|| Error::Internal("a stored due time is out of range".into()))?,
                message_id: m.message_id,
                kind: m.kind,
                status: m.status,
                invitation_id: m.invitation,
            })
        })
        .collect::<Result<Vec<_>>>()?;
    Ok(ContactState {
        customer: row.host_id.clone(),
        erased: stored.erased,
        last_invited,
        last_answered,
        next_eligible,
        pending,
        subscription: SubscriptionState {
            unsubscribed,
            unsubscribed_since: since,
            email_suppressed,
            phone_suppressed,
        },
        consent: ConsentState {
            include_in_communications: row.include_in_communications,
            reply,
        },
    })
}

/// When each survey kind may next be sent: the transactional survey per location (its own
/// business date), the relationship survey when it is on (P7).
fn next_eligible(
    c: &mut dyn Tx,
    stored: &StoredCustomer,
    unsubscribed: bool,
    now: DateTime<Utc>,
) -> Result<Vec<NextEligible>> {
    let settings = c.get_settings()?;
    let policy = c.get_contact_policy()?;
    let person = PersonPolicy::of(&settings, &policy);
    let row = &stored.row;
    // What holds the person everywhere, in E9's order of precedence.
    let blocked = if !row.include_in_communications {
        Some(SkipReason::CommunicationsOff)
    } else if unsubscribed {
        Some(SkipReason::Unsubscribed)
    } else if super::sync::channel_contact(row, settings.channel).is_none() {
        Some(SkipReason::NoUsableContact)
    } else {
        None
    };
    let locations = c.list_locations()?;
    // The relationship survey's date, as explain reads a cooldown's (E4): on the calendar
    // of the location of the last invitation.
    let home_today = c
        .last_invitation_zone(stored.rowid)?
        .and_then(|zone| time::parse_tz(&zone))
        .map_or(now.date_naive(), |tz| time::local_date(tz, now));
    let todays: Vec<NaiveDate> = locations
        .iter()
        .map(|l| {
            time::parse_tz(&l.location.time_zone)
                .map_or(now.date_naive(), |tz| time::local_date(tz, now))
        })
        .collect();
    let earliest = todays.iter().copied().chain([home_today]).min();
    let past: Vec<PastInvitation> = match (blocked, earliest) {
        (None, Some(day)) => {
            let contact = super::sync::channel_contact(row, settings.channel)
                .filter(|_| policy.one_person_per_contact);
            c.person_history(
                &[PersonKey::stored(stored.rowid, contact)],
                history_since(&person, day),
                &crate::rules::policy::PERSON_KINDS,
            )?
            .by_customer
            .remove(&stored.rowid)
            .unwrap_or_default()
        }
        _ => Vec::new(),
    };
    let when = |kind: SurveyKind, today: NaiveDate| -> (Option<NaiveDate>, Option<SkipReason>) {
        if let Some(reason) = blocked {
            return (None, Some(reason));
        }
        let (cooldown, cap) = super::policy::holds(&past, kind, &person, today);
        match later(cooldown, cap) {
            Some((hold, reason)) => (Some(hold.until), Some(reason)),
            None => (Some(today), None),
        }
    };
    let mut out = Vec::with_capacity(locations.len() + 1);
    for (l, today) in locations.iter().zip(todays) {
        let (eligible_on, reason) = if l.location.enabled {
            when(SurveyKind::Transactional, today)
        } else {
            (None, Some(SkipReason::LocationDisabled))
        };
        out.push(NextEligible {
            kind: SurveyKind::Transactional,
            location: Some(l.location.id.clone()),
            eligible_on,
            reason,
        });
    }
    if policy.relationship_every_months > 0 {
        let (eligible_on, reason) = when(SurveyKind::Relationship, home_today);
        out.push(NextEligible {
            kind: SurveyKind::Relationship,
            location: None,
            eligible_on,
            reason,
        });
    }
    Ok(out)
}

/// The later of a cooldown (P1) and a cap (P2) hold, with its reason; the cooldown on a tie.
fn later(cooldown: Option<Hold>, cap: Option<Hold>) -> Option<(Hold, SkipReason)> {
    match (cooldown, cap) {
        (Some(a), Some(b)) if b.until > a.until => Some((b, SkipReason::ContactCap)),
        (Some(a), _) => Some((a, SkipReason::Cooldown)),
        (None, Some(b)) => Some((b, SkipReason::ContactCap)),
        (None, None) => None,
    }
}

/// D7: cancels every pending message of the customer's invitations (`cancelled_by_host`);
/// an invitation not delivered is cancelled with them, which releases the cooldown (E4),
/// and its decision says so in explain. Messages the host holds are left alone and listed.
pub fn cancel_pending(c: &mut dyn Tx, customer: &str, now: DateTime<Utc>) -> Result<CancelReport> {
    let stored = c
        .find_customer(customer)?
        .ok_or_else(|| not_found(customer))?;
    let on = c
        .last_invitation_zone(stored.rowid)?
        .and_then(|zone| time::parse_tz(&zone))
        .map_or(now.date_naive(), |tz| time::local_date(tz, now));
    let in_flight: Vec<String> = c
        .live_messages(stored.rowid)?
        .into_iter()
        .filter(|m| m.status == MessageStatus::InFlight && m.invitation.is_some())
        .map(|m| m.message_id)
        .collect();
    let message_ids =
        c.cancel_customer_messages(stored.rowid, CANCELLED_BY_HOST, on, time::ms(now))?;
    Ok(CancelReport {
        customer: stored.row.host_id,
        cancelled: u32::try_from(message_ids.len()).unwrap_or(u32::MAX),
        message_ids,
        in_flight,
    })
}
