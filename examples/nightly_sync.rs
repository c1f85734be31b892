//! The nightly-sync demo: two stores in different time zones, a few nights of sales
//! including missed nights, what hearken decided and why.
//!
//! `cargo run --example nightly_sync [DB_PATH]` (default `hearken-demo.db`). Running it
//! again on the same file shows that a re-sync changes nothing.

use std::collections::HashMap;

use chrono::{DateTime, NaiveDate, Utc};
use chrono_tz::Tz;
use hearken::rules::grammar::en_count;
use hearken::{
    AlertKind, AlertQuery, AlertStatus, Answer, Customer, Employee, Engine, FeedbackInput,
    InteractionInput, InteractionMethod, Location, NotifyLevel, OutboundMessage, ReportQuery,
    ResponseInput, Role, Sentiment, SyncBatch, SyncReport, Transaction, TransactionKind, User,
    UserRole,
};

struct Store {
    location: Location,
    tz: Tz,
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let path = std::env::args()
        .nth(1)
        .unwrap_or_else(|| "hearken-demo.db".into());
    let existed = std::path::Path::new(&path).exists();
    let engine = Engine::open(&path)?;
    let shown = std::fs::canonicalize(&path).unwrap_or_else(|_| path.clone().into());
    println!("hearken nightly-sync demo");
    println!(
        "database: {} ({})\n",
        shown.display(),
        if existed {
            "existing: re-running the same nights changes nothing"
        } else {
            "created"
        }
    );

    let stores = [
        Store {
            location: Location {
                review_link: Some("https://g.page/r/boutique-paris/review".into()),
                ..Location::new("paris", "Boutique Paris", "Europe/Paris")
            },
            tz: chrono_tz::Europe::Paris,
        },
        Store {
            location: Location::new("seoul", "서울 매장", "Asia/Seoul"),
            tz: chrono_tz::Asia::Seoul,
        },
    ];
    for s in &stores {
        engine.upsert_location(&s.location)?;
    }
    // Who works unhappy customers where (A1), and who hears about what (A2).
    let staff = [
        User {
            locations: vec!["paris".into()],
            notify: NotifyLevel::Negative,
            notify_locations: vec!["paris".into()],
            language: Some("fr".into()),
            ..User::new(
                "sophie",
                "Sophie L'Hôte",
                "sophie@boutique.example",
                UserRole::Manager,
            )
        },
        User {
            locations: vec!["seoul".into()],
            language: Some("ko".into()),
            ..User::new("jiwoo", "박지우", "jiwoo@store.example", UserRole::Manager)
        },
        User::new(
            "claire",
            "Claire Dubois",
            "claire@boutique.example",
            UserRole::Owner,
        ),
    ];
    for u in &staff {
        engine.upsert_user(u)?;
    }
    engine.assign_alerts(AlertKind::UnhappyCustomer, None, "claire")?;
    engine.assign_alerts(AlertKind::UnhappyCustomer, Some("paris"), "sophie")?;
    engine.assign_alerts(AlertKind::UnhappyCustomer, Some("seoul"), "jiwoo")?;
    engine.assign_alerts(AlertKind::NegativeFeedback, None, "sophie")?;
    let names = customer_names();
    // A customer who unsubscribed from the shop's newsletter page before any survey.
    engine.unsubscribe_contact("dana@example.com", utc("2026-11-19T09:00:00Z"))?;

