use std::collections::HashMap;

use chrono::{DateTime, NaiveDate, Utc};
use rusqlite::{Connection, OptionalExtension, params};

use crate::error::Result;
use crate::model::{
    Channel, DecisionRecord, Employee, InvitationSummary, SkipReason, TransactionKind,
};
use crate::store::NewMessage;
use crate::store::transactions::{
    DecisionChanges, DecisionRow, InvitationRow, StoredTransaction, TransactionRow,
};

/// Separates employee host ids inside one aggregated column.
const SEP: char = '\u{1f}';

impl StoredTransaction {
    /// Whether the transaction has a final decision (anything but `not_finalized`, E9).
    pub fn decided(&self) -> bool {
        matches!(self.decision, Some(r) if r != Some(SkipReason::NotFinalized))
    }
}

/// The stored transactions among `host_ids`, by host id.
pub fn find_transactions<'a>(
    conn: &Connection,
    host_ids: impl IntoIterator<Item = &'a str>,
) -> Result<HashMap<String, StoredTransaction>> {
    let mut stmt = conn.prepare_cached(
        "SELECT t.id, t.host_id, t.location_id, t.customer_id, t.kind, t.amount_minor,
                t.currency, t.finalized_at, t.excluded, t.refers_to,
                d.transaction_id IS NOT NULL, d.reason, d.eligible_again_on,
                (SELECT group_concat(host_id, char(31)) FROM
                   (SELECT e.host_id FROM transaction_employees te
                    JOIN employees e ON e.id = te.employee_id
                    WHERE te.transaction_id = t.id ORDER BY e.host_id))
         FROM transactions t LEFT JOIN decisions d ON d.transaction_id = t.id
         WHERE t.host_id = ?1",
    )?;
    let mut out = HashMap::new();
    for id in host_ids {
        let found = stmt
            .query_row([id], |r| {
                // Column by column as selected: the row's fields, then the decision, then
                // the employees (E8 compares every one of them with the batch's).
                let decided: bool = r.get(10)?;
                let reason: Option<String> = r.get(11)?;
                let employees: Option<String> = r.get(13)?;
                Ok(StoredTransaction {
                    rowid: r.get(0)?,
                    row: TransactionRow {
                        host_id: r.get(1)?,
                        location: r.get(2)?,
                        customer: r.get(3)?,
                        kind: TransactionKind::parse(&r.get::<_, String>(4)?)
                            .unwrap_or(TransactionKind::Sale),
                        amount_minor: r.get(5)?,
                        currency: r.get(6)?,
                        finalized_at_ms: r.get(7)?,
                        excluded: r.get(8)?,
                        refers_to: r.get(9)?,
                    },
                    employees: employees
                        .map(|s| s.split(SEP).map(str::to_owned).collect())
                        .unwrap_or_default(),
                    decision: decided.then(|| reason.as_deref().and_then(SkipReason::parse)),
                    eligible_again_on: r.get(12)?,
                })
            })
            .optional()?;
        if let Some(t) = found {
            out.insert(t.row.host_id.clone(), t);
        }
    }
    Ok(out)
}

/// Inserts a new transaction first seen on `business_date`, with its employees.
pub fn insert_transaction(
    conn: &Connection,
    t: &TransactionRow,
    employees: &[String],
    business_date: NaiveDate,
) -> Result<i64> {
    conn.prepare_cached(
        "INSERT INTO transactions (host_id, location_id, customer_id, kind, amount_minor,
           currency, finalized_at, excluded, first_seen_on, refers_to)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)",
    )?
    .execute(params![
        t.host_id,
        t.location,
        t.customer,
        t.kind.as_str(),
        t.amount_minor,
        t.currency,
        t.finalized_at_ms,
        t.excluded,
        business_date,
        t.refers_to
    ])?;
    let rowid = conn.last_insert_rowid();
    link_employees(conn, rowid, employees)?;
    Ok(rowid)
}

/// Overwrites a known transaction's fields, and its employees when `employees` is given
/// (their list changed); the credit of answers already given moves only then.
pub fn update_transaction(
    conn: &Connection,
    rowid: i64,
    t: &TransactionRow,
    employees: Option<&[String]>,
) -> Result<()> {
    conn.prepare_cached(
        "UPDATE transactions SET customer_id = ?2, kind = ?3, amount_minor = ?4,
           currency = ?5, finalized_at = ?6, excluded = ?7, refers_to = ?8
         WHERE id = ?1",
    )?
    .execute(params![
        rowid,
        t.customer,
        t.kind.as_str(),
        t.amount_minor,
        t.currency,
        t.finalized_at_ms,
        t.excluded,
        t.refers_to
    ])?;
    let Some(employees) = employees else {
        return Ok(());
    };
    // Answers already given move with the credit to the new employees (rollups, N2).
    super::rollups::count_transaction_employees(conn, rowid, -1)?;
    conn.prepare_cached("DELETE FROM transaction_employees WHERE transaction_id = ?1")?
        .execute([rowid])?;
    link_employees(conn, rowid, employees)?;
    super::rollups::count_transaction_employees(conn, rowid, 1)
}

