//! Mailer leases (H3, vendor-level): a vendor's fleet of mailer processes drains the
//! outboxes of many stores of one database, and no two mailers work one store at once.
//!
//! [`lease_stores`] picks stores with due work (what a claim or `run_due` would act on:
//! a pending message due at `now`, an in-flight one whose lease ran out, a ripe reminder
//! decision, an escalation, a delivered message to slim) that no mailer holds an
//! unexpired lease on, locking their rows of `store_leases` with `FOR UPDATE SKIP LOCKED`:
//! two mailers asking at once get different stores, neither waits for the other. A mailer
//! then opens each leased store (`Engine::open_store`), claims, delivers and acks, and
//! [`StoreLease::release`]s it (or [`StoreLease::renew`]s it while it works longer than the
//! lease). A mailer that dies lets its leases run out; another then takes the store.
//! Within a store the claims still run under the store's advisory lock, so even two
//! handles on one store never hand out one message twice: the lease spreads the work, the
//! lock keeps it exact.
//!
//! The calls run as the engine role (the engine's URL): the leasing functions of the
//! schema are `SECURITY DEFINER` (they run as the tables' owner, who bypasses row-level
//! security) and answer only store keys, text ids and lease times.

use std::fmt;
use std::time::Duration;

use chrono::{DateTime, Utc};

use super::client::{PgClient, p};
use crate::error::{Error, Problem, Result};
use crate::model::{AlertSettings, DeliverySettings, FeedbackSettings};
use crate::rules::time;

/// The longest a mailer's name may be (in bytes).
pub const MAX_MAILER_LEN: usize = 200;

/// The most stores one [`lease_stores`] call leases.
pub const MAX_LEASE_LIMIT: u32 = 10_000;

/// One store leased to one mailer until [`leased_until`](StoreLease::leased_until).
#[derive(Clone)]
pub struct StoreLease {
    client: PgClient,
    store: String,
    key: i64,
    mailer: String,
    leased_until_ms: i64,
}

impl fmt::Debug for StoreLease {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("StoreLease")
            .field("store", &self.store)
            .field("key", &self.key)
            .field("mailer", &self.mailer)
            .field("leased_until", &self.leased_until())
            .finish()
    }
}

impl StoreLease {
    /// The lease `lease` (as the doors hand it back) on the process's pool of `url`.
    pub fn from_record(url: &str, lease: &crate::model::LeasedStore) -> Result<StoreLease> {
        Ok(StoreLease {
            client: PgClient::connect(url)?,
            store: lease.store.clone(),
            key: lease.store_key,
            mailer: lease.mailer.clone(),
            leased_until_ms: time::ms(lease.leased_until),
        })
    }

    /// The lease as a plain record (what the C and uniffi doors hand out).
    pub fn to_record(&self) -> crate::model::LeasedStore {
        crate::model::LeasedStore {
            store: self.store.clone(),
            store_key: self.key,
            mailer: self.mailer.clone(),
            leased_until: self.leased_until(),
        }
    }

    /// The store's text id: what `StoreConfig::Postgres { store, .. }` opens.
    pub fn store(&self) -> &str {
        &self.store
    }

    /// The store's key (`stores.store_id`).
    pub fn key(&self) -> i64 {
        self.key
    }

    /// The mailer holding the lease.
    pub fn mailer(&self) -> &str {
        &self.mailer
    }

    /// When the lease runs out (by the mailers' clock: the `now` they pass).
    pub fn leased_until(&self) -> DateTime<Utc> {
        time::from_stored(self.leased_until_ms)
    }

    /// Extends the lease to `now + lease_for`. A lease that ran out by `now`, or that
    /// another mailer took since, is not renewed: [`Error::Conflict`] (stop working the
    /// store).
    pub fn renew(&mut self, now: DateTime<Utc>, lease_for: Duration) -> Result<()> {
        let now_ms = checked_now(now)?;
        let until = until(now_ms, lease_for)?;
        let renewed: bool = self.client.with_admin_transaction(|tx| {
            tx.query_one(
                "SELECT hearken_renew_store($1, $2, $3, $4, $5)",
                vec![
                    p(self.key),
                    p(self.mailer.clone()),
                    p(self.leased_until_ms),
                    p(now_ms),
                    p(until),
                ],
            )?
            .try_get(0)
            .map_err(|e| Error::Internal(format!("postgres: renewing a lease: {e}")))
        })?;
        if !renewed {
            return Err(Error::Conflict(format!(
                "the lease of store {} ran out or was taken by another mailer",
                self.key
            )));
        }
        self.leased_until_ms = until;
        Ok(())
    }

