//! The rows a sync writes many of (issue 26), 64 to a statement: SQLite then opens the
//! table's and indexes' cursors and runs a statement's prologue and halt once per 64 rows
//! instead of once per row.
//!
//! A statement that writes several rows and may fail part-way makes SQLite copy every page
//! it touches into a statement journal first, so that it can undo that statement alone.
//! SQLite assumes a statement may fail part-way when a constraint aborts it (the default
//! conflict resolution), when it binds a row id, or when it calls a function (an index on
//! `json_extract`, say). Where a statement's rows land at scattered places (a night's
//! customers among a million, the invitations by person) that copying cost more than the
//! statements saved (18 % of the big sync's instructions in session 10); where they
//! append (the outbox by its time-ordered message id, the decisions by the new sales' row
//! ids) it copies a page or two per statement and the chunks win (a python/sqlite3 timing
//! of 50,000 outbox rows: 0.20 s one by one, 0.11 s 64 to a statement).
//!
//! So: [`insert_chunks`] uses `INSERT OR ROLLBACK`, which makes any constraint failure end
//! the whole transaction and needs no statement journal when the inserts call no function
//! and take SQLite's own row ids (customers, transactions and their employees,
//! invitations); the sync never goes on after a failed statement anyway (any error rolls
//! the batch back, and a backfill's group is then applied again line by line). The outbox
//! (whose `json_extract` indexes call a function) goes through it too and keeps a small
//! journal; [`write_chunks`] with [`OnConflict::Replace`] writes the decisions (bound row
//! ids: the sale's), with [`OnConflict::Ignore`] P7's decisions (`OR IGNORE` never ends a
//! statement part-way).
//!
//! Row ids are SQLite's own, never explicit, where the table's key is a plain row id:
//! SQLite checks an explicit id against the table (one more search of its b-tree per row),
//! while an id it picks itself (the largest so far plus one) is appended with no search.

use rusqlite::{Connection, Statement, ToSql};

use crate::error::Result;

/// Binds one row's values, in the order of the row's `?` placeholders.
pub(super) struct Binder<'s, 'c> {
    stmt: &'s mut Statement<'c>,
    next: usize,
}

impl Binder<'_, '_> {
    /// Binds the next placeholder.
    pub(super) fn push<V: ToSql>(&mut self, value: V) -> Result<()> {
        self.next += 1;
        self.stmt.raw_bind_parameter(self.next, value)?;
        Ok(())
    }
}

/// Inserts `rows` one at a time through one prepared statement (`head` is `INSERT INTO t
/// (a, b, …) VALUES`, `row` one row's placeholders); each row's row id, in order. For a
/// table whose row ids are about to reach i64::MAX (see [`insert_chunks`]).
fn insert_one_by_one<T>(
    conn: &Connection,
    head: &str,
    row: &str,
    rows: &[T],
    mut bind: impl FnMut(&mut Binder<'_, '_>, &T) -> Result<()>,
) -> Result<Vec<i64>> {
    let mut stmt = conn.prepare_cached(&format!("{head} {row}"))?;
    let mut ids = Vec::with_capacity(rows.len());
    for r in rows {
        {
            let mut binder = Binder {
                stmt: &mut stmt,
                next: 0,
            };
            bind(&mut binder, r)?;
        }
        stmt.raw_execute()?;
        ids.push(conn.last_insert_rowid());
    }
    Ok(ids)
}

/// Rows per statement of [`insert_chunks`] for the full chunks.
const CHUNK: usize = 64;
/// Rows per statement for the remainder, before single rows. Three statement texts per
/// table (64, 8 and 1 rows), so every one stays in the connection's statement cache
/// whatever the night's size.
const SMALL: usize = 8;

/// Inserts `rows` into `table` with [`write_chunks`] and `INSERT OR ROLLBACK`: a constraint
/// failure rolls the caller's whole transaction back. Without a statement journal where the
/// table's inserts call no SQL function; with a small one where they append (see the
/// module's documentation). Returns each row's row id, in order, for a rowid table
/// (`rowids`); for a `WITHOUT ROWID` table or a table whose ids are not needed, nothing.
pub(super) fn insert_chunks<T>(
    conn: &Connection,
    table: &str,
    columns: &str,
    row: &str,
    rows: &[T],
    rowids: bool,
    bind: impl FnMut(&mut Binder<'_, '_>, &T) -> Result<()>,
) -> Result<Vec<i64>> {
    if rows.is_empty() {
        return Ok(Vec::new());
    }
    // SQLite gives each new row the largest row id so far plus one, so the rows get the
    // ids after the largest, in order; only a table whose ids reach i64::MAX would get
    // random ones, and then the rows go one at a time.
    let first = if rowids {
        let max: i64 = conn
            .prepare_cached(&format!("SELECT coalesce(max(rowid), 0) FROM {table}"))?
            .query_row([], |r| r.get(0))?;
        match i64::try_from(rows.len())
            .ok()
            .and_then(|n| max.checked_add(n))
        {
            Some(_) => Some(max + 1),
            None => {
                return insert_one_by_one(
                    conn,
                    &format!("INSERT INTO {table} {columns} VALUES"),
                    row,
                    rows,
                    bind,
                );
            }
        }
    } else {
        None
    };
    write_chunks(conn, OnConflict::Rollback, table, columns, row, rows, bind)?;
    Ok(first.map_or_else(Vec::new, |first| (first..).take(rows.len()).collect()))
}

/// What a chunk does with a row that breaks a constraint (`INSERT OR …`).
#[derive(Debug, Clone, Copy)]
pub(super) enum OnConflict {
    /// The whole transaction ends: no statement journal (see the module's documentation).
    Rollback,
    /// The row is left out and the others are written: no statement journal either.
    Ignore,
    /// The row replaces the stored one with its key.
    Replace,
}

impl OnConflict {
    fn sql(self) -> &'static str {
        match self {
            OnConflict::Rollback => "OR ROLLBACK",
            OnConflict::Ignore => "OR IGNORE",
            OnConflict::Replace => "OR REPLACE",
        }
    }
}

/// Runs `INSERT OR … INTO table columns VALUES row, …` over `rows`, [`CHUNK`], then
/// [`SMALL`], then 1 row to a statement (`columns` the parenthesised column list, `row`
/// one row's values with `?` placeholders, `bind` binding one row's placeholders in
/// order); each statement text is prepared (and hashed by the statement cache) once per
/// call, not once per chunk. Returns the rows written.
pub(super) fn write_chunks<T>(
    conn: &Connection,
    on_conflict: OnConflict,
    table: &str,
    columns: &str,
    row: &str,
    rows: &[T],
    mut bind: impl FnMut(&mut Binder<'_, '_>, &T) -> Result<()>,
) -> Result<u64> {
    let mut written = 0;
    let mut rest = rows;
    for n in [CHUNK, SMALL, 1] {
        if rest.len() < n {
            continue;
        }
        let mut sql = format!(
            "INSERT {} INTO {table} {columns} VALUES ",
            on_conflict.sql()
        );
        for i in 0..n {
            if i > 0 {
                sql.push_str(", ");
            }
            sql.push_str(row);
        }
        let mut stmt = conn.prepare_cached(&sql)?;
        while rest.len() >= n {
            let (chunk, after) = rest.split_at(n);
            {
                let mut binder = Binder {
                    stmt: &mut stmt,
                    next: 0,
                };
                for r in chunk {
                    bind(&mut binder, r)?;
                }
            }
            written += stmt.raw_execute()? as u64;
            rest = after;
        }
    }
    Ok(written)
}
