//! Hosted mode behind PgBouncer in transaction mode (H3): scripts/pgbouncer.sh in front of
//! scripts/pg-cluster.sh's cluster. Each transaction may run on another server connection,
//! so nothing may outlive one: the store is set per transaction, the store's lock is
//! transaction-level, and behind PgBouncer 1.18 (Debian 12's, which does not track
//! prepared statements) the client prepares and closes its statements within each call
//! (`statement_cache=off` in the URL), inside its transaction; the one statement outside
//! any transaction (opening a store) is unnamed.
//!
//! Without HEARKEN_TEST_PGBOUNCER_ENGINE_URL the tests print SKIPPED and pass, unless
//! HEARKEN_TEST_REQUIRE_PGBOUNCER is set.
#![cfg(feature = "hosted")]

mod common;
mod hosted_common;

use std::io::Write;
use std::time::Duration;

use common::{at, batch, paris_night, sale};
use hearken::hosted::{PgClient, lease_stores, p, schema};
use hearken::{Engine, Location, StoreConfig};
use hosted_common::*;

/// The admin URL (straight to the cluster) and the engine's URL through PgBouncer, with
/// the statement cache off; the schema installed.
fn through_pgbouncer(test: &str) -> Option<(String, String)> {
    let (admin, _) = urls(test)?;
    let Ok(bouncer) = std::env::var("HEARKEN_TEST_PGBOUNCER_ENGINE_URL") else {
        let message = format!(
            "*** SKIPPED {test}: HEARKEN_TEST_PGBOUNCER_ENGINE_URL is not set.\n\
             *** Run: scripts/pgbouncer.sh start && eval \"$(scripts/pgbouncer.sh env)\""
        );
        assert!(
            std::env::var_os("HEARKEN_TEST_REQUIRE_PGBOUNCER").is_none(),
            "HEARKEN_TEST_REQUIRE_PGBOUNCER is set: {message}"
        );
        let _ = writeln!(std::io::stderr(), "{message}");
        return None;
    };
    installed(&admin);
    Some((admin, with_param(&bouncer, "statement_cache", "off")))
}

/// A new store with the Paris location, opened through PgBouncer.
fn store(admin: &PgClient, url: &str, prefix: &str) -> (Engine, String) {
    let id = unique(prefix);
    schema::create_store(admin, &id).unwrap();
    let engine = Engine::open_store(&StoreConfig::Postgres {
        url: url.to_owned(),
        store: id.clone(),
    })
    .unwrap();
    engine
        .upsert_location(&Location::new("paris", "Boutique Paris", "Europe/Paris"))
        .unwrap();
    (engine, id)
}

/// A night of `date` at Paris: one sale each for the customers `<prefix>-a`, `<prefix>-b`.
fn night(e: &Engine, prefix: &str, date: &str) {
    let customers = [format!("{prefix}-a"), format!("{prefix}-b")];
    let sales = customers
        .iter()
        .enumerate()
        .map(|(i, c)| {
            sale(
                &format!("t-{c}-{date}"),
                Some(c),
                Some(&format!("{date}T1{i}:00:00+01:00")),
            )
        })
        .collect();
    let names: Vec<&str> = customers.iter().map(String::as_str).collect();
    let report = e
        .sync(&batch("paris", date, &names, sales), paris_night(date))
        .unwrap();
    assert_eq!(report.invitations.len(), 2, "{report:?}");
}

/// Claims what is due the morning after `date` and acks it; the recipients.
fn morning(e: &Engine, date: &str) -> Vec<String> {
    let due = at(&format!("{date}T09:00:00Z")) + chrono::TimeDelta::days(1);
    let claimed = e.claim(10, due).unwrap();
    let ids: Vec<&str> = claimed.iter().map(|m| m.message_id.as_str()).collect();
    let outcomes = e.ack_many(&ids, due).unwrap();
    assert_eq!(outcomes.len(), ids.len());
    assert!(e.claim(10, due).unwrap().is_empty(), "acked: never again");
    let mut to: Vec<String> = claimed.into_iter().map(|m| m.recipient).collect();
    to.sort();
    to
}

/// H3: an engine opened through PgBouncer in transaction mode syncs a night, claims its
/// invitations and acks them, as it does on the cluster itself; the mailers' lease call
/// works through it too.
#[test]
fn h3_behind_pgbouncer_a_night_sync_claim_and_ack_work() {
    let Some((admin_url, url)) = through_pgbouncer("h3_behind_pgbouncer_a_night") else {
        return;
    };
    let admin = PgClient::connect(&admin_url).unwrap();
    let (e, _) = store(&admin, &url, "bouncer");
    night(&e, "night", "2026-11-20");
    assert_eq!(
        morning(&e, "2026-11-20"),
        ["night-a@example.com", "night-b@example.com"]
    );
    // The leasing call is one transaction too (its leases given back at once: the
    // database is shared with the other tests).
    for lease in lease_stores(
        &url,
        "bouncer-mailer",
        at("2026-11-21T09:00:00Z"),
        2,
        Duration::from_secs(5),
    )
    .unwrap()
    {
        assert!(lease.release().unwrap());
    }
}

