//! Files hearken writes (T4) and what they may hold (T9): exports are written under a
//! fresh temporary name beside the target and renamed into place, never onto the open
//! store or its companions; a killed or failed writer's temporary is removed; CSV cells
//! that a spreadsheet would run as formulas get a leading `'`, and .xlsx cells are strings.

#[cfg(all(unix, feature = "failpoints"))]
#[path = "crash/child.rs"]
mod child;
mod common;

use std::path::{Path, PathBuf};

use calamine::{Data, Reader, Xlsx, open_workbook};
use common::{at, batch, sale};
use hearken::{
    Engine, EngineOptions, ErrorKind, ExportQuery, FeedbackInput, JournalMode, Location, Sentiment,
};

/// The six first characters OWASP lists as starting a formula.
const PREFIXES: [&str; 6] = ["=", "+", "-", "@", "\t", "\r"];

const HEADER: [&str; 14] = [
    "Date",
    "Time",
    "Conversation ID",
    "Comment ID",
    "Transaction ID",
    "Customer ID",
    "Customer Name",
    "Customer Reference ID",
    "Channel",
    "Location",
    "Author",
    "Sentiment",
    "Facet",
    "Comment",
];

/// The text columns whose values come from the host or the customer. (Channel, Author and
/// Sentiment are hearken's own words; facets come from a fixed list.)
const HOST_TEXT: [&str; 6] = [
    "Transaction ID",
    "Customer ID",
    "Customer Name",
    "Customer Reference ID",
    "Location",
    "Comment",
];

/// One location per prefix whose name, customer (id, name, reference), transaction id and
/// feedback comment all start with that prefix. Host ids and location names cannot hold
/// control characters (T11), so for tab and CR only the free texts start with them.
fn formula_store(path: &Path) -> Engine {
    let e = Engine::open(path).unwrap();
    for (i, p) in PREFIXES.iter().enumerate() {
        let id_prefix = if p.chars().all(|c| c.is_control()) {
            ""
        } else {
            p
        };
        let loc = format!("loc{i}");
        e.upsert_location(&Location::new(
            &loc,
            &format!("{id_prefix}Boutique {i}"),
            "Europe/Paris",
        ))
        .unwrap();
        let customer = format!("{id_prefix}c{i}");
        let transaction = format!("{id_prefix}t{i}");
        let mut b = batch(
            &loc,
            "2026-11-20",
            &[],
            vec![sale(
                &transaction,
                Some(&customer),
                Some("2026-11-20T10:00:00+01:00"),
            )],
        );
        let mut c = hearken::Customer::with_email(&customer, &format!("c{i}@example.com"));
        c.name = Some(format!("{p}Name {i}"));
        c.reference = Some(format!("{p}R{i}"));
        b.customers.push(c);
        e.sync(&b, at("2026-11-20T22:00:00Z")).unwrap();
        e.record_feedback(
            &FeedbackInput {
                location: loc,
                transaction: Some(transaction),
                customer: Some(customer),
                sentiment: Sentiment::Negative,
                facets: vec![],
                comment: Some(format!("{p}HYPERLINK(\"http://evil.example\",\"x\")")),
                consent_to_reply: false,
            },
            at("2026-11-21T09:00:00Z"),
        )
        .unwrap();
    }
    e
}

fn col(name: &str) -> usize {
    HEADER.iter().position(|h| *h == name).unwrap()
}

/// The CSV's records (after the BOM), header first.
fn csv_records(bytes: &[u8]) -> Vec<Vec<String>> {
    assert!(bytes.starts_with("\u{feff}".as_bytes()), "UTF-8 BOM first");
    csv::ReaderBuilder::new()
        .has_headers(false)
        .from_reader(&bytes[3..])
        .records()
        .map(|r| r.unwrap().iter().map(String::from).collect())
        .collect()
}

/// Names of the files under `dir` that look like hearken's temporaries.
fn temporaries(dir: &Path) -> Vec<String> {
    std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.starts_with(".hearken-") || n.ends_with(".partial"))
        .collect()
}

