//! The guarded scenarios (docs/benchmarks.md "Performance guard"): how each store is built
//! (natively, before valgrind) and the one call that is measured.
//!
//! Every scenario has a `build` (writes a fixture database, run once, uninstrumented), a
//! `setup` (opens a copy and prepares the call's inputs, outside the measured region) and
//! a `measured_<name>` function, `#[inline(never)]`, whose name callgrind's
//! `--toggle-collect` matches: only instructions executed inside it are counted.
//! Everything is deterministic: fixed dates, a fixed generator, no clock.

use std::error::Error;
use std::path::Path;

use chrono::{DateTime, NaiveDate, TimeDelta, TimeZone, Utc};
use chrono_tz::Europe::Paris;
use hearken::{
    Bucket, ContactPolicy, Customer, Employee, Engine, EngineOptions, FeedbackQuery, JournalMode,
    Location, LocationPolicy, Period, ReportQuery, Role, SyncBatch, Transaction, TransactionKind,
};
use rusqlite::{Connection, params};

pub type GuardResult<T> = Result<T, Box<dyn Error>>;

/// The scenarios, in the order they start (longest first) and print.
pub const SCENARIOS: &[&str] = &["drain_2k", "sync_2k", "policy_2k", "night_2y", "dashboard"];

const LOCATION: &str = "paris-01";

/// SplitMix64: the same rows on every run.
pub struct Rng(pub u64);

impl Rng {
    pub fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    pub fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
}

/// 23:00 in Paris on `date`: the location's sync hour (S1).
fn night_of(date: NaiveDate) -> GuardResult<DateTime<Utc>> {
    Ok(Paris
        .from_local_datetime(&date.and_hms_opt(23, 0, 0).ok_or("time")?)
        .single()
        .ok_or("ambiguous local time")?
        .with_timezone(&Utc))
}

fn date(y: i32, m: u32, d: u32) -> GuardResult<NaiveDate> {
    Ok(NaiveDate::from_ymd_opt(y, m, d).ok_or("date")?)
}

fn new_store(path: &Path) -> GuardResult<Engine> {
    let engine = Engine::open(path)?;
    engine.upsert_location(&Location::new(LOCATION, "Boutique Paris", "Europe/Paris"))?;
    Ok(engine)
}

/// Customer `n` of the pool: an e-mail, a phone for most, a language.
fn customer(n: u64) -> Customer {
    let mut c = Customer::with_email(&format!("C{n:07}"), &format!("client.{n}@example.fr"));
    c.name = Some(format!("Client {n}"));
    c.phone =
        (n % 10 < 7).then(|| format!("06 {:02} {:02} {:02} {:02}", n % 97, n % 89, n % 83, n % 79));
    c.language = Some(["fr", "fr", "en", "de"][(n % 4) as usize].to_owned());
    c
}

/// One night's batch at the location: `sales` sales by customers drawn from
/// `0..pool` (every customer sent with its sales), 8 employees, 1-2 credited each.
fn night_batch(day: NaiveDate, sales: u64, pool: u64, rng: &mut Rng) -> GuardResult<SyncBatch> {
    let mut batch = SyncBatch::new(LOCATION, day);
    for e in 0..8 {
        batch.employees.push(Employee {
            id: format!("E{e:02}"),
            name: Some(format!("Vendeur {e}")),
            role: if e < 6 {
                Role::Salesperson
            } else {
                Role::Technician
            },
        });
    }
    let open = Paris
        .from_local_datetime(&day.and_hms_opt(9, 0, 0).ok_or("time")?)
        .single()
        .ok_or("ambiguous local time")?;
    let mut sent = std::collections::HashSet::new();
    for i in 0..sales {
        let n = rng.below(pool);
        if sent.insert(n) {
            batch.customers.push(customer(n));
        }
        let first = rng.below(8);
        let mut employees = vec![format!("E{first:02}")];
        if rng.below(10) < 3 {
            employees.push(format!("E{:02}", (first + 1) % 8));
        }
        batch.transactions.push(Transaction {
            id: format!("T{}-{i:05}", day.format("%Y%m%d")),
            customer: Some(format!("C{n:07}")),
            employees,
            kind: if rng.below(10) < 8 {
                TransactionKind::Sale
            } else {
                TransactionKind::Service
            },
            amount_minor: 500 + rng.below(50_000) as i64,
            currency: "EUR".to_owned(),
            finalized_at: Some(
                (open + TimeDelta::seconds(rng.below(11 * 3600) as i64)).fixed_offset(),
            ),
            exclude: false,
            refers_to: None,
        });
    }
    Ok(batch)
}

