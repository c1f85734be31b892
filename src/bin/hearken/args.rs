//! The command line: global options, subcommands and their arguments (clap derive).

use std::path::PathBuf;

use chrono::{DateTime, Utc};
use clap::{Args, Parser, Subcommand, ValueEnum};

use crate::period::Period;

const EXIT_CODES: &str = "\
Exit codes:
  0  success
  1  other failure (storage, file system, a bug); the message says which
  2  usage error: unknown command, missing or malformed argument
  3  invalid input: nothing was written; every problem is listed
     (record, index, id, field, reason)
  4  not found: the database file, a location, a customer, an input file or
     the folder of an output file
  5  conflict with the stored state (e.g. disabling the last enabled location)
141 stdout was closed before the output was written (e.g. `| head -1`); the
     command itself completed

The database is --db, else $HEARKEN_DB, else ./hearken.db. Only `locations add`
creates it. Hosted mode (a build with the `hosted` feature): a postgres:// URL in
$HEARKEN_DB and the store's id in --store or $HEARKEN_STORE; the password from the
URL in $HEARKEN_DB or from libpq's password file (passfile=, $PGPASSFILE, ~/.pgpass),
never from the command line. Times are printed in UTC; periods are local to the location.";

/// Operator tool for a store's hearken database.
#[derive(Debug, Parser)]
#[command(name = "hearken", version, after_help = EXIT_CODES)]
pub struct Cli {
    /// The store's database file, or a postgres:// URL (hosted mode, with --store).
    #[arg(
        long,
        global = true,
        env = "HEARKEN_DB",
        default_value = "hearken.db",
        value_name = "PATH|URL",
        hide_env_values = true
    )]
    pub db: PathBuf,
    /// The store's id in a postgres:// database (hosted mode).
    #[arg(long, global = true, env = "HEARKEN_STORE", value_name = "ID")]
    pub store: Option<String>,
    /// Machine output: one JSON document on stdout; errors as JSON on stderr.
    #[arg(long, global = true)]
    pub json: bool,
    /// Journal mode of a store this command creates: wal (local disk) or rollback
    /// (network share). An existing store keeps its own; see `convert-journal`.
    #[arg(
        long,
        global = true,
        value_enum,
        default_value = "wal",
        value_name = "MODE"
    )]
    pub journal: Journal,
    /// Overrides the clock (RFC 3339), for tests and reproducible sessions.
    /// Strict RFC 3339 with an offset; outside 1970-01-01..9999-12-31 UTC the command is
    /// refused as invalid input naming `now` (T3).
    #[arg(long, global = true, hide = true, value_parser = parse_now)]
    pub now: Option<DateTime<Utc>>,
    #[command(subcommand)]
    pub command: Command,
}

