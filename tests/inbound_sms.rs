//! D4 (inbound SMS: opt-out words anywhere, START/UNSTOP, HELP, a bare score, replies),
//! through the Rust API, on the store under test. Fixed clocks only.

mod common;

use std::collections::BTreeMap;

use chrono::{DateTime, TimeDelta, Utc};
use common::{at, day, paris_night, skipped};
use hearken::rules::inbound;
use hearken::{
    Calendar, Channel, Customer, Engine, EventsPage, InboundSms, MessageKind, OutboundMessage,
    Settings, SkipReason, SmsOutcome, SyncReport, Weekday,
};

const PHONE: &str = "+33612345678";
/// The morning after the first night, when its invitations are due.
const DUE: &str = "2026-11-21T09:00:00Z";

/// An engine whose invitations go by SMS, reading local numbers as French.
fn sms_engine() -> Engine {
    let e = common::engine();
    e.set_settings(&Settings {
        channel: Channel::Sms,
        default_country_code: 33,
        ..Settings::default()
    })
    .unwrap();
    e
}

/// A Paris night of `date` with one sale per (customer, phone, language).
fn night(e: &Engine, date: &str, people: &[(&str, &str, &str)]) -> SyncReport {
    let ids: Vec<&str> = people.iter().map(|p| p.0).collect();
    let mut b = common::one_sale_each(date, &ids);
    b.customers = people
        .iter()
        .map(|(id, phone, lang)| Customer {
            id: (*id).into(),
            phone: Some((*phone).into()),
            email: None,
            language: Some((*lang).into()),
            ..Customer::with_email(id, "x@example.com")
        })
        .collect();
    e.sync(&b, paris_night(date)).unwrap()
}

fn text(e: &Engine, from: &str, body: &str, when: DateTime<Utc>) -> SmsOutcome {
    e.receive_sms(&InboundSms {
        from: from.into(),
        body: body.into(),
        received_at: when,
    })
    .unwrap()
}

fn replies(messages: &[OutboundMessage]) -> Vec<&OutboundMessage> {
    messages
        .iter()
        .filter(|m| m.kind == MessageKind::SmsKeywordReply)
        .collect()
}

#[test]
fn d4_opt_out_words_anywhere_suppress_the_phone_for_sms() {
    for body in [
        " Stop ",
        "ARRÊT",
        "stop please",
        "please stop texting me",
        "수신거부",
    ] {
        let e = sms_engine();
        night(&e, "2026-11-20", &[("amelie", "06 12 34 56 78", "fr")]);
        let out = text(&e, PHONE, body, at(DUE));
        let SmsOutcome::OptedOut {
            confirmation_id: Some(_),
            ..
        } = out
        else {
            panic!("{body:?} must opt out with a confirmation: {out:?}");
        };
        // The next night skips her as unsubscribed; her pending invitation is not sent.
        let r = night(&e, "2026-11-23", &[("amelie", "06 12 34 56 78", "fr")]);
        assert_eq!(
            skipped(&r),
            vec![("t-amelie-2026-11-23".to_owned(), SkipReason::Unsubscribed)],
            "{body:?}"
        );
        // D5: one keyword withdrawal of SMS consent.
        let history = e.consent_history("amelie").unwrap();
        assert!(
            history
                .iter()
                .any(|c| c.source == "keyword" && c.channel == "sms" && !c.granted),
            "{history:?}"
        );
    }
}

#[test]
fn d4_stopped_by_today_is_not_stop_and_is_kept_as_a_reply() {
    let e = sms_engine();
    night(&e, "2026-11-20", &[("amelie", PHONE, "fr")]);
    let body = "Stopped by today, great staff! 10";
    let SmsOutcome::KeptAsReply { reply_id } = text(&e, PHONE, body, at(DUE)) else {
        panic!("kept as a reply");
    };
    assert!(reply_id > 0);
    // Not suppressed: the next night invites her again (cooldown aside, she is eligible).
    let r = night(&e, "2026-11-23", &[("amelie", PHONE, "fr")]);
    assert!(
        skipped(&r)
            .iter()
            .all(|(_, why)| *why != SkipReason::Unsubscribed),
        "{r:?}"
    );
    // D6: the reply is hers, in her export.
    let export = e.customer_export("amelie").unwrap().to_string();
    assert!(export.contains("great staff"), "{export}");
}

