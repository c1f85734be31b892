//! The PostgreSQL schema (H2, H4, H5): tables keyed by store id first, row-level security
//! forced on every store table for a role that owns nothing, the shared unsubscribe list.
//!
//! Only [`install`] (an admin's call, as the owner of the tables) creates or changes the
//! schema; opening a store never does.

use super::client::PgClient;
use crate::error::{Error, Problem, Result};

/// Version 1, the base: the SQLite schema of version 10, keyed by store (see the file's
/// header).
pub const V1: &str = include_str!("schema_v1.sql");

/// `MIGRATIONS[i]` brings the schema from version `i` to `i + 1`, in the install's one
/// transaction: version 2 is one more step here (`include_str!("schema_v2.sql")`).
///
/// A step expands, then a later one contracts: version N + 1 only adds (tables, nullable
/// or defaulted columns, indexes), so code of version N keeps working on it during a
/// rolling deploy ([`check`] accepts N + 1); what N + 1's code no longer uses is dropped
/// by a later step, once no code of version N runs.
pub const MIGRATIONS: &[&str] = &[V1];

/// The PostgreSQL schema version this library writes: one per step of [`MIGRATIONS`].
pub const PG_SCHEMA_VERSION: i32 = MIGRATIONS.len() as i32;

/// The role the engine connects as, unless told otherwise.
pub const ENGINE_ROLE: &str = "hearken_engine";

/// The tables without a store policy: the store directory, the vendor-wide unsubscribe
/// list, database-wide settings, the schema version (Citus reference tables) and the
/// mailers' leases (vendor-level, reached through functions only). Every other
/// table leads its keys with `store_id` (H4).
pub const SHARED_TABLES: &[&str] = &[
    "schema_version",
    "shared_settings",
    "store_leases",
    "stores",
    "unsubscribes",
];

/// Tables of the SQLite store with no PostgreSQL twin: summaries the SQLite store keeps of
/// its other tables, counted again from them when a copy writes a file
/// (`person_latest`, SQLite schema 21: each person's latest counting invitation, which the
/// PostgreSQL store reads from the invitations themselves).
pub const SQLITE_ONLY_TABLES: &[&str] = &["person_latest"];

/// Every table holding one store's rows: row-level security forced, one policy each.
pub const STORE_TABLES: &[&str] = &[
    "alert_assignments",
    "alert_follow_ups",
    "alert_interactions",
    "alerts",
    "bounces",
    "calendar_days",
    "closed_dates",
    "consent_changes",
    "customers",
    "decisions",
    "employees",
    "event_meta",
    "events",
    "external_reviews",
    "inbound_replies",
    "invitations",
    "link_tokens",
    "location_feedback",
    "location_policies",
    "locations",
    "outbox",
    "peer_aggregates",
    "receipt_links",
    "relationship_decisions",
    "reply_addresses",
    "response_deletions",
    "responses",
    "rollups_daily",
    "setting_values",
    "store_counters",
    "suppression_hashes",
    "suppressions",
    "survey",
    "sync_dates",
    "templates",
    "thread_comments",
    "transaction_employees",
    "transactions",
    "user_locations",
    "user_notify_locations",
    "users",
    "webhook_subscriptions",
];

/// The predicate of every policy: the store set for this transaction with
/// `set_config('hearken.store', …, true)`. Unset, the cast fails: no silent empty answer.
pub const STORE_PREDICATE: &str = "store_id = current_setting('hearken.store')::bigint";

fn invalid(field: &str, reason: impl Into<String>) -> Error {
    Error::Invalid(vec![Problem::top("install", field, reason)])
}

/// A role name as an SQL identifier: plain lower-case names only, so no quoting games.
fn role_ident(role: &str) -> Result<&str> {
    let ok = !role.is_empty()
        && role.len() <= 63
        && role.starts_with(|c: char| c.is_ascii_lowercase() || c == '_')
        && role
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_');
    if ok {
        Ok(role)
    } else {
        Err(invalid(
            "role",
            "a role name of lower-case letters, digits and _",
        ))
    }
}

