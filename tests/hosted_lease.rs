//! Mailer leases (H3, vendor-level): a fleet of mailer processes leases the stores that
//! have due work, one mailer per store at a time (`FOR UPDATE SKIP LOCKED`), and together
//! they hand out every message exactly once. Against scripts/pg-cluster.sh's cluster; each
//! test installs the schema in a schema of its own, so other tests' stores never show.
#![cfg(feature = "hosted")]

mod hosted_common;

use std::collections::BTreeSet;
use std::io::Write;
use std::path::PathBuf;
use std::process::Command;
use std::time::{Duration, Instant};

use chrono::{DateTime, TimeZone, Utc};
use hearken::hosted::{PgClient, StoreLease, lease_stores, p, schema};
use hearken::{Engine, Error, ErrorKind, StoreConfig};
use hosted_common::*;

/// The admin and engine URLs of a new schema of the test cluster, with hearken installed.
fn own_schema(test: &str) -> Option<(String, String)> {
    let (admin, engine) = urls(test)?;
    let name = unique("lease").replace('-', "_");
    PgClient::connect(&admin)
        .unwrap()
        .with_admin_transaction(|tx| {
            tx.batch_execute(&format!(
                "CREATE SCHEMA {name}; GRANT USAGE ON SCHEMA {name} TO hearken_engine"
            ))
        })
        .unwrap();
    let path = format!("options=-c%20search_path%3D{name}");
    let (admin, engine) = (format!("{admin}&{path}"), format!("{engine}&{path}"));
    schema::install(&admin).unwrap();
    Some((admin, engine))
}

/// A store with one location and one owner (user 1), and `n` staff notifications due at
/// `due_ms` (ids `m-<key>-<i>`). Its text id and key.
fn store_with_messages(admin: &PgClient, prefix: &str, n: i64, due_ms: i64) -> (String, i64) {
    let key = store_with_location(admin, prefix);
    admin
        .with_admin_transaction(|tx| {
            tx.execute(
                "INSERT INTO users (store_id, id, host_id, name, email, role, notify) \
                 VALUES ($1, 1, 'owner', 'Owner', 'owner@example.com', 'owner', 'all')",
                vec![p(key)],
            )?;
            tx.execute(
                "INSERT INTO outbox (store_id, id, message_id, kind, user_id, location_id, \
                   channel, language, params, status, due_at, created_at, updated_at) \
                 SELECT $1, i, 'm-' || $1::bigint || '-' || i, 'feedback_notification', 1, 1, 'email', \
                   'en', '{\"subject\": \"s\", \"body\": \"b\"}', 'pending', $3, $3, $3 \
                 FROM generate_series(1, $2::bigint) AS i",
                vec![p(key), p(n), p(due_ms)],
            )
        })
        .unwrap();
    let text = admin
        .with_admin_transaction(|tx| {
            Ok(tx
                .query_one(
                    "SELECT text_id FROM stores WHERE store_id = $1",
                    vec![p(key)],
                )?
                .get::<_, String>(0))
        })
        .unwrap();
    (text, key)
}

fn at(seconds: i64) -> DateTime<Utc> {
    Utc.timestamp_opt(1_780_000_000 + seconds, 0).unwrap()
}

fn ms(t: DateTime<Utc>) -> i64 {
    t.timestamp_millis()
}

fn stores(leases: &[StoreLease]) -> Vec<String> {
    leases.iter().map(|l| l.store().to_owned()).collect()
}

