//! T12 (and E8): repeating a call changes nothing. An identical batch synced again, a
//! backfill file imported again and every setter called with the value it already holds
//! report no change and leave every stored row as it was.
//!
//! The comparison is the store layer's dump (`Engine::dump_rows`), so these tests run
//! unchanged on any store. On an SQLite file the store is also watched: a trigger on every
//! table counts each insert, update and delete into a table of its own, which the dump
//! shows, so even a rewrite of a row with its own values is seen.

mod common;

use std::path::Path;

use chrono::{DateTime, NaiveDate, TimeDelta, Utc};
use common::{at, day, paris_night};
use hearken::{
    AlertKind, AlertSettings, Answer, Calendar, ContactPolicy, Customer, DeliverySettings,
    Employee, Engine, FeedbackSettings, Gender, Location, LocationPolicy, MessageKind, NotifyLevel,
    OpeningHours, ReportQuery, ResponseInput, Role, Settings, SyncBatch, SyncReport, Template,
    Transaction, TransactionKind, User, UserRole, Weekday,
};
use proptest::prelude::*;

/// The columns a repeated call may move (T12): when each business date of a location was
/// recorded as synced. Nothing else may change.
const MAY_MOVE: &[(&str, &str)] = &[("sync_dates", "synced_at")];

/// Opens the store the tests compare: an SQLite file whose writes are counted.
fn open_store(dir: &Path) -> Engine {
    let path = dir.join("repeat.db");
    let e = Engine::open(&path).unwrap();
    watch_writes(&path);
    e
}

/// SQLite only: a trigger on every table (but `MAY_MOVE`'s columns) counts each write into
/// `t12_writes`, which the dump shows.
fn watch_writes(path: &Path) {
    let c = rusqlite::Connection::open(path).unwrap();
    c.execute_batch(
        "CREATE TABLE t12_writes (tbl TEXT NOT NULL, op TEXT NOT NULL, n INTEGER NOT NULL,
           PRIMARY KEY (tbl, op)) STRICT, WITHOUT ROWID",
    )
    .unwrap();
    let tables: Vec<String> = c
        .prepare(
            "SELECT name FROM sqlite_schema WHERE type = 'table'
             AND name NOT LIKE 'sqlite%' AND name != 't12_writes'",
        )
        .unwrap()
        .query_map([], |r| r.get(0))
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap();
    for t in tables {
        let columns: Vec<String> = c
            .prepare("SELECT name FROM pragma_table_info(?1)")
            .unwrap()
            .query_map([&t], |r| r.get(0))
            .unwrap()
            .collect::<Result<Vec<String>, _>>()
            .unwrap()
            .into_iter()
            .filter(|col| !MAY_MOVE.contains(&(t.as_str(), col.as_str())))
            .collect();
        for (op, event) in [
            ("insert", "INSERT".to_owned()),
            ("delete", "DELETE".to_owned()),
            ("update", format!("UPDATE OF {}", columns.join(", "))),
        ] {
            c.execute_batch(&format!(
                "CREATE TRIGGER t12_{t}_{op} AFTER {event} ON {t} BEGIN
                   INSERT INTO t12_writes VALUES ('{t}', '{op}', 1)
                     ON CONFLICT (tbl, op) DO UPDATE SET n = n + 1;
                 END;"
            ))
            .unwrap();
        }
    }
}

fn dump(e: &Engine) -> Vec<String> {
    e.dump_rows(MAY_MOVE).unwrap()
}

/// The stored values only: without the count of writes (a setter may write a row again
/// with the values it holds; T12 asks that every row stays as it was).
fn values(e: &Engine) -> Vec<String> {
    let mut rows = dump(e);
    rows.retain(|l| !l.starts_with("t12_writes:"));
    rows
}

/// Every created and updated count of a sync report, named.
fn changes(r: &SyncReport) -> Vec<(&'static str, u32)> {
    vec![
        ("customers_created", r.customers_created),
        ("customers_updated", r.customers_updated),
        ("employees_upserted", r.employees_upserted),
        ("transactions_created", r.transactions_created),
        ("transactions_updated", r.transactions_updated),
        ("invitations", r.invitations.len() as u32),
        (
            "relationship_invitations",
            r.relationship_invitations.len() as u32,
        ),
        ("cancelled_by_refund", r.cancelled_by_refund.len() as u32),
    ]
}

fn nothing_changed(r: &SyncReport) -> bool {
    changes(r).iter().all(|(_, n)| *n == 0)
}

/// The lines of `after` that differ from `before`, for a readable failure.
fn diff(before: &[String], after: &[String]) -> Vec<String> {
    let gone = before
        .iter()
        .filter(|l| !after.contains(l))
        .map(|l| format!("- {l}"));
    let new = after
        .iter()
        .filter(|l| !before.contains(l))
        .map(|l| format!("+ {l}"));
    gone.chain(new).collect()
}

