//! The library's only output channel: a handler the host installs
//! (Pacemaker passes one that calls `qb_log`). Silent until one is set;
//! nothing is ever written to stdout or stderr.

use std::ffi::{CString, c_char, c_int, c_void};
use std::fmt;
use std::sync::RwLock;

/// syslog `LOG_CRIT`.
pub const LOG_CRIT: c_int = 2;
/// syslog `LOG_ERR`.
pub const LOG_ERR: c_int = 3;
/// syslog `LOG_WARNING`.
pub const LOG_WARNING: c_int = 4;
/// syslog `LOG_NOTICE`.
pub const LOG_NOTICE: c_int = 5;
/// syslog `LOG_INFO`.
pub const LOG_INFO: c_int = 6;
/// syslog `LOG_DEBUG`.
pub const LOG_DEBUG: c_int = 7;

/// The C signature of a log handler.
pub type LogFn =
    unsafe extern "C" fn(priority: c_int, message: *const c_char, user_data: *mut c_void);

#[derive(Clone, Copy)]
struct Handler {
    function: LogFn,
    /// The host's `user_data`, kept as an address so the handler is `Send`;
    /// it is only ever handed back to the host's own function.
    user_data: usize,
}

static HANDLER: RwLock<Option<Handler>> = RwLock::new(None);

/// Installs (or, with `None`, removes) the log handler.
pub fn set_handler(function: Option<LogFn>, user_data: *mut c_void) {
    let handler = function.map(|function| Handler {
        function,
        user_data: user_data as usize,
    });
    *HANDLER
        .write()
        .unwrap_or_else(|poisoned| poisoned.into_inner()) = handler;
}

/// Whether a handler is installed (lets callers skip formatting).
pub fn enabled() -> bool {
    HANDLER
        .read()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
        .is_some()
}

/// Formats and sends one message to the handler, if any. Interior NUL
/// bytes are replaced so the message is never dropped.
pub fn emit(priority: c_int, args: fmt::Arguments<'_>) {
    let Some(handler) = *HANDLER
        .read()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
    else {
        return;
    };
    let text = fmt::format(args).replace('\0', "\\0");
    let Ok(message) = CString::new(text) else {
        return;
    };
    // SAFETY: the host promised, by installing it, that `function` may be
    // called with a NUL-terminated message and its own `user_data`.
    unsafe { (handler.function)(priority, message.as_ptr(), handler.user_data as *mut c_void) };
}

/// Logs through the handler with `format!` syntax; formats nothing when no
/// handler is installed.
#[macro_export]
macro_rules! rg_log {
    ($priority:expr, $($arg:tt)+) => {
        if $crate::log::enabled() {
            $crate::log::emit($priority, format_args!($($arg)+));
        }
    };
}
