//! The responses use cases: the survey, answers by link, e-receipt feedback, reviews,
//! deletion with audit, scores and the one reminder per invitation.

use crate::model::events as ev;
use crate::store::Tx;
use chrono::{DateTime, Utc};

use crate::error::{Error, Problem, Result};
use crate::model::{
    AlertKind, FeedbackInput, FeedbackSettings, NpsSummary, QuestionKind, RatingSummary,
    ReceiptLink, ResponseInput, ResponseOutcome, ScoreQuery, Sentiment, Survey, SurveyPage,
};
use crate::rules::time::ms;
use crate::rules::{survey as rules, template, token};
use crate::store::{self, ResponseRow};

use super::links::{self, Link};

/// The store's survey, or the shipped default.
pub fn survey(c: &mut dyn Tx) -> Result<Survey> {
    Ok(c.get_survey()?.unwrap_or_else(rules::default_survey))
}

/// Validates and stores the store's survey.
pub fn set_survey(c: &mut dyn Tx, s: &Survey) -> Result<()> {
    let problems = rules::validate_survey(s);
    if !problems.is_empty() {
        return Err(Error::Invalid(problems));
    }
    c.set_survey(s)
}

/// Validates and stores the feedback settings.
pub fn set_feedback_settings(c: &mut dyn Tx, s: &FeedbackSettings) -> Result<()> {
    let mut problems = Vec::new();
    if !(1..=9).contains(&s.unhappy_stars) {
        problems.push(Problem::top(
            "feedback_settings",
            "unhappy_stars",
            "must be 1 to 9",
        ));
    }
    if s.non_respondent_reminder_days > 60 {
        problems.push(Problem::top(
            "feedback_settings",
            "non_respondent_reminder_days",
            "must be 0 (off) to 60",
        ));
    }
    if !problems.is_empty() {
        return Err(Error::Invalid(problems));
    }
    c.set_feedback_settings(s)
}

/// What the host's survey page shows for a link, in the invitation's language (or `language`).
pub fn survey_page(
    c: &mut dyn Tx,
    raw: &str,
    language: Option<&str>,
    now: DateTime<Utc>,
) -> Result<SurveyPage> {
    let (_, link, clicked) = links::open(c, raw, now)?;
    page_data(c, &link, clicked.map(|(_, s)| s), language)
}

/// The survey page's data for a resolved link.
pub(super) fn page_data(
    c: &mut dyn Tx,
    link: &Link,
    recorded_score: Option<u32>,
    language: Option<&str>,
) -> Result<SurveyPage> {
    let settings = c.get_settings()?;
    let (location, invitation_language) = (link.location(), link.language());
    let store::LocationInfo {
        host_id,
        name,
        business_type,
        ..
    } = c
        .location_info(location)?
        .ok_or_else(|| Error::Internal("link of a missing location".into()))?;
    let chain =
        template::language_chain(language.or(invitation_language), &settings.default_language);
    Ok(rules::page_view(
        &survey(c)?,
        &host_id,
        &name,
        business_type.as_deref(),
        &chain,
        recorded_score,
    ))
}

/// Records the one response a survey or receipt link takes (F6), scores it and says
/// whether to show the review link (N3). After a score click (M1) it completes that
/// partial response, once; the score stays as clicked.
pub fn record_response(
    c: &mut dyn Tx,
    raw: &str,
    input: &ResponseInput,
    now: DateTime<Utc>,
) -> Result<ResponseOutcome> {
    let (hash, link, clicked) = links::open(c, raw, now)?;
    let survey = survey(c)?;
    let input = match clicked {
        Some((_, score)) => with_clicked_score(&survey, input, score)?,
        None => input.clone(),
    };
    record(
        c,
        &hash,
        &link,
        &input,
        clicked.map(|(id, _)| id),
        true,
        now,
    )
}

