//! Hosted-mode administration (H5, H7): what a vendor runs as the role that owns the
//! schema, never the engine: installing and migrating the schema, creating, listing and
//! deleting stores, and moving a store between an SQLite file and PostgreSQL.
//!
//! The copy is table by table and generic: the store tables are every table of the
//! current schema with a `store_id` column, found in the catalogue (so a table added by a
//! later schema version is copied and deleted too), ordered by their foreign keys; the
//! columns are matched by name. SQLite's `setting_values.value` (an integer or a text) is
//! PostgreSQL's `int_value` or `text_value`. The ids a host sees travel as they are, and
//! so do the secrets in the settings (sampling salt, suppression pepper): a moved store
//! decides as it did (H7).

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;
use std::time::Duration;

use super::client::{LOCK_CLASS, PgClient, Tx};
use super::schema::{self, ENGINE_ROLE, Installed};
use super::{Row, p};
use crate::error::{Error, Result};
use crate::store::postgres::get;
use crate::store::sqlite::{Cell, FileCopy, SCHEMA_VERSION, Store};

/// Tables with a `store_id` the copy leaves out: the directory (the new store gets its
/// own row), the id counters (set from the copied ids) and the mailers' leases (a new
/// store's row is held by nobody; a file has none).
const NOT_COPIED: &[&str] = &["store_counters", "store_leases", "stores"];

/// Columns one SQLite column is split into on PostgreSQL: (table, SQLite column,
/// PostgreSQL column holding its integers, PostgreSQL column holding its texts).
const SPLIT: &[(&str, &str, &str, &str)] =
    &[("setting_values", "value", "int_value", "text_value")];

/// An admin's statements move whole stores: a store's lock is waited for behind the
/// engine's writes for up to 30 s, and one statement (a table's delete, the rows of an
/// export) may run for up to 10 minutes.
const ADMIN_TIMEOUTS: super::Timeouts = super::Timeouts {
    lock: Duration::from_secs(30),
    statement: Duration::from_secs(600),
    network: Duration::from_secs(10),
};

/// Rows written per statement by an import.
const CHUNK: usize = 5_000;

/// A store of the directory.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoreEntry {
    /// The text id the engine opens it by.
    pub text_id: String,
    /// Its key (`stores.store_id`).
    pub key: i64,
}

/// What an import wrote.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Imported {
    /// The new store's key.
    pub key: i64,
    /// The rows copied (all tables).
    pub rows: u64,
}

/// An admin's connection to a hosted database: the role that owns the schema (it must
/// bypass row-level security to write the directory of stores).
pub struct Admin {
    client: PgClient,
    engine_role: String,
}

/// Written by hand: the client's connection string may hold a password (H6).
impl std::fmt::Debug for Admin {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Admin")
            .field("engine_role", &self.engine_role)
            .finish_non_exhaustive()
    }
}

/// One store table: its name and columns (name, PostgreSQL type name) in declared order,
/// without `store_id`.
struct Table {
    name: String,
    columns: Vec<(String, String)>,
}

fn quote(name: &str) -> String {
    format!("\"{}\"", name.replace('"', "\"\""))
}

fn not_found(text_id: &str) -> Error {
    Error::NotFound {
        what: "store",
        id: text_id.to_owned(),
    }
}

impl Admin {
    /// Connects as the admin role (`postgres://` connection string). Nothing is checked
    /// or changed yet; the engine role of [`Admin::migrate`] is [`ENGINE_ROLE`]. Its
    /// transactions wait up to 30 s for a lock and 10 minutes for a statement.
    pub fn connect(url: &str) -> Result<Admin> {
        Ok(Admin {
            client: PgClient::connect(url)?.with_timeouts(ADMIN_TIMEOUTS),
            engine_role: ENGINE_ROLE.to_owned(),
        })
    }

    /// The engine role [`Admin::migrate`] grants to (the one [`Admin::install`] was given).
    pub fn with_engine_role(mut self, role: &str) -> Admin {
        role.clone_into(&mut self.engine_role);
        self
    }

    /// The admin's client, for what this type does not cover.
    pub fn client(&self) -> &PgClient {
        &self.client
    }

