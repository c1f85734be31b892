//! Opening a hosted store through the Rust door and the CLI (issue 27 item 6, H1, H6):
//! `Engine::open_url` and `hearken --store ID` with a `postgres://` URL in `HEARKEN_DB`.
//!
//! Without the `hosted` feature the same calls answer `unsupported` (the tests of that
//! build are all here: scripts/test.sh runs this file once against the release build,
//! which has no hosted mode); with it (and the
//! cluster of scripts/pg-cluster.sh) the golden night runs through both doors on
//! PostgreSQL. The C and uniffi doors' `hk_engine_open_url` / `Engine.open_url` are tested
//! in tests/c and bindings/python.

mod common;
#[cfg(feature = "hosted")]
mod hosted_common;

use std::process::Command;

use hearken::{Engine, ErrorKind};

#[cfg(feature = "hosted")]
fn golden(name: &str) -> std::path::PathBuf {
    std::path::PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/golden")
        .join(name)
}

/// What one CLI run printed.
struct Run {
    code: i32,
    stdout: String,
    stderr: String,
}

/// Runs `hearken ARGS…` with `HEARKEN_DB` / `HEARKEN_STORE` as given (unset otherwise).
fn hearken(db_env: Option<&str>, store_env: Option<&str>, args: &[&str]) -> Run {
    let mut command = Command::new(env!("CARGO_BIN_EXE_hearken"));
    command
        .args(args)
        .env_remove("HEARKEN_DB")
        .env_remove("HEARKEN_STORE")
        .env_remove("PGPASSFILE");
    if let Some(db) = db_env {
        command.env("HEARKEN_DB", db);
    }
    if let Some(store) = store_env {
        command.env("HEARKEN_STORE", store);
    }
    let out = command.output().unwrap();
    let run = Run {
        code: out.status.code().unwrap(),
        stdout: String::from_utf8(out.stdout).unwrap(),
        stderr: String::from_utf8(out.stderr).unwrap(),
    };
    println!(
        "$ hearken {}\n{}{}[exit {}]\n",
        args.join(" "),
        run.stdout,
        run.stderr,
        run.code
    );
    run
}

#[test]
fn h6_cli_refuses_a_password_on_the_command_line_and_never_repeats_it() {
    for url in [
        "postgres://eng:hunter2secret@127.0.0.1:5432/db",
        "postgresql://eng@127.0.0.1/db?sslmode=require&password=hunter2secret",
    ] {
        for json in [false, true] {
            let mut args = vec!["--db", url, "--store", "s1", "outbox", "list"];
            if json {
                args.insert(0, "--json");
            }
            let run = hearken(None, None, &args);
            assert_eq!(run.code, 2, "a usage error: {}", run.stderr);
            assert!(!run.stderr.contains("hunter2"), "{}", run.stderr);
            assert!(run.stderr.contains("--db"), "{}", run.stderr);
            if !json {
                assert!(run.stderr.contains("HEARKEN_DB"), "{}", run.stderr);
            }
        }
    }
    // `--help` does not show the environment's URL either.
    let run = hearken(Some("postgres://eng:hunter2secret@h/db"), None, &["--help"]);
    assert_eq!(run.code, 0);
    assert!(!run.stdout.contains("hunter2"), "{}", run.stdout);
}

#[test]
fn h1_cli_a_postgres_url_needs_a_store_and_a_store_needs_a_url() {
    let run = hearken(
        Some("postgres://eng@127.0.0.1/db"),
        None,
        &["outbox", "list"],
    );
    assert_eq!(run.code, 2, "{}", run.stderr);
    assert!(run.stderr.contains("--store"), "{}", run.stderr);
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("store.db");
    let run = hearken(
        None,
        None,
        &[
            "--db",
            file.to_str().unwrap(),
            "--store",
            "s1",
            "outbox",
            "list",
        ],
    );
    assert_eq!(run.code, 2, "{}", run.stderr);
    assert!(run.stderr.contains("--store"), "{}", run.stderr);
    assert!(!file.exists(), "nothing created");
}

