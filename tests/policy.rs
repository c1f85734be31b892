//! P1–P8 through the public API: the contact policy — who is asked, how often and when.

mod common;

use common::{at, batch, day, engine, invited, paris_night, sale, skipped};
use hearken::{
    Answer, Calendar, ContactPolicy, Customer, Engine, ErrorKind, LocationPolicy, MessageKind,
    ResponseInput, Settings, SkipReason, SyncReport, Transaction, TransactionKind, Weekday,
};

fn set_policy(e: &Engine, f: impl FnOnce(&mut ContactPolicy)) {
    let mut p = e.contact_policy().unwrap();
    f(&mut p);
    e.set_contact_policy(&p).unwrap();
}

/// A night without sales at `location`, synced at `now`: what its relationship survey
/// (P7) asks.
fn quiet_night(
    e: &Engine,
    location: &str,
    date: &str,
    now: chrono::DateTime<chrono::Utc>,
) -> SyncReport {
    e.sync(&hearken::SyncBatch::new(location, day(date)), now)
        .unwrap()
}

/// One Paris night with one sale per customer, finalized at noon local time.
fn night(e: &Engine, date: &str, customers: &[&str]) -> SyncReport {
    let sales = customers
        .iter()
        .map(|c| {
            sale(
                &format!("{date}-{c}"),
                Some(c),
                Some(&format!("{date}T12:00:00+01:00")),
            )
        })
        .collect();
    e.sync(&batch("paris", date, customers, sales), paris_night(date))
        .unwrap()
}

fn refund(id: &str, of: &str, kind: TransactionKind) -> Transaction {
    Transaction {
        kind,
        refers_to: Some(of.into()),
        amount_minor: -1000,
        ..sale(id, None, Some("2026-11-20T15:00:00+01:00"))
    }
}

fn answer(e: &Engine, token: &str, score: u32, now: &str) {
    let input = ResponseInput {
        answers: vec![Answer {
            question: "recommend".into(),
            score: Some(score),
            ..Default::default()
        }],
        consent_to_reply: false,
    };
    e.record_response(token, &input, at(now)).unwrap();
}

/// Claims, acknowledges and answers every due message at `now`; returns their kinds.
fn deliver_and_answer(e: &Engine, now: &str, score: Option<u32>) -> Vec<MessageKind> {
    let mut kinds = Vec::new();
    for m in common::deliver(e, 100, at(now)) {
        kinds.push(m.kind);
        if let (Some(s), Some(link)) = (score, &m.survey_link) {
            answer(e, link.rsplit('/').next().unwrap(), s, now);
        }
    }
    kinds
}

#[test]
fn p1_defaults_keep_e4_and_every_policy_value_is_validated_by_name() {
    let e = engine();
    let p = e.contact_policy().unwrap();
    assert_eq!(
        ContactPolicy {
            sample_salt: String::new(),
            ..p.clone()
        },
        ContactPolicy::default()
    );
    assert_eq!(p.sample_salt.len(), 32, "a random salt per store");
    for (bad, field) in [
        (
            ContactPolicy {
                retry_after_no_answer_months: 1,
                ..ContactPolicy::default()
            },
            "retry_after_no_answer_months",
        ),
        (
            ContactPolicy {
                sample_percent: 101,
                ..ContactPolicy::default()
            },
            "sample_percent",
        ),
        (
            ContactPolicy {
                min_gap_days: 400,
                ..ContactPolicy::default()
            },
            "min_gap_days",
        ),
    ] {
        let err = e.set_contact_policy(&bad).unwrap_err();
        assert_eq!(err.kind(), ErrorKind::InvalidInput);
        assert_eq!(err.problems()[0].field, field);
    }
    // An empty salt keeps the stored one.
    e.set_contact_policy(&ContactPolicy::default()).unwrap();
    assert_eq!(e.contact_policy().unwrap().sample_salt, p.sample_salt);
}

#[test]
fn p1_retry_after_no_answer_replaces_the_cooldown_only_when_unanswered() {
    let e = engine();
    e.set_settings(&Settings {
        cooldown_months: 6,
        ..Settings::default()
    })
    .unwrap();
    set_policy(&e, |p| p.retry_after_no_answer_months = 3);
    assert_eq!(invited(&night(&e, "2026-01-10", &["c1", "c2"])).len(), 2);
    // c2 answers; c1 never does.
    for m in common::deliver(&e, 10, at("2026-01-11T09:00:00Z")) {
        if m.customer.as_deref() == Some("c2") {
            let token = common::link_token(&m.survey_link.unwrap());
            answer(&e, &token, 9, "2026-01-11T10:00:00Z");
        }
    }
    let r = night(&e, "2026-04-10", &["c1", "c2"]);
    assert_eq!(invited(&r), ["2026-04-10-c1"], "retry after 3 months");
    assert_eq!(r.skipped[0].reason, SkipReason::Cooldown);
    assert_eq!(r.skipped[0].eligible_again_on, Some(day("2026-07-10")));
}