    /// Installs the schema, or migrates an older one, then the row-level security,
    /// policies and grants for `engine_role`: idempotent, in one transaction under the
    /// schema lock (see [`schema::install_on`]).
    pub fn install(&self, engine_role: &str) -> Result<Installed> {
        schema::install_on(&self.client, engine_role)
    }

    /// Brings the schema to this library's version (the steps of
    /// [`schema::MIGRATIONS`] it lacks) and re-applies the grants for the engine role;
    /// installs it when absent. Idempotent. What opening an older schema asks for (H5).
    pub fn migrate(&self) -> Result<Installed> {
        schema::install_on(&self.client, &self.engine_role)
    }

    /// Creates the store `text_id` with its own random secrets; its key. A text id already
    /// taken is [`Error::Conflict`].
    pub fn create_store(&self, text_id: &str) -> Result<i64> {
        schema::create_store(&self.client, text_id)
    }

    /// Every store of the directory, by text id.
    pub fn list_stores(&self) -> Result<Vec<StoreEntry>> {
        self.client.with_admin_transaction(|tx| {
            tx.query(
                "SELECT text_id, store_id FROM stores ORDER BY text_id COLLATE \"C\"",
                vec![],
            )?
            .iter()
            .map(|r| {
                Ok(StoreEntry {
                    text_id: get(r, 0)?,
                    key: get(r, 1)?,
                })
            })
            .collect()
        })
    }

    /// Deletes the store `text_id` and every row of it in every store table (every table
    /// with a `store_id` column, children first), in one transaction holding the store's
    /// lock; the number of rows deleted. An unknown text id is [`Error::NotFound`].
    pub fn delete_store(&self, text_id: &str) -> Result<u64> {
        schema::check_text_id(text_id)?;
        self.client.with_admin_transaction(|tx| {
            let key = tx
                .query_opt(
                    "SELECT store_id FROM stores WHERE text_id = $1 FOR UPDATE",
                    vec![p(text_id.to_owned())],
                )?
                .ok_or_else(|| not_found(text_id))?;
            let key: i64 = get(&key, 0)?;
            enter(tx, key)?;
            let mut deleted = 0;
            for table in store_tables(tx)?.iter().rev() {
                deleted += tx.execute(
                    &format!("DELETE FROM {} WHERE store_id = $1", quote(&table.name)),
                    vec![p(key)],
                )?;
            }
            Ok(deleted)
        })
    }

    /// Imports the SQLite store file at `path` into a new store `text_id`, the same ids and
    /// settings (salt and pepper included), in one transaction. The file is opened
    /// read-only; an older schema version is migrated on a temporary copy, never in
    /// place. A text id already taken is [`Error::Conflict`]; a missing file
    /// [`Error::NotFound`]; a file that is not a hearken store [`Error::NotHearken`].
    pub fn import_sqlite(&self, path: &Path, text_id: &str) -> Result<Imported> {
        schema::check_text_id(text_id)?;
        if std::fs::metadata(path).is_err() {
            return Err(Error::NotFound {
                what: "file",
                id: path.display().to_string(),
            });
        }
        let (mut source, version) = Store::open_read_only(path)?;
        // Kept until the import is done: the migrated copy lives in it.
        let mut _scratch = None;
        if version < SCHEMA_VERSION {
            let dir = tempfile::Builder::new()
                .prefix("hearken-import-")
                .tempdir()?;
            let copy = dir.path().join("store.db");
            source.backup(&copy, None)?;
            source = Store::open(&copy, false, Duration::from_secs(5))?;
            _scratch = Some(dir);
        }
        // One snapshot of the file for the whole copy.
        source.copy_from(|snapshot| {
            self.client.with_admin_transaction(|tx| {
                let key: i64 = get(
                    &tx.query_opt(
                        "INSERT INTO stores (text_id) VALUES ($1) ON CONFLICT (text_id) DO NOTHING \
                     RETURNING store_id",
                        vec![p(text_id.to_owned())],
                    )?
                    .ok_or_else(schema::store_exists)?,
                    0,
                )?;
                // Its row of the mailers' leases (H3), held by nobody, as create_store makes.
                tx.execute(
                    "INSERT INTO store_leases (store_id) VALUES ($1)",
                    vec![p(key)],
                )?;
                enter(tx, key)?;
                let tables = copied_tables(tx, snapshot)?;
                let mut rows = 0;
                for table in &tables {
                    rows += copy_in(tx, snapshot, key, table)?;
                }
                for table in tables.iter().filter(|t| has_id(t)) {
                    tx.execute(
                        &format!(
                            "INSERT INTO store_counters (store_id, counter, next_value)
                         SELECT $1, $2, coalesce(max(id), 0) + 1 FROM {} WHERE store_id = $1
                         ON CONFLICT (store_id, counter)
                           DO UPDATE SET next_value = excluded.next_value",
                            quote(&table.name)
                        ),
                        vec![p(key), p(table.name.clone())],
                    )?;
                }
                // The imported store is another life of the file's: its event cursors are
                // not the file's (D1).
                tx.execute(
                    "UPDATE event_meta SET incarnation = $2 WHERE store_id = $1",
                    vec![p(key), p(crate::store::new_incarnation()?)],
                )?;
                Ok(Imported { key, rows })
            })
        })
    }

