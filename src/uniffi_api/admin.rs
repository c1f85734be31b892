//! Hosted mode's administration (H5, H7) for Kotlin, Swift and Python: the functions of
//! [`crate::admin`]. A library built without the `hosted` feature (the default wheels and
//! jar) raises `Unsupported`.

use super::error::HearkenError;
use super::time;
use crate::model::{AdminCheck, LeasedStore};

/// Installs the hearken schema in the PostgreSQL database at `admin_url` (connected as the
/// role that is to own the tables), or migrates it, then the row-level security, policies
/// and grants for `engine_role` (`None`: `hearken_engine`). Idempotent. Returns the schema
/// version installed.
#[uniffi::export]
pub fn admin_install(admin_url: String, engine_role: Option<String>) -> Result<i64, HearkenError> {
    let role = engine_role
        .as_deref()
        .unwrap_or(crate::admin::DEFAULT_ENGINE_ROLE);
    Ok(crate::admin::install(&admin_url, role)?)
}

/// Creates the store `store_id` (the vendor's text id) in the database at `admin_url`;
/// then `Engine.open_url` opens it.
#[uniffi::export]
pub fn admin_create_store(admin_url: String, store_id: String) -> Result<(), HearkenError> {
    Ok(crate::admin::create_store(&admin_url, &store_id)?)
}

/// Migrates the installed schema to this library's version; the version now installed.
#[uniffi::export]
pub fn admin_migrate(admin_url: String) -> Result<i64, HearkenError> {
    Ok(crate::admin::migrate(&admin_url)?)
}

/// The text ids of every store, in order.
#[uniffi::export]
pub fn admin_list_stores(admin_url: String) -> Result<Vec<String>, HearkenError> {
    Ok(crate::admin::list_stores(&admin_url)?)
}

/// Deletes the store `store_id` and every row of it (H7); the rows deleted.
#[uniffi::export]
pub fn admin_delete_store(admin_url: String, store_id: String) -> Result<u64, HearkenError> {
    Ok(crate::admin::delete_store(&admin_url, &store_id)?)
}

/// Imports the SQLite store file at `path` into a new store `store_id` (H7); the rows
/// copied.
#[uniffi::export]
pub fn admin_import_sqlite(
    admin_url: String,
    path: String,
    store_id: String,
) -> Result<u64, HearkenError> {
    Ok(crate::admin::import_sqlite(
        &admin_url,
        std::path::Path::new(&path),
        &store_id,
    )?)
}

/// Writes the store `store_id` to a new SQLite store file at `path` (H7); the rows copied.
#[uniffi::export]
pub fn admin_export_sqlite(
    admin_url: String,
    store_id: String,
    path: String,
) -> Result<u64, HearkenError> {
    Ok(crate::admin::export_sqlite(
        &admin_url,
        &store_id,
        std::path::Path::new(&path),
    )?)
}

/// Checks the hosted database at `admin_url` and changes nothing (H2, H5): the schema
/// version, row-level security on every store table, the roles granted the store tables,
/// and the orphans of the references the schema does not enforce (counts, no row value),
/// of every store (`store_id` `None`) or of one (unknown: `NotFound`). `ok` is true only
/// when nothing was found.
#[uniffi::export]
pub fn admin_check(
    admin_url: String,
    store_id: Option<String>,
) -> Result<AdminCheck, HearkenError> {
    Ok(crate::admin::check(&admin_url, store_id.as_deref())?)
}

/// Leases to `mailer` at most `limit` stores of the database at `url` (the engine role's)
/// that have due work at `now_ms` and no other mailer holds, until `now_ms` +
/// `lease_seconds` (H3). Open each with `Engine.open_url(url, lease.store)`.
#[uniffi::export]
pub fn lease_stores(
    url: String,
    mailer: String,
    now_ms: i64,
    limit: u32,
    lease_seconds: u32,
) -> Result<Vec<LeasedStore>, HearkenError> {
    let now = time::arg_instant(now_ms, "now_ms")?;
    Ok(crate::mailers::lease_stores(
        &url,
        &mailer,
        now,
        limit,
        lease_seconds,
    )?)
}

/// Extends `lease` to `now_ms` + `lease_seconds`; a lease that ran out or that another
/// mailer took raises `Conflict`.
#[uniffi::export]
pub fn renew_store_lease(
    url: String,
    lease: LeasedStore,
    now_ms: i64,
    lease_seconds: u32,
) -> Result<LeasedStore, HearkenError> {
    let now = time::arg_instant(now_ms, "now_ms")?;
    Ok(crate::mailers::renew_store_lease(
        &url,
        &lease,
        now,
        lease_seconds,
    )?)
}

/// Gives the store of `lease` back at once; whether the lease still held it.
#[uniffi::export]
pub fn release_store_lease(url: String, lease: LeasedStore) -> Result<bool, HearkenError> {
    Ok(crate::mailers::release_store_lease(&url, &lease)?)
}
