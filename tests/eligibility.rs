//! E1–E9 through the public API: who gets a survey at the nightly sync.

mod common;

use common::{at, batch, day, engine, invited, paris_night, sale, skipped as reasons};
use hearken::{Channel, Customer, Engine, ErrorKind, Settings, SkipReason};

#[test]
fn e1_unfinalized_sale_is_skipped_then_evaluated_once_finalized() {
    let e = engine();
    let r = e
        .sync(
            &batch(
                "paris",
                "2026-11-20",
                &["c1"],
                vec![sale("t1", Some("c1"), None)],
            ),
            paris_night("2026-11-20"),
        )
        .unwrap();
    assert_eq!(reasons(&r), vec![("t1".into(), SkipReason::NotFinalized)]);
    assert!(r.invitations.is_empty());
    let r = e
        .sync(
            &batch(
                "paris",
                "2026-11-21",
                &["c1"],
                vec![sale("t1", Some("c1"), Some("2026-11-21T09:00:00+01:00"))],
            ),
            paris_night("2026-11-21"),
        )
        .unwrap();
    assert_eq!(invited(&r), vec!["t1"]);
    assert_eq!(r.transactions_updated, 1);
}

#[test]
fn e2_communications_off_and_host_exclusion() {
    let e = engine();
    let mut b = batch(
        "paris",
        "2026-11-20",
        &["c1", "c2"],
        vec![
            sale("t1", Some("c1"), Some("2026-11-20T10:00:00+01:00")),
            sale("t2", Some("c2"), Some("2026-11-20T10:00:00+01:00")),
        ],
    );
    b.customers[0].include_in_communications = false;
    b.transactions[1].exclude = true;
    let r = e.sync(&b, paris_night("2026-11-20")).unwrap();
    assert_eq!(
        reasons(&r),
        vec![
            ("t1".into(), SkipReason::CommunicationsOff),
            ("t2".into(), SkipReason::Excluded)
        ]
    );
}

#[test]
fn e3_unsubscribe_before_any_survey_holds_at_every_location_and_survives_resync() {
    let e = engine();
    e.sync(
        &batch("paris", "2026-11-19", &["c1"], vec![]),
        paris_night("2026-11-19"),
    )
    .unwrap();
    e.unsubscribe_customer("c1", at("2026-11-20T08:00:00Z"))
        .unwrap();
    let status = e.explain("c1", at("2026-11-20T09:00:00Z")).unwrap();
    assert!(
        status.unsubscribed,
        "status shows the unsubscribe before any survey"
    );
    assert_eq!(status.unsubscribed_at, Some(at("2026-11-20T08:00:00Z")));
    // Seoul sells to the same customer, re-sending the record: still unsubscribed.
    let r = e
        .sync(
            &batch(
                "seoul",
                "2026-11-21",
                &["c1"],
                vec![sale("t1", Some("c1"), Some("2026-11-21T15:00:00+09:00"))],
            ),
            at("2026-11-21T14:00:00Z"),
        )
        .unwrap();
    assert_eq!(reasons(&r), vec![("t1".into(), SkipReason::Unsubscribed)]);
    assert!(
        e.explain("c1", at("2026-11-22T00:00:00Z"))
            .unwrap()
            .unsubscribed
    );
}

#[test]
fn e3_contacts_match_trimmed_lowercased_and_in_e164() {
    let e = engine();
    e.set_settings(&Settings {
        default_country_code: 33,
        ..Settings::default()
    })
    .unwrap();
    e.unsubscribe_contact(" ALICE@Example.com", at("2026-11-20T08:00:00Z"))
        .unwrap();
    let mut b = batch(
        "paris",
        "2026-11-20",
        &["alice"],
        vec![sale("t1", Some("alice"), Some("2026-11-20T10:00:00+01:00"))],
    );
    b.customers[0].email = Some("alice@example.COM ".into());
    let r = e.sync(&b, paris_night("2026-11-20")).unwrap();
    assert_eq!(reasons(&r), vec![("t1".into(), SkipReason::Unsubscribed)]);

    // SMS channel: a local French number matches its E.164 unsubscribe.
    let e = engine();
    e.set_settings(&Settings {
        default_country_code: 33,
        channel: Channel::Sms,
        ..Settings::default()
    })
    .unwrap();
    e.unsubscribe_contact("+33 6 12 34 56 78", at("2026-11-20T08:00:00Z"))
        .unwrap();
    let mut b = batch(
        "paris",
        "2026-11-20",
        &["bob", "carol"],
        vec![
            sale("t1", Some("bob"), Some("2026-11-20T10:00:00+01:00")),
            sale("t2", Some("carol"), Some("2026-11-20T10:00:00+01:00")),
        ],
    );
    b.customers[0].phone = Some("06.12.34.56.78".into());
    b.customers[1].phone = Some("06 99 88 77 66".into());
    let r = e.sync(&b, paris_night("2026-11-20")).unwrap();
    assert_eq!(reasons(&r), vec![("t1".into(), SkipReason::Unsubscribed)]);
    assert_eq!(invited(&r), vec!["t2"]);
    assert_eq!(r.invitations[0].channel, Channel::Sms);
}

