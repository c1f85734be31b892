//! Customer-facing use cases: explain (E9) and the global unsubscribe (E3).

use chrono::{DateTime, Utc};
use rusqlite::Connection;

use crate::error::{Error, Problem, Result};
use crate::model::Explanation;
use crate::rules::{contact, cooldown};
use crate::store;

/// Decisions shown by explain.
const EXPLAIN_LIMIT: u32 = 50;

fn not_found(id: &str) -> Error {
    Error::NotFound {
        what: "customer",
        id: id.to_owned(),
    }
}

/// Why a customer did or did not get surveys, from the stored decisions (E9).
pub fn explain(c: &Connection, customer: &str, now: DateTime<Utc>) -> Result<Explanation> {
    let (stored, since) =
        store::customer_status(c, customer)?.ok_or_else(|| not_found(customer))?;
    let settings = store::get_settings(c)?;
    // The cooldown is store-wide, so it is read on the UTC calendar.
    let eligible_again_on = cooldown::cooldown_until(
        store::cooldown_anchor(c, stored.rowid)?,
        settings.cooldown_months,
        now.date_naive(),
    );
    Ok(Explanation {
        customer: stored.row.host_id.clone(),
        unsubscribed: since.is_some(),
        unsubscribed_at: since,
        include_in_communications: stored.row.include_in_communications,
        email_usable: stored.row.email_norm.is_some(),
        phone_usable: stored.row.phone_norm.is_some(),
        eligible_again_on,
        decisions: store::decisions_for_customer(c, stored.rowid, EXPLAIN_LIMIT)?,
    })
}

/// Suppresses a known customer by host id and by each usable contact (E3).
pub fn unsubscribe_customer(c: &Connection, customer: &str, now: DateTime<Utc>) -> Result<()> {
    let (stored, _) = store::customer_status(c, customer)?.ok_or_else(|| not_found(customer))?;
    let ms = now.timestamp_millis();
    store::suppress(c, "customer", &stored.row.host_id, ms, "customer")?;
    if let Some(e) = &stored.row.email_norm {
        store::suppress(c, "email", e, ms, "customer")?;
    }
    if let Some(p) = &stored.row.phone_norm {
        store::suppress(c, "phone", p, ms, "customer")?;
    }
    Ok(())
}

/// Suppresses an e-mail address or phone number, whoever it belongs to (E3).
pub fn unsubscribe_contact(c: &Connection, raw: &str, now: DateTime<Utc>) -> Result<()> {
    let settings = store::get_settings(c)?;
    let ms = now.timestamp_millis();
    match contact::parse_contact(raw, settings.default_country_code) {
        Some(contact::Contact::Email(e)) => store::suppress(c, "email", &e, ms, "contact"),
        Some(contact::Contact::Phone(p)) => store::suppress(c, "phone", &p, ms, "contact"),
        None => Err(Error::invalid(Problem::top(
            "unsubscribe",
            "contact",
            "not a usable e-mail address or phone number",
        ))),
    }
}
