//! The contact policy as a use case (P1–P8): a location's resolved rules, its send slots,
//! the volume of a batch, refunds, and the nightly relationship survey.

use std::collections::HashMap;

use crate::store::Tx;
use chrono::{DateTime, NaiveDate, Utc};
use chrono_tz::Tz;

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
    pub fn load(c: &mut dyn Tx, location: &LocationRow, settings: &Settings) -> Result<Self> {
        let mut policy = c.get_contact_policy()?;
        let (daily, sample, quota) = c.get_location_policy(location.rowid)?;
        policy.daily_cap = daily.unwrap_or(policy.daily_cap);
        policy.sample_percent = sample.unwrap_or(policy.sample_percent);
        policy.monthly_response_quota = quota.unwrap_or(policy.monthly_response_quota);
        let calendar = c
            .get_calendar_of_location(location.rowid)?
            .unwrap_or_default();
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
            link_days: c.get_delivery_settings()?.survey_link_days,
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
    pub fn volume(&self, c: &mut dyn Tx, location: i64, date: NaiveDate) -> Result<Volume> {
        let p = &self.policy;
        let daily_room = match p.daily_cap {
            0 => None,
            cap => Some(cap.saturating_sub(c.invitations_created_on(location, date)?)),
        };
        let quota_reached_until = match p.monthly_response_quota {
            0 => None,
            quota => {
                let from = time::local_hour_instant(self.tz, month_start(date), 0);
                let next = next_month_start(date);
                let to = time::local_hour_instant(self.tz, next, 0);
                let got =
                    c.transactional_responses_between(location, time::ms(from), time::ms(to))?;
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
pub struct Slots {
    settings: Settings,
    rules: HashMap<i64, Option<LocationRules>>,
}

impl Slots {
    /// Slots under the store's current settings.
    pub fn new(c: &mut dyn Tx) -> Result<Self> {
        Ok(Slots {
            settings: c.get_settings()?,
            rules: HashMap::new(),
        })
    }

    /// The next send slot of a message of `location` due at `due`, created at `created`;
    /// `None` when none comes in time. A message without a location (D2, D4) and a
    /// location that cannot be read keep `due`.
    pub fn slot(
        &mut self,
        c: &mut dyn Tx,
        location: Option<i64>,
        due: DateTime<Utc>,
        created: DateTime<Utc>,
    ) -> Result<Option<DateTime<Utc>>> {
        let Some(location) = location else {
            return Ok(Some(due));
        };
        if !self.rules.contains_key(&location) {
            let rules = match c.location_by_rowid(location)? {
                Some(row) => Some(LocationRules::load(c, &row, &self.settings)?),
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
pub fn contact_policy(c: &mut dyn Tx) -> Result<ContactPolicy> {
    c.get_contact_policy()
}

/// Validates and stores the store's contact policy.
pub fn set_contact_policy(c: &mut dyn Tx, p: &ContactPolicy) -> Result<()> {
    let delivery = c.get_delivery_settings()?;
    let mut p = p.clone();
    if p.sample_salt.is_empty() {
        p.sample_salt = c.get_contact_policy()?.sample_salt;
    }
    let problems = validate::validate_contact_policy(&p, delivery.survey_link_days);
    if !problems.is_empty() {
        return Err(Error::Invalid(problems));
    }
    c.set_contact_policy(&p)
}

/// Stores the delivery settings, checked against the stored contact policy (T10). An empty
/// `suppression_pepper` keeps the stored one: a hash is never made with an empty pepper (T2).
pub fn set_delivery_settings(c: &mut dyn Tx, s: &DeliverySettings) -> Result<()> {
    let problems = validate::validate_delivery_against_policy(s, &c.get_contact_policy()?);
    if !problems.is_empty() {
        return Err(Error::Invalid(problems));
    }
    if s.suppression_pepper.is_empty() {
        let mut s = s.clone();
        s.suppression_pepper = c.get_delivery_settings()?.suppression_pepper;
        return c.set_delivery_settings(&s);
    }
    c.set_delivery_settings(s)
}

/// The store's default calendar (P5).
pub fn store_calendar(c: &mut dyn Tx) -> Result<Calendar> {
    Ok(c.get_calendar(store::STORE_SCOPE)?.unwrap_or_default())
}

/// Validates and stores the store's default calendar.
pub fn set_store_calendar(c: &mut dyn Tx, cal: &Calendar) -> Result<()> {
    let problems = validate::validate_calendar("calendar", cal);
    if !problems.is_empty() {
        return Err(Error::Invalid(problems));
    }
    c.set_calendar(store::STORE_SCOPE, Some(cal))
}

fn location_row(c: &mut dyn Tx, id: &str) -> Result<LocationRow> {
    c.get_location(id)?.ok_or_else(|| Error::NotFound {
        what: "location",
        id: id.to_owned(),
    })
}

/// A location's own volume rules and calendar (P4, P5).
pub fn location_policy(c: &mut dyn Tx, id: &str) -> Result<LocationPolicy> {
    let row = location_row(c, id)?;
    let (daily_cap, sample_percent, monthly_response_quota) = c.get_location_policy(row.rowid)?;
    Ok(LocationPolicy {
        location: row.location.id,
        daily_cap,
        sample_percent,
        monthly_response_quota,
        calendar: c.get_calendar(row.rowid)?,
    })
}

/// Validates and stores a location's own volume rules and calendar.
pub fn set_location_policy(c: &mut dyn Tx, p: &LocationPolicy) -> Result<()> {
    let problems = validate::validate_location_policy(p);
    if !problems.is_empty() {
        return Err(Error::Invalid(problems));
    }
    let row = location_row(c, &p.location)?;
    c.set_location_policy(
        row.rowid,
        (p.daily_cap, p.sample_percent, p.monthly_response_quota),
    )?;
    c.set_calendar(row.rowid, p.calendar.as_ref())
}
