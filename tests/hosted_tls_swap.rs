//! H6: verify-full checks the host name against the certificate the SERVER presents: the
//! test cluster is switched (ALTER SYSTEM + reload, as the superuser over its local
//! socket) to the certificate made for another host name, other.invalid, signed by the
//! same CA. Connecting to 127.0.0.1 with verify-full is then refused, verify-ca still
//! connects, and verify-full by the name other.invalid connects. The certificate is put
//! back whatever happens. A test binary of its own: the other hosted tests never see the
//! swapped certificate (cargo runs test binaries one after another).
#![cfg(feature = "hosted")]

mod hosted_common;

use std::time::{Duration, Instant};

use hearken::hosted::PgClient;
use hosted_common::*;

/// Runs statements one by one (ALTER SYSTEM refuses a transaction block, and a
/// multi-statement query is one) as the superuser, over the cluster's local socket.
fn superuser(statements: &[&str]) {
    let dir = std::env::var("HEARKEN_TEST_PG_DIR").unwrap();
    let port = std::env::var("HEARKEN_TEST_PG_PORT").unwrap_or_else(|_| "55432".into());
    let mut config = tokio_postgres::Config::new();
    config
        .host_path(&dir)
        .port(port.parse().unwrap())
        .user("postgres")
        .dbname("postgres");
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    rt.block_on(async {
        let (client, connection) = config.connect(tokio_postgres::NoTls).await.unwrap();
        let driver = tokio::spawn(connection);
        for sql in statements {
            client.batch_execute(sql).await.unwrap();
        }
        drop(client);
        let _ = driver.await;
    });
}

struct PutBack;

impl Drop for PutBack {
    fn drop(&mut self) {
        superuser(&[
            "ALTER SYSTEM RESET ssl_cert_file",
            "ALTER SYSTEM RESET ssl_key_file",
            "SELECT pg_reload_conf()",
        ]);
    }
}

/// Retries `f` until it gives `want` (the reload reaches new backends a moment later).
fn eventually(want: bool, what: &str, mut f: impl FnMut() -> bool) {
    let started = Instant::now();
    while f() != want {
        assert!(started.elapsed() < Duration::from_secs(10), "{what}");
        std::thread::sleep(Duration::from_millis(100));
    }
}

#[test]
fn h6_verify_full_refuses_a_server_certificate_for_another_host() {
    let Some((_, engine)) = urls("h6_tls_swap") else {
        return;
    };
    let cert = std::env::var("HEARKEN_TEST_PG_OTHER_CERT").unwrap();
    let key = std::env::var("HEARKEN_TEST_PG_OTHER_KEY").unwrap();
    // Each check its own pool (application_name), so no pooled connection is reused.
    let connects =
        |url: &str, n: &str| PgClient::connect(&with_param(url, "application_name", n)).is_ok();
    assert!(connects(&engine, "before"));
    let _put_back = PutBack;
    superuser(&[
        &format!("ALTER SYSTEM SET ssl_cert_file = '{cert}'"),
        &format!("ALTER SYSTEM SET ssl_key_file = '{key}'"),
        "SELECT pg_reload_conf()",
    ]);
    let mut n = 0;
    let mut next = || {
        n += 1;
        format!("swap-{n}")
    };
    eventually(false, "verify-full to 127.0.0.1 must be refused", || {
        connects(&engine, &next())
    });
    let e = PgClient::connect(&with_param(&engine, "application_name", "swap-error")).unwrap_err();
    assert!(e.to_string().contains("other.invalid"), "{e}");
    assert!(connects(
        &with_param(&engine, "sslmode", "verify-ca"),
        "swap-ca"
    ));
    assert!(connects(
        &with_host(&engine, "other.invalid"),
        "swap-other-name"
    ));
}
