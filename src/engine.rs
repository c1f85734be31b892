//! The Engine handle: opens the store and runs each use case by combining rules/ and store/.

mod access;
mod alerts;
mod analytics;
mod api;
mod backfill;
mod clicks;
mod clock;
mod consent;
mod conversations;
mod delivery;
mod erasure;
mod events;
mod explain;
mod exports;
mod inbound;
mod invite;
mod links;
mod outbox;
mod pages;
mod policy;
mod relationship;
mod responses;
mod screen;
mod suppressions;
mod sync;
mod timers;
mod webhooks;

use std::io::BufRead;
use std::path::Path;
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

use chrono::{DateTime, Utc};

use crate::error::{Error, Problem, Result};
use crate::fsio::StoreFile;
use crate::model::Erasure;
use crate::model::ReportQuery;
use crate::model::{
    BackfillProgress, BackfillReport, Explanation, Location, ReportDetail, ScoreQuery, Settings,
    SyncBatch, SyncOptions, SyncReport, SyncWindow,
};
use crate::rules::{time, validate};
use crate::store::{self, Backend, Store, Tx};

/// How the database file journals its writes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum JournalMode {
    /// Write-ahead log: readers never wait for the writer. Needs a local disk.
    #[default]
    Wal,
    /// Rollback journal: for databases on network shares, where WAL is unsafe.
    Rollback,
}

/// Options for [`Engine::open_with`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EngineOptions {
    /// Journal mode of the database file.
    pub journal: JournalMode,
    /// How long a write waits for another process's write before failing.
    pub busy_timeout: Duration,
}

impl Default for EngineOptions {
    fn default() -> Self {
        EngineOptions {
            journal: JournalMode::Wal,
            busy_timeout: Duration::from_secs(60),
        }
    }
}

/// Which store an engine opens ([`Engine::open_store`]).
#[derive(Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum StoreConfig {
    /// One SQLite file, created and migrated as needed: the embedded default.
    File {
        /// The database file.
        path: std::path::PathBuf,
        /// Its journal mode (for a new file) and busy timeout.
        options: EngineOptions,
    },
    /// A private in-memory SQLite database, gone when the engine closes (tests, demos).
    Memory,
    /// One store of a PostgreSQL database (hosted mode, feature `hosted`; H1): the
    /// database's `postgres://` connection string and the store's text id. The schema is
    /// installed and the store created by an admin; opening changes nothing (H5).
    #[cfg(feature = "hosted")]
    Postgres {
        /// The connection string (`sslmode`, `sslrootcert` as libpq means them). Never shown
        /// in an error or a debug print.
        url: String,
        /// The store's text id.
        store: String,
    },
}

/// Written by hand: a connection string may hold a password, which no debug print shows
/// (H6).
impl std::fmt::Debug for StoreConfig {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            StoreConfig::File { path, options } => f
                .debug_struct("File")
                .field("path", path)
                .field("options", options)
                .finish(),
            StoreConfig::Memory => f.write_str("Memory"),
            #[cfg(feature = "hosted")]
            StoreConfig::Postgres { store, .. } => f
                .debug_struct("Postgres")
                .field("url", &"(not shown)")
                .field("store", store)
                .finish(),
        }
    }
}

impl StoreConfig {
    /// The SQLite file at `path`, with the default options.
    pub fn file(path: impl Into<std::path::PathBuf>) -> Self {
        StoreConfig::File {
            path: path.into(),
            options: EngineOptions::default(),
        }
    }
}

/// A handle on one store's hearken database. `Send + Sync`: share it between threads.
///
/// All writes go through one connection in `BEGIN IMMEDIATE` transactions, so a batch is
/// applied whole or not at all and two processes on one file serialise instead of failing.
/// [`Engine::close`] (or dropping the engine) leaves the whole store in its one file (T1);
/// after `close` every call is refused with [`Error::Closed`] (T8).
pub struct Engine {
    store: Mutex<Option<Box<dyn Backend>>>,
    /// A read-only connection for reads, so they never wait behind a sync (WAL files).
    reader: Option<Mutex<Option<Box<dyn Backend>>>>,
    /// The store's file, which no file the engine writes may replace (T4). `None` in memory.
    file: Option<StoreFile>,
}

