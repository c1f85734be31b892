//! The commands about the store file itself: check, backup and convert-journal (T1, T5, T7).

use std::path::Path;

use hearken::{Engine, JournalMode};

use crate::args::Journal;
use crate::commands::Out;
use crate::failure::Failure;

/// `check`: SQLite's integrity and foreign-key checks, and the store's summaries against
/// the rows they summarise; exit 1 when the file is damaged.
pub fn check(e: &Engine, out: &Out) -> Result<(), Failure> {
    let report = e.check()?;
    out.show(&report, || {
        let mut text = format!(
            "schema version {}, {} journal: {}\n",
            report.schema_version,
            journal_name(report.journal),
            if report.ok { "ok" } else { "DAMAGED" }
        );
        for p in &report.problems {
            text.push_str(&format!("  {p}\n"));
        }
        text
    });
    if report.ok {
        Ok(())
    } else {
        Err(Failure::Damaged(report.problems.len()))
    }
}

/// `backup --out FILE`: a consistent copy of the live store, replaced only once complete.
pub fn backup(e: &Engine, out: &Out, file: &Path) -> Result<(), Failure> {
    e.backup(file)
        .map_err(|err| Failure::at(file, "write", err))?;
    let shown = serde_json::json!({ "backup": file.display().to_string() });
    out.show(&shown, || format!("backup written to {}\n", file.display()));
    Ok(())
}

/// `convert-journal MODE`: needs the only handle on the file (exit 5 otherwise).
pub fn convert_journal(db: &Path, out: &Out, to: Journal) -> Result<(), Failure> {
    let before =
        Engine::convert_journal(db, to.mode()).map_err(|err| Failure::at(db, "open", err))?;
    let shown = serde_json::json!({
        "before": journal_name(before),
        "after": journal_name(to.mode()),
    });
    out.show(&shown, || {
        if before == to.mode() {
            format!(
                "{} already uses the {} journal\n",
                db.display(),
                journal_name(before)
            )
        } else {
            format!(
                "{}: {} journal -> {} journal\n",
                db.display(),
                journal_name(before),
                journal_name(to.mode())
            )
        }
    });
    Ok(())
}

fn journal_name(mode: JournalMode) -> &'static str {
    match mode {
        JournalMode::Rollback => "rollback",
        _ => "wal",
    }
}
