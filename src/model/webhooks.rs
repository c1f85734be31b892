//! Webhook subscriptions (D2): a URL subscribed to event types, and what a claim hands
//! over to deliver one webhook message.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

/// A subscription to add: the endpoint, the event types it receives, and optionally its
/// secret (`whsec_` and base64 of 24 to 64 bytes; `None`: one is generated).
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
#[serde(deny_unknown_fields)]
pub struct NewWebhook {
    /// `https://…`, or `http://` to a loopback host (`localhost`, `127.0.0.1`, `[::1]`).
    pub url: String,
    /// The event types (`area.verb.vN`, as `docs/events.md` lists them) it receives.
    pub event_types: Vec<String>,
    /// The signing secret; `None` generates one (32 random bytes).
    #[serde(default)]
    #[cfg_attr(feature = "uniffi", uniffi(default))]
    pub secret: Option<String>,
}

impl std::fmt::Debug for NewWebhook {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("NewWebhook")
            .field("url", &self.url)
            .field("event_types", &self.event_types)
            .field("secret", &self.secret.as_ref().map(|_| "<secret>"))
            .finish()
    }
}

/// Whether a subscription still receives events.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Enum))]
#[serde(rename_all = "snake_case")]
pub enum WebhookStatus {
    /// Events of its types are queued to it.
    Active,
    /// Disabled after a 410 or 20 failures in a row: nothing is queued to it any more.
    Disabled,
}

impl WebhookStatus {
    /// The stable snake_case name.
    pub fn as_str(self) -> &'static str {
        match self {
            WebhookStatus::Active => "active",
            WebhookStatus::Disabled => "disabled",
        }
    }

    /// Parses the name given by [`WebhookStatus::as_str`].
    pub fn parse(s: &str) -> Option<Self> {
        [WebhookStatus::Active, WebhookStatus::Disabled]
            .into_iter()
            .find(|w| w.as_str() == s)
    }
}

/// A webhook subscription as stored. Its secret is shown only by the call that made it
/// (`add_webhook`, `rotate_webhook_secret`); a listing leaves it out (`None`).
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
#[serde(deny_unknown_fields)]
pub struct Webhook {
    /// Its id in this store.
    pub id: i64,
    /// The endpoint.
    pub url: String,
    /// The event types it receives.
    pub event_types: Vec<String>,
    /// Active or disabled.
    pub status: WebhookStatus,
    /// Failed deliveries in a row (an ack resets it; the 20th disables the subscription).
    pub consecutive_failures: u32,
    /// When it was added.
    pub created_at: DateTime<Utc>,
    /// When it was disabled.
    #[serde(default)]
    pub disabled_at: Option<DateTime<Utc>>,
    /// Why it was disabled (`gone`: the endpoint answered 410; `failures`: 20 in a row).
    #[serde(default)]
    pub disabled_reason: Option<String>,
    /// Until when the previous secret still signs too, after a rotation.
    #[serde(default)]
    pub previous_secret_until: Option<DateTime<Utc>>,
    /// The secret: only in the answer of the call that set it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub secret: Option<String>,
}

impl std::fmt::Debug for Webhook {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Webhook")
            .field("id", &self.id)
            .field("url", &self.url)
            .field("event_types", &self.event_types)
            .field("status", &self.status)
            .field("consecutive_failures", &self.consecutive_failures)
            .field("created_at", &self.created_at)
            .field("disabled_at", &self.disabled_at)
            .field("disabled_reason", &self.disabled_reason)
            .field("previous_secret_until", &self.previous_secret_until)
            .field("secret", &self.secret.as_ref().map(|_| "<secret>"))
            .finish()
    }
}

/// What a host needs to deliver a claimed webhook message: POST the message's `body` to
/// `url` with the three Standard Webhooks headers, then ack it, or fail it with the
/// endpoint's HTTP status.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
#[serde(deny_unknown_fields)]
pub struct WebhookDelivery {
    /// The subscription's id.
    pub webhook: i64,
    /// The endpoint to POST to.
    pub url: String,
    /// The `webhook-id` header: `msg_` and the message id (the same on every retry).
    pub webhook_id: String,
    /// The `webhook-timestamp` header: the claim's `now`, Unix seconds.
    pub webhook_timestamp: String,
    /// The `webhook-signature` header: `v1,…`, two space-separated during a rotation.
    pub webhook_signature: String,
}
