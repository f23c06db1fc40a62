//! C boundary of the endpoint pre-check: pointer checks, C strings, and
//! enum conversions around [`crate::endpoint`].

use std::ffi::{c_char, c_int};
use std::os::fd::BorrowedFd;
use std::os::unix::ffi::OsStrExt;
use std::path::Path;
use std::time::Duration;

use super::{guard, out_ok, rc, write_out};
use crate::endpoint::{self, Credentials, EndpointState, ProbeOptions, SUN_PATH_LEN, Startup};

/// The credentials the kernel reports for the process that serves an
/// endpoint (`SO_PEERCRED` of a connection to it: the process that called
/// `listen()`). For UNRESPONSIVE (no connection possible) they are found
/// best effort through /proc: the process holding the listening socket and
/// its effective ids (needs root or the holder's uid). When nobody was
/// identified (ABSENT, or UNRESPONSIVE without that permission) all three
/// fields are 0: pid 0 is never a peer, so `pid == 0` means "nobody
/// identified".
#[allow(non_camel_case_types)]
#[repr(C)]
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct rivalguard_credentials {
    /// Process id (of the process that called `listen()`: it may be stale
    /// after a fork).
    pub pid: u32,
    /// Its effective user id.
    pub uid: u32,
    /// Its effective group id.
    pub gid: u32,
}

impl From<Credentials> for rivalguard_credentials {
    fn from(c: Credentials) -> Self {
        Self {
            pid: c.pid,
            uid: c.uid,
            gid: c.gid,
        }
    }
}

/// Who serves a libqb IPC endpoint (values of the `state` filled by
/// rivalguard_endpoint_probe()).
#[allow(non_camel_case_types)]
#[repr(u32)]
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum rivalguard_endpoint_state {
    /// Nothing listens under that name (connect refused; in filesystem
    /// mode, no socket file or a stale one).
    RIVALGUARD_ENDPOINT_ABSENT = 0,
    /// Served by uid 0, `ref_uid` or (unless strict) `ref_gid`.
    RIVALGUARD_ENDPOINT_AUTHENTIC = 1,
    /// Served by anybody else: a squatter.
    RIVALGUARD_ENDPOINT_UNAUTHORIZED = 2,
    /// Something listens, but its listen queue stayed full until the
    /// timeout (a stopped or wedged holder): it cannot be identified.
    RIVALGUARD_ENDPOINT_UNRESPONSIVE = 3,
}

impl From<EndpointState> for rivalguard_endpoint_state {
    fn from(state: EndpointState) -> Self {
        match state {
            EndpointState::Absent => Self::RIVALGUARD_ENDPOINT_ABSENT,
            EndpointState::Authentic => Self::RIVALGUARD_ENDPOINT_AUTHENTIC,
            EndpointState::Unauthorized => Self::RIVALGUARD_ENDPOINT_UNAUTHORIZED,
            EndpointState::Unresponsive => Self::RIVALGUARD_ENDPOINT_UNRESPONSIVE,
        }
    }
}

/// What a starting daemon should do (values of the `verdict` filled by
/// rivalguard_startup_check()).
#[allow(non_camel_case_types)]
#[repr(u32)]
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum rivalguard_startup {
    /// Nobody serves the name: start.
    RIVALGUARD_STARTUP_PROCEED = 0,
    /// An authentic instance serves it: exit quietly (status 0).
    RIVALGUARD_STARTUP_ALREADY_ACTIVE = 1,
    /// A foreign process holds it: refuse to start, and name it (`holder`).
    RIVALGUARD_STARTUP_BLOCKED = 2,
    /// Something holds it and does not accept connections (its queue stayed
    /// full until the timeout): starting would fail to bind, or race it.
    RIVALGUARD_STARTUP_UNRESPONSIVE = 3,
}

impl From<Startup> for rivalguard_startup {
    fn from(verdict: Startup) -> Self {
        match verdict {
            Startup::Proceed => Self::RIVALGUARD_STARTUP_PROCEED,
            Startup::AlreadyActive => Self::RIVALGUARD_STARTUP_ALREADY_ACTIVE,
            Startup::Blocked => Self::RIVALGUARD_STARTUP_BLOCKED,
            Startup::Unresponsive => Self::RIVALGUARD_STARTUP_UNRESPONSIVE,
        }
    }
}

