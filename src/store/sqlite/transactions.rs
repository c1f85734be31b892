use crate::hash::HashMap;

use chrono::{DateTime, NaiveDate, Utc};
use rusqlite::{Connection, OptionalExtension, params};

use super::StoredDate;
use crate::error::Result;
use crate::model::{
    Channel, DecisionRecord, Employee, InvitationSummary, SkipReason, TransactionKind,
};
use crate::store::dates::{DateText, date_text};
use crate::store::transactions::{
    DecisionChanges, NewInvitation, StoredTransaction, TransactionRow,
};

/// Separates employee host ids inside one aggregated column.
const SEP: char = '\u{1f}';

impl StoredTransaction {
    /// Whether the transaction has a final decision (anything but `not_finalized`, E9).
    pub fn decided(&self) -> bool {
        matches!(self.decision, Some(r) if r != Some(SkipReason::NotFinalized))
    }
}

/// The sales whose host id is in a range, in [`super::in_key_range`]'s shape.
const SALES_IN_RANGE: &str = "SELECT host_id, id FROM transactions
  WHERE host_id BETWEEN ?1 AND ?2 ORDER BY host_id LIMIT ?3";

/// The stored transactions among `host_ids`, by host id.
pub fn find_transactions(
    conn: &Connection,
    host_ids: &[&str],
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
         WHERE t.id = ?1",
    )?;
    // Most of a night's sales are new: the host id index alone answers them, read as one
    // range when the ids are in order (a POS numbers its sales so), else probed one by
    // one; the full read (three tables) runs for the stored ones only.
    let stored = super::stored_among(
        conn,
        SALES_IN_RANGE,
        "SELECT id FROM transactions WHERE host_id = ?1",
        host_ids,
    )?;
    let mut out = HashMap::default();
    for (_, rowid) in stored {
        let found = stmt
            .query_row([rowid], |r| {
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
                    eligible_again_on: r.get::<_, Option<StoredDate>>(12)?.map(|d| d.0),
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
        date_text(business_date),
        t.refers_to
    ])?;
    let rowid = conn.last_insert_rowid();
    link_employees(conn, rowid, employees)?;
    Ok(rowid)
}

/// Inserts new transactions first seen on `business_date`, each with its employees, 64
/// rows to a statement per table (`batch::insert_chunks`); their row ids, in order.
pub fn insert_transactions(
    conn: &Connection,
    rows: &[(&TransactionRow, &[String])],
    business_date: NaiveDate,
) -> Result<Vec<i64>> {
    let first_seen = date_text(business_date);
    let ids = super::batch::insert_chunks(
        conn,
        "transactions",
        "(host_id, location_id, customer_id, kind, amount_minor,
           currency, finalized_at, excluded, first_seen_on, refers_to)",
        "(?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        rows,
        true,
        |b, (t, _)| {
            b.push(&t.host_id)?;
            b.push(t.location)?;
            b.push(t.customer)?;
            b.push(t.kind.as_str())?;
            b.push(t.amount_minor)?;
            b.push(&t.currency)?;
            b.push(t.finalized_at_ms)?;
            b.push(t.excluded)?;
            b.push(&first_seen)?;
            b.push(&t.refers_to)
        },
    )?;
    // Each employee's row id once; an unknown host id links nothing (as one at a time).
    let mut employee_ids: HashMap<&str, Option<i64>> = HashMap::default();
    let mut find = conn.prepare_cached("SELECT id FROM employees WHERE host_id = ?1")?;
    let mut links = Vec::new();
    for (id, (_, employees)) in ids.iter().zip(rows) {
        for e in *employees {
            let employee = match employee_ids.get(e.as_str()) {
                Some(found) => *found,
                None => {
                    let found = find.query_row([e], |r| r.get(0)).optional()?;
                    employee_ids.insert(e, found);
                    found
                }
            };
            if let Some(employee) = employee {
                links.push((*id, employee));
            }
        }
    }
    super::batch::insert_chunks(
        conn,
        "transaction_employees",
        "(transaction_id, employee_id)",
        "(?, ?)",
        &links,
        false,
        |b, (t, e)| {
            b.push(t)?;
            b.push(e)
        },
    )?;
    Ok(ids)
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
    super::found_among(conn, "SELECT 1 FROM employees WHERE host_id = ?1", host_ids)
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

