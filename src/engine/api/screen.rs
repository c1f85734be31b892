//! The data-subject calls: the POS customer screen and cancelling a customer's pending
//! messages (D7), access and erasure by contact (D6).

use chrono::{DateTime, Utc};

use crate::error::Result;
use crate::model::{CancelReport, ContactErasure, ContactState};

use crate::engine::{Engine, access, check_now, screen};

impl Engine {
    /// A customer's contact state for the POS customer screen (D7): last invited and
    /// answered, the next date each survey kind may be sent (with explain's reason codes
    /// when not today), pending messages, subscription and consent. An unknown customer is
    /// [`crate::Error::NotFound`].
    pub fn contact_state(&self, customer: &str, now: DateTime<Utc>) -> Result<ContactState> {
        check_now(now)?;
        self.reader()?
            .read(|c| screen::contact_state(c, customer, now))
    }

    /// Cancels a customer's pending invitation and reminder messages (`cancelled_by_host`,
    /// D7). An invitation not yet delivered is cancelled with them, which releases the
    /// cooldown (E4): the next sync may invite the customer again. Messages the host
    /// holds (claimed, not acked) are left alone and listed in the report.
    pub fn cancel_pending(&self, customer: &str, now: DateTime<Utc>) -> Result<CancelReport> {
        check_now(now)?;
        self.lock()?
            .write(|c| screen::cancel_pending(c, customer, now))
    }

    /// Everything hearken holds about a customer, as one JSON document (D6): `format`,
    /// `customer`, `erased`, `contacts` (every e-mail and phone they ever had) and
    /// `tables`, every stored row naming them, by table (link and reply hashes left out).
    /// An unknown customer is [`crate::Error::NotFound`].
    pub fn customer_export(&self, customer: &str) -> Result<serde_json::Value> {
        self.reader()?
            .read(|c| access::customer_export(c, customer))
    }

    /// What hearken holds about an e-mail address or phone number alone (D6): its
    /// suppression, whether a list suppresses it, and the customers who have or had it.
    /// A contact that is neither is invalid input naming `contact`.
    pub fn contact_export(&self, contact: &str) -> Result<serde_json::Value> {
        self.reader()?.read(|c| access::contact_export(c, contact))
    }

    /// Erases an e-mail address or phone number (D6): every customer who has or had it is
    /// erased as [`Engine::erase_customer`] does, and the contact's own suppression is
    /// kept only as a peppered hash (T2). [`ContactErasure::scrubbed`] says whether the
    /// scrub of the file completed.
    pub fn erase_contact(&self, contact: &str, now: DateTime<Utc>) -> Result<ContactErasure> {
        check_now(now)?;
        let mut store = self.lock()?;
        let mut erasure = store.write(|c| access::erase_contact(c, contact, now))?;
        erasure.scrubbed = store.finish_scrub()?;
        for e in &mut erasure.customers {
            e.scrubbed = erasure.scrubbed;
        }
        Ok(erasure)
    }
}
