//! Who gets a survey (E1–E9, P1–P3, P6): one verdict per transaction, reasons in P8
//! precedence.

use std::collections::HashMap;

use chrono::{DateTime, NaiveDate, TimeDelta, Utc};

use super::policy::Hold;
use crate::model::SkipReason;

/// What is known about one transaction's customer when it is evaluated.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CustomerFacts {
    /// "Include in communications" is on (E2).
    pub communications: bool,
    /// Globally unsubscribed (E3).
    pub unsubscribed: bool,
    /// Has a usable contact for the channel (E6).
    pub usable_contact: bool,
    /// The cooldown of the survey kind that holds the person (E4, P1, P3).
    pub cooldown: Option<Hold>,
    /// The store-wide contact cap that holds the person (P2).
    pub contact_cap: Option<Hold>,
}

/// What is known about one transaction when it is evaluated.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Facts {
    /// Local date of `finalized_at`; `None` when not finalized (E1).
    pub finalized_on: Option<NaiveDate>,
    /// The host excluded this transaction (E2).
    pub excluded: bool,
    /// A refund or void of this sale is known (P6).
    pub refunded: bool,
    /// The location sends surveys (E7).
    pub location_enabled: bool,
    /// The customer, or `None` for an anonymous sale (E6).
    pub customer: Option<CustomerFacts>,
    /// The transaction already has an invitation (E8).
    pub already_invited: bool,
}

/// Store settings that the rules read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Policy {
    /// Business date of the batch the decision is made in.
    pub batch_date: NaiveDate,
    /// S3 age limit in days.
    pub max_age_days: u32,
}

/// The outcome of evaluating one transaction on its own.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verdict {
    /// Passes every rule; may still lose to another transaction of the batch (E5).
    Eligible,
    /// Gets no survey.
    Skip {
        /// The first rule that applied, in E9 order.
        reason: SkipReason,
        /// For a cooldown or a cap, the date the customer becomes eligible again.
        eligible_again_on: Option<NaiveDate>,
        /// Row id of another customer record of the same person that caused it (P3).
        related: Option<i64>,
    },
}

/// A skip with no date and no related record.
pub fn skip(reason: SkipReason) -> Verdict {
    Verdict::Skip {
        reason,
        eligible_again_on: None,
        related: None,
    }
}

fn held(reason: SkipReason, hold: Hold) -> Verdict {
    Verdict::Skip {
        reason,
        eligible_again_on: Some(hold.until),
        related: Some(hold.by),
    }
}

/// Evaluates the rules in P8 precedence order and returns the first that applies.
pub fn evaluate(facts: &Facts, policy: &Policy) -> Verdict {
    let Some(finalized_on) = facts.finalized_on else {
        return skip(SkipReason::NotFinalized);
    };
    if facts.excluded {
        return skip(SkipReason::Excluded);
    }
    if facts.refunded {
        return skip(SkipReason::Refunded);
    }
    if !facts.location_enabled {
        return skip(SkipReason::LocationDisabled);
    }
    let Some(customer) = facts.customer else {
        return skip(SkipReason::Anonymous);
    };
    let oldest = policy
        .batch_date
        .checked_sub_signed(TimeDelta::days(i64::from(policy.max_age_days)))
        .unwrap_or(NaiveDate::MIN);
    if finalized_on < oldest {
        return skip(SkipReason::TooOld);
    }
    if !customer.communications {
        return skip(SkipReason::CommunicationsOff);
    }
    if customer.unsubscribed {
        return skip(SkipReason::Unsubscribed);
    }
    if !customer.usable_contact {
        return skip(SkipReason::NoUsableContact);
    }
    if facts.already_invited {
        return skip(SkipReason::AlreadyInvited);
    }
    if let Some(hold) = customer.cooldown {
        return held(SkipReason::Cooldown, hold);
    }
    if let Some(hold) = customer.contact_cap {
        return held(SkipReason::ContactCap, hold);
    }
    Verdict::Eligible
}

/// An eligible transaction competing for its person's one invitation of the batch (E5, P3).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Candidate<'a> {
    /// The person: the shared contact (P3), or the customer's host id.
    pub customer: &'a str,
    /// The transaction's host id.
    pub transaction: &'a str,
    /// When it was finalized.
    pub finalized_at: DateTime<Utc>,
}

