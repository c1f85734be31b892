//! Administration of hosted mode's PostgreSQL database (H5, H7): what a vendor's admin
//! runs, never the engine. Every call takes the admin role's connection string (the role
//! that owns the tables; the engine's role owns nothing) and is the same in every door:
//! Rust here, C `hk_admin_*`, uniffi `admin_*`, the CLI's `hearken admin`.
//!
//! A library built without the cargo feature `hosted` (the default) answers each call with
//! [`Error::Unsupported`]: it carries no PostgreSQL client.

use std::path::Path;

use crate::error::{Error, Problem, Result};
use crate::model::AdminCheck;

/// The engine's role the schema's grants and policies are made for when none is named.
pub const DEFAULT_ENGINE_ROLE: &str = "hearken_engine";

/// The longest store id, in characters.
pub const MAX_STORE_ID_CHARS: usize = 128;

#[cfg(not(feature = "hosted"))]
const NOT_BUILT: &str = "this build of hearken has no hosted mode (PostgreSQL): it was built without the cargo feature `hosted`";

/// Checks a store's text id as the directory of stores takes it: 1 to
/// [`MAX_STORE_ID_CHARS`] characters, none of them a control character. The error names
/// `store_id` (the field `store` of the record `admin`), never repeating the value.
pub fn check_store_id(store_id: &str) -> Result<()> {
    let n = store_id.chars().count();
    if n == 0 || n > MAX_STORE_ID_CHARS || store_id.chars().any(char::is_control) {
        return Err(Error::Invalid(vec![Problem::top(
            "admin",
            "store",
            "a store's text id (store_id) is 1 to 128 characters, none of them a control character",
        )]));
    }
    Ok(())
}

/// Runs `f` on an admin connection to `admin_url`, or answers `unsupported` in a build
/// without hosted mode.
#[cfg(feature = "hosted")]
fn with_admin<T>(admin_url: &str, f: impl FnOnce(&crate::hosted::Admin) -> Result<T>) -> Result<T> {
    f(&crate::hosted::Admin::connect(admin_url)?)
}

#[cfg(not(feature = "hosted"))]
fn with_admin<T>(admin_url: &str, f: impl FnOnce(&Unbuilt) -> Result<T>) -> Result<T> {
    let _ = (admin_url, f);
    Err(Error::Unsupported(NOT_BUILT))
}

/// Stands for the admin connection a build without hosted mode cannot make.
#[cfg(not(feature = "hosted"))]
struct Unbuilt;

#[cfg(not(feature = "hosted"))]
#[allow(clippy::unused_self)]
impl Unbuilt {
    fn install(&self, _: &str) -> Result<Installed> {
        Err(Error::Unsupported(NOT_BUILT))
    }
    fn migrate(&self) -> Result<Installed> {
        Err(Error::Unsupported(NOT_BUILT))
    }
    fn create_store(&self, _: &str) -> Result<i64> {
        Err(Error::Unsupported(NOT_BUILT))
    }
    fn list_stores(&self) -> Result<Vec<Entry>> {
        Err(Error::Unsupported(NOT_BUILT))
    }
    fn delete_store(&self, _: &str) -> Result<u64> {
        Err(Error::Unsupported(NOT_BUILT))
    }
    fn import_sqlite(&self, _: &Path, _: &str) -> Result<Imported> {
        Err(Error::Unsupported(NOT_BUILT))
    }
    fn export_sqlite(&self, _: &str, _: &Path) -> Result<u64> {
        Err(Error::Unsupported(NOT_BUILT))
    }
    fn check(&self, _: Option<&str>) -> Result<AdminCheck> {
        Err(Error::Unsupported(NOT_BUILT))
    }
}

#[cfg(not(feature = "hosted"))]
struct Installed {
    version: i32,
}

#[cfg(not(feature = "hosted"))]
struct Entry {
    text_id: String,
}

#[cfg(not(feature = "hosted"))]
struct Imported {
    rows: u64,
}

/// Installs the schema, or migrates it to this library's version, then the row-level
/// security, policies and grants for `engine_role` (which must exist, and may be neither
/// a superuser nor bypass row-level security). Idempotent and safe from several processes
/// at once, best run in a quiet moment (its DDL waits for running transactions). Returns
/// the schema version now installed.
pub fn install(admin_url: &str, engine_role: &str) -> Result<i64> {
    with_admin(admin_url, |a| {
        a.install(engine_role).map(|i| i64::from(i.version))
    })
}