fn paris() -> Location {
    Location::new("paris", "Boutique Paris", "Europe/Paris")
}

fn lyon() -> Location {
    Location::new("lyon", "Boutique Lyon", "Europe/Paris")
}

fn employee(id: &str, role: Role) -> Employee {
    Employee {
        id: id.into(),
        name: Some(format!("Name of {id}")),
        role,
    }
}

fn transaction(
    id: &str,
    kind: TransactionKind,
    customer: Option<&str>,
    employees: &[&str],
    refers_to: Option<&str>,
    finalized: &str,
) -> Transaction {
    Transaction {
        id: id.into(),
        customer: customer.map(Into::into),
        employees: employees.iter().map(|s| (*s).to_owned()).collect(),
        kind,
        amount_minor: if kind == TransactionKind::Sale {
            1000
        } else {
            -1000
        },
        currency: "EUR".into(),
        finalized_at: Some(finalized.parse().unwrap()),
        exclude: false,
        refers_to: refers_to.map(Into::into),
    }
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

/// An anonymous answer to `transaction` through a receipt link: credited to its employees
/// in the rollups (N2).
fn answer_by_receipt(e: &Engine, transaction: &str, score: u32, when: DateTime<Utc>) {
    let link = e
        .mint_receipt_link("paris", Some(transaction), when)
        .unwrap();
    let token = common::link_token(&link.url);
    e.record_response(&token, &nps(score), when).unwrap();
}

/// The case: a sale with employees (listed out of order) and a refund, synced
/// twice. The second sync reports no update, writes no row and leaves the employees'
/// scores where they were.
#[test]
fn e8_t12_a_batch_with_employees_and_a_refund_synced_twice_updates_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let e = open_store(dir.path());
    e.upsert_location(&paris()).unwrap();
    let mut first = SyncBatch::new("paris", day("2026-11-20"));
    first.customers = vec![
        Customer::with_email("c1", "c1@example.com"),
        Customer::with_email("c2", "c2@example.com"),
    ];
    first.employees = vec![
        employee("sal", Role::Salesperson),
        employee("tech", Role::Technician),
    ];
    first.transactions = vec![
        transaction(
            "t1",
            TransactionKind::Sale,
            Some("c1"),
            &["tech", "sal"],
            None,
            "2026-11-20T10:00:00+01:00",
        ),
        transaction(
            "t2",
            TransactionKind::Sale,
            Some("c2"),
            &["sal"],
            None,
            "2026-11-20T11:00:00+01:00",
        ),
    ];
    let r = e.sync(&first, paris_night("2026-11-20")).unwrap();
    assert_eq!(r.transactions_created, 2);
    assert_eq!(r.invitations.len(), 2);
    answer_by_receipt(&e, "t1", 10, at("2026-11-21T12:00:00Z"));

    // The next night repeats t1 and refunds t2 (its invitation is cancelled: P6).
    let mut second = SyncBatch::new("paris", day("2026-11-21"));
    second.customers = first.customers.clone();
    second.employees = first.employees.clone();
    second.transactions = vec![
        first.transactions[0].clone(),
        transaction(
            "r2",
            TransactionKind::Refund,
            Some("c2"),
            &[],
            Some("t2"),
            "2026-11-21T15:00:00+01:00",
        ),
    ];
    let r = e.sync(&second, paris_night("2026-11-21")).unwrap();
    assert_eq!(r.transactions_created, 1);
    assert_eq!(r.transactions_updated, 0, "t1 came back unchanged");
    assert_eq!(r.cancelled_by_refund, ["t2"]);

    let scores = |who: &str| {
        e.scores(
            &ReportQuery {
                employee: Some(who.into()),
                ..ReportQuery::default()
            },
            at("2026-12-15T12:00:00Z"),
        )
        .unwrap()
    };
    let before = dump(&e);
    let credited = (scores("sal"), scores("tech"));
    assert_eq!(credited.0.responses, 1);
    for (b, date) in [(&first, "2026-11-20"), (&second, "2026-11-21")] {
        let again = e
            .sync(b, paris_night("2026-11-21") + TimeDelta::hours(1))
            .unwrap();
        assert!(nothing_changed(&again), "{date}: {:?}", changes(&again));
        let after = dump(&e);
        assert!(before == after, "{date}: {:#?}", diff(&before, &after));
    }
    assert_eq!((scores("sal"), scores("tech")), credited);
}

