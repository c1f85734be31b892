//! H3 with two processes on one PostgreSQL store (scripts/pg-cluster.sh), as the engine's
//! role: the test binary runs itself twice as child processes (`h3_child`, which does
//! nothing unless the parent set `HEARKEN_H3_DIR`), started together behind a barrier.
//!
//! - Both sync the same nights of the same location at once, with overlapping batches
//!   (half of each night's customers, and their sales, are in both): E4 and E5 hold (one
//!   invitation per customer however many of its sales the two batches carry, none twice
//!   within the cooldown), and the invitation ids are gap-free (1 to N).
//! - Both run the timers (`run_due`) at the same `now`, several times over: exactly one
//!   reminder is queued per due invitation (R2).
#![cfg(feature = "hosted")]

mod common;
mod hosted_common;

use std::collections::{BTreeSet, HashMap};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use chrono::{DateTime, NaiveDate, TimeDelta, Utc};
use common::{at, day, sale};
use hearken::hosted::{PgClient, schema};
use hearken::{Customer, Engine, FeedbackSettings, Location, MessageKind, StoreConfig, SyncBatch};
use hosted_common::*;

const CHILD: &str = "h3_child";
const ENV_DIR: &str = "HEARKEN_H3_DIR";
const ENV_STORE: &str = "HEARKEN_H3_STORE";
const ENV_ROLE: &str = "HEARKEN_H3_ROLE";
/// Nights each process syncs (all within one cooldown of 3 months).
const NIGHTS: u32 = 12;
/// Customers of a night per process; half of them are in the other process's batch too.
const PER_BATCH: usize = 20;
/// Customers in all (each night's window moves along them).
const PEOPLE: usize = 60;
const FIRST_NIGHT: &str = "2026-11-01";
/// How many times each process runs the timers at the same instant.
const TIMER_RUNS: u32 = 5;
const TIMEOUT: Duration = Duration::from_secs(300);

fn night(n: u32) -> NaiveDate {
    day(FIRST_NIGHT) + TimeDelta::days(i64::from(n))
}

/// The batch process `role` (`x` or `y`) syncs on night `n`: a window of customers that
/// overlaps the other process's by half, each customer with one sale (the same sale, host
/// id and all, when both batches hold it) and, for every third one, a second sale (E5).
fn night_batch(role: &str, n: u32) -> SyncBatch {
    let shift = if role == "x" { 0 } else { PER_BATCH / 2 };
    let date = night(n);
    let mut b = SyncBatch::new("paris", date);
    for i in 0..PER_BATCH {
        let k = (n as usize * 7 + shift + i) % PEOPLE;
        let c = format!("c{k}");
        b.customers
            .push(Customer::with_email(&c, &format!("{c}@example.com")));
        b.transactions.push(sale(
            &format!("t-{n}-{c}"),
            Some(&c),
            Some(&format!("{date}T10:00:00+01:00")),
        ));
        if k.is_multiple_of(3) {
            b.transactions.push(sale(
                &format!("t-{n}-{c}-later"),
                Some(&c),
                Some(&format!("{date}T18:00:00+01:00")),
            ));
        }
    }
    b
}

fn sync_at(n: u32) -> DateTime<Utc> {
    at(&format!("{}T22:00:00Z", night(n)))
}

/// Every customer the batches of both processes carry.
fn everyone() -> BTreeSet<String> {
    let mut out = BTreeSet::new();
    for n in 0..NIGHTS {
        for role in ["x", "y"] {
            out.extend(night_batch(role, n).customers.into_iter().map(|c| c.id));
        }
    }
    out
}

/// After every night is synced and the invitations delivered.
fn delivered_at() -> DateTime<Utc> {
    at(&format!("{}T09:00:00Z", night(NIGHTS + 1)))
}

/// When the non-respondent reminders (3 days after delivery) are due.
fn reminders_at() -> DateTime<Utc> {
    delivered_at() + TimeDelta::days(4)
}

fn open(engine_url: &str, store: &str) -> Engine {
    Engine::open_store(&StoreConfig::Postgres {
        url: engine_url.to_owned(),
        store: store.to_owned(),
    })
    .unwrap()
}