/// Row-level security, policies and grants for `role`: idempotent, run on every install.
pub fn security_sql(role: &str) -> Result<String> {
    let role = role_ident(role)?;
    let mut sql = String::new();
    for table in STORE_TABLES {
        sql.push_str(&format!(
            "ALTER TABLE {table} ENABLE ROW LEVEL SECURITY;\n\
             ALTER TABLE {table} FORCE ROW LEVEL SECURITY;\n\
             DROP POLICY IF EXISTS store_rows ON {table};\n\
             CREATE POLICY store_rows ON {table} USING ({STORE_PREDICATE}) WITH CHECK ({STORE_PREDICATE});\n\
             REVOKE ALL ON {table} FROM PUBLIC;\n\
             GRANT SELECT, INSERT, UPDATE, DELETE ON {table} TO {role};\n"
        ));
    }
    // The directory: the engine reads its own store's row; the key of a text id comes
    // from hearken_store_key(), which runs as the owner, with its search_path pinned to
    // this schema and pg_temp last (else a caller's temporary `stores` table would be
    // read first: the classic SECURITY DEFINER trap).
    sql.push_str(&format!(
        "ALTER TABLE stores ENABLE ROW LEVEL SECURITY;\n\
         ALTER TABLE stores FORCE ROW LEVEL SECURITY;\n\
         DROP POLICY IF EXISTS store_rows ON stores;\n\
         CREATE POLICY store_rows ON stores FOR SELECT USING ({STORE_PREDICATE});\n\
         REVOKE ALL ON stores FROM PUBLIC;\n\
         GRANT SELECT ON stores TO {role};\n\
         CREATE OR REPLACE FUNCTION hearken_store_key(text) RETURNS bigint\n\
             LANGUAGE sql STABLE SECURITY DEFINER\n\
             AS 'SELECT store_id FROM stores WHERE text_id = $1';\n\
         DO $$ BEGIN EXECUTE format(\n\
             'ALTER FUNCTION hearken_store_key(text) SET search_path = %I, pg_temp',\n\
             current_schema()); END $$;\n\
         REVOKE ALL ON FUNCTION hearken_store_key(text) FROM PUBLIC;\n\
         GRANT EXECUTE ON FUNCTION hearken_store_key(text) TO {role};\n\
         REVOKE ALL ON unsubscribes, shared_settings, schema_version FROM PUBLIC;\n\
         GRANT SELECT, INSERT, UPDATE, DELETE ON unsubscribes TO {role};\n\
         GRANT SELECT ON shared_settings, schema_version TO {role};\n"
    ));
    sql.push_str(&lease_sql(role));
    Ok(sql)
}

/// A setting's stored integer for the store `l.store_id`, or the library's default `$d`.
fn setting(group: &str, key: &str, default: &str) -> String {
    format!(
        "(SELECT coalesce((SELECT v.int_value FROM setting_values v WHERE v.store_id = l.store_id \
         AND v.grp = '{group}' AND v.key = '{key}'), {default}))"
    )
}