#[test]
fn p2_min_gap_days_across_kinds_over_the_new_year() {
    let e = engine();
    e.set_settings(&Settings {
        cooldown_months: 1,
        ..Settings::default()
    })
    .unwrap();
    set_policy(&e, |p| p.min_gap_days = 45);
    assert_eq!(invited(&night(&e, "2026-12-20", &["c1"])).len(), 1);
    // A month later the cooldown is over, but 45 days have not passed.
    let r = night(&e, "2027-01-25", &["c1"]);
    assert_eq!(skipped(&r)[0].1, SkipReason::ContactCap);
    assert_eq!(r.skipped[0].eligible_again_on, Some(day("2027-02-03")));
    let x = e.explain("c1", paris_night("2027-01-25")).unwrap();
    assert_eq!(x.decisions[0].reason, Some(SkipReason::ContactCap));
    assert_eq!(x.eligible_again_on, Some(day("2027-02-03")));
    assert!(x.lines()[0].contains("eligible again on 2027-02-03"));
    assert_eq!(invited(&night(&e, "2027-02-03", &["c1"])).len(), 1);
}

/// P2 across kinds with the relationship survey turned off: a relationship invitation
/// made while P7 was on still counts for the store-wide gap; with P2 off too it holds no
/// transactional invitation (E4's cooldown counts its own kind). (The sync reads the
/// relationship invitations only when a rule can look at them: this holds it to both.)
#[test]
fn p2_an_earlier_relationship_invitation_counts_after_p7_is_turned_off() {
    for gap in [0, 30] {
        let e = engine();
        e.set_settings(&Settings {
            cooldown_months: 1,
            ..Settings::default()
        })
        .unwrap();
        assert_eq!(invited(&night(&e, "2026-09-10", &["c1"])).len(), 1);
        set_policy(&e, |p| {
            p.relationship_every_months = 12;
            p.active_within_days = 90;
        });
        let r = quiet_night(&e, "paris", "2026-11-10", paris_night("2026-11-10"));
        assert_eq!(r.relationship_invitations.len(), 1, "gap {gap}");
        set_policy(&e, |p| {
            p.relationship_every_months = 0;
            p.min_gap_days = gap;
        });
        let r = night(&e, "2026-11-20", &["c1"]);
        if gap == 0 {
            assert_eq!(invited(&r), ["2026-11-20-c1"]);
        } else {
            assert_eq!(
                skipped(&r),
                [("2026-11-20-c1".into(), SkipReason::ContactCap)]
            );
            assert_eq!(r.skipped[0].eligible_again_on, Some(day("2026-12-10")));
        }
    }
}

#[test]
fn p2_max_per_year_is_a_rolling_365_days_in_a_leap_year() {
    let e = engine();
    e.set_settings(&Settings {
        cooldown_months: 1,
        ..Settings::default()
    })
    .unwrap();
    set_policy(&e, |p| p.max_per_year = 2);
    assert_eq!(invited(&night(&e, "2027-03-01", &["c1"])).len(), 1);
    assert_eq!(invited(&night(&e, "2027-09-01", &["c1"])).len(), 1);
    let r = night(&e, "2028-02-28", &["c1"]);
    assert_eq!(skipped(&r)[0].1, SkipReason::ContactCap);
    // 2027-03-01 + 365 days is 2028-02-29 (2028 is a leap year).
    assert_eq!(r.skipped[0].eligible_again_on, Some(day("2028-02-29")));
    assert_eq!(invited(&night(&e, "2028-02-29", &["c1"])).len(), 1);
}

#[test]
fn p3_records_sharing_a_contact_are_one_person_across_batches_and_in_one() {
    let e = engine();
    set_policy(&e, |p| p.one_person_per_contact = true);
    let mut b = batch(
        "paris",
        "2026-11-20",
        &[],
        vec![sale("t1", Some("a"), Some("2026-11-20T10:00:00+01:00"))],
    );
    b.customers = vec![Customer::with_email("a", "a@x.com")];
    assert_eq!(
        invited(&e.sync(&b, paris_night("2026-11-20")).unwrap()),
        ["t1"]
    );
    // Another record, the same address written differently, a week later.
    let mut b = batch(
        "paris",
        "2026-11-27",
        &[],
        vec![sale("t2", Some("b"), Some("2026-11-27T10:00:00+01:00"))],
    );
    b.customers = vec![Customer::with_email("b", "A@x.com ")];
    let r = e.sync(&b, paris_night("2026-11-27")).unwrap();
    assert_eq!(skipped(&r), [("t2".to_owned(), SkipReason::Cooldown)]);
    assert_eq!(r.skipped[0].related_customer.as_deref(), Some("a"));
    assert_eq!(r.skipped[0].eligible_again_on, Some(day("2027-02-20")));
    let x = e.explain("b", paris_night("2026-11-27")).unwrap();
    assert_eq!(x.decisions[0].related_customer.as_deref(), Some("a"));
    assert_eq!(x.eligible_again_on, Some(day("2027-02-20")));
    // Two such records in one batch: the latest-finalized sale wins.
    let mut b = batch(
        "paris",
        "2027-03-01",
        &[],
        vec![
            sale("t3", Some("c"), Some("2027-03-01T18:00:00+01:00")),
            sale("t4", Some("d"), Some("2027-03-01T10:00:00+01:00")),
        ],
    );
    b.customers = vec![
        Customer::with_email("c", " New@Y.com"),
        Customer::with_email("d", "new@y.com"),
    ];
    let r = e.sync(&b, paris_night("2027-03-01")).unwrap();
    assert_eq!(invited(&r), ["t3"]);
    assert_eq!(skipped(&r), [("t4".to_owned(), SkipReason::OnePerBatch)]);
    assert_eq!(r.skipped[0].related_customer.as_deref(), Some("c"));
}

