//! Reports (issue 8): N2, N3, N5, X3, X4, F4, rollups, users' locations and the
//! comparison with other stores, through the public Rust API.

mod common;

use std::path::Path;

use chrono::{DateTime, NaiveDate, TimeDelta, Utc};
use common::{at, batch, day, paris_night, sale};
use hearken::{
    AggregateBundle, Answer, Bucket, CustomerQuery, Employee, Engine, ErrorKind, FeedbackInput,
    FeedbackQuery, FeedbackSort, Gender, Location, NpsCategory, Period, Question, QuestionKind,
    ReportQuery, ResponseInput, ResponseSource, Role, Sentiment, Subscription, Transaction,
};
use proptest::prelude::*;

const DUE: &str = "2026-11-21T09:00:00Z";

/// A file-backed engine (users are added with SQL on the same file) with Paris (a
/// restaurant with a review link) and Seoul.
fn engine() -> (tempfile::TempDir, Engine) {
    let dir = tempfile::tempdir().unwrap();
    let e = common::open_store();
    let mut paris = Location::new("paris", "Boutique Paris", "Europe/Paris");
    paris.review_link = Some("https://g.page/r/paris/review".into());
    paris.business_type = Some("restaurant".into());
    e.upsert_location(&paris).unwrap();
    e.upsert_location(&Location::new("seoul", "서울 매장", "Asia/Seoul"))
        .unwrap();
    (dir, e)
}

fn staff() -> Vec<Employee> {
    [
        ("sal", Role::Salesperson),
        ("tech", Role::Technician),
        ("drv", Role::Driver),
    ]
    .into_iter()
    .map(|(id, role)| Employee {
        id: id.into(),
        name: Some(format!("Name of {id}")),
        role,
    })
    .collect()
}

fn with_staff(mut t: Transaction, employees: &[&str]) -> Transaction {
    t.employees = employees.iter().map(|s| (*s).to_owned()).collect();
    t
}

