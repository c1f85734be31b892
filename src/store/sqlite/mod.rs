//! The SQLite store: schema, migrations and every query of the embedded mode.

/// The filter of the transactions (alias `$t`) of customer `$customer` (an SQL
/// expression), read through `transactions_customer_period` (schema 19): the 30-day periods
/// holding sales are found by one search each (a skip-scan of the index's first column),
/// then the customer's entries in each period by one search. The period expression
/// (`transaction_period!`) must stay the index's, word for word, for the planner to use it.
macro_rules! customer_transactions {
    ($t:literal, $customer:literal) => {
        concat!(
            transaction_period!($t),
            " IN
               (WITH RECURSIVE seen(p) AS (
                  SELECT min(",
            transaction_period!(""),
            ") FROM transactions
                  UNION ALL
                  SELECT (SELECT min(",
            transaction_period!(""),
            ") FROM transactions WHERE ",
            transaction_period!(""),
            " > seen.p)
                  FROM seen WHERE seen.p IS NOT NULL)
                SELECT p FROM seen)
             AND ",
            $t,
            ".customer_id = ",
            $customer
        )
    };
}

/// The key of `transactions_customer_period` (schema 19) for the transaction alias `$t`
/// (`""`: unqualified): the sale's 30-day period since 1970, `-1` when not finalized.
macro_rules! transaction_period {
    ("") => {
        "coalesce(finalized_at / 2592000000, -1)"
    };
    ($t:literal) => {
        concat!("coalesce(", $t, ".finalized_at / 2592000000, -1)")
    };
}

mod alerts;
mod analytics;
mod batch;
mod clicks;
mod consent;
#[cfg(feature = "hosted")]
mod copy;
mod customers;
mod dump;
mod events;
mod exports;
mod file;
mod inbound;
mod locations;
mod outbox;
mod person_latest;
mod policy;
mod responses;
mod rollups;
mod schema;
mod settings;
mod subject;
mod transactions;
mod users;
mod webhooks;

use std::path::Path;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use chrono::NaiveDate;
use rusqlite::trace::{TraceEvent, TraceEventCodes};
use rusqlite::{Connection, OpenFlags, TransactionBehavior};

use crate::error::{Error, Result, StorageError, StorageFailure};
use crate::fsio::StoreFile;
use crate::store::Tx;

/// One SQLite transaction, as the engine's use cases see it: every store trait.
pub struct SqliteTx<'c> {
    conn: &'c Connection,
}

#[cfg(feature = "hosted")]
pub(crate) use copy::{Cell, FileCopy};
pub use schema::SCHEMA_VERSION;

/// SQLite's errors as the backend-neutral [`Error::Storage`]: damage and "not a database"
/// are `Corrupt`, a busy or locked file `Busy` (retryable), the rest `Other`; the message
/// is SQLite's own (it never carries a bound value).
impl From<rusqlite::Error> for Error {
    fn from(e: rusqlite::Error) -> Self {
        use rusqlite::ErrorCode as C;
        let failure = match e.sqlite_error_code() {
            Some(C::DatabaseCorrupt | C::NotADatabase) => StorageFailure::Corrupt,
            Some(C::DatabaseBusy | C::DatabaseLocked) => StorageFailure::Busy,
            _ => StorageFailure::Other,
        };
        Error::Storage(StorageError::new(failure, e.to_string()))
    }
}

/// A database connection with hearken's pragmas applied and its schema current.
pub struct Store {
    conn: Connection,
    /// The file this writing connection opened: where it is, and its device and inode then
    /// where the platform tells them (T4, T8). `None` in memory and for read-only
    /// connections.
    file: Option<StoreFile>,
    /// Whether the file is in WAL mode.
    wal: bool,
    /// How long a write waits for another connection.
    busy_timeout: Duration,
    /// An erasure's scrub did not finish: the -wal file may still hold erased values
    /// (T2); close reports it if its own checkpoint cannot finish it either.
    scrub_pending: bool,
}

impl Store {
    /// Opens or creates the file at `path`, then migrates it to [`SCHEMA_VERSION`].
    ///
    /// A new file gets the journal mode asked for (`wal`); an existing one keeps its own
    /// (T5). A file that is not hearken's is refused before anything writes to it (T7).
    pub fn open(path: &Path, wal: bool, busy_timeout: Duration) -> Result<Store> {
        let conn = Connection::open_with_flags(
            path,
            OpenFlags::SQLITE_OPEN_READ_WRITE
                | OpenFlags::SQLITE_OPEN_CREATE
                | OpenFlags::SQLITE_OPEN_NO_MUTEX
                | OpenFlags::SQLITE_OPEN_URI,
        )?;
        let mut store = Self::setup(conn, Some(wal), busy_timeout)?;
        store.file = Some(StoreFile::of(path));
        Ok(store)
    }

    /// Opens a read-only connection on a file the writer has already migrated, for reads
    /// that must not wait behind a write (WAL only).
    pub fn open_reader(path: &Path, busy_timeout: Duration) -> Result<Store> {
        let conn = Connection::open_with_flags(
            path,
            OpenFlags::SQLITE_OPEN_READ_ONLY
                | OpenFlags::SQLITE_OPEN_NO_MUTEX
                | OpenFlags::SQLITE_OPEN_URI,
        )?;
        tune(&conn, busy_timeout)?;
        schema::refuse_newer(&conn)?;
        conn.pragma_update(None, "cache_size", CACHE_SIZE)?;
        Ok(Store {
            conn,
            file: None,
            wal: true,
            busy_timeout,
            scrub_pending: false,
        })
    }

    /// Opens a private in-memory database.
    pub fn open_in_memory() -> Result<Store> {
        Self::setup(Connection::open_in_memory()?, None, Duration::from_secs(5))
    }

    /// For the store's unit tests: an in-memory store holding location 1 (`paris`), then
    /// `sql` (more rows the test needs; may be empty).
    #[cfg(test)]
    pub(super) fn with_paris(sql: &str) -> Store {
        let store = Self::open_in_memory().expect("an in-memory store");
        store
            .conn
            .execute_batch(&format!(
                "INSERT INTO locations (id, host_id, name, time_zone, enabled)
                   VALUES (1, 'paris', 'Paris', 'Europe/Paris', 1);
                 {sql}"
            ))
            .expect("the test's rows");
        store
    }

    fn setup(conn: Connection, wal: Option<bool>, busy_timeout: Duration) -> Result<Store> {
        tune(&conn, busy_timeout)?;
        // Whose file it is and which version, before anything may write to it (T7).
        file::refuse_foreign(&conn)?;
        schema::refuse_newer(&conn)?;
        // Only once the file is known to be a store: the pragma reads its header.
        conn.pragma_update(None, "cache_size", CACHE_SIZE)?;
        conn.pragma_update(None, "foreign_keys", true)?;
        // Freed pages and cells are zeroed, so erased values leave no bytes behind (T2).
        conn.pragma_update(None, "secure_delete", true)?;
        // A statement that writes several rows and may fail half-way (an UPDATE of many
        // rows, an INSERT … SELECT) keeps a statement journal of the pages it changes; on a
        // temporary file it was a write() per page. In memory it is a copy of the page, and
        // holds only one statement's pages. The sync's own inserts are single-row
        // statements and keep none (store/sqlite/batch.rs).
        conn.pragma_update(None, "temp_store", "MEMORY")?;
        // The journal mode is the file's: chosen when it is created, kept after (T5).
        let wal = match wal {
            Some(wanted) if file::is_new(&conn)? => {
                file::set_journal(&conn, wanted)?;
                wanted
            }
            Some(_) => file::is_wal(&conn)?,
            None => false,
        };
        conn.pragma_update(None, "synchronous", if wal { "NORMAL" } else { "FULL" })?;
        let mut store = Store {
            conn,
            file: None,
            wal,
            busy_timeout,
            scrub_pending: false,
        };
        schema::migrate(&mut store.conn)?;
        Ok(store)
    }

    /// Appends the text of every statement this connection starts to `sink` (`None` stops
    /// it). For the query-plan test (`tests/query_plans.rs`), not for hosts.
    pub fn trace_statements(&mut self, sink: Option<Arc<Mutex<Vec<String>>>>) -> Result<()> {
        let Some(sink) = sink else {
            self.conn
                .trace_v2(TraceEventCodes::empty(), None::<fn(TraceEvent<'_>)>)?;
            return Ok(());
        };
        self.conn.trace_v2(
            TraceEventCodes::SQLITE_TRACE_STMT,
            Some(move |event: TraceEvent<'_>| {
                if let TraceEvent::Stmt(stmt, _) = event {
                    sink.lock()
                        .unwrap_or_else(|p| p.into_inner())
                        .push(stmt.sql().into_owned());
                }
            }),
        )?;
        Ok(())
    }

    /// Whether the file is in WAL mode (the mode it was created with, or converted to).
    pub fn is_wal(&self) -> bool {
        self.wal
    }

    /// Runs `f` in a `BEGIN IMMEDIATE` transaction: commit on `Ok`, roll back otherwise.
    ///
    /// Refused with a storage error when the file was deleted or replaced since it was
    /// opened (T8): the write would go to a file nobody can open again.
    pub fn write<T>(&mut self, f: impl FnOnce(&mut dyn Tx) -> Result<T>) -> Result<T> {
        self.immediate(f, |_| Ok(()))
    }

    /// [`Store::write`]'s transaction, with `before_commit` run on it after `f`.
    fn immediate<T>(
        &mut self,
        f: impl FnOnce(&mut dyn Tx) -> Result<T>,
        before_commit: impl FnOnce(&Connection) -> Result<()>,
    ) -> Result<T> {
        self.refuse_replaced()?;
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)?;
        let out = f(&mut SqliteTx { conn: &tx })?;
        before_commit(&tx)?;
        if cfg!(debug_assertions) {
            // Every test: a writer that forgot `person_latest` fails where it wrote.
            person_latest::refuse_drift(&tx, "the write")?;
        }
        tx.commit()?;
        Ok(out)
    }

    /// [`Store::write`] for a batch whose every reference was resolved from this store in
    /// the same transaction (the sync's and the backfill's writes): SQLite's per-row
    /// foreign-key checks are off for it. They looked up each row's parents again, at
    /// random places of a store's biggest tables (a sale's customer among a million): a
    /// sixth of a big sync's time. `PRAGMA foreign_keys` only changes outside a
    /// transaction, so it is set around this one and restored whatever `f` returns.
    ///
    /// Debug builds (every test) check the whole file before committing and refuse with
    /// [`Error::Internal`] when a key is broken, so a bug in how the engine resolves a
    /// reference fails the test that meets it instead of reaching a store.
    pub fn write_resolved<T>(&mut self, f: impl FnOnce(&mut dyn Tx) -> Result<T>) -> Result<T> {
        self.conn.pragma_update(None, "foreign_keys", false)?;
        let out = self.immediate(f, |conn| {
            if cfg!(debug_assertions) {
                refuse_broken_keys(conn, "the batch")
            } else {
                Ok(())
            }
        });
        let restored = self.conn.pragma_update(None, "foreign_keys", true);
        let out = out?;
        restored?;
        Ok(out)
    }

    /// Sets SQLite's page cache size (`PRAGMA cache_size`: pages, or KiB when negative),
    /// returning the setting it replaces so the caller can restore it.
    pub fn set_cache_size(&self, size: i64) -> Result<i64> {
        let before: i64 = self
            .conn
            .pragma_query_value(None, "cache_size", |r| r.get(0))?;
        self.conn.pragma_update(None, "cache_size", size)?;
        Ok(before)
    }

    /// Runs `f` in a deferred (read) transaction, so it sees one snapshot.
    pub fn read<T>(&mut self, f: impl FnOnce(&mut dyn Tx) -> Result<T>) -> Result<T> {
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Deferred)?;
        let out = f(&mut SqliteTx { conn: &tx })?;
        tx.finish()?;
        Ok(out)
    }

    fn refuse_replaced(&self) -> Result<()> {
        if self.file.as_ref().is_some_and(StoreFile::replaced) {
            return Err(Error::FileReplaced);
        }
        Ok(())
    }

    /// Folds the WAL back into the file and empties it; `false` if a snapshot held by
    /// another connection kept part of it (T1, T2).
    ///
    /// Waits at most a second for other readers (not the whole busy timeout): the caller
    /// reports an incomplete checkpoint, and close finishes it.
    ///
    /// Called after an erasure: until a checkpoint completes, the scrub is pending and
    /// [`Store::close`] reports it unfinished.
    pub fn checkpoint(&mut self) -> Result<bool> {
        if self.file.is_none() {
            return Ok(true);
        }
        self.conn
            .busy_timeout(self.busy_timeout.min(Duration::from_secs(1)))?;
        let done = file::checkpoint_truncate(&self.conn);
        self.conn.busy_timeout(self.busy_timeout)?;
        let done = done?;
        self.scrub_pending = !done;
        Ok(done)
    }

    /// Closes the connection; a writer first folds the WAL back into the file (T1).
    /// [`Error::ScrubIncomplete`] when an erasure's scrub was pending and this last
    /// checkpoint could not finish it either (T2); the connection is closed either way.
    pub fn close(self) -> Result<()> {
        let folded = if self.file.is_some() && self.refuse_replaced().is_ok() {
            file::checkpoint_truncate(&self.conn)
        } else {
            Ok(true)
        };
        self.conn.close().map_err(|(_, e)| Error::from(e))?;
        match folded {
            Ok(false) if self.scrub_pending => Err(Error::ScrubIncomplete),
            other => other.map(|_| ()),
        }
    }

    /// The file this writing connection opened (`None` in memory and for readers).
    pub fn file(&self) -> Option<&StoreFile> {
        self.file.as_ref()
    }

    /// Writes a consistent copy of the live store to `dest` (T1, T4): into a fresh unique
    /// temporary file in `dest`'s folder, renamed over `dest` only once complete. `store`:
    /// the open store's file, refused as `dest` before anything is written.
    pub fn backup(&self, dest: &Path, store: Option<&StoreFile>) -> Result<()> {
        crate::fsio::replace_atomically(dest, store, |temp| {
            file::backup_into(&self.conn, temp)?;
            // The complete copy, still under its temporary name (the kill tests stop here).
            crate::failpoint::hit("backup.before_rename");
            Ok(())
        })
    }

    /// SQLite's integrity and foreign-key checks; empty when the file is sound (T7).
    pub fn integrity_problems(&self) -> Result<Vec<String>> {
        file::integrity_problems(&self.conn)
    }

    /// Moves the file to WAL (`true`) or rollback (`false`) mode (T5); a conflict while
    /// another connection has the file open.
    pub fn convert_journal(&mut self, wal: bool) -> Result<()> {
        if self.wal && !wal {
            file::checkpoint_truncate(&self.conn)?;
        }
        file::set_journal(&self.conn, wal)?;
        self.conn
            .pragma_update(None, "synchronous", if wal { "NORMAL" } else { "FULL" })?;
        self.wal = wal;
        Ok(())
    }
}

/// What the hosted admin's import needs of a file (`hosted::admin`): a read-only handle
/// on an existing store (the copy itself: `copy.rs`).
#[cfg(feature = "hosted")]
impl Store {
    /// Opens the store file at `path` read-only: hearken's (T7) and not newer than this
    /// library; returns it with its schema version (`user_version`), not migrated.
    pub(crate) fn open_read_only(path: &Path) -> Result<(Store, i64)> {
        let conn = Connection::open_with_flags(
            path,
            OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX,
        )?;
        let busy_timeout = Duration::from_secs(5);
        tune(&conn, busy_timeout)?;
        file::refuse_foreign(&conn)?;
        schema::refuse_newer(&conn)?;
        let version: i64 = conn.pragma_query_value(None, "user_version", |r| r.get(0))?;
        let store = Store {
            conn,
            file: None,
            wal: false,
            busy_timeout,
            scrub_pending: false,
        };
        Ok((store, version))
    }
}

impl crate::store::Backend for Store {
    fn write_dyn(&mut self, f: &mut dyn FnMut(&mut dyn Tx) -> Result<()>) -> Result<()> {
        self.write(f)
    }

    fn write_resolved_dyn(&mut self, f: &mut dyn FnMut(&mut dyn Tx) -> Result<()>) -> Result<()> {
        self.write_resolved(f)
    }

    fn read_dyn(&mut self, f: &mut dyn FnMut(&mut dyn Tx) -> Result<()>) -> Result<()> {
        self.read(f)
    }

    fn schema_version(&self) -> Result<i64> {
        schema_version(&self.conn)
    }

    fn finish_scrub(&mut self) -> Result<bool> {
        self.checkpoint()
    }

    fn trace_statements(&mut self, sink: Option<Arc<Mutex<Vec<String>>>>) -> Result<()> {
        Store::trace_statements(self, sink)
    }

    fn tune_for_import(&mut self, importing: bool) -> Result<()> {
        self.set_cache_size(if importing {
            IMPORT_CACHE_SIZE
        } else {
            CACHE_SIZE
        })?;
        Ok(())
    }

    fn close(self: Box<Self>) -> Result<()> {
        Store::close(*self)
    }

    fn file_store(&mut self) -> Option<&mut Store> {
        Some(self)
    }
}

/// A date column as the store keeps it (`YYYY-MM-DD` text), read with
/// [`crate::store::dates::parse_date_text`] rather than rusqlite's chrono conversion (which
/// parses its pattern for every value): for the reads a night makes one per row of.
pub(crate) struct StoredDate(pub NaiveDate);

impl rusqlite::types::FromSql for StoredDate {
    fn column_result(value: rusqlite::types::ValueRef<'_>) -> rusqlite::types::FromSqlResult<Self> {
        let text = value.as_str()?;
        crate::store::dates::parse_date_text(text)
            .map(StoredDate)
            .ok_or_else(|| rusqlite::types::FromSqlError::Other("not a stored date".into()))
    }
}

/// The values among `values` for which `sql` (a probe with one parameter, `?1`) finds a
/// row: one prepared statement, one index probe per value.
/// Fewest keys for which [`in_key_range`] reads a range instead of probing each.
const RANGE_FROM: usize = 64;

/// For many host ids that a POS numbers in order (a night's sales), the rows of `sql`
/// (`?1` the least of `keys`, `?2` the greatest, `?3` a limit; selecting a text key and
/// an integer, in key order through an index) in one read instead of a probe per key:
/// tonight's new sales are a narrow range that holds few stored rows, and a probe of an
/// index among a million costs ~1,600 instructions and a few cache misses. Text compares
/// byte by byte in SQLite's `BINARY` collation, as `str` does, so every row whose key is
/// one of `keys` is in the range. `None` when there are too few keys for it to pay, or
/// when the range holds more rows than a quarter of the keys (keys in no order): the
/// caller then probes each. The rows may name keys that are not among `keys`; they come
/// in key order.
pub(super) fn in_key_range(
    conn: &Connection,
    sql: &str,
    keys: &[&str],
) -> Result<Option<Vec<(String, i64)>>> {
    if keys.len() < RANGE_FROM {
        return Ok(None);
    }
    // One pass: each key's text is read once (they lie wherever the batch put them).
    let Some((low, high)) = keys.iter().fold(None, |bounds: Option<(&str, &str)>, &k| {
        Some(bounds.map_or((k, k), |(low, high)| (low.min(k), high.max(k))))
    }) else {
        return Ok(None);
    };
    let most = keys.len() / 4;
    let rows: Vec<(String, i64)> = conn
        .prepare_cached(sql)?
        .query_map(rusqlite::params![low, high, most as i64 + 1], |r| {
            Ok((r.get(0)?, r.get(1)?))
        })?
        .collect::<rusqlite::Result<_>>()?;
    Ok((rows.len() <= most).then_some(rows))
}

/// Which of `keys` have a row, and a row id of each, in the order of `keys`: one read of
/// the index range through `range_sql` when [`in_key_range`] takes it (it selects the key
/// and a row id, see there), else one probe per key through `probe_sql` (`?1` the key,
/// selecting a row id). A key given twice is answered twice.
pub(super) fn stored_among<'k>(
    conn: &Connection,
    range_sql: &str,
    probe_sql: &str,
    keys: &[&'k str],
) -> Result<Vec<(&'k str, i64)>> {
    if let Some(rows) = in_key_range(conn, range_sql, keys)? {
        // Few rows against many keys: each key is looked for among the rows (in key
        // order), rather than every key put in a set.
        if rows.is_empty() {
            return Ok(Vec::new());
        }
        return Ok((keys.iter())
            .filter_map(|&k| {
                let at = rows.binary_search_by(|(key, _)| key.as_str().cmp(k)).ok()?;
                Some((k, rows[at].1))
            })
            .collect());
    }
    let mut probe = conn.prepare_cached(probe_sql)?;
    let mut found = Vec::new();
    for &k in keys {
        if let Some(id) =
            rusqlite::OptionalExtension::optional(probe.query_row([k], |r| r.get::<_, i64>(0)))?
        {
            found.push((k, id));
        }
    }
    Ok(found)
}

pub(super) fn found_among<'a, C: FromIterator<String>>(
    conn: &Connection,
    sql: &str,
    values: impl IntoIterator<Item = &'a str>,
) -> Result<C> {
    let mut stmt = conn.prepare_cached(sql)?;
    let mut found = Vec::new();
    for value in values {
        if stmt.exists([value])? {
            found.push(value.to_owned());
        }
    }
    Ok(found.into_iter().collect())
}