    // Which nights each store's server actually ran its 23:00 sync.
    let nights: [(&str, &[usize]); 4] = [
        ("2026-11-20", &[0, 1]),
        ("2026-11-21", &[0]),    // Seoul's server was off: one missed night
        ("2026-11-22", &[1]),    // Paris misses two nights in a row...
        ("2026-11-24", &[0, 1]), // ...and Seoul misses the 23rd
    ];
    for (date, who) in nights {
        let date: NaiveDate = date.parse()?;
        println!("══ Night of {} ══", date.format("%a %d %b %Y"));
        for &i in who {
            let store = &stores[i];
            let now = engine.next_sync_at(&store.location.id, local_noon(store.tz, date))?;
            let window = engine.sync_window(&store.location.id, now)?;
            println!(
                "{} — sync at {} local ({} UTC)",
                store.location.name,
                now.with_timezone(&store.tz).format("%H:%M"),
                now.format("%H:%M")
            );
            if window.dates.len() > 1 {
                println!(
                    "  window: {} (catching up a missed night)",
                    join(&window.dates)
                );
            }
            if !window.missing.is_empty() {
                println!(
                    "  ⚠ missed beyond catch-up: {} — needs a backfill",
                    join(&window.missing)
                );
            }
            // On a re-run of the demo the window is empty: send the night again anyway.
            let dates = if window.dates.is_empty() {
                vec![date]
            } else {
                window.dates.clone()
            };
            let batch = sales_for(&store.location.id, &dates);
            let report = engine.sync(&batch, now)?;
            print_report(&report, store.tz, &names);
            if !window.missing.is_empty() {
                let lines: Vec<String> = window
                    .missing
                    .iter()
                    .map(|d| hearken::wire::to_json(&sales_for(&store.location.id, &[*d])))
                    .collect();
                let backfill = engine.backfill_reader(lines.join("\n").as_bytes(), now, |_| {})?;
                for (date, r) in window.missing.iter().zip(&backfill.batches) {
                    println!("  backfill of {date}:");
                    print_report(r, store.tz, &names);
                }
                let after = engine.sync_window(&store.location.id, now)?;
                println!(
                    "  missing dates after the backfill: {}",
                    if after.missing.is_empty() {
                        "none".into()
                    } else {
                        join(&after.missing)
                    }
                );
            }
        }
        println!();
    }

    println!("══ \"Why didn't Minjun get a second e-mail?\" ══");
    let x = engine.explain("kim", utc("2026-11-25T12:00:00Z"))?;
    for line in x.lines() {
        println!("  {line}");
    }
    let delivered = drain_outbox(&engine, utc("2026-11-25T09:00:00Z"))?;
    // What the customers saw (M1, M2): the e-mails' HTML and the pages, beside the store.
    let pages = std::path::PathBuf::from(format!("{}.pages", shown.display()));
    answer_surveys(&engine, &delivered, &pages, utc("2026-11-25T12:00:00Z"))?;
    owners_report(&engine, utc("2026-12-02T12:00:00Z"))?;
    if pages.join("index.html").exists() {
        println!(
            "\nthe e-mails and pages the customers saw: {}",
            pages.join("index.html").display()
        );
    }
    Ok(())
}

/// Writes what a customer saw (an e-mail's HTML part, a page) into the demo's pages folder
/// and adds it to its index.
fn save_page(dir: &std::path::Path, name: &str, html: &str) -> std::io::Result<()> {
    std::fs::create_dir_all(dir)?;
    std::fs::write(dir.join(name), html)?;
    let index = dir.join("index.html");
    let mut list = std::fs::read_to_string(&index).unwrap_or_default();
    let item = format!("<li><a href=\"{name}\">{name}</a></li>\n");
    if !list.contains(&item) {
        if list.is_empty() {
            list = "<!doctype html>\n<html lang=\"en\"><meta charset=\"utf-8\">\
                    <title>What the customers saw</title><ul>\n"
                .to_owned();
        }
        list.push_str(&item);
        std::fs::write(index, list)?;
    }
    Ok(())
}

/// What the store owner reads on the dashboard: this month's scores per location, per
/// employee (X4), the response rate (N5) and the review funnel (N3).
fn owners_report(engine: &Engine, now: DateTime<Utc>) -> Result<(), Box<dyn std::error::Error>> {
    println!("\n══ The owner's dashboard, all time ══");
    for l in engine.locations()? {
        let q = ReportQuery {
            location: Some(l.id.clone()),
            ..ReportQuery::default()
        };
        let s = engine.scores(&q, now)?;
        let rate = engine.response_rate(&q, now)?;
        let funnel = engine.review_funnel(&q, now)?;
        println!(
            "  {}: NPS {} from {}, response rate {}, review links shown {} \
             (clicked {}, confirmed {})",
            l.name,
            s.nps.nps.map_or("none yet".into(), |n| format!("{n:.0}")),
            en_count(s.responses, "answer", "answers"),
            rate.rate
                .map_or("none yet".into(), |r| format!("{:.0}%", r * 100.0)),
            funnel.shown,
            funnel.clicked,
            funnel.confirmed
        );
    }
    for e in engine.employee_performance(&ReportQuery::default(), None, now)? {
        println!(
            "  {} ({}): {}, NPS {}",
            e.name.as_deref().unwrap_or(&e.employee),
            e.role.as_str(),
            en_count(e.scores.responses, "answer", "answers"),
            e.scores
                .nps
                .nps
                .map_or("none".into(), |n| format!("{n:.0}"))
        );
    }
    Ok(())
}

