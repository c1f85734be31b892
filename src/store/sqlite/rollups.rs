//! Daily rollups (issue 8): per location × employee × local day, the responses, their NPS
//! categories and rating sums. Kept in the write transaction of every response insert and
//! deletion; employee 0 is the location's total, where each response counts once.

use std::collections::HashMap;

use chrono_tz::Tz;
use rusqlite::{Connection, OptionalExtension, params};

use crate::analytics::Totals;
use crate::error::Result;
use crate::rules::period::local_day;
use crate::store::rollups::TOTAL;

const COLUMNS: &str = "responses, promoters, passives, detractors, rated, rating_units";
const SUMS: &str = "coalesce(sum(responses), 0), coalesce(sum(promoters), 0),
    coalesce(sum(passives), 0), coalesce(sum(detractors), 0), coalesce(sum(rated), 0),
    coalesce(sum(rating_units), 0)";

/// Reads six summed columns starting at `i` into totals.
pub(crate) fn totals_at(r: &rusqlite::Row<'_>, i: usize) -> rusqlite::Result<Totals> {
    Ok(Totals {
        responses: r.get(i)?,
        promoters: r.get(i + 1)?,
        passives: r.get(i + 2)?,
        detractors: r.get(i + 3)?,
        rated: r.get(i + 4)?,
        rating_units: r.get(i + 5)?,
    })
}

fn tz_of(name: &str) -> Tz {
    name.parse().unwrap_or(Tz::UTC)
}

/// A stored response as the rollups see it.
struct Fact {
    location: i64,
    day: i64,
    totals: Totals,
}

fn fact(conn: &Connection, response: i64) -> Result<Option<Fact>> {
    Ok(conn
        .prepare_cached(
            "SELECT r.location_id, r.created_at, r.nps, r.rating, r.rating_scale, l.time_zone
             FROM responses r JOIN locations l ON l.id = r.location_id WHERE r.id = ?1",
        )?
        .query_row([response], |r| {
            let at: i64 = r.get(1)?;
            let rating: Option<u32> = r.get(3)?;
            let scale: Option<u32> = r.get(4)?;
            let tz: String = r.get(5)?;
            Ok(Fact {
                location: r.get(0)?,
                day: local_day(tz_of(&tz), at),
                totals: Totals::of_response(r.get(2)?, rating.zip(scale)),
            })
        })
        .optional()?)
}

fn bump(conn: &Connection, employee: i64, f: &Fact, sign: i64) -> Result<()> {
    let t = f.totals.times(sign);
    conn.prepare_cached(&format!(
        "INSERT INTO rollups_daily (employee_id, location_id, day, {COLUMNS})
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)
         ON CONFLICT (employee_id, location_id, day) DO UPDATE SET
           responses = responses + excluded.responses,
           promoters = promoters + excluded.promoters,
           passives = passives + excluded.passives,
           detractors = detractors + excluded.detractors,
           rated = rated + excluded.rated,
           rating_units = rating_units + excluded.rating_units"
    ))?
    .execute(params![
        employee,
        f.location,
        f.day,
        t.responses,
        t.promoters,
        t.passives,
        t.detractors,
        t.rated,
        t.rating_units
    ])?;
    if sign < 0 {
        conn.prepare_cached(
            "DELETE FROM rollups_daily
             WHERE employee_id = ?1 AND location_id = ?2 AND day = ?3 AND responses <= 0",
        )?
        .execute(params![employee, f.location, f.day])?;
    }
    Ok(())
}

fn credited(conn: &Connection, response: i64) -> Result<Vec<i64>> {
    let mut stmt = conn.prepare_cached(
        "SELECT te.employee_id FROM responses r
         JOIN transaction_employees te ON te.transaction_id = r.transaction_id
         WHERE r.id = ?1",
    )?;
    let rows = stmt.query_map([response], |r| r.get(0))?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

/// Counts (`sign` 1) or uncounts (−1) a stored response: its location's total and every
/// employee of its transaction (N2).
pub fn count_response(conn: &Connection, response: i64, sign: i64) -> Result<()> {
    let Some(f) = fact(conn, response)? else {
        return Ok(());
    };
    bump(conn, TOTAL, &f, sign)?;
    for e in credited(conn, response)? {
        bump(conn, e, &f, sign)?;
    }
    Ok(())
}

/// Moves a transaction's responses off (`sign` −1) or onto (1) the rollups of its current
/// employees, around a change of its employees.
pub fn count_transaction_employees(conn: &Connection, transaction: i64, sign: i64) -> Result<()> {
    let ids: Vec<i64> = conn
        .prepare_cached("SELECT id FROM responses WHERE transaction_id = ?1")?
        .query_map([transaction], |r| r.get(0))?
        .collect::<rusqlite::Result<_>>()?;
    for id in ids {
        if let Some(f) = fact(conn, id)? {
            for e in credited(conn, id)? {
                bump(conn, e, &f, sign)?;
            }
        }
    }
    Ok(())
}

/// Recomputes every rollup from the responses (the V5 backfill, and a repair); returns
/// the number of responses counted.
pub fn rebuild_rollups(conn: &Connection) -> Result<u64> {
    conn.execute("DELETE FROM rollups_daily", [])?;
    let zones: HashMap<i64, Tz> = conn
        .prepare("SELECT id, time_zone FROM locations")?
        .query_map([], |r| Ok((r.get(0)?, tz_of(&r.get::<_, String>(1)?))))?
        .collect::<rusqlite::Result<_>>()?;
    let mut sums: HashMap<(i64, i64, i64), Totals> = HashMap::new();
    let mut stmt = conn.prepare(
        "SELECT r.id, r.location_id, r.created_at, r.nps, r.rating, r.rating_scale,
                te.employee_id
         FROM responses r
         LEFT JOIN transaction_employees te ON te.transaction_id = r.transaction_id
         ORDER BY r.id",
    )?;
    let mut rows = stmt.query([])?;
    let (mut last, mut counted) = (None, 0u64);
    while let Some(r) = rows.next()? {
        let id: i64 = r.get(0)?;
        let location: i64 = r.get(1)?;
        let tz = zones.get(&location).copied().unwrap_or(Tz::UTC);
        let day = local_day(tz, r.get(2)?);
        let rating: Option<u32> = r.get(4)?;
        let scale: Option<u32> = r.get(5)?;
        let t = Totals::of_response(r.get(3)?, rating.zip(scale));
        if last != Some(id) {
            last = Some(id);
            counted += 1;
            sums.entry((TOTAL, location, day)).or_default().add(&t);
        }
        if let Some(e) = r.get::<_, Option<i64>>(6)? {
            sums.entry((e, location, day)).or_default().add(&t);
        }
    }
    let mut insert = conn.prepare(&format!(
        "INSERT INTO rollups_daily (employee_id, location_id, day, {COLUMNS})
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)"
    ))?;
    let mut keys: Vec<_> = sums.into_iter().collect();
    keys.sort_unstable_by_key(|(k, _)| *k);
    for ((e, l, d), t) in keys {
        insert.execute(params![
            e,
            l,
            d,
            t.responses,
            t.promoters,
            t.passives,
            t.detractors,
            t.rated,
            t.rating_units
        ])?;
    }
    Ok(counted)
}

