//! Backfill files: JSON lines of batches, parsed and checked whole before any write.

use std::io::BufRead;
use std::time::Duration;

use crate::error::{Error, Problem, Result};
use crate::model::SyncBatch;

/// Most lines applied in one write transaction: a page several nights dirty (an index's
/// root, a customer's leaf) is written and synced once per group, not once per line.
pub const GROUP_LINES: usize = 64;

/// Longest a group holds the writer before it commits (and progress is reported), so
/// other calls on the engine wait no longer than this.
pub const GROUP_TIME: Duration = Duration::from_millis(250);

/// Parses every non-empty line; rejects the file whole if any line is bad.
pub fn parse_lines(reader: impl BufRead) -> Result<Vec<(usize, SyncBatch)>> {
    let mut batches = Vec::new();
    let mut problems = Vec::new();
    for (i, line) in reader.lines().enumerate() {
        let line_no = i + 1;
        let line = match line {
            Ok(line) => line,
            // Bytes that are not UTF-8 are bad input, not a storage failure; `lines()` has
            // consumed the line, so the next ones are still checked.
            Err(e) if e.kind() == std::io::ErrorKind::InvalidData => {
                problems.push(Problem::top(
                    &format!("line {line_no}: batch"),
                    "",
                    "not valid UTF-8",
                ));
                continue;
            }
            Err(e) => return Err(e.into()),
        };
        if line.trim().is_empty() {
            continue;
        }
        match crate::wire::parse_batch(&line) {
            Ok(b) => batches.push((line_no, b)),
            Err(e) => problems.extend(prefix(e, line_no)),
        }
    }
    if !problems.is_empty() {
        return Err(Error::Invalid(problems));
    }
    Ok(batches)
}

fn prefix(e: Error, line: usize) -> Vec<Problem> {
    match e {
        Error::Invalid(problems) => problems
            .into_iter()
            .map(|mut p| {
                p.record = format!("line {line}: {}", p.record);
                p
            })
            .collect(),
        other => vec![Problem::top(&format!("line {line}"), "", other.to_string())],
    }
}

/// Names the backfill line in an invalid-input error; other errors pass through.
pub fn at_line(e: Error, line: usize) -> Error {
    match e {
        Error::Invalid(_) => Error::Invalid(prefix(e, line)),
        other => other,
    }
}