/// Syncs anonymous Paris sales `t1` (sal, tech, drv) and `t2` (sal) on 2026-11-20.
fn paris_sales(e: &Engine) {
    let mut b = batch(
        "paris",
        "2026-11-20",
        &[],
        vec![
            with_staff(
                sale("t1", None, Some("2026-11-20T10:00:00+01:00")),
                &["sal", "tech", "drv"],
            ),
            with_staff(
                sale("t2", None, Some("2026-11-20T11:00:00+01:00")),
                &["sal"],
            ),
        ],
    );
    b.employees = staff();
    e.sync(&b, paris_night("2026-11-20")).unwrap();
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

fn token(url: &str) -> String {
    common::link_token(url)
}

/// An anonymous answer by receipt link at `location` for `transaction`, at `when`.
fn receipt(
    e: &Engine,
    location: &str,
    transaction: Option<&str>,
    input: &ResponseInput,
    when: DateTime<Utc>,
) -> i64 {
    let link = e.mint_receipt_link(location, transaction, when).unwrap();
    e.record_response(&token(&link.url), input, when)
        .unwrap()
        .response_id
}

fn q() -> ReportQuery {
    ReportQuery::default()
}

fn now() -> DateTime<Utc> {
    at("2026-12-15T12:00:00Z")
}

#[test]
fn n2_nps_by_employee_credits_every_role() {
    let (_d, e) = engine();
    paris_sales(&e);
    let when = at("2026-11-21T12:00:00Z");
    receipt(&e, "paris", Some("t1"), &nps(10), when);
    receipt(&e, "paris", Some("t2"), &nps(3), when);
    let of = |employee: &str| {
        e.scores(
            &ReportQuery {
                employee: Some(employee.into()),
                ..q()
            },
            now(),
        )
        .unwrap()
    };
    for who in ["tech", "drv"] {
        let s = of(who);
        assert_eq!(
            (s.responses, s.nps.promoters, s.nps.nps),
            (1, 1, Some(100.0)),
            "{who}"
        );
    }
    let sal = of("sal");
    assert_eq!(
        (sal.responses, sal.nps.promoters, sal.nps.detractors),
        (2, 1, 1)
    );
    assert_eq!(sal.nps.nps, Some(0.0));
    // The store counts each answer once, however many employees it credits.
    let all = e.scores(&q(), now()).unwrap();
    assert_eq!((all.responses, all.nps.nps), (2, Some(0.0)));
    // The same from the raw responses (a period not aligned on local days).
    let raw = e
        .scores(
            &ReportQuery {
                period: Period::Between {
                    from: at("2026-11-21T11:59:00Z"),
                    to: at("2026-11-21T12:01:00Z"),
                },
                employee: Some("sal".into()),
                ..q()
            },
            now(),
        )
        .unwrap();
    assert_eq!(raw, sal);
    let unknown = e
        .scores(
            &ReportQuery {
                employee: Some("nobody".into()),
                ..q()
            },
            now(),
        )
        .unwrap_err();
    assert_eq!(unknown.kind(), ErrorKind::NotFound);
}

#[test]
fn x4_employee_performance_per_employee_by_role() {
    let (_d, e) = engine();
    paris_sales(&e);
    let when = at("2026-11-21T12:00:00Z");
    receipt(&e, "paris", Some("t1"), &nps(10), when);
    receipt(&e, "paris", Some("t1"), &nps(8), when);
    receipt(&e, "paris", Some("t2"), &nps(0), when);
    let perf = e.employee_performance(&q(), None, now()).unwrap();
    let rows: Vec<(&str, Role, u64, Option<f64>)> = perf
        .iter()
        .map(|p| {
            (
                p.employee.as_str(),
                p.role,
                p.scores.responses,
                p.scores.nps.nps,
            )
        })
        .collect();
    assert_eq!(
        rows,
        vec![
            ("drv", Role::Driver, 2, Some(50.0)),
            ("sal", Role::Salesperson, 3, Some(0.0)),
            ("tech", Role::Technician, 2, Some(50.0)),
        ]
    );
    assert_eq!(perf[0].name.as_deref(), Some("Name of drv"));
    let techs = e
        .employee_performance(&q(), Some(Role::Technician), now())
        .unwrap();
    assert_eq!(techs.len(), 1);
    assert_eq!(techs[0].employee, "tech");
    // Last month (November, Paris time) holds them all; this month none.
    let last = ReportQuery {
        period: Period::LastMonth,
        ..q()
    };
    assert_eq!(e.employee_performance(&last, None, now()).unwrap(), perf);
    let current = ReportQuery {
        period: Period::CurrentMonth,
        ..q()
    };
    assert!(
        e.employee_performance(&current, None, now())
            .unwrap()
            .is_empty()
    );
}

#[test]
fn n2_series_buckets_use_each_locations_local_date() {
    let (_d, e) = engine();
    // 16:00 UTC on Nov 30: 17:00 in Paris, already Dec 1 01:00 in Seoul.
    let when = at("2026-11-30T16:00:00Z");
    receipt(&e, "paris", None, &nps(9), when);
    receipt(&e, "seoul", None, &nps(2), when);
    let months = e.score_series(&q(), Bucket::Month, now()).unwrap();
    let labels: Vec<(&str, u64, Option<f64>)> = months
        .iter()
        .map(|p| (p.label.as_str(), p.scores.responses, p.scores.nps.nps))
        .collect();
    assert_eq!(
        labels,
        vec![("2026-11", 1, Some(100.0)), ("2026-12", 1, Some(-100.0))]
    );
    let days = e.score_series(&q(), Bucket::Day, now()).unwrap();
    assert_eq!(days[0].start, day("2026-11-30"));
    assert_eq!(days[1].label, "2026-12-01");
    // Nov 30 2026 is a Monday: both fall in ISO week 49.
    let weeks = e.score_series(&q(), Bucket::IsoWeek, now()).unwrap();
    assert_eq!(weeks.len(), 1);
    assert_eq!(
        (weeks[0].label.as_str(), weeks[0].scores.responses),
        ("2026-W49", 2)
    );
    assert_eq!(weeks[0].scores.nps.nps, Some(0.0));
    // The raw path buckets the same way.
    let raw = e
        .score_series(
            &ReportQuery {
                period: Period::Between {
                    from: at("2026-11-01T00:00:00Z"),
                    to: at("2026-12-31T00:00:00Z"),
                },
                ..q()
            },
            Bucket::Month,
            now(),
        )
        .unwrap();
    assert_eq!(raw, months);
}

#[test]
fn x3_last_month_in_seoul_time() {
    let (_d, e) = engine();
    let now = at("2026-11-30T16:00:00Z"); // Dec 1 in Seoul, Nov 30 in Paris
    let seoul = e.period_bounds("seoul", &Period::LastMonth, now).unwrap();
    assert_eq!(
        (seoul.first_day, seoul.last_day),
        (Some(day("2026-11-01")), Some(day("2026-11-30")))
    );
    assert_eq!(seoul.starts_at, Some(at("2026-10-31T15:00:00Z")));
    assert_eq!(seoul.ends_at, Some(at("2026-11-30T15:00:00Z")));
    let paris = e.period_bounds("paris", &Period::LastMonth, now).unwrap();
    assert_eq!(
        (paris.first_day, paris.last_day),
        (Some(day("2026-10-01")), Some(day("2026-10-31")))
    );
    assert_eq!(paris.starts_at, Some(at("2026-09-30T22:00:00Z")));
    // An answer given at 15:30 UTC on Nov 30 is December's in Seoul, November's in Paris.
    let when = at("2026-11-30T15:30:00Z");
    receipt(&e, "paris", None, &nps(10), when);
    receipt(&e, "seoul", None, &nps(0), when);
    let later = at("2026-12-10T00:00:00Z");
    let count = |period: Period, location: Option<&str>| {
        let s = e
            .scores(
                &ReportQuery {
                    period,
                    location: location.map(Into::into),
                    ..q()
                },
                later,
            )
            .unwrap();
        (s.nps.promoters, s.nps.detractors)
    };
    assert_eq!(count(Period::LastMonth, None), (1, 0));
    assert_eq!(count(Period::CurrentMonth, None), (0, 1));
    assert_eq!(count(Period::AllTime, None), (1, 1));
    let custom = Period::Custom {
        from: day("2026-12-01"),
        to: day("2026-12-01"),
    };
    assert_eq!(count(custom.clone(), Some("seoul")), (0, 1));
    assert_eq!(count(custom, Some("paris")), (0, 0));
    let backwards = e
        .scores(
            &ReportQuery {
                period: Period::Custom {
                    from: day("2026-12-02"),
                    to: day("2026-12-01"),
                },
                ..q()
            },
            later,
        )
        .unwrap_err();
    assert_eq!(backwards.kind(), ErrorKind::InvalidInput);
}

fn feedback(
    e: &Engine,
    location: &str,
    sentiment: Sentiment,
    facets: &[&str],
    comment: &str,
    when: DateTime<Utc>,
) -> i64 {
    e.record_feedback(
        &FeedbackInput {
            location: location.into(),
            transaction: None,
            customer: None,
            sentiment,
            facets: facets.iter().map(|f| (*f).to_owned()).collect(),
            comment: Some(comment.into()),
            consent_to_reply: false,
        },
        when,
    )
    .unwrap()
}

#[test]
fn x3_feedback_list_sorts_filters_and_pages() {
    let (_d, e) = engine();
    paris_sales(&e);
    let t = |h: i64| at("2026-11-21T08:00:00Z") + TimeDelta::hours(h);
    let a = receipt(&e, "paris", Some("t1"), &nps(6), t(0));
    let b = receipt(&e, "paris", Some("t2"), &nps(10), t(1));
    let c = receipt(&e, "seoul", None, &nps(8), t(2));
    let f = feedback(
        &e,
        "paris",
        Sentiment::Negative,
        &["food", "price"],
        "Froid, \"vraiment\"",
        t(3),
    );
    let ids = |query: FeedbackQuery| -> Vec<i64> {
        e.feedback(&query, now())
            .unwrap()
            .items
            .iter()
            .map(|i| i.response_id)
            .collect()
    };
    let sorted = |sort| FeedbackQuery {
        sort,
        ..FeedbackQuery::default()
    };
    assert_eq!(ids(sorted(FeedbackSort::Newest)), vec![f, c, b, a]);
    assert_eq!(ids(sorted(FeedbackSort::Oldest)), vec![a, b, c, f]);
    assert_eq!(
        ids(sorted(FeedbackSort::Lowest)),
        vec![a, c, b, f],
        "unscored last"
    );
    assert_eq!(ids(sorted(FeedbackSort::Highest)), vec![b, c, a, f]);
    let page = e
        .feedback(
            &FeedbackQuery {
                offset: 1,
                limit: 2,
                ..FeedbackQuery::default()
            },
            now(),
        )
        .unwrap();
    assert_eq!(page.total, 4);
    assert_eq!(
        page.items.iter().map(|i| i.response_id).collect::<Vec<_>>(),
        vec![c, b]
    );
    let only = |query: FeedbackQuery| ids(query);
    assert_eq!(
        only(FeedbackQuery {
            category: Some(NpsCategory::Detractor),
            ..FeedbackQuery::default()
        }),
        vec![a]
    );
    assert_eq!(
        only(FeedbackQuery {
            sentiment: Some(Sentiment::Negative),
            ..FeedbackQuery::default()
        }),
        vec![f]
    );
    assert_eq!(
        only(FeedbackQuery {
            facet: Some("price".into()),
            ..FeedbackQuery::default()
        }),
        vec![f]
    );
    assert_eq!(
        only(FeedbackQuery {
            source: Some(ResponseSource::Receipt),
            scope: ReportQuery {
                location: Some("paris".into()),
                ..q()
            },
            ..FeedbackQuery::default()
        }),
        vec![b, a]
    );
    assert_eq!(
        only(FeedbackQuery {
            scope: ReportQuery {
                employee: Some("tech".into()),
                ..q()
            },
            ..FeedbackQuery::default()
        }),
        vec![a]
    );
    let item = &e.feedback(&FeedbackQuery::default(), now()).unwrap().items[3];
    assert_eq!(item.employees, vec!["drv", "sal", "tech"]);
    assert_eq!(
        (item.nps, item.category, item.transaction.as_deref()),
        (Some(6), Some(NpsCategory::Detractor), Some("t1"))
    );
    let first = &e.feedback(&FeedbackQuery::default(), now()).unwrap().items[0];
    assert_eq!(first.facets, vec!["food", "price"]);
    assert_eq!(first.comment.as_deref(), Some("Froid, \"vraiment\""));
    let bad = e
        .feedback(
            &FeedbackQuery {
                limit: 0,
                ..FeedbackQuery::default()
            },
            now(),
        )
        .unwrap_err();
    assert_eq!(bad.kind(), ErrorKind::InvalidInput);
}

/// Invites `customers` (with genders) in Paris on 2026-11-20 and delivers every message
/// at DUE; returns (customer, token) sorted.
fn invited(e: &Engine, customers: &[(&str, Option<Gender>)]) -> Vec<(String, String)> {
    let ids: Vec<&str> = customers.iter().map(|c| c.0).collect();
    let sales = ids
        .iter()
        .map(|c| {
            with_staff(
                sale(
                    &format!("t-{c}"),
                    Some(c),
                    Some("2026-11-20T10:00:00+01:00"),
                ),
                &["sal"],
            )
        })
        .collect();
    let mut b = batch("paris", "2026-11-20", &ids, sales);
    b.employees = staff();
    for (c, (_, g)) in b.customers.iter_mut().zip(customers) {
        c.gender = *g;
        c.name = Some(format!("Name {}", c.id));
    }
    e.sync(&b, paris_night("2026-11-20")).unwrap();
    let mut out = Vec::new();
    for m in common::deliver(e, 100, at(DUE)) {
        out.push((m.customer.unwrap(), token(&m.survey_link.unwrap())));
    }
    out.sort();
    out
}

fn stars_survey(e: &Engine) {
    let mut s = e.survey().unwrap();
    s.questions.push(Question {
        id: "stars".into(),
        kind: QuestionKind::Rating,
        text: [("en".to_owned(), "Rate {location}".to_owned())].into(),
        scale: Some(5),
        options: vec![],
    });
    e.set_survey(&s).unwrap();
}

fn stars(nps_score: u32, n: u32) -> ResponseInput {
    let mut r = nps(nps_score);
    r.answers.push(Answer {
        question: "stars".into(),
        score: Some(n),
        ..Answer::default()
    });
    r
}

#[test]
fn n5_response_rate_counts_delivered_invitations_and_anonymous_answers_only_in_averages() {
    let (_d, e) = engine();
    stars_survey(&e);
    let links = invited(&e, &[("a", None), ("b", None), ("c", None), ("d", None)]);
    let answered = at("2026-11-22T10:00:00Z");
    e.record_response(&links[0].1, &stars(10, 4), answered)
        .unwrap();
    e.record_response(&links[1].1, &nps(7), answered).unwrap();
    receipt(&e, "paris", None, &stars(3, 2), answered);
    let rate = e.response_rate(&q(), now()).unwrap();
    assert_eq!(
        (rate.delivered, rate.answered, rate.rate),
        (4, 2, Some(0.5))
    );
    let s = e.scores(&q(), now()).unwrap();
    // 4 of 5 → 8.0 and the anonymous 2 of 5 → 4.0 (N6): average 6.0 over 2 ratings.
    assert_eq!((s.responses, s.rated, s.average_base10), (3, 2, Some(6.0)));
    // Delivered on Nov 21 (Paris): nothing delivered in December.
    let december = ReportQuery {
        period: Period::CurrentMonth,
        ..q()
    };
    let none = e.response_rate(&december, now()).unwrap();
    assert_eq!((none.delivered, none.rate), (0, None));
    let seoul = e
        .response_rate(
            &ReportQuery {
                location: Some("seoul".into()),
                ..q()
            },
            now(),
        )
        .unwrap();
    assert_eq!(seoul.delivered, 0);
}

#[test]
fn n3_review_funnel_counts_promoters_links_clicks_and_reviews() {
    let (_d, e) = engine();
    let when = at("2026-11-22T10:00:00Z");
    let p1 = receipt(&e, "paris", None, &nps(10), when);
    receipt(&e, "paris", None, &nps(9), when);
    receipt(&e, "paris", None, &nps(5), when);
    receipt(&e, "seoul", None, &nps(10), when); // Seoul has no review link
    e.review_clicked(p1, when).unwrap();
    e.review_confirmed(p1, when).unwrap();
    let f = e.review_funnel(&q(), now()).unwrap();
    assert_eq!(
        (f.responses, f.promoters, f.shown, f.clicked, f.confirmed),
        (4, 3, 2, 1, 1)
    );
}

#[test]
fn f4_customer_history_and_customers_by_gender_category_and_subscription() {
    let (_d, e) = engine();
    let links = invited(
        &e,
        &[
            ("a", Some(Gender::Female)),
            ("b", Some(Gender::Male)),
            ("c", Some(Gender::Female)),
        ],
    );
    e.record_response(&links[0].1, &nps(9), at("2026-11-22T10:00:00Z"))
        .unwrap();
    e.record_response(&links[2].1, &nps(4), at("2026-11-22T11:00:00Z"))
        .unwrap();
    e.unsubscribe_customer("c", at("2026-11-23T10:00:00Z"))
        .unwrap();
    let h = e.customer_history("a", None).unwrap();
    assert_eq!(
        (h.name.as_deref(), h.gender, h.unsubscribed_at),
        (Some("Name a"), Some(Gender::Female), None)
    );
    assert_eq!(h.invitations.len(), 1);
    assert!(h.invitations[0].answered);
    assert_eq!(h.invitations[0].transaction.as_deref(), Some("t-a"));
    assert_eq!(h.invitations[0].business_date, day("2026-11-20"));
    assert_eq!(h.responses.len(), 1);
    assert_eq!(h.responses[0].nps, Some(9));
    let c = e.customer_history("c", None).unwrap();
    assert_eq!(c.unsubscribed_at, Some(at("2026-11-23T10:00:00Z")));
    let list = |query: CustomerQuery| -> Vec<String> {
        e.customers(&query)
            .unwrap()
            .items
            .into_iter()
            .map(|c| c.customer)
            .collect()
    };
    assert_eq!(
        list(CustomerQuery {
            gender: Some(Gender::Female),
            ..CustomerQuery::default()
        }),
        vec!["a", "c"]
    );
    assert_eq!(
        list(CustomerQuery {
            category: Some(NpsCategory::Detractor),
            ..CustomerQuery::default()
        }),
        vec!["c"]
    );
    assert_eq!(
        list(CustomerQuery {
            subscription: Some(Subscription::Subscribed),
            ..CustomerQuery::default()
        }),
        vec!["a", "b"]
    );
    let page = e
        .customers(&CustomerQuery {
            gender: Some(Gender::Female),
            subscription: Some(Subscription::Unsubscribed),
            ..CustomerQuery::default()
        })
        .unwrap();
    assert_eq!(page.total, 1);
    assert_eq!(page.items[0].latest_category, Some(NpsCategory::Detractor));
    assert_eq!(page.items[0].responses, 1);
    assert_eq!(
        e.customer_history("nobody", None).unwrap_err().kind(),
        ErrorKind::NotFound
    );
}

#[test]
fn f4_unsubscribe_report() {
    let (_d, e) = engine();
    invited(&e, &[("a", None), ("b", None)]);
    e.unsubscribe_customer("a", at("2026-11-23T10:00:00Z"))
        .unwrap();
    e.unsubscribe_contact(" B@Example.com ", at("2026-12-02T10:00:00Z"))
        .unwrap();
    e.unsubscribe_contact("zed@example.com", at("2026-12-03T10:00:00Z"))
        .unwrap();
    let all = e.unsubscribes(&q(), now()).unwrap();
    let rows: Vec<(&str, &str, Option<&str>)> = all
        .iter()
        .map(|u| (u.kind.as_str(), u.contact.as_str(), u.customer.as_deref()))
        .collect();
    assert_eq!(
        rows,
        vec![
            ("email", "zed@example.com", None),
            // Unsubscribing a contact also unsubscribes its customer, so a new e-mail
            // never re-subscribes them (E3).
            ("customer", "b", Some("b")),
            ("email", "b@example.com", Some("b")),
            // Unsubscribing a customer also suppresses their e-mail (E3).
            ("customer", "a", Some("a")),
            ("email", "a@example.com", Some("a")),
        ]
    );
    assert_eq!(all[1].source, "contact");
    assert_eq!(all[3].at, at("2026-11-23T10:00:00Z"));
    let december = e
        .unsubscribes(
            &ReportQuery {
                period: Period::CurrentMonth,
                ..q()
            },
            now(),
        )
        .unwrap();
    assert_eq!(december.len(), 3);
    // The customers report knows them as unsubscribed too.
    let unsub = e
        .customers(&CustomerQuery {
            subscription: Some(Subscription::Unsubscribed),
            ..CustomerQuery::default()
        })
        .unwrap();
    assert_eq!(unsub.total, 2);
}

/// Adds users with SQL (their API is issue 7's): an admin, a Seoul manager, a staff
/// member without locations.
fn add_users(e: &Engine) {
    use hearken::{User, UserRole};
    let seoul = vec!["seoul".to_owned()];
    e.upsert_user(&User {
        locations: seoul.clone(),
        ..User::new("root", "Admin", "a@example.com", UserRole::Admin)
    })
    .unwrap();
    e.upsert_user(&User {
        locations: seoul,
        ..User::new("kim", "김 매니저", "k@example.com", UserRole::Manager)
    })
    .unwrap();
    e.upsert_user(&User::new("sam", "Sam", "s@example.com", UserRole::Staff))
        .unwrap();
}

#[test]
fn reports_honour_the_users_locations() {
    let (_dir, e) = engine();
    add_users(&e);
    let when = at("2026-11-22T10:00:00Z");
    receipt(&e, "paris", None, &nps(10), when);
    receipt(&e, "seoul", None, &nps(0), when);
    let as_user = |user: &str, location: Option<&str>| {
        e.scores(
            &ReportQuery {
                user: Some(user.into()),
                location: location.map(Into::into),
                ..q()
            },
            now(),
        )
    };
    let kim = as_user("kim", None).unwrap();
    assert_eq!(
        (kim.responses, kim.nps.detractors),
        (1, 1),
        "a manager sees their locations"
    );
    assert_eq!(
        as_user("root", None).unwrap().responses,
        2,
        "an admin sees all"
    );
    assert_eq!(
        as_user("sam", None).unwrap().responses,
        2,
        "no locations means all"
    );
    assert_eq!(
        as_user("kim", Some("paris")).unwrap_err().kind(),
        ErrorKind::InvalidInput
    );
    assert_eq!(
        as_user("ghost", None).unwrap_err().kind(),
        ErrorKind::NotFound
    );
    let list = e
        .feedback(
            &FeedbackQuery {
                scope: ReportQuery {
                    user: Some("kim".into()),
                    ..q()
                },
                ..FeedbackQuery::default()
            },
            now(),
        )
        .unwrap();
    assert_eq!(list.total, 1);
    assert_eq!(list.items[0].location, "seoul");
}

#[test]
fn compare_with_other_retailers_through_pii_free_bundles() {
    let bundle_of = |label: &str, scores: &[u32]| -> AggregateBundle {
        let (_d, e) = engine();
        for s in scores {
            receipt(&e, "paris", None, &nps(*s), at("2026-11-22T10:00:00Z"));
        }
        e.export_aggregates(label, now()).unwrap()
    };
    let north = bundle_of("north", &[10, 10, 10, 0]); // NPS 50
    let south = bundle_of("south", &[0, 8]); // NPS −50
    let json = serde_json::to_string(&north).unwrap();
    assert!(
        !json.contains("paris") && !json.contains("Boutique"),
        "{json}"
    );
    assert_eq!(north.rows.len(), 1);
    assert_eq!(
        (north.rows[0].location, north.rows[0].month.as_str()),
        (1, "2026-11")
    );
    assert_eq!((north.rows[0].promoters, north.rows[0].detractors), (3, 1));

    let (_d, me) = engine();
    receipt(&me, "paris", None, &nps(9), at("2026-11-22T10:00:00Z"));
    for b in [&north, &south] {
        let back: AggregateBundle =
            serde_json::from_str(&serde_json::to_string(b).unwrap()).unwrap();
        assert_eq!(me.import_aggregates(&back, now()).unwrap(), 1);
    }
    // Importing a store again replaces its rows.
    me.import_aggregates(&south, now()).unwrap();
    let cmp = me.compare_nps(&q(), now()).unwrap();
    assert_eq!(cmp.you.nps, Some(100.0));
    assert_eq!(cmp.peer_stores, 2);
    assert_eq!(cmp.peer_average, Some(0.0));
    assert_eq!(
        (
            cmp.peers.promoters,
            cmp.peers.passives,
            cmp.peers.detractors
        ),
        (3, 1, 2)
    );
    let december = me
        .compare_nps(
            &ReportQuery {
                period: Period::CurrentMonth,
                ..q()
            },
            now(),
        )
        .unwrap();
    assert_eq!(
        (
            december.you.nps,
            december.peer_stores,
            december.peer_average
        ),
        (None, 0, None)
    );
    let mut bad = north.clone();
    bad.rows[0].month = "2026-13".into();
    bad.store = " ".into();
    let err = me.import_aggregates(&bad, now()).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::InvalidInput);
    assert!(!err.to_string().contains("2026-13"), "never echoes values");
}

