//! Conversations about an alert: the dashboard writes to the customer (A3), the thread
//! of comments and replies, inbound replies by e-mail (F2), and the post-intervention
//! survey (A4).

use crate::store::Tx;
use chrono::{DateTime, Utc};

use crate::error::{Error, Problem, Result};
use crate::model::{
    AlertKind, AlertStatus, Author, CommentKind, CustomerEmail, InboundReply, InteractionMethod,
    MessageKind, ReplyInput, ThreadComment,
};
use crate::rules::alert as rules;
use crate::rules::time::ms;
use crate::rules::token;
use crate::store::{self, NewComment, NewMessage};

use super::alerts::{Recipient, active_user, find_alert, invalid, not_found, queue_text, start};
use super::outbox::{FixedText, MessageIds};

/// A response's customer contact, consent and alert, or not found.
fn response_of(c: &mut dyn Tx, response: i64) -> Result<store::ResponseContact> {
    c.response_contact(response)?
        .ok_or_else(|| not_found("response", response))
}

/// The customer row id of a response, when they are known and have an e-mail to write to.
fn reachable(contact: &store::ResponseContact) -> Result<i64> {
    let Some(customer) = contact.customer else {
        return Err(Error::Conflict(
            "the feedback is anonymous: hearken does not know who wrote it".into(),
        ));
    };
    if contact.email.is_none() {
        return Err(Error::Conflict(
            "the customer has no e-mail address to write to".into(),
        ));
    }
    Ok(customer)
}

/// Writes to the customer of an alert from the dashboard (A3): the e-mail carries a
/// tracking Reply-To, and it is logged on the alert and in the thread.
pub fn email_customer(
    c: &mut dyn Tx,
    id: i64,
    email: &CustomerEmail,
    now: DateTime<Utc>,
) -> Result<String> {
    invalid(rules::validate_customer_email(email))?;
    let row = find_alert(c, id)?;
    let Some(response) = row.alert.response_id else {
        return Err(Error::Conflict(
            "this alert is about the store, not a customer".into(),
        ));
    };
    let user = active_user(c, &email.user)?;
    let contact = response_of(c, response)?;
    let customer = reachable(&contact)?;
    let language = customer_language(c, contact.language.as_deref())?;
    c.insert_comment(
        &NewComment {
            response,
            author: Author::Business,
            kind: CommentKind::Reply,
            body: email.body.trim(),
            coupon_code: None,
            amount_minor: None,
            currency: None,
            user: Some(user.rowid),
        },
        ms(now),
    )?;
    c.insert_interaction(
        id,
        InteractionMethod::Email,
        email.subject.trim(),
        Author::Business,
        Some(user.rowid),
        ms(now),
    )?;
    start(c, &row.alert, now)?;
    queue_text(
        c,
        MessageKind::CustomerReply,
        Recipient::Customer(customer),
        contact.location,
        Some(id),
        &language,
        &FixedText {
            subject: email.subject.trim().to_owned(),
            body: email.body.clone(),
            response: Some(response),
            about: Some(response),
            phone: None,
        },
        now,
    )
}

fn customer_language(c: &mut dyn Tx, language: Option<&str>) -> Result<String> {
    Ok(match language {
        Some(l) => l.to_owned(),
        None => c.get_settings()?.default_language,
    })
}

/// Answers a piece of feedback with a reply, a reward or a refund (F2): only when the
/// customer agreed to be replied to. Returns the new comment's id.
pub fn reply(c: &mut dyn Tx, response: i64, input: &ReplyInput, now: DateTime<Utc>) -> Result<i64> {
    invalid(rules::validate_reply(input))?;
    let contact = response_of(c, response)?;
    if !contact.consent {
        return Err(Error::Conflict(
            "the customer did not agree to be replied to; no reply, reward or refund can be \
             recorded"
                .into(),
        ));
    }
    let user = active_user(c, &input.user)?;
    let customer = reachable(&contact)?;
    let comment = c.insert_comment(
        &NewComment {
            response,
            author: Author::Business,
            kind: input.kind,
            body: input.body.trim(),
            coupon_code: input.coupon_code.as_deref(),
            amount_minor: input.amount_minor,
            currency: input.currency.as_deref(),
            user: Some(user.rowid),
        },
        ms(now),
    )?;
    if let Some(alert) = contact.alert {
        let a = find_alert(c, alert)?.alert;
        c.insert_interaction(
            alert,
            InteractionMethod::Email,
            &format!("{}: {}", input.kind.as_str(), input.body.trim()),
            Author::Business,
            Some(user.rowid),
            ms(now),
        )?;
        start(c, &a, now)?;
    }
    let location = c
        .location_info(contact.location)?
        .map(|l| l.name)
        .unwrap_or_default();
    let language = customer_language(c, contact.language.as_deref())?;
    let mut body = input.body.trim().to_owned();
    if let Some(code) = &input.coupon_code {
        body.push_str(&format!("\n\n{code}"));
    }
    if let (Some(amount), Some(currency)) = (input.amount_minor, &input.currency) {
        body.push_str(&format!("\n\n{} {currency}", format_minor(amount)));
    }
    queue_text(
        c,
        MessageKind::CustomerReply,
        Recipient::Customer(customer),
        contact.location,
        contact.alert,
        &language,
        &FixedText {
            subject: location,
            body,
            response: Some(response),
            about: Some(response),
            phone: None,
        },
        now,
    )?;
    Ok(comment)
}

