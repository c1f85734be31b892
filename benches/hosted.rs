//! Hosted-mode bench (issue 27 item 9): many small stores, each synced once, on PostgreSQL
//! beside as many SQLite files, in one run (see docs/benchmarks.md, "Hosted mode: 1,000
//! stores").
//!
//! `HEARKEN_BENCH_STORES` stores (default 1,000), each with one location and a 200-sale
//! night, are synced by 4 worker processes (this binary started again with
//! `HEARKEN_BENCH_HOSTED_WORKER` set; worker `w` takes every 4th store from `w`). The
//! clock runs from the moment all 4 workers have built their batches until the last one
//! exits, and covers open + sync + close of every store; creating the stores and their
//! location is setup, untimed. Four passes, each on fresh stores:
//!
//!   - PostgreSQL with `synchronous_commit=off` (set per connection by the engine URL's
//!     `options=-c synchronous_commit=off`), like for like with
//!   - SQLite, hearken's default: WAL with `synchronous=NORMAL` (src/store/sqlite/mod.rs);
//!     a power cut may lose the last commits in both, never corrupt;
//!   - PostgreSQL with the server's default `synchronous_commit=on`;
//!   - SQLite with a rollback journal (`JournalMode::Rollback`, `synchronous=FULL`): not
//!     the default, printed as the fully durable counterpart.
//!
//! `HEARKEN_BENCH_BIG=1` runs the big-sync comparison instead: one store of
//! `HEARKEN_BENCH_BIG_CUSTOMERS` customers (default 100,000, built through the engine),
//! then one timed sync of `HEARKEN_BENCH_BIG_SALES` sales (default 10,000) by half as many
//! customers (half of them known), on PostgreSQL and on a SQLite file of the same size.
//!
//! Needs a PostgreSQL server: `HEARKEN_TEST_PG_URL` (admin role) and
//! `HEARKEN_TEST_PG_ENGINE_URL` (engine role), as scripts/pg-cluster.sh prints them.
//! `cargo bench --features hosted --bench hosted`.

use std::error::Error;
use std::fs;
use std::io::{BufRead, BufReader, Write};
use std::path::{Path, PathBuf};
use std::process::{Child, ChildStdin, ChildStdout, Command, Stdio};
use std::time::{Duration, Instant};

use chrono::{DateTime, NaiveDate, TimeDelta, TimeZone, Utc};
use chrono_tz::Europe::Paris;
use hearken::hosted::PgClient;
use hearken::{
    Customer, Employee, Engine, EngineOptions, Gender, JournalMode, Location, Role, Settings,
    SyncBatch, Transaction, TransactionKind,
};

type BenchResult<T> = Result<T, Box<dyn Error>>;

const LOCATION: &str = "paris-01";
const WORKERS: usize = 4;
const SALES: u64 = 200;
const CUSTOMERS: u64 = 120;
const EMPLOYEES: usize = 8;
/// Set in a worker process: `<pass>` (one of [`PASSES`]' names).
const WORKER: &str = "HEARKEN_BENCH_HOSTED_WORKER";

/// One side of the comparison.
#[derive(Clone, Copy, PartialEq)]
enum Side {
    PgSyncOff,
    SqliteWal,
    PgSyncOn,
    SqliteRollback,
}

const PASSES: [Side; 4] = [
    Side::PgSyncOff,
    Side::SqliteWal,
    Side::PgSyncOn,
    Side::SqliteRollback,
];

impl Side {
    fn name(self) -> &'static str {
        match self {
            Side::PgSyncOff => "pg-sync-off",
            Side::SqliteWal => "sqlite-wal",
            Side::PgSyncOn => "pg-sync-on",
            Side::SqliteRollback => "sqlite-rollback",
        }
    }

    fn parse(s: &str) -> Option<Side> {
        PASSES.into_iter().find(|p| p.name() == s)
    }

    fn label(self) -> &'static str {
        match self {
            Side::PgSyncOff => "PostgreSQL, synchronous_commit=off",
            Side::SqliteWal => "SQLite files, WAL + synchronous=NORMAL (hearken's default)",
            Side::PgSyncOn => "PostgreSQL, synchronous_commit=on (server default)",
            Side::SqliteRollback => "SQLite files, rollback journal + synchronous=FULL",
        }
    }

    fn is_pg(self) -> bool {
        matches!(self, Side::PgSyncOff | Side::PgSyncOn)
    }

    /// The engine URL for this side (PostgreSQL only).
    fn url(self, engine_url: &str) -> String {
        match self {
            Side::PgSyncOff => with_param(engine_url, "options", "-c%20synchronous_commit%3Doff"),
            _ => engine_url.to_owned(),
        }
    }

    fn journal(self) -> JournalMode {
        match self {
            Side::SqliteRollback => JournalMode::Rollback,
            _ => JournalMode::Wal,
        }
    }
}

