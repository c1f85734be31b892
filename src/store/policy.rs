//! The policy area of the storage seam: its trait and the rows it speaks.

use crate::error::Result;
use crate::hash::{HashMap, HashSet};
use crate::model::{Calendar, OpeningHours, RelationshipDecision, SkipReason, SurveyKind, Weekday};
use crate::rules::policy::PastInvitation;
use chrono::NaiveDate;

/// The calendar scope of the store's default calendar.
pub const STORE_SCOPE: i64 = 0;

/// A location's own volume rules: daily cap, sample percent, monthly response quota.
pub type VolumeOverrides = (Option<u32>, Option<u32>, Option<u32>);

/// What the person rules read of some customers: every invitation that counts (pending or
/// delivered) addressed to the customer or, when `contact` is given, to that normalised
/// contact (P3); and the host ids of the other customer records those invitations name.
pub struct History {
    /// Invitations that count, by the customer row id asked about.
    pub by_customer: HashMap<i64, Vec<PastInvitation>>,
    /// Host ids of the other customer records those invitations name (P3), by row id.
    pub host_ids: HashMap<i64, String>,
}

/// What the caller already knows of a transaction written in the same store transaction
/// (tonight's sales, P7): a store may take it instead of reading the row.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct KnownSale<'a> {
    /// Its host id.
    pub host_id: &'a str,
    /// Whether it is a purchase that counts for P7: not a refund or void, and no stored
    /// refund or void names it.
    pub counts: bool,
}

/// [`KnownSale`]s by transaction row id.
pub type KnownSales<'a> = HashMap<i64, KnownSale<'a>>;

/// A customer due a relationship survey's evaluation (P7): their latest purchase.
#[derive(Debug, Clone)]
pub struct LatestPurchase {
    /// Customer row id.
    pub customer: i64,
    /// Host id of the purchase.
    pub transaction: String,
    /// Its finalization instant, Unix ms.
    pub finalized_at_ms: i64,
}

/// A relationship decision to store (P7).
#[derive(Debug, Clone, Copy)]
pub struct RelationshipRow<'a> {
    /// Customer row id.
    pub customer: i64,
    /// Business date of the sync.
    pub business_date: NaiveDate,
    /// Location row id.
    pub location: i64,
    /// The invitation created, if one was.
    pub invitation: Option<i64>,
    /// Why not, if not.
    pub reason: Option<SkipReason>,
    /// The date the customer becomes eligible again, where one exists.
    pub eligible_again_on: Option<NaiveDate>,
    /// Host id of another record of the same person that caused the skip (P3).
    pub related_customer: Option<&'a str>,
}

/// Whose history [`PolicyStore::person_history`] reads: a customer record, and its contact
/// when records sharing a contact are one person (P3).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PersonKey<'a> {
    /// The customer's row id.
    pub customer: i64,
    /// The normalised contact of the store's channel, when P3 matches records by it.
    pub contact: Option<&'a str>,
    /// Whether the record may have invitations of its own: `false` for a record created in
    /// the same transaction (only other records with its contact are looked up).
    pub own: bool,
}

impl<'a> PersonKey<'a> {
    /// A stored record (its own invitations are read too).
    pub fn stored(customer: i64, contact: Option<&'a str>) -> Self {
        PersonKey {
            customer,
            contact,
            own: true,
        }
    }
}

/// The policy a store keeps (mirrors `store/sqlite/policy.rs`).
pub trait PolicyStore {
    /// The location's own volume rules (P4), each `None` when it keeps the store's.
    fn get_location_policy(&mut self, location: i64) -> Result<VolumeOverrides>;

    /// Replaces the location's own volume rules (P4). Rules that all keep the store's values
    /// are stored as no row, as a location that never had its own, so setting what
    /// [`get_location_policy`] read changes nothing (T12).
    fn set_location_policy(&mut self, location: i64, v: VolumeOverrides) -> Result<()>;

    /// The calendar of a scope ([`STORE_SCOPE`] or a location row id), if it has one (P5).
    fn get_calendar(&mut self, scope: i64) -> Result<Option<Calendar>>;

    /// The calendar a location runs by (P5): its own if it has one, else the store's, else
    /// none. A networked store reads both scopes at once; the default asks twice.
    fn get_calendar_of_location(&mut self, location: i64) -> Result<Option<Calendar>> {
        match self.get_calendar(location)? {
            Some(own) => Ok(Some(own)),
            None => self.get_calendar(STORE_SCOPE),
        }
    }

    /// Replaces the calendar of a scope; `None` removes a location's own calendar.
    fn set_calendar(&mut self, scope: i64, cal: Option<&Calendar>) -> Result<()>;

