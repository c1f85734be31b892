//! Customer data (issue 9): erasing a customer removes their personal fields and every
//! free text about them, keeps the scores, and keeps them unsubscribed by hash only.

// Engine::nps and Engine::ratings are deprecated (Engine::scores reads the rollups), but
// they must keep working: these tests hold them to it.
#![allow(deprecated)]

mod common;

use common::{at, batch, dump, paris_night, sale};
use hearken::{
    AlertStatus, Answer, Customer, Engine, ErrorKind, InteractionInput, InteractionMethod,
    Location, NotifyLevel, ResponseInput, ScoreQuery, SkipReason, User, UserRole,
};

const DUE: &str = "2026-11-21T09:00:00Z";
const EMAIL: &str = "amelie.dupont@example.fr";
const NAME: &str = "Amélie Dupont";
const PHONE: &str = "+33612345678";
const COMMENT: &str = "Vendeuse désagréable, Amélie D. ne reviendra pas";
/// Every personal value of the scenario: none may stay after erasure, none may be in a
/// webhook body (T2).
const PERSONAL: [&str; 7] = [
    EMAIL,
    NAME,
    PHONE,
    "612345678",
    "REF-42",
    COMMENT,
    "Vendeuse",
];

/// Every event type her story appends (D1), subscribed by the webhook of the T2 scenario.
const WEBHOOK_TYPES: [&str; 12] = [
    "invitation.created.v1",
    "invitation.delivered.v1",
    "invitation.cancelled.v1",
    "response.created.v1",
    "response.completed.v1",
    "alert.opened.v1",
    "alert.status_changed.v1",
    "sms.received.v1",
    "customer.erased.v1",
    "contact.unsubscribed.v1",
    "consent.changed.v1",
    "response.deleted.v1",
];

fn night(e: &Engine, date: &str, customers: Vec<Customer>, sales: Vec<hearken::Transaction>) {
    let mut b = batch("paris", date, &[], sales);
    b.customers = customers;
    e.sync(&b, paris_night(date)).unwrap();
}

fn amelie() -> Customer {
    Customer {
        name: Some(NAME.into()),
        phone: Some(PHONE.into()),
        reference: Some("REF-42".into()),
        ..Customer::with_email("amelie", EMAIL)
    }
}