/// E8: the store reads each stored column of a transaction as itself; the refund keeps
/// the sale it names, the sale its employees (sorted), whatever order the batch gave.
#[test]
fn e8_a_stored_transaction_is_read_back_as_written() {
    let e = common::open_store();
    e.upsert_location(&paris()).unwrap();
    let mut b = SyncBatch::new("paris", day("2026-11-20"));
    b.customers = vec![Customer::with_email("c1", "c1@example.com")];
    b.employees = vec![
        employee("b", Role::Salesperson),
        employee("a", Role::Technician),
    ];
    b.transactions = vec![
        transaction(
            "t1",
            TransactionKind::Sale,
            Some("c1"),
            &["b", "a"],
            None,
            "2026-11-20T10:00:00+01:00",
        ),
        transaction(
            "v1",
            TransactionKind::Void,
            Some("c1"),
            &["a"],
            Some("t1"),
            "2026-11-20T10:05:00+01:00",
        ),
    ];
    e.sync(&b, paris_night("2026-11-20")).unwrap();
    // The same transactions with one field changed each are each one update; as they
    // were, none.
    let again = e.sync(&b, paris_night("2026-11-20")).unwrap();
    assert_eq!(again.transactions_updated, 0);
    let mut changed = b.clone();
    changed.transactions[0].employees = vec!["a".into()];
    changed.transactions[1].refers_to = Some("t0".into());
    let r = e.sync(&changed, paris_night("2026-11-20")).unwrap();
    assert_eq!(r.transactions_updated, 2);
    let r = e.sync(&changed, paris_night("2026-11-20")).unwrap();
    assert_eq!(r.transactions_updated, 0);
}

// ---------------------------------------------------------------------------------------
// Generated batch sequences: customers, employees on sales, refunds and voids naming a
// sale (earlier, in the batch, or never seen), repeated transactions, two locations.

const CUSTOMERS: usize = 5;
const EMPLOYEES: usize = 4;
const LOCATIONS: [&str; 2] = ["paris", "lyon"];

#[derive(Debug, Clone)]
enum Sent {
    Sale {
        customer: Option<usize>,
        employees: Vec<usize>,
        hour: Option<u32>,
        exclude: bool,
    },
    /// A refund (or a void) of the sale at this index among those sent so far, or of a
    /// sale never sent.
    Refund { void: bool, sale: Option<usize> },
    /// An earlier transaction of the location sent again as it was.
    Repeat(usize),
}

#[derive(Debug, Clone)]
struct Night {
    step_days: i64,
    /// Per location: what its batch holds.
    batches: [Vec<Sent>; 2],
    /// Customer data of the night: (phone, language, gender) switch on per customer.
    variant: [bool; CUSTOMERS],
    /// Renames the employees tonight.
    renamed: bool,
    /// An answer by receipt link to one of tonight's sales (by index), credited to its
    /// employees.
    answer: Option<(usize, u32)>,
}

fn sent() -> impl Strategy<Value = Sent> {
    prop_oneof![
        5 => (
            proptest::option::weighted(0.85, 0..CUSTOMERS),
            proptest::collection::btree_set(0..EMPLOYEES, 0..3),
            proptest::option::weighted(0.85, 8u32..=20),
            proptest::bool::weighted(0.1),
        )
            .prop_map(|(customer, employees, hour, exclude)| Sent::Sale {
                customer,
                employees: employees.into_iter().rev().collect(),
                hour,
                exclude,
            }),
        2 => (any::<bool>(), proptest::option::weighted(0.85, any::<usize>()))
            .prop_map(|(void, sale)| Sent::Refund { void, sale }),
        2 => any::<usize>().prop_map(Sent::Repeat),
    ]
}

fn nights() -> impl Strategy<Value = Vec<Night>> {
    proptest::collection::vec(
        (
            1i64..=3,
            [
                proptest::collection::vec(sent(), 0..6),
                proptest::collection::vec(sent(), 0..4),
            ],
            proptest::array::uniform5(any::<bool>()),
            any::<bool>(),
            proptest::option::weighted(0.5, (any::<usize>(), 0u32..=10)),
        )
            .prop_map(|(step_days, batches, variant, renamed, answer)| Night {
                step_days,
                batches,
                variant,
                renamed,
                answer,
            }),
        1..6,
    )
}

fn customer(i: usize, variant: bool) -> Customer {
    let mut c = Customer::with_email(&format!("c{i}"), &format!("c{i}@example.com"));
    if variant {
        c.phone = Some(format!("+3361234567{i}"));
        c.language = Some("fr".into());
        c.gender = Some(Gender::Female);
        c.name = Some(format!("Client {i}"));
    }
    c
}

