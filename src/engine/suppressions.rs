//! The global unsubscribe (E3): the suppression lists, how a sync or claim checks them,
//! unsubscribing a customer or a contact, and sharing the lists between stores.

use crate::hash::{HashMap, HashSet};
use crate::model::events as ev;

use crate::store::Tx;
use chrono::{DateTime, Utc};

use crate::error::{Error, Problem, Result};
use crate::model::SuppressionBundle;
use crate::rules::{contact, token};
use crate::store;

/// Format version of suppression bundles.
const BUNDLE_FORMAT: u32 = 1;

/// Peppered hashes of a customer's usable contacts, as other stores export them.
pub fn contact_hashes(pepper: &str, email: Option<&str>, phone: Option<&str>) -> Vec<String> {
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
    /// The peppers hashes are matched with, when the hashed list has entries: the
    /// store's, and the empty one of hashes made before version 9 (T2).
    peppers: Vec<String>,
    /// Some contact bounced hard (D3), read with the lists.
    pub bounces: bool,
}

impl Suppressions {
    /// Reads which lists are in use (and whether any contact bounced).
    pub fn load(c: &mut dyn Tx) -> Result<Self> {
        let lists = c.lists_empty()?;
        let mut peppers = Vec::new();
        if !lists.suppression_hashes {
            peppers.push(c.get_delivery_settings()?.suppression_pepper);
            if c.legacy_empty_pepper()? {
                peppers.push(String::new());
            }
        }
        Ok(Suppressions {
            local: !lists.suppressions,
            peppers,
            bounces: !lists.bounces,
        })
    }

    /// Whether a customer is unsubscribed here or by an imported list (E3), with the local
    /// unsubscribe date when there is one. A phone suppressed by an SMS opt-out word (D4)
    /// counts only for a text message (`sms`): it is not an unsubscribe from e-mail.
    pub fn check(
        &self,
        c: &mut dyn Tx,
        host_id: &str,
        email: Option<&str>,
        phone: Option<&str>,
        sms: bool,
    ) -> Result<(bool, Option<DateTime<Utc>>)> {
        if self.local {
            let since = c.suppressed_since(host_id, email, phone, sms)?;
            if since.is_some() {
                return Ok((true, since));
            }
        }
        let hashes: Vec<String> = self
            .peppers
            .iter()
            .flat_map(|p| contact_hashes(p, email, phone))
            .collect();
        Ok((!hashes.is_empty() && c.hash_suppressed(&hashes)?, None))
    }

    /// Which of `customers` (host id, normalised e-mail, normalised phone) are
    /// unsubscribed here or by an imported list (E3): one query per list for all of them.
    /// A keyword-suppressed phone counts only for text messages (`sms`), as in
    /// [`check`](Self::check).
    pub fn unsubscribed_among(
        &self,
        c: &mut dyn Tx,
        customers: &[(&str, Option<&str>, Option<&str>)],
        sms: bool,
    ) -> Result<HashSet<String>> {
        let mut out = if self.local {
            c.suppressed_among(customers, sms)?
        } else {
            HashSet::default()
        };
        if !self.peppers.is_empty() {
            let mut by_hash: HashMap<String, &str> = HashMap::default();
            for (host, email, phone) in customers.iter().filter(|k| !out.contains(k.0)) {
                for p in &self.peppers {
                    for h in contact_hashes(p, *email, *phone) {
                        by_hash.insert(h, host);
                    }
                }
            }
            let hashes: Vec<String> = by_hash.keys().cloned().collect();
            for h in c.hashes_suppressed_among(&hashes)? {
                if let Some(host) = by_hash.get(&h) {
                    out.insert((*host).to_owned());
                }
            }
        }
        Ok(out)
    }

    /// Before a sync replaces a customer's contacts: if the customer is unsubscribed
    /// through the contacts they had (`old`), the unsubscribe is pinned to the customer
    /// (by host id, with its date), so the new contacts never re-subscribe them (E3).
    ///
    /// The plain suppressions of the old contacts are marked as hers, so erasing her
    /// later turns them into hashes (T2).
    pub fn hold_for_customer(
        &mut self,
        c: &mut dyn Tx,
        rowid: i64,
        old: &store::CustomerRow,
        now: DateTime<Utc>,
    ) -> Result<()> {
        if self.local {
            c.link_suppressed_contacts(
                rowid,
                old.email_norm.as_deref(),
                old.phone_norm.as_deref(),
            )?;
        }
        // A keyword opt-out stays the phone's (D4): it is not pinned to the customer.
        let (unsubscribed, since) = self.check(
            c,
            &old.host_id,
            old.email_norm.as_deref(),
            old.phone_norm.as_deref(),
            false,
        )?;
        if unsubscribed {
            let at = since.unwrap_or(now).timestamp_millis();
            c.suppress("customer", &old.host_id, at, "contact")?;
            self.local = true;
        }
        Ok(())
    }
}

