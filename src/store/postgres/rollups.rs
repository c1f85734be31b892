//! Daily rollups on PostgreSQL (mirrors `store/sqlite/rollups.rs`): per location ×
//! employee × local day; employee 0 is the location's total. A change is summed per key
//! in memory and written in one `unnest` upsert, so a batch is a fixed number of
//! statements.

use std::collections::HashMap;

use chrono_tz::Tz;

use super::{PgTx, get};
use crate::analytics::Totals;
use crate::error::{Error, Result};
use crate::hosted::{Row, p};
use crate::rules::period::local_day;
use crate::store::rollups::TOTAL;

const COLUMNS: &str = "responses, promoters, passives, detractors, rated, rating_units";
const SUMS: &str = "coalesce(sum(responses), 0)::bigint, coalesce(sum(promoters), 0)::bigint,
    coalesce(sum(passives), 0)::bigint, coalesce(sum(detractors), 0)::bigint,
    coalesce(sum(rated), 0)::bigint, coalesce(sum(rating_units), 0)::bigint";

/// (employee, location, day) → totals.
type Sums = HashMap<(i64, i64, i64), Totals>;

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

fn tz_of(name: &str) -> Tz {
    name.parse().unwrap_or(Tz::UTC)
}

fn small<T: TryFrom<i64>>(v: Option<i64>) -> Result<Option<T>> {
    v.map(|v| {
        T::try_from(v)
            .map_err(|_| Error::Internal("postgres: a stored score is out of range".into()))
    })
    .transpose()
}

/// The totals of a response row read as `nps, rating, rating_scale` from column `i`.
fn response_totals(r: &Row, i: usize) -> Result<Totals> {
    let nps: Option<u8> = small(get(r, i)?)?;
    let rating: Option<u32> = small(get(r, i + 1)?)?;
    let scale: Option<u32> = small(get(r, i + 2)?)?;
    Ok(Totals::of_response(nps, rating.zip(scale)))
}

/// The rollup changes of responses `ids`: their location totals (when `totals`) and each
/// credited employee, times `sign`.
fn facts(t: &mut PgTx<'_>, ids: &[i64], totals: bool, sign: i64) -> Result<Sums> {
    let mut sums = Sums::new();
    if ids.is_empty() {
        return Ok(sums);
    }
    let rows = t.query(
        "SELECT r.id, r.location_id, r.created_at, r.nps, r.rating, r.rating_scale, l.time_zone,
                coalesce((SELECT array_agg(te.employee_id) FROM transaction_employees te
                          WHERE te.store_id = $1 AND te.transaction_id = r.transaction_id),
                         '{}')
         FROM responses r JOIN locations l ON l.store_id = r.store_id AND l.id = r.location_id
         WHERE r.store_id = $1 AND r.id = ANY($2::bigint[])",
        vec![p(ids.to_vec())],
    )?;
    for r in &rows {
        let location: i64 = get(r, 1)?;
        let tz: String = get(r, 6)?;
        let day = local_day(tz_of(&tz), get(r, 2)?);
        let f = response_totals(r, 3)?.times(sign);
        if totals {
            sums.entry((TOTAL, location, day)).or_default().add(&f);
        }
        for e in get::<Vec<i64>>(r, 7)? {
            sums.entry((e, location, day)).or_default().add(&f);
        }
    }
    Ok(sums)
}

/// Adds `sums` to the stored rollups in one statement; drops the rows a removal emptied.
fn apply(t: &mut PgTx<'_>, sums: Sums) -> Result<()> {
    if sums.is_empty() {
        return Ok(());
    }
    let mut keys: Vec<_> = sums.into_iter().collect();
    keys.sort_unstable_by_key(|(k, _)| *k);
    let mut cols: [Vec<i64>; 9] = Default::default();
    let removal = keys.iter().any(|(_, s)| s.responses < 0);
    for ((e, l, d), s) in keys {
        for (c, v) in cols.iter_mut().zip([
            e,
            l,
            d,
            s.responses,
            s.promoters,
            s.passives,
            s.detractors,
            s.rated,
            s.rating_units,
        ]) {
            c.push(v);
        }
    }
    let [e, l, d, a, b, c, dd, r, u] = cols;
    t.execute(
        &format!(
            "INSERT INTO rollups_daily (store_id, employee_id, location_id, day, {COLUMNS})
             SELECT $1, * FROM unnest($2::bigint[], $3::bigint[], $4::bigint[], $5::bigint[],
               $6::bigint[], $7::bigint[], $8::bigint[], $9::bigint[], $10::bigint[])
             ON CONFLICT (store_id, employee_id, location_id, day) DO UPDATE SET
               responses = rollups_daily.responses + excluded.responses,
               promoters = rollups_daily.promoters + excluded.promoters,
               passives = rollups_daily.passives + excluded.passives,
               detractors = rollups_daily.detractors + excluded.detractors,
               rated = rollups_daily.rated + excluded.rated,
               rating_units = rollups_daily.rating_units + excluded.rating_units"
        ),
        vec![
            p(e.clone()),
            p(l.clone()),
            p(d.clone()),
            p(a),
            p(b),
            p(c),
            p(dd),
            p(r),
            p(u),
        ],
    )?;
    if removal {
        t.execute(
            "DELETE FROM rollups_daily
             WHERE store_id = $1 AND responses <= 0
               AND (employee_id, location_id, day)
                   IN (SELECT * FROM unnest($2::bigint[], $3::bigint[], $4::bigint[]))",
            vec![p(e), p(l), p(d)],
        )?;
    }
    Ok(())
}

