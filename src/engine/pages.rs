//! The pages a link shows (M2): the survey (recording a score click first, M1), the thanks
//! after a posted form, an expired link, and the unsubscribe confirmation (E3).

use crate::store::Tx;
use chrono::{DateTime, Utc};

use crate::error::{Error, Result};
use crate::model::{Page, PageKind, ResponseInput};
use crate::pages;
use crate::rules::template;

use super::links::{self, Link, LinkState};

/// The page for a GET of survey or receipt link `raw`, with the score of a click in the
/// e-mail if the URL has one (`?score=9`): the first click records it (M1), later ones
/// record nothing and show the same page.
pub fn link_page(
    c: &mut dyn Tx,
    raw: &str,
    score: Option<u32>,
    language: Option<&str>,
    now: DateTime<Utc>,
) -> Result<Page> {
    let (_, link, _) = links::resolve(c, raw, now)?;
    if let Some(score) = score
        && !matches!(link, Link::Receipt { .. })
    {
        super::clicks::score_click(c, raw, score, now)?;
    }
    let (_, link, state) = links::resolve(c, raw, now)?;
    render(c, raw, &link, state, None, language)
}

/// Reads the posted form of link `raw`'s survey page, records the answers and returns the
/// thank-you page; a form posted again after the response shows the thanks again and
/// changes nothing.
pub fn submit_form(c: &mut dyn Tx, raw: &str, body: &str, now: DateTime<Utc>) -> Result<Page> {
    let (_, link, state) = links::resolve(c, raw, now)?;
    if !matches!(state, LinkState::Open { .. }) {
        return render(c, raw, &link, state, None, None);
    }
    let input = parse_form(c, body)?;
    let outcome = super::responses::record_response(c, raw, &input, now)?;
    let (_, link, state) = links::resolve(c, raw, now)?;
    let mut page = render(c, raw, &link, state, outcome.review_link.as_deref(), None)?;
    if page.response_id.is_none() && outcome.response_id != 0 {
        page.response_id = Some(outcome.response_id);
    }
    Ok(page)
}

/// The answers of a posted survey form (M2), checked against the store's survey.
pub fn parse_form(c: &mut dyn Tx, body: &str) -> Result<ResponseInput> {
    pages::parse_form(&super::responses::survey(c)?, body).map_err(Error::Invalid)
}

/// Applies unsubscribe link `raw` (E3) and returns its confirmation page, in the
/// customer's language.
pub fn unsubscribe_page(c: &mut dyn Tx, raw: &str, now: DateTime<Utc>) -> Result<Page> {
    let host_id = super::delivery::unsubscribe_by_token(c, raw, now)?;
    let customer_language = c.find_customer(&host_id)?.and_then(|s| s.row.language);
    let default = c.get_settings()?.default_language;
    let chain = template::language_chain(customer_language.as_deref(), &default);
    let language = pages::page_language(&chain);
    Ok(Page {
        kind: PageKind::Unsubscribed,
        http_status: 200,
        language: language.to_owned(),
        html: pages::unsubscribed_page(language),
        response_id: None,
        review_link: None,
    })
}

/// The page for a link in `state`; `review_link` is the one a response just offered.
fn render(
    c: &mut dyn Tx,
    raw: &str,
    link: &Link,
    state: LinkState,
    review_link: Option<&str>,
    language: Option<&str>,
) -> Result<Page> {
    let default = c.get_settings()?.default_language;
    let chain = template::language_chain(language.or(link.language()), &default);
    let page_language = pages::page_language(&chain);
    let info = c
        .location_info(link.location())?
        .ok_or_else(|| Error::Internal("link of a missing location".into()))?;
    let page = |kind, http_status, language: &str, html, response_id, review_link| Page {
        kind,
        http_status,
        language: language.to_owned(),
        html,
        response_id,
        review_link,
    };
    Ok(match state {
        LinkState::Open { clicked } => {
            let data = super::responses::page_data(c, link, clicked.map(|(_, s)| s), language)?;
            let base = c.get_delivery_settings()?.link_base_url;
            let path = if matches!(link, Link::Receipt { .. }) {
                "r"
            } else {
                "s"
            };
            let action = format!("{base}/{path}/{raw}");
            let html = pages::survey_page(&data, &action);
            let id = clicked.map(|(id, _)| id).filter(|id| *id != 0);
            page(PageKind::Survey, 200, &data.language, html, id, None)
        }
        LinkState::Answered {
            response,
            review_link_shown,
        } => {
            let shown = match review_link {
                Some(l) => Some(l.to_owned()),
                None => review_link_shown
                    .then(|| info.review_link.clone())
                    .flatten(),
            };
            let html = pages::thank_you_page(page_language, &info.name, shown.as_deref());
            page(
                PageKind::ThankYou,
                200,
                page_language,
                html,
                response,
                shown,
            )
        }
        LinkState::Expired { clicked } => {
            let id = clicked.map(|(id, _)| id).filter(|id| *id != 0);
            let html = pages::expired_page(page_language);
            page(PageKind::Expired, 410, page_language, html, id, None)
        }
    })
}
