//! Inbound SMS (D4): what a text message to the store's number does. An opt-out word
//! anywhere suppresses the phone (source `keyword`) and queues one confirmation; START or
//! UNSTOP lifts only a keyword suppression; HELP queues the help text; a bare score
//! answers the latest open SMS invitation to the phone; anything else is kept as a reply.

use chrono::{DateTime, Utc};

use crate::error::{Error, Problem, Result};
use crate::model::events as ev;
use crate::model::{Channel, InboundSms, MAX_INBOUND_SMS_CHARS, MessageKind, SmsOutcome};
use crate::rules::contact;
use crate::rules::inbound::{self, InboundSms as Reading};
use crate::rules::time::ms;
use crate::store::{KeywordLift, NewMessage, StoredCustomer, Tx};

use super::outbox::{FixedText, MessageIds};

/// Where bad input is reported.
const RECORD: &str = "inbound_sms";

/// The sender's phone in E.164, or a typed error naming `from` (never its value); the body
/// bounded.
fn checked(sms: &InboundSms, country: u32) -> Result<String> {
    let mut problems = Vec::new();
    let phone = contact::normalize_phone(&sms.from, country);
    if phone.is_none() {
        problems.push(Problem::top(RECORD, "from", "not a usable phone number"));
    }
    if sms.body.chars().count() > MAX_INBOUND_SMS_CHARS {
        problems.push(Problem::top(
            RECORD,
            "body",
            format!("longer than {MAX_INBOUND_SMS_CHARS} characters"),
        ));
    }
    if sms.body.contains('\0') {
        problems.push(Problem::top(RECORD, "body", "contains a NUL character"));
    }
    problems.extend(crate::rules::validate::instant_problems(
        RECORD,
        &[("received_at", Some(sms.received_at))],
    ));
    match phone {
        Some(p) if problems.is_empty() => Ok(p),
        _ => Err(Error::Invalid(problems)),
    }
}

/// Acts on one inbound SMS, in one transaction (D4).
pub fn receive_sms(c: &mut dyn Tx, sms: &InboundSms) -> Result<SmsOutcome> {
    let now = sms.received_at;
    let settings = c.get_settings()?;
    let phone = checked(sms, settings.default_country_code)?;
    let words = inbound::opt_out_words(&settings.sms_opt_out_words);
    let customers = c.customers_with_phone(&phone)?;
    let first = customers.first();
    let language = first
        .and_then(|s| s.row.language.clone())
        .unwrap_or_else(|| settings.default_language.clone());
    let outcome = match inbound::classify(&sms.body, &words) {
        Reading::OptOut { keyword } => {
            let text =
                inbound::opt_out_confirmation_text(&settings.sms_opt_out_confirmations, &language);
            let confirmation = opt_out(c, &phone, &customers, &language, text, now)?;
            SmsOutcome::OptedOut {
                keyword,
                confirmation_id: confirmation,
            }
        }
        Reading::OptIn => {
            // Only the keyword's own ask goes: a link, the host or a complaint that asked
            // too, before or after it, still holds (D4).
            let lift = c.lift_keyword_suppression(&phone)?;
            if lift != KeywordLift::NotAsked {
                consent(c, &phone, &customers, true, now)?;
            }
            SmsOutcome::OptedIn {
                lifted: lift == KeywordLift::Lifted,
            }
        }
        Reading::Help => {
            let text = inbound::help_text(&settings.sms_help_texts, &language).to_owned();
            let message_id = queue_reply(c, &phone, first, &language, &text, now)?;
            SmsOutcome::HelpQueued { message_id }
        }
        Reading::Score(score) => match c.open_sms_survey(&phone, ms(now))? {
            Some(hash) => SmsOutcome::Answered {
                response_id: super::responses::record_sms_score(c, &hash, score, now)?,
            },
            None => SmsOutcome::NoOpenSurvey,
        },
        Reading::Reply => SmsOutcome::KeptAsReply {
            reply_id: c.insert_inbound_reply(&phone, first.map(|s| s.rowid), &sms.body, ms(now))?,
        },
    };
    let data = ev::SmsReceived {
        kind: outcome.kind().to_owned(),
        customer: first.map(|s| s.row.host_id.clone()),
    };
    super::events::emit(c, ev::SMS_RECEIVED, now, &data)?;
    Ok(outcome)
}

