//! Mirrors of responses and scores (issue 6): the survey, the survey page, answers and
//! their outcome, e-receipt feedback, feedback settings, score queries and summaries,
//! receipt links and the deletion audit.
//!
//! Localised texts cross as `map<string, string>` (language tag → text): a `HashMap` here,
//! a `BTreeMap` in the model, so the order the host gives them in does not matter.

use std::collections::HashMap;

use crate::error::Error;
use crate::model as m;

use super::time;

/// What a survey question asks for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, uniffi::Enum)]
pub enum QuestionKind {
    /// Net Promoter Score, 0–10 (N1).
    Nps,
    /// Star rating 1..=`scale` (default 5, N5).
    Rating,
    /// One of `options`, each marked satisfied or not (N4).
    Choice,
    /// Free text.
    Comment,
    /// Facets from the location's business-type list (F1).
    Facets,
}

impl From<m::QuestionKind> for QuestionKind {
    fn from(k: m::QuestionKind) -> Self {
        match k {
            m::QuestionKind::Nps => QuestionKind::Nps,
            m::QuestionKind::Rating => QuestionKind::Rating,
            m::QuestionKind::Choice => QuestionKind::Choice,
            m::QuestionKind::Comment => QuestionKind::Comment,
            m::QuestionKind::Facets => QuestionKind::Facets,
        }
    }
}

impl From<QuestionKind> for m::QuestionKind {
    fn from(k: QuestionKind) -> Self {
        match k {
            QuestionKind::Nps => m::QuestionKind::Nps,
            QuestionKind::Rating => m::QuestionKind::Rating,
            QuestionKind::Choice => m::QuestionKind::Choice,
            QuestionKind::Comment => m::QuestionKind::Comment,
            QuestionKind::Facets => m::QuestionKind::Facets,
        }
    }
}

/// An answer option of a choice question.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct ChoiceOption {
    /// Stable id, sent back in answers (`Answer.choice`).
    pub id: String,
    /// Label by lower-case language tag (`en`, `fr`, `ko`).
    pub text: HashMap<String, String>,
    /// Choosing it is a satisfied answer (the satisfaction filter, N4).
    pub satisfied: bool,
}

impl From<m::ChoiceOption> for ChoiceOption {
    fn from(o: m::ChoiceOption) -> Self {
        ChoiceOption {
            id: o.id,
            text: o.text.into_iter().collect(),
            satisfied: o.satisfied,
        }
    }
}

impl From<ChoiceOption> for m::ChoiceOption {
    fn from(o: ChoiceOption) -> Self {
        m::ChoiceOption {
            id: o.id,
            text: o.text.into_iter().collect(),
            satisfied: o.satisfied,
        }
    }
}

/// One question of the store's survey.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct Question {
    /// Stable id, sent back in answers (`Answer.question`).
    pub id: String,
    /// What it asks for.
    pub kind: QuestionKind,
    /// Wording by lower-case language tag; `{location}` is the location's name.
    pub text: HashMap<String, String>,
    /// For `Rating`: the number of stars (none: 5).
    #[uniffi(default = None)]
    pub scale: Option<u32>,
    /// For `Choice`: the options (at least two).
    #[uniffi(default)]
    pub options: Vec<ChoiceOption>,
}

impl From<m::Question> for Question {
    fn from(q: m::Question) -> Self {
        Question {
            id: q.id,
            kind: q.kind.into(),
            text: q.text.into_iter().collect(),
            scale: q.scale,
            options: convert(q.options),
        }
    }
}

impl From<Question> for m::Question {
    fn from(q: Question) -> Self {
        m::Question {
            id: q.id,
            kind: q.kind.into(),
            text: q.text.into_iter().collect(),
            scale: q.scale,
            options: convert(q.options),
        }
    }
}

/// The store's survey: what every invitation and receipt link asks. Read the shipped one
/// with `Engine.survey()`, change it and give it to `set_survey`.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct Survey {
    /// Questions in display order (at most one NPS and one rating question).
    pub questions: Vec<Question>,
}

impl From<m::Survey> for Survey {
    fn from(s: m::Survey) -> Self {
        Survey {
            questions: convert(s.questions),
        }
    }
}

