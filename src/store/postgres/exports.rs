//! Reads for the feedback exports (X1, X2) on PostgreSQL (mirrors
//! `store/sqlite/exports.rs`). Thread comments are read a page at a time (keyset on
//! `(created_at, id)`), so an export of a large store holds one page, as SQLite's cursor.

use crate::error::Result;
use crate::export::{CommentRecord, EmployeeScores, ExportQuery, ScoredResponse};
use crate::hosted::{Param, Row, p};
use crate::rules::score::NpsCounts;

use super::{PgTx, get};

/// Comments read per statement.
const PAGE: i64 = 1_000;

/// Responses of the query's location and period (the conversation's start): `$2` the
/// location's host id, `[$3, $4)` the period.
const SCOPE: &str = "($2::text IS NULL OR l.host_id = $2::text)
    AND ($3::bigint IS NULL OR r.created_at >= $3::bigint)
    AND ($4::bigint IS NULL OR r.created_at < $4::bigint)";

fn scope(q: &ExportQuery) -> Vec<Param> {
    vec![
        p(q.location.clone()),
        p(q.from.map(|t| t.timestamp_millis())),
        p(q.to.map(|t| t.timestamp_millis())),
    ]
}

fn count(r: &Row, i: usize) -> Result<u64> {
    Ok(get::<i64>(r, i)?.unsigned_abs())
}