#[test]
fn p3_off_by_default_keeps_records_apart() {
    let e = engine();
    let mut b = batch(
        "paris",
        "2026-11-20",
        &[],
        vec![
            sale("t1", Some("a"), Some("2026-11-20T10:00:00+01:00")),
            sale("t2", Some("b"), Some("2026-11-20T11:00:00+01:00")),
        ],
    );
    b.customers = vec![
        Customer::with_email("a", "a@x.com"),
        Customer::with_email("b", "A@x.com "),
    ];
    assert_eq!(
        invited(&e.sync(&b, paris_night("2026-11-20")).unwrap()).len(),
        2
    );
}

#[test]
fn p4_daily_cap_keeps_the_latest_sales_and_counts_what_the_date_already_has() {
    let e = engine();
    e.set_location_policy(&LocationPolicy {
        location: "paris".into(),
        daily_cap: Some(2),
        ..LocationPolicy::default()
    })
    .unwrap();
    let sales = vec![
        sale("t1", Some("c1"), Some("2026-11-20T09:00:00+01:00")),
        sale("t2", Some("c2"), Some("2026-11-20T17:00:00+01:00")),
        sale("t3", Some("c3"), Some("2026-11-20T12:00:00+01:00")),
    ];
    let b = batch("paris", "2026-11-20", &["c1", "c2", "c3"], sales);
    let r = e.sync(&b, paris_night("2026-11-20")).unwrap();
    assert_eq!(invited(&r), ["t2", "t3"]);
    assert_eq!(skipped(&r), [("t1".to_owned(), SkipReason::DailyCap)]);
    // The same date again with a new sale: the date already has two.
    let b = batch(
        "paris",
        "2026-11-20",
        &["c4"],
        vec![sale("t4", Some("c4"), Some("2026-11-20T20:00:00+01:00"))],
    );
    let r = e.sync(&b, paris_night("2026-11-20")).unwrap();
    assert_eq!(skipped(&r), [("t4".to_owned(), SkipReason::DailyCap)]);
    // Seoul keeps the store's default: no cap.
    assert_eq!(e.location_policy("seoul").unwrap().daily_cap, None);
}

#[test]
fn p4_sampling_picks_a_committed_list_for_a_fixed_salt_and_the_same_on_a_rerun() {
    let e = engine();
    set_policy(&e, |p| {
        p.sample_salt = "golden-salt".into();
        p.sample_percent = 50;
    });
    let customers: Vec<String> = (1..=10).map(|i| format!("c{i}")).collect();
    let ids: Vec<&str> = customers.iter().map(String::as_str).collect();
    let r = night(&e, "2026-11-20", &ids);
    let picked: Vec<&str> = r.invitations.iter().map(|i| i.customer.as_str()).collect();
    assert_eq!(picked, ["c3", "c7", "c8", "c9", "c10"]);
    assert!(r.skipped.iter().all(|s| s.reason == SkipReason::NotSampled));
    // A re-run decides nothing again and reports the stored skips.
    let again = night(&e, "2026-11-20", &ids);
    assert!(again.invitations.is_empty());
    assert!(again.skipped.iter().all(|s| s.repeat));
}

#[test]
fn p4_monthly_response_quota_stops_invitations_until_the_next_local_month() {
    let e = engine();
    set_policy(&e, |p| p.monthly_response_quota = 1);
    night(&e, "2026-11-10", &["c1"]);
    deliver_and_answer(&e, "2026-11-11T09:00:00Z", Some(10));
    let r = night(&e, "2026-11-20", &["c2"]);
    assert_eq!(skipped(&r)[0].1, SkipReason::QuotaReached);
    assert_eq!(r.skipped[0].eligible_again_on, Some(day("2026-12-01")));
    assert_eq!(invited(&night(&e, "2026-12-01", &["c3"])).len(), 1);
}

