//! Explain (E9): why a customer did or did not get surveys, from the stored decisions.

use crate::store::{PersonKey, Tx};
use chrono::{DateTime, Utc};

use crate::error::Result;
use crate::model::{Channel, Explanation, SurveyKind};
use crate::rules::policy::PersonPolicy;
use crate::rules::time;

use super::suppressions::{Suppressions, not_found};

/// Decisions shown by explain.
const EXPLAIN_LIMIT: u32 = 50;

/// Why a customer did or did not get surveys, from the stored decisions (E9).
pub fn explain(c: &mut dyn Tx, customer: &str, now: DateTime<Utc>) -> Result<Explanation> {
    let stored = c
        .find_customer(customer)?
        .ok_or_else(|| not_found(customer))?;
    let settings = c.get_settings()?;
    // For the store's channel: an SMS opt-out word stops only text messages (D4).
    let (unsubscribed, since) = Suppressions::load(c)?.check(
        c,
        &stored.row.host_id,
        stored.row.email_norm.as_deref(),
        stored.row.phone_norm.as_deref(),
        settings.channel == Channel::Sms,
    )?;
    let policy = c.get_contact_policy()?;
    // The cooldown counts in business dates (E4): today is read on the calendar of the
    // location whose batch created the last invitation, not on the UTC one.
    let today = c
        .last_invitation_zone(stored.rowid)?
        .and_then(|zone| time::parse_tz(&zone))
        .map_or(now.date_naive(), |tz| time::local_date(tz, now));
    let contact = super::sync::channel_contact(&stored.row, settings.channel)
        .filter(|_| policy.one_person_per_contact);
    let person = PersonPolicy::of(&settings, &policy);
    let from = crate::rules::policy::history_since(&person, today);
    let history = c.person_history(
        &[PersonKey::stored(stored.rowid, contact)],
        from,
        &crate::rules::policy::PERSON_KINDS,
    )?;
    let past = history
        .by_customer
        .get(&stored.rowid)
        .map_or(&[][..], Vec::as_slice);
    // The later of the cooldown (E4, P1, P3) and the contact cap (P2).
    let (cooldown, cap) = super::policy::holds(past, SurveyKind::Transactional, &person, today);
    let eligible_again_on = cooldown.into_iter().chain(cap).map(|h| h.until).max();
    Ok(Explanation {
        customer: stored.row.host_id.clone(),
        unsubscribed,
        unsubscribed_at: since,
        include_in_communications: stored.row.include_in_communications,
        email_usable: stored.row.email_norm.is_some(),
        phone_usable: stored.row.phone_norm.is_some(),
        eligible_again_on,
        decisions: c.decisions_for_customer(stored.rowid, EXPLAIN_LIMIT)?,
        relationship: c.relationship_decisions(stored.rowid, EXPLAIN_LIMIT)?,
        contact_bounced_at: super::consent::bounced_at(c, &stored, settings.channel)?,
        consent: super::consent::history_of(c, &stored)?,
    })
}
