//! T3: one range of instants, 1970-01-01T00:00:00.000Z to 9999-12-31T23:59:59.999Z, for
//! every instant-taking call of the Rust door. Inside it no call panics or fails
//! internally; outside it the call is invalid input naming the argument; and rows stored
//! at the ends of the range never make a later report fail.

// Engine::nps and Engine::ratings are deprecated (Engine::scores reads the rollups), but
// they must keep working: these tests hold them to it.
#![allow(deprecated)]

mod common;

use std::panic::{AssertUnwindSafe, catch_unwind};

use chrono::{DateTime, NaiveDate, TimeDelta, Utc};
use common::{at, batch, paris_night, sale};
use hearken::{
    AGGREGATE_FORMAT, AggregateBundle, AlertSettings, AlertStatus, Answer, Bucket, CommentKind,
    CustomerEmail, Engine, Error, ErrorKind, ExportQuery, ExternalReview, FeedbackInput,
    FeedbackQuery, FeedbackSettings, InteractionInput, InteractionMethod, Location, Period,
    ReplyInput, ReportQuery, ResponseInput, ScoreQuery, Sentiment, SuppressionBundle, SyncBatch,
    User, UserRole,
};
use proptest::prelude::*;

const DUE: &str = "2026-11-21T09:00:00Z";

fn min() -> DateTime<Utc> {
    DateTime::UNIX_EPOCH
}

fn max() -> DateTime<Utc> {
    at("9999-12-31T23:59:59.999Z")
}

fn ms(n: i64) -> TimeDelta {
    TimeDelta::milliseconds(n)
}

/// The ends of the range, one millisecond inside them, and DST edges.
fn inside() -> Vec<DateTime<Utc>> {
    vec![
        min(),
        min() + ms(1),
        max() - ms(1),
        max(),
        // Paris springs forward at 01:00 UTC, falls back at 01:00 UTC.
        at("2026-03-29T01:00:00Z"),
        at("2026-03-29T00:59:59.999Z"),
        at("2026-10-25T01:00:00Z"),
        // Toronto falls back at 06:00 UTC (02:00 EDT), springs forward at 07:00 UTC.
        at("2026-11-01T06:00:00Z"),
        at("2026-11-01T05:59:59.999Z"),
        at("2026-03-08T07:00:00Z"),
        // The last local day of the range in Seoul, Paris and Toronto.
        at("9999-12-30T15:00:00Z"),
        at("9999-12-31T04:59:59.999Z"),
    ]
}

/// Instants just outside the range, and the ends of what chrono can hold.
fn outside() -> Vec<DateTime<Utc>> {
    vec![
        min() - ms(1),
        max() + ms(1),
        DateTime::<Utc>::MIN_UTC,
        DateTime::<Utc>::MAX_UTC,
        at("1969-12-31T23:00:00Z"),
        at("+10000-01-01T00:00:00Z"),
    ]
}

/// The store every case starts from: Paris and Toronto, users, an alert, delivered and
/// answered invitations.
struct World {
    engine: Engine,
    token: String,
    message: String,
    invitation: i64,
    response: i64,
    alert: i64,
}

fn world() -> World {
    let e = common::open_store();
    e.upsert_location(&Location::new("paris", "Boutique Paris", "Europe/Paris"))
        .unwrap();
    e.upsert_location(&Location::new(
        "toronto",
        "Toronto Store",
        "America/Toronto",
    ))
    .unwrap();
    e.upsert_location(&Location::new("seoul", "서울 매장", "Asia/Seoul"))
        .unwrap();
    e.upsert_user(&User::new(
        "owner",
        "Claire Owner",
        "owner@store.example",
        UserRole::Owner,
    ))
    .unwrap();
    e.upsert_user(&User::new(
        "amelie",
        "Amélie",
        "amelie@store.example",
        UserRole::Manager,
    ))
    .unwrap();
    e.assign_alerts(hearken::AlertKind::UnhappyCustomer, None, "amelie")
        .unwrap();
    e.set_alert_settings(&AlertSettings {
        escalate_after_hours: 1,
        ..AlertSettings::default()
    })
    .unwrap();
    e.set_feedback_settings(&FeedbackSettings {
        non_respondent_reminder_days: 3,
        ..FeedbackSettings::default()
    })
    .unwrap();
    e.sync(
        &batch(
            "paris",
            "2026-11-20",
            &["a", "b", "c"],
            vec![
                sale("t-a", Some("a"), Some("2026-11-20T10:00:00+01:00")),
                sale("t-b", Some("b"), Some("2026-11-20T11:00:00+01:00")),
                sale("t-c", Some("c"), Some("2026-11-20T12:00:00+01:00")),
            ],
        ),
        paris_night("2026-11-20"),
    )
    .unwrap();
    let mut links = Vec::new();
    for m in common::deliver(&e, 10, at(DUE)) {
        let token = common::link_token(&m.survey_link.unwrap());
        links.push((m.customer.unwrap(), token, m.invitation_id.unwrap()));
    }
    links.sort();
    // `a` answers as a detractor with consent: an alert and a thread.
    let outcome = e
        .record_response(&links[0].1, &answer(2, true), at(DUE))
        .unwrap();
    let alert = e.alerts(&hearken::AlertQuery::default()).unwrap()[0].id;
    // A claimed, unacked message for ack/fail.
    e.resend(links[1].2, None, at(DUE)).unwrap();
    let message = e.claim(1, at(DUE)).unwrap().remove(0).message_id;
    World {
        engine: e,
        token: links[2].1.clone(),
        message,
        invitation: links[1].2,
        response: outcome.response_id,
        alert,
    }
}

