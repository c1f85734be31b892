//! The transactions area of the storage seam: its trait and the rows it speaks.

use crate::error::Result;
use crate::hash::HashMap;
use crate::model::{
    Channel, DecisionRecord, Employee, InvitationSummary, MessageKind, SkipReason, SurveyKind,
    TransactionKind,
};
use chrono::NaiveDate;

/// A transaction as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TransactionRow {
    /// Host id.
    pub host_id: String,
    /// Location row id.
    pub location: i64,
    /// Customer row id, `None` for an anonymous sale.
    pub customer: Option<i64>,
    /// Kind.
    pub kind: TransactionKind,
    /// Amount in minor units.
    pub amount_minor: i64,
    /// ISO 4217 code.
    pub currency: String,
    /// Finalization instant in Unix ms.
    pub finalized_at_ms: Option<i64>,
    /// Excluded by the host (E2).
    pub excluded: bool,
    /// For a refund or void: the host id of the sale it cancels (P6).
    pub refers_to: Option<String>,
}

/// A stored transaction with its decision state.
#[derive(Debug, Clone)]
pub struct StoredTransaction {
    /// Row id.
    pub rowid: i64,
    /// Stored fields.
    pub row: TransactionRow,
    /// Credited employees' host ids, sorted.
    pub employees: Vec<String>,
    /// The stored decision: `Some(None)` invited, `Some(Some(r))` skipped, `None` none yet.
    pub decision: Option<Option<SkipReason>>,
    /// The cooldown date stored with a cooldown decision.
    pub eligible_again_on: Option<NaiveDate>,
}

/// A decision to store for a transaction (E9, P8).
#[derive(Debug, Clone)]
pub struct DecisionRow {
    /// Business date of the batch that decided.
    pub business_date: NaiveDate,
    /// Why no invitation; `None` = invited.
    pub reason: Option<SkipReason>,
    /// The date the person becomes eligible again, where one exists.
    pub eligible_again_on: Option<NaiveDate>,
    /// Host id of another record of the same person that caused it (P3).
    pub related_customer: Option<String>,
}

/// An invitation to write with its outbox message, which delivers it.
#[derive(Debug, Clone)]
pub struct NewInvitation {
    /// The invitation (its language and due instant are the message's).
    pub row: InvitationRow,
    /// The message's kind (the template).
    pub message_kind: MessageKind,
    /// The message's id (time-ordered, made by the engine).
    pub message_id: String,
    /// No send slot comes before the link expires: the invitation and its message are
    /// written cancelled (`no_send_slot`, P5), which releases the cooldown.
    pub cancelled: bool,
}

/// What a night's decide phase writes, gathered into one value (so a store writes a
/// night's decisions in a few statements): each decided transaction's record (E9) and the
/// invitations with their messages, in the order the engine made them.
#[derive(Debug, Clone, Default)]
pub struct DecisionChanges {
    /// `(transaction row id, its decision)`; a `not_finalized` decision may replace the
    /// one stored.
    pub decisions: Vec<(i64, DecisionRow)>,
    /// The invitations to create.
    pub invitations: Vec<NewInvitation>,
    /// Whether any of `decisions` replaces a decision already stored (one read at the
    /// batch's start). When none does, a store may write them with a plain insert.
    pub replaces_stored: bool,
}

/// A new invitation: after a sale, or a relationship survey (P7).
#[derive(Debug, Clone)]
pub struct InvitationRow {
    /// Customer row id.
    pub customer: i64,
    /// Transaction row id; `None` for a relationship survey.
    pub transaction: Option<i64>,
    /// Its survey kind (P1).
    pub kind: SurveyKind,
    /// The normalised contact of the channel it is addressed to (P3).
    pub contact: Option<String>,
    /// Location row id.
    pub location: i64,
    /// Channel.
    pub channel: Channel,
    /// Language.
    pub language: String,
    /// Business date of the batch that created it (the cooldown anchor, E4).
    pub business_date: NaiveDate,
    /// Due instant in Unix ms.
    pub due_at_ms: i64,
}

/// The transactions a store keeps (mirrors `store/sqlite/transactions.rs`).
pub trait TransactionStore {
    /// The stored transactions among `host_ids`, by host id.
    fn find_transactions(
        &mut self,
        host_ids: &[&str],
    ) -> Result<HashMap<String, StoredTransaction>>;

    /// Inserts a new transaction first seen on `business_date`, with its employees.
    fn insert_transaction(
        &mut self,
        t: &TransactionRow,
        employees: &[String],
        business_date: NaiveDate,
    ) -> Result<i64>;

    /// Inserts new transactions first seen on `business_date`, each with its employees, in
    /// order; their row ids, in order. By default one insert each; a networked store
    /// overrides it with a few multi-row statements.
    fn insert_transactions(
        &mut self,
        rows: &[(&TransactionRow, &[String])],
        business_date: NaiveDate,
    ) -> Result<Vec<i64>> {
        rows.iter()
            .map(|(t, employees)| self.insert_transaction(t, employees, business_date))
            .collect()
    }

    /// Overwrites a known transaction's fields, and its employees when `employees` is given
    /// (their list changed); the credit of answers already given moves only then.
    fn update_transaction(
        &mut self,
        rowid: i64,
        t: &TransactionRow,
        employees: Option<&[String]>,
    ) -> Result<()>;

    /// Host ids among `host_ids` that are stored employees.
    fn find_employees(&mut self, host_ids: &[&str]) -> Result<Vec<String>>;

    /// Creates or updates an employee; returns whether anything changed.
    fn upsert_employee(&mut self, e: &Employee) -> Result<bool>;

    /// Creates or updates a batch's employees (each named once), new ones numbered in the
    /// order given; how many changed. By default one upsert each; a networked store
    /// overrides it with a few multi-row statements.
    fn upsert_employees(&mut self, employees: &[Employee]) -> Result<u32> {
        let mut changed = 0;
        for e in employees {
            if self.upsert_employee(e)? {
                changed += 1;
            }
        }
        Ok(changed)
    }

    /// Writes a night's decisions and invitations (with their messages, cancelled ones
    /// included) and returns the new invitations' ids, in the order given.
    fn write_decisions(&mut self, changes: &DecisionChanges, now_ms: i64) -> Result<Vec<i64>>;

    /// The customer's stored decisions, newest first.
    fn decisions_for_customer(&mut self, customer: i64, limit: u32) -> Result<Vec<DecisionRecord>>;

    /// Invitations waiting for delivery, by due time.
    fn pending_invitations(&mut self) -> Result<Vec<InvitationSummary>>;
}
