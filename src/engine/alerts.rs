//! The alert use cases: users, assignment (A1), notifications (A2), handling (A3),
//! unanswered reviews (A5), sync gaps and escalations. Writing to customers about an
//! alert (A3 e-mail, F2 threads, A4 follow-up) is in `conversations.rs`.

use crate::store::Tx;
use chrono::{DateTime, NaiveDate, Utc};

use crate::error::{Error, Problem, Result};
use crate::model::{
    Alert, AlertKind, AlertQuery, AlertSettings, AlertStatus, Assignment, AtRiskCustomer, Author,
    Channel, ExternalReview, Interaction, InteractionInput, InteractionMethod, MessageKind, User,
};
use crate::rules::alert as rules;
use crate::rules::time::ms;
use crate::store::{self, AlertFilter, NewAlert, NewMessage};

use super::outbox::{FixedText, MessageIds};

pub(super) fn invalid(problems: Vec<Problem>) -> Result<()> {
    if problems.is_empty() {
        Ok(())
    } else {
        Err(Error::Invalid(problems))
    }
}

pub(super) fn not_found(what: &'static str, id: impl ToString) -> Error {
    Error::NotFound {
        what,
        id: id.to_string(),
    }
}

/// Queues a message whose text is written now.
#[allow(clippy::too_many_arguments)]
pub(super) fn queue_text(
    c: &mut dyn Tx,
    kind: MessageKind,
    to: Recipient,
    location: i64,
    alert: Option<i64>,
    language: &str,
    text: &FixedText,
    now: DateTime<Utc>,
) -> Result<String> {
    let (customer, user) = match to {
        Recipient::Customer(id) => (Some(id), None),
        Recipient::User(id) => (None, Some(id)),
    };
    c.queue_message(
        &MessageIds::new(now)?.next_id(),
        &NewMessage {
            kind,
            invitation: None,
            customer,
            user,
            alert,
            location: Some(location),
            channel: Channel::Email,
            language,
            params: &crate::wire::to_json(text),
            due_at_ms: ms(now),
        },
        ms(now),
    )
}

#[derive(Debug, Clone, Copy)]
pub(super) enum Recipient {
    Customer(i64),
    User(i64),
}

pub(super) fn location_rowid(c: &mut dyn Tx, id: &str) -> Result<i64> {
    c.get_location(id)?
        .map(|l| l.rowid)
        .ok_or_else(|| not_found("location", id))
}

pub(super) fn active_user(c: &mut dyn Tx, id: &str) -> Result<store::UserRow> {
    c.get_user(id)?
        .filter(|u| u.active)
        .ok_or_else(|| not_found("user", id))
}

pub(super) fn find_alert(c: &mut dyn Tx, id: i64) -> Result<store::AlertRow> {
    c.get_alert(id)?.ok_or_else(|| not_found("alert", id))
}

/// Validates and stores the alert settings.
pub fn set_alert_settings(c: &mut dyn Tx, s: &AlertSettings) -> Result<()> {
    let mut p = Vec::new();
    if s.escalate_after_hours > 24 * 365 {
        p.push(Problem::top(
            "alert_settings",
            "escalate_after_hours",
            "must be 0 (off) to 8760",
        ));
    }
    let host_ok = !s.reply_domain.is_empty()
        && s.reply_domain.len() <= 253
        && s.reply_domain.contains('.')
        && s.reply_domain
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'.' || b == b'-');
    if !host_ok {
        p.push(Problem::top(
            "alert_settings",
            "reply_domain",
            "not a domain name (letters, digits, dots and hyphens)",
        ));
    }
    invalid(p)?;
    c.set_alert_settings(s)
}

/// Creates or updates a user; their locations must exist.
pub fn upsert_user(c: &mut dyn Tx, u: &User) -> Result<()> {
    let mut problems = rules::validate_user(u);
    let mut rowids = |list: &[String], field: &str| -> Result<Vec<i64>> {
        let mut out = Vec::new();
        for (i, l) in list.iter().enumerate() {
            match c.get_location(l)? {
                Some(row) => out.push(row.rowid),
                None => problems.push(Problem::top(
                    "user",
                    &format!("{field}[{i}]"),
                    "unknown location",
                )),
            }
        }
        Ok(out)
    };
    let locations = rowids(&u.locations, "locations")?;
    let notify = rowids(&u.notify_locations, "notify_locations")?;
    invalid(problems)?;
    c.upsert_user(u, &locations, &notify)?;
    Ok(())
}

