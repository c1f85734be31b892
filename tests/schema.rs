//! The store's schema: versioned migrations, a newer file refused untouched, fixtures.

// Engine::nps and Engine::ratings are deprecated (Engine::scores reads the rollups), but
// they must keep working: these tests hold them to it.
#![allow(deprecated)]

mod common;

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
        // v7 → v8: messages of every old store get their HTML part with the score links.
        assert!(
            claimed.iter().all(|m| m
                .html_body
                .as_deref()
                .is_some_and(|h| h.contains("?score=9"))),
            "from v{v}"
        );
        drop(e);
        if v >= 3 {
            let e = Engine::open(&path).unwrap();
            // v3 → v4: the detractor's answer keeps counting and its comment opens its
            // reply thread.
            let nps = e.nps(&hearken::ScoreQuery::default()).unwrap();
            assert_eq!((nps.promoters, nps.detractors), (0, 1), "from v{v}");
            let history = e.response_deletions().unwrap();
            assert!(history.is_empty());
            let thread = e.thread(1).unwrap();
            assert_eq!(thread.len(), 1, "from v{v}");
            assert_eq!(thread[0].body, "Trop d'attente, \"vraiment\" déçu, 정말");
            // v7 → v8: a response stored before is complete (M1: only a click's is partial).
            let c = rusqlite::Connection::open(&path).unwrap();
            let open: i64 = c
                .query_row(
                    "SELECT count(*) FROM responses WHERE completed_at IS NOT created_at",
                    [],
                    |r| r.get(0),
                )
                .unwrap();
            assert_eq!(open, 0, "from v{v}");
        }
        let e = Engine::open(&path).unwrap();
        if v >= 7 {
            // v7 → v8 keeps the contact policy: its random salt survives.
            assert_eq!(
                e.contact_policy().unwrap().sample_salt.len(),
                32,
                "from v{v}"
            );
        }
        if v >= 5 {
            // v5 → v6: each settings group's JSON document becomes its stored form.
            let (settings, delivery, alerts, feedback) = fixture_settings();
            assert_eq!(e.settings().unwrap(), settings, "from v{v}");
            // v8 → v9: a store without a pepper gets a random one (T2).
            let stored = e.delivery_settings().unwrap();
            assert_eq!(stored.suppression_pepper.len(), 64, "from v{v}");
            let delivery = hearken::DeliverySettings {
                suppression_pepper: stored.suppression_pepper.clone(),
                ..delivery
            };
            assert_eq!(stored, delivery, "from v{v}");
            assert_eq!(e.alert_settings().unwrap(), alerts, "from v{v}");
            assert_eq!(e.feedback_settings().unwrap(), feedback, "from v{v}");
            // v9 → v10: a store without the setting slims delivered rows after 90 days.
            assert_eq!(stored.slim_delivered_after_days, 90, "from v{v}");
        }
        // v9 → v10, v17 → v18 → v19 → v20: indexes only, the data as it was (checked above).
        let c = rusqlite::Connection::open(&path).unwrap();
        for (index, present) in [
            ("alerts_escalation", true),
            ("invitations_person", true),
            ("invitations_contact_person", true),
            ("invitations_relationship_held", true),
            ("outbox_unslimmed", true),
            ("transactions_customer_period", true),
            ("transactions_finalized", false),
            ("transactions_customer_month", false),
            ("transactions_customer", false),
        ] {
            let n: i64 = c
                .query_row(
                    "SELECT count(*) FROM sqlite_schema WHERE type = 'index' AND name = ?1",
                    [index],
                    |r| r.get(0),
                )
                .unwrap();
            assert_eq!(n, i64::from(present), "{index} from v{v}");
        }
        // v20 → v21: each person's latest counting invitation of each kind, counted from
        // the invitations the fixture holds (the detractor's answered from v3 on).
        let (people, invited, answered): (i64, i64, i64) = c
            .query_row(
                "SELECT count(*), sum(invited), sum(answered) FROM person_latest",
                [],
                |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
            )
            .unwrap();
        let (counted, counting): (i64, i64) = c
            .query_row(
                "SELECT count(DISTINCT customer_id || survey_kind), count(*) FROM invitations
                 WHERE status IN ('pending', 'delivered')",
                [],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
            .unwrap();
        assert!(people > 0, "from v{v}");
        assert_eq!((people, invited), (counted, counting), "from v{v}");
        assert_eq!(answered, i64::from(v >= 3), "from v{v}");
        assert!(e.check().unwrap().ok, "from v{v}");
    }
    assert!(seen >= 1, "no fixture database found in tests/fixtures");
}