/// Starts two children with `roles` behind a barrier (each writes `ready-<role>`, then
/// waits for `go`), waits for both, and returns what each wrote; with `must_overlap`,
/// checks that their runs overlapped in time.
fn run_pair(dir: &Path, store: &str, roles: [&str; 2], must_overlap: bool) -> Vec<String> {
    for f in ["go", "ready-x", "ready-y", "ready-due-x", "ready-due-y"] {
        let _ = std::fs::remove_file(dir.join(f));
    }
    let exe = std::env::current_exe().unwrap();
    let children: Vec<_> = roles
        .iter()
        .map(|role| {
            Command::new(&exe)
                .args(["--exact", CHILD, "--nocapture", "--test-threads=1"])
                .env(ENV_DIR, dir)
                .env(ENV_STORE, store)
                .env(ENV_ROLE, role)
                .stdin(Stdio::null())
                .stdout(Stdio::null())
                .stderr(Stdio::piped())
                .spawn()
                .unwrap()
        })
        .collect();
    let deadline = Instant::now() + TIMEOUT;
    while !roles
        .iter()
        .all(|r| dir.join(format!("ready-{r}")).exists())
    {
        assert!(Instant::now() < deadline, "the children never got ready");
        std::thread::sleep(Duration::from_millis(5));
    }
    std::fs::write(dir.join("go"), "").unwrap();
    let mut outs = Vec::new();
    let mut spans = Vec::new();
    for (child, role) in children.into_iter().zip(roles) {
        let out = child.wait_with_output().unwrap();
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(out.status.success(), "child {role} failed:\n{stderr}");
        outs.push(std::fs::read_to_string(dir.join(format!("out-{role}"))).unwrap());
        let span = std::fs::read_to_string(dir.join(format!("span-{role}"))).unwrap();
        let (from, to) = span.split_once(' ').unwrap();
        spans.push((from.parse::<u128>().unwrap(), to.parse::<u128>().unwrap()));
    }
    // The two really ran at once: each started before the other ended. (The timer runs
    // are too short to insist on it on a loaded machine; they start together anyway.)
    assert!(
        !must_overlap || (spans[0].0 < spans[1].1 && spans[1].0 < spans[0].1),
        "the children did not overlap: {spans:?}"
    );
    outs
}

/// The child process: syncs its nights (`x`, `y`) or runs the timers (`due-x`, `due-y`),
/// writing what it saw to `out-<role>`.
#[test]
fn h3_child() {
    let Ok(dir) = std::env::var(ENV_DIR) else {
        return;
    };
    let dir = PathBuf::from(dir);
    let store = std::env::var(ENV_STORE).unwrap();
    let role = std::env::var(ENV_ROLE).unwrap();
    let engine_url = std::env::var("HEARKEN_TEST_PG_ENGINE_URL").unwrap();
    let engine = open(&engine_url, &store);
    std::fs::write(dir.join(format!("ready-{role}")), "").unwrap();
    let deadline = Instant::now() + TIMEOUT;
    while !dir.join("go").exists() {
        assert!(Instant::now() < deadline, "no go signal");
        std::thread::sleep(Duration::from_millis(1));
    }
    let epoch_ms = || {
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap()
            .as_millis()
    };
    let started = epoch_ms();
    let mut out = String::new();
    match role.as_str() {
        "x" | "y" => {
            for n in 0..NIGHTS {
                let report = engine.sync(&night_batch(&role, n), sync_at(n)).unwrap();
                for i in &report.invitations {
                    out.push_str(&format!("{} {}\n", i.invitation_id, i.customer));
                }
            }
        }
        _ => {
            for _ in 0..TIMER_RUNS {
                let due = engine.run_due(reminders_at()).unwrap();
                out.push_str(&format!("{}\n", due.reminders));
            }
        }
    }
    std::fs::write(
        dir.join(format!("span-{role}")),
        format!("{started} {}", epoch_ms()),
    )
    .unwrap();
    std::fs::write(dir.join(format!("out-{role}")), out).unwrap();
}

