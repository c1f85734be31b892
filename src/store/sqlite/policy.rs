//! The contact policy's rows (P1–P8): per-location volume rules, calendars, the history of
//! a person, the counts of a location's day and month, refunds, relationship decisions.

use crate::hash::{HashMap, HashSet};

use chrono::NaiveDate;
use rusqlite::{Connection, OptionalExtension, params};

use super::StoredDate;
use crate::error::{Error, Result};
use crate::model::{Calendar, RelationshipDecision, SkipReason, SurveyKind, Weekday};
use crate::rules::policy::PastInvitation;
use crate::store::dates::date_text;
use crate::store::policy::{
    History, KnownSales, LatestPurchase, PersonKey, RelationshipRow, VolumeOverrides,
};

/// The location's own volume rules (P4), each `None` when it keeps the store's.
pub fn get_location_policy(conn: &Connection, location: i64) -> Result<VolumeOverrides> {
    Ok(conn
        .prepare_cached(
            "SELECT daily_cap, sample_percent, monthly_response_quota
             FROM location_policies WHERE location_id = ?1",
        )?
        .query_row([location], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
        .optional()?
        .unwrap_or((None, None, None)))
}

/// Replaces the location's own volume rules (P4). Rules that all keep the store's values
/// are stored as no row, as a location that never had its own, so setting what
/// [`get_location_policy`] read changes nothing (T12).
pub fn set_location_policy(conn: &Connection, location: i64, v: VolumeOverrides) -> Result<()> {
    if v == (None, None, None) {
        conn.prepare_cached("DELETE FROM location_policies WHERE location_id = ?1")?
            .execute([location])?;
        return Ok(());
    }
    conn.prepare_cached(
        "INSERT OR REPLACE INTO location_policies
           (location_id, daily_cap, sample_percent, monthly_response_quota)
         VALUES (?1, ?2, ?3, ?4)",
    )?
    .execute(params![location, v.0, v.1, v.2])?;
    Ok(())
}

/// The calendar of a scope ([`STORE_SCOPE`] or a location row id), if it has one (P5).
pub fn get_calendar(conn: &Connection, scope: i64) -> Result<Option<Calendar>> {
    let mut stmt = conn.prepare_cached(
        "SELECT weekday, sends, opens, closes FROM calendar_days WHERE scope = ?1
         ORDER BY weekday",
    )?;
    let days = stmt
        .query_map([scope], |r| {
            Ok((
                usize::try_from(r.get::<_, u32>(0)?).unwrap_or(usize::MAX),
                r.get::<_, bool>(1)?,
                r.get::<_, Option<u32>>(2)?,
                r.get::<_, Option<u32>>(3)?,
            ))
        })?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    let Some(mut cal) = crate::store::policy::calendar_from_days(&days) else {
        return Ok(None);
    };
    let mut stmt =
        conn.prepare_cached("SELECT date FROM closed_dates WHERE scope = ?1 ORDER BY date")?;
    cal.closed_dates = stmt
        .query_map([scope], |r| r.get(0))?
        .collect::<rusqlite::Result<_>>()?;
    Ok(Some(cal))
}

/// Replaces the calendar of a scope; `None` removes a location's own calendar.
pub fn set_calendar(conn: &Connection, scope: i64, cal: Option<&Calendar>) -> Result<()> {
    conn.prepare_cached("DELETE FROM calendar_days WHERE scope = ?1")?
        .execute([scope])?;
    conn.prepare_cached("DELETE FROM closed_dates WHERE scope = ?1")?
        .execute([scope])?;
    let Some(cal) = cal else {
        return Ok(());
    };
    let mut day = conn.prepare_cached(
        "INSERT INTO calendar_days (scope, weekday, sends, opens, closes)
         VALUES (?1, ?2, ?3, ?4, ?5)",
    )?;
    for w in Weekday::ALL {
        let hours = cal.opening_hours.iter().find(|h| h.weekday == w);
        day.execute(params![
            scope,
            w.index(),
            cal.send_weekdays.contains(&w),
            hours.map(|h| h.opens),
            hours.map(|h| h.closes)
        ])?;
    }
    let mut closed =
        conn.prepare_cached("INSERT OR IGNORE INTO closed_dates (scope, date) VALUES (?1, ?2)")?;
    for d in &cal.closed_dates {
        closed.execute(params![scope, d])?;
    }
    Ok(())
}

/// The history of each `(customer row id, contact)` in one query, as much of it as the
/// rules read on a date whose `rules::policy::history_since` is `since`
/// (`rules::policy::bounded_history`): every invitation from `since` on, and of the older
/// ones of each kind those of the latest date. Each part is a range of an index, so the
/// cost follows the rules' window, not the years a store has been running.
///
/// Without a window (`since` is `rules::time::MAX_DATE`: P2's year off) a record's own
/// part is its row of `person_latest` per kind (schema 21), one small row per customer
/// instead of a search of `invitations_person` and a read of each invitation's row.
pub fn person_history(
    conn: &Connection,
    keys: &[PersonKey<'_>],
    since: NaiveDate,
    kinds: &[SurveyKind],
) -> Result<History> {
    let own = if since == crate::rules::time::MAX_DATE {
        OWN_LATEST
    } else {
        OWN_SINCE
    };
    person_history_reading(conn, keys, since, kinds, own)
}

/// [`person_history`] with the record's own part read by `own` ([`OWN_SINCE`] or
/// [`OWN_LATEST`]).
fn person_history_reading(
    conn: &Connection,
    keys: &[PersonKey<'_>],
    since: NaiveDate,
    kinds: &[SurveyKind],
    own: &str,
) -> Result<History> {
    let mut out = History {
        by_customer: HashMap::default(),
        host_ids: HashMap::default(),
    };
    if keys.is_empty() || kinds.is_empty() {
        return Ok(out);
    }
    // The kinds as a VALUES list of their fixed names (one cached statement per set).
    let kinds: Vec<String> = (kinds.iter())
        .map(|k| format!("('{}')", k.as_str()))
        .collect();
    let keys: Vec<(i64, Option<&str>, bool)> = (keys.iter())
        .map(|k| (k.customer, k.contact, k.own))
        .collect();
    let json = serde_json::to_string(&keys).unwrap_or_default();
    let mut stmt = conn.prepare_cached(&format!(
        // The keys are read once (MATERIALIZED) and drive each join (CROSS JOIN keeps them
        // the outer loop), so each looks invitations up by index: per key and survey kind,
        // one range of the index from the latest date before ?2 (the last entry of an index
        // range below ?2, found first; ?2 itself when there is none) on. Rows between that
        // date and ?2 are older than the window but not the latest: none passes the status
        // filter, by the choice of that date. The first part finds the record's own
        // invitations (none for a key without `own`: a record created in this
        // transaction); the second only other records' with the contact (so the parts do
        // not overlap and none needs de-duplication), and their host ids.
        "WITH k(cid, contact, own) AS MATERIALIZED (
           SELECT json_extract(value, '$[0]'), json_extract(value, '$[1]'),
                  json_extract(value, '$[2]') FROM json_each(?1)),
         s(kind) AS (VALUES {kinds})
         {own}
         UNION ALL
         SELECT k.cid, i.survey_kind, i.business_date, i.customer_id, c.host_id, 1,
                EXISTS (SELECT 1 FROM responses r WHERE r.invitation_id = i.id)
         FROM k CROSS JOIN s CROSS JOIN invitations i
         JOIN customers c ON c.id = i.customer_id
         WHERE k.contact IS NOT NULL AND i.contact = k.contact AND i.survey_kind = s.kind
           AND i.business_date >= coalesce((
             SELECT j.business_date FROM invitations j
             WHERE j.contact = k.contact AND j.survey_kind = s.kind AND j.business_date < ?2
               AND j.customer_id <> k.cid AND j.status IN ('pending', 'delivered')
             ORDER BY j.business_date DESC LIMIT 1), ?2)
           AND i.customer_id <> k.cid AND i.status IN ('pending', 'delivered')",
        kinds = kinds.join(", "),
    ))?;
    let rows = stmt.query_map(params![json, since], |r| {
        Ok((
            r.get::<_, i64>(0)?,
            r.get::<_, String>(1)?,
            r.get::<_, StoredDate>(2)?.0,
            r.get::<_, i64>(3)?,
            r.get::<_, Option<String>>(4)?,
            r.get::<_, u32>(5)?,
            r.get::<_, u32>(6)?,
        ))
    })?;
    for row in rows {
        let (asked, kind, date, customer, host_id, invited, answered) = row?;
        let Some(kind) = SurveyKind::parse(&kind) else {
            continue;
        };
        if let Some(host_id) = host_id {
            out.host_ids.insert(customer, host_id);
        }
        let past = out.by_customer.entry(asked).or_default();
        for n in 0..invited {
            past.push(PastInvitation {
                kind,
                date,
                customer,
                answered: n < answered,
            });
        }
    }
    Ok(out)
}

/// [`person_history`]'s own part with a window (P2's year): the record's invitations from
/// `?2` on and, per kind, those of the latest counting date before it, one row each.
const OWN_SINCE: &str = "SELECT k.cid, i.survey_kind, i.business_date, i.customer_id, NULL, 1,
                EXISTS (SELECT 1 FROM responses r WHERE r.invitation_id = i.id)
         FROM k CROSS JOIN s CROSS JOIN invitations i
         WHERE k.own AND i.customer_id = k.cid AND i.survey_kind = s.kind
           AND i.business_date >= coalesce((
             SELECT j.business_date FROM invitations j
             WHERE j.customer_id = k.cid AND j.survey_kind = s.kind AND j.business_date < ?2
               AND j.status IN ('pending', 'delivered')
             ORDER BY j.business_date DESC LIMIT 1), ?2)
           AND i.status IN ('pending', 'delivered')";

/// [`person_history`]'s own part without a window: the latest counting date of each kind,
/// with how many invitations of it count and how many were answered, from the record's
/// one row of `person_latest` per kind (schema version 21).
const OWN_LATEST: &str = "SELECT k.cid, p.survey_kind, p.business_date, k.cid, NULL, p.invited,
                p.answered
         FROM k CROSS JOIN s CROSS JOIN person_latest p
         WHERE k.own AND p.customer_id = k.cid AND p.survey_kind = s.kind";

/// Transactional invitations the location already created for a business date (P4).
pub fn invitations_created_on(conn: &Connection, location: i64, date: NaiveDate) -> Result<u32> {
    Ok(conn
        .prepare_cached(
            "SELECT count(*) FROM invitations WHERE location_id = ?1 AND business_date = ?2
               AND survey_kind = 'transactional'",
        )?
        .query_row(params![location, date], |r| r.get(0))?)
}

/// Responses to the location's transactional invitations received in `[from_ms, to_ms)`.
pub fn transactional_responses_between(
    conn: &Connection,
    location: i64,
    from_ms: i64,
    to_ms: i64,
) -> Result<u32> {
    Ok(conn
        .prepare_cached(
            // A response to an invitation is stored at the invitation's location, so the
            // month is a range of `responses_location`.
            "SELECT count(*) FROM responses r JOIN invitations i ON i.id = r.invitation_id
             WHERE r.location_id = ?1 AND i.survey_kind = 'transactional'
               AND r.source = 'invitation' AND r.created_at >= ?2 AND r.created_at < ?3",
        )?
        .query_row(params![location, from_ms, to_ms], |r| r.get(0))?)
}

/// The sales among `host_ids` that a stored refund or void names (P6): one read of the
/// refunds' partial index when the ids are in order, else a probe per sale (an IN list over
/// json_each first built a temporary index of every id, ~2,800 instructions a sale).
pub fn refunded_among(conn: &Connection, host_ids: &[&str]) -> Result<HashSet<String>> {
    Ok(super::stored_among(
        conn,
        REFUNDS_IN_RANGE,
        "SELECT id FROM transactions WHERE refers_to = ?1 LIMIT 1",
        host_ids,
    )?
    .into_iter()
    .map(|(sale, _)| sale.to_owned())
    .collect())
}

/// The refunds naming a host id in a range, in [`super::in_key_range`]'s shape.
const REFUNDS_IN_RANGE: &str = "SELECT refers_to, id FROM transactions
  WHERE refers_to BETWEEN ?1 AND ?2 ORDER BY refers_to LIMIT ?3";

/// P6: a refund of a decided sale: its invitation, if not yet delivered, is cancelled
/// (releasing the cooldown) with its messages, its undelivered reminders are cancelled,
/// and the decision records the date. Returns whether the invitation was cancelled.
pub fn cancel_for_refund(
    conn: &Connection,
    sale: i64,
    date: NaiveDate,
    now_ms: i64,
) -> Result<Option<i64>> {
    let invitation: Option<(i64, String)> = conn
        .prepare_cached(
            "SELECT id, status FROM invitations WHERE transaction_id = ?1
               AND trigger = 'transaction'",
        )?
        .query_row([sale], |r| Ok((r.get(0)?, r.get(1)?)))
        .optional()?;
    let Some((invitation, status)) = invitation else {
        return Ok(None);
    };
    let cancel_invitation = status == "pending";
    conn.prepare_cached(
        "UPDATE outbox SET status = 'cancelled', lease_until = NULL, cancel_reason = 'refunded',
           updated_at = ?3
         WHERE invitation_id = ?1 AND status IN ('pending', 'in_flight')
           AND (?2 OR kind IN ('review_reminder', 'survey_reminder'))",
    )?
    .execute(params![invitation, cancel_invitation, now_ms])?;
    if cancel_invitation {
        conn.prepare_cached("UPDATE invitations SET status = 'cancelled' WHERE id = ?1")?
            .execute([invitation])?;
        super::person_latest::recount(conn, invitation)?;
        conn.prepare_cached(
            "UPDATE decisions SET cancelled_on = ?2, cancel_reason = 'refunded'
             WHERE transaction_id = ?1 AND cancelled_on IS NULL",
        )?
        .execute(params![sale, date])?;
    }
    Ok(cancel_invitation.then_some(invitation))
}

/// P7: customers whose latest purchase (not a refund or void, nor refunded) was at the
/// location and finalized at or after `since_ms`, without those whose own relationship
/// invitation is dated after `held_after` (see [`crate::store::policy::PolicyStore`]).
/// Of two purchases at the same instant, the one stored first counts.
pub fn relationship_candidates(
    conn: &Connection,
    location: i64,
    since_ms: i64,
    held_after: Option<NaiveDate>,
    known: &KnownSales<'_>,
) -> Result<Vec<LatestPurchase>> {
    // In phases, so the rows read follow the window's customers P1 does not hold rather
    // than the window's sales. First the window's entries, by customer, latest first; a
    // customer who bought nothing at the location in the window is no candidate.
    let window = window_entries(conn, location, since_ms)?;
    let mut customers: Vec<&[WindowEntry]> = (window.chunk_by(|a, b| a.customer == b.customer))
        .filter(|entries| entries.iter().any(|e| e.at_location))
        .collect();
    // Then without the customers P1's cooldown holds, before any row is read (most of a
    // year's active customers, every night).
    if let Some(held_after) = held_after {
        let ids: Vec<i64> = customers.iter().map(|e| e[0].customer).collect();
        let held = held_among(conn, &ids, held_after)?;
        customers.retain(|e| !held.contains(&e[0].customer));
    }
    if customers.is_empty() {
        return Ok(Vec::new());
    }
    // Then each customer's latest entry: kept when it counts and was at the location;
    // after one that does not count (a refund is rarely a customer's last word), the
    // customer's other entries are read and the first that counts is taken.
    let latest: Vec<&WindowEntry> = customers.iter().map(|e| &e[0]).collect();
    let latest = entry_facts(conn, location, &latest, known)?;
    let mut out = Vec::new();
    for (entries, facts) in customers.iter().zip(latest) {
        let counting = if facts.counts {
            Some(facts)
        } else {
            let rest: Vec<&WindowEntry> = entries[1..].iter().collect();
            (entry_facts(conn, location, &rest, known)?.into_iter()).find(|f| f.counts)
        };
        if let Some(EntryFacts {
            transaction,
            finalized_at_ms,
            at_location: true,
            ..
        }) = counting
        {
            out.push(LatestPurchase {
                customer: entries[0].customer,
                transaction,
                finalized_at_ms,
            });
        }
    }
    Ok(out)
}

/// What P7 reads of one window entry's transaction.
struct EntryFacts {
    transaction: String,
    finalized_at_ms: i64,
    at_location: bool,
    counts: bool,
}

/// [`EntryFacts`] of each of `entries`, in order: from `known` where the caller knows the
/// transaction (tonight's sales: on P7's first night, most of its candidates), the other
/// rows read together by [`entry_rows`].
fn entry_facts(
    conn: &Connection,
    location: i64,
    entries: &[&WindowEntry],
    known: &KnownSales<'_>,
) -> Result<Vec<EntryFacts>> {
    let unknown: Vec<i64> = (entries.iter())
        .filter(|e| !known.contains_key(&e.rowid))
        .map(|e| e.rowid)
        .collect();
    let mut read = entry_rows(conn, location, &unknown)?.into_iter();
    (entries.iter())
        .map(|e| match known.get(&e.rowid) {
            Some(k) => Ok(EntryFacts {
                transaction: k.host_id.to_owned(),
                finalized_at_ms: e.at,
                at_location: e.at_location,
                counts: k.counts,
            }),
            None => {
                let (transaction, finalized_at_ms, at_location, counts) =
                    read.next().ok_or_else(|| {
                        Error::Internal("P7: a window entry's row was not read".into())
                    })?;
                Ok(EntryFacts {
                    transaction,
                    finalized_at_ms,
                    at_location,
                    counts,
                })
            }
        })
        .collect()
}

/// P7's window: its entries of `transactions_customer_period` alone (customer, time, row
/// id, at the location or not: no row is read), ordered here by customer, latest first,
/// and of two at one instant the one stored first (cheaper than SQLite's sorter).
#[inline(never)]
fn window_entries(conn: &Connection, location: i64, since_ms: i64) -> Result<Vec<WindowEntry>> {
    let mut stmt = conn.prepare_cached(concat!(
        "SELECT customer_id, finalized_at, rowid, location_id = ?2
         FROM transactions INDEXED BY transactions_customer_period
         WHERE ",
        transaction_period!(""),
        " >= ?1 / 2592000000 AND finalized_at >= ?1 AND customer_id IS NOT NULL",
    ))?;
    let mut window: Vec<WindowEntry> = stmt
        .query_map(params![since_ms, location], |r| {
            Ok(WindowEntry {
                customer: r.get(0)?,
                at: r.get(1)?,
                rowid: r.get(2)?,
                at_location: r.get(3)?,
            })
        })?
        .collect::<rusqlite::Result<_>>()?;
    window.sort_unstable_by(|a, b| {
        (a.customer.cmp(&b.customer))
            .then(b.at.cmp(&a.at))
            .then(a.rowid.cmp(&b.rowid))
    });
    Ok(window)
}

/// The customers among `customers` whose own relationship invitation, pending or
/// delivered, is dated after `held_after` (P1): one search each of
/// `invitations_relationship_held` (schema 20), which answers without the row (the planner
/// would take `invitations_person` and read each row's status).
#[inline(never)]
fn held_among(conn: &Connection, customers: &[i64], held_after: NaiveDate) -> Result<HashSet<i64>> {
    let mut stmt = conn.prepare_cached(
        "SELECT e.value FROM json_each(?1) e
         WHERE EXISTS (
           SELECT 1 FROM invitations i INDEXED BY invitations_relationship_held
           WHERE i.customer_id = e.value AND i.survey_kind = 'relationship'
             AND i.business_date > ?2 AND i.status IN ('pending', 'delivered'))",
    )?;
    let json = serde_json::to_string(customers).unwrap_or_default();
    Ok(stmt
        .query_map(params![json, date_text(held_after)], |r| r.get(0))?
        .collect::<rusqlite::Result<_>>()?)
}

/// The transactions `rowids`, in order: host id, time, whether at the location, and
/// whether it is a purchase that counts (see [`COUNTS`]).
#[inline(never)]
fn entry_rows(
    conn: &Connection,
    location: i64,
    rowids: &[i64],
) -> Result<Vec<(String, i64, bool, bool)>> {
    if rowids.is_empty() {
        return Ok(Vec::new());
    }
    let mut stmt = conn.prepare_cached(&format!(
        "SELECT t.rowid, t.host_id, t.finalized_at, t.location_id = ?2, {COUNTS}
         FROM json_each(?1) e JOIN transactions t ON t.rowid = e.value"
    ))?;
    let json = serde_json::to_string(rowids).unwrap_or_default();
    let rows: Vec<(i64, (String, i64, bool, bool))> = stmt
        .query_map(params![json, location], |r| {
            Ok((r.get(0)?, (r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?)))
        })?
        .collect::<rusqlite::Result<_>>()?;
    // json_each gives the list's order; each row id was read in this transaction.
    let aligned =
        rows.len() == rowids.len() && (rowids.iter().zip(&rows)).all(|(id, (got, _))| id == got);
    if !aligned {
        return Err(Error::Internal(
            "P7: the window's latest entries came back out of order".into(),
        ));
    }
    Ok(rows.into_iter().map(|(_, row)| row).collect())
}

/// One entry of P7's window in `transactions_customer_period`.
struct WindowEntry {
    customer: i64,
    at: i64,
    rowid: i64,
    at_location: bool,
}

/// Whether the transaction `t` is a purchase that counts for P7: not a refund or void, and
/// no refund or void names it.
const COUNTS: &str = "t.kind NOT IN ('refund', 'void')
    AND NOT EXISTS (SELECT 1 FROM transactions r WHERE r.refers_to = t.host_id)";

/// The latest stored relationship decision of each customer among `customers`: its
/// business date and reason (`None` = invited).
pub fn last_relationship_decisions(
    conn: &Connection,
    customers: &[i64],
) -> Result<HashMap<i64, (NaiveDate, Option<String>)>> {
    // The last entry of each customer's range of the primary key, one prepared probe each
    // (an IN list over json_each built a temporary index of the ids first).
    let mut stmt = conn.prepare_cached(
        "SELECT business_date, reason FROM relationship_decisions WHERE customer_id = ?1
         ORDER BY business_date DESC LIMIT 1",
    )?;
    let mut out = HashMap::default();
    for customer in customers {
        if let Some(last) = stmt
            .query_row([customer], |r| {
                Ok((r.get::<_, StoredDate>(0)?.0, r.get::<_, Option<String>>(1)?))
            })
            .optional()?
        {
            out.insert(*customer, last);
        }
    }
    Ok(out)
}

/// Stores a relationship decision; a second one for the same customer and date is ignored.
pub fn insert_relationship_decision(
    conn: &Connection,
    d: &RelationshipRow<'_>,
    now_ms: i64,
) -> Result<bool> {
    Ok(insert_relationship_decisions(conn, std::slice::from_ref(d), now_ms)? > 0)
}

/// [`insert_relationship_decision`] for each of `rows`, 64 to a statement (`INSERT OR
/// IGNORE`: no statement journal, see `batch.rs`); how many were stored.
pub fn insert_relationship_decisions(
    conn: &Connection,
    rows: &[RelationshipRow<'_>],
    now_ms: i64,
) -> Result<u64> {
    let mut dates = crate::store::dates::DateText::default();
    super::batch::write_chunks(
        conn,
        super::batch::OnConflict::Ignore,
        "relationship_decisions",
        "(customer_id, business_date, location_id, invitation_id, reason,
           eligible_again_on, related_customer, decided_at)",
        "(?, ?, ?, ?, ?, ?, ?, ?)",
        rows,
        |b, d| {
            b.push(d.customer)?;
            b.push(dates.of(d.business_date))?;
            b.push(d.location)?;
            b.push(d.invitation)?;
            b.push(d.reason.map(SkipReason::as_str))?;
            b.push(d.eligible_again_on.map(date_text))?;
            b.push(d.related_customer)?;
            b.push(now_ms)
        },
    )
}

/// The customer's relationship decisions, newest first.
pub fn relationship_decisions(
    conn: &Connection,
    customer: i64,
    limit: u32,
) -> Result<Vec<RelationshipDecision>> {
    let mut stmt = conn.prepare_cached(
        "SELECT l.host_id, d.business_date, d.invitation_id, d.reason, d.eligible_again_on,
                d.related_customer
         FROM relationship_decisions d JOIN locations l ON l.id = d.location_id
         WHERE d.customer_id = ?1 ORDER BY d.business_date DESC LIMIT ?2",
    )?;
    let rows = stmt.query_map(params![customer, limit], |r| {
        Ok(RelationshipDecision {
            location: r.get(0)?,
            business_date: r.get(1)?,
            invitation_id: r.get(2)?,
            reason: r
                .get::<_, Option<String>>(3)?
                .and_then(|s| SkipReason::parse(&s)),
            eligible_again_on: r.get(4)?,
            related_customer: r.get(5)?,
        })
    })?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

/// Cancels a message just queued, and its invitation, with `reason` (P5 `no_send_slot`).
pub fn cancel_message(
    conn: &Connection,
    message_id: &str,
    invitation: Option<i64>,
    reason: &str,
    now_ms: i64,
) -> Result<()> {
    conn.prepare_cached(
        "UPDATE outbox SET status = 'cancelled', cancel_reason = ?2, updated_at = ?3
         WHERE message_id = ?1",
    )?
    .execute(params![message_id, reason, now_ms])?;
    if let Some(inv) = invitation {
        let n = conn
            .prepare_cached(
                "UPDATE invitations SET status = 'cancelled' WHERE id = ?1 AND status = 'pending'",
            )?
            .execute([inv])?;
        if n > 0 {
            super::person_latest::recount(conn, inv)?;
        }
    }
    Ok(())
}

/// The IANA zone of the location whose batch created the customer's last invitation.
pub fn last_invitation_zone(conn: &Connection, customer: i64) -> Result<Option<String>> {
    Ok(conn
        .prepare_cached(
            "SELECT l.time_zone FROM invitations i JOIN locations l ON l.id = i.location_id
             WHERE i.customer_id = ?1 AND i.status IN ('pending', 'delivered')
             ORDER BY i.business_date DESC, i.id DESC LIMIT 1",
        )?
        .query_row([customer], |r| r.get(0))
        .optional()?)
}

impl crate::store::PolicyStore for super::SqliteTx<'_> {
    fn get_location_policy(&mut self, location: i64) -> Result<VolumeOverrides> {
        get_location_policy(self.conn, location)
    }

    fn set_location_policy(&mut self, location: i64, v: VolumeOverrides) -> Result<()> {
        set_location_policy(self.conn, location, v)
    }

    fn get_calendar(&mut self, scope: i64) -> Result<Option<Calendar>> {
        get_calendar(self.conn, scope)
    }

    fn set_calendar(&mut self, scope: i64, cal: Option<&Calendar>) -> Result<()> {
        set_calendar(self.conn, scope, cal)
    }

    fn person_history(
        &mut self,
        keys: &[PersonKey<'_>],
        since: NaiveDate,
        kinds: &[SurveyKind],
    ) -> Result<History> {
        person_history(self.conn, keys, since, kinds)
    }

    fn invitations_created_on(&mut self, location: i64, date: NaiveDate) -> Result<u32> {
        invitations_created_on(self.conn, location, date)
    }

    fn transactional_responses_between(
        &mut self,
        location: i64,
        from_ms: i64,
        to_ms: i64,
    ) -> Result<u32> {
        transactional_responses_between(self.conn, location, from_ms, to_ms)
    }

    fn refunded_among(&mut self, host_ids: &[&str]) -> Result<HashSet<String>> {
        refunded_among(self.conn, host_ids)
    }

    fn cancel_for_refund(
        &mut self,
        sale: i64,
        date: NaiveDate,
        now_ms: i64,
    ) -> Result<Option<i64>> {
        cancel_for_refund(self.conn, sale, date, now_ms)
    }

    fn relationship_candidates(
        &mut self,
        location: i64,
        since_ms: i64,
        held_after: Option<NaiveDate>,
        known: &KnownSales<'_>,
    ) -> Result<Vec<LatestPurchase>> {
        relationship_candidates(self.conn, location, since_ms, held_after, known)
    }

    fn last_relationship_decisions(
        &mut self,
        customers: &[i64],
    ) -> Result<HashMap<i64, (NaiveDate, Option<String>)>> {
        last_relationship_decisions(self.conn, customers)
    }

    fn insert_relationship_decision(
        &mut self,
        d: &RelationshipRow<'_>,
        now_ms: i64,
    ) -> Result<bool> {
        insert_relationship_decision(self.conn, d, now_ms)
    }

    fn insert_relationship_decisions(
        &mut self,
        rows: &[RelationshipRow<'_>],
        now_ms: i64,
    ) -> Result<u64> {
        insert_relationship_decisions(self.conn, rows, now_ms)
    }

    fn relationship_decisions(
        &mut self,
        customer: i64,
        limit: u32,
    ) -> Result<Vec<RelationshipDecision>> {
        relationship_decisions(self.conn, customer, limit)
    }

    fn cancel_message(
        &mut self,
        message_id: &str,
        invitation: Option<i64>,
        reason: &str,
        now_ms: i64,
    ) -> Result<()> {
        cancel_message(self.conn, message_id, invitation, reason, now_ms)
    }

    fn last_invitation_zone(&mut self, customer: i64) -> Result<Option<String>> {
        last_invitation_zone(self.conn, customer)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::{PersonKey, Store};

    /// P6: the refunds among a night's sales read as one range (a POS numbers its sales
    /// in order) answer as a probe per sale does: a refund naming a sale of the list
    /// (stored before it or tonight), not one naming a host id between them that is not
    /// in the list, nor one naming a sale outside the range; in any order of the list.
    /// With more refunds in the range than a quarter of the sales, each is probed.
    #[test]
    fn p6_refunds_read_as_a_range_answer_as_a_probe_per_sale() {
        let store = Store::with_paris("");
        let c = &store.conn;
        let refund = |n: i64, names: &str| {
            c.execute(
                "INSERT INTO transactions (id, host_id, location_id, kind, amount_minor,
                   currency, excluded, first_seen_on, refers_to)
                 VALUES (?1, ?2, 1, 'refund', 1, 'EUR', 0, '2024-01-01', ?3)",
                params![n, format!("r{n}"), names],
            )
            .unwrap();
        };
        // Tonight's sales T100..T199, asked in a shuffled order.
        let mut sales: Vec<String> = (100..200).map(|n| format!("T{n}")).collect();
        sales.swap(0, 57);
        sales.swap(3, 99);
        let asked: Vec<&str> = sales.iter().map(String::as_str).collect();
        refund(1, "T100"); // the least
        refund(2, "T199"); // the greatest
        refund(3, "T150");
        refund(4, "T150"); // twice
        refund(5, "T150x"); // inside the range, not a sale of the list
        refund(6, "T099"); // outside the range
        refund(7, "T2"); // outside too ("T2" > "T199")
        let probed: HashSet<String> = super::super::found_among(
            c,
            "SELECT 1 FROM transactions WHERE refers_to = ?1",
            asked.iter().copied(),
        )
        .unwrap();
        let expected: HashSet<String> = ["T100", "T199", "T150"]
            .map(String::from)
            .into_iter()
            .collect();
        assert_eq!(probed, expected);
        let in_range = |asked: &[&str]| {
            super::super::in_key_range(c, REFUNDS_IN_RANGE, asked)
                .unwrap()
                .is_some()
        };
        assert!(in_range(&asked), "read as a range");
        assert_eq!(refunded_among(c, &asked).unwrap(), expected);
        // Too few sales to read a range: probed.
        assert!(!in_range(&asked[..10]));
        // More refunds in the range than a quarter of the sales: probed, same answer.
        for n in 0..30 {
            refund(100 + n, &format!("T1{n:02}z"));
        }
        assert!(!in_range(&asked));
        assert_eq!(refunded_among(c, &asked).unwrap(), expected);
    }

    /// E4, P1–P3: a person's history is every counting invitation from `since` on and,
    /// per kind, those of the latest counting date before it; a cancelled or failed one
    /// later than that date does not move it, and an older counting one is not read. The
    /// same for the other records with the contact (P3).
    #[test]
    fn person_history_reads_the_window_and_the_latest_counting_date_before_it() {
        let store = Store::with_paris(
            "INSERT INTO customers (id, host_id, include_in_communications, created_at,
               updated_at) VALUES (1, 'c1', 1, 0, 0), (2, 'c2', 1, 0, 0);",
        );
        let c = &store.conn;
        // (customer, kind, date, status); the contact is shared by both records.
        let rows = [
            (1, "transactional", "2025-03-01", "delivered"),
            (1, "transactional", "2025-06-01", "pending"),
            (1, "transactional", "2025-06-01", "delivered"),
            (1, "transactional", "2025-09-01", "cancelled"),
            (1, "transactional", "2025-10-01", "failed"),
            (1, "transactional", "2026-02-01", "pending"),
            (1, "transactional", "2026-03-01", "cancelled"),
            (1, "relationship", "2024-01-01", "delivered"),
            (2, "transactional", "2025-04-01", "delivered"),
            (2, "transactional", "2025-11-01", "cancelled"),
            (2, "relationship", "2026-01-01", "pending"),
        ];
        for (n, (customer, kind, date, status)) in rows.iter().enumerate() {
            c.execute(
                "INSERT INTO transactions (id, host_id, location_id, customer_id, kind,
                   amount_minor, currency, excluded, first_seen_on)
                 VALUES (?1, ?2, 1, ?3, 'sale', 1, 'EUR', 0, '2024-01-01')",
                params![n as i64 + 1, format!("t{n}"), customer],
            )
            .unwrap();
            c.execute(
                "INSERT INTO invitations (customer_id, transaction_id, location_id, trigger,
                   channel, language, business_date, status, due_at, created_at, survey_kind,
                   contact)
                 VALUES (?1, ?2, 1, 'transaction', 'email', 'fr', ?3, ?4, 0, 0, ?5, 'a@x.org')",
                params![customer, n as i64 + 1, date, status, kind],
            )
            .unwrap();
        }
        let since = NaiveDate::from_ymd_opt(2026, 1, 1).unwrap();
        let history = person_history(
            c,
            &[
                PersonKey::stored(1, Some("a@x.org")),
                PersonKey::stored(2, None),
            ],
            since,
            &crate::rules::policy::PERSON_KINDS,
        )
        .unwrap();
        let read = |asked: i64| {
            let mut got: Vec<String> = (history.by_customer.get(&asked).into_iter().flatten())
                .map(|p| format!("{} {} {}", p.customer, p.kind.as_str(), p.date))
                .collect();
            got.sort();
            got
        };
        assert_eq!(
            read(1),
            [
                "1 relationship 2024-01-01",
                "1 transactional 2025-06-01",
                "1 transactional 2025-06-01",
                "1 transactional 2026-02-01",
                "2 relationship 2026-01-01",
                "2 transactional 2025-04-01",
            ]
        );
        // Without a contact, only the record's own.
        assert_eq!(
            read(2),
            ["2 relationship 2026-01-01", "2 transactional 2025-04-01"]
        );
        assert_eq!(history.host_ids.get(&2).map(String::as_str), Some("c2"));
        // Only the kinds asked for.
        let transactional = person_history(
            c,
            &[PersonKey::stored(1, Some("a@x.org"))],
            since,
            &crate::rules::policy::PERSON_KINDS[..1],
        )
        .unwrap();
        let mut got: Vec<String> = (transactional.by_customer.get(&1).into_iter().flatten())
            .map(|p| format!("{} {} {}", p.customer, p.kind.as_str(), p.date))
            .collect();
        got.sort();
        assert_eq!(
            got,
            [
                "1 transactional 2025-06-01",
                "1 transactional 2025-06-01",
                "1 transactional 2026-02-01",
                "2 transactional 2025-04-01",
            ]
        );
    }

    /// One transaction of a generated store: customer (1–5, or none), location (1 or 2),
    /// kind, time (a few distinct instants, so ties are common; none = not finalized),
    /// and the earlier transaction it refers to.
    type Sale = (Option<i64>, i64, &'static str, Option<i64>, Option<usize>);

    /// P7: the store's candidates equal a plain reading of the rule over generated stores
    /// (ties at one instant, refunds and voids naming sales or not, customers at two
    /// locations, purchases before the window or not finalized, relationship invitations
    /// of every status before and after the held date).
    #[test]
    fn relationship_candidates_follow_the_rule_over_generated_stores() {
        use proptest::prelude::*;
        let sale = (
            proptest::option::weighted(0.9, 1..=5i64),
            1..=2i64,
            prop_oneof![
                4 => Just("sale"),
                1 => Just("service"),
                1 => Just("refund"),
                1 => Just("void")
            ],
            proptest::option::weighted(0.9, 0..6i64),
            proptest::option::weighted(0.4, any::<prop::sample::Index>()),
        );
        let invitation = (
            1..=5i64,
            0..4u32,
            prop_oneof![
                Just("pending"),
                Just("delivered"),
                Just("cancelled"),
                Just("failed")
            ],
        );
        let stores = (
            proptest::collection::vec(sale, 0..24),
            proptest::collection::vec(invitation, 0..5),
            any::<bool>(),
        );
        proptest!(ProptestConfig::with_cases(128), |((sales, invitations, held) in stores)| {
            let sales: Vec<Sale> = (sales.into_iter().enumerate())
                .map(|(n, (customer, location, kind, at, of))| {
                    let of = of.filter(|_| n > 0).map(|i| i.index(n));
                    (customer, location, kind, at, of)
                })
                .collect();
            check_candidates(&sales, &invitations, held);
        });
    }

    fn check_candidates(sales: &[Sale], invitations: &[(i64, u32, &str)], held: bool) {
        const DAY: i64 = 86_400_000;
        // The window starts at instant 1 (instant 0 is before it), late in a 30-day period
        // so the window spans two.
        let base = 2_592_000_000 * 20_000 + 29 * DAY;
        let since = base + DAY;
        let store = Store::with_paris(
            "INSERT INTO locations (id, host_id, name, time_zone, enabled)
               VALUES (2, 'seoul', 'Seoul', 'Asia/Seoul', 1);
             INSERT INTO customers (id, host_id, include_in_communications, created_at,
               updated_at)
             VALUES (1, 'c1', 1, 0, 0), (2, 'c2', 1, 0, 0), (3, 'c3', 1, 0, 0),
                    (4, 'c4', 1, 0, 0), (5, 'c5', 1, 0, 0);",
        );
        let c = &store.conn;
        let at_ms = |at: Option<i64>| at.map(|a| base + a * DAY);
        for (n, (customer, location, kind, at, of)) in sales.iter().enumerate() {
            c.execute(
                "INSERT INTO transactions (id, host_id, location_id, customer_id, kind,
                   amount_minor, currency, finalized_at, excluded, first_seen_on, refers_to)
                 VALUES (?1, ?2, ?3, ?4, ?5, 1, 'EUR', ?6, 0, '2026-01-01', ?7)",
                params![
                    n as i64 + 1,
                    format!("t{n}"),
                    location,
                    customer,
                    kind,
                    at_ms(*at),
                    of.map(|i| format!("t{i}"))
                ],
            )
            .unwrap();
        }
        let dates = ["2025-12-01", "2026-01-01", "2026-02-01", "2026-03-01"];
        for (customer, date, status) in invitations {
            c.execute(
                "INSERT INTO invitations (customer_id, location_id, trigger, channel,
                   language, business_date, status, due_at, created_at, survey_kind)
                 VALUES (?1, 1, 'transaction', 'email', 'fr', ?2, ?3, 0, 0, 'relationship')",
                params![customer, dates[*date as usize], status],
            )
            .unwrap();
        }
        let held_after = held.then(|| NaiveDate::from_ymd_opt(2026, 1, 1).unwrap());
        // The rule read plainly: each customer's latest purchase in the window that is not
        // a refund or void nor refunded (of two at one instant, the one stored first), at
        // the location, without a pending or delivered relationship invitation dated after
        // the held date.
        let refunded = |n: usize| sales.iter().any(|s| s.4 == Some(n));
        let mut latest: std::collections::BTreeMap<i64, (i64, usize)> = Default::default();
        for (n, (customer, _, kind, at, _)) in sales.iter().enumerate() {
            let (Some(customer), Some(at)) = (customer, at_ms(*at)) else {
                continue;
            };
            if at < since || matches!(*kind, "refund" | "void") || refunded(n) {
                continue;
            }
            let e = latest.entry(*customer).or_insert((at, n));
            if at > e.0 {
                *e = (at, n);
            }
        }
        for location in [1, 2] {
            let expected: Vec<(i64, String, i64)> = (latest.iter())
                .filter(|(_, (_, n))| sales[*n].1 == location)
                .filter(|(customer, _)| {
                    !held_after.is_some_and(|h| {
                        invitations.iter().any(|(c, d, status)| {
                            *c == **customer
                                && dates[*d as usize] > date_text(h).as_str()
                                && matches!(*status, "pending" | "delivered")
                        })
                    })
                })
                .map(|(customer, (at, n))| (*customer, format!("t{n}"), *at))
                .collect();
            // Told nothing, told every sale, or every other one (as tonight's sales are
            // told): the same answer.
            let hosts: Vec<String> = (0..sales.len()).map(|n| format!("t{n}")).collect();
            for told in [0, 1, 2] {
                let known: KnownSales<'_> = (sales.iter().enumerate())
                    .filter(|(n, _)| told == 1 || (told == 2 && n % 2 == 0))
                    .map(|(n, (_, _, kind, _, _))| {
                        let counts = !matches!(*kind, "refund" | "void") && !refunded(n);
                        let sale = crate::store::KnownSale {
                            host_id: &hosts[n],
                            counts,
                        };
                        (n as i64 + 1, sale)
                    })
                    .collect();
                let got: Vec<(i64, String, i64)> =
                    relationship_candidates(c, location, since, held_after, &known)
                        .unwrap()
                        .into_iter()
                        .map(|p| (p.customer, p.transaction, p.finalized_at_ms))
                        .collect();
                assert_eq!(
                    got, expected,
                    "location {location}, told {told}: {sales:?} {invitations:?}"
                );
            }
        }
    }

    /// One step of [`person_latest_follows_every_write_of_the_invitations`]: invitations
    /// created together (customer 1–3, kind, one of a few dates, status), a status change
    /// of the n-th invitation, an answer to it, or its answer deleted.
    #[derive(Debug, Clone)]
    enum Step {
        Invite(Vec<(i64, usize, usize, usize)>),
        Status(usize, usize),
        Answer(usize),
        Unanswer(usize),
    }

    /// E4, P1–P3 (issue 25, schema 21): written as the store's writers write it (a night's
    /// invitations counted together, dates in any order and tied; a person recounted when
    /// a status leaves or re-enters pending/delivered; an answer counted in or out),
    /// `person_latest` equals the same counted from the invitations after every step, and
    /// a person's history read from it without a window equals the history read from the
    /// invitations themselves.
    #[test]
    fn person_latest_follows_every_write_of_the_invitations() {
        use super::super::person_latest;
        use proptest::prelude::*;
        const KINDS: [SurveyKind; 2] = [SurveyKind::Transactional, SurveyKind::Relationship];
        const DATES: [(i32, u32, u32); 4] =
            [(2025, 1, 1), (2025, 3, 1), (2025, 3, 2), (2026, 1, 1)];
        const STATUSES: [&str; 5] = ["pending", "delivered", "cancelled", "failed", "bounced"];
        let counts = |s: &str| s == "pending" || s == "delivered";
        let invitation = (1..=3i64, 0..2usize, 0..DATES.len(), 0..STATUSES.len());
        let step = prop_oneof![
            4 => proptest::collection::vec(invitation, 1..6).prop_map(Step::Invite),
            3 => (any::<usize>(), 0..STATUSES.len()).prop_map(|(n, s)| Step::Status(n, s)),
            2 => any::<usize>().prop_map(Step::Answer),
            1 => any::<usize>().prop_map(Step::Unanswer),
        ];
        let config = ProptestConfig {
            cases: 96,
            ..ProptestConfig::default()
        };
        proptest!(config, |(steps in proptest::collection::vec(step, 1..30))| {
            let store = Store::with_paris(
                "INSERT INTO customers (id, host_id, include_in_communications, created_at,
                   updated_at) VALUES (1, 'c1', 1, 0, 0), (2, 'c2', 1, 0, 0),
                   (3, 'c3', 1, 0, 0);",
            );
            let c = &store.conn;
            let nth = |n: usize| -> Option<(i64, String)> {
                let all: Vec<(i64, String)> = c
                    .prepare("SELECT id, status FROM invitations ORDER BY id")
                    .unwrap()
                    .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))
                    .unwrap()
                    .collect::<rusqlite::Result<_>>()
                    .unwrap();
                (!all.is_empty()).then(|| all[n % all.len()].clone())
            };
            for (i, step) in steps.iter().enumerate() {
                match step {
                    Step::Invite(created) => {
                        let mut counted = Vec::new();
                        for &(customer, kind, date, status) in created {
                            let (y, m, d) = DATES[date];
                            let date = NaiveDate::from_ymd_opt(y, m, d).unwrap();
                            c.execute(
                                "INSERT INTO invitations (customer_id, location_id, trigger,
                                   channel, language, business_date, status, due_at,
                                   created_at, survey_kind)
                                 VALUES (?1, 1, 'transaction', 'email', 'fr', ?2, ?3, 0, 0,
                                   ?4)",
                                params![customer, date, STATUSES[status], KINDS[kind].as_str()],
                            )
                            .unwrap();
                            if counts(STATUSES[status]) {
                                counted.push((customer, KINDS[kind].as_str(), date));
                            }
                        }
                        person_latest::invited(c, counted).unwrap();
                    }
                    Step::Status(n, status) => {
                        if let Some((id, before)) = nth(*n) {
                            c.execute(
                                "UPDATE invitations SET status = ?2 WHERE id = ?1",
                                params![id, STATUSES[*status]],
                            )
                            .unwrap();
                            if counts(&before) != counts(STATUSES[*status]) {
                                person_latest::recount(c, id).unwrap();
                            }
                        }
                    }
                    Step::Answer(n) => {
                        if let Some((id, _)) = nth(*n) {
                            let stored = c
                                .execute(
                                    "INSERT OR IGNORE INTO responses (source, invitation_id,
                                       location_id, customer_id, unhappy, sentiment, facets,
                                       answers, consent_to_reply, review_link_shown,
                                       created_at)
                                     SELECT 'invitation', id, 1, customer_id, 0, 'unknown',
                                       '[]', '[]', 0, 0, 0
                                     FROM invitations WHERE id = ?1",
                                    [id],
                                )
                                .unwrap();
                            if stored > 0 {
                                person_latest::answered(c, id, 1).unwrap();
                            }
                        }
                    }
                    Step::Unanswer(n) => {
                        if let Some((id, _)) = nth(*n) {
                            let deleted = c
                                .execute("DELETE FROM responses WHERE invitation_id = ?1", [id])
                                .unwrap();
                            if deleted > 0 {
                                person_latest::answered(c, id, -1).unwrap();
                            }
                        }
                    }
                }
                prop_assert_eq!(person_latest::drift(c).unwrap(), 0, "after step {}", i);
            }
            let keys = [
                PersonKey::stored(1, None),
                PersonKey::stored(2, None),
                PersonKey::stored(3, None),
            ];
            let kinds = crate::rules::policy::PERSON_KINDS;
            let read = |own: &str| {
                let h = person_history_reading(c, &keys, crate::rules::time::MAX_DATE, &kinds, own)
                    .unwrap();
                let mut all: Vec<(i64, &str, NaiveDate, i64, bool)> = (h.by_customer.iter())
                    .flat_map(|(k, v)| {
                        v.iter().map(|p| (*k, p.kind.as_str(), p.date, p.customer, p.answered))
                    })
                    .collect();
                all.sort();
                all
            };
            prop_assert_eq!(read(OWN_LATEST), read(OWN_SINCE));
        });
    }
}
