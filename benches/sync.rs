//! Nightly-sync benchmark: `Engine::sync` against hand-written rusqlite upserts of the
//! same rows, on copies of one template database (see docs/benchmarks.md).
//!
//! `harness = false`: each timed sync runs once on a fresh copy, because a second sync of
//! the same batch would only time the idempotent no-op path (E8).
//!
//! `cargo bench --bench sync`; `HEARKEN_BENCH_QUICK=1` for a small smoke run;
//! `HEARKEN_BENCH_ONLY=hearken` times hearken's sync alone, `HEARKEN_BENCH_ONLY=same-rows`
//! the raw path writing exactly its rows alone, `HEARKEN_BENCH_ONLY=policy` the policy
//! night alone (for `perf record`).

use std::alloc::{GlobalAlloc, Layout, System};
use std::collections::HashMap;
use std::error::Error;
use std::fs;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use chrono::{DateTime, FixedOffset, NaiveDate, TimeDelta, TimeZone, Utc};
use chrono_tz::Europe::Paris;
use hearken::rules::contact::{normalize_email, normalize_phone};
use hearken::{
    Customer, Employee, Engine, EngineOptions, Gender, JournalMode, Location, ReportDetail, Role,
    Settings, SyncBatch, SyncOptions, Transaction, TransactionKind,
};
use rusqlite::{Connection, OptionalExtension, TransactionBehavior, params};

#[path = "sync/policy.rs"]
mod policy;
#[path = "sync/same_rows.rs"]
mod same_rows;

type BenchResult<T> = Result<T, Box<dyn Error>>;

const LOCATION: &str = "paris-01";
const COUNTRY_CODE: u32 = 33;
const EMPLOYEES: usize = 50;
const RUNS: usize = 3;
/// Bump when the template's contents change, so a stale cached file is not reused.
const TEMPLATE_REVISION: u32 = 1;

/// How big the template and the batch are.
struct Scale {
    template_customers: u64,
    batch_customers: u64,
    transactions: u64,
}

impl Scale {
    fn from_env() -> (Scale, bool) {
        let quick = std::env::var("HEARKEN_BENCH_QUICK").is_ok_and(|v| v == "1");
        let scale = if quick {
            Scale {
                template_customers: 10_000,
                batch_customers: 5_000,
                transactions: 10_000,
            }
        } else {
            Scale {
                template_customers: 1_000_000,
                batch_customers: 50_000,
                transactions: 100_000,
            }
        };
        (scale, quick)
    }
}

fn main() {
    // The memory child (see `memory_in_child`): one sync in a fresh process.
    if let Ok(detail) = std::env::var(MEMORY_CHILD) {
        if let Err(e) = memory_child(&detail) {
            eprintln!("memory child failed: {e}");
            std::process::exit(1);
        }
        return;
    }
    if let Err(e) = run() {
        eprintln!("bench failed: {e}");
        std::process::exit(1);
    }
}

