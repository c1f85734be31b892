//! The `Engine` object: one method per public method of [`crate::Engine`].

use std::sync::Arc;

use crate::wire;

use crate::model::{
    AckOutcome, Alert, AlertKind, AlertQuery, AlertSettings, AlertStatus, Assignment,
    AtRiskCustomer, BackfillProgress, BackfillReport, CancelReport, Channel, ConsentChange,
    ContactErasure, ContactState, CustomerEmail, DeliveryFeedback, DeliveryFeedbackOutcome,
    DeliverySettings, DueWork, EventsPage, Explanation, ExternalReview, FailOutcome, FeedbackInput,
    FeedbackSettings, InboundReply, Interaction, InteractionInput, InvitationSummary, Location,
    MessageKind, NpsSummary, OutboundMessage, OutboxCounts, RatingSummary, ReceiptLink, ReplyInput,
    ResponseDeletion, ResponseInput, ResponseOutcome, ScoreQuery, Settings, SmsOutcome,
    SuppressionBundle, Survey, SurveyPage, SyncBatch, SyncReport, SyncWindow, Template,
    ThreadComment, User,
};

use super::config::{JournalMode, OpenOptions, StoreCheck};
use super::error::HearkenError;
use super::time;

/// The options of the counts-only sync.
const COUNTS_ONLY: crate::SyncOptions = crate::SyncOptions {
    report: crate::ReportDetail::Counts,
};

/// A handle on one store's hearken database; share it between threads.
#[derive(uniffi::Object)]
pub struct Engine {
    inner: crate::Engine,
}

/// Receives the progress of a backfill import, after each batch is committed.
#[uniffi::export(callback_interface)]
pub trait BackfillListener: Send + Sync {
    /// Called after each committed batch. Throwing does not stop the import (its batches
    /// are already committed); a listener that throws is not called again.
    fn on_progress(&self, progress: BackfillProgress) -> Result<(), HearkenError>;
}

type Answer<T> = Result<T, HearkenError>;

#[uniffi::export]
impl Engine {
    /// Opens (creating and migrating as needed) the database at `path` with default options.
    #[uniffi::constructor]
    pub fn new(path: String) -> Answer<Arc<Self>> {
        Ok(Self::wrap(crate::Engine::open(path)?))
    }

    /// Opens the database at `path` with the given options.
    #[uniffi::constructor]
    pub fn open_with(path: String, options: OpenOptions) -> Answer<Arc<Self>> {
        Ok(Self::wrap(crate::Engine::open_with(path, &options.into())?))
    }

    /// Opens the store `store` (the vendor's text id) of the PostgreSQL database at `url`, a
    /// `postgres://` connection string (hosted mode, H1). The schema must be installed and
    /// the store created by an admin. A library built without the cargo feature `hosted`
    /// (the default wheels and jar) raises `Unsupported`.
    #[uniffi::constructor]
    pub fn open_url(url: String, store: String) -> Answer<Arc<Self>> {
        Ok(Self::wrap(crate::Engine::open_url(&url, &store)?))
    }

    /// Opens a private in-memory database (tests, demos).
    #[uniffi::constructor]
    pub fn open_in_memory() -> Answer<Arc<Self>> {
        Ok(Self::wrap(crate::Engine::open_in_memory()?))
    }

    /// Closes the store: readers first, then the writer, which folds the WAL back so the
    /// whole store is in its one file (T1). Every later call raises `Closed`; closing again
    /// does nothing. Releasing the object (Kotlin `close()`/`use {}`, Swift deinit, Python
    /// finaliser) closes too, silently; this call reports failures. Not named `close`:
    /// Kotlin objects already have an `AutoCloseable.close()` (Python gets `close()` too).
    pub fn close_store(&self) -> Answer<()> {
        Ok(self.inner.close()?)
    }

