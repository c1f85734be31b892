//! The stored form of the settings groups, separate from the JSON wire contract.
//!
//! Each setting is one row of `setting_values` (group, key, value) under a key fixed in
//! this file. The wire's field names can change without touching a stored row, and rows
//! are read tolerantly: a missing key, or one whose value this version cannot read, keeps
//! its default; a key this version does not know (written by a newer one) is ignored and
//! kept. Writing a group upserts the keys this version knows.

use rusqlite::types::Value;
use rusqlite::{Connection, params};

use crate::error::Result;
use crate::model::{
    AlertSettings, Channel, ContactPolicy, DeliverySettings, FeedbackSettings, ReviewMode, Settings,
};

/// A setting's value as stored: an SQLite integer or text.
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

fn read_group(conn: &Connection, group: &str) -> Result<Vec<(String, Value)>> {
    let mut stmt = conn.prepare_cached("SELECT key, value FROM setting_values WHERE grp = ?1")?;
    let rows = stmt.query_map([group], |r| Ok((r.get(0)?, r.get(1)?)))?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

fn write_group(conn: &Connection, group: &str, values: &[(&str, Value)]) -> Result<()> {
    let mut stmt = conn.prepare_cached(
        "INSERT INTO setting_values (grp, key, value) VALUES (?1, ?2, ?3)
         ON CONFLICT (grp, key) DO UPDATE SET value = excluded.value",
    )?;
    for (key, value) in values {
        stmt.execute(params![group, key, value])?;
    }
    Ok(())
}

/// Declares the stored form of one settings group: its group name, and each field's key.
macro_rules! stored_group {
    ($ty:ty, $group:literal, $get:ident, $set:ident, $keys:ident,
     { $($key:literal => $field:ident),* $(,)? }) => {
        /// The stored keys of the group, in declaration order.
        #[cfg(test)]
        const $keys: &[&str] = &[$($key),*];

        #[doc = concat!("The stored `", stringify!($ty), "`; the defaults for what was never set.")]
        pub fn $get(conn: &Connection) -> Result<$ty> {
            let mut out = <$ty>::default();
            for (key, value) in read_group(conn, $group)? {
                match key.as_str() {
                    $($key => {
                        if let Some(v) = StoredValue::from_stored(&value) {
                            out.$field = v;
                        }
                    })*
                    _ => {}
                }
            }
            Ok(out)
        }

        #[doc = concat!("Stores every field of a `", stringify!($ty), "`.")]
        pub fn $set(conn: &Connection, s: &$ty) -> Result<()> {
            write_group(conn, $group, &[$(($key, StoredValue::to_stored(&s.$field))),*])
        }
    };
}

stored_group!(Settings, "store", get_settings, set_settings, STORE_KEYS, {
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
});

stored_group!(DeliverySettings, "delivery", get_delivery_settings, set_delivery_settings, DELIVERY_KEYS, {
    "link_base_url" => link_base_url,
    "survey_link_days" => survey_link_days,
    "lease_seconds" => lease_seconds,
    "max_attempts" => max_attempts,
    "retry_base_seconds" => retry_base_seconds,
    "suppression_pepper" => suppression_pepper,
    "slim_delivered_after_days" => slim_delivered_after_days,
});

stored_group!(AlertSettings, "alerts", get_alert_settings, set_alert_settings, ALERT_KEYS, {
    "escalate_after_hours" => escalate_after_hours,
    "reply_domain" => reply_domain,
});

stored_group!(FeedbackSettings, "feedback", get_feedback_settings, set_feedback_settings, FEEDBACK_KEYS, {
    "review_mode" => review_mode,
    "unhappy_stars" => unhappy_stars,
    "non_respondent_reminder_days" => non_respondent_reminder_days,
});

stored_group!(ContactPolicy, "policy", get_contact_policy, set_contact_policy, POLICY_KEYS, {
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

impl crate::store::SettingsStore for super::SqliteTx<'_> {
    fn get_settings(&mut self) -> Result<Settings> {
        get_settings(self.conn)
    }

    fn set_settings(&mut self, s: &Settings) -> Result<()> {
        set_settings(self.conn, s)
    }

    fn get_delivery_settings(&mut self) -> Result<DeliverySettings> {
        get_delivery_settings(self.conn)
    }

    fn set_delivery_settings(&mut self, s: &DeliverySettings) -> Result<()> {
        set_delivery_settings(self.conn, s)
    }

    fn get_alert_settings(&mut self) -> Result<AlertSettings> {
        get_alert_settings(self.conn)
    }

    fn set_alert_settings(&mut self, s: &AlertSettings) -> Result<()> {
        set_alert_settings(self.conn, s)
    }

    fn get_feedback_settings(&mut self) -> Result<FeedbackSettings> {
        get_feedback_settings(self.conn)
    }

    fn set_feedback_settings(&mut self, s: &FeedbackSettings) -> Result<()> {
        set_feedback_settings(self.conn, s)
    }

    fn get_contact_policy(&mut self) -> Result<ContactPolicy> {
        get_contact_policy(self.conn)
    }

    fn set_contact_policy(&mut self, s: &ContactPolicy) -> Result<()> {
        set_contact_policy(self.conn, s)
    }
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
        covers::<Settings>(STORE_KEYS);
        covers::<DeliverySettings>(DELIVERY_KEYS);
        covers::<AlertSettings>(ALERT_KEYS);
        covers::<FeedbackSettings>(FEEDBACK_KEYS);
        covers::<ContactPolicy>(POLICY_KEYS);
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
