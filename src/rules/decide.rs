//! The decide phase of a sync: every transaction of a batch not decided before gets its
//! verdict, from facts gathered beforehand; no database, no clock.
//!
//! Each transaction is evaluated on its own in E9 precedence ([`evaluate`]); then each
//! customer keeps one invitation per batch (E5, [`winners`]).

use chrono::{DateTime, Utc};

use super::eligibility::{Candidate, Facts, Policy, Verdict, evaluate, winners};
use crate::model::SkipReason;

/// One transaction to decide, with everything the rules read about it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Pending<'a> {
    /// The transaction's host id.
    pub transaction: &'a str,
    /// The customer's host id; `None` for an anonymous sale.
    pub customer: Option<&'a str>,
    /// When it was finalized, if it was.
    pub finalized_at: Option<DateTime<Utc>>,
    /// What the eligibility rules read.
    pub facts: Facts,
}

/// The verdict on each pending transaction, in the same order (E1–E9).
pub fn decide(pending: &[Pending<'_>], policy: &Policy) -> Vec<Verdict> {
    let mut verdicts: Vec<Verdict> = pending.iter().map(|p| evaluate(&p.facts, policy)).collect();
    let mut positions = Vec::new();
    let mut candidates = Vec::new();
    for (i, (p, v)) in pending.iter().zip(&verdicts).enumerate() {
        if let (Verdict::Eligible, Some(customer), Some(finalized_at)) =
            (v, p.customer, p.finalized_at)
        {
            positions.push(i);
            candidates.push(Candidate {
                customer,
                transaction: p.transaction,
                finalized_at,
            });
        }
    }
    for (i, won) in positions.into_iter().zip(winners(&candidates)) {
        if !won {
            verdicts[i] = Verdict::Skip {
                reason: SkipReason::OnePerBatch,
                eligible_again_on: None,
            };
        }
    }
    verdicts
}

#[cfg(test)]
mod tests {
    use chrono::NaiveDate;

    use super::*;
    use crate::rules::eligibility::CustomerFacts;

    fn d(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }

    fn at(s: &str) -> DateTime<Utc> {
        s.parse().unwrap()
    }

    fn pending<'a>(transaction: &'a str, customer: Option<&'a str>, at_: &str) -> Pending<'a> {
        Pending {
            transaction,
            customer,
            finalized_at: Some(at(at_)),
            facts: Facts {
                finalized_on: Some(at(at_).date_naive()),
                excluded: false,
                location_enabled: true,
                customer: customer.map(|_| CustomerFacts {
                    communications: true,
                    unsubscribed: false,
                    usable_contact: true,
                    cooldown_anchor: None,
                }),
                already_invited: false,
            },
        }
    }

    fn policy() -> Policy {
        Policy {
            batch_date: d("2026-11-20"),
            max_age_days: 30,
            cooldown_months: 3,
        }
    }

    #[test]
    fn e5_one_invitation_per_customer_per_batch_the_latest_wins() {
        let batch = [
            pending("t1", Some("c1"), "2026-11-20T10:00:00Z"),
            pending("t2", Some("c1"), "2026-11-20T18:00:00Z"),
            pending("t3", None, "2026-11-20T11:00:00Z"),
            pending("t4", Some("c2"), "2026-11-20T09:00:00Z"),
        ];
        let v = decide(&batch, &policy());
        assert_eq!(
            v[0],
            Verdict::Skip {
                reason: SkipReason::OnePerBatch,
                eligible_again_on: None
            }
        );
        assert_eq!(v[1], Verdict::Eligible);
        assert_eq!(
            v[2],
            Verdict::Skip {
                reason: SkipReason::Anonymous,
                eligible_again_on: None
            }
        );
        assert_eq!(v[3], Verdict::Eligible);
    }

    #[test]
    fn e9_a_rule_skip_is_kept_and_does_not_compete_for_e5() {
        let mut off = pending("t2", Some("c1"), "2026-11-20T18:00:00Z");
        off.facts.excluded = true;
        let batch = [pending("t1", Some("c1"), "2026-11-20T10:00:00Z"), off];
        let v = decide(&batch, &policy());
        assert_eq!(v[0], Verdict::Eligible);
        assert_eq!(
            v[1],
            Verdict::Skip {
                reason: SkipReason::Excluded,
                eligible_again_on: None
            }
        );
    }
}
