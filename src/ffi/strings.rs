//! Strings hearken hands to C, and their one release function.

use std::ffi::{CString, c_char};

use super::boundary::guarded;

/// Frees a string returned by hearken (JSON, text or error detail). NULL is fine.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn hk_string_free(s: *mut c_char) {
    guarded((), || {
        if !s.is_null() {
            // SAFETY: made by `CString::into_raw` in this library, freed once (contract above).
            drop(unsafe { CString::from_raw(s) });
        }
    })
}
