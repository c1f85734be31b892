//! D3 (delivery feedback: hard and soft bounces, spam complaints) and D5 (consent history),
//! through the Rust API, on the store under test.

mod common;

use chrono::TimeDelta;
use common::{at, paris_night, skipped};
use hearken::{
    Answer, Customer, DeliveryFeedback, DeliverySettings, Engine, ErrorKind, EventsPage,
    FailOutcome, OutboundMessage, ReportQuery, ResponseInput, SkipReason, SyncReport,
};

/// A Paris night of `date`: each (customer, e-mail, include in communications) with a sale.
fn night(e: &Engine, date: &str, people: &[(&str, &str, bool)]) -> SyncReport {
    let ids: Vec<&str> = people.iter().map(|p| p.0).collect();
    let mut b = common::one_sale_each(date, &ids);
    b.customers = people
        .iter()
        .map(|(id, email, flag)| {
            let mut c = Customer::with_email(id, email);
            c.include_in_communications = *flag;
            c
        })
        .collect();
    e.sync(&b, paris_night(date)).unwrap()
}

/// The morning after `date`, 09:00 UTC.
fn morning(date: &str) -> chrono::DateTime<chrono::Utc> {
    at(&format!("{date}T09:00:00Z")) + TimeDelta::days(1)
}

fn of<'m>(messages: &'m [OutboundMessage], customer: &str) -> &'m OutboundMessage {
    messages
        .iter()
        .find(|m| m.customer.as_deref() == Some(customer))
        .unwrap_or_else(|| panic!("no message to {customer}"))
}

fn event_types(e: &Engine) -> Vec<String> {
    let EventsPage::Events { events, .. } = e.events(None, 1000).unwrap() else {
        panic!("a fresh read of the feed");
    };
    events.into_iter().map(|ev| ev.kind).collect()
}

#[test]
fn d3_a_hard_bounce_after_the_ack_bounces_the_invitation_and_marks_the_contact() {
    let e = common::engine();
    let mut fs = e.feedback_settings().unwrap();
    fs.non_respondent_reminder_days = 3;
    e.set_feedback_settings(&fs).unwrap();
    night(
        &e,
        "2026-11-20",
        &[("a", "a@example.com", true), ("b", "b@example.com", true)],
    );
    let sent = common::deliver(&e, 10, morning("2026-11-20"));
    assert_eq!(sent.len(), 2);
    let to_a = of(&sent, "a").message_id.clone();
    let bounced_at = at("2026-11-21T11:00:00Z");
    let out = e
        .report_delivery(&to_a, DeliveryFeedback::HardBounce, bounced_at)
        .unwrap();
    assert!(out.changed && out.contact_marked, "{out:?}");
    assert_eq!(out.invitation_status.as_deref(), Some("bounced"));
    assert_eq!(out.message_status, "acked", "an acked message stays acked");
    // Repeated feedback is idempotent.
    let again = e
        .report_delivery(&to_a, DeliveryFeedback::HardBounce, bounced_at)
        .unwrap();
    assert!(!again.changed, "{again:?}");
    assert_eq!(again.invitation_status.as_deref(), Some("bounced"));
    // No reminder for the bounced invitation: only b's is queued.
    let due = e.run_due(at("2026-11-25T09:00:00Z")).unwrap();
    assert_eq!(due.reminders, 1);
    // Out of N5's rate: only b's delivery counts.
    let rate = e
        .response_rate(&ReportQuery::default(), at("2026-12-15T12:00:00Z"))
        .unwrap();
    assert_eq!(rate.delivered, 1);
    // The cooldown is released, but the contact is unusable.
    let r = night(&e, "2026-11-22", &[("a", "a@example.com", true)]);
    assert_eq!(
        skipped(&r),
        vec![("t-a-2026-11-22".to_owned(), SkipReason::NoUsableContact)]
    );
    let why = e.explain("a", at("2026-11-23T09:00:00Z")).unwrap();
    assert_eq!(why.contact_bounced_at, Some(bounced_at));
    assert!(
        why.lines()
            .iter()
            .any(|l| l.contains("bounced on 2026-11-21")),
        "{:?}",
        why.lines()
    );
    // A different e-mail from the POS: invited again.
    let r = night(&e, "2026-11-23", &[("a", "a.new@example.com", true)]);
    assert_eq!(common::invited(&r), vec!["t-a-2026-11-23".to_owned()]);
    let why = e.explain("a", at("2026-11-24T09:00:00Z")).unwrap();
    assert_eq!(why.contact_bounced_at, None);
    let types = event_types(&e);
    for ty in ["invitation.bounced.v1", "contact.bounced.v1"] {
        assert_eq!(types.iter().filter(|t| *t == ty).count(), 1, "{ty}");
    }
}

