//! The event feed (D1) through the Rust API, on the store under test: every change a host
//! may mirror is in an ordered log read with a cursor; cursors are gap-free, never reused,
//! and a cursor that cannot be read from (pruned, or from another incarnation of the
//! store) is told, never silently skipped.

mod common;

use chrono::TimeDelta;
use common::{at, batch, paris_night, sale};
use hearken::model::events::EVENT_TYPES;
use hearken::{
    AlertStatus, Answer, DeliverySettings, Engine, ErrorKind, Event, EventsPage, ResponseInput,
    User, UserRole,
};

const DUE: &str = "2026-11-21T09:00:00Z";

/// Every event after `after`, read `page` at a time; the last cursor.
fn read_all(e: &Engine, after: Option<&str>, page: u32) -> (Vec<Event>, String) {
    let mut out = Vec::new();
    let mut cursor = after.map(str::to_owned);
    loop {
        match e.events(cursor.as_deref(), page).unwrap() {
            EventsPage::Events {
                events,
                next_cursor,
            } => {
                let done = events.is_empty();
                out.extend(events);
                cursor = Some(next_cursor);
                if done {
                    return (out, cursor.unwrap_or_default());
                }
            }
            other => panic!("reading the feed: {other:?}"),
        }
    }
}

/// The number part of a cursor.
fn seq(cursor: &str) -> i64 {
    cursor.rsplit_once('.').unwrap().1.parse().unwrap()
}

/// The incarnation part of a cursor.
fn incarnation(cursor: &str) -> &str {
    cursor.split_once('.').unwrap().0
}

fn answer(score: u32, comment: Option<&str>) -> ResponseInput {
    let mut answers = vec![Answer {
        question: "recommend".into(),
        score: Some(score),
        ..Answer::default()
    }];
    if let Some(c) = comment {
        answers.push(Answer {
            question: "comment".into(),
            text: Some(c.into()),
            ..Answer::default()
        });
    }
    ResponseInput {
        answers,
        consent_to_reply: true,
    }
}

/// A night in Paris inviting `customers`, all delivered at DUE; their (customer, token).
fn invited(e: &Engine, date: &str, customers: &[&str]) -> Vec<(String, String)> {
    e.sync(&common::one_sale_each(date, customers), paris_night(date))
        .unwrap();
    let due = at(&format!("{date}T09:00:00Z")) + TimeDelta::days(1);
    common::deliver(e, 100, due)
        .into_iter()
        .filter_map(|m| Some((m.customer?, common::link_token(&m.survey_link?))))
        .collect()
}

fn types(events: &[Event]) -> Vec<&str> {
    events.iter().map(|e| e.kind.as_str()).collect()
}

