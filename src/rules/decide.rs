//! The decide phase of a sync: every transaction of a batch not decided before gets its
//! verdict, from facts gathered beforehand; no database, no clock.
//!
//! Each transaction is evaluated on its own in P8 precedence ([`evaluate`]); then each
//! person keeps one invitation per batch (E5, P3, [`winners`]); then the location's
//! volume rules thin the winners (P4), and a losing sale of a person shares its winner's
//! P4 reason.

use chrono::{DateTime, Utc};

#[cfg(doc)]
use super::eligibility::winners;
use super::eligibility::{Facts, Policy, Verdict, evaluate, skip};
use super::policy::{Volume, in_sample};
use crate::model::SkipReason;

/// One transaction to decide, with everything the rules read about it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Pending<'a> {
    /// The transaction's host id.
    pub transaction: &'a str,
    /// The customer's host id; `None` for an anonymous sale.
    pub customer: Option<&'a str>,
    /// The customer's row id.
    pub customer_rowid: Option<i64>,
    /// The person the customer is, when records are matched by contact (P3).
    pub person: Option<&'a str>,
    /// When it was finalized, if it was.
    pub finalized_at: Option<DateTime<Utc>>,
    /// What the eligibility rules read.
    pub facts: Facts,
}

/// The verdict on each pending transaction, in the same order (E1–E9, P1–P6).
///
/// The persons' competition (E5, P3) works on positions in `pending` sorted by person,
/// not on a copy of the candidates and maps keyed by person: on a 100k-sale batch those
/// were ~12 MB at a sync's peak. The outcome is [`winners`]'s.
pub fn decide(pending: &[Pending<'_>], policy: &Policy, volume: &Volume) -> Vec<Verdict> {
    let mut verdicts: Vec<Verdict> = pending.iter().map(|p| evaluate(&p.facts, policy)).collect();
    // The candidates: eligible so far, with a customer, finalized.
    let candidates = (0..pending.len()).filter(|&i| {
        let p = &pending[i];
        verdicts[i] == Verdict::Eligible && p.customer.is_some() && p.finalized_at.is_some()
    });
    // Each person's candidates together, the winner last: the latest `finalized_at`, ties
    // broken by the larger host id, then by the earlier position (as [`winners`]). Sorted
    // on each candidate's person number beside its position, so that comparing two
    // persons reads neither their sales nor their texts (on 100k sales those reads were
    // a cache miss a comparison); a sale is read only to order one person's candidates.
    let within = |a: usize, b: usize| {
        let (p, q) = (&pending[a], &pending[b]);
        (p.finalized_at, p.transaction)
            .cmp(&(q.finalized_at, q.transaction))
            .then(b.cmp(&a))
    };
    let mut by_person: Vec<(u64, usize)> = person_numbers(pending, candidates);
    by_person.sort_unstable_by(|&(m, a), &(n, b)| m.cmp(&n).then_with(|| within(a, b)));
    let groups = || by_person.chunk_by(|a, b| a.0 == b.0);
    // P4 on the winners, the latest-finalized first (ties: the larger host id, then the
    // earlier position).
    let mut order: Vec<usize> = groups().filter_map(|g| g.last().map(|w| w.1)).collect();
    order.sort_unstable_by(|&a, &b| {
        let (p, q) = (&pending[a], &pending[b]);
        (q.finalized_at, q.transaction)
            .cmp(&(p.finalized_at, p.transaction))
            .then(a.cmp(&b))
    });
    let mut room = volume.daily_room;
    for i in order {
        let customer = pending[i].customer.unwrap_or_default();
        verdicts[i] = if let Some(until) = volume.quota_reached_until {
            Verdict::Skip {
                reason: SkipReason::QuotaReached,
                eligible_again_on: Some(until),
                related: None,
            }
        } else if !in_sample(
            &volume.salt,
            customer,
            policy.batch_date,
            volume.sample_percent,
        ) {
            skip(SkipReason::NotSampled)
        } else if room == Some(0) {
            skip(SkipReason::DailyCap)
        } else {
            room = room.map(|r| r - 1);
            Verdict::Eligible
        };
    }
    // The losers of each person: `one_per_batch`, or the winner's P4 reason.
    for group in groups() {
        let Some((&(_, wi), losers)) = group.split_last() else {
            continue;
        };
        for &(_, i) in losers {
            let other = pending[wi]
                .customer_rowid
                .filter(|r| Some(*r) != pending[i].customer_rowid);
            verdicts[i] = match verdicts[wi] {
                Verdict::Eligible => Verdict::Skip {
                    reason: SkipReason::OnePerBatch,
                    eligible_again_on: None,
                    related: other,
                },
                skipped => skipped,
            };
        }
    }
    verdicts
}

/// Each candidate's person as a number beside its position, equal exactly when
/// their persons are: a person is the contact that P3 matches records by, else the
/// customer. With no contact named (P3 off, the default) the customer's row id is the
/// number (one row per host id); else each distinct text, contact or host id, is numbered
/// as it comes.
fn person_numbers(
    pending: &[Pending<'_>],
    candidates: impl Iterator<Item = usize> + Clone,
) -> Vec<(u64, usize)> {
    let by_rowid = (candidates.clone())
        .all(|i| pending[i].person.is_none() && pending[i].customer_rowid.is_some());
    if by_rowid {
        // A row id's bits as they are: any two row ids give two numbers.
        return candidates
            .map(|i| (pending[i].customer_rowid.unwrap_or_default() as u64, i))
            .collect();
    }
    let mut numbers: crate::hash::HashMap<&str, u64> = crate::hash::HashMap::default();
    candidates
        .map(|i| {
            let p = &pending[i];
            let person = p.person.or(p.customer).unwrap_or_default();
            let next = numbers.len() as u64;
            (*numbers.entry(person).or_insert(next), i)
        })
        .collect()
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
            customer_rowid: customer.map(|c| c.trim_start_matches('c').parse().unwrap()),
            person: None,
            finalized_at: Some(at(at_)),
            facts: Facts {
                finalized_on: Some(at(at_).date_naive()),
                excluded: false,
                refunded: false,
                location_enabled: true,
                customer: customer.map(|_| CustomerFacts {
                    communications: true,
                    unsubscribed: false,
                    usable_contact: true,
                    cooldown: None,
                    contact_cap: None,
                }),
                already_invited: false,
            },
        }
    }

    /// The decide of before the sorted competition: candidates copied, [`winners`] and a
    /// map of each person's winner.
    fn reference(pending: &[Pending<'_>], policy: &Policy, volume: &Volume) -> Vec<Verdict> {
        use super::super::eligibility::{Candidate, winners};
        use std::collections::HashMap;
        let mut verdicts: Vec<Verdict> =
            pending.iter().map(|p| evaluate(&p.facts, policy)).collect();
        let mut positions = Vec::new();
        let mut candidates = Vec::new();
        for (i, (p, v)) in pending.iter().zip(&verdicts).enumerate() {
            if let (Verdict::Eligible, Some(customer), Some(finalized_at)) =
                (v, p.customer, p.finalized_at)
            {
                positions.push(i);
                candidates.push(Candidate {
                    customer: p.person.unwrap_or(customer),
                    transaction: p.transaction,
                    finalized_at,
                });
            }
        }
        let won = winners(&candidates);
        let mut order: Vec<usize> = (0..candidates.len()).filter(|&k| won[k]).collect();
        order.sort_by_key(|&k| {
            std::cmp::Reverse((candidates[k].finalized_at, candidates[k].transaction))
        });
        let mut room = volume.daily_room;
        for k in order {
            let i = positions[k];
            let customer = pending[i].customer.unwrap_or_default();
            verdicts[i] = if let Some(until) = volume.quota_reached_until {
                Verdict::Skip {
                    reason: SkipReason::QuotaReached,
                    eligible_again_on: Some(until),
                    related: None,
                }
            } else if !in_sample(
                &volume.salt,
                customer,
                policy.batch_date,
                volume.sample_percent,
            ) {
                skip(SkipReason::NotSampled)
            } else if room == Some(0) {
                skip(SkipReason::DailyCap)
            } else {
                room = room.map(|r| r - 1);
                Verdict::Eligible
            };
        }
        let winner_of: HashMap<&str, usize> = (0..candidates.len())
            .filter(|&k| won[k])
            .map(|k| (candidates[k].customer, k))
            .collect();
        for (k, c) in candidates.iter().enumerate() {
            if won[k] {
                continue;
            }
            let Some(&w) = winner_of.get(c.customer) else {
                continue;
            };
            let (i, wi) = (positions[k], positions[w]);
            let other = pending[wi]
                .customer_rowid
                .filter(|r| Some(*r) != pending[i].customer_rowid);
            verdicts[i] = match verdicts[wi] {
                Verdict::Eligible => Verdict::Skip {
                    reason: SkipReason::OnePerBatch,
                    eligible_again_on: None,
                    related: other,
                },
                skipped => skipped,
            };
        }
        verdicts
    }

    #[test]
    fn the_sorted_competition_decides_as_the_reference() {
        // A small deterministic generator: many persons with several sales, shared
        // contacts, equal instants and host ids, excluded and open sales.
        let mut seed: u64 = 0x9e37_79b9_7f4a_7c15;
        let mut next = |n: u64| {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            seed % n
        };
        let customers: Vec<String> = (0..40).map(|i| format!("c{i}")).collect();
        let persons: Vec<String> = (0..6).map(|i| format!("p{i}@x.com")).collect();
        let ids: Vec<String> = (0..30).map(|i| format!("t{i}")).collect();
        for round in 0..300 {
            let n = 1 + next(60) as usize;
            let batch: Vec<Pending<'_>> = (0..n)
                .map(|_| {
                    let customer = (next(10) > 0).then(|| customers[next(40) as usize].as_str());
                    let hour = 9 + next(4);
                    let mut p = pending(
                        &ids[next(30) as usize],
                        customer,
                        &format!("2026-11-20T{hour:02}:00:00Z"),
                    );
                    // Every other round names no person (P3 off: numbered by row id).
                    if customer.is_some() && round % 2 == 1 && next(3) == 0 {
                        p.person = Some(&persons[next(6) as usize]);
                    }
                    if next(12) == 0 {
                        p.finalized_at = None;
                    }
                    p.facts.excluded = next(10) == 0;
                    p
                })
                .collect();
            let volumes = [
                Volume::unlimited(),
                Volume {
                    daily_room: Some(next(8) as u32),
                    sample_percent: 50,
                    ..Volume::unlimited()
                },
                Volume {
                    quota_reached_until: Some(d("2026-12-01")),
                    ..Volume::unlimited()
                },
            ];
            for volume in &volumes {
                assert_eq!(
                    decide(&batch, &policy(), volume),
                    reference(&batch, &policy(), volume),
                    "round {round}"
                );
            }
        }
    }

    fn policy() -> Policy {
        Policy {
            batch_date: d("2026-11-20"),
            max_age_days: 30,
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
        let v = decide(&batch, &policy(), &Volume::unlimited());
        assert_eq!(
            v[0],
            Verdict::Skip {
                reason: SkipReason::OnePerBatch,
                eligible_again_on: None,
                related: None,
            }
        );
        assert_eq!(v[1], Verdict::Eligible);
        assert_eq!(
            v[2],
            Verdict::Skip {
                reason: SkipReason::Anonymous,
                eligible_again_on: None,
                related: None,
            }
        );
        assert_eq!(v[3], Verdict::Eligible);
    }

    #[test]
    fn e9_a_rule_skip_is_kept_and_does_not_compete_for_e5() {
        let mut off = pending("t2", Some("c1"), "2026-11-20T18:00:00Z");
        off.facts.excluded = true;
        let batch = [pending("t1", Some("c1"), "2026-11-20T10:00:00Z"), off];
        let v = decide(&batch, &policy(), &Volume::unlimited());
        assert_eq!(v[0], Verdict::Eligible);
        assert_eq!(
            v[1],
            Verdict::Skip {
                reason: SkipReason::Excluded,
                eligible_again_on: None,
                related: None,
            }
        );
    }

    fn reasons(v: &[Verdict]) -> Vec<Option<SkipReason>> {
        v.iter()
            .map(|v| match v {
                Verdict::Eligible => None,
                Verdict::Skip { reason, .. } => Some(*reason),
            })
            .collect()
    }

    #[test]
    fn p3_two_records_sharing_a_contact_in_one_batch_get_one_invitation() {
        let mut a = pending("t1", Some("c1"), "2026-11-20T10:00:00Z");
        let mut b = pending("t2", Some("c2"), "2026-11-20T18:00:00Z");
        a.person = Some("a@x.com");
        b.person = Some("a@x.com");
        let v = decide(&[a, b], &policy(), &Volume::unlimited());
        assert_eq!(
            v[0],
            Verdict::Skip {
                reason: SkipReason::OnePerBatch,
                eligible_again_on: None,
                related: Some(2),
            },
            "names the other record"
        );
        assert_eq!(v[1], Verdict::Eligible);
    }

    #[test]
    fn p4_daily_cap_keeps_the_latest_finalized_and_losers_share_the_winners_reason() {
        let batch = [
            pending("t1", Some("c1"), "2026-11-20T10:00:00Z"),
            pending("t2", Some("c2"), "2026-11-20T18:00:00Z"),
            pending("t3", Some("c3"), "2026-11-20T12:00:00Z"),
            pending("t4", Some("c3"), "2026-11-20T11:00:00Z"),
        ];
        let volume = Volume {
            daily_room: Some(1),
            ..Volume::unlimited()
        };
        let v = decide(&batch, &policy(), &volume);
        assert_eq!(
            reasons(&v),
            [
                Some(SkipReason::DailyCap),
                None,
                Some(SkipReason::DailyCap),
                Some(SkipReason::DailyCap),
            ],
            "c3's losing t4 gets daily_cap, not one_per_batch"
        );
        let none = Volume {
            daily_room: Some(0),
            ..Volume::unlimited()
        };
        assert!(
            reasons(&decide(&batch, &policy(), &none))
                .iter()
                .all(|r| *r == Some(SkipReason::DailyCap))
        );
    }

    #[test]
    fn p4_quota_comes_before_sampling_and_sampling_before_the_cap() {
        let batch = [pending("t1", Some("c1"), "2026-11-20T10:00:00Z")];
        let quota = Volume {
            quota_reached_until: Some(d("2026-12-01")),
            sample_percent: 0,
            daily_room: Some(0),
            ..Volume::unlimited()
        };
        assert_eq!(
            decide(&batch, &policy(), &quota)[0],
            Verdict::Skip {
                reason: SkipReason::QuotaReached,
                eligible_again_on: Some(d("2026-12-01")),
                related: None,
            }
        );
        let sample = Volume {
            quota_reached_until: None,
            ..quota
        };
        assert_eq!(
            reasons(&decide(&batch, &policy(), &sample)),
            [Some(SkipReason::NotSampled)]
        );
    }
}
