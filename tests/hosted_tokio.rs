//! H6: the synchronous hosted client called directly from inside a task of the host's
//! tokio runtime, `current_thread` included (where the `postgres` crate panics with
//! "Cannot start a runtime from within a runtime"): it neither panics nor deadlocks.
//! Its own test binary, so hearken's runtime is first started from inside the host's.
#![cfg(feature = "hosted")]

mod hosted_common;

use std::sync::mpsc;
use std::time::Duration;

use hearken::hosted::{PgClient, p};
use hosted_common::*;

fn count_locations(client: &PgClient, key: i64) -> i64 {
    client
        .with_read_transaction(key, |tx| {
            Ok(tx
                .query_one(
                    "SELECT count(*) FROM locations WHERE store_id = $1",
                    vec![p(key)],
                )?
                .get(0))
        })
        .unwrap()
}

#[test]
fn h6_sync_calls_from_inside_a_host_tokio_runtime() {
    let Some((admin, engine)) = urls("h6_sync_calls_from_tokio") else {
        return;
    };
    // Watchdog: a deadlock fails the test instead of hanging it.
    let (done, finished) = mpsc::channel::<()>();
    std::thread::spawn(move || {
        if finished.recv_timeout(Duration::from_secs(120)).is_err() {
            eprintln!("h6_sync_calls_from_tokio: deadlocked");
            std::process::exit(1);
        }
    });

    let host = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let (engine2, admin2) = (engine.clone(), admin.clone());
    // Everything, hearken's own runtime included, starts inside the host's block_on.
    let key = host.block_on(async move {
        hearken::hosted::schema::install(&admin2).unwrap();
        let admin_client = PgClient::connect(&admin2).unwrap();
        let key = store_with_location(&admin_client, "tokio");
        let client = PgClient::connect(&engine2).unwrap();
        assert_eq!(count_locations(&client, key), 1);
        // From a spawned task of the current_thread runtime, twice in a row.
        let c = client.clone();
        let n = tokio::spawn(async move {
            c.with_transaction(key, |tx| {
                tx.execute(
                    "UPDATE locations SET name = 'from a task' WHERE store_id = $1",
                    vec![p(key)],
                )
            })
            .unwrap();
            count_locations(&c, key)
        })
        .await
        .unwrap();
        assert_eq!(n, 1);
        key
    });

    // And from a task of a multi-thread runtime.
    let multi = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    let client = PgClient::connect(&engine).unwrap();
    let n = multi
        .block_on(async move { tokio::spawn(async move { count_locations(&client, key) }).await })
        .unwrap();
    assert_eq!(n, 1);
    done.send(()).unwrap();
}
