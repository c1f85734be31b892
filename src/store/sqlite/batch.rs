//! The rows a sync writes many of (issue 26), written with one prepared single-row
//! `INSERT` per table, executed once per row.
//!
//! Not multi-row statements: a statement that writes several rows and may fail part-way
//! (a constraint, a function in an index's expression, an explicit row id) makes SQLite
//! copy every page it touches into a statement journal first, so that it can undo that
//! statement alone. On the big sync that copying was 18 % of all instructions
//! (`subjournalPageIfRequired`, `memjrnlWrite`), more than the prologue the multi-row
//! statements saved. A single-row `INSERT` needs no statement journal, and the sync never
//! continues a transaction after a failed statement: any error rolls the whole batch back.
//!
//! Nor explicit row ids: SQLite checks an explicit id against the table (one more search of
//! its b-tree per row), while an id it picks itself is appended with no search; each row's
//! id is read back with `last_insert_rowid`, which costs nothing.

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

/// Inserts `rows` one at a time through one prepared statement: `head` is `INSERT INTO t
/// (a, b, …) VALUES`, `row` one row's values with `?` placeholders (e.g. `(?, ?,
/// 'pending')`), `tail` what follows the row (an `ON CONFLICT` clause, or nothing). `bind`
/// binds one row's placeholders in order. Returns each row's row id, in order (of a
/// rowid table; for a `WITHOUT ROWID` table the values mean nothing).
pub(super) fn insert_rows<T>(
    conn: &Connection,
    head: &str,
    row: &str,
    tail: &str,
    rows: &[T],
    mut bind: impl FnMut(&mut Binder<'_, '_>, &T) -> Result<()>,
) -> Result<Vec<i64>> {
    if rows.is_empty() {
        return Ok(Vec::new());
    }
    let mut sql = String::with_capacity(head.len() + row.len() + tail.len() + 2);
    sql.push_str(head);
    sql.push(' ');
    sql.push_str(row);
    if !tail.is_empty() {
        sql.push(' ');
        sql.push_str(tail);
    }
    let mut stmt = conn.prepare_cached(&sql)?;
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
