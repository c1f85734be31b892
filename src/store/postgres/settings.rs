//! The stored form of the settings groups on PostgreSQL (mirrors
//! `store/sqlite/settings.rs`): one row of `setting_values` per setting, under the same
//! group names and keys; SQLite's `value ANY` is `int_value` or `text_value`. Read
//! tolerantly (a missing or unreadable value keeps its default, an unknown key is kept);
//! writing a group upserts the keys this version knows, in one statement.

use super::{PgTx, get};
use crate::error::Result;
use crate::hosted::p;
use crate::model::{
    AlertSettings, Channel, ContactPolicy, DeliverySettings, FeedbackSettings, ReviewMode, Settings,
};

/// A stored value: SQLite's integer or text (copied from the SQLite store's helpers).
#[derive(Debug, Clone, PartialEq)]
enum Value {
    Null,
    Integer(i64),
    Text(String),
}

/// A setting's value as stored.
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

fn read_group(t: &mut PgTx<'_>, group: &str) -> Result<Vec<(String, Value)>> {
    t.query(
        "SELECT key, int_value, text_value FROM setting_values WHERE store_id = $1 AND grp = $2",
        vec![p(group.to_owned())],
    )?
    .iter()
    .map(|r| {
        let key: String = get(r, 0)?;
        let int: Option<i64> = get(r, 1)?;
        let text: Option<String> = get(r, 2)?;
        let value = match (int, text) {
            (Some(i), _) => Value::Integer(i),
            (None, Some(s)) => Value::Text(s),
            (None, None) => Value::Null,
        };
        Ok((key, value))
    })
    .collect()
}

fn write_group(t: &mut PgTx<'_>, group: &str, values: &[(&str, Value)]) -> Result<()> {
    let mut keys = Vec::with_capacity(values.len());
    let mut ints = Vec::with_capacity(values.len());
    let mut texts = Vec::with_capacity(values.len());
    for (key, value) in values {
        keys.push((*key).to_owned());
        let (i, s) = match value {
            Value::Integer(i) => (Some(*i), None),
            Value::Text(s) => (None, Some(s.clone())),
            Value::Null => (None, None),
        };
        ints.push(i);
        texts.push(s);
    }
    t.execute(
        "INSERT INTO setting_values (store_id, grp, key, int_value, text_value)
         SELECT $1, $2, k, i, s FROM unnest($3::text[], $4::bigint[], $5::text[]) AS v (k, i, s)
         ON CONFLICT (store_id, grp, key) DO UPDATE SET int_value = excluded.int_value,
           text_value = excluded.text_value",
        vec![p(group.to_owned()), p(keys), p(ints), p(texts)],
    )?;
    Ok(())
}

