//! The responses use cases: the survey, answers by link, e-receipt feedback, reviews,
//! deletion with audit, scores and the one reminder per invitation.

use chrono::{DateTime, Utc};
use rusqlite::Connection;

use crate::error::{Error, Problem, Result};
use crate::model::{
    AlertKind, FeedbackInput, FeedbackSettings, NpsSummary, QuestionKind, QuestionView,
    RatingSummary, ReceiptLink, ResponseInput, ResponseOutcome, ScoreQuery, Sentiment, Survey,
    SurveyPage,
};
use crate::rules::time::ms;
use crate::rules::{survey as rules, template, token};
use crate::store::{self, ResponseRow};

/// The store's survey, or the shipped default.
pub fn survey(c: &Connection) -> Result<Survey> {
    Ok(store::get_survey(c)?.unwrap_or_else(rules::default_survey))
}

/// Validates and stores the store's survey.
pub fn set_survey(c: &Connection, s: &Survey) -> Result<()> {
    let problems = rules::validate_survey(s);
    if !problems.is_empty() {
        return Err(Error::Invalid(problems));
    }
    store::set_survey(c, s)
}

/// Validates and stores the feedback settings.
pub fn set_feedback_settings(c: &Connection, s: &FeedbackSettings) -> Result<()> {
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
    store::set_feedback_settings(c, s)
}

/// Where a link token leads.
enum Link {
    Invitation(store::SurveyLink),
    Receipt {
        location: i64,
        transaction: Option<i64>,
    },
    /// A post-intervention survey (A4).
    FollowUp {
        alert: i64,
        location: i64,
    },
}

/// Resolves a survey or receipt link token that can still take its one response (F6).
fn open_link(c: &Connection, raw: &str, now: DateTime<Utc>) -> Result<([u8; 32], Link)> {
    let bytes = token::parse_token(raw).ok_or_else(|| {
        Error::invalid(Problem::top(
            "response",
            "token",
            "not a hearken link token (32 hex digits)",
        ))
    })?;
    let hash = token::token_hash(&bytes);
    let (link, expires, used) = if let Some(l) = store::survey_link(c, &hash)? {
        let (e, u) = (l.expires_at, l.used_at);
        if store::invitation_answered(c, l.invitation)? {
            return Err(Error::Conflict(
                "this invitation was already answered".into(),
            ));
        }
        (Link::Invitation(l), e, u)
    } else if let Some(r) = store::receipt_link(c, &hash)? {
        (
            Link::Receipt {
                location: r.location,
                transaction: r.transaction,
            },
            Some(r.expires_at),
            r.used_at,
        )
    } else if let Some(f) = store::follow_up_link(c, &hash)? {
        if f.answered {
            return Err(Error::Conflict(
                "this post-intervention survey was already answered".into(),
            ));
        }
        (
            Link::FollowUp {
                alert: f.alert,
                location: f.location,
            },
            f.expires_at,
            f.used_at,
        )
    } else {
        return Err(Error::NotFound {
            what: "token",
            id: String::new(),
        });
    };
    if used.is_some() {
        return Err(Error::Conflict("this link was already answered".into()));
    }
    if expires.is_some_and(|e| ms(now) >= e) {
        return Err(Error::Conflict("this link has expired".into()));
    }
    Ok((hash, link))
}

/// What the host's survey page shows for a link, in the invitation's language (or `language`).
pub fn survey_page(
    c: &Connection,
    raw: &str,
    language: Option<&str>,
    now: DateTime<Utc>,
) -> Result<SurveyPage> {
    let (_, link) = open_link(c, raw, now)?;
    let settings = store::get_settings(c)?;
    let (location, invitation_language) = match &link {
        Link::Invitation(l) => (l.location, Some(l.language.as_str())),
        Link::Receipt { location, .. } | Link::FollowUp { location, .. } => (*location, None),
    };
    let store::LocationInfo {
        host_id,
        name,
        business_type,
        ..
    } = store::location_info(c, location)?
        .ok_or_else(|| Error::Internal("link of a missing location".into()))?;
    let chain =
        template::language_chain(language.or(invitation_language), &settings.default_language);
    let survey = survey(c)?;
    // The page is in the language its first question's wording was found in.
    let language = survey
        .questions
        .first()
        .and_then(|q| rules::localized_in(&q.text, &chain))
        .map_or_else(|| "en".to_owned(), |(l, _)| l.to_owned());
    let questions = survey
        .questions
        .iter()
        .map(|q| QuestionView {
            id: q.id.clone(),
            kind: q.kind,
            text: rules::localized(&q.text, &chain).replace("{location}", &name),
            scale: (q.kind == QuestionKind::Rating).then(|| q.scale.unwrap_or(5)),
            options: match q.kind {
                QuestionKind::Choice => q
                    .options
                    .iter()
                    .map(|o| (o.id.clone(), rules::localized(&o.text, &chain).to_owned()))
                    .collect(),
                QuestionKind::Facets => rules::facets_for(business_type.as_deref())
                    .iter()
                    .map(|f| ((*f).to_owned(), (*f).to_owned()))
                    .collect(),
                _ => Vec::new(),
            },
        })
        .collect();
    Ok(SurveyPage {
        location: host_id,
        location_name: name,
        language,
        questions,
    })
}

