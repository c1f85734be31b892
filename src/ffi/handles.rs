//! Read-only handles built from a JSON result (a report, a window), for hosts without a JSON
//! parser: the one way they are made and the one way they are freed.

use std::ffi::{CString, c_char};

use serde::de::DeserializeOwned;

use super::boundary::{Out, guarded, owned_c_string, text, without_engine};
use super::result::{Failure, HK_OK, HK_RESULT_NULL_ARGUMENT, HK_RESULT_PANIC, hk_result};
use crate::error::{Error, Problem};

/// Parses `json` as a `T` and hands C a boxed handle built from it.
///
/// # Safety
/// `json` is NULL or NUL-terminated; `handle_out` and `error_out` are NULL or writable.
pub(crate) unsafe fn parse_into<T: DeserializeOwned, H>(
    json: *const c_char,
    json_name: &'static str,
    record: &'static str,
    handle_out: *mut *mut H,
    error_out: *mut *mut c_char,
    build: impl FnOnce(T) -> H,
) -> hk_result {
    let body = || {
        // SAFETY: NULL or NUL-terminated (contract above).
        let json = unsafe { text(json, json_name) }?;
        let out = Out::new(handle_out, "handle_out")?;
        let value: T = serde_json::from_str(json).map_err(|e| {
            Failure::Engine(Error::invalid(Problem::top(
                record,
                "",
                format!("not a {record} (line {} column {})", e.line(), e.column()),
            )))
        })?;
        out.set(Box::into_raw(Box::new(build(value))));
        Ok(())
    };
    // SAFETY: `error_out` is NULL or writable (contract above).
    unsafe { without_engine(error_out, body) }
}

/// Frees a boxed handle and clears the caller's variable; NULL at either level is fine.
///
/// # Safety
/// `slot` is NULL or points to NULL or to a live handle made by [`parse_into`].
pub(crate) unsafe fn free_handle<H>(slot: *mut *mut H) {
    guarded((), || {
        // SAFETY: NULL or a readable, writable slot (contract above).
        let Some(slot) = (unsafe { slot.as_mut() }) else {
            return;
        };
        let handle = std::mem::replace(slot, std::ptr::null_mut());
        if !handle.is_null() {
            // SAFETY: made by `Box::into_raw` in `parse_into`, released once: the slot is
            // cleared first.
            drop(unsafe { Box::from_raw(handle) });
        }
    })
}

/// Reads a handle's field, or returns `fallback` for a NULL handle.
///
/// # Safety
/// `handle` is NULL or a live handle.
pub(crate) unsafe fn read<H, T: Copy>(handle: *const H, fallback: T, f: impl FnOnce(&H) -> T) -> T {
    // SAFETY: NULL or a live handle (contract above).
    match unsafe { handle.as_ref() } {
        Some(h) => guarded(fallback, || f(h)),
        None => fallback,
    }
}

/// Any displayable value as an owned C string.
pub(crate) fn c(s: impl ToString) -> CString {
    owned_c_string(s.to_string())
}

/// The length of a list as a C count.
pub(crate) fn count<T>(items: &[T]) -> u32 {
    u32::try_from(items.len()).unwrap_or(u32::MAX)
}

/// Item `index` of a list, if there is one.
pub(crate) fn at<T>(items: &[T], index: u32) -> Option<&T> {
    items.get(usize::try_from(index).ok()?)
}

/// Item `index` of a list of C strings as a borrowed pointer, or NULL past the end.
pub(crate) fn string_at(items: &[CString], index: u32) -> *const c_char {
    at(items, index).map_or(std::ptr::null(), |s| s.as_ptr())
}

/// Runs a reader that writes out-parameters; a NULL handle gives `HK_RESULT_NULL_ARGUMENT`.
///
/// # Safety
/// `handle` is NULL or a live handle.
pub(crate) unsafe fn read_item<H>(
    handle: *const H,
    body: impl FnOnce(&H) -> Result<(), hk_result>,
) -> hk_result {
    guarded(HK_RESULT_PANIC, || {
        // SAFETY: NULL or a live handle (contract above).
        match unsafe { handle.as_ref() } {
            Some(h) => body(h).err().unwrap_or(HK_OK),
            None => HK_RESULT_NULL_ARGUMENT,
        }
    })
}

/// An out-parameter of a reader: NULL gives `HK_RESULT_NULL_ARGUMENT`.
pub(crate) fn slot<T>(ptr: *mut T) -> Result<Out<T>, hk_result> {
    Out::new(ptr, "out").map_err(|f| f.code())
}