#[test]
fn t9_csv_cells_starting_like_a_formula_get_a_leading_quote_in_every_text_column() {
    let dir = tempfile::tempdir().unwrap();
    let e = formula_store(&dir.path().join("h.db"));
    let path = dir.path().join("feedback.csv");
    assert_eq!(
        e.export_csv_file(&ExportQuery::default(), &path).unwrap(),
        6
    );
    let rows = csv_records(&std::fs::read(&path).unwrap());
    assert_eq!(rows[0], HEADER);
    let rows = &rows[1..];
    assert_eq!(rows.len(), 6);
    let mut checked = 0;
    for p in PREFIXES {
        // The row of this prefix: its comment is the only one starting with `'` + p.
        let row = rows
            .iter()
            .find(|r| r[col("Comment")].starts_with(&format!("'{p}HYPERLINK")))
            .unwrap_or_else(|| panic!("the comment starting with {p:?} is quoted"));
        for name in HOST_TEXT {
            let cell = &row[col(name)];
            let ids = matches!(name, "Transaction ID" | "Customer ID" | "Location");
            if ids && (p == "\t" || p == "\r") {
                assert!(!cell.starts_with('\''), "{name}: {cell:?}");
                continue;
            }
            assert!(
                cell.starts_with(&format!("'{p}")),
                "{name} starting with {p:?} gets a leading quote: {cell:?}"
            );
            checked += 1;
        }
    }
    assert_eq!(checked, 6 * 6 - 2 * 3);
    // Nothing else is quoted: the cells hearken writes itself are as before.
    for r in rows {
        for name in [
            "Date",
            "Time",
            "Conversation ID",
            "Comment ID",
            "Channel",
            "Author",
        ] {
            assert!(!r[col(name)].starts_with('\''), "{name}");
        }
    }
}

#[test]
fn t9_xlsx_cells_are_strings_never_formulas() {
    let dir = tempfile::tempdir().unwrap();
    let e = formula_store(&dir.path().join("h.db"));
    let path = dir.path().join("feedback.xlsx");
    e.export_xlsx_file(&ExportQuery::default(), &path).unwrap();
    let mut book: Xlsx<_> = open_workbook(&path).unwrap();
    for sheet in book.sheet_names() {
        let formulas = book.worksheet_formula(&sheet).unwrap();
        assert!(
            formulas.used_cells().all(|(_, _, f)| f.is_empty()),
            "no formula in sheet {sheet}"
        );
    }
    let comments = book.worksheet_range("Comments").unwrap();
    let rows: Vec<&[Data]> = comments.rows().skip(1).collect();
    assert_eq!(rows.len(), 6);
    let mut seen = 0;
    for p in PREFIXES {
        let row = rows
            .iter()
            .find(|r| matches!(&r[col("Comment")], Data::String(s) if s.starts_with(&format!("{p}HYPERLINK"))))
            .unwrap_or_else(|| panic!("the comment starting with {p:?} is a string cell"));
        for name in HOST_TEXT {
            match &row[col(name)] {
                // A string cell shows the text as written: no quote added.
                Data::String(s) => {
                    assert!(!s.starts_with('\''), "{name}: {s:?}");
                    seen += 1;
                }
                other => panic!("{name} starting with {p:?} is a {other:?}, not a string"),
            }
        }
    }
    assert_eq!(seen, 36);
}

#[cfg(unix)]
#[test]
fn t4_a_link_at_the_target_or_at_the_old_partial_name_is_never_followed() {
    let dir = tempfile::tempdir().unwrap();
    let e = formula_store(&dir.path().join("h.db"));
    let victim = dir.path().join("victim.txt");
    let other = dir.path().join("other.txt");
    std::fs::write(&victim, "precious").unwrap();
    std::fs::write(&other, "also precious").unwrap();
    let target = dir.path().join("feedback.csv");
    std::os::unix::fs::symlink(&victim, &target).unwrap();
    // The fixed temporary name of earlier versions: a link there and a plain file.
    let partial = dir.path().join("feedback.csv.partial");
    std::os::unix::fs::symlink(&other, &partial).unwrap();
    let xlsx_partial = dir.path().join("feedback.xlsx.partial");
    std::fs::write(&xlsx_partial, "someone's file").unwrap();

    assert_eq!(
        e.export_csv_file(&ExportQuery::default(), &target).unwrap(),
        6
    );
    e.export_xlsx_file(&ExportQuery::default(), dir.path().join("feedback.xlsx"))
        .unwrap();

    assert_eq!(std::fs::read_to_string(&victim).unwrap(), "precious");
    assert_eq!(std::fs::read_to_string(&other).unwrap(), "also precious");
    assert_eq!(
        std::fs::read_to_string(&xlsx_partial).unwrap(),
        "someone's file"
    );
    let meta = std::fs::symlink_metadata(&target).unwrap();
    assert!(
        meta.file_type().is_file(),
        "the link was replaced, not followed"
    );
    assert_eq!(csv_records(&std::fs::read(&target).unwrap()).len(), 7);
    assert!(
        std::fs::symlink_metadata(&partial)
            .unwrap()
            .file_type()
            .is_symlink()
    );
    assert!(
        temporaries(dir.path())
            .iter()
            .all(|n| n.ends_with(".partial"))
    );
}