#[cfg(not(feature = "hosted"))]
#[test]
fn h1_without_the_hosted_feature_opening_a_url_is_unsupported_in_rust_and_the_cli() {
    let err = Engine::open_url("postgres://eng@127.0.0.1/db", "s1")
        .err()
        .expect("no hosted mode in this build");
    assert_eq!(err.kind(), ErrorKind::Unsupported);
    assert!(err.to_string().contains("hosted"), "{err}");
    let run = hearken(
        Some("postgres://eng:hunter2secret@127.0.0.1/db"),
        Some("s1"),
        &["outbox", "list"],
    );
    assert_eq!(run.code, 1, "{}", run.stderr);
    assert!(run.stderr.contains("unsupported"), "{}", run.stderr);
    assert!(!run.stderr.contains("hunter2"), "{}", run.stderr);
}

/// A new store of the test cluster (created by the admin role), its text id and the
/// engine role's URL; `None` (a loud SKIPPED) without the cluster.
#[cfg(feature = "hosted")]
fn hosted_store(test: &str) -> Option<(String, String)> {
    let (admin, engine) = hosted_common::urls(test)?;
    hosted_common::installed(&admin);
    let id = hosted_common::unique("doors");
    hearken::admin::create_store(&admin, &id).unwrap();
    Some((engine, id))
}

#[cfg(feature = "hosted")]
#[test]
fn h1_open_url_runs_the_golden_night_and_file_calls_are_unsupported() {
    let Some((url, store)) = hosted_store("h1_open_url_runs_the_golden_night") else {
        return;
    };
    let engine = Engine::open_url(&url, &store).unwrap();
    let locations: Vec<hearken::Location> =
        serde_json::from_str(&std::fs::read_to_string(golden("locations.json")).unwrap()).unwrap();
    for l in &locations {
        engine.upsert_location(l).unwrap();
    }
    engine
        .unsubscribe_contact("  Dana@Example.COM ", common::at("2026-11-19T12:00:00Z"))
        .unwrap();
    let batch = std::fs::read_to_string(golden("night1.batch.json")).unwrap();
    let report = engine
        .sync_json(&batch, common::at("2026-11-20T22:00:00Z"))
        .unwrap();
    assert_eq!(
        format!("{}\n", hearken::wire::to_json(&report)),
        std::fs::read_to_string(golden("night1.report.json")).unwrap()
    );
    let dir = tempfile::tempdir().unwrap();
    let err = engine.backup(dir.path().join("b.db")).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Unsupported);
    assert_eq!(engine.check().unwrap_err().kind(), ErrorKind::Unsupported);

    // An unknown store is not_found, and no error repeats the URL or its password.
    let err = Engine::open_url(&url, "no-such-store").err().unwrap();
    assert_eq!(err.kind(), ErrorKind::NotFound);
    let secret = hosted_common::password(&url);
    assert!(!err.to_string().contains(&secret), "{err}");
}

