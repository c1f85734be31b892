//! Mirrors of the reports (issue 8), the feedback exports (X1, X2) and the erasure of a
//! customer, and the `Engine` methods that take and return them.
//!
//! Dates a period or a history holds cross as `YYYY-MM-DD` text, instants as Unix
//! milliseconds (`*_ms`). The cross-store [`AggregateBundle`] crosses both as a record
//! and as the JSON text stores exchange (`export_aggregates_json`, `import_aggregates_json`).

use crate::error::{Error, Problem};
use crate::model as m;
use crate::wire;

use super::batch::{Gender, Role};
use super::engine::Engine;
use super::error::HearkenError;
use super::responses::{NpsCategory, NpsSummary, Sentiment};
use super::time;

type Answer<T> = Result<T, HearkenError>;

/// A dashboard period (X3), each in the location's own local time.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Enum)]
pub enum Period {
    /// Everything ever recorded.
    AllTime,
    /// The location's current calendar month.
    CurrentMonth,
    /// The location's previous calendar month.
    LastMonth,
    /// Local dates `first_day` to `last_day` (`YYYY-MM-DD`), both included. (Not
    /// `from`/`to`: `from` is a Python keyword.)
    Custom {
        /// First local date, `YYYY-MM-DD`.
        first_day: String,
        /// Last local date (included), `YYYY-MM-DD`.
        last_day: String,
    },
    /// Instants `[from_ms, to_ms)`, Unix milliseconds, not aligned on local days.
    Between {
        /// First instant (included), Unix milliseconds.
        from_ms: i64,
        /// End instant (excluded), Unix milliseconds.
        to_ms: i64,
    },
}

impl Period {
    /// The model period; a bad date or instant is invalid input naming
    /// `period.first_day`/`period.last_day` (or `period.from_ms`/`period.to_ms`) of `record`.
    fn into_model(self, record: &str) -> Result<m::Period, Error> {
        let mut problems = Vec::new();
        let period = match self {
            Period::AllTime => m::Period::AllTime,
            Period::CurrentMonth => m::Period::CurrentMonth,
            Period::LastMonth => m::Period::LastMonth,
            Period::Custom {
                first_day,
                last_day,
            } => {
                let mut day = |text: &str, field: &str| {
                    let d = time::parse_date(text);
                    if d.is_none() {
                        problems.push(Problem::top(record, field, time::BAD_DATE));
                    }
                    d
                };
                let from = day(&first_day, "period.first_day");
                let to = day(&last_day, "period.last_day");
                match (from, to) {
                    (Some(from), Some(to)) => m::Period::Custom { from, to },
                    _ => return Err(Error::Invalid(problems)),
                }
            }
            Period::Between { from_ms, to_ms } => {
                let mut instant = |ms: i64, field: &str| {
                    let t = time::record_instant(ms);
                    if t.is_none() {
                        problems.push(Problem::top(record, field, time::OUT_OF_RANGE));
                    }
                    t
                };
                let from = instant(from_ms, "period.from_ms");
                let to = instant(to_ms, "period.to_ms");
                match (from, to) {
                    (Some(from), Some(to)) => m::Period::Between { from, to },
                    _ => return Err(Error::Invalid(problems)),
                }
            }
        };
        Ok(period)
    }
}

/// A date bucket of a series (N2), on each location's local date.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, uniffi::Enum)]
pub enum Bucket {
    /// One local day, labelled `2026-05-04`.
    #[default]
    Day,
    /// One ISO week (Monday first), labelled `2026-W19`.
    IsoWeek,
    /// One calendar month, labelled `2026-05`.
    Month,
}

impl From<Bucket> for m::Bucket {
    fn from(b: Bucket) -> Self {
        match b {
            Bucket::Day => m::Bucket::Day,
            Bucket::IsoWeek => m::Bucket::IsoWeek,
            Bucket::Month => m::Bucket::Month,
        }
    }
}

