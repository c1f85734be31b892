//! The POS customer screen and the data subject (issue 28): D7 (contact state, cancelling
//! a customer's pending messages) and D6 (access and erasure by customer or by contact,
//! retention), on every store of the behaviour suite.

mod common;

use common::{at, batch, day, engine, paris_night, sale};
use hearken::{
    Answer, ContactPolicy, Engine, ErrorKind, MessageKind, MessageStatus, ResponseInput,
    ResponseSource, SkipReason, SurveyKind,
};

/// The morning after a Paris night of 2026-11-20: invitations are due at 10:00 Paris.
const DUE: &str = "2026-11-21T09:00:00Z";

fn night(e: &Engine, date: &str, sales: &[(&str, &str)]) {
    let customers: Vec<&str> = sales.iter().map(|s| s.1).collect();
    let txs = sales
        .iter()
        .map(|(t, c)| sale(t, Some(c), Some(&format!("{date}T10:00:00+01:00"))))
        .collect();
    e.sync(&batch("paris", date, &customers, txs), paris_night(date))
        .unwrap();
}

fn answer(e: &Engine, link: &str, score: u32, consent: bool) {
    let input = ResponseInput {
        answers: vec![Answer {
            question: "recommend".into(),
            score: Some(score),
            ..Answer::default()
        }],
        consent_to_reply: consent,
    };
    e.record_response(&common::link_token(link), &input, at(DUE))
        .unwrap();
}

#[test]
fn d7_the_screen_after_a_night_shows_the_invitation_its_message_and_the_cooldown() {
    let e = engine();
    night(&e, "2026-11-20", &[("t1", "amelie")]);
    let s = e
        .contact_state("amelie", at("2026-11-21T08:00:00Z"))
        .unwrap();
    assert_eq!(s.customer, "amelie");
    assert!(!s.erased);
    let last = s.last_invited.expect("invited last night");
    assert_eq!(last.business_date, day("2026-11-20"));
    assert_eq!(last.kind, SurveyKind::Transactional);
    assert_eq!(last.status, "pending");
    assert_eq!(last.location, "paris");
    assert!(s.last_answered.is_none());
    assert_eq!(s.pending.len(), 1);
    assert_eq!(s.pending[0].kind, MessageKind::SurveyInvitation);
    assert_eq!(s.pending[0].status, MessageStatus::Pending);
    assert_eq!(s.pending[0].due_at, at(DUE));
    assert_eq!(s.pending[0].invitation_id, Some(last.invitation_id));
    // E4: three calendar months from the batch date, at both locations (store-wide).
    assert_eq!(s.next_eligible.len(), 2, "{:?}", s.next_eligible);
    for n in &s.next_eligible {
        assert_eq!(n.kind, SurveyKind::Transactional);
        assert_eq!(n.eligible_on, Some(day("2027-02-20")), "{n:?}");
        assert_eq!(n.reason, Some(SkipReason::Cooldown));
    }
    // The screen and explain agree.
    assert_eq!(
        e.explain("amelie", at("2026-11-21T08:00:00Z"))
            .unwrap()
            .eligible_again_on,
        Some(day("2027-02-20"))
    );
    assert!(!s.subscription.unsubscribed);
    assert!(!s.subscription.email_suppressed);
    assert!(s.consent.include_in_communications);
    assert_eq!(s.consent.reply, None);
    // Claimed, the message is in flight until acked.
    let claimed = e.claim(10, at(DUE)).unwrap();
    let s = e.contact_state("amelie", at(DUE)).unwrap();
    assert_eq!(s.pending[0].status, MessageStatus::InFlight);
    e.ack(&claimed[0].message_id, at(DUE)).unwrap();
    let s = e.contact_state("amelie", at(DUE)).unwrap();
    assert!(s.pending.is_empty());
    assert_eq!(s.last_invited.unwrap().status, "delivered");
}

