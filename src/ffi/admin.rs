//! Hosted mode from C: administration (H5, H7) as `crate::admin` has it (each call takes
//! the admin role's connection string), and the mailers' store leases (H3) as
//! `crate::mailers` has them. A library built without the `hosted` feature answers
//! `HK_RESULT_UNSUPPORTED`.

use std::ffi::c_char;

use super::boundary::{Out, now, optional_text, text, without_engine};
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

/// Migrates the installed schema to this library's version (one step per version,
/// expand then contract). Errors as for `hk_admin_install`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn hk_admin_migrate(
    admin_url: *const c_char,
    error_out: *mut *mut c_char,
) -> hk_result {
    let body = || {
        // SAFETY: NULL or NUL-terminated (contract above).
        let url = unsafe { text(admin_url, "admin_url") }?;
        crate::admin::migrate(url)?;
        Ok(())
    };
    // SAFETY: `error_out` is NULL or writable (contract above).
    unsafe { without_engine(error_out, body) }
}

/// Writes the text ids of every store, as a JSON array of strings, to
/// `*store_ids_json_out` (free it with `hk_string_free`).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn hk_admin_list_stores(
    admin_url: *const c_char,
    store_ids_json_out: *mut *mut c_char,
    error_out: *mut *mut c_char,
) -> hk_result {
    let body = || {
        // SAFETY: NULL or NUL-terminated (contract above).
        let url = unsafe { text(admin_url, "admin_url") }?;
        let out = Out::new(store_ids_json_out, "store_ids_json_out")?;
        out.set_string(crate::wire::to_json(&crate::admin::list_stores(url)?));
        Ok(())
    };
    // SAFETY: `error_out` is NULL or writable (contract above).
    unsafe { without_engine(error_out, body) }
}

/// Deletes the store `store_id` and every row of it in one transaction (H7);
/// `*rows_out` receives the rows deleted. An unknown store is `HK_RESULT_NOT_FOUND`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn hk_admin_delete_store(
    admin_url: *const c_char,
    store_id: *const c_char,
    rows_out: *mut u64,
    error_out: *mut *mut c_char,
) -> hk_result {
    let body = || {
        // SAFETY: both are NULL or NUL-terminated (contract above).
        let url = unsafe { text(admin_url, "admin_url") }?;
        // SAFETY: as above.
        let store = unsafe { text(store_id, "store_id") }?;
        let out = Out::new(rows_out, "rows_out")?;
        out.set(crate::admin::delete_store(url, store)?);
        Ok(())
    };
    // SAFETY: `error_out` is NULL or writable (contract above).
    unsafe { without_engine(error_out, body) }
}

/// Imports the SQLite store file at `path` (only read) into a new store `store_id`, same
/// ids and secrets, in one transaction (H7); `*rows_out` receives the rows copied. An id
/// already taken is `HK_RESULT_CONFLICT`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn hk_admin_import_sqlite(
    admin_url: *const c_char,
    path: *const c_char,
    store_id: *const c_char,
    rows_out: *mut u64,
    error_out: *mut *mut c_char,
) -> hk_result {
    let body = || {
        // SAFETY: all are NULL or NUL-terminated (contract above).
        let url = unsafe { text(admin_url, "admin_url") }?;
        // SAFETY: as above.
        let path = unsafe { text(path, "path") }?;
        // SAFETY: as above.
        let store = unsafe { text(store_id, "store_id") }?;
        let out = Out::new(rows_out, "rows_out")?;
        out.set(crate::admin::import_sqlite(
            url,
            std::path::Path::new(path),
            store,
        )?);
        Ok(())
    };
    // SAFETY: `error_out` is NULL or writable (contract above).
    unsafe { without_engine(error_out, body) }
}

/// Writes the store `store_id` to a new SQLite store file at `path` (refused if it
/// exists) that gives the same dump and answers (H7); `*rows_out` receives the rows copied.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn hk_admin_export_sqlite(
    admin_url: *const c_char,
    store_id: *const c_char,
    path: *const c_char,
    rows_out: *mut u64,
    error_out: *mut *mut c_char,
) -> hk_result {
    let body = || {
        // SAFETY: all are NULL or NUL-terminated (contract above).
        let url = unsafe { text(admin_url, "admin_url") }?;
        // SAFETY: as above.
        let store = unsafe { text(store_id, "store_id") }?;
        // SAFETY: as above.
        let path = unsafe { text(path, "path") }?;
        let out = Out::new(rows_out, "rows_out")?;
        out.set(crate::admin::export_sqlite(
            url,
            store,
            std::path::Path::new(path),
        )?);
        Ok(())
    };
    // SAFETY: `error_out` is NULL or writable (contract above).
    unsafe { without_engine(error_out, body) }
}

