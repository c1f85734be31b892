//! Result codes of the C door and the error detail kept for the host.
//!
//! Codes 1–99 are [`crate::ErrorKind`] codes, shared with every door; 100 and up are failures
//! only the C door has. A number is never renumbered or reused, even when its meaning retires.

use std::ffi::CStr;

use crate::error::{Error, Problem};

/// Outcome of a fallible C call: `HK_OK` or one of the `HK_RESULT_*` codes.
#[allow(non_camel_case_types)]
pub type hk_result = u32;

/// Success: the outputs were written.
pub const HK_OK: hk_result = 0;
/// The input was rejected and nothing was written; the detail lists every bad record.
pub const HK_RESULT_INVALID_INPUT: hk_result = 1;
/// The thing asked for does not exist.
pub const HK_RESULT_NOT_FOUND: hk_result = 2;
/// The request contradicts the stored state (e.g. disabling the last enabled location).
pub const HK_RESULT_CONFLICT: hk_result = 3;
/// The database or the file system failed.
pub const HK_RESULT_STORAGE: hk_result = 4;
/// The database was written by a newer hearken; it was left untouched.
pub const HK_RESULT_NEWER_SCHEMA: hk_result = 5;
/// A bug in hearken.
pub const HK_RESULT_INTERNAL: hk_result = 6;
/// The engine was closed with `hk_engine_close`; only `hk_engine_free` remains valid.
pub const HK_RESULT_CLOSED: hk_result = 7;
/// The file is not a hearken store (another application's database); it was left untouched.
pub const HK_RESULT_NOT_HEARKEN: hk_result = 8;
/// SQLite found the database file damaged; see `hk_engine_check`.
pub const HK_RESULT_CORRUPT: hk_result = 9;
/// `hk_engine_close` closed the store, but an erasure's scrub could not finish: another
/// connection's snapshot kept erased values in the -wal file; they go when the last
/// connection on the file closes (T2).
pub const HK_RESULT_SCRUB_INCOMPLETE: hk_result = 10;
/// The call needs something this kind of store does not have (e.g. a file-only call such
/// as a backup on a store that is not one SQLite file); nothing was done.
pub const HK_RESULT_UNSUPPORTED: hk_result = 11;
/// A required pointer argument was NULL (detail kind `invalid_input`, field = argument name).
pub const HK_RESULT_NULL_ARGUMENT: hk_result = 100;
/// A string argument was not valid UTF-8 (detail kind `invalid_input`, field = argument name).
pub const HK_RESULT_INVALID_UTF8: hk_result = 101;
/// hearken panicked; the call was abandoned (detail kind `internal`). Free the handle.
pub const HK_RESULT_PANIC: hk_result = 102;

/// Every code with its stable snake_case name.
const NAMES: [(hk_result, &CStr); 15] = [
    (HK_OK, c"ok"),
    (HK_RESULT_INVALID_INPUT, c"invalid_input"),
    (HK_RESULT_NOT_FOUND, c"not_found"),
    (HK_RESULT_CONFLICT, c"conflict"),
    (HK_RESULT_STORAGE, c"storage"),
    (HK_RESULT_NEWER_SCHEMA, c"newer_schema"),
    (HK_RESULT_INTERNAL, c"internal"),
    (HK_RESULT_CLOSED, c"closed"),
    (HK_RESULT_NOT_HEARKEN, c"not_hearken"),
    (HK_RESULT_CORRUPT, c"corrupt"),
    (HK_RESULT_SCRUB_INCOMPLETE, c"scrub_incomplete"),
    (HK_RESULT_UNSUPPORTED, c"unsupported"),
    (HK_RESULT_NULL_ARGUMENT, c"null_argument"),
    (HK_RESULT_INVALID_UTF8, c"invalid_utf8"),
    (HK_RESULT_PANIC, c"panic"),
];

/// The stable name of a result code ("ok", "invalid_input", ...), "unknown" otherwise.
pub(crate) fn result_name(code: hk_result) -> &'static CStr {
    NAMES
        .iter()
        .find(|(c, _)| *c == code)
        .map_or(c"unknown", |(_, name)| name)
}

