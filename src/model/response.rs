use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

/// One answer to one question; a question left out was skipped (not a response).
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
#[serde(deny_unknown_fields)]
pub struct Answer {
    /// The question's id.
    pub question: String,
    /// NPS 0–10 or stars 1..=scale.
    #[serde(default)]
    #[cfg_attr(feature = "uniffi", uniffi(default))]
    pub score: Option<u32>,
    /// The chosen option's id.
    #[serde(default)]
    #[cfg_attr(feature = "uniffi", uniffi(default))]
    pub choice: Option<String>,
    /// A comment.
    #[serde(default)]
    #[cfg_attr(feature = "uniffi", uniffi(default))]
    pub text: Option<String>,
    /// Facets chosen.
    #[serde(default)]
    #[cfg_attr(feature = "uniffi", uniffi(default))]
    pub facets: Vec<String>,
}

/// A customer's answers to the survey.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
#[serde(deny_unknown_fields)]
pub struct ResponseInput {
    /// The answers, at most one per question.
    pub answers: Vec<Answer>,
    /// The customer agrees to be replied to (F2).
    #[serde(default)]
    #[cfg_attr(feature = "uniffi", uniffi(default))]
    pub consent_to_reply: bool,
}

/// Where an NPS answer falls (N1).
pub use crate::rules::score::NpsCategory;

/// What hearken concluded from a response.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
#[serde(deny_unknown_fields)]
pub struct ResponseOutcome {
    /// The stored response's id.
    pub response_id: i64,
    /// The NPS category, if the NPS question was answered.
    pub nps_category: Option<NpsCategory>,
    /// The main score on base 10 (N6): the NPS answer, else the rating.
    pub score_base10: Option<f64>,
    /// An unhappy customer (N4).
    pub unhappy: bool,
    /// Show this review link now (N3), if any.
    pub review_link: Option<String>,
    /// The alert an unhappy answer raised (A1), or the case a post-intervention answer
    /// follows up (A4; `response_id` is then the original response).
    pub alert_id: Option<i64>,
}

/// How a piece of feedback felt (F1).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Enum))]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum Sentiment {
    /// Thumbs up on an e-receipt.
    Positive,
    /// Thumbs down on an e-receipt.
    Negative,
    /// Not from an e-receipt.
    Unknown,
}

impl Sentiment {
    /// The stable snake_case name.
    pub fn as_str(self) -> &'static str {
        match self {
            Sentiment::Positive => "positive",
            Sentiment::Negative => "negative",
            Sentiment::Unknown => "unknown",
        }
    }
}

/// E-receipt feedback (F1): a sentiment, facets and a comment, maybe from a known customer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
#[serde(deny_unknown_fields)]
pub struct FeedbackInput {
    /// Host id of the location.
    pub location: String,
    /// Host id of the transaction, if the receipt is known.
    #[serde(default)]
    #[cfg_attr(feature = "uniffi", uniffi(default))]
    pub transaction: Option<String>,
    /// Host id of the customer, if known.
    #[serde(default)]
    #[cfg_attr(feature = "uniffi", uniffi(default))]
    pub customer: Option<String>,
    /// Positive or negative.
    pub sentiment: Sentiment,
    /// Facets from the business type's list.
    #[serde(default)]
    #[cfg_attr(feature = "uniffi", uniffi(default))]
    pub facets: Vec<String>,
    /// Comment.
    #[serde(default)]
    #[cfg_attr(feature = "uniffi", uniffi(default))]
    pub comment: Option<String>,
    /// The customer agrees to be replied to (F2).
    #[serde(default)]
    #[cfg_attr(feature = "uniffi", uniffi(default))]
    pub consent_to_reply: bool,
}

/// Who is offered the review link after a response (N3).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Enum))]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum ReviewMode {
    /// Promoters (9 and 10). The threshold is fixed.
    Promoters,
    /// Every respondent: Google's policy forbids soliciting only positive reviews.
    Everyone,
}

/// Store-wide settings of responses, reviews and reminders.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
#[serde(deny_unknown_fields, default)]
pub struct FeedbackSettings {
    /// Who is offered the review link (N3).
    pub review_mode: ReviewMode,
    /// A rating at or below this many stars is unhappy (N4, default 2 of 5).
    pub unhappy_stars: u32,
    /// Days after delivery for the one reminder to non-respondents (R2); 0 = off.
    pub non_respondent_reminder_days: u32,
}

impl Default for FeedbackSettings {
    fn default() -> Self {
        FeedbackSettings {
            review_mode: ReviewMode::Promoters,
            unhappy_stars: 2,
            non_respondent_reminder_days: 0,
        }
    }
}

/// Which responses a score covers; absent bounds are open.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
#[serde(deny_unknown_fields, default)]
pub struct ScoreQuery {
    /// Host id of one location, or all.
    #[cfg_attr(feature = "uniffi", uniffi(default))]
    pub location: Option<String>,
    /// Responses at or after this instant.
    #[serde(with = "crate::wire::time::utc_opt")]
    #[cfg_attr(feature = "uniffi", uniffi(default, name = "starts_at"))]
    pub from: Option<DateTime<Utc>>,
    /// Responses before this instant.
    #[serde(with = "crate::wire::time::utc_opt")]
    #[cfg_attr(feature = "uniffi", uniffi(default, name = "ends_at"))]
    pub to: Option<DateTime<Utc>>,
}

/// NPS of a scope (N1): the counts and the exact value; none without answers.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
#[serde(deny_unknown_fields)]
pub struct NpsSummary {
    /// Answers 9–10.
    pub promoters: u64,
    /// Answers 7–8.
    pub passives: u64,
    /// Answers 0–6.
    pub detractors: u64,
    /// % promoters − % detractors; `None` with no answers.
    pub nps: Option<f64>,
}

/// Star ratings of a scope (N5).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
#[serde(deny_unknown_fields)]
pub struct RatingSummary {
    /// Rated responses (anonymous ones included).
    pub responses: u64,
    /// Average on base 10 (N6); `None` without ratings.
    pub average_base10: Option<f64>,
    /// Invitations delivered in the period.
    pub delivered: u64,
    /// Of those, answered so far.
    pub answered: u64,
    /// `answered / delivered`; `None` when nothing was delivered.
    pub response_rate: Option<f64>,
}

/// A receipt link: its own token, one anonymous response (F6).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
#[serde(deny_unknown_fields)]
pub struct ReceiptLink {
    /// The link to print on the receipt.
    pub url: String,
    /// When it stops working.
    pub expires_at: DateTime<Utc>,
}

/// The audit record a response deletion leaves (F3).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
#[serde(deny_unknown_fields)]
pub struct ResponseDeletion {
    /// The deleted response's id.
    pub response_id: i64,
    /// Host id of its customer (none when anonymous).
    pub customer: Option<String>,
    /// When it was given.
    pub responded_at: DateTime<Utc>,
    /// Its main score on base 10.
    pub score_base10: Option<f64>,
    /// The admin who deleted it.
    pub deleted_by: String,
    /// When.
    pub deleted_at: DateTime<Utc>,
}
