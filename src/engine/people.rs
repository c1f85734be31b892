//! Customer-facing use cases: explain (E9) and the global unsubscribe (E3).

use chrono::{DateTime, Utc};
use rusqlite::Connection;

use crate::error::{Error, Problem, Result};
use crate::model::{Erasure, Explanation, SuppressionBundle};
use crate::rules::{contact, cooldown, time, token};
use crate::store;

/// Format version of suppression bundles.
const BUNDLE_FORMAT: u32 = 1;

/// Peppered hashes of a customer's usable contacts, as other stores export them.
fn contact_hashes(pepper: &str, email: Option<&str>, phone: Option<&str>) -> Vec<String> {
    let mut out = Vec::new();
    if let Some(e) = email {
        out.push(token::contact_hash(pepper, "email", e));
    }
    if let Some(p) = phone {
        out.push(token::contact_hash(pepper, "phone", p));
    }
    out
}

/// The suppression lists as one sync or claim sees them: loaded once, so checking a
/// customer costs only index look-ups (no settings read per customer).
pub struct Suppressions {
    /// The local list has entries.
    local: bool,
    /// The pepper, when lists imported from other stores have entries.
    pepper: Option<String>,
}

impl Suppressions {
    /// Reads which lists are in use.
    pub fn load(c: &Connection) -> Result<Self> {
        let pepper = if store::suppression_hashes_empty(c)? {
            None
        } else {
            Some(store::get_delivery_settings(c)?.suppression_pepper)
        };
        Ok(Suppressions {
            local: !store::suppressions_empty(c)?,
            pepper,
        })
    }

    /// Whether a customer is unsubscribed here or by an imported list (E3), with the local
    /// unsubscribe date when there is one.
    pub fn check(
        &self,
        c: &Connection,
        host_id: &str,
        email: Option<&str>,
        phone: Option<&str>,
    ) -> Result<(bool, Option<DateTime<Utc>>)> {
        if self.local {
            let since = store::suppressed_since(c, host_id, email, phone)?;
            if since.is_some() {
                return Ok((true, since));
            }
        }
        match &self.pepper {
            Some(p) => Ok((
                store::hash_suppressed(c, &contact_hashes(p, email, phone))?,
                None,
            )),
            None => Ok((false, None)),
        }
    }

    /// Before a sync replaces a customer's contacts: if the customer is unsubscribed
    /// through the contacts they had (`old`), the unsubscribe is pinned to the customer
    /// (by host id, with its date), so the new contacts never re-subscribe them (E3).
    pub fn hold_for_customer(
        &mut self,
        c: &Connection,
        old: &store::CustomerRow,
        now: DateTime<Utc>,
    ) -> Result<()> {
        let (unsubscribed, since) = self.check(
            c,
            &old.host_id,
            old.email_norm.as_deref(),
            old.phone_norm.as_deref(),
        )?;
        if unsubscribed {
            let at = since.unwrap_or(now).timestamp_millis();
            store::suppress(c, "customer", &old.host_id, at, "contact")?;
            self.local = true;
        }
        Ok(())
    }
}

/// The suppression list as peppered hashes, for a central service to share.
pub fn export_suppressions(c: &Connection) -> Result<SuppressionBundle> {
    let pepper = store::get_delivery_settings(c)?.suppression_pepper;
    let mut hashes: Vec<String> = store::suppressed_contacts(c)?
        .iter()
        .map(|(kind, value)| token::contact_hash(&pepper, kind, value))
        .chain(store::imported_hashes(c)?)
        .collect();
    hashes.sort();
    hashes.dedup();
    Ok(SuppressionBundle {
        format: BUNDLE_FORMAT,
        hashes,
    })
}

/// Adds another store's suppression hashes; returns how many were new.
pub fn import_suppressions(
    c: &Connection,
    bundle: &SuppressionBundle,
    source: &str,
    now: DateTime<Utc>,
) -> Result<u64> {
    let mut problems = Vec::new();
    if bundle.format != BUNDLE_FORMAT {
        problems.push(Problem::top(
            "suppressions",
            "format",
            "unsupported format version",
        ));
    }
    for (i, h) in bundle.hashes.iter().enumerate() {
        if h.len() != 64
            || !h
                .bytes()
                .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
        {
            problems.push(Problem {
                record: "suppressions".into(),
                index: Some(i as u64),
                host_id: None,
                field: "hashes".into(),
                reason: "not a lower-case hex SHA-256".into(),
            });
        }
    }
    if source.is_empty() || source.len() > 128 {
        problems.push(Problem::top(
            "suppressions",
            "source",
            "must be 1 to 128 bytes",
        ));
    }
    if !problems.is_empty() {
        return Err(Error::Invalid(problems));
    }
    store::import_suppression_hashes(c, &bundle.hashes, now.timestamp_millis(), source)
}

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

/// Suppresses a known customer by host id and by each usable contact (E3).
pub fn unsubscribe_customer(c: &Connection, customer: &str, now: DateTime<Utc>) -> Result<()> {
    let stored = store::find_customer(c, customer)?.ok_or_else(|| not_found(customer))?;
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

/// Suppresses an e-mail address or phone number, whoever it belongs to, and by host id
/// every customer who has it now, so a new contact later never re-subscribes them (E3).
pub fn unsubscribe_contact(c: &Connection, raw: &str, now: DateTime<Utc>) -> Result<()> {
    let settings = store::get_settings(c)?;
    let ms = now.timestamp_millis();
    let (kind, value) = match contact::parse_contact(raw, settings.default_country_code) {
        Some(contact::Contact::Email(e)) => ("email", e),
        Some(contact::Contact::Phone(p)) => ("phone", p),
        None => {
            return Err(Error::invalid(Problem::top(
                "unsubscribe",
                "contact",
                "not a usable e-mail address or phone number",
            )));
        }
    };
    store::suppress(c, kind, &value, ms, "contact")?;
    store::suppress_holders(c, kind, &value, ms, "contact")
}

/// Erases a customer (right to be forgotten): personal fields and every free text about
/// them go; scores stay, so NPS and ratings do not move; they stay unsubscribed by host
/// id and by the peppered hashes of their contacts, never the contacts themselves.
pub fn erase_customer(c: &Connection, customer: &str, now: DateTime<Utc>) -> Result<Erasure> {
    let stored = store::find_customer(c, customer)?.ok_or_else(|| not_found(customer))?;
    let ms = now.timestamp_millis();
    let email = stored.row.email_norm.as_deref();
    let phone = stored.row.phone_norm.as_deref();
    let pepper = store::get_delivery_settings(c)?.suppression_pepper;
    store::import_suppression_hashes(c, &contact_hashes(&pepper, email, phone), ms, "erased")?;
    store::drop_plain_suppressions(c, email, phone)?;
    store::suppress(c, "customer", &stored.row.host_id, ms, "erased")?;
    let n = store::erase_customer(c, stored.rowid, ms)?;
    Ok(Erasure {
        customer: stored.row.host_id,
        responses_kept: n.responses,
        texts_removed: n.texts,
        messages_cancelled: n.messages_cancelled,
        // Set by the engine once the transaction committed and the WAL was folded back.
        scrubbed: false,
    })
}
