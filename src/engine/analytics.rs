//! The report use cases (issue 8): scopes honouring a user's locations, periods resolved
//! in each location's time zone (X3), answers from the daily rollups where they apply
//! and from the raw responses where they cannot (instant-bounded periods, lists).

use std::collections::HashMap;

use crate::store::Tx;
use chrono::{DateTime, Utc};
use chrono_tz::Tz;

use crate::analytics::{Totals, compare, series};
use crate::error::{Error, Problem, Result};
use crate::model::{
    AGGREGATE_FORMAT, AggregateBundle, Bucket, Comparison, CustomerHistory, CustomerPage,
    CustomerQuery, EmployeePerformance, FeedbackPage, FeedbackQuery, Period, PeriodBounds,
    ReportQuery, ResponseRate, ReviewFunnel, Scores, SeriesPoint, Unsubscribe,
};
use crate::rules::period::{self, DayRange};
use crate::rules::score::NpsCounts;
use crate::store;

/// A location in a report's scope.
struct Loc {
    rowid: i64,
    host_id: String,
    tz: Tz,
}

/// Who and what a report covers.
struct Scope {
    locs: Vec<Loc>,
    /// Every location of the store (no location asked, no user restriction).
    everywhere: bool,
    /// The employee row id asked for.
    employee: Option<i64>,
}

impl Scope {
    /// The allowed locations as a JSON array of row ids; none when everywhere.
    fn allowed_json(&self) -> Option<String> {
        (!self.everywhere).then(|| {
            let ids: Vec<i64> = self.locs.iter().map(|l| l.rowid).collect();
            crate::wire::to_json(&ids)
        })
    }
}

fn invalid(field: &str, reason: &str) -> Error {
    Error::invalid(Problem::top("report", field, reason))
}

/// The locations a user may see; none means all (admins, users without locations).
fn allowed_locations(c: &mut dyn Tx, user: Option<&str>) -> Result<Option<Vec<i64>>> {
    let Some(user) = user else { return Ok(None) };
    let (role, locations) = c.user_access(user)?.ok_or_else(|| Error::NotFound {
        what: "user",
        id: user.to_owned(),
    })?;
    Ok((role != "admin" && !locations.is_empty()).then_some(locations))
}

fn scope_of(
    c: &mut dyn Tx,
    location: Option<&str>,
    employee: Option<&str>,
    user: Option<&str>,
) -> Result<Scope> {
    let allowed = allowed_locations(c, user)?;
    let mut locs: Vec<Loc> = c
        .list_locations()?
        .into_iter()
        .filter(|l| allowed.as_ref().is_none_or(|a| a.contains(&l.rowid)))
        .map(|l| Loc {
            rowid: l.rowid,
            tz: l.location.time_zone.parse().unwrap_or(Tz::UTC),
            host_id: l.location.id,
        })
        .collect();
    if let Some(id) = location {
        if c.get_location(id)?.is_none() {
            return Err(Error::NotFound {
                what: "location",
                id: id.to_owned(),
            });
        }
        locs.retain(|l| l.host_id == id);
        if locs.is_empty() {
            return Err(invalid("location", "not among the user's locations"));
        }
    }
    let employee = match employee {
        None => None,
        Some(id) => Some(c.employee_rowid(id)?.ok_or_else(|| Error::NotFound {
            what: "employee",
            id: id.to_owned(),
        })?),
    };
    Ok(Scope {
        everywhere: location.is_none() && allowed.is_none(),
        locs,
        employee,
    })
}

fn report_scope(c: &mut dyn Tx, q: &ReportQuery) -> Result<Scope> {
    let problems = period::validate(&q.period);
    if !problems.is_empty() {
        return Err(Error::Invalid(problems));
    }
    scope_of(
        c,
        q.location.as_deref(),
        q.employee.as_deref(),
        q.user.as_deref(),
    )
}

/// Totals of a scope: from the rollups for day-aligned periods, else from the responses.
fn totals(c: &mut dyn Tx, s: &Scope, p: &Period, now: DateTime<Utc>) -> Result<Totals> {
    let employee = s.employee.unwrap_or(store::TOTAL);
    if s.everywhere && *p == Period::AllTime {
        return c.rollup_totals(employee, None, (i64::MIN, i64::MAX));
    }
    let mut sum = Totals::default();
    for l in &s.locs {
        let t = match period::resolve(p, l.tz, now) {
            Some(days) => c.rollup_totals(employee, Some(l.rowid), days.day_numbers())?,
            None => c.raw_totals(l.rowid, s.employee, period::instant_ms(p, l.tz, now))?,
        };
        sum.add(&t);
    }
    Ok(sum)
}

/// NPS and average rating of a scope (N1, N2, N5, N6).
pub fn scores(c: &mut dyn Tx, q: &ReportQuery, now: DateTime<Utc>) -> Result<Scores> {
    let s = report_scope(c, q)?;
    Ok(totals(c, &s, &q.period, now)?.scores())
}

