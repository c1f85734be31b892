//! The analytics calls: scores and series from the rollups, rates, funnels, comparisons,
//! feedback and customer lists, exports.

use std::io::Write;
use std::path::Path;

use chrono::{DateTime, Utc};

use crate::error::Result;
use crate::export::{ExportQuery, ExportSummary};
use crate::model::{
    AggregateBundle, Bucket, Comparison, CustomerHistory, CustomerPage, CustomerQuery,
    EmployeePerformance, FeedbackPage, FeedbackQuery, Period, PeriodBounds, ReportQuery,
    ResponseRate, ReviewFunnel, Role, Scores, SeriesPoint, Unsubscribe,
};
use crate::rules::validate;

use crate::engine::{
    Engine, analytics, check_now, check_report_query, check_scores_query, checked, exports,
};

/// Reports: every call takes `now` (for "current month"), reads on the reader connection,
/// and honours `user` (an admin sees every location, others their own).
impl Engine {
    /// Writes the feedback CSV (X1) of a location and period: a BOM, the X1 header, one
    /// row per thread comment; returns the number of comment rows.
    pub fn export_csv(&self, query: &ExportQuery, out: impl Write) -> Result<u64> {
        check_scores_query(query)?;
        self.reader()?.read(|c| exports::csv(c, query, out))
    }

    /// [`Engine::export_csv`] into a file, replaced only once the export is complete: it
    /// is written under a fresh temporary name beside `path` and renamed over it (T4).
    /// The store's own file and its companions are refused as for [`Engine::backup`].
    pub fn export_csv_file(&self, query: &ExportQuery, path: impl AsRef<Path>) -> Result<u64> {
        crate::fsio::write_atomically(path.as_ref(), self.store_file(), |f| {
            self.export_csv(query, std::io::BufWriter::new(f))
        })
    }

    /// Writes the feedback spreadsheet (X2) of a location and period as .xlsx: sheets
    /// "By employee", "By date" and "Comments" (the X1 columns).
    pub fn export_xlsx(&self, query: &ExportQuery, mut out: impl Write) -> Result<ExportSummary> {
        check_scores_query(query)?;
        let (bytes, summary) = self.reader()?.read(|c| exports::xlsx(c, query))?;
        out.write_all(&bytes)?;
        out.flush()?;
        Ok(summary)
    }

    /// [`Engine::export_xlsx`] into a file, replaced only once the export is complete (as
    /// [`Engine::export_csv_file`]).
    pub fn export_xlsx_file(
        &self,
        query: &ExportQuery,
        path: impl AsRef<Path>,
    ) -> Result<ExportSummary> {
        crate::fsio::write_atomically(path.as_ref(), self.store_file(), |f| {
            self.export_xlsx(query, f)
        })
    }

    /// NPS and average rating of a period, location and employee (N1, N2, N5, N6).
    pub fn scores(&self, query: &ReportQuery, now: DateTime<Utc>) -> Result<Scores> {
        check_now(now)?;
        check_report_query("query", query)?;
        self.reader()?.read(|c| analytics::scores(c, query, now))
    }

    /// Scores by local day, ISO week or month (N2); buckets without responses are left out.
    pub fn score_series(
        &self,
        query: &ReportQuery,
        bucket: Bucket,
        now: DateTime<Utc>,
    ) -> Result<Vec<SeriesPoint>> {
        check_now(now)?;
        check_report_query("query", query)?;
        self.reader()?
            .read(|c| analytics::series_of(c, query, bucket, now))
    }

    /// Of the invitations delivered in the period, the share answered (N5).
    pub fn response_rate(&self, query: &ReportQuery, now: DateTime<Utc>) -> Result<ResponseRate> {
        check_now(now)?;
        check_report_query("query", query)?;
        self.reader()?
            .read(|c| analytics::response_rate(c, query, now))
    }

    /// Promoters, review links shown, clicks and confirmed reviews (N3).
    pub fn review_funnel(&self, query: &ReportQuery, now: DateTime<Utc>) -> Result<ReviewFunnel> {
        check_now(now)?;
        check_report_query("query", query)?;
        self.reader()?
            .read(|c| analytics::review_funnel(c, query, now))
    }

    /// Per employee (optionally of one role): responses, NPS, average rating (X4).
    pub fn employee_performance(
        &self,
        query: &ReportQuery,
        role: Option<Role>,
        now: DateTime<Utc>,
    ) -> Result<Vec<EmployeePerformance>> {
        check_now(now)?;
        check_report_query("query", query)?;
        self.reader()?
            .read(|c| analytics::employee_performance(c, query, role, now))
    }

    /// The local dates and UTC instants a dashboard period covers at a location (X3).
    pub fn period_bounds(
        &self,
        location: &str,
        period: &Period,
        now: DateTime<Utc>,
    ) -> Result<PeriodBounds> {
        check_now(now)?;
        checked(validate::period_problems("arguments", period))?;
        self.reader()?
            .read(|c| analytics::period_bounds(c, location, period, now))
    }

    /// One page of the feedback list, filtered and sorted (X3).
    pub fn feedback(&self, query: &FeedbackQuery, now: DateTime<Utc>) -> Result<FeedbackPage> {
        check_now(now)?;
        check_report_query("query", &query.scope)?;
        self.reader()?.read(|c| analytics::feedback(c, query, now))
    }

    /// A customer's whole history: invitations and responses (F4).
    pub fn customer_history(&self, customer: &str, user: Option<&str>) -> Result<CustomerHistory> {
        self.reader()?
            .read(|c| analytics::customer_history(c, customer, user))
    }

    /// Customers filtered by gender, response category and subscription status (F4).
    pub fn customers(&self, query: &CustomerQuery) -> Result<CustomerPage> {
        self.reader()?.read(|c| analytics::customers(c, query))
    }

    /// The unsubscribes of a period, newest first (F4 *beyond*).
    pub fn unsubscribes(
        &self,
        query: &ReportQuery,
        now: DateTime<Utc>,
    ) -> Result<Vec<Unsubscribe>> {
        check_now(now)?;
        check_report_query("query", query)?;
        self.reader()?
            .read(|c| analytics::unsubscribes(c, query, now))
    }

    /// This store's PII-free aggregate counts, to share with other stores.
    pub fn export_aggregates(
        &self,
        store_label: &str,
        now: DateTime<Utc>,
    ) -> Result<AggregateBundle> {
        check_now(now)?;
        self.reader()?
            .read(|c| analytics::export_aggregates(c, store_label, now))
    }

    /// Imports another store's aggregate bundle (replacing its earlier one); returns its rows.
    pub fn import_aggregates(&self, bundle: &AggregateBundle, now: DateTime<Utc>) -> Result<u64> {
        check_now(now)?;
        checked(validate::instant_problems(
            "bundle",
            &[("created_at", Some(bundle.created_at))],
        ))?;
        self.lock()?
            .write(|c| analytics::import_aggregates(c, bundle, now))
    }

    /// Your NPS over a scope against the imported stores over the same months.
    pub fn compare_nps(&self, query: &ReportQuery, now: DateTime<Utc>) -> Result<Comparison> {
        check_now(now)?;
        check_report_query("query", query)?;
        self.reader()?
            .read(|c| analytics::compare_nps(c, query, now))
    }

    /// Recomputes the daily rollups from the responses (after rows were written by other
    /// means, or to repair); returns the responses counted.
    pub fn rebuild_rollups(&self) -> Result<u64> {
        self.lock()?.write(|c| c.rebuild_rollups())
    }
}
