//! The contact policy as a use case (P1–P8): a location's resolved rules, its send slots,
//! the volume of a batch, refunds, and the nightly relationship survey.

use std::collections::HashMap;

use chrono::{DateTime, NaiveDate, Utc};
use chrono_tz::Tz;
use rusqlite::Connection;

use crate::error::{Error, Result};
use crate::model::{
    Calendar, ContactPolicy, DeliverySettings, LocationPolicy, Settings, SurveyKind,
};
use crate::rules::policy::{
    self, Hold, PastInvitation, PersonPolicy, Volume, month_start, next_month_start,
};
use crate::rules::time::{self, QuietHours};
use crate::rules::validate;
use crate::store::{self, LocationRow};

/// The rules of one location, resolved from the store's and the location's own (P4, P5).
pub struct LocationRules {
    /// The store's contact policy, with the location's volume overrides applied.
    pub policy: ContactPolicy,
    /// The person rules (E4, P1, P2).
    pub person: PersonPolicy,
    /// The location's calendar, or the store's.
    pub calendar: Calendar,
    tz: Tz,
    send_hour: u32,
    quiet: QuietHours,
    link_days: u32,
}

impl LocationRules {
    /// Loads the rules of a stored location.
    pub fn load(c: &Connection, location: &LocationRow, settings: &Settings) -> Result<Self> {
        let mut policy = store::get_contact_policy(c)?;
        let (daily, sample, quota) = store::get_location_policy(c, location.rowid)?;
        policy.daily_cap = daily.unwrap_or(policy.daily_cap);
        policy.sample_percent = sample.unwrap_or(policy.sample_percent);
        policy.monthly_response_quota = quota.unwrap_or(policy.monthly_response_quota);
        let calendar = match store::get_calendar(c, location.rowid)? {
            Some(own) => own,
            None => store::get_calendar(c, store::STORE_SCOPE)?.unwrap_or_default(),
        };
        let tz = time::parse_tz(&location.location.time_zone)
            .ok_or_else(|| Error::Internal("stored location has an unknown time zone".into()))?;
        Ok(LocationRules {
            person: PersonPolicy::of(settings, &policy),
            policy,
            calendar,
            tz,
            send_hour: settings.send_hour,
            quiet: QuietHours {
                start: settings.quiet_start_hour,
                end: settings.quiet_end_hour,
            },
            link_days: store::get_delivery_settings(c)?.survey_link_days,
        })
    }

    /// P5: when an invitation of a sale decided on `batch_date` is due, or `None` when no
    /// send slot comes before its survey link would expire.
    pub fn invitation_due(
        &self,
        batch_date: NaiveDate,
        sale_date: NaiveDate,
        now: DateTime<Utc>,
    ) -> Option<DateTime<Utc>> {
        let day = policy::invitation_day(batch_date, sale_date, self.policy.delay_days);
        let before = time::add_days(day, -1);
        let due = time::invitation_due_at(self.tz, before, self.send_hour, self.quiet);
        self.slot(due, now)
    }

    /// P5: the next send slot of a customer-facing message due at `due` and created at
    /// `created`, or `None` when none comes before `created` + the survey link lifetime.
    pub fn slot(&self, due: DateTime<Utc>, created: DateTime<Utc>) -> Option<DateTime<Utc>> {
        let deadline = time::add(created, time::days(i64::from(self.link_days)));
        policy::next_send_slot(
            self.tz,
            due,
            &self.calendar,
            self.send_hour,
            self.quiet,
            deadline,
        )
    }

    /// P4: the volume rules of a batch of this location on `date`.
    pub fn volume(&self, c: &Connection, location: i64, date: NaiveDate) -> Result<Volume> {
        let p = &self.policy;
        let daily_room = match p.daily_cap {
            0 => None,
            cap => Some(cap.saturating_sub(store::invitations_created_on(c, location, date)?)),
        };
        let quota_reached_until = match p.monthly_response_quota {
            0 => None,
            quota => {
                let from = time::local_hour_instant(self.tz, month_start(date), 0);
                let next = next_month_start(date);
                let to = time::local_hour_instant(self.tz, next, 0);
                let got = store::transactional_responses_between(
                    c,
                    location,
                    time::ms(from),
                    time::ms(to),
                )?;
                (got >= quota).then_some(next)
            }
        };
        Ok(Volume {
            daily_room,
            quota_reached_until,
            sample_percent: p.sample_percent,
            salt: p.sample_salt.clone(),
        })
    }
}

/// The cooldown of `kind` and the store-wide cap that hold a person on `date` (P1, P2).
pub fn holds(
    history: &[PastInvitation],
    kind: SurveyKind,
    person: &PersonPolicy,
    date: NaiveDate,
) -> (Option<Hold>, Option<Hold>) {
    (
        policy::cooldown_hold(history, kind, person, date),
        policy::cap_hold(history, person, date),
    )
}

