//! `webhooks add|list|remove|rotate|ping`: the store's webhook subscriptions (D2).

use chrono::{DateTime, Utc};
use hearken::{Engine, NewWebhook, Webhook, WebhookStatus};

use crate::args::WebhooksAction;
use crate::commands::{Out, utc};
use crate::failure::Failure;

/// One line per subscription.
fn line(w: &Webhook) -> String {
    let status = match w.status {
        WebhookStatus::Active => "active".to_owned(),
        WebhookStatus::Disabled => format!(
            "disabled ({}{})",
            w.disabled_reason.as_deref().unwrap_or("?"),
            w.disabled_at
                .map(|t| format!(", {}", utc(t)))
                .unwrap_or_default()
        ),
    };
    let mut s = format!(
        "{}  {}  {}  {}  failures in a row: {}\n",
        w.id,
        w.url,
        w.event_types.join(","),
        status,
        w.consecutive_failures
    );
    if let Some(until) = w.previous_secret_until {
        s.push_str(&format!(
            "   the previous secret signs too until {}\n",
            utc(until)
        ));
    }
    s
}

/// The answer of `add` and `rotate`: the subscription and its secret, shown once.
fn with_secret(w: &Webhook) -> String {
    format!(
        "{}secret (shown once; keep it): {}\n",
        line(w),
        w.secret.as_deref().unwrap_or_default()
    )
}

/// Runs one webhooks action.
pub fn webhooks(
    e: &Engine,
    out: &Out,
    action: &WebhooksAction,
    now: DateTime<Utc>,
) -> Result<(), Failure> {
    match action {
        WebhooksAction::Add { url, events } => {
            let w = e.add_webhook(
                &NewWebhook {
                    url: url.clone(),
                    event_types: events.clone(),
                    secret: None,
                },
                now,
            )?;
            out.show(&w, || with_secret(&w));
        }
        WebhooksAction::List => {
            let all = e.webhooks()?;
            out.show(&all, || {
                if all.is_empty() {
                    return "no webhook subscriptions\n".to_owned();
                }
                all.iter().map(line).collect()
            });
        }
        WebhooksAction::Remove { id } => {
            e.remove_webhook(*id, now)?;
            let done = serde_json::json!({ "removed": id });
            out.show(&done, || format!("removed webhook {id}\n"));
        }
        WebhooksAction::Rotate { id, grace_hours } => {
            let grace = grace_hours.map(|h| std::time::Duration::from_secs(h.saturating_mul(3600)));
            let w = e.rotate_webhook_secret(*id, grace, now)?;
            out.show(&w, || with_secret(&w));
        }
        WebhooksAction::Ping { id } => {
            let message_id = e.ping_webhook(*id, now)?;
            let done = serde_json::json!({ "message_id": message_id });
            out.show(&done, || format!("queued test delivery {message_id}\n"));
        }
    }
    Ok(())
}
