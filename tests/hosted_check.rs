//! The admin's check of a hosted database (H2, H5; `hearken::admin::check`, `hearken
//! admin check`) against the test cluster (scripts/pg-cluster.sh): a clean database is
//! ok; orphans of the references the PostgreSQL schema does not enforce are reported per
//! store, table and reference, without a value; a store table whose row-level security
//! is not forced, a second permissive policy and a role granted the store tables that
//! owns a schema are reported; one store's check names only that store.
//!
//! Each test runs in a schema of its own (the URL's `search_path`): its changes to the
//! tables and their security never reach the other tests' shared schema.
#![cfg(feature = "hosted")]

mod common;
mod hosted_common;

use std::path::{Path, PathBuf};
use std::process::Command;

use hearken::hosted::schema::{PG_SCHEMA_VERSION, STORE_TABLES};
use hearken::hosted::{Admin, PgClient, p};
use hearken::{AdminCheck, Employee, Engine, ErrorKind, Location, OrphanCount, Role};

use common::{deliver, one_sale_each, paris_night};
use hosted_common::{unique, urls};

/// A schema of this test's own with hearken installed in it; the admin URL that uses it.
fn private_schema(admin_url: &str, prefix: &str) -> String {
    let name = unique(prefix).replace('-', "_");
    PgClient::connect(admin_url)
        .unwrap()
        .with_admin_transaction(|tx| tx.batch_execute(&format!("CREATE SCHEMA {name}")))
        .unwrap();
    let url = format!("{admin_url}&options=-c%20search_path%3D{name}");
    Admin::connect(&url)
        .unwrap()
        .install("hearken_engine")
        .unwrap();
    url
}

/// An SQLite store file with two nights behind it, employees credited, messages delivered.
fn store_file(dir: &Path) -> PathBuf {
    let path = dir.join("store.db");
    let e = Engine::open(&path).unwrap();
    e.upsert_location(&Location::new("paris", "Boutique Paris", "Europe/Paris"))
        .unwrap();
    for date in ["2026-11-19", "2026-11-20"] {
        let people: Vec<String> = (0..12).map(|i| format!("c{i}")).collect();
        let ids: Vec<&str> = people.iter().map(String::as_str).collect();
        let mut b = one_sale_each(date, &ids);
        b.employees = vec![Employee {
            id: "e1".into(),
            name: Some("Alex".into()),
            role: Role::Salesperson,
        }];
        for t in &mut b.transactions {
            t.employees = vec!["e1".into()];
        }
        e.sync(&b, paris_night(date)).unwrap();
        deliver(&e, 100, paris_night(date));
    }
    e.close().unwrap();
    path
}

/// Runs `sql` as the admin (who bypasses row-level security) in `url`'s schema.
fn as_admin(url: &str, sql: &str, params: Vec<hearken::hosted::Param>) -> u64 {
    PgClient::connect(url)
        .unwrap()
        .with_admin_transaction(|tx| tx.execute(sql, params))
        .unwrap()
}

fn key_of(url: &str, store: &str) -> i64 {
    PgClient::connect(url)
        .unwrap()
        .with_admin_transaction(|tx| {
            tx.query_one(
                "SELECT store_id FROM stores WHERE text_id = $1",
                vec![p(store.to_owned())],
            )
        })
        .unwrap()
        .get(0)
}

/// The orphans as (store, table, column, referenced table, rows).
fn orphans(r: &AdminCheck) -> Vec<(Option<String>, String, String, String, u64)> {
    (r.orphans.iter())
        .map(|o: &OrphanCount| {
            (
                o.store.clone(),
                o.table.clone(),
                o.column.clone(),
                o.references.clone(),
                o.rows,
            )
        })
        .collect()
}

struct Run {
    code: i32,
    stdout: String,
    stderr: String,
}

/// `hearken admin check ARGS` with the admin's URL in $HEARKEN_ADMIN_DB.
fn cli(url: &str, args: &[&str]) -> Run {
    let out = Command::new(env!("CARGO_BIN_EXE_hearken"))
        .arg("admin")
        .arg("check")
        .args(args)
        .env_remove("HEARKEN_DB")
        .env("HEARKEN_ADMIN_DB", url)
        .output()
        .unwrap();
    Run {
        code: out.status.code().unwrap(),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    }
}