impl From<Survey> for m::Survey {
    fn from(s: Survey) -> Self {
        m::Survey {
            questions: convert(s.questions),
        }
    }
}

/// One option a question of the survey page offers: the id to send back and its label.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct QuestionOption {
    /// For a choice: the option id (`Answer.choice`); for facets: the facet (`Answer.facets`).
    pub id: String,
    /// What the page shows, in the page's language (for facets: the facet itself).
    pub label: String,
}

/// A question as the survey page shows it, in one language.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct QuestionView {
    /// Question id (`Answer.question`).
    pub id: String,
    /// What it asks for.
    pub kind: QuestionKind,
    /// Wording, `{location}` filled in.
    pub text: String,
    /// For ratings: the number of stars.
    pub scale: Option<u32>,
    /// For choices: the options; for facets: the location's facet list.
    pub options: Vec<QuestionOption>,
}

impl From<m::QuestionView> for QuestionView {
    fn from(q: m::QuestionView) -> Self {
        QuestionView {
            id: q.id,
            kind: q.kind.into(),
            text: q.text,
            scale: q.scale,
            options: q
                .options
                .into_iter()
                .map(|(id, label)| QuestionOption { id, label })
                .collect(),
        }
    }
}

/// What the host's survey page shows for a survey or receipt link token.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct SurveyPage {
    /// Host id of the location.
    pub location: String,
    /// Its display name.
    pub location_name: String,
    /// The language the page's wording is in (`fr` for a `fr-FR` customer; the
    /// fallback language when none of the customer's has wording).
    pub language: String,
    /// The questions, in display order.
    pub questions: Vec<QuestionView>,
}

impl From<m::SurveyPage> for SurveyPage {
    fn from(p: m::SurveyPage) -> Self {
        SurveyPage {
            location: p.location,
            location_name: p.location_name,
            language: p.language,
            questions: convert(p.questions),
        }
    }
}

/// One answer to one question; a question left out was skipped. Set the one field the
/// question's kind takes: `score` (NPS 0–10, rating 1..=scale), `choice`, `text` or `facets`.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct Answer {
    /// The question's id.
    pub question: String,
    /// NPS 0–10 or stars 1..=scale.
    #[uniffi(default = None)]
    pub score: Option<u32>,
    /// The chosen option's id.
    #[uniffi(default = None)]
    pub choice: Option<String>,
    /// A comment.
    #[uniffi(default = None)]
    pub text: Option<String>,
    /// Facets chosen.
    #[uniffi(default)]
    pub facets: Vec<String>,
}

impl From<Answer> for m::Answer {
    fn from(a: Answer) -> Self {
        m::Answer {
            question: a.question,
            score: a.score,
            choice: a.choice,
            text: a.text,
            facets: a.facets,
        }
    }
}

/// A customer's answers to the survey, as `record_response` takes them.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct ResponseInput {
    /// The answers, at most one per question.
    pub answers: Vec<Answer>,
    /// The customer agrees to be replied to (F2).
    #[uniffi(default = false)]
    pub consent_to_reply: bool,
}

impl From<ResponseInput> for m::ResponseInput {
    fn from(r: ResponseInput) -> Self {
        m::ResponseInput {
            answers: convert(r.answers),
            consent_to_reply: r.consent_to_reply,
        }
    }
}

/// Where an NPS answer falls (N1).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, uniffi::Enum)]
pub enum NpsCategory {
    /// 9–10.
    Promoter,
    /// 7–8.
    Passive,
    /// 0–6.
    Detractor,
}

impl From<m::NpsCategory> for NpsCategory {
    fn from(c: m::NpsCategory) -> Self {
        match c {
            m::NpsCategory::Promoter => NpsCategory::Promoter,
            m::NpsCategory::Passive => NpsCategory::Passive,
            m::NpsCategory::Detractor => NpsCategory::Detractor,
        }
    }
}

