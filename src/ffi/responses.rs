//! Responses and scores: the survey, answers by link, receipt links, e-receipt feedback,
//! reviews, deletion with its audit record, NPS and ratings. JSON in, JSON out; ids, flags
//! and times as scalars.
//!
//! The host's web service serves the survey page: for `{link_base_url}/s/{token}` (a survey
//! link) or `{link_base_url}/r/{token}` (a receipt link) it shows `hk_engine_survey_page`,
//! records the answers with `hk_engine_record_response`, and shows the review link the
//! outcome names, if any.

use std::ffi::c_char;

use super::boundary::{Out, flag, now, optional_text, text};
use super::engine::{engine_call, hk_engine};
use super::result::hk_result;
use crate::model::ScoreQuery;
use crate::wire;

/// Writes the store's survey as JSON to `*survey_json_out`: `{"questions":[...]}`, each
/// question `{"id","kind","text","scale","options"}`. Until one is set, the shipped default
/// (an NPS question `recommend` and a comment `comment`, in English, French and Korean).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn hk_engine_get_survey(
    engine: *const hk_engine,
    survey_json_out: *mut *mut c_char,
) -> hk_result {
    let body = |engine: &crate::Engine| {
        let out = Out::new(survey_json_out, "survey_json_out")?;
        out.set_string(wire::to_json(&engine.survey()?));
        Ok(())
    };
    // SAFETY: forwarded contract.
    unsafe { engine_call(engine, body) }
}

/// Validates and replaces the store's survey, given as JSON (the shape
/// `hk_engine_get_survey` writes). Question kinds: `nps` (0-10), `rating` (1 to `scale`
/// stars, default 5), `choice` (`options`, each `{"id","text","satisfied"}`), `comment`,
/// `facets`. A bad survey is `HK_RESULT_INVALID_INPUT`, naming each bad field.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn hk_engine_set_survey(
    engine: *mut hk_engine,
    survey_json: *const c_char,
) -> hk_result {
    let body = |engine: &crate::Engine| {
        // SAFETY: NULL or NUL-terminated (contract above).
        let json = unsafe { text(survey_json, "survey_json") }?;
        engine.set_survey(&wire::parse_survey(json)?)?;
        Ok(())
    };
    // SAFETY: forwarded contract.
    unsafe { engine_call(engine, body) }
}

/// Writes the feedback settings as JSON to `*settings_json_out`: `review_mode`
/// (`"promoters"`: the review link goes to answers 9-10; `"everyone"`: Google's policy),
/// `unhappy_stars` (a rating at or below it is unhappy, default 2) and
/// `non_respondent_reminder_days` (the one reminder to non-respondents; 0 = off).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn hk_engine_get_feedback_settings(
    engine: *const hk_engine,
    settings_json_out: *mut *mut c_char,
) -> hk_result {
    let body = |engine: &crate::Engine| {
        let out = Out::new(settings_json_out, "settings_json_out")?;
        out.set_string(wire::to_json(&engine.feedback_settings()?));
        Ok(())
    };
    // SAFETY: forwarded contract.
    unsafe { engine_call(engine, body) }
}

/// Validates and replaces the feedback settings from JSON; absent fields take defaults.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn hk_engine_set_feedback_settings(
    engine: *mut hk_engine,
    settings_json: *const c_char,
) -> hk_result {
    let body = |engine: &crate::Engine| {
        // SAFETY: NULL or NUL-terminated (contract above).
        let json = unsafe { text(settings_json, "settings_json") }?;
        engine.set_feedback_settings(&wire::parse_feedback_settings(json)?)?;
        Ok(())
    };
    // SAFETY: forwarded contract.
    unsafe { engine_call(engine, body) }
}

/// Writes, as JSON, what the survey page shows for a survey or receipt link `token` (the
/// link's last path segment): `{"location","location_name","language","questions"}`, each
/// question `{"id","kind","text","scale","options"}` with its wording in one language.
///
/// `language` is a BCP 47 tag, or NULL for the invitation's language (a receipt link: the
/// store's default). A malformed token is `HK_RESULT_INVALID_INPUT`, an unknown one
/// `HK_RESULT_NOT_FOUND`; a link already answered or expired is `HK_RESULT_CONFLICT`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn hk_engine_survey_page(
    engine: *const hk_engine,
    token: *const c_char,
    language: *const c_char,
    now_ms: i64,
    page_json_out: *mut *mut c_char,
) -> hk_result {
    let body = |engine: &crate::Engine| {
        // SAFETY: NULL or NUL-terminated (contract above).
        let token = unsafe { text(token, "token") }?;
        // SAFETY: as above.
        let language = unsafe { optional_text(language, "language") }?;
        let now = now(now_ms)?;
        let out = Out::new(page_json_out, "page_json_out")?;
        out.set_string(wire::to_json(&engine.survey_page(token, language, now)?));
        Ok(())
    };
    // SAFETY: forwarded contract.
    unsafe { engine_call(engine, body) }
}