fn answer(score: u32, consent: bool) -> ResponseInput {
    ResponseInput {
        answers: vec![Answer {
            question: "recommend".into(),
            score: Some(score),
            ..Answer::default()
        }],
        consent_to_reply: consent,
    }
}

/// A Paris batch for the business date of `now` (an ordinary date if `now` is out of
/// the range), its sale finalized at `now`.
fn night_of(e: &Engine, now: DateTime<Utc>, id: &str) -> SyncBatch {
    let date = e
        .sync_window("paris", now)
        .map(|w| w.today)
        .unwrap_or(day(2026, 11, 21));
    let mut b = SyncBatch::new("paris", date);
    b.customers = vec![hearken::Customer::with_email(
        id,
        &format!("{id}@example.com"),
    )];
    let mut t = sale(&format!("t-{id}"), Some(id), None);
    t.finalized_at = Some(now.fixed_offset());
    b.transactions = vec![t];
    b
}

fn day(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).unwrap()
}

fn report(period: Period) -> ReportQuery {
    ReportQuery {
        period,
        ..ReportQuery::default()
    }
}

fn periods() -> Vec<Period> {
    vec![
        Period::AllTime,
        Period::CurrentMonth,
        Period::LastMonth,
        Period::Custom {
            from: day(1970, 1, 1),
            to: day(9999, 12, 31),
        },
        Period::Custom {
            from: day(9999, 12, 31),
            to: day(9999, 12, 31),
        },
        Period::Between {
            from: min(),
            to: max(),
        },
    ]
}

