//! Inbound SMS (D4): a text message a customer sent to the store's number, as the host's
//! SMS provider hands it over, and what hearken did with it.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

/// An inbound SMS as the provider's webhook reports it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
#[serde(deny_unknown_fields)]
pub struct InboundSms {
    /// The sender's phone number (E.164, or local in the store's `default_country_code`).
    pub from: String,
    /// The message text, at most [`MAX_INBOUND_SMS_CHARS`] characters.
    pub body: String,
    /// When the provider received it (the call's `now`).
    #[serde(with = "crate::wire::time::utc")]
    pub received_at: DateTime<Utc>,
}

/// Longest inbound SMS body accepted, in characters (a long, concatenated SMS is at most
/// ten segments of 160).
pub const MAX_INBOUND_SMS_CHARS: usize = 1600;

/// What an inbound SMS did (D4).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Enum))]
#[serde(tag = "outcome", rename_all = "snake_case", deny_unknown_fields)]
#[non_exhaustive]
pub enum SmsOutcome {
    /// An opt-out word: the phone is suppressed for SMS (source `keyword`).
    OptedOut {
        /// The matched word or phrase, normalised.
        keyword: String,
        /// The confirmation queued (none when the phone was keyword-suppressed already).
        confirmation_id: Option<String>,
    },
    /// START or UNSTOP: the phone's keyword suppressions are lifted (never another kind).
    OptedIn {
        /// Whether the phone's suppression was lifted: only a keyword had asked for it (a
        /// link's, the host's or a complaint's ask holds, and START withdrew the keyword's).
        lifted: bool,
    },
    /// HELP: the help text is queued.
    HelpQueued {
        /// The queued message.
        message_id: String,
    },
    /// A bare score answered the latest open SMS invitation to the phone.
    Answered {
        /// The stored response.
        response_id: i64,
    },
    /// A bare score, but no unanswered, unexpired SMS invitation to the phone.
    NoOpenSurvey,
    /// Anything else: kept as an inbound reply.
    KeptAsReply {
        /// The stored reply.
        reply_id: i64,
    },
}

impl SmsOutcome {
    /// The kind of reply, as the `sms.received.v1` event names it.
    pub fn kind(&self) -> &'static str {
        match self {
            SmsOutcome::OptedOut { .. } => "opt_out",
            SmsOutcome::OptedIn { .. } => "opt_in",
            SmsOutcome::HelpQueued { .. } => "help",
            SmsOutcome::Answered { .. } => "score",
            SmsOutcome::NoOpenSurvey => "score_without_survey",
            SmsOutcome::KeptAsReply { .. } => "reply",
        }
    }
}
