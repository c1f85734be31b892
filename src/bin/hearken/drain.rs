//! `outbox claim|ack|fail`: draining the outbox by hand or from a script, for a host
//! without a mailer of its own. A claimed message is leased: it is offered again when the
//! lease runs out, unless it was acked (delivered) or failed.

use std::path::Path;

use chrono::{DateTime, Utc};
use hearken::{AckStatus, DeliveryFeedback, Engine, Error, FailOutcome, OutboundMessage, Problem};

use crate::commands::{Out, count, utc};
use crate::failure::Failure;

/// A message id as the engine mints them (ASCII letters, digits, `-`, `_`). Anything else
/// is refused before the store is asked, and never echoed.
fn check_id(id: &str) -> Result<(), Failure> {
    let ok = !id.is_empty()
        && id.len() <= 64
        && id
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_');
    if ok {
        Ok(())
    } else {
        Err(Error::invalid(Problem::top(
            "outbox",
            "message_id",
            "not a message id (letters, digits, '-' and '_', at most 64)",
        ))
        .into())
    }
}

/// `outbox claim [--limit N] [--out DIR]`.
pub fn claim(
    e: &Engine,
    out: &Out,
    limit: u32,
    dir: Option<&Path>,
    now: DateTime<Utc>,
) -> Result<(), Failure> {
    if let Some(dir) = dir {
        // Before claiming: a folder we cannot write into would lease messages for nothing.
        writable_dir(dir)?;
    }
    let messages = e.claim(limit, now)?;
    let Some(dir) = dir else {
        out.show(&messages, || messages_text(&messages));
        return Ok(());
    };
    let mut files = Vec::new();
    for m in &messages {
        let path = dir.join(format!("{}.json", m.message_id));
        write_new(
            e,
            &path,
            &hearken::wire::to_json(m),
            Some(messages.len() - files.len()),
        )?;
        files.push(path);
    }
    let shown: Vec<String> = files.iter().map(|p| p.display().to_string()).collect();
    let doc = serde_json::json!({ "claimed": messages.len(), "files": shown });
    out.show(&doc, || {
        let mut s = format!(
            "claimed {} into {}\n",
            count(messages.len() as u64, "message", "messages"),
            dir.display()
        );
        for f in &shown {
            s.push_str(f);
            s.push('\n');
        }
        s
    });
    Ok(())
}

/// Fails, naming the folder, unless `dir` is a folder a file can be created in.
fn writable_dir(dir: &Path) -> Result<(), Failure> {
    let named = |err| Failure::Output(dir.to_owned(), err, None);
    let meta = std::fs::metadata(dir).map_err(named)?;
    if !meta.is_dir() {
        return Err(named(std::io::Error::from(
            std::io::ErrorKind::NotADirectory,
        )));
    }
    tempfile::Builder::new()
        .prefix(".hearken-")
        .tempfile_in(dir)
        .map(drop)
        .map_err(named)
}

/// Writes `text` to `path` whole or not at all, as the engine writes every file (T4): a
/// fresh temporary name beside it, renamed over it once complete; readable by its owner
/// only on Unix; never onto the store's own file or its companions. `unwritten`: the files
/// not written yet, counting this one, for the failure message.
pub fn write_new(
    e: &Engine,
    path: &Path,
    text: &str,
    unwritten: Option<usize>,
) -> Result<(), Failure> {
    let mut bytes = Vec::with_capacity(text.len() + 1);
    bytes.extend_from_slice(text.as_bytes());
    bytes.push(b'\n');
    e.write_file(path, &bytes).map_err(|err| match err {
        hearken::Error::Io(io) => Failure::Output(path.to_owned(), io, unwritten),
        err => Failure::at(path, "write", err),
    })
}

fn messages_text(messages: &[OutboundMessage]) -> String {
    if messages.is_empty() {
        return "nothing due\n".to_owned();
    }
    let mut s = String::new();
    for m in messages {
        s.push_str(&format!(
            "message {} ({}, {}) to {}\n",
            m.message_id,
            m.kind.as_str(),
            m.channel.as_str(),
            m.recipient
        ));
        if let Some(reply_to) = &m.reply_to {
            s.push_str(&format!("reply-to: {reply_to}\n"));
        }
        if !m.subject.is_empty() {
            s.push_str(&format!("subject: {}\n", m.subject));
        }
        s.push('\n');
        s.push_str(&m.body);
        if !m.body.ends_with('\n') {
            s.push('\n');
        }
        s.push_str("----\n");
    }
    s.push_str(&format!(
        "{} claimed: `hearken outbox ack ID` once sent, `hearken outbox fail ID --reason …` if not\n",
        count(messages.len() as u64, "message", "messages"),
    ));
    s
}