/// The mailer leases (H3, `src/hosted/lease.rs`): three `SECURITY DEFINER` functions that
/// run as the tables' owner (who bypasses row-level security, as `hearken_store_key`
/// needs), so a mailer connecting as the engine role sees which stores have due work but
/// never their rows. A store is due when `run_due` or a claim would act on it: a pending
/// message due at `now`, an in-flight one whose lease ran out, a delivered invitation
/// whose reminder decision is ripe (the cutoff `queue_reminders` uses), an unescalated
/// open alert past the escalation delay, a delivered message to slim; the settings are
/// the store's own, or the library's defaults passed by the caller.
fn lease_sql(role: &str) -> String {
    let reminder = setting(
        "feedback",
        "non_respondent_reminder_days",
        "p_reminder_days",
    );
    let escalate = setting("alerts", "escalate_after_hours", "p_escalate_hours");
    let slim = setting("delivery", "slim_delivered_after_days", "p_slim_days");
    format!(
        "CREATE OR REPLACE FUNCTION hearken_lease_stores(p_mailer text, p_now bigint, \
             p_limit integer, p_until bigint, p_reminder_days bigint, p_escalate_hours bigint, \
             p_slim_days bigint)\n\
             RETURNS TABLE (lease_store bigint, lease_text_id text, lease_until bigint)\n\
             LANGUAGE sql VOLATILE SECURITY DEFINER AS $lease$\n\
         WITH picked AS (\n\
           SELECT l.store_id FROM store_leases l\n\
           WHERE (l.leased_until IS NULL OR l.leased_until <= p_now) AND (\n\
             EXISTS (SELECT 1 FROM outbox o WHERE o.store_id = l.store_id\n\
                     AND o.status = 'pending' AND o.due_at <= p_now)\n\
             OR EXISTS (SELECT 1 FROM outbox o WHERE o.store_id = l.store_id\n\
                     AND o.status = 'in_flight' AND o.lease_until <= p_now)\n\
             OR EXISTS (SELECT 1 FROM invitations i WHERE i.store_id = l.store_id\n\
                     AND i.status = 'delivered' AND i.reminder_decided = 0\n\
                     AND i.delivered_at <= p_now - 86400000 * (SELECT CASE WHEN d.n = 0 THEN 7\n\
                         ELSE least(7, d.n) END FROM (SELECT {reminder} AS n) d))\n\
             OR EXISTS (SELECT 1 FROM alerts a, (SELECT {escalate} AS n) h\n\
                     WHERE h.n > 0 AND a.store_id = l.store_id AND a.status <> 'done'\n\
                     AND a.escalated_at IS NULL AND a.created_at <= p_now - 3600000 * h.n)\n\
             OR EXISTS (SELECT 1 FROM outbox o, (SELECT {slim} AS n) d\n\
                     WHERE d.n > 0 AND o.store_id = l.store_id AND o.status = 'acked'\n\
                     AND (o.params <> '{{}}' OR o.last_error IS NOT NULL)\n\
                     AND o.updated_at < p_now - 86400000 * d.n))\n\
           ORDER BY l.leased_at NULLS FIRST, l.store_id\n\
           LIMIT p_limit\n\
           FOR UPDATE OF l SKIP LOCKED)\n\
         UPDATE store_leases l SET leased_by = p_mailer, leased_until = p_until, leased_at = p_now\n\
         FROM picked, stores s\n\
         WHERE l.store_id = picked.store_id AND s.store_id = l.store_id\n\
         RETURNING l.store_id, s.text_id, l.leased_until\n\
         $lease$;\n\
         CREATE OR REPLACE FUNCTION hearken_renew_store(p_store bigint, p_mailer text, \
             p_held_until bigint, p_now bigint, p_until bigint) RETURNS boolean\n\
             LANGUAGE sql VOLATILE SECURITY DEFINER AS $lease$\n\
         WITH renewed AS (UPDATE store_leases SET leased_until = p_until\n\
           WHERE store_id = p_store AND leased_by = p_mailer AND leased_until = p_held_until\n\
             AND leased_until > p_now RETURNING 1)\n\
         SELECT count(*) > 0 FROM renewed\n\
         $lease$;\n\
         CREATE OR REPLACE FUNCTION hearken_release_store(p_store bigint, p_mailer text, \
             p_held_until bigint) RETURNS boolean\n\
             LANGUAGE sql VOLATILE SECURITY DEFINER AS $lease$\n\
         WITH released AS (UPDATE store_leases SET leased_by = NULL, leased_until = NULL\n\
           WHERE store_id = p_store AND leased_by = p_mailer AND leased_until = p_held_until\n\
           RETURNING 1)\n\
         SELECT count(*) > 0 FROM released\n\
         $lease$;\n\
         DO $$ BEGIN\n\
           EXECUTE format('ALTER FUNCTION hearken_lease_stores(text, bigint, integer, bigint, \
             bigint, bigint, bigint) SET search_path = %I, pg_temp', current_schema());\n\
           EXECUTE format('ALTER FUNCTION hearken_renew_store(bigint, text, bigint, bigint, \
             bigint) SET search_path = %I, pg_temp', current_schema());\n\
           EXECUTE format('ALTER FUNCTION hearken_release_store(bigint, text, bigint) \
             SET search_path = %I, pg_temp', current_schema());\n\
         END $$;\n\
         REVOKE ALL ON store_leases FROM PUBLIC;\n\
         REVOKE ALL ON FUNCTION hearken_lease_stores(text, bigint, integer, bigint, bigint, \
             bigint, bigint), hearken_renew_store(bigint, text, bigint, bigint, bigint), \
             hearken_release_store(bigint, text, bigint) FROM PUBLIC;\n\
         GRANT EXECUTE ON FUNCTION hearken_lease_stores(text, bigint, integer, bigint, bigint, \
             bigint, bigint), hearken_renew_store(bigint, text, bigint, bigint, bigint), \
             hearken_release_store(bigint, text, bigint) TO {role};\n"
    )
}

