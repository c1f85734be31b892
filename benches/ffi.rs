//! FFI overhead: the same 100k-transaction nightly sync through the C door
//! (`hk_engine_sync`, JSON in, JSON out) and through the Rust call (`Engine::sync_json`),
//! in one run, on fresh file databases. Target: the C door at ≥ 0.9× the Rust rate.
//!
//! `cargo bench --bench ffi` (HK_BENCH_TRANSACTIONS, HK_BENCH_ROUNDS to change the size).

use std::ffi::{CString, c_char};
use std::fmt::Write as _;
use std::time::{Duration, Instant};

use chrono::DateTime;
use hearken::ffi::{
    HK_JOURNAL_WAL, HK_OK, hk_engine, hk_engine_free, hk_engine_open, hk_engine_sync,
    hk_engine_upsert_location, hk_string_free,
};
use hearken::{Engine, Location, SyncReport};

const LOCATION: &str = r#"{"id":"bench","name":"Bench store","time_zone":"Europe/Paris"}"#;
/// 2026-11-20T22:00:00Z: 23:00 in Paris, the night of the batch's business date.
const NOW_MS: i64 = 1_795_212_000_000;

fn env_or(name: &str, default: usize) -> usize {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

/// One night of a busy store: `n` finalized sales by `n / 4` customers and 10 employees.
fn batch_json(n: usize) -> String {
    let customers = (n / 4).max(1);
    let mut s = String::with_capacity(n * 220);
    s.push_str(r#"{"format":1,"location":"bench","business_dates":["2026-11-20"],"customers":["#);
    for c in 0..customers {
        if c > 0 {
            s.push(',');
        }
        let _ = write!(
            s,
            r#"{{"id":"c{c}","name":"Customer {c}","email":"customer{c}@example.com","include_in_communications":{}}}"#,
            c % 10 != 0
        );
    }
    s.push_str(r#"],"employees":["#);
    for e in 0..10 {
        if e > 0 {
            s.push(',');
        }
        let _ = write!(
            s,
            r#"{{"id":"e{e}","name":"Employee {e}","role":"salesperson"}}"#
        );
    }
    s.push_str(r#"],"transactions":["#);
    for t in 0..n {
        if t > 0 {
            s.push(',');
        }
        let (hour, minute, second) = (8 + (t / 3600) % 12, (t / 60) % 60, t % 60);
        let _ = write!(
            s,
            r#"{{"id":"t{t}","customer":"c{}","employees":["e{}"],"kind":"sale","amount_minor":{},"currency":"EUR","finalized_at":"2026-11-20T{hour:02}:{minute:02}:{second:02}+01:00"}}"#,
            t % customers,
            t % 10,
            100 + t % 9000
        );
    }
    s.push_str("]}");
    s
}

fn rust_round(dir: &std::path::Path, round: usize, json: &str) -> (Duration, SyncReport) {
    let engine = Engine::open(dir.join(format!("rust{round}.db"))).unwrap();
    let location: Location = serde_json::from_str(LOCATION).unwrap();
    engine.upsert_location(&location).unwrap();
    let now = DateTime::from_timestamp_millis(NOW_MS).unwrap();
    let start = Instant::now();
    let report = engine.sync_json(json, now).unwrap();
    let elapsed = start.elapsed();
    assert!(!report.invitations.is_empty());
    (elapsed, report)
}

/// What the C door adds to the Rust call, without the database: checking the batch's
/// UTF-8, writing the report as JSON and copying it into a C string.
fn door_work(c_json: &CString, report: &SyncReport) -> Duration {
    let start = Instant::now();
    let batch = c_json.as_c_str().to_str().unwrap();
    let out = CString::new(hearken::wire::to_json(report)).unwrap();
    let elapsed = start.elapsed();
    assert!(!batch.is_empty() && !out.is_empty());
    elapsed
}

fn c_round(dir: &std::path::Path, round: usize, json: &CString) -> Duration {
    let path = CString::new(dir.join(format!("c{round}.db")).to_str().unwrap()).unwrap();
    let location = CString::new(LOCATION).unwrap();
    let mut engine: *mut hk_engine = std::ptr::null_mut();
    let mut report: *mut c_char = std::ptr::null_mut();
    // SAFETY: valid C strings and writable out-parameters, as the header requires.
    unsafe {
        let rc = hk_engine_open(
            path.as_ptr(),
            HK_JOURNAL_WAL,
            0,
            &mut engine,
            std::ptr::null_mut(),
        );
        assert_eq!(rc, HK_OK);
        assert_eq!(hk_engine_upsert_location(engine, location.as_ptr()), HK_OK);
        let start = Instant::now();
        let rc = hk_engine_sync(engine, json.as_ptr(), NOW_MS, &mut report);
        let elapsed = start.elapsed();
        assert_eq!(rc, HK_OK);
        assert!(!report.is_null());
        hk_string_free(report);
        hk_engine_free(&mut engine);
        elapsed
    }
}

fn median(mut v: Vec<Duration>) -> Duration {
    v.sort();
    v[v.len() / 2]
}

fn main() {
    // `cargo test --benches` runs bench targets with no arguments of its own; keep it quick.
    let quick = std::env::args().any(|a| a == "--test");
    let n = if quick {
        1_000
    } else {
        env_or("HK_BENCH_TRANSACTIONS", 100_000)
    };
    let rounds = if quick {
        1
    } else {
        env_or("HK_BENCH_ROUNDS", 4)
    };
    let json = batch_json(n);
    let c_json = CString::new(json.clone()).unwrap();
    let dir = tempfile::tempdir().unwrap();
    println!(
        "ffi: sync of {n} transactions ({:.1} MB of JSON), {rounds} rounds each, order alternating",
        json.len() as f64 / 1e6
    );

    // Alternate which door goes first, so neither always runs on a warmer machine.
    let (mut rust, mut c, mut report) = (Vec::new(), Vec::new(), None);
    for round in 0..rounds {
        if round % 2 == 1 {
            c.push(c_round(dir.path(), round, &c_json));
        }
        let (elapsed, r) = rust_round(dir.path(), round, &json);
        rust.push(elapsed);
        report = Some(r);
        if round % 2 == 0 {
            c.push(c_round(dir.path(), round, &c_json));
        }
        println!(
            "  round {round}: rust {:.1} ms, c {:.1} ms",
            rust[round].as_secs_f64() * 1e3,
            c[round].as_secs_f64() * 1e3
        );
    }
    let (rust, c) = (median(rust), median(c));
    let rate = |d: Duration| n as f64 / d.as_secs_f64();
    println!(
        "rust  Engine::sync_json  median {:>9.1} ms  {:>9.0} tx/s",
        rust.as_secs_f64() * 1e3,
        rate(rust)
    );
    println!(
        "c     hk_engine_sync     median {:>9.1} ms  {:>9.0} tx/s",
        c.as_secs_f64() * 1e3,
        rate(c)
    );
    let report = report.expect("at least one round");
    let door = (0..5).map(|_| door_work(&c_json, &report)).min().unwrap();
    println!(
        "door work alone (UTF-8 check, report to JSON, copy): {:.1} ms = {:.2}% of the Rust call",
        door.as_secs_f64() * 1e3,
        100.0 * door.as_secs_f64() / rust.as_secs_f64()
    );
    let ratio = rate(c) / rate(rust);
    println!(
        "ratio C/Rust rate: {ratio:.3} (target >= 0.9){}",
        if ratio >= 0.9 { "" } else { "  BELOW TARGET" }
    );
}
