//! Webhook subscriptions (D2) on PostgreSQL (mirrors `store/sqlite/webhooks.rs`).

use super::conv::get_u32;
use super::{PgTx, get};
use crate::error::Result;
use crate::hosted::{Row, p};
use crate::store::WebhookRow;

const COLUMNS: &str = "id, url, secret, previous_secret, previous_until, event_types, status, \
    consecutive_failures, created_at, disabled_at, disabled_reason";

fn row(r: &Row) -> Result<WebhookRow> {
    Ok(WebhookRow {
        id: get(r, 0)?,
        url: get(r, 1)?,
        secret: get(r, 2)?,
        previous_secret: get(r, 3)?,
        previous_until_ms: get(r, 4)?,
        event_types: get(r, 5)?,
        status: get(r, 6)?,
        consecutive_failures: get_u32(r, 7)?,
        created_at_ms: get(r, 8)?,
        disabled_at_ms: get(r, 9)?,
        disabled_reason: get(r, 10)?,
    })
}

impl crate::store::WebhookStore for PgTx<'_> {
    fn insert_webhook(&mut self, w: &WebhookRow) -> Result<i64> {
        let id = self.next_ids("webhook_subscriptions", 1)?;
        self.execute(
            "INSERT INTO webhook_subscriptions (store_id, id, url, secret, previous_secret,
               previous_until, event_types, status, consecutive_failures, created_at,
               disabled_at, disabled_reason)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)",
            vec![
                p(id),
                p(w.url.clone()),
                p(w.secret.clone()),
                p(w.previous_secret.clone()),
                p(w.previous_until_ms),
                p(w.event_types.clone()),
                p(w.status.clone()),
                p(i64::from(w.consecutive_failures)),
                p(w.created_at_ms),
                p(w.disabled_at_ms),
                p(w.disabled_reason.clone()),
            ],
        )?;
        Ok(id)
    }

    fn webhooks(&mut self) -> Result<Vec<WebhookRow>> {
        let rows = self.query(
            &format!("SELECT {COLUMNS} FROM webhook_subscriptions WHERE store_id = $1 ORDER BY id"),
            vec![],
        )?;
        rows.iter().map(row).collect()
    }

    fn active_webhooks(&mut self) -> Result<Vec<WebhookRow>> {
        let rows = self.query(
            &format!(
                "SELECT {COLUMNS} FROM webhook_subscriptions
                 WHERE store_id = $1 AND status = 'active' ORDER BY id"
            ),
            vec![],
        )?;
        rows.iter().map(row).collect()
    }

    fn webhook(&mut self, id: i64) -> Result<Option<WebhookRow>> {
        let r = self.query_opt(
            &format!("SELECT {COLUMNS} FROM webhook_subscriptions WHERE store_id = $1 AND id = $2"),
            vec![p(id)],
        )?;
        r.as_ref().map(row).transpose()
    }

    fn delete_webhook(&mut self, id: i64) -> Result<bool> {
        Ok(self.execute(
            "DELETE FROM webhook_subscriptions WHERE store_id = $1 AND id = $2",
            vec![p(id)],
        )? > 0)
    }

    fn set_webhook_secrets(
        &mut self,
        id: i64,
        secret: &str,
        previous: Option<&str>,
        previous_until_ms: Option<i64>,
    ) -> Result<()> {
        self.execute(
            "UPDATE webhook_subscriptions
             SET secret = $3, previous_secret = $4, previous_until = $5
             WHERE store_id = $1 AND id = $2",
            vec![
                p(id),
                p(secret.to_owned()),
                p(previous.map(str::to_owned)),
                p(previous_until_ms),
            ],
        )?;
        Ok(())
    }

    fn webhook_failed(&mut self, id: i64) -> Result<u32> {
        let r = self.query_opt(
            "UPDATE webhook_subscriptions SET consecutive_failures = consecutive_failures + 1
             WHERE store_id = $1 AND id = $2 RETURNING consecutive_failures",
            vec![p(id)],
        )?;
        match r {
            Some(r) => get_u32(&r, 0),
            None => Ok(0),
        }
    }

    fn webhook_delivered(&mut self, rowid: i64) -> Result<()> {
        self.execute(
            "UPDATE webhook_subscriptions SET consecutive_failures = 0
             WHERE store_id = $1 AND consecutive_failures <> 0
               AND id = (SELECT webhook_id FROM outbox WHERE store_id = $1 AND id = $2)",
            vec![p(rowid)],
        )?;
        Ok(())
    }

    fn disable_webhook(&mut self, id: i64, reason: &str, now_ms: i64) -> Result<bool> {
        Ok(self.execute(
            "UPDATE webhook_subscriptions
             SET status = 'disabled', disabled_at = $3, disabled_reason = $4
             WHERE store_id = $1 AND id = $2 AND status = 'active'",
            vec![p(id), p(now_ms), p(reason.to_owned())],
        )? > 0)
    }

    fn queue_webhook_message(
        &mut self,
        message_id: &str,
        webhook: i64,
        body: &str,
        due_ms: i64,
        now_ms: i64,
    ) -> Result<()> {
        let id = self.next_ids("outbox", 1)?;
        self.execute(
            "INSERT INTO outbox (store_id, id, message_id, kind, channel, language, params,
               status, due_at, created_at, updated_at, webhook_id)
             VALUES ($1, $2, $3, 'webhook', 'email', '', $4, 'pending', $5, $6, $6, $7)",
            vec![
                p(id),
                p(message_id.to_owned()),
                p(body.to_owned()),
                p(due_ms),
                p(now_ms),
                p(webhook),
            ],
        )?;
        Ok(())
    }

    fn message_webhook(&mut self, rowid: i64) -> Result<Option<i64>> {
        let r = self.query_opt(
            "SELECT webhook_id FROM outbox WHERE store_id = $1 AND id = $2",
            vec![p(rowid)],
        )?;
        match r {
            Some(r) => get(&r, 0),
            None => Ok(None),
        }
    }

    fn cancel_webhook_messages(&mut self, webhook: i64, reason: &str, now_ms: i64) -> Result<u32> {
        let n = self.execute(
            "UPDATE outbox SET status = 'cancelled', lease_until = NULL, cancel_reason = $3,
               updated_at = $4
             WHERE store_id = $1 AND webhook_id = $2
               AND (status = 'pending' OR status = 'in_flight')",
            vec![p(webhook), p(reason.to_owned()), p(now_ms)],
        )?;
        Ok(u32::try_from(n).unwrap_or(u32::MAX))
    }
}
