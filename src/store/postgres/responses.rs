//! The responses area on PostgreSQL (mirrors `store/sqlite/responses.rs`). A response's
//! id comes from the store's counter `responses`, which never goes back, so a deleted
//! response's id (kept by its audit record and its alert, F3) is never reused, as SQLite's
//! `1 + max(responses, response_deletions)`.

use chrono::DateTime;

use crate::error::{Error, Result};
use crate::hosted::{Row, p};
use crate::model::{ResponseDeletion, ScoreQuery, Survey};
use crate::rules::score::NpsCounts;
use crate::rules::token::TokenKey;
use crate::store::responses::{
    LocationInfo, ReceiptLinkRow, ReminderCandidate, ResponseRow, SurveyLink,
};

use super::conv::{flag, get_flag};
use super::{PgTx, get};

/// The scope of a score query: `$2` location host id, `[$3, $4)` on `column`.
fn scope_sql(column: &str) -> String {
    format!(
        "($2::text IS NULL OR l.host_id = $2::text)
         AND ($3::bigint IS NULL OR {column} >= $3::bigint)
         AND ($4::bigint IS NULL OR {column} < $4::bigint)"
    )
}

fn scope_params(q: &ScoreQuery) -> Vec<crate::hosted::Param> {
    vec![
        p(q.location.clone()),
        p(q.from.map(|t| t.timestamp_millis())),
        p(q.to.map(|t| t.timestamp_millis())),
    ]
}

fn count(r: &Row, i: usize) -> Result<u64> {
    Ok(get::<i64>(r, i)?.unsigned_abs())
}

fn opt_u8(r: &Row, i: usize) -> Result<Option<u8>> {
    Ok(get::<Option<i64>>(r, i)?.and_then(|v| u8::try_from(v).ok()))
}

/// Counts (`sign` 1) or uncounts (−1) a stored response in the daily rollups (N2), in
/// the response's own transaction: the rollups area's, as SQLite's `rollups::count_response`.
pub(super) fn count_response(t: &mut PgTx<'_>, response: i64, sign: i64) -> Result<()> {
    super::rollups::count_responses(t, &[response], sign)
}

/// A response's non-empty comment opens its conversation (F2).
pub(super) fn open_conversation(
    t: &mut PgTx<'_>,
    response: i64,
    comment: Option<&str>,
    now_ms: i64,
) -> Result<()> {
    if let Some(text) = comment.filter(|t| !t.is_empty()) {
        let id = t.next_ids("thread_comments", 1)?;
        t.execute(
            "INSERT INTO thread_comments (store_id, id, response_id, author, kind, body,
               created_at)
             VALUES ($1, $2, $3, 'customer', 'comment', $4, $5)",
            vec![p(id), p(response), p(text.to_owned()), p(now_ms)],
        )?;
    }
    Ok(())
}

