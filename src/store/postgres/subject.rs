//! The data-subject area on PostgreSQL (mirrors `store/sqlite/subject.rs`).

use chrono::NaiveDate;

use super::values::date_text;
use super::{PgTx, get};
use crate::error::{Error, Result};
use crate::hosted::p;
use crate::model::{MessageKind, MessageStatus};
use crate::store::subject::LiveMessage;

fn bad(what: &str) -> Error {
    Error::Internal(format!("postgres: a stored message has an unknown {what}"))
}

impl crate::store::SubjectStore for PgTx<'_> {
    fn live_messages(&mut self, customer: i64) -> Result<Vec<LiveMessage>> {
        self.query(
            "SELECT message_id, kind, invitation_id, due_at, status FROM outbox
             WHERE store_id = $1 AND customer_id = $2 AND status IN ('pending', 'in_flight')
             ORDER BY due_at, message_id COLLATE \"C\"",
            vec![p(customer)],
        )?
        .iter()
        .map(|r| {
            Ok(LiveMessage {
                message_id: get(r, 0)?,
                kind: MessageKind::parse(&get::<String>(r, 1)?).ok_or_else(|| bad("kind"))?,
                invitation: get(r, 2)?,
                due_at_ms: get(r, 3)?,
                status: MessageStatus::parse(&get::<String>(r, 4)?)
                    .ok_or_else(|| bad("status"))?,
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
}
