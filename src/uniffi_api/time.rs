//! Instants given as `now_ms`-style arguments, and the instants this door returns bare.
//!
//! Record fields cross as the `Timestamp`/`IsoDate` custom types (types.rs); arguments
//! stay `i64` Unix milliseconds named `*_ms`, so a bad one is an error naming it.

use chrono::{DateTime, Utc};

use crate::error::{Error, Problem};

/// The instant of a `now_ms`-style argument, or an invalid-input error naming it.
pub(super) fn arg_instant(ms: i64, name: &str) -> Result<DateTime<Utc>, Error> {
    crate::rules::time::from_ms(ms).ok_or_else(|| {
        Error::invalid(Problem::top(
            "arguments",
            name,
            crate::rules::time::OUT_OF_RANGE,
        ))
    })
}

/// Unix milliseconds of an instant.
pub(super) fn ms(t: DateTime<Utc>) -> i64 {
    t.timestamp_millis()
}

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
}