/// The suppression list as peppered hashes, for a central service to share.
pub fn export_suppressions(c: &mut dyn Tx) -> Result<SuppressionBundle> {
    let pepper = c.get_delivery_settings()?.suppression_pepper;
    let mut hashes: Vec<String> = c
        .suppressed_contacts()?
        .iter()
        .map(|(kind, value)| token::contact_hash(&pepper, kind, value))
        .chain(c.imported_hashes()?)
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
    c: &mut dyn Tx,
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
    // D5: each hash new to the list is a withdrawal by import, kept under the hash (a
    // customer's history finds it through her contacts' hashes).
    let known = c.hashes_suppressed_among(&bundle.hashes)?;
    let mut fresh: Vec<&String> = bundle
        .hashes
        .iter()
        .filter(|h| !known.contains(*h))
        .collect();
    fresh.sort();
    fresh.dedup();
    let n = c.import_suppression_hashes(&bundle.hashes, now.timestamp_millis(), source)?;
    if !fresh.is_empty() {
        for h in &fresh {
            c.insert_consent(&store::ConsentRow {
                customer: None,
                contact: Some((*h).clone()),
                channel: "all".to_owned(),
                purpose: "surveys".to_owned(),
                granted: false,
                source: "import".to_owned(),
                at_ms: now.timestamp_millis(),
            })?;
        }
        // One event for the import, not one per hash.
        let data = ev::ConsentChanged {
            customer: None,
            channel: "all".to_owned(),
            purpose: "surveys".to_owned(),
            granted: false,
            source: "import".to_owned(),
        };
        super::events::emit(c, ev::CONSENT_CHANGED, now, &data)?;
    }
    Ok(n)
}

/// Suppresses a known customer by host id and by each usable contact (E3).
pub fn unsubscribe_customer(c: &mut dyn Tx, customer: &str, now: DateTime<Utc>) -> Result<()> {
    unsubscribe_customer_by(c, customer, "customer", now).map(|_| ())
}

/// [`unsubscribe_customer`], recording who asked (`customer`: the host; `link`: the
/// customer's own link; `complaint`: a spam complaint, D3) in the event (D1) and in the
/// consent history (D5, where the host's own call is `api`). True when the customer was
/// not unsubscribed by host id before.
pub fn unsubscribe_customer_by(
    c: &mut dyn Tx,
    customer: &str,
    source: &str,
    now: DateTime<Utc>,
) -> Result<bool> {
    let stored = c
        .find_customer(customer)?
        .ok_or_else(|| not_found(customer))?;
    let ms = now.timestamp_millis();
    let new = c
        .suppressed_since(&stored.row.host_id, None, None, false)?
        .is_none();
    if new {
        let data = ev::ContactUnsubscribed {
            customer: Some(stored.row.host_id.clone()),
            source: source.to_owned(),
        };
        super::events::emit(c, ev::CONTACT_UNSUBSCRIBED, now, &data)?;
        let consent_source = if source == "customer" { "api" } else { source };
        super::events::consent_changed(
            c,
            Some((stored.rowid, &stored.row.host_id)),
            None,
            "all",
            "surveys",
            false,
            consent_source,
            now,
        )?;
    }
    c.suppress("customer", &stored.row.host_id, ms, "customer")?;
    if let Some(e) = &stored.row.email_norm {
        c.suppress_for_customer("email", e, ms, "customer", stored.rowid)?;
    }
    if let Some(p) = &stored.row.phone_norm {
        c.suppress_for_customer("phone", p, ms, "customer", stored.rowid)?;
    }
    Ok(new)
}

/// Suppresses an e-mail address or phone number, whoever it belongs to, and by host id
/// every customer who has it now, so a new contact later never re-subscribes them (E3).
pub fn unsubscribe_contact(c: &mut dyn Tx, raw: &str, now: DateTime<Utc>) -> Result<()> {
    let settings = c.get_settings()?;
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
    let (email, phone) = match kind {
        "email" => (Some(value.as_str()), None),
        _ => (None, Some(value.as_str())),
    };
    // A phone only an SMS keyword suppressed is not unsubscribed by the host yet (D4): the
    // host's ask is a change of its own, recorded beside the keyword's.
    if c.suppressed_since("", email, phone, false)?.is_none() {
        let data = ev::ContactUnsubscribed {
            customer: None,
            source: "contact".to_owned(),
        };
        super::events::emit(c, ev::CONTACT_UNSUBSCRIBED, now, &data)?;
        let channel = if kind == "email" { "email" } else { "sms" };
        super::events::consent_changed(
            c,
            None,
            Some(&value),
            channel,
            "surveys",
            false,
            "api",
            now,
        )?;
    }
    c.suppress(kind, &value, ms, "contact")?;
    c.suppress_holders(kind, &value, ms, "contact")
}

pub fn not_found(id: &str) -> Error {
    Error::NotFound {
        what: "customer",
        id: id.to_owned(),
    }
}
