//! The commands that are not reports: sync, backfill, explain, unsubscribe, the outbox
//! list and locations.

use std::cell::Cell;
use std::io::{IsTerminal, Read, Write};
use std::path::Path;

use chrono::{DateTime, Utc};
use hearken::{Engine, Location, ReportDetail, SyncOptions, SyncReport};
use indicatif::{ProgressBar, ProgressStyle};
use serde::Serialize;

use crate::args::LocationAction;
use crate::failure::Failure;
use crate::table::Table;

/// Where results go: text tables, or one JSON document.
pub struct Out {
    /// Print JSON instead of text.
    pub json: bool,
    /// Stdout was closed before everything was written (`hearken … | head -1`).
    broken_pipe: Cell<bool>,
    /// Writing on stdout failed otherwise (a full disk).
    write_failed: Cell<bool>,
}

impl Out {
    /// Output as text, or as JSON when `json`.
    pub fn new(json: bool) -> Self {
        Out {
            json,
            broken_pipe: Cell::new(false),
            write_failed: Cell::new(false),
        }
    }

    /// Prints `value` as JSON, or the text `human` builds.
    pub fn show<T: Serialize>(&self, value: &T, human: impl FnOnce() -> String) {
        let text = if self.json {
            format!("{}\n", crate::shown::json(&hearken::wire::to_json(value)))
        } else {
            crate::shown::text(&human())
        };
        self.write(&text);
    }

    /// Writes on stdout. A reader that went away (EPIPE) is not a failure of the command:
    /// the rest is dropped and the exit code says so (see [`Out::broken_pipe`]); print!
    /// would panic there.
    fn write(&self, text: &str) {
        if self.broken_pipe.get() || self.write_failed.get() {
            return;
        }
        let mut stdout = std::io::stdout().lock();
        if let Err(e) = stdout
            .write_all(text.as_bytes())
            .and_then(|()| stdout.flush())
        {
            if e.kind() == std::io::ErrorKind::BrokenPipe {
                self.broken_pipe.set(true);
            } else {
                // Any other write failure (a full disk) is worth a line on stderr.
                eprintln!("error: cannot write the output: {e}");
                self.write_failed.set(true);
            }
        }
    }

    /// Whether stdout was closed before the output was written whole.
    pub fn broken_pipe(&self) -> bool {
        self.broken_pipe.get()
    }

    /// Whether writing on stdout failed for another reason (already said on stderr).
    pub fn write_failed(&self) -> bool {
        self.write_failed.get()
    }
}

/// "1 comment", "2 comments".
pub fn count(n: impl Into<u64>, one: &str, many: &str) -> String {
    let n = n.into();
    format!("{n} {}", if n == 1 { one } else { many })
}

/// A UTC instant as the tables show it.
pub fn utc(t: DateTime<Utc>) -> String {
    t.format("%Y-%m-%d %H:%M UTC").to_string()
}

/// Refuses a folder where a file is expected, naming it (reading one fails with EISDIR
/// on Linux only after it was opened, and not at all on some systems).
pub fn not_a_folder(file: &Path) -> Result<(), Failure> {
    match std::fs::metadata(file) {
        Ok(m) if m.is_dir() => Err(Failure::Input(
            file.to_owned(),
            std::io::Error::from(std::io::ErrorKind::IsADirectory),
        )),
        _ => Ok(()),
    }
}

fn read_input(file: &Path) -> Result<String, Failure> {
    not_a_folder(file)?;
    let mut bytes = Vec::new();
    let read = if file == Path::new("-") {
        std::io::stdin().read_to_end(&mut bytes).map(|_| ())
    } else {
        std::fs::read(file).map(|b| bytes = b)
    };
    read.map_err(|e| Failure::Input(file.to_owned(), e))?;
    String::from_utf8(bytes).map_err(|e| {
        // Bad input, not a storage failure: say where, never echo the bytes.
        let at = e.utf8_error().valid_up_to();
        let line = e.as_bytes()[..at].iter().filter(|b| **b == b'\n').count() + 1;
        Failure::Engine(hearken::Error::invalid(hearken::Problem::top(
            "batch",
            "file",
            format!("not valid UTF-8 (first bad byte at offset {at}, line {line})"),
        )))
    })
}

