//! `report` and `export`: scores and feedback files for a location and period.
//!
//! A report is one arm of [`report`].

use std::path::Path;

use chrono::{DateTime, Utc};
use chrono_tz::Tz;
use hearken::{Engine, ExportQuery, Period as LibPeriod, ReportQuery, ScoreQuery};
use serde::Serialize;

use crate::args::{ExportFormat, ReportKind, Scope};
use crate::commands::{Out, count, utc};
use crate::failure::Failure;
use crate::period::Period;
use crate::table::Table;

/// A scope resolved to UTC bounds, with the time zone that resolved it.
#[derive(Debug, Serialize)]
struct Resolved {
    location: Option<String>,
    time_zone: String,
    from: Option<DateTime<Utc>>,
    to: Option<DateTime<Utc>>,
}

impl Resolved {
    fn score_query(&self) -> ScoreQuery {
        ScoreQuery {
            location: self.location.clone(),
            from: self.from,
            to: self.to,
        }
    }

    fn export_query(&self) -> ExportQuery {
        ExportQuery {
            location: self.location.clone(),
            from: self.from,
            to: self.to,
        }
    }

    /// "Boutique Paris, 2026-11-01 00:00 UTC – 2026-12-01 00:00 UTC" and the like.
    fn describe(&self) -> String {
        let place = self.location.as_deref().unwrap_or("all locations");
        let bound = |t: Option<DateTime<Utc>>, open: &str| t.map(utc).unwrap_or(open.into());
        match (self.from, self.to) {
            (None, None) => format!("{place}, all time"),
            _ => format!(
                "{place}, {} to {}{}",
                bound(self.from, "the beginning"),
                bound(self.to, "now"),
                match self.time_zone.as_str() {
                    "UTC" => String::new(),
                    tz => format!(" (local days of {tz})"),
                }
            ),
        }
    }
}

/// The period's bounds in the location's zone; without a location, in the zone every
/// location shares, else UTC.
fn resolve(e: &Engine, scope: &Scope, now: DateTime<Utc>) -> Result<Resolved, Failure> {
    let zones: Vec<String> = match &scope.location {
        Some(id) => vec![e.location(id)?.time_zone],
        None => e.locations()?.into_iter().map(|l| l.time_zone).collect(),
    };
    let tz = match zones.split_first() {
        Some((first, rest)) if rest.iter().all(|z| z == first) => {
            first.parse::<Tz>().unwrap_or(Tz::UTC)
        }
        _ => Tz::UTC,
    };
    let b = scope.period.bounds(tz, now);
    Ok(Resolved {
        location: scope.location.clone(),
        time_zone: tz.name().to_owned(),
        from: b.from,
        to: b.to,
    })
}

fn one_decimal(v: Option<f64>) -> String {
    v.map(|v| format!("{v:.1}"))
        .unwrap_or_else(|| "none".into())
}

/// `report KIND`.
pub fn report(
    e: &Engine,
    out: &Out,
    kind: ReportKind,
    scope: &Scope,
    now: DateTime<Utc>,
) -> Result<(), Failure> {
    match kind {
        ReportKind::Nps => nps(e, out, &resolve(e, scope, now)?),
        ReportKind::Ratings => ratings(e, out, &resolve(e, scope, now)?),
        ReportKind::Employees => employees(e, out, scope, now),
        ReportKind::Funnel => funnel(e, out, scope, now),
    }
}

// `report nps` and `report ratings` keep the row-scanning calls for now: their JSON
// output ({"scope","nps"} and {"scope","ratings"}) is part of the CLI contract.
#[allow(deprecated)]
fn nps(e: &Engine, out: &Out, scope: &Resolved) -> Result<(), Failure> {
    let s = e.nps(&scope.score_query())?;
    let doc = serde_json::json!({ "scope": scope, "nps": s });
    out.show(&doc, || {
        let mut t = Table::new(&["promoters", "passives", "detractors", "answers", "NPS"]);
        t.row([
            s.promoters.to_string(),
            s.passives.to_string(),
            s.detractors.to_string(),
            (s.promoters + s.passives + s.detractors).to_string(),
            one_decimal(s.nps),
        ]);
        format!("NPS: {}\n{}", scope.describe(), t.render())
    });
    Ok(())
}

#[allow(deprecated)]
fn ratings(e: &Engine, out: &Out, scope: &Resolved) -> Result<(), Failure> {
    let r = e.ratings(&scope.score_query())?;
    let doc = serde_json::json!({ "scope": scope, "ratings": r });
    out.show(&doc, || {
        let mut t = Table::new(&[
            "ratings",
            "average (base 10)",
            "delivered",
            "answered",
            "response rate",
        ]);
        t.row([
            r.responses.to_string(),
            one_decimal(r.average_base10),
            r.delivered.to_string(),
            r.answered.to_string(),
            r.response_rate
                .map(|v| format!("{:.1}%", v * 100.0))
                .unwrap_or_else(|| "none".into()),
        ]);
        format!("Ratings: {}\n{}", scope.describe(), t.render())
    });
    Ok(())
}