/// H3: TLS from the client to PgBouncer is optional there: the same calls work over
/// verify-full (the CA and the name 127.0.0.1 checked) and without TLS.
#[test]
fn h3_behind_pgbouncer_with_and_without_client_tls() {
    let Some((admin_url, url)) = through_pgbouncer("h3_behind_pgbouncer_tls") else {
        return;
    };
    let admin = PgClient::connect(&admin_url).unwrap();
    let key = store_with_location(&admin, "bouncer-tls");
    for url in [url.clone(), with_param(&url, "sslmode", "disable")] {
        let client = PgClient::connect(&url).unwrap();
        let names: i64 = client
            .with_transaction(key, |tx| {
                Ok(tx
                    .query_one(
                        "SELECT count(*) FROM locations WHERE store_id = $1",
                        vec![p(key)],
                    )?
                    .get(0))
            })
            .unwrap();
        assert_eq!(names, 1);
    }
}

/// H3: two handles of different stores interleave through PgBouncer, each transaction on
/// whichever server connection PgBouncer gives it: every transaction sees its own store
/// (the store is set per transaction), and two engines' nights and mornings alternate
/// without one store's rows showing in the other.
#[test]
fn h3_behind_pgbouncer_two_stores_interleave() {
    let Some((admin_url, url)) = through_pgbouncer("h3_behind_pgbouncer_two_stores") else {
        return;
    };
    let admin = PgClient::connect(&admin_url).unwrap();
    let (a, _) = store(&admin, &url, "bouncer-a");
    let (b, _) = store(&admin, &url, "bouncer-b");
    for (i, date) in ["2026-11-20", "2026-11-21", "2026-11-22"]
        .iter()
        .enumerate()
    {
        night(&a, &format!("a{i}"), date);
        night(&b, &format!("b{i}"), date);
        assert_eq!(
            morning(&a, date),
            [format!("a{i}-a@example.com"), format!("a{i}-b@example.com")]
        );
        assert_eq!(
            morning(&b, date),
            [format!("b{i}-a@example.com"), format!("b{i}-b@example.com")]
        );
    }
    // Raw transactions of two stores from two threads at once, each checking that the
    // store set at its start is the one it sees at its end.
    let keys = [
        store_with_location(&admin, "bouncer-x"),
        store_with_location(&admin, "bouncer-y"),
    ];
    let threads: Vec<_> = keys
        .into_iter()
        .map(|key| {
            let client = PgClient::connect(&url).unwrap();
            std::thread::spawn(move || {
                for _ in 0..100 {
                    client
                        .with_transaction(key, |tx| {
                            let seen = |tx: &mut hearken::hosted::Tx| -> hearken::Result<String> {
                                Ok(tx
                                    .query_one("SELECT current_setting('hearken.store')", vec![])?
                                    .get(0))
                            };
                            assert_eq!(seen(tx)?, key.to_string());
                            let n: i64 = tx
                                .query_one("SELECT count(*) FROM locations", vec![])?
                                .get(0);
                            assert_eq!(n, 1, "row-level security: only its own location");
                            assert_eq!(seen(tx)?, key.to_string());
                            Ok(())
                        })
                        .unwrap();
                }
            })
        })
        .collect();
    for t in threads {
        t.join().unwrap();
    }
}

/// H3: opening a store is one statement outside any transaction (the schema version and
/// the store's key); behind PgBouncer in transaction mode each protocol message of such a
/// statement may reach another server connection, so it must not rely on a named prepared
/// statement (a Parse on one server connection and its Bind on another failed with 26000
/// "prepared statement does not exist", and a statement left behind on a server
/// connection with 42P05 "already exists" in a later run). Eight threads open the same
/// store 40 times each and read from it between opens (transactions interleaved with the
/// opens on PgBouncer's server connections); every open finds the store, and a store that
/// does not exist is still refused.
#[test]
fn h3_behind_pgbouncer_opens_from_many_threads() {
    let Some((admin_url, url)) = through_pgbouncer("h3_behind_pgbouncer_opens") else {
        return;
    };
    let admin = PgClient::connect(&admin_url).unwrap();
    let (_, id) = store(&admin, &url, "bouncer-open");
    let threads: Vec<_> = (0..8)
        .map(|t| {
            let (url, id) = (url.clone(), id.clone());
            std::thread::spawn(move || {
                for i in 0..40 {
                    let config = StoreConfig::Postgres {
                        url: url.clone(),
                        store: id.clone(),
                    };
                    let engine = Engine::open_store(&config)
                        .unwrap_or_else(|e| panic!("thread {t}, open {i}: {e}"));
                    if i % 2 == 0 {
                        let names: Vec<String> = engine
                            .locations()
                            .unwrap()
                            .into_iter()
                            .map(|l| l.id)
                            .collect();
                        assert_eq!(names, ["paris"], "thread {t}, open {i}");
                    }
                }
                let missing = StoreConfig::Postgres {
                    url,
                    store: format!("{id}-missing-{t}"),
                };
                assert!(
                    matches!(
                        Engine::open_store(&missing),
                        Err(hearken::Error::NotFound { what: "store", .. })
                    ),
                    "thread {t}: a store that does not exist"
                );
            })
        })
        .collect();
    for t in threads {
        t.join().unwrap();
    }
}
