//! A click on a score in the e-mail (M1): the first records a partial response holding the
//! score, counted in NPS at once; later clicks record nothing.

use crate::store::Tx;
use chrono::{DateTime, Utc};

use crate::error::{Error, Problem, Result};
use crate::model::{Answer, QuestionKind, ResponseInput, ScoreClick};

use super::links::{self, Link, LinkState};

/// Records the score of a click on link `raw`, unless the link already has one (then the
/// first score stays) or is complete or expired (F3, F6).
pub fn score_click(
    c: &mut dyn Tx,
    raw: &str,
    score: u32,
    now: DateTime<Utc>,
) -> Result<ScoreClick> {
    if score > 10 {
        return Err(Error::invalid(Problem::top(
            "click",
            "score",
            "a score is 0 to 10",
        )));
    }
    let (hash, link, state) = links::resolve(c, raw, now)?;
    if let Link::Receipt { .. } = link {
        return Err(Error::Conflict(
            "a receipt link has no score links; its page asks the score".into(),
        ));
    }
    Ok(match state {
        LinkState::Answered { response, .. } => ScoreClick {
            response_id: response.unwrap_or(0),
            score: match &link {
                Link::Invitation(l) => store_score(c, l.invitation)?,
                _ => None,
            },
            recorded: false,
            completed: true,
        },
        LinkState::Expired { clicked }
        | LinkState::Open {
            clicked: clicked @ Some(_),
        } => ScoreClick {
            response_id: clicked.map_or(0, |(id, _)| id),
            score: clicked.map(|(_, s)| s),
            recorded: false,
            completed: matches!(state, LinkState::Expired { .. }),
        },
        LinkState::Open { clicked: None } => {
            let survey = super::responses::survey(c)?;
            let Some(nps) = survey
                .questions
                .iter()
                .find(|q| q.kind == QuestionKind::Nps)
            else {
                return Err(Error::Conflict(
                    "the store's survey has no NPS question for a score click".into(),
                ));
            };
            let input = ResponseInput {
                answers: vec![Answer {
                    question: nps.id.clone(),
                    score: Some(score),
                    ..Answer::default()
                }],
                consent_to_reply: false,
            };
            let outcome = super::responses::record(c, &hash, &link, &input, None, false, now)?;
            ScoreClick {
                response_id: match link {
                    Link::FollowUp { .. } => 0,
                    _ => outcome.response_id,
                },
                score: Some(score),
                recorded: true,
                completed: false,
            }
        }
    })
}

/// The NPS answer stored for an invitation.
fn store_score(c: &mut dyn Tx, invitation: i64) -> Result<Option<u32>> {
    Ok(c.invitation_answer(invitation)?
        .and_then(|a| a.nps.map(u32::from)))
}
