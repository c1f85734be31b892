//! Local time arithmetic for each location: business dates, sync and send instants (S1).

use chrono::{DateTime, LocalResult, NaiveDate, NaiveDateTime, TimeDelta, TimeZone, Timelike, Utc};
use chrono_tz::Tz;

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

/// The local calendar date of `instant` in `tz`.
pub fn local_date(tz: Tz, instant: DateTime<Utc>) -> NaiveDate {
    instant.with_timezone(&tz).date_naive()
}

/// The UTC instant of a local wall-clock time (S1): in a DST gap the first valid instant
/// after it, in an overlap the earlier one.
pub fn resolve_local(tz: Tz, local: NaiveDateTime) -> DateTime<Utc> {
    match tz.from_local_datetime(&local) {
        LocalResult::Single(t) => t.with_timezone(&Utc),
        LocalResult::Ambiguous(a, b) => a.min(b).with_timezone(&Utc),
        LocalResult::None => {
            // Gaps last at most a few hours and start on a minute boundary.
            let mut probe = local;
            for _ in 0..(26 * 60) {
                probe += TimeDelta::minutes(1);
                if let Some(t) = tz.from_local_datetime(&probe).earliest() {
                    return t.with_timezone(&Utc);
                }
            }
            local.and_utc()
        }
    }
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
        local_hour_instant(tz, today.succ_opt().unwrap_or(today), sync_hour)
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
    let next_day = business_date.succ_opt().unwrap_or(business_date);
    let due = local_hour_instant(tz, next_day, send_hour);
    let local = due.with_timezone(&tz);
    if !quiet.contains(local.hour()) {
        return due;
    }
    let day = if local.hour() >= quiet.end {
        local.date_naive().succ_opt().unwrap_or(next_day)
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
