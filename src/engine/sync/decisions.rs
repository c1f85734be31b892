//! The write phase of a sync: each verdict becomes an invitation and its outbox message,
//! or a stored skip (E9, P8).

use std::cell::OnceCell;
use std::collections::HashMap;

use chrono::{DateTime, NaiveDate, Utc};
use rusqlite::Connection;

use crate::error::{Error, Result};
use crate::model::{
    InvitationSummary, MessageKind, Settings, SkipReason, SkippedTransaction, SurveyKind,
    SyncBatch, SyncReport,
};
use crate::rules::eligibility::Verdict;
use crate::rules::time;
use crate::store::{self, DecisionRow, InvitationRow};

use super::super::outbox::MessageIds;
use super::facts::BatchFacts;
use super::{Dated, Known, Stored, Written};

/// Writes each decision: an invitation and its outbox message, or a skip record; fills
/// the report in batch order. With the relationship survey on (P7), returns the customer
/// row id and contact of each invitation that counts (not those cancelled at once for
/// want of a send slot).
#[allow(clippy::too_many_arguments)]
pub(super) fn write_decisions(
    c: &Connection,
    batch: &SyncBatch,
    written: &[Written<'_>],
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
    // Host ids of the records a skip may name (P3): tonight's and earlier invitations'.
    // Built on the first skip that names another record: most nights have none.
    let tonight: OnceCell<HashMap<i64, &str>> = OnceCell::new();
    let host_id_of = |rowid: i64| -> Option<String> {
        let tonight =
            tonight.get_or_init(|| customers.iter().map(|(id, k)| (k.rowid, *id)).collect());
        (tonight.get(&rowid).map(|id| (*id).to_owned()))
            .or_else(|| facts.host_ids.get(&rowid).cloned())
    };
    for (t, w) in batch.transactions.iter().zip(written) {
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
        let verdict = verdicts
            .next()
            .ok_or_else(|| Error::Internal("a transaction without a verdict".into()))?;
        let Verdict::Skip {
            reason,
            eligible_again_on,
            related,
        } = verdict
        else {
            let (id, known) = t
                .customer
                .as_deref()
                .and_then(|id| customers.get(id).map(|k| (id, k)))
                .ok_or_else(|| Error::Internal("eligible without a customer".into()))?;
            let sale_date = t.finalized_at.map_or(dated.batch_date, |f| {
                time::local_date(dated.clock.tz, f.to_utc())
            });
            let due = dated.rules.invitation_due(dated.batch_date, sale_date, now);
            let summary = queue_invitation(
                c,
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
            )?;
            if due.is_some() && dated.rules.policy.relationship_every_months > 0 {
                let contact = known.contact(settings.channel);
                counted.push((known.rowid, contact.map(str::to_owned)));
            }
            store::insert_decision(
                c,
                w.rowid,
                &DecisionRow {
                    business_date: dated.batch_date,
                    reason: None,
                    eligible_again_on: None,
                    related_customer: None,
                },
                now_ms,
            )?;
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
        let own = t
            .customer
            .as_deref()
            .and_then(|id| customers.get(id))
            .map(|k| k.rowid);
        let related_customer = related.filter(|r| Some(*r) != own).and_then(host_id_of);
        // A still-unfinalized transaction keeps its first `not_finalized` record, so a
        // re-run writes nothing (E8).
        let pending_before = w.before.is_some_and(|s| s.decision.is_some());
        if !(reason == SkipReason::NotFinalized && pending_before) {
            let row = DecisionRow {
                business_date: dated.batch_date,
                reason: Some(reason),
                eligible_again_on,
                related_customer: related_customer.as_deref(),
            };
            store::insert_decision(c, w.rowid, &row, now_ms)?;
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
    Ok(counted)
}

/// Whom an invitation is for: the customer's row id, contact on the channel and language.
pub(in crate::engine) struct Recipient<'a> {
    /// Row id.
    pub(in crate::engine) rowid: i64,
    /// The normalised contact of the channel.
    pub(in crate::engine) contact: Option<&'a str>,
    /// BCP 47 language; the settings' default when `None`.
    pub(in crate::engine) language: Option<&'a str>,
}

/// Creates an invitation of `kind` and queues its message, due at the send slot `due`;
/// with no slot before the link would expire, both are cancelled at once (`no_send_slot`,
/// P5), which releases the cooldown. The summary's customer and transaction are left for
/// the caller.
#[allow(clippy::too_many_arguments)]
pub(in crate::engine) fn queue_invitation(
    c: &Connection,
    message_ids: &mut MessageIds,
    settings: &Settings,
    (location, business_date): (i64, NaiveDate),
    known: &Recipient<'_>,
    transaction: Option<i64>,
    kind: SurveyKind,
    due: Option<DateTime<Utc>>,
    now: DateTime<Utc>,
) -> Result<InvitationSummary> {
    let now_ms = time::ms(now);
    let language =
        (known.language.map(str::to_owned)).unwrap_or_else(|| settings.default_language.clone());
    let due_at = due.unwrap_or(now);
    let invitation = store::insert_invitation(
        c,
        &InvitationRow {
            customer: known.rowid,
            transaction,
            kind,
            contact: known.contact.map(str::to_owned),
            location,
            channel: settings.channel,
            language: language.clone(),
            business_date,
            due_at_ms: time::ms(due_at),
        },
        now_ms,
    )?;
    let message_kind = match kind {
        SurveyKind::Relationship => MessageKind::RelationshipSurvey,
        _ => MessageKind::SurveyInvitation,
    };
    let message = store::NewMessage::to_customer(
        message_kind,
        known.rowid,
        location,
        settings.channel,
        &language,
        time::ms(due_at),
    );
    let message = store::NewMessage {
        invitation: Some(invitation),
        ..message
    };
    let message_id = message_ids.next_id();
    store::queue_message(c, &message_id, &message, now_ms)?;
    if due.is_none() {
        store::cancel_message(c, &message_id, Some(invitation), "no_send_slot", now_ms)?;
    }
    Ok(InvitationSummary {
        invitation_id: invitation,
        customer: String::new(),
        transaction: String::new(),
        channel: settings.channel,
        language,
        due_at,
    })
}