/// Writes a night's change set, 64 rows to a statement (`batch.rs`): the invitations, their
/// messages (a cancelled one written cancelled at once: `no_send_slot`, P5), then the
/// decisions; the invitations' ids in order.
pub fn write_decisions(
    conn: &Connection,
    changes: &DecisionChanges,
    now_ms: i64,
) -> Result<Vec<i64>> {
    let status = |i: &NewInvitation| if i.cancelled { "cancelled" } else { "pending" };
    let mut dates = DateText::default();
    let ids = super::batch::insert_chunks(
        conn,
        "invitations",
        "(customer_id, transaction_id, location_id, trigger,
           channel, language, business_date, status, due_at, created_at, survey_kind, contact)",
        "(?, ?, ?, 'transaction', ?, ?, ?, ?, ?, ?, ?, ?)",
        &changes.invitations,
        true,
        |b, i| {
            let r = &i.row;
            b.push(r.customer)?;
            b.push(r.transaction)?;
            b.push(r.location)?;
            b.push(r.channel.as_str())?;
            b.push(&r.language)?;
            b.push(dates.of(r.business_date))?;
            b.push(status(i))?;
            b.push(r.due_at_ms)?;
            b.push(now_ms)?;
            b.push(r.kind.as_str())?;
            b.push(&r.contact)
        },
    )?;
    super::person_latest::invited(
        conn,
        (changes.invitations.iter())
            .filter(|i| !i.cancelled)
            .map(|i| (i.row.customer, i.row.kind.as_str(), i.row.business_date)),
    )?;
    let numbered: Vec<(i64, &NewInvitation)> =
        ids.iter().copied().zip(&changes.invitations).collect();
    super::batch::insert_chunks(
        conn,
        "outbox",
        "(message_id, kind, invitation_id, customer_id, location_id,
           channel, language, status, cancel_reason, due_at, created_at, updated_at)",
        "(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        &numbered,
        false,
        |b, (id, i)| {
            let r = &i.row;
            b.push(&i.message_id)?;
            b.push(i.message_kind.as_str())?;
            b.push(id)?;
            b.push(r.customer)?;
            b.push(r.location)?;
            b.push(r.channel.as_str())?;
            b.push(&r.language)?;
            b.push(status(i))?;
            b.push(i.cancelled.then_some("no_send_slot"))?;
            b.push(r.due_at_ms)?;
            b.push(now_ms)?;
            b.push(now_ms)
        },
    )?;
    super::batch::write_chunks(
        conn,
        super::batch::OnConflict::Replace,
        "decisions",
        "(transaction_id, business_date, reason,
           eligible_again_on, decided_at, related_customer)",
        "(?, ?, ?, ?, ?, ?)",
        &changes.decisions,
        |b, (transaction, d)| {
            b.push(transaction)?;
            b.push(dates.of(d.business_date))?;
            b.push(d.reason.map(SkipReason::as_str))?;
            b.push(d.eligible_again_on.map(date_text))?;
            b.push(now_ms)?;
            b.push(d.related_customer.as_deref())
        },
    )?;
    Ok(ids)
}

