//! The nightly sync use case: validate a batch, upsert it, decide, queue invitations.

use std::borrow::Cow;
use std::collections::BTreeSet;

use crate::hash::{HashMap, HashSet};

use crate::store::Tx;
use chrono::{DateTime, NaiveDate, Utc};

use crate::error::{Error, Problem, Result};
use crate::model::{Customer, ReportDetail, Settings, SyncBatch, SyncCounts, SyncReport};
use crate::rules::contact;
use crate::rules::decide::{self};
use crate::rules::eligibility::Policy;
use crate::rules::time;
use crate::rules::validate::{BatchContext, validate_batch};
use crate::rules::window::WindowPlan;
use crate::store::{
    CustomerMatch, CustomerRow, KnownSale, KnownSales, LocationRow, StoredCustomer,
    StoredTransaction, TransactionRow,
};

mod decisions;
mod facts;

use super::invite::Known;

use decisions::write_decisions;
pub(super) use facts::channel_contact;
use facts::{apply_refunds, gather_facts, pending};

use super::clock::LocationClock;
use super::policy::LocationRules;
use super::suppressions::Suppressions;

/// Whether a batch is tonight's sync or part of a backfill import.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    /// Dates must be in the sync window (S2).
    Nightly,
    /// Any date up to today; decisions are made as of today (S3).
    Backfill,
}

/// The row a batch customer is stored as: contacts normalised, unusable ones flagged (E6).
fn customer_row(c: &Customer, country_code: u32) -> CustomerRow {
    CustomerRow {
        host_id: c.id.clone(),
        name: c.name.clone(),
        email: c.email.clone(),
        email_norm: c.email.as_deref().and_then(contact::normalize_email),
        phone: c.phone.clone(),
        phone_norm: c
            .phone
            .as_deref()
            .and_then(|p| contact::normalize_phone(p, country_code)),
        language: c.language.clone(),
        gender: c.gender,
        reference: c.reference.clone(),
        include_in_communications: c.include_in_communications,
    }
}

/// What the store holds of everything the batch refers to (the gather phase).
struct Stored {
    settings: Settings,
    location: Option<LocationRow>,
    /// Stored customers among those the transactions refer to without the batch sending
    /// them, by host id. Those the batch sends are read one at a time as they are written:
    /// a map of them all was ~8 MB on a 50k-customer batch, and the memory it left behind
    /// when freed stayed in the sync's peak RSS.
    customers: HashMap<String, StoredCustomer>,
    /// Customers the transactions refer to without the batch sending them.
    referenced: HashSet<String>,
    /// Employees the transactions refer to that the store has (std's set: validation's
    /// public `BatchContext` reads it).
    employees: std::collections::HashSet<String>,
    /// Stored transactions among the batch's, by host id.
    transactions: HashMap<String, StoredTransaction>,
}

/// The location's calendar for this batch, known once the batch is valid.
struct Dated {
    location: LocationRow,
    clock: LocationClock,
    today: NaiveDate,
    /// Business date the decisions are made on (S2, S3).
    batch_date: NaiveDate,
    /// Dates synced before this batch.
    synced: BTreeSet<NaiveDate>,
    /// The location's contact policy and calendar (P1–P5).
    rules: LocationRules,
}

/// A transaction of the batch as written: its row id and what was stored of it before.
struct Written<'b> {
    rowid: i64,
    before: Option<&'b StoredTransaction>,
}

