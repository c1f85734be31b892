//! `hearken`: the operator CLI of a store's hearken database — sync and backfill files,
//! explain a customer, unsubscribe, scores, exports, the outbox and locations.

mod args;
mod commands;
mod failure;
mod period;
mod reports;
mod shown;
mod table;

use std::process::ExitCode;

use clap::Parser;

use args::{Cli, Command, LocationAction};
use failure::Failure;

fn main() -> ExitCode {
    let cli = Cli::parse(); // usage errors exit 2 here
    match run(&cli) {
        Ok(()) => ExitCode::SUCCESS,
        Err(f) => {
            f.print(cli.json);
            ExitCode::from(f.exit_code())
        }
    }
}

fn run(cli: &Cli) -> Result<(), Failure> {
    let now = cli.now.unwrap_or_else(chrono::Utc::now);
    // Only `locations add` creates a database: a mistyped --db must not yield an empty
    // store that answers every question with "nothing".
    let creates = matches!(
        &cli.command,
        Command::Locations {
            action: LocationAction::Add { .. }
        }
    );
    if !creates && !cli.db.exists() {
        return Err(Failure::NoDatabase(cli.db.clone()));
    }
    let engine = hearken::Engine::open(&cli.db)?;
    let out = commands::Out { json: cli.json };
    match &cli.command {
        Command::Sync { file } => commands::sync(&engine, &out, file, now),
        Command::Backfill { file } => commands::backfill(&engine, &out, file, now),
        Command::Explain { customer } => commands::explain(&engine, &out, customer, now),
        Command::Unsubscribe { contact } => commands::unsubscribe(&engine, &out, contact, now),
        Command::Report { kind, scope } => reports::report(&engine, &out, *kind, scope, now),
        Command::Export {
            format,
            out: file,
            scope,
        } => reports::export(&engine, &out, *format, file, scope, now),
        Command::Outbox { action } => commands::outbox(&engine, &out, action),
        Command::Locations { action } => commands::locations(&engine, &out, action),
    }
}