#[test]
fn d1_a_day_of_work_is_in_the_feed_in_order_with_gap_free_cursors() {
    let e = common::engine();
    e.upsert_user(&User::new(
        "amelie",
        "Amélie",
        "amelie@store.example",
        UserRole::Manager,
    ))
    .unwrap();
    e.upsert_user(&User::new(
        "minjun",
        "Minjun",
        "minjun@store.example",
        UserRole::Staff,
    ))
    .unwrap();
    let links = invited(&e, "2026-11-20", &["a", "b", "c"]);
    let token = |who: &str| links.iter().find(|l| l.0 == who).unwrap().1.clone();
    let unhappy = e
        .record_response(&token("a"), &answer(2, Some("Rude staff")), at(DUE))
        .unwrap();
    e.record_response(&token("b"), &answer(10, None), at(DUE))
        .unwrap();
    let alert = unhappy.alert_id.expect("an alert");
    e.reassign_alert(alert, "minjun", at(DUE)).unwrap();
    e.set_alert_status(alert, AlertStatus::InProgress, at(DUE))
        .unwrap();
    e.delete_response(unhappy.response_id, "admin", at(DUE))
        .unwrap();
    e.unsubscribe_customer("c", at(DUE)).unwrap();
    e.erase_customer("b", at(DUE)).unwrap();

    // Read one page of 1, then pages of 4: the same events as one read of everything.
    let (all, last) = read_all(&e, None, 1000);
    let (paged, last_paged) = read_all(&e, None, 4);
    assert_eq!(all, paged);
    assert_eq!(last, last_paged);
    // Gap-free and ordered, one incarnation.
    let seqs: Vec<i64> = all.iter().map(|ev| seq(&ev.cursor)).collect();
    assert_eq!(seqs, (1..=all.len() as i64).collect::<Vec<_>>());
    assert!(
        all.iter()
            .all(|ev| incarnation(&ev.cursor) == incarnation(&last))
    );
    assert_eq!(seq(&last), all.len() as i64);
    assert_eq!(
        types(&all),
        [
            "invitation.created.v1",
            "invitation.created.v1",
            "invitation.created.v1",
            "invitation.delivered.v1",
            "invitation.delivered.v1",
            "invitation.delivered.v1",
            "response.created.v1",
            // Both answers consent to a reply (F2 is a D5 consent).
            "consent.changed.v1",
            "alert.opened.v1",
            "response.created.v1",
            "consent.changed.v1",
            "alert.reassigned.v1",
            "alert.status_changed.v1",
            "response.deleted.v1",
            "contact.unsubscribed.v1",
            "consent.changed.v1",
            "customer.erased.v1",
        ]
    );
    let created: serde_json::Value = serde_json::from_str(&all[0].data).unwrap();
    assert_eq!(created["customer"], "a");
    assert_eq!(created["location"], "paris");
    assert_eq!(created["transaction"], "t-a-2026-11-20");
    assert_eq!(created["status"], "pending");
    // Reading from the last cursor gives nothing new, and keeps the cursor.
    match e.events(Some(&last), 10).unwrap() {
        EventsPage::Events {
            events,
            next_cursor,
        } => {
            assert!(events.is_empty());
            assert_eq!(next_cursor, last);
        }
        other => panic!("{other:?}"),
    }
    // The JSON form every door shows: a tagged outcome, data as an object.
    let json = serde_json::to_value(e.events(None, 1).unwrap()).unwrap();
    assert_eq!(json["outcome"], "events");
    assert_eq!(json["events"][0]["type"], "invitation.created.v1");
    assert!(json["events"][0]["data"].is_object());
}

#[test]
fn d1_a_change_that_is_refused_writes_no_event() {
    let e = common::engine();
    invited(&e, "2026-11-20", &["a"]);
    let (before, last) = read_all(&e, None, 100);
    // A batch with a bad record is refused whole: nothing written, no event.
    let mut bad = batch(
        "paris",
        "2026-11-21",
        &["x"],
        vec![sale("t-x", Some("x"), None)],
    );
    bad.transactions[0].currency = "euros".into();
    assert!(e.sync(&bad, paris_night("2026-11-21")).is_err());
    // Acking again, or an unknown message, changes nothing.
    let (after, last_after) = read_all(&e, None, 100);
    assert_eq!(before, after);
    assert_eq!(last, last_after);
    // The same batch synced again (E8) invites no one again: no event either.
    let sales = vec![sale(
        "t-a-2026-11-20",
        Some("a"),
        Some("2026-11-20T10:00:00+01:00"),
    )];
    e.sync(
        &batch("paris", "2026-11-20", &["a"], sales),
        paris_night("2026-11-20"),
    )
    .unwrap();
    assert_eq!(read_all(&e, Some(&last), 100).0, vec![]);
}

