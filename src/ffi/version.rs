//! Library version, for the C API.

use std::ffi::c_char;

use super::guard;

/// Major version of the header (also `rivalguard_version()`).
pub const RIVALGUARD_VERSION_MAJOR: u32 = 0;
/// Minor version of the header.
pub const RIVALGUARD_VERSION_MINOR: u32 = 1;
/// Patch version of the header.
pub const RIVALGUARD_VERSION_PATCH: u32 = 0;

const VERSION: &std::ffi::CStr = match std::ffi::CStr::from_bytes_with_nul(
    concat!(env!("CARGO_PKG_VERSION"), "\0").as_bytes(),
) {
    Ok(version) => version,
    Err(_) => panic!("version string"),
};

/// The library's version, "MAJOR.MINOR.PATCH": a static string, never
/// freed. Compare with the `RIVALGUARD_VERSION_*` macros to detect a header
/// and library mismatch.
#[unsafe(no_mangle)]
pub extern "C" fn rivalguard_version() -> *const c_char {
    guard(c"unknown".as_ptr(), || VERSION.as_ptr())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn macros_match_the_crate_version() {
        let expected = format!(
            "{RIVALGUARD_VERSION_MAJOR}.{RIVALGUARD_VERSION_MINOR}.{RIVALGUARD_VERSION_PATCH}"
        );
        assert_eq!(env!("CARGO_PKG_VERSION"), expected);
        // SAFETY: rivalguard_version returns a static NUL-terminated string.
        let reported = unsafe { std::ffi::CStr::from_ptr(rivalguard_version()) };
        assert_eq!(reported.to_str().unwrap(), expected);
    }
}
