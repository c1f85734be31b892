//! The history scenario, shared by `benches/history.rs`, `tests/query_plans.rs` and any
//! other harness (include it with `#[path = "…/benches/scenarios/history.rs"] mod history;`).
//!
//! One shop (time zone UTC, with a review link, 10 employees), `customers` customers with
//! e-mails, `sales_per_night` finalized sales a night spread over them at random (a fixed
//! seed). Every night is synced at 23:00 UTC; the next morning at 10:00 the outbox is
//! drained (claims of [`CLAIM_BATCH`], acked through `Engine::ack_many`) and
//! `answer_percent` % of the invitations claimed that morning are answered by one click
//! at 12:00 (scores 0–10 spread evenly: promoters get review reminders a week later,
//! detractors raise alerts). Everything goes through the public `Engine` API, so the store
//! holds exactly what hearken writes.
#![allow(dead_code)]

use chrono::{DateTime, NaiveDate, TimeDelta, Utc};
use hearken::{
    Customer, Employee, Engine, Location, Role, SyncBatch, SyncReport, Transaction, TransactionKind,
};

/// The shop's host id.
pub const LOCATION: &str = "shop";
/// Messages per claim, and ids per `ack_many`.
pub const CLAIM_BATCH: u32 = 500;

/// The shape of a store's history.
#[derive(Debug, Clone, Copy)]
pub struct History {
    /// Customers the sales are spread over.
    pub customers: usize,
    /// Sales a night.
    pub sales_per_night: usize,
    /// Share of each morning's invitations answered by one click, in percent.
    pub answer_percent: u64,
}

impl History {
    /// The issue's figure: 5,000 customers, 500 sales a night, 30 % answered.
    pub const ISSUE: History = History {
        customers: 5_000,
        sales_per_night: 500,
        answer_percent: 30,
    };
}

/// What one morning's drain did.
#[derive(Debug, Clone, Copy, Default)]
pub struct Morning {
    /// Messages claimed (and acked).
    pub delivered: usize,
    /// Invitations answered by a click.
    pub clicked: usize,
}

/// The first business date of every history.
pub fn first_date() -> NaiveDate {
    NaiveDate::from_ymd_opt(2024, 1, 1).expect("a date")
}

/// The business date of night `n` (0-based).
pub fn date_of(night: u32) -> NaiveDate {
    first_date() + TimeDelta::days(i64::from(night))
}

/// 23:00 UTC on night `n`'s date: when its sync runs.
pub fn night_at(night: u32) -> DateTime<Utc> {
    date_of(night)
        .and_hms_opt(23, 0, 0)
        .expect("a time")
        .and_utc()
}

/// 10:00 UTC the morning after night `n`: when its invitations are due and claimed.
pub fn morning_at(night: u32) -> DateTime<Utc> {
    night_at(night) + TimeDelta::hours(11)
}

/// Sets up a new store for the scenario: the shop.
pub fn set_up(e: &Engine) {
    let mut shop = Location::new(LOCATION, "Boutique Centrale", "UTC");
    shop.review_link = Some("https://reviews.example.com/shop".into());
    e.upsert_location(&shop).expect("the shop");
}

/// A small deterministic generator (SplitMix64), so every run builds the same history.
pub struct Rng(u64);

impl Rng {
    /// A generator for night `n`.
    pub fn for_night(night: u32) -> Rng {
        Rng(0x9e37_79b9_7f4a_7c15 ^ (u64::from(night) << 20))
    }

    /// The next value.
    pub fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }

    /// A value below `n`.
    pub fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
}

/// Night `n`'s batch: `sales_per_night` sales finalized during the day, their customers
/// and the shop's employees.
pub fn batch(h: &History, night: u32) -> SyncBatch {
    let date = date_of(night);
    let mut rng = Rng::for_night(night);
    let mut b = SyncBatch::new(LOCATION, date);
    b.employees = (0..10)
        .map(|i| Employee {
            id: format!("e{i}"),
            name: Some(format!("Vendeur {i}")),
            role: Role::Salesperson,
        })
        .collect();
    let mut seen = std::collections::HashSet::new();
    for i in 0..h.sales_per_night {
        let c = rng.below(h.customers as u64);
        let id = format!("c{c}");
        if seen.insert(c) {
            let mut customer = Customer::with_email(&id, &format!("client{c}@example.com"));
            customer.name = Some(format!("Client {c}"));
            customer.language = Some(["fr", "en", "ko"][(c % 3) as usize].into());
            b.customers.push(customer);
        }
        let minute = 9 * 60 + rng.below(11 * 60);
        let finalized = date
            .and_hms_opt((minute / 60) as u32, (minute % 60) as u32, 0)
            .expect("a time")
            .and_utc();
        b.transactions.push(Transaction {
            id: format!("n{night}-{i}"),
            customer: Some(id),
            employees: vec![format!("e{}", rng.below(10))],
            kind: TransactionKind::Sale,
            amount_minor: 1_000 + rng.below(50_000) as i64,
            currency: "EUR".into(),
            finalized_at: Some(finalized.into()),
            exclude: false,
            refers_to: None,
        });
    }
    b
}

/// Syncs night `n`.
pub fn sync_night(e: &Engine, h: &History, night: u32) -> SyncReport {
    e.sync(&batch(h, night), night_at(night))
        .expect("the night's sync")
}

/// The morning after night `n`: drains the outbox and answers `answer_percent` % of the
/// invitations by one click.
pub fn morning(e: &Engine, h: &History, night: u32) -> Morning {
    let now = morning_at(night);
    let mut rng = Rng::for_night(night ^ 0x00ff_ff00);
    let mut out = Morning::default();
    let mut links = Vec::new();
    loop {
        let messages = e.claim(CLAIM_BATCH, now).expect("a claim");
        if messages.is_empty() {
            break;
        }
        let ids: Vec<&str> = messages.iter().map(|m| m.message_id.as_str()).collect();
        let outcomes = e.ack_many(&ids, now).expect("the acks");
        assert!(outcomes.iter().all(|o| o.status.is_ok()), "{outcomes:?}");
        out.delivered += messages.len();
        for m in &messages {
            if m.kind == hearken::MessageKind::SurveyInvitation
                && let Some(link) = &m.survey_link
            {
                links.push(link.rsplit('/').next().unwrap_or_default().to_owned());
            }
        }
    }
    let noon = now + TimeDelta::hours(2);
    for token in links {
        if rng.below(100) < h.answer_percent {
            let score = rng.below(11) as u32;
            e.record_score_click(&token, score, noon).expect("a click");
            out.clicked += 1;
        }
    }
    out
}

/// Every timer on: review and non-respondent reminders, escalations to an owner.
pub fn every_timer(e: &Engine) {
    e.set_feedback_settings(&hearken::FeedbackSettings {
        non_respondent_reminder_days: 3,
        ..hearken::FeedbackSettings::default()
    })
    .unwrap();
    e.set_alert_settings(&hearken::AlertSettings {
        escalate_after_hours: 24,
        ..hearken::AlertSettings::default()
    })
    .unwrap();
    let mut owner = hearken::User::new(
        "owner",
        "Camille",
        "camille@example.com",
        hearken::UserRole::Owner,
    );
    owner.notify = hearken::NotifyLevel::All;
    e.upsert_user(&owner).unwrap();
    e.assign_alerts(hearken::AlertKind::UnhappyCustomer, None, "owner")
        .unwrap();
}
