//! Report queries on the raw rows: scores where rollups cannot answer, response rate,
//! review funnel, the feedback list, customers and their history, unsubscribes, users'
//! locations and the imported aggregates of other stores.

use crate::store::analytics::{PeerCounts, peer_rows_as_stored};
use crate::store::analytics::{category_name, sentiment};
use std::collections::{BTreeMap, HashMap};

use chrono::NaiveDate;
use rusqlite::{Connection, OptionalExtension, params};

use super::rollups::totals_at;
use crate::analytics::Totals;
use crate::error::Result;
use crate::model::{
    AggregateRow, CustomerSummary, FeedbackItem, FeedbackQuery, FeedbackSort, Gender,
    HistoryInvitation, ResponseSource, Role, Sentiment, Subscription, Unsubscribe,
};
use crate::rules::score::{NpsCategory, NpsCounts, nps_category};
use crate::rules::time::from_stored;
use crate::store::analytics::{CustomerCard, EmployeeInfo};

const RAW_SUMS: &str = "count(*), coalesce(sum(r.nps >= 9), 0),
    coalesce(sum(r.nps BETWEEN 7 AND 8), 0), coalesce(sum(r.nps <= 6), 0), count(r.rating),
    coalesce(sum(r.rating * 25200 / r.rating_scale), 0)";

/// Raw totals of one location over instants `[from, to)`, for one employee or all.
pub fn raw_totals(
    conn: &Connection,
    location: i64,
    employee: Option<i64>,
    (from, to): (i64, i64),
) -> Result<Totals> {
    Ok(match employee {
        None => conn
            .prepare_cached(&format!(
                "SELECT {RAW_SUMS} FROM responses r
                 WHERE r.location_id = ?1 AND r.created_at >= ?2 AND r.created_at < ?3"
            ))?
            .query_row(params![location, from, to], |r| totals_at(r, 0))?,
        Some(e) => conn
            .prepare_cached(&format!(
                "SELECT {RAW_SUMS} FROM responses r
                 JOIN transaction_employees te
                   ON te.transaction_id = r.transaction_id AND te.employee_id = ?4
                 WHERE r.location_id = ?1 AND r.created_at >= ?2 AND r.created_at < ?3"
            ))?
            .query_row(params![location, from, to, e], |r| totals_at(r, 0))?,
    })
}

/// Raw responses of one location over `[from, to)`: (instant ms, totals of the one).
pub fn raw_points(
    conn: &Connection,
    location: i64,
    employee: Option<i64>,
    (from, to): (i64, i64),
) -> Result<Vec<(i64, Totals)>> {
    let mut stmt = conn.prepare_cached(
        "SELECT r.created_at, r.nps, r.rating, r.rating_scale FROM responses r
         WHERE r.location_id = ?1 AND r.created_at >= ?2 AND r.created_at < ?3
           AND (?4 IS NULL OR EXISTS (SELECT 1 FROM transaction_employees te
                WHERE te.transaction_id = r.transaction_id AND te.employee_id = ?4))",
    )?;
    let rows = stmt.query_map(params![location, from, to, employee], |r| {
        let rating: Option<u32> = r.get(2)?;
        let scale: Option<u32> = r.get(3)?;
        Ok((r.get(0)?, Totals::of_response(r.get(1)?, rating.zip(scale))))
    })?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

/// Raw totals per credited employee at one location over `[from, to)` (X4).
pub fn raw_employees(
    conn: &Connection,
    location: i64,
    (from, to): (i64, i64),
) -> Result<Vec<(i64, Totals)>> {
    let mut stmt = conn.prepare_cached(&format!(
        "SELECT te.employee_id, {RAW_SUMS} FROM responses r
         JOIN transaction_employees te ON te.transaction_id = r.transaction_id
         WHERE r.location_id = ?1 AND r.created_at >= ?2 AND r.created_at < ?3
         GROUP BY te.employee_id"
    ))?;
    let rows = stmt.query_map(params![location, from, to], |r| {
        Ok((r.get(0)?, totals_at(r, 1)?))
    })?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

/// Invitations of one location delivered in `[from, to)` and how many are answered (N5).
pub fn delivered_answered(
    conn: &Connection,
    location: i64,
    employee: Option<i64>,
    (from, to): (i64, i64),
) -> Result<(u64, u64)> {
    let (d, a): (i64, i64) = conn
        .prepare_cached(
            "SELECT count(*), coalesce(sum(EXISTS (SELECT 1 FROM responses x
                                                   WHERE x.invitation_id = i.id)), 0)
             FROM invitations i
             WHERE i.location_id = ?1 AND i.delivered_at >= ?2 AND i.delivered_at < ?3
               AND (?4 IS NULL OR EXISTS (SELECT 1 FROM transaction_employees te
                    WHERE te.transaction_id = i.transaction_id AND te.employee_id = ?4))",
        )?
        .query_row(params![location, from, to, employee], |r| {
            Ok((r.get(0)?, r.get(1)?))
        })?;
    Ok((d.unsigned_abs(), a.unsigned_abs()))
}

