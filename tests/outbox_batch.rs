//! Batch acks (`Engine::ack_many`, T8 per id) and slim delivered rows (the outbox keeps a
//! delivered message's id, invitation, status and times, not its text, after a retention).

mod common;

use chrono::TimeDelta;
use common::{at, batch, paris_night, sale};
use hearken::{
    AckStatus, DeliverySettings, Engine, ErrorKind, Location, MessageKind, NotifyLevel,
    ReportQuery, User, UserRole,
};

const DUE: &str = "2026-11-21T09:00:00Z";

/// Paris, three customers synced on 2026-11-20; their invitations due on the 21st.
fn synced(e: &Engine) {
    e.upsert_location(&Location::new("paris", "Boutique Paris", "Europe/Paris"))
        .unwrap();
    let b = batch(
        "paris",
        "2026-11-20",
        &["amelie", "minjun", "zoe"],
        vec![
            sale("t1", Some("amelie"), Some("2026-11-20T10:00:00+01:00")),
            sale("t2", Some("minjun"), Some("2026-11-20T11:00:00+01:00")),
            sale("t3", Some("zoe"), Some("2026-11-20T12:00:00+01:00")),
        ],
    );
    e.sync(&b, paris_night("2026-11-20")).unwrap();
}

#[test]
fn t8_ack_many_acks_the_claimed_ids_and_reports_each_other_id_as_a_single_ack_would() {
    let e = common::open_store();
    synced(&e);
    let now = at(DUE);
    let claimed = e.claim(2, now).unwrap();
    assert_eq!(claimed.len(), 2);
    let (a, b) = (&claimed[0].message_id, &claimed[1].message_id);
    // A message never claimed: a resend of the first invitation (F5).
    let never = e
        .resend(claimed[0].invitation_id.unwrap(), None, now)
        .unwrap();
    let long = "x".repeat(200);
    let ids = [
        a.as_str(),
        "01ffffffffffffffffffffffffffffff",
        never.as_str(),
        b.as_str(),
        a.as_str(),
        long.as_str(),
    ];
    let out = e.ack_many(&ids, now).unwrap();
    let statuses: Vec<AckStatus> = out.iter().map(|o| o.status).collect();
    assert_eq!(
        statuses,
        [
            AckStatus::Acked,
            AckStatus::NotFound,
            AckStatus::Conflict,
            AckStatus::Acked,
            AckStatus::AlreadyAcked,
            AckStatus::NotFound,
        ]
    );
    assert_eq!(out[0].message_id, *a);
    assert!(out[2].detail.as_deref().unwrap().contains("never claimed"));
    // An over-long id is not echoed (T6).
    assert_eq!(out[5].message_id, "");
    // The same answers as single acks: acked again is fine, the others are typed errors.
    e.ack(a, now).unwrap();
    assert_eq!(e.ack(&never, now).unwrap_err().kind(), ErrorKind::Conflict);
    // Nothing else changed: the resend and the third invitation are still to be sent.
    let counts = e.outbox_counts().unwrap();
    assert_eq!((counts.acked, counts.pending), (2, 2));
    assert!(
        e.claim(10, now)
            .unwrap()
            .iter()
            .any(|m| m.message_id == never)
    );
    // An empty list acks nothing; an acked message is never offered again.
    assert!(e.ack_many::<&str>(&[], now).unwrap().is_empty());
    assert!(
        e.claim(10, now + TimeDelta::hours(1))
            .unwrap()
            .iter()
            .all(|m| m.message_id != *a && m.message_id != *b)
    );
}

#[test]
fn t8_ack_many_of_a_cancelled_message_is_a_conflict_and_changes_nothing() {
    let e = common::open_store();
    synced(&e);
    let now = at(DUE);
    let claimed = e.claim(3, now).unwrap();
    // Zoé unsubscribes; her message is cancelled when it is claimed again after its lease.
    let zoe = claimed
        .iter()
        .find(|m| m.customer.as_deref() == Some("zoe"))
        .unwrap();
    e.unsubscribe_customer("zoe", now).unwrap();
    let later = now + TimeDelta::hours(1);
    e.claim(10, later).unwrap();
    let others: Vec<&str> = claimed
        .iter()
        .filter(|m| m.message_id != zoe.message_id)
        .map(|m| m.message_id.as_str())
        .collect();
    let mut ids = others.clone();
    ids.push(&zoe.message_id);
    let out = e.ack_many(&ids, later).unwrap();
    assert_eq!(out[2].status, AckStatus::Conflict, "{out:?}");
    // The expired leases of the others were claimed again and are acked now.
    assert!(
        out[..2].iter().all(|o| o.status == AckStatus::Acked),
        "{out:?}"
    );
    let counts = e.outbox_counts().unwrap();
    assert_eq!((counts.acked, counts.cancelled), (2, 1));
}

