//! The responses area of the storage seam: its trait and the rows it speaks.

use crate::error::Result;
use crate::model::{ResponseDeletion, ScoreQuery, Survey};
use crate::rules::score::NpsCounts;
use crate::rules::token::TokenKey;

/// A survey-link token's invitation context.
#[derive(Debug, Clone)]
pub struct SurveyLink {
    /// The invitation.
    pub invitation: i64,
    /// Its customer.
    pub customer: i64,
    /// Its transaction.
    pub transaction: Option<i64>,
    /// Its location.
    pub location: i64,
    /// Its language.
    pub language: String,
    /// When the link expires.
    pub expires_at: Option<i64>,
    /// When it was used, if it was.
    pub used_at: Option<i64>,
}

/// A stored receipt link.
#[derive(Debug, Clone, Copy)]
pub struct ReceiptLinkRow {
    /// Location row id.
    pub location: i64,
    /// Transaction row id, if the receipt is known.
    pub transaction: Option<i64>,
    /// Expiry (ms).
    pub expires_at: i64,
    /// When it was used (ms), if it was.
    pub used_at: Option<i64>,
}

/// A response to store.
#[derive(Debug, Clone)]
pub struct ResponseRow {
    /// `invitation`, `receipt` or `ereceipt`.
    pub source: &'static str,
    /// The invitation answered.
    pub invitation: Option<i64>,
    /// Location row id.
    pub location: i64,
    /// Customer row id (none when anonymous).
    pub customer: Option<i64>,
    /// Transaction row id.
    pub transaction: Option<i64>,
    /// NPS answer.
    pub nps: Option<u8>,
    /// Stars and scale.
    pub rating: Option<(u32, u32)>,
    /// Main score on base 10.
    pub score_base10: Option<f64>,
    /// Unhappy customer.
    pub unhappy: bool,
    /// `positive`, `negative` or `unknown`.
    pub sentiment: &'static str,
    /// Facets as a JSON array.
    pub facets_json: String,
    /// Comment.
    pub comment: Option<String>,
    /// All answers as JSON.
    pub answers_json: String,
    /// Consent to replies.
    pub consent_to_reply: bool,
    /// The review link was offered.
    pub review_link_shown: bool,
    /// Complete: false for the partial response a score click stores (M1).
    pub completed: bool,
}

/// A delivered invitation whose reminder is not decided yet.
#[derive(Debug, Clone)]
pub struct ReminderCandidate {
    /// Invitation row id.
    pub invitation: i64,
    /// Customer row id.
    pub customer: i64,
    /// Location row id.
    pub location: i64,
    /// Channel.
    pub channel: String,
    /// Language.
    pub language: String,
    /// Delivery instant (ms).
    pub delivered_at: i64,
    /// Response instant (ms) and NPS answer, if answered.
    pub answered: Option<(i64, Option<u8>)>,
    /// A review was confirmed.
    pub review_confirmed: bool,
    /// The location has a review link.
    pub has_review_link: bool,
}

/// What responses need of a location.
#[derive(Debug, Clone)]
pub struct LocationInfo {
    /// Host id.
    pub host_id: String,
    /// Display name.
    pub name: String,
    /// Public review link.
    pub review_link: Option<String>,
    /// Business type (chooses the facet list).
    pub business_type: Option<String>,
}

/// The responses a store keeps (mirrors `store/sqlite/responses.rs`).
pub trait ResponseStore {
    /// The store's survey, if one was set.
    fn get_survey(&mut self) -> Result<Option<Survey>>;

    /// Replaces the store's survey.
    fn set_survey(&mut self, s: &Survey) -> Result<()>;

    /// Whether a location takes e-receipt feedback (on unless switched off).
    fn feedback_enabled(&mut self, location: i64) -> Result<bool>;

    /// Switches a location's e-receipt feedback on or off. Only "off" is stored: "on" is no
    /// row, as for a location never switched, so switching on what is on changes nothing (T12).
    fn set_feedback_enabled(&mut self, location: i64, enabled: bool) -> Result<()>;

    /// The invitation behind a survey-link token.
    fn survey_link(&mut self, hash: &TokenKey) -> Result<Option<SurveyLink>>;

    /// Marks a survey-link token used.
    fn mark_survey_link_used(&mut self, hash: &TokenKey, now_ms: i64) -> Result<()>;

    /// A receipt link by its token hash.
    fn receipt_link(&mut self, hash: &TokenKey) -> Result<Option<ReceiptLinkRow>>;

    /// Stores a new receipt link's hash.
    fn insert_receipt_link(
        &mut self,
        hash: &TokenKey,
        location: i64,
        transaction: Option<i64>,
        now_ms: i64,
        expires_ms: i64,
    ) -> Result<()>;

    /// Marks a receipt link used.
    fn mark_receipt_link_used(&mut self, hash: &TokenKey, now_ms: i64) -> Result<()>;

    /// Stores a response and returns its id.
    fn insert_response(&mut self, r: &ResponseRow, now_ms: i64) -> Result<i64>;

    /// Deletes a response, keeping an audit row of customer, date and score (F3).
    fn delete_response(&mut self, id: i64, by: &str, now_ms: i64) -> Result<bool>;

    /// Every deletion audit record, oldest first (F3).
    fn deletion_audit(&mut self) -> Result<Vec<ResponseDeletion>>;

    /// Records a review-link click or a confirmed review on a response; false if unknown.
    fn mark_review(&mut self, id: i64, confirmed: bool, now_ms: i64) -> Result<bool>;

    /// NPS answers of a scope, by category (N1).
    fn nps_counts(&mut self, q: &ScoreQuery) -> Result<NpsCounts>;

    /// Rated responses and their base-10 average; invitations delivered in the period and
    /// how many of them are answered (N5).
    fn rating_figures(&mut self, q: &ScoreQuery) -> Result<(u64, Option<f64>, u64, u64)>;

    /// Delivered invitations with no reminder decision, delivered at or before `cutoff_ms`.
    fn reminder_candidates(&mut self, cutoff_ms: i64) -> Result<Vec<ReminderCandidate>>;

    /// Records that an invitation's reminder is decided (at most one, ever).
    fn mark_reminder_decided(&mut self, invitation: i64) -> Result<()>;

    /// The response to a reminder's invitation: (answered, review confirmed).
    fn invitation_response_state(&mut self, invitation: i64) -> Result<(bool, bool)>;

    /// A location by row id.
    fn location_info(&mut self, rowid: i64) -> Result<Option<LocationInfo>>;

    /// The row id of a transaction by host id.
    fn transaction_rowid(&mut self, host_id: &str) -> Result<Option<i64>>;
}
