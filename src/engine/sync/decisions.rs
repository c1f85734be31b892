//! The write phase of a sync: each verdict becomes an invitation and its outbox message,
//! or a stored skip (E9, P8).

use crate::hash::HashMap;
use std::cell::OnceCell;

use crate::store::Tx;
use chrono::{DateTime, NaiveDate, Utc};

use crate::error::{Error, Result};
use crate::model::{
    InvitationSummary, SkipReason, SkippedTransaction, SurveyKind, SyncBatch, SyncReport,
};
use crate::rules::eligibility::Verdict;
use crate::rules::time;
use crate::store::{DecisionChanges, DecisionRow};

use super::super::events::{InvitationRefs, invitations_created};
use super::super::invite::{Known, Recipient, invitation};
use super::super::outbox::MessageIds;
use super::facts::BatchFacts;
use super::{Dated, Stored, Written};

/// Writes each decision: an invitation and its outbox message, or a skip record; fills
/// the report in batch order. With the relationship survey on (P7), returns the customer
/// row id and contact of each invitation that counts (not those cancelled at once for
/// want of a send slot).
#[allow(clippy::too_many_arguments)]
pub(super) fn write_decisions(
    c: &mut dyn Tx,
    batch: &SyncBatch,
    written: &[Written<'_>],
    customer_of: &[Option<&Known<'_>>],
    verdicts: Vec<Verdict>,
    customers: &HashMap<&str, Known<'_>>,
    facts: &BatchFacts,
    stored: &Stored,
    dated: &Dated,
    report: &mut SyncReport,
    now: DateTime<Utc>,
) -> Result<Vec<(i64, Option<String>)>> {
    let settings = &stored.settings;
    let mut counted = Vec::new();
    let now_ms = time::ms(now);
    let mut message_ids = MessageIds::new(now)?;
    let mut verdicts = verdicts.into_iter();
    let mut changes = DecisionChanges::default();
    // The host ids each invitation's event names (D1), in the order of `changes`.
    let mut refs: Vec<InvitationRefs<'_>> = Vec::new();
    // Where the first summary of the unwritten invitations is in the report, to give each
    // its id once written.
    let mut first_summary = report.invitations.len();
    // Host ids of the records a skip may name (P3): tonight's and earlier invitations'.
    // Built on the first skip that names another record: most nights have none.
    let tonight: OnceCell<HashMap<i64, &str>> = OnceCell::new();
    let host_id_of = |rowid: i64| -> Option<String> {
        let tonight =
            tonight.get_or_init(|| customers.iter().map(|(id, k)| (k.rowid, *id)).collect());
        (tonight.get(&rowid).map(|id| (*id).to_owned()))
            .or_else(|| facts.host_ids.get(&rowid).cloned())
    };
    // The last sale date's send slot (P5).
    let mut last_due: Option<(NaiveDate, Option<DateTime<Utc>>)> = None;
    for ((t, w), known) in batch.transactions.iter().zip(written).zip(customer_of) {
        if changes.decisions.len() >= CHANGES_PER_WRITE {
            flush(
                c,
                &mut changes,
                &mut refs,
                report,
                &mut first_summary,
                now_ms,
            )?;
        }
        if t.kind.cancels_sale() {
            continue;
        }
        if let Some(old) = w.before.filter(|s| s.decided()) {
            // Decided by an earlier sync: report the stored decision, never re-decide.
            match &mut report.counts {
                Some(counts) => counts.skipped += 1,
                None => report.skipped.push(SkippedTransaction {
                    transaction: t.id.clone(),
                    customer: t.customer.clone(),
                    reason: old.decision.flatten().unwrap_or(SkipReason::AlreadyInvited),
                    eligible_again_on: old.eligible_again_on,
                    repeat: true,
                    related_customer: None,
                }),
            }
            continue;
        }
        // A `not_finalized` record is stored for it (the only one a re-decision replaces).
        let stored_before = w.before.is_some_and(|s| s.decision.is_some());
        let verdict = verdicts
            .next()
            .ok_or_else(|| Error::Internal("a transaction without a verdict".into()))?;
        let Verdict::Skip {
            reason,
            eligible_again_on,
            related,
        } = verdict
        else {
            let (id, known) = (t.customer.as_deref())
                .zip(*known)
                .ok_or_else(|| Error::Internal("eligible without a customer".into()))?;
            let sale_date = t.finalized_at.map_or(dated.batch_date, |f| {
                time::local_date(dated.clock.tz, f.to_utc())
            });
            // A pure function of the sale's date here: most of a night's sales share one.
            let due = match last_due {
                Some((date, due)) if date == sale_date => due,
                _ => {
                    let due = dated.rules.invitation_due(dated.batch_date, sale_date, now);
                    last_due = Some((sale_date, due));
                    due
                }
            };
            let (invitation, summary) = invitation(
                &mut message_ids,
                settings,
                (dated.location.rowid, dated.batch_date),
                &Recipient {
                    rowid: known.rowid,
                    contact: known.contact(settings.channel),
                    language: known.language.as_deref(),
                },
                Some(w.rowid),
                SurveyKind::Transactional,
                due,
                now,
            );
            changes.invitations.push(invitation);
            refs.push(InvitationRefs {
                customer: id,
                location: &dated.location.location.id,
                transaction: Some(&t.id),
            });
            if due.is_some() && dated.rules.policy.relationship_every_months > 0 {
                let contact = known.contact(settings.channel);
                counted.push((known.rowid, contact.map(str::to_owned)));
            }
            changes.replaces_stored |= stored_before;
            changes.decisions.push((
                w.rowid,
                DecisionRow {
                    business_date: dated.batch_date,
                    reason: None,
                    eligible_again_on: None,
                    related_customer: None,
                },
            ));
            match &mut report.counts {
                Some(counts) => counts.invitations += 1,
                None => report.invitations.push(InvitationSummary {
                    customer: id.to_owned(),
                    transaction: t.id.clone(),
                    ..summary
                }),
            }
            continue;
        };
        let own = known.map(|k| k.rowid);
        let related_customer = related.filter(|r| Some(*r) != own).and_then(host_id_of);
        // A still-unfinalized transaction keeps its first `not_finalized` record, so a
        // re-run writes nothing (E8).
        if !(reason == SkipReason::NotFinalized && stored_before) {
            let row = DecisionRow {
                business_date: dated.batch_date,
                reason: Some(reason),
                eligible_again_on,
                related_customer: related_customer.clone(),
            };
            changes.replaces_stored |= stored_before;
            changes.decisions.push((w.rowid, row));
        }
        match &mut report.counts {
            Some(counts) => counts.skipped += 1,
            None => report.skipped.push(SkippedTransaction {
                transaction: t.id.clone(),
                customer: t.customer.clone(),
                reason,
                eligible_again_on,
                repeat: false,
                related_customer,
            }),
        }
    }
    flush(
        c,
        &mut changes,
        &mut refs,
        report,
        &mut first_summary,
        now_ms,
    )?;
    Ok(counted)
}

/// Decisions gathered before they are written: a night (hundreds of sales) is one write;
/// a big backfill batch is written in parts, so its change set never holds more than this
/// (at 100k sales the whole set was ~16 MB of the sync's peak memory).
const CHANGES_PER_WRITE: usize = 4096;

/// Writes the gathered decisions and invitations, gives the report's summaries their
/// invitation ids, and empties the change set.
fn flush(
    c: &mut dyn Tx,
    changes: &mut DecisionChanges,
    refs: &mut Vec<InvitationRefs<'_>>,
    report: &mut SyncReport,
    first_summary: &mut usize,
    now_ms: i64,
) -> Result<()> {
    if changes.decisions.is_empty() && changes.invitations.is_empty() {
        return Ok(());
    }
    let ids = c.write_decisions(changes, now_ms)?;
    invitations_created(c, &changes.invitations, refs, &ids, now_ms)?;
    if report.counts.is_none() {
        for (summary, id) in report.invitations[*first_summary..].iter_mut().zip(ids) {
            summary.invitation_id = id;
        }
        *first_summary = report.invitations.len();
    }
    changes.decisions.clear();
    changes.invitations.clear();
    changes.replaces_stored = false;
    refs.clear();
    Ok(())
}
