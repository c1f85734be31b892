//! Alerts and follow-up (issue 7): A1–A5 and F2 through the public API.

// Engine::nps and Engine::ratings are deprecated (Engine::scores reads the rollups), but
// they must keep working: these tests hold them to it.
#![allow(deprecated)]

mod common;

use chrono::TimeDelta;
use common::{at, batch, paris_night, sale};
use hearken::{
    AlertKind, AlertQuery, AlertSettings, AlertStatus, Answer, Author, CommentKind, CustomerEmail,
    Engine, ErrorKind, ExternalReview, FeedbackInput, InteractionInput, InteractionMethod,
    Location, MessageKind, NotifyLevel, ReplyInput, ResponseInput, Sentiment, User, UserRole,
};

const DUE: &str = "2026-11-21T09:00:00Z";

fn engine() -> Engine {
    let e = common::open_store();
    e.upsert_location(&Location::new("paris", "Boutique Paris", "Europe/Paris"))
        .unwrap();
    e.upsert_location(&Location::new("lyon", "Boutique Lyon", "Europe/Paris"))
        .unwrap();
    e.upsert_user(&User::new(
        "amelie",
        "Amélie d'Orléans",
        "amelie@store.example",
        UserRole::Manager,
    ))
    .unwrap();
    e.upsert_user(&User::new(
        "minjun",
        "김민준",
        "minjun@store.example",
        UserRole::Staff,
    ))
    .unwrap();
    e.upsert_user(&User::new(
        "owner",
        "Claire Owner",
        "owner@store.example",
        UserRole::Owner,
    ))
    .unwrap();
    e
}

/// Invites `customers` in Paris, delivers every message, returns (customer, token).
fn invited(e: &Engine, customers: &[&str]) -> Vec<(String, String)> {
    let sales = customers
        .iter()
        .map(|c| {
            sale(
                &format!("t-{c}"),
                Some(c),
                Some("2026-11-20T10:00:00+01:00"),
            )
        })
        .collect();
    e.sync(
        &batch("paris", "2026-11-20", customers, sales),
        paris_night("2026-11-20"),
    )
    .unwrap();
    let mut out = Vec::new();
    for m in common::deliver(e, 100, at(DUE)) {
        let token = common::link_token(&m.survey_link.unwrap());
        out.push((m.customer.unwrap(), token));
    }
    out.sort();
    out
}

fn token<'a>(links: &'a [(String, String)], who: &str) -> &'a str {
    &links.iter().find(|l| l.0 == who).unwrap().1
}

fn answer(score: u32, comment: Option<&str>, consent: bool) -> ResponseInput {
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
        consent_to_reply: consent,
    }
}

fn phone_call(user: &str) -> InteractionInput {
    InteractionInput {
        method: InteractionMethod::Phone,
        note: "Called back, offered a free repair".into(),
        user: user.into(),
    }
}

