//! Responses and scores (issue 6): N1, N3–N6, R1, R2, F1, F3, F6 through the public API.

// Engine::nps and Engine::ratings are deprecated (Engine::scores reads the rollups), but
// they must keep working: these tests hold them to it.
#![allow(deprecated)]

mod common;

use chrono::TimeDelta;
use common::{at, batch, paris_night, sale};
use hearken::{
    Answer, ChoiceOption, Engine, ErrorKind, FeedbackInput, FeedbackSettings, Location,
    MessageKind, NpsCategory, Question, QuestionKind, ResponseInput, ReviewMode, ScoreQuery,
    Sentiment, Survey,
};

const DUE: &str = "2026-11-21T09:00:00Z";

fn engine() -> Engine {
    let e = common::open_store();
    let mut paris = Location::new("paris", "Boutique Paris", "Europe/Paris");
    paris.review_link = Some("https://g.page/r/paris/review".into());
    e.upsert_location(&paris).unwrap();
    e.upsert_location(&Location::new("seoul", "서울 매장", "Asia/Seoul"))
        .unwrap();
    e
}

/// Invites `customers` on the Paris night of 2026-11-20, delivers (acks) every message at
/// DUE, and returns (customer, survey token, invitation id) in claim order.
fn invited(e: &Engine, customers: &[&str]) -> Vec<(String, String, i64)> {
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
        out.push((m.customer.unwrap(), token, m.invitation_id.unwrap()));
    }
    out.sort();
    out
}

fn nps(score: u32) -> ResponseInput {
    ResponseInput {
        answers: vec![Answer {
            question: "recommend".into(),
            score: Some(score),
            ..Answer::default()
        }],
        consent_to_reply: false,
    }
}

fn token_of<'a>(links: &'a [(String, String, i64)], who: &str) -> &'a str {
    &links.iter().find(|l| l.0 == who).unwrap().1
}

#[test]
fn n1_nps_of_the_store_from_counts_and_none_without_answers() {
    let e = engine();
    assert_eq!(
        e.nps(&ScoreQuery::default()).unwrap().nps,
        None,
        "no responses: no NPS"
    );
    let links = invited(&e, &["a", "b", "c", "d"]);
    for (who, score) in [("a", 10), ("b", 7), ("c", 3), ("d", 9)] {
        e.record_response(token_of(&links, who), &nps(score), at(DUE))
            .unwrap();
    }
    let s = e.nps(&ScoreQuery::default()).unwrap();
    assert_eq!((s.promoters, s.passives, s.detractors), (2, 1, 1));
    assert_eq!(s.nps, Some(25.0));
    let seoul = e
        .nps(&ScoreQuery {
            location: Some("seoul".into()),
            ..Default::default()
        })
        .unwrap();
    assert_eq!(seoul.nps, None);
    let later = e
        .nps(&ScoreQuery {
            from: Some(at(DUE) + TimeDelta::hours(1)),
            ..Default::default()
        })
        .unwrap();
    assert_eq!(later.promoters + later.passives + later.detractors, 0);
}

#[test]
fn n3_promoters_9_and_10_get_the_review_link_or_everyone_in_google_mode() {
    let e = engine();
    let links = invited(&e, &["a", "b", "c"]);
    let nine = e
        .record_response(token_of(&links, "a"), &nps(9), at(DUE))
        .unwrap();
    assert_eq!(nine.nps_category, Some(NpsCategory::Promoter));
    assert_eq!(
        nine.review_link.as_deref(),
        Some("https://g.page/r/paris/review")
    );
    let eight = e
        .record_response(token_of(&links, "b"), &nps(8), at(DUE))
        .unwrap();
    assert_eq!(eight.review_link, None);
    e.set_feedback_settings(&FeedbackSettings {
        review_mode: ReviewMode::Everyone,
        ..Default::default()
    })
    .unwrap();
    let three = e
        .record_response(token_of(&links, "c"), &nps(3), at(DUE))
        .unwrap();
    assert!(
        three.review_link.is_some(),
        "the Google-policy mode offers the link to everyone"
    );
    e.review_clicked(nine.response_id, at(DUE)).unwrap();
    e.review_confirmed(nine.response_id, at(DUE)).unwrap();
    assert_eq!(
        e.review_clicked(999, at(DUE)).unwrap_err().kind(),
        ErrorKind::NotFound
    );
}

