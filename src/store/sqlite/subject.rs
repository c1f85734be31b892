//! The data-subject area on SQLite (D6, D7): a customer's live messages, cancelling them.

use chrono::NaiveDate;
use rusqlite::{Connection, OptionalExtension, params};

use crate::error::{Error, Result};
use crate::model::{MessageKind, MessageStatus};
use crate::store::subject::{
    ContactSuppression, LiveMessage, RetentionWindow, SUBJECT_TABLES, SubjectRow, Via,
};

fn bad(what: &str) -> Error {
    Error::Internal(format!("a stored message has an unknown {what}"))
}

/// The pending and in-flight messages to customer row `customer`, by due time then id.
/// Read through the customer's invitations, then the outbox's index of the customer's
/// other messages (schema 14).
pub fn live_messages(conn: &Connection, customer: i64) -> Result<Vec<LiveMessage>> {
    let mut out = Vec::new();
    for sql in [
        "SELECT o.message_id, o.kind, o.invitation_id, o.due_at, o.status
         FROM invitations i JOIN outbox o ON o.invitation_id = i.id
         WHERE i.customer_id = ?1 AND (o.status = 'pending' OR o.status = 'in_flight')",
        "SELECT message_id, kind, invitation_id, due_at, status FROM outbox
         WHERE customer_id = ?1 AND invitation_id IS NULL
           AND (status = 'pending' OR status = 'in_flight')",
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
            super::person_latest::recount(conn, inv)?;
            mark.execute(params![inv, on, reason])?;
        }
    }
    Ok(found.into_iter().map(|f| f.1).collect())
}

/// The filter of table `table`'s rows about customer row `?1`, and whether it reads the
/// host id too (as `?2`; alone, as `?1`).
fn filter(table: &str, via: Via) -> (&'static str, bool) {
    match via {
        Via::Own => ("id = ?1", false),
        // Transactions are indexed by customer within their 30-day period (schema 19).
        Via::Customer if table == "transactions" => {
            (customer_transactions!("transactions", "?1"), false)
        }
        Via::Customer => ("customer_id = ?1", false),
        // An invitation's messages through the customer's invitations; the others through
        // the outbox's partial index by customer (schema 14).
        Via::Messages => (
            "(invitation_id IN (SELECT id FROM invitations WHERE customer_id = ?1)
              OR (customer_id = ?1 AND invitation_id IS NULL))",
            false,
        ),
        Via::Transactions => (
            concat!(
                "transaction_id IN (SELECT id FROM transactions t WHERE ",
                customer_transactions!("t", "?1"),
                ")"
            ),
            false,
        ),
        Via::Responses => (
            "response_id IN (SELECT id FROM responses WHERE customer_id = ?1)",
            false,
        ),
        Via::Alerts => (
            "alert_id IN (SELECT id FROM alerts WHERE customer_id = ?1)",
            false,
        ),
        Via::HostId => ("customer = ?1", true),
        Via::Suppressions => (
            "(kind = 'customer' AND value = ?2) OR customer_id = ?1",
            true,
        ),
    }
}

/// D6: every row about customer row `customer`, table by table ([`SUBJECT_TABLES`]).
pub fn subject_rows(conn: &Connection, customer: i64, host_id: &str) -> Result<Vec<SubjectRow>> {
    let mut out = Vec::new();
    for t in SUBJECT_TABLES {
        let object: Vec<String> = t.columns.iter().map(|c| format!("'{c}', {c}")).collect();
        let (cond, by_host) = filter(t.table, t.via);
        let sql = format!(
            "SELECT json_object({}) FROM {} WHERE {cond} ORDER BY {}",
            object.join(", "),
            t.table,
            t.order
        );
        let mut stmt = conn.prepare_cached(&sql)?;
        let read = |r: &rusqlite::Row<'_>| r.get::<_, String>(0);
        let rows: Vec<String> = match (t.via, by_host) {
            (Via::HostId, _) => stmt.query_map(params![host_id], read)?,
            (_, true) => stmt.query_map(params![customer, host_id], read)?,
            _ => stmt.query_map(params![customer], read)?,
        }
        .collect::<rusqlite::Result<_>>()?;
        for row in rows {
            let value: serde_json::Value = serde_json::from_str(&row)
                .map_err(|_| Error::Internal("a stored row did not read as JSON".into()))?;
            out.push((t.table.to_owned(), value));
        }
    }
    Ok(out)
}

/// D6: the host ids of the customers who have or had a normalised contact.
pub fn customers_with_contact(conn: &Connection, kind: &str, value: &str) -> Result<Vec<String>> {
    Ok(conn
        .prepare_cached(
            "SELECT host_id FROM customers
             WHERE email_norm = ?2 AND ?1 = 'email'
             UNION
             SELECT host_id FROM customers WHERE phone_norm = ?2 AND ?1 = 'phone'
             UNION
             SELECT c.host_id FROM invitations i JOIN customers c ON c.id = i.customer_id
             WHERE i.contact = ?2
             UNION
             SELECT c.host_id FROM suppressions s JOIN customers c ON c.id = s.customer_id
             WHERE s.kind = ?1 AND s.value = ?2
             ORDER BY 1",
        )?
        .query_map([kind, value], |r| r.get(0))?
        .collect::<rusqlite::Result<_>>()?)
}

