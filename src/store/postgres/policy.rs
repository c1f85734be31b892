//! The contact policy's rows on PostgreSQL (mirrors `store/sqlite/policy.rs`).

use crate::hash::{HashMap, HashSet};

use chrono::NaiveDate;

use super::values::{date_text, flag, get_bool, get_date, get_opt_date};
use super::{PgTx, get};
use crate::error::{Error, Result};
use crate::hosted::p;
use crate::model::{Calendar, RelationshipDecision, SkipReason, SurveyKind, Weekday};
use crate::rules::policy::PastInvitation;
use crate::store::policy::{
    History, KnownSales, LatestPurchase, PersonKey, RelationshipRow, STORE_SCOPE, VolumeOverrides,
};

fn to_u32(v: Option<i64>) -> Result<Option<u32>> {
    v.map(|v| {
        u32::try_from(v)
            .map_err(|_| Error::Internal("postgres: a stored count is out of range".into()))
    })
    .transpose()
}

/// The invitations that count for the policy (P1).
const LIVE: &str = "i.status IN ('pending', 'delivered')";

/// The calendar of `scope` from its `calendar_days` rows (weekday, sends, opens, closes
/// first), with its closed dates read; `None` without rows.
fn calendar_of(
    t: &mut PgTx<'_>,
    scope: i64,
    days: &[crate::hosted::Row],
) -> Result<Option<Calendar>> {
    let days = days
        .iter()
        .map(|r| {
            let index: i64 = get(r, 0)?;
            Ok((
                usize::try_from(index).unwrap_or(usize::MAX),
                get_bool(r, 1)?,
                to_u32(get(r, 2)?)?,
                to_u32(get(r, 3)?)?,
            ))
        })
        .collect::<Result<Vec<_>>>()?;
    let Some(mut cal) = crate::store::policy::calendar_from_days(&days) else {
        return Ok(None);
    };
    cal.closed_dates = t
        .query(
            "SELECT date FROM closed_dates WHERE store_id = $1 AND scope = $2
                 ORDER BY date COLLATE \"C\"",
            vec![p(scope)],
        )?
        .iter()
        .map(|r| get_date(r, 0, "closed date"))
        .collect::<Result<_>>()?;
    Ok(Some(cal))
}

