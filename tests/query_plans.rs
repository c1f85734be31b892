//! No statement a night or a morning runs scans a table that grows with history.
//!
//! The scenario (`benches/scenarios/history.rs`) runs nights and mornings through the public
//! API with every timer and the contact policy switched on, while the engine records the
//! text of every statement its connections start (`Engine::trace_sql`). Each distinct
//! statement's `EXPLAIN QUERY PLAN` is then read: a full `SCAN` of any table but the
//! configuration tables below (whose size the operator sets, not time) fails the test,
//! naming the statement. New tables count as growing until listed here.

#[path = "../benches/scenarios/history.rs"]
mod history;

use std::collections::BTreeSet;
use std::sync::{Arc, Mutex};

use chrono::TimeDelta;
use hearken::{ContactPolicy, Engine};
use history::History;
use rusqlite::{Connection, OpenFlags};

/// Tables whose size is configuration (settings, locations, staff, templates, calendars),
/// not history: a scan of them costs the same after three years as on the first day.
const CONFIGURATION_TABLES: &[&str] = &[
    "setting_values",
    "locations",
    "employees",
    "users",
    "user_locations",
    "user_notify_locations",
    "alert_assignments",
    "templates",
    "survey",
    "location_feedback",
    "location_policies",
    "calendar_days",
    "closed_dates",
    // D2: the host's subscriptions; each event append reads the active ones through their
    // partial index (disabled ones are not walked).
    "webhook_subscriptions",
    "sqlite_schema",
    "sqlite_master",
];

/// The table a plan line's `SCAN` reads, if it reads one (not a subquery, CTE or constant).
fn scanned_table(line: &str) -> Option<&str> {
    let rest = line.trim().strip_prefix("SCAN ")?;
    let name = rest.split_whitespace().next()?;
    (name != "CONSTANT" && !name.starts_with('(')).then_some(name)
}

/// Full scans of growing tables in `sql`'s plan, as "table: plan line".
fn growing_scans(c: &Connection, sql: &str) -> Vec<String> {
    let mut stmt = c
        .prepare(&format!("EXPLAIN QUERY PLAN {sql}"))
        .unwrap_or_else(|e| panic!("{e}: {sql}"));
    let nulls = std::iter::repeat_n(rusqlite::types::Null, stmt.parameter_count());
    let lines: Vec<String> = stmt
        .query_map(rusqlite::params_from_iter(nulls), |r| r.get::<_, String>(3))
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap();
    if std::env::var_os("HEARKEN_PRINT_PLANS").is_some() {
        println!(
            "{}\n  {}\n",
            sql.split_whitespace().collect::<Vec<_>>().join(" "),
            lines.join("\n  ")
        );
    }
    // A name in a plan is the table or its alias: resolve aliases from the text.
    let mut out = Vec::new();
    for line in &lines {
        let Some(name) = scanned_table(line) else {
            continue;
        };
        let table = table_of(c, sql, name);
        let Some(table) = table else { continue };
        // `EXISTS (SELECT 1 FROM t)` with no condition stops at the first row: O(1).
        let emptiness = format!("EXISTS (SELECT 1 FROM {table})");
        if !CONFIGURATION_TABLES.contains(&table.as_str())
            && !sql.contains(&emptiness)
            && !settles_a_pending_violation(c, sql, &table)
        {
            out.push(format!("{table}: {}", line.trim()));
        }
    }
    out
}

/// Whether a scan of `table` in `sql` only settles a pending foreign-key violation: in an
/// `INSERT` of several rows into a parent table, SQLite plans a scan of each child table
/// whose foreign key names it, for the case where an earlier row of the same statement left
/// a violation that this row's key would resolve. `OP_FkIfZero` skips it while no violation
/// is pending, and a violation fails the write anyway: the scan never runs on a night that
/// succeeds.
fn settles_a_pending_violation(c: &Connection, sql: &str, table: &str) -> bool {
    let words: Vec<&str> = sql.split_whitespace().collect();
    let Some(into) = words.iter().position(|w| w.eq_ignore_ascii_case("INTO")) else {
        return false;
    };
    let is_insert = words
        .first()
        .is_some_and(|w| w.eq_ignore_ascii_case("INSERT"));
    let Some(target) = words.get(into + 1).filter(|_| is_insert) else {
        return false;
    };
    let child: i64 = c
        .query_row(
            "SELECT count(*) FROM pragma_foreign_key_list(?1) WHERE \"table\" = ?2",
            [table, *target],
            |r| r.get(0),
        )
        .unwrap();
    let guarded = c
        .prepare(&format!("EXPLAIN {sql}"))
        .unwrap()
        .query_map(
            rusqlite::params_from_iter(std::iter::repeat_n(
                rusqlite::types::Null,
                c.prepare(sql).unwrap().parameter_count(),
            )),
            |r| r.get::<_, String>(1),
        )
        .unwrap()
        .any(|op| op.is_ok_and(|op| op == "FkIfZero"));
    child > 0 && guarded
}

