//! A store's age: one 500-sale night (and the morning that drains it) on a store one
//! month old against the same night on a store three years old (docs/benchmarks.md).
//!
//! `cargo bench --bench history`: 1,095 nights over 5,000 customers, 500 sales a night, the
//! outbox drained and 30 % of invitations answered by one click every morning
//! (`benches/scenarios/history.rs`). The history is built once through the public API and
//! cached as `target/bench-history-v<schema>-r<revision>-<nights>.db` (with the month-old
//! copy beside it); each measurement copies it, opens it, runs one night and morning to
//! warm the engine, folds the WAL back, then times the next night and its morning.
//! `HEARKEN_BENCH_QUICK=1`: 120 nights (the "old" store is four months old).
//! Beside each night's time it prints the read and write system calls the night made
//! (Linux): SQLite's page cache misses and its journal and file writes, which callgrind
//! does not count.
//! `HEARKEN_BENCH_ONLY=young|old`: measure one store once (for callgrind:
//! `--toggle-collect='history::timed_night'`), with WAL or, with
//! `HEARKEN_BENCH_JOURNAL=rollback`, a rollback journal.
//! `HEARKEN_BENCH_ONLY=pages-young|pages-old`: keeps the WAL frames of one timed night (a
//! reader holds a snapshot from before it, so no checkpoint moves them) and prints where
//! the store and its WAL are, with the WAL's size before the night: `scripts/wal-pages.py`
//! then names the b-tree of each page the night wrote.
//! `HEARKEN_BENCH_ONLY=backfill`: the same nights written as a backfill file
//! (`target/bench-history-r<revision>-<nights>.jsonl`, one batch per line) and imported by
//! the release CLI, as a user would (`hearken backfill FILE`), into a fresh store; prints
//! the wall time against the target (10 s).

#[path = "scenarios/history.rs"]
mod history;

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use hearken::{Engine, EngineOptions, JournalMode};
use history::History;

/// Bump when the scenario changes, so a stale cached history is not reused.
const REVISION: u32 = 2;
/// The young store: a month of history.
const YOUNG_NIGHTS: u32 = 30;
const RUNS: usize = 7;

/// Builds (or reuses) the histories: `(young, old)` template paths.
fn templates(h: &History, nights: u32) -> (PathBuf, PathBuf) {
    let target = Path::new(env!("CARGO_MANIFEST_DIR")).join("target");
    std::fs::create_dir_all(&target).unwrap();
    let name = |n: u32| {
        target.join(format!(
            "bench-history-v{}-r{REVISION}-{n}.db",
            hearken::SCHEMA_VERSION
        ))
    };
    let (young, old) = (name(YOUNG_NIGHTS), name(nights));
    if young.exists() && old.exists() {
        return (young, old);
    }
    let building = target.join("bench-history-building.db");
    for suffix in ["", "-wal", "-shm"] {
        let _ = std::fs::remove_file(format!("{}{suffix}", building.display()));
    }
    println!("history bench: building {nights} nights (cached for later runs)…");
    let start = Instant::now();
    let e = Engine::open(&building).unwrap();
    history::set_up(&e);
    for night in 0..nights {
        if night == YOUNG_NIGHTS {
            e.backup(&young).unwrap();
        }
        history::sync_night(&e, h, night);
        history::morning(&e, h, night);
        if night % 100 == 99 {
            println!(
                "  {} nights in {:.0} s",
                night + 1,
                start.elapsed().as_secs_f64()
            );
        }
    }
    e.close().unwrap();
    std::fs::rename(&building, &old).unwrap();
    println!("built in {:.1} s", start.elapsed().as_secs_f64());
    (young, old)
}

/// The timed night: its own function, so callgrind can count it alone
/// (`--toggle-collect='history::timed_night'`). Also returns the read and write calls the
/// thread made meanwhile (see [`IoCalls`]).
#[inline(never)]
fn timed_night(e: &Engine, h: &History, night: u32) -> (Duration, Option<IoCalls>) {
    let batch = history::batch(h, night);
    let before = IoCalls::now();
    let start = Instant::now();
    let report = e.sync(&batch, history::night_at(night)).unwrap();
    let elapsed = start.elapsed();
    let calls = before.zip(IoCalls::now()).map(|(b, a)| IoCalls {
        reads: a.reads - b.reads,
        writes: a.writes - b.writes,
    });
    assert_eq!(
        report.invitations.len() + report.skipped.len(),
        h.sales_per_night
    );
    (elapsed, calls)
}

/// The read and write system calls of this thread so far (`syscr`, `syscw` of Linux's
/// `/proc/thread-self/io`; `None` elsewhere). SQLite reads a page it does not hold in its
/// cache with one `pread` and writes a WAL frame with two `pwrite`s (header, page): what
/// a night costs the kernel, which callgrind does not see.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
struct IoCalls {
    reads: u64,
    writes: u64,
}

impl IoCalls {
    fn now() -> Option<IoCalls> {
        let text = std::fs::read_to_string("/proc/thread-self/io").ok()?;
        let field = |name: &str| {
            text.lines()
                .find_map(|l| l.strip_prefix(name)?.trim().parse::<u64>().ok())
        };
        Some(IoCalls {
            reads: field("syscr:")?,
            writes: field("syscw:")?,
        })
    }
}

