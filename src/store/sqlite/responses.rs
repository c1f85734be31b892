use rusqlite::{Connection, OptionalExtension, params};

use crate::error::{Error, Result};
use chrono::DateTime;

use crate::model::{ResponseDeletion, ScoreQuery, Survey};
use crate::rules::score::NpsCounts;
use crate::rules::token::TokenKey;
use crate::store::responses::{
    LocationInfo, ReceiptLinkRow, ReminderCandidate, ResponseRow, SurveyLink,
};

fn json_row<T: serde::de::DeserializeOwned>(
    conn: &Connection,
    sql: &str,
    what: &str,
) -> Result<Option<T>> {
    let json: Option<String> = conn
        .prepare_cached(sql)?
        .query_row([], |r| r.get(0))
        .optional()?;
    json.map(|j| {
        serde_json::from_str(&j)
            .map_err(|_| Error::Internal(format!("stored {what} is unreadable")))
    })
    .transpose()
}

/// The store's survey, if one was set.
pub fn get_survey(conn: &Connection) -> Result<Option<Survey>> {
    json_row(conn, "SELECT json FROM survey WHERE id = 1", "survey")
}

/// Replaces the store's survey.
pub fn set_survey(conn: &Connection, s: &Survey) -> Result<()> {
    conn.prepare_cached(
        "INSERT INTO survey (id, json) VALUES (1, ?1)
         ON CONFLICT (id) DO UPDATE SET json = excluded.json",
    )?
    .execute([crate::wire::to_json(s)])?;
    Ok(())
}

/// Whether a location takes e-receipt feedback (on unless switched off).
pub fn feedback_enabled(conn: &Connection, location: i64) -> Result<bool> {
    Ok(conn
        .prepare_cached("SELECT enabled FROM location_feedback WHERE location_id = ?1")?
        .query_row([location], |r| r.get(0))
        .optional()?
        .unwrap_or(true))
}

/// Switches a location's e-receipt feedback on or off. Only "off" is stored: "on" is no
/// row, as for a location never switched, so switching on what is on changes nothing (T12).
pub fn set_feedback_enabled(conn: &Connection, location: i64, enabled: bool) -> Result<()> {
    if enabled {
        conn.prepare_cached("DELETE FROM location_feedback WHERE location_id = ?1")?
            .execute([location])?;
        return Ok(());
    }
    conn.prepare_cached(
        "INSERT INTO location_feedback (location_id, enabled) VALUES (?1, ?2)
         ON CONFLICT (location_id) DO UPDATE SET enabled = excluded.enabled",
    )?
    .execute(params![location, enabled])?;
    Ok(())
}

/// The invitation behind a survey-link token.
pub fn survey_link(conn: &Connection, hash: &TokenKey) -> Result<Option<SurveyLink>> {
    Ok(conn
        .prepare_cached(
            "SELECT i.id, i.customer_id, i.transaction_id, i.location_id, i.language,
                    k.expires_at, k.used_at
             FROM link_tokens k JOIN invitations i ON i.id = k.invitation_id
             WHERE k.hash = ?1 AND k.kind = 'survey'",
        )?
        .query_row([&hash[..]], |r| {
            Ok(SurveyLink {
                invitation: r.get(0)?,
                customer: r.get(1)?,
                transaction: r.get(2)?,
                location: r.get(3)?,
                language: r.get(4)?,
                expires_at: r.get(5)?,
                used_at: r.get(6)?,
            })
        })
        .optional()?)
}

/// Marks a survey-link token used.
pub fn mark_survey_link_used(conn: &Connection, hash: &TokenKey, now_ms: i64) -> Result<()> {
    conn.prepare_cached("UPDATE link_tokens SET used_at = ?2 WHERE hash = ?1")?
        .execute(params![&hash[..], now_ms])?;
    Ok(())
}

/// A receipt link by its token hash.
pub fn receipt_link(conn: &Connection, hash: &TokenKey) -> Result<Option<ReceiptLinkRow>> {
    Ok(conn
        .prepare_cached(
            "SELECT location_id, transaction_id, expires_at, used_at FROM receipt_links
             WHERE hash = ?1",
        )?
        .query_row([&hash[..]], |r| {
            Ok(ReceiptLinkRow {
                location: r.get(0)?,
                transaction: r.get(1)?,
                expires_at: r.get(2)?,
                used_at: r.get(3)?,
            })
        })
        .optional()?)
}

/// Stores a new receipt link's hash.
pub fn insert_receipt_link(
    conn: &Connection,
    hash: &TokenKey,
    location: i64,
    transaction: Option<i64>,
    now_ms: i64,
    expires_ms: i64,
) -> Result<()> {
    conn.prepare_cached(
        "INSERT INTO receipt_links (hash, location_id, transaction_id, created_at, expires_at)
         VALUES (?1, ?2, ?3, ?4, ?5)",
    )?
    .execute(params![
        &hash[..],
        location,
        transaction,
        now_ms,
        expires_ms
    ])?;
    Ok(())
}

