//! The data-subject area of the storage seam (D6, D7): a customer's live messages for the
//! POS customer screen, cancelling them, and what access and retention read.

use chrono::NaiveDate;

use crate::error::Result;
use crate::model::{MessageKind, MessageStatus};

/// A message to a customer not sent yet (pending, or held by the host).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LiveMessage {
    /// Stable message id.
    pub message_id: String,
    /// Its kind.
    pub kind: MessageKind,
    /// The invitation it belongs to.
    pub invitation: Option<i64>,
    /// Due instant, Unix ms.
    pub due_at_ms: i64,
    /// `pending` or `in_flight`.
    pub status: MessageStatus,
}

/// A contact's plain suppression (D6): when it was made, its source, and when an SMS
/// keyword asked for it (D4; `None` when none did or START withdrew it).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ContactSuppression {
    /// When the suppression was made (ms).
    pub created_at_ms: i64,
    /// Who asked: `keyword` while only an SMS keyword did, else the other source.
    pub source: String,
    /// When an SMS keyword asked (ms).
    pub keyword_at_ms: Option<i64>,
}

/// The data-subject reads and writes a store keeps (mirrors `store/sqlite/subject.rs`).
pub trait SubjectStore {
    /// The messages to customer row `customer` that are pending or in flight, by due time
    /// then id. Reads only the waiting messages, never the delivered history.
    fn live_messages(&mut self, customer: i64) -> Result<Vec<LiveMessage>>;

    /// D7: cancels, with `reason`, every pending message of an invitation of customer row
    /// `customer` (invitations, resends, reminders, relationship surveys); in-flight ones
    /// are left to the host. An invitation not delivered and left without a live message is
    /// cancelled too, which releases the cooldown (E4), and its decision records
    /// `cancelled_on` = `on` with `reason`. Returns the cancelled messages' ids, by id.
    fn cancel_customer_messages(
        &mut self,
        customer: i64,
        reason: &str,
        on: NaiveDate,
        now_ms: i64,
    ) -> Result<Vec<String>>;

    /// Every row that names customer row `customer` (host id `host_id`): the customer,
    /// transactions, decisions, invitations, relationship decisions, messages, link tokens,
    /// responses, thread comments, alerts, their interactions and follow-ups, response
    /// deletions, and the plain suppressions of the host id and those made on her behalf
    /// ([`SUBJECT_TABLES`]). Each table's rows in its order.
    fn subject_rows(&mut self, customer: i64, host_id: &str) -> Result<Vec<SubjectRow>>;

    /// The host ids of the customers who have or had the normalised contact (`email` |
    /// `phone`, value): on their record, on an invitation addressed to it (P3), or on a
    /// plain suppression made on their behalf (T2); by host id.
    fn customers_with_contact(&mut self, kind: &str, value: &str) -> Result<Vec<String>>;

    /// The plain suppression of a normalised contact, if any: when, from where, and when
    /// an SMS keyword asked for it too.
    fn contact_suppression(
        &mut self,
        kind: &str,
        value: &str,
    ) -> Result<Option<ContactSuppression>>;

    /// Retention (D6): the window of at most `scan` customers after row id `after`, by row
    /// id, and which of them have had no transaction, response, delivered invitation or
    /// new record since `cutoff_ms` (and are not erased yet). Reads only the window's rows
    /// and their own indexed history.
    fn retention_window(
        &mut self,
        after: i64,
        cutoff_ms: i64,
        scan: u32,
    ) -> Result<RetentionWindow>;

    /// Where the retention sweep stopped (a customer row id; 0 = from the start).
    fn retention_cursor(&mut self) -> Result<i64>;

    /// Records where the retention sweep stopped.
    fn set_retention_cursor(&mut self, after: i64) -> Result<()>;
}

/// One stored row about a data subject, for an access request (D6): its table and its
/// columns as JSON (integers, reals and texts as stored; link and reply hashes left out).
pub type SubjectRow = (String, serde_json::Value);

/// A customer row that retention looked at (D6).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RetentionWindow {
    /// The customers of the window with no activity since the cutoff, not yet erased, by
    /// row id: (row id, host id).
    pub inactive: Vec<(i64, String)>,
    /// The last row id of the window; `None` when the window reached the last customer
    /// (the next sweep starts again from the first).
    pub last: Option<i64>,
}

/// How a table's rows name a customer, for an access request (D6).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Via {
    /// The customer's own row (`id`).
    Own,
    /// A `customer_id` column.
    Customer,
    /// The outbox's messages to the customer (a `customer_id`; a store may find an
    /// invitation's messages through the customer's invitations instead).
    Messages,
    /// A `transaction_id` of one of the customer's transactions.
    Transactions,
    /// A `response_id` of one of the customer's responses.
    Responses,
    /// An `alert_id` of one of the customer's alerts.
    Alerts,
    /// The `customer` host id column (response deletions, F3).
    HostId,
    /// A suppression of the customer's host id, or made on her behalf (`customer_id`).
    Suppressions,
}