/// D6: the plain suppression of a normalised contact: when, from where, and when a keyword
/// asked for it.
pub fn contact_suppression(
    conn: &Connection,
    kind: &str,
    value: &str,
) -> Result<Option<ContactSuppression>> {
    Ok(conn
        .prepare_cached(
            "SELECT created_at, source, keyword_at FROM suppressions
             WHERE kind = ?1 AND value = ?2",
        )?
        .query_row([kind, value], |r| {
            Ok(ContactSuppression {
                created_at_ms: r.get(0)?,
                source: r.get(1)?,
                keyword_at_ms: r.get(2)?,
            })
        })
        .optional()?)
}

/// D6: a window of customers by row id and the inactive ones among them. The window is
/// read by row id (at most `scan` rows), each customer's history by its own indexes.
pub fn retention_window(
    conn: &Connection,
    after: i64,
    cutoff_ms: i64,
    scan: u32,
) -> Result<RetentionWindow> {
    let cutoff_date = crate::rules::time::from_ms(cutoff_ms)
        .map_or_else(|| "0000-00-00".to_owned(), |t| t.date_naive().to_string());
    let rows: Vec<(i64, String, bool)> = conn
        .prepare_cached(concat!(
            "SELECT c.id, c.host_id,
                    c.erased_at IS NULL AND c.created_at < ?2
                    AND NOT EXISTS (SELECT 1 FROM transactions t WHERE ",
            customer_transactions!("t", "c.id"),
            "
                                    AND (t.finalized_at >= ?2
                                         OR (t.finalized_at IS NULL AND t.first_seen_on >= ?4)))
                    AND NOT EXISTS (SELECT 1 FROM responses r WHERE r.customer_id = c.id
                                    AND r.created_at >= ?2)
                    AND NOT EXISTS (SELECT 1 FROM invitations i WHERE i.customer_id = c.id
                                    AND i.delivered_at >= ?2)
             FROM (SELECT id, host_id, erased_at, created_at FROM customers
                   WHERE id > ?1 ORDER BY id LIMIT ?3) c
             ORDER BY c.id"
        ))?
        .query_map(params![after, cutoff_ms, scan, cutoff_date], |r| {
            Ok((r.get(0)?, r.get(1)?, r.get(2)?))
        })?
        .collect::<rusqlite::Result<_>>()?;
    let last = (rows.len() as u64 >= u64::from(scan))
        .then(|| rows.last().map(|r| r.0))
        .flatten();
    Ok(RetentionWindow {
        inactive: rows
            .into_iter()
            .filter(|r| r.2)
            .map(|r| (r.0, r.1))
            .collect(),
        last,
    })
}

/// D6: where the retention sweep stopped (0 = from the start).
pub fn retention_cursor(conn: &Connection) -> Result<i64> {
    Ok(conn
        .prepare_cached(
            "SELECT value FROM setting_values WHERE grp = 'retention' AND key = 'cursor'",
        )?
        .query_row([], |r| r.get::<_, Option<i64>>(0))
        .optional()?
        .flatten()
        .unwrap_or(0))
}

/// D6: records where the retention sweep stopped.
pub fn set_retention_cursor(conn: &Connection, after: i64) -> Result<()> {
    conn.prepare_cached(
        "INSERT INTO setting_values (grp, key, value) VALUES ('retention', 'cursor', ?1)
         ON CONFLICT (grp, key) DO UPDATE SET value = excluded.value",
    )?
    .execute([after])?;
    Ok(())
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

    fn subject_rows(&mut self, customer: i64, host_id: &str) -> Result<Vec<SubjectRow>> {
        subject_rows(self.conn, customer, host_id)
    }

    fn customers_with_contact(&mut self, kind: &str, value: &str) -> Result<Vec<String>> {
        customers_with_contact(self.conn, kind, value)
    }

    fn contact_suppression(
        &mut self,
        kind: &str,
        value: &str,
    ) -> Result<Option<ContactSuppression>> {
        contact_suppression(self.conn, kind, value)
    }

    fn retention_window(
        &mut self,
        after: i64,
        cutoff_ms: i64,
        scan: u32,
    ) -> Result<RetentionWindow> {
        retention_window(self.conn, after, cutoff_ms, scan)
    }

    fn retention_cursor(&mut self) -> Result<i64> {
        retention_cursor(self.conn)
    }

    fn set_retention_cursor(&mut self, after: i64) -> Result<()> {
        set_retention_cursor(self.conn, after)
    }
}