fn run() -> BenchResult<()> {
    let (scale, quick) = Scale::from_env();
    let business_date = NaiveDate::from_ymd_opt(2026, 11, 23).ok_or("bad date")?;
    // 23:00 local on the business date: tonight's sync hour in Paris (S1).
    let now = Paris
        .with_ymd_and_hms(2026, 11, 23, 23, 0, 0)
        .single()
        .ok_or("ambiguous local time")?
        .with_timezone(&Utc);

    let target = Path::new(env!("CARGO_MANIFEST_DIR")).join("target");
    let template = target.join(format!(
        "bench-template-v{}-r{TEMPLATE_REVISION}-{}.db",
        hearken::SCHEMA_VERSION,
        scale.template_customers
    ));
    let work = target.join("bench-work");
    fs::create_dir_all(&work)?;

    if template.exists() && schema_of(&template)? == current_schema(&work)? {
        println!("template: reusing {}", template.display());
    } else {
        let started = Instant::now();
        build_template(&template, scale.template_customers)?;
        println!(
            "template: built {} ({} customers) in {:.1} s",
            template.display(),
            scale.template_customers,
            started.elapsed().as_secs_f64()
        );
    }

    if std::env::var("HEARKEN_BENCH_MEMORY_ONLY").is_ok_and(|v| v == "1") {
        return memory_in_child(quick);
    }
    let batch = build_batch(&scale, business_date)?;
    let known = scale.batch_customers / 2;
    println!(
        "batch: {} customers ({} new, {} known), {} employees, {} transactions; \
         location {LOCATION} (Europe/Paris), business date {business_date}, now {now}{}",
        batch.customers.len(),
        scale.batch_customers - known,
        known,
        batch.employees.len(),
        batch.transactions.len(),
        if quick { " [QUICK]" } else { "" }
    );

    if std::env::var("HEARKEN_BENCH_ONLY").is_ok_and(|v| v == "policy") {
        let policy_batch = policy::policy_batch(&batch);
        for run in 1..=RUNS {
            let p = policy::time_policy(&template, &work, &policy_batch, business_date, now, true)?;
            println!(
                "run {run}: policy run {:.3} s (on-CPU {:.3} s)",
                p.wall.as_secs_f64(),
                p.cpu.as_secs_f64()
            );
        }
        return Ok(());
    }
    // One side alone (for `perf record` and `strace`): hearken's sync, or the raw path
    // writing exactly its rows.
    let only = std::env::var("HEARKEN_BENCH_ONLY").unwrap_or_default();
    if only == "hearken" || only == "same-rows" {
        let same = match only.as_str() {
            "same-rows" => Some(same_rows::rows_of_a_sync(&template, &work, &batch, now)?),
            _ => None,
        };
        for run in 1..=RUNS {
            let (label, t) = match &same {
                Some(same) => (
                    "raw same rows",
                    same_rows::time_same_rows(&template, &work, same, false)?,
                ),
                None => ("hearken", time_hearken(&template, &work, &batch, now)?),
            };
            println!(
                "run {run}: {label} {:.3} s (on-CPU {:.3} s) | read / write calls {} / {}",
                t.wall.as_secs_f64(),
                t.cpu.as_secs_f64(),
                t.io.reads,
                t.io.writes
            );
        }
        return Ok(());
    }
    // The rows a sync writes, read once from an untimed sync (issue 26: the raw path that
    // writes exactly those rows).
    let same = same_rows::rows_of_a_sync(&template, &work, &batch, now)?;
    println!("rows one sync writes, per table (the raw same-rows path writes exactly these):");
    same.print_per_sale();
    let mut same_runs = Vec::with_capacity(RUNS);
    let mut rows = Vec::with_capacity(RUNS);
    for run in 1..=RUNS {
        // Alternate the order so page-cache warmth does not favour one side.
        let (h, r) = if run % 2 == 1 {
            let h = time_hearken(&template, &work, &batch, now)?;
            let r = time_raw(&template, &work, &batch, business_date, now)?;
            (h, r)
        } else {
            let r = time_raw(&template, &work, &batch, business_date, now)?;
            let h = time_hearken(&template, &work, &batch, now)?;
            (h, r)
        };
        let ratio = r.wall.as_secs_f64() / h.wall.as_secs_f64();
        let cpu_ratio = r.cpu.as_secs_f64() / h.cpu.as_secs_f64();
        println!(
            "run {run} ({} first): hearken {:.3} s | raw {:.3} s | ratio raw/hearken {ratio:.2} \
             | invitations {}",
            if run % 2 == 1 { "hearken" } else { "raw" },
            h.wall.as_secs_f64(),
            r.wall.as_secs_f64(),
            h.invitations,
        );
        println!(
            "      on-CPU: hearken {:.3} s, raw {:.3} s, ratio {cpu_ratio:.2} | customers created {}, \
             updated {}",
            h.cpu.as_secs_f64(),
            r.cpu.as_secs_f64(),
            h.customers.0,
            h.customers.1,
        );
        println!(
            "      sync memory: peak RSS +{:.1} MB, Rust heap peak +{:.1} MB of which the returned \
             report {:.1} MB | raw path: +{:.1} MB, +{:.1} MB",
            mb(h.memory.rss_peak),
            mb(h.memory.heap_peak),
            mb(h.memory.heap_retained),
            mb(r.memory.rss_peak),
            mb(r.memory.heap_peak),
        );
        let plain = time_raw_with(&template, &work, &batch, business_date, now, false)?;
        println!(
            "      secure_delete cost (raw path): wall {:.3} s with, {:.3} s without, ratio {:.2} \
             | on-CPU {:.3} s with, {:.3} s without, ratio {:.2}",
            r.wall.as_secs_f64(),
            plain.wall.as_secs_f64(),
            r.wall.as_secs_f64() / plain.wall.as_secs_f64(),
            r.cpu.as_secs_f64(),
            plain.cpu.as_secs_f64(),
            r.cpu.as_secs_f64() / plain.cpu.as_secs_f64()
        );
        let s = same_rows::time_same_rows(&template, &work, &same, false)?;
        let checked = same_rows::time_same_rows(&template, &work, &same, true)?;
        println!(
            "      raw path writing exactly hearken's rows: {:.3} s (on-CPU {:.3} s) | ratio \
             same-rows/hearken {:.2} (target >= 0.8), on-CPU {:.2} | the storage limit's ratio \
             (customers and sales only) {ratio:.2}",
            s.wall.as_secs_f64(),
            s.cpu.as_secs_f64(),
            s.wall.as_secs_f64() / h.wall.as_secs_f64(),
            s.cpu.as_secs_f64() / h.cpu.as_secs_f64(),
        );
        println!(
            "      read / write system calls: hearken {} / {}, raw same rows {} / {}",
            h.io.reads, h.io.writes, s.io.reads, s.io.writes
        );
        println!(
            "      the same rows with SQLite's per-row foreign-key checks on (hearken's sync \
             resolves its references itself): {:.3} s (on-CPU {:.3} s), ratio {:.2}",
            checked.wall.as_secs_f64(),
            checked.cpu.as_secs_f64(),
            checked.wall.as_secs_f64() / h.wall.as_secs_f64(),
        );
        same_runs.push(s);
        rows.push((h, r, ratio, cpu_ratio));
    }

    let med = |v: &mut dyn Iterator<Item = f64>| {
        let mut v: Vec<f64> = v.collect();
        v.sort_by(f64::total_cmp);
        v[v.len() / 2]
    };
    println!(
        "median of {RUNS}: hearken {:.3} s | raw {:.3} s | ratio raw/hearken {:.2} (target >= 0.5) \
         | on-CPU ratio {:.2}",
        med(&mut rows.iter().map(|r| r.0.wall.as_secs_f64())),
        med(&mut rows.iter().map(|r| r.1.wall.as_secs_f64())),
        med(&mut rows.iter().map(|r| r.2)),
        med(&mut rows.iter().map(|r| r.3)),
    );
    let same_wall = med(&mut same_runs.iter().map(|s| s.wall.as_secs_f64()));
    let hearken_wall = med(&mut rows.iter().map(|r| r.0.wall.as_secs_f64()));
    println!(
        "median of {RUNS}: hearken {hearken_wall:.3} s (target <= 1.2 s) | raw same rows \
         {same_wall:.3} s | ratio same-rows/hearken {:.2} (target >= 0.8) | on-CPU ratio {:.2}",
        same_wall / hearken_wall,
        med(&mut same_runs.iter().map(|s| s.cpu.as_secs_f64()))
            / med(&mut rows.iter().map(|r| r.0.cpu.as_secs_f64())),
    );
    println!(
        "median sync memory: peak RSS +{:.1} MB, Rust heap peak +{:.1} MB (target < 64 MB), \
         returned report {:.1} MB",
        med(&mut rows.iter().map(|r| mb(r.0.memory.rss_peak))),
        med(&mut rows.iter().map(|r| mb(r.0.memory.heap_peak))),
        med(&mut rows.iter().map(|r| mb(r.0.memory.heap_retained))),
    );
    // The same night with every contact-policy rule on (P1–P7): it must cost under 20 %
    // of the sync. Each policy run is paired with a default run beside it (alternating
    // which goes first), and the ratio is the median of the pairs' ratios: the machine's
    // speed moves by up to a fifth within minutes, so default runs timed minutes earlier
    // made the ratio move by as much.
    let policy_batch = policy::policy_batch(&batch);
    let paired = |run: usize, relationship: bool| -> BenchResult<(policy::PolicyTimed, Timed)> {
        let policy_run = || {
            policy::time_policy(
                &template,
                &work,
                &policy_batch,
                business_date,
                now,
                relationship,
            )
        };
        Ok(if run % 2 == 1 {
            let p = policy_run()?;
            (p, time_hearken(&template, &work, &batch, now)?)
        } else {
            let d = time_hearken(&template, &work, &batch, now)?;
            (policy_run()?, d)
        })
    };
    let mut policy_rows = Vec::with_capacity(RUNS);
    for run in 1..=RUNS {
        let (p, d) = paired(run, true)?;
        let share = |n: usize| 100.0 * n as f64 / p.sales as f64;
        let skips: Vec<String> = p
            .skipped
            .iter()
            .filter(|(_, n)| **n > 0)
            .map(|(r, n)| format!("{r} {:.1} %", share(*n)))
            .collect();
        println!(
            "policy run {run}: hearken {:.3} s (on-CPU {:.3} s) beside a default run of {:.3} s \
             (on-CPU {:.3} s): ratio {:.2} | {} sales, {} invited, {} relationship surveys | \
             skipped: {}",
            p.wall.as_secs_f64(),
            p.cpu.as_secs_f64(),
            d.wall.as_secs_f64(),
            d.cpu.as_secs_f64(),
            p.wall.as_secs_f64() / d.wall.as_secs_f64(),
            p.sales,
            p.invitations,
            p.relationship,
            skips.join(", ")
        );
        policy_rows.push((p, d));
    }
    let ratios = |pairs: &[(policy::PolicyTimed, Timed)],
                  med: &dyn Fn(&mut dyn Iterator<Item = f64>) -> f64| {
        (
            med(&mut pairs.iter().map(|(p, _)| p.wall.as_secs_f64())),
            med(&mut pairs
                .iter()
                .map(|(p, d)| p.wall.as_secs_f64() / d.wall.as_secs_f64())),
            med(&mut pairs
                .iter()
                .map(|(p, d)| p.cpu.as_secs_f64() / d.cpu.as_secs_f64())),
        )
    };
    let (policy_wall, ratio, cpu_ratio) = ratios(&policy_rows, &med);
    println!(
        "median policy run: {policy_wall:.3} s; median of the paired ratios policy/default \
         {ratio:.2} (target <= 1.20) | on-CPU {cpu_ratio:.2} (the policy batch also carries {} \
         refunds, and the first night of relationship surveys writes an invitation or a \
         decision for each active customer)",
        policy_batch.transactions.len() - batch.transactions.len(),
    );
    // The same without P7, whose first night is a one-off: what P1–P6 cost every night.
    let mut without = Vec::with_capacity(RUNS);
    for run in 1..=RUNS {
        without.push(paired(run, false)?);
    }
    let (wall, ratio, cpu_ratio) = ratios(&without, &med);
    println!(
        "median policy run without the relationship survey (P1-P6): {wall:.3} s; median of \
         the paired ratios policy/default {ratio:.2} (target <= 1.20) | on-CPU {cpu_ratio:.2}",
    );
    println!("memory method: {}", rows[0].0.memory.method);
    memory_in_child(quick)?;
    println!(
        "on-CPU = the calling thread's run time from /proc/thread-self/schedstat (SQLite runs \
         on it); wall minus on-CPU is I/O wait and time spent queued behind other processes"
    );
    Ok(())
}

