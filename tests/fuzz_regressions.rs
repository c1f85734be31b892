//! Findings of the fuzz targets (fuzz/, docs/fuzzing.md), each as its minimal reproducer.

mod common;

use std::ffi::{CStr, CString};
use std::ptr::null_mut;

use common::{engine, paris_night};
use hearken::ErrorKind;
use hearken::ffi::*;

/// A backfill file with a byte that is not UTF-8 on line 2 (backfill_import and
/// c_entry_points, first minutes of fuzzing). It was reported as a storage failure
/// ("i/o: stream did not contain valid UTF-8", C: HK_RESULT_STORAGE) with no line, as if the
/// disk had failed. It is bad input: rejected whole, naming the line, and the lines after
/// it are still checked.
const NOT_UTF8: &[u8] =
    b"{\"format\":1,\"location\":\"seoul\"}\n{\"format\":1,\"l\x92o\"}\n{\"format\":9}\n";

#[test]
fn backfill_with_invalid_utf8_is_invalid_input_naming_the_line() {
    let e = engine();
    let err = e
        .backfill_reader(NOT_UTF8, paris_night("2026-11-20"), |_| {})
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::InvalidInput, "{}", err.to_json());
    let records: Vec<&str> = err.problems().iter().map(|p| p.record.as_str()).collect();
    assert!(
        records.iter().any(|r| r.starts_with("line 2:")),
        "{records:?}"
    );
    assert!(
        records.iter().any(|r| r.starts_with("line 3:")),
        "the lines after it are still checked: {records:?}"
    );
    assert!(
        !err.to_json().contains('\u{FFFD}'),
        "the bad bytes are not echoed"
    );
}

#[test]
fn c_backfill_file_with_invalid_utf8_is_invalid_input() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("backfill.jsonl");
    std::fs::write(&path, NOT_UTF8).unwrap();
    let path = CString::new(path.to_str().unwrap()).unwrap();
    let mut e = null_mut();
    let mut out = null_mut();
    // SAFETY: live handle, NUL-terminated strings, writable slots; outputs freed once.
    unsafe {
        assert_eq!(hk_engine_open_in_memory(&mut e, null_mut()), HK_OK);
        let loc = cr#"{"id":"seoul","name":"Seoul","time_zone":"Asia/Seoul"}"#;
        assert_eq!(hk_engine_upsert_location(e, loc.as_ptr()), HK_OK);
        let code = hk_engine_backfill_file(
            e,
            path.as_ptr(),
            paris_night("2026-11-20").timestamp_millis(),
            None,
            null_mut(),
            &mut out,
        );
        let detail = hk_engine_last_error(e);
        let text = CStr::from_ptr(detail).to_str().unwrap().to_owned();
        hk_string_free(detail);
        hk_engine_free(&mut e);
        assert_eq!(code, HK_RESULT_INVALID_INPUT, "{text}");
        assert!(out.is_null());
        assert!(text.contains(r#""record":"line 2: "#), "{text}");
    }
}
