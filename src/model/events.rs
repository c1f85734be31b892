//! The event feed (D1): what a host may mirror, as an ordered log read with a cursor.
//!
//! Every event type is named `area.verb.vN`; a change to an event's data is a new version.
//! Data carries ids, kinds, statuses, location ids and times only, never a name, a contact,
//! a comment or a score. docs/events.md lists every type and its fields.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

/// One event of the feed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
#[serde(deny_unknown_fields)]
pub struct Event {
    /// Where this event is in the feed: pass it as `after_cursor` to read what follows.
    pub cursor: String,
    /// The event type, `area.verb.vN` (e.g. `response.created.v1`).
    #[serde(rename = "type")]
    pub kind: String,
    /// When the change was made (the `now` of the call that made it).
    #[serde(with = "crate::wire::time::utc")]
    pub at: DateTime<Utc>,
    /// The event's data: a JSON object of ids, kinds, statuses and times (docs/events.md).
    #[serde(with = "json_text")]
    pub data: String,
}

/// What [`crate::Engine::events`] answers: the events after a cursor, or why a cursor cannot
/// be read from (never a silent gap).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Enum))]
#[serde(tag = "outcome", rename_all = "snake_case", deny_unknown_fields)]
pub enum EventsPage {
    /// The events after the cursor, oldest first (empty when there is nothing new).
    Events {
        /// At most `limit` events.
        events: Vec<Event>,
        /// The cursor to read the next page from (the last event's, or the one given).
        next_cursor: String,
    },
    /// The cursor's events were pruned (older than the retention): read again from
    /// `oldest_cursor`, after re-synchronising what was missed.
    CursorExpired {
        /// The cursor before the oldest event still kept.
        oldest_cursor: String,
    },
    /// The cursor is from another incarnation of the store (a restored backup, an
    /// import): read again from `oldest_cursor`, after re-synchronising.
    ForeignCursor {
        /// The cursor before the oldest event this incarnation keeps.
        oldest_cursor: String,
    },
}

/// Every event type, `area.verb.vN`, as emitted (the test that each one is emitted and
/// documented reads this list).
pub const EVENT_TYPES: &[&str] = &[
    INVITATION_CREATED,
    INVITATION_DELIVERED,
    INVITATION_FAILED,
    INVITATION_CANCELLED,
    RESPONSE_CREATED,
    RESPONSE_COMPLETED,
    RESPONSE_DELETED,
    CONTACT_UNSUBSCRIBED,
    ALERT_OPENED,
    ALERT_REASSIGNED,
    ALERT_STATUS_CHANGED,
    CUSTOMER_ERASED,
    INVITATION_BOUNCED,
    CONTACT_BOUNCED,
    MESSAGE_SOFT_BOUNCED,
    CONSENT_CHANGED,
    WEBHOOK_DISABLED,
    SMS_RECEIVED,
];

/// An invitation was created (a sale's, or a relationship survey's). Data: `invitation_id`,
/// `customer` (host id), `location` (host id), `transaction` (host id or null),
/// `survey_kind`, `channel`, `business_date`, `due_at`, `status` (`pending`, or
/// `cancelled` when no send slot came before its link would expire).
pub const INVITATION_CREATED: &str = "invitation.created.v1";
/// An invitation's message was delivered (ack). Data: `invitation_id`.
pub const INVITATION_DELIVERED: &str = "invitation.delivered.v1";
/// An invitation failed for good (its message's last attempt failed). Data:
/// `invitation_id`.
pub const INVITATION_FAILED: &str = "invitation.failed.v1";
/// An invitation was cancelled. Data: `invitation_id`, `reason` (`refunded`,
/// `no_send_slot`, `suppressed`, …: the message's cancel reason).
pub const INVITATION_CANCELLED: &str = "invitation.cancelled.v1";
/// A response was recorded (complete, or the partial response of a score click). Data:
/// `response_id`, `source`, `invitation_id` (or null), `location` (host id), `customer`
/// (host id or null), `completed`.
pub const RESPONSE_CREATED: &str = "response.created.v1";
/// A partial response was completed by the survey page. Data: `response_id`.
pub const RESPONSE_COMPLETED: &str = "response.completed.v1";
/// A response was deleted by an admin. Data: `response_id`.
pub const RESPONSE_DELETED: &str = "response.deleted.v1";
/// A customer, or a contact, was unsubscribed from every survey. Data: `customer` (host
/// id, or null when a contact was unsubscribed by value: the contact is never shown),
/// `source` (`customer`, `contact`, `link`, `complaint`, `keyword`).
pub const CONTACT_UNSUBSCRIBED: &str = "contact.unsubscribed.v1";
/// An alert was opened. Data: `alert_id`, `kind`, `location` (host id), `response_id` (or
/// null), `customer` (host id or null), `status`.
pub const ALERT_OPENED: &str = "alert.opened.v1";
/// An alert was given to another user. Data: `alert_id`, `user` (the user's host id).
pub const ALERT_REASSIGNED: &str = "alert.reassigned.v1";
/// An alert's status changed. Data: `alert_id`, `status`.
pub const ALERT_STATUS_CHANGED: &str = "alert.status_changed.v1";
/// A customer was erased (right to be forgotten). Data: `customer` (host id).
pub const CUSTOMER_ERASED: &str = "customer.erased.v1";

