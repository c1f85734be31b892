//! A location's clock: its time zone and sync hour turn instants into business dates, and
//! plan tonight's window (S1, S2).

use std::collections::BTreeSet;

use crate::store::Tx;
use chrono::{DateTime, NaiveDate, Utc};
use chrono_tz::Tz;

use crate::error::{Error, Result};
use crate::model::Settings;
use crate::rules::time;
use crate::rules::window::{self, WindowPlan};
use crate::store::LocationRow;

/// A location's time zone and sync hour, the clock of its business dates (S1, S2).
pub struct LocationClock {
    /// The location's zone.
    pub tz: Tz,
    sync_hour: u32,
    catch_up_days: u32,
}

impl LocationClock {
    /// The clock of a stored location under the store's settings.
    pub fn new(row: &LocationRow, settings: &Settings) -> Result<Self> {
        let tz = time::parse_tz(&row.location.time_zone)
            .ok_or_else(|| Error::Internal("stored location has an unknown time zone".into()))?;
        Ok(LocationClock {
            tz,
            sync_hour: settings.sync_hour,
            catch_up_days: settings.catch_up_days,
        })
    }

    /// The location's current business date.
    pub fn today(&self, now: DateTime<Utc>) -> NaiveDate {
        window::business_today(self.tz, self.sync_hour, now)
    }

    /// Dates synced within the tracked history.
    pub fn synced_dates(
        &self,
        c: &mut dyn Tx,
        location: i64,
        today: NaiveDate,
    ) -> Result<BTreeSet<NaiveDate>> {
        let since = time::add_days(today, -window::HISTORY_DAYS);
        c.synced_dates_since(location, since)
    }

    /// Tonight's window and the missing dates.
    pub fn plan(
        &self,
        today: NaiveDate,
        synced: &BTreeSet<NaiveDate>,
        now: DateTime<Utc>,
    ) -> WindowPlan {
        window::plan(today, synced, self.catch_up_days, |d| {
            window::is_overdue(self.tz, self.sync_hour, d, now)
        })
    }
}