#[test]
fn p5_delay_days_and_the_send_calendar_move_the_due_time() {
    let e = engine();
    set_policy(&e, |p| p.delay_days = 3);
    // Weekdays only, and Wednesday 2026-11-25 closed.
    e.set_calendar(&Calendar {
        send_weekdays: vec![
            Weekday::Monday,
            Weekday::Tuesday,
            Weekday::Wednesday,
            Weekday::Thursday,
            Weekday::Friday,
        ],
        closed_dates: vec![day("2026-11-25")],
        opening_hours: Vec::new(),
    })
    .unwrap();
    // Sold Friday 20th: due Monday 23rd at 10:00 (sale date + 3).
    let r = night(&e, "2026-11-20", &["c1"]);
    assert_eq!(r.invitations[0].due_at, at("2026-11-23T09:00:00Z"));
    // Sold Sunday 22nd: + 3 is the closed Wednesday, so Thursday.
    let r = night(&e, "2026-11-22", &["c2"]);
    assert_eq!(r.invitations[0].due_at, at("2026-11-26T09:00:00Z"));
}

#[test]
fn p5_every_weekday_off_and_a_quiet_send_hour_are_validation_errors() {
    let e = engine();
    let err = e
        .set_calendar(&Calendar {
            send_weekdays: vec![],
            ..Calendar::default()
        })
        .unwrap_err();
    assert_eq!(err.problems()[0].field, "send_weekdays");
    let err = e
        .set_location_policy(&LocationPolicy {
            location: "paris".into(),
            calendar: Some(Calendar {
                send_weekdays: vec![],
                ..Calendar::default()
            }),
            ..LocationPolicy::default()
        })
        .unwrap_err();
    assert_eq!(err.problems()[0].record, "location_policy.calendar");
    let err = e
        .set_settings(&Settings {
            send_hour: 22,
            ..Settings::default()
        })
        .unwrap_err();
    assert_eq!(err.problems()[0].field, "send_hour");
}

#[test]
fn p5_a_closed_date_beside_a_dst_change_keeps_the_local_send_hour() {
    let e = engine();
    // Paris leaves summer time on Sunday 2026-10-25; Monday 26th is closed.
    e.set_location_policy(&LocationPolicy {
        location: "paris".into(),
        calendar: Some(Calendar {
            closed_dates: vec![day("2026-10-26")],
            ..Calendar::default()
        }),
        ..LocationPolicy::default()
    })
    .unwrap();
    let b = batch(
        "paris",
        "2026-10-25",
        &["c1"],
        vec![sale("t1", Some("c1"), Some("2026-10-25T12:00:00+01:00"))],
    );
    let r = e.sync(&b, at("2026-10-25T22:00:00Z")).unwrap();
    // Tuesday 10:00 winter time is 09:00 UTC.
    assert_eq!(r.invitations[0].due_at, at("2026-10-27T09:00:00Z"));
}

#[test]
fn p5_no_send_slot_before_the_link_expires_cancels_and_releases_the_cooldown() {
    let e = engine();
    let closed: Vec<_> = (0..70)
        .map(|i| day("2026-11-21") + chrono::Days::new(i))
        .collect();
    e.set_calendar(&Calendar {
        closed_dates: closed,
        ..Calendar::default()
    })
    .unwrap();
    let r = night(&e, "2026-11-20", &["c1"]);
    assert_eq!(r.invitations.len(), 1);
    assert!(e.claim(10, at("2027-01-01T09:00:00Z")).unwrap().is_empty());
    assert_eq!(e.outbox_counts().unwrap().cancelled, 1);
    // Released: the next sale is invited at once.
    assert_eq!(invited(&night(&e, "2026-11-27", &["c1"])).len(), 1);
}

#[test]
fn p6_a_refund_before_the_sale_in_the_same_batch_and_later() {
    let e = engine();
    // The refund arrives first, naming a sale not yet known.
    let mut b = batch("paris", "2026-11-20", &[], vec![]);
    b.transactions = vec![refund("r1", "t1", TransactionKind::Refund)];
    let r = e.sync(&b, paris_night("2026-11-20")).unwrap();
    assert!(
        r.skipped.is_empty() && r.invitations.is_empty(),
        "never evaluated"
    );
    let b = batch(
        "paris",
        "2026-11-21",
        &["c1"],
        vec![sale("t1", Some("c1"), Some("2026-11-21T10:00:00+01:00"))],
    );
    let r = e.sync(&b, paris_night("2026-11-21")).unwrap();
    assert_eq!(skipped(&r), [("t1".to_owned(), SkipReason::Refunded)]);
    // Sale and void in one batch.
    let mut b = batch(
        "paris",
        "2026-11-22",
        &["c2"],
        vec![sale("t2", Some("c2"), Some("2026-11-22T10:00:00+01:00"))],
    );
    b.transactions
        .push(refund("v2", "t2", TransactionKind::Void));
    let r = e.sync(&b, paris_night("2026-11-22")).unwrap();
    assert_eq!(skipped(&r), [("t2".to_owned(), SkipReason::Refunded)]);
}

