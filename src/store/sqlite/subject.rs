//! The data-subject area on SQLite (D6, D7): a customer's live messages, cancelling them.

use chrono::NaiveDate;
use rusqlite::{Connection, params};

use crate::error::{Error, Result};
use crate::model::{MessageKind, MessageStatus};
use crate::store::subject::LiveMessage;

fn bad(what: &str) -> Error {
    Error::Internal(format!("a stored message has an unknown {what}"))
}

/// The pending and in-flight messages to customer row `customer`, by due time then id.
/// Each half reads its queue's partial index (the outbox has no index by customer: the
/// waiting messages are few, the delivered history is not read).
pub fn live_messages(conn: &Connection, customer: i64) -> Result<Vec<LiveMessage>> {
    let mut out = Vec::new();
    for sql in [
        "SELECT message_id, kind, invitation_id, due_at, status
         FROM outbox INDEXED BY outbox_claim
         WHERE status = 'pending' AND customer_id = ?1",
        "SELECT message_id, kind, invitation_id, due_at, status
         FROM outbox INDEXED BY outbox_lease
         WHERE status = 'in_flight' AND customer_id = ?1",
    ] {
        let mut stmt = conn.prepare_cached(sql)?;
        let rows = stmt.query_map([customer], |r| {
            Ok((
                r.get::<_, String>(0)?,
                r.get::<_, String>(1)?,
                r.get::<_, Option<i64>>(2)?,
                r.get::<_, i64>(3)?,
                r.get::<_, String>(4)?,
            ))
        })?;
        for row in rows {
            let (message_id, kind, invitation, due_at_ms, status) = row?;
            out.push(LiveMessage {
                message_id,
                kind: MessageKind::parse(&kind).ok_or_else(|| bad("kind"))?,
                invitation,
                due_at_ms,
                status: MessageStatus::parse(&status).ok_or_else(|| bad("status"))?,
            });
        }
    }
    out.sort_by(|a, b| (a.due_at_ms, &a.message_id).cmp(&(b.due_at_ms, &b.message_id)));
    Ok(out)
}

/// D7: cancels the pending messages of customer row `customer`'s invitations, releases the
/// invitations left without a live message (E4) and marks their decisions.
pub fn cancel_customer_messages(
    conn: &Connection,
    customer: i64,
    reason: &str,
    on: NaiveDate,
    now_ms: i64,
) -> Result<Vec<String>> {
    let found: Vec<(i64, String, i64)> = conn
        .prepare_cached(
            "SELECT o.id, o.message_id, o.invitation_id
             FROM invitations i JOIN outbox o ON o.invitation_id = i.id
             WHERE i.customer_id = ?1 AND o.status = 'pending'
             ORDER BY o.id",
        )?
        .query_map([customer], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))?
        .collect::<rusqlite::Result<_>>()?;
    let mut cancel = conn.prepare_cached(
        "UPDATE outbox SET status = 'cancelled', lease_until = NULL, cancel_reason = ?2,
           updated_at = ?3
         WHERE id = ?1 AND status = 'pending'",
    )?;
    for (rowid, _, _) in &found {
        cancel.execute(params![rowid, reason, now_ms])?;
    }
    let mut invitations: Vec<i64> = found.iter().map(|f| f.2).collect();
    invitations.sort_unstable();
    invitations.dedup();
    let mut release = conn.prepare_cached(
        "UPDATE invitations SET status = 'cancelled' WHERE id = ?1 AND status = 'pending'
           AND NOT EXISTS (SELECT 1 FROM outbox WHERE invitation_id = ?1
                           AND status IN ('pending', 'in_flight', 'acked'))",
    )?;
    let mut mark = conn.prepare_cached(
        "UPDATE decisions SET cancelled_on = ?2, cancel_reason = ?3
         WHERE transaction_id = (SELECT transaction_id FROM invitations WHERE id = ?1)
           AND cancelled_on IS NULL",
    )?;
    for inv in invitations {
        if release.execute([inv])? > 0 {
            mark.execute(params![inv, on, reason])?;
        }
    }
    Ok(found.into_iter().map(|f| f.1).collect())
}

impl crate::store::SubjectStore for super::SqliteTx<'_> {
    fn live_messages(&mut self, customer: i64) -> Result<Vec<LiveMessage>> {
        live_messages(self.conn, customer)
    }

    fn cancel_customer_messages(
        &mut self,
        customer: i64,
        reason: &str,
        on: NaiveDate,
        now_ms: i64,
    ) -> Result<Vec<String>> {
        cancel_customer_messages(self.conn, customer, reason, on, now_ms)
    }
}