/// For each person, the position of the winning candidate: the latest `finalized_at`,
/// ties broken by the larger host id (E5). The others are `one_per_batch`.
pub fn winners(candidates: &[Candidate<'_>]) -> Vec<bool> {
    let mut best: HashMap<&str, usize> = HashMap::with_capacity(candidates.len());
    for (i, c) in candidates.iter().enumerate() {
        best.entry(c.customer)
            .and_modify(|b| {
                let cur = &candidates[*b];
                if (c.finalized_at, c.transaction) > (cur.finalized_at, cur.transaction) {
                    *b = i;
                }
            })
            .or_insert(i);
    }
    let mut out = vec![false; candidates.len()];
    for i in best.into_values() {
        out[i] = true;
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }

    fn happy() -> Facts {
        Facts {
            finalized_on: Some(d("2026-11-20")),
            excluded: false,
            refunded: false,
            location_enabled: true,
            customer: Some(CustomerFacts {
                communications: true,
                unsubscribed: false,
                usable_contact: true,
                cooldown: None,
                contact_cap: None,
            }),
            already_invited: false,
        }
    }

    fn policy() -> Policy {
        Policy {
            batch_date: d("2026-11-20"),
            max_age_days: 14,
        }
    }

    fn reason(f: &Facts) -> Option<SkipReason> {
        match evaluate(f, &policy()) {
            Verdict::Eligible => None,
            Verdict::Skip { reason, .. } => Some(reason),
        }
    }

    fn with_customer(f: impl FnOnce(&mut CustomerFacts)) -> Facts {
        let mut facts = happy();
        f(facts.customer.as_mut().unwrap());
        facts
    }

    #[test]
    fn eligible_when_no_rule_applies() {
        assert_eq!(reason(&happy()), None);
    }

    #[test]
    fn e1_not_finalized_gets_no_survey() {
        let f = Facts {
            finalized_on: None,
            ..happy()
        };
        assert_eq!(reason(&f), Some(SkipReason::NotFinalized));
    }

    #[test]
    fn e2_communications_off_and_excluded() {
        let f = with_customer(|c| c.communications = false);
        assert_eq!(reason(&f), Some(SkipReason::CommunicationsOff));
        let f = Facts {
            excluded: true,
            ..happy()
        };
        assert_eq!(reason(&f), Some(SkipReason::Excluded));
    }

    #[test]
    fn e3_unsubscribed_gets_no_survey() {
        assert_eq!(
            reason(&with_customer(|c| c.unsubscribed = true)),
            Some(SkipReason::Unsubscribed)
        );
    }

    #[test]
    fn e6_anonymous_and_no_usable_contact() {
        let f = Facts {
            customer: None,
            ..happy()
        };
        assert_eq!(reason(&f), Some(SkipReason::Anonymous));
        assert_eq!(
            reason(&with_customer(|c| c.usable_contact = false)),
            Some(SkipReason::NoUsableContact)
        );
    }

    #[test]
    fn e7_disabled_location_sends_nothing() {
        let f = Facts {
            location_enabled: false,
            ..happy()
        };
        assert_eq!(reason(&f), Some(SkipReason::LocationDisabled));
    }

    #[test]
    fn e8_already_invited() {
        let f = Facts {
            already_invited: true,
            ..happy()
        };
        assert_eq!(reason(&f), Some(SkipReason::AlreadyInvited));
    }

    #[test]
    fn s3_too_old_after_max_age_days() {
        let edge = Facts {
            finalized_on: Some(d("2026-11-06")),
            ..happy()
        };
        assert_eq!(reason(&edge), None, "exactly 14 days before is still fine");
        let old = Facts {
            finalized_on: Some(d("2026-11-05")),
            ..happy()
        };
        assert_eq!(reason(&old), Some(SkipReason::TooOld));
    }

    #[test]
    fn e4_cooldown_reports_the_date_eligible_again() {
        let hold = Hold {
            until: d("2026-12-30"),
            by: 7,
        };
        let f = with_customer(|c| c.cooldown = Some(hold));
        assert_eq!(
            evaluate(&f, &policy()),
            Verdict::Skip {
                reason: SkipReason::Cooldown,
                eligible_again_on: Some(d("2026-12-30")),
                related: Some(7),
            }
        );
    }

    #[test]
    fn p2_contact_cap_comes_after_cooldown_and_p6_refunded_after_excluded() {
        let hold = Hold {
            until: d("2026-12-30"),
            by: 7,
        };
        let f = with_customer(|c| c.contact_cap = Some(hold));
        assert_eq!(reason(&f), Some(SkipReason::ContactCap));
        let f = with_customer(|c| {
            c.contact_cap = Some(hold);
            c.cooldown = Some(hold);
        });
        assert_eq!(reason(&f), Some(SkipReason::Cooldown));
        let f = Facts {
            refunded: true,
            location_enabled: false,
            ..happy()
        };
        assert_eq!(reason(&f), Some(SkipReason::Refunded));
        let f = Facts {
            refunded: true,
            excluded: true,
            ..happy()
        };
        assert_eq!(reason(&f), Some(SkipReason::Excluded));
    }

    #[test]
    fn e9_p8_first_reason_in_precedence_order_wins() {
        // Every rule applies at once: each rule removed in turn reveals the next one.
        let mut f = Facts {
            finalized_on: Some(d("2026-01-01")),
            excluded: true,
            refunded: false,
            location_enabled: false,
            customer: None,
            already_invited: true,
        };
        assert_eq!(reason(&f), Some(SkipReason::Excluded));
        f.excluded = false;
        assert_eq!(reason(&f), Some(SkipReason::LocationDisabled));
        f.location_enabled = true;
        assert_eq!(reason(&f), Some(SkipReason::Anonymous));
        f.customer = Some(CustomerFacts {
            communications: false,
            unsubscribed: true,
            usable_contact: false,
            cooldown: Some(Hold {
                until: d("2027-02-01"),
                by: 1,
            }),
            contact_cap: None,
        });
        assert_eq!(reason(&f), Some(SkipReason::TooOld));
        f.finalized_on = Some(d("2026-11-20"));
        assert_eq!(reason(&f), Some(SkipReason::CommunicationsOff));
        f.customer.as_mut().unwrap().communications = true;
        assert_eq!(reason(&f), Some(SkipReason::Unsubscribed));
        f.customer.as_mut().unwrap().unsubscribed = false;
        assert_eq!(reason(&f), Some(SkipReason::NoUsableContact));
        f.customer.as_mut().unwrap().usable_contact = true;
        assert_eq!(reason(&f), Some(SkipReason::AlreadyInvited));
        f.already_invited = false;
        assert_eq!(reason(&f), Some(SkipReason::Cooldown));
        // `ALL` is the P8 order, E9's list extended.
        let names: Vec<&str> = SkipReason::ALL.iter().map(|r| r.as_str()).collect();
        assert_eq!(
            names,
            [
                "not_finalized",
                "excluded",
                "refunded",
                "location_disabled",
                "anonymous",
                "too_old",
                "communications_off",
                "unsubscribed",
                "no_usable_contact",
                "already_invited",
                "cooldown",
                "contact_cap",
                "one_per_batch",
                "quota_reached",
                "not_sampled",
                "daily_cap",
            ]
        );
    }

    #[test]
    fn e5_latest_finalized_wins_tie_larger_host_id() {
        let t = |s: &str| s.parse::<DateTime<Utc>>().unwrap();
        let c = [
            Candidate {
                customer: "c1",
                transaction: "t1",
                finalized_at: t("2026-11-20T10:00:00Z"),
            },
            Candidate {
                customer: "c1",
                transaction: "t2",
                finalized_at: t("2026-11-20T12:00:00Z"),
            },
            Candidate {
                customer: "c2",
                transaction: "t3",
                finalized_at: t("2026-11-20T09:00:00Z"),
            },
            Candidate {
                customer: "c2",
                transaction: "t9",
                finalized_at: t("2026-11-20T09:00:00Z"),
            },
            Candidate {
                customer: "c2",
                transaction: "t4",
                finalized_at: t("2026-11-20T09:00:00Z"),
            },
        ];
        assert_eq!(winners(&c), vec![false, true, false, true, false]);
    }
}
