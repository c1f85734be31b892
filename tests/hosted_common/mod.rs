//! Shared by the tests/hosted_*.rs: the cluster of scripts/pg-cluster.sh, from the
//! environment. Without it a test prints a loud SKIPPED line (straight to stderr, past
//! the test harness's capture) and passes, unless HEARKEN_TEST_REQUIRE_PG is set (a test
//! command that started the cluster sets it, so a lost variable fails instead).
#![allow(dead_code)]

use std::io::Write;
use std::sync::Once;
use std::time::{SystemTime, UNIX_EPOCH};

use hearken::hosted::PgClient;
use hearken::hosted::schema;

/// The admin and engine URLs, or `None` after a loud message.
pub fn urls(test: &str) -> Option<(String, String)> {
    match (
        std::env::var("HEARKEN_TEST_PG_URL"),
        std::env::var("HEARKEN_TEST_PG_ENGINE_URL"),
    ) {
        (Ok(admin), Ok(engine)) => Some((admin, engine)),
        _ => {
            let message = format!(
                "*** SKIPPED {test}: HEARKEN_TEST_PG_URL / HEARKEN_TEST_PG_ENGINE_URL are not set.\n\
                 *** Run: scripts/pg-cluster.sh start && eval \"$(scripts/pg-cluster.sh env)\""
            );
            assert!(
                std::env::var_os("HEARKEN_TEST_REQUIRE_PG").is_none(),
                "HEARKEN_TEST_REQUIRE_PG is set: {message}"
            );
            let _ = writeln!(std::io::stderr(), "{message}");
            None
        }
    }
}

/// Installs the schema once per test process (install is idempotent and locked anyway).
pub fn installed(admin: &str) {
    static ONCE: Once = Once::new();
    ONCE.call_once(|| {
        schema::install(admin).expect("install the schema");
    });
}

/// A text id no other run or test uses.
pub fn unique(prefix: &str) -> String {
    let nanos = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_nanos();
    format!("{prefix}-{}-{nanos}", std::process::id())
}

/// A new store, with one location (id 1, host id `loc-<text id>`) written by the admin.
pub fn store_with_location(admin: &PgClient, prefix: &str) -> i64 {
    let text = unique(prefix);
    let key = schema::create_store(admin, &text).unwrap();
    admin
        .with_admin_transaction(|tx| {
            tx.execute(
                "INSERT INTO locations (store_id, id, host_id, name, time_zone, enabled) \
                 VALUES ($1, 1, $2, 'Boutique', 'Europe/Paris', 1)",
                vec![
                    hearken::hosted::p(key),
                    hearken::hosted::p(format!("loc-{text}")),
                ],
            )
        })
        .unwrap();
    key
}

/// The URL with its host replaced (`hostaddr` keeps the address: the name is what TLS checks).
pub fn with_host(url: &str, host: &str) -> String {
    let url = url.replacen("@127.0.0.1:", &format!("@{host}:"), 1);
    format!("{url}&hostaddr=127.0.0.1")
}

/// The URL with one query parameter replaced.
pub fn with_param(url: &str, key: &str, value: &str) -> String {
    let (head, query) = url.split_once('?').unwrap_or((url, ""));
    let mut kept: Vec<String> = query
        .split('&')
        .filter(|kv| !kv.is_empty() && !kv.starts_with(&format!("{key}=")))
        .map(str::to_owned)
        .collect();
    kept.push(format!("{key}={value}"));
    format!("{head}?{}", kept.join("&"))
}

/// The password of a URL (to check it never shows).
pub fn password(url: &str) -> String {
    let rest = url.split_once("://").unwrap().1;
    let userinfo = rest.split_once('@').unwrap().0;
    userinfo.split_once(':').unwrap().1.to_owned()
}