/// H5: a database with two stores moved in from files, nothing touched by hand, is ok:
/// the schema current, every store table secured, the engine's role safe, no orphan in
/// the 13 unenforced references nor in the store tables' references to the directory.
#[test]
fn h5_check_of_a_clean_database_is_ok() {
    let Some((admin_url, _)) = urls("h5_check_clean") else {
        return;
    };
    let url = private_schema(&admin_url, "check_clean");
    let dir = tempfile::tempdir().unwrap();
    let file = store_file(dir.path());
    let admin = Admin::connect(&url).unwrap();
    let (a, b) = (unique("clean-a"), unique("clean-b"));
    admin.import_sqlite(&file, &a).unwrap();
    admin.import_sqlite(&file, &b).unwrap();
    let all = hearken::admin::check(&url, None).unwrap();
    assert!(all.ok, "{all:#?}");
    assert_eq!(all.store, None);
    assert_eq!(all.schema_version, Some(i64::from(PG_SCHEMA_VERSION)));
    assert!(all.schema_current);
    assert_eq!(all.stores_checked, 2);
    assert_eq!(all.tables_checked, STORE_TABLES.len() as u64);
    assert!(
        all.unsecured_tables.is_empty() && all.orphans.is_empty(),
        "{all:#?}"
    );
    let roles: Vec<&str> = all.roles.iter().map(|r| r.role.as_str()).collect();
    assert_eq!(roles, ["hearken_engine"]);
    assert!(all.roles[0].is_safe(), "{:?}", all.roles[0]);
    // The 13 dropped foreign keys, and every store table but store_counters to the directory.
    assert_eq!(all.references_checked, 13 + STORE_TABLES.len() as u64 - 1);
    let one = hearken::admin::check(&url, Some(&a)).unwrap();
    assert!(one.ok, "{one:#?}");
    assert_eq!(
        (one.store.as_deref(), one.stores_checked),
        (Some(a.as_str()), 1)
    );
    assert_eq!(one.references_checked, 13);
    let r = cli(&url, &[]);
    assert_eq!(r.code, 0, "{}{}", r.stdout, r.stderr);
    assert!(r.stdout.ends_with("ok\n"), "{}", r.stdout);
    let r = cli(&url, &["--store", &b, "--json"]);
    assert_eq!(r.code, 0, "{}{}", r.stdout, r.stderr);
    let shown: AdminCheck = serde_json::from_str(&r.stdout).unwrap();
    assert!(
        shown.ok && shown.store.as_deref() == Some(b.as_str()),
        "{shown:?}"
    );
}

/// H5: a database without the hearken schema is reported, not ok, nothing else checked.
#[test]
fn h5_check_of_a_database_without_the_schema_says_so() {
    let Some((admin_url, _)) = urls("h5_check_no_schema") else {
        return;
    };
    let name = unique("check_empty").replace('-', "_");
    PgClient::connect(&admin_url)
        .unwrap()
        .with_admin_transaction(|tx| tx.batch_execute(&format!("CREATE SCHEMA {name}")))
        .unwrap();
    let url = format!("{admin_url}&options=-c%20search_path%3D{name}");
    let r = hearken::admin::check(&url, None).unwrap();
    assert!(
        !r.ok && r.schema_version.is_none() && !r.schema_current,
        "{r:?}"
    );
    assert_eq!(r.references_checked, 0);
    let run = cli(&url, &[]);
    assert_eq!(run.code, 1, "{}{}", run.stdout, run.stderr);
    assert!(run.stdout.contains("no hearken schema"), "{}", run.stdout);
}

