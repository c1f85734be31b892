//! The uniffi surface for Kotlin, Swift and Python: thin adapters over [`crate::Engine`].
//!
//! Proc-macros only; `uniffi::setup_scaffolding!()` lives in lib.rs, and the whole door is
//! behind the `uniffi` feature (on by default).
//!
//! # Derived on the model, not mirrored
//!
//! The records and enums that cross are the model's own (`crate::model`, plus
//! `crate::Problem`, `crate::ExportQuery` and `crate::ExportSummary`): each carries
//! `#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]` (or `uniffi::Enum`) beside its
//! serde derives, so a new field crosses with no code here. uniffi 0.32 honours the model's
//! `#[non_exhaustive]` enums. What stays here:
//! - [`engine`] and [`reports`]: the `Engine` object, one method per public method of
//!   [`crate::Engine`]; `now_ms`-style arguments stay `i64` named `*_ms` (time.rs), so a bad
//!   one is an error naming the argument;
//! - [`error`]: [`HearkenError`](error::HearkenError), one variant per [`crate::ErrorKind`];
//! - [`types`]: the custom types (chrono and std types the model holds), two door-only
//!   records standing for tuples, `code_name()`/`describe()`/`lines()` and the
//!   `default_*()` functions;
//! - [`config`]: door-only mirrors of the engine's open options and store check (engine
//!   types, not model types).
//!
//! # Time and dates (custom types)
//!
//! - `DateTime<Utc>` crosses as `Timestamp`, `i64` Unix milliseconds: no string to parse,
//!   no time-zone ambiguity, one-line conversions in every language. A value outside the
//!   one range of instants (T3, `rules::time::MIN_MS..=MAX_MS`) is invalid input.
//! - `DateTime<FixedOffset>` (a transaction's `finalized_at`) crosses as `OffsetTimestamp`,
//!   also Unix milliseconds; the offset does not cross (it is read as UTC): hearken derives
//!   local dates from the location's time zone, never from the offset.
//! - `NaiveDate` crosses as `IsoDate`, `YYYY-MM-DD` text, parsed exactly as the JSON door
//!   parses it (`rules::time::parse_date_strict`); a business date has no time of day and no
//!   zone, so an instant would be wrong.
//!
//! uniffi reads a whole record before hearken sees it, so a bad value inside a record is
//! invalid input whose problem names the crossing type (`arguments.timestamp`,
//! `arguments.date`), not the record's field.

mod admin;
mod config;
mod engine;
mod error;
mod pages;
mod policy;
mod reports;
mod time;
mod types;
