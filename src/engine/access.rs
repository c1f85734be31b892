//! Data-subject access and erasure by contact (D6), and retention of inactive customers.

use chrono::{DateTime, Utc};
use serde_json::{Map, Value, json};

use crate::error::{Error, Problem, Result};
use crate::model::ContactErasure;
use crate::rules::{contact, time, token};
use crate::store::{SUBJECT_TABLES, Tx};

use super::erasure;
use super::suppressions::{Suppressions, not_found};

/// Format version of the access documents.
pub const ACCESS_FORMAT: u32 = 1;

/// Customers erased by retention per run at most, so the first run after enabling it does
/// not stall a claim; the rest follow in later runs.
pub const RETENTION_PER_RUN: usize = 50;

/// Customers retention looks at per run at most (a window by row id).
pub const RETENTION_SCAN: u32 = 500;

/// A raw e-mail or phone as (`email` | `phone`, normalised value), or invalid input naming
/// `contact` (never its value).
fn parse(c: &mut dyn Tx, record: &str, raw: &str) -> Result<(&'static str, String)> {
    let settings = c.get_settings()?;
    match contact::parse_contact(raw, settings.default_country_code) {
        Some(contact::Contact::Email(e)) => Ok(("email", e)),
        Some(contact::Contact::Phone(p)) => Ok(("phone", p)),
        None => Err(Error::invalid(Problem::top(
            record,
            "contact",
            "not a usable e-mail address or phone number",
        ))),
    }
}

/// D6: everything hearken holds about a customer, as one JSON document: every stored row
/// that names them, table by table, the contacts they ever had, and the plain suppressions
/// of those contacts.
pub fn customer_export(c: &mut dyn Tx, customer: &str) -> Result<Value> {
    let stored = c
        .find_customer(customer)?
        .ok_or_else(|| not_found(customer))?;
    let mut tables: Map<String, Value> = SUBJECT_TABLES
        .iter()
        .map(|t| (t.table.to_owned(), Value::Array(Vec::new())))
        .collect();
    for (table, row) in c.subject_rows(stored.rowid, &stored.row.host_id)? {
        if let Some(Value::Array(rows)) = tables.get_mut(&table) {
            rows.push(row);
        }
    }
    let contacts = c.contacts_ever(stored.rowid)?;
    for (kind, value) in &contacts {
        if let Some(s) = c.contact_suppression(kind, value)? {
            // The same columns as the suppressions rows read by customer (SUBJECT_TABLES).
            let row = json!({"kind": kind, "value": value, "created_at": s.created_at_ms,
                             "source": s.source, "keyword_at": s.keyword_at_ms});
            if let Some(Value::Array(rows)) = tables.get_mut("suppressions")
                && !rows.contains(&row)
            {
                rows.push(row);
            }
        }
    }
    Ok(json!({
        "format": ACCESS_FORMAT,
        "customer": stored.row.host_id,
        "erased": stored.erased,
        "contacts": contacts
            .iter()
            .map(|(kind, value)| json!({"kind": kind, "value": value}))
            .collect::<Vec<_>>(),
        "tables": tables,
    }))
}

/// D6: what hearken holds about a contact alone (a phone that only ever sent an SMS, a
/// suppressed e-mail): its plain suppression, whether a list suppresses it (the store's or
/// an imported one, by peppered hash), and the customers who have or had it.
pub fn contact_export(c: &mut dyn Tx, raw: &str) -> Result<Value> {
    let (kind, value) = parse(c, "contact_export", raw)?;
    let suppression = c.contact_suppression(kind, &value)?;
    let lists = Suppressions::load(c)?;
    let (email, phone) = match kind {
        "email" => (Some(value.as_str()), None),
        _ => (None, Some(value.as_str())),
    };
    let (suppressed, _) = lists.check(c, "", email, phone, true)?;
    let customers = c.customers_with_contact(kind, &value)?;
    Ok(json!({
        "format": ACCESS_FORMAT,
        "contact": {"kind": kind, "value": value},
        "suppressed": suppressed,
        "suppression": suppression.map(|s| json!({"created_at": s.created_at_ms,
                                                 "source": s.source,
                                                 "keyword_at": s.keyword_at_ms})),
        "customers": customers,
    }))
}

/// D6: erases a contact: every customer who has or had it, as [`erasure::erase_customer`]
/// does, and its own plain suppression becomes a peppered hash (T2), so it stays
/// unsubscribed without being stored.
pub fn erase_contact(c: &mut dyn Tx, raw: &str, now: DateTime<Utc>) -> Result<ContactErasure> {
    let (kind, value) = parse(c, "erase_contact", raw)?;
    let mut customers = Vec::new();
    for host_id in c.customers_with_contact(kind, &value)? {
        customers.push(erasure::erase_customer(c, &host_id, now)?);
    }
    // D3, D5: the contact's own bounce mark and consent changes (an unsubscribe by contact
    // alone records one) hold it in plain text: they go too (T2). No customer row is 0.
    c.erase_consent(0, std::slice::from_ref(&value))?;
    // D4: SMS replies from the phone, whoever they were kept for, and hearken's own texts
    // to it (an opt-out's confirmation, a HELP text) for a phone no customer has.
    if kind == "phone" {
        c.erase_inbound_replies(0, std::slice::from_ref(&value))?;
        c.erase_phone_replies(std::slice::from_ref(&value), now.timestamp_millis())?;
    }
    let mut suppression_hashed = false;
    if let Some(at) = c
        .contact_suppression(kind, &value)?
        .map(|s| s.created_at_ms)
    {
        let pepper = c.get_delivery_settings()?.suppression_pepper;
        c.import_suppression_hashes(&[token::contact_hash(&pepper, kind, &value)], at, "erased")?;
        c.drop_plain_suppressions(&[(kind.to_owned(), value.clone())])?;
        suppression_hashed = true;
    }
    Ok(ContactErasure {
        kind: kind.to_owned(),
        customers,
        suppression_hashed,
        // Set by the engine once the transaction committed.
        scrubbed: false,
    })
}

/// D6: erases customers without a transaction, response or delivered invitation for
/// `retention_months`, at most [`RETENTION_PER_RUN`] per run, by row id (oldest first),
/// looking at a window of [`RETENTION_SCAN`] customers from where the last run stopped;
/// returns how many. Off (0 erased, nothing read) without the setting (`months`).
pub fn retain(c: &mut dyn Tx, months: Option<u32>, now: DateTime<Utc>) -> Result<u32> {
    let Some(months) = months else {
        return Ok(0);
    };
    let months = i32::try_from(months).unwrap_or(i32::MAX);
    let cutoff_day = time::add_months(now.date_naive(), -months);
    let cutoff = cutoff_day.and_time(chrono::NaiveTime::MIN).and_utc();
    let after = c.retention_cursor()?;
    let window = c.retention_window(after, time::ms(cutoff), RETENTION_SCAN)?;
    let mut erased = 0;
    let mut next = window.last.unwrap_or(0);
    for (i, (rowid, host_id)) in window.inactive.iter().enumerate() {
        if i == RETENTION_PER_RUN {
            // The rest of the window waits for the next run.
            next = rowid - 1;
            break;
        }
        erasure::erase_customer(c, host_id, now)?;
        erased += 1;
    }
    if next != after {
        c.set_retention_cursor(next)?;
    }
    Ok(erased)
}