/// The batches of each night, for each location in turn, with the date they are for.
fn batches(nights: &[Night]) -> Vec<(NaiveDate, SyncBatch)> {
    let mut out = Vec::new();
    let mut date = day("2026-11-01");
    let mut last: [Option<NaiveDate>; 2] = [None, None];
    let mut sent: [Vec<Transaction>; 2] = [Vec::new(), Vec::new()];
    let roles = [Role::Salesperson, Role::Technician, Role::Driver];
    for (n, night) in nights.iter().enumerate() {
        date += TimeDelta::days(night.step_days);
        for (l, location) in LOCATIONS.iter().enumerate() {
            let mut b = SyncBatch::new(location, date);
            if let Some(prev) = last[l] {
                b.business_dates = prev
                    .iter_days()
                    .skip(1)
                    .take_while(|d| *d <= date)
                    .collect();
            }
            last[l] = Some(date);
            b.customers = (0..CUSTOMERS)
                .map(|c| customer(c, night.variant[c]))
                .collect();
            b.employees = (0..EMPLOYEES)
                .map(|i| Employee {
                    id: format!("e{i}"),
                    name: Some(format!(
                        "Employee {i}{}",
                        if night.renamed { "*" } else { "" }
                    )),
                    role: roles[i % roles.len()],
                })
                .collect();
            let finalized = |hour: u32| format!("{date}T{hour:02}:00:00+01:00").parse().unwrap();
            for (i, s) in night.batches[l].iter().enumerate() {
                let id = format!("{location}-n{n}t{i}");
                let t = match s {
                    Sent::Sale {
                        customer,
                        employees,
                        hour,
                        exclude,
                    } => Transaction {
                        id,
                        customer: customer.map(|c| format!("c{c}")),
                        employees: employees.iter().map(|e| format!("e{e}")).collect(),
                        kind: TransactionKind::Sale,
                        amount_minor: 1000,
                        currency: "EUR".into(),
                        finalized_at: hour.map(finalized),
                        exclude: *exclude,
                        refers_to: None,
                    },
                    Sent::Refund { void, sale } => {
                        let sales: Vec<&Transaction> = (sent[l].iter().chain(&b.transactions))
                            .filter(|t| t.kind == TransactionKind::Sale)
                            .collect();
                        let refers_to = match sale {
                            Some(k) if !sales.is_empty() => sales[k % sales.len()].id.clone(),
                            _ => format!("{location}-unknown{n}"),
                        };
                        Transaction {
                            id,
                            customer: None,
                            employees: vec![],
                            kind: if *void {
                                TransactionKind::Void
                            } else {
                                TransactionKind::Refund
                            },
                            amount_minor: -1000,
                            currency: "EUR".into(),
                            finalized_at: Some(finalized(21)),
                            exclude: false,
                            refers_to: Some(refers_to),
                        }
                    }
                    Sent::Repeat(k) if !sent[l].is_empty() => sent[l][k % sent[l].len()].clone(),
                    Sent::Repeat(_) => continue,
                };
                if !b.transactions.iter().any(|x| x.id == t.id) {
                    b.transactions.push(t);
                }
            }
            for t in &b.transactions {
                if !sent[l].iter().any(|x| x.id == t.id) {
                    sent[l].push(t.clone());
                }
            }
            out.push((date, b));
        }
    }
    out
}

fn setup(e: &Engine, relationship: bool) {
    e.upsert_location(&paris()).unwrap();
    e.upsert_location(&lyon()).unwrap();
    e.set_settings(&Settings {
        cooldown_months: 1,
        catch_up_days: 7,
        ..Settings::default()
    })
    .unwrap();
    e.set_contact_policy(&ContactPolicy {
        one_person_per_contact: true,
        relationship_every_months: if relationship { 1 } else { 0 },
        sample_salt: "repeat-salt".into(),
        ..ContactPolicy::default()
    })
    .unwrap();
}

/// Answers one of the batch's sales by receipt link the morning after, if the night says.
fn answer(e: &Engine, night: &Night, date: NaiveDate, b: &SyncBatch) {
    let sales: Vec<&Transaction> = (b.transactions.iter())
        .filter(|t| t.kind == TransactionKind::Sale)
        .collect();
    if let (Some((k, score)), false, "paris") =
        (night.answer, sales.is_empty(), b.location.as_str())
    {
        let when = paris_night(&date.to_string()) + TimeDelta::hours(12);
        answer_by_receipt(e, &sales[k % sales.len()].id, score, when);
    }
}