/// Marks a receipt link used.
pub fn mark_receipt_link_used(conn: &Connection, hash: &TokenKey, now_ms: i64) -> Result<()> {
    conn.prepare_cached("UPDATE receipt_links SET used_at = ?2 WHERE hash = ?1")?
        .execute(params![&hash[..], now_ms])?;
    Ok(())
}

/// Stores a response and returns its id.
pub fn insert_response(conn: &Connection, r: &ResponseRow, now_ms: i64) -> Result<i64> {
    conn.prepare_cached(
        // Ids are never reused: a deleted response keeps its id in its audit record (F3)
        // and its alert, so a new one takes the next id after both.
        "INSERT INTO responses (id, source, invitation_id, location_id, customer_id,
           transaction_id, nps, rating, rating_scale, score_base10, unhappy, sentiment, facets,
           comment, answers, consent_to_reply, review_link_shown, created_at, completed_at)
         VALUES (1 + max(coalesce((SELECT max(id) FROM responses), 0),
                         coalesce((SELECT max(response_id) FROM response_deletions), 0)),
                 ?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17,
                 ?18)",
    )?
    .execute(params![
        r.source,
        r.invitation,
        r.location,
        r.customer,
        r.transaction,
        r.nps,
        r.rating.map(|(s, _)| s),
        r.rating.map(|(_, n)| n),
        r.score_base10,
        r.unhappy,
        r.sentiment,
        r.facets_json,
        r.comment,
        r.answers_json,
        r.consent_to_reply,
        r.review_link_shown,
        now_ms,
        r.completed.then_some(now_ms)
    ])?;
    let id = conn.last_insert_rowid();
    super::rollups::count_response(conn, id, 1)?;
    if let Some(invitation) = r.invitation {
        super::person_latest::answered(conn, invitation, 1)?;
    }
    // The comment opens the response's conversation (F2).
    if let Some(text) = r.comment.as_deref().filter(|t| !t.is_empty()) {
        conn.prepare_cached(
            "INSERT INTO thread_comments (response_id, author, kind, body, created_at)
             VALUES (?1, 'customer', 'comment', ?2, ?3)",
        )?
        .execute(params![id, text, now_ms])?;
    }
    Ok(id)
}

/// Deletes a response, keeping an audit row of customer, date and score (F3).
pub fn delete_response(conn: &Connection, id: i64, by: &str, now_ms: i64) -> Result<bool> {
    let n = conn
        .prepare_cached(
            "INSERT INTO response_deletions
               (response_id, customer, responded_at, score_base10, deleted_by, deleted_at)
             SELECT r.id, c.host_id, r.created_at, r.score_base10, ?2, ?3
             FROM responses r LEFT JOIN customers c ON c.id = r.customer_id WHERE r.id = ?1",
        )?
        .execute(params![id, by, now_ms])?;
    super::rollups::count_response(conn, id, -1)?;
    let invitation: Option<i64> = conn
        .prepare_cached("SELECT invitation_id FROM responses WHERE id = ?1")?
        .query_row([id], |r| r.get(0))
        .optional()?
        .flatten();
    if let Some(invitation) = invitation {
        super::person_latest::answered(conn, invitation, -1)?;
    }
    // The conversation goes with the response; its alert and the work done on it stay.
    for sql in [
        "DELETE FROM thread_comments WHERE response_id = ?1",
        "DELETE FROM reply_addresses WHERE response_id = ?1",
        "DELETE FROM responses WHERE id = ?1",
    ] {
        conn.prepare_cached(sql)?.execute([id])?;
    }
    Ok(n > 0)
}