fn rated_survey() -> Survey {
    let text = |t: &str| [("en".to_owned(), t.to_owned())].into_iter().collect();
    let mut s = e_default();
    s.questions.push(Question {
        id: "stars".into(),
        kind: QuestionKind::Rating,
        text: text("Rate {location}"),
        scale: Some(5),
        options: vec![],
    });
    s.questions.push(Question {
        id: "fast".into(),
        kind: QuestionKind::Choice,
        text: text("Was it fast?"),
        scale: None,
        options: vec![
            ChoiceOption {
                id: "yes".into(),
                text: text("Yes"),
                satisfied: true,
            },
            ChoiceOption {
                id: "no".into(),
                text: text("No"),
                satisfied: false,
            },
        ],
    });
    s
}

fn e_default() -> Survey {
    common::open_store().survey().unwrap()
}

fn stars(n: u32, fast: &str) -> ResponseInput {
    ResponseInput {
        answers: vec![
            Answer {
                question: "stars".into(),
                score: Some(n),
                ..Answer::default()
            },
            Answer {
                question: "fast".into(),
                choice: Some(fast.into()),
                ..Answer::default()
            },
        ],
        consent_to_reply: true,
    }
}

#[test]
fn n4_n6_unhappy_by_rating_threshold_or_unsatisfied_choice_and_base_10_scores() {
    let e = engine();
    e.set_survey(&rated_survey()).unwrap();
    let links = invited(&e, &["a", "b", "c"]);
    let four = e
        .record_response(token_of(&links, "a"), &stars(4, "yes"), at(DUE))
        .unwrap();
    assert_eq!(four.score_base10, Some(8.0));
    assert!(!four.unhappy);
    let two = e
        .record_response(token_of(&links, "b"), &stars(2, "yes"), at(DUE))
        .unwrap();
    assert!(two.unhappy, "2 of 5 is at the default threshold");
    let slow = e
        .record_response(token_of(&links, "c"), &stars(5, "no"), at(DUE))
        .unwrap();
    assert!(slow.unhappy, "an unsatisfied choice on a filtered question");
}

#[test]
fn n5_average_rating_with_count_and_response_rate_anonymous_only_in_the_average() {
    let e = engine();
    e.set_survey(&rated_survey()).unwrap();
    let links = invited(&e, &["a", "b", "c", "d"]);
    e.record_response(token_of(&links, "a"), &stars(5, "yes"), at(DUE))
        .unwrap();
    e.record_response(token_of(&links, "b"), &stars(3, "yes"), at(DUE))
        .unwrap();
    let receipt = e.mint_receipt_link("paris", Some("t-c"), at(DUE)).unwrap();
    let token = receipt.url.rsplit('/').next().unwrap();
    e.record_response(token, &stars(4, "yes"), at(DUE)).unwrap();
    let r = e.ratings(&ScoreQuery::default()).unwrap();
    assert_eq!(r.responses, 3);
    assert_eq!(r.average_base10, Some(8.0)); // (10 + 6 + 8) / 3
    assert_eq!((r.delivered, r.answered), (4, 2));
    assert_eq!(r.response_rate, Some(0.5));
}

#[test]
fn f6_each_link_takes_one_response_and_expires() {
    let e = engine();
    let links = invited(&e, &["a"]);
    let t = token_of(&links, "a");
    let page = e.survey_page(t, None, at(DUE)).unwrap();
    assert_eq!(
        page.questions[0].text,
        "How likely are you to recommend Boutique Paris?"
    );
    let fr = e.survey_page(t, Some("fr-CA"), at(DUE)).unwrap();
    assert_eq!(
        fr.questions[0].text,
        "Quelle est la probabilité que vous recommandiez Boutique Paris ?"
    );
    e.record_response(t, &nps(10), at(DUE)).unwrap();
    assert_eq!(
        e.record_response(t, &nps(1), at(DUE)).unwrap_err().kind(),
        ErrorKind::Conflict
    );
    let receipt = e.mint_receipt_link("paris", None, at(DUE)).unwrap();
    assert_eq!(receipt.expires_at, at(DUE) + TimeDelta::days(60));
    let rt = common::link_token(&receipt.url);
    let late = at(DUE) + TimeDelta::days(61);
    assert_eq!(
        e.record_response(&rt, &nps(9), late).unwrap_err().kind(),
        ErrorKind::Conflict
    );
    e.record_response(&rt, &nps(9), at(DUE)).unwrap();
    assert_eq!(
        e.record_response(&rt, &nps(9), at(DUE)).unwrap_err().kind(),
        ErrorKind::Conflict
    );
    assert_eq!(
        e.record_response("not-a-token", &nps(9), at(DUE))
            .unwrap_err()
            .kind(),
        ErrorKind::InvalidInput
    );
    assert_eq!(
        e.record_response(&"ab".repeat(16), &nps(9), at(DUE))
            .unwrap_err()
            .kind(),
        ErrorKind::NotFound
    );
}

