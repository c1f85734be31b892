//! Structural validation of inputs: every bad record named, no value echoed.

use std::collections::HashSet;

use chrono::{DateTime, NaiveDate, Utc};

use crate::error::Problem;
use crate::model::{
    BATCH_FORMAT, Calendar, ContactPolicy, DeliverySettings, Location, LocationPolicy, Period,
    Settings, SyncBatch,
};
use crate::rules::{header, time};

/// Longest host id accepted, in bytes.
pub const MAX_ID_BYTES: usize = 128;
/// Longest name or short text accepted, in characters.
pub const MAX_TEXT_CHARS: usize = 256;
/// Longest URL accepted, in bytes.
pub const MAX_URL_BYTES: usize = 2048;

/// What the store knows that validation needs.
pub struct BatchContext<'a> {
    /// The caller's clock.
    pub now: DateTime<Utc>,
    /// Customers referenced by transactions but absent from the batch that the store has.
    pub known_customers: &'a HashSet<String>,
    /// Employees referenced by transactions but absent from the batch that the store has.
    pub known_employees: &'a HashSet<String>,
    /// Transactions of the batch that the store holds for another location.
    pub foreign_transactions: &'a HashSet<String>,
    /// Why a business date cannot be in this batch, if it cannot.
    pub date_problem: &'a dyn Fn(NaiveDate) -> Option<&'static str>,
}

fn id_problem(id: &str) -> Option<&'static str> {
    if id.is_empty() {
        Some("must not be empty")
    } else if id.len() > MAX_ID_BYTES {
        Some("longer than 128 bytes")
    } else if has_control(id) {
        Some("contains control characters")
    } else {
        None
    }
}

/// Whether `s` holds a control character (`char::is_control`: C0, DEL, C1); an ASCII
/// string is tested byte by byte.
fn has_control(s: &str) -> bool {
    if s.is_ascii() {
        s.bytes().any(|b| b.is_ascii_control())
    } else {
        s.chars().any(char::is_control)
    }
}

fn text_problem(text: &str) -> Option<&'static str> {
    // No more characters than bytes: a short text is not counted.
    if text.len() > MAX_TEXT_CHARS && text.chars().count() > MAX_TEXT_CHARS {
        Some("longer than 256 characters")
    } else {
        None
    }
}

/// Whether `tag` is shaped like a BCP 47 language tag (`fr`, `fr-CA`, `zh-Hant-TW`).
pub fn is_language_tag(tag: &str) -> bool {
    let mut parts = tag.split('-');
    let primary = parts.next().unwrap_or("");
    (2..=8).contains(&primary.len())
        && primary.chars().all(|c| c.is_ascii_alphabetic())
        && tag.len() <= 35
        && parts.all(|p| (1..=8).contains(&p.len()) && p.chars().all(|c| c.is_ascii_alphanumeric()))
}

/// A per-language SMS setting's key (D4): a lower-case BCP 47 tag (`fr`, `fr-ca`).
fn is_settable_language(tag: &str) -> bool {
    tag.bytes().all(|b| !b.is_ascii_uppercase()) && is_language_tag(tag)
}

/// T3: the problems of optional instants `(field, value)` of `record` outside the range.
pub fn instant_problems(record: &str, fields: &[(&str, Option<DateTime<Utc>>)]) -> Vec<Problem> {
    fields
        .iter()
        .filter_map(|(field, t)| t.and_then(|t| time::check_instant(t, record, field).err()))
        .collect()
}

/// T3: the problems of a dashboard period whose dates or instants lie outside the range.
pub fn period_problems(record: &str, period: &Period) -> Vec<Problem> {
    match period {
        Period::Custom { from, to } => [("period.from", from), ("period.to", to)]
            .into_iter()
            .filter_map(|(field, d)| time::check_date(*d, record, field).err())
            .collect(),
        Period::Between { from, to } => instant_problems(
            record,
            &[("period.from", Some(*from)), ("period.to", Some(*to))],
        ),
        _ => Vec::new(),
    }
}