/// Validates and applies one batch inside the caller's write transaction: gather what
/// the store holds, validate, write the batch's people and sales, gather the facts the
/// rules read, decide (a pure rules/ step), write the decisions, record the dates.
///
/// With [`ReportDetail::Counts`] the report's `counts` is set from the start and every
/// phase counts instead of pushing an entry (the per-transaction entries are most of a
/// big sync's memory); the rows written are the same.
pub fn apply_batch(
    c: &mut dyn Tx,
    batch: &SyncBatch,
    now: DateTime<Utc>,
    mode: Mode,
    detail: ReportDetail,
) -> Result<SyncReport> {
    let mut stored = gather(c, batch)?;
    let dated = validate(c, batch, &mut stored, now, mode)?;
    let mut report = SyncReport {
        location: dated.location.location.id.clone(),
        business_date: dated.batch_date,
        caught_up_dates: Vec::new(),
        missing_dates: Vec::new(),
        customers_created: 0,
        customers_updated: 0,
        employees_upserted: 0,
        transactions_created: 0,
        transactions_updated: 0,
        invitations: Vec::new(),
        skipped: Vec::new(),
        relationship_invitations: Vec::new(),
        cancelled_by_refund: Vec::new(),
        counts: (detail == ReportDetail::Counts).then(SyncCounts::default),
    };
    let mut suppressions = Suppressions::load(c)?;
    let mut erased = HashSet::default();
    let customers = write_customers(
        c,
        batch,
        &stored,
        &mut suppressions,
        &mut erased,
        &mut report,
        now,
    )?;
    // Only who was erased is read of the stored rows after the upserts.
    erased.extend(
        std::mem::take(&mut stored.customers)
            .into_iter()
            .filter(|(_, s)| s.erased)
            .map(|(id, _)| id),
    );
    crate::failpoint::hit("sync.after_customers");
    report.employees_upserted += c.upsert_employees(&batch.employees)?;
    // Each sale's customer, looked up once: a lookup by host id compares the key's text,
    // which lies wherever the batch put it (a cache miss a lookup on 100k sales, where
    // each phase looked the customer up again).
    let customer_of: Vec<Option<&Known<'_>>> = (batch.transactions.iter())
        .map(|t| t.customer.as_deref().and_then(|id| customers.get(id)))
        .collect();
    let written = write_transactions(c, batch, &stored, &dated, &customer_of, &mut report)?;
    crate::failpoint::hit("sync.after_transactions");
    apply_refunds(c, batch, &written, &dated, &mut report, now)?;
    let mut facts = gather_facts(
        c,
        batch,
        &customers,
        &suppressions,
        &stored.settings,
        &dated,
    )?;
    let pending = pending(
        batch,
        &written,
        &customer_of,
        &facts,
        &dated,
        stored.settings.channel,
    );
    // Each sale carries its customer's facts now. The history is kept only for the
    // relationship survey (P7), which reads it after the decisions.
    facts.unsubscribed = HashSet::default();
    if dated.rules.policy.relationship_every_months == 0 {
        facts.past = HashMap::default();
    }
    let policy = Policy {
        batch_date: dated.batch_date,
        max_age_days: stored.settings.max_age_days,
    };
    let volume = dated
        .rules
        .volume(c, dated.location.rowid, dated.batch_date)?;
    let verdicts = decide::decide(&pending, &policy, &volume);
    // Freed before the writes (~10 MB on 100k sales), not at the end of the sync.
    drop(pending);
    let invited = write_decisions(
        c,
        batch,
        &written,
        &customer_of,
        verdicts,
        &customers,
        &facts,
        &stored,
        &dated,
        &mut report,
        now,
    )?;
    if dated.rules.policy.relationship_every_months > 0 {
        // Tonight's transactions, as now stored: host id and whether each counts for P7
        // (not a refund or void, and no stored refund names it: `refunded` was read after
        // tonight's refunds were written).
        let sales: KnownSales<'_> = (batch.transactions.iter())
            .zip(&written)
            .map(|(t, w)| {
                let counts = !t.kind.cancels_sale() && !facts.refunded.contains(&t.id);
                (
                    w.rowid,
                    KnownSale {
                        host_id: &t.id,
                        counts,
                    },
                )
            })
            .collect();
        let night = super::relationship::Night {
            settings: &stored.settings,
            location: &dated.location,
            rules: &dated.rules,
            date: dated.batch_date,
            customers: &customers,
            erased: &erased,
            suppressions: &suppressions,
            past: &facts.past,
            host_ids: &facts.host_ids,
            invited: &invited,
            sales: &sales,
        };
        super::relationship::survey(c, &night, &mut report, now)?;
    }
    crate::failpoint::hit("sync.after_decisions");
    record_dates(c, batch, &dated, mode, &mut report, now)?;
    if let Some(counts) = &mut report.counts {
        // Kept as a list while refunds ran (one sale can be refunded twice in a batch).
        counts.cancelled_by_refund = report.cancelled_by_refund.len() as u32;
        report.cancelled_by_refund = Vec::new();
    }
    crate::failpoint::hit("sync.before_commit");
    Ok(report)
}

