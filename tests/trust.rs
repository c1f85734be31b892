//! What hearken promises about the data under faults and misuse (T1, T2, T5, T7, T8),
//! through the Rust door. The C door's tests are in tests/c/test_store_file.c, the bindings'
//! in bindings/python/test_store_file.py and bindings/kotlin/HearkenTest.kt.

mod common;

use std::path::{Path, PathBuf};
use std::time::Duration;

use common::{at, batch, dump, paris_night, sale};
use hearken::{
    Answer, Customer, Engine, EngineOptions, ErrorKind, InteractionInput, InteractionMethod,
    JournalMode, Location, NotifyLevel, ResponseInput, User, UserRole,
};

const DUE: &str = "2026-11-21T09:00:00Z";
const OLD_EMAIL: &str = "amelie.old-address@example.fr";
const EMAIL: &str = "amelie.dupont@example.fr";
const NAME: &str = "Amélie Dupont-Lefèvre";
const PHONE: &str = "+33612345678";
const NOTE: &str = "Rappelée au 06 12 34 56 78, très fâchée";
const FAIL_REASON: &str = "550 mailbox amelie.dupont@example.fr unknown";

fn options(journal: JournalMode) -> EngineOptions {
    EngineOptions {
        journal,
        busy_timeout: Duration::from_secs(5),
    }
}

fn amelie(email: &str) -> Customer {
    Customer {
        name: Some(NAME.into()),
        phone: Some(PHONE.into()),
        ..Customer::with_email("amelie", email)
    }
}

/// A comment longer than a database page, so it lives in overflow pages.
fn long_comment() -> String {
    let mut s = String::from("Commentaire-Amélie:");
    while s.len() < 4700 {
        s.push_str(" la vendeuse m'a ignorée pendant vingt minutes");
    }
    s
}

/// A store with one customer whose e-mail changed, who was invited, answered with a long
/// comment, got a staff note and a failed delivery: every place a value can hide.
fn populated(path: &Path, journal: JournalMode) -> Engine {
    let e = Engine::open_with(path, &options(journal)).unwrap();
    e.upsert_location(&Location::new("paris", "Boutique Paris", "Europe/Paris"))
        .unwrap();
    let mut manager = User::new("sophie", "Sophie", "sophie@shop.example", UserRole::Manager);
    manager.notify = NotifyLevel::All;
    e.upsert_user(&manager).unwrap();
    // The contact changes before the erasure: the old value must go too.
    let mut first = batch("paris", "2026-11-19", &[], vec![]);
    first.customers = vec![amelie(OLD_EMAIL)];
    e.sync(&first, paris_night("2026-11-19")).unwrap();
    let mut night = batch(
        "paris",
        "2026-11-20",
        &[],
        vec![
            sale("t1", Some("amelie"), Some("2026-11-20T10:00:00+01:00")),
            sale("t2", Some("bob"), Some("2026-11-20T11:00:00+01:00")),
        ],
    );
    night.customers = vec![
        amelie(EMAIL),
        Customer::with_email("bob", "bob@example.com"),
    ];
    e.sync(&night, paris_night("2026-11-20")).unwrap();
    // The first delivery fails with a reason quoting the address, then succeeds.
    let first_try = e.claim(10, at(DUE)).unwrap();
    for m in &first_try {
        let reason = if m.customer.as_deref() == Some("amelie") {
            FAIL_REASON
        } else {
            "421 try again later"
        };
        e.fail(&m.message_id, reason, false, at(DUE)).unwrap();
    }
    let later = at("2026-11-21T12:00:00Z");
    let msgs = e.claim(10, later).unwrap();
    let mut token = None;
    for m in &msgs {
        e.ack(&m.message_id, later).unwrap();
        if m.customer.as_deref() == Some("amelie") {
            let link = m.survey_link.as_deref().unwrap();
            token = Some(common::link_token(link));
        }
    }
    let answers = ResponseInput {
        answers: vec![
            Answer {
                question: "recommend".into(),
                score: Some(1),
                ..Answer::default()
            },
            Answer {
                question: "comment".into(),
                text: Some(long_comment()),
                ..Answer::default()
            },
        ],
        consent_to_reply: true,
    };
    let outcome = e
        .record_response(&token.expect("amelie invited"), &answers, later)
        .unwrap();
    e.record_interaction(
        outcome.alert_id.expect("a detractor raises an alert"),
        &InteractionInput {
            method: InteractionMethod::Phone,
            note: NOTE.into(),
            user: "sophie".into(),
        },
        later,
    )
    .unwrap();
    e
}