/// The `params` and `last_error` of the outbox row of `message_id`.
fn stored_text(path: &std::path::Path, message_id: &str) -> (String, Option<String>) {
    let c = rusqlite::Connection::open(path).unwrap();
    c.query_row(
        "SELECT params, last_error FROM outbox WHERE message_id = ?1",
        [message_id],
        |r| Ok((r.get(0)?, r.get(1)?)),
    )
    .unwrap()
}

#[test]
fn a_delivered_messages_text_is_dropped_after_the_retention_and_its_slim_row_still_answers() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("store.db");
    let e = Engine::open(&path).unwrap();
    synced(&e);
    let mut owner = User::new("owner", "Camille", "camille@example.com", UserRole::Owner);
    owner.notify = NotifyLevel::All;
    e.upsert_user(&owner).unwrap();
    let now = at(DUE);
    let invitations = e.claim(10, now).unwrap();
    let ids: Vec<&str> = invitations.iter().map(|m| m.message_id.as_str()).collect();
    e.ack_many(&ids, now).unwrap();
    // Amélie answers 3: the owner's notification carries its text in the outbox.
    let amelie = invitations
        .iter()
        .find(|m| m.customer.as_deref() == Some("amelie"))
        .unwrap();
    let token = amelie
        .survey_link
        .as_deref()
        .unwrap()
        .rsplit('/')
        .next()
        .unwrap();
    e.record_score_click(token, 3, now + TimeDelta::hours(1))
        .unwrap();
    let noon = now + TimeDelta::hours(2);
    let notices = e.claim(10, noon).unwrap();
    let notice = notices
        .iter()
        .find(|m| m.kind == MessageKind::FeedbackNotification)
        .expect("a notification");
    // A failed first attempt leaves an error on the row.
    e.fail(&notice.message_id, "mailbox busy", false, noon)
        .unwrap();
    let retry = noon + TimeDelta::hours(1);
    let again = e.claim(10, retry).unwrap();
    assert!(again.iter().any(|m| m.message_id == notice.message_id));
    e.ack(&notice.message_id, retry).unwrap();
    let (params, error) = stored_text(&path, &notice.message_id);
    assert!(params.len() > 2 && error.is_some(), "{params} {error:?}");
    let rate_before = e.response_rate(&ReportQuery::default(), retry).unwrap();

    // Kept for the retention (default 90 days)…
    e.run_due(retry + TimeDelta::days(89)).unwrap();
    assert!(stored_text(&path, &notice.message_id).0.len() > 2);
    // …then dropped by the timers, the row kept.
    let later = retry + TimeDelta::days(91);
    e.run_due(later).unwrap();
    assert_eq!(
        stored_text(&path, &notice.message_id),
        ("{}".to_owned(), None)
    );
    // A repeated ack stays idempotent; the invitation's delivery, its response rate (N5),
    // resend (F5) and explain still read what they read before.
    let out = e.ack_many(
        &[notice.message_id.as_str(), amelie.message_id.as_str()],
        later,
    );
    assert!(
        out.unwrap()
            .iter()
            .all(|o| o.status == AckStatus::AlreadyAcked)
    );
    assert_eq!(
        e.response_rate(&ReportQuery::default(), retry).unwrap(),
        rate_before
    );
    e.resend(amelie.invitation_id.unwrap(), Some("ko"), later)
        .unwrap();
    assert!(!e.explain("amelie", later).unwrap().decisions.is_empty());
}

#[test]
fn slimming_is_off_at_zero_and_never_sooner_than_30_days() {
    let e = common::open_store();
    let set = |days| {
        e.set_delivery_settings(&DeliverySettings {
            slim_delivered_after_days: days,
            ..DeliverySettings::default()
        })
    };
    assert_eq!(DeliverySettings::default().slim_delivered_after_days, 90);
    let err = set(29).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::InvalidInput);
    assert!(
        err.to_string().contains("slim_delivered_after_days"),
        "{err}"
    );
    set(0).unwrap();
    set(30).unwrap();
    assert_eq!(e.delivery_settings().unwrap().slim_delivered_after_days, 30);
}
