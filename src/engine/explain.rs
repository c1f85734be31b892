//! Explain (E9): why a customer did or did not get surveys, from the stored decisions.

use chrono::{DateTime, Utc};
use rusqlite::Connection;

use crate::error::Result;
use crate::model::Explanation;
use crate::rules::{cooldown, time};
use crate::store;

use super::suppressions::{Suppressions, not_found};

/// Decisions shown by explain.
const EXPLAIN_LIMIT: u32 = 50;

/// Why a customer did or did not get surveys, from the stored decisions (E9).
pub fn explain(c: &Connection, customer: &str, now: DateTime<Utc>) -> Result<Explanation> {
    let stored = store::find_customer(c, customer)?.ok_or_else(|| not_found(customer))?;
    let (unsubscribed, since) = Suppressions::load(c)?.check(
        c,
        &stored.row.host_id,
        stored.row.email_norm.as_deref(),
        stored.row.phone_norm.as_deref(),
    )?;
    let settings = store::get_settings(c)?;
    // The cooldown counts in business dates (E4): today is read on the calendar of the
    // location whose batch created the last invitation, not on the UTC one.
    let eligible_again_on = store::cooldown_anchor(c, stored.rowid)?.and_then(|(anchor, zone)| {
        let today = time::parse_tz(&zone).map_or(now.date_naive(), |tz| time::local_date(tz, now));
        cooldown::cooldown_until(Some(anchor), settings.cooldown_months, today)
    });
    Ok(Explanation {
        customer: stored.row.host_id.clone(),
        unsubscribed,
        unsubscribed_at: since,
        include_in_communications: stored.row.include_in_communications,
        email_usable: stored.row.email_norm.is_some(),
        phone_usable: stored.row.phone_norm.is_some(),
        eligible_again_on,
        decisions: store::decisions_for_customer(c, stored.rowid, EXPLAIN_LIMIT)?,
    })
}