    /// Writes a consistent copy of the live store to `path` with SQLite's online backup,
    /// under a fresh temporary name in its folder, renamed into place when complete. The
    /// store's own file or one of its companions (-wal, -shm, -journal), by any path, link
    /// or letter case, is `InvalidInput` naming `path`; nothing is written (T4).
    pub fn backup(&self, path: String) -> Answer<()> {
        Ok(self.inner.backup(path)?)
    }

    /// Runs SQLite's integrity and foreign-key checks on the store (T7).
    pub fn check(&self) -> Answer<StoreCheck> {
        Ok(self.inner.check()?.into())
    }

    /// The store's journal mode: the one it was created with or converted to (T5).
    pub fn journal_mode(&self) -> Answer<JournalMode> {
        Ok(self.inner.journal_mode()?.into())
    }

    /// The store-wide settings.
    pub fn settings(&self) -> Answer<Settings> {
        Ok(self.inner.settings()?)
    }

    /// Replaces the store-wide settings after validating them.
    pub fn set_settings(&self, settings: Settings) -> Answer<()> {
        Ok(self.inner.set_settings(&settings)?)
    }

    /// Creates or updates a location by host id.
    pub fn upsert_location(&self, location: Location) -> Answer<()> {
        Ok(self.inner.upsert_location(&location)?)
    }

    /// One location by host id.
    pub fn location(&self, id: String) -> Answer<Location> {
        Ok(self.inner.location(&id)?)
    }

    /// Every location, by host id.
    pub fn locations(&self) -> Answer<Vec<Location>> {
        Ok(self.inner.locations()?)
    }

    /// Enables or disables a location's surveys (E7); the last enabled one stays enabled.
    pub fn set_location_enabled(&self, id: String, enabled: bool) -> Answer<()> {
        Ok(self.inner.set_location_enabled(&id, enabled)?)
    }

    /// Runs the nightly sync of one batch: validate, upsert, decide, queue invitations.
    pub fn sync(&self, batch: SyncBatch, now_ms: i64) -> Answer<SyncReport> {
        let now = time::arg_instant(now_ms, "now_ms")?;
        Ok(self.inner.sync(&batch, now)?)
    }

    /// `sync` on a batch given as JSON (docs/batch-format.md); returns the report as JSON.
    pub fn sync_json(&self, json: String, now_ms: i64) -> Answer<String> {
        let now = time::arg_instant(now_ms, "now_ms")?;
        Ok(wire::to_json(&self.inner.sync_json(&json, now)?))
    }

    /// `sync` returning only the counts: the report's lists are empty and its `counts` says
    /// how many entries they would hold. Same decisions; less memory on a big batch.
    pub fn sync_counts(&self, batch: SyncBatch, now_ms: i64) -> Answer<SyncReport> {
        let now = time::arg_instant(now_ms, "now_ms")?;
        Ok(self.inner.sync_with(&batch, now, &COUNTS_ONLY)?)
    }

    /// `sync_counts` on a batch given as JSON; returns the report as JSON.
    pub fn sync_counts_json(&self, json: String, now_ms: i64) -> Answer<String> {
        let now = time::arg_instant(now_ms, "now_ms")?;
        Ok(wire::to_json(&self.inner.sync_json_with(
            &json,
            now,
            &COUNTS_ONLY,
        )?))
    }

    /// Imports a backfill file (JSON lines of batches), telling `listener` after each batch.
    pub fn backfill_file(
        &self,
        path: String,
        now_ms: i64,
        listener: Option<Box<dyn BackfillListener>>,
    ) -> Answer<BackfillReport> {
        let now = time::arg_instant(now_ms, "now_ms")?;
        let mut listener = listener;
        let report = self.inner.backfill_file(path, now, |progress| {
            if let Some(l) = &listener
                && l.on_progress(progress).is_err()
            {
                listener = None;
            }
        })?;
        Ok(report)
    }

    /// The business dates the host must send tonight for a location (S2).
    pub fn sync_window(&self, location: String, now_ms: i64) -> Answer<SyncWindow> {
        let now = time::arg_instant(now_ms, "now_ms")?;
        Ok(self.inner.sync_window(&location, now)?)
    }