/// Refuses with [`Error::Internal`] when a row of the file names a parent that does not
/// exist (`PRAGMA foreign_key_check`, every table): `what` wrote it, and nothing of it is
/// committed. Used by debug builds' sync and by the hosted admin's copy.
pub(crate) fn refuse_broken_keys(conn: &Connection, what: &str) -> Result<()> {
    let (n, table): (i64, Option<String>) = conn.query_row(
        "SELECT count(*), min(\"table\") FROM pragma_foreign_key_check",
        [],
        |r| Ok((r.get(0)?, r.get(1)?)),
    )?;
    match table {
        Some(table) => Err(Error::Internal(format!(
            "{what} broke {n} foreign keys (first in table {table}); nothing was written"
        ))),
        None => Ok(()),
    }
}

/// Page cache of each connection (`PRAGMA cache_size`, KiB when negative): SQLite's default
/// 2 MiB. 16 MiB was tried for an old store's night (issue 25): no gain that repeated, and
/// a big sync's peak memory grew by the whole cache (+14 MB RSS past the memory target).
const CACHE_SIZE: i64 = -2000;

/// Prepared statements kept per connection (rusqlite's default is 16). A claim, render
/// and ack of one message runs more distinct statements than 16, so the least recently
/// used were prepared again for every message (the event feed's `last_seq`, 2,000 times in
/// the guard's 2,000-message drain). The big sync's peak memory is unchanged at 48.
const STATEMENT_CACHE: usize = 48;

