//! The facts phase of a sync: what the rules read of the batch's customers and sales,
//! gathered in bulk, and tonight's refunds applied to sales decided before (P6).

use crate::hash::{HashMap, HashSet};

use crate::store::{PersonKey, Tx};
use chrono::{DateTime, Utc};

use crate::error::Result;
use crate::model::{Channel, Settings, SurveyKind, SyncBatch, SyncReport};
use crate::rules::decide::Pending;
use crate::rules::eligibility::{CustomerFacts, Facts};
use crate::rules::policy::{self, PastInvitation};
use crate::rules::time;
use crate::store::{CustomerRow, StoredTransaction};

use super::super::policy::holds;
use super::super::suppressions::Suppressions;
use super::{Dated, Known, Written};

/// The normalised contact of the channel: the person's key when records are matched
/// by contact (P3), and what an invitation is addressed to.
pub(in crate::engine) fn channel_contact(row: &CustomerRow, channel: Channel) -> Option<&str> {
    match channel {
        Channel::Email => row.email_norm.as_deref(),
        Channel::Sms => row.phone_norm.as_deref(),
    }
}

/// What the rules read of the batch's customers and sales, gathered in bulk.
pub(super) struct BatchFacts {
    /// Host ids of the batch's customers unsubscribed, by any of their keys (E3).
    pub(super) unsubscribed: HashSet<String>,
    /// The sales of the batch that a refund or void names (P6).
    pub(super) refunded: HashSet<String>,
    /// Host ids of the customer records that earlier invitations name (P3).
    pub(super) host_ids: HashMap<i64, String>,
    /// The invitations that counted before tonight, by customer row id (E4, P1–P3).
    pub(super) past: HashMap<i64, Vec<PastInvitation>>,
    /// Host ids of the batch's customers whose contact of the channel bounced hard (D3).
    pub(super) bounced: HashSet<String>,
}

impl BatchFacts {
    /// What the rules read of a customer (E2–E4, E6, P1–P3). Computed for each sale
    /// rather than kept in a map by customer: on a 50k-customer batch that map was
    /// 3.2 MB at the sync's peak, beside the pending sales that carry the same facts.
    fn customer(&self, id: &str, k: &Known<'_>, dated: &Dated, channel: Channel) -> CustomerFacts {
        let past = self.past.get(&k.rowid).map_or(&[][..], Vec::as_slice);
        let person = &dated.rules.person;
        let (cooldown, contact_cap) =
            holds(past, SurveyKind::Transactional, person, dated.batch_date);
        CustomerFacts {
            communications: k.communications,
            unsubscribed: self.unsubscribed.contains(id),
            usable_contact: k.contact(channel).is_some() && !self.bounced.contains(id),
            cooldown,
            contact_cap,
        }
    }
}

/// Gathers what the rules read of each referenced customer: unsubscribed (one look-up
/// for all of them), usable contact, and what holds the person back (E4, P1–P3).
pub(super) fn gather_facts(
    c: &mut dyn Tx,
    batch: &SyncBatch,
    customers: &HashMap<&str, Known<'_>>,
    suppressions: &Suppressions,
    settings: &Settings,
    dated: &Dated,
) -> Result<BatchFacts> {
    let keys: Vec<(&str, Option<&str>, Option<&str>)> = customers
        .iter()
        .map(|(id, k)| (*id, k.email_norm.as_deref(), k.phone_norm.as_deref()))
        .collect();
    let unsubscribed =
        suppressions.unsubscribed_among(c, &keys, settings.channel == Channel::Sms)?;
    let by_contact = dated.rules.policy.one_person_per_contact;
    // A customer created tonight has no invitation, but may share a contact (P3).
    let asked: Vec<PersonKey<'_>> = customers
        .values()
        .filter_map(|k| {
            let contact = k.contact(settings.channel).filter(|_| by_contact);
            (k.existed || contact.is_some()).then_some(PersonKey {
                customer: k.rowid,
                contact,
                own: k.existed,
            })
        })
        .collect();
    let person = &dated.rules.person;
    let since = policy::history_since(person, dated.batch_date);
    let history = c.person_history(&asked, since, policy::kinds_read(person))?;
    let sales: Vec<&str> = batch
        .transactions
        .iter()
        .filter(|t| !t.kind.cancels_sale())
        .map(|t| t.id.as_str())
        .collect();
    let refunded = c.refunded_among(&sales)?;
    // D3: a contact that bounced hard is not usable (one look-up, none while no contact
    // ever bounced).
    let mut bounced = HashSet::default();
    if suppressions.bounces {
        let kind = match settings.channel {
            Channel::Email => "email",
            Channel::Sms => "phone",
        };
        let values: Vec<String> = customers
            .values()
            .filter_map(|k| k.contact(settings.channel).map(str::to_owned))
            .collect();
        let marked: HashSet<String> = c
            .bounced_among(kind, &values)?
            .into_iter()
            .map(|(v, _)| v)
            .collect();
        bounced = customers
            .iter()
            .filter(|(_, k)| {
                k.contact(settings.channel)
                    .is_some_and(|v| marked.contains(v))
            })
            .map(|(id, _)| (*id).to_owned())
            .collect();
    }
    Ok(BatchFacts {
        unsubscribed,
        refunded,
        host_ids: history.host_ids,
        past: history.by_customer,
        bounced,
    })
}

