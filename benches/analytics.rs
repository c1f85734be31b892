//! Reports benchmark (issue 8): hearken's reports against the raw indexed SQL aggregate
//! on the same rows, in the same run, with the ratio printed (see docs/benchmarks.md).
//!
//! 1M responses over 2 years, 20 locations in 5 time zones, 200 employees (10 per
//! location; each answer credits 1 to 3 of them). Targets: whole-history NPS at least 10×
//! faster than the raw aggregate; quarter × location × employee at most 1.5× the raw one.
//!
//! `cargo bench --bench reports`; `HEARKEN_BENCH_QUICK=1` for a small smoke run.

use std::error::Error;
use std::path::Path;
use std::time::{Duration, Instant};

use chrono::{DateTime, NaiveDate, TimeZone, Utc};
use chrono_tz::Tz;
use hearken::{
    Employee, Engine, EngineOptions, FeedbackQuery, JournalMode, Location, Period, ReportQuery,
    Role,
};
use rusqlite::{Connection, OpenFlags, params};

type BenchResult<T> = Result<T, Box<dyn Error>>;

const LOCATIONS: usize = 20;
const EMPLOYEES_PER_LOCATION: usize = 10;
const ZONES: [&str; 5] = [
    "Europe/Paris",
    "Asia/Seoul",
    "America/New_York",
    "Australia/Sydney",
    "America/Los_Angeles",
];
/// Timed repetitions of each measurement; the median is reported.
const RUNS: usize = 7;
/// Bump when the template's contents change, so a stale cached file is not reused.
const TEMPLATE_REVISION: u32 = 1;

fn main() {
    if let Err(e) = run() {
        eprintln!("bench failed: {e}");
        std::process::exit(1);
    }
}

/// A deterministic generator (SplitMix64): the same rows on every run.
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

