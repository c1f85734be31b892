//! The clicks area of the storage seam: its trait and the rows it speaks.

use super::responses::ResponseRow;
use crate::error::Result;

/// The response an invitation has so far.
#[derive(Debug, Clone, Copy)]
pub struct InvitationAnswer {
    /// Response id.
    pub id: i64,
    /// Its NPS answer.
    pub nps: Option<u8>,
    /// Complete (else the partial response of a click).
    pub completed: bool,
    /// The review link was offered.
    pub review_link_shown: bool,
}

/// The clicks a store keeps (mirrors `store/sqlite/clicks.rs`).
pub trait ClickStore {
    /// The response of an invitation, partial or complete, if it has one.
    fn invitation_answer(&mut self, invitation: i64) -> Result<Option<InvitationAnswer>>;

    /// Completes a partial response with the survey page's answers, once: the score stays as
    /// the click recorded it. The rollups move with it; a comment opens the conversation (F2).
    /// False if the response was already complete.
    fn complete_response(&mut self, id: i64, r: &ResponseRow, now_ms: i64) -> Result<bool>;

    /// The alert a response raised, if any.
    fn get_response_alert(&mut self, response: i64) -> Result<Option<i64>>;
}
