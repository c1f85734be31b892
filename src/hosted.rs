//! Hosted mode (feature `hosted`, issue 27, rules H1–H7): the groundwork of the engine on
//! PostgreSQL that does not depend on the storage traits: the synchronous client and
//! pool ([`client`]), the connection string and TLS ([`config`]), the PostgreSQL
//! schema with its row-level security ([`schema`]), its administration ([`admin`]:
//! install and migrate, create, list and delete stores, import and export SQLite files;
//! [`check`]: the admin's check of the schema, the security and the references)
//! and the mailers' store leases ([`lease`]).
//!
//! Not a stable API yet: public so the `tests/hosted_*.rs` can drive it, hidden from the
//! documentation until the PostgreSQL store behind the storage seam uses it.

pub mod admin;
pub mod check;
pub mod client;
pub mod config;
pub mod lease;
pub mod schema;
mod tls;

pub use admin::{Admin, Imported, StoreEntry};
pub(crate) use client::Counters;
pub use client::{LOCK_CLASS, Param, PgClient, Timeouts, Tx, p};
pub use config::{PgConfig, SslMode};
pub use lease::{StoreLease, lease_stores, lease_stores_with};
pub use tokio_postgres::Row;
pub use tokio_postgres::types::ToSql;