/// What hearken concluded from a response.
#[derive(Debug, Clone, PartialEq, uniffi::Record)]
pub struct ResponseOutcome {
    /// The stored response's id (what `review_clicked`, `review_confirmed` and
    /// `delete_response` take).
    pub response_id: i64,
    /// The NPS category, if the NPS question was answered.
    pub nps_category: Option<NpsCategory>,
    /// The main score on base 10 (N6): the NPS answer, else the rating.
    pub score_base10: Option<f64>,
    /// An unhappy customer (N4).
    pub unhappy: bool,
    /// Show this review link now (N3); none when the respondent is not offered one.
    pub review_link: Option<String>,
    /// The alert an unhappy answer raised (A1), or the case a post-intervention answer
    /// follows up (A4; `response_id` is then the original response).
    pub alert_id: Option<i64>,
}

impl From<m::ResponseOutcome> for ResponseOutcome {
    fn from(o: m::ResponseOutcome) -> Self {
        ResponseOutcome {
            response_id: o.response_id,
            nps_category: o.nps_category.map(Into::into),
            score_base10: o.score_base10,
            unhappy: o.unhappy,
            review_link: o.review_link,
            alert_id: o.alert_id,
        }
    }
}

/// How a piece of feedback felt (F1).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, uniffi::Enum)]
pub enum Sentiment {
    /// Thumbs up on an e-receipt.
    Positive,
    /// Thumbs down on an e-receipt.
    Negative,
    /// Not from an e-receipt (refused by `record_feedback`).
    Unknown,
}

impl From<m::Sentiment> for Sentiment {
    fn from(s: m::Sentiment) -> Self {
        match s {
            m::Sentiment::Positive => Sentiment::Positive,
            m::Sentiment::Negative => Sentiment::Negative,
            m::Sentiment::Unknown => Sentiment::Unknown,
        }
    }
}

impl From<Sentiment> for m::Sentiment {
    fn from(s: Sentiment) -> Self {
        match s {
            Sentiment::Positive => m::Sentiment::Positive,
            Sentiment::Negative => m::Sentiment::Negative,
            Sentiment::Unknown => m::Sentiment::Unknown,
        }
    }
}

#[uniffi::export]
impl Sentiment {
    /// The stable snake_case name, as in JSON (`positive`).
    pub fn code_name(&self) -> String {
        m::Sentiment::from(*self).as_str().to_owned()
    }
}

/// E-receipt feedback (F1): a sentiment, facets and a comment, maybe from a known customer.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct FeedbackInput {
    /// Host id of the location.
    pub location: String,
    /// Host id of the transaction, if the receipt is known.
    #[uniffi(default = None)]
    pub transaction: Option<String>,
    /// Host id of the customer, if known.
    #[uniffi(default = None)]
    pub customer: Option<String>,
    /// Positive or negative.
    pub sentiment: Sentiment,
    /// Facets from the location's business-type list.
    #[uniffi(default)]
    pub facets: Vec<String>,
    /// Comment.
    #[uniffi(default = None)]
    pub comment: Option<String>,
    /// The customer agrees to be replied to (F2).
    #[uniffi(default = false)]
    pub consent_to_reply: bool,
}

impl From<FeedbackInput> for m::FeedbackInput {
    fn from(f: FeedbackInput) -> Self {
        m::FeedbackInput {
            location: f.location,
            transaction: f.transaction,
            customer: f.customer,
            sentiment: f.sentiment.into(),
            facets: f.facets,
            comment: f.comment,
            consent_to_reply: f.consent_to_reply,
        }
    }
}

/// Who is offered the review link after a response (N3).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, uniffi::Enum)]
pub enum ReviewMode {
    /// Promoters (9 and 10). The threshold is fixed.
    Promoters,
    /// Every respondent: Google's policy forbids soliciting only positive reviews.
    Everyone,
}

impl From<m::ReviewMode> for ReviewMode {
    fn from(r: m::ReviewMode) -> Self {
        match r {
            m::ReviewMode::Promoters => ReviewMode::Promoters,
            m::ReviewMode::Everyone => ReviewMode::Everyone,
        }
    }
}

impl From<ReviewMode> for m::ReviewMode {
    fn from(r: ReviewMode) -> Self {
        match r {
            ReviewMode::Promoters => m::ReviewMode::Promoters,
            ReviewMode::Everyone => m::ReviewMode::Everyone,
        }
    }
}

