//! Alerts, interactions, follow-ups, threads, reply addresses and external reviews on
//! PostgreSQL (mirrors `store/sqlite/alerts.rs`); users and assignments are in `users.rs`.

use chrono::{DateTime, Utc};

use crate::error::Result;
use crate::hosted::{Row, p};
use crate::model::{
    Alert, AlertKind, AlertStatus, AtRiskCustomer, Author, CommentKind, Interaction,
    InteractionMethod, ThreadComment,
};
use crate::rules::time::from_stored;
use crate::rules::token::TokenKey;
use crate::store::alerts::{
    AlertFilter, AlertRow, AlertStamp, FollowUpLink, NewAlert, NewComment, Overdue, ResponseContact,
};

use super::conv::{get_flag, get_opt_u32, get_u32};
use super::{PgTx, get};

fn opt_ms(v: Option<i64>) -> Option<DateTime<Utc>> {
    v.map(from_stored)
}

const ALERT_SELECT: &str = "SELECT a.id, a.kind, a.status, l.host_id, u.host_id, cu.host_id,
       a.response_id, r.score_base10, r.comment, a.detail,
       (SELECT count(*) FROM alert_interactions i
        WHERE i.store_id = $1 AND i.alert_id = a.id),
       a.created_at, a.updated_at, a.closed_at, a.escalated_at, a.follow_up_at,
       a.location_id, a.customer_id
     FROM alerts a
     JOIN locations l ON l.store_id = a.store_id AND l.id = a.location_id
     LEFT JOIN users u ON u.store_id = a.store_id AND u.id = a.user_id
     LEFT JOIN customers cu ON cu.store_id = a.store_id AND cu.id = a.customer_id
     LEFT JOIN responses r ON r.store_id = a.store_id AND r.id = a.response_id
     WHERE a.store_id = $1";

fn row_to_alert(r: &Row) -> Result<AlertRow> {
    Ok(AlertRow {
        alert: Alert {
            id: get(r, 0)?,
            kind: AlertKind::parse(&get::<String>(r, 1)?).unwrap_or(AlertKind::UnhappyCustomer),
            status: AlertStatus::parse(&get::<String>(r, 2)?).unwrap_or(AlertStatus::Open),
            location: get(r, 3)?,
            assignee: get(r, 4)?,
            customer: get(r, 5)?,
            response_id: get(r, 6)?,
            score_base10: get(r, 7)?,
            comment: get(r, 8)?,
            detail: get(r, 9)?,
            interactions: get_u32(r, 10)?,
            created_at: from_stored(get(r, 11)?),
            updated_at: from_stored(get(r, 12)?),
            closed_at: opt_ms(get(r, 13)?),
            escalated_at: opt_ms(get(r, 14)?),
            follow_up_at: opt_ms(get(r, 15)?),
        },
        location: get(r, 16)?,
        customer: get(r, 17)?,
    })
}

