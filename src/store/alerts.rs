//! The alerts area of the storage seam: its trait and the rows it speaks.

use crate::error::Result;
use crate::model::{
    Alert, AlertKind, AlertStatus, AtRiskCustomer, Author, CommentKind, Interaction,
    InteractionMethod, ThreadComment,
};
use crate::rules::token::TokenKey;

/// An alert to raise.
#[derive(Debug, Clone)]
pub struct NewAlert<'a> {
    /// Kind.
    pub kind: AlertKind,
    /// Location row id.
    pub location: i64,
    /// Customer row id.
    pub customer: Option<i64>,
    /// Response id.
    pub response: Option<i64>,
    /// Assigned user row id.
    pub user: Option<i64>,
    /// What a store alert is about.
    pub detail: &'a str,
}

/// An alert with the row ids the engine needs.
#[derive(Debug, Clone)]
pub struct AlertRow {
    /// The alert as the dashboard shows it.
    pub alert: Alert,
    /// Location row id.
    pub location: i64,
    /// Customer row id; `None` for an anonymous response or a store alert.
    pub customer: Option<i64>,
}

/// Row-id filters of an alert listing.
#[derive(Debug, Clone, Default)]
pub struct AlertFilter {
    /// Statuses to include.
    pub statuses: Vec<AlertStatus>,
    /// Kind.
    pub kind: Option<AlertKind>,
    /// Location row id.
    pub location: Option<i64>,
    /// Assigned user row id.
    pub user: Option<i64>,
}

/// Which time stamp [`stamp_alert`] sets.
#[derive(Debug, Clone, Copy)]
pub enum AlertStamp {
    /// `escalated_at`.
    Escalated,
    /// `follow_up_at`.
    FollowUp,
}

/// An unfinished alert due for escalation.
#[derive(Debug, Clone)]
pub struct Overdue {
    /// Alert id.
    pub id: i64,
    /// Location row id.
    pub location: i64,
    /// Location display name.
    pub location_name: String,
    /// What the alert is about.
    pub detail: String,
    /// When it was raised (Unix ms).
    pub created_ms: i64,
}

/// A post-intervention survey link.
#[derive(Debug, Clone)]
pub struct FollowUpLink {
    /// The alert.
    pub alert: i64,
    /// Its location row id.
    pub location: i64,
    /// When the link expires.
    pub expires_at: Option<i64>,
    /// When it was used.
    pub used_at: Option<i64>,
    /// The alert already has its complete follow-up answer.
    pub answered: bool,
    /// The score a click in the e-mail recorded (M1), while the answer is partial.
    pub clicked_score: Option<u32>,
    /// The customer's language.
    pub language: Option<String>,
}

/// A comment to add to a thread.
#[derive(Debug, Clone)]
pub struct NewComment<'a> {
    /// The conversation (response id).
    pub response: i64,
    /// Customer or business.
    pub author: Author,
    /// Comment, reply, reward or refund.
    pub kind: CommentKind,
    /// Text.
    pub body: &'a str,
    /// Coupon code.
    pub coupon_code: Option<&'a str>,
    /// Refund amount.
    pub amount_minor: Option<i64>,
    /// Refund currency.
    pub currency: Option<&'a str>,
    /// User row id.
    pub user: Option<i64>,
}

/// What replying to a response needs to know.
#[derive(Debug, Clone)]
pub struct ResponseContact {
    /// Location row id.
    pub location: i64,
    /// Customer row id, unless anonymous.
    pub customer: Option<i64>,
    /// The customer's normalised e-mail.
    pub email: Option<String>,
    /// The customer's language.
    pub language: Option<String>,
    /// The customer agreed to be replied to (F2).
    pub consent: bool,
    /// The alert the response raised, if any.
    pub alert: Option<i64>,
}

/// The alerts a store keeps (mirrors `store/sqlite/alerts.rs`).
pub trait AlertStore {
    /// Raises an alert, open.
    fn insert_alert(&mut self, a: &NewAlert<'_>, now_ms: i64) -> Result<i64>;

    /// One alert by id.
    fn get_alert(&mut self, id: i64) -> Result<Option<AlertRow>>;

    /// Alerts matching `f`, oldest first.
    fn list_alerts(&mut self, f: &AlertFilter) -> Result<Vec<Alert>>;

    /// Moves an alert to `status`, stamping `closed_at` when done.
    fn set_alert_status(&mut self, id: i64, status: AlertStatus, now_ms: i64) -> Result<()>;

    /// Gives an alert to another user.
    fn set_alert_user(&mut self, id: i64, user: i64, now_ms: i64) -> Result<()>;

    /// Replaces what a store alert is about.
    fn set_alert_detail(&mut self, id: i64, detail: &str, now_ms: i64) -> Result<()>;

    /// Stamps when the owners were told, or when the follow-up survey was queued.
    fn stamp_alert(&mut self, id: i64, column: AlertStamp, now_ms: i64) -> Result<()>;

    /// The unfinished alert of a store-level kind at a location.
    fn open_store_alert(&mut self, kind: AlertKind, location: i64) -> Result<Option<i64>>;

    /// Unfinished, not yet escalated alerts raised at or before `cutoff_ms`.
    /// Walks `alerts_escalation` (only open, unescalated alerts), oldest first.
    fn escalation_candidates(&mut self, cutoff_ms: i64) -> Result<Vec<Overdue>>;

    /// Records an interaction on an alert.
    fn insert_interaction(
        &mut self,
        alert: i64,
        method: InteractionMethod,
        note: &str,
        author: Author,
        user: Option<i64>,
        now_ms: i64,
    ) -> Result<i64>;

    /// An alert's interactions, oldest first.
    fn interactions(&mut self, alert: i64) -> Result<Vec<Interaction>>;

    /// Records the answer to a post-intervention survey (A4).
    fn insert_follow_up(
        &mut self,
        alert: i64,
        nps: Option<u32>,
        score_base10: Option<f64>,
        comment: Option<&str>,
        completed: bool,
        now_ms: i64,
    ) -> Result<()>;

    /// The alert behind a post-intervention survey token.
    fn follow_up_link(&mut self, hash: &TokenKey) -> Result<Option<FollowUpLink>>;

    /// Adds a comment to a response's thread (F2).
    fn insert_comment(&mut self, c: &NewComment<'_>, now_ms: i64) -> Result<i64>;

    /// A response's thread, oldest first.
    fn thread(&mut self, response: i64) -> Result<Vec<ThreadComment>>;

    /// The response `id`'s customer contact, consent and alert.
    fn response_contact(&mut self, id: i64) -> Result<Option<ResponseContact>>;

    /// Stores the hash of a tracking reply address.
    fn insert_reply_address(
        &mut self,
        hash: &TokenKey,
        response: i64,
        alert: Option<i64>,
        now_ms: i64,
    ) -> Result<()>;

    /// The conversation (response id) and alert behind a tracking reply address.
    fn reply_address(&mut self, hash: &TokenKey) -> Result<Option<(i64, Option<i64>)>>;

    /// Creates or updates an external review by host id (A5).
    fn upsert_review(
        &mut self,
        host_id: &str,
        location: i64,
        site: &str,
        rating: Option<u32>,
        posted_ms: i64,
        replied_ms: Option<i64>,
    ) -> Result<()>;

    /// Reviews at a location without a reply.
    fn unanswered_reviews(&mut self, location: i64) -> Result<u32>;

    /// Customers whose last NPS answer was a detractor's, newest first (A3 dashboard).
    fn at_risk(&mut self, location: Option<i64>) -> Result<Vec<AtRiskCustomer>>;
}
