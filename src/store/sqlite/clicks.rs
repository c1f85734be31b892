//! The partial response a score click stores, and its completion by the survey page (M1).

use rusqlite::{Connection, OptionalExtension, params};

use crate::error::Result;
use crate::store::ResponseRow;
use crate::store::clicks::InvitationAnswer;

/// The response of an invitation, partial or complete, if it has one.
pub fn invitation_answer(conn: &Connection, invitation: i64) -> Result<Option<InvitationAnswer>> {
    Ok(conn
        .prepare_cached(
            "SELECT id, nps, completed_at IS NOT NULL, review_link_shown FROM responses
             WHERE invitation_id = ?1",
        )?
        .query_row([invitation], |r| {
            Ok(InvitationAnswer {
                id: r.get(0)?,
                nps: r.get(1)?,
                completed: r.get(2)?,
                review_link_shown: r.get(3)?,
            })
        })
        .optional()?)
}

/// Completes a partial response with the survey page's answers, once: the score stays as
/// the click recorded it. The rollups move with it; a comment opens the conversation (F2).
/// False if the response was already complete.
pub fn complete_response(conn: &Connection, id: i64, r: &ResponseRow, now_ms: i64) -> Result<bool> {
    super::rollups::count_response(conn, id, -1)?;
    let n = conn
        .prepare_cached(
            "UPDATE responses SET rating = ?2, rating_scale = ?3,
               score_base10 = coalesce(CAST(nps AS REAL), ?4), unhappy = ?5, facets = ?6,
               comment = ?7, answers = ?8, consent_to_reply = ?9, review_link_shown = ?10,
               completed_at = ?11
             WHERE id = ?1 AND completed_at IS NULL",
        )?
        .execute(params![
            id,
            r.rating.map(|(s, _)| s),
            r.rating.map(|(_, n)| n),
            r.score_base10,
            r.unhappy,
            r.facets_json,
            r.comment,
            r.answers_json,
            r.consent_to_reply,
            r.review_link_shown,
            now_ms
        ])?;
    super::rollups::count_response(conn, id, 1)?;
    if n > 0
        && let Some(text) = r.comment.as_deref().filter(|t| !t.is_empty())
    {
        conn.prepare_cached(
            "INSERT INTO thread_comments (response_id, author, kind, body, created_at)
             VALUES (?1, 'customer', 'comment', ?2, ?3)",
        )?
        .execute(params![id, text, now_ms])?;
    }
    Ok(n > 0)
}

/// The alert a response raised, if any.
pub fn get_response_alert(conn: &Connection, response: i64) -> Result<Option<i64>> {
    Ok(conn
        .prepare_cached("SELECT id FROM alerts WHERE response_id = ?1")?
        .query_row([response], |r| r.get(0))
        .optional()?)
}

impl crate::store::ClickStore for super::SqliteTx<'_> {
    fn invitation_answer(&mut self, invitation: i64) -> Result<Option<InvitationAnswer>> {
        invitation_answer(self.conn, invitation)
    }

    fn complete_response(&mut self, id: i64, r: &ResponseRow, now_ms: i64) -> Result<bool> {
        complete_response(self.conn, id, r, now_ms)
    }

    fn get_response_alert(&mut self, response: i64) -> Result<Option<i64>> {
        get_response_alert(self.conn, response)
    }
}