#[test]
fn d4_start_lifts_a_keyword_opt_out_but_never_a_link_unsubscribe() {
    let e = sms_engine();
    night(&e, "2026-11-20", &[("amelie", PHONE, "fr")]);
    assert!(matches!(
        text(&e, PHONE, "STOP", at(DUE)),
        SmsOutcome::OptedOut { .. }
    ));
    assert_eq!(
        text(&e, PHONE, "Start", at(DUE) + TimeDelta::minutes(1)),
        SmsOutcome::OptedIn { lifted: true }
    );
    let history = e.consent_history("amelie").unwrap();
    assert!(
        history
            .iter()
            .any(|c| c.source == "keyword" && c.channel == "sms" && c.granted),
        "{history:?}"
    );
    // Lifted: her invitation of the first night is still sent.
    let claimed = e.claim(10, at(DUE) + TimeDelta::minutes(2)).unwrap();
    let invitation = claimed
        .iter()
        .find(|m| m.kind == MessageKind::SurveyInvitation)
        .expect("her invitation, sent after START");
    assert_eq!(invitation.recipient, PHONE);
    // Her own unsubscribe link: START never lifts it.
    let link = invitation.unsubscribe_link.as_deref().unwrap();
    e.unsubscribe_by_token(&common::link_token(link), at(DUE) + TimeDelta::minutes(3))
        .unwrap();
    assert_eq!(
        text(&e, PHONE, "UNSTOP", at(DUE) + TimeDelta::minutes(4)),
        SmsOutcome::OptedIn { lifted: false }
    );
    let r = night(&e, "2026-11-23", &[("amelie", PHONE, "fr")]);
    assert_eq!(
        skipped(&r),
        vec![("t-amelie-2026-11-23".to_owned(), SkipReason::Unsubscribed)]
    );
}

#[test]
fn d4_the_confirmation_is_claimable_at_once_even_at_0300_on_a_closed_day_and_only_once() {
    let e = sms_engine();
    night(&e, "2026-11-20", &[("amelie", PHONE, "fr")]);
    // Wednesday 2026-11-25 is closed, and no Wednesday sends anything.
    e.set_calendar(&Calendar {
        send_weekdays: vec![
            Weekday::Monday,
            Weekday::Tuesday,
            Weekday::Thursday,
            Weekday::Friday,
        ],
        closed_dates: vec![day("2026-11-25")],
        opening_hours: Vec::new(),
    })
    .unwrap();
    // 03:00 in Paris, inside the quiet hours.
    let three = at("2026-11-25T02:00:00Z");
    let SmsOutcome::OptedOut {
        confirmation_id: Some(id),
        ..
    } = text(&e, "06 12 34 56 78", "stop", three)
    else {
        panic!("an opt-out with its confirmation");
    };
    // A second STOP sends nothing more.
    assert!(matches!(
        text(&e, PHONE, "STOP!", three + TimeDelta::seconds(5)),
        SmsOutcome::OptedOut {
            confirmation_id: None,
            ..
        }
    ));
    let claimed = e.claim(10, three + TimeDelta::seconds(10)).unwrap();
    let sent = replies(&claimed);
    assert_eq!(sent.len(), 1, "{claimed:?}");
    let m = sent[0];
    assert_eq!(m.message_id, id);
    assert_eq!(m.channel, Channel::Sms);
    assert_eq!(m.recipient, PHONE);
    assert_eq!(m.language, "fr");
    assert_eq!(m.body, inbound::opt_out_confirmation("fr"));
    assert!(m.survey_link.is_none() && m.unsubscribe_link.is_none());
    // The suppressed invitation itself is never sent.
    assert!(
        claimed
            .iter()
            .all(|m| m.kind != MessageKind::SurveyInvitation)
    );
}

#[test]
fn d4_a_stop_from_an_unknown_phone_is_confirmed_to_that_phone() {
    let e = sms_engine();
    let stranger = "+33699999999";
    let SmsOutcome::OptedOut {
        confirmation_id: Some(id),
        ..
    } = text(&e, stranger, "unsubscribe", at(DUE))
    else {
        panic!("an opt-out with its confirmation");
    };
    let claimed = e.claim(10, at(DUE)).unwrap();
    assert_eq!(claimed.len(), 1);
    assert_eq!(claimed[0].message_id, id);
    assert_eq!(claimed[0].recipient, stranger);
    assert_eq!(claimed[0].customer, None);
    // In the store default language (English).
    assert_eq!(claimed[0].body, inbound::opt_out_confirmation("en"));
    e.ack(&id, at(DUE)).unwrap();
    // A customer who later has that phone is not surveyed by SMS.
    let r = night(&e, "2026-11-23", &[("newcomer", stranger, "en")]);
    assert_eq!(
        skipped(&r),
        vec![("t-newcomer-2026-11-23".to_owned(), SkipReason::Unsubscribed)]
    );
}

