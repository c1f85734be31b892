//! Alert rules: who hears about what (A2), how an alert moves (A3), when it escalates,
//! what inputs are acceptable, and the wording of staff notifications.

use crate::error::Problem;
use crate::model::{
    AlertKind, AlertStatus, CommentKind, CustomerEmail, InteractionInput, NotifyLevel, ReplyInput,
    User,
};
use crate::rules::contact::normalize_email;
use crate::rules::validate::is_language_tag;

/// Longest note, comment or message body accepted, in characters.
pub const MAX_TEXT_CHARS: usize = 5000;
/// Longest name, subject or code accepted, in characters (as for batch text fields).
pub const MAX_SHORT_CHARS: usize = crate::rules::validate::MAX_TEXT_CHARS;

/// Whether a user with `level` hears about a piece of feedback (A2).
pub fn wants(level: NotifyLevel, negative: bool) -> bool {
    match level {
        NotifyLevel::All => true,
        NotifyLevel::Negative => negative,
        NotifyLevel::None => false,
    }
}

/// The status an alert moves to when asked to go to `to`, or why it cannot (A3).
///
/// Done needs at least one interaction and is final; nothing goes back to open.
pub fn next_status(
    from: AlertStatus,
    to: AlertStatus,
    interactions: u32,
) -> Result<(), &'static str> {
    match (from, to) {
        (f, t) if f == t => Ok(()),
        (AlertStatus::Done, _) => Err("the alert is done; a done alert stays done"),
        (_, AlertStatus::Open) => Err("an alert in progress cannot go back to open"),
        (_, AlertStatus::Done) if interactions == 0 => Err(
            "record at least one interaction (how the customer was reached, and a note) \
             before marking the alert done",
        ),
        _ => Ok(()),
    }
}

/// Whether an alert raised at `created_ms` and still open is due for escalation at `now_ms`.
pub fn escalation_due(created_ms: i64, now_ms: i64, after_hours: u32) -> bool {
    after_hours > 0 && now_ms - created_ms >= i64::from(after_hours) * 3_600_000
}

fn text(problems: &mut Vec<Problem>, record: &str, field: &str, value: &str, max: usize) {
    if value.trim().is_empty() {
        problems.push(Problem::top(record, field, "must not be empty"));
    } else if value.chars().count() > max {
        problems.push(Problem::top(
            record,
            field,
            format!("longer than {max} characters"),
        ));
    }
}

/// Problems with a user record.
pub fn validate_user(u: &User) -> Vec<Problem> {
    let mut p = Vec::new();
    text(&mut p, "user", "id", &u.id, MAX_SHORT_CHARS);
    if u.id.len() > crate::rules::validate::MAX_ID_BYTES {
        p.push(Problem::top("user", "id", "longer than 128 bytes"));
    }
    text(&mut p, "user", "name", &u.name, MAX_SHORT_CHARS);
    if let Some(r) = crate::rules::header::name_problem(&u.name) {
        p.push(Problem::top("user", "name", r));
    }
    if normalize_email(&u.email).is_none() {
        p.push(Problem::top("user", "email", "not an e-mail address"));
    }
    if u.language.as_deref().is_some_and(|l| !is_language_tag(l)) {
        p.push(Problem::top(
            "user",
            "language",
            "not a BCP 47 language tag",
        ));
    }
    p
}

/// Problems with an interaction to record.
pub fn validate_interaction(i: &InteractionInput) -> Vec<Problem> {
    let mut p = Vec::new();
    text(&mut p, "interaction", "note", &i.note, MAX_TEXT_CHARS);
    text(&mut p, "interaction", "user", &i.user, MAX_SHORT_CHARS);
    p
}

/// Problems with an e-mail to write to a customer from the dashboard.
pub fn validate_customer_email(e: &CustomerEmail) -> Vec<Problem> {
    let mut p = Vec::new();
    text(&mut p, "email", "user", &e.user, MAX_SHORT_CHARS);
    text(&mut p, "email", "subject", &e.subject, MAX_SHORT_CHARS);
    text(&mut p, "email", "body", &e.body, MAX_TEXT_CHARS);
    p
}

