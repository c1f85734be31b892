//! Alerts, interactions, follow-ups, threads, reply addresses and external reviews.
//! Users and alert assignments are in `users.rs`.

use chrono::{DateTime, Utc};
use rusqlite::{Connection, OptionalExtension, params};

use crate::error::Result;
use crate::model::{
    Alert, AlertKind, AlertStatus, AtRiskCustomer, Author, CommentKind, Interaction,
    InteractionMethod, ThreadComment,
};
use crate::rules::time::from_stored;
use crate::rules::token::TokenKey;
use crate::store::alerts::{
    AlertFilter, AlertRow, AlertStamp, FollowUpLink, NewAlert, NewComment, Overdue, ResponseContact,
};

fn opt_ms(v: Option<i64>) -> Option<DateTime<Utc>> {
    v.map(from_stored)
}

/// Raises an alert, open.
pub fn insert_alert(conn: &Connection, a: &NewAlert<'_>, now_ms: i64) -> Result<i64> {
    conn.prepare_cached(
        "INSERT INTO alerts (kind, location_id, customer_id, response_id, user_id, status,
           detail, created_at, updated_at)
         VALUES (?1, ?2, ?3, ?4, ?5, 'open', ?6, ?7, ?7)",
    )?
    .execute(params![
        a.kind.as_str(),
        a.location,
        a.customer,
        a.response,
        a.user,
        a.detail,
        now_ms
    ])?;
    Ok(conn.last_insert_rowid())
}

const ALERT_SELECT: &str = "SELECT a.id, a.kind, a.status, l.host_id, u.host_id, cu.host_id,
       a.response_id, r.score_base10, r.comment, a.detail,
       (SELECT count(*) FROM alert_interactions i WHERE i.alert_id = a.id),
       a.created_at, a.updated_at, a.closed_at, a.escalated_at, a.follow_up_at,
       a.location_id, a.customer_id
     FROM alerts a
     JOIN locations l ON l.id = a.location_id
     LEFT JOIN users u ON u.id = a.user_id
     LEFT JOIN customers cu ON cu.id = a.customer_id
     LEFT JOIN responses r ON r.id = a.response_id";

fn row_to_alert(r: &rusqlite::Row<'_>) -> rusqlite::Result<AlertRow> {
    let customer: Option<i64> = r.get(17)?;

    Ok(AlertRow {
        alert: Alert {
            id: r.get(0)?,
            kind: AlertKind::parse(&r.get::<_, String>(1)?).unwrap_or(AlertKind::UnhappyCustomer),
            status: AlertStatus::parse(&r.get::<_, String>(2)?).unwrap_or(AlertStatus::Open),
            location: r.get(3)?,
            assignee: r.get(4)?,
            customer: r.get(5)?,
            response_id: r.get(6)?,
            score_base10: r.get(7)?,
            comment: r.get(8)?,
            detail: r.get(9)?,
            interactions: r.get(10)?,
            created_at: from_stored(r.get(11)?),
            updated_at: from_stored(r.get(12)?),
            closed_at: opt_ms(r.get(13)?),
            escalated_at: opt_ms(r.get(14)?),
            follow_up_at: opt_ms(r.get(15)?),
        },
        location: r.get(16)?,
        customer,
    })
}

/// One alert by id.
pub fn get_alert(conn: &Connection, id: i64) -> Result<Option<AlertRow>> {
    Ok(conn
        .prepare_cached(&format!("{ALERT_SELECT} WHERE a.id = ?1"))?
        .query_row([id], row_to_alert)
        .optional()?)
}

/// Alerts matching `f`, oldest first.
pub fn list_alerts(conn: &Connection, f: &AlertFilter) -> Result<Vec<Alert>> {
    let statuses: Vec<&str> = f.statuses.iter().map(|s| s.as_str()).collect();
    let statuses = crate::wire::to_json(&statuses);
    let mut stmt = conn.prepare_cached(&format!(
        "{ALERT_SELECT}
         WHERE a.status IN (SELECT value FROM json_each(?1))
           AND (?2 IS NULL OR a.kind = ?2)
           AND (?3 IS NULL OR a.location_id = ?3)
           AND (?4 IS NULL OR a.user_id = ?4)
         ORDER BY a.created_at, a.id"
    ))?;
    let rows = stmt.query_map(
        params![statuses, f.kind.map(AlertKind::as_str), f.location, f.user],
        row_to_alert,
    )?;
    Ok(rows
        .map(|r| r.map(|a| a.alert))
        .collect::<rusqlite::Result<_>>()?)
}