/// The scope of a report: period, location, employee, and the user looking.
#[derive(Debug, Clone, PartialEq, Eq, Default, uniffi::Record)]
pub struct ReportQuery {
    /// The period, in each location's local time (X3); none: all time.
    #[uniffi(default = None)]
    pub period: Option<Period>,
    /// Host id of one location; none: every location the user may see.
    #[uniffi(default = None)]
    pub location: Option<String>,
    /// Host id of one employee: answers credited to them (N2).
    #[uniffi(default = None)]
    pub employee: Option<String>,
    /// Host id of the user looking: an admin (or a user without locations) sees every
    /// location, others only theirs. None: no restriction (the host decides).
    #[uniffi(default = None)]
    pub user: Option<String>,
}

impl ReportQuery {
    fn into_model(self, record: &str) -> Result<m::ReportQuery, Error> {
        Ok(m::ReportQuery {
            period: match self.period {
                Some(p) => p.into_model(record)?,
                None => m::Period::AllTime,
            },
            location: self.location,
            employee: self.employee,
            user: self.user,
        })
    }
}

/// NPS and star ratings of a scope (N1, N5, N6).
#[derive(Debug, Clone, PartialEq, uniffi::Record)]
pub struct Scores {
    /// Responses of every kind (NPS, ratings, e-receipt feedback).
    pub responses: u64,
    /// NPS from its counts; `nps.nps` is none without NPS answers.
    pub nps: NpsSummary,
    /// Responses with a star rating (anonymous ones included).
    pub rated: u64,
    /// Average rating on base 10; none without ratings.
    pub average_base10: Option<f64>,
}

impl From<m::Scores> for Scores {
    fn from(s: m::Scores) -> Self {
        Scores {
            responses: s.responses,
            nps: s.nps.into(),
            rated: s.rated,
            average_base10: s.average_base10,
        }
    }
}

/// One bucket of a series (N2).
#[derive(Debug, Clone, PartialEq, uniffi::Record)]
pub struct SeriesPoint {
    /// `2026-05-04`, `2026-W19` or `2026-05`.
    pub label: String,
    /// The bucket's first local date, `YYYY-MM-DD`.
    pub start: String,
    /// Its scores.
    pub scores: Scores,
}

impl From<m::SeriesPoint> for SeriesPoint {
    fn from(p: m::SeriesPoint) -> Self {
        SeriesPoint {
            label: p.label,
            start: time::date(p.start),
            scores: p.scores.into(),
        }
    }
}

/// Response rate (N5): of the invitations delivered in the period, the share answered.
#[derive(Debug, Clone, PartialEq, uniffi::Record)]
pub struct ResponseRate {
    /// Invitations delivered in the period.
    pub delivered: u64,
    /// Of those, answered so far.
    pub answered: u64,
    /// `answered / delivered`; none when nothing was delivered.
    pub rate: Option<f64>,
}

impl From<m::ResponseRate> for ResponseRate {
    fn from(r: m::ResponseRate) -> Self {
        ResponseRate {
            delivered: r.delivered,
            answered: r.answered,
            rate: r.rate,
        }
    }
}

/// The review funnel (N3): promoters, who was shown the link, clicks, confirmed reviews.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
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

impl From<m::ReviewFunnel> for ReviewFunnel {
    fn from(f: m::ReviewFunnel) -> Self {
        ReviewFunnel {
            responses: f.responses,
            promoters: f.promoters,
            shown: f.shown,
            clicked: f.clicked,
            confirmed: f.confirmed,
        }
    }
}

/// One employee's performance (X4): the answers credited to them.
#[derive(Debug, Clone, PartialEq, uniffi::Record)]
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

impl From<m::EmployeePerformance> for EmployeePerformance {
    fn from(p: m::EmployeePerformance) -> Self {
        EmployeePerformance {
            employee: p.employee,
            name: p.name,
            role: p.role.into(),
            scores: p.scores.into(),
        }
    }
}