/// A batch at `location` on `date` where customer `c1` has e-mail `email` and buys `t`.
fn c1_buys(
    location: &str,
    date: &str,
    email: &str,
    t: &str,
    finalized: &str,
) -> hearken::SyncBatch {
    let mut b = batch(
        location,
        date,
        &["c1"],
        vec![sale(t, Some("c1"), Some(finalized))],
    );
    b.customers[0].email = Some(email.into());
    b
}

#[test]
fn e3_unsubscribed_customer_stays_unsubscribed_when_a_later_batch_brings_a_new_email() {
    let e = engine();
    e.sync(
        &c1_buys(
            "paris",
            "2026-11-19",
            "old@example.com",
            "t0",
            "2026-11-19T10:00:00+01:00",
        ),
        paris_night("2026-11-19"),
    )
    .unwrap();
    e.unsubscribe_customer("c1", at("2026-11-20T08:00:00Z"))
        .unwrap();
    // Seoul sends the customer with a new e-mail: still unsubscribed, no survey.
    let r = e
        .sync(
            &c1_buys(
                "seoul",
                "2026-11-21",
                "new@example.com",
                "t1",
                "2026-11-21T15:00:00+09:00",
            ),
            at("2026-11-21T14:00:00Z"),
        )
        .unwrap();
    assert_eq!(r.customers_updated, 1, "the new e-mail was stored");
    assert_eq!(reasons(&r), vec![("t1".into(), SkipReason::Unsubscribed)]);
    let x = e.explain("c1", at("2026-11-22T00:00:00Z")).unwrap();
    assert!(x.unsubscribed, "explain says unsubscribed: yes");
    assert_eq!(x.unsubscribed_at, Some(at("2026-11-20T08:00:00Z")));
}

#[test]
fn e3_unsubscribe_by_contact_holds_for_its_customer_after_they_change_email() {
    let e = engine();
    // c1 is known with old@ before the unsubscribe; c2 gets the unsubscribed address only
    // afterwards; c3 never has it.
    e.sync(
        &c1_buys(
            "paris",
            "2026-11-19",
            "old@example.com",
            "t0",
            "2026-11-19T10:00:00+01:00",
        ),
        paris_night("2026-11-19"),
    )
    .unwrap();
    e.unsubscribe_contact("OLD@example.com ", at("2026-11-20T08:00:00Z"))
        .unwrap();
    let mut b = batch("paris", "2026-11-20", &["c2", "c3"], vec![]);
    b.customers[0].email = Some("old@example.com".into());
    e.sync(&b, paris_night("2026-11-20")).unwrap();

    // Both change e-mail; c3 and a stranger with the old address show the contact rule.
    let mut b = batch(
        "seoul",
        "2026-11-22",
        &["c1", "c2", "c3", "c4"],
        vec![
            sale("t1", Some("c1"), Some("2026-11-22T15:00:00+09:00")),
            sale("t2", Some("c2"), Some("2026-11-22T15:00:00+09:00")),
            sale("t3", Some("c3"), Some("2026-11-22T15:00:00+09:00")),
            sale("t4", Some("c4"), Some("2026-11-22T15:00:00+09:00")),
        ],
    );
    b.customers[0].email = Some("c1.new@example.com".into());
    b.customers[1].email = Some("c2.new@example.com".into());
    b.customers[3].email = Some("old@example.com".into());
    let r = e.sync(&b, at("2026-11-22T14:00:00Z")).unwrap();
    assert_eq!(
        reasons(&r),
        vec![
            ("t1".into(), SkipReason::Unsubscribed),
            ("t2".into(), SkipReason::Unsubscribed),
            ("t4".into(), SkipReason::Unsubscribed),
        ],
        "the customers who had the contact and the contact itself stay unsubscribed"
    );
    assert_eq!(invited(&r), vec!["t3"]);
    for c in ["c1", "c2"] {
        let x = e.explain(c, at("2026-11-23T00:00:00Z")).unwrap();
        assert!(x.unsubscribed, "{c}: explain says unsubscribed: yes");
        assert_eq!(x.unsubscribed_at, Some(at("2026-11-20T08:00:00Z")), "{c}");
    }
    assert!(
        !e.explain("c3", at("2026-11-23T00:00:00Z"))
            .unwrap()
            .unsubscribed
    );
}

