//! The PostgreSQL schema against the test cluster (scripts/pg-cluster.sh): installed
//! idempotently; every key of a store table leads with store_id (H4); row-level security
//! keeps a handle of store A off store B's rows for the engine's role, which owns nothing
//! and bypasses nothing (H2); the same tables and columns as the SQLite schema.
#![cfg(feature = "hosted")]

mod hosted_common;

use std::collections::{BTreeMap, BTreeSet};

use hearken::hosted::schema::{
    self, PG_SCHEMA_VERSION, SHARED_TABLES, SQLITE_ONLY_TABLES, STORE_TABLES,
};
use hearken::hosted::{PgClient, p};
use hosted_common::*;

#[test]
fn h5_install_is_idempotent_and_refuses_a_privileged_engine_role() {
    let Some((admin, _)) = urls("h5_install_is_idempotent") else {
        return;
    };
    installed(&admin);
    let again = schema::install(&admin).unwrap();
    assert_eq!(again.found, Some(PG_SCHEMA_VERSION));
    assert_eq!(again.version, PG_SCHEMA_VERSION);
    // hearken_admin bypasses row-level security: never an engine role (H2).
    let e = schema::install_for_role(&admin, "hearken_admin").unwrap_err();
    assert!(e.to_string().contains("bypasses row-level security"), "{e}");
    let e = schema::install_for_role(&admin, "no_such_role").unwrap_err();
    assert!(e.to_string().contains("does not exist"), "{e}");
}

/// H4: every primary key, unique index and foreign key of a store table leads with
/// store_id (the other indexes too, for the plans), except the shared tables; every store
/// table has row-level security enabled and forced, with a policy; the engine role owns
/// nothing and is neither superuser nor BYPASSRLS.
#[test]
fn h4_every_key_of_a_store_table_leads_with_store_id() {
    let Some((admin, _)) = urls("h4_catalogue") else {
        return;
    };
    installed(&admin);
    let client = PgClient::connect(&admin).unwrap();
    client
        .with_admin_transaction(|tx| {
            let tables: BTreeSet<String> = tx
                .query(
                    "SELECT relname::text FROM pg_class \
                     WHERE relkind = 'r' AND relnamespace = current_schema()::regnamespace",
                    vec![],
                )?
                .iter()
                .map(|r| r.get(0))
                .collect();
            let known: BTreeSet<String> = STORE_TABLES
                .iter()
                .chain(SHARED_TABLES)
                .map(|t| t.to_string())
                .collect();
            assert_eq!(tables, known, "every table is a store table or a shared one");

            let mut bad = Vec::new();
            for r in tx.query(
                "SELECT c.relname::text, i.relname::text, a.attname::text, x.indisunique \
                 FROM pg_index x JOIN pg_class c ON c.oid = x.indrelid \
                 JOIN pg_class i ON i.oid = x.indexrelid \
                 JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum = x.indkey[0] \
                 WHERE c.relnamespace = current_schema()::regnamespace AND c.relkind = 'r'",
                vec![],
            )? {
                let (table, index, first): (String, String, String) = (r.get(0), r.get(1), r.get(2));
                if !SHARED_TABLES.contains(&table.as_str()) && first != "store_id" {
                    bad.push(format!("index {index} on {table} leads with {first}"));
                }
            }
            for r in tx.query(
                "SELECT c.relname::text, k.conname::text, a.attname::text, fa.attname::text \
                 FROM pg_constraint k JOIN pg_class c ON c.oid = k.conrelid \
                 JOIN pg_attribute a ON a.attrelid = k.conrelid AND a.attnum = k.conkey[1] \
                 JOIN pg_attribute fa ON fa.attrelid = k.confrelid AND fa.attnum = k.confkey[1] \
                 WHERE k.contype = 'f' AND c.relnamespace = current_schema()::regnamespace",
                vec![],
            )? {
                let (table, name, from, to): (String, String, String, String) =
                    (r.get(0), r.get(1), r.get(2), r.get(3));
                if !SHARED_TABLES.contains(&table.as_str()) && (from != "store_id" || to != "store_id") {
                    bad.push(format!("foreign key {name} on {table}: ({from}, ..) -> ({to}, ..)"));
                }
            }
            for r in tx.query(
                "SELECT c.relname::text, c.relrowsecurity, c.relforcerowsecurity, \
                        (SELECT count(*) FROM pg_policy y WHERE y.polrelid = c.oid) \
                 FROM pg_class c WHERE c.relkind = 'r' AND c.relnamespace = current_schema()::regnamespace",
                vec![],
            )? {
                let (table, on, forced, policies): (String, bool, bool, i64) =
                    (r.get(0), r.get(1), r.get(2), r.get(3));
                let store_table = STORE_TABLES.contains(&table.as_str()) || table == "stores";
                if store_table && !(on && forced && policies == 1) {
                    bad.push(format!("{table}: rls {on}, forced {forced}, {policies} policies"));
                }
            }
            let counted: i64 = tx
                .query_one(
                    "SELECT count(*) FROM pg_class \
                     WHERE relowner = (SELECT oid FROM pg_roles WHERE rolname = 'hearken_engine')",
                    vec![],
                )?
                .get(0);
            if counted != 0 {
                bad.push(format!("hearken_engine owns {counted} relations"));
            }
            let privileged: bool = tx
                .query_one(
                    "SELECT rolsuper OR rolbypassrls FROM pg_roles WHERE rolname = 'hearken_engine'",
                    vec![],
                )?
                .get(0);
            if privileged {
                bad.push("hearken_engine is superuser or BYPASSRLS".into());
            }
            assert!(bad.is_empty(), "{}", bad.join("\n"));
            Ok(())
        })
        .unwrap();
}