#[test]
fn d7_the_screen_after_an_answer_shows_the_score_and_the_reply_consent() {
    let e = engine();
    night(&e, "2026-11-20", &[("t1", "amelie"), ("t2", "bob")]);
    let msgs = common::deliver(&e, 10, at(DUE));
    for m in &msgs {
        let who = m.customer.as_deref().unwrap();
        let link = m.survey_link.as_deref().unwrap();
        answer(
            &e,
            link,
            if who == "amelie" { 9 } else { 3 },
            who == "amelie",
        );
    }
    let s = e.contact_state("amelie", at(DUE)).unwrap();
    let a = s.last_answered.expect("answered");
    assert_eq!(a.nps, Some(9));
    assert_eq!(a.source, ResponseSource::Invitation);
    assert_eq!(a.location, "paris");
    assert_eq!(a.at, at(DUE));
    assert_eq!(s.consent.reply, Some(true));
    assert_eq!(s.last_invited.unwrap().status, "delivered");
    let b = e.contact_state("bob", at(DUE)).unwrap();
    assert_eq!(b.last_answered.unwrap().nps, Some(3));
    assert_eq!(b.consent.reply, Some(false));
}

#[test]
fn d7_cancel_releases_the_cooldown_and_the_next_sync_invites_again() {
    let e = engine();
    night(&e, "2026-11-20", &[("t1", "amelie"), ("t2", "bob")]);
    let before = e.contact_state("amelie", at(DUE)).unwrap();
    let id = before.pending[0].message_id.clone();
    let report = e
        .cancel_pending("amelie", at("2026-11-21T08:00:00Z"))
        .unwrap();
    assert_eq!(report.customer, "amelie");
    assert_eq!(report.cancelled, 1);
    assert_eq!(report.message_ids, std::slice::from_ref(&id));
    assert!(report.in_flight.is_empty());
    let s = e.contact_state("amelie", at(DUE)).unwrap();
    assert!(s.pending.is_empty());
    assert_eq!(s.last_invited.unwrap().status, "cancelled");
    // E4: a cancelled invitation releases the cooldown: eligible today, no reason.
    for n in &s.next_eligible {
        assert_eq!(n.reason, None, "{n:?}");
        assert_eq!(n.eligible_on, Some(day("2026-11-21")), "{n:?}");
    }
    // Explain shows it.
    let x = e.explain("amelie", at(DUE)).unwrap();
    assert_eq!(x.eligible_again_on, None);
    assert_eq!(
        x.decisions[0].cancel_reason.as_deref(),
        Some("cancelled_by_host")
    );
    assert_eq!(x.decisions[0].cancelled_on, Some(day("2026-11-21")));
    assert!(x.lines()[0].contains("cancelled: cancelled_by_host on 2026-11-21"));
    // Nothing goes to her; bob's message still does.
    let claimed = e.claim(10, at(DUE)).unwrap();
    assert_eq!(claimed.len(), 1);
    assert_eq!(claimed[0].customer.as_deref(), Some("bob"));
    // T8: an ack of the cancelled message is a conflict and changes nothing.
    assert_eq!(e.ack(&id, at(DUE)).unwrap_err().kind(), ErrorKind::Conflict);
    // Cancelling again finds nothing (T12).
    assert_eq!(e.cancel_pending("amelie", at(DUE)).unwrap().cancelled, 0);
    // The next sync invites her again; bob stays in his cooldown.
    night(&e, "2026-11-22", &[("t3", "amelie"), ("t4", "bob")]);
    let x = e.explain("amelie", at("2026-11-23T08:00:00Z")).unwrap();
    assert!(x.decisions[0].invitation_id.is_some(), "{x:?}");
    let x = e.explain("bob", at("2026-11-23T08:00:00Z")).unwrap();
    assert_eq!(x.decisions[0].reason, Some(SkipReason::Cooldown));
}

