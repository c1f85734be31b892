//! Report shapes (issue 8): scores, series, rates, the review funnel, employee
//! performance, the feedback list, customers, unsubscribes and the cross-store bundle.

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};

use super::people::{Gender, Role};
use super::response::{NpsCategory, NpsSummary, Sentiment};

/// A dashboard period (X3), each in the location's own local time.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Enum))]
#[serde(rename_all = "snake_case", tag = "kind", deny_unknown_fields)]
#[non_exhaustive]
pub enum Period {
    /// Everything ever recorded.
    #[default]
    AllTime,
    /// The location's current calendar month.
    CurrentMonth,
    /// The location's previous calendar month.
    LastMonth,
    /// Local dates `from` to `to`, both included.
    Custom {
        /// First local date.
        #[serde(with = "crate::wire::time::date")]
        #[cfg_attr(feature = "uniffi", uniffi(name = "first_day"))]
        from: NaiveDate,
        /// Last local date (included).
        #[serde(with = "crate::wire::time::date")]
        #[cfg_attr(feature = "uniffi", uniffi(name = "last_day"))]
        to: NaiveDate,
    },
    /// UTC instants `[from, to)`, not aligned on local days: answered from the responses.
    Between {
        /// First instant (included).
        #[serde(with = "crate::wire::time::utc")]
        #[cfg_attr(feature = "uniffi", uniffi(name = "starts_at"))]
        from: DateTime<Utc>,
        /// End instant (excluded).
        #[serde(with = "crate::wire::time::utc")]
        #[cfg_attr(feature = "uniffi", uniffi(name = "ends_at"))]
        to: DateTime<Utc>,
    },
}

/// A date bucket of a series (N2), on each location's local date.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Enum))]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum Bucket {
    /// One local day, labelled `2026-05-04`.
    #[default]
    Day,
    /// One ISO week (Monday first), labelled `2026-W19`.
    IsoWeek,
    /// One calendar month, labelled `2026-05`.
    Month,
}

/// The scope of a report: period, location, employee, and the user looking.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
#[serde(deny_unknown_fields, default)]
pub struct ReportQuery {
    /// The period, in each location's local time (X3).
    pub period: Period,
    /// Host id of one location, or every location the user may see.
    #[cfg_attr(feature = "uniffi", uniffi(default))]
    pub location: Option<String>,
    /// Host id of one employee: answers credited to them (N2).
    #[cfg_attr(feature = "uniffi", uniffi(default))]
    pub employee: Option<String>,
    /// Host id of the user looking: an admin (or a user without locations) sees every
    /// location, others only theirs. `None`: no restriction (the host decides).
    #[cfg_attr(feature = "uniffi", uniffi(default))]
    pub user: Option<String>,
}

/// NPS and star ratings of a scope (N1, N5, N6).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
#[serde(deny_unknown_fields)]
pub struct Scores {
    /// Responses of every kind (NPS, ratings, e-receipt feedback).
    pub responses: u64,
    /// NPS from its counts; `nps` is none without NPS answers.
    pub nps: NpsSummary,
    /// Responses with a star rating (anonymous ones included).
    pub rated: u64,
    /// Average rating on base 10; none without ratings.
    pub average_base10: Option<f64>,
}

/// One bucket of a series (N2).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
#[serde(deny_unknown_fields)]
pub struct SeriesPoint {
    /// `2026-05-04`, `2026-W19` or `2026-05`.
    pub label: String,
    /// The bucket's first local date.
    pub start: NaiveDate,
    /// Its scores.
    pub scores: Scores,
}

/// Response rate (N5): of the invitations delivered in the period, the share answered.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
#[serde(deny_unknown_fields)]
pub struct ResponseRate {
    /// Invitations delivered in the period.
    pub delivered: u64,
    /// Of those, answered so far.
    pub answered: u64,
    /// `answered / delivered`; none when nothing was delivered.
    pub rate: Option<f64>,
}

/// The review funnel (N3): promoters, who was shown the link, clicks, confirmed reviews.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
#[serde(deny_unknown_fields)]
pub struct ReviewFunnel {
    /// Responses in the scope.
    pub responses: u64,
    /// Of those, promoters (9–10).
    pub promoters: u64,
    /// Shown the review link.
    pub shown: u64,
    /// Clicked it.
    pub clicked: u64,
    /// Confirmed a public review.
    pub confirmed: u64,
}

/// One employee's performance (X4): the answers credited to them.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
#[serde(deny_unknown_fields)]
pub struct EmployeePerformance {
    /// Host id.
    pub employee: String,
    /// Display name.
    pub name: Option<String>,
    /// Role.
    pub role: Role,
    /// Responses, NPS and average rating credited to them.
    pub scores: Scores,
}

