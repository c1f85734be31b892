//! Report queries on the raw rows on PostgreSQL (mirrors `store/sqlite/analytics.rs`).
//! The JSON arrays the trait speaks (a feedback scope, the allowed locations) are bound as
//! text and read with `jsonb_array_elements`; sums of bigints are cast back to bigint
//! (PostgreSQL sums them as numeric); host ids sort as SQLite's BINARY collation.

use crate::store::analytics::{PeerCounts, peer_rows_as_stored};
use crate::store::analytics::{category_name, sentiment};
use std::collections::{BTreeMap, HashMap};

use chrono::NaiveDate;

use crate::analytics::Totals;
use crate::error::{Error, Result};
use crate::hosted::{Row, p};
use crate::model::{
    AggregateRow, CustomerSummary, FeedbackItem, FeedbackQuery, FeedbackSort, Gender,
    HistoryInvitation, ResponseSource, Role, Subscription, Unsubscribe,
};
use crate::rules::score::{NpsCategory, NpsCounts, nps_category};
use crate::rules::time::from_stored;
use crate::store::analytics::{CustomerCard, EmployeeInfo};

use super::conv::get_flag;
use super::{PgTx, get};

const RAW_SUMS: &str = "count(*), count(*) FILTER (WHERE r.nps >= 9),
    count(*) FILTER (WHERE r.nps BETWEEN 7 AND 8), count(*) FILTER (WHERE r.nps <= 6),
    count(r.rating), coalesce(sum(r.rating * 25200 / r.rating_scale), 0)::bigint";

/// Six summed columns starting at `i` as totals.
fn totals_at(r: &Row, i: usize) -> Result<Totals> {
    Ok(Totals {
        responses: get(r, i)?,
        promoters: get(r, i + 1)?,
        passives: get(r, i + 2)?,
        detractors: get(r, i + 3)?,
        rated: get(r, i + 4)?,
        rating_units: get(r, i + 5)?,
    })
}

fn opt_u8(r: &Row, i: usize) -> Result<Option<u8>> {
    Ok(get::<Option<i64>>(r, i)?.and_then(|v| u8::try_from(v).ok()))
}

fn opt_u32(r: &Row, i: usize) -> Result<Option<u32>> {
    Ok(get::<Option<i64>>(r, i)?.and_then(|v| u32::try_from(v).ok()))
}

/// Whether a response's transaction credits the employee `$5` (none: every response).
const CREDITED: &str = "($5::bigint IS NULL OR EXISTS (SELECT 1 FROM transaction_employees te
    WHERE te.store_id = $1 AND te.transaction_id = r.transaction_id
      AND te.employee_id = $5::bigint))";

const CATEGORY: &str = "CASE WHEN r.nps >= 9 THEN 'promoter' WHEN r.nps >= 7 THEN 'passive'
    WHEN r.nps IS NOT NULL THEN 'detractor' END";

const ITEM_COLUMNS: &str = "r.id, r.created_at, l.host_id, c.host_id, c.name, t.host_id,
    r.source, r.nps, r.rating, r.rating_scale, r.score_base10, r.sentiment, r.facets,
    r.comment, r.unhappy,
    ARRAY(SELECT e.host_id FROM transaction_employees te
          JOIN employees e ON e.store_id = te.store_id AND e.id = te.employee_id
          WHERE te.store_id = $1 AND te.transaction_id = r.transaction_id
          ORDER BY e.host_id COLLATE \"C\")";

const ITEM_JOINS: &str = "JOIN locations l ON l.store_id = $1 AND l.id = r.location_id
    LEFT JOIN customers c ON c.store_id = r.store_id AND c.id = r.customer_id
    LEFT JOIN transactions t ON t.store_id = r.store_id AND t.id = r.transaction_id";

fn item(r: &Row) -> Result<FeedbackItem> {
    let nps = opt_u8(r, 7)?;
    let rating = opt_u32(r, 8)?;
    let scale = opt_u32(r, 9)?;
    let facets: String = get(r, 12)?;
    Ok(FeedbackItem {
        response_id: get(r, 0)?,
        created_at: from_stored(get(r, 1)?),
        location: get(r, 2)?,
        customer: get(r, 3)?,
        customer_name: get(r, 4)?,
        transaction: get(r, 5)?,
        employees: get(r, 15)?,
        source: ResponseSource::parse(&get::<String>(r, 6)?).unwrap_or(ResponseSource::Invitation),
        nps,
        category: nps.and_then(nps_category),
        rating: rating.zip(scale),
        score_base10: get(r, 10)?,
        sentiment: sentiment(&get::<String>(r, 11)?),
        facets: serde_json::from_str(&facets).unwrap_or_default(),
        comment: get(r, 13)?,
        unhappy: get_flag(r, 14)?,
    })
}

/// Whether `column` is one of the locations `$n` (a bigint array; SQL NULL: all).
fn allowed_sql(column: &str, n: u8) -> String {
    format!("(${n}::bigint[] IS NULL OR {column} = ANY(${n}::bigint[]))")
}

/// The allowed locations, a JSON array of row ids (none: all), as an array to bind.
fn allowed_ids(allowed: Option<&str>) -> Result<Option<Vec<i64>>> {
    allowed
        .map(|a| {
            serde_json::from_str(a)
                .map_err(|_| Error::Internal("allowed locations are unreadable".into()))
        })
        .transpose()
}

const UNSUBSCRIBED: &str = "(SELECT min(s.created_at) FROM suppressions s
    WHERE s.store_id = $1
      AND ((s.kind = 'customer' AND s.value = c.host_id)
           OR (s.kind = 'email' AND s.value = c.email_norm)
           OR (s.kind = 'phone' AND s.value = c.phone_norm)))";

