//! The nightly sync use case: validate a batch, upsert it, decide, queue invitations.

use std::collections::{BTreeSet, HashMap, HashSet};

use chrono::{DateTime, NaiveDate, Utc};
use chrono_tz::Tz;
use rusqlite::Connection;

use crate::error::{Error, Problem, Result};
use crate::model::{
    Channel, Customer, InvitationSummary, MessageKind, Settings, SkipReason, SkippedTransaction,
    SyncBatch, SyncReport,
};
use crate::rules::contact;
use crate::rules::eligibility::{self, Candidate, CustomerFacts, Facts, Policy, Verdict};
use crate::rules::time::{self, QuietHours};
use crate::rules::validate::{BatchContext, validate_batch};
use crate::rules::window::{self, WindowPlan};
use crate::store::{self, CustomerRow, InvitationRow, LocationRow, TransactionRow};

/// Whether a batch is tonight's sync or part of a backfill import.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    /// Dates must be in the sync window (S2).
    Nightly,
    /// Any date up to today; decisions are made as of today (S3).
    Backfill,
}

/// A location's time zone and sync hour, the clock of its business dates (S1, S2).
pub struct LocationClock {
    /// The location's zone.
    pub tz: Tz,
    sync_hour: u32,
    catch_up_days: u32,
}

impl LocationClock {
    /// The clock of a stored location under the store's settings.
    pub fn new(row: &LocationRow, settings: &Settings) -> Result<Self> {
        let tz = time::parse_tz(&row.location.time_zone)
            .ok_or_else(|| Error::Internal("stored location has an unknown time zone".into()))?;
        Ok(LocationClock {
            tz,
            sync_hour: settings.sync_hour,
            catch_up_days: settings.catch_up_days,
        })
    }

    /// The location's current business date.
    pub fn today(&self, now: DateTime<Utc>) -> NaiveDate {
        window::business_today(self.tz, self.sync_hour, now)
    }

    /// Dates synced within the tracked history.
    pub fn synced_dates(
        &self,
        c: &Connection,
        location: i64,
        today: NaiveDate,
    ) -> Result<BTreeSet<NaiveDate>> {
        let since = time::add_days(today, -window::HISTORY_DAYS);
        store::synced_dates_since(c, location, since)
    }

    /// Tonight's window and the missing dates.
    pub fn plan(
        &self,
        today: NaiveDate,
        synced: &BTreeSet<NaiveDate>,
        now: DateTime<Utc>,
    ) -> WindowPlan {
        window::plan(today, synced, self.catch_up_days, |d| {
            window::is_overdue(self.tz, self.sync_hour, d, now)
        })
    }
}

/// What the sync does with one transaction of the batch, in batch order.
enum Step {
    /// Decided by an earlier sync: reported as stored (E9).
    Repeat(SkippedTransaction),
    /// Decided now.
    Decide(Outcome),
}

/// The verdict on a transaction not decided before this batch.
struct Outcome {
    rowid: i64,
    verdict: Verdict,
    /// It already had a (`not_finalized`) decision record.
    pending_before: bool,
}

/// What the rules need of a customer referenced by the batch.
struct Known {
    rowid: i64,
    /// Stored before this sync (only those can have had an invitation).
    existed: bool,
    communications: bool,
    email_norm: Option<String>,
    phone_norm: Option<String>,
    language: Option<String>,
}

