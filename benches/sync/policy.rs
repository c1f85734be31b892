//! The sync with every contact-policy rule on (P1–P7), beside the default run: the same
//! template and batch, plus what makes each rule bite — refunds in the batch (P6), new
//! records sharing a contact (P3), earlier invitations inside the minimum gap (P2), a
//! sample (P4), a daily cap (P4), a calendar and a delay (P5), relationship surveys (P7).

use std::collections::BTreeMap;
use std::path::Path;

use chrono::{DateTime, NaiveDate, Utc};
use hearken::{
    Calendar, ContactPolicy, Engine, LocationPolicy, SkipReason, SyncBatch, Transaction,
    TransactionKind, Weekday,
};
use rusqlite::{Connection, params};

use super::{BenchResult, LOCATION, Stopwatch, fresh_copy, remove_db};

/// The policy run's batch: every 16th sale refunded in the same batch (P6), and every 15th
/// new customer given the address of the one before (P3).
pub fn policy_batch(base: &SyncBatch) -> SyncBatch {
    let mut batch = base.clone();
    let half = batch.customers.len() / 2;
    for i in (half + 1..batch.customers.len()).step_by(15) {
        let previous = batch.customers[i - 1].email.clone();
        batch.customers[i].email = previous.map(|e| format!(" {} ", e.to_uppercase()));
    }
    let refunds: Vec<Transaction> = batch
        .transactions
        .iter()
        .step_by(16)
        .map(|t| Transaction {
            id: format!("R-{}", t.id),
            customer: t.customer.clone(),
            employees: Vec::new(),
            kind: TransactionKind::Refund,
            amount_minor: -t.amount_minor,
            currency: t.currency.clone(),
            finalized_at: t.finalized_at,
            exclude: false,
            refers_to: Some(t.id.clone()),
        })
        .collect();
    batch.transactions.extend(refunds);
    batch
}

/// What the policy run measured.
pub struct PolicyTimed {
    pub wall: std::time::Duration,
    pub cpu: std::time::Duration,
    pub invitations: usize,
    pub relationship: usize,
    /// Skipped sales by reason.
    pub skipped: BTreeMap<&'static str, usize>,
    /// Sales evaluated (refunds and voids are not).
    pub sales: usize,
}

/// `Engine::sync` of the policy batch with every P rule on (P7's relationship survey only
/// when `relationship`), on a fresh copy of the template; the set-up (policy, calendar,
/// earlier invitations) is outside the clock.
pub fn time_policy(
    template: &Path,
    work: &Path,
    batch: &SyncBatch,
    date: NaiveDate,
    now: DateTime<Utc>,
    relationship: bool,
) -> BenchResult<PolicyTimed> {
    let db = fresh_copy(template, work, "policy")?;
    let engine = Engine::open(&db)?;
    engine.set_contact_policy(&ContactPolicy {
        one_person_per_contact: true,
        min_gap_days: 120,
        max_per_year: 3,
        sample_percent: 90,
        sample_salt: "bench-salt".into(),
        // Counted every night; not reached here (once reached it skips every sale).
        monthly_response_quota: 1_000_000,
        delay_days: 2,
        relationship_every_months: if relationship { 12 } else { 0 },
        active_within_days: 30,
        ..ContactPolicy::default()
    })?;
    engine.set_calendar(&Calendar {
        send_weekdays: vec![
            Weekday::Monday,
            Weekday::Tuesday,
            Weekday::Wednesday,
            Weekday::Thursday,
            Weekday::Friday,
        ],
        closed_dates: vec![date.succ_opt().ok_or("date")?],
        opening_hours: Vec::new(),
    })?;
    let sales = batch
        .transactions
        .iter()
        .filter(|t| !t.kind.cancels_sale())
        .count();
    engine.set_location_policy(&LocationPolicy {
        location: LOCATION.into(),
        daily_cap: Some(u32::try_from(sales * 30 / 100)?),
        ..LocationPolicy::default()
    })?;
    drop(engine);
    earlier_invitations(&db, batch, date)?;
    let engine = Engine::open(&db)?;
    let clock = Stopwatch::start();
    let report = engine.sync(batch, now)?;
    let (wall, cpu) = clock.stop();
    let mut skipped = BTreeMap::new();
    for s in &report.skipped {
        *skipped.entry(s.reason.as_str()).or_insert(0) += 1;
    }
    for r in SkipReason::ALL {
        skipped.entry(r.as_str()).or_insert(0);
    }
    let out = PolicyTimed {
        wall,
        cpu,
        invitations: report.invitations.len(),
        relationship: report.relationship_invitations.len(),
        skipped,
        sales,
    };
    drop(report);
    drop(engine);
    remove_db(&db);
    Ok(out)
}

/// One transactional invitation 100 days before `date` for every 6th known customer of
/// the batch: past the 3-month cooldown, inside the 120-day minimum gap (P2).
fn earlier_invitations(db: &Path, batch: &SyncBatch, date: NaiveDate) -> BenchResult<()> {
    let mut conn = Connection::open(db)?;
    let tx = conn.transaction()?;
    let then = date - chrono::TimeDelta::days(100);
    {
        let mut insert = tx.prepare(
            "INSERT INTO invitations (customer_id, location_id, trigger, channel, language,
               business_date, status, due_at, created_at, survey_kind, contact)
             SELECT c.id, 1, 'transaction', 'email', 'fr', ?2, 'delivered', 0, 0,
                    'transactional', c.email_norm
             FROM customers c WHERE c.host_id = ?1",
        )?;
        let known = batch.customers.len() / 2;
        for c in batch.customers[..known].iter().step_by(6) {
            insert.execute(params![c.id, then])?;
        }
    }
    tx.commit()?;
    Ok(())
}
