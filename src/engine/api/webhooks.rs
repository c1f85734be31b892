//! Webhook subscriptions (D2): events pushed to a host's URL through the outbox, signed
//! as the Standard Webhooks specification says.

use chrono::{DateTime, Utc};

use crate::error::Result;
use crate::model::{FailOutcome, NewWebhook, Webhook};

use crate::engine::{Engine, check_now, delivery, webhooks};

impl Engine {
    /// Subscribes a URL to event types: each such event is then also queued as a
    /// `webhook` message to it, due at once. The answer carries the signing secret (the
    /// given one, or `whsec_` and 32 random bytes) — the only time it is shown.
    ///
    /// A URL that is not `https://` (or `http://` to a loopback host), an empty or unknown
    /// event type, or a secret that is not `whsec_` and base64 of 24 to 64 bytes is
    /// invalid input naming `url`, `event_types` or `secret`, never echoing them.
    pub fn add_webhook(&self, new: &NewWebhook, now: DateTime<Utc>) -> Result<Webhook> {
        check_now(now)?;
        webhooks::check_new(new)?;
        self.lock()?.write(|c| webhooks::add(c, new, now))
    }

    /// Every subscription, by id, without its secret.
    pub fn webhooks(&self) -> Result<Vec<Webhook>> {
        self.reader()?.read(webhooks::list)
    }

    /// Removes a subscription; its messages not yet delivered are cancelled.
    pub fn remove_webhook(&self, id: i64, now: DateTime<Utc>) -> Result<()> {
        check_now(now)?;
        self.lock()?.write(|c| webhooks::remove(c, id, now))
    }

    /// Gives a subscription a new secret and returns it (shown this once); the old secret
    /// still signs beside it (two space-separated signatures) for `grace`, 24 hours unless
    /// given, at most 30 days (else invalid input naming `grace`).
    pub fn rotate_webhook_secret(
        &self,
        id: i64,
        grace: Option<std::time::Duration>,
        now: DateTime<Utc>,
    ) -> Result<Webhook> {
        check_now(now)?;
        webhooks::check_grace(grace)?;
        self.lock()?.write(|c| webhooks::rotate(c, id, grace, now))
    }

    /// Queues a test delivery (type `webhook.ping.v1`) to an active subscription, due at
    /// once, and returns its message id.
    pub fn ping_webhook(&self, id: i64, now: DateTime<Utc>) -> Result<String> {
        check_now(now)?;
        self.lock()?.write(|c| webhooks::ping(c, id, now))
    }

    /// Records a failed delivery of a claimed webhook message with the endpoint's HTTP
    /// status (0 when there was none: the connection failed). It is retried as every
    /// message is; a 410 fails it for good and disables the subscription, as does its 20th
    /// failure in a row (appending `webhook.disabled.v1`); an ack resets the count. A
    /// status outside 100–599 is invalid input naming `http_status`.
    pub fn fail_webhook(
        &self,
        message_id: &str,
        http_status: u16,
        reason: &str,
        now: DateTime<Utc>,
    ) -> Result<FailOutcome> {
        check_now(now)?;
        if http_status != 0 {
            webhooks::check_http_status(http_status)?;
        }
        self.lock()?
            .write(|c| delivery::fail_webhook(c, message_id, http_status, reason, now))
    }
}