    /// Writes the store `text_id` to a new SQLite store file at `path` (the current SQLite
    /// schema, rollback journal, the same ids and settings), under a temporary name beside
    /// it renamed into place once complete (T4); the number of rows written. An existing
    /// `path` is [`Error::Conflict`] (an export never replaces a file); an unknown store
    /// [`Error::NotFound`]. The store's lock is held while it is read: one consistent copy.
    pub fn export_sqlite(&self, text_id: &str, path: &Path) -> Result<u64> {
        schema::check_text_id(text_id)?;
        if std::fs::symlink_metadata(path).is_ok() {
            return Err(Error::Conflict(
                "the export's file exists already: an export writes a new file".into(),
            ));
        }
        let key = schema::store_key(&self.client, text_id)?.ok_or_else(|| not_found(text_id))?;
        crate::fsio::replace_atomically(path, None, |temp| {
            let mut target = Store::open(temp, false, Duration::from_secs(5))?;
            // The rows arrive parents first, yet the keys are checked once, as a whole.
            let written = target.copy_into(|out| {
                self.client.with_transaction(key, |tx| {
                    let tables = copied_tables(tx, out)?;
                    let mut rows = 0;
                    for table in &tables {
                        rows += copy_out(tx, out, table)?;
                    }
                    Ok(rows)
                })
            })?;
            // The file is another life of the store: its event cursors are not the
            // store's (D1).
            target.write(|c| crate::store::EventStore::renew_incarnation(c))?;
            target.close()?;
            Ok(written)
        })
    }
}

/// Sets the store for the rest of the admin's transaction (the policies' predicate) and
/// takes its advisory lock, as every write of the engine does (H2, H3).
fn enter(tx: &mut Tx, key: i64) -> Result<()> {
    tx.execute(
        "SELECT set_config('hearken.store', $1::bigint::text, true)",
        vec![p(key)],
    )?;
    // The client's lock: hearken's class and the key's low 32 bits.
    tx.execute(
        "SELECT pg_advisory_xact_lock($1, $2)",
        vec![p(LOCK_CLASS), p(key as i32)],
    )?;
    Ok(())
}

