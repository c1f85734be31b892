use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};

use super::SkipReason;

/// Why a customer did or did not get surveys (E9): their status and the stored decisions.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
#[serde(deny_unknown_fields)]
pub struct Explanation {
    /// Host id of the customer.
    pub customer: String,
    /// The customer is globally unsubscribed (E3).
    pub unsubscribed: bool,
    /// When they unsubscribed.
    pub unsubscribed_at: Option<DateTime<Utc>>,
    /// The POS "include in communications" flag (E2).
    pub include_in_communications: bool,
    /// The stored e-mail is usable (E6).
    pub email_usable: bool,
    /// The stored phone is usable (E6).
    pub phone_usable: bool,
    /// If the customer is inside a cooldown at `now`, the date it ends (E4).
    pub eligible_again_on: Option<NaiveDate>,
    /// Decisions on the customer's transactions, newest first (at most 50).
    pub decisions: Vec<DecisionRecord>,
    /// Relationship-survey decisions (P7), newest first (at most 50).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    #[cfg_attr(feature = "uniffi", uniffi(default))]
    pub relationship: Vec<RelationshipDecision>,
    /// When the customer's contact of the store's channel bounced hard (D3): surveys skip
    /// it (`no_usable_contact`) until the POS sends another one.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        with = "crate::wire::time::utc_opt"
    )]
    #[cfg_attr(feature = "uniffi", uniffi(default))]
    pub contact_bounced_at: Option<DateTime<Utc>>,
    /// The customer's consent history, oldest first (D5).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    #[cfg_attr(feature = "uniffi", uniffi(default))]
    pub consent: Vec<super::ConsentChange>,
}

/// One stored eligibility decision.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
#[serde(deny_unknown_fields)]
pub struct DecisionRecord {
    /// Host id of the transaction.
    pub transaction: String,
    /// Host id of its location.
    pub location: String,
    /// Business date of the batch that decided.
    pub business_date: NaiveDate,
    /// When the transaction was finalized.
    pub finalized_at: Option<DateTime<Utc>>,
    /// The invitation created, if the transaction got one.
    pub invitation_id: Option<i64>,
    /// Why not, if it did not.
    pub reason: Option<SkipReason>,
    /// For a cooldown, a cap or a quota: the date the customer became eligible again.
    pub eligible_again_on: Option<NaiveDate>,
    /// Host id of another record of the same person that caused the skip (P3).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "uniffi", uniffi(default))]
    pub related_customer: Option<String>,
    /// The business date a later event cancelled the invitation on (P6).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "uniffi", uniffi(default))]
    pub cancelled_on: Option<NaiveDate>,
    /// Why it was cancelled (`refunded`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "uniffi", uniffi(default))]
    pub cancel_reason: Option<String>,
}

/// One stored relationship-survey decision of a customer (P7).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
#[serde(deny_unknown_fields)]
pub struct RelationshipDecision {
    /// Host id of the location whose sync decided.
    pub location: String,
    /// Business date of that sync.
    pub business_date: NaiveDate,
    /// The invitation created, if one was.
    pub invitation_id: Option<i64>,
    /// Why not, if not.
    pub reason: Option<SkipReason>,
    /// The date the customer becomes eligible again, where one exists.
    pub eligible_again_on: Option<NaiveDate>,
    /// Host id of another record of the same person that caused the skip (P3).
    pub related_customer: Option<String>,
}

impl Explanation {
    /// One line per decision, in words a store owner understands.
    pub fn lines(&self) -> Vec<String> {
        let mut out = Vec::new();
        if self.unsubscribed {
            out.push(format!(
                "{} is unsubscribed from all surveys",
                self.customer
            ));
        }
        if let Some(at) = self.contact_bounced_at {
            out.push(format!(
                "{}'s contact bounced on {}: no survey until the POS sends another one",
                self.customer,
                at.date_naive()
            ));
        }
        for ch in &self.consent {
            out.push(format!(
                "consent {} for {} on {} ({}) on {}",
                if ch.granted { "given" } else { "withdrawn" },
                ch.purpose,
                ch.channel,
                ch.source,
                ch.at.date_naive()
            ));
        }
        for d in &self.decisions {
            let line = match (d.invitation_id, d.reason) {
                (Some(id), _) => {
                    let mut s = format!(
                        "{}: survey invitation #{} created on {} ({})",
                        d.transaction, id, d.business_date, d.location
                    );
                    if let (Some(on), Some(why)) = (d.cancelled_on, &d.cancel_reason) {
                        s.push_str(&format!("; cancelled: {why} on {on}"));
                    }
                    s
                }
                (None, Some(reason)) => {
                    let mut s = format!(
                        "{}: no survey on {} ({}): {} [{}]",
                        d.transaction,
                        d.business_date,
                        d.location,
                        reason.describe(),
                        reason
                    );
                    if let Some(other) = &d.related_customer {
                        s.push_str(&format!("; shares a contact with {other}"));
                    }
                    if let Some(again) = d.eligible_again_on {
                        s.push_str(&format!("; eligible again on {again}"));
                    }
                    s
                }
                (None, None) => format!("{}: undecided", d.transaction),
            };
            out.push(line);
        }
        for d in &self.relationship {
            let mut s = match (d.invitation_id, d.reason) {
                (Some(id), _) => format!(
                    "relationship survey #{id} created on {} ({})",
                    d.business_date, d.location
                ),
                (None, Some(reason)) => format!(
                    "no relationship survey on {} ({}): {} [{}]",
                    d.business_date,
                    d.location,
                    reason.describe(),
                    reason
                ),
                (None, None) => format!("relationship survey undecided on {}", d.business_date),
            };
            if let Some(other) = &d.related_customer {
                s.push_str(&format!("; shares a contact with {other}"));
            }
            if let Some(again) = d.eligible_again_on {
                s.push_str(&format!("; eligible again on {again}"));
            }
            out.push(s);
        }
        out
    }
}
