//! Mirrors of what the engine answers: sync and backfill reports, windows, explanations.

use crate::model as m;

use super::config::Channel;
use super::time;

/// What one nightly sync did.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct SyncReport {
    /// Host id of the location synced.
    pub location: String,
    /// The batch's business date (its latest date), `YYYY-MM-DD`.
    pub business_date: String,
    /// Earlier dates of the window this batch caught up (S2).
    pub caught_up_dates: Vec<String>,
    /// Dates still missing after this sync; only a backfill closes them (S2).
    pub missing_dates: Vec<String>,
    /// Customers seen for the first time.
    pub customers_created: u32,
    /// Known customers whose data changed.
    pub customers_updated: u32,
    /// Employees seen for the first time or changed.
    pub employees_upserted: u32,
    /// Transactions seen for the first time.
    pub transactions_created: u32,
    /// Known transactions whose data changed.
    pub transactions_updated: u32,
    /// Invitations created by this sync, in batch order.
    pub invitations: Vec<InvitationSummary>,
    /// Transactions that got no invitation, in batch order, with the rule that decided.
    pub skipped: Vec<SkippedTransaction>,
}

impl From<m::SyncReport> for SyncReport {
    fn from(r: m::SyncReport) -> Self {
        SyncReport {
            location: r.location,
            business_date: time::date(r.business_date),
            caught_up_dates: time::dates(&r.caught_up_dates),
            missing_dates: time::dates(&r.missing_dates),
            customers_created: r.customers_created,
            customers_updated: r.customers_updated,
            employees_upserted: r.employees_upserted,
            transactions_created: r.transactions_created,
            transactions_updated: r.transactions_updated,
            invitations: r.invitations.into_iter().map(Into::into).collect(),
            skipped: r.skipped.into_iter().map(Into::into).collect(),
        }
    }
}

/// An invitation waiting in the outbox.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct InvitationSummary {
    /// The invitation's stable id.
    pub invitation_id: i64,
    /// Host id of the customer invited.
    pub customer: String,
    /// Host id of the transaction the answer will be attached to (E5).
    pub transaction: String,
    /// Channel it goes out on.
    pub channel: Channel,
    /// Language it is written in (BCP 47).
    pub language: String,
    /// When it becomes due for delivery (S1), Unix milliseconds.
    pub due_at_ms: i64,
}

impl From<m::InvitationSummary> for InvitationSummary {
    fn from(i: m::InvitationSummary) -> Self {
        InvitationSummary {
            invitation_id: i.invitation_id,
            customer: i.customer,
            transaction: i.transaction,
            channel: i.channel.into(),
            language: i.language,
            due_at_ms: time::ms(i.due_at),
        }
    }
}

/// A transaction that got no invitation, and why.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct SkippedTransaction {
    /// Host id of the transaction.
    pub transaction: String,
    /// Host id of its customer, if any.
    pub customer: Option<String>,
    /// The first rule that applied (E9 order).
    pub reason: SkipReason,
    /// For `Cooldown`: the date the customer becomes eligible again (E4), `YYYY-MM-DD`.
    pub eligible_again_on: Option<String>,
    /// The decision was made by an earlier sync and is reported as stored (E9).
    pub repeat: bool,
}

impl From<m::SkippedTransaction> for SkippedTransaction {
    fn from(s: m::SkippedTransaction) -> Self {
        SkippedTransaction {
            transaction: s.transaction,
            customer: s.customer,
            reason: s.reason.into(),
            eligible_again_on: s.eligible_again_on.map(time::date),
            repeat: s.repeat,
        }
    }
}