/// P6: tonight's refunds and voids cancel what their sales, decided by an earlier sync,
/// still have undelivered.
pub(super) fn apply_refunds(
    c: &mut dyn Tx,
    batch: &SyncBatch,
    written: &[Written<'_>],
    dated: &Dated,
    report: &mut SyncReport,
    now: DateTime<Utc>,
) -> Result<()> {
    let refunds: Vec<&str> = batch
        .transactions
        .iter()
        .filter(|t| t.kind.cancels_sale())
        .filter_map(|t| t.refers_to.as_deref())
        .collect();
    if refunds.is_empty() {
        return Ok(());
    }
    // Sales of this batch are decided below, with the refund known (`refunded`).
    let in_batch: HashMap<&str, &Written<'_>> = batch
        .transactions
        .iter()
        .zip(written)
        .map(|(t, w)| (t.id.as_str(), w))
        .collect();
    let stored = c.find_transactions(&refunds.to_vec())?;
    for sale in refunds {
        let decided_before = match in_batch.get(sale) {
            Some(w) => w.before.filter(|s| s.decided()).map(|s| s.rowid),
            None => stored.get(sale).filter(|s| s.decided()).map(|s| s.rowid),
        };
        if let Some(rowid) = decided_before
            && let Some(invitation) = c.cancel_for_refund(rowid, dated.batch_date, time::ms(now))?
        {
            super::super::events::invitation_cancelled(c, invitation, "refunded", now)?;
            if !report.cancelled_by_refund.iter().any(|s| s == sale) {
                report.cancelled_by_refund.push(sale.to_owned());
            }
        }
    }
    Ok(())
}

/// The transactions to decide now, with their facts; those decided by an earlier sync
/// (E9) are left out and reported as stored, and refunds and voids are never decided (P6).
pub(super) fn pending<'b>(
    batch: &'b SyncBatch,
    written: &[Written<'_>],
    customer_of: &[Option<&'b Known<'_>>],
    facts: &BatchFacts,
    dated: &Dated,
    channel: Channel,
) -> Vec<Pending<'b>> {
    let by_contact = dated.rules.policy.one_person_per_contact;
    // Sized for every transaction (nearly all are pending): a collect through the filter
    // would grow by doubling, up to twice the size (16 MB instead of ~10 on 100k sales).
    let mut out = Vec::with_capacity(batch.transactions.len());
    out.extend(
        batch
            .transactions
            .iter()
            .zip(written)
            .zip(customer_of)
            .filter(|((t, w), _)| {
                !t.kind.cancels_sale() && !w.before.is_some_and(StoredTransaction::decided)
            })
            .map(|((t, _), known)| {
                let customer = t.customer.as_deref().zip(*known);
                let finalized_at = t.finalized_at.map(|f| f.with_timezone(&Utc));
                Pending {
                    transaction: &t.id,
                    customer: t.customer.as_deref(),
                    customer_rowid: customer.map(|(_, k)| k.rowid),
                    person: customer
                        .filter(|_| by_contact)
                        .and_then(|(_, k)| k.contact(channel)),
                    finalized_at,
                    facts: Facts {
                        finalized_on: finalized_at.map(|f| time::local_date(dated.clock.tz, f)),
                        excluded: t.exclude,
                        refunded: facts.refunded.contains(&t.id),
                        location_enabled: dated.location.location.enabled,
                        customer: customer.map(|(id, k)| facts.customer(id, k, dated, channel)),
                        already_invited: false,
                    },
                }
            }),
    );
    out
}
