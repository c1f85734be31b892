//! Reports (issue 8): scores, series, response rate, the review funnel, employee
//! performance, dashboard periods, the feedback list, customers and their history,
//! unsubscribes, and the PII-free comparison with other stores. JSON in, JSON out; buckets
//! and roles as validated `uint32_t` codes; times as Unix ms.
//!
//! Every query JSON may be NULL (every location, all time, no user restriction). A query's
//! `user` restricts the answer to that user's locations (an admin sees every location).

use std::ffi::c_char;

use super::boundary::{Out, now, optional_text, text};
use super::engine::{engine_call, hk_engine};
use super::result::{Failure, hk_result};
use crate::model::{Bucket, CustomerQuery, FeedbackQuery, ReportQuery, Role};
use crate::wire;

/// Series bucket code: one local day, labelled `2026-05-04`.
pub const HK_BUCKET_DAY: u32 = 1;
/// Series bucket code: one ISO week (Monday first), labelled `2026-W19`.
pub const HK_BUCKET_ISO_WEEK: u32 = 2;
/// Series bucket code: one calendar month, labelled `2026-05`.
pub const HK_BUCKET_MONTH: u32 = 3;

/// Employee role filter of `hk_engine_employee_performance`: every role.
pub const HK_ROLE_ALL: u32 = 0;
/// Employee role code: sold the goods.
pub const HK_ROLE_SALESPERSON: u32 = 1;
/// Employee role code: did the service or repair.
pub const HK_ROLE_TECHNICIAN: u32 = 2;
/// Employee role code: delivered the goods.
pub const HK_ROLE_DRIVER: u32 = 3;

/// The bucket behind an `HK_BUCKET_*` code from C.
pub(crate) fn bucket_from(code: u32, name: &'static str) -> Result<Bucket, Failure> {
    match code {
        HK_BUCKET_DAY => Ok(Bucket::Day),
        HK_BUCKET_ISO_WEEK => Ok(Bucket::IsoWeek),
        HK_BUCKET_MONTH => Ok(Bucket::Month),
        _ => Err(Failure::Range(
            name,
            "unknown bucket; expected an HK_BUCKET_* code (1 to 3)",
        )),
    }
}

/// The role filter behind an `HK_ROLE_*` code from C (`HK_ROLE_ALL`: none).
pub(crate) fn role_from(code: u32, name: &'static str) -> Result<Option<Role>, Failure> {
    match code {
        HK_ROLE_ALL => Ok(None),
        HK_ROLE_SALESPERSON => Ok(Some(Role::Salesperson)),
        HK_ROLE_TECHNICIAN => Ok(Some(Role::Technician)),
        HK_ROLE_DRIVER => Ok(Some(Role::Driver)),
        _ => Err(Failure::Range(
            name,
            "unknown role; expected HK_ROLE_ALL (0) or an HK_ROLE_* code (1 to 3)",
        )),
    }
}

/// A report query from optional JSON: NULL is every location, all time.
fn report_query(json: Option<&str>) -> crate::Result<ReportQuery> {
    json.map_or_else(|| Ok(ReportQuery::default()), wire::parse_report_query)
}

/// Writes the scores of a scope as JSON to `*scores_json_out`: `{"responses","nps":
/// {"promoters","passives","detractors","nps"},"rated","average_base10"}` (N1, N2, N5, N6).
/// `query_json` is `{"period","location","employee","user"}` (all optional) or NULL; a
/// period is `{"kind":"all_time"|"current_month"|"last_month"}`, `{"kind":"custom",
/// "from","to"}` (local dates, both included) or `{"kind":"between","from","to"}` (RFC 3339,
/// `to` excluded). An unknown location, employee or user is `HK_RESULT_NOT_FOUND`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn hk_engine_scores(
    engine: *const hk_engine,
    query_json: *const c_char,
    now_ms: i64,
    scores_json_out: *mut *mut c_char,
) -> hk_result {
    let body = |engine: &crate::Engine| {
        // SAFETY: NULL or NUL-terminated (contract above).
        let json = unsafe { optional_text(query_json, "query_json") }?;
        let now = now(now_ms)?;
        let out = Out::new(scores_json_out, "scores_json_out")?;
        let query = report_query(json)?;
        out.set_string(wire::to_json(&engine.scores(&query, now)?));
        Ok(())
    };
    // SAFETY: forwarded contract.
    unsafe { engine_call(engine, body) }
}

