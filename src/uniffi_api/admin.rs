//! Hosted mode's administration (H5, H7) for Kotlin, Swift and Python: the functions of
//! [`crate::admin`]. A library built without the `hosted` feature (the default wheels and
//! jar) raises `Unsupported`.

use super::error::HearkenError;
use super::time;
use crate::model::LeasedStore;

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
    Ok(crate::mailers::lease_stores(&url, &mailer, now, limit, lease_seconds)?)
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
    Ok(crate::mailers::renew_store_lease(&url, &lease, now, lease_seconds)?)
}

/// Gives the store of `lease` back at once; whether the lease still held it.
#[uniffi::export]
pub fn release_store_lease(url: String, lease: LeasedStore) -> Result<bool, HearkenError> {
    Ok(crate::mailers::release_store_lease(&url, &lease)?)
}
