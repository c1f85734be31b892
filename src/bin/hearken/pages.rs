//! `pages render`: what a location's customers see (M1, M2), written to a folder as HTML
//! files, every page in every language, for an operator to look at or a designer to
//! check. Sample links, no tokens: nothing is recorded.

use std::path::Path;

use hearken::rules::survey::page_view;
use hearken::rules::template::{self, Values};
use hearken::{Channel, Engine, MessageKind, pages};

use crate::commands::{Out, count};
use crate::failure::Failure;

/// The languages hearken writes its pages in.
const LANGUAGES: [&str; 3] = ["en", "fr", "ko"];

/// The e-mails previewed, by file name.
const EMAILS: [(&str, MessageKind); 4] = [
    ("email-invitation", MessageKind::SurveyInvitation),
    ("email-reminder", MessageKind::SurveyReminder),
    ("email-review-reminder", MessageKind::ReviewReminder),
    ("email-follow-up", MessageKind::FollowUpSurvey),
];

/// `pages render --location ID --out DIR`.
pub fn render(e: &Engine, out: &Out, location: &str, dir: &Path) -> Result<(), Failure> {
    let loc = e.location(location)?;
    let survey = e.survey()?;
    let base = e.delivery_settings()?.link_base_url;
    let survey_link = format!("{base}/s/{}", "0".repeat(32));
    let unsubscribe_link = format!("{base}/u/{}", "0".repeat(32));
    let review = loc
        .review_link
        .clone()
        .unwrap_or_else(|| format!("{base}/review"));
    let mut files: Vec<(String, String)> = Vec::new();
    for lang in LANGUAGES {
        let chain = vec![lang.to_owned()];
        for (name, kind) in EMAILS {
            let t = e.template(kind, Channel::Email, lang)?;
            let Some(html) = t.html else { continue };
            let scale = pages::score_scale(&survey_link, lang);
            let first = match lang {
                "ko" => "김민준",
                "fr" => "Amélie",
                _ => "Amy",
            };
            let values = Values {
                first_name: first,
                location: &loc.name,
                survey_link: &survey_link,
                unsubscribe_link: &unsubscribe_link,
                review_link: &review,
                score_scale: &scale,
            };
            files.push((
                format!("{lang}/{name}.html"),
                template::render_html(&html, &values, lang),
            ));
        }
        let view = |recorded| {
            page_view(
                &survey,
                &loc.id,
                &loc.name,
                loc.business_type.as_deref(),
                &chain,
                recorded,
            )
        };
        files.push((
            format!("{lang}/survey.html"),
            pages::survey_page(&view(None), &survey_link),
        ));
        files.push((
            format!("{lang}/survey-after-click.html"),
            pages::survey_page(&view(Some(9)), &survey_link),
        ));
        files.push((
            format!("{lang}/thank-you.html"),
            pages::thank_you_page(lang, &loc.name, None),
        ));
        files.push((
            format!("{lang}/thank-you-review.html"),
            pages::thank_you_page(lang, &loc.name, Some(&review)),
        ));
        files.push((format!("{lang}/expired.html"), pages::expired_page(lang)));
        files.push((
            format!("{lang}/unsubscribed.html"),
            pages::unsubscribed_page(lang),
        ));
    }
    let mut index = String::from(
        "<!doctype html>\n<html lang=\"en\">\n<head><meta charset=\"utf-8\"><title>hearken pages</title></head>\n<body><main><h1>What the customers see</h1><ul>\n",
    );
    for (name, _) in &files {
        index.push_str(&format!("<li><a href=\"{name}\">{name}</a></li>\n"));
    }
    index.push_str("</ul></main></body>\n</html>\n");
    files.push(("index.html".to_owned(), index));
    for lang in LANGUAGES {
        let sub = dir.join(lang);
        std::fs::create_dir_all(&sub).map_err(|err| Failure::Output(sub.clone(), err, None))?;
    }
    let mut written = Vec::new();
    for (name, html) in &files {
        let path = dir.join(name);
        crate::drain::write_new(e, &path, html, Some(files.len() - written.len()))?;
        written.push(path.display().to_string());
    }
    let index = dir.join("index.html").display().to_string();
    let doc = serde_json::json!({ "location": loc.id, "files": written, "index": index });
    out.show(&doc, || {
        format!(
            "wrote {} for {} into {}\nopen {index}\n",
            count(written.len() as u64, "page", "pages"),
            loc.id,
            dir.display()
        )
    });
    Ok(())
}