/// What [`install`] did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Installed {
    /// The schema version found before (`None`: an empty database).
    pub found: Option<i32>,
    /// The version now.
    pub version: i32,
}

/// Installs the schema (when absent) or migrates it (when older: the steps of
/// [`MIGRATIONS`] it lacks), then the row-level security, policies and grants for
/// [`ENGINE_ROLE`], in one transaction under the schema lock: safe to run again and from
/// several processes at once. Run it as the role that is to own the tables.
pub fn install(admin_url: &str) -> Result<Installed> {
    install_for_role(admin_url, ENGINE_ROLE)
}

/// [`install`] for another engine role. The role must exist, and may neither be a
/// superuser nor bypass row-level security (H2): such a role is refused.
pub fn install_for_role(admin_url: &str, engine_role: &str) -> Result<Installed> {
    install_on(&PgClient::connect(admin_url)?, engine_role)
}

/// [`install_for_role`] on an admin's client.
pub fn install_on(admin: &PgClient, engine_role: &str) -> Result<Installed> {
    let role = role_ident(engine_role)?.to_owned();
    let security = security_sql(&role)?;
    admin.with_admin_transaction(|tx| {
        tx.batch_execute(&format!(
            "SELECT pg_advisory_xact_lock({}, 0)",
            super::client::SCHEMA_LOCK_CLASS
        ))?;
        let row = tx.query_opt(
            "SELECT rolsuper, rolbypassrls FROM pg_roles WHERE rolname = $1",
            vec![super::p(role.clone())],
        )?;
        match row {
            None => {
                return Err(invalid(
                    "role",
                    format!("the role {role} does not exist: create it (LOGIN, NOSUPERUSER, NOBYPASSRLS) first"),
                ));
            }
            Some(r) if r.get::<_, bool>(0) || r.get::<_, bool>(1) => {
                return Err(invalid(
                    "role",
                    format!("the engine role {role} is a superuser or bypasses row-level security (H2)"),
                ));
            }
            Some(_) => {}
        }
        let exists: bool = tx
            .query_one("SELECT to_regclass('schema_version') IS NOT NULL", vec![])?
            .get(0);
        let found = if exists {
            tx.query_opt("SELECT max(version) FROM schema_version", vec![])?
                .and_then(|r| r.get::<_, Option<i32>>(0))
        } else {
            None
        };
        match found {
            Some(v) if v > PG_SCHEMA_VERSION => {
                return Err(Error::NewerSchema {
                    found: i64::from(v),
                    supported: i64::from(PG_SCHEMA_VERSION),
                });
            }
            Some(v) if v == PG_SCHEMA_VERSION => {}
            _ => {
                let from = found.map_or(0, |v| usize::try_from(v).unwrap_or(0));
                for step in &MIGRATIONS[from.min(MIGRATIONS.len())..] {
                    tx.batch_execute(step)?;
                }
                // One row: the version now.
                tx.batch_execute("DELETE FROM schema_version")?;
                tx.execute(
                    "INSERT INTO schema_version (version) VALUES ($1)",
                    vec![super::p(PG_SCHEMA_VERSION)],
                )?;
                // One database-wide pepper for the shared unsubscribe hashes (H2): 64 hex
                // digits from gen_random_uuid(), PostgreSQL's strong random source.
                tx.batch_execute(
                    "INSERT INTO shared_settings (key, value) SELECT 'unsubscribe_pepper', \
                     replace(gen_random_uuid()::text || gen_random_uuid()::text, '-', '') \
                     ON CONFLICT (key) DO NOTHING",
                )?;
            }
        }
        tx.batch_execute(&security)?;
        Ok(Installed {
            found,
            version: PG_SCHEMA_VERSION,
        })
    })
}

