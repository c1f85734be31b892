//! A parsed sync window with typed readers: which dates to send tonight, which need a backfill.

use std::ffi::{CString, c_char};

use super::handles::{c, count, free_handle, parse_into, read, string_at};
use super::result::hk_result;
use crate::model::SyncWindow;

/// A sync window read from its JSON, with typed readers. Opaque; free with `hk_sync_window_free`.
#[allow(non_camel_case_types)]
pub struct hk_sync_window {
    location: CString,
    today: CString,
    last_synced: Option<CString>,
    dates: Vec<CString>,
    missing: Vec<CString>,
    next_sync_at_ms: i64,
}

impl hk_sync_window {
    fn new(window: SyncWindow) -> Self {
        hk_sync_window {
            location: c(&window.location),
            today: c(window.today),
            last_synced: window.last_synced.map(c),
            dates: window.dates.iter().map(c).collect(),
            missing: window.missing.iter().map(c).collect(),
            next_sync_at_ms: window.next_sync_at.timestamp_millis(),
        }
    }
}

/// Reads a sync window (the JSON written by `hk_engine_sync_window`) into a handle.
///
/// On failure nothing is written to `*window_out` and, if `error_out` is not NULL,
/// `*error_out` receives the error detail JSON (free it with `hk_string_free`).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn hk_sync_window_parse(
    window_json: *const c_char,
    window_out: *mut *mut hk_sync_window,
    error_out: *mut *mut c_char,
) -> hk_result {
    // SAFETY: forwarded contract.
    unsafe {
        parse_into(
            window_json,
            "window_json",
            "sync window",
            window_out,
            error_out,
            hk_sync_window::new,
        )
    }
}

/// Frees a window handle and sets `*window` to NULL; NULL or `*window` NULL is fine.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn hk_sync_window_free(window: *mut *mut hk_sync_window) {
    // SAFETY: forwarded contract.
    unsafe { free_handle(window) }
}

/// Host id of the location; borrowed, valid until the window is freed.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn hk_sync_window_location(window: *const hk_sync_window) -> *const c_char {
    // SAFETY: forwarded contract.
    unsafe { read(window, std::ptr::null(), |w| w.location.as_ptr()) }
}

/// The location's local date at `now`, `YYYY-MM-DD`; borrowed.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn hk_sync_window_today(window: *const hk_sync_window) -> *const c_char {
    // SAFETY: forwarded contract.
    unsafe { read(window, std::ptr::null(), |w| w.today.as_ptr()) }
}

/// The latest business date synced so far, `YYYY-MM-DD`, or NULL if none yet; borrowed.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn hk_sync_window_last_synced(
    window: *const hk_sync_window,
) -> *const c_char {
    // SAFETY: forwarded contract.
    unsafe {
        read(window, std::ptr::null(), |w| {
            w.last_synced
                .as_ref()
                .map_or(std::ptr::null(), |d| d.as_ptr())
        })
    }
}

/// Number of business dates the host must include in tonight's batch.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn hk_sync_window_date_count(window: *const hk_sync_window) -> u32 {
    // SAFETY: forwarded contract.
    unsafe { read(window, 0, |w| count(&w.dates)) }
}

/// Business date `index` of tonight's batch, oldest first, or NULL past the end; borrowed.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn hk_sync_window_date(
    window: *const hk_sync_window,
    index: u32,
) -> *const c_char {
    // SAFETY: forwarded contract.
    unsafe { read(window, std::ptr::null(), |w| string_at(&w.dates, index)) }
}

/// Number of missed dates beyond the catch-up allowance: only a backfill closes them.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn hk_sync_window_missing_count(window: *const hk_sync_window) -> u32 {
    // SAFETY: forwarded contract.
    unsafe { read(window, 0, |w| count(&w.missing)) }
}

/// Missing date `index`, oldest first, or NULL past the end; borrowed.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn hk_sync_window_missing_date(
    window: *const hk_sync_window,
    index: u32,
) -> *const c_char {
    // SAFETY: forwarded contract.
    unsafe { read(window, std::ptr::null(), |w| string_at(&w.missing, index)) }
}

/// The next sync instant at the location's sync hour, Unix ms (0 for a NULL handle).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn hk_sync_window_next_sync_at(window: *const hk_sync_window) -> i64 {
    // SAFETY: forwarded contract.
    unsafe { read(window, 0, |w| w.next_sync_at_ms) }
}
