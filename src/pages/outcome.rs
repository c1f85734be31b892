//! The pages after the survey: thanks (with the review link as N3 says), an expired link,
//! and the unsubscribe confirmation (E3).

use super::layout::document;
use super::texts::texts;
use crate::rules::html::escape;
use crate::rules::template::fill_location;

/// The thank-you page; `review_link` is shown when N3 offers it.
pub fn thank_you_page(language: &str, location_name: &str, review_link: Option<&str>) -> String {
    let t = texts(language);
    let mut main = format!(
        "<h1>{}</h1>\n<p>{}</p>\n",
        escape(t.thanks_title),
        escape(&fill_location(t.thanks_body, location_name, t.lang))
    );
    if let Some(link) = review_link {
        main.push_str(&format!(
            "<p>{}</p>\n<p><a class=\"button\" href=\"{}\" rel=\"noopener\">{}</a></p>\n",
            escape(&fill_location(t.review_offer, location_name, t.lang)),
            escape(link),
            escape(t.review_button)
        ));
    }
    document(t.lang, t.thanks_title, &main)
}

/// The page of a link that expired before its response was complete (F6).
pub fn expired_page(language: &str) -> String {
    let t = texts(language);
    notice(t.lang, t.expired_title, t.expired_body)
}

/// The unsubscribe confirmation: no more surveys from any location (E3).
pub fn unsubscribed_page(language: &str) -> String {
    let t = texts(language);
    notice(t.lang, t.unsubscribed_title, t.unsubscribed_body)
}

/// A page that says one thing: a heading and a paragraph.
fn notice(lang: &str, title: &str, body: &str) -> String {
    let main = format!("<h1>{}</h1>\n<p>{}</p>\n", escape(title), escape(body));
    document(lang, title, &main)
}
