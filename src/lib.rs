//! hearken: an embeddable customer-feedback engine for point-of-sale servers.
//!
//! The POS server calls [`Engine::sync`] at its nightly sync with the day's customers,
//! employees and transactions; hearken decides who gets a satisfaction survey, keeps
//! the invitations for the host to deliver, and explains every decision.
//!
//! The README's example, compiled and run here (`tests/readme_example.rs` checks that
//! the README shows exactly these lines):
//!
//! ```
//! # fn main() -> hearken::Result<()> {
//! # let dir = tempfile::tempdir().unwrap();
//! # std::env::set_current_dir(dir.path()).unwrap();
//! # let batch_json = std::fs::read_to_string(concat!(
//! #     env!("CARGO_MANIFEST_DIR"),
//! #     "/tests/golden/night1.batch.json"
//! # ))
//! # .unwrap();
//! use hearken::{Engine, Location};
//!
//! let engine = Engine::open("store.db")?;                 // created and migrated as needed
//! engine.upsert_location(&Location::new("paris", "Boutique Paris", "Europe/Paris"))?;
//! let now = "2026-11-20T22:00:00Z".parse().unwrap();      // every call takes `now`
//! let window = engine.sync_window("paris", now)?;         // dates to send tonight (S2)
//! let report = engine.sync_json(&batch_json, now)?;       // or engine.sync(&SyncBatch)
//! for skip in &report.skipped {
//!     println!("{} skipped: {}", skip.transaction, skip.reason);
//! }
//! let why = engine.explain("c5", now)?;                   // stored decisions (E9)
//! engine.unsubscribe_contact("dana@example.com", now)?;   // global, before any survey (E3)
//! # assert!(window.dates.iter().any(|d| d.to_string() == "2026-11-20"));
//! # assert!(!report.invitations.is_empty());
//! # assert_eq!(why.customer, "c5");
//! # engine.close()?;
//! # Ok(())
//! # }
//! ```

#![warn(missing_docs)]
// Unsafe code lives only in the C door (src/ffi/), which must dereference raw pointers.
#![deny(unsafe_code)]

pub mod admin;
pub mod analytics;
mod engine;
mod error;
mod export;
#[doc(hidden)]
pub mod failpoint;
#[allow(unsafe_code)]
pub mod ffi;
mod fsio;
mod hash;
#[cfg(feature = "hosted")]
#[doc(hidden)]
pub mod hosted;
pub mod mailers;
pub mod model;
pub mod pages;
pub mod rules;
mod store;
#[cfg(feature = "uniffi")]
mod uniffi_api;
pub mod wire;

pub use engine::{Engine, EngineOptions, JournalMode, StoreCheck, StoreConfig};
pub use error::{Error, ErrorKind, Problem, Result, StorageError, StorageFailure};
pub use export::{ExportQuery, ExportSummary};
pub use model::*;
pub use store::SCHEMA_VERSION;

#[cfg(feature = "uniffi")]
uniffi::setup_scaffolding!();
