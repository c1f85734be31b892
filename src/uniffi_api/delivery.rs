//! Mirrors of the delivery outbox (issue 5): claimed messages, fail outcomes, templates,
//! delivery settings, suppression bundles and outbox counts.

use crate::model as m;

use super::config::Channel;
use super::time;

/// What an outbox message is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, uniffi::Enum)]
pub enum MessageKind {
    /// A survey invitation (or its resend, F5).
    SurveyInvitation,
    /// Asks a respondent for a public review, a week after delivery (R1).
    ReviewReminder,
    /// Reminds a non-respondent of the survey (R2).
    SurveyReminder,
    /// Tells a user about new feedback (A2).
    FeedbackNotification,
    /// Tells a location's owners an alert is still open (A3 escalation).
    AlertEscalation,
    /// A business reply, reward or refund, or an e-mail from the dashboard (F2, A3).
    CustomerReply,
    /// The post-intervention survey (A4).
    FollowUpSurvey,
}

impl From<m::MessageKind> for MessageKind {
    fn from(k: m::MessageKind) -> Self {
        match k {
            m::MessageKind::SurveyInvitation => MessageKind::SurveyInvitation,
            m::MessageKind::ReviewReminder => MessageKind::ReviewReminder,
            m::MessageKind::SurveyReminder => MessageKind::SurveyReminder,
            m::MessageKind::FeedbackNotification => MessageKind::FeedbackNotification,
            m::MessageKind::AlertEscalation => MessageKind::AlertEscalation,
            m::MessageKind::CustomerReply => MessageKind::CustomerReply,
            m::MessageKind::FollowUpSurvey => MessageKind::FollowUpSurvey,
        }
    }
}

impl From<MessageKind> for m::MessageKind {
    fn from(k: MessageKind) -> Self {
        match k {
            MessageKind::SurveyInvitation => m::MessageKind::SurveyInvitation,
            MessageKind::ReviewReminder => m::MessageKind::ReviewReminder,
            MessageKind::SurveyReminder => m::MessageKind::SurveyReminder,
            MessageKind::FeedbackNotification => m::MessageKind::FeedbackNotification,
            MessageKind::AlertEscalation => m::MessageKind::AlertEscalation,
            MessageKind::CustomerReply => m::MessageKind::CustomerReply,
            MessageKind::FollowUpSurvey => m::MessageKind::FollowUpSurvey,
        }
    }
}

#[uniffi::export]
impl MessageKind {
    /// The stable snake_case name, as in JSON (`survey_invitation`).
    pub fn code_name(&self) -> String {
        m::MessageKind::from(*self).as_str().to_owned()
    }
}

/// Where an outbox message is in its life.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, uniffi::Enum)]
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

impl From<m::MessageStatus> for MessageStatus {
    fn from(s: m::MessageStatus) -> Self {
        match s {
            m::MessageStatus::Pending => MessageStatus::Pending,
            m::MessageStatus::InFlight => MessageStatus::InFlight,
            m::MessageStatus::Acked => MessageStatus::Acked,
            m::MessageStatus::Failed => MessageStatus::Failed,
            m::MessageStatus::Cancelled => MessageStatus::Cancelled,
        }
    }
}

impl From<MessageStatus> for m::MessageStatus {
    fn from(s: MessageStatus) -> Self {
        match s {
            MessageStatus::Pending => m::MessageStatus::Pending,
            MessageStatus::InFlight => m::MessageStatus::InFlight,
            MessageStatus::Acked => m::MessageStatus::Acked,
            MessageStatus::Failed => m::MessageStatus::Failed,
            MessageStatus::Cancelled => m::MessageStatus::Cancelled,
        }
    }
}

#[uniffi::export]
impl MessageStatus {
    /// The stable snake_case name, as in JSON and the database (`in_flight`).
    pub fn code_name(&self) -> String {
        m::MessageStatus::from(*self).as_str().to_owned()
    }
}