/// Scores by day, ISO week or month of each location's local date (N2).
pub fn series_of(
    c: &mut dyn Tx,
    q: &ReportQuery,
    bucket: Bucket,
    now: DateTime<Utc>,
) -> Result<Vec<SeriesPoint>> {
    let s = report_scope(c, q)?;
    let employee = s.employee.unwrap_or(store::TOTAL);
    let mut days = Vec::new();
    for l in &s.locs {
        match period::resolve(&q.period, l.tz, now) {
            Some(range) => {
                for (day, t) in c.rollup_days(employee, l.rowid, range.day_numbers())? {
                    days.extend(period::date_of(day).map(|d| (d, t)));
                }
            }
            None => {
                let bounds = period::instant_ms(&q.period, l.tz, now);
                for (at, t) in c.raw_points(l.rowid, s.employee, bounds)? {
                    days.extend(period::date_of(period::local_day(l.tz, at)).map(|d| (d, t)));
                }
            }
        }
    }
    Ok(series(days, bucket))
}

/// Of the invitations delivered in the period, the share answered (N5).
pub fn response_rate(c: &mut dyn Tx, q: &ReportQuery, now: DateTime<Utc>) -> Result<ResponseRate> {
    let s = report_scope(c, q)?;
    let (mut delivered, mut answered) = (0, 0);
    for l in &s.locs {
        let bounds = period::instant_ms(&q.period, l.tz, now);
        let (d, a) = c.delivered_answered(l.rowid, s.employee, bounds)?;
        delivered += d;
        answered += a;
    }
    Ok(ResponseRate {
        delivered,
        answered,
        rate: (delivered > 0).then(|| answered as f64 / delivered as f64),
    })
}

/// Promoters, review links shown, clicks and confirmed reviews (N3).
pub fn review_funnel(c: &mut dyn Tx, q: &ReportQuery, now: DateTime<Utc>) -> Result<ReviewFunnel> {
    let s = report_scope(c, q)?;
    let mut v = [0u64; 5];
    for l in &s.locs {
        let bounds = period::instant_ms(&q.period, l.tz, now);
        let f = c.review_funnel(l.rowid, s.employee, bounds)?;
        for (acc, x) in v.iter_mut().zip(f) {
            *acc += x;
        }
    }
    Ok(ReviewFunnel {
        responses: v[0],
        promoters: v[1],
        shown: v[2],
        clicked: v[3],
        confirmed: v[4],
    })
}

/// Per employee: responses, NPS, average rating; an answer counts for every employee of
/// its transaction (X4, N2).
pub fn employee_performance(
    c: &mut dyn Tx,
    q: &ReportQuery,
    role: Option<crate::model::Role>,
    now: DateTime<Utc>,
) -> Result<Vec<EmployeePerformance>> {
    let s = report_scope(c, q)?;
    let mut by: HashMap<i64, Totals> = HashMap::new();
    if s.everywhere && q.period == Period::AllTime {
        // The whole store's history: one pass over the employee rollups.
        by.extend(c.rollup_all_employees()?);
    } else {
        for l in &s.locs {
            let rows = match period::resolve(&q.period, l.tz, now) {
                Some(range) => c.rollup_employees(l.rowid, range.day_numbers())?,
                None => c.raw_employees(l.rowid, period::instant_ms(&q.period, l.tz, now))?,
            };
            for (e, t) in rows {
                by.entry(e).or_default().add(&t);
            }
        }
    }
    let people = c.employees_by_rowid()?;
    let mut out: Vec<EmployeePerformance> = by
        .into_iter()
        .filter(|(e, t)| t.responses > 0 && s.employee.is_none_or(|x| x == *e))
        .filter_map(|(e, t)| {
            let info = people.get(&e)?;
            let r = info.role?;
            role.is_none_or(|want| want == r)
                .then(|| EmployeePerformance {
                    employee: info.host_id.clone(),
                    name: info.name.clone(),
                    role: r,
                    scores: t.scores(),
                })
        })
        .collect();
    out.sort_by(|a, b| a.employee.cmp(&b.employee));
    Ok(out)
}

/// What a period means at one location (X3).
pub fn period_bounds(
    c: &mut dyn Tx,
    location: &str,
    p: &Period,
    now: DateTime<Utc>,
) -> Result<PeriodBounds> {
    let problems = period::validate(p);
    if !problems.is_empty() {
        return Err(Error::Invalid(problems));
    }
    let s = scope_of(c, Some(location), None, None)?;
    let l = s
        .locs
        .first()
        .ok_or_else(|| Error::Internal("scope of one location is empty".into()))?;
    let range = period::resolve(p, l.tz, now).unwrap_or_default();
    let (starts_at, ends_at) = period::instants(p, l.tz, now);
    Ok(PeriodBounds {
        location: l.host_id.clone(),
        first_day: range.from,
        last_day: range.until.and_then(|d| d.pred_opt()),
        starts_at,
        ends_at,
    })
}

/// `[row id, from ms, to ms]` per location of the scope, as JSON.
fn instant_scope(s: &Scope, p: &Period, now: DateTime<Utc>) -> String {
    let triples: Vec<[i64; 3]> = s
        .locs
        .iter()
        .map(|l| {
            let (a, b) = period::instant_ms(p, l.tz, now);
            [l.rowid, a, b]
        })
        .collect();
    crate::wire::to_json(&triples)
}