#[test]
fn erasing_a_customer_removes_personal_data_keeps_scores_and_suppression() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("store.db");
    let e = Engine::open(&path).unwrap();
    e.upsert_location(&Location::new("paris", "Boutique Paris", "Europe/Paris"))
        .unwrap();
    let mut manager = User::new("sophie", "Sophie", "sophie@shop.example", UserRole::Manager);
    manager.notify = NotifyLevel::All;
    e.upsert_user(&manager).unwrap();
    // D2: a webhook subscription to every type her story appends, so webhook bodies are
    // queued for her events (T2: they carry ids and kinds, never her personal data).
    e.add_webhook(
        &hearken::NewWebhook {
            url: "https://crm.example/hooks/hearken".into(),
            event_types: WEBHOOK_TYPES.iter().map(|t| t.to_string()).collect(),
            secret: None,
        },
        at("2026-11-20T12:00:00Z"),
    )
    .unwrap();
    night(
        &e,
        "2026-11-20",
        vec![amelie(), Customer::with_email("bob", "bob@example.com")],
        vec![
            sale("t1", Some("amelie"), Some("2026-11-20T10:00:00+01:00")),
            sale("t2", Some("bob"), Some("2026-11-20T11:00:00+01:00")),
        ],
    );
    let msgs = e.claim(10, at(DUE)).unwrap();
    let mut tokens = std::collections::HashMap::new();
    for m in &msgs {
        e.ack(&m.message_id, at(DUE)).unwrap();
        if m.kind == hearken::MessageKind::Webhook {
            continue;
        }
        let t = m
            .survey_link
            .as_deref()
            .unwrap()
            .rsplit('/')
            .next()
            .unwrap();
        tokens.insert(m.customer.clone().unwrap(), t.to_owned());
    }
    let answer = |score, text: Option<&str>| ResponseInput {
        answers: vec![
            Answer {
                question: "recommend".into(),
                score: Some(score),
                ..Answer::default()
            },
            Answer {
                question: "comment".into(),
                text: text.map(Into::into),
                ..Answer::default()
            },
        ],
        consent_to_reply: true,
    };
    let out = e
        .record_response(&tokens["amelie"], &answer(2, Some(COMMENT)), at(DUE))
        .unwrap();
    e.record_response(&tokens["bob"], &answer(10, None), at(DUE))
        .unwrap();
    let alert = out.alert_id.unwrap();
    e.record_interaction(
        alert,
        &InteractionInput {
            method: InteractionMethod::Phone,
            note: format!("Called {NAME} on {PHONE}"),
            user: "sophie".into(),
        },
        at(DUE),
    )
    .unwrap();
    e.set_alert_status(alert, AlertStatus::Done, at(DUE))
        .unwrap();
    e.send_follow_up(alert, at(DUE)).unwrap();
    // D4: an SMS reply she sent is kept, then erased with her (T2).
    let kept = e
        .receive_sms(&hearken::InboundSms {
            from: PHONE.into(),
            body: "Vendeuse pas aimable, REF-42".into(),
            received_at: at(DUE),
        })
        .unwrap();
    assert!(matches!(kept, hearken::SmsOutcome::KeptAsReply { .. }));
    let nps_before = e.nps(&ScoreQuery::default()).unwrap();
    // The webhook bodies queued for her story (the invitations, her response, her alert,
    // her SMS) carry ids and kinds, not one personal value, even before the erasure.
    let bodies: Vec<String> = dump(&path)
        .into_iter()
        .filter(|row| row.starts_with("outbox:") && row.contains("Text(\"webhook\")"))
        .collect();
    for kind in [
        "invitation.created.v1",
        "response.created.v1",
        "alert.opened.v1",
        "sms.received.v1",
    ] {
        assert!(
            bodies.iter().any(|b| b.contains(kind)),
            "a {kind} webhook queued: {bodies:#?}"
        );
    }
    for pii in PERSONAL {
        assert!(
            !bodies.iter().any(|b| b.contains(pii)),
            "{pii} in a webhook body"
        );
    }

    let erased = e.erase_customer("amelie", at(DUE)).unwrap();
    assert_eq!(erased.customer, "amelie");
    assert_eq!(erased.responses_kept, 1);
    assert!(erased.texts_removed >= 2, "{erased:?}");
    assert!(
        erased.messages_cancelled >= 1,
        "the pending follow-up survey"
    );

    // Not one personal value is left anywhere in the file.
    let everything = dump(&path).join("\n");
    for pii in PERSONAL {
        assert!(!everything.contains(pii), "{pii} still stored");
    }
    // Nor one byte of them in the file (T2's byte scan), webhook bodies and SMS included.
    e.close().unwrap();
    for pii in PERSONAL {
        assert!(!files_hold(&path, pii), "{pii} in the file");
    }
    let e = Engine::open(&path).unwrap();
    // The scores stay: NPS does not move.
    assert_eq!(e.nps(&ScoreQuery::default()).unwrap(), nps_before);
    assert_eq!(e.thread(out.response_id).unwrap()[0].body, "");
    assert_eq!(e.interactions(alert).unwrap()[0].note, "");
    // Nothing more goes to them.
    assert!(
        e.claim(10, at(DUE))
            .unwrap()
            .iter()
            .all(|m| m.customer.as_deref() != Some("amelie"))
    );

    // The POS keeps sending them: nothing personal is stored again, and they are never
    // surveyed again, under their id or under another id with the same e-mail.
    let report = e
        .sync(
            &{
                let mut b = batch(
                    "paris",
                    "2026-11-21",
                    &[],
                    vec![
                        sale("t3", Some("amelie"), Some("2026-11-21T10:00:00+01:00")),
                        sale("t4", Some("amelie2"), Some("2026-11-21T10:30:00+01:00")),
                    ],
                );
                b.customers = vec![
                    amelie(),
                    Customer {
                        name: Some("A. Dupont".into()),
                        ..Customer::with_email("amelie2", EMAIL)
                    },
                ];
                b
            },
            paris_night("2026-11-21"),
        )
        .unwrap();
    assert!(report.invitations.is_empty(), "{:?}", report.invitations);
    let reasons: Vec<_> = report.skipped.iter().map(|s| s.reason).collect();
    assert!(
        reasons
            .iter()
            .all(|r| matches!(r, SkipReason::Unsubscribed | SkipReason::CommunicationsOff)),
        "{reasons:?}"
    );
    let everything = dump(&path).join("\n");
    assert!(!everything.contains(NAME) && !everything.contains(PHONE));
    // Unknown customers are named in a typed error.
    assert_eq!(
        e.erase_customer("nobody", at(DUE)).unwrap_err().kind(),
        ErrorKind::NotFound
    );
}

