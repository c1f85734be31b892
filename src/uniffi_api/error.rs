//! [`HearkenError`]: the one error of the uniffi surface, one variant per [`ErrorKind`].
//!
//! Each variant carries the Rust error's message as `reason` (not `message`: Kotlin
//! exceptions already own a `message` property, and uniffi's generated override would
//! clash with a field of that name). Messages never carry personal data: the core's
//! messages name records, fields and host ids, never values. Invalid input also carries
//! every bad record as a [`Problem`] (the model's own record, derived).

use serde::Serialize;

use crate::error::{Error, ErrorKind, Problem};

/// Every error a hearken call can raise; the variants are the kinds shared by every door.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error, uniffi::Error)]
pub enum HearkenError {
    /// The input was rejected whole; nothing was written.
    #[error("{reason}")]
    InvalidInput {
        /// What was wrong, every problem in one line.
        reason: String,
        /// Every bad record.
        problems: Vec<Problem>,
    },
    /// The thing asked for does not exist.
    #[error("{reason}")]
    NotFound {
        /// What was not found (a kind of record and its host id).
        reason: String,
    },
    /// The request contradicts the stored state (e.g. disabling the last location).
    #[error("{reason}")]
    Conflict {
        /// What it contradicts.
        reason: String,
    },
    /// The database or the file system failed.
    #[error("{reason}")]
    Storage {
        /// The failure.
        reason: String,
    },
    /// The database was written by a newer hearken; it is left untouched.
    #[error("{reason}")]
    NewerSchema {
        /// The versions found and supported.
        reason: String,
    },
    /// A bug in hearken (or a panic caught at the boundary).
    #[error("{reason}")]
    Internal {
        /// What went wrong.
        reason: String,
    },
    /// The engine was closed; open a new one.
    #[error("{reason}")]
    Closed {
        /// What was refused.
        reason: String,
    },
    /// The file is not a hearken store; it was left untouched.
    #[error("{reason}")]
    NotHearken {
        /// Why the file is not a hearken store.
        reason: String,
    },
    /// SQLite found the database file damaged.
    #[error("{reason}")]
    Corrupt {
        /// The failure.
        reason: String,
    },
    /// The store closed, but an erasure's scrub could not finish: erased values may remain
    /// in the -wal file until the last connection on the file closes (T2).
    #[error("{reason}")]
    ScrubIncomplete {
        /// What remains and when it goes.
        reason: String,
    },
    /// The call needs something this kind of store does not have; nothing was done.
    #[error("{reason}")]
    Unsupported {
        /// What is missing.
        reason: String,
    },
}

impl From<Error> for HearkenError {
    fn from(e: Error) -> Self {
        let reason = e.to_string();
        // ErrorKind is #[non_exhaustive] for other crates only: this match is exhaustive,
        // so a new kind fails to compile here until it gets a variant.
        match e.kind() {
            ErrorKind::InvalidInput => HearkenError::InvalidInput {
                reason,
                problems: e.problems().to_vec(),
            },
            ErrorKind::NotFound => HearkenError::NotFound { reason },
            ErrorKind::Conflict => HearkenError::Conflict { reason },
            ErrorKind::Storage => HearkenError::Storage { reason },
            ErrorKind::NewerSchema => HearkenError::NewerSchema { reason },
            ErrorKind::Internal => HearkenError::Internal { reason },
            ErrorKind::Closed => HearkenError::Closed { reason },
            ErrorKind::NotHearken => HearkenError::NotHearken { reason },
            ErrorKind::Corrupt => HearkenError::Corrupt { reason },
            ErrorKind::ScrubIncomplete => HearkenError::ScrubIncomplete { reason },
            ErrorKind::Unsupported => HearkenError::Unsupported { reason },
        }
    }
}

// A foreign callback (the backfill progress listener) that throws something other than a
// HearkenError: uniffi turns it into this instead of panicking inside the engine.
impl From<uniffi::UnexpectedUniFFICallbackError> for HearkenError {
    fn from(_: uniffi::UnexpectedUniFFICallbackError) -> Self {
        // The foreign exception's text is dropped: it may hold anything, personal data too.
        HearkenError::Internal {
            reason: "a callback raised an unexpected exception".to_owned(),
        }
    }
}

