//! The consent area of the storage seam: hard-bounce marks on normalised contacts (D3) and
//! the consent history (D5).

use crate::error::Result;

/// A change of consent to record (D5).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConsentRow {
    /// The customer's row id, when the change is the customer's.
    pub customer: Option<i64>,
    /// The normalised contact (or an imported hash), when the change is a contact's.
    pub contact: Option<String>,
    /// `email`, `sms` or `all`.
    pub channel: String,
    /// `surveys` or `replies`.
    pub purpose: String,
    /// Granted or withdrawn.
    pub granted: bool,
    /// `pos`, `link`, `keyword`, `api`, `import`, `complaint`.
    pub source: String,
    /// When, Unix ms.
    pub at_ms: i64,
}

/// The bounce marks and consent history a store keeps (mirrors `store/sqlite/consent.rs`).
pub trait ConsentStore {
    /// Marks the normalised contact `(kind, value)` as bounced hard at `at_ms` on
    /// `message_id`, for customer row `customer`; an existing mark keeps its date. True when
    /// the mark is new.
    fn mark_bounced(
        &mut self,
        kind: &str,
        value: &str,
        at_ms: i64,
        message_id: &str,
        customer: Option<i64>,
    ) -> Result<bool>;

    /// Whether no contact is marked (lets a sync or claim skip the look-ups).
    fn bounces_empty(&mut self) -> Result<bool>;

    /// When each of `values` of `kind` bounced, for those that did: one query for all.
    fn bounced_among(&mut self, kind: &str, values: &[String]) -> Result<Vec<(String, i64)>>;

    /// Appends a change of consent.
    fn insert_consent(&mut self, row: &ConsentRow) -> Result<()>;

    /// The changes of customer row `customer` and of the contacts `contacts`, oldest first.
    fn consent_changes(&mut self, customer: i64, contacts: &[String]) -> Result<Vec<ConsentRow>>;

    /// Deletes the bounce marks and consent changes of customer row `customer` and of
    /// `contacts` (erasure, T2).
    fn erase_consent(&mut self, customer: i64, contacts: &[String]) -> Result<()>;

    /// The customer row id and channel a message was addressed to, by outbox row id.
    fn message_recipient(&mut self, rowid: i64) -> Result<Option<(Option<i64>, String)>>;

    /// An invitation's status (`pending`, `delivered`, `bounced`, …), if it exists.
    fn invitation_status(&mut self, invitation: i64) -> Result<Option<String>>;

    /// Makes invitation `invitation` `bounced` if it is pending or delivered (its delivery
    /// time is cleared: it never counts as delivered). True when it changed.
    fn bounce_invitation(&mut self, invitation: i64) -> Result<bool>;

    /// Cancels the messages of `invitation` still pending (reminders, a resend) with
    /// `reason`, and returns how many.
    fn cancel_invitation_messages(
        &mut self,
        invitation: i64,
        reason: &str,
        now_ms: i64,
    ) -> Result<u32>;

    /// Makes an acked message pending again, due at `due_ms` (a soft bounce after an ack),
    /// and its delivered invitation pending again.
    fn reoffer_message(
        &mut self,
        rowid: i64,
        invitation: Option<i64>,
        due_ms: i64,
        error: &str,
        now_ms: i64,
    ) -> Result<()>;
}
