//! The settings groups on SQLite: one row of `setting_values` (group, key, value) per
//! setting; the stored form (keys, values) is `store/settings.rs`'s, shared with every store.

use rusqlite::types::Value as Sql;
use rusqlite::{Connection, params};

use crate::error::Result;
use crate::model::{AlertSettings, ContactPolicy, DeliverySettings, FeedbackSettings, Settings};
use crate::store::settings::{StoredGroup, Value};

fn read_group<G: StoredGroup>(conn: &Connection) -> Result<G> {
    let mut stmt = conn.prepare_cached("SELECT key, value FROM setting_values WHERE grp = ?1")?;
    let rows = stmt.query_map([G::GROUP], |r| {
        let value = match r.get::<_, Sql>(1)? {
            Sql::Integer(i) => Value::Integer(i),
            Sql::Text(t) => Value::Text(t),
            _ => Value::Null,
        };
        Ok((r.get(0)?, value))
    })?;
    Ok(G::from_rows(rows.collect::<rusqlite::Result<_>>()?))
}

fn write_group<G: StoredGroup>(conn: &Connection, group: &G) -> Result<()> {
    let mut stmt = conn.prepare_cached(
        "INSERT INTO setting_values (grp, key, value) VALUES (?1, ?2, ?3)
         ON CONFLICT (grp, key) DO UPDATE SET value = excluded.value",
    )?;
    for (key, value) in group.to_rows() {
        let value = match value {
            Value::Integer(i) => Sql::Integer(i),
            Value::Text(t) => Sql::Text(t),
            Value::Null => Sql::Null,
        };
        stmt.execute(params![G::GROUP, key, value])?;
    }
    Ok(())
}

impl crate::store::SettingsStore for super::SqliteTx<'_> {
    fn get_settings(&mut self) -> Result<Settings> {
        read_group(self.conn)
    }

    fn set_settings(&mut self, s: &Settings) -> Result<()> {
        write_group(self.conn, s)
    }

    fn get_delivery_settings(&mut self) -> Result<DeliverySettings> {
        read_group(self.conn)
    }

    fn set_delivery_settings(&mut self, s: &DeliverySettings) -> Result<()> {
        write_group(self.conn, s)
    }

    fn get_alert_settings(&mut self) -> Result<AlertSettings> {
        read_group(self.conn)
    }

    fn set_alert_settings(&mut self, s: &AlertSettings) -> Result<()> {
        write_group(self.conn, s)
    }

    fn get_feedback_settings(&mut self) -> Result<FeedbackSettings> {
        read_group(self.conn)
    }

    fn set_feedback_settings(&mut self, s: &FeedbackSettings) -> Result<()> {
        write_group(self.conn, s)
    }

    fn get_contact_policy(&mut self) -> Result<ContactPolicy> {
        read_group(self.conn)
    }

    fn set_contact_policy(&mut self, s: &ContactPolicy) -> Result<()> {
        write_group(self.conn, s)
    }
}