impl crate::store::AlertStore for PgTx<'_> {
    fn insert_alert(&mut self, a: &NewAlert<'_>, now_ms: i64) -> Result<i64> {
        let id = self.next_ids("alerts", 1)?;
        self.execute(
            "INSERT INTO alerts (store_id, id, kind, location_id, customer_id, response_id,
               user_id, status, detail, created_at, updated_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7, 'open', $8, $9, $9)",
            vec![
                p(id),
                p(a.kind.as_str().to_owned()),
                p(a.location),
                p(a.customer),
                p(a.response),
                p(a.user),
                p(a.detail.to_owned()),
                p(now_ms),
            ],
        )?;
        Ok(id)
    }

    fn get_alert(&mut self, id: i64) -> Result<Option<AlertRow>> {
        let row = self.query_opt(&format!("{ALERT_SELECT} AND a.id = $2"), vec![p(id)])?;
        row.as_ref().map(row_to_alert).transpose()
    }

    fn list_alerts(&mut self, f: &AlertFilter) -> Result<Vec<Alert>> {
        let statuses: Vec<String> = f.statuses.iter().map(|s| s.as_str().to_owned()).collect();
        let rows = self.query(
            &format!(
                "{ALERT_SELECT}
                 AND a.status = ANY($2::text[])
                   AND ($3::text IS NULL OR a.kind = $3::text)
                   AND ($4::bigint IS NULL OR a.location_id = $4::bigint)
                   AND ($5::bigint IS NULL OR a.user_id = $5::bigint)
                 ORDER BY a.created_at, a.id"
            ),
            vec![
                p(statuses),
                p(f.kind.map(|k| k.as_str().to_owned())),
                p(f.location),
                p(f.user),
            ],
        )?;
        rows.iter().map(|r| Ok(row_to_alert(r)?.alert)).collect()
    }

    fn set_alert_status(&mut self, id: i64, status: AlertStatus, now_ms: i64) -> Result<()> {
        self.execute(
            "UPDATE alerts SET status = $3::text, updated_at = $4,
               closed_at = CASE WHEN $3::text = 'done' THEN $4 ELSE closed_at END
             WHERE store_id = $1 AND id = $2",
            vec![p(id), p(status.as_str().to_owned()), p(now_ms)],
        )?;
        Ok(())
    }

    fn set_alert_user(&mut self, id: i64, user: i64, now_ms: i64) -> Result<()> {
        self.execute(
            "UPDATE alerts SET user_id = $3, updated_at = $4 WHERE store_id = $1 AND id = $2",
            vec![p(id), p(user), p(now_ms)],
        )?;
        Ok(())
    }

    fn set_alert_detail(&mut self, id: i64, detail: &str, now_ms: i64) -> Result<()> {
        self.execute(
            "UPDATE alerts SET detail = $3, updated_at = $4
             WHERE store_id = $1 AND id = $2 AND detail <> $3",
            vec![p(id), p(detail.to_owned()), p(now_ms)],
        )?;
        Ok(())
    }

    fn stamp_alert(&mut self, id: i64, column: AlertStamp, now_ms: i64) -> Result<()> {
        let sql = match column {
            AlertStamp::Escalated => {
                "UPDATE alerts SET escalated_at = $3 WHERE store_id = $1 AND id = $2"
            }
            AlertStamp::FollowUp => {
                "UPDATE alerts SET follow_up_at = $3 WHERE store_id = $1 AND id = $2"
            }
        };
        self.execute(sql, vec![p(id), p(now_ms)])?;
        Ok(())
    }

    fn open_store_alert(&mut self, kind: AlertKind, location: i64) -> Result<Option<i64>> {
        // The kinds named again so `alerts_one_open_per_location` answers it.
        let row = self.query_opt(
            "SELECT id FROM alerts
             WHERE store_id = $1 AND kind = $2 AND location_id = $3 AND status <> 'done'
               AND kind IN ('unanswered_reviews', 'sync_gap')",
            vec![p(kind.as_str().to_owned()), p(location)],
        )?;
        row.map(|r| get(&r, 0)).transpose()
    }

    fn escalation_candidates(&mut self, cutoff_ms: i64) -> Result<Vec<Overdue>> {
        let rows = self.query(
            "SELECT a.id, a.location_id, l.name, a.detail, a.created_at FROM alerts a
             JOIN locations l ON l.store_id = a.store_id AND l.id = a.location_id
             WHERE a.store_id = $1 AND a.status <> 'done' AND a.escalated_at IS NULL
               AND a.created_at <= $2
             ORDER BY a.created_at, a.id",
            vec![p(cutoff_ms)],
        )?;
        rows.iter()
            .map(|r| {
                Ok(Overdue {
                    id: get(r, 0)?,
                    location: get(r, 1)?,
                    location_name: get(r, 2)?,
                    detail: get(r, 3)?,
                    created_ms: get(r, 4)?,
                })
            })
            .collect()
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
        let id = self.next_ids("alert_interactions", 1)?;
        self.execute(
            "INSERT INTO alert_interactions (store_id, id, alert_id, method, note, author,
               user_id, created_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
            vec![
                p(id),
                p(alert),
                p(method.as_str().to_owned()),
                p(note.to_owned()),
                p(author.as_str().to_owned()),
                p(user),
                p(now_ms),
            ],
        )?;
        self.execute(
            "UPDATE alerts SET updated_at = $3 WHERE store_id = $1 AND id = $2",
            vec![p(alert), p(now_ms)],
        )?;
        Ok(id)
    }

    fn interactions(&mut self, alert: i64) -> Result<Vec<Interaction>> {
        let rows = self.query(
            "SELECT i.id, i.alert_id, i.method, i.note, i.author, u.host_id, i.created_at
             FROM alert_interactions i
             LEFT JOIN users u ON u.store_id = i.store_id AND u.id = i.user_id
             WHERE i.store_id = $1 AND i.alert_id = $2 ORDER BY i.id",
            vec![p(alert)],
        )?;
        rows.iter()
            .map(|r| {
                Ok(Interaction {
                    id: get(r, 0)?,
                    alert_id: get(r, 1)?,
                    method: InteractionMethod::parse(&get::<String>(r, 2)?)
                        .unwrap_or(InteractionMethod::Other),
                    note: get(r, 3)?,
                    author: Author::parse(&get::<String>(r, 4)?).unwrap_or(Author::Business),
                    user: get(r, 5)?,
                    at: from_stored(get(r, 6)?),
                })
            })
            .collect()
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
        // A click stored the score first (M1): completing keeps it and adds the rest.
        self.execute(
            "INSERT INTO alert_follow_ups (store_id, alert_id, nps, score_base10, comment,
               created_at, completed_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7)
             ON CONFLICT (store_id, alert_id) DO UPDATE SET
               nps = coalesce(alert_follow_ups.nps, excluded.nps),
               score_base10 = coalesce(alert_follow_ups.score_base10, excluded.score_base10),
               comment = excluded.comment, completed_at = excluded.completed_at
             WHERE alert_follow_ups.completed_at IS NULL",
            vec![
                p(alert),
                p(nps.map(i64::from)),
                p(score_base10),
                p(comment.map(str::to_owned)),
                p(now_ms),
                p(completed.then_some(now_ms)),
            ],
        )?;
        Ok(())
    }

    fn follow_up_link(&mut self, hash: &TokenKey) -> Result<Option<FollowUpLink>> {
        let row = self.query_opt(
            "SELECT a.id, a.location_id, k.expires_at, k.used_at,
                    EXISTS (SELECT 1 FROM alert_follow_ups f
                            WHERE f.store_id = a.store_id AND f.alert_id = a.id
                              AND f.completed_at IS NOT NULL),
                    (SELECT f.nps FROM alert_follow_ups f
                     WHERE f.store_id = a.store_id AND f.alert_id = a.id),
                    (SELECT c.language FROM customers c
                     WHERE c.store_id = k.store_id AND c.id = k.customer_id)
             FROM link_tokens k JOIN alerts a ON a.store_id = k.store_id AND a.id = k.alert_id
             WHERE k.store_id = $1 AND k.hash = $2 AND k.kind = 'survey'",
            vec![p(hash[..].to_vec())],
        )?;
        row.map(|r| {
            Ok(FollowUpLink {
                alert: get(&r, 0)?,
                location: get(&r, 1)?,
                expires_at: get(&r, 2)?,
                used_at: get(&r, 3)?,
                answered: get(&r, 4)?,
                clicked_score: get_opt_u32(&r, 5)?,
                language: get(&r, 6)?,
            })
        })
        .transpose()
    }

    fn insert_comment(&mut self, c: &NewComment<'_>, now_ms: i64) -> Result<i64> {
        let id = self.next_ids("thread_comments", 1)?;
        self.execute(
            "INSERT INTO thread_comments (store_id, id, response_id, author, kind, body,
               coupon_code, amount_minor, currency, user_id, created_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)",
            vec![
                p(id),
                p(c.response),
                p(c.author.as_str().to_owned()),
                p(c.kind.as_str().to_owned()),
                p(c.body.to_owned()),
                p(c.coupon_code.map(str::to_owned)),
                p(c.amount_minor),
                p(c.currency.map(str::to_owned)),
                p(c.user),
                p(now_ms),
            ],
        )?;
        Ok(id)
    }

    fn thread(&mut self, response: i64) -> Result<Vec<ThreadComment>> {
        let rows = self.query(
            "SELECT t.id, t.response_id, t.author, t.kind, t.body, t.coupon_code,
                    t.amount_minor, t.currency, u.host_id, t.created_at
             FROM thread_comments t
             LEFT JOIN users u ON u.store_id = t.store_id AND u.id = t.user_id
             WHERE t.store_id = $1 AND t.response_id = $2 ORDER BY t.id",
            vec![p(response)],
        )?;
        rows.iter()
            .map(|r| {
                Ok(ThreadComment {
                    id: get(r, 0)?,
                    response_id: get(r, 1)?,
                    author: Author::parse(&get::<String>(r, 2)?).unwrap_or(Author::Customer),
                    kind: CommentKind::parse(&get::<String>(r, 3)?).unwrap_or(CommentKind::Comment),
                    body: get(r, 4)?,
                    coupon_code: get(r, 5)?,
                    amount_minor: get(r, 6)?,
                    currency: get(r, 7)?,
                    user: get(r, 8)?,
                    at: from_stored(get(r, 9)?),
                })
            })
            .collect()
    }

    fn response_contact(&mut self, id: i64) -> Result<Option<ResponseContact>> {
        let row = self.query_opt(
            "SELECT r.location_id, r.customer_id, cu.email_norm, cu.language,
                    r.consent_to_reply,
                    (SELECT a.id FROM alerts a WHERE a.store_id = r.store_id
                       AND a.response_id = r.id)
             FROM responses r
             LEFT JOIN customers cu ON cu.store_id = r.store_id AND cu.id = r.customer_id
             WHERE r.store_id = $1 AND r.id = $2",
            vec![p(id)],
        )?;
        row.map(|r| {
            Ok(ResponseContact {
                location: get(&r, 0)?,
                customer: get(&r, 1)?,
                email: get(&r, 2)?,
                language: get(&r, 3)?,
                consent: get_flag(&r, 4)?,
                alert: get(&r, 5)?,
            })
        })
        .transpose()
    }

    fn insert_reply_address(
        &mut self,
        hash: &TokenKey,
        response: i64,
        alert: Option<i64>,
        now_ms: i64,
    ) -> Result<()> {
        self.execute(
            "INSERT INTO reply_addresses (store_id, hash, response_id, alert_id, created_at)
             VALUES ($1, $2, $3, $4, $5)",
            vec![p(hash[..].to_vec()), p(response), p(alert), p(now_ms)],
        )?;
        Ok(())
    }

    fn reply_address(&mut self, hash: &TokenKey) -> Result<Option<(i64, Option<i64>)>> {
        let row = self.query_opt(
            "SELECT response_id, alert_id FROM reply_addresses WHERE store_id = $1 AND hash = $2",
            vec![p(hash[..].to_vec())],
        )?;
        row.map(|r| Ok((get(&r, 0)?, get(&r, 1)?))).transpose()
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
        // Updated first, so an update takes no id from the counter (H1).
        let fields = || {
            vec![
                p(host_id.to_owned()),
                p(location),
                p(site.to_owned()),
                p(rating.map(i64::from)),
                p(posted_ms),
                p(replied_ms),
            ]
        };
        let n = self.execute(
            "UPDATE external_reviews SET location_id = $3, site = $4, rating = $5,
               posted_at = $6, replied_at = coalesce($7, replied_at)
             WHERE store_id = $1 AND host_id = $2",
            fields(),
        )?;
        if n == 0 {
            let id = self.next_ids("external_reviews", 1)?;
            let mut params = fields();
            params.insert(0, p(id));
            self.execute(
                "INSERT INTO external_reviews (store_id, id, host_id, location_id, site, rating,
                   posted_at, replied_at)
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
                params,
            )?;
        }
        Ok(())
    }

    fn unanswered_reviews(&mut self, location: i64) -> Result<u32> {
        let r = self.query_one(
            "SELECT count(*) FROM external_reviews
             WHERE store_id = $1 AND location_id = $2 AND replied_at IS NULL",
            vec![p(location)],
        )?;
        get_u32(&r, 0)
    }

    fn at_risk(&mut self, location: Option<i64>) -> Result<Vec<AtRiskCustomer>> {
        let rows = self.query(
            "SELECT cu.host_id, cu.name, cu.email, cu.phone, l.host_id, r.nps, r.comment,
                    r.created_at,
                    (SELECT a.id FROM alerts a WHERE a.store_id = r.store_id
                       AND a.response_id = r.id AND a.status <> 'done')
             FROM responses r
             JOIN customers cu ON cu.store_id = r.store_id AND cu.id = r.customer_id
             JOIN locations l ON l.store_id = r.store_id AND l.id = r.location_id
             WHERE r.store_id = $1 AND r.nps IS NOT NULL AND r.nps <= 6
               AND r.id = (SELECT max(r2.id) FROM responses r2
                           WHERE r2.store_id = r.store_id AND r2.customer_id = r.customer_id
                             AND r2.nps IS NOT NULL)
               AND ($2::bigint IS NULL OR r.location_id = $2::bigint)
             ORDER BY r.created_at DESC, r.id DESC",
            vec![p(location)],
        )?;
        rows.iter()
            .map(|r| {
                Ok(AtRiskCustomer {
                    customer: get(r, 0)?,
                    name: get(r, 1)?,
                    email: get(r, 2)?,
                    phone: get(r, 3)?,
                    location: get(r, 4)?,
                    nps: get_u32(r, 5)?,
                    last_comment: get(r, 6)?,
                    responded_at: from_stored(get(r, 7)?),
                    open_alert: get(r, 8)?,
                })
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::super::testkit::{fixture, sqlite_location_and_customer};
    use crate::model::{
        AlertKind, AlertStatus, Author, CommentKind, InteractionMethod, NotifyLevel, User, UserRole,
    };
    use crate::rules::token::Token;
    use crate::store::alerts::{AlertFilter, AlertStamp, NewAlert, NewComment};
    use crate::store::outbox::TokenOwner;
    use crate::store::responses::ResponseRow;
    use crate::store::{AlertStore, OutboxStore, ResponseStore, UserStore};

    fn response(nps: u8, comment: Option<&str>) -> ResponseRow {
        ResponseRow {
            source: "receipt",
            invitation: None,
            location: 1,
            customer: Some(1),
            transaction: None,
            nps: Some(nps),
            rating: None,
            score_base10: Some(f64::from(nps)),
            unhappy: nps <= 4,
            sentiment: "negative",
            facets_json: "[]".into(),
            comment: comment.map(str::to_owned),
            answers_json: "{}".into(),
            consent_to_reply: true,
            review_link_shown: false,
            completed: true,
        }
    }

    fn scenario<T>(t: &mut T) -> Vec<String>
    where
        T: AlertStore + UserStore + ResponseStore + OutboxStore + ?Sized,
    {
        let mut seen = Vec::new();
        let user = t
            .upsert_user(
                &User {
                    id: "u-1".into(),
                    name: "Ann".into(),
                    email: "ann@example.com".into(),
                    role: UserRole::Manager,
                    locations: vec![],
                    language: None,
                    notify: NotifyLevel::All,
                    notify_locations: vec![],
                },
                &[],
                &[],
            )
            .unwrap();
        let r1 = t.insert_response(&response(2, Some("bad")), 1_000).unwrap();
        let r2 = t.insert_response(&response(9, None), 2_000).unwrap();
        let r3 = t
            .insert_response(&response(1, Some("worse")), 3_000)
            .unwrap();
        seen.push(format!("{:?}", t.at_risk(None).unwrap()));
        let a1 = t
            .insert_alert(
                &NewAlert {
                    kind: AlertKind::UnhappyCustomer,
                    location: 1,
                    customer: Some(1),
                    response: Some(r3),
                    user: Some(user),
                    detail: "",
                },
                3_100,
            )
            .unwrap();
        let a2 = t
            .insert_alert(
                &NewAlert {
                    kind: AlertKind::SyncGap,
                    location: 1,
                    customer: None,
                    response: None,
                    user: None,
                    detail: "2026-01-01",
                },
                3_000,
            )
            .unwrap();
        seen.push(format!("{a1} {a2}"));
        seen.push(format!(
            "{:?}",
            t.get_alert(a1)
                .unwrap()
                .map(|a| (a.alert, a.location, a.customer))
        ));
        seen.push(format!(
            "{:?}",
            t.get_alert(99).unwrap().map(|a| a.location)
        ));
        seen.push(format!(
            "{:?}",
            t.open_store_alert(AlertKind::SyncGap, 1).unwrap()
        ));
        seen.push(format!(
            "{:?}",
            t.open_store_alert(AlertKind::UnhappyCustomer, 1).unwrap()
        ));
        seen.push(format!("{:?}", t.escalation_candidates(3_050).unwrap()));
        seen.push(format!("{:?}", t.escalation_candidates(9_000).unwrap()));
        let i1 = t
            .insert_interaction(
                a1,
                InteractionMethod::Phone,
                "called",
                Author::Business,
                Some(user),
                4_000,
            )
            .unwrap();
        let i2 = t
            .insert_interaction(
                a1,
                InteractionMethod::Other,
                "auto",
                Author::System,
                None,
                4_100,
            )
            .unwrap();
        seen.push(format!("{i1} {i2} {:?}", t.interactions(a1).unwrap()));
        t.set_alert_detail(a2, "2026-01-01, 2026-01-02", 4_200)
            .unwrap();
        t.set_alert_detail(a2, "2026-01-01, 2026-01-02", 4_300)
            .unwrap();
        t.set_alert_user(a2, user, 4_400).unwrap();
        t.stamp_alert(a1, AlertStamp::Escalated, 4_500).unwrap();
        t.stamp_alert(a1, AlertStamp::FollowUp, 4_600).unwrap();
        t.set_alert_status(a1, AlertStatus::InProgress, 4_700)
            .unwrap();
        t.set_alert_status(a2, AlertStatus::Done, 4_800).unwrap();
        seen.push(format!("{:?}", t.escalation_candidates(9_000).unwrap()));
        seen.push(format!(
            "{:?}",
            t.open_store_alert(AlertKind::SyncGap, 1).unwrap()
        ));
        for f in [
            AlertFilter {
                statuses: vec![
                    AlertStatus::Open,
                    AlertStatus::InProgress,
                    AlertStatus::Done,
                ],
                ..AlertFilter::default()
            },
            AlertFilter {
                statuses: vec![AlertStatus::Done],
                kind: Some(AlertKind::SyncGap),
                location: Some(1),
                user: Some(user),
            },
            AlertFilter {
                statuses: vec![AlertStatus::Open],
                ..AlertFilter::default()
            },
            AlertFilter::default(),
        ] {
            seen.push(format!("{:?}", t.list_alerts(&f).unwrap()));
        }

        let key = Token::ordered(100, [4; 16]).key();
        t.insert_token(
            &key,
            "survey",
            TokenOwner {
                invitation: None,
                alert: Some(a1),
                customer: 1,
            },
            100,
            Some(10_000),
        )
        .unwrap();
        seen.push(format!("{:?}", t.follow_up_link(&key).unwrap()));
        t.insert_follow_up(a1, Some(8), Some(8.0), None, false, 5_000)
            .unwrap();
        seen.push(format!("{:?}", t.follow_up_link(&key).unwrap()));
        t.insert_follow_up(a1, Some(3), Some(3.0), Some("ok now"), true, 5_100)
            .unwrap();
        t.insert_follow_up(a1, Some(1), Some(1.0), Some("again"), true, 5_200)
            .unwrap();
        seen.push(format!("{:?}", t.follow_up_link(&key).unwrap()));
        seen.push(format!(
            "{:?}",
            t.follow_up_link(&Token::ordered(1, [0; 16]).key()).unwrap()
        ));

        let c = t
            .insert_comment(
                &NewComment {
                    response: r1,
                    author: Author::Business,
                    kind: CommentKind::Refund,
                    body: "sorry",
                    coupon_code: Some("C-1"),
                    amount_minor: Some(500),
                    currency: Some("EUR"),
                    user: Some(user),
                },
                6_000,
            )
            .unwrap();
        seen.push(format!("{c} {:?}", t.thread(r1).unwrap()));
        seen.push(format!("{:?}", t.thread(r2).unwrap()));
        for r in [r1, r3, 99] {
            seen.push(format!("{:?}", t.response_contact(r).unwrap()));
        }
        let reply = Token::ordered(200, [5; 16]).key();
        t.insert_reply_address(&reply, r3, Some(a1), 7_000).unwrap();
        seen.push(format!("{:?}", t.reply_address(&reply).unwrap()));
        seen.push(format!("{:?}", t.reply_address(&key).unwrap()));

        t.upsert_review("rev-1", 1, "google", Some(2), 100, None)
            .unwrap();
        t.upsert_review("rev-2", 1, "google", None, 200, Some(300))
            .unwrap();
        t.upsert_review("rev-3", 1, "yelp", Some(5), 300, None)
            .unwrap();
        seen.push(format!("{}", t.unanswered_reviews(1).unwrap()));
        t.upsert_review("rev-1", 1, "google", Some(3), 100, Some(400))
            .unwrap();
        t.upsert_review("rev-1", 1, "google", Some(3), 100, None)
            .unwrap();
        t.upsert_review("rev-2", 1, "google", Some(1), 200, None)
            .unwrap();
        seen.push(format!("{}", t.unanswered_reviews(1).unwrap()));
        seen.push(format!("{}", t.unanswered_reviews(2).unwrap()));
        seen.push(format!("{:?}", t.at_risk(Some(1)).unwrap()));
        seen.push(format!("{:?}", t.at_risk(Some(2)).unwrap()));
        seen.push(format!("{:?}", t.user_open_work(user).unwrap()));
        seen
    }

    #[test]
    fn alerts_match_sqlite() {
        let Some(f) = fixture("pg_alerts") else {
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
        // A review's update took no id from the counter (H1).
        f.write(|t| {
            let r = t.query_one(
                "SELECT max(id), count(*) FROM external_reviews WHERE store_id = $1",
                vec![],
            )?;
            assert_eq!((r.get::<_, i64>(0), r.get::<_, i64>(1)), (3, 3));
            Ok(())
        })
        .unwrap();
    }
}