#[test]
fn p6_a_refund_cancels_an_undelivered_invitation_and_releases_the_cooldown() {
    let e = engine();
    assert_eq!(invited(&night(&e, "2026-11-20", &["c1"])).len(), 1);
    let mut b = batch("paris", "2026-11-21", &[], vec![]);
    b.transactions = vec![refund("r1", "2026-11-20-c1", TransactionKind::Refund)];
    let r = e.sync(&b, paris_night("2026-11-21")).unwrap();
    assert_eq!(r.cancelled_by_refund, ["2026-11-20-c1"]);
    assert!(e.claim(10, at("2026-11-22T09:00:00Z")).unwrap().is_empty());
    let x = e.explain("c1", paris_night("2026-11-21")).unwrap();
    assert_eq!(x.decisions[0].cancelled_on, Some(day("2026-11-21")));
    assert!(
        x.lines()[0].contains("cancelled: refunded on 2026-11-21"),
        "{:?}",
        x.lines()
    );
    assert_eq!(x.eligible_again_on, None, "the cooldown is released");
    assert_eq!(invited(&night(&e, "2026-11-22", &["c1"])).len(), 1);
}

#[test]
fn p6_a_refund_after_delivery_keeps_the_invitation_and_cancels_the_reminder() {
    let e = engine();
    let mut f = e.feedback_settings().unwrap();
    f.non_respondent_reminder_days = 3;
    e.set_feedback_settings(&f).unwrap();
    night(&e, "2026-11-20", &["c1"]);
    deliver_and_answer(&e, "2026-11-21T09:00:00Z", None);
    // Three days later the reminder is queued, not yet claimed.
    assert_eq!(e.run_due(at("2026-11-24T10:00:00Z")).unwrap().reminders, 1);
    let mut b = batch("paris", "2026-11-24", &[], vec![]);
    b.transactions = vec![refund("r1", "2026-11-20-c1", TransactionKind::Refund)];
    let r = e.sync(&b, paris_night("2026-11-24")).unwrap();
    assert!(r.cancelled_by_refund.is_empty(), "delivered: not cancelled");
    assert!(e.claim(10, at("2026-11-25T09:00:00Z")).unwrap().is_empty());
    let x = e.explain("c1", paris_night("2026-11-24")).unwrap();
    assert_eq!(x.decisions[0].cancelled_on, None);
    assert!(
        x.eligible_again_on.is_some(),
        "a delivered invitation counts"
    );
}

#[test]
fn p6_a_refund_must_name_its_sale() {
    let e = engine();
    let mut b = batch("paris", "2026-11-20", &[], vec![]);
    let mut r = refund("r1", "t1", TransactionKind::Refund);
    r.refers_to = None;
    b.transactions = vec![r, sale("t9", None, None)];
    b.transactions[1].refers_to = Some("t1".into());
    let err = e.sync(&b, paris_night("2026-11-20")).unwrap_err();
    let fields: Vec<(&str, &str)> = err
        .problems()
        .iter()
        .map(|p| (p.host_id.as_deref().unwrap_or(""), p.field.as_str()))
        .collect();
    assert_eq!(fields, [("r1", "refers_to"), ("t9", "refers_to")]);
}

#[test]
fn p7_relationship_survey_at_the_location_of_the_latest_purchase() {
    let e = engine();
    set_policy(&e, |p| {
        p.relationship_every_months = 12;
        p.active_within_days = 90;
    });
    // c1 bought in Paris; tonight's transactional invitation and tonight's relationship
    // survey are separate kinds with separate cooldowns.
    let r = night(&e, "2026-11-20", &["c1"]);
    assert_eq!(r.invitations.len(), 1);
    assert_eq!(r.relationship_invitations.len(), 1);
    assert_eq!(r.relationship_invitations[0].transaction, "2026-11-20-c1");
    let kinds = deliver_and_answer(&e, "2026-11-21T09:00:00Z", None);
    assert!(
        kinds.contains(&MessageKind::RelationshipSurvey),
        "{kinds:?}"
    );
    // Seoul's sync does not ask c1: the latest purchase was in Paris. A re-run and the
    // next night ask nothing again.
    let seoul = quiet_night(&e, "seoul", "2026-11-21", at("2026-11-21T14:00:00Z"));
    assert!(seoul.relationship_invitations.is_empty());
    let r = quiet_night(&e, "paris", "2026-11-21", paris_night("2026-11-21"));
    assert!(r.relationship_invitations.is_empty());
    let x = e.explain("c1", paris_night("2026-11-21")).unwrap();
    assert_eq!(x.relationship.len(), 1);
    assert!(x.relationship[0].invitation_id.is_some());
}