/// Records the one response a survey or receipt link `token` takes, from the answers as
/// JSON (`{"answers":[{"question","score"|"choice"|"text"|"facets"}],"consent_to_reply"}`),
/// and writes the outcome to `*outcome_json_out`:
/// `{"response_id","nps_category","score_base10","unhappy","review_link"}`. Show the
/// customer `review_link` when it is not null (N3: promoters, or everyone in the
/// `"everyone"` review mode).
///
/// An out-of-range score, an unknown option or facet, or a question the survey does not
/// have is `HK_RESULT_INVALID_INPUT` naming each bad answer (nothing is stored; the link
/// still works). A second response to the same invitation or link, or an expired link, is
/// `HK_RESULT_CONFLICT`. Responses are never edited.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn hk_engine_record_response(
    engine: *mut hk_engine,
    token: *const c_char,
    answers_json: *const c_char,
    now_ms: i64,
    outcome_json_out: *mut *mut c_char,
) -> hk_result {
    let body = |engine: &crate::Engine| {
        // SAFETY: NULL or NUL-terminated (contract above).
        let token = unsafe { text(token, "token") }?;
        // SAFETY: as above.
        let json = unsafe { text(answers_json, "answers_json") }?;
        let now = now(now_ms)?;
        let out = Out::new(outcome_json_out, "outcome_json_out")?;
        let answers = wire::parse_response(json)?;
        out.set_string(wire::to_json(
            &engine.record_response(token, &answers, now)?,
        ));
        Ok(())
    };
    // SAFETY: forwarded contract.
    unsafe { engine_call(engine, body) }
}

/// Mints a receipt link for an anonymous response at `location_id`, optionally for one of
/// its transactions (`transaction_id` NULL: none), and writes it as JSON to `*link_json_out`:
/// `{"url","expires_at"}`. Print `url` (`{link_base_url}/r/{token}`) on the receipt; each
/// link takes one response and expires like survey links (F6).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn hk_engine_mint_receipt_link(
    engine: *mut hk_engine,
    location_id: *const c_char,
    transaction_id: *const c_char,
    now_ms: i64,
    link_json_out: *mut *mut c_char,
) -> hk_result {
    let body = |engine: &crate::Engine| {
        // SAFETY: NULL or NUL-terminated (contract above).
        let location = unsafe { text(location_id, "location_id") }?;
        // SAFETY: as above.
        let transaction = unsafe { optional_text(transaction_id, "transaction_id") }?;
        let now = now(now_ms)?;
        let out = Out::new(link_json_out, "link_json_out")?;
        let link = engine.mint_receipt_link(location, transaction, now)?;
        out.set_string(wire::to_json(&link));
        Ok(())
    };
    // SAFETY: forwarded contract.
    unsafe { engine_call(engine, body) }
}

/// Records e-receipt feedback, given as JSON (`{"location","sentiment","facets","comment",
/// "transaction","customer","consent_to_reply"}`; `sentiment` is `"positive"` or
/// `"negative"`, facets come from the location's business-type list), and writes the new
/// response's id to `*response_id_out`. `HK_RESULT_CONFLICT` when the location turned
/// e-receipt feedback off.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn hk_engine_record_feedback(
    engine: *mut hk_engine,
    feedback_json: *const c_char,
    now_ms: i64,
    response_id_out: *mut i64,
) -> hk_result {
    let body = |engine: &crate::Engine| {
        // SAFETY: NULL or NUL-terminated (contract above).
        let json = unsafe { text(feedback_json, "feedback_json") }?;
        let now = now(now_ms)?;
        let out = Out::new(response_id_out, "response_id_out")?;
        let feedback = wire::parse_feedback(json)?;
        out.set(engine.record_feedback(&feedback, now)?);
        Ok(())
    };
    // SAFETY: forwarded contract.
    unsafe { engine_call(engine, body) }
}

/// Turns a location's e-receipt feedback on (`enabled` = 1) or off (0); while it is off,
/// `hk_engine_record_feedback` is `HK_RESULT_CONFLICT`. Feedback already given stays (and
/// can still be deleted). Any other value of `enabled` is invalid input.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn hk_engine_set_feedback_enabled(
    engine: *mut hk_engine,
    location_id: *const c_char,
    enabled: u32,
) -> hk_result {
    let body = |engine: &crate::Engine| {
        // SAFETY: NULL or NUL-terminated (contract above).
        let location = unsafe { text(location_id, "location_id") }?;
        engine.set_feedback_enabled(location, flag(enabled, "enabled")?)?;
        Ok(())
    };
    // SAFETY: forwarded contract.
    unsafe { engine_call(engine, body) }
}

/// Deletes a response (an admin action; responses are never edited) and leaves an audit
/// record of its customer, date and score, and of `admin` (who deleted it, 1 to 256 bytes).
/// An unknown or already deleted response is `HK_RESULT_NOT_FOUND`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn hk_engine_delete_response(
    engine: *mut hk_engine,
    response_id: i64,
    admin: *const c_char,
    now_ms: i64,
) -> hk_result {
    let body = |engine: &crate::Engine| {
        // SAFETY: NULL or NUL-terminated (contract above).
        let admin = unsafe { text(admin, "admin") }?;
        engine.delete_response(response_id, admin, now(now_ms)?)?;
        Ok(())
    };
    // SAFETY: forwarded contract.
    unsafe { engine_call(engine, body) }
}