/// What a period means at one location (X3).
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct PeriodBounds {
    /// Host id of the location.
    pub location: String,
    /// First local date, `YYYY-MM-DD`; none when open.
    pub first_day: Option<String>,
    /// Last local date (included), `YYYY-MM-DD`; none when open.
    pub last_day: Option<String>,
    /// First instant (included), Unix milliseconds; none when open.
    pub starts_at_ms: Option<i64>,
    /// End instant (excluded), Unix milliseconds; none when open.
    pub ends_at_ms: Option<i64>,
}

impl From<m::PeriodBounds> for PeriodBounds {
    fn from(b: m::PeriodBounds) -> Self {
        PeriodBounds {
            location: b.location,
            first_day: b.first_day.map(time::date),
            last_day: b.last_day.map(time::date),
            starts_at_ms: b.starts_at.map(time::ms),
            ends_at_ms: b.ends_at.map(time::ms),
        }
    }
}

/// Order of the feedback list (X3).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, uniffi::Enum)]
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

impl From<FeedbackSort> for m::FeedbackSort {
    fn from(s: FeedbackSort) -> Self {
        match s {
            FeedbackSort::Newest => m::FeedbackSort::Newest,
            FeedbackSort::Oldest => m::FeedbackSort::Oldest,
            FeedbackSort::Lowest => m::FeedbackSort::Lowest,
            FeedbackSort::Highest => m::FeedbackSort::Highest,
        }
    }
}

/// How an answer came in (the feedback list's channel).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, uniffi::Enum)]
pub enum ResponseSource {
    /// A survey invitation's link.
    Invitation,
    /// A receipt link (anonymous).
    Receipt,
    /// E-receipt feedback (F1).
    Ereceipt,
}

impl From<m::ResponseSource> for ResponseSource {
    fn from(s: m::ResponseSource) -> Self {
        match s {
            m::ResponseSource::Invitation => ResponseSource::Invitation,
            m::ResponseSource::Receipt => ResponseSource::Receipt,
            m::ResponseSource::Ereceipt => ResponseSource::Ereceipt,
        }
    }
}

impl From<ResponseSource> for m::ResponseSource {
    fn from(s: ResponseSource) -> Self {
        match s {
            ResponseSource::Invitation => m::ResponseSource::Invitation,
            ResponseSource::Receipt => m::ResponseSource::Receipt,
            ResponseSource::Ereceipt => m::ResponseSource::Ereceipt,
        }
    }
}

#[uniffi::export]
impl ResponseSource {
    /// The stable snake_case name, as in JSON.
    pub fn code_name(&self) -> String {
        m::ResponseSource::from(*self).as_str().to_owned()
    }
}

/// Which feedback to list, in which order, which page.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct FeedbackQuery {
    /// Period, location, employee and user.
    #[uniffi(default)]
    pub scope: ReportQuery,
    /// Only this NPS category.
    #[uniffi(default = None)]
    pub category: Option<NpsCategory>,
    /// Only this sentiment.
    #[uniffi(default = None)]
    pub sentiment: Option<Sentiment>,
    /// Only feedback with this facet.
    #[uniffi(default = None)]
    pub facet: Option<String>,
    /// Only answers that came this way.
    #[uniffi(default = None)]
    pub source: Option<ResponseSource>,
    /// Order; none: newest first.
    #[uniffi(default = None)]
    pub sort: Option<FeedbackSort>,
    /// Items to skip.
    #[uniffi(default = 0)]
    pub offset: u64,
    /// Page size (1 to 1000).
    #[uniffi(default = 50)]
    pub limit: u32,
}

impl FeedbackQuery {
    fn into_model(self) -> Result<m::FeedbackQuery, Error> {
        Ok(m::FeedbackQuery {
            scope: self.scope.into_model("feedback_query")?,
            category: self.category.map(Into::into),
            sentiment: self.sentiment.map(Into::into),
            facet: self.facet,
            source: self.source.map(Into::into),
            sort: self.sort.unwrap_or_default().into(),
            offset: self.offset,
            limit: self.limit,
        })
    }
}