#[test]
fn d4_a_bare_score_answers_the_latest_open_sms_invitation_else_no_open_survey() {
    let e = sms_engine();
    night(&e, "2026-11-20", &[("amelie", PHONE, "fr")]);
    // Not delivered yet: no link, no open survey.
    assert_eq!(text(&e, PHONE, "9", at(DUE)), SmsOutcome::NoOpenSurvey);
    common::deliver(&e, 10, at(DUE));
    let SmsOutcome::Answered { response_id } = text(&e, PHONE, " 2 ", at(DUE)) else {
        panic!("answered");
    };
    // The same path as a survey answer: a detractor raises an alert (A1).
    let alerts = e.alerts(&Default::default()).unwrap();
    assert!(
        alerts.iter().any(|a| a.response_id == Some(response_id)),
        "{alerts:?}"
    );
    // Answered: a second score has nothing open to answer.
    assert_eq!(text(&e, PHONE, "10", at(DUE)), SmsOutcome::NoOpenSurvey);

    // An expired invitation gives "no open survey".
    let e = sms_engine();
    night(&e, "2026-11-20", &[("amelie", PHONE, "fr")]);
    common::deliver(&e, 10, at(DUE));
    let days = e.delivery_settings().unwrap().survey_link_days;
    let late = at(DUE) + TimeDelta::days(i64::from(days)) + TimeDelta::minutes(1);
    assert_eq!(text(&e, PHONE, "8", late), SmsOutcome::NoOpenSurvey);
}

#[test]
fn d4_help_queues_the_help_text_in_the_customers_language() {
    let e = sms_engine();
    night(&e, "2026-11-20", &[("jiwoo", "+821012345678", "ko")]);
    let SmsOutcome::HelpQueued { message_id } = text(&e, "+821012345678", "help", at(DUE)) else {
        panic!("help queued");
    };
    let claimed = e.claim(10, at(DUE)).unwrap();
    let m = replies(&claimed)[0];
    assert_eq!(m.message_id, message_id);
    assert_eq!(m.body, inbound::default_help_text("ko"));
    assert_eq!(m.recipient, "+821012345678");
    // HELP changes no consent.
    assert!(e.consent_history("jiwoo").unwrap().is_empty());
}

#[test]
fn d4_a_per_language_list_and_help_text_set_by_the_settings_call_work() {
    let e = sms_engine();
    night(&e, "2026-11-20", &[("amelie", PHONE, "fr")]);
    let mut s = e.settings().unwrap();
    s.sms_opt_out_words = BTreeMap::from([("fr".to_owned(), vec!["Ça suffit".to_owned()])]);
    s.sms_help_texts = BTreeMap::from([("fr".to_owned(), "Aide : écrivez ARRET".to_owned())]);
    e.set_settings(&s).unwrap();
    assert_eq!(e.settings().unwrap(), s);
    // The setting replaces French's defaults: ARRÊT is a reply now, the new phrase opts out.
    assert!(matches!(
        text(&e, PHONE, "arrêt", at(DUE)),
        SmsOutcome::KeptAsReply { .. }
    ));
    let SmsOutcome::HelpQueued { .. } = text(&e, PHONE, "HELP", at(DUE)) else {
        panic!("help");
    };
    assert!(matches!(
        text(&e, PHONE, "ca suffit maintenant", at(DUE)),
        SmsOutcome::OptedOut { keyword, .. } if keyword == "ca suffit"
    ));
    let claimed = e.claim(10, at(DUE)).unwrap();
    let bodies: Vec<&str> = replies(&claimed).iter().map(|m| m.body.as_str()).collect();
    assert!(bodies.contains(&"Aide : écrivez ARRET"), "{bodies:?}");
}