#[test]
fn d3_a_hard_bounce_in_flight_fails_the_message_and_releases_the_cooldown() {
    let e = common::engine();
    night(&e, "2026-11-20", &[("a", "a@example.com", true)]);
    let claimed = e.claim(10, morning("2026-11-20")).unwrap();
    let id = claimed[0].message_id.clone();
    let out = e
        .report_delivery(&id, DeliveryFeedback::HardBounce, morning("2026-11-20"))
        .unwrap();
    assert_eq!(out.message_status, "failed");
    assert_eq!(out.invitation_status.as_deref(), Some("bounced"));
    // A late ack after the bounce does not deliver the invitation again.
    assert!(e.ack(&id, morning("2026-11-20")).is_ok());
    let again = e
        .report_delivery(&id, DeliveryFeedback::HardBounce, morning("2026-11-20"))
        .unwrap();
    assert_eq!(again.invitation_status.as_deref(), Some("bounced"));
    // Without the mark (a new e-mail) the next night invites: no cooldown held.
    let r = night(&e, "2026-11-21", &[("a", "a2@example.com", true)]);
    assert_eq!(common::invited(&r), vec!["t-a-2026-11-21".to_owned()]);
    // Unknown and never-claimed messages.
    let err = e
        .report_delivery("nope", DeliveryFeedback::HardBounce, morning("2026-11-21"))
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::NotFound);
    let pending = e.pending_invitations().unwrap();
    assert_eq!(pending.len(), 1);
}

#[test]
fn d3_a_soft_bounce_retries_like_a_failure_and_reoffers_an_acked_message() {
    let e = common::engine();
    night(
        &e,
        "2026-11-20",
        &[("a", "a@example.com", true), ("b", "b@example.com", true)],
    );
    let now = morning("2026-11-20");
    let claimed = e.claim(10, now).unwrap();
    let (a, b) = (of(&claimed, "a"), of(&claimed, "b"));
    let soft = e
        .report_delivery(&a.message_id, DeliveryFeedback::SoftBounce, now)
        .unwrap();
    let FailOutcome::Retry { retry_at } = e.fail(&b.message_id, "busy", false, now).unwrap() else {
        panic!("a first failure is retried");
    };
    assert_eq!(
        soft.retry_at,
        Some(retry_at),
        "exactly as fail(permanent = false)"
    );
    assert_eq!(soft.message_status, "pending");
    // A repeated report of the same attempt changes nothing more.
    let again = e
        .report_delivery(&a.message_id, DeliveryFeedback::SoftBounce, now)
        .unwrap();
    assert!(!again.changed);
    // Acked, then soft-bounced: offered again, its invitation no longer delivered.
    let later = retry_at + TimeDelta::minutes(1);
    let retried = common::deliver(&e, 10, later);
    assert_eq!(retried.len(), 2);
    let id = of(&retried, "a").message_id.clone();
    let out = e
        .report_delivery(&id, DeliveryFeedback::SoftBounce, later)
        .unwrap();
    assert_eq!(out.message_status, "pending");
    assert_eq!(out.invitation_status.as_deref(), Some("pending"));
    let at_retry = out.retry_at.expect("offered again");
    let third = e.claim(10, at_retry + TimeDelta::minutes(1)).unwrap();
    assert_eq!(third.len(), 1);
    assert_eq!(third[0].message_id, id);
    assert!(
        event_types(&e)
            .iter()
            .any(|t| t == "message.soft_bounced.v1")
    );
}

#[test]
fn d3_a_complaint_unsubscribes_and_a_pos_flag_does_not_resubscribe() {
    let e = common::engine();
    night(&e, "2026-11-20", &[("a", "a@example.com", true)]);
    let sent = common::deliver(&e, 10, morning("2026-11-20"));
    let out = e
        .report_delivery(
            &sent[0].message_id,
            DeliveryFeedback::Complaint,
            morning("2026-11-20"),
        )
        .unwrap();
    assert!(out.unsubscribed && out.changed, "{out:?}");
    let again = e
        .report_delivery(
            &sent[0].message_id,
            DeliveryFeedback::Complaint,
            morning("2026-11-20"),
        )
        .unwrap();
    assert!(!again.changed);
    assert!(e.explain("a", morning("2026-11-21")).unwrap().unsubscribed);
    // The POS turns the flag off and on again: never a resubscription.
    night(&e, "2026-11-21", &[("a", "a@example.com", false)]);
    let r = night(&e, "2026-11-22", &[("a", "a@example.com", true)]);
    assert_eq!(
        skipped(&r),
        vec![("t-a-2026-11-22".to_owned(), SkipReason::Unsubscribed)]
    );
    let history = e.consent_history("a").unwrap();
    let seen: Vec<(&str, bool)> = history
        .iter()
        .map(|h| (h.source.as_str(), h.granted))
        .collect();
    assert_eq!(
        seen,
        vec![("complaint", false), ("pos", false), ("pos", true)]
    );
}