impl crate::store::ResponseStore for PgTx<'_> {
    fn get_survey(&mut self) -> Result<Option<Survey>> {
        let row = self.query_opt(
            "SELECT json FROM survey WHERE store_id = $1 AND id = 1",
            vec![],
        )?;
        row.map(|r| {
            serde_json::from_str(&get::<String>(&r, 0)?)
                .map_err(|_| Error::Internal("stored survey is unreadable".into()))
        })
        .transpose()
    }

    fn set_survey(&mut self, s: &Survey) -> Result<()> {
        self.execute(
            "INSERT INTO survey (store_id, id, json) VALUES ($1, 1, $2)
             ON CONFLICT (store_id, id) DO UPDATE SET json = excluded.json",
            vec![p(crate::wire::to_json(s))],
        )?;
        Ok(())
    }

    fn feedback_enabled(&mut self, location: i64) -> Result<bool> {
        let row = self.query_opt(
            "SELECT enabled FROM location_feedback WHERE store_id = $1 AND location_id = $2",
            vec![p(location)],
        )?;
        row.map_or(Ok(true), |r| get_flag(&r, 0))
    }

    fn set_feedback_enabled(&mut self, location: i64, enabled: bool) -> Result<()> {
        if enabled {
            self.execute(
                "DELETE FROM location_feedback WHERE store_id = $1 AND location_id = $2",
                vec![p(location)],
            )?;
            return Ok(());
        }
        self.execute(
            "INSERT INTO location_feedback (store_id, location_id, enabled) VALUES ($1, $2, $3)
             ON CONFLICT (store_id, location_id) DO UPDATE SET enabled = excluded.enabled",
            vec![p(location), p(flag(enabled))],
        )?;
        Ok(())
    }

    fn survey_link(&mut self, hash: &TokenKey) -> Result<Option<SurveyLink>> {
        let row = self.query_opt(
            "SELECT i.id, i.customer_id, i.transaction_id, i.location_id, i.language,
                    k.expires_at, k.used_at
             FROM link_tokens k
             JOIN invitations i ON i.store_id = k.store_id AND i.id = k.invitation_id
             WHERE k.store_id = $1 AND k.hash = $2 AND k.kind = 'survey'",
            vec![p(hash[..].to_vec())],
        )?;
        row.map(|r| {
            Ok(SurveyLink {
                invitation: get(&r, 0)?,
                customer: get(&r, 1)?,
                transaction: get(&r, 2)?,
                location: get(&r, 3)?,
                language: get(&r, 4)?,
                expires_at: get(&r, 5)?,
                used_at: get(&r, 6)?,
            })
        })
        .transpose()
    }

    fn mark_survey_link_used(&mut self, hash: &TokenKey, now_ms: i64) -> Result<()> {
        self.execute(
            "UPDATE link_tokens SET used_at = $3 WHERE store_id = $1 AND hash = $2",
            vec![p(hash[..].to_vec()), p(now_ms)],
        )?;
        Ok(())
    }

    fn receipt_link(&mut self, hash: &TokenKey) -> Result<Option<ReceiptLinkRow>> {
        let row = self.query_opt(
            "SELECT location_id, transaction_id, expires_at, used_at FROM receipt_links
             WHERE store_id = $1 AND hash = $2",
            vec![p(hash[..].to_vec())],
        )?;
        row.map(|r| {
            Ok(ReceiptLinkRow {
                location: get(&r, 0)?,
                transaction: get(&r, 1)?,
                expires_at: get(&r, 2)?,
                used_at: get(&r, 3)?,
            })
        })
        .transpose()
    }

    fn insert_receipt_link(
        &mut self,
        hash: &TokenKey,
        location: i64,
        transaction: Option<i64>,
        now_ms: i64,
        expires_ms: i64,
    ) -> Result<()> {
        self.execute(
            "INSERT INTO receipt_links
               (store_id, hash, location_id, transaction_id, created_at, expires_at)
             VALUES ($1, $2, $3, $4, $5, $6)",
            vec![
                p(hash[..].to_vec()),
                p(location),
                p(transaction),
                p(now_ms),
                p(expires_ms),
            ],
        )?;
        Ok(())
    }

    fn mark_receipt_link_used(&mut self, hash: &TokenKey, now_ms: i64) -> Result<()> {
        self.execute(
            "UPDATE receipt_links SET used_at = $3 WHERE store_id = $1 AND hash = $2",
            vec![p(hash[..].to_vec()), p(now_ms)],
        )?;
        Ok(())
    }

    fn insert_response(&mut self, r: &ResponseRow, now_ms: i64) -> Result<i64> {
        let id = self.next_ids("responses", 1)?;
        self.execute(
            "INSERT INTO responses (store_id, id, source, invitation_id, location_id,
               customer_id, transaction_id, nps, rating, rating_scale, score_base10, unhappy,
               sentiment, facets, comment, answers, consent_to_reply, review_link_shown,
               created_at, completed_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16,
               $17, $18, $19, $20)",
            vec![
                p(id),
                p(r.source.to_owned()),
                p(r.invitation),
                p(r.location),
                p(r.customer),
                p(r.transaction),
                p(r.nps.map(i64::from)),
                p(r.rating.map(|(s, _)| i64::from(s))),
                p(r.rating.map(|(_, n)| i64::from(n))),
                p(r.score_base10),
                p(flag(r.unhappy)),
                p(r.sentiment.to_owned()),
                p(r.facets_json.clone()),
                p(r.comment.clone()),
                p(r.answers_json.clone()),
                p(flag(r.consent_to_reply)),
                p(flag(r.review_link_shown)),
                p(now_ms),
                p(r.completed.then_some(now_ms)),
            ],
        )?;
        count_response(self, id, 1)?;
        // The comment opens the response's conversation (F2).
        open_conversation(self, id, r.comment.as_deref(), now_ms)?;
        Ok(id)
    }

    fn delete_response(&mut self, id: i64, by: &str, now_ms: i64) -> Result<bool> {
        let n = self.execute(
            "INSERT INTO response_deletions
               (store_id, response_id, customer, responded_at, score_base10, deleted_by,
                deleted_at)
             SELECT r.store_id, r.id, c.host_id, r.created_at, r.score_base10, $3, $4
             FROM responses r
             LEFT JOIN customers c ON c.store_id = r.store_id AND c.id = r.customer_id
             WHERE r.store_id = $1 AND r.id = $2",
            vec![p(id), p(by.to_owned()), p(now_ms)],
        )?;
        count_response(self, id, -1)?;
        // The conversation goes with the response; its alert and the work done on it stay.
        for sql in [
            "DELETE FROM thread_comments WHERE store_id = $1 AND response_id = $2",
            "DELETE FROM reply_addresses WHERE store_id = $1 AND response_id = $2",
            "DELETE FROM responses WHERE store_id = $1 AND id = $2",
        ] {
            self.execute(sql, vec![p(id)])?;
        }
        Ok(n > 0)
    }

    fn deletion_audit(&mut self) -> Result<Vec<ResponseDeletion>> {
        let rows = self.query(
            "SELECT response_id, customer, responded_at, score_base10, deleted_by, deleted_at
             FROM response_deletions WHERE store_id = $1 ORDER BY deleted_at, response_id",
            vec![],
        )?;
        rows.iter()
            .map(|r| {
                Ok(ResponseDeletion {
                    response_id: get(r, 0)?,
                    customer: get(r, 1)?,
                    responded_at: DateTime::from_timestamp_millis(get(r, 2)?).unwrap_or_default(),
                    score_base10: get(r, 3)?,
                    deleted_by: get(r, 4)?,
                    deleted_at: DateTime::from_timestamp_millis(get(r, 5)?).unwrap_or_default(),
                })
            })
            .collect()
    }

    fn mark_review(&mut self, id: i64, confirmed: bool, now_ms: i64) -> Result<bool> {
        let column = if confirmed {
            "review_confirmed_at"
        } else {
            "review_clicked_at"
        };
        let n = self.execute(
            &format!(
                "UPDATE responses SET {column} = coalesce({column}, $3)
                 WHERE store_id = $1 AND id = $2"
            ),
            vec![p(id), p(now_ms)],
        )?;
        Ok(n > 0)
    }

    fn nps_counts(&mut self, q: &ScoreQuery) -> Result<NpsCounts> {
        let r = self.query_one(
            &format!(
                "SELECT count(*) FILTER (WHERE r.nps >= 9),
                        count(*) FILTER (WHERE r.nps BETWEEN 7 AND 8),
                        count(*) FILTER (WHERE r.nps <= 6)
                 FROM responses r
                 JOIN locations l ON l.store_id = r.store_id AND l.id = r.location_id
                 WHERE r.store_id = $1 AND r.nps IS NOT NULL AND {}",
                scope_sql("r.created_at")
            ),
            scope_params(q),
        )?;
        Ok(NpsCounts {
            promoters: count(&r, 0)?,
            passives: count(&r, 1)?,
            detractors: count(&r, 2)?,
        })
    }

    fn rating_figures(&mut self, q: &ScoreQuery) -> Result<(u64, Option<f64>, u64, u64)> {
        let rated = self.query_one(
            &format!(
                "SELECT count(*),
                        avg(r.rating::double precision * 10.0 / r.rating_scale::double precision)
                 FROM responses r
                 JOIN locations l ON l.store_id = r.store_id AND l.id = r.location_id
                 WHERE r.store_id = $1 AND r.rating IS NOT NULL AND {}",
                scope_sql("r.created_at")
            ),
            scope_params(q),
        )?;
        let invited = self.query_one(
            &format!(
                "SELECT count(*),
                        count(*) FILTER (WHERE EXISTS (
                          SELECT 1 FROM responses x
                          WHERE x.store_id = i.store_id AND x.invitation_id = i.id))
                 FROM invitations i
                 JOIN locations l ON l.store_id = i.store_id AND l.id = i.location_id
                 WHERE i.store_id = $1 AND i.delivered_at IS NOT NULL AND {}",
                scope_sql("i.delivered_at")
            ),
            scope_params(q),
        )?;
        Ok((
            count(&rated, 0)?,
            get(&rated, 1)?,
            count(&invited, 0)?,
            count(&invited, 1)?,
        ))
    }

    fn reminder_candidates(&mut self, cutoff_ms: i64) -> Result<Vec<ReminderCandidate>> {
        let rows = self.query(
            "SELECT i.id, i.customer_id, i.location_id, i.channel, i.language, i.delivered_at,
                    r.created_at, r.nps, r.review_confirmed_at IS NOT NULL,
                    l.review_link IS NOT NULL
             FROM invitations i
             JOIN locations l ON l.store_id = i.store_id AND l.id = i.location_id
             LEFT JOIN responses r ON r.store_id = i.store_id AND r.invitation_id = i.id
             WHERE i.store_id = $1 AND i.status = 'delivered' AND i.reminder_decided = 0
               AND i.delivered_at <= $2
             ORDER BY i.id",
            vec![p(cutoff_ms)],
        )?;
        rows.iter()
            .map(|r| {
                let answered_at: Option<i64> = get(r, 6)?;
                let nps = opt_u8(r, 7)?;
                Ok(ReminderCandidate {
                    invitation: get(r, 0)?,
                    customer: get(r, 1)?,
                    location: get(r, 2)?,
                    channel: get(r, 3)?,
                    language: get(r, 4)?,
                    delivered_at: get(r, 5)?,
                    answered: answered_at.map(|at| (at, nps)),
                    review_confirmed: get::<Option<bool>>(r, 8)?.unwrap_or(false),
                    has_review_link: get(r, 9)?,
                })
            })
            .collect()
    }

    fn mark_reminder_decided(&mut self, invitation: i64) -> Result<()> {
        self.execute(
            "UPDATE invitations SET reminder_decided = 1 WHERE store_id = $1 AND id = $2",
            vec![p(invitation)],
        )?;
        Ok(())
    }

    fn invitation_response_state(&mut self, invitation: i64) -> Result<(bool, bool)> {
        let row = self.query_opt(
            "SELECT review_confirmed_at IS NOT NULL FROM responses
             WHERE store_id = $1 AND invitation_id = $2",
            vec![p(invitation)],
        )?;
        Ok(match row {
            Some(r) => (true, get(&r, 0)?),
            None => (false, false),
        })
    }

    fn location_info(&mut self, rowid: i64) -> Result<Option<LocationInfo>> {
        let row = self.query_opt(
            "SELECT host_id, name, review_link, business_type FROM locations
             WHERE store_id = $1 AND id = $2",
            vec![p(rowid)],
        )?;
        row.map(|r| {
            Ok(LocationInfo {
                host_id: get(&r, 0)?,
                name: get(&r, 1)?,
                review_link: get(&r, 2)?,
                business_type: get(&r, 3)?,
            })
        })
        .transpose()
    }

    fn transaction_rowid(&mut self, host_id: &str) -> Result<Option<i64>> {
        let row = self.query_opt(
            "SELECT id FROM transactions WHERE store_id = $1 AND host_id = $2",
            vec![p(host_id.to_owned())],
        )?;
        row.map(|r| get(&r, 0)).transpose()
    }
}