/// A locked, open store connection.
struct Held<'a>(MutexGuard<'a, Option<Box<dyn Backend>>>);

impl<'a> std::ops::Deref for Held<'a> {
    type Target = dyn Backend + 'static;
    fn deref(&self) -> &Self::Target {
        // `Held` is only made from a slot checked to hold a store, under the same lock.
        self.0.as_deref().expect("an open store")
    }
}

impl std::ops::DerefMut for Held<'_> {
    fn deref_mut(&mut self) -> &mut Self::Target {
        self.0.as_deref_mut().expect("an open store")
    }
}

/// Takes a store lock. A panic elsewhere cannot leave the database half-written (every
/// write is one SQLite transaction), so a poisoned lock is safe to take over.
fn hold(slot: &Mutex<Option<Box<dyn Backend>>>) -> Result<Held<'_>> {
    let guard = slot.lock().unwrap_or_else(|p| p.into_inner());
    if guard.is_none() {
        return Err(Error::Closed);
    }
    Ok(Held(guard))
}

/// Empties a store slot, returning what it held.
fn take(slot: &Mutex<Option<Box<dyn Backend>>>) -> Option<Box<dyn Backend>> {
    slot.lock().unwrap_or_else(|p| p.into_inner()).take()
}

/// What [`Engine::check`] found: SQLite's integrity and foreign-key checks (T7).
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct StoreCheck {
    /// `true` when SQLite found nothing wrong.
    pub ok: bool,
    /// What it found (pages, tables and indexes; never row values), at most 200 lines.
    pub problems: Vec<String>,
    /// The store's journal mode.
    pub journal: JournalMode,
    /// The schema version (`user_version`).
    pub schema_version: i64,
}

impl Engine {
    /// Opens the store `config` names, creating and migrating it as needed.
    pub fn open_store(config: &StoreConfig) -> Result<Engine> {
        match config {
            StoreConfig::File { path, options } => Self::open_with(path, options),
            StoreConfig::Memory => Self::open_in_memory(),
            #[cfg(feature = "hosted")]
            StoreConfig::Postgres { url, store } => {
                let backend = crate::store::postgres::PgStore::open(url, store)?;
                Ok(Engine {
                    store: Mutex::new(Some(Box::new(backend))),
                    reader: None,
                    file: None,
                })
            }
        }
    }

    /// Opens the store `store` (the vendor's text id) of the PostgreSQL database at `url`
    /// (a `postgres://` connection string; hosted mode, H1). The schema must be installed
    /// and current and the store created by an admin: opening changes nothing (H5).
    ///
    /// A library built without the cargo feature `hosted` answers
    /// [`Error::Unsupported`]: the embedded build carries no PostgreSQL client.
    pub fn open_url(url: &str, store: &str) -> Result<Engine> {
        #[cfg(feature = "hosted")]
        {
            Self::open_store(&StoreConfig::Postgres {
                url: url.to_owned(),
                store: store.to_owned(),
            })
        }
        #[cfg(not(feature = "hosted"))]
        {
            let _ = (url, store);
            Err(Error::Unsupported(
                "this build of hearken has no hosted mode (PostgreSQL): it was built without the cargo feature `hosted`",
            ))
        }
    }

    /// Opens (creating and migrating as needed) the database at `path` with default options.
    pub fn open(path: impl AsRef<Path>) -> Result<Engine> {
        Self::open_with(path, &EngineOptions::default())
    }