/// One table an access request reads: its name, the columns shown (never a link or reply
/// hash), how its rows name the customer, and the order of its rows.
#[derive(Debug, Clone, Copy)]
pub struct SubjectTable {
    /// Table name.
    pub table: &'static str,
    /// Columns shown, in order.
    pub columns: &'static [&'static str],
    /// How its rows name the customer.
    pub via: Via,
    /// Its rows' order (columns, comma-separated).
    pub order: &'static str,
}

/// Every table holding rows about a customer (D6), in the export's order. Both stores read
/// the same columns, so an export is the same document on either.
pub const SUBJECT_TABLES: &[SubjectTable] = &[
    SubjectTable {
        table: "customers",
        columns: &[
            "id",
            "host_id",
            "name",
            "email",
            "email_norm",
            "phone",
            "phone_norm",
            "language",
            "gender",
            "reference",
            "include_in_communications",
            "created_at",
            "updated_at",
            "erased_at",
        ],
        via: Via::Own,
        order: "id",
    },
    SubjectTable {
        table: "transactions",
        columns: &[
            "id",
            "host_id",
            "location_id",
            "customer_id",
            "kind",
            "amount_minor",
            "currency",
            "finalized_at",
            "excluded",
            "first_seen_on",
            "refers_to",
        ],
        via: Via::Customer,
        order: "id",
    },
    SubjectTable {
        table: "decisions",
        columns: &[
            "transaction_id",
            "business_date",
            "reason",
            "eligible_again_on",
            "related_customer",
            "cancelled_on",
            "cancel_reason",
            "decided_at",
        ],
        via: Via::Transactions,
        order: "transaction_id",
    },
    SubjectTable {
        table: "invitations",
        columns: &[
            "id",
            "customer_id",
            "transaction_id",
            "location_id",
            "survey_kind",
            "channel",
            "language",
            "contact",
            "business_date",
            "status",
            "due_at",
            "created_at",
            "delivered_at",
        ],
        via: Via::Customer,
        order: "id",
    },
    SubjectTable {
        table: "relationship_decisions",
        columns: &[
            "customer_id",
            "business_date",
            "location_id",
            "invitation_id",
            "reason",
            "eligible_again_on",
            "related_customer",
            "decided_at",
        ],
        via: Via::Customer,
        order: "decided_at, location_id",
    },
    SubjectTable {
        table: "outbox",
        columns: &[
            "id",
            "message_id",
            "kind",
            "invitation_id",
            "customer_id",
            "alert_id",
            "location_id",
            "channel",
            "language",
            "params",
            "status",
            "due_at",
            "attempts",
            "last_error",
            "cancel_reason",
            "created_at",
            "updated_at",
        ],
        via: Via::Messages,
        order: "id",
    },
    SubjectTable {
        table: "link_tokens",
        columns: &[
            "kind",
            "invitation_id",
            "alert_id",
            "created_at",
            "expires_at",
            "used_at",
        ],
        via: Via::Customer,
        order: "created_at, kind, invitation_id",
    },
    SubjectTable {
        table: "responses",
        columns: &[
            "id",
            "source",
            "invitation_id",
            "location_id",
            "customer_id",
            "transaction_id",
            "nps",
            "rating",
            "rating_scale",
            "score_base10",
            "unhappy",
            "sentiment",
            "facets",
            "comment",
            "answers",
            "consent_to_reply",
            "review_link_shown",
            "review_clicked_at",
            "review_confirmed_at",
            "created_at",
            "completed_at",
        ],
        via: Via::Customer,
        order: "id",
    },
    SubjectTable {
        table: "thread_comments",
        columns: &[
            "id",
            "response_id",
            "author",
            "kind",
            "body",
            "coupon_code",
            "amount_minor",
            "currency",
            "created_at",
        ],
        via: Via::Responses,
        order: "id",
    },
    SubjectTable {
        table: "alerts",
        columns: &[
            "id",
            "kind",
            "location_id",
            "customer_id",
            "response_id",
            "status",
            "detail",
            "created_at",
            "updated_at",
            "closed_at",
        ],
        via: Via::Customer,
        order: "id",
    },
    SubjectTable {
        table: "alert_interactions",
        columns: &["id", "alert_id", "method", "note", "author", "created_at"],
        via: Via::Alerts,
        order: "id",
    },
    SubjectTable {
        table: "alert_follow_ups",
        columns: &[
            "alert_id",
            "nps",
            "score_base10",
            "comment",
            "created_at",
            "completed_at",
        ],
        via: Via::Alerts,
        order: "alert_id",
    },
    SubjectTable {
        table: "response_deletions",
        columns: &[
            "response_id",
            "customer",
            "responded_at",
            "score_base10",
            "deleted_by",
            "deleted_at",
        ],
        via: Via::HostId,
        order: "response_id",
    },
    SubjectTable {
        table: "inbound_replies",
        columns: &["id", "phone", "customer_id", "body", "received_at"],
        via: Via::Customer,
        order: "id",
    },
    SubjectTable {
        table: "suppressions",
        columns: &["kind", "value", "created_at", "source", "keyword_at"],
        via: Via::Suppressions,
        order: "kind, value",
    },
];
