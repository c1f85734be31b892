//! `hearken admin …`: hosted mode's administration (PostgreSQL, cargo feature `hosted`;
//! H5, H7): install or migrate the schema, create, list and delete stores, import an
//! SQLite store file into a new store and export a store to a new file.
//!
//! The admin's connection string comes from `$HEARKEN_ADMIN_DB` or `--url-file FILE`,
//! never from an argument holding a password: a command line is visible to every user of
//! the machine (`ps`, `/proc`) and kept in shell histories. Without the feature, `hearken
//! admin` says hosted mode is not built in (exit 1, the kind `unsupported`).

use std::path::PathBuf;

use clap::{Args, Subcommand};

use crate::commands::Out;
use crate::failure::Failure;

/// `hearken admin`'s options and command.
#[derive(Debug, Args)]
pub struct AdminArgs {
    /// A file holding the admin role's connection string (`postgres://…`), password
    /// included; else $HEARKEN_ADMIN_DB.
    #[arg(long, value_name = "FILE", global = true)]
    pub url_file: Option<PathBuf>,
    /// The admin role's connection string when it holds no password (a client
    /// certificate, say). One with a password is refused: a command line is visible to
    /// every user of the machine and kept in shell histories; use $HEARKEN_ADMIN_DB or
    /// --url-file.
    #[arg(long, value_name = "URL", global = true)]
    pub url: Option<String>,
    /// What to do.
    #[command(subcommand)]
    pub action: AdminAction,
}

/// The administration commands.
#[derive(Debug, Subcommand)]
pub enum AdminAction {
    /// Install the schema (or migrate an older one) and grant the engine role its rights.
    /// Safe to run again.
    Install {
        /// The role the engine connects as (NOSUPERUSER, NOBYPASSRLS).
        #[arg(long, default_value = "hearken_engine", value_name = "ROLE")]
        engine_role: String,
    },
    /// Bring the schema to this version (what opening an older schema asks for). Safe to
    /// run again.
    Migrate {
        /// The role the engine connects as.
        #[arg(long, default_value = "hearken_engine", value_name = "ROLE")]
        engine_role: String,
    },
    /// Create a store (its own random sampling salt and suppression pepper).
    CreateStore {
        /// The store's text id (what the engine opens it by).
        id: String,
    },
    /// List the stores.
    ListStores,
    /// Delete a store and every row of it, in one transaction.
    DeleteStore {
        /// The store's text id.
        id: String,
        /// Confirms the deletion (required).
        #[arg(long, required = true)]
        yes: bool,
    },
    /// Import an SQLite store file into a new store (same ids and settings), in one
    /// transaction. The file is only read.
    Import {
        /// The SQLite store file.
        file: PathBuf,
        /// The new store's text id.
        #[arg(long, value_name = "ID")]
        store: String,
    },
    /// Check the database and change nothing: the schema version, row-level security on
    /// every store table, the engine's role, and the references the schema does not
    /// enforce (orphan counts per store, no row value). Exit 1 when anything is found.
    Check {
        /// Check this store's rows only (the schema, security and roles are the
        /// database's).
        #[arg(long, value_name = "ID")]
        store: Option<String>,
    },
    /// Export a store to a new SQLite store file (an existing file is never replaced).
    Export {
        /// The file to write.
        file: PathBuf,
        /// The store's text id.
        #[arg(long, value_name = "ID")]
        store: String,
    },
}

/// Whether a connection string carries a password (`user:password@` or `password=`).
pub fn has_password(url: &str) -> bool {
    if url.to_ascii_lowercase().contains("password=") {
        return true;
    }
    let Some((_, rest)) = url.split_once("://") else {
        return false;
    };
    let authority = rest.split(['/', '?']).next().unwrap_or("");
    authority
        .rsplit_once('@')
        .is_some_and(|(userinfo, _)| userinfo.contains(':'))
}

/// The admin's connection string: `--url` (without a password), `--url-file`, or
/// $HEARKEN_ADMIN_DB.
fn admin_url(args: &AdminArgs) -> Result<String, Failure> {
    let invalid = |reason: &str| {
        Failure::Engine(hearken::Error::Invalid(vec![hearken::Problem::top(
            "admin", "url", reason,
        )]))
    };
    if let Some(url) = &args.url {
        if has_password(url) {
            return Err(invalid(
                "a connection string with a password is refused as an argument (every user \
                 of the machine sees a command line, shell histories keep it): put it in \
                 $HEARKEN_ADMIN_DB or a file named by --url-file",
            ));
        }
        return Ok(url.clone());
    }
    if let Some(file) = &args.url_file {
        let text = std::fs::read_to_string(file).map_err(|e| Failure::Input(file.clone(), e))?;
        return Ok(text.trim().to_owned());
    }
    match std::env::var("HEARKEN_ADMIN_DB") {
        Ok(url) if !url.trim().is_empty() => Ok(url.trim().to_owned()),
        _ => Err(invalid(
            "no admin connection string: set $HEARKEN_ADMIN_DB or name a file with --url-file",
        )),
    }
}

