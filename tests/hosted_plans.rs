//! H4 with the planner's word: every statement a night or a morning runs on PostgreSQL
//! has a store-leading index to read each store table through.
//!
//! The scenario of tests/query_plans.rs (`benches/scenarios/history.rs`: nights, mornings
//! with claims, acks and clicks, the timers on their own) runs on a PostgreSQL store as
//! the engine's role while the handle records the text of every statement
//! (`Engine::trace_sql`). The tables are analysed, then each distinct statement is
//! prepared as the engine's role with the store set and explained as its generic plan
//! (`plan_cache_mode = force_generic_plan`: one plan for every value of its parameters)
//! with `enable_seqscan = off`: a Seq Scan of any store table that remains there has no
//! index the planner can use, and fails the test, naming the statement.
//!
//! Which index the planner picks among several is its cost choice, and small stores make
//! any index leading with `store_id` look as cheap as the selective one. So one more test
//! builds a store with more history (3,000 customers, 200 sales a night) and holds the
//! plans of its traced nights to more: no read of a growing table through an index whose
//! only condition is `store_id` (the whole store's rows), unless a Limit or an
//! `EXISTS (SELECT 1 FROM t WHERE store_id = $1)` stops it at the first row. Those plans
//! are custom ones for that store (the other parameters given sample values of their
//! types), so the planner sizes the store from its statistics, not from the average store
//! of the database (which the behaviour suite fills with small ones).
#![cfg(feature = "hosted")]

#[path = "../benches/scenarios/history.rs"]
mod history;
mod hosted_common;

use std::collections::BTreeSet;
use std::sync::{Arc, Mutex};

use chrono::TimeDelta;
use hearken::hosted::schema::{self, STORE_TABLES};
use hearken::hosted::{PgClient, Tx};
use hearken::{ContactPolicy, Engine, StoreConfig};
use history::History;
use hosted_common::*;

const SMALL: History = History {
    customers: 120,
    sales_per_night: 30,
    answer_percent: 40,
};

/// Enough history for the planner to prefer the selective index.
const LARGER: History = History {
    customers: 3_000,
    sales_per_night: 200,
    answer_percent: 30,
};

/// Nights run before the traced ones (history for the planner), then traced nights.
const WARM_NIGHTS: u32 = 20;
const TRACED_NIGHTS: u32 = 10;

/// Tables whose size is configuration (settings, locations, staff, templates, calendars,
/// the store's counters, the host's webhook subscriptions), not history, as in
/// tests/query_plans.rs.
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
    "store_counters",
    "event_meta",
    "webhook_subscriptions",
];

/// Partial indexes the scenario leaves empty, which the planner then reads whole by
/// `store_id` alone at no cost: `transactions_refers_to` holds refunds and voids only,
/// and the scenario has none (with some, `refers_to = ANY(..)` is its condition).
const EMPTY_PARTIAL_INDEXES: &[&str] = &["transactions_refers_to"];

fn night(e: &Engine, h: &History, n: u32) {
    history::sync_night(e, h, n);
    history::morning(e, h, n);
    // The timers on their own, as a host without claims runs them.
    e.run_due(history::morning_at(n) + TimeDelta::hours(6))
        .unwrap();
    // A host mirroring the event feed (D1) reads it after each night and morning.
    e.events(None, 1000).unwrap();
}

/// A store with the scenario's set-up, its key and the handle.
fn store(admin: &PgClient, engine_url: &str, prefix: &str) -> (i64, Engine) {
    let text = unique(prefix);
    let key = schema::create_store(admin, &text).unwrap();
    let e = Engine::open_store(&StoreConfig::Postgres {
        url: engine_url.to_owned(),
        store: text,
    })
    .unwrap();
    history::set_up(&e);
    history::every_timer(&e);
    (key, e)
}

/// Runs the warm-up nights, analyses, then records every statement of the traced nights.
fn traced_statements(admin: &PgClient, e: &Engine, h: &History) -> BTreeSet<String> {
    for n in 0..WARM_NIGHTS {
        night(e, h, n);
    }
    admin
        .with_admin_transaction(|tx| {
            for t in STORE_TABLES {
                tx.batch_execute(&format!("ANALYZE {t}"))?;
            }
            Ok(())
        })
        .unwrap();
    let sink = Arc::new(Mutex::new(Vec::new()));
    e.trace_sql(Some(sink.clone())).unwrap();
    for n in WARM_NIGHTS..WARM_NIGHTS + TRACED_NIGHTS {
        night(e, h, n);
    }
    e.trace_sql(None).unwrap();
    sink.lock().unwrap().drain(..).collect()
}