#[test]
fn d7_cancel_leaves_a_message_the_host_holds_and_cancels_a_reminder() {
    let e = engine();
    night(&e, "2026-11-20", &[("t1", "amelie")]);
    let claimed = e.claim(10, at(DUE)).unwrap();
    assert_eq!(claimed.len(), 1);
    let mut p: ContactPolicy = e.contact_policy().unwrap();
    p.relationship_every_months = 12;
    e.set_contact_policy(&p).unwrap();
    let report = e.cancel_pending("amelie", at(DUE)).unwrap();
    assert_eq!(report.cancelled, 0);
    assert_eq!(report.in_flight, [claimed[0].message_id.clone()]);
    // The host delivered it: the ack records it (T8).
    e.ack(&claimed[0].message_id, at(DUE)).unwrap();
    let s = e.contact_state("amelie", at(DUE)).unwrap();
    assert_eq!(s.last_invited.as_ref().unwrap().status, "delivered");
    // The relationship survey has its own line.
    let rel = s
        .next_eligible
        .iter()
        .find(|n| n.kind == SurveyKind::Relationship)
        .expect("relationship surveys are on");
    assert_eq!(rel.location, None);
    // A resend of the delivered invitation is cancelled; the invitation stays delivered,
    // so the cooldown holds (E4).
    e.resend(s.last_invited.unwrap().invitation_id, None, at(DUE))
        .unwrap();
    let report = e.cancel_pending("amelie", at(DUE)).unwrap();
    assert_eq!(report.cancelled, 1);
    let s = e.contact_state("amelie", at(DUE)).unwrap();
    assert!(s.pending.is_empty());
    assert_eq!(s.last_invited.unwrap().status, "delivered");
    let paris = &s.next_eligible[0];
    assert_eq!(paris.reason, Some(SkipReason::Cooldown));
}

#[test]
fn d7_an_unsubscribed_or_erased_customer_has_no_next_date_and_an_unknown_one_is_not_found() {
    let e = engine();
    night(&e, "2026-11-20", &[("t1", "amelie"), ("t2", "bob")]);
    e.unsubscribe_contact("amelie@example.com", at(DUE))
        .unwrap();
    let s = e.contact_state("amelie", at(DUE)).unwrap();
    assert!(s.subscription.unsubscribed);
    assert!(s.subscription.email_suppressed);
    assert!(!s.subscription.phone_suppressed);
    assert_eq!(s.subscription.unsubscribed_since, Some(at(DUE)));
    for n in &s.next_eligible {
        assert_eq!(
            (n.eligible_on, n.reason),
            (None, Some(SkipReason::Unsubscribed))
        );
    }
    e.erase_customer("bob", at(DUE)).unwrap();
    let s = e.contact_state("bob", at(DUE)).unwrap();
    assert!(s.erased);
    assert!(s.pending.is_empty());
    assert!(!s.consent.include_in_communications);
    for n in &s.next_eligible {
        assert_eq!(n.eligible_on, None);
        assert!(n.reason.is_some());
    }
    for err in [
        e.contact_state("nobody", at(DUE)).unwrap_err(),
        e.cancel_pending("nobody", at(DUE)).unwrap_err(),
    ] {
        assert_eq!(err.kind(), ErrorKind::NotFound);
    }
}

/// The rows of one table of an export.
fn rows<'a>(export: &'a serde_json::Value, table: &str) -> &'a Vec<serde_json::Value> {
    export["tables"][table]
        .as_array()
        .unwrap_or_else(|| panic!("no table {table} in {export}"))
}