/// Runs `hearken admin …`.
#[cfg(feature = "hosted")]
pub fn run(args: &AdminArgs, out: &Out) -> Result<(), Failure> {
    use serde_json::json;

    let admin = hearken::hosted::Admin::connect(&admin_url(args)?)?;
    match &args.action {
        AdminAction::Install { engine_role } | AdminAction::Migrate { engine_role } => {
            let done = admin.install(engine_role)?;
            let shown = json!({ "found": done.found, "version": done.version });
            out.show(&shown, || match done.found {
                None => format!("schema version {} installed\n", done.version),
                Some(v) if v == done.version => {
                    format!("schema version {v} is current; grants re-applied\n")
                }
                Some(v) => format!("schema migrated from version {v} to {}\n", done.version),
            });
        }
        AdminAction::CreateStore { id } => {
            let key = admin.create_store(id)?;
            out.show(&json!({ "store": id, "key": key }), || {
                format!("store {id} created\n")
            });
        }
        AdminAction::ListStores => {
            let stores = admin.list_stores()?;
            let shown: Vec<_> = (stores.iter())
                .map(|s| json!({ "store": s.text_id, "key": s.key }))
                .collect();
            out.show(&shown, || {
                stores.iter().map(|s| format!("{}\n", s.text_id)).collect()
            });
        }
        AdminAction::DeleteStore { id, .. } => {
            let rows = admin.delete_store(id)?;
            out.show(&json!({ "store": id, "rows": rows }), || {
                format!("store {id} deleted ({rows} rows)\n")
            });
        }
        AdminAction::Import { file, store } => {
            let done = admin
                .import_sqlite(file, store)
                .map_err(|e| Failure::at(file, "import", e))?;
            let shown = json!({ "store": store, "key": done.key, "rows": done.rows });
            out.show(&shown, || {
                format!(
                    "{} imported into store {store} ({} rows)\n",
                    file.display(),
                    done.rows
                )
            });
        }
        AdminAction::Check { store } => {
            let report = admin.check(store.as_deref())?;
            out.show(&report, || check_text(&report));
            if !report.ok {
                return Err(Failure::HostedCheck(report.problems()));
            }
        }
        AdminAction::Export { file, store } => {
            let rows = admin
                .export_sqlite(store, file)
                .map_err(|e| Failure::at(file, "export to", e))?;
            let shown = json!({ "store": store, "file": file.display().to_string(), "rows": rows });
            out.show(&shown, || {
                format!(
                    "store {store} exported to {} ({rows} rows)\n",
                    file.display()
                )
            });
        }
    }
    Ok(())
}

/// `hearken admin check`'s report for a person: what was checked and what was found.
#[cfg(feature = "hosted")]
fn check_text(r: &hearken::AdminCheck) -> String {
    let mut text = match r.schema_version {
        None => return "no hearken schema in this database: PROBLEMS FOUND\n".to_owned(),
        Some(v) if r.schema_current => format!("schema version {v} (current)\n"),
        Some(v) => format!(
            "schema version {v}: NOT this version's ({})\n",
            hearken::hosted::schema::PG_SCHEMA_VERSION
        ),
    };
    text.push_str(&format!(
        "row-level security: {} store tables, {} not as installed\n",
        r.tables_checked,
        r.unsecured_tables.len()
    ));
    for t in &r.unsecured_tables {
        let mut wrong = Vec::new();
        if !t.exists {
            wrong.push("missing");
        } else {
            if !t.row_security {
                wrong.push("row security off");
            }
            if !t.forced {
                wrong.push("not forced");
            }
            if !t.policy {
                wrong.push("policy not as installed");
            }
        }
        text.push_str(&format!("  {}: {}\n", t.table, wrong.join(", ")));
    }
    if r.roles.is_empty() {
        text.push_str("roles granted the store tables: none\n");
    }
    for role in &r.roles {
        let verdict = if role.is_safe() {
            "owns nothing, no superuser, no BYPASSRLS".to_owned()
        } else {
            format!(
                "superuser {}, BYPASSRLS {}, owns {} objects",
                role.superuser, role.bypass_rls, role.owned_objects
            )
        };
        text.push_str(&format!("role {}: {verdict}\n", role.role));
    }
    text.push_str(&format!(
        "references not enforced by the schema: {} checked in {} stores, {} with orphans\n",
        r.references_checked,
        r.stores_checked,
        r.orphans.len()
    ));
    for o in &r.orphans {
        let store = o
            .store
            .clone()
            .unwrap_or_else(|| format!("(key {}, not in the directory)", o.store_key));
        text.push_str(&format!(
            "  store {store}: {} rows of {}.{} -> {}\n",
            o.rows, o.table, o.column, o.references
        ));
    }
    text.push_str(if r.ok { "ok\n" } else { "PROBLEMS FOUND\n" });
    text
}

/// Without the feature: hosted mode is not built in.
#[cfg(not(feature = "hosted"))]
pub fn run(args: &AdminArgs, _: &Out) -> Result<(), Failure> {
    // The password check still applies: refused whatever the build.
    if args.url.as_deref().is_some_and(has_password) {
        admin_url(args)?;
    }
    Err(Failure::Engine(hearken::Error::Unsupported(
        "hosted mode is not built in: `hearken admin` needs a build with the cargo feature `hosted`",
    )))
}

#[cfg(test)]
mod tests {
    use super::has_password;

    #[test]
    fn h6_a_password_in_a_connection_string_is_seen() {
        assert!(has_password("postgres://u:secret@db/x"));
        assert!(has_password(
            "postgresql://u:s%40c@db:5432/x?sslmode=verify-full"
        ));
        assert!(has_password("host=db user=u password=secret"));
        assert!(has_password("postgres://u@db/x?password=secret"));
        assert!(!has_password("postgres://u@db/x?sslmode=verify-full"));
        assert!(!has_password("postgres://db/x"));
    }
}