/// Options of rivalguard_endpoint_probe_with(). All zero (`{0}`) gives
/// exactly rivalguard_endpoint_probe().
#[allow(non_camel_case_types)]
#[repr(C)]
#[derive(Clone, Copy, Debug)]
pub struct rivalguard_probe_options {
    /// The file whose existence switches libqb to filesystem sockets; NULL:
    /// libqb's own (`/etc/libqb/force-filesystem-sockets`, as found in the
    /// installed libqb at build time).
    pub force_file: *const c_char,
    /// The directory of filesystem sockets; NULL: the one the installed
    /// libqb uses (`SOCKETDIR`, read from it at build time: `/tmp` on
    /// Debian 12, `$localstatedir/run` upstream; override at build time
    /// with `RIVALGUARD_LIBQB_SOCKET_DIR`). Must not be empty.
    pub socket_dir: *const c_char,
    /// How long a full listen queue is retried, in milliseconds; 0: the
    /// default, 1000 ms.
    pub timeout_ms: u32,
    /// Authentic only for uid 0 or `ref_uid` (a group match does not count).
    pub strict: bool,
}

/// The longest C string read for a path option: a path longer than this
/// cannot be a socket address anyway (`PATH_MAX`).
const MAX_OPTION_PATH: usize = libc::PATH_MAX as usize;

/// Reads a C string of at most `max` bytes (not counting its NUL), never
/// reading more than `max + 1` bytes. `Err(ENAMETOOLONG)` when no NUL comes
/// within them, `Err(EINVAL)` for NULL.
///
/// # Safety
/// A non-NULL `ptr` must point to a NUL-terminated string, or to at least
/// `max + 1` readable bytes.
unsafe fn bounded_c_str<'a>(ptr: *const c_char, max: usize) -> Result<&'a [u8], c_int> {
    if ptr.is_null() {
        return Err(rc::EINVAL);
    }
    let mut len = 0;
    // SAFETY: each byte read is at most the terminator or within `max + 1`
    // bytes, readable per the caller's contract.
    while unsafe { *ptr.add(len) } != 0 {
        if len == max {
            return Err(rc::ENAMETOOLONG);
        }
        len += 1;
    }
    // SAFETY: the `len` bytes before the terminator were just read.
    Ok(unsafe { std::slice::from_raw_parts(ptr.cast::<u8>(), len) })
}

/// Reads an endpoint name: NULL or empty is `EINVAL`; reading stops after
/// `sun_path`'s size, which no name libqb carries reaches (`ENAMETOOLONG`).
///
/// # Safety
/// As [`bounded_c_str`].
unsafe fn name_arg<'a>(name: *const c_char) -> Result<&'a [u8], c_int> {
    // SAFETY: the caller's contract.
    let name = unsafe { bounded_c_str(name, SUN_PATH_LEN) }?;
    endpoint::check_name(name)?;
    Ok(name)
}

/// Reads an optional path option (NULL: the default).
///
/// # Safety
/// As [`bounded_c_str`].
unsafe fn path_arg<'a>(path: *const c_char) -> Result<Option<&'a Path>, c_int> {
    if path.is_null() {
        return Ok(None);
    }
    // SAFETY: the caller's contract.
    let bytes = unsafe { bounded_c_str(path, MAX_OPTION_PATH) }?;
    if bytes.is_empty() {
        return Err(rc::EINVAL);
    }
    Ok(Some(Path::new(std::ffi::OsStr::from_bytes(bytes))))
}

