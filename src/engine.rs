//! The Engine handle: opens the store and runs each use case by combining rules/ and store/.

mod alerts;
mod backfill;
mod delivery;
mod erasure;
mod explain;
mod exports;
mod outbox;
mod reports;
mod responses;
mod suppressions;
mod sync;
mod timers;

use std::io::{BufRead, Write};
use std::path::Path;
use std::sync::{Mutex, MutexGuard};
use std::time::Duration;

use chrono::{DateTime, Utc};

use crate::error::{Error, Result};
use crate::export::{ExportQuery, ExportSummary};
use crate::model::{
    AggregateBundle, Bucket, Comparison, CustomerHistory, CustomerPage, CustomerQuery,
    EmployeePerformance, FeedbackPage, FeedbackQuery, Period, PeriodBounds, ReportQuery,
    ResponseRate, ReviewFunnel, Role, Scores, SeriesPoint, Unsubscribe,
};
use crate::model::{
    Alert, AlertKind, AlertQuery, AlertSettings, AlertStatus, Assignment, AtRiskCustomer,
    CustomerEmail, Erasure, ExternalReview, InboundReply, Interaction, InteractionInput,
    ReplyInput, ThreadComment, User,
};
use crate::model::{
    BackfillProgress, BackfillReport, Channel, DeliverySettings, Explanation, FailOutcome,
    FeedbackInput, FeedbackSettings, InvitationSummary, Location, MessageKind, NpsSummary,
    OutboundMessage, OutboxCounts, RatingSummary, ReceiptLink, ResponseDeletion, ResponseInput,
    ResponseOutcome, ScoreQuery, Settings, SuppressionBundle, Survey, SurveyPage, SyncBatch,
    SyncReport, SyncWindow, Template,
};
use crate::rules::{time, validate};
use crate::store::{self, Store};

/// How the database file journals its writes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum JournalMode {
    /// Write-ahead log: readers never wait for the writer. Needs a local disk.
    #[default]
    Wal,
    /// Rollback journal: for databases on network shares, where WAL is unsafe.
    Rollback,
}

/// Options for [`Engine::open_with`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EngineOptions {
    /// Journal mode of the database file.
    pub journal: JournalMode,
    /// How long a write waits for another process's write before failing.
    pub busy_timeout: Duration,
}

impl Default for EngineOptions {
    fn default() -> Self {
        EngineOptions {
            journal: JournalMode::Wal,
            busy_timeout: Duration::from_secs(60),
        }
    }
}

/// A handle on one store's hearken database. `Send + Sync`: share it between threads.
///
/// All writes go through one connection in `BEGIN IMMEDIATE` transactions, so a batch is
/// applied whole or not at all and two processes on one file serialise instead of failing.
/// [`Engine::close`] (or dropping the engine) leaves the whole store in its one file (T1);
/// after `close` every call is refused with [`Error::Closed`] (T8).
pub struct Engine {
    store: Mutex<Option<Store>>,
    /// A read-only connection for reads, so they never wait behind a sync (WAL files).
    reader: Option<Mutex<Option<Store>>>,
}

/// A locked, open store connection.
struct Held<'a>(MutexGuard<'a, Option<Store>>);

impl std::ops::Deref for Held<'_> {
    type Target = Store;
    fn deref(&self) -> &Store {
        // `Held` is only made from a slot checked to hold a store, under the same lock.
        self.0.as_ref().expect("an open store")
    }
}

impl std::ops::DerefMut for Held<'_> {
    fn deref_mut(&mut self) -> &mut Store {
        self.0.as_mut().expect("an open store")
    }
}

/// Takes a store lock. A panic elsewhere cannot leave the database half-written (every
/// write is one SQLite transaction), so a poisoned lock is safe to take over.
fn hold(slot: &Mutex<Option<Store>>) -> Result<Held<'_>> {
    let guard = slot.lock().unwrap_or_else(|p| p.into_inner());
    if guard.is_none() {
        return Err(Error::Closed);
    }
    Ok(Held(guard))
}

/// Empties a store slot, returning what it held.
fn take(slot: &Mutex<Option<Store>>) -> Option<Store> {
    slot.lock().unwrap_or_else(|p| p.into_inner()).take()
}

/// What [`Engine::check`] found: SQLite's integrity and foreign-key checks (T7).
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct StoreCheck {
    /// `true` when SQLite found nothing wrong.
    pub ok: bool,
    /// What it found (pages, tables and indexes; never row values), at most 200 lines.
    pub problems: Vec<String>,
    /// The store's journal mode.
    pub journal: JournalMode,
    /// The schema version (`user_version`).
    pub schema_version: i64,
}

impl Engine {
    /// Opens (creating and migrating as needed) the database at `path` with default options.
    pub fn open(path: impl AsRef<Path>) -> Result<Engine> {
        Self::open_with(path, &EngineOptions::default())
    }