/// The review funnel of one location over `[from, to)`: responses, promoters, shown,
/// clicked, confirmed (N3).
pub fn review_funnel(
    conn: &Connection,
    location: i64,
    employee: Option<i64>,
    (from, to): (i64, i64),
) -> Result<[u64; 5]> {
    let v: [i64; 5] = conn
        .prepare_cached(
            "SELECT count(*), coalesce(sum(r.nps >= 9), 0), coalesce(sum(r.review_link_shown), 0),
                    count(r.review_clicked_at), count(r.review_confirmed_at)
             FROM responses r
             WHERE r.location_id = ?1 AND r.created_at >= ?2 AND r.created_at < ?3
               AND (?4 IS NULL OR EXISTS (SELECT 1 FROM transaction_employees te
                    WHERE te.transaction_id = r.transaction_id AND te.employee_id = ?4))",
        )?
        .query_row(params![location, from, to, employee], |r| {
            Ok([r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?])
        })?;
    Ok(v.map(i64::unsigned_abs))
}

/// A user's role and the locations they cover (empty = all); none if unknown.
pub fn user_access(conn: &Connection, host_id: &str) -> Result<Option<(String, Vec<i64>)>> {
    let Some((id, role)) = conn
        .prepare_cached("SELECT id, role FROM users WHERE host_id = ?1 AND active = 1")?
        .query_row([host_id], |r| {
            Ok((r.get::<_, i64>(0)?, r.get::<_, String>(1)?))
        })
        .optional()?
    else {
        return Ok(None);
    };
    let locations = conn
        .prepare_cached("SELECT location_id FROM user_locations WHERE user_id = ?1")?
        .query_map([id], |r| r.get(0))?
        .collect::<rusqlite::Result<_>>()?;
    Ok(Some((role, locations)))
}

/// An employee's row id by host id.
pub fn employee_rowid(conn: &Connection, host_id: &str) -> Result<Option<i64>> {
    Ok(conn
        .prepare_cached("SELECT id FROM employees WHERE host_id = ?1")?
        .query_row([host_id], |r| r.get(0))
        .optional()?)
}