/// Set (to `full` or `counts`) in the child that measures one sync's memory.
const MEMORY_CHILD: &str = "HEARKEN_BENCH_MEMORY_CHILD";

/// The sync's memory measured in a fresh child process per report kind: this process has
/// built the batch and run earlier syncs, whose freed memory would blur the figures.
fn memory_in_child(quick: bool) -> BenchResult<()> {
    let exe = std::env::current_exe()?;
    for (detail, target) in [("full", 48.0), ("counts", 32.0)] {
        let out = std::process::Command::new(&exe)
            .env(MEMORY_CHILD, detail)
            .output()?;
        if !out.status.success() {
            return Err(format!(
                "memory child ({detail}) failed: {}",
                String::from_utf8_lossy(&out.stderr)
            )
            .into());
        }
        let line = String::from_utf8_lossy(&out.stdout);
        let figures: Vec<f64> = line
            .split_whitespace()
            .map(str::parse)
            .collect::<Result<_, _>>()
            .map_err(|e| format!("memory child printed {line:?}: {e}"))?;
        let [rss, heap, retained, invitations] = figures[..] else {
            return Err(format!("memory child printed {line:?}").into());
        };
        println!(
            "sync memory in a child process, {detail} report: peak RSS +{rss:.1} MB (target < \
             {target} MB{}: {}), Rust heap peak +{heap:.1} MB, returned report {retained:.1} MB, \
             {invitations} invitations",
            if quick { " at full size" } else { "" },
            if rss < target { "met" } else { "NOT met" },
        );
    }
    Ok(())
}

