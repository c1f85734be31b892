//! The panic boundary around every C entry point, and the checks on every pointer it receives.
//!
//! Since Rust 1.81 a panic unwinding out of an `extern "C"` function aborts the host
//! process (the POS server), so every body runs inside [`catch_unwind`]. Arguments are
//! checked before any work starts, so a rejected call has no effect and writes no output.

use crate::engine::Engine;
use std::ffi::{CStr, CString, c_char};
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::ptr::NonNull;
use std::sync::Mutex;

use chrono::{DateTime, Utc};

use super::result::{Failure, HK_OK, HK_RESULT_NULL_ARGUMENT, hk_result};

/// An open hearken database. Opaque; shared freely between threads until `hk_engine_free`.
#[allow(non_camel_case_types)]
pub struct hk_engine {
    pub(crate) engine: Engine,
    /// Detail JSON of the most recent failed call on this handle, whatever its thread.
    last_error: Mutex<Option<String>>,
}

impl hk_engine {
    /// Keeps a failure's detail as the handle's last error.
    pub(crate) fn remember(&self, failure: &Failure) {
        let json = failure.to_json();
        *self.last_error.lock().unwrap_or_else(|p| p.into_inner()) = Some(json);
    }

    pub(super) fn last_error(&self) -> Option<String> {
        self.last_error
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .clone()
    }

    pub(super) fn boxed(engine: Engine) -> *mut hk_engine {
        Box::into_raw(Box::new(hk_engine {
            engine,
            last_error: Mutex::new(None),
        }))
    }
}

const _: () = {
    const fn shareable<T: Send + Sync>() {}
    shareable::<hk_engine>();
};

/// Runs `body` on the handle behind `engine`; a failure is kept on the handle as its last error.
///
/// # Safety
/// `engine` is NULL or a live handle from `hk_engine_open*`.
pub(crate) unsafe fn with_engine(
    engine: *const hk_engine,
    body: impl FnOnce(&hk_engine) -> Result<(), Failure>,
) -> hk_result {
    // SAFETY: NULL or a live handle, by this function's contract.
    let Some(handle) = (unsafe { engine.as_ref() }) else {
        return HK_RESULT_NULL_ARGUMENT;
    };
    let outcome = catch_unwind(AssertUnwindSafe(|| body(handle))).unwrap_or(Err(Failure::Panic));
    match outcome {
        Ok(()) => HK_OK,
        Err(failure) => {
            let code = failure.code();
            // Keeping the detail allocates; a panic there must not escape either.
            let _ = catch_unwind(AssertUnwindSafe(|| handle.remember(&failure)));
            code
        }
    }
}

/// Runs a body that has no engine handle; a failure's detail goes to `error_out` if given.
///
/// # Safety
/// `error_out` is NULL or a writable `char *` slot.
pub(crate) unsafe fn without_engine(
    error_out: *mut *mut c_char,
    body: impl FnOnce() -> Result<(), Failure>,
) -> hk_result {
    let outcome = catch_unwind(AssertUnwindSafe(body)).unwrap_or(Err(Failure::Panic));
    match outcome {
        Ok(()) => HK_OK,
        Err(failure) => {
            let code = failure.code();
            let _ = catch_unwind(AssertUnwindSafe(|| {
                if let Some(out) = NonNull::new(error_out) {
                    // SAFETY: the caller passes NULL or a writable `char *` slot.
                    unsafe { out.write(c_string(failure.to_json())) };
                }
            }));
            code
        }
    }
}

/// Runs an infallible body (a getter, a free), returning `fallback` if it panics.
pub(crate) fn guarded<T>(fallback: T, body: impl FnOnce() -> T) -> T {
    catch_unwind(AssertUnwindSafe(body)).unwrap_or(fallback)
}

/// Borrows a NUL-terminated UTF-8 string argument.
///
/// # Safety
/// `ptr` is NULL or points to a NUL-terminated string that outlives `'a`.
pub(crate) unsafe fn text<'a>(ptr: *const c_char, name: &'static str) -> Result<&'a str, Failure> {
    if ptr.is_null() {
        return Err(Failure::Null(name));
    }
    // SAFETY: non-NULL and NUL-terminated by the contract of every `const char *` argument.
    let bytes = unsafe { CStr::from_ptr(ptr) };
    bytes
        .to_str()
        .map_err(|e| Failure::Utf8(name, e.valid_up_to()))
}

/// Borrows an optional NUL-terminated UTF-8 string argument: NULL means "not given".
///
/// # Safety
/// As [`text`].
pub(crate) unsafe fn optional_text<'a>(
    ptr: *const c_char,
    name: &'static str,
) -> Result<Option<&'a str>, Failure> {
    if ptr.is_null() {
        return Ok(None);
    }
    // SAFETY: forwarded contract; non-NULL here.
    unsafe { text(ptr, name) }.map(Some)
}