/// Problems with a business reply, reward or refund (F2).
pub fn validate_reply(r: &ReplyInput) -> Vec<Problem> {
    let mut p = Vec::new();
    text(&mut p, "reply", "user", &r.user, MAX_SHORT_CHARS);
    text(&mut p, "reply", "body", &r.body, MAX_TEXT_CHARS);
    match r.kind {
        CommentKind::Comment => p.push(Problem::top(
            "reply",
            "kind",
            "a business answers with reply, reward or refund",
        )),
        CommentKind::Reward => match r.coupon_code.as_deref() {
            None => p.push(Problem::top(
                "reply",
                "coupon_code",
                "a reward needs a coupon code",
            )),
            Some(code) => text(&mut p, "reply", "coupon_code", code, MAX_SHORT_CHARS),
        },
        CommentKind::Refund => {
            if r.amount_minor.is_none_or(|a| a <= 0) {
                p.push(Problem::top(
                    "reply",
                    "amount_minor",
                    "a refund needs a positive amount in minor units",
                ));
            }
            let iso = |c: &str| c.len() == 3 && c.bytes().all(|b| b.is_ascii_uppercase());
            if !r.currency.as_deref().is_some_and(iso) {
                p.push(Problem::top(
                    "reply",
                    "currency",
                    "a refund needs an ISO 4217 currency code (3 capital letters)",
                ));
            }
        }
        CommentKind::Reply => {}
    }
    p
}

/// What a staff notification says about one piece of feedback.
#[derive(Debug, Clone, Copy)]
pub struct FeedbackFacts<'a> {
    /// The alert it raised, if any.
    pub alert: Option<(i64, AlertKind)>,
    /// Location display name.
    pub location: &'a str,
    /// The customer's name, if known.
    pub customer: Option<&'a str>,
    /// The NPS answer.
    pub nps: Option<u32>,
    /// The main score on base 10.
    pub score_base10: Option<f64>,
    /// E-receipt thumbs: `Some(true)` positive, `Some(false)` negative.
    pub thumbs_up: Option<bool>,
    /// The comment.
    pub comment: Option<&'a str>,
}

/// Words of the staff messages in one language.
struct Words {
    new_feedback: &'static str,
    unhappy: &'static str,
    customer: &'static str,
    anonymous: &'static str,
    score: &'static str,
    thumbs_up: &'static str,
    thumbs_down: &'static str,
    comment: &'static str,
    alert: &'static str,
    still_open: &'static str,
    open_for: &'static str,
    hours: &'static str,
}

fn words(language: &str) -> &'static Words {
    const EN: Words = Words {
        new_feedback: "New feedback",
        unhappy: "Unhappy customer",
        customer: "Customer",
        anonymous: "anonymous",
        score: "Score",
        thumbs_up: "thumbs up",
        thumbs_down: "thumbs down",
        comment: "Comment",
        alert: "Alert",
        still_open: "Alert still open",
        open_for: "Open for",
        hours: "hours",
    };
    const FR: Words = Words {
        new_feedback: "Nouvel avis",
        unhappy: "Client mécontent",
        customer: "Client",
        anonymous: "anonyme",
        score: "Note",
        thumbs_up: "pouce levé",
        thumbs_down: "pouce baissé",
        comment: "Commentaire",
        alert: "Alerte",
        still_open: "Alerte toujours ouverte",
        open_for: "Ouverte depuis",
        hours: "heures",
    };
    const KO: Words = Words {
        new_feedback: "새 피드백",
        unhappy: "불만 고객",
        customer: "고객",
        anonymous: "익명",
        score: "점수",
        thumbs_up: "좋아요",
        thumbs_down: "싫어요",
        comment: "의견",
        alert: "알림",
        still_open: "아직 처리되지 않은 알림",
        open_for: "경과 시간",
        hours: "시간",
    };
    match language
        .split('-')
        .next()
        .unwrap_or("")
        .to_ascii_lowercase()
        .as_str()
    {
        "fr" => &FR,
        "ko" => &KO,
        _ => &EN,
    }
}

