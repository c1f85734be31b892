//! Feedback exports (X1, X2): the rows an export holds and how they are written. Pure
//! formatting over plain values; the queries live in store/, the glue in engine/.

mod comments;
mod csv;
mod days;
mod xlsx;

use serde::{Deserialize, Serialize};

use crate::model::ScoreQuery;
use crate::rules::score::NpsCounts;

pub(crate) use comments::{COMMENT_HEADER, comment_fields};
pub(crate) use csv::CsvExport;
pub(crate) use days::days;
pub(crate) use xlsx::workbook;

/// Which feedback an export covers: the one query type of scores and exports
/// ([`ScoreQuery`]: location, `[from, to)`, absent bounds open).
///
/// A conversation is exported whole when its response was recorded in `[from, to)`, so
/// a business reply written after `to` still follows the comment it answers.
pub type ExportQuery = ScoreQuery;

/// What a spreadsheet export holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
#[serde(deny_unknown_fields)]
pub struct ExportSummary {
    /// Rows of the "By employee" sheet.
    pub employees: u64,
    /// Rows of the "By date" sheet (days).
    pub days: u64,
    /// Rows of the "Comments" sheet (thread comments).
    pub comments: u64,
}

/// One thread comment with its conversation's context, as stored (F2).
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct CommentRecord {
    /// When the comment was written (Unix ms).
    pub at_ms: i64,
    /// The conversation (response) id.
    pub conversation: i64,
    /// The comment id.
    pub comment: i64,
    /// Host id of the transaction answered.
    pub transaction: Option<String>,
    /// Host id of the customer.
    pub customer: Option<String>,
    /// The customer's name.
    pub customer_name: Option<String>,
    /// The POS's customer reference number.
    pub customer_reference: Option<String>,
    /// Where the response came from: `email`, `sms`, `receipt` or `ereceipt`.
    pub channel: String,
    /// Name of the location.
    pub location: String,
    /// `customer` or `business`.
    pub author: String,
    /// The conversation's sentiment (F1).
    pub sentiment: String,
    /// The conversation's facets as a JSON array.
    pub facets_json: String,
    /// The text.
    pub body: String,
}

/// Scores credited to one employee (N2, X4).
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct EmployeeScores {
    /// Host id.
    pub id: String,
    /// Name, if the POS sent one.
    pub name: Option<String>,
    /// `salesperson`, `technician` or `driver`.
    pub role: String,
    /// Responses credited.
    pub responses: u64,
    /// Their NPS answers.
    pub nps: NpsCounts,
    /// Their star ratings' base-10 average (N6), if any.
    pub rating_average: Option<f64>,
}

/// One response as the by-date sheet needs it.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct ScoredResponse {
    /// The location's IANA time zone: days are the location's local dates (N2).
    pub time_zone: String,
    /// When it was recorded (Unix ms).
    pub at_ms: i64,
    /// The NPS answer.
    pub nps: Option<u8>,
    /// The star rating on base 10 (N6).
    pub rating_base10: Option<f64>,
}
