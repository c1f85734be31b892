//! The dump area of the storage seam: its trait and the rows it speaks.

use crate::error::Result;

/// The dump a store keeps (mirrors `store/sqlite/dump.rs`).
pub trait DumpStore {
    /// Every row of every table, one line per row: `table: column=value, …` with the columns
    /// in their declared order, tables by name, rows by primary key (then by every column).
    /// Values are typed: `NULL`, an integer, a real, a quoted text, `x'…'` for a blob.
    ///
    /// The columns named in `except` (table, column) are left out of the lines: those a
    /// repeated call may move. Naming a table or column the store does not have is an
    /// internal error, so a renamed column never silently widens the comparison.
    fn dump_rows(&mut self, except: &[(&str, &str)]) -> Result<Vec<String>>;
}