/// Every file of the store whose bytes could hold a value: the database and its journals.
fn files_hold(path: &std::path::Path, value: &str) -> bool {
    ["", "-wal", "-journal"].iter().any(|suffix| {
        let mut name = path.as_os_str().to_owned();
        name.push(suffix);
        std::fs::read(&name)
            .is_ok_and(|bytes| bytes.windows(value.len()).any(|w| w == value.as_bytes()))
    })
}

fn plain_suppressions(path: &std::path::Path) -> Vec<(String, String)> {
    let c = rusqlite::Connection::open(path).unwrap();
    let mut stmt = c
        .prepare(
            "SELECT kind, value FROM suppressions WHERE kind IN ('email', 'phone') ORDER BY 1, 2",
        )
        .unwrap();
    stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?)))
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap()
}

#[test]
fn t2_erasure_hashes_the_contacts_she_had_before_they_changed() {
    const OLD_EMAIL: &str = "amelie.ancienne@example.fr";
    const OLD_PHONE: &str = "+33698765432";
    // By her own unsubscribe (a link or the host), and by a contact-wide unsubscribe.
    for by_contact in [false, true] {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("store.db");
        let e = Engine::open(&path).unwrap();
        e.upsert_location(&Location::new("paris", "Boutique Paris", "Europe/Paris"))
            .unwrap();
        let old = Customer {
            phone: Some(OLD_PHONE.into()),
            ..Customer::with_email("amelie", OLD_EMAIL)
        };
        night(&e, "2026-11-19", vec![old], vec![]);
        if by_contact {
            e.unsubscribe_contact(OLD_EMAIL, at(DUE)).unwrap();
            e.unsubscribe_contact(OLD_PHONE, at(DUE)).unwrap();
        } else {
            e.unsubscribe_customer("amelie", at(DUE)).unwrap();
        }
        // Her e-mail and phone change; the old ones stay suppressed, in plain text.
        night(&e, "2026-11-20", vec![amelie()], vec![]);
        assert_eq!(plain_suppressions(&path).len(), 2);
        let erasure = e.erase_customer("amelie", at(DUE)).unwrap();
        assert!(erasure.scrubbed);
        assert_eq!(
            plain_suppressions(&path),
            Vec::<(String, String)>::new(),
            "by_contact {by_contact}: no plain contact of hers remains"
        );
        for value in [OLD_EMAIL, OLD_PHONE, EMAIL, PHONE] {
            assert!(!files_hold(&path, value), "{value} in the file");
        }
        // She stays unsubscribed: a new record with her old e-mail is skipped (E3).
        night(
            &e,
            "2026-11-21",
            vec![Customer::with_email("amelie-2", OLD_EMAIL)],
            vec![sale(
                "t9",
                Some("amelie-2"),
                Some("2026-11-21T10:00:00+01:00"),
            )],
        );
        let x = e.explain("amelie-2", at("2026-11-21T23:00:00Z")).unwrap();
        assert_eq!(
            x.decisions[0].reason,
            Some(SkipReason::Unsubscribed),
            "by_contact {by_contact}"
        );
        e.close().unwrap();
    }
}

