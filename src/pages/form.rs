//! The posted survey form (`application/x-www-form-urlencoded`) read back into the answers
//! for `record_response` (M2). Errors name the field, never its value.

use std::collections::HashSet;

use crate::error::Problem;
use crate::model::{Answer, QuestionKind, ResponseInput, Survey};

/// The longest form body read, in bytes (a 5 000-character comment fits several times).
pub const MAX_FORM_BYTES: usize = 64 * 1024;

/// Reads a posted survey form: `q.<question id>` fields (several for facets), `consent=1`.
/// Fields starting with `_` are the host's own (a CSRF token) and are ignored. Scores,
/// choices and lengths are checked against the survey; an empty field is a skipped
/// question. Facets are checked against the location's list when the answer is recorded.
pub fn parse_form(survey: &Survey, body: &str) -> Result<ResponseInput, Vec<Problem>> {
    let mut problems = Vec::new();
    if body.len() > MAX_FORM_BYTES {
        return Err(vec![Problem::top(
            "form",
            "body",
            format!("longer than {MAX_FORM_BYTES} bytes"),
        )]);
    }
    let mut input = ResponseInput::default();
    let mut seen = HashSet::new();
    let mut consent_seen = false;
    for (key, value) in form_urlencoded::parse(body.as_bytes()) {
        if key.starts_with('_') {
            continue;
        }
        if key == "consent" {
            if consent_seen {
                problems.push(Problem::top("form", "consent", "given twice"));
            }
            consent_seen = true;
            match value.as_ref() {
                "1" | "on" | "yes" | "true" => input.consent_to_reply = true,
                "" | "0" | "off" | "no" | "false" => {}
                _ => problems.push(Problem::top("form", "consent", "not 1 or 0")),
            }
            continue;
        }
        let Some(id) = key.strip_prefix("q.") else {
            // The key is the poster's text: report where, not what (T6).
            problems.push(Problem::top("form", "form", "unknown field"));
            continue;
        };
        let Some(q) = survey.questions.iter().find(|q| q.id == id) else {
            problems.push(Problem::top("form", "q", "the survey has no such question"));
            continue;
        };
        let field = format!("q.{}", q.id);
        let mut bad = |reason: &str| problems.push(Problem::top("form", &field, reason));
        if q.kind != QuestionKind::Facets && !seen.insert(q.id.as_str()) {
            bad("given twice");
            continue;
        }
        let value = value.trim();
        if value.is_empty() && q.kind != QuestionKind::Comment {
            continue;
        }
        let answer = |a: Answer| Answer {
            question: q.id.clone(),
            ..a
        };
        match q.kind {
            QuestionKind::Nps | QuestionKind::Rating => {
                let max = if q.kind == QuestionKind::Nps {
                    10
                } else {
                    q.scale.unwrap_or(5)
                };
                let min = u32::from(q.kind == QuestionKind::Rating);
                match number(value).filter(|n| (min..=max).contains(n)) {
                    Some(n) => input.answers.push(answer(Answer {
                        score: Some(n),
                        ..Answer::default()
                    })),
                    None if q.kind == QuestionKind::Nps => bad("an NPS answer is 0 to 10"),
                    None => bad("a rating is 1 to the question's scale"),
                }
            }
            QuestionKind::Choice => {
                if q.options.iter().any(|o| o.id == value) {
                    input.answers.push(answer(Answer {
                        choice: Some(value.to_owned()),
                        ..Answer::default()
                    }));
                } else {
                    bad("not one of the question's options");
                }
            }
            QuestionKind::Comment => {
                if value.chars().count() > crate::rules::survey::MAX_COMMENT_CHARS {
                    bad("longer than 5000 characters");
                } else if !value.is_empty() {
                    input.answers.push(answer(Answer {
                        text: Some(value.to_owned()),
                        ..Answer::default()
                    }));
                }
            }
            QuestionKind::Facets => match input.answers.iter_mut().find(|a| a.question == q.id) {
                Some(a) if a.facets.iter().any(|f| f == value) => bad("given twice"),
                Some(a) => a.facets.push(value.to_owned()),
                None => input.answers.push(answer(Answer {
                    facets: vec![value.to_owned()],
                    ..Answer::default()
                })),
            },
        }
    }
    if problems.is_empty() {
        Ok(input)
    } else {
        Err(problems)
    }
}

/// A number of one or two ASCII digits: no sign, no spaces, no `+9` or `09.0`.
fn number(s: &str) -> Option<u32> {
    (!s.is_empty() && s.len() <= 2 && s.bytes().all(|b| b.is_ascii_digit()))
        .then(|| s.parse().ok())
        .flatten()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::survey::default_survey;

    #[test]
    fn m2_a_posted_form_becomes_the_answers() {
        let body = "q.recommend=9&q.comment=%eb%a7%a4%ec%9e%a5+l%27accueil&consent=1&_csrf=x";
        let input = parse_form(&default_survey(), body).unwrap();
        assert!(input.consent_to_reply);
        assert_eq!(input.answers[0].score, Some(9));
        assert_eq!(input.answers[1].text.as_deref(), Some("매장 l'accueil"));
    }

    #[test]
    fn m2_form_errors_name_the_field_never_the_value() {
        for (body, field) in [
            ("q.recommend=11", "q.recommend"),
            ("q.recommend=%2b9", "q.recommend"),
            ("q.recommend=9&q.recommend=8", "q.recommend"),
            ("q.secret%3cscript%3e=1", "q"),
            ("password=hunter2", "form"),
            ("consent=maybe-hunter2", "consent"),
        ] {
            let p = parse_form(&default_survey(), body).unwrap_err();
            assert_eq!(p[0].field, field, "{body}");
            let shown = format!("{p:?}");
            assert!(
                !shown.contains("hunter2") && !shown.contains("script"),
                "{shown}"
            );
        }
        let long = format!("q.comment={}", "a".repeat(MAX_FORM_BYTES));
        assert_eq!(
            parse_form(&default_survey(), &long).unwrap_err()[0].field,
            "body"
        );
    }

    #[test]
    fn m2_empty_fields_are_skipped_questions() {
        let input = parse_form(&default_survey(), "q.recommend=&q.comment=+++").unwrap();
        assert!(input.answers.is_empty());
    }
}
