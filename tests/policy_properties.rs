//! The contact policy's stated invariants (P2, P3, P4), on generated night sequences with
//! sampling, caps and shared contacts on.

mod common;

use std::collections::HashMap;

use chrono::{NaiveDate, TimeDelta};
use common::{day, paris_night, sale};
use hearken::rules::cooldown::add_months_clamped;
use hearken::{ContactPolicy, Customer, Engine, LocationPolicy, Settings, SyncBatch};
use proptest::prelude::*;

/// Customer records; record `i` has contact `i % CONTACTS`, spelt differently.
const RECORDS: usize = 8;
const CONTACTS: usize = 5;

fn contact_of(record: usize) -> usize {
    record % CONTACTS
}

fn email_of(record: usize) -> String {
    let base = format!("person{}@example.com", contact_of(record));
    if record >= CONTACTS {
        format!(" {} ", base.to_uppercase())
    } else {
        base
    }
}

#[derive(Debug, Clone)]
struct Night {
    step_days: i64,
    /// (record, finalized hour) of each sale.
    sales: Vec<(usize, u32)>,
}

#[derive(Debug, Clone)]
struct Policy {
    min_gap_days: u32,
    max_per_year: u32,
    daily_cap: u32,
    sample_percent: u32,
}

fn policy() -> impl Strategy<Value = Policy> {
    (0u32..40, 1u32..4, 0u32..4, 30u32..=100).prop_map(
        |(min_gap_days, max_per_year, daily_cap, sample_percent)| Policy {
            min_gap_days,
            max_per_year,
            daily_cap,
            sample_percent,
        },
    )
}

fn nights() -> impl Strategy<Value = Vec<Night>> {
    proptest::collection::vec(
        (
            1i64..=60,
            proptest::collection::vec((0..RECORDS, 8u32..=20), 0..7),
        )
            .prop_map(|(step_days, sales)| Night { step_days, sales }),
        1..12,
    )
}

fn batches(nights: &[Night]) -> Vec<SyncBatch> {
    let mut date = day("2026-01-01");
    let mut out = Vec::new();
    for (n, night) in nights.iter().enumerate() {
        date += TimeDelta::days(night.step_days);
        let mut b = SyncBatch::new("paris", date);
        let mut seen = Vec::new();
        for (i, (record, hour)) in night.sales.iter().enumerate() {
            if !seen.contains(record) {
                seen.push(*record);
                b.customers.push(Customer::with_email(
                    &format!("r{record}"),
                    &email_of(*record),
                ));
            }
            b.transactions.push(sale(
                &format!("n{n}t{i}"),
                Some(&format!("r{record}")),
                Some(&format!("{date}T{hour:02}:00:00+01:00")),
            ));
        }
        out.push(b);
    }
    out
}

fn engine(p: &Policy) -> Engine {
    let e = common::engine();
    e.set_settings(&Settings {
        cooldown_months: 1,
        max_age_days: 30,
        ..Settings::default()
    })
    .unwrap();
    e.set_contact_policy(&ContactPolicy {
        one_person_per_contact: true,
        min_gap_days: p.min_gap_days,
        max_per_year: p.max_per_year,
        sample_percent: p.sample_percent,
        sample_salt: "property-salt".into(),
        ..ContactPolicy::default()
    })
    .unwrap();
    e.set_location_policy(&LocationPolicy {
        location: "paris".into(),
        daily_cap: Some(p.daily_cap),
        ..LocationPolicy::default()
    })
    .unwrap();
    e
}

/// Runs every batch twice (the re-run must create nothing) and returns the invitations as
/// (business date, record).
fn run(e: &Engine, batches: &[SyncBatch]) -> Vec<(NaiveDate, String)> {
    let mut out = Vec::new();
    for b in batches {
        let date = b.business_dates[0];
        let now = paris_night(&date.to_string());
        let r = e.sync(b, now).unwrap();
        out.extend(r.invitations.iter().map(|i| (date, i.customer.clone())));
        let again = e.sync(b, now).unwrap();
        assert!(again.invitations.is_empty(), "a re-run invited again");
    }
    out
}

fn person(record: &str) -> usize {
    contact_of(record.trim_start_matches('r').parse().unwrap())
}

proptest! {
    // 24 cases in the main test run; scripts/longer-checks.sh sets PROPTEST_CASES higher.
    #![proptest_config(ProptestConfig {
        cases: std::env::var("PROPTEST_CASES").ok().and_then(|v| v.parse().ok()).unwrap_or(24),
        ..ProptestConfig::default()
    })]

    /// P4: a replay of the same sequence on a fresh store picks the same people, and a
    /// re-run of any batch invites no one.
    #[test]
    fn p4_sampling_and_caps_are_idempotent(p in policy(), nights in nights()) {
        let b = batches(&nights);
        let first = run(&engine(&p), &b);
        let second = run(&engine(&p), &b);
        prop_assert_eq!(first, second);
    }

    /// P2, P3, P4: nobody exceeds `max_per_year` in any 365 days; records sharing a contact
    /// never get two invitations inside a cooldown or the minimum gap; a daily cap is never
    /// exceeded.
    #[test]
    fn p2_p3_p4_caps_hold_for_every_person_and_day(p in policy(), nights in nights()) {
        let invitations = run(&engine(&p), &batches(&nights));
        let mut by_person: HashMap<usize, Vec<NaiveDate>> = HashMap::new();
        let mut by_day: HashMap<NaiveDate, u32> = HashMap::new();
        for (date, record) in &invitations {
            by_person.entry(person(record)).or_default().push(*date);
            *by_day.entry(*date).or_default() += 1;
        }
        if p.daily_cap > 0 {
            prop_assert!(by_day.values().all(|n| *n <= p.daily_cap), "{by_day:?}");
        }
        for dates in by_person.values_mut() {
            dates.sort();
            for pair in dates.windows(2) {
                prop_assert!(pair[1] >= add_months_clamped(pair[0], 1), "cooldown: {dates:?}");
                prop_assert!(
                    (pair[1] - pair[0]).num_days() >= i64::from(p.min_gap_days),
                    "min gap: {dates:?}"
                );
            }
            for (i, d) in dates.iter().enumerate() {
                let in_year = dates[..=i].iter().filter(|x| (*d - **x).num_days() < 365).count();
                prop_assert!(in_year as u32 <= p.max_per_year, "max per year: {dates:?}");
            }
        }
    }
}