/// Moves an alert to `status`, stamping `closed_at` when done.
pub fn set_alert_status(
    conn: &Connection,
    id: i64,
    status: AlertStatus,
    now_ms: i64,
) -> Result<()> {
    conn.prepare_cached(
        "UPDATE alerts SET status = ?2, updated_at = ?3,
           closed_at = CASE WHEN ?2 = 'done' THEN ?3 ELSE closed_at END
         WHERE id = ?1",
    )?
    .execute(params![id, status.as_str(), now_ms])?;
    Ok(())
}

/// Gives an alert to another user.
pub fn set_alert_user(conn: &Connection, id: i64, user: i64, now_ms: i64) -> Result<()> {
    conn.prepare_cached("UPDATE alerts SET user_id = ?2, updated_at = ?3 WHERE id = ?1")?
        .execute(params![id, user, now_ms])?;
    Ok(())
}

/// Replaces what a store alert is about.
pub fn set_alert_detail(conn: &Connection, id: i64, detail: &str, now_ms: i64) -> Result<()> {
    conn.prepare_cached(
        "UPDATE alerts SET detail = ?2, updated_at = ?3 WHERE id = ?1 AND detail != ?2",
    )?
    .execute(params![id, detail, now_ms])?;
    Ok(())
}

/// Stamps when the owners were told, or when the follow-up survey was queued.
pub fn stamp_alert(conn: &Connection, id: i64, column: AlertStamp, now_ms: i64) -> Result<()> {
    let sql = match column {
        AlertStamp::Escalated => "UPDATE alerts SET escalated_at = ?2 WHERE id = ?1",
        AlertStamp::FollowUp => "UPDATE alerts SET follow_up_at = ?2 WHERE id = ?1",
    };
    conn.prepare_cached(sql)?.execute(params![id, now_ms])?;
    Ok(())
}

/// The unfinished alert of a store-level kind at a location.
pub fn open_store_alert(conn: &Connection, kind: AlertKind, location: i64) -> Result<Option<i64>> {
    Ok(conn
        .prepare_cached(
            // The kinds named again so `alerts_one_open_per_location` answers it.
            "SELECT id FROM alerts WHERE kind = ?1 AND location_id = ?2 AND status != 'done'
               AND kind IN ('unanswered_reviews', 'sync_gap')",
        )?
        .query_row(params![kind.as_str(), location], |r| r.get(0))
        .optional()?)
}

