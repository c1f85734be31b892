//! The spreadsheet export (X2): one workbook, three sheets — by employee, by date,
//! comments (the X1 columns).

use chrono::Datelike;
use rust_xlsxwriter::{ExcelDateTime, Format, Workbook, Worksheet, XlsxError};

use super::days::DayScores;
use super::{COMMENT_HEADER, CommentRecord, EmployeeScores, comment_fields};
use crate::error::{Error, Problem, Result};
use crate::rules::score::NpsCounts;

/// Rows an .xlsx sheet holds, header included.
const MAX_ROWS: usize = 1_048_576;

/// Sheet names, in workbook order.
pub(crate) const SHEETS: [&str; 3] = ["By employee", "By date", "Comments"];

const EMPLOYEE_HEADER: [&str; 9] = [
    "Employee",
    "Employee ID",
    "Role",
    "Responses",
    "Promoters",
    "Passives",
    "Detractors",
    "NPS",
    "Average rating (base 10)",
];

const DATE_HEADER: [&str; 7] = [
    "Date",
    "Responses",
    "Promoters",
    "Passives",
    "Detractors",
    "NPS",
    "Average rating (base 10)",
];

/// The workbook as .xlsx bytes. NPS and averages are exact numbers shown with one
/// decimal; a scope without answers has an empty cell, never 0 (N1).
pub(crate) fn workbook(
    employees: &[EmployeeScores],
    days: &[DayScores],
    comments: &[CommentRecord],
    single_location: bool,
) -> Result<Vec<u8>> {
    if comments.len().max(days.len()).max(employees.len()) >= MAX_ROWS {
        return Err(Error::invalid(Problem::top(
            "export_query",
            "from",
            "more rows than a sheet holds (1,048,575): choose a shorter period",
        )));
    }
    let mut wb = Workbook::new();
    let bold = Format::new().set_bold();
    let one_decimal = Format::new().set_num_format("0.0");
    let date = Format::new().set_num_format("yyyy-mm-dd");

    let ws = sheet(&mut wb, SHEETS[0], &EMPLOYEE_HEADER, &bold)?;
    for (i, e) in employees.iter().enumerate() {
        let r = row(i);
        ws.write_string(r, 0, e.name.as_deref().unwrap_or(&e.id))
            .map_err(xlsx)?;
        ws.write_string(r, 1, &e.id).map_err(xlsx)?;
        ws.write_string(r, 2, &e.role).map_err(xlsx)?;
        ws.write_number(r, 3, e.responses as f64).map_err(xlsx)?;
        scores(ws, r, 4, &e.nps, e.rating_average, &one_decimal)?;
    }
    ws.autofit();

    let ws = sheet(&mut wb, SHEETS[1], &DATE_HEADER, &bold)?;
    for (i, d) in days.iter().enumerate() {
        let r = row(i);
        if let Some(day) = d.date {
            let month = u8::try_from(day.month()).unwrap_or(1);
            let dom = u8::try_from(day.day()).unwrap_or(1);
            let year = u16::try_from(day.year()).unwrap_or(1900);
            let at = ExcelDateTime::from_ymd(year, month, dom).map_err(xlsx)?;
            ws.write_datetime_with_format(r, 0, &at, &date)
                .map_err(xlsx)?;
        }
        ws.write_number(r, 1, d.responses as f64).map_err(xlsx)?;
        scores(ws, r, 2, &d.nps, d.rating_average(), &one_decimal)?;
    }
    ws.autofit();
    ws.set_column_width(0, 12).map_err(xlsx)?;

    let ws = sheet(&mut wb, SHEETS[2], &COMMENT_HEADER, &bold)?;
    for (i, c) in comments.iter().enumerate() {
        let r = row(i);
        for (col, cell) in comment_fields(c, single_location).into_iter().enumerate() {
            let col = col as u16;
            // Ids are numbers, so the sheet sorts them as numbers.
            match cell.parse::<i64>() {
                Ok(n) if col == 2 || col == 3 => ws.write_number(r, col, n as f64),
                _ => ws.write_string(r, col, cell),
            }
            .map_err(xlsx)?;
        }
    }
    ws.autofit();
    ws.set_column_width(13, 60).map_err(xlsx)?;

    wb.save_to_buffer().map_err(xlsx)
}

/// A new sheet with a bold, frozen header row.
fn sheet<'a>(
    wb: &'a mut Workbook,
    name: &str,
    header: &[&str],
    bold: &Format,
) -> Result<&'a mut Worksheet> {
    let ws = wb.add_worksheet();
    ws.set_name(name).map_err(xlsx)?;
    for (col, h) in header.iter().enumerate() {
        ws.write_string_with_format(0, col as u16, *h, bold)
            .map_err(xlsx)?;
    }
    ws.set_freeze_panes(1, 0).map_err(xlsx)?;
    Ok(ws)
}

/// Promoters, passives, detractors, NPS and the rating average from column `col` on.
fn scores(
    ws: &mut Worksheet,
    r: u32,
    col: u16,
    nps: &NpsCounts,
    rating: Option<f64>,
    one_decimal: &Format,
) -> Result<()> {
    ws.write_number(r, col, nps.promoters as f64)
        .map_err(xlsx)?;
    ws.write_number(r, col + 1, nps.passives as f64)
        .map_err(xlsx)?;
    ws.write_number(r, col + 2, nps.detractors as f64)
        .map_err(xlsx)?;
    if let Some(v) = nps.nps() {
        ws.write_number_with_format(r, col + 3, v, one_decimal)
            .map_err(xlsx)?;
    }
    if let Some(v) = rating {
        ws.write_number_with_format(r, col + 4, v, one_decimal)
            .map_err(xlsx)?;
    }
    Ok(())
}

/// The sheet row of the `i`-th data row (after the header).
fn row(i: usize) -> u32 {
    u32::try_from(i + 1).unwrap_or(u32::MAX)
}

fn xlsx(e: XlsxError) -> Error {
    match e {
        XlsxError::IoError(io) => Error::Io(io),
        other => Error::Internal(format!("xlsx export: {other}")),
    }
}
