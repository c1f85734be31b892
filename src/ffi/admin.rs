//! Hosted mode's administration (H5, H7), as `crate::admin` has it: each call takes the
//! admin role's connection string; a library built without the `hosted` feature answers
//! `HK_RESULT_UNSUPPORTED`.

use std::ffi::c_char;

use super::boundary::{text, without_engine};
use super::result::hk_result;

/// Installs the hearken schema in the PostgreSQL database at `admin_url` (connected as
/// the role that is to own the tables), or migrates it to this library's version, then
/// the row-level security, policies and grants for the engine's role `engine_role`
/// (NULL: `hearken_engine`; it must exist and may neither be a superuser nor bypass
/// row-level security). Idempotent. On failure, if `error_out` is not NULL, `*error_out`
/// receives the error detail JSON (free it with `hk_string_free`).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn hk_admin_install(
    admin_url: *const c_char,
    engine_role: *const c_char,
    error_out: *mut *mut c_char,
) -> hk_result {
    let body = || {
        // SAFETY: `admin_url` is NULL or NUL-terminated (contract above).
        let url = unsafe { text(admin_url, "admin_url") }?;
        let role = if engine_role.is_null() {
            crate::admin::DEFAULT_ENGINE_ROLE
        } else {
            // SAFETY: `engine_role` is NUL-terminated (contract above).
            unsafe { text(engine_role, "engine_role") }?
        };
        crate::admin::install(url, role)?;
        Ok(())
    };
    // SAFETY: `error_out` is NULL or writable (contract above).
    unsafe { without_engine(error_out, body) }
}

/// Creates the store `store_id` (the vendor's text id: 1 to 200 bytes, no control
/// characters) in the database at `admin_url`, with its own random secrets; then
/// `hk_engine_open_url` opens it. Errors as for `hk_admin_install`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn hk_admin_create_store(
    admin_url: *const c_char,
    store_id: *const c_char,
    error_out: *mut *mut c_char,
) -> hk_result {
    let body = || {
        // SAFETY: both are NULL or NUL-terminated (contract above).
        let url = unsafe { text(admin_url, "admin_url") }?;
        // SAFETY: as above.
        let store = unsafe { text(store_id, "store_id") }?;
        crate::admin::create_store(url, store)?;
        Ok(())
    };
    // SAFETY: `error_out` is NULL or writable (contract above).
    unsafe { without_engine(error_out, body) }
}
