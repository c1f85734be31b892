//! Local time arithmetic for each location: business dates, sync and send instants (S1),
//! and the one range of instants every door accepts (T3).
//!
//! Every instant hearken takes or stores lies in [`MIN_MS`]..=[`MAX_MS`]
//! (1970-01-01T00:00:00.000Z to 9999-12-31T23:59:59.999Z); every date in
//! [`MIN_DATE`]..=[`MAX_DATE`]. Arithmetic on them goes through the saturating helpers
//! below, so a deadline past the end of the range stays at [`max_instant`] instead of
//! overflowing, and no call inside the range can panic.

use chrono::{
    DateTime, Datelike, LocalResult, Months, NaiveDate, NaiveDateTime, TimeDelta, TimeZone,
    Timelike, Utc,
};
use chrono_tz::Tz;

use crate::error::Problem;

/// First instant of the range, 1970-01-01T00:00:00.000Z, in Unix milliseconds.
pub const MIN_MS: i64 = 0;
/// Last instant of the range, 9999-12-31T23:59:59.999Z, in Unix milliseconds.
pub const MAX_MS: i64 = 253_402_300_799_999;
/// First date of the range.
pub const MIN_DATE: NaiveDate = NaiveDate::from_ymd_opt(1970, 1, 1).unwrap();
/// Last date of the range.
pub const MAX_DATE: NaiveDate = NaiveDate::from_ymd_opt(9999, 12, 31).unwrap();

/// Reason given for an instant outside the range.
pub const OUT_OF_RANGE: &str =
    "outside the range 1970-01-01T00:00:00.000Z to 9999-12-31T23:59:59.999Z";
/// Reason given for a date outside the range.
pub const DATE_OUT_OF_RANGE: &str = "outside the range 1970-01-01 to 9999-12-31";

/// The first instant of the range.
pub fn min_instant() -> DateTime<Utc> {
    DateTime::UNIX_EPOCH
}

/// The last instant of the range.
pub fn max_instant() -> DateTime<Utc> {
    DateTime::from_timestamp_millis(MAX_MS).unwrap_or(DateTime::<Utc>::MAX_UTC)
}

/// Whether an instant lies in the range.
pub fn in_range(t: DateTime<Utc>) -> bool {
    t >= min_instant() && t <= max_instant()
}

/// Whether a date lies in the range.
pub fn date_in_range(d: NaiveDate) -> bool {
    (MIN_DATE..=MAX_DATE).contains(&d)
}

/// The instant of Unix milliseconds, if they lie in the range.
pub fn from_ms(ms: i64) -> Option<DateTime<Utc>> {
    if (MIN_MS..=MAX_MS).contains(&ms) {
        DateTime::from_timestamp_millis(ms)
    } else {
        None
    }
}

/// Unix milliseconds of an instant: the form instants are stored in.
pub fn ms(t: DateTime<Utc>) -> i64 {
    t.timestamp_millis()
}

/// The instant of stored Unix milliseconds; stored values lie in the range (T3), and one
/// that does not reads as the nearest end of it.
pub fn from_stored(ms: i64) -> DateTime<Utc> {
    from_ms(ms.clamp(MIN_MS, MAX_MS)).unwrap_or_default()
}

/// The one check of every door: an instant outside the range is a problem naming
/// `record.field`.
pub fn check_instant(t: DateTime<Utc>, record: &str, field: &str) -> Result<(), Problem> {
    if in_range(t) {
        Ok(())
    } else {
        Err(Problem::top(record, field, OUT_OF_RANGE))
    }
}

/// [`check_instant`] for dates.
pub fn check_date(d: NaiveDate, record: &str, field: &str) -> Result<(), Problem> {
    if date_in_range(d) {
        Ok(())
    } else {
        Err(Problem::top(record, field, DATE_OUT_OF_RANGE))
    }
}

/// `t` clamped into the range.
pub fn clamp(t: DateTime<Utc>) -> DateTime<Utc> {
    t.clamp(min_instant(), max_instant())
}

/// `t + delta`, saturating at the ends of the range.
pub fn add(t: DateTime<Utc>, delta: TimeDelta) -> DateTime<Utc> {
    match t.checked_add_signed(delta) {
        Some(r) => clamp(r),
        None if delta < TimeDelta::zero() => min_instant(),
        None => max_instant(),
    }
}