/// H3: only stores with due work are leased (a pending message due at `now`, a timer:
/// an escalation past the store's own delay), and a store another mailer holds is
/// skipped; not a store with messages due later, an empty one, or one whose escalation
/// is off.
#[test]
fn h3_leases_skip_stores_without_due_work_and_stores_another_mailer_holds() {
    let Some((admin_url, engine_url)) = own_schema("h3_leases_skip") else {
        return;
    };
    let admin = PgClient::connect(&admin_url).unwrap();
    let now = at(0);
    let (due, due_key) = store_with_messages(&admin, "due", 3, ms(now) - 1_000);
    let (later_store, _) = store_with_messages(&admin, "later", 3, ms(now) + 60_000);
    let _empty = store_with_location(&admin, "empty");
    // An open alert of two hours ago: escalated after one hour in one store, never in
    // the other (escalations are off by default).
    let alert = |key: i64| {
        admin
            .with_admin_transaction(|tx| {
                tx.execute(
                    "INSERT INTO alerts (store_id, id, kind, location_id, status, created_at, \
                       updated_at) VALUES ($1, 1, 'negative_feedback', 1, 'open', $2, $2)",
                    vec![p(key), p(ms(now) - 2 * 3_600_000)],
                )
            })
            .unwrap();
    };
    let escalating = store_with_location(&admin, "escalating");
    alert(escalating);
    admin
        .with_admin_transaction(|tx| {
            tx.execute(
                "INSERT INTO setting_values (store_id, grp, key, int_value) \
                 VALUES ($1, 'alerts', 'escalate_after_hours', 1)",
                vec![p(escalating)],
            )
        })
        .unwrap();
    let quiet = store_with_location(&admin, "quiet");
    alert(quiet);

    let lease_for = Duration::from_secs(120);
    let first = lease_stores(&engine_url, "mailer-1", now, 10, lease_for).unwrap();
    let keys: Vec<i64> = first.iter().map(StoreLease::key).collect();
    assert_eq!(keys, [due_key, escalating], "{first:?}");
    assert_eq!(first[0].store(), due);
    assert_eq!(first[0].mailer(), "mailer-1");
    assert_eq!(first[0].leased_until(), now + lease_for);
    // Held by mailer-1: another mailer (and mailer-1 itself) gets nothing.
    assert!(
        lease_stores(&engine_url, "mailer-2", now, 10, lease_for)
            .unwrap()
            .is_empty()
    );
    assert!(
        lease_stores(&engine_url, "mailer-1", now, 10, lease_for)
            .unwrap()
            .is_empty()
    );
    // The later store falls due in a minute; mailer-2 takes it then, and nothing else.
    assert!(
        lease_stores(&engine_url, "mailer-2", at(59), 10, lease_for)
            .unwrap()
            .is_empty()
    );
    let later = lease_stores(&engine_url, "mailer-2", at(60), 10, lease_for).unwrap();
    assert_eq!(stores(&later), std::slice::from_ref(&later_store));
    for l in first.into_iter().chain(later) {
        assert!(l.release().unwrap());
    }
    // Released: leased again, the store served longest ago first.
    let again = lease_stores(&engine_url, "mailer-3", at(61), 1, lease_for).unwrap();
    assert_eq!(again.len(), 1);
    assert_ne!(again[0].store(), later_store);
}

/// H3: the timers and lapsed deliveries make a store due exactly as a claim acts on them:
/// an in-flight message whose delivery lease ran out, a delivered invitation whose
/// reminder decision is ripe, a delivered message to slim; not one whose delivery lease
/// runs, a reminder not yet ripe or decided already, a message delivered lately. After a
/// claim in each leased store, none is due any more.
#[test]
fn h3_lapsed_deliveries_and_ripe_timers_make_a_store_due_until_claimed() {
    let Some((admin_url, engine_url)) = own_schema("h3_timers_due") else {
        return;
    };
    let admin = PgClient::connect(&admin_url).unwrap();
    let now = at(0);
    let day = 86_400_000;
    let sql = |key: i64, sql: &str, t: i64| {
        admin
            .with_admin_transaction(|tx| tx.execute(sql, vec![p(key), p(t)]))
            .unwrap();
    };
    let in_flight = |prefix: &str, lease_until: i64| {
        let (text, key) = store_with_messages(&admin, prefix, 1, ms(now) - day);
        sql(
            key,
            "UPDATE outbox SET status = 'in_flight', attempts = 1, lease_until = $2 \
             WHERE store_id = $1",
            lease_until,
        );
        (text, key)
    };
    let delivered = |prefix: &str, delivered_at: i64, decided: i64| {
        let key = store_with_location(&admin, prefix);
        sql(
            key,
            "INSERT INTO customers (store_id, id, host_id, include_in_communications, \
               created_at, updated_at) VALUES ($1, 1, 'c1', 1, $2, $2)",
            delivered_at,
        );
        sql(
            key,
            &format!(
                "INSERT INTO invitations (store_id, id, customer_id, location_id, trigger, \
                   channel, language, business_date, status, due_at, created_at, \
                   delivered_at, reminder_decided) VALUES ($1, 1, 1, 1, 'transaction', \
                   'email', 'en', '2026-05-01', 'delivered', $2, $2, $2, {decided})"
            ),
            delivered_at,
        );
        key
    };
    let acked = |prefix: &str, updated_at: i64| {
        let (_, key) = store_with_messages(&admin, prefix, 1, updated_at);
        sql(
            key,
            "UPDATE outbox SET status = 'acked', updated_at = $2 WHERE store_id = $1",
            updated_at,
        );
        key
    };
    let lapsed = in_flight("lapsed", ms(now) - 1).1;
    let _leased = in_flight("leased", ms(now) + 600_000);
    let ripe = delivered("ripe", ms(now) - 8 * day, 0);
    let _young = delivered("young", ms(now) - 3 * day, 0);
    let _decided = delivered("decided", ms(now) - 8 * day, 1);
    let old = acked("old", ms(now) - 91 * day);
    let _recent = acked("recent", ms(now) - 10 * day);

    let minute = Duration::from_secs(60);
    let leases = lease_stores(&engine_url, "m", now, 100, minute).unwrap();
    let keys: Vec<i64> = leases.iter().map(StoreLease::key).collect();
    assert_eq!(keys, [lapsed, ripe, old], "{leases:?}");
    for lease in leases {
        let engine = Engine::open_store(&StoreConfig::Postgres {
            url: engine_url.clone(),
            store: lease.store().to_owned(),
        })
        .unwrap();
        let claimed = engine.claim(10, now).unwrap();
        let ids: Vec<&str> = claimed.iter().map(|m| m.message_id.as_str()).collect();
        assert_eq!(ids.len(), usize::from(lease.key() == lapsed));
        engine.ack_many(&ids, now).unwrap();
        assert!(lease.release().unwrap());
    }
    let after = lease_stores(&engine_url, "m", now, 100, minute).unwrap();
    assert!(after.is_empty(), "{after:?}");
}