/// Validates a batch against the store's context; an empty result means it may be applied.
pub fn validate_batch(batch: &SyncBatch, ctx: &BatchContext<'_>) -> Vec<Problem> {
    let mut out = Vec::new();
    if batch.format != BATCH_FORMAT {
        out.push(Problem::top(
            "batch",
            "format",
            "unsupported format version",
        ));
    }
    if batch.business_dates.is_empty() {
        out.push(Problem::top(
            "batch",
            "business_dates",
            "must name at least one date",
        ));
    }
    let mut seen_dates = HashSet::new();
    for (i, date) in batch.business_dates.iter().enumerate() {
        let reason = if !time::date_in_range(*date) {
            Some(time::DATE_OUT_OF_RANGE)
        } else if !seen_dates.insert(*date) {
            Some("date listed twice")
        } else {
            (ctx.date_problem)(*date)
        };
        if let Some(reason) = reason {
            out.push(Problem {
                record: "business_dates".into(),
                index: Some(i as u64),
                host_id: None,
                field: "date".into(),
                reason: reason.into(),
            });
        }
    }

    // foldhash's sets (crate::hash) for the batch's own ids: 100k sales are looked up here.
    let mut customers =
        crate::hash::HashSet::with_capacity_and_hasher(batch.customers.len(), Default::default());
    for (i, c) in batch.customers.iter().enumerate() {
        let mut bad = |field: &str, reason: &str| {
            out.push(Problem::at("customers", i, &c.id, field, reason));
        };
        if let Some(r) = id_problem(&c.id) {
            bad("id", r);
        } else if !customers.insert(c.id.as_str()) {
            bad("id", "duplicate host id in this batch");
        }
        for (field, value) in [("name", &c.name), ("reference", &c.reference)] {
            if let Some(r) = value.as_deref().and_then(text_problem) {
                bad(field, r);
            }
        }
        for (field, value) in [("email", &c.email), ("phone", &c.phone)] {
            if value.as_ref().is_some_and(|v| v.len() > MAX_TEXT_CHARS) {
                bad(field, "longer than 256 bytes");
            }
        }
        if c.language.as_deref().is_some_and(|l| !is_language_tag(l)) {
            bad("language", "not a BCP 47 language tag");
        }
    }

    let mut employees =
        crate::hash::HashSet::with_capacity_and_hasher(batch.employees.len(), Default::default());
    for (i, e) in batch.employees.iter().enumerate() {
        if let Some(r) = id_problem(&e.id) {
            out.push(Problem::at("employees", i, &e.id, "id", r));
        } else if !employees.insert(e.id.as_str()) {
            out.push(Problem::at(
                "employees",
                i,
                &e.id,
                "id",
                "duplicate host id in this batch",
            ));
        }
        let name = e.name.as_deref();
        if let Some(r) = name.and_then(|n| text_problem(n).or_else(|| header::name_problem(n))) {
            out.push(Problem::at("employees", i, &e.id, "name", r));
        }
    }

    let mut transactions = crate::hash::HashSet::with_capacity_and_hasher(
        batch.transactions.len(),
        Default::default(),
    );
    for (i, t) in batch.transactions.iter().enumerate() {
        let mut bad = |field: &str, reason: &str| {
            out.push(Problem::at("transactions", i, &t.id, field, reason));
        };
        if let Some(r) = id_problem(&t.id) {
            bad("id", r);
        } else if !transactions.insert(t.id.as_str()) {
            bad("id", "duplicate host id in this batch");
        } else if ctx.foreign_transactions.contains(&t.id) {
            bad("id", "already recorded at another location");
        }
        if let Some(c) = &t.customer
            && !customers.contains(c.as_str())
            && !ctx.known_customers.contains(c)
        {
            bad("customer", "unknown customer: not in this batch nor stored");
        }
        // A sale credits a few employees: the earlier ones are compared directly (a set per
        // sale cost an allocation and a hash each); a long list gets a set.
        let mut credited = crate::hash::HashSet::default();
        let long = t.employees.len() > 16;
        for (j, e) in t.employees.iter().enumerate() {
            let twice = if long {
                !credited.insert(e.as_str())
            } else {
                t.employees[..j].contains(e)
            };
            if twice {
                bad("employees", "employee listed twice");
            } else if !employees.contains(e.as_str()) && !ctx.known_employees.contains(e) {
                bad(
                    "employees",
                    "unknown employee: not in this batch nor stored",
                );
            }
        }
        if t.currency.len() != 3 || !t.currency.bytes().all(|b| b.is_ascii_uppercase()) {
            bad("currency", "not a 3-letter ISO 4217 code");
        }
        // P6: a refund or void names its sale; nothing else names one.
        match (&t.refers_to, t.kind.cancels_sale()) {
            (None, true) => bad("refers_to", "a refund or void must name its sale"),
            (Some(_), false) => bad("refers_to", "only a refund or void names a sale"),
            (Some(r), true) => {
                if let Some(reason) = id_problem(r) {
                    bad("refers_to", reason);
                } else if *r == t.id {
                    bad("refers_to", "names the refund itself");
                }
            }
            (None, false) => {}
        }
        if let Some(f) = t.finalized_at.map(|f| f.with_timezone(&Utc)) {
            if !time::in_range(f) {
                bad("finalized_at", time::OUT_OF_RANGE);
            } else if f > ctx.now {
                bad("finalized_at", "is after now");
            }
        }
    }
    out
}

