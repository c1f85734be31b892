//! The C ABI: `extern "C"` adapters over [`crate::Engine`], no domain logic.
//!
//! The contract every function follows is written in docs/c-api.md; cbindgen turns these
//! declarations into include/hearken.h, in the order of the modules below.
//!
//! Every exported function has the same safety contract, stated once in the header rather
//! than on each function: each pointer is NULL or valid for what its type says (a live
//! handle, a NUL-terminated string, a writable slot), and a handle is not used after its
//! `_free`. NULL is checked; the rest cannot be.

#![allow(clippy::missing_safety_doc)]

mod boundary;

// The vocabulary of every call: result codes, versions, strings.
pub mod result;
pub mod strings;
pub mod version;

// The engine handle: open, free, last error.
pub mod engine;
// Hosted mode's administration (H5, H7).
pub mod admin;

// Settings and locations.
pub mod config;

// The contact policy (P1–P8): policy, calendars, a location's own rules.
pub mod policy;

// The nightly sync, its window, the backfill.
pub mod sync;

// Customers: explain, unsubscribe, pending invitations.
pub mod customers;

// Delivery: the outbox (claim, ack, fail, resend, unsubscribe links).
pub mod outbox;

// Templates, delivery settings, the suppression list shared between stores.
pub mod delivery;

// Responses and scores: the survey, answers, receipt links, e-receipt feedback, reviews,
// deletions, NPS and ratings.
pub mod responses;

// What the customer sees: score clicks, the rendered pages, the posted form (M1, M2).
pub mod pages;

// Alerts and follow-up: users, assignments, the alert dashboard and its handling, reply
// threads, the post-intervention survey, external reviews, the at-risk list.
pub mod alerts;

// Reports: scores, series, response rate, review funnel, employee performance, periods,
// the feedback list, customers and their history, unsubscribes, other stores' NPS.
pub mod analytics;

// Exports to files (CSV, xlsx) and erasure of a customer.
pub mod exports;

// The event feed (D1).
pub mod events;

// Webhook subscriptions (D2).
pub mod webhooks;

// Typed readers of the JSON results, for hosts without a JSON parser.
mod handles;
pub mod messages;
pub mod reasons;
pub mod sync_report;
pub mod window;

pub use alerts::*;
pub use analytics::*;
pub use config::*;
pub use customers::*;
pub use delivery::*;
pub use engine::*;
pub use events::*;
pub use exports::*;
pub use messages::*;
pub use outbox::*;
pub use pages::*;
pub use reasons::*;
pub use responses::*;
pub use result::*;
pub use strings::*;
pub use sync::*;
pub use sync_report::*;
pub use version::*;
pub use window::*;
