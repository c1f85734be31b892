//! Two processes on one file (issue 9, item 4): both sync and drain the outbox at once.
//!
//! The test binary runs itself twice as child processes (`two_writers_child`), one per
//! location (Paris, Seoul), started together behind a barrier. Each opens the shared
//! file, syncs its own nights and, after each night, drains the outbox (claim 4 at a time,
//! ack each) and reads the counts, logging the start and end of every operation. The
//! parent asserts that no call failed (no "database is locked": writes wait on the busy
//! timeout), that the two processes' writes really interleaved in time, that no message
//! was claimed by both (the lease is a day and every claim is made at one instant, so no
//! lease expires), and that the file ends with exactly what one process doing all the
//! work alone produces.
// Unix processes (SIGKILL, two writers at once): not run on Windows.
#![cfg(unix)]

#[path = "crash/child.rs"]
mod child;
mod common;
#[path = "crash/dump.rs"]
mod dump;

use std::collections::BTreeSet;
use std::path::Path;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use chrono::{DateTime, NaiveDate, TimeDelta, Utc};
use common::{at, day, sale};
use dump::logical_dump;
use hearken::{Customer, DeliverySettings, Engine, Location, SyncBatch};

const CHILD: &str = "two_writers_child";
const ENV_DB: &str = "HEARKEN_TWO_DB";
const ENV_LOCATION: &str = "HEARKEN_TWO_LOCATION";
const ENV_LOG: &str = "HEARKEN_TWO_LOG";
const ENV_DIR: &str = "HEARKEN_TWO_DIR";
const FIRST_NIGHT: &str = "2026-11-01";
const NIGHTS: u32 = 28;
/// What the host spends sending one message, between claim and ack (the other process
/// can write meanwhile).
const SEND: Duration = Duration::from_millis(2);
const CLAIM_LIMIT: u32 = 4;
/// The longest lease: no claim made at [`drain_at`] sees another's lease expire.
const LEASE_SECONDS: u32 = 86_400;

fn night(n: u32) -> NaiveDate {
    day(FIRST_NIGHT) + TimeDelta::days(i64::from(n))
}

/// Every claim of both processes is made at this instant, after everything is due.
fn drain_at() -> DateTime<Utc> {
    at(&format!("{}T09:00:00Z", night(NIGHTS + 1)))
}

/// 23:00 at the location on night `n`.
fn sync_at(location: &str, n: u32) -> DateTime<Utc> {
    let utc = if location == "paris" {
        "22:00"
    } else {
        "14:00"
    };
    at(&format!("{}T{utc}:00Z", night(n)))
}

/// Night `n` of a location: 18 new customers of its own (never the other store's, so the
/// result does not depend on which process syncs first) and 2 of the night before, back
/// within the cooldown (E4); every fourth customer buys twice (E5).
fn night_batch(location: &str, n: u32) -> SyncBatch {
    let (p, offset) = if location == "paris" {
        ("p", "+01:00")
    } else {
        ("s", "+09:00")
    };
    let date = night(n);
    let mut b = SyncBatch::new(location, date);
    let mut ids: Vec<String> = (0..18).map(|k| format!("{p}c{}", n * 18 + k)).collect();
    if n > 0 {
        ids.extend((0..2).map(|k| format!("{p}c{}", (n - 1) * 18 + k)));
    }
    b.customers = ids
        .iter()
        .map(|id| Customer::with_email(id, &format!("{id}@example.com")))
        .collect();
    for (k, id) in ids.iter().enumerate() {
        let minute = k % 60;
        let finalized = format!("{date}T12:{minute:02}:00{offset}");
        b.transactions
            .push(sale(&format!("{p}-{n}-{k}"), Some(id), Some(&finalized)));
        if k % 4 == 0 {
            let later = format!("{date}T18:{minute:02}:00{offset}");
            b.transactions
                .push(sale(&format!("{p}-{n}-{k}b"), Some(id), Some(&later)));
        }
    }
    b
}

fn setup(engine: &Engine) {
    for (id, name, tz) in [
        ("paris", "Boutique Paris", "Europe/Paris"),
        ("seoul", "서울 매장", "Asia/Seoul"),
    ] {
        engine
            .upsert_location(&Location::new(id, name, tz))
            .unwrap();
    }
    engine
        .set_delivery_settings(&DeliverySettings {
            lease_seconds: LEASE_SECONDS,
            ..DeliverySettings::default()
        })
        .unwrap();
}

fn wall_ns() -> u128 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_nanos()
}

/// One process's record: each operation's kind and its wall-clock start and end (both
/// processes read the same clock), and every message id it claimed.
#[derive(Default)]
struct Record {
    text: String,
}

