//! Outbox throughput: claiming and acking every queued message through hearken, against
//! raw SQL doing the same status updates on a copy of the same database, in one run.
//!
//! `cargo bench --bench outbox` (100k messages); `HEARKEN_BENCH_QUICK=1` for 10k.

use std::path::Path;
use std::time::{Duration, Instant};

use chrono::{DateTime, Utc};
use hearken::{
    Customer, Engine, EngineOptions, JournalMode, Location, SyncBatch, Transaction, TransactionKind,
};
use rusqlite::{Connection, params};

const CLAIM_BATCH: u32 = 500;

fn build(path: &Path, n: usize) {
    let options = EngineOptions {
        journal: JournalMode::Rollback,
        ..Default::default()
    };
    let e = Engine::open_with(path, &options).unwrap();
    e.upsert_location(&Location::new("paris", "Boutique Paris", "Europe/Paris"))
        .unwrap();
    let mut b = SyncBatch::new("paris", "2026-11-20".parse().unwrap());
    for i in 0..n {
        let mut c = Customer::with_email(&format!("c{i}"), &format!("c{i}@example.com"));
        c.name = Some(format!("Customer {i}"));
        c.language = Some(["fr-FR", "ko", "en"][i % 3].into());
        b.customers.push(c);
        b.transactions.push(Transaction {
            id: format!("t{i}"),
            customer: Some(format!("c{i}")),
            employees: vec![],
            kind: TransactionKind::Sale,
            amount_minor: 1000,
            currency: "EUR".into(),
            finalized_at: Some("2026-11-20T12:00:00+01:00".parse().unwrap()),
            exclude: false,
            refers_to: None,
        });
    }
    let r = e.sync(&b, "2026-11-20T22:00:00Z".parse().unwrap()).unwrap();
    assert_eq!(r.invitations.len(), n);
}

fn copy(template: &Path, to: &Path) {
    std::fs::copy(template, to).unwrap();
}

fn hearken_drain(path: &Path, now: DateTime<Utc>) -> (Duration, usize) {
    let e = Engine::open(path).unwrap();
    let start = Instant::now();
    let mut done = 0;
    loop {
        let msgs = e.claim(CLAIM_BATCH, now).unwrap();
        if msgs.is_empty() {
            break;
        }
        for m in &msgs {
            e.ack(&m.message_id, now).unwrap();
        }
        done += msgs.len();
    }
    (start.elapsed(), done)
}

/// The hand-written outbox: select due rows, lease them in one transaction, ack each.
fn raw_drain(path: &Path, now: DateTime<Utc>) -> (Duration, usize) {
    let mut c = Connection::open(path).unwrap();
    c.pragma_update(None, "journal_mode", "wal").unwrap();
    c.pragma_update(None, "synchronous", "NORMAL").unwrap();
    let now_ms = now.timestamp_millis();
    let start = Instant::now();
    let mut done = 0;
    loop {
        let tx = c
            .transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)
            .unwrap();
        let ids: Vec<(i64, String)> = {
            let mut stmt = tx
                .prepare_cached(
                    "SELECT id, message_id FROM outbox WHERE status = 'pending' AND due_at <= ?1
                     ORDER BY due_at, id LIMIT ?2",
                )
                .unwrap();
            stmt.query_map(params![now_ms, CLAIM_BATCH], |r| Ok((r.get(0)?, r.get(1)?)))
                .unwrap()
                .collect::<Result<_, _>>()
                .unwrap()
        };
        {
            let mut stmt = tx
                .prepare_cached(
                    "UPDATE outbox SET status = 'in_flight', lease_until = ?2,
                     attempts = attempts + 1, updated_at = ?3 WHERE id = ?1",
                )
                .unwrap();
            for (id, _) in &ids {
                stmt.execute(params![id, now_ms + 300_000, now_ms]).unwrap();
            }
        }
        tx.commit().unwrap();
        if ids.is_empty() {
            break;
        }
        for (_, message_id) in &ids {
            let tx = c
                .transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)
                .unwrap();
            tx.prepare_cached(
                "UPDATE outbox SET status = 'acked', updated_at = ?2 WHERE message_id = ?1",
            )
            .unwrap()
            .execute(params![message_id, now_ms])
            .unwrap();
            tx.commit().unwrap();
        }
        done += ids.len();
    }
    (start.elapsed(), done)
}

fn main() {
    if std::env::args().any(|a| a == "--list") {
        return;
    }
    let quick = std::env::var_os("HEARKEN_BENCH_QUICK").is_some();
    let n = if quick { 10_000 } else { 100_000 };
    let dir = tempfile::tempdir().unwrap();
    let template = dir.path().join("template.db");
    println!("outbox bench: building {n} queued invitations…");
    build(&template, n);
    let now: DateTime<Utc> = "2026-11-21T09:00:00Z".parse().unwrap();
    let mut ratios = Vec::new();
    for run in 1..=3 {
        let a = dir.path().join(format!("hearken-{run}.db"));
        let b = dir.path().join(format!("raw-{run}.db"));
        copy(&template, &a);
        copy(&template, &b);
        let (ht, hn) = hearken_drain(&a, now);
        let (rt, rn) = raw_drain(&b, now);
        assert_eq!((hn, rn), (n, n));
        let ratio = rt.as_secs_f64() / ht.as_secs_f64();
        ratios.push(ratio);
        println!(
            "run {run}: hearken claim+render+ack {n} in {:.2}s ({:.0}/s); raw SQL leases+acks in {:.2}s; ratio raw/hearken {:.2}",
            ht.as_secs_f64(),
            n as f64 / ht.as_secs_f64(),
            rt.as_secs_f64(),
            ratio
        );
    }
    ratios.sort_by(f64::total_cmp);
    println!("median ratio raw/hearken: {:.2}", ratios[1]);
}