    /// Opens the database at `path` with the given options.
    ///
    /// `options.journal` is the mode a new store is created with; an existing store keeps
    /// the mode it has (T5): see [`Engine::convert_journal`] to change it.
    pub fn open_with(path: impl AsRef<Path>, options: &EngineOptions) -> Result<Engine> {
        let wal = options.journal == JournalMode::Wal;
        let store = Store::open(path.as_ref(), wal, options.busy_timeout)?;
        // With a rollback journal a reader would block the writer's commit: share one.
        let reader = store
            .is_wal()
            .then(|| Store::open_reader(path.as_ref(), options.busy_timeout))
            .transpose()?;
        let file = store.file().cloned();
        Ok(Engine {
            store: Mutex::new(Some(Box::new(store))),
            reader: reader.map(|r| Mutex::new(Some(Box::new(r) as Box<dyn Backend>))),
            file,
        })
    }

    /// Opens a private in-memory database (tests, demos).
    pub fn open_in_memory() -> Result<Engine> {
        Ok(Engine {
            store: Mutex::new(Some(Box::new(Store::open_in_memory()?))),
            reader: None,
            file: None,
        })
    }

    /// The writer connection, or [`Error::Closed`].
    fn lock(&self) -> Result<Held<'_>> {
        hold(&self.store)
    }

    /// The connection for reads: the read-only one when there is one, else the writer.
    fn reader(&self) -> Result<Held<'_>> {
        match &self.reader {
            Some(r) => hold(r),
            None => self.lock(),
        }
    }

    /// Closes the store: readers first, then the writer, which folds the WAL back so the
    /// whole store is in its one file (T1). Later calls fail with [`Error::Closed`];
    /// closing again is a no-op. Dropping an engine closes it too, ignoring errors.
    pub fn close(&self) -> Result<()> {
        let reader = self.reader.as_ref().and_then(take);
        let reader_closed = reader.map_or(Ok(()), Backend::close);
        let writer_closed = take(&self.store).map_or(Ok(()), Backend::close);
        reader_closed.and(writer_closed)
    }

    /// Records the SQL text of every statement the engine's connections start into `sink`
    /// (`None` stops recording). For the query-plan test, which checks that no statement a
    /// scenario runs scans a table that grows with history; not part of the API.
    #[doc(hidden)]
    pub fn trace_sql(&self, sink: Option<Arc<Mutex<Vec<String>>>>) -> Result<()> {
        self.lock()?.trace_statements(sink.clone())?;
        if let Some(r) = &self.reader {
            hold(r)?.trace_statements(sink)?;
        }
        Ok(())
    }

    /// Whether [`Engine::close`] was called.
    pub fn is_closed(&self) -> bool {
        self.store
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .is_none()
    }

    /// Writes a consistent copy of the live store to `path` with SQLite's online backup
    /// (T1): a complete, standalone store file, written under a fresh temporary name in
    /// `path`'s folder and renamed into place when complete (T4).
    ///
    /// A `path` that is the store's own file or one of its companions (`-wal`, `-shm`,
    /// `-journal`, existing or not), by any path, link or letter case, is invalid input
    /// naming `path`, refused before anything is written.
    pub fn backup(&self, path: impl AsRef<Path>) -> Result<()> {
        self.reader()?
            .file_only("a backup copies a store file; this store is not one")?
            .backup(path.as_ref(), self.file.as_ref())
    }

    /// Writes `contents` to the file at `path` as hearken writes every file (T4): under a
    /// fresh temporary name beside it, renamed over it once complete; the store's own file
    /// and its companions are refused as for [`Engine::backup`]. For tools that write
    /// files beside the engine's (the CLI's pages and outbox files).
    pub fn write_file(&self, path: impl AsRef<Path>, contents: &[u8]) -> Result<()> {
        if self.is_closed() {
            return Err(Error::Closed);
        }
        crate::fsio::write_atomically(path.as_ref(), self.file.as_ref(), |f| {
            Ok(std::io::Write::write_all(f, contents)?)
        })
    }

    /// The store's file, refused as the target of every file the engine writes (T4).
    pub(crate) fn store_file(&self) -> Option<&StoreFile> {
        self.file.as_ref()
    }

    /// Runs SQLite's integrity and foreign-key checks on the store (T7), and compares what
    /// the store keeps summarised (each person's latest counting invitation, schema 21)
    /// with the rows it summarises.
    pub fn check(&self) -> Result<StoreCheck> {
        let mut held = self.reader()?;
        let schema_version = held.schema_version()?;
        let file =
            held.file_only("the integrity check reads a store file; this store is not one")?;
        let problems = file.integrity_problems()?;
        Ok(StoreCheck {
            ok: problems.is_empty(),
            problems,
            journal: journal_of(file),
            schema_version,
        })
    }

    /// Every stored row as one text line, tables by name, rows by primary key, leaving
    /// out the `(table, column)` pairs of `except`: what the repeat test compares before
    /// and after a call that must change nothing (T12). For tests; not a stable format.
    #[doc(hidden)]
    pub fn dump_rows(&self, except: &[(&str, &str)]) -> Result<Vec<String>> {
        self.lock()?.read(|c| c.dump_rows(except))
    }

    /// The journal mode of the store (the one it was created with or converted to).
    pub fn journal_mode(&self) -> Result<JournalMode> {
        Ok(journal_of(self.lock()?.file_only(
            "only a store file has a journal mode; this store is not one",
        )?))
    }

    /// Moves the store at `path` to another journal mode (T5): rollback for a network
    /// share, WAL for a local disk. Leaving WAL needs the only handle on the file: a
    /// conflict while another engine or process has it open (SQLite lets idle rollback
    /// handles follow a move to WAL). Returns the mode the store had before.
    ///
    /// A `path` where no file exists is invalid input naming `path`: converting never
    /// creates a store (a mistyped path would otherwise become an empty one).
    pub fn convert_journal(path: impl AsRef<Path>, mode: JournalMode) -> Result<JournalMode> {
        match std::fs::metadata(path.as_ref()) {
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                return Err(Error::invalid(Problem::top(
                    "file",
                    "path",
                    "no store exists there; converting never creates one",
                )));
            }
            _ => {}
        }
        let options = EngineOptions {
            journal: mode,
            busy_timeout: Duration::from_millis(200),
        };
        let mut store = Store::open(
            path.as_ref(),
            mode == JournalMode::Wal,
            options.busy_timeout,
        )?;
        let before = journal_of(&store);
        if before != mode {
            store.convert_journal(mode == JournalMode::Wal)?;
        }
        store.close()?;
        Ok(before)
    }

    /// The store-wide settings.
    pub fn settings(&self) -> Result<Settings> {
        self.reader()?.read(|c| c.get_settings())
    }

    /// Replaces the store-wide settings after validating them.
    pub fn set_settings(&self, settings: &Settings) -> Result<()> {
        let problems = validate::validate_settings(settings);
        if !problems.is_empty() {
            return Err(Error::Invalid(problems));
        }
        self.lock()?.write(|c| c.set_settings(settings))
    }

    /// Creates or updates a location by host id.
    pub fn upsert_location(&self, location: &Location) -> Result<()> {
        let problems = validate::validate_location(location);
        if !problems.is_empty() {
            return Err(Error::Invalid(problems));
        }
        // A Windows zone name is stored as its IANA zone, so every reader sees one form.
        let mut location = location.clone();
        if let Some(iana) = crate::rules::time::iana_zone_name(&location.time_zone) {
            location.time_zone = iana.to_owned();
        }
        let location = &location;
        self.lock()?.write(|c| {
            if !location.enabled
                && let Some(old) = c.get_location(&location.id)?
            {
                refuse_last_disable(c, old.location.enabled)?;
            }
            c.upsert_location(location)
        })
    }

    /// One location by host id.
    pub fn location(&self, id: &str) -> Result<Location> {
        self.reader()?
            .read(|c| find_location(c, id))
            .map(|row| row.location)
    }

    /// Every location, by host id.
    pub fn locations(&self) -> Result<Vec<Location>> {
        let rows = self.reader()?.read(|c| c.list_locations())?;
        Ok(rows.into_iter().map(|r| r.location).collect())
    }

    /// Enables or disables a location's surveys (E7); the last enabled one stays enabled.
    pub fn set_location_enabled(&self, id: &str, enabled: bool) -> Result<()> {
        self.lock()?.write(|c| {
            let row = find_location(c, id)?;
            if !enabled {
                refuse_last_disable(c, row.location.enabled)?;
            }
            c.set_location_enabled(row.rowid, enabled)
        })
    }

    /// Runs the nightly sync of one batch: validate, upsert, decide, queue invitations.
    ///
    /// The batch is validated whole first; a bad batch is rejected with every bad record
    /// named and nothing written. Re-running a batch changes nothing (E8).
    pub fn sync(&self, batch: &SyncBatch, now: DateTime<Utc>) -> Result<SyncReport> {
        self.sync_with(batch, now, &SyncOptions::default())
    }

    /// [`Engine::sync`] with options: `SyncOptions { report: ReportDetail::Counts }`
    /// returns a report whose lists are empty and whose [`SyncReport::counts`] says how
    /// many entries they would hold. Same decisions and rows; less memory on a big batch.
    pub fn sync_with(
        &self,
        batch: &SyncBatch,
        now: DateTime<Utc>,
        options: &SyncOptions,
    ) -> Result<SyncReport> {
        check_now(now)?;
        self.lock()?.write_resolved(|c| {
            sync::apply_batch(c, batch, now, sync::Mode::Nightly, options.report)
        })
    }

    /// [`Engine::sync`] on a batch given as JSON (see [`crate::wire`]).
    pub fn sync_json(&self, json: &str, now: DateTime<Utc>) -> Result<SyncReport> {
        self.sync_json_with(json, now, &SyncOptions::default())
    }

    /// [`Engine::sync_with`] on a batch given as JSON (see [`crate::wire`]).
    pub fn sync_json_with(
        &self,
        json: &str,
        now: DateTime<Utc>,
        options: &SyncOptions,
    ) -> Result<SyncReport> {
        check_now(now)?;
        self.sync_with(&crate::wire::parse_batch(json)?, now, options)
    }

    /// Imports a backfill (JSON lines of batches), reporting progress after each batch.
    ///
    /// Every line is parsed and checked before anything is written; then the batches are
    /// applied in file order, each as it would be alone (seeing the lines before it),
    /// several to a transaction (up to 64 lines or a quarter of a
    /// second, whichever comes first), and `progress` is called for each committed batch
    /// with no lock held. If a batch is rejected by the store's checks, the
    /// lines before it stay applied and the import can be re-run safely (E8).
    pub fn backfill_reader(
        &self,
        reader: impl BufRead,
        now: DateTime<Utc>,
        mut progress: impl FnMut(BackfillProgress),
    ) -> Result<BackfillReport> {
        check_now(now)?;
        let batches = backfill::parse_lines(reader)?;
        // A group's pages (every index a night writes, at scattered customers) outgrow a
        // store's everyday cache: spilled and re-read on every line without this.
        self.lock()?.tune_for_import(true)?;
        let imported = self.apply_backfill(batches, now, &mut progress);
        let restored = self.lock().and_then(|mut held| held.tune_for_import(false));
        let report = imported?;
        restored?;
        Ok(report)
    }

    /// The writes of [`Engine::backfill_reader`], once every line is parsed.
    ///
    /// Lines go several to a transaction, without savepoints (a savepoint copies every
    /// page a line touches to its sub-journal). If a line fails, its group is rolled back
    /// whole and its lines are applied again one transaction each, as alone, so the lines
    /// before the failing one commit and it reports its own error.
    fn apply_backfill(
        &self,
        batches: Vec<(usize, SyncBatch)>,
        now: DateTime<Utc>,
        progress: &mut impl FnMut(BackfillProgress),
    ) -> Result<BackfillReport> {
        let apply = |c: &mut dyn Tx, (line, batch): &(usize, SyncBatch)| {
            sync::apply_batch(c, batch, now, sync::Mode::Backfill, ReportDetail::Full)
                .map_err(|e| backfill::at_line(e, *line))
        };
        let total = batches.len() as u64;
        let mut reports = Vec::with_capacity(batches.len());
        let mut start = 0;
        while start < batches.len() {
            let mut end = start;
            let grouped = self.lock()?.write_resolved(|c| {
                let began = std::time::Instant::now();
                let mut group = Vec::new();
                while end < batches.len()
                    && group.len() < backfill::GROUP_LINES
                    && began.elapsed() < backfill::GROUP_TIME
                {
                    group.push(apply(c, &batches[end])?);
                    end += 1;
                }
                Ok(group)
            });
            let group = match grouped {
                Ok(group) => group,
                // One transaction per line from the group's first line: the failing line
                // (or the store) says why, after the lines before it are committed.
                Err(_) => {
                    for one in &batches[start..] {
                        let report = self.lock()?.write_resolved(|c| apply(c, one))?;
                        reports.push(report);
                        progress(BackfillProgress {
                            done: reports.len() as u64,
                            total,
                        });
                    }
                    return Ok(BackfillReport { batches: reports });
                }
            };
            for report in group {
                reports.push(report);
                progress(BackfillProgress {
                    done: reports.len() as u64,
                    total,
                });
            }
            start = end;
        }
        Ok(BackfillReport { batches: reports })
    }

    /// [`Engine::backfill_reader`] on a file.
    pub fn backfill_file(
        &self,
        path: impl AsRef<Path>,
        now: DateTime<Utc>,
        progress: impl FnMut(BackfillProgress),
    ) -> Result<BackfillReport> {
        check_now(now)?;
        let file = std::fs::File::open(path)?;
        self.backfill_reader(std::io::BufReader::new(file), now, progress)
    }

    /// The business dates the host must send tonight for a location (S2).
    pub fn sync_window(&self, location: &str, now: DateTime<Utc>) -> Result<SyncWindow> {
        check_now(now)?;
        self.reader()?.read(|c| {
            let row = find_location(c, location)?;
            let settings = c.get_settings()?;
            let clock = clock::LocationClock::new(&row, &settings)?;
            let today = clock.today(now);
            let synced = clock.synced_dates(c, row.rowid, today)?;
            let plan = clock.plan(today, &synced, now);
            Ok(SyncWindow {
                location: row.location.id,
                today,
                last_synced: synced.last().copied(),
                dates: plan.dates,
                missing: plan.missing,
                next_sync_at: time::next_sync_at(clock.tz, settings.sync_hour, now),
            })
        })
    }

    /// The next UTC instant at which a location syncs (S1).
    pub fn next_sync_at(&self, location: &str, now: DateTime<Utc>) -> Result<DateTime<Utc>> {
        check_now(now)?;
        self.reader()?.read(|c| {
            let row = find_location(c, location)?;
            let settings = c.get_settings()?;
            let clock = clock::LocationClock::new(&row, &settings)?;
            Ok(time::next_sync_at(clock.tz, settings.sync_hour, now))
        })
    }

    /// Why a customer did or did not get surveys (E9).
    pub fn explain(&self, customer: &str, now: DateTime<Utc>) -> Result<Explanation> {
        check_now(now)?;
        self.reader()?.read(|c| explain::explain(c, customer, now))
    }

    /// Unsubscribes a known customer from every survey at every location (E3).
    pub fn unsubscribe_customer(&self, customer: &str, now: DateTime<Utc>) -> Result<()> {
        check_now(now)?;
        self.lock()?
            .write(|c| suppressions::unsubscribe_customer(c, customer, now))
    }

    /// Erases a customer (right to be forgotten): personal fields and free-text comments
    /// are removed, scores stay in NPS and ratings, and they are never surveyed again.
    ///
    /// The erased values are also scrubbed from the file's bytes (T2): freed space is
    /// zeroed and the WAL is folded back and truncated; [`Erasure::scrubbed`] says whether
    /// that completed (another connection's open snapshot can delay it until close).
    pub fn erase_customer(&self, customer: &str, now: DateTime<Utc>) -> Result<Erasure> {
        check_now(now)?;
        let mut store = self.lock()?;
        let mut erasure = store.write(|c| erasure::erase_customer(c, customer, now))?;
        erasure.scrubbed = store.finish_scrub()?;
        Ok(erasure)
    }

    /// Unsubscribes an e-mail address or phone number, known or not yet (E3).
    pub fn unsubscribe_contact(&self, contact: &str, now: DateTime<Utc>) -> Result<()> {
        check_now(now)?;
        self.lock()?
            .write(|c| suppressions::unsubscribe_contact(c, contact, now))
    }
}