#[test]
fn f3_a_deleted_responses_id_is_never_reused() {
    let (_d, e) = engine();
    let when = at("2026-11-22T10:00:00Z");
    let first = receipt(&e, "paris", None, &nps(10), when);
    e.delete_response(first, "admin", when).unwrap();
    let second = receipt(&e, "paris", None, &nps(3), when);
    assert!(second > first);
    e.delete_response(second, "admin", when).unwrap();
    assert_eq!(e.response_deletions().unwrap().len(), 2);
}

#[test]
fn rollups_follow_deletions_and_changes_of_a_transactions_employees() {
    let (_d, e) = engine();
    paris_sales(&e);
    let when = at("2026-11-21T12:00:00Z");
    let r1 = receipt(&e, "paris", Some("t1"), &nps(10), when);
    receipt(&e, "paris", Some("t2"), &nps(3), when);
    e.delete_response(r1, "admin", when).unwrap();
    let all = e.scores(&q(), now()).unwrap();
    assert_eq!((all.responses, all.nps.nps), (1, Some(-100.0)));
    let tech = ReportQuery {
        employee: Some("tech".into()),
        ..q()
    };
    assert_eq!(e.scores(&tech, now()).unwrap().responses, 0);
    // t2 is re-sent with the technician instead of the salesperson: the credit moves.
    let mut b = batch(
        "paris",
        "2026-11-20",
        &[],
        vec![with_staff(
            sale("t2", None, Some("2026-11-20T11:00:00+01:00")),
            &["tech"],
        )],
    );
    b.employees = staff();
    e.sync(&b, paris_night("2026-11-20")).unwrap();
    assert_eq!(e.scores(&tech, now()).unwrap().nps.detractors, 1);
    let sal = ReportQuery {
        employee: Some("sal".into()),
        ..q()
    };
    assert_eq!(e.scores(&sal, now()).unwrap().responses, 0);
    assert_eq!(e.rebuild_rollups().unwrap(), 1);
    assert_eq!(e.scores(&tech, now()).unwrap().nps.detractors, 1);
}