/// T2, v8 → v9: a store whose hashes were made with the empty pepper (erasures and bundles
/// of earlier versions) gets a random pepper for new hashes and keeps matching the old ones.
#[test]
fn t2_migration_gives_a_random_pepper_and_keeps_matching_hashes_made_without_one() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("old.db");
    std::fs::copy(fixture("schema_v8.db"), &path).unwrap();
    {
        // c1's e-mail, hashed with the empty pepper as version 8 did.
        let hex = hearken::rules::token::contact_hash("", "email", "amelie@example.fr");
        let c = rusqlite::Connection::open(&path).unwrap();
        c.execute(
            "INSERT INTO suppression_hashes (hash, created_at, source) VALUES (?1, 0, 'erased')",
            [hex],
        )
        .unwrap();
    }
    let e = Engine::open(&path).unwrap();
    assert_eq!(e.delivery_settings().unwrap().suppression_pepper.len(), 64);
    let mut b = hearken::SyncBatch::new("paris", "2026-12-01".parse().unwrap());
    b.customers = vec![hearken::Customer::with_email("c9", "amelie@example.fr")];
    b.transactions = vec![hearken::Transaction {
        id: "t90".into(),
        customer: Some("c9".into()),
        employees: vec![],
        kind: hearken::TransactionKind::Sale,
        amount_minor: 1000,
        currency: "EUR".into(),
        finalized_at: Some("2026-12-01T10:00:00+01:00".parse().unwrap()),
        exclude: false,
        refers_to: None,
    }];
    let report = e.sync(&b, "2026-12-01T22:00:00Z".parse().unwrap()).unwrap();
    assert!(report.invitations.is_empty(), "{report:?}");
    let x = e
        .explain("c9", "2026-12-01T22:00:00Z".parse().unwrap())
        .unwrap();
    assert_eq!(
        x.decisions[0].reason,
        Some(hearken::SkipReason::Unsubscribed)
    );
}

/// D4, v16 → v17: a keyword suppression of an older store was asked by the keyword alone,
/// so START still lifts it; a phone another source suppressed is not lifted by START.
#[test]
fn d4_migration_keeps_keyword_suppressions_liftable_and_others_held() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("old.db");
    std::fs::copy(fixture("schema_v16.db"), &path).unwrap();
    {
        let c = rusqlite::Connection::open(&path).unwrap();
        c.execute_batch(
            "INSERT INTO suppressions (kind, value, created_at, source) VALUES
               ('phone', '+33611111111', 1000, 'keyword'),
               ('phone', '+33622222222', 2000, 'contact');",
        )
        .unwrap();
    }
    let e = Engine::open(&path).unwrap();
    assert_eq!(user_version(&path), SCHEMA_VERSION);
    let rows: Vec<(String, String, Option<i64>)> = {
        let c = rusqlite::Connection::open(&path).unwrap();
        let mut stmt = c
            .prepare(
                "SELECT value, source, keyword_at FROM suppressions
                 WHERE kind = 'phone' ORDER BY value",
            )
            .unwrap();
        stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
            .unwrap()
            .collect::<Result<_, _>>()
            .unwrap()
    };
    assert_eq!(
        rows,
        vec![
            ("+33611111111".to_owned(), "keyword".to_owned(), Some(1000)),
            ("+33622222222".to_owned(), "contact".to_owned(), None),
        ]
    );
    for (phone, lifted) in [("+33611111111", true), ("+33622222222", false)] {
        let out = e
            .receive_sms(&hearken::InboundSms {
                from: phone.into(),
                body: "START".into(),
                received_at: "2026-11-21T09:00:00Z".parse().unwrap(),
            })
            .unwrap();
        assert_eq!(out, hearken::SmsOutcome::OptedIn { lifted }, "{phone}");
    }
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
        let token = common::link_token(&m.survey_link.unwrap());
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
    // From v5 on, every settings group holds a non-default value, so the migration to the
    // stored form of v6 is seen to keep them.
    if SCHEMA_VERSION >= 5 {
        stored_settings_of_the_fixture(&e);
    }
}