/// What to do.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Apply a nightly batch file (JSON, `"format": 1`); `-` reads stdin.
    Sync {
        /// The batch file.
        file: PathBuf,
        /// Report only the counts: no list of invitations and skips (less memory on a
        /// big batch; the same decisions).
        #[arg(long)]
        counts_only: bool,
    },
    /// Import a backfill file (JSON lines, one batch per line).
    Backfill {
        /// The backfill file.
        file: PathBuf,
    },
    /// Why a customer did or did not get surveys (the stored decisions).
    Explain {
        /// The customer's host id.
        customer: String,
    },
    /// The event feed (D1): what changed, in order, after a cursor. Prints each event and
    /// the cursor to read on from, or the oldest valid cursor when the one given was
    /// pruned past or is from another copy of the store.
    Events {
        /// Read after this cursor (as a previous read printed it); the oldest kept if not
        /// given.
        #[arg(long, value_name = "CURSOR")]
        after: Option<String>,
        /// At most this many events (1 to 1000).
        #[arg(long, default_value_t = 100, value_name = "N")]
        limit: u32,
    },
    /// Webhook subscriptions (D2): events POSTed to a URL through the outbox, signed as
    /// Standard Webhooks says. The secret is printed once, by `add` and `rotate`.
    Webhooks {
        #[command(subcommand)]
        action: WebhooksAction,
    },
    /// Unsubscribe an e-mail address or phone number from every survey, everywhere.
    Unsubscribe {
        /// E-mail address or phone number (known to the store or not).
        contact: String,
    },
    /// Inbound SMS (D4): replay what the SMS provider's inbound webhook received.
    Sms {
        #[command(subcommand)]
        action: SmsAction,
    },
    /// One customer: the POS screen's contact state, cancelling their pending messages,
    /// everything held about them, erasure (by id or by contact alone) (D6, D7).
    Customer {
        #[command(subcommand)]
        action: CustomerAction,
    },
    /// Print a score report.
    Report {
        /// Which report.
        kind: ReportKind,
        #[command(flatten)]
        scope: Scope,
    },
    /// Export feedback: csv (one row per comment) or xlsx (by employee, by date, comments).
    Export {
        /// File format.
        format: ExportFormat,
        /// The file to write (replaced only once complete).
        #[arg(long, value_name = "FILE")]
        out: PathBuf,
        #[command(flatten)]
        scope: Scope,
    },
    /// The delivery outbox.
    Outbox {
        #[command(subcommand)]
        action: OutboxAction,
    },
    /// What the customers see: the e-mails' HTML and the survey, thank-you, expired and
    /// unsubscribe pages (M1, M2).
    Pages {
        #[command(subcommand)]
        action: PagesAction,
    },
    /// The store's locations.
    Locations {
        #[command(subcommand)]
        action: LocationAction,
    },
    /// The store-wide settings: eligibility, sync and send hours, delivery, contact policy.
    Settings {
        #[command(subcommand)]
        action: SettingsAction,
    },
    /// Contact policy of a location, and the calendars of the store and its locations.
    Policy {
        #[command(subcommand)]
        action: PolicyAction,
    },
    /// The sync window: the business dates each location must send tonight.
    Window {
        #[command(subcommand)]
        action: WindowAction,
    },
    /// Check the store file with SQLite's integrity check (exit 1 if it is damaged).
    Check,
    /// Write a consistent copy of the live store (SQLite's online backup).
    Backup {
        /// The copy to write (replaced only once complete).
        #[arg(long, value_name = "FILE")]
        out: PathBuf,
    },
    /// Move the store to another journal mode: rollback before putting it on a network
    /// share, wal for a local disk. Every other program must have closed the store.
    ConvertJournal {
        /// The journal mode to convert to.
        #[arg(value_enum)]
        to: Journal,
    },
    /// Hosted mode's administration (PostgreSQL; a build with the feature `hosted`): the
    /// schema and its stores. The connection string: $HEARKEN_ADMIN_DB or --url-file.
    Admin(crate::admin::AdminArgs),
}

/// A store's journal mode, as the CLI names it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Journal {
    /// Write-ahead log: readers never wait for the writer. Needs a local disk.
    Wal,
    /// Rollback journal: for stores on network shares.
    Rollback,
}

impl Journal {
    /// The engine's journal mode.
    pub fn mode(self) -> hearken::JournalMode {
        match self {
            Journal::Wal => hearken::JournalMode::Wal,
            Journal::Rollback => hearken::JournalMode::Rollback,
        }
    }
}

/// Which location and period a report or export covers.
#[derive(Debug, Args)]
pub struct Scope {
    /// current-month, last-month, all, or FROM..TO (dates, both included; either may be
    /// left out), in the location's time zone (all locations': theirs if they share one,
    /// else UTC).
    #[arg(long, default_value = "all", value_name = "PERIOD")]
    pub period: Period,
    /// One location's host id (default: every location).
    #[arg(long, value_name = "ID")]
    pub location: Option<String>,
}

/// The reports.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ReportKind {
    /// Net Promoter Score: counts and value.
    Nps,
    /// Star ratings: base-10 average, count and response rate.
    Ratings,
    /// Per employee: responses, NPS, average rating.
    Employees,
    /// Review funnel: link shown, clicked, confirmed.
    Funnel,
}

/// Export formats.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ExportFormat {
    /// CSV, one row per conversation comment (UTF-8 with BOM).
    Csv,
    /// Excel workbook: by employee, by date, comments.
    Xlsx,
}

/// Pages actions.
#[derive(Debug, Subcommand)]
pub enum PagesAction {
    /// Write every page and e-mail a location's customers see, in English, French and
    /// Korean, into a folder (created if missing), with sample links: nothing is recorded.
    Render {
        /// The location (host id).
        #[arg(long)]
        location: String,
        /// The folder to write into.
        #[arg(long, value_name = "DIR")]
        out: PathBuf,
    },
}

/// Webhook actions (D2).
#[derive(Debug, Subcommand)]
pub enum WebhooksAction {
    /// Subscribe a URL (https://, or http:// to a loopback host) to event types; prints
    /// the generated signing secret (whsec_…) once.
    Add {
        /// The endpoint.
        url: String,
        /// An event type it receives (repeat for several), e.g. response.created.v1.
        #[arg(long = "event", value_name = "TYPE", required = true)]
        events: Vec<String>,
    },
    /// Every subscription (without secrets).
    List,
    /// Remove a subscription; its messages not yet delivered are cancelled.
    Remove {
        /// The subscription's id.
        id: i64,
    },
    /// Give a subscription a new secret (printed once); the old one still signs for the
    /// grace period.
    Rotate {
        /// The subscription's id.
        id: i64,
        /// How long the old secret still signs, in hours (default 24, at most 720).
        #[arg(long, value_name = "HOURS")]
        grace_hours: Option<u64>,
    },
    /// Queue a test delivery (webhook.ping.v1), due at once.
    Ping {
        /// The subscription's id.
        id: i64,
    },
}