/// Removes a user who holds no assignment and no unfinished alert.
pub fn remove_user(c: &mut dyn Tx, id: &str) -> Result<()> {
    let u = active_user(c, id)?;
    let (assignments, open) = c.user_open_work(u.rowid)?;
    if assignments > 0 || open > 0 {
        return Err(Error::Conflict(format!(
            "the user holds {assignments} assignment(s) and {open} unfinished alert(s); \
             assign them to someone else first"
        )));
    }
    c.deactivate_user(u.rowid)
}

/// Makes `user` the one assignee of `kind` at `location` (`None`: store-wide) (A1).
pub fn assign(c: &mut dyn Tx, kind: AlertKind, location: Option<&str>, user: &str) -> Result<()> {
    let loc = location.map(|l| location_rowid(c, l)).transpose()?;
    let u = active_user(c, user)?;
    c.set_assignment(kind, loc.unwrap_or(0), u.rowid)
}

/// Removes the assignment of `kind` at `location`, so the store-wide default applies.
pub fn unassign(c: &mut dyn Tx, kind: AlertKind, location: Option<&str>) -> Result<()> {
    let loc = location.map(|l| location_rowid(c, l)).transpose()?;
    if c.clear_assignment(kind, loc.unwrap_or(0))? {
        Ok(())
    } else {
        Err(not_found("assignment", kind.as_str()))
    }
}

/// The user an alert of `kind` at `location` goes to, if anyone (A1).
pub fn assignee(c: &mut dyn Tx, kind: AlertKind, location: &str) -> Result<Option<User>> {
    let loc = location_rowid(c, location)?;
    let Some(rowid) = c.resolve_assignee(kind, loc)? else {
        return Ok(None);
    };
    Ok(c.user_by_rowid(rowid)?.map(|u| u.user))
}

/// Every assignment.
pub fn assignments(c: &mut dyn Tx) -> Result<Vec<Assignment>> {
    c.list_assignments()
}

/// What a new response or piece of feedback means for alerts and notifications.
#[derive(Debug, Clone)]
pub struct FeedbackEvent<'a> {
    /// Response id.
    pub response: i64,
    /// Location row id.
    pub location: i64,
    /// Location display name.
    pub location_name: &'a str,
    /// Customer row id.
    pub customer: Option<i64>,
    /// Unhappy (N4) or negative (F1): raises an alert of `kind`.
    pub negative: bool,
    /// The alert kind it raises.
    pub kind: AlertKind,
    /// NPS answer.
    pub nps: Option<u32>,
    /// Main score on base 10.
    pub score_base10: Option<f64>,
    /// Thumbs of an e-receipt.
    pub thumbs_up: Option<bool>,
    /// Comment.
    pub comment: Option<&'a str>,
}

/// Raises the alert of an unhappy customer (A1) and notifies the subscribed users (A2).
pub fn on_feedback(
    c: &mut dyn Tx,
    ev: &FeedbackEvent<'_>,
    now: DateTime<Utc>,
) -> Result<Option<i64>> {
    let alert = if ev.negative {
        let user = c.resolve_assignee(ev.kind, ev.location)?;
        let id = c.insert_alert(
            &NewAlert {
                kind: ev.kind,
                location: ev.location,
                customer: ev.customer,
                response: Some(ev.response),
                user,
                detail: "",
            },
            ms(now),
        )?;
        super::events::alert_opened(
            c,
            id,
            ev.kind,
            ev.location,
            Some(ev.response),
            ev.customer,
            AlertStatus::Open,
            now,
        )?;
        Some(id)
    } else {
        None
    };
    let recipients = c.notify_recipients(ev.location, ev.negative)?;
    if recipients.is_empty() {
        return Ok(alert);
    }
    let default_language = c.get_settings()?.default_language;
    let customer_name = match ev.customer {
        Some(id) => c.customer_name(id)?,
        None => None,
    };
    let facts = rules::FeedbackFacts {
        alert: alert.map(|a| (a, ev.kind)),
        location: ev.location_name,
        customer: customer_name.as_deref(),
        nps: ev.nps,
        score_base10: ev.score_base10,
        thumbs_up: ev.thumbs_up,
        comment: ev.comment,
    };
    for r in recipients {
        let language = r.language.as_deref().unwrap_or(&default_language);
        let (subject, body) = rules::feedback_notification(language, &facts);
        queue_text(
            c,
            MessageKind::FeedbackNotification,
            Recipient::User(r.rowid),
            ev.location,
            alert,
            language,
            &FixedText {
                subject,
                body,
                response: None,
                about: Some(ev.response),
                phone: None,
            },
            now,
        )?;
    }
    Ok(alert)
}