/// Store-wide settings of responses, reviews and reminders. Start from
/// `default_feedback_settings()` and change what differs.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct FeedbackSettings {
    /// Who is offered the review link (N3).
    pub review_mode: ReviewMode,
    /// A rating at or below this many stars is unhappy (N4, default 2 of 5).
    pub unhappy_stars: u32,
    /// Days after delivery for the one reminder to non-respondents (R2); 0 = off.
    pub non_respondent_reminder_days: u32,
}

impl From<m::FeedbackSettings> for FeedbackSettings {
    fn from(s: m::FeedbackSettings) -> Self {
        FeedbackSettings {
            review_mode: s.review_mode.into(),
            unhappy_stars: s.unhappy_stars,
            non_respondent_reminder_days: s.non_respondent_reminder_days,
        }
    }
}

impl From<FeedbackSettings> for m::FeedbackSettings {
    fn from(s: FeedbackSettings) -> Self {
        m::FeedbackSettings {
            review_mode: s.review_mode.into(),
            unhappy_stars: s.unhappy_stars,
            non_respondent_reminder_days: s.non_respondent_reminder_days,
        }
    }
}

/// The feedback settings a new store starts with.
#[uniffi::export]
pub fn default_feedback_settings() -> FeedbackSettings {
    m::FeedbackSettings::default().into()
}

/// Which responses a score covers; absent bounds are open.
#[derive(Debug, Clone, PartialEq, Eq, Default, uniffi::Record)]
pub struct ScoreQuery {
    /// Host id of one location; none: every location.
    #[uniffi(default = None)]
    pub location: Option<String>,
    /// Responses at or after this instant, Unix milliseconds.
    #[uniffi(default = None)]
    pub from_ms: Option<i64>,
    /// Responses before this instant, Unix milliseconds.
    #[uniffi(default = None)]
    pub to_ms: Option<i64>,
}

impl ScoreQuery {
    /// The model query; a bound chrono cannot represent is invalid input naming it.
    pub(super) fn into_model(self) -> Result<m::ScoreQuery, Error> {
        let (from, to) = time::optional_bounds("score_query", self.from_ms, self.to_ms)?;
        Ok(m::ScoreQuery {
            location: self.location,
            from,
            to,
        })
    }
}

/// NPS of a scope (N1): the counts and the exact value; none without answers.
#[derive(Debug, Clone, PartialEq, uniffi::Record)]
pub struct NpsSummary {
    /// Answers 9–10.
    pub promoters: u64,
    /// Answers 7–8.
    pub passives: u64,
    /// Answers 0–6.
    pub detractors: u64,
    /// % promoters − % detractors, not rounded; none with no answers.
    pub nps: Option<f64>,
}

impl From<m::NpsSummary> for NpsSummary {
    fn from(s: m::NpsSummary) -> Self {
        NpsSummary {
            promoters: s.promoters,
            passives: s.passives,
            detractors: s.detractors,
            nps: s.nps,
        }
    }
}

/// Star ratings of a scope (N5).
#[derive(Debug, Clone, PartialEq, uniffi::Record)]
pub struct RatingSummary {
    /// Rated responses (anonymous ones included).
    pub responses: u64,
    /// Average on base 10 (N6); none without ratings.
    pub average_base10: Option<f64>,
    /// Invitations delivered in the period.
    pub delivered: u64,
    /// Of those, answered so far.
    pub answered: u64,
    /// `answered / delivered`; none when nothing was delivered.
    pub response_rate: Option<f64>,
}

impl From<m::RatingSummary> for RatingSummary {
    fn from(s: m::RatingSummary) -> Self {
        RatingSummary {
            responses: s.responses,
            average_base10: s.average_base10,
            delivered: s.delivered,
            answered: s.answered,
            response_rate: s.response_rate,
        }
    }
}

/// A receipt link: its own token, one anonymous response (F6).
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct ReceiptLink {
    /// The link to print on the receipt; its last path segment is the token
    /// `survey_page` and `record_response` take.
    pub url: String,
    /// When it stops working, Unix milliseconds.
    pub expires_at_ms: i64,
}

impl From<m::ReceiptLink> for ReceiptLink {
    fn from(l: m::ReceiptLink) -> Self {
        ReceiptLink {
            url: l.url,
            expires_at_ms: time::ms(l.expires_at),
        }
    }
}