fn run() -> BenchResult<()> {
    let quick = std::env::var("HEARKEN_BENCH_QUICK").is_ok_and(|v| v == "1");
    let responses: u64 = if quick { 20_000 } else { 1_000_000 };
    let target = Path::new(env!("CARGO_MANIFEST_DIR")).join("target");
    std::fs::create_dir_all(&target)?;
    let template = target.join(format!(
        "bench-reports-v{}-r{TEMPLATE_REVISION}-{responses}.db",
        hearken::SCHEMA_VERSION
    ));
    if template.exists() {
        println!("template: reusing {}", template.display());
    } else {
        build_template(&template, responses)?;
    }
    let now: DateTime<Utc> = "2027-01-15T12:00:00Z".parse()?;
    let engine = Engine::open(&template)?;
    let raw = Connection::open_with_flags(
        &template,
        OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX,
    )?;
    println!(
        "rows: {responses} responses, {LOCATIONS} locations, {} employees, 2025-01-01 to 2026-12-31{}",
        LOCATIONS * EMPLOYEES_PER_LOCATION,
        if quick { " [QUICK]" } else { "" }
    );

    let mut ok = true;

    // 1. Whole-history NPS (and ratings) of the store.
    let all = ReportQuery::default();
    let expected = engine.scores(&all, now)?;
    let (h, r) = race(
        || {
            let s = engine.scores(&all, now)?;
            Ok(s.nps.promoters + s.responses)
        },
        || {
            let (n, p): (i64, i64) = raw
                .prepare_cached(&format!("SELECT {RAW_SUMS} FROM responses r"))?
                .query_row([], |r| Ok((r.get(0)?, r.get(1)?)))?;
            Ok((n + p).unsigned_abs())
        },
    )?;
    let check: i64 = raw.query_row("SELECT count(*) FROM responses", [], |r| r.get(0))?;
    if expected.responses != check.unsigned_abs() {
        return Err("hearken and the raw aggregate disagree".into());
    }
    ok &= report("whole-history NPS", h, r, Target::AtLeastFaster(10.0));

    // 2. Quarter × location × employee: Q2 2026 in each location's own time zone.
    let pairs = quarter_pairs(&raw)?;
    let from = NaiveDate::from_ymd_opt(2026, 4, 1).ok_or("date")?;
    let to = NaiveDate::from_ymd_opt(2026, 6, 30).ok_or("date")?;
    let mut agree = true;
    let (h, r) = race(
        || {
            let mut sum = 0;
            for p in &pairs {
                let q = ReportQuery {
                    period: Period::Custom { from, to },
                    location: Some(p.location.clone()),
                    employee: Some(p.employee.clone()),
                    user: None,
                };
                sum += engine.scores(&q, now)?.responses;
            }
            Ok(sum)
        },
        || {
            let mut sum = 0;
            let mut stmt = raw.prepare_cached(&format!(
                "SELECT {RAW_SUMS} FROM responses r
                 JOIN transaction_employees te
                   ON te.transaction_id = r.transaction_id AND te.employee_id = ?1
                 WHERE r.location_id = ?2 AND r.created_at >= ?3 AND r.created_at < ?4"
            ))?;
            for p in &pairs {
                let (emp, loc, tz) = (p.employee_id, p.location_id, &p.tz);
                let (a, b) = (
                    local_midnight(*tz, from)?,
                    local_midnight(*tz, to.succ_opt().ok_or("date")?)?,
                );
                let n: i64 = stmt.query_row(params![emp, loc, a, b], |r| r.get(0))?;
                sum += n.unsigned_abs();
            }
            Ok(sum)
        },
    )?;
    for p in &pairs {
        let (emp_id, loc_id, tz) = (p.employee_id, p.location_id, &p.tz);
        let q = ReportQuery {
            period: Period::Custom { from, to },
            location: Some(p.location.clone()),
            employee: Some(p.employee.clone()),
            user: None,
        };
        let (a, b) = (
            local_midnight(*tz, from)?,
            local_midnight(*tz, to.succ_opt().ok_or("date")?)?,
        );
        let n: i64 = raw.query_row(
            "SELECT count(*) FROM responses r JOIN transaction_employees te
               ON te.transaction_id = r.transaction_id AND te.employee_id = ?1
             WHERE r.location_id = ?2 AND r.created_at >= ?3 AND r.created_at < ?4",
            params![emp_id, loc_id, a, b],
            |r| r.get(0),
        )?;
        agree &= engine.scores(&q, now)?.responses == n.unsigned_abs();
    }
    if !agree {
        return Err("quarter × location × employee: hearken and raw disagree".into());
    }
    ok &= report(
        &format!("quarter × location × employee ({} pairs)", pairs.len()),
        h,
        r,
        Target::AtMostSlower(1.5),
    );

    // 3. Employee performance, whole history (X4).
    let (h, r) = race(
        || Ok(engine.employee_performance(&all, None, now)?.len() as u64),
        || {
            let mut stmt = raw.prepare_cached(&format!(
                "SELECT te.employee_id, {RAW_SUMS} FROM responses r
                 JOIN transaction_employees te ON te.transaction_id = r.transaction_id
                 GROUP BY te.employee_id"
            ))?;
            let rows = stmt.query_map([], |r| r.get::<_, i64>(0))?;
            Ok(rows.count() as u64)
        },
    )?;
    report("employee performance, whole history", h, r, Target::None);

    // 4. The feedback list's first page, newest first (raw rows, no rollups).
    let (h, r) = race(
        || Ok(engine.feedback(&FeedbackQuery::default(), now)?.items.len() as u64),
        || {
            let mut stmt = raw.prepare_cached(
                "SELECT r.id, r.created_at, r.nps, r.comment FROM responses r
                 ORDER BY r.created_at DESC, r.id DESC LIMIT 50",
            )?;
            let n = stmt.query_map([], |r| r.get::<_, i64>(0))?.count();
            Ok(n as u64)
        },
    )?;
    report("feedback list, first page (with total)", h, r, Target::None);

    if !ok && !quick {
        return Err("a target was missed".into());
    }
    Ok(())
}

const RAW_SUMS: &str = "count(*), coalesce(sum(r.nps >= 9), 0),
    coalesce(sum(r.nps BETWEEN 7 AND 8), 0), coalesce(sum(r.nps <= 6), 0), count(r.rating),
    coalesce(sum(r.rating * 25200 / r.rating_scale), 0)";

fn local_midnight(tz: Tz, d: NaiveDate) -> BenchResult<i64> {
    let t = tz
        .from_local_datetime(&d.and_hms_opt(0, 0, 0).ok_or("time")?)
        .earliest()
        .ok_or("no local midnight")?;
    Ok(t.timestamp_millis())
}

