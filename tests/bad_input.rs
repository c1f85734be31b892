//! The bad-input matrix (issue 9), Rust door: every input class gets its typed error
//! naming the field, and the stored data is unchanged. The C and bindings cells live in
//! tests/c and bindings/; the table is in docs/bad-input.md.

// Engine::nps and Engine::ratings are deprecated (Engine::scores reads the rollups), but
// they must keep working: these tests hold them to it.
#![allow(deprecated)]

mod common;

use common::{at, batch, dump, paris_night, sale};
use hearken::{
    Answer, Customer, Engine, ErrorKind, Location, ResponseInput, ScoreQuery, SyncBatch,
};

const DUE: &str = "2026-11-21T09:00:00Z";

/// A file engine with one synced night and one delivered invitation; returns its token.
fn setup(dir: &tempfile::TempDir) -> (Engine, std::path::PathBuf, String) {
    let path = dir.path().join("store.db");
    let e = Engine::open(&path).unwrap();
    e.upsert_location(&Location::new("paris", "Boutique Paris", "Europe/Paris"))
        .unwrap();
    e.sync(
        &batch(
            "paris",
            "2026-11-20",
            &["a"],
            vec![sale("t1", Some("a"), Some("2026-11-20T10:00:00+01:00"))],
        ),
        paris_night("2026-11-20"),
    )
    .unwrap();
    let m = e.claim(1, at(DUE)).unwrap().remove(0);
    e.ack(&m.message_id, at(DUE)).unwrap();
    let token = common::link_token(&m.survey_link.unwrap());
    (e, path, token)
}

/// Runs `bad` and checks its error kind, the field it names, and that nothing changed.
fn cell(
    name: &str,
    kind: ErrorKind,
    field: &str,
    bad: impl FnOnce(&Engine, &str) -> hearken::Result<()>,
) {
    let dir = tempfile::tempdir().unwrap();
    let (e, path, token) = setup(&dir);
    let before = dump(&path);
    let err = bad(&e, &token).expect_err(name);
    assert_eq!(err.kind(), kind, "{name}: {err}");
    if !field.is_empty() {
        let fields: Vec<String> = err
            .problems()
            .iter()
            .map(|p| format!("{}.{}", p.record, p.field))
            .collect();
        assert!(
            fields.iter().any(|f| f.contains(field)),
            "{name}: {fields:?} does not name {field}"
        );
    }
    // Errors never echo what was sent.
    assert!(!err.to_string().contains("SECRET"), "{name}: {err}");
    drop(e);
    assert_eq!(before, dump(&path), "{name}: stored data changed");
}

fn night(date: &str) -> SyncBatch {
    batch(
        "paris",
        date,
        &["b"],
        vec![sale("t2", Some("b"), Some("2026-11-21T10:00:00+01:00"))],
    )
}

fn nps(score: u32) -> ResponseInput {
    ResponseInput {
        answers: vec![Answer {
            question: "recommend".into(),
            score: Some(score),
            ..Answer::default()
        }],
        consent_to_reply: false,
    }
}

#[test]
fn invalid_utf8_in_a_backfill_file_names_the_line() {
    cell("backfill not UTF-8", ErrorKind::InvalidInput, "", |e, _| {
        let bytes: &[u8] = b"{\"format\":1,\"location\":\"paris\",\"SECRET\xff\"}\n";
        e.backfill_reader(bytes, at(DUE), |_| {}).map(|_| ())
    });
}

#[test]
fn malformed_json_is_invalid_input_with_its_position() {
    cell("malformed batch", ErrorKind::InvalidInput, "", |e, _| {
        e.sync_json("{\"format\":1,\"location\":\"SECRET", at(DUE))
            .map(|_| ())
    });
    cell(
        "not a date",
        ErrorKind::InvalidInput,
        "business_dates",
        |e, _| {
            e.sync_json(
                r#"{"format":1,"location":"paris","business_dates":["SECRET"]}"#,
                at(DUE),
            )
            .map(|_| ())
        },
    );
    cell("unknown field", ErrorKind::InvalidInput, "", |e, _| {
        e.sync_json(
            r#"{"format":1,"location":"paris","business_dates":["2026-11-21"],"bogus":1}"#,
            at(DUE),
        )
        .map(|_| ())
    });
}

