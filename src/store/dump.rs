//! The dump area of the storage seam: its trait and the rows it speaks.

use crate::error::Result;

/// Whether `table.column` holds a credential the dump must not print (D2: a webhook
/// subscription's signing secrets). Such a value is shown as `secret:` and the first 16 hex
/// digits of its SHA-256: a change still shows, the secret never does.
pub fn is_secret(table: &str, column: &str) -> bool {
    table == "webhook_subscriptions" && (column == "secret" || column == "previous_secret")
}

/// The masked form of a secret value in a dump line (quoted, as a text value).
pub fn masked(value: &[u8]) -> String {
    use sha2::Digest;
    let digest = sha2::Sha256::digest(value);
    let hex: String = digest[..8].iter().map(|b| format!("{b:02x}")).collect();
    format!("\"secret:{hex}\"")
}

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
