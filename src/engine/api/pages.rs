//! The calls of what the customer sees (M1, M2): score clicks, the rendered pages and the
//! posted survey form.

use chrono::{DateTime, Utc};

use crate::error::Result;
use crate::model::{Page, ResponseInput, ScoreClick};

use crate::engine::{Engine, check_now, clicks, pages};

impl Engine {
    /// Records the score of a click in the e-mail on survey link `token` (M1): the first
    /// click stores a partial response holding it, counted in NPS at once; later clicks
    /// record nothing and report the score already recorded.
    pub fn record_score_click(
        &self,
        token: &str,
        score: u32,
        now: DateTime<Utc>,
    ) -> Result<ScoreClick> {
        check_now(now)?;
        self.lock()?
            .write(|c| clicks::score_click(c, token, score, now))
    }

    /// The page to serve for a GET of survey or receipt link `token` (M2), after recording
    /// the click's `score` if the URL carries one (M1): the survey form, or the thanks once
    /// answered, or the expired page (HTTP 410). `language` overrides the invitation's.
    pub fn survey_link_page(
        &self,
        token: &str,
        score: Option<u32>,
        language: Option<&str>,
        now: DateTime<Utc>,
    ) -> Result<Page> {
        check_now(now)?;
        self.lock()?
            .write(|c| pages::link_page(c, token, score, language, now))
    }

    /// Records the survey form posted to link `token` (the raw
    /// `application/x-www-form-urlencoded` body) and returns the thank-you page, with the
    /// review link when N3 offers it.
    pub fn submit_survey_form(
        &self,
        token: &str,
        form_body: &str,
        now: DateTime<Utc>,
    ) -> Result<Page> {
        check_now(now)?;
        self.lock()?
            .write(|c| pages::submit_form(c, token, form_body, now))
    }

    /// Turns a posted survey form body into the answers for [`Engine::record_response`]
    /// (M2); a bad field is invalid input naming the field, never its value.
    pub fn survey_form_answers(&self, form_body: &str) -> Result<ResponseInput> {
        self.reader()?.read(|c| pages::parse_form(c, form_body))
    }

    /// Applies unsubscribe link `token` (E3) and returns the confirmation page in the
    /// customer's language.
    pub fn unsubscribe_page(&self, token: &str, now: DateTime<Utc>) -> Result<Page> {
        check_now(now)?;
        self.lock()?
            .write(|c| pages::unsubscribe_page(c, token, now))
    }
}