#[test]
fn unknown_and_duplicate_ids_are_named() {
    cell(
        "unknown location",
        ErrorKind::InvalidInput,
        "location",
        |e, _| {
            let mut b = night("2026-11-21");
            b.location = "SECRET-nowhere".into();
            e.sync(&b, paris_night("2026-11-21")).map(|_| ())
        },
    );
    cell(
        "unknown customer",
        ErrorKind::InvalidInput,
        "customer",
        |e, _| {
            let mut b = night("2026-11-21");
            b.customers.clear();
            b.transactions[0].customer = Some("SECRET-ghost".into());
            e.sync(&b, paris_night("2026-11-21")).map(|_| ())
        },
    );
    cell(
        "duplicate customer",
        ErrorKind::InvalidInput,
        "id",
        |e, _| {
            let mut b = night("2026-11-21");
            b.customers
                .push(Customer::with_email("b", "other@example.com"));
            e.sync(&b, paris_night("2026-11-21")).map(|_| ())
        },
    );
    cell(
        "duplicate transaction",
        ErrorKind::InvalidInput,
        "id",
        |e, _| {
            let mut b = night("2026-11-21");
            b.transactions.push(b.transactions[0].clone());
            e.sync(&b, paris_night("2026-11-21")).map(|_| ())
        },
    );
    // A sale's employees: one listed twice, in a short list and in a long one.
    for n in [2, 20] {
        cell(
            "employee listed twice",
            ErrorKind::InvalidInput,
            "employees",
            |e, _| {
                let mut b = night("2026-11-21");
                b.employees = (0..n)
                    .map(|i| hearken::Employee {
                        id: format!("e{i}"),
                        name: None,
                        role: hearken::Role::Salesperson,
                    })
                    .collect();
                let mut ids: Vec<String> = b.employees.iter().map(|x| x.id.clone()).collect();
                ids.push("e0".into());
                b.transactions[0].employees = ids;
                e.sync(&b, paris_night("2026-11-21")).map(|_| ())
            },
        );
    }
    cell("unknown alert", ErrorKind::NotFound, "", |e, _| {
        e.set_alert_status(424242, hearken::AlertStatus::Done, at(DUE))
    });
    cell("unknown response", ErrorKind::NotFound, "", |e, _| {
        e.delete_response(424242, "admin", at(DUE))
    });
}

#[test]
fn bad_dates_and_time_zones_are_named() {
    cell(
        "bad time zone",
        ErrorKind::InvalidInput,
        "time_zone",
        |e, _| e.upsert_location(&Location::new("lyon", "Lyon", "Mars/SECRET")),
    );
    cell(
        "future business date",
        ErrorKind::InvalidInput,
        "",
        |e, _| {
            e.sync(&night("2027-01-01"), paris_night("2026-11-21"))
                .map(|_| ())
        },
    );
    cell(
        "impossible date",
        ErrorKind::InvalidInput,
        "finalized_at",
        |e, _| {
            e.sync_json(
                r#"{"format":1,"location":"paris","business_dates":["2026-11-21"],
                "transactions":[{"id":"t9","kind":"sale","amount_minor":1,"currency":"EUR",
                "finalized_at":"2026-02-30T10:00:00+01:00"}]}"#,
                paris_night("2026-11-21"),
            )
            .map(|_| ())
        },
    );
}

#[test]
fn out_of_range_scores_are_refused_and_the_link_stays_usable() {
    cell("nps 11", ErrorKind::InvalidInput, "score", |e, t| {
        e.record_response(t, &nps(11), at(DUE)).map(|_| ())
    });
    cell(
        "unknown question",
        ErrorKind::InvalidInput,
        "question",
        |e, t| {
            let mut r = nps(5);
            r.answers[0].question = "bogus".into();
            e.record_response(t, &r, at(DUE)).map(|_| ())
        },
    );
    // The refused answer did not use up the link.
    let dir = tempfile::tempdir().unwrap();
    let (e, _, token) = setup(&dir);
    assert!(e.record_response(&token, &nps(11), at(DUE)).is_err());
    e.record_response(&token, &nps(9), at(DUE)).unwrap();
    assert_eq!(e.nps(&ScoreQuery::default()).unwrap().promoters, 1);
}

