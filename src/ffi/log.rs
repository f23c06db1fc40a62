//! C boundary of the log handler.

use std::ffi::{c_char, c_int, c_void};

use super::guard;

/// A log handler: `priority` is a syslog `LOG_*` value, `message` a
/// NUL-terminated string valid only during the call, `user_data` the
/// pointer given to rivalguard_set_log_handler().
#[allow(non_camel_case_types)]
pub type rivalguard_log_fn =
    Option<unsafe extern "C" fn(priority: c_int, message: *const c_char, user_data: *mut c_void)>;

/// Sends the library's log messages to `handler` (NULL: stay silent, the
/// default). The library never writes to stdout or stderr. Pacemaker passes
/// a handler that calls `qb_log`. The handler may be called from any thread
/// that calls into the library, and must not call back into rivalguard.
#[unsafe(no_mangle)]
pub extern "C" fn rivalguard_set_log_handler(handler: rivalguard_log_fn, user_data: *mut c_void) {
    guard((), || crate::log::set_handler(handler, user_data));
}
