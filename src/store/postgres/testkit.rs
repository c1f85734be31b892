//! What the area tests share: the cluster of scripts/pg-cluster.sh from the environment,
//! the schema installed once, a fresh store with a location and a customer (plain SQL, as
//! another area would have written them).

use std::io::Write;
use std::time::{SystemTime, UNIX_EPOCH};

use crate::error::Result;
use crate::hosted::{PgClient, p, schema};

use super::PgTx;

/// A fresh store on the test cluster: the admin client, the engine's, the store's key.
pub struct Fixture {
    pub admin: PgClient,
    pub engine: PgClient,
    pub store: i64,
}

impl Fixture {
    /// Runs `body` in one write transaction of the store, as the engine.
    pub fn write<T>(&self, body: impl FnOnce(&mut PgTx<'_>) -> Result<T>) -> Result<T> {
        let store = self.store;
        self.engine.with_transaction(store, |tx| {
            let mut t = PgTx::new(tx, store);
            body(&mut t)
        })
    }

    /// Runs plain SQL as the admin, the store's key as `$1`.
    pub fn admin_sql(&self, sql: &str) {
        let store = self.store;
        self.admin
            .with_admin_transaction(|tx| tx.execute(sql, vec![p(store)]))
            .expect("admin setup statement");
    }
}

/// A fresh store with location 1 and customer 1 (the engine's rows of other areas), or
/// `None` after a loud SKIPPED line (a failure when HEARKEN_TEST_REQUIRE_PG is set).
pub fn fixture(test: &str) -> Option<Fixture> {
    let (admin_url, engine_url) = match (
        std::env::var("HEARKEN_TEST_PG_URL"),
        std::env::var("HEARKEN_TEST_PG_ENGINE_URL"),
    ) {
        (Ok(a), Ok(e)) => (a, e),
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
            return None;
        }
    };
    super::install_for_tests(&admin_url);
    let admin = PgClient::connect(&admin_url).expect("admin client");
    let nanos = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_nanos())
        .unwrap_or(0);
    let text = format!("{test}-{}-{nanos}", std::process::id());
    let store = schema::create_store(&admin, &text).expect("create the store");
    let engine = PgClient::connect(&engine_url).expect("engine client");
    let f = Fixture {
        admin,
        engine,
        store,
    };
    f.admin_sql(
        "INSERT INTO locations (store_id, id, host_id, name, time_zone, enabled)
         VALUES ($1, 1, 'loc-1', 'Boutique', 'Europe/Paris', 1)",
    );
    f.admin_sql(
        "INSERT INTO customers (store_id, id, host_id, name, email, email_norm,
           include_in_communications, created_at, updated_at)
         VALUES ($1, 1, 'cust-1', 'Ada', 'Ada@Example.com', 'ada@example.com', 1, 0, 0)",
    );
    Some(f)
}

/// The fixture's location 1 and customer 1 on a SQLite store, through its own traits.
pub fn sqlite_location_and_customer(c: &mut dyn crate::store::Tx) -> Result<()> {
    c.upsert_location(&crate::model::Location {
        id: "loc-1".into(),
        name: "Boutique".into(),
        time_zone: "Europe/Paris".into(),
        enabled: true,
        review_link: None,
        business_type: None,
    })?;
    let id = c.insert_customer(
        &crate::store::customers::CustomerRow {
            host_id: "cust-1".into(),
            name: Some("Ada".into()),
            email: Some("Ada@Example.com".into()),
            email_norm: Some("ada@example.com".into()),
            phone: None,
            phone_norm: None,
            language: None,
            gender: None,
            reference: None,
            include_in_communications: true,
        },
        0,
    )?;
    assert_eq!(id, 1);
    Ok(())
}
