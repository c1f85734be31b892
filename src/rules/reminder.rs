//! The one reminder per invitation (R1, R2): who gets which, and when it is decided.

use chrono::{DateTime, Utc};

use crate::model::ReviewMode;
use crate::rules::score::NpsCategory;
use crate::rules::time;

/// Days after delivery at which the review reminder is decided (R1).
pub const REVIEW_REMINDER_DAYS: i64 = 7;

/// What is known of a delivered invitation when its reminder is decided.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ReminderFacts {
    /// When the invitation was delivered.
    pub delivered_at: DateTime<Utc>,
    /// When the customer answered, and the NPS category of the answer.
    pub answered: Option<(DateTime<Utc>, Option<NpsCategory>)>,
    /// A review is already confirmed.
    pub review_confirmed: bool,
    /// The location has a review link to send.
    pub has_review_link: bool,
}

/// The decision on an invitation's one reminder.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ReminderDecision {
    /// Too early to decide.
    NotYet,
    /// Decided: no reminder, ever.
    NoReminder,
    /// A review reminder to a respondent (R1).
    Review,
    /// A survey reminder to a non-respondent (R2).
    Survey,
}

/// Decides at `now`; `non_respondent_days` 0 means R2 is off.
pub fn decide(
    f: &ReminderFacts,
    now: DateTime<Utc>,
    mode: ReviewMode,
    non_respondent_days: u32,
) -> ReminderDecision {
    let week = time::add(f.delivered_at, time::days(REVIEW_REMINDER_DAYS));
    let r2 = (non_respondent_days > 0)
        .then(|| time::add(f.delivered_at, time::days(i64::from(non_respondent_days))));
    match f.answered {
        // R1 looks at the answer as it stood 7 days after delivery.
        Some((at, category)) if at <= week => {
            if now < week {
                return ReminderDecision::NotYet;
            }
            let wanted = match mode {
                ReviewMode::Everyone => true,
                ReviewMode::Promoters => category == Some(NpsCategory::Promoter),
            };
            if wanted && !f.review_confirmed && f.has_review_link {
                ReminderDecision::Review
            } else {
                ReminderDecision::NoReminder
            }
        }
        Some(_) => {
            // Answered after the week: R1's moment passed; R2 no longer applies.
            if now < week {
                ReminderDecision::NotYet
            } else {
                ReminderDecision::NoReminder
            }
        }
        None => match r2 {
            Some(due) if now >= due => ReminderDecision::Survey,
            Some(_) => ReminderDecision::NotYet,
            None if now >= week => ReminderDecision::NoReminder,
            None => ReminderDecision::NotYet,
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn t(s: &str) -> DateTime<Utc> {
        s.parse().unwrap()
    }

    fn facts(answered: Option<(&str, NpsCategory)>) -> ReminderFacts {
        ReminderFacts {
            delivered_at: t("2026-11-21T09:00:00Z"),
            answered: answered.map(|(at, c)| (t(at), Some(c))),
            review_confirmed: false,
            has_review_link: true,
        }
    }

    const WEEK: &str = "2026-11-28T09:00:00Z";

    #[test]
    fn r1_a_promoter_without_review_gets_one_review_reminder_after_7_days() {
        let f = facts(Some(("2026-11-21T12:00:00Z", NpsCategory::Promoter)));
        let p = ReviewMode::Promoters;
        assert_eq!(
            decide(&f, t("2026-11-28T08:59:59Z"), p, 0),
            ReminderDecision::NotYet
        );
        assert_eq!(decide(&f, t(WEEK), p, 0), ReminderDecision::Review);
        let confirmed = ReminderFacts {
            review_confirmed: true,
            ..f
        };
        assert_eq!(
            decide(&confirmed, t(WEEK), p, 0),
            ReminderDecision::NoReminder
        );
        let passive = facts(Some(("2026-11-21T12:00:00Z", NpsCategory::Passive)));
        assert_eq!(
            decide(&passive, t(WEEK), p, 0),
            ReminderDecision::NoReminder
        );
        assert_eq!(
            decide(&passive, t(WEEK), ReviewMode::Everyone, 0),
            ReminderDecision::Review
        );
    }

    #[test]
    fn r2_non_respondents_get_a_reminder_only_when_turned_on() {
        let f = facts(None);
        assert_eq!(
            decide(&f, t(WEEK), ReviewMode::Promoters, 0),
            ReminderDecision::NoReminder
        );
        assert_eq!(
            decide(&f, t("2026-11-23T09:00:00Z"), ReviewMode::Promoters, 3),
            ReminderDecision::NotYet
        );
        assert_eq!(
            decide(&f, t("2026-11-24T09:00:00Z"), ReviewMode::Promoters, 3),
            ReminderDecision::Survey
        );
    }
}
