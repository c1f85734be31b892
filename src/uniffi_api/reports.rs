//! The `Engine` methods of the reports (issue 8), the feedback exports (X1, X2) and the
//! erasure of a customer.
//!
//! The cross-store [`AggregateBundle`] crosses both as a record and as the JSON text stores
//! exchange (`export_aggregates_json`, `import_aggregates_json`).

use crate::model::{
    AggregateBundle, Bucket, Comparison, CustomerHistory, CustomerPage, CustomerQuery,
    EmployeePerformance, Erasure, FeedbackPage, FeedbackQuery, Period, PeriodBounds, ReportQuery,
    ResponseRate, ReviewFunnel, Role, Scores, SeriesPoint, Unsubscribe,
};
use crate::wire;
use crate::{ExportSummary, ScoreQuery};

use super::engine::Engine;
use super::error::HearkenError;
use super::time;

type Answer<T> = Result<T, HearkenError>;

/// Reports, exports and erasure (issue 8, X1, X2).
#[uniffi::export]
impl Engine {
    /// Erases a customer (right to be forgotten): personal fields and free-text comments
    /// are removed, scores stay in NPS and ratings, and they are never surveyed again.
    pub fn erase_customer(&self, customer: String, now_ms: i64) -> Answer<Erasure> {
        let now = time::arg_instant(now_ms, "now_ms")?;
        Ok(self.inner().erase_customer(&customer, now)?)
    }

    /// NPS and average rating of a period, location and employee (N1, N2, N5, N6).
    pub fn scores(&self, query: ReportQuery, now_ms: i64) -> Answer<Scores> {
        let now = time::arg_instant(now_ms, "now_ms")?;
        Ok(self.inner().scores(&query, now)?)
    }

    /// Scores by local day, ISO week or month (N2); buckets without responses are left out.
    pub fn score_series(
        &self,
        query: ReportQuery,
        bucket: Bucket,
        now_ms: i64,
    ) -> Answer<Vec<SeriesPoint>> {
        let now = time::arg_instant(now_ms, "now_ms")?;
        Ok(self.inner().score_series(&query, bucket, now)?)
    }

    /// Of the invitations delivered in the period, the share answered (N5).
    pub fn response_rate(&self, query: ReportQuery, now_ms: i64) -> Answer<ResponseRate> {
        let now = time::arg_instant(now_ms, "now_ms")?;
        Ok(self.inner().response_rate(&query, now)?)
    }

    /// Promoters, review links shown, clicks and confirmed reviews (N3).
    pub fn review_funnel(&self, query: ReportQuery, now_ms: i64) -> Answer<ReviewFunnel> {
        let now = time::arg_instant(now_ms, "now_ms")?;
        Ok(self.inner().review_funnel(&query, now)?)
    }

    /// Per employee (optionally of one role): responses, NPS, average rating (X4).
    pub fn employee_performance(
        &self,
        query: ReportQuery,
        role: Option<Role>,
        now_ms: i64,
    ) -> Answer<Vec<EmployeePerformance>> {
        let now = time::arg_instant(now_ms, "now_ms")?;
        Ok(self.inner().employee_performance(&query, role, now)?)
    }

    /// The local dates and instants a dashboard period covers at a location (X3).
    pub fn period_bounds(
        &self,
        location: String,
        period: Period,
        now_ms: i64,
    ) -> Answer<PeriodBounds> {
        let now = time::arg_instant(now_ms, "now_ms")?;
        Ok(self.inner().period_bounds(&location, &period, now)?)
    }

    /// One page of the feedback list, filtered and sorted (X3).
    pub fn feedback(&self, query: FeedbackQuery, now_ms: i64) -> Answer<FeedbackPage> {
        let now = time::arg_instant(now_ms, "now_ms")?;
        Ok(self.inner().feedback(&query, now)?)
    }

    /// A customer's whole history: invitations and responses (F4); `user` limits it to
    /// that user's locations.
    pub fn customer_history(
        &self,
        customer: String,
        user: Option<String>,
    ) -> Answer<CustomerHistory> {
        Ok(self.inner().customer_history(&customer, user.as_deref())?)
    }

    /// Customers filtered by gender, response category and subscription status (F4).
    pub fn customers(&self, query: CustomerQuery) -> Answer<CustomerPage> {
        Ok(self.inner().customers(&query)?)
    }

    /// The unsubscribes of a period, newest first (F4 *beyond*).
    pub fn unsubscribes(&self, query: ReportQuery, now_ms: i64) -> Answer<Vec<Unsubscribe>> {
        let now = time::arg_instant(now_ms, "now_ms")?;
        Ok(self.inner().unsubscribes(&query, now)?)
    }

    /// This store's PII-free aggregate counts, to share with other stores.
    pub fn export_aggregates(&self, store_label: String, now_ms: i64) -> Answer<AggregateBundle> {
        let now = time::arg_instant(now_ms, "now_ms")?;
        Ok(self.inner().export_aggregates(&store_label, now)?)
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
        Ok(self.inner().import_aggregates(&bundle, now)?)
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
        Ok(self.inner().compare_nps(&query, now)?)
    }

    /// Recomputes the daily rollups from the responses; returns the responses counted.
    pub fn rebuild_rollups(&self) -> Answer<u64> {
        Ok(self.inner().rebuild_rollups()?)
    }

    /// Writes the feedback CSV (X1) to `path` (UTF-8 with a BOM, the X1 header, one row
    /// per thread comment), replacing the file only once complete; returns the rows. Never
    /// onto the store's own file or its companions (`InvalidInput` naming `path`, T4).
    pub fn export_csv_file(&self, query: ScoreQuery, path: String) -> Answer<u64> {
        Ok(self.inner().export_csv_file(&query, path)?)
    }

    /// Writes the feedback spreadsheet (X2) to `path` as .xlsx: sheets "By employee",
    /// "By date" and "Comments", replacing the file only once complete. Never onto the
    /// store's own file or its companions (`InvalidInput` naming `path`, T4).
    pub fn export_xlsx_file(&self, query: ScoreQuery, path: String) -> Answer<ExportSummary> {
        Ok(self.inner().export_xlsx_file(&query, path)?)
    }
}