#[test]
fn d5_the_consent_history_lists_each_change_in_order_with_its_source() {
    let e = common::engine();
    night(&e, "2026-11-20", &[("a", "a@example.com", true)]);
    let sent = common::deliver(&e, 10, morning("2026-11-20"));
    let survey = common::link_token(sent[0].survey_link.as_deref().unwrap());
    let unsubscribe = common::link_token(sent[0].unsubscribe_link.as_deref().unwrap());
    // F2: a reply consent given on the survey page.
    let answer = ResponseInput {
        answers: vec![Answer {
            question: "recommend".into(),
            score: Some(9),
            ..Answer::default()
        }],
        consent_to_reply: true,
    };
    e.record_response(&survey, &answer, at("2026-11-21T10:00:00Z"))
        .unwrap();
    night(&e, "2026-11-21", &[("a", "a@example.com", false)]);
    // The same flag again is no change.
    night(&e, "2026-11-22", &[("a", "a@example.com", false)]);
    night(&e, "2026-11-23", &[("a", "a@example.com", true)]);
    e.unsubscribe_by_token(&unsubscribe, at("2026-11-24T10:00:00Z"))
        .unwrap();
    // The host's own call, for another customer, and an imported list.
    night(&e, "2026-11-24", &[("b", "b@example.com", true)]);
    e.unsubscribe_customer("b", at("2026-11-25T10:00:00Z"))
        .unwrap();
    let history = e.consent_history("a").unwrap();
    let seen: Vec<(&str, &str, bool, &str)> = history
        .iter()
        .map(|h| {
            (
                h.purpose.as_str(),
                h.channel.as_str(),
                h.granted,
                h.source.as_str(),
            )
        })
        .collect();
    assert_eq!(
        seen,
        vec![
            ("replies", "email", true, "link"),
            ("surveys", "all", false, "pos"),
            ("surveys", "all", true, "pos"),
            ("surveys", "all", false, "link"),
        ]
    );
    assert!(history.windows(2).all(|w| w[0].at <= w[1].at));
    let why = e.explain("a", at("2026-11-26T10:00:00Z")).unwrap();
    assert_eq!(why.consent, history, "explain shows the history");
    let b = e.consent_history("b").unwrap();
    assert_eq!(b.len(), 1);
    assert_eq!((b[0].source.as_str(), b[0].granted), ("api", false));
    // Another store's list: the imported hash of c's e-mail shows in c's history.
    let pepper = DeliverySettings {
        suppression_pepper: "vendor-secret".into(),
        ..DeliverySettings::default()
    };
    e.set_delivery_settings(&pepper).unwrap();
    let other = common::engine();
    other.set_delivery_settings(&pepper).unwrap();
    night(&other, "2026-11-20", &[("c", "c@example.com", true)]);
    night(&e, "2026-11-25", &[("c", "c@example.com", true)]);
    other
        .unsubscribe_customer("c", at("2026-11-25T10:00:00Z"))
        .unwrap();
    let bundle = other.export_suppressions().unwrap();
    e.import_suppressions(&bundle, "head-office", at("2026-11-26T10:00:00Z"))
        .unwrap();
    let c = e.consent_history("c").unwrap();
    assert!(
        c.iter()
            .any(|h| h.source == "import" && !h.granted && h.by_contact),
        "{c:?}"
    );
    let consent_events = event_types(&e)
        .iter()
        .filter(|t| *t == "consent.changed.v1")
        .count();
    assert_eq!(
        consent_events, 6,
        "a reply, two flags, a link, the host's call, an import"
    );
    assert_eq!(
        e.consent_history("nobody").unwrap_err().kind(),
        ErrorKind::NotFound
    );
}

#[test]
fn d3_d5_erasure_leaves_no_bounce_mark_and_no_consent_history() {
    let e = common::engine();
    night(&e, "2026-11-20", &[("a", "a@example.com", true)]);
    let sent = common::deliver(&e, 10, morning("2026-11-20"));
    e.report_delivery(
        &sent[0].message_id,
        DeliveryFeedback::HardBounce,
        morning("2026-11-20"),
    )
    .unwrap();
    night(&e, "2026-11-21", &[("a", "a@example.com", false)]);
    assert!(!e.consent_history("a").unwrap().is_empty());
    e.erase_customer("a", morning("2026-11-21")).unwrap();
    assert!(e.consent_history("a").unwrap().is_empty());
    let why = e.explain("a", morning("2026-11-21")).unwrap();
    assert_eq!(why.contact_bounced_at, None);
    assert!(why.consent.is_empty());
}