/// H3: a lease that ran out can be taken by another mailer; the first mailer can then
/// neither renew nor release it (conflict, false), while the new holder can.
#[test]
fn h3_an_expired_lease_can_be_taken_and_the_old_holder_loses_it() {
    let Some((admin_url, engine_url)) = own_schema("h3_expired_lease") else {
        return;
    };
    let admin = PgClient::connect(&admin_url).unwrap();
    let (store, _) = store_with_messages(&admin, "expiring", 1, ms(at(0)));
    let minute = Duration::from_secs(60);
    let mut old = lease_stores(&engine_url, "old", at(0), 5, minute).unwrap();
    assert_eq!(stores(&old), std::slice::from_ref(&store));
    // Renewed before it ran out: good till 90 s.
    old[0].renew(at(30), minute).unwrap();
    assert_eq!(old[0].leased_until(), at(90));
    assert!(
        lease_stores(&engine_url, "new", at(89), 5, minute)
            .unwrap()
            .is_empty()
    );
    let mut new = lease_stores(&engine_url, "new", at(90), 5, minute).unwrap();
    assert_eq!(stores(&new), std::slice::from_ref(&store));
    let mut old = old.pop().unwrap();
    let e = old.renew(at(91), minute).unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Conflict, "{e}");
    assert!(!old.release().unwrap());
    let mut new = new.pop().unwrap();
    new.renew(at(100), minute).unwrap();
    assert!(new.release().unwrap());
    let back = lease_stores(&engine_url, "old", at(101), 5, minute).unwrap();
    assert_eq!(stores(&back), [store]);
}

/// H3: bad arguments are invalid input naming the field, never echoing the value.
#[test]
fn h3_bad_lease_arguments_name_their_field() {
    let Some((_, engine_url)) = own_schema("h3_bad_lease_arguments") else {
        return;
    };
    let minute = Duration::from_secs(60);
    let field = |e: Error| match e {
        Error::Invalid(problems) => {
            let text = format!("{problems:?}");
            assert!(!text.contains("bad\u{7}name"), "{text}");
            problems[0].field.clone()
        }
        other => panic!("not invalid input: {other}"),
    };
    let e = lease_stores(&engine_url, "bad\u{7}name", at(0), 1, minute).unwrap_err();
    assert_eq!(field(e), "mailer");
    let e = lease_stores(&engine_url, "", at(0), 1, minute).unwrap_err();
    assert_eq!(field(e), "mailer");
    let e = lease_stores(&engine_url, "m", at(0), 0, minute).unwrap_err();
    assert_eq!(field(e), "limit");
    let e = lease_stores(&engine_url, "m", at(0), 1, Duration::ZERO).unwrap_err();
    assert_eq!(field(e), "lease_for");
    let before_epoch = Utc.timestamp_opt(-10, 0).unwrap();
    let e = lease_stores(&engine_url, "m", before_epoch, 1, minute).unwrap_err();
    assert_eq!(field(e), "now");
}

/// H2, H3: the engine role (what mailers connect as) reaches the lease table only
/// through the leasing functions: reading or writing it directly is refused.
#[test]
fn h3_the_engine_role_touches_leases_only_through_the_functions() {
    let Some((_, engine_url)) = own_schema("h3_engine_role_leases") else {
        return;
    };
    let engine = PgClient::connect(&engine_url).unwrap();
    for sql in [
        "SELECT count(*) FROM store_leases",
        "UPDATE store_leases SET leased_by = NULL, leased_until = NULL",
        "DELETE FROM store_leases",
    ] {
        let e = engine
            .with_admin_transaction(|tx| tx.batch_execute(sql))
            .unwrap_err();
        assert!(e.to_string().contains("42501"), "{sql}: {e}");
    }
}