/// The child: a fresh copy of the template, the batch, then one probed `sync_with`.
/// Prints `rss_mb heap_mb retained_mb invitations`.
fn memory_child(detail: &str) -> BenchResult<()> {
    let (scale, _) = Scale::from_env();
    let business_date = NaiveDate::from_ymd_opt(2026, 11, 23).ok_or("bad date")?;
    let now = Paris
        .with_ymd_and_hms(2026, 11, 23, 23, 0, 0)
        .single()
        .ok_or("ambiguous local time")?
        .with_timezone(&Utc);
    let target = Path::new(env!("CARGO_MANIFEST_DIR")).join("target");
    let template = target.join(format!(
        "bench-template-v{}-r{TEMPLATE_REVISION}-{}.db",
        hearken::SCHEMA_VERSION,
        scale.template_customers
    ));
    let work = target.join("bench-work");
    let options = SyncOptions {
        report: match detail {
            "full" => ReportDetail::Full,
            "counts" => ReportDetail::Counts,
            other => return Err(format!("unknown report detail {other}").into()),
        },
    };
    let batch = build_batch(&scale, business_date)?;
    let db = fresh_copy(&template, &work, &format!("memory-{detail}"))?;
    let engine = Engine::open(&db)?;
    let probe = MemoryProbe::start();
    let report = engine.sync_with(&batch, now, &options)?;
    let memory = probe.finish();
    let invitations = report.counted().invitations;
    drop(report);
    drop(engine);
    remove_db(&db);
    println!(
        "{:.1} {:.1} {:.1} {invitations}",
        mb(memory.rss_peak),
        mb(memory.heap_peak),
        mb(memory.heap_retained)
    );
    Ok(())
}

fn mb(bytes: usize) -> f64 {
    bytes as f64 / (1024.0 * 1024.0)
}

// ---------------------------------------------------------------------------------------
// Template database

/// Creates the template: hearken's schema, settings and location, then the customers
/// bulk-inserted with one prepared statement in one transaction. Written to a temporary
/// name and renamed, so an interrupted build never leaves a half-filled cache.
fn build_template(path: &Path, customers: u64) -> BenchResult<()> {
    let tmp = path.with_extension("db.tmp");
    remove_db(&tmp);
    {
        let engine = Engine::open_with(
            &tmp,
            &EngineOptions {
                journal: JournalMode::Rollback,
                ..EngineOptions::default()
            },
        )?;
        engine.set_settings(&settings())?;
        engine.upsert_location(&Location::new(LOCATION, "Boutique Paris", "Europe/Paris"))?;
    }
    let mut conn = Connection::open(&tmp)?;
    conn.pragma_update(None, "synchronous", "OFF")?;
    conn.pragma_update(None, "cache_size", -65_536)?;
    let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
    {
        let mut insert = tx.prepare(
            "INSERT INTO customers (id, host_id, name, email, email_norm, phone, phone_norm,
               language, gender, reference, include_in_communications, created_at, updated_at)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?12)",
        )?;
        // Customers created over the past two years.
        let since_ms = Utc
            .with_ymd_and_hms(2024, 11, 1, 8, 0, 0)
            .single()
            .ok_or("bad date")?
            .timestamp_millis();
        for n in 0..customers {
            let c = customer(n, false);
            let created_ms = since_ms + (n as i64 * 37_000) % (730 * 86_400_000);
            insert.execute(params![
                n as i64 + 1,
                c.id,
                c.name,
                c.email,
                c.email.as_deref().and_then(normalize_email),
                c.phone,
                c.phone
                    .as_deref()
                    .and_then(|p| normalize_phone(p, COUNTRY_CODE)),
                c.language,
                c.gender.map(Gender::as_str),
                c.reference,
                c.include_in_communications,
                created_ms
            ])?;
        }
    }
    tx.commit()?;
    conn.pragma_update(None, "journal_mode", "delete")?;
    drop(conn);
    fs::rename(&tmp, path)?;
    Ok(())
}

/// The schema (SQL of every table and index) of a database file, ordered.
fn schema_of(db: &Path) -> BenchResult<Vec<String>> {
    let conn = Connection::open(db)?;
    let version: i64 = conn.pragma_query_value(None, "user_version", |r| r.get(0))?;
    let mut stmt =
        conn.prepare("SELECT coalesce(sql, name) FROM sqlite_schema ORDER BY type, name")?;
    let mut out = vec![format!("user_version {version}")];
    for sql in stmt.query_map([], |r| r.get::<_, String>(0))? {
        out.push(sql?);
    }
    Ok(out)
}

/// The schema this build of hearken creates, to tell whether a cached template is stale
/// (the schema can change within one version while it is being developed).
fn current_schema(work: &Path) -> BenchResult<Vec<String>> {
    let probe = work.join("schema-probe.db");
    remove_db(&probe);
    drop(Engine::open_with(
        &probe,
        &EngineOptions {
            journal: JournalMode::Rollback,
            ..EngineOptions::default()
        },
    )?);
    let schema = schema_of(&probe);
    remove_db(&probe);
    schema
}

