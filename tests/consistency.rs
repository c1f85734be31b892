//! T10: settings are consistent as a whole. Every setter checks its new values against
//! the values the other setters stored, so the store never holds a combination that one
//! of its own setters would refuse: through the Rust API and the CLI (the C and uniffi
//! doors are in tests/c/test_policy.c and bindings/python/test_policy.py).

mod common;

use hearken::{ContactPolicy, DeliverySettings, Engine, ErrorKind};

fn policy_with_retry(e: &Engine, months: u32) -> ContactPolicy {
    ContactPolicy {
        retry_after_no_answer_months: months,
        ..e.contact_policy().unwrap()
    }
}

fn delivery_with_link_days(e: &Engine, days: u32) -> DeliverySettings {
    DeliverySettings {
        survey_link_days: days,
        ..e.delivery_settings().unwrap()
    }
}

#[test]
fn t10_a_link_lifetime_longer_than_the_stored_retry_is_refused_and_changes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("store.db");
    let e = Engine::open(&path).unwrap();
    e.set_contact_policy(&policy_with_retry(&e, 3)).unwrap();
    let before = common::dump(&path);
    let err = e
        .set_delivery_settings(&delivery_with_link_days(&e, 365))
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::InvalidInput, "{err}");
    let p = &err.problems()[0];
    assert_eq!(
        (p.record.as_str(), p.field.as_str()),
        ("delivery_settings", "survey_link_days")
    );
    assert!(p.reason.contains("retry_after_no_answer_months"), "{p:?}");
    assert!(!err.to_json().contains("365"), "{err}");
    assert_eq!(common::dump(&path), before);
    // What the store holds is still accepted by its own setters.
    e.set_contact_policy(&e.contact_policy().unwrap()).unwrap();
    e.set_delivery_settings(&e.delivery_settings().unwrap())
        .unwrap();
    // Inside the pair's bound both orders work: 3 months of 28 days cover 84 days.
    e.set_delivery_settings(&delivery_with_link_days(&e, 84))
        .unwrap();
    assert_eq!(
        e.set_delivery_settings(&delivery_with_link_days(&e, 85))
            .unwrap_err()
            .problems()[0]
            .field,
        "survey_link_days"
    );
    // With the retry off, any valid lifetime goes.
    e.set_contact_policy(&policy_with_retry(&e, 0)).unwrap();
    e.set_delivery_settings(&delivery_with_link_days(&e, 365))
        .unwrap();
    // And now the retry that would be shorter than the stored lifetime is refused.
    let err = e.set_contact_policy(&policy_with_retry(&e, 3)).unwrap_err();
    assert_eq!(err.problems()[0].field, "retry_after_no_answer_months");
    assert_eq!(e.contact_policy().unwrap().retry_after_no_answer_months, 0);
}

#[test]
fn t10_the_cli_sets_a_pair_valid_as_a_whole_in_either_direction_and_refuses_a_bad_one() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("store.db");
    let run = |args: &[&str]| common::cli(&db, args);
    drop(Engine::open(&db).unwrap());
    let (code, err) = run(&["settings", "set", "retry_after_no_answer_months=3"]);
    assert_eq!(code, 0, "{err}");
    // Alone, a year-long link contradicts the stored 3-month retry.
    let (code, err) = run(&["--json", "settings", "set", "survey_link_days=365"]);
    assert_eq!(code, 3, "{err}");
    assert!(
        err.contains(r#""field":"survey_link_days""#)
            || err.contains("retry_after_no_answer_months"),
        "{err}"
    );
    // Both at once, longer: the policy goes first.
    let (code, err) = run(&[
        "settings",
        "set",
        "survey_link_days=365",
        "retry_after_no_answer_months=14",
    ]);
    assert_eq!(code, 0, "{err}");
    // Both at once, shorter: the link goes first.
    let (code, err) = run(&[
        "settings",
        "set",
        "survey_link_days=30",
        "retry_after_no_answer_months=2",
    ]);
    assert_eq!(code, 0, "{err}");
    let e = Engine::open(&db).unwrap();
    assert_eq!(e.delivery_settings().unwrap().survey_link_days, 30);
    assert_eq!(e.contact_policy().unwrap().retry_after_no_answer_months, 2);
}