impl HearkenError {
    fn error_kind(&self) -> ErrorKind {
        match self {
            HearkenError::InvalidInput { .. } => ErrorKind::InvalidInput,
            HearkenError::NotFound { .. } => ErrorKind::NotFound,
            HearkenError::Conflict { .. } => ErrorKind::Conflict,
            HearkenError::Storage { .. } => ErrorKind::Storage,
            HearkenError::NewerSchema { .. } => ErrorKind::NewerSchema,
            HearkenError::Internal { .. } => ErrorKind::Internal,
            HearkenError::Closed { .. } => ErrorKind::Closed,
            HearkenError::NotHearken { .. } => ErrorKind::NotHearken,
            HearkenError::Corrupt { .. } => ErrorKind::Corrupt,
            HearkenError::ScrubIncomplete { .. } => ErrorKind::ScrubIncomplete,
            HearkenError::Unsupported { .. } => ErrorKind::Unsupported,
        }
    }

    fn reason(&self) -> &str {
        match self {
            HearkenError::InvalidInput { reason, .. }
            | HearkenError::NotFound { reason }
            | HearkenError::Conflict { reason }
            | HearkenError::Storage { reason }
            | HearkenError::NewerSchema { reason }
            | HearkenError::Internal { reason }
            | HearkenError::Closed { reason }
            | HearkenError::NotHearken { reason }
            | HearkenError::Corrupt { reason }
            | HearkenError::ScrubIncomplete { reason }
            | HearkenError::Unsupported { reason } => reason,
        }
    }
}

#[uniffi::export]
impl HearkenError {
    /// The stable snake_case name of the kind (`invalid_input`, `not_found`, …).
    pub fn kind(&self) -> String {
        self.error_kind().as_str().to_owned()
    }

    /// The error as the JSON object every door shows: `{"kind", "message", "problems"}`.
    pub fn to_json(&self) -> String {
        // Field order is part of the contract (golden files compare bytes): a struct, not
        // `json!`, whose map would sort the keys.
        #[derive(Serialize)]
        struct Shown<'a> {
            kind: ErrorKind,
            message: &'a str,
            problems: &'a [Problem],
        }
        let problems = match self {
            HearkenError::InvalidInput { problems, .. } => problems.as_slice(),
            _ => &[],
        };
        crate::wire::to_json(&Shown {
            kind: self.error_kind(),
            message: self.reason(),
            problems,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Problem as CoreProblem;

    #[test]
    fn every_kind_maps_to_its_variant_and_json_matches_the_core() {
        let errors = [
            Error::Invalid(vec![
                CoreProblem::at("customers", 1, "c7", "id", "duplicate host id"),
                CoreProblem::top("batch", "format", "missing field `format`"),
            ]),
            Error::NotFound {
                what: "location",
                id: "x".to_owned(),
            },
            Error::Conflict("the last enabled location stays enabled".to_owned()),
            Error::Io(std::io::Error::other("disk full")),
            Error::NewerSchema {
                found: 9,
                supported: 1,
            },
            Error::Internal("bug".to_owned()),
        ];
        for e in errors {
            let json = e.to_json();
            let kind = e.kind();
            let mirrored = HearkenError::from(e);
            assert_eq!(mirrored.kind(), kind.as_str());
            assert_eq!(mirrored.to_json(), json);
        }
    }

    #[test]
    fn invalid_input_carries_the_problems() {
        let e = HearkenError::from(Error::invalid(CoreProblem::at(
            "transactions",
            2,
            "t22",
            "currency",
            "not an ISO 4217 code",
        )));
        let HearkenError::InvalidInput { problems, .. } = e else {
            panic!("expected invalid input");
        };
        assert_eq!(problems[0].index, Some(2));
        assert_eq!(problems[0].host_id.as_deref(), Some("t22"));
        assert_eq!(problems[0].field, "currency");
    }
}
