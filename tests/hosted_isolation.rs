//! H2 beyond the catalogue: two stores A and B of one database, both with real data (a
//! synced night, delivered invitations, answered surveys, alerts, a customer e-mail, a
//! receipt link), as the engine's role (tests/hosted_common, scripts/pg-cluster.sh).
//!
//! - Every id-taking call of A's `Engine` handed an id that exists only in B answers
//!   `not_found` (the few calls whose answer to an unknown id is another one answer as for an id that
//!   exists nowhere) and changes nothing in
//!   either store. The calls are enumerated from the `Engine` sources, so a call added
//!   later fails this test until it has a row in the table.
//! - With store A set, raw SELECT, UPDATE and DELETE of B's rows, in every store table of
//!   the catalogue, touch 0 rows.
#![cfg(feature = "hosted")]

mod common;
mod hosted_common;

use std::collections::BTreeSet;

use chrono::{DateTime, Utc};
use common::{at, batch, paris_night, sale};
use hearken::hosted::schema::{self, STORE_TABLES};
use hearken::hosted::{PgClient, p};
use hearken::{
    AlertKind, AlertQuery, AlertSettings, AlertStatus, Answer, CommentKind, CustomerEmail,
    CustomerQuery, Engine, ErrorKind, FeedbackInput, FeedbackQuery, InteractionInput,
    InteractionMethod, Location, LocationPolicy, ReplyInput, ReportQuery, ResponseInput,
    ScoreQuery, Sentiment, StoreConfig, User, UserRole,
};
use hosted_common::*;

const DUE: &str = "2026-11-21T09:00:00Z";

/// What a store holds that a test hands to the other store's handle.
#[derive(Debug, Default)]
struct Ids {
    invitations: Vec<i64>,
    responses: Vec<i64>,
    alerts: Vec<i64>,
    messages: Vec<String>,
    survey_tokens: Vec<String>,
    unsubscribe_tokens: Vec<String>,
    receipt_token: String,
    reply_to: String,
    customers: Vec<String>,
    transactions: Vec<String>,
    webhooks: Vec<i64>,
}

