use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use super::Channel;

/// What an outbox message is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Enum))]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum MessageKind {
    /// A survey invitation (or its resend, F5).
    SurveyInvitation,
    /// Asks a respondent for a public review, a week after delivery (R1).
    ReviewReminder,
    /// Reminds a non-respondent of the survey (R2, off by default).
    SurveyReminder,
    /// Tells a user about new feedback (A2).
    FeedbackNotification,
    /// Tells a location's owners an alert is still open (A3 escalation).
    AlertEscalation,
    /// A business reply, reward or refund, or an e-mail from the dashboard (F2, A3).
    CustomerReply,
    /// The post-intervention survey after an unhappy customer's case is done (A4).
    FollowUpSurvey,
    /// The periodic relationship survey (P7), off by default.
    RelationshipSurvey,
    /// An event delivered to a webhook subscription (D2): POST `body` to the URL in
    /// [`OutboundMessage::webhook`] with its headers.
    Webhook,
    /// hearken's own answer to an inbound SMS (D4): an opt-out's confirmation or the HELP
    /// text, due at once, to the phone that wrote.
    SmsKeywordReply,
}

impl MessageKind {
    /// The stable snake_case name.
    pub fn as_str(self) -> &'static str {
        match self {
            MessageKind::SurveyInvitation => "survey_invitation",
            MessageKind::ReviewReminder => "review_reminder",
            MessageKind::SurveyReminder => "survey_reminder",
            MessageKind::FeedbackNotification => "feedback_notification",
            MessageKind::AlertEscalation => "alert_escalation",
            MessageKind::CustomerReply => "customer_reply",
            MessageKind::FollowUpSurvey => "follow_up_survey",
            MessageKind::RelationshipSurvey => "relationship_survey",
            MessageKind::Webhook => "webhook",
            MessageKind::SmsKeywordReply => "sms_keyword_reply",
        }
    }

    /// Every kind, in declaration order.
    pub const ALL: &'static [MessageKind] = &[
        MessageKind::SurveyInvitation,
        MessageKind::ReviewReminder,
        MessageKind::SurveyReminder,
        MessageKind::FeedbackNotification,
        MessageKind::AlertEscalation,
        MessageKind::CustomerReply,
        MessageKind::FollowUpSurvey,
        MessageKind::RelationshipSurvey,
        MessageKind::Webhook,
        MessageKind::SmsKeywordReply,
    ];

    /// Whether the message goes to a user of the business rather than a customer.
    pub fn to_staff(self) -> bool {
        matches!(
            self,
            MessageKind::FeedbackNotification | MessageKind::AlertEscalation
        )
    }

    /// Whether its text comes from a store template (else hearken or a user wrote it).
    pub fn templated(self) -> bool {
        matches!(
            self,
            MessageKind::SurveyInvitation
                | MessageKind::ReviewReminder
                | MessageKind::SurveyReminder
                | MessageKind::FollowUpSurvey
                | MessageKind::RelationshipSurvey
        )
    }

    /// Parses the name given by [`MessageKind::as_str`].
    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.iter().copied().find(|k| k.as_str() == s)
    }
}

/// Where an outbox message is in its life.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Enum))]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum MessageStatus {
    /// Waiting to be claimed once due.
    Pending,
    /// Claimed by the host; offered again if the lease expires without an ack.
    InFlight,
    /// Delivered; never offered again.
    Acked,
    /// Gave up after the last retry (or a permanent failure).
    Failed,
    /// Not sent: the customer unsubscribed or was excluded before it was claimed.
    Cancelled,
}

impl MessageStatus {
    /// The stable snake_case name.
    pub fn as_str(self) -> &'static str {
        match self {
            MessageStatus::Pending => "pending",
            MessageStatus::InFlight => "in_flight",
            MessageStatus::Acked => "acked",
            MessageStatus::Failed => "failed",
            MessageStatus::Cancelled => "cancelled",
        }
    }

    /// Parses the name given by [`MessageStatus::as_str`].
    pub fn parse(s: &str) -> Option<Self> {
        [
            MessageStatus::Pending,
            MessageStatus::InFlight,
            MessageStatus::Acked,
            MessageStatus::Failed,
            MessageStatus::Cancelled,
        ]
        .into_iter()
        .find(|m| m.as_str() == s)
    }
}