type Outcome = (&'static str, hearken::Result<()>);

fn ok<T>(r: hearken::Result<T>) -> hearken::Result<()> {
    r.map(|_| ())
}

/// Every call of the Rust door that takes `now`, at `now`.
fn calls_at(w: &World, now: DateTime<Utc>) -> Vec<Outcome> {
    let e = &w.engine;
    let mut out: Vec<Outcome> = vec![
        ("sync", ok(e.sync(&night_of(e, now, "n1"), now))),
        (
            "sync_json",
            ok(e.sync_json(&hearken::wire::to_json(&night_of(e, now, "n2")), now)),
        ),
        (
            "backfill_reader",
            ok(e.backfill_reader(
                format!("{}\n", hearken::wire::to_json(&night_of(e, now, "n3"))).as_bytes(),
                now,
                |_| {},
            )),
        ),
        ("sync_window", ok(e.sync_window("toronto", now))),
        ("next_sync_at", ok(e.next_sync_at("seoul", now))),
        ("next_sync_at paris", ok(e.next_sync_at("paris", now))),
        ("explain", ok(e.explain("a", now))),
        (
            "unsubscribe_contact",
            ok(e.unsubscribe_contact("zz@example.com", now)),
        ),
        ("unsubscribe_customer", ok(e.unsubscribe_customer("c", now))),
        (
            "import_suppressions",
            ok(e.import_suppressions(
                &SuppressionBundle {
                    format: 1,
                    hashes: vec![],
                },
                "other",
                now,
            )),
        ),
        ("claim", ok(e.claim(10, now))),
        ("fail", ok(e.fail(&w.message, "bounced", false, now))),
        ("ack", ok(e.ack(&w.message, now))),
        ("resend", ok(e.resend(w.invitation, Some("fr"), now))),
        ("claim again", ok(e.claim(10, now))),
        (
            "unsubscribe_by_token",
            ok(e.unsubscribe_by_token("0123456789abcdef0123456789abcdef", now)),
        ),
        ("survey_page", ok(e.survey_page(&w.token, None, now))),
        (
            "mint_receipt_link",
            ok(e.mint_receipt_link("paris", None, now)),
        ),
        (
            "record_feedback",
            ok(e.record_feedback(
                &FeedbackInput {
                    location: "toronto".into(),
                    transaction: None,
                    customer: None,
                    sentiment: Sentiment::Negative,
                    facets: vec![],
                    comment: Some("cold coffee".into()),
                    consent_to_reply: false,
                },
                now,
            )),
        ),
        ("review_clicked", ok(e.review_clicked(w.response, now))),
        ("review_confirmed", ok(e.review_confirmed(w.response, now))),
        (
            "record_interaction",
            ok(e.record_interaction(
                w.alert,
                &InteractionInput {
                    method: InteractionMethod::Phone,
                    note: "called".into(),
                    user: "amelie".into(),
                },
                now,
            )),
        ),
        (
            "reassign_alert",
            ok(e.reassign_alert(w.alert, "owner", now)),
        ),
        (
            "email_customer",
            ok(e.email_customer(
                w.alert,
                &CustomerEmail {
                    user: "amelie".into(),
                    subject: "Sorry".into(),
                    body: "We are sorry.".into(),
                },
                now,
            )),
        ),
        (
            "record_inbound_reply",
            ok(e.record_inbound_reply("reply+nothing@reply.feedback.example.com", "hi", now)),
        ),
        (
            "reply",
            ok(e.reply(
                w.response,
                &ReplyInput {
                    user: "amelie".into(),
                    kind: CommentKind::Reply,
                    body: "Thank you".into(),
                    coupon_code: None,
                    amount_minor: None,
                    currency: None,
                },
                now,
            )),
        ),
        (
            "set_alert_status",
            ok(e.set_alert_status(w.alert, AlertStatus::Done, now)),
        ),
        ("send_follow_up", ok(e.send_follow_up(w.alert, now))),
        (
            "report_review",
            ok(e.report_review(
                &ExternalReview {
                    id: "rv".into(),
                    location: "paris".into(),
                    site: "google".into(),
                    rating: Some(2),
                    posted_at: min(),
                    replied_at: None,
                },
                now,
            )),
        ),
        ("export_aggregates", ok(e.export_aggregates("store-1", now))),
        (
            "import_aggregates",
            ok(e.import_aggregates(
                &AggregateBundle {
                    format: AGGREGATE_FORMAT,
                    store: "peer".into(),
                    created_at: min(),
                    rows: vec![],
                },
                now,
            )),
        ),
        ("erase_customer", ok(e.erase_customer("b", now))),
        (
            "delete_response",
            ok(e.delete_response(w.response, "admin", now)),
        ),
    ];
    out.extend(reports_at(e, now));
    out
}

/// Every report at `now`, over every kind of period.
fn reports_at(e: &Engine, now: DateTime<Utc>) -> Vec<Outcome> {
    let mut out: Vec<Outcome> = Vec::new();
    for p in periods() {
        let q = report(p.clone());
        out.push(("scores", ok(e.scores(&q, now))));
        for b in [Bucket::Day, Bucket::IsoWeek, Bucket::Month] {
            out.push(("score_series", ok(e.score_series(&q, b, now))));
        }
        out.push(("response_rate", ok(e.response_rate(&q, now))));
        out.push(("review_funnel", ok(e.review_funnel(&q, now))));
        out.push((
            "employee_performance",
            ok(e.employee_performance(&q, None, now)),
        ));
        out.push(("unsubscribes", ok(e.unsubscribes(&q, now))));
        out.push(("compare_nps", ok(e.compare_nps(&q, now))));
        for l in ["paris", "toronto", "seoul"] {
            out.push(("period_bounds", ok(e.period_bounds(l, &p, now))));
        }
        let f = FeedbackQuery {
            scope: q,
            ..FeedbackQuery::default()
        };
        out.push(("feedback", ok(e.feedback(&f, now))));
    }
    out
}

/// Calls whose own inputs carry an instant `t` (the clock is an ordinary one).
fn inputs_at(
    e: &Engine,
    t: DateTime<Utc>,
) -> Vec<(&'static str, &'static str, hearken::Result<()>)> {
    let clock = at("2026-11-21T12:00:00Z");
    let q = ScoreQuery {
        location: None,
        from: Some(t),
        to: Some(t),
    };
    let x = ExportQuery {
        location: None,
        from: Some(t),
        to: Some(t),
    };
    let mut old = night_of(e, clock, "in1");
    old.transactions[0].finalized_at = Some(t.fixed_offset());
    vec![
        ("nps", "from", ok(e.nps(&q))),
        ("ratings", "from", ok(e.ratings(&q))),
        ("export_csv", "from", ok(e.export_csv(&x, Vec::new()))),
        ("export_xlsx", "from", ok(e.export_xlsx(&x, Vec::new()))),
        (
            "scores between",
            "period.from",
            ok(e.scores(&report(Period::Between { from: t, to: t }), clock)),
        ),
        (
            "period_bounds between",
            "period.from",
            ok(e.period_bounds("paris", &Period::Between { from: t, to: t }, clock)),
        ),
        (
            "report_review",
            "posted_at",
            ok(e.report_review(
                &ExternalReview {
                    id: "rv2".into(),
                    location: "paris".into(),
                    site: "google".into(),
                    rating: None,
                    posted_at: t,
                    replied_at: Some(t),
                },
                clock,
            )),
        ),
        (
            "import_aggregates",
            "created_at",
            ok(e.import_aggregates(
                &AggregateBundle {
                    format: AGGREGATE_FORMAT,
                    store: "peer2".into(),
                    created_at: t,
                    rows: vec![],
                },
                clock,
            )),
        ),
        ("sync finalized_at", "finalized_at", ok(e.sync(&old, clock))),
    ]
}

/// Runs `f`, turning a panic into a failure naming the call.
fn no_panic<T>(what: &str, f: impl FnOnce() -> T) -> T {
    match catch_unwind(AssertUnwindSafe(f)) {
        Ok(v) => v,
        Err(_) => panic!("{what} panicked"),
    }
}

fn assert_fine(name: &str, now: DateTime<Utc>, r: &hearken::Result<()>) {
    if let Err(err) = r {
        assert_ne!(
            err.kind(),
            ErrorKind::Internal,
            "{name} at {now:?} failed internally: {err}"
        );
        assert_ne!(
            err.kind(),
            ErrorKind::Storage,
            "{name} at {now:?} failed in storage: {err}"
        );
    }
}

fn assert_names(name: &str, t: DateTime<Utc>, r: &hearken::Result<()>, field: &str) {
    let err = r
        .as_ref()
        .err()
        .unwrap_or_else(|| panic!("{name} accepted {t:?}"));
    assert_eq!(
        err.kind(),
        ErrorKind::InvalidInput,
        "{name} at {t:?}: {err}"
    );
    assert!(
        err.problems().iter().any(|p| p.field == field),
        "{name} at {t:?} does not name {field}: {err}"
    );
}

fn check_inside(now: DateTime<Utc>) {
    let w = world();
    for (name, r) in no_panic("a call", || calls_at(&w, now)) {
        assert_fine(name, now, &r);
    }
    for (name, _, r) in no_panic("an input", || inputs_at(&w.engine, now)) {
        assert_fine(name, now, &r);
    }
}

fn check_outside(now: DateTime<Utc>) {
    let w = world();
    for (name, r) in no_panic("a call", || calls_at(&w, now)) {
        assert_names(name, now, &r, "now");
    }
    for (name, field, r) in no_panic("an input", || inputs_at(&w.engine, now)) {
        assert_names(name, now, &r, field);
    }
}

#[test]
fn t3_every_instant_call_accepts_the_range_ends() {
    for now in inside() {
        check_inside(now);
    }
}

#[test]
fn t3_instants_beyond_the_range_are_invalid_input_naming_the_argument() {
    for now in outside() {
        check_outside(now);
    }
}

#[test]
fn t3_period_dates_beyond_the_range_are_invalid_input() {
    let w = world();
    let clock = at("2026-11-21T12:00:00Z");
    let p = Period::Custom {
        from: NaiveDate::MIN,
        to: day(10000, 1, 1),
    };
    let err = w.engine.scores(&report(p.clone()), clock).unwrap_err();
    let fields: Vec<&str> = err.problems().iter().map(|p| p.field.as_str()).collect();
    assert_eq!(fields, ["period.from", "period.to"], "{err}");
    let err = w.engine.period_bounds("paris", &p, clock).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::InvalidInput);
    let mut b = SyncBatch::new("paris", day(1969, 12, 31));
    b.business_dates.push(day(10000, 1, 1));
    let err = w.engine.sync(&b, clock).unwrap_err();
    assert!(
        err.problems()
            .iter()
            .all(|p| p.record == "business_dates" && p.reason.contains("range")),
        "{err}"
    );
}

