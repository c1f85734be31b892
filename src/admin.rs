//! Administration of hosted mode's PostgreSQL database (H5, H7): what a vendor's admin
//! runs, never the engine. Every call takes the admin role's connection string (the role
//! that owns the tables; the engine's role owns nothing) and is the same in every door:
//! Rust here, C `hk_admin_*`, uniffi `admin_*`, the CLI's `hearken admin`.
//!
//! A library built without the cargo feature `hosted` (the default) answers each call with
//! [`Error::Unsupported`]: it carries no PostgreSQL client.

use crate::error::{Error, Problem, Result};

/// The engine's role the schema's grants and policies are made for when none is named.
pub const DEFAULT_ENGINE_ROLE: &str = "hearken_engine";

/// The longest store id, in bytes.
pub const MAX_STORE_ID_BYTES: usize = 200;

#[cfg(not(feature = "hosted"))]
const NOT_BUILT: &str = "this build of hearken has no hosted mode (PostgreSQL): it was built without the cargo feature `hosted`";

/// Checks a store's text id: 1 to [`MAX_STORE_ID_BYTES`] bytes, no control characters,
/// no leading or trailing space. The error names `store_id`, never repeats the value.
pub fn check_store_id(store_id: &str) -> Result<()> {
    let reason = if store_id.is_empty() {
        Some("is empty")
    } else if store_id.len() > MAX_STORE_ID_BYTES {
        Some("is longer than 200 bytes")
    } else if store_id.chars().any(char::is_control) {
        Some("holds a control character")
    } else if store_id.trim() != store_id {
        Some("starts or ends with a space")
    } else {
        None
    };
    match reason {
        Some(reason) => Err(Error::Invalid(vec![Problem::top(
            "arguments",
            "store_id",
            reason,
        )])),
        None => Ok(()),
    }
}

/// Installs the schema, or migrates it to this library's version, then the row-level
/// security, policies and grants for `engine_role` (which must exist, and may be neither
/// a superuser nor bypass row-level security). Idempotent and safe from several processes
/// at once. Returns the schema version now installed.
pub fn install(admin_url: &str, engine_role: &str) -> Result<i64> {
    #[cfg(feature = "hosted")]
    {
        let installed = crate::hosted::schema::install_for_role(admin_url, engine_role)?;
        Ok(i64::from(installed.version))
    }
    #[cfg(not(feature = "hosted"))]
    {
        let _ = (admin_url, engine_role);
        Err(Error::Unsupported(NOT_BUILT))
    }
}

/// Creates the store `store_id` (the vendor's text id) with its own random secrets.
pub fn create_store(admin_url: &str, store_id: &str) -> Result<()> {
    check_store_id(store_id)?;
    #[cfg(feature = "hosted")]
    {
        let admin = crate::hosted::PgClient::connect(admin_url)?;
        crate::hosted::schema::create_store(&admin, store_id).map(|_| ())
    }
    #[cfg(not(feature = "hosted"))]
    {
        let _ = admin_url;
        Err(Error::Unsupported(NOT_BUILT))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn store_ids_are_checked_by_name_without_their_value() {
        assert!(check_store_id("store-0042").is_ok());
        for bad in ["", " x", "x ", "a\u{7}b", &"x".repeat(201)] {
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
    }
}