const STORES: i64 = 8;
const PER_STORE: i64 = 1_250;
const MAILERS: usize = 4;
const CHILD: &str = "HEARKEN_LEASE_CHILD_OUT";

/// H3, the test: 4 mailer processes lease stores and claim 10 000 messages of 8
/// stores; no message is claimed twice and together they claim every one.
#[test]
fn h3_four_mailer_processes_claim_10k_messages_exactly_once() {
    if std::env::var_os(CHILD).is_some() {
        return;
    }
    let Some((admin_url, engine_url)) = own_schema("h3_four_mailer_processes") else {
        return;
    };
    let started = Instant::now();
    let admin = PgClient::connect(&admin_url).unwrap();
    let due = ms(Utc::now()) - 60_000;
    let mut expected = BTreeSet::new();
    for _ in 0..STORES {
        let (_, key) = store_with_messages(&admin, "fleet", PER_STORE, due);
        expected.extend((1..=PER_STORE).map(|i| format!("m-{key}-{i}")));
    }
    let seeded = started.elapsed();
    let dir = std::env::temp_dir().join(unique("hearken-lease"));
    std::fs::create_dir_all(&dir).unwrap();
    let exe = std::env::current_exe().unwrap();
    let children: Vec<(PathBuf, std::process::Child)> = (0..MAILERS)
        .map(|i| {
            let out = dir.join(format!("mailer-{i}.txt"));
            // The URL travels in the environment, never on a command line.
            let child = Command::new(&exe)
                .args([
                    "h3_mailer_child",
                    "--exact",
                    "--test-threads=1",
                    "--nocapture",
                ])
                .env(CHILD, &out)
                .env("HEARKEN_LEASE_CHILD_URL", &engine_url)
                .env("HEARKEN_LEASE_CHILD_NAME", format!("mailer-{i}"))
                .stdout(std::process::Stdio::null())
                .spawn()
                .unwrap();
            (out, child)
        })
        .collect();
    let mut all = Vec::new();
    let mut per_mailer = Vec::new();
    for (out, mut child) in children {
        assert!(child.wait().unwrap().success(), "a mailer failed");
        let text = std::fs::read_to_string(&out).unwrap();
        let ids: Vec<String> = text.lines().map(str::to_owned).collect();
        per_mailer.push(ids.len());
        all.extend(ids);
    }
    let unique_ids: BTreeSet<String> = all.iter().cloned().collect();
    assert_eq!(all.len(), unique_ids.len(), "a message was claimed twice");
    assert_eq!(unique_ids, expected, "every message claimed");
    let _ = writeln!(
        std::io::stderr(),
        "h3: {} messages, {STORES} stores, {MAILERS} mailers {per_mailer:?}: seeded in {seeded:?}, all in {:?}",
        all.len(),
        started.elapsed()
    );
    let acked: i64 = admin
        .with_admin_transaction(|tx| {
            Ok(tx
                .query_one("SELECT count(*) FROM outbox WHERE status = 'acked'", vec![])?
                .get(0))
        })
        .unwrap();
    assert_eq!(acked, STORES * PER_STORE);
    let _ = std::fs::remove_dir_all(&dir);
}

/// One mailer process of the test above (does nothing unless its parent started it):
/// leases a store, claims at most 200 of its messages, records them, acks them, releases
/// the store; until no store with due work is left to lease.
#[test]
fn h3_mailer_child() {
    let Some(out) = std::env::var_os(CHILD) else {
        return;
    };
    let url = std::env::var("HEARKEN_LEASE_CHILD_URL").unwrap();
    let name = std::env::var("HEARKEN_LEASE_CHILD_NAME").unwrap();
    let mut file = std::io::BufWriter::new(std::fs::File::create(out).unwrap());
    let mut idle = 0;
    while idle < 3 {
        let leases = lease_stores(&url, &name, Utc::now(), 1, Duration::from_secs(30)).unwrap();
        if leases.is_empty() {
            idle += 1;
            std::thread::sleep(Duration::from_millis(20));
            continue;
        }
        idle = 0;
        for lease in leases {
            let engine = Engine::open_store(&StoreConfig::Postgres {
                url: url.clone(),
                store: lease.store().to_owned(),
            })
            .unwrap();
            let claimed = engine.claim(200, Utc::now()).unwrap();
            let ids: Vec<&str> = claimed.iter().map(|m| m.message_id.as_str()).collect();
            for id in &ids {
                writeln!(file, "{id}").unwrap();
            }
            file.flush().unwrap();
            engine.ack_many(&ids, Utc::now()).unwrap();
            lease.release().unwrap();
        }
    }
}