/// How a statement is planned: as its generic plan (`None`: one plan for every value of
/// its parameters), or as the custom plan of store `Some(key)`, the other parameters
/// given plausible values of their types (the planner then knows this store's share of
/// each table from its statistics, whatever the other stores of the database).
type Planning = Option<i64>;

/// A plausible literal of a parameter type, for a custom plan.
fn sample_literal(ty: &str) -> String {
    let value = match ty.trim_end_matches("[]") {
        "bigint" | "integer" | "smallint" | "double precision" | "numeric" | "real" => "1",
        "text" | "character varying" => "x",
        "boolean" => "true",
        "date" => "2027-01-01",
        "bytea" => "\\x00",
        "timestamp with time zone" => "2027-01-01 00:00:00+00",
        _ => return "NULL".into(),
    };
    if ty.ends_with("[]") {
        format!("'{{{value},{value}}}'::{ty}")
    } else {
        format!("'{value}'::{ty}")
    }
}

/// The plan of `sql`, as the engine's role with the store set, no Seq Scan unless
/// nothing else can answer.
fn plan_of(tx: &mut Tx, sql: &str, planning: Planning) -> hearken::Result<Vec<String>> {
    let mode = if planning.is_some() {
        "force_custom_plan"
    } else {
        "force_generic_plan"
    };
    tx.batch_execute(&format!(
        "SET LOCAL enable_seqscan = off; SET LOCAL plan_cache_mode = {mode}"
    ))?;
    tx.batch_execute(&format!("PREPARE h4_plan AS {sql}"))?;
    let types: Vec<String> = tx
        .query_one(
            "SELECT coalesce(parameter_types::text[], '{}') FROM pg_prepared_statements \
             WHERE name = 'h4_plan'",
            vec![],
        )?
        .get(0);
    let args: Vec<String> = types
        .iter()
        .enumerate()
        .map(|(i, ty)| match (i, planning) {
            // Every statement's $1 is its store (tests/layout.rs).
            (0, Some(key)) => key.to_string(),
            (_, Some(_)) => sample_literal(ty),
            (_, None) => "NULL".into(),
        })
        .collect();
    let args = if args.is_empty() {
        String::new()
    } else {
        format!("({})", args.join(", "))
    };
    let lines = tx
        .query(&format!("EXPLAIN EXECUTE h4_plan{args}"), vec![])?
        .iter()
        .map(|r| r.get::<_, String>(0))
        .collect();
    tx.batch_execute("DEALLOCATE h4_plan")?;
    Ok(lines)
}

/// The table of a `Seq Scan on t [alias]` plan line.
fn seq_scanned(line: &str) -> Option<&str> {
    let line = line.trim_start().trim_start_matches("->").trim_start();
    line.strip_prefix("Seq Scan on ")?.split_whitespace().next()
}

/// The Seq Scans of store tables left in a plan, as "table: plan line" (configuration
/// tables too: every store table has its primary key, so none should remain).
fn seq_scans(_sql: &str, plan: &[String]) -> Vec<String> {
    plan.iter()
        .filter_map(|line| {
            let table = seq_scanned(line)?;
            STORE_TABLES
                .contains(&table)
                .then(|| format!("{table}: {}", line.trim()))
        })
        .collect()
}

/// A plan line without its indent and arrow.
fn node(line: &str) -> &str {
    line.trim_start().trim_start_matches("->").trim_start()
}

fn indent(line: &str) -> usize {
    line.len() - line.trim_start().len()
}