/// Every value of the customer that erasure must remove, as the bytes SQLite stores.
fn personal_values() -> Vec<String> {
    vec![
        OLD_EMAIL.into(),
        EMAIL.into(),
        NAME.into(),
        PHONE.into(),
        NOTE.into(),
        "Commentaire-Amélie".into(),
        "ignorée pendant vingt".into(),
        "mailbox amelie".into(),
    ]
}

/// The database file and its -wal and -journal companions, as they are on disk now.
fn store_files(path: &Path) -> Vec<PathBuf> {
    let name = path.file_name().unwrap().to_string_lossy().into_owned();
    ["", "-wal", "-journal", "-shm"]
        .iter()
        .map(|suffix| path.with_file_name(format!("{name}{suffix}")))
        .filter(|p| p.exists())
        .collect()
}

/// Which personal values are still somewhere in the raw bytes of the store's files.
fn leftovers(path: &Path) -> Vec<String> {
    let mut found = Vec::new();
    for file in store_files(path) {
        let bytes = std::fs::read(&file).unwrap();
        for value in personal_values() {
            let needle = value.as_bytes();
            if bytes.windows(needle.len()).any(|w| w == needle) {
                found.push(format!("{value:?} in {}", file.display()));
            }
        }
    }
    found
}

/// How many events of the feed name customer `id`, and whether one is her erasure (D1).
fn events_about(e: &Engine, id: &str) -> (usize, bool) {
    let hearken::EventsPage::Events { events, .. } = e.events(None, 1000).unwrap() else {
        panic!("a fresh read of the feed");
    };
    let about: Vec<_> = events
        .iter()
        .filter(|ev| {
            let data: serde_json::Value = serde_json::from_str(&ev.data).unwrap();
            data["customer"] == id
        })
        .collect();
    let erased = about.iter().any(|ev| ev.kind == "customer.erased.v1");
    (about.len(), erased)
}

/// The id of the first message to `customer` stored as acked, read from the file.
fn first_message_to(path: &Path, customer: &str) -> String {
    let conn = rusqlite::Connection::open(path).unwrap();
    conn.query_row(
        "SELECT o.message_id FROM outbox o JOIN customers c ON c.id = o.customer_id
         WHERE c.host_id = ?1 AND o.status = 'acked' ORDER BY o.id LIMIT 1",
        [customer],
        |r| r.get(0),
    )
    .unwrap()
}

/// Copies the database file alone (no -wal, no -shm) into an empty folder.
fn copy_alone(path: &Path, into: &Path) -> PathBuf {
    let copy = into.join("copy.db");
    std::fs::copy(path, &copy).unwrap();
    copy
}

