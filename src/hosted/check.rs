//! An admin's check of a hosted database (H2, H5): what the schema leaves to the engine,
//! re-checked. The PostgreSQL schema drops thirteen foreign keys for speed (the five
//! tables a night writes most rows of: see `schema_v1.sql`), and no store table refers to the
//! directory of stores by a foreign key; an SQLite file keeps its keys and
//! `Engine::check` runs SQLite's checks (T7), but nothing re-checks these on PostgreSQL.
//! After an import, a manual repair, or now and then, an admin runs [`Admin::check`]:
//!
//! - the schema version, and whether it is this library's;
//! - every store table has row-level security enabled and forced, and the store policy as
//!   installed as its only permissive policy;
//! - every role granted the store tables (the engine's role) owns nothing in the database
//!   and is neither a superuser nor bypasses row-level security;
//! - every reference the schema does not enforce ([`UNENFORCED`], and every store table's
//!   `store_id` to `stores`), as orphan counts per store: one query per reference over
//!   every store (or one store), by the store-leading keys.
//!
//! Read-only (`transaction_read_only` on); it reports names and counts, never a row value.

use std::collections::BTreeMap;

use super::admin::Admin;
use super::client::Tx;
use super::p;
use super::schema::{PG_SCHEMA_VERSION, STORE_TABLES};
use crate::error::{Error, Result};
use crate::model::{AdminCheck, OrphanCount, RoleCheck, TableSecurity};
use crate::store::postgres::get;

/// The references SQLite's schema enforces and PostgreSQL's does not (dropped for speed):
/// (table, column, referenced table). The referenced table's key is `(store_id, id)`; a
/// NULL column refers to nothing.
pub const UNENFORCED: &[(&str, &str, &str)] = &[
    ("decisions", "transaction_id", "transactions"),
    ("invitations", "customer_id", "customers"),
    ("invitations", "location_id", "locations"),
    ("invitations", "transaction_id", "transactions"),
    ("outbox", "alert_id", "alerts"),
    ("outbox", "customer_id", "customers"),
    ("outbox", "invitation_id", "invitations"),
    ("outbox", "location_id", "locations"),
    ("outbox", "user_id", "users"),
    ("transaction_employees", "employee_id", "employees"),
    ("transaction_employees", "transaction_id", "transactions"),
    ("transactions", "customer_id", "customers"),
    ("transactions", "location_id", "locations"),
];

/// The store tables whose `store_id` refers to the directory by a foreign key; every
/// other store table's is checked by [`directory_sql`].
const DIRECTORY_KEYED: &[&str] = &["store_counters"];

/// The store policy's expression (`schema::STORE_PREDICATE`) as PostgreSQL prints it back.
pub const POLICY_EXPR: &str = "(store_id = (current_setting('hearken.store'::text))::bigint)";

/// The orphans of one unenforced reference, counted per store: every store, or the one
/// bound as `$1`. A walk of the child's store-leading key, each row probing the parent's
/// primary key `(store_id, id)`.
pub fn orphan_sql(table: &str, column: &str, parent: &str, one_store: bool) -> String {
    let store = if one_store {
        "c.store_id = $1 AND "
    } else {
        ""
    };
    format!(
        "SELECT c.store_id, count(*) FROM {table} c \
         WHERE {store}c.{column} IS NOT NULL \
         AND NOT EXISTS (SELECT 1 FROM {parent} p WHERE p.store_id = c.store_id AND p.id = c.{column}) \
         GROUP BY c.store_id"
    )
}

/// The rows of `table` whose store is not in the directory, counted per store key: the
/// table's distinct store ids found by a skip scan of its store-leading index (one probe
/// per store, not a read of every row), each looked up in `stores`, the rows of a missing
/// one counted by the same index.
pub fn directory_sql(table: &str) -> String {
    format!(
        "WITH RECURSIVE k (key) AS ( \
           SELECT min(store_id) FROM {table} \
           UNION ALL \
           SELECT (SELECT min(t.store_id) FROM {table} t WHERE t.store_id > k.key) \
           FROM k WHERE k.key IS NOT NULL) \
         SELECT k.key, (SELECT count(*) FROM {table} t WHERE t.store_id = k.key) FROM k \
         WHERE k.key IS NOT NULL \
         AND NOT EXISTS (SELECT 1 FROM stores s WHERE s.store_id = k.key)"
    )
}

