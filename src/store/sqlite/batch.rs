//! Multi-row `INSERT` statements for the rows a sync writes many of (issue 26): one
//! statement carries up to [`CHUNK`] rows, so SQLite opens the table's and indexes' cursors
//! and runs the statement's prologue once per chunk instead of once per row.

use rusqlite::{Connection, Statement, ToSql};

use crate::error::Result;

/// Rows per statement for the full chunks.
const CHUNK: usize = 64;
/// Rows per statement for the remainder, before single rows. Three statement texts per
/// table (64, 8 and 1 rows), so every one stays in the connection's statement cache
/// whatever the night's size.
const SMALL: usize = 8;

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

/// Inserts `rows` in chunks: `head` is `INSERT INTO t (a, b, …) VALUES`, `row` one row's
/// values with `?` placeholders (e.g. `(?, ?, 'pending')`), `tail` what follows the rows
/// (an `ON CONFLICT` clause, or nothing). `bind` binds one row's placeholders in order.
pub(super) fn insert_rows<T>(
    conn: &Connection,
    head: &str,
    row: &str,
    tail: &str,
    rows: &[T],
    mut bind: impl FnMut(&mut Binder<'_, '_>, &T) -> Result<()>,
) -> Result<()> {
    let mut rest = rows;
    while !rest.is_empty() {
        let n = if rest.len() >= CHUNK {
            CHUNK
        } else if rest.len() >= SMALL {
            SMALL
        } else {
            1
        };
        let (chunk, after) = rest.split_at(n);
        let mut sql = String::with_capacity(head.len() + tail.len() + n * (row.len() + 2) + 2);
        sql.push_str(head);
        sql.push(' ');
        for i in 0..n {
            if i > 0 {
                sql.push_str(", ");
            }
            sql.push_str(row);
        }
        if !tail.is_empty() {
            sql.push(' ');
            sql.push_str(tail);
        }
        let mut stmt = conn.prepare_cached(&sql)?;
        {
            let mut binder = Binder {
                stmt: &mut stmt,
                next: 0,
            };
            for r in chunk {
                bind(&mut binder, r)?;
            }
        }
        stmt.raw_execute()?;
        rest = after;
    }
    Ok(())
}

/// The row ids `n` rows appended to `table` receive: the ones SQLite itself would give
/// them (the largest row id so far, plus one, and so on), or `None` if they would not fit.
/// Writing them explicitly lets one multi-row statement return every row's id.
pub(super) fn next_rowids(conn: &Connection, table: &str, n: usize) -> Result<Option<i64>> {
    let max: i64 = conn
        .prepare_cached(&format!("SELECT coalesce(max(rowid), 0) FROM {table}"))?
        .query_row([], |r| r.get(0))?;
    let Ok(n) = i64::try_from(n) else {
        return Ok(None);
    };
    Ok(max.checked_add(n).map(|_| max + 1))
}
