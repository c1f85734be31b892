//! The event log (D1) on PostgreSQL (mirrors `store/sqlite/events.rs`): events numbered
//! after the last number given (the newest event's, or `event_meta.last_seq` kept by a
//! prune), read and used under the store's advisory lock that every write transaction
//! holds, so numbers are gap-free in commit order and never given twice.

use crate::error::Result;
use crate::hosted::p;
use crate::store::{NewEvent, StoredEvent};

use super::{PgTx, get};

impl crate::store::EventStore for PgTx<'_> {
    fn insert_events(&mut self, events: &[NewEvent]) -> Result<bool> {
        if events.is_empty() {
            return Ok(false);
        }
        // One statement for the slice, numbered after the last number given, which also
        // says whether any webhook subscription is active (no second round trip).
        let row = self.query_one(
            "WITH counter AS (
               SELECT greatest(
                 coalesce((SELECT max(seq) FROM events WHERE store_id = $1), 0),
                 last_seq) AS base
               FROM event_meta WHERE store_id = $1 AND id = 1)
             , appended AS (
               INSERT INTO events (store_id, seq, type, at, data)
               SELECT $1, counter.base + u.ord, u.type, u.at, u.data
               FROM counter, unnest($2::text[], $3::bigint[], $4::text[])
                 WITH ORDINALITY AS u (type, at, data, ord))
             SELECT EXISTS (SELECT 1 FROM webhook_subscriptions
                            WHERE store_id = $1 AND status = 'active')",
            vec![
                p(events
                    .iter()
                    .map(|e| e.kind.to_owned())
                    .collect::<Vec<String>>()),
                p(events.iter().map(|e| e.at_ms).collect::<Vec<i64>>()),
                p(events
                    .iter()
                    .map(|e| e.data.clone())
                    .collect::<Vec<String>>()),
            ],
        )?;
        get(&row, 0)
    }

    fn events_after(&mut self, after: i64, limit: u32) -> Result<Vec<StoredEvent>> {
        let rows = self.query(
            "SELECT seq, type, at, data FROM events
             WHERE store_id = $1 AND seq > $2 ORDER BY seq LIMIT $3",
            vec![p(after), p(i64::from(limit))],
        )?;
        rows.iter()
            .map(|r| {
                Ok(StoredEvent {
                    seq: get(r, 0)?,
                    kind: get(r, 1)?,
                    at_ms: get(r, 2)?,
                    data: get(r, 3)?,
                })
            })
            .collect()
    }

    fn event_bounds(&mut self) -> Result<(Option<i64>, i64)> {
        let row = self.query_one(
            "SELECT (SELECT min(seq) FROM events WHERE store_id = $1),
               greatest(coalesce((SELECT max(seq) FROM events WHERE store_id = $1), 0),
                        last_seq)
             FROM event_meta WHERE store_id = $1 AND id = 1",
            vec![],
        )?;
        Ok((get(&row, 0)?, get(&row, 1)?))
    }

    fn oldest_events(&mut self, limit: u32) -> Result<Vec<(i64, i64)>> {
        let rows = self.query(
            "SELECT seq, at FROM events WHERE store_id = $1 ORDER BY seq LIMIT $2",
            vec![p(i64::from(limit))],
        )?;
        rows.iter().map(|r| Ok((get(r, 0)?, get(r, 1)?))).collect()
    }

    fn delete_events_through(&mut self, seq: i64) -> Result<u32> {
        // The last number given is kept first: the newest event may be among those deleted.
        self.execute(
            "UPDATE event_meta
             SET last_seq = greatest(last_seq,
               coalesce((SELECT max(seq) FROM events WHERE store_id = $1), 0))
             WHERE store_id = $1 AND id = 1",
            vec![],
        )?;
        let n = self.execute(
            "DELETE FROM events WHERE store_id = $1 AND seq <= $2",
            vec![p(seq)],
        )?;
        Ok(u32::try_from(n).unwrap_or(u32::MAX))
    }

    fn incarnation(&mut self) -> Result<String> {
        let row = self.query_one(
            "SELECT incarnation FROM event_meta WHERE store_id = $1 AND id = 1",
            vec![],
        )?;
        get(&row, 0)
    }

    fn renew_incarnation(&mut self) -> Result<String> {
        let value = crate::store::new_incarnation()?;
        self.execute(
            "UPDATE event_meta SET incarnation = $2 WHERE store_id = $1 AND id = 1",
            vec![p(value.clone())],
        )?;
        Ok(value)
    }
}