/// Everything the probe functions share once their arguments are checked.
///
/// # Safety
/// `name` and the option strings as [`bounded_c_str`]; a non-NULL `options`
/// must point to a valid `rivalguard_probe_options`.
unsafe fn probe_args<'a>(
    name: *const c_char,
    options: *const rivalguard_probe_options,
) -> Result<(&'a [u8], ProbeOptions<'a>), c_int> {
    // SAFETY: the caller's contract.
    let name = unsafe { name_arg(name) }?;
    if options.is_null() {
        return Ok((name, ProbeOptions::default()));
    }
    if !options.is_aligned() {
        return Err(rc::EINVAL);
    }
    // SAFETY: non-NULL and aligned; valid per the caller's contract. Copied
    // so the caller's struct is read once.
    let options = unsafe { options.read() };
    // SAFETY: the caller's contract on the option strings.
    let (force_file, socket_dir) =
        unsafe { (path_arg(options.force_file)?, path_arg(options.socket_dir)?) };
    Ok((
        name,
        ProbeOptions {
            force_file,
            socket_dir,
            timeout: Some(Duration::from_millis(options.timeout_ms.into())),
            strict: options.strict,
        },
    ))
}

/// Finds out who serves the libqb IPC endpoint `name`, from the
/// credentials the kernel reports, without a libqb handshake.
///
/// The endpoint is reached exactly as a libqb client reaches it: an
/// abstract unix socket (the whole 108-byte NUL-padded `sun_path`), or
/// `SOCKETDIR/name` when libqb's force-filesystem-sockets file exists. One
/// non-blocking `connect()`, `SO_PEERCRED`, `close()`: the server runs none
/// of its callbacks, creates no shared memory and logs nothing above debug.
/// A stopped server is still identified (the kernel queues the
/// connection); a full listen queue is retried for 1000 ms, then reported
/// UNRESPONSIVE. The result is logged through the log handler: debug, or
/// warning for an unauthorized or unresponsive holder.
///
/// Authentic means Pacemaker's rule: uid 0, or uid == `ref_uid`, or
/// gid == `ref_gid` (see rivalguard_endpoint_probe_with() for a strict rule).
///
/// @param name     the endpoint name as given to `qb_ipcs_create()` ("attrd", "cib_rw", …)
/// @param ref_uid  the daemon's expected user (e.g. `hacluster`'s uid)
/// @param ref_gid  the daemon's expected group (e.g. `haclient`'s gid)
/// @param state    receives an `enum rivalguard_endpoint_state`
/// @param creds    receives the serving process's credentials; all 0 when
///                 ABSENT; best effort when UNRESPONSIVE (see
///                 `struct rivalguard_credentials`)
/// @return 0; EINVAL (`name`, `state` or `creds` NULL, or `name` empty);
///         ENAMETOOLONG (`name` longer than libqb carries: 106 bytes, or a
///         filesystem path over 107; never probed truncated); another errno
///         when `socket()`, `connect()` or `getsockopt()` fails otherwise
///         (e.g. EACCES, EMFILE); ENOTRECOVERABLE (internal error). Nothing
///         is written unless 0 is returned.
///
/// # Safety
/// `name` must be NULL or a NUL-terminated string; `state` and `creds` NULL
/// or valid for a write.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn rivalguard_endpoint_probe(
    name: *const c_char,
    ref_uid: u32,
    ref_gid: u32,
    state: *mut u32,
    creds: *mut rivalguard_credentials,
) -> c_int {
    guard(rc::ENOTRECOVERABLE, || {
        // SAFETY: the caller's contract on every pointer.
        unsafe {
            rivalguard_endpoint_probe_with(name, std::ptr::null(), ref_uid, ref_gid, state, creds)
        }
    })
}

/// rivalguard_endpoint_probe() with options: another force file or socket
/// directory (tests, non-default libqb builds), another timeout for a full
/// listen queue, or the strict authenticity rule (uid 0 or `ref_uid` only).
///
/// @param options  NULL, or options (all-zero fields mean the defaults)
/// @return as rivalguard_endpoint_probe(), plus EINVAL for an empty
///         `force_file` or `socket_dir`, and ENAMETOOLONG for one longer
///         than `PATH_MAX`.
///
/// # Safety
/// As rivalguard_endpoint_probe(); a non-NULL `options` must point to a
/// valid struct whose non-NULL strings are NUL-terminated.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn rivalguard_endpoint_probe_with(
    name: *const c_char,
    options: *const rivalguard_probe_options,
    ref_uid: u32,
    ref_gid: u32,
    state: *mut u32,
    creds: *mut rivalguard_credentials,
) -> c_int {
    guard(rc::ENOTRECOVERABLE, || {
        if !out_ok(state) || !out_ok(creds) {
            return rc::EINVAL;
        }
        // SAFETY: the caller's contract on `name` and `options`.
        let (name, options) = match unsafe { probe_args(name, options) } {
            Ok(args) => args,
            Err(code) => return code,
        };
        match endpoint::probe_with(name, ref_uid, ref_gid, &options) {
            Ok(probe) => {
                let found = probe
                    .credentials
                    .map(rivalguard_credentials::from)
                    .unwrap_or_default();
                // SAFETY: both checked non-NULL and aligned above; valid per the contract.
                unsafe {
                    write_out(state, rivalguard_endpoint_state::from(probe.state) as u32);
                    write_out(creds, found);
                }
                rc::OK
            }
            Err(code) => code,
        }
    })
}