/// Subject and body of a feedback notification to a user (A2), in `language`.
pub fn feedback_notification(language: &str, f: &FeedbackFacts<'_>) -> (String, String) {
    let w = words(language);
    let headline = if f.alert.is_some() {
        w.unhappy
    } else {
        w.new_feedback
    };
    let subject = format!("{headline} · {}", f.location);
    let mut body = format!(
        "{headline} · {}\n{}: {}\n",
        f.location,
        w.customer,
        f.customer.unwrap_or(w.anonymous)
    );
    if let Some(n) = f.nps {
        body.push_str(&format!("{}: {n}/10\n", w.score));
    } else if let Some(s) = f.score_base10 {
        body.push_str(&format!("{}: {s:.1}/10\n", w.score));
    }
    if let Some(up) = f.thumbs_up {
        body.push_str(if up { w.thumbs_up } else { w.thumbs_down });
        body.push('\n');
    }
    if let Some(c) = f.comment.filter(|c| !c.is_empty()) {
        body.push_str(&format!("{}: {c}\n", w.comment));
    }
    if let Some((id, _)) = f.alert {
        body.push_str(&format!("{} #{id}\n", w.alert));
    }
    (subject, body)
}

/// Subject and body of an escalation to a location's owner, in `language`.
pub fn escalation_notification(
    language: &str,
    alert: i64,
    location: &str,
    detail: &str,
    open_hours: i64,
) -> (String, String) {
    let w = words(language);
    let subject = format!("{} #{alert} · {location}", w.still_open);
    let mut body = format!(
        "{} #{alert} · {location}\n{}: {open_hours} {}\n",
        w.still_open, w.open_for, w.hours
    );
    if !detail.is_empty() {
        body.push_str(detail);
        body.push('\n');
    }
    (subject, body)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::UserRole;

    #[test]
    fn a2_notification_levels() {
        assert!(wants(NotifyLevel::All, false));
        assert!(wants(NotifyLevel::Negative, true));
        assert!(!wants(NotifyLevel::Negative, false));
        assert!(!wants(NotifyLevel::None, true));
    }

    #[test]
    fn a3_done_needs_an_interaction_and_is_final() {
        use AlertStatus::*;
        assert!(next_status(Open, Done, 0).is_err());
        assert!(next_status(InProgress, Done, 0).is_err());
        assert!(next_status(Open, Done, 1).is_ok());
        assert!(next_status(Open, InProgress, 0).is_ok());
        assert!(next_status(Done, InProgress, 3).is_err());
        assert!(next_status(InProgress, Open, 3).is_err());
        assert!(next_status(Done, Done, 1).is_ok());
    }

    #[test]
    fn escalation_after_the_set_hours_only_when_on() {
        let h = 3_600_000;
        assert!(!escalation_due(0, 100 * h, 0));
        assert!(!escalation_due(0, 23 * h, 24));
        assert!(escalation_due(0, 24 * h, 24));
    }

    #[test]
    fn inputs_are_checked_field_by_field() {
        let mut u = User::new("u1", "Zoë O'Brien", "zoe@example.com", UserRole::Manager);
        assert!(validate_user(&u).is_empty());
        u.email = "nope".into();
        u.name = " ".into();
        let fields: Vec<_> = validate_user(&u).into_iter().map(|p| p.field).collect();
        assert_eq!(fields, ["name", "email"]);
        let refund = ReplyInput {
            user: "u1".into(),
            kind: CommentKind::Refund,
            body: "Sorry".into(),
            coupon_code: None,
            amount_minor: Some(0),
            currency: Some("eur".into()),
        };
        let fields: Vec<_> = validate_reply(&refund)
            .into_iter()
            .map(|p| p.field)
            .collect();
        assert_eq!(fields, ["amount_minor", "currency"]);
    }

    #[test]
    fn notifications_are_written_in_the_users_language() {
        let f = FeedbackFacts {
            alert: Some((7, AlertKind::UnhappyCustomer)),
            location: "서울 매장",
            customer: Some("김민준"),
            nps: Some(3),
            score_base10: Some(3.0),
            thumbs_up: None,
            comment: Some("너무 오래 기다렸어요"),
        };
        let (subject, body) = feedback_notification("ko-KR", &f);
        assert_eq!(subject, "불만 고객 · 서울 매장");
        assert!(body.contains("점수: 3/10") && body.contains("알림 #7"));
        let (subject, _) = feedback_notification("fr", &FeedbackFacts { alert: None, ..f });
        assert_eq!(subject, "Nouvel avis · 서울 매장");
    }
}
