//! The Engine handle: opens the store and runs each use case by combining rules/ and store/.

use std::io::BufRead;
use std::path::Path;
use std::sync::Mutex;
use std::time::Duration;

use chrono::{DateTime, Utc};

use crate::error::Result;
use crate::model::{
    BackfillProgress, BackfillReport, Explanation, InvitationSummary, Location, Settings,
    SyncBatch, SyncReport, SyncWindow,
};

/// How the database file journals its writes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
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

/// A handle on one store's hearken database. `Send + Sync`: share it between threads.
pub struct Engine {
    _store: Mutex<()>,
}

#[allow(unused_variables)]
impl Engine {
    /// Opens (creating and migrating as needed) the database at `path` with default options.
    pub fn open(path: impl AsRef<Path>) -> Result<Engine> {
        Self::open_with(path, &EngineOptions::default())
    }

    /// Opens the database at `path` with the given options.
    pub fn open_with(path: impl AsRef<Path>, options: &EngineOptions) -> Result<Engine> {
        todo!()
    }

    /// Opens a private in-memory database (tests, demos).
    pub fn open_in_memory() -> Result<Engine> {
        todo!()
    }

    /// The store-wide settings.
    pub fn settings(&self) -> Result<Settings> {
        todo!()
    }

    /// Replaces the store-wide settings after validating them.
    pub fn set_settings(&self, settings: &Settings) -> Result<()> {
        todo!()
    }

    /// Creates or updates a location by host id.
    pub fn upsert_location(&self, location: &Location) -> Result<()> {
        todo!()
    }

    /// One location by host id.
    pub fn location(&self, id: &str) -> Result<Location> {
        todo!()
    }

    /// Every location, by host id.
    pub fn locations(&self) -> Result<Vec<Location>> {
        todo!()
    }

    /// Enables or disables a location's surveys (E7); the last enabled one stays enabled.
    pub fn set_location_enabled(&self, id: &str, enabled: bool) -> Result<()> {
        todo!()
    }

    /// Runs the nightly sync of one batch: validate, upsert, decide, queue invitations.
    pub fn sync(&self, batch: &SyncBatch, now: DateTime<Utc>) -> Result<SyncReport> {
        todo!()
    }

    /// [`Engine::sync`] on a batch given as JSON (see [`crate::wire`]).
    pub fn sync_json(&self, json: &str, now: DateTime<Utc>) -> Result<SyncReport> {
        self.sync(&crate::wire::parse_batch(json)?, now)
    }

    /// Imports a backfill (JSON lines of batches), reporting progress after each batch.
    pub fn backfill_reader(
        &self,
        reader: impl BufRead,
        now: DateTime<Utc>,
        progress: impl FnMut(BackfillProgress),
    ) -> Result<BackfillReport> {
        todo!()
    }

    /// [`Engine::backfill_reader`] on a file.
    pub fn backfill_file(
        &self,
        path: impl AsRef<Path>,
        now: DateTime<Utc>,
        progress: impl FnMut(BackfillProgress),
    ) -> Result<BackfillReport> {
        let file = std::fs::File::open(path)?;
        self.backfill_reader(std::io::BufReader::new(file), now, progress)
    }

    /// The business dates the host must send tonight for a location (S2).
    pub fn sync_window(&self, location: &str, now: DateTime<Utc>) -> Result<SyncWindow> {
        todo!()
    }

    /// The next UTC instant at which a location syncs (S1).
    pub fn next_sync_at(&self, location: &str, now: DateTime<Utc>) -> Result<DateTime<Utc>> {
        todo!()
    }

    /// Why a customer did or did not get surveys (E9).
    pub fn explain(&self, customer: &str, now: DateTime<Utc>) -> Result<Explanation> {
        todo!()
    }

    /// Unsubscribes a known customer from every survey at every location (E3).
    pub fn unsubscribe_customer(&self, customer: &str, now: DateTime<Utc>) -> Result<()> {
        todo!()
    }

    /// Unsubscribes an e-mail address or phone number, known or not yet (E3).
    pub fn unsubscribe_contact(&self, contact: &str, now: DateTime<Utc>) -> Result<()> {
        todo!()
    }

    /// Invitations waiting for delivery, oldest first.
    pub fn pending_invitations(&self) -> Result<Vec<InvitationSummary>> {
        todo!()
    }
}