/// Page cache during a backfill (64 MiB): a group of nights writes every index a night
/// writes, at scattered customers, and would spill and re-read pages with less.
const IMPORT_CACHE_SIZE: i64 = -64 * 1024;

/// The schema version of the file (`user_version`).
pub fn schema_version(conn: &Connection) -> Result<i64> {
    Ok(conn.pragma_query_value(None, "user_version", |r| r.get(0))?)
}

/// Settings every hearken connection gets: the busy timeout and stable query plans.
fn tune(conn: &Connection, busy_timeout: Duration) -> Result<()> {
    conn.busy_timeout(busy_timeout)?;
    conn.set_prepared_statement_cache_capacity(STATEMENT_CACHE);
    // Without QPSG, statements whose plan may depend on a bound value are re-prepared
    // after every reset of the statement cache (measured: 30x slower cooldown look-ups,
    // docs/benchmarks.md).
    conn.set_db_config(
        rusqlite::config::DbConfig::SQLITE_DBCONFIG_ENABLE_QPSG,
        true,
    )?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day() -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 11, 23).unwrap()
    }

    fn foreign_keys_on(store: &Store) -> bool {
        store
            .conn
            .pragma_query_value(None, "foreign_keys", |r| r.get(0))
            .unwrap()
    }

    fn synced_dates(store: &Store) -> i64 {
        (store.conn)
            .query_row("SELECT count(*) FROM sync_dates", [], |r| r.get(0))
            .unwrap()
    }

    /// Debug builds (every test) check a resolved write's references before it commits:
    /// a row naming a location that does not exist is refused, nothing of the write is
    /// kept, and the per-row checks are back on for the next write either way.
    #[cfg(debug_assertions)]
    #[test]
    fn a_resolved_write_with_a_broken_reference_is_refused_whole() {
        let mut store = Store::open_in_memory().unwrap();
        let err = store
            .write_resolved(|c| c.mark_dates_synced(404, &[day()], 1, "sync"))
            .unwrap_err();
        assert!(
            matches!(&err, Error::Internal(m) if m.contains("sync_dates")),
            "{err:?}"
        );
        assert_eq!(synced_dates(&store), 0);
        assert!(foreign_keys_on(&store));
        // An ordinary write still checks each row as it is written.
        assert!(
            store
                .write(|c| c.mark_dates_synced(404, &[day()], 1, "sync"))
                .is_err()
        );
        assert_eq!(synced_dates(&store), 0);
    }

    /// A resolved write whose references hold commits, and leaves the checks on; so does
    /// one whose body fails.
    #[test]
    fn a_resolved_write_restores_the_per_row_checks() {
        let mut store = Store::open_in_memory().unwrap();
        let location: i64 = (store.conn)
            .query_row(
                "INSERT INTO locations (host_id, name, time_zone, enabled)
                 VALUES ('l', 'L', 'UTC', 1) RETURNING id",
                [],
                |r| r.get(0),
            )
            .unwrap();
        store
            .write_resolved(|c| c.mark_dates_synced(location, &[day()], 1, "sync"))
            .unwrap();
        assert_eq!(synced_dates(&store), 1);
        assert!(foreign_keys_on(&store));
        let failed: Result<()> =
            store.write_resolved(|_| Err(Error::Internal("the body failed".to_owned())));
        assert!(failed.is_err());
        assert!(foreign_keys_on(&store));
    }
}