/// Every employee by row id.
pub fn employees_by_rowid(conn: &Connection) -> Result<HashMap<i64, EmployeeInfo>> {
    let mut stmt = conn.prepare_cached("SELECT id, host_id, name, role FROM employees")?;
    let rows = stmt.query_map([], |r| {
        Ok((
            r.get(0)?,
            EmployeeInfo {
                host_id: r.get(1)?,
                name: r.get(2)?,
                role: Role::parse(&r.get::<_, String>(3)?),
            },
        ))
    })?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

const CATEGORY: &str = "CASE WHEN r.nps >= 9 THEN 'promoter' WHEN r.nps >= 7 THEN 'passive'
    WHEN r.nps IS NOT NULL THEN 'detractor' END";

const ITEM_COLUMNS: &str = "r.id, r.created_at, l.host_id, c.host_id, c.name, t.host_id,
    r.source, r.nps, r.rating, r.rating_scale, r.score_base10, r.sentiment, r.facets,
    r.comment, r.unhappy,
    (SELECT group_concat(host_id, char(31)) FROM
       (SELECT e.host_id FROM transaction_employees te JOIN employees e ON e.id = te.employee_id
        WHERE te.transaction_id = r.transaction_id ORDER BY e.host_id))";

const ITEM_JOINS: &str = "JOIN locations l ON l.id = r.location_id
    LEFT JOIN customers c ON c.id = r.customer_id
    LEFT JOIN transactions t ON t.id = r.transaction_id";

fn item(r: &rusqlite::Row<'_>) -> rusqlite::Result<FeedbackItem> {
    let nps: Option<u8> = r.get(7)?;
    let rating: Option<u32> = r.get(8)?;
    let scale: Option<u32> = r.get(9)?;
    let facets: String = r.get(12)?;
    let employees: Option<String> = r.get(15)?;
    Ok(FeedbackItem {
        response_id: r.get(0)?,
        created_at: from_stored(r.get(1)?),
        location: r.get(2)?,
        customer: r.get(3)?,
        customer_name: r.get(4)?,
        transaction: r.get(5)?,
        employees: employees
            .map(|s| s.split('\u{1f}').map(str::to_owned).collect())
            .unwrap_or_default(),
        source: ResponseSource::parse(&r.get::<_, String>(6)?)
            .unwrap_or(ResponseSource::Invitation),
        nps,
        category: nps.and_then(nps_category),
        rating: rating.zip(scale),
        score_base10: r.get(10)?,
        sentiment: sentiment(&r.get::<_, String>(11)?),
        facets: serde_json::from_str(&facets).unwrap_or_default(),
        comment: r.get(13)?,
        unhappy: r.get(14)?,
    })
}

/// The scope triples parsed once (a join on `json_each` would re-parse them per row), so
/// each location's rows are read by `responses_location` in its own instant range.
const SCOPE_CTE: &str = "WITH scope(loc, lo, hi) AS MATERIALIZED (
    SELECT value ->> 0, value ->> 1, value ->> 2 FROM json_each(?1))";

/// One page of the feedback list and the total (X3). `scope` is a JSON array of
/// `[location row id, from ms, to ms]` triples.
pub fn feedback_page(
    conn: &Connection,
    scope: &str,
    employee: Option<i64>,
    q: &FeedbackQuery,
) -> Result<(u64, Vec<FeedbackItem>)> {
    let filtered = format!(
        "FROM scope s
         JOIN responses r ON r.location_id = s.loc AND r.created_at >= s.lo
              AND r.created_at < s.hi
         WHERE (?2 IS NULL OR {CATEGORY} = ?2) AND (?3 IS NULL OR r.sentiment = ?3)
           AND (?4 IS NULL OR EXISTS (SELECT 1 FROM json_each(r.facets) f WHERE f.value = ?4))
           AND (?5 IS NULL OR r.source = ?5)
           AND (?6 IS NULL OR EXISTS (SELECT 1 FROM transaction_employees te
                WHERE te.transaction_id = r.transaction_id AND te.employee_id = ?6))"
    );
    let args = params![
        scope,
        q.category.map(category_name),
        q.sentiment.map(Sentiment::as_str),
        q.facet,
        q.source.map(ResponseSource::as_str),
        employee
    ];
    let total: i64 = conn
        .prepare_cached(&format!("{SCOPE_CTE} SELECT count(*) {filtered}"))?
        .query_row(args, |r| r.get(0))?;
    let order = match q.sort {
        FeedbackSort::Newest => "r.created_at DESC, r.id DESC",
        FeedbackSort::Oldest => "r.created_at, r.id",
        FeedbackSort::Lowest => {
            "r.score_base10 IS NULL, r.score_base10, r.created_at DESC, r.id DESC"
        }
        FeedbackSort::Highest => {
            "r.score_base10 IS NULL, r.score_base10 DESC, r.created_at DESC, r.id DESC"
        }
    };
    let mut stmt = conn.prepare_cached(&format!(
        // The page's ids first: the item columns (a subquery per row) are computed for
        // the page only, not for every row the sort sees.
        "{SCOPE_CTE}, page(id) AS MATERIALIZED
           (SELECT r.id {filtered} ORDER BY {order} LIMIT ?7 OFFSET ?8)
         SELECT {ITEM_COLUMNS} FROM page p JOIN responses r ON r.id = p.id {ITEM_JOINS}
         ORDER BY {order}"
    ))?;
    let rows = stmt.query_map(
        params![
            scope,
            q.category.map(category_name),
            q.sentiment.map(Sentiment::as_str),
            q.facet,
            q.source.map(ResponseSource::as_str),
            employee,
            q.limit,
            i64::try_from(q.offset).unwrap_or(i64::MAX)
        ],
        item,
    )?;
    Ok((total.unsigned_abs(), rows.collect::<rusqlite::Result<_>>()?))
}