#[test]
fn t1_dropping_or_closing_an_engine_leaves_the_whole_store_in_its_one_file() {
    for journal in [JournalMode::Wal, JournalMode::Rollback] {
        for explicit_close in [false, true] {
            let dir = tempfile::tempdir().unwrap();
            let path = dir.path().join("store.db");
            let e = populated(&path, journal);
            let before = dump(&path);
            if explicit_close {
                e.close().unwrap();
                assert!(e.is_closed());
            }
            drop(e);
            assert!(
                !path.with_file_name("store.db-wal").exists()
                    || std::fs::metadata(path.with_file_name("store.db-wal"))
                        .unwrap()
                        .len()
                        == 0,
                "{journal:?}: the WAL was not folded back"
            );
            let elsewhere = tempfile::tempdir().unwrap();
            let copy = copy_alone(&path, elsewhere.path());
            assert_eq!(dump(&copy), before, "{journal:?} close={explicit_close}");
            // The copy is a complete store: it opens and answers.
            let reopened = Engine::open(&copy).unwrap();
            assert_eq!(reopened.journal_mode().unwrap(), journal);
            assert!(reopened.explain("amelie", at(DUE)).is_ok());
        }
    }
}

#[test]
fn t1_an_online_backup_of_a_live_store_is_a_complete_standalone_file() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("store.db");
    let e = populated(&path, JournalMode::Wal);
    // The live store has its recent writes in the WAL: a plain copy would miss them.
    let live = dump(&path);
    let target = dir.path().join("backups").join("nightly.db");
    std::fs::create_dir_all(target.parent().unwrap()).unwrap();
    e.backup(&target).unwrap();
    // Again over the first one: replaced whole.
    e.backup(&target).unwrap();
    let leftover: Vec<_> = std::fs::read_dir(target.parent().unwrap())
        .unwrap()
        .map(|d| d.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    assert_eq!(leftover, vec!["nightly.db".to_owned()], "no temporary left");
    let elsewhere = tempfile::tempdir().unwrap();
    let copy = copy_alone(&target, elsewhere.path());
    // Every row, but the copy starts a new incarnation of the event feed (D1): a cursor
    // read from the live store is not silently valid on a restored copy.
    let (copied, copy_meta): (Vec<String>, Vec<String>) = dump(&copy)
        .into_iter()
        .partition(|r| !r.starts_with("event_meta:"));
    let (live, live_meta): (Vec<String>, Vec<String>) = live
        .into_iter()
        .partition(|r| !r.starts_with("event_meta:"));
    assert_eq!(copied, live);
    assert_eq!((copy_meta.len(), live_meta.len()), (1, 1));
    assert_ne!(copy_meta, live_meta);
    let restored = Engine::open(&copy).unwrap();
    assert!(restored.check().unwrap().ok);
    // The engine goes on working after a backup.
    assert!(e.explain("amelie", at(DUE)).is_ok());
}

#[cfg(unix)]
#[test]
fn t1_t4_a_backup_replaces_a_planted_link_instead_of_following_it() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("store.db");
    let e = populated(&path, JournalMode::Wal);
    let victim = dir.path().join("victim.txt");
    std::fs::write(&victim, b"do not touch").unwrap();
    let target = dir.path().join("backup.db");
    std::os::unix::fs::symlink(&victim, &target).unwrap();
    e.backup(&target).unwrap();
    assert_eq!(std::fs::read(&victim).unwrap(), b"do not touch");
    assert!(
        !std::fs::symlink_metadata(&target)
            .unwrap()
            .file_type()
            .is_symlink()
    );
    assert!(Engine::open(&target).unwrap().check().unwrap().ok);
}