    /// Gives the store back at once, so any mailer may lease it again. Returns whether
    /// this lease still held it (`false`: it ran out and another mailer took it, or it was
    /// released before; nothing changed).
    pub fn release(self) -> Result<bool> {
        self.client.with_admin_transaction(|tx| {
            tx.query_one(
                "SELECT hearken_release_store($1, $2, $3)",
                vec![p(self.key), p(self.mailer.clone()), p(self.leased_until_ms)],
            )?
            .try_get(0)
            .map_err(|e| Error::Internal(format!("postgres: releasing a lease: {e}")))
        })
    }
}

fn invalid(field: &str, reason: &str) -> Error {
    Error::invalid(Problem::top("lease", field, reason))
}

fn checked_now(now: DateTime<Utc>) -> Result<i64> {
    time::check_instant(now, "lease", "now").map_err(Error::invalid)?;
    Ok(time::ms(now))
}

fn until(now_ms: i64, lease_for: Duration) -> Result<i64> {
    let ms = i64::try_from(lease_for.as_millis()).unwrap_or(i64::MAX);
    if ms < 1 {
        return Err(invalid(
            "lease_for",
            "a lease lasts at least one millisecond",
        ));
    }
    now_ms
        .checked_add(ms)
        .filter(|t| *t <= time::MAX_MS)
        .ok_or_else(|| {
            invalid(
                "lease_for",
                "the lease would end past the range of instants",
            )
        })
}

/// Leases to `mailer` at most `limit` stores of the database at `url` that have due work
/// at `now` and that no mailer holds an unexpired lease on (its own included: use
/// [`StoreLease::renew`] to keep one), until `now + lease_for`; the stores served longest
/// ago first. `url` is the engine's (its role may lease, nothing more); the process's
/// pool of that URL is shared with the engines.
pub fn lease_stores(
    url: &str,
    mailer: &str,
    now: DateTime<Utc>,
    limit: u32,
    lease_for: Duration,
) -> Result<Vec<StoreLease>> {
    lease_stores_with(&PgClient::connect(url)?, mailer, now, limit, lease_for)
}

/// [`lease_stores`] on a client already connected.
pub fn lease_stores_with(
    client: &PgClient,
    mailer: &str,
    now: DateTime<Utc>,
    limit: u32,
    lease_for: Duration,
) -> Result<Vec<StoreLease>> {
    if mailer.is_empty() || mailer.len() > MAX_MAILER_LEN || mailer.chars().any(char::is_control) {
        return Err(invalid(
            "mailer",
            "a mailer's name is 1 to 200 bytes without control characters",
        ));
    }
    if limit == 0 || limit > MAX_LEASE_LIMIT {
        return Err(invalid("limit", "between 1 and 10000 stores"));
    }
    let now_ms = checked_now(now)?;
    let until = until(now_ms, lease_for)?;
    let rows = client.with_admin_transaction(|tx| {
        tx.query(
            "SELECT lease_store, lease_text_id, lease_until \
             FROM hearken_lease_stores($1, $2, $3, $4, $5, $6, $7)",
            vec![
                p(mailer.to_owned()),
                p(now_ms),
                p(i32::try_from(limit).unwrap_or(i32::MAX)),
                p(until),
                p(i64::from(
                    FeedbackSettings::default().non_respondent_reminder_days,
                )),
                p(i64::from(AlertSettings::default().escalate_after_hours)),
                p(i64::from(
                    DeliverySettings::default().slim_delivered_after_days,
                )),
            ],
        )
    })?;
    let column = |e: tokio_postgres::Error| Error::Internal(format!("postgres: a lease row: {e}"));
    let mut leases = rows
        .iter()
        .map(|r| {
            Ok(StoreLease {
                client: client.clone(),
                key: r.try_get(0).map_err(column)?,
                store: r.try_get(1).map_err(column)?,
                mailer: mailer.to_owned(),
                leased_until_ms: r.try_get(2).map_err(column)?,
            })
        })
        .collect::<Result<Vec<_>>>()?;
    leases.sort_by_key(|l| l.key);
    Ok(leases)
}
