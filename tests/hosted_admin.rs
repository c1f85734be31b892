//! Hosted mode's administration against the test cluster (scripts/pg-cluster.sh): install
//! and migrate are idempotent and an older schema names `hearken admin migrate` (H5);
//! deleting a store removes every row of it and nothing of another; an SQLite store moved
//! to PostgreSQL and back dumps the same, answers the same and decides the same next
//! night (H7); the `hearken admin` commands.
#![cfg(feature = "hosted")]

mod common;
mod hosted_common;

use std::path::{Path, PathBuf};
use std::process::Command;

use hearken::hosted::schema::{self, PG_SCHEMA_VERSION};
use hearken::hosted::{Admin, PgClient, p};
use hearken::{ContactPolicy, Engine, ErrorKind, Location, ReportQuery, StoreConfig};

use common::{batch, deliver, invited, paris_night, sale, skipped};
use hosted_common::{installed, password, unique, urls};

/// The dump's lines of a PostgreSQL store as the SQLite file writes them: SQLite's one
/// `setting_values.value` is `int_value` or `text_value` on PostgreSQL.
fn as_in_sqlite(lines: Vec<String>) -> Vec<String> {
    lines
        .into_iter()
        .map(|l| match l.split_once(", int_value=") {
            Some((head, tail)) if head.starts_with("setting_values: ") => {
                let (int, text) = tail.split_once(", text_value=").unwrap();
                let value = if int == "NULL" { text } else { int };
                format!("{head}, value={value}")
            }
            _ => l,
        })
        .collect()
}

/// Every row but the event feed's incarnation (D1), which a move renews: see
/// [`incarnation`]; and but `person_latest`, the SQLite store's summary of each person's
/// latest invitation (schema 21), which the PostgreSQL store does not keep (it reads the
/// invitations): a file written by an export is checked to hold it right instead
/// (`Engine::check`).
fn dump(e: &Engine) -> Vec<String> {
    comparable(e.dump_rows(&[("event_meta", "incarnation")]).unwrap())
}

/// A dump as [`as_in_sqlite`] writes it, without `person_latest` (see [`dump`]).
fn comparable(rows: Vec<String>) -> Vec<String> {
    (as_in_sqlite(rows).into_iter())
        .filter(|l| !l.starts_with("person_latest: "))
        .collect()
}

/// The store's incarnation, as its event cursors carry it (D1).
fn incarnation(e: &Engine) -> String {
    let hearken::EventsPage::Events { next_cursor, .. } = e.events(None, 1).unwrap() else {
        panic!("a fresh read of the feed");
    };
    next_cursor.split('.').next().unwrap().to_owned()
}

/// Two dumps are the same; otherwise the lines only one of them has.
fn assert_same(left: &[String], right: &[String]) {
    let only = |a: &[String], b: &[String]| -> Vec<String> {
        a.iter().filter(|l| !b.contains(l)).cloned().collect()
    };
    let first = left.iter().zip(right).position(|(l, r)| l != r);
    assert!(
        left == right,
        "only left: {:#?}\nonly right: {:#?}\nfirst difference in order: {:#?}",
        only(left, right),
        only(right, left),
        first.map(|i| (&left[i], &right[i]))
    );
}

fn on_pg(engine_url: &str, store: &str) -> Engine {
    Engine::open_store(&StoreConfig::Postgres {
        url: engine_url.to_owned(),
        store: store.to_owned(),
    })
    .unwrap()
}

fn customers(prefix: &str, n: usize) -> Vec<String> {
    (0..n).map(|i| format!("{prefix}{i}")).collect()
}

fn night(e: &Engine, date: &str, people: &[String]) -> hearken::SyncReport {
    let ids: Vec<&str> = people.iter().map(String::as_str).collect();
    let sales = ids
        .iter()
        .map(|c| {
            sale(
                &format!("t-{date}-{c}"),
                Some(c),
                Some(&format!("{date}T10:00:00+01:00")),
            )
        })
        .collect();
    e.sync(&batch("paris", date, &ids, sales), paris_night(date))
        .unwrap()
}