/// `sync [--counts-only] FILE`.
pub fn sync(
    e: &Engine,
    out: &Out,
    file: &Path,
    counts_only: bool,
    now: DateTime<Utc>,
) -> Result<(), Failure> {
    let options = SyncOptions {
        report: if counts_only {
            ReportDetail::Counts
        } else {
            ReportDetail::Full
        },
    };
    let report = e.sync_json_with(&read_input(file)?, now, &options)?;
    out.show(&report, || sync_text(&report));
    Ok(())
}

fn dates(d: &[chrono::NaiveDate]) -> String {
    if d.is_empty() {
        return "none".into();
    }
    d.iter()
        .map(|d| d.to_string())
        .collect::<Vec<_>>()
        .join(", ")
}

fn sync_text(r: &SyncReport) -> String {
    let mut s = format!(
        "synced {} for {}: {}, {} updated; {}, {} updated; \
         {}\ncaught up: {}; still missing (backfill needed): {}\n",
        r.location,
        r.business_date,
        count(r.customers_created, "new customer", "new customers"),
        r.customers_updated,
        count(
            r.transactions_created,
            "new transaction",
            "new transactions"
        ),
        r.transactions_updated,
        count(r.employees_upserted, "employee", "employees"),
        dates(&r.caught_up_dates),
        dates(&r.missing_dates),
    );
    // A counts-only report has its counts and empty lists: the tables below are empty.
    let counted = r.counted();
    s.push_str(&format!(
        "\n{}\n",
        count(u64::from(counted.invitations), "invitation", "invitations")
    ));
    if !r.invitations.is_empty() {
        let mut t = Table::new(&["customer", "transaction", "channel", "language", "due"]);
        for i in &r.invitations {
            t.row([
                i.customer.clone(),
                i.transaction.clone(),
                i.channel.as_str().to_owned(),
                i.language.clone(),
                utc(i.due_at),
            ]);
        }
        s.push_str(&t.render());
    }
    s.push_str(&format!("\n{} skipped\n", counted.skipped));
    if !r.skipped.is_empty() {
        let mut t = Table::new(&["transaction", "customer", "reason", "eligible again", "why"]);
        for k in &r.skipped {
            t.row([
                k.transaction.clone(),
                k.customer.clone().unwrap_or_default(),
                k.reason.as_str().to_owned(),
                k.eligible_again_on
                    .map(|d| d.to_string())
                    .unwrap_or_default(),
                k.reason.describe().to_owned(),
            ]);
        }
        s.push_str(&t.render());
    }
    s
}

/// `backfill FILE`, with a progress bar on stderr when it is a terminal.
pub fn backfill(e: &Engine, out: &Out, file: &Path, now: DateTime<Utc>) -> Result<(), Failure> {
    not_a_folder(file)?;
    let reader = std::fs::File::open(file)
        .map(std::io::BufReader::new)
        .map_err(|err| Failure::Input(file.to_owned(), err))?;
    let mut bar: Option<ProgressBar> = None;
    let tty = std::io::stderr().is_terminal();
    let report = e.backfill_reader(reader, now, |p| {
        if !tty {
            return;
        }
        let b = bar.get_or_insert_with(|| {
            let b = ProgressBar::new(p.total);
            if let Ok(style) =
                ProgressStyle::with_template("{bar:40} {pos}/{len} batches ({elapsed})")
            {
                b.set_style(style);
            }
            b
        });
        b.set_position(p.done);
    })?;
    if let Some(b) = bar {
        b.finish_and_clear();
    }
    out.show(&report, || {
        let invited: usize = report.batches.iter().map(|b| b.invitations.len()).sum();
        let skipped: usize = report.batches.iter().map(|b| b.skipped.len()).sum();
        let n = |v: usize| v as u64;
        let mut t = Table::new(&[
            "line",
            "location",
            "business date",
            "new customers",
            "new transactions",
            "invitations",
            "skipped",
        ]);
        for (i, b) in report.batches.iter().enumerate() {
            t.row([
                (i + 1).to_string(),
                b.location.clone(),
                b.business_date.to_string(),
                b.customers_created.to_string(),
                b.transactions_created.to_string(),
                b.invitations.len().to_string(),
                b.skipped.len().to_string(),
            ]);
        }
        format!(
            "backfilled {}: {}, {skipped} skipped\n{}",
            count(n(report.batches.len()), "batch", "batches"),
            count(n(invited), "invitation", "invitations"),
            t.render()
        )
    });
    Ok(())
}