/// The non-default settings the v5 fixture stores, set by [`stored_settings_of_the_fixture`].
fn fixture_settings() -> (
    hearken::Settings,
    hearken::DeliverySettings,
    hearken::AlertSettings,
    hearken::FeedbackSettings,
) {
    let settings = hearken::Settings {
        cooldown_months: 4,
        default_language: "fr".into(),
        ..Default::default()
    };
    let delivery = hearken::DeliverySettings {
        max_attempts: 7,
        link_base_url: "https://avis.example.fr".into(),
        ..Default::default()
    };
    let alerts = hearken::AlertSettings {
        escalate_after_hours: 30,
        ..Default::default()
    };
    let feedback = hearken::FeedbackSettings {
        unhappy_stars: 3,
        review_mode: hearken::ReviewMode::Everyone,
        non_respondent_reminder_days: 5,
    };
    (settings, delivery, alerts, feedback)
}

fn stored_settings_of_the_fixture(e: &Engine) {
    let (settings, delivery, alerts, feedback) = fixture_settings();
    e.set_settings(&settings).unwrap();
    e.set_delivery_settings(&delivery).unwrap();
    e.set_alert_settings(&alerts).unwrap();
    e.set_feedback_settings(&feedback).unwrap();
}

/// The stored form of the settings is read tolerantly: a key written by a newer version
/// is ignored (and kept), a value this version cannot read keeps its default, and a
/// later write leaves what it does not know in place.
#[test]
fn stored_settings_tolerate_unknown_keys_and_unreadable_values() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("s.db");
    let e = Engine::open(&path).unwrap();
    let mut s = e.settings().unwrap();
    s.cooldown_months = 5;
    s.sync_hour = 22;
    e.set_settings(&s).unwrap();
    e.close().unwrap();
    {
        let c = rusqlite::Connection::open(&path).unwrap();
        c.execute_batch(
            "INSERT INTO setting_values VALUES ('store', 'renamed_in_a_later_version', 9);
             UPDATE setting_values SET value = 'twenty' WHERE grp = 'store' AND key = 'sync_hour';
             DELETE FROM setting_values WHERE grp = 'store' AND key = 'max_age_days';",
        )
        .unwrap();
    }
    let e = Engine::open(&path).unwrap();
    let read = e.settings().unwrap();
    let defaults = hearken::Settings::default();
    assert_eq!(read.cooldown_months, 5);
    assert_eq!(
        read.sync_hour, defaults.sync_hour,
        "unreadable value keeps the default"
    );
    assert_eq!(
        read.max_age_days, defaults.max_age_days,
        "missing key keeps the default"
    );
    e.set_settings(&read).unwrap();
    e.close().unwrap();
    let c = rusqlite::Connection::open(&path).unwrap();
    let kept: i64 = c
        .query_row(
            "SELECT value FROM setting_values WHERE key = 'renamed_in_a_later_version'",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(kept, 9);
}

/// T7, v21: the store's check compares each person's latest-invitation row with the
/// invitations it summarises, and names the table (never a value) when they differ.
#[test]
fn t7_the_check_finds_a_person_latest_row_unlike_the_invitations() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("s.db");
    std::fs::copy(
        fixture(&format!("schema_v{}.db", SCHEMA_VERSION - 1)),
        &path,
    )
    .unwrap();
    let e = Engine::open(&path).unwrap();
    assert!(e.check().unwrap().ok);
    e.close().unwrap();
    rusqlite::Connection::open(&path)
        .unwrap()
        .execute(
            "UPDATE person_latest SET business_date = '2001-01-01'
             WHERE customer_id = (SELECT min(customer_id) FROM person_latest)",
            [],
        )
        .unwrap();
    let check = Engine::open(&path).unwrap().check().unwrap();
    assert!(!check.ok);
    assert_eq!(check.problems.len(), 1, "{check:?}");
    assert!(check.problems[0].contains("person_latest"), "{check:?}");
    assert!(!check.problems[0].contains("2001"), "{check:?}");
}