/// The row-level security of each store table: exists, enabled, forced, and whether its
/// permissive policies are exactly `store_rows` as installed.
const SECURITY_SQL: &str = "SELECT t.name, c.oid IS NOT NULL, coalesce(c.relrowsecurity, false), \
       coalesce(c.relforcerowsecurity, false), \
       coalesce((SELECT count(*) FILTER (WHERE p.polpermissive) = 1 \
                    AND bool_or(p.polname = 'store_rows' AND p.polpermissive AND p.polcmd = '*' \
                        AND p.polroles = ARRAY[0]::oid[] \
                        AND pg_get_expr(p.polqual, p.polrelid) = $2 \
                        AND pg_get_expr(p.polwithcheck, p.polrelid) = $2) \
                 FROM pg_catalog.pg_policy p WHERE p.polrelid = c.oid), false) \
     FROM unnest($1::text[]) WITH ORDINALITY AS t (name, n) \
     LEFT JOIN pg_catalog.pg_class c ON c.relname = t.name AND c.relkind IN ('r', 'p') \
       AND c.relnamespace = (SELECT oid FROM pg_catalog.pg_namespace WHERE nspname = current_schema()) \
     ORDER BY t.n";

/// Every role granted rights on a store table (but the owner), with its attributes and
/// the objects of this database it owns (temporary tables aside).
const ROLES_SQL: &str = "SELECT r.rolname::text, r.rolsuper, r.rolbypassrls, \
       (SELECT count(*) FROM pg_catalog.pg_class o WHERE o.relowner = r.oid AND o.relpersistence <> 't') \
     + (SELECT count(*) FROM pg_catalog.pg_proc o WHERE o.proowner = r.oid) \
     + (SELECT count(*) FROM pg_catalog.pg_namespace o WHERE o.nspowner = r.oid) \
     + (SELECT count(*) FROM pg_catalog.pg_database o WHERE o.datdba = r.oid \
          AND o.datname = current_database()) \
     FROM pg_catalog.pg_roles r \
     WHERE r.oid IN (SELECT a.grantee FROM pg_catalog.pg_class c \
                     CROSS JOIN LATERAL aclexplode(c.relacl) a \
                     WHERE c.relname = ANY($1::text[]) AND a.grantee <> c.relowner \
                       AND c.relnamespace = (SELECT oid FROM pg_catalog.pg_namespace \
                                             WHERE nspname = current_schema())) \
     ORDER BY r.rolname COLLATE \"C\"";

fn count(n: i64) -> u64 {
    u64::try_from(n).unwrap_or(0)
}

