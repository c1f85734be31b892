//! The raw path that writes exactly the rows hearken writes (issue 26): same tables, same
//! indexes, values precomputed, in one transaction with the fastest plain SQL.
//!
//! Before the clock, one hearken sync on a copy of the template shows which rows a sync
//! writes: every row of the copy that the template does not hold as is (`SELECT * FROM x
//! EXCEPT SELECT * FROM template.x`, keys included), split by whether the template held
//! its key. The timed raw run then writes those rows into a fresh copy with prepared
//! INSERTs (new rows; 64 rows a statement with `OR ROLLBACK` for the tables hearken writes
//! so) and one prepared UPDATE by key (changed rows) per table, in one `BEGIN IMMEDIATE`
//! transaction, with hearken's pragmas. It decides nothing: what is left between it and
//! hearken is the work of the decisions themselves and the way hearken's statements are
//! written.

use std::path::Path;

use chrono::{DateTime, Utc};
use hearken::{Engine, SyncBatch};
use rusqlite::types::Value;
use rusqlite::{Connection, TransactionBehavior};

use super::{BenchResult, MemoryProbe, Stopwatch, Timed, fresh_copy, remove_db};

/// The rows one sync writes, table by table, with each table's index count.
pub struct SyncRows {
    tables: Vec<TableRows>,
    transactions: usize,
}

struct TableRows {
    name: String,
    /// Column names, in table order.
    columns: Vec<String>,
    /// Positions of the primary key's columns (`rowid` for a rowid table: `None`).
    key: Vec<usize>,
    indexes: usize,
    /// Each b-tree of the table (the table's own first) and the entries the sync added to
    /// it (partial indexes count only the rows their `WHERE` admits).
    entries: Vec<(String, i64)>,
    /// Rows the template did not hold: inserted.
    new: Vec<Vec<Value>>,
    /// Rows whose key the template held with other values: updated.
    changed: Vec<Vec<Value>>,
}

/// The rule that reads each table a sync writes, for the per-sale print.
fn read_by(table: &str) -> &'static str {
    match table {
        "customers" => "E2, E3, E6 (contacts, opt-in), P3 (person)",
        "employees" | "transaction_employees" => "A1, N2, X4 (credit of answers)",
        "transactions" => "E1, E8, P6 (the sale, refunds, re-runs)",
        "decisions" => "E8, E9 (a decided sale is never re-decided; explain)",
        "invitations" => "E4, P1-P3 (cooldowns, caps), N5, R1, F5",
        "outbox" => "T8, P5 (delivery, send slots)",
        "sync_dates" => "S2, S4 (sync window, catch-up)",
        "events" => "D1 (the event feed)",
        "rollups" | "employee_rollups" => "N2 (dashboards)",
        _ => "(see docs/rules.md)",
    }
}

/// What reads each index a sync enters rows in: the rule, and the reader.
fn index_read_by(index: &str) -> &'static str {
    match index {
        "sqlite_autoindex_customers_1" => "E8, T12: the batch's customers found by host id",
        "sqlite_autoindex_employees_1" => "E8, T12: the batch's employees found by host id",
        "sqlite_autoindex_transactions_1" => {
            "E8, T12: a sale sent again found by host id; P6: a refund finds its sale"
        }
        "transactions_customer_period" => {
            "P7: the window's sales; E9: explain; D6, D7, T2: a customer's sales"
        }
        "transactions_refers_to" => "P6, P7: is a sale refunded",
        "invitations_one_per_transaction" => "E8: one invitation per sale",
        "invitations_person" => "E4, P1, P2: a person's latest invitations of each kind",
        "invitations_contact_person" => "P3: the invitations of one contact",
        "invitations_relationship_held" => {
            "P1, P7: whom a relationship invitation holds (relationship invitations only)"
        }
        "invitations_pending" => "T8, P5: the invitations waiting for delivery",
        "invitations_reminders" => "R1, R2: reminders to decide (entered at delivery)",
        "sqlite_autoindex_outbox_1" => "T8: a message acked by its id",
        "outbox_claim" => "T8, P5: the pending messages by due time",
        "outbox_invitation" => "P6, F5, T2: an invitation's messages",
        _ => "(not entered by a night's invitations)",
    }
}