/// A customer by host id, for their history.
pub fn customer_card(conn: &Connection, host_id: &str) -> Result<Option<CustomerCard>> {
    Ok(conn
        .prepare_cached(&format!(
            "SELECT c.id, c.name, c.gender, {UNSUBSCRIBED} FROM customers c WHERE c.host_id = ?1"
        ))?
        .query_row([host_id], |r| {
            Ok(CustomerCard {
                rowid: r.get(0)?,
                name: r.get(1)?,
                gender: r
                    .get::<_, Option<String>>(2)?
                    .and_then(|g| Gender::parse(&g)),
                unsubscribed_at: r.get::<_, Option<i64>>(3)?.map(from_stored),
            })
        })
        .optional()?)
}

/// A customer's responses at the locations of `allowed` (JSON array; null = all), newest
/// first (F4).
pub fn customer_responses(
    conn: &Connection,
    customer: i64,
    allowed: Option<&str>,
) -> Result<Vec<FeedbackItem>> {
    let mut stmt = conn.prepare_cached(&format!(
        "SELECT {ITEM_COLUMNS} FROM responses r {ITEM_JOINS}
         WHERE r.customer_id = ?1
           AND (?2 IS NULL OR r.location_id IN (SELECT value FROM json_each(?2)))
         ORDER BY r.created_at DESC, r.id DESC"
    ))?;
    let rows = stmt.query_map(params![customer, allowed], item)?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

/// A customer's invitations at the locations of `allowed`, oldest first (F4).
pub fn customer_invitations(
    conn: &Connection,
    customer: i64,
    allowed: Option<&str>,
) -> Result<Vec<HistoryInvitation>> {
    let mut stmt = conn.prepare_cached(
        "SELECT i.id, l.host_id, t.host_id, i.business_date, i.status, i.delivered_at,
                EXISTS (SELECT 1 FROM responses x WHERE x.invitation_id = i.id)
         FROM invitations i JOIN locations l ON l.id = i.location_id
         LEFT JOIN transactions t ON t.id = i.transaction_id
         WHERE i.customer_id = ?1
           AND (?2 IS NULL OR i.location_id IN (SELECT value FROM json_each(?2)))
         ORDER BY i.business_date, i.id",
    )?;
    let rows = stmt.query_map(params![customer, allowed], |r| {
        Ok(HistoryInvitation {
            invitation_id: r.get(0)?,
            location: r.get(1)?,
            transaction: r.get(2)?,
            business_date: r
                .get::<_, String>(3)?
                .parse::<NaiveDate>()
                .unwrap_or_default(),
            status: r.get(4)?,
            delivered_at: r.get::<_, Option<i64>>(5)?.map(from_stored),
            answered: r.get(6)?,
        })
    })?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

const UNSUBSCRIBED: &str = "(SELECT min(s.created_at) FROM suppressions s
    WHERE (s.kind = 'customer' AND s.value = c.host_id)
       OR (s.kind = 'email' AND s.value = c.email_norm)
       OR (s.kind = 'phone' AND s.value = c.phone_norm))";

/// Customers filtered by gender, latest NPS category and subscription, who bought or
/// answered at the locations of `allowed` (JSON array; null = all): total and a page (F4).
pub fn customers_page(
    conn: &Connection,
    gender: Option<Gender>,
    category: Option<NpsCategory>,
    subscription: Option<Subscription>,
    allowed: Option<&str>,
    (offset, limit): (u64, u32),
) -> Result<(u64, Vec<CustomerSummary>)> {
    let filtered = format!(
        "FROM (SELECT c.host_id, c.name, c.gender,
                 (SELECT count(*) FROM responses r WHERE r.customer_id = c.id) AS answers,
                 (SELECT r.nps FROM responses r WHERE r.customer_id = c.id AND r.nps IS NOT NULL
                  ORDER BY r.created_at DESC, r.id DESC LIMIT 1) AS latest_nps,
                 (SELECT max(r.created_at) FROM responses r WHERE r.customer_id = c.id) AS last_at,
                 {UNSUBSCRIBED} AS unsubscribed_at
               FROM customers c
               WHERE (?1 IS NULL OR c.gender = ?1)
                 AND (?4 IS NULL
                      OR EXISTS (SELECT 1 FROM transactions t WHERE {bought}
                                 AND t.location_id IN (SELECT value FROM json_each(?4)))
                      OR EXISTS (SELECT 1 FROM responses r WHERE r.customer_id = c.id
                                 AND r.location_id IN (SELECT value FROM json_each(?4)))))
         WHERE (?2 IS NULL OR CASE WHEN latest_nps >= 9 THEN 'promoter'
                                   WHEN latest_nps >= 7 THEN 'passive'
                                   WHEN latest_nps IS NOT NULL THEN 'detractor' END = ?2)
           AND (?3 IS NULL OR (unsubscribed_at IS NOT NULL) = ?3)",
        bought = customer_transactions!("t", "c.id"),
    );
    let g = gender.map(Gender::as_str);
    let c = category.map(category_name);
    let s = subscription.map(|s| s == Subscription::Unsubscribed);
    let total: i64 = conn
        .prepare_cached(&format!("SELECT count(*) {filtered}"))?
        .query_row(params![g, c, s, allowed], |r| r.get(0))?;
    let mut stmt = conn.prepare_cached(&format!(
        "SELECT host_id, name, gender, answers, latest_nps, last_at, unsubscribed_at {filtered}
         ORDER BY host_id LIMIT ?5 OFFSET ?6"
    ))?;
    let rows = stmt.query_map(
        params![
            g,
            c,
            s,
            allowed,
            limit,
            i64::try_from(offset).unwrap_or(i64::MAX)
        ],
        |r| {
            Ok(CustomerSummary {
                customer: r.get(0)?,
                name: r.get(1)?,
                gender: r
                    .get::<_, Option<String>>(2)?
                    .and_then(|g| Gender::parse(&g)),
                responses: r.get::<_, i64>(3)?.unsigned_abs(),
                latest_category: r.get::<_, Option<u8>>(4)?.and_then(nps_category),
                last_response_at: r.get::<_, Option<i64>>(5)?.map(from_stored),
                unsubscribed_at: r.get::<_, Option<i64>>(6)?.map(from_stored),
            })
        },
    )?;
    Ok((total.unsigned_abs(), rows.collect::<rusqlite::Result<_>>()?))
}