/// H2: as the engine's role, with store A set, raw SELECT, UPDATE and DELETE of store B's
/// rows touch 0 rows, an INSERT of a B row is refused, B's directory row is invisible;
/// with no store set the store tables refuse to answer.
#[test]
fn h2_row_level_security_keeps_store_a_off_store_b_rows() {
    let Some((admin, engine)) = urls("h2_row_level_security") else {
        return;
    };
    installed(&admin);
    let admin_client = PgClient::connect(&admin).unwrap();
    let a = store_with_location(&admin_client, "rls-a");
    let b = store_with_location(&admin_client, "rls-b");
    let client = PgClient::connect(&engine).unwrap();
    client
        .with_transaction(a, |tx| {
            let count = |tx: &mut hearken::hosted::Tx, sql: &str| -> hearken::Result<i64> {
                Ok(tx.query_one(sql, vec![p(b)])?.get(0))
            };
            assert_eq!(
                count(tx, "SELECT count(*) FROM locations WHERE store_id = $1")?,
                0
            );
            assert_eq!(
                count(tx, "SELECT count(*) FROM stores WHERE store_id = $1")?,
                0
            );
            assert_eq!(
                tx.execute(
                    "UPDATE locations SET name = 'taken' WHERE store_id = $1",
                    vec![p(b)]
                )?,
                0
            );
            assert_eq!(
                tx.execute("DELETE FROM locations WHERE store_id = $1", vec![p(b)])?,
                0
            );
            // Without any store predicate, only A's rows are there.
            assert_eq!(
                tx.query_one("SELECT count(*) FROM locations", vec![])?
                    .get::<_, i64>(0),
                1
            );
            assert_eq!(
                tx.query_one("SELECT count(*) FROM stores", vec![])?
                    .get::<_, i64>(0),
                1
            );
            assert_eq!(tx.execute("UPDATE locations SET name = name", vec![])?, 1);
            Ok(())
        })
        .unwrap();
    let e = client
        .with_transaction(a, |tx| {
            tx.execute(
                "INSERT INTO locations (store_id, id, host_id, name, time_zone, enabled) \
                 VALUES ($1, 2, 'planted', 'x', 'UTC', 1)",
                vec![p(b)],
            )
        })
        .unwrap_err();
    assert!(e.to_string().contains("42501"), "{e}");
    let e = client
        .with_transaction(a, |tx| tx.execute("DROP TABLE locations", vec![]))
        .unwrap_err();
    assert!(
        e.to_string().contains("42501"),
        "the engine owns nothing: {e}"
    );
    let e = client
        .with_admin_transaction(|tx| tx.query("SELECT * FROM locations", vec![]))
        .unwrap_err();
    assert!(e.to_string().contains("22P02"), "no store set: {e}");
    // B is untouched, as its owner sees it.
    let (n, name): (i64, String) = admin_client
        .with_admin_transaction(|tx| {
            let r = tx.query_one(
                "SELECT count(*), min(name) FROM locations WHERE store_id = $1",
                vec![p(b)],
            )?;
            Ok((r.get(0), r.get(1)))
        })
        .unwrap();
    assert_eq!((n, name.as_str()), (1, "Boutique"));
}

