//! What the customer sees (M1, M2): score clicks, the rendered pages, the posted form.

use crate::model::{Page, ResponseInput, ScoreClick};

use super::engine::Engine;
use super::error::HearkenError;
use super::time;

type Answer<T> = Result<T, HearkenError>;

#[uniffi::export]
impl Engine {
    /// Records the click on `score` (0-10) of survey link `token` in an e-mail (M1): the
    /// first click stores a partial response holding it, counted in NPS at once; later
    /// clicks record nothing and report the first score.
    pub fn record_score_click(&self, token: String, score: u32, now_ms: i64) -> Answer<ScoreClick> {
        let now = time::arg_instant(now_ms, "now_ms")?;
        Ok(self.inner().record_score_click(&token, score, now)?)
    }

    /// The page for a GET of survey or receipt link `token` (M2), after recording the
    /// click's `score` if the URL has one: the survey form, the thanks once answered, or
    /// the expired page (HTTP 410). `language` overrides the invitation's.
    pub fn survey_link_page(
        &self,
        token: String,
        score: Option<u32>,
        language: Option<String>,
        now_ms: i64,
    ) -> Answer<Page> {
        let now = time::arg_instant(now_ms, "now_ms")?;
        Ok(self
            .inner()
            .survey_link_page(&token, score, language.as_deref(), now)?)
    }

    /// Records the survey form posted to link `token` (the raw urlencoded body) and returns
    /// the thank-you page, with the review link when N3 offers it.
    pub fn submit_survey_form(
        &self,
        token: String,
        form_body: String,
        now_ms: i64,
    ) -> Answer<Page> {
        let now = time::arg_instant(now_ms, "now_ms")?;
        Ok(self.inner().submit_survey_form(&token, &form_body, now)?)
    }

    /// Turns a posted survey form body into the answers for `record_response` (M2); a bad
    /// field is `InvalidInput` naming the field, never its value.
    pub fn survey_form_answers(&self, form_body: String) -> Answer<ResponseInput> {
        Ok(self.inner().survey_form_answers(&form_body)?)
    }

    /// Applies unsubscribe link `token` (E3) and returns the confirmation page in the
    /// customer's language.
    pub fn unsubscribe_page(&self, token: String, now_ms: i64) -> Answer<Page> {
        let now = time::arg_instant(now_ms, "now_ms")?;
        Ok(self.inner().unsubscribe_page(&token, now)?)
    }
}
