//! hearken: an embeddable customer-feedback engine for point-of-sale servers.
//!
//! The POS server calls [`Engine::sync`] at its nightly sync with the day's customers,
//! employees and transactions; hearken decides who gets a satisfaction survey, keeps
//! the invitations for the host to deliver, and explains every decision.

mod engine;
mod error;
mod export;
#[doc(hidden)]
pub mod failpoint;
pub mod ffi;
mod fsio;
pub mod model;
pub mod report;
pub mod rules;
mod store;
#[cfg(feature = "uniffi")]
mod uniffi_api;
pub mod wire;

pub use engine::{Engine, EngineOptions, JournalMode, StoreCheck};
pub use error::{Error, ErrorKind, Problem, Result};
pub use export::{ExportQuery, ExportSummary};
pub use model::*;
pub use store::SCHEMA_VERSION;

#[cfg(feature = "uniffi")]
uniffi::setup_scaffolding!();