#[test]
fn d6_an_export_holds_every_row_of_the_customer_and_nothing_of_another() {
    let e = engine();
    night(&e, "2026-11-20", &[("t1", "amelie"), ("t2", "bob")]);
    for m in common::deliver(&e, 10, at(DUE)) {
        let who = m.customer.clone().unwrap();
        let input = ResponseInput {
            answers: vec![
                Answer {
                    question: "recommend".into(),
                    score: Some(if who == "amelie" { 2 } else { 10 }),
                    ..Answer::default()
                },
                Answer {
                    question: "comment".into(),
                    text: Some(format!("comment of {who}-secret")),
                    ..Answer::default()
                },
            ],
            consent_to_reply: true,
        };
        e.record_response(
            &common::link_token(m.survey_link.as_deref().unwrap()),
            &input,
            at(DUE),
        )
        .unwrap();
    }
    e.unsubscribe_customer("amelie", at(DUE)).unwrap();
    let x = e.customer_export("amelie").unwrap();
    assert_eq!(x["format"], 1);
    assert_eq!(x["customer"], "amelie");
    assert_eq!(x["erased"], false);
    assert_eq!(
        x["contacts"],
        serde_json::json!([{"kind": "email", "value": "amelie@example.com"}])
    );
    assert_eq!(rows(&x, "customers").len(), 1);
    assert_eq!(rows(&x, "customers")[0]["email"], "amelie@example.com");
    assert_eq!(rows(&x, "transactions")[0]["host_id"], "t1");
    assert_eq!(rows(&x, "decisions").len(), 1);
    assert_eq!(rows(&x, "invitations").len(), 1);
    assert_eq!(rows(&x, "outbox")[0]["status"], "acked");
    assert!(!rows(&x, "link_tokens").is_empty());
    assert_eq!(rows(&x, "responses")[0]["nps"], 2);
    assert!(
        rows(&x, "thread_comments")
            .iter()
            .any(|c| c["body"] == "comment of amelie-secret")
    );
    assert_eq!(rows(&x, "alerts").len(), 1, "the unhappy customer's alert");
    assert_eq!(rows(&x, "suppressions")[0]["value"], "amelie");
    // Nothing of bob.
    let text = x.to_string();
    assert!(!text.contains("bob"), "{text}");
    assert!(!text.contains("t2"), "{text}");
    // Bob's own export is his alone, and the same call shape.
    let b = e.customer_export("bob").unwrap();
    assert!(!b.to_string().contains("amelie"));
    assert_eq!(rows(&b, "alerts").len(), 0);
    // After erasure the export shows what stays: the scores, the host id, no contact.
    e.erase_customer("amelie", at(DUE)).unwrap();
    let x = e.customer_export("amelie").unwrap();
    assert_eq!(x["erased"], true);
    assert_eq!(x["contacts"], serde_json::json!([]));
    assert_eq!(rows(&x, "responses")[0]["nps"], 2);
    assert!(!x.to_string().contains("amelie@example.com"));
    assert!(!x.to_string().contains("amelie-secret"));
}

#[test]
#[allow(deprecated)]
fn d6_retention_erases_only_inactive_customers_at_most_50_a_run_and_keeps_the_scores() {
    let e = engine();
    // 60 customers bought and answered in January 2025; two more buy in November 2026.
    let old: Vec<(String, String)> = (0..60)
        .map(|i| (format!("t-old-{i:02}"), format!("old-{i:02}")))
        .collect();
    let old_refs: Vec<(&str, &str)> = old.iter().map(|(t, c)| (t.as_str(), c.as_str())).collect();
    night(&e, "2025-01-10", &old_refs);
    for m in common::deliver(&e, 100, at("2025-01-11T09:00:00Z")) {
        let input = ResponseInput {
            answers: vec![Answer {
                question: "recommend".into(),
                score: Some(9),
                ..Answer::default()
            }],
            consent_to_reply: false,
        };
        e.record_response(
            &common::link_token(m.survey_link.as_deref().unwrap()),
            &input,
            at("2025-01-11T09:00:00Z"),
        )
        .unwrap();
    }
    night(&e, "2026-11-20", &[("t-new", "new"), ("t-back", "old-59")]);
    let nps_before = e.nps(&hearken::ScoreQuery::default()).unwrap();
    // Off by default: nothing is erased.
    assert_eq!(e.run_due(at(DUE)).unwrap().erased, 0);
    let mut d = e.delivery_settings().unwrap();
    d.retention_months = Some(12);
    e.set_delivery_settings(&d).unwrap();
    assert_eq!(e.delivery_settings().unwrap().retention_months, Some(12));
    // At most 50 a run, oldest first; old-59 came back, so 59 are inactive.
    assert_eq!(e.run_due(at(DUE)).unwrap().erased, 50);
    assert!(e.contact_state("old-00", at(DUE)).unwrap().erased);
    assert!(!e.contact_state("old-55", at(DUE)).unwrap().erased);
    assert_eq!(e.run_due(at(DUE)).unwrap().erased, 9);
    assert_eq!(e.run_due(at(DUE)).unwrap().erased, 0);
    for id in ["old-00", "old-49", "old-50", "old-58"] {
        assert!(e.contact_state(id, at(DUE)).unwrap().erased, "{id}");
    }
    for id in ["old-59", "new"] {
        assert!(!e.contact_state(id, at(DUE)).unwrap().erased, "{id}");
    }
    // Aggregates kept: NPS does not move.
    assert_eq!(e.nps(&hearken::ScoreQuery::default()).unwrap(), nps_before);
}