/// Counts (`sign` 1) or uncounts (−1) stored responses: their location's total and every
/// employee of their transaction (N2).
pub(super) fn count_responses(t: &mut PgTx<'_>, responses: &[i64], sign: i64) -> Result<()> {
    let sums = facts(t, responses, true, sign)?;
    apply(t, sums)
}

/// Moves a transaction's responses off (`sign` −1) or onto (1) the rollups of its current
/// employees, around a change of its employees.
pub(super) fn count_transaction_employees(
    t: &mut PgTx<'_>,
    transaction: i64,
    sign: i64,
) -> Result<()> {
    let ids: Vec<i64> = t
        .query(
            "SELECT id FROM responses WHERE store_id = $1 AND transaction_id = $2",
            vec![p(transaction)],
        )?
        .iter()
        .map(|r| get(r, 0))
        .collect::<Result<_>>()?;
    let sums = facts(t, &ids, false, sign)?;
    apply(t, sums)
}

impl crate::store::RollupStore for PgTx<'_> {
    fn rebuild_rollups(&mut self) -> Result<u64> {
        self.execute("DELETE FROM rollups_daily WHERE store_id = $1", vec![])?;
        let ids: Vec<i64> = self
            .query("SELECT id FROM responses WHERE store_id = $1", vec![])?
            .iter()
            .map(|r| get(r, 0))
            .collect::<Result<_>>()?;
        let sums = facts(self, &ids, true, 1)?;
        apply(self, sums)?;
        Ok(ids.len() as u64)
    }

    fn rollup_totals(
        &mut self,
        employee: i64,
        location: Option<i64>,
        (from, until): (i64, i64),
    ) -> Result<Totals> {
        let row = match location {
            Some(l) => self.query_one(
                &format!(
                    "SELECT {SUMS} FROM rollups_daily
                     WHERE store_id = $1 AND employee_id = $2 AND location_id = $3
                       AND day >= $4 AND day < $5"
                ),
                vec![p(employee), p(l), p(from), p(until)],
            )?,
            None => self.query_one(
                &format!(
                    "SELECT {SUMS} FROM rollups_daily
                     WHERE store_id = $1 AND employee_id = $2 AND day >= $3 AND day < $4"
                ),
                vec![p(employee), p(from), p(until)],
            )?,
        };
        totals_at(&row, 0)
    }

    fn rollup_days(
        &mut self,
        employee: i64,
        location: i64,
        (from, until): (i64, i64),
    ) -> Result<Vec<(i64, Totals)>> {
        self.query(
            &format!(
                "SELECT day, {COLUMNS} FROM rollups_daily
                 WHERE store_id = $1 AND employee_id = $2 AND location_id = $3
                   AND day >= $4 AND day < $5
                 ORDER BY day"
            ),
            vec![p(employee), p(location), p(from), p(until)],
        )?
        .iter()
        .map(|r| Ok((get(r, 0)?, totals_at(r, 1)?)))
        .collect()
    }

    fn rollup_all_employees(&mut self) -> Result<Vec<(i64, Totals)>> {
        self.query(
            &format!(
                "SELECT employee_id, {SUMS} FROM rollups_daily
                 WHERE store_id = $1 AND employee_id > 0
                 GROUP BY employee_id ORDER BY employee_id"
            ),
            vec![],
        )?
        .iter()
        .map(|r| Ok((get(r, 0)?, totals_at(r, 1)?)))
        .collect()
    }

    fn rollup_employees(
        &mut self,
        location: i64,
        (from, until): (i64, i64),
    ) -> Result<Vec<(i64, Totals)>> {
        self.query(
            &format!(
                "SELECT employee_id, {SUMS} FROM rollups_daily
                 WHERE store_id = $1 AND employee_id > 0 AND location_id = $2
                   AND day >= $3 AND day < $4
                 GROUP BY employee_id ORDER BY employee_id"
            ),
            vec![p(location), p(from), p(until)],
        )?
        .iter()
        .map(|r| Ok((get(r, 0)?, totals_at(r, 1)?)))
        .collect()
    }
}

#[cfg(test)]
mod tests {
    use chrono::NaiveDate;

    use super::*;
    use crate::model::{Employee, Location, Role, TransactionKind};
    use crate::store::postgres::values::flag;
    use crate::store::postgres::values::testkit::{on_pg, on_sqlite};
    use crate::store::responses::ResponseRow;
    use crate::store::transactions::TransactionRow;
    use crate::store::{LocationStore, RollupStore, TransactionStore};

    /// A response as the scenario adds it: location, transaction, nps, rating, instant.
    type Add<'a, T> = &'a mut dyn FnMut(
        &mut T,
        i64,
        Option<i64>,
        Option<u8>,
        Option<(u32, u32)>,
        i64,
    ) -> Result<()>;