/// Customer actions (D6, D7).
#[derive(Debug, Subcommand)]
pub enum CustomerAction {
    /// The contact state the POS customer screen shows: last invited and answered, the
    /// next date each survey may be sent and why not sooner, pending messages,
    /// subscription and consent.
    Show {
        /// The customer's host id.
        customer: String,
    },
    /// Cancel the customer's pending invitation and reminder messages; an invitation not
    /// yet delivered is cancelled too, so the next sync may invite them again (E4).
    Cancel {
        /// The customer's host id.
        customer: String,
    },
    /// Everything held about a customer, or about an e-mail or phone alone (--contact),
    /// as one JSON document.
    Export {
        /// The customer's host id.
        #[arg(required_unless_present = "contact", conflicts_with = "contact")]
        customer: Option<String>,
        /// An e-mail address or phone number instead of a customer.
        #[arg(long, value_name = "CONTACT")]
        contact: Option<String>,
    },
    /// Erase a customer (right to be forgotten), or every customer who had an e-mail or
    /// phone and the contact itself (--contact); scores stay, they stay unsubscribed.
    Erase {
        /// The customer's host id.
        #[arg(required_unless_present = "contact", conflicts_with = "contact")]
        customer: Option<String>,
        /// An e-mail address or phone number instead of a customer.
        #[arg(long, value_name = "CONTACT")]
        contact: Option<String>,
    },
}

/// Outbox actions.
#[derive(Debug, Subcommand)]
pub enum OutboxAction {
    /// Counts by status, the next due time and the invitations waiting.
    List {
        /// At most this many waiting invitations are listed.
        #[arg(long, default_value_t = 20)]
        limit: usize,
    },
    /// Queue the reminders (R1, R2) and alert escalations (A3) whose moment has come,
    /// without claiming anything (claim does this first by itself).
    RunDue,
    /// Claim the messages due now for delivery by hand or by another program: each is
    /// rendered and leased (offered again when its lease runs out unless acked or failed).
    /// Printed on stdout, or written one file per message (MESSAGE_ID.json) into --out.
    Claim {
        /// At most this many messages.
        #[arg(long, default_value_t = 10, value_name = "N")]
        limit: u32,
        /// A directory to write the messages into (it must exist).
        #[arg(long, value_name = "DIR")]
        out: Option<PathBuf>,
    },
    /// Record that claimed messages were delivered; they are never offered again.
    Ack {
        /// The messages' ids (as claimed).
        #[arg(required = true, value_name = "MESSAGE_ID")]
        ids: Vec<String>,
    },
    /// Record that a claimed message could not be delivered: retried later with backoff,
    /// or failed for good after the last attempt or with --permanent.
    Fail {
        /// The message's id (as claimed).
        #[arg(value_name = "MESSAGE_ID")]
        id: String,
        /// Why delivery failed (stored with the message, never shown to customers).
        #[arg(long, value_name = "TEXT")]
        reason: String,
        /// No retry: the address is known to be bad.
        #[arg(long)]
        permanent: bool,
    },
    /// Record what the mail or SMS provider reported on a sent message, even after its
    /// ack (D3): a hard bounce (the invitation bounced, the contact unusable until the POS
    /// sends another), a soft bounce (retried) or a spam complaint (unsubscribed).
    Bounce {
        /// The message's id (as claimed).
        #[arg(value_name = "MESSAGE_ID")]
        id: String,
        /// The address or number does not exist.
        #[arg(long, group = "feedback")]
        hard: bool,
        /// A passing refusal: retried like a failure.
        #[arg(long, group = "feedback")]
        soft: bool,
        /// The recipient marked the message as spam.
        #[arg(long, group = "feedback")]
        complaint: bool,
    },
}

/// Settings actions.
#[derive(Debug, Subcommand)]
pub enum SettingsAction {
    /// Every setting with its value (the suppression pepper only as set or not set).
    Show,
    /// Change settings: `KEY=VALUE …`, all checked before any is saved.
    Set {
        /// A setting and its new value, e.g. cooldown_months=6 or channel=sms.
        #[arg(required = true, value_name = "KEY=VALUE")]
        pairs: Vec<String>,
    },
}