/// One response as the feedback list and a customer's history show it.
#[derive(Debug, Clone, PartialEq, uniffi::Record)]
pub struct FeedbackItem {
    /// Response id.
    pub response_id: i64,
    /// When it was given, Unix milliseconds.
    pub created_at_ms: i64,
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
    /// Stars given.
    pub rating_stars: Option<u32>,
    /// Out of how many stars.
    pub rating_scale: Option<u32>,
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

impl From<m::FeedbackItem> for FeedbackItem {
    fn from(i: m::FeedbackItem) -> Self {
        FeedbackItem {
            response_id: i.response_id,
            created_at_ms: time::ms(i.created_at),
            location: i.location,
            customer: i.customer,
            customer_name: i.customer_name,
            transaction: i.transaction,
            employees: i.employees,
            source: i.source.into(),
            nps: i.nps,
            category: i.category.map(Into::into),
            rating_stars: i.rating.map(|(stars, _)| stars),
            rating_scale: i.rating.map(|(_, scale)| scale),
            score_base10: i.score_base10,
            sentiment: i.sentiment.into(),
            facets: i.facets,
            comment: i.comment,
            unhappy: i.unhappy,
        }
    }
}

/// One page of the feedback list.
#[derive(Debug, Clone, PartialEq, uniffi::Record)]
pub struct FeedbackPage {
    /// Items matching, over every page.
    pub total: u64,
    /// This page.
    pub items: Vec<FeedbackItem>,
}

impl From<m::FeedbackPage> for FeedbackPage {
    fn from(p: m::FeedbackPage) -> Self {
        FeedbackPage {
            total: p.total,
            items: convert(p.items),
        }
    }
}

/// One invitation in a customer's history.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct HistoryInvitation {
    /// Invitation id.
    pub invitation_id: i64,
    /// Host id of the location.
    pub location: String,
    /// Host id of the transaction.
    pub transaction: Option<String>,
    /// Business date of the batch that created it, `YYYY-MM-DD`.
    pub business_date: String,
    /// `pending`, `delivered`, `cancelled` or `failed`.
    pub status: String,
    /// When it was delivered, Unix milliseconds.
    pub delivered_at_ms: Option<i64>,
    /// Whether it was answered.
    pub answered: bool,
}

impl From<m::HistoryInvitation> for HistoryInvitation {
    fn from(i: m::HistoryInvitation) -> Self {
        HistoryInvitation {
            invitation_id: i.invitation_id,
            location: i.location,
            transaction: i.transaction,
            business_date: time::date(i.business_date),
            status: i.status,
            delivered_at_ms: i.delivered_at.map(time::ms),
            answered: i.answered,
        }
    }
}

/// A customer's whole feedback history (F4).
#[derive(Debug, Clone, PartialEq, uniffi::Record)]
pub struct CustomerHistory {
    /// Host id.
    pub customer: String,
    /// Name.
    pub name: Option<String>,
    /// Gender.
    pub gender: Option<Gender>,
    /// When they unsubscribed (E3), Unix milliseconds, if they did.
    pub unsubscribed_at_ms: Option<i64>,
    /// Invitations, oldest first.
    pub invitations: Vec<HistoryInvitation>,
    /// Responses, newest first.
    pub responses: Vec<FeedbackItem>,
}

impl From<m::CustomerHistory> for CustomerHistory {
    fn from(h: m::CustomerHistory) -> Self {
        CustomerHistory {
            customer: h.customer,
            name: h.name,
            gender: h.gender.map(Into::into),
            unsubscribed_at_ms: h.unsubscribed_at.map(time::ms),
            invitations: convert(h.invitations),
            responses: convert(h.responses),
        }
    }
}

/// Subscription status of a customer (F4).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, uniffi::Enum)]
pub enum Subscription {
    /// Not unsubscribed.
    Subscribed,
    /// Unsubscribed by customer, e-mail or phone (E3).
    Unsubscribed,
}

impl From<Subscription> for m::Subscription {
    fn from(s: Subscription) -> Self {
        match s {
            Subscription::Subscribed => m::Subscription::Subscribed,
            Subscription::Unsubscribed => m::Subscription::Unsubscribed,
        }
    }
}