/// An SQLite store file with a night behind it: a sampled night (the salt decides), the
/// messages delivered, an unsubscribe.
fn populated_file(dir: &Path) -> PathBuf {
    let path = dir.join("store.db");
    let e = Engine::open(&path).unwrap();
    e.upsert_location(&Location::new(
        "paris",
        "Boutique \"Paris\" é",
        "Europe/Paris",
    ))
    .unwrap();
    e.set_contact_policy(&ContactPolicy {
        sample_percent: 50,
        ..e.contact_policy().unwrap()
    })
    .unwrap();
    // D2: a webhook subscription and its messages move with the store.
    e.add_webhook(
        &hearken::NewWebhook {
            url: "https://crm.example/hook".into(),
            event_types: vec!["invitation.created.v1".into()],
            secret: None,
        },
        paris_night("2026-11-20"),
    )
    .unwrap();
    night(&e, "2026-11-20", &customers("c", 30));
    deliver(&e, 100, paris_night("2026-11-20"));
    e.unsubscribe_customer("c1", paris_night("2026-11-20"))
        .unwrap();
    e.close().unwrap();
    path
}

/// The answers a host reads, as text.
fn answers(e: &Engine) -> Vec<String> {
    let now = paris_night("2026-11-20");
    vec![
        format!("{:?}", e.explain("c3", now).unwrap()),
        format!("{:?}", e.explain("c1", now).unwrap()),
        format!("{:?}", e.pending_invitations().unwrap()),
        format!("{:?}", e.outbox_counts().unwrap()),
        format!("{:?}", e.scores(&ReportQuery::default(), now).unwrap()),
        format!("{:?}", e.contact_policy().unwrap()),
    ]
}

/// H5: install and migrate run again change nothing; an absent schema names `hearken
/// admin install`, an older one `hearken admin migrate`, also when an engine opens it.
#[test]
fn h5_install_and_migrate_are_idempotent_and_an_older_schema_names_migrate() {
    let Some((admin, _)) = urls("h5_install_and_migrate") else {
        return;
    };
    installed(&admin);
    // A schema of its own: the other tests' transactions never wait on this DDL.
    let schema_name = unique("admin").replace('-', "_");
    PgClient::connect(&admin)
        .unwrap()
        .with_admin_transaction(|tx| tx.batch_execute(&format!("CREATE SCHEMA {schema_name}")))
        .unwrap();
    let url = format!("{admin}&options=-c%20search_path%3D{schema_name}");
    let there = PgClient::connect(&url).unwrap();
    let e = schema::check(&there).unwrap_err();
    assert!(e.to_string().contains("`hearken admin install`"), "{e}");
    let a = Admin::connect(&url).unwrap();
    let first = a.migrate().unwrap();
    assert_eq!((first.found, first.version), (None, PG_SCHEMA_VERSION));
    for again in [a.install("hearken_engine").unwrap(), a.migrate().unwrap()] {
        assert_eq!(
            (again.found, again.version),
            (Some(PG_SCHEMA_VERSION), PG_SCHEMA_VERSION)
        );
    }
    assert_eq!(schema::check(&there).unwrap(), PG_SCHEMA_VERSION);
    let rows: i64 = there
        .with_admin_transaction(|tx| tx.query_one("SELECT count(*) FROM schema_version", vec![]))
        .unwrap()
        .get(0);
    assert_eq!(rows, 1, "one version row after three installs");
    a.create_store("s").unwrap();
    let set = |v: i32| {
        there
            .with_admin_transaction(|tx| {
                tx.execute("UPDATE schema_version SET version = $1", vec![p(v)])
            })
            .unwrap();
    };
    set(PG_SCHEMA_VERSION - 1);
    let Err(e) = Engine::open_store(&StoreConfig::Postgres {
        url: url.clone(),
        store: "s".into(),
    }) else {
        panic!("an older schema opened");
    };
    assert!(e.to_string().contains("`hearken admin migrate`"), "{e}");
    assert!(!e.to_string().contains(&password(&admin)), "{e}");
    set(PG_SCHEMA_VERSION);
    // The engine role may neither own nor bypass: refused by name, nothing changed.
    let e = a.install("hearken_admin").unwrap_err();
    assert_eq!(e.kind(), ErrorKind::InvalidInput, "{e}");
}