/// Every table of the current schema with a `store_id` column, parents before children
/// (by their foreign keys), from the catalogue.
fn store_tables(tx: &mut Tx) -> Result<Vec<Table>> {
    let rows = tx.query(
        "SELECT c.relname::text, a.attname::text, t.typname::text
         FROM pg_catalog.pg_class c
         JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
         JOIN pg_catalog.pg_attribute a ON a.attrelid = c.oid
           AND a.attnum > 0 AND NOT a.attisdropped
         JOIN pg_catalog.pg_type t ON t.oid = a.atttypid
         WHERE c.relkind IN ('r', 'p') AND n.nspname = current_schema()
           AND EXISTS (SELECT 1 FROM pg_catalog.pg_attribute s
                       WHERE s.attrelid = c.oid AND s.attname = 'store_id'
                         AND NOT s.attisdropped)
         ORDER BY c.relname COLLATE \"C\", a.attnum",
        vec![],
    )?;
    let mut tables: BTreeMap<String, Vec<(String, String)>> = BTreeMap::new();
    for r in &rows {
        let (table, column, ty): (String, String, String) = (get(r, 0)?, get(r, 1)?, get(r, 2)?);
        let columns = tables.entry(table).or_default();
        if column != "store_id" {
            columns.push((column, ty));
        }
    }
    let links = tx.query(
        "SELECT ch.relname::text, pa.relname::text
         FROM pg_catalog.pg_constraint k
         JOIN pg_catalog.pg_class ch ON ch.oid = k.conrelid
         JOIN pg_catalog.pg_class pa ON pa.oid = k.confrelid
         JOIN pg_catalog.pg_namespace n ON n.oid = ch.relnamespace
         WHERE k.contype = 'f' AND n.nspname = current_schema()",
        vec![],
    )?;
    let mut parents: BTreeMap<&str, BTreeSet<String>> = BTreeMap::new();
    for r in &links {
        let (child, parent): (String, String) = (get(r, 0)?, get(r, 1)?);
        if child != parent
            && tables.contains_key(&parent)
            && let Some((name, _)) = tables.get_key_value(&child)
        {
            parents.entry(name.as_str()).or_default().insert(parent);
        }
    }
    // Kahn's order, by name among the ready ones: stable from run to run.
    let mut done: BTreeSet<String> = BTreeSet::new();
    let mut order = Vec::with_capacity(tables.len());
    while done.len() < tables.len() {
        let ready: Vec<String> = (tables.keys())
            .filter(|t| !done.contains(*t))
            .filter(|t| {
                parents
                    .get(t.as_str())
                    .is_none_or(|ps| ps.iter().all(|p| done.contains(p)))
            })
            .cloned()
            .collect();
        if ready.is_empty() {
            return Err(Error::Internal(
                "the store tables' foreign keys form a cycle: no order to copy or delete them"
                    .into(),
            ));
        }
        for t in ready {
            done.insert(t.clone());
            order.push(t);
        }
    }
    Ok(order
        .into_iter()
        .filter_map(|name| tables.remove(&name).map(|columns| Table { name, columns }))
        .collect())
}

/// The store tables a copy moves, parents first, checked against the SQLite file's
/// tables: the same names on both sides, or nothing is copied.
fn copied_tables(tx: &mut Tx, file: &FileCopy<'_>) -> Result<Vec<Table>> {
    let tables: Vec<Table> = store_tables(tx)?
        .into_iter()
        .filter(|t| !NOT_COPIED.contains(&t.name.as_str()))
        .collect();
    let mut in_file = file.tables()?;
    in_file.retain(|t| !super::schema::SQLITE_ONLY_TABLES.contains(&t.as_str()));
    let in_pg: BTreeSet<String> = tables.iter().map(|t| t.name.clone()).collect();
    if let Some(t) = in_file.symmetric_difference(&in_pg).next() {
        return Err(Error::Internal(format!(
            "the table {t} is in only one of the SQLite schema (version {SCHEMA_VERSION}) \
             and the PostgreSQL one: nothing was copied"
        )));
    }
    Ok(tables)
}

fn has_id(table: &Table) -> bool {
    table
        .columns
        .iter()
        .any(|(c, ty)| c == "id" && ty == "int8")
}

/// Where a PostgreSQL column's values come from in the SQLite row: a column as is, or
/// the integers or texts of a split one.
#[derive(Clone, Copy)]
enum Source {
    Same(usize),
    Ints(usize),
    Texts(usize),
}