/// Migrates the installed schema to this library's version, one step per version
/// (expand, then contract a version later); the version now installed.
pub fn migrate(admin_url: &str) -> Result<i64> {
    with_admin(admin_url, |a| a.migrate().map(|i| i64::from(i.version)))
}

/// Creates the store `store_id` (the vendor's text id) with its own random secrets; an id
/// already taken is [`Error::Conflict`].
pub fn create_store(admin_url: &str, store_id: &str) -> Result<()> {
    check_store_id(store_id)?;
    with_admin(admin_url, |a| a.create_store(store_id).map(|_| ()))
}

/// The text ids of every store, in order.
pub fn list_stores(admin_url: &str) -> Result<Vec<String>> {
    with_admin(admin_url, |a| {
        Ok(a.list_stores()?.into_iter().map(|e| e.text_id).collect())
    })
}

/// Deletes the store `store_id` and every row of it, in one transaction (H7: a vendor's
/// customer leaves); the rows deleted. An unknown store is [`Error::NotFound`].
pub fn delete_store(admin_url: &str, store_id: &str) -> Result<u64> {
    check_store_id(store_id)?;
    with_admin(admin_url, |a| a.delete_store(store_id))
}

/// Imports the SQLite store file at `path` (any schema version hearken opens; the file is
/// only read) into a new store `store_id`, same ids and secrets, in one transaction (H7);
/// the rows copied. An id already taken is [`Error::Conflict`].
pub fn import_sqlite(admin_url: &str, path: &Path, store_id: &str) -> Result<u64> {
    check_store_id(store_id)?;
    with_admin(admin_url, |a| {
        a.import_sqlite(path, store_id).map(|i| i.rows)
    })
}

/// Writes the store `store_id` to a new SQLite store file at `path` (refused if the file
/// exists; written to a temporary file and renamed into place) that gives the same dump
/// and answers (H7); the rows copied.
pub fn export_sqlite(admin_url: &str, store_id: &str, path: &Path) -> Result<u64> {
    check_store_id(store_id)?;
    with_admin(admin_url, |a| a.export_sqlite(store_id, path))
}

/// Checks the hosted database (every store, or only `store_id`'s rows) and changes
/// nothing (H2, H5): the schema version and whether it is this library's; row-level
/// security enabled and forced, with its store policy, on every store table; every role
/// granted the store tables (the engine's) owning nothing and neither a superuser nor
/// bypassing row-level security; and the references the PostgreSQL schema does not
/// enforce (eight foreign keys dropped for speed, and each store table's store id to the
/// directory), as orphan counts per store, table and column, never a row value.
/// [`AdminCheck::ok`] is true only when nothing was found. An unknown store is
/// [`Error::NotFound`]. Run it after an import or a manual repair, and now and then.
pub fn check(admin_url: &str, store_id: Option<&str>) -> Result<AdminCheck> {
    if let Some(id) = store_id {
        check_store_id(id)?;
    }
    with_admin(admin_url, |a| a.check(store_id))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn store_ids_are_checked_by_name_without_their_value() {
        assert!(check_store_id("store-0042").is_ok());
        assert!(check_store_id(&"é".repeat(128)).is_ok());
        for bad in ["", "a\u{7}b", &"x".repeat(129)] {
            let e = check_store_id(bad).unwrap_err();
            assert_eq!(e.kind(), crate::ErrorKind::InvalidInput);
            assert!(e.to_string().contains("store_id"), "{e}");
        }
    }

    #[cfg(not(feature = "hosted"))]
    #[test]
    fn without_hosted_mode_every_call_is_unsupported() {
        let url = "postgres://admin:pw@127.0.0.1/db";
        assert_eq!(
            install(url, DEFAULT_ENGINE_ROLE).unwrap_err().kind(),
            crate::ErrorKind::Unsupported
        );
        assert_eq!(
            create_store(url, "s1").unwrap_err().kind(),
            crate::ErrorKind::Unsupported
        );
        assert_eq!(
            check(url, None).unwrap_err().kind(),
            crate::ErrorKind::Unsupported
        );
    }
}