// ---------------------------------------------------------------------------------------
// Fixtures (built natively, before valgrind)

/// Writes the fixture database of `scenario` to `path`.
pub fn build(scenario: &str, path: &Path) -> GuardResult<()> {
    match scenario {
        "sync_2k" | "policy_2k" => {
            // Last night's sync: 1,500 sales by 1,200 of tonight's 2,400-customer pool.
            let engine = new_store(path)?;
            if scenario == "policy_2k" {
                // Every contact-policy rule on (P1-P7), as `cargo bench --bench sync`'s policy
                // run: tonight is also the relationship survey's first night.
                engine.set_contact_policy(&ContactPolicy {
                    one_person_per_contact: true,
                    min_gap_days: 120,
                    max_per_year: 3,
                    sample_percent: 90,
                    sample_salt: "guard-salt".into(),
                    delay_days: 2,
                    active_within_days: 30,
                    ..ContactPolicy::default()
                })?;
                engine.set_location_policy(&LocationPolicy {
                    location: LOCATION.into(),
                    daily_cap: Some(600),
                    ..LocationPolicy::default()
                })?;
            }
            let day = date(2026, 11, 22)?;
            engine.sync(
                &night_batch(day, 1_500, 1_200, &mut Rng(1))?,
                night_of(day)?,
            )?;
            Ok(())
        }
        "night_2y" => build_two_years(path),
        "drain_2k" => {
            // 2,000 invitations queued by one sync, due the next morning.
            let engine = new_store(path)?;
            let day = date(2026, 11, 20)?;
            let mut batch = SyncBatch::new(LOCATION, day);
            for i in 0..2_000u64 {
                batch.customers.push(customer(i));
                batch.transactions.push(Transaction {
                    id: format!("t{i}"),
                    customer: Some(format!("C{i:07}")),
                    employees: vec![],
                    kind: TransactionKind::Sale,
                    amount_minor: 1000,
                    currency: "EUR".into(),
                    finalized_at: Some("2026-11-20T12:00:00+01:00".parse()?),
                    exclude: false,
                    refers_to: None,
                });
            }
            let report = engine.sync(&batch, night_of(day)?)?;
            if report.invitations.len() != 2_000 {
                return Err(format!("drain_2k: {} invitations", report.invitations.len()).into());
            }
            Ok(())
        }
        "dashboard" => build_responses(path, 20_000),
        other => Err(format!("unknown scenario {other}").into()),
    }
}

/// Two years of nights (2024-11-23 to 2026-11-22), 40 sales a night from a pool of 3,000
/// customers, with the relationship survey on (P7, whose candidates query reads the
/// store's history every night). Each night is a real sync.
fn build_two_years(path: &Path) -> GuardResult<()> {
    let engine = new_store(path)?;
    let mut rng = Rng(2);
    let mut day = date(2024, 11, 23)?;
    let last = date(2026, 11, 22)?;
    // P7 is switched on for the last 45 nights only: on every night of the history it
    // would make the build quadratic (its candidates query reads every stored sale each
    // night), and its one-off first night is then behind us, so tonight is a usual night.
    let relationship_from = last - TimeDelta::days(45);
    while day <= last {
        if day == relationship_from {
            engine.set_contact_policy(&ContactPolicy {
                relationship_every_months: 12,
                active_within_days: 30,
                ..ContactPolicy::default()
            })?;
        }
        engine.sync(&night_batch(day, 40, 3_000, &mut rng)?, night_of(day)?)?;
        day = day.succ_opt().ok_or("date")?;
    }
    Ok(())
}