#[test]
fn t4_concurrent_exports_to_one_path_each_leave_a_complete_file() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("h.db");
    drop(formula_store(&db));
    let target = dir.path().join("feedback.csv");
    let done = std::sync::atomic::AtomicBool::new(false);
    // Stops the reader however the writers end: a failed writer fails the test, never hangs it.
    struct Done<'a>(&'a std::sync::atomic::AtomicBool);
    impl Drop for Done<'_> {
        fn drop(&mut self) {
            self.0.store(true, std::sync::atomic::Ordering::SeqCst);
        }
    }
    std::thread::scope(|s| {
        let stop = Done(&done);
        // A reader sees the previous complete file or the next one, never a part.
        let reader = s.spawn(|| {
            let mut reads = 0;
            while !done.load(std::sync::atomic::Ordering::SeqCst) {
                if let Ok(bytes) = std::fs::read(&target) {
                    assert_eq!(csv_records(&bytes).len(), 7, "a complete file");
                    reads += 1;
                }
            }
            reads
        });
        let writers: Vec<_> = (0..50)
            .map(|i| {
                let (db, target) = (&db, &target);
                s.spawn(move || {
                    let e = Engine::open(db).unwrap();
                    if i % 2 == 0 {
                        e.export_csv_file(&ExportQuery::default(), target).unwrap();
                    } else {
                        let q = ExportQuery {
                            location: Some("nowhere".into()),
                            ..Default::default()
                        };
                        // A failing writer leaves the others' files alone.
                        let err = e.export_csv_file(&q, target).unwrap_err();
                        assert_eq!(err.kind(), ErrorKind::NotFound);
                    }
                })
            })
            .collect();
        for w in writers {
            w.join().unwrap();
        }
        drop(stop);
        let reads = reader.join().unwrap();
        eprintln!("t4: {reads} reads of the target during 50 writers, all complete");
    });
    assert_eq!(csv_records(&std::fs::read(&target).unwrap()).len(), 7);
    assert!(
        temporaries(dir.path()).is_empty(),
        "{:?}",
        temporaries(dir.path())
    );
}

#[test]
fn t4_a_255_byte_file_name_works_and_no_temporary_is_left_after_success_or_error() {
    let dir = tempfile::tempdir().unwrap();
    let e = formula_store(&dir.path().join("h.db"));
    let csv_name = format!("{}.csv", "a".repeat(251));
    let xlsx_name = format!("{}.xlsx", "b".repeat(250));
    assert_eq!((csv_name.len(), xlsx_name.len()), (255, 255));
    let csv_path = dir.path().join(&csv_name);
    assert_eq!(
        e.export_csv_file(&ExportQuery::default(), &csv_path)
            .unwrap(),
        6
    );
    assert_eq!(csv_records(&std::fs::read(&csv_path).unwrap()).len(), 7);
    let xlsx_path = dir.path().join(&xlsx_name);
    e.export_xlsx_file(&ExportQuery::default(), &xlsx_path)
        .unwrap();
    let book: Xlsx<_> = open_workbook(&xlsx_path).unwrap();
    assert_eq!(book.sheet_names().len(), 3);
    assert!(temporaries(dir.path()).is_empty());

    // Errors: an unknown location (the export fails while writing), a folder in the way
    // (the rename fails), a missing folder (nothing can be created): no temporary left,
    // the earlier file untouched.
    let before = std::fs::read(&csv_path).unwrap();
    let bad = ExportQuery {
        location: Some("nowhere".into()),
        ..Default::default()
    };
    assert_eq!(
        e.export_csv_file(&bad, &csv_path).unwrap_err().kind(),
        ErrorKind::NotFound
    );
    assert_eq!(
        e.export_xlsx_file(&bad, &xlsx_path).unwrap_err().kind(),
        ErrorKind::NotFound
    );
    let folder = dir.path().join("a-folder.csv");
    std::fs::create_dir(&folder).unwrap();
    std::fs::write(folder.join("inside"), "kept").unwrap();
    assert_eq!(
        e.export_csv_file(&ExportQuery::default(), &folder)
            .unwrap_err()
            .kind(),
        ErrorKind::Storage
    );
    assert_eq!(
        std::fs::read_to_string(folder.join("inside")).unwrap(),
        "kept"
    );
    let missing = dir.path().join("no-such-folder").join("f.csv");
    assert_eq!(
        e.export_csv_file(&ExportQuery::default(), &missing)
            .unwrap_err()
            .kind(),
        ErrorKind::Storage
    );
    assert_eq!(std::fs::read(&csv_path).unwrap(), before);
    assert!(
        temporaries(dir.path()).is_empty(),
        "{:?}",
        temporaries(dir.path())
    );
}

