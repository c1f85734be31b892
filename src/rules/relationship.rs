//! The relationship survey's decision (P7): for each customer due tonight, the transactional
//! rules that apply to a survey about the relationship (E2, E3, E6, E7 and P2's cap, in P8
//! order, through [`eligibility::evaluate`]) and one survey per person, to the latest
//! purchase ([`eligibility::winners`], as E5 and P3 choose). Customers held by the
//! relationship cooldown (P1) or erased are not due and are not passed here.

use chrono::{DateTime, NaiveDate, Utc};

use super::eligibility::{self, CustomerFacts, Facts, Policy, Verdict};
use crate::model::SkipReason;

/// A customer due for a relationship survey tonight.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Due<'a> {
    /// The person (P3): the shared contact when one person per contact is on, else the
    /// customer's host id.
    pub person: &'a str,
    /// The customer's row id.
    pub customer: i64,
    /// The host id of the latest purchase, which the survey is about.
    pub transaction: &'a str,
    /// When that purchase was finalized.
    pub finalized_at: DateTime<Utc>,
    /// The customer's opt-in, unsubscription, usable contact and P2 cap (the cooldown of
    /// the relationship survey is never set: a held customer is not due).
    pub facts: CustomerFacts,
}

/// The verdict of each due customer, in order: `Eligible` for the one survey of each
/// person, else the skip. A skip names another record (`related`) when another record of
/// the same person holds the customer: the cap's holder, or the person's winner
/// (`one_per_batch`).
pub fn decide(due: &[Due<'_>], location_enabled: bool, date: NaiveDate) -> Vec<Verdict> {
    // The purchase is the survey's occasion, not its subject: its age never matters.
    let policy = Policy {
        batch_date: date,
        max_age_days: u32::MAX,
    };
    let mut verdicts: Vec<Verdict> = (due.iter())
        .map(|d| {
            let facts = Facts {
                finalized_on: Some(date),
                excluded: false,
                refunded: false,
                location_enabled,
                customer: Some(d.facts),
                already_invited: false,
            };
            match eligibility::evaluate(&facts, &policy) {
                Verdict::Skip {
                    reason,
                    eligible_again_on,
                    related,
                } => Verdict::Skip {
                    reason,
                    eligible_again_on,
                    related: related.filter(|r| *r != d.customer),
                },
                eligible => eligible,
            }
        })
        .collect();
    let open: Vec<usize> = (0..due.len())
        .filter(|i| verdicts[*i] == Verdict::Eligible)
        .collect();
    let candidates: Vec<eligibility::Candidate<'_>> = (open.iter())
        .map(|i| eligibility::Candidate {
            customer: due[*i].person,
            transaction: due[*i].transaction,
            finalized_at: due[*i].finalized_at,
        })
        .collect();
    let won = eligibility::winners(&candidates);
    let winner_of = |person: &str| {
        (open.iter().zip(&won))
            .find(|(i, w)| **w && due[**i].person == person)
            .map(|(i, _)| due[*i].customer)
    };
    for (i, w) in open.iter().zip(&won) {
        if !w {
            verdicts[*i] = Verdict::Skip {
                reason: SkipReason::OnePerBatch,
                eligible_again_on: None,
                related: winner_of(due[*i].person),
            };
        }
    }
    verdicts
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::policy::Hold;

    fn d(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }

    fn at(s: &str) -> DateTime<Utc> {
        s.parse().unwrap()
    }

    fn open() -> CustomerFacts {
        CustomerFacts {
            communications: true,
            unsubscribed: false,
            usable_contact: true,
            cooldown: None,
            contact_cap: None,
        }
    }

    fn due<'a>(person: &'a str, customer: i64, tx: &'a str, when: &str) -> Due<'a> {
        Due {
            person,
            customer,
            transaction: tx,
            finalized_at: at(when),
            facts: open(),
        }
    }

    #[test]
    fn p7_one_survey_per_person_to_the_latest_purchase_the_others_name_the_winner() {
        let list = [
            due("ann@x", 1, "t1", "2026-11-01T10:00:00Z"),
            due("ann@x", 2, "t2", "2026-11-03T10:00:00Z"),
            due("bob", 3, "t3", "2026-10-01T10:00:00Z"),
        ];
        let v = decide(&list, true, d("2026-11-20"));
        assert_eq!(v[1], Verdict::Eligible);
        assert_eq!(v[2], Verdict::Eligible);
        assert_eq!(
            v[0],
            Verdict::Skip {
                reason: SkipReason::OnePerBatch,
                eligible_again_on: None,
                related: Some(2),
            }
        );
    }

    #[test]
    fn p7_precedence_is_p8_order_and_an_old_purchase_is_never_too_old() {
        let date = d("2026-11-20");
        let mut off = due("a", 1, "t1", "2020-01-01T10:00:00Z");
        off.facts.communications = false;
        off.facts.unsubscribed = true;
        let mut unsubscribed = due("b", 2, "t2", "2026-11-01T10:00:00Z");
        unsubscribed.facts.unsubscribed = true;
        unsubscribed.facts.usable_contact = false;
        let mut capped = due("c", 3, "t3", "2026-11-01T10:00:00Z");
        capped.facts.contact_cap = Some(Hold {
            until: d("2027-01-01"),
            by: 3,
        });
        let mut held_by_other = due("e", 5, "t5", "2026-11-01T10:00:00Z");
        held_by_other.facts.contact_cap = Some(Hold {
            until: d("2027-02-01"),
            by: 9,
        });
        let v = decide(
            &[
                off,
                unsubscribed,
                capped,
                held_by_other,
                due("d", 4, "t4", "2019-01-01T00:00:00Z"),
            ],
            true,
            date,
        );
        let reason = |x: &Verdict| match x {
            Verdict::Skip { reason, .. } => Some(*reason),
            Verdict::Eligible => None,
        };
        assert_eq!(reason(&v[0]), Some(SkipReason::CommunicationsOff));
        assert_eq!(reason(&v[1]), Some(SkipReason::Unsubscribed));
        // The cap's holder is the customer herself: no other record is named.
        assert_eq!(
            v[2],
            Verdict::Skip {
                reason: SkipReason::ContactCap,
                eligible_again_on: Some(d("2027-01-01")),
                related: None,
            }
        );
        assert_eq!(
            v[3],
            Verdict::Skip {
                reason: SkipReason::ContactCap,
                eligible_again_on: Some(d("2027-02-01")),
                related: Some(9),
            }
        );
        assert_eq!(v[4], Verdict::Eligible);
        let closed = decide(&[due("a", 1, "t1", "2026-11-01T10:00:00Z")], false, date);
        assert_eq!(reason(&closed[0]), Some(SkipReason::LocationDisabled));
    }
}