/// The SQLite columns of `table` and, for each PostgreSQL column, its source among them.
fn sources(file: &FileCopy<'_>, table: &Table) -> Result<(Vec<String>, Vec<Source>)> {
    let names = file.columns(&table.name)?;
    let at = |c: &str| names.iter().position(|n| n == c);
    let mut used = vec![false; names.len()];
    let mut out = Vec::with_capacity(table.columns.len());
    for (column, _) in &table.columns {
        let split = SPLIT.iter().find_map(|&(t, sqlite, ints, texts)| {
            let i = (t == table.name).then(|| at(sqlite)).flatten()?;
            if column == ints {
                Some(Source::Ints(i))
            } else if column == texts {
                Some(Source::Texts(i))
            } else {
                None
            }
        });
        let source = match (at(column), split) {
            (Some(i), _) => Source::Same(i),
            (None, Some(s)) => s,
            (None, None) => {
                return Err(Error::Internal(format!(
                    "the column {}.{column} is not in the SQLite schema: nothing was copied",
                    table.name
                )));
            }
        };
        let (Source::Same(i) | Source::Ints(i) | Source::Texts(i)) = source;
        used[i] = true;
        out.push(source);
    }
    if let Some(i) = used.iter().position(|u| !u) {
        return Err(Error::Internal(format!(
            "the column {}.{} is not in the PostgreSQL schema: nothing was copied",
            table.name, names[i]
        )));
    }
    Ok((names, out))
}

/// One PostgreSQL column's values of a slice of rows, bound as one array.
enum Column {
    Int8(Vec<Option<i64>>),
    Int4(Vec<Option<i32>>),
    Float8(Vec<Option<f64>>),
    Bytea(Vec<Option<Vec<u8>>>),
    Text(Vec<Option<String>>),
}

impl Column {
    fn of(table: &str, column: &str, ty: &str) -> Result<Column> {
        Ok(match ty {
            "int8" => Column::Int8(Vec::new()),
            "int4" => Column::Int4(Vec::new()),
            "float8" => Column::Float8(Vec::new()),
            "bytea" => Column::Bytea(Vec::new()),
            "text" => Column::Text(Vec::new()),
            other => {
                return Err(Error::Internal(format!(
                    "the column {table}.{column} is of type {other}, which the copy does not move"
                )));
            }
        })
    }

    fn array_type(&self) -> &'static str {
        match self {
            Column::Int8(_) => "int8[]",
            Column::Int4(_) => "int4[]",
            Column::Float8(_) => "float8[]",
            Column::Bytea(_) => "bytea[]",
            Column::Text(_) => "text[]",
        }
    }

    /// Appends one SQLite value; a value of another type is an error naming the column.
    fn push(&mut self, v: &Cell, source: Source, at: &dyn Fn() -> String) -> Result<()> {
        let wrong = || {
            Error::Internal(format!(
                "{} holds a value of a type its PostgreSQL column does not take; nothing was imported",
                at()
            ))
        };
        let v = match (source, v) {
            (Source::Same(_), v) => v,
            (Source::Ints(_), v @ (Cell::Integer(_) | Cell::Null)) => v,
            (Source::Texts(_), v @ (Cell::Text(_) | Cell::Null)) => v,
            // The other half of a split column holds it.
            (Source::Ints(_), Cell::Text(_)) | (Source::Texts(_), Cell::Integer(_)) => &Cell::Null,
            _ => return Err(wrong()),
        };
        match (self, v) {
            (Column::Int8(c), Cell::Null) => c.push(None),
            (Column::Int4(c), Cell::Null) => c.push(None),
            (Column::Float8(c), Cell::Null) => c.push(None),
            (Column::Bytea(c), Cell::Null) => c.push(None),
            (Column::Text(c), Cell::Null) => c.push(None),
            (Column::Int8(c), Cell::Integer(i)) => c.push(Some(*i)),
            (Column::Int4(c), Cell::Integer(i)) => {
                c.push(Some(i32::try_from(*i).map_err(|_| wrong())?));
            }
            (Column::Float8(c), Cell::Real(f)) => c.push(Some(*f)),
            (Column::Float8(c), Cell::Integer(i)) => c.push(Some(*i as f64)),
            (Column::Bytea(c), Cell::Blob(b)) => c.push(Some(b.clone())),
            (Column::Text(c), Cell::Text(t)) => c.push(Some(t.clone())),
            _ => return Err(wrong()),
        }
        Ok(())
    }

    fn take(&mut self) -> super::Param {
        match self {
            Column::Int8(c) => p(std::mem::take(c)),
            Column::Int4(c) => p(std::mem::take(c)),
            Column::Float8(c) => p(std::mem::take(c)),
            Column::Bytea(c) => p(std::mem::take(c)),
            Column::Text(c) => p(std::mem::take(c)),
        }
    }
}