/// Declares the stored form of one settings group (as the SQLite store does).
macro_rules! stored_group {
    ($ty:ty, $group:literal, $get:ident, $set:ident, $keys:ident,
     { $($key:literal => $field:ident),* $(,)? }) => {
        /// The stored keys of the group, in declaration order.
        #[cfg(test)]
        const $keys: &[&str] = &[$($key),*];

        fn $get(t: &mut PgTx<'_>) -> Result<$ty> {
            let mut out = <$ty>::default();
            for (key, value) in read_group(t, $group)? {
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

        fn $set(t: &mut PgTx<'_>, s: &$ty) -> Result<()> {
            write_group(t, $group, &[$(($key, StoredValue::to_stored(&s.$field))),*])
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

impl crate::store::SettingsStore for PgTx<'_> {
    fn get_settings(&mut self) -> Result<Settings> {
        get_settings(self)
    }

    fn set_settings(&mut self, s: &Settings) -> Result<()> {
        set_settings(self, s)
    }

    fn get_delivery_settings(&mut self) -> Result<DeliverySettings> {
        get_delivery_settings(self)
    }

    fn set_delivery_settings(&mut self, s: &DeliverySettings) -> Result<()> {
        set_delivery_settings(self, s)
    }

    fn get_alert_settings(&mut self) -> Result<AlertSettings> {
        get_alert_settings(self)
    }

    fn set_alert_settings(&mut self, s: &AlertSettings) -> Result<()> {
        set_alert_settings(self, s)
    }

    fn get_feedback_settings(&mut self) -> Result<FeedbackSettings> {
        get_feedback_settings(self)
    }

    fn set_feedback_settings(&mut self, s: &FeedbackSettings) -> Result<()> {
        set_feedback_settings(self, s)
    }

    fn get_contact_policy(&mut self) -> Result<ContactPolicy> {
        get_contact_policy(self)
    }

    fn set_contact_policy(&mut self, s: &ContactPolicy) -> Result<()> {
        set_contact_policy(self, s)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::SettingsStore;
    use crate::store::postgres::values::testkit::{on_pg, on_sqlite};

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

    fn scenario<T: SettingsStore + ?Sized>(t: &mut T) -> Result<Vec<String>> {
        // A new SQLite file seeds a random pepper and salt (its schema, not this trait).
        let mut d = t.get_delivery_settings()?;
        d.suppression_pepper = "pepper".into();
        t.set_delivery_settings(&d)?;
        let mut c = t.get_contact_policy()?;
        c.sample_salt = "first salt".into();
        t.set_contact_policy(&c)?;
        let mut out = vec![
            format!("{:?}", t.get_settings()?),
            format!("{:?}", t.get_delivery_settings()?),
            format!("{:?}", t.get_alert_settings()?),
            format!("{:?}", t.get_feedback_settings()?),
            format!("{:?}", t.get_contact_policy()?),
        ];
        let mut s = t.get_settings()?;
        s.cooldown_months = 7;
        s.channel = Channel::Sms;
        s.default_language = "fr".into();
        t.set_settings(&s)?;
        let mut d = t.get_delivery_settings()?;
        d.link_base_url = "https://x.example/s".into();
        d.max_attempts = 9;
        t.set_delivery_settings(&d)?;
        let mut a = t.get_alert_settings()?;
        a.escalate_after_hours = 3;
        t.set_alert_settings(&a)?;
        let mut f = t.get_feedback_settings()?;
        f.review_mode = ReviewMode::Everyone;
        t.set_feedback_settings(&f)?;
        let mut c = t.get_contact_policy()?;
        c.one_person_per_contact = !c.one_person_per_contact;
        c.sample_salt = "salt".into();
        t.set_contact_policy(&c)?;
        s.cooldown_months = 8; // written twice: the upsert replaces
        t.set_settings(&s)?;
        out.push(format!("{:?}", t.get_settings()?));
        out.push(format!("{:?}", t.get_delivery_settings()?));
        out.push(format!("{:?}", t.get_alert_settings()?));
        out.push(format!("{:?}", t.get_feedback_settings()?));
        out.push(format!("{:?}", t.get_contact_policy()?));
        Ok(out)
    }

    #[test]
    fn settings_answer_as_on_sqlite() {
        let Some(pg) = on_pg("pg-settings", |t| scenario(t)) else {
            return;
        };
        let lite = on_sqlite(|t| scenario(t));
        assert_eq!(pg, lite);
    }

    /// Tolerant reads: an unknown key is kept, an unreadable value keeps its default.
    #[test]
    fn unknown_and_unreadable_values_are_tolerated() {
        let Some((s, kept)) = on_pg("pg-settings-tolerant", |t| {
            t.execute(
                "INSERT INTO setting_values (store_id, grp, key, int_value, text_value)
                 VALUES ($1, 'store', 'from_the_future', 1, NULL),
                        ($1, 'store', 'cooldown_months', NULL, 'seven'),
                        ($1, 'store', 'channel', NULL, 'pigeon')",
                vec![],
            )?;
            let s = t.get_settings()?;
            t.set_settings(&s)?;
            let kept = t.query_one(
                "SELECT count(*) FROM setting_values WHERE store_id = $1 AND key = 'from_the_future'",
                vec![],
            )?;
            Ok((s, get::<i64>(&kept, 0)?))
        }) else {
            return;
        };
        assert_eq!(format!("{s:?}"), format!("{:?}", Settings::default()));
        assert_eq!(kept, 1);
    }
}
