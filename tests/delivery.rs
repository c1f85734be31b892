//! The outbox (issue 5): claim, ack, fail with retries, lease expiry, tokens and links,
//! templates in the customer's language, resend (F5), delivery-time suppression (E3).

mod common;

use chrono::TimeDelta;
use common::{at, batch, engine, paris_night, sale};
use hearken::{
    Channel, Customer, DeliverySettings, Engine, ErrorKind, FailOutcome, Location, MessageKind,
    SkipReason, Template,
};

/// Paris night of 2026-11-20 with Amélie (fr-FR) and Minjun (ko); due 21 Nov 10:00 Paris.
fn synced(e: &Engine) {
    let mut b = batch(
        "paris",
        "2026-11-20",
        &["amelie", "minjun"],
        vec![
            sale("t1", Some("amelie"), Some("2026-11-20T10:00:00+01:00")),
            sale("t2", Some("minjun"), Some("2026-11-20T11:00:00+01:00")),
        ],
    );
    b.customers[0] = Customer {
        name: Some("Amélie Dupont".into()),
        language: Some("fr-FR".into()),
        ..b.customers[0].clone()
    };
    b.customers[1] = Customer {
        name: Some("김민준".into()),
        language: Some("ko".into()),
        ..b.customers[1].clone()
    };
    e.sync(&b, paris_night("2026-11-20")).unwrap();
}

const DUE: &str = "2026-11-21T09:00:00Z";

#[test]
fn s1_nothing_is_offered_before_the_send_hour() {
    let e = engine();
    synced(&e);
    assert!(
        e.claim(10, at(DUE) - TimeDelta::seconds(1))
            .unwrap()
            .is_empty()
    );
    assert_eq!(e.claim(10, at(DUE)).unwrap().len(), 2);
}

#[test]
fn a_french_and_a_korean_customer_get_their_language() {
    let e = engine();
    synced(&e);
    let msgs = e.claim(10, at(DUE)).unwrap();
    let fr = msgs
        .iter()
        .find(|m| m.customer.as_deref() == Some("amelie"))
        .unwrap();
    assert_eq!(fr.language, "fr");
    assert_eq!(fr.recipient, "amelie@example.com");
    assert_eq!(
        fr.subject,
        "Comment s'est passée votre visite chez Boutique Paris ?"
    );
    assert!(fr.body.starts_with("Bonjour Amélie,"), "{}", fr.body);
    assert!(fr.body.contains(fr.survey_link.as_deref().unwrap()));
    assert!(fr.body.contains(fr.unsubscribe_link.as_deref().unwrap()));
    let ko = msgs
        .iter()
        .find(|m| m.customer.as_deref() == Some("minjun"))
        .unwrap();
    assert_eq!(ko.language, "ko");
    assert!(ko.body.starts_with("김민준님, 안녕하세요."), "{}", ko.body);
    assert!(ko.body.contains("추천할 가능성"));
}

#[test]
fn an_acked_message_is_never_offered_again_even_after_reopening() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("o.db");
    {
        let e = Engine::open(&path).unwrap();
        e.upsert_location(&Location::new("paris", "Boutique Paris", "Europe/Paris"))
            .unwrap();
        synced(&e);
        let msgs = e.claim(10, at(DUE)).unwrap();
        for m in &msgs {
            e.ack(&m.message_id, at(DUE)).unwrap();
            e.ack(&m.message_id, at(DUE)).unwrap(); // at-least-once: acking twice is fine
        }
        assert_eq!(e.outbox_counts().unwrap().acked, 2);
    }
    let e = Engine::open(&path).unwrap();
    let much_later = at(DUE) + TimeDelta::days(30);
    assert!(e.claim(10, much_later).unwrap().is_empty());
    assert!(
        e.pending_invitations().unwrap().is_empty(),
        "delivered, no longer pending"
    );
}

