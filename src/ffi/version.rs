//! Library and ABI versions, for the header and for the running library.

use std::ffi::c_char;

use super::boundary::guarded;
use super::result::{hk_result, result_name};

/// ABI version of this header: bumped on any incompatible change to a declaration.
pub const HK_ABI_VERSION: u32 = 1;
/// Major version of the hearken release this header belongs to.
pub const HK_VERSION_MAJOR: u32 = 0;
/// Minor version of the hearken release this header belongs to.
pub const HK_VERSION_MINOR: u32 = 1;
/// Patch version of the hearken release this header belongs to.
pub const HK_VERSION_PATCH: u32 = 0;

/// The version of the linked library, e.g. "0.1.0" (static string; do not free).
#[unsafe(no_mangle)]
pub extern "C" fn hk_version() -> *const c_char {
    guarded(c"".as_ptr(), || VERSION.as_ptr())
}

/// The ABI version of the linked library; compare it with `HK_ABI_VERSION` at start-up.
#[unsafe(no_mangle)]
pub extern "C" fn hk_abi_version() -> u32 {
    HK_ABI_VERSION
}

/// The stable name of a result code ("ok", "invalid_input", ..., "unknown"); static, do not free.
#[unsafe(no_mangle)]
pub extern "C" fn hk_result_name(result: hk_result) -> *const c_char {
    guarded(c"unknown".as_ptr(), || result_name(result).as_ptr())
}

const VERSION: &std::ffi::CStr = match std::ffi::CStr::from_bytes_with_nul(
    concat!(env!("CARGO_PKG_VERSION"), "\0").as_bytes(),
) {
    Ok(v) => v,
    Err(_) => panic!("package version has a NUL"),
};

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn header_version_defines_match_the_package() {
        assert_eq!(
            HK_VERSION_MAJOR.to_string(),
            env!("CARGO_PKG_VERSION_MAJOR")
        );
        assert_eq!(
            HK_VERSION_MINOR.to_string(),
            env!("CARGO_PKG_VERSION_MINOR")
        );
        assert_eq!(
            HK_VERSION_PATCH.to_string(),
            env!("CARGO_PKG_VERSION_PATCH")
        );
        assert_eq!(VERSION.to_str(), Ok(env!("CARGO_PKG_VERSION")));
    }
}
