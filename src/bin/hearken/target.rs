//! Which store a command runs on: the SQLite file `--db` names (the default), or one store
//! of a PostgreSQL database (hosted mode): a `postgres://` URL and `--store ID`.
//!
//! A connection string's password never comes from the command line, where every user of
//! the machine can read it (`ps`, shell history): the URL holding one must come from
//! `HEARKEN_DB`, or the password from libpq's password file (`passfile=` in the URL,
//! `$PGPASSFILE` or `~/.pgpass`), which hearken reads as libpq does (H6).

use clap::error::{ContextKind, ContextValue, ErrorKind};
use clap::parser::ValueSource;
use clap::{ArgMatches, CommandFactory};

use crate::args::Cli;
use crate::failure::Failure;

/// The store a command runs on.
pub enum Target {
    /// The SQLite store file `--db` names.
    File,
    /// One store of a PostgreSQL database.
    Postgres {
        /// The connection string (never shown).
        url: String,
        /// The store's text id.
        store: String,
    },
}

impl Target {
    /// The target the command line and the environment name, or a usage error (exit 2).
    pub fn of(cli: &Cli, matches: &ArgMatches) -> Result<Target, clap::Error> {
        let db = cli.db.to_string_lossy();
        if !is_url(&db) {
            if cli.store.is_some()
                && matches.value_source("store") == Some(ValueSource::CommandLine)
            {
                return Err(usage(
                    "--store",
                    "--store names a store of a postgres:// database; --db (or HEARKEN_DB) names an SQLite file",
                ));
            }
            return Ok(Target::File);
        }
        if matches.value_source("db") == Some(ValueSource::CommandLine) && has_password(&db) {
            return Err(usage(
                "--db",
                "a password in --db on the command line is visible to every user of this machine; \
                 put the URL in HEARKEN_DB, or the password in a password file \
                 (passfile= in the URL, PGPASSFILE or ~/.pgpass)",
            ));
        }
        let Some(store) = cli.store.clone().filter(|s| !s.trim().is_empty()) else {
            return Err(usage(
                "--store",
                "a postgres:// database holds many stores: name one with --store ID or HEARKEN_STORE",
            ));
        };
        Ok(Target::Postgres {
            url: db.into_owned(),
            store,
        })
    }
}

/// Opens the hosted store (`unsupported` in a build without the `hosted` feature).
pub fn open_url(url: &str, store: &str) -> Result<hearken::Engine, Failure> {
    hearken::Engine::open_url(url, store).map_err(Failure::Engine)
}

fn is_url(db: &str) -> bool {
    db.starts_with("postgres://") || db.starts_with("postgresql://")
}

/// Whether a `postgres://` URL carries a password: `user:password@` before the host, or a
/// `password=` query parameter.
fn has_password(url: &str) -> bool {
    let rest = url.split_once("://").map_or(url, |(_, rest)| rest);
    let (head, query) = rest.split_once('?').unwrap_or((rest, ""));
    let in_authority = head
        .rsplit_once('@')
        .is_some_and(|(userinfo, _)| userinfo.contains(':'));
    let in_query = query
        .split('&')
        .any(|pair| pair.split('=').next().is_some_and(|k| k == "password"));
    in_authority || in_query
}

/// A usage error about `argument` (exit 2; with `--json`, names the argument, never its value).
fn usage(argument: &'static str, reason: &str) -> clap::Error {
    let mut err = Cli::command().error(ErrorKind::ValueValidation, reason);
    err.insert(
        ContextKind::InvalidArg,
        ContextValue::String(argument.to_owned()),
    );
    err
}

#[cfg(test)]
mod tests {
    use super::has_password;

    #[test]
    fn a_password_is_found_in_the_authority_or_the_query() {
        assert!(has_password("postgres://u:pw@h/db"));
        assert!(has_password(
            "postgresql://u@h/db?sslmode=require&password=x"
        ));
        assert!(!has_password("postgres://u@h:5432/db?sslmode=require"));
        assert!(!has_password("postgres://h/db"));
    }
}