fn main() {
    let result = match std::env::var(WORKER) {
        Ok(pass) => worker(&pass),
        Err(_) if std::env::var("HEARKEN_BENCH_BIG").is_ok_and(|v| v == "1") => big_sync(),
        Err(_) => run(),
    };
    if let Err(e) = result {
        eprintln!("hosted bench failed: {e}");
        std::process::exit(1);
    }
}

fn env_number(name: &str, default: u64) -> BenchResult<u64> {
    match std::env::var(name) {
        Ok(v) => Ok(v
            .parse()
            .map_err(|_| format!("{name} must be a positive integer"))?),
        Err(_) => Ok(default),
    }
}

/// The admin and engine URLs, from the environment scripts/pg-cluster.sh sets.
fn urls() -> BenchResult<(String, String)> {
    match (
        std::env::var("HEARKEN_TEST_PG_URL"),
        std::env::var("HEARKEN_TEST_PG_ENGINE_URL"),
    ) {
        (Ok(a), Ok(e)) => Ok((a, e)),
        _ => Err(
            "HEARKEN_TEST_PG_URL and HEARKEN_TEST_PG_ENGINE_URL must be set \
                  (scripts/pg-cluster.sh start; eval \"$(scripts/pg-cluster.sh env)\")"
                .into(),
        ),
    }
}

fn with_param(url: &str, key: &str, value: &str) -> String {
    let sep = if url.contains('?') { '&' } else { '?' };
    format!("{url}{sep}{key}={value}")
}

fn business_date() -> BenchResult<NaiveDate> {
    Ok(NaiveDate::from_ymd_opt(2026, 11, 23).ok_or("bad date")?)
}

/// 23:00 in Paris on `date`: the night's sync hour.
fn sync_hour(date: NaiveDate) -> BenchResult<DateTime<Utc>> {
    Ok(Paris
        .from_local_datetime(&date.and_hms_opt(23, 0, 0).ok_or("bad time")?)
        .single()
        .ok_or("ambiguous local time")?
        .with_timezone(&Utc))
}

fn settings() -> Settings {
    Settings {
        default_country_code: 33,
        default_language: "fr".to_owned(),
        ..Settings::default()
    }
}