    /// `sync_window` as JSON, the form every door returns.
    pub fn sync_window_json(&self, location: String, now_ms: i64) -> Answer<String> {
        let now = time::arg_instant(now_ms, "now_ms")?;
        Ok(wire::to_json(&self.inner.sync_window(&location, now)?))
    }

    /// The next instant (Unix milliseconds) at which a location syncs (S1).
    pub fn next_sync_at(&self, location: String, now_ms: i64) -> Answer<i64> {
        let now = time::arg_instant(now_ms, "now_ms")?;
        Ok(time::ms(self.inner.next_sync_at(&location, now)?))
    }

    /// Why a customer did or did not get surveys (E9).
    pub fn explain(&self, customer: String, now_ms: i64) -> Answer<Explanation> {
        let now = time::arg_instant(now_ms, "now_ms")?;
        Ok(self.inner.explain(&customer, now)?)
    }

    /// `explain` as JSON, the form every door returns.
    pub fn explain_json(&self, customer: String, now_ms: i64) -> Answer<String> {
        let now = time::arg_instant(now_ms, "now_ms")?;
        Ok(wire::to_json(&self.inner.explain(&customer, now)?))
    }

    /// A customer's contact state for the POS customer screen (D7).
    pub fn contact_state(&self, customer: String, now_ms: i64) -> Answer<ContactState> {
        let now = time::arg_instant(now_ms, "now_ms")?;
        Ok(self.inner.contact_state(&customer, now)?)
    }

    /// Cancels a customer's pending invitation and reminder messages (`cancelled_by_host`,
    /// D7), releasing the cooldown of an invitation not yet delivered (E4).
    pub fn cancel_pending(&self, customer: String, now_ms: i64) -> Answer<CancelReport> {
        let now = time::arg_instant(now_ms, "now_ms")?;
        Ok(self.inner.cancel_pending(&customer, now)?)
    }

    /// Everything hearken holds about a customer, as one JSON document (D6).
    pub fn customer_export_json(&self, customer: String) -> Answer<String> {
        Ok(wire::to_json(&self.inner.customer_export(&customer)?))
    }

    /// What hearken holds about an e-mail address or phone number alone, as JSON (D6).
    pub fn contact_export_json(&self, contact: String) -> Answer<String> {
        Ok(wire::to_json(&self.inner.contact_export(&contact)?))
    }

    /// Erases an e-mail address or phone number and every customer who had it (D6).
    pub fn erase_contact(&self, contact: String, now_ms: i64) -> Answer<ContactErasure> {
        let now = time::arg_instant(now_ms, "now_ms")?;
        Ok(self.inner.erase_contact(&contact, now)?)
    }

    /// Unsubscribes a known customer from every survey at every location (E3).
    pub fn unsubscribe_customer(&self, customer: String, now_ms: i64) -> Answer<()> {
        let now = time::arg_instant(now_ms, "now_ms")?;
        Ok(self.inner.unsubscribe_customer(&customer, now)?)
    }

    /// Unsubscribes an e-mail address or phone number, known or not yet (E3).
    pub fn unsubscribe_contact(&self, contact: String, now_ms: i64) -> Answer<()> {
        let now = time::arg_instant(now_ms, "now_ms")?;
        Ok(self.inner.unsubscribe_contact(&contact, now)?)
    }

    /// Invitations waiting for delivery, oldest first.
    pub fn pending_invitations(&self) -> Answer<Vec<InvitationSummary>> {
        Ok(self.inner.pending_invitations()?)
    }

    /// Queues what has fallen due by `now_ms`: survey and review reminders (R1, R2) and
    /// alert escalations (A3). `claim` runs it first, so a host that claims regularly never
    /// needs it.
    pub fn run_due(&self, now_ms: i64) -> Answer<DueWork> {
        let now = time::arg_instant(now_ms, "now_ms")?;
        Ok(self.inner.run_due(now)?)
    }