#[test]
fn an_expired_lease_offers_the_same_message_again() {
    let e = engine();
    synced(&e);
    let first = e.claim(1, at(DUE)).unwrap();
    assert_eq!(first.len(), 1);
    assert_eq!(first[0].attempt, 1);
    // Crash: never acked. Within the lease nothing is offered; after it, the same message.
    assert_eq!(
        e.claim(10, at(DUE) + TimeDelta::seconds(60)).unwrap().len(),
        1,
        "only the other one"
    );
    let again = e.claim(10, first[0].lease_until).unwrap();
    assert_eq!(again.len(), 1);
    assert_eq!(again[0].message_id, first[0].message_id);
    assert_eq!(again[0].attempt, 2);
    assert_ne!(
        again[0].survey_link, first[0].survey_link,
        "fresh tokens at each claim"
    );
}

#[test]
fn e4_failures_retry_with_backoff_then_fail_and_release_the_cooldown() {
    let e = engine();
    e.set_delivery_settings(&DeliverySettings {
        max_attempts: 3,
        ..DeliverySettings::default()
    })
    .unwrap();
    synced(&e);
    let mut now = at(DUE);
    let id = e.claim(1, now).unwrap()[0].message_id.clone();
    let FailOutcome::Retry { retry_at } = e.fail(&id, "mailbox full", false, now).unwrap() else {
        panic!("first failure retries")
    };
    assert_eq!(retry_at, now + TimeDelta::minutes(5));
    assert!(
        e.claim(10, retry_at - TimeDelta::seconds(1))
            .unwrap()
            .iter()
            .all(|m| m.message_id != id)
    );
    now = retry_at;
    let m = e
        .claim(10, now)
        .unwrap()
        .into_iter()
        .find(|m| m.message_id == id)
        .unwrap();
    assert_eq!(m.attempt, 2);
    let FailOutcome::Retry { retry_at } = e.fail(&id, "mailbox full", false, now).unwrap() else {
        panic!("second failure retries")
    };
    assert_eq!(retry_at, now + TimeDelta::minutes(10), "backoff doubles");
    now = retry_at;
    assert!(e.claim(10, now).unwrap().iter().any(|m| m.message_id == id));
    assert_eq!(
        e.fail(&id, "mailbox full", false, now).unwrap(),
        FailOutcome::Failed
    );
    assert_eq!(e.outbox_counts().unwrap().failed, 1);
    assert_eq!(
        e.ack(&id, now).err().map(|x| x.kind()),
        None,
        "a late ack is still recorded"
    );
    // The failed invitation released the cooldown for the customer it was for.
    let e = engine();
    synced(&e);
    let m = e.claim(1, at(DUE)).unwrap().remove(0);
    assert_eq!(
        e.fail(&m.message_id, "no such address", true, at(DUE))
            .unwrap(),
        FailOutcome::Failed
    );
    let r = e
        .sync(
            &batch(
                "paris",
                "2026-11-21",
                &[m.customer.as_deref().unwrap()],
                vec![sale(
                    "t9",
                    m.customer.as_deref(),
                    Some("2026-11-21T10:00:00+01:00"),
                )],
            ),
            paris_night("2026-11-21"),
        )
        .unwrap();
    assert_eq!(r.invitations.len(), 1, "{:?}", r.skipped);
}

#[test]
fn e3_unsubscribe_link_of_one_location_suppresses_at_every_location() {
    let e = engine();
    synced(&e);
    let m = e
        .claim(10, at(DUE))
        .unwrap()
        .into_iter()
        .find(|m| m.customer.as_deref() == Some("amelie"))
        .unwrap();
    let token = common::link_token(&m.unsubscribe_link.unwrap());
    assert_eq!(e.unsubscribe_by_token(&token, at(DUE)).unwrap(), "amelie");
    // Seoul sells to Amélie much later: unsubscribed.
    let r = e
        .sync(
            &batch(
                "seoul",
                "2027-06-01",
                &["amelie"],
                vec![sale(
                    "s1",
                    Some("amelie"),
                    Some("2027-06-01T12:00:00+09:00"),
                )],
            ),
            at("2027-06-01T14:00:00Z"),
        )
        .unwrap();
    assert_eq!(r.skipped[0].reason, SkipReason::Unsubscribed);
    // Malformed and unknown tokens are typed errors.
    assert_eq!(
        e.unsubscribe_by_token("../../etc", at(DUE))
            .unwrap_err()
            .kind(),
        ErrorKind::InvalidInput
    );
    assert_eq!(
        e.unsubscribe_by_token(&"0".repeat(32), at(DUE))
            .unwrap_err()
            .kind(),
        ErrorKind::NotFound
    );
    let survey_token = common::link_token(&m.survey_link.unwrap());
    assert_eq!(
        e.unsubscribe_by_token(&survey_token, at(DUE))
            .unwrap_err()
            .kind(),
        ErrorKind::NotFound
    );
}