/// `t - delta`, saturating at the ends of the range.
pub fn sub(t: DateTime<Utc>, delta: TimeDelta) -> DateTime<Utc> {
    match t.checked_sub_signed(delta) {
        Some(r) => clamp(r),
        None if delta < TimeDelta::zero() => max_instant(),
        None => min_instant(),
    }
}

/// A duration of `hours`, saturating (never panics, whatever the count).
pub fn hours(hours: i64) -> TimeDelta {
    TimeDelta::try_hours(hours).unwrap_or(if hours < 0 {
        TimeDelta::MIN
    } else {
        TimeDelta::MAX
    })
}

/// A duration of `days`, saturating.
pub fn days(days: i64) -> TimeDelta {
    TimeDelta::try_days(days).unwrap_or(if days < 0 {
        TimeDelta::MIN
    } else {
        TimeDelta::MAX
    })
}

/// A duration of `seconds`, saturating.
pub fn seconds(seconds: i64) -> TimeDelta {
    TimeDelta::try_seconds(seconds).unwrap_or(if seconds < 0 {
        TimeDelta::MIN
    } else {
        TimeDelta::MAX
    })
}

/// `date + days`, saturating at the ends of the date range.
pub fn add_days(date: NaiveDate, days: i64) -> NaiveDate {
    let moved = if days >= 0 {
        date.checked_add_days(chrono::Days::new(days.unsigned_abs()))
    } else {
        date.checked_sub_days(chrono::Days::new(days.unsigned_abs()))
    };
    match moved {
        Some(d) => d.clamp(MIN_DATE, MAX_DATE),
        None if days < 0 => MIN_DATE,
        None => MAX_DATE,
    }
}

/// `date + months` (clamped to the month's last day), saturating at the ends of the range.
pub fn add_months(date: NaiveDate, months: i32) -> NaiveDate {
    let moved = if months >= 0 {
        date.checked_add_months(Months::new(months.unsigned_abs()))
    } else {
        date.checked_sub_months(Months::new(months.unsigned_abs()))
    };
    match moved {
        Some(d) => d.clamp(MIN_DATE, MAX_DATE),
        None if months < 0 => MIN_DATE,
        None => MAX_DATE,
    }
}

/// The first day of `date`'s month.
pub fn month_start(date: NaiveDate) -> NaiveDate {
    date.with_day(1).unwrap_or(date)
}

/// The day after `date`, or `None` past [`MAX_DATE`].
pub fn next_day(date: NaiveDate) -> Option<NaiveDate> {
    date.succ_opt().filter(|d| *d <= MAX_DATE)
}

/// A date as `YYYY-MM-DD` text, what chrono's `%Y-%m-%d` (and its `Display` and serde)
/// write: the stores' form and the JSON's.
///
/// Written digit by digit: chrono's `format` parses its pattern for every date (about
/// 1,600 instructions a date, bound with SQLite's own conversion), and a night writes
/// one or two per sale, invitation and decision. Years outside 0..=9999 (never a
/// business date) keep chrono's form.
pub fn date_text(d: NaiveDate) -> String {
    let (year, month, day) = (d.year(), d.month(), d.day());
    let Ok(year @ 0..=9999) = u32::try_from(year) else {
        return d.format("%Y-%m-%d").to_string();
    };
    let digit = |n: u32| char::from(b'0' + (n % 10) as u8);
    let mut out = String::with_capacity(10);
    for n in [year / 1000, year / 100, year / 10, year] {
        out.push(digit(n));
    }
    out.push('-');
    out.push(digit(month / 10));
    out.push(digit(month));
    out.push('-');
    out.push(digit(day / 10));
    out.push(digit(day));
    out
}

/// T6: a date written exactly `YYYY-MM-DD` (ten ASCII characters, no spaces, no sign)
/// inside the range; anything else is `None`.
pub fn parse_date_strict(text: &str) -> Option<NaiveDate> {
    let b = text.as_bytes();
    let shaped = b.len() == 10
        && b[4] == b'-'
        && b[7] == b'-'
        && b.iter()
            .enumerate()
            .all(|(i, c)| i == 4 || i == 7 || c.is_ascii_digit());
    if !shaped {
        return None;
    }
    NaiveDate::parse_from_str(text, "%Y-%m-%d")
        .ok()
        .filter(|d| date_in_range(*d))
}