#[cfg(feature = "hosted")]
#[test]
fn h6_cli_on_a_hosted_store_with_the_password_from_a_password_file() {
    let Some((url, store)) = hosted_store("h6_cli_on_a_hosted_store") else {
        return;
    };
    // The URL without its password; the password in a 0600 libpq password file.
    let secret = hosted_common::password(&url);
    let bare = url.replacen(&format!(":{secret}@"), "@", 1);
    assert!(!bare.contains(&secret));
    let dir = tempfile::tempdir().unwrap();
    let passfile = dir.path().join("pgpass");
    std::fs::write(&passfile, format!("*:*:*:*:{secret}\n")).unwrap();
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&passfile, std::fs::Permissions::from_mode(0o600)).unwrap();
    }
    let with_passfile = hosted_common::with_param(&bare, "passfile", passfile.to_str().unwrap());
    let db = Some(with_passfile.as_str());
    let at = Some(store.as_str());
    let ok = |args: &[&str]| {
        let run = hearken(db, at, args);
        assert_eq!(run.code, 0, "{args:?}: {}", run.stderr);
        assert!(!run.stdout.contains(&secret) && !run.stderr.contains(&secret));
        run.stdout
    };
    ok(&[
        "locations",
        "add",
        "paris",
        "Boutique Paris",
        "Europe/Paris",
        "--review-link",
        "https://g.page/r/paris/review",
    ]);
    ok(&["locations", "add", "seoul", "서울 매장", "Asia/Seoul"]);
    ok(&[
        "unsubscribe",
        "  Dana@Example.COM ",
        "--now=2026-11-19T12:00:00Z",
    ]);
    let night = golden("night1.batch.json");
    let json = ok(&[
        "sync",
        night.to_str().unwrap(),
        "--now=2026-11-20T22:00:00Z",
        "--json",
    ]);
    assert_eq!(
        json,
        std::fs::read_to_string(golden("night1.report.json")).unwrap()
    );
    // --store on the command line works as well as HEARKEN_STORE.
    let run = hearken(db, None, &["--store", &store, "--json", "outbox", "list"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(run.stdout.contains("invitation"), "{}", run.stdout);

    // File-only commands are unsupported; an unknown store is not found (exit 4).
    let run = hearken(db, at, &["check"]);
    assert_eq!(run.code, 1, "{}", run.stderr);
    assert!(run.stderr.contains("unsupported"), "{}", run.stderr);
    let run = hearken(db, Some("no-such-store"), &["outbox", "list"]);
    assert_eq!(run.code, 4, "{}", run.stderr);
    // Without the password file the server refuses, and nothing shows the URL.
    let run = hearken(Some(&bare), at, &["outbox", "list"]);
    assert_ne!(run.code, 0);
    assert!(!run.stderr.contains(&bare), "{}", run.stderr);
}

/// Without the cargo feature `hosted`, `hearken admin` says hosted mode is not built in
/// (exit 1, the kind `unsupported`), and still refuses a password as an argument.
#[cfg(not(feature = "hosted"))]
#[test]
fn h5_admin_without_hosted_mode_says_it_is_not_built_in() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("none.db");
    let db_arg = db.to_str().unwrap();
    let r = hearken(None, None, &["--db", db_arg, "admin", "list-stores"]);
    assert_eq!(r.code, 1, "{}", r.stderr);
    assert!(
        r.stderr.contains("hosted mode is not built in"),
        "{}",
        r.stderr
    );
    let r = hearken(None, None, &["--db", db_arg, "--json", "admin", "install"]);
    let e: serde_json::Value = serde_json::from_str(&r.stderr).unwrap();
    assert_eq!(e["kind"], "unsupported", "{e}");
    let r = hearken(
        None,
        None,
        &[
            "--db",
            db_arg,
            "admin",
            "list-stores",
            "--url",
            "postgres://u:s3cret@db/x",
        ],
    );
    assert_eq!(r.code, 3, "{}", r.stderr);
    assert!(!r.stderr.contains("s3cret"), "{}", r.stderr);
    assert!(!db.exists(), "no store file is created");
}

#[cfg(not(feature = "hosted"))]
#[test]
fn h3_without_the_hosted_feature_leasing_is_unsupported() {
    let url = "postgres://eng@127.0.0.1/db";
    let now = common::at("2026-11-21T09:00:00Z");
    let err = hearken::mailers::lease_stores(url, "m1", now, 10, 300).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Unsupported);
    let lease = hearken::LeasedStore {
        store: "s1".into(),
        store_key: 1,
        mailer: "m1".into(),
        leased_until: now,
    };
    let err = hearken::mailers::release_store_lease(url, &lease).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Unsupported);
    let err = hearken::admin::create_store(url, "s1").unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Unsupported);
}

#[cfg(feature = "hosted")]
#[test]
fn h3_a_mailer_leases_the_store_with_due_work_through_the_door_calls() {
    use hearken::mailers::{lease_stores, release_store_lease, renew_store_lease};
    let Some((url, store)) = hosted_store("h3_a_mailer_leases_the_store") else {
        return;
    };
    let engine = Engine::open_url(&url, &store).unwrap();
    engine
        .upsert_location(&hearken::Location::new(
            "paris",
            "Boutique Paris",
            "Europe/Paris",
        ))
        .unwrap();
    let batch = std::fs::read_to_string(golden("night1.batch.json")).unwrap();
    engine
        .sync_json(&batch, common::at("2026-11-20T22:00:00Z"))
        .unwrap();
    let due = common::at("2026-11-21T09:00:00Z");
    let mine = |leases: &[hearken::LeasedStore]| leases.iter().find(|l| l.store == store).cloned();
    // Other tests' stores may be due too: lease every due store, keep ours, give back the rest.
    let first = lease_stores(&url, "mailer-a", due, 10_000, 300).unwrap();
    let lease = mine(&first).expect("the store with due invitations is leased");
    assert_eq!(lease.mailer, "mailer-a");
    assert_eq!(lease.leased_until, due + chrono::Duration::seconds(300));
    for other in first.iter().filter(|l| l.store != store) {
        release_store_lease(&url, other).unwrap();
    }
    // Another mailer does not get it while the lease holds.
    let second = lease_stores(&url, "mailer-b", due, 10_000, 300).unwrap();
    assert!(mine(&second).is_none());
    for other in &second {
        release_store_lease(&url, other).unwrap();
    }
    let later = due + chrono::Duration::seconds(60);
    let renewed = renew_store_lease(&url, &lease, later, 600).unwrap();
    assert_eq!(renewed.leased_until, later + chrono::Duration::seconds(600));
    // The stale record no longer names the lease: renewing it is a conflict.
    assert_eq!(
        renew_store_lease(&url, &lease, later, 600)
            .unwrap_err()
            .kind(),
        ErrorKind::Conflict
    );
    assert!(release_store_lease(&url, &renewed).unwrap());
    assert!(
        !release_store_lease(&url, &renewed).unwrap(),
        "released before"
    );
    let third = lease_stores(&url, "mailer-b", later, 10_000, 300).unwrap();
    assert!(mine(&third).is_some(), "released: another mailer takes it");
    for other in &third {
        release_store_lease(&url, other).unwrap();
    }
    // Bad input names its field.
    let err = lease_stores(&url, "", due, 10, 300).unwrap_err();
    assert!(err.to_string().contains("mailer"), "{err}");
    let err = lease_stores(&url, "m", due, 10, 0).unwrap_err();
    assert!(err.to_string().contains("lease_seconds"), "{err}");
}