#[test]
fn oversized_strings_are_refused_at_their_documented_limit() {
    cell(
        "customer name > 256",
        ErrorKind::InvalidInput,
        "name",
        |e, _| {
            let mut b = night("2026-11-21");
            b.customers[0].name = Some("SECRET".repeat(50));
            e.sync(&b, paris_night("2026-11-21")).map(|_| ())
        },
    );
    cell("id > 128 bytes", ErrorKind::InvalidInput, "id", |e, _| {
        let mut b = night("2026-11-21");
        b.transactions[0].id = "x".repeat(129);
        e.sync(&b, paris_night("2026-11-21")).map(|_| ())
    });
    cell("comment > 5000", ErrorKind::InvalidInput, "", |e, t| {
        let mut r = nps(5);
        r.answers.push(Answer {
            question: "comment".into(),
            text: Some("SECRET ".repeat(800)),
            ..Answer::default()
        });
        e.record_response(t, &r, at(DUE)).map(|_| ())
    });
    cell("JSON > 64 MiB", ErrorKind::InvalidInput, "", |e, _| {
        let big = format!("[\"{}\"]", "x".repeat(hearken::wire::MAX_JSON_BYTES));
        e.sync_json(&big, at(DUE)).map(|_| ())
    });
}

#[test]
fn unknown_or_malformed_tokens() {
    cell("unknown token", ErrorKind::NotFound, "", |e, _| {
        e.record_response("0123456789abcdef0123456789abcdef", &nps(9), at(DUE))
            .map(|_| ())
    });
    cell(
        "malformed token",
        ErrorKind::InvalidInput,
        "token",
        |e, _| e.record_response("SECRET", &nps(9), at(DUE)).map(|_| ()),
    );
    cell(
        "unknown unsubscribe token",
        ErrorKind::NotFound,
        "",
        |e, _| {
            e.unsubscribe_by_token("fedcba9876543210fedcba9876543210", at(DUE))
                .map(|_| ())
        },
    );
    // A used link: the second answer is refused and changes nothing.
    let dir = tempfile::tempdir().unwrap();
    let (e, path, token) = setup(&dir);
    e.record_response(&token, &nps(9), at(DUE)).unwrap();
    let before = dump(&path);
    let err = e.record_response(&token, &nps(3), at(DUE)).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Conflict);
    drop(e);
    assert_eq!(before, dump(&path));
}

/// D6, D7: the customer screen, cancelling, access and erasure by contact refuse what they
/// cannot use, name it without echoing it, and change nothing.
#[test]
fn d6_d7_bad_customers_contacts_and_instants_are_named_and_change_nothing() {
    cell(
        "screen: unknown customer",
        ErrorKind::NotFound,
        "",
        |e, _| e.contact_state("ghost", at(DUE)).map(|_| ()),
    );
    cell(
        "cancel: unknown customer",
        ErrorKind::NotFound,
        "",
        |e, _| e.cancel_pending("ghost", at(DUE)).map(|_| ()),
    );
    cell(
        "export: unknown customer",
        ErrorKind::NotFound,
        "",
        |e, _| e.customer_export("ghost").map(|_| ()),
    );
    for (name, what) in [
        ("contact export: not a contact", "SECRET not a contact"),
        ("contact export: empty", ""),
    ] {
        cell(name, ErrorKind::InvalidInput, "contact", |e, _| {
            e.contact_export(what).map(|_| ())
        });
    }
    cell(
        "erase contact: not a contact",
        ErrorKind::InvalidInput,
        "contact",
        |e, _| e.erase_contact("SECRET@", at(DUE)).map(|_| ()),
    );
    let before_1970 = chrono::DateTime::from_timestamp_millis(-1).unwrap();
    cell(
        "screen: now out of range",
        ErrorKind::InvalidInput,
        "now",
        |e, _| e.contact_state("a", before_1970).map(|_| ()),
    );
    cell(
        "cancel: now out of range",
        ErrorKind::InvalidInput,
        "now",
        |e, _| e.cancel_pending("a", before_1970).map(|_| ()),
    );
    cell(
        "erase contact: now out of range",
        ErrorKind::InvalidInput,
        "now",
        |e, _| e.erase_contact("a@example.com", before_1970).map(|_| ()),
    );
    cell(
        "retention_months 0",
        ErrorKind::InvalidInput,
        "retention_months",
        |e, _| {
            e.set_delivery_settings(&hearken::DeliverySettings {
                retention_months: Some(0),
                ..e.delivery_settings()?
            })
        },
    );
}