/// Validates a location definition.
pub fn validate_location(l: &Location) -> Vec<Problem> {
    let mut out = Vec::new();
    let mut bad = |field: &str, reason: &str| {
        out.push(Problem {
            record: "location".into(),
            index: None,
            host_id: Some(l.id.clone()),
            field: field.into(),
            reason: reason.into(),
        })
    };
    if let Some(r) = id_problem(&l.id) {
        bad("id", r);
    }
    if l.name.trim().is_empty() {
        bad("name", "must not be empty");
    } else if let Some(r) = text_problem(&l.name).or_else(|| header::name_problem(&l.name)) {
        bad("name", r);
    }
    if super::time::parse_tz(&l.time_zone).is_none() {
        bad("time_zone", "not an IANA or Windows time zone name");
    }
    if let Some(link) = &l.review_link
        && (link.len() > MAX_URL_BYTES
            || !(link.starts_with("https://") || link.starts_with("http://")))
    {
        bad("review_link", "not an http(s) URL of at most 2048 bytes");
    }
    if let Some(r) = l.business_type.as_deref().and_then(text_problem) {
        bad("business_type", r);
    }
    out
}

/// Validates store settings.
pub fn validate_settings(s: &Settings) -> Vec<Problem> {
    let mut out = Vec::new();
    let mut bad = |field: &str, reason: &str| out.push(Problem::top("settings", field, reason));
    if !(1..=24).contains(&s.cooldown_months) {
        bad("cooldown_months", "must be between 1 and 24");
    }
    if !(1..=365).contains(&s.max_age_days) {
        bad("max_age_days", "must be between 1 and 365");
    }
    for (field, hour) in [
        ("sync_hour", s.sync_hour),
        ("send_hour", s.send_hour),
        ("quiet_start_hour", s.quiet_start_hour),
        ("quiet_end_hour", s.quiet_end_hour),
    ] {
        if hour > 23 {
            bad(field, "must be an hour between 0 and 23");
        }
    }
    let quiet = super::time::QuietHours {
        start: s.quiet_start_hour,
        end: s.quiet_end_hour,
    };
    if s.send_hour <= 23 && quiet.contains(s.send_hour) {
        bad("send_hour", "falls inside quiet hours");
    }
    if s.catch_up_days > 7 {
        bad("catch_up_days", "must be between 0 and 7");
    }
    if !is_language_tag(&s.default_language) {
        bad("default_language", "not a BCP 47 language tag");
    }
    if !(1..=999).contains(&s.default_country_code) {
        bad("default_country_code", "not a country calling code (1-999)");
    }
    if s.sms_opt_out_words.len() > super::inbound::MAX_LANGUAGES
        || s.sms_opt_out_words.iter().any(|(lang, words)| {
            !is_settable_language(lang)
                || words.len() > super::inbound::MAX_WORDS
                || words.iter().any(|w| !super::inbound::is_settable_word(w))
        })
    {
        bad(
            "sms_opt_out_words",
            "lower-case language tags, each with at most 32 words of 1 to 64 characters",
        );
    }
    for (field, texts) in [
        ("sms_help_texts", &s.sms_help_texts),
        ("sms_opt_out_confirmations", &s.sms_opt_out_confirmations),
    ] {
        if texts.len() > super::inbound::MAX_LANGUAGES
            || texts.iter().any(|(lang, text)| {
                !is_settable_language(lang)
                    || text.trim().is_empty()
                    || text.chars().count() > super::inbound::MAX_REPLY_CHARS
            })
        {
            bad(
                field,
                "lower-case language tags, each with a text of 1 to 320 characters",
            );
        }
    }
    out
}

