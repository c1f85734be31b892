//! Hosted mode's administration (H5, H7) for Kotlin, Swift and Python: the functions of
//! [`crate::admin`]. A library built without the `hosted` feature (the default wheels and
//! jar) raises `Unsupported`.

use super::error::HearkenError;

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