#[test]
fn t2_erasure_hashes_the_contact_an_invitation_was_addressed_to() {
    const OLD_EMAIL: &str = "amelie.ancienne@example.fr";
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("store.db");
    let e = Engine::open(&path).unwrap();
    e.upsert_location(&Location::new("paris", "Boutique Paris", "Europe/Paris"))
        .unwrap();
    night(
        &e,
        "2026-11-19",
        vec![Customer::with_email("amelie", OLD_EMAIL)],
        vec![sale(
            "t1",
            Some("amelie"),
            Some("2026-11-19T10:00:00+01:00"),
        )],
    );
    let m = e.claim(1, at("2026-11-20T09:00:00Z")).unwrap().remove(0);
    e.ack(&m.message_id, at("2026-11-20T09:00:00Z")).unwrap();
    // The unsubscribe link of the invitation sent to the old address.
    let token = common::link_token(&m.unsubscribe_link.unwrap());
    night(&e, "2026-11-20", vec![amelie()], vec![]);
    e.unsubscribe_by_token(&token, at(DUE)).unwrap();
    e.erase_customer("amelie", at(DUE)).unwrap();
    assert_eq!(plain_suppressions(&path), Vec::<(String, String)>::new());
    e.close().unwrap();
    assert!(!files_hold(&path, OLD_EMAIL));
    assert!(!files_hold(&path, EMAIL));
}

#[test]
fn t2_a_new_store_has_a_random_pepper_and_an_empty_one_is_never_stored() {
    let a = common::open_store();
    let b = common::open_store();
    let pa = a.delivery_settings().unwrap().suppression_pepper;
    let pb = b.delivery_settings().unwrap().suppression_pepper;
    assert_eq!(pa.len(), 64, "32 random bytes in hex");
    assert_ne!(pa, pb);
    // A host that leaves the pepper empty keeps the stored one.
    let mut d = a.delivery_settings().unwrap();
    d.suppression_pepper.clear();
    d.max_attempts = 9;
    a.set_delivery_settings(&d).unwrap();
    let after = a.delivery_settings().unwrap();
    assert_eq!(
        (after.suppression_pepper.as_str(), after.max_attempts),
        (pa.as_str(), 9)
    );
    // The vendor's pepper, shared by stores that exchange bundles, is kept as set.
    d.suppression_pepper = "vendor-secret".into();
    a.set_delivery_settings(&d).unwrap();
    assert_eq!(
        a.delivery_settings().unwrap().suppression_pepper,
        "vendor-secret"
    );
}

#[test]
fn t2_an_explicit_close_reports_a_scrub_a_reader_still_holds_back() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("store.db");
    // Close waits for readers up to the busy timeout before it gives up on the checkpoint.
    let options = hearken::EngineOptions {
        busy_timeout: std::time::Duration::from_millis(300),
        ..Default::default()
    };
    let e = Engine::open_with(&path, &options).unwrap();
    e.upsert_location(&Location::new("paris", "Boutique Paris", "Europe/Paris"))
        .unwrap();
    night(&e, "2026-11-20", vec![amelie()], vec![]);
    // Another process's reader with a snapshot from before the erasure, kept past close.
    let reader = rusqlite::Connection::open(&path).unwrap();
    reader.execute_batch("BEGIN").unwrap();
    let _: i64 = reader
        .query_row("SELECT count(*) FROM customers", [], |r| r.get(0))
        .unwrap();
    let erasure = e.erase_customer("amelie", at(DUE)).unwrap();
    assert!(!erasure.scrubbed);
    let err = e.close().unwrap_err();
    assert_eq!(err.kind(), ErrorKind::ScrubIncomplete, "{err}");
    assert!(e.is_closed(), "closed either way");
    assert_eq!(
        e.close().map_err(|e| e.kind()),
        Ok(()),
        "closing again is a no-op"
    );
    // The last connection on the file finishes it.
    reader.execute_batch("COMMIT").unwrap();
    drop(reader);
    assert!(!files_hold(&path, EMAIL));
    // A close with nothing pending stays plain success, even with a reader open.
    let e = Engine::open_with(&path, &options).unwrap();
    let reader = rusqlite::Connection::open(&path).unwrap();
    reader.execute_batch("BEGIN").unwrap();
    let _: i64 = reader
        .query_row("SELECT count(*) FROM customers", [], |r| r.get(0))
        .unwrap();
    e.upsert_location(&Location::new("lyon", "Boutique Lyon", "Europe/Paris"))
        .unwrap();
    e.close().unwrap();
}