#[test]
fn d1_after_pruning_every_event_the_next_cursor_is_above_all_earlier_ones() {
    let e = common::engine();
    invited(&e, "2026-11-20", &["a", "b"]);
    let (first, last) = read_all(&e, None, 100);
    assert_eq!(first.len(), 4);
    let oldest_cursor = format!("{}.0", incarnation(&last));
    // 31 days later the timers prune every event (the retention is 30 days).
    assert_eq!(e.delivery_settings().unwrap().events_retention_days, 30);
    e.run_due(at(DUE) + TimeDelta::days(31)).unwrap();
    match e.events(None, 10).unwrap() {
        EventsPage::Events {
            events,
            next_cursor,
        } => {
            assert!(events.is_empty());
            assert_eq!(next_cursor, last, "the counter is kept");
        }
        other => panic!("{other:?}"),
    }
    // A cursor whose next events were pruned is told so, with the oldest valid cursor.
    assert_eq!(
        e.events(Some(&oldest_cursor), 10).unwrap(),
        EventsPage::CursorExpired {
            oldest_cursor: last.clone()
        }
    );
    // The last cursor read still reads on; the next event's number is above all earlier.
    invited(&e, "2026-12-22", &["c"]);
    let (next, _) = read_all(&e, Some(&last), 100);
    assert_eq!(seq(&next[0].cursor), seq(&last) + 1);
    assert_eq!(next[0].kind, "invitation.created.v1");
}

#[test]
fn d1_an_expired_cursor_is_told_with_the_oldest_cursor() {
    let e = common::engine();
    invited(&e, "2026-11-20", &["a"]);
    let (old, _) = read_all(&e, None, 100);
    invited(&e, "2026-12-10", &["b"]);
    e.set_delivery_settings(&DeliverySettings {
        events_retention_days: 10,
        ..e.delivery_settings().unwrap()
    })
    .unwrap();
    // The first night's events are older than 10 days on 2026-12-12; the second's not.
    e.run_due(at("2026-12-12T08:00:00Z")).unwrap();
    let (kept, _) = read_all(&e, None, 100);
    assert_eq!(seq(&kept[0].cursor), seq(&old.last().unwrap().cursor) + 1);
    let oldest = format!(
        "{}.{}",
        incarnation(&kept[0].cursor),
        seq(&kept[0].cursor) - 1
    );
    assert_eq!(
        e.events(Some(&old[0].cursor), 10).unwrap(),
        EventsPage::CursorExpired {
            oldest_cursor: oldest.clone()
        }
    );
    // The oldest cursor reads exactly what is kept.
    assert_eq!(read_all(&e, Some(&oldest), 100).0, kept);
    // A retention below one day is refused by name.
    let err = e
        .set_delivery_settings(&DeliverySettings {
            events_retention_days: 0,
            ..e.delivery_settings().unwrap()
        })
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::InvalidInput);
    assert!(err.to_string().contains("events_retention_days"), "{err}");
}

#[test]
fn d1_a_cursor_from_before_a_restored_backup_is_foreign() {
    // A backup copies a store file: this test runs on one whatever the store under test.
    let dir = tempfile::tempdir().unwrap();
    let e = Engine::open(dir.path().join("live.db")).unwrap();
    e.upsert_location(&hearken::Location::new("paris", "Paris", "Europe/Paris"))
        .unwrap();
    invited(&e, "2026-11-20", &["a"]);
    let (_, before_backup) = read_all(&e, None, 100);
    e.backup(dir.path().join("copy.db")).unwrap();
    invited(&e, "2026-11-21", &["b"]);
    let (_, live_last) = read_all(&e, Some(&before_backup), 100);
    e.close().unwrap();
    // The consumer read the live store past the backup; the backup is restored.
    let restored = Engine::open(dir.path().join("copy.db")).unwrap();
    let (kept, restored_last) = read_all(&restored, None, 100);
    assert_eq!(kept.len(), 2);
    assert_ne!(incarnation(&restored_last), incarnation(&live_last));
    for cursor in [&live_last, &before_backup] {
        assert_eq!(
            restored.events(Some(cursor), 10).unwrap(),
            EventsPage::ForeignCursor {
                oldest_cursor: format!("{}.0", incarnation(&restored_last))
            }
        );
    }
}

#[test]
fn d1_a_cursor_past_the_counter_is_foreign() {
    let e = common::engine();
    invited(&e, "2026-11-20", &["a"]);
    let (_, last) = read_all(&e, None, 100);
    let ahead = format!("{}.{}", incarnation(&last), seq(&last) + 5);
    assert!(matches!(
        e.events(Some(&ahead), 10).unwrap(),
        EventsPage::ForeignCursor { .. }
    ));
}

