//! The file's side of the hosted admin's table-by-table copy (`hosted::admin`: import
//! into and export from PostgreSQL): the tables and columns of the file, its rows as
//! [`Cell`]s in one snapshot, and rows written in one transaction checked as a whole.

use std::collections::BTreeSet;

use rusqlite::types::{Value, ValueRef};
use rusqlite::{Connection, TransactionBehavior};

use super::Store;
use crate::error::{Error, Result};

/// One stored value, as SQLite types it.
#[derive(Debug, Clone, PartialEq)]
pub enum Cell {
    /// NULL.
    Null,
    /// An integer.
    Integer(i64),
    /// A real.
    Real(f64),
    /// A text (UTF-8).
    Text(String),
    /// A blob.
    Blob(Vec<u8>),
}

fn quote(name: &str) -> String {
    format!("\"{}\"", name.replace('"', "\"\""))
}

/// The file inside one transaction of a copy.
pub struct FileCopy<'c> {
    conn: &'c Connection,
}

impl FileCopy<'_> {
    /// The file's own tables (not SQLite's).
    pub fn tables(&self) -> Result<BTreeSet<String>> {
        let names = self
            .conn
            .prepare(
                "SELECT name FROM sqlite_schema
                 WHERE type = 'table' AND name NOT LIKE 'sqlite\\_%' ESCAPE '\\'",
            )?
            .query_map([], |r| r.get(0))?
            .collect::<rusqlite::Result<_>>()?;
        Ok(names)
    }

    /// The columns of `table`, in declared order.
    pub fn columns(&self, table: &str) -> Result<Vec<String>> {
        let names = self
            .conn
            .prepare("SELECT name FROM pragma_table_info(?1) ORDER BY cid")?
            .query_map([table], |r| r.get(0))?
            .collect::<rusqlite::Result<_>>()?;
        Ok(names)
    }

    /// Calls `each` with every row of `table` (its `columns`, in that order); the number of
    /// rows. A text that is not UTF-8 is an error naming the table.
    pub fn rows(
        &self,
        table: &str,
        columns: &[String],
        mut each: impl FnMut(&[Cell]) -> Result<()>,
    ) -> Result<u64> {
        let names: Vec<String> = columns.iter().map(|c| quote(c)).collect();
        let mut stmt = self.conn.prepare(&format!(
            "SELECT {} FROM {}",
            names.join(", "),
            quote(table)
        ))?;
        let mut rows = stmt.query([])?;
        let mut cells = Vec::with_capacity(columns.len());
        let mut n = 0;
        while let Some(r) = rows.next()? {
            cells.clear();
            for i in 0..columns.len() {
                cells.push(match r.get_ref(i)? {
                    ValueRef::Null => Cell::Null,
                    ValueRef::Integer(v) => Cell::Integer(v),
                    ValueRef::Real(v) => Cell::Real(v),
                    ValueRef::Text(t) => {
                        Cell::Text(String::from_utf8(t.to_vec()).map_err(|_| {
                            Error::Internal(format!("a text of the table {table} is not UTF-8"))
                        })?)
                    }
                    ValueRef::Blob(b) => Cell::Blob(b.to_vec()),
                });
            }
            each(&cells)?;
            n += 1;
        }
        Ok(n)
    }

    /// Deletes every row of `table`.
    pub fn clear(&self, table: &str) -> Result<()> {
        self.conn
            .execute(&format!("DELETE FROM {}", quote(table)), [])?;
        Ok(())
    }

    /// Inserts one row of `table` (`cells` in the order of `columns`).
    pub fn insert(&self, table: &str, columns: &[String], cells: Vec<Cell>) -> Result<()> {
        let names: Vec<String> = columns.iter().map(|c| quote(c)).collect();
        let marks: Vec<String> = (1..=columns.len()).map(|i| format!("?{i}")).collect();
        let mut stmt = self.conn.prepare_cached(&format!(
            "INSERT INTO {} ({}) VALUES ({})",
            quote(table),
            names.join(", "),
            marks.join(", ")
        ))?;
        stmt.execute(rusqlite::params_from_iter(cells.into_iter().map(
            |c| match c {
                Cell::Null => Value::Null,
                Cell::Integer(v) => Value::Integer(v),
                Cell::Real(v) => Value::Real(v),
                Cell::Text(v) => Value::Text(v),
                Cell::Blob(v) => Value::Blob(v),
            },
        )))?;
        Ok(())
    }
}

impl Store {
    /// Runs `f` on one snapshot of the file (a read transaction).
    pub(crate) fn copy_from<T>(&mut self, f: impl FnOnce(&FileCopy<'_>) -> Result<T>) -> Result<T> {
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Deferred)?;
        let out = f(&FileCopy { conn: &tx })?;
        tx.finish()?;
        Ok(out)
    }

    /// Runs `f` in one write transaction with the foreign keys checked once at the end,
    /// as a whole (rows may arrive in any order): committed only when `f` returned Ok
    /// and no key is broken.
    pub(crate) fn copy_into<T>(&mut self, f: impl FnOnce(&FileCopy<'_>) -> Result<T>) -> Result<T> {
        self.conn.pragma_update(None, "foreign_keys", false)?;
        let out = (|| {
            let tx = self
                .conn
                .transaction_with_behavior(TransactionBehavior::Immediate)?;
            let out = f(&FileCopy { conn: &tx })?;
            super::refuse_broken_keys(&tx, "the copy")?;
            // The copied rows were written as they are: the summary is counted from them.
            super::person_latest::rebuild(&tx)?;
            tx.commit()?;
            Ok(out)
        })();
        self.conn.pragma_update(None, "foreign_keys", true)?;
        out
    }
}