/// Unsubscribes made in `[from, to)`, newest first, with the customer each matches (F4);
/// with `allowed` (JSON array of location row ids) only customers who bought there.
pub fn unsubscribes(
    conn: &Connection,
    (from, to): (i64, i64),
    allowed: Option<&str>,
) -> Result<Vec<Unsubscribe>> {
    let part = |kind: &str, column: &str| {
        format!(
            "SELECT s.kind, s.value, s.created_at, s.source, c.host_id, c.name
             FROM suppressions s LEFT JOIN customers c ON c.{column} = s.value
             WHERE s.kind = '{kind}' AND s.created_at >= ?1 AND s.created_at < ?2
               AND (?3 IS NULL OR EXISTS (SELECT 1 FROM transactions t
                    WHERE {bought}
                      AND t.location_id IN (SELECT value FROM json_each(?3))))",
            bought = customer_transactions!("t", "c.id"),
        )
    };
    let mut stmt = conn.prepare_cached(&format!(
        "{} UNION ALL {} UNION ALL {} ORDER BY 3 DESC, 1, 2",
        part("customer", "host_id"),
        part("email", "email_norm"),
        part("phone", "phone_norm")
    ))?;
    let rows = stmt.query_map(params![from, to, allowed], |r| {
        Ok(Unsubscribe {
            kind: r.get(0)?,
            contact: r.get(1)?,
            at: from_stored(r.get(2)?),
            source: r.get(3)?,
            customer: r.get(4)?,
            name: r.get(5)?,
        })
    })?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

/// Replaces one store's imported aggregate rows; returns how many were stored. The same
/// rows imported again are left as they are, with the time of their first import (T12).
pub fn replace_peer_rows(
    conn: &Connection,
    store: &str,
    rows: &[AggregateRow],
    now_ms: i64,
) -> Result<u64> {
    let n = |v: u64| i64::try_from(v).unwrap_or(i64::MAX);
    let wanted = peer_rows_as_stored(rows);
    let stored: BTreeMap<(i64, String), PeerCounts> = conn
        .prepare_cached(
            "SELECT location, month, promoters, passives, detractors, rated, rating_sum
             FROM peer_aggregates WHERE store = ?1",
        )?
        .query_map([store], |r| {
            Ok((
                (r.get(0)?, r.get(1)?),
                (r.get(2)?, r.get(3)?, r.get(4)?, r.get(5)?, r.get(6)?),
            ))
        })?
        .collect::<rusqlite::Result<_>>()?;
    if stored == wanted {
        return Ok(rows.len() as u64);
    }
    conn.prepare_cached("DELETE FROM peer_aggregates WHERE store = ?1")?
        .execute([store])?;
    let mut stmt = conn.prepare_cached(
        "INSERT INTO peer_aggregates (store, location, month, promoters, passives, detractors,
                                      rated, rating_sum, imported_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)
         ON CONFLICT (store, location, month) DO UPDATE SET
           promoters = promoters + excluded.promoters, passives = passives + excluded.passives,
           detractors = detractors + excluded.detractors, rated = rated + excluded.rated,
           rating_sum = rating_sum + excluded.rating_sum",
    )?;
    for r in rows {
        stmt.execute(params![
            store,
            r.location,
            r.month,
            n(r.promoters),
            n(r.passives),
            n(r.detractors),
            n(r.rated),
            r.rating_sum_base10,
            now_ms
        ])?;
    }
    Ok(rows.len() as u64)
}