#[test]
fn d1_bad_event_cursors_and_limits_are_named_and_change_nothing() {
    for (name, cursor, limit, field) in [
        ("cursor not a cursor", Some("SECRET"), 10, "after_cursor"),
        ("cursor without a number", Some("abc."), 10, "after_cursor"),
        (
            "cursor with a negative number",
            Some("abc.-1"),
            10,
            "after_cursor",
        ),
        (
            "cursor with a huge number",
            Some("abc.99999999999999999999"),
            10,
            "after_cursor",
        ),
        ("cursor upper-case", Some("ABC.1"), 10, "after_cursor"),
        ("limit 0", None, 0, "limit"),
        ("limit above 1000", None, 1001, "limit"),
    ] {
        cell(name, ErrorKind::InvalidInput, field, |e, _| {
            e.events(cursor, limit).map(|_| ())
        });
    }
    cell(
        "retention 0 days",
        ErrorKind::InvalidInput,
        "events_retention_days",
        |e, _| {
            e.set_delivery_settings(&hearken::DeliverySettings {
                events_retention_days: 0,
                ..e.delivery_settings()?
            })
        },
    );
}

#[test]
fn d3_d5_bad_delivery_feedback_and_consent_calls_are_named_and_change_nothing() {
    use hearken::DeliveryFeedback;
    for feedback in [
        DeliveryFeedback::HardBounce,
        DeliveryFeedback::SoftBounce,
        DeliveryFeedback::Complaint,
    ] {
        cell(
            "report_delivery of an unknown message",
            ErrorKind::NotFound,
            "",
            |e, _| {
                e.report_delivery("no-such-message", feedback, at(DUE))
                    .map(|_| ())
            },
        );
    }
    cell(
        "report_delivery at an instant out of range",
        ErrorKind::InvalidInput,
        "now",
        |e, _| {
            let far = chrono::DateTime::<chrono::Utc>::MAX_UTC;
            e.report_delivery("no-such-message", DeliveryFeedback::HardBounce, far)
                .map(|_| ())
        },
    );
    cell(
        "consent_history of an unknown customer",
        ErrorKind::NotFound,
        "",
        |e, _| e.consent_history("nobody").map(|_| ()),
    );
}

#[test]
fn d2_bad_webhook_calls_are_named_and_change_nothing() {
    let new = |url: &str, types: &[&str], secret: Option<&str>| hearken::NewWebhook {
        url: url.into(),
        event_types: types.iter().map(|t| t.to_string()).collect(),
        secret: secret.map(Into::into),
    };
    let ok_type: &[&str] = &["response.created.v1"];
    for (name, w, field) in [
        (
            "plain http to a public host",
            new("http://SECRET.example/hook", ok_type, None),
            "url",
        ),
        ("not a URL", new("SECRET", ok_type, None), "url"),
        (
            "a URL with credentials",
            new("https://user:SECRET@crm.example/", ok_type, None),
            "url",
        ),
        (
            "a URL with a space",
            new("https://crm.example/SECRET hook", ok_type, None),
            "url",
        ),
        (
            "a URL without a host",
            new("https:///SECRET", ok_type, None),
            "url",
        ),
        (
            "an oversized URL",
            new(
                &format!("https://crm.example/{}", "SECRET".repeat(400)),
                ok_type,
                None,
            ),
            "url",
        ),
        (
            "no event type",
            new("https://crm.example/hook", &[], None),
            "event_types",
        ),
        (
            "an unknown event type",
            new("https://crm.example/hook", &["SECRET.v1"], None),
            "event_types",
        ),
        (
            "a secret without whsec_",
            new("https://crm.example/hook", ok_type, Some("SECRET")),
            "secret",
        ),
        (
            "a secret too short",
            new("https://crm.example/hook", ok_type, Some("whsec_U0VDUkVU")),
            "secret",
        ),
    ] {
        cell(name, ErrorKind::InvalidInput, field, |e, _| {
            e.add_webhook(&w, at(DUE)).map(|_| ())
        });
    }
    cell(
        "remove an unknown webhook",
        ErrorKind::NotFound,
        "",
        |e, _| e.remove_webhook(99, at(DUE)),
    );
    cell(
        "rotate an unknown webhook",
        ErrorKind::NotFound,
        "",
        |e, _| e.rotate_webhook_secret(99, None, at(DUE)).map(|_| ()),
    );
    cell(
        "rotate with a grace too long",
        ErrorKind::InvalidInput,
        "grace",
        |e, _| {
            let year = std::time::Duration::from_secs(365 * 86400);
            e.rotate_webhook_secret(99, Some(year), at(DUE)).map(|_| ())
        },
    );
    cell(
        "ping an unknown webhook",
        ErrorKind::NotFound,
        "",
        |e, _| e.ping_webhook(99, at(DUE)).map(|_| ()),
    );
    cell(
        "fail_webhook with a bad status",
        ErrorKind::InvalidInput,
        "http_status",
        |e, _| {
            e.fail_webhook("no-such-message", 999, "x", at(DUE))
                .map(|_| ())
        },
    );
    cell(
        "fail_webhook of an unknown message",
        ErrorKind::NotFound,
        "",
        |e, _| {
            e.fail_webhook("no-such-message", 500, "x", at(DUE))
                .map(|_| ())
        },
    );
}

