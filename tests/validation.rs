//! A malformed batch is rejected whole, with every bad record named, and changes nothing.

mod common;

use std::path::Path;

use common::{at, paris_night};
use hearken::{Engine, ErrorKind, Location};

fn open(path: &Path) -> Engine {
    let e = Engine::open(path).unwrap();
    e.upsert_location(&Location::new("paris", "Paris", "Europe/Paris"))
        .unwrap();
    e
}

const GOOD: &str = r#"{"format":1,"location":"paris","business_dates":["2026-11-20"],
  "customers":[{"id":"c1","email":"a@example.com","include_in_communications":true}],
  "employees":[{"id":"e1","role":"salesperson"}],
  "transactions":[{"id":"t1","customer":"c1","employees":["e1"],"kind":"sale",
    "amount_minor":100,"currency":"EUR","finalized_at":"2026-11-20T10:00:00+01:00"}]}"#;

/// Syncs `json` and checks the typed error, the named field and that nothing changed.
fn rejected(json: &str, record: &str, field: &str) -> hearken::Error {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("v.db");
    let e = open(&path);
    let before = common::dump(&path);
    let err = e.sync_json(json, paris_night("2026-11-20")).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::InvalidInput, "{err}");
    assert!(
        err.problems()
            .iter()
            .any(|p| p.record == record && p.field == field),
        "expected {record}.{field} in {:?}",
        err.problems()
    );
    assert_eq!(
        before,
        common::dump(&path),
        "a rejected batch wrote something"
    );
    err
}

#[test]
fn the_good_batch_is_accepted() {
    let dir = tempfile::tempdir().unwrap();
    let e = open(&dir.path().join("v.db"));
    let r = e.sync_json(GOOD, paris_night("2026-11-20")).unwrap();
    assert_eq!(r.invitations.len(), 1);
}

#[test]
fn malformed_json() {
    rejected("{\"format\":1,", "batch", "");
}

#[test]
fn wrong_format_version() {
    rejected(
        &GOOD.replace("\"format\":1", "\"format\":7"),
        "batch",
        "format",
    );
}

#[test]
fn unknown_location() {
    rejected(&GOOD.replace("\"paris\"", "\"lyon\""), "batch", "location");
}

#[test]
fn bad_time_zone_of_a_location() {
    let e = common::open_store();
    let err = e
        .upsert_location(&Location::new("p", "Paris", "Europe/Paname"))
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::InvalidInput);
    assert_eq!(err.problems()[0].field, "time_zone");
    assert!(e.locations().unwrap().is_empty());
}

#[test]
fn duplicate_host_ids() {
    let json = GOOD.replace(
        r#""customers":[{"id":"c1","email":"a@example.com","include_in_communications":true}]"#,
        r#""customers":[{"id":"c1","include_in_communications":true},{"id":"c1","include_in_communications":false}]"#,
    );
    let err = rejected(&json, "customers", "id");
    assert_eq!(err.problems()[0].index, Some(1));
    assert_eq!(err.problems()[0].host_id.as_deref(), Some("c1"));
}

#[test]
fn missing_required_field() {
    let err = rejected(
        &GOOD.replace(r#""currency":"EUR","#, ""),
        "transactions",
        "",
    );
    assert_eq!(err.problems()[0].host_id.as_deref(), Some("t1"));
    assert!(err.problems()[0].reason.contains("currency"));
}

#[test]
fn unknown_field_and_bad_enum_name_the_field_without_the_value() {
    let err = rejected(
        &GOOD.replace("\"kind\":\"sale\"", "\"kind\":\"secret-value\""),
        "transactions",
        "kind",
    );
    assert!(!err.to_string().contains("secret-value"));
    assert!(!err.to_json().contains("secret-value"));
    // T6: an unknown key is reported on its record, never by its name.
    let err = rejected(
        &GOOD.replace(
            "\"role\":\"salesperson\"",
            "\"role\":\"salesperson\",\"age\":3",
        ),
        "employees",
        "",
    );
    assert_eq!(err.problems()[0].reason, "unknown field");
    assert!(!err.to_json().contains("\"age\""), "{}", err.to_json());
    assert!(!err.to_string().contains("age:"), "{err}");
}

#[test]
fn finalized_after_now() {
    rejected(
        &GOOD.replace("2026-11-20T10:00:00+01:00", "2026-11-21T10:00:00+01:00"),
        "transactions",
        "finalized_at",
    );
}

#[test]
fn timestamp_without_offset() {
    rejected(
        &GOOD.replace("2026-11-20T10:00:00+01:00", "2026-11-20T10:00:00"),
        "transactions",
        "finalized_at",
    );
}

#[test]
fn every_bad_record_is_named_at_once() {
    let json = r#"{"format":1,"location":"paris","business_dates":["2026-11-20","2026-11-20"],
      "customers":[{"id":"","include_in_communications":true},{"id":"c2","language":"fr_FR","include_in_communications":true}],
      "employees":[{"id":"e1","role":"driver"},{"id":"e1","role":"driver"}],
      "transactions":[
        {"id":"t1","customer":"ghost","employees":["e9"],"kind":"sale","amount_minor":1,"currency":"eur"},
        {"id":"t1","kind":"sale","amount_minor":1,"currency":"EUR"}]}"#;
    let err = rejected(json, "transactions", "customer");
    let fields: Vec<String> = err
        .problems()
        .iter()
        .map(|p| format!("{}.{}", p.record, p.field))
        .collect();
    assert_eq!(
        fields,
        vec![
            "business_dates.date",
            "customers.id",
            "customers.language",
            "employees.id",
            "transactions.customer",
            "transactions.employees",
            "transactions.currency",
            "transactions.id",
        ]
    );
}

#[test]
fn oversized_strings_are_rejected_with_the_limit() {
    let long = "x".repeat(200);
    let err = rejected(
        &GOOD.replace("\"id\":\"c1\"", &format!("\"id\":\"{long}\"")),
        "customers",
        "id",
    );
    assert!(err.problems()[0].reason.contains("128"));
}

#[test]
fn a_transaction_of_another_location_is_a_conflict_in_the_batch() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("v.db");
    let e = open(&path);
    e.upsert_location(&Location::new("seoul", "Seoul", "Asia/Seoul"))
        .unwrap();
    e.sync_json(GOOD, paris_night("2026-11-20")).unwrap();
    let before = common::dump(&path);
    let err = e
        .sync_json(
            &GOOD
                .replace("\"paris\"", "\"seoul\"")
                .replace("2026-11-20\"]", "2026-11-21\"]"),
            at("2026-11-21T14:00:00Z"),
        )
        .unwrap_err();
    assert!(
        err.problems()
            .iter()
            .any(|p| p.reason.contains("another location")),
        "{err}"
    );
    assert_eq!(before, common::dump(&path));
}

#[test]
fn bad_settings_are_rejected_whole() {
    let e = common::open_store();
    let s = hearken::wire::parse_settings(r#"{"cooldown_months":0,"send_hour":23}"#).unwrap();
    let err = e.set_settings(&s).unwrap_err();
    let fields: Vec<&str> = err.problems().iter().map(|p| p.field.as_str()).collect();
    assert_eq!(fields, vec!["cooldown_months", "send_hour"]);
    assert_eq!(e.settings().unwrap(), hearken::Settings::default());
}