#[test]
fn t2_erasure_leaves_no_byte_of_the_customer_in_the_database_or_its_journals() {
    for journal in [JournalMode::Wal, JournalMode::Rollback] {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("store.db");
        let e = populated(&path, journal);
        assert!(
            !leftovers(&path).is_empty(),
            "the test stores the values first"
        );
        // D3, D5: a hard bounce marks her e-mail, and her consent history (the reply
        // consent of her answer, the POS flag turned off) is in the scanned bytes too.
        let later = at("2026-11-21T12:00:00Z");
        let to_her = first_message_to(&path, "amelie");
        e.report_delivery(&to_her, hearken::DeliveryFeedback::HardBounce, later)
            .unwrap();
        let mut off = batch("paris", "2026-11-22", &[], vec![]);
        off.customers = vec![Customer {
            include_in_communications: false,
            ..amelie(EMAIL)
        }];
        e.sync(&off, paris_night("2026-11-22")).unwrap();
        let why = e.explain("amelie", later).unwrap();
        assert!(why.contact_bounced_at.is_some() && why.consent.len() >= 2);
        // The event feed (D1) is in the scanned bytes too: it holds events about her.
        let (about_her, _) = events_about(&e, "amelie");
        assert!(about_her > 0, "{journal:?}: no event about her to scan");
        let erasure = e.erase_customer("amelie", at(DUE)).unwrap();
        let (after, erased) = events_about(&e, "amelie");
        assert!(
            after > about_her && erased,
            "{journal:?}: her erasure is an event"
        );
        assert!(e.consent_history("amelie").unwrap().is_empty());
        assert!(
            erasure.scrubbed,
            "{journal:?}: no other reader, the scrub completes"
        );
        assert_eq!(
            leftovers(&path),
            Vec::<String>::new(),
            "{journal:?} while open"
        );
        // The store goes on: bob's data is intact.
        assert!(e.explain("bob", at(DUE)).is_ok());
        drop(e);
        assert_eq!(
            leftovers(&path),
            Vec::<String>::new(),
            "{journal:?} after close"
        );
    }
}

#[test]
fn t2_a_reader_holding_a_snapshot_delays_the_scrub_until_close() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("store.db");
    let e = populated(&path, JournalMode::Wal);
    // Another process's reader with an open snapshot from before the erasure.
    let reader = rusqlite::Connection::open(&path).unwrap();
    reader.execute_batch("BEGIN").unwrap();
    let _: i64 = reader
        .query_row("SELECT count(*) FROM customers", [], |r| r.get(0))
        .unwrap();
    let erasure = e.erase_customer("amelie", at(DUE)).unwrap();
    assert!(!erasure.scrubbed, "the snapshot keeps old pages in the WAL");
    reader.execute_batch("COMMIT").unwrap();
    drop(reader);
    e.close().unwrap();
    assert_eq!(leftovers(&path), Vec::<String>::new());
}

#[test]
fn t5_a_store_keeps_the_journal_mode_it_was_created_with() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("share.db");
    drop(Engine::open_with(&path, &options(JournalMode::Rollback)).unwrap());
    // Opened with the default (WAL) options, it stays in rollback mode.
    let e = Engine::open(&path).unwrap();
    assert_eq!(e.journal_mode().unwrap(), JournalMode::Rollback);
    e.upsert_location(&Location::new("paris", "Boutique Paris", "Europe/Paris"))
        .unwrap();
    drop(e);
    assert!(!path.with_file_name("share.db-wal").exists());
    let mode: String = rusqlite::Connection::open(&path)
        .unwrap()
        .query_row("PRAGMA journal_mode", [], |r| r.get(0))
        .unwrap();
    assert_eq!(mode, "delete");
}

#[test]
fn t5_wal_and_rollback_handles_on_one_store_never_make_each_other_fail() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("store.db");
    let wal = Engine::open_with(&path, &options(JournalMode::Wal)).unwrap();
    wal.upsert_location(&Location::new("paris", "Boutique Paris", "Europe/Paris"))
        .unwrap();
    // A second handle asking for rollback while the WAL handle is open: it keeps WAL.
    let rollback = Engine::open_with(&path, &options(JournalMode::Rollback)).unwrap();
    assert_eq!(rollback.journal_mode().unwrap(), JournalMode::Wal);
    rollback
        .upsert_location(&Location::new("seoul", "서울 매장", "Asia/Seoul"))
        .unwrap();
    assert_eq!(wal.locations().unwrap().len(), 2);
    // Converting needs the only handle: a conflict now, nothing changed.
    let err = Engine::convert_journal(&path, JournalMode::Rollback).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Conflict, "{err}");
    assert_eq!(wal.journal_mode().unwrap(), JournalMode::Wal);
    drop(rollback);
    drop(wal);
    let before = dump(&path);
    assert_eq!(
        Engine::convert_journal(&path, JournalMode::Rollback).unwrap(),
        JournalMode::Wal
    );
    assert_eq!(dump(&path), before, "converting keeps every row");
    let e = Engine::open(&path).unwrap();
    assert_eq!(e.journal_mode().unwrap(), JournalMode::Rollback);
    drop(e);
    assert_eq!(
        Engine::convert_journal(&path, JournalMode::Wal).unwrap(),
        JournalMode::Rollback
    );
    assert_eq!(
        Engine::open(&path).unwrap().journal_mode().unwrap(),
        JournalMode::Wal
    );
}

