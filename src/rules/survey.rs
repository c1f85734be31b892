//! Surveys and answers: the default survey, validation, facets (F1), scoring a response
//! (N1, N4, N6) and the review redirect (N3).

use std::collections::{BTreeMap, HashSet};

use crate::error::Problem;
use crate::model::{
    Answer, ChoiceOption, Question, QuestionKind, QuestionView, ResponseInput, ReviewMode, Survey,
    SurveyPage,
};
use crate::rules::score::{self, NpsCategory};
use crate::rules::template::fill_location;

/// Longest comment kept, in characters.
pub const MAX_COMMENT_CHARS: usize = 5000;

fn texts(pairs: &[(&str, &str)]) -> BTreeMap<String, String> {
    pairs
        .iter()
        .map(|(l, t)| ((*l).to_owned(), (*t).to_owned()))
        .collect()
}

/// The survey that ships: the default NPS question and a comment.
pub fn default_survey() -> Survey {
    Survey {
        questions: vec![
            Question {
                id: "recommend".into(),
                kind: QuestionKind::Nps,
                text: texts(&[
                    ("en", "How likely are you to recommend {location}?"),
                    (
                        "fr",
                        "Quelle est la probabilité que vous recommandiez {location} ?",
                    ),
                    ("ko", "{location}을(를) 추천할 가능성은 얼마나 되십니까?"),
                ]),
                scale: None,
                options: vec![],
            },
            Question {
                id: "comment".into(),
                kind: QuestionKind::Comment,
                text: texts(&[
                    ("en", "Anything you would like to tell us?"),
                    ("fr", "Souhaitez-vous nous dire quelque chose ?"),
                    ("ko", "하고 싶은 말씀이 있으신가요?"),
                ]),
                scale: None,
                options: vec![],
            },
        ],
    }
}

/// The facets a location of this business type offers (F1).
pub fn facets_for(business_type: Option<&str>) -> &'static [&'static str] {
    match business_type {
        Some("bike_shop") | Some("repair") => &[
            "service",
            "repair_quality",
            "staff",
            "price",
            "wait_time",
            "cleanliness",
        ],
        Some("restaurant") => &[
            "food",
            "service",
            "atmosphere",
            "price",
            "wait_time",
            "cleanliness",
        ],
        _ => &[
            "staff",
            "product",
            "price",
            "store",
            "wait_time",
            "checkout",
        ],
    }
}

/// The wording for the first language of `chain` that has one (else any).
pub fn localized<'a>(text: &'a BTreeMap<String, String>, chain: &[String]) -> &'a str {
    localized_in(text, chain).map_or("", |(_, t)| t)
}

/// [`localized`], with the language the wording is in.
pub fn localized_in<'a>(
    text: &'a BTreeMap<String, String>,
    chain: &[String],
) -> Option<(&'a str, &'a str)> {
    chain
        .iter()
        .find_map(|l| text.get_key_value(l))
        .or_else(|| text.iter().next())
        .map(|(l, t)| (l.as_str(), t.as_str()))
}

/// What a survey page shows (F6): each question in the first language of `chain` that
/// has it, with `{location}` filled in as that language writes it (M3); the page's language
/// is the one its first question was found in.
pub fn page_view(
    survey: &Survey,
    location: &str,
    location_name: &str,
    business_type: Option<&str>,
    chain: &[String],
    recorded_score: Option<u32>,
) -> SurveyPage {
    let language = survey
        .questions
        .first()
        .and_then(|q| localized_in(&q.text, chain))
        .map_or_else(|| "en".to_owned(), |(l, _)| l.to_owned());
    let questions = survey
        .questions
        .iter()
        .map(|q| QuestionView {
            id: q.id.clone(),
            kind: q.kind,
            text: fill_location(localized(&q.text, chain), location_name, &language),
            scale: (q.kind == QuestionKind::Rating).then(|| q.scale.unwrap_or(5)),
            options: match q.kind {
                QuestionKind::Choice => q
                    .options
                    .iter()
                    .map(|o| (o.id.clone(), localized(&o.text, chain).to_owned()))
                    .collect(),
                QuestionKind::Facets => facets_for(business_type)
                    .iter()
                    .map(|f| ((*f).to_owned(), (*f).to_owned()))
                    .collect(),
                _ => Vec::new(),
            },
        })
        .collect();
    SurveyPage {
        location: location.to_owned(),
        location_name: location_name.to_owned(),
        language,
        questions,
        recorded_score,
    }
}

