//! The relationship survey (P7): evaluated in the nightly sync of the location of each
//! active customer's latest purchase, with E2, E3, E6, E7 and P1–P3; never P4.

use crate::hash::{HashMap, HashSet};

use crate::store::Tx;
use chrono::{DateTime, NaiveDate, Utc};

use crate::error::Result;
use crate::model::{Channel, InvitationSummary, Settings, SkipReason, SurveyKind, SyncReport};
use crate::rules::eligibility::{CustomerFacts, Verdict};
use crate::rules::policy::{self, PastInvitation};
use crate::rules::relationship;
use crate::rules::time;
use crate::store::{
    self, DecisionChanges, History, KnownSales, LocationRow, PersonKey, RelationshipRow,
};

use super::invite::{Known, Recipient, invitation};
use super::outbox::MessageIds;
use super::policy::{LocationRules, holds};
use super::suppressions::Suppressions;

/// What the relationship survey reads of tonight's sync.
pub struct Night<'a> {
    /// The store's settings.
    pub settings: &'a Settings,
    /// The location synced.
    pub location: &'a LocationRow,
    /// Its contact policy and calendar.
    pub rules: &'a LocationRules,
    /// The batch's business date.
    pub date: NaiveDate,
    /// The customers the batch refers to, as written tonight, by host id: read again only
    /// for the other candidates.
    pub customers: &'a HashMap<&'a str, Known<'a>>,
    /// Host ids of the erased among them.
    pub erased: &'a HashSet<String>,
    /// The suppression lists, as loaded by the sync.
    pub suppressions: &'a Suppressions,
    /// What counted of those customers before tonight (their history, read by the sync).
    pub past: &'a HashMap<i64, Vec<PastInvitation>>,
    /// Host ids of the other records that history names (P3).
    pub host_ids: &'a HashMap<i64, String>,
    /// Tonight's transactional invitations that count: customer row id and contact.
    pub invited: &'a [(i64, Option<String>)],
    /// Tonight's transactions as written, by row id: the store need not read them again.
    pub sales: &'a KnownSales<'a>,
}