/// Why a C call failed: the engine's error or a failure of the door itself.
#[derive(Debug)]
pub(crate) enum Failure {
    /// The engine (or the wire parser) refused or failed.
    Engine(Error),
    /// A required pointer argument was NULL.
    Null(&'static str),
    /// A string argument was not UTF-8; the byte offset of the first bad byte.
    Utf8(&'static str, usize),
    /// A scalar argument is out of its documented range.
    Range(&'static str, &'static str),
    /// The body panicked.
    Panic,
}

impl From<Error> for Failure {
    fn from(e: Error) -> Self {
        Failure::Engine(e)
    }
}

impl Failure {
    /// The result code returned to C.
    pub(crate) fn code(&self) -> hk_result {
        match self {
            Failure::Engine(e) => e.kind() as u32,
            Failure::Null(_) => HK_RESULT_NULL_ARGUMENT,
            Failure::Utf8(..) => HK_RESULT_INVALID_UTF8,
            Failure::Range(..) => HK_RESULT_INVALID_INPUT,
            Failure::Panic => HK_RESULT_PANIC,
        }
    }

    /// The detail JSON (`{"kind","message","problems"}`), the same shape every door shows.
    pub(crate) fn to_json(&self) -> String {
        match self {
            Failure::Engine(e) => e.to_json(),
            Failure::Null(arg) => argument(arg, "must not be NULL").to_json(),
            Failure::Utf8(arg, at) => argument(
                arg,
                format!("not valid UTF-8 (first bad byte at offset {at})"),
            )
            .to_json(),
            Failure::Range(arg, why) => argument(arg, *why).to_json(),
            Failure::Panic => Error::Internal(
                "hearken panicked and the call was abandoned; free the handle".to_owned(),
            )
            .to_json(),
        }
    }
}

fn argument(name: &str, reason: impl Into<String>) -> Error {
    Error::invalid(Problem::top("arguments", name, reason))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::ErrorKind;

    #[test]
    fn engine_kinds_keep_their_codes_below_the_c_only_range() {
        let kinds = [
            (ErrorKind::InvalidInput, HK_RESULT_INVALID_INPUT, 1),
            (ErrorKind::NotFound, HK_RESULT_NOT_FOUND, 2),
            (ErrorKind::Conflict, HK_RESULT_CONFLICT, 3),
            (ErrorKind::Storage, HK_RESULT_STORAGE, 4),
            (ErrorKind::NewerSchema, HK_RESULT_NEWER_SCHEMA, 5),
            (ErrorKind::Internal, HK_RESULT_INTERNAL, 6),
            (ErrorKind::Closed, HK_RESULT_CLOSED, 7),
            (ErrorKind::NotHearken, HK_RESULT_NOT_HEARKEN, 8),
            (ErrorKind::Corrupt, HK_RESULT_CORRUPT, 9),
            (ErrorKind::ScrubIncomplete, HK_RESULT_SCRUB_INCOMPLETE, 10),
            (ErrorKind::Unsupported, HK_RESULT_UNSUPPORTED, 11),
        ];
        for (kind, code, number) in kinds {
            assert_eq!(kind as u32, code);
            assert_eq!(code, number);
            assert_eq!(result_name(code).to_str(), Ok(kind.as_str()));
            assert!(code < HK_RESULT_NULL_ARGUMENT);
        }
    }

    #[test]
    fn c_only_codes_are_fixed() {
        assert_eq!(HK_RESULT_NULL_ARGUMENT, 100);
        assert_eq!(HK_RESULT_INVALID_UTF8, 101);
        assert_eq!(HK_RESULT_PANIC, 102);
        assert_eq!(result_name(103), c"unknown");
    }

    #[test]
    fn null_argument_detail_names_the_argument() {
        let json = Failure::Null("batch_json").to_json();
        assert!(json.contains(r#""field":"batch_json""#), "{json}");
        assert!(json.starts_with(r#"{"kind":"invalid_input""#), "{json}");
    }
}