/// Customers answer (a promoter, a passive, a detractor), a walk-in answers from a
/// receipt link and another leaves e-receipt feedback; then the scores and the reminder.
fn answer_surveys(
    engine: &Engine,
    delivered: &[OutboundMessage],
    pages: &std::path::Path,
    now: DateTime<Utc>,
) -> Result<(), Box<dyn std::error::Error>> {
    println!("\n══ During the day: answers come in ══");
    let token = |link: &Option<String>| {
        link.as_deref()
            .and_then(|l| l.rsplit('/').next())
            .unwrap_or_default()
            .to_owned()
    };
    let nps = |score| ResponseInput {
        answers: vec![Answer {
            question: "recommend".into(),
            score: Some(score),
            ..Answer::default()
        }],
        consent_to_reply: true,
    };
    let names = customer_names();
    for (who, score) in [("amelie", 10), ("kim", 8), ("lee", 4)] {
        let Some(m) = delivered
            .iter()
            .find(|m| m.customer.as_deref() == Some(who))
        else {
            continue;
        };
        let link = token(&m.survey_link);
        if let Some(html) = &m.html_body {
            save_page(pages, &format!("{who}-email.html"), html)?;
        }
        let page = engine.survey_link_page(&link, None, None, now)?;
        save_page(pages, &format!("{who}-survey.html"), &page.html)?;
        let outcome = engine.record_response(&link, &nps(score), now)?;
        let page = engine.survey_link_page(&link, None, None, now)?;
        save_page(pages, &format!("{who}-thank-you.html"), &page.html)?;
        println!(
            "  {} answered {score}/10: {:?}{}{}",
            names.get(who).copied().unwrap_or(who),
            outcome.nps_category.expect("an NPS answer"),
            if outcome.unhappy {
                ", unhappy customer"
            } else {
                ""
            },
            outcome
                .review_link
                .map(|l| format!(", shown the review link {l}"))
                .unwrap_or_default()
        );
    }
    if !delivered.is_empty() {
        let receipt = engine.mint_receipt_link("paris", None, now)?;
        let outcome = engine.record_response(&token(&Some(receipt.url.clone())), &nps(9), now)?;
        println!(
            "  a walk-in answered 9/10 from the receipt link {} (anonymous){}",
            receipt.url,
            if outcome.review_link.is_some() {
                ", shown the review link"
            } else {
                ""
            }
        );
        engine.record_feedback(
            &FeedbackInput {
                location: "paris".into(),
                transaction: None,
                customer: None,
                sentiment: Sentiment::Negative,
                facets: vec!["wait_time".into()],
                comment: Some("Trop d'attente à la caisse".into()),
                consent_to_reply: false,
            },
            now,
        )?;
        println!("  e-receipt feedback: negative, facet wait_time");
    }
    let all = engine.scores(&ReportQuery::default(), now)?.nps;
    println!(
        "  NPS: {} ({}, {}, {})",
        all.nps.map_or("none yet".into(), |n| format!("{n:.0}")),
        en_count(all.promoters, "promoter", "promoters"),
        en_count(all.passives, "passive", "passives"),
        en_count(all.detractors, "detractor", "detractors")
    );
    work_alerts(engine, now + chrono::TimeDelta::hours(2))?;
    let week = now + chrono::TimeDelta::days(7);
    println!("\n══ A week later: the one reminder (R1) ══");
    let reminders = engine.claim(100, week)?;
    if reminders.is_empty() {
        println!("  none due (already sent, or nobody qualifies)");
    }
    for m in &reminders {
        println!(
            "  {:?} to {} [{}]: {}",
            m.kind, m.recipient, m.language, m.subject
        );
        engine.ack(&m.message_id, week)?;
    }
    Ok(())
}

