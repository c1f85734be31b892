//! Outbox throughput: claiming (with multipart rendering and link tokens) and acking every
//! queued message through hearken, claims of 500 acked with `ack_many`, against raw SQL
//! doing the same status updates on a copy of the same database, in WAL and with a
//! rollback journal (docs/benchmarks.md).
//!
//! `cargo bench --bench outbox` (100k messages); `HEARKEN_BENCH_QUICK=1` for 10k;
//! `HEARKEN_BENCH_ONLY=hearken`: one WAL drain, hearken only (for callgrind).

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

/// A copy of the template in `journal` mode.
fn copy(template: &Path, to: &Path, journal: JournalMode) {
    std::fs::copy(template, to).unwrap();
    if journal == JournalMode::Wal {
        Engine::convert_journal(to, JournalMode::Wal).unwrap();
    }
}

/// hearken's drain: claims of [`CLAIM_BATCH`] (timers, triage, multipart rendering, two
/// link tokens per message, leases), each batch acked with one `ack_many`.
fn hearken_drain(path: &Path, now: DateTime<Utc>) -> (Duration, usize) {
    let e = Engine::open(path).unwrap();
    let start = Instant::now();
    let mut done = 0;
    loop {
        let msgs = e.claim(CLAIM_BATCH, now).unwrap();
        if msgs.is_empty() {
            break;
        }
        assert!(msgs[0].html_body.is_some(), "multipart rendering");
        let ids: Vec<&str> = msgs.iter().map(|m| m.message_id.as_str()).collect();
        let outcomes = e.ack_many(&ids, now).unwrap();
        assert!(outcomes.iter().all(|o| o.status.is_ok()));
        done += msgs.len();
    }
    let elapsed = start.elapsed();
    e.close().unwrap();
    (elapsed, done)
}

/// The hand-written outbox doing the same status work: select due rows, lease them in one
/// transaction, then ack the batch in one transaction (no rendering, tokens or checks).
fn raw_drain(path: &Path, now: DateTime<Utc>, journal: JournalMode) -> (Duration, usize) {
    let mut c = Connection::open(path).unwrap();
    match journal {
        JournalMode::Wal => c.pragma_update(None, "synchronous", "NORMAL").unwrap(),
        _ => c.pragma_update(None, "synchronous", "FULL").unwrap(),
    }
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
        let tx = c
            .transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)
            .unwrap();
        {
            let mut stmt = tx
                .prepare_cached(
                    "UPDATE outbox SET status = 'acked', lease_until = NULL, updated_at = ?2
                     WHERE message_id = ?1",
                )
                .unwrap();
            for (_, message_id) in &ids {
                stmt.execute(params![message_id, now_ms]).unwrap();
            }
        }
        tx.commit().unwrap();
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
    if std::env::var_os("HEARKEN_BENCH_ONLY").is_some() {
        // One WAL drain, hearken's side only (for callgrind).
        let a = dir.path().join("hearken.db");
        copy(&template, &a, JournalMode::Wal);
        let (t, done) = hearken_drain(&a, now);
        println!(
            "hearken: {done} in {:.2}s ({:.0} msg/s)",
            t.as_secs_f64(),
            done as f64 / t.as_secs_f64()
        );
        return;
    }
    for journal in [JournalMode::Wal, JournalMode::Rollback] {
        let mut rates = Vec::new();
        let mut ratios = Vec::new();
        for run in 1..=3 {
            let a = dir.path().join(format!("hearken-{run}.db"));
            let b = dir.path().join(format!("raw-{run}.db"));
            copy(&template, &a, journal);
            let (ht, hn) = hearken_drain(&a, now);
            assert_eq!(hn, n);
            rates.push(n as f64 / ht.as_secs_f64());
            copy(&template, &b, journal);
            let (rt, rn) = raw_drain(&b, now, journal);
            assert_eq!(rn, n);
            let ratio = rt.as_secs_f64() / ht.as_secs_f64();
            ratios.push(ratio);
            println!(
                "{journal:?} run {run}: hearken claim+render+ack_many {n} in {:.2}s ({:.0} msg/s); \
                 raw leases+acks in {:.2}s ({:.0} msg/s); ratio raw/hearken {:.2}",
                ht.as_secs_f64(),
                n as f64 / ht.as_secs_f64(),
                rt.as_secs_f64(),
                n as f64 / rt.as_secs_f64(),
                ratio
            );
            for p in [&a, &b] {
                let _ = std::fs::remove_file(p);
            }
        }
        rates.sort_by(f64::total_cmp);
        ratios.sort_by(f64::total_cmp);
        println!(
            "{journal:?} median: hearken {:.0} msg/s (target >= 20,000); ratio raw/hearken {:.2}",
            rates[1], ratios[1]
        );
    }
}