/// The stored table behind `name` (a table or an alias in `sql`), or `None` for a CTE,
/// a view or a table-valued function.
fn table_of(c: &Connection, sql: &str, name: &str) -> Option<String> {
    let is_table = |n: &str| -> bool {
        c.query_row(
            "SELECT count(*) FROM sqlite_schema WHERE type = 'table' AND name = ?1",
            [n],
            |r| r.get::<_, i64>(0),
        )
        .unwrap()
            > 0
    };
    if is_table(name) {
        return Some(name.to_owned());
    }
    // `FROM table alias` or `JOIN table AS alias`.
    let words: Vec<&str> = sql
        .split(|ch: char| ch.is_whitespace() || ch == ',' || ch == '(' || ch == ')')
        .filter(|w| !w.is_empty())
        .collect();
    for (i, w) in words.iter().enumerate() {
        let alias = match words.get(i + 1) {
            Some(a) if a.eq_ignore_ascii_case("AS") => words.get(i + 2),
            other => other,
        };
        if alias == Some(&name) && is_table(w) {
            return Some((*w).to_owned());
        }
    }
    None
}

/// Statements that are no query (transaction control, pragmas), the trigger lines of a
/// trace, and checks of a whole table by design, which start with a comment (`-- whole-store
/// check`: debug builds compare `person_latest` with the invitations after every batch).
fn is_control(sql: &str) -> bool {
    let head = sql.trim_start().to_ascii_uppercase();
    [
        "BEGIN",
        "COMMIT",
        "ROLLBACK",
        "END",
        "SAVEPOINT",
        "RELEASE",
        "PRAGMA",
        "--",
    ]
    .iter()
    .any(|k| head.starts_with(k))
}

/// Runs `nights` nights and mornings of the scenario, recording every statement.
fn trace_history(e: &Engine, h: &History, nights: u32) -> BTreeSet<String> {
    let sink = Arc::new(Mutex::new(Vec::new()));
    e.trace_sql(Some(sink.clone())).unwrap();
    for night in 0..nights {
        history::sync_night(e, h, night);
        history::morning(e, h, night);
        // The timers on their own, as a host without claims runs them.
        e.run_due(history::morning_at(night) + TimeDelta::hours(6))
            .unwrap();
        // A host mirroring the event feed (D1) reads it after each night and morning.
        e.events(None, 1000).unwrap();
    }
    e.trace_sql(None).unwrap();
    sink.lock().unwrap().drain(..).collect()
}

fn check(path: &std::path::Path, statements: &BTreeSet<String>) {
    check_except(path, statements, &[]);
}