/// Runs one hearken sync on a copy (not timed) and collects what it wrote.
pub fn rows_of_a_sync(
    template: &Path,
    work: &Path,
    batch: &SyncBatch,
    now: DateTime<Utc>,
) -> BenchResult<SyncRows> {
    let db = fresh_copy(template, work, "same-rows")?;
    Engine::open(&db)?.sync(batch, now)?;
    let conn = Connection::open(&db)?;
    conn.execute(
        "ATTACH DATABASE ?1 AS template",
        [template.to_string_lossy()],
    )?;
    let names: Vec<String> = conn
        .prepare(
            "SELECT name FROM main.sqlite_master WHERE type = 'table'
               AND name NOT LIKE 'sqlite_%' ORDER BY name",
        )?
        .query_map([], |r| r.get(0))?
        .collect::<Result<_, _>>()?;
    let mut tables = Vec::new();
    for name in names {
        let info: Vec<(String, i64)> = conn
            .prepare(&format!("PRAGMA main.table_info(\"{name}\")"))?
            .query_map([], |r| Ok((r.get::<_, String>(1)?, r.get::<_, i64>(5)?)))?
            .collect::<Result<_, _>>()?;
        let columns: Vec<String> = info.iter().map(|(c, _)| c.clone()).collect();
        let mut key: Vec<(i64, usize)> = (info.iter().enumerate())
            .filter(|(_, (_, pk))| *pk > 0)
            .map(|(i, (_, pk))| (*pk, i))
            .collect();
        key.sort();
        let key: Vec<usize> = key.into_iter().map(|(_, i)| i).collect();
        if key.is_empty() {
            return Err(format!("table {name} has no primary key column").into());
        }
        let cols = columns.len();
        let diff = |sql: &str| -> BenchResult<Vec<Vec<Value>>> {
            Ok(conn
                .prepare(sql)?
                .query_map([], |r| (0..cols).map(|i| r.get::<_, Value>(i)).collect())?
                .collect::<Result<_, _>>()?)
        };
        let on_key = (key.iter())
            .map(|i| format!("t.\"{0}\" IS m.\"{0}\"", columns[*i]))
            .collect::<Vec<_>>()
            .join(" AND ");
        let changed_rows =
            format!("SELECT * FROM main.\"{name}\" EXCEPT SELECT * FROM template.\"{name}\"");
        let new = diff(&format!(
            "SELECT * FROM ({changed_rows}) AS m WHERE NOT EXISTS \
             (SELECT 1 FROM template.\"{name}\" AS t WHERE {on_key})"
        ))?;
        let changed = diff(&format!(
            "SELECT * FROM ({changed_rows}) AS m WHERE EXISTS \
             (SELECT 1 FROM template.\"{name}\" AS t WHERE {on_key})"
        ))?;
        if new.is_empty() && changed.is_empty() {
            continue;
        }
        let indexes: Vec<(String, Option<String>)> = conn
            .prepare(
                "SELECT name, sql FROM main.sqlite_master WHERE type = 'index' AND tbl_name = ?1
                 ORDER BY name",
            )?
            .query_map([&name], |r| Ok((r.get(0)?, r.get(1)?)))?
            .collect::<Result<_, _>>()?;
        // Entries added to each b-tree: its row count in the copy minus in the template
        // (a partial index counts the rows its WHERE admits).
        let added = |filter: &str| -> BenchResult<i64> {
            let count = |db: &str| -> BenchResult<i64> {
                Ok(conn.query_row(
                    &format!("SELECT count(*) FROM {db}.\"{name}\" WHERE {filter}"),
                    [],
                    |r| r.get(0),
                )?)
            };
            Ok(count("main")? - count("template")?)
        };
        let mut entries = vec![(name.clone(), added("1")?)];
        for (index, sql) in &indexes {
            let filter = sql
                .as_deref()
                .and_then(|sql| sql.rfind(" WHERE ").map(|at| &sql[at + 7..]))
                .unwrap_or("1");
            entries.push((index.clone(), added(filter)?));
        }
        tables.push(TableRows {
            name,
            columns,
            key,
            indexes: indexes.len(),
            entries,
            new,
            changed,
        });
    }
    drop(conn);
    remove_db(&db);
    Ok(SyncRows {
        tables,
        transactions: batch.transactions.len(),
    })
}