#[test]
fn f6_survey_links_expire_after_60_days_unsubscribe_links_never() {
    let e = engine();
    synced(&e);
    let m = e.claim(1, at(DUE)).unwrap().remove(0);
    assert_eq!(
        m.survey_link_expires_at,
        Some(at(DUE) + TimeDelta::days(60))
    );
    assert!(
        m.survey_link
            .unwrap()
            .starts_with("https://feedback.example.com/s/")
    );
    let token = common::link_token(&m.unsubscribe_link.unwrap());
    e.unsubscribe_by_token(&token, at(DUE) + TimeDelta::days(3650))
        .unwrap();
}

#[test]
fn e3_a_customer_who_unsubscribed_after_queueing_is_not_offered() {
    let e = engine();
    synced(&e);
    e.unsubscribe_customer("minjun", at("2026-11-21T07:00:00Z"))
        .unwrap();
    let msgs = e.claim(10, at(DUE)).unwrap();
    assert_eq!(msgs.len(), 1);
    assert_eq!(msgs[0].customer.as_deref(), Some("amelie"));
    assert_eq!(e.outbox_counts().unwrap().cancelled, 1);
}

#[test]
fn e2_a_transaction_excluded_after_queueing_is_not_offered() {
    let e = engine();
    synced(&e);
    let mut again = batch(
        "paris",
        "2026-11-20",
        &["amelie", "minjun"],
        vec![sale(
            "t1",
            Some("amelie"),
            Some("2026-11-20T10:00:00+01:00"),
        )],
    );
    again.transactions[0].exclude = true;
    e.sync(&again, paris_night("2026-11-20")).unwrap();
    let msgs = e.claim(10, at(DUE)).unwrap();
    assert_eq!(msgs.len(), 1);
    assert_eq!(msgs[0].customer.as_deref(), Some("minjun"));
}

#[test]
fn f5_resend_in_another_language_keeps_the_survey_and_the_cooldown() {
    let e = engine();
    synced(&e);
    let msgs = e.claim(10, at(DUE)).unwrap();
    for m in &msgs {
        e.ack(&m.message_id, at(DUE)).unwrap();
    }
    let m = msgs
        .into_iter()
        .find(|m| m.customer.as_deref() == Some("amelie"))
        .unwrap();
    let before = e.explain("amelie", at(DUE)).unwrap().eligible_again_on;
    let later = at(DUE) + TimeDelta::days(2);
    let id = e
        .resend(m.invitation_id.unwrap(), Some("ko"), later)
        .unwrap();
    assert_ne!(id, m.message_id);
    let r = e.claim(10, later).unwrap();
    assert_eq!(r.len(), 1);
    assert_eq!(r[0].message_id, id);
    assert_eq!(r[0].language, "ko");
    assert_eq!(r[0].invitation_id, m.invitation_id);
    assert_eq!(
        e.explain("amelie", later).unwrap().eligible_again_on,
        before
    );
    assert_eq!(
        e.resend(999, None, later).unwrap_err().kind(),
        ErrorKind::NotFound
    );
}