/// The gather phase: everything stored that validation and the writes need, in bulk.
fn gather(c: &mut dyn Tx, batch: &SyncBatch) -> Result<Stored> {
    let in_batch: HashSet<&str> = batch.customers.iter().map(|c| c.id.as_str()).collect();
    let referenced: HashSet<String> = batch
        .transactions
        .iter()
        .filter_map(|t| t.customer.as_deref())
        .filter(|id| !in_batch.contains(id))
        .map(str::to_owned)
        .collect();
    let customers = c.find_customers(&referenced.iter().map(String::as_str).collect::<Vec<_>>())?;
    let employees_in_batch: HashSet<&str> = batch.employees.iter().map(|e| e.id.as_str()).collect();
    let employee_ids: Vec<&str> = batch
        .transactions
        .iter()
        .flat_map(|t| t.employees.iter().map(String::as_str))
        .filter(|e| !employees_in_batch.contains(e))
        .collect::<HashSet<_>>()
        .into_iter()
        .collect();
    let employees = c.find_employees(&employee_ids)?.into_iter().collect();
    Ok(Stored {
        settings: c.get_settings()?,
        location: c.get_location(&batch.location)?,
        transactions: c.find_transactions(
            &batch
                .transactions
                .iter()
                .map(|t| t.id.as_str())
                .collect::<Vec<_>>(),
        )?,
        customers,
        referenced,
        employees,
    })
}

/// Rejects the whole batch with every problem found, or places it on the location's
/// calendar: tonight's window (S2), or anything up to today for a backfill (S3).
fn validate(
    c: &mut dyn Tx,
    batch: &SyncBatch,
    stored: &mut Stored,
    now: DateTime<Utc>,
    mode: Mode,
) -> Result<Dated> {
    let clock = stored
        .location
        .as_ref()
        .map(|l| LocationClock::new(l, &stored.settings))
        .transpose()?;
    let today = clock.as_ref().map(|k| k.today(now));
    let synced = match (&clock, &stored.location, today) {
        (Some(k), Some(l), Some(t)) => k.synced_dates(c, l.rowid, t)?,
        _ => BTreeSet::new(),
    };
    let plan = match (&clock, today) {
        (Some(k), Some(t)) => k.plan(t, &synced, now),
        _ => WindowPlan::default(),
    };
    let date_problem = |d: NaiveDate| -> Option<&'static str> {
        let today = today?;
        if d > today {
            Some("after the location's current business date")
        } else if mode == Mode::Backfill || synced.contains(&d) || plan.dates.contains(&d) {
            None
        } else if plan.missing.contains(&d) {
            Some("missed beyond the catch-up allowance: import it with a backfill")
        } else {
            Some("outside the sync window")
        }
    };
    // std's sets: validation's `BatchContext` (public, in rules/) takes them.
    let known_customers: std::collections::HashSet<String> = stored
        .referenced
        .iter()
        .filter(|id| stored.customers.contains_key(*id))
        .cloned()
        .collect();
    let foreign: std::collections::HashSet<String> = stored
        .transactions
        .values()
        .filter(|t| (stored.location.as_ref()).is_none_or(|l| t.row.location != l.rowid))
        .map(|t| t.row.host_id.clone())
        .collect();
    let mut problems = Vec::new();
    if stored.location.is_none() {
        problems.push(Problem::top("batch", "location", "unknown location"));
    }
    problems.extend(validate_batch(
        batch,
        &BatchContext {
            now,
            known_customers: &known_customers,
            known_employees: &stored.employees,
            foreign_transactions: &foreign,
            date_problem: &date_problem,
        },
    ));
    if !problems.is_empty() {
        return Err(Error::Invalid(problems));
    }
    let (Some(location), Some(clock), Some(today)) = (stored.location.take(), clock, today) else {
        return Err(Error::Internal("validated batch without a location".into()));
    };
    let batch_date = match mode {
        Mode::Nightly => batch.business_date().unwrap_or(today),
        Mode::Backfill => today,
    };
    let rules = LocationRules::load(c, &location, &stored.settings)?;
    Ok(Dated {
        location,
        clock,
        today,
        batch_date,
        synced,
        rules,
    })
}

