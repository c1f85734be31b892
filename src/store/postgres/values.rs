//! Small conversions shared by the area files of the PostgreSQL store: the SQLite file's
//! stored forms (dates as `YYYY-MM-DD` text, booleans as integers 0/1) on PostgreSQL.

use chrono::NaiveDate;

use crate::error::{Error, Result};
use crate::hosted::Row;

use super::get;

pub use crate::store::dates::date_text;

/// Parses a stored date; the error names the column, never the value.
pub fn parse_date(s: &str, what: &str) -> Result<NaiveDate> {
    crate::store::dates::parse_date_text(s)
        .ok_or_else(|| Error::Internal(format!("postgres: a stored {what} is not a date")))
}

/// Column `i` of `row` (text) as a date.
pub fn get_date(row: &Row, i: usize, what: &str) -> Result<NaiveDate> {
    let s: String = get(row, i)?;
    parse_date(&s, what)
}

/// Column `i` of `row` (nullable text) as a date.
pub fn get_opt_date(row: &Row, i: usize, what: &str) -> Result<Option<NaiveDate>> {
    let s: Option<String> = get(row, i)?;
    s.map(|s| parse_date(&s, what)).transpose()
}

/// Column `i` of `row` (bigint 0/1) as a boolean.
pub fn get_bool(row: &Row, i: usize) -> Result<bool> {
    Ok(get::<i64>(row, i)? != 0)
}

/// A boolean as stored (bigint 0/1).
pub fn flag(b: bool) -> i64 {
    i64::from(b)
}

/// Test support: a fresh store on the cluster of scripts/pg-cluster.sh, and the SQLite
/// store to compare with.
#[cfg(test)]
pub mod testkit {
    use std::io::Write;
    use std::time::{SystemTime, UNIX_EPOCH};

    use crate::error::Result;
    use crate::hosted::{PgClient, schema};
    use crate::store::Tx;
    use crate::store::postgres::PgTx;

    /// Runs `body` in one write transaction of a new store on PostgreSQL; `None` (after a
    /// loud message) when the cluster's variables are absent, unless
    /// HEARKEN_TEST_REQUIRE_PG is set.
    pub fn on_pg<T>(test: &str, body: impl FnOnce(&mut PgTx<'_>) -> Result<T>) -> Option<T> {
        on_pg_counted(test, |t, _| body(t))
    }

    /// [`on_pg`], the body also given how many statements the client had sent so far.
    pub fn on_pg_counted<T>(
        test: &str,
        body: impl FnOnce(&mut PgTx<'_>, &dyn Fn() -> u64) -> Result<T>,
    ) -> Option<T> {
        let (Ok(admin), Ok(engine)) = (
            std::env::var("HEARKEN_TEST_PG_URL"),
            std::env::var("HEARKEN_TEST_PG_ENGINE_URL"),
        ) else {
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
        };
        super::super::install_for_tests(&admin);
        let nanos = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .unwrap()
            .as_nanos();
        let text = format!("{test}-{}-{nanos}", std::process::id());
        let admin = PgClient::connect(&admin).unwrap();
        let key = schema::create_store(&admin, &text).unwrap();
        let client = PgClient::connect(&engine).unwrap();
        Some(
            client
                .with_transaction(key, |tx| {
                    let mut t = PgTx::new(tx, key);
                    body(&mut t, &|| client.statements_sent())
                })
                .unwrap(),
        )
    }

    /// The engine's client and `n` new stores' keys, for a test across stores; `None` as
    /// [`on_pg`] without the cluster.
    pub fn pg_stores(test: &str, n: usize) -> Option<(PgClient, Vec<i64>)> {
        let keys = on_pg_counted(test, |t, _| Ok(t.store()))?;
        let mut keys = vec![keys];
        let admin = PgClient::connect(&std::env::var("HEARKEN_TEST_PG_URL").ok()?).unwrap();
        for k in 1..n {
            let nanos = SystemTime::now()
                .duration_since(UNIX_EPOCH)
                .unwrap()
                .as_nanos();
            let text = format!("{test}-{k}-{}-{nanos}", std::process::id());
            keys.push(schema::create_store(&admin, &text).unwrap());
        }
        let engine = std::env::var("HEARKEN_TEST_PG_ENGINE_URL").ok()?;
        Some((PgClient::connect(&engine).unwrap(), keys))
    }

    /// Runs `body` in one write transaction of a new in-memory SQLite store.
    pub fn on_sqlite<T>(body: impl FnOnce(&mut dyn Tx) -> Result<T>) -> T {
        let mut store = crate::store::sqlite::Store::open_in_memory().unwrap();
        store.write(body).unwrap()
    }
}