/// The store-wide settings of the benchmark store.
fn settings() -> Settings {
    Settings {
        default_country_code: COUNTRY_CODE,
        default_language: "fr".to_owned(),
        ..Settings::default()
    }
}

const FIRST: &[&str] = &[
    "Élise", "Louis", "Camille", "Hugo", "Zoë", "Jules", "Léa", "Noah", "Chloé", "Karim", "Inès",
    "Tom", "Manon", "Yanis", "Sarah", "Lucas",
];
const LAST: &[&str] = &[
    "Martin", "Bernard", "Dubois", "Thomas", "Robert", "Petit", "Durand", "Leroy", "Moreau",
    "Simon", "Laurent", "Lefèvre", "Michel", "Garcia", "N'Diaye", "Nguyen",
];
const DOMAINS: &[&str] = &[
    "example.com",
    "exemple.fr",
    "mail.example.org",
    "Example.NET",
];
const LANGUAGES: &[&str] = &[
    "fr", "fr", "fr", "fr", "en", "de", "es", "it", "fr-CA", "en-GB",
];

/// The customer with number `n`, as the POS knows them; `changed` gives a known customer
/// a new e-mail and language (a realistic share of edits between two nights).
fn customer(n: u64, changed: bool) -> Customer {
    let mut r = Rng(n.wrapping_mul(0x9E37_79B9_7F4A_7C15) ^ 0x00C0_FFEE);
    let first = FIRST[r.below(FIRST.len() as u64) as usize];
    let last = LAST[r.below(LAST.len() as u64) as usize];
    let domain = DOMAINS[r.below(DOMAINS.len() as u64) as usize];
    let ascii = |s: &str| -> String {
        s.chars()
            .filter_map(|c| match c {
                'É' => Some('e'),
                'é' | 'è' | 'ë' => Some('e'),
                '\'' => None,
                c => Some(c.to_ascii_lowercase()),
            })
            .collect()
    };
    let email = match n % 100 {
        // 1 % have no e-mail, 1 % a malformed one (stored flagged unusable, E6).
        3 => None,
        7 => Some(format!("{}(at){}", ascii(first), domain)),
        // Some arrive with capitals and spaces: normalisation must not count as a change.
        11 | 51 => Some(format!(" {first}.{last}{n}@{domain} ")),
        _ if changed => Some(format!(
            "{}.{}{n}@new-{}",
            ascii(first),
            ascii(last),
            "example.com"
        )),
        _ => Some(format!(
            "{}.{}{n}@{}",
            ascii(first),
            ascii(last),
            domain.to_lowercase()
        )),
    };
    let phone = (n % 10 < 7).then(|| {
        let d = 600_000_000 + (n * 7_919) % 100_000_000;
        format!(
            "0{} {:02} {:02} {:02} {:02}",
            d / 100_000_000,
            (d / 1_000_000) % 100,
            (d / 10_000) % 100,
            (d / 100) % 100,
            d % 100
        )
    });
    let language = if changed {
        Some("en".to_owned())
    } else {
        (n % 20 != 5).then(|| LANGUAGES[r.below(LANGUAGES.len() as u64) as usize].to_owned())
    };
    let gender = match r.below(4) {
        0 => None,
        1 => Some(Gender::Male),
        2 => Some(Gender::Female),
        _ => Some(Gender::Other),
    };
    Customer {
        id: format!("C{n:08}"),
        name: Some(format!("{first} {last}")),
        email,
        phone,
        language,
        gender,
        reference: n.is_multiple_of(2).then(|| format!("REF-{n:07}")),
        // 2 % turned "include in communications" off (E2).
        include_in_communications: n % 50 != 17,
    }
}

// ---------------------------------------------------------------------------------------
// Batch

/// Tonight's batch: half new customers, half known ones (one in five with edits), every
/// batch customer with at least one transaction and two on average, 3 % of the rest
/// anonymous, finalized between 09:00 and 20:00 local, 1-2 employees each.
fn build_batch(scale: &Scale, date: NaiveDate) -> BenchResult<SyncBatch> {
    let mut batch = SyncBatch::new(LOCATION, date);
    let known = scale.batch_customers / 2;
    // Known ids spread over the template: k * p mod N is a permutation when gcd(p, N) = 1.
    let stride = 999_983 % scale.template_customers;
    for k in 0..known {
        let n = (k * stride + 12_345) % scale.template_customers;
        batch.customers.push(customer(n, k % 5 == 0));
    }
    for k in known..scale.batch_customers {
        batch
            .customers
            .push(customer(scale.template_customers + k, false));
    }
    for e in 0..EMPLOYEES {
        batch.employees.push(Employee {
            id: format!("E{e:03}"),
            name: Some(format!(
                "{} {}",
                FIRST[e % FIRST.len()],
                LAST[(e * 7) % LAST.len()]
            )),
            role: match e % 10 {
                0..=6 => Role::Salesperson,
                7 | 8 => Role::Technician,
                _ => Role::Driver,
            },
        });
    }
    let mut r = Rng(0x5EED_2026_1123);
    let open = Paris
        .from_local_datetime(&date.and_hms_opt(9, 0, 0).ok_or("bad time")?)
        .single()
        .ok_or("ambiguous local time")?;
    let customers = batch.customers.len() as u64;
    for i in 0..scale.transactions {
        let customer = if i < customers {
            Some(batch.customers[i as usize].id.clone())
        } else if r.below(100) < 3 {
            None
        } else {
            Some(batch.customers[r.below(customers) as usize].id.clone())
        };
        let first = r.below(EMPLOYEES as u64);
        let mut employees = vec![format!("E{first:03}")];
        if r.below(10) < 3 {
            let second = (first + 1 + r.below(EMPLOYEES as u64 - 1)) % EMPLOYEES as u64;
            employees.push(format!("E{second:03}"));
        }
        let finalized: DateTime<FixedOffset> =
            (open + TimeDelta::seconds(r.below(11 * 3600) as i64)).fixed_offset();
        batch.transactions.push(Transaction {
            id: format!("T{}-{i:07}", date.format("%Y%m%d")),
            customer,
            employees,
            kind: match r.below(20) {
                0..=15 => TransactionKind::Sale,
                16..=18 => TransactionKind::Service,
                _ => TransactionKind::Delivery,
            },
            amount_minor: 500 + r.below(60_000) as i64,
            currency: "EUR".to_owned(),
            // 1 % still open at the sync (E1), 1 % excluded by the host (E2).
            finalized_at: (r.below(100) != 0).then_some(finalized),
            exclude: r.below(100) == 0,
            refers_to: None,
        });
    }
    Ok(batch)
}

