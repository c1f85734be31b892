//! The one error type of the crate and the kinds every front door shares.

use serde::{Deserialize, Serialize};

/// Result with hearken's [`Error`].
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// One bad record of a rejected input: where it is and why, never its value.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
#[serde(deny_unknown_fields)]
pub struct Problem {
    /// Which list the record is in (`customers`, `transactions`, …) or `batch`/`settings`.
    pub record: String,
    /// Position of the record in its list (0-based), or the line of a backfill file.
    pub index: Option<u64>,
    /// Host id of the record, when it has one.
    pub host_id: Option<String>,
    /// The field at fault.
    pub field: String,
    /// Why it is rejected.
    pub reason: String,
}

impl Problem {
    /// A problem on a whole-input field (no index, no host id).
    pub fn top(record: &str, field: &str, reason: impl Into<String>) -> Self {
        Problem {
            record: record.to_owned(),
            index: None,
            host_id: None,
            field: field.to_owned(),
            reason: reason.into(),
        }
    }

    /// A problem on the record at `index` with host id `host_id`.
    pub fn at(
        record: &str,
        index: usize,
        host_id: &str,
        field: &str,
        reason: impl Into<String>,
    ) -> Self {
        Problem {
            record: record.to_owned(),
            index: Some(index as u64),
            host_id: shown_id(host_id),
            field: field.to_owned(),
            reason: reason.into(),
        }
    }
}

impl std::fmt::Display for Problem {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.record)?;
        if let Some(i) = self.index {
            write!(f, "[{i}]")?;
        }
        if let Some(h) = &self.host_id {
            write!(f, " (id {h:?})")?;
        }
        if self.field.is_empty() {
            write!(f, ": {}", self.reason)
        } else {
            write!(f, ".{}: {}", self.field, self.reason)
        }
    }
}

/// Longest id an error message may name (the host-id limit, in bytes).
const MAX_SHOWN_ID_BYTES: usize = 128;

/// T6: an id as an error may show it: only a short (≤ 128 bytes), printable one; a longer
/// id, or one with control or bidi characters, is never echoed.
pub fn shown_id(id: &str) -> Option<String> {
    let printable = !id.chars().any(|c| {
        c.is_control()
            || matches!(c, '\u{200E}' | '\u{200F}' | '\u{061C}' | '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}')
    });
    (id.len() <= MAX_SHOWN_ID_BYTES && printable).then(|| id.to_owned())
}

/// How a not-found message names an id: quoted when [`shown_id`] allows, else generically.
fn named_id(id: &str) -> String {
    shown_id(id).map_or_else(|| "(the given id)".to_owned(), |s| format!("{s:?}"))
}

/// The kind of an error, shared by the Rust, C and uniffi doors. Codes never change.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[repr(u32)]
#[non_exhaustive]
pub enum ErrorKind {
    /// The input was rejected; nothing was written.
    InvalidInput = 1,
    /// The thing asked for does not exist.
    NotFound = 2,
    /// The request contradicts the stored state (e.g. disabling the last location).
    Conflict = 3,
    /// The database or the file system failed.
    Storage = 4,
    /// The database was written by a newer hearken; it is left untouched.
    NewerSchema = 5,
    /// A bug in hearken.
    Internal = 6,
    /// The engine was closed; open a new one.
    Closed = 7,
    /// The file is not a hearken store (another application's database); it is left untouched.
    NotHearken = 8,
    /// SQLite found the database file damaged; run `check` and restore a backup.
    Corrupt = 9,
    /// The engine closed, but an erasure's scrub could not finish: another connection's
    /// snapshot kept erased values in the -wal file (T2). It finishes when the last
    /// connection on the file closes.
    ScrubIncomplete = 10,
    /// The call needs something this kind of store does not have (e.g. a backup file of a
    /// store that is not one SQLite file); nothing was done.
    Unsupported = 11,
}

impl ErrorKind {
    /// The stable snake_case name.
    pub fn as_str(self) -> &'static str {
        match self {
            ErrorKind::InvalidInput => "invalid_input",
            ErrorKind::NotFound => "not_found",
            ErrorKind::Conflict => "conflict",
            ErrorKind::Storage => "storage",
            ErrorKind::NewerSchema => "newer_schema",
            ErrorKind::Internal => "internal",
            ErrorKind::Closed => "closed",
            ErrorKind::NotHearken => "not_hearken",
            ErrorKind::Corrupt => "corrupt",
            ErrorKind::ScrubIncomplete => "scrub_incomplete",
            ErrorKind::Unsupported => "unsupported",
        }
    }
}