/// `responses` answers over 2025-01-01 to 2026-11-22 at 4 locations (10 employees each),
/// written with one prepared statement each (as benches/analytics.rs does), then the
/// rollups rebuilt by `Engine::rebuild_rollups`.
fn build_responses(path: &Path, responses: u64) -> GuardResult<()> {
    let options = EngineOptions {
        journal: JournalMode::Rollback,
        ..Default::default()
    };
    let zones = [
        "Europe/Paris",
        "Asia/Seoul",
        "America/New_York",
        "Europe/Paris",
    ];
    {
        let engine = Engine::open_with(path, &options)?;
        for (i, zone) in zones.iter().enumerate() {
            engine.upsert_location(&Location::new(
                &format!("loc{i}"),
                &format!("Store {i}"),
                zone,
            ))?;
        }
    }
    let mut conn = Connection::open(path)?;
    conn.pragma_update(None, "foreign_keys", true)?;
    let tx = conn.transaction()?;
    let mut locs: Vec<(i64, chrono_tz::Tz)> = Vec::new();
    {
        let mut stmt = tx.prepare("SELECT id, time_zone FROM locations ORDER BY host_id")?;
        let rows = stmt.query_map([], |r| Ok((r.get::<_, i64>(0)?, r.get::<_, String>(1)?)))?;
        for row in rows {
            let (id, tz) = row?;
            locs.push((id, tz.parse().map_err(|_| "zone")?));
        }
    }
    let mut staff: Vec<Vec<i64>> = Vec::new();
    {
        let mut emp =
            tx.prepare("INSERT INTO employees (host_id, name, role) VALUES (?1, ?2, ?3)")?;
        for i in 0..locs.len() {
            let mut ids = Vec::new();
            for k in 0..10 {
                emp.execute(params![
                    format!("loc{i}-e{k}"),
                    format!("Employé {i}-{k}"),
                    "salesperson"
                ])?;
                ids.push(tx.last_insert_rowid());
            }
            staff.push(ids);
        }
    }
    let start = Utc
        .with_ymd_and_hms(2025, 1, 1, 0, 0, 0)
        .single()
        .ok_or("start")?
        .timestamp_millis();
    let span_ms: u64 = 690 * 86_400_000;
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
            let li = rng.below(locs.len() as u64) as usize;
            let (loc, tz) = locs[li];
            let at = start + rng.below(span_ms) as i64;
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
            let first = rng.below(10) as usize;
            for k in 0..1 + rng.below(3) as usize {
                link.execute(params![t, staff[li][(first + k * 3) % 10]])?;
            }
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
    Engine::open_with(path, &options)?.rebuild_rollups()?;
    Ok(())
}

// ---------------------------------------------------------------------------------------
// The measured calls

/// A scenario ready to run: the engine on a copy of its fixture and the call's inputs.
pub enum Ready {
    Sync(Engine, SyncBatch, DateTime<Utc>),
    Drain(Engine, DateTime<Utc>),
    Dashboard(Engine, DateTime<Utc>),
}

/// Opens the copy `db` of `scenario`'s fixture and builds the call's inputs.
pub fn setup(scenario: &str, db: &Path) -> GuardResult<Ready> {
    let engine = Engine::open(db)?;
    Ok(match scenario {
        "sync_2k" | "policy_2k" => {
            if scenario == "policy_2k" {
                let mut p = engine.contact_policy()?;
                p.relationship_every_months = 12;
                engine.set_contact_policy(&p)?;
            }
            let day = date(2026, 11, 23)?;
            Ready::Sync(
                engine,
                night_batch(day, 2_000, 2_400, &mut Rng(3))?,
                night_of(day)?,
            )
        }
        "night_2y" => {
            let day = date(2026, 11, 23)?;
            Ready::Sync(
                engine,
                night_batch(day, 40, 3_000, &mut Rng(4))?,
                night_of(day)?,
            )
        }
        "drain_2k" => Ready::Drain(engine, "2026-11-21T09:00:00Z".parse()?),
        "dashboard" => Ready::Dashboard(engine, "2026-11-23T12:00:00Z".parse()?),
        other => return Err(format!("unknown scenario {other}").into()),
    })
}