fn yes(b: bool) -> &'static str {
    if b { "yes" } else { "no" }
}

/// `explain CUSTOMER`.
/// `hearken events`: the feed after a cursor (D1).
pub fn events(e: &Engine, out: &Out, after: Option<&str>, limit: u32) -> Result<(), Failure> {
    let page = e.events(after, limit)?;
    out.show(&page, || match &page {
        hearken::EventsPage::Events {
            events,
            next_cursor,
        } => {
            let mut s = String::new();
            for ev in events {
                s.push_str(&format!(
                    "{}  {}  {}  {}\n",
                    ev.cursor,
                    utc(ev.at),
                    ev.kind,
                    ev.data
                ));
            }
            if events.is_empty() {
                s.push_str("no new events\n");
            }
            s.push_str(&format!("next cursor: {next_cursor}\n"));
            s
        }
        hearken::EventsPage::CursorExpired { oldest_cursor } => format!(
            "the events after this cursor were pruned (older than the retention): \
             re-synchronise, then read from {oldest_cursor}\n"
        ),
        hearken::EventsPage::ForeignCursor { oldest_cursor } => format!(
            "this cursor is from another copy of the store (a restored backup, an import): \
             re-synchronise, then read from {oldest_cursor}\n"
        ),
    });
    Ok(())
}

pub fn explain(e: &Engine, out: &Out, customer: &str, now: DateTime<Utc>) -> Result<(), Failure> {
    let x = e.explain(customer, now)?;
    out.show(&x, || {
        let mut s = format!(
            "customer {}\nunsubscribed: {}{}; include in communications: {}; \
             e-mail usable: {}; phone usable: {}\n",
            x.customer,
            yes(x.unsubscribed),
            x.unsubscribed_at
                .map(|t| format!(" (since {})", utc(t)))
                .unwrap_or_default(),
            yes(x.include_in_communications),
            yes(x.email_usable),
            yes(x.phone_usable),
        );
        if let Some(d) = x.eligible_again_on {
            s.push_str(&format!("in cooldown: eligible again on {d}\n"));
        }
        s.push('\n');
        for line in x.lines() {
            s.push_str(&line);
            s.push('\n');
        }
        if x.decisions.is_empty() {
            s.push_str("no transactions decided yet\n");
        }
        s
    });
    Ok(())
}

/// `unsubscribe CONTACT`.
pub fn unsubscribe(
    e: &Engine,
    out: &Out,
    contact: &str,
    now: DateTime<Utc>,
) -> Result<(), Failure> {
    e.unsubscribe_contact(contact, now)?;
    out.show(&serde_json::json!({ "unsubscribed": contact }), || {
        format!("unsubscribed {contact:?} from every survey at every location\n")
    });
    Ok(())
}