#[cfg(test)]
mod tests {
    use chrono::{DateTime, Utc};

    use super::super::testkit::{fixture, sqlite_location_and_customer};
    use crate::model::{ScoreQuery, Survey};
    use crate::rules::token::Token;
    use crate::store::ResponseStore;
    use crate::store::responses::ResponseRow;

    fn response(nps: Option<u8>, rating: Option<(u32, u32)>, comment: Option<&str>) -> ResponseRow {
        ResponseRow {
            source: "receipt",
            invitation: None,
            location: 1,
            customer: Some(1),
            transaction: None,
            nps,
            rating,
            score_base10: nps.map(f64::from),
            unhappy: nps.is_some_and(|n| n <= 4),
            sentiment: "unknown",
            facets_json: "[]".into(),
            comment: comment.map(str::to_owned),
            answers_json: "{}".into(),
            consent_to_reply: true,
            review_link_shown: false,
            completed: true,
        }
    }

    fn query(location: Option<&str>, from: Option<i64>, to: Option<i64>) -> ScoreQuery {
        let at = |ms: i64| DateTime::<Utc>::from_timestamp_millis(ms).unwrap();
        ScoreQuery {
            location: location.map(str::to_owned),
            from: from.map(at),
            to: to.map(at),
        }
    }

    /// The same calls on SQLite and PostgreSQL (no invitation: those rows belong to
    /// another area), then what each returns.
    fn scenario(t: &mut dyn ResponseStore) -> Vec<String> {
        let mut seen = Vec::new();
        seen.push(format!("{:?}", t.get_survey().unwrap()));
        t.set_survey(&Survey { questions: vec![] }).unwrap();
        seen.push(format!("{:?}", t.get_survey().unwrap()));
        seen.push(format!("{}", t.feedback_enabled(1).unwrap()));
        t.set_feedback_enabled(1, false).unwrap();
        t.set_feedback_enabled(1, false).unwrap();
        seen.push(format!("{}", t.feedback_enabled(1).unwrap()));
        t.set_feedback_enabled(1, true).unwrap();
        seen.push(format!("{}", t.feedback_enabled(1).unwrap()));

        let hash = Token::ordered(5, [3; 16]).key();
        seen.push(format!("{:?}", t.receipt_link(&hash).unwrap()));
        t.insert_receipt_link(&hash, 1, None, 10, 1_000).unwrap();
        t.mark_receipt_link_used(&hash, 20).unwrap();
        seen.push(format!("{:?}", t.receipt_link(&hash).unwrap()));
        seen.push(format!("{:?}", t.survey_link(&hash).unwrap()));

        let a = t
            .insert_response(&response(Some(10), None, Some("great")), 1_000)
            .unwrap();
        let b = t
            .insert_response(&response(Some(3), Some((2, 5)), None), 2_000)
            .unwrap();
        let c = t
            .insert_response(&response(None, Some((4, 5)), Some("")), 3_000)
            .unwrap();
        let d = t
            .insert_response(&response(Some(8), Some((5, 5)), None), 4_000)
            .unwrap();
        seen.push(format!("{a} {b} {c} {d}"));
        for q in [
            query(None, None, None),
            query(Some("loc-1"), Some(1_500), None),
            query(Some("loc-1"), None, Some(3_500)),
            query(Some("elsewhere"), None, None),
        ] {
            seen.push(format!(
                "{:?} {:?}",
                t.nps_counts(&q).unwrap(),
                t.rating_figures(&q).unwrap()
            ));
        }
        seen.push(format!(
            "{} {} {}",
            t.mark_review(a, false, 50).unwrap(),
            t.mark_review(a, true, 60).unwrap(),
            t.mark_review(999, true, 60).unwrap()
        ));
        seen.push(format!(
            "{} {}",
            t.delete_response(b, "admin@x", 5_000).unwrap(),
            t.delete_response(999, "admin@x", 5_000).unwrap()
        ));
        // A deleted response's id is never reused (F3).
        let e = t
            .insert_response(&response(Some(9), None, None), 6_000)
            .unwrap();
        seen.push(format!("{e}"));
        seen.push(format!("{:?}", t.deletion_audit().unwrap()));
        seen.push(format!(
            "{:?}",
            t.nps_counts(&query(None, None, None)).unwrap()
        ));
        seen.push(format!("{:?}", t.location_info(1).unwrap()));
        seen.push(format!("{:?}", t.location_info(2).unwrap()));
        seen.push(format!("{:?}", t.transaction_rowid("nope").unwrap()));
        seen.push(format!("{:?}", t.reminder_candidates(i64::MAX).unwrap()));
        seen.push(format!("{:?}", t.invitation_response_state(1).unwrap()));
        seen
    }

