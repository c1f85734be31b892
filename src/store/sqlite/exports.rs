//! Reads for the feedback exports (X1, X2): thread comments with their conversation's
//! context, scores by employee, and scored responses for the by-date sheet.

use rusqlite::{Connection, params};

use crate::error::Result;
use crate::export::{CommentRecord, EmployeeScores, ExportQuery, ScoredResponse};
use crate::rules::score::NpsCounts;

/// Responses of the query's location and period (the conversation's start).
const SCOPE: &str = "(?1 IS NULL OR l.host_id = ?1)
    AND (?2 IS NULL OR r.created_at >= ?2) AND (?3 IS NULL OR r.created_at < ?3)";

fn scope(q: &ExportQuery) -> (Option<&str>, Option<i64>, Option<i64>) {
    (
        q.location.as_deref(),
        q.from.map(|t| t.timestamp_millis()),
        q.to.map(|t| t.timestamp_millis()),
    )
}

/// Calls `f` on every thread comment of the scope's conversations, oldest first (F2).
/// The channel is the invitation's (`email`, `sms`), else the response's source.
pub fn for_each_thread_comment(
    conn: &Connection,
    q: &ExportQuery,
    mut f: impl FnMut(CommentRecord) -> Result<()>,
) -> Result<()> {
    let (loc, from, to) = scope(q);
    let mut stmt = conn.prepare_cached(&format!(
        "SELECT tc.created_at, tc.response_id, tc.id, t.host_id, c.host_id, c.name,
                c.reference, coalesce(i.channel, r.source), l.name, tc.author, r.sentiment,
                r.facets, tc.body
         FROM thread_comments tc
         JOIN responses r ON r.id = tc.response_id
         JOIN locations l ON l.id = r.location_id
         LEFT JOIN transactions t ON t.id = r.transaction_id
         LEFT JOIN customers c ON c.id = r.customer_id
         LEFT JOIN invitations i ON i.id = r.invitation_id
         WHERE {SCOPE}
         ORDER BY tc.created_at, tc.id"
    ))?;
    let mut rows = stmt.query(params![loc, from, to])?;
    while let Some(r) = rows.next()? {
        f(CommentRecord {
            at_ms: r.get(0)?,
            conversation: r.get(1)?,
            comment: r.get(2)?,
            transaction: r.get(3)?,
            customer: r.get(4)?,
            customer_name: r.get(5)?,
            customer_reference: r.get(6)?,
            channel: r.get(7)?,
            location: r.get(8)?,
            author: r.get(9)?,
            sentiment: r.get(10)?,
            facets_json: r.get(11)?,
            body: r.get(12)?,
        })?;
    }
    Ok(())
}

/// Responses, NPS answers and rating average credited to each employee of the
/// responses' transactions (N2), by name then host id; employees without responses in
/// the scope are left out.
pub fn employee_scores(conn: &Connection, q: &ExportQuery) -> Result<Vec<EmployeeScores>> {
    let (loc, from, to) = scope(q);
    let mut stmt = conn.prepare_cached(&format!(
        "SELECT e.host_id, e.name, e.role, count(*),
                coalesce(sum(r.nps >= 9), 0), coalesce(sum(r.nps BETWEEN 7 AND 8), 0),
                coalesce(sum(r.nps <= 6), 0), avg(r.rating * 10.0 / r.rating_scale)
         FROM responses r
         JOIN locations l ON l.id = r.location_id
         JOIN transaction_employees te ON te.transaction_id = r.transaction_id
         JOIN employees e ON e.id = te.employee_id
         WHERE {SCOPE}
         GROUP BY e.id
         ORDER BY e.name, e.host_id"
    ))?;
    let rows = stmt.query_map(params![loc, from, to], |r| {
        Ok(EmployeeScores {
            id: r.get(0)?,
            name: r.get(1)?,
            role: r.get(2)?,
            responses: r.get::<_, i64>(3)?.unsigned_abs(),
            nps: NpsCounts {
                promoters: r.get::<_, i64>(4)?.unsigned_abs(),
                passives: r.get::<_, i64>(5)?.unsigned_abs(),
                detractors: r.get::<_, i64>(6)?.unsigned_abs(),
            },
            rating_average: r.get(7)?,
        })
    })?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

/// Every response of the scope with its location's time zone, oldest first.
pub fn scored_responses(conn: &Connection, q: &ExportQuery) -> Result<Vec<ScoredResponse>> {
    let (loc, from, to) = scope(q);
    let mut stmt = conn.prepare_cached(&format!(
        "SELECT l.time_zone, r.created_at, r.nps, r.rating * 10.0 / r.rating_scale
         FROM responses r JOIN locations l ON l.id = r.location_id
         WHERE {SCOPE}
         ORDER BY r.created_at, r.id"
    ))?;
    let rows = stmt.query_map(params![loc, from, to], |r| {
        Ok(ScoredResponse {
            time_zone: r.get(0)?,
            at_ms: r.get(1)?,
            nps: r.get(2)?,
            rating_base10: r.get(3)?,
        })
    })?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

impl crate::store::ExportStore for super::SqliteTx<'_> {
    fn for_each_thread_comment(
        &mut self,
        q: &ExportQuery,
        f: &mut dyn FnMut(CommentRecord) -> Result<()>,
    ) -> Result<()> {
        for_each_thread_comment(self.conn, q, f)
    }

    fn employee_scores(&mut self, q: &ExportQuery) -> Result<Vec<EmployeeScores>> {
        employee_scores(self.conn, q)
    }

    fn scored_responses(&mut self, q: &ExportQuery) -> Result<Vec<ScoredResponse>> {
        scored_responses(self.conn, q)
    }
}
