//! The PostgreSQL store (hosted mode, feature `hosted`; issue 27, H1–H7): the storage
//! traits of `src/store/` on PostgreSQL 15, over the client of `src/hosted/`.
//!
//! One database holds many stores. Every statement here names the store (`store_id =
//! $1`, the transaction's store) besides the row-level security the schema installs (H2);
//! the integer ids a host sees are numbered per store from `store_counters`, allocated
//! under the store's advisory lock that every write transaction holds (H1, H3); the writes
//! a night makes many of are written a slice at a time (multi-row statements over
//! `unnest` arrays), so a night takes a fixed number of statements.
//!
//! Each area's trait is implemented for [`PgTx`] in its own file, mirroring
//! `src/store/sqlite/`.

// Until the PostgreSQL `Backend` opens stores (issue 27), only the tests build a PgTx.
#![allow(dead_code)]

/// The filter of customer `$2`'s outbox rows: her invitations' messages (through
/// `outbox_invitation`) and her other messages (the partial `outbox_customer`), as SQLite's
/// schema 14 reads them. A macro so the statements that use it stay `&'static str`.
macro_rules! her_messages {
    () => {
        "(invitation_id IN (SELECT id FROM invitations WHERE store_id = $1 AND customer_id = $2)
          OR (customer_id = $2 AND invitation_id IS NULL))"
    };
}

// Areas of p27-pga (kept together to ease merges).
mod customers;
mod dump;
mod locations;
mod policy;
mod rollups;
mod settings;
mod transactions;
mod values;

use crate::error::{Error, Result};
use crate::hosted::{Param, Row, Tx, p};

/// One transaction of one store on PostgreSQL, as the engine's use cases see it.
pub struct PgTx<'t> {
    tx: &'t mut Tx,
    /// The store's key (`stores.store_id`), bound as `$1` of every statement.
    store: i64,
    /// Every `setting_values` row of the store (group, key, value), read by the first
    /// settings read of the transaction, so that a sync's three groups cost one statement;
    /// dropped by any other statement naming the table (a write to it).
    settings: Option<Vec<(String, String, crate::store::settings::Value)>>,
}

impl<'t> PgTx<'t> {
    /// The store `store`'s view of the open transaction `tx` (opened by
    /// `PgClient::with_transaction(store, …)`, which set the store and took its lock).
    pub fn new(tx: &'t mut Tx, store: i64) -> Self {
        PgTx {
            tx,
            store,
            settings: None,
        }
    }

    /// The store's key.
    pub fn store(&self) -> i64 {
        self.store
    }

    /// Runs a statement with the store's key as `$1` before `params`.
    pub fn execute(&mut self, sql: &str, params: Vec<Param>) -> Result<u64> {
        self.forget_settings(sql);
        let params = self.with_store(params);
        self.tx.execute(sql, params)
    }

    /// Runs a query with the store's key as `$1` before `params`.
    pub fn query(&mut self, sql: &str, params: Vec<Param>) -> Result<Vec<Row>> {
        self.forget_settings(sql);
        let params = self.with_store(params);
        self.tx.query(sql, params)
    }

    /// Runs a query for at most one row, the store's key as `$1`.
    pub fn query_opt(&mut self, sql: &str, params: Vec<Param>) -> Result<Option<Row>> {
        self.forget_settings(sql);
        let params = self.with_store(params);
        self.tx.query_opt(sql, params)
    }

    /// Runs a query for exactly one row, the store's key as `$1`.
    pub fn query_one(&mut self, sql: &str, params: Vec<Param>) -> Result<Row> {
        self.forget_settings(sql);
        let params = self.with_store(params);
        self.tx.query_one(sql, params)
    }

    /// Drops the cached settings rows when `sql` may have written them.
    fn forget_settings(&mut self, sql: &str) {
        if self.settings.is_some() && sql.contains("setting_values") {
            self.settings = None;
        }
    }

    fn with_store(&self, params: Vec<Param>) -> Vec<Param> {
        let mut all = Vec::with_capacity(params.len() + 1);
        all.push(p(self.store));
        all.extend(params);
        all
    }

    /// Allocates `n` consecutive ids of the store's counter `counter` (a table's name) and
    /// returns the first: gap-free in commit order, as a fresh SQLite file numbers its rows
    /// (H1), because every write transaction holds the store's lock (H3). The store's
    /// counters are read once per transaction and advanced in memory; the ones advanced
    /// are written back in one statement just before `COMMIT` (`flush_counters`), so a
    /// night's five tables cost two statements, not five.
    pub fn next_ids(&mut self, counter: &str, n: i64) -> Result<i64> {
        if self.tx.counters.is_none() {
            let rows = self.query(
                "SELECT counter, next_value FROM store_counters WHERE store_id = $1",
                vec![],
            )?;
            let mut counters = crate::hosted::Counters {
                store: self.store,
                next: std::collections::HashMap::with_capacity(rows.len() + 4),
            };
            for r in &rows {
                counters.next.insert(get(r, 0)?, (get(r, 1)?, false));
            }
            self.tx.counters = Some(counters);
            self.tx.before_commit = Some(flush_counters);
        }
        let Some(counters) = self.tx.counters.as_mut() else {
            return Err(Error::Internal(
                "postgres: the store's counters were not read".into(),
            ));
        };
        if counters.store != self.store {
            return Err(Error::Internal(
                "postgres: one transaction numbered rows of two stores".into(),
            ));
        }
        let slot = counters
            .next
            .entry(counter.to_owned())
            .or_insert((1, false));
        let first = slot.0;
        slot.0 = first
            .checked_add(n)
            .ok_or_else(|| Error::Internal(format!("postgres: counter {counter} overflows")))?;
        slot.1 = true;
        Ok(first)
    }
}