    /// Runs the timers (as `run_due` does), then claims up to `limit` due messages for the
    /// host to deliver: each is rendered in the customer's language with fresh link tokens
    /// and leased; ack or fail it by its id.
    pub fn claim(&self, limit: u32, now_ms: i64) -> Answer<Vec<OutboundMessage>> {
        let now = time::arg_instant(now_ms, "now_ms")?;
        Ok(self.inner.claim(limit, now)?)
    }

    /// Records that a claimed message was delivered; it is never offered again. Acking
    /// twice is fine.
    pub fn ack(&self, message_id: String, now_ms: i64) -> Answer<()> {
        let now = time::arg_instant(now_ms, "now_ms")?;
        Ok(self.inner.ack(&message_id, now)?)
    }

    /// Records the delivery of several claimed messages in one transaction; one outcome
    /// per id, in order (acked, acked before, conflict, not found). An id that cannot be
    /// acked changes nothing and does not stop the others.
    pub fn ack_many(&self, message_ids: Vec<String>, now_ms: i64) -> Answer<Vec<AckOutcome>> {
        let now = time::arg_instant(now_ms, "now_ms")?;
        Ok(self.inner.ack_many(&message_ids, now)?)
    }

    /// Up to `limit` (1 to 1000) events of the feed after `after_cursor` (none: from the
    /// oldest kept), oldest first, with the cursor to read on from; or why the cursor
    /// cannot be read from: its events were pruned (`CursorExpired`) or it is from another
    /// incarnation of the store, a restored backup or an import (`ForeignCursor`); both
    /// carry the oldest valid cursor (D1).
    pub fn events(&self, after_cursor: Option<String>, limit: u32) -> Answer<EventsPage> {
        Ok(self.inner.events(after_cursor.as_deref(), limit)?)
    }

    /// Records that a claimed message could not be delivered: retried with backoff, or
    /// (after the last attempt, or when `permanent`) failed, releasing the cooldown (E4).
    pub fn fail(
        &self,
        message_id: String,
        reason: String,
        permanent: bool,
        now_ms: i64,
    ) -> Answer<FailOutcome> {
        let now = time::arg_instant(now_ms, "now_ms")?;
        Ok(self.inner.fail(&message_id, &reason, permanent, now)?)
    }

    /// Subscribes a URL to event types (D2); the answer carries the signing secret (the
    /// given one, or a generated one), the only time it is shown.
    pub fn add_webhook(
        &self,
        webhook: crate::model::NewWebhook,
        now_ms: i64,
    ) -> Answer<crate::model::Webhook> {
        let now = time::arg_instant(now_ms, "now_ms")?;
        Ok(self.inner.add_webhook(&webhook, now)?)
    }

    /// Every webhook subscription, by id, without secrets (D2).
    pub fn webhooks(&self) -> Answer<Vec<crate::model::Webhook>> {
        Ok(self.inner.webhooks()?)
    }

    /// Removes a webhook subscription; its messages not yet delivered are cancelled (D2).
    pub fn remove_webhook(&self, id: i64, now_ms: i64) -> Answer<()> {
        let now = time::arg_instant(now_ms, "now_ms")?;
        Ok(self.inner.remove_webhook(id, now)?)
    }

    /// Gives a webhook subscription a new secret (returned, shown this once); the old one
    /// still signs for `grace_seconds` (none: 24 hours; at most 30 days) (D2).
    pub fn rotate_webhook_secret(
        &self,
        id: i64,
        grace_seconds: Option<u64>,
        now_ms: i64,
    ) -> Answer<crate::model::Webhook> {
        let now = time::arg_instant(now_ms, "now_ms")?;
        let grace = grace_seconds.map(std::time::Duration::from_secs);
        Ok(self.inner.rotate_webhook_secret(id, grace, now)?)
    }

    /// Queues a test delivery to a webhook subscription, due at once; its message id (D2).
    pub fn ping_webhook(&self, id: i64, now_ms: i64) -> Answer<String> {
        let now = time::arg_instant(now_ms, "now_ms")?;
        Ok(self.inner.ping_webhook(id, now)?)
    }

