//! What the customer sees (M1, M2): score clicks in the e-mail, the survey, thank-you,
//! expired and unsubscribe pages as complete HTML documents, and the posted survey form
//! read into answers. hearken never opens a socket: the host's web server serves them.
//!
//! A host routes `GET {link_base_url}/s/{token}` (with `?score=N` from an e-mail) to
//! `hk_engine_survey_link_page`, `POST` of the same URL to `hk_engine_submit_survey_form`,
//! and `GET {link_base_url}/u/{token}` to `hk_engine_unsubscribe_page`, and serves each
//! page with the HTTP status written to `*http_status_out`, as `text/html; charset=utf-8`.

use std::ffi::c_char;

use super::boundary::{Out, now, optional_text, text};
use super::engine::{engine_call, hk_engine};
use super::result::{Failure, hk_result};
use crate::model::{Page, PageKind};
use crate::wire;

/// The survey form, to post back to the same link.
pub const HK_PAGE_KIND_SURVEY: u32 = 1;
/// The thanks after the response (with the review link when N3 offers it).
pub const HK_PAGE_KIND_THANK_YOU: u32 = 2;
/// The link expired before its response was complete (served with HTTP 410).
pub const HK_PAGE_KIND_EXPIRED: u32 = 3;
/// The unsubscribe is confirmed.
pub const HK_PAGE_KIND_UNSUBSCRIBED: u32 = 4;
/// No score in the URL: pass it to `hk_engine_survey_link_page`'s `score`.
pub const HK_NO_SCORE: i32 = -1;

fn kind_code(kind: PageKind) -> u32 {
    match kind {
        PageKind::Survey => HK_PAGE_KIND_SURVEY,
        PageKind::ThankYou => HK_PAGE_KIND_THANK_YOU,
        PageKind::Expired => HK_PAGE_KIND_EXPIRED,
        PageKind::Unsubscribed => HK_PAGE_KIND_UNSUBSCRIBED,
        #[allow(unreachable_patterns)]
        _ => 0,
    }
}

/// The outputs of a page call: the HTML (required), its kind and HTTP status (optional).
struct PageOut {
    html: Out<*mut c_char>,
    kind: Option<Out<u32>>,
    status: Option<Out<u32>>,
}

impl PageOut {
    fn new(html: *mut *mut c_char, kind: *mut u32, status: *mut u32) -> Result<Self, Failure> {
        Ok(PageOut {
            html: Out::new(html, "html_out")?,
            kind: Out::new(kind, "page_kind_out").ok(),
            status: Out::new(status, "http_status_out").ok(),
        })
    }

    fn set(self, page: Page) {
        if let Some(k) = self.kind {
            k.set(kind_code(page.kind));
        }
        if let Some(s) = self.status {
            s.set(u32::from(page.http_status));
        }
        self.html.set_string(page.html);
    }
}

/// Records the click on score `score` (0-10) of survey link `token` in an e-mail (M1) and
/// writes `{"response_id","score","recorded","completed"}` to `*click_json_out`: the first
/// click stores a partial response holding the score, counted in NPS at once; a later click
/// records nothing (`recorded` false) and reports the first score. A score above 10 is
/// `HK_RESULT_INVALID_INPUT`; an unknown token `HK_RESULT_NOT_FOUND`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn hk_engine_record_score_click(
    engine: *mut hk_engine,
    token: *const c_char,
    score: u32,
    now_ms: i64,
    click_json_out: *mut *mut c_char,
) -> hk_result {
    let body = |engine: &crate::Engine| {
        // SAFETY: NULL or NUL-terminated (contract above).
        let token = unsafe { text(token, "token") }?;
        let now = now(now_ms)?;
        let out = Out::new(click_json_out, "click_json_out")?;
        out.set_string(wire::to_json(
            &engine.record_score_click(token, score, now)?,
        ));
        Ok(())
    };
    // SAFETY: forwarded contract.
    unsafe { engine_call(engine, body) }
}