impl Record {
    fn op<T>(&mut self, kind: &str, f: impl FnOnce() -> hearken::Result<T>) -> T {
        let start = wall_ns();
        let out = f();
        let end = wall_ns();
        match out {
            Ok(v) => {
                self.text.push_str(&format!("op {kind} {start} {end}\n"));
                v
            }
            Err(e) => panic!("{kind} failed: {e} ({:?})", e.kind()),
        }
    }
}

/// The child process. Does nothing unless the parent set `HEARKEN_TWO_DB`.
#[test]
#[ignore = "run by the two-writer test as a child process"]
fn two_writers_child() {
    let Ok(db) = std::env::var(ENV_DB) else {
        return;
    };
    let location = std::env::var(ENV_LOCATION).unwrap();
    let dir = std::path::PathBuf::from(std::env::var(ENV_DIR).unwrap());
    std::fs::write(dir.join(format!("ready-{location}")), "").unwrap();
    let deadline = Instant::now() + child::TIMEOUT;
    while !dir.join("go").exists() {
        assert!(Instant::now() < deadline, "no go signal");
        std::thread::sleep(Duration::from_millis(1));
    }
    let mut rec = Record::default();
    let engine = rec.op("open", || Engine::open(&db));
    let now = drain_at();
    for n in 0..NIGHTS {
        let batch = night_batch(&location, n);
        rec.op("sync", || engine.sync(&batch, sync_at(&location, n)));
        loop {
            let msgs = rec.op("claim", || engine.claim(CLAIM_LIMIT, now));
            for m in &msgs {
                rec.text.push_str(&format!("claimed {}\n", m.message_id));
            }
            if msgs.is_empty() {
                break;
            }
            for m in &msgs {
                std::thread::sleep(SEND);
                rec.op("ack", || engine.ack(&m.message_id, now));
            }
        }
        rec.op("read", || engine.outbox_counts());
        rec.op("read", || engine.pending_invitations());
    }
    std::fs::write(std::env::var(ENV_LOG).unwrap(), rec.text).unwrap();
}

struct Op {
    write: bool,
    start: u128,
    end: u128,
}

struct Log {
    ops: Vec<Op>,
    claimed: Vec<String>,
}

fn read_log(path: &Path) -> Log {
    let text = std::fs::read_to_string(path).unwrap();
    let mut log = Log {
        ops: Vec::new(),
        claimed: Vec::new(),
    };
    for line in text.lines() {
        let w: Vec<&str> = line.split(' ').collect();
        match w[0] {
            "op" => log.ops.push(Op {
                write: matches!(w[1], "sync" | "claim" | "ack"),
                start: w[2].parse().unwrap(),
                end: w[3].parse().unwrap(),
            }),
            "claimed" => log.claimed.push(w[1].to_owned()),
            other => panic!("unexpected log line {other}"),
        }
    }
    log
}

/// How many of `a`'s writes completed between `b`'s first write and its last.
fn writes_inside(a: &Log, b: &Log) -> usize {
    let bw: Vec<&Op> = b.ops.iter().filter(|o| o.write).collect();
    let (Some(first), Some(last)) = (bw.first(), bw.last()) else {
        return 0;
    };
    a.ops
        .iter()
        .filter(|o| o.write && o.start >= first.start && o.end <= last.end)
        .count()
}

/// How many of `a`'s writes ran at the same time as one of `b`'s (one of the two waited
/// for the other's transaction, on the busy timeout).
fn concurrent_writes(a: &Log, b: &Log) -> usize {
    a.ops
        .iter()
        .filter(|x| x.write)
        .filter(|x| {
            b.ops
                .iter()
                .any(|y| y.write && x.start < y.end && y.start < x.end)
        })
        .count()
}

/// How many times the process doing a write changes, writes ordered by their end.
fn alternations(a: &Log, b: &Log) -> usize {
    let mut all: Vec<(u128, bool)> = a
        .ops
        .iter()
        .filter(|o| o.write)
        .map(|o| (o.end, true))
        .chain(b.ops.iter().filter(|o| o.write).map(|o| (o.end, false)))
        .collect();
    all.sort();
    all.windows(2).filter(|w| w[0].1 != w[1].1).count()
}

