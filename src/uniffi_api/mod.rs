//! The uniffi surface for Kotlin, Swift and Python: thin adapters over [`crate::Engine`].
//!
//! Proc-macros only; `uniffi::setup_scaffolding!()` lives in lib.rs. Every call converts its
//! arguments, calls the Rust API and converts the answer back: no domain logic here.
//!
//! # Mirror records, not derives on the model
//!
//! The foreign-facing types are *mirror records* declared in this module, with one
//! conversion each way, instead of `uniffi` derives on `crate::model` behind a feature:
//! - the model carries chrono types (`NaiveDate`, `DateTime<Utc>`, `DateTime<FixedOffset>`)
//!   that uniffi cannot lift or lower without custom-type glue on foreign types;
//! - the model's enums are `#[non_exhaustive]` for Rust callers, while a uniffi enum must be
//!   closed; matching them here (same crate, so the match is exhaustive) makes a new model
//!   variant a compile error until this surface says how it crosses;
//! - the core and its Rust/C callers never see FFI types or attributes, and the foreign
//!   API can stay stable (field names like `due_at_ms`) while the model evolves.
//!
//! # Time and dates
//!
//! - Instants cross as `i64` Unix milliseconds, in parameters and fields whose names end
//!   in `_ms` (`now_ms`, `due_at_ms`): no string to parse, no time-zone ambiguity, and every
//!   language has a one-line conversion (`Instant.ofEpochMilli`, `datetime.fromtimestamp`,
//!   `Date(timeIntervalSince1970:)`). A value chrono cannot represent is invalid input.
//! - Calendar dates (business dates, cooldown ends) cross as ISO 8601 `YYYY-MM-DD` strings.
//!   A business date has no time of day and no zone, so an instant would be wrong; the text
//!   form is the one of the JSON wire format and the golden files, sorts correctly, and
//!   parses with the standard library of each language (`LocalDate.parse`,
//!   `date.fromisoformat`). Dates read from the host are parsed exactly as the JSON door
//!   parses them, and a bad one is an invalid-input problem naming the record.
//!
//! # Errors
//!
//! One error enum, [`HearkenError`], with one variant per [`crate::ErrorKind`]; see
//! `error.rs`.

mod alerts;
mod batch;
mod config;
mod delivery;
mod engine;
mod error;
mod report;
mod reports;
mod responses;
mod time;
