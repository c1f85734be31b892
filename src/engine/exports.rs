//! Feedback exports (X1, X2): the store's rows through the export formatters.

use std::io::Write;

use crate::store::Tx;

use crate::error::{Error, Problem, Result};
use crate::export::{self, CsvExport, ExportQuery, ExportSummary};

/// Checks the query: a known location and `from` before `to`.
fn check(c: &mut dyn Tx, q: &ExportQuery) -> Result<()> {
    if let (Some(from), Some(to)) = (q.from, q.to)
        && from > to
    {
        return Err(Error::invalid(Problem::top(
            "export_query",
            "to",
            "is before from",
        )));
    }
    if let Some(id) = &q.location
        && c.get_location(id)?.is_none()
    {
        return Err(Error::NotFound {
            what: "location",
            id: id.clone(),
        });
    }
    Ok(())
}

/// X1 leaves the Location column empty when the store has one location.
fn single_location(c: &mut dyn Tx) -> Result<bool> {
    Ok(c.list_locations()?.len() <= 1)
}

/// Writes the CSV export (X1); returns the number of comment rows.
pub fn csv(c: &mut dyn Tx, q: &ExportQuery, out: impl Write) -> Result<u64> {
    check(c, q)?;
    let mut csv = CsvExport::start(out, single_location(c)?)?;
    c.for_each_thread_comment(q, &mut |r| csv.row(&r))?;
    csv.finish()
}

/// Builds the spreadsheet export (X2) as .xlsx bytes.
pub fn xlsx(c: &mut dyn Tx, q: &ExportQuery) -> Result<(Vec<u8>, ExportSummary)> {
    check(c, q)?;
    let employees = c.employee_scores(q)?;
    let days = export::days(c.scored_responses(q)?);
    let mut comments = Vec::new();
    c.for_each_thread_comment(q, &mut |r| {
        comments.push(r);
        Ok(())
    })?;
    let bytes = export::workbook(&employees, &days, &comments, single_location(c)?)?;
    let summary = ExportSummary {
        employees: employees.len() as u64,
        days: days.len() as u64,
        comments: comments.len() as u64,
    };
    Ok((bytes, summary))
}