/// Unfinished, not yet escalated alerts raised at or before `cutoff_ms`.
/// Walks `alerts_escalation` (only open, unescalated alerts), oldest first.
pub fn escalation_candidates(conn: &Connection, cutoff_ms: i64) -> Result<Vec<Overdue>> {
    let mut stmt = conn.prepare_cached(
        "SELECT a.id, a.location_id, l.name, a.detail, a.created_at FROM alerts a
         JOIN locations l ON l.id = a.location_id
         WHERE a.status != 'done' AND a.escalated_at IS NULL AND a.created_at <= ?1
         ORDER BY a.created_at, a.id",
    )?;
    let rows = stmt.query_map([cutoff_ms], |r| {
        Ok(Overdue {
            id: r.get(0)?,
            location: r.get(1)?,
            location_name: r.get(2)?,
            detail: r.get(3)?,
            created_ms: r.get(4)?,
        })
    })?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

/// Records an interaction on an alert.
pub fn insert_interaction(
    conn: &Connection,
    alert: i64,
    method: InteractionMethod,
    note: &str,
    author: Author,
    user: Option<i64>,
    now_ms: i64,
) -> Result<i64> {
    conn.prepare_cached(
        "INSERT INTO alert_interactions (alert_id, method, note, author, user_id, created_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
    )?
    .execute(params![
        alert,
        method.as_str(),
        note,
        author.as_str(),
        user,
        now_ms
    ])?;
    let id = conn.last_insert_rowid();
    conn.prepare_cached("UPDATE alerts SET updated_at = ?2 WHERE id = ?1")?
        .execute(params![alert, now_ms])?;
    Ok(id)
}

/// An alert's interactions, oldest first.
pub fn interactions(conn: &Connection, alert: i64) -> Result<Vec<Interaction>> {
    let mut stmt = conn.prepare_cached(
        "SELECT i.id, i.alert_id, i.method, i.note, i.author, u.host_id, i.created_at
         FROM alert_interactions i LEFT JOIN users u ON u.id = i.user_id
         WHERE i.alert_id = ?1 ORDER BY i.id",
    )?;
    let rows = stmt.query_map([alert], |r| {
        Ok(Interaction {
            id: r.get(0)?,
            alert_id: r.get(1)?,
            method: InteractionMethod::parse(&r.get::<_, String>(2)?)
                .unwrap_or(InteractionMethod::Other),
            note: r.get(3)?,
            author: Author::parse(&r.get::<_, String>(4)?).unwrap_or(Author::Business),
            user: r.get(5)?,
            at: from_stored(r.get(6)?),
        })
    })?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

/// Records the answer to a post-intervention survey (A4).
pub fn insert_follow_up(
    conn: &Connection,
    alert: i64,
    nps: Option<u32>,
    score_base10: Option<f64>,
    comment: Option<&str>,
    completed: bool,
    now_ms: i64,
) -> Result<()> {
    // A click stored the score first (M1): completing keeps it and adds the rest.
    conn.prepare_cached(
        "INSERT INTO alert_follow_ups (alert_id, nps, score_base10, comment, created_at,
                                       completed_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6)
         ON CONFLICT (alert_id) DO UPDATE SET
           nps = coalesce(nps, excluded.nps),
           score_base10 = coalesce(score_base10, excluded.score_base10),
           comment = excluded.comment, completed_at = excluded.completed_at
         WHERE completed_at IS NULL",
    )?
    .execute(params![
        alert,
        nps,
        score_base10,
        comment,
        now_ms,
        completed.then_some(now_ms)
    ])?;
    Ok(())
}

/// The alert behind a post-intervention survey token.
pub fn follow_up_link(conn: &Connection, hash: &TokenKey) -> Result<Option<FollowUpLink>> {
    Ok(conn
        .prepare_cached(
            "SELECT a.id, a.location_id, k.expires_at, k.used_at,
                    EXISTS (SELECT 1 FROM alert_follow_ups f
                            WHERE f.alert_id = a.id AND f.completed_at IS NOT NULL),
                    (SELECT f.nps FROM alert_follow_ups f WHERE f.alert_id = a.id),
                    (SELECT c.language FROM customers c WHERE c.id = k.customer_id)
             FROM link_tokens k JOIN alerts a ON a.id = k.alert_id
             WHERE k.hash = ?1 AND k.kind = 'survey'",
        )?
        .query_row([&hash[..]], |r| {
            Ok(FollowUpLink {
                alert: r.get(0)?,
                location: r.get(1)?,
                expires_at: r.get(2)?,
                used_at: r.get(3)?,
                answered: r.get(4)?,
                clicked_score: r.get(5)?,
                language: r.get(6)?,
            })
        })
        .optional()?)
}

/// Adds a comment to a response's thread (F2).
pub fn insert_comment(conn: &Connection, c: &NewComment<'_>, now_ms: i64) -> Result<i64> {
    conn.prepare_cached(
        "INSERT INTO thread_comments (response_id, author, kind, body, coupon_code,
           amount_minor, currency, user_id, created_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
    )?
    .execute(params![
        c.response,
        c.author.as_str(),
        c.kind.as_str(),
        c.body,
        c.coupon_code,
        c.amount_minor,
        c.currency,
        c.user,
        now_ms
    ])?;
    Ok(conn.last_insert_rowid())
}

/// A response's thread, oldest first.
pub fn thread(conn: &Connection, response: i64) -> Result<Vec<ThreadComment>> {
    let mut stmt = conn.prepare_cached(
        "SELECT t.id, t.response_id, t.author, t.kind, t.body, t.coupon_code, t.amount_minor,
                t.currency, u.host_id, t.created_at
         FROM thread_comments t LEFT JOIN users u ON u.id = t.user_id
         WHERE t.response_id = ?1 ORDER BY t.id",
    )?;
    let rows = stmt.query_map([response], |r| {
        Ok(ThreadComment {
            id: r.get(0)?,
            response_id: r.get(1)?,
            author: Author::parse(&r.get::<_, String>(2)?).unwrap_or(Author::Customer),
            kind: CommentKind::parse(&r.get::<_, String>(3)?).unwrap_or(CommentKind::Comment),
            body: r.get(4)?,
            coupon_code: r.get(5)?,
            amount_minor: r.get(6)?,
            currency: r.get(7)?,
            user: r.get(8)?,
            at: from_stored(r.get(9)?),
        })
    })?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

/// The response `id`'s customer contact, consent and alert.
pub fn response_contact(conn: &Connection, id: i64) -> Result<Option<ResponseContact>> {
    Ok(conn
        .prepare_cached(
            "SELECT r.location_id, r.customer_id, cu.email_norm, cu.language,
                    r.consent_to_reply, (SELECT a.id FROM alerts a WHERE a.response_id = r.id)
             FROM responses r LEFT JOIN customers cu ON cu.id = r.customer_id
             WHERE r.id = ?1",
        )?
        .query_row([id], |r| {
            Ok(ResponseContact {
                location: r.get(0)?,
                customer: r.get(1)?,
                email: r.get(2)?,
                language: r.get(3)?,
                consent: r.get(4)?,
                alert: r.get(5)?,
            })
        })
        .optional()?)
}

/// Stores the hash of a tracking reply address.
pub fn insert_reply_address(
    conn: &Connection,
    hash: &TokenKey,
    response: i64,
    alert: Option<i64>,
    now_ms: i64,
) -> Result<()> {
    conn.prepare_cached(
        "INSERT INTO reply_addresses (hash, response_id, alert_id, created_at)
         VALUES (?1, ?2, ?3, ?4)",
    )?
    .execute(params![&hash[..], response, alert, now_ms])?;
    Ok(())
}

/// The conversation (response id) and alert behind a tracking reply address.
pub fn reply_address(conn: &Connection, hash: &TokenKey) -> Result<Option<(i64, Option<i64>)>> {
    Ok(conn
        .prepare_cached("SELECT response_id, alert_id FROM reply_addresses WHERE hash = ?1")?
        .query_row([&hash[..]], |r| Ok((r.get(0)?, r.get(1)?)))
        .optional()?)
}

/// Creates or updates an external review by host id (A5).
pub fn upsert_review(
    conn: &Connection,
    host_id: &str,
    location: i64,
    site: &str,
    rating: Option<u32>,
    posted_ms: i64,
    replied_ms: Option<i64>,
) -> Result<()> {
    conn.prepare_cached(
        "INSERT INTO external_reviews (host_id, location_id, site, rating, posted_at, replied_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6)
         ON CONFLICT (host_id) DO UPDATE SET location_id = excluded.location_id,
           site = excluded.site, rating = excluded.rating, posted_at = excluded.posted_at,
           replied_at = coalesce(excluded.replied_at, replied_at)",
    )?
    .execute(params![
        host_id, location, site, rating, posted_ms, replied_ms
    ])?;
    Ok(())
}

/// Reviews at a location without a reply.
pub fn unanswered_reviews(conn: &Connection, location: i64) -> Result<u32> {
    Ok(conn
        .prepare_cached(
            "SELECT count(*) FROM external_reviews WHERE location_id = ?1 AND replied_at IS NULL",
        )?
        .query_row([location], |r| r.get(0))?)
}

/// Customers whose last NPS answer was a detractor's, newest first (A3 dashboard).
pub fn at_risk(conn: &Connection, location: Option<i64>) -> Result<Vec<AtRiskCustomer>> {
    let mut stmt = conn.prepare_cached(
        "SELECT cu.host_id, cu.name, cu.email, cu.phone, l.host_id, r.nps, r.comment,
                r.created_at,
                (SELECT a.id FROM alerts a WHERE a.response_id = r.id AND a.status != 'done')
         FROM responses r
         JOIN customers cu ON cu.id = r.customer_id
         JOIN locations l ON l.id = r.location_id
         WHERE r.nps IS NOT NULL AND r.nps <= 6
           AND r.id = (SELECT max(r2.id) FROM responses r2
                       WHERE r2.customer_id = r.customer_id AND r2.nps IS NOT NULL)
           AND (?1 IS NULL OR r.location_id = ?1)
         ORDER BY r.created_at DESC, r.id DESC",
    )?;
    let rows = stmt.query_map([location], |r| {
        Ok(AtRiskCustomer {
            customer: r.get(0)?,
            name: r.get(1)?,
            email: r.get(2)?,
            phone: r.get(3)?,
            location: r.get(4)?,
            nps: r.get(5)?,
            last_comment: r.get(6)?,
            responded_at: from_stored(r.get(7)?),
            open_alert: r.get(8)?,
        })
    })?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

impl crate::store::AlertStore for super::SqliteTx<'_> {
    fn insert_alert(&mut self, a: &NewAlert<'_>, now_ms: i64) -> Result<i64> {
        insert_alert(self.conn, a, now_ms)
    }

    fn get_alert(&mut self, id: i64) -> Result<Option<AlertRow>> {
        get_alert(self.conn, id)
    }

    fn list_alerts(&mut self, f: &AlertFilter) -> Result<Vec<Alert>> {
        list_alerts(self.conn, f)
    }

    fn set_alert_status(&mut self, id: i64, status: AlertStatus, now_ms: i64) -> Result<()> {
        set_alert_status(self.conn, id, status, now_ms)
    }

    fn set_alert_user(&mut self, id: i64, user: i64, now_ms: i64) -> Result<()> {
        set_alert_user(self.conn, id, user, now_ms)
    }

    fn set_alert_detail(&mut self, id: i64, detail: &str, now_ms: i64) -> Result<()> {
        set_alert_detail(self.conn, id, detail, now_ms)
    }

    fn stamp_alert(&mut self, id: i64, column: AlertStamp, now_ms: i64) -> Result<()> {
        stamp_alert(self.conn, id, column, now_ms)
    }

    fn open_store_alert(&mut self, kind: AlertKind, location: i64) -> Result<Option<i64>> {
        open_store_alert(self.conn, kind, location)
    }

    fn escalation_candidates(&mut self, cutoff_ms: i64) -> Result<Vec<Overdue>> {
        escalation_candidates(self.conn, cutoff_ms)
    }

    fn insert_interaction(
        &mut self,
        alert: i64,
        method: InteractionMethod,
        note: &str,
        author: Author,
        user: Option<i64>,
        now_ms: i64,
    ) -> Result<i64> {
        insert_interaction(self.conn, alert, method, note, author, user, now_ms)
    }

    fn interactions(&mut self, alert: i64) -> Result<Vec<Interaction>> {
        interactions(self.conn, alert)
    }

    fn insert_follow_up(
        &mut self,
        alert: i64,
        nps: Option<u32>,
        score_base10: Option<f64>,
        comment: Option<&str>,
        completed: bool,
        now_ms: i64,
    ) -> Result<()> {
        insert_follow_up(
            self.conn,
            alert,
            nps,
            score_base10,
            comment,
            completed,
            now_ms,
        )
    }

    fn follow_up_link(&mut self, hash: &TokenKey) -> Result<Option<FollowUpLink>> {
        follow_up_link(self.conn, hash)
    }

    fn insert_comment(&mut self, c: &NewComment<'_>, now_ms: i64) -> Result<i64> {
        insert_comment(self.conn, c, now_ms)
    }

    fn thread(&mut self, response: i64) -> Result<Vec<ThreadComment>> {
        thread(self.conn, response)
    }

    fn response_contact(&mut self, id: i64) -> Result<Option<ResponseContact>> {
        response_contact(self.conn, id)
    }

    fn insert_reply_address(
        &mut self,
        hash: &TokenKey,
        response: i64,
        alert: Option<i64>,
        now_ms: i64,
    ) -> Result<()> {
        insert_reply_address(self.conn, hash, response, alert, now_ms)
    }

    fn reply_address(&mut self, hash: &TokenKey) -> Result<Option<(i64, Option<i64>)>> {
        reply_address(self.conn, hash)
    }

    fn upsert_review(
        &mut self,
        host_id: &str,
        location: i64,
        site: &str,
        rating: Option<u32>,
        posted_ms: i64,
        replied_ms: Option<i64>,
    ) -> Result<()> {
        upsert_review(
            self.conn, host_id, location, site, rating, posted_ms, replied_ms,
        )
    }

    fn unanswered_reviews(&mut self, location: i64) -> Result<u32> {
        unanswered_reviews(self.conn, location)
    }

    fn at_risk(&mut self, location: Option<i64>) -> Result<Vec<AtRiskCustomer>> {
        at_risk(self.conn, location)
    }
}