/// The audit record a response deletion leaves (F3).
#[derive(Debug, Clone, PartialEq, uniffi::Record)]
pub struct ResponseDeletion {
    /// The deleted response's id.
    pub response_id: i64,
    /// Host id of its customer (none when anonymous).
    pub customer: Option<String>,
    /// When it was given, Unix milliseconds.
    pub responded_at_ms: i64,
    /// Its main score on base 10.
    pub score_base10: Option<f64>,
    /// The admin who deleted it.
    pub deleted_by: String,
    /// When, Unix milliseconds.
    pub deleted_at_ms: i64,
}

impl From<m::ResponseDeletion> for ResponseDeletion {
    fn from(d: m::ResponseDeletion) -> Self {
        ResponseDeletion {
            response_id: d.response_id,
            customer: d.customer,
            responded_at_ms: time::ms(d.responded_at),
            score_base10: d.score_base10,
            deleted_by: d.deleted_by,
            deleted_at_ms: time::ms(d.deleted_at),
        }
    }
}

fn convert<T, U: From<T>>(items: Vec<T>) -> Vec<U> {
    items.into_iter().map(U::from).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_survey_round_trips_with_its_texts() {
        let s = crate::Engine::open_in_memory().unwrap().survey().unwrap();
        let mirrored = Survey::from(s.clone());
        assert_eq!(mirrored.questions[0].kind, QuestionKind::Nps);
        assert_eq!(mirrored.questions[0].text.len(), 3);
        assert_eq!(m::Survey::from(mirrored), s);
        let choice = m::Question {
            id: "fast".into(),
            kind: m::QuestionKind::Choice,
            text: [("en".to_owned(), "Fast?".to_owned())].into(),
            scale: None,
            options: vec![m::ChoiceOption {
                id: "yes".into(),
                text: [("fr".to_owned(), "Oui".to_owned())].into(),
                satisfied: true,
            }],
        };
        assert_eq!(m::Question::from(Question::from(choice.clone())), choice);
    }

    #[test]
    fn enums_round_trip() {
        for k in [
            m::QuestionKind::Nps,
            m::QuestionKind::Rating,
            m::QuestionKind::Choice,
            m::QuestionKind::Comment,
            m::QuestionKind::Facets,
        ] {
            assert_eq!(m::QuestionKind::from(QuestionKind::from(k)), k);
        }
        for s in [
            m::Sentiment::Positive,
            m::Sentiment::Negative,
            m::Sentiment::Unknown,
        ] {
            let mirrored = Sentiment::from(s);
            assert_eq!(m::Sentiment::from(mirrored), s);
            assert_eq!(mirrored.code_name(), s.as_str());
        }
        for r in [m::ReviewMode::Promoters, m::ReviewMode::Everyone] {
            assert_eq!(m::ReviewMode::from(ReviewMode::from(r)), r);
        }
        let s = m::FeedbackSettings::default();
        assert_eq!(
            m::FeedbackSettings::from(FeedbackSettings::from(s.clone())),
            s
        );
    }

    #[test]
    fn score_query_bounds_are_milliseconds_and_out_of_range_is_named() {
        let q = ScoreQuery {
            location: Some("paris".into()),
            from_ms: Some(1_795_251_600_000),
            to_ms: None,
        }
        .into_model()
        .unwrap();
        assert_eq!(q.from.unwrap().timestamp_millis(), 1_795_251_600_000);
        assert_eq!(q.to, None);
        let err = ScoreQuery {
            location: None,
            from_ms: Some(i64::MAX),
            to_ms: Some(i64::MIN),
        }
        .into_model()
        .unwrap_err();
        let fields: Vec<_> = err.problems().iter().map(|p| p.field.as_str()).collect();
        assert_eq!(fields, ["from_ms", "to_ms"]);
    }

    #[test]
    fn page_options_become_id_label_records() {
        let v = QuestionView::from(m::QuestionView {
            id: "fast".into(),
            kind: m::QuestionKind::Choice,
            text: "Fast?".into(),
            scale: None,
            options: vec![("yes".into(), "Yes".into())],
        });
        assert_eq!(
            v.options,
            [QuestionOption {
                id: "yes".into(),
                label: "Yes".into()
            }]
        );
    }
}