#[test]
fn bad_answers_are_typed_errors_and_store_nothing() {
    let e = engine();
    let links = invited(&e, &["a"]);
    let t = token_of(&links, "a");
    let bad = ResponseInput {
        answers: vec![
            Answer {
                question: "recommend".into(),
                score: Some(11),
                ..Answer::default()
            },
            Answer {
                question: "colour".into(),
                text: Some("red".into()),
                ..Answer::default()
            },
        ],
        consent_to_reply: false,
    };
    let err = e.record_response(t, &bad, at(DUE)).unwrap_err();
    let fields: Vec<_> = err.problems().iter().map(|p| p.field.as_str()).collect();
    assert_eq!(fields, vec!["score", "question"]);
    assert_eq!(e.nps(&ScoreQuery::default()).unwrap().nps, None);
    e.record_response(t, &nps(10), at(DUE)).unwrap(); // the link still works
}

#[test]
fn f1_e_receipt_feedback_with_sentiment_and_facets_can_be_turned_off_per_location() {
    let e = engine();
    let fb = |sentiment, facets: &[&str]| FeedbackInput {
        location: "paris".into(),
        transaction: None,
        customer: None,
        sentiment,
        facets: facets.iter().map(|f| (*f).to_owned()).collect(),
        comment: Some("Très bon accueil, mais l'attente…".into()),
        consent_to_reply: true,
    };
    let id = e
        .record_feedback(&fb(Sentiment::Negative, &["staff", "wait_time"]), at(DUE))
        .unwrap();
    assert!(id > 0);
    let err = e
        .record_feedback(&fb(Sentiment::Positive, &["parking"]), at(DUE))
        .unwrap_err();
    assert_eq!(err.problems()[0].field, "facets");
    let err = e
        .record_feedback(&fb(Sentiment::Unknown, &[]), at(DUE))
        .unwrap_err();
    assert_eq!(err.problems()[0].field, "sentiment");
    e.set_feedback_enabled("paris", false).unwrap();
    assert_eq!(
        e.record_feedback(&fb(Sentiment::Positive, &[]), at(DUE))
            .unwrap_err()
            .kind(),
        ErrorKind::Conflict
    );
    // Old feedback stays: deleting it still finds it (and leaves an audit record).
    e.delete_response(id, "admin@store", at(DUE)).unwrap();
    assert_eq!(e.response_deletions().unwrap()[0].response_id, id);
}

#[test]
fn f3_responses_are_never_edited_and_deletion_leaves_an_audit_record() {
    let e = engine();
    let links = invited(&e, &["a"]);
    let r = e
        .record_response(token_of(&links, "a"), &nps(6), at(DUE))
        .unwrap();
    // A second answer to the same invitation is refused: no editing.
    assert_eq!(
        e.record_response(token_of(&links, "a"), &nps(10), at(DUE))
            .unwrap_err()
            .kind(),
        ErrorKind::Conflict
    );
    assert_eq!(
        e.delete_response(r.response_id, " ", at(DUE))
            .unwrap_err()
            .kind(),
        ErrorKind::InvalidInput
    );
    e.delete_response(
        r.response_id,
        "owner@boutique",
        at(DUE) + TimeDelta::days(1),
    )
    .unwrap();
    let audit = e.response_deletions().unwrap();
    assert_eq!(audit.len(), 1);
    assert_eq!(audit[0].customer.as_deref(), Some("a"));
    assert_eq!(audit[0].responded_at, at(DUE));
    assert_eq!(audit[0].score_base10, Some(6.0));
    assert_eq!(audit[0].deleted_by, "owner@boutique");
    assert_eq!(e.nps(&ScoreQuery::default()).unwrap().nps, None);
    assert_eq!(
        e.delete_response(r.response_id, "x", at(DUE))
            .unwrap_err()
            .kind(),
        ErrorKind::NotFound
    );
}