/// P7: each customer is asked by the location of their latest purchase only, whatever they
/// bought elsewhere before: c2 bought in Seoul, then in Paris; c3 the other way round.
#[test]
fn p7_the_latest_purchase_alone_names_the_location_that_asks() {
    let e = engine();
    let seoul_night = |d: &str| at(&format!("{d}T14:00:00Z"));
    let sync = |location: &str, d: &str, who: &str, finalized: &str| {
        let sales = vec![sale(
            &format!("{location}-{d}-{who}"),
            Some(who),
            Some(finalized),
        )];
        let now = if location == "seoul" {
            seoul_night(d)
        } else {
            paris_night(d)
        };
        e.sync(&batch(location, d, &[who], sales), now).unwrap()
    };
    sync("seoul", "2026-11-19", "c2", "2026-11-19T12:00:00+09:00");
    sync("paris", "2026-11-19", "c3", "2026-11-19T12:00:00+01:00");
    sync("paris", "2026-11-20", "c2", "2026-11-20T12:00:00+01:00");
    sync("seoul", "2026-11-20", "c3", "2026-11-20T21:00:00+09:00");
    set_policy(&e, |p| {
        p.relationship_every_months = 12;
        p.active_within_days = 90;
    });
    // Tonight's empty sync of each location: who its relationship survey asks.
    let asked = |location: &str, now| -> Vec<String> {
        let r = quiet_night(&e, location, "2026-11-21", now);
        (r.relationship_invitations.iter())
            .map(|i| i.customer.clone())
            .collect()
    };
    assert_eq!(asked("seoul", seoul_night("2026-11-21")), ["c3"]);
    assert_eq!(asked("paris", paris_night("2026-11-21")), ["c2"]);
}

/// P7: of two purchases at the same instant in two locations, the one stored first is the
/// latest purchase (on every store): c4 bought in Seoul and in Paris at 11:00 UTC, Seoul's
/// sync stored it first.
#[test]
fn p7_of_two_purchases_at_the_same_instant_the_one_stored_first_names_the_location() {
    let e = engine();
    let sales = |location: &str| {
        vec![sale(
            &format!("{location}-c4"),
            Some("c4"),
            Some(if location == "seoul" {
                "2026-11-20T20:00:00+09:00"
            } else {
                "2026-11-20T12:00:00+01:00"
            }),
        )]
    };
    e.sync(
        &batch("seoul", "2026-11-20", &["c4"], sales("seoul")),
        at("2026-11-20T14:00:00Z"),
    )
    .unwrap();
    e.sync(
        &batch("paris", "2026-11-20", &["c4"], sales("paris")),
        paris_night("2026-11-20"),
    )
    .unwrap();
    set_policy(&e, |p| {
        p.relationship_every_months = 12;
        p.active_within_days = 90;
    });
    let paris = quiet_night(&e, "paris", "2026-11-21", paris_night("2026-11-21"));
    assert!(paris.relationship_invitations.is_empty(), "{paris:?}");
    let seoul = quiet_night(&e, "seoul", "2026-11-22", at("2026-11-22T14:00:00Z"));
    let asked: Vec<&str> = (seoul.relationship_invitations.iter())
        .map(|i| i.transaction.as_str())
        .collect();
    assert_eq!(asked, ["seoul-c4"]);
}

/// P7 with P6: a refunded purchase, a refund and a void are not purchases; the latest one
/// left names the location. c5's Paris sale is refunded (the refund names c5 and is the
/// latest of c5's transactions), so Seoul asks c5 for its earlier sale; c6's only Paris
/// sale is voided, so no one asks c6; c7's refund names another sale, so Paris asks c7.
#[test]
fn p7_refunds_voids_and_refunded_sales_are_not_the_latest_purchase() {
    let e = engine();
    let bought =
        |id: &str, customer: &str, finalized: &str| sale(id, Some(customer), Some(finalized));
    let undo = |id: &str, customer: &str, kind, of: &str| Transaction {
        kind,
        refers_to: Some(of.into()),
        amount_minor: -1000,
        ..bought(id, customer, "2026-11-20T12:00:00+01:00")
    };
    let s5 = bought("s5", "c5", "2026-11-18T12:00:00+09:00");
    e.sync(
        &batch("seoul", "2026-11-18", &["c5"], vec![s5]),
        at("2026-11-18T14:00:00Z"),
    )
    .unwrap();
    let sales = vec![
        bought("p5", "c5", "2026-11-19T12:00:00+01:00"),
        bought("p6", "c6", "2026-11-19T12:00:00+01:00"),
        bought("p7a", "c7", "2026-11-19T11:00:00+01:00"),
        bought("p7b", "c7", "2026-11-19T12:00:00+01:00"),
    ];
    let customers = ["c5", "c6", "c7"];
    e.sync(
        &batch("paris", "2026-11-19", &customers, sales),
        paris_night("2026-11-19"),
    )
    .unwrap();
    let undone = vec![
        undo("r5", "c5", TransactionKind::Refund, "p5"),
        undo("v6", "c6", TransactionKind::Void, "p6"),
        undo("r7", "c7", TransactionKind::Refund, "p7a"),
    ];
    e.sync(
        &batch("paris", "2026-11-20", &customers, undone),
        paris_night("2026-11-20"),
    )
    .unwrap();
    set_policy(&e, |p| {
        p.relationship_every_months = 12;
        p.active_within_days = 90;
    });
    let asked = |location: &str, now| -> Vec<(String, String)> {
        let r = quiet_night(&e, location, "2026-11-21", now);
        (r.relationship_invitations.iter())
            .map(|i| (i.customer.clone(), i.transaction.clone()))
            .collect()
    };
    let pair = |c: &str, t: &str| (c.to_string(), t.to_string());
    assert_eq!(
        asked("paris", paris_night("2026-11-21")),
        [pair("c7", "p7b")]
    );
    assert_eq!(
        asked("seoul", at("2026-11-21T14:00:00Z")),
        [pair("c5", "s5")]
    );
}

