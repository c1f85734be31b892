//! The C door (`hearken::ffi::hk_*`) with fuzzed C strings: NUL-terminated, any bytes,
//! invalid UTF-8 included.
//!
//! Input: byte 0 picks the call, byte 1 the scalar arguments (`now_ms` from ordinary to
//! out of range, a 0/1/other flag, message kind and channel codes, an invitation or
//! response id), the rest is split at NUL bytes into the string arguments. Each input gets
//! a fresh in-memory engine, set up through the C door as a host would: Paris and Seoul,
//! a survey with every question kind, one night synced, its invitation claimed (so real
//! survey and unsubscribe tokens, a message id and an invitation id exist).
//!
//! Every call must return a documented code that input can cause (ok, invalid_input,
//! not_found, conflict, invalid_utf8; never storage, internal, panic), write its output on
//! success, leave a JSON detail in `hk_engine_last_error` on failure; every string handed
//! out is freed (LeakSanitizer checks that).
#![no_main]

use std::ffi::{CStr, CString, c_char};
use std::ptr::{null, null_mut};

use hearken::ffi::*;
use hearken_fuzz::{INVITE_BATCH_JSON, SURVEY_JSON, due, night};
use libfuzzer_sys::fuzz_target;

const LOCATIONS: [&CStr; 2] = [
    cr#"{"id":"paris","name":"Boutique Paris","time_zone":"Europe/Paris","review_link":"https://g.page/r/paris/review"}"#,
    cr#"{"id":"seoul","name":"서울 매장","time_zone":"Asia/Seoul"}"#,
];

/// An engine set up through the C door, with the handles a host would hold.
struct Setup {
    engine: *mut hk_engine,
    survey_token: CString,
    message_id: CString,
    invitation_id: i64,
}

impl Drop for Setup {
    fn drop(&mut self) {
        // SAFETY: a live handle, freed once.
        unsafe { hk_engine_free(&mut self.engine) };
    }
}

fn ms(t: chrono::DateTime<chrono::Utc>) -> i64 {
    t.timestamp_millis()
}

/// Takes ownership of a string hearken handed out, checks it is UTF-8, frees it.
fn take(s: *mut c_char, what: &str) -> String {
    assert!(!s.is_null(), "{what}: NULL output on success");
    // SAFETY: a NUL-terminated string from hearken, freed once below.
    let text = unsafe { CStr::from_ptr(s) }
        .to_str()
        .unwrap_or_else(|_| panic!("{what}: output is not UTF-8"))
        .to_owned();
    unsafe { hk_string_free(s) };
    text
}

fn last_segment(url: &str) -> CString {
    CString::new(url.rsplit('/').next().unwrap_or_default()).expect("no NUL in a link")
}

fn setup() -> Setup {
    let mut engine = null_mut();
    let mut err = null_mut();
    // SAFETY: every pointer below is valid for the call; outputs are taken and freed.
    unsafe {
        assert_eq!(hk_engine_open_in_memory(&mut engine, &mut err), HK_OK);
        for l in LOCATIONS {
            assert_eq!(hk_engine_upsert_location(engine, l.as_ptr()), HK_OK);
        }
        let survey = CString::new(SURVEY_JSON).unwrap();
        assert_eq!(hk_engine_set_survey(engine, survey.as_ptr()), HK_OK);
        let batch = CString::new(INVITE_BATCH_JSON).unwrap();
        let mut report = null_mut();
        assert_eq!(
            hk_engine_sync(engine, batch.as_ptr(), ms(night()), &mut report),
            HK_OK
        );
        take(report, "setup sync");
        let mut json = null_mut();
        assert_eq!(hk_engine_claim(engine, 10, ms(due()), &mut json), HK_OK);
        let mut messages = null_mut();
        assert_eq!(hk_message_batch_parse(json, &mut messages, &mut err), HK_OK);
        hk_string_free(json);
        assert_eq!(hk_message_batch_count(messages), 1);
        let text = |p: *const c_char| CStr::from_ptr(p).to_str().unwrap().to_owned();
        let setup = Setup {
            engine,
            survey_token: last_segment(&text(hk_message_batch_survey_link(messages, 0))),
            message_id: CString::new(text(hk_message_batch_message_id(messages, 0))).unwrap(),
            invitation_id: hk_message_batch_invitation_id(messages, 0),
        };
        hk_message_batch_free(&mut messages);
        setup
    }
}