impl SyncRows {
    /// Prints, per table, the rows and index entries a sync writes per sale, and the rule
    /// that reads them.
    pub fn print_per_sale(&self) {
        let sales = self.transactions as f64;
        let (mut rows, mut entries, mut added_entries) = (0usize, 0usize, 0i64);
        for t in &self.tables {
            // The table's b-tree (rowid or primary key) plus each index.
            let n = t.new.len() + t.changed.len();
            let e = n * (1 + t.indexes);
            rows += n;
            entries += e;
            println!(
                "      {:<22} {:>8} rows ({:.2} per sale; {} new, {} updated), {:>8} b-tree \
                 entries at most ({:.2} per sale) | read by {}",
                t.name,
                n,
                n as f64 / sales,
                t.new.len(),
                t.changed.len(),
                e,
                e as f64 / sales,
                read_by(&t.name)
            );
            for (tree, added) in &t.entries {
                if *added == 0 {
                    continue;
                }
                added_entries += *added;
                println!(
                    "        {tree:<34} {added:>8} entries added ({:.2} per sale) | {}",
                    *added as f64 / sales,
                    if *tree == t.name {
                        "the table's own b-tree"
                    } else {
                        index_read_by(tree)
                    }
                );
            }
        }
        println!(
            "      entries added to b-trees: {added_entries} ({:.2} per sale; a partial index \
             enters only the rows its WHERE admits, an update only moves changed keys)",
            added_entries as f64 / sales
        );
        println!(
            "      all tables: {rows} rows ({:.2} per sale), {entries} b-tree entries at most \
             ({:.2} per sale; an update touches only the indexes of the columns it changes)",
            rows as f64 / sales,
            entries as f64 / sales
        );
    }
}

/// Writes the collected rows into a fresh copy of the template, timed; with SQLite's
/// per-row foreign-key checks on or off (hearken's sync has them off: it resolves every
/// reference itself, see `Store::write_resolved`).
pub fn time_same_rows(
    template: &Path,
    work: &Path,
    rows: &SyncRows,
    foreign_keys: bool,
) -> BenchResult<Timed> {
    let db = fresh_copy(template, work, "raw-same")?;
    let mut conn = Connection::open(&db)?;
    conn.pragma_update(None, "foreign_keys", foreign_keys)?;
    conn.pragma_update(None, "secure_delete", true)?;
    conn.pragma_update(None, "journal_mode", "wal")?;
    conn.pragma_update(None, "synchronous", "NORMAL")?;
    let probe = MemoryProbe::start();
    let clock = Stopwatch::start();
    let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
    // Parents before children, as hearken writes them (foreign keys are checked per row).
    for name in [
        "customers",
        "employees",
        "transactions",
        "transaction_employees",
        "invitations",
        "outbox",
        "decisions",
    ] {
        for t in rows.tables.iter().filter(|t| t.name == name) {
            write_table(&tx, t)?;
        }
    }
    for t in (rows.tables.iter()).filter(|t| {
        ![
            "customers",
            "employees",
            "transactions",
            "transaction_employees",
            "invitations",
            "outbox",
            "decisions",
        ]
        .contains(&t.name.as_str())
    }) {
        write_table(&tx, t)?;
    }
    tx.commit()?;
    let ((wall, cpu), io) = clock.stop_with_io();
    let memory = probe.finish();
    drop(conn);
    remove_db(&db);
    Ok(Timed {
        wall,
        cpu,
        invitations: 0,
        customers: (0, 0),
        memory,
        io,
    })
}

/// Tables written with multi-row `INSERT OR ROLLBACK` statements, as hearken's
/// `store/sqlite/batch.rs` writes them (see there for when SQLite keeps a statement
/// journal, and why these win anyway). Events go one row per statement, as hearken's.
const CHUNKED: &[&str] = &[
    "customers",
    "transactions",
    "transaction_employees",
    "invitations",
    "outbox",
    "decisions",
];

/// Rows per multi-row statement.
const CHUNK: usize = 64;

