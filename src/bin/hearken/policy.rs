//! `policy show|location|calendar`: a location's own volume rules (P4) and the calendars of
//! the store and its locations (P5). The store-wide values are `settings` (P1–P7).
//!
//! Lists are comma-separated on the command line; a bad entry is reported by its option's
//! name, never echoed, and nothing is saved.

use hearken::{Calendar, Engine, Error, LocationPolicy, OpeningHours, Problem, Weekday};

use crate::args::PolicyAction;
use crate::commands::Out;
use crate::failure::Failure;
use crate::table::Table;

fn day_name(w: Weekday) -> &'static str {
    w.short_name()
}

/// The one weekday grammar of every door (T6): `mon` or `monday`, nothing around it.
fn weekday(text: &str) -> Option<Weekday> {
    Weekday::from_name(text)
}

/// The one date grammar of every door (T6): exactly `YYYY-MM-DD` in the range.
fn date(text: &str) -> Option<chrono::NaiveDate> {
    hearken::rules::time::parse_date_strict(text)
}

fn bad(field: &str, reason: &str) -> Failure {
    Error::Invalid(vec![Problem::top("policy", field, reason)]).into()
}

/// `policy …`.
pub fn policy(e: &Engine, out: &Out, action: &PolicyAction) -> Result<(), Failure> {
    match action {
        PolicyAction::Show { location } => show(e, out, location.as_deref()),
        PolicyAction::Location {
            id,
            daily_cap,
            sample_percent,
            monthly_response_quota,
        } => {
            let mut p = e.location_policy(id)?;
            for (field, value, slot) in [
                ("daily_cap", daily_cap, &mut p.daily_cap),
                ("sample_percent", sample_percent, &mut p.sample_percent),
                (
                    "monthly_response_quota",
                    monthly_response_quota,
                    &mut p.monthly_response_quota,
                ),
            ] {
                match value.as_deref() {
                    None => {}
                    Some("store") => *slot = None,
                    Some(v) => {
                        *slot = Some(v.parse().map_err(|_| bad(field, "not a whole number"))?)
                    }
                }
            }
            e.set_location_policy(&p)?;
            show(e, out, Some(id))
        }
        PolicyAction::Calendar {
            location,
            send_weekdays,
            closed_dates,
            opening_hours,
            inherit,
        } => {
            let own = match location {
                Some(id) => e.location_policy(id)?.calendar,
                None => Some(e.calendar()?),
            };
            let mut cal = own.unwrap_or_else(|| e.calendar().unwrap_or_default());
            if let Some(days) = send_weekdays {
                cal.send_weekdays = days
                    .split(',')
                    .map(|d| {
                        weekday(d).ok_or_else(|| {
                            bad("send_weekdays", "not a weekday (mon or monday, lower case)")
                        })
                    })
                    .collect::<Result<_, _>>()?;
            }
            if let Some(dates) = closed_dates {
                cal.closed_dates = if dates == "none" {
                    Vec::new()
                } else {
                    dates
                        .split(',')
                        .map(|d| {
                            date(d)
                                .ok_or_else(|| bad("closed_dates", hearken::rules::time::BAD_DATE))
                        })
                        .collect::<Result<_, _>>()?
                };
            }
            if let Some(hours) = opening_hours {
                cal.opening_hours = if hours == "none" {
                    Vec::new()
                } else {
                    hours
                        .split(',')
                        .map(opening)
                        .collect::<Option<_>>()
                        .ok_or_else(|| bad("opening_hours", "expected DAY=OPENS-CLOSES"))?
                };
            }
            match location {
                Some(id) => {
                    let mut p = e.location_policy(id)?;
                    p.calendar = (!inherit).then_some(cal);
                    e.set_location_policy(&p)?;
                }
                None => e.set_calendar(&cal)?,
            }
            show(e, out, location.as_deref())
        }
    }
}

fn opening(text: &str) -> Option<OpeningHours> {
    let (day, hours) = text.split_once('=')?;
    let (opens, closes) = hours.split_once('-')?;
    Some(OpeningHours {
        weekday: weekday(day)?,
        opens: hour(opens)?,
        closes: hour(closes)?,
    })
}

/// An hour of the day: one or two ASCII digits, nothing around them.
fn hour(text: &str) -> Option<u32> {
    let digits = !text.is_empty() && text.len() <= 2 && text.bytes().all(|b| b.is_ascii_digit());
    digits.then(|| text.parse().ok()).flatten()
}

fn calendar_rows(t: &mut Table, cal: &Calendar, whose: &str) {
    let days: Vec<&str> = cal.send_weekdays.iter().map(|d| day_name(*d)).collect();
    t.row([
        "send weekdays".into(),
        format!("{} ({whose})", days.join(",")),
    ]);
    let closed: Vec<String> = cal.closed_dates.iter().map(|d| d.to_string()).collect();
    t.row([
        "closed dates".into(),
        if closed.is_empty() {
            "none".into()
        } else {
            closed.join(", ")
        },
    ]);
    let hours: Vec<String> = cal
        .opening_hours
        .iter()
        .map(|h| format!("{}={}-{}", day_name(h.weekday), h.opens, h.closes))
        .collect();
    t.row([
        "opening hours".into(),
        if hours.is_empty() {
            "not recorded".into()
        } else {
            hours.join(", ")
        },
    ]);
}

fn show(e: &Engine, out: &Out, location: Option<&str>) -> Result<(), Failure> {
    let store_cal = e.calendar()?;
    let Some(id) = location else {
        out.show(&store_cal, || {
            let mut t = Table::new(&["store calendar", "value"]);
            calendar_rows(&mut t, &store_cal, "store");
            t.render()
        });
        return Ok(());
    };
    let p: LocationPolicy = e.location_policy(id)?;
    let store = e.contact_policy()?;
    out.show(&p, || {
        let mut t = Table::new(&[&format!("location {id}"), "value"]);
        let rule = |own: Option<u32>, store: u32| match own {
            Some(v) => format!("{v} (location)"),
            None => format!("{store} (store)"),
        };
        t.row(["daily cap".into(), rule(p.daily_cap, store.daily_cap)]);
        t.row([
            "sample percent".into(),
            rule(p.sample_percent, store.sample_percent),
        ]);
        t.row([
            "monthly response quota".into(),
            rule(p.monthly_response_quota, store.monthly_response_quota),
        ]);
        match &p.calendar {
            Some(cal) => calendar_rows(&mut t, cal, "location"),
            None => calendar_rows(&mut t, &store_cal, "store"),
        }
        t.render()
    });
    Ok(())
}