/// Which customers to list (F4).
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct CustomerQuery {
    /// Only this gender.
    #[uniffi(default = None)]
    pub gender: Option<Gender>,
    /// Only customers whose latest NPS answer is in this category.
    #[uniffi(default = None)]
    pub category: Option<NpsCategory>,
    /// Only subscribed or unsubscribed customers.
    #[uniffi(default = None)]
    pub subscription: Option<Subscription>,
    /// Host id of the user looking (customers who bought at their locations).
    #[uniffi(default = None)]
    pub user: Option<String>,
    /// Items to skip.
    #[uniffi(default = 0)]
    pub offset: u64,
    /// Page size (1 to 1000).
    #[uniffi(default = 50)]
    pub limit: u32,
}

impl From<CustomerQuery> for m::CustomerQuery {
    fn from(q: CustomerQuery) -> Self {
        m::CustomerQuery {
            gender: q.gender.map(Into::into),
            category: q.category.map(Into::into),
            subscription: q.subscription.map(Into::into),
            user: q.user,
            offset: q.offset,
            limit: q.limit,
        }
    }
}

/// One customer in the customers report (F4).
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
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
    /// When they last answered, Unix milliseconds.
    pub last_response_at_ms: Option<i64>,
    /// When they unsubscribed, Unix milliseconds, if they did.
    pub unsubscribed_at_ms: Option<i64>,
}

impl From<m::CustomerSummary> for CustomerSummary {
    fn from(s: m::CustomerSummary) -> Self {
        CustomerSummary {
            customer: s.customer,
            name: s.name,
            gender: s.gender.map(Into::into),
            responses: s.responses,
            latest_category: s.latest_category.map(Into::into),
            last_response_at_ms: s.last_response_at.map(time::ms),
            unsubscribed_at_ms: s.unsubscribed_at.map(time::ms),
        }
    }
}

/// One page of the customers report.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct CustomerPage {
    /// Customers matching, over every page.
    pub total: u64,
    /// This page, by host id.
    pub items: Vec<CustomerSummary>,
}

impl From<m::CustomerPage> for CustomerPage {
    fn from(p: m::CustomerPage) -> Self {
        CustomerPage {
            total: p.total,
            items: convert(p.items),
        }
    }
}

/// One entry of the unsubscribe report (F4 *beyond*).
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct Unsubscribe {
    /// `customer`, `email` or `phone`.
    pub kind: String,
    /// The normalised e-mail or phone; the host id for `customer`.
    pub contact: String,
    /// When, Unix milliseconds.
    pub at_ms: i64,
    /// How (`link`, `api`, …).
    pub source: String,
    /// The matching customer's host id, if one is known.
    pub customer: Option<String>,
    /// Their name.
    pub name: Option<String>,
}

impl From<m::Unsubscribe> for Unsubscribe {
    fn from(u: m::Unsubscribe) -> Self {
        Unsubscribe {
            kind: u.kind,
            contact: u.contact,
            at_ms: time::ms(u.at),
            source: u.source,
            customer: u.customer,
            name: u.name,
        }
    }
}

/// PII-free aggregate counts to share with other stores ("compare with other retailers").
/// Stores usually exchange it as JSON: see `export_aggregates_json`.
#[derive(Debug, Clone, PartialEq, uniffi::Record)]
pub struct AggregateBundle {
    /// The bundle format (1).
    pub format: u32,
    /// The store's label, chosen by the vendor; no other id leaves the store.
    pub store: String,
    /// When it was made, Unix milliseconds.
    pub created_at_ms: i64,
    /// Counts per location (numbered 1…), local month and category.
    pub rows: Vec<AggregateRow>,
}

impl From<m::AggregateBundle> for AggregateBundle {
    fn from(b: m::AggregateBundle) -> Self {
        AggregateBundle {
            format: b.format,
            store: b.store,
            created_at_ms: time::ms(b.created_at),
            rows: convert(b.rows),
        }
    }
}

