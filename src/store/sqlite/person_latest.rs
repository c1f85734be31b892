//! `person_latest` (schema 21): per customer and survey kind, the latest business date of
//! an invitation still pending or delivered, how many invitations of that date count and
//! how many of them were answered. It is what E4 and P1–P3 read of a person's past when
//! P2's yearly window is off (`policy::person_history`): one small row per customer
//! instead of a search of `invitations_person` and a read of each invitation's row, pages
//! a three-year store no longer has cached when a night asks (issue 25).
//!
//! Every statement of this store that creates an invitation, moves its status into or out
//! of pending/delivered, or stores or deletes an answer to one keeps the row here, in the
//! same transaction. Triggers would have kept it whoever wrote, but SQLite runs a
//! trigger's program for every row its statement touches, and a morning's acks
//! (pending → delivered, which changes nothing here) cost 15–26 k instructions more each
//! (`drain_2k` +8 to +13 %). The view `person_latest_recounted` is the same counted from
//! the invitations and responses themselves: the migration and a copy into the file fill
//! the table from it, `Engine::check` compares the two, and debug builds (every test)
//! compare them before each write transaction commits, so a writer that forgets fails
//! the test that meets it.

use chrono::NaiveDate;
use rusqlite::{Connection, OptionalExtension, params};

use crate::error::{Error, Result};
use crate::store::dates::date_text;

/// Counts invitations just created as pending (the sync's, in any order) into their
/// person's row: a later date than the row's replaces it, the same date adds one, an
/// earlier one changes nothing. One statement per invitation, in the order given (a sync
/// has about one per person and kind; folding them first cost a map as large as the
/// night's invitations for no fewer statements).
pub fn invited<'a>(
    conn: &Connection,
    created: impl IntoIterator<Item = (i64, &'a str, NaiveDate)>,
) -> Result<()> {
    let mut stmt = conn.prepare_cached(
        "INSERT INTO person_latest (customer_id, survey_kind, business_date, invited, answered)
         VALUES (?1, ?2, ?3, 1, 0)
         ON CONFLICT (customer_id, survey_kind) DO UPDATE SET
             invited = CASE WHEN business_date = excluded.business_date
                 THEN invited + 1 ELSE 1 END,
             answered = CASE WHEN business_date = excluded.business_date
                 THEN answered ELSE 0 END,
             business_date = excluded.business_date
         WHERE excluded.business_date >= business_date",
    )?;
    for (customer, kind, date) in created {
        stmt.execute(params![customer, kind, date_text(date)])?;
    }
    Ok(())
}

/// Counts the person and kind of `invitation` again from their invitations: after its
/// status left pending/delivered (cancelled, failed, bounced) or came back to it.
pub fn recount(conn: &Connection, invitation: i64) -> Result<()> {
    let Some((customer, kind)) = conn
        .prepare_cached("SELECT customer_id, survey_kind FROM invitations WHERE id = ?1")?
        .query_row([invitation], |r| {
            Ok((r.get::<_, i64>(0)?, r.get::<_, String>(1)?))
        })
        .optional()?
    else {
        return Ok(());
    };
    conn.prepare_cached("DELETE FROM person_latest WHERE customer_id = ?1 AND survey_kind = ?2")?
        .execute(params![customer, kind])?;
    conn.prepare_cached(RECOUNT)?
        .execute(params![customer, kind])?;
    Ok(())
}

/// One person's row counted by `person_latest_recounted` (the view's filter on its
/// grouped columns is pushed into it: a search of that person's invitations).
const RECOUNT: &str =
    "INSERT INTO person_latest (customer_id, survey_kind, business_date, invited, answered)
     SELECT customer_id, survey_kind, business_date, invited, answered
     FROM person_latest_recounted WHERE customer_id = ?1 AND survey_kind = ?2";

/// Counts an answer to `invitation` stored (`+1`) or deleted (`-1`): it changes the row
/// only when the invitation counts and is of its person's latest date.
pub fn answered(conn: &Connection, invitation: i64, change: i64) -> Result<()> {
    conn.prepare_cached(
        "UPDATE person_latest SET answered = answered + ?2
         WHERE (customer_id, survey_kind, business_date) = (
           SELECT customer_id, survey_kind, business_date FROM invitations
           WHERE id = ?1 AND status IN ('pending', 'delivered'))",
    )?
    .execute(params![invitation, change])?;
    Ok(())
}

/// Fills the table again from the invitations and responses (after rows were copied into
/// the file, which writes them without the statements above).
#[cfg(feature = "hosted")]
pub fn rebuild(conn: &Connection) -> Result<()> {
    conn.execute_batch(
        "DELETE FROM person_latest;
         INSERT INTO person_latest (customer_id, survey_kind, business_date, invited, answered)
         SELECT customer_id, survey_kind, business_date, invited, answered
         FROM person_latest_recounted;",
    )?;
    Ok(())
}

/// How many rows the table and `person_latest_recounted` do not share, both ways: 0 in a
/// sound store. Reads every counting invitation: for checks, not for a night.
pub fn drift(conn: &Connection) -> Result<i64> {
    Ok(conn.query_row(
        // The leading comment tells tests/query_plans.rs this is a check of the whole
        // table by design (debug builds run it before every commit), not a night's read.
        "-- whole-store check
         SELECT (SELECT count(*) FROM (SELECT * FROM person_latest
                                      EXCEPT SELECT * FROM person_latest_recounted))
              + (SELECT count(*) FROM (SELECT * FROM person_latest_recounted
                                      EXCEPT SELECT * FROM person_latest))",
        [],
        |r| r.get(0),
    )?)
}

/// Refuses with [`Error::Internal`] when the table disagrees with the invitations: `what`
/// wrote them, and nothing of it is committed. Debug builds run it before every commit,
/// the hosted admin's copy into a file always.
pub fn refuse_drift(conn: &Connection, what: &str) -> Result<()> {
    match drift(conn)? {
        0 => Ok(()),
        n => Err(Error::Internal(format!(
            "{what} left {n} rows of person_latest unlike the invitations; nothing was written"
        ))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::Store;

    /// A recount reads the one person's invitations through `invitations_person`, never
    /// the whole table (the view's filter is pushed into it).
    #[test]
    fn a_recount_searches_the_persons_invitations_only() {
        let store = Store::with_paris("");
        let plan: Vec<String> = store
            .conn
            .prepare(&format!("EXPLAIN QUERY PLAN {RECOUNT}"))
            .unwrap()
            .query_map(params![1, "transactional"], |r| r.get::<_, String>(3))
            .unwrap()
            .collect::<rusqlite::Result<_>>()
            .unwrap();
        assert!(
            plan.iter()
                .any(|l| l.contains("USING INDEX invitations_person")),
            "{plan:?}"
        );
        assert!(
            !plan
                .iter()
                .any(|l| l.starts_with("SCAN i") || l.starts_with("SCAN invitations")),
            "{plan:?}"
        );
    }
}
