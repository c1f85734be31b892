//! The settings area of the storage seam: its trait, and the stored form of the settings
//! groups that every store shares, separate from the JSON wire contract.
//!
//! Each setting is one row (group, key, value) under a key fixed in this file. The wire's
//! field names can change without touching a stored row, and rows are read tolerantly: a
//! missing key, or one whose value this version cannot read, keeps its default; a key this
//! version does not know (written by a newer one) is ignored and kept. Writing a group
//! upserts the keys this version knows.

use crate::error::Result;
use crate::model::{
    AlertSettings, Channel, ContactPolicy, DeliverySettings, FeedbackSettings, ReviewMode, Settings,
};

/// A setting's value as a store keeps it: an integer or a text (SQLite's `value` column;
/// PostgreSQL's `int_value` / `text_value`); `Null` for a value this version cannot read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Value {
    /// No value, or one of a type this version does not store.
    Null,
    /// An integer.
    Integer(i64),
    /// A text.
    Text(String),
}

/// A field's stored form.
trait StoredValue: Sized {
    fn to_stored(&self) -> Value;
    fn from_stored(v: &Value) -> Option<Self>;
}

impl StoredValue for u32 {
    fn to_stored(&self) -> Value {
        Value::Integer(i64::from(*self))
    }
    fn from_stored(v: &Value) -> Option<Self> {
        match v {
            Value::Integer(i) => u32::try_from(*i).ok(),
            _ => None,
        }
    }
}

impl StoredValue for bool {
    fn to_stored(&self) -> Value {
        Value::Integer(i64::from(*self))
    }
    fn from_stored(v: &Value) -> Option<Self> {
        match v {
            Value::Integer(0) => Some(false),
            Value::Integer(1) => Some(true),
            _ => None,
        }
    }
}

impl StoredValue for String {
    fn to_stored(&self) -> Value {
        Value::Text(self.clone())
    }
    fn from_stored(v: &Value) -> Option<Self> {
        match v {
            Value::Text(t) => Some(t.clone()),
            _ => None,
        }
    }
}

/// An optional count (D6 `retention_months`): stored as 0 for none.
impl StoredValue for Option<u32> {
    fn to_stored(&self) -> Value {
        Value::Integer(i64::from(self.unwrap_or(0)))
    }
    fn from_stored(v: &Value) -> Option<Self> {
        match v {
            Value::Integer(0) => Some(None),
            Value::Integer(i) => u32::try_from(*i).ok().map(Some),
            _ => None,
        }
    }
}

/// A map setting (D4's per-language SMS words and texts): stored as one JSON text.
impl<V: serde::Serialize + serde::de::DeserializeOwned> StoredValue
    for std::collections::BTreeMap<String, V>
{
    fn to_stored(&self) -> Value {
        Value::Text(serde_json::to_string(self).unwrap_or_else(|_| "{}".to_owned()))
    }
    fn from_stored(v: &Value) -> Option<Self> {
        match v {
            Value::Text(t) => serde_json::from_str(t).ok(),
            _ => None,
        }
    }
}

/// Stored names of an enum setting's values, fixed here like the keys.
fn named<T: Copy + PartialEq>(names: &[(T, &str)], v: &Value) -> Option<T> {
    match v {
        Value::Text(t) => names.iter().find(|(_, n)| n == t).map(|(x, _)| *x),
        _ => None,
    }
}

fn name_of<T: Copy + PartialEq>(names: &[(T, &str)], x: T) -> Value {
    Value::Text(
        names
            .iter()
            .find(|(y, _)| *y == x)
            .map_or("", |(_, n)| n)
            .to_owned(),
    )
}

const CHANNELS: &[(Channel, &str)] = &[(Channel::Email, "email"), (Channel::Sms, "sms")];
const REVIEW_MODES: &[(ReviewMode, &str)] = &[
    (ReviewMode::Promoters, "promoters"),
    (ReviewMode::Everyone, "everyone"),
];

impl StoredValue for Channel {
    fn to_stored(&self) -> Value {
        name_of(CHANNELS, *self)
    }
    fn from_stored(v: &Value) -> Option<Self> {
        named(CHANNELS, v)
    }
}

impl StoredValue for ReviewMode {
    fn to_stored(&self) -> Value {
        name_of(REVIEW_MODES, *self)
    }
    fn from_stored(v: &Value) -> Option<Self> {
        named(REVIEW_MODES, v)
    }
}

/// The stored form of one settings group: its group name, its keys, and how its rows read
/// into the type and the type writes as rows.
pub trait StoredGroup: Sized + Default {
    /// The group's name in `setting_values.grp`.
    const GROUP: &'static str;
    /// Its keys, in declaration order (the test that every field has one reads them).
    #[cfg(test)]
    const KEYS: &'static [&'static str];
    /// The group from its stored rows: defaults for what is missing or unreadable.
    fn from_rows(rows: Vec<(String, Value)>) -> Self;
    /// Every field as a stored row.
    fn to_rows(&self) -> Vec<(&'static str, Value)>;
}