#[test]
fn d1_bad_cursors_and_limits_are_invalid_input_naming_the_field() {
    let e = common::engine();
    invited(&e, "2026-11-20", &["a"]);
    for bad in [
        "",
        "abc",
        ".1",
        "abc.",
        "ABC.1",
        "abc.-1",
        "abc.+1",
        "abc.1.2",
        "zz.1",
        "abc.99999999999999999999",
        "secret@example.com",
    ] {
        let err = e.events(Some(bad), 10).unwrap_err();
        assert_eq!(err.kind(), ErrorKind::InvalidInput, "{bad:?}");
        let text = err.to_string();
        assert!(text.contains("after_cursor"), "{text}");
        assert!(bad.is_empty() || !text.contains(bad), "echoed: {text}");
    }
    for limit in [0, 1001] {
        let err = e.events(None, limit).unwrap_err();
        assert!(err.to_string().contains("limit"), "{err}");
    }
    assert!(e.events(None, 1000).is_ok());
}

#[test]
fn d1_events_carry_ids_and_kinds_never_personal_data() {
    let e = common::engine();
    let mut night = batch("paris", "2026-11-20", &[], vec![]);
    night.customers = vec![hearken::Customer {
        name: Some("Zoé Quintessence".into()),
        phone: Some("+33 6 12 34 56 78".into()),
        ..hearken::Customer::with_email("zq", "zoe.quintessence@example.com")
    }];
    night.transactions = vec![sale("t-zq", Some("zq"), Some("2026-11-20T10:00:00+01:00"))];
    e.sync(&night, paris_night("2026-11-20")).unwrap();
    let m = common::deliver(&e, 10, at(DUE)).remove(0);
    let token = common::link_token(&m.survey_link.unwrap());
    e.record_response(
        &token,
        &answer(1, Some("Dreadful xylophone music")),
        at(DUE),
    )
    .unwrap();
    e.unsubscribe_contact("zoe.quintessence@example.com", at(DUE))
        .unwrap();
    e.erase_customer("zq", at(DUE)).unwrap();
    let (all, _) = read_all(&e, None, 100);
    assert!(all.len() >= 5, "{:?}", types(&all));
    let text = serde_json::to_string(&all).unwrap();
    for personal in [
        "Zoé",
        "Quintessence",
        "quintessence",
        "example.com",
        "12 34",
        "612345678",
        "xylophone",
        "Dreadful",
    ] {
        assert!(!text.contains(personal), "{personal} in {text}");
    }
    // No score either.
    for ev in &all {
        let data: serde_json::Value = serde_json::from_str(&ev.data).unwrap();
        for key in [
            "nps", "score", "rating", "comment", "email", "phone", "name",
        ] {
            assert!(data.get(key).is_none(), "{key} in {}", ev.kind);
        }
    }
}

/// Every event type is emitted somewhere in the engine and documented in docs/events.md.
#[test]
fn d1_every_event_type_is_emitted_and_documented() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    let docs = std::fs::read_to_string(root.join("docs/events.md")).unwrap();
    let mut engine_src = String::new();
    let mut stack = vec![root.join("src/engine")];
    while let Some(dir) = stack.pop() {
        for entry in std::fs::read_dir(dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                stack.push(path);
            } else if path.extension().is_some_and(|x| x == "rs") {
                engine_src.push_str(&std::fs::read_to_string(path).unwrap());
            }
        }
    }
    for ty in EVENT_TYPES {
        assert!(
            docs.contains(&format!("`{ty}`")),
            "{ty} is not in docs/events.md"
        );
        let (name, version) = ty.rsplit_once('.').unwrap();
        assert!(version.starts_with('v'), "{ty}");
        let constant = name.replace('.', "_").to_uppercase();
        assert!(
            engine_src.contains(&format!("ev::{constant}"))
                || engine_src.contains(&format!("events::{constant}")),
            "{ty} ({constant}) is emitted nowhere in src/engine"
        );
    }
}
