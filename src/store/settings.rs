use rusqlite::{Connection, OptionalExtension};

use crate::error::{Error, Result};
use crate::model::Settings;

/// The stored settings, or the defaults if none were set.
pub fn get_settings(conn: &Connection) -> Result<Settings> {
    let json: Option<String> = conn
        .prepare_cached("SELECT json FROM settings WHERE id = 1")?
        .query_row([], |r| r.get(0))
        .optional()?;
    match json {
        None => Ok(Settings::default()),
        Some(j) => serde_json::from_str(&j)
            .map_err(|_| Error::Internal("stored settings are unreadable".into())),
    }
}

/// Replaces the stored settings.
pub fn set_settings(conn: &Connection, settings: &Settings) -> Result<()> {
    let json = crate::wire::to_json(settings);
    conn.prepare_cached(
        "INSERT INTO settings (id, json) VALUES (1, ?1)
         ON CONFLICT (id) DO UPDATE SET json = excluded.json",
    )?
    .execute([json])?;
    Ok(())
}
