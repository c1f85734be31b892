//! The partial response a score click stores, and its completion by the survey page (M1),
//! on PostgreSQL (mirrors `store/sqlite/clicks.rs`).

use crate::error::Result;
use crate::hosted::p;
use crate::store::ResponseRow;
use crate::store::clicks::InvitationAnswer;

use super::conv::{flag, get_flag};
use super::responses::{count_response, open_conversation};
use super::{PgTx, get};

impl crate::store::ClickStore for PgTx<'_> {
    fn invitation_answer(&mut self, invitation: i64) -> Result<Option<InvitationAnswer>> {
        let row = self.query_opt(
            "SELECT id, nps, completed_at IS NOT NULL, review_link_shown FROM responses
             WHERE store_id = $1 AND invitation_id = $2",
            vec![p(invitation)],
        )?;
        row.map(|r| {
            Ok(InvitationAnswer {
                id: get(&r, 0)?,
                nps: get::<Option<i64>>(&r, 1)?.and_then(|v| u8::try_from(v).ok()),
                completed: get(&r, 2)?,
                review_link_shown: get_flag(&r, 3)?,
            })
        })
        .transpose()
    }

    fn complete_response(&mut self, id: i64, r: &ResponseRow, now_ms: i64) -> Result<bool> {
        count_response(self, id, -1)?;
        let n = self.execute(
            "UPDATE responses SET rating = $3, rating_scale = $4,
               score_base10 = coalesce(nps::double precision, $5), unhappy = $6, facets = $7,
               comment = $8, answers = $9, consent_to_reply = $10, review_link_shown = $11,
               completed_at = $12
             WHERE store_id = $1 AND id = $2 AND completed_at IS NULL",
            vec![
                p(id),
                p(r.rating.map(|(s, _)| i64::from(s))),
                p(r.rating.map(|(_, n)| i64::from(n))),
                p(r.score_base10),
                p(flag(r.unhappy)),
                p(r.facets_json.clone()),
                p(r.comment.clone()),
                p(r.answers_json.clone()),
                p(flag(r.consent_to_reply)),
                p(flag(r.review_link_shown)),
                p(now_ms),
            ],
        )?;
        count_response(self, id, 1)?;
        if n > 0 {
            open_conversation(self, id, r.comment.as_deref(), now_ms)?;
        }
        Ok(n > 0)
    }

    fn get_response_alert(&mut self, response: i64) -> Result<Option<i64>> {
        let row = self.query_opt(
            "SELECT id FROM alerts WHERE store_id = $1 AND response_id = $2",
            vec![p(response)],
        )?;
        row.map(|r| get(&r, 0)).transpose()
    }
}

#[cfg(test)]
mod tests {
    use super::super::testkit::{fixture, sqlite_location_and_customer};
    use crate::store::responses::ResponseRow;
    use crate::store::{ClickStore, ResponseStore};

    fn partial(nps: u8) -> ResponseRow {
        ResponseRow {
            source: "receipt",
            invitation: None,
            location: 1,
            customer: Some(1),
            transaction: None,
            nps: Some(nps),
            rating: None,
            score_base10: Some(f64::from(nps)),
            unhappy: false,
            sentiment: "unknown",
            facets_json: "[]".into(),
            comment: None,
            answers_json: "{}".into(),
            consent_to_reply: false,
            review_link_shown: false,
            completed: false,
        }
    }

    fn scenario<T: ClickStore + ResponseStore + ?Sized>(t: &mut T) -> Vec<String> {
        let mut seen = Vec::new();
        let id = t.insert_response(&partial(2), 1_000).unwrap();
        let page = ResponseRow {
            rating: Some((1, 5)),
            score_base10: Some(7.5),
            unhappy: true,
            facets_json: "[\"wait\"]".into(),
            comment: Some("slow".into()),
            answers_json: "{\"q\":1}".into(),
            consent_to_reply: true,
            review_link_shown: true,
            completed: true,
            ..partial(9)
        };
        seen.push(format!(
            "{}",
            t.complete_response(id, &page, 2_000).unwrap()
        ));
        seen.push(format!(
            "{}",
            t.complete_response(id, &page, 3_000).unwrap()
        ));
        seen.push(format!(
            "{}",
            t.complete_response(999, &page, 3_000).unwrap()
        ));
        seen.push(format!("{:?}", t.get_response_alert(id).unwrap()));
        seen.push(format!("{:?}", t.nps_counts(&Default::default()).unwrap()));
        seen.push(format!(
            "{:?}",
            t.rating_figures(&Default::default()).unwrap()
        ));
        seen.push(format!("{:?}", t.invitation_answer(1).unwrap()));
        seen
    }

    #[test]
    fn clicks_match_sqlite() {
        let Some(f) = fixture("pg_clicks") else {
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
        f.write(|t| {
            let r = t.query_one(
                "SELECT score_base10, unhappy, completed_at,
                   (SELECT count(*) FROM thread_comments WHERE store_id = $1),
                   (SELECT responses FROM rollups_daily WHERE store_id = $1)
                 FROM responses WHERE store_id = $1",
                vec![],
            )?;
            let got: (f64, i64, Option<i64>, i64, i64) =
                (r.get(0), r.get(1), r.get(2), r.get(3), r.get(4));
            // The score stays as the click recorded it.
            assert_eq!(got, (2.0, 1, Some(2_000), 1, 1));
            Ok(())
        })
        .unwrap();
    }

    #[test]
    fn an_invitation_answer_and_its_alert() {
        let Some(f) = fixture("pg_clicks_inv") else {
            return;
        };
        f.admin_sql(
            "INSERT INTO invitations (store_id, id, customer_id, location_id, trigger, channel,
               language, business_date, status, due_at, created_at, delivered_at)
             VALUES ($1, 1, 1, 1, 'transaction', 'email', 'fr', '2026-01-01', 'delivered',
                     0, 0, 100)",
        );
        let id = f
            .write(|t| {
                assert!(t.invitation_answer(1)?.is_none());
                let r = ResponseRow {
                    source: "invitation",
                    invitation: Some(1),
                    review_link_shown: true,
                    ..partial(4)
                };
                let id = t.insert_response(&r, 500)?;
                let a = t.invitation_answer(1)?.unwrap();
                assert_eq!(
                    (a.id, a.nps, a.completed, a.review_link_shown),
                    (id, Some(4), false, true)
                );
                Ok(id)
            })
            .unwrap();
        f.admin_sql(&format!(
            "INSERT INTO alerts (store_id, id, kind, location_id, customer_id, response_id,
               status, created_at, updated_at)
             VALUES ($1, 5, 'unhappy_customer', 1, 1, {id}, 'open', 0, 0)"
        ));
        f.write(|t| {
            assert_eq!(t.get_response_alert(id)?, Some(5));
            Ok(())
        })
        .unwrap();
    }
}