/// Each imported store's NPS counts over months `[first, last]` (labels; none = open).
pub fn peer_counts(
    conn: &Connection,
    first: Option<&str>,
    last: Option<&str>,
) -> Result<Vec<(String, NpsCounts)>> {
    let mut stmt = conn.prepare_cached(
        "SELECT store, sum(promoters), sum(passives), sum(detractors) FROM peer_aggregates
         WHERE (?1 IS NULL OR month >= ?1) AND (?2 IS NULL OR month <= ?2)
         GROUP BY store ORDER BY store",
    )?;
    let rows = stmt.query_map(params![first, last], |r| {
        Ok((
            r.get(0)?,
            NpsCounts {
                promoters: r.get::<_, i64>(1)?.unsigned_abs(),
                passives: r.get::<_, i64>(2)?.unsigned_abs(),
                detractors: r.get::<_, i64>(3)?.unsigned_abs(),
            },
        ))
    })?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

/// Every location total rollup row: (location row id, day number, totals).
pub fn location_days(conn: &Connection) -> Result<Vec<(i64, i64, Totals)>> {
    let mut stmt = conn.prepare_cached(
        "SELECT location_id, day, responses, promoters, passives, detractors, rated,
                rating_units
         FROM rollups_daily WHERE employee_id = 0",
    )?;
    let rows = stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?, totals_at(r, 2)?)))?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