    /// Opens the database at `path` with the given options.
    ///
    /// `options.journal` is the mode a new store is created with; an existing store keeps
    /// the mode it has (T5): see [`Engine::convert_journal`] to change it.
    pub fn open_with(path: impl AsRef<Path>, options: &EngineOptions) -> Result<Engine> {
        let wal = options.journal == JournalMode::Wal;
        let store = Store::open(path.as_ref(), wal, options.busy_timeout)?;
        // With a rollback journal a reader would block the writer's commit: share one.
        let reader = store
            .is_wal()
            .then(|| Store::open_reader(path.as_ref(), options.busy_timeout))
            .transpose()?
            .map(|r| Mutex::new(Some(r)));
        Ok(Engine {
            store: Mutex::new(Some(store)),
            reader,
        })
    }

    /// Opens a private in-memory database (tests, demos).
    pub fn open_in_memory() -> Result<Engine> {
        Ok(Engine {
            store: Mutex::new(Some(Store::open_in_memory()?)),
            reader: None,
        })
    }

    /// The writer connection, or [`Error::Closed`].
    fn lock(&self) -> Result<Held<'_>> {
        hold(&self.store)
    }

    /// The connection for reads: the read-only one when there is one, else the writer.
    fn reader(&self) -> Result<Held<'_>> {
        match &self.reader {
            Some(r) => hold(r),
            None => self.lock(),
        }
    }

    /// Closes the store: readers first, then the writer, which folds the WAL back so the
    /// whole store is in its one file (T1). Later calls fail with [`Error::Closed`];
    /// closing again is a no-op. Dropping an engine closes it too, ignoring errors.
    pub fn close(&self) -> Result<()> {
        let reader = self.reader.as_ref().and_then(take);
        let reader_closed = reader.map_or(Ok(()), Store::close);
        let writer_closed = take(&self.store).map_or(Ok(()), Store::close);
        reader_closed.and(writer_closed)
    }

    /// Whether [`Engine::close`] was called.
    pub fn is_closed(&self) -> bool {
        self.store
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .is_none()
    }

    /// Writes a consistent copy of the live store to `path` with SQLite's online backup
    /// (T1): a complete, standalone store file, written under a fresh temporary name in
    /// `path`'s folder and renamed into place when complete (T4).
    pub fn backup(&self, path: impl AsRef<Path>) -> Result<()> {
        self.reader()?.backup(path.as_ref())
    }

    /// Runs SQLite's integrity and foreign-key checks on the store (T7).
    pub fn check(&self) -> Result<StoreCheck> {
        let mut held = self.reader()?;
        let problems = held.integrity_problems()?;
        let schema_version = held.read(store::schema_version)?;
        Ok(StoreCheck {
            ok: problems.is_empty(),
            problems,
            journal: journal_of(&held),
            schema_version,
        })
    }

    /// The journal mode of the store (the one it was created with or converted to).
    pub fn journal_mode(&self) -> Result<JournalMode> {
        Ok(journal_of(&*self.lock()?))
    }

    /// Moves the store at `path` to another journal mode (T5): rollback for a network
    /// share, WAL for a local disk. Leaving WAL needs the only handle on the file: a
    /// conflict while another engine or process has it open (SQLite lets idle rollback
    /// handles follow a move to WAL). Returns the mode the store had before.
    pub fn convert_journal(path: impl AsRef<Path>, mode: JournalMode) -> Result<JournalMode> {
        let options = EngineOptions {
            journal: mode,
            busy_timeout: Duration::from_millis(200),
        };
        let mut store = Store::open(
            path.as_ref(),
            mode == JournalMode::Wal,
            options.busy_timeout,
        )?;
        let before = journal_of(&store);
        if before != mode {
            store.convert_journal(mode == JournalMode::Wal)?;
        }
        store.close()?;
        Ok(before)
    }

    /// The store-wide settings.
    pub fn settings(&self) -> Result<Settings> {
        self.reader()?.read(store::get_settings)
    }

    /// Replaces the store-wide settings after validating them.
    pub fn set_settings(&self, settings: &Settings) -> Result<()> {
        let problems = validate::validate_settings(settings);
        if !problems.is_empty() {
            return Err(Error::Invalid(problems));
        }
        self.lock()?.write(|c| store::set_settings(c, settings))
    }

    /// Creates or updates a location by host id.
    pub fn upsert_location(&self, location: &Location) -> Result<()> {
        let problems = validate::validate_location(location);
        if !problems.is_empty() {
            return Err(Error::Invalid(problems));
        }
        // A Windows zone name is stored as its IANA zone, so every reader sees one form.
        let mut location = location.clone();
        if let Some(iana) = crate::rules::time::iana_zone_name(&location.time_zone) {
            location.time_zone = iana.to_owned();
        }
        let location = &location;
        self.lock()?.write(|c| {
            if !location.enabled {
                if let Some(old) = store::get_location(c, &location.id)? {
                    refuse_last_disable(c, old.location.enabled)?;
                }
            }
            store::upsert_location(c, location)
        })
    }

    /// One location by host id.
    pub fn location(&self, id: &str) -> Result<Location> {
        self.reader()?
            .read(|c| find_location(c, id))
            .map(|row| row.location)
    }

    /// Every location, by host id.
    pub fn locations(&self) -> Result<Vec<Location>> {
        let rows = self.reader()?.read(store::list_locations)?;
        Ok(rows.into_iter().map(|r| r.location).collect())
    }

    /// Enables or disables a location's surveys (E7); the last enabled one stays enabled.
    pub fn set_location_enabled(&self, id: &str, enabled: bool) -> Result<()> {
        self.lock()?.write(|c| {
            let row = find_location(c, id)?;
            if !enabled {
                refuse_last_disable(c, row.location.enabled)?;
            }
            store::set_location_enabled(c, row.rowid, enabled)
        })
    }

    /// Runs the nightly sync of one batch: validate, upsert, decide, queue invitations.
    ///
    /// The batch is validated whole first; a bad batch is rejected with every bad record
    /// named and nothing written. Re-running a batch changes nothing (E8).
    pub fn sync(&self, batch: &SyncBatch, now: DateTime<Utc>) -> Result<SyncReport> {
        check_now(now)?;
        self.lock()?
            .write(|c| sync::apply_batch(c, batch, now, sync::Mode::Nightly))
    }

    /// [`Engine::sync`] on a batch given as JSON (see [`crate::wire`]).
    pub fn sync_json(&self, json: &str, now: DateTime<Utc>) -> Result<SyncReport> {
        check_now(now)?;
        self.sync(&crate::wire::parse_batch(json)?, now)
    }

    /// Imports a backfill (JSON lines of batches), reporting progress after each batch.
    ///
    /// Every line is parsed and checked before anything is written; then each batch is
    /// applied in its own transaction and `progress` is called with no lock held. If a
    /// batch is rejected by the store's checks, the lines before it stay applied and the
    /// import can be re-run safely (E8).
    pub fn backfill_reader(
        &self,
        reader: impl BufRead,
        now: DateTime<Utc>,
        mut progress: impl FnMut(BackfillProgress),
    ) -> Result<BackfillReport> {
        check_now(now)?;
        let batches = backfill::parse_lines(reader)?;
        let total = batches.len() as u64;
        let mut reports = Vec::with_capacity(batches.len());
        for (line, batch) in batches {
            let report = self
                .lock()?
                .write(|c| sync::apply_batch(c, &batch, now, sync::Mode::Backfill))
                .map_err(|e| backfill::at_line(e, line))?;
            reports.push(report);
            progress(BackfillProgress {
                done: reports.len() as u64,
                total,
            });
        }
        Ok(BackfillReport { batches: reports })
    }

    /// [`Engine::backfill_reader`] on a file.
    pub fn backfill_file(
        &self,
        path: impl AsRef<Path>,
        now: DateTime<Utc>,
        progress: impl FnMut(BackfillProgress),
    ) -> Result<BackfillReport> {
        check_now(now)?;
        let file = std::fs::File::open(path)?;
        self.backfill_reader(std::io::BufReader::new(file), now, progress)
    }

    /// The business dates the host must send tonight for a location (S2).
    pub fn sync_window(&self, location: &str, now: DateTime<Utc>) -> Result<SyncWindow> {
        check_now(now)?;
        self.reader()?.read(|c| {
            let row = find_location(c, location)?;
            let settings = store::get_settings(c)?;
            let clock = sync::LocationClock::new(&row, &settings)?;
            let today = clock.today(now);
            let synced = clock.synced_dates(c, row.rowid, today)?;
            let plan = clock.plan(today, &synced, now);
            Ok(SyncWindow {
                location: row.location.id,
                today,
                last_synced: synced.last().copied(),
                dates: plan.dates,
                missing: plan.missing,
                next_sync_at: time::next_sync_at(clock.tz, settings.sync_hour, now),
            })
        })
    }

    /// The next UTC instant at which a location syncs (S1).
    pub fn next_sync_at(&self, location: &str, now: DateTime<Utc>) -> Result<DateTime<Utc>> {
        check_now(now)?;
        self.reader()?.read(|c| {
            let row = find_location(c, location)?;
            let settings = store::get_settings(c)?;
            let clock = sync::LocationClock::new(&row, &settings)?;
            Ok(time::next_sync_at(clock.tz, settings.sync_hour, now))
        })
    }

    /// Why a customer did or did not get surveys (E9).
    pub fn explain(&self, customer: &str, now: DateTime<Utc>) -> Result<Explanation> {
        check_now(now)?;
        self.reader()?.read(|c| explain::explain(c, customer, now))
    }

    /// Unsubscribes a known customer from every survey at every location (E3).
    pub fn unsubscribe_customer(&self, customer: &str, now: DateTime<Utc>) -> Result<()> {
        check_now(now)?;
        self.lock()?
            .write(|c| suppressions::unsubscribe_customer(c, customer, now))
    }

    /// Erases a customer (right to be forgotten): personal fields and free-text comments
    /// are removed, scores stay in NPS and ratings, and they are never surveyed again.
    ///
    /// The erased values are also scrubbed from the file's bytes (T2): freed space is
    /// zeroed and the WAL is folded back and truncated; [`Erasure::scrubbed`] says whether
    /// that completed (another connection's open snapshot can delay it until close).
    pub fn erase_customer(&self, customer: &str, now: DateTime<Utc>) -> Result<Erasure> {
        check_now(now)?;
        let mut store = self.lock()?;
        let mut erasure = store.write(|c| erasure::erase_customer(c, customer, now))?;
        erasure.scrubbed = store.checkpoint()?;
        Ok(erasure)
    }

    /// Unsubscribes an e-mail address or phone number, known or not yet (E3).
    pub fn unsubscribe_contact(&self, contact: &str, now: DateTime<Utc>) -> Result<()> {
        check_now(now)?;
        self.lock()?
            .write(|c| suppressions::unsubscribe_contact(c, contact, now))
    }

    /// Invitations waiting for delivery, by due time.
    pub fn pending_invitations(&self) -> Result<Vec<InvitationSummary>> {
        self.reader()?.read(store::pending_invitations)
    }

    /// Claims up to `limit` due messages for the host to deliver: each is rendered in the
    /// customer's language with fresh link tokens and leased; ack or fail it by its id.
    pub fn claim(&self, limit: u32, now: DateTime<Utc>) -> Result<Vec<OutboundMessage>> {
        check_now(now)?;
        self.lock()?.write(|c| delivery::claim(c, limit, now))
    }

    /// Records that a claimed message was delivered; it is never offered again.
    pub fn ack(&self, message_id: &str, now: DateTime<Utc>) -> Result<()> {
        check_now(now)?;
        self.lock()?.write(|c| delivery::ack(c, message_id, now))
    }

    /// Records that a claimed message could not be delivered: retried with backoff, or
    /// (after the last attempt, or when `permanent`) failed, releasing the cooldown (E4).
    pub fn fail(
        &self,
        message_id: &str,
        reason: &str,
        permanent: bool,
        now: DateTime<Utc>,
    ) -> Result<FailOutcome> {
        check_now(now)?;
        self.lock()?
            .write(|c| delivery::fail(c, message_id, reason, permanent, now))
    }

    /// Sends an invitation again (F5), optionally in another language; returns the new
    /// message id. The cooldown is not restarted.
    pub fn resend(
        &self,
        invitation_id: i64,
        language: Option<&str>,
        now: DateTime<Utc>,
    ) -> Result<String> {
        check_now(now)?;
        self.lock()?
            .write(|c| delivery::resend(c, invitation_id, language, now))
    }

    /// Applies the global unsubscribe (E3) from an unsubscribe link's token; returns the
    /// customer's host id.
    pub fn unsubscribe_by_token(&self, token: &str, now: DateTime<Utc>) -> Result<String> {
        check_now(now)?;
        self.lock()?
            .write(|c| delivery::unsubscribe_by_token(c, token, now))
    }

    /// Overrides a shipped template for one kind, channel and language; placeholder
    /// errors are reported here, not when a message is rendered.
    pub fn set_template(&self, template: &Template) -> Result<()> {
        self.lock()?.write(|c| delivery::set_template(c, template))
    }

    /// The template a customer speaking `language` gets, after the fallback chain.
    pub fn template(
        &self,
        kind: MessageKind,
        channel: Channel,
        language: &str,
    ) -> Result<Template> {
        self.reader()?
            .read(|c| delivery::effective_template(c, kind, channel, language))
    }

    /// The delivery settings (link base URL, link lifetime, lease, retries).
    pub fn delivery_settings(&self) -> Result<DeliverySettings> {
        self.reader()?.read(store::get_delivery_settings)
    }

    /// Replaces the delivery settings after validating them.
    pub fn set_delivery_settings(&self, settings: &DeliverySettings) -> Result<()> {
        let problems = validate::validate_delivery_settings(settings);
        if !problems.is_empty() {
            return Err(Error::Invalid(problems));
        }
        self.lock()?
            .write(|c| store::set_delivery_settings(c, settings))
    }

    /// The suppression list as peppered SHA-256 hashes, for other stores to import.
    pub fn export_suppressions(&self) -> Result<SuppressionBundle> {
        self.reader()?.read(suppressions::export_suppressions)
    }

    /// Imports another store's suppression hashes (E3 across stores); returns how many
    /// were new. Matching needs both stores to share `suppression_pepper`.
    pub fn import_suppressions(
        &self,
        bundle: &SuppressionBundle,
        source: &str,
        now: DateTime<Utc>,
    ) -> Result<u64> {
        check_now(now)?;
        self.lock()?
            .write(|c| suppressions::import_suppressions(c, bundle, source, now))
    }

    /// The store's survey (the shipped default until one is set).
    pub fn survey(&self) -> Result<Survey> {
        self.reader()?.read(responses::survey)
    }

    /// Replaces the store's survey after validating it.
    pub fn set_survey(&self, survey: &Survey) -> Result<()> {
        self.lock()?.write(|c| responses::set_survey(c, survey))
    }

    /// Review mode, unhappy threshold and the non-respondent reminder (N3, N4, R2).
    pub fn feedback_settings(&self) -> Result<FeedbackSettings> {
        self.reader()?.read(store::get_feedback_settings)
    }

    /// Replaces the feedback settings after validating them.
    pub fn set_feedback_settings(&self, settings: &FeedbackSettings) -> Result<()> {
        self.lock()?
            .write(|c| responses::set_feedback_settings(c, settings))
    }

    /// What the survey page shows for a survey or receipt link token, in the invitation's
    /// language or `language`.
    pub fn survey_page(
        &self,
        token: &str,
        language: Option<&str>,
        now: DateTime<Utc>,
    ) -> Result<SurveyPage> {
        check_now(now)?;
        self.reader()?
            .read(|c| responses::survey_page(c, token, language, now))
    }

    /// Records the one response a survey or receipt link takes (F6); says whether to show
    /// the review link (N3).
    pub fn record_response(
        &self,
        token: &str,
        input: &ResponseInput,
        now: DateTime<Utc>,
    ) -> Result<ResponseOutcome> {
        check_now(now)?;
        self.lock()?
            .write(|c| responses::record_response(c, token, input, now))
    }

    /// Mints a receipt link for an anonymous response at a location (F6).
    pub fn mint_receipt_link(
        &self,
        location: &str,
        transaction: Option<&str>,
        now: DateTime<Utc>,
    ) -> Result<ReceiptLink> {
        check_now(now)?;
        self.lock()?
            .write(|c| responses::mint_receipt_link(c, location, transaction, now))
    }

    /// Records e-receipt feedback (F1); returns the response id.
    pub fn record_feedback(&self, feedback: &FeedbackInput, now: DateTime<Utc>) -> Result<i64> {
        check_now(now)?;
        self.lock()?
            .write(|c| responses::record_feedback(c, feedback, now))
    }

    /// Turns a location's e-receipt feedback on or off; old feedback stays (F1).
    pub fn set_feedback_enabled(&self, location: &str, enabled: bool) -> Result<()> {
        self.lock()?
            .write(|c| responses::set_feedback_enabled(c, location, enabled))
    }

    /// Deletes a response (responses are never edited), recording who, the customer,
    /// the date and the score (F3).
    pub fn delete_response(&self, response_id: i64, admin: &str, now: DateTime<Utc>) -> Result<()> {
        check_now(now)?;
        self.lock()?
            .write(|c| responses::delete_response(c, response_id, admin, now))
    }

    /// The audit records of deleted responses, oldest first (F3).
    pub fn response_deletions(&self) -> Result<Vec<ResponseDeletion>> {
        self.reader()?.read(store::deletion_audit)
    }

    /// Records that the respondent clicked the review link (N3).
    pub fn review_clicked(&self, response_id: i64, now: DateTime<Utc>) -> Result<()> {
        check_now(now)?;
        self.lock()?
            .write(|c| responses::review_event(c, response_id, false, now))
    }

    /// Records a confirmed public review; a pending review reminder is then cancelled (R1).
    pub fn review_confirmed(&self, response_id: i64, now: DateTime<Utc>) -> Result<()> {
        check_now(now)?;
        self.lock()?
            .write(|c| responses::review_event(c, response_id, true, now))
    }

    /// NPS of a scope, from its counts (N1); none without answers.
    pub fn nps(&self, query: &ScoreQuery) -> Result<NpsSummary> {
        check_scores_query(query)?;
        self.reader()?.read(|c| responses::nps(c, query))
    }

    /// Star ratings of a scope: average on base 10, count and response rate (N5, N6).
    pub fn ratings(&self, query: &ScoreQuery) -> Result<RatingSummary> {
        check_scores_query(query)?;
        self.reader()?.read(|c| responses::ratings(c, query))
    }

    /// Outbox messages by status.
    pub fn outbox_counts(&self) -> Result<OutboxCounts> {
        self.reader()?.read(store::outbox_counts)
    }

    /// The alert settings (escalation, reply domain).
    pub fn alert_settings(&self) -> Result<AlertSettings> {
        self.reader()?.read(store::get_alert_settings)
    }

    /// Replaces the alert settings after validating them.
    pub fn set_alert_settings(&self, settings: &AlertSettings) -> Result<()> {
        self.lock()?
            .write(|c| alerts::set_alert_settings(c, settings))
    }

    /// Creates or updates a user by host id; a removed user comes back.
    pub fn upsert_user(&self, user: &User) -> Result<()> {
        self.lock()?.write(|c| alerts::upsert_user(c, user))
    }

    /// One active user by host id.
    pub fn user(&self, id: &str) -> Result<User> {
        self.reader()?.read(|c| {
            store::get_user(c, id)?
                .filter(|u| u.active)
                .map(|u| u.user)
                .ok_or_else(|| Error::NotFound {
                    what: "user",
                    id: id.to_owned(),
                })
        })
    }

    /// Every active user, by host id.
    pub fn users(&self) -> Result<Vec<User>> {
        self.reader()?.read(store::list_users)
    }

    /// Removes a user who holds no assignment and no unfinished alert; history stays.
    pub fn remove_user(&self, id: &str) -> Result<()> {
        self.lock()?.write(|c| alerts::remove_user(c, id))
    }

    /// Makes `user` the one assignee of `kind` at `location`, or store-wide with `None`;
    /// it replaces any earlier assignee (A1).
    pub fn assign_alerts(&self, kind: AlertKind, location: Option<&str>, user: &str) -> Result<()> {
        self.lock()?
            .write(|c| alerts::assign(c, kind, location, user))
    }

    /// Removes a location's (or the store-wide) assignment of `kind`.
    pub fn unassign_alerts(&self, kind: AlertKind, location: Option<&str>) -> Result<()> {
        self.lock()?.write(|c| alerts::unassign(c, kind, location))
    }

    /// The user an alert of `kind` at `location` goes to: the location's, else the
    /// store-wide default, else nobody (A1).
    pub fn assignee(&self, kind: AlertKind, location: &str) -> Result<Option<User>> {
        self.reader()?.read(|c| alerts::assignee(c, kind, location))
    }

    /// Every assignment, store-wide defaults first.
    pub fn assignments(&self) -> Result<Vec<Assignment>> {
        self.reader()?.read(alerts::assignments)
    }

    /// Alerts matching `query`; by default the dashboard's open and in-progress ones.
    pub fn alerts(&self, query: &AlertQuery) -> Result<Vec<Alert>> {
        self.reader()?.read(|c| alerts::alerts(c, query))
    }

    /// One alert by id.
    pub fn alert(&self, id: i64) -> Result<Alert> {
        self.reader()?.read(|c| alerts::alert(c, id))
    }

    /// An alert's interactions, oldest first.
    pub fn interactions(&self, alert: i64) -> Result<Vec<Interaction>> {
        self.reader()?.read(|c| alerts::interactions(c, alert))
    }

    /// Records how a user handled an alert (A3); an open alert moves to in progress.
    pub fn record_interaction(
        &self,
        alert: i64,
        interaction: &InteractionInput,
        now: DateTime<Utc>,
    ) -> Result<i64> {
        check_now(now)?;
        self.lock()?
            .write(|c| alerts::record_interaction(c, alert, interaction, now))
    }

    /// Moves an alert on; done needs at least one interaction and is final (A3).
    pub fn set_alert_status(
        &self,
        alert: i64,
        status: AlertStatus,
        now: DateTime<Utc>,
    ) -> Result<()> {
        check_now(now)?;
        self.lock()?
            .write(|c| alerts::set_alert_status(c, alert, status, now))
    }

    /// Gives an unfinished alert to another user (A3).
    pub fn reassign_alert(&self, alert: i64, user: &str, now: DateTime<Utc>) -> Result<()> {
        check_now(now)?;
        self.lock()?
            .write(|c| alerts::reassign_alert(c, alert, user, now))
    }

    /// Queues an e-mail to an alert's customer with a tracking Reply-To; it is logged on
    /// the alert and in the thread (A3). Returns the outbox message id.
    pub fn email_customer(
        &self,
        alert: i64,
        email: &CustomerEmail,
        now: DateTime<Utc>,
    ) -> Result<String> {
        check_now(now)?;
        self.lock()?
            .write(|c| alerts::email_customer(c, alert, email, now))
    }

    /// Files a customer's e-mail answer to a tracking reply address in its thread and on
    /// its alert (A3, F2).
    pub fn record_inbound_reply(
        &self,
        address: &str,
        text: &str,
        now: DateTime<Utc>,
    ) -> Result<InboundReply> {
        check_now(now)?;
        self.lock()?
            .write(|c| alerts::record_inbound_reply(c, address, text, now))
    }

    /// Replies to feedback, or records a reward or a refund, when the customer agreed to
    /// be replied to (F2). Returns the new thread comment's id.
    pub fn reply(&self, response_id: i64, reply: &ReplyInput, now: DateTime<Utc>) -> Result<i64> {
        check_now(now)?;
        self.lock()?
            .write(|c| alerts::reply(c, response_id, reply, now))
    }

    /// A response's conversation, oldest first (F2).
    pub fn thread(&self, response_id: i64) -> Result<Vec<ThreadComment>> {
        self.reader()?.read(|c| alerts::thread(c, response_id))
    }

    /// Queues the post-intervention survey of a done case (A4); refused with the reason
    /// when the original response was anonymous. Returns the outbox message id.
    pub fn send_follow_up(&self, alert: i64, now: DateTime<Utc>) -> Result<String> {
        check_now(now)?;
        self.lock()?
            .write(|c| alerts::send_follow_up(c, alert, now))
    }

    /// Records an external review or its reply (A5). Returns how many reviews of the
    /// location still wait for a reply; the alert clears itself at zero.
    pub fn report_review(&self, review: &ExternalReview, now: DateTime<Utc>) -> Result<u32> {
        check_now(now)?;
        checked(validate::instant_problems(
            "review",
            &[
                ("posted_at", Some(review.posted_at)),
                ("replied_at", review.replied_at),
            ],
        ))?;
        self.lock()?
            .write(|c| alerts::report_review(c, review, now))
    }

    /// Detractors to call back, newest first, with contact details and last comment.
    pub fn at_risk_customers(&self, location: Option<&str>) -> Result<Vec<AtRiskCustomer>> {
        self.reader()?
            .read(|c| alerts::at_risk_customers(c, location))
    }

    /// Writes the feedback CSV (X1) of a location and period: a BOM, the X1 header, one
    /// row per thread comment; returns the number of comment rows.
    pub fn export_csv(&self, query: &ExportQuery, out: impl Write) -> Result<u64> {
        check_export_query(query)?;
        self.reader()?.read(|c| exports::csv(c, query, out))
    }

    /// [`Engine::export_csv`] into a file, replaced only once the export is complete: it
    /// is written under a fresh temporary name beside `path` and renamed over it (T4).
    pub fn export_csv_file(&self, query: &ExportQuery, path: impl AsRef<Path>) -> Result<u64> {
        crate::fsio::write_atomically(path.as_ref(), |f| {
            self.export_csv(query, std::io::BufWriter::new(f))
        })
    }

    /// Writes the feedback spreadsheet (X2) of a location and period as .xlsx: sheets
    /// "By employee", "By date" and "Comments" (the X1 columns).
    pub fn export_xlsx(&self, query: &ExportQuery, mut out: impl Write) -> Result<ExportSummary> {
        check_export_query(query)?;
        let (bytes, summary) = self.reader()?.read(|c| exports::xlsx(c, query))?;
        out.write_all(&bytes)?;
        out.flush()?;
        Ok(summary)
    }

    /// [`Engine::export_xlsx`] into a file, replaced only once the export is complete (as
    /// [`Engine::export_csv_file`]).
    pub fn export_xlsx_file(
        &self,
        query: &ExportQuery,
        path: impl AsRef<Path>,
    ) -> Result<ExportSummary> {
        crate::fsio::write_atomically(path.as_ref(), |f| self.export_xlsx(query, f))
    }
}