// ---------------------------------------------------------------------------------------
// T4: never onto the open store; temporaries held while written, removed when left.

/// A store with a location and a synced night, in the journal mode asked for.
fn live_store(path: &Path, journal: JournalMode) -> Engine {
    let e = Engine::open_with(
        path,
        &EngineOptions {
            journal,
            ..EngineOptions::default()
        },
    )
    .unwrap();
    e.upsert_location(&Location::new("paris", "Paris", "Europe/Paris"))
        .unwrap();
    e.sync(
        &batch(
            "paris",
            "2026-11-20",
            &["c1"],
            vec![sale("t1", Some("c1"), Some("2026-11-20T10:00:00+01:00"))],
        ),
        at("2026-11-20T22:00:00Z"),
    )
    .unwrap();
    e
}

/// Every entry of `dir` with its size and permissions, to tell that nothing was written.
fn listing(dir: &Path) -> Vec<(String, u64, u32)> {
    let mut all: Vec<_> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| {
            let e = e.unwrap();
            let m = std::fs::symlink_metadata(e.path()).unwrap();
            #[cfg(unix)]
            let mode = std::os::unix::fs::PermissionsExt::mode(&m.permissions());
            #[cfg(not(unix))]
            let mode = u32::from(m.permissions().readonly());
            (e.file_name().to_string_lossy().into_owned(), m.len(), mode)
        })
        .collect();
    all.sort();
    all
}

/// The store is still whole and usable: another connection opens it and sees the data,
/// in the journal mode it was created with, and the first engine still writes.
fn assert_store_intact(e: &Engine, path: &Path, journal: JournalMode, what: &str) {
    let other = Engine::open(path).unwrap_or_else(|err| panic!("{what}: reopen: {err}"));
    assert_eq!(other.locations().unwrap().len(), 1, "{what}");
    assert_eq!(other.journal_mode().unwrap(), journal, "{what}");
    assert!(other.check().unwrap().ok, "{what}");
    other.close().unwrap();
    e.upsert_location(&Location::new("lyon", "Lyon", "Europe/Paris"))
        .unwrap_or_else(|err| panic!("{what}: write after: {err}"));
    assert_eq!(e.locations().unwrap().len(), 2, "{what}");
}

/// Every door's refusal: invalid input naming `path`, never the path itself.
fn assert_refused(err: hearken::Error, dir: &Path, what: &str) {
    assert_eq!(err.kind(), ErrorKind::InvalidInput, "{what}: {err}");
    assert_eq!(err.problems().len(), 1, "{what}");
    assert_eq!(err.problems()[0].field, "path", "{what}");
    assert!(
        err.problems()[0].reason.contains("companions"),
        "{what}: {err}"
    );
    let shown = err.to_string();
    let dir_name = dir.file_name().unwrap().to_string_lossy();
    assert!(
        !shown.contains(&*dir_name),
        "{what}: echoes the path: {shown}"
    );
}