/// `now_ms` values: the night, the morning after, and the edges of the representable range.
const NOWS: [i64; 8] = [
    0, // replaced by the night
    0, // replaced by the morning after
    0,
    -1,
    i64::MIN,
    i64::MAX,
    253_402_300_800_000, // 10000-01-01: beyond a four-digit year
    -62_135_596_800_001, // just before 0001-01-01
];
const FLAGS: [u32; 4] = [0, 1, 2, u32::MAX];

struct Scalars {
    now_ms: i64,
    flag: u32,
    code_a: u32,
    code_b: u32,
    id_pick: u8,
}

fn scalars(v: u8) -> Scalars {
    let now_ms = match v % 8 {
        0 => ms(night()),
        1 => ms(due()),
        i => NOWS[i as usize],
    };
    Scalars {
        now_ms,
        flag: FLAGS[(v as usize / 8) % 4],
        code_a: u32::from(v % 5),
        code_b: u32::from((v / 5) % 4),
        id_pick: (v / 32) % 4,
    }
}

/// Checks a result code and the state it leaves; returns whether the call succeeded.
fn check(engine: *const hk_engine, code: hk_result, what: &str) -> bool {
    match code {
        HK_OK => return true,
        HK_RESULT_INVALID_INPUT
        | HK_RESULT_NOT_FOUND
        | HK_RESULT_CONFLICT
        | HK_RESULT_INVALID_UTF8 => {}
        other => {
            // SAFETY: a live handle (or NULL: no detail).
            let detail = unsafe { hk_engine_last_error(engine) };
            let detail = if detail.is_null() {
                String::new()
            } else {
                take(detail, what)
            };
            panic!("{what}: input caused result {other}: {detail}");
        }
    }
    if !engine.is_null() {
        // SAFETY: a live handle.
        let detail = take(unsafe { hk_engine_last_error(engine) }, what);
        assert!(
            detail.starts_with(r#"{"kind":""#) && detail.ends_with('}'),
            "{what}: last error is not the detail JSON: {detail}"
        );
    }
    false
}

/// As [`check`] for calls without an engine, whose detail goes to `error_out`.
fn check_detached(code: hk_result, err: *mut c_char, what: &str) -> bool {
    let detail = (!err.is_null()).then(|| take(err, what));
    match code {
        HK_OK => {
            assert!(detail.is_none(), "{what}: error detail written on success");
            true
        }
        HK_RESULT_INVALID_INPUT | HK_RESULT_INVALID_UTF8 => {
            let detail = detail.unwrap_or_else(|| panic!("{what}: failed without a detail"));
            assert!(detail.starts_with(r#"{"kind":""#), "{what}: {detail}");
            false
        }
        other => panic!("{what}: input caused result {other}: {detail:?}"),
    }
}

/// Checks and frees a `char **` output.
fn out_string(engine: *const hk_engine, code: hk_result, out: *mut c_char, what: &str) {
    if check(engine, code, what) {
        take(out, what);
    } else {
        assert!(out.is_null(), "{what}: output written on failure");
    }
}

fuzz_target!(|data: &[u8]| {
    if data.len() < 2 {
        return;
    }
    let (op, sc) = (data[0], scalars(data[1]));
    let rest = &data[2..];
    let mut parts = rest.split(|&b| b == 0);
    let arg = |p: Option<&[u8]>| CString::new(p.unwrap_or_default()).expect("split at NUL");
    let s0 = arg(parts.next());
    let s1 = parts.next().map(|p| arg(Some(p)));
    let s1p = s1.as_ref().map_or(null(), |s| s.as_ptr());
    let s1r = s1.as_ref().map_or(c"", |s| s.as_c_str());
    let now = sc.now_ms;
    let a = s0.as_ptr();
    let mut out: *mut c_char = null_mut();
    let mut err: *mut c_char = null_mut();
    let mut n_i64 = 0i64;
    let mut n_u64 = 0u64;

    // Calls that need no engine: the typed readers of JSON results.
    // SAFETY (whole match): every pointer is a live handle, a NUL-terminated string or a
    // writable slot; every output is freed exactly once.
    unsafe {
        match op % 40 {
            32 => {
                let mut b = null_mut();
                if check_detached(
                    hk_message_batch_parse(a, &mut b, &mut err),
                    err,
                    "message_batch_parse",
                ) {
                    let n = hk_message_batch_count(b);
                    for i in 0..=n {
                        let _ = hk_message_batch_message_id(b, i);
                        let _ = hk_message_batch_kind(b, i);
                        let _ = hk_message_batch_channel(b, i);
                        let _ = hk_message_batch_recipient(b, i);
                        let _ = hk_message_batch_language(b, i);
                        let _ = hk_message_batch_subject(b, i);
                        let _ = hk_message_batch_body(b, i);
                        let _ = hk_message_batch_survey_link(b, i);
                        let _ = hk_message_batch_survey_link_expires_at(b, i);
                        let _ = hk_message_batch_unsubscribe_link(b, i);
                        let _ = hk_message_batch_customer(b, i);
                        let _ = hk_message_batch_location(b, i);
                        let _ = hk_message_batch_invitation_id(b, i);
                        let _ = hk_message_batch_attempt(b, i);
                        let _ = hk_message_batch_lease_until(b, i);
                    }
                    hk_message_batch_free(&mut b);
                    assert!(b.is_null());
                } else {
                    assert!(
                        b.is_null(),
                        "message_batch_parse: handle written on failure"
                    );
                }
                return;
            }
            33 => {
                let mut r = null_mut();
                if check_detached(
                    hk_sync_report_parse(a, &mut r, &mut err),
                    err,
                    "sync_report_parse",
                ) {
                    let _ = hk_sync_report_location(r);
                    let _ = hk_sync_report_business_date(r);
                    let _ = hk_sync_report_customers_created(r);
                    let _ = hk_sync_report_customers_updated(r);
                    let _ = hk_sync_report_employees_upserted(r);
                    let _ = hk_sync_report_transactions_created(r);
                    let _ = hk_sync_report_transactions_updated(r);
                    let (mut id, mut c, mut t, mut reason) = (0i64, null(), null(), 0u32);
                    for i in 0..=hk_sync_report_invitation_count(r) {
                        let _ = hk_sync_report_invitation(r, i, &mut id, &mut c, &mut t);
                    }
                    for i in 0..=hk_sync_report_skipped_count(r) {
                        let _ = hk_sync_report_skipped(r, i, &mut t, &mut c, &mut reason);
                        let _ = hk_skip_reason_name(reason);
                        let _ = hk_skip_reason_describe(reason);
                    }
                    for i in 0..=hk_sync_report_caught_up_date_count(r) {
                        let _ = hk_sync_report_caught_up_date(r, i);
                    }
                    for i in 0..=hk_sync_report_missing_date_count(r) {
                        let _ = hk_sync_report_missing_date(r, i);
                    }
                    hk_sync_report_free(&mut r);
                } else {
                    assert!(r.is_null(), "sync_report_parse: handle written on failure");
                }
                return;
            }
            34 => {
                let mut w = null_mut();
                if check_detached(
                    hk_sync_window_parse(a, &mut w, &mut err),
                    err,
                    "sync_window_parse",
                ) {
                    let _ = hk_sync_window_location(w);
                    let _ = hk_sync_window_today(w);
                    let _ = hk_sync_window_last_synced(w);
                    for i in 0..=hk_sync_window_date_count(w) {
                        let _ = hk_sync_window_date(w, i);
                    }
                    for i in 0..=hk_sync_window_missing_count(w) {
                        let _ = hk_sync_window_missing_date(w, i);
                    }
                    hk_sync_window_free(&mut w);
                } else {
                    assert!(w.is_null(), "sync_window_parse: handle written on failure");
                }
                return;
            }
            _ => {}
        }

        let s = setup();
        let e = s.engine;
        let id = [s.invitation_id, 0, -1, i64::MAX][sc.id_pick as usize];
        match op % 40 {
            0 => {
                check(e, hk_engine_set_settings(e, a), "set_settings");
            }
            1 => {
                check(e, hk_engine_upsert_location(e, a), "upsert_location");
            }
            2 => out_string(
                e,
                hk_engine_get_location(e, a, &mut out),
                out,
                "get_location",
            ),
            3 => {
                check(
                    e,
                    hk_engine_set_location_enabled(e, a, sc.flag),
                    "set_location_enabled",
                );
            }
            4 => out_string(e, hk_engine_sync(e, a, now, &mut out), out, "sync"),
            5 => out_string(
                e,
                hk_engine_sync_window(e, a, now, &mut out),
                out,
                "sync_window",
            ),
            6 => {
                check(
                    e,
                    hk_engine_next_sync_at(e, a, now, &mut n_i64),
                    "next_sync_at",
                );
            }
            7 => {
                // The file's bytes are the whole rest of the input, NULs included.
                let path = std::env::temp_dir().join(format!(
                    "hearken-fuzz-backfill-{}.jsonl",
                    std::process::id()
                ));
                std::fs::write(&path, rest).expect("write the backfill file");
                let p = CString::new(path.to_str().expect("UTF-8 temp path")).unwrap();
                let code = hk_engine_backfill_file(e, p.as_ptr(), now, None, null_mut(), &mut out);
                out_string(e, code, out, "backfill_file");
            }
            8 => out_string(e, hk_engine_explain(e, a, now, &mut out), out, "explain"),
            9 => out_string(
                e,
                hk_engine_explain_text(e, a, now, &mut out),
                out,
                "explain_text",
            ),
            10 => {
                check(
                    e,
                    hk_engine_unsubscribe_customer(e, a, now),
                    "unsubscribe_customer",
                );
            }
            11 => {
                check(
                    e,
                    hk_engine_unsubscribe_contact(e, a, now),
                    "unsubscribe_contact",
                );
            }
            12 => {
                check(e, hk_engine_ack(e, a, now), "ack");
            }
            13 => {
                let reason = s1.as_ref().map_or(c"timeout", |r| r.as_c_str());
                check(
                    e,
                    hk_engine_fail(e, a, reason.as_ptr(), sc.flag, now, &mut n_i64),
                    "fail",
                );
            }
            14 => {
                let lang = if s0.is_empty() { null() } else { a };
                out_string(
                    e,
                    hk_engine_resend(e, id, lang, now, &mut out),
                    out,
                    "resend",
                );
            }
            15 => out_string(
                e,
                hk_engine_unsubscribe_by_token(e, a, now, &mut out),
                out,
                "unsubscribe_by_token",
            ),
            16 => {
                check(e, hk_engine_set_template(e, a), "set_template");
            }
            17 => out_string(
                e,
                hk_engine_get_template(e, sc.code_a, sc.code_b, a, &mut out),
                out,
                "get_template",
            ),
            18 => {
                check(
                    e,
                    hk_engine_set_delivery_settings(e, a),
                    "set_delivery_settings",
                );
            }
            19 => {
                let source = s1.as_ref().map_or(c"store-2", |r| r.as_c_str());
                check(
                    e,
                    hk_engine_import_suppressions(e, a, source.as_ptr(), now, &mut n_u64),
                    "import_suppressions",
                );
            }
            20 => {
                check(e, hk_engine_set_survey(e, a), "set_survey");
            }
            21 => {
                check(
                    e,
                    hk_engine_set_feedback_settings(e, a),
                    "set_feedback_settings",
                );
            }
            22 => out_string(
                e,
                hk_engine_survey_page(e, a, s1p, now, &mut out),
                out,
                "survey_page(token)",
            ),
            23 => out_string(
                e,
                hk_engine_survey_page(e, s.survey_token.as_ptr(), a, now, &mut out),
                out,
                "survey_page(language)",
            ),
            24 => {
                let answers = if s1.is_some() {
                    s1r
                } else {
                    cr#"{"answers":[{"question":"recommend","score":9}]}"#
                };
                out_string(
                    e,
                    hk_engine_record_response(e, a, answers.as_ptr(), now, &mut out),
                    out,
                    "record_response(token)",
                );
            }
            25 => out_string(
                e,
                hk_engine_record_response(e, s.survey_token.as_ptr(), a, now, &mut out),
                out,
                "record_response(answers)",
            ),
            26 => out_string(
                e,
                hk_engine_mint_receipt_link(e, a, s1p, now, &mut out),
                out,
                "mint_receipt_link",
            ),
            27 => {
                check(
                    e,
                    hk_engine_record_feedback(e, a, now, &mut n_i64),
                    "record_feedback",
                );
            }
            28 => {
                check(
                    e,
                    hk_engine_set_feedback_enabled(e, a, sc.flag),
                    "set_feedback_enabled",
                );
            }
            29 => {
                // A response to delete: the setup's invitation answered first.
                let answers = cr#"{"answers":[{"question":"recommend","score":3}]}"#;
                let mut outcome = null_mut();
                let code = hk_engine_record_response(
                    e,
                    s.survey_token.as_ptr(),
                    answers.as_ptr(),
                    hearken_fuzz::due().timestamp_millis(),
                    &mut outcome,
                );
                assert_eq!(code, HK_OK);
                let outcome = take(outcome, "record_response");
                let rid = outcome
                    .split("\"response_id\":")
                    .nth(1)
                    .and_then(|t| t.split([',', '}']).next())
                    .and_then(|t| t.parse::<i64>().ok())
                    .expect("response_id");
                let target = if sc.id_pick == 0 { rid } else { id };
                check(
                    e,
                    hk_engine_delete_response(e, target, a, now),
                    "delete_response",
                );
                out_string(
                    e,
                    hk_engine_response_deletions(e, &mut out),
                    out,
                    "response_deletions",
                );
            }
            30 | 31 => {
                let q = if s0.is_empty() && s1.is_none() {
                    null()
                } else {
                    a
                };
                if op % 40 == 30 {
                    out_string(e, hk_engine_nps(e, q, &mut out), out, "nps");
                } else {
                    out_string(e, hk_engine_ratings(e, q, &mut out), out, "ratings");
                }
            }
            35 => {
                check(
                    e,
                    hk_engine_fail(e, s.message_id.as_ptr(), a, sc.flag, now, &mut n_i64),
                    "fail(reason)",
                );
            }
            36 => {
                check(e, hk_engine_review_clicked(e, id, now), "review_clicked");
            }
            37 => {
                // The contact as unsubscribed, then exported: hashes must be hex.
                if check(
                    e,
                    hk_engine_unsubscribe_contact(e, a, now),
                    "unsubscribe_contact",
                ) {
                    let mut bundle = null_mut();
                    let code = hk_engine_export_suppressions(e, &mut bundle);
                    assert_eq!(code, HK_OK);
                    take(bundle, "export_suppressions");
                }
            }
            38 => {
                check(
                    e,
                    hk_engine_review_confirmed(e, id, now),
                    "review_confirmed",
                );
            }
            _ => {
                // hk_result_name / version: static strings for any code.
                let name = CStr::from_ptr(hk_result_name(u32::from(data[1]))).to_str();
                assert!(name.is_ok());
                check(
                    e,
                    hk_engine_unsubscribe_contact(e, a, now),
                    "unsubscribe_contact",
                );
            }
        }
    }
});
