//! The webhooks area of the storage seam (D2): subscriptions, and the outbox messages
//! queued to them.

use crate::error::Result;

/// A webhook subscription as stored (its secrets included: never printed).
#[derive(Clone, PartialEq, Eq)]
pub struct WebhookRow {
    /// Its id (never reused in a store).
    pub id: i64,
    /// The endpoint.
    pub url: String,
    /// The signing secret, `whsec_…`.
    pub secret: String,
    /// The secret before the last rotation, still signing until `previous_until_ms`.
    pub previous_secret: Option<String>,
    /// Until when the previous secret signs, Unix ms.
    pub previous_until_ms: Option<i64>,
    /// The event types, a JSON array's text.
    pub event_types: String,
    /// `active` or `disabled`.
    pub status: String,
    /// Failed deliveries in a row.
    pub consecutive_failures: u32,
    /// When it was added, Unix ms.
    pub created_at_ms: i64,
    /// When it was disabled, Unix ms.
    pub disabled_at_ms: Option<i64>,
    /// Why it was disabled.
    pub disabled_reason: Option<String>,
}

impl std::fmt::Debug for WebhookRow {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("WebhookRow")
            .field("id", &self.id)
            .field("url", &self.url)
            .field("event_types", &self.event_types)
            .field("status", &self.status)
            .finish_non_exhaustive()
    }
}

/// The webhook subscriptions a store keeps (mirrors `store/sqlite/webhooks.rs`).
pub trait WebhookStore {
    /// Adds a subscription (its `id` is ignored) and returns its id.
    fn insert_webhook(&mut self, row: &WebhookRow) -> Result<i64>;

    /// Every subscription, by id.
    fn webhooks(&mut self) -> Result<Vec<WebhookRow>>;

    /// The active subscriptions, by id (read wherever an event is appended: a store
    /// without any answers from an empty index).
    fn active_webhooks(&mut self) -> Result<Vec<WebhookRow>>;

    /// One subscription.
    fn webhook(&mut self, id: i64) -> Result<Option<WebhookRow>>;

    /// Deletes a subscription; true when it existed.
    fn delete_webhook(&mut self, id: i64) -> Result<bool>;

    /// Sets a subscription's secrets after a rotation.
    fn set_webhook_secrets(
        &mut self,
        id: i64,
        secret: &str,
        previous: Option<&str>,
        previous_until_ms: Option<i64>,
    ) -> Result<()>;

    /// Counts one more failed delivery and returns the count in a row.
    fn webhook_failed(&mut self, id: i64) -> Result<u32>;

    /// Resets the failures in a row of the subscription message `rowid` was queued to.
    fn webhook_delivered(&mut self, rowid: i64) -> Result<()>;

    /// Disables a subscription with `reason`; true when it was active.
    fn disable_webhook(&mut self, id: i64, reason: &str, now_ms: i64) -> Result<bool>;

    /// Queues a webhook message to subscription `webhook`, due at `due_ms`, with `body`.
    fn queue_webhook_message(
        &mut self,
        message_id: &str,
        webhook: i64,
        body: &str,
        due_ms: i64,
        now_ms: i64,
    ) -> Result<()>;

    /// The subscription a message was queued to, by outbox row id.
    fn message_webhook(&mut self, rowid: i64) -> Result<Option<i64>>;

    /// Cancels the pending and in-flight messages of subscription `webhook` with `reason`
    /// (found by its index, not by a scan) and returns how many.
    fn cancel_webhook_messages(&mut self, webhook: i64, reason: &str, now_ms: i64) -> Result<u32>;
}