impl AggregateBundle {
    fn into_model(self) -> Result<m::AggregateBundle, Error> {
        let created_at = time::record_instant(self.created_at_ms).ok_or_else(|| {
            Error::invalid(Problem::top(
                "aggregate_bundle",
                "created_at_ms",
                time::OUT_OF_RANGE,
            ))
        })?;
        Ok(m::AggregateBundle {
            format: self.format,
            store: self.store,
            created_at,
            rows: convert(self.rows),
        })
    }
}

/// Counts of one location and local month in an [`AggregateBundle`].
#[derive(Debug, Clone, PartialEq, uniffi::Record)]
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

impl From<m::AggregateRow> for AggregateRow {
    fn from(r: m::AggregateRow) -> Self {
        AggregateRow {
            location: r.location,
            month: r.month,
            promoters: r.promoters,
            passives: r.passives,
            detractors: r.detractors,
            rated: r.rated,
            rating_sum_base10: r.rating_sum_base10,
        }
    }
}

impl From<AggregateRow> for m::AggregateRow {
    fn from(r: AggregateRow) -> Self {
        m::AggregateRow {
            location: r.location,
            month: r.month,
            promoters: r.promoters,
            passives: r.passives,
            detractors: r.detractors,
            rated: r.rated,
            rating_sum_base10: r.rating_sum_base10,
        }
    }
}

/// Your NPS against the imported stores' ("you vs other retailers").
#[derive(Debug, Clone, PartialEq, uniffi::Record)]
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

impl From<m::Comparison> for Comparison {
    fn from(c: m::Comparison) -> Self {
        Comparison {
            you: c.you.into(),
            peers: c.peers.into(),
            peer_stores: c.peer_stores,
            peer_average: c.peer_average,
        }
    }
}

/// Which feedback an export covers (X1, X2); absent bounds are open. A conversation is
/// exported whole when its response was recorded in `[from_ms, to_ms)`.
#[derive(Debug, Clone, PartialEq, Eq, Default, uniffi::Record)]
pub struct ExportQuery {
    /// Host id of one location; none: all.
    #[uniffi(default = None)]
    pub location: Option<String>,
    /// Responses recorded at or after this instant, Unix milliseconds.
    #[uniffi(default = None)]
    pub from_ms: Option<i64>,
    /// Responses recorded before this instant, Unix milliseconds.
    #[uniffi(default = None)]
    pub to_ms: Option<i64>,
}

impl ExportQuery {
    fn into_model(self) -> Result<crate::ExportQuery, Error> {
        let (from, to) = time::optional_bounds("export_query", self.from_ms, self.to_ms)?;
        Ok(crate::ExportQuery {
            location: self.location,
            from,
            to,
        })
    }
}

/// What a spreadsheet export holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, uniffi::Record)]
pub struct ExportSummary {
    /// Rows of the "By employee" sheet.
    pub employees: u64,
    /// Rows of the "By date" sheet (days).
    pub days: u64,
    /// Rows of the "Comments" sheet (thread comments).
    pub comments: u64,
}

impl From<crate::ExportSummary> for ExportSummary {
    fn from(s: crate::ExportSummary) -> Self {
        ExportSummary {
            employees: s.employees,
            days: s.days,
            comments: s.comments,
        }
    }
}

/// What erasing a customer did (right to be forgotten).
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct Erasure {
    /// Host id of the erased customer (kept, so they are never surveyed again).
    pub customer: String,
    /// Responses kept for the scores, their free text removed.
    pub responses_kept: u64,
    /// Comments and notes emptied.
    pub texts_removed: u64,
    /// Messages to or about the customer that will no longer be sent.
    pub messages_cancelled: u64,
    /// Whether no byte of the erased values is left in the database or its -wal file.
    pub scrubbed: bool,
}

impl From<m::Erasure> for Erasure {
    fn from(e: m::Erasure) -> Self {
        Erasure {
            customer: e.customer,
            responses_kept: e.responses_kept,
            texts_removed: e.texts_removed,
            messages_cancelled: e.messages_cancelled,
            scrubbed: e.scrubbed,
        }
    }
}