/// The targets that name the store `dir/h.db` or one of its companions: directly, in
/// another letter case, through `..`, through a linked folder, as a hard link.
fn targets_onto_the_store(dir: &Path) -> Vec<(String, PathBuf)> {
    let mut t = Vec::new();
    for name in ["h.db", "h.db-wal", "h.db-shm", "h.db-journal"] {
        t.push((name.to_owned(), dir.join(name)));
    }
    for name in ["H.DB", "h.db-WAL", "H.db-Shm", "h.DB-journal"] {
        t.push((format!("letter case {name}"), dir.join(name)));
    }
    std::fs::create_dir_all(dir.join("sub")).unwrap();
    t.push((
        "through ..".into(),
        dir.join("sub").join("..").join("h.db-wal"),
    ));
    #[cfg(unix)]
    {
        let linked = dir.parent().unwrap().join(format!(
            "{}-link",
            dir.file_name().unwrap().to_string_lossy()
        ));
        if !linked.exists() {
            std::os::unix::fs::symlink(dir, &linked).unwrap();
        }
        for name in ["h.db", "h.db-wal", "h.db-shm", "h.db-journal"] {
            t.push((format!("linked folder {name}"), linked.join(name)));
        }
        let link = dir.join("link-to-store.db");
        if !link.exists() {
            std::os::unix::fs::symlink(dir.join("h.db"), &link).unwrap();
        }
        t.push(("a link to the store".into(), link));
        let hard = dir.join("hard-link.db");
        if !hard.exists() {
            std::fs::hard_link(dir.join("h.db"), &hard).unwrap();
        }
        t.push(("a hard link to the store".into(), hard));
    }
    t
}

#[test]
fn t4_backup_onto_the_stores_wal_is_refused_and_changes_nothing() {
    for journal in [JournalMode::Wal, JournalMode::Rollback] {
        let top = tempfile::tempdir().unwrap();
        let dir = top.path().join("pos-data-7q");
        std::fs::create_dir(&dir).unwrap();
        let db = dir.join("h.db");
        let e = live_store(&db, journal);
        let targets = targets_onto_the_store(&dir);
        for (what, target) in &targets {
            let what = format!("{journal:?} backup to {what}");
            let before = listing(&dir);
            assert_refused(e.backup(target).unwrap_err(), &dir, &what);
            assert_eq!(listing(&dir), before, "{what}: something was written");
        }
        assert_store_intact(&e, &db, journal, &format!("{journal:?} after the backups"));
        // A backup beside the store, under another name, still works.
        e.backup(dir.join("h-copy.db")).unwrap();
        e.close().unwrap();
        assert!(temporaries(&dir).is_empty(), "{:?}", temporaries(&dir));
    }
}

#[test]
fn t4_exports_onto_the_store_or_its_companions_are_refused_and_change_nothing() {
    let top = tempfile::tempdir().unwrap();
    let dir = top.path().join("pos-data-7q");
    std::fs::create_dir(&dir).unwrap();
    let db = dir.join("h.db");
    let e = live_store(&db, JournalMode::Wal);
    for (what, target) in &targets_onto_the_store(&dir) {
        let before = listing(&dir);
        let err = e
            .export_csv_file(&ExportQuery::default(), target)
            .unwrap_err();
        assert_refused(err, &dir, &format!("csv to {what}"));
        let err = e
            .export_xlsx_file(&ExportQuery::default(), target)
            .unwrap_err();
        assert_refused(err, &dir, &format!("xlsx to {what}"));
        let err = e.write_file(target, b"page").unwrap_err();
        assert_refused(err, &dir, &format!("write_file to {what}"));
        assert_eq!(listing(&dir), before, "{what}: something was written");
    }
    assert_store_intact(&e, &db, JournalMode::Wal, "after the exports");
}

/// The child of the kill test: a backup of `HEARKEN_T4_DB` to `HEARKEN_T4_OUT`, stopped
/// at the failpoint the parent armed.
#[cfg(all(unix, feature = "failpoints"))]
#[test]
#[ignore = "run by t4_a_backup_killed_before_its_rename_is_swept_by_the_next_write"]
fn t4_backup_child() {
    let (Ok(db), Ok(out)) = (
        std::env::var("HEARKEN_T4_DB"),
        std::env::var("HEARKEN_T4_OUT"),
    ) else {
        return;
    };
    Engine::open(db).unwrap().backup(out).unwrap();
}

