//! Dashboard periods (X3) and date buckets (N2) in a location's own time zone. Pure:
//! `now` is passed in.

use chrono::{DateTime, Datelike, Months, NaiveDate, NaiveTime, Utc};
use chrono_tz::Tz;

use crate::error::Problem;
use crate::model::{Bucket, Period};
use crate::rules::time::{local_date, resolve_local};

/// A local calendar date as a day number (days from 0001-01-01 = 1), as rollups store it.
pub fn day_number(date: NaiveDate) -> i64 {
    i64::from(date.num_days_from_ce())
}

/// The date of a day number; none out of chrono's range.
pub fn date_of(day: i64) -> Option<NaiveDate> {
    i32::try_from(day)
        .ok()
        .and_then(NaiveDate::from_num_days_from_ce_opt)
}

/// The local day number of an instant (Unix ms) in `tz`.
pub fn local_day(tz: Tz, at_ms: i64) -> i64 {
    let at = DateTime::from_timestamp_millis(at_ms)
        .map(super::time::clamp)
        .unwrap_or_else(|| {
            if at_ms < 0 {
                super::time::min_instant()
            } else {
                super::time::max_instant()
            }
        });
    day_number(local_date(tz, at))
}

/// Local dates `[from, until)`; `None` is open.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct DayRange {
    /// First date (included).
    pub from: Option<NaiveDate>,
    /// End date (excluded).
    pub until: Option<NaiveDate>,
}

impl DayRange {
    /// The range as day numbers, open ends as the widest values.
    pub fn day_numbers(self) -> (i64, i64) {
        (
            self.from.map_or(i64::MIN, day_number),
            self.until.map_or(i64::MAX, day_number),
        )
    }
}

fn first_of_month(d: NaiveDate) -> NaiveDate {
    d.with_day(1).unwrap_or(d)
}

/// The problems of a period: a custom range must not end before it starts.
pub fn validate(period: &Period) -> Vec<Problem> {
    let bad = match period {
        Period::Custom { from, to } => from > to,
        Period::Between { from, to } => from > to,
        _ => false,
    };
    if bad {
        vec![Problem::top(
            "period",
            "to",
            "before the start of the period",
        )]
    } else {
        Vec::new()
    }
}

/// The local dates a period covers at a location whose zone is `tz`; none for
/// [`Period::Between`], which is not aligned on local days.
pub fn resolve(period: &Period, tz: Tz, now: DateTime<Utc>) -> Option<DayRange> {
    let this_month = first_of_month(local_date(tz, now));
    let next = |d: NaiveDate, n: u32| d.checked_add_months(Months::new(n));
    match period {
        Period::AllTime => Some(DayRange::default()),
        Period::CurrentMonth => Some(DayRange {
            from: Some(this_month),
            until: next(this_month, 1),
        }),
        Period::LastMonth => Some(DayRange {
            from: this_month.checked_sub_months(Months::new(1)),
            until: Some(this_month),
        }),
        Period::Custom { from, to } => Some(DayRange {
            from: Some(*from),
            until: to.succ_opt(),
        }),
        Period::Between { .. } => None,
    }
}

/// The first instant of a local date in `tz` (in a DST gap, the first valid one).
pub fn day_start(tz: Tz, date: NaiveDate) -> DateTime<Utc> {
    resolve_local(tz, date.and_time(NaiveTime::MIN))
}

/// The UTC instants `[start, end)` of a period at a location; none is open.
pub fn instants(
    period: &Period,
    tz: Tz,
    now: DateTime<Utc>,
) -> (Option<DateTime<Utc>>, Option<DateTime<Utc>>) {
    match (period, resolve(period, tz, now)) {
        (Period::Between { from, to }, _) => (Some(*from), Some(*to)),
        (_, Some(r)) => (
            r.from.map(|d| day_start(tz, d)),
            r.until.map(|d| day_start(tz, d)),
        ),
        (_, None) => (None, None),
    }
}