/// Issue 27 item 1: a night's writes on PostgreSQL are a fixed number of statements,
/// whatever its size: customers, transactions, their employees and decisions go in
/// multi-row statements (the id counters bumped once per table).
#[cfg(feature = "hosted")]
#[test]
fn h1_a_200_and_a_2000_sale_night_run_the_same_statements() {
    use std::sync::{Arc, Mutex};
    let Some((url, _)) = hosted_store("h1_nights_run_the_same_statements") else {
        return;
    };
    let statements = |sales: usize| {
        let (admin, _) = hosted_common::urls("h1_nights_run_the_same_statements").unwrap();
        let id = hosted_common::unique(&format!("night{sales}"));
        hearken::admin::create_store(&admin, &id).unwrap();
        let engine = Engine::open_url(&url, &id).unwrap();
        engine
            .upsert_location(&hearken::Location::new(
                "paris",
                "Boutique Paris",
                "Europe/Paris",
            ))
            .unwrap();
        let customers: Vec<String> = (0..sales / 2).map(|i| format!("c{i}")).collect();
        let ids: Vec<&str> = customers.iter().map(String::as_str).collect();
        let employees: Vec<hearken::Employee> = ["e1", "e2"]
            .into_iter()
            .map(|id| hearken::Employee {
                id: id.into(),
                name: None,
                role: hearken::Role::Salesperson,
            })
            .collect();
        let sales_of_night = (0..sales)
            .map(|i| {
                let mut s = common::sale(
                    &format!("t{i}"),
                    Some(&customers[i % customers.len()]),
                    Some("2026-11-20T15:00:00+01:00"),
                );
                s.employees = vec![if i % 2 == 0 { "e1" } else { "e2" }.into()];
                s
            })
            .collect();
        let mut batch = common::batch("paris", "2026-11-20", &ids, sales_of_night);
        batch.employees = employees;
        let sink = Arc::new(Mutex::new(Vec::new()));
        engine.trace_sql(Some(sink.clone())).unwrap();
        let report = engine
            .sync(&batch, common::paris_night("2026-11-20"))
            .unwrap();
        engine.trace_sql(None).unwrap();
        // HEARKEN_PRINT_TRACE=1 lists them (with --nocapture).
        if std::env::var_os("HEARKEN_PRINT_TRACE").is_some() {
            for s in sink.lock().unwrap().iter() {
                println!(
                    "STMT {}",
                    s.split_whitespace().collect::<Vec<_>>().join(" ")
                );
            }
        }
        assert_eq!(report.transactions_created as usize, sales);
        // The first night's employees are new in both stores alike.
        sink.lock().unwrap().len()
    };
    let small = statements(200);
    let large = statements(2_000);
    println!("statements of a night: {small} (200 sales), {large} (2,000 sales)");
    assert_eq!(
        small, large,
        "statements of a 200-sale and a 2,000-sale night"
    );
    // 22: the three settings groups, both calendar scopes, the three list probes and the
    // id counters are one statement each (the counters: one read and one write-back).
    assert!(
        small <= 22,
        "a night is 22 statements, not one per row nor one per question: {small}"
    );
}
