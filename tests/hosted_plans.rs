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
//! Which index the planner picks among several is its cost choice, and the small stores
//! of a test database make any index leading with `store_id` look as cheap as the
//! selective one; so this test proves that an index exists for each statement, not that
//! it is the one a store with years of history would use (tests/query_plans.rs holds the
//! statements of the SQLite store to that).
#![cfg(feature = "hosted")]

#[path = "../benches/scenarios/history.rs"]
mod history;
mod hosted_common;

use std::collections::BTreeSet;
use std::sync::{Arc, Mutex};

use chrono::TimeDelta;
use hearken::hosted::schema::{self, STORE_TABLES};
use hearken::hosted::{PgClient, Tx};
use hearken::{
    AlertKind, AlertSettings, ContactPolicy, Engine, FeedbackSettings, NotifyLevel, StoreConfig,
    User, UserRole,
};
use history::History;
use hosted_common::*;

const SMALL: History = History {
    customers: 120,
    sales_per_night: 30,
    answer_percent: 40,
};

/// Nights run before the traced ones (history for the planner), then traced nights.
const WARM_NIGHTS: u32 = 20;
const TRACED_NIGHTS: u32 = 10;

/// Every timer on: review and non-respondent reminders, escalations to an owner.
fn every_timer(e: &Engine) {
    e.set_feedback_settings(&FeedbackSettings {
        non_respondent_reminder_days: 3,
        ..FeedbackSettings::default()
    })
    .unwrap();
    e.set_alert_settings(&AlertSettings {
        escalate_after_hours: 24,
        ..AlertSettings::default()
    })
    .unwrap();
    let mut owner = User::new("owner", "Camille", "camille@example.com", UserRole::Owner);
    owner.notify = NotifyLevel::All;
    e.upsert_user(&owner).unwrap();
    e.assign_alerts(AlertKind::UnhappyCustomer, None, "owner")
        .unwrap();
}

fn night(e: &Engine, n: u32) {
    history::sync_night(e, &SMALL, n);
    history::morning(e, &SMALL, n);
    // The timers on their own, as a host without claims runs them.
    e.run_due(history::morning_at(n) + TimeDelta::hours(6))
        .unwrap();
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
    every_timer(&e);
    (key, e)
}

/// Runs the warm-up nights, analyses, then records every statement of the traced nights.
fn traced_statements(admin: &PgClient, e: &Engine) -> BTreeSet<String> {
    for n in 0..WARM_NIGHTS {
        night(e, n);
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
        night(e, n);
    }
    e.trace_sql(None).unwrap();
    sink.lock().unwrap().drain(..).collect()
}

/// The generic plan of `sql`, as the engine's role with the store set, no Seq Scan unless
/// nothing else can answer.
fn generic_plan(tx: &mut Tx, sql: &str) -> hearken::Result<Vec<String>> {
    tx.batch_execute(
        "SET LOCAL enable_seqscan = off; SET LOCAL plan_cache_mode = force_generic_plan",
    )?;
    tx.batch_execute(&format!("PREPARE h4_plan AS {sql}"))?;
    let n: i32 = tx
        .query_one(
            "SELECT coalesce(cardinality(parameter_types), 0) FROM pg_prepared_statements \
             WHERE name = 'h4_plan'",
            vec![],
        )?
        .get(0);
    let nulls = vec!["NULL"; n as usize].join(", ");
    let args = if n == 0 {
        String::new()
    } else {
        format!("({nulls})")
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
fn seq_scans(plan: &[String]) -> Vec<String> {
    plan.iter()
        .filter_map(|line| {
            let table = seq_scanned(line)?;
            STORE_TABLES
                .contains(&table)
                .then(|| format!("{table}: {}", line.trim()))
        })
        .collect()
}

fn check(engine_url: &str, key: i64, statements: &BTreeSet<String>) {
    let client = PgClient::connect(engine_url).unwrap();
    let mut failures = Vec::new();
    let mut checked = 0;
    for sql in statements {
        checked += 1;
        let plan = client.with_read_transaction(key, |tx| generic_plan(tx, sql));
        let one_line = sql.split_whitespace().collect::<Vec<_>>().join(" ");
        match plan {
            Ok(plan) => {
                if std::env::var_os("HEARKEN_PRINT_PLANS").is_some() {
                    println!("{one_line}\n  {}\n", plan.join("\n  "));
                }
                for scan in seq_scans(&plan) {
                    failures.push(format!("{scan}\n    in: {one_line}"));
                }
            }
            Err(e) => failures.push(format!("cannot explain ({e}): {one_line}")),
        }
    }
    assert!(checked > 30, "only {checked} statements traced");
    assert!(
        failures.is_empty(),
        "{} Seq Scans of store tables left among {checked} statements:\n{}",
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
    let statements = traced_statements(&admin, &e);
    check(&engine_url, key, &statements);
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
    let statements = traced_statements(&admin, &e);
    check(&engine_url, key, &statements);
}