/// D4: a bare score texted back answers the SMS invitation whose survey link is `hash`, as
/// if its link took the NPS answer (the same scoring, alerts and events). Returns the
/// response id.
pub(super) fn record_sms_score(
    c: &mut dyn Tx,
    hash: &token::TokenKey,
    score: u8,
    now: DateTime<Utc>,
) -> Result<i64> {
    let (hash, link, state) = links::resolve_key(c, *hash, now)?;
    let links::LinkState::Open { clicked } = state else {
        return Err(Error::Conflict(
            "this invitation was already answered".into(),
        ));
    };
    let survey = survey(c)?;
    let Some(nps) = survey
        .questions
        .iter()
        .find(|q| q.kind == QuestionKind::Nps)
    else {
        return Err(Error::Conflict("the survey has no NPS question".into()));
    };
    let input = ResponseInput {
        answers: vec![crate::model::Answer {
            question: nps.id.clone(),
            score: Some(u32::from(score)),
            ..Default::default()
        }],
        consent_to_reply: false,
    };
    let input = match clicked {
        Some((_, clicked_score)) => with_clicked_score(&survey, &input, clicked_score)?,
        None => input,
    };
    let outcome = record(
        c,
        &hash,
        &link,
        &input,
        clicked.map(|(id, _)| id),
        true,
        now,
    )?;
    Ok(outcome.response_id)
}

/// The answers of a page that completes a clicked response: the NPS answer is the click's
/// (M1); a different one is a conflict, the same one is fine.
fn with_clicked_score(survey: &Survey, input: &ResponseInput, score: u32) -> Result<ResponseInput> {
    let Some(nps) = survey
        .questions
        .iter()
        .find(|q| q.kind == QuestionKind::Nps)
    else {
        return Ok(input.clone());
    };
    let mut input = input.clone();
    match input.answers.iter().find(|a| a.question == nps.id) {
        Some(a) if a.score.is_some_and(|s| s != score) => {
            return Err(Error::Conflict(
                "the score was recorded by the click in the e-mail and never changes".into(),
            ));
        }
        Some(_) => {}
        None => input.answers.insert(
            0,
            crate::model::Answer {
                question: nps.id.clone(),
                score: Some(score),
                ..Default::default()
            },
        ),
    }
    Ok(input)
}

/// Stores a response to a resolved link: a new one, or the completion of the partial one
/// `partial` a click stored; `complete` false stores a click's partial response (M1).
pub(super) fn record(
    c: &mut dyn Tx,
    hash: &token::TokenKey,
    link: &Link,
    input: &ResponseInput,
    partial: Option<i64>,
    complete: bool,
    now: DateTime<Utc>,
) -> Result<ResponseOutcome> {
    let (source, invitation, location, customer, transaction) = match link {
        Link::Invitation(l) => (
            "invitation",
            Some(l.invitation),
            l.location,
            Some(l.customer),
            l.transaction,
        ),
        Link::Receipt {
            location,
            transaction,
        } => ("receipt", None, *location, None, *transaction),
        Link::FollowUp { location, .. } => ("follow_up", None, *location, None, None),
    };
    let store::LocationInfo {
        review_link,
        business_type,
        name: location_name,
        ..
    } = c
        .location_info(location)?
        .ok_or_else(|| Error::Internal("link of a missing location".into()))?;
    let feedback = c.get_feedback_settings()?;
    let scored = rules::score_response(
        &survey(c)?,
        input,
        rules::facets_for(business_type.as_deref()),
        feedback.unhappy_stars,
    )
    .map_err(Error::Invalid)?;
    if let Link::FollowUp { alert, .. } = *link {
        // The answer measures the recovery: kept on the alert, not in the store's scores.
        super::conversations::record_follow_up(
            c,
            alert,
            scored.nps.map(u32::from),
            scored.score_base10,
            scored.comment.as_deref(),
            complete,
            now,
        )?;
        if complete {
            c.mark_survey_link_used(hash, ms(now))?;
        }
        let original = c.get_alert(alert)?.and_then(|a| a.alert.response_id);
        return Ok(ResponseOutcome {
            response_id: original.unwrap_or_default(),
            nps_category: scored.category(),
            score_base10: scored.score_base10,
            unhappy: scored.unhappy,
            review_link: None,
            alert_id: Some(alert),
        });
    }
    let show = review_link.filter(|_| rules::offer_review(feedback.review_mode, scored.category()));
    let row = ResponseRow {
        source,
        invitation,
        location,
        customer,
        transaction,
        nps: scored.nps,
        rating: scored.rating,
        score_base10: scored.score_base10,
        unhappy: scored.unhappy,
        sentiment: Sentiment::Unknown.as_str(),
        facets_json: crate::wire::to_json(&scored.facets),
        comment: scored.comment.clone(),
        answers_json: crate::wire::to_json(&input.answers),
        consent_to_reply: input.consent_to_reply,
        review_link_shown: complete && show.is_some(),
        completed: complete,
    };
    let (id, raised_before) = match partial {
        Some(id) => {
            let raised = c.get_response_alert(id)?;
            if c.complete_response(id, &row, ms(now))? {
                let data = ev::ResponseRef { response_id: id };
                super::events::emit(c, ev::RESPONSE_COMPLETED, now, &data)?;
                super::events::reply_consent(c, &row, now)?;
            }
            (id, raised)
        }
        None => {
            let id = c.insert_response(&row, ms(now))?;
            super::events::response_created(c, id, &row, now)?;
            super::events::reply_consent(c, &row, now)?;
            (id, None)
        }
    };
    if complete {
        match link {
            Link::Invitation(_) | Link::FollowUp { .. } => {
                c.mark_survey_link_used(hash, ms(now))?
            }
            Link::Receipt { .. } => c.mark_receipt_link_used(hash, ms(now))?,
        }
    }
    // The click raised the alert and told the subscribers (A1, A2); completing only adds
    // the comment to the conversation, unless it is what makes the customer unhappy.
    let alert = match (partial, raised_before) {
        (Some(_), Some(a)) => Some(a),
        (Some(_), None) if !scored.unhappy => None,
        _ => super::alerts::on_feedback(
            c,
            &super::alerts::FeedbackEvent {
                response: id,
                location,
                location_name: &location_name,
                customer,
                negative: scored.unhappy,
                kind: AlertKind::UnhappyCustomer,
                nps: scored.nps.map(u32::from),
                score_base10: scored.score_base10,
                thumbs_up: None,
                comment: scored.comment.as_deref(),
            },
            now,
        )?,
    };
    Ok(ResponseOutcome {
        response_id: id,
        nps_category: scored.category(),
        score_base10: scored.score_base10,
        unhappy: scored.unhappy,
        review_link: show,
        alert_id: alert,
    })
}