/// Claims everything due at `now` (acking each), by kind: (invitation id, customer).
fn drain(e: &Engine, now: DateTime<Utc>) -> HashMap<MessageKind, Vec<(i64, String)>> {
    let mut out: HashMap<MessageKind, Vec<(i64, String)>> = HashMap::new();
    loop {
        let claimed = e.claim(100, now).unwrap();
        if claimed.is_empty() {
            return out;
        }
        for m in claimed {
            e.ack(&m.message_id, now).unwrap();
            out.entry(m.kind)
                .or_default()
                .push((m.invitation_id.unwrap(), m.customer.unwrap()));
        }
    }
}

/// H3, E4, E5, R2: two processes syncing one store at once with overlapping batches invite
/// each customer once, with gap-free invitation ids; two processes running the timers
/// at the same instant queue one reminder per due invitation.
#[test]
fn h3_two_processes_sync_and_run_timers_on_one_store() {
    let Some((admin_url, engine_url)) = urls("h3_two_processes") else {
        return;
    };
    installed(&admin_url);
    let admin = PgClient::connect(&admin_url).unwrap();
    let store = unique("h3");
    schema::create_store(&admin, &store).unwrap();
    let e = open(&engine_url, &store);
    e.upsert_location(&Location::new("paris", "Boutique Paris", "Europe/Paris"))
        .unwrap();
    e.set_feedback_settings(&FeedbackSettings {
        non_respondent_reminder_days: 3,
        ..FeedbackSettings::default()
    })
    .unwrap();
    let dir = tempfile::tempdir().unwrap();

    // Two processes sync the same nights at once.
    let outs = run_pair(dir.path(), &store, ["x", "y"], true);
    let mut reported: Vec<(i64, String)> = outs
        .iter()
        .flat_map(|o| o.lines())
        .map(|l| {
            let (id, c) = l.split_once(' ').unwrap();
            (id.parse().unwrap(), c.to_owned())
        })
        .collect();
    reported.sort();
    let people = everyone();
    let ids: Vec<i64> = reported.iter().map(|r| r.0).collect();
    assert_eq!(
        ids,
        (1..=people.len() as i64).collect::<Vec<_>>(),
        "one invitation per customer (E4, E5), ids gap-free (H3)"
    );
    let invited: BTreeSet<String> = reported.iter().map(|r| r.1.clone()).collect();
    assert_eq!(invited, people, "every customer invited once");
    // D1: the two processes' events are gap-free and in commit order: one
    // invitation.created per invitation, in the order of their ids.
    let hearken::EventsPage::Events { events, .. } = e.events(None, 1000).unwrap() else {
        panic!("a fresh read of the feed");
    };
    let seqs: Vec<i64> = (events.iter())
        .map(|ev| ev.cursor.rsplit_once('.').unwrap().1.parse().unwrap())
        .collect();
    assert_eq!(
        seqs,
        (1..=events.len() as i64).collect::<Vec<_>>(),
        "event cursors gap-free (D1, H3)"
    );
    let created: Vec<i64> = (events.iter())
        .filter(|ev| ev.kind == "invitation.created.v1")
        .map(|ev| {
            let data: serde_json::Value = serde_json::from_str(&ev.data).unwrap();
            data["invitation_id"].as_i64().unwrap()
        })
        .collect();
    assert_eq!(
        created, ids,
        "one event per invitation, in commit order (D1)"
    );

    // What the store holds agrees: one invitation message per customer.
    let sent = drain(&e, delivered_at());
    let mut invitations = sent
        .get(&MessageKind::SurveyInvitation)
        .cloned()
        .unwrap_or_default();
    invitations.sort();
    assert_eq!(invitations, reported);
    assert_eq!(sent.len(), 1, "only invitations: {:?}", sent.keys());

    // Two processes run the timers at the same instant, several times each.
    let outs = run_pair(dir.path(), &store, ["due-x", "due-y"], false);
    let queued: u32 = outs
        .iter()
        .flat_map(|o| o.lines())
        .map(|l| l.parse::<u32>().unwrap())
        .sum();
    assert_eq!(queued as usize, people.len(), "reminders queued in all");
    let sent = drain(&e, reminders_at());
    let mut reminders = sent
        .get(&MessageKind::SurveyReminder)
        .cloned()
        .unwrap_or_default();
    reminders.sort();
    assert_eq!(reminders, reported, "one reminder per due invitation (R2)");
    assert_eq!(sent.len(), 1, "only reminders: {:?}", sent.keys());
}