/// P7 with P6 on the same night: a refund or void in tonight's batch of a sale in the same
/// batch leaves the customer's earlier purchase as the latest. c1 bought in Seoul, then in
/// Paris tonight with the Paris sale refunded in the same batch: Paris does not ask c1, and
/// Seoul asks c1 for the Seoul sale. c2's sale tonight stands (Paris asks c2); c3's only
/// sale is voided tonight (no one asks c3). (The sync tells the store what it wrote
/// tonight so the store need not read it back: this holds it to the rule.)
#[test]
fn p7_tonights_refund_of_tonights_sale_leaves_the_earlier_purchase() {
    let e = engine();
    e.sync(
        &batch(
            "seoul",
            "2026-11-18",
            &["c1"],
            vec![sale("s1", Some("c1"), Some("2026-11-18T12:00:00+09:00"))],
        ),
        at("2026-11-18T14:00:00Z"),
    )
    .unwrap();
    set_policy(&e, |p| {
        p.relationship_every_months = 12;
        p.active_within_days = 90;
    });
    let undo = |id: &str, customer: &str, kind, of: &str| Transaction {
        kind,
        refers_to: Some(of.into()),
        amount_minor: -1000,
        ..sale(id, Some(customer), Some("2026-11-19T17:00:00+01:00"))
    };
    let tonight = vec![
        sale("p1", Some("c1"), Some("2026-11-19T12:00:00+01:00")),
        undo("r1", "c1", TransactionKind::Refund, "p1"),
        sale("p2", Some("c2"), Some("2026-11-19T12:00:00+01:00")),
        sale("p3", Some("c3"), Some("2026-11-19T12:00:00+01:00")),
        undo("v3", "c3", TransactionKind::Void, "p3"),
    ];
    let r = e
        .sync(
            &batch("paris", "2026-11-19", &["c1", "c2", "c3"], tonight),
            paris_night("2026-11-19"),
        )
        .unwrap();
    let asked = |r: &SyncReport| -> Vec<(String, String)> {
        (r.relationship_invitations.iter())
            .map(|i| (i.customer.clone(), i.transaction.clone()))
            .collect()
    };
    assert_eq!(asked(&r), [("c2".to_string(), "p2".to_string())]);
    let r = quiet_night(&e, "seoul", "2026-11-20", at("2026-11-20T14:00:00Z"));
    assert_eq!(asked(&r), [("c1".to_string(), "s1".to_string())]);
}

/// The store leaves out of a night's candidates the customers their own recent
/// relationship invitation holds (rules::policy::relationship_held_after, months counted as
/// 28 days): at the tightest bound (one month after January 31st is February 28th, E4's
/// month-end clamp) the customer is held the night before and asked on the night itself.
#[test]
fn p7_p1_a_customer_held_by_their_relationship_invitation_is_asked_the_night_it_ends() {
    let e = engine();
    set_policy(&e, |p| {
        p.relationship_every_months = 1;
        p.active_within_days = 90;
    });
    let r = night(&e, "2027-01-31", &["c1"]);
    assert_eq!(r.relationship_invitations.len(), 1);
    deliver_and_answer(&e, "2027-02-01T09:00:00Z", None);
    let quiet = |d: &str| quiet_night(&e, "paris", d, paris_night(d));
    for d in ["2027-02-01", "2027-02-14", "2027-02-27"] {
        assert!(quiet(d).relationship_invitations.is_empty(), "{d}");
    }
    let r = quiet("2027-02-28");
    assert_eq!(r.relationship_invitations.len(), 1, "{r:?}");
    assert_eq!(r.relationship_invitations[0].customer, "c1");
    assert!(quiet("2027-03-01").relationship_invitations.is_empty());
    let x = e.explain("c1", paris_night("2027-03-01")).unwrap();
    assert_eq!(x.relationship.len(), 2, "{:?}", x.relationship);
}

