//! The store's schema: versioned migrations, a newer file refused untouched, fixtures.

use std::path::PathBuf;

use hearken::{Engine, ErrorKind, SCHEMA_VERSION};

fn fixture(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(name)
}

fn user_version(path: &std::path::Path) -> i64 {
    rusqlite::Connection::open(path)
        .unwrap()
        .pragma_query_value(None, "user_version", |r| r.get(0))
        .unwrap()
}

#[test]
fn a_new_file_starts_at_the_current_version_in_wal_mode() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("new.db");
    drop(Engine::open(&path).unwrap());
    assert_eq!(user_version(&path), SCHEMA_VERSION);
    let mode: String = rusqlite::Connection::open(&path)
        .unwrap()
        .pragma_query_value(None, "journal_mode", |r| r.get(0))
        .unwrap();
    assert_eq!(mode, "wal");
}

#[test]
fn rollback_journal_is_a_setting_for_network_shares() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("share.db");
    let options = hearken::EngineOptions {
        journal: hearken::JournalMode::Rollback,
        ..Default::default()
    };
    drop(Engine::open_with(&path, &options).unwrap());
    let mode: String = rusqlite::Connection::open(&path)
        .unwrap()
        .pragma_query_value(None, "journal_mode", |r| r.get(0))
        .unwrap();
    assert_eq!(mode, "delete");
}

#[test]
fn a_newer_database_is_refused_and_left_untouched() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("newer.db");
    {
        let c = rusqlite::Connection::open(&path).unwrap();
        c.execute_batch("CREATE TABLE future (x); PRAGMA user_version = 99;")
            .unwrap();
    }
    let before = std::fs::read(&path).unwrap();
    let err = Engine::open(&path).err().expect("refused");
    assert_eq!(err.kind(), ErrorKind::NewerSchema);
    assert!(err.to_string().contains("99"));
    assert_eq!(before, std::fs::read(&path).unwrap(), "file changed");
    assert_eq!(user_version(&path), 99);
}

/// Every committed fixture (`schema_vN.db`, one per released version) opens, migrates to
/// the current version and keeps its data.
#[test]
fn every_fixture_migrates_to_the_current_version_with_its_data() {
    let mut seen = 0;
    for v in 1..=SCHEMA_VERSION {
        let src = fixture(&format!("schema_v{v}.db"));
        if !src.exists() {
            continue;
        }
        seen += 1;
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("old.db");
        std::fs::copy(&src, &path).unwrap();
        let e = Engine::open(&path).unwrap();
        assert_eq!(user_version(&path), SCHEMA_VERSION);
        // The fixture holds the golden night: c5 was invited for t7.
        let x = e
            .explain("c5", "2026-11-20T22:00:00Z".parse().unwrap())
            .unwrap();
        assert_eq!(x.decisions[0].transaction, "t7");
        assert!(x.decisions[0].invitation_id.is_some());
        assert_eq!(e.locations().unwrap().len(), 2);
        // v1 → v2: invitations queued before the outbox existed become its messages.
        let pending = e.pending_invitations().unwrap().len();
        assert!(pending > 0);
        let claimed = e
            .claim(100, "2026-11-21T09:00:00Z".parse().unwrap())
            .unwrap();
        assert_eq!(claimed.len(), pending);
        if v >= 3 {
            // v3 → v4: the detractor's answer keeps counting and its comment opens its
            // reply thread.
            let nps = e.nps(&hearken::ScoreQuery::default()).unwrap();
            assert_eq!((nps.promoters, nps.detractors), (0, 1), "from v{v}");
            let history = e.response_deletions().unwrap();
            assert!(history.is_empty());
            let thread = e.thread(1).unwrap();
            assert_eq!(thread.len(), 1, "from v{v}");
            assert_eq!(thread[0].body, "Trop d'attente, \"vraiment\" déçu, 정말");
        }
    }
    assert!(seen >= 1, "no fixture database found in tests/fixtures");
}

/// Writes `tests/fixtures/schema_vN.db` for the current version: run once when bumping
/// the schema, *before* the bump, and commit the file with the migration step.
#[test]
#[ignore = "writes a fixture; run by hand before a schema bump"]
fn write_fixture_for_the_current_version() {
    let path = fixture(&format!("schema_v{SCHEMA_VERSION}.db"));
    let _ = std::fs::remove_file(&path);
    let options = hearken::EngineOptions {
        journal: hearken::JournalMode::Rollback,
        ..Default::default()
    };
    let e = Engine::open_with(&path, &options).unwrap();
    let golden = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/golden");
    let read = |n: &str| std::fs::read_to_string(golden.join(n)).unwrap();
    let locations: Vec<hearken::Location> = serde_json::from_str(&read("locations.json")).unwrap();
    for l in &locations {
        e.upsert_location(l).unwrap();
    }
    e.sync_json(
        &read("night1.batch.json"),
        "2026-11-20T22:00:00Z".parse().unwrap(),
    )
    .unwrap();
    // From v3 on, the fixture also holds one delivered invitation and its answer: a
    // detractor with a comment who agreed to be replied to. The other messages stay
    // pending.
    if SCHEMA_VERSION >= 3 {
        let now = "2026-11-21T09:00:00Z".parse().unwrap();
        let m = e.claim(1, now).unwrap().remove(0);
        e.ack(&m.message_id, now).unwrap();
        let token = m
            .survey_link
            .unwrap()
            .rsplit('/')
            .next()
            .unwrap()
            .to_owned();
        let answer = hearken::ResponseInput {
            answers: vec![
                hearken::Answer {
                    question: "recommend".into(),
                    score: Some(3),
                    ..Default::default()
                },
                hearken::Answer {
                    question: "comment".into(),
                    text: Some("Trop d'attente, \"vraiment\" déçu, 정말".into()),
                    ..Default::default()
                },
            ],
            consent_to_reply: true,
        };
        e.record_response(&token, &answer, now).unwrap();
    }
}