#[test]
fn a_bad_template_is_rejected_when_set_and_a_good_one_is_used() {
    let e = engine();
    let bad = Template {
        kind: MessageKind::SurveyInvitation,
        channel: Channel::Email,
        language: "fr".into(),
        subject: "Bonjour {prenom}".into(),
        body: "Votre avis : {survey_link}".into(),
        html: None,
    };
    let err = e.set_template(&bad).unwrap_err();
    let fields: Vec<&str> = err.problems().iter().map(|p| p.field.as_str()).collect();
    assert_eq!(fields, vec!["subject", "body"], "{err}");
    let good = Template {
        subject: "Votre avis compte, {first_name}".into(),
        body: "{location} : {survey_link} (désinscription : {unsubscribe_link})".into(),
        ..bad
    };
    e.set_template(&good).unwrap();
    // fr-CA falls back to the French override.
    let t = e
        .template(MessageKind::SurveyInvitation, Channel::Email, "fr-CA")
        .unwrap();
    assert_eq!(t.subject, "Votre avis compte, {first_name}");
    synced(&e);
    let m = e
        .claim(10, at(DUE))
        .unwrap()
        .into_iter()
        .find(|m| m.customer.as_deref() == Some("amelie"))
        .unwrap();
    assert_eq!(m.subject, "Votre avis compte, Amélie");
    // A language without a template falls back to the store default (English).
    let t = e
        .template(MessageKind::SurveyInvitation, Channel::Sms, "de-AT")
        .unwrap();
    assert_eq!(t.language, "en");
}

#[test]
fn ack_and_fail_of_unknown_or_wrong_state_messages_are_typed_errors() {
    let e = engine();
    synced(&e);
    assert_eq!(
        e.ack("nope", at(DUE)).unwrap_err().kind(),
        ErrorKind::NotFound
    );
    assert_eq!(
        e.fail("nope", "x", false, at(DUE)).unwrap_err().kind(),
        ErrorKind::NotFound
    );
    let m = e.claim(1, at(DUE)).unwrap().remove(0);
    e.ack(&m.message_id, at(DUE)).unwrap();
    assert_eq!(
        e.fail(&m.message_id, "x", false, at(DUE))
            .unwrap_err()
            .kind(),
        ErrorKind::Conflict
    );
    let bad = DeliverySettings {
        link_base_url: "ftp://x/".into(),
        ..DeliverySettings::default()
    };
    assert_eq!(
        e.set_delivery_settings(&bad).unwrap_err().problems()[0].field,
        "link_base_url"
    );
}

#[test]
fn e3_an_unsubscribe_exported_by_one_store_holds_at_another() {
    let pepper = DeliverySettings {
        suppression_pepper: "vendor-secret".into(),
        ..DeliverySettings::default()
    };
    let lyon = engine();
    lyon.set_delivery_settings(&pepper).unwrap();
    lyon.unsubscribe_contact(" Amelie@Example.com", at("2026-11-19T08:00:00Z"))
        .unwrap();
    lyon.unsubscribe_contact("+33 6 12 34 56 78", at("2026-11-19T08:00:00Z"))
        .unwrap();
    let bundle = lyon.export_suppressions().unwrap();
    assert_eq!(bundle.hashes.len(), 2);
    let json = hearken::wire::to_json(&bundle);
    assert!(
        !json.contains("amelie") && !json.contains("612345678"),
        "no contact in clear"
    );

    let paris = engine();
    paris.set_delivery_settings(&pepper).unwrap();
    assert_eq!(
        paris
            .import_suppressions(&bundle, "central", at("2026-11-20T08:00:00Z"))
            .unwrap(),
        2
    );
    assert_eq!(
        paris
            .import_suppressions(&bundle, "central", at("2026-11-20T08:00:00Z"))
            .unwrap(),
        0
    );
    synced(&paris);
    let pending = paris.pending_invitations().unwrap();
    assert_eq!(
        pending.len(),
        1,
        "amelie is suppressed by the imported hash"
    );
    assert_eq!(pending[0].customer, "minjun");
    assert!(paris.explain("amelie", at(DUE)).unwrap().unsubscribed);
    // The exported list carries the imported hashes on, for a central service to merge.
    assert_eq!(paris.export_suppressions().unwrap().hashes, bundle.hashes);

    // Another vendor's pepper does not match.
    let other = engine();
    other
        .import_suppressions(&bundle, "central", at("2026-11-20T08:00:00Z"))
        .unwrap();
    synced(&other);
    assert_eq!(other.pending_invitations().unwrap().len(), 2);
    let bad = hearken::SuppressionBundle {
        format: 1,
        hashes: vec!["amelie@example.com".into()],
    };
    let err = other
        .import_suppressions(&bad, "central", at(DUE))
        .unwrap_err();
    assert_eq!(err.problems()[0].field, "hashes");
    assert!(!err.to_string().contains("amelie"));
}

