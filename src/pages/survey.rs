//! The survey page (M2): the F6 page data as a form the host posts back to the link.

use super::layout::document;
use super::texts::{PageTexts, texts};
use crate::model::{QuestionKind, QuestionView, SurveyPage};
use crate::rules::html::escape;
use crate::rules::template::fill_location;

/// The form field of a question's answer: `q.` and the question id.
pub(super) fn field_name(question: &str) -> String {
    format!("q.{question}")
}

/// The survey page for `page`, posting to `action` (the link itself). A score a click
/// recorded (M1) is shown, not asked again. No JavaScript; every control has a label.
pub fn survey_page(page: &SurveyPage, action: &str) -> String {
    let t = texts(&page.language);
    let title = fill_location(t.survey_title, &page.location_name, t.lang);
    let mut main = format!("<h1>{}</h1>\n", escape(&title));
    main.push_str(&format!(
        "<form method=\"post\" action=\"{}\" accept-charset=\"utf-8\">\n",
        escape(action)
    ));
    for (i, q) in page.questions.iter().enumerate() {
        main.push_str(&question(i, q, page.recorded_score, t));
    }
    main.push_str(&format!(
        "<div class=\"check\"><input type=\"checkbox\" id=\"consent\" name=\"consent\" \
         value=\"1\"><label for=\"consent\">{}</label></div>\n\
         <p></p>\n<button type=\"submit\">{}</button>\n</form>\n",
        escape(t.consent),
        escape(t.submit)
    ));
    document(t.lang, &title, &main)
}

fn question(i: usize, q: &QuestionView, recorded: Option<u32>, t: &PageTexts) -> String {
    let name = escape(&field_name(&q.id));
    let text = escape(&q.text);
    let optional = format!(" <span class=\"muted\">({})</span>", escape(t.optional));
    match q.kind {
        QuestionKind::Nps => match recorded {
            Some(score) => format!(
                "<p class=\"recorded\">{}</p>\n",
                escape(&t.recorded.replace("{score}", &score.to_string()))
            ),
            None => {
                let names = |n: u32| t.score_name.replace("{score}", &n.to_string());
                let scale = radios(i, &name, 0..=10, &names);
                format!(
                    "<fieldset>\n<legend>{text}</legend>\n<div class=\"scale\" style=\"--n:11\">\
                     {scale}</div>\n<div class=\"ends\" aria-hidden=\"true\"><span>{}</span>\
                     <span>{}</span></div>\n</fieldset>\n",
                    escape(t.scale_low),
                    escape(t.scale_high)
                )
            }
        },
        QuestionKind::Rating => {
            let n = q.scale.unwrap_or(5);
            let names = |s: u32| {
                t.stars_name
                    .replace("{stars}", &s.to_string())
                    .replace("{scale}", &n.to_string())
            };
            let scale = radios(i, &name, 1..=n, &names);
            format!(
                "<fieldset>\n<legend>{text}{optional}</legend>\n<div class=\"scale\" \
                 style=\"--n:{n}\">{scale}</div>\n</fieldset>\n"
            )
        }
        QuestionKind::Choice | QuestionKind::Facets => {
            let kind = if q.kind == QuestionKind::Choice {
                "radio"
            } else {
                "checkbox"
            };
            let mut out =
                format!("<fieldset class=\"choices\">\n<legend>{text}{optional}</legend>\n");
            for (j, (id, label)) in q.options.iter().enumerate() {
                out.push_str(&format!(
                    "<div><input type=\"{kind}\" id=\"q{i}-{j}\" name=\"{name}\" value=\"{}\">\
                     <label for=\"q{i}-{j}\">{}</label></div>\n",
                    escape(id),
                    escape(label)
                ));
            }
            out.push_str("</fieldset>\n");
            out
        }
        QuestionKind::Comment => format!(
            "<p><label class=\"label\" for=\"q{i}\">{text}{optional}</label>\
             <textarea id=\"q{i}\" name=\"{name}\" rows=\"5\" maxlength=\"5000\"></textarea></p>\n"
        ),
    }
}

/// Radio buttons for `values`, each labelled with its number; `names` gives each its
/// spoken name.
fn radios(
    i: usize,
    name: &str,
    values: std::ops::RangeInclusive<u32>,
    names: &dyn Fn(u32) -> String,
) -> String {
    values
        .map(|v| {
            format!(
                "<input type=\"radio\" id=\"q{i}-{v}\" name=\"{name}\" value=\"{v}\">\
                 <label for=\"q{i}-{v}\" title=\"{n}\"><span aria-hidden=\"true\">{v}</span>\
                 <span class=\"sr\">{n}</span></label>",
                n = escape(&names(v))
            )
        })
        .collect()
}