impl crate::store::AnalyticsStore for PgTx<'_> {
    fn raw_totals(
        &mut self,
        location: i64,
        employee: Option<i64>,
        (from, to): (i64, i64),
    ) -> Result<Totals> {
        let r = self.query_one(
            &format!(
                "SELECT {RAW_SUMS} FROM responses r
                 WHERE r.store_id = $1 AND r.location_id = $2 AND r.created_at >= $3
                   AND r.created_at < $4 AND {CREDITED}"
            ),
            vec![p(location), p(from), p(to), p(employee)],
        )?;
        totals_at(&r, 0)
    }

    fn raw_points(
        &mut self,
        location: i64,
        employee: Option<i64>,
        (from, to): (i64, i64),
    ) -> Result<Vec<(i64, Totals)>> {
        let rows = self.query(
            &format!(
                "SELECT r.created_at, r.nps, r.rating, r.rating_scale FROM responses r
                 WHERE r.store_id = $1 AND r.location_id = $2 AND r.created_at >= $3
                   AND r.created_at < $4 AND {CREDITED}
                 ORDER BY r.created_at, r.id"
            ),
            vec![p(location), p(from), p(to), p(employee)],
        )?;
        rows.iter()
            .map(|r| {
                let rating = opt_u32(r, 2)?.zip(opt_u32(r, 3)?);
                Ok((get(r, 0)?, Totals::of_response(opt_u8(r, 1)?, rating)))
            })
            .collect()
    }

    fn raw_employees(
        &mut self,
        location: i64,
        (from, to): (i64, i64),
    ) -> Result<Vec<(i64, Totals)>> {
        let rows = self.query(
            &format!(
                "SELECT te.employee_id, {RAW_SUMS} FROM responses r
                 JOIN transaction_employees te
                   ON te.store_id = r.store_id AND te.transaction_id = r.transaction_id
                 WHERE r.store_id = $1 AND r.location_id = $2 AND r.created_at >= $3
                   AND r.created_at < $4
                 GROUP BY te.employee_id ORDER BY te.employee_id"
            ),
            vec![p(location), p(from), p(to)],
        )?;
        rows.iter()
            .map(|r| Ok((get(r, 0)?, totals_at(r, 1)?)))
            .collect()
    }

    fn delivered_answered(
        &mut self,
        location: i64,
        employee: Option<i64>,
        (from, to): (i64, i64),
    ) -> Result<(u64, u64)> {
        let r = self.query_one(
            "SELECT count(*),
                    count(*) FILTER (WHERE EXISTS (SELECT 1 FROM responses x
                                     WHERE x.store_id = i.store_id AND x.invitation_id = i.id))
             FROM invitations i
             WHERE i.store_id = $1 AND i.location_id = $2 AND i.delivered_at >= $3
               AND i.delivered_at < $4
               AND ($5::bigint IS NULL OR EXISTS (SELECT 1 FROM transaction_employees te
                    WHERE te.store_id = i.store_id AND te.transaction_id = i.transaction_id
                      AND te.employee_id = $5::bigint))",
            vec![p(location), p(from), p(to), p(employee)],
        )?;
        Ok((
            get::<i64>(&r, 0)?.unsigned_abs(),
            get::<i64>(&r, 1)?.unsigned_abs(),
        ))
    }

    fn review_funnel(
        &mut self,
        location: i64,
        employee: Option<i64>,
        (from, to): (i64, i64),
    ) -> Result<[u64; 5]> {
        let r = self.query_one(
            &format!(
                "SELECT count(*), count(*) FILTER (WHERE r.nps >= 9),
                        coalesce(sum(r.review_link_shown), 0)::bigint,
                        count(r.review_clicked_at), count(r.review_confirmed_at)
                 FROM responses r
                 WHERE r.store_id = $1 AND r.location_id = $2 AND r.created_at >= $3
                   AND r.created_at < $4 AND {CREDITED}"
            ),
            vec![p(location), p(from), p(to), p(employee)],
        )?;
        let mut out = [0u64; 5];
        for (i, v) in out.iter_mut().enumerate() {
            *v = get::<i64>(&r, i)?.unsigned_abs();
        }
        Ok(out)
    }

    fn user_access(&mut self, host_id: &str) -> Result<Option<(String, Vec<i64>)>> {
        let row = self.query_opt(
            "SELECT u.role,
                    ARRAY(SELECT x.location_id FROM user_locations x
                          WHERE x.store_id = u.store_id AND x.user_id = u.id
                          ORDER BY x.location_id)
             FROM users u WHERE u.store_id = $1 AND u.host_id = $2 AND u.active = 1",
            vec![p(host_id.to_owned())],
        )?;
        row.map(|r| Ok((get(&r, 0)?, get(&r, 1)?))).transpose()
    }

    fn employee_rowid(&mut self, host_id: &str) -> Result<Option<i64>> {
        let row = self.query_opt(
            "SELECT id FROM employees WHERE store_id = $1 AND host_id = $2",
            vec![p(host_id.to_owned())],
        )?;
        row.map(|r| get(&r, 0)).transpose()
    }

    fn employees_by_rowid(&mut self) -> Result<HashMap<i64, EmployeeInfo>> {
        let rows = self.query(
            "SELECT id, host_id, name, role FROM employees WHERE store_id = $1",
            vec![],
        )?;
        rows.iter()
            .map(|r| {
                Ok((
                    get(r, 0)?,
                    EmployeeInfo {
                        host_id: get(r, 1)?,
                        name: get(r, 2)?,
                        role: Role::parse(&get::<String>(r, 3)?),
                    },
                ))
            })
            .collect()
    }

    fn feedback_page(
        &mut self,
        scope: &str,
        employee: Option<i64>,
        q: &FeedbackQuery,
    ) -> Result<(u64, Vec<FeedbackItem>)> {
        // The scope's triples parsed once, each location's rows read in its own range.
        let triples: Vec<(i64, i64, i64)> = serde_json::from_str(scope)
            .map_err(|_| Error::Internal("feedback scope is unreadable".into()))?;
        let from_scope = "FROM unnest($2::bigint[], $3::bigint[], $4::bigint[]) AS s (loc, lo, hi)
             JOIN responses r ON r.store_id = $1 AND r.location_id = s.loc
                  AND r.created_at >= s.lo AND r.created_at < s.hi";
        let conditions = format!(
            "($5::text IS NULL OR {CATEGORY} = $5::text)
             AND ($6::text IS NULL OR r.sentiment = $6::text)
             AND ($7::text IS NULL OR r.facets::jsonb ? $7::text)
             AND ($8::text IS NULL OR r.source = $8::text)
             AND ($9::bigint IS NULL OR EXISTS (SELECT 1 FROM transaction_employees te
                  WHERE te.store_id = $1 AND te.transaction_id = r.transaction_id
                    AND te.employee_id = $9::bigint))"
        );
        let args = || {
            vec![
                p(triples.iter().map(|t| t.0).collect::<Vec<i64>>()),
                p(triples.iter().map(|t| t.1).collect::<Vec<i64>>()),
                p(triples.iter().map(|t| t.2).collect::<Vec<i64>>()),
                p(q.category.map(|c| category_name(c).to_owned())),
                p(q.sentiment.map(|s| s.as_str().to_owned())),
                p(q.facet.clone()),
                p(q.source.map(|s| s.as_str().to_owned())),
                p(employee),
            ]
        };
        let total: i64 = get(
            &self.query_one(
                &format!("SELECT count(*) {from_scope} WHERE r.store_id = $1 AND {conditions}"),
                args(),
            )?,
            0,
        )?;
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
        let mut params = args();
        params.push(p(i64::from(q.limit)));
        params.push(p(i64::try_from(q.offset).unwrap_or(i64::MAX)));
        // The page's ids first: the item columns (a subquery per row) are computed for
        // the page only, not for every row the sort sees.
        let rows = self.query(
            &format!(
                "WITH page(id) AS MATERIALIZED
                   (SELECT r.id {from_scope} WHERE r.store_id = $1 AND {conditions}
                    ORDER BY {order} LIMIT $10 OFFSET $11)
                 SELECT {ITEM_COLUMNS} FROM page pg
                 JOIN responses r ON r.store_id = $1 AND r.id = pg.id {ITEM_JOINS}
                 ORDER BY {order}"
            ),
            params,
        )?;
        Ok((
            total.unsigned_abs(),
            rows.iter().map(item).collect::<Result<_>>()?,
        ))
    }

    fn customer_card(&mut self, host_id: &str) -> Result<Option<CustomerCard>> {
        let row = self.query_opt(
            &format!(
                "SELECT c.id, c.name, c.gender, {UNSUBSCRIBED} FROM customers c
                 WHERE c.store_id = $1 AND c.host_id = $2"
            ),
            vec![p(host_id.to_owned())],
        )?;
        row.map(|r| {
            Ok(CustomerCard {
                rowid: get(&r, 0)?,
                name: get(&r, 1)?,
                gender: get::<Option<String>>(&r, 2)?.and_then(|g| Gender::parse(&g)),
                unsubscribed_at: get::<Option<i64>>(&r, 3)?.map(from_stored),
            })
        })
        .transpose()
    }

    fn customer_responses(
        &mut self,
        customer: i64,
        allowed: Option<&str>,
    ) -> Result<Vec<FeedbackItem>> {
        let rows = self.query(
            &format!(
                "SELECT {ITEM_COLUMNS} FROM responses r {ITEM_JOINS}
                 WHERE r.store_id = $1 AND r.customer_id = $2 AND {}
                 ORDER BY r.created_at DESC, r.id DESC",
                allowed_sql("r.location_id", 3)
            ),
            vec![p(customer), p(allowed_ids(allowed)?)],
        )?;
        rows.iter().map(item).collect()
    }

    fn customer_invitations(
        &mut self,
        customer: i64,
        allowed: Option<&str>,
    ) -> Result<Vec<HistoryInvitation>> {
        let rows = self.query(
            &format!(
                "SELECT i.id, l.host_id, t.host_id, i.business_date, i.status, i.delivered_at,
                        EXISTS (SELECT 1 FROM responses x
                                WHERE x.store_id = i.store_id AND x.invitation_id = i.id)
                 FROM invitations i
                 JOIN locations l ON l.store_id = i.store_id AND l.id = i.location_id
                 LEFT JOIN transactions t ON t.store_id = i.store_id AND t.id = i.transaction_id
                 WHERE i.store_id = $1 AND i.customer_id = $2 AND {}
                 ORDER BY i.business_date COLLATE \"C\", i.id",
                allowed_sql("i.location_id", 3)
            ),
            vec![p(customer), p(allowed_ids(allowed)?)],
        )?;
        rows.iter()
            .map(|r| {
                Ok(HistoryInvitation {
                    invitation_id: get(r, 0)?,
                    location: get(r, 1)?,
                    transaction: get(r, 2)?,
                    business_date: get::<String>(r, 3)?
                        .parse::<NaiveDate>()
                        .unwrap_or_default(),
                    status: get(r, 4)?,
                    delivered_at: get::<Option<i64>>(r, 5)?.map(from_stored),
                    answered: get(r, 6)?,
                })
            })
            .collect()
    }

    fn customers_page(
        &mut self,
        gender: Option<Gender>,
        category: Option<NpsCategory>,
        subscription: Option<Subscription>,
        allowed: Option<&str>,
        (offset, limit): (u64, u32),
    ) -> Result<(u64, Vec<CustomerSummary>)> {
        let inner = format!(
            "SELECT c.store_id, c.host_id, c.name, c.gender,
                     (SELECT count(*) FROM responses r
                      WHERE r.store_id = c.store_id AND r.customer_id = c.id) AS answers,
                     (SELECT r.nps FROM responses r
                      WHERE r.store_id = c.store_id AND r.customer_id = c.id
                        AND r.nps IS NOT NULL
                      ORDER BY r.created_at DESC, r.id DESC LIMIT 1) AS latest_nps,
                     (SELECT max(r.created_at) FROM responses r
                      WHERE r.store_id = c.store_id AND r.customer_id = c.id) AS last_at,
                     {UNSUBSCRIBED} AS unsubscribed_at
                   FROM customers c
                   WHERE c.store_id = $1 AND ($2::text IS NULL OR c.gender = $2::text)
                     AND ($5::bigint[] IS NULL
                          OR EXISTS (SELECT 1 FROM transactions t
                                     WHERE t.store_id = c.store_id AND t.customer_id = c.id
                                       AND {})
                          OR EXISTS (SELECT 1 FROM responses r
                                     WHERE r.store_id = c.store_id AND r.customer_id = c.id
                                       AND {}))",
            allowed_sql("t.location_id", 5),
            allowed_sql("r.location_id", 5)
        );
        let outer = "($3::text IS NULL OR CASE WHEN latest_nps >= 9 THEN 'promoter'
                                            WHEN latest_nps >= 7 THEN 'passive'
                                            WHEN latest_nps IS NOT NULL THEN 'detractor'
                                       END = $3::text)
               AND ($4::boolean IS NULL OR (unsubscribed_at IS NOT NULL) = $4::boolean)";
        let ids = allowed_ids(allowed)?;
        let args = || {
            vec![
                p(gender.map(|g| g.as_str().to_owned())),
                p(category.map(|c| category_name(c).to_owned())),
                p(subscription.map(|s| s == Subscription::Unsubscribed)),
                p(ids.clone()),
            ]
        };
        let total: i64 = get(
            &self.query_one(
                &format!("SELECT count(*) FROM ({inner}) AS x WHERE x.store_id = $1 AND {outer}"),
                args(),
            )?,
            0,
        )?;
        let mut params = args();
        params.push(p(i64::from(limit)));
        params.push(p(i64::try_from(offset).unwrap_or(i64::MAX)));
        let rows = self.query(
            &format!(
                "SELECT host_id, name, gender, answers, latest_nps, last_at, unsubscribed_at
                 FROM ({inner}) AS x WHERE x.store_id = $1 AND {outer}
                 ORDER BY host_id COLLATE \"C\" LIMIT $6 OFFSET $7"
            ),
            params,
        )?;
        let page = rows
            .iter()
            .map(|r| {
                Ok(CustomerSummary {
                    customer: get(r, 0)?,
                    name: get(r, 1)?,
                    gender: get::<Option<String>>(r, 2)?.and_then(|g| Gender::parse(&g)),
                    responses: get::<i64>(r, 3)?.unsigned_abs(),
                    latest_category: opt_u8(r, 4)?.and_then(nps_category),
                    last_response_at: get::<Option<i64>>(r, 5)?.map(from_stored),
                    unsubscribed_at: get::<Option<i64>>(r, 6)?.map(from_stored),
                })
            })
            .collect::<Result<_>>()?;
        Ok((total.unsigned_abs(), page))
    }

    fn unsubscribes(
        &mut self,
        (from, to): (i64, i64),
        allowed: Option<&str>,
    ) -> Result<Vec<Unsubscribe>> {
        let part = |kind: &str, column: &str| {
            format!(
                "SELECT s.store_id, s.kind, s.value, s.created_at, s.source, c.host_id, c.name
                 FROM suppressions s
                 LEFT JOIN customers c ON c.store_id = s.store_id AND c.{column} = s.value
                 WHERE s.store_id = $1 AND s.kind = '{kind}' AND s.created_at >= $2
                   AND s.created_at < $3
                   AND ($4::bigint[] IS NULL OR EXISTS (SELECT 1 FROM transactions t
                        WHERE t.store_id = s.store_id AND t.customer_id = c.id AND {}))",
                allowed_sql("t.location_id", 4)
            )
        };
        let rows = self.query(
            &format!(
                "SELECT u.kind, u.value, u.created_at, u.source, u.customer, u.name
                 FROM ({} UNION ALL {} UNION ALL {})
                   AS u (store_id, kind, value, created_at, source, customer, name)
                 WHERE u.store_id = $1
                 ORDER BY u.created_at DESC, u.kind COLLATE \"C\", u.value COLLATE \"C\"",
                part("customer", "host_id"),
                part("email", "email_norm"),
                part("phone", "phone_norm")
            ),
            vec![p(from), p(to), p(allowed_ids(allowed)?)],
        )?;
        rows.iter()
            .map(|r| {
                Ok(Unsubscribe {
                    kind: get(r, 0)?,
                    contact: get(r, 1)?,
                    at: from_stored(get(r, 2)?),
                    source: get(r, 3)?,
                    customer: get(r, 4)?,
                    name: get(r, 5)?,
                })
            })
            .collect()
    }

    fn replace_peer_rows(
        &mut self,
        store: &str,
        rows: &[AggregateRow],
        now_ms: i64,
    ) -> Result<u64> {
        let wanted = peer_rows_as_stored(rows);
        let stored: BTreeMap<(i64, String), PeerCounts> = self
            .query(
                "SELECT location, month, promoters, passives, detractors, rated, rating_sum
                 FROM peer_aggregates WHERE store_id = $1 AND store = $2",
                vec![p(store.to_owned())],
            )?
            .iter()
            .map(|r| {
                Ok((
                    (get(r, 0)?, get(r, 1)?),
                    (get(r, 2)?, get(r, 3)?, get(r, 4)?, get(r, 5)?, get(r, 6)?),
                ))
            })
            .collect::<Result<_>>()?;
        if stored == wanted {
            return Ok(rows.len() as u64);
        }
        self.execute(
            "DELETE FROM peer_aggregates WHERE store_id = $1 AND store = $2",
            vec![p(store.to_owned())],
        )?;
        if !wanted.is_empty() {
            // The summed rows in one statement (a repeated pair is one row already).
            let mut locations: Vec<i64> = Vec::with_capacity(wanted.len());
            let mut months: Vec<String> = Vec::with_capacity(wanted.len());
            // Promoters, passives, detractors, rated.
            let mut counts: [Vec<i64>; 4] = Default::default();
            let mut sums: Vec<f64> = Vec::with_capacity(wanted.len());
            for ((location, month), c) in wanted {
                locations.push(location);
                months.push(month);
                for (column, v) in counts.iter_mut().zip([c.0, c.1, c.2, c.3]) {
                    column.push(v);
                }
                sums.push(c.4);
            }
            let [promoters, passives, detractors, rated] = counts;
            self.execute(
                "INSERT INTO peer_aggregates (store_id, store, location, month, promoters,
                   passives, detractors, rated, rating_sum, imported_at)
                 SELECT $1, $2, u.*, $10
                 FROM unnest($3::bigint[], $4::text[], $5::bigint[], $6::bigint[],
                             $7::bigint[], $8::bigint[], $9::double precision[]) AS u",
                vec![
                    p(store.to_owned()),
                    p(locations),
                    p(months),
                    p(promoters),
                    p(passives),
                    p(detractors),
                    p(rated),
                    p(sums),
                    p(now_ms),
                ],
            )?;
        }
        Ok(rows.len() as u64)
    }

    fn peer_counts(
        &mut self,
        first: Option<&str>,
        last: Option<&str>,
    ) -> Result<Vec<(String, NpsCounts)>> {
        let rows = self.query(
            "SELECT store, sum(promoters)::bigint, sum(passives)::bigint,
                    sum(detractors)::bigint
             FROM peer_aggregates
             WHERE store_id = $1 AND ($2::text IS NULL OR month >= $2::text)
               AND ($3::text IS NULL OR month <= $3::text)
             GROUP BY store ORDER BY store COLLATE \"C\"",
            vec![p(first.map(str::to_owned)), p(last.map(str::to_owned))],
        )?;
        rows.iter()
            .map(|r| {
                Ok((
                    get(r, 0)?,
                    NpsCounts {
                        promoters: get::<i64>(r, 1)?.unsigned_abs(),
                        passives: get::<i64>(r, 2)?.unsigned_abs(),
                        detractors: get::<i64>(r, 3)?.unsigned_abs(),
                    },
                ))
            })
            .collect()
    }

    fn location_days(&mut self) -> Result<Vec<(i64, i64, Totals)>> {
        let rows = self.query(
            "SELECT location_id, day, responses, promoters, passives, detractors, rated,
                    rating_units
             FROM rollups_daily WHERE store_id = $1 AND employee_id = 0
             ORDER BY location_id, day",
            vec![],
        )?;
        rows.iter()
            .map(|r| Ok((get(r, 0)?, get(r, 1)?, totals_at(r, 2)?)))
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::super::testkit::{fixture, sqlite_location_and_customer};
    use crate::model::{
        AggregateRow, FeedbackQuery, FeedbackSort, Gender, NotifyLevel, ResponseSource, Sentiment,
        Subscription, User, UserRole,
    };
    use crate::rules::score::NpsCategory;
    use crate::store::responses::ResponseRow;
    use crate::store::{AnalyticsStore, ResponseStore, UserStore};

    fn response(nps: Option<u8>, rating: Option<(u32, u32)>, facets: &str) -> ResponseRow {
        ResponseRow {
            source: if nps.is_some() { "receipt" } else { "ereceipt" },
            invitation: None,
            location: 1,
            customer: Some(1),
            transaction: None,
            nps,
            rating,
            score_base10: nps.map(f64::from),
            unhappy: nps.is_some_and(|n| n <= 4),
            sentiment: if nps.is_some_and(|n| n >= 9) {
                "positive"
            } else {
                "negative"
            },
            facets_json: facets.into(),
            comment: None,
            answers_json: "{}".into(),
            consent_to_reply: false,
            review_link_shown: nps.is_some_and(|n| n >= 9),
            completed: true,
        }
    }

    fn peer(location: u32, month: &str, promoters: u64) -> AggregateRow {
        AggregateRow {
            location,
            month: month.into(),
            promoters,
            passives: 1,
            detractors: 2,
            rated: 1,
            rating_sum_base10: 7.5,
        }
    }

    fn scenario<T>(t: &mut T) -> Vec<String>
    where
        T: AnalyticsStore + ResponseStore + UserStore + ?Sized,
    {
        let mut seen = Vec::new();
        let day = 86_400_000;
        let mut ids = Vec::new();
        for (i, (nps, rating, facets)) in [
            (Some(10), None, "[\"staff\",\"price\"]"),
            (Some(3), Some((1, 5)), "[\"price\"]"),
            (None, Some((4, 5)), "[]"),
            (Some(8), Some((3, 4)), "[\"staff\"]"),
            (Some(9), None, "[]"),
        ]
        .into_iter()
        .enumerate()
        {
            let at = i64::try_from(i).unwrap() * day + 1_000;
            ids.push(
                t.insert_response(&response(nps, rating, facets), at)
                    .unwrap(),
            );
        }
        t.mark_review(ids[0], false, 10).unwrap();
        t.mark_review(ids[4], true, 10).unwrap();
        for range in [(0, 10 * day), (day, 3 * day), (20 * day, 30 * day)] {
            seen.push(format!("{:?}", t.raw_totals(1, None, range).unwrap()));
            let mut points = t.raw_points(1, None, range).unwrap();
            points.sort_by_key(|p| p.0);
            seen.push(format!("{points:?}"));
            seen.push(format!("{:?}", t.review_funnel(1, None, range).unwrap()));
            seen.push(format!(
                "{:?}",
                t.delivered_answered(1, None, range).unwrap()
            ));
            seen.push(format!("{:?}", t.raw_employees(1, range).unwrap()));
        }
        let mut days = t.location_days().unwrap();
        days.sort_by_key(|d| (d.0, d.1));
        seen.push(format!("{days:?}"));

        let scope = format!("[[1, 0, {}], [2, 0, {}]]", 10 * day, 10 * day);
        let narrow = format!("[[1, {}, {}]]", day, 4 * day);
        for (scope, q) in [
            (scope.as_str(), FeedbackQuery::default()),
            (
                scope.as_str(),
                FeedbackQuery {
                    sort: FeedbackSort::Lowest,
                    limit: 2,
                    offset: 1,
                    ..FeedbackQuery::default()
                },
            ),
            (
                scope.as_str(),
                FeedbackQuery {
                    sort: FeedbackSort::Highest,
                    ..FeedbackQuery::default()
                },
            ),
            (
                narrow.as_str(),
                FeedbackQuery {
                    sort: FeedbackSort::Oldest,
                    facet: Some("price".into()),
                    ..FeedbackQuery::default()
                },
            ),
            (
                scope.as_str(),
                FeedbackQuery {
                    category: Some(NpsCategory::Promoter),
                    sentiment: Some(Sentiment::Positive),
                    source: Some(ResponseSource::Receipt),
                    ..FeedbackQuery::default()
                },
            ),
            ("[]", FeedbackQuery::default()),
        ] {
            seen.push(format!("{:?}", t.feedback_page(scope, None, &q).unwrap()));
        }

        seen.push(format!("{:?}", t.customer_card("cust-1").unwrap()));
        seen.push(format!("{:?}", t.customer_card("nobody").unwrap()));
        for allowed in [None, Some("[1]"), Some("[2]"), Some("[]")] {
            seen.push(format!("{:?}", t.customer_responses(1, allowed).unwrap()));
            seen.push(format!("{:?}", t.customer_invitations(1, allowed).unwrap()));
            seen.push(format!(
                "{:?}",
                t.unsubscribes((0, 10_000), allowed).unwrap()
            ));
        }
        for (g, c, s, allowed, range) in [
            (None, None, None, None, (0, 10)),
            (
                None,
                Some(NpsCategory::Promoter),
                None,
                Some("[1]"),
                (0, 10),
            ),
            (None, Some(NpsCategory::Detractor), None, None, (0, 10)),
            (Some(Gender::Female), None, None, None, (0, 10)),
            (None, None, Some(Subscription::Unsubscribed), None, (0, 10)),
            (None, None, Some(Subscription::Subscribed), None, (0, 10)),
            (None, None, None, None, (1, 10)),
        ] {
            seen.push(format!(
                "{:?}",
                t.customers_page(g, c, s, allowed, range).unwrap()
            ));
        }

        t.upsert_user(
            &User {
                id: "boss".into(),
                name: "Boss".into(),
                email: "boss@example.com".into(),
                role: UserRole::Owner,
                locations: vec![],
                language: None,
                notify: NotifyLevel::None,
                notify_locations: vec![],
            },
            &[2, 1],
            &[],
        )
        .unwrap();
        seen.push(format!("{:?}", t.user_access("boss").unwrap()));
        seen.push(format!("{:?}", t.user_access("nobody").unwrap()));
        seen.push(format!("{:?}", t.employee_rowid("e-1").unwrap()));
        seen.push(format!("{:?}", t.employees_by_rowid().unwrap()));

        let rows = [
            peer(1, "2026-01", 3),
            peer(1, "2026-01", 2),
            peer(2, "2026-02", 1),
        ];
        seen.push(format!(
            "{}",
            t.replace_peer_rows("other", &rows, 100).unwrap()
        ));
        seen.push(format!(
            "{}",
            t.replace_peer_rows("other", &rows, 200).unwrap()
        ));
        seen.push(format!(
            "{}",
            t.replace_peer_rows("Another", &rows[2..], 300).unwrap()
        ));
        for (first, last) in [
            (None, None),
            (Some("2026-02"), None),
            (None, Some("2026-01")),
        ] {
            seen.push(format!("{:?}", t.peer_counts(first, last).unwrap()));
        }
        seen.push(format!(
            "{}",
            t.replace_peer_rows("other", &[], 400).unwrap()
        ));
        seen.push(format!("{:?}", t.peer_counts(None, None).unwrap()));
        seen
    }

    #[test]
    fn analytics_match_sqlite() {
        let Some(f) = fixture("pg_analytics") else {
            return;
        };
        f.admin_sql(
            "INSERT INTO locations (store_id, id, host_id, name, time_zone, enabled)
             VALUES ($1, 2, 'loc-2', 'Annexe', 'America/New_York', 1)",
        );
        f.admin_sql("UPDATE customers SET gender = 'female' WHERE store_id = $1");
        f.admin_sql(
            "INSERT INTO suppressions (store_id, kind, value, created_at, source)
             VALUES ($1, 'email', 'ada@example.com', 500, 'link'),
                    ($1, 'phone', '+33600000000', 700, 'host')",
        );
        let pg = f.write(|t| Ok(scenario(t))).unwrap();
        let mut lite = crate::store::sqlite::Store::open_in_memory().unwrap();
        let expected = lite
            .write(|c| {
                sqlite_location_and_customer(c)?;
                c.upsert_location(&crate::model::Location {
                    id: "loc-2".into(),
                    name: "Annexe".into(),
                    time_zone: "America/New_York".into(),
                    enabled: true,
                    review_link: None,
                    business_type: None,
                })?;
                let mut row = c.find_customer("cust-1")?.unwrap().row;
                row.gender = Some(Gender::Female);
                c.update_customer(1, &row, 0)?;
                c.suppress("email", "ada@example.com", 500, "link")?;
                c.suppress("phone", "+33600000000", 700, "host")?;
                Ok(scenario(c))
            })
            .unwrap();
        assert_eq!(pg.len(), expected.len());
        for (i, (a, b)) in pg.iter().zip(&expected).enumerate() {
            assert_eq!(a, b, "line {i}");
        }
    }

    #[test]
    fn employees_and_invitations() {
        let Some(f) = fixture("pg_analytics_emp") else {
            return;
        };
        f.admin_sql(
            "INSERT INTO employees (store_id, id, host_id, name, role) VALUES
               ($1, 1, 'e-1', 'Zoe', 'salesperson'), ($1, 2, 'e-2', NULL, 'bogus')",
        );
        f.admin_sql(
            "INSERT INTO transactions (store_id, id, host_id, location_id, customer_id, kind,
               amount_minor, currency, excluded, first_seen_on)
             VALUES ($1, 1, 's-1', 1, 1, 'sale', 100, 'EUR', 0, '2026-01-01'),
                    ($1, 2, 's-2', 1, 1, 'sale', 100, 'EUR', 0, '2026-01-02')",
        );
        f.admin_sql(
            "INSERT INTO transaction_employees (store_id, transaction_id, employee_id) VALUES
               ($1, 1, 2), ($1, 1, 1), ($1, 2, 1)",
        );
        f.admin_sql(
            "INSERT INTO invitations (store_id, id, customer_id, transaction_id, location_id,
               trigger, channel, language, business_date, status, due_at, created_at,
               delivered_at)
             VALUES ($1, 1, 1, 1, 1, 'transaction', 'email', 'fr', '2026-01-02', 'delivered',
                     0, 0, 100),
                    ($1, 2, 1, 2, 1, 'transaction', 'sms', 'fr', '2026-01-01', 'delivered',
                     0, 0, 200)",
        );
        f.write(|t| {
            assert_eq!(t.employee_rowid("e-1")?, Some(1));
            let e = t.employees_by_rowid()?;
            assert_eq!(e.len(), 2);
            assert_eq!(e[&2].name, None);
            assert!(e[&2].role.is_none());
            assert!(e[&1].role.is_some());
            let r = ResponseRow {
                invitation: Some(1),
                transaction: Some(1),
                source: "invitation",
                ..response(Some(10), Some((5, 5)), "[]")
            };
            let id = t.insert_response(&r, 1_000)?;
            let all = (0, 10_000);
            assert_eq!(t.delivered_answered(1, None, all)?, (2, 1));
            assert_eq!(t.delivered_answered(1, Some(2), all)?, (1, 1));
            assert_eq!(t.delivered_answered(1, Some(1), (150, 10_000))?, (1, 0));
            assert_eq!(t.raw_totals(1, Some(1), all)?.responses, 1);
            assert_eq!(t.raw_totals(1, Some(3), all)?.responses, 0);
            assert_eq!(t.raw_totals(1, Some(1), all)?.rating_units, 25_200);
            assert_eq!(t.raw_points(1, Some(2), all)?.len(), 1);
            assert_eq!(t.review_funnel(1, Some(1), all)?, [1, 1, 1, 0, 0]);
            let per: Vec<(i64, i64)> = t
                .raw_employees(1, all)?
                .iter()
                .map(|(e, x)| (*e, x.promoters))
                .collect();
            assert_eq!(per, vec![(1, 1), (2, 1)]);
            let (n, page) =
                t.feedback_page("[[1, 0, 10000]]", Some(2), &FeedbackQuery::default())?;
            assert_eq!(n, 1);
            assert_eq!(page[0].response_id, id);
            assert_eq!(page[0].employees, vec!["e-1".to_owned(), "e-2".to_owned()]);
            assert_eq!(page[0].transaction.as_deref(), Some("s-1"));
            let (n, _) = t.feedback_page("[[1, 0, 10000]]", Some(3), &FeedbackQuery::default())?;
            assert_eq!(n, 0);
            let inv = t.customer_invitations(1, None)?;
            assert_eq!(
                inv.iter()
                    .map(|i| (i.invitation_id, i.answered, i.transaction.clone()))
                    .collect::<Vec<_>>(),
                vec![
                    (2, false, Some("s-2".into())),
                    (1, true, Some("s-1".into()))
                ]
            );
            assert!(t.customer_invitations(1, Some("[2]"))?.is_empty());
            // Bought at location 1: found with it allowed, not with another.
            assert_eq!(
                t.customers_page(None, None, None, Some("[1]"), (0, 10))?.0,
                1
            );
            assert_eq!(
                t.customers_page(None, None, None, Some("[2]"), (0, 10))?.0,
                0
            );
            Ok(())
        })
        .unwrap();
    }
}