/// `outbox ack ID…`: every id is checked before any is acked; the valid ones are acked in
/// one transaction (`Engine::ack_many`). An id that cannot be acked (never claimed,
/// cancelled, unknown) is reported and makes the exit code that of its error (conflict 5,
/// else not found 4); the others stay acked.
pub fn ack(e: &Engine, out: &Out, ids: &[String], now: DateTime<Utc>) -> Result<(), Failure> {
    for id in ids {
        check_id(id)?;
    }
    let outcomes = e.ack_many(ids, now)?;
    let acked: Vec<&str> = outcomes
        .iter()
        .filter(|o| o.status.is_ok())
        .map(|o| o.message_id.as_str())
        .collect();
    out.show(
        &serde_json::json!({ "acked": acked, "outcomes": outcomes }),
        || {
            let mut s = format!(
                "{} acknowledged as delivered\n",
                count(acked.len() as u64, "message", "messages")
            );
            for o in outcomes.iter().filter(|o| !o.status.is_ok()) {
                s.push_str(&format!("message {}: {}", o.message_id, o.status.as_str()));
                if let Some(detail) = &o.detail {
                    s.push_str(&format!(" ({detail})"));
                }
                s.push('\n');
            }
            s
        },
    );
    let worst = outcomes
        .iter()
        .find(|o| o.status == AckStatus::Conflict)
        .or_else(|| outcomes.iter().find(|o| o.status == AckStatus::NotFound));
    match worst {
        None => Ok(()),
        Some(o) if o.status == AckStatus::Conflict => Err(Error::Conflict(
            o.detail
                .clone()
                .unwrap_or_else(|| "the message cannot be acked".into()),
        )
        .into()),
        Some(o) => Err(Error::NotFound {
            what: "message",
            id: o.message_id.clone(),
        }
        .into()),
    }
}

/// `outbox run-due`: the timers alone; prints what they queued.
pub fn run_due(e: &Engine, out: &Out, now: DateTime<Utc>) -> Result<(), Failure> {
    let due = e.run_due(now)?;
    out.show(&due, || {
        format!(
            "queued {} and {}\n",
            count(u64::from(due.reminders), "reminder", "reminders"),
            count(u64::from(due.escalations), "escalation", "escalations")
        )
    });
    Ok(())
}

/// `outbox fail ID --reason TEXT [--permanent]`.
pub fn fail(
    e: &Engine,
    out: &Out,
    id: &str,
    reason: &str,
    permanent: bool,
    now: DateTime<Utc>,
) -> Result<(), Failure> {
    check_id(id)?;
    if reason.trim().is_empty() {
        return Err(Error::invalid(Problem::top("outbox", "reason", "must not be empty")).into());
    }
    let outcome = e.fail(id, reason, permanent, now)?;
    let doc = match outcome {
        FailOutcome::Retry { retry_at } => {
            serde_json::json!({ "message_id": id, "outcome": "retry", "retry_at": retry_at })
        }
        _ => serde_json::json!({ "message_id": id, "outcome": "failed" }),
    };
    out.show(&doc, || match outcome {
        FailOutcome::Retry { retry_at } => {
            format!("message {id}: offered again at {}\n", utc(retry_at))
        }
        _ => {
            format!("message {id}: failed for good; its invitation no longer holds the cooldown\n")
        }
    });
    Ok(())
}

/// `outbox bounce ID --hard|--soft|--complaint` (D3).
pub fn bounce(
    e: &Engine,
    out: &Out,
    id: &str,
    (hard, soft, complaint): (bool, bool, bool),
    now: DateTime<Utc>,
) -> Result<(), Failure> {
    check_id(id)?;
    let feedback = match (hard, soft, complaint) {
        (true, false, false) => DeliveryFeedback::HardBounce,
        (false, true, false) => DeliveryFeedback::SoftBounce,
        (false, false, true) => DeliveryFeedback::Complaint,
        _ => {
            return Err(Error::invalid(Problem::top(
                "outbox",
                "feedback",
                "give one of --hard, --soft or --complaint",
            ))
            .into());
        }
    };
    let outcome = e.report_delivery(id, feedback, now)?;
    out.show(&outcome, || {
        let mut line = format!("message {id}: {}", feedback.as_str().replace('_', " "));
        if !outcome.changed {
            line.push_str(" reported before; nothing more changed");
        } else if let Some(retry_at) = outcome.retry_at {
            line.push_str(&format!("; offered again at {}", utc(retry_at)));
        } else if outcome.unsubscribed {
            line.push_str("; the customer is unsubscribed");
        } else if outcome.contact_marked {
            line.push_str("; the invitation bounced and the contact is unusable");
        }
        line.push('\n');
        line
    });
    Ok(())
}