/// SplitMix64: a small deterministic generator, so every run sees the same batch.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
}

// ---------------------------------------------------------------------------------------
// The two contenders

struct Timed {
    wall: Duration,
    /// Time the calling thread spent on a CPU.
    cpu: Duration,
    invitations: usize,
    /// Customers created and updated, as the sync report counts them.
    customers: (u32, u32),
    memory: Memory,
    /// Read and write system calls made by the timed call.
    io: IoCalls,
}

/// `Engine::sync` on a fresh copy of the template (opened and migrated before the clock).
fn time_hearken(
    template: &Path,
    work: &Path,
    batch: &SyncBatch,
    now: DateTime<Utc>,
) -> BenchResult<Timed> {
    let db = fresh_copy(template, work, "hearken")?;
    let engine = Engine::open(&db)?;
    let probe = MemoryProbe::start();
    let clock = Stopwatch::start();
    let report = engine.sync(batch, now)?;
    let ((wall, cpu), io) = clock.stop_with_io();
    let memory = probe.finish();
    let invitations = report.invitations.len();
    let expected_skips = batch.transactions.len() - invitations;
    if report.skipped.len() != expected_skips || invitations == 0 {
        return Err(format!(
            "sync did not decide every transaction: {invitations} invited, {} skipped",
            report.skipped.len()
        )
        .into());
    }
    let customers = (report.customers_created, report.customers_updated);
    drop(report);
    drop(engine);
    remove_db(&db);
    Ok(Timed {
        wall,
        cpu,
        invitations,
        customers,
        memory,
        io,
    })
}

/// The same rows written the way a vendor would by hand: prepared upserts in one
/// transaction, with the same pragmas as hearken's store, and no eligibility decisions.
fn time_raw(
    template: &Path,
    work: &Path,
    batch: &SyncBatch,
    date: NaiveDate,
    now: DateTime<Utc>,
) -> BenchResult<Timed> {
    time_raw_with(template, work, batch, date, now, true)
}

/// [`time_raw`], with or without `secure_delete` (hearken has it on for good, T2): the
/// difference is what zeroing freed space costs a sync.
fn time_raw_with(
    template: &Path,
    work: &Path,
    batch: &SyncBatch,
    date: NaiveDate,
    now: DateTime<Utc>,
    secure_delete: bool,
) -> BenchResult<Timed> {
    let db = fresh_copy(template, work, "raw")?;
    let mut conn = Connection::open(&db)?;
    conn.busy_timeout(Duration::from_secs(60))?;
    conn.pragma_update(None, "foreign_keys", true)?;
    conn.pragma_update(None, "secure_delete", secure_delete)?;
    conn.pragma_update(None, "journal_mode", "wal")?;
    conn.pragma_update(None, "synchronous", "NORMAL")?;
    let location: i64 = conn.query_row(
        "SELECT id FROM locations WHERE host_id = ?1",
        [LOCATION],
        |r| r.get(0),
    )?;
    let probe = MemoryProbe::start();
    let clock = Stopwatch::start();
    raw_write(&mut conn, batch, location, date, now.timestamp_millis())?;
    let ((wall, cpu), io) = clock.stop_with_io();
    let memory = probe.finish();
    let written: i64 = conn.query_row("SELECT count(*) FROM transactions", [], |r| r.get(0))?;
    if written != batch.transactions.len() as i64 {
        return Err(format!("raw path wrote {written} transactions").into());
    }
    drop(conn);
    remove_db(&db);
    Ok(Timed {
        wall,
        cpu,
        invitations: 0,
        customers: (0, 0),
        memory,
        io,
    })
}