    /// The history of each key in one query, as much of it as the rules read on a date
    /// whose `rules::policy::history_since` is `since` (`rules::policy::bounded_history`):
    /// every invitation from `since` on, and of the older ones of each kind those of the
    /// latest date. Each part is a range of an index, so the cost follows the rules'
    /// window, not the years a store has been running. Only invitations of `kinds` are
    /// read (`rules::policy::kinds_read`: those the rules will look at).
    fn person_history(
        &mut self,
        keys: &[PersonKey<'_>],
        since: NaiveDate,
        kinds: &[SurveyKind],
    ) -> Result<History>;

    /// Transactional invitations the location already created for a business date (P4).
    fn invitations_created_on(&mut self, location: i64, date: NaiveDate) -> Result<u32>;

    /// Responses to the location's transactional invitations received in `[from_ms, to_ms)`.
    fn transactional_responses_between(
        &mut self,
        location: i64,
        from_ms: i64,
        to_ms: i64,
    ) -> Result<u32>;

    /// The sales among `host_ids` that a stored refund or void names (P6).
    fn refunded_among(&mut self, host_ids: &[&str]) -> Result<HashSet<String>>;

    /// P6: a refund of a decided sale: its invitation, if not yet delivered, is cancelled
    /// (releasing the cooldown) with its messages, its undelivered reminders are cancelled,
    /// and the decision records the date. Returns the invitation if it was cancelled.
    fn cancel_for_refund(&mut self, sale: i64, date: NaiveDate, now_ms: i64)
    -> Result<Option<i64>>;

    /// P7: customers whose latest purchase (not a refund or void, nor refunded) was at the
    /// location and finalized at or after `since_ms`, by customer; without those whose own
    /// relationship invitation (pending or delivered) is dated after `held_after`, when
    /// given (`rules::policy::relationship_held_after`: P1's cooldown holds them tonight).
    /// `known` holds what the caller knows of some transactions (tonight's sales): a store
    /// may answer from it instead of reading their rows; the answer is the same.
    fn relationship_candidates(
        &mut self,
        location: i64,
        since_ms: i64,
        held_after: Option<NaiveDate>,
        known: &KnownSales<'_>,
    ) -> Result<Vec<LatestPurchase>>;

    /// The latest stored relationship decision of each customer among `customers`: its
    /// business date and reason (`None` = invited).
    fn last_relationship_decisions(
        &mut self,
        customers: &[i64],
    ) -> Result<HashMap<i64, (NaiveDate, Option<String>)>>;

    /// Stores a relationship decision; a second one for the same customer and date is ignored.
    fn insert_relationship_decision(
        &mut self,
        d: &RelationshipRow<'_>,
        now_ms: i64,
    ) -> Result<bool>;

    /// [`PolicyStore::insert_relationship_decision`] for each of a night's decisions, in
    /// order; how many were stored. By default one insert each; the SQLite store prepares
    /// one statement for them all, a networked store sends one multi-row statement.
    fn insert_relationship_decisions(
        &mut self,
        rows: &[RelationshipRow<'_>],
        now_ms: i64,
    ) -> Result<u64> {
        let mut stored = 0;
        for d in rows {
            stored += u64::from(self.insert_relationship_decision(d, now_ms)?);
        }
        Ok(stored)
    }

    /// The customer's relationship decisions, newest first.
    fn relationship_decisions(
        &mut self,
        customer: i64,
        limit: u32,
    ) -> Result<Vec<RelationshipDecision>>;

    /// Cancels a message just queued, and its invitation, with `reason` (P5 `no_send_slot`).
    fn cancel_message(
        &mut self,
        message_id: &str,
        invitation: Option<i64>,
        reason: &str,
        now_ms: i64,
    ) -> Result<()>;

    /// The IANA zone of the location whose batch created the customer's last invitation.
    fn last_invitation_zone(&mut self, customer: i64) -> Result<Option<String>>;
}

/// A scope's calendar from its stored days `(weekday index, sends, opens, closes)`, in
/// weekday order, without its closed dates (the caller reads them); `None` without days
/// (P5). A day whose index is not a weekday is skipped. Both stores build it here.
pub fn calendar_from_days(days: &[(usize, bool, Option<u32>, Option<u32>)]) -> Option<Calendar> {
    if days.is_empty() {
        return None;
    }
    let mut cal = Calendar {
        send_weekdays: Vec::new(),
        closed_dates: Vec::new(),
        opening_hours: Vec::new(),
    };
    for &(index, sends, opens, closes) in days {
        let Some(&weekday) = Weekday::ALL.get(index) else {
            continue;
        };
        if sends {
            cal.send_weekdays.push(weekday);
        }
        if let (Some(opens), Some(closes)) = (opens, closes) {
            cal.opening_hours.push(OpeningHours {
                weekday,
                opens,
                closes,
            });
        }
    }
    Some(cal)
}