#[test]
fn two_processes_sync_and_drain_one_file_without_errors_or_double_claims() {
    let t0 = Instant::now();
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("shared.db");
    setup(&Engine::open(&db).unwrap());

    let runs: Vec<(String, child::ChildRun)> = ["paris", "seoul"]
        .into_iter()
        .map(|location| {
            let log = dir.path().join(format!("{location}.log"));
            let run = child::spawn(
                CHILD,
                &[
                    (ENV_DB, db.display().to_string()),
                    (ENV_LOCATION, location.to_owned()),
                    (ENV_LOG, log.display().to_string()),
                    (ENV_DIR, dir.path().display().to_string()),
                ],
            );
            (location.to_owned(), run)
        })
        .collect();
    let deadline = Instant::now() + child::TIMEOUT;
    while !["paris", "seoul"]
        .iter()
        .all(|l| dir.path().join(format!("ready-{l}")).exists())
    {
        assert!(Instant::now() < deadline, "the children did not start");
        std::thread::sleep(Duration::from_millis(1));
    }
    std::fs::write(dir.path().join("go"), "").unwrap();
    let mut took = Vec::new();
    for (location, run) in runs {
        took.push(run.expect_success(&format!("the {location} process")));
    }

    let a = read_log(&dir.path().join("paris.log"));
    let b = read_log(&dir.path().join("seoul.log"));
    let a_inside = writes_inside(&a, &b);
    let b_inside = writes_inside(&b, &a);
    let switches = alternations(&a, &b);
    let concurrent = concurrent_writes(&a, &b) + concurrent_writes(&b, &a);
    let writes = |l: &Log| l.ops.iter().filter(|o| o.write).count();

    // No message claimed by both (never while leased: no lease expires here).
    let a_claimed: BTreeSet<&String> = a.claimed.iter().collect();
    let b_claimed: BTreeSet<&String> = b.claimed.iter().collect();
    assert_eq!(a_claimed.len(), a.claimed.len(), "Paris claimed one twice");
    assert_eq!(b_claimed.len(), b.claimed.len(), "Seoul claimed one twice");
    let both: Vec<_> = a_claimed.intersection(&b_claimed).collect();
    assert!(both.is_empty(), "claimed by both processes: {both:?}");

    // Every message claimed by exactly one of them, all acked.
    let c = rusqlite::Connection::open(&db).unwrap();
    let in_db: BTreeSet<String> = c
        .prepare("SELECT message_id FROM outbox WHERE status = 'acked'")
        .unwrap()
        .query_map([], |r| r.get(0))
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap();
    let claimed: BTreeSet<String> = a_claimed.union(&b_claimed).map(|s| (*s).clone()).collect();
    assert_eq!(claimed, in_db, "claimed vs acked messages");
    let dump = logical_dump(&c);
    drop(c);

    // The same file as one process doing all the work alone.
    let ref_db = dir.path().join("reference.db");
    let reference = Engine::open(&ref_db).unwrap();
    setup(&reference);
    for location in ["paris", "seoul"] {
        for n in 0..NIGHTS {
            reference
                .sync(&night_batch(location, n), sync_at(location, n))
                .unwrap();
        }
    }
    loop {
        let msgs = reference.claim(50, drain_at()).unwrap();
        if msgs.is_empty() {
            break;
        }
        for m in &msgs {
            reference.ack(&m.message_id, drain_at()).unwrap();
        }
    }
    let shared = Engine::open(&db).unwrap();
    assert_eq!(
        shared.outbox_counts().unwrap(),
        reference.outbox_counts().unwrap()
    );
    assert!(shared.pending_invitations().unwrap().is_empty());
    drop(reference);
    let want = logical_dump(&rusqlite::Connection::open(&ref_db).unwrap());
    if dump != want {
        let missing: Vec<_> = want.iter().filter(|r| !dump.contains(r)).collect();
        let extra: Vec<_> = dump.iter().filter(|r| !want.contains(r)).collect();
        panic!("the shared file differs\nmissing: {missing:#?}\nextra: {extra:#?}");
    }
    let invitations = want.iter().filter(|r| r.contains("\"invitation\"")).count();

    eprintln!(
        "two writers: Paris {} writes ({} claimed) in {:.2} s, Seoul {} writes ({} claimed) \
         in {:.2} s; {a_inside} Paris writes inside Seoul's span, {b_inside} Seoul writes \
         inside Paris's, {switches} switches between writers, {concurrent} writes concurrent with one of the \
         other process; {invitations} invitations; \
         {:.1} s",
        writes(&a),
        a.claimed.len(),
        took[0].as_secs_f64(),
        writes(&b),
        b.claimed.len(),
        took[1].as_secs_f64(),
        t0.elapsed().as_secs_f64()
    );
    assert!(
        a_inside >= 10 && b_inside >= 10 && switches >= 10,
        "the two processes hardly overlapped: {a_inside}, {b_inside}, {switches} switches"
    );
}