/// Runs the measured call of a ready scenario; returns what it did, in a few words (the
/// guard prints it, so a scenario that silently stops doing its work is seen).
pub fn run(scenario: &str, ready: &Ready) -> GuardResult<String> {
    match (scenario, ready) {
        ("sync_2k", Ready::Sync(e, b, now)) => measured_sync_2k(e, b, *now),
        ("policy_2k", Ready::Sync(e, b, now)) => measured_policy_2k(e, b, *now),
        ("night_2y", Ready::Sync(e, b, now)) => measured_night_2y(e, b, *now),
        ("drain_2k", Ready::Drain(e, now)) => measured_drain_2k(e, *now),
        ("dashboard", Ready::Dashboard(e, now)) => measured_dashboard(e, *now),
        _ => Err(format!("scenario {scenario} was not set up").into()),
    }
}

fn sync_summary(r: &hearken::SyncReport) -> String {
    format!(
        "{} invited, {} skipped, {} relationship, {} customers created",
        r.invitations.len(),
        r.skipped.len(),
        r.relationship_invitations.len(),
        r.customers_created
    )
}

/// Tonight's sync of 2,000 sales (1,200 of whose customers were seen last night).
#[inline(never)]
pub fn measured_sync_2k(e: &Engine, batch: &SyncBatch, now: DateTime<Utc>) -> GuardResult<String> {
    // A body of its own: identical functions would be merged into one symbol.
    std::hint::black_box("sync_2k");
    Ok(sync_summary(&e.sync(batch, now)?))
}

/// `sync_2k` with every contact-policy rule on (P1-P7): tonight is the relationship
/// survey's first night (issue 25's policy/default ratio, now guarded).
#[inline(never)]
pub fn measured_policy_2k(
    e: &Engine,
    batch: &SyncBatch,
    now: DateTime<Utc>,
) -> GuardResult<String> {
    // A body of its own: identical functions would be merged into one symbol.
    std::hint::black_box("policy_2k");
    Ok(sync_summary(&e.sync(batch, now)?))
}

/// One night (40 sales) in a store with two years of nightly history and P7 on.
#[inline(never)]
pub fn measured_night_2y(e: &Engine, batch: &SyncBatch, now: DateTime<Utc>) -> GuardResult<String> {
    // A body of its own: identical functions would be merged into one symbol.
    std::hint::black_box("night_2y");
    Ok(sync_summary(&e.sync(batch, now)?))
}

/// Claims (which renders) and acks all 2,000 queued messages, 500 per claim.
#[inline(never)]
pub fn measured_drain_2k(e: &Engine, now: DateTime<Utc>) -> GuardResult<String> {
    // A body of its own: identical functions would be merged into one symbol.
    std::hint::black_box("drain_2k");
    let mut done = 0;
    loop {
        let messages = e.claim(500, now)?;
        if messages.is_empty() {
            break;
        }
        for m in &messages {
            e.ack(&m.message_id, now)?;
        }
        done += messages.len();
    }
    Ok(format!("{done} messages claimed, rendered and acked"))
}

/// What a dashboard screen asks for: this month's and all-time scores, the monthly
/// series, the response rate, the review funnel, this month's employee table and the
/// first page of the feedback list.
#[inline(never)]
pub fn measured_dashboard(e: &Engine, now: DateTime<Utc>) -> GuardResult<String> {
    // A body of its own: identical functions would be merged into one symbol.
    std::hint::black_box("dashboard");
    let month = ReportQuery {
        period: Period::CurrentMonth,
        ..ReportQuery::default()
    };
    let all = ReportQuery::default();
    let this_month = e.scores(&month, now)?;
    let ever = e.scores(&all, now)?;
    let series = e.score_series(&all, Bucket::Month, now)?;
    e.response_rate(&month, now)?;
    e.review_funnel(&month, now)?;
    let staff = e.employee_performance(&month, None, now)?;
    let page = e.feedback(&FeedbackQuery::default(), now)?;
    Ok(format!(
        "{} responses this month, {} ever, {} months, {} employees, {} feedback items",
        this_month.responses,
        ever.responses,
        series.len(),
        staff.len(),
        page.items.len()
    ))
}