impl Admin {
    /// Checks the hosted database, or the store `text_id` only (its orphans; the schema,
    /// the row-level security and the roles are the database's): see the module's
    /// documentation. Changes nothing. An unknown store is [`Error::NotFound`]. A database
    /// without the hearken schema is reported (`schema_version` `None`, not ok), nothing
    /// else checked.
    pub fn check(&self, text_id: Option<&str>) -> Result<AdminCheck> {
        if let Some(id) = text_id {
            super::schema::check_text_id(id)?;
        }
        self.client().with_admin_transaction(|tx| {
            tx.batch_execute("SET LOCAL transaction_read_only = on")?;
            let mut report = AdminCheck {
                ok: false,
                store: text_id.map(str::to_owned),
                schema_version: None,
                schema_current: false,
                stores_checked: 0,
                tables_checked: 0,
                unsecured_tables: Vec::new(),
                roles: Vec::new(),
                references_checked: 0,
                orphans: Vec::new(),
            };
            let installed: bool = get(
                &tx.query_one("SELECT to_regclass('schema_version') IS NOT NULL", vec![])?,
                0,
            )?;
            if !installed {
                return Ok(report);
            }
            let version: Option<i32> = get(
                &tx.query_one("SELECT max(version) FROM schema_version", vec![])?,
                0,
            )?;
            report.schema_version = version.map(i64::from);
            report.schema_current = version == Some(PG_SCHEMA_VERSION);
            let key = match text_id {
                Some(id) => Some(get::<i64>(
                    &tx.query_opt(
                        "SELECT store_id FROM stores WHERE text_id = $1",
                        vec![p(id.to_owned())],
                    )?
                    .ok_or_else(|| Error::NotFound {
                        what: "store",
                        id: id.to_owned(),
                    })?,
                    0,
                )?),
                None => None,
            };
            report.stores_checked = match key {
                Some(_) => 1,
                None => count(get(
                    &tx.query_one("SELECT count(*) FROM stores", vec![])?,
                    0,
                )?),
            };
            let tables: Vec<String> = STORE_TABLES.iter().map(|t| (*t).to_owned()).collect();
            report.tables_checked = tables.len() as u64;
            for r in tx.query(
                SECURITY_SQL,
                vec![p(tables.clone()), p(POLICY_EXPR.to_owned())],
            )? {
                let security = TableSecurity {
                    table: get(&r, 0)?,
                    exists: get(&r, 1)?,
                    row_security: get(&r, 2)?,
                    forced: get(&r, 3)?,
                    policy: get(&r, 4)?,
                };
                if !(security.exists && security.row_security && security.forced && security.policy)
                {
                    report.unsecured_tables.push(security);
                }
            }
            for r in tx.query(ROLES_SQL, vec![p(tables)])? {
                report.roles.push(RoleCheck {
                    role: get(&r, 0)?,
                    superuser: get(&r, 1)?,
                    bypass_rls: get(&r, 2)?,
                    owned_objects: count(get(&r, 3)?),
                });
            }
            let mut found: Vec<(i64, &str, &str, &str, u64)> = Vec::new();
            for &(table, column, parent) in UNENFORCED {
                let sql = orphan_sql(table, column, parent, key.is_some());
                let params = key.map(|k| vec![p(k)]).unwrap_or_default();
                for r in tx.query(&sql, params)? {
                    found.push((get(&r, 0)?, table, column, parent, count(get(&r, 1)?)));
                }
                report.references_checked += 1;
            }
            // A store that is in the directory (the one named) has no rows outside it.
            if key.is_none() {
                for &table in STORE_TABLES {
                    if DIRECTORY_KEYED.contains(&table) {
                        continue;
                    }
                    for r in tx.query(&directory_sql(table), vec![])? {
                        found.push((get(&r, 0)?, table, "store_id", "stores", count(get(&r, 1)?)));
                    }
                    report.references_checked += 1;
                }
            }
            report.orphans = named(tx, found)?;
            report.ok = report.problems() == 0;
            Ok(report)
        })
    }
}

/// The orphan counts with their stores' text ids, ordered by store key, table, column.
fn named(tx: &mut Tx, mut found: Vec<(i64, &str, &str, &str, u64)>) -> Result<Vec<OrphanCount>> {
    found.sort_unstable();
    let mut keys: Vec<i64> = found.iter().map(|f| f.0).collect();
    keys.dedup();
    let mut text_ids = BTreeMap::new();
    if !keys.is_empty() {
        for r in tx.query(
            "SELECT store_id, text_id FROM stores WHERE store_id = ANY($1)",
            vec![p(keys)],
        )? {
            text_ids.insert(get::<i64>(&r, 0)?, get::<String>(&r, 1)?);
        }
    }
    Ok(found
        .into_iter()
        .map(|(key, table, column, parent, rows)| OrphanCount {
            store: text_ids.get(&key).cloned(),
            store_key: key,
            table: table.to_owned(),
            column: column.to_owned(),
            references: parent.to_owned(),
            rows,
        })
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Each unenforced reference is a column of its table in the schema, and no foreign
    /// key of the schema covers it.
    #[test]
    fn the_unenforced_references_are_not_keys_of_the_schema() {
        let v1 = super::super::schema::V1;
        for &(table, column, parent) in UNENFORCED {
            let start = v1
                .find(&format!("CREATE TABLE {table} ("))
                .unwrap_or_else(|| panic!("{table} in schema_v1.sql"));
            let body = &v1[start..start + v1[start..].find(");").unwrap()];
            assert!(
                body.contains(&format!("\n    {column} bigint")),
                "{table}.{column}"
            );
            assert!(
                !body.contains(&format!("({column}) REFERENCES"))
                    && !body.contains(&format!("store_id, {column}) REFERENCES {parent}")),
                "{table}.{column} is a foreign key of the schema: drop it from UNENFORCED"
            );
            assert!(STORE_TABLES.contains(&table) && STORE_TABLES.contains(&parent));
        }
    }
}