#[test]
fn d4_bad_inbound_sms_are_named_and_change_nothing() {
    let sms = |from: &str, body: String| hearken::InboundSms {
        from: from.into(),
        body,
        received_at: at(DUE),
    };
    for (name, from) in [
        ("sms: from not a phone", "SECRET"),
        ("sms: from empty", ""),
        ("sms: from an e-mail", "SECRET@example.com"),
    ] {
        cell(name, ErrorKind::InvalidInput, "inbound_sms.from", |e, _| {
            e.receive_sms(&sms(from, "STOP".into())).map(|_| ())
        });
    }
    cell(
        "sms: body over 1600 characters",
        ErrorKind::InvalidInput,
        "inbound_sms.body",
        |e, _| {
            let long = format!("SECRET {}", "é".repeat(hearken::MAX_INBOUND_SMS_CHARS));
            e.receive_sms(&sms("+33612345678", long)).map(|_| ())
        },
    );
    cell(
        "sms: body with a NUL",
        ErrorKind::InvalidInput,
        "inbound_sms.body",
        |e, _| {
            e.receive_sms(&sms("+33612345678", "SECRET\0".into()))
                .map(|_| ())
        },
    );
    cell(
        "sms: received_at out of range",
        ErrorKind::InvalidInput,
        "received_at",
        |e, _| {
            e.receive_sms(&hearken::InboundSms {
                received_at: chrono::DateTime::from_timestamp_millis(-1).unwrap(),
                ..sms("+33612345678", "STOP".into())
            })
            .map(|_| ())
        },
    );
    cell(
        "sms settings: a word without letters",
        ErrorKind::InvalidInput,
        "sms_opt_out_words",
        |e, _| {
            let mut s = e.settings()?;
            s.sms_opt_out_words
                .insert("fr".into(), vec!["SECRET".into(), " !! ".into()]);
            e.set_settings(&s)
        },
    );
    cell(
        "sms settings: an empty help text",
        ErrorKind::InvalidInput,
        "sms_help_texts",
        |e, _| {
            let mut s = e.settings()?;
            s.sms_help_texts.insert("FR".into(), "SECRET".into());
            e.set_settings(&s)
        },
    );
    cell(
        "sms settings: an opt-out confirmation over 320 characters",
        ErrorKind::InvalidInput,
        "sms_opt_out_confirmations",
        |e, _| {
            let mut s = e.settings()?;
            s.sms_opt_out_confirmations
                .insert("fr".into(), "SECRET ".repeat(50));
            e.set_settings(&s)
        },
    );
    cell(
        "sms settings: an opt-out confirmation of blanks",
        ErrorKind::InvalidInput,
        "sms_opt_out_confirmations",
        |e, _| {
            let mut s = e.settings()?;
            s.sms_opt_out_confirmations
                .insert("en".into(), "   ".into());
            e.set_settings(&s)
        },
    );
}

/// H5: the admin's check names a bad store id by its field (`admin.store`), never the
/// value, before connecting (so in every build, hosted or not); it changes nothing, as it
/// never writes.
#[test]
fn h5_admin_check_names_a_bad_store_id_without_its_value() {
    let url = "postgres://admin@127.0.0.1:1/db";
    let long = "x".repeat(129);
    for bad in ["", "shop\u{7}42", long.as_str()] {
        let err = hearken::admin::check(url, Some(bad)).unwrap_err();
        assert_eq!(err.kind(), ErrorKind::InvalidInput, "{err}");
        let fields: Vec<String> = (err.problems().iter())
            .map(|p| format!("{}.{}", p.record, p.field))
            .collect();
        assert_eq!(fields, ["admin.store"]);
        assert!(!err.to_string().contains("shop"), "{err}");
        assert!(!err.to_json().contains("shop"), "{err}");
    }
}