#[test]
fn e4_explain_reads_the_cooldown_on_the_locations_business_date_not_utc() {
    let e = engine();
    e.upsert_location(&hearken::Location::new(
        "toronto",
        "Toronto",
        "America/Toronto",
    ))
    .unwrap();
    let r = e
        .sync(
            &batch(
                "toronto",
                "2026-11-20",
                &["c1"],
                vec![sale("t1", Some("c1"), Some("2026-11-20T12:00:00-05:00"))],
            ),
            at("2026-11-21T04:00:00Z"), // 23:00 in Toronto
        )
        .unwrap();
    assert_eq!(invited(&r), vec!["t1"]);
    // 2027-02-19 at 19:00 in Toronto is 2027-02-20 00:00 UTC: the last day of the
    // cooldown there, while the UTC date is already the day it ends.
    let x = e.explain("c1", at("2027-02-20T00:00:00Z")).unwrap();
    assert_eq!(x.eligible_again_on, Some(day("2027-02-20")));
    // The same evening, a Toronto sale is still decided as cooldown.
    let r = e
        .sync(
            &batch(
                "toronto",
                "2027-02-19",
                &["c1"],
                vec![sale("t2", Some("c1"), Some("2027-02-19T12:00:00-05:00"))],
            ),
            at("2027-02-20T00:00:00Z"),
        )
        .unwrap();
    assert_eq!(r.skipped[0].reason, SkipReason::Cooldown);
    // At midnight in Toronto the cooldown is over.
    let x = e.explain("c1", at("2027-02-20T05:00:00Z")).unwrap();
    assert_eq!(x.eligible_again_on, None);
}

#[test]
fn e4_one_invitation_per_cooldown_store_wide_clamped_to_month_end() {
    let e = engine();
    let r = e
        .sync(
            &batch(
                "paris",
                "2026-11-30",
                &["c1"],
                vec![sale("t1", Some("c1"), Some("2026-11-30T10:00:00+01:00"))],
            ),
            paris_night("2026-11-30"),
        )
        .unwrap();
    assert_eq!(invited(&r), vec!["t1"]);
    // Another location, two weeks later: cooldown until Feb 28 (Nov 30 + 3 months).
    let r = e
        .sync(
            &batch(
                "seoul",
                "2026-12-15",
                &["c1"],
                vec![sale("t2", Some("c1"), Some("2026-12-15T12:00:00+09:00"))],
            ),
            at("2026-12-15T14:00:00Z"),
        )
        .unwrap();
    assert_eq!(r.skipped[0].reason, SkipReason::Cooldown);
    assert_eq!(r.skipped[0].eligible_again_on, Some(day("2027-02-28")));
    let r = e
        .sync(
            &batch(
                "paris",
                "2027-02-27",
                &["c1"],
                vec![sale("t3", Some("c1"), Some("2027-02-27T10:00:00+01:00"))],
            ),
            paris_night("2027-02-27"),
        )
        .unwrap();
    assert_eq!(r.skipped[0].reason, SkipReason::Cooldown, "one day early");
    let r = e
        .sync(
            &batch(
                "paris",
                "2027-02-28",
                &["c1"],
                vec![sale("t4", Some("c1"), Some("2027-02-28T10:00:00+01:00"))],
            ),
            paris_night("2027-02-28"),
        )
        .unwrap();
    assert_eq!(
        invited(&r),
        vec!["t4"],
        "eligible again on the clamped date"
    );
}