impl crate::store::ExportStore for PgTx<'_> {
    fn for_each_thread_comment(
        &mut self,
        q: &ExportQuery,
        f: &mut dyn FnMut(CommentRecord) -> Result<()>,
    ) -> Result<()> {
        let mut after: Option<(i64, i64)> = None;
        loop {
            let mut params = scope(q);
            params.push(p(after.map(|a| a.0)));
            params.push(p(after.map(|a| a.1)));
            params.push(p(PAGE));
            let rows = self.query(
                &format!(
                    "SELECT tc.created_at, tc.response_id, tc.id, t.host_id, c.host_id, c.name,
                            c.reference, coalesce(i.channel, r.source), l.name, tc.author,
                            r.sentiment, r.facets, tc.body
                     FROM thread_comments tc
                     JOIN responses r ON r.store_id = tc.store_id AND r.id = tc.response_id
                     JOIN locations l ON l.store_id = r.store_id AND l.id = r.location_id
                     LEFT JOIN transactions t
                       ON t.store_id = r.store_id AND t.id = r.transaction_id
                     LEFT JOIN customers c ON c.store_id = r.store_id AND c.id = r.customer_id
                     LEFT JOIN invitations i
                       ON i.store_id = r.store_id AND i.id = r.invitation_id
                     WHERE tc.store_id = $1 AND {SCOPE}
                       AND ($5::bigint IS NULL OR (tc.created_at, tc.id) > ($5::bigint, $6::bigint))
                     ORDER BY tc.created_at, tc.id
                     LIMIT $7"
                ),
                params,
            )?;
            let full = i64::try_from(rows.len()).unwrap_or(i64::MAX) >= PAGE;
            for r in &rows {
                let record = CommentRecord {
                    at_ms: get(r, 0)?,
                    conversation: get(r, 1)?,
                    comment: get(r, 2)?,
                    transaction: get(r, 3)?,
                    customer: get(r, 4)?,
                    customer_name: get(r, 5)?,
                    customer_reference: get(r, 6)?,
                    channel: get(r, 7)?,
                    location: get(r, 8)?,
                    author: get(r, 9)?,
                    sentiment: get(r, 10)?,
                    facets_json: get(r, 11)?,
                    body: get(r, 12)?,
                };
                after = Some((record.at_ms, record.comment));
                f(record)?;
            }
            if !full {
                return Ok(());
            }
        }
    }

    fn employee_scores(&mut self, q: &ExportQuery) -> Result<Vec<EmployeeScores>> {
        let rows = self.query(
            &format!(
                "SELECT e.host_id, e.name, e.role, count(*),
                        count(*) FILTER (WHERE r.nps >= 9),
                        count(*) FILTER (WHERE r.nps BETWEEN 7 AND 8),
                        count(*) FILTER (WHERE r.nps <= 6),
                        avg(r.rating::double precision * 10.0 / r.rating_scale::double precision)
                 FROM responses r
                 JOIN locations l ON l.store_id = r.store_id AND l.id = r.location_id
                 JOIN transaction_employees te
                   ON te.store_id = r.store_id AND te.transaction_id = r.transaction_id
                 JOIN employees e ON e.store_id = te.store_id AND e.id = te.employee_id
                 WHERE r.store_id = $1 AND {SCOPE}
                 GROUP BY e.store_id, e.id
                 ORDER BY e.name COLLATE \"C\" NULLS FIRST, e.host_id COLLATE \"C\""
            ),
            scope(q),
        )?;
        rows.iter()
            .map(|r| {
                Ok(EmployeeScores {
                    id: get(r, 0)?,
                    name: get(r, 1)?,
                    role: get(r, 2)?,
                    responses: count(r, 3)?,
                    nps: NpsCounts {
                        promoters: count(r, 4)?,
                        passives: count(r, 5)?,
                        detractors: count(r, 6)?,
                    },
                    rating_average: get(r, 7)?,
                })
            })
            .collect()
    }

    fn scored_responses(&mut self, q: &ExportQuery) -> Result<Vec<ScoredResponse>> {
        let rows = self.query(
            &format!(
                "SELECT l.time_zone, r.created_at, r.nps,
                        r.rating::double precision * 10.0 / r.rating_scale::double precision
                 FROM responses r
                 JOIN locations l ON l.store_id = r.store_id AND l.id = r.location_id
                 WHERE r.store_id = $1 AND {SCOPE}
                 ORDER BY r.created_at, r.id"
            ),
            scope(q),
        )?;
        rows.iter()
            .map(|r| {
                Ok(ScoredResponse {
                    time_zone: get(r, 0)?,
                    at_ms: get(r, 1)?,
                    nps: get::<Option<i64>>(r, 2)?.and_then(|v| u8::try_from(v).ok()),
                    rating_base10: get(r, 3)?,
                })
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use chrono::{DateTime, Utc};

    use super::super::testkit::{fixture, sqlite_location_and_customer};
    use crate::export::ExportQuery;
    use crate::model::{Author, CommentKind};
    use crate::store::alerts::NewComment;
    use crate::store::responses::ResponseRow;
    use crate::store::{AlertStore, ExportStore, ResponseStore};

    /// An employee's host id, name, responses, promoters, detractors, rating average.
    type Scored = (String, Option<String>, u64, u64, u64, Option<f64>);

    fn response(nps: Option<u8>, rating: Option<(u32, u32)>, comment: Option<&str>) -> ResponseRow {
        ResponseRow {
            source: "receipt",
            invitation: None,
            location: 1,
            customer: Some(1),
            transaction: None,
            nps,
            rating,
            score_base10: None,
            unhappy: false,
            sentiment: "positive",
            facets_json: "[\"staff\"]".into(),
            comment: comment.map(str::to_owned),
            answers_json: "{}".into(),
            consent_to_reply: true,
            review_link_shown: false,
            completed: true,
        }
    }

    fn query(location: Option<&str>, from: Option<i64>, to: Option<i64>) -> ExportQuery {
        let at = |ms: i64| DateTime::<Utc>::from_timestamp_millis(ms).unwrap();
        ExportQuery {
            location: location.map(str::to_owned),
            from: from.map(at),
            to: to.map(at),
        }
    }

    fn scenario<T: ExportStore + ResponseStore + AlertStore + ?Sized>(t: &mut T) -> Vec<String> {
        let mut seen = Vec::new();
        let a = t
            .insert_response(&response(Some(9), None, Some("nice")), 1_000)
            .unwrap();
        let b = t
            .insert_response(&response(None, Some((3, 5)), Some("meh")), 2_000)
            .unwrap();
        t.insert_response(&response(Some(2), Some((1, 4)), None), 3_000)
            .unwrap();
        t.insert_comment(
            &NewComment {
                response: a,
                author: Author::Business,
                kind: CommentKind::Reply,
                body: "thanks",
                coupon_code: None,
                amount_minor: None,
                currency: None,
                user: None,
            },
            1_500,
        )
        .unwrap();
        t.insert_comment(
            &NewComment {
                response: b,
                author: Author::Business,
                kind: CommentKind::Reply,
                body: "same instant",
                coupon_code: None,
                amount_minor: None,
                currency: None,
                user: None,
            },
            2_000,
        )
        .unwrap();
        for q in [
            query(None, None, None),
            query(Some("loc-1"), Some(1_500), None),
            query(None, None, Some(2_000)),
            query(Some("elsewhere"), None, None),
        ] {
            let mut comments = Vec::new();
            t.for_each_thread_comment(&q, &mut |c| {
                comments.push(c);
                Ok(())
            })
            .unwrap();
            seen.push(format!("{comments:?}"));
            seen.push(format!("{:?}", t.scored_responses(&q).unwrap()));
            seen.push(format!("{:?}", t.employee_scores(&q).unwrap()));
        }
        seen
    }

    #[test]
    fn exports_match_sqlite() {
        let Some(f) = fixture("pg_exports") else {
            return;
        };
        let pg = f.write(|t| Ok(scenario(t))).unwrap();
        let mut lite = crate::store::sqlite::Store::open_in_memory().unwrap();
        let expected = lite
            .write(|c| {
                sqlite_location_and_customer(c)?;
                Ok(scenario(c))
            })
            .unwrap();
        assert_eq!(pg, expected);
    }

    #[test]
    fn employee_scores_and_comment_pages() {
        let Some(f) = fixture("pg_exports_emp") else {
            return;
        };
        f.admin_sql(
            "INSERT INTO employees (store_id, id, host_id, name, role) VALUES
               ($1, 1, 'e-b', 'Zoe', 'salesperson'), ($1, 2, 'e-a', NULL, 'driver'),
               ($1, 3, 'e-c', 'Al', 'technician'), ($1, 4, 'e-idle', 'Idle', 'salesperson')",
        );
        f.admin_sql(
            "INSERT INTO transactions (store_id, id, host_id, location_id, customer_id, kind,
               amount_minor, currency, excluded, first_seen_on)
             VALUES ($1, 1, 's-1', 1, 1, 'sale', 100, 'EUR', 0, '2026-01-01'),
                    ($1, 2, 's-2', 1, 1, 'sale', 100, 'EUR', 0, '2026-01-01')",
        );
        f.admin_sql(
            "INSERT INTO transaction_employees (store_id, transaction_id, employee_id) VALUES
               ($1, 1, 1), ($1, 1, 2), ($1, 2, 1), ($1, 2, 3)",
        );
        f.write(|t| {
            let one = ResponseRow {
                transaction: Some(1),
                ..response(Some(10), Some((4, 5)), Some("first"))
            };
            let r1 = t.insert_response(&one, 1_000)?;
            let two = ResponseRow {
                transaction: Some(2),
                ..response(Some(5), Some((2, 5)), None)
            };
            t.insert_response(&two, 2_000)?;
            let scores = t.employee_scores(&query(None, None, None))?;
            let got: Vec<Scored> = scores
                .iter()
                .map(|s| {
                    (
                        s.id.clone(),
                        s.name.clone(),
                        s.responses,
                        s.nps.promoters,
                        s.nps.detractors,
                        s.rating_average,
                    )
                })
                .collect();
            assert_eq!(
                got,
                vec![
                    ("e-a".into(), None, 1, 1, 0, Some(8.0)),
                    ("e-c".into(), Some("Al".into()), 1, 0, 1, Some(4.0)),
                    ("e-b".into(), Some("Zoe".into()), 2, 1, 1, Some(6.0)),
                ]
            );
            let late = t.employee_scores(&query(Some("loc-1"), Some(1_500), None))?;
            assert_eq!(
                late.iter().map(|s| s.id.as_str()).collect::<Vec<_>>(),
                vec!["e-c", "e-b"]
            );
            // More comments than a page, all at one instant: each once, in id order.
            t.execute(
                "INSERT INTO thread_comments (store_id, id, response_id, author, kind, body,
                   created_at)
                 SELECT $1, 100 + g, $2, 'business', 'reply', 'n' || g, 5000
                 FROM generate_series(1, 2500) AS g",
                vec![crate::hosted::p(r1)],
            )?;
            let mut ids = Vec::new();
            t.for_each_thread_comment(&query(None, None, None), &mut |c| {
                ids.push(c.comment);
                Ok(())
            })?;
            assert_eq!(ids.len(), 2501);
            assert_eq!(ids[0], 1);
            assert!(ids[1..].iter().copied().eq(101..=2600));
            assert_eq!(
                t.scored_responses(&query(None, None, None))?
                    .iter()
                    .map(|s| (s.at_ms, s.nps, s.rating_base10))
                    .collect::<Vec<_>>(),
                vec![(1_000, Some(10), Some(8.0)), (2_000, Some(5), Some(4.0))]
            );
            Ok(())
        })
        .unwrap();
    }
}