#[test]
fn d4_events_name_the_kind_of_reply_never_its_text_or_phone() {
    let e = sms_engine();
    night(&e, "2026-11-20", &[("amelie", PHONE, "fr")]);
    text(&e, PHONE, "Merci, très bon accueil", at(DUE));
    text(&e, PHONE, "STOP", at(DUE));
    let EventsPage::Events { events, .. } = e.events(None, 1000).unwrap() else {
        panic!("a fresh read");
    };
    let sms: Vec<&str> = events
        .iter()
        .filter(|ev| ev.kind == "sms.received.v1")
        .map(|ev| ev.data.as_str())
        .collect();
    assert_eq!(sms.len(), 2, "{events:?}");
    assert!(sms[0].contains("\"reply\"") && sms[1].contains("\"opt_out\""));
    assert!(events.iter().any(|ev| ev.kind == "consent.changed.v1"
        && ev.data.contains("\"keyword\"")
        && ev.data.contains("\"sms\"")));
    for ev in &events {
        assert!(
            !ev.data.contains("612345678") && !ev.data.contains("accueil"),
            "{ev:?}"
        );
    }
}

#[test]
fn d4_erasure_removes_the_inbound_replies() {
    let e = sms_engine();
    night(&e, "2026-11-20", &[("amelie", PHONE, "fr")]);
    text(&e, PHONE, "Vendeuse désagréable", at(DUE));
    assert!(
        e.customer_export("amelie")
            .unwrap()
            .to_string()
            .contains("Vendeuse")
    );
    let erased = e.erase_customer("amelie", at(DUE)).unwrap();
    assert!(erased.texts_removed >= 1, "{erased:?}");
    let export = e.contact_export(PHONE).unwrap().to_string();
    assert!(!export.contains("Vendeuse"), "{export}");
}

/// The CLI replays a provider's webhook: `hearken sms receive --from --body [--at]` on a
/// store file (the CLI's own store, whatever the store under test).
#[test]
fn d4_the_cli_receives_an_sms_and_names_the_outcome() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("store.db");
    let run = |args: &[&str]| {
        let out = std::process::Command::new(env!("CARGO_BIN_EXE_hearken"))
            .arg("--db")
            .arg(&db)
            .args(args)
            .env_remove("HEARKEN_DB")
            .output()
            .unwrap();
        (
            out.status.code().unwrap(),
            String::from_utf8_lossy(&out.stdout).into_owned(),
            String::from_utf8_lossy(&out.stderr).into_owned(),
        )
    };
    let (code, _, _) = run(&["locations", "add", "paris", "Paris", "Europe/Paris"]);
    assert_eq!(code, 0);
    let (code, stdout, _) = run(&[
        "--json",
        "sms",
        "receive",
        "--from",
        PHONE,
        "--body",
        "stop please",
        "--at",
        DUE,
    ]);
    assert_eq!(code, 0);
    let doc: serde_json::Value = serde_json::from_str(&stdout).unwrap();
    assert_eq!(doc["outcome"], "opted_out");
    assert_eq!(doc["keyword"], "stop");
    assert!(doc["confirmation_id"].is_string());
    let (code, stdout, _) = run(&["sms", "receive", "--from", PHONE, "--body", "Merci"]);
    assert_eq!(code, 0);
    assert!(stdout.starts_with("kept as reply"), "{stdout}");
    assert!(!stdout.contains("Merci") && !stdout.contains(PHONE));
    // A bad phone is named, never echoed.
    let (code, _, stderr) = run(&["sms", "receive", "--from", "SECRET", "--body", "STOP"]);
    assert_ne!(code, 0);
    assert!(
        stderr.contains("from") && !stderr.contains("SECRET"),
        "{stderr}"
    );
}