#[test]
fn a1_one_assignee_per_kind_and_location_with_a_store_wide_default() {
    let e = engine();
    assert_eq!(
        e.assignee(AlertKind::UnhappyCustomer, "paris").unwrap(),
        None
    );
    e.assign_alerts(AlertKind::UnhappyCustomer, None, "amelie")
        .unwrap();
    // The store-wide default covers a location without its own assignee.
    assert_eq!(
        e.assignee(AlertKind::UnhappyCustomer, "lyon")
            .unwrap()
            .unwrap()
            .id,
        "amelie"
    );
    e.assign_alerts(AlertKind::UnhappyCustomer, Some("paris"), "amelie")
        .unwrap();
    // Setting another user replaces, never adds.
    e.assign_alerts(AlertKind::UnhappyCustomer, Some("paris"), "minjun")
        .unwrap();
    let paris: Vec<_> = e
        .assignments()
        .unwrap()
        .into_iter()
        .filter(|a| a.kind == AlertKind::UnhappyCustomer && a.location.as_deref() == Some("paris"))
        .collect();
    assert_eq!(paris.len(), 1);
    assert_eq!(paris[0].user, "minjun");
    // Each kind has its own assignee.
    assert_eq!(e.assignee(AlertKind::SyncGap, "paris").unwrap(), None);

    // An unhappy customer raises an alert assigned to that user.
    let links = invited(&e, &["a", "b"]);
    let out = e
        .record_response(
            token(&links, "a"),
            &answer(2, Some("Rude staff"), false),
            at(DUE),
        )
        .unwrap();
    let id = out.alert_id.expect("an unhappy answer raises an alert");
    let alert = e.alert(id).unwrap();
    assert_eq!(alert.kind, AlertKind::UnhappyCustomer);
    assert_eq!(alert.assignee.as_deref(), Some("minjun"));
    assert_eq!(alert.customer.as_deref(), Some("a"));
    assert_eq!(alert.comment.as_deref(), Some("Rude staff"));
    assert_eq!(alert.status, AlertStatus::Open);
    // A promoter raises none.
    let happy = e
        .record_response(token(&links, "b"), &answer(10, None, false), at(DUE))
        .unwrap();
    assert_eq!(happy.alert_id, None);
    // Unknown users and locations are refused by name.
    assert_eq!(
        e.assign_alerts(AlertKind::SyncGap, Some("nowhere"), "amelie")
            .unwrap_err()
            .kind(),
        ErrorKind::NotFound
    );
    assert_eq!(
        e.assign_alerts(AlertKind::SyncGap, None, "nobody")
            .unwrap_err()
            .kind(),
        ErrorKind::NotFound
    );
}

#[test]
fn a1_a_shared_mailbox_is_a_user_like_any_other_and_users_take_any_unicode() {
    let e = engine();
    let mut mailbox = User::new(
        "care",
        "Service client",
        "care@store.example",
        UserRole::Staff,
    );
    mailbox.locations = vec!["paris".into()];
    e.upsert_user(&mailbox).unwrap();
    e.assign_alerts(AlertKind::NegativeFeedback, Some("paris"), "care")
        .unwrap();
    assert_eq!(e.user("care").unwrap().locations, ["paris"]);
    assert_eq!(e.user("minjun").unwrap().name, "김민준");
    assert_eq!(e.user("amelie").unwrap().name, "Amélie d'Orléans");
    let mut bad = User::new("x", " ", "not-an-email", UserRole::Staff);
    bad.locations = vec!["nowhere".into()];
    let err = e.upsert_user(&bad).unwrap_err();
    let fields: Vec<_> = err.problems().iter().map(|p| p.field.as_str()).collect();
    assert_eq!(fields, ["name", "email", "locations[0]"]);
    // A user holding an assignment cannot be removed until it is given to someone else.
    assert_eq!(
        e.remove_user("care").unwrap_err().kind(),
        ErrorKind::Conflict
    );
    e.unassign_alerts(AlertKind::NegativeFeedback, Some("paris"))
        .unwrap();
    e.remove_user("care").unwrap();
    assert_eq!(e.user("care").unwrap_err().kind(), ErrorKind::NotFound);
}

#[test]
fn a2_assignee_who_chose_none_still_has_the_alert_on_the_dashboard() {
    let e = engine();
    // minjun is assigned but chose no notifications (the default).
    e.assign_alerts(AlertKind::UnhappyCustomer, Some("paris"), "minjun")
        .unwrap();
    let links = invited(&e, &["a"]);
    let out = e
        .record_response(
            token(&links, "a"),
            &answer(1, Some("Never again"), false),
            at(DUE),
        )
        .unwrap();
    let dashboard = e.alerts(&AlertQuery::default()).unwrap();
    assert_eq!(dashboard.len(), 1);
    assert_eq!(dashboard[0].id, out.alert_id.unwrap());
    assert_eq!(dashboard[0].assignee.as_deref(), Some("minjun"));
    let mine = e
        .alerts(&AlertQuery {
            assignee: Some("minjun".into()),
            ..AlertQuery::default()
        })
        .unwrap();
    assert_eq!(mine.len(), 1);
    // Nobody subscribed, so nothing went to the outbox for staff.
    let staff: Vec<_> = e
        .claim(100, at(DUE))
        .unwrap()
        .into_iter()
        .filter(|m| m.kind == MessageKind::FeedbackNotification)
        .collect();
    assert!(staff.is_empty());
}

