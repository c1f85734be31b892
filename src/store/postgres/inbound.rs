//! Inbound SMS (D4) on PostgreSQL (mirrors `store/sqlite/inbound.rs`).

use super::customers::{CUSTOMER_COLUMNS, row_to_customer};
use super::{PgTx, get};
use crate::error::Result;
use crate::hosted::p;
use crate::rules::token::TokenKey;
use crate::store::{KeywordLift, PhoneSuppression, StoredCustomer};

impl crate::store::InboundStore for PgTx<'_> {
    fn customers_with_phone(&mut self, phone: &str) -> Result<Vec<StoredCustomer>> {
        let rows = self.query(
            &format!(
                "SELECT {CUSTOMER_COLUMNS} FROM customers
                 WHERE store_id = $1 AND phone_norm = $2 AND erased_at IS NULL ORDER BY id"
            ),
            vec![p(phone.to_owned())],
        )?;
        rows.iter().map(row_to_customer).collect()
    }

    fn phone_suppression(&mut self, phone: &str) -> Result<Option<PhoneSuppression>> {
        let row = self.query_opt(
            "SELECT source, keyword_at IS NOT NULL FROM suppressions
             WHERE store_id = $1 AND kind = 'phone' AND value = $2",
            vec![p(phone.to_owned())],
        )?;
        row.map(|r| {
            Ok(PhoneSuppression {
                source: get(&r, 0)?,
                keyword: get(&r, 1)?,
            })
        })
        .transpose()
    }

    fn lift_keyword_suppression(&mut self, phone: &str) -> Result<KeywordLift> {
        // Asked by the keyword alone: lifted.
        let lifted = self.execute(
            "DELETE FROM suppressions
             WHERE store_id = $1 AND kind = 'phone' AND value = $2 AND source = 'keyword'",
            vec![p(phone.to_owned())],
        )?;
        if lifted > 0 {
            return Ok(KeywordLift::Lifted);
        }
        // Asked by someone else too: only the keyword's ask goes.
        let withdrawn = self.execute(
            "UPDATE suppressions SET keyword_at = NULL
             WHERE store_id = $1 AND kind = 'phone' AND value = $2 AND keyword_at IS NOT NULL",
            vec![p(phone.to_owned())],
        )?;
        Ok(if withdrawn > 0 {
            KeywordLift::OthersHold
        } else {
            KeywordLift::NotAsked
        })
    }

    fn open_sms_survey(&mut self, phone: &str, now_ms: i64) -> Result<Option<TokenKey>> {
        let row = self.query_opt(
            "SELECT k.hash FROM customers c
             JOIN invitations i ON i.store_id = c.store_id AND i.customer_id = c.id
             JOIN link_tokens k ON k.store_id = i.store_id AND k.invitation_id = i.id
             WHERE c.store_id = $1 AND c.phone_norm = $2 AND i.channel = 'sms'
               AND k.kind = 'survey' AND k.alert_id IS NULL AND k.used_at IS NULL
               AND (k.expires_at IS NULL OR k.expires_at > $3)
               AND NOT EXISTS (SELECT 1 FROM responses r
                               WHERE r.store_id = $1 AND r.invitation_id = i.id
                                 AND r.completed_at IS NOT NULL)
             ORDER BY k.created_at DESC, k.hash DESC LIMIT 1",
            vec![p(phone.to_owned()), p(now_ms)],
        )?;
        let hash: Option<Vec<u8>> = row.map(|r| get(&r, 0)).transpose()?;
        Ok(hash.as_deref().and_then(TokenKey::from_stored))
    }

    fn insert_inbound_reply(
        &mut self,
        phone: &str,
        customer: Option<i64>,
        body: &str,
        received_ms: i64,
    ) -> Result<i64> {
        let id = self.next_ids("inbound_replies", 1)?;
        self.execute(
            "INSERT INTO inbound_replies (store_id, id, phone, customer_id, body, received_at)
             VALUES ($1, $2, $3, $4, $5, $6)",
            vec![
                p(id),
                p(phone.to_owned()),
                p(customer),
                p(body.to_owned()),
                p(received_ms),
            ],
        )?;
        Ok(id)
    }

    fn erase_inbound_replies(&mut self, customer: i64, phones: &[String]) -> Result<u64> {
        self.execute(
            "DELETE FROM inbound_replies WHERE store_id = $1
                AND (customer_id = $2 OR phone = ANY($3::text[]))",
            vec![p(customer), p(phones.to_vec())],
        )
    }

    fn erase_phone_replies(&mut self, phones: &[String], now_ms: i64) -> Result<u64> {
        if phones.is_empty() {
            return Ok(0);
        }
        // Both statements read `outbox_sms_reply` by the phone.
        let cancelled = self.execute(
            "UPDATE outbox SET status = 'cancelled', cancel_reason = 'erased', updated_at = $3
             WHERE store_id = $1 AND kind = 'sms_keyword_reply'
               AND (params::jsonb ->> 'phone') = ANY($2::text[])
               AND status IN ('pending', 'in_flight')",
            vec![p(phones.to_vec()), p(now_ms)],
        )?;
        self.execute(
            "UPDATE outbox SET params = '{}', last_error = NULL
             WHERE store_id = $1 AND kind = 'sms_keyword_reply'
               AND (params::jsonb ->> 'phone') = ANY($2::text[])",
            vec![p(phones.to_vec())],
        )?;
        Ok(cancelled)
    }
}