/// Reports (issue 8): every call takes `now` (for "current month"), reads on the reader
/// connection, and honours `user` (an admin sees every location, others their own).
impl Engine {
    /// NPS and average rating of a period, location and employee (N1, N2, N5, N6).
    pub fn scores(&self, query: &ReportQuery, now: DateTime<Utc>) -> Result<Scores> {
        check_now(now)?;
        check_report_query("query", query)?;
        self.reader()?.read(|c| reports::scores(c, query, now))
    }

    /// Scores by local day, ISO week or month (N2); buckets without responses are left out.
    pub fn score_series(
        &self,
        query: &ReportQuery,
        bucket: Bucket,
        now: DateTime<Utc>,
    ) -> Result<Vec<SeriesPoint>> {
        check_now(now)?;
        check_report_query("query", query)?;
        self.reader()?
            .read(|c| reports::series_of(c, query, bucket, now))
    }

    /// Of the invitations delivered in the period, the share answered (N5).
    pub fn response_rate(&self, query: &ReportQuery, now: DateTime<Utc>) -> Result<ResponseRate> {
        check_now(now)?;
        check_report_query("query", query)?;
        self.reader()?
            .read(|c| reports::response_rate(c, query, now))
    }

    /// Promoters, review links shown, clicks and confirmed reviews (N3).
    pub fn review_funnel(&self, query: &ReportQuery, now: DateTime<Utc>) -> Result<ReviewFunnel> {
        check_now(now)?;
        check_report_query("query", query)?;
        self.reader()?
            .read(|c| reports::review_funnel(c, query, now))
    }