/// Checks a survey definition: ids, scales, options, at most one NPS and one rating.
pub fn validate_survey(s: &Survey) -> Vec<Problem> {
    let mut out = Vec::new();
    if s.questions.is_empty() {
        out.push(Problem::top(
            "survey",
            "questions",
            "must have at least one question",
        ));
    }
    let mut ids = HashSet::new();
    let (mut nps, mut ratings) = (0, 0);
    for (i, q) in s.questions.iter().enumerate() {
        let mut bad = |field: &str, reason: &str| {
            out.push(Problem::at("questions", i, &q.id, field, reason));
        };
        if q.id.is_empty() || q.id.len() > 64 {
            bad("id", "must be 1 to 64 bytes");
        } else if !ids.insert(q.id.as_str()) {
            bad("id", "duplicate question id");
        }
        if q.text.is_empty() {
            bad("text", "needs wording in at least one language");
        }
        match q.kind {
            QuestionKind::Nps => nps += 1,
            QuestionKind::Rating => {
                ratings += 1;
                if !(2..=10).contains(&q.scale.unwrap_or(5)) {
                    bad("scale", "must be between 2 and 10 stars");
                }
            }
            QuestionKind::Choice => {
                let mut seen = HashSet::new();
                if q.options.len() < 2 {
                    bad("options", "a choice needs at least two options");
                }
                if q.options
                    .iter()
                    .any(|o: &ChoiceOption| o.id.is_empty() || !seen.insert(&o.id))
                {
                    bad("options", "option ids must be non-empty and distinct");
                }
            }
            _ => {}
        }
        if q.kind != QuestionKind::Choice && !q.options.is_empty() {
            bad("options", "only choice questions have options");
        }
    }
    if nps > 1 {
        out.push(Problem::top(
            "survey",
            "questions",
            "at most one NPS question",
        ));
    }
    if ratings > 1 {
        out.push(Problem::top(
            "survey",
            "questions",
            "at most one rating question",
        ));
    }
    out
}

/// What a response says, once checked against the survey.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Scored {
    /// The NPS answer.
    pub nps: Option<u8>,
    /// Stars given and the scale.
    pub rating: Option<(u32, u32)>,
    /// The main score on base 10 (N6): NPS, else the rating.
    pub score_base10: Option<f64>,
    /// An unhappy customer (N4).
    pub unhappy: bool,
    /// Facets chosen.
    pub facets: Vec<String>,
    /// The comment.
    pub comment: Option<String>,
}

impl Scored {
    /// The NPS category of the answer, if any.
    pub fn category(&self) -> Option<NpsCategory> {
        self.nps.and_then(score::nps_category)
    }
}

/// Checks answers against the survey and scores them; every bad answer is named.
pub fn score_response(
    survey: &Survey,
    input: &ResponseInput,
    facet_list: &[&str],
    unhappy_stars: u32,
) -> Result<Scored, Vec<Problem>> {
    let mut problems = Vec::new();
    let mut scored = Scored::default();
    let mut filter = Vec::new();
    let mut answered = HashSet::new();
    for (i, a) in input.answers.iter().enumerate() {
        let mut bad = |field: &str, reason: &str| {
            problems.push(Problem::at("answers", i, &a.question, field, reason));
        };
        let Some(q) = survey.questions.iter().find(|q| q.id == a.question) else {
            bad("question", "the survey has no such question");
            continue;
        };
        if !answered.insert(a.question.as_str()) {
            bad("question", "answered twice");
            continue;
        }
        let Answer {
            score: value,
            choice,
            text,
            facets,
            ..
        } = a;
        let expects = match q.kind {
            QuestionKind::Nps | QuestionKind::Rating => "score",
            QuestionKind::Choice => "choice",
            QuestionKind::Comment => "text",
            QuestionKind::Facets => "facets",
        };
        let given = [
            ("score", value.is_some()),
            ("choice", choice.is_some()),
            ("text", text.is_some()),
            ("facets", !facets.is_empty()),
        ];
        if given.iter().any(|(f, set)| *set && *f != expects) {
            bad(expects, "answer of the wrong kind for this question");
            continue;
        }
        match q.kind {
            QuestionKind::Nps => match value
                .and_then(|v| u8::try_from(v).ok())
                .filter(|v| *v <= 10)
            {
                Some(v) => {
                    scored.nps = Some(v);
                    filter.push(score::Answer::Nps(v));
                }
                None => bad("score", "an NPS answer is 0 to 10"),
            },
            QuestionKind::Rating => {
                let scale = q.scale.unwrap_or(5);
                match value.filter(|v| (1..=scale).contains(v)) {
                    Some(v) => {
                        scored.rating = Some((v, scale));
                        filter.push(score::Answer::Rating {
                            stars: v,
                            scale,
                            unhappy_at: unhappy_stars,
                        });
                    }
                    None => bad("score", "a rating is 1 to the question's scale"),
                }
            }
            QuestionKind::Choice => {
                match choice
                    .as_ref()
                    .and_then(|c| q.options.iter().find(|o| &o.id == c))
                {
                    Some(o) => filter.push(score::Answer::Choice {
                        satisfied: o.satisfied,
                    }),
                    None => bad("choice", "not one of the question's options"),
                }
            }
            QuestionKind::Comment => match text {
                Some(t) if t.chars().count() > MAX_COMMENT_CHARS => {
                    bad("text", "longer than 5000 characters")
                }
                Some(t) if !t.trim().is_empty() => scored.comment = Some(t.clone()),
                _ => {}
            },
            QuestionKind::Facets => {
                if facets.iter().any(|f| !facet_list.contains(&f.as_str())) {
                    bad("facets", "not in the location's facet list");
                } else {
                    scored.facets = facets.clone();
                }
            }
        }
    }
    if !problems.is_empty() {
        return Err(problems);
    }
    scored.unhappy = score::is_unhappy(&filter);
    scored.score_base10 = match (scored.nps, scored.rating) {
        (Some(n), _) => score::to_base10(u32::from(n), 10),
        (None, Some((s, scale))) => score::to_base10(s, scale),
        (None, None) => None,
    };
    Ok(scored)
}