/// What a period means at one location (X3).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
#[serde(deny_unknown_fields)]
pub struct PeriodBounds {
    /// Host id of the location.
    pub location: String,
    /// First local date; none when open.
    pub first_day: Option<NaiveDate>,
    /// Last local date (included); none when open.
    pub last_day: Option<NaiveDate>,
    /// First instant (included); none when open.
    pub starts_at: Option<DateTime<Utc>>,
    /// End instant (excluded); none when open.
    pub ends_at: Option<DateTime<Utc>>,
}

/// Order of the feedback list (X3).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Enum))]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum FeedbackSort {
    /// Newest first.
    #[default]
    Newest,
    /// Oldest first.
    Oldest,
    /// Lowest base-10 score first (unscored last).
    Lowest,
    /// Highest base-10 score first (unscored last).
    Highest,
}

/// How an answer came in (the feedback list's channel).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Enum))]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum ResponseSource {
    /// A survey invitation's link.
    Invitation,
    /// A receipt link (anonymous).
    Receipt,
    /// E-receipt feedback (F1).
    Ereceipt,
}

impl ResponseSource {
    /// The stable snake_case name.
    pub fn as_str(self) -> &'static str {
        match self {
            ResponseSource::Invitation => "invitation",
            ResponseSource::Receipt => "receipt",
            ResponseSource::Ereceipt => "ereceipt",
        }
    }

    /// Parses the name given by [`ResponseSource::as_str`].
    pub fn parse(s: &str) -> Option<Self> {
        [Self::Invitation, Self::Receipt, Self::Ereceipt]
            .into_iter()
            .find(|x| x.as_str() == s)
    }
}

/// Which feedback to list, in which order, which page.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
#[serde(deny_unknown_fields, default)]
pub struct FeedbackQuery {
    /// Period, location, employee and user.
    pub scope: ReportQuery,
    /// Only this NPS category.
    #[cfg_attr(feature = "uniffi", uniffi(default))]
    pub category: Option<NpsCategory>,
    /// Only this sentiment.
    #[cfg_attr(feature = "uniffi", uniffi(default))]
    pub sentiment: Option<Sentiment>,
    /// Only feedback with this facet.
    #[cfg_attr(feature = "uniffi", uniffi(default))]
    pub facet: Option<String>,
    /// Only answers that came this way.
    #[cfg_attr(feature = "uniffi", uniffi(default))]
    pub source: Option<ResponseSource>,
    /// Order.
    pub sort: FeedbackSort,
    /// Items to skip.
    #[cfg_attr(feature = "uniffi", uniffi(default))]
    pub offset: u64,
    /// Page size (1 to 1000).
    #[cfg_attr(feature = "uniffi", uniffi(default = 50))]
    pub limit: u32,
}

impl Default for FeedbackQuery {
    fn default() -> Self {
        FeedbackQuery {
            scope: ReportQuery::default(),
            category: None,
            sentiment: None,
            facet: None,
            source: None,
            sort: FeedbackSort::Newest,
            offset: 0,
            limit: 50,
        }
    }
}

/// One response as the feedback list and a customer's history show it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
#[serde(deny_unknown_fields)]
pub struct FeedbackItem {
    /// Response id.
    pub response_id: i64,
    /// When it was given.
    pub created_at: DateTime<Utc>,
    /// Host id of the location.
    pub location: String,
    /// Host id of the customer; none when anonymous.
    pub customer: Option<String>,
    /// The customer's name.
    pub customer_name: Option<String>,
    /// Host id of the transaction.
    pub transaction: Option<String>,
    /// Employees credited (host ids, sorted).
    pub employees: Vec<String>,
    /// How it came in.
    pub source: ResponseSource,
    /// NPS answer.
    pub nps: Option<u8>,
    /// Its category.
    pub category: Option<NpsCategory>,
    /// Stars and scale.
    pub rating: Option<(u32, u32)>,
    /// Main score on base 10.
    pub score_base10: Option<f64>,
    /// Sentiment (F1).
    pub sentiment: Sentiment,
    /// Facets.
    pub facets: Vec<String>,
    /// Comment.
    pub comment: Option<String>,
    /// Unhappy customer (N4).
    pub unhappy: bool,
}

/// One page of the feedback list.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
#[serde(deny_unknown_fields)]
pub struct FeedbackPage {
    /// Items matching, over every page.
    pub total: u64,
    /// This page.
    pub items: Vec<FeedbackItem>,
}

/// One invitation in a customer's history.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
#[serde(deny_unknown_fields)]
pub struct HistoryInvitation {
    /// Invitation id.
    pub invitation_id: i64,
    /// Host id of the location.
    pub location: String,
    /// Host id of the transaction.
    pub transaction: Option<String>,
    /// Business date of the batch that created it.
    pub business_date: NaiveDate,
    /// `pending`, `delivered`, `cancelled` or `failed`.
    pub status: String,
    /// When it was delivered.
    pub delivered_at: Option<DateTime<Utc>>,
    /// Whether it was answered.
    pub answered: bool,
}