/// The timed morning (`--toggle-collect='history::timed_morning'`).
#[inline(never)]
fn timed_morning(e: &Engine, h: &History, night: u32) -> Duration {
    let start = Instant::now();
    history::morning(e, h, night);
    start.elapsed()
}

/// One measurement on a fresh copy of `template` whose history ends before night `night`:
/// night `night` and its morning run first on the open engine (as a host's engine stays
/// open: statements prepared, pages cached), then night `night + 1` and its morning are
/// timed.
fn measure(
    template: &Path,
    h: &History,
    night: u32,
    journal: JournalMode,
) -> (Duration, Duration, Option<IoCalls>) {
    let dir = tempfile::tempdir_in(template.parent().unwrap()).unwrap();
    let path = dir.path().join("store.db");
    std::fs::copy(template, &path).unwrap();
    // The copy's pages are written back now, not by the first checkpoint's fsync inside
    // the timed night (which then waited for the whole store to reach the disk).
    std::fs::File::open(&path).unwrap().sync_all().unwrap();
    // The templates' modes differ (the month-old one is a backup's copy, in rollback): each
    // copy is put in the mode measured, so both stores are timed in the same mode.
    Engine::convert_journal(&path, journal).unwrap();
    let options = EngineOptions {
        journal,
        ..EngineOptions::default()
    };
    let e = Engine::open_with(&path, &options).unwrap();
    history::sync_night(&e, h, night);
    history::morning(&e, h, night);
    fold_wal(&path);
    let (sync, calls) = timed_night(&e, h, night + 1);
    let morning = timed_morning(&e, h, night + 1);
    e.close().unwrap();
    (sync, morning, calls)
}

/// Folds the WAL back into the store from a second connection (the engine is idle, so
/// nothing holds it), so every timed night and morning starts from an empty WAL: SQLite
/// checkpoints on its own once the WAL passes 1,000 pages, and whether that fell inside
/// the timed pair depended on how many pages the warm-up pair happened to write (a
/// checkpoint writes every page back and makes two `fsync`s: ~10 ms on this machine, as
/// much as the whole morning). `PASSIVE`: the engine's next write starts the WAL over
/// and its page cache stays valid (a `TRUNCATE` from another connection drops every page
/// the warm-up cached). Nothing in a rollback-journal store.
fn fold_wal(path: &Path) {
    rusqlite::Connection::open(path)
        .unwrap()
        .query_row("PRAGMA wal_checkpoint(PASSIVE)", [], |_| Ok(()))
        .unwrap();
}

/// [`measure`]'s night `night + 1` on a copy in `target/bench-pages/`, its WAL frames kept
/// by a reader's snapshot from before it; prints the paths and the WAL offset it began at.
fn keep_night_pages(template: &Path, h: &History, night: u32) {
    let dir = template.parent().unwrap().join("bench-pages");
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("store.db");
    std::fs::copy(template, &path).unwrap();
    Engine::convert_journal(&path, JournalMode::Wal).unwrap();
    let e = Engine::open(&path).unwrap();
    history::sync_night(&e, h, night);
    history::morning(&e, h, night);
    let reader = rusqlite::Connection::open(&path).unwrap();
    reader
        .execute_batch("BEGIN; SELECT count(*) FROM sqlite_schema;")
        .unwrap();
    let wal = dir.join("store.db-wal");
    let before = std::fs::metadata(&wal).map(|m| m.len()).unwrap_or(0);
    timed_night(&e, h, night + 1);
    let after = std::fs::metadata(&wal).unwrap().len();
    std::fs::copy(&wal, dir.join("night.wal")).unwrap();
    println!(
        "store {} wal {} night frames from byte {before} to {after}",
        path.display(),
        dir.join("night.wal").display()
    );
    drop(reader);
    e.close().unwrap();
}

/// Writes (or reuses) the backfill file of `nights` nights: one batch per line.
fn backfill_file(h: &History, nights: u32) -> PathBuf {
    let target = Path::new(env!("CARGO_MANIFEST_DIR")).join("target");
    std::fs::create_dir_all(&target).unwrap();
    let path = target.join(format!("bench-history-r{REVISION}-{nights}.jsonl"));
    if path.exists() {
        return path;
    }
    let building = target.join("bench-history-building.jsonl");
    let mut out = std::io::BufWriter::new(std::fs::File::create(&building).unwrap());
    for night in 0..nights {
        let line = hearken::wire::to_json(&history::batch(h, night));
        writeln!(out, "{line}").unwrap();
    }
    out.into_inner().unwrap().sync_all().unwrap();
    std::fs::rename(&building, &path).unwrap();
    path
}