proptest! {
    // 12 cases in the main test run; scripts/longer-checks.sh sets PROPTEST_CASES higher.
    #![proptest_config(ProptestConfig {
        cases: std::env::var("PROPTEST_CASES").ok().and_then(|v| v.parse().ok()).unwrap_or(12),
        ..ProptestConfig::default()
    })]

    /// T12, E8: each batch of any sequence synced again (a little later) reports nothing
    /// created or updated and leaves every row as it was.
    #[test]
    fn t12_an_identical_batch_synced_again_changes_nothing(
        nights in nights(),
        relationship in any::<bool>(),
    ) {
        let dir = tempfile::tempdir().unwrap();
        let e = open_store(dir.path());
        setup(&e, relationship);
        let bs = batches(&nights);
        for (i, (date, b)) in bs.iter().enumerate() {
            let now = paris_night(&date.to_string());
            e.sync(b, now).unwrap();
            let before = dump(&e);
            let again = e.sync(b, now + TimeDelta::minutes(30)).unwrap();
            prop_assert!(nothing_changed(&again), "batch {i}: {:?}", changes(&again));
            let after = dump(&e);
            prop_assert!(before == after, "batch {i}: {:#?}", diff(&before, &after));
            answer(&e, &nights[i / LOCATIONS.len()], *date, b);
        }
    }

    /// T12: a backfill file imported twice: the second import reports nothing created or
    /// updated in any batch and leaves every row as it was.
    #[test]
    fn t12_a_backfill_imported_twice_changes_nothing(
        nights in nights(),
        relationship in any::<bool>(),
    ) {
        // A backfill file is one export: each person is the same on every line (lines
        // that disagree would each apply their own version again).
        let nights: Vec<Night> = (nights.iter())
            .map(|n| Night { variant: nights[0].variant, renamed: nights[0].renamed, ..n.clone() })
            .collect();
        let dir = tempfile::tempdir().unwrap();
        let e = open_store(dir.path());
        setup(&e, relationship);
        let bs = batches(&nights);
        let file: String = bs
            .iter()
            .map(|(_, b)| serde_json::to_string(b).unwrap() + "\n")
            .collect();
        let last = bs.last().unwrap().0;
        let now = paris_night(&last.to_string()) + TimeDelta::days(1);
        let first = e.backfill_reader(file.as_bytes(), now, |_| {}).unwrap();
        prop_assert_eq!(first.batches.len(), bs.len());
        let before = dump(&e);
        let again = e
            .backfill_reader(file.as_bytes(), now + TimeDelta::hours(2), |_| {})
            .unwrap();
        for (i, r) in again.batches.iter().enumerate() {
            prop_assert!(nothing_changed(r), "line {}: {:?}", i + 1, changes(r));
        }
        let after = dump(&e);
        prop_assert!(before == after, "{:#?}", diff(&before, &after));
    }
}

// ---------------------------------------------------------------------------------------
// Setters called with the value their getter reads back.

/// A store with a value set through every setter (none left at its default) and a night
/// of activity, so a setter that rewrites what it touches is seen.
fn configured_store(dir: &Path) -> Engine {
    let e = open_store(dir);
    e.upsert_location(&paris()).unwrap();
    let mut lyon = lyon();
    lyon.review_link = Some("https://g.page/r/lyon/review".into());
    lyon.business_type = Some("restaurant".into());
    e.upsert_location(&lyon).unwrap();
    e.set_settings(&Settings {
        cooldown_months: 2,
        catch_up_days: 3,
        default_language: "fr".into(),
        ..Settings::default()
    })
    .unwrap();
    e.set_delivery_settings(&DeliverySettings {
        link_base_url: "https://feedback.example.com/s".into(),
        survey_link_days: 30,
        suppression_pepper: "pepper".into(),
        ..DeliverySettings::default()
    })
    .unwrap();
    e.set_contact_policy(&ContactPolicy {
        one_person_per_contact: true,
        min_gap_days: 10,
        max_per_year: 4,
        daily_cap: 50,
        sample_percent: 90,
        sample_salt: "salt".into(),
        relationship_every_months: 12,
        ..ContactPolicy::default()
    })
    .unwrap();
    let weekdays = vec![
        Weekday::Monday,
        Weekday::Tuesday,
        Weekday::Wednesday,
        Weekday::Thursday,
        Weekday::Friday,
    ];
    e.set_calendar(&Calendar {
        send_weekdays: weekdays.clone(),
        closed_dates: vec![day("2026-12-25"), day("2026-01-01")],
        opening_hours: weekdays
            .iter()
            .map(|w| OpeningHours {
                weekday: *w,
                opens: 9,
                closes: 19,
            })
            .collect(),
    })
    .unwrap();
    e.set_location_policy(&LocationPolicy {
        location: "lyon".into(),
        daily_cap: Some(20),
        sample_percent: None,
        monthly_response_quota: Some(100),
        calendar: Some(Calendar {
            send_weekdays: vec![Weekday::Saturday, Weekday::Monday],
            closed_dates: vec![day("2026-12-24")],
            opening_hours: vec![],
        }),
    })
    .unwrap();
    e.set_feedback_settings(&FeedbackSettings {
        unhappy_stars: 3,
        non_respondent_reminder_days: 5,
        ..FeedbackSettings::default()
    })
    .unwrap();
    e.set_feedback_enabled("lyon", false).unwrap();
    e.set_survey(&e.survey().unwrap()).unwrap();
    e.set_alert_settings(&AlertSettings {
        escalate_after_hours: 48,
        reply_domain: "reply.example.com".into(),
    })
    .unwrap();
    e.upsert_user(&User {
        locations: vec!["paris".into(), "lyon".into()],
        language: Some("fr".into()),
        notify: NotifyLevel::Negative,
        notify_locations: vec!["lyon".into()],
        ..User::new("u1", "Ana", "ana@example.com", UserRole::Manager)
    })
    .unwrap();
    e.upsert_user(&User::new("u2", "Bo", "bo@example.com", UserRole::Owner))
        .unwrap();
    e.assign_alerts(AlertKind::UnhappyCustomer, None, "u2")
        .unwrap();
    e.assign_alerts(AlertKind::UnhappyCustomer, Some("lyon"), "u1")
        .unwrap();
    let mut template = e
        .template(MessageKind::SurveyInvitation, hearken::Channel::Email, "fr")
        .unwrap();
    template.subject = format!("{} !", template.subject);
    e.set_template(&template).unwrap();
    let mut batch = SyncBatch::new("paris", day("2026-11-20"));
    batch.customers = vec![customer(1, true), customer(2, false)];
    batch.employees = vec![employee("sal", Role::Salesperson)];
    batch.transactions = vec![transaction(
        "t1",
        TransactionKind::Sale,
        Some("c1"),
        &["sal"],
        None,
        "2026-11-20T10:00:00+01:00",
    )];
    e.sync(&batch, paris_night("2026-11-20")).unwrap();
    answer_by_receipt(&e, "t1", 2, at("2026-11-21T12:00:00Z"));
    e
}