/// One employee of one location, by host ids and row ids.
struct Pair {
    location: String,
    employee: String,
    employee_id: i64,
    location_id: i64,
    tz: Tz,
}

/// One employee per location.
fn quarter_pairs(raw: &Connection) -> BenchResult<Vec<Pair>> {
    let mut stmt = raw.prepare(
        "SELECT l.host_id, e.host_id, e.id, l.id, l.time_zone FROM locations l
         JOIN employees e ON e.host_id = l.host_id || '-e3' ORDER BY l.id",
    )?;
    let rows = stmt.query_map([], |r| {
        Ok((
            r.get(0)?,
            r.get(1)?,
            r.get(2)?,
            r.get(3)?,
            r.get::<_, String>(4)?,
        ))
    })?;
    let mut out = Vec::new();
    for row in rows {
        let (location, employee, employee_id, location_id, tz) = row?;
        out.push(Pair {
            location,
            employee,
            employee_id,
            location_id,
            tz: tz.parse::<Tz>().map_err(|_| "zone")?,
        });
    }
    Ok(out)
}

/// Runs both sides RUNS times, alternating which goes first, after one warm-up each;
/// returns the medians.
fn race(
    mut hearken: impl FnMut() -> BenchResult<u64>,
    mut raw: impl FnMut() -> BenchResult<u64>,
) -> BenchResult<(Duration, Duration)> {
    std::hint::black_box(hearken()?);
    std::hint::black_box(raw()?);
    let (mut h, mut r) = (Vec::new(), Vec::new());
    for i in 0..RUNS {
        let one = |f: &mut dyn FnMut() -> BenchResult<u64>| -> BenchResult<Duration> {
            let t = Instant::now();
            std::hint::black_box(f()?);
            Ok(t.elapsed())
        };
        if i % 2 == 0 {
            h.push(one(&mut hearken)?);
            r.push(one(&mut raw)?);
        } else {
            r.push(one(&mut raw)?);
            h.push(one(&mut hearken)?);
        }
    }
    h.sort();
    r.sort();
    Ok((h[RUNS / 2], r[RUNS / 2]))
}

enum Target {
    AtLeastFaster(f64),
    AtMostSlower(f64),
    None,
}

fn report(what: &str, h: Duration, r: Duration, target: Target) -> bool {
    let ratio = r.as_secs_f64() / h.as_secs_f64().max(1e-9);
    let (verdict, ok) = match target {
        Target::AtLeastFaster(x) => (format!("target raw/hearken >= {x}"), ratio >= x),
        Target::AtMostSlower(x) => (format!("target hearken/raw <= {x}"), 1.0 / ratio <= x),
        Target::None => ("no target".to_owned(), true),
    };
    println!(
        "{what}: hearken {:.3} ms | raw {:.3} ms | raw/hearken {ratio:.2} | {verdict}: {}",
        h.as_secs_f64() * 1e3,
        r.as_secs_f64() * 1e3,
        if ok { "met" } else { "MISSED" }
    );
    ok
}