/// What opening a store checks (H5): the schema version, without changing anything.
/// Version N (this library's) and N + 1 are accepted (migrations expand then contract,
/// so code of version N works on schema N + 1 during a rolling deploy); two or more
/// ahead is [`Error::NewerSchema`]; an absent or older schema is a storage error that
/// names the admin call to run. Returns the version found.
pub fn check(client: &PgClient) -> Result<i32> {
    let found = client.with_admin_transaction(|tx| {
        let exists: bool = tx
            .query_one("SELECT to_regclass('schema_version') IS NOT NULL", vec![])?
            .get(0);
        if !exists {
            return Ok(None);
        }
        Ok(tx
            .query_one("SELECT max(version) FROM schema_version", vec![])?
            .get::<_, Option<i32>>(0))
    })?;
    judge(found)
}

/// Whether this library works on the schema version `found` (`None`: no schema).
fn judge(found: Option<i32>) -> Result<i32> {
    let needs_admin = |what: String, command: &str| {
        Error::Storage(crate::error::StorageError::new(
            crate::error::StorageFailure::Other,
            format!(
                "{what}: an admin must run `hearken admin {command}` (the install, hearken::hosted::Admin::{command}) first; opening never changes the schema"
            ),
        ))
    };
    match found {
        None => Err(needs_admin(
            "no hearken schema in this PostgreSQL database".into(),
            "install",
        )),
        Some(v) if v < PG_SCHEMA_VERSION => Err(needs_admin(
            format!(
                "the hearken schema is version {v}, older than this library's {PG_SCHEMA_VERSION}"
            ),
            "migrate",
        )),
        Some(v) if v > PG_SCHEMA_VERSION + 1 => Err(Error::NewerSchema {
            found: i64::from(v),
            supported: i64::from(PG_SCHEMA_VERSION),
        }),
        Some(v) => Ok(v),
    }
}

/// What opening the store `text_id` asks the database, in one unnamed statement and one
/// round trip (no transaction; safe behind PgBouncer in transaction mode): [`check`]'s verdict on the schema version, and the store's key
/// (`None`: no such store, or deleted). Nothing is cached between opens, so a store an
/// admin deleted is refused by the next open, and a migration is seen by it.
pub fn open_store(client: &PgClient, text_id: &str) -> Result<(i32, Option<i64>)> {
    let rows = client.query_alone(
        "SELECT (SELECT max(version) FROM schema_version), hearken_store_key($1)",
        vec![(
            super::p(text_id.to_owned()),
            tokio_postgres::types::Type::TEXT,
        )],
    );
    match rows {
        Ok(rows) => {
            let row = rows
                .first()
                .ok_or_else(|| Error::Internal("the open query returned no row".into()))?;
            let version = judge(row.try_get::<_, Option<i32>>(0).map_err(column)?)?;
            Ok((version, row.try_get::<_, Option<i64>>(1).map_err(column)?))
        }
        // No schema (or one without these objects): the two-step path names what to run.
        Err(Error::Storage(e)) if undefined_object(&e) => {
            let version = check(client)?;
            Ok((version, store_key(client, text_id)?))
        }
        Err(e) => Err(e),
    }
}