/// The engine role finds a store's key by its text id (a SECURITY DEFINER function),
/// though it cannot read the directory's other rows.
#[test]
fn h2_the_engine_finds_its_store_key_by_text_id() {
    let Some((admin, engine)) = urls("h2_store_key") else {
        return;
    };
    installed(&admin);
    let admin_client = PgClient::connect(&admin).unwrap();
    let text = unique("key");
    let key = schema::create_store(&admin_client, &text).unwrap();
    let client = PgClient::connect(&engine).unwrap();
    assert_eq!(schema::store_key(&client, &text).unwrap(), Some(key));
    assert_eq!(schema::store_key(&client, "no such store").unwrap(), None);
}

/// The PostgreSQL schema has the SQLite schema's tables and columns (plus store_id, and
/// setting_values' `value ANY` as int_value/text_value), so a store moves between them.
#[test]
fn h1_the_postgres_schema_has_the_sqlite_tables_and_columns() {
    let Some((admin, _)) = urls("h1_same_tables") else {
        return;
    };
    installed(&admin);
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("store.db");
    hearken::Engine::open(&path).unwrap().close().unwrap();
    let conn = rusqlite::Connection::open(&path).unwrap();
    let mut sqlite: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    let mut sqlite_only = BTreeSet::new();
    let mut stmt = conn
        .prepare(
            "SELECT m.name, c.name FROM sqlite_schema m, pragma_table_info(m.name) c \
             WHERE m.type = 'table' AND m.name NOT LIKE 'sqlite_%'",
        )
        .unwrap();
    for row in stmt
        .query_map([], |r| Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?)))
        .unwrap()
    {
        let (table, column) = row.unwrap();
        if SQLITE_ONLY_TABLES.contains(&table.as_str()) {
            sqlite_only.insert(table);
            continue;
        }
        let column = match (table.as_str(), column.as_str()) {
            ("setting_values", "value") => {
                sqlite
                    .entry(table.clone())
                    .or_default()
                    .insert("int_value".into());
                "text_value".to_owned()
            }
            _ => column,
        };
        sqlite.entry(table).or_default().insert(column);
    }
    let client = PgClient::connect(&admin).unwrap();
    let mut postgres: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    client
        .with_admin_transaction(|tx| {
            for r in tx.query(
                "SELECT table_name::text, column_name::text FROM information_schema.columns \
                 WHERE table_schema = current_schema() AND column_name <> 'store_id'",
                vec![],
            )? {
                let table: String = r.get(0);
                if STORE_TABLES.contains(&table.as_str()) && table != "store_counters" {
                    postgres.entry(table).or_default().insert(r.get(1));
                }
            }
            Ok(())
        })
        .unwrap();
    assert_eq!(postgres, sqlite);
    // The tables left out are SQLite's still.
    assert_eq!(sqlite_only.len(), SQLITE_ONLY_TABLES.len());
}

/// H5: installs racing on an empty schema (three processes deploying at once) serialise
/// on the schema lock: exactly one creates the tables, the others find version 1.
#[test]
fn h5_concurrent_installs_create_the_schema_once() {
    let Some((admin, _)) = urls("h5_concurrent_installs") else {
        return;
    };
    let schema_name = unique("race").replace('-', "_");
    let admin_client = PgClient::connect(&admin).unwrap();
    admin_client
        .with_admin_transaction(|tx| tx.batch_execute(&format!("CREATE SCHEMA {schema_name}")))
        .unwrap();
    // The schema is chosen by the connection's search_path.
    let url = format!("{admin}&options=-c%20search_path%3D{schema_name}");
    let installs: Vec<_> = (0..3)
        .map(|_| {
            let url = url.clone();
            std::thread::spawn(move || schema::install(&url).unwrap())
        })
        .collect();
    let mut found: Vec<Option<i32>> = installs
        .into_iter()
        .map(|t| t.join().unwrap().found)
        .collect();
    found.sort_unstable();
    assert_eq!(
        found,
        [None, Some(PG_SCHEMA_VERSION), Some(PG_SCHEMA_VERSION)]
    );
    let tables: i64 = admin_client
        .with_admin_transaction(|tx| {
            Ok(tx
                .query_one(
                    "SELECT count(*) FROM pg_tables WHERE schemaname = $1",
                    vec![p(schema_name.clone())],
                )?
                .get(0))
        })
        .unwrap();
    assert_eq!(tables as usize, STORE_TABLES.len() + SHARED_TABLES.len());
}

