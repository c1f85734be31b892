//! The exports area of the storage seam: its trait and the rows it speaks.

use crate::error::Result;
use crate::export::{CommentRecord, EmployeeScores, ExportQuery, ScoredResponse};

/// The exports a store keeps (mirrors `store/sqlite/exports.rs`).
pub trait ExportStore {
    /// Calls `f` on every thread comment of the scope's conversations, oldest first (F2).
    /// The channel is the invitation's (`email`, `sms`), else the response's source.
    fn for_each_thread_comment(
        &mut self,
        q: &ExportQuery,
        f: &mut dyn FnMut(CommentRecord) -> Result<()>,
    ) -> Result<()>;

    /// Responses, NPS answers and rating average credited to each employee of the
    /// responses' transactions (N2), by name then host id; employees without responses in
    /// the scope are left out.
    fn employee_scores(&mut self, q: &ExportQuery) -> Result<Vec<EmployeeScores>>;

    /// Every response of the scope with its location's time zone, oldest first.
    fn scored_responses(&mut self, q: &ExportQuery) -> Result<Vec<ScoredResponse>>;
}