#[test]
fn a2_notifications_all_or_negative_for_all_locations_or_a_subset() {
    let e = engine();
    let mut all = e.user("amelie").unwrap();
    all.notify = NotifyLevel::All;
    e.upsert_user(&all).unwrap();
    let mut negative = e.user("minjun").unwrap();
    negative.notify = NotifyLevel::Negative;
    negative.language = Some("ko".into());
    e.upsert_user(&negative).unwrap();
    let mut lyon_only = e.user("owner").unwrap();
    lyon_only.notify = NotifyLevel::All;
    lyon_only.notify_locations = vec!["lyon".into()];
    e.upsert_user(&lyon_only).unwrap();

    let links = invited(&e, &["a", "b"]);
    e.record_response(
        token(&links, "a"),
        &answer(9, Some("Great"), false),
        at(DUE),
    )
    .unwrap();
    e.record_response(token(&links, "b"), &answer(4, Some("Slow"), false), at(DUE))
        .unwrap();
    let notes: Vec<_> = e
        .claim(100, at(DUE))
        .unwrap()
        .into_iter()
        .filter(|m| m.kind == MessageKind::FeedbackNotification)
        .collect();
    let to = |u: &str| {
        notes
            .iter()
            .filter(|m| m.user.as_deref() == Some(u))
            .count()
    };
    assert_eq!(to("amelie"), 2, "all feedback");
    assert_eq!(to("minjun"), 1, "negative only");
    assert_eq!(to("owner"), 0, "subscribed to Lyon only");
    let ko = notes
        .iter()
        .find(|m| m.user.as_deref() == Some("minjun"))
        .unwrap();
    assert_eq!(ko.recipient, "minjun@store.example");
    assert_eq!(ko.customer, None);
    assert!(ko.subject.starts_with("불만 고객"), "{}", ko.subject);
    assert!(ko.body.contains("Slow"));
    // Turning notifications off loses no feedback: both answers are still counted.
    let s = e.nps(&Default::default()).unwrap();
    assert_eq!((s.promoters, s.detractors), (1, 1));
    // Negative e-receipt feedback notifies too and raises its own kind of alert.
    e.record_feedback(
        &FeedbackInput {
            location: "paris".into(),
            transaction: None,
            customer: None,
            sentiment: Sentiment::Negative,
            facets: vec![],
            comment: Some("Cold coffee".into()),
            consent_to_reply: false,
        },
        at(DUE),
    )
    .unwrap();
    let kinds: Vec<_> = e
        .alerts(&AlertQuery::default())
        .unwrap()
        .into_iter()
        .map(|a| a.kind)
        .collect();
    assert!(kinds.contains(&AlertKind::NegativeFeedback));
}

