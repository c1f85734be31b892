//! The one-survey-per-cooldown rule (E4): calendar months, clamped to the month's end.

use chrono::{Months, NaiveDate};

/// `date` plus `months` calendar months, clamped to the end of the month (Nov 30 → Feb 28/29).
pub fn add_months_clamped(date: NaiveDate, months: u32) -> NaiveDate {
    date.checked_add_months(Months::new(months))
        .unwrap_or(NaiveDate::MAX)
        .min(super::time::MAX_DATE)
}

/// The date a customer is eligible again after an invitation anchored on `anchor`.
pub fn eligible_again_on(anchor: NaiveDate, months: u32) -> NaiveDate {
    add_months_clamped(anchor, months)
}

/// If `date` falls inside the cooldown that started on `anchor`, the date it ends.
pub fn cooldown_until(
    anchor: Option<NaiveDate>,
    months: u32,
    date: NaiveDate,
) -> Option<NaiveDate> {
    let again = eligible_again_on(anchor?, months);
    (date < again).then_some(again)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }

    #[test]
    fn e4_cooldown_counts_calendar_months_clamped_to_month_end() {
        assert_eq!(eligible_again_on(d("2026-11-30"), 3), d("2027-02-28"));
        assert_eq!(eligible_again_on(d("2027-11-30"), 3), d("2028-02-29"));
        assert_eq!(eligible_again_on(d("2026-01-31"), 1), d("2026-02-28"));
        assert_eq!(eligible_again_on(d("2026-11-20"), 3), d("2027-02-20"));
    }

    #[test]
    fn e4_cooldown_ends_on_the_eligible_date() {
        let anchor = Some(d("2026-11-20"));
        assert_eq!(
            cooldown_until(anchor, 3, d("2027-02-19")),
            Some(d("2027-02-20"))
        );
        assert_eq!(cooldown_until(anchor, 3, d("2027-02-20")), None);
        assert_eq!(cooldown_until(None, 3, d("2027-02-19")), None);
    }
}