#[test]
fn the_v5_migration_fills_the_rollups_from_existing_responses() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("v4.db");
    std::fs::copy(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/schema_v4.db"),
        &path,
    )
    .unwrap();
    let e = Engine::open(&path).unwrap();
    // The v4 fixture holds one detractor (3) answered in Paris on 2026-11-21.
    let rolled = e.scores(&q(), now()).unwrap();
    assert_eq!((rolled.responses, rolled.nps.detractors), (1, 1));
    let nov21 = ReportQuery {
        period: Period::Custom {
            from: day("2026-11-21"),
            to: day("2026-11-21"),
        },
        ..q()
    };
    assert_eq!(e.scores(&nov21, now()).unwrap(), rolled);
    let raw = ReportQuery {
        period: Period::Between {
            from: at("2020-01-01T00:00:00Z"),
            to: at("2030-01-01T00:00:00Z"),
        },
        ..q()
    };
    assert_eq!(e.scores(&raw, now()).unwrap(), rolled);
}

// Property: after random inserts, deletions and employee changes, every rollup answer
// equals a recount of the live responses, and the raw path's answer.

#[derive(Debug, Clone)]
enum Op {
    Answer {
        location: usize,
        transaction: usize,
        nps: Option<u32>,
        stars: Option<u32>,
        minutes: i64,
    },
    Delete(usize),
    Relink {
        transaction: usize,
        employees: Vec<bool>,
    },
}