#[test]
fn a3_done_requires_an_interaction_alerts_can_be_delegated_and_never_dismissed() {
    let e = engine();
    e.assign_alerts(AlertKind::UnhappyCustomer, None, "amelie")
        .unwrap();
    let links = invited(&e, &["a"]);
    let id = e
        .record_response(
            token(&links, "a"),
            &answer(3, Some("Long wait"), true),
            at(DUE),
        )
        .unwrap()
        .alert_id
        .unwrap();
    let err = e
        .set_alert_status(id, AlertStatus::Done, at(DUE))
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Conflict);
    assert!(err.to_string().contains("interaction"), "{err}");
    // Delegated to minjun, who calls the customer.
    e.reassign_alert(id, "minjun", at(DUE)).unwrap();
    assert_eq!(e.alert(id).unwrap().assignee.as_deref(), Some("minjun"));
    let later = at(DUE) + TimeDelta::hours(2);
    e.record_interaction(id, &phone_call("minjun"), later)
        .unwrap();
    assert_eq!(e.alert(id).unwrap().status, AlertStatus::InProgress);
    let list = e.interactions(id).unwrap();
    assert_eq!(list.len(), 1);
    assert_eq!(list[0].method, InteractionMethod::Phone);
    assert_eq!(list[0].user.as_deref(), Some("minjun"));
    assert_eq!(list[0].at, later);
    e.set_alert_status(id, AlertStatus::Done, later).unwrap();
    let done = e.alert(id).unwrap();
    assert_eq!(done.status, AlertStatus::Done);
    assert_eq!(done.closed_at, Some(later));
    // Done is final, and it leaves the dashboard but not the history.
    assert_eq!(
        e.set_alert_status(id, AlertStatus::InProgress, later)
            .unwrap_err()
            .kind(),
        ErrorKind::Conflict
    );
    assert!(e.alerts(&AlertQuery::default()).unwrap().is_empty());
    let history = e
        .alerts(&AlertQuery {
            statuses: vec![AlertStatus::Done],
            ..AlertQuery::default()
        })
        .unwrap();
    assert_eq!(history.len(), 1);
    // An interaction needs a note and a known user.
    let mut empty = phone_call("minjun");
    empty.note = "  ".into();
    assert_eq!(
        e.record_interaction(id, &empty, later)
            .unwrap_err()
            .problems()[0]
            .field,
        "note"
    );
    assert_eq!(
        e.record_interaction(id, &phone_call("ghost"), later)
            .unwrap_err()
            .kind(),
        ErrorKind::NotFound
    );
}

#[test]
fn a3_dashboard_email_carries_a_tracking_reply_address_whose_replies_are_logged() {
    let e = engine();
    e.set_alert_settings(&AlertSettings {
        reply_domain: "reply.boutique.example".into(),
        ..AlertSettings::default()
    })
    .unwrap();
    let links = invited(&e, &["a"]);
    let out = e
        .record_response(
            token(&links, "a"),
            &answer(2, Some("Broken zip"), false),
            at(DUE),
        )
        .unwrap();
    let id = out.alert_id.unwrap();
    let message_id = e
        .email_customer(
            id,
            &CustomerEmail {
                user: "amelie".into(),
                subject: "Votre fermeture éclair".into(),
                body: "Nous sommes désolés, passez en boutique.".into(),
            },
            at(DUE),
        )
        .unwrap();
    let m = e
        .claim(100, at(DUE))
        .unwrap()
        .into_iter()
        .find(|m| m.message_id == message_id)
        .unwrap();
    assert_eq!(m.kind, MessageKind::CustomerReply);
    assert_eq!(m.recipient, "a@example.com");
    assert_eq!(m.alert_id, Some(id));
    let reply_to = m.reply_to.clone().unwrap();
    assert!(reply_to.starts_with("reply+") && reply_to.ends_with("@reply.boutique.example"));
    e.ack(&m.message_id, at(DUE)).unwrap();
    // The customer answers; the host's mail server hands the reply to hearken.
    let inbound = e
        .record_inbound_reply(
            &format!("Amélie <{reply_to}>"),
            "Merci, je passe samedi.",
            at(DUE) + TimeDelta::hours(1),
        )
        .unwrap();
    assert_eq!(inbound.alert_id, Some(id));
    assert_eq!(inbound.response_id, out.response_id);
    let log = e.interactions(id).unwrap();
    assert_eq!(log.len(), 2);
    assert_eq!(
        (log[0].method, log[0].author),
        (InteractionMethod::Email, Author::Business)
    );
    assert_eq!(log[1].author, Author::Customer);
    assert_eq!(log[1].note, "Merci, je passe samedi.");
    let thread = e.thread(out.response_id).unwrap();
    let authors: Vec<_> = thread.iter().map(|c| (c.author, c.kind)).collect();
    assert_eq!(
        authors,
        [
            (Author::Customer, CommentKind::Comment),
            (Author::Business, CommentKind::Reply),
            (Author::Customer, CommentKind::Comment)
        ]
    );
    // An unknown reply address is not found; a malformed one is invalid.
    assert_eq!(
        e.record_inbound_reply(
            "reply+00000000000000000000000000000000@x.example",
            "hi",
            at(DUE)
        )
        .unwrap_err()
        .kind(),
        ErrorKind::NotFound
    );
    assert_eq!(
        e.record_inbound_reply("someone@example.com", "hi", at(DUE))
            .unwrap_err()
            .kind(),
        ErrorKind::InvalidInput
    );
}