/// T3/T6: an RFC 3339 instant with an offset (`2026-11-20T10:00:00+01:00`, no spaces
/// around it), inside the range; anything else is `None`.
pub fn parse_instant_strict(text: &str) -> Option<DateTime<chrono::FixedOffset>> {
    if text.trim() != text || text.contains(' ') {
        return None;
    }
    DateTime::parse_from_rfc3339(text)
        .ok()
        .filter(|t| in_range(t.with_timezone(&Utc)))
}

/// Reason given for a date that is not exactly `YYYY-MM-DD` in the range.
pub const BAD_DATE: &str = "invalid date; expected YYYY-MM-DD from 1970-01-01 to 9999-12-31";
/// Reason given for a timestamp that is not strict RFC 3339 in the range.
pub const BAD_INSTANT: &str =
    "invalid timestamp; expected RFC 3339 with an offset, from 1970-01-01 to 9999-12-31 UTC";

/// Parses an IANA time zone name, or a Windows one ("Romance Standard Time") through CLDR's table.
pub fn parse_tz(name: &str) -> Option<Tz> {
    iana_zone_name(name)?.parse().ok()
}

/// The IANA name a location stores for `name`: itself when it is an IANA zone, the CLDR
/// zone of a Windows name ("Romance Standard Time" → "Europe/Paris"), else `None`.
pub fn iana_zone_name(name: &str) -> Option<&str> {
    if name.parse::<Tz>().is_ok() {
        return Some(name);
    }
    super::windows_zones::iana_for_windows(name)
}

/// The local calendar date of `instant` in `tz`, kept inside the date range (an instant
/// at the very start of 1970 is still 1969-12-31 in America).
pub fn local_date(tz: Tz, instant: DateTime<Utc>) -> NaiveDate {
    instant
        .with_timezone(&tz)
        .date_naive()
        .clamp(MIN_DATE, MAX_DATE)
}

/// The UTC instant of a local wall-clock time (S1): in a DST gap the first valid instant
/// after it, in an overlap the earlier one; kept inside the range.
pub fn resolve_local(tz: Tz, local: NaiveDateTime) -> DateTime<Utc> {
    let found = match tz.from_local_datetime(&local) {
        LocalResult::Single(t) => Some(t.with_timezone(&Utc)),
        LocalResult::Ambiguous(a, b) => Some(a.min(b).with_timezone(&Utc)),
        LocalResult::None => {
            // Gaps last at most a few hours and start on a minute boundary.
            let mut probe = local;
            let mut found = None;
            for _ in 0..(26 * 60) {
                let Some(next) = probe.checked_add_signed(TimeDelta::minutes(1)) else {
                    break;
                };
                probe = next;
                if let Some(t) = tz.from_local_datetime(&probe).earliest() {
                    found = Some(t.with_timezone(&Utc));
                    break;
                }
            }
            found
        }
    };
    clamp(found.unwrap_or_else(|| local.and_utc()))
}

/// The UTC instant of `hour`:00 local on `date`.
pub fn local_hour_instant(tz: Tz, date: NaiveDate, hour: u32) -> DateTime<Utc> {
    let local = date
        .and_hms_opt(hour.min(23), 0, 0)
        .unwrap_or_else(|| date.and_time(chrono::NaiveTime::MIN));
    resolve_local(tz, local)
}

/// The first sync instant strictly after `now` at the location's sync hour (S1).
pub fn next_sync_at(tz: Tz, sync_hour: u32, now: DateTime<Utc>) -> DateTime<Utc> {
    let today = local_date(tz, now);
    let tonight = local_hour_instant(tz, today, sync_hour);
    if tonight > now {
        tonight
    } else {
        // On the last day of the range there is no later sync: saturate.
        match next_day(today) {
            Some(tomorrow) => local_hour_instant(tz, tomorrow, sync_hour),
            None => max_instant(),
        }
    }
}

/// Quiet hours `[start, end)` in local hours; equal bounds mean none.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct QuietHours {
    /// First quiet hour (inclusive).
    pub start: u32,
    /// First hour after the quiet period (exclusive).
    pub end: u32,
}

impl QuietHours {
    /// Whether a local hour falls inside the quiet hours.
    pub fn contains(self, hour: u32) -> bool {
        if self.start == self.end {
            false
        } else if self.start < self.end {
            (self.start..self.end).contains(&hour)
        } else {
            hour >= self.start || hour < self.end
        }
    }
}