/// A rendered message handed to the host by `claim`, to deliver and then ack or fail.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
#[serde(deny_unknown_fields)]
pub struct OutboundMessage {
    /// Stable id: the host's idempotency key for this message.
    pub message_id: String,
    /// What the message is for.
    pub kind: MessageKind,
    /// E-mail or SMS.
    pub channel: Channel,
    /// The e-mail address or E.164 phone number to send to.
    pub recipient: String,
    /// The language the message was rendered in.
    pub language: String,
    /// Subject line (empty for SMS).
    pub subject: String,
    /// Rendered body (plain text, with the single survey link).
    pub body: String,
    /// The HTML part of a multipart e-mail (M1): invitations, reminders and follow-ups show
    /// the 0–10 scale as eleven links; `None` for SMS, staff messages and replies, and for
    /// a store template overridden without an HTML part.
    #[serde(default)]
    pub html_body: Option<String>,
    /// The survey link in the body (valid until `survey_link_expires_at`).
    pub survey_link: Option<String>,
    /// When the survey link stops working (F6).
    pub survey_link_expires_at: Option<DateTime<Utc>>,
    /// The unsubscribe link in the body (never expires).
    pub unsubscribe_link: Option<String>,
    /// The Reply-To address of a customer reply: answers to it come back to the thread.
    pub reply_to: Option<String>,
    /// Host id of the customer; `None` for a message to staff.
    pub customer: Option<String>,
    /// Host id of the user, for a message to staff.
    pub user: Option<String>,
    /// Host id of the location; none for a message that belongs to no location (a
    /// webhook, D2; a keyword reply to a phone, D4).
    pub location: Option<String>,
    /// For a `webhook` message (D2): where to POST `body` and the three headers, signed
    /// by this claim (`recipient` is the URL too; `channel` means nothing for it).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub webhook: Option<super::WebhookDelivery>,
    /// The invitation this message delivers.
    pub invitation_id: Option<i64>,
    /// The alert this message is about.
    pub alert_id: Option<i64>,
    /// 1 for the first delivery attempt.
    pub attempt: u32,
    /// If not acked by then, the message is offered again.
    pub lease_until: DateTime<Utc>,
}

/// What `fail` decided.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Enum))]
#[serde(rename_all = "snake_case", tag = "outcome")]
pub enum FailOutcome {
    /// Offered again at `retry_at`.
    Retry {
        /// When the message becomes due again.
        retry_at: DateTime<Utc>,
    },
    /// No more retries: the message is failed and its invitation releases the cooldown.
    Failed,
}

/// What became of one message id of a batch ack (`Engine::ack_many`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Enum))]
#[serde(rename_all = "snake_case")]
pub enum AckStatus {
    /// Recorded as delivered by this call.
    Acked,
    /// It was acked before: nothing changed (acking twice is fine, as with one ack).
    AlreadyAcked,
    /// It cannot be acked: never claimed, or cancelled before delivery (T8).
    Conflict,
    /// No message has this id.
    NotFound,
}

impl AckStatus {
    /// Stable name, as in the JSON.
    pub fn as_str(self) -> &'static str {
        match self {
            AckStatus::Acked => "acked",
            AckStatus::AlreadyAcked => "already_acked",
            AckStatus::Conflict => "conflict",
            AckStatus::NotFound => "not_found",
        }
    }

    /// Whether the message now stands delivered (acked by this call or before).
    pub fn is_ok(self) -> bool {
        matches!(self, AckStatus::Acked | AckStatus::AlreadyAcked)
    }
}

/// The outcome of one message id of a batch ack, in the order the ids were given.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
#[serde(deny_unknown_fields)]
pub struct AckOutcome {
    /// The id as given (an id longer than 64 bytes is not echoed: empty).
    pub message_id: String,
    /// What became of it.
    pub status: AckStatus,
    /// Why, for a conflict (the text a single ack's error carries); otherwise absent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub detail: Option<String>,
}

/// A store override of a shipped template (or the shipped one, as read back).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
#[serde(deny_unknown_fields)]
pub struct Template {
    /// Message kind.
    pub kind: MessageKind,
    /// Channel.
    pub channel: Channel,
    /// Lower-case BCP 47 language (`fr`, `fr-ca`).
    pub language: String,
    /// Subject (e-mail); placeholders allowed.
    pub subject: String,
    /// Body; must contain `{survey_link}` and `{unsubscribe_link}`.
    pub body: String,
    /// The HTML part of an e-mail (M1); must contain `{score_scale}` (the eleven score
    /// links) and `{unsubscribe_link}`, or for a review reminder `{review_link}` and
    /// `{unsubscribe_link}`. `None`: the e-mail is plain text only. SMS have none.
    #[serde(default)]
    #[cfg_attr(feature = "uniffi", uniffi(default))]
    pub html: Option<String>,
}

/// Messages by status, for a delivery dashboard.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
pub struct OutboxCounts {
    /// Waiting.
    pub pending: u64,
    /// Claimed, not yet acked.
    pub in_flight: u64,
    /// Delivered.
    pub acked: u64,
    /// Gave up.
    pub failed: u64,
    /// Not sent.
    pub cancelled: u64,
}