#[test]
fn a3_at_risk_customers_and_escalation_to_the_owner() {
    let e = engine();
    e.set_alert_settings(&AlertSettings {
        escalate_after_hours: 24,
        ..AlertSettings::default()
    })
    .unwrap();
    let links = invited(&e, &["a", "b"]);
    let id = e
        .record_response(
            token(&links, "a"),
            &answer(0, Some("Awful"), false),
            at(DUE),
        )
        .unwrap()
        .alert_id
        .unwrap();
    e.record_response(token(&links, "b"), &answer(8, None, false), at(DUE))
        .unwrap();
    let risk = e.at_risk_customers(None).unwrap();
    assert_eq!(risk.len(), 1);
    assert_eq!(risk[0].customer, "a");
    assert_eq!(risk[0].email.as_deref(), Some("a@example.com"));
    assert_eq!(risk[0].last_comment.as_deref(), Some("Awful"));
    assert_eq!(risk[0].open_alert, Some(id));
    // Not yet: 23 hours.
    let early = e.claim(100, at(DUE) + TimeDelta::hours(23)).unwrap();
    assert!(early.iter().all(|m| m.kind != MessageKind::AlertEscalation));
    let late = e.claim(100, at(DUE) + TimeDelta::hours(25)).unwrap();
    let esc: Vec<_> = late
        .iter()
        .filter(|m| m.kind == MessageKind::AlertEscalation)
        .collect();
    assert_eq!(esc.len(), 1, "the one owner covering Paris");
    assert_eq!(esc[0].user.as_deref(), Some("owner"));
    assert_eq!(esc[0].alert_id, Some(id));
    assert!(e.alert(id).unwrap().escalated_at.is_some());
    for m in &late {
        e.ack(&m.message_id, at(DUE) + TimeDelta::hours(25))
            .unwrap();
    }
    // Once only.
    let again = e.claim(100, at(DUE) + TimeDelta::hours(50)).unwrap();
    assert!(again.iter().all(|m| m.kind != MessageKind::AlertEscalation));
}

#[test]
fn a4_post_intervention_survey_after_done_and_refused_for_an_anonymous_response() {
    let e = engine();
    let links = invited(&e, &["a"]);
    let id = e
        .record_response(
            token(&links, "a"),
            &answer(4, Some("Too slow"), false),
            at(DUE),
        )
        .unwrap()
        .alert_id
        .unwrap();
    assert_eq!(
        e.send_follow_up(id, at(DUE)).unwrap_err().kind(),
        ErrorKind::Conflict,
        "only once the case is done"
    );
    e.record_interaction(id, &phone_call("amelie"), at(DUE))
        .unwrap();
    e.set_alert_status(id, AlertStatus::Done, at(DUE)).unwrap();
    let message_id = e.send_follow_up(id, at(DUE)).unwrap();
    assert_eq!(
        e.send_follow_up(id, at(DUE)).unwrap_err().kind(),
        ErrorKind::Conflict
    );
    let m = e
        .claim(100, at(DUE))
        .unwrap()
        .into_iter()
        .find(|m| m.message_id == message_id)
        .unwrap();
    assert_eq!(m.kind, MessageKind::FollowUpSurvey);
    assert_eq!(m.customer.as_deref(), Some("a"));
    let link = m.survey_link.clone().unwrap();
    assert!(m.body.contains(&link));
    // The customer answers the follow-up: kept on the alert, not in the store's NPS.
    let before = e.nps(&Default::default()).unwrap();
    let token = link.rsplit('/').next().unwrap();
    let out = e
        .record_response(
            token,
            &answer(9, Some("Thanks for calling"), false),
            at(DUE),
        )
        .unwrap();
    assert_eq!(out.alert_id, Some(id));
    assert_eq!(e.nps(&Default::default()).unwrap(), before);
    let log = e.interactions(id).unwrap();
    assert!(
        log.last().unwrap().note.contains("9.0/10"),
        "{:?}",
        log.last()
    );
    assert_eq!(
        e.record_response(token, &answer(9, None, false), at(DUE))
            .unwrap_err()
            .kind(),
        ErrorKind::Conflict
    );

    // An anonymous receipt response: the engine says why it cannot send.
    let receipt = e.mint_receipt_link("paris", None, at(DUE)).unwrap();
    let anon = e
        .record_response(
            receipt.url.rsplit('/').next().unwrap(),
            &answer(2, None, false),
            at(DUE),
        )
        .unwrap()
        .alert_id
        .unwrap();
    e.record_interaction(anon, &phone_call("amelie"), at(DUE))
        .unwrap();
    e.set_alert_status(anon, AlertStatus::Done, at(DUE))
        .unwrap();
    let err = e.send_follow_up(anon, at(DUE)).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Conflict);
    assert!(err.to_string().contains("anonymous"), "{err}");
}

