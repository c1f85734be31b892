//! Survey, receipt and post-intervention links: where a token leads and what it can still
//! take (F6, M1).

use crate::store::Tx;
use chrono::{DateTime, Utc};

use crate::error::{Error, Problem, Result};
use crate::rules::time::ms;
use crate::rules::token;
use crate::store;

/// Where a link token leads.
pub(super) enum Link {
    /// An invitation's survey link (invitations, reminders).
    Invitation(store::SurveyLink),
    /// A receipt link: one anonymous response.
    Receipt {
        /// Location row id.
        location: i64,
        /// Transaction row id, if the receipt is known.
        transaction: Option<i64>,
    },
    /// A post-intervention survey (A4).
    FollowUp {
        /// The alert it follows up.
        alert: i64,
        /// Its location row id.
        location: i64,
        /// The customer's language.
        language: Option<String>,
    },
}

impl Link {
    /// The location row id.
    pub(super) fn location(&self) -> i64 {
        match self {
            Link::Invitation(l) => l.location,
            Link::Receipt { location, .. } | Link::FollowUp { location, .. } => *location,
        }
    }

    /// The invitation's language, if the link has one.
    pub(super) fn language(&self) -> Option<&str> {
        match self {
            Link::Invitation(l) => Some(&l.language),
            Link::FollowUp { language, .. } => language.as_deref(),
            Link::Receipt { .. } => None,
        }
    }
}

/// The partial response a click stored: (response id, 0 for a follow-up; the score).
pub(super) type Clicked = Option<(i64, u32)>;

/// What a link can still take.
#[derive(Debug, Clone, Copy)]
pub(super) enum LinkState {
    /// It takes its response, or completes the partial one a click stored: `clicked` is
    /// (response id, 0 for a follow-up; the score).
    Open {
        /// The partial response of an earlier click.
        clicked: Clicked,
    },
    /// Its response is complete (F3): nothing changes any more.
    Answered {
        /// The response (none for a receipt link or a follow-up).
        response: Option<i64>,
        /// The review link was offered with it (N3).
        review_link_shown: bool,
    },
    /// The link expired (F6); a partial response stays as the click left it.
    Expired {
        /// The partial response of an earlier click.
        clicked: Clicked,
    },
}

/// Resolves a survey or receipt link token and says what it can still take.
pub(super) fn resolve(
    c: &mut dyn Tx,
    raw: &str,
    now: DateTime<Utc>,
) -> Result<(token::TokenKey, Link, LinkState)> {
    let token = token::parse_token(raw).ok_or_else(|| {
        Error::invalid(Problem::top(
            "response",
            "token",
            "not a hearken link token (44 or 32 hex digits)",
        ))
    })?;
    resolve_key(c, token.key(), now)
}

/// Resolves a survey or receipt link by the key its token is stored under (D4 finds an
/// SMS invitation's link this way) and says what it can still take.
pub(super) fn resolve_key(
    c: &mut dyn Tx,
    hash: token::TokenKey,
    now: DateTime<Utc>,
) -> Result<(token::TokenKey, Link, LinkState)> {
    let answered = |response, review_link_shown| LinkState::Answered {
        response,
        review_link_shown,
    };
    let (link, expires, used, clicked) = if let Some(l) = c.survey_link(&hash)? {
        let (e, u) = (l.expires_at, l.used_at);
        let answer = c.invitation_answer(l.invitation)?;
        if let Some(a) = answer.filter(|a| a.completed) {
            return Ok((
                hash,
                Link::Invitation(l),
                answered(Some(a.id), a.review_link_shown),
            ));
        }
        let clicked = answer.and_then(|a| Some((a.id, u32::from(a.nps?))));
        (Link::Invitation(l), e, u, clicked)
    } else if let Some(r) = c.receipt_link(&hash)? {
        let link = Link::Receipt {
            location: r.location,
            transaction: r.transaction,
        };
        (link, Some(r.expires_at), r.used_at, None)
    } else if let Some(f) = c.follow_up_link(&hash)? {
        let link = Link::FollowUp {
            alert: f.alert,
            location: f.location,
            language: f.language.clone(),
        };
        if f.answered {
            return Ok((hash, link, answered(None, false)));
        }
        (
            link,
            f.expires_at,
            f.used_at,
            f.clicked_score.map(|s| (0, s)),
        )
    } else {
        return Err(Error::NotFound {
            what: "token",
            id: String::new(),
        });
    };
    let state = if used.is_some() {
        answered(None, false)
    } else if expires.is_some_and(|e| ms(now) >= e) {
        LinkState::Expired { clicked }
    } else {
        LinkState::Open { clicked }
    };
    Ok((hash, link, state))
}

/// Resolves a link that can still take (or complete) its one response (F6); an answered
/// or expired one is a conflict.
pub(super) fn open(
    c: &mut dyn Tx,
    raw: &str,
    now: DateTime<Utc>,
) -> Result<(token::TokenKey, Link, Clicked)> {
    let (hash, link, state) = resolve(c, raw, now)?;
    match state {
        LinkState::Open { clicked } => Ok((hash, link, clicked)),
        LinkState::Answered { .. } => Err(Error::Conflict(
            match link {
                Link::Invitation(_) => "this invitation was already answered",
                Link::FollowUp { .. } => "this post-intervention survey was already answered",
                Link::Receipt { .. } => "this link was already answered",
            }
            .into(),
        )),
        LinkState::Expired { .. } => Err(Error::Conflict("this link has expired".into())),
    }
}
