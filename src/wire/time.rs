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
    /// Serialises as chrono does (`YYYY-MM-DD`), written digit by digit: chrono's serde
    /// goes through `Display` and the serializer's string adapter, a few thousand
    /// instructions a date (a sync's events carry one per invitation).
    pub fn serialize<S: Serializer>(v: &NaiveDate, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&crate::rules::time::date_text(*v))
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
    /// Serialises as chrono does (RFC 3339, `Z`, fractions as needed: chrono's serde
    /// writes the same through its string adapter, a piece at a time).
    pub fn serialize<S: Serializer>(v: &DateTime<Utc>, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&v.to_rfc3339_opts(chrono::SecondsFormat::AutoSi, true))
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

#[cfg(test)]
mod tests {
    use chrono::{TimeDelta, TimeZone};
    use serde::Serialize;

    use super::*;

    #[derive(Serialize)]
    struct Fast {
        #[serde(with = "super::date")]
        date: NaiveDate,
        #[serde(with = "super::utc")]
        at: DateTime<Utc>,
    }

    #[derive(Serialize)]
    struct Chrono {
        date: NaiveDate,
        at: DateTime<Utc>,
    }

    /// T6: the wire's dates and instants are written byte for byte as chrono's serde writes
    /// them (whole seconds, milliseconds, micro- and nanoseconds, the range's ends, years
    /// outside four digits).
    #[test]
    fn t6_dates_and_instants_serialise_as_chrono_does() {
        let mut at = Utc.with_ymd_and_hms(1970, 1, 1, 0, 0, 0).unwrap();
        let step = TimeDelta::seconds(86_400 * 37 + 3_671) + TimeDelta::nanoseconds(123_457);
        let mut instants = vec![
            Utc.with_ymd_and_hms(9999, 12, 31, 23, 59, 59).unwrap(),
            Utc.with_ymd_and_hms(-1, 1, 1, 0, 0, 0).unwrap(),
            Utc.with_ymd_and_hms(10_000, 1, 1, 0, 0, 0).unwrap(),
        ];
        for i in 0..3_000 {
            instants.push(at);
            instants.push(at + TimeDelta::milliseconds(i % 1000));
            instants.push(at + TimeDelta::microseconds(i * 7));
            at += step;
        }
        for at in instants {
            let fast = serde_json::to_string(&Fast {
                date: at.date_naive(),
                at,
            })
            .unwrap();
            let chrono = serde_json::to_string(&Chrono {
                date: at.date_naive(),
                at,
            })
            .unwrap();
            assert_eq!(fast, chrono);
        }
    }
}