/// Everything that can go wrong in hearken. Messages never carry personal data.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// Input rejected whole, with every bad record named.
    #[error("invalid input: {}", join(.0))]
    Invalid(Vec<Problem>),
    /// Something named does not exist.
    #[error("not found: {what} {}", named_id(.id))]
    NotFound {
        /// What kind of thing (`location`, `customer`, …).
        what: &'static str,
        /// Its host id.
        id: String,
    },
    /// The request contradicts the stored state.
    #[error("conflict: {0}")]
    Conflict(String),
    /// The storage backend failed.
    #[error("storage: {0}")]
    Storage(StorageError),
    /// Reading a file failed.
    #[error("i/o: {0}")]
    Io(#[from] std::io::Error),
    /// The database is newer than this library.
    #[error(
        "database schema version {found} is newer than this library supports ({supported}); upgrade hearken"
    )]
    NewerSchema {
        /// `user_version` found in the file.
        found: i64,
        /// Highest version this library knows.
        supported: i64,
    },
    /// A bug in hearken.
    #[error("internal error: {0}")]
    Internal(String),
    /// The engine was closed (T8).
    #[error("the engine is closed")]
    Closed,
    /// The file is not a hearken store; it was left untouched (T7).
    #[error("not a hearken store: {0}; the file was left untouched")]
    NotHearken(&'static str),
    /// The store closed, but an erasure's scrub could not finish (T2).
    #[error(
        "the store is closed, but erased values may remain in its -wal file: another connection held a snapshot; they go when the last connection on the file closes"
    )]
    ScrubIncomplete,
    /// The database file was deleted or replaced while open (T8).
    #[error("storage: the database file was deleted or replaced while open; reopen it")]
    FileReplaced,
    /// The call needs something this kind of store does not have; nothing was done.
    #[error("unsupported: {0}")]
    Unsupported(&'static str),
}

/// What kind of storage failure an [`Error::Storage`] is, whatever the backend.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum StorageFailure {
    /// The store reported its data damaged (or the file is not a database at all).
    Corrupt,
    /// Another writer held the store for longer than the wait allowed, or a lock or
    /// statement timeout ran out: the same call may succeed when retried.
    Busy,
    /// Any other failure of the backend.
    Other,
}

/// A failure of the storage backend, described without the backend's own types: the
/// failure's class and the backend's message (which never carries a stored value).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StorageError {
    failure: StorageFailure,
    message: String,
}

impl StorageError {
    /// A storage failure of class `failure`, described by `message`.
    pub fn new(failure: StorageFailure, message: impl Into<String>) -> Self {
        StorageError {
            failure,
            message: message.into(),
        }
    }

    /// Its class.
    pub fn failure(&self) -> StorageFailure {
        self.failure
    }

    /// Whether retrying the same call may succeed (the store was busy).
    pub fn is_retryable(&self) -> bool {
        self.failure == StorageFailure::Busy
    }
}

impl std::fmt::Display for StorageError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for StorageError {}

fn join(problems: &[Problem]) -> String {
    let mut s = String::new();
    for (i, p) in problems.iter().enumerate() {
        if i > 0 {
            s.push_str("; ");
        }
        s.push_str(&p.to_string());
    }
    s
}

impl Error {
    /// The kind every front door reports.
    pub fn kind(&self) -> ErrorKind {
        match self {
            Error::Invalid(_) => ErrorKind::InvalidInput,
            Error::NotFound { .. } => ErrorKind::NotFound,
            Error::Conflict(_) => ErrorKind::Conflict,
            Error::Storage(e) if e.failure() == StorageFailure::Corrupt => ErrorKind::Corrupt,
            Error::Storage(_) | Error::Io(_) | Error::FileReplaced => ErrorKind::Storage,
            Error::NewerSchema { .. } => ErrorKind::NewerSchema,
            Error::Internal(_) => ErrorKind::Internal,
            Error::Closed => ErrorKind::Closed,
            Error::NotHearken(_) => ErrorKind::NotHearken,
            Error::ScrubIncomplete => ErrorKind::ScrubIncomplete,
            Error::Unsupported(_) => ErrorKind::Unsupported,
        }
    }

    /// The bad records, for an invalid-input error.
    pub fn problems(&self) -> &[Problem] {
        match self {
            Error::Invalid(p) => p,
            _ => &[],
        }
    }

    /// A single-problem invalid-input error.
    pub fn invalid(problem: Problem) -> Self {
        Error::Invalid(vec![problem])
    }

    /// The error as the JSON object every door shows: `{"kind", "message", "problems"}`.
    pub fn to_json(&self) -> String {
        #[derive(Serialize)]
        struct Shown<'a> {
            kind: ErrorKind,
            message: String,
            problems: &'a [Problem],
        }
        // Plain structs with string keys always serialise (the same call as wire::to_json,
        // without making the error depend on the wire module).
        serde_json::to_string(&Shown {
            kind: self.kind(),
            message: self.to_string(),
            problems: self.problems(),
        })
        .unwrap_or_else(|_| "null".to_owned())
    }
}