/// A delivered message keeps its stored text at least this long.
pub const MIN_SLIM_DAYS: u32 = 30;

/// Validates delivery settings.
pub fn validate_delivery_settings(s: &DeliverySettings) -> Vec<Problem> {
    let mut out = Vec::new();
    let mut bad =
        |field: &str, reason: &str| out.push(Problem::top("delivery_settings", field, reason));
    let base = &s.link_base_url;
    if base.len() > MAX_URL_BYTES
        || !(base.starts_with("https://") || base.starts_with("http://"))
        || base.ends_with('/')
    {
        bad(
            "link_base_url",
            "not an http(s) URL without a trailing slash",
        );
    }
    if !(1..=365).contains(&s.survey_link_days) {
        bad("survey_link_days", "must be between 1 and 365");
    }
    if !(10..=86_400).contains(&s.lease_seconds) {
        bad("lease_seconds", "must be between 10 and 86400");
    }
    if !(1..=20).contains(&s.max_attempts) {
        bad("max_attempts", "must be between 1 and 20");
    }
    if !(1..=86_400).contains(&s.retry_base_seconds) {
        bad("retry_base_seconds", "must be between 1 and 86400");
    }
    let slim = s.slim_delivered_after_days;
    if slim != 0 && !(MIN_SLIM_DAYS..=36_500).contains(&slim) {
        bad(
            "slim_delivered_after_days",
            "must be 0 (never) or between 30 and 36500",
        );
    }
    if s.retention_months.is_some_and(|m| !(1..=1200).contains(&m)) {
        bad(
            "retention_months",
            "must be between 1 and 1200, or absent (off)",
        );
    }
    if !(1..=36_500).contains(&s.events_retention_days) {
        bad("events_retention_days", "must be between 1 and 36500");
    }
    out
}

/// T10, P1: a retry after no answer (`retry_months`, 0 = off) waits at least as long as a
/// survey link lives (`link_days`), months counted as 28 days. The one check of this pair,
/// made by both setters whose values it spans.
pub fn retry_outlives_link(retry_months: u32, link_days: u32) -> bool {
    retry_months == 0 || retry_months.saturating_mul(28) >= link_days
}

/// T10: delivery settings checked against the stored contact policy, so the store never
/// holds a pair that [`validate_contact_policy`] would refuse.
pub fn validate_delivery_against_policy(s: &DeliverySettings, p: &ContactPolicy) -> Vec<Problem> {
    if retry_outlives_link(p.retry_after_no_answer_months, s.survey_link_days) {
        return Vec::new();
    }
    vec![Problem::top(
        "delivery_settings",
        "survey_link_days",
        "longer than the contact policy's retry after no answer (retry_after_no_answer_months)",
    )]
}

/// Validates the store's contact policy (P1–P7); `link_days` is the survey link lifetime.
pub fn validate_contact_policy(p: &ContactPolicy, link_days: u32) -> Vec<Problem> {
    let mut out = Vec::new();
    let mut bad =
        |field: &str, reason: &str| out.push(Problem::top("contact_policy", field, reason));
    let retry = p.retry_after_no_answer_months;
    if retry > 24 {
        bad("retry_after_no_answer_months", "must be between 0 and 24");
    } else if !retry_outlives_link(retry, link_days) {
        bad(
            "retry_after_no_answer_months",
            "shorter than the survey link lifetime (survey_link_days)",
        );
    }
    if p.min_gap_days > 366 {
        bad("min_gap_days", "must be between 0 and 366");
    }
    if p.max_per_year > 365 {
        bad("max_per_year", "must be between 0 and 365");
    }
    out.extend(volume_problems(
        "contact_policy",
        p.daily_cap,
        p.sample_percent,
        p.monthly_response_quota,
    ));
    let mut bad =
        |field: &str, reason: &str| out.push(Problem::top("contact_policy", field, reason));
    if p.sample_salt.len() > MAX_ID_BYTES {
        bad("sample_salt", "longer than 128 bytes");
    }
    if p.delay_days > 30 {
        bad("delay_days", "must be between 0 and 30");
    }
    if p.relationship_every_months > 36 {
        bad("relationship_every_months", "must be between 0 and 36");
    }
    if !(1..=3660).contains(&p.active_within_days) {
        bad("active_within_days", "must be between 1 and 3660");
    }
    out
}