/// Writes the scores of a scope by `bucket` (`HK_BUCKET_*`, on each location's local date)
/// as a JSON array to `*series_json_out`: `[{"label","start","scores"}]`, oldest first;
/// buckets without responses are left out (N2). `query_json` as for `hk_engine_scores`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn hk_engine_score_series(
    engine: *const hk_engine,
    query_json: *const c_char,
    bucket: u32,
    now_ms: i64,
    series_json_out: *mut *mut c_char,
) -> hk_result {
    let body = |engine: &crate::Engine| {
        // SAFETY: NULL or NUL-terminated (contract above).
        let json = unsafe { optional_text(query_json, "query_json") }?;
        let bucket = bucket_from(bucket, "bucket")?;
        let now = now(now_ms)?;
        let out = Out::new(series_json_out, "series_json_out")?;
        let query = report_query(json)?;
        out.set_string(wire::to_json(&engine.score_series(&query, bucket, now)?));
        Ok(())
    };
    // SAFETY: forwarded contract.
    unsafe { engine_call(engine, body) }
}

/// Writes the response rate of a scope as JSON to `*rate_json_out`:
/// `{"delivered","answered","rate"}`, of the invitations delivered in the period the share
/// answered (N5; `rate` null when nothing was delivered). `query_json` as for
/// `hk_engine_scores`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn hk_engine_response_rate(
    engine: *const hk_engine,
    query_json: *const c_char,
    now_ms: i64,
    rate_json_out: *mut *mut c_char,
) -> hk_result {
    let body = |engine: &crate::Engine| {
        // SAFETY: NULL or NUL-terminated (contract above).
        let json = unsafe { optional_text(query_json, "query_json") }?;
        let now = now(now_ms)?;
        let out = Out::new(rate_json_out, "rate_json_out")?;
        let query = report_query(json)?;
        out.set_string(wire::to_json(&engine.response_rate(&query, now)?));
        Ok(())
    };
    // SAFETY: forwarded contract.
    unsafe { engine_call(engine, body) }
}

/// Writes the review funnel of a scope as JSON to `*funnel_json_out`:
/// `{"responses","promoters","shown","clicked","confirmed"}` (N3). `query_json` as for
/// `hk_engine_scores`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn hk_engine_review_funnel(
    engine: *const hk_engine,
    query_json: *const c_char,
    now_ms: i64,
    funnel_json_out: *mut *mut c_char,
) -> hk_result {
    let body = |engine: &crate::Engine| {
        // SAFETY: NULL or NUL-terminated (contract above).
        let json = unsafe { optional_text(query_json, "query_json") }?;
        let now = now(now_ms)?;
        let out = Out::new(funnel_json_out, "funnel_json_out")?;
        let query = report_query(json)?;
        out.set_string(wire::to_json(&engine.review_funnel(&query, now)?));
        Ok(())
    };
    // SAFETY: forwarded contract.
    unsafe { engine_call(engine, body) }
}

/// Writes, per employee, the answers credited to them as a JSON array to
/// `*performance_json_out`: `[{"employee","name","role","scores"}]` by host id (X4).
/// `role` is `HK_ROLE_ALL` (0) or one `HK_ROLE_*` code. `query_json` as for
/// `hk_engine_scores`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn hk_engine_employee_performance(
    engine: *const hk_engine,
    query_json: *const c_char,
    role: u32,
    now_ms: i64,
    performance_json_out: *mut *mut c_char,
) -> hk_result {
    let body = |engine: &crate::Engine| {
        // SAFETY: NULL or NUL-terminated (contract above).
        let json = unsafe { optional_text(query_json, "query_json") }?;
        let role = role_from(role, "role")?;
        let now = now(now_ms)?;
        let out = Out::new(performance_json_out, "performance_json_out")?;
        let query = report_query(json)?;
        out.set_string(wire::to_json(
            &engine.employee_performance(&query, role, now)?,
        ));
        Ok(())
    };
    // SAFETY: forwarded contract.
    unsafe { engine_call(engine, body) }
}

/// Writes what a dashboard period means at one location, in its own time zone (X3), as
/// JSON to `*bounds_json_out`: `{"location","first_day","last_day","starts_at","ends_at"}`
/// (null when open). `period_json` is a period as in `hk_engine_scores`' query.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn hk_engine_period_bounds(
    engine: *const hk_engine,
    location_id: *const c_char,
    period_json: *const c_char,
    now_ms: i64,
    bounds_json_out: *mut *mut c_char,
) -> hk_result {
    let body = |engine: &crate::Engine| {
        // SAFETY: NULL or NUL-terminated (contract above).
        let location = unsafe { text(location_id, "location_id") }?;
        // SAFETY: as above.
        let json = unsafe { text(period_json, "period_json") }?;
        let now = now(now_ms)?;
        let out = Out::new(bounds_json_out, "bounds_json_out")?;
        let period = wire::parse_period(json)?;
        out.set_string(wire::to_json(
            &engine.period_bounds(location, &period, now)?,
        ));
        Ok(())
    };
    // SAFETY: forwarded contract.
    unsafe { engine_call(engine, body) }
}

