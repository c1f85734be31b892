//! The feedback calls: the survey, its page and answers, e-receipt feedback, reviews, and
//! the row-scanning score summaries.

use chrono::{DateTime, Utc};

use crate::error::Result;
use crate::model::{
    FeedbackInput, FeedbackSettings, NpsSummary, RatingSummary, ReceiptLink, ResponseDeletion,
    ResponseInput, ResponseOutcome, ScoreQuery, Survey, SurveyPage,
};

use crate::engine::{Engine, check_now, check_scores_query, responses};

impl Engine {
    /// The store's survey (the shipped default until one is set).
    pub fn survey(&self) -> Result<Survey> {
        self.reader()?.read(responses::survey)
    }

    /// Replaces the store's survey after validating it.
    pub fn set_survey(&self, survey: &Survey) -> Result<()> {
        self.lock()?.write(|c| responses::set_survey(c, survey))
    }

    /// Review mode, unhappy threshold and the non-respondent reminder (N3, N4, R2).
    pub fn feedback_settings(&self) -> Result<FeedbackSettings> {
        self.reader()?.read(|c| c.get_feedback_settings())
    }

    /// Replaces the feedback settings after validating them.
    pub fn set_feedback_settings(&self, settings: &FeedbackSettings) -> Result<()> {
        self.lock()?
            .write(|c| responses::set_feedback_settings(c, settings))
    }

    /// What the survey page shows for a survey or receipt link token, in the invitation's
    /// language or `language`.
    pub fn survey_page(
        &self,
        token: &str,
        language: Option<&str>,
        now: DateTime<Utc>,
    ) -> Result<SurveyPage> {
        check_now(now)?;
        self.reader()?
            .read(|c| responses::survey_page(c, token, language, now))
    }

    /// Records the one response a survey or receipt link takes (F6); says whether to show
    /// the review link (N3).
    pub fn record_response(
        &self,
        token: &str,
        input: &ResponseInput,
        now: DateTime<Utc>,
    ) -> Result<ResponseOutcome> {
        check_now(now)?;
        self.lock()?
            .write(|c| responses::record_response(c, token, input, now))
    }

    /// Mints a receipt link for an anonymous response at a location (F6).
    pub fn mint_receipt_link(
        &self,
        location: &str,
        transaction: Option<&str>,
        now: DateTime<Utc>,
    ) -> Result<ReceiptLink> {
        check_now(now)?;
        self.lock()?
            .write(|c| responses::mint_receipt_link(c, location, transaction, now))
    }

    /// Records e-receipt feedback (F1); returns the response id.
    pub fn record_feedback(&self, feedback: &FeedbackInput, now: DateTime<Utc>) -> Result<i64> {
        check_now(now)?;
        self.lock()?
            .write(|c| responses::record_feedback(c, feedback, now))
    }

    /// Turns a location's e-receipt feedback on or off; old feedback stays (F1).
    pub fn set_feedback_enabled(&self, location: &str, enabled: bool) -> Result<()> {
        self.lock()?
            .write(|c| responses::set_feedback_enabled(c, location, enabled))
    }

    /// Deletes a response (responses are never edited), recording who, the customer,
    /// the date and the score (F3).
    pub fn delete_response(&self, response_id: i64, admin: &str, now: DateTime<Utc>) -> Result<()> {
        check_now(now)?;
        self.lock()?
            .write(|c| responses::delete_response(c, response_id, admin, now))
    }

    /// The audit records of deleted responses, oldest first (F3).
    pub fn response_deletions(&self) -> Result<Vec<ResponseDeletion>> {
        self.reader()?.read(|c| c.deletion_audit())
    }

    /// Records that the respondent clicked the review link (N3).
    pub fn review_clicked(&self, response_id: i64, now: DateTime<Utc>) -> Result<()> {
        check_now(now)?;
        self.lock()?
            .write(|c| responses::review_event(c, response_id, false, now))
    }

    /// Records a confirmed public review; a pending review reminder is then cancelled (R1).
    pub fn review_confirmed(&self, response_id: i64, now: DateTime<Utc>) -> Result<()> {
        check_now(now)?;
        self.lock()?
            .write(|c| responses::review_event(c, response_id, true, now))
    }

    /// NPS of a scope, from its counts (N1); none without answers.
    #[deprecated(
        since = "0.2.0",
        note = "scans every response; use Engine::scores, which reads the rollups"
    )]
    pub fn nps(&self, query: &ScoreQuery) -> Result<NpsSummary> {
        check_scores_query(query)?;
        self.reader()?.read(|c| responses::nps(c, query))
    }

    /// Star ratings of a scope: average on base 10, count and response rate (N5, N6).
    #[deprecated(
        since = "0.2.0",
        note = "scans every response; use Engine::scores, which reads the rollups"
    )]
    pub fn ratings(&self, query: &ScoreQuery) -> Result<RatingSummary> {
        check_scores_query(query)?;
        self.reader()?.read(|c| responses::ratings(c, query))
    }
}