#[test]
fn a5_unanswered_reviews_alert_clears_only_when_every_review_has_a_reply() {
    let e = engine();
    e.assign_alerts(AlertKind::UnansweredReviews, Some("paris"), "amelie")
        .unwrap();
    let review = |id: &str, replied: Option<&str>| ExternalReview {
        id: id.into(),
        location: "paris".into(),
        site: "google".into(),
        rating: Some(2),
        posted_at: at("2026-11-20T12:00:00Z"),
        replied_at: replied.map(at),
    };
    assert_eq!(e.report_review(&review("g1", None), at(DUE)).unwrap(), 1);
    assert_eq!(e.report_review(&review("g2", None), at(DUE)).unwrap(), 2);
    let open = e
        .alerts(&AlertQuery {
            kind: Some(AlertKind::UnansweredReviews),
            ..AlertQuery::default()
        })
        .unwrap();
    assert_eq!(open.len(), 1, "one alert per location, not per review");
    assert_eq!(open[0].assignee.as_deref(), Some("amelie"));
    assert!(open[0].detail.contains('2'));
    let id = open[0].id;
    // One reply: still open.
    assert_eq!(
        e.report_review(&review("g1", Some("2026-11-21T08:00:00Z")), at(DUE))
            .unwrap(),
        1
    );
    assert_eq!(e.alert(id).unwrap().status, AlertStatus::Open);
    // Every review replied: it clears by itself.
    assert_eq!(
        e.report_review(&review("g2", Some("2026-11-21T08:30:00Z")), at(DUE))
            .unwrap(),
        0
    );
    let cleared = e.alert(id).unwrap();
    assert_eq!(cleared.status, AlertStatus::Done);
    assert_eq!(e.interactions(id).unwrap()[0].author, Author::System);
    // A later unanswered review raises a new one.
    e.report_review(&review("g3", None), at(DUE)).unwrap();
    let again = e
        .alerts(&AlertQuery {
            kind: Some(AlertKind::UnansweredReviews),
            ..AlertQuery::default()
        })
        .unwrap();
    assert_eq!(again.len(), 1);
    assert_ne!(again[0].id, id);
    assert_eq!(
        e.report_review(&review("g4", None), at("2026-11-19T00:00:00Z"))
            .map(|_| ())
            .and_then(|_| e.report_review(
                &ExternalReview {
                    rating: Some(11),
                    ..review("g5", None)
                },
                at(DUE)
            ))
            .unwrap_err()
            .problems()[0]
            .field,
        "rating"
    );
}