/// Every deletion audit record, oldest first (F3).
pub fn deletion_audit(conn: &Connection) -> Result<Vec<ResponseDeletion>> {
    let mut stmt = conn.prepare_cached(
        "SELECT response_id, customer, responded_at, score_base10, deleted_by, deleted_at
         FROM response_deletions ORDER BY deleted_at, response_id",
    )?;
    let rows = stmt.query_map([], |r| {
        Ok(ResponseDeletion {
            response_id: r.get(0)?,
            customer: r.get(1)?,
            responded_at: DateTime::from_timestamp_millis(r.get(2)?).unwrap_or_default(),
            score_base10: r.get(3)?,
            deleted_by: r.get(4)?,
            deleted_at: DateTime::from_timestamp_millis(r.get(5)?).unwrap_or_default(),
        })
    })?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

/// Records a review-link click or a confirmed review on a response; false if unknown.
pub fn mark_review(conn: &Connection, id: i64, confirmed: bool, now_ms: i64) -> Result<bool> {
    let column = if confirmed {
        "review_confirmed_at"
    } else {
        "review_clicked_at"
    };
    let n = conn
        .prepare_cached(&format!(
            "UPDATE responses SET {column} = coalesce({column}, ?2) WHERE id = ?1"
        ))?
        .execute(params![id, now_ms])?;
    Ok(n > 0)
}

const SCOPE: &str = "(?1 IS NULL OR l.host_id = ?1)
    AND (?2 IS NULL OR r.created_at >= ?2) AND (?3 IS NULL OR r.created_at < ?3)";

fn scope(q: &ScoreQuery) -> (Option<&str>, Option<i64>, Option<i64>) {
    (
        q.location.as_deref(),
        q.from.map(|t| t.timestamp_millis()),
        q.to.map(|t| t.timestamp_millis()),
    )
}

/// NPS answers of a scope, by category (N1).
pub fn nps_counts(conn: &Connection, q: &ScoreQuery) -> Result<NpsCounts> {
    let (loc, from, to) = scope(q);
    Ok(conn
        .prepare_cached(&format!(
            "SELECT coalesce(sum(r.nps >= 9), 0), coalesce(sum(r.nps BETWEEN 7 AND 8), 0),
                    coalesce(sum(r.nps <= 6), 0)
             FROM responses r JOIN locations l ON l.id = r.location_id
             WHERE r.nps IS NOT NULL AND {SCOPE}"
        ))?
        .query_row(params![loc, from, to], |r| {
            Ok(NpsCounts {
                promoters: r.get::<_, i64>(0)?.unsigned_abs(),
                passives: r.get::<_, i64>(1)?.unsigned_abs(),
                detractors: r.get::<_, i64>(2)?.unsigned_abs(),
            })
        })?)
}

/// Rated responses and their base-10 average; invitations delivered in the period and
/// how many of them are answered (N5).
pub fn rating_figures(conn: &Connection, q: &ScoreQuery) -> Result<(u64, Option<f64>, u64, u64)> {
    let (loc, from, to) = scope(q);
    let (n, avg): (i64, Option<f64>) = conn
        .prepare_cached(&format!(
            "SELECT count(*), avg(r.rating * 10.0 / r.rating_scale)
             FROM responses r JOIN locations l ON l.id = r.location_id
             WHERE r.rating IS NOT NULL AND {SCOPE}"
        ))?
        .query_row(params![loc, from, to], |r| Ok((r.get(0)?, r.get(1)?)))?;
    let (delivered, answered): (i64, i64) = conn
        .prepare_cached(
            "SELECT count(*), coalesce(sum(EXISTS (SELECT 1 FROM responses x
                                                   WHERE x.invitation_id = i.id)), 0)
             FROM invitations i JOIN locations l ON l.id = i.location_id
             WHERE i.delivered_at IS NOT NULL AND (?1 IS NULL OR l.host_id = ?1)
               AND (?2 IS NULL OR i.delivered_at >= ?2) AND (?3 IS NULL OR i.delivered_at < ?3)",
        )?
        .query_row(params![loc, from, to], |r| Ok((r.get(0)?, r.get(1)?)))?;
    Ok((
        n.unsigned_abs(),
        avg,
        delivered.unsigned_abs(),
        answered.unsigned_abs(),
    ))
}

