//! Bounce marks (D3) and the consent history (D5) in the file.

use rusqlite::{OptionalExtension, params};

use crate::error::Result;
use crate::store::ConsentRow;

/// A JSON array of texts, for `json_each`.
fn json_texts(values: &[String]) -> String {
    serde_json::Value::from(values.to_vec()).to_string()
}

impl crate::store::ConsentStore for super::SqliteTx<'_> {
    fn mark_bounced(
        &mut self,
        kind: &str,
        value: &str,
        at_ms: i64,
        message_id: &str,
        customer: Option<i64>,
    ) -> Result<bool> {
        let n = self
            .conn
            .prepare_cached(
                "INSERT INTO bounces (kind, value, bounced_at, message_id, customer_id)
                 VALUES (?1, ?2, ?3, ?4, ?5) ON CONFLICT (kind, value) DO NOTHING",
            )?
            .execute(params![kind, value, at_ms, message_id, customer])?;
        Ok(n > 0)
    }

    fn bounces_empty(&mut self) -> Result<bool> {
        Ok(self
            .conn
            .prepare_cached("SELECT NOT EXISTS (SELECT 1 FROM bounces)")?
            .query_row([], |r| r.get(0))?)
    }

    fn bounced_among(&mut self, kind: &str, values: &[String]) -> Result<Vec<(String, i64)>> {
        if values.is_empty() {
            return Ok(Vec::new());
        }
        let mut stmt = self.conn.prepare_cached(
            "SELECT value, bounced_at FROM bounces
             WHERE kind = ?1 AND value IN (SELECT value FROM json_each(?2))",
        )?;
        let rows = stmt.query_map(params![kind, json_texts(values)], |r| {
            Ok((r.get(0)?, r.get(1)?))
        })?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    fn insert_consent(&mut self, row: &ConsentRow) -> Result<()> {
        self.conn
            .prepare_cached(
                "INSERT INTO consent_changes
                   (customer_id, contact, channel, purpose, granted, source, at)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
            )?
            .execute(params![
                row.customer,
                row.contact,
                row.channel,
                row.purpose,
                row.granted,
                row.source,
                row.at_ms
            ])?;
        Ok(())
    }

    fn consent_changes(&mut self, customer: i64, contacts: &[String]) -> Result<Vec<ConsentRow>> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT customer_id, contact, channel, purpose, granted, source, at
             FROM consent_changes
             WHERE customer_id = ?1
                OR (contact IS NOT NULL AND contact IN (SELECT value FROM json_each(?2)))
             ORDER BY at, id",
        )?;
        let rows = stmt.query_map(params![customer, json_texts(contacts)], |r| {
            Ok(ConsentRow {
                customer: r.get(0)?,
                contact: r.get(1)?,
                channel: r.get(2)?,
                purpose: r.get(3)?,
                granted: r.get(4)?,
                source: r.get(5)?,
                at_ms: r.get(6)?,
            })
        })?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    fn erase_consent(&mut self, customer: i64, contacts: &[String]) -> Result<()> {
        let contacts = json_texts(contacts);
        self.conn
            .prepare_cached(
                "DELETE FROM consent_changes WHERE customer_id = ?1
                    OR (contact IS NOT NULL AND contact IN (SELECT value FROM json_each(?2)))",
            )?
            .execute(params![customer, contacts])?;
        self.conn
            .prepare_cached("DELETE FROM bounces WHERE customer_id = ?1")?
            .execute([customer])?;
        // By the primary key (kind, value): both kinds of each contact.
        self.conn
            .prepare_cached(
                "DELETE FROM bounces WHERE kind IN ('email', 'phone')
                    AND value IN (SELECT value FROM json_each(?1))",
            )?
            .execute([contacts])?;
        Ok(())
    }

    fn message_recipient(&mut self, rowid: i64) -> Result<Option<(Option<i64>, String)>> {
        Ok(self
            .conn
            .prepare_cached("SELECT customer_id, channel FROM outbox WHERE id = ?1")?
            .query_row([rowid], |r| Ok((r.get(0)?, r.get(1)?)))
            .optional()?)
    }

    fn invitation_status(&mut self, invitation: i64) -> Result<Option<String>> {
        Ok(self
            .conn
            .prepare_cached("SELECT status FROM invitations WHERE id = ?1")?
            .query_row([invitation], |r| r.get(0))
            .optional()?)
    }

    fn bounce_invitation(&mut self, invitation: i64) -> Result<bool> {
        let n = self
            .conn
            .prepare_cached(
                "UPDATE invitations SET status = 'bounced', delivered_at = NULL
                 WHERE id = ?1 AND (status = 'pending' OR status = 'delivered')",
            )?
            .execute([invitation])?;
        if n > 0 {
            super::person_latest::recount(self.conn, invitation)?;
        }
        Ok(n > 0)
    }

    fn cancel_invitation_messages(
        &mut self,
        invitation: i64,
        reason: &str,
        now_ms: i64,
    ) -> Result<u32> {
        let n = self
            .conn
            .prepare_cached(
                "UPDATE outbox SET status = 'cancelled', lease_until = NULL, cancel_reason = ?2,
                   updated_at = ?3
                 WHERE invitation_id = ?1 AND status = 'pending'",
            )?
            .execute(params![invitation, reason, now_ms])?;
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
        self.conn
            .prepare_cached(
                "UPDATE outbox SET status = 'pending', due_at = ?2, lease_until = NULL,
                   last_error = ?3, updated_at = ?4 WHERE id = ?1",
            )?
            .execute(params![rowid, due_ms, error, now_ms])?;
        if let Some(inv) = invitation {
            self.conn
                .prepare_cached(
                    "UPDATE invitations SET status = 'pending', delivered_at = NULL
                     WHERE id = ?1 AND status = 'delivered'",
                )?
                .execute([inv])?;
        }
        Ok(())
    }
}