/// T12: every setter, called with the value its getter returns, changes no row.
#[test]
fn t12_every_setter_called_with_the_stored_value_changes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let e = configured_store(dir.path());
    let before = values(&e);
    let unchanged = |what: &str| {
        let after = values(&e);
        assert!(before == after, "{what}: {:#?}", diff(&before, &after));
    };
    e.set_settings(&e.settings().unwrap()).unwrap();
    unchanged("set_settings");
    e.set_delivery_settings(&e.delivery_settings().unwrap())
        .unwrap();
    unchanged("set_delivery_settings");
    e.set_contact_policy(&e.contact_policy().unwrap()).unwrap();
    unchanged("set_contact_policy");
    e.set_calendar(&e.calendar().unwrap()).unwrap();
    unchanged("set_calendar");
    for l in e.locations().unwrap() {
        e.upsert_location(&l).unwrap();
        unchanged("upsert_location");
        e.set_location_enabled(&l.id, l.enabled).unwrap();
        unchanged("set_location_enabled");
        e.set_location_policy(&e.location_policy(&l.id).unwrap())
            .unwrap();
        unchanged("set_location_policy");
    }
    e.set_feedback_settings(&e.feedback_settings().unwrap())
        .unwrap();
    unchanged("set_feedback_settings");
    e.set_feedback_enabled("lyon", false).unwrap();
    e.set_feedback_enabled("paris", true).unwrap();
    unchanged("set_feedback_enabled");
    e.set_survey(&e.survey().unwrap()).unwrap();
    unchanged("set_survey");
    e.set_alert_settings(&e.alert_settings().unwrap()).unwrap();
    unchanged("set_alert_settings");
    for u in e.users().unwrap() {
        e.upsert_user(&u).unwrap();
        unchanged("upsert_user");
    }
    for a in e.assignments().unwrap() {
        e.assign_alerts(a.kind, a.location.as_deref(), &a.user)
            .unwrap();
        unchanged("assign_alerts");
    }
    let template: Template = e
        .template(MessageKind::SurveyInvitation, hearken::Channel::Email, "fr")
        .unwrap();
    e.set_template(&template).unwrap();
    unchanged("set_template");
}

/// T12: the other repeatable calls, made again with what they were given: a suppression
/// bundle imported again adds nothing (and says 0), an external review reported again and
/// another store's aggregates imported again leave every row as it was.
#[test]
fn t12_imports_and_reports_made_again_change_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let e = configured_store(dir.path());
    let now = at("2026-12-01T12:00:00Z");
    e.unsubscribe_contact("c2@example.com", now).unwrap();
    let bundle = e.export_suppressions().unwrap();
    assert_eq!(e.import_suppressions(&bundle, "peer", now).unwrap(), 1);
    let review = hearken::ExternalReview {
        id: "g1".into(),
        location: "paris".into(),
        site: "google".into(),
        rating: Some(4),
        posted_at: at("2026-11-25T12:00:00Z"),
        replied_at: None,
    };
    e.report_review(&review, now).unwrap();
    let aggregates = e.export_aggregates("peer", now).unwrap();
    e.import_aggregates(&aggregates, now).unwrap();

    let later = now + TimeDelta::days(1);
    let before = values(&e);
    let unchanged = |call: &str| {
        let after = values(&e);
        assert!(before == after, "{call}: {:#?}", diff(&before, &after));
    };
    assert_eq!(e.import_suppressions(&bundle, "peer", later).unwrap(), 0);
    unchanged("import_suppressions");
    e.report_review(&review, later).unwrap();
    unchanged("report_review");
    e.import_aggregates(&aggregates, later).unwrap();
    unchanged("import_aggregates");
}

