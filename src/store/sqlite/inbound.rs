//! Inbound SMS (D4) in the file.

use rusqlite::{OptionalExtension, params};

use super::customers::{CUSTOMER_COLUMNS, row_to_customer};
use crate::error::Result;
use crate::rules::token::TokenKey;
use crate::store::{KeywordLift, PhoneSuppression, StoredCustomer};

impl crate::store::InboundStore for super::SqliteTx<'_> {
    fn customers_with_phone(&mut self, phone: &str) -> Result<Vec<StoredCustomer>> {
        let mut stmt = self.conn.prepare_cached(&format!(
            "SELECT {CUSTOMER_COLUMNS} FROM customers
             WHERE phone_norm = ?1 AND erased_at IS NULL ORDER BY id"
        ))?;
        let rows = stmt.query_map([phone], row_to_customer)?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    fn phone_suppression(&mut self, phone: &str) -> Result<Option<PhoneSuppression>> {
        Ok(self
            .conn
            .prepare_cached(
                "SELECT source, keyword_at IS NOT NULL FROM suppressions
                 WHERE kind = 'phone' AND value = ?1",
            )?
            .query_row([phone], |r| {
                Ok(PhoneSuppression {
                    source: r.get(0)?,
                    keyword: r.get(1)?,
                })
            })
            .optional()?)
    }

    fn lift_keyword_suppression(&mut self, phone: &str) -> Result<KeywordLift> {
        // Asked by the keyword alone: lifted.
        let lifted = self
            .conn
            .prepare_cached(
                "DELETE FROM suppressions
                 WHERE kind = 'phone' AND value = ?1 AND source = 'keyword'",
            )?
            .execute([phone])?;
        if lifted > 0 {
            return Ok(KeywordLift::Lifted);
        }
        // Asked by someone else too: only the keyword's ask goes.
        let withdrawn = self
            .conn
            .prepare_cached(
                "UPDATE suppressions SET keyword_at = NULL
                 WHERE kind = 'phone' AND value = ?1 AND keyword_at IS NOT NULL",
            )?
            .execute([phone])?;
        Ok(if withdrawn > 0 {
            KeywordLift::OthersHold
        } else {
            KeywordLift::NotAsked
        })
    }

    fn open_sms_survey(&mut self, phone: &str, now_ms: i64) -> Result<Option<TokenKey>> {
        let hash: Option<Vec<u8>> = self
            .conn
            .prepare_cached(
                "SELECT k.hash FROM customers c
                 JOIN invitations i ON i.customer_id = c.id
                 JOIN link_tokens k ON k.invitation_id = i.id
                 WHERE c.phone_norm = ?1 AND i.channel = 'sms'
                   AND k.kind = 'survey' AND k.alert_id IS NULL AND k.used_at IS NULL
                   AND (k.expires_at IS NULL OR k.expires_at > ?2)
                   AND NOT EXISTS (SELECT 1 FROM responses r
                                   WHERE r.invitation_id = i.id AND r.completed_at IS NOT NULL)
                 ORDER BY k.created_at DESC, k.hash DESC LIMIT 1",
            )?
            .query_row(params![phone, now_ms], |r| r.get(0))
            .optional()?;
        Ok(hash.as_deref().and_then(TokenKey::from_stored))
    }

    fn insert_inbound_reply(
        &mut self,
        phone: &str,
        customer: Option<i64>,
        body: &str,
        received_ms: i64,
    ) -> Result<i64> {
        self.conn
            .prepare_cached(
                "INSERT INTO inbound_replies (phone, customer_id, body, received_at)
                 VALUES (?1, ?2, ?3, ?4)",
            )?
            .execute(params![phone, customer, body, received_ms])?;
        Ok(self.conn.last_insert_rowid())
    }

    fn erase_inbound_replies(&mut self, customer: i64, phones: &[String]) -> Result<u64> {
        let phones = serde_json::Value::from(phones.to_vec()).to_string();
        let n = self
            .conn
            .prepare_cached(
                "DELETE FROM inbound_replies WHERE customer_id = ?1
                    OR phone IN (SELECT value FROM json_each(?2))",
            )?
            .execute(params![customer, phones])?;
        Ok(u64::try_from(n).unwrap_or(0))
    }

    fn erase_phone_replies(&mut self, phones: &[String], now_ms: i64) -> Result<u64> {
        // Each statement seeks `outbox_sms_reply` (schema 17) by the phone.
        let mut cancelled = 0;
        for phone in phones {
            cancelled += self
                .conn
                .prepare_cached(
                    "UPDATE outbox SET status = 'cancelled', cancel_reason = 'erased',
                       updated_at = ?2
                     WHERE kind = 'sms_keyword_reply' AND json_extract(params, '$.phone') = ?1
                       AND (status = 'pending' OR status = 'in_flight')",
                )?
                .execute(params![phone, now_ms])?;
            self.conn
                .prepare_cached(
                    "UPDATE outbox SET params = '{}', last_error = NULL
                     WHERE kind = 'sms_keyword_reply' AND json_extract(params, '$.phone') = ?1",
                )?
                .execute([phone])?;
        }
        Ok(u64::try_from(cancelled).unwrap_or(0))
    }
}