/// D4: an opt-out word suppresses the phone for text messages only. In a store that
/// surveys by e-mail, a customer who texted STOP still gets her e-mail survey (and is not
/// shown as unsubscribed), while her phone is no longer usable for SMS; in a store that
/// surveys by SMS the same STOP skips her as unsubscribed.
#[test]
fn d4_a_keyword_stop_stops_text_messages_not_email_surveys() {
    let both = |e: &Engine, date: &str| {
        let mut b = common::one_sale_each(date, &["amelie"]);
        b.customers = vec![Customer {
            phone: Some("06 12 34 56 78".into()),
            ..Customer::with_email("amelie", "amelie@example.fr")
        }];
        e.sync(&b, paris_night(date)).unwrap()
    };
    for channel in [Channel::Email, Channel::Sms] {
        let e = common::engine();
        e.set_settings(&Settings {
            channel,
            default_country_code: 33,
            ..Settings::default()
        })
        .unwrap();
        let out = text(&e, PHONE, "stop please", at(DUE));
        assert!(
            matches!(out, SmsOutcome::OptedOut { .. }),
            "{channel:?}: {out:?}"
        );
        let r = both(&e, "2026-11-20");
        let state = e.contact_state("amelie", at(DUE)).unwrap();
        let explained = e.explain("amelie", at(DUE)).unwrap();
        if channel == Channel::Email {
            assert!(skipped(&r).is_empty(), "e-mail survey still goes: {r:?}");
            assert_eq!(common::invited(&r), vec!["t-amelie-2026-11-20".to_owned()]);
            assert!(!explained.unsubscribed, "{explained:?}");
        } else {
            assert_eq!(
                skipped(&r),
                vec![("t-amelie-2026-11-20".to_owned(), SkipReason::Unsubscribed)]
            );
            assert!(explained.unsubscribed, "{explained:?}");
        }
        // Either way the phone itself is suppressed (the screen's phone state), and the
        // screen's overall state follows the store's channel.
        assert!(
            state.subscription.phone_suppressed,
            "{channel:?}: {state:?}"
        );
        assert_eq!(
            state.subscription.unsubscribed,
            channel == Channel::Sms,
            "{state:?}"
        );
    }
}

/// Who else asks for the phone's suppression beside a keyword (D4): the host by customer
/// or by contact (`api` in the consent history), or the customer's own link (`link`).
#[derive(Debug, Clone, Copy)]
enum Other {
    HostByCustomer,
    HostByContact,
    Link,
}

impl Other {
    const ALL: [Other; 3] = [Other::HostByCustomer, Other::HostByContact, Other::Link];

    /// Asks for it at `when` (`link`: amelie's unsubscribe link); the consent source.
    fn unsubscribe(self, e: &Engine, link: &str, when: DateTime<Utc>) -> &'static str {
        match self {
            Other::HostByCustomer => e.unsubscribe_customer("amelie", when).unwrap(),
            Other::HostByContact => e.unsubscribe_contact(PHONE, when).unwrap(),
            Other::Link => {
                e.unsubscribe_by_token(&common::link_token(link), when)
                    .unwrap();
                return "link";
            }
        }
        "api"
    }
}

/// Amelie invited by SMS on the first night, her invitation claimed (not acked) at DUE:
/// the engine and her unsubscribe link.
fn amelie_with_link() -> (Engine, String) {
    let e = sms_engine();
    night(&e, "2026-11-20", &[("amelie", PHONE, "fr")]);
    let claimed = e.claim(10, at(DUE)).unwrap();
    let link = claimed
        .iter()
        .find(|m| m.kind == MessageKind::SurveyInvitation)
        .and_then(|m| m.unsubscribe_link.clone())
        .expect("her invitation's unsubscribe link");
    (e, link)
}

/// The next night with amelie and a newcomer who has the same phone: both skipped as
/// unsubscribed when the phone (not only her host id) is still suppressed.
fn phone_still_suppressed(e: &Engine, why: &str) {
    let r = night(
        e,
        "2026-11-23",
        &[("amelie", PHONE, "fr"), ("newcomer", PHONE, "fr")],
    );
    let mut got = skipped(&r);
    got.sort_by(|a, b| a.0.cmp(&b.0));
    assert_eq!(
        got,
        vec![
            ("t-amelie-2026-11-23".to_owned(), SkipReason::Unsubscribed),
            ("t-newcomer-2026-11-23".to_owned(), SkipReason::Unsubscribed),
        ],
        "{why}"
    );
    assert_eq!(
        e.contact_export(PHONE).unwrap()["suppressed"],
        true,
        "{why}"
    );
}

/// Her SMS and all-channel consent changes, oldest first, as (source, granted).
fn sms_consent(e: &Engine) -> Vec<(String, bool)> {
    e.consent_history("amelie")
        .unwrap()
        .into_iter()
        .filter(|c| c.channel == "sms" || c.channel == "all")
        .map(|c| (c.source, c.granted))
        .collect()
}

