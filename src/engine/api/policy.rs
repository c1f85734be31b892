//! The contact-policy calls (P1–P8): the store's policy and calendar, a location's own.

use crate::error::Result;
use crate::model::{Calendar, ContactPolicy, LocationPolicy};

use crate::engine::{Engine, policy};

impl Engine {
    /// The store's contact policy: cooldowns per survey kind, caps, sampling, quotas,
    /// delay and relationship survey (P1–P7).
    pub fn contact_policy(&self) -> Result<ContactPolicy> {
        self.reader()?.read(policy::contact_policy)
    }

    /// Validates and replaces the store's contact policy; an empty `sample_salt` keeps the
    /// stored one. Applies to decisions made from now on (E9).
    pub fn set_contact_policy(&self, p: &ContactPolicy) -> Result<()> {
        self.lock()?.write(|c| policy::set_contact_policy(c, p))
    }

    /// The store's default calendar: send weekdays, closed dates, opening hours (P5).
    pub fn calendar(&self) -> Result<Calendar> {
        self.reader()?.read(policy::store_calendar)
    }

    /// Validates and replaces the store's default calendar (P5).
    pub fn set_calendar(&self, calendar: &Calendar) -> Result<()> {
        self.lock()?
            .write(|c| policy::set_store_calendar(c, calendar))
    }

    /// A location's own volume rules and calendar (P4, P5); `None` fields keep the store's.
    pub fn location_policy(&self, location: &str) -> Result<LocationPolicy> {
        self.reader()?
            .read(|c| policy::location_policy(c, location))
    }

    /// Validates and replaces a location's own volume rules and calendar (P4, P5).
    pub fn set_location_policy(&self, p: &LocationPolicy) -> Result<()> {
        self.lock()?.write(|c| policy::set_location_policy(c, p))
    }
}
