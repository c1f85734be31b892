//! Stated invariants, checked on generated batch sequences (E4, E8, E9).

mod common;

use chrono::{NaiveDate, TimeDelta};
use common::{day, paris_night};
use hearken::rules::cooldown::add_months_clamped;
use hearken::{Customer, Engine, Location, Settings, SyncBatch, Transaction, TransactionKind};
use proptest::prelude::*;

const CUSTOMERS: usize = 5;

#[derive(Debug, Clone)]
struct Sale {
    customer: Option<usize>,
    finalized_hour: Option<u32>,
    exclude: bool,
}

#[derive(Debug, Clone)]
struct Night {
    step_days: i64,
    sales: Vec<Sale>,
    /// Indexes (modulo the count so far) of earlier transactions the host sends again.
    repeats: Vec<usize>,
    comms_off: Option<usize>,
}

fn sale() -> impl Strategy<Value = Sale> {
    (
        proptest::option::weighted(0.9, 0..CUSTOMERS),
        proptest::option::weighted(0.85, 8u32..=20),
        proptest::bool::weighted(0.1),
    )
        .prop_map(|(customer, finalized_hour, exclude)| Sale {
            customer,
            finalized_hour,
            exclude,
        })
}

fn nights() -> impl Strategy<Value = Vec<Night>> {
    proptest::collection::vec(
        (
            1i64..=8,
            proptest::collection::vec(sale(), 0..6),
            proptest::collection::vec(any::<usize>(), 0..3),
            proptest::option::weighted(0.2, 0..CUSTOMERS),
        )
            .prop_map(|(step_days, sales, repeats, comms_off)| Night {
                step_days,
                sales,
                repeats,
                comms_off,
            }),
        1..10,
    )
}

/// Turns generated nights into batches whose dates cover each night's sync window.
fn batches(nights: &[Night]) -> Vec<SyncBatch> {
    let mut out = Vec::new();
    let mut sent: Vec<Transaction> = Vec::new();
    let mut date = day("2026-11-01");
    let mut last: Option<NaiveDate> = None;
    for (n, night) in nights.iter().enumerate() {
        date += TimeDelta::days(night.step_days);
        let mut b = SyncBatch::new("paris", date);
        if let Some(prev) = last {
            b.business_dates = prev
                .iter_days()
                .skip(1)
                .take_while(|d| *d <= date)
                .collect();
        }
        last = Some(date);
        b.customers = (0..CUSTOMERS)
            .map(|c| Customer {
                include_in_communications: night.comms_off != Some(c),
                ..Customer::with_email(&format!("c{c}"), &format!("c{c}@example.com"))
            })
            .collect();
        let repeated: Vec<Transaction> = night
            .repeats
            .iter()
            .filter(|_| !sent.is_empty())
            .map(|i| sent[i % sent.len()].clone())
            .collect();
        for (i, s) in night.sales.iter().enumerate() {
            let t = Transaction {
                id: format!("n{n}t{i}"),
                customer: s.customer.map(|c| format!("c{c}")),
                employees: vec![],
                kind: TransactionKind::Sale,
                amount_minor: 100,
                currency: "EUR".into(),
                finalized_at: s
                    .finalized_hour
                    .map(|h| format!("{date}T{h:02}:00:00+01:00").parse().unwrap()),
                exclude: s.exclude,
                refers_to: None,
            };
            b.transactions.push(t.clone());
            sent.push(t);
        }
        for t in repeated {
            if !b.transactions.iter().any(|x| x.id == t.id) {
                b.transactions.push(t);
            }
        }
        out.push(b);
    }
    out
}

fn engine(path: &std::path::Path) -> Engine {
    let e = Engine::open(path).unwrap();
    e.upsert_location(&Location::new("paris", "Paris", "Europe/Paris"))
        .unwrap();
    e.set_settings(&Settings {
        cooldown_months: 1,
        catch_up_days: 7,
        ..Settings::default()
    })
    .unwrap();
    e
}

proptest! {
    // 32 cases in the main test run; scripts/longer-checks.sh sets PROPTEST_CASES higher.
    #![proptest_config(ProptestConfig {
        cases: std::env::var("PROPTEST_CASES").ok().and_then(|v| v.parse().ok()).unwrap_or(32),
        ..ProptestConfig::default()
    })]

    /// E8: re-running any batch sequence creates no invitation and writes nothing.
    #[test]
    fn e8_rerunning_any_batch_sequence_creates_no_extra_invitation(nights in nights()) {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("p.db");
        let e = engine(&path);
        let bs = batches(&nights);
        for b in &bs {
            let night = paris_night(&b.business_date().unwrap().to_string());
            e.sync(b, night).unwrap();
            // The same batch again, a little later: nothing at all changes.
            let before = common::dump(&path);
            let r = e.sync(b, night + TimeDelta::minutes(30)).unwrap();
            prop_assert!(r.invitations.is_empty());
            prop_assert_eq!(before, common::dump(&path));
        }
        let invitations = e.pending_invitations().unwrap();
        let last_night = paris_night(&bs.last().unwrap().business_date().unwrap().to_string());
        for b in &bs {
            let r = e.sync(b, last_night).unwrap();
            prop_assert!(r.invitations.is_empty());
        }
        // Any order (older customer data is re-applied, as an upsert should): still no
        // invitation is created.
        for b in bs.iter().rev() {
            let r = e.sync(b, last_night).unwrap();
            prop_assert!(r.invitations.is_empty());
        }
        prop_assert_eq!(invitations, e.pending_invitations().unwrap());
    }

    /// E4: no customer is invited twice inside the cooldown, and E9: every finalized
    /// transaction has exactly one stored decision.
    #[test]
    fn e4_no_customer_is_invited_twice_inside_the_cooldown(nights in nights()) {
        let dir = tempfile::tempdir().unwrap();
        let e = engine(&dir.path().join("p.db"));
        let bs = batches(&nights);
        let mut finalized = std::collections::HashSet::new();
        for b in &bs {
            let r = e.sync(b, paris_night(&b.business_date().unwrap().to_string())).unwrap();
            // Every transaction of the batch is accounted for exactly once.
            prop_assert_eq!(r.invitations.len() + r.skipped.len(), b.transactions.len());
            for t in b.transactions.iter().filter(|t| t.finalized_at.is_some()) {
                finalized.insert(t.id.clone());
            }
        }
        let last_night = paris_night(&bs.last().unwrap().business_date().unwrap().to_string());
        let mut decided = 0;
        for c in 0..CUSTOMERS {
            let Ok(x) = e.explain(&format!("c{c}"), last_night) else { continue };
            let mut dates: Vec<NaiveDate> = x
                .decisions
                .iter()
                .filter(|d| d.invitation_id.is_some())
                .map(|d| d.business_date)
                .collect();
            dates.sort();
            for w in dates.windows(2) {
                prop_assert!(w[1] >= add_months_clamped(w[0], 1), "{:?}", dates);
            }
            decided += x.decisions.iter().filter(|d| d.finalized_at.is_some()).count();
        }
        let with_customer = bs
            .iter()
            .flat_map(|b| &b.transactions)
            .filter(|t| t.customer.is_some() && t.finalized_at.is_some())
            .map(|t| &t.id)
            .collect::<std::collections::HashSet<_>>()
            .len();
        prop_assert_eq!(decided, with_customer);
        prop_assert!(finalized.len() >= with_customer);
    }
}
