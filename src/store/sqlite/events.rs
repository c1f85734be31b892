//! The event log (D1): events numbered from the last number given, and the store's
//! incarnation.
//!
//! The last number given is the newest event's, or `event_meta.last_seq` once events were
//! pruned (a prune writes the newest number it deletes there first), whichever is higher:
//! a number is never given twice, and a write transaction adds one page (the events'),
//! not a second one for a counter row.

use rusqlite::{Connection, params};

use crate::error::Result;
use crate::store::{NewEvent, StoredEvent};

/// The last number given (the newest event's, or the one a prune kept) and whether any
/// webhook subscription is active, in one statement.
fn last_seq(conn: &Connection) -> Result<(i64, bool)> {
    Ok(conn
        .prepare_cached(
            "SELECT max(coalesce((SELECT max(seq) FROM events), 0), last_seq),
               EXISTS (SELECT 1 FROM webhook_subscriptions WHERE status = 'active')
             FROM event_meta WHERE id = 1",
        )?
        .query_row([], |r| Ok((r.get(0)?, r.get(1)?)))?)
}

/// Appends `events`, numbered after the last number given, in this transaction; returns
/// whether any webhook subscription is active.
pub fn insert_events(conn: &Connection, events: &[NewEvent]) -> Result<bool> {
    if events.is_empty() {
        return Ok(false);
    }
    let (last, webhooks) = last_seq(conn)?;
    let mut stmt =
        conn.prepare_cached("INSERT INTO events (seq, type, at, data) VALUES (?1, ?2, ?3, ?4)")?;
    for (seq, e) in (last + 1..).zip(events) {
        stmt.execute(params![seq, e.kind, e.at_ms, e.data])?;
    }
    Ok(webhooks)
}

/// Up to `limit` events numbered above `after`, in order.
pub fn events_after(conn: &Connection, after: i64, limit: u32) -> Result<Vec<StoredEvent>> {
    let mut stmt = conn.prepare_cached(
        "SELECT seq, type, at, data FROM events WHERE seq > ?1 ORDER BY seq LIMIT ?2",
    )?;
    let rows = stmt.query_map(params![after, limit], |r| {
        Ok(StoredEvent {
            seq: r.get(0)?,
            kind: r.get(1)?,
            at_ms: r.get(2)?,
            data: r.get(3)?,
        })
    })?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

/// The oldest event's number, if any, and the last number given.
pub fn event_bounds(conn: &Connection) -> Result<(Option<i64>, i64)> {
    let oldest = conn
        .prepare_cached("SELECT min(seq) FROM events")?
        .query_row([], |r| r.get(0))?;
    Ok((oldest, last_seq(conn)?.0))
}

/// The number and time of up to `limit` oldest events.
pub fn oldest_events(conn: &Connection, limit: u32) -> Result<Vec<(i64, i64)>> {
    let mut stmt =
        conn.prepare_cached("SELECT seq, at FROM events WHERE seq > 0 ORDER BY seq LIMIT ?1")?;
    let rows = stmt.query_map([limit], |r| Ok((r.get(0)?, r.get(1)?)))?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

/// Deletes the events numbered `seq` or below, keeping the last number given in
/// `event_meta` first (the newest event may be among them).
pub fn delete_events_through(conn: &Connection, seq: i64) -> Result<u32> {
    conn.prepare_cached(
        "UPDATE event_meta SET last_seq = max(last_seq, (SELECT max(seq) FROM events))
         WHERE id = 1",
    )?
    .execute([])?;
    let n = conn
        .prepare_cached("DELETE FROM events WHERE seq <= ?1")?
        .execute([seq])?;
    Ok(u32::try_from(n).unwrap_or(u32::MAX))
}

/// The store's incarnation.
pub fn incarnation(conn: &Connection) -> Result<String> {
    Ok(conn
        .prepare_cached("SELECT incarnation FROM event_meta WHERE id = 1")?
        .query_row([], |r| r.get(0))?)
}

/// Sets a new incarnation `value`.
pub fn set_incarnation(conn: &Connection, value: &str) -> Result<()> {
    conn.prepare_cached("UPDATE event_meta SET incarnation = ?1 WHERE id = 1")?
        .execute([value])?;
    Ok(())
}

impl crate::store::EventStore for super::SqliteTx<'_> {
    fn insert_events(&mut self, events: &[NewEvent]) -> Result<bool> {
        insert_events(self.conn, events)
    }

    fn events_after(&mut self, after: i64, limit: u32) -> Result<Vec<StoredEvent>> {
        events_after(self.conn, after, limit)
    }

    fn event_bounds(&mut self) -> Result<(Option<i64>, i64)> {
        event_bounds(self.conn)
    }

    fn oldest_events(&mut self, limit: u32) -> Result<Vec<(i64, i64)>> {
        oldest_events(self.conn, limit)
    }

    fn delete_events_through(&mut self, seq: i64) -> Result<u32> {
        delete_events_through(self.conn, seq)
    }

    fn incarnation(&mut self) -> Result<String> {
        incarnation(self.conn)
    }

    fn renew_incarnation(&mut self) -> Result<String> {
        let value = crate::store::new_incarnation()?;
        set_incarnation(self.conn, &value)?;
        Ok(value)
    }
}