/// H5: orphans the admin role made by hand (a decision whose transaction does not exist,
/// a transaction whose customer does not, an employee link to no employee, a row of a
/// store missing from the directory) are counted per store, table and reference, without
/// a value; a store's own check names that store only; an unknown store is not found.
#[test]
fn h5_check_reports_orphans_by_store_table_and_reference_without_values() {
    let Some((admin_url, _)) = urls("h5_check_orphans") else {
        return;
    };
    let url = private_schema(&admin_url, "check_orphans");
    let dir = tempfile::tempdir().unwrap();
    let file = store_file(dir.path());
    let admin = Admin::connect(&url).unwrap();
    let (a, b) = (unique("orphan-a"), unique("orphan-b"));
    admin.import_sqlite(&file, &a).unwrap();
    admin.import_sqlite(&file, &b).unwrap();
    let (ka, kb) = (key_of(&url, &a), key_of(&url, &b));
    assert_eq!(
        as_admin(
            &url,
            "INSERT INTO decisions (store_id, transaction_id, business_date, decided_at) \
             VALUES ($1, 987654321, '2026-11-20', 0)",
            vec![p(ka)],
        ),
        1
    );
    assert_eq!(
        as_admin(
            &url,
            "UPDATE transactions SET customer_id = 876543219 \
             WHERE store_id = $1 AND id = (SELECT min(id) FROM transactions WHERE store_id = $1)",
            vec![p(ka)],
        ),
        1
    );
    assert_eq!(
        as_admin(
            &url,
            "INSERT INTO transaction_employees (store_id, transaction_id, employee_id) \
             SELECT $1, id, 765432198 FROM transactions WHERE store_id = $1 ORDER BY id LIMIT 3",
            vec![p(kb)],
        ),
        3
    );
    // A customer of a store key the directory does not hold.
    let gone = kb + 1_000_000;
    as_admin(
        &url,
        "INSERT INTO customers (store_id, id, host_id, include_in_communications, created_at, \
         updated_at) VALUES ($1, 1, 'ghost-654321987', 1, 0, 0)",
        vec![p(gone)],
    );

    let all = hearken::admin::check(&url, None).unwrap();
    assert!(!all.ok);
    assert!(all.unsecured_tables.is_empty(), "{all:#?}");
    let s = |t: &str, c: &str, r: &str, n: u64, store: Option<&str>| {
        (
            store.map(str::to_owned),
            t.to_owned(),
            c.to_owned(),
            r.to_owned(),
            n,
        )
    };
    assert_eq!(
        orphans(&all),
        [
            s(
                "decisions",
                "transaction_id",
                "transactions",
                1,
                Some(a.as_str())
            ),
            s(
                "transactions",
                "customer_id",
                "customers",
                1,
                Some(a.as_str())
            ),
            s(
                "transaction_employees",
                "employee_id",
                "employees",
                3,
                Some(b.as_str())
            ),
            s("customers", "store_id", "stores", 1, None),
        ]
    );
    assert_eq!(
        all.orphans.iter().map(|o| o.store_key).collect::<Vec<_>>(),
        [ka, ka, kb, gone]
    );
    assert_eq!(all.problems(), 4);
    // Names and counts only: none of the values written above.
    let json = hearken::wire::to_json(&all);
    for value in [
        "987654321",
        "876543219",
        "765432198",
        "654321987",
        "c1@example.com",
    ] {
        assert!(!json.contains(value), "{value} in {json}");
    }
    // One store's check names that store only.
    let only_a = hearken::admin::check(&url, Some(&a)).unwrap();
    assert_eq!(orphans(&only_a), orphans(&all)[..2]);
    let only_b = hearken::admin::check(&url, Some(&b)).unwrap();
    assert_eq!(orphans(&only_b), orphans(&all)[2..3]);
    assert!(!only_a.ok && !only_b.ok);

    let r = cli(&url, &[]);
    assert_eq!(r.code, 1, "{}{}", r.stdout, r.stderr);
    assert!(
        r.stdout.contains(&format!(
            "store {a}: 1 rows of decisions.transaction_id -> transactions"
        )),
        "{}",
        r.stdout
    );
    assert!(r.stdout.contains("not in the directory"), "{}", r.stdout);
    assert!(r.stderr.contains("4 problems"), "{}", r.stderr);
    let r = cli(&url, &["--store", &b, "--json"]);
    assert_eq!(r.code, 1, "{}{}", r.stdout, r.stderr);
    let shown: AdminCheck = serde_json::from_str(&r.stdout).unwrap();
    assert_eq!(orphans(&shown), orphans(&only_b));
    for value in ["987654321", "876543219", "765432198", "654321987"] {
        assert!(!r.stdout.contains(value) && !r.stderr.contains(value));
    }

    let missing = unique("no-such-store");
    let e = hearken::admin::check(&url, Some(&missing)).unwrap_err();
    assert_eq!(e.kind(), ErrorKind::NotFound, "{e}");
    assert_eq!(cli(&url, &["--store", &missing]).code, 4);
    let e = hearken::admin::check(&url, Some("")).unwrap_err();
    assert_eq!(e.kind(), ErrorKind::InvalidInput, "{e}");
}