/// The manager's dashboard: each unhappy customer's alert went to the one assigned
/// user; the detractor's case is worked (a phone call with a note), closed, and the
/// post-intervention survey queued (A1–A4).
fn work_alerts(engine: &Engine, now: DateTime<Utc>) -> Result<(), Box<dyn std::error::Error>> {
    println!("\n══ The dashboard: every unhappy customer has one owner ══");
    let open = engine.alerts(&AlertQuery::default())?;
    if open.is_empty() {
        println!("  no open alerts");
    }
    let names = customer_names();
    for a in &open {
        let who = a
            .customer
            .as_deref()
            .map_or("anonymous", |c| names.get(c).copied().unwrap_or(c));
        println!(
            "  alert #{} {} at {}: {}{} → assigned to {}",
            a.id,
            a.kind.as_str(),
            a.location,
            who,
            a.comment
                .as_deref()
                .map(|c| format!(" “{c}”"))
                .unwrap_or_default(),
            a.assignee.as_deref().unwrap_or("nobody yet")
        );
    }
    let Some(case) = open
        .iter()
        .find(|a| a.kind == AlertKind::UnhappyCustomer && a.customer.is_some())
    else {
        return Ok(());
    };
    let user = case.assignee.clone().unwrap_or_else(|| "claire".into());
    engine.record_interaction(
        case.id,
        &InteractionInput {
            method: InteractionMethod::Phone,
            note: "Called back: the order was late, offered free delivery next time".into(),
            user: user.clone(),
        },
        now,
    )?;
    engine.set_alert_status(case.id, AlertStatus::Done, now)?;
    let message = engine.send_follow_up(case.id, now)?;
    let log = engine.interactions(case.id)?;
    println!(
        "  {user} worked alert #{}: {} call — “{}”; done; post-intervention survey queued \
         (message {message})",
        case.id,
        log[0].method.as_str(),
        log[0].note
    );
    println!("  the mailer delivers what the alerts queued:");
    for m in engine.claim(100, now)? {
        println!(
            "  ── {} to {} [{}]: {}",
            m.kind.as_str(),
            m.recipient,
            m.language,
            m.subject
        );
        engine.ack(&m.message_id, now)?;
    }
    Ok(())
}

/// What the host's mailer does every few minutes: claim due messages, send, ack.
fn drain_outbox(
    engine: &Engine,
    now: DateTime<Utc>,
) -> Result<Vec<OutboundMessage>, Box<dyn std::error::Error>> {
    println!("\n══ Next morning: the POS mailer drains the outbox ══");
    let messages = engine.claim(100, now)?;
    if messages.is_empty() {
        println!("  nothing due (every message was already delivered)");
    }
    let mut shown = std::collections::HashSet::new();
    for m in &messages {
        // A fake mailer: print the message in full once per language, then ack it.
        if shown.insert(m.language.clone()) {
            println!("  ── to {} [{}] ──", m.recipient, m.language);
            println!("  Subject: {}", m.subject);
            for line in m.body.lines() {
                println!("  | {line}");
            }
        } else {
            println!("  ── to {} [{}]: {}", m.recipient, m.language, m.subject);
        }
        engine.ack(&m.message_id, now)?;
    }
    let counts = engine.outbox_counts()?;
    println!(
        "  outbox: {} delivered, {} pending, {} cancelled, {} failed",
        counts.acked, counts.pending, counts.cancelled, counts.failed
    );
    Ok(messages)
}

fn print_report(r: &SyncReport, tz: Tz, names: &HashMap<&str, &str>) {
    let name = |id: &Option<String>| {
        id.as_deref().map_or("(anonymous sale)".to_owned(), |i| {
            names.get(i).copied().unwrap_or(i).to_owned()
        })
    };
    if r.customers_created + r.customers_updated + r.transactions_created > 0 {
        println!(
            "  received {}, {} updated, {}",
            en_count(r.customers_created.into(), "new customer", "new customers"),
            r.customers_updated,
            en_count(
                r.transactions_created.into(),
                "new transaction",
                "new transactions"
            )
        );
    }
    if r.invitations.is_empty() {
        println!("  ✉ no new survey invitations");
    }
    for i in &r.invitations {
        println!(
            "  ✉ survey to {} for {} ({}, {}), due {} local",
            name(&Some(i.customer.clone())),
            i.transaction,
            i.channel.as_str(),
            i.language,
            i.due_at.with_timezone(&tz).format("%a %H:%M")
        );
    }
    for s in &r.skipped {
        let mut line = format!(
            "  ✗ {} ({}): {}",
            name(&s.customer),
            s.transaction,
            s.reason.describe()
        );
        if let Some(d) = s.eligible_again_on {
            line.push_str(&format!(", eligible again on {d}"));
        }
        if s.repeat {
            line.push_str(" (decided earlier)");
        }
        println!("{line}");
    }
}