    /// Per employee (optionally of one role): responses, NPS, average rating (X4).
    pub fn employee_performance(
        &self,
        query: &ReportQuery,
        role: Option<Role>,
        now: DateTime<Utc>,
    ) -> Result<Vec<EmployeePerformance>> {
        check_now(now)?;
        check_report_query("query", query)?;
        self.reader()?
            .read(|c| reports::employee_performance(c, query, role, now))
    }

    /// The local dates and UTC instants a dashboard period covers at a location (X3).
    pub fn period_bounds(
        &self,
        location: &str,
        period: &Period,
        now: DateTime<Utc>,
    ) -> Result<PeriodBounds> {
        check_now(now)?;
        checked(validate::period_problems("arguments", period))?;
        self.reader()?
            .read(|c| reports::period_bounds(c, location, period, now))
    }

    /// One page of the feedback list, filtered and sorted (X3).
    pub fn feedback(&self, query: &FeedbackQuery, now: DateTime<Utc>) -> Result<FeedbackPage> {
        check_now(now)?;
        check_report_query("query", &query.scope)?;
        self.reader()?.read(|c| reports::feedback(c, query, now))
    }

    /// A customer's whole history: invitations and responses (F4).
    pub fn customer_history(&self, customer: &str, user: Option<&str>) -> Result<CustomerHistory> {
        self.reader()?
            .read(|c| reports::customer_history(c, customer, user))
    }