fn raw_write(
    conn: &mut Connection,
    batch: &SyncBatch,
    location: i64,
    date: NaiveDate,
    now_ms: i64,
) -> rusqlite::Result<()> {
    let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
    {
        let mut upsert_customer = tx.prepare(
            "INSERT INTO customers (host_id, name, email, email_norm, phone, phone_norm,
               language, gender, reference, include_in_communications, created_at, updated_at)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?11)
             ON CONFLICT (host_id) DO UPDATE SET name = excluded.name, email = excluded.email,
               email_norm = excluded.email_norm, phone = excluded.phone,
               phone_norm = excluded.phone_norm, language = excluded.language,
               gender = excluded.gender, reference = excluded.reference,
               include_in_communications = excluded.include_in_communications,
               updated_at = excluded.updated_at
             RETURNING id",
        )?;
        let mut customer_ids: HashMap<&str, i64> = HashMap::with_capacity(batch.customers.len());
        for c in &batch.customers {
            let phone_norm = c.phone.as_deref().map(|p| {
                let digits: String = p.chars().filter(char::is_ascii_digit).collect();
                format!("+{COUNTRY_CODE}{}", digits.trim_start_matches('0'))
            });
            let id = upsert_customer.query_row(
                params![
                    c.id,
                    c.name,
                    c.email,
                    c.email.as_deref().map(|e| e.trim().to_lowercase()),
                    c.phone,
                    phone_norm,
                    c.language,
                    c.gender.map(Gender::as_str),
                    c.reference,
                    c.include_in_communications,
                    now_ms
                ],
                |r| r.get(0),
            )?;
            customer_ids.insert(c.id.as_str(), id);
        }

        let mut upsert_employee = tx.prepare(
            "INSERT INTO employees (host_id, name, role) VALUES (?1, ?2, ?3)
             ON CONFLICT (host_id) DO UPDATE SET name = excluded.name, role = excluded.role
             RETURNING id",
        )?;
        let mut employee_ids: HashMap<&str, i64> = HashMap::with_capacity(batch.employees.len());
        for e in &batch.employees {
            let id =
                upsert_employee.query_row(params![e.id, e.name, e.role.as_str()], |r| r.get(0))?;
            employee_ids.insert(e.id.as_str(), id);
        }

        let mut find_customer = tx.prepare("SELECT id FROM customers WHERE host_id = ?1")?;
        let mut find_employee = tx.prepare("SELECT id FROM employees WHERE host_id = ?1")?;
        let mut upsert_transaction = tx.prepare(
            "INSERT INTO transactions (host_id, location_id, customer_id, kind, amount_minor,
               currency, finalized_at, excluded, first_seen_on)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)
             ON CONFLICT (host_id) DO UPDATE SET customer_id = excluded.customer_id,
               kind = excluded.kind, amount_minor = excluded.amount_minor,
               currency = excluded.currency, finalized_at = excluded.finalized_at,
               excluded = excluded.excluded
             RETURNING id",
        )?;
        let mut link = tx.prepare(
            "INSERT INTO transaction_employees (transaction_id, employee_id) VALUES (?1, ?2)
             ON CONFLICT DO NOTHING",
        )?;
        for t in &batch.transactions {
            let customer = match t.customer.as_deref() {
                None => None,
                Some(host) => match customer_ids.get(host) {
                    Some(id) => Some(*id),
                    None => find_customer
                        .query_row([host], |r| r.get::<_, i64>(0))
                        .optional()?,
                },
            };
            let id: i64 = upsert_transaction.query_row(
                params![
                    t.id,
                    location,
                    customer,
                    t.kind.as_str(),
                    t.amount_minor,
                    t.currency,
                    t.finalized_at.map(|f| f.timestamp_millis()),
                    t.exclude,
                    date
                ],
                |r| r.get(0),
            )?;
            for e in &t.employees {
                let employee = match employee_ids.get(e.as_str()) {
                    Some(id) => *id,
                    None => find_employee.query_row([e], |r| r.get(0))?,
                };
                link.execute(params![id, employee])?;
            }
        }
    }
    tx.commit()
}

/// Wall-clock time and the calling thread's on-CPU time of one call.
struct Stopwatch {
    wall: Instant,
    cpu_ns: u64,
    io: IoCalls,
}

/// The calling thread's read and write system calls so far (Linux `/proc/thread-self/io`;
/// zero elsewhere). SQLite reads a page missing from its cache with one `pread` and
/// writes a WAL frame with two `pwrite`s: page traffic that callgrind does not see.
#[derive(Debug, Clone, Copy, Default)]
struct IoCalls {
    reads: u64,
    writes: u64,
}

impl IoCalls {
    fn now() -> IoCalls {
        let Ok(text) = fs::read_to_string("/proc/thread-self/io") else {
            return IoCalls::default();
        };
        let field = |name: &str| {
            text.lines()
                .find_map(|l| l.strip_prefix(name)?.trim().parse::<u64>().ok())
                .unwrap_or(0)
        };
        IoCalls {
            reads: field("syscr:"),
            writes: field("syscw:"),
        }
    }

    fn since(self, start: IoCalls) -> IoCalls {
        IoCalls {
            reads: self.reads.saturating_sub(start.reads),
            writes: self.writes.saturating_sub(start.writes),
        }
    }
}

impl Stopwatch {
    fn start() -> Stopwatch {
        Stopwatch {
            io: IoCalls::now(),
            cpu_ns: thread_cpu_ns(),
            wall: Instant::now(),
        }
    }

    fn stop(self) -> (Duration, Duration) {
        self.stop_with_io().0
    }

    /// Wall and on-CPU time, and the system calls made meanwhile.
    fn stop_with_io(self) -> ((Duration, Duration), IoCalls) {
        let wall = self.wall.elapsed();
        let cpu = Duration::from_nanos(thread_cpu_ns().saturating_sub(self.cpu_ns));
        ((wall, cpu), IoCalls::now().since(self.io))
    }
}

/// Nanoseconds the calling thread has run on a CPU (first field of its schedstat), or 0.
fn thread_cpu_ns() -> u64 {
    fs::read_to_string("/proc/thread-self/schedstat")
        .ok()
        .and_then(|s| s.split_whitespace().next()?.parse().ok())
        .unwrap_or(0)
}

