//! Bounce marks (D3) and the consent history (D5) on PostgreSQL (mirrors
//! `store/sqlite/consent.rs`).

use super::values::{flag, get_bool};
use super::{PgTx, get};
use crate::error::Result;
use crate::hosted::p;
use crate::store::ConsentRow;

impl crate::store::ConsentStore for PgTx<'_> {
    fn mark_bounced(
        &mut self,
        kind: &str,
        value: &str,
        at_ms: i64,
        message_id: &str,
        customer: Option<i64>,
    ) -> Result<bool> {
        let n = self.execute(
            "INSERT INTO bounces (store_id, kind, value, bounced_at, message_id, customer_id)
             VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (store_id, kind, value) DO NOTHING",
            vec![
                p(kind.to_owned()),
                p(value.to_owned()),
                p(at_ms),
                p(message_id.to_owned()),
                p(customer),
            ],
        )?;
        Ok(n > 0)
    }

    fn bounces_empty(&mut self) -> Result<bool> {
        let row = self.query_one(
            "SELECT NOT EXISTS (SELECT 1 FROM bounces WHERE store_id = $1)",
            vec![],
        )?;
        get(&row, 0)
    }

    fn bounced_among(&mut self, kind: &str, values: &[String]) -> Result<Vec<(String, i64)>> {
        if values.is_empty() {
            return Ok(Vec::new());
        }
        let rows = self.query(
            "SELECT value, bounced_at FROM bounces
             WHERE store_id = $1 AND kind = $2 AND value = ANY($3::text[])",
            vec![p(kind.to_owned()), p(values.to_vec())],
        )?;
        rows.iter().map(|r| Ok((get(r, 0)?, get(r, 1)?))).collect()
    }

    fn insert_consent(&mut self, row: &ConsentRow) -> Result<()> {
        let id = self.next_ids("consent_changes", 1)?;
        self.execute(
            "INSERT INTO consent_changes
               (store_id, id, customer_id, contact, channel, purpose, granted, source, at)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
            vec![
                p(id),
                p(row.customer),
                p(row.contact.clone()),
                p(row.channel.clone()),
                p(row.purpose.clone()),
                p(flag(row.granted)),
                p(row.source.clone()),
                p(row.at_ms),
            ],
        )?;
        Ok(())
    }

    fn consent_changes(&mut self, customer: i64, contacts: &[String]) -> Result<Vec<ConsentRow>> {
        let rows = self.query(
            "SELECT customer_id, contact, channel, purpose, granted, source, at
             FROM consent_changes
             WHERE store_id = $1
               AND (customer_id = $2 OR (contact IS NOT NULL AND contact = ANY($3::text[])))
             ORDER BY at, id",
            vec![p(customer), p(contacts.to_vec())],
        )?;
        rows.iter()
            .map(|r| {
                Ok(ConsentRow {
                    customer: get(r, 0)?,
                    contact: get(r, 1)?,
                    channel: get(r, 2)?,
                    purpose: get(r, 3)?,
                    granted: get_bool(r, 4)?,
                    source: get(r, 5)?,
                    at_ms: get(r, 6)?,
                })
            })
            .collect()
    }

    fn erase_consent(&mut self, customer: i64, contacts: &[String]) -> Result<()> {
        self.execute(
            "DELETE FROM consent_changes WHERE store_id = $1
               AND (customer_id = $2 OR (contact IS NOT NULL AND contact = ANY($3::text[])))",
            vec![p(customer), p(contacts.to_vec())],
        )?;
        self.execute(
            "DELETE FROM bounces WHERE store_id = $1
               AND (customer_id = $2 OR value = ANY($3::text[]))",
            vec![p(customer), p(contacts.to_vec())],
        )?;
        Ok(())
    }

    fn message_recipient(&mut self, rowid: i64) -> Result<Option<(Option<i64>, String)>> {
        let row = self.query_opt(
            "SELECT customer_id, channel FROM outbox WHERE store_id = $1 AND id = $2",
            vec![p(rowid)],
        )?;
        row.map(|r| Ok((get(&r, 0)?, get(&r, 1)?))).transpose()
    }

    fn invitation_status(&mut self, invitation: i64) -> Result<Option<String>> {
        let row = self.query_opt(
            "SELECT status FROM invitations WHERE store_id = $1 AND id = $2",
            vec![p(invitation)],
        )?;
        row.map(|r| get(&r, 0)).transpose()
    }

    fn bounce_invitation(&mut self, invitation: i64) -> Result<bool> {
        let n = self.execute(
            "UPDATE invitations SET status = 'bounced', delivered_at = NULL
             WHERE store_id = $1 AND id = $2 AND status IN ('pending', 'delivered')",
            vec![p(invitation)],
        )?;
        Ok(n > 0)
    }

    fn cancel_invitation_messages(
        &mut self,
        invitation: i64,
        reason: &str,
        now_ms: i64,
    ) -> Result<u32> {
        let n = self.execute(
            "UPDATE outbox SET status = 'cancelled', lease_until = NULL, cancel_reason = $3,
               updated_at = $4
             WHERE store_id = $1 AND invitation_id = $2 AND status = 'pending'",
            vec![p(invitation), p(reason.to_owned()), p(now_ms)],
        )?;
        Ok(u32::try_from(n).unwrap_or(u32::MAX))
    }

    fn reoffer_message(
        &mut self,
        rowid: i64,
        invitation: Option<i64>,
        due_ms: i64,
        error: &str,
        now_ms: i64,
    ) -> Result<()> {
        self.execute(
            "UPDATE outbox SET status = 'pending', due_at = $3, lease_until = NULL,
               last_error = $4, updated_at = $5 WHERE store_id = $1 AND id = $2",
            vec![p(rowid), p(due_ms), p(error.to_owned()), p(now_ms)],
        )?;
        if let Some(inv) = invitation {
            self.execute(
                "UPDATE invitations SET status = 'pending', delivered_at = NULL
                 WHERE store_id = $1 AND id = $2 AND status = 'delivered'",
                vec![p(inv)],
            )?;
        }
        Ok(())
    }
}