/// A `uint32_t` flag from C: 0 or 1, anything else is invalid input naming the argument.
pub(crate) fn flag(value: u32, name: &'static str) -> Result<bool, Failure> {
    match value {
        0 => Ok(false),
        1 => Ok(true),
        _ => Err(Failure::Range(name, "expected 0 or 1")),
    }
}

/// An out-parameter checked for NULL; written once, on success only.
pub(crate) struct Out<T>(NonNull<T>);

impl<T> Out<T> {
    /// Checks an out-parameter for NULL.
    pub(crate) fn new(ptr: *mut T, name: &'static str) -> Result<Self, Failure> {
        NonNull::new(ptr).map(Out).ok_or(Failure::Null(name))
    }

    /// Writes the output, without reading or dropping what the slot held before.
    pub(crate) fn set(self, value: T) {
        // SAFETY: non-NULL, and the caller passes a writable, aligned slot of this type.
        unsafe { self.0.write(value) }
    }
}

impl Out<*mut c_char> {
    /// Writes a caller-owned copy of `s` (freed with `hk_string_free`).
    pub(crate) fn set_string(self, s: String) {
        self.set(c_string(s));
    }
}

/// Converts `now` from Unix milliseconds; outside hearken's one range of instants
/// (T3, [`crate::rules::time::MIN_MS`]..=[`crate::rules::time::MAX_MS`]) it is invalid input.
pub(crate) fn now(ms: i64) -> Result<DateTime<Utc>, Failure> {
    crate::rules::time::from_ms(ms)
        .ok_or(Failure::Range("now_ms", crate::rules::time::OUT_OF_RANGE))
}

/// Hands a string to C as a caller-owned `char *`. JSON never holds a raw NUL; any NUL in
/// plain text (a host id could carry one) becomes U+FFFD so the string is not cut short.
pub(crate) fn c_string(s: String) -> *mut c_char {
    owned_c_string(s).into_raw()
}

/// `s` as a C string, with any interior NUL replaced by U+FFFD.
pub(crate) fn owned_c_string(s: String) -> CString {
    CString::new(s).unwrap_or_else(|e| {
        let fixed = String::from_utf8_lossy(&e.into_vec()).replace('\0', "\u{FFFD}");
        CString::new(fixed).unwrap_or_default()
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ffi::result::{HK_RESULT_INVALID_UTF8, HK_RESULT_PANIC};

    #[test]
    fn a_panicking_body_returns_the_panic_code() {
        let mut err: *mut c_char = std::ptr::null_mut();
        // SAFETY: `err` is a writable slot.
        let code = unsafe { without_engine(&mut err, || panic!("boom")) };
        assert_eq!(code, HK_RESULT_PANIC);
        assert!(!err.is_null());
        // SAFETY: written by `without_engine` from `CString::into_raw`.
        let json = unsafe { CString::from_raw(err) }.into_string().unwrap();
        assert!(json.starts_with(r#"{"kind":"internal""#), "{json}");
        assert!(!json.contains("boom"));
    }

    #[test]
    fn a_panicking_getter_returns_its_fallback() {
        assert_eq!(guarded(7u32, || panic!("boom")), 7);
    }

    #[test]
    fn invalid_utf8_names_the_argument_and_offset() {
        let bad = c"ab\xffc";
        // SAFETY: a static C string.
        let err = unsafe { text(bad.as_ptr(), "contact") }.unwrap_err();
        assert_eq!(err.code(), HK_RESULT_INVALID_UTF8);
        assert!(err.to_json().contains("offset 2"));
    }

    #[test]
    fn interior_nul_is_replaced_not_truncated() {
        assert_eq!(
            owned_c_string("a\0b".to_owned()).as_bytes(),
            "a\u{FFFD}b".as_bytes()
        );
    }

    #[test]
    fn optional_text_takes_null_as_absent_and_still_checks_utf8() {
        // SAFETY: NULL and static C strings.
        unsafe {
            assert_eq!(optional_text(std::ptr::null(), "language").unwrap(), None);
            assert_eq!(
                optional_text(c"ko".as_ptr(), "language").unwrap(),
                Some("ko")
            );
            let err = optional_text(c"k\xffo".as_ptr(), "language").unwrap_err();
            assert_eq!(err.code(), HK_RESULT_INVALID_UTF8);
        }
    }

    #[test]
    fn flags_are_zero_or_one() {
        assert!(!flag(0, "permanent").unwrap());
        assert!(flag(1, "permanent").unwrap());
        let err = flag(2, "permanent").unwrap_err();
        assert!(err.to_json().contains(r#""field":"permanent""#));
    }

    #[test]
    fn now_out_of_range_is_invalid_input() {
        assert!(now(i64::MAX).is_err());
        assert!(now(-1).is_err());
        assert!(now(crate::rules::time::MAX_MS + 1).is_err());
        assert_eq!(now(0).unwrap().timestamp_millis(), 0);
        assert_eq!(
            now(crate::rules::time::MAX_MS).unwrap().to_rfc3339(),
            "9999-12-31T23:59:59.999+00:00"
        );
    }
}
