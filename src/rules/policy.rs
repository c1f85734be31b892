//! The contact policy (P1–P5, P7), pure: cooldowns per survey kind, the store-wide cap,
//! sampling, the volume rules of a location, and the next send slot of its calendar.

use chrono::{DateTime, Datelike, NaiveDate, TimeDelta, Utc};
use chrono_tz::Tz;
use sha2::{Digest, Sha256};

use super::cooldown::cooldown_until;
use super::time::{self, QuietHours};
use crate::model::{Calendar, ContactPolicy, Settings, SurveyKind};

/// Longest a calendar search looks ahead for a send slot, in days.
const MAX_SLOT_SEARCH_DAYS: u32 = 400;

/// One earlier invitation of a person that counts (pending or delivered, not a resend,
/// reminder or follow-up): what the cooldowns and the cap read (E4, P1–P3).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PastInvitation {
    /// Its survey kind.
    pub kind: SurveyKind,
    /// Business date of the batch that created it.
    pub date: NaiveDate,
    /// Row id of the customer record it was addressed to.
    pub customer: i64,
    /// It has a response.
    pub answered: bool,
}

/// What holds a person back, and until when (E4, P1–P3).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Hold {
    /// The date the person becomes eligible again.
    pub until: NaiveDate,
    /// Row id of the customer record whose invitation holds them.
    pub by: i64,
}

/// The store settings the person rules read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PersonPolicy {
    /// E4: transactional cooldown in months.
    pub cooldown_months: u32,
    /// P1: months after an unanswered invitation; 0 = off.
    pub retry_after_no_answer_months: u32,
    /// P1, P7: relationship cooldown in months.
    pub relationship_every_months: u32,
    /// P2: minimum whole days between two invitations; 0 = off.
    pub min_gap_days: u32,
    /// P2: at most this many invitations in any 365 days; 0 = off.
    pub max_per_year: u32,
}

impl PersonPolicy {
    /// The person rules of a store's settings and contact policy.
    pub fn of(settings: &Settings, policy: &ContactPolicy) -> Self {
        PersonPolicy {
            cooldown_months: settings.cooldown_months,
            retry_after_no_answer_months: policy.retry_after_no_answer_months,
            relationship_every_months: policy.relationship_every_months,
            min_gap_days: policy.min_gap_days,
            max_per_year: policy.max_per_year,
        }
    }
}

/// P1 (E4): the cooldown of `kind` that holds the person on `date`: counted from the last
/// invitation of that kind, over `retry_after_no_answer_months` instead when that one has
/// no response and the retry is set. Follow-up surveys have none.
pub fn cooldown_hold(
    history: &[PastInvitation],
    kind: SurveyKind,
    p: &PersonPolicy,
    date: NaiveDate,
) -> Option<Hold> {
    let months = match kind {
        SurveyKind::Transactional => p.cooldown_months,
        SurveyKind::Relationship => p.relationship_every_months,
        SurveyKind::FollowUp => return None,
    };
    let last = history
        .iter()
        .filter(|i| i.kind == kind)
        .max_by_key(|i| (i.date, i.answered))?;
    let months = if p.retry_after_no_answer_months > 0 && !last.answered {
        p.retry_after_no_answer_months
    } else {
        months
    };
    cooldown_until(Some(last.date), months, date).map(|until| Hold {
        until,
        by: last.customer,
    })
}

/// P7's shortcut: a customer whose own relationship invitation (pending or delivered)
/// is dated after the returned date is held by P1's relationship cooldown on `date`,
/// whatever else their history holds (the person's last invitation of the kind is at
/// least as late, and the cooldown counted from it is `relationship_every_months`, or
/// `retry_after_no_answer_months` when that is set and it has no answer). Months are
/// counted as 28 days, the fewest a calendar month adds (E4's month-end clamp), so the
/// date is never later than the true bound: a store may leave such customers out of a
/// night's relationship candidates without changing a verdict. `None` when the survey is
/// off.
pub fn relationship_held_after(p: &PersonPolicy, date: NaiveDate) -> Option<NaiveDate> {
    let every = p.relationship_every_months;
    if every == 0 {
        return None;
    }
    let months = match p.retry_after_no_answer_months {
        0 => every,
        retry => every.min(retry),
    };
    Some(
        date.checked_sub_signed(TimeDelta::days(28 * i64::from(months)))
            .unwrap_or(time::MIN_DATE),
    )
}