/// An invitation's message bounced hard (D3): the invitation is `bounced`, treated as failed
/// before delivery. Data: `invitation_id`.
pub const INVITATION_BOUNCED: &str = "invitation.bounced.v1";
/// A customer's contact of a channel was marked unusable by a hard bounce (D3). Data:
/// `customer` (host id), `channel` (`email` or `sms`; the contact is never shown).
pub const CONTACT_BOUNCED: &str = "contact.bounced.v1";
/// A delivered or in-flight message bounced softly and is offered again (D3). Data:
/// `message_id`, `invitation_id` (or null), `retry_at` (or null when it failed for good).
pub const MESSAGE_SOFT_BOUNCED: &str = "message.soft_bounced.v1";
/// A customer's or a contact's consent changed (D5). Data: `customer` (host id, or null
/// for a contact alone), `channel` (`email`, `sms`, `all`), `purpose` (`surveys`,
/// `replies`), `granted`, `source` (`pos`, `link`, `keyword`, `api`, `import`,
/// `complaint`).
pub const CONSENT_CHANGED: &str = "consent.changed.v1";
/// A webhook subscription was disabled (D2): its endpoint answered 410, or 20 deliveries in
/// a row failed. Data: `webhook_id`, `reason` (`gone` or `failures`).
pub const WEBHOOK_DISABLED: &str = "webhook.disabled.v1";

/// The data of [`WEBHOOK_DISABLED`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct WebhookDisabled {
    /// The subscription's id.
    pub webhook_id: i64,
    /// `gone` (a 410) or `failures` (20 in a row).
    pub reason: String,
}

/// An SMS came in (D4). Data: `kind` (`opt_out`, `opt_in`, `help`, `score`,
/// `score_without_survey`, `reply`: never its text or its phone), `customer` (host id of
/// the first customer with the phone, or null).
pub const SMS_RECEIVED: &str = "sms.received.v1";

/// The data of [`SMS_RECEIVED`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SmsReceived {
    /// What the SMS was taken as.
    pub kind: String,
    /// The first customer with the phone, if any (host id).
    pub customer: Option<String>,
}

/// The data of [`CONTACT_BOUNCED`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ContactBounced {
    /// The customer's host id.
    pub customer: String,
    /// `email` or `sms`.
    pub channel: String,
}

/// The data of [`MESSAGE_SOFT_BOUNCED`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MessageSoftBounced {
    /// The message's id.
    pub message_id: String,
    /// The invitation it delivers, if any.
    pub invitation_id: Option<i64>,
    /// When it is offered again; `None` when it failed for good.
    pub retry_at: Option<DateTime<Utc>>,
}

/// The data of [`CONSENT_CHANGED`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ConsentChanged {
    /// The customer's host id; `None` for a contact alone (never shown).
    pub customer: Option<String>,
    /// `email`, `sms` or `all`.
    pub channel: String,
    /// `surveys` or `replies`.
    pub purpose: String,
    /// Granted or withdrawn.
    pub granted: bool,
    /// `pos`, `link`, `keyword`, `api`, `import`, `complaint`.
    pub source: String,
}