impl Known {
    fn new(rowid: i64, existed: bool, row: CustomerRow) -> Self {
        Known {
            rowid,
            existed,
            communications: row.include_in_communications,
            email_norm: row.email_norm,
            phone_norm: row.phone_norm,
            language: row.language,
        }
    }
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

/// Validates and applies one batch inside the caller's write transaction.
pub fn apply_batch(
    c: &Connection,
    batch: &SyncBatch,
    now: DateTime<Utc>,
    mode: Mode,
) -> Result<SyncReport> {
    let now_ms = now.timestamp_millis();
    let settings = store::get_settings(c)?;
    let location = store::get_location(c, &batch.location)?;

    // Look up what validation needs: stored customers, employees and transactions.
    let in_batch: HashSet<&str> = batch.customers.iter().map(|c| c.id.as_str()).collect();
    let referenced: HashSet<&str> = batch
        .transactions
        .iter()
        .filter_map(|t| t.customer.as_deref())
        .filter(|id| !in_batch.contains(id))
        .collect();
    let stored_customers =
        store::find_customers(c, in_batch.iter().chain(referenced.iter()).copied())?;
    let known_customers: HashSet<String> = referenced
        .iter()
        .filter(|id| stored_customers.contains_key(**id))
        .map(|id| (*id).to_owned())
        .collect();
    let employees_in_batch: HashSet<&str> = batch.employees.iter().map(|e| e.id.as_str()).collect();
    let known_employees: HashSet<String> = store::find_employees(
        c,
        batch
            .transactions
            .iter()
            .flat_map(|t| t.employees.iter().map(String::as_str))
            .filter(|e| !employees_in_batch.contains(e))
            .collect::<HashSet<_>>(),
    )?
    .into_iter()
    .collect();
    let stored_transactions =
        store::find_transactions(c, batch.transactions.iter().map(|t| t.id.as_str()))?;
    let foreign: HashSet<String> = stored_transactions
        .values()
        .filter(|t| location.as_ref().is_none_or(|l| t.row.location != l.rowid))
        .map(|t| t.row.host_id.clone())
        .collect();

    // Business dates: tonight's window, or anything up to today for a backfill.
    let clock = location
        .as_ref()
        .map(|l| LocationClock::new(l, &settings))
        .transpose()?;
    let today = clock.as_ref().map(|k| k.today(now));
    let synced = match (&clock, &location, today) {
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
    let mut problems = Vec::new();
    if location.is_none() {
        problems.push(Problem::top("batch", "location", "unknown location"));
    }
    problems.extend(validate_batch(
        batch,
        &BatchContext {
            now,
            known_customers: &known_customers,
            known_employees: &known_employees,
            foreign_transactions: &foreign,
            date_problem: &date_problem,
        },
    ));
    if !problems.is_empty() {
        return Err(Error::Invalid(problems));
    }
    let (Some(location), Some(clock), Some(today)) = (location, clock, today) else {
        return Err(Error::Internal("validated batch without a location".into()));
    };
    let batch_date = match mode {
        Mode::Nightly => batch.business_date().unwrap_or(today),
        Mode::Backfill => today,
    };

    let mut report = SyncReport {
        location: location.location.id.clone(),
        business_date: batch_date,
        caught_up_dates: Vec::new(),
        missing_dates: Vec::new(),
        customers_created: 0,
        customers_updated: 0,
        employees_upserted: 0,
        transactions_created: 0,
        transactions_updated: 0,
        invitations: Vec::new(),
        skipped: Vec::new(),
    };

    // Upsert customers; keep what the rules need of every referenced customer.
    let mut suppressions = super::people::Suppressions::load(c)?;
    let mut customers: HashMap<&str, Known> = HashMap::with_capacity(batch.customers.len());
    for cust in &batch.customers {
        let mut row = customer_row(cust, settings.default_country_code);
        if stored_customers.get(&cust.id).is_some_and(|s| s.erased) {
            // Erased (right to be forgotten): the POS may still send them; keep nothing.
            row = CustomerRow {
                host_id: row.host_id,
                include_in_communications: false,
                name: None,
                email: None,
                email_norm: None,
                phone: None,
                phone_norm: None,
                language: row.language,
                gender: None,
                reference: None,
            };
        }
        let (rowid, existed) = match stored_customers.get(&cust.id) {
            None => {
                report.customers_created += 1;
                (store::insert_customer(c, &row, now_ms)?, false)
            }
            Some(old) if old.row != row => {
                report.customers_updated += 1;
                if old.row.email_norm != row.email_norm || old.row.phone_norm != row.phone_norm {
                    // An unsubscribe through the old contacts stays with the customer (E3).
                    suppressions.hold_for_customer(c, &old.row, now)?;
                }
                store::update_customer(c, old.rowid, &row, now_ms)?;
                (old.rowid, true)
            }
            Some(old) => (old.rowid, true),
        };
        customers.insert(cust.id.as_str(), Known::new(rowid, existed, row));
    }
    for id in &referenced {
        if let Some(s) = stored_customers.get(*id) {
            customers.insert(id, Known::new(s.rowid, true, s.row.clone()));
        }
    }
    drop(stored_customers);
    crate::failpoint::hit("sync.after_customers");
    // Customers created tonight cannot have had an invitation: look up the others at once.
    let anchors =
        store::cooldown_anchors(c, customers.values().filter(|k| k.existed).map(|k| k.rowid))?;
    for e in &batch.employees {
        if store::upsert_employee(c, e)? {
            report.employees_upserted += 1;
        }
    }

    // Upsert transactions and decide the ones not decided before (E9).
    let policy = Policy {
        batch_date,
        max_age_days: settings.max_age_days,
        cooldown_months: settings.cooldown_months,
    };
    let email_channel = settings.channel == Channel::Email;
    let mut facts_cache: HashMap<i64, CustomerFacts> = HashMap::new();
    let mut steps: Vec<Step> = Vec::with_capacity(batch.transactions.len());
    let mut candidates = Vec::new();
    for t in &batch.transactions {
        let customer = t.customer.as_deref().and_then(|id| customers.get(id));
        let row = TransactionRow {
            host_id: t.id.clone(),
            location: location.rowid,
            customer: customer.map(|k| k.rowid),
            kind: t.kind,
            amount_minor: t.amount_minor,
            currency: t.currency.clone(),
            finalized_at_ms: t.finalized_at.map(|f| f.timestamp_millis()),
            excluded: t.exclude,
        };
        let mut employees = t.employees.clone();
        employees.sort();
        let stored = stored_transactions.get(&t.id);
        let rowid = match stored {
            None => {
                report.transactions_created += 1;
                store::insert_transaction(c, &row, &employees, batch_date)?
            }
            Some(old) if old.row != row || old.employees != employees => {
                report.transactions_updated += 1;
                store::update_transaction(c, old.rowid, &row, &employees)?;
                old.rowid
            }
            Some(old) => old.rowid,
        };
        if let Some(old) = stored.filter(|s| s.decided()) {
            // Decided by an earlier sync: report the stored decision, never re-decide.
            let reason = old.decision.flatten().unwrap_or(SkipReason::AlreadyInvited);
            steps.push(Step::Repeat(SkippedTransaction {
                transaction: t.id.clone(),
                customer: t.customer.clone(),
                reason,
                eligible_again_on: old.eligible_again_on,
                repeat: true,
            }));
            continue;
        }
        let customer_facts = match customer {
            None => None,
            Some(k) => Some(match facts_cache.get(&k.rowid) {
                Some(f) => *f,
                None => {
                    let host_id = t.customer.as_deref().unwrap_or_default();
                    let f = CustomerFacts {
                        communications: k.communications,
                        unsubscribed: suppressions
                            .check(c, host_id, k.email_norm.as_deref(), k.phone_norm.as_deref())?
                            .0,
                        usable_contact: if email_channel {
                            k.email_norm.is_some()
                        } else {
                            k.phone_norm.is_some()
                        },
                        cooldown_anchor: anchors.get(&k.rowid).copied(),
                    };
                    facts_cache.insert(k.rowid, f);
                    f
                }
            }),
        };
        let finalized = t.finalized_at.map(|f| f.with_timezone(&Utc));
        let facts = Facts {
            finalized_on: finalized.map(|f| time::local_date(clock.tz, f)),
            excluded: t.exclude,
            location_enabled: location.location.enabled,
            customer: customer_facts,
            already_invited: false,
        };
        let verdict = eligibility::evaluate(&facts, &policy);
        if let (Verdict::Eligible, Some(cust), Some(at)) = (verdict, &t.customer, finalized) {
            candidates.push((
                steps.len(),
                Candidate {
                    customer: cust,
                    transaction: &t.id,
                    finalized_at: at,
                },
            ));
        }
        steps.push(Step::Decide(Outcome {
            rowid,
            verdict,
            pending_before: stored.is_some_and(|s| s.decision.is_some()),
        }));
    }

    crate::failpoint::hit("sync.after_transactions");
    // One invitation per customer per batch (E5).
    let only: Vec<Candidate<'_>> = candidates.iter().map(|(_, c)| *c).collect();
    for ((index, _), won) in candidates.iter().zip(eligibility::winners(&only)) {
        if !won {
            if let Step::Decide(o) = &mut steps[*index] {
                o.verdict = Verdict::Skip {
                    reason: SkipReason::OnePerBatch,
                    eligible_again_on: None,
                };
            }
        }
    }

    let quiet = QuietHours {
        start: settings.quiet_start_hour,
        end: settings.quiet_end_hour,
    };
    let due_at = time::invitation_due_at(clock.tz, batch_date, settings.send_hour, quiet);
    let mut message_ids = super::delivery::MessageIds::new(now)?;
    let mut skipped = Vec::new();
    for (t, step) in batch.transactions.iter().zip(steps) {
        let Outcome {
            rowid,
            verdict,
            pending_before,
        } = match step {
            Step::Repeat(s) => {
                skipped.push(s);
                continue;
            }
            Step::Decide(o) => o,
        };
        match verdict {
            Verdict::Eligible => {
                let (customer_id, known) = t
                    .customer
                    .as_deref()
                    .and_then(|id| customers.get(id).map(|k| (id, k)))
                    .ok_or_else(|| Error::Internal("eligible without a customer".into()))?;
                let customer_rowid = &known.rowid;
                let language = known
                    .language
                    .clone()
                    .unwrap_or_else(|| settings.default_language.clone());
                let id = store::insert_invitation(
                    c,
                    &InvitationRow {
                        customer: *customer_rowid,
                        transaction: rowid,
                        location: location.rowid,
                        channel: settings.channel,
                        language: language.clone(),
                        business_date: batch_date,
                        due_at_ms: due_at.timestamp_millis(),
                    },
                    now_ms,
                )?;
                store::queue_message(
                    c,
                    &message_ids.next_id(),
                    &store::NewMessage {
                        invitation: Some(id),
                        ..store::NewMessage::to_customer(
                            MessageKind::SurveyInvitation,
                            *customer_rowid,
                            location.rowid,
                            settings.channel,
                            &language,
                            due_at.timestamp_millis(),
                        )
                    },
                    now_ms,
                )?;
                store::insert_decision(c, rowid, batch_date, None, None, now_ms)?;
                report.invitations.push(InvitationSummary {
                    invitation_id: id,
                    customer: customer_id.to_owned(),
                    transaction: t.id.clone(),
                    channel: settings.channel,
                    language,
                    due_at,
                });
            }
            Verdict::Skip {
                reason,
                eligible_again_on,
            } => {
                // A still-unfinalized transaction keeps its first `not_finalized` record, so
                // a re-run writes nothing (E8).
                if !(reason == SkipReason::NotFinalized && pending_before) {
                    store::insert_decision(
                        c,
                        rowid,
                        batch_date,
                        Some(reason),
                        eligible_again_on,
                        now_ms,
                    )?;
                }
                skipped.push(SkippedTransaction {
                    transaction: t.id.clone(),
                    customer: t.customer.clone(),
                    reason,
                    eligible_again_on,
                    repeat: false,
                });
            }
        }
    }
    report.skipped = skipped;
    crate::failpoint::hit("sync.after_decisions");

    // S2: record the dates, report which were caught up and which are still missing.
    let via = match mode {
        Mode::Nightly => "sync",
        Mode::Backfill => "backfill",
    };
    store::mark_dates_synced(c, location.rowid, &batch.business_dates, now_ms, via)?;
    let newest = batch.business_date().unwrap_or(today);
    let mut dates: Vec<NaiveDate> = batch.business_dates.clone();
    dates.sort();
    report.caught_up_dates = dates
        .iter()
        .copied()
        .filter(|d| *d < newest && !synced.contains(d))
        .collect();
    let mut after = synced;
    after.extend(batch.business_dates.iter().copied());
    report.missing_dates = clock.plan(today, &after, now).missing;
    super::alerts::sync_gap(c, location.rowid, &report.missing_dates, now)?;
    crate::failpoint::hit("sync.before_commit");
    Ok(report)
}