#[test]
fn r1_a_promoter_gets_exactly_one_review_reminder_a_week_after_delivery() {
    let e = engine();
    let links = invited(&e, &["a", "b", "c"]);
    e.record_response(token_of(&links, "a"), &nps(10), at(DUE))
        .unwrap();
    e.record_response(token_of(&links, "b"), &nps(8), at(DUE))
        .unwrap();
    let confirmed = e
        .record_response(token_of(&links, "c"), &nps(9), at(DUE))
        .unwrap();
    e.review_confirmed(confirmed.response_id, at(DUE)).unwrap();
    let week = at(DUE) + TimeDelta::days(7);
    assert!(
        e.claim(10, week - TimeDelta::seconds(1))
            .unwrap()
            .is_empty()
    );
    let msgs = e.claim(10, week).unwrap();
    assert_eq!(
        msgs.len(),
        1,
        "only the promoter without a confirmed review"
    );
    assert_eq!(msgs[0].customer.as_deref(), Some("a"));
    assert_eq!(msgs[0].kind, MessageKind::ReviewReminder);
    assert!(
        msgs[0].body.contains("https://g.page/r/paris/review"),
        "{}",
        msgs[0].body
    );
    assert_eq!(msgs[0].survey_link, None);
    e.ack(&msgs[0].message_id, week).unwrap();
    assert!(
        e.claim(10, week + TimeDelta::days(30)).unwrap().is_empty(),
        "never a second one"
    );
}

#[test]
fn r1_the_reminder_is_cancelled_if_a_review_is_confirmed_before_it_is_handed_over() {
    let e = engine();
    let links = invited(&e, &["a"]);
    let r = e
        .record_response(token_of(&links, "a"), &nps(10), at(DUE))
        .unwrap();
    let week = at(DUE) + TimeDelta::days(7);
    e.review_confirmed(r.response_id, week - TimeDelta::hours(1))
        .unwrap();
    assert!(e.claim(10, week).unwrap().is_empty());
    // Decided while unconfirmed, confirmed before the claim: queued, then cancelled.
    let e = engine();
    let links = invited(&e, &["a", "b"]);
    let r = e
        .record_response(token_of(&links, "a"), &nps(10), at(DUE))
        .unwrap();
    let b_late = e
        .record_response(token_of(&links, "b"), &nps(10), at(DUE))
        .unwrap();
    let first = e.claim(1, week).unwrap();
    assert_eq!(first.len(), 1);
    let other = if first[0].customer.as_deref() == Some("a") {
        b_late.response_id
    } else {
        r.response_id
    };
    e.review_confirmed(other, week).unwrap();
    assert!(e.claim(10, week).unwrap().is_empty());
    assert_eq!(e.outbox_counts().unwrap().cancelled, 1);
}

#[test]
fn r2_a_non_respondent_reminder_only_when_turned_on_and_at_most_one() {
    let e = engine();
    e.set_feedback_settings(&FeedbackSettings {
        non_respondent_reminder_days: 3,
        ..Default::default()
    })
    .unwrap();
    let links = invited(&e, &["a", "b"]);
    e.record_response(token_of(&links, "a"), &nps(5), at(DUE))
        .unwrap();
    let day3 = at(DUE) + TimeDelta::days(3);
    let msgs = e.claim(10, day3).unwrap();
    assert_eq!(msgs.len(), 1);
    assert_eq!(
        (msgs[0].customer.as_deref().unwrap(), msgs[0].kind),
        ("b", MessageKind::SurveyReminder)
    );
    assert!(msgs[0].survey_link.is_some());
    e.ack(&msgs[0].message_id, day3).unwrap();
    assert!(e.claim(10, day3 + TimeDelta::days(30)).unwrap().is_empty());
    // Off by default.
    let e = engine();
    invited(&e, &["a"]);
    assert!(
        e.claim(10, at(DUE) + TimeDelta::days(30))
            .unwrap()
            .is_empty()
    );
}

/// R1 through `run_due`: the timers queue the week-old promoter's review reminder without a
/// claim; the claim hands it over, and a second run queues nothing more.
#[test]
fn r1_run_due_queues_the_reminder_that_claim_then_hands_over() {
    let e = engine();
    let links = invited(&e, &["a"]);
    e.record_response(token_of(&links, "a"), &nps(10), at(DUE))
        .unwrap();
    let week = at(DUE) + TimeDelta::days(7);
    let none = e.run_due(week - TimeDelta::seconds(1)).unwrap();
    assert_eq!((none.reminders, none.escalations), (0, 0));
    let due = e.run_due(week).unwrap();
    assert_eq!((due.reminders, due.escalations), (1, 0));
    assert_eq!(e.run_due(week).unwrap().reminders, 0, "queued once");
    assert_eq!(e.outbox_counts().unwrap().pending, 1);
    let msgs = e.claim(10, week).unwrap();
    assert_eq!(msgs.len(), 1);
    assert_eq!(msgs[0].kind, MessageKind::ReviewReminder);
}
