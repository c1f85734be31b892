use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

/// The kinds of survey a customer can be asked (P1); each has its own cooldown.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Enum))]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum SurveyKind {
    /// After a sale (E4): cooldown `Settings::cooldown_months`.
    Transactional,
    /// The periodic relationship survey (P7): cooldown `relationship_every_months`.
    Relationship,
    /// After an alert is handled (A4): no cooldown.
    FollowUp,
}

impl SurveyKind {
    /// The stable lower-case name used in JSON and in the database.
    pub fn as_str(self) -> &'static str {
        match self {
            SurveyKind::Transactional => "transactional",
            SurveyKind::Relationship => "relationship",
            SurveyKind::FollowUp => "follow_up",
        }
    }

    /// Parses the name given by [`SurveyKind::as_str`].
    pub fn parse(s: &str) -> Option<Self> {
        [
            SurveyKind::Transactional,
            SurveyKind::Relationship,
            SurveyKind::FollowUp,
        ]
        .into_iter()
        .find(|k| k.as_str() == s)
    }
}

/// Store-wide contact policy (P1–P7); every value's default keeps the behaviour of E4.
///
/// `daily_cap`, `sample_percent` and `monthly_response_quota` are the store defaults of
/// the per-location volume rules (P4); a [`LocationPolicy`] overrides them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
#[serde(deny_unknown_fields, default)]
pub struct ContactPolicy {
    /// P1: months after an unanswered invitation before the next; 0 = off (the cooldown holds).
    pub retry_after_no_answer_months: u32,
    /// P3: customers sharing the normalised contact of the channel are one person.
    pub one_person_per_contact: bool,
    /// P2: at least this many days between two invitations of any kind; 0 = off.
    pub min_gap_days: u32,
    /// P2: at most this many invitations of any kind in any 365 days; 0 = off.
    pub max_per_year: u32,
    /// P4: at most this many invitations per location and business date; 0 = off.
    pub daily_cap: u32,
    /// P4: the share of customers, in percent, asked on a business date (100 = everyone).
    pub sample_percent: u32,
    /// P4: once a location has this many transactional responses in a local month, no
    /// more invitations there until the next month; 0 = off.
    pub monthly_response_quota: u32,
    /// P4: the secret mixed into the sampling hash; random at store creation.
    pub sample_salt: String,
    /// P5: an invitation is due no earlier than this many days after the sale's local date.
    pub delay_days: u32,
    /// P7: months between two relationship surveys of a customer; 0 = no relationship survey.
    pub relationship_every_months: u32,
    /// P7: only customers who bought within this many days get a relationship survey.
    pub active_within_days: u32,
}

impl Default for ContactPolicy {
    fn default() -> Self {
        ContactPolicy {
            retry_after_no_answer_months: 0,
            one_person_per_contact: false,
            min_gap_days: 0,
            max_per_year: 0,
            daily_cap: 0,
            sample_percent: 100,
            monthly_response_quota: 0,
            sample_salt: String::new(),
            delay_days: 1,
            relationship_every_months: 0,
            active_within_days: 365,
        }
    }
}

/// A location's own volume rules (P4); `None` keeps the store's [`ContactPolicy`] value.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
#[serde(deny_unknown_fields)]
pub struct LocationPolicy {
    /// Host id of the location.
    pub location: String,
    /// At most this many invitations per business date; 0 = off.
    #[serde(default)]
    #[cfg_attr(feature = "uniffi", uniffi(default))]
    pub daily_cap: Option<u32>,
    /// Percent of customers asked on a business date.
    #[serde(default)]
    #[cfg_attr(feature = "uniffi", uniffi(default))]
    pub sample_percent: Option<u32>,
    /// Transactional responses per local month after which the location asks no one; 0 = off.
    #[serde(default)]
    #[cfg_attr(feature = "uniffi", uniffi(default))]
    pub monthly_response_quota: Option<u32>,
    /// The location's own calendar; `None` uses the store's.
    #[serde(default)]
    #[cfg_attr(feature = "uniffi", uniffi(default))]
    pub calendar: Option<Calendar>,
}

/// A day of the week.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Enum))]
#[serde(rename_all = "snake_case")]
pub enum Weekday {
    /// Monday.
    Monday,
    /// Tuesday.
    Tuesday,
    /// Wednesday.
    Wednesday,
    /// Thursday.
    Thursday,
    /// Friday.
    Friday,
    /// Saturday.
    Saturday,
    /// Sunday.
    Sunday,
}

impl Weekday {
    /// Every day, Monday first.
    pub const ALL: [Weekday; 7] = [
        Weekday::Monday,
        Weekday::Tuesday,
        Weekday::Wednesday,
        Weekday::Thursday,
        Weekday::Friday,
        Weekday::Saturday,
        Weekday::Sunday,
    ];

    /// 0 for Monday … 6 for Sunday, as stored.
    pub fn index(self) -> u32 {
        self as u32
    }

    /// The name the JSON format uses (`monday`), also accepted by every door.
    pub fn name(self) -> &'static str {
        [
            "monday",
            "tuesday",
            "wednesday",
            "thursday",
            "friday",
            "saturday",
            "sunday",
        ][self as usize]
    }

    /// The three-letter form the CLI prints (`mon`).
    pub fn short_name(self) -> &'static str {
        &self.name()[..3]
    }

    /// T6: the one weekday grammar: exactly a name (`monday`) or its three-letter form
    /// (`mon`), lower case, nothing around it; anything else (`sunshine`, ` mon`) is `None`.
    pub fn from_name(text: &str) -> Option<Weekday> {
        Weekday::ALL
            .into_iter()
            .find(|d| text == d.name() || text == d.short_name())
    }

    /// The weekday of a date.
    pub fn of(date: NaiveDate) -> Weekday {
        use chrono::Datelike;
        Weekday::ALL[date.weekday().num_days_from_monday() as usize]
    }
}

/// Opening hours of one weekday, local hours `[opens, closes)`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
#[serde(deny_unknown_fields)]
pub struct OpeningHours {
    /// The weekday.
    pub weekday: Weekday,
    /// Local hour the location opens (0–23).
    pub opens: u32,
    /// Local hour it closes (1–24), after `opens`.
    pub closes: u32,
}

/// A location's calendar (P5): when customer-facing messages may be sent, and when it is open.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
#[serde(deny_unknown_fields, default)]
pub struct Calendar {
    /// Weekdays on which customer-facing messages are sent; at least one.
    pub send_weekdays: Vec<Weekday>,
    /// Local dates on which nothing is sent (holidays, closures).
    #[serde(with = "crate::wire::time::dates")]
    pub closed_dates: Vec<NaiveDate>,
    /// Weekly opening hours; a weekday not listed is closed. Empty = not recorded. Not
    /// read by sending today; kept for business-hour deadlines.
    pub opening_hours: Vec<OpeningHours>,
}

impl Default for Calendar {
    fn default() -> Self {
        Calendar {
            send_weekdays: Weekday::ALL.to_vec(),
            closed_dates: Vec::new(),
            opening_hours: Vec::new(),
        }
    }
}

impl Calendar {
    /// Whether customer-facing messages may be sent on `date` (a send weekday, not closed).
    pub fn sends_on(&self, date: NaiveDate) -> bool {
        self.send_weekdays.contains(&Weekday::of(date)) && !self.closed_dates.contains(&date)
    }
}
