//! The analytics area of the storage seam: its trait and the rows it speaks.

use crate::analytics::Totals;
use crate::error::Result;
use crate::model::{
    AggregateRow, CustomerSummary, FeedbackItem, FeedbackQuery, Gender, HistoryInvitation, Role,
    Sentiment, Subscription, Unsubscribe,
};
use crate::rules::score::{NpsCategory, NpsCounts};
use chrono::{DateTime, Utc};
use std::collections::{BTreeMap, HashMap};

/// The stored name of an NPS category: what the stores' `CASE` on a response's score
/// yields, and what a category filter compares with.
pub(crate) fn category_name(c: NpsCategory) -> &'static str {
    match c {
        NpsCategory::Promoter => "promoter",
        NpsCategory::Passive => "passive",
        NpsCategory::Detractor => "detractor",
    }
}

/// A stored sentiment by its name; `unknown` for anything else.
pub(crate) fn sentiment(s: &str) -> Sentiment {
    match s {
        "positive" => Sentiment::Positive,
        "negative" => Sentiment::Negative,
        _ => Sentiment::Unknown,
    }
}

/// One stored aggregate row's counts: promoters, passives, detractors, rated, rating sum.
pub(crate) type PeerCounts = (i64, i64, i64, i64, f64);

/// Another store's aggregate rows as a store keeps them: repeated (location, month) pairs
/// summed, counts saturating.
pub(crate) fn peer_rows_as_stored(rows: &[AggregateRow]) -> BTreeMap<(i64, String), PeerCounts> {
    let n = |v: u64| i64::try_from(v).unwrap_or(i64::MAX);
    let mut wanted: BTreeMap<(i64, String), PeerCounts> = BTreeMap::new();
    for r in rows {
        let e = wanted
            .entry((i64::from(r.location), r.month.clone()))
            .or_insert((0, 0, 0, 0, 0.0));
        e.0 = e.0.saturating_add(n(r.promoters));
        e.1 = e.1.saturating_add(n(r.passives));
        e.2 = e.2.saturating_add(n(r.detractors));
        e.3 = e.3.saturating_add(n(r.rated));
        e.4 += r.rating_sum_base10;
    }
    wanted
}

/// An employee as reports name them.
#[derive(Debug, Clone)]
pub struct EmployeeInfo {
    /// Host id.
    pub host_id: String,
    /// Display name.
    pub name: Option<String>,
    /// Role (none if the stored one is unknown).
    pub role: Option<Role>,
}

/// A customer as their history starts.
#[derive(Debug, Clone)]
pub struct CustomerCard {
    /// Row id.
    pub rowid: i64,
    /// Name.
    pub name: Option<String>,
    /// Gender.
    pub gender: Option<Gender>,
    /// When they unsubscribed (E3).
    pub unsubscribed_at: Option<DateTime<Utc>>,
}

/// The analytics a store keeps (mirrors `store/sqlite/analytics.rs`).
pub trait AnalyticsStore {
    /// Raw totals of one location over instants `[from, to)`, for one employee or all.
    fn raw_totals(
        &mut self,
        location: i64,
        employee: Option<i64>,
        range2: (i64, i64),
    ) -> Result<Totals>;

    /// Raw responses of one location over `[from, to)`: (instant ms, totals of the one).
    fn raw_points(
        &mut self,
        location: i64,
        employee: Option<i64>,
        range2: (i64, i64),
    ) -> Result<Vec<(i64, Totals)>>;

    /// Raw totals per credited employee at one location over `[from, to)` (X4).
    fn raw_employees(&mut self, location: i64, range1: (i64, i64)) -> Result<Vec<(i64, Totals)>>;

    /// Invitations of one location delivered in `[from, to)` and how many are answered (N5).
    fn delivered_answered(
        &mut self,
        location: i64,
        employee: Option<i64>,
        range2: (i64, i64),
    ) -> Result<(u64, u64)>;

    /// The review funnel of one location over `[from, to)`: responses, promoters, shown,
    /// clicked, confirmed (N3).
    fn review_funnel(
        &mut self,
        location: i64,
        employee: Option<i64>,
        range2: (i64, i64),
    ) -> Result<[u64; 5]>;

    /// A user's role and the locations they cover (empty = all); none if unknown.
    fn user_access(&mut self, host_id: &str) -> Result<Option<(String, Vec<i64>)>>;

    /// An employee's row id by host id.
    fn employee_rowid(&mut self, host_id: &str) -> Result<Option<i64>>;

    /// Every employee by row id.
    fn employees_by_rowid(&mut self) -> Result<HashMap<i64, EmployeeInfo>>;

    /// One page of the feedback list and the total (X3). `scope` is a JSON array of
    /// `[location row id, from ms, to ms]` triples.
    fn feedback_page(
        &mut self,
        scope: &str,
        employee: Option<i64>,
        q: &FeedbackQuery,
    ) -> Result<(u64, Vec<FeedbackItem>)>;

    /// A customer by host id, for their history.
    fn customer_card(&mut self, host_id: &str) -> Result<Option<CustomerCard>>;

    /// A customer's responses at the locations of `allowed` (JSON array; null = all), newest
    /// first (F4).
    fn customer_responses(
        &mut self,
        customer: i64,
        allowed: Option<&str>,
    ) -> Result<Vec<FeedbackItem>>;

    /// A customer's invitations at the locations of `allowed`, oldest first (F4).
    fn customer_invitations(
        &mut self,
        customer: i64,
        allowed: Option<&str>,
    ) -> Result<Vec<HistoryInvitation>>;

    /// Customers filtered by gender, latest NPS category and subscription, who bought or
    /// answered at the locations of `allowed` (JSON array; null = all): total and a page (F4).
    fn customers_page(
        &mut self,
        gender: Option<Gender>,
        category: Option<NpsCategory>,
        subscription: Option<Subscription>,
        allowed: Option<&str>,
        range4: (u64, u32),
    ) -> Result<(u64, Vec<CustomerSummary>)>;

    /// Unsubscribes made in `[from, to)`, newest first, with the customer each matches (F4);
    /// with `allowed` (JSON array of location row ids) only customers who bought there.
    fn unsubscribes(
        &mut self,
        range0: (i64, i64),
        allowed: Option<&str>,
    ) -> Result<Vec<Unsubscribe>>;

    /// Replaces one store's imported aggregate rows; returns how many were stored. The same
    /// rows imported again are left as they are, with the time of their first import (T12).
    fn replace_peer_rows(&mut self, store: &str, rows: &[AggregateRow], now_ms: i64)
    -> Result<u64>;

    /// Each imported store's NPS counts over months `[first, last]` (labels; none = open).
    fn peer_counts(
        &mut self,
        first: Option<&str>,
        last: Option<&str>,
    ) -> Result<Vec<(String, NpsCounts)>>;

    /// Every location total rollup row: (location row id, day number, totals).
    fn location_days(&mut self) -> Result<Vec<(i64, i64, Totals)>>;
}
