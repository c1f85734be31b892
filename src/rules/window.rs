//! The sync window (S2): which business dates the host sends tonight, which are missing.

use std::collections::BTreeSet;

use chrono::{DateTime, NaiveDate, TimeDelta, Utc};
use chrono_tz::Tz;

use super::time::{self, local_hour_instant};

/// Days of sync history kept for gap detection.
pub const HISTORY_DAYS: i64 = 400;

/// The business date whose sync instant is nearest to `now` (within 12 hours either way),
/// so that a sync run a little after midnight still belongs to the evening before.
pub fn business_today(tz: Tz, sync_hour: u32, now: DateTime<Utc>) -> NaiveDate {
    let d = time::local_date(tz, now);
    let sync = local_hour_instant(tz, d, sync_hour);
    // Kept inside the date range: at its very ends the nearest date is the end itself.
    if time::sub(sync, TimeDelta::hours(12)) > now {
        time::add_days(d, -1)
    } else if time::add(sync, TimeDelta::hours(12)) <= now {
        time::add_days(d, 1)
    } else {
        d
    }
}

/// A date is overdue once its sync hour + 2 h has passed (S2).
pub fn is_overdue(tz: Tz, sync_hour: u32, date: NaiveDate, now: DateTime<Utc>) -> bool {
    time::add(local_hour_instant(tz, date, sync_hour), TimeDelta::hours(2)) <= now
}

/// Tonight's dates and the missing ones.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct WindowPlan {
    /// Dates the host must send tonight, oldest first.
    pub dates: Vec<NaiveDate>,
    /// Dates beyond the catch-up allowance, oldest first: only a backfill closes them.
    pub missing: Vec<NaiveDate>,
}

/// Plans the window from the dates already synced (S2).
///
/// `synced` holds the synced dates of the last [`HISTORY_DAYS`]; `overdue` says whether a
/// date's sync hour + 2 h has passed.
pub fn plan(
    today: NaiveDate,
    synced: &BTreeSet<NaiveDate>,
    catch_up_days: u32,
    overdue: impl Fn(NaiveDate) -> bool,
) -> WindowPlan {
    let Some(&last) = synced.last() else {
        return WindowPlan {
            dates: vec![today],
            missing: Vec::new(),
        };
    };
    let mut out = WindowPlan::default();
    let first = synced.first().copied().unwrap_or(last);
    // Old gaps stay missing until a backfill closes them.
    for d in first.iter_days().take_while(|d| *d < last.min(today)) {
        if !synced.contains(&d) {
            out.missing.push(d);
        }
    }
    let catch_from = today
        .checked_sub_signed(TimeDelta::days(i64::from(catch_up_days)))
        .unwrap_or(NaiveDate::MIN);
    for d in last.iter_days().skip(1).take_while(|d| *d <= today) {
        if d < catch_from && overdue(d) {
            out.missing.push(d);
        } else {
            out.dates.push(d);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }
    fn set(dates: &[&str]) -> BTreeSet<NaiveDate> {
        dates.iter().map(|s| d(s)).collect()
    }

    #[test]
    fn s2_first_sync_asks_for_today() {
        let p = plan(d("2026-11-20"), &set(&[]), 1, |_| true);
        assert_eq!(p.dates, vec![d("2026-11-20")]);
        assert!(p.missing.is_empty());
    }

    #[test]
    fn s2_one_missed_night_is_caught_up() {
        let p = plan(d("2026-11-22"), &set(&["2026-11-20"]), 1, |_| true);
        assert_eq!(p.dates, vec![d("2026-11-21"), d("2026-11-22")]);
        assert!(p.missing.is_empty());
    }

    #[test]
    fn s2_larger_gaps_are_missing_and_stay_missing() {
        let p = plan(d("2026-11-23"), &set(&["2026-11-20"]), 1, |_| true);
        assert_eq!(p.dates, vec![d("2026-11-22"), d("2026-11-23")]);
        assert_eq!(p.missing, vec![d("2026-11-21")]);
        // After tonight's sync the 21st is still missing, until a backfill.
        let p = plan(
            d("2026-11-24"),
            &set(&["2026-11-20", "2026-11-22", "2026-11-23"]),
            1,
            |_| true,
        );
        assert_eq!(p.dates, vec![d("2026-11-24")]);
        assert_eq!(p.missing, vec![d("2026-11-21")]);
    }

    #[test]
    fn s2_catch_up_days_is_configurable() {
        let p = plan(d("2026-11-23"), &set(&["2026-11-20"]), 2, |_| true);
        assert_eq!(p.dates.len(), 3);
        let p = plan(d("2026-11-23"), &set(&["2026-11-20"]), 0, |_| true);
        assert_eq!(p.dates, vec![d("2026-11-23")]);
        assert_eq!(p.missing, vec![d("2026-11-21"), d("2026-11-22")]);
    }

    #[test]
    fn s2_a_date_is_missing_only_once_overdue() {
        let p = plan(d("2026-11-23"), &set(&["2026-11-20"]), 0, |x| {
            x < d("2026-11-22")
        });
        assert_eq!(p.missing, vec![d("2026-11-21")]);
        assert_eq!(p.dates, vec![d("2026-11-22"), d("2026-11-23")]);
    }

    #[test]
    fn s2_business_today_belongs_to_the_nearest_sync() {
        let tz = chrono_tz::Europe::Paris;
        let t = |s: &str| s.parse::<DateTime<Utc>>().unwrap();
        // 23:00 Paris on the 20th, and a late run at 00:30 on the 21st: both the 20th.
        assert_eq!(
            business_today(tz, 23, t("2026-11-20T22:00:00Z")),
            d("2026-11-20")
        );
        assert_eq!(
            business_today(tz, 23, t("2026-11-20T23:30:00Z")),
            d("2026-11-20")
        );
        assert_eq!(
            business_today(tz, 23, t("2026-11-20T09:00:00Z")),
            d("2026-11-19")
        );
        assert!(is_overdue(
            tz,
            23,
            d("2026-11-20"),
            t("2026-11-21T00:00:00Z")
        ));
        assert!(!is_overdue(
            tz,
            23,
            d("2026-11-20"),
            t("2026-11-20T23:59:00Z")
        ));
    }
}