/// D6 with T2's byte scan: erasing a contact erases every customer who had it (two records
/// sharing an e-mail, one of them only on an invitation's address) and turns a contact
/// that only ever unsubscribed into a hash; no byte of either stays in the file, and both
/// stay unsubscribed.
#[test]
fn t2_d6_erasing_a_contact_leaves_no_byte_of_it_and_keeps_it_unsubscribed() {
    const GHOST: &str = "ghost.only@example.fr";
    const SMS_ONLY: &str = "+33611223344";
    // D4: a phone no customer has, which texted STOP and HELP: its confirmation and help
    // text are queued to it, and erased before they are claimed.
    const STRANGER: &str = "+33655443322";
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("store.db");
    let e = Engine::open(&path).unwrap();
    e.upsert_location(&Location::new("paris", "Boutique Paris", "Europe/Paris"))
        .unwrap();
    let twin = Customer {
        name: Some("Amélie Doublon".into()),
        ..Customer::with_email("amelie-twin", EMAIL)
    };
    night(
        &e,
        "2026-11-20",
        vec![
            amelie(),
            twin,
            Customer::with_email("bob", "bob@example.com"),
        ],
        vec![
            sale("t1", Some("amelie"), Some("2026-11-20T10:00:00+01:00")),
            sale("t2", Some("bob"), Some("2026-11-20T11:00:00+01:00")),
        ],
    );
    e.unsubscribe_contact(GHOST, at(DUE)).unwrap();
    e.unsubscribe_contact(SMS_ONLY, at(DUE)).unwrap();
    for body in ["STOP", "HELP"] {
        e.receive_sms(&hearken::InboundSms {
            from: STRANGER.into(),
            body: body.into(),
            received_at: at(DUE),
        })
        .unwrap();
    }
    assert!(
        dump(&path).iter().any(|row| row.contains(STRANGER)),
        "the replies queued to the stranger's phone"
    );

    // Access by contact alone.
    let ghost = e.contact_export(GHOST).unwrap();
    assert_eq!(ghost["suppressed"], true);
    assert_eq!(ghost["customers"], serde_json::json!([]));
    assert_eq!(ghost["suppression"]["source"], "contact");
    let shared = e.contact_export(&EMAIL.to_uppercase()).unwrap();
    assert_eq!(
        shared["customers"],
        serde_json::json!(["amelie", "amelie-twin"])
    );

    let erased = e.erase_contact(EMAIL, at(DUE)).unwrap();
    assert_eq!(erased.kind, "email");
    let who: Vec<&str> = erased
        .customers
        .iter()
        .map(|c| c.customer.as_str())
        .collect();
    assert_eq!(who, ["amelie", "amelie-twin"]);
    assert!(erased.scrubbed);
    for raw in [GHOST, SMS_ONLY, STRANGER] {
        let out = e.erase_contact(raw, at(DUE)).unwrap();
        assert!(out.customers.is_empty());
        assert!(out.suppression_hashed, "{raw}");
    }
    assert_eq!(plain_suppressions(&path), Vec::<(String, String)>::new());
    e.close().unwrap();
    for value in [
        EMAIL,
        NAME,
        PHONE,
        "Doublon",
        GHOST,
        SMS_ONLY,
        "611223344",
        STRANGER,
        "655443322",
    ] {
        assert!(!files_hold(&path, value), "{value} in the file");
    }
    // Bob is untouched; every erased contact stays unsubscribed (by hash, E3).
    let e = Engine::open(&path).unwrap();
    assert!(files_hold(&path, "bob@example.com"));
    // The stranger's confirmation and help text were cancelled, never to be sent.
    assert!(
        e.claim(50, at(DUE))
            .unwrap()
            .iter()
            .all(|m| m.kind != hearken::MessageKind::SmsKeywordReply),
        "a keyword reply left to send"
    );
    for raw in [EMAIL, GHOST, SMS_ONLY, STRANGER] {
        assert_eq!(e.contact_export(raw).unwrap()["suppressed"], true, "{raw}");
    }
    night(
        &e,
        "2026-11-21",
        vec![Customer::with_email("new-ghost", GHOST)],
        vec![sale(
            "t9",
            Some("new-ghost"),
            Some("2026-11-21T10:00:00+01:00"),
        )],
    );
    let x = e.explain("new-ghost", at("2026-11-21T23:00:00Z")).unwrap();
    assert_eq!(x.decisions[0].reason, Some(SkipReason::Unsubscribed));
    e.close().unwrap();
}