/// Why a finalized transaction did not produce a survey invitation (E1–E9), in E9
/// precedence order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, uniffi::Enum)]
pub enum SkipReason {
    /// E1: the transaction is not finalized yet.
    NotFinalized,
    /// E2: the host excluded this transaction.
    Excluded,
    /// E7: the location is disabled.
    LocationDisabled,
    /// E6: the sale has no customer.
    Anonymous,
    /// S3: finalized more than `max_age_days` before the batch's business date.
    TooOld,
    /// E2: the customer's "include in communications" is off.
    CommunicationsOff,
    /// E3: the customer is unsubscribed (globally).
    Unsubscribed,
    /// E6: no usable e-mail (e-mail channel) or phone (SMS channel).
    NoUsableContact,
    /// E8: the transaction already has an invitation.
    AlreadyInvited,
    /// E4: the customer had an invitation within the cooldown.
    Cooldown,
    /// E5: another transaction of the customer in the same batch got the invitation.
    OnePerBatch,
}

impl From<m::SkipReason> for SkipReason {
    fn from(r: m::SkipReason) -> Self {
        match r {
            m::SkipReason::NotFinalized => SkipReason::NotFinalized,
            m::SkipReason::Excluded => SkipReason::Excluded,
            m::SkipReason::LocationDisabled => SkipReason::LocationDisabled,
            m::SkipReason::Anonymous => SkipReason::Anonymous,
            m::SkipReason::TooOld => SkipReason::TooOld,
            m::SkipReason::CommunicationsOff => SkipReason::CommunicationsOff,
            m::SkipReason::Unsubscribed => SkipReason::Unsubscribed,
            m::SkipReason::NoUsableContact => SkipReason::NoUsableContact,
            m::SkipReason::AlreadyInvited => SkipReason::AlreadyInvited,
            m::SkipReason::Cooldown => SkipReason::Cooldown,
            m::SkipReason::OnePerBatch => SkipReason::OnePerBatch,
        }
    }
}

impl From<SkipReason> for m::SkipReason {
    fn from(r: SkipReason) -> Self {
        match r {
            SkipReason::NotFinalized => m::SkipReason::NotFinalized,
            SkipReason::Excluded => m::SkipReason::Excluded,
            SkipReason::LocationDisabled => m::SkipReason::LocationDisabled,
            SkipReason::Anonymous => m::SkipReason::Anonymous,
            SkipReason::TooOld => m::SkipReason::TooOld,
            SkipReason::CommunicationsOff => m::SkipReason::CommunicationsOff,
            SkipReason::Unsubscribed => m::SkipReason::Unsubscribed,
            SkipReason::NoUsableContact => m::SkipReason::NoUsableContact,
            SkipReason::AlreadyInvited => m::SkipReason::AlreadyInvited,
            SkipReason::Cooldown => m::SkipReason::Cooldown,
            SkipReason::OnePerBatch => m::SkipReason::OnePerBatch,
        }
    }
}

#[uniffi::export]
impl SkipReason {
    /// The stable snake_case name, as in JSON and docs/rules.md (`no_usable_contact`).
    pub fn code_name(&self) -> String {
        m::SkipReason::from(*self).as_str().to_owned()
    }

    /// A short sentence a store owner understands.
    pub fn describe(&self) -> String {
        m::SkipReason::from(*self).describe().to_owned()
    }
}

/// The business dates a location's host must send tonight (S2).
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct SyncWindow {
    /// Host id of the location.
    pub location: String,
    /// The location's local date at `now`, `YYYY-MM-DD`.
    pub today: String,
    /// The latest business date synced so far.
    pub last_synced: Option<String>,
    /// Dates the host must include in tonight's batch, oldest first.
    pub dates: Vec<String>,
    /// Dates beyond the catch-up allowance: only a backfill closes them.
    pub missing: Vec<String>,
    /// The next sync instant at the location's sync hour (S1), Unix milliseconds.
    pub next_sync_at_ms: i64,
}

impl From<m::SyncWindow> for SyncWindow {
    fn from(w: m::SyncWindow) -> Self {
        SyncWindow {
            location: w.location,
            today: time::date(w.today),
            last_synced: w.last_synced.map(time::date),
            dates: time::dates(&w.dates),
            missing: time::dates(&w.missing),
            next_sync_at_ms: time::ms(w.next_sync_at),
        }
    }
}