/// The customer's stored decisions, newest first.
pub fn decisions_for_customer(
    conn: &Connection,
    customer: i64,
    limit: u32,
) -> Result<Vec<DecisionRecord>> {
    let mut stmt = conn.prepare_cached(concat!(
        "SELECT t.host_id, l.host_id, d.business_date, t.finalized_at, i.id, d.reason,
                d.eligible_again_on, d.related_customer, d.cancelled_on, d.cancel_reason
         FROM transactions t
         JOIN decisions d ON d.transaction_id = t.id
         JOIN locations l ON l.id = t.location_id
         LEFT JOIN invitations i ON i.transaction_id = t.id AND i.trigger = 'transaction'
         WHERE ",
        customer_transactions!("t", "?1"),
        "
         ORDER BY d.business_date DESC, t.finalized_at DESC, t.host_id DESC
         LIMIT ?2"
    ))?;
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
        find_transactions(self.conn, host_ids)
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

    fn insert_transactions(
        &mut self,
        rows: &[(&TransactionRow, &[String])],
        business_date: NaiveDate,
    ) -> Result<Vec<i64>> {
        insert_transactions(self.conn, rows, business_date)
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
    use crate::store::transactions::{DecisionRow, InvitationRow};
    use crate::store::{NewMessage, Store};

    /// A finalized sale of 1.00 EUR at the first location, with no customer.
    fn sale(host_id: &str) -> TransactionRow {
        TransactionRow {
            host_id: host_id.into(),
            location: 1,
            customer: None,
            kind: TransactionKind::Sale,
            amount_minor: 100,
            currency: "EUR".into(),
            finalized_at_ms: Some(1_000),
            excluded: false,
            refers_to: None,
        }
    }

    /// A constraint failure inside a multi-row insert (`OR ROLLBACK`) ends the whole
    /// transaction, the writes before it included, and the error reaches the caller; the
    /// store then takes the next write as usual.
    #[test]
    fn a_failed_chunk_rolls_the_whole_batch_back_and_the_store_goes_on() {
        let mut store = Store::with_paris("");
        let row = |host_id: String| sale(&host_id);
        let date = NaiveDate::from_ymd_opt(2026, 11, 20).unwrap();
        // 70 rows: a full chunk of 64 and the rest; the duplicate sits in the second.
        let mut rows: Vec<TransactionRow> = (0..70).map(|i| row(format!("t{i}"))).collect();
        rows[68] = row("t3".into());
        let slices: Vec<(&TransactionRow, &[String])> = rows.iter().map(|t| (t, &[][..])).collect();
        let failed = store.write_resolved(|tx| {
            tx.insert_transaction(&row("before".into()), &[], date)?;
            tx.insert_transactions(&slices, date)
        });
        let failed = failed.unwrap_err().to_string();
        assert!(failed.contains("UNIQUE"), "{failed}");
        let count = |store: &Store| -> i64 {
            store
                .conn
                .query_row("SELECT count(*) FROM transactions", [], |r| r.get(0))
                .unwrap()
        };
        assert_eq!(count(&store), 0);
        rows[68] = row("t68".into());
        let slices: Vec<(&TransactionRow, &[String])> = rows.iter().map(|t| (t, &[][..])).collect();
        let ids = store
            .write_resolved(|tx| tx.insert_transactions(&slices, date))
            .unwrap();
        assert_eq!(ids, (1..=70).collect::<Vec<i64>>());
        assert_eq!(count(&store), 70);
    }

    /// E8: each column is read back as itself (the employees were once read from
    /// `refers_to` and `refers_to` from the employees, so every re-run "changed" them).
    #[test]
    fn e8_find_transactions_reads_each_column_as_itself() {
        let store = Store::with_paris(
            "INSERT INTO employees (host_id, role) VALUES ('b', 'salesperson'), ('a', 'driver');",
        );
        let c = &store.conn;
        let row = |host_id: &str, kind, refers_to: Option<&str>| TransactionRow {
            kind,
            refers_to: refers_to.map(Into::into),
            ..sale(host_id)
        };
        let sale = row("t1", TransactionKind::Sale, None);
        let refund = row("r1", TransactionKind::Refund, Some("t1"));
        let date = NaiveDate::from_ymd_opt(2026, 11, 20).unwrap();
        insert_transaction(c, &sale, &["b".into(), "a".into()], date).unwrap();
        insert_transaction(c, &refund, &[], date).unwrap();
        let found = find_transactions(c, &["t1", "r1"]).unwrap();
        assert_eq!(found["t1"].row, sale);
        assert_eq!(found["t1"].employees, ["a", "b"]);
        assert_eq!(found["r1"].row, refund);
        assert!(found["r1"].employees.is_empty());
    }

    /// E8: a night's sales found as one range of the host id index (ids in order) are
    /// the stored ones, read as a probe per sale reads them; ids between them that are not
    /// asked for are left out; with more stored sales in the range than a quarter of
    /// those asked, each is probed, with the same answer.
    #[test]
    fn e8_a_nights_sales_found_as_one_range_are_those_a_probe_per_sale_finds() {
        let store = Store::with_paris(
            "INSERT INTO employees (host_id, role) VALUES ('b', 'salesperson'), ('a', 'driver');",
        );
        let c = &store.conn;
        let date = NaiveDate::from_ymd_opt(2026, 11, 20).unwrap();
        let insert = |host_id: &str, employees: &[String]| {
            insert_transaction(c, &sale(host_id), employees, date).unwrap();
        };
        insert("T100", &["a".into(), "b".into()]); // the least asked
        insert("T199", &[]); // the greatest
        insert("T150", &["b".into()]);
        insert("T150x", &[]); // in the range, not asked
        insert("T099", &[]); // outside
        let mut asked: Vec<String> = (100..200).map(|n| format!("T{n}")).collect();
        asked.swap(0, 42);
        let asked: Vec<&str> = asked.iter().map(String::as_str).collect();
        // Each stored sale as text, in host id order (StoredTransaction has no `==`).
        let listed = |m: HashMap<String, StoredTransaction>| -> Vec<String> {
            let mut v: Vec<String> = m.into_iter().map(|(k, t)| format!("{k}: {t:?}")).collect();
            v.sort();
            v
        };
        let one_by_one = |ids: &[&str]| -> Vec<String> {
            listed(
                ids.iter()
                    .flat_map(|id| find_transactions(c, &[*id]).unwrap())
                    .collect(),
            )
        };
        let in_range = super::super::in_key_range(c, SALES_IN_RANGE, &asked).unwrap();
        assert!(in_range.is_some(), "read as a range");
        let found = find_transactions(c, &asked).unwrap();
        let mut keys: Vec<&String> = found.keys().collect();
        keys.sort();
        assert_eq!(keys, ["T100", "T150", "T199"]);
        assert_eq!(found["T100"].employees, ["a", "b"]);
        assert_eq!(listed(found), one_by_one(&asked));
        // Ids in no order: more stored in the range than a quarter of those asked.
        for n in 0..30 {
            insert(&format!("T1{n:02}z"), &[]);
        }
        assert!(
            super::super::in_key_range(
                c,
                "SELECT host_id, id FROM transactions
              WHERE host_id BETWEEN ?1 AND ?2 ORDER BY host_id LIMIT ?3",
                &asked,
            )
            .unwrap()
            .is_none()
        );
        assert_eq!(
            listed(find_transactions(c, &asked).unwrap()),
            one_by_one(&asked)
        );
    }

    /// Every row of `table`, in its key order (a full scan), as text.
    fn dump(c: &Connection, table: &str) -> Vec<String> {
        let mut stmt = c.prepare(&format!("SELECT * FROM {table}")).unwrap();
        let n = stmt.column_count();
        stmt.query_map([], |r| {
            Ok((0..n)
                .map(|i| format!("{:?}", r.get_ref(i).unwrap()))
                .collect::<Vec<_>>()
                .join("|"))
        })
        .unwrap()
        .collect::<rusqlite::Result<_>>()
        .unwrap()
    }

    /// The batch writes (row ids given explicitly) write the rows, row ids included, that
    /// the one-by-one writes (row ids given by SQLite) write, whatever the count.
    /// The reference [`write_decisions`] is compared with: the same change set written one
    /// row at a time through single-row statements (the outbox's own `queue_message`).
    fn write_decisions_one_by_one(
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
            super::super::outbox::queue_message(conn, &i.message_id, &message, now_ms)?;
            if i.cancelled {
                super::super::policy::cancel_message(
                    conn,
                    &i.message_id,
                    Some(id),
                    "no_send_slot",
                    now_ms,
                )?;
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
        let id = conn.last_insert_rowid();
        super::super::person_latest::invited(
            conn,
            [(i.customer, i.kind.as_str(), i.business_date)],
        )?;
        Ok(id)
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
            date_text(d.business_date),
            d.reason.map(SkipReason::as_str),
            d.eligible_again_on.map(date_text),
            now_ms,
            d.related_customer.as_deref()
        ])?;
        Ok(())
    }

    #[test]
    fn batch_writes_equal_one_row_at_a_time() {
        use crate::model::{MessageKind, SurveyKind};
        use crate::store::CustomerRow;
        use crate::store::transactions::NewInvitation;
        let date = NaiveDate::from_ymd_opt(2026, 11, 20).unwrap();
        for n in [0usize, 1, 7, 8, 9, 63, 64, 65, 137] {
            let stores = [(); 2].map(|()| {
                Store::with_paris(
                    "INSERT INTO employees (host_id, role)
                       VALUES ('b', 'salesperson'), ('a', 'driver');
                     INSERT INTO customers (host_id, include_in_communications, created_at,
                       updated_at) VALUES ('old', 1, 0, 0);
                     INSERT INTO transactions (host_id, location_id, kind, amount_minor,
                       currency, excluded, first_seen_on) VALUES ('old', 1, 'sale', 1, 'EUR', 0,
                       '2026-11-19');",
                )
            });
            for (batched, store) in [false, true].into_iter().zip(&stores) {
                let c = &store.conn;
                let customers: Vec<CustomerRow> = (0..n)
                    .map(|i| CustomerRow {
                        host_id: format!("c{i}"),
                        name: (i % 2 == 0).then(|| format!("N{i}")),
                        email_norm: (i % 3 == 0).then(|| format!("c{i}@example.com")),
                        include_in_communications: i % 5 != 0,
                        ..CustomerRow::default()
                    })
                    .collect();
                let customer_ids = if batched {
                    super::super::customers::insert_customers(c, &customers, 7).unwrap()
                } else {
                    customers
                        .iter()
                        .map(|r| super::super::customers::insert_customer(c, r, 7).unwrap())
                        .collect()
                };
                let rows: Vec<(TransactionRow, Vec<String>)> = (0..n)
                    .map(|i| {
                        let employees = match i % 4 {
                            0 => vec![],
                            1 => vec!["a".to_owned()],
                            2 => vec!["a".to_owned(), "b".to_owned()],
                            _ => vec!["unknown".to_owned(), "b".to_owned()],
                        };
                        let row = TransactionRow {
                            host_id: format!("t{i}"),
                            location: 1,
                            customer: (i % 6 != 0).then(|| customer_ids[i]),
                            kind: TransactionKind::Sale,
                            amount_minor: i as i64,
                            currency: "EUR".into(),
                            finalized_at_ms: (i % 7 != 0).then_some(i as i64),
                            excluded: i % 9 == 0,
                            refers_to: None,
                        };
                        (row, employees)
                    })
                    .collect();
                let slices: Vec<(&TransactionRow, &[String])> =
                    rows.iter().map(|(t, e)| (t, e.as_slice())).collect();
                let ids = if batched {
                    insert_transactions(c, &slices, date).unwrap()
                } else {
                    slices
                        .iter()
                        .map(|(t, e)| insert_transaction(c, t, e, date).unwrap())
                        .collect()
                };
                let changes = DecisionChanges {
                    decisions: ids
                        .iter()
                        .enumerate()
                        .map(|(i, id)| {
                            let d = DecisionRow {
                                business_date: date,
                                reason: (i % 2 == 1).then_some(SkipReason::Excluded),
                                eligible_again_on: None,
                                related_customer: (i % 4 == 1).then(|| "c1".to_owned()),
                            };
                            (*id, d)
                        })
                        .collect(),
                    invitations: ids
                        .iter()
                        .enumerate()
                        .filter(|(i, _)| i % 2 == 0)
                        .map(|(i, id)| NewInvitation {
                            row: InvitationRow {
                                customer: customer_ids[i],
                                transaction: Some(*id),
                                kind: SurveyKind::Transactional,
                                contact: (i % 3 == 0).then(|| format!("c{i}@example.com")),
                                location: 1,
                                channel: Channel::Email,
                                language: "fr".into(),
                                business_date: date,
                                due_at_ms: 1_000 + i as i64,
                            },
                            message_kind: MessageKind::SurveyInvitation,
                            message_id: format!("m{i}"),
                            cancelled: i % 8 == 4,
                        })
                        .collect(),
                    replaces_stored: false,
                };
                if batched {
                    write_decisions(c, &changes, 9).unwrap();
                } else {
                    write_decisions_one_by_one(c, &changes, 9).unwrap();
                }
            }
            for table in [
                "customers",
                "transactions",
                "transaction_employees",
                "decisions",
                "invitations",
                "outbox",
            ] {
                assert_eq!(
                    dump(&stores[0].conn, table),
                    dump(&stores[1].conn, table),
                    "{table}, {n} rows"
                );
            }
        }
    }
}