/// The survey kinds whose invitations count in a person's history (E4, P1–P3).
pub const PERSON_KINDS: [SurveyKind; 2] = [SurveyKind::Transactional, SurveyKind::Relationship];

/// The kinds of a person's history the rules read under `p`: the transactional
/// invitations always (E4's cooldown); the relationship ones when the relationship survey
/// (P7, its cooldown P1) or the store-wide cap across kinds (P2) is on. With both off a
/// relationship invitation changes no verdict: [`cooldown_hold`] of the transactional
/// survey counts its own kind only, and [`cap_hold`] holds no one.
pub fn kinds_read(p: &PersonPolicy) -> &'static [SurveyKind] {
    if p.relationship_every_months > 0 || p.min_gap_days > 0 || p.max_per_year > 0 {
        &PERSON_KINDS
    } else {
        &PERSON_KINDS[..1]
    }
}

/// How far back the person rules look on `date` (E4, P1–P3): every invitation from this
/// date on counts for P2's year; of the older ones only the latest date of each kind can
/// matter (a cooldown, P2's gap), so a store reads no more of a person's history than that
/// ([`bounded_history`]). Without a yearly cap, only the latest of each kind.
pub fn history_since(p: &PersonPolicy, date: NaiveDate) -> NaiveDate {
    if p.max_per_year == 0 {
        return time::MAX_DATE;
    }
    date.checked_sub_signed(TimeDelta::days(365))
        .unwrap_or(time::MIN_DATE)
}

/// The part of a person's history the rules read on a date whose [`history_since`] is
/// `since`: everything from `since` on, and, of the older invitations of each kind, those
/// of the latest date, counted separately for the person's own record (`own`) and for the
/// other records sharing the contact (P3). Rules give the same answers on it as on the
/// whole history; the store reads exactly this part.
pub fn bounded_history(
    own: i64,
    history: &[PastInvitation],
    since: NaiveDate,
) -> Vec<PastInvitation> {
    let latest_older = |i: &PastInvitation| {
        history
            .iter()
            .filter(|j| j.kind == i.kind && (j.customer == own) == (i.customer == own))
            .filter(|j| j.date < since)
            .map(|j| j.date)
            .max()
    };
    history
        .iter()
        .filter(|i| i.date >= since || Some(i.date) == latest_older(i))
        .copied()
        .collect()
}

/// P2: the store-wide cap across kinds that holds the person on `date`: fewer than
/// `min_gap_days` whole days since the last invitation, or `max_per_year` of them in the
/// 365 days up to `date`. The later of the two dates wins.
pub fn cap_hold(history: &[PastInvitation], p: &PersonPolicy, date: NaiveDate) -> Option<Hold> {
    let mut hold: Option<Hold> = None;
    let mut keep = |h: Hold| {
        if hold.is_none_or(|o| h.until > o.until) {
            hold = Some(h);
        }
    };
    if p.min_gap_days > 0
        && let Some(last) = history.iter().max_by_key(|i| i.date)
    {
        let until = add_days(last.date, p.min_gap_days);
        if date < until {
            keep(Hold {
                until,
                by: last.customer,
            });
        }
    }
    if p.max_per_year > 0 {
        let mut within: Vec<&PastInvitation> = history
            .iter()
            .filter(|i| i.date <= date && (date - i.date).num_days() < 365)
            .collect();
        within.sort_by_key(|i| std::cmp::Reverse(i.date));
        if let Some(oldest_counted) = within.get(p.max_per_year as usize - 1) {
            keep(Hold {
                until: add_days(oldest_counted.date, 365),
                by: oldest_counted.customer,
            });
        }
    }
    hold
}