/// Declares the stored form of one settings group: its group name, and each field's key.
macro_rules! stored_group {
    ($ty:ty, $group:literal, { $($key:literal => $field:ident),* $(,)? }) => {
        impl StoredGroup for $ty {
            const GROUP: &'static str = $group;
            #[cfg(test)]
            const KEYS: &'static [&'static str] = &[$($key),*];

            fn from_rows(rows: Vec<(String, Value)>) -> Self {
                let mut out = <$ty>::default();
                for (key, value) in rows {
                    match key.as_str() {
                        $($key => {
                            if let Some(v) = StoredValue::from_stored(&value) {
                                out.$field = v;
                            }
                        })*
                        _ => {}
                    }
                }
                out
            }

            fn to_rows(&self) -> Vec<(&'static str, Value)> {
                vec![$(($key, StoredValue::to_stored(&self.$field))),*]
            }
        }
    };
}

stored_group!(Settings, "store", {
    "cooldown_months" => cooldown_months,
    "max_age_days" => max_age_days,
    "channel" => channel,
    "sync_hour" => sync_hour,
    "send_hour" => send_hour,
    "quiet_start_hour" => quiet_start_hour,
    "quiet_end_hour" => quiet_end_hour,
    "catch_up_days" => catch_up_days,
    "default_language" => default_language,
    "default_country_code" => default_country_code,
    "sms_opt_out_words" => sms_opt_out_words,
    "sms_help_texts" => sms_help_texts,
    "sms_opt_out_confirmations" => sms_opt_out_confirmations,
});

stored_group!(DeliverySettings, "delivery", {
    "link_base_url" => link_base_url,
    "survey_link_days" => survey_link_days,
    "lease_seconds" => lease_seconds,
    "max_attempts" => max_attempts,
    "retry_base_seconds" => retry_base_seconds,
    "suppression_pepper" => suppression_pepper,
    "slim_delivered_after_days" => slim_delivered_after_days,
    "retention_months" => retention_months,
    "events_retention_days" => events_retention_days,
});

stored_group!(AlertSettings, "alerts", {
    "escalate_after_hours" => escalate_after_hours,
    "reply_domain" => reply_domain,
});

stored_group!(FeedbackSettings, "feedback", {
    "review_mode" => review_mode,
    "unhappy_stars" => unhappy_stars,
    "non_respondent_reminder_days" => non_respondent_reminder_days,
});

stored_group!(ContactPolicy, "policy", {
    "retry_after_no_answer_months" => retry_after_no_answer_months,
    "one_person_per_contact" => one_person_per_contact,
    "min_gap_days" => min_gap_days,
    "max_per_year" => max_per_year,
    "daily_cap" => daily_cap,
    "sample_percent" => sample_percent,
    "monthly_response_quota" => monthly_response_quota,
    "sample_salt" => sample_salt,
    "delay_days" => delay_days,
    "relationship_every_months" => relationship_every_months,
    "active_within_days" => active_within_days,
});

/// The settings a store keeps (mirrors `store/sqlite/settings.rs`).
pub trait SettingsStore {
    /// The stored `Settings`; the defaults for what was never set.
    fn get_settings(&mut self) -> Result<Settings>;

    /// Stores every field of a `Settings`.
    fn set_settings(&mut self, s: &Settings) -> Result<()>;

    /// The stored `DeliverySettings`; the defaults for what was never set.
    fn get_delivery_settings(&mut self) -> Result<DeliverySettings>;

    /// Stores every field of a `DeliverySettings`.
    fn set_delivery_settings(&mut self, s: &DeliverySettings) -> Result<()>;

    /// The stored `AlertSettings`; the defaults for what was never set.
    fn get_alert_settings(&mut self) -> Result<AlertSettings>;

    /// Stores every field of a `AlertSettings`.
    fn set_alert_settings(&mut self, s: &AlertSettings) -> Result<()>;

    /// The stored `FeedbackSettings`; the defaults for what was never set.
    fn get_feedback_settings(&mut self) -> Result<FeedbackSettings>;

    /// Stores every field of a `FeedbackSettings`.
    fn set_feedback_settings(&mut self, s: &FeedbackSettings) -> Result<()>;

    /// The stored `ContactPolicy`; the defaults for what was never set.
    fn get_contact_policy(&mut self) -> Result<ContactPolicy>;

    /// Stores every field of a `ContactPolicy`.
    fn set_contact_policy(&mut self, s: &ContactPolicy) -> Result<()>;
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every field of the wire form has a stored key: a field added to a settings type
    /// but not here would be dropped on write.
    fn covers<T: serde::Serialize + Default>(keys: &[&str]) {
        let wire = serde_json::to_value(T::default()).unwrap();
        let mut fields: Vec<&str> = wire
            .as_object()
            .unwrap()
            .keys()
            .map(String::as_str)
            .collect();
        let mut keys = keys.to_vec();
        fields.sort_unstable();
        keys.sort_unstable();
        assert_eq!(fields, keys, "{}", std::any::type_name::<T>());
    }

    #[test]
    fn every_settings_field_has_a_stored_key() {
        covers::<Settings>(Settings::KEYS);
        covers::<DeliverySettings>(DeliverySettings::KEYS);
        covers::<AlertSettings>(AlertSettings::KEYS);
        covers::<FeedbackSettings>(FeedbackSettings::KEYS);
        covers::<ContactPolicy>(ContactPolicy::KEYS);
    }

    #[test]
    fn every_enum_value_has_a_stored_name() {
        for c in [Channel::Email, Channel::Sms] {
            assert_eq!(Channel::from_stored(&c.to_stored()), Some(c));
        }
        for m in [ReviewMode::Promoters, ReviewMode::Everyone] {
            assert_eq!(ReviewMode::from_stored(&m.to_stored()), Some(m));
        }
    }
}