/// New rows with plain INSERTs (multi-row for [`CHUNKED`] tables, leaving out a row id
/// that SQLite would give anyway), changed rows with an UPDATE of the columns that are not
/// the key, by key: the fastest plain SQL for exactly these rows.
fn write_table(tx: &rusqlite::Transaction<'_>, t: &TableRows) -> rusqlite::Result<()> {
    if CHUNKED.contains(&t.name.as_str()) {
        insert_chunked(tx, t)?;
    } else {
        let marks = vec!["?"; t.columns.len()].join(", ");
        let mut insert = tx.prepare(&format!("INSERT INTO \"{}\" VALUES ({marks})", t.name))?;
        for row in &t.new {
            insert.execute(rusqlite::params_from_iter(row.iter()))?;
        }
    }
    if t.changed.is_empty() {
        return Ok(());
    }
    let rest: Vec<usize> = (0..t.columns.len())
        .filter(|i| !t.key.contains(i))
        .collect();
    let set = (rest.iter().enumerate())
        .map(|(n, i)| format!("\"{}\" = ?{}", t.columns[*i], n + 1))
        .collect::<Vec<_>>()
        .join(", ");
    let by = (t.key.iter().enumerate())
        .map(|(n, i)| format!("\"{}\" = ?{}", t.columns[*i], rest.len() + n + 1))
        .collect::<Vec<_>>()
        .join(" AND ");
    let mut update = tx.prepare(&format!("UPDATE \"{}\" SET {set} WHERE {by}", t.name))?;
    for row in &t.changed {
        let values = rest.iter().chain(&t.key).map(|i| &row[*i]);
        update.execute(rusqlite::params_from_iter(values))?;
    }
    Ok(())
}

/// The new rows of a [`CHUNKED`] table, [`CHUNK`] to a statement. A rowid table's id
/// column is left out when the rows' ids are the ones SQLite gives (the largest so far plus
/// one, in order), as hearken leaves it out.
fn insert_chunked(tx: &rusqlite::Transaction<'_>, t: &TableRows) -> rusqlite::Result<()> {
    let rowid_key = (t.key.len() == 1)
        .then(|| t.key[0])
        .filter(|_| !without_rowid(tx, &t.name));
    let omit = match rowid_key {
        Some(k) => {
            let max: i64 = tx.query_row(
                &format!("SELECT coalesce(max(rowid), 0) FROM \"{}\"", t.name),
                [],
                |r| r.get(0),
            )?;
            let mut ids: Vec<i64> = (t.new.iter())
                .filter_map(|r| match r[k] {
                    Value::Integer(i) => Some(i),
                    _ => None,
                })
                .collect();
            ids.sort_unstable();
            (ids.len() == t.new.len() && ids.iter().zip(max + 1..).all(|(a, b)| *a == b))
                .then_some(k)
        }
        None => None,
    };
    let mut rows: Vec<&Vec<Value>> = t.new.iter().collect();
    if let Some(k) = omit {
        rows.sort_by_key(|r| match r[k] {
            Value::Integer(i) => i,
            _ => 0,
        });
    }
    let kept: Vec<usize> = (0..t.columns.len()).filter(|i| Some(*i) != omit).collect();
    let columns = (kept.iter())
        .map(|i| format!("\"{}\"", t.columns[*i]))
        .collect::<Vec<_>>()
        .join(", ");
    let one = format!("({})", vec!["?"; kept.len()].join(", "));
    let statement = |n: usize| {
        format!(
            "INSERT OR ROLLBACK INTO \"{}\" ({columns}) VALUES {}",
            t.name,
            vec![one.as_str(); n].join(", ")
        )
    };
    let mut full = tx.prepare(&statement(CHUNK))?;
    let mut chunks = rows.chunks_exact(CHUNK);
    for chunk in &mut chunks {
        let values = chunk.iter().flat_map(|r| kept.iter().map(|i| &r[*i]));
        full.execute(rusqlite::params_from_iter(values))?;
    }
    let mut single = tx.prepare(&statement(1))?;
    for r in chunks.remainder() {
        single.execute(rusqlite::params_from_iter(kept.iter().map(|i| &r[*i])))?;
    }
    // The ids SQLite gave are the rows' own (checked, not assumed).
    if let (Some(k), Some(last)) = (omit, rows.last()) {
        let max: i64 =
            tx.query_row(&format!("SELECT max(rowid) FROM \"{}\"", t.name), [], |r| {
                r.get(0)
            })?;
        assert_eq!(
            Value::Integer(max),
            last[k],
            "{}: the row ids SQLite gave",
            t.name
        );
    }
    Ok(())
}

/// Whether `table` is a `WITHOUT ROWID` table (its key is then its b-tree's own).
fn without_rowid(tx: &rusqlite::Transaction<'_>, table: &str) -> bool {
    tx.query_row(
        "SELECT sql LIKE '%WITHOUT ROWID%' FROM sqlite_master WHERE type = 'table' AND name = ?1",
        [table],
        |r| r.get(0),
    )
    .unwrap_or(false)
}