    #[test]
    fn responses_match_sqlite() {
        let Some(f) = fixture("pg_responses") else {
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
        // The rollups and the conversation followed the responses.
        f.write(|t| {
            let rows = t.query(
                "SELECT employee_id, responses, promoters, passives, detractors, rated
                 FROM rollups_daily WHERE store_id = $1",
                vec![],
            )?;
            let got: Vec<(i64, i64, i64, i64, i64, i64)> = rows
                .iter()
                .map(|r| (r.get(0), r.get(1), r.get(2), r.get(3), r.get(4), r.get(5)))
                .collect();
            assert_eq!(got, vec![(0, 4, 2, 1, 0, 2)]);
            let comments = t.query(
                "SELECT response_id, body FROM thread_comments WHERE store_id = $1",
                vec![],
            )?;
            assert_eq!(comments.len(), 1);
            assert_eq!(comments[0].get::<_, String>(1), "great");
            Ok(())
        })
        .unwrap();
    }

    #[test]
    fn invitations_links_and_reminders() {
        let Some(f) = fixture("pg_responses_inv") else {
            return;
        };
        f.admin_sql(
            "INSERT INTO transactions (store_id, id, host_id, location_id, customer_id, kind,
               amount_minor, currency, excluded, first_seen_on)
             VALUES ($1, 7, 'sale-7', 1, 1, 'sale', 100, 'EUR', 0, '2026-01-01')",
        );
        f.admin_sql(
            "INSERT INTO invitations (store_id, id, customer_id, transaction_id, location_id,
               trigger, channel, language, business_date, status, due_at, created_at,
               delivered_at)
             VALUES ($1, 1, 1, 7, 1, 'transaction', 'email', 'fr', '2026-01-01', 'delivered',
                     0, 0, 100),
                    ($1, 2, 1, NULL, 1, 'transaction', 'sms', 'en', '2026-01-01', 'delivered',
                     0, 0, 200),
                    ($1, 3, 1, NULL, 1, 'transaction', 'sms', 'en', '2026-01-01', 'pending',
                     0, 0, NULL)",
        );
        f.write(|t| {
            assert_eq!(t.transaction_rowid("sale-7")?, Some(7));
            let key = Token::ordered(9, [1; 16]).key();
            t.execute(
                "INSERT INTO link_tokens (store_id, hash, kind, invitation_id, customer_id,
                   created_at, expires_at) VALUES ($1, $2, 'survey', 1, 1, 0, 500)",
                vec![crate::hosted::p(key[..].to_vec())],
            )?;
            let link = t.survey_link(&key)?.unwrap();
            assert_eq!(
                (
                    link.invitation,
                    link.customer,
                    link.transaction,
                    link.location
                ),
                (1, 1, Some(7), 1)
            );
            assert_eq!(
                (link.language.as_str(), link.expires_at, link.used_at),
                ("fr", Some(500), None)
            );
            t.mark_survey_link_used(&key, 42)?;
            assert_eq!(t.survey_link(&key)?.unwrap().used_at, Some(42));

            let r = ResponseRow {
                source: "invitation",
                invitation: Some(1),
                transaction: Some(7),
                ..response(Some(9), Some((5, 5)), None)
            };
            let id = t.insert_response(&r, 300)?;
            assert_eq!(t.invitation_response_state(1)?, (true, false));
            t.mark_review(id, true, 400)?;
            assert_eq!(t.invitation_response_state(1)?, (true, true));
            assert_eq!(t.invitation_response_state(2)?, (false, false));
            let (rated, avg, delivered, answered) = t.rating_figures(&query(None, None, None))?;
            assert_eq!((rated, avg, delivered, answered), (1, Some(10.0), 2, 1));
            let (.., delivered, answered) = t.rating_figures(&query(None, Some(150), None))?;
            assert_eq!((delivered, answered), (1, 0));

            let c = t.reminder_candidates(150)?;
            assert_eq!(c.len(), 1);
            assert_eq!(
                (
                    c[0].invitation,
                    c[0].answered,
                    c[0].review_confirmed,
                    c[0].has_review_link
                ),
                (1, Some((300, Some(9))), true, false)
            );
            let c = t.reminder_candidates(1_000)?;
            assert_eq!(
                c.iter().map(|c| c.invitation).collect::<Vec<_>>(),
                vec![1, 2]
            );
            assert_eq!(c[1].answered, None);
            t.mark_reminder_decided(1)?;
            let c = t.reminder_candidates(1_000)?;
            assert_eq!(c.iter().map(|c| c.invitation).collect::<Vec<_>>(), vec![2]);
            Ok(())
        })
        .unwrap();
    }
}
