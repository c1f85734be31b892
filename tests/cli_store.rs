//! The CLI's store commands as an operator meets them: `--journal`, `convert-journal`
//! (T5), `backup` (T1) and `check` (T7).

use std::path::Path;
use std::process::Command;

/// Runs `hearken --db DB ARGS…`; returns the exit code, stdout and stderr.
fn hearken(db: &Path, args: &[&str]) -> (i32, String, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_hearken"))
        .arg("--db")
        .arg(db)
        .args(args)
        .env_remove("HEARKEN_DB")
        .output()
        .unwrap();
    (
        out.status.code().unwrap(),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

fn journal_of(db: &Path) -> String {
    rusqlite::Connection::open(db)
        .unwrap()
        .query_row("PRAGMA journal_mode", [], |r| r.get(0))
        .unwrap()
}

#[test]
fn t5_the_cli_creates_a_store_in_the_mode_asked_and_every_command_keeps_it() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("share.db");
    let add = [
        "--journal",
        "rollback",
        "locations",
        "add",
        "paris",
        "Boutique Paris",
        "Europe/Paris",
    ];
    let (code, _, err) = hearken(&db, &add);
    assert_eq!(code, 0, "{err}");
    assert_eq!(journal_of(&db), "delete");
    // Commands without --journal (default wal) leave the store in rollback mode.
    for args in [&["locations", "list"][..], &["check"], &["outbox", "list"]] {
        let (code, _, err) = hearken(&db, args);
        assert!(code == 0, "{args:?}: {err}");
        assert_eq!(journal_of(&db), "delete", "{args:?} switched the journal");
    }
    assert!(!dir.path().join("share.db-wal").exists());
    let (code, out, err) = hearken(&db, &["convert-journal", "wal"]);
    assert_eq!(code, 0, "{err}");
    assert!(out.contains("rollback journal -> wal journal"), "{out}");
    assert_eq!(journal_of(&db), "wal");
    let (code, out, _) = hearken(&db, &["--json", "convert-journal", "rollback"]);
    assert_eq!(code, 0);
    assert_eq!(out.trim(), r#"{"after":"rollback","before":"wal"}"#);
    assert_eq!(journal_of(&db), "delete");
}

#[test]
fn t5_convert_journal_while_another_program_has_the_store_open_is_a_conflict() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("store.db");
    let (code, _, _) = hearken(&db, &["locations", "add", "paris", "Paris", "Europe/Paris"]);
    assert_eq!(code, 0);
    let host = hearken::Engine::open(&db).unwrap();
    let (code, _, err) = hearken(&db, &["convert-journal", "rollback"]);
    assert_eq!(code, 5, "{err}");
    assert_eq!(host.journal_mode().unwrap(), hearken::JournalMode::Wal);
}

#[test]
fn t1_t7_backup_writes_a_checked_standalone_copy_and_check_refuses_foreign_files() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("store.db");
    let (code, _, _) = hearken(&db, &["locations", "add", "paris", "Paris", "Europe/Paris"]);
    assert_eq!(code, 0);
    let copy = dir.path().join("nightly copy.db");
    let (code, out, err) = hearken(&db, &["backup", "--out", copy.to_str().unwrap()]);
    assert_eq!(code, 0, "{err}");
    assert!(out.contains("backup written"), "{out}");
    let (code, out, _) = hearken(&copy, &["check"]);
    assert_eq!(code, 0);
    assert!(out.contains(": ok"), "{out}");
    let (code, out, _) = hearken(&copy, &["--json", "check"]);
    assert_eq!(code, 0);
    assert!(out.contains(r#""ok":true"#), "{out}");
    assert!(
        out.contains(r#""journal":"rollback""#),
        "a backup is one file: {out}"
    );
    // Another program's database: refused, untouched.
    let foreign = dir.path().join("crm.db");
    rusqlite::Connection::open(&foreign)
        .unwrap()
        .execute_batch("CREATE TABLE customers (id INTEGER PRIMARY KEY, name TEXT)")
        .unwrap();
    let bytes = std::fs::read(&foreign).unwrap();
    let (code, _, err) = hearken(&foreign, &["check"]);
    assert_eq!(code, 1);
    assert!(err.contains("not a hearken store"), "{err}");
    assert_eq!(std::fs::read(&foreign).unwrap(), bytes);
}

#[test]
fn t4_cli_backup_or_export_onto_the_stores_wal_is_refused_and_the_store_still_opens() {
    let top = tempfile::tempdir().unwrap();
    let dir = top.path().join("pos-data-7q");
    std::fs::create_dir(&dir).unwrap();
    let db = dir.join("store.db");
    let (code, _, _) = hearken(&db, &["locations", "add", "paris", "Paris", "Europe/Paris"]);
    assert_eq!(code, 0);
    #[cfg(unix)]
    std::os::unix::fs::symlink(&dir, top.path().join("linked")).unwrap();
    let mut targets = vec![
        dir.join("store.db-wal"),
        dir.join("store.db"),
        dir.join("store.db-journal"),
        dir.join("Store.DB-shm"),
    ];
    if cfg!(unix) {
        targets.push(top.path().join("linked").join("store.db-wal"));
    }
    for target in &targets {
        let target = target.to_str().unwrap();
        for args in [
            vec!["backup", "--out", target],
            vec!["export", "csv", "--out", target],
            vec!["--json", "backup", "--out", target],
        ] {
            let before: Vec<_> = std::fs::read_dir(&dir)
                .unwrap()
                .map(|e| e.unwrap().file_name())
                .collect();
            let (code, out, err) = hearken(&db, &args);
            assert_eq!(code, 3, "{args:?}: {out}{err}");
            assert!(err.contains("path"), "{args:?}: {err}");
            assert!(err.contains("companions"), "{args:?}: {err}");
            let after: Vec<_> = std::fs::read_dir(&dir)
                .unwrap()
                .map(|e| e.unwrap().file_name())
                .collect();
            assert_eq!(after.len(), before.len(), "{args:?}: something was written");
        }
    }
    let (code, out, err) = hearken(&db, &["check"]);
    assert_eq!(code, 0, "{err}");
    assert!(out.contains(": ok"), "{out}");
    assert_eq!(journal_of(&db), "wal");
    // Pages rendered into the store's folder never replace a store named like a page.
    let pages = top.path().join("pages");
    std::fs::create_dir(&pages).unwrap();
    let odd = pages.join("index.html");
    let (code, _, _) = hearken(
        &odd,
        &["locations", "add", "paris", "Paris", "Europe/Paris"],
    );
    assert_eq!(code, 0);
    let (code, _, err) = hearken(
        &odd,
        &[
            "pages",
            "render",
            "--location",
            "paris",
            "--out",
            pages.to_str().unwrap(),
        ],
    );
    assert_eq!(code, 3, "{err}");
    assert_eq!(hearken(&odd, &["check"]).0, 0);
    // convert-journal on a mistyped path creates nothing.
    let missing = dir.join("mistyped.db");
    let (code, _, _) = hearken(&missing, &["convert-journal", "rollback"]);
    assert_ne!(code, 0);
    assert!(!missing.exists());
}

/// T7, schema 21: `hearken check` compares each person's latest-invitation row with the
/// invitations it summarises: a row edited by hand is a problem naming the table, exit 1.
#[test]
fn t7_check_finds_a_person_latest_row_edited_by_hand() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("store.db");
    let fixture = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/schema_v20.db");
    std::fs::copy(fixture, &db).unwrap();
    let (code, out, err) = hearken(&db, &["check"]);
    assert_eq!(code, 0, "{err}");
    assert!(out.contains(": ok"), "{out}");
    rusqlite::Connection::open(&db)
        .unwrap()
        .execute("UPDATE person_latest SET invited = invited + 1", [])
        .unwrap();
    let (code, out, _) = hearken(&db, &["check"]);
    assert_eq!(code, 1);
    assert!(
        out.contains("DAMAGED") && out.contains("person_latest"),
        "{out}"
    );
}