/// A store with rows at both ends of the range: synced, invited, answered.
fn extremes() -> Engine {
    let w = world();
    let e = w.engine;
    for (i, now) in [min(), min() + ms(1), max() - ms(1), max()]
        .into_iter()
        .enumerate()
    {
        let id = format!("x{i}");
        // A backfill takes any past date; the invitation is due the next morning.
        let line = format!("{}\n", hearken::wire::to_json(&night_of(&e, now, &id)));
        e.backfill_reader(line.as_bytes(), now, |_| {}).unwrap();
        let due = (now + TimeDelta::days(2)).min(max());
        for m in e.claim(100, due).unwrap() {
            let _ = e.ack(&m.message_id, due);
            if let Some(token) = m.survey_link.as_deref().and_then(|l| l.rsplit('/').next()) {
                let _ = e.record_response(token, &answer(3, true), due);
            }
        }
        e.record_feedback(
            &FeedbackInput {
                location: "seoul".into(),
                transaction: None,
                customer: None,
                sentiment: Sentiment::Positive,
                facets: vec![],
                comment: Some("좋아요".into()),
                consent_to_reply: false,
            },
            now,
        )
        .unwrap();
        let _ = e.report_review(
            &ExternalReview {
                id: format!("r{i}"),
                location: "paris".into(),
                site: "google".into(),
                rating: Some(1),
                posted_at: now,
                replied_at: None,
            },
            now,
        );
        e.unsubscribe_contact(&format!("u{i}@example.com"), now)
            .unwrap();
    }
    e
}