/// H2: a store table whose row-level security is no longer forced, one with a second,
/// wider permissive policy, and a role granted a store table that owns a schema are each
/// reported; installing again (and dropping what was added by hand)
/// makes the database ok again.
#[test]
fn h2_check_reports_a_table_whose_row_security_is_not_forced() {
    let Some((admin_url, _)) = urls("h2_check_rls") else {
        return;
    };
    let url = private_schema(&admin_url, "check_rls");
    let admin = Admin::connect(&url).unwrap();
    admin.create_store(&unique("rls")).unwrap();
    assert!(hearken::admin::check(&url, None).unwrap().ok);

    as_admin(
        &url,
        "ALTER TABLE outbox NO FORCE ROW LEVEL SECURITY",
        vec![],
    );
    as_admin(&url, "CREATE POLICY wide ON customers USING (true)", vec![]);
    // A role granted a store table that owns a schema (only a superuser may make a
    // BYPASSRLS role: the admin role is none).
    let role = unique("hk_check_owner").replace('-', "_");
    for sql in [
        format!("CREATE ROLE {role} NOLOGIN"),
        format!("GRANT {role} TO CURRENT_USER"),
        format!("CREATE SCHEMA {role}_own AUTHORIZATION {role}"),
        format!("GRANT SELECT ON responses TO {role}"),
    ] {
        as_admin(&url, &sql, vec![]);
    }

    let r = hearken::admin::check(&url, None).unwrap();
    let unsecured: Vec<(&str, bool, bool, bool, bool)> = (r.unsecured_tables.iter())
        .map(|t| {
            (
                t.table.as_str(),
                t.exists,
                t.row_security,
                t.forced,
                t.policy,
            )
        })
        .collect();
    assert_eq!(
        unsecured,
        [
            ("customers", true, true, true, false),
            ("outbox", true, true, false, true),
        ]
    );
    let roles: Vec<(&str, bool, bool, u64)> = (r.roles.iter())
        .map(|x| (x.role.as_str(), x.superuser, x.bypass_rls, x.owned_objects))
        .collect();
    assert_eq!(
        roles,
        [
            ("hearken_engine", false, false, 0),
            (role.as_str(), false, false, 1)
        ]
    );
    assert!(r.roles[0].is_safe() && !r.roles[1].is_safe());
    assert!(!r.ok && r.orphans.is_empty());
    assert_eq!(r.problems(), 3);
    let run = cli(&url, &[]);
    assert_eq!(run.code, 1, "{}{}", run.stdout, run.stderr);
    assert!(
        run.stdout.contains("  outbox: not forced"),
        "{}",
        run.stdout
    );
    assert!(
        run.stdout.contains("  customers: policy not as installed"),
        "{}",
        run.stdout
    );

    as_admin(&url, "DROP POLICY wide ON customers", vec![]);
    as_admin(&url, &format!("DROP SCHEMA {role}_own"), vec![]);
    as_admin(
        &url,
        &format!("REVOKE ALL ON responses FROM {role}"),
        vec![],
    );
    as_admin(&url, &format!("DROP ROLE {role}"), vec![]);
    admin.install("hearken_engine").unwrap();
    let again = hearken::admin::check(&url, None).unwrap();
    assert!(again.ok, "{again:#?}");
}

/// H5: the check's list of unenforced references is exactly what the PostgreSQL schema
/// drops of SQLite's: every foreign key of a fresh SQLite store is either a foreign key of
/// the installed PostgreSQL schema (led by `store_id`) or in `UNENFORCED`, and every entry
/// of `UNENFORCED` is an SQLite key that PostgreSQL does not enforce. A key dropped later
/// without a line here (or a line left after a key came back) fails this test.
#[test]
fn h5_the_unenforced_references_are_exactly_the_sqlite_keys_postgres_drops() {
    use std::collections::BTreeSet;
    let Some((admin_url, _)) = urls("h5_unenforced_exact") else {
        return;
    };
    let url = private_schema(&admin_url, "h5_unenforced");
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("fresh.db");
    Engine::open(&path).unwrap().close().unwrap();
    let conn = rusqlite::Connection::open(&path).unwrap();
    let mut sqlite: BTreeSet<(String, String, String)> = BTreeSet::new();
    let tables: Vec<String> = conn
        .prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'")
        .unwrap()
        .query_map([], |r| r.get(0))
        .unwrap()
        .map(Result::unwrap)
        .collect();
    for table in &tables {
        let mut stmt = conn
            .prepare("SELECT \"from\", \"table\" FROM pragma_foreign_key_list(?1)")
            .unwrap();
        for k in stmt
            .query_map([table], |r| {
                Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?))
            })
            .unwrap()
        {
            let (column, parent) = k.unwrap();
            sqlite.insert((table.clone(), column, parent));
        }
    }
    assert!(sqlite.len() > 20, "SQLite's keys were read: {sqlite:?}");
    let postgres: BTreeSet<(String, String, String)> = PgClient::connect(&url)
        .unwrap()
        .with_admin_transaction(|tx| {
            tx.query(
                "SELECT c.relname::text, a.attname::text, f.relname::text
                 FROM pg_constraint k JOIN pg_class c ON c.oid = k.conrelid
                 JOIN pg_class f ON f.oid = k.confrelid
                 JOIN pg_attribute a ON a.attrelid = k.conrelid AND a.attnum = k.conkey[2]
                 WHERE k.contype = 'f' AND c.relnamespace = current_schema()::regnamespace",
                vec![],
            )
        })
        .unwrap()
        .iter()
        .map(|r| (r.get(0), r.get(1), r.get(2)))
        .collect();
    let unenforced: BTreeSet<(String, String, String)> = hearken::hosted::check::UNENFORCED
        .iter()
        .map(|&(t, c, p)| (t.to_owned(), c.to_owned(), p.to_owned()))
        .collect();
    let dropped: BTreeSet<_> = sqlite.difference(&postgres).cloned().collect();
    assert_eq!(
        dropped, unenforced,
        "SQLite's keys that PostgreSQL does not enforce vs hosted::check::UNENFORCED"
    );
}