/// D4: a phone the host (by customer or by contact) or her own link unsubscribed before a
/// keyword STOP stays suppressed after START: START withdraws only the keyword's ask.
#[test]
fn d4_api_then_stop_then_start_stays_suppressed() {
    for other in Other::ALL {
        let (e, link) = amelie_with_link();
        let source = other.unsubscribe(&e, &link, at(DUE) + TimeDelta::minutes(1));
        // Unsubscribed already: the keyword is recorded, no second confirmation is sent.
        assert!(
            matches!(
                text(&e, PHONE, "STOP", at(DUE) + TimeDelta::minutes(2)),
                SmsOutcome::OptedOut {
                    confirmation_id: None,
                    ..
                }
            ),
            "{other:?}"
        );
        assert_eq!(
            text(&e, PHONE, "START", at(DUE) + TimeDelta::minutes(3)),
            SmsOutcome::OptedIn { lifted: false },
            "{other:?}"
        );
        phone_still_suppressed(&e, &format!("{other:?}"));
        // D5: the history tells who asked, and what START withdrew.
        assert_eq!(
            sms_consent(&e),
            vec![
                (source.to_owned(), false),
                ("keyword".to_owned(), false),
                ("keyword".to_owned(), true),
            ],
            "{other:?}"
        );
        // No confirmation was queued to the phone at all.
        let claimed = e.claim(10, at(DUE) + TimeDelta::minutes(4)).unwrap();
        assert!(replies(&claimed).is_empty(), "{other:?}: {claimed:?}");
    }
}

/// D4: a keyword STOP followed by the host's (by customer or by contact) or her link's
/// unsubscribe: START afterwards withdraws the keyword's ask, the other one holds, for
/// her and for anyone who later has the phone.
#[test]
fn d4_stop_then_api_then_start_stays_suppressed() {
    for other in Other::ALL {
        let (e, link) = amelie_with_link();
        assert!(
            matches!(
                text(&e, PHONE, "STOP", at(DUE) + TimeDelta::minutes(1)),
                SmsOutcome::OptedOut {
                    confirmation_id: Some(_),
                    ..
                }
            ),
            "{other:?}"
        );
        let source = other.unsubscribe(&e, &link, at(DUE) + TimeDelta::minutes(2));
        // The phone's suppression now names the other source, not the keyword.
        let named = match other {
            Other::HostByContact => "contact",
            Other::HostByCustomer | Other::Link => "customer",
        };
        let x = e.contact_export(PHONE).unwrap();
        assert_eq!(x["suppression"]["source"], named, "{other:?}: {x}");
        // D6: both exports say the keyword asked too, and when.
        let stop_ms = at(DUE).timestamp_millis() + 60_000;
        assert_eq!(x["suppression"]["keyword_at"], stop_ms, "{other:?}: {x}");
        let mine = e.customer_export("amelie").unwrap();
        let rows = mine["tables"]["suppressions"].as_array().unwrap().clone();
        assert!(
            rows.iter()
                .any(|r| r["kind"] == "phone" && r["keyword_at"] == stop_ms),
            "{other:?}: {rows:?}"
        );
        assert_eq!(
            text(&e, PHONE, "UNSTOP", at(DUE) + TimeDelta::minutes(3)),
            SmsOutcome::OptedIn { lifted: false },
            "{other:?}"
        );
        phone_still_suppressed(&e, &format!("{other:?}"));
        // START withdrew the keyword's ask: the export says so.
        let x = e.contact_export(PHONE).unwrap();
        assert!(x["suppression"]["keyword_at"].is_null(), "{other:?}: {x}");
        assert_eq!(
            sms_consent(&e),
            vec![
                ("keyword".to_owned(), false),
                (source.to_owned(), false),
                ("keyword".to_owned(), true),
            ],
            "{other:?}"
        );
    }
}

