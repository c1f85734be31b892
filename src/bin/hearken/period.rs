//! Dashboard periods (X3): current month, last month, all time, or a range of dates,
//! each in a location's time zone, turned into UTC bounds.

use std::str::FromStr;

use chrono::{DateTime, Datelike, Months, NaiveDate, Utc};
use chrono_tz::Tz;
use hearken::rules::time;

/// A period as typed on the command line.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Period {
    /// From the 1st of this month.
    CurrentMonth,
    /// The whole previous month.
    LastMonth,
    /// Everything.
    All,
    /// From the first date to the last, both included; either may be open.
    Range(Option<NaiveDate>, Option<NaiveDate>),
}

impl FromStr for Period {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, String> {
        match s {
            "current-month" => Ok(Period::CurrentMonth),
            "last-month" => Ok(Period::LastMonth),
            "all" => Ok(Period::All),
            _ => {
                let (from, to) = s.split_once("..").ok_or_else(|| {
                    "expected current-month, last-month, all or FROM..TO (YYYY-MM-DD)".to_owned()
                })?;
                // The one date grammar of every door (T6); the value is never echoed.
                let date = |d: &str| -> Result<Option<NaiveDate>, String> {
                    (!d.is_empty())
                        .then(|| {
                            time::parse_date_strict(d).ok_or_else(|| time::BAD_DATE.to_owned())
                        })
                        .transpose()
                };
                let (from, to) = (date(from)?, date(to)?);
                if let (Some(f), Some(t)) = (from, to)
                    && f > t
                {
                    return Err("the start is after the end".to_owned());
                }
                Ok(Period::Range(from, to))
            }
        }
    }
}

/// UTC bounds `[from, to)` of a period in a time zone.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Bounds {
    /// Inclusive start, if any.
    pub from: Option<DateTime<Utc>>,
    /// Exclusive end, if any.
    pub to: Option<DateTime<Utc>>,
}

impl Period {
    /// The period's UTC bounds in `tz` at `now` (local midnights, DST-safe).
    pub fn bounds(self, tz: Tz, now: DateTime<Utc>) -> Bounds {
        let midnight = |d: NaiveDate| time::resolve_local(tz, d.and_time(Default::default()));
        let month_start = time::local_date(tz, now).with_day(1).unwrap_or_default();
        let next = |d: NaiveDate, m: u32| d.checked_add_months(Months::new(m));
        let prev = |d: NaiveDate| d.checked_sub_months(Months::new(1));
        match self {
            Period::All => Bounds {
                from: None,
                to: None,
            },
            Period::CurrentMonth => Bounds {
                from: Some(midnight(month_start)),
                to: next(month_start, 1).map(midnight),
            },
            Period::LastMonth => Bounds {
                from: prev(month_start).map(midnight),
                to: Some(midnight(month_start)),
            },
            Period::Range(from, to) => Bounds {
                from: from.map(midnight),
                to: to.and_then(|t| t.succ_opt()).map(midnight),
            },
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(s: &str) -> DateTime<Utc> {
        s.parse().unwrap()
    }

    #[test]
    fn x3_periods_are_local_months_and_inclusive_date_ranges() {
        let paris: Tz = "Europe/Paris".parse().unwrap();
        // 00:30 on 1 Dec in Paris is still November in UTC: the local month is December.
        let now = at("2026-11-30T23:30:00Z");
        let cur = Period::CurrentMonth.bounds(paris, now);
        assert_eq!(cur.from, Some(at("2026-11-30T23:00:00Z")));
        assert_eq!(cur.to, Some(at("2026-12-31T23:00:00Z")));
        let last = Period::LastMonth.bounds(paris, now);
        assert_eq!(last.from, Some(at("2026-10-31T23:00:00Z")));
        assert_eq!(last.to, cur.from);
        let range: Period = "2026-03-29..2026-03-29".parse().unwrap();
        let b = range.bounds(paris, now);
        // The DST day is 23 hours long.
        assert_eq!(b.from, Some(at("2026-03-28T23:00:00Z")));
        assert_eq!(b.to, Some(at("2026-03-29T22:00:00Z")));
        let open: Period = "2026-11-01..".parse().unwrap();
        assert_eq!(open.bounds(Tz::UTC, now).to, None);
        assert!("2026-12-01..2026-11-01".parse::<Period>().is_err());
        assert!("yesterday".parse::<Period>().is_err());
        assert_eq!(
            "all".parse::<Period>().unwrap().bounds(paris, now).from,
            None
        );
    }
}
