//! Erasure (right to be forgotten): the customer's personal data goes, their scores and
//! their unsubscribe stay.

use chrono::{DateTime, Utc};
use rusqlite::Connection;

use crate::error::Result;
use crate::model::Erasure;
use crate::store;

use super::suppressions::{contact_hashes, not_found};

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