/// Deleting a store removes its rows from every table with a store_id (found in the
/// catalogue, as the delete finds them) and leaves another store's rows as they were.
#[test]
fn h5_delete_store_wipes_every_row_of_that_store_only() {
    let Some((admin_url, _)) = urls("h5_delete_store") else {
        return;
    };
    installed(&admin_url);
    let dir = tempfile::tempdir().unwrap();
    let file = populated_file(dir.path());
    let admin = Admin::connect(&admin_url).unwrap();
    let (gone, kept) = (unique("gone"), unique("kept"));
    let gone_key = admin.import_sqlite(&file, &gone).unwrap().key;
    let kept_key = admin.import_sqlite(&file, &kept).unwrap().key;
    let counts = |key: i64| -> Vec<(String, i64)> {
        admin
            .client()
            .with_admin_transaction(|tx| {
                let tables: Vec<String> = tx
                    .query(
                        "SELECT c.relname::text FROM pg_class c
                         JOIN pg_namespace n ON n.oid = c.relnamespace
                         JOIN pg_attribute a ON a.attrelid = c.oid AND a.attname = 'store_id'
                         WHERE c.relkind = 'r' AND n.nspname = current_schema()
                         ORDER BY 1",
                        vec![],
                    )?
                    .iter()
                    .map(|r| r.get(0))
                    .collect();
                let mut out = Vec::new();
                for t in tables {
                    let n: i64 = tx
                        .query_one(
                            &format!("SELECT count(*) FROM {t} WHERE store_id = $1"),
                            vec![p(key)],
                        )?
                        .get(0);
                    out.push((t, n));
                }
                Ok(out)
            })
            .unwrap()
    };
    let before = counts(kept_key);
    assert!(before.len() >= schema::STORE_TABLES.len(), "{before:?}");
    let populated = counts(gone_key);
    assert!(
        populated.iter().filter(|(_, n)| *n > 0).count() >= 8,
        "{populated:?}"
    );
    let deleted = admin.delete_store(&gone).unwrap();
    assert_eq!(
        deleted,
        populated.iter().map(|(_, n)| *n as u64).sum::<u64>()
    );
    assert!(counts(gone_key).iter().all(|(_, n)| *n == 0));
    assert_eq!(counts(kept_key), before);
    let e = admin.delete_store(&gone).unwrap_err();
    assert_eq!(e.kind(), ErrorKind::NotFound, "{e}");
    let listed: Vec<String> = (admin.list_stores().unwrap().into_iter())
        .map(|s| s.text_id)
        .collect();
    assert!(listed.contains(&kept) && !listed.contains(&gone));
    // Its text id is free again.
    admin.create_store(&gone).unwrap();
    let e = admin.create_store(&gone).unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Conflict, "{e}");
}

/// H7: the dump of the SQLite file, of the PostgreSQL store imported from it and of the
/// file exported from that store are the same; the file is only read; an existing text
/// id or file is refused, nothing written.
#[test]
fn h7_d1_import_then_export_dumps_the_same_with_new_incarnations() {
    let Some((admin_url, engine_url)) = urls("h7_import_export") else {
        return;
    };
    installed(&admin_url);
    let dir = tempfile::tempdir().unwrap();
    let file = populated_file(dir.path());
    let bytes = std::fs::read(&file).unwrap();
    let original = dump(&Engine::open(&file).unwrap());
    let bytes_after_open = std::fs::read(&file).unwrap();
    let admin = Admin::connect(&admin_url).unwrap();
    let id = unique("moved");
    let imported = admin.import_sqlite(&file, &id).unwrap();
    assert_eq!(imported.rows as usize, original.len());
    assert_eq!(std::fs::read(&file).unwrap(), bytes_after_open);
    assert!(!bytes.is_empty());
    assert_eq!(dump(&on_pg(&engine_url, &id)), original);
    // D1: the imported store is another life of the file: its cursors are not the file's.
    let file_incarnation = incarnation(&Engine::open(&file).unwrap());
    let pg_incarnation = incarnation(&on_pg(&engine_url, &id));
    assert_ne!(file_incarnation, pg_incarnation);

    let e = admin.import_sqlite(&file, &id).unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Conflict, "{e}");
    let e = admin
        .import_sqlite(&dir.path().join("absent.db"), &unique("absent"))
        .unwrap_err();
    assert_eq!(e.kind(), ErrorKind::NotFound, "{e}");
    let e = admin.import_sqlite(&file, "bad\nid").unwrap_err();
    assert_eq!(e.kind(), ErrorKind::InvalidInput, "{e}");
    assert_eq!(e.problems()[0].field, "store");
    assert!(!format!("{e:?}").contains("bad\\nid"), "{e:?}");
    let foreign = dir.path().join("foreign.db");
    std::fs::write(
        &foreign,
        b"not a database, not at all, but long enough to be read",
    )
    .unwrap();
    let e = admin
        .import_sqlite(&foreign, &unique("foreign"))
        .unwrap_err();
    assert_eq!(e.kind(), ErrorKind::NotHearken, "{e}");

    let out = dir.path().join("exported.db");
    assert_eq!(
        admin.export_sqlite(&id, &out).unwrap() as usize,
        original.len()
    );
    assert_eq!(dump(&Engine::open(&out).unwrap()), original);
    // D1: so is the exported file, and the store keeps its own.
    let out_incarnation = incarnation(&Engine::open(&out).unwrap());
    assert_ne!(out_incarnation, pg_incarnation);
    assert_ne!(out_incarnation, file_incarnation);
    assert_eq!(incarnation(&on_pg(&engine_url, &id)), pg_incarnation);
    let check = Engine::open(&out).unwrap().check().unwrap();
    assert!(check.ok, "{check:?}");
    let e = admin.export_sqlite(&id, &out).unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Conflict, "{e}");
    let e = admin
        .export_sqlite(&unique("nobody"), &dir.path().join("n.db"))
        .unwrap_err();
    assert_eq!(e.kind(), ErrorKind::NotFound, "{e}");
    assert!(!dir.path().join("n.db").exists());
    // Nothing but the store, its export and SQLite's companions of open files is left.
    let leftovers: Vec<_> = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.starts_with(".hearken-"))
        .collect();
    assert!(leftovers.is_empty(), "{leftovers:?}");
}

