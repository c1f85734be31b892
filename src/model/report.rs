use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};

use super::{Channel, SkipReason};

/// What one nightly sync did.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
#[serde(deny_unknown_fields)]
pub struct SyncReport {
    /// Host id of the location synced.
    pub location: String,
    /// The batch's business date (its latest date).
    pub business_date: NaiveDate,
    /// Earlier dates of the window this batch caught up (S2).
    pub caught_up_dates: Vec<NaiveDate>,
    /// Dates still missing after this sync; only a backfill closes them (S2).
    pub missing_dates: Vec<NaiveDate>,
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
    /// Relationship surveys created tonight (P7), with the customer's latest purchase.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    #[cfg_attr(feature = "uniffi", uniffi(default))]
    pub relationship_invitations: Vec<InvitationSummary>,
    /// Invitations of earlier sales cancelled by tonight's refunds and voids (P6).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    #[cfg_attr(feature = "uniffi", uniffi(default))]
    pub cancelled_by_refund: Vec<String>,
    /// Set by a counts-only sync ([`ReportDetail::Counts`]): how many entries each list
    /// above would hold; the lists are then empty. Absent from a full report.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "uniffi", uniffi(default))]
    pub counts: Option<SyncCounts>,
}

impl SyncReport {
    /// How many invitations, skips, relationship surveys and cancellations the sync made:
    /// [`SyncReport::counts`] of a counts-only report, the lists' lengths of a full one.
    pub fn counted(&self) -> SyncCounts {
        self.counts.unwrap_or(SyncCounts {
            invitations: self.invitations.len() as u32,
            skipped: self.skipped.len() as u32,
            relationship_invitations: self.relationship_invitations.len() as u32,
            cancelled_by_refund: self.cancelled_by_refund.len() as u32,
        })
    }
}

/// The sizes of a sync report's lists, for a host that needs only the counts.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
#[serde(deny_unknown_fields)]
pub struct SyncCounts {
    /// Invitations created (the length of `invitations`).
    pub invitations: u32,
    /// Transactions that got no invitation (the length of `skipped`).
    pub skipped: u32,
    /// Relationship surveys created (the length of `relationship_invitations`).
    pub relationship_invitations: u32,
    /// Earlier invitations cancelled by refunds (the length of `cancelled_by_refund`).
    pub cancelled_by_refund: u32,
}

/// How much a sync reports.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Enum))]
#[serde(rename_all = "snake_case")]
pub enum ReportDetail {
    /// Every invitation and skip, with its customer and reason.
    #[default]
    Full,
    /// Only the counts ([`SyncReport::counts`]); the lists stay empty. The sync writes
    /// the same rows, in less memory: no per-transaction entry is kept.
    Counts,
}

/// Options of [`crate::Engine::sync_with`].
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct SyncOptions {
    /// How much the returned report holds.
    pub report: ReportDetail,
}

/// An invitation created by a sync, waiting in the outbox.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
#[serde(deny_unknown_fields)]
pub struct InvitationSummary {
    /// The invitation's stable id.
    pub invitation_id: i64,
    /// Host id of the customer invited.
    pub customer: String,
    /// Host id of the transaction the answer will be attached to (E5).
    pub transaction: String,
    /// Channel it goes out on.
    pub channel: Channel,
    /// Language it is written in.
    pub language: String,
    /// When it becomes due for delivery (S1).
    pub due_at: DateTime<Utc>,
}

/// A transaction that got no invitation, and why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
#[serde(deny_unknown_fields)]
pub struct SkippedTransaction {
    /// Host id of the transaction.
    pub transaction: String,
    /// Host id of its customer, if any.
    pub customer: Option<String>,
    /// The first rule that applied (E9 order).
    pub reason: SkipReason,
    /// For a cooldown, a cap or a quota: the date the customer becomes eligible again.
    pub eligible_again_on: Option<NaiveDate>,
    /// The decision was made by an earlier sync and is reported as stored (E9).
    pub repeat: bool,
    /// Host id of another record of the same person that caused the skip (P3).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "uniffi", uniffi(default))]
    pub related_customer: Option<String>,
}

/// The business dates a location's host must send tonight (S2).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
#[serde(deny_unknown_fields)]
pub struct SyncWindow {
    /// Host id of the location.
    pub location: String,
    /// The location's local date at `now`.
    pub today: NaiveDate,
    /// The latest business date synced so far.
    pub last_synced: Option<NaiveDate>,
    /// Dates the host must include in tonight's batch, oldest first.
    pub dates: Vec<NaiveDate>,
    /// Dates beyond the catch-up allowance: only a backfill closes them.
    pub missing: Vec<NaiveDate>,
    /// The next sync instant at the location's sync hour (S1).
    pub next_sync_at: DateTime<Utc>,
}

/// What a backfill import did.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
#[serde(deny_unknown_fields)]
pub struct BackfillReport {
    /// One report per batch (line), in file order.
    pub batches: Vec<SyncReport>,
}

/// Progress of a backfill import, reported after each batch is committed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
pub struct BackfillProgress {
    /// Batches committed so far.
    pub done: u64,
    /// Batches in the file.
    pub total: u64,
}