/// The data of [`INVITATION_CREATED`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct InvitationCreated {
    /// The invitation's id.
    pub invitation_id: i64,
    /// The customer's host id.
    pub customer: String,
    /// The location's host id.
    pub location: String,
    /// The sale's host id; `None` for a relationship survey.
    pub transaction: Option<String>,
    /// `transactional` or `relationship`.
    pub survey_kind: super::SurveyKind,
    /// The channel it goes out on.
    pub channel: super::Channel,
    /// The business date of the batch that created it.
    #[serde(with = "crate::wire::time::date")]
    pub business_date: chrono::NaiveDate,
    /// When it is due for delivery.
    #[serde(with = "crate::wire::time::utc")]
    pub due_at: DateTime<Utc>,
    /// `pending`, or `cancelled` when no send slot came before its link would expire.
    pub status: String,
}

/// The data of [`INVITATION_DELIVERED`] and [`INVITATION_FAILED`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct InvitationRef {
    /// The invitation's id.
    pub invitation_id: i64,
}

/// The data of [`INVITATION_CANCELLED`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct InvitationCancelled {
    /// The invitation's id.
    pub invitation_id: i64,
    /// Why: the cancel reason of its message (`refunded`, `no_send_slot`, …).
    pub reason: String,
}

/// The data of [`RESPONSE_CREATED`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ResponseCreated {
    /// The response's id.
    pub response_id: i64,
    /// Where it came from: `invitation`, `receipt` or `ereceipt`.
    pub source: String,
    /// The invitation it answers, if any.
    pub invitation_id: Option<i64>,
    /// The location's host id.
    pub location: String,
    /// The customer's host id, if known.
    pub customer: Option<String>,
    /// Complete (else the partial response of a score click).
    pub completed: bool,
}

/// The data of [`RESPONSE_COMPLETED`] and [`RESPONSE_DELETED`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ResponseRef {
    /// The response's id.
    pub response_id: i64,
}

/// The data of [`CONTACT_UNSUBSCRIBED`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ContactUnsubscribed {
    /// The customer's host id; `None` when a contact was unsubscribed by value.
    pub customer: Option<String>,
    /// `customer` (by the host), `contact` (by value), `link` (the customer's link),
    /// `complaint` (D3) or `keyword` (an SMS opt-out word, D4).
    pub source: String,
}

/// The data of [`ALERT_OPENED`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AlertOpened {
    /// The alert's id.
    pub alert_id: i64,
    /// Its kind.
    pub kind: super::AlertKind,
    /// The location's host id.
    pub location: String,
    /// The response that raised it, if any.
    pub response_id: Option<i64>,
    /// The customer's host id, if any.
    pub customer: Option<String>,
    /// Its status.
    pub status: super::AlertStatus,
}

/// The data of [`ALERT_REASSIGNED`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AlertReassigned {
    /// The alert's id.
    pub alert_id: i64,
    /// The user's host id.
    pub user: String,
}

/// The data of [`ALERT_STATUS_CHANGED`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AlertStatusChanged {
    /// The alert's id.
    pub alert_id: i64,
    /// Its new status.
    pub status: super::AlertStatus,
}

/// The data of [`CUSTOMER_ERASED`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CustomerErased {
    /// The customer's host id.
    pub customer: String,
}

/// The `data` text as a JSON object on the wire (a `String` in Rust and uniffi, which have
/// no JSON value type in common).
mod json_text {
    use serde::{Deserialize, Deserializer, Serialize, Serializer};

    pub fn serialize<S: Serializer>(text: &str, s: S) -> Result<S::Ok, S::Error> {
        let value: serde_json::Value =
            serde_json::from_str(text).map_err(serde::ser::Error::custom)?;
        value.serialize(s)
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<String, D::Error> {
        let value = serde_json::Value::deserialize(d)?;
        if !value.is_object() {
            return Err(serde::de::Error::custom("data must be a JSON object"));
        }
        Ok(value.to_string())
    }
}