/// Values for every setter, generated; those a setter refuses are simply not set.
#[derive(Debug, Clone)]
struct Config {
    settings: (u32, u32, bool, u32, u32, u32, usize),
    calendar: Calendar,
    location_calendar: Option<Calendar>,
    location_policy: (Option<u32>, Option<u32>, Option<u32>),
    contact: (bool, u32, u32, u32, u32, u32, u32, u32),
    feedback: (bool, u32, u32),
    feedback_off: [bool; 2],
    user: (usize, Vec<usize>, Vec<usize>, Option<usize>),
    link_days: u32,
}

const LANGUAGES: [&str; 3] = ["en", "fr", "ko"];

fn calendar() -> impl Strategy<Value = Calendar> {
    (
        proptest::collection::btree_set(0usize..7, 1..=7),
        proptest::collection::vec(0i64..90, 0..4),
        proptest::collection::btree_map(0usize..7, (0u32..12, 12u32..24), 0..4),
    )
        .prop_map(|(sends, closed, hours)| Calendar {
            send_weekdays: sends.into_iter().map(|i| Weekday::ALL[i]).collect(),
            closed_dates: closed
                .into_iter()
                .map(|d| day("2026-11-01") + TimeDelta::days(d))
                .collect(),
            opening_hours: hours
                .into_iter()
                .map(|(i, (opens, closes))| OpeningHours {
                    weekday: Weekday::ALL[i],
                    opens,
                    closes,
                })
                .collect(),
        })
}

fn config() -> impl Strategy<Value = Config> {
    let settings = (
        0u32..6,
        1u32..40,
        any::<bool>(),
        0u32..24,
        0u32..24,
        0u32..10,
        0usize..3,
    );
    let contact = (
        any::<bool>(),
        0u32..30,
        0u32..5,
        0u32..10,
        1u32..=100,
        0u32..5,
        0u32..13,
        1u32..400,
    );
    let optional = || proptest::option::of(0u32..100);
    (
        settings,
        calendar(),
        proptest::option::of(calendar()),
        (optional(), optional(), optional()),
        contact,
        (any::<bool>(), 1u32..5, 0u32..10),
        [any::<bool>(), any::<bool>()],
        (
            0usize..3,
            proptest::collection::vec(0usize..2, 0..3),
            proptest::collection::vec(0usize..2, 0..3),
            proptest::option::of(0usize..3),
        ),
        1u32..90,
    )
        .prop_map(
            |(
                settings,
                calendar,
                location_calendar,
                location_policy,
                contact,
                feedback,
                feedback_off,
                user,
                link_days,
            )| Config {
                settings,
                calendar,
                location_calendar,
                location_policy,
                contact,
                feedback,
                feedback_off,
                user,
                link_days,
            },
        )
}

