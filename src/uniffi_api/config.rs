//! Mirrors of the store's configuration: locations, settings and open options.

use std::time::Duration;

use crate::engine::{EngineOptions, JournalMode as CoreJournal};
use crate::model as m;

/// A store location: where transactions happen and whose clock decides business dates.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct Location {
    /// The host's identifier for the location.
    pub id: String,
    /// Display name used in surveys ("How likely are you to recommend {location}?").
    pub name: String,
    /// IANA time zone, e.g. `Europe/Paris`.
    pub time_zone: String,
    /// A disabled location sends no surveys (E7).
    #[uniffi(default = true)]
    pub enabled: bool,
    /// Where promoters are sent to leave a public review (e.g. a Google review URL).
    #[uniffi(default = None)]
    pub review_link: Option<String>,
    /// Business type, which chooses the facet list for feedback.
    #[uniffi(default = None)]
    pub business_type: Option<String>,
}

impl From<m::Location> for Location {
    fn from(l: m::Location) -> Self {
        Location {
            id: l.id,
            name: l.name,
            time_zone: l.time_zone,
            enabled: l.enabled,
            review_link: l.review_link,
            business_type: l.business_type,
        }
    }
}

impl From<Location> for m::Location {
    fn from(l: Location) -> Self {
        m::Location {
            id: l.id,
            name: l.name,
            time_zone: l.time_zone,
            enabled: l.enabled,
            review_link: l.review_link,
            business_type: l.business_type,
        }
    }
}

/// How invitations reach customers.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, uniffi::Enum)]
pub enum Channel {
    /// E-mail: needs a usable e-mail address.
    Email,
    /// SMS: needs a usable phone number.
    Sms,
}

impl From<m::Channel> for Channel {
    fn from(c: m::Channel) -> Self {
        match c {
            m::Channel::Email => Channel::Email,
            m::Channel::Sms => Channel::Sms,
        }
    }
}

impl From<Channel> for m::Channel {
    fn from(c: Channel) -> Self {
        match c {
            Channel::Email => m::Channel::Email,
            Channel::Sms => m::Channel::Sms,
        }
    }
}

/// Store-wide program settings; start from `default_settings()` and change what differs.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct Settings {
    /// At most one invitation per customer per this many calendar months (E4).
    pub cooldown_months: u32,
    /// Transactions finalized more than this many days before the batch date get none (S3).
    pub max_age_days: u32,
    /// Channel used for invitations (E6 decides the contact it needs).
    pub channel: Channel,
    /// Local hour at which each location syncs (S1).
    pub sync_hour: u32,
    /// Local hour, the morning after the business date, at which invitations become due (S1).
    pub send_hour: u32,
    /// Start of quiet hours (local hour, inclusive): nothing becomes due inside them.
    pub quiet_start_hour: u32,
    /// End of quiet hours (local hour, exclusive).
    pub quiet_end_hour: u32,
    /// Missed dates the nightly sync may still catch up (S2); older ones need a backfill.
    pub catch_up_days: u32,
    /// Language used when a customer has none (BCP 47).
    pub default_language: String,
    /// Country calling code used to read local phone numbers as E.164 (E3), e.g. 33.
    pub default_country_code: u32,
}

impl From<m::Settings> for Settings {
    fn from(s: m::Settings) -> Self {
        Settings {
            cooldown_months: s.cooldown_months,
            max_age_days: s.max_age_days,
            channel: s.channel.into(),
            sync_hour: s.sync_hour,
            send_hour: s.send_hour,
            quiet_start_hour: s.quiet_start_hour,
            quiet_end_hour: s.quiet_end_hour,
            catch_up_days: s.catch_up_days,
            default_language: s.default_language,
            default_country_code: s.default_country_code,
        }
    }
}

impl From<Settings> for m::Settings {
    fn from(s: Settings) -> Self {
        m::Settings {
            cooldown_months: s.cooldown_months,
            max_age_days: s.max_age_days,
            channel: s.channel.into(),
            sync_hour: s.sync_hour,
            send_hour: s.send_hour,
            quiet_start_hour: s.quiet_start_hour,
            quiet_end_hour: s.quiet_end_hour,
            catch_up_days: s.catch_up_days,
            default_language: s.default_language,
            default_country_code: s.default_country_code,
        }
    }
}

/// The settings a new store starts with.
#[uniffi::export]
pub fn default_settings() -> Settings {
    m::Settings::default().into()
}

/// How the database file journals its writes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, uniffi::Enum)]
pub enum JournalMode {
    /// Write-ahead log: readers never wait for the writer. Needs a local disk.
    Wal,
    /// Rollback journal: for databases on network shares, where WAL is unsafe.
    Rollback,
}

/// Options for `Engine.open_with`.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct OpenOptions {
    /// Journal mode of the database file.
    pub journal: JournalMode,
    /// How long a write waits for another process's write before failing, in milliseconds.
    pub busy_timeout_ms: u64,
}

impl From<OpenOptions> for EngineOptions {
    fn from(o: OpenOptions) -> Self {
        EngineOptions {
            journal: o.journal.into(),
            busy_timeout: Duration::from_millis(o.busy_timeout_ms),
        }
    }
}

impl From<JournalMode> for CoreJournal {
    fn from(j: JournalMode) -> Self {
        match j {
            JournalMode::Wal => CoreJournal::Wal,
            JournalMode::Rollback => CoreJournal::Rollback,
        }
    }
}

impl From<CoreJournal> for JournalMode {
    fn from(j: CoreJournal) -> Self {
        match j {
            CoreJournal::Rollback => JournalMode::Rollback,
            _ => JournalMode::Wal,
        }
    }
}

/// What `Engine.check` found: SQLite's integrity and foreign-key checks (T7).
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct StoreCheck {
    /// `true` when SQLite found nothing wrong.
    pub ok: bool,
    /// What it found (pages, tables and indexes; never row values).
    pub problems: Vec<String>,
    /// The store's journal mode.
    pub journal: JournalMode,
    /// The schema version (`user_version`).
    pub schema_version: i64,
}

impl From<crate::StoreCheck> for StoreCheck {
    fn from(c: crate::StoreCheck) -> Self {
        StoreCheck {
            ok: c.ok,
            problems: c.problems,
            journal: c.journal.into(),
            schema_version: c.schema_version,
        }
    }
}

/// Moves the store at `path` to another journal mode (T5): rollback before putting it on a
/// network share, WAL for a local disk. Leaving WAL needs the only handle on the file (a
/// `Conflict` otherwise); returns the mode the store had before.
#[uniffi::export]
pub fn convert_journal(
    path: String,
    mode: JournalMode,
) -> Result<JournalMode, super::error::HearkenError> {
    Ok(crate::Engine::convert_journal(path, mode.into())?.into())
}

/// The options `Engine(path)` opens with.
#[uniffi::export]
pub fn default_open_options() -> OpenOptions {
    let o = EngineOptions::default();
    OpenOptions {
        journal: o.journal.into(),
        busy_timeout_ms: u64::try_from(o.busy_timeout.as_millis()).unwrap_or(u64::MAX),
    }
}