/// Writes the page for a GET of survey or receipt link `token` to `*html_out` (free with
/// `hk_string_free`), after recording the click's `score` (0-10, or `HK_NO_SCORE`) as
/// `hk_engine_record_score_click` does: the survey form, the thanks once answered, or the
/// expired page. `language` is a BCP 47 tag or NULL for the invitation's.
/// `page_kind_out` (an `HK_PAGE_KIND_*`) and `http_status_out` may be NULL.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn hk_engine_survey_link_page(
    engine: *mut hk_engine,
    token: *const c_char,
    score: i32,
    language: *const c_char,
    now_ms: i64,
    html_out: *mut *mut c_char,
    page_kind_out: *mut u32,
    http_status_out: *mut u32,
) -> hk_result {
    let body = |engine: &crate::Engine| {
        // SAFETY: NULL or NUL-terminated (contract above).
        let token = unsafe { text(token, "token") }?;
        // SAFETY: as above.
        let language = unsafe { optional_text(language, "language") }?;
        let score = match score {
            HK_NO_SCORE => None,
            s => Some(u32::try_from(s).map_err(|_| Failure::Range("score", "0 to 10, or -1"))?),
        };
        let now = now(now_ms)?;
        let out = PageOut::new(html_out, page_kind_out, http_status_out)?;
        out.set(engine.survey_link_page(token, score, language, now)?);
        Ok(())
    };
    // SAFETY: forwarded contract.
    unsafe { engine_call(engine, body) }
}

/// Records the survey form posted to link `token` (`form_body`: the raw
/// `application/x-www-form-urlencoded` request body) and writes the thank-you page to
/// `*html_out` (free with `hk_string_free`); posted again, it shows the thanks and changes
/// nothing. A bad field is `HK_RESULT_INVALID_INPUT` naming the field, never its value.
/// `page_kind_out` and `http_status_out` may be NULL.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn hk_engine_submit_survey_form(
    engine: *mut hk_engine,
    token: *const c_char,
    form_body: *const c_char,
    now_ms: i64,
    html_out: *mut *mut c_char,
    page_kind_out: *mut u32,
    http_status_out: *mut u32,
) -> hk_result {
    let body = |engine: &crate::Engine| {
        // SAFETY: NULL or NUL-terminated (contract above).
        let token = unsafe { text(token, "token") }?;
        // SAFETY: as above.
        let form = unsafe { text(form_body, "form_body") }?;
        let now = now(now_ms)?;
        let out = PageOut::new(html_out, page_kind_out, http_status_out)?;
        out.set(engine.submit_survey_form(token, form, now)?);
        Ok(())
    };
    // SAFETY: forwarded contract.
    unsafe { engine_call(engine, body) }
}

/// Turns a posted survey form body into the answers JSON `hk_engine_record_response` takes,
/// written to `*answers_json_out` (free with `hk_string_free`).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn hk_engine_survey_form_answers(
    engine: *const hk_engine,
    form_body: *const c_char,
    answers_json_out: *mut *mut c_char,
) -> hk_result {
    let body = |engine: &crate::Engine| {
        // SAFETY: NULL or NUL-terminated (contract above).
        let form = unsafe { text(form_body, "form_body") }?;
        let out = Out::new(answers_json_out, "answers_json_out")?;
        out.set_string(wire::to_json(&engine.survey_form_answers(form)?));
        Ok(())
    };
    // SAFETY: forwarded contract.
    unsafe { engine_call(engine, body) }
}

/// Applies unsubscribe link `token` (E3: every location) and writes its confirmation page,
/// in the customer's language, to `*html_out` (free with `hk_string_free`).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn hk_engine_unsubscribe_page(
    engine: *mut hk_engine,
    token: *const c_char,
    now_ms: i64,
    html_out: *mut *mut c_char,
) -> hk_result {
    let body = |engine: &crate::Engine| {
        // SAFETY: NULL or NUL-terminated (contract above).
        let token = unsafe { text(token, "token") }?;
        let now = now(now_ms)?;
        let out = Out::new(html_out, "html_out")?;
        out.set_string(engine.unsubscribe_page(token, now)?.html);
        Ok(())
    };
    // SAFETY: forwarded contract.
    unsafe { engine_call(engine, body) }
}