/// When an invitation created on `business_date` becomes due: `send_hour` local the next
/// morning, pushed to the end of quiet hours if it would fall inside them (S1).
pub fn invitation_due_at(
    tz: Tz,
    business_date: NaiveDate,
    send_hour: u32,
    quiet: QuietHours,
) -> DateTime<Utc> {
    let next = next_day(business_date).unwrap_or(business_date);
    let due = local_hour_instant(tz, next, send_hour);
    let local = due.with_timezone(&tz);
    if !quiet.contains(local.hour()) {
        return due;
    }
    let day = if local.hour() >= quiet.end {
        next_day(local.date_naive()).unwrap_or(next)
    } else {
        local.date_naive()
    };
    local_hour_instant(tz, day, quiet.end)
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::NaiveTime;

    fn d(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }
    fn utc(s: &str) -> DateTime<Utc> {
        s.parse().unwrap()
    }

    #[test]
    fn s1_sync_instant_differs_by_zone() {
        let now = utc("2026-11-20T12:00:00Z");
        assert_eq!(
            next_sync_at(chrono_tz::Europe::Paris, 23, now),
            utc("2026-11-20T22:00:00Z")
        );
        assert_eq!(
            next_sync_at(chrono_tz::Asia::Seoul, 23, now),
            utc("2026-11-20T14:00:00Z")
        );
        assert_eq!(
            next_sync_at(chrono_tz::America::New_York, 23, now),
            utc("2026-11-21T04:00:00Z")
        );
    }

    #[test]
    fn s1_dst_does_not_move_the_local_hour() {
        // Paris: summer 23:00 = 21:00 UTC, winter 23:00 = 22:00 UTC.
        let tz = chrono_tz::Europe::Paris;
        assert_eq!(
            local_hour_instant(tz, d("2026-03-28"), 23),
            utc("2026-03-28T22:00:00Z")
        );
        assert_eq!(
            local_hour_instant(tz, d("2026-03-29"), 23),
            utc("2026-03-29T21:00:00Z")
        );
    }

    #[test]
    fn s1_dst_gap_takes_first_valid_instant_after_it() {
        // 2026-03-29 02:30 does not exist in Paris; 03:00 CEST = 01:00 UTC.
        let tz = chrono_tz::Europe::Paris;
        let local = d("2026-03-29").and_time(NaiveTime::from_hms_opt(2, 30, 0).unwrap());
        assert_eq!(resolve_local(tz, local), utc("2026-03-29T01:00:00Z"));
        // New York 2026-03-08 02:00 -> 03:00 EDT = 07:00 UTC.
        let ny = chrono_tz::America::New_York;
        assert_eq!(
            local_hour_instant(ny, d("2026-03-08"), 2),
            utc("2026-03-08T07:00:00Z")
        );
    }

    #[test]
    fn s1_dst_overlap_takes_the_earlier_instant() {
        // 2026-10-25 02:30 happens twice in Paris: first at 00:30 UTC (CEST).
        let tz = chrono_tz::Europe::Paris;
        let local = d("2026-10-25").and_time(NaiveTime::from_hms_opt(2, 30, 0).unwrap());
        assert_eq!(resolve_local(tz, local), utc("2026-10-25T00:30:00Z"));
    }

    #[test]
    fn s1_invitations_due_next_morning_at_send_hour_never_in_quiet_hours() {
        let tz = chrono_tz::Europe::Paris;
        let quiet = QuietHours { start: 21, end: 8 };
        assert_eq!(
            invitation_due_at(tz, d("2026-11-20"), 10, quiet),
            utc("2026-11-21T09:00:00Z")
        );
        // A send hour inside quiet hours is pushed to their end.
        assert_eq!(
            invitation_due_at(tz, d("2026-11-20"), 6, quiet),
            utc("2026-11-21T07:00:00Z")
        );
        assert_eq!(
            invitation_due_at(tz, d("2026-11-20"), 22, quiet),
            utc("2026-11-22T07:00:00Z")
        );
    }

    #[test]
    fn quiet_hours_wrap_midnight() {
        let q = QuietHours { start: 21, end: 8 };
        assert!(q.contains(23) && q.contains(0) && q.contains(7));
        assert!(!q.contains(8) && !q.contains(20));
        assert!(!QuietHours { start: 5, end: 5 }.contains(5));
    }
}