/// How many of a batch's customers or transactions are read and written together.
const WRITE_PART: usize = 4096;

/// Writes the batch's customers (an erased one keeps nothing) and returns every customer
/// the batch refers to, by host id; adds the host ids of the erased among those the batch
/// sends to `erased`.
fn write_customers<'b>(
    c: &mut dyn Tx,
    batch: &'b SyncBatch,
    stored: &Stored,
    suppressions: &mut Suppressions,
    erased: &mut HashSet<String>,
    report: &mut SyncReport,
    now: DateTime<Utc>,
) -> Result<HashMap<&'b str, Known<'b>>> {
    let now_ms = time::ms(now);
    let mut customers =
        HashMap::with_capacity_and_hasher(batch.customers.len(), Default::default());
    // A part at a time: the stored rows of one part are read together (one query on a
    // networked store) and its new customers inserted together, while memory stays bounded.
    for part in batch.customers.chunks(WRITE_PART) {
        let rows: Vec<CustomerRow> = (part.iter())
            .map(|cust| customer_row(cust, stored.settings.default_country_code))
            .collect();
        let found = c.find_customers_to_write(&rows)?;
        let mut new_rows = Vec::new();
        let mut new_known = Vec::new();
        for ((cust, mut row), found) in part.iter().zip(rows).zip(found) {
            let language = cust.language.as_deref().map(Cow::Borrowed);
            let old = match found {
                CustomerMatch::New => {
                    report.customers_created += 1;
                    new_rows.push(row);
                    new_known.push((cust.id.as_str(), language));
                    continue;
                }
                CustomerMatch::Unchanged { rowid } => {
                    customers.insert(cust.id.as_str(), Known::new(rowid, true, row, language));
                    continue;
                }
                CustomerMatch::Stored(old) => old,
            };
            if old.erased {
                erased.insert(cust.id.clone());
                // Erased (right to be forgotten): the POS may still send them; keep nothing.
                row = CustomerRow {
                    host_id: row.host_id,
                    include_in_communications: false,
                    language: row.language,
                    ..CustomerRow::default()
                };
            }
            if old.row != row {
                report.customers_updated += 1;
                if old.row.include_in_communications != row.include_in_communications && !old.erased
                {
                    // D5: the POS flag changed. It never lifts an unsubscribe (E3: the
                    // suppression lists are apart from the flag).
                    super::events::consent_changed(
                        c,
                        Some((old.rowid, &cust.id)),
                        None,
                        "all",
                        "surveys",
                        row.include_in_communications,
                        "pos",
                        now,
                    )?;
                }
                if old.row.email_norm != row.email_norm || old.row.phone_norm != row.phone_norm {
                    // An unsubscribe through the old contacts stays with the customer (E3).
                    suppressions.hold_for_customer(c, old.rowid, &old.row, now)?;
                }
                c.update_customer(old.rowid, &row, now_ms)?;
            }
            let rowid = old.rowid;
            customers.insert(cust.id.as_str(), Known::new(rowid, true, row, language));
        }
        let rowids = c.insert_customers(&new_rows, now_ms)?;
        for ((rowid, row), (id, language)) in rowids.into_iter().zip(new_rows).zip(new_known) {
            customers.insert(id, Known::new(rowid, false, row, language));
        }
    }
    // The stored customers the sales name without the batch sending them (none when the
    // POS sends every customer it names: then no sale is looked at here).
    let referenced = if stored.customers.is_empty() {
        &[][..]
    } else {
        &batch.transactions[..]
    };
    for id in referenced.iter().filter_map(|t| t.customer.as_deref()) {
        if let (false, Some(s)) = (customers.contains_key(id), stored.customers.get(id)) {
            let language = s.row.language.clone().map(Cow::Owned);
            let row = CustomerRow {
                email_norm: s.row.email_norm.clone(),
                phone_norm: s.row.phone_norm.clone(),
                include_in_communications: s.row.include_in_communications,
                ..CustomerRow::default()
            };
            customers.insert(id, Known::new(s.rowid, true, row, language));
        }
    }
    Ok(customers)
}