/// Mints a receipt link for a location (and optionally its transaction): its own token,
/// one anonymous response, expiring like survey links (F6).
pub fn mint_receipt_link(
    c: &mut dyn Tx,
    location: &str,
    transaction: Option<&str>,
    now: DateTime<Utc>,
) -> Result<ReceiptLink> {
    let loc = c.get_location(location)?.ok_or_else(|| Error::NotFound {
        what: "location",
        id: location.to_owned(),
    })?;
    let txn = match transaction {
        None => None,
        Some(t) => Some(c.transaction_rowid(t)?.ok_or_else(|| Error::NotFound {
            what: "transaction",
            id: t.to_owned(),
        })?),
    };
    let delivery = c.get_delivery_settings()?;
    let token = super::outbox::new_token(now)?;
    let expires = crate::rules::time::add(
        now,
        crate::rules::time::days(i64::from(delivery.survey_link_days)),
    );
    c.insert_receipt_link(&token.key(), loc.rowid, txn, ms(now), ms(expires))?;
    Ok(ReceiptLink {
        url: format!("{}/r/{}", delivery.link_base_url, token),
        expires_at: expires,
    })
}

/// Records e-receipt feedback (F1); refused when the location switched it off.
pub fn record_feedback(c: &mut dyn Tx, f: &FeedbackInput, now: DateTime<Utc>) -> Result<i64> {
    let loc = c
        .get_location(&f.location)?
        .ok_or_else(|| Error::NotFound {
            what: "location",
            id: f.location.clone(),
        })?;
    if !c.feedback_enabled(loc.rowid)? {
        return Err(Error::Conflict(
            "e-receipt feedback is turned off for this location".into(),
        ));
    }
    let mut problems = Vec::new();
    let mut bad =
        |field: &str, reason: &str| problems.push(Problem::top("feedback", field, reason));
    if f.sentiment == Sentiment::Unknown {
        bad("sentiment", "e-receipt feedback is positive or negative");
    }
    let list = rules::facets_for(loc.location.business_type.as_deref());
    if f.facets.iter().any(|x| !list.contains(&x.as_str())) {
        bad("facets", "not in the location's facet list");
    }
    if f.comment
        .as_ref()
        .is_some_and(|t| t.chars().count() > rules::MAX_COMMENT_CHARS)
    {
        bad("comment", "longer than 5000 characters");
    }
    let customer = match &f.customer {
        None => None,
        Some(id) => {
            let found = c.find_customer(id)?.map(|s| s.rowid);
            if found.is_none() {
                bad("customer", "unknown customer");
            }
            found
        }
    };
    let transaction = match &f.transaction {
        None => None,
        Some(id) => {
            let found = c.transaction_rowid(id)?;
            if found.is_none() {
                bad("transaction", "unknown transaction");
            }
            found
        }
    };
    if !problems.is_empty() {
        return Err(Error::Invalid(problems));
    }
    let row = ResponseRow {
        source: "ereceipt",
        invitation: None,
        location: loc.rowid,
        customer,
        transaction,
        nps: None,
        rating: None,
        score_base10: None,
        unhappy: f.sentiment == Sentiment::Negative,
        sentiment: f.sentiment.as_str(),
        facets_json: crate::wire::to_json(&f.facets),
        comment: f.comment.clone(),
        answers_json: "[]".into(),
        consent_to_reply: f.consent_to_reply,
        review_link_shown: false,
        completed: true,
    };
    let id = c.insert_response(&row, ms(now))?;
    super::events::response_created(c, id, &row, now)?;
    super::events::reply_consent(c, &row, now)?;
    super::alerts::on_feedback(
        c,
        &super::alerts::FeedbackEvent {
            response: id,
            location: loc.rowid,
            location_name: &loc.location.name,
            customer,
            negative: f.sentiment == Sentiment::Negative,
            kind: AlertKind::NegativeFeedback,
            nps: None,
            score_base10: None,
            thumbs_up: Some(f.sentiment == Sentiment::Positive),
            comment: f.comment.as_deref(),
        },
        now,
    )?;
    Ok(id)
}

