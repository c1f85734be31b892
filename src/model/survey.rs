use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

/// What a survey question asks for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Enum))]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
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

/// An answer option of a choice question.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
#[serde(deny_unknown_fields)]
pub struct ChoiceOption {
    /// Stable id, sent back in answers.
    pub id: String,
    /// Label by lower-case language tag (`en`, `fr`, `ko`).
    pub text: BTreeMap<String, String>,
    /// Choosing it is a satisfied answer (the satisfaction filter, N4).
    pub satisfied: bool,
}

/// One question of the store's survey.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
#[serde(deny_unknown_fields)]
pub struct Question {
    /// Stable id, sent back in answers.
    pub id: String,
    /// What it asks for.
    pub kind: QuestionKind,
    /// Wording by lower-case language tag; `{location}` is the location's name.
    pub text: BTreeMap<String, String>,
    /// For `rating`: the number of stars (default 5).
    #[serde(default)]
    #[cfg_attr(feature = "uniffi", uniffi(default))]
    pub scale: Option<u32>,
    /// For `choice`: the options.
    #[serde(default)]
    #[cfg_attr(feature = "uniffi", uniffi(default))]
    pub options: Vec<ChoiceOption>,
}

/// The store's survey: what every invitation and receipt link asks.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
#[serde(deny_unknown_fields)]
pub struct Survey {
    /// Questions in display order.
    pub questions: Vec<Question>,
}

/// A question as the survey page shows it, in one language.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
#[serde(deny_unknown_fields)]
pub struct QuestionView {
    /// Question id.
    pub id: String,
    /// What it asks for.
    pub kind: QuestionKind,
    /// Wording, `{location}` filled in.
    pub text: String,
    /// For ratings: the number of stars.
    pub scale: Option<u32>,
    /// For choices: `(option id, label)`; for facets: `(facet, facet)`.
    pub options: Vec<(String, String)>,
}

/// What the host's survey page shows for a link token.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
#[serde(deny_unknown_fields)]
pub struct SurveyPage {
    /// Host id of the location.
    pub location: String,
    /// Its display name.
    pub location_name: String,
    /// The language the page is in.
    pub language: String,
    /// The questions.
    pub questions: Vec<QuestionView>,
    /// The NPS answer a click in the e-mail already recorded (M1): the page shows it and
    /// does not ask it again; it never changes.
    #[serde(default)]
    pub recorded_score: Option<u32>,
}