    /// Records a failed delivery of a claimed webhook message with the endpoint's HTTP
    /// status (0: no answer): a 410, or the 20th failure in a row, disables the
    /// subscription (D2).
    pub fn fail_webhook(
        &self,
        message_id: String,
        http_status: u16,
        reason: String,
        now_ms: i64,
    ) -> Answer<FailOutcome> {
        let now = time::arg_instant(now_ms, "now_ms")?;
        Ok(self
            .inner
            .fail_webhook(&message_id, http_status, &reason, now)?)
    }

    /// Records what the mail or SMS provider reported on a sent message, even after its
    /// ack (D3): a hard bounce, a soft bounce or a spam complaint.
    pub fn report_delivery(
        &self,
        message_id: String,
        feedback: DeliveryFeedback,
        now_ms: i64,
    ) -> Answer<DeliveryFeedbackOutcome> {
        let now = time::arg_instant(now_ms, "now_ms")?;
        Ok(self.inner.report_delivery(&message_id, feedback, now)?)
    }

    /// Acts on an SMS a customer sent to the store's number (D4): an opt-out word anywhere
    /// suppresses the phone and queues one confirmation, START or UNSTOP lifts a keyword
    /// opt-out, HELP queues the help text, a bare 0 to 10 answers the latest open SMS
    /// invitation, anything else is kept as a reply. One transaction.
    pub fn receive_sms(
        &self,
        from: String,
        body: String,
        received_at_ms: i64,
    ) -> Answer<SmsOutcome> {
        let received_at = time::arg_instant(received_at_ms, "received_at_ms")?;
        let sms = crate::model::InboundSms {
            from,
            body,
            received_at,
        };
        Ok(self.inner.receive_sms(&sms)?)
    }

    /// A customer's consent history, oldest first (D5).
    pub fn consent_history(&self, customer: String) -> Answer<Vec<ConsentChange>> {
        Ok(self.inner.consent_history(&customer)?)
    }

    /// Sends an invitation again (F5), optionally in another language (`None`: the same
    /// one); returns the new message id. The cooldown is not restarted.
    pub fn resend(
        &self,
        invitation_id: i64,
        language: Option<String>,
        now_ms: i64,
    ) -> Answer<String> {
        let now = time::arg_instant(now_ms, "now_ms")?;
        Ok(self.inner.resend(invitation_id, language.as_deref(), now)?)
    }

    /// Applies the global unsubscribe (E3) from an unsubscribe link's token (the link's
    /// last path segment); returns the customer's host id.
    pub fn unsubscribe_by_token(&self, token: String, now_ms: i64) -> Answer<String> {
        let now = time::arg_instant(now_ms, "now_ms")?;
        Ok(self.inner.unsubscribe_by_token(&token, now)?)
    }

    /// Overrides a shipped template for one kind, channel and language; placeholder
    /// errors are reported here (`InvalidInput` naming the field), not at rendering.
    pub fn set_template(&self, template: Template) -> Answer<()> {
        Ok(self.inner.set_template(&template)?)
    }

    /// The template a customer speaking `language` gets, after the fallback chain
    /// (e.g. `fr-CA` → `fr` → the store's default language).
    pub fn template(
        &self,
        kind: MessageKind,
        channel: Channel,
        language: String,
    ) -> Answer<Template> {
        Ok(self.inner.template(kind, channel, &language)?)
    }

    /// The delivery settings (link base URL, link lifetime, lease, retries).
    pub fn delivery_settings(&self) -> Answer<DeliverySettings> {
        Ok(self.inner.delivery_settings()?)
    }

    /// Replaces the delivery settings after validating them.
    pub fn set_delivery_settings(&self, settings: DeliverySettings) -> Answer<()> {
        Ok(self.inner.set_delivery_settings(&settings)?)
    }

    /// The suppression list as peppered SHA-256 hashes, for other stores to import.
    pub fn export_suppressions(&self) -> Answer<SuppressionBundle> {
        Ok(self.inner.export_suppressions()?)
    }

