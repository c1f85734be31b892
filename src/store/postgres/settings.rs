//! The settings groups on PostgreSQL: one row of `setting_values` per setting, under the
//! shared stored form of `store/settings.rs` (group names, keys, values); SQLite's `value`
//! is `int_value` or `text_value` here. Writing a group upserts its keys in one statement.

use super::{PgTx, get};
use crate::error::Result;
use crate::hosted::p;
use crate::model::{AlertSettings, ContactPolicy, DeliverySettings, FeedbackSettings, Settings};
use crate::store::settings::{StoredGroup, Value};

fn read_group<G: StoredGroup>(t: &mut PgTx<'_>) -> Result<G> {
    // Every group of the store at once, kept for the transaction (see PgTx::settings).
    if t.settings.is_none() {
        let rows = t.query(
            "SELECT grp, key, int_value, text_value FROM setting_values WHERE store_id = $1",
            vec![],
        )?;
        let rows = (rows.iter())
            .map(|r| {
                let group: String = get(r, 0)?;
                let key: String = get(r, 1)?;
                let int: Option<i64> = get(r, 2)?;
                let text: Option<String> = get(r, 3)?;
                let value = match (int, text) {
                    (Some(i), _) => Value::Integer(i),
                    (None, Some(s)) => Value::Text(s),
                    (None, None) => Value::Null,
                };
                Ok((group, key, value))
            })
            .collect::<Result<Vec<_>>>()?;
        t.settings = Some(rows);
    }
    let rows = (t.settings.iter().flatten())
        .filter(|(group, _, _)| group == G::GROUP)
        .map(|(_, key, value)| (key.clone(), value.clone()))
        .collect();
    Ok(G::from_rows(rows))
}

fn write_group<G: StoredGroup>(t: &mut PgTx<'_>, group: &G) -> Result<()> {
    let values = group.to_rows();
    let mut keys = Vec::with_capacity(values.len());
    let mut ints = Vec::with_capacity(values.len());
    let mut texts = Vec::with_capacity(values.len());
    for (key, value) in values {
        keys.push(key.to_owned());
        let (i, s) = match value {
            Value::Integer(i) => (Some(i), None),
            Value::Text(s) => (None, Some(s)),
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
        vec![p(G::GROUP.to_owned()), p(keys), p(ints), p(texts)],
    )?;
    Ok(())
}

impl crate::store::SettingsStore for PgTx<'_> {
    fn get_settings(&mut self) -> Result<Settings> {
        read_group(self)
    }

    fn set_settings(&mut self, s: &Settings) -> Result<()> {
        write_group(self, s)
    }

    fn get_delivery_settings(&mut self) -> Result<DeliverySettings> {
        read_group(self)
    }

    fn set_delivery_settings(&mut self, s: &DeliverySettings) -> Result<()> {
        write_group(self, s)
    }

    fn get_alert_settings(&mut self) -> Result<AlertSettings> {
        read_group(self)
    }

    fn set_alert_settings(&mut self, s: &AlertSettings) -> Result<()> {
        write_group(self, s)
    }

    fn get_feedback_settings(&mut self) -> Result<FeedbackSettings> {
        read_group(self)
    }

    fn set_feedback_settings(&mut self, s: &FeedbackSettings) -> Result<()> {
        write_group(self, s)
    }

    fn get_contact_policy(&mut self) -> Result<ContactPolicy> {
        read_group(self)
    }

    fn set_contact_policy(&mut self, s: &ContactPolicy) -> Result<()> {
        write_group(self, s)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Channel, ReviewMode};
    use crate::store::SettingsStore;
    use crate::store::postgres::values::testkit::{on_pg, on_sqlite};

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