/// Delivered invitations with no reminder decision, delivered at or before `cutoff_ms`.
pub fn reminder_candidates(conn: &Connection, cutoff_ms: i64) -> Result<Vec<ReminderCandidate>> {
    let mut stmt = conn.prepare_cached(
        "SELECT i.id, i.customer_id, i.location_id, i.channel, i.language, i.delivered_at,
                r.created_at, r.nps, r.review_confirmed_at IS NOT NULL,
                l.review_link IS NOT NULL
         FROM invitations i
         JOIN locations l ON l.id = i.location_id
         LEFT JOIN responses r ON r.invitation_id = i.id
         WHERE i.status = 'delivered' AND i.reminder_decided = 0 AND i.delivered_at <= ?1",
    )?;
    let rows = stmt.query_map([cutoff_ms], |r| {
        let answered_at: Option<i64> = r.get(6)?;
        let nps: Option<u8> = r.get(7)?;
        Ok(ReminderCandidate {
            invitation: r.get(0)?,
            customer: r.get(1)?,
            location: r.get(2)?,
            channel: r.get(3)?,
            language: r.get(4)?,
            delivered_at: r.get(5)?,
            answered: answered_at.map(|at| (at, nps)),
            review_confirmed: r.get::<_, Option<bool>>(8)?.unwrap_or(false),
            has_review_link: r.get(9)?,
        })
    })?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

/// Records that an invitation's reminder is decided (at most one, ever).
pub fn mark_reminder_decided(conn: &Connection, invitation: i64) -> Result<()> {
    conn.prepare_cached("UPDATE invitations SET reminder_decided = 1 WHERE id = ?1")?
        .execute([invitation])?;
    Ok(())
}

/// The response to a reminder's invitation: (answered, review confirmed).
pub fn invitation_response_state(conn: &Connection, invitation: i64) -> Result<(bool, bool)> {
    Ok(conn
        .prepare_cached(
            "SELECT review_confirmed_at IS NOT NULL FROM responses WHERE invitation_id = ?1",
        )?
        .query_row([invitation], |r| r.get::<_, bool>(0))
        .optional()?
        .map_or((false, false), |confirmed| (true, confirmed)))
}

/// A location by row id.
pub fn location_info(conn: &Connection, rowid: i64) -> Result<Option<LocationInfo>> {
    Ok(conn
        .prepare_cached(
            "SELECT host_id, name, review_link, business_type FROM locations WHERE id = ?1",
        )?
        .query_row([rowid], |r| {
            Ok(LocationInfo {
                host_id: r.get(0)?,
                name: r.get(1)?,
                review_link: r.get(2)?,
                business_type: r.get(3)?,
            })
        })
        .optional()?)
}

/// The row id of a transaction by host id.
pub fn transaction_rowid(conn: &Connection, host_id: &str) -> Result<Option<i64>> {
    Ok(conn
        .prepare_cached("SELECT id FROM transactions WHERE host_id = ?1")?
        .query_row([host_id], |r| r.get(0))
        .optional()?)
}

impl crate::store::ResponseStore for super::SqliteTx<'_> {
    fn get_survey(&mut self) -> Result<Option<Survey>> {
        get_survey(self.conn)
    }

    fn set_survey(&mut self, s: &Survey) -> Result<()> {
        set_survey(self.conn, s)
    }

    fn feedback_enabled(&mut self, location: i64) -> Result<bool> {
        feedback_enabled(self.conn, location)
    }

    fn set_feedback_enabled(&mut self, location: i64, enabled: bool) -> Result<()> {
        set_feedback_enabled(self.conn, location, enabled)
    }

    fn survey_link(&mut self, hash: &TokenKey) -> Result<Option<SurveyLink>> {
        survey_link(self.conn, hash)
    }

    fn mark_survey_link_used(&mut self, hash: &TokenKey, now_ms: i64) -> Result<()> {
        mark_survey_link_used(self.conn, hash, now_ms)
    }

    fn receipt_link(&mut self, hash: &TokenKey) -> Result<Option<ReceiptLinkRow>> {
        receipt_link(self.conn, hash)
    }

    fn insert_receipt_link(
        &mut self,
        hash: &TokenKey,
        location: i64,
        transaction: Option<i64>,
        now_ms: i64,
        expires_ms: i64,
    ) -> Result<()> {
        insert_receipt_link(self.conn, hash, location, transaction, now_ms, expires_ms)
    }

    fn mark_receipt_link_used(&mut self, hash: &TokenKey, now_ms: i64) -> Result<()> {
        mark_receipt_link_used(self.conn, hash, now_ms)
    }

    fn insert_response(&mut self, r: &ResponseRow, now_ms: i64) -> Result<i64> {
        insert_response(self.conn, r, now_ms)
    }

    fn delete_response(&mut self, id: i64, by: &str, now_ms: i64) -> Result<bool> {
        delete_response(self.conn, id, by, now_ms)
    }

    fn deletion_audit(&mut self) -> Result<Vec<ResponseDeletion>> {
        deletion_audit(self.conn)
    }

    fn mark_review(&mut self, id: i64, confirmed: bool, now_ms: i64) -> Result<bool> {
        mark_review(self.conn, id, confirmed, now_ms)
    }

    fn nps_counts(&mut self, q: &ScoreQuery) -> Result<NpsCounts> {
        nps_counts(self.conn, q)
    }

    fn rating_figures(&mut self, q: &ScoreQuery) -> Result<(u64, Option<f64>, u64, u64)> {
        rating_figures(self.conn, q)
    }

    fn reminder_candidates(&mut self, cutoff_ms: i64) -> Result<Vec<ReminderCandidate>> {
        reminder_candidates(self.conn, cutoff_ms)
    }

    fn mark_reminder_decided(&mut self, invitation: i64) -> Result<()> {
        mark_reminder_decided(self.conn, invitation)
    }

    fn invitation_response_state(&mut self, invitation: i64) -> Result<(bool, bool)> {
        invitation_response_state(self.conn, invitation)
    }

    fn location_info(&mut self, rowid: i64) -> Result<Option<LocationInfo>> {
        location_info(self.conn, rowid)
    }

    fn transaction_rowid(&mut self, host_id: &str) -> Result<Option<i64>> {
        transaction_rowid(self.conn, host_id)
    }
}