/// Suppresses the phone with source `keyword`; when it was not suppressed before, records
/// the withdrawal and queues the one confirmation, the text `confirmation` in `language`
/// (its id). A phone another source suppressed already records the keyword's ask beside
/// it (and its withdrawal of consent), so a later START withdraws only that ask; it gets
/// no confirmation.
fn opt_out(
    c: &mut dyn Tx,
    phone: &str,
    customers: &[StoredCustomer],
    language: &str,
    confirmation: &str,
    now: DateTime<Utc>,
) -> Result<Option<String>> {
    let before = c.phone_suppression(phone)?;
    if before.as_ref().is_some_and(|s| s.keyword) {
        // A keyword asked already: nothing changes, and no second confirmation is sent.
        return Ok(None);
    }
    match customers.first() {
        // Marked as hers, so erasing her later finds it (T2).
        Some(s) => c.suppress_for_customer("phone", phone, ms(now), "keyword", s.rowid)?,
        None => c.suppress("phone", phone, ms(now), "keyword")?,
    }
    if before.is_some() {
        // Suppressed already by a link, the host or a complaint: unsubscribed before, so
        // no unsubscribe event and no confirmation; the keyword's withdrawal is recorded.
        consent(c, phone, customers, false, now)?;
        return Ok(None);
    }
    for s in customers {
        let data = ev::ContactUnsubscribed {
            customer: Some(s.row.host_id.clone()),
            source: "keyword".to_owned(),
        };
        super::events::emit(c, ev::CONTACT_UNSUBSCRIBED, now, &data)?;
    }
    if customers.is_empty() {
        let data = ev::ContactUnsubscribed {
            customer: None,
            source: "keyword".to_owned(),
        };
        super::events::emit(c, ev::CONTACT_UNSUBSCRIBED, now, &data)?;
    }
    consent(c, phone, customers, false, now)?;
    queue_reply(c, phone, customers.first(), language, confirmation, now).map(Some)
}

/// Records a keyword change of SMS consent (D5): each customer's, or the phone's alone.
fn consent(
    c: &mut dyn Tx,
    phone: &str,
    customers: &[StoredCustomer],
    granted: bool,
    now: DateTime<Utc>,
) -> Result<()> {
    if customers.is_empty() {
        return super::events::consent_changed(
            c,
            None,
            Some(phone),
            "sms",
            "surveys",
            granted,
            "keyword",
            now,
        );
    }
    for s in customers {
        super::events::consent_changed(
            c,
            Some((s.rowid, &s.row.host_id)),
            None,
            "sms",
            "surveys",
            granted,
            "keyword",
            now,
        )?;
    }
    Ok(())
}

/// Queues hearken's answer to the phone (`sms_keyword_reply`): due at once, its recipient
/// and text fixed now, for the customer who has the phone when one does (so erasing her
/// removes it).
fn queue_reply(
    c: &mut dyn Tx,
    phone: &str,
    customer: Option<&StoredCustomer>,
    language: &str,
    body: &str,
    now: DateTime<Utc>,
) -> Result<String> {
    let text = FixedText {
        subject: String::new(),
        body: body.to_owned(),
        response: None,
        about: None,
        phone: Some(phone.to_owned()),
    };
    c.queue_message(
        &MessageIds::new(now)?.next_id(),
        &NewMessage {
            kind: MessageKind::SmsKeywordReply,
            invitation: None,
            customer: customer.map(|s| s.rowid),
            user: None,
            alert: None,
            location: None,
            channel: Channel::Sms,
            language,
            params: &crate::wire::to_json(&text),
            due_at_ms: ms(now),
        },
        ms(now),
    )
}