/// What a backfill import did.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct BackfillReport {
    /// One report per batch (line), in file order.
    pub batches: Vec<SyncReport>,
}

impl From<m::BackfillReport> for BackfillReport {
    fn from(r: m::BackfillReport) -> Self {
        BackfillReport {
            batches: r.batches.into_iter().map(Into::into).collect(),
        }
    }
}

/// Progress of a backfill import, reported after each batch is committed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, uniffi::Record)]
pub struct BackfillProgress {
    /// Batches committed so far.
    pub done: u64,
    /// Batches in the file.
    pub total: u64,
}

impl From<m::BackfillProgress> for BackfillProgress {
    fn from(p: m::BackfillProgress) -> Self {
        BackfillProgress {
            done: p.done,
            total: p.total,
        }
    }
}

/// Why a customer did or did not get surveys (E9): their status and the stored decisions.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct Explanation {
    /// Host id of the customer.
    pub customer: String,
    /// The customer is globally unsubscribed (E3).
    pub unsubscribed: bool,
    /// When they unsubscribed, Unix milliseconds.
    pub unsubscribed_at_ms: Option<i64>,
    /// The POS "include in communications" flag (E2).
    pub include_in_communications: bool,
    /// The stored e-mail is usable (E6).
    pub email_usable: bool,
    /// The stored phone is usable (E6).
    pub phone_usable: bool,
    /// If the customer is inside a cooldown at `now`, the date it ends (E4), `YYYY-MM-DD`.
    pub eligible_again_on: Option<String>,
    /// Decisions on the customer's transactions, newest first (at most 50).
    pub decisions: Vec<DecisionRecord>,
    /// One line per decision, in words a store owner understands (English).
    pub lines: Vec<String>,
}

impl From<m::Explanation> for Explanation {
    fn from(e: m::Explanation) -> Self {
        let lines = e.lines();
        Explanation {
            customer: e.customer,
            unsubscribed: e.unsubscribed,
            unsubscribed_at_ms: e.unsubscribed_at.map(time::ms),
            include_in_communications: e.include_in_communications,
            email_usable: e.email_usable,
            phone_usable: e.phone_usable,
            eligible_again_on: e.eligible_again_on.map(time::date),
            decisions: e.decisions.into_iter().map(Into::into).collect(),
            lines,
        }
    }
}

/// One stored eligibility decision.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct DecisionRecord {
    /// Host id of the transaction.
    pub transaction: String,
    /// Host id of its location.
    pub location: String,
    /// Business date of the batch that decided, `YYYY-MM-DD`.
    pub business_date: String,
    /// When the transaction was finalized, Unix milliseconds.
    pub finalized_at_ms: Option<i64>,
    /// The invitation created, if the transaction got one.
    pub invitation_id: Option<i64>,
    /// Why not, if it did not.
    pub reason: Option<SkipReason>,
    /// For `Cooldown`: the date the customer became eligible again, `YYYY-MM-DD`.
    pub eligible_again_on: Option<String>,
}

impl From<m::DecisionRecord> for DecisionRecord {
    fn from(d: m::DecisionRecord) -> Self {
        DecisionRecord {
            transaction: d.transaction,
            location: d.location,
            business_date: time::date(d.business_date),
            finalized_at_ms: d.finalized_at.map(time::ms),
            invitation_id: d.invitation_id,
            reason: d.reason.map(Into::into),
            eligible_again_on: d.eligible_again_on.map(time::date),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn skip_reasons_round_trip_and_keep_their_names() {
        for r in m::SkipReason::ALL {
            let mirrored = SkipReason::from(r);
            assert_eq!(m::SkipReason::from(mirrored), r);
            assert_eq!(mirrored.code_name(), r.as_str());
        }
    }
}