impl crate::store::AnalyticsStore for super::SqliteTx<'_> {
    fn raw_totals(
        &mut self,
        location: i64,
        employee: Option<i64>,
        range2: (i64, i64),
    ) -> Result<Totals> {
        raw_totals(self.conn, location, employee, range2)
    }

    fn raw_points(
        &mut self,
        location: i64,
        employee: Option<i64>,
        range2: (i64, i64),
    ) -> Result<Vec<(i64, Totals)>> {
        raw_points(self.conn, location, employee, range2)
    }

    fn raw_employees(&mut self, location: i64, range1: (i64, i64)) -> Result<Vec<(i64, Totals)>> {
        raw_employees(self.conn, location, range1)
    }

    fn delivered_answered(
        &mut self,
        location: i64,
        employee: Option<i64>,
        range2: (i64, i64),
    ) -> Result<(u64, u64)> {
        delivered_answered(self.conn, location, employee, range2)
    }

    fn review_funnel(
        &mut self,
        location: i64,
        employee: Option<i64>,
        range2: (i64, i64),
    ) -> Result<[u64; 5]> {
        review_funnel(self.conn, location, employee, range2)
    }

    fn user_access(&mut self, host_id: &str) -> Result<Option<(String, Vec<i64>)>> {
        user_access(self.conn, host_id)
    }

    fn employee_rowid(&mut self, host_id: &str) -> Result<Option<i64>> {
        employee_rowid(self.conn, host_id)
    }

    fn employees_by_rowid(&mut self) -> Result<HashMap<i64, EmployeeInfo>> {
        employees_by_rowid(self.conn)
    }

    fn feedback_page(
        &mut self,
        scope: &str,
        employee: Option<i64>,
        q: &FeedbackQuery,
    ) -> Result<(u64, Vec<FeedbackItem>)> {
        feedback_page(self.conn, scope, employee, q)
    }

    fn customer_card(&mut self, host_id: &str) -> Result<Option<CustomerCard>> {
        customer_card(self.conn, host_id)
    }

    fn customer_responses(
        &mut self,
        customer: i64,
        allowed: Option<&str>,
    ) -> Result<Vec<FeedbackItem>> {
        customer_responses(self.conn, customer, allowed)
    }

    fn customer_invitations(
        &mut self,
        customer: i64,
        allowed: Option<&str>,
    ) -> Result<Vec<HistoryInvitation>> {
        customer_invitations(self.conn, customer, allowed)
    }

    fn customers_page(
        &mut self,
        gender: Option<Gender>,
        category: Option<NpsCategory>,
        subscription: Option<Subscription>,
        allowed: Option<&str>,
        range4: (u64, u32),
    ) -> Result<(u64, Vec<CustomerSummary>)> {
        customers_page(self.conn, gender, category, subscription, allowed, range4)
    }

    fn unsubscribes(
        &mut self,
        range0: (i64, i64),
        allowed: Option<&str>,
    ) -> Result<Vec<Unsubscribe>> {
        unsubscribes(self.conn, range0, allowed)
    }

    fn replace_peer_rows(
        &mut self,
        store: &str,
        rows: &[AggregateRow],
        now_ms: i64,
    ) -> Result<u64> {
        replace_peer_rows(self.conn, store, rows, now_ms)
    }

    fn peer_counts(
        &mut self,
        first: Option<&str>,
        last: Option<&str>,
    ) -> Result<Vec<(String, NpsCounts)>> {
        peer_counts(self.conn, first, last)
    }

    fn location_days(&mut self) -> Result<Vec<(i64, i64, Totals)>> {
        location_days(self.conn)
    }
}