/// Where this run's SQLite files go: `$HEARKEN_BENCH_DIR`, else the system temp dir.
fn sqlite_root() -> PathBuf {
    std::env::var_os("HEARKEN_BENCH_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(std::env::temp_dir)
}

fn store_id(prefix: &str, side: Side, i: u64) -> String {
    format!("{prefix}-{}-{i:05}", side.name())
}

fn sqlite_path(dir: &Path, i: u64) -> PathBuf {
    dir.join(format!("store-{i:05}.db"))
}

// ---------------------------------------------------------------------------------------
// The coordinator

fn run() -> BenchResult<()> {
    let stores = env_number("HEARKEN_BENCH_STORES", 1000)?;
    let (admin_url, engine_url) = urls()?;
    hearken::admin::install(&admin_url, hearken::admin::DEFAULT_ENGINE_ROLE)?;
    let tag = Utc::now().format("%Y%m%d%H%M%S").to_string();
    let prefix = format!("bench-{tag}");
    let dir = sqlite_root().join(format!("hearken-hosted-bench-{tag}"));
    fs::create_dir_all(&dir)?;
    println!(
        "hosted bench: {stores} stores per pass, {WORKERS} worker processes (worker w takes \
         every {WORKERS}th store from w), one {SALES}-sale night each ({CUSTOMERS} customers \
         with e-mails), timed: open + sync + close of every store"
    );
    print_server(&admin_url, &engine_url)?;
    println!("SQLite files under {}", dir.display());

    let mut results = Vec::new();
    for side in PASSES {
        let setup = Instant::now();
        let side_dir = dir.join(side.name());
        prepare(side, stores, &admin_url, &engine_url, &prefix, &side_dir)?;
        let setup = setup.elapsed();
        let (workers_before, server_before) = (reaped_cpu_ms(), server_cpu_ms());
        let wall = time_workers(side, stores, &engine_url, &prefix, &side_dir)?;
        let (workers_after, server_after) = (reaped_cpu_ms(), server_cpu_ms());
        let per_minute = stores as f64 / wall.as_secs_f64() * 60.0;
        println!(
            "{:<16} {:>8.1} stores/min ({stores} stores in {:.2} s; setup {:.1} s untimed) | {}",
            side.name(),
            per_minute,
            wall.as_secs_f64(),
            setup.as_secs_f64(),
            side.label()
        );
        // CPU (user + system) per store night, which other load moves far less than wall
        // time: the 4 workers (batch building included), and for PostgreSQL the server.
        let per_store = |before: Option<u64>, after: Option<u64>| match (before, after) {
            (Some(b), Some(a)) => format!("{:.2} ms", a.saturating_sub(b) as f64 / stores as f64),
            _ => "n/a".to_owned(),
        };
        println!(
            "{:<16} CPU per store night: workers {}, server {}",
            side.name(),
            per_store(workers_before, workers_after),
            if side.is_pg() {
                per_store(server_before, server_after)
            } else {
                "-".to_owned()
            }
        );
        results.push((side, per_minute));
    }
    let rate = |s: Side| {
        results
            .iter()
            .find(|(side, _)| *side == s)
            .map_or(f64::NAN, |(_, r)| *r)
    };
    println!(
        "like for like (may lose the last commits on a power cut, never corrupt): PostgreSQL \
         synchronous_commit=off {:.1} / SQLite WAL NORMAL {:.1} stores/min = ratio PG/SQLite \
         {:.2} (target >= 0.5)",
        rate(Side::PgSyncOff),
        rate(Side::SqliteWal),
        rate(Side::PgSyncOff) / rate(Side::SqliteWal)
    );
    println!(
        "defaults: PostgreSQL synchronous_commit=on {:.1} / SQLite WAL NORMAL {:.1} stores/min \
         = ratio PG/SQLite {:.2} (target >= 0.5)",
        rate(Side::PgSyncOn),
        rate(Side::SqliteWal),
        rate(Side::PgSyncOn) / rate(Side::SqliteWal)
    );
    println!(
        "fully durable both sides: PostgreSQL synchronous_commit=on {:.1} / SQLite rollback \
         FULL {:.1} stores/min = ratio {:.2}",
        rate(Side::PgSyncOn),
        rate(Side::SqliteRollback),
        rate(Side::PgSyncOn) / rate(Side::SqliteRollback)
    );
    fs::remove_dir_all(&dir)?;
    println!(
        "the PostgreSQL stores {prefix}-* stay in the database (throw-away cluster); the \
         SQLite files were removed"
    );
    Ok(())
}

/// (user + system CPU of `pid` itself, of its reaped children, its parent) in ms, from
/// `/proc/<pid>/stat` (clock ticks of 10 ms).
fn proc_stat(pid: &str) -> Option<(u64, u64, u64)> {
    let text = fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    // After the command name in brackets: state, ppid, ... utime (the 12th), stime,
    // cutime, cstime.
    let fields: Vec<&str> = text
        .get(text.rfind(')')? + 1..)?
        .split_whitespace()
        .collect();
    let n = |i: usize| fields.get(i).and_then(|f| f.parse::<u64>().ok());
    let tick_ms = 10;
    Some((
        (n(11)? + n(12)?) * tick_ms,
        (n(13)? + n(14)?) * tick_ms,
        n(1)?,
    ))
}

/// CPU ms of this process's reaped children (the workers of the passes so far).
fn reaped_cpu_ms() -> Option<u64> {
    proc_stat("self").map(|(_, children, _)| children)
}

/// CPU ms of the PostgreSQL server, when it runs on this host: its postmaster's own and
/// reaped children's and every live child's (backends, autovacuum, checkpointer, WAL
/// writer). The postmaster's pid comes from `HEARKEN_BENCH_PG_PID`, or the first line
/// of `$HEARKEN_TEST_PG_DIR/data/postmaster.pid` (scripts/pg-cluster.sh).
fn server_cpu_ms() -> Option<u64> {
    let pid = match std::env::var("HEARKEN_BENCH_PG_PID") {
        Ok(pid) => pid,
        Err(_) => {
            let dir = std::env::var_os("HEARKEN_TEST_PG_DIR")?;
            let file = fs::read_to_string(Path::new(&dir).join("data/postmaster.pid")).ok()?;
            file.lines().next()?.trim().to_owned()
        }
    };
    let postmaster: u64 = pid.parse().ok()?;
    let (own, reaped, _) = proc_stat(&pid)?;
    let mut total = own + reaped;
    for entry in fs::read_dir("/proc").ok()?.flatten() {
        let name = entry.file_name();
        let Some(name) = name
            .to_str()
            .filter(|n| n.bytes().all(|b| b.is_ascii_digit()))
        else {
            continue;
        };
        if let Some((cpu, _, parent)) = proc_stat(name)
            && parent == postmaster
        {
            total += cpu;
        }
    }
    Some(total)
}

/// The server's durability settings, as each side's connections see them.
fn print_server(admin_url: &str, engine_url: &str) -> BenchResult<()> {
    let admin = PgClient::connect(admin_url)?;
    let server = admin.with_admin_transaction(|tx| {
        let mut out = Vec::new();
        for name in [
            "server_version",
            "fsync",
            "full_page_writes",
            "wal_sync_method",
            "shared_buffers",
            "max_connections",
        ] {
            let row = tx.query_one(&format!("SHOW {name}"), vec![])?;
            out.push(format!("{name}={}", row.get::<_, String>(0)));
        }
        Ok(out)
    })?;
    println!("PostgreSQL server: {}", server.join(", "));
    for side in [Side::PgSyncOff, Side::PgSyncOn] {
        let client = PgClient::connect(&side.url(engine_url))?;
        let value = client.with_admin_transaction(|tx| {
            Ok(tx
                .query_one("SHOW synchronous_commit", vec![])?
                .get::<_, String>(0))
        })?;
        println!(
            "  {} connections: synchronous_commit={value}{}",
            side.name(),
            if side == Side::PgSyncOff {
                " (URL option options=-c%20synchronous_commit%3Doff)"
            } else {
                " (engine URL as given)"
            }
        );
    }
    Ok(())
}

/// Setup, untimed: the stores with their settings and location (PostgreSQL: created by the
/// admin, then opened by the engine role; SQLite: new files).
fn prepare(
    side: Side,
    stores: u64,
    admin_url: &str,
    engine_url: &str,
    prefix: &str,
    dir: &Path,
) -> BenchResult<()> {
    let location = Location::new(LOCATION, "Boutique Paris", "Europe/Paris");
    if side.is_pg() {
        let admin = PgClient::connect(admin_url)?;
        for i in 0..stores {
            let id = store_id(prefix, side, i);
            hearken::hosted::schema::create_store(&admin, &id)?;
            let engine = Engine::open_url(engine_url, &id)?;
            engine.set_settings(&settings())?;
            engine.upsert_location(&location)?;
            engine.close()?;
        }
    } else {
        fs::create_dir_all(dir)?;
        let options = EngineOptions {
            journal: side.journal(),
            ..EngineOptions::default()
        };
        for i in 0..stores {
            let engine = Engine::open_with(sqlite_path(dir, i), &options)?;
            engine.set_settings(&settings())?;
            engine.upsert_location(&location)?;
            engine.close()?;
        }
    }
    Ok(())
}

struct Worker {
    child: Child,
    stdin: ChildStdin,
    stdout: BufReader<ChildStdout>,
}

/// Starts the workers, waits until each has built its batches, then times from "go" to
/// the last exit.
fn time_workers(
    side: Side,
    stores: u64,
    engine_url: &str,
    prefix: &str,
    dir: &Path,
) -> BenchResult<Duration> {
    let exe = std::env::current_exe()?;
    let mut workers = Vec::with_capacity(WORKERS);
    for w in 0..WORKERS {
        // The URL (with its password) goes by environment, never on the command line.
        let mut child = Command::new(&exe)
            .env(WORKER, side.name())
            .env("HEARKEN_BENCH_WORKER_INDEX", w.to_string())
            .env("HEARKEN_BENCH_STORES", stores.to_string())
            .env("HEARKEN_BENCH_PREFIX", prefix)
            .env("HEARKEN_BENCH_SQLITE_DIR", dir)
            .env("HEARKEN_BENCH_ENGINE_URL", side.url(engine_url))
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .spawn()?;
        let stdin = child.stdin.take().ok_or("worker stdin")?;
        let stdout = BufReader::new(child.stdout.take().ok_or("worker stdout")?);
        workers.push(Worker {
            child,
            stdin,
            stdout,
        });
    }
    for w in &mut workers {
        let mut line = String::new();
        w.stdout.read_line(&mut line)?;
        if line.trim() != "ready" {
            return Err(format!("a {} worker did not get ready", side.name()).into());
        }
    }
    let clock = Instant::now();
    for w in &mut workers {
        w.stdin.write_all(b"go\n")?;
        w.stdin.flush()?;
    }
    let mut synced = 0;
    for mut w in workers {
        let mut line = String::new();
        w.stdout.read_line(&mut line)?;
        let status = w.child.wait()?;
        if !status.success() {
            return Err(format!("a {} worker failed ({status})", side.name()).into());
        }
        synced += line
            .trim()
            .strip_prefix("synced ")
            .and_then(|n| n.parse::<u64>().ok())
            .ok_or("a worker did not say how many stores it synced")?;
    }
    let wall = clock.elapsed();
    if synced != stores {
        return Err(format!("{synced} of {stores} stores synced").into());
    }
    Ok(wall)
}

// ---------------------------------------------------------------------------------------
// A worker

fn worker(pass: &str) -> BenchResult<()> {
    let side = Side::parse(pass).ok_or("unknown pass")?;
    let w: u64 = env_number("HEARKEN_BENCH_WORKER_INDEX", 0)?;
    let stores = env_number("HEARKEN_BENCH_STORES", 1000)?;
    let prefix = std::env::var("HEARKEN_BENCH_PREFIX")?;
    let dir = PathBuf::from(std::env::var_os("HEARKEN_BENCH_SQLITE_DIR").ok_or("no dir")?);
    let url = std::env::var("HEARKEN_BENCH_ENGINE_URL")?;
    let date = business_date()?;
    let now = sync_hour(date)?;
    let options = EngineOptions {
        journal: side.journal(),
        ..EngineOptions::default()
    };
    // The batches are built before the clock starts.
    let mine: Vec<(u64, SyncBatch)> = (w..stores)
        .step_by(WORKERS)
        .map(|i| Ok((i, night(i, CUSTOMERS, SALES, date)?)))
        .collect::<BenchResult<_>>()?;
    let mut out = std::io::stdout().lock();
    writeln!(out, "ready")?;
    out.flush()?;
    let mut go = String::new();
    std::io::stdin().lock().read_line(&mut go)?;
    for (i, batch) in &mine {
        let engine = if side.is_pg() {
            Engine::open_url(&url, &store_id(&prefix, side, *i))?
        } else {
            Engine::open_with(sqlite_path(&dir, *i), &options)?
        };
        let report = engine.sync(batch, now)?;
        check(&report, batch)?;
        engine.close()?;
    }
    writeln!(out, "synced {}", mine.len())?;
    out.flush()?;
    Ok(())
}

fn check(report: &hearken::SyncReport, batch: &SyncBatch) -> BenchResult<()> {
    let decided = report.invitations.len() + report.skipped.len();
    if decided != batch.transactions.len() || report.invitations.is_empty() {
        return Err(format!(
            "sync did not decide every transaction: {} invited, {} skipped of {}",
            report.invitations.len(),
            report.skipped.len(),
            batch.transactions.len()
        )
        .into());
    }
    Ok(())
}

// ---------------------------------------------------------------------------------------
// The big sync

/// Opens one side's store.
type Opener<'a> = Box<dyn Fn() -> hearken::Result<Engine> + 'a>;

fn big_sync() -> BenchResult<()> {
    let customers = env_number("HEARKEN_BENCH_BIG_CUSTOMERS", 100_000)?;
    let sales = env_number("HEARKEN_BENCH_BIG_SALES", 10_000)?;
    let batch_customers = sales / 2;
    let (admin_url, engine_url) = urls()?;
    hearken::admin::install(&admin_url, hearken::admin::DEFAULT_ENGINE_ROLE)?;
    let tag = Utc::now().format("%Y%m%d%H%M%S").to_string();
    let dir = sqlite_root().join(format!("hearken-hosted-big-{tag}"));
    fs::create_dir_all(&dir)?;
    print_server(&admin_url, &engine_url)?;
    println!(
        "big sync: a store of {customers} customers (built through the engine, untimed), then \
         one sync of {sales} sales by {batch_customers} customers ({} known, {} new)",
        batch_customers / 2,
        batch_customers - batch_customers / 2
    );
    let date = business_date()?;
    let location = Location::new(LOCATION, "Boutique Paris", "Europe/Paris");
    let id = format!("bench-big-{tag}");
    hearken::admin::create_store(&admin_url, &id)?;
    let pg_off = Side::PgSyncOff.url(&engine_url);
    let sides: [(&str, Opener); 4] = [
        (
            "PostgreSQL, synchronous_commit=off",
            Box::new(|| Engine::open_url(&pg_off, &id)),
        ),
        (
            "PostgreSQL, synchronous_commit=on",
            Box::new(|| Engine::open_url(&engine_url, &id)),
        ),
        (
            "SQLite file, WAL + NORMAL (default)",
            Box::new(|| Engine::open(dir.join("wal.db"))),
        ),
        (
            "SQLite file, rollback + FULL",
            Box::new(|| {
                Engine::open_with(
                    dir.join("rollback.db"),
                    &EngineOptions {
                        journal: JournalMode::Rollback,
                        ..EngineOptions::default()
                    },
                )
            }),
        ),
    ];
    // One PostgreSQL store serves both PostgreSQL settings: the first timed sync is
    // tonight's, the second one the next night's (same size, other sales, the first
    // night's customers known); likewise each SQLite file gets both nights, so every
    // row compares the same work.
    let chunk = 10_000;
    for (n, (name, open)) in sides.iter().enumerate() {
        // PostgreSQL's store is built once (n == 0); each SQLite file once.
        if n == 1 {
            continue;
        }
        let started = Instant::now();
        let engine = open()?;
        engine.set_settings(&settings())?;
        engine.upsert_location(&location)?;
        let mut k = 0;
        let mut day = date - TimeDelta::days(customers.div_ceil(chunk) as i64);
        while k < customers {
            let mut batch = SyncBatch::new(LOCATION, day);
            for c in k..(k + chunk).min(customers) {
                batch.customers.push(customer(0, c, false));
            }
            engine.sync(&batch, sync_hour(day)?)?;
            k += chunk;
            day += TimeDelta::days(1);
        }
        engine.close()?;
        println!(
            "  built {name}{}: {:.1} s",
            if n == 0 {
                " (both PostgreSQL rows)"
            } else {
                ""
            },
            started.elapsed().as_secs_f64()
        );
    }
    for (night_index, (name, open)) in sides.iter().enumerate() {
        // PostgreSQL: night 0 on synchronous_commit=off, night 1 on =on; SQLite: night 0
        // for each file, then night 1 below.
        let nights: &[u64] = match night_index {
            0 => &[0],
            1 => &[1],
            _ => &[0, 1],
        };
        for &night_no in nights {
            let day = date + TimeDelta::days(night_no as i64);
            let batch = big_night(customers, batch_customers, sales, night_no, day)?;
            let engine = open()?;
            let clock = Instant::now();
            let report = engine.sync(&batch, sync_hour(day)?)?;
            let wall = clock.elapsed();
            check(&report, &batch)?;
            engine.close()?;
            println!(
                "  {name:<38} night {}: {:.3} s | customers created {}, updated {} | \
                 invitations {}",
                night_no + 1,
                wall.as_secs_f64(),
                report.customers_created,
                report.customers_updated,
                report.invitations.len()
            );
        }
    }
    fs::remove_dir_all(&dir)?;
    Ok(())
}

/// The big night `night_no`: half known customers spread over the store, half new.
fn big_night(
    store: u64,
    batch_customers: u64,
    sales: u64,
    night_no: u64,
    date: NaiveDate,
) -> BenchResult<SyncBatch> {
    let known = batch_customers / 2;
    let stride = 999_983 % store.max(1);
    let mut list = Vec::with_capacity(batch_customers as usize);
    for k in 0..known {
        let n = (k * stride + 12_345 + night_no * 7_777) % store.max(1);
        list.push(customer(0, n, k % 5 == 0));
    }
    for k in known..batch_customers {
        list.push(customer(0, store + night_no * batch_customers + k, false));
    }
    night_of(list, sales, date, 0x5EED ^ night_no)
}

// ---------------------------------------------------------------------------------------
// Batches (the same generator as benches/sync.rs, smaller)

/// Store `store`'s night: `customers` new customers, `sales` transactions.
fn night(store: u64, customers: u64, sales: u64, date: NaiveDate) -> BenchResult<SyncBatch> {
    let list = (0..customers).map(|n| customer(store, n, false)).collect();
    night_of(list, sales, date, store.wrapping_mul(0x5EED_2026_1123))
}

fn night_of(
    customers: Vec<Customer>,
    sales: u64,
    date: NaiveDate,
    seed: u64,
) -> BenchResult<SyncBatch> {
    let mut batch = SyncBatch::new(LOCATION, date);
    batch.customers = customers;
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
    let mut r = Rng(seed);
    let open = Paris
        .from_local_datetime(&date.and_hms_opt(9, 0, 0).ok_or("bad time")?)
        .single()
        .ok_or("ambiguous local time")?;
    let n = batch.customers.len() as u64;
    for i in 0..sales {
        let customer = if i < n {
            Some(batch.customers[i as usize].id.clone())
        } else if r.below(100) < 3 {
            None
        } else {
            Some(batch.customers[r.below(n) as usize].id.clone())
        };
        let first = r.below(EMPLOYEES as u64);
        let finalized = (open + TimeDelta::seconds(r.below(11 * 3600) as i64)).fixed_offset();
        batch.transactions.push(Transaction {
            id: format!("T{}-{i:07}", date.format("%Y%m%d")),
            customer,
            employees: vec![format!("E{first:03}")],
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

const FIRST: &[&str] = &[
    "Élise", "Louis", "Camille", "Hugo", "Zoë", "Jules", "Léa", "Noah", "Chloé", "Karim", "Inès",
    "Tom", "Manon", "Yanis", "Sarah", "Lucas",
];
const LAST: &[&str] = &[
    "Martin", "Bernard", "Dubois", "Thomas", "Robert", "Petit", "Durand", "Leroy", "Moreau",
    "Simon", "Laurent", "Lefevre", "Michel", "Garcia", "N'Diaye", "Nguyen",
];
const DOMAINS: &[&str] = &["example.com", "exemple.fr", "mail.example.org"];

/// Customer `n` of store `store`; `changed` gives a known customer a new e-mail.
fn customer(store: u64, n: u64, changed: bool) -> Customer {
    let mut r = Rng((store << 40 ^ n).wrapping_mul(0x9E37_79B9_7F4A_7C15) ^ 0x00C0_FFEE);
    let first = FIRST[r.below(FIRST.len() as u64) as usize];
    let last = LAST[r.below(LAST.len() as u64) as usize];
    let domain = DOMAINS[r.below(DOMAINS.len() as u64) as usize];
    let local: String = format!("{first}.{last}{n}")
        .chars()
        .filter(|c| c.is_ascii_alphanumeric() || *c == '.')
        .collect::<String>()
        .to_ascii_lowercase();
    let email = match n % 100 {
        3 => None,
        _ if changed => Some(format!("{local}@new-example.com")),
        _ => Some(format!("{local}@{domain}")),
    };
    Customer {
        id: format!("C{n:08}"),
        name: Some(format!("{first} {last}")),
        email,
        phone: (n % 10 < 7)
            .then(|| format!("06 {:02} {:02} {:02} {:02}", n % 97, n % 89, n % 83, n % 79)),
        language: (n % 20 != 5).then(|| "fr".to_owned()),
        gender: match r.below(4) {
            0 => None,
            1 => Some(Gender::Male),
            2 => Some(Gender::Female),
            _ => Some(Gender::Other),
        },
        reference: None,
        include_in_communications: n % 50 != 17,
    }
}

/// SplitMix64, as in benches/sync.rs.
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