#[test]
fn p7_with_p2_and_p3_tonights_invitation_holds_every_record_of_the_person() {
    let e = engine();
    set_policy(&e, |p| {
        p.one_person_per_contact = true;
        p.min_gap_days = 30;
        p.relationship_every_months = 12;
        p.active_within_days = 30;
    });
    // d bought ten days ago: tonight it is a candidate the batch does not name.
    let mut b = batch(
        "paris",
        "2026-11-10",
        &[],
        vec![sale("t0", Some("d"), Some("2026-11-10T12:00:00+01:00"))],
    );
    b.customers = vec![Customer::with_email("d", "d@x.com")];
    e.sync(&b, paris_night("2026-11-10")).unwrap();
    // a and b are one person (P3): a's later sale wins the transactional invitation, and
    // that invitation holds both records for the relationship survey (P2's minimum gap).
    let mut b = batch(
        "paris",
        "2026-11-20",
        &[],
        vec![
            sale("t1", Some("a"), Some("2026-11-20T18:00:00+01:00")),
            sale("t2", Some("b"), Some("2026-11-20T10:00:00+01:00")),
        ],
    );
    b.customers = vec![
        Customer::with_email("a", "a@x.com"),
        Customer::with_email("b", "A@x.com "),
    ];
    let r = e.sync(&b, paris_night("2026-11-20")).unwrap();
    assert_eq!(invited(&r), ["t1"]);
    assert!(r.relationship_invitations.is_empty(), "{r:?}");
    let rel = |id: &str| {
        let x = e.explain(id, paris_night("2026-11-20")).unwrap();
        x.relationship.last().cloned().unwrap()
    };
    let (a, b, d) = (rel("a"), rel("b"), rel("d"));
    assert_eq!(a.reason, Some(SkipReason::ContactCap));
    assert_eq!(a.eligible_again_on, Some(day("2026-12-20")));
    assert_eq!(a.related_customer, None);
    assert_eq!(b.reason, Some(SkipReason::ContactCap));
    assert_eq!(b.eligible_again_on, Some(day("2026-12-20")));
    assert_eq!(b.related_customer.as_deref(), Some("a"));
    // d's own invitation of the 10th holds it until 30 days after.
    assert_eq!(d.reason, Some(SkipReason::ContactCap));
    assert_eq!(d.eligible_again_on, Some(day("2026-12-10")));
}

#[test]
fn p7_relationship_survey_applies_e3_and_stores_the_skip_once() {
    let e = engine();
    night(&e, "2026-11-20", &["c1"]);
    e.unsubscribe_customer("c1", paris_night("2026-11-20"))
        .unwrap();
    set_policy(&e, |p| p.relationship_every_months = 6);
    for d in ["2026-11-21", "2026-11-22"] {
        let r = quiet_night(&e, "paris", d, paris_night(d));
        assert!(r.relationship_invitations.is_empty());
    }
    let x = e.explain("c1", paris_night("2026-11-22")).unwrap();
    assert_eq!(x.relationship.len(), 1, "the same skip is stored once");
    assert_eq!(x.relationship[0].reason, Some(SkipReason::Unsubscribed));
}

#[test]
fn p8_every_new_reason_has_a_name_a_code_and_words_in_p8_order() {
    let names: Vec<&str> = SkipReason::ALL.iter().map(|r| r.as_str()).collect();
    let pos = |n: &str| names.iter().position(|x| *x == n).unwrap();
    assert!(pos("excluded") < pos("refunded") && pos("refunded") < pos("location_disabled"));
    assert!(pos("cooldown") < pos("contact_cap") && pos("contact_cap") < pos("one_per_batch"));
    assert!(pos("one_per_batch") < pos("quota_reached"));
    assert!(pos("quota_reached") < pos("not_sampled") && pos("not_sampled") < pos("daily_cap"));
    for r in SkipReason::ALL {
        assert_eq!(SkipReason::parse(r.as_str()), Some(r));
        for lang in ["en", "fr", "ko"] {
            assert!(!r.describe_in(lang).is_empty(), "{r} in {lang}");
        }
    }
    assert_ne!(
        SkipReason::DailyCap.describe_in("fr"),
        SkipReason::DailyCap.describe_in("en")
    );
}

#[test]
fn p5_retries_and_resends_wait_for_the_next_send_slot() {
    let e = engine();
    // Paris sends on Tuesdays only.
    e.set_calendar(&Calendar {
        send_weekdays: vec![Weekday::Tuesday],
        ..Calendar::default()
    })
    .unwrap();
    let r = night(&e, "2026-11-23", &["c1"]);
    // Monday's sale: due Tuesday 24th at 10:00.
    assert_eq!(r.invitations[0].due_at, at("2026-11-24T09:00:00Z"));
    let m = e.claim(10, at("2026-11-24T09:00:00Z")).unwrap().remove(0);
    // A failed delivery on Tuesday retries five minutes later, still Tuesday…
    let hearken::FailOutcome::Retry { retry_at } = e
        .fail(
            &m.message_id,
            "mailbox full",
            false,
            at("2026-11-24T23:00:00Z"),
        )
        .unwrap()
    else {
        panic!("retried");
    };
    // … which is Wednesday in Paris: the next Tuesday's send hour.
    assert_eq!(retry_at, at("2026-12-01T09:00:00Z"));
    // A resend asked for on Thursday waits for Tuesday too.
    let id = e.resend(
        r.invitations[0].invitation_id,
        None,
        at("2026-11-26T09:00:00Z"),
    );
    assert!(id.is_ok());
    assert!(e.claim(10, at("2026-11-30T09:00:00Z")).unwrap().is_empty());
    let due = e.claim(10, at("2026-12-01T09:00:00Z")).unwrap();
    assert_eq!(due.len(), 2, "the retry and the resend, on Tuesday");
}