/// Alerts matching the query; by default the dashboard's open and in-progress ones.
pub fn alerts(c: &mut dyn Tx, q: &AlertQuery) -> Result<Vec<Alert>> {
    let filter = AlertFilter {
        statuses: if q.statuses.is_empty() {
            vec![AlertStatus::Open, AlertStatus::InProgress]
        } else {
            q.statuses.clone()
        },
        kind: q.kind,
        location: q
            .location
            .as_deref()
            .map(|l| location_rowid(c, l))
            .transpose()?,
        user: match q.assignee.as_deref() {
            None => None,
            Some(u) => Some(c.get_user(u)?.ok_or_else(|| not_found("user", u))?.rowid),
        },
    };
    c.list_alerts(&filter)
}

/// One alert.
pub fn alert(c: &mut dyn Tx, id: i64) -> Result<Alert> {
    Ok(find_alert(c, id)?.alert)
}

/// An alert's interactions, oldest first.
pub fn interactions(c: &mut dyn Tx, id: i64) -> Result<Vec<Interaction>> {
    find_alert(c, id)?;
    c.interactions(id)
}

/// Takes an open alert into progress after someone acted on it.
pub(super) fn start(c: &mut dyn Tx, a: &Alert, now: DateTime<Utc>) -> Result<()> {
    if a.status == AlertStatus::Open {
        c.set_alert_status(a.id, AlertStatus::InProgress, ms(now))?;
        super::events::alert_status_changed(c, a.id, AlertStatus::InProgress, now)?;
    }
    Ok(())
}

/// Records how a user handled an alert (A3); an open alert moves to in progress.
pub fn record_interaction(
    c: &mut dyn Tx,
    id: i64,
    input: &InteractionInput,
    now: DateTime<Utc>,
) -> Result<i64> {
    invalid(rules::validate_interaction(input))?;
    let a = find_alert(c, id)?.alert;
    let user = active_user(c, &input.user)?;
    let iid = c.insert_interaction(
        id,
        input.method,
        input.note.trim(),
        Author::Business,
        Some(user.rowid),
        ms(now),
    )?;
    start(c, &a, now)?;
    Ok(iid)
}

/// Moves an alert along open → in progress → done; done needs an interaction (A3).
pub fn set_alert_status(
    c: &mut dyn Tx,
    id: i64,
    status: AlertStatus,
    now: DateTime<Utc>,
) -> Result<()> {
    let a = find_alert(c, id)?.alert;
    rules::next_status(a.status, status, a.interactions)
        .map_err(|reason| Error::Conflict(reason.into()))?;
    if a.status != status {
        c.set_alert_status(id, status, ms(now))?;
        super::events::alert_status_changed(c, id, status, now)?;
    }
    Ok(())
}

/// Gives an unfinished alert to another user (A3 delegation).
pub fn reassign_alert(c: &mut dyn Tx, id: i64, user: &str, now: DateTime<Utc>) -> Result<()> {
    let a = find_alert(c, id)?.alert;
    if a.status == AlertStatus::Done {
        return Err(Error::Conflict(
            "the alert is done; a done alert stays done".into(),
        ));
    }
    let u = active_user(c, user)?;
    c.set_alert_user(id, u.rowid, ms(now))?;
    let data = crate::model::events::AlertReassigned {
        alert_id: id,
        user: user.to_owned(),
    };
    super::events::emit(c, crate::model::events::ALERT_REASSIGNED, now, &data)
}

/// Raises, updates or clears by itself the one store alert of `kind` at a location:
/// `problem` is what is wrong now, `None` once it went away.
fn refresh_store_alert(
    c: &mut dyn Tx,
    kind: AlertKind,
    location: i64,
    problem: Option<String>,
    now: DateTime<Utc>,
) -> Result<()> {
    let open = c.open_store_alert(kind, location)?;
    match (open, problem) {
        (Some(id), Some(detail)) => c.set_alert_detail(id, &detail, ms(now)),
        (None, Some(detail)) => {
            let user = c.resolve_assignee(kind, location)?;
            let id = c.insert_alert(
                &NewAlert {
                    kind,
                    location,
                    customer: None,
                    response: None,
                    user,
                    detail: &detail,
                },
                ms(now),
            )?;
            let status = AlertStatus::Open;
            super::events::alert_opened(c, id, kind, location, None, None, status, now)
        }
        (Some(id), None) => {
            let note = match kind {
                AlertKind::UnansweredReviews => "every reported review has a reply",
                _ => "every missing business date was synced",
            };
            c.insert_interaction(
                id,
                InteractionMethod::Other,
                note,
                Author::System,
                None,
                ms(now),
            )?;
            c.set_alert_status(id, AlertStatus::Done, ms(now))?;
            super::events::alert_status_changed(c, id, AlertStatus::Done, now)
        }
        (None, None) => Ok(()),
    }
}

