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
    /// The database file does not exist (only `locations add` creates one).
    NoDatabase(PathBuf),
    /// `check` found this many problems in the store file.
    Damaged(usize),
}

impl From<hearken::Error> for Failure {
    fn from(e: hearken::Error) -> Self {
        Failure::Engine(e)
    }
}

impl Failure {
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
            Failure::NoDatabase(_) => ErrorKind::NotFound,
            Failure::Damaged(_) => ErrorKind::Corrupt,
        }
    }

    fn message(&self) -> String {
        match self {
            Failure::Engine(hearken::Error::Invalid(_)) => {
                "invalid input; nothing was written".to_owned()
            }
            Failure::Engine(e) => e.to_string(),
            Failure::Input(path, e) => format!("cannot read {}: {e}", path.display()),
            Failure::NoDatabase(path) => format!(
                "no database at {}; create one with `hearken locations add ID NAME TZ`, \
                 or point --db / HEARKEN_DB at the store's file",
                path.display()
            ),
            Failure::Damaged(n) => {
                format!("the store file is damaged ({n} problems found); restore the last backup")
            }
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

#[cfg(test)]
mod tests {
    use super::*;

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
