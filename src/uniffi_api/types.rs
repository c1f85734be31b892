//! How the chrono and std types of the model cross (uniffi custom types), the two door-only
//! records that stand for tuples, and the methods and functions only this door adds.
//!
//! uniffi names a custom type after a single identifier, so each crossing type gets a
//! private alias here; the alias is the name the foreign code sees (`Timestamp`, …).

use std::collections::{BTreeMap, HashMap};

use chrono::{DateTime, FixedOffset, NaiveDate, Utc};

use crate::error::{Error, Problem};
use crate::model::{
    AlertKind, AlertSettings, AlertStatus, Author, CommentKind, DeliverySettings, Explanation,
    FeedbackSettings, InteractionMethod, MessageKind, MessageStatus, NotifyLevel, ResponseSource,
    Sentiment, Settings, SkipReason, UserRole,
};
use crate::rules::time;

use super::error::HearkenError;

/// The lift error of a value the model cannot hold: invalid input. uniffi reads a record
/// before hearken sees it, so the problem names the crossing type, not the field.
fn invalid(field: &str, reason: &str) -> uniffi::deps::anyhow::Error {
    HearkenError::from(Error::invalid(Problem::top("arguments", field, reason))).into()
}

/// Reason given for a date that is not `YYYY-MM-DD`.
const BAD_DATE: &str = "invalid date; expected YYYY-MM-DD";

type Timestamp = DateTime<Utc>;
uniffi::custom_type!(Timestamp, i64, {
    remote,
    lower: |t| t.timestamp_millis(),
    // One range of instants for every door (T3): outside it is invalid input.
    try_lift: |ms| time::from_ms(ms).ok_or_else(|| invalid("timestamp", time::OUT_OF_RANGE)),
});

type OffsetTimestamp = DateTime<FixedOffset>;
uniffi::custom_type!(OffsetTimestamp, i64, {
    remote,
    // The offset does not cross: hearken reads a local time in the location's time zone,
    // so only the instant matters (the model keeps the offset for the JSON door).
    lower: |t| t.timestamp_millis(),
    try_lift: |ms| {
        time::from_ms(ms)
            .map(|t| t.fixed_offset())
            .ok_or_else(|| invalid("timestamp", time::OUT_OF_RANGE))
    },
});

type IsoDate = NaiveDate;
uniffi::custom_type!(IsoDate, String, {
    remote,
    lower: |d| d.to_string(),
    // Exactly as the JSON door parses a date: ten characters, no spaces, in the range.
    try_lift: |text| time::parse_date_strict(&text).ok_or_else(|| invalid("date", BAD_DATE)),
});

type TextByLanguage = BTreeMap<String, String>;
uniffi::custom_type!(TextByLanguage, HashMap<String, String>, {
    remote,
    lower: |m| m.into_iter().collect(),
    try_lift: |m| Ok(m.into_iter().collect()),
});

type WordsByLanguage = BTreeMap<String, Vec<String>>;
uniffi::custom_type!(WordsByLanguage, HashMap<String, Vec<String>>, {
    remote,
    lower: |m| m.into_iter().collect(),
    try_lift: |m| Ok(m.into_iter().collect()),
});

/// Stars given and out of how many: the model's `(stars, scale)` pair.
#[derive(Debug, Clone, Copy, PartialEq, Eq, uniffi::Record)]
pub struct Stars {
    /// Stars given.
    pub stars: u32,
    /// Out of how many stars.
    pub scale: u32,
}

type StarRating = (u32, u32);
uniffi::custom_type!(StarRating, Stars, {
    remote,
    lower: |pair| Stars { stars: pair.0, scale: pair.1 },
    try_lift: |s| Ok((s.stars, s.scale)),
});

/// One option a question of the survey page offers: the model's `(id, label)` pair.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct QuestionOption {
    /// For a choice: the option id (`Answer.choice`); for facets: the facet (`Answer.facets`).
    pub id: String,
    /// What the page shows, in the page's language (for facets: the facet itself).
    pub label: String,
}