/// Writes the audit records of deleted responses, oldest first, as a JSON array to
/// `*deletions_json_out`: `{"response_id","customer","responded_at","score_base10",
/// "deleted_by","deleted_at"}` (`customer` null when anonymous).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn hk_engine_response_deletions(
    engine: *const hk_engine,
    deletions_json_out: *mut *mut c_char,
) -> hk_result {
    let body = |engine: &crate::Engine| {
        let out = Out::new(deletions_json_out, "deletions_json_out")?;
        out.set_string(wire::to_json(&engine.response_deletions()?));
        Ok(())
    };
    // SAFETY: forwarded contract.
    unsafe { engine_call(engine, body) }
}

/// Records that the respondent of `response_id` clicked the review link it was shown.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn hk_engine_review_clicked(
    engine: *mut hk_engine,
    response_id: i64,
    now_ms: i64,
) -> hk_result {
    let body = |engine: &crate::Engine| {
        engine.review_clicked(response_id, now(now_ms)?)?;
        Ok(())
    };
    // SAFETY: forwarded contract.
    unsafe { engine_call(engine, body) }
}

/// Records that the respondent of `response_id` posted a public review: no review reminder
/// is sent after this, and one already queued is cancelled (R1).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn hk_engine_review_confirmed(
    engine: *mut hk_engine,
    response_id: i64,
    now_ms: i64,
) -> hk_result {
    let body = |engine: &crate::Engine| {
        engine.review_confirmed(response_id, now(now_ms)?)?;
        Ok(())
    };
    // SAFETY: forwarded contract.
    unsafe { engine_call(engine, body) }
}

/// Writes the NPS of a scope as JSON to `*nps_json_out`:
/// `{"promoters","passives","detractors","nps"}`, `nps` the exact value (% promoters - %
/// detractors) or null without answers. `query_json` is `{"location","from","to"}` (every
/// field optional, times RFC 3339, `to` excluded), or NULL for every response.
#[deprecated(note = "scans every response; use hk_engine_scores, which reads the rollups")]
#[allow(deprecated)]
#[unsafe(no_mangle)]
pub unsafe extern "C" fn hk_engine_nps(
    engine: *const hk_engine,
    query_json: *const c_char,
    nps_json_out: *mut *mut c_char,
) -> hk_result {
    let body = |engine: &crate::Engine| {
        // SAFETY: NULL or NUL-terminated (contract above).
        let json = unsafe { optional_text(query_json, "query_json") }?;
        let out = Out::new(nps_json_out, "nps_json_out")?;
        let query = score_query(json)?;
        out.set_string(wire::to_json(&engine.nps(&query)?));
        Ok(())
    };
    // SAFETY: forwarded contract.
    unsafe { engine_call(engine, body) }
}

/// Writes the star ratings of a scope as JSON to `*ratings_json_out`:
/// `{"responses","average_base10","delivered","answered","response_rate"}` (the average on
/// base 10 and the response rate are null when there is nothing to divide). `query_json` as
/// for `hk_engine_nps`.
#[deprecated(note = "scans every response; use hk_engine_scores, which reads the rollups")]
#[allow(deprecated)]
#[unsafe(no_mangle)]
pub unsafe extern "C" fn hk_engine_ratings(
    engine: *const hk_engine,
    query_json: *const c_char,
    ratings_json_out: *mut *mut c_char,
) -> hk_result {
    let body = |engine: &crate::Engine| {
        // SAFETY: NULL or NUL-terminated (contract above).
        let json = unsafe { optional_text(query_json, "query_json") }?;
        let out = Out::new(ratings_json_out, "ratings_json_out")?;
        let query = score_query(json)?;
        out.set_string(wire::to_json(&engine.ratings(&query)?));
        Ok(())
    };
    // SAFETY: forwarded contract.
    unsafe { engine_call(engine, body) }
}

/// A score query from optional JSON: NULL covers every response.
fn score_query(json: Option<&str>) -> crate::Result<ScoreQuery> {
    json.map_or_else(|| Ok(ScoreQuery::default()), wire::parse_score_query)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn no_query_covers_everything_and_a_bad_one_names_its_field() {
        assert_eq!(score_query(None).unwrap(), ScoreQuery::default());
        assert_eq!(score_query(Some("{}")).unwrap(), ScoreQuery::default());
        let q = score_query(Some(r#"{"location":"paris"}"#)).unwrap();
        assert_eq!(q.location.as_deref(), Some("paris"));
        let err = score_query(Some(r#"{"from":"yesterday"}"#)).unwrap_err();
        assert_eq!(err.problems()[0].field, "from");
        assert!(!err.to_string().contains("yesterday"), "{err}");
    }
}