    fn response(
        location: i64,
        transaction: Option<i64>,
        nps: Option<u8>,
        rating: Option<(u32, u32)>,
    ) -> ResponseRow {
        ResponseRow {
            source: "receipt",
            invitation: None,
            location,
            customer: None,
            transaction,
            nps,
            rating,
            score_base10: None,
            unhappy: false,
            sentiment: "unknown",
            facets_json: "[]".into(),
            comment: None,
            answers_json: "[]".into(),
            consent_to_reply: false,
            review_link_shown: false,
            completed: true,
        }
    }

    fn scenario<T: RollupStore + TransactionStore + LocationStore + ?Sized>(
        t: &mut T,
        add: Add<'_, T>,
    ) -> Result<Vec<String>> {
        let mut out = Vec::new();
        t.upsert_location(&Location::new("paris", "P", "Europe/Paris"))?;
        t.upsert_location(&Location::new("utc", "U", "UTC"))?;
        for (id, role) in [
            ("e1", Role::Salesperson),
            ("e2", Role::Driver),
            ("e3", Role::Driver),
        ] {
            t.upsert_employee(&Employee {
                id: id.into(),
                name: None,
                role,
            })?;
        }
        let date = NaiveDate::from_ymd_opt(2026, 3, 1).unwrap();
        let tx = |host: &str, location| TransactionRow {
            host_id: host.into(),
            location,
            customer: None,
            kind: TransactionKind::Sale,
            amount_minor: 1,
            currency: "EUR".into(),
            finalized_at_ms: Some(1),
            excluded: false,
            refers_to: None,
        };
        let t1 = t.insert_transaction(&tx("t1", 1), &["e1".into(), "e2".into()], date)?;
        let t2 = t.insert_transaction(&tx("t2", 2), &["e2".into()], date)?;
        let day = 86_400_000;
        // 23:30 UTC is the next day in Paris.
        add(
            t,
            1,
            Some(t1),
            Some(10),
            Some((4, 5)),
            20_000 * day + 84_600_000,
        )?;
        add(t, 1, Some(t1), Some(3), None, 20_000 * day + 1_000)?;
        add(t, 1, None, None, Some((2, 5)), 20_001 * day)?;
        add(t, 2, Some(t2), Some(8), Some((5, 5)), 20_002 * day)?;
        add(t, 2, Some(t2), Some(9), None, 20_002 * day + 5)?;
        let all = (0, i64::MAX);
        let reads = |t: &mut T, out: &mut Vec<String>| -> Result<()> {
            for e in [TOTAL, 1, 2, 3] {
                out.push(format!("{:?}", t.rollup_totals(e, None, all)?));
                out.push(format!("{:?}", t.rollup_totals(e, Some(1), all)?));
                out.push(format!("{:?}", t.rollup_days(e, 1, all)?));
                out.push(format!("{:?}", t.rollup_days(e, 2, (20_002, 20_003))?));
            }
            out.push(format!(
                "{:?}",
                t.rollup_totals(TOTAL, Some(1), (20_001, 20_002))?
            ));
            out.push(format!("{:?}", t.rollup_all_employees()?));
            out.push(format!("{:?}", t.rollup_employees(1, all)?));
            out.push(format!("{:?}", t.rollup_employees(2, (0, 20_002))?));
            Ok(())
        };
        reads(t, &mut out)?;
        // The credit moves with the employees (e1 off, e3 on).
        t.update_transaction(t1, &tx("t1", 1), Some(&["e2".into(), "e3".into()]))?;
        reads(t, &mut out)?;
        out.push(format!("{}", t.rebuild_rollups()?));
        reads(t, &mut out)?;
        Ok(out)
    }

    #[test]
    fn rollups_answer_as_on_sqlite() {
        let Some(pg) = on_pg("pg-rollups", |t| {
            scenario(t, &mut |t, location, transaction, nps, rating, at| {
                let id = t.next_ids("responses", 1)?;
                t.execute(
                    "INSERT INTO responses (store_id, id, source, location_id, transaction_id,
                       nps, rating, rating_scale, unhappy, sentiment, facets, answers,
                       consent_to_reply, review_link_shown, created_at, completed_at)
                     VALUES ($1, $2, 'receipt', $3, $4, $5, $6, $7, $8, 'unknown', '[]', '[]',
                       0, 0, $9, $9)",
                    vec![
                        p(id),
                        p(location),
                        p(transaction),
                        p(nps.map(i64::from)),
                        p(rating.map(|r| i64::from(r.0))),
                        p(rating.map(|r| i64::from(r.1))),
                        p(flag(false)),
                        p(at),
                    ],
                )?;
                count_responses(t, &[id], 1)
            })
        }) else {
            return;
        };
        let lite = on_sqlite(|t| {
            scenario(t, &mut |t, location, transaction, nps, rating, at| {
                t.insert_response(&response(location, transaction, nps, rating), at)
                    .map(|_| ())
            })
        });
        assert_eq!(pg, lite);
    }
}