/// D6, D7, F4: a customer's transactions are found in every month they were first seen in
/// (the SQLite store indexes them by customer within their month, schema 18): explain's
/// decisions, the access export, the customer list of a user limited to some locations and
/// the retention sweep see old months' sales as well as last night's.
#[test]
#[allow(deprecated)]
fn d6_d7_f4_a_customers_sales_of_every_month_are_found() {
    use hearken::{CustomerQuery, User, UserRole};
    let e = engine();
    night(&e, "2025-01-10", &[("t-a1", "amelie")]);
    night(&e, "2025-03-12", &[("t-a2", "amelie"), ("t-b1", "bob")]);
    // Carol buys only in Seoul.
    let seoul = batch(
        "seoul",
        "2025-06-02",
        &["carol"],
        vec![sale(
            "t-c1",
            Some("carol"),
            Some("2025-06-02T10:00:00+09:00"),
        )],
    );
    e.sync(&seoul, at("2025-06-02T14:00:00Z")).unwrap();
    night(&e, "2026-11-20", &[("t-a3", "amelie")]);

    let x = e.explain("amelie", at(DUE)).unwrap();
    let decided: Vec<&str> = x.decisions.iter().map(|d| d.transaction.as_str()).collect();
    assert_eq!(
        decided,
        ["t-a3", "t-a2", "t-a1"],
        "newest first, every month"
    );
    let export = e.customer_export("amelie").unwrap();
    let sold: Vec<&str> = rows(&export, "transactions")
        .iter()
        .map(|t| t["host_id"].as_str().unwrap())
        .collect();
    assert_eq!(sold, ["t-a1", "t-a2", "t-a3"]);
    assert_eq!(rows(&export, "decisions").len(), 3);

    // F4: a user sees the customers who bought at their locations, whenever they did.
    for (user, location) in [("pat", "paris"), ("kim", "seoul")] {
        e.upsert_user(&User {
            locations: vec![location.into()],
            ..User::new(
                user,
                user,
                &format!("{user}@example.com"),
                UserRole::Manager,
            )
        })
        .unwrap();
    }
    let seen_by = |user: &str| {
        let page = e
            .customers(&CustomerQuery {
                user: Some(user.into()),
                ..CustomerQuery::default()
            })
            .unwrap();
        let ids: Vec<String> = page.items.iter().map(|c| c.customer.clone()).collect();
        (page.total, ids)
    };
    assert_eq!(seen_by("pat"), (2, vec!["amelie".into(), "bob".into()]));
    assert_eq!(seen_by("kim"), (1, vec!["carol".into()]));

    // D6: with twelve months' retention, bob (March 2025) and carol (June 2025) are
    // inactive; amelie bought last night.
    let mut d = e.delivery_settings().unwrap();
    d.retention_months = Some(12);
    e.set_delivery_settings(&d).unwrap();
    assert_eq!(e.run_due(at(DUE)).unwrap().erased, 2);
    assert!(!e.contact_state("amelie", at(DUE)).unwrap().erased);
    for id in ["bob", "carol"] {
        assert!(e.contact_state(id, at(DUE)).unwrap().erased, "{id}");
    }
}
