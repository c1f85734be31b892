use serde::{Deserialize, Serialize};

/// A store location: where transactions happen and whose clock decides business dates.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
#[serde(deny_unknown_fields)]
pub struct Location {
    /// The host's identifier for the location.
    pub id: String,
    /// Display name used in surveys ("How likely are you to recommend {location}?").
    pub name: String,
    /// IANA time zone, e.g. `Europe/Paris`.
    pub time_zone: String,
    /// A disabled location sends no surveys (E7).
    #[serde(default = "default_true")]
    #[cfg_attr(feature = "uniffi", uniffi(default = true))]
    pub enabled: bool,
    /// Where promoters are sent to leave a public review (e.g. a Google review URL).
    #[serde(default)]
    #[cfg_attr(feature = "uniffi", uniffi(default))]
    pub review_link: Option<String>,
    /// Business type, which chooses the facet list for feedback.
    #[serde(default)]
    #[cfg_attr(feature = "uniffi", uniffi(default))]
    pub business_type: Option<String>,
}

fn default_true() -> bool {
    true
}

impl Location {
    /// A new enabled location with no review link or business type.
    pub fn new(id: &str, name: &str, time_zone: &str) -> Self {
        Location {
            id: id.to_owned(),
            name: name.to_owned(),
            time_zone: time_zone.to_owned(),
            enabled: true,
            review_link: None,
            business_type: None,
        }
    }
}