/// A rendered message handed to the host by `claim`, to deliver and then ack or fail.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct OutboundMessage {
    /// Stable id: the host's idempotency key for this message.
    pub message_id: String,
    /// What the message is for.
    pub kind: MessageKind,
    /// E-mail or SMS.
    pub channel: Channel,
    /// The e-mail address or E.164 phone number to send to.
    pub recipient: String,
    /// The language the message was rendered in (the template's, after fallback).
    pub language: String,
    /// Subject line (empty for SMS).
    pub subject: String,
    /// Rendered body.
    pub body: String,
    /// The survey link in the body (valid until `survey_link_expires_at_ms`).
    pub survey_link: Option<String>,
    /// When the survey link stops working (F6), Unix milliseconds.
    pub survey_link_expires_at_ms: Option<i64>,
    /// The unsubscribe link in the body (never expires); its last path segment is the
    /// token `unsubscribe_by_token` takes.
    pub unsubscribe_link: Option<String>,
    /// Host id of the customer.
    pub customer: Option<String>,
    /// Host id of the user, for a message to staff.
    pub user: Option<String>,
    /// The Reply-To address of a customer reply; answers to it come back to the thread.
    pub reply_to: Option<String>,
    /// Host id of the location.
    pub location: String,
    /// The invitation this message delivers (what `resend` takes).
    pub invitation_id: Option<i64>,
    /// The alert this message is about.
    pub alert_id: Option<i64>,
    /// 1 for the first delivery attempt.
    pub attempt: u32,
    /// If not acked by then, the message is offered again; Unix milliseconds.
    pub lease_until_ms: i64,
}

impl From<m::OutboundMessage> for OutboundMessage {
    fn from(o: m::OutboundMessage) -> Self {
        OutboundMessage {
            message_id: o.message_id,
            kind: o.kind.into(),
            channel: o.channel.into(),
            recipient: o.recipient,
            language: o.language,
            subject: o.subject,
            body: o.body,
            survey_link: o.survey_link,
            survey_link_expires_at_ms: o.survey_link_expires_at.map(time::ms),
            unsubscribe_link: o.unsubscribe_link,
            customer: o.customer,
            user: o.user,
            reply_to: o.reply_to,
            location: o.location,
            invitation_id: o.invitation_id,
            alert_id: o.alert_id,
            attempt: o.attempt,
            lease_until_ms: time::ms(o.lease_until),
        }
    }
}

/// What `fail` decided.
#[derive(Debug, Clone, Copy, PartialEq, Eq, uniffi::Enum)]
pub enum FailOutcome {
    /// Offered again at `retry_at_ms`.
    Retry {
        /// When the message becomes due again, Unix milliseconds.
        retry_at_ms: i64,
    },
    /// No more retries: the message is failed and its invitation releases the cooldown.
    Failed,
}

impl From<m::FailOutcome> for FailOutcome {
    fn from(o: m::FailOutcome) -> Self {
        match o {
            m::FailOutcome::Retry { retry_at } => FailOutcome::Retry {
                retry_at_ms: time::ms(retry_at),
            },
            m::FailOutcome::Failed => FailOutcome::Failed,
        }
    }
}

/// A message template: a store override to set, or the effective one read back.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct Template {
    /// Message kind.
    pub kind: MessageKind,
    /// Channel.
    pub channel: Channel,
    /// BCP 47 language (`fr`, `fr-CA`); stored lower-case.
    pub language: String,
    /// Subject (e-mail); placeholders allowed: `{first_name}`, `{location}`,
    /// `{survey_link}`, `{unsubscribe_link}`.
    pub subject: String,
    /// Body; must contain `{survey_link}` and `{unsubscribe_link}`.
    pub body: String,
}

impl From<m::Template> for Template {
    fn from(t: m::Template) -> Self {
        Template {
            kind: t.kind.into(),
            channel: t.channel.into(),
            language: t.language,
            subject: t.subject,
            body: t.body,
        }
    }
}

impl From<Template> for m::Template {
    fn from(t: Template) -> Self {
        m::Template {
            kind: t.kind.into(),
            channel: t.channel.into(),
            language: t.language,
            subject: t.subject,
            body: t.body,
        }
    }
}

/// Store-wide delivery settings: links, leases and retries of the outbox. Start from
/// `default_delivery_settings()` and change what differs.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct DeliverySettings {
    /// Base URL of survey and unsubscribe links (`{base}/s/{token}`, `{base}/u/{token}`).
    pub link_base_url: String,
    /// Days a survey link stays valid (F6); unsubscribe links never expire.
    pub survey_link_days: u32,
    /// Seconds a claimed message stays leased before it is offered again.
    pub lease_seconds: u32,
    /// Delivery attempts before a message is failed for good.
    pub max_attempts: u32,
    /// First retry delay in seconds; each later retry doubles it (capped at 6 hours).
    pub retry_base_seconds: u32,
    /// Vendor-wide secret mixed into exported suppression hashes, so the stores of one
    /// vendor match each other's lists and outsiders cannot reverse them.
    pub suppression_pepper: String,
}

