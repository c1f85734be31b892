//! The data-subject area on PostgreSQL (mirrors `store/sqlite/subject.rs`).

use chrono::NaiveDate;

use super::values::date_text;
use super::{PgTx, get};
use crate::error::{Error, Result};
use crate::hosted::p;
use crate::model::{MessageKind, MessageStatus};
use crate::store::subject::{
    ContactSuppression, LiveMessage, RetentionWindow, SUBJECT_TABLES, SubjectRow, Via,
};

fn bad(what: &str) -> Error {
    Error::Internal(format!("postgres: a stored message has an unknown {what}"))
}

impl crate::store::SubjectStore for PgTx<'_> {
    fn live_messages(&mut self, customer: i64) -> Result<Vec<LiveMessage>> {
        self.query(
            concat!(
                "SELECT message_id, kind, invitation_id, due_at, status FROM outbox
                 WHERE store_id = $1 AND ",
                her_messages!(),
                " AND status IN ('pending', 'in_flight')
                 ORDER BY due_at, message_id COLLATE \"C\""
            ),
            vec![p(customer)],
        )?
        .iter()
        .map(|r| {
            Ok(LiveMessage {
                message_id: get(r, 0)?,
                kind: MessageKind::parse(&get::<String>(r, 1)?).ok_or_else(|| bad("kind"))?,
                invitation: get(r, 2)?,
                due_at_ms: get(r, 3)?,
                status: MessageStatus::parse(&get::<String>(r, 4)?).ok_or_else(|| bad("status"))?,
            })
        })
        .collect()
    }

    fn cancel_customer_messages(
        &mut self,
        customer: i64,
        reason: &str,
        on: NaiveDate,
        now_ms: i64,
    ) -> Result<Vec<String>> {
        let rows = self.query(
            "UPDATE outbox o SET status = 'cancelled', lease_until = NULL, cancel_reason = $3,
               updated_at = $4
             FROM invitations i
             WHERE o.store_id = $1 AND i.store_id = $1 AND o.invitation_id = i.id
               AND i.customer_id = $2 AND o.status = 'pending'
             RETURNING o.id, o.message_id, o.invitation_id",
            vec![p(customer), p(reason.to_owned()), p(now_ms)],
        )?;
        let mut found = rows
            .iter()
            .map(|r| Ok((get::<i64>(r, 0)?, get::<String>(r, 1)?, get::<i64>(r, 2)?)))
            .collect::<Result<Vec<_>>>()?;
        found.sort_by_key(|f| f.0);
        let mut invitations: Vec<i64> = found.iter().map(|f| f.2).collect();
        invitations.sort_unstable();
        invitations.dedup();
        if !invitations.is_empty() {
            self.execute(
                "WITH released AS (
                   UPDATE invitations i SET status = 'cancelled'
                   WHERE i.store_id = $1 AND i.id = ANY($2) AND i.status = 'pending'
                     AND NOT EXISTS (SELECT 1 FROM outbox o
                                     WHERE o.store_id = $1 AND o.invitation_id = i.id
                                       AND o.status IN ('pending', 'in_flight', 'acked'))
                   RETURNING i.transaction_id)
                 UPDATE decisions d SET cancelled_on = $3, cancel_reason = $4
                 FROM released r
                 WHERE d.store_id = $1 AND d.transaction_id = r.transaction_id
                   AND d.cancelled_on IS NULL",
                vec![p(invitations), p(date_text(on)), p(reason.to_owned())],
            )?;
        }
        Ok(found.into_iter().map(|f| f.1).collect())
    }

    fn subject_rows(&mut self, customer: i64, host_id: &str) -> Result<Vec<SubjectRow>> {
        let mut out = Vec::new();
        for t in SUBJECT_TABLES {
            let (cond, by_host) = filter(t.via);
            let sql = format!(
                "SELECT row_to_json(x)::text FROM (SELECT {} FROM {} WHERE store_id = $1 AND ({cond})
                 ORDER BY {}) x",
                t.columns.join(", "),
                t.table,
                t.order
            );
            let params = match (t.via, by_host) {
                (Via::HostId, _) => vec![p(host_id.to_owned())],
                (_, true) => vec![p(customer), p(host_id.to_owned())],
                _ => vec![p(customer)],
            };
            for r in self.query(&sql, params)? {
                let text: String = get(&r, 0)?;
                let value: serde_json::Value = serde_json::from_str(&text).map_err(|_| {
                    Error::Internal("postgres: a stored row did not read as JSON".into())
                })?;
                out.push((t.table.to_owned(), value));
            }
        }
        Ok(out)
    }

    fn customers_with_contact(&mut self, kind: &str, value: &str) -> Result<Vec<String>> {
        self.query(
            "SELECT host_id FROM customers
             WHERE store_id = $1
               AND (($2 = 'email' AND email_norm = $3) OR ($2 = 'phone' AND phone_norm = $3))
             UNION
             SELECT c.host_id FROM invitations i
             JOIN customers c ON c.store_id = i.store_id AND c.id = i.customer_id
             WHERE i.store_id = $1 AND i.contact = $3
             UNION
             SELECT c.host_id FROM suppressions s
             JOIN customers c ON c.store_id = s.store_id AND c.id = s.customer_id
             WHERE s.store_id = $1 AND s.kind = $2 AND s.value = $3
             ORDER BY 1",
            vec![p(kind.to_owned()), p(value.to_owned())],
        )?
        .iter()
        .map(|r| get(r, 0))
        .collect()
    }

    fn contact_suppression(
        &mut self,
        kind: &str,
        value: &str,
    ) -> Result<Option<ContactSuppression>> {
        self.query_opt(
            "SELECT created_at, source, keyword_at FROM suppressions
             WHERE store_id = $1 AND kind = $2 AND value = $3",
            vec![p(kind.to_owned()), p(value.to_owned())],
        )?
        .map(|r| {
            Ok(ContactSuppression {
                created_at_ms: get(&r, 0)?,
                source: get(&r, 1)?,
                keyword_at_ms: get(&r, 2)?,
            })
        })
        .transpose()
    }

    fn retention_window(
        &mut self,
        after: i64,
        cutoff_ms: i64,
        scan: u32,
    ) -> Result<RetentionWindow> {
        let cutoff_date = crate::rules::time::from_ms(cutoff_ms)
            .map_or_else(|| "0000-00-00".to_owned(), |t| t.date_naive().to_string());
        let rows = self.query(
            "SELECT c.id, c.host_id,
                    c.erased_at IS NULL AND c.created_at < $3
                    AND NOT EXISTS (SELECT 1 FROM transactions t
                                    WHERE t.store_id = $1 AND t.customer_id = c.id
                                      AND (t.finalized_at >= $3
                                           OR (t.finalized_at IS NULL
                                               AND t.first_seen_on COLLATE \"C\" >= $5)))
                    AND NOT EXISTS (SELECT 1 FROM responses r
                                    WHERE r.store_id = $1 AND r.customer_id = c.id
                                      AND r.created_at >= $3)
                    AND NOT EXISTS (SELECT 1 FROM invitations i
                                    WHERE i.store_id = $1 AND i.customer_id = c.id
                                      AND i.delivered_at >= $3)
             FROM (SELECT id, host_id, erased_at, created_at FROM customers
                   WHERE store_id = $1 AND id > $2 ORDER BY id LIMIT $4) c
             ORDER BY c.id",
            vec![p(after), p(cutoff_ms), p(i64::from(scan)), p(cutoff_date)],
        )?;
        let mut all = Vec::with_capacity(rows.len());
        for r in &rows {
            all.push((get::<i64>(r, 0)?, get::<String>(r, 1)?, get::<bool>(r, 2)?));
        }
        let last = (all.len() as u64 >= u64::from(scan))
            .then(|| all.last().map(|r| r.0))
            .flatten();
        Ok(RetentionWindow {
            inactive: all
                .into_iter()
                .filter(|r| r.2)
                .map(|r| (r.0, r.1))
                .collect(),
            last,
        })
    }

    fn retention_cursor(&mut self) -> Result<i64> {
        Ok(self
            .query_opt(
                "SELECT int_value FROM setting_values
                 WHERE store_id = $1 AND grp = 'retention' AND key = 'cursor'",
                vec![],
            )?
            .map(|r| get::<Option<i64>>(&r, 0))
            .transpose()?
            .flatten()
            .unwrap_or(0))
    }

    fn set_retention_cursor(&mut self, after: i64) -> Result<()> {
        self.execute(
            "INSERT INTO setting_values (store_id, grp, key, int_value, text_value)
             VALUES ($1, 'retention', 'cursor', $2, NULL)
             ON CONFLICT (store_id, grp, key) DO UPDATE SET int_value = excluded.int_value",
            vec![p(after)],
        )?;
        Ok(())
    }
}

/// The filter of a table's rows about customer row `$2`, and whether it reads the host id
/// too (as `$3`; alone, as `$2`).
fn filter(via: Via) -> (&'static str, bool) {
    match via {
        Via::Own => ("id = $2", false),
        Via::Customer => ("customer_id = $2", false),
        Via::Messages => (her_messages!(), false),
        Via::Transactions => (
            "transaction_id IN (SELECT id FROM transactions WHERE store_id = $1 AND customer_id = $2)",
            false,
        ),
        Via::Responses => (
            "response_id IN (SELECT id FROM responses WHERE store_id = $1 AND customer_id = $2)",
            false,
        ),
        Via::Alerts => (
            "alert_id IN (SELECT id FROM alerts WHERE store_id = $1 AND customer_id = $2)",
            false,
        ),
        Via::HostId => ("customer = $2", true),
        Via::Suppressions => (
            "(kind = 'customer' AND value = $3) OR customer_id = $2",
            true,
        ),
    }
}
