//! The golden scenario of tests/golden/README.md through the Rust door. The C, Python and
//! Kotlin tests compare their output with the same files.

mod common;

use std::path::PathBuf;

use common::at;
use hearken::{Engine, ErrorKind, Location};

fn golden_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/golden")
}

fn read(name: &str) -> String {
    std::fs::read_to_string(golden_dir().join(name)).unwrap()
}

/// Compares with the expected file, or rewrites it when UPDATE_GOLDEN=1.
fn check(name: &str, actual: &str) {
    let path = golden_dir().join(name);
    let actual = format!("{actual}\n");
    if std::env::var_os("UPDATE_GOLDEN").is_some() {
        std::fs::write(&path, &actual).unwrap();
        return;
    }
    let expected = std::fs::read_to_string(&path).unwrap_or_default();
    assert_eq!(actual, expected, "{name} differs from the golden file");
}

/// Steps 1 and 2: a fresh store (the store under test: `common::open_store`) with the
/// golden locations, Dana unsubscribed.
fn steps_1_and_2() -> Engine {
    let engine = common::open_store();
    let locations: Vec<Location> = serde_json::from_str(&read("locations.json")).unwrap();
    for l in &locations {
        engine.upsert_location(l).unwrap();
    }
    engine
        .unsubscribe_contact("  Dana@Example.COM ", at("2026-11-19T12:00:00Z"))
        .unwrap();
    engine
}

#[test]
fn golden_scenario_through_the_rust_door() {
    let engine = steps_1_and_2();
    let now = at("2026-11-20T22:00:00Z");

    let report = engine.sync_json(&read("night1.batch.json"), now).unwrap();
    check("night1.report.json", &hearken::wire::to_json(&report));

    let before = engine.dump_rows(&[]).unwrap();
    let err = engine.sync_json(&read("bad.batch.json"), now).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::InvalidInput);
    check("bad.error.json", &err.to_json());
    assert_eq!(before, engine.dump_rows(&[]).unwrap());

    let explanation = engine.explain("c5", now).unwrap();
    check("explain_c5.json", &hearken::wire::to_json(&explanation));

    let window = engine
        .sync_window("paris", at("2026-11-23T22:00:00Z"))
        .unwrap();
    check("window_paris.json", &hearken::wire::to_json(&window));
}

/// Step 8 (D1): after steps 1-3, `claim(1)` at 2026-11-21T09:00:00Z and its ack; the
/// event feed from the start, with the store's incarnation (random) written `INCARNATION`,
/// equals `events_night1.json`.
#[test]
fn d1_golden_events_of_night1_through_the_rust_door() {
    let engine = steps_1_and_2();
    engine
        .sync_json(&read("night1.batch.json"), at("2026-11-20T22:00:00Z"))
        .unwrap();
    let now = at("2026-11-21T09:00:00Z");
    let m = engine.claim(1, now).unwrap().remove(0);
    engine.ack(&m.message_id, now).unwrap();
    let page = engine.events(None, 1000).unwrap();
    let hearken::EventsPage::Events { next_cursor, .. } = &page else {
        panic!("a fresh read of the feed: {page:?}");
    };
    let incarnation = next_cursor.split('.').next().unwrap();
    let json =
        hearken::wire::to_json(&page).replace(&format!("\"{incarnation}."), "\"INCARNATION.");
    check("events_night1.json", &json);
}

/// Step 9 (D2): after steps 1-2, the subscription of `webhook.json` (a fixed secret) added
/// at 2026-11-20T22:00:00Z, then night 1's sync and `claim(10)` at that `now`: the two
/// `invitation.created.v1` webhooks (due at once; the e-mails are due the next morning).
/// Their JSON, with each message id (random) written `MESSAGE_ID` and each signature
/// (which signs that id) written `SIGNATURE` once checked by an HMAC-SHA256 of our own,
/// equals `webhook_night1.json`.
#[test]
fn d2_golden_webhooks_of_night1_through_the_rust_door() {
    use base64::Engine as _;
    use hmac::{KeyInit, Mac};
    let engine = steps_1_and_2();
    let now = at("2026-11-20T22:00:00Z");
    let new: hearken::NewWebhook = serde_json::from_str(&read("webhook.json")).unwrap();
    engine.add_webhook(&new, now).unwrap();
    engine.sync_json(&read("night1.batch.json"), now).unwrap();
    let claimed = engine.claim(10, now).unwrap();
    assert_eq!(claimed.len(), 2, "{claimed:?}");
    let secret = new.secret.as_deref().unwrap().trim_start_matches("whsec_");
    let key = base64::engine::general_purpose::STANDARD
        .decode(secret)
        .unwrap();
    let mut json = hearken::wire::to_json(&claimed);
    for m in &claimed {
        let w = m.webhook.as_ref().unwrap();
        assert_eq!(w.webhook_id, format!("msg_{}", m.message_id));
        let mut mac = hmac::Hmac::<sha2::Sha256>::new_from_slice(&key).unwrap();
        mac.update(format!("{}.{}.{}", w.webhook_id, w.webhook_timestamp, m.body).as_bytes());
        let signature =
            base64::engine::general_purpose::STANDARD.encode(mac.finalize().into_bytes());
        assert_eq!(w.webhook_signature, format!("v1,{signature}"));
        json = json
            .replace(&w.webhook_signature, "SIGNATURE")
            .replace(&m.message_id, "MESSAGE_ID");
    }
    check("webhook_night1.json", &json);
}

