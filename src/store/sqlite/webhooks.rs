//! Webhook subscriptions (D2) in the file, and the outbox messages queued to them.

use rusqlite::{OptionalExtension, params};

use crate::error::Result;
use crate::store::WebhookRow;

const COLUMNS: &str = "id, url, secret, previous_secret, previous_until, event_types, status, \
    consecutive_failures, created_at, disabled_at, disabled_reason";

fn row(r: &rusqlite::Row<'_>) -> rusqlite::Result<WebhookRow> {
    Ok(WebhookRow {
        id: r.get(0)?,
        url: r.get(1)?,
        secret: r.get(2)?,
        previous_secret: r.get(3)?,
        previous_until_ms: r.get(4)?,
        event_types: r.get(5)?,
        status: r.get(6)?,
        consecutive_failures: r.get(7)?,
        created_at_ms: r.get(8)?,
        disabled_at_ms: r.get(9)?,
        disabled_reason: r.get(10)?,
    })
}

impl super::SqliteTx<'_> {
    fn webhook_rows(&self, filter: &str) -> Result<Vec<WebhookRow>> {
        let mut stmt = self.conn.prepare_cached(&format!(
            "SELECT {COLUMNS} FROM webhook_subscriptions {filter} ORDER BY id"
        ))?;
        let rows = stmt.query_map([], row)?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }
}

impl crate::store::WebhookStore for super::SqliteTx<'_> {
    fn insert_webhook(&mut self, w: &WebhookRow) -> Result<i64> {
        self.conn
            .prepare_cached(
                "INSERT INTO webhook_subscriptions (url, secret, previous_secret, previous_until,
                   event_types, status, consecutive_failures, created_at, disabled_at,
                   disabled_reason)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)",
            )?
            .execute(params![
                w.url,
                w.secret,
                w.previous_secret,
                w.previous_until_ms,
                w.event_types,
                w.status,
                w.consecutive_failures,
                w.created_at_ms,
                w.disabled_at_ms,
                w.disabled_reason
            ])?;
        Ok(self.conn.last_insert_rowid())
    }

    fn webhooks(&mut self) -> Result<Vec<WebhookRow>> {
        self.webhook_rows("")
    }

    fn active_webhooks(&mut self) -> Result<Vec<WebhookRow>> {
        self.webhook_rows("WHERE status = 'active'")
    }

    fn webhook(&mut self, id: i64) -> Result<Option<WebhookRow>> {
        Ok(self
            .conn
            .prepare_cached(&format!(
                "SELECT {COLUMNS} FROM webhook_subscriptions WHERE id = ?1"
            ))?
            .query_row([id], row)
            .optional()?)
    }

    fn delete_webhook(&mut self, id: i64) -> Result<bool> {
        Ok(self
            .conn
            .prepare_cached("DELETE FROM webhook_subscriptions WHERE id = ?1")?
            .execute([id])?
            > 0)
    }

    fn set_webhook_secrets(
        &mut self,
        id: i64,
        secret: &str,
        previous: Option<&str>,
        previous_until_ms: Option<i64>,
    ) -> Result<()> {
        self.conn
            .prepare_cached(
                "UPDATE webhook_subscriptions
                 SET secret = ?2, previous_secret = ?3, previous_until = ?4 WHERE id = ?1",
            )?
            .execute(params![id, secret, previous, previous_until_ms])?;
        Ok(())
    }

    fn webhook_failed(&mut self, id: i64) -> Result<u32> {
        Ok(self
            .conn
            .prepare_cached(
                "UPDATE webhook_subscriptions SET consecutive_failures = consecutive_failures + 1
                 WHERE id = ?1 RETURNING consecutive_failures",
            )?
            .query_row([id], |r| r.get(0))
            .optional()?
            .unwrap_or(0))
    }

    fn webhook_delivered(&mut self, rowid: i64) -> Result<()> {
        self.conn
            .prepare_cached(
                "UPDATE webhook_subscriptions SET consecutive_failures = 0
                 WHERE id = (SELECT webhook_id FROM outbox WHERE id = ?1)
                   AND consecutive_failures != 0",
            )?
            .execute([rowid])?;
        Ok(())
    }

    fn disable_webhook(&mut self, id: i64, reason: &str, now_ms: i64) -> Result<bool> {
        Ok(self
            .conn
            .prepare_cached(
                "UPDATE webhook_subscriptions
                 SET status = 'disabled', disabled_at = ?2, disabled_reason = ?3
                 WHERE id = ?1 AND status = 'active'",
            )?
            .execute(params![id, now_ms, reason])?
            > 0)
    }

    fn queue_webhook_message(
        &mut self,
        message_id: &str,
        webhook: i64,
        body: &str,
        due_ms: i64,
        now_ms: i64,
    ) -> Result<()> {
        self.conn
            .prepare_cached(
                "INSERT INTO outbox (message_id, kind, channel, language, params, status, due_at,
                   created_at, updated_at, webhook_id)
                 VALUES (?1, 'webhook', 'email', '', ?2, 'pending', ?3, ?4, ?4, ?5)",
            )?
            .execute(params![message_id, body, due_ms, now_ms, webhook])?;
        Ok(())
    }

    fn message_webhook(&mut self, rowid: i64) -> Result<Option<i64>> {
        Ok(self
            .conn
            .prepare_cached("SELECT webhook_id FROM outbox WHERE id = ?1")?
            .query_row([rowid], |r| r.get(0))
            .optional()?
            .flatten())
    }

    fn cancel_webhook_messages(&mut self, webhook: i64, reason: &str, now_ms: i64) -> Result<u32> {
        let n = self
            .conn
            .prepare_cached(
                "UPDATE outbox SET status = 'cancelled', lease_until = NULL, cancel_reason = ?2,
                   updated_at = ?3
                 WHERE webhook_id = ?1 AND (status = 'pending' OR status = 'in_flight')",
            )?
            .execute(params![webhook, reason, now_ms])?;
        Ok(u32::try_from(n).unwrap_or(u32::MAX))
    }
}