/// Applies Pacemaker's authenticity rule (uid 0, uid == `ref_uid`, or
/// gid == `ref_gid`) to the peer of a connected unix socket, e.g. the fd of
/// a libqb connection (`qb_ipcc_fd_get()`). Reads `SO_PEERCRED` only: the
/// descriptor is neither closed nor changed.
///
/// @param fd         a connected `AF_UNIX` socket
/// @param authentic  receives whether the peer is authentic
/// @param creds      receives the peer's credentials
/// @return 0; EINVAL (`fd` negative, `authentic` or `creds` NULL); EBADF (not
///         an open descriptor); ENOTSOCK (not a socket); EAFNOSUPPORT (not a
///         unix socket); ENOTCONN (no peer); ENOTRECOVERABLE. Nothing is
///         written unless 0 is returned.
///
/// # Safety
/// `authentic` and `creds` must be NULL or valid for a write.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn rivalguard_socket_peer_check(
    fd: c_int,
    ref_uid: u32,
    ref_gid: u32,
    authentic: *mut bool,
    creds: *mut rivalguard_credentials,
) -> c_int {
    guard(rc::ENOTRECOVERABLE, || {
        if fd < 0 || !out_ok(authentic) || !out_ok(creds) {
            return rc::EINVAL;
        }
        // SAFETY: the descriptor is only passed to getsockopt(), which
        // neither closes nor changes it and validates the number itself
        // (EBADF); the caller keeps it open for the duration of the call.
        let fd = unsafe { BorrowedFd::borrow_raw(fd) };
        match endpoint::socket_peer_check(fd, ref_uid, ref_gid) {
            Ok((is_authentic, found)) => {
                // SAFETY: both checked non-NULL and aligned above; valid per the contract.
                unsafe {
                    write_out(authentic, is_authentic);
                    write_out(creds, rivalguard_credentials::from(found));
                }
                rc::OK
            }
            Err(code) => code,
        }
    })
}

