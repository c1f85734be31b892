//! docs/rules.md stands for the rules the code cites: every rule id cited anywhere in
//! src/ or tests/ (`E4`, `N1`, `T3`, …) has its own `### ID` entry there, and no file of
//! the repository points at documents outside it.

use std::collections::BTreeSet;
use std::fs;
use std::path::{Path, PathBuf};

/// The letters of the rule families (docs/rules.md): E R S N A F X P M T H D.
const FAMILIES: &[u8] = b"ERSNAFXPMTHD";

/// The letters an entry of docs/rules.md may have: the same families.
const ENTRY_FAMILIES: &[u8] = FAMILIES;

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// Text files under `dir`, recursively (binary files such as fixtures are skipped).
fn text_files(dir: &Path, skip: &[&str], out: &mut Vec<(PathBuf, String)>) {
    for entry in fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        let name = path.file_name().unwrap().to_string_lossy().into_owned();
        if skip.contains(&name.as_str()) {
            continue;
        }
        if path.is_dir() {
            text_files(&path, skip, out);
        } else if let Ok(text) = fs::read_to_string(&path) {
            out.push((path, text));
        }
    }
}

fn is_word(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'_'
}

/// Rule ids in `text`: a family letter and a number 1–99 (no leading zero) standing alone
/// as a word ("E4", "(N1)", "S1–S3", "T12"), not part of a longer word or number ("HK_E4",
/// "XE2", "E402") nor a time of day ("T09:00", "T10:00", "T18:{minute}").
fn rule_ids(text: &str) -> BTreeSet<String> {
    rule_ids_of(text, FAMILIES)
}

/// [`rule_ids`] of the families `families`.
fn rule_ids_of(text: &str, families: &[u8]) -> BTreeSet<String> {
    let b = text.as_bytes();
    let mut ids = BTreeSet::new();
    for i in 0..b.len().saturating_sub(1) {
        let starts = i == 0 || !is_word(b[i - 1]);
        if !(starts && families.contains(&b[i]) && (b'1'..=b'9').contains(&b[i + 1])) {
            continue;
        }
        let mut end = i + 2;
        if end < b.len() && b[end].is_ascii_digit() {
            end += 1;
        }
        let word_goes_on = end < b.len() && is_word(b[end]);
        // "T10:00", "{date}T18:{minute}": a colon right before more text (a citation's
        // colon is followed by a space or ends the line).
        let time_of_day =
            b.get(end) == Some(&b':') && b.get(end + 1).is_some_and(|c| !c.is_ascii_whitespace());
        if !word_goes_on && !time_of_day {
            ids.insert(text[i..end].to_owned());
        }
    }
    ids
}

/// The `### ID` entries of docs/rules.md.
fn documented() -> BTreeSet<String> {
    let doc = fs::read_to_string(root().join("docs/rules.md")).unwrap();
    doc.lines()
        .filter_map(|l| l.strip_prefix("### "))
        .map(|id| id.trim().to_owned())
        .collect()
}

#[test]
fn rules_doc_has_an_entry_for_every_rule_id_cited_in_src_and_tests() {
    let mut files = Vec::new();
    text_files(&root().join("src"), &[], &mut files);
    text_files(&root().join("tests"), &[], &mut files);
    let documented = documented();
    let mut cited = BTreeSet::new();
    let mut missing = Vec::new();
    for (path, text) in &files {
        for id in rule_ids(text) {
            if !documented.contains(&id) {
                missing.push(format!("{id} ({})", path.display()));
            }
            cited.insert(id);
        }
    }
    assert!(missing.is_empty(), "docs/rules.md lacks: {missing:?}");
    // The extraction really sees the citations (a broken scan would pass vacuously).
    for id in ["E1", "E9", "S2", "N1", "A3", "F6", "X1", "R2"] {
        assert!(cited.contains(id), "{id} not found in src/ or tests/");
    }
}

#[test]
fn rules_doc_extraction_takes_ids_and_leaves_look_alikes() {
    let ids = rule_ids(
        "E4 (N1), S1–S3; `t3_x`, T09:00, T10:00, T18:{m}, HK_E4, A1x, XE2, E402, e4_cooldown, P8, T12: x.",
    );
    let want: BTreeSet<String> = ["E4", "N1", "S1", "S3", "P8", "T12"]
        .map(String::from)
        .into();
    assert_eq!(ids, want);
}

#[test]
fn rules_doc_entries_are_rule_ids_in_order() {
    let documented = documented();
    for id in &documented {
        assert_eq!(
            rule_ids_of(id, ENTRY_FAMILIES).len(),
            1,
            "entry {id:?} is not a rule id"
        );
    }
    for family in ["E", "R", "S", "N", "A", "F", "X", "P", "M", "T", "H", "D"] {
        assert!(
            documented.contains(&format!("{family}1")),
            "no {family}1 entry"
        );
    }
}

#[test]
fn no_file_of_the_repository_points_outside_it() {
    // Built from pieces so this file does not match itself.
    let needles = [
        concat!("..", "/shared"),
        concat!("/work", "/shared"),
        concat!("SCENARIOS", ".md"),
        concat!("TOOLCHAIN", ".md"),
        concat!("DESIGN", ".md"),
    ];
    let mut files = Vec::new();
    let skip = ["target", "tools", ".git", "node_modules"];
    text_files(&root(), &skip, &mut files);
    let hits: Vec<String> = files
        .iter()
        .filter(|(_, text)| needles.iter().any(|n| text.contains(n)))
        .map(|(path, _)| path.display().to_string())
        .collect();
    assert!(
        hits.is_empty(),
        "files pointing outside the repository: {hits:?}"
    );
}