/// Records an external review or its reply; the location's unanswered-reviews alert is
/// raised, updated, or cleared once every review has a reply (A5). Returns how many
/// reviews of the location still wait for a reply.
pub fn report_review(c: &mut dyn Tx, r: &ExternalReview, now: DateTime<Utc>) -> Result<u32> {
    let mut p = Vec::new();
    for (field, value) in [("id", &r.id), ("site", &r.site)] {
        if value.trim().is_empty() || value.chars().count() > rules::MAX_SHORT_CHARS {
            p.push(Problem::top(
                "review",
                field,
                format!("must be 1 to {} characters", rules::MAX_SHORT_CHARS),
            ));
        }
    }
    if r.rating.is_some_and(|s| !(1..=10).contains(&s)) {
        p.push(Problem::top("review", "rating", "must be 1 to 10"));
    }
    if r.replied_at.is_some_and(|t| t < r.posted_at) {
        p.push(Problem::top(
            "review",
            "replied_at",
            "before the review was posted",
        ));
    }
    invalid(p)?;
    let location = location_rowid(c, &r.location)?;
    c.upsert_review(
        &r.id,
        location,
        r.site.trim(),
        r.rating,
        ms(r.posted_at),
        r.replied_at.map(ms),
    )?;
    let waiting = c.unanswered_reviews(location)?;
    let problem = (waiting > 0).then(|| {
        format!(
            "{} without a reply",
            crate::rules::grammar::en_count(waiting.into(), "review", "reviews")
        )
    });
    refresh_store_alert(c, AlertKind::UnansweredReviews, location, problem, now)?;
    Ok(waiting)
}

/// Raises, updates or clears the location's sync-gap alert after a sync (S2).
pub fn sync_gap(
    c: &mut dyn Tx,
    location: i64,
    missing: &[NaiveDate],
    now: DateTime<Utc>,
) -> Result<()> {
    let problem = (!missing.is_empty()).then(|| {
        let dates: Vec<String> = missing.iter().map(|d| d.to_string()).collect();
        format!("business dates never synced: {}", dates.join(", "))
    });
    refresh_store_alert(c, AlertKind::SyncGap, location, problem, now)
}

/// Tells each location's owners about alerts open longer than the set hours, once.
pub fn escalate_due(c: &mut dyn Tx, settings: &AlertSettings, now: DateTime<Utc>) -> Result<u32> {
    if settings.escalate_after_hours == 0 {
        return Ok(0);
    }
    let cutoff = crate::rules::time::sub(
        now,
        crate::rules::time::hours(i64::from(settings.escalate_after_hours)),
    );
    let default_language = c.get_settings()?.default_language;
    let mut sent = 0;
    for due in c.escalation_candidates(ms(cutoff))? {
        let id = due.id;
        debug_assert!(rules::escalation_due(
            due.created_ms,
            ms(now),
            settings.escalate_after_hours
        ));
        let hours = (ms(now) - due.created_ms) / 3_600_000;
        for owner in c.location_owners(due.location)? {
            let language = owner.language.as_deref().unwrap_or(&default_language);
            let (subject, body) = rules::escalation_notification(
                language,
                id,
                &due.location_name,
                &due.detail,
                hours,
            );
            queue_text(
                c,
                MessageKind::AlertEscalation,
                Recipient::User(owner.rowid),
                due.location,
                Some(id),
                language,
                &FixedText {
                    subject,
                    body,
                    response: None,
                    about: None,
                    phone: None,
                },
                now,
            )?;
            sent += 1;
        }
        c.stamp_alert(id, store::AlertStamp::Escalated, ms(now))?;
    }
    Ok(sent)
}

/// Detractors to call back, newest first, with contact details and last comment.
pub fn at_risk_customers(c: &mut dyn Tx, location: Option<&str>) -> Result<Vec<AtRiskCustomer>> {
    let loc = location.map(|l| location_rowid(c, l)).transpose()?;
    c.at_risk(loc)
}