impl crate::store::PolicyStore for PgTx<'_> {
    fn get_location_policy(&mut self, location: i64) -> Result<VolumeOverrides> {
        let Some(r) = self.query_opt(
            "SELECT daily_cap, sample_percent, monthly_response_quota
             FROM location_policies WHERE store_id = $1 AND location_id = $2",
            vec![p(location)],
        )?
        else {
            return Ok((None, None, None));
        };
        Ok((
            to_u32(get(&r, 0)?)?,
            to_u32(get(&r, 1)?)?,
            to_u32(get(&r, 2)?)?,
        ))
    }

    fn set_location_policy(&mut self, location: i64, v: VolumeOverrides) -> Result<()> {
        if v == (None, None, None) {
            self.execute(
                "DELETE FROM location_policies WHERE store_id = $1 AND location_id = $2",
                vec![p(location)],
            )?;
            return Ok(());
        }
        self.execute(
            "INSERT INTO location_policies
               (store_id, location_id, daily_cap, sample_percent, monthly_response_quota)
             VALUES ($1, $2, $3, $4, $5)
             ON CONFLICT (store_id, location_id) DO UPDATE SET daily_cap = excluded.daily_cap,
               sample_percent = excluded.sample_percent,
               monthly_response_quota = excluded.monthly_response_quota",
            vec![
                p(location),
                p(v.0.map(i64::from)),
                p(v.1.map(i64::from)),
                p(v.2.map(i64::from)),
            ],
        )?;
        Ok(())
    }

    fn get_calendar(&mut self, scope: i64) -> Result<Option<Calendar>> {
        let days = self.query(
            "SELECT weekday, sends, opens, closes FROM calendar_days
             WHERE store_id = $1 AND scope = $2 ORDER BY weekday",
            vec![p(scope)],
        )?;
        calendar_of(self, scope, &days)
    }

    fn get_calendar_of_location(&mut self, location: i64) -> Result<Option<Calendar>> {
        // Both scopes' days in one statement: the location's own when it has any (they
        // sort first), else the store's.
        let days = self.query(
            "SELECT weekday, sends, opens, closes, scope FROM calendar_days
             WHERE store_id = $1 AND scope IN ($2, $3)
             ORDER BY scope = $2 DESC, weekday",
            vec![p(location), p(STORE_SCOPE)],
        )?;
        let Some(first) = days.first() else {
            return Ok(None);
        };
        let scope: i64 = get(first, 4)?;
        let mut own = Vec::with_capacity(days.len());
        for r in days {
            if get::<i64>(&r, 4)? == scope {
                own.push(r);
            }
        }
        calendar_of(self, scope, &own)
    }

    fn set_calendar(&mut self, scope: i64, cal: Option<&Calendar>) -> Result<()> {
        self.execute(
            "DELETE FROM calendar_days WHERE store_id = $1 AND scope = $2",
            vec![p(scope)],
        )?;
        self.execute(
            "DELETE FROM closed_dates WHERE store_id = $1 AND scope = $2",
            vec![p(scope)],
        )?;
        let Some(cal) = cal else {
            return Ok(());
        };
        let (mut weekdays, mut sends, mut opens, mut closes) =
            (Vec::new(), Vec::new(), Vec::new(), Vec::new());
        for w in Weekday::ALL {
            let hours = cal.opening_hours.iter().find(|h| h.weekday == w);
            weekdays.push(i64::from(w.index()));
            sends.push(flag(cal.send_weekdays.contains(&w)));
            opens.push(hours.map(|h| i64::from(h.opens)));
            closes.push(hours.map(|h| i64::from(h.closes)));
        }
        self.execute(
            "INSERT INTO calendar_days (store_id, scope, weekday, sends, opens, closes)
             SELECT $1, $2, * FROM unnest($3::bigint[], $4::bigint[], $5::bigint[], $6::bigint[])",
            vec![p(scope), p(weekdays), p(sends), p(opens), p(closes)],
        )?;
        if !cal.closed_dates.is_empty() {
            let dates: Vec<String> = cal.closed_dates.iter().map(|d| date_text(*d)).collect();
            self.execute(
                "INSERT INTO closed_dates (store_id, scope, date)
                 SELECT $1, $2, d FROM unnest($3::text[]) AS d
                 ON CONFLICT (store_id, scope, date) DO NOTHING",
                vec![p(scope), p(dates)],
            )?;
        }
        Ok(())
    }

    fn person_history(
        &mut self,
        keys: &[PersonKey<'_>],
        since: NaiveDate,
        kinds: &[SurveyKind],
    ) -> Result<History> {
        let mut out = History {
            by_customer: HashMap::default(),
            host_ids: HashMap::default(),
        };
        if keys.is_empty() || kinds.is_empty() {
            return Ok(out);
        }
        let kinds: Vec<String> = kinds.iter().map(|k| k.as_str().to_owned()).collect();
        let ids: Vec<i64> = keys.iter().map(|k| k.customer).collect();
        let contacts: Vec<Option<String>> = (keys.iter())
            .map(|k| k.contact.map(str::to_owned))
            .collect();
        let own: Vec<bool> = keys.iter().map(|k| k.own).collect();
        // As on SQLite: per key and survey kind, the record's own invitations from $4 on
        // and those of its latest date before; then the same for other records with the
        // key's contact, with their host ids (a key without `own`, a record created in this
        // transaction, has no invitations of its own to look up). Whether each was answered is a scalar
        // subquery with a LIMIT, not EXISTS: the planner may turn an EXISTS of the select
        // list into a hashed subplan that reads the store's every response (its choice
        // followed the statistics, so tests/hosted_plans.rs failed now and then).
        let rows = self.query(
            &format!(
                "WITH k (cid, contact, own) AS MATERIALIZED (
                   SELECT * FROM unnest($2::bigint[], $3::text[], $5::bool[])),
                 s (kind) AS (SELECT unnest($6::text[]))
                 SELECT k.cid, i.survey_kind, i.business_date, i.customer_id, NULL::text,
                        (SELECT true FROM responses r
                         WHERE r.store_id = $1 AND r.invitation_id = i.id LIMIT 1) IS NOT NULL
                 FROM k CROSS JOIN s JOIN invitations i
                   ON i.store_id = $1 AND i.customer_id = k.cid AND i.survey_kind = s.kind
                 WHERE k.own AND i.business_date >= $4 AND {LIVE}
                 UNION ALL
                 SELECT k.cid, i.survey_kind, i.business_date, i.customer_id, NULL,
                        (SELECT true FROM responses r
                         WHERE r.store_id = $1 AND r.invitation_id = i.id LIMIT 1) IS NOT NULL
                 FROM k CROSS JOIN s JOIN invitations i
                   ON i.store_id = $1 AND i.customer_id = k.cid AND i.survey_kind = s.kind
                 WHERE k.own AND {LIVE}
                   AND i.business_date = (
                     SELECT j.business_date FROM invitations j
                     WHERE j.store_id = $1 AND j.customer_id = k.cid AND j.survey_kind = s.kind
                       AND j.business_date < $4 AND j.status IN ('pending', 'delivered')
                     ORDER BY j.business_date DESC LIMIT 1)
                 UNION ALL
                 SELECT k.cid, i.survey_kind, i.business_date, i.customer_id, c.host_id,
                        (SELECT true FROM responses r
                         WHERE r.store_id = $1 AND r.invitation_id = i.id LIMIT 1) IS NOT NULL
                 FROM k CROSS JOIN s JOIN invitations i
                   ON i.store_id = $1 AND i.contact = k.contact AND i.survey_kind = s.kind
                 JOIN customers c ON c.store_id = $1 AND c.id = i.customer_id
                 WHERE k.contact IS NOT NULL AND i.business_date >= $4 AND i.customer_id <> k.cid
                   AND {LIVE}
                 UNION ALL
                 SELECT k.cid, i.survey_kind, i.business_date, i.customer_id, c.host_id,
                        (SELECT true FROM responses r
                         WHERE r.store_id = $1 AND r.invitation_id = i.id LIMIT 1) IS NOT NULL
                 FROM k CROSS JOIN s JOIN invitations i
                   ON i.store_id = $1 AND i.contact = k.contact AND i.survey_kind = s.kind
                 JOIN customers c ON c.store_id = $1 AND c.id = i.customer_id
                 WHERE k.contact IS NOT NULL AND i.customer_id <> k.cid AND {LIVE}
                   AND i.business_date = (
                     SELECT j.business_date FROM invitations j
                     WHERE j.store_id = $1 AND j.contact = k.contact AND j.survey_kind = s.kind
                       AND j.business_date < $4 AND j.customer_id <> k.cid
                       AND j.status IN ('pending', 'delivered')
                     ORDER BY j.business_date DESC LIMIT 1)"
            ),
            vec![p(ids), p(contacts), p(date_text(since)), p(own), p(kinds)],
        )?;
        for r in &rows {
            let asked: i64 = get(r, 0)?;
            let Some(kind) = SurveyKind::parse(&get::<String>(r, 1)?) else {
                continue;
            };
            let date = get_date(r, 2, "business date")?;
            let customer: i64 = get(r, 3)?;
            if let Some(host_id) = get::<Option<String>>(r, 4)? {
                out.host_ids.insert(customer, host_id);
            }
            out.by_customer
                .entry(asked)
                .or_default()
                .push(PastInvitation {
                    kind,
                    date,
                    customer,
                    answered: get(r, 5)?,
                });
        }
        Ok(out)
    }

    fn invitations_created_on(&mut self, location: i64, date: NaiveDate) -> Result<u32> {
        let r = self.query_one(
            "SELECT count(*) FROM invitations
             WHERE store_id = $1 AND location_id = $2 AND business_date = $3
               AND survey_kind = 'transactional'",
            vec![p(location), p(date_text(date))],
        )?;
        Ok(to_u32(Some(get(&r, 0)?))?.unwrap_or(0))
    }

    fn transactional_responses_between(
        &mut self,
        location: i64,
        from_ms: i64,
        to_ms: i64,
    ) -> Result<u32> {
        let r = self.query_one(
            "SELECT count(*) FROM responses r
             JOIN invitations i ON i.store_id = r.store_id AND i.id = r.invitation_id
             WHERE r.store_id = $1 AND r.location_id = $2 AND i.survey_kind = 'transactional'
               AND r.source = 'invitation' AND r.created_at >= $3 AND r.created_at < $4",
            vec![p(location), p(from_ms), p(to_ms)],
        )?;
        Ok(to_u32(Some(get(&r, 0)?))?.unwrap_or(0))
    }

    fn refunded_among(&mut self, host_ids: &[&str]) -> Result<HashSet<String>> {
        if host_ids.is_empty() {
            return Ok(HashSet::default());
        }
        let ids: Vec<String> = host_ids.iter().map(|s| (*s).to_owned()).collect();
        self.query(
            "SELECT DISTINCT refers_to FROM transactions
             WHERE store_id = $1 AND refers_to = ANY($2::text[])",
            vec![p(ids)],
        )?
        .iter()
        .map(|r| get(r, 0))
        .collect()
    }

    fn cancel_for_refund(
        &mut self,
        sale: i64,
        date: NaiveDate,
        now_ms: i64,
    ) -> Result<Option<i64>> {
        let Some(r) = self.query_opt(
            "SELECT id, status FROM invitations
             WHERE store_id = $1 AND transaction_id = $2 AND trigger = 'transaction'",
            vec![p(sale)],
        )?
        else {
            return Ok(None);
        };
        let invitation: i64 = get(&r, 0)?;
        let cancel_invitation = get::<String>(&r, 1)? == "pending";
        self.execute(
            "UPDATE outbox SET status = 'cancelled', lease_until = NULL,
               cancel_reason = 'refunded', updated_at = $4
             WHERE store_id = $1 AND invitation_id = $2 AND status IN ('pending', 'in_flight')
               AND ($3 OR kind IN ('review_reminder', 'survey_reminder'))",
            vec![p(invitation), p(cancel_invitation), p(now_ms)],
        )?;
        if cancel_invitation {
            self.execute(
                "UPDATE invitations SET status = 'cancelled' WHERE store_id = $1 AND id = $2",
                vec![p(invitation)],
            )?;
            self.execute(
                "UPDATE decisions SET cancelled_on = $3, cancel_reason = 'refunded'
                 WHERE store_id = $1 AND transaction_id = $2 AND cancelled_on IS NULL",
                vec![p(sale), p(date_text(date))],
            )?;
        }
        Ok(cancel_invitation.then_some(invitation))
    }

    fn relationship_candidates(
        &mut self,
        location: i64,
        since_ms: i64,
        held_after: Option<NaiveDate>,
        _known: &KnownSales<'_>,
    ) -> Result<Vec<LatestPurchase>> {
        // The window is read in one statement here: `known` is not used.
        // Each customer's latest purchase in the window (SQLite's bare columns beside
        // max()), kept when it was at the location.
        let rows = self.query(
            "SELECT customer_id, location_id, host_id, finalized_at FROM (
               SELECT DISTINCT ON (t.customer_id) t.customer_id, t.location_id, t.host_id,
                      t.finalized_at
               FROM transactions t
               WHERE t.store_id = $1 AND t.customer_id IS NOT NULL AND t.finalized_at >= $3
                 AND t.kind NOT IN ('refund', 'void')
                 AND NOT EXISTS (SELECT 1 FROM transactions r
                                 WHERE r.store_id = $1 AND r.refers_to = t.host_id)
               ORDER BY t.customer_id, t.finalized_at DESC, t.id) AS latest
             WHERE location_id = $2
               AND ($4::text IS NULL OR NOT EXISTS (
                 SELECT 1 FROM invitations i
                 WHERE i.store_id = $1 AND i.customer_id = latest.customer_id
                   AND i.survey_kind = 'relationship' AND i.business_date > $4::text
                   AND i.status IN ('pending', 'delivered')))
             ORDER BY customer_id",
            vec![p(location), p(since_ms), p(held_after.map(date_text))],
        )?;
        rows.iter()
            .map(|r| {
                Ok(LatestPurchase {
                    customer: get(r, 0)?,
                    transaction: get(r, 2)?,
                    finalized_at_ms: get(r, 3)?,
                })
            })
            .collect()
    }

    fn last_relationship_decisions(
        &mut self,
        customers: &[i64],
    ) -> Result<HashMap<i64, (NaiveDate, Option<String>)>> {
        if customers.is_empty() {
            return Ok(HashMap::default());
        }
        self.query(
            "SELECT DISTINCT ON (customer_id) customer_id, business_date, reason
             FROM relationship_decisions
             WHERE store_id = $1 AND customer_id = ANY($2::bigint[])
             ORDER BY customer_id, business_date COLLATE \"C\" DESC",
            vec![p(customers.to_vec())],
        )?
        .iter()
        .map(|r| Ok((get(r, 0)?, (get_date(r, 1, "business date")?, get(r, 2)?))))
        .collect()
    }

    fn insert_relationship_decision(
        &mut self,
        d: &RelationshipRow<'_>,
        now_ms: i64,
    ) -> Result<bool> {
        Ok(self.insert_relationship_decisions(std::slice::from_ref(d), now_ms)? > 0)
    }

    fn insert_relationship_decisions(
        &mut self,
        rows: &[RelationshipRow<'_>],
        now_ms: i64,
    ) -> Result<u64> {
        if rows.is_empty() {
            return Ok(0);
        }
        let column = |f: &dyn Fn(&RelationshipRow<'_>) -> Option<String>| -> Vec<Option<String>> {
            rows.iter().map(f).collect()
        };
        self.execute(
            "INSERT INTO relationship_decisions (store_id, customer_id, business_date,
               location_id, invitation_id, reason, eligible_again_on, related_customer,
               decided_at)
             SELECT $1, u.customer, u.business_date, u.location, u.invitation, u.reason,
                    u.eligible_again_on, u.related_customer, $9
             FROM unnest($2::bigint[], $3::text[], $4::bigint[], $5::bigint[], $6::text[],
                         $7::text[], $8::text[])
                  AS u (customer, business_date, location, invitation, reason,
                        eligible_again_on, related_customer)
             ON CONFLICT (store_id, customer_id, business_date) DO NOTHING",
            vec![
                p(rows.iter().map(|d| d.customer).collect::<Vec<i64>>()),
                p(rows
                    .iter()
                    .map(|d| date_text(d.business_date))
                    .collect::<Vec<String>>()),
                p(rows.iter().map(|d| d.location).collect::<Vec<i64>>()),
                p(rows
                    .iter()
                    .map(|d| d.invitation)
                    .collect::<Vec<Option<i64>>>()),
                p(column(&|d| d.reason.map(|r| r.as_str().to_owned()))),
                p(column(&|d| d.eligible_again_on.map(date_text))),
                p(column(&|d| d.related_customer.map(str::to_owned))),
                p(now_ms),
            ],
        )
    }

    fn relationship_decisions(
        &mut self,
        customer: i64,
        limit: u32,
    ) -> Result<Vec<RelationshipDecision>> {
        self.query(
            "SELECT l.host_id, d.business_date, d.invitation_id, d.reason, d.eligible_again_on,
                    d.related_customer
             FROM relationship_decisions d
             JOIN locations l ON l.store_id = d.store_id AND l.id = d.location_id
             WHERE d.store_id = $1 AND d.customer_id = $2
             ORDER BY d.business_date COLLATE \"C\" DESC LIMIT $3",
            vec![p(customer), p(i64::from(limit))],
        )?
        .iter()
        .map(|r| {
            Ok(RelationshipDecision {
                location: get(r, 0)?,
                business_date: get_date(r, 1, "business date")?,
                invitation_id: get(r, 2)?,
                reason: get::<Option<String>>(r, 3)?.and_then(|s| SkipReason::parse(&s)),
                eligible_again_on: get_opt_date(r, 4, "eligible-again date")?,
                related_customer: get(r, 5)?,
            })
        })
        .collect()
    }

    fn cancel_message(
        &mut self,
        message_id: &str,
        invitation: Option<i64>,
        reason: &str,
        now_ms: i64,
    ) -> Result<()> {
        self.execute(
            "UPDATE outbox SET status = 'cancelled', cancel_reason = $3, updated_at = $4
             WHERE store_id = $1 AND message_id = $2",
            vec![p(message_id.to_owned()), p(reason.to_owned()), p(now_ms)],
        )?;
        if let Some(inv) = invitation {
            self.execute(
                "UPDATE invitations SET status = 'cancelled'
                 WHERE store_id = $1 AND id = $2 AND status = 'pending'",
                vec![p(inv)],
            )?;
        }
        Ok(())
    }

    fn last_invitation_zone(&mut self, customer: i64) -> Result<Option<String>> {
        self.query_opt(
            "SELECT l.time_zone FROM invitations i
             JOIN locations l ON l.store_id = i.store_id AND l.id = i.location_id
             WHERE i.store_id = $1 AND i.customer_id = $2 AND i.status IN ('pending', 'delivered')
             ORDER BY i.business_date COLLATE \"C\" DESC, i.id DESC LIMIT 1",
            vec![p(customer)],
        )?
        .map(|r| get(&r, 0))
        .transpose()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Channel, Location, MessageKind, OpeningHours, TransactionKind};
    use crate::rules::policy::PERSON_KINDS;
    use crate::store::customers::CustomerRow;
    use crate::store::postgres::values::testkit::{on_pg, on_sqlite};
    use crate::store::transactions::{
        DecisionChanges, DecisionRow, InvitationRow, NewInvitation, TransactionRow,
    };
    use crate::store::{CustomerStore, LocationStore, PolicyStore, TransactionStore};

    fn d(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    fn history(h: History) -> String {
        let mut by: Vec<_> = h
            .by_customer
            .into_iter()
            .map(|(k, mut v)| {
                v.sort_by_key(|p| (p.date, p.customer, format!("{:?}", p.kind)));
                format!("{k} {v:?}")
            })
            .collect();
        by.sort();
        let mut ids: Vec<_> = h.host_ids.into_iter().collect();
        ids.sort();
        format!("{by:?} {ids:?}")
    }

    fn scenario<T: PolicyStore + TransactionStore + CustomerStore + LocationStore + ?Sized>(
        t: &mut T,
    ) -> Result<Vec<String>> {
        let mut out = Vec::new();
        t.upsert_location(&Location::new("l1", "L", "Europe/Paris"))?;
        t.upsert_location(&Location::new("l2", "M", "America/New_York"))?;
        let customer = |host: &str| CustomerRow {
            host_id: host.into(),
            ..Default::default()
        };
        let c1 = t.insert_customer(&customer("c1"), 1)?;
        let c2 = t.insert_customer(&customer("c2"), 1)?;
        let c3 = t.insert_customer(&customer("c3"), 1)?;
        let sale =
            |host: &str, c: i64, loc: i64, at: i64, kind, refers: Option<&str>| TransactionRow {
                host_id: host.into(),
                location: loc,
                customer: Some(c),
                kind,
                amount_minor: 1,
                currency: "EUR".into(),
                finalized_at_ms: Some(at),
                excluded: false,
                refers_to: refers.map(Into::into),
            };
        let day = d("2026-01-01");
        let s = TransactionKind::Sale;
        let t1 = t.insert_transaction(&sale("t1", c1, 1, 100, s, None), &[], day)?;
        let t2 = t.insert_transaction(&sale("t2", c2, 1, 200, s, None), &[], day)?;
        let t3 = t.insert_transaction(&sale("t3", c1, 2, 300, s, None), &[], day)?;
        let t4 = t.insert_transaction(&sale("t4", c3, 1, 400, s, None), &[], day)?;
        let t5 = t.insert_transaction(&sale("t5", c2, 2, 150, s, None), &[], day)?;
        t.insert_transaction(
            &sale("r4", c3, 1, 500, TransactionKind::Refund, Some("t4")),
            &[],
            day,
        )?;
        let inv = |c: i64, tx: Option<i64>, loc: i64, date: &str, msg: &str| NewInvitation {
            row: InvitationRow {
                customer: c,
                transaction: tx,
                kind: if tx.is_some() {
                    SurveyKind::Transactional
                } else {
                    SurveyKind::Relationship
                },
                contact: Some("a@x.org".into()),
                location: loc,
                channel: Channel::Email,
                language: "en".into(),
                business_date: d(date),
                due_at_ms: 1_000,
            },
            message_kind: MessageKind::SurveyInvitation,
            message_id: msg.into(),
            cancelled: false,
        };
        let decision = DecisionRow {
            business_date: d("2026-02-01"),
            reason: None,
            eligible_again_on: None,
            related_customer: None,
        };
        let ids = t.write_decisions(
            &DecisionChanges {
                decisions: vec![
                    (t1, decision.clone()),
                    (t2, decision.clone()),
                    (t4, decision),
                ],
                invitations: vec![
                    inv(c1, Some(t1), 1, "2025-06-01", "m1"),
                    inv(c2, Some(t2), 1, "2025-12-01", "m2"),
                    inv(c2, Some(t5), 2, "2026-02-01", "m3"),
                    inv(c1, None, 2, "2025-05-01", "m4"),
                    inv(c1, Some(t3), 2, "2026-02-01", "m5"),
                    inv(c3, Some(t4), 1, "2026-02-01", "m6"),
                ],
                replaces_stored: false,
            },
            2_000,
        )?;
        out.push(format!("{ids:?}"));
        for since in ["2026-01-01", "2025-01-01", "2027-01-01"] {
            out.push(history(t.person_history(
                &[
                    PersonKey::stored(c1, Some("a@x.org")),
                    PersonKey::stored(c3, None),
                    PersonKey::stored(c2, Some("b@x.org")),
                ],
                d(since),
                &PERSON_KINDS,
            )?));
        }
        out.push(history(t.person_history(
            &[],
            d("2026-01-01"),
            &PERSON_KINDS,
        )?));
        // Only the kinds asked for (rules::policy::kinds_read).
        out.push(history(t.person_history(
            &[PersonKey::stored(c1, Some("a@x.org"))],
            d("2025-01-01"),
            &PERSON_KINDS[..1],
        )?));
        // P3: a record created in the same transaction (`own: false`) is read for the other
        // records with its contact only; its own rows are not looked up.
        let key = PersonKey::stored(c1, Some("a@x.org"));
        let all = t.person_history(&[key], d("2025-01-01"), &PERSON_KINDS)?;
        let others = t.person_history(
            &[PersonKey { own: false, ..key }],
            d("2025-01-01"),
            &PERSON_KINDS,
        )?;
        let all = all.by_customer.get(&c1).cloned().unwrap_or_default();
        let want: Vec<_> = all.iter().copied().filter(|p| p.customer != c1).collect();
        assert!(!want.is_empty() && want.len() < all.len(), "{all:?}");
        let mut got = others.by_customer.get(&c1).cloned().unwrap_or_default();
        let order =
            |p: &crate::rules::policy::PastInvitation| (p.customer, p.date, p.kind.as_str());
        got.sort_by_key(order);
        let mut want = want;
        want.sort_by_key(order);
        assert_eq!(got, want);
        out.push(history(others));
        out.push(format!(
            "{} {} {}",
            t.invitations_created_on(1, d("2026-02-01"))?,
            t.invitations_created_on(2, d("2026-02-01"))?,
            t.invitations_created_on(2, d("2025-05-01"))?
        ));
        out.push(format!(
            "{}",
            t.transactional_responses_between(1, 0, i64::MAX)?
        ));
        out.push(format!("{:?}", t.get_location_policy(1)?));
        t.set_location_policy(1, (Some(5), None, Some(7)))?;
        t.set_location_policy(2, (None, Some(50), None))?;
        t.set_location_policy(2, (None, Some(40), None))?;
        out.push(format!(
            "{:?} {:?}",
            t.get_location_policy(1)?,
            t.get_location_policy(2)?
        ));
        t.set_location_policy(1, (None, None, None))?;
        out.push(format!("{:?}", t.get_location_policy(1)?));
        out.push(format!("{:?}", t.get_calendar(0)?));
        let cal = Calendar {
            send_weekdays: vec![Weekday::ALL[0], Weekday::ALL[3]],
            closed_dates: vec![d("2026-12-25"), d("2026-01-01"), d("2026-12-25")],
            opening_hours: vec![OpeningHours {
                weekday: Weekday::ALL[3],
                opens: 9,
                closes: 18,
            }],
        };
        t.set_calendar(0, Some(&cal))?;
        t.set_calendar(1, Some(&cal))?;
        t.set_calendar(1, None)?;
        out.push(format!("{:?} {:?}", t.get_calendar(0)?, t.get_calendar(1)?));
        out.push(format!("{:?}", {
            let mut v: Vec<_> = t.refunded_among(&["t1", "t4", "zz"])?.into_iter().collect();
            v.sort();
            v
        }));
        out.push(format!(
            "{:?}",
            t.cancel_for_refund(t4, d("2026-02-02"), 3_000)?
        ));
        out.push(format!(
            "{:?}",
            t.cancel_for_refund(t4, d("2026-02-03"), 3_000)?
        ));
        out.push(format!(
            "{:?}",
            t.cancel_for_refund(t3 + 100, d("2026-02-03"), 3_000)?
        ));
        out.push(format!("{:?}", t.decisions_for_customer(c3, 5)?));
        out.push(format!(
            "{:?}",
            t.relationship_candidates(1, 0, None, &KnownSales::default())?
        ));
        out.push(format!(
            "{:?}",
            t.relationship_candidates(2, 0, None, &KnownSales::default())?
        ));
        out.push(format!(
            "{:?}",
            t.relationship_candidates(1, 250, None, &KnownSales::default())?
        ));
        out.push(format!(
            "{:?}",
            t.relationship_candidates(1, 0, Some(d("2025-12-31")), &KnownSales::default())?
        ));
        for (c, date, reason) in [
            (c1, "2026-01-01", None),
            (c1, "2026-03-01", Some(SkipReason::Cooldown)),
            (c1, "2026-03-01", None),
            (c2, "2025-03-01", Some(SkipReason::Cooldown)),
        ] {
            out.push(format!(
                "{}",
                t.insert_relationship_decision(
                    &RelationshipRow {
                        customer: c,
                        business_date: d(date),
                        location: 1,
                        invitation: None,
                        reason,
                        eligible_again_on: reason.map(|_| d("2027-01-01")),
                        related_customer: reason.map(|_| "c9"),
                    },
                    4_000,
                )?
            ));
        }
        // A night's decisions in one call: the one already stored (c1 on 2026-03-01) is
        // ignored, the others stored.
        let night = |c: i64, reason: Option<SkipReason>| RelationshipRow {
            customer: c,
            business_date: d("2026-03-01"),
            location: 2,
            invitation: None,
            reason,
            eligible_again_on: reason.map(|_| d("2027-03-01")),
            related_customer: None,
        };
        let stored = t.insert_relationship_decisions(
            &[
                night(c1, None),
                night(c2, Some(SkipReason::ContactCap)),
                night(c3, None),
            ],
            5_000,
        )?;
        assert_eq!(stored, 2);
        out.push(format!("{stored}"));
        assert_eq!(t.insert_relationship_decisions(&[], 5_000)?, 0);
        let mut last: Vec<_> = t
            .last_relationship_decisions(&[c1, c2, c3])?
            .into_iter()
            .collect();
        last.sort();
        out.push(format!("{last:?}"));
        out.push(format!("{:?}", t.last_relationship_decisions(&[])?));
        out.push(format!("{:?}", t.relationship_decisions(c1, 10)?));
        out.push(format!("{:?}", t.relationship_decisions(c1, 1)?));
        out.push(format!(
            "{:?} {:?}",
            t.last_invitation_zone(c1)?,
            t.last_invitation_zone(c3)?
        ));
        t.cancel_message("m5", Some(ids[4]), "no_send_slot", 5_000)?;
        t.cancel_message("m-none", None, "no_send_slot", 5_000)?;
        out.push(format!("{:?}", t.last_invitation_zone(c1)?));
        out.push(format!("{:?}", t.pending_invitations()?));
        Ok(out)
    }

    #[test]
    fn policy_answers_as_on_sqlite() {
        // SQLite first: the scenario's own assertions run even without a cluster.
        let lite = on_sqlite(|t| scenario(t));
        let Some(pg) = on_pg("pg-policy", |t| scenario(t)) else {
            return;
        };
        assert_eq!(pg, lite);
    }
}