/// Contact-policy actions (the store-wide values are `settings`).
#[derive(Debug, Subcommand)]
pub enum PolicyAction {
    /// The calendar and volume rules in force: the store's, or one location's.
    Show {
        /// One location's host id (default: the store's calendar).
        #[arg(long, value_name = "ID")]
        location: Option<String>,
    },
    /// Set a location's own volume rules; `store` gives a rule back to the store's value.
    Location {
        /// The location's host id.
        id: String,
        /// At most this many invitations per business date (0 = no cap, or `store`).
        #[arg(long, value_name = "N|store")]
        daily_cap: Option<String>,
        /// Percent of customers asked on a business date (0-100, or `store`).
        #[arg(long, value_name = "P|store")]
        sample_percent: Option<String>,
        /// Transactional responses a month after which the location asks no one (or `store`).
        #[arg(long, value_name = "N|store")]
        monthly_response_quota: Option<String>,
    },
    /// Set the store's calendar, or a location's own: send weekdays, closed dates, hours.
    Calendar {
        /// A location's own calendar (default: the store's).
        #[arg(long, value_name = "ID")]
        location: Option<String>,
        /// Weekdays on which customer messages are sent, e.g. mon,tue,wed,thu,fri.
        #[arg(long, value_name = "DAYS")]
        send_weekdays: Option<String>,
        /// Local dates on which nothing is sent, e.g. 2026-12-25,2027-01-01 (`none` clears).
        #[arg(long, value_name = "DATES")]
        closed_dates: Option<String>,
        /// Opening hours, e.g. mon=9-18,sat=10-16 (`none` clears).
        #[arg(long, value_name = "HOURS")]
        opening_hours: Option<String>,
        /// Drop the location's own calendar: it uses the store's again.
        #[arg(long, requires = "location", conflicts_with_all = ["send_weekdays", "closed_dates", "opening_hours"])]
        inherit: bool,
    },
}

/// Sync window actions.
#[derive(Debug, Subcommand)]
pub enum WindowAction {
    /// Per location: its local date, the last date synced, the dates to send tonight, the
    /// dates only a backfill can close, and the next sync.
    Show {
        /// One location's host id (default: every location).
        #[arg(long, value_name = "ID")]
        location: Option<String>,
    },
    /// Change the store's sync hour and catch-up allowance (settings sync_hour and
    /// catch_up_days).
    #[command(group(clap::ArgGroup::new("change").required(true).multiple(true)))]
    Set {
        /// Local hour (0-23) at which every location syncs.
        #[arg(long, value_name = "HOUR", group = "change")]
        sync_hour: Option<u32>,
        /// Missed dates (0-7) a nightly sync may still catch up; older ones need a backfill.
        #[arg(long, value_name = "DAYS", group = "change")]
        catch_up_days: Option<u32>,
    },
}

/// Location actions.
#[derive(Debug, Subcommand)]
pub enum LocationAction {
    /// Create or update a location (creates the database if needed).
    Add {
        /// The host's id for the location.
        id: String,
        /// Display name (used in surveys).
        name: String,
        /// IANA time zone (Europe/Paris) or Windows zone name (Romance Standard Time).
        time_zone: String,
        /// Public review page promoters are sent to.
        #[arg(long, value_name = "URL")]
        review_link: Option<String>,
        /// Business type (chooses the feedback facets): bike_shop, repair, restaurant, ….
        #[arg(long, value_name = "TYPE")]
        business_type: Option<String>,
    },
    /// List the locations.
    List,
}

/// `sms` subcommands (D4).
#[derive(Debug, Subcommand)]
pub enum SmsAction {
    /// Act on one inbound SMS as the provider reported it: an opt-out word, START, HELP, a
    /// bare score or a reply.
    Receive {
        /// The sender's phone number (E.164, or local in the store's country code).
        #[arg(long, value_name = "PHONE")]
        from: String,
        /// The message text.
        #[arg(long, value_name = "TEXT")]
        body: String,
        /// When the provider received it (RFC 3339); now if not given.
        #[arg(long, value_name = "TIME", value_parser = parse_now)]
        at: Option<DateTime<Utc>>,
    },
}

/// `--now`: strict RFC 3339 with an offset (no spaces); its range is the engine's check.
fn parse_now(text: &str) -> Result<DateTime<Utc>, String> {
    if text.trim() != text || text.contains(' ') {
        return Err("expected RFC 3339 with an offset, e.g. 2026-11-20T22:00:00Z".into());
    }
    DateTime::parse_from_rfc3339(text)
        .map(|t| t.with_timezone(&Utc))
        .map_err(|_| "expected RFC 3339 with an offset, e.g. 2026-11-20T22:00:00Z".into())
}
