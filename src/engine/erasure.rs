//! Erasure (right to be forgotten): the customer's personal data goes, their scores and
//! their unsubscribe stay.

use chrono::{DateTime, Utc};
use rusqlite::Connection;

use crate::error::Result;
use crate::model::Erasure;
use crate::store;

use crate::rules::token;

use super::suppressions::not_found;

/// Erases a customer (right to be forgotten): personal fields and every free text about
/// them go; scores stay, so NPS and ratings do not move; they stay unsubscribed by host
/// id and by the peppered hashes of every contact they had, never the contacts themselves.
pub fn erase_customer(c: &Connection, customer: &str, now: DateTime<Utc>) -> Result<Erasure> {
    let stored = store::find_customer(c, customer)?.ok_or_else(|| not_found(customer))?;
    let ms = now.timestamp_millis();
    // Every contact she ever had becomes a peppered hash, none stays plain (T2).
    let contacts = store::contacts_ever(c, stored.rowid)?;
    let pepper = store::get_delivery_settings(c)?.suppression_pepper;
    let hashes: Vec<String> = contacts
        .iter()
        .map(|(kind, value)| token::contact_hash(&pepper, kind, value))
        .collect();
    store::import_suppression_hashes(c, &hashes, ms, "erased")?;
    store::drop_plain_suppressions(c, &contacts)?;
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