/// H7: a moved store answers the same calls the same, and the next night synced on
/// PostgreSQL invites and skips as it does on the SQLite file (the sampling salt and the
/// suppression pepper moved with it); both stores then dump the same.
#[test]
fn h7_a_moved_store_answers_and_decides_as_the_file() {
    let Some((admin_url, engine_url)) = urls("h7_moved_store") else {
        return;
    };
    installed(&admin_url);
    let dir = tempfile::tempdir().unwrap();
    let file = populated_file(dir.path());
    let admin = Admin::connect(&admin_url).unwrap();
    let id = unique("decides");
    admin.import_sqlite(&file, &id).unwrap();
    let lite = Engine::open(&file).unwrap();
    let pg = on_pg(&engine_url, &id);
    assert_eq!(answers(&pg), answers(&lite));
    // Tonight: new customers (sampled by the salt) and returning ones.
    let mut people = customers("n", 30);
    people.extend(customers("c", 10));
    let on_file = night(&lite, "2026-11-21", &people);
    let on_pg_night = night(&pg, "2026-11-21", &people);
    assert!(!invited(&on_file).is_empty() && !skipped(&on_file).is_empty());
    assert_eq!(invited(&on_pg_night), invited(&on_file));
    assert_eq!(skipped(&on_pg_night), skipped(&on_file));
    // A night's message ids carry a random salt per batch (their only difference), and
    // the store moved is another incarnation of the file (D1).
    let moving = [("outbox", "message_id"), ("event_meta", "incarnation")];
    assert_same(
        &comparable(pg.dump_rows(&moving).unwrap()),
        &comparable(lite.dump_rows(&moving).unwrap()),
    );
    // The same messages fall due; message ids and link tokens are fresh random values.
    let now = paris_night("2026-11-21");
    let (a, b) = (deliver(&pg, 100, now), deliver(&lite, 100, now));
    let shown = |m: &[hearken::OutboundMessage]| -> Vec<String> {
        m.iter()
            .map(|m| {
                format!(
                    "{:?} {} {} {:?} {:?}",
                    m.kind, m.recipient, m.subject, m.customer, m.invitation_id
                )
            })
            .collect()
    };
    assert!(!a.is_empty());
    assert_eq!(shown(&a), shown(&b));
}

/// An older SQLite store (schema version 9) imports: migrated on a copy, the file left
/// as it was; the store dumps as the file migrated in place would.
#[test]
fn h7_an_older_sqlite_store_imports_migrated_on_a_copy() {
    let Some((admin_url, engine_url)) = urls("h7_older_file") else {
        return;
    };
    installed(&admin_url);
    let fixture = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/schema_v9.db");
    let dir = tempfile::tempdir().unwrap();
    let old = dir.path().join("v9.db");
    std::fs::copy(&fixture, &old).unwrap();
    let bytes = std::fs::read(&old).unwrap();
    let admin = Admin::connect(&admin_url).unwrap();
    let id = unique("v9");
    admin.import_sqlite(&old, &id).unwrap();
    assert_eq!(std::fs::read(&old).unwrap(), bytes, "the file is only read");
    let migrated = dir.path().join("migrated.db");
    std::fs::copy(&fixture, &migrated).unwrap();
    let expected = dump(&Engine::open(&migrated).unwrap());
    assert!(!expected.is_empty());
    assert_eq!(dump(&on_pg(&engine_url, &id)), expected);
}