/// Switches a location's e-receipt feedback on or off; old feedback stays (F1).
pub fn set_feedback_enabled(c: &mut dyn Tx, location: &str, enabled: bool) -> Result<()> {
    let loc = c.get_location(location)?.ok_or_else(|| Error::NotFound {
        what: "location",
        id: location.to_owned(),
    })?;
    c.set_feedback_enabled(loc.rowid, enabled)
}

/// Deletes a response as an admin action, leaving an audit record (F3).
pub fn delete_response(c: &mut dyn Tx, id: i64, admin: &str, now: DateTime<Utc>) -> Result<()> {
    if admin.trim().is_empty() || admin.len() > 256 {
        return Err(Error::invalid(Problem::top(
            "delete",
            "admin",
            "name the admin (1 to 256 bytes)",
        )));
    }
    if c.delete_response(id, admin, ms(now))? {
        super::events::emit(
            c,
            ev::RESPONSE_DELETED,
            now,
            &ev::ResponseRef { response_id: id },
        )
    } else {
        Err(Error::NotFound {
            what: "response",
            id: id.to_string(),
        })
    }
}

/// Records a review-link click or a confirmed review (N3, R1).
pub fn review_event(c: &mut dyn Tx, id: i64, confirmed: bool, now: DateTime<Utc>) -> Result<()> {
    if c.mark_review(id, confirmed, ms(now))? {
        Ok(())
    } else {
        Err(Error::NotFound {
            what: "response",
            id: id.to_string(),
        })
    }
}

/// NPS of a scope from its counts (N1).
pub fn nps(c: &mut dyn Tx, q: &ScoreQuery) -> Result<NpsSummary> {
    let counts = c.nps_counts(q)?;
    Ok(NpsSummary {
        promoters: counts.promoters,
        passives: counts.passives,
        detractors: counts.detractors,
        nps: counts.nps(),
    })
}

/// Star ratings of a scope with the response rate (N5).
pub fn ratings(c: &mut dyn Tx, q: &ScoreQuery) -> Result<RatingSummary> {
    let (responses, average_base10, delivered, answered) = c.rating_figures(q)?;
    Ok(RatingSummary {
        responses,
        average_base10,
        delivered,
        answered,
        response_rate: (delivered > 0).then(|| answered as f64 / delivered as f64),
    })
}