    /// Customers filtered by gender, response category and subscription status (F4).
    pub fn customers(&self, query: &CustomerQuery) -> Result<CustomerPage> {
        self.reader()?.read(|c| reports::customers(c, query))
    }

    /// The unsubscribes of a period, newest first (F4 *beyond*).
    pub fn unsubscribes(
        &self,
        query: &ReportQuery,
        now: DateTime<Utc>,
    ) -> Result<Vec<Unsubscribe>> {
        check_now(now)?;
        check_report_query("query", query)?;
        self.reader()?
            .read(|c| reports::unsubscribes(c, query, now))
    }

    /// This store's PII-free aggregate counts, to share with other stores.
    pub fn export_aggregates(
        &self,
        store_label: &str,
        now: DateTime<Utc>,
    ) -> Result<AggregateBundle> {
        check_now(now)?;
        self.reader()?
            .read(|c| reports::export_aggregates(c, store_label, now))
    }

    /// Imports another store's aggregate bundle (replacing its earlier one); returns its rows.
    pub fn import_aggregates(&self, bundle: &AggregateBundle, now: DateTime<Utc>) -> Result<u64> {
        check_now(now)?;
        checked(validate::instant_problems(
            "bundle",
            &[("created_at", Some(bundle.created_at))],
        ))?;
        self.lock()?
            .write(|c| reports::import_aggregates(c, bundle, now))
    }

