//! The C boundary, and nothing else: pointer and length checks, the panic
//! guard, and conversions between C integers and Rust types. Every exported
//! function is a plain `extern "C" fn` (so cbindgen sees it) whose whole
//! body runs inside [`guard`].

use std::cell::Cell;
use std::ffi::c_int;
use std::panic::{self, AssertUnwindSafe};
use std::sync::Once;

use crate::log::LOG_CRIT;
use crate::rg_log;

pub mod classify;
pub mod endpoint;
pub mod log;
pub mod tracker;
pub mod version;

/// cbindgen:ignore
/// `errno` values returned by the C API (valid Pacemaker standard return
/// codes, so `pcmk_rc_str()` can describe them).
pub mod rc {
    use std::ffi::c_int;
    /// Success.
    pub const OK: c_int = 0;
    /// A bad argument: NULL pointer, absurd length, out-of-range enum.
    pub const EINVAL: c_int = libc::EINVAL;
    /// Out of memory.
    pub const ENOMEM: c_int = libc::ENOMEM;
    /// A caller's buffer is too small.
    pub const ENOBUFS: c_int = libc::ENOBUFS;
    /// A name longer than libqb carries.
    pub const ENAMETOOLONG: c_int = libc::ENAMETOOLONG;
    /// An internal bug (a panic) was caught at the boundary.
    pub const ENOTRECOVERABLE: c_int = libc::ENOTRECOVERABLE;
}

thread_local! {
    /// Whether this thread is inside [`guard`], so the panic hook knows the
    /// panic is ours (reported through the log handler, never to stderr)
    /// and leaves any other panic to the previous hook.
    static INSIDE_GUARD: Cell<u32> = const { Cell::new(0) };
}

static INSTALL_HOOK: Once = Once::new();

fn install_panic_hook() {
    INSTALL_HOOK.call_once(|| {
        let previous = panic::take_hook();
        panic::set_hook(Box::new(move |info| {
            if INSIDE_GUARD.with(Cell::get) > 0 {
                rg_log!(
                    LOG_CRIT,
                    "rivalguard: internal error caught at the C boundary: {info}"
                );
            } else {
                previous(info);
            }
        }));
    });
}

/// Runs `body`, turning a panic into `on_panic` so that no panic ever
/// unwinds into the C caller (which would abort the host daemon).
pub fn guard<T>(on_panic: T, body: impl FnOnce() -> T) -> T {
    install_panic_hook();
    INSIDE_GUARD.with(|depth| depth.set(depth.get() + 1));
    let result = panic::catch_unwind(AssertUnwindSafe(body));
    INSIDE_GUARD.with(|depth| depth.set(depth.get() - 1));
    result.unwrap_or(on_panic)
}

/// The checks of a non-empty C list before it is borrowed: not NULL,
/// aligned, and a byte size that fits in `isize` (else `EINVAL`).
fn check_list<T>(ptr: *const T, len: usize) -> Result<(), c_int> {
    if ptr.is_null() || !ptr.is_aligned() || len > isize::MAX as usize / size_of::<T>().max(1) {
        return Err(rc::EINVAL);
    }
    Ok(())
}

/// Borrows a C `(pointer, length)` list. Length 0 is an empty list
/// whatever the pointer; NULL with a length, a misaligned pointer or a
/// length whose byte size overflows `isize` is `EINVAL`.
///
/// # Safety
/// When `len > 0` and `ptr` is not NULL, `ptr` must point to `len`
/// initialised values that stay valid and unchanged for `'a`.
pub unsafe fn c_slice<'a, T>(ptr: *const T, len: usize) -> Result<&'a [T], c_int> {
    if len == 0 {
        return Ok(&[]);
    }
    check_list(ptr, len)?;
    // SAFETY: non-NULL, aligned, and the byte size fits in isize (checked
    // above); validity for `len` elements is the caller's contract.
    Ok(unsafe { std::slice::from_raw_parts(ptr, len) })
}

/// Borrows a C output buffer of `len` elements, with the same rules as
/// [`c_slice`].
///
/// # Safety
/// When `len > 0` and `ptr` is not NULL, `ptr` must point to `len` writable
/// values, not aliased elsewhere for `'a`.
pub unsafe fn c_slice_mut<'a, T>(ptr: *mut T, len: usize) -> Result<&'a mut [T], c_int> {
    if len == 0 {
        return Ok(&mut []);
    }
    check_list(ptr, len)?;
    // SAFETY: as in c_slice, plus exclusivity from the caller's contract.
    Ok(unsafe { std::slice::from_raw_parts_mut(ptr, len) })
}

/// Writes `value` through a C out-parameter, or fails with `EINVAL` when
/// it is NULL or misaligned.
///
/// # Safety
/// A non-NULL `ptr` must be valid for a write of `T`.
pub unsafe fn write_out<T>(ptr: *mut T, value: T) -> c_int {
    if ptr.is_null() || !ptr.is_aligned() {
        return rc::EINVAL;
    }
    // SAFETY: non-NULL and aligned; validity is the caller's contract.
    unsafe { ptr.write(value) };
    rc::OK
}

/// Whether an out-parameter can be written (checked before any work, so a
/// bad call changes nothing).
pub fn out_ok<T>(ptr: *mut T) -> bool {
    !ptr.is_null() && ptr.is_aligned()
}

/// Test-only (cargo feature `testing-panic`): panics inside the guard, so
/// the C tests can prove that a panic becomes `ENOTRECOVERABLE` and never
/// unwinds into (or aborts) the host. Not in the header; never in a release.
#[cfg(feature = "testing-panic")]
#[unsafe(no_mangle)]
pub extern "C" fn rivalguard_testing_force_panic() -> c_int {
    guard(rc::ENOTRECOVERABLE, || {
        panic!("forced by rivalguard_testing_force_panic")
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn guard_turns_a_panic_into_the_fallback() {
        let value = guard(rc::ENOTRECOVERABLE, || -> c_int { panic!("forced") });
        assert_eq!(value, rc::ENOTRECOVERABLE);
        // The guard depth is restored, and later calls still work.
        assert_eq!(INSIDE_GUARD.with(Cell::get), 0);
        assert_eq!(guard(rc::ENOTRECOVERABLE, || rc::OK), rc::OK);
    }

    #[test]
    fn c_slice_rules() {
        let values = [1u32, 2, 3];
        // SAFETY: valid array of 3.
        assert_eq!(unsafe { c_slice(values.as_ptr(), 3) }, Ok(&values[..]));
        // SAFETY: length 0 never dereferences.
        assert_eq!(unsafe { c_slice::<u32>(std::ptr::null(), 0) }, Ok(&[][..]));
        // SAFETY: rejected before any dereference.
        assert_eq!(
            unsafe { c_slice::<u32>(std::ptr::null(), 1) },
            Err(rc::EINVAL)
        );
        // SAFETY: rejected before any dereference.
        assert_eq!(
            unsafe { c_slice(values.as_ptr(), usize::MAX) },
            Err(rc::EINVAL)
        );
        let misaligned = (values.as_ptr() as usize + 1) as *const u32;
        // SAFETY: rejected before any dereference.
        assert_eq!(unsafe { c_slice(misaligned, 1) }, Err(rc::EINVAL));
    }
}