/// `sms receive` (D4): one inbound SMS, as the provider's webhook reported it. The text
/// output names what was done, never the phone or the text.
pub fn receive_sms(
    e: &Engine,
    out: &Out,
    from: &str,
    body: &str,
    at: DateTime<Utc>,
) -> Result<(), Failure> {
    let sms = hearken::InboundSms {
        from: from.to_owned(),
        body: body.to_owned(),
        received_at: at,
    };
    let outcome = e.receive_sms(&sms)?;
    out.show(&outcome, || match &outcome {
        hearken::SmsOutcome::OptedOut {
            keyword,
            confirmation_id,
        } => match confirmation_id {
            Some(id) => format!("opted out ({keyword:?}); confirmation {id} queued\n"),
            None => format!("opted out ({keyword:?}) already; no confirmation\n"),
        },
        hearken::SmsOutcome::OptedIn { lifted: true } => "opted back in\n".to_owned(),
        hearken::SmsOutcome::OptedIn { lifted: false } => {
            "START: no keyword opt-out to lift (other unsubscribes stay)\n".to_owned()
        }
        hearken::SmsOutcome::HelpQueued { message_id } => {
            format!("help text {message_id} queued\n")
        }
        hearken::SmsOutcome::Answered { response_id } => {
            format!("answered the open SMS survey: response {response_id}\n")
        }
        hearken::SmsOutcome::NoOpenSurvey => "a score, but no open SMS survey\n".to_owned(),
        hearken::SmsOutcome::KeptAsReply { reply_id } => format!("kept as reply {reply_id}\n"),
        _ => "done\n".to_owned(),
    });
    Ok(())
}

/// `outbox list`.
pub fn outbox(e: &Engine, out: &Out, limit: usize) -> Result<(), Failure> {
    let counts = e.outbox_counts()?;
    let pending = e.pending_invitations()?;
    let next_due = pending.iter().map(|p| p.due_at).min();
    let shown = &pending[..pending.len().min(limit)];
    let doc = serde_json::json!({
        "counts": counts,
        "next_due": next_due,
        "pending_invitations": shown,
    });
    out.show(&doc, || {
        let mut t = Table::new(&["pending", "in flight", "delivered", "failed", "cancelled"]);
        t.row([
            counts.pending.to_string(),
            counts.in_flight.to_string(),
            counts.acked.to_string(),
            counts.failed.to_string(),
            counts.cancelled.to_string(),
        ]);
        let mut s = t.render();
        s.push_str(&match next_due {
            Some(d) => format!("next due: {}\n", utc(d)),
            None => "next due: nothing waiting\n".to_owned(),
        });
        if !shown.is_empty() {
            s.push_str(&format!(
                "\ninvitations waiting ({} of {})\n",
                shown.len(),
                pending.len()
            ));
            let mut t = Table::new(&[
                "invitation",
                "customer",
                "transaction",
                "channel",
                "language",
                "due",
            ]);
            for p in shown {
                t.row([
                    p.invitation_id.to_string(),
                    p.customer.clone(),
                    p.transaction.clone(),
                    p.channel.as_str().to_owned(),
                    p.language.clone(),
                    utc(p.due_at),
                ]);
            }
            s.push_str(&t.render());
        }
        s
    });
    Ok(())
}

/// `locations add|list`.
pub fn locations(e: &Engine, out: &Out, action: &LocationAction) -> Result<(), Failure> {
    match action {
        LocationAction::Add {
            id,
            name,
            time_zone,
            review_link,
            business_type,
        } => {
            let mut l = match e.location(id) {
                Ok(old) => old,
                Err(err) if err.kind() == hearken::ErrorKind::NotFound => {
                    Location::new(id, name, time_zone)
                }
                Err(err) => return Err(err.into()),
            };
            l.name = name.clone();
            l.time_zone = time_zone.clone();
            if review_link.is_some() {
                l.review_link = review_link.clone();
            }
            if business_type.is_some() {
                l.business_type = business_type.clone();
            }
            e.upsert_location(&l)?;
            // As stored: a Windows zone name comes back as its IANA zone.
            let l = e.location(id)?;
            out.show(&l, || {
                format!("location {} saved: {} ({})\n", l.id, l.name, l.time_zone)
            });
        }
        LocationAction::List => {
            let all = e.locations()?;
            out.show(&all, || {
                let mut t = Table::new(&["id", "name", "time zone", "enabled", "review link"]);
                for l in &all {
                    t.row([
                        l.id.clone(),
                        l.name.clone(),
                        l.time_zone.clone(),
                        yes(l.enabled).to_owned(),
                        l.review_link.clone().unwrap_or_default(),
                    ]);
                }
                t.render()
            });
        }
    }
    Ok(())
}