fn link_employees(conn: &Connection, rowid: i64, employees: &[String]) -> Result<()> {
    let mut stmt = conn.prepare_cached(
        "INSERT INTO transaction_employees (transaction_id, employee_id)
         SELECT ?1, id FROM employees WHERE host_id = ?2",
    )?;
    for e in employees {
        stmt.execute(params![rowid, e])?;
    }
    Ok(())
}

/// Host ids among `host_ids` that are stored employees.
pub fn find_employees<'a>(
    conn: &Connection,
    host_ids: impl IntoIterator<Item = &'a str>,
) -> Result<Vec<String>> {
    let mut stmt = conn.prepare_cached("SELECT 1 FROM employees WHERE host_id = ?1")?;
    let mut out = Vec::new();
    for id in host_ids {
        if stmt.exists([id])? {
            out.push(id.to_owned());
        }
    }
    Ok(out)
}

/// Creates or updates an employee; returns whether anything changed.
pub fn upsert_employee(conn: &Connection, e: &Employee) -> Result<bool> {
    let n = conn
        .prepare_cached(
            "INSERT INTO employees (host_id, name, role) VALUES (?1, ?2, ?3)
             ON CONFLICT (host_id) DO UPDATE SET name = excluded.name, role = excluded.role
             WHERE name IS NOT excluded.name OR role IS NOT excluded.role",
        )?
        .execute(params![e.id, e.name, e.role.as_str()])?;
    Ok(n > 0)
}

/// Stores (or replaces a `not_finalized`) decision for a transaction (E9).
fn insert_decision(
    conn: &Connection,
    transaction: i64,
    d: &DecisionRow,
    now_ms: i64,
) -> Result<()> {
    conn.prepare_cached(
        "INSERT OR REPLACE INTO decisions
           (transaction_id, business_date, reason, eligible_again_on, decided_at,
            related_customer)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
    )?
    .execute(params![
        transaction,
        d.business_date,
        d.reason.map(SkipReason::as_str),
        d.eligible_again_on,
        now_ms,
        d.related_customer.as_deref()
    ])?;
    Ok(())
}

/// Writes a night's change set: each invitation, its message (cancelled at once when it
/// has no send slot), then each decision; the invitations' ids in order.
pub fn write_decisions(
    conn: &Connection,
    changes: &DecisionChanges,
    now_ms: i64,
) -> Result<Vec<i64>> {
    let mut ids = Vec::with_capacity(changes.invitations.len());
    for i in &changes.invitations {
        let id = insert_invitation(conn, &i.row, now_ms)?;
        let message = NewMessage {
            invitation: Some(id),
            ..NewMessage::to_customer(
                i.message_kind,
                i.row.customer,
                i.row.location,
                i.row.channel,
                &i.row.language,
                i.row.due_at_ms,
            )
        };
        super::outbox::queue_message(conn, &i.message_id, &message, now_ms)?;
        if i.cancelled {
            super::policy::cancel_message(conn, &i.message_id, Some(id), "no_send_slot", now_ms)?;
        }
        ids.push(id);
    }
    for (transaction, d) in &changes.decisions {
        insert_decision(conn, *transaction, d, now_ms)?;
    }
    Ok(ids)
}

/// Queues an invitation as pending and returns its id.
fn insert_invitation(conn: &Connection, i: &InvitationRow, now_ms: i64) -> Result<i64> {
    conn.prepare_cached(
        "INSERT INTO invitations (customer_id, transaction_id, location_id, trigger, channel,
           language, business_date, status, due_at, created_at, survey_kind, contact)
         VALUES (?1, ?2, ?3, 'transaction', ?4, ?5, ?6, 'pending', ?7, ?8, ?9, ?10)",
    )?
    .execute(params![
        i.customer,
        i.transaction,
        i.location,
        i.channel.as_str(),
        i.language,
        i.business_date,
        i.due_at_ms,
        now_ms,
        i.kind.as_str(),
        i.contact
    ])?;
    Ok(conn.last_insert_rowid())
}