    /// Imports another store's suppression hashes (E3 across stores); returns how many
    /// were new. Matching needs both stores to share `suppression_pepper`.
    pub fn import_suppressions(
        &self,
        bundle: SuppressionBundle,
        source: String,
        now_ms: i64,
    ) -> Answer<u64> {
        let now = time::arg_instant(now_ms, "now_ms")?;
        Ok(self.inner.import_suppressions(&bundle, &source, now)?)
    }

    /// Outbox messages by status.
    pub fn outbox_counts(&self) -> Answer<OutboxCounts> {
        Ok(self.inner.outbox_counts()?)
    }

    /// The store's survey (the shipped default until one is set).
    pub fn survey(&self) -> Answer<Survey> {
        Ok(self.inner.survey()?)
    }

    /// Replaces the store's survey after validating it (`InvalidInput` naming each bad
    /// question's field).
    pub fn set_survey(&self, survey: Survey) -> Answer<()> {
        Ok(self.inner.set_survey(&survey)?)
    }

    /// Review mode, unhappy threshold and the non-respondent reminder (N3, N4, R2).
    pub fn feedback_settings(&self) -> Answer<FeedbackSettings> {
        Ok(self.inner.feedback_settings()?)
    }

    /// Replaces the feedback settings after validating them.
    pub fn set_feedback_settings(&self, settings: FeedbackSettings) -> Answer<()> {
        Ok(self.inner.set_feedback_settings(&settings)?)
    }

    /// What the survey page shows for a survey or receipt link token (the link's last path
    /// segment), in the invitation's language or `language`.
    pub fn survey_page(
        &self,
        token: String,
        language: Option<String>,
        now_ms: i64,
    ) -> Answer<SurveyPage> {
        let now = time::arg_instant(now_ms, "now_ms")?;
        Ok(self.inner.survey_page(&token, language.as_deref(), now)?)
    }

    /// Records the one response a survey or receipt link takes (F6); says whether to show
    /// the review link (N3). A second response to the link is `Conflict`; a bad answer is
    /// `InvalidInput` naming each answer's field.
    pub fn record_response(
        &self,
        token: String,
        input: ResponseInput,
        now_ms: i64,
    ) -> Answer<ResponseOutcome> {
        let now = time::arg_instant(now_ms, "now_ms")?;
        Ok(self.inner.record_response(&token, &input, now)?)
    }

    /// Mints a receipt link for an anonymous response at a location, optionally tied to a
    /// known transaction (F6).
    pub fn mint_receipt_link(
        &self,
        location: String,
        transaction: Option<String>,
        now_ms: i64,
    ) -> Answer<ReceiptLink> {
        let now = time::arg_instant(now_ms, "now_ms")?;
        Ok(self
            .inner
            .mint_receipt_link(&location, transaction.as_deref(), now)?)
    }

    /// Records e-receipt feedback (F1); returns the response id. `Conflict` when the
    /// location turned e-receipt feedback off.
    pub fn record_feedback(&self, feedback: FeedbackInput, now_ms: i64) -> Answer<i64> {
        let now = time::arg_instant(now_ms, "now_ms")?;
        Ok(self.inner.record_feedback(&feedback, now)?)
    }

    /// Turns a location's e-receipt feedback on or off; old feedback stays (F1).
    pub fn set_feedback_enabled(&self, location: String, enabled: bool) -> Answer<()> {
        Ok(self.inner.set_feedback_enabled(&location, enabled)?)
    }

    /// Deletes a response (responses are never edited), recording who, the customer, the
    /// date and the score (F3).
    pub fn delete_response(&self, response_id: i64, admin: String, now_ms: i64) -> Answer<()> {
        let now = time::arg_instant(now_ms, "now_ms")?;
        Ok(self.inner.delete_response(response_id, &admin, now)?)
    }

    /// The audit records of deleted responses, oldest first (F3).
    pub fn response_deletions(&self) -> Answer<Vec<ResponseDeletion>> {
        Ok(self.inner.response_deletions()?)
    }