impl From<m::Gender> for Gender {
    fn from(g: m::Gender) -> Self {
        match g {
            m::Gender::Female => Gender::Female,
            m::Gender::Male => Gender::Male,
            m::Gender::Other => Gender::Other,
        }
    }
}

impl From<m::Role> for Role {
    fn from(r: m::Role) -> Self {
        match r {
            m::Role::Salesperson => Role::Salesperson,
            m::Role::Technician => Role::Technician,
            m::Role::Driver => Role::Driver,
        }
    }
}

impl From<NpsCategory> for m::NpsCategory {
    fn from(c: NpsCategory) -> Self {
        match c {
            NpsCategory::Promoter => m::NpsCategory::Promoter,
            NpsCategory::Passive => m::NpsCategory::Passive,
            NpsCategory::Detractor => m::NpsCategory::Detractor,
        }
    }
}

/// Reports, exports and erasure (issue 8, X1, X2).
#[uniffi::export]
impl Engine {
    /// Erases a customer (right to be forgotten): personal fields and free-text comments
    /// are removed, scores stay in NPS and ratings, and they are never surveyed again.
    pub fn erase_customer(&self, customer: String, now_ms: i64) -> Answer<Erasure> {
        let now = time::arg_instant(now_ms, "now_ms")?;
        Ok(self.inner().erase_customer(&customer, now)?.into())
    }

    /// NPS and average rating of a period, location and employee (N1, N2, N5, N6).
    pub fn scores(&self, query: ReportQuery, now_ms: i64) -> Answer<Scores> {
        let now = time::arg_instant(now_ms, "now_ms")?;
        let query = query.into_model("report_query")?;
        Ok(self.inner().scores(&query, now)?.into())
    }

    /// Scores by local day, ISO week or month (N2); buckets without responses are left out.
    pub fn score_series(
        &self,
        query: ReportQuery,
        bucket: Bucket,
        now_ms: i64,
    ) -> Answer<Vec<SeriesPoint>> {
        let now = time::arg_instant(now_ms, "now_ms")?;
        let query = query.into_model("report_query")?;
        Ok(convert(self.inner().score_series(
            &query,
            bucket.into(),
            now,
        )?))
    }

    /// Of the invitations delivered in the period, the share answered (N5).
    pub fn response_rate(&self, query: ReportQuery, now_ms: i64) -> Answer<ResponseRate> {
        let now = time::arg_instant(now_ms, "now_ms")?;
        let query = query.into_model("report_query")?;
        Ok(self.inner().response_rate(&query, now)?.into())
    }

    /// Promoters, review links shown, clicks and confirmed reviews (N3).
    pub fn review_funnel(&self, query: ReportQuery, now_ms: i64) -> Answer<ReviewFunnel> {
        let now = time::arg_instant(now_ms, "now_ms")?;
        let query = query.into_model("report_query")?;
        Ok(self.inner().review_funnel(&query, now)?.into())
    }

    /// Per employee (optionally of one role): responses, NPS, average rating (X4).
    pub fn employee_performance(
        &self,
        query: ReportQuery,
        role: Option<Role>,
        now_ms: i64,
    ) -> Answer<Vec<EmployeePerformance>> {
        let now = time::arg_instant(now_ms, "now_ms")?;
        let query = query.into_model("report_query")?;
        Ok(convert(self.inner().employee_performance(
            &query,
            role.map(Into::into),
            now,
        )?))
    }

    /// The local dates and instants a dashboard period covers at a location (X3).
    pub fn period_bounds(
        &self,
        location: String,
        period: Period,
        now_ms: i64,
    ) -> Answer<PeriodBounds> {
        let now = time::arg_instant(now_ms, "now_ms")?;
        let period = period.into_model("arguments")?;
        Ok(self.inner().period_bounds(&location, &period, now)?.into())
    }

