//! The POS customer screen (D7): a customer's contact state, and cancelling their pending
//! messages; erasure by contact alone (D6).

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};

use super::{Erasure, MessageKind, MessageStatus, ResponseSource, SkipReason, SurveyKind};

/// What hearken knows about contacting one customer, for the POS customer screen (D7).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
#[serde(deny_unknown_fields)]
pub struct ContactState {
    /// Host id of the customer.
    pub customer: String,
    /// The customer was erased (right to be forgotten).
    pub erased: bool,
    /// The customer's latest invitation, whatever became of it.
    pub last_invited: Option<LastInvited>,
    /// The customer's latest response.
    pub last_answered: Option<LastAnswered>,
    /// When each survey kind may next be sent: the transactional survey per location, then
    /// the relationship survey (only when relationship surveys are on, P7).
    pub next_eligible: Vec<NextEligible>,
    /// Messages to the customer still waiting to be sent or held by the host, by due time.
    pub pending: Vec<PendingMessage>,
    /// Whether the customer may be surveyed at all (E3).
    pub subscription: SubscriptionState,
    /// What the customer agreed to, as stored.
    pub consent: ConsentState,
}

/// The latest invitation of a customer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
#[serde(deny_unknown_fields)]
pub struct LastInvited {
    /// Invitation id.
    pub invitation_id: i64,
    /// Business date of the batch that created it.
    pub business_date: NaiveDate,
    /// Its survey kind.
    pub kind: SurveyKind,
    /// `pending`, `delivered`, `cancelled` or `failed`.
    pub status: String,
    /// Host id of its location.
    pub location: String,
}

/// The latest response of a customer.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
#[serde(deny_unknown_fields)]
pub struct LastAnswered {
    /// Response id.
    pub response_id: i64,
    /// When it was given.
    pub at: DateTime<Utc>,
    /// How it came in.
    pub source: ResponseSource,
    /// Host id of the location.
    pub location: String,
    /// The NPS answer (0–10), if one was given.
    pub nps: Option<u8>,
    /// The main score on base 10.
    pub score_base10: Option<f64>,
}

/// When one survey kind may next be sent to the customer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
#[serde(deny_unknown_fields)]
pub struct NextEligible {
    /// The survey kind.
    pub kind: SurveyKind,
    /// Host id of the location (transactional surveys); none for the relationship survey.
    pub location: Option<String>,
    /// The first business date a sync may invite the customer; none when it may not at all.
    pub eligible_on: Option<NaiveDate>,
    /// Why not today, with explain's reason codes (`cooldown`, `contact_cap`,
    /// `unsubscribed`, `communications_off`, `no_usable_contact`, `location_disabled`);
    /// none when eligible today.
    pub reason: Option<SkipReason>,
}

/// A message to the customer not sent yet.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
#[serde(deny_unknown_fields)]
pub struct PendingMessage {
    /// Stable message id.
    pub message_id: String,
    /// What it is for.
    pub kind: MessageKind,
    /// When it is (or was) due.
    pub due_at: DateTime<Utc>,
    /// `pending`, or `in_flight` while the host holds it.
    pub status: MessageStatus,
    /// The invitation it belongs to.
    pub invitation_id: Option<i64>,
}

/// Whether a customer may be surveyed (E3).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
#[serde(deny_unknown_fields)]
pub struct SubscriptionState {
    /// Unsubscribed by customer, by contact or by an imported list.
    pub unsubscribed: bool,
    /// Since when, when the store's own list says so.
    pub unsubscribed_since: Option<DateTime<Utc>>,
    /// The stored e-mail is on a suppression list.
    pub email_suppressed: bool,
    /// The stored phone is on a suppression list.
    pub phone_suppressed: bool,
}

/// What the customer agreed to, as stored.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
#[serde(deny_unknown_fields)]
pub struct ConsentState {
    /// The POS "include in communications" flag (E2).
    pub include_in_communications: bool,
    /// The consent to be replied to given with the latest response (F2); none without one.
    pub reply: Option<bool>,
}

/// What cancelling a customer's pending messages did (D7).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
#[serde(deny_unknown_fields)]
pub struct CancelReport {
    /// Host id of the customer.
    pub customer: String,
    /// How many messages were cancelled (`cancelled_by_host`).
    pub cancelled: u32,
    /// Their message ids.
    pub message_ids: Vec<String>,
    /// Messages the host holds (claimed, not acked): left alone, an ack still records them.
    pub in_flight: Vec<String>,
}

/// What erasing a contact did (D6): every customer who had it erased as erasure does, and
/// the contact's own suppression kept only as a peppered hash (T2).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
#[serde(deny_unknown_fields)]
pub struct ContactErasure {
    /// `email` or `phone`.
    pub kind: String,
    /// The customers who had the contact, each erased.
    pub customers: Vec<Erasure>,
    /// The contact's plain suppression was replaced by its peppered hash.
    pub suppression_hashed: bool,
    /// Whether no byte of the erased values is left in the database or its -wal file (T2),
    /// as [`Erasure::scrubbed`] says.
    pub scrubbed: bool,
}