/// Copies `table`'s rows from the SQLite file into the store `key`, a slice of rows per
/// statement; the number of rows.
fn copy_in(tx: &mut Tx, file: &FileCopy<'_>, key: i64, table: &Table) -> Result<u64> {
    let (names, sources) = sources(file, table)?;
    let mut columns = (table.columns.iter())
        .map(|(c, ty)| Column::of(&table.name, c, ty))
        .collect::<Result<Vec<_>>>()?;
    let casts: Vec<String> = (columns.iter().enumerate())
        .map(|(i, c)| format!("${}::{}", i + 2, c.array_type()))
        .collect();
    let insert = format!(
        "INSERT INTO {} (store_id, {}) SELECT $1, u.* FROM unnest({}) AS u",
        quote(&table.name),
        (table.columns.iter())
            .map(|(c, _)| quote(c))
            .collect::<Vec<_>>()
            .join(", "),
        casts.join(", ")
    );
    let mut flush = |columns: &mut Vec<Column>| -> Result<()> {
        let mut params = vec![p(key)];
        params.extend(columns.iter_mut().map(Column::take));
        tx.execute(&insert, params)?;
        Ok(())
    };
    let mut pending = 0usize;
    let total = file.rows(&table.name, &names, |cells| {
        for (n, (column, &source)) in columns.iter_mut().zip(&sources).enumerate() {
            let (Source::Same(i) | Source::Ints(i) | Source::Texts(i)) = source;
            let at = || format!("the column {}.{}", table.name, table.columns[n].0);
            column.push(&cells[i], source, &at)?;
        }
        pending += 1;
        if pending == CHUNK {
            flush(&mut columns)?;
            pending = 0;
        }
        Ok(())
    })?;
    if pending > 0 {
        flush(&mut columns)?;
    }
    Ok(total)
}

/// One PostgreSQL value as SQLite's.
fn value_of(r: &Row, i: usize, ty: &str) -> Result<Cell> {
    Ok(match ty {
        "int8" => get::<Option<i64>>(r, i)?.map_or(Cell::Null, Cell::Integer),
        "int4" => get::<Option<i32>>(r, i)?.map_or(Cell::Null, |v| Cell::Integer(v.into())),
        "float8" => get::<Option<f64>>(r, i)?.map_or(Cell::Null, Cell::Real),
        "bytea" => get::<Option<Vec<u8>>>(r, i)?.map_or(Cell::Null, Cell::Blob),
        _ => get::<Option<String>>(r, i)?.map_or(Cell::Null, Cell::Text),
    })
}

/// Copies `table`'s rows of the transaction's store into the new SQLite file (emptied of
/// what its creation wrote first); the number of rows.
fn copy_out(tx: &mut Tx, file: &FileCopy<'_>, table: &Table) -> Result<u64> {
    let (names, sources) = sources(file, table)?;
    for (c, ty) in &table.columns {
        Column::of(&table.name, c, ty)?;
    }
    file.clear(&table.name)?;
    let rows = tx.query(
        &format!(
            "SELECT {} FROM {} WHERE store_id = current_setting('hearken.store')::bigint",
            (table.columns.iter())
                .map(|(c, _)| quote(c))
                .collect::<Vec<_>>()
                .join(", "),
            quote(&table.name)
        ),
        vec![],
    )?;
    for r in &rows {
        let mut cells = vec![Cell::Null; names.len()];
        for (n, (&source, (_, ty))) in sources.iter().zip(&table.columns).enumerate() {
            let v = value_of(r, n, ty)?;
            match source {
                Source::Same(i) => cells[i] = v,
                // A split column: whichever half holds the value.
                Source::Ints(i) | Source::Texts(i) => {
                    if v != Cell::Null {
                        cells[i] = v;
                    }
                }
            }
        }
        file.insert(&table.name, &names, cells)?;
    }
    Ok(rows.len() as u64)
}