fn every_report(e: &Engine, now: DateTime<Utc>) -> Vec<Outcome> {
    let mut out = reports_at(e, now);
    let all = ScoreQuery::default();
    out.push(("nps", ok(e.nps(&all))));
    out.push(("ratings", ok(e.ratings(&all))));
    out.push((
        "export_csv",
        ok(e.export_csv(&ExportQuery::default(), Vec::new())),
    ));
    out.push((
        "export_xlsx",
        ok(e.export_xlsx(&ExportQuery::default(), Vec::new())),
    ));
    out.push(("sync_window", ok(e.sync_window("paris", now))));
    out.push(("explain", ok(e.explain("x0", now))));
    out.push(("at_risk", ok(e.at_risk_customers(None))));
    out.push(("history", ok(e.customer_history("x3", None))));
    out.push(("claim", ok(e.claim(100, now))));
    out.push(("rebuild_rollups", ok(e.rebuild_rollups())));
    out
}

fn instant() -> impl Strategy<Value = DateTime<Utc>> {
    prop_oneof![
        (0i64..=253_402_300_799_999).prop_map(|m| DateTime::from_timestamp_millis(m).unwrap()),
        prop::sample::select(inside()),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    #[test]
    fn t3_rows_stored_at_the_range_ends_never_make_a_report_fail(now in instant()) {
        let e = extremes();
        for (name, r) in no_panic("a report", || every_report(&e, now)) {
            assert_fine(name, now, &r);
        }
    }

    #[test]
    fn t3_random_instants_in_the_range_never_panic(now in instant()) {
        check_inside(now);
    }
}

#[test]
fn t3_rows_at_the_range_ends_survive_a_reopen() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("t3.db");
    {
        let e = Engine::open(&path).unwrap();
        e.upsert_location(&Location::new("paris", "Boutique Paris", "Europe/Paris"))
            .unwrap();
        for (i, now) in [min(), max()].into_iter().enumerate() {
            let line = format!(
                "{}\n",
                hearken::wire::to_json(&night_of(&e, now, &format!("p{i}")))
            );
            e.backfill_reader(line.as_bytes(), now, |_| {}).unwrap();
            let due = (now + TimeDelta::days(2)).min(max());
            for m in common::deliver(&e, 10, due) {
                let token = common::link_token(&m.survey_link.unwrap());
                let _ = e.record_response(&token, &answer(9, false), due);
            }
            e.record_feedback(
                &FeedbackInput {
                    location: "paris".into(),
                    transaction: None,
                    customer: None,
                    sentiment: Sentiment::Negative,
                    facets: vec![],
                    comment: None,
                    consent_to_reply: false,
                },
                now,
            )
            .unwrap();
        }
    }
    let e = Engine::open(&path).unwrap();
    for now in [min(), at("2026-05-04T12:00:00Z"), max()] {
        for b in [Bucket::Day, Bucket::IsoWeek, Bucket::Month] {
            let series =
                no_panic("series", || e.score_series(&ReportQuery::default(), b, now)).unwrap();
            assert!(!series.is_empty());
        }
    }
}

#[test]
fn t3_the_error_for_an_instant_out_of_range_is_typed() {
    let e = common::open_store();
    let err: Error = e.claim(1, max() + ms(1)).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::InvalidInput);
    assert_eq!(err.problems()[0].field, "now");
    assert!(err.problems()[0].reason.contains("9999-12-31"));
}