/// [`instants`] as Unix ms, open ends as the widest values.
pub fn instant_ms(period: &Period, tz: Tz, now: DateTime<Utc>) -> (i64, i64) {
    let (a, b) = instants(period, tz, now);
    (
        a.map_or(i64::MIN, |t| t.timestamp_millis()),
        b.map_or(i64::MAX, |t| t.timestamp_millis()),
    )
}

/// The first local date of the bucket holding `date`.
pub fn bucket_start(date: NaiveDate, bucket: Bucket) -> NaiveDate {
    match bucket {
        Bucket::Day => date,
        Bucket::IsoWeek => {
            super::time::add_days(date, -i64::from(date.weekday().num_days_from_monday()))
        }
        Bucket::Month => first_of_month(date),
    }
}

/// The label of the bucket starting on `start`: `2026-05-04`, `2026-W19`, `2026-05`.
pub fn bucket_label(start: NaiveDate, bucket: Bucket) -> String {
    match bucket {
        Bucket::Day => start.format("%Y-%m-%d").to_string(),
        Bucket::IsoWeek => {
            let w = start.iso_week();
            format!("{}-W{:02}", w.year(), w.week())
        }
        Bucket::Month => start.format("%Y-%m").to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono_tz::{Asia::Seoul, Europe::Paris};

    fn d(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }

    fn t(s: &str) -> DateTime<Utc> {
        s.parse().unwrap()
    }

    #[test]
    fn x3_last_month_depends_on_the_local_date() {
        // 2026-05-31T16:00Z is already June 1st in Seoul, still May 31st in Paris.
        let now = t("2026-05-31T16:00:00Z");
        let seoul = resolve(&Period::LastMonth, Seoul, now).unwrap();
        assert_eq!(
            (seoul.from, seoul.until),
            (Some(d("2026-05-01")), Some(d("2026-06-01")))
        );
        let paris = resolve(&Period::LastMonth, Paris, now).unwrap();
        assert_eq!(
            (paris.from, paris.until),
            (Some(d("2026-04-01")), Some(d("2026-05-01")))
        );
        let (start, end) = instants(&Period::LastMonth, Seoul, now);
        assert_eq!(start, Some(t("2026-04-30T15:00:00Z")));
        assert_eq!(end, Some(t("2026-05-31T15:00:00Z")));
    }

    #[test]
    fn x3_current_month_in_january_and_custom_range() {
        let now = t("2026-01-15T12:00:00Z");
        let r = resolve(&Period::CurrentMonth, Paris, now).unwrap();
        assert_eq!(
            (r.from, r.until),
            (Some(d("2026-01-01")), Some(d("2026-02-01")))
        );
        let r = resolve(&Period::LastMonth, Paris, now).unwrap();
        assert_eq!(
            (r.from, r.until),
            (Some(d("2025-12-01")), Some(d("2026-01-01")))
        );
        let custom = Period::Custom {
            from: d("2026-03-29"),
            to: d("2026-03-29"),
        };
        // The DST day in Paris lasts 23 hours.
        let (a, b) = instants(&custom, Paris, now);
        assert_eq!(b.unwrap() - a.unwrap(), chrono::TimeDelta::hours(23));
        assert!(
            validate(&Period::Custom {
                from: d("2026-02-02"),
                to: d("2026-02-01")
            })
            .len()
                == 1
        );
    }

    #[test]
    fn n2_buckets_are_iso_weeks_and_months() {
        // 2027-01-01 is a Friday of ISO week 2026-W53.
        assert_eq!(
            bucket_start(d("2027-01-01"), Bucket::IsoWeek),
            d("2026-12-28")
        );
        assert_eq!(bucket_label(d("2026-12-28"), Bucket::IsoWeek), "2026-W53");
        assert_eq!(
            bucket_label(bucket_start(d("2026-05-17"), Bucket::Month), Bucket::Month),
            "2026-05"
        );
        assert_eq!(date_of(day_number(d("2026-05-17"))), Some(d("2026-05-17")));
        assert_eq!(
            local_day(Seoul, t("2026-05-31T16:00:00Z").timestamp_millis()),
            day_number(d("2026-06-01"))
        );
    }
}