    /// One page of the feedback list, filtered and sorted (X3).
    pub fn feedback(&self, query: FeedbackQuery, now_ms: i64) -> Answer<FeedbackPage> {
        let now = time::arg_instant(now_ms, "now_ms")?;
        let query = query.into_model()?;
        Ok(self.inner().feedback(&query, now)?.into())
    }

    /// A customer's whole history: invitations and responses (F4); `user` limits it to
    /// that user's locations.
    pub fn customer_history(
        &self,
        customer: String,
        user: Option<String>,
    ) -> Answer<CustomerHistory> {
        Ok(self
            .inner()
            .customer_history(&customer, user.as_deref())?
            .into())
    }

    /// Customers filtered by gender, response category and subscription status (F4).
    pub fn customers(&self, query: CustomerQuery) -> Answer<CustomerPage> {
        Ok(self.inner().customers(&query.into())?.into())
    }

    /// The unsubscribes of a period, newest first (F4 *beyond*).
    pub fn unsubscribes(&self, query: ReportQuery, now_ms: i64) -> Answer<Vec<Unsubscribe>> {
        let now = time::arg_instant(now_ms, "now_ms")?;
        let query = query.into_model("report_query")?;
        Ok(convert(self.inner().unsubscribes(&query, now)?))
    }

    /// This store's PII-free aggregate counts, to share with other stores.
    pub fn export_aggregates(&self, store_label: String, now_ms: i64) -> Answer<AggregateBundle> {
        let now = time::arg_instant(now_ms, "now_ms")?;
        Ok(self.inner().export_aggregates(&store_label, now)?.into())
    }

    /// `export_aggregates` as the JSON text stores exchange (the other doors' format).
    pub fn export_aggregates_json(&self, store_label: String, now_ms: i64) -> Answer<String> {
        let now = time::arg_instant(now_ms, "now_ms")?;
        Ok(wire::to_json(
            &self.inner().export_aggregates(&store_label, now)?,
        ))
    }

    /// Imports another store's aggregate bundle (replacing its earlier one); returns its rows.
    pub fn import_aggregates(&self, bundle: AggregateBundle, now_ms: i64) -> Answer<u64> {
        let now = time::arg_instant(now_ms, "now_ms")?;
        Ok(self.inner().import_aggregates(&bundle.into_model()?, now)?)
    }

    /// `import_aggregates` of a bundle given as JSON (what `export_aggregates_json` wrote).
    pub fn import_aggregates_json(&self, json: String, now_ms: i64) -> Answer<u64> {
        let now = time::arg_instant(now_ms, "now_ms")?;
        let bundle = wire::parse_aggregate_bundle(&json)?;
        Ok(self.inner().import_aggregates(&bundle, now)?)
    }

    /// Your NPS over a scope against the imported stores over the same months.
    pub fn compare_nps(&self, query: ReportQuery, now_ms: i64) -> Answer<Comparison> {
        let now = time::arg_instant(now_ms, "now_ms")?;
        let query = query.into_model("report_query")?;
        Ok(self.inner().compare_nps(&query, now)?.into())
    }

    /// Recomputes the daily rollups from the responses; returns the responses counted.
    pub fn rebuild_rollups(&self) -> Answer<u64> {
        Ok(self.inner().rebuild_rollups()?)
    }

    /// Writes the feedback CSV (X1) to `path` (UTF-8 with a BOM, the X1 header, one row
    /// per thread comment), replacing the file only once complete; returns the rows.
    pub fn export_csv_file(&self, query: ExportQuery, path: String) -> Answer<u64> {
        let query = query.into_model()?;
        Ok(self.inner().export_csv_file(&query, path)?)
    }

    /// Writes the feedback spreadsheet (X2) to `path` as .xlsx: sheets "By employee",
    /// "By date" and "Comments", replacing the file only once complete.
    pub fn export_xlsx_file(&self, query: ExportQuery, path: String) -> Answer<ExportSummary> {
        let query = query.into_model()?;
        Ok(self.inner().export_xlsx_file(&query, path)?.into())
    }
}

fn convert<T, U: From<T>>(items: Vec<T>) -> Vec<U> {
    items.into_iter().map(U::from).collect()
}