/// Step 7 (M1, M2): after steps 1-3, the 10:00 claim (every message acked); c1 clicks 9
/// in the e-mail and posts the comment "Très bien, l'accueil 좋아요" → the thank-you page
/// equals `thanks_c1.html`.
#[test]
fn m2_golden_thank_you_page_through_the_rust_door() {
    let engine = steps_1_and_2();
    engine
        .sync_json(&read("night1.batch.json"), at("2026-11-20T22:00:00Z"))
        .unwrap();
    let due = at("2026-11-21T09:00:00Z");
    let messages = engine.claim(10, due).unwrap();
    for m in &messages {
        engine.ack(&m.message_id, due).unwrap();
    }
    let c1 = messages
        .iter()
        .find(|m| m.customer.as_deref() == Some("c1"))
        .unwrap();
    let token = c1
        .survey_link
        .as_deref()
        .unwrap()
        .rsplit('/')
        .next()
        .unwrap();
    engine.record_score_click(token, 9, due).unwrap();
    let body = "q.comment=Tr%c3%a8s+bien%2c+l%27accueil+%ec%a2%8b%ec%95%84%ec%9a%94";
    let page = engine.submit_survey_form(token, body, due).unwrap();
    check("thanks_c1.html", &page.html);
}

/// The contact-policy night of tests/golden/README.md (P1–P8) through the Rust door.
#[test]
fn golden_policy_nights_through_the_rust_door() {
    let engine = steps_1_and_2();
    engine
        .set_contact_policy(
            &hearken::wire::parse_contact_policy(&read("policy.contact.json")).unwrap(),
        )
        .unwrap();
    engine
        .set_location_policy(
            &hearken::wire::parse_location_policy(&read("policy.location.json")).unwrap(),
        )
        .unwrap();
    let report = engine
        .sync_json(
            &read("policy_night1.batch.json"),
            at("2026-11-20T22:00:00Z"),
        )
        .unwrap();
    check(
        "policy_night1.report.json",
        &hearken::wire::to_json(&report),
    );
    let report = engine
        .sync_json(
            &read("policy_night2.batch.json"),
            at("2026-11-21T22:00:00Z"),
        )
        .unwrap();
    check(
        "policy_night2.report.json",
        &hearken::wire::to_json(&report),
    );
    let explanation = engine.explain("g1", at("2026-11-21T22:00:00Z")).unwrap();
    check(
        "policy_explain_g1.json",
        &hearken::wire::to_json(&explanation),
    );
}

/// The counts-only sync (`ReportDetail::Counts`) on the golden nights: the same report as
/// the full one, with the lists empty and `counts` holding their lengths.
#[test]
fn counts_only_sync_gives_the_full_reports_counts_with_empty_lists() {
    use hearken::{ReportDetail, SyncCounts, SyncOptions, SyncReport};
    let counts_only = SyncOptions {
        report: ReportDetail::Counts,
    };
    let full = steps_1_and_2();
    let counted = steps_1_and_2();
    for e in [&full, &counted] {
        e.set_contact_policy(
            &hearken::wire::parse_contact_policy(&read("policy.contact.json")).unwrap(),
        )
        .unwrap();
        e.set_location_policy(
            &hearken::wire::parse_location_policy(&read("policy.location.json")).unwrap(),
        )
        .unwrap();
    }
    let mut seen = SyncCounts::default();
    for (batch, now) in [
        ("policy_night1.batch.json", "2026-11-20T22:00:00Z"),
        ("policy_night2.batch.json", "2026-11-21T22:00:00Z"),
    ] {
        let f = full.sync_json(&read(batch), at(now)).unwrap();
        let c = counted
            .sync_json_with(&read(batch), at(now), &counts_only)
            .unwrap();
        assert_eq!(f.counts, None, "a full report carries no counts");
        assert_eq!(c.counts, Some(f.counted()), "{batch}");
        assert_eq!(c.counted(), f.counted());
        assert!(c.invitations.is_empty() && c.skipped.is_empty());
        assert!(c.relationship_invitations.is_empty() && c.cancelled_by_refund.is_empty());
        // Everything else is the full report's.
        let lists_emptied = SyncReport {
            invitations: vec![],
            skipped: vec![],
            relationship_invitations: vec![],
            cancelled_by_refund: vec![],
            counts: Some(f.counted()),
            ..f.clone()
        };
        assert_eq!(c, lists_emptied, "{batch}");
        // The JSON carries the counts object.
        let json: serde_json::Value = serde_json::from_str(&hearken::wire::to_json(&c)).unwrap();
        assert_eq!(json["counts"]["invitations"], f.invitations.len());
        let n = f.counted();
        seen.invitations += n.invitations;
        seen.skipped += n.skipped;
        seen.relationship_invitations += n.relationship_invitations;
        seen.cancelled_by_refund += n.cancelled_by_refund;
    }
    // The nights exercise every list.
    assert!(seen.invitations > 0 && seen.skipped > 0, "{seen:?}");
    assert!(
        seen.relationship_invitations > 0 && seen.cancelled_by_refund > 0,
        "{seen:?}"
    );
}