/// Send slots of customer-facing messages of any location, the rules loaded once each (P5).
pub struct Slots<'c> {
    c: &'c Connection,
    settings: Settings,
    rules: HashMap<i64, Option<LocationRules>>,
}

impl<'c> Slots<'c> {
    /// Slots under the store's current settings.
    pub fn new(c: &'c Connection) -> Result<Self> {
        Ok(Slots {
            c,
            settings: store::get_settings(c)?,
            rules: HashMap::new(),
        })
    }

    /// The next send slot of a message of `location` due at `due`, created at `created`;
    /// `None` when none comes in time. A location that cannot be read keeps `due`.
    pub fn slot(
        &mut self,
        location: i64,
        due: DateTime<Utc>,
        created: DateTime<Utc>,
    ) -> Result<Option<DateTime<Utc>>> {
        if !self.rules.contains_key(&location) {
            let rules = match store::location_by_rowid(self.c, location)? {
                Some(row) => Some(LocationRules::load(self.c, &row, &self.settings)?),
                None => None,
            };
            self.rules.insert(location, rules);
        }
        Ok(match self.rules.get(&location).and_then(Option::as_ref) {
            Some(r) => r.slot(due, created),
            None => Some(due),
        })
    }
}

/// The store's contact policy (P1–P7).
pub fn contact_policy(c: &Connection) -> Result<ContactPolicy> {
    store::get_contact_policy(c)
}

/// Validates and stores the store's contact policy.
pub fn set_contact_policy(c: &Connection, p: &ContactPolicy) -> Result<()> {
    let delivery = store::get_delivery_settings(c)?;
    let mut p = p.clone();
    if p.sample_salt.is_empty() {
        p.sample_salt = store::get_contact_policy(c)?.sample_salt;
    }
    let problems = validate::validate_contact_policy(&p, delivery.survey_link_days);
    if !problems.is_empty() {
        return Err(Error::Invalid(problems));
    }
    store::set_contact_policy(c, &p)
}

/// Stores the delivery settings, checked against the stored contact policy (T10). An empty
/// `suppression_pepper` keeps the stored one: a hash is never made with an empty pepper (T2).
pub fn set_delivery_settings(c: &Connection, s: &DeliverySettings) -> Result<()> {
    let problems = validate::validate_delivery_against_policy(s, &store::get_contact_policy(c)?);
    if !problems.is_empty() {
        return Err(Error::Invalid(problems));
    }
    if s.suppression_pepper.is_empty() {
        let mut s = s.clone();
        s.suppression_pepper = store::get_delivery_settings(c)?.suppression_pepper;
        return store::set_delivery_settings(c, &s);
    }
    store::set_delivery_settings(c, s)
}

/// The store's default calendar (P5).
pub fn store_calendar(c: &Connection) -> Result<Calendar> {
    Ok(store::get_calendar(c, store::STORE_SCOPE)?.unwrap_or_default())
}

/// Validates and stores the store's default calendar.
pub fn set_store_calendar(c: &Connection, cal: &Calendar) -> Result<()> {
    let problems = validate::validate_calendar("calendar", cal);
    if !problems.is_empty() {
        return Err(Error::Invalid(problems));
    }
    store::set_calendar(c, store::STORE_SCOPE, Some(cal))
}

fn location_row(c: &Connection, id: &str) -> Result<LocationRow> {
    store::get_location(c, id)?.ok_or_else(|| Error::NotFound {
        what: "location",
        id: id.to_owned(),
    })
}

/// A location's own volume rules and calendar (P4, P5).
pub fn location_policy(c: &Connection, id: &str) -> Result<LocationPolicy> {
    let row = location_row(c, id)?;
    let (daily_cap, sample_percent, monthly_response_quota) =
        store::get_location_policy(c, row.rowid)?;
    Ok(LocationPolicy {
        location: row.location.id,
        daily_cap,
        sample_percent,
        monthly_response_quota,
        calendar: store::get_calendar(c, row.rowid)?,
    })
}

/// Validates and stores a location's own volume rules and calendar.
pub fn set_location_policy(c: &Connection, p: &LocationPolicy) -> Result<()> {
    let problems = validate::validate_location_policy(p);
    if !problems.is_empty() {
        return Err(Error::Invalid(problems));
    }
    let row = location_row(c, &p.location)?;
    store::set_location_policy(
        c,
        row.rowid,
        (p.daily_cap, p.sample_percent, p.monthly_response_quota),
    )?;
    store::set_calendar(c, row.rowid, p.calendar.as_ref())
}