type OptionLabel = (String, String);
uniffi::custom_type!(OptionLabel, QuestionOption, {
    remote,
    lower: |pair| QuestionOption { id: pair.0, label: pair.1 },
    try_lift: |o| Ok((o.id, o.label)),
});

/// `code_name()` on the model's enums: the stable snake_case name, as in JSON.
macro_rules! code_names {
    ($($name:ident),+ $(,)?) => {$(
        #[uniffi::export]
        impl $name {
            /// The stable snake_case name, as in JSON and the database.
            pub fn code_name(&self) -> String {
                self.as_str().to_owned()
            }
        }
    )+};
}

code_names!(
    UserRole,
    NotifyLevel,
    AlertKind,
    AlertStatus,
    InteractionMethod,
    Author,
    CommentKind,
    MessageKind,
    MessageStatus,
    ResponseSource,
    Sentiment,
);

#[uniffi::export]
impl SkipReason {
    /// The stable snake_case name, as in JSON and docs/rules.md (`no_usable_contact`).
    pub fn code_name(&self) -> String {
        self.as_str().to_owned()
    }

    /// A short sentence a store owner understands.
    #[uniffi::method(name = "describe")]
    pub fn description(&self) -> String {
        self.describe().to_owned()
    }
}

#[uniffi::export]
impl Explanation {
    /// One line per decision, in words a store owner understands (English).
    #[uniffi::method(name = "lines")]
    pub fn decision_lines(&self) -> Vec<String> {
        self.lines()
    }
}

/// The settings a new store starts with.
#[uniffi::export]
pub fn default_settings() -> Settings {
    Settings::default()
}

/// The alert settings a new store starts with.
#[uniffi::export]
pub fn default_alert_settings() -> AlertSettings {
    AlertSettings::default()
}

/// The delivery settings a new store starts with.
#[uniffi::export]
pub fn default_delivery_settings() -> DeliverySettings {
    DeliverySettings::default()
}

/// The feedback settings a new store starts with.
#[uniffi::export]
pub fn default_feedback_settings() -> FeedbackSettings {
    FeedbackSettings::default()
}

#[cfg(test)]
mod tests {
    use uniffi::{Lift, Lower};

    use super::*;
    use crate::UniFfiTag;

    #[test]
    fn instants_cross_as_milliseconds_inside_the_one_range() {
        let t = <Timestamp as Lift<UniFfiTag>>::try_lift(1_795_212_000_000).unwrap();
        assert_eq!(t.to_rfc3339(), "2026-11-20T22:00:00+00:00");
        assert_eq!(<Timestamp as Lower<UniFfiTag>>::lower(t), 1_795_212_000_000);
        for ms in [time::MIN_MS - 1, time::MAX_MS + 1, i64::MAX] {
            let err = <Timestamp as Lift<UniFfiTag>>::try_lift(ms).unwrap_err();
            let err = err.downcast::<HearkenError>().unwrap();
            assert_eq!(err.kind(), "invalid_input");
        }
        assert!(<OffsetTimestamp as Lift<UniFfiTag>>::try_lift(time::MAX_MS).is_ok());
    }

    #[test]
    fn dates_cross_as_iso_text_parsed_like_json() {
        let text =
            <IsoDate as Lower<UniFfiTag>>::lower(NaiveDate::from_ymd_opt(2026, 11, 20).unwrap());
        let d = <IsoDate as Lift<UniFfiTag>>::try_lift(text).unwrap();
        assert_eq!(d.to_string(), "2026-11-20");
        for bad in ["20/11/2026", "2026-02-30", "2026-11-20 "] {
            let buf = <String as Lower<UniFfiTag>>::lower(bad.to_owned());
            let err = <IsoDate as Lift<UniFfiTag>>::try_lift(buf).unwrap_err();
            let err = err.downcast::<HearkenError>().unwrap();
            assert!(!err.to_json().contains(bad), "the value is not echoed");
        }
    }
}
