//! Why a command failed, its exit code, and how it is shown.

use std::path::PathBuf;

use hearken::{ErrorKind, Problem};

use crate::table::Table;

/// A failed command.
#[derive(Debug)]
pub enum Failure {
    /// The engine refused or failed.
    Engine(hearken::Error),
    /// An input file could not be read.
    Input(PathBuf, std::io::Error),
    /// A file or folder the command writes could not be written; with the number of
    /// claimed messages left unwritten (they are offered again once their lease ends).
    Output(PathBuf, std::io::Error, Option<usize>),
    /// The engine failed on a file the operator named: `cannot VERB PATH: …`.
    At(PathBuf, &'static str, hearken::Error),
    /// The database file does not exist (only `locations add` creates one).
    NoDatabase(PathBuf),
    /// `check` found this many problems in the store file.
    Damaged(usize),
    /// `admin check` found this many problems in the hosted database.
    #[cfg_attr(not(feature = "hosted"), allow(dead_code))]
    HostedCheck(usize),
}

impl From<hearken::Error> for Failure {
    fn from(e: hearken::Error) -> Self {
        Failure::Engine(e)
    }
}

impl Failure {
    /// `err` about the file at `path` (opened or written, as `verb` says); invalid input
    /// keeps its own report.
    pub fn at(path: &std::path::Path, verb: &'static str, err: hearken::Error) -> Self {
        match err {
            hearken::Error::Invalid(_) => Failure::Engine(err),
            err => Failure::At(path.to_owned(), verb, err),
        }
    }

    /// The documented exit code (see `hearken --help`).
    pub fn exit_code(&self) -> u8 {
        match self.kind() {
            ErrorKind::InvalidInput => 3,
            ErrorKind::NotFound => 4,
            ErrorKind::Conflict => 5,
            _ => 1,
        }
    }

    fn kind(&self) -> ErrorKind {
        match self {
            Failure::Engine(e) => e.kind(),
            Failure::Input(_, e) if e.kind() == std::io::ErrorKind::NotFound => ErrorKind::NotFound,
            Failure::Input(..) => ErrorKind::Storage,
            Failure::At(_, _, hearken::Error::Io(e))
                if e.kind() == std::io::ErrorKind::NotFound =>
            {
                ErrorKind::NotFound
            }
            Failure::At(_, _, e) => e.kind(),
            Failure::Output(_, e, _) if e.kind() == std::io::ErrorKind::NotFound => {
                ErrorKind::NotFound
            }
            Failure::Output(..) => ErrorKind::Storage,
            Failure::NoDatabase(_) => ErrorKind::NotFound,
            Failure::Damaged(_) | Failure::HostedCheck(_) => ErrorKind::Corrupt,
        }
    }

    fn message(&self) -> String {
        match self {
            Failure::Engine(hearken::Error::Invalid(_)) => {
                "invalid input; nothing was written".to_owned()
            }
            Failure::Engine(e) => e.to_string(),
            Failure::Input(path, e) => format!("cannot read {}: {e}", path.display()),
            Failure::At(path, verb, err) => {
                let detail = match err {
                    // The OS's words, without the temporary file's name it was writing.
                    hearken::Error::Io(e) => os_words(e),
                    e => e.to_string(),
                };
                format!("cannot {verb} {}: {detail}", path.display())
            }
            Failure::Output(path, e, unwritten) => {
                let mut s = format!("cannot write {}: {e}", path.display());
                if let Some(n) = unwritten {
                    s.push_str(&format!(
                        "; {n} claimed messages were not written and are offered again \
                         when their lease runs out"
                    ));
                }
                s
            }
            Failure::NoDatabase(path) => format!(
                "no database at {}; create one with `hearken locations add ID NAME TZ`, \
                 or point --db / HEARKEN_DB at the store's file",
                path.display()
            ),
            Failure::Damaged(n) => {
                format!("the store file is damaged ({n} problems found); restore the last backup")
            }
            Failure::HostedCheck(n) => format!(
                "the hosted database check found {n} problems (listed above); see docs/hosted.md, Checking the database"
            ),
        }
    }