/// [`check`], but a scan of `table` in a statement containing `fragment` is accepted, for
/// each `(table, fragment, why)` of `accepted`.
fn check_except(
    path: &std::path::Path,
    statements: &BTreeSet<String>,
    accepted: &[(&str, &str, &str)],
) {
    let c = Connection::open_with_flags(path, OpenFlags::SQLITE_OPEN_READ_ONLY).unwrap();
    let mut failures = Vec::new();
    let mut checked = 0;
    for sql in statements.iter().filter(|s| !is_control(s)) {
        checked += 1;
        let scans = growing_scans(&c, sql).into_iter().filter(|scan| {
            !accepted.iter().any(|(table, fragment, _)| {
                scan.starts_with(&format!("{table}:")) && sql.contains(fragment)
            })
        });
        for scan in scans {
            failures.push(format!(
                "{scan}\n    in: {}",
                sql.split_whitespace().collect::<Vec<_>>().join(" ")
            ));
        }
    }
    assert!(checked > 30, "only {checked} statements traced");
    assert!(
        failures.is_empty(),
        "{} full scans of growing tables among {checked} statements:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

fn engine(dir: &tempfile::TempDir) -> (Engine, std::path::PathBuf) {
    let path = dir.path().join("store.db");
    let e = Engine::open(&path).unwrap();
    history::set_up(&e);
    (e, path)
}

const SMALL: History = History {
    customers: 120,
    sales_per_night: 30,
    answer_percent: 40,
};

#[test]
fn nights_and_mornings_scan_no_growing_table() {
    let dir = tempfile::tempdir().unwrap();
    let (e, path) = engine(&dir);
    history::every_timer(&e);
    let statements = trace_history(&e, &SMALL, 40);
    check(&path, &statements);
}

#[test]
fn nights_under_the_contact_policy_scan_no_growing_table() {
    let dir = tempfile::tempdir().unwrap();
    let (e, path) = engine(&dir);
    history::every_timer(&e);
    e.set_contact_policy(&ContactPolicy {
        one_person_per_contact: true,
        min_gap_days: 20,
        max_per_year: 6,
        sample_percent: 90,
        sample_salt: "plan-salt".into(),
        monthly_response_quota: 1_000_000,
        delay_days: 2,
        retry_after_no_answer_months: 3,
        relationship_every_months: 1,
        active_within_days: 30,
        ..ContactPolicy::default()
    })
    .unwrap();
    let statements = trace_history(&e, &SMALL, 40);
    check(&path, &statements);
}

/// D6: with retention on, the timers' sweep for inactive customers reads a window of
/// customers by row id and each one's history by its own indexes: no growing table is
/// scanned. (Nobody is inactive for 100 years here, so only the sweep runs, not erasure.)
#[test]
fn d6_the_retention_sweep_scans_no_growing_table() {
    let dir = tempfile::tempdir().unwrap();
    let (e, path) = engine(&dir);
    history::every_timer(&e);
    let mut d = e.delivery_settings().unwrap();
    d.retention_months = Some(1200);
    e.set_delivery_settings(&d).unwrap();
    let statements = trace_history(&e, &SMALL, 10);
    assert!(
        statements.iter().any(|s| s.contains("erased_at IS NULL")),
        "the retention sweep ran"
    );
    check(&path, &statements);
}

/// D6, D7: the data-subject calls on a store with history — the customer screen, consent
/// history, explain, cancelling, both exports, and erasure by customer and by contact —
/// find a customer's rows through indexes: none scans a table that grows with history.
#[test]
fn d6_d7_subject_calls_and_erasure_scan_no_growing_table() {
    let dir = tempfile::tempdir().unwrap();
    let (e, path) = engine(&dir);
    history::every_timer(&e);
    let at = history::morning_at(12);
    // The nights build the history; only the subject calls are traced.
    let _ = trace_history(&e, &SMALL, 12);
    let sink = Arc::new(Mutex::new(Vec::new()));
    e.trace_sql(Some(sink.clone())).unwrap();
    for c in ["c1", "c2", "c3"] {
        e.contact_state(c, at).unwrap();
        e.consent_history(c).unwrap();
        e.explain(c, at).unwrap();
        e.customer_export(c).unwrap();
        e.cancel_pending(c, at).unwrap();
    }
    e.erase_customer("c1", at).unwrap();
    e.contact_export("client2@example.com").unwrap();
    e.erase_contact("client2@example.com", at).unwrap();
    // By a phone: hearken's own texts to it are found by the phone (T2, D4).
    e.erase_contact("+33600000001", at).unwrap();
    e.trace_sql(None).unwrap();
    let statements: BTreeSet<String> = sink.lock().unwrap().drain(..).collect();
    assert!(
        statements.iter().any(|s| s.contains("erased_at")),
        "the erasure ran"
    );
    assert!(
        statements.iter().any(|s| s.contains("sms_keyword_reply")),
        "the erasure by phone ran"
    );
    check_except(&path, &statements, SUBJECT_REQUEST_SCANS);
}

/// Scans a data-subject request may make, once per request of one person (never in a
/// night, a morning or the retention sweep, whose statements the tests above check): an
/// index for them would cost every night and every claim instead.
const SUBJECT_REQUEST_SCANS: &[(&str, &str, &str)] = &[
    (
        "customers",
        "email_norm = ?2",
        "by contact (D6): an index of customers by e-mail and phone costs a sync_2k +8.8 % \
         pages written and night_2y +16 % (perf guard, schema 14 draft)",
    ),
    (
        "link_tokens",
        "FROM link_tokens WHERE customer_id",
        "the access export's list of links (D6): two tokens are minted per claimed message, \
         and an index by customer would be written twice per message of the drain",
    ),
];