#[test]
fn t7_a_foreign_database_is_refused_untouched() {
    let dir = tempfile::tempdir().unwrap();
    // Another application's file: application_id 0 and a table named `customers`.
    let foreign = dir.path().join("crm.db");
    {
        let c = rusqlite::Connection::open(&foreign).unwrap();
        c.execute_batch(
            "CREATE TABLE customers (id INTEGER PRIMARY KEY, name TEXT);
             INSERT INTO customers (name) VALUES ('someone');",
        )
        .unwrap();
    }
    // Its own application id, no tables of ours.
    let stamped = dir.path().join("other.db");
    {
        let c = rusqlite::Connection::open(&stamped).unwrap();
        c.execute_batch("PRAGMA application_id = 1234; CREATE TABLE t (x);")
            .unwrap();
    }
    // Not a database at all.
    let text = dir.path().join("notes.txt");
    std::fs::write(&text, "x".repeat(8192)).unwrap();
    for (path, journal) in [
        (&foreign, JournalMode::Wal),
        (&foreign, JournalMode::Rollback),
        (&stamped, JournalMode::Wal),
        (&text, JournalMode::Wal),
    ] {
        let bytes = std::fs::read(path).unwrap();
        let err = Engine::open_with(path, &options(journal))
            .err()
            .expect("refused");
        assert_eq!(
            err.kind(),
            ErrorKind::NotHearken,
            "{}: {err}",
            path.display()
        );
        assert_eq!(
            std::fs::read(path).unwrap(),
            bytes,
            "{} changed",
            path.display()
        );
        assert!(!path.with_extension("db-wal").exists());
        let err = Engine::convert_journal(path, JournalMode::Rollback).unwrap_err();
        assert_eq!(err.kind(), ErrorKind::NotHearken);
    }
}

#[test]
fn t7_hearken_stamps_its_application_id_and_old_stores_with_id_0_still_open() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("store.db");
    drop(Engine::open(&path).unwrap());
    let id: i32 = rusqlite::Connection::open(&path)
        .unwrap()
        .query_row("PRAGMA application_id", [], |r| r.get(0))
        .unwrap();
    assert_eq!(id, 0x484B_4E31);
    // A store from before the stamp (application_id 0): accepted and stamped.
    rusqlite::Connection::open(&path)
        .unwrap()
        .execute_batch("PRAGMA application_id = 0")
        .unwrap();
    drop(Engine::open(&path).unwrap());
    let id: i32 = rusqlite::Connection::open(&path)
        .unwrap()
        .query_row("PRAGMA application_id", [], |r| r.get(0))
        .unwrap();
    assert_eq!(id, 0x484B_4E31);
}

