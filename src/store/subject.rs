//! The data-subject area of the storage seam (D6, D7): a customer's live messages for the
//! POS customer screen, cancelling them, and what access and retention read.

use chrono::NaiveDate;

use crate::error::Result;
use crate::model::{MessageKind, MessageStatus};

/// A message to a customer not sent yet (pending, or held by the host).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LiveMessage {
    /// Stable message id.
    pub message_id: String,
    /// Its kind.
    pub kind: MessageKind,
    /// The invitation it belongs to.
    pub invitation: Option<i64>,
    /// Due instant, Unix ms.
    pub due_at_ms: i64,
    /// `pending` or `in_flight`.
    pub status: MessageStatus,
}

/// The data-subject reads and writes a store keeps (mirrors `store/sqlite/subject.rs`).
pub trait SubjectStore {
    /// The messages to customer row `customer` that are pending or in flight, by due time
    /// then id. Reads only the waiting messages, never the delivered history.
    fn live_messages(&mut self, customer: i64) -> Result<Vec<LiveMessage>>;

    /// D7: cancels, with `reason`, every pending message of an invitation of customer row
    /// `customer` (invitations, resends, reminders, relationship surveys); in-flight ones
    /// are left to the host. An invitation not delivered and left without a live message is
    /// cancelled too, which releases the cooldown (E4), and its decision records
    /// `cancelled_on` = `on` with `reason`. Returns the cancelled messages' ids, by id.
    fn cancel_customer_messages(
        &mut self,
        customer: i64,
        reason: &str,
        on: NaiveDate,
        now_ms: i64,
    ) -> Result<Vec<String>>;
}