#[cfg(all(unix, feature = "failpoints"))]
#[test]
fn t4_a_backup_killed_before_its_rename_is_swept_by_the_next_write() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("h.db");
    live_store(&db, JournalMode::Wal).close().unwrap();
    let out = dir.path().join("backups");
    std::fs::create_dir(&out).unwrap();
    let mut run = child::spawn(
        "t4_backup_child",
        &[
            ("HEARKEN_T4_DB", db.display().to_string()),
            (
                "HEARKEN_T4_OUT",
                out.join("nightly.db").display().to_string(),
            ),
            ("HEARKEN_FAILPOINT", "backup.before_rename".to_owned()),
        ],
    );
    let stopped = run.wait_for_line("hearken-failpoint ");
    // The child holds a complete copy under its hidden temporary name; a write into that
    // folder meanwhile leaves it alone. (Checked after the kill: a failed check must not
    // leave the child waiting at its failpoint.)
    let held = temporaries(&out);
    let size = held
        .first()
        .and_then(|t| std::fs::metadata(out.join(t)).ok())
        .map_or(0, |m| m.len());
    let e = Engine::open(&db).unwrap();
    let meanwhile = e.backup(out.join("other.db"));
    let held_after = temporaries(&out);
    let stderr = run.kill();
    meanwhile.unwrap();
    assert_eq!(
        stopped.as_deref(),
        Some("hearken-failpoint backup.before_rename 1"),
        "{stderr:?}"
    );
    assert_eq!(held.len(), 1, "{held:?}");
    assert!(size >= 4096, "a complete copy: {size} bytes");
    assert_eq!(held_after, held, "a held temporary was removed");
    // Killed: nothing holds it any more. What SQLite leaves beside a copy killed inside
    // its transaction, and a companion whose temporary is already gone, go too.
    std::fs::write(out.join(format!("{}-journal", held[0])), "hot journal").unwrap();
    std::fs::write(out.join(".hearken-gone12.tmp-wal"), "orphan").unwrap();
    std::fs::write(out.join("notes.tmp-wal"), "not ours").unwrap();
    e.backup(out.join("other.db")).unwrap();
    assert!(temporaries(&out).is_empty(), "{:?}", temporaries(&out));
    assert_eq!(
        std::fs::read_to_string(out.join("notes.tmp-wal")).unwrap(),
        "not ours"
    );
    assert!(!out.join("nightly.db").exists());
    // An export sweeps too.
    std::fs::write(out.join(".hearken-dead99.tmp"), "left by a killed export").unwrap();
    e.export_csv_file(&ExportQuery::default(), out.join("f.csv"))
        .unwrap();
    assert!(temporaries(&out).is_empty(), "{:?}", temporaries(&out));
}

/// A real full disk: a tmpfs a little larger than the store, so the copy's file fits and
/// what SQLite writes beside it does not. Needs to mount (root, Linux); skipped otherwise.
#[cfg(target_os = "linux")]
#[test]
fn t4_a_backup_that_fails_on_a_full_disk_leaves_no_temporary_nor_its_companions() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("h.db");
    let e = live_store(&db, JournalMode::Wal);
    e.close().unwrap();
    let e = Engine::open(&db).unwrap();
    let store_kib = std::fs::metadata(&db).unwrap().len().div_ceil(1024);
    let mut failures = 0;
    for extra_kib in [4, 8, 12, 16, 20] {
        let disk = dir.path().join(format!("disk{extra_kib}"));
        std::fs::create_dir(&disk).unwrap();
        let mounted = std::process::Command::new("mount")
            .args(["-t", "tmpfs", "-o"])
            .arg(format!("size={}k", store_kib + extra_kib))
            .arg("tmpfs")
            .arg(&disk)
            .stderr(std::process::Stdio::null())
            .status()
            .is_ok_and(|s| s.success());
        if !mounted {
            eprintln!("t4 full disk: cannot mount a tmpfs here (not root?); skipped");
            return;
        }
        let result = e.backup(disk.join("b.db"));
        let left: Vec<String> = std::fs::read_dir(&disk)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        let _ = std::process::Command::new("umount").arg(&disk).status();
        match result {
            Ok(()) => assert_eq!(left, ["b.db"], "{extra_kib} KiB spare"),
            Err(err) => {
                failures += 1;
                assert_eq!(err.kind(), ErrorKind::Storage, "{err}");
                assert!(left.is_empty(), "{extra_kib} KiB spare: {left:?} left");
            }
        }
    }
    assert!(failures > 0, "no size made the backup fail");
    e.close().unwrap();
}

#[test]
fn t5_convert_journal_of_a_path_with_no_store_is_refused_and_creates_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let missing = dir.path().join("mistyped.db");
    for mode in [JournalMode::Wal, JournalMode::Rollback] {
        let err = Engine::convert_journal(&missing, mode).unwrap_err();
        assert_eq!(err.kind(), ErrorKind::InvalidInput, "{err}");
        assert_eq!(err.problems()[0].field, "path");
        assert!(!err.to_string().contains("mistyped"), "{err}");
    }
    assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 0);
}