/// D4: a STOP alone, then START: the phone is free again, for her and for a newcomer with
/// the same phone; a second START lifts nothing more.
#[test]
fn d4_stop_then_start_lifts() {
    let (e, _) = amelie_with_link();
    assert!(matches!(
        text(&e, PHONE, "STOP", at(DUE) + TimeDelta::minutes(1)),
        SmsOutcome::OptedOut {
            confirmation_id: Some(_),
            ..
        }
    ));
    assert_eq!(
        e.contact_export(PHONE).unwrap()["suppression"]["source"],
        "keyword"
    );
    assert_eq!(
        text(&e, PHONE, "START", at(DUE) + TimeDelta::minutes(2)),
        SmsOutcome::OptedIn { lifted: true }
    );
    assert_eq!(
        text(&e, PHONE, "START", at(DUE) + TimeDelta::minutes(3)),
        SmsOutcome::OptedIn { lifted: false }
    );
    let x = e.contact_export(PHONE).unwrap();
    assert_eq!(x["suppressed"], false, "{x}");
    let r = night(
        &e,
        "2026-11-23",
        &[("amelie", PHONE, "fr"), ("newcomer", PHONE, "fr")],
    );
    assert!(
        skipped(&r)
            .iter()
            .all(|(_, why)| *why != SkipReason::Unsubscribed),
        "{r:?}"
    );
    assert_eq!(
        sms_consent(&e),
        vec![("keyword".to_owned(), false), ("keyword".to_owned(), true)]
    );
}

/// T2, D6: erasing a phone no customer has cancels hearken's own texts to it not yet
/// sent (its opt-out confirmation and a HELP text), and erasing a customer cancels those
/// queued to her phone before it was hers; it stays unsubscribed.
#[test]
fn t2_d6_erasing_a_phone_cancels_its_unsent_confirmation_and_help_text() {
    let stranger = "+33655443322";
    let e = sms_engine();
    let SmsOutcome::OptedOut {
        confirmation_id: Some(_),
        ..
    } = text(&e, stranger, "STOP", at(DUE))
    else {
        panic!("an opt-out with its confirmation");
    };
    assert!(matches!(
        text(&e, stranger, "HELP", at(DUE)),
        SmsOutcome::HelpQueued { .. }
    ));
    let erased = e.erase_contact(stranger, at(DUE)).unwrap();
    assert!(erased.customers.is_empty() && erased.suppression_hashed);
    let claimed = e.claim(10, at(DUE)).unwrap();
    assert!(replies(&claimed).is_empty(), "{claimed:?}");
    assert_eq!(e.contact_export(stranger).unwrap()["suppressed"], true);

    // The same phone texts again and only then becomes a customer's: erasing her cancels
    // the texts queued to it before.
    let e = sms_engine();
    text(&e, PHONE, "HELP", at(DUE));
    night(&e, "2026-11-20", &[("amelie", PHONE, "fr")]);
    let erased = e.erase_customer("amelie", at(DUE)).unwrap();
    assert!(erased.messages_cancelled >= 2, "{erased:?}");
    let claimed = e.claim(10, at(DUE)).unwrap();
    assert!(replies(&claimed).is_empty(), "{claimed:?}");
}

/// D4: the opt-out confirmation is settable per language like the HELP text: a French
/// customer's STOP is confirmed with the store's French text, a phone nobody has (the
/// store's language, English) with the shipped English text.
#[test]
fn d4_the_opt_out_confirmation_is_settable_per_language() {
    let e = sms_engine();
    night(&e, "2026-11-20", &[("amelie", PHONE, "fr")]);
    let mut s = e.settings().unwrap();
    assert!(
        s.sms_opt_out_confirmations.is_empty(),
        "shipped texts by default"
    );
    s.sms_opt_out_confirmations = BTreeMap::from([(
        "fr".to_owned(),
        "C'est noté : plus aucun SMS de la Boutique.".to_owned(),
    )]);
    e.set_settings(&s).unwrap();
    assert_eq!(e.settings().unwrap(), s);
    let SmsOutcome::OptedOut {
        confirmation_id: Some(hers),
        ..
    } = text(&e, PHONE, "arrêt", at(DUE))
    else {
        panic!("an opt-out with its confirmation");
    };
    let SmsOutcome::OptedOut {
        confirmation_id: Some(theirs),
        ..
    } = text(&e, "+33699999999", "stop", at(DUE))
    else {
        panic!("an opt-out with its confirmation");
    };
    let claimed = e.claim(10, at(DUE)).unwrap();
    let body = |id: &str| {
        replies(&claimed)
            .iter()
            .find(|m| m.message_id == id)
            .map(|m| m.body.clone())
            .expect("the confirmation claimed")
    };
    assert_eq!(body(&hers), "C'est noté : plus aucun SMS de la Boutique.");
    assert_eq!(body(&theirs), inbound::opt_out_confirmation("en"));
}