/// Evaluates tonight's relationship surveys of a location and writes their decisions; a
/// customer inside the relationship cooldown is not due and gets no record. A skip that
/// repeats the customer's last stored reason is not stored again.
pub fn survey(
    c: &mut dyn Tx,
    night: &Night<'_>,
    report: &mut SyncReport,
    now: DateTime<Utc>,
) -> Result<()> {
    let Night {
        settings,
        location,
        rules,
        date,
        ..
    } = *night;
    let Some(tz) = time::parse_tz(&location.location.time_zone) else {
        return Ok(());
    };
    let since = time::add_days(date, -i64::from(rules.policy.active_within_days));
    let since_ms = time::ms(time::local_hour_instant(tz, since, 0));
    // Customers P1's cooldown holds for their own recent relationship invitation are left
    // out by the store: most of a year's active customers, every night.
    let held_after = policy::relationship_held_after(&rules.person, date);
    let candidates =
        c.relationship_candidates(location.rowid, since_ms, held_after, night.sales)?;
    // Tests check what the sync told the store against the store's own rows on every
    // sync that reaches here.
    #[cfg(debug_assertions)]
    {
        let read = c.relationship_candidates(
            location.rowid,
            since_ms,
            held_after,
            &KnownSales::default(),
        )?;
        debug_assert_eq!(format!("{candidates:?}"), format!("{read:?}"));
    }
    if candidates.is_empty() {
        return Ok(());
    }
    let rowids: Vec<i64> = candidates.iter().map(|p| p.customer).collect();
    // Tonight's customers by row id.
    let tonight: HashMap<i64, (&str, &Known<'_>)> = (night.customers.iter())
        .map(|(id, k)| (k.rowid, (*id, k)))
        .collect();
    let others: Vec<i64> = (rowids.iter().copied())
        .filter(|r| !tonight.contains_key(r))
        .collect();
    let others = c.customers_by_rowid(&others)?;
    let customers: HashMap<i64, Person<'_>> = (others.iter())
        .map(Person::stored)
        .chain(
            (rowids.iter())
                .filter_map(|r| tonight.get(r))
                .map(|(id, k)| Person::tonight(id, k, night.erased)),
        )
        .map(|p| (p.rowid, p))
        .collect();
    let by_contact = rules.policy.one_person_per_contact;
    // Every record is read with its own invitations: tonight's may have one already.
    let keys: Vec<PersonKey<'_>> = customers
        .values()
        .map(|s| PersonKey::stored(s.rowid, s.contact(settings.channel).filter(|_| by_contact)))
        .collect();
    let history = history(c, night, &tonight, &keys)?;
    let suppression_keys: Vec<(&str, Option<&str>, Option<&str>)> = customers
        .values()
        .map(|s| (s.host_id, s.email_norm, s.phone_norm))
        .collect();
    let unsubscribed = night.suppressions.unsubscribed_among(
        c,
        &suppression_keys,
        settings.channel == Channel::Sms,
    )?;
    let last = c.last_relationship_decisions(&rowids)?;

    // Each due customer's verdict (P7: rules::relationship, in P8 order, one per person).
    let mut due: Vec<(&store::LatestPurchase, &Person<'_>)> = Vec::new();
    let mut facts: Vec<relationship::Due<'_>> = Vec::new();
    for purchase in &candidates {
        let Some(stored) = customers.get(&purchase.customer) else {
            continue;
        };
        let past = history
            .by_customer
            .get(&stored.rowid)
            .map_or(&[][..], Vec::as_slice);
        let (cooldown, cap) = holds(past, SurveyKind::Relationship, &rules.person, date);
        if cooldown.is_some() || stored.erased {
            continue;
        }
        facts.push(relationship::Due {
            person: stored.person(settings.channel, by_contact),
            customer: stored.rowid,
            transaction: &purchase.transaction,
            finalized_at: time::from_ms(purchase.finalized_at_ms)
                .unwrap_or(DateTime::<Utc>::MIN_UTC),
            facts: CustomerFacts {
                communications: stored.communications,
                unsubscribed: unsubscribed.contains(stored.host_id),
                usable_contact: stored.contact(settings.channel).is_some(),
                cooldown: None,
                contact_cap: cap,
            },
        });
        due.push((purchase, stored));
    }
    let verdicts = relationship::decide(&facts, location.location.enabled, date);
    let mut ids = MessageIds::new(now)?;
    // Every relationship survey of the night has the same send slot (P5).
    let slot = rules.invitation_due(date, date, now);
    let now_ms = time::ms(now);
    // Tonight's invitations are written together (one change set), then the decisions to
    // store in verdict order, each naming its invitation (by its place among tonight's).
    // A skip that repeats the customer's last stored reason is not stored again.
    let mut rows: Vec<(RelationshipRow<'_>, Option<usize>)> = Vec::with_capacity(due.len());
    let mut invitations = Vec::new();
    let mut refs = Vec::new();
    let mut summaries = Vec::new();
    // The other record a skip names (P3), by host id.
    let related: Vec<Option<String>> = (verdicts.iter())
        .map(|verdict| match verdict {
            Verdict::Skip { related, .. } => related.and_then(|r| {
                (customers.get(&r).map(|s| s.host_id))
                    .or_else(|| tonight.get(&r).map(|(id, _)| *id))
                    .map(str::to_owned)
                    .or_else(|| history.host_ids.get(&r).cloned())
                    .or_else(|| night.host_ids.get(&r).cloned())
            }),
            Verdict::Eligible => None,
        })
        .collect();
    for (((purchase, stored), verdict), related_customer) in due.iter().zip(verdicts).zip(&related)
    {
        let verdict = match verdict {
            Verdict::Eligible => None,
            Verdict::Skip {
                reason,
                eligible_again_on,
                ..
            } => Some(Skip {
                reason,
                eligible_again_on,
            }),
        };
        let row = RelationshipRow {
            customer: stored.rowid,
            business_date: date,
            location: location.rowid,
            invitation: None,
            reason: verdict.map(|v| v.reason),
            eligible_again_on: verdict.and_then(|v| v.eligible_again_on),
            related_customer: related_customer.as_deref(),
        };
        if let Some(v) = verdict {
            let repeats = last
                .get(&stored.rowid)
                .is_some_and(|(_, r)| r.as_deref() == Some(v.reason.as_str()));
            if !repeats {
                rows.push((row, None));
            }
            continue;
        }
        let recipient = Recipient {
            rowid: stored.rowid,
            contact: stored.contact(settings.channel),
            language: stored.language,
        };
        let (new, summary) = invitation(
            &mut ids,
            settings,
            (location.rowid, date),
            &recipient,
            None,
            SurveyKind::Relationship,
            slot,
            now,
        );
        rows.push((row, Some(invitations.len())));
        invitations.push(new);
        refs.push(super::events::InvitationRefs {
            customer: stored.host_id,
            location: &location.location.id,
            transaction: None,
        });
        summaries.push(InvitationSummary {
            customer: stored.host_id.to_owned(),
            transaction: purchase.transaction.clone(),
            ..summary
        });
    }
    let written = if invitations.is_empty() {
        Vec::new()
    } else {
        let changes = DecisionChanges {
            decisions: Vec::new(),
            invitations,
            replaces_stored: false,
        };
        let written = c.write_decisions(&changes, now_ms)?;
        super::events::invitations_created(c, &changes.invitations, &refs, &written, now_ms)?;
        written
    };
    let decisions: Vec<RelationshipRow<'_>> = (rows.into_iter())
        .map(|(row, invited)| RelationshipRow {
            invitation: invited.and_then(|i| written.get(i).copied()),
            ..row
        })
        .collect();
    c.insert_relationship_decisions(&decisions, now_ms)?;
    for (summary, id) in summaries.into_iter().zip(&written) {
        match &mut report.counts {
            Some(counts) => counts.relationship_invitations += 1,
            None => report.relationship_invitations.push(InvitationSummary {
                invitation_id: *id,
                ..summary
            }),
        }
    }
    Ok(())
}

/// The history of each key (P1–P3): the sync's for tonight's customers, with tonight's
/// invitations added; read from the store for the other candidates only.
fn history<T>(
    c: &mut dyn Tx,
    night: &Night<'_>,
    tonight: &HashMap<i64, T>,
    keys: &[PersonKey<'_>],
) -> Result<History> {
    let (tonight, others): (Vec<_>, Vec<_>) =
        (keys.iter().copied()).partition(|k| tonight.contains_key(&k.customer));
    let since = policy::history_since(&night.rules.person, night.date);
    let kinds = policy::kinds_read(&night.rules.person);
    let mut history = c.person_history(&others, since, kinds)?;
    let mut by_customer: HashMap<i64, usize> = HashMap::default();
    let mut by_contact: HashMap<&str, Vec<i64>> = HashMap::default();
    for (rowid, contact) in night.invited {
        *by_customer.entry(*rowid).or_default() += 1;
        if let Some(contact) = contact {
            by_contact.entry(contact).or_default().push(*rowid);
        }
    }
    let invited = |customer| PastInvitation {
        kind: SurveyKind::Transactional,
        date: night.date,
        customer,
        answered: false,
    };
    for PersonKey {
        customer: rowid,
        contact,
        ..
    } in tonight
    {
        let mut past = night.past.get(&rowid).cloned().unwrap_or_default();
        let own = by_customer.get(&rowid).copied().unwrap_or(0);
        past.extend(std::iter::repeat_n(invited(rowid), own));
        let shared = contact
            .and_then(|k| by_contact.get(k))
            .map_or(&[][..], Vec::as_slice);
        past.extend(shared.iter().filter(|b| **b != rowid).map(|b| invited(*b)));
        if !past.is_empty() {
            history.by_customer.insert(rowid, past);
        }
    }
    #[cfg(debug_assertions)]
    {
        // Tests check the shortcut against the store on every sync that reaches here.
        let sorted = |h: &HashMap<i64, Vec<PastInvitation>>| {
            let mut all: Vec<(i64, SurveyKind, NaiveDate, i64, bool)> = (h.iter())
                .flat_map(|(k, v)| {
                    v.iter()
                        .map(|p| (*k, p.kind, p.date, p.customer, p.answered))
                })
                .collect();
            all.sort_by_key(|t| (t.0, t.1.as_str(), t.2, t.3, t.4));
            all
        };
        // The shortcut adds tonight's invitations to a bounded history: bound it again.
        let bounded = |h: &HashMap<i64, Vec<PastInvitation>>| {
            (h.iter())
                .map(|(k, v)| (*k, policy::bounded_history(*k, v, since)))
                .filter(|(_, v)| !v.is_empty())
                .collect::<HashMap<_, _>>()
        };
        let stored = c.person_history(keys, since, kinds)?;
        debug_assert_eq!(
            sorted(&bounded(&history.by_customer)),
            sorted(&stored.by_customer)
        );
    }
    Ok(history)
}

/// A relationship skip: the reason and the date eligible again (the other record, P3, is
/// named by host id beside it).
#[derive(Debug, Clone, Copy)]
struct Skip {
    reason: SkipReason,
    eligible_again_on: Option<NaiveDate>,
}

/// A candidate as the survey reads it: one of tonight's customers (as the sync kept it)
/// or another, read from the store.
struct Person<'a> {
    rowid: i64,
    host_id: &'a str,
    email_norm: Option<&'a str>,
    phone_norm: Option<&'a str>,
    language: Option<&'a str>,
    communications: bool,
    erased: bool,
}

impl<'a> Person<'a> {
    fn stored(s: &'a store::StoredCustomer) -> Self {
        Person {
            rowid: s.rowid,
            host_id: &s.row.host_id,
            email_norm: s.row.email_norm.as_deref(),
            phone_norm: s.row.phone_norm.as_deref(),
            language: s.row.language.as_deref(),
            communications: s.row.include_in_communications,
            erased: s.erased,
        }
    }

    fn tonight(host_id: &'a str, k: &'a Known<'_>, erased: &HashSet<String>) -> Self {
        Person {
            rowid: k.rowid,
            host_id,
            email_norm: k.email_norm.as_deref(),
            phone_norm: k.phone_norm.as_deref(),
            language: k.language.as_deref(),
            communications: k.communications,
            erased: erased.contains(host_id),
        }
    }

    /// The normalised contact of the channel.
    fn contact(&self, channel: Channel) -> Option<&'a str> {
        match channel {
            Channel::Email => self.email_norm,
            Channel::Sms => self.phone_norm,
        }
    }

    /// The person the customer is (P3): the contact when one person per contact is on,
    /// else the host id.
    fn person(&self, channel: Channel, by_contact: bool) -> &'a str {
        self.contact(channel)
            .filter(|_| by_contact)
            .unwrap_or(self.host_id)
    }
}
