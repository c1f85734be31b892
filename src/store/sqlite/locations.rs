use std::collections::BTreeSet;

use chrono::NaiveDate;
use rusqlite::{Connection, OptionalExtension, params};

use super::StoredDate;
use crate::error::Result;
use crate::model::Location;
use crate::store::locations::LocationRow;

fn row_to_location(r: &rusqlite::Row<'_>) -> rusqlite::Result<LocationRow> {
    Ok(LocationRow {
        rowid: r.get(0)?,
        location: Location {
            id: r.get(1)?,
            name: r.get(2)?,
            time_zone: r.get(3)?,
            enabled: r.get(4)?,
            review_link: r.get(5)?,
            business_type: r.get(6)?,
        },
    })
}

const LOCATION_COLUMNS: &str = "id, host_id, name, time_zone, enabled, review_link, business_type";

/// One location by row id.
pub fn location_by_rowid(conn: &Connection, rowid: i64) -> Result<Option<LocationRow>> {
    Ok(conn
        .prepare_cached(&format!(
            "SELECT {LOCATION_COLUMNS} FROM locations WHERE id = ?1"
        ))?
        .query_row([rowid], row_to_location)
        .optional()?)
}

/// One location by host id.
pub fn get_location(conn: &Connection, host_id: &str) -> Result<Option<LocationRow>> {
    Ok(conn
        .prepare_cached(&format!(
            "SELECT {LOCATION_COLUMNS} FROM locations WHERE host_id = ?1"
        ))?
        .query_row([host_id], row_to_location)
        .optional()?)
}

/// Every location, ordered by host id.
pub fn list_locations(conn: &Connection) -> Result<Vec<LocationRow>> {
    let mut stmt = conn.prepare_cached(&format!(
        "SELECT {LOCATION_COLUMNS} FROM locations ORDER BY host_id"
    ))?;
    let rows = stmt.query_map([], row_to_location)?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

/// Creates or updates a location by host id.
pub fn upsert_location(conn: &Connection, l: &Location) -> Result<()> {
    conn.prepare_cached(
        "INSERT INTO locations (host_id, name, time_zone, enabled, review_link, business_type)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6)
         ON CONFLICT (host_id) DO UPDATE SET name = excluded.name,
           time_zone = excluded.time_zone, enabled = excluded.enabled,
           review_link = excluded.review_link, business_type = excluded.business_type",
    )?
    .execute(params![
        l.id,
        l.name,
        l.time_zone,
        l.enabled,
        l.review_link,
        l.business_type
    ])?;
    Ok(())
}

/// How many locations send surveys.
pub fn count_enabled_locations(conn: &Connection) -> Result<i64> {
    Ok(conn
        .prepare_cached("SELECT count(*) FROM locations WHERE enabled")?
        .query_row([], |r| r.get(0))?)
}

/// Sets a location's enabled flag.
pub fn set_location_enabled(conn: &Connection, rowid: i64, enabled: bool) -> Result<()> {
    conn.prepare_cached("UPDATE locations SET enabled = ?2 WHERE id = ?1")?
        .execute(params![rowid, enabled])?;
    Ok(())
}

/// Business dates synced for a location on or after `since`.
pub fn synced_dates_since(
    conn: &Connection,
    location: i64,
    since: NaiveDate,
) -> Result<BTreeSet<NaiveDate>> {
    let mut stmt = conn.prepare_cached(
        "SELECT business_date FROM sync_dates WHERE location_id = ?1 AND business_date >= ?2",
    )?;
    let rows = stmt.query_map(params![location, since], |r| {
        Ok(r.get::<_, StoredDate>(0)?.0)
    })?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

/// Records business dates as synced (idempotent: the first record stays).
pub fn mark_dates_synced(
    conn: &Connection,
    location: i64,
    dates: &[NaiveDate],
    now_ms: i64,
    via: &str,
) -> Result<()> {
    let mut stmt = conn.prepare_cached(
        "INSERT OR IGNORE INTO sync_dates (location_id, business_date, synced_at, via)
         VALUES (?1, ?2, ?3, ?4)",
    )?;
    for d in dates {
        stmt.execute(params![location, d, now_ms, via])?;
    }
    Ok(())
}

impl crate::store::LocationStore for super::SqliteTx<'_> {
    fn location_by_rowid(&mut self, rowid: i64) -> Result<Option<LocationRow>> {
        location_by_rowid(self.conn, rowid)
    }

    fn get_location(&mut self, host_id: &str) -> Result<Option<LocationRow>> {
        get_location(self.conn, host_id)
    }

    fn list_locations(&mut self) -> Result<Vec<LocationRow>> {
        list_locations(self.conn)
    }

    fn upsert_location(&mut self, l: &Location) -> Result<()> {
        upsert_location(self.conn, l)
    }

    fn count_enabled_locations(&mut self) -> Result<i64> {
        count_enabled_locations(self.conn)
    }

    fn set_location_enabled(&mut self, rowid: i64, enabled: bool) -> Result<()> {
        set_location_enabled(self.conn, rowid, enabled)
    }

    fn synced_dates_since(
        &mut self,
        location: i64,
        since: NaiveDate,
    ) -> Result<BTreeSet<NaiveDate>> {
        synced_dates_since(self.conn, location, since)
    }

    fn mark_dates_synced(
        &mut self,
        location: i64,
        dates: &[NaiveDate],
        now_ms: i64,
        via: &str,
    ) -> Result<()> {
        mark_dates_synced(self.conn, location, dates, now_ms, via)
    }
}