/// The customer's stored decisions, newest first.
pub fn decisions_for_customer(
    conn: &Connection,
    customer: i64,
    limit: u32,
) -> Result<Vec<DecisionRecord>> {
    let mut stmt = conn.prepare_cached(
        "SELECT t.host_id, l.host_id, d.business_date, t.finalized_at, i.id, d.reason,
                d.eligible_again_on, d.related_customer, d.cancelled_on, d.cancel_reason
         FROM transactions t
         JOIN decisions d ON d.transaction_id = t.id
         JOIN locations l ON l.id = t.location_id
         LEFT JOIN invitations i ON i.transaction_id = t.id AND i.trigger = 'transaction'
         WHERE t.customer_id = ?1
         ORDER BY d.business_date DESC, t.finalized_at DESC, t.host_id DESC
         LIMIT ?2",
    )?;
    let rows = stmt.query_map(params![customer, limit], |r| {
        Ok(DecisionRecord {
            transaction: r.get(0)?,
            location: r.get(1)?,
            business_date: r.get(2)?,
            finalized_at: r
                .get::<_, Option<i64>>(3)?
                .and_then(DateTime::<Utc>::from_timestamp_millis),
            invitation_id: r.get(4)?,
            reason: r
                .get::<_, Option<String>>(5)?
                .and_then(|s| SkipReason::parse(&s)),
            eligible_again_on: r.get(6)?,
            related_customer: r.get(7)?,
            cancelled_on: r.get(8)?,
            cancel_reason: r.get(9)?,
        })
    })?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

/// Invitations waiting for delivery, by due time.
pub fn pending_invitations(conn: &Connection) -> Result<Vec<InvitationSummary>> {
    let mut stmt = conn.prepare_cached(
        "SELECT i.id, c.host_id, t.host_id, i.channel, i.language, i.due_at
         FROM invitations i
         JOIN customers c ON c.id = i.customer_id
         LEFT JOIN transactions t ON t.id = i.transaction_id
         WHERE i.status = 'pending' ORDER BY i.due_at, i.id",
    )?;
    let rows = stmt.query_map([], |r| {
        Ok(InvitationSummary {
            invitation_id: r.get(0)?,
            customer: r.get(1)?,
            transaction: r.get::<_, Option<String>>(2)?.unwrap_or_default(),
            channel: Channel::parse(&r.get::<_, String>(3)?).unwrap_or(Channel::Email),
            language: r.get(4)?,
            due_at: DateTime::from_timestamp_millis(r.get(5)?).unwrap_or_default(),
        })
    })?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

impl crate::store::TransactionStore for super::SqliteTx<'_> {
    fn find_transactions(
        &mut self,
        host_ids: &[&str],
    ) -> Result<HashMap<String, StoredTransaction>> {
        find_transactions(self.conn, host_ids.iter().copied())
    }

    fn insert_transaction(
        &mut self,
        t: &TransactionRow,
        employees: &[String],
        business_date: NaiveDate,
    ) -> Result<i64> {
        insert_transaction(self.conn, t, employees, business_date)
    }

    fn update_transaction(
        &mut self,
        rowid: i64,
        t: &TransactionRow,
        employees: Option<&[String]>,
    ) -> Result<()> {
        update_transaction(self.conn, rowid, t, employees)
    }

    fn find_employees(&mut self, host_ids: &[&str]) -> Result<Vec<String>> {
        find_employees(self.conn, host_ids.iter().copied())
    }

    fn upsert_employee(&mut self, e: &Employee) -> Result<bool> {
        upsert_employee(self.conn, e)
    }

    fn write_decisions(&mut self, changes: &DecisionChanges, now_ms: i64) -> Result<Vec<i64>> {
        write_decisions(self.conn, changes, now_ms)
    }

    fn decisions_for_customer(&mut self, customer: i64, limit: u32) -> Result<Vec<DecisionRecord>> {
        decisions_for_customer(self.conn, customer, limit)
    }

    fn pending_invitations(&mut self) -> Result<Vec<InvitationSummary>> {
        pending_invitations(self.conn)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::Store;

    /// E8: each column is read back as itself (the employees were once read from
    /// `refers_to` and `refers_to` from the employees, so every re-run "changed" them).
    #[test]
    fn e8_find_transactions_reads_each_column_as_itself() {
        let store = Store::open_in_memory().unwrap();
        let c = &store.conn;
        c.execute_batch(
            "INSERT INTO locations (id, host_id, name, time_zone, enabled)
               VALUES (1, 'paris', 'Paris', 'Europe/Paris', 1);
             INSERT INTO employees (host_id, role) VALUES ('b', 'salesperson'), ('a', 'driver');",
        )
        .unwrap();
        let row = |host_id: &str, kind, refers_to: Option<&str>| TransactionRow {
            host_id: host_id.into(),
            location: 1,
            customer: None,
            kind,
            amount_minor: 100,
            currency: "EUR".into(),
            finalized_at_ms: Some(1_000),
            excluded: false,
            refers_to: refers_to.map(Into::into),
        };
        let sale = row("t1", TransactionKind::Sale, None);
        let refund = row("r1", TransactionKind::Refund, Some("t1"));
        let date = NaiveDate::from_ymd_opt(2026, 11, 20).unwrap();
        insert_transaction(c, &sale, &["b".into(), "a".into()], date).unwrap();
        insert_transaction(c, &refund, &[], date).unwrap();
        let found = find_transactions(c, ["t1", "r1"]).unwrap();
        assert_eq!(found["t1"].row, sale);
        assert_eq!(found["t1"].employees, ["a", "b"]);
        assert_eq!(found["r1"].row, refund);
        assert!(found["r1"].employees.is_empty());
    }
}