/// The journal mode a store connection is in.
fn journal_of(store: &Store) -> JournalMode {
    if store.is_wal() {
        JournalMode::Wal
    } else {
        JournalMode::Rollback
    }
}

impl Drop for Engine {
    /// Closes the store as [`Engine::close`] does (T1); errors cannot be reported here.
    fn drop(&mut self) {
        let _ = self.close();
    }
}

/// T3: `now` lies in the one range of instants, or the call is invalid input naming it.
fn check_now(now: DateTime<Utc>) -> Result<()> {
    time::check_instant(now, "arguments", "now").map_err(Error::invalid)
}

/// An error from the problems found, if any.
fn checked(problems: Vec<crate::error::Problem>) -> Result<()> {
    if problems.is_empty() {
        Ok(())
    } else {
        Err(Error::Invalid(problems))
    }
}

/// T3: the bounds of a score or export query lie in the range.
fn check_scores_query(q: &ScoreQuery) -> Result<()> {
    checked(validate::instant_problems(
        "query",
        &[("from", q.from), ("to", q.to)],
    ))
}

/// T3: the period of a report query lies in the range.
fn check_report_query(record: &str, q: &ReportQuery) -> Result<()> {
    checked(validate::period_problems(record, &q.period))
}

fn find_location(c: &mut dyn Tx, id: &str) -> Result<store::LocationRow> {
    c.get_location(id)?.ok_or_else(|| Error::NotFound {
        what: "location",
        id: id.to_owned(),
    })
}

/// E7: at least one location stays enabled.
fn refuse_last_disable(c: &mut dyn Tx, currently_enabled: bool) -> Result<()> {
    if currently_enabled && c.count_enabled_locations()? <= 1 {
        return Err(Error::Conflict(
            "the last enabled location cannot be disabled".into(),
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn engine_is_send_and_sync() {
        fn shared<T: Send + Sync>() {}
        shared::<Engine>();
    }

    /// A dashboard read does not wait for a write in progress (WAL).
    #[test]
    fn reads_do_not_wait_behind_a_write() {
        let dir = tempfile::tempdir().unwrap();
        let engine = Engine::open(dir.path().join("r.db")).unwrap();
        engine
            .upsert_location(&Location::new("paris", "Paris", "Europe/Paris"))
            .unwrap();
        let writing = engine.lock(); // a sync holding the writer
        let (tx, rx) = std::sync::mpsc::channel();
        std::thread::scope(|s| {
            s.spawn(|| tx.send(engine.locations().map(|l| l.len())).unwrap());
            let read = rx.recv_timeout(std::time::Duration::from_secs(5));
            drop(writing);
            assert_eq!(read.expect("the read waited for the writer").unwrap(), 1);
        });
    }
}