/// Records the one response a survey or receipt link takes (F6), scores it and says
/// whether to show the review link (N3).
pub fn record_response(
    c: &Connection,
    raw: &str,
    input: &ResponseInput,
    now: DateTime<Utc>,
) -> Result<ResponseOutcome> {
    let (hash, link) = open_link(c, raw, now)?;
    let (source, invitation, location, customer, transaction) = match &link {
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
    } = store::location_info(c, location)?
        .ok_or_else(|| Error::Internal("link of a missing location".into()))?;
    let feedback = store::get_feedback_settings(c)?;
    let scored = rules::score_response(
        &survey(c)?,
        input,
        rules::facets_for(business_type.as_deref()),
        feedback.unhappy_stars,
    )
    .map_err(Error::Invalid)?;
    if let Link::FollowUp { alert, .. } = link {
        // The answer measures the recovery: kept on the alert, not in the store's scores.
        super::conversations::record_follow_up(
            c,
            alert,
            scored.nps.map(u32::from),
            scored.score_base10,
            scored.comment.as_deref(),
            now,
        )?;
        store::mark_survey_link_used(c, &hash, ms(now))?;
        let original = store::get_alert(c, alert)?.and_then(|a| a.alert.response_id);
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
    let id = store::insert_response(
        c,
        &ResponseRow {
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
            review_link_shown: show.is_some(),
        },
        ms(now),
    )?;
    match link {
        Link::Invitation(_) | Link::FollowUp { .. } => {
            store::mark_survey_link_used(c, &hash, ms(now))?
        }
        Link::Receipt { .. } => store::mark_receipt_link_used(c, &hash, ms(now))?,
    }
    let alert = super::alerts::on_feedback(
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
    )?;
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
    c: &Connection,
    location: &str,
    transaction: Option<&str>,
    now: DateTime<Utc>,
) -> Result<ReceiptLink> {
    let loc = store::get_location(c, location)?.ok_or_else(|| Error::NotFound {
        what: "location",
        id: location.to_owned(),
    })?;
    let txn = match transaction {
        None => None,
        Some(t) => Some(
            store::transaction_rowid(c, t)?.ok_or_else(|| Error::NotFound {
                what: "transaction",
                id: t.to_owned(),
            })?,
        ),
    };
    let delivery = store::get_delivery_settings(c)?;
    let bytes = super::outbox::random_bytes::<16>()?;
    let expires = crate::rules::time::add(
        now,
        crate::rules::time::days(i64::from(delivery.survey_link_days)),
    );
    store::insert_receipt_link(
        c,
        &token::token_hash(&bytes),
        loc.rowid,
        txn,
        ms(now),
        ms(expires),
    )?;
    Ok(ReceiptLink {
        url: format!(
            "{}/r/{}",
            delivery.link_base_url,
            token::format_token(&bytes)
        ),
        expires_at: expires,
    })
}

/// Records e-receipt feedback (F1); refused when the location switched it off.
pub fn record_feedback(c: &Connection, f: &FeedbackInput, now: DateTime<Utc>) -> Result<i64> {
    let loc = store::get_location(c, &f.location)?.ok_or_else(|| Error::NotFound {
        what: "location",
        id: f.location.clone(),
    })?;
    if !store::feedback_enabled(c, loc.rowid)? {
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
            let found = store::find_customer(c, id)?.map(|s| s.rowid);
            if found.is_none() {
                bad("customer", "unknown customer");
            }
            found
        }
    };
    let transaction = match &f.transaction {
        None => None,
        Some(id) => {
            let found = store::transaction_rowid(c, id)?;
            if found.is_none() {
                bad("transaction", "unknown transaction");
            }
            found
        }
    };
    if !problems.is_empty() {
        return Err(Error::Invalid(problems));
    }
    let id = store::insert_response(
        c,
        &ResponseRow {
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
        },
        ms(now),
    )?;
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
pub fn set_feedback_enabled(c: &Connection, location: &str, enabled: bool) -> Result<()> {
    let loc = store::get_location(c, location)?.ok_or_else(|| Error::NotFound {
        what: "location",
        id: location.to_owned(),
    })?;
    store::set_feedback_enabled(c, loc.rowid, enabled)
}

/// Deletes a response as an admin action, leaving an audit record (F3).
pub fn delete_response(c: &Connection, id: i64, admin: &str, now: DateTime<Utc>) -> Result<()> {
    if admin.trim().is_empty() || admin.len() > 256 {
        return Err(Error::invalid(Problem::top(
            "delete",
            "admin",
            "name the admin (1 to 256 bytes)",
        )));
    }
    if store::delete_response(c, id, admin, ms(now))? {
        Ok(())
    } else {
        Err(Error::NotFound {
            what: "response",
            id: id.to_string(),
        })
    }
}

/// Records a review-link click or a confirmed review (N3, R1).
pub fn review_event(c: &Connection, id: i64, confirmed: bool, now: DateTime<Utc>) -> Result<()> {
    if store::mark_review(c, id, confirmed, ms(now))? {
        Ok(())
    } else {
        Err(Error::NotFound {
            what: "response",
            id: id.to_string(),
        })
    }
}

/// NPS of a scope from its counts (N1).
pub fn nps(c: &Connection, q: &ScoreQuery) -> Result<NpsSummary> {
    let counts = store::nps_counts(c, q)?;
    Ok(NpsSummary {
        promoters: counts.promoters,
        passives: counts.passives,
        detractors: counts.detractors,
        nps: counts.nps(),
    })
}

/// Star ratings of a scope with the response rate (N5).
pub fn ratings(c: &Connection, q: &ScoreQuery) -> Result<RatingSummary> {
    let (responses, average_base10, delivered, answered) = store::rating_figures(c, q)?;
    Ok(RatingSummary {
        responses,
        average_base10,
        delivered,
        answered,
        response_rate: (delivered > 0).then(|| answered as f64 / delivered as f64),
    })
}