fn customer_names() -> HashMap<&'static str, &'static str> {
    HashMap::from([
        ("amelie", "Amélie Dupont"),
        ("bob", "Bob O'Neil"),
        ("chloe", "Chloé Martin"),
        ("dana", "Dana Smith"),
        ("kim", "김민준"),
        ("lee", "이서연"),
        ("park", "박지호"),
    ])
}

/// The sales each store rang up on the given dates (a fixed, deterministic story).
fn sales_for(location: &str, dates: &[NaiveDate]) -> SyncBatch {
    let mut b = SyncBatch::new(location, *dates.iter().max().expect("a date"));
    b.business_dates = dates.to_vec();
    let offset = if location == "paris" {
        "+01:00"
    } else {
        "+09:00"
    };
    let cust = |id: &str, email: Option<&str>, lang: &str| Customer {
        name: customer_names().get(id).map(|n| (*n).to_owned()),
        email: email.map(Into::into),
        language: Some(lang.into()),
        ..Customer::with_email(id, "")
    };
    b.customers = vec![
        cust("amelie", Some("amelie@example.fr"), "fr-FR"),
        cust("bob", Some("bob(at)example"), "en"),
        Customer {
            include_in_communications: false,
            ..cust("chloe", Some("chloe@example.fr"), "fr")
        },
        cust("dana", Some("Dana@Example.com "), "en"),
        cust("kim", Some("minjun@example.kr"), "ko"),
        cust("lee", Some("seoyeon@example.kr"), "ko"),
        cust("park", Some("jiho@example.kr"), "ko"),
    ];
    b.employees = vec![
        Employee {
            id: "e-lucas".into(),
            name: Some("Lucas".into()),
            role: Role::Salesperson,
        },
        Employee {
            id: "e-sophie".into(),
            name: Some("Sophie".into()),
            role: Role::Technician,
        },
    ];
    let sale =
        |id: String, customer: Option<&str>, at: String, kind: TransactionKind| Transaction {
            id,
            customer: customer.map(Into::into),
            employees: vec!["e-lucas".into()],
            kind,
            amount_minor: 4990,
            currency: if location == "paris" {
                "EUR".into()
            } else {
                "KRW".into()
            },
            finalized_at: Some(at.parse().expect("demo timestamp")),
            exclude: false,
            refers_to: None,
        };
    for d in dates {
        let tag = format!("{location}-{}", d.format("%m%d"));
        let at = |h: u32| format!("{d}T{h:02}:00:00{offset}");
        let who: &[&str] = match (location, d.format("%d").to_string().as_str()) {
            ("paris", "20") => &["amelie", "bob", "chloe", "dana"],
            ("paris", "21") => &["amelie", "kim"],
            ("paris", "22") => &["park"],
            ("paris", _) => &["lee"],
            ("seoul", "20") => &["kim", "kim", "lee"],
            ("seoul", "21") => &["park"],
            (_, _) => &["kim"],
        };
        for (n, c) in who.iter().enumerate() {
            let kind = if n % 2 == 0 {
                TransactionKind::Sale
            } else {
                TransactionKind::Service
            };
            b.transactions
                .push(sale(format!("{tag}-{n}"), Some(c), at(11 + n as u32), kind));
        }
        b.transactions.push(sale(
            format!("{tag}-walkin"),
            None,
            at(17),
            TransactionKind::Sale,
        ));
    }
    b
}

fn local_noon(tz: Tz, d: NaiveDate) -> DateTime<Utc> {
    hearken::rules::time::local_hour_instant(tz, d, 12)
}

fn utc(s: &str) -> DateTime<Utc> {
    s.parse().expect("demo timestamp")
}

fn join(dates: &[NaiveDate]) -> String {
    dates
        .iter()
        .map(|d| d.to_string())
        .collect::<Vec<_>>()
        .join(", ")
}