/// Writes the batch's transactions (E9: a known one is updated, never re-created).
fn write_transactions<'s>(
    c: &mut dyn Tx,
    batch: &SyncBatch,
    stored: &'s Stored,
    dated: &Dated,
    customer_of: &[Option<&Known<'_>>],
    report: &mut SyncReport,
) -> Result<Vec<Written<'s>>> {
    let mut out = Vec::with_capacity(batch.transactions.len());
    for (part, customer_of) in
        (batch.transactions.chunks(WRITE_PART)).zip(customer_of.chunks(WRITE_PART))
    {
        let mut new_rows = Vec::new();
        for (t, known) in part.iter().zip(customer_of) {
            let row = TransactionRow {
                host_id: t.id.clone(),
                location: dated.location.rowid,
                customer: known.map(|k| k.rowid),
                kind: t.kind,
                amount_minor: t.amount_minor,
                currency: t.currency.clone(),
                finalized_at_ms: t.finalized_at.map(|f| f.timestamp_millis()),
                excluded: t.exclude,
                refers_to: t.refers_to.clone(),
            };
            let mut employees = t.employees.clone();
            employees.sort();
            let before = stored.transactions.get(&t.id);
            let rowid = match before {
                None => {
                    report.transactions_created += 1;
                    // Its row id once the part's new transactions are inserted.
                    new_rows.push((out.len(), row, employees));
                    0
                }
                // Like with like: the stored row and sorted employee list against the
                // batch's (E8, T12: an identical batch updates nothing).
                Some(old) if old.row != row || old.employees != employees => {
                    report.transactions_updated += 1;
                    let changed = (old.employees != employees).then_some(employees.as_slice());
                    c.update_transaction(old.rowid, &row, changed)?;
                    old.rowid
                }
                Some(old) => old.rowid,
            };
            out.push(Written { rowid, before });
        }
        let slices: Vec<(&TransactionRow, &[String])> = new_rows
            .iter()
            .map(|(_, row, employees)| (row, employees.as_slice()))
            .collect();
        let rowids = c.insert_transactions(&slices, dated.batch_date)?;
        for ((at, _, _), rowid) in new_rows.iter().zip(rowids) {
            out[*at].rowid = rowid;
        }
    }
    Ok(out)
}

/// S2: records the batch's dates, and reports which were caught up and which are still
/// missing (a gap raises its alert, A5).
fn record_dates(
    c: &mut dyn Tx,
    batch: &SyncBatch,
    dated: &Dated,
    mode: Mode,
    report: &mut SyncReport,
    now: DateTime<Utc>,
) -> Result<()> {
    let via = match mode {
        Mode::Nightly => "sync",
        Mode::Backfill => "backfill",
    };
    let location = dated.location.rowid;
    c.mark_dates_synced(location, &batch.business_dates, time::ms(now), via)?;
    let newest = batch.business_date().unwrap_or(dated.today);
    let mut dates: Vec<NaiveDate> = batch.business_dates.clone();
    dates.sort();
    report.caught_up_dates = dates
        .into_iter()
        .filter(|d| *d < newest && !dated.synced.contains(d))
        .collect();
    let mut after = dated.synced.clone();
    after.extend(batch.business_dates.iter().copied());
    report.missing_dates = dated.clock.plan(dated.today, &after, now).missing;
    super::alerts::sync_gap(c, location, &report.missing_dates, now)
}