fn add_days(date: NaiveDate, days: u32) -> NaiveDate {
    date.checked_add_signed(TimeDelta::days(i64::from(days)))
        .unwrap_or(time::MAX_DATE)
        .min(time::MAX_DATE)
}

/// P4: whether a customer is in the sample of `date`: the first 8 bytes (big-endian) of
/// SHA-256(salt ‖ customer id ‖ `YYYY-MM-DD`), mod 10 000, below `percent` × 100.
pub fn in_sample(salt: &str, customer: &str, date: NaiveDate, percent: u32) -> bool {
    if percent >= 100 {
        return true;
    }
    let mut h = Sha256::new();
    h.update(salt.as_bytes());
    h.update(customer.as_bytes());
    h.update(date.format("%Y-%m-%d").to_string().as_bytes());
    let digest = h.finalize();
    let mut first = [0u8; 8];
    first.copy_from_slice(&digest[..8]);
    u64::from_be_bytes(first) % 10_000 < u64::from(percent) * 100
}

/// P4: the first day of the local month after `date` (when a reached quota lifts).
pub fn next_month_start(date: NaiveDate) -> NaiveDate {
    let (y, m) = if date.month() == 12 {
        (date.year() + 1, 1)
    } else {
        (date.year(), date.month() + 1)
    };
    NaiveDate::from_ymd_opt(y, m, 1).unwrap_or(time::MAX_DATE)
}

/// P4: the first day of `date`'s month.
pub fn month_start(date: NaiveDate) -> NaiveDate {
    date.with_day(1).unwrap_or(date)
}

/// The volume rules of one location for one batch (P4), already resolved.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Volume {
    /// Invitations still allowed on the batch date; `None` = no daily cap.
    pub daily_room: Option<u32>,
    /// The monthly response quota is reached: lifts on this date.
    pub quota_reached_until: Option<NaiveDate>,
    /// Percent of customers in the sample.
    pub sample_percent: u32,
    /// The sampling salt.
    pub salt: String,
}

impl Volume {
    /// No volume rule: everyone passes.
    pub fn unlimited() -> Self {
        Volume {
            daily_room: None,
            quota_reached_until: None,
            sample_percent: 100,
            salt: String::new(),
        }
    }
}

/// P5: the day an invitation is due on: the later of the day after the batch date and the
/// sale's local date plus `delay_days`.
pub fn invitation_day(batch_date: NaiveDate, sale_date: NaiveDate, delay_days: u32) -> NaiveDate {
    add_days(batch_date, 1).max(add_days(sale_date, delay_days))
}