#[test]
fn e4_failed_or_cancelled_invitation_releases_the_cooldown() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("h.db");
    let e = Engine::open(&path).unwrap();
    e.upsert_location(&hearken::Location::new("paris", "Paris", "Europe/Paris"))
        .unwrap();
    e.sync(
        &batch(
            "paris",
            "2026-11-20",
            &["c1"],
            vec![sale("t1", Some("c1"), Some("2026-11-20T10:00:00+01:00"))],
        ),
        paris_night("2026-11-20"),
    )
    .unwrap();
    // The outbox gives up on the invitation before delivery: a permanent failure.
    let now = "2026-11-21T09:00:00Z".parse().unwrap();
    let m = e.claim(10, now).unwrap().remove(0);
    e.fail(&m.message_id, "mailbox does not exist", true, now)
        .unwrap();
    let r = e
        .sync(
            &batch(
                "paris",
                "2026-11-21",
                &["c1"],
                vec![sale("t2", Some("c1"), Some("2026-11-21T10:00:00+01:00"))],
            ),
            paris_night("2026-11-21"),
        )
        .unwrap();
    assert_eq!(invited(&r), vec!["t2"]);
}

#[test]
fn e5_one_invitation_per_batch_on_the_latest_transaction_tie_larger_host_id() {
    let e = engine();
    let mut b = batch(
        "paris",
        "2026-11-20",
        &["c1", "c2"],
        vec![
            sale("t1", Some("c1"), Some("2026-11-20T10:00:00+01:00")),
            sale("t2", Some("c1"), Some("2026-11-20T16:00:00+01:00")),
            sale("t3", Some("c1"), Some("2026-11-20T12:00:00+01:00")),
            sale("a9", Some("c2"), Some("2026-11-20T12:00:00+01:00")),
            sale("b1", Some("c2"), Some("2026-11-20T12:00:00+01:00")),
        ],
    );
    b.employees = vec![hearken::Employee {
        id: "tech".into(),
        name: None,
        role: hearken::Role::Technician,
    }];
    b.transactions[1].employees = vec!["tech".into()];
    let r = e.sync(&b, paris_night("2026-11-20")).unwrap();
    assert_eq!(invited(&r), vec!["t2", "b1"]);
    assert_eq!(
        reasons(&r),
        vec![
            ("t1".into(), SkipReason::OnePerBatch),
            ("t3".into(), SkipReason::OnePerBatch),
            ("a9".into(), SkipReason::OnePerBatch)
        ]
    );
}

#[test]
fn e6_anonymous_sale_and_malformed_contact_is_stored_flagged_not_rejected() {
    let e = engine();
    let mut b = batch(
        "paris",
        "2026-11-20",
        &["c1", "c2"],
        vec![
            sale("t1", None, Some("2026-11-20T10:00:00+01:00")),
            sale("t2", Some("c1"), Some("2026-11-20T10:00:00+01:00")),
            sale("t3", Some("c2"), Some("2026-11-20T10:00:00+01:00")),
        ],
    );
    b.customers[0].email = Some("not-an-email".into());
    b.customers[1].email = None;
    let r = e.sync(&b, paris_night("2026-11-20")).unwrap();
    assert_eq!(
        reasons(&r),
        vec![
            ("t1".into(), SkipReason::Anonymous),
            ("t2".into(), SkipReason::NoUsableContact),
            ("t3".into(), SkipReason::NoUsableContact)
        ]
    );
    assert_eq!(r.customers_created, 2);
    let x = e.explain("c1", paris_night("2026-11-20")).unwrap();
    assert!(!x.email_usable);
}

#[test]
fn e7_disabled_location_sends_nothing_and_the_last_enabled_one_stays() {
    let e = engine();
    e.set_location_enabled("seoul", false).unwrap();
    let r = e
        .sync(
            &batch(
                "seoul",
                "2026-11-21",
                &["c1"],
                vec![sale("t1", Some("c1"), Some("2026-11-21T15:00:00+09:00"))],
            ),
            at("2026-11-21T14:00:00Z"),
        )
        .unwrap();
    assert_eq!(
        reasons(&r),
        vec![("t1".into(), SkipReason::LocationDisabled)]
    );
    let err = e.set_location_enabled("paris", false).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Conflict);
    assert!(e.location("paris").unwrap().enabled);
    let mut paris = e.location("paris").unwrap();
    paris.enabled = false;
    assert_eq!(
        e.upsert_location(&paris).unwrap_err().kind(),
        ErrorKind::Conflict
    );
    e.set_location_enabled("seoul", true).unwrap();
    e.set_location_enabled("paris", false).unwrap();
}

