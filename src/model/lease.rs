use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

/// One store of a hosted database leased to one mailer (H3): while the lease holds, no
/// other mailer leases the store, so a fleet of mailers shares thousands of stores and
/// never drains one twice at once. Returned by `hearken::mailers::lease_stores`; handed
/// back to renew or release it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
#[serde(deny_unknown_fields)]
pub struct LeasedStore {
    /// The store's text id: open it with `Engine::open_url(url, store)`.
    pub store: String,
    /// The store's key in the database (identifies the lease with `mailer` and
    /// `leased_until`).
    pub store_key: i64,
    /// The mailer that holds the lease.
    pub mailer: String,
    /// When the lease runs out, unless renewed.
    #[serde(with = "crate::wire::time::utc")]
    pub leased_until: DateTime<Utc>,
}
