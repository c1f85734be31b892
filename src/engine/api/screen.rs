//! The data-subject calls: the POS customer screen and cancelling a customer's pending
//! messages (D7).

use chrono::{DateTime, Utc};

use crate::error::Result;
use crate::model::{CancelReport, ContactState};

use crate::engine::{Engine, check_now, screen};

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
}