    /// Records that the respondent clicked the review link (N3).
    pub fn review_clicked(&self, response_id: i64, now_ms: i64) -> Answer<()> {
        let now = time::arg_instant(now_ms, "now_ms")?;
        Ok(self.inner.review_clicked(response_id, now)?)
    }

    /// Records a confirmed public review; a pending review reminder is then cancelled (R1).
    pub fn review_confirmed(&self, response_id: i64, now_ms: i64) -> Answer<()> {
        let now = time::arg_instant(now_ms, "now_ms")?;
        Ok(self.inner.review_confirmed(response_id, now)?)
    }

    /// NPS of a scope, from its counts (N1); none without answers.
    #[allow(deprecated)]
    pub fn nps(&self, query: ScoreQuery) -> Answer<NpsSummary> {
        Ok(self.inner.nps(&query)?)
    }

    /// Star ratings of a scope: average on base 10, count and response rate (N5, N6).
    #[allow(deprecated)]
    pub fn ratings(&self, query: ScoreQuery) -> Answer<RatingSummary> {
        Ok(self.inner.ratings(&query)?)
    }

    /// The alert settings (escalation delay, reply domain).
    pub fn alert_settings(&self) -> Answer<AlertSettings> {
        Ok(self.inner.alert_settings()?)
    }

    /// Replaces the alert settings after validating them.
    pub fn set_alert_settings(&self, settings: AlertSettings) -> Answer<()> {
        Ok(self.inner.set_alert_settings(&settings)?)
    }

    /// Creates or updates a user by host id; a removed user comes back. A bad field is
    /// `InvalidInput` naming it (`name`, `email`, `locations[i]`, …).
    pub fn upsert_user(&self, user: User) -> Answer<()> {
        Ok(self.inner.upsert_user(&user)?)
    }

    /// One active user by host id.
    pub fn user(&self, id: String) -> Answer<User> {
        Ok(self.inner.user(&id)?)
    }

    /// Every active user, by host id.
    pub fn users(&self) -> Answer<Vec<User>> {
        Ok(self.inner.users()?)
    }

    /// Removes a user who holds no assignment and no unfinished alert (else `Conflict`);
    /// their history stays.
    pub fn remove_user(&self, id: String) -> Answer<()> {
        Ok(self.inner.remove_user(&id)?)
    }

    /// Makes `user` the one assignee of `kind` at `location`, or store-wide with `None`;
    /// it replaces any earlier assignee (A1).
    pub fn assign_alerts(
        &self,
        kind: AlertKind,
        location: Option<String>,
        user: String,
    ) -> Answer<()> {
        Ok(self.inner.assign_alerts(kind, location.as_deref(), &user)?)
    }

    /// Removes a location's (or, with `None`, the store-wide) assignment of `kind`.
    pub fn unassign_alerts(&self, kind: AlertKind, location: Option<String>) -> Answer<()> {
        Ok(self.inner.unassign_alerts(kind, location.as_deref())?)
    }

    /// The user an alert of `kind` at `location` goes to: the location's, else the
    /// store-wide default, else nobody (A1).
    pub fn assignee(&self, kind: AlertKind, location: String) -> Answer<Option<User>> {
        Ok(self.inner.assignee(kind, &location)?)
    }

    /// Every assignment, store-wide defaults first.
    pub fn assignments(&self) -> Answer<Vec<Assignment>> {
        Ok(self.inner.assignments()?)
    }

    /// Alerts matching `query`; `AlertQuery()` gives the dashboard's open and in-progress
    /// ones.
    pub fn alerts(&self, query: AlertQuery) -> Answer<Vec<Alert>> {
        Ok(self.inner.alerts(&query)?)
    }

    /// One alert by id.
    pub fn alert(&self, id: i64) -> Answer<Alert> {
        Ok(self.inner.alert(id)?)
    }

    /// An alert's interactions, oldest first.
    pub fn interactions(&self, alert_id: i64) -> Answer<Vec<Interaction>> {
        Ok(self.inner.interactions(alert_id)?)
    }