/// A customer's whole feedback history (F4).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
#[serde(deny_unknown_fields)]
pub struct CustomerHistory {
    /// Host id.
    pub customer: String,
    /// Name.
    pub name: Option<String>,
    /// Gender.
    pub gender: Option<Gender>,
    /// When they unsubscribed (E3), if they did.
    pub unsubscribed_at: Option<DateTime<Utc>>,
    /// Invitations, oldest first.
    pub invitations: Vec<HistoryInvitation>,
    /// Responses, newest first.
    pub responses: Vec<FeedbackItem>,
}

/// Subscription status of a customer (F4).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Enum))]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum Subscription {
    /// Not unsubscribed.
    Subscribed,
    /// Unsubscribed by customer, e-mail or phone (E3).
    Unsubscribed,
}

/// Which customers to list (F4).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
#[serde(deny_unknown_fields, default)]
pub struct CustomerQuery {
    /// Only this gender.
    #[cfg_attr(feature = "uniffi", uniffi(default))]
    pub gender: Option<Gender>,
    /// Only customers whose latest NPS answer is in this category.
    #[cfg_attr(feature = "uniffi", uniffi(default))]
    pub category: Option<NpsCategory>,
    /// Only subscribed or unsubscribed customers.
    #[cfg_attr(feature = "uniffi", uniffi(default))]
    pub subscription: Option<Subscription>,
    /// Host id of the user looking (customers who bought at their locations).
    #[cfg_attr(feature = "uniffi", uniffi(default))]
    pub user: Option<String>,
    /// Items to skip.
    #[cfg_attr(feature = "uniffi", uniffi(default))]
    pub offset: u64,
    /// Page size (1 to 1000).
    #[cfg_attr(feature = "uniffi", uniffi(default = 50))]
    pub limit: u32,
}

impl Default for CustomerQuery {
    fn default() -> Self {
        CustomerQuery {
            gender: None,
            category: None,
            subscription: None,
            user: None,
            offset: 0,
            limit: 50,
        }
    }
}

/// One customer in the customers report (F4).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
#[serde(deny_unknown_fields)]
pub struct CustomerSummary {
    /// Host id.
    pub customer: String,
    /// Name.
    pub name: Option<String>,
    /// Gender.
    pub gender: Option<Gender>,
    /// Responses given.
    pub responses: u64,
    /// Category of their latest NPS answer.
    pub latest_category: Option<NpsCategory>,
    /// When they last answered.
    pub last_response_at: Option<DateTime<Utc>>,
    /// When they unsubscribed, if they did.
    pub unsubscribed_at: Option<DateTime<Utc>>,
}

/// One page of the customers report.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
#[serde(deny_unknown_fields)]
pub struct CustomerPage {
    /// Customers matching, over every page.
    pub total: u64,
    /// This page, by host id.
    pub items: Vec<CustomerSummary>,
}

/// One entry of the unsubscribe report (F4 *beyond*).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
#[serde(deny_unknown_fields)]
pub struct Unsubscribe {
    /// `customer`, `email` or `phone`.
    pub kind: String,
    /// The normalised e-mail or phone; the host id for `customer`.
    pub contact: String,
    /// When.
    pub at: DateTime<Utc>,
    /// How (`link`, `api`, …).
    pub source: String,
    /// The matching customer's host id, if one is known.
    pub customer: Option<String>,
    /// Their name.
    pub name: Option<String>,
}

/// The cross-store bundle format this library writes and reads.
pub const AGGREGATE_FORMAT: u32 = 1;

/// PII-free aggregate counts to share with other stores ("compare with other retailers").
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
#[serde(deny_unknown_fields)]
pub struct AggregateBundle {
    /// [`AGGREGATE_FORMAT`].
    pub format: u32,
    /// The store's label, chosen by the vendor; no other id leaves the store.
    pub store: String,
    /// When it was made.
    #[serde(with = "crate::wire::time::utc")]
    pub created_at: DateTime<Utc>,
    /// Counts per location (numbered 1…), local month and category.
    pub rows: Vec<AggregateRow>,
}

/// Counts of one location and local month in an [`AggregateBundle`].
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
#[serde(deny_unknown_fields)]
pub struct AggregateRow {
    /// Location number within the bundle (1…), not its host id.
    pub location: u32,
    /// Local month, `2026-05`.
    pub month: String,
    /// Promoters.
    pub promoters: u64,
    /// Passives.
    pub passives: u64,
    /// Detractors.
    pub detractors: u64,
    /// Rated responses.
    pub rated: u64,
    /// Sum of their ratings on base 10.
    pub rating_sum_base10: f64,
}

/// Your NPS against the imported stores' (Listen360's "you vs other retailers").
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
#[serde(deny_unknown_fields)]
pub struct Comparison {
    /// Your NPS over the scope.
    pub you: NpsSummary,
    /// Every imported store's counts together, over the same months.
    pub peers: NpsSummary,
    /// Imported stores with answers in those months.
    pub peer_stores: u32,
    /// The average of those stores' NPS, each store weighing the same.
    pub peer_average: Option<f64>,
}
