//! The delivery calls: the outbox (claim, ack, fail, resend), templates, delivery settings
//! and the shared suppression lists.

use chrono::{DateTime, Utc};

use crate::error::{Error, Result};
use crate::model::{
    AckOutcome, Channel, ConsentChange, DeliveryFeedback, DeliveryFeedbackOutcome,
    DeliverySettings, DueWork, FailOutcome, InvitationSummary, MessageKind, OutboundMessage,
    OutboxCounts, SuppressionBundle, Template,
};
use crate::rules::validate;

use crate::engine::{Engine, check_now, consent, delivery, suppressions, timers};

impl Engine {
    /// Invitations waiting for delivery, by due time.
    pub fn pending_invitations(&self) -> Result<Vec<InvitationSummary>> {
        self.reader()?.read(|c| c.pending_invitations())
    }

    /// Queues what has fallen due by `now`: survey and review reminders (R1, R2) and
    /// alert escalations (A3). [`Engine::claim`] runs it first, so a host that claims
    /// regularly never needs it; call it to see escalations without claiming.
    pub fn run_due(&self, now: DateTime<Utc>) -> Result<DueWork> {
        check_now(now)?;
        let mut store = self.lock()?;
        let due = store.write(|c| timers::run_due(c, now))?;
        if due.erased > 0 {
            // Retention erased customers (D6): scrub as an erasure does (T2); what a
            // reader holds back finishes at the next erasure or at close.
            store.finish_scrub()?;
        }
        Ok(due)
    }

    /// Claims up to `limit` due messages for the host to deliver: first runs the timers
    /// ([`Engine::run_due`]), then renders each message in the customer's language with
    /// fresh link tokens and leases it; ack or fail it by its id.
    pub fn claim(&self, limit: u32, now: DateTime<Utc>) -> Result<Vec<OutboundMessage>> {
        check_now(now)?;
        self.lock()?.write(|c| delivery::claim(c, limit, now))
    }

    /// Records that a claimed message was delivered; it is never offered again.
    pub fn ack(&self, message_id: &str, now: DateTime<Utc>) -> Result<()> {
        check_now(now)?;
        self.lock()?.write(|c| delivery::ack(c, message_id, now))
    }

    /// Records the delivery of several claimed messages in one transaction, and returns
    /// one outcome per id, in order: each id is treated as [`Engine::ack`] would treat it
    /// (acked; acked before, which is fine; a conflict for a message never claimed or
    /// cancelled (T8); not found), and an id that cannot be acked changes nothing.
    pub fn ack_many<S: AsRef<str>>(
        &self,
        message_ids: &[S],
        now: DateTime<Utc>,
    ) -> Result<Vec<AckOutcome>> {
        check_now(now)?;
        self.lock()?
            .write(|c| delivery::ack_many(c, message_ids, now))
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

    /// Records what the host's provider reported on a sent message, even after its ack
    /// (D3): a hard bounce makes the invitation `bounced` (failed before delivery: cooldown
    /// released, reminders cancelled, out of the response rate) and the customer's contact
    /// unusable until the POS sends another one; a soft bounce retries like
    /// [`Engine::fail`] (an acked message is offered again); a complaint unsubscribes the
    /// customer (E3). Repeating a report changes nothing more.
    pub fn report_delivery(
        &self,
        message_id: &str,
        feedback: DeliveryFeedback,
        now: DateTime<Utc>,
    ) -> Result<DeliveryFeedbackOutcome> {
        check_now(now)?;
        self.lock()?
            .write(|c| consent::report_delivery(c, message_id, feedback, now))
    }

    /// A customer's consent history, oldest first (D5): each change per channel and
    /// purpose, with its time and source.
    pub fn consent_history(&self, customer: &str) -> Result<Vec<ConsentChange>> {
        self.reader()?
            .read(|c| consent::consent_history(c, customer))
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
        self.reader()?.read(|c| c.get_delivery_settings())
    }

    /// Replaces the delivery settings after validating them.
    pub fn set_delivery_settings(&self, settings: &DeliverySettings) -> Result<()> {
        let problems = validate::validate_delivery_settings(settings);
        if !problems.is_empty() {
            return Err(Error::Invalid(problems));
        }
        self.lock()?
            .write(|c| crate::engine::policy::set_delivery_settings(c, settings))
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

    /// Outbox messages by status.
    pub fn outbox_counts(&self) -> Result<OutboxCounts> {
        self.reader()?.read(|c| c.outbox_counts())
    }
}
