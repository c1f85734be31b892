//! `customer show|cancel|export|erase`: the POS customer screen, cancelling a customer's
//! pending messages, access and erasure by customer or by contact (D6, D7).

use chrono::{DateTime, Utc};
use hearken::{ContactState, Engine};

use crate::args::CustomerAction;
use crate::commands::{Out, count, utc};
use crate::failure::Failure;

/// Runs one customer action.
pub fn customer(
    e: &Engine,
    out: &Out,
    action: &CustomerAction,
    now: DateTime<Utc>,
) -> Result<(), Failure> {
    match action {
        CustomerAction::Show { customer } => {
            let s = e.contact_state(customer, now)?;
            out.show(&s, || show(&s));
        }
        CustomerAction::Cancel { customer } => {
            let r = e.cancel_pending(customer, now)?;
            out.show(&r, || {
                let mut s = format!(
                    "cancelled {} of {}\n",
                    count(r.cancelled, "message", "messages"),
                    r.customer
                );
                for id in &r.message_ids {
                    s.push_str(&format!("  {id}\n"));
                }
                if !r.in_flight.is_empty() {
                    s.push_str(&format!(
                        "left alone: {} the host holds (claimed, not acked)\n",
                        count(r.in_flight.len() as u64, "message", "messages")
                    ));
                }
                s
            });
        }
        // An access document is JSON whatever the output mode: it is what is handed over.
        CustomerAction::Export { customer, contact } => {
            let doc = match (customer, contact) {
                (_, Some(c)) => e.contact_export(c)?,
                (Some(id), None) => e.customer_export(id)?,
                (None, None) => return Err(neither()),
            };
            out.show(&doc, || format!("{doc:#}\n"));
        }
        CustomerAction::Erase { customer, contact } => match (customer, contact) {
            (_, Some(c)) => {
                let r = e.erase_contact(c, now)?;
                out.show(&r, || {
                    let mut s = format!(
                        "erased the {} and {} who had it",
                        r.kind,
                        count(r.customers.len() as u64, "customer", "customers")
                    );
                    for c in &r.customers {
                        s.push_str(&format!("\n  {}", c.customer));
                    }
                    s.push('\n');
                    if r.suppression_hashed {
                        s.push_str("its unsubscribe is kept as a hash only\n");
                    }
                    if !r.scrubbed {
                        s.push_str("the file's scrub finishes when the last reader closes\n");
                    }
                    s
                });
            }
            (Some(id), None) => {
                let r = e.erase_customer(id, now)?;
                out.show(&r, || {
                    format!(
                        "erased {}: {} kept for the scores, {} removed, {} cancelled\n",
                        r.customer,
                        count(r.responses_kept, "response", "responses"),
                        count(r.texts_removed, "text", "texts"),
                        count(r.messages_cancelled, "message", "messages")
                    )
                });
            }
            (None, None) => return Err(neither()),
        },
    }
    Ok(())
}

/// clap requires a customer or a contact; should neither arrive, it is invalid input.
fn neither() -> Failure {
    Failure::Engine(hearken::Error::invalid(hearken::Problem::top(
        "customer",
        "customer",
        "a customer id or --contact is required",
    )))
}

fn yes(b: bool) -> &'static str {
    if b { "yes" } else { "no" }
}

/// The customer screen in words.
fn show(s: &ContactState) -> String {
    let mut out = format!(
        "customer {}{}\n",
        s.customer,
        if s.erased { " (erased)" } else { "" }
    );
    match &s.last_invited {
        Some(i) => out.push_str(&format!(
            "last invited: {} ({}, {}, #{} at {})\n",
            i.business_date,
            i.kind.as_str(),
            i.status,
            i.invitation_id,
            i.location
        )),
        None => out.push_str("last invited: never\n"),
    }
    match &s.last_answered {
        Some(a) => out.push_str(&format!(
            "last answered: {}{}\n",
            utc(a.at),
            a.nps.map(|n| format!(", NPS {n}")).unwrap_or_default()
        )),
        None => out.push_str("last answered: never\n"),
    }
    for n in &s.next_eligible {
        let what = match &n.location {
            Some(l) => format!("{} survey at {l}", n.kind.as_str()),
            None => format!("{} survey", n.kind.as_str()),
        };
        let when = match (n.eligible_on, n.reason) {
            (Some(d), None) => format!("eligible from {d}"),
            (Some(d), Some(r)) => format!("eligible from {d} ({})", r.describe()),
            (None, Some(r)) => format!("not eligible: {} [{r}]", r.describe()),
            (None, None) => "not eligible".to_owned(),
        };
        out.push_str(&format!("{what}: {when}\n"));
    }
    if s.pending.is_empty() {
        out.push_str("pending messages: none\n");
    }
    for m in &s.pending {
        out.push_str(&format!(
            "pending: {} {} due {} ({})\n",
            m.message_id,
            m.kind.as_str(),
            utc(m.due_at),
            m.status.as_str()
        ));
    }
    out.push_str(&format!(
        "unsubscribed: {}{}; e-mail suppressed: {}; phone suppressed: {}\n",
        yes(s.subscription.unsubscribed),
        s.subscription
            .unsubscribed_since
            .map(|t| format!(" (since {})", utc(t)))
            .unwrap_or_default(),
        yes(s.subscription.email_suppressed),
        yes(s.subscription.phone_suppressed),
    ));
    out.push_str(&format!(
        "include in communications: {}; reply consent: {}\n",
        yes(s.consent.include_in_communications),
        s.consent.reply.map_or("not asked", yes)
    ));
    out
}