/// Writes one page of the feedback list as JSON to `*page_json_out`: `{"total","items"}`,
/// each item `{"response_id","created_at","location","customer","customer_name",
/// "transaction","employees","source","nps","category","rating","score_base10",
/// "sentiment","facets","comment","unhappy"}`. `query_json` is `{"scope","category",
/// "sentiment","facet","source","sort","offset","limit"}` (all optional; `scope` a report
/// query, `sort` `"newest"` (default), `"oldest"`, `"lowest"` or `"highest"`, `limit` 1 to
/// 1000, default 50) or NULL.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn hk_engine_list_feedback(
    engine: *const hk_engine,
    query_json: *const c_char,
    now_ms: i64,
    page_json_out: *mut *mut c_char,
) -> hk_result {
    let body = |engine: &crate::Engine| {
        // SAFETY: NULL or NUL-terminated (contract above).
        let json = unsafe { optional_text(query_json, "query_json") }?;
        let now = now(now_ms)?;
        let out = Out::new(page_json_out, "page_json_out")?;
        let query =
            json.map_or_else(|| Ok(FeedbackQuery::default()), wire::parse_feedback_query)?;
        out.set_string(wire::to_json(&engine.feedback(&query, now)?));
        Ok(())
    };
    // SAFETY: forwarded contract.
    unsafe { engine_call(engine, body) }
}

/// Writes a customer's whole history (F4) as JSON to `*history_json_out`: `{"customer",
/// "name","gender","unsubscribed_at","invitations","responses"}` (invitations oldest first,
/// responses newest first, as feedback list items). `user_id` is the user looking (only
/// their locations) or NULL. An unknown customer is `HK_RESULT_NOT_FOUND`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn hk_engine_get_customer_history(
    engine: *const hk_engine,
    customer_id: *const c_char,
    user_id: *const c_char,
    history_json_out: *mut *mut c_char,
) -> hk_result {
    let body = |engine: &crate::Engine| {
        // SAFETY: NULL or NUL-terminated (contract above).
        let customer = unsafe { text(customer_id, "customer_id") }?;
        // SAFETY: as above.
        let user = unsafe { optional_text(user_id, "user_id") }?;
        let out = Out::new(history_json_out, "history_json_out")?;
        out.set_string(wire::to_json(&engine.customer_history(customer, user)?));
        Ok(())
    };
    // SAFETY: forwarded contract.
    unsafe { engine_call(engine, body) }
}

/// Writes one page of the customers report (F4) as JSON to `*page_json_out`:
/// `{"total","items"}`, each item `{"customer","name","gender","responses",
/// "latest_category","last_response_at","unsubscribed_at"}` by host id. `query_json` is
/// `{"gender","category","subscription","user","offset","limit"}` (all optional;
/// `subscription` `"subscribed"` or `"unsubscribed"`) or NULL.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn hk_engine_list_customers(
    engine: *const hk_engine,
    query_json: *const c_char,
    page_json_out: *mut *mut c_char,
) -> hk_result {
    let body = |engine: &crate::Engine| {
        // SAFETY: NULL or NUL-terminated (contract above).
        let json = unsafe { optional_text(query_json, "query_json") }?;
        let out = Out::new(page_json_out, "page_json_out")?;
        let query =
            json.map_or_else(|| Ok(CustomerQuery::default()), wire::parse_customer_query)?;
        out.set_string(wire::to_json(&engine.customers(&query)?));
        Ok(())
    };
    // SAFETY: forwarded contract.
    unsafe { engine_call(engine, body) }
}

/// Writes the unsubscribes of a scope's period, newest first, as a JSON array to
/// `*unsubscribes_json_out`: `[{"kind","contact","at","source","customer","name"}]`, `kind`
/// `"customer"`, `"email"` or `"phone"`, `contact` the normalised e-mail or phone (the host
/// id for `"customer"`). `query_json` as for `hk_engine_scores`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn hk_engine_list_unsubscribes(
    engine: *const hk_engine,
    query_json: *const c_char,
    now_ms: i64,
    unsubscribes_json_out: *mut *mut c_char,
) -> hk_result {
    let body = |engine: &crate::Engine| {
        // SAFETY: NULL or NUL-terminated (contract above).
        let json = unsafe { optional_text(query_json, "query_json") }?;
        let now = now(now_ms)?;
        let out = Out::new(unsubscribes_json_out, "unsubscribes_json_out")?;
        let query = report_query(json)?;
        out.set_string(wire::to_json(&engine.unsubscribes(&query, now)?));
        Ok(())
    };
    // SAFETY: forwarded contract.
    unsafe { engine_call(engine, body) }
}

