//! `hearken`: the operator CLI of a store's hearken database — sync and backfill files,
//! explain a customer, unsubscribe, scores, exports, draining the outbox, locations,
//! settings and the sync window, and the store file itself.

mod admin;
mod args;
mod commands;
mod customer;
mod drain;
mod failure;
mod pages;
mod period;
mod policy;
mod reports;
mod settings;
mod shown;
mod store;
mod table;
mod target;
mod webhooks;

use std::process::ExitCode;

use clap::{CommandFactory, FromArgMatches};

use args::{Cli, Command, LocationAction, OutboxAction, PagesAction, SmsAction};
use failure::Failure;

/// Exit code when stdout was closed before the output was written (`| head -1`): what a
/// shell reports for a process that SIGPIPE ended (128 + 13).
const BROKEN_PIPE: u8 = 141;

fn main() -> ExitCode {
    let parsed = Cli::command()
        .try_get_matches()
        .and_then(|matches| Ok((Cli::from_arg_matches(&matches)?, matches)));
    let (cli, matches) = match parsed {
        Ok(parsed) => parsed,
        Err(err) => return failure::usage(err, json_asked()),
    };
    let out = commands::Out::new(cli.json);
    if let Command::Admin(args) = &cli.command {
        // A database of many stores, named by its own URL: not the store --db names.
        return finish(admin::run(args, &out), &out, cli.json);
    }
    let target = match target::Target::of(&cli, &matches) {
        Ok(target) => target,
        Err(err) => return failure::usage(err, cli.json),
    };
    let done = match &target {
        target::Target::File => run(&cli, &out),
        target::Target::Postgres { url, store } => {
            target::open_url(url, store).and_then(|engine| run_on(&engine, &cli, &out))
        }
    };
    finish(done, &out, cli.json)
}

/// The exit code of a command's outcome, its failure printed.
fn finish(done: Result<(), Failure>, out: &commands::Out, json: bool) -> ExitCode {
    match done {
        Ok(()) if out.broken_pipe() => ExitCode::from(BROKEN_PIPE),
        Ok(()) if out.write_failed() => ExitCode::FAILURE,
        Ok(()) => ExitCode::SUCCESS,
        Err(f) => {
            f.print(json);
            ExitCode::from(f.exit_code())
        }
    }
}

/// Whether `--json` was among the arguments (before any `--`), for a command line clap
/// refused: its usage error is then JSON too.
fn json_asked() -> bool {
    std::env::args_os()
        .skip(1)
        .take_while(|a| a != "--")
        .any(|a| a == "--json")
}

/// Opens the store file `--db` names and runs the command on it.
fn run(cli: &Cli, out: &commands::Out) -> Result<(), Failure> {
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
    commands::not_a_folder(&cli.db)?;
    if let Command::ConvertJournal { to } = &cli.command {
        // Converting needs the only handle on the file: no engine of our own either.
        return store::convert_journal(&cli.db, out, *to);
    }
    let options = hearken::EngineOptions {
        journal: cli.journal.mode(),
        ..hearken::EngineOptions::default()
    };
    let engine = hearken::Engine::open_with(&cli.db, &options)
        .map_err(|err| Failure::at(&cli.db, "open", err))?;
    run_on(&engine, cli, out)
}

/// Runs the command on an open engine (a store file or a hosted store).
fn run_on(engine: &hearken::Engine, cli: &Cli, out: &commands::Out) -> Result<(), Failure> {
    let now = cli.now.unwrap_or_else(chrono::Utc::now);
    match &cli.command {
        Command::Sync { file, counts_only } => commands::sync(engine, out, file, *counts_only, now),
        Command::Backfill { file } => commands::backfill(engine, out, file, now),
        Command::Explain { customer } => commands::explain(engine, out, customer, now),
        Command::Events { after, limit } => commands::events(engine, out, after.as_deref(), *limit),
        Command::Unsubscribe { contact } => commands::unsubscribe(engine, out, contact, now),
        Command::Customer { action } => customer::customer(engine, out, action, now),
        Command::Webhooks { action } => webhooks::webhooks(engine, out, action, now),
        Command::Sms {
            action: SmsAction::Receive { from, body, at },
        } => commands::receive_sms(engine, out, from, body, at.unwrap_or(now)),
        Command::Report { kind, scope } => reports::report(engine, out, *kind, scope, now),
        Command::Export {
            format,
            out: file,
            scope,
        } => reports::export(engine, out, *format, file, scope, now),
        Command::Outbox { action } => match action {
            OutboxAction::List { limit } => commands::outbox(engine, out, *limit),
            OutboxAction::Claim { limit, out: dir } => {
                drain::claim(engine, out, *limit, dir.as_deref(), now)
            }
            OutboxAction::Ack { ids } => drain::ack(engine, out, ids, now),
            OutboxAction::RunDue => drain::run_due(engine, out, now),
            OutboxAction::Fail {
                id,
                reason,
                permanent,
            } => drain::fail(engine, out, id, reason, *permanent, now),
            OutboxAction::Bounce {
                id,
                hard,
                soft,
                complaint,
            } => drain::bounce(engine, out, id, (*hard, *soft, *complaint), now),
        },
        Command::Pages {
            action: PagesAction::Render { location, out: dir },
        } => pages::render(engine, out, location, dir),
        Command::Locations { action } => commands::locations(engine, out, action),
        Command::Settings { action } => settings::settings(engine, out, action),
        Command::Policy { action } => policy::policy(engine, out, action),
        Command::Window { action } => settings::window(engine, out, action, now),
        Command::Check => store::check(engine, out),
        Command::Backup { out: file } => store::backup(engine, out, file),
        // Converting a file is handled before opening; a hosted store has no journal.
        Command::ConvertJournal { .. } | Command::Admin(_) => {
            Err(Failure::Engine(hearken::Error::Unsupported(
                "convert-journal changes an SQLite file's journal; this store is PostgreSQL",
            )))
        }
    }
}
