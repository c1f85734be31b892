//! Strict serde forms of dates and instants for the JSON wire format (T3, T6): used with
//! `#[serde(with = …)]` on every input field. The error never carries the value.

use chrono::{DateTime, FixedOffset, NaiveDate, Utc};
use serde::{Deserialize, Deserializer, Serialize, Serializer, de::Error as _};

fn text<'de, D: Deserializer<'de>>(d: D) -> Result<std::borrow::Cow<'de, str>, D::Error> {
    <std::borrow::Cow<'de, str>>::deserialize(d)
}

/// A `YYYY-MM-DD` date.
pub mod date {
    use super::*;
    /// Serialises as chrono does.
    pub fn serialize<S: Serializer>(v: &NaiveDate, s: S) -> Result<S::Ok, S::Error> {
        v.serialize(s)
    }
    /// Strict parse.
    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<NaiveDate, D::Error> {
        crate::rules::time::parse_date_strict(&text(d)?)
            .ok_or_else(|| D::Error::custom(crate::rules::time::BAD_DATE))
    }
}

/// A list of `YYYY-MM-DD` dates.
pub mod dates {
    use super::*;
    /// Serialises as chrono does.
    pub fn serialize<S: Serializer>(v: &[NaiveDate], s: S) -> Result<S::Ok, S::Error> {
        v.serialize(s)
    }
    /// Strict parse of each.
    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<NaiveDate>, D::Error> {
        #[derive(Deserialize)]
        struct Strict(#[serde(with = "super::date")] NaiveDate);
        Ok(Vec::<Strict>::deserialize(d)?
            .into_iter()
            .map(|s| s.0)
            .collect())
    }
}

/// An RFC 3339 instant in UTC.
pub mod utc {
    use super::*;
    /// Serialises as chrono does.
    pub fn serialize<S: Serializer>(v: &DateTime<Utc>, s: S) -> Result<S::Ok, S::Error> {
        v.serialize(s)
    }
    /// Strict parse.
    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<DateTime<Utc>, D::Error> {
        crate::rules::time::parse_instant_strict(&text(d)?)
            .map(|t| t.with_timezone(&Utc))
            .ok_or_else(|| D::Error::custom(crate::rules::time::BAD_INSTANT))
    }
}

/// An optional RFC 3339 instant in UTC.
pub mod utc_opt {
    use super::*;
    /// Serialises as chrono does.
    pub fn serialize<S: Serializer>(v: &Option<DateTime<Utc>>, s: S) -> Result<S::Ok, S::Error> {
        v.serialize(s)
    }
    /// Strict parse; `null` is `None`.
    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Option<DateTime<Utc>>, D::Error> {
        #[derive(Deserialize)]
        struct Strict(#[serde(with = "super::utc")] DateTime<Utc>);
        Ok(Option::<Strict>::deserialize(d)?.map(|s| s.0))
    }
}

/// An optional RFC 3339 instant keeping its offset.
pub mod offset_opt {
    use super::*;
    /// Serialises as chrono does.
    pub fn serialize<S: Serializer>(
        v: &Option<DateTime<FixedOffset>>,
        s: S,
    ) -> Result<S::Ok, S::Error> {
        v.serialize(s)
    }
    /// Strict parse; `null` is `None`.
    pub fn deserialize<'de, D: Deserializer<'de>>(
        d: D,
    ) -> Result<Option<DateTime<FixedOffset>>, D::Error> {
        #[derive(Deserialize)]
        struct Strict(#[serde(deserialize_with = "offset")] DateTime<FixedOffset>);
        fn offset<'de, D: Deserializer<'de>>(d: D) -> Result<DateTime<FixedOffset>, D::Error> {
            crate::rules::time::parse_instant_strict(&text(d)?)
                .ok_or_else(|| D::Error::custom(crate::rules::time::BAD_INSTANT))
        }
        Ok(Option::<Strict>::deserialize(d)?.map(|s| s.0))
    }
}
