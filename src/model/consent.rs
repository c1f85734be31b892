//! Delivery feedback (D3) and consent history (D5): what a host reports on a message
//! after sending it, and how a customer's consent changed over time.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

/// What the host's mail or SMS provider reported on a sent message (D3).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Enum))]
#[serde(rename_all = "snake_case")]
pub enum DeliveryFeedback {
    /// The address or number does not exist: the invitation is `bounced` and the contact
    /// unusable until the POS sends another one.
    HardBounce,
    /// A passing refusal (full mailbox, unreachable phone): retried like a failure.
    SoftBounce,
    /// The recipient marked the message as spam: the contact is unsubscribed (E3).
    Complaint,
}

impl DeliveryFeedback {
    /// The stable snake_case name.
    pub fn as_str(self) -> &'static str {
        match self {
            DeliveryFeedback::HardBounce => "hard_bounce",
            DeliveryFeedback::SoftBounce => "soft_bounce",
            DeliveryFeedback::Complaint => "complaint",
        }
    }

    /// Parses the name given by [`DeliveryFeedback::as_str`].
    pub fn parse(s: &str) -> Option<Self> {
        [
            DeliveryFeedback::HardBounce,
            DeliveryFeedback::SoftBounce,
            DeliveryFeedback::Complaint,
        ]
        .into_iter()
        .find(|f| f.as_str() == s)
    }
}

/// What reporting delivery feedback did (D3). Repeating a report changes nothing more
/// and answers `changed: false`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
#[serde(deny_unknown_fields)]
pub struct DeliveryFeedbackOutcome {
    /// The message reported on.
    pub message_id: String,
    /// What was reported.
    pub feedback: DeliveryFeedback,
    /// The message's status afterwards (`pending` when offered again, `failed`, `acked`,
    /// …).
    pub message_status: String,
    /// The invitation the message delivers, if any.
    pub invitation_id: Option<i64>,
    /// The invitation's status afterwards (`bounced` after a hard bounce), if any.
    pub invitation_status: Option<String>,
    /// When the message is offered again (a soft bounce retried).
    #[serde(default, with = "crate::wire::time::utc_opt")]
    pub retry_at: Option<DateTime<Utc>>,
    /// The recipient's contact is now marked unusable (a hard bounce).
    pub contact_marked: bool,
    /// The recipient is now unsubscribed (a complaint).
    pub unsubscribed: bool,
    /// This report changed something (false for a repeated one).
    pub changed: bool,
}

/// One change of a customer's consent (D5), oldest first in a history.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
#[serde(deny_unknown_fields)]
pub struct ConsentChange {
    /// `email`, `sms`, or `all` (every channel).
    pub channel: String,
    /// `surveys` (invitations and reminders) or `replies` (a reply to feedback, F2).
    pub purpose: String,
    /// Granted (true) or withdrawn (false).
    pub granted: bool,
    /// Who changed it: `pos` (the POS flag), `link` (the customer's link), `keyword` (an
    /// SMS keyword), `api` (the host), `import` (another store's list), `complaint` (a
    /// spam complaint).
    pub source: String,
    /// When.
    #[serde(with = "crate::wire::time::utc")]
    pub at: DateTime<Utc>,
    /// The change was made on one of the customer's contacts rather than on the customer.
    pub by_contact: bool,
}
