//! Instants as Unix milliseconds and dates as `YYYY-MM-DD` text, both directions.

use chrono::{DateTime, FixedOffset, NaiveDate, Utc};

use crate::error::{Error, Problem};

/// The instant of a `now_ms`-style argument, or an invalid-input error naming it.
pub(super) fn arg_instant(ms: i64, name: &str) -> Result<DateTime<Utc>, Error> {
    crate::rules::time::from_ms(ms)
        .ok_or_else(|| Error::invalid(Problem::top("arguments", name, OUT_OF_RANGE)))
}

/// The instant of a record field given in milliseconds, as the offset-carrying type the
/// batch model uses; `None` outside the one range of instants (T3).
pub(super) fn field_instant(ms: i64) -> Option<DateTime<FixedOffset>> {
    crate::rules::time::from_ms(ms).map(|t| t.fixed_offset())
}

/// Optional `[from, to)` instants of a query.
pub(super) type Bounds = (Option<DateTime<Utc>>, Option<DateTime<Utc>>);

/// Optional `[from_ms, to_ms)` bounds of a query record as instants; a value chrono cannot
/// represent is invalid input naming `record.from_ms` / `record.to_ms` (both, if both are).
pub(super) fn optional_bounds(
    record: &str,
    from_ms: Option<i64>,
    to_ms: Option<i64>,
) -> Result<Bounds, Error> {
    let mut problems = Vec::new();
    let mut bound = |ms: Option<i64>, field: &str| {
        let at = ms.map(crate::rules::time::from_ms)?;
        if at.is_none() {
            problems.push(Problem::top(record, field, OUT_OF_RANGE));
        }
        at
    };
    let from = bound(from_ms, "from_ms");
    let to = bound(to_ms, "to_ms");
    if problems.is_empty() {
        Ok((from, to))
    } else {
        Err(Error::Invalid(problems))
    }
}

/// Parses a `YYYY-MM-DD` date exactly as the JSON wire format does (strict: ten
/// characters, no spaces, inside the range).
pub(super) fn parse_date(text: &str) -> Option<NaiveDate> {
    crate::rules::time::parse_date_strict(text)
}

/// Unix milliseconds of an instant.
pub(super) fn ms(t: DateTime<Utc>) -> i64 {
    t.timestamp_millis()
}

/// The `YYYY-MM-DD` text of a date, as in the JSON wire format.
pub(super) fn date(d: NaiveDate) -> String {
    d.to_string()
}

/// The texts of a list of dates.
pub(super) fn dates(ds: &[NaiveDate]) -> Vec<String> {
    ds.iter().copied().map(date).collect()
}

/// Reason given for a millisecond value outside the one range of instants (T3).
pub(super) const OUT_OF_RANGE: &str = crate::rules::time::OUT_OF_RANGE;

/// The instant of a record field given in milliseconds, `None` outside the range.
pub(super) fn record_instant(ms: i64) -> Option<DateTime<Utc>> {
    crate::rules::time::from_ms(ms)
}

/// Reason given for a date that is not `YYYY-MM-DD`.
pub(super) const BAD_DATE: &str = "invalid date; expected YYYY-MM-DD";

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn milliseconds_round_trip_and_out_of_range_is_invalid_input() {
        let t = arg_instant(1_795_212_000_000, "now_ms").unwrap();
        assert_eq!(t.to_rfc3339(), "2026-11-20T22:00:00+00:00");
        assert_eq!(ms(t), 1_795_212_000_000);
        let err = arg_instant(i64::MAX, "now_ms").unwrap_err();
        assert_eq!(err.kind(), crate::ErrorKind::InvalidInput);
        assert_eq!(err.problems()[0].field, "now_ms");
    }

    #[test]
    fn dates_cross_as_iso_text() {
        let d = parse_date("2026-11-20").unwrap();
        assert_eq!(date(d), "2026-11-20");
        assert_eq!(parse_date("20/11/2026"), None);
        assert_eq!(parse_date("2026-02-30"), None);
    }
}