fn op() -> impl Strategy<Value = Op> {
    prop_oneof![
        5 => (0..2usize, 0..4usize, proptest::option::of(0..=10u32), proptest::option::of(1..=5u32), 0..(90 * 24 * 60i64))
            .prop_map(|(location, transaction, nps, stars, minutes)| Op::Answer { location, transaction, nps, stars, minutes }),
        2 => (0..64usize).prop_map(Op::Delete),
        1 => (0..4usize, proptest::collection::vec(any::<bool>(), 3))
            .prop_map(|(transaction, employees)| Op::Relink { transaction, employees }),
    ]
}

const LOCATIONS: [(&str, chrono_tz::Tz); 2] = [
    ("paris", chrono_tz::Europe::Paris),
    ("seoul", chrono_tz::Asia::Seoul),
];
const EMPLOYEES: [&str; 3] = ["sal", "tech", "drv"];

/// A live response in the test's own model.
struct Live {
    id: i64,
    location: usize,
    transaction: Option<usize>,
    nps: Option<u32>,
    stars: Option<u32>,
    at: DateTime<Utc>,
}

fn property_engine() -> (tempfile::TempDir, Engine) {
    let (d, e) = engine();
    stars_survey(&e);
    // 23:00 local in Paris and in Seoul on 2026-01-05.
    for (loc, night) in [
        ("paris", "2026-01-05T22:00:00Z"),
        ("seoul", "2026-01-05T14:00:00Z"),
    ] {
        let mut b = batch(loc, "2026-01-05", &[], Vec::new());
        b.employees = staff();
        b.transactions = (0..4)
            .map(|i| {
                with_staff(
                    sale(
                        &format!("{loc}-t{i}"),
                        None,
                        Some("2026-01-05T10:00:00+01:00"),
                    ),
                    &EMPLOYEES[..=(i % 3)],
                )
            })
            .collect();
        e.sync(&b, at(night)).unwrap();
    }
    (d, e)
}