fn volume_problems(record: &str, daily: u32, sample: u32, quota: u32) -> Vec<Problem> {
    let mut out = Vec::new();
    if daily > 100_000 {
        out.push(Problem::top(
            record,
            "daily_cap",
            "must be between 0 and 100000",
        ));
    }
    if sample > 100 {
        out.push(Problem::top(
            record,
            "sample_percent",
            "must be between 0 and 100",
        ));
    }
    if quota > 1_000_000 {
        out.push(Problem::top(
            record,
            "monthly_response_quota",
            "must be between 0 and 1000000",
        ));
    }
    out
}

/// Validates a calendar (P5): at least one send weekday, opening hours in order.
pub fn validate_calendar(record: &str, c: &Calendar) -> Vec<Problem> {
    let mut out = Vec::new();
    if c.send_weekdays.is_empty() {
        out.push(Problem::top(
            record,
            "send_weekdays",
            "every weekday is off: nothing could ever be sent",
        ));
    }
    let mut seen = HashSet::new();
    for h in &c.opening_hours {
        if !seen.insert(h.weekday) {
            out.push(Problem::top(
                record,
                "opening_hours",
                "a weekday is listed twice",
            ));
        } else if h.opens > 23 || h.closes > 24 || h.opens >= h.closes {
            out.push(Problem::top(
                record,
                "opening_hours",
                "opens must be an hour before closes (0-23, 1-24)",
            ));
        }
    }
    if c.closed_dates.len() > 1000 {
        out.push(Problem::top(record, "closed_dates", "more than 1000 dates"));
    }
    out
}

/// Validates a location's own volume rules and calendar (P4, P5).
pub fn validate_location_policy(p: &LocationPolicy) -> Vec<Problem> {
    let mut out = Vec::new();
    if let Some(reason) = id_problem(&p.location) {
        out.push(Problem::top("location_policy", "location", reason));
    }
    out.extend(volume_problems(
        "location_policy",
        p.daily_cap.unwrap_or(0),
        p.sample_percent.unwrap_or(0),
        p.monthly_response_quota.unwrap_or(0),
    ));
    if let Some(c) = &p.calendar {
        out.extend(validate_calendar("location_policy.calendar", c));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        /// T6: the ASCII paths of the id and text checks answer as the general ones
        /// (`char::is_control`, a count of characters) for any text, C1 controls, DEL and
        /// texts around 256 characters and bytes included.
        #[test]
        fn t6_id_and_text_checks_answer_as_the_general_ones(
            text in prop_oneof![
                any::<String>(),
                "[ -~\u{0}-\u{1f}\u{7f}\u{80}-\u{9f}é]{0,8}",
                "[a-z]{250,262}",
                "[a-zé한]{120,262}",
            ],
        ) {
            prop_assert_eq!(has_control(&text), text.chars().any(char::is_control));
            prop_assert_eq!(
                text_problem(&text).is_some(),
                text.chars().count() > MAX_TEXT_CHARS
            );
        }
    }

    #[test]
    fn language_tags() {
        for ok in ["en", "fr-CA", "ko", "zh-Hant-TW"] {
            assert!(is_language_tag(ok), "{ok}");
        }
        for bad in ["", "e", "fr_CA", "fr--CA", "123"] {
            assert!(!is_language_tag(bad), "{bad}");
        }
    }

    #[test]
    fn default_settings_are_valid() {
        assert!(validate_settings(&Settings::default()).is_empty());
        let s = Settings {
            send_hour: 22,
            ..Settings::default()
        };
        assert_eq!(validate_settings(&s)[0].field, "send_hour");
    }

    #[test]
    fn bad_time_zone_is_named() {
        let p = validate_location(&Location::new("p", "Paris", "Europe/Atlantis"));
        assert_eq!(p.len(), 1);
        assert_eq!(p[0].field, "time_zone");
    }
}
