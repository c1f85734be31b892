//! The database file itself: whose it is (T7), its journal mode (T5), whether it is still
//! the file we opened (T8), checkpoints that fold the WAL back (T1, T2), online backups
//! and SQLite's integrity check.

use std::path::Path;

use rusqlite::{Connection, OpenFlags};

use super::schema::{APPLICATION_ID, MIGRATIONS, SCHEMA_VERSION};
use crate::error::{Error, Result};

/// Refuses a file that is not hearken's before anything writes to it (T7).
///
/// A non-zero foreign `application_id` is refused. Id 0 is what SQLite gives every new file
/// and what stores made before the stamp carry: such a file is accepted when it is empty or
/// holds every table of hearken's schema at its `user_version`.
pub fn refuse_foreign(conn: &Connection) -> Result<()> {
    let id: i32 = conn
        .pragma_query_value(None, "application_id", |r| r.get(0))
        .map_err(not_a_database)?;
    if id == APPLICATION_ID {
        return Ok(());
    }
    if id != 0 {
        return Err(Error::NotHearken(
            "its application_id belongs to another program",
        ));
    }
    let tables = table_names(conn)?;
    if tables.is_empty() {
        return Ok(());
    }
    let version: i64 = conn.pragma_query_value(None, "user_version", |r| r.get(0))?;
    if version < 1 {
        return Err(Error::NotHearken("it holds tables but no hearken schema"));
    }
    if version > SCHEMA_VERSION {
        // A newer hearken may stamp differently; the schema check refuses it by version.
        return Ok(());
    }
    let expected = expected_tables(version)?;
    if expected.iter().all(|t| tables.contains(t)) {
        Ok(())
    } else {
        Err(Error::NotHearken("its tables are not hearken's schema"))
    }
}

/// SQLite's "file is not a database" at the first read, as a typed refusal.
fn not_a_database(e: rusqlite::Error) -> Error {
    if e.sqlite_error_code() == Some(rusqlite::ErrorCode::NotADatabase) {
        Error::NotHearken("it is not an SQLite database")
    } else {
        Error::from(e)
    }
}

/// Names of the file's own tables (not SQLite's internal ones), sorted.
fn table_names(conn: &Connection) -> Result<Vec<String>> {
    let mut stmt = conn.prepare(
        "SELECT name FROM sqlite_schema WHERE type = 'table' AND name NOT LIKE 'sqlite_%'
         ORDER BY name",
    )?;
    let names = stmt
        .query_map([], |r| r.get::<_, String>(0))?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    Ok(names)
}

/// The tables hearken's schema has at `version`, built in memory from the migrations.
fn expected_tables(version: i64) -> Result<Vec<String>> {
    let conn = Connection::open_in_memory()?;
    let steps = usize::try_from(version).unwrap_or(0).min(MIGRATIONS.len());
    for step in &MIGRATIONS[..steps] {
        conn.execute_batch(step)?;
    }
    table_names(&conn)
}

/// Whether the file holds no page yet: a new store, whose journal mode is still to choose.
pub fn is_new(conn: &Connection) -> Result<bool> {
    let pages: i64 = conn.pragma_query_value(None, "page_count", |r| r.get(0))?;
    Ok(pages == 0)
}

/// The journal mode the file is in: `true` for WAL.
pub fn is_wal(conn: &Connection) -> Result<bool> {
    let mode: String = conn.pragma_query_value(None, "journal_mode", |r| r.get(0))?;
    Ok(mode.eq_ignore_ascii_case("wal"))
}

/// Puts the file in WAL (`true`) or rollback (`false`) mode; fails with a conflict when
/// other connections keep it from changing.
pub fn set_journal(conn: &Connection, wal: bool) -> Result<()> {
    let wanted = if wal { "wal" } else { "delete" };
    let got: String = match conn.pragma_update_and_check(None, "journal_mode", wanted, |r| r.get(0))
    {
        Ok(mode) => mode,
        Err(e) if e.sqlite_error_code() == Some(rusqlite::ErrorCode::DatabaseBusy) => {
            return Err(busy_conflict());
        }
        Err(e) => return Err(e.into()),
    };
    if got.eq_ignore_ascii_case(wanted) || got == "memory" {
        Ok(())
    } else {
        Err(busy_conflict())
    }
}

fn busy_conflict() -> Error {
    Error::Conflict(
        "another connection has the store open; close every other handle and retry".into(),
    )
}

/// Folds the whole WAL back into the database file and truncates it to zero bytes.
///
/// Returns `false` when another connection's open snapshot kept part of the WAL (the
/// checkpoint is then retried by the next call and at close). Rollback files: `true`.
pub fn checkpoint_truncate(conn: &Connection) -> Result<bool> {
    if !is_wal(conn)? {
        return Ok(true);
    }
    let (busy, log, done): (i64, i64, i64) =
        conn.query_row("PRAGMA wal_checkpoint(TRUNCATE)", [], |r| {
            Ok((r.get(0)?, r.get(1)?, r.get(2)?))
        })?;
    Ok(busy == 0 && log <= 0 && done <= 0)
}

/// Copies the live database into a new file at `dest` with SQLite's online backup, as one
/// consistent snapshot; the copy is a standalone rollback-journal file.
pub fn backup_into(conn: &Connection, dest: &Path) -> Result<()> {
    let mut target = Connection::open_with_flags(
        dest,
        OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_NO_MUTEX,
    )?;
    {
        let backup = rusqlite::backup::Backup::new(conn, &mut target)?;
        // One step copies every page under one read lock: a consistent snapshot.
        backup.step(-1)?;
    }
    // The copy keeps the source's WAL flag in its header; a backup is one file.
    set_journal(&target, false)?;
    // A restored copy is another life of the store: its event cursors are not the live
    // store's (D1). A store older than the feed gets its incarnation when migrated.
    if super::schema_version(&target)? >= super::schema::EVENTS_VERSION {
        super::events::set_incarnation(&target, &crate::store::new_incarnation()?)?;
    }
    target.close().map_err(|(_, e)| Error::from(e))?;
    Ok(())
}

/// SQLite's integrity and foreign-key checks, and `person_latest` against the invitations
/// it summarises (schema 21): an empty list when the file is sound.
///
/// The messages name pages, tables and indexes, never row values.
pub fn integrity_problems(conn: &Connection) -> Result<Vec<String>> {
    let mut problems = Vec::new();
    let mut stmt = conn.prepare("PRAGMA integrity_check(100)")?;
    let mut rows = stmt.query([])?;
    while let Some(row) = rows.next()? {
        let line: String = row.get(0)?;
        if line != "ok" {
            problems.push(line);
        }
    }
    let mut stmt = conn.prepare("PRAGMA foreign_key_check")?;
    let mut rows = stmt.query([])?;
    while let Some(row) = rows.next()? {
        let table: String = row.get(0)?;
        let parent: String = row.get(2)?;
        problems.push(format!(
            "a row of {table} refers to a missing row of {parent}"
        ));
        if problems.len() >= 200 {
            break;
        }
    }
    // The engine checks only stores it has migrated (or a reader of one): the table is there.
    let n = super::person_latest::drift(conn)?;
    if n > 0 {
        problems.push(format!(
            "{n} rows of person_latest disagree with the invitations they summarise"
        ));
    }
    Ok(problems)
}