/// Whether to show the review link after this response (N3): promoters (9 and 10, a fixed
/// threshold) in the default mode, every respondent in the "everyone" mode.
pub fn offer_review(mode: ReviewMode, category: Option<NpsCategory>) -> bool {
    match mode {
        ReviewMode::Everyone => true,
        ReviewMode::Promoters => category == Some(NpsCategory::Promoter),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn answer(q: &str, score: Option<u32>) -> Answer {
        Answer {
            question: q.into(),
            score,
            ..Answer::default()
        }
    }

    #[test]
    fn the_default_survey_is_valid_and_asks_the_default_question() {
        let s = default_survey();
        assert!(validate_survey(&s).is_empty());
        assert_eq!(
            localized(&s.questions[0].text, &["fr-ca".into(), "fr".into()]),
            "Quelle est la probabilité que vous recommandiez {location} ?"
        );
    }

    #[test]
    fn n3_review_link_for_promoters_9_and_10_or_everyone() {
        assert!(offer_review(
            ReviewMode::Promoters,
            Some(NpsCategory::Promoter)
        ));
        assert!(!offer_review(
            ReviewMode::Promoters,
            Some(NpsCategory::Passive)
        ));
        assert!(!offer_review(ReviewMode::Promoters, None));
        assert!(offer_review(
            ReviewMode::Everyone,
            Some(NpsCategory::Detractor)
        ));
        let s = default_survey();
        let nine = score_response(
            &s,
            &ResponseInput {
                answers: vec![answer("recommend", Some(9))],
                ..Default::default()
            },
            &[],
            2,
        )
        .unwrap();
        assert_eq!(nine.category(), Some(NpsCategory::Promoter));
    }

    #[test]
    fn n6_n4_scores_and_filter_from_a_rating_and_a_choice() {
        let mut s = default_survey();
        s.questions.push(Question {
            id: "stars".into(),
            kind: QuestionKind::Rating,
            text: texts(&[("en", "Rate {location}")]),
            scale: None,
            options: vec![],
        });
        s.questions.push(Question {
            id: "speed".into(),
            kind: QuestionKind::Choice,
            text: texts(&[("en", "Was it fast?")]),
            scale: None,
            options: vec![
                ChoiceOption {
                    id: "yes".into(),
                    text: texts(&[("en", "Yes")]),
                    satisfied: true,
                },
                ChoiceOption {
                    id: "no".into(),
                    text: texts(&[("en", "No")]),
                    satisfied: false,
                },
            ],
        });
        let input = |stars, choice: &str| ResponseInput {
            answers: vec![
                answer("stars", Some(stars)),
                Answer {
                    question: "speed".into(),
                    choice: Some(choice.into()),
                    ..Answer::default()
                },
            ],
            ..Default::default()
        };
        let r = score_response(&s, &input(4, "yes"), &[], 2).unwrap();
        assert_eq!(r.score_base10, Some(8.0));
        assert!(!r.unhappy);
        assert!(
            score_response(&s, &input(2, "yes"), &[], 2)
                .unwrap()
                .unhappy
        );
        assert!(score_response(&s, &input(5, "no"), &[], 2).unwrap().unhappy);
    }

    #[test]
    fn bad_answers_are_named() {
        let s = default_survey();
        let input = ResponseInput {
            answers: vec![
                answer("recommend", Some(11)),
                answer("nope", Some(1)),
                Answer {
                    question: "comment".into(),
                    score: Some(3),
                    ..Answer::default()
                },
            ],
            ..Default::default()
        };
        let p = score_response(&s, &input, &[], 2).unwrap_err();
        let fields: Vec<_> = p.iter().map(|p| (p.index, p.field.as_str())).collect();
        assert_eq!(
            fields,
            vec![(Some(0), "score"), (Some(1), "question"), (Some(2), "text")]
        );
    }
}
