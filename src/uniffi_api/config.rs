//! Door-only mirrors of the engine's open options, journal mode and store check.
//!
//! These are `crate::engine` types, not model types: the engine is the Rust API's own
//! handle and is not derived on (its `busy_timeout` is a `Duration` the foreign side gives
//! in milliseconds, and `JournalMode` is `#[non_exhaustive]` across a module that changes
//! more often than the model).

use std::time::Duration;

use crate::engine::{EngineOptions, JournalMode as CoreJournal};

/// How the database file journals its writes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, uniffi::Enum)]
pub enum JournalMode {
    /// Write-ahead log: readers never wait for the writer. Needs a local disk.
    Wal,
    /// Rollback journal: for databases on network shares, where WAL is unsafe.
    Rollback,
}

/// Options for `Engine.open_with`.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct OpenOptions {
    /// Journal mode of the database file.
    pub journal: JournalMode,
    /// How long a write waits for another process's write before failing, in milliseconds.
    pub busy_timeout_ms: u64,
}

impl From<OpenOptions> for EngineOptions {
    fn from(o: OpenOptions) -> Self {
        EngineOptions {
            journal: o.journal.into(),
            busy_timeout: Duration::from_millis(o.busy_timeout_ms),
        }
    }
}

impl From<JournalMode> for CoreJournal {
    fn from(j: JournalMode) -> Self {
        match j {
            JournalMode::Wal => CoreJournal::Wal,
            JournalMode::Rollback => CoreJournal::Rollback,
        }
    }
}

impl From<CoreJournal> for JournalMode {
    fn from(j: CoreJournal) -> Self {
        match j {
            CoreJournal::Rollback => JournalMode::Rollback,
            _ => JournalMode::Wal,
        }
    }
}

/// What `Engine.check` found: SQLite's integrity and foreign-key checks (T7).
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct StoreCheck {
    /// `true` when SQLite found nothing wrong.
    pub ok: bool,
    /// What it found (pages, tables and indexes; never row values).
    pub problems: Vec<String>,
    /// The store's journal mode.
    pub journal: JournalMode,
    /// The schema version (`user_version`).
    pub schema_version: i64,
}

impl From<crate::StoreCheck> for StoreCheck {
    fn from(c: crate::StoreCheck) -> Self {
        StoreCheck {
            ok: c.ok,
            problems: c.problems,
            journal: c.journal.into(),
            schema_version: c.schema_version,
        }
    }
}

/// Moves the store at `path` to another journal mode (T5): rollback before putting it on a
/// network share, WAL for a local disk. Leaving WAL needs the only handle on the file (a
/// `Conflict` otherwise); returns the mode the store had before. A `path` where no file
/// exists is `InvalidInput` naming `path`: converting never creates a store.
#[uniffi::export]
pub fn convert_journal(
    path: String,
    mode: JournalMode,
) -> Result<JournalMode, super::error::HearkenError> {
    Ok(crate::Engine::convert_journal(path, mode.into())?.into())
}

/// The options `Engine(path)` opens with.
#[uniffi::export]
pub fn default_open_options() -> OpenOptions {
    let o = EngineOptions::default();
    OpenOptions {
        journal: o.journal.into(),
        busy_timeout_ms: u64::try_from(o.busy_timeout.as_millis()).unwrap_or(u64::MAX),
    }
}