/// P5: the earliest send slot at or after `due`: `due` itself when its local date is a
/// send day, otherwise the send hour of the next send day (the end of the quiet hours
/// that day when the send hour is quiet); `None` when none comes by `deadline`.
pub fn next_send_slot(
    tz: Tz,
    due: DateTime<Utc>,
    calendar: &Calendar,
    send_hour: u32,
    quiet: QuietHours,
    deadline: DateTime<Utc>,
) -> Option<DateTime<Utc>> {
    let mut day = time::local_date(tz, due);
    if calendar.sends_on(day) {
        return (due <= deadline).then_some(due);
    }
    for _ in 0..MAX_SLOT_SEARCH_DAYS {
        day = time::next_day(day)?;
        if calendar.sends_on(day) {
            let hour = if quiet.contains(send_hour) {
                quiet.end
            } else {
                send_hour
            };
            let slot = time::local_hour_instant(tz, day, hour).max(due);
            return (slot <= deadline).then_some(slot);
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// A three-month transactional cooldown, every other person rule off.
    const OFF: PersonPolicy = PersonPolicy {
        cooldown_months: 3,
        retry_after_no_answer_months: 0,
        relationship_every_months: 0,
        min_gap_days: 0,
        max_per_year: 0,
    };

    proptest! {
        /// E4, P1, P2: when [`kinds_read`] leaves the relationship invitations out, the
        /// transactional survey's holds are the same without them, for any history and
        /// settings (P2 and P7 off: cooldowns, the retry after no answer, any dates).
        #[test]
        fn the_kinds_left_unread_change_no_transactional_hold(
            history in proptest::collection::vec(
                (any::<bool>(), 0i64..1500, 1i64..4, any::<bool>()), 0..8),
            cooldown in 0u32..13,
            retry in 0u32..13,
            today in 0i64..1500,
        ) {
            let start = NaiveDate::from_ymd_opt(2024, 1, 1).unwrap();
            let p = PersonPolicy {
                cooldown_months: cooldown,
                retry_after_no_answer_months: retry,
                relationship_every_months: 0,
                min_gap_days: 0,
                max_per_year: 0,
            };
            prop_assert_eq!(kinds_read(&p), &[SurveyKind::Transactional][..]);
            let all: Vec<PastInvitation> = (history.iter())
                .map(|&(relationship, day, customer, answered)| PastInvitation {
                    kind: if relationship {
                        SurveyKind::Relationship
                    } else {
                        SurveyKind::Transactional
                    },
                    date: start + TimeDelta::days(day),
                    customer,
                    answered,
                })
                .collect();
            let read: Vec<PastInvitation> = (all.iter())
                .filter(|i| kinds_read(&p).contains(&i.kind))
                .copied()
                .collect();
            let date = start + TimeDelta::days(today);
            prop_assert_eq!(
                cooldown_hold(&all, SurveyKind::Transactional, &p, date),
                cooldown_hold(&read, SurveyKind::Transactional, &p, date)
            );
            prop_assert_eq!(cap_hold(&all, &p, date), cap_hold(&read, &p, date));
        }
    }

    /// P2, P7: with the cap or the relationship survey on, both kinds are read.
    #[test]
    fn both_kinds_are_read_when_p2_or_p7_is_on() {
        let off = OFF;
        for p in [
            PersonPolicy {
                relationship_every_months: 12,
                ..off
            },
            PersonPolicy {
                min_gap_days: 30,
                ..off
            },
            PersonPolicy {
                max_per_year: 2,
                ..off
            },
        ] {
            assert_eq!(kinds_read(&p), &PERSON_KINDS[..]);
        }
    }

    /// P7: every relationship invitation dated after `relationship_held_after` holds the
    /// customer by P1's cooldown (answered or not, alone or beside an older one), over
    /// four years of dates and every month setting up to two years.
    #[test]
    fn p7_p1_an_invitation_after_the_shortcut_date_always_holds() {
        let past = |date, answered| PastInvitation {
            kind: SurveyKind::Relationship,
            date,
            customer: 1,
            answered,
        };
        let start = NaiveDate::from_ymd_opt(2026, 1, 1).unwrap();
        for every in 1..=24 {
            for retry in [0, 1, 2, 5, 13, 30] {
                let p = PersonPolicy {
                    cooldown_months: 3,
                    retry_after_no_answer_months: retry,
                    relationship_every_months: every,
                    min_gap_days: 0,
                    max_per_year: 0,
                };
                for step in (0..4 * 365).step_by(7) {
                    let date = start + TimeDelta::days(step);
                    let after = relationship_held_after(&p, date).unwrap();
                    let mut at = after + TimeDelta::days(1);
                    while at <= date {
                        for answered in [false, true] {
                            let older = past(at - TimeDelta::days(400), !answered);
                            for history in
                                [vec![past(at, answered)], vec![older, past(at, answered)]]
                            {
                                assert!(
                                    cooldown_hold(&history, SurveyKind::Relationship, &p, date)
                                        .is_some(),
                                    "every {every} retry {retry} date {date} at {at}"
                                );
                            }
                        }
                        at += TimeDelta::days(3);
                    }
                }
            }
        }
        let off = OFF;
        assert_eq!(relationship_held_after(&off, start), None);
    }
    use crate::model::Weekday;

    fn d(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }

    fn past(kind: SurveyKind, date: &str, customer: i64, answered: bool) -> PastInvitation {
        PastInvitation {
            kind,
            date: d(date),
            customer,
            answered,
        }
    }

    fn person() -> PersonPolicy {
        PersonPolicy {
            cooldown_months: 3,
            retry_after_no_answer_months: 0,
            relationship_every_months: 12,
            min_gap_days: 0,
            max_per_year: 0,
        }
    }

    #[test]
    fn p1_each_kind_has_its_own_cooldown() {
        let h = [
            past(SurveyKind::Transactional, "2026-10-01", 1, true),
            past(SurveyKind::Relationship, "2026-01-15", 1, true),
        ];
        let p = person();
        let t = cooldown_hold(&h, SurveyKind::Transactional, &p, d("2026-11-20")).unwrap();
        assert_eq!(t.until, d("2027-01-01"));
        let r = cooldown_hold(&h, SurveyKind::Relationship, &p, d("2026-11-20")).unwrap();
        assert_eq!(r.until, d("2027-01-15"));
        assert_eq!(
            cooldown_hold(&h, SurveyKind::Relationship, &p, d("2027-01-15")),
            None
        );
        assert_eq!(
            cooldown_hold(&h, SurveyKind::FollowUp, &p, d("2026-11-20")),
            None
        );
    }

    #[test]
    fn p1_retry_after_no_answer_applies_only_when_unanswered() {
        let p = PersonPolicy {
            cooldown_months: 6,
            retry_after_no_answer_months: 3,
            ..person()
        };
        let unanswered = [past(SurveyKind::Transactional, "2026-08-31", 1, false)];
        let hold = cooldown_hold(&unanswered, SurveyKind::Transactional, &p, d("2026-11-20"));
        assert_eq!(hold.unwrap().until, d("2026-11-30"), "month-end clamp");
        let answered = [past(SurveyKind::Transactional, "2026-08-31", 1, true)];
        let hold = cooldown_hold(&answered, SurveyKind::Transactional, &p, d("2026-11-20"));
        assert_eq!(hold.unwrap().until, d("2027-02-28"));
    }

    #[test]
    fn p2_min_gap_counts_whole_days_across_kinds_and_the_new_year() {
        let p = PersonPolicy {
            min_gap_days: 10,
            ..person()
        };
        let h = [past(SurveyKind::Relationship, "2026-12-28", 7, true)];
        let hold = cap_hold(&h, &p, d("2027-01-06")).unwrap();
        assert_eq!((hold.until, hold.by), (d("2027-01-07"), 7));
        assert_eq!(cap_hold(&h, &p, d("2027-01-07")), None);
    }

    #[test]
    fn p2_max_per_year_is_a_rolling_365_days_also_in_a_leap_year() {
        let p = PersonPolicy {
            max_per_year: 2,
            ..person()
        };
        let h = [
            past(SurveyKind::Transactional, "2027-03-01", 1, true),
            past(SurveyKind::Relationship, "2027-09-01", 1, true),
        ];
        // 2028 is a leap year: 2027-03-01 + 365 days is 2028-02-29.
        let hold = cap_hold(&h, &p, d("2028-02-28")).unwrap();
        assert_eq!(hold.until, d("2028-02-29"));
        assert_eq!(cap_hold(&h, &p, d("2028-02-29")), None);
        assert_eq!(cap_hold(&h[..1], &p, d("2027-12-01")), None, "one of two");
    }

    #[test]
    fn p4_sampling_is_deterministic_and_its_committed_picks_hold() {
        // The pick list of a fixed salt: a change of the hash input breaks this test.
        let picks: Vec<&str> = ["c1", "c2", "c3", "c4", "c5", "c6", "c7", "c8", "c9", "c10"]
            .into_iter()
            .filter(|c| in_sample("golden-salt", c, d("2026-11-20"), 50))
            .collect();
        assert_eq!(picks, EXPECTED_PICKS);
        assert!(in_sample("s", "c1", d("2026-11-20"), 100));
        assert!(!(1..200).any(|i| in_sample("s", &format!("c{i}"), d("2026-11-20"), 0)));
    }

    /// Committed expected picks of `p4_sampling_is_deterministic…` (salt `golden-salt`).
    const EXPECTED_PICKS: &[&str] = &["c3", "c7", "c8", "c9", "c10"];

    #[test]
    fn p4_one_customer_is_picked_on_close_to_p_percent_of_nights() {
        // 60 nights at 30 %: mean 18, standard deviation 3.55; 4.5 sigma either side.
        let mut night = d("2026-01-01");
        let mut picked = 0;
        for _ in 0..60 {
            if in_sample("store-salt", "c42", night, 30) {
                picked += 1;
            }
            night = night.succ_opt().unwrap();
        }
        assert!(
            (2..=34).contains(&picked),
            "picked on {picked} of 60 nights"
        );
        // And over many customers the share is close to 30 % (binomial, n = 6000).
        let n = 6000;
        let hits = (0..n)
            .filter(|i| in_sample("store-salt", &format!("c{i}"), d("2026-11-20"), 30))
            .count();
        let share = hits as f64 / f64::from(n);
        assert!((0.28..0.32).contains(&share), "share {share}");
    }

    #[test]
    fn p4_quota_lifts_on_the_next_local_month() {
        assert_eq!(next_month_start(d("2026-12-31")), d("2027-01-01"));
        assert_eq!(next_month_start(d("2028-02-29")), d("2028-03-01"));
        assert_eq!(month_start(d("2028-02-29")), d("2028-02-01"));
    }

    #[test]
    fn p5_delay_days_after_the_sale() {
        assert_eq!(
            invitation_day(d("2026-11-20"), d("2026-11-20"), 1),
            d("2026-11-21")
        );
        assert_eq!(
            invitation_day(d("2026-11-20"), d("2026-11-18"), 4),
            d("2026-11-22")
        );
        assert_eq!(
            invitation_day(d("2026-11-20"), d("2026-11-10"), 4),
            d("2026-11-21")
        );
    }

    fn utc(s: &str) -> DateTime<Utc> {
        s.parse().unwrap()
    }

    #[test]
    fn p5_next_send_slot_skips_weekdays_off_and_closed_dates_beside_a_dst_change() {
        let tz: Tz = "Europe/Paris".parse().unwrap();
        let quiet = QuietHours { start: 21, end: 8 };
        let cal = Calendar {
            send_weekdays: vec![
                Weekday::Monday,
                Weekday::Tuesday,
                Weekday::Wednesday,
                Weekday::Thursday,
                Weekday::Friday,
            ],
            // Monday 2026-10-26, the day after the clocks go back.
            closed_dates: vec![d("2026-10-26")],
            opening_hours: Vec::new(),
        };
        let far = utc("2027-01-01T00:00:00Z");
        // Saturday 10:00 (CEST) → Tuesday 10:00 (CET, UTC+1).
        let slot = next_send_slot(tz, utc("2026-10-24T08:00:00Z"), &cal, 10, quiet, far);
        assert_eq!(slot, Some(utc("2026-10-27T09:00:00Z")));
        // A send day keeps its due time.
        let due = utc("2026-10-23T08:00:00Z");
        assert_eq!(next_send_slot(tz, due, &cal, 10, quiet, far), Some(due));
        // No slot before the deadline.
        let soon = utc("2026-10-26T12:00:00Z");
        assert_eq!(
            next_send_slot(tz, utc("2026-10-24T08:00:00Z"), &cal, 10, quiet, soon),
            None
        );
    }

    #[test]
    fn p5_a_send_hour_inside_quiet_hours_moves_to_their_end_on_a_send_day() {
        let tz: Tz = "Europe/Paris".parse().unwrap();
        let quiet = QuietHours { start: 21, end: 8 };
        let cal = Calendar {
            send_weekdays: vec![Weekday::Monday],
            ..Calendar::default()
        };
        let far = utc("2027-01-01T00:00:00Z");
        // Send hour 22 is quiet: the slot is 08:00 local, and must fall on a Monday.
        let slot = next_send_slot(tz, utc("2026-11-20T09:00:00Z"), &cal, 22, quiet, far);
        assert_eq!(slot, Some(utc("2026-11-23T07:00:00Z")));
    }
}
