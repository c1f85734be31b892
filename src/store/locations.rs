//! The locations area of the storage seam: its trait and the rows it speaks.

use crate::error::Result;
use crate::model::Location;
use chrono::NaiveDate;
use std::collections::BTreeSet;

/// A stored location with its row id.
#[derive(Debug, Clone)]
pub struct LocationRow {
    /// Row id.
    pub rowid: i64,
    /// The location as the host defined it.
    pub location: Location,
}

/// The locations a store keeps (mirrors `store/sqlite/locations.rs`).
pub trait LocationStore {
    /// One location by row id.
    fn location_by_rowid(&mut self, rowid: i64) -> Result<Option<LocationRow>>;

    /// One location by host id.
    fn get_location(&mut self, host_id: &str) -> Result<Option<LocationRow>>;

    /// Every location, ordered by host id.
    fn list_locations(&mut self) -> Result<Vec<LocationRow>>;

    /// Creates or updates a location by host id.
    fn upsert_location(&mut self, l: &Location) -> Result<()>;

    /// How many locations send surveys.
    fn count_enabled_locations(&mut self) -> Result<i64>;

    /// Sets a location's enabled flag.
    fn set_location_enabled(&mut self, rowid: i64, enabled: bool) -> Result<()>;

    /// Business dates synced for a location on or after `since`.
    fn synced_dates_since(
        &mut self,
        location: i64,
        since: NaiveDate,
    ) -> Result<BTreeSet<NaiveDate>>;

    /// Records business dates as synced (idempotent: the first record stays).
    fn mark_dates_synced(
        &mut self,
        location: i64,
        dates: &[NaiveDate],
        now_ms: i64,
        via: &str,
    ) -> Result<()>;
}
