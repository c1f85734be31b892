//! The `Engine` methods of the contact policy (P1–P8): the store's policy and calendar, a
//! location's own rules, and skip reasons in the customer's languages.

use crate::model::{Calendar, ContactPolicy, LocationPolicy, SkipReason};
use crate::wire;

use super::engine::Engine;
use super::error::HearkenError;

type Answer<T> = Result<T, HearkenError>;

/// The contact policy (P1–P8).
#[uniffi::export]
impl Engine {
    /// The store's contact policy: cooldowns per survey kind, caps, sampling, quotas,
    /// delay and relationship survey (P1–P7).
    pub fn contact_policy(&self) -> Answer<ContactPolicy> {
        Ok(self.inner().contact_policy()?)
    }

    /// Validates and replaces the store's contact policy; an empty `sample_salt` keeps the
    /// stored one.
    pub fn set_contact_policy(&self, policy: ContactPolicy) -> Answer<()> {
        Ok(self.inner().set_contact_policy(&policy)?)
    }

    /// `set_contact_policy` from the JSON every door reads.
    pub fn set_contact_policy_json(&self, json: String) -> Answer<()> {
        Ok(self
            .inner()
            .set_contact_policy(&wire::parse_contact_policy(&json)?)?)
    }

    /// The store's default calendar: send weekdays, closed dates, opening hours (P5).
    pub fn calendar(&self) -> Answer<Calendar> {
        Ok(self.inner().calendar()?)
    }

    /// Validates and replaces the store's default calendar (P5).
    pub fn set_calendar(&self, calendar: Calendar) -> Answer<()> {
        Ok(self.inner().set_calendar(&calendar)?)
    }

    /// A location's own volume rules and calendar (P4, P5); `None` keeps the store's.
    pub fn location_policy(&self, location: String) -> Answer<LocationPolicy> {
        Ok(self.inner().location_policy(&location)?)
    }

    /// Validates and replaces a location's own volume rules and calendar (P4, P5).
    pub fn set_location_policy(&self, policy: LocationPolicy) -> Answer<()> {
        Ok(self.inner().set_location_policy(&policy)?)
    }
}

#[uniffi::export]
impl SkipReason {
    /// A short sentence in `language` (`en`, `fr`, `ko`; others get English).
    pub fn describe_in_language(&self, language: String) -> String {
        self.describe_in(&language).to_owned()
    }
}