/// The ids only B has (B has more of every kind than A).
#[derive(Debug, Clone)]
struct OnlyB {
    invitation: i64,
    response: i64,
    alert: i64,
    /// An alert and a response of A's own (for the calls that also name a user).
    a_alert: i64,
    a_response: i64,
    message: String,
    survey_token: String,
    unsubscribe_token: String,
    receipt_token: String,
    reply_to: String,
    customer: String,
    transaction: String,
    location: &'static str,
    user: &'static str,
    webhook: i64,
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

fn link_token(link: &Option<String>) -> String {
    common::link_token(link.as_deref().expect("a link"))
}

/// A new store of the test database, opened as the engine's role: (its key, the handle).
fn new_store(admin: &PgClient, engine_url: &str, prefix: &str) -> (i64, Engine) {
    let text = unique(prefix);
    let key = schema::create_store(admin, &text).unwrap();
    let engine = Engine::open_store(&StoreConfig::Postgres {
        url: engine_url.to_owned(),
        store: text,
    })
    .unwrap();
    (key, engine)
}

/// Real data in a store: `customers` invited in Paris, delivered, every one answering (the
/// unhappy ones raise alerts), a customer e-mail on the first alert, a receipt link. With
/// `more`, a second location (lyon) and a second user (minjun) too.
fn populate(e: &Engine, prefix: &str, customers: usize, more: bool) -> Ids {
    e.upsert_location(&Location::new("paris", "Boutique Paris", "Europe/Paris"))
        .unwrap();
    e.upsert_user(&User::new(
        "amelie",
        "Amélie",
        "amelie@store.example",
        UserRole::Manager,
    ))
    .unwrap();
    if more {
        e.upsert_location(&Location::new("lyon", "Boutique Lyon", "Europe/Paris"))
            .unwrap();
        e.upsert_user(&User::new(
            "minjun",
            "김민준",
            "minjun@store.example",
            UserRole::Staff,
        ))
        .unwrap();
    }
    e.set_alert_settings(&AlertSettings {
        reply_domain: "reply.boutique.example".into(),
        ..AlertSettings::default()
    })
    .unwrap();
    e.assign_alerts(AlertKind::UnhappyCustomer, None, "amelie")
        .unwrap();
    // D2: webhook subscriptions (B has more), to an event these calls never append.
    let mut webhooks = Vec::new();
    for _ in 0..if more { 2 } else { 1 } {
        let w = e
            .add_webhook(
                &hearken::NewWebhook {
                    url: format!("https://{prefix}.crm.example/hook"),
                    event_types: vec!["webhook.disabled.v1".into()],
                    secret: None,
                },
                paris_night("2026-11-20"),
            )
            .unwrap();
        webhooks.push(w.id);
    }
    let names: Vec<String> = (1..=customers).map(|i| format!("{prefix}{i}")).collect();
    let refs: Vec<&str> = names.iter().map(String::as_str).collect();
    let sales = refs
        .iter()
        .map(|c| {
            sale(
                &format!("t-{c}"),
                Some(c),
                Some("2026-11-20T10:00:00+01:00"),
            )
        })
        .collect();
    let report = e
        .sync(
            &batch("paris", "2026-11-20", &refs, sales),
            paris_night("2026-11-20"),
        )
        .unwrap();
    let mut ids = Ids {
        invitations: report.invitations.iter().map(|i| i.invitation_id).collect(),
        customers: names.clone(),
        transactions: names.iter().map(|c| format!("t-{c}")).collect(),
        webhooks,
        ..Ids::default()
    };
    assert_eq!(ids.invitations.len(), customers, "every customer invited");
    for m in common::deliver(e, 100, at(DUE)) {
        ids.messages.push(m.message_id.clone());
        ids.survey_tokens.push(link_token(&m.survey_link));
        ids.unsubscribe_tokens.push(link_token(&m.unsubscribe_link));
    }
    for (i, token) in ids.survey_tokens.iter().enumerate() {
        let score = if i % 2 == 0 { 2 } else { 9 };
        let out = e
            .record_response(token, &answer(score, Some("Rude staff")), at(DUE))
            .unwrap();
        ids.responses.push(out.response_id);
        ids.alerts.extend(out.alert_id);
    }
    let message_id = e
        .email_customer(
            ids.alerts[0],
            &CustomerEmail {
                user: "amelie".into(),
                subject: "Désolés".into(),
                body: "Passez en boutique.".into(),
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
    e.ack(&m.message_id, at(DUE)).unwrap();
    ids.reply_to = m.reply_to.unwrap();
    ids.messages.push(message_id);
    let receipt = e.mint_receipt_link("paris", None, at(DUE)).unwrap();
    ids.receipt_token = common::link_token(&receipt.url);
    if more {
        // D3, D5: a bounce mark and consent changes (the answers' reply consents, a
        // complaint) on B's side.
        e.report_delivery(
            &ids.messages[0],
            hearken::DeliveryFeedback::HardBounce,
            at(DUE),
        )
        .unwrap();
        e.report_delivery(
            &ids.messages[1],
            hearken::DeliveryFeedback::Complaint,
            at(DUE),
        )
        .unwrap();
        // D4: an inbound SMS reply kept (`inbound_replies`).
        e.receive_sms(&hearken::InboundSms {
            from: "+33612345678".into(),
            body: "Merci pour l'accueil".into(),
            received_at: at(DUE),
        })
        .unwrap();
    }
    ids
}

/// The last of B's values that A does not have.
fn only_b<T: PartialEq + Clone + std::fmt::Debug>(a: &[T], b: &[T]) -> T {
    b.iter()
        .rev()
        .find(|v| !a.contains(v))
        .cloned()
        .unwrap_or_else(|| panic!("B has a value A lacks: {b:?} vs {a:?}"))
}

type Call = fn(&Engine, &OnlyB, DateTime<Utc>) -> hearken::Result<String>;

fn show<T: std::fmt::Debug>(r: hearken::Result<T>) -> hearken::Result<String> {
    r.map(|v| format!("{v:?}"))
}

fn report_at(location: Option<&str>, user: Option<&str>) -> ReportQuery {
    ReportQuery {
        location: location.map(Into::into),
        user: user.map(Into::into),
        ..ReportQuery::default()
    }
}

/// Every id-taking call of `Engine`, by method name (a `/` names a variant: another
/// argument carrying B's id), with B's id in the argument it names.
#[allow(deprecated)]
const CALLS: &[(&str, Call)] = &[
    // Locations.
    ("location", |e, b, _| show(e.location(b.location))),
    ("set_location_enabled", |e, b, _| {
        show(e.set_location_enabled(b.location, false))
    }),
    ("sync_window", |e, b, now| {
        show(e.sync_window(b.location, now))
    }),
    ("next_sync_at", |e, b, now| {
        show(e.next_sync_at(b.location, now))
    }),
    ("sync", |e, b, now| {
        show(e.sync(&batch(b.location, "2026-11-21", &[], vec![]), now))
    }),
    ("sync_with", |e, b, now| {
        show(e.sync_with(
            &batch(b.location, "2026-11-21", &[], vec![]),
            now,
            &hearken::SyncOptions::default(),
        ))
    }),
    ("location_policy", |e, b, _| {
        show(e.location_policy(b.location))
    }),
    ("set_location_policy", |e, b, _| {
        let policy = LocationPolicy {
            location: b.location.into(),
            daily_cap: Some(3),
            ..LocationPolicy::default()
        };
        show(e.set_location_policy(&policy))
    }),
    ("set_feedback_enabled", |e, b, _| {
        show(e.set_feedback_enabled(b.location, false))
    }),
    ("mint_receipt_link", |e, b, now| {
        show(e.mint_receipt_link(b.location, None, now))
    }),
    ("record_feedback", |e, b, now| {
        show(e.record_feedback(&feedback(b.location, None), now))
    }),
    ("record_feedback/customer", |e, b, now| {
        show(e.record_feedback(&feedback("paris", Some(&b.customer)), now))
    }),
    ("assign_alerts", |e, b, _| {
        show(e.assign_alerts(AlertKind::UnhappyCustomer, Some(b.location), "amelie"))
    }),
    ("assign_alerts/user", |e, b, _| {
        show(e.assign_alerts(AlertKind::UnhappyCustomer, None, b.user))
    }),
    ("unassign_alerts", |e, b, _| {
        show(e.unassign_alerts(AlertKind::UnhappyCustomer, Some(b.location)))
    }),
    ("assignee", |e, b, _| {
        show(e.assignee(AlertKind::UnhappyCustomer, b.location))
    }),
    ("at_risk_customers", |e, b, _| {
        show(e.at_risk_customers(Some(b.location)))
    }),
    ("period_bounds", |e, b, now| {
        show(e.period_bounds(b.location, &hearken::Period::AllTime, now))
    }),
    // Customers.
    ("explain", |e, b, now| show(e.explain(&b.customer, now))),
    ("unsubscribe_customer", |e, b, now| {
        show(e.unsubscribe_customer(&b.customer, now))
    }),
    ("erase_customer", |e, b, now| {
        show(e.erase_customer(&b.customer, now))
    }),
    ("customer_history", |e, b, _| {
        show(e.customer_history(&b.customer, None))
    }),
    ("customer_history/user", |e, b, _| {
        show(e.customer_history("a1", Some(b.user)))
    }),
    ("mint_receipt_link/transaction", |e, b, now| {
        show(e.mint_receipt_link("paris", Some(&b.transaction), now))
    }),
    // Users.
    ("user", |e, b, _| show(e.user(b.user))),
    ("remove_user", |e, b, _| show(e.remove_user(b.user))),
    // Alerts.
    ("alert", |e, b, _| show(e.alert(b.alert))),
    ("interactions", |e, b, _| show(e.interactions(b.alert))),
    ("record_interaction", |e, b, now| {
        show(e.record_interaction(b.alert, &call("amelie"), now))
    }),
    ("record_interaction/user", |e, b, now| {
        show(e.record_interaction(b.a_alert, &call(b.user), now))
    }),
    ("set_alert_status", |e, b, now| {
        show(e.set_alert_status(b.alert, AlertStatus::InProgress, now))
    }),
    ("reassign_alert", |e, b, now| {
        show(e.reassign_alert(b.alert, "amelie", now))
    }),
    ("reassign_alert/user", |e, b, now| {
        show(e.reassign_alert(b.a_alert, b.user, now))
    }),
    ("email_customer", |e, b, now| {
        show(e.email_customer(b.alert, &email("amelie"), now))
    }),
    ("email_customer/user", |e, b, now| {
        show(e.email_customer(b.a_alert, &email(b.user), now))
    }),
    ("send_follow_up", |e, b, now| {
        show(e.send_follow_up(b.alert, now))
    }),
    ("record_inbound_reply", |e, b, now| {
        show(e.record_inbound_reply(&b.reply_to, "Merci", now))
    }),
    // Responses.
    ("reply", |e, b, now| {
        show(e.reply(b.response, &reply("amelie"), now))
    }),
    ("reply/user", |e, b, now| {
        show(e.reply(b.a_response, &reply(b.user), now))
    }),
    ("thread", |e, b, _| show(e.thread(b.response))),
    ("delete_response", |e, b, now| {
        show(e.delete_response(b.response, "amelie", now))
    }),
    ("review_clicked", |e, b, now| {
        show(e.review_clicked(b.response, now))
    }),
    ("review_confirmed", |e, b, now| {
        show(e.review_confirmed(b.response, now))
    }),
    // Invitations, messages and links.
    ("resend", |e, b, now| {
        show(e.resend(b.invitation, None, now))
    }),
    ("ack", |e, b, now| show(e.ack(&b.message, now))),
    ("ack_many", |e, b, now| {
        // One outcome per id, not an error: B's id is `not_found` there.
        let outcomes = e.ack_many(&[b.message.as_str()], now)?;
        match outcomes.as_slice() {
            [o] if o.status == hearken::AckStatus::NotFound => Err(hearken::Error::NotFound {
                what: "message",
                id: String::new(),
            }),
            other => Ok(format!("{other:?}")),
        }
    }),
    ("fail", |e, b, now| {
        show(e.fail(&b.message, "bounced", true, now))
    }),
    ("report_delivery", |e, b, now| {
        show(e.report_delivery(&b.message, hearken::DeliveryFeedback::HardBounce, now))
    }),
    ("consent_history", |e, b, _| {
        show(e.consent_history(&b.customer))
    }),
    // Webhooks (D2).
    ("remove_webhook", |e, b, now| {
        show(e.remove_webhook(b.webhook, now))
    }),
    ("rotate_webhook_secret", |e, b, now| {
        show(e.rotate_webhook_secret(b.webhook, None, now))
    }),
    ("ping_webhook", |e, b, now| {
        show(e.ping_webhook(b.webhook, now))
    }),
    ("fail_webhook", |e, b, now| {
        show(e.fail_webhook(&b.message, 500, "x", now))
    }),
    ("survey_page", |e, b, now| {
        show(e.survey_page(&b.survey_token, None, now))
    }),
    ("survey_page/receipt", |e, b, now| {
        show(e.survey_page(&b.receipt_token, None, now))
    }),
    ("record_response", |e, b, now| {
        show(e.record_response(&b.survey_token, &answer(10, None), now))
    }),
    ("record_score_click", |e, b, now| {
        show(e.record_score_click(&b.survey_token, 10, now))
    }),
    ("survey_link_page", |e, b, now| {
        show(e.survey_link_page(&b.survey_token, Some(10), None, now))
    }),
    ("submit_survey_form", |e, b, now| {
        show(e.submit_survey_form(&b.survey_token, "recommend=10", now))
    }),
    ("unsubscribe_by_token", |e, b, now| {
        show(e.unsubscribe_by_token(&b.unsubscribe_token, now))
    }),
    ("unsubscribe_page", |e, b, now| {
        show(e.unsubscribe_page(&b.unsubscribe_token, now))
    }),
    // Filters: B's location or user answers as an id that exists nowhere does.
    ("alerts", |e, b, _| {
        let q = AlertQuery {
            location: Some(b.location.into()),
            ..AlertQuery::default()
        };
        show(e.alerts(&q))
    }),
    ("alerts/assignee", |e, b, _| {
        let q = AlertQuery {
            assignee: Some(b.user.into()),
            ..AlertQuery::default()
        };
        show(e.alerts(&q))
    }),
    ("scores", |e, b, now| {
        show(e.scores(&report_at(Some(b.location), None), now))
    }),
    ("scores/user", |e, b, now| {
        show(e.scores(&report_at(None, Some(b.user)), now))
    }),
    ("score_series", |e, b, now| {
        show(e.score_series(
            &report_at(Some(b.location), None),
            hearken::Bucket::Day,
            now,
        ))
    }),
    ("response_rate", |e, b, now| {
        show(e.response_rate(&report_at(Some(b.location), None), now))
    }),
    ("review_funnel", |e, b, now| {
        show(e.review_funnel(&report_at(Some(b.location), None), now))
    }),
    ("employee_performance", |e, b, now| {
        show(e.employee_performance(&report_at(Some(b.location), None), None, now))
    }),
    ("unsubscribes", |e, b, now| {
        show(e.unsubscribes(&report_at(Some(b.location), None), now))
    }),
    ("compare_nps", |e, b, now| {
        show(e.compare_nps(&report_at(Some(b.location), None), now))
    }),
    ("feedback", |e, b, now| {
        let q = FeedbackQuery {
            scope: report_at(Some(b.location), None),
            limit: 10,
            ..FeedbackQuery::default()
        };
        show(e.feedback(&q, now))
    }),
    ("customers", |e, b, _| {
        let q = CustomerQuery {
            user: Some(b.user.into()),
            limit: 10,
            ..CustomerQuery::default()
        };
        show(e.customers(&q))
    }),
    ("nps", |e, b, _| {
        let q = ScoreQuery {
            location: Some(b.location.into()),
            ..ScoreQuery::default()
        };
        show(e.nps(&q))
    }),
    ("ratings", |e, b, _| {
        let q = ScoreQuery {
            location: Some(b.location.into()),
            ..ScoreQuery::default()
        };
        show(e.ratings(&q))
    }),
];

fn feedback(location: &str, customer: Option<&str>) -> FeedbackInput {
    FeedbackInput {
        location: location.into(),
        transaction: None,
        customer: customer.map(Into::into),
        sentiment: Sentiment::Negative,
        facets: vec![],
        comment: Some("Cold coffee".into()),
        consent_to_reply: false,
    }
}

fn call(user: &str) -> InteractionInput {
    InteractionInput {
        method: InteractionMethod::Phone,
        note: "Called back".into(),
        user: user.into(),
    }
}

fn email(user: &str) -> CustomerEmail {
    CustomerEmail {
        user: user.into(),
        subject: "Hello".into(),
        body: "Sorry about that.".into(),
    }
}

fn reply(user: &str) -> ReplyInput {
    ReplyInput {
        user: user.into(),
        kind: CommentKind::Reply,
        body: "Thank you".into(),
        coupon_code: None,
        amount_minor: None,
        currency: None,
    }
}

/// The names of the id-taking parameters (and of the inputs that carry an id).
const ID_PARAMS: &[&str] = &[
    "id",
    "alert",
    "response_id",
    "invitation_id",
    "message_id",
    "message_ids",
    "token",
    "location",
    "customer",
    "user",
    "address",
    "transaction",
];
const ID_TYPES: &[&str] = &[
    "SyncBatch",
    "LocationPolicy",
    "FeedbackInput",
    "InteractionInput",
    "CustomerEmail",
    "ReplyInput",
    "AlertQuery",
    "ReportQuery",
    "FeedbackQuery",
    "CustomerQuery",
    "ScoreQuery",
];

/// The calls whose answer to an unknown id is not `not_found`; B's id must get the
/// answer an id that exists nowhere gets: a batch or a feedback naming an unknown location
/// or customer is invalid input naming the field; the deprecated score summaries of an
/// unknown location are empty.
const AS_UNKNOWN: &[&str] = &[
    "sync",
    "sync_with",
    "record_feedback/customer",
    "nps",
    "ratings",
];

/// The calls that create by id: B's id there is a new row of A's own.
const CREATE: &[&str] = &["upsert_location", "upsert_user"];

/// The public `Engine` methods (in src/engine.rs and src/engine/api/) that take an id.
fn id_taking_methods() -> BTreeSet<String> {
    let sources = [
        include_str!("../src/engine.rs"),
        include_str!("../src/engine/api/alerts.rs"),
        include_str!("../src/engine/api/analytics.rs"),
        include_str!("../src/engine/api/delivery.rs"),
        include_str!("../src/engine/api/feedback.rs"),
        include_str!("../src/engine/api/pages.rs"),
        include_str!("../src/engine/api/policy.rs"),
        include_str!("../src/engine/api/webhooks.rs"),
    ];
    let mut out = BTreeSet::new();
    for source in sources {
        for (at, _) in source.match_indices("    pub fn ") {
            let rest = &source[at + "    pub fn ".len()..];
            let name_end = rest.find(['(', '<']).unwrap();
            let name = &rest[..name_end];
            let open = rest.find('(').unwrap();
            let mut depth = 0;
            let mut close = open;
            for (i, ch) in rest[open..].char_indices() {
                match ch {
                    '(' => depth += 1,
                    ')' => {
                        depth -= 1;
                        if depth == 0 {
                            close = open + i;
                            break;
                        }
                    }
                    _ => {}
                }
            }
            let params = &rest[open + 1..close];
            let takes_id = params.split(',').any(|param| {
                let Some((pname, ty)) = param.split_once(':') else {
                    return false;
                };
                ID_PARAMS.contains(&pname.trim())
                    || ID_TYPES
                        .iter()
                        .any(|t| ty.split(|c: char| !c.is_alphanumeric()).any(|w| w == *t))
            });
            if takes_id && params.contains("&self") {
                out.insert(name.to_owned());
            }
        }
    }
    out
}

/// The table covers every id-taking method of the sources (and names only real ones).
#[test]
fn h2_the_table_lists_every_id_taking_engine_call() {
    let methods = id_taking_methods();
    let covered: BTreeSet<String> = CALLS
        .iter()
        .map(|(name, _)| name.split('/').next().unwrap().to_owned())
        .collect();
    let missing: Vec<_> = methods
        .difference(&covered)
        .filter(|m| !CREATE.contains(&m.as_str()))
        .collect();
    assert!(
        missing.is_empty(),
        "id-taking calls missing from CALLS: {missing:?}"
    );
    let unknown: Vec<_> = covered.difference(&methods).collect();
    assert!(
        unknown.is_empty(),
        "CALLS names no such method: {unknown:?}"
    );
    for f in AS_UNKNOWN {
        assert!(CALLS.iter().any(|(name, _)| name == f), "{f}");
    }
}

/// H2: every id-taking call of A's handle, given an id only B has, answers `not_found`
/// (or, for [`AS_UNKNOWN`], what an id that exists nowhere gets) and changes nothing in A or B.
#[test]
fn h2_ids_of_store_b_are_not_found_through_store_a() {
    let Some((admin, engine_url)) = urls("h2_ids_of_store_b") else {
        return;
    };
    installed(&admin);
    let admin = PgClient::connect(&admin).unwrap();
    let (_, a) = new_store(&admin, &engine_url, "iso-a");
    let (_, b) = new_store(&admin, &engine_url, "iso-b");
    let ia = populate(&a, "a", 2, false);
    let ib = populate(&b, "b", 6, true);
    let only = OnlyB {
        invitation: only_b(&ia.invitations, &ib.invitations),
        response: only_b(&ia.responses, &ib.responses),
        alert: only_b(&ia.alerts, &ib.alerts),
        a_alert: ia.alerts[0],
        a_response: ia.responses[0],
        message: only_b(&ia.messages, &ib.messages),
        survey_token: only_b(&ia.survey_tokens, &ib.survey_tokens),
        unsubscribe_token: only_b(&ia.unsubscribe_tokens, &ib.unsubscribe_tokens),
        receipt_token: ib.receipt_token.clone(),
        reply_to: ib.reply_to.clone(),
        customer: only_b(&ia.customers, &ib.customers),
        transaction: only_b(&ia.transactions, &ib.transactions),
        location: "lyon",
        user: "minjun",
        webhook: only_b(&ia.webhooks, &ib.webhooks),
    };
    // The same calls with ids that exist nowhere, for the filters' expected answers.
    let nowhere = OnlyB {
        invitation: 987_654,
        response: 987_654,
        alert: 987_654,
        message: "no-such-message".into(),
        customer: "no-such-customer".into(),
        transaction: "no-such-sale".into(),
        location: "no-such-location",
        user: "no-such-user",
        webhook: 987_654,
        ..only.clone()
    };
    let now = at("2026-11-22T09:00:00Z");
    let mut bad = Vec::new();
    for (name, call) in CALLS {
        let dump_a = a.dump_rows(&[]).unwrap();
        let dump_b = b.dump_rows(&[]).unwrap();
        let got = call(&a, &only, now);
        if AS_UNKNOWN.contains(name) {
            let expected = call(&a, &nowhere, now);
            let same = match (&got, &expected) {
                (Ok(g), Ok(x)) => g == x,
                (Err(g), Err(x)) => g.kind() == x.kind() && g.to_string() == x.to_string(),
                _ => false,
            };
            if !same {
                bad.push(format!("{name}: {got:?}, as for no id: {expected:?}"));
            }
        } else {
            match &got {
                Err(e) if e.kind() == ErrorKind::NotFound => {
                    // Never B's values: only the kind and the id asked for.
                    let text = e.to_string();
                    assert!(!text.contains("b1@example.com"), "{name}: {text}");
                }
                other => bad.push(format!("{name}: {other:?}")),
            }
        }
        let (now_a, now_b) = (a.dump_rows(&[]).unwrap(), b.dump_rows(&[]).unwrap());
        if now_a != dump_a {
            let new: Vec<_> = now_a.iter().filter(|r| !dump_a.contains(r)).collect();
            let gone: Vec<_> = dump_a.iter().filter(|r| !now_a.contains(r)).collect();
            bad.push(format!("{name} changed store A: +{new:?} -{gone:?}"));
        }
        if now_b != dump_b {
            bad.push(format!("{name} changed store B"));
        }
    }
    assert!(bad.is_empty(), "{}", bad.join("\n"));
}

/// H2, every table of the catalogue (the store tables and the stores' directory): with
/// store A set, the engine's role reads none of
/// B's rows (with or without a store predicate), and its UPDATE and DELETE of B's rows
/// touch 0 rows; B's rows are all still there, as its owner sees them.
#[test]
fn h2_every_store_table_keeps_store_a_off_store_b_rows() {
    let Some((admin_url, engine_url)) = urls("h2_every_store_table") else {
        return;
    };
    installed(&admin_url);
    let admin = PgClient::connect(&admin_url).unwrap();
    let (ka, a) = new_store(&admin, &engine_url, "rls-all-a");
    let (kb, b) = new_store(&admin, &engine_url, "rls-all-b");
    populate(&a, "a", 2, false);
    populate(&b, "b", 6, true);
    let counts = |key: i64| -> Vec<(String, i64)> {
        admin
            .with_admin_transaction(|tx| {
                let mut out = Vec::new();
                for t in STORE_TABLES.iter().chain(&["stores"]) {
                    let n: i64 = tx
                        .query_one(
                            &format!("SELECT count(*) FROM {t} WHERE store_id = $1"),
                            vec![p(key)],
                        )?
                        .get(0);
                    out.push((t.to_string(), n));
                }
                Ok(out)
            })
            .unwrap()
    };
    let before_b = counts(kb);
    let a_rows = counts(ka);
    let filled = before_b.iter().filter(|(_, n)| *n > 0).count();
    assert!(
        filled * 2 >= STORE_TABLES.len(),
        "B holds rows in most tables: {before_b:?}"
    );
    let engine = PgClient::connect(&engine_url).unwrap();
    let mut bad = Vec::new();
    for (t, n_a) in &a_rows {
        let count = |sql: &str| -> i64 {
            engine
                .with_read_transaction(ka, |tx| Ok(tx.query_one(sql, vec![])?.get(0)))
                .unwrap()
        };
        let seen = count(&format!("SELECT count(*) FROM {t} WHERE store_id = {kb}"));
        let all = count(&format!("SELECT count(*) FROM {t}"));
        // Each write in its own transaction; a refusal (no grant) touches 0 rows too.
        let write = |sql: &str| -> u64 {
            match engine.with_transaction(ka, |tx| tx.execute(sql, vec![p(kb)])) {
                Ok(n) => n,
                Err(e) => {
                    assert!(e.to_string().contains("42501"), "{t}: {e}");
                    0
                }
            }
        };
        // The directory's key is an identity column: its other columns are set instead.
        let column = if *t == "stores" {
            "incarnation"
        } else {
            "store_id"
        };
        let updated = write(&format!(
            "UPDATE {t} SET {column} = {column} WHERE store_id = $1"
        ));
        let deleted = write(&format!("DELETE FROM {t} WHERE store_id = $1"));
        if seen != 0 || all != *n_a || updated != 0 || deleted != 0 {
            bad.push(format!(
                "{t}: saw {seen} of B's rows, {all} in all (A has {n_a}), updated {updated}, deleted {deleted}"
            ));
        }
    }
    assert!(bad.is_empty(), "{}", bad.join("\n"));
    assert_eq!(counts(kb), before_b, "B's rows are all there");
    drop((a, b));
}