    /// Your NPS over a scope against the imported stores over the same months.
    pub fn compare_nps(&self, query: &ReportQuery, now: DateTime<Utc>) -> Result<Comparison> {
        check_now(now)?;
        check_report_query("query", query)?;
        self.reader()?.read(|c| reports::compare_nps(c, query, now))
    }

    /// Recomputes the daily rollups from the responses (after rows were written by other
    /// means, or to repair); returns the responses counted.
    pub fn rebuild_rollups(&self) -> Result<u64> {
        self.lock()?.write(store::rebuild_rollups)
    }
}

/// The journal mode a store connection is in.
fn journal_of(store: &Store) -> JournalMode {
    if store.is_wal() {
        JournalMode::Wal
    } else {
        JournalMode::Rollback
    }
}

impl Drop for Engine {
    /// Closes the store as [`Engine::close`] does (T1); errors cannot be reported here.
    fn drop(&mut self) {
        let _ = self.close();
    }
}

/// T3: `now` lies in the one range of instants, or the call is invalid input naming it.
fn check_now(now: DateTime<Utc>) -> Result<()> {
    time::check_instant(now, "arguments", "now").map_err(Error::invalid)
}

/// An error from the problems found, if any.
fn checked(problems: Vec<crate::error::Problem>) -> Result<()> {
    if problems.is_empty() {
        Ok(())
    } else {
        Err(Error::Invalid(problems))
    }
}