#[test]
fn t7_check_reports_a_damaged_file_as_a_typed_result() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("store.db");
    let e = populated(&path, JournalMode::Rollback);
    let sound = e.check().unwrap();
    assert!(sound.ok, "{:?}", sound.problems);
    assert_eq!(sound.journal, JournalMode::Rollback);
    assert_eq!(sound.schema_version, hearken::SCHEMA_VERSION);
    drop(e);
    // Scribble over the middle of the file (not the header page).
    let mut bytes = std::fs::read(&path).unwrap();
    let page = 4096;
    assert!(bytes.len() > 6 * page);
    for b in &mut bytes[3 * page + 100..5 * page] {
        *b = 0x5A;
    }
    std::fs::write(&path, &bytes).unwrap();
    let outcome = Engine::open(&path).and_then(|e| e.check());
    match outcome {
        Ok(check) => {
            assert!(!check.ok, "corruption found");
            assert!(!check.problems.is_empty());
            let text = check.problems.join("\n");
            for value in personal_values() {
                assert!(!text.contains(&value), "a problem line echoes data");
            }
        }
        Err(err) => assert_eq!(err.kind(), ErrorKind::Corrupt, "{err}"),
    }
}

#[test]
fn t8_acking_a_message_nobody_claimed_is_a_conflict_and_loses_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("store.db");
    let e = Engine::open(&path).unwrap();
    e.upsert_location(&Location::new("paris", "Boutique Paris", "Europe/Paris"))
        .unwrap();
    e.sync(
        &batch(
            "paris",
            "2026-11-20",
            &["c1"],
            vec![sale("t1", Some("c1"), Some("2026-11-20T10:00:00+01:00"))],
        ),
        paris_night("2026-11-20"),
    )
    .unwrap();
    // A made-up id is not found.
    let err = e.ack("00000000000000000000000000", at(DUE)).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::NotFound);
    // The real id of a queued message nobody claimed (a host acking from a stale list).
    let id: String = rusqlite::Connection::open(&path)
        .unwrap()
        .query_row("SELECT message_id FROM outbox", [], |r| r.get(0))
        .unwrap();
    let err = e.ack(&id, at(DUE)).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Conflict, "{err}");
    // The message is not lost: it is still there to deliver.
    let msgs = e.claim(10, at(DUE)).unwrap();
    assert_eq!(msgs.len(), 1);
    assert_eq!(msgs[0].message_id, id);
    e.ack(&id, at(DUE)).unwrap();
    // Acking again after the claim is fine (at-least-once hosts retry).
    e.ack(&id, at(DUE)).unwrap();
}

#[test]
fn t8_every_call_on_a_closed_engine_is_a_typed_error() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("store.db");
    let e = populated(&path, JournalMode::Wal);
    e.close().unwrap();
    e.close().unwrap(); // closing twice is a no-op
    let kinds = [
        e.settings().err().map(|x| x.kind()),
        e.locations().err().map(|x| x.kind()),
        e.explain("amelie", at(DUE)).err().map(|x| x.kind()),
        e.claim(10, at(DUE)).err().map(|x| x.kind()),
        e.sync(
            &batch("paris", "2026-11-21", &[], vec![]),
            paris_night("2026-11-21"),
        )
        .err()
        .map(|x| x.kind()),
        e.check().err().map(|x| x.kind()),
        e.backup(dir.path().join("b.db")).err().map(|x| x.kind()),
        e.erase_customer("amelie", at(DUE)).err().map(|x| x.kind()),
    ];
    for k in kinds {
        assert_eq!(k, Some(ErrorKind::Closed));
    }
    assert!(!dir.path().join("b.db").exists());
}

#[cfg(unix)]
#[test]
fn t8_a_store_file_deleted_or_replaced_while_open_makes_the_next_write_fail() {
    for replace in [false, true] {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("store.db");
        let e = Engine::open(&path).unwrap();
        e.upsert_location(&Location::new("paris", "Boutique Paris", "Europe/Paris"))
            .unwrap();
        for suffix in ["", "-wal", "-shm"] {
            let _ = std::fs::remove_file(path.with_file_name(format!("store.db{suffix}")));
        }
        if replace {
            drop(Engine::open(&path).unwrap());
        }
        let err = e
            .upsert_location(&Location::new("seoul", "서울 매장", "Asia/Seoul"))
            .unwrap_err();
        assert_eq!(err.kind(), ErrorKind::Storage, "replace={replace}: {err}");
    }
}