    /// Records how a user handled an alert (A3); an open alert moves to in progress.
    /// Returns the interaction's id.
    pub fn record_interaction(
        &self,
        alert_id: i64,
        interaction: InteractionInput,
        now_ms: i64,
    ) -> Answer<i64> {
        let now = time::arg_instant(now_ms, "now_ms")?;
        Ok(self.inner.record_interaction(alert_id, &interaction, now)?)
    }

    /// Moves an alert on; done needs at least one interaction and is final (A3), else
    /// `Conflict`.
    pub fn set_alert_status(&self, alert_id: i64, status: AlertStatus, now_ms: i64) -> Answer<()> {
        let now = time::arg_instant(now_ms, "now_ms")?;
        Ok(self.inner.set_alert_status(alert_id, status, now)?)
    }

    /// Gives an unfinished alert to another user (A3).
    pub fn reassign_alert(&self, alert_id: i64, user: String, now_ms: i64) -> Answer<()> {
        let now = time::arg_instant(now_ms, "now_ms")?;
        Ok(self.inner.reassign_alert(alert_id, &user, now)?)
    }

    /// Queues an e-mail to an alert's customer with a tracking Reply-To; it is logged on
    /// the alert and in the thread (A3). Returns the outbox message id.
    pub fn email_customer(
        &self,
        alert_id: i64,
        email: CustomerEmail,
        now_ms: i64,
    ) -> Answer<String> {
        let now = time::arg_instant(now_ms, "now_ms")?;
        Ok(self.inner.email_customer(alert_id, &email, now)?)
    }

    /// Files a customer's e-mail answer to a tracking reply address (`reply_to` of the
    /// message; a `Name <address>` form is fine) in its thread and on its alert (A3, F2).
    pub fn record_inbound_reply(
        &self,
        address: String,
        text: String,
        now_ms: i64,
    ) -> Answer<InboundReply> {
        let now = time::arg_instant(now_ms, "now_ms")?;
        Ok(self.inner.record_inbound_reply(&address, &text, now)?)
    }

    /// Replies to feedback, or records a reward or a refund, when the customer agreed to
    /// be replied to (F2; else `Conflict`). Returns the new thread comment's id.
    pub fn reply(&self, response_id: i64, reply: ReplyInput, now_ms: i64) -> Answer<i64> {
        let now = time::arg_instant(now_ms, "now_ms")?;
        Ok(self.inner.reply(response_id, &reply, now)?)
    }

    /// A response's conversation, oldest first (F2).
    pub fn thread(&self, response_id: i64) -> Answer<Vec<ThreadComment>> {
        Ok(self.inner.thread(response_id)?)
    }

    /// Queues the post-intervention survey of a done case (A4); `Conflict` with the reason
    /// when the case is not done, was already followed up, or the original response was
    /// anonymous. Returns the outbox message id.
    pub fn send_follow_up(&self, alert_id: i64, now_ms: i64) -> Answer<String> {
        let now = time::arg_instant(now_ms, "now_ms")?;
        Ok(self.inner.send_follow_up(alert_id, now)?)
    }

    /// Records an external review or its reply (A5). Returns how many reviews of the
    /// location still wait for a reply; the alert clears itself at zero.
    pub fn report_review(&self, review: ExternalReview, now_ms: i64) -> Answer<u32> {
        let now = time::arg_instant(now_ms, "now_ms")?;
        Ok(self.inner.report_review(&review, now)?)
    }

    /// Detractors to call back, newest first, with contact details and last comment; at
    /// one location, or everywhere with `None`.
    pub fn at_risk_customers(&self, location: Option<String>) -> Answer<Vec<AtRiskCustomer>> {
        Ok(self.inner.at_risk_customers(location.as_deref())?)
    }
}

impl Engine {
    fn wrap(inner: crate::Engine) -> Arc<Self> {
        Arc::new(Engine { inner })
    }

    /// The Rust engine, for the methods declared beside their records (reports.rs).
    pub(super) fn inner(&self) -> &crate::Engine {
        &self.inner
    }
}