/// What a starting daemon should do about its IPC endpoint `name`: call it
/// before joining CPG or publishing the endpoint. Probes like
/// rivalguard_endpoint_probe() and maps the state:
/// ABSENT → PROCEED, AUTHENTIC → ALREADY_ACTIVE (exit 0),
/// UNAUTHORIZED → BLOCKED (refuse; `holder` names the squatter),
/// UNRESPONSIVE → UNRESPONSIVE. Logs debug for PROCEED and ALREADY_ACTIVE,
/// error for BLOCKED (with the squatter's pid, uid and gid) and UNRESPONSIVE.
///
/// @param verdict  receives an `enum rivalguard_startup`
/// @param holder   receives the holder's credentials whenever something
///                 holds the name: exact for ALREADY_ACTIVE and BLOCKED,
///                 best effort for UNRESPONSIVE; all 0 for PROCEED
/// @return as rivalguard_endpoint_probe(). Nothing is written unless 0 is
///         returned; on an error the daemon should log it and carry on as
///         it did before this check existed.
///
/// # Safety
/// As rivalguard_endpoint_probe().
#[unsafe(no_mangle)]
pub unsafe extern "C" fn rivalguard_startup_check(
    name: *const c_char,
    ref_uid: u32,
    ref_gid: u32,
    verdict: *mut u32,
    holder: *mut rivalguard_credentials,
) -> c_int {
    guard(rc::ENOTRECOVERABLE, || {
        if !out_ok(verdict) || !out_ok(holder) {
            return rc::EINVAL;
        }
        // SAFETY: the caller's contract on `name`.
        let name = match unsafe { name_arg(name) } {
            Ok(name) => name,
            Err(code) => return code,
        };
        match endpoint::startup_check(name, ref_uid, ref_gid) {
            Ok((decided, found)) => {
                // SAFETY: both checked non-NULL and aligned above; valid per the contract.
                unsafe {
                    write_out(verdict, rivalguard_startup::from(decided) as u32);
                    write_out(
                        holder,
                        found.map(rivalguard_credentials::from).unwrap_or_default(),
                    );
                }
                rc::OK
            }
            Err(code) => code,
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    const SENTINEL: rivalguard_credentials = rivalguard_credentials {
        pid: 7,
        uid: 7,
        gid: 7,
    };

    fn probe_rc(name: *const c_char, state: *mut u32, creds: *mut rivalguard_credentials) -> c_int {
        // SAFETY: the tests pass NULL or valid pointers.
        unsafe { rivalguard_endpoint_probe(name, 0, 0, state, creds) }
    }

    #[test]
    fn bad_arguments_change_nothing() {
        let (mut state, mut creds) = (99u32, SENTINEL);
        let long = [b'x' as c_char; 200];
        let mut long_name = long.to_vec();
        long_name.push(0);
        let n107 = std::ffi::CString::new(vec![b'y'; 107]).unwrap();
        assert_eq!(
            probe_rc(std::ptr::null(), &mut state, &mut creds),
            rc::EINVAL
        );
        assert_eq!(probe_rc(c"".as_ptr(), &mut state, &mut creds), rc::EINVAL);
        assert_eq!(
            probe_rc(c"cmap".as_ptr(), std::ptr::null_mut(), &mut creds),
            rc::EINVAL
        );
        assert_eq!(
            probe_rc(c"cmap".as_ptr(), &mut state, std::ptr::null_mut()),
            rc::EINVAL
        );
        assert_eq!(
            probe_rc(n107.as_ptr(), &mut state, &mut creds),
            rc::ENAMETOOLONG
        );
        assert_eq!(
            probe_rc(long_name.as_ptr(), &mut state, &mut creds),
            rc::ENAMETOOLONG
        );
        assert_eq!((state, creds), (99, SENTINEL));
    }

    #[test]
    #[cfg_attr(miri, ignore = "makes syscalls Miri does not support")]
    fn a_106_byte_name_is_probed() {
        let (mut state, mut creds) = (99u32, SENTINEL);
        let n106_absent = std::ffi::CString::new(format!(
            "{:x<106}",
            format!("rg-ffi-{}-", std::process::id())
        ))
        .unwrap();
        assert_eq!(
            probe_rc(n106_absent.as_ptr(), &mut state, &mut creds),
            rc::OK
        );
        assert_eq!(
            state,
            rivalguard_endpoint_state::RIVALGUARD_ENDPOINT_ABSENT as u32
        );
        assert_eq!(creds, rivalguard_credentials::default());
    }

    #[test]
    fn name_reading_is_bounded() {
        // No NUL within sun_path's size: refused after reading 109 bytes.
        let unterminated = [b'z' as c_char; SUN_PATH_LEN + 1];
        // SAFETY: 109 readable bytes.
        assert_eq!(
            unsafe { name_arg(unterminated.as_ptr()) },
            Err(rc::ENAMETOOLONG)
        );
        // Exactly `max` bytes and the NUL: read whole (Miri checks that no
        // byte past the terminator is touched).
        let mut exact = [b'z' as c_char; SUN_PATH_LEN + 1];
        exact[SUN_PATH_LEN] = 0;
        // SAFETY: NUL-terminated.
        let read = unsafe { bounded_c_str(exact.as_ptr(), SUN_PATH_LEN) };
        assert_eq!(read.map(<[u8]>::len), Ok(SUN_PATH_LEN));
        // Names: 106 bytes pass, 107 are too long for libqb.
        exact[106] = 0;
        // SAFETY: NUL-terminated.
        assert_eq!(
            unsafe { name_arg(exact.as_ptr()) }.map(<[u8]>::len),
            Ok(106)
        );
        exact[106] = b'z' as c_char;
        exact[107] = 0;
        // SAFETY: NUL-terminated.
        assert_eq!(unsafe { name_arg(exact.as_ptr()) }, Err(rc::ENAMETOOLONG));
    }

    #[test]
    fn options_are_checked() {
        let (mut state, mut creds) = (99u32, SENTINEL);
        let mut options = rivalguard_probe_options {
            force_file: c"".as_ptr(),
            socket_dir: std::ptr::null(),
            timeout_ms: 0,
            strict: false,
        };
        // SAFETY: valid pointers throughout.
        unsafe {
            assert_eq!(
                rivalguard_endpoint_probe_with(
                    c"cmap".as_ptr(),
                    &options,
                    0,
                    0,
                    &mut state,
                    &mut creds
                ),
                rc::EINVAL
            );
            options.force_file = c"/nonexistent/force".as_ptr();
            options.socket_dir = c"".as_ptr();
            assert_eq!(
                rivalguard_endpoint_probe_with(
                    c"cmap".as_ptr(),
                    &options,
                    0,
                    0,
                    &mut state,
                    &mut creds
                ),
                rc::EINVAL
            );
            let misaligned = (&raw const options)
                .cast::<u8>()
                .wrapping_add(1)
                .cast::<rivalguard_probe_options>();
            assert_eq!(
                rivalguard_endpoint_probe_with(
                    c"cmap".as_ptr(),
                    misaligned,
                    0,
                    0,
                    &mut state,
                    &mut creds
                ),
                rc::EINVAL
            );
        }
        assert_eq!((state, creds), (99, SENTINEL));
    }

    #[test]
    #[cfg_attr(miri, ignore = "makes syscalls Miri does not support")]
    fn socket_peer_check_bad_input() {
        let (mut authentic, mut creds) = (true, SENTINEL);
        // SAFETY: valid or NULL pointers; fds are only inspected.
        unsafe {
            assert_eq!(
                rivalguard_socket_peer_check(-1, 0, 0, &mut authentic, &mut creds),
                rc::EINVAL
            );
            assert_eq!(
                rivalguard_socket_peer_check(0, 0, 0, std::ptr::null_mut(), &mut creds),
                rc::EINVAL
            );
            assert_eq!(
                rivalguard_socket_peer_check(0, 0, 0, &mut authentic, std::ptr::null_mut()),
                rc::EINVAL
            );
            assert_eq!(
                rivalguard_socket_peer_check(1 << 29, 0, 0, &mut authentic, &mut creds),
                libc::EBADF
            );
        }
        assert_eq!((authentic, creds), (true, SENTINEL));
    }

    #[test]
    #[cfg_attr(miri, ignore = "makes syscalls Miri does not support")]
    fn startup_check_bad_input_and_absent() {
        let (mut verdict, mut holder) = (99u32, SENTINEL);
        // SAFETY: valid or NULL pointers.
        unsafe {
            assert_eq!(
                rivalguard_startup_check(std::ptr::null(), 0, 0, &mut verdict, &mut holder),
                rc::EINVAL
            );
            assert_eq!(
                rivalguard_startup_check(c"x".as_ptr(), 0, 0, std::ptr::null_mut(), &mut holder),
                rc::EINVAL
            );
            assert_eq!(
                rivalguard_startup_check(c"x".as_ptr(), 0, 0, &mut verdict, std::ptr::null_mut()),
                rc::EINVAL
            );
            assert_eq!(
                rivalguard_startup_check(c"".as_ptr(), 0, 0, &mut verdict, &mut holder),
                rc::EINVAL
            );
        }
        assert_eq!((verdict, holder), (99, SENTINEL));
        let name =
            std::ffi::CString::new(format!("rg-ffi-startup-{}", std::process::id())).unwrap();
        // SAFETY: valid pointers.
        assert_eq!(
            unsafe { rivalguard_startup_check(name.as_ptr(), 0, 0, &mut verdict, &mut holder) },
            rc::OK
        );
        assert_eq!(
            verdict,
            rivalguard_startup::RIVALGUARD_STARTUP_PROCEED as u32
        );
        assert_eq!(holder, rivalguard_credentials::default());
    }
}