#[test]
fn f2_replies_rewards_and_refunds_only_with_consent_and_through_the_outbox() {
    let e = engine();
    let links = invited(&e, &["a", "b"]);
    let consented = e
        .record_response(
            token(&links, "a"),
            &answer(5, Some("Item broke"), true),
            at(DUE),
        )
        .unwrap();
    let silent = e
        .record_response(token(&links, "b"), &answer(5, Some("Meh"), false), at(DUE))
        .unwrap();
    let refund = ReplyInput {
        user: "amelie".into(),
        kind: CommentKind::Refund,
        body: "We refunded the item.".into(),
        coupon_code: None,
        amount_minor: Some(2590),
        currency: Some("EUR".into()),
    };
    let err = e.reply(silent.response_id, &refund, at(DUE)).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Conflict);
    assert!(err.to_string().contains("agree"), "{err}");
    assert_eq!(e.thread(silent.response_id).unwrap().len(), 1);

    let comment = e.reply(consented.response_id, &refund, at(DUE)).unwrap();
    let reward = ReplyInput {
        kind: CommentKind::Reward,
        body: "A coupon for your next visit.".into(),
        coupon_code: Some("SORRY-10".into()),
        amount_minor: None,
        currency: None,
        ..refund.clone()
    };
    e.reply(consented.response_id, &reward, at(DUE)).unwrap();
    let thread = e.thread(consented.response_id).unwrap();
    assert_eq!(thread.len(), 3);
    assert_eq!(thread[0].body, "Item broke");
    assert_eq!(thread[1].id, comment);
    assert_eq!(thread[1].amount_minor, Some(2590));
    assert_eq!(thread[1].user.as_deref(), Some("amelie"));
    assert_eq!(thread[2].coupon_code.as_deref(), Some("SORRY-10"));
    assert!(
        thread
            .iter()
            .all(|c| c.response_id == consented.response_id)
    );
    // Both went out through the outbox with a tracking Reply-To.
    let replies: Vec<_> = e
        .claim(100, at(DUE))
        .unwrap()
        .into_iter()
        .filter(|m| m.kind == MessageKind::CustomerReply)
        .collect();
    assert_eq!(replies.len(), 2);
    assert!(replies.iter().any(|m| m.body.contains("25.90 EUR")));
    assert!(replies.iter().any(|m| m.body.contains("SORRY-10")));
    // The customer's answer comes back into the same thread.
    let back = e
        .record_inbound_reply(
            replies[0].reply_to.as_deref().unwrap(),
            "Thank you!",
            at(DUE),
        )
        .unwrap();
    assert_eq!(back.response_id, consented.response_id);
    assert_eq!(e.thread(consented.response_id).unwrap().len(), 4);
    // A reward needs its coupon code; a business cannot post a customer comment.
    let mut bad = reward.clone();
    bad.coupon_code = None;
    assert_eq!(
        e.reply(consented.response_id, &bad, at(DUE))
            .unwrap_err()
            .problems()[0]
            .field,
        "coupon_code"
    );
    assert_eq!(
        e.reply(999, &reward, at(DUE)).unwrap_err().kind(),
        ErrorKind::NotFound
    );
}

#[test]
fn s2_a_sync_gap_raises_an_alert_that_a_backfill_clears() {
    let e = engine();
    e.sync(
        &batch("paris", "2026-11-17", &[], vec![]),
        paris_night("2026-11-17"),
    )
    .unwrap();
    // Nights of the 18th to the 20th were missed; the 21st syncs.
    let report = e
        .sync(
            &batch("paris", "2026-11-21", &[], vec![]),
            paris_night("2026-11-21"),
        )
        .unwrap();
    assert!(!report.missing_dates.is_empty());
    let gap = e
        .alerts(&AlertQuery {
            kind: Some(AlertKind::SyncGap),
            ..AlertQuery::default()
        })
        .unwrap();
    assert_eq!(gap.len(), 1);
    assert!(gap[0].detail.contains("2026-11-18"), "{}", gap[0].detail);
    let mut lines = String::new();
    for d in &report.missing_dates {
        let b = batch("paris", &d.to_string(), &[], vec![]);
        lines.push_str(&serde_json::to_string(&b).unwrap());
        lines.push('\n');
    }
    e.backfill_reader(lines.as_bytes(), paris_night("2026-11-21"), |_| {})
        .unwrap();
    assert_eq!(e.alert(gap[0].id).unwrap().status, AlertStatus::Done);
}