impl From<m::DeliverySettings> for DeliverySettings {
    fn from(s: m::DeliverySettings) -> Self {
        DeliverySettings {
            link_base_url: s.link_base_url,
            survey_link_days: s.survey_link_days,
            lease_seconds: s.lease_seconds,
            max_attempts: s.max_attempts,
            retry_base_seconds: s.retry_base_seconds,
            suppression_pepper: s.suppression_pepper,
        }
    }
}

impl From<DeliverySettings> for m::DeliverySettings {
    fn from(s: DeliverySettings) -> Self {
        m::DeliverySettings {
            link_base_url: s.link_base_url,
            survey_link_days: s.survey_link_days,
            lease_seconds: s.lease_seconds,
            max_attempts: s.max_attempts,
            retry_base_seconds: s.retry_base_seconds,
            suppression_pepper: s.suppression_pepper,
        }
    }
}

/// The delivery settings a new store starts with.
#[uniffi::export]
pub fn default_delivery_settings() -> DeliverySettings {
    m::DeliverySettings::default().into()
}

/// A store's suppression list as it travels between stores: hashed contacts only.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct SuppressionBundle {
    /// Bundle format version: 1.
    pub format: u32,
    /// Lower-case hex SHA-256 of pepper, kind (`email`/`phone`) and normalised contact.
    pub hashes: Vec<String>,
}

impl From<m::SuppressionBundle> for SuppressionBundle {
    fn from(b: m::SuppressionBundle) -> Self {
        SuppressionBundle {
            format: b.format,
            hashes: b.hashes,
        }
    }
}

impl From<SuppressionBundle> for m::SuppressionBundle {
    fn from(b: SuppressionBundle) -> Self {
        m::SuppressionBundle {
            format: b.format,
            hashes: b.hashes,
        }
    }
}

/// Outbox messages by status, for a delivery dashboard.
#[derive(Debug, Clone, Copy, PartialEq, Eq, uniffi::Record)]
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

impl From<m::OutboxCounts> for OutboxCounts {
    fn from(c: m::OutboxCounts) -> Self {
        OutboxCounts {
            pending: c.pending,
            in_flight: c.in_flight,
            acked: c.acked,
            failed: c.failed,
            cancelled: c.cancelled,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn enums_round_trip_and_keep_their_names() {
        for s in [
            m::MessageStatus::Pending,
            m::MessageStatus::InFlight,
            m::MessageStatus::Acked,
            m::MessageStatus::Failed,
            m::MessageStatus::Cancelled,
        ] {
            let mirrored = MessageStatus::from(s);
            assert_eq!(m::MessageStatus::from(mirrored), s);
            assert_eq!(mirrored.code_name(), s.as_str());
        }
        let k = MessageKind::from(m::MessageKind::SurveyInvitation);
        assert_eq!(m::MessageKind::from(k), m::MessageKind::SurveyInvitation);
        assert_eq!(k.code_name(), "survey_invitation");
    }

    #[test]
    fn settings_templates_and_bundles_round_trip() {
        let s = m::DeliverySettings {
            suppression_pepper: "pepper".into(),
            max_attempts: 3,
            ..m::DeliverySettings::default()
        };
        assert_eq!(
            m::DeliverySettings::from(DeliverySettings::from(s.clone())),
            s
        );
        let t = m::Template {
            kind: m::MessageKind::SurveyInvitation,
            channel: m::Channel::Sms,
            language: "fr-ca".into(),
            subject: String::new(),
            body: "{survey_link} {unsubscribe_link}".into(),
        };
        assert_eq!(m::Template::from(Template::from(t.clone())), t);
        let b = m::SuppressionBundle {
            format: 1,
            hashes: vec!["ab".repeat(32)],
        };
        assert_eq!(
            m::SuppressionBundle::from(SuppressionBundle::from(b.clone())),
            b
        );
    }

    #[test]
    fn fail_outcome_carries_the_retry_instant_in_milliseconds() {
        let at = chrono::DateTime::from_timestamp_millis(1_795_251_900_000).unwrap();
        assert_eq!(
            FailOutcome::from(m::FailOutcome::Retry { retry_at: at }),
            FailOutcome::Retry {
                retry_at_ms: 1_795_251_900_000
            }
        );
        assert_eq!(
            FailOutcome::from(m::FailOutcome::Failed),
            FailOutcome::Failed
        );
    }
}