/// Checks the hosted database at `admin_url` (the admin role's connection string) and
/// changes nothing (H2, H5): the schema version, row-level security forced with its
/// policy on every store table, the roles granted the store tables (owning nothing, no
/// superuser, no BYPASSRLS), and the references the schema does not enforce, as orphan
/// counts per store, table and column (no row value). `store_id` NULL checks every
/// store's rows, else that store's only (unknown: `HK_RESULT_NOT_FOUND`). On success
/// `*check_json_out` receives the report, a JSON object `{"ok", "store", "schema_version",
/// "schema_current", "stores_checked", "tables_checked", "unsecured_tables", "roles",
/// "references_checked", "orphans"}` (free it with `hk_string_free`); a report with
/// `"ok": false` is still `HK_OK`. Errors as for `hk_admin_install`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn hk_admin_check(
    admin_url: *const c_char,
    store_id: *const c_char,
    check_json_out: *mut *mut c_char,
    error_out: *mut *mut c_char,
) -> hk_result {
    let body = || {
        // SAFETY: NULL or NUL-terminated (contract above).
        let url = unsafe { text(admin_url, "admin_url") }?;
        // SAFETY: as above; NULL means every store.
        let store = unsafe { optional_text(store_id, "store_id") }?;
        let out = Out::new(check_json_out, "check_json_out")?;
        out.set_string(crate::wire::to_json(&crate::admin::check(url, store)?));
        Ok(())
    };
    // SAFETY: `error_out` is NULL or writable (contract above).
    unsafe { without_engine(error_out, body) }
}

/// Leases to `mailer` (1 to 200 bytes) at most `limit` (1 to 10,000) stores of the
/// database at `url` (the engine role's connection string) that have due work at `now_ms`
/// and that no other mailer holds, until `now_ms + lease_seconds` (H3). On success
/// `*leases_json_out` receives a JSON array of leases, each
/// `{"store", "store_key", "mailer", "leased_until"}` (free it with `hk_string_free`): open
/// each with `hk_engine_open_url(url, store, …)`, claim and ack, then
/// `hk_lease_release`. Errors as for `hk_admin_install`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn hk_lease_stores(
    url: *const c_char,
    mailer: *const c_char,
    now_ms: i64,
    limit: u32,
    lease_seconds: u32,
    leases_json_out: *mut *mut c_char,
    error_out: *mut *mut c_char,
) -> hk_result {
    let body = || {
        // SAFETY: both are NULL or NUL-terminated (contract above).
        let url = unsafe { text(url, "url") }?;
        // SAFETY: as above.
        let mailer = unsafe { text(mailer, "mailer") }?;
        let out = Out::new(leases_json_out, "leases_json_out")?;
        let leases = crate::mailers::lease_stores(url, mailer, now(now_ms)?, limit, lease_seconds)?;
        out.set_string(crate::wire::to_json(&leases));
        Ok(())
    };
    // SAFETY: `error_out` is NULL or writable (contract above).
    unsafe { without_engine(error_out, body) }
}

/// Extends the lease `lease_json` (one element of `hk_lease_stores`'s array) to
/// `now_ms + lease_seconds`; `*lease_json_out` receives the renewed lease. A lease that ran out or
/// that another mailer took is `HK_RESULT_CONFLICT`: stop working the store.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn hk_lease_renew(
    url: *const c_char,
    lease_json: *const c_char,
    now_ms: i64,
    lease_seconds: u32,
    lease_json_out: *mut *mut c_char,
    error_out: *mut *mut c_char,
) -> hk_result {
    let body = || {
        // SAFETY: both are NULL or NUL-terminated (contract above).
        let url = unsafe { text(url, "url") }?;
        // SAFETY: as above.
        let lease = crate::wire::parse_store_lease(unsafe { text(lease_json, "lease_json") }?)?;
        let out = Out::new(lease_json_out, "lease_json_out")?;
        let renewed = crate::mailers::renew_store_lease(url, &lease, now(now_ms)?, lease_seconds)?;
        out.set_string(crate::wire::to_json(&renewed));
        Ok(())
    };
    // SAFETY: `error_out` is NULL or writable (contract above).
    unsafe { without_engine(error_out, body) }
}

/// Gives the store of `lease_json` back at once; `*released_out` is 1 when the lease
/// still held it, 0 when it had run out and another mailer took it (nothing changed).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn hk_lease_release(
    url: *const c_char,
    lease_json: *const c_char,
    released_out: *mut u32,
    error_out: *mut *mut c_char,
) -> hk_result {
    let body = || {
        // SAFETY: both are NULL or NUL-terminated (contract above).
        let url = unsafe { text(url, "url") }?;
        // SAFETY: as above.
        let lease = crate::wire::parse_store_lease(unsafe { text(lease_json, "lease_json") }?)?;
        let out = Out::new(released_out, "released_out")?;
        out.set(u32::from(crate::mailers::release_store_lease(url, &lease)?));
        Ok(())
    };
    // SAFETY: `error_out` is NULL or writable (contract above).
    unsafe { without_engine(error_out, body) }
}