fn recount(
    live: &[Live],
    links: &[[Vec<bool>; 4]; 2],
    location: Option<usize>,
    employee: Option<usize>,
    days: (Option<NaiveDate>, Option<NaiveDate>),
) -> (u64, u64, u64, u64, u64, Option<f64>) {
    let mut n = (0, 0, 0, 0, 0, 0.0);
    for r in live {
        if location.is_some_and(|l| l != r.location) {
            continue;
        }
        if let Some(emp) = employee {
            match r.transaction {
                Some(t) if links[r.location][t][emp] => {}
                _ => continue,
            }
        }
        let local = r.at.with_timezone(&LOCATIONS[r.location].1).date_naive();
        if days.0.is_some_and(|f| local < f) || days.1.is_some_and(|t| local > t) {
            continue;
        }
        n.0 += 1;
        match r.nps {
            Some(9..=10) => n.1 += 1,
            Some(7..=8) => n.2 += 1,
            Some(_) => n.3 += 1,
            None => {}
        }
        if let Some(s) = r.stars {
            n.4 += 1;
            n.5 += f64::from(s) * 2.0;
        }
    }
    (n.0, n.1, n.2, n.3, n.4, (n.4 > 0).then(|| n.5 / n.4 as f64))
}

fn cases() -> u32 {
    std::env::var("PROPTEST_CASES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(24)
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(cases()))]

    #[test]
    fn rollup_answers_equal_a_recount_of_the_responses(ops in proptest::collection::vec(op(), 1..40), from in 0..60i64, len in 0..40i64) {
        let (_d, e) = property_engine();
        let start = at("2026-01-06T00:00:00Z");
        let mut live: Vec<Live> = Vec::new();
        // Employees of each location's t0..t3: t_i starts with the first i+1 of EMPLOYEES.
        let mut links: [[Vec<bool>; 4]; 2] = std::array::from_fn(|_| std::array::from_fn(|i| (0..3).map(|k| k <= i % 3).collect()));
        for op in ops {
            match op {
                Op::Answer { location, transaction, nps: n, stars: s, minutes } => {
                    // A response answers at least one question.
                    let n = if n.is_none() && s.is_none() { Some(5) } else { n };
                    let when = start + TimeDelta::minutes(minutes);
                    let mut input = ResponseInput::default();
                    if let Some(v) = n {
                        input.answers.push(Answer { question: "recommend".into(), score: Some(v), ..Answer::default() });
                    }
                    if let Some(v) = s {
                        input.answers.push(Answer { question: "stars".into(), score: Some(v), ..Answer::default() });
                    }
                    let loc = LOCATIONS[location].0;
                    let txn = format!("{loc}-t{transaction}");
                    let id = receipt(&e, loc, Some(&txn), &input, when);
                    live.push(Live { id, location, transaction: Some(transaction), nps: n, stars: s, at: when });
                }
                Op::Delete(i) => {
                    if !live.is_empty() {
                        let r = live.remove(i % live.len());
                        e.delete_response(r.id, "admin", start).unwrap();
                    }
                }
                Op::Relink { transaction, employees } => {
                    let chosen: Vec<&str> = EMPLOYEES.iter().zip(&employees).filter(|(_, on)| **on).map(|(e, _)| *e).collect();
                    let mut b = batch("paris", "2026-01-05", &[], Vec::new());
                    b.employees = staff();
                    b.transactions = vec![with_staff(sale(&format!("paris-t{transaction}"), None, Some("2026-01-05T10:00:00+01:00")), &chosen)];
                    e.sync(&b, at("2026-01-05T22:00:00Z")).unwrap();
                    links[0][transaction] = employees;
                }
            }
        }
        let first = NaiveDate::from_ymd_opt(2026, 1, 6).unwrap() + TimeDelta::days(from);
        let last = first + TimeDelta::days(len);
        for location in [None, Some(0), Some(1)] {
            for employee in [None, Some(0), Some(1), Some(2)] {
                for (period, days) in [
                    (Period::AllTime, (None, None)),
                    (Period::Custom { from: first, to: last }, (Some(first), Some(last))),
                ] {
                    let query = ReportQuery {
                        period: period.clone(),
                        location: location.map(|l| LOCATIONS[l].0.to_owned()),
                        employee: employee.map(|k| EMPLOYEES[k].to_owned()),
                        user: None,
                    };
                    let s = e.scores(&query, start).unwrap();
                    let want = recount(&live, &links, location, employee, days);
                    let got = (s.responses, s.nps.promoters, s.nps.passives, s.nps.detractors, s.rated, s.average_base10);
                    prop_assert_eq!(got, want, "{:?}", query);
                    if let (Some(l), Period::Custom { .. }) = (location, &period) {
                        let tz = LOCATIONS[l].1;
                        let bound = |d: NaiveDate| d.and_hms_opt(0, 0, 0).unwrap().and_local_timezone(tz).unwrap().with_timezone(&Utc);
                        let raw = ReportQuery {
                            period: Period::Between { from: bound(first), to: bound(last + TimeDelta::days(1)) },
                            ..query.clone()
                        };
                        prop_assert_eq!(e.scores(&raw, start).unwrap(), s);
                    }
                }
            }
        }
        // Employee performance adds up the same way.
        let perf = e.employee_performance(&q(), None, start).unwrap();
        for p in perf {
            let k = EMPLOYEES.iter().position(|x| *x == p.employee).unwrap();
            prop_assert_eq!(p.scores.responses, recount(&live, &links, None, Some(k), (None, None)).0);
        }
    }
}

#[test]
fn f4_customers_keep_the_gender_the_pos_sent() {
    let (_d, e) = engine();
    invited(&e, &[("x", Some(Gender::Other))]);
    let page = e.customers(&CustomerQuery::default()).unwrap();
    assert_eq!(page.items[0].gender, Some(Gender::Other));
}