struct Run {
    code: i32,
    stdout: String,
    stderr: String,
}

/// `hearken admin ARGS` with the admin's connection string in $HEARKEN_ADMIN_DB (or not).
fn admin_cli(url: Option<&str>, args: &[&str]) -> Run {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_hearken"));
    cmd.arg("admin")
        .args(args)
        .env_remove("HEARKEN_DB")
        .env_remove("HEARKEN_ADMIN_DB");
    if let Some(url) = url {
        cmd.env("HEARKEN_ADMIN_DB", url);
    }
    let out = cmd.output().unwrap();
    Run {
        code: out.status.code().unwrap(),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    }
}

/// The `hearken admin` commands, their exit codes, and a password never taken from (nor
/// shown on) the command line.
#[test]
fn h5_cli_admin_commands() {
    let Some((admin_url, engine_url)) = urls("h5_cli_admin") else {
        return;
    };
    installed(&admin_url);
    let url = Some(admin_url.as_str());
    let secret = password(&admin_url);
    let dir = tempfile::tempdir().unwrap();
    let file = populated_file(dir.path());
    let (made, moved) = (unique("cli-made"), unique("cli-moved"));

    // Install and migrate in a schema of their own: their DDL would deadlock with the
    // other tests' transactions on the shared one.
    let schema_name = unique("cli").replace('-', "_");
    PgClient::connect(&admin_url)
        .unwrap()
        .with_admin_transaction(|tx| tx.batch_execute(&format!("CREATE SCHEMA {schema_name}")))
        .unwrap();
    let private = format!("{admin_url}&options=-c%20search_path%3D{schema_name}");
    let r = admin_cli(Some(&private), &["install"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(r.stdout.contains("installed"), "{}", r.stdout);
    let r = admin_cli(Some(&private), &["migrate", "--json"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let done: serde_json::Value = serde_json::from_str(&r.stdout).unwrap();
    assert_eq!(done["found"], done["version"], "{done}");
    let r = admin_cli(url, &["create-store", &made]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let r = admin_cli(url, &["create-store", &made]);
    assert_eq!(r.code, 5, "{}", r.stderr);
    let r = admin_cli(url, &["import", file.to_str().unwrap(), "--store", &moved]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let r = admin_cli(url, &["list-stores", "--json"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let listed: serde_json::Value = serde_json::from_str(&r.stdout).unwrap();
    let ids: Vec<&str> = (listed.as_array().unwrap().iter())
        .map(|s| s["store"].as_str().unwrap())
        .collect();
    assert!(ids.contains(&made.as_str()) && ids.contains(&moved.as_str()));
    let out = dir.path().join("out.db");
    let r = admin_cli(url, &["export", out.to_str().unwrap(), "--store", &moved]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert_eq!(
        dump(&Engine::open(&out).unwrap()),
        dump(&on_pg(&engine_url, &moved))
    );
    assert!(Engine::open(&out).unwrap().check().unwrap().ok);
    let r = admin_cli(url, &["export", out.to_str().unwrap(), "--store", &moved]);
    assert_eq!(r.code, 5, "{}", r.stderr);
    let r = admin_cli(url, &["delete-store", &moved]);
    assert_eq!(r.code, 2, "--yes is required: {}", r.stderr);
    let r = admin_cli(url, &["delete-store", &moved, "--yes"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let r = admin_cli(url, &["delete-store", &moved, "--yes"]);
    assert_eq!(r.code, 4, "{}", r.stderr);
    // A password as an argument is refused (and not shown); none at all says where.
    let r = admin_cli(None, &["list-stores", "--url", &admin_url]);
    assert_eq!(r.code, 3, "{}", r.stderr);
    assert!(r.stderr.contains("HEARKEN_ADMIN_DB"), "{}", r.stderr);
    assert!(!r.stderr.contains(&secret) && !r.stdout.contains(&secret));
    let r = admin_cli(None, &["list-stores"]);
    assert_eq!(r.code, 3, "{}", r.stderr);
    // The same connection string from a file works.
    let url_file = dir.path().join("admin-url");
    std::fs::write(&url_file, format!("{admin_url}\n")).unwrap();
    let r = admin_cli(
        None,
        &["list-stores", "--url-file", url_file.to_str().unwrap()],
    );
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(r.stdout.contains(&made), "{}", r.stdout);
    // A failure on the database never shows the password either.
    let r = admin_cli(
        url,
        &["import", "/nonexistent/x.db", "--store", &unique("x")],
    );
    assert_eq!(r.code, 4, "{}", r.stderr);
    assert!(!r.stderr.contains(&secret));
}

/// H5: opening caches nothing between opens: a store deleted while this process's pool
/// is warm (it opened the store a moment ago) is refused by the next open, and one
/// created again under the same text id opens as the new, empty store.
#[test]
fn h5_a_store_deleted_is_refused_by_the_next_open_of_a_warm_process() {
    let Some((admin_url, engine_url)) = urls("h5_deleted_store_refused") else {
        return;
    };
    installed(&admin_url);
    let admin = Admin::connect(&admin_url).unwrap();
    let id = unique("deleted-open");
    admin.create_store(&id).unwrap();
    let e = on_pg(&engine_url, &id);
    e.upsert_location(&Location::new("paris", "Boutique", "Europe/Paris"))
        .unwrap();
    night(&e, "2026-11-20", &customers("c", 3));
    e.close().unwrap();
    admin.delete_store(&id).unwrap();
    let Err(refused) = Engine::open_url(&engine_url, &id) else {
        panic!("a deleted store opened");
    };
    assert_eq!(refused.kind(), ErrorKind::NotFound, "{refused}");
    admin.create_store(&id).unwrap();
    let again = on_pg(&engine_url, &id);
    assert!(again.locations().unwrap().is_empty());
    again.close().unwrap();
}

/// H1: a batch's employees, written together on PostgreSQL, are numbered and changed as
/// an SQLite file does it one by one: the same counts in the reports and the same rows.
#[test]
fn h1_a_batchs_employees_are_written_as_on_sqlite() {
    let Some((admin_url, engine_url)) = urls("h1_employees_as_on_sqlite") else {
        return;
    };
    installed(&admin_url);
    let admin = Admin::connect(&admin_url).unwrap();
    let id = unique("employees");
    admin.create_store(&id).unwrap();
    let dir = tempfile::tempdir().unwrap();
    let employee = |id: &str, name: Option<&str>, role: hearken::Role| hearken::Employee {
        id: id.into(),
        name: name.map(str::to_owned),
        role,
    };
    use hearken::Role::{Driver, Salesperson, Technician};
    let nights = [
        (
            "2026-11-20",
            vec![
                employee("e3", Some("Zoë"), Salesperson),
                employee("e1", None, Technician),
                employee("e2", Some("Hugo"), Salesperson),
            ],
        ),
        (
            "2026-11-21",
            vec![
                employee("e1", None, Technician),
                employee("e2", Some("Hugo B."), Salesperson),
                employee("e5", None, Driver),
                employee("e3", Some("Zoë"), Driver),
                employee("e4", Some("Léa"), Salesperson),
            ],
        ),
        ("2026-11-22", vec![employee("e4", Some("Léa"), Salesperson)]),
    ];
    let mut reports = Vec::new();
    let mut dumps = Vec::new();
    for e in [
        Engine::open(dir.path().join("employees.db")).unwrap(),
        on_pg(&engine_url, &id),
    ] {
        e.upsert_location(&Location::new("paris", "Boutique", "Europe/Paris"))
            .unwrap();
        let mut upserted = Vec::new();
        for (date, employees) in &nights {
            let mut s = sale(
                &format!("t-{date}"),
                Some("c1"),
                Some(&format!("{date}T10:00:00+01:00")),
            );
            s.employees = employees.iter().map(|e| e.id.clone()).collect();
            let mut b = batch("paris", date, &["c1"], vec![s]);
            b.employees = employees.clone();
            upserted.push(e.sync(&b, paris_night(date)).unwrap().employees_upserted);
        }
        reports.push(upserted);
        dumps.push(
            dump(&e)
                .into_iter()
                .filter(|l| {
                    l.starts_with("employees: ") || l.starts_with("transaction_employees: ")
                })
                .collect::<Vec<_>>(),
        );
        e.close().unwrap();
    }
    assert_eq!(reports[0], vec![3, 4, 0]);
    assert_eq!(reports[0], reports[1]);
    assert_eq!(dumps[0].len(), 5 + 3 + 5 + 1, "{:#?}", dumps[0]);
    assert_same(&dumps[0], &dumps[1]);
}
