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
/// binds one row's placeholders in order.
pub(super) fn insert_rows<T>(
    conn: &Connection,
    head: &str,
    row: &str,
    tail: &str,
    rows: &[T],
    mut bind: impl FnMut(&mut Binder<'_, '_>, &T) -> Result<()>,
) -> Result<()> {
    if rows.is_empty() {
        return Ok(());
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
    for r in rows {
        {
            let mut binder = Binder {
                stmt: &mut stmt,
                next: 0,
            };
            bind(&mut binder, r)?;
        }
        stmt.raw_execute()?;
    }
    Ok(())
}

/// The row ids `n` rows appended to `table` receive: the ones SQLite itself would give
/// them (the largest row id so far, plus one, and so on), or `None` if they would not fit.
/// Writing them explicitly gives the caller every row's id without asking SQLite per row.
pub(super) fn next_rowids(conn: &Connection, table: &str, n: usize) -> Result<Option<i64>> {
    let max: i64 = conn
        .prepare_cached(&format!("SELECT coalesce(max(rowid), 0) FROM {table}"))?
        .query_row([], |r| r.get(0))?;
    let Ok(n) = i64::try_from(n) else {
        return Ok(None);
    };
    Ok(max.checked_add(n).map(|_| max + 1))
}