/// Totals of one employee (or [`TOTAL`]) over local days `[from, until)`, at one location
/// or all of them.
pub fn rollup_totals(
    conn: &Connection,
    employee: i64,
    location: Option<i64>,
    (from, until): (i64, i64),
) -> Result<Totals> {
    let t = match location {
        Some(l) => conn
            .prepare_cached(&format!(
                "SELECT {SUMS} FROM rollups_daily
                 WHERE employee_id = ?1 AND location_id = ?2 AND day >= ?3 AND day < ?4"
            ))?
            .query_row(params![employee, l, from, until], |r| totals_at(r, 0))?,
        None => conn
            .prepare_cached(&format!(
                "SELECT {SUMS} FROM rollups_daily
                 WHERE employee_id = ?1 AND day >= ?2 AND day < ?3"
            ))?
            .query_row(params![employee, from, until], |r| totals_at(r, 0))?,
    };
    Ok(t)
}

/// Daily totals of one employee (or [`TOTAL`]) at one location over `[from, until)`.
pub fn rollup_days(
    conn: &Connection,
    employee: i64,
    location: i64,
    (from, until): (i64, i64),
) -> Result<Vec<(i64, Totals)>> {
    let mut stmt = conn.prepare_cached(&format!(
        "SELECT day, {COLUMNS} FROM rollups_daily
         WHERE employee_id = ?1 AND location_id = ?2 AND day >= ?3 AND day < ?4"
    ))?;
    let rows = stmt.query_map(params![employee, location, from, until], |r| {
        Ok((r.get(0)?, totals_at(r, 1)?))
    })?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

/// Totals per employee over every location and day (one pass over the employee rows).
pub fn rollup_all_employees(conn: &Connection) -> Result<Vec<(i64, Totals)>> {
    let mut stmt = conn.prepare_cached(&format!(
        "SELECT employee_id, {SUMS} FROM rollups_daily WHERE employee_id > 0
         GROUP BY employee_id"
    ))?;
    let rows = stmt.query_map([], |r| Ok((r.get(0)?, totals_at(r, 1)?)))?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

/// Totals per employee at one location over `[from, until)`.
pub fn rollup_employees(
    conn: &Connection,
    location: i64,
    (from, until): (i64, i64),
) -> Result<Vec<(i64, Totals)>> {
    let mut stmt = conn.prepare_cached(&format!(
        "SELECT employee_id, {SUMS} FROM rollups_daily
         WHERE employee_id > 0 AND location_id = ?1 AND day >= ?2 AND day < ?3
         GROUP BY employee_id"
    ))?;
    let rows = stmt.query_map(params![location, from, until], |r| {
        Ok((r.get(0)?, totals_at(r, 1)?))
    })?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

impl crate::store::RollupStore for super::SqliteTx<'_> {
    fn rebuild_rollups(&mut self) -> Result<u64> {
        rebuild_rollups(self.conn)
    }

    fn rollup_totals(
        &mut self,
        employee: i64,
        location: Option<i64>,
        range2: (i64, i64),
    ) -> Result<Totals> {
        rollup_totals(self.conn, employee, location, range2)
    }

    fn rollup_days(
        &mut self,
        employee: i64,
        location: i64,
        range2: (i64, i64),
    ) -> Result<Vec<(i64, Totals)>> {
        rollup_days(self.conn, employee, location, range2)
    }

    fn rollup_all_employees(&mut self) -> Result<Vec<(i64, Totals)>> {
        rollup_all_employees(self.conn)
    }

    fn rollup_employees(
        &mut self,
        location: i64,
        range1: (i64, i64),
    ) -> Result<Vec<(i64, Totals)>> {
        rollup_employees(self.conn, location, range1)
    }
}