fn column(e: tokio_postgres::Error) -> Error {
    Error::Internal(format!("postgres: a column of the open query: {e}"))
}

/// An undefined table or function (SQLSTATE 42P01, 42883): the schema is absent or not
/// the one this library knows.
fn undefined_object(e: &crate::error::StorageError) -> bool {
    let m = e.to_string();
    m.contains("postgres 42P01") || m.contains("postgres 42883")
}

/// A store's text id as the directory takes it: 1 to 128 characters, no control
/// characters; otherwise invalid input naming `store` (the value is not echoed).
pub fn check_text_id(text_id: &str) -> Result<()> {
    crate::admin::check_store_id(text_id)
}

/// The conflict of a text id the directory already holds.
pub(crate) fn store_exists() -> Error {
    Error::Conflict("a store with this text id exists already".into())
}

/// Creates the store `text_id` (an admin's call); its key. Like a new SQLite store, it
/// gets its own random secrets: a 16-byte sampling salt (P4) and a 32-byte suppression
/// pepper (T2: a hash is never made with an empty pepper). A text id already taken is
/// [`Error::Conflict`].
pub fn create_store(admin: &PgClient, text_id: &str) -> Result<i64> {
    check_text_id(text_id)?;
    let hex = |bytes: &[u8]| bytes.iter().map(|b| format!("{b:02x}")).collect::<String>();
    let mut salt = [0u8; 16];
    let mut pepper = [0u8; 32];
    for buf in [&mut salt[..], &mut pepper[..]] {
        getrandom::fill(buf).map_err(|_| Error::Internal("the OS random source failed".into()))?;
    }
    admin.with_admin_transaction(|tx| {
        let key: i64 = tx
            .query_opt(
                "INSERT INTO stores (text_id) VALUES ($1) ON CONFLICT (text_id) DO NOTHING \
                 RETURNING store_id",
                vec![super::p(text_id.to_owned())],
            )?
            .ok_or_else(store_exists)?
            .get(0);
        tx.execute(
            "INSERT INTO setting_values (store_id, grp, key, text_value)
             VALUES ($1, 'policy', 'sample_salt', $2), ($1, 'delivery', 'suppression_pepper', $3)",
            vec![super::p(key), super::p(hex(&salt)), super::p(hex(&pepper))],
        )?;
        // Its row of the mailers' leases (H3): held by nobody.
        tx.execute(
            "INSERT INTO store_leases (store_id) VALUES ($1)",
            vec![super::p(key)],
        )?;
        // Its event feed (D1): no event yet, a random incarnation.
        tx.execute(
            "INSERT INTO event_meta (store_id, id, incarnation, last_seq) VALUES ($1, 1, $2, 0)",
            vec![super::p(key), super::p(crate::store::new_incarnation()?)],
        )?;
        Ok(key)
    })
}

/// The key of the store `text_id`, as the engine role finds it (`hearken_store_key`).
pub fn store_key(client: &PgClient, text_id: &str) -> Result<Option<i64>> {
    client.with_admin_transaction(|tx| {
        Ok(tx
            .query_one(
                "SELECT hearken_store_key($1)",
                vec![super::p(text_id.to_owned())],
            )?
            .get::<_, Option<i64>>(0))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_table_is_listed_once() {
        let mut created: Vec<&str> = V1
            .lines()
            .filter_map(|l| l.strip_prefix("CREATE TABLE "))
            .map(|l| l.trim_end_matches(" (").trim())
            .collect();
        created.sort_unstable();
        let mut listed: Vec<&str> = STORE_TABLES.iter().chain(SHARED_TABLES).copied().collect();
        listed.sort_unstable();
        assert_eq!(created, listed);
    }

    #[test]
    fn roles_are_plain_identifiers() {
        assert!(role_ident("hearken_engine").is_ok());
        assert!(role_ident("x; DROP TABLE stores").is_err());
        assert!(role_ident("Engine").is_err());
    }
}