/// Writes back the counters the transaction advanced ([`PgTx::next_ids`]), in one
/// statement; run by the client just before `COMMIT`.
fn flush_counters(tx: &mut Tx) -> Result<()> {
    let Some(counters) = tx.counters.take() else {
        return Ok(());
    };
    let store = counters.store;
    let (names, values): (Vec<String>, Vec<i64>) = counters
        .next
        .into_iter()
        .filter(|(_, (_, advanced))| *advanced)
        .map(|(name, (next, _))| (name, next))
        .unzip();
    if names.is_empty() {
        return Ok(());
    }
    tx.execute(
        "INSERT INTO store_counters (store_id, counter, next_value)
         SELECT $1, c, v FROM unnest($2::text[], $3::bigint[]) AS u (c, v)
         ON CONFLICT (store_id, counter) DO UPDATE SET next_value = excluded.next_value",
        vec![p(store), p(names), p(values)],
    )?;
    Ok(())
}

/// Column `i` of `row` as a `T`, or a typed internal error (never a panic).
pub fn get<'r, T: tokio_postgres::types::FromSql<'r>>(row: &'r Row, i: usize) -> Result<T> {
    row.try_get(i)
        .map_err(|e| Error::Internal(format!("postgres: column {i} of a row: {e}")))
}

// Areas implemented on PostgreSQL by the p27-pgb branch (kept together to ease the merge).
mod alerts;
mod analytics;
mod clicks;
mod consent;
mod conv;
mod events;
mod exports;
mod inbound;
mod outbox;
mod responses;
mod subject;
#[cfg(test)]
mod testkit;
mod users;
mod webhooks;

/// One store of a PostgreSQL database, as an engine holds it: every call a transaction
/// of the shared pool, with the store set and (for a write) its advisory lock (H2, H3).
pub struct PgStore {
    client: crate::hosted::PgClient,
    store: i64,
}

impl PgStore {
    /// Opens the store `text_id` in the database at `url` (a `postgres://` connection
    /// string): the schema must be installed and current (H5: opening changes nothing)
    /// and the store created by an admin; otherwise a typed error naming what to run.
    pub fn open(url: &str, text_id: &str) -> Result<PgStore> {
        // One round trip: the pool of `url` (made on first use), then one statement for
        // the schema version and the store's key, which also proves the connection.
        let client = crate::hosted::PgClient::shared(url)?;
        let (_, store) = crate::hosted::schema::open_store(&client, text_id)?;
        let store = store.ok_or_else(|| Error::NotFound {
            what: "store",
            id: text_id.to_owned(),
        })?;
        Ok(PgStore { client, store })
    }
}

impl crate::store::Backend for PgStore {
    fn write_dyn(
        &mut self,
        f: &mut dyn FnMut(&mut dyn crate::store::Tx) -> Result<()>,
    ) -> Result<()> {
        let store = self.store;
        self.client
            .with_transaction(store, |tx| f(&mut PgTx::new(tx, store)))
    }

    fn read_dyn(
        &mut self,
        f: &mut dyn FnMut(&mut dyn crate::store::Tx) -> Result<()>,
    ) -> Result<()> {
        let store = self.store;
        self.client
            .with_read_transaction(store, |tx| f(&mut PgTx::new(tx, store)))
    }

    fn schema_version(&self) -> Result<i64> {
        crate::hosted::schema::check(&self.client).map(i64::from)
    }

    fn finish_scrub(&mut self) -> Result<bool> {
        // Erased values leave PostgreSQL's heap with VACUUM and its WAL with retention
        // (docs/hosted.md): nothing a store handle can finish here.
        Ok(true)
    }

    fn trace_statements(
        &mut self,
        sink: Option<std::sync::Arc<std::sync::Mutex<Vec<String>>>>,
    ) -> Result<()> {
        // This handle's own clone of the client: other handles of the pool are not traced.
        self.client.trace_statements(sink);
        Ok(())
    }

    fn tune_for_import(&mut self, _importing: bool) -> Result<()> {
        Ok(())
    }

    fn close(self: Box<Self>) -> Result<()> {
        // The pool is the process's, shared by every handle: nothing of it is closed here.
        Ok(())
    }

    fn file_store(&mut self) -> Option<&mut crate::store::sqlite::Store> {
        None
    }
}

/// Installs the schema once per test process: every area's tests share it (two installs
/// at once with other tests' transactions running deadlock on the policies' DDL).
#[cfg(test)]
pub(crate) fn install_for_tests(admin_url: &str) {
    static ONCE: std::sync::Once = std::sync::Once::new();
    ONCE.call_once(|| {
        crate::hosted::schema::install(admin_url).expect("install the schema");
    });
}