    /// Prints the failure on stderr: a message and the problem table, or JSON.
    pub fn print(&self, json: bool) {
        let problems: &[Problem] = match self {
            Failure::Engine(e) => e.problems(),
            _ => &[],
        };
        if json {
            let shown = match self {
                Failure::Engine(e) => e.to_json(),
                _ => serde_json::json!({
                    "kind": self.kind().as_str(),
                    "message": self.message(),
                    "problems": [],
                })
                .to_string(),
            };
            eprintln!("{}", crate::shown::json(&shown));
            return;
        }
        eprintln!("error: {}", crate::shown::text(&self.message()));
        if !problems.is_empty() {
            let mut t = Table::new(&["record", "index", "id", "field", "reason"]);
            for p in problems {
                t.row([
                    p.record.clone(),
                    p.index.map(|i| i.to_string()).unwrap_or_default(),
                    p.host_id.clone().unwrap_or_default(),
                    p.field.clone(),
                    p.reason.clone(),
                ]);
            }
            eprint!("{}", crate::shown::text(&t.render()));
        }
    }
}

/// What the OS said, without the ` at path "…"` tempfile adds naming its temporary file
/// (the operator named the target, and the message names that).
fn os_words(e: &std::io::Error) -> String {
    let s = e.to_string();
    match s.rsplit_once(" at path \"") {
        Some((words, _)) if s.ends_with('"') => words.to_owned(),
        _ => s,
    }
}

/// A command line clap refused (exit 2), or `--help` / `--version` (exit 0). With
/// `--json`, an error is one JSON object on stderr: `{"kind": "usage", "error": …,
/// "argument": …, "message": …, "problems": []}`, where `error` is clap's kind in
/// snake_case (`unknown_argument`, `invalid_value`, `missing_required_argument`, …) and the
/// message names the argument but never repeats the value given.
pub fn usage(err: clap::Error, json: bool) -> std::process::ExitCode {
    let code = err.exit_code();
    if !json || !err.use_stderr() {
        // Help and version on stdout, usage errors as clap words them on stderr.
        let _ = err.print();
        return std::process::ExitCode::from(u8::try_from(code).unwrap_or(2));
    }
    let doc = usage_json(&err);
    eprintln!("{}", crate::shown::json(&doc.to_string()));
    std::process::ExitCode::from(2)
}

fn usage_json(err: &clap::Error) -> serde_json::Value {
    use clap::error::{ContextKind, ContextValue, ErrorKind as K};
    let argument = match err.get(ContextKind::InvalidArg) {
        Some(ContextValue::String(s)) => Some(s.clone()),
        Some(ContextValue::Strings(v)) => Some(v.join(", ")),
        _ => None,
    };
    let subcommand = match err.get(ContextKind::InvalidSubcommand) {
        Some(ContextValue::String(s)) => Some(s.clone()),
        _ => None,
    };
    let what = match err.kind() {
        K::InvalidValue | K::ValueValidation => "invalid value",
        K::UnknownArgument => "unknown argument",
        K::InvalidSubcommand => "unknown command",
        K::NoEquals => "the value must follow `=`",
        K::TooManyValues | K::WrongNumberOfValues | K::TooFewValues => "wrong number of values",
        K::ArgumentConflict => "arguments that cannot be used together",
        K::MissingRequiredArgument => "missing required argument",
        K::MissingSubcommand | K::DisplayHelpOnMissingArgumentOrSubcommand => "missing command",
        K::InvalidUtf8 => "an argument is not valid UTF-8",
        _ => "usage error",
    };
    let message = match (&argument, &subcommand) {
        (Some(a), _) => format!("{what}: {a}; see `hearken --help`"),
        (None, Some(_)) | (None, None) => format!("{what}; see `hearken --help`"),
    };
    serde_json::json!({
        "kind": "usage",
        "error": snake(&format!("{:?}", err.kind())),
        "argument": argument,
        "message": message,
        "problems": [],
    })
}

/// `InvalidValue` → `invalid_value`.
fn snake(name: &str) -> String {
    let mut s = String::new();
    for (i, c) in name.chars().enumerate() {
        if c.is_ascii_uppercase() {
            if i > 0 {
                s.push('_');
            }
            s.push(c.to_ascii_lowercase());
        } else {
            s.push(c);
        }
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_windows_path_is_named_as_given_in_text_and_json() {
        // `C:\POS\hearken.db`: on Windows a drive and folders, elsewhere one odd file
        // name; either way the message names it verbatim and JSON escapes the backslashes.
        let f = Failure::NoDatabase(r"C:\POS\hearken.db".into());
        assert!(f.message().contains(r"no database at C:\POS\hearken.db;"));
        let gone = std::io::Error::from(std::io::ErrorKind::NotFound);
        let f = Failure::Output(r"C:\POS\out".into(), gone, None);
        let doc = serde_json::json!({ "message": f.message() }).to_string();
        assert!(doc.contains(r#"cannot write C:\\POS\\out: "#), "{doc}");
        let back: serde_json::Value = serde_json::from_str(&doc).unwrap();
        assert!(
            back["message"]
                .as_str()
                .unwrap()
                .starts_with(r"cannot write C:\POS\out: ")
        );
        assert_eq!(
            crate::shown::text(r"C:\POS\hearken.db"),
            r"C:\POS\hearken.db"
        );
        assert_eq!(f.exit_code(), 4);
    }

    #[test]
    fn clap_kinds_in_snake_case() {
        assert_eq!(snake("InvalidValue"), "invalid_value");
        assert_eq!(
            snake("MissingRequiredArgument"),
            "missing_required_argument"
        );
    }

    #[test]
    fn exit_codes_follow_the_error_kind() {
        let code = |e: hearken::Error| Failure::Engine(e).exit_code();
        assert_eq!(code(hearken::Error::Invalid(vec![])), 3);
        let missing = hearken::Error::NotFound {
            what: "customer",
            id: "c9".into(),
        };
        assert_eq!(code(missing), 4);
        assert_eq!(code(hearken::Error::Conflict("last location".into())), 5);
        assert_eq!(code(hearken::Error::Internal("bug".into())), 1);
        let gone = std::io::Error::from(std::io::ErrorKind::NotFound);
        assert_eq!(Failure::Input("b.json".into(), gone).exit_code(), 4);
        assert_eq!(Failure::NoDatabase("h.db".into()).exit_code(), 4);
    }
}