#[test]
fn e8_rerunning_a_batch_creates_nothing_and_changes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("h.db");
    let e = Engine::open(&path).unwrap();
    e.upsert_location(&hearken::Location::new("paris", "Paris", "Europe/Paris"))
        .unwrap();
    let b = batch(
        "paris",
        "2026-11-20",
        &["c1", "c2"],
        vec![
            sale("t1", Some("c1"), Some("2026-11-20T10:00:00+01:00")),
            sale("t2", Some("c2"), Some("2026-11-20T10:00:00+01:00")),
        ],
    );
    let first = e.sync(&b, paris_night("2026-11-20")).unwrap();
    assert_eq!(first.invitations.len(), 2);
    let before = common::dump(&path);
    let again = e
        .sync(
            &b,
            paris_night("2026-11-20") + chrono::TimeDelta::minutes(5),
        )
        .unwrap();
    assert!(again.invitations.is_empty());
    assert_eq!(
        reasons(&again),
        vec![
            ("t1".into(), SkipReason::AlreadyInvited),
            ("t2".into(), SkipReason::AlreadyInvited)
        ]
    );
    assert!(again.skipped.iter().all(|s| s.repeat));
    assert_eq!(
        (
            again.customers_created,
            again.customers_updated,
            again.transactions_created
        ),
        (0, 0, 0)
    );
    assert_eq!(before, common::dump(&path), "a re-run writes nothing");
    // A later batch repeating t1 next to a new sale of the same customer.
    let r = e
        .sync(
            &batch(
                "paris",
                "2026-11-21",
                &["c1"],
                vec![
                    sale("t1", Some("c1"), Some("2026-11-20T10:00:00+01:00")),
                    sale("t9", Some("c1"), Some("2026-11-21T10:00:00+01:00")),
                ],
            ),
            paris_night("2026-11-21"),
        )
        .unwrap();
    assert_eq!(
        reasons(&r),
        vec![
            ("t1".into(), SkipReason::AlreadyInvited),
            ("t9".into(), SkipReason::Cooldown)
        ]
    );
}

#[test]
fn e9_decisions_are_stored_and_never_change_with_settings() {
    let e = engine();
    for (date, id) in [("2026-11-20", "t1"), ("2026-11-21", "t2")] {
        e.sync(
            &batch(
                "paris",
                date,
                &["c1"],
                vec![sale(
                    id,
                    Some("c1"),
                    Some(&format!("{date}T10:00:00+01:00")),
                )],
            ),
            paris_night(date),
        )
        .unwrap();
    }
    let x = e.explain("c1", paris_night("2026-11-21")).unwrap();
    assert_eq!(x.decisions.len(), 2);
    assert_eq!(x.decisions[0].transaction, "t2");
    assert_eq!(x.decisions[0].reason, Some(SkipReason::Cooldown));
    assert_eq!(x.decisions[0].eligible_again_on, Some(day("2027-02-20")));
    assert_eq!(x.decisions[1].invitation_id, Some(1));
    assert_eq!(x.eligible_again_on, Some(day("2027-02-20")));
    // Settings change later: the stored answer does not.
    e.set_settings(&Settings {
        cooldown_months: 1,
        ..Settings::default()
    })
    .unwrap();
    let again = e.explain("c1", paris_night("2026-11-21")).unwrap();
    assert_eq!(again.decisions, x.decisions);
    let lines = again.lines().join("\n");
    assert!(
        lines.contains("t2: no survey on 2026-11-21 (paris)"),
        "{lines}"
    );
    assert!(lines.contains("eligible again on 2027-02-20"), "{lines}");
}

#[test]
fn e9_explain_unknown_customer_is_not_found() {
    let e = engine();
    assert_eq!(
        e.explain("nobody", paris_night("2026-11-20"))
            .unwrap_err()
            .kind(),
        ErrorKind::NotFound
    );
    assert_eq!(
        e.unsubscribe_customer("nobody", paris_night("2026-11-20"))
            .unwrap_err()
            .kind(),
        ErrorKind::NotFound
    );
    let err = e
        .unsubscribe_contact("not a contact", paris_night("2026-11-20"))
        .unwrap_err();
    assert_eq!(err.problems()[0].field, "contact");
}

#[test]
fn e6_customer_without_contact_for_the_channel() {
    let e = engine();
    let mut b = batch(
        "paris",
        "2026-11-20",
        &[],
        vec![sale("t1", Some("c1"), Some("2026-11-20T10:00:00+01:00"))],
    );
    b.customers = vec![Customer {
        phone: Some("+33612345678".into()),
        email: None,
        ..Customer::with_email("c1", "")
    }];
    let r = e.sync(&b, paris_night("2026-11-20")).unwrap();
    assert_eq!(
        reasons(&r),
        vec![("t1".into(), SkipReason::NoUsableContact)]
    );
}