/// H2: the unsubscribe list is vendor-wide: a hash added in store A's transaction is seen
/// in store B's, and lifted from B (an SMS START). The engine role cannot create stores nor
/// change the pepper or the schema version (the admin's).
#[test]
fn h2_the_unsubscribe_list_is_shared_and_the_engine_cannot_administer() {
    let Some((admin, engine)) = urls("h2_shared_unsubscribes") else {
        return;
    };
    installed(&admin);
    let admin_client = PgClient::connect(&admin).unwrap();
    let a = store_with_location(&admin_client, "unsub-a");
    let b = store_with_location(&admin_client, "unsub-b");
    let client = PgClient::connect(&engine).unwrap();
    let hash = unique("hash");
    client
        .with_transaction(a, |tx| {
            tx.execute(
                "INSERT INTO unsubscribes (hash, channel, source, created_at) \
                 VALUES ($1, 'email', 'link', 0)",
                vec![p(hash.clone())],
            )
        })
        .unwrap();
    let seen: i64 = client
        .with_read_transaction(b, |tx| {
            Ok(tx
                .query_one(
                    "SELECT count(*) FROM unsubscribes WHERE hash = $1",
                    vec![p(hash.clone())],
                )?
                .get(0))
        })
        .unwrap();
    assert_eq!(seen, 1);
    let pepper: String = client
        .with_read_transaction(b, |tx| {
            Ok(tx
                .query_one(
                    "SELECT value FROM shared_settings WHERE key = 'unsubscribe_pepper'",
                    vec![],
                )?
                .get(0))
        })
        .unwrap();
    assert_eq!(pepper.len(), 64, "a 64-hex-digit pepper set at install");
    // An SMS START (issue 28) lifts a keyword opt-out: the engine may delete a row of the list.
    let lifted = client
        .with_transaction(b, |tx| {
            tx.execute(
                "DELETE FROM unsubscribes WHERE hash = $1",
                vec![p(hash.clone())],
            )
        })
        .unwrap();
    assert_eq!(lifted, 1);
    for sql in [
        "INSERT INTO stores (text_id) VALUES ('made-by-the-engine')",
        "UPDATE shared_settings SET value = 'x'",
        "UPDATE schema_version SET version = 99",
    ] {
        let e = client
            .with_transaction(a, |tx| tx.execute(sql, vec![]))
            .unwrap_err();
        assert!(e.to_string().contains("42501"), "{sql}: {e}");
    }
}

/// H5: opening checks the version and changes nothing: this library's version and the
/// next are accepted (expand then contract), two ahead is NewerSchema, an older or
/// absent schema names the admin's install.
#[test]
fn h5_opening_accepts_this_version_and_the_next_only() {
    let Some((admin, engine)) = urls("h5_version_check") else {
        return;
    };
    installed(&admin);
    assert_eq!(
        schema::check(&PgClient::connect(&engine).unwrap()).unwrap(),
        PG_SCHEMA_VERSION
    );
    let schema_name = unique("versions").replace('-', "_");
    let admin_client = PgClient::connect(&admin).unwrap();
    admin_client
        .with_admin_transaction(|tx| tx.batch_execute(&format!("CREATE SCHEMA {schema_name}")))
        .unwrap();
    let url = format!("{admin}&options=-c%20search_path%3D{schema_name}");
    let there = PgClient::connect(&url).unwrap();
    let e = schema::check(&there).unwrap_err();
    assert!(e.to_string().contains("install"), "{e}");
    schema::install(&url).unwrap();
    let set = |v: i32| {
        there
            .with_admin_transaction(|tx| {
                tx.execute("UPDATE schema_version SET version = $1", vec![p(v)])
            })
            .unwrap();
    };
    set(PG_SCHEMA_VERSION + 1);
    assert_eq!(schema::check(&there).unwrap(), PG_SCHEMA_VERSION + 1);
    set(PG_SCHEMA_VERSION + 2);
    let e = schema::check(&there).unwrap_err();
    assert_eq!(e.kind(), hearken::ErrorKind::NewerSchema, "{e}");
    set(PG_SCHEMA_VERSION - 1);
    let e = schema::check(&there).unwrap_err();
    assert!(
        e.to_string().contains("older") && e.to_string().contains("`hearken admin migrate`"),
        "{e}"
    );
}