#[test]
fn cancelled_messages_do_not_use_up_the_claim_limit() {
    let e = engine();
    let names = ["a", "b", "c"];
    let sales = names
        .iter()
        .map(|n| {
            sale(
                &format!("t-{n}"),
                Some(n),
                Some("2026-11-20T10:00:00+01:00"),
            )
        })
        .collect();
    e.sync(
        &batch("paris", "2026-11-20", &names, sales),
        paris_night("2026-11-20"),
    )
    .unwrap();
    e.unsubscribe_customer("a", at("2026-11-21T07:00:00Z"))
        .unwrap();
    e.unsubscribe_customer("b", at("2026-11-21T07:00:00Z"))
        .unwrap();
    let msgs = e.claim(1, at(DUE)).unwrap();
    assert_eq!(msgs.len(), 1);
    assert_eq!(msgs[0].customer.as_deref(), Some("c"));
    assert_eq!(e.outbox_counts().unwrap().cancelled, 2);
}

/// F6: links minted before time-ordered tokens (16 random bytes, 32 hex digits, stored
/// under their plain SHA-256) still open their survey and unsubscribe; new links carry
/// 44 hex digits.
#[test]
fn f6_a_token_minted_the_old_way_still_opens_its_survey_and_unsubscribes() {
    use sha2::{Digest, Sha256};
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("o.db");
    let e = Engine::open(&path).unwrap();
    e.upsert_location(&Location::new("paris", "Boutique Paris", "Europe/Paris"))
        .unwrap();
    synced(&e);
    let msgs = e.claim(10, at(DUE)).unwrap();
    let m = msgs
        .iter()
        .find(|m| m.customer.as_deref() == Some("amelie"))
        .unwrap();
    let last = |link: &Option<String>| {
        link.as_deref()
            .unwrap()
            .rsplit('/')
            .next()
            .unwrap()
            .to_owned()
    };
    let (survey, unsubscribe) = (last(&m.survey_link), last(&m.unsubscribe_link));
    assert_eq!((survey.len(), unsubscribe.len()), (44, 44));
    assert!(survey.bytes().all(|b| b.is_ascii_hexdigit()));
    // The same two links as an older version stored them.
    let c = rusqlite::Connection::open(&path).unwrap();
    for (old, kind) in [([0x5a_u8; 16], "survey"), ([0xa5; 16], "unsubscribe")] {
        let hash: [u8; 32] = Sha256::digest(old).into();
        c.execute(
            "INSERT INTO link_tokens (hash, kind, invitation_id, alert_id, customer_id,
               created_at, expires_at)
             SELECT ?1, kind, invitation_id, alert_id, customer_id, created_at, expires_at
             FROM link_tokens WHERE kind = ?2 AND length(hash) = 38 LIMIT 1",
            rusqlite::params![&hash[..], kind],
        )
        .unwrap();
    }
    drop(c);
    let old_survey = "5a".repeat(16);
    let old_unsubscribe = "A5".repeat(16);
    e.survey_page(&old_survey, None, at(DUE)).unwrap();
    let owner = e.unsubscribe_by_token(&old_unsubscribe, at(DUE)).unwrap();
    assert!(owner == "amelie" || owner == "minjun", "{owner}");
    // A token of neither length is refused; an unknown well-formed one is not found.
    assert_eq!(
        e.unsubscribe_by_token(&"0".repeat(40), at(DUE))
            .unwrap_err()
            .kind(),
        ErrorKind::InvalidInput
    );
    assert_eq!(
        e.unsubscribe_by_token(&"0".repeat(44), at(DUE))
            .unwrap_err()
            .kind(),
        ErrorKind::NotFound
    );
}