/// Sets every value of `c` a setter accepts, and a valid one where it refuses, so every
/// setter has stored a value; returns the e-receipt switches set.
fn configure(e: &Engine, c: &Config) -> Vec<(&'static str, bool)> {
    let (cooldown, max_age, sms, sync_hour, send_hour, catch_up, language) = c.settings;
    or_default(
        e.set_settings(&Settings {
            cooldown_months: cooldown,
            max_age_days: max_age,
            channel: if sms {
                hearken::Channel::Sms
            } else {
                hearken::Channel::Email
            },
            sync_hour,
            send_hour,
            catch_up_days: catch_up,
            default_language: LANGUAGES[language].into(),
            ..Settings::default()
        }),
        || e.set_settings(&Settings::default()),
    );
    or_default(
        e.set_delivery_settings(&DeliverySettings {
            survey_link_days: c.link_days,
            ..DeliverySettings::default()
        }),
        || e.set_delivery_settings(&DeliverySettings::default()),
    );
    let (per_contact, gap, per_year, cap, percent, retry, relationship, active) = c.contact;
    or_default(
        e.set_contact_policy(&ContactPolicy {
            one_person_per_contact: per_contact,
            min_gap_days: gap,
            max_per_year: per_year,
            daily_cap: cap,
            sample_percent: percent,
            retry_after_no_answer_months: retry,
            relationship_every_months: relationship,
            active_within_days: active,
            ..ContactPolicy::default()
        }),
        || e.set_contact_policy(&ContactPolicy::default()),
    );
    or_default(e.set_calendar(&c.calendar), || {
        e.set_calendar(&Calendar::default())
    });
    let (daily_cap, sample_percent, quota) = c.location_policy;
    or_default(
        e.set_location_policy(&LocationPolicy {
            location: "lyon".into(),
            daily_cap,
            sample_percent,
            monthly_response_quota: quota,
            calendar: c.location_calendar.clone(),
        }),
        || Ok(()),
    );
    let (everyone, unhappy_stars, reminder_days) = c.feedback;
    or_default(
        e.set_feedback_settings(&FeedbackSettings {
            review_mode: if everyone {
                hearken::ReviewMode::Everyone
            } else {
                hearken::ReviewMode::Promoters
            },
            unhappy_stars,
            non_respondent_reminder_days: reminder_days,
        }),
        || e.set_feedback_settings(&FeedbackSettings::default()),
    );
    let mut switches = Vec::new();
    for (location, off) in LOCATIONS.iter().zip(c.feedback_off) {
        if e.set_feedback_enabled(location, !off).is_ok() {
            switches.push((*location, !off));
        }
    }
    let (notify, locations, notify_locations, language) = &c.user;
    let pick = |ix: &[usize]| -> Vec<String> {
        let mut v: Vec<String> = ix.iter().map(|i| LOCATIONS[*i].to_owned()).collect();
        v.dedup();
        v
    };
    or_default(
        e.upsert_user(&User {
            locations: pick(locations),
            notify_locations: pick(notify_locations),
            notify: [NotifyLevel::All, NotifyLevel::Negative, NotifyLevel::None][*notify],
            language: language.map(|l| LANGUAGES[l].to_owned()),
            ..User::new("u9", "Generated", "u9@example.com", UserRole::Staff)
        }),
        || {
            e.upsert_user(&User::new(
                "u9",
                "Generated",
                "u9@example.com",
                UserRole::Staff,
            ))
        },
    );
    switches
}

/// A setter's result; when it refused the generated value, `fallback` stores a valid one.
fn or_default(set: hearken::Result<()>, fallback: impl FnOnce() -> hearken::Result<()>) {
    if set.is_err() {
        fallback().unwrap();
    }
}

/// Calls every setter with what its getter reads back; panics naming the first that
/// changed a stored value.
fn set_everything_again(e: &Engine, switches: &[(&str, bool)]) -> Result<(), TestCaseError> {
    let before = values(e);
    let unchanged = |what: &str| -> Result<(), TestCaseError> {
        let after = values(e);
        prop_assert!(before == after, "{}: {:#?}", what, diff(&before, &after));
        Ok(())
    };
    e.set_settings(&e.settings().unwrap()).unwrap();
    unchanged("set_settings")?;
    e.set_delivery_settings(&e.delivery_settings().unwrap())
        .unwrap();
    unchanged("set_delivery_settings")?;
    e.set_contact_policy(&e.contact_policy().unwrap()).unwrap();
    unchanged("set_contact_policy")?;
    e.set_calendar(&e.calendar().unwrap()).unwrap();
    unchanged("set_calendar")?;
    for l in e.locations().unwrap() {
        e.upsert_location(&l).unwrap();
        unchanged("upsert_location")?;
        e.set_location_policy(&e.location_policy(&l.id).unwrap())
            .unwrap();
        unchanged("set_location_policy")?;
    }
    e.set_feedback_settings(&e.feedback_settings().unwrap())
        .unwrap();
    unchanged("set_feedback_settings")?;
    for (location, on) in switches {
        e.set_feedback_enabled(location, *on).unwrap();
        unchanged("set_feedback_enabled")?;
    }
    for u in e.users().unwrap() {
        e.upsert_user(&u).unwrap();
        unchanged("upsert_user")?;
    }
    Ok(())
}

proptest! {
    // 12 cases in the main test run; scripts/longer-checks.sh sets PROPTEST_CASES higher.
    #![proptest_config(ProptestConfig {
        cases: std::env::var("PROPTEST_CASES").ok().and_then(|v| v.parse().ok()).unwrap_or(12),
        ..ProptestConfig::default()
    })]

    /// T12: whatever values the setters hold, each setter called with what its getter
    /// reads back changes no stored value.
    #[test]
    fn t12_every_setter_with_generated_values_set_again_changes_nothing(c in config()) {
        let e = common::open_store();
        e.upsert_location(&paris()).unwrap();
        e.upsert_location(&lyon()).unwrap();
        let switches = configure(&e, &c);
        set_everything_again(&e, &switches)?;
    }
}