/// T3: the bounds of a score query lie in the range.
fn check_scores_query(q: &ScoreQuery) -> Result<()> {
    checked(validate::instant_problems(
        "query",
        &[("from", q.from), ("to", q.to)],
    ))
}

/// T3: the bounds of an export query lie in the range.
fn check_export_query(q: &ExportQuery) -> Result<()> {
    checked(validate::instant_problems(
        "query",
        &[("from", q.from), ("to", q.to)],
    ))
}

/// T3: the period of a report query lies in the range.
fn check_report_query(record: &str, q: &ReportQuery) -> Result<()> {
    checked(validate::period_problems(record, &q.period))
}

fn find_location(c: &rusqlite::Connection, id: &str) -> Result<store::LocationRow> {
    store::get_location(c, id)?.ok_or_else(|| Error::NotFound {
        what: "location",
        id: id.to_owned(),
    })
}

/// E7: at least one location stays enabled.
fn refuse_last_disable(c: &rusqlite::Connection, currently_enabled: bool) -> Result<()> {
    if currently_enabled && store::count_enabled_locations(c)? <= 1 {
        return Err(Error::Conflict(
            "the last enabled location cannot be disabled".into(),
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn engine_is_send_and_sync() {
        fn shared<T: Send + Sync>() {}
        shared::<Engine>();
    }

    /// A dashboard read does not wait for a write in progress (WAL).
    #[test]
    fn reads_do_not_wait_behind_a_write() {
        let dir = tempfile::tempdir().unwrap();
        let engine = Engine::open(dir.path().join("r.db")).unwrap();
        engine
            .upsert_location(&Location::new("paris", "Paris", "Europe/Paris"))
            .unwrap();
        let writing = engine.lock(); // a sync holding the writer
        let (tx, rx) = std::sync::mpsc::channel();
        std::thread::scope(|s| {
            s.spawn(|| tx.send(engine.locations().map(|l| l.len())).unwrap());
            let read = rx.recv_timeout(std::time::Duration::from_secs(5));
            drop(writing);
            assert_eq!(read.expect("the read waited for the writer").unwrap(), 1);
        });
    }
}
