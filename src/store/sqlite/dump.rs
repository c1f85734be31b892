//! Every stored row as text, in a stable order: what the repeat test (T12) compares before
//! and after a call that must change nothing. The lines name tables and columns, never
//! SQLite internals, so another store (PostgreSQL, H1) can give the same lines for the
//! same data.

use rusqlite::Connection;
use rusqlite::types::ValueRef;

use crate::error::{Error, Result};

/// Every row of every table, one line per row: `table: column=value, …` with the columns
/// in their declared order, tables by name, rows by primary key (then by every column).
/// Values are typed: `NULL`, an integer, a real, a quoted text, `x'…'` for a blob.
///
/// The columns named in `except` (table, column) are left out of the lines: those a
/// repeated call may move. Naming a table or column the store does not have is an
/// internal error, so a renamed column never silently widens the comparison.
pub fn dump_rows(conn: &Connection, except: &[(&str, &str)]) -> Result<Vec<String>> {
    let tables: Vec<String> = conn
        .prepare(
            "SELECT name FROM sqlite_schema
             WHERE type = 'table' AND name NOT LIKE 'sqlite\\_%' ESCAPE '\\'
             ORDER BY name",
        )?
        .query_map([], |r| r.get(0))?
        .collect::<rusqlite::Result<_>>()?;
    let mut unused: Vec<&(&str, &str)> = except.iter().collect();
    let mut out = Vec::new();
    for table in &tables {
        // (name, position in the primary key, 0 = not in it), in declared order.
        let columns: Vec<(String, i64)> = conn
            .prepare("SELECT name, pk FROM pragma_table_info(?1) ORDER BY cid")?
            .query_map([table], |r| Ok((r.get(0)?, r.get(1)?)))?
            .collect::<rusqlite::Result<_>>()?;
        let kept: Vec<usize> = (0..columns.len())
            .filter(|&i| {
                let this = |&(t, c): &(&str, &str)| t == table && c == columns[i].0;
                unused.retain(|e| !this(e));
                !except.iter().any(this)
            })
            .collect();
        let mut key: Vec<(i64, usize)> = (columns.iter().enumerate())
            .filter(|(_, (_, pk))| *pk > 0)
            .map(|(i, (_, pk))| (*pk, i + 1))
            .collect();
        key.sort_unstable();
        let order: Vec<String> = (key.iter().map(|(_, i)| *i))
            .chain(1..=columns.len())
            .map(|i| i.to_string())
            .collect();
        let names: Vec<String> = columns.iter().map(|(n, _)| quote_name(n)).collect();
        let sql = format!(
            "SELECT {} FROM {} ORDER BY {}",
            names.join(", "),
            quote_name(table),
            order.join(", ")
        );
        let mut stmt = conn.prepare(&sql)?;
        let mut rows = stmt.query([])?;
        while let Some(r) = rows.next()? {
            let mut line = format!("{table}:");
            for (n, &i) in kept.iter().enumerate() {
                line.push_str(if n == 0 { " " } else { ", " });
                line.push_str(&columns[i].0);
                line.push('=');
                match r.get_ref(i)? {
                    ValueRef::Text(t) if crate::store::dump::is_secret(table, &columns[i].0) => {
                        line.push_str(&crate::store::dump::masked(t));
                    }
                    v => push_value(&mut line, v),
                }
            }
            out.push(line);
        }
    }
    if let Some((t, c)) = unused.first() {
        return Err(Error::Internal(format!(
            "the dump's exception {t}.{c} names no stored column"
        )));
    }
    Ok(out)
}

fn quote_name(name: &str) -> String {
    format!("\"{}\"", name.replace('"', "\"\""))
}

fn push_value(line: &mut String, v: ValueRef<'_>) {
    use std::fmt::Write;
    let _ = match v {
        ValueRef::Null => write!(line, "NULL"),
        ValueRef::Integer(i) => write!(line, "{i}"),
        ValueRef::Real(f) => write!(line, "{f:?}"),
        ValueRef::Text(t) => write!(line, "{:?}", String::from_utf8_lossy(t)),
        ValueRef::Blob(b) => {
            line.push_str("x'");
            for byte in b {
                let _ = write!(line, "{byte:02x}");
            }
            write!(line, "'")
        }
    };
}

impl crate::store::DumpStore for super::SqliteTx<'_> {
    fn dump_rows(&mut self, except: &[(&str, &str)]) -> Result<Vec<String>> {
        dump_rows(self.conn, except)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::Store;

    #[test]
    fn every_table_is_dumped_in_a_stable_order_with_typed_values() {
        let store = Store::open_in_memory().unwrap();
        let c = &store.conn;
        c.execute_batch(
            "INSERT INTO locations (id, host_id, name, time_zone, enabled)
               VALUES (2, 'b', 'B \"q\"', 'UTC', 1), (1, 'a', 'A', 'UTC', 0);
             INSERT INTO sync_dates VALUES (1, '2026-01-02', 5, 'sync'), (1, '2026-01-01', 9, 'sync');
             INSERT INTO customers (id, host_id, include_in_communications, created_at,
               updated_at) VALUES (1, 'c', 1, 0, 0);
             INSERT INTO link_tokens (hash, kind, customer_id, created_at)
               VALUES (x'00ff', 'survey', 1, 3);",
        )
        .unwrap();
        let all = dump_rows(c, &[]).unwrap();
        let of = |t: &str| -> Vec<&String> {
            all.iter()
                .filter(|l| l.starts_with(&format!("{t}:")))
                .collect()
        };
        assert_eq!(
            of("locations"),
            [
                "locations: id=1, host_id=\"a\", name=\"A\", time_zone=\"UTC\", enabled=0, \
                 review_link=NULL, business_type=NULL",
                "locations: id=2, host_id=\"b\", name=\"B \\\"q\\\"\", time_zone=\"UTC\", \
                 enabled=1, review_link=NULL, business_type=NULL",
            ]
        );
        assert_eq!(
            of("sync_dates"),
            [
                "sync_dates: location_id=1, business_date=\"2026-01-01\", synced_at=9, via=\"sync\"",
                "sync_dates: location_id=1, business_date=\"2026-01-02\", synced_at=5, via=\"sync\"",
            ]
        );
        assert!(of("link_tokens")[0].contains("hash=x'00ff'"));
        // The store's own rows are there too (the sampling salt, P4).
        assert!(
            of("setting_values")
                .iter()
                .any(|l| l.contains("sample_salt"))
        );

        let moving = dump_rows(c, &[("sync_dates", "synced_at")]).unwrap();
        assert!(moving.contains(
            &"sync_dates: location_id=1, business_date=\"2026-01-01\", via=\"sync\"".to_owned()
        ));
        assert!(dump_rows(c, &[("sync_dates", "synced_on")]).is_err());
    }
}
