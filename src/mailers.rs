//! Leasing stores to a fleet of mailers (hosted mode, H3): a vendor-level call that hands
//! a mailer stores with due work (a message due, a delivery lease run out, a ripe
//! reminder, an escalation, a delivered message to slim) that no other mailer holds, with
//! `FOR UPDATE SKIP LOCKED`, so N mailer processes share thousands of stores and never
//! drain one store at once. The same calls in every door: Rust here, C `hk_lease_*`,
//! uniffi `lease_stores`, `renew_store_lease`, `release_store_lease`.
//!
//! A mailer's loop: lease a few stores; for each, `Engine::open_url(url, &lease.store)`,
//! claim, deliver, ack; release the store (or renew it while it works longer than the
//! lease). A mailer that dies lets its leases run out and another takes the stores.
//!
//! `url` is the engine role's connection string (the role may lease, nothing more). A
//! library built without the cargo feature `hosted` answers [`Error::Unsupported`].

use chrono::{DateTime, Utc};

use crate::error::{Error, Problem, Result};
use crate::model::LeasedStore;

#[cfg(not(feature = "hosted"))]
const NOT_BUILT: &str = "this build of hearken has no hosted mode (PostgreSQL): it was built without the cargo feature `hosted`";

fn lease_for(lease_seconds: u32) -> Result<std::time::Duration> {
    if lease_seconds == 0 {
        return Err(Error::invalid(Problem::top(
            "lease",
            "lease_seconds",
            "a lease lasts at least one second",
        )));
    }
    Ok(std::time::Duration::from_secs(u64::from(lease_seconds)))
}

/// Leases to `mailer` (its name: 1 to 200 bytes) at most `limit` (1 to 10,000) stores of
/// the database at `url` that have due work at `now` and that no mailer holds, until
/// `now + lease_seconds`; the stores served longest ago first.
pub fn lease_stores(
    url: &str,
    mailer: &str,
    now: DateTime<Utc>,
    limit: u32,
    lease_seconds: u32,
) -> Result<Vec<LeasedStore>> {
    let lease_for = lease_for(lease_seconds)?;
    #[cfg(feature = "hosted")]
    {
        let leases = crate::hosted::lease_stores(url, mailer, now, limit, lease_for)?;
        Ok(leases
            .iter()
            .map(crate::hosted::StoreLease::to_record)
            .collect())
    }
    #[cfg(not(feature = "hosted"))]
    {
        let _ = (url, mailer, now, limit, lease_for);
        Err(Error::Unsupported(NOT_BUILT))
    }
}

/// Extends `lease` to `now + lease_seconds`; the renewed lease. A lease that ran out by
/// `now`, or that another mailer took since, is [`Error::Conflict`]: stop working the store.
pub fn renew_store_lease(
    url: &str,
    lease: &LeasedStore,
    now: DateTime<Utc>,
    lease_seconds: u32,
) -> Result<LeasedStore> {
    let lease_for = lease_for(lease_seconds)?;
    #[cfg(feature = "hosted")]
    {
        let mut held = crate::hosted::StoreLease::from_record(url, lease)?;
        held.renew(now, lease_for)?;
        Ok(held.to_record())
    }
    #[cfg(not(feature = "hosted"))]
    {
        let _ = (url, lease, now, lease_for);
        Err(Error::Unsupported(NOT_BUILT))
    }
}

/// Gives the store back at once, so any mailer may lease it again. Whether `lease` still
/// held it (`false`: it ran out and another mailer took it, or it was released before;
/// nothing changed).
pub fn release_store_lease(url: &str, lease: &LeasedStore) -> Result<bool> {
    #[cfg(feature = "hosted")]
    {
        crate::hosted::StoreLease::from_record(url, lease)?.release()
    }
    #[cfg(not(feature = "hosted"))]
    {
        let _ = (url, lease);
        Err(Error::Unsupported(NOT_BUILT))
    }
}