fn format_minor(amount: i64) -> String {
    format!("{}.{:02}", amount / 100, (amount % 100).abs())
}

/// The token of a tracking reply address (`reply+{token}@{domain}`), or a bare token.
fn reply_token(address: &str) -> Option<token::Token> {
    let t = match address.find("reply+") {
        Some(i) => {
            let rest = &address[i + "reply+".len()..];
            &rest[..rest.find('@').unwrap_or(rest.len())]
        }
        None => address,
    };
    token::parse_token(t)
}

/// Files a customer's e-mail answer to a tracking reply address into its thread, and
/// logs it on the alert (A3, F2).
pub fn record_inbound_reply(
    c: &mut dyn Tx,
    address: &str,
    text: &str,
    now: DateTime<Utc>,
) -> Result<InboundReply> {
    let Some(bytes) = reply_token(address) else {
        return Err(Error::invalid(Problem::top(
            "reply",
            "address",
            "not a hearken reply address (reply+<44 or 32 hex digits>@domain)",
        )));
    };
    let mut p = Vec::new();
    if text.trim().is_empty() {
        p.push(Problem::top("reply", "text", "must not be empty"));
    } else if text.chars().count() > rules::MAX_TEXT_CHARS {
        p.push(Problem::top(
            "reply",
            "text",
            format!("longer than {} characters", rules::MAX_TEXT_CHARS),
        ));
    }
    invalid(p)?;
    let (response, alert) = c
        .reply_address(&bytes.key())?
        .ok_or_else(|| not_found("reply address", ""))?;
    let comment = c.insert_comment(
        &NewComment {
            response,
            author: Author::Customer,
            kind: CommentKind::Comment,
            body: text.trim(),
            coupon_code: None,
            amount_minor: None,
            currency: None,
            user: None,
        },
        ms(now),
    )?;
    let alert = match alert {
        Some(a) => Some(a),
        None => response_of(c, response)?.alert,
    };
    let alert = match alert {
        Some(id) => {
            c.insert_interaction(
                id,
                InteractionMethod::Email,
                text.trim(),
                Author::Customer,
                None,
                ms(now),
            )?;
            Some(id)
        }
        None => None,
    };
    Ok(InboundReply {
        response_id: response,
        comment_id: comment,
        alert_id: alert,
    })
}

/// A response's conversation, oldest first (F2).
pub fn thread(c: &mut dyn Tx, response: i64) -> Result<Vec<ThreadComment>> {
    response_of(c, response)?;
    c.thread(response)
}

/// Queues the post-intervention survey of a done unhappy-customer case (A4), or says why
/// it cannot go (an anonymous response: send it yourself to the contact you know).
pub fn send_follow_up(c: &mut dyn Tx, id: i64, now: DateTime<Utc>) -> Result<String> {
    let row = find_alert(c, id)?;
    let a = &row.alert;
    if !matches!(
        a.kind,
        AlertKind::UnhappyCustomer | AlertKind::NegativeFeedback
    ) {
        return Err(Error::Conflict(
            "only an unhappy customer's case has a post-intervention survey".into(),
        ));
    }
    if a.status != AlertStatus::Done {
        return Err(Error::Conflict(
            "mark the case done before sending the post-intervention survey".into(),
        ));
    }
    let Some(customer) = row.customer else {
        return Err(Error::Conflict(
            "the original response was anonymous, so hearken does not know who to send the \
             post-intervention survey to; send it yourself to the contact you know"
                .into(),
        ));
    };
    if a.follow_up_at.is_some() {
        return Err(Error::Conflict(
            "the post-intervention survey was already sent for this case".into(),
        ));
    }
    let settings = c.get_settings()?;
    let contact = a
        .response_id
        .map(|r| c.response_contact(r))
        .transpose()?
        .flatten();
    let language = contact
        .and_then(|r| r.language)
        .unwrap_or(settings.default_language);
    let message = c.queue_message(
        &MessageIds::new(now)?.next_id(),
        &NewMessage {
            alert: Some(id),
            ..NewMessage::to_customer(
                MessageKind::FollowUpSurvey,
                customer,
                row.location,
                settings.channel,
                &language,
                ms(now),
            )
        },
        ms(now),
    )?;
    c.stamp_alert(id, store::AlertStamp::FollowUp, ms(now))?;
    Ok(message)
}

/// Records the answer to a post-intervention survey and logs it on the alert.
pub fn record_follow_up(
    c: &mut dyn Tx,
    alert: i64,
    nps: Option<u32>,
    score_base10: Option<f64>,
    comment: Option<&str>,
    complete: bool,
    now: DateTime<Utc>,
) -> Result<()> {
    c.insert_follow_up(alert, nps, score_base10, comment, complete, ms(now))?;
    if !complete {
        // A click in the e-mail (M1): the note comes with the completed answer.
        return Ok(());
    }
    let mut note = String::from("post-intervention survey");
    if let Some(s) = score_base10 {
        note.push_str(&format!(": {s:.1}/10"));
    }
    if let Some(t) = comment.filter(|t| !t.is_empty()) {
        note.push_str(&format!(" · {t}"));
    }
    c.insert_interaction(
        alert,
        InteractionMethod::Other,
        &note,
        Author::Customer,
        None,
        ms(now),
    )?;
    Ok(())
}