/// The library's report query for a command-line scope: named periods stay named (each
/// location resolves them in its own zone); a range of dates is local days.
fn report_query(e: &Engine, scope: &Scope, now: DateTime<Utc>) -> Result<ReportQuery, Failure> {
    let period = match scope.period {
        Period::All => LibPeriod::AllTime,
        Period::CurrentMonth => LibPeriod::CurrentMonth,
        Period::LastMonth => LibPeriod::LastMonth,
        Period::Range(Some(from), Some(to)) => LibPeriod::Custom { from, to },
        Period::Range(..) => {
            let r = resolve(e, scope, now)?;
            LibPeriod::Between {
                from: r.from.unwrap_or(DateTime::<Utc>::UNIX_EPOCH),
                to: r.to.unwrap_or(now),
            }
        }
    };
    Ok(ReportQuery {
        period,
        location: scope.location.clone(),
        ..ReportQuery::default()
    })
}

/// `report employees`: per employee, responses, NPS and average rating (X4).
fn employees(e: &Engine, out: &Out, scope: &Scope, now: DateTime<Utc>) -> Result<(), Failure> {
    let q = report_query(e, scope, now)?;
    let rows = e.employee_performance(&q, None, now)?;
    let doc = serde_json::json!({ "query": q, "employees": rows });
    out.show(&doc, || {
        let mut t = Table::new(&["employee", "name", "role", "responses", "NPS", "average"]);
        for r in &rows {
            t.row([
                r.employee.clone(),
                r.name.clone().unwrap_or_default(),
                r.role.as_str().to_owned(),
                r.scores.responses.to_string(),
                one_decimal(r.scores.nps.nps),
                one_decimal(r.scores.average_base10),
            ]);
        }
        format!("Employees: {}\n{}", describe_query(&q), t.render())
    });
    Ok(())
}

/// `report funnel`: promoters, shown the review link, clicks, confirmed reviews (N3).
fn funnel(e: &Engine, out: &Out, scope: &Scope, now: DateTime<Utc>) -> Result<(), Failure> {
    let q = report_query(e, scope, now)?;
    let f = e.review_funnel(&q, now)?;
    let doc = serde_json::json!({ "query": q, "funnel": f });
    out.show(&doc, || {
        let mut t = Table::new(&["responses", "promoters", "shown", "clicked", "confirmed"]);
        t.row([
            f.responses.to_string(),
            f.promoters.to_string(),
            f.shown.to_string(),
            f.clicked.to_string(),
            f.confirmed.to_string(),
        ]);
        format!("Review funnel: {}\n{}", describe_query(&q), t.render())
    });
    Ok(())
}

fn describe_query(q: &ReportQuery) -> String {
    let place = q.location.as_deref().unwrap_or("all locations");
    let period = match &q.period {
        LibPeriod::AllTime => "all time".to_owned(),
        LibPeriod::CurrentMonth => "current month (local)".to_owned(),
        LibPeriod::LastMonth => "last month (local)".to_owned(),
        LibPeriod::Custom { from, to } => format!("{from} to {to} (local days)"),
        LibPeriod::Between { from, to } => format!("{} to {}", utc(*from), utc(*to)),
        _ => "the period".to_owned(),
    };
    format!("{place}, {period}")
}

/// `export csv|xlsx --out FILE`.
pub fn export(
    e: &Engine,
    out: &Out,
    format: ExportFormat,
    file: &Path,
    scope: &Scope,
    now: DateTime<Utc>,
) -> Result<(), Failure> {
    let scope = resolve(e, scope, now)?;
    let q = scope.export_query();
    let shown = file.display();
    match format {
        ExportFormat::Csv => {
            let comments = e
                .export_csv_file(&q, file)
                .map_err(|err| Failure::at(file, "write", err))?;
            let doc = serde_json::json!({"file": file, "format": "csv", "comments": comments});
            out.show(&doc, || {
                format!(
                    "wrote {shown}: {} ({})\n",
                    count(comments, "comment", "comments"),
                    scope.describe()
                )
            });
        }
        ExportFormat::Xlsx => {
            let s = e
                .export_xlsx_file(&q, file)
                .map_err(|err| Failure::at(file, "write", err))?;
            let doc = serde_json::json!({"file": file, "format": "xlsx", "sheets": s});
            out.show(&doc, || {
                format!(
                    "wrote {shown}: {}, {}, {} ({})\n",
                    count(s.employees, "employee", "employees"),
                    count(s.days, "day", "days"),
                    count(s.comments, "comment", "comments"),
                    scope.describe()
                )
            });
        }
    }
    Ok(())
}