/// Writes this store's PII-free aggregate bundle as JSON to `*bundle_json_out`:
/// `{"format","store","created_at","rows"}`, counts per numbered location, local month and
/// category, under `store_label` (1 to 100 characters, chosen by the vendor). Hand it to
/// the other stores' `hk_engine_import_aggregates`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn hk_engine_export_aggregates(
    engine: *const hk_engine,
    store_label: *const c_char,
    now_ms: i64,
    bundle_json_out: *mut *mut c_char,
) -> hk_result {
    let body = |engine: &crate::Engine| {
        // SAFETY: NULL or NUL-terminated (contract above).
        let label = unsafe { text(store_label, "store_label") }?;
        let now = now(now_ms)?;
        let out = Out::new(bundle_json_out, "bundle_json_out")?;
        out.set_string(wire::to_json(&engine.export_aggregates(label, now)?));
        Ok(())
    };
    // SAFETY: forwarded contract.
    unsafe { engine_call(engine, body) }
}

/// Imports another store's aggregate bundle (what its `hk_engine_export_aggregates`
/// wrote), replacing that store's earlier one, and writes its row count to `*rows_out`. A
/// bad bundle is `HK_RESULT_INVALID_INPUT` naming each bad field; nothing is stored then.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn hk_engine_import_aggregates(
    engine: *mut hk_engine,
    bundle_json: *const c_char,
    now_ms: i64,
    rows_out: *mut u64,
) -> hk_result {
    let body = |engine: &crate::Engine| {
        // SAFETY: NULL or NUL-terminated (contract above).
        let json = unsafe { text(bundle_json, "bundle_json") }?;
        let now = now(now_ms)?;
        let out = Out::new(rows_out, "rows_out")?;
        let bundle = wire::parse_aggregate_bundle(json)?;
        out.set(engine.import_aggregates(&bundle, now)?);
        Ok(())
    };
    // SAFETY: forwarded contract.
    unsafe { engine_call(engine, body) }
}

/// Writes your NPS over a scope against the imported stores over the same local months as
/// JSON to `*comparison_json_out`: `{"you","peers","peer_stores","peer_average"}` (`you`
/// and `peers` as `hk_engine_nps` writes them). `query_json` as for `hk_engine_scores`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn hk_engine_compare_nps(
    engine: *const hk_engine,
    query_json: *const c_char,
    now_ms: i64,
    comparison_json_out: *mut *mut c_char,
) -> hk_result {
    let body = |engine: &crate::Engine| {
        // SAFETY: NULL or NUL-terminated (contract above).
        let json = unsafe { optional_text(query_json, "query_json") }?;
        let now = now(now_ms)?;
        let out = Out::new(comparison_json_out, "comparison_json_out")?;
        let query = report_query(json)?;
        out.set_string(wire::to_json(&engine.compare_nps(&query, now)?));
        Ok(())
    };
    // SAFETY: forwarded contract.
    unsafe { engine_call(engine, body) }
}

/// Recomputes the daily rollups the reports read from the responses (after rows were
/// written by other means, or to repair) and writes the responses counted to
/// `*responses_out`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn hk_engine_rebuild_rollups(
    engine: *mut hk_engine,
    responses_out: *mut u64,
) -> hk_result {
    let body = |engine: &crate::Engine| {
        let out = Out::new(responses_out, "responses_out")?;
        out.set(engine.rebuild_rollups()?);
        Ok(())
    };
    // SAFETY: forwarded contract.
    unsafe { engine_call(engine, body) }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_map_to_buckets_and_roles_and_others_are_refused() {
        assert_eq!(bucket_from(HK_BUCKET_DAY, "bucket").unwrap(), Bucket::Day);
        assert_eq!(
            bucket_from(HK_BUCKET_ISO_WEEK, "bucket").unwrap(),
            Bucket::IsoWeek
        );
        assert_eq!(
            bucket_from(HK_BUCKET_MONTH, "bucket").unwrap(),
            Bucket::Month
        );
        assert!(bucket_from(0, "bucket").is_err());
        assert!(bucket_from(4, "bucket").is_err());
        assert_eq!(role_from(HK_ROLE_ALL, "role").unwrap(), None);
        assert_eq!(
            role_from(HK_ROLE_DRIVER, "role").unwrap(),
            Some(Role::Driver)
        );
        let err = role_from(4, "role").unwrap_err();
        assert!(err.to_json().contains(r#""field":"role""#));
    }

    #[test]
    fn no_query_is_everything() {
        assert_eq!(report_query(None).unwrap(), ReportQuery::default());
        let err = report_query(Some(r#"{"period":{"kind":"SECRET"}}"#)).unwrap_err();
        assert!(!err.to_string().contains("SECRET"), "{err}");
    }
}
