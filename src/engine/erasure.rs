//! Erasure (right to be forgotten): the customer's personal data goes, their scores and
//! their unsubscribe stay.

use crate::store::Tx;
use chrono::{DateTime, Utc};

use crate::error::Result;
use crate::model::Erasure;

use crate::rules::token;

use super::suppressions::not_found;

/// Erases a customer (right to be forgotten): personal fields and every free text about
/// them go; scores stay, so NPS and ratings do not move; they stay unsubscribed by host
/// id and by the peppered hashes of every contact they had, never the contacts themselves.
pub fn erase_customer(c: &mut dyn Tx, customer: &str, now: DateTime<Utc>) -> Result<Erasure> {
    let stored = c
        .find_customer(customer)?
        .ok_or_else(|| not_found(customer))?;
    let ms = now.timestamp_millis();
    // Every contact she ever had becomes a peppered hash, none stays plain (T2).
    let contacts = c.contacts_ever(stored.rowid)?;
    let pepper = c.get_delivery_settings()?.suppression_pepper;
    let hashes: Vec<String> = contacts
        .iter()
        .map(|(kind, value)| token::contact_hash(&pepper, kind, value))
        .collect();
    c.import_suppression_hashes(&hashes, ms, "erased")?;
    // D3, D5: her bounce marks and consent history go with her (T2).
    let values: Vec<String> = contacts.iter().map(|(_, v)| v.clone()).collect();
    c.erase_consent(stored.rowid, &values)?;
    // D4: the SMS replies she sent, by her or by any phone she had.
    let phones: Vec<String> = contacts
        .iter()
        .filter(|(kind, _)| kind == "phone")
        .map(|(_, v)| v.clone())
        .collect();
    let replies = c.erase_inbound_replies(stored.rowid, &phones)?;
    // D4: hearken's own texts to those phones (an opt-out's confirmation, a HELP text),
    // also those queued before the phone was hers.
    let replies_cancelled = c.erase_phone_replies(&phones, ms)?;
    c.drop_plain_suppressions(&contacts)?;
    c.suppress("customer", &stored.row.host_id, ms, "erased")?;
    let n = c.erase_customer(stored.rowid, ms)?;
    if !stored.erased {
        let data = crate::model::events::CustomerErased {
            customer: stored.row.host_id.clone(),
        };
        super::events::emit(c, crate::model::events::CUSTOMER_ERASED, now, &data)?;
    }
    Ok(Erasure {
        customer: stored.row.host_id,
        responses_kept: n.responses,
        texts_removed: n.texts + replies,
        messages_cancelled: n.messages_cancelled + replies_cancelled,
        // Set by the engine once the transaction committed and the WAL was folded back.
        scrubbed: false,
    })
}