/// One page of feedback, filtered and sorted (X3).
pub fn feedback(c: &mut dyn Tx, q: &FeedbackQuery, now: DateTime<Utc>) -> Result<FeedbackPage> {
    if !(1..=1000).contains(&q.limit) {
        return Err(invalid("limit", "must be 1 to 1000"));
    }
    let s = report_scope(c, &q.scope)?;
    let (total, items) =
        c.feedback_page(&instant_scope(&s, &q.scope.period, now), s.employee, q)?;
    Ok(FeedbackPage { total, items })
}

/// A customer's whole history: invitations and responses (F4).
pub fn customer_history(
    c: &mut dyn Tx,
    customer: &str,
    user: Option<&str>,
) -> Result<CustomerHistory> {
    let s = scope_of(c, None, None, user)?;
    let card = c.customer_card(customer)?.ok_or_else(|| Error::NotFound {
        what: "customer",
        id: customer.to_owned(),
    })?;
    let allowed = s.allowed_json();
    Ok(CustomerHistory {
        customer: customer.to_owned(),
        name: card.name,
        gender: card.gender,
        unsubscribed_at: card.unsubscribed_at,
        invitations: c.customer_invitations(card.rowid, allowed.as_deref())?,
        responses: c.customer_responses(card.rowid, allowed.as_deref())?,
    })
}

/// Customers by gender, latest response category and subscription status (F4).
pub fn customers(c: &mut dyn Tx, q: &CustomerQuery) -> Result<CustomerPage> {
    if !(1..=1000).contains(&q.limit) {
        return Err(invalid("limit", "must be 1 to 1000"));
    }
    let s = scope_of(c, None, None, q.user.as_deref())?;
    let (total, items) = c.customers_page(
        q.gender,
        q.category,
        q.subscription,
        s.allowed_json().as_deref(),
        (q.offset, q.limit),
    )?;
    Ok(CustomerPage { total, items })
}

/// Unsubscribes in the period (in the time zone of the query's location, else of the
/// first location by host id), newest first (F4 *beyond*).
pub fn unsubscribes(
    c: &mut dyn Tx,
    q: &ReportQuery,
    now: DateTime<Utc>,
) -> Result<Vec<Unsubscribe>> {
    let s = report_scope(c, q)?;
    let tz = s.locs.first().map_or(Tz::UTC, |l| l.tz);
    let bounds = period::instant_ms(&q.period, tz, now);
    c.unsubscribes(bounds, s.allowed_json().as_deref())
}

/// This store's PII-free counts per location (numbered), local month and category.
pub fn export_aggregates(
    c: &mut dyn Tx,
    label: &str,
    now: DateTime<Utc>,
) -> Result<AggregateBundle> {
    let label = label.trim();
    if label.is_empty() || label.chars().count() > 100 {
        return Err(Error::invalid(Problem::top(
            "bundle",
            "store",
            "a label of 1 to 100 characters",
        )));
    }
    let number: HashMap<i64, u32> = c
        .list_locations()?
        .iter()
        .map(|l| l.rowid)
        .collect::<std::collections::BTreeSet<_>>()
        .into_iter()
        .zip(1u32..)
        .collect();
    let days = c
        .location_days()?
        .into_iter()
        .filter_map(|(l, day, t)| Some((*number.get(&l)?, period::date_of(day)?, t)));
    Ok(AggregateBundle {
        format: AGGREGATE_FORMAT,
        store: label.to_owned(),
        created_at: now,
        rows: compare::bundle_rows(days),
    })
}

/// Stores another store's bundle, replacing what it sent before; returns its rows.
pub fn import_aggregates(c: &mut dyn Tx, b: &AggregateBundle, now: DateTime<Utc>) -> Result<u64> {
    let problems = compare::validate_bundle(b);
    if !problems.is_empty() {
        return Err(Error::Invalid(problems));
    }
    c.replace_peer_rows(b.store.trim(), &b.rows, now.timestamp_millis())
}

/// Your NPS over the scope against the imported stores over the same local months.
pub fn compare_nps(c: &mut dyn Tx, q: &ReportQuery, now: DateTime<Utc>) -> Result<Comparison> {
    let s = report_scope(c, q)?;
    let you = totals(c, &s, &q.period, now)?.counts();
    let tz = s.locs.first().map_or(Tz::UTC, |l| l.tz);
    let range = period::resolve(&q.period, tz, now).unwrap_or_else(|| {
        let (a, b) = period::instants(&q.period, tz, now);
        DayRange {
            from: a.map(|t| t.date_naive()),
            until: b.map(|t| crate::rules::time::add_days(t.date_naive(), 1)),
        }
    });
    let (first, last) = compare::month_span(range);
    let peers: Vec<NpsCounts> = c
        .peer_counts(first.as_deref(), last.as_deref())?
        .into_iter()
        .map(|(_, n)| n)
        .collect();
    Ok(compare::compare(you, &peers))
}
