use serde::{Deserialize, Serialize};

/// Which page a survey or unsubscribe link shows (M2).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Enum))]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum PageKind {
    /// The survey form, to post back to the same link.
    Survey,
    /// The thanks after the response, with the review link when N3 offers it.
    ThankYou,
    /// The link expired before its response was completed (F6).
    Expired,
    /// The unsubscribe is confirmed (E3).
    Unsubscribed,
}

impl PageKind {
    /// The stable snake_case name.
    pub fn as_str(self) -> &'static str {
        match self {
            PageKind::Survey => "survey",
            PageKind::ThankYou => "thank_you",
            PageKind::Expired => "expired",
            PageKind::Unsubscribed => "unsubscribed",
        }
    }
}

/// A complete HTML page for the host to serve (M2): no JavaScript, in the customer's
/// language, every value escaped (M4).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
#[serde(deny_unknown_fields)]
pub struct Page {
    /// Which page it is.
    pub kind: PageKind,
    /// The HTTP status to serve it with (200, or 410 for an expired link).
    pub http_status: u16,
    /// The language it is written in (its `lang` attribute).
    pub language: String,
    /// The document, `<!doctype html>` first, UTF-8.
    pub html: String,
    /// The response the page is about, once there is one.
    pub response_id: Option<i64>,
    /// The review link the page offers (N3), if any.
    pub review_link: Option<String>,
}

/// What a click on a score in the e-mail did (M1).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
#[serde(deny_unknown_fields)]
pub struct ScoreClick {
    /// The response holding the score (0 for a post-intervention survey, kept on its alert).
    pub response_id: i64,
    /// The score recorded: this click's when `recorded`, else the first click's (none when
    /// the response was completed without one).
    pub score: Option<u32>,
    /// This click recorded the score; false when an earlier click or answer already had.
    pub recorded: bool,
    /// The response is complete (or the link expired): nothing can be added any more.
    pub completed: bool,
}