/// Creates the template: locations and employees through the API, then the transactions,
/// their employees and the responses with one prepared statement each in one transaction,
/// then the rollups with `Engine::rebuild_rollups` (the V5 backfill's code).
fn build_template(path: &Path, responses: u64) -> BenchResult<()> {
    let started = Instant::now();
    let tmp = path.with_extension("tmp");
    let _ = std::fs::remove_file(&tmp);
    let options = EngineOptions {
        journal: JournalMode::Rollback,
        ..Default::default()
    };
    let engine = Engine::open_with(&tmp, &options)?;
    for i in 0..LOCATIONS {
        let id = format!("loc{i:02}");
        engine.upsert_location(&Location::new(
            &id,
            &format!("Store {i}"),
            ZONES[i % ZONES.len()],
        ))?;
    }
    // Employees arrive with a sync in real life; here they are written like the rest.
    drop(engine);
    let mut conn = Connection::open(&tmp)?;
    conn.pragma_update(None, "foreign_keys", true)?;
    let tx = conn.transaction()?;
    let mut locs: Vec<(i64, Tz)> = Vec::new();
    {
        let mut stmt = tx.prepare("SELECT id, time_zone FROM locations ORDER BY host_id")?;
        let rows = stmt.query_map([], |r| Ok((r.get::<_, i64>(0)?, r.get::<_, String>(1)?)))?;
        for row in rows {
            let (id, tz) = row?;
            locs.push((id, tz.parse::<Tz>().map_err(|_| "zone")?));
        }
    }
    let roles = [Role::Salesperson, Role::Technician, Role::Driver];
    let mut staff: Vec<Vec<i64>> = Vec::new();
    {
        let mut emp =
            tx.prepare("INSERT INTO employees (host_id, name, role) VALUES (?1, ?2, ?3)")?;
        for (i, _) in locs.iter().enumerate() {
            let mut ids = Vec::new();
            for k in 0..EMPLOYEES_PER_LOCATION {
                let e = Employee {
                    id: format!("loc{i:02}-e{k}"),
                    name: Some(format!("Employé {i}-{k}")),
                    role: roles[k % roles.len()],
                };
                emp.execute(params![e.id, e.name, e.role.as_str()])?;
                ids.push(tx.last_insert_rowid());
            }
            staff.push(ids);
        }
    }
    let start = Utc
        .with_ymd_and_hms(2025, 1, 1, 0, 0, 0)
        .single()
        .ok_or("start")?;
    let span_ms: u64 = 730 * 86_400_000;
    let mut rng = Rng(42);
    {
        let mut txn = tx.prepare(
            "INSERT INTO transactions (host_id, location_id, customer_id, kind, amount_minor,
               currency, finalized_at, excluded, first_seen_on)
             VALUES (?1, ?2, NULL, 'sale', ?3, 'EUR', ?4, 0, ?5)",
        )?;
        let mut link = tx.prepare(
            "INSERT INTO transaction_employees (transaction_id, employee_id) VALUES (?1, ?2)",
        )?;
        let mut resp = tx.prepare(
            "INSERT INTO responses (source, location_id, transaction_id, nps, rating, rating_scale,
               score_base10, unhappy, sentiment, facets, comment, answers, consent_to_reply,
               review_link_shown, created_at)
             VALUES ('receipt', ?1, ?2, ?3, ?4, ?5, ?6, ?7, 'unknown', '[]', ?8, '[]', 0, ?9, ?10)",
        )?;
        for n in 0..responses {
            let li = rng.below(LOCATIONS as u64) as usize;
            let (loc, tz) = locs[li];
            let at = start.timestamp_millis() + rng.below(span_ms) as i64;
            let day = DateTime::from_timestamp_millis(at)
                .ok_or("instant")?
                .with_timezone(&tz)
                .date_naive();
            txn.execute(params![
                format!("t{n}"),
                loc,
                1000 + rng.below(50_000) as i64,
                at - 3_600_000,
                day.to_string()
            ])?;
            let t = tx.last_insert_rowid();
            let credited = 1 + rng.below(3) as usize;
            let first = rng.below(EMPLOYEES_PER_LOCATION as u64) as usize;
            for k in 0..credited {
                link.execute(params![
                    t,
                    staff[li][(first + k * 3) % EMPLOYEES_PER_LOCATION]
                ])?;
            }
            // NPS skewed towards promoters, as stores see it; half also rate in stars.
            let nps = [10, 10, 9, 9, 9, 8, 8, 7, 6, 5, 3, 0][rng.below(12) as usize];
            let rating = (rng.below(2) == 0).then(|| 1 + rng.below(5) as u32);
            let comment = (rng.below(10) == 0).then_some("Très bien, merci ! 감사합니다");
            resp.execute(params![
                loc,
                t,
                nps,
                rating,
                rating.map(|_| 5),
                f64::from(nps),
                nps <= 6,
                comment,
                nps >= 9,
                at
            ])?;
        }
    }
    tx.commit()?;
    drop(conn);
    let engine = Engine::open_with(&tmp, &options)?;
    let rolled = Instant::now();
    let counted = engine.rebuild_rollups()?;
    let rollup_time = rolled.elapsed();
    drop(engine);
    std::fs::rename(&tmp, path)?;
    println!(
        "template: built {} in {:.1} s ({counted} responses; rollups rebuilt in {:.1} s)",
        path.display(),
        started.elapsed().as_secs_f64(),
        rollup_time.as_secs_f64()
    );
    Ok(())
}