/// Times `hearken backfill FILE` (the release CLI) on a fresh store holding only the shop.
fn measure_backfill(file: &Path, nights: u32, journal: JournalMode) -> Duration {
    let dir = tempfile::tempdir_in(file.parent().unwrap()).unwrap();
    let db = dir.path().join("store.db");
    let options = EngineOptions {
        journal,
        ..EngineOptions::default()
    };
    let e = Engine::open_with(&db, &options).unwrap();
    history::set_up(&e);
    e.close().unwrap();
    // The morning after the last night: every line's dates are in the past.
    let now = history::morning_at(nights - 1).to_rfc3339();
    let start = Instant::now();
    let status = Command::new(env!("CARGO_BIN_EXE_hearken"))
        .arg("--db")
        .arg(&db)
        .arg("--now")
        .arg(&now)
        .arg("backfill")
        .arg(file)
        .stdout(Stdio::null())
        .status()
        .unwrap();
    let elapsed = start.elapsed();
    assert!(status.success(), "hearken backfill: {status}");
    elapsed
}

fn median(mut v: Vec<Duration>) -> Duration {
    v.sort();
    v[v.len() / 2]
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1e3
}

fn main() {
    if std::env::args().any(|a| a == "--list") {
        return;
    }
    let quick = std::env::var_os("HEARKEN_BENCH_QUICK").is_some();
    let nights = if quick { 120 } else { 1_095 };
    let h = History::ISSUE;
    let only = std::env::var("HEARKEN_BENCH_ONLY").ok();
    if only.as_deref() == Some("backfill") {
        let file = backfill_file(&h, nights);
        for journal in [JournalMode::Wal, JournalMode::Rollback] {
            let d = measure_backfill(&file, nights, journal);
            println!(
                "{journal:?}: hearken backfill of {nights} nights ({} sales) {:.2} s (target <= 10 s)",
                nights as usize * h.sales_per_night,
                d.as_secs_f64()
            );
        }
        return;
    }
    let (young, old) = templates(&h, nights);
    if let Some(which) = only.as_deref().and_then(|o| o.strip_prefix("pages-")) {
        let (t, n) = if which == "young" {
            (&young, YOUNG_NIGHTS)
        } else {
            (&old, nights)
        };
        keep_night_pages(t, &h, n);
        return;
    }
    if let Some(which) = only {
        let (t, n) = if which == "young" {
            (&young, YOUNG_NIGHTS)
        } else {
            (&old, nights)
        };
        let journal = match std::env::var("HEARKEN_BENCH_JOURNAL").as_deref() {
            Ok("rollback") => JournalMode::Rollback,
            _ => JournalMode::Wal,
        };
        let (s, m, calls) = measure(t, &h, n, journal);
        println!(
            "{which} ({journal:?}): night {:.2} ms, morning {:.2} ms; night's I/O calls {calls:?}",
            ms(s),
            ms(m)
        );
        return;
    }
    // The timed night (the one after `n`) writes its sales into the current 30-day period
    // of `transactions_customer_period`, ordered by customer there: late in a period the
    // slice is fuller and a night dirties more of its pages (docs/benchmarks.md).
    let day_in_period = |n: u32| {
        let epoch = chrono::NaiveDate::from_ymd_opt(1970, 1, 1).expect("a date");
        (history::date_of(n + 1) - epoch).num_days().rem_euclid(30)
    };
    println!(
        "timed nights: {} young, {} old; day {} and day {} of their 30-day sales period",
        history::date_of(YOUNG_NIGHTS + 1),
        history::date_of(nights + 1),
        day_in_period(YOUNG_NIGHTS),
        day_in_period(nights)
    );
    for journal in [JournalMode::Wal, JournalMode::Rollback] {
        let mut runs = [Vec::new(), Vec::new(), Vec::new(), Vec::new()];
        let mut calls = [Vec::new(), Vec::new()];
        for run in 0..RUNS {
            // Alternate which store goes first, so cache warmth favours neither.
            let order = if run % 2 == 0 { [0, 1] } else { [1, 0] };
            for which in order {
                let (t, n) = if which == 0 {
                    (&young, YOUNG_NIGHTS)
                } else {
                    (&old, nights)
                };
                let (s, m, c) = measure(t, &h, n, journal);
                runs[which * 2].push(s);
                runs[which * 2 + 1].push(m);
                calls[which].extend(c);
            }
        }
        let [ys, ym, os, om] = runs.map(median);
        println!(
            "{journal:?}: 500-sale night after {} nights {:.2} ms, after {} nights {:.2} ms \
             (target <= 15 ms); growth x{:.2} (target <= 1.2)",
            YOUNG_NIGHTS + 1,
            ms(ys),
            nights + 1,
            ms(os),
            os.as_secs_f64() / ys.as_secs_f64()
        );
        if let [Some(y), Some(o)] = calls.map(|mut c| {
            c.sort();
            c.get(c.len() / 2).copied()
        }) {
            println!(
                "{journal:?}: the night's read / write calls (page cache misses, journal and \
                 file writes) {} / {} young, {} / {} old",
                y.reads, y.writes, o.reads, o.writes
            );
        }
        println!(
            "{journal:?}: its morning (claim, render, ack_many, clicks) {:.2} ms young, {:.2} ms old; growth x{:.2}",
            ms(ym),
            ms(om),
            om.as_secs_f64() / ym.as_secs_f64()
        );
    }
}