/// Copies the template to `work/<name>.db` and flushes it, so the copy's write-back does
/// not run inside the timed section.
fn fresh_copy(template: &Path, work: &Path, name: &str) -> BenchResult<PathBuf> {
    let db = work.join(format!("{name}.db"));
    remove_db(&db);
    fs::copy(template, &db)?;
    fs::File::open(&db)?.sync_all()?;
    Ok(db)
}

/// Removes a database file and its journal, WAL and shared-memory files.
fn remove_db(db: &Path) {
    for suffix in ["", "-journal", "-wal", "-shm"] {
        let mut p = db.as_os_str().to_owned();
        p.push(suffix);
        let _ = fs::remove_file(PathBuf::from(p));
    }
}

// ---------------------------------------------------------------------------------------
// Memory

/// Counts the bytes the Rust side holds on the heap, and their peak. SQLite's own
/// allocations (page cache, statements) bypass it; the process RSS covers those.
struct CountingAlloc;

static HEAP_NOW: AtomicUsize = AtomicUsize::new(0);
static HEAP_PEAK: AtomicUsize = AtomicUsize::new(0);

fn grew(by: usize) {
    let now = HEAP_NOW.fetch_add(by, Ordering::Relaxed) + by;
    HEAP_PEAK.fetch_max(now, Ordering::Relaxed);
}

// SAFETY: every call is forwarded unchanged to the system allocator; the counters only
// observe the sizes.
unsafe impl GlobalAlloc for CountingAlloc {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        // SAFETY: the caller upholds `GlobalAlloc::alloc`'s contract, passed on as is.
        let p = unsafe { System.alloc(layout) };
        if !p.is_null() {
            grew(layout.size());
        }
        p
    }

    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        // SAFETY: as for `alloc`.
        let p = unsafe { System.alloc_zeroed(layout) };
        if !p.is_null() {
            grew(layout.size());
        }
        p
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        // SAFETY: `ptr` was allocated by `System` with `layout` (see `alloc`).
        unsafe { System.dealloc(ptr, layout) };
        HEAP_NOW.fetch_sub(layout.size(), Ordering::Relaxed);
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        // SAFETY: `ptr` was allocated by `System` with `layout` (see `alloc`).
        let p = unsafe { System.realloc(ptr, layout, new_size) };
        if !p.is_null() {
            if new_size >= layout.size() {
                grew(new_size - layout.size());
            } else {
                HEAP_NOW.fetch_sub(layout.size() - new_size, Ordering::Relaxed);
            }
        }
        p
    }
}

#[global_allocator]
static ALLOC: CountingAlloc = CountingAlloc;

#[cfg(all(target_os = "linux", target_env = "gnu"))]
unsafe extern "C" {
    /// glibc: returns freed heap memory to the kernel.
    fn malloc_trim(pad: usize) -> std::ffi::c_int;
}

/// Hands memory freed by earlier phases back to the kernel, so that memory the timed
/// phase allocates shows up as RSS growth instead of silently reusing old free lists.
fn trim_heap() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    // SAFETY: malloc_trim only releases free memory; no pointer is involved.
    unsafe {
        malloc_trim(0);
    }
}

/// What one timed phase allocated beyond what was live when it started.
struct Memory {
    /// Growth of the process's peak resident set (bytes).
    rss_peak: usize,
    /// Peak of Rust heap bytes above the starting level.
    heap_peak: usize,
    /// Rust heap bytes still held when the call returned: the returned report.
    heap_retained: usize,
    method: &'static str,
}

struct MemoryProbe {
    rss_before: usize,
    heap_before: usize,
    peak_reset: bool,
}

impl MemoryProbe {
    fn start() -> MemoryProbe {
        trim_heap();
        // "5" resets VmHWM to the current RSS (Linux >= 4.0).
        let peak_reset = fs::write("/proc/self/clear_refs", "5").is_ok();
        let heap_before = HEAP_NOW.load(Ordering::Relaxed);
        HEAP_PEAK.store(heap_before, Ordering::Relaxed);
        MemoryProbe {
            rss_before: proc_status_kb("VmRSS:").unwrap_or(0) * 1024,
            heap_before,
            peak_reset,
        }
    }

    fn finish(self) -> Memory {
        let heap_peak = HEAP_PEAK
            .load(Ordering::Relaxed)
            .saturating_sub(self.heap_before);
        let heap_retained = HEAP_NOW
            .load(Ordering::Relaxed)
            .saturating_sub(self.heap_before);
        let (after, method) = if self.peak_reset {
            (
                proc_status_kb("VmHWM:"),
                "VmHWM (peak RSS, reset by writing 5 to /proc/self/clear_refs after \
                 malloc_trim) minus VmRSS just before the call, with the batch already parsed \
                 and the database open; cross-checked by a counting global allocator \
                 (Rust heap only, SQLite's own allocations excluded)",
            )
        } else {
            (
                proc_status_kb("VmRSS:"),
                "VmRSS after minus VmRSS before the call (the peak could not be reset: \
                 /proc/self/clear_refs not writable), so transient peaks are missed; \
                 cross-checked by a counting global allocator (Rust heap only)",
            )
        };
        Memory {
            rss_peak: (after.unwrap_or(0) * 1024).saturating_sub(self.rss_before),
            heap_peak,
            heap_retained,
            method,
        }
    }
}

/// A `kB` line of /proc/self/status, e.g. `VmHWM:`.
fn proc_status_kb(key: &str) -> Option<usize> {
    let status = fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with(key))?;
    line[key.len()..]
        .trim()
        .trim_end_matches("kB")
        .trim()
        .parse()
        .ok()
}