/// The reads of growing tables in a plan that take the store's every row: a Seq Scan, or
/// an index scan whose only condition is `store_id` (a bitmap heap scan's conditions are
/// on its Bitmap Index Scans), unless a Limit above it or an emptiness test stops it.
fn whole_store_reads(sql: &str, plan: &[String]) -> Vec<String> {
    let mut out = Vec::new();
    // A sample value that empties the statement hides its scans: a plan must remain.
    if plan.iter().any(|l| node(l) == "One-Time Filter: false") {
        out.push("planned away (a sample parameter value made it empty)".to_owned());
    }
    for (i, line) in plan.iter().enumerate() {
        let n = node(line);
        let (how, rest) = if let Some(r) = n.strip_prefix("Seq Scan on ") {
            ("seq", r)
        } else if n.starts_with("Index Scan") || n.starts_with("Index Only Scan") {
            ("index", n.split_once(" on ").map_or("", |x| x.1))
        } else if let Some(r) = n.strip_prefix("Bitmap Heap Scan on ") {
            ("bitmap", r)
        } else {
            continue;
        };
        let table = rest.split_whitespace().next().unwrap_or_default();
        if !STORE_TABLES.contains(&table)
            || CONFIGURATION_TABLES.contains(&table)
            || sql.contains(&format!(
                "EXISTS (SELECT 1 FROM {table} WHERE store_id = $1)"
            ))
            || EMPTY_PARTIAL_INDEXES
                .iter()
                .any(|x| n.contains(&format!(" using {x} on ")))
        {
            continue;
        }
        let limited = plan[..i]
            .iter()
            .any(|p| indent(p) < indent(line) && node(p).starts_with("Limit"));
        let mut conds = Vec::new();
        for d in plan[i + 1..]
            .iter()
            .take_while(|d| indent(d) > indent(line))
        {
            if how != "bitmap" && d.trim_start().starts_with("->") {
                break;
            }
            let t = node(d);
            if let Some(c) = t
                .strip_prefix("Index Cond:")
                .or_else(|| t.strip_prefix("Recheck Cond:"))
            {
                conds.push(c.to_owned());
            }
        }
        // `store_id = $1` or `store_id = '25'::bigint`, with or without an alias.
        let store_only = |c: &String| {
            c.replace(['(', ')'], "").split(" AND ").all(|part| {
                let column = part.split_whitespace().next().unwrap_or_default();
                column.rsplit('.').next() == Some("store_id")
            })
        };
        let whole = how == "seq" || conds.is_empty() || conds.iter().all(store_only);
        if whole && !limited {
            out.push(format!("{table}: {}", line.trim()));
        }
    }
    out
}

fn check(
    engine_url: &str,
    key: i64,
    statements: &BTreeSet<String>,
    planning: Planning,
    judge: fn(&str, &[String]) -> Vec<String>,
) {
    let client = PgClient::connect(engine_url).unwrap();
    let mut failures = Vec::new();
    let mut checked = 0;
    for sql in statements {
        checked += 1;
        let plan = client.with_read_transaction(key, |tx| plan_of(tx, sql, planning));
        let one_line = sql.split_whitespace().collect::<Vec<_>>().join(" ");
        match plan {
            Ok(plan) => {
                if std::env::var_os("HEARKEN_PRINT_PLANS").is_some() {
                    println!("{one_line}\n  {}\n", plan.join("\n  "));
                }
                for scan in judge(sql, &plan) {
                    failures.push(format!("{scan}\n    in: {one_line}"));
                }
            }
            Err(e) => failures.push(format!("cannot explain ({e}): {one_line}")),
        }
    }
    assert!(checked > 30, "only {checked} statements traced");
    assert!(
        failures.is_empty(),
        "{} bad reads among {checked} statements:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

/// H4: every statement of nights, mornings and the timers has a store-leading index for
/// each store table it reads.
#[test]
fn h4_nights_and_mornings_use_the_store_leading_indexes() {
    let Some((admin_url, engine_url)) = urls("h4_nights_and_mornings") else {
        return;
    };
    installed(&admin_url);
    let admin = PgClient::connect(&admin_url).unwrap();
    let (key, e) = store(&admin, &engine_url, "h4-plans");
    let statements = traced_statements(&admin, &e, &SMALL);
    check(&engine_url, key, &statements, None, seq_scans);
}

/// H4 under the contact policy (people by contact, caps, sampling, quotas, relationship
/// surveys): the same.
#[test]
fn h4_nights_under_the_contact_policy_use_the_store_leading_indexes() {
    let Some((admin_url, engine_url)) = urls("h4_contact_policy") else {
        return;
    };
    installed(&admin_url);
    let admin = PgClient::connect(&admin_url).unwrap();
    let (key, e) = store(&admin, &engine_url, "h4-policy");
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
    let statements = traced_statements(&admin, &e, &SMALL);
    check(&engine_url, key, &statements, None, seq_scans);
}

/// H4 in a store with more history: no statement of its nights and mornings reads a
/// growing table's every row of the store (the planner takes the selective index).
#[test]
fn h4_a_store_with_history_reads_no_growing_table_whole() {
    let Some((admin_url, engine_url)) = urls("h4_store_with_history") else {
        return;
    };
    installed(&admin_url);
    let admin = PgClient::connect(&admin_url).unwrap();
    let (key, e) = store(&admin, &engine_url, "h4-history");
    let statements = traced_statements(&admin, &e, &LARGER);
    check(&engine_url, key, &statements, Some(key), whole_store_reads);
}
