//! libqb IPC endpoint pre-check: who serves an endpoint, from the
//! credentials the kernel reports, without disturbing the server.
//!
//! # How an endpoint is reached
//!
//! Exactly as a libqb 2.x client reaches it (`qb_ipcc_connect()` →
//! `qb_ipcc_stream_sock_connect()`), so the probe can never ask about a
//! different socket than the daemon will serve:
//!
//! * **Abstract** (Linux default): an `AF_UNIX` stream socket whose address
//!   is the *whole* 108-byte `sun_path`: a NUL, the name, NUL padding; the
//!   address length is `sizeof(struct sockaddr_un)` (110). libqb copies at
//!   most 106 name bytes (`snprintf(sun_path + 1, 107, "%s", name)`), so a
//!   longer name is refused with `ENAMETOOLONG` instead of being probed
//!   truncated. A "short" abstract address would name another socket.
//! * **Filesystem**: when the force file exists (libqb's `stat()` of
//!   `FORCESOCKETSFILE`, `/etc/libqb/force-filesystem-sockets`), the path
//!   `SOCKETDIR/NAME` with length `SUN_LEN` (libqb's `QB_SUN_LEN`). The whole
//!   path must fit in 107 bytes. `SOCKETDIR` is compiled into libqb (Debian
//!   12: `/tmp`; upstream: `$localstatedir/run`); build.rs reads it from the
//!   installed libqb (see [`DEFAULT_SOCKET_DIR`]). libqb checks the force
//!   file once per process; the probe checks it on every call (one `stat`),
//!   so it follows the daemon's view even when the file appears later.
//!
//! # What the probe does
//!
//! One non-blocking `connect()`, `getsockopt(SO_PEERCRED)`, `close()`. No
//! byte is sent, so the server's libqb never gets a connection request: it
//! runs none of its callbacks, creates no shared memory and logs one debug
//! line (`HUP conn fd`). The kernel completes a unix-socket connect into the
//! listen queue even when the server does not run (stopped, busy), so a
//! stuck server is still identified; only a *full* queue (128 pending
//! connections for libqb) refuses with `EAGAIN`, which is retried with a
//! short backoff until the timeout, then reported as
//! [`EndpointState::Unresponsive`].
//!
//! | `connect()` result      | verdict                                     |
//! |-------------------------|---------------------------------------------|
//! | success                 | Authentic / Unauthorized, by [`is_authentic`] |
//! | `ECONNREFUSED`, `ENOENT`| Absent (nobody listens; stale or no file)   |
//! | `EAGAIN` until timeout  | Unresponsive (holder via [`find_listener`]) |
//! | `EINTR`                 | retried at once                             |
//! | anything else           | that errno, as an error                     |
//!
//! The decisions ([`libqb_address`], [`is_authentic`], [`startup_verdict`])
//! are pure functions; the syscalls are in [`connect_once`] and
//! [`peer_credentials`].

use std::ffi::c_int;
use std::os::fd::{AsFd, AsRawFd, BorrowedFd, FromRawFd, OwnedFd};
use std::os::unix::ffi::OsStrExt;
use std::path::Path;
use std::time::{Duration, Instant};

use crate::log::{LOG_DEBUG, LOG_ERR, LOG_WARNING};
use crate::rg_log;

/// The directory of libqb's filesystem-mode sockets (`SOCKETDIR`), as
/// compiled into the libqb this crate was built against: build.rs reads it
/// from that libqb's shared object (or takes `RIVALGUARD_LIBQB_SOCKET_DIR`
/// at build time; see [`DEFAULT_SOCKET_DIR_SOURCE`]). Callers can override
/// it per probe with [`ProbeOptions::socket_dir`].
pub const DEFAULT_SOCKET_DIR: &str = env!("RIVALGUARD_LIBQB_SOCKET_DIR");
/// How build.rs decided [`DEFAULT_SOCKET_DIR`]: "detected in PATH",
/// "RIVALGUARD_LIBQB_SOCKET_DIR" or "upstream default".
pub const DEFAULT_SOCKET_DIR_SOURCE: &str = env!("RIVALGUARD_LIBQB_SOCKET_DIR_SOURCE");
/// libqb's force file (`FORCESOCKETSFILE`), found like
/// [`DEFAULT_SOCKET_DIR`]: `/etc/libqb/force-filesystem-sockets` on Debian
/// and upstream.
pub const DEFAULT_FORCE_FILE: &str = env!("RIVALGUARD_LIBQB_FORCE_FILE");
/// How build.rs decided [`DEFAULT_FORCE_FILE`].
pub const DEFAULT_FORCE_FILE_SOURCE: &str = env!("RIVALGUARD_LIBQB_FORCE_FILE_SOURCE");

/// How long a full listen queue is retried by default: 1000 ms. A live
/// libqb server drains its queue of 128 within milliseconds (it accepts and
/// drops a raw probe at once), so a queue still full after a second belongs
/// to a stopped or wedged holder; a second is also short enough for a
/// daemon's start-up.
pub const DEFAULT_TIMEOUT_MS: u32 = 1000;

/// Size of `sun_path` on Linux.
pub const SUN_PATH_LEN: usize = 108;
/// The longest name libqb carries in an abstract address (106 bytes: after
/// the leading NUL, `snprintf` keeps 107 bytes including its terminator).
pub const MAX_ABSTRACT_NAME_LEN: usize = SUN_PATH_LEN - 2;
/// The longest filesystem path libqb carries (107 bytes plus the NUL).
pub const MAX_FILESYSTEM_PATH_LEN: usize = SUN_PATH_LEN - 1;

/// Offset of `sun_path` in `struct sockaddr_un` (after `sun_family`).
const SUN_PATH_OFFSET: usize = std::mem::size_of::<libc::sa_family_t>();

/// Process credentials as the kernel reports them for a socket's peer
/// (`SO_PEERCRED`): those of the process that called `listen()`.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub struct Credentials {
    /// Process id (may be stale if that process forked and exited).
    pub pid: u32,
    /// Effective user id.
    pub uid: u32,
    /// Effective group id.
    pub gid: u32,
}

/// Who serves an endpoint.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum EndpointState {
    /// Nothing listens under that name.
    Absent,
    /// Served by uid 0, `ref_uid` or (unless strict) `ref_gid`.
    Authentic,
    /// Served by anybody else: a squatter.
    Unauthorized,
    /// Something listens but its queue stayed full until the timeout.
    Unresponsive,
}

/// What a daemon should do at start-up.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Startup {
    /// Nobody serves the name: start.
    Proceed,
    /// An authentic instance serves it: exit quietly (status 0).
    AlreadyActive,
    /// A foreign process holds it: refuse to start, and name it.
    Blocked,
    /// Something holds it and accepts no connection.
    Unresponsive,
}

/// The result of a probe: the state and the serving process's credentials:
/// from `SO_PEERCRED` when a connection was made; for
/// [`EndpointState::Unresponsive`] (no connection possible) from
/// [`find_listener`], best effort; `None` for [`EndpointState::Absent`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Probe {
    /// Who serves the endpoint.
    pub state: EndpointState,
    /// The serving process, when reached.
    pub credentials: Option<Credentials>,
}

/// Options of [`probe_with`]; `Default` gives libqb's own behaviour.
#[derive(Clone, Copy, Debug, Default)]
pub struct ProbeOptions<'a> {
    /// The file whose existence selects filesystem sockets; `None`:
    /// [`DEFAULT_FORCE_FILE`].
    pub force_file: Option<&'a Path>,
    /// The directory of filesystem sockets; `None`: [`DEFAULT_SOCKET_DIR`].
    pub socket_dir: Option<&'a Path>,
    /// How long a full queue is retried; `None` or zero:
    /// [`DEFAULT_TIMEOUT_MS`].
    pub timeout: Option<Duration>,
    /// Authentic only for uid 0 or `ref_uid` (no group match).
    pub strict: bool,
}

/// An endpoint's socket address, exactly as libqb builds it.
#[derive(Clone, Copy, PartialEq, Eq)]
pub struct EndpointAddress {
    /// The whole `sun_path`.
    pub sun_path: [u8; SUN_PATH_LEN],
    /// The address length passed to `connect()`.
    pub len: usize,
}

impl EndpointAddress {
    /// Whether this is an abstract address.
    pub fn is_abstract(&self) -> bool {
        self.sun_path[0] == 0
    }

    /// The meaningful bytes of `sun_path` (for logs and tests).
    pub fn path_bytes(&self) -> &[u8] {
        &self.sun_path[..self.len - SUN_PATH_OFFSET]
    }
}

impl std::fmt::Debug for EndpointAddress {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let path = self.path_bytes();
        if self.is_abstract() {
            let name_end = path[1..]
                .iter()
                .position(|&b| b == 0)
                .map_or(path.len(), |end| end + 1);
            write!(
                f,
                "@{} (abstract, len {})",
                path[1..name_end].escape_ascii(),
                self.len
            )
        } else {
            write!(f, "{} (len {})", path.escape_ascii(), self.len)
        }
    }
}

/// Checks an endpoint name as libqb would carry it, before any syscall:
/// `EINVAL` when empty or holding a NUL (a C string cannot carry it: libqb
/// would see a shorter name); `ENAMETOOLONG` when over 106 bytes, too long
/// in either mode (abstract: 106 at most; filesystem: `DIR/NAME` within
/// 107 bytes leaves at most 105 even for the directory `/`).
pub fn check_name(name: &[u8]) -> Result<(), c_int> {
    if name.is_empty() || name.contains(&0) {
        return Err(libc::EINVAL);
    }
    if name.len() > MAX_ABSTRACT_NAME_LEN {
        return Err(libc::ENAMETOOLONG);
    }
    Ok(())
}

/// Builds the address a libqb client connects to for `name`: abstract when
/// `socket_dir` is `None`, `SOCKETDIR/NAME` otherwise. Pure.
///
/// Errors: `EINVAL` for an empty name, or a NUL in the name or the
/// directory, or an empty directory; `ENAMETOOLONG` when libqb would
/// truncate (name over 106 bytes, or a path over 107).
pub fn libqb_address(name: &[u8], socket_dir: Option<&[u8]>) -> Result<EndpointAddress, c_int> {
    check_name(name)?;
    let mut sun_path = [0u8; SUN_PATH_LEN];
    match socket_dir {
        None => {
            if name.len() > MAX_ABSTRACT_NAME_LEN {
                return Err(libc::ENAMETOOLONG);
            }
            sun_path[1..=name.len()].copy_from_slice(name);
            Ok(EndpointAddress {
                sun_path,
                len: std::mem::size_of::<libc::sockaddr_un>(),
            })
        }
        Some(dir) => {
            if dir.is_empty() || dir.contains(&0) {
                return Err(libc::EINVAL);
            }
            let path_len = dir.len() + 1 + name.len();
            if path_len > MAX_FILESYSTEM_PATH_LEN {
                return Err(libc::ENAMETOOLONG);
            }
            sun_path[..dir.len()].copy_from_slice(dir);
            sun_path[dir.len()] = b'/';
            sun_path[dir.len() + 1..path_len].copy_from_slice(name);
            Ok(EndpointAddress {
                sun_path,
                len: SUN_PATH_OFFSET + path_len,
            })
        }
    }
}

/// Pacemaker's authenticity rule (`crm_ipc_is_authentic_process()`): uid 0,
/// or uid == `ref_uid`, or gid == `ref_gid`; with `strict`, the group match
/// does not count (any member of the daemon's group could otherwise pose as
/// it). Pure.
pub fn is_authentic(credentials: Credentials, ref_uid: u32, ref_gid: u32, strict: bool) -> bool {
    credentials.uid == 0 || credentials.uid == ref_uid || (!strict && credentials.gid == ref_gid)
}

/// The start-up decision for a probed state. Pure.
pub fn startup_verdict(state: EndpointState) -> Startup {
    match state {
        EndpointState::Absent => Startup::Proceed,
        EndpointState::Authentic => Startup::AlreadyActive,
        EndpointState::Unauthorized => Startup::Blocked,
        EndpointState::Unresponsive => Startup::Unresponsive,
    }
}

/// The outcome of one connection attempt.
#[derive(Debug)]
pub enum Attempt {
    /// Connected: the socket, to read credentials from and close.
    Connected(OwnedFd),
    /// Nobody listens (`ECONNREFUSED`, `ENOENT`).
    Absent,
    /// The listen queue is full (`EAGAIN`).
    QueueFull,
}

fn errno() -> c_int {
    std::io::Error::last_os_error()
        .raw_os_error()
        .unwrap_or(libc::EIO)
}

/// One non-blocking, close-on-exec `connect()` to `address`. `EINTR` is
/// retried at once; errors other than those of [`Attempt`] are returned.
pub fn connect_once(address: &EndpointAddress) -> Result<Attempt, c_int> {
    // SAFETY: socket() takes no pointers; the result is checked below.
    let raw = unsafe {
        libc::socket(
            libc::AF_UNIX,
            libc::SOCK_STREAM | libc::SOCK_NONBLOCK | libc::SOCK_CLOEXEC,
            0,
        )
    };
    if raw < 0 {
        return Err(errno());
    }
    // SAFETY: `raw` is a descriptor we just created and own alone.
    let fd = unsafe { OwnedFd::from_raw_fd(raw) };
    // SAFETY: sockaddr_un is plain old data; all-zero is a valid value.
    let mut addr: libc::sockaddr_un = unsafe { std::mem::zeroed() };
    addr.sun_family = libc::AF_UNIX as libc::sa_family_t;
    for (slot, &byte) in addr.sun_path.iter_mut().zip(address.sun_path.iter()) {
        *slot = byte as libc::c_char;
    }
    let len = address.len as libc::socklen_t;
    loop {
        // SAFETY: `addr` is a valid sockaddr_un that outlives the call and
        // `len` never exceeds its size (libqb_address guarantees it).
        let result = unsafe {
            libc::connect(
                fd.as_raw_fd(),
                (&raw const addr).cast::<libc::sockaddr>(),
                len,
            )
        };
        if result == 0 {
            return Ok(Attempt::Connected(fd));
        }
        match errno() {
            libc::EINTR => continue,
            libc::ECONNREFUSED | libc::ENOENT => return Ok(Attempt::Absent),
            libc::EAGAIN => return Ok(Attempt::QueueFull),
            other => return Err(other),
        }
    }
}

/// The credentials of a socket's peer (`SO_PEERCRED`). Any descriptor is
/// memory-safe to pass: the kernel checks it (`EBADF`, `ENOTSOCK`). Only a
/// connected `AF_UNIX` socket has a peer process: another domain gives
/// `EAFNOSUPPORT`, an unconnected unix socket `ENOTCONN` (the kernel reports
/// pid 0 for it).
pub fn peer_credentials(fd: BorrowedFd<'_>) -> Result<Credentials, c_int> {
    let mut domain: c_int = 0;
    let mut len = std::mem::size_of::<c_int>() as libc::socklen_t;
    // SAFETY: `domain` and `len` are valid for writes of their sizes, and
    // `len` tells the kernel the size of `domain`.
    let result = unsafe {
        libc::getsockopt(
            fd.as_raw_fd(),
            libc::SOL_SOCKET,
            libc::SO_DOMAIN,
            (&raw mut domain).cast::<libc::c_void>(),
            &mut len,
        )
    };
    if result != 0 {
        return Err(errno());
    }
    if domain != libc::AF_UNIX {
        return Err(libc::EAFNOSUPPORT);
    }
    let mut cred = libc::ucred {
        pid: 0,
        uid: 0,
        gid: 0,
    };
    let mut len = std::mem::size_of::<libc::ucred>() as libc::socklen_t;
    // SAFETY: `cred` and `len` are valid for writes of their sizes, and
    // `len` tells the kernel the size of `cred`.
    let result = unsafe {
        libc::getsockopt(
            fd.as_raw_fd(),
            libc::SOL_SOCKET,
            libc::SO_PEERCRED,
            (&raw mut cred).cast::<libc::c_void>(),
            &mut len,
        )
    };
    if result != 0 {
        return Err(errno());
    }
    if cred.pid <= 0 || len as usize != std::mem::size_of::<libc::ucred>() {
        return Err(libc::ENOTCONN);
    }
    Ok(Credentials {
        pid: cred.pid as u32,
        uid: cred.uid,
        gid: cred.gid,
    })
}

/// The address to probe for `name` under `options`: filesystem mode when
/// the force file exists (as libqb's `stat()` would see it), else abstract.
pub fn address_for(name: &[u8], options: &ProbeOptions<'_>) -> Result<EndpointAddress, c_int> {
    check_name(name)?;
    let force_file = options.force_file.unwrap_or(Path::new(DEFAULT_FORCE_FILE));
    if std::fs::metadata(force_file).is_ok() {
        let dir = options.socket_dir.unwrap_or(Path::new(DEFAULT_SOCKET_DIR));
        libqb_address(name, Some(dir.as_os_str().as_bytes()))
    } else {
        libqb_address(name, None)
    }
}

/// Finds, best effort, the process holding the socket that listens on
/// `address`, for when its full queue refuses every connection (so
/// `SO_PEERCRED` cannot be had): the listening socket's inode from
/// `/proc/thread-self/net/unix` (this thread's network namespace), the
/// first process whose descriptor table holds that inode (`/proc/PID/fd`),
/// and its effective uid and gid (`/proc/PID/status`). Unlike
/// `SO_PEERCRED` this names a current holder of the socket (which may have
/// inherited it from the process that called `listen()`). Needs
/// permission to read other processes' descriptor tables (root, or the same
/// user): otherwise, or on any race, `None`. Only plain reads of /proc; it
/// runs only after a full queue outlasted the timeout.
pub fn find_listener(address: &EndpointAddress) -> Option<Credentials> {
    let table = std::fs::read("/proc/thread-self/net/unix")
        .or_else(|_| std::fs::read("/proc/self/net/unix"))
        .ok()?;
    let inode = listening_inode(&table, address)?;
    let target = format!("socket:[{inode}]");
    for entry in std::fs::read_dir("/proc").ok()?.flatten() {
        let Some(pid) = entry
            .file_name()
            .to_str()
            .and_then(|name| name.parse::<u32>().ok())
        else {
            continue;
        };
        let Ok(fds) = std::fs::read_dir(entry.path().join("fd")) else {
            continue;
        };
        let holds = fds.flatten().any(|fd| {
            std::fs::read_link(fd.path())
                .is_ok_and(|link| link.as_os_str().as_bytes() == target.as_bytes())
        });
        if holds {
            let status = std::fs::read_to_string(entry.path().join("status")).ok()?;
            let (uid, gid) = effective_ids(&status)?;
            return Some(Credentials { pid, uid, gid });
        }
    }
    None
}

/// The inode of the listening stream socket bound to `address` in a
/// `/proc/net/unix` table, whose columns are `Num RefCount Protocol Flags
/// Type St Inode Path`; the kernel shows an abstract address as `@` and
/// its bytes with every NUL as `@`. Pure.
pub fn listening_inode(table: &[u8], address: &EndpointAddress) -> Option<u64> {
    const ACCEPTCON: u32 = 0x0001_0000; // __SO_ACCEPTCON: listening
    let wanted: Vec<u8> = address
        .path_bytes()
        .iter()
        .map(|&b| if b == 0 { b'@' } else { b })
        .collect();
    table.split(|&b| b == b'\n').skip(1).find_map(|line| {
        let mut rest = line;
        let mut fields = [&b""[..]; 7];
        for field in &mut fields {
            let start = rest.iter().position(|&b| b != b' ')?;
            rest = &rest[start..];
            let end = rest.iter().position(|&b| b == b' ').unwrap_or(rest.len());
            *field = &rest[..end];
            rest = &rest[end..];
        }
        let path = rest.strip_prefix(b" ")?;
        let flags = u32::from_str_radix(std::str::from_utf8(fields[3]).ok()?, 16).ok()?;
        let stream = fields[4] == b"0001";
        (path == wanted.as_slice() && stream && flags & ACCEPTCON != 0)
            .then(|| std::str::from_utf8(fields[6]).ok()?.parse().ok())
            .flatten()
    })
}

/// The effective uid and gid in a `/proc/PID/status` text. Pure.
pub fn effective_ids(status: &str) -> Option<(u32, u32)> {
    let effective = |key: &str| {
        status
            .lines()
            .find_map(|line| line.strip_prefix(key))?
            .split_whitespace()
            .nth(1)?
            .parse()
            .ok()
    };
    Some((effective("Uid:")?, effective("Gid:")?))
}

/// Probes without logging (shared by [`probe_with`] and
/// [`startup_check_with`], which log their own conclusions).
fn probe_quiet(
    name: &[u8],
    ref_uid: u32,
    ref_gid: u32,
    options: &ProbeOptions<'_>,
) -> Result<Probe, c_int> {
    let address = address_for(name, options)?;
    let timeout = options
        .timeout
        .filter(|timeout| !timeout.is_zero())
        .unwrap_or(Duration::from_millis(DEFAULT_TIMEOUT_MS.into()));
    let deadline = Instant::now().checked_add(timeout);
    let mut backoff = Duration::from_micros(50);
    loop {
        match connect_once(&address)? {
            Attempt::Connected(fd) => {
                let credentials = peer_credentials(fd.as_fd())?;
                drop(fd); // close at once: the server sees a HUP, nothing else
                let state = if is_authentic(credentials, ref_uid, ref_gid, options.strict) {
                    EndpointState::Authentic
                } else {
                    EndpointState::Unauthorized
                };
                return Ok(Probe {
                    state,
                    credentials: Some(credentials),
                });
            }
            Attempt::Absent => {
                return Ok(Probe {
                    state: EndpointState::Absent,
                    credentials: None,
                });
            }
            Attempt::QueueFull => {
                let now = Instant::now();
                if deadline.is_some_and(|deadline| now >= deadline) {
                    return Ok(Probe {
                        state: EndpointState::Unresponsive,
                        credentials: find_listener(&address),
                    });
                }
                let left = deadline.map_or(backoff, |deadline| deadline - now);
                std::thread::sleep(backoff.min(left));
                backoff = (backoff * 2).min(Duration::from_millis(10));
            }
        }
    }
}

/// Who serves the libqb endpoint `name`, with libqb's own addressing and
/// the default timeout; see [`probe_with`].
pub fn probe(name: &[u8], ref_uid: u32, ref_gid: u32) -> Result<Probe, c_int> {
    probe_with(name, ref_uid, ref_gid, &ProbeOptions::default())
}

/// Who serves the libqb endpoint `name`: one non-blocking connect,
/// `SO_PEERCRED`, close (see the module documentation). Logs the result:
/// debug when absent or authentic, warning when unauthorized or
/// unresponsive. Errors are errno values: `EINVAL`/`ENAMETOOLONG` for a
/// name libqb cannot carry (nothing is probed), or a connect/getsockopt
/// failure other than those the states describe.
pub fn probe_with(
    name: &[u8],
    ref_uid: u32,
    ref_gid: u32,
    options: &ProbeOptions<'_>,
) -> Result<Probe, c_int> {
    let result = probe_quiet(name, ref_uid, ref_gid, options);
    let name = name.escape_ascii();
    match result {
        Ok(Probe {
            state: EndpointState::Unresponsive,
            credentials,
        }) => rg_log!(
            LOG_WARNING,
            "rivalguard: IPC endpoint {name} is held{} but its listen queue stayed full: unresponsive",
            describe_holder(credentials)
        ),
        Ok(Probe {
            state: EndpointState::Unauthorized,
            credentials: Some(c),
        }) => rg_log!(
            LOG_WARNING,
            "rivalguard: IPC endpoint {name} is served by unauthorized process {} (uid {}, gid {}; expected uid 0, {ref_uid}{})",
            c.pid,
            c.uid,
            c.gid,
            if options.strict {
                String::new()
            } else {
                format!(" or gid {ref_gid}")
            }
        ),
        Ok(Probe {
            state,
            credentials: Some(c),
        }) => rg_log!(
            LOG_DEBUG,
            "rivalguard: IPC endpoint {name} is served by process {} (uid {}, gid {}): {state:?}",
            c.pid,
            c.uid,
            c.gid
        ),
        Ok(probe) => rg_log!(
            LOG_DEBUG,
            "rivalguard: IPC endpoint {name}: {:?}",
            probe.state
        ),
        Err(code) => rg_log!(
            LOG_DEBUG,
            "rivalguard: IPC endpoint {name} not probed: {}",
            std::io::Error::from_raw_os_error(code)
        ),
    }
    result
}

/// " by process P (uid U, gid G)" when the holder is known, else "".
fn describe_holder(holder: Option<Credentials>) -> String {
    holder.map_or_else(String::new, |c| {
        format!(" by process {} (uid {}, gid {})", c.pid, c.uid, c.gid)
    })
}

/// [`startup_verdict`] of a probe with default options.
pub fn startup_check(
    name: &[u8],
    ref_uid: u32,
    ref_gid: u32,
) -> Result<(Startup, Option<Credentials>), c_int> {
    startup_check_with(name, ref_uid, ref_gid, &ProbeOptions::default())
}

/// Probes `name` and decides what a starting daemon should do; returns the
/// holder's credentials whenever something holds the name (best effort
/// for UNRESPONSIVE, see [`find_listener`]). Logs: debug for
/// PROCEED/ALREADY_ACTIVE, error for BLOCKED (naming the squatter) and for
/// UNRESPONSIVE.
pub fn startup_check_with(
    name: &[u8],
    ref_uid: u32,
    ref_gid: u32,
    options: &ProbeOptions<'_>,
) -> Result<(Startup, Option<Credentials>), c_int> {
    let probe = probe_quiet(name, ref_uid, ref_gid, options)?;
    let verdict = startup_verdict(probe.state);
    let name = name.escape_ascii();
    match (verdict, probe.credentials) {
        (Startup::Blocked, Some(c)) => rg_log!(
            LOG_ERR,
            "rivalguard: IPC endpoint {name} is held by unauthorized process {} (uid {}, gid {}): refusing to start",
            c.pid,
            c.uid,
            c.gid
        ),
        (Startup::Unresponsive, holder) => rg_log!(
            LOG_ERR,
            "rivalguard: IPC endpoint {name} is held{} but its listen queue stayed full: not starting beside it",
            describe_holder(holder)
        ),
        (verdict, Some(c)) => rg_log!(
            LOG_DEBUG,
            "rivalguard: IPC endpoint {name} served by process {} (uid {}, gid {}): {verdict:?}",
            c.pid,
            c.uid,
            c.gid
        ),
        (verdict, None) => rg_log!(LOG_DEBUG, "rivalguard: IPC endpoint {name}: {verdict:?}"),
    }
    Ok((verdict, probe.credentials))
}

/// Pacemaker's authenticity rule applied to the peer of a connected unix
/// socket (for a daemon that already holds a libqb connection). Returns
/// whether it is authentic, and its credentials; errors as
/// [`peer_credentials`].
pub fn socket_peer_check(
    fd: BorrowedFd<'_>,
    ref_uid: u32,
    ref_gid: u32,
) -> Result<(bool, Credentials), c_int> {
    let credentials = peer_credentials(fd)?;
    Ok((
        is_authentic(credentials, ref_uid, ref_gid, false),
        credentials,
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn creds(uid: u32, gid: u32) -> Credentials {
        Credentials { pid: 42, uid, gid }
    }

    #[test]
    fn abstract_address_is_the_whole_padded_sun_path() {
        let address = libqb_address(b"attrd", None).unwrap();
        assert!(address.is_abstract());
        assert_eq!(address.len, 110);
        assert_eq!(address.len, std::mem::size_of::<libc::sockaddr_un>());
        assert_eq!(&address.sun_path[..6], b"\0attrd");
        assert!(address.sun_path[6..].iter().all(|&b| b == 0));
    }

    #[test]
    fn abstract_name_limits_are_libqbs() {
        let longest = vec![b'x'; MAX_ABSTRACT_NAME_LEN];
        let address = libqb_address(&longest, None).unwrap();
        assert_eq!(&address.sun_path[1..107], &longest[..]);
        assert_eq!(address.sun_path[107], 0);
        assert_eq!(libqb_address(&[b'x'; 107], None), Err(libc::ENAMETOOLONG));
        assert_eq!(libqb_address(&[b'x'; 4096], None), Err(libc::ENAMETOOLONG));
    }

    #[test]
    fn bad_names_are_refused() {
        assert_eq!(libqb_address(b"", None), Err(libc::EINVAL));
        assert_eq!(libqb_address(b"at\0trd", None), Err(libc::EINVAL));
        assert_eq!(libqb_address(b"", Some(b"/tmp")), Err(libc::EINVAL));
        assert_eq!(libqb_address(b"attrd", Some(b"")), Err(libc::EINVAL));
        assert_eq!(libqb_address(b"attrd", Some(b"/t\0mp")), Err(libc::EINVAL));
        // Any other byte is carried, as libqb carries it.
        assert!(libqb_address(b"caf\xc3\xa9 \x01/x", None).is_ok());
    }

    #[test]
    fn filesystem_address_is_dir_slash_name_with_sun_len() {
        let address = libqb_address(b"cib_rw", Some(b"/tmp")).unwrap();
        assert!(!address.is_abstract());
        assert_eq!(address.path_bytes(), b"/tmp/cib_rw");
        assert_eq!(address.len, 2 + "/tmp/cib_rw".len());
        assert!(address.sun_path[11..].iter().all(|&b| b == 0));
    }

    #[test]
    fn filesystem_path_limit_is_107_bytes() {
        let dir = b"/tmp";
        let fits = vec![b'n'; MAX_FILESYSTEM_PATH_LEN - dir.len() - 1];
        assert_eq!(
            libqb_address(&fits, Some(dir)).unwrap().path_bytes().len(),
            107
        );
        let over = vec![b'n'; fits.len() + 1];
        assert_eq!(libqb_address(&over, Some(dir)), Err(libc::ENAMETOOLONG));
    }

    #[test]
    fn debug_output_names_the_address() {
        let address = libqb_address(b"cmap", None).unwrap();
        assert_eq!(format!("{address:?}"), "@cmap (abstract, len 110)");
        let address = libqb_address(b"cmap", Some(b"/tmp")).unwrap();
        assert_eq!(format!("{address:?}"), "/tmp/cmap (len 11)");
    }

    #[test]
    fn pacemakers_authenticity_rule() {
        // uid 0 is always authentic.
        assert!(is_authentic(creds(0, 999), 102, 105, false));
        assert!(is_authentic(creds(0, 999), 102, 105, true));
        // ref_uid.
        assert!(is_authentic(creds(102, 999), 102, 105, false));
        assert!(is_authentic(creds(102, 999), 102, 105, true));
        // gid only: authentic unless strict.
        assert!(is_authentic(creds(500, 105), 102, 105, false));
        assert!(!is_authentic(creds(500, 105), 102, 105, true));
        // Nobody.
        assert!(!is_authentic(creds(65534, 65534), 102, 105, false));
        assert!(!is_authentic(creds(65534, 65534), 102, 105, true));
        // A root reference accepts root's group, as Pacemaker does.
        assert!(is_authentic(creds(65534, 0), 0, 0, false));
        assert!(!is_authentic(creds(65534, 0), 0, 0, true));
    }

    #[test]
    fn startup_verdicts() {
        assert_eq!(startup_verdict(EndpointState::Absent), Startup::Proceed);
        assert_eq!(
            startup_verdict(EndpointState::Authentic),
            Startup::AlreadyActive
        );
        assert_eq!(
            startup_verdict(EndpointState::Unauthorized),
            Startup::Blocked
        );
        assert_eq!(
            startup_verdict(EndpointState::Unresponsive),
            Startup::Unresponsive
        );
    }

    #[test]
    fn listening_inode_parses_proc_net_unix() {
        let address = libqb_address(b"attrd", None).unwrap();
        let mut shown = b"@attrd".to_vec();
        shown.resize(108, b'@');
        let shown = String::from_utf8(shown).unwrap();
        let table = format!(
            "Num       RefCount Protocol Flags    Type St Inode Path\n\
             0000000000000000: 00000002 00000000 00000000 0001 01  4711 {shown}\n\
             0000000000000000: 00000002 00000000 00010000 0002 01  4712 {shown}\n\
             0000000000000000: 00000002 00000000 00010000 0001 01  4713 @attrd\n\
             0000000000000000: 00000003 00000000 00000000 0001 03  1059\n\
             0000000000000000: 00000002 00000000 00010000 0001 01 28888 {shown}\n"
        );
        // Only the listening stream socket with the whole padded address.
        assert_eq!(listening_inode(table.as_bytes(), &address), Some(28888));
        let other = libqb_address(b"attr", None).unwrap();
        assert_eq!(listening_inode(table.as_bytes(), &other), None);
        let fs = libqb_address(b"cib_rw", Some(b"/tmp")).unwrap();
        let table = "Num RefCount Protocol Flags Type St Inode Path\n\
                     0000000000000000: 00000002 00000000 00010000 0001 01 99 /tmp/cib_rw\n";
        assert_eq!(listening_inode(table.as_bytes(), &fs), Some(99));
    }

    #[test]
    fn effective_ids_from_proc_status() {
        let status = "Name:\tattrd\nUid:\t1\t102\t3\t4\nGid:\t5\t105\t7\t8\n";
        assert_eq!(effective_ids(status), Some((102, 105)));
        assert_eq!(effective_ids("Name:\tx\n"), None);
    }

    #[test]
    fn built_in_defaults_are_absolute() {
        assert!(DEFAULT_SOCKET_DIR.starts_with('/'), "{DEFAULT_SOCKET_DIR}");
        assert!(
            DEFAULT_FORCE_FILE.ends_with("/force-filesystem-sockets"),
            "{DEFAULT_FORCE_FILE}"
        );
        assert!(!DEFAULT_SOCKET_DIR_SOURCE.is_empty());
        assert!(!DEFAULT_FORCE_FILE_SOURCE.is_empty());
    }

    #[test]
    #[cfg_attr(miri, ignore = "makes syscalls Miri does not support")]
    fn peer_credentials_of_a_socketpair_are_our_own() {
        let (a, _b) = std::os::unix::net::UnixStream::pair().unwrap();
        let c = peer_credentials(a.as_fd()).unwrap();
        assert_eq!(c.pid, std::process::id());
        // SAFETY: getuid/getgid cannot fail and take no pointers.
        assert_eq!((c.uid, c.gid), unsafe { (libc::getuid(), libc::getgid()) });
    }

    #[test]
    #[cfg_attr(miri, ignore = "makes syscalls Miri does not support")]
    fn peer_credentials_refuses_what_has_no_peer() {
        let file = std::fs::File::open("/dev/null").unwrap();
        assert_eq!(peer_credentials(file.as_fd()), Err(libc::ENOTSOCK));
        let udp = std::net::UdpSocket::bind("127.0.0.1:0").unwrap();
        assert_eq!(peer_credentials(udp.as_fd()), Err(libc::EAFNOSUPPORT));
        let dir = std::env::temp_dir().join(format!("rg-unit-{}", std::process::id()));
        let _ = std::fs::remove_file(&dir);
        let listener = std::os::unix::net::UnixListener::bind(&dir).unwrap();
        let _ = std::fs::remove_file(&dir);
        // A listening socket's "peer" is itself (set at listen()); an
        // unconnected one has none.
        assert_eq!(
            peer_credentials(listener.as_fd()).unwrap().pid,
            std::process::id()
        );
        // SAFETY: plain socket() call; the result is wrapped at once.
        let raw = unsafe { libc::socket(libc::AF_UNIX, libc::SOCK_STREAM | libc::SOCK_CLOEXEC, 0) };
        assert!(raw >= 0);
        // SAFETY: we own the new descriptor.
        let unconnected = unsafe { OwnedFd::from_raw_fd(raw) };
        assert_eq!(peer_credentials(unconnected.as_fd()), Err(libc::ENOTCONN));
    }

    #[test]
    #[cfg_attr(miri, ignore = "makes syscalls Miri does not support")]
    fn nobody_listening_is_absent() {
        let name = format!("rg-unit-absent-{}", std::process::id());
        let probe = probe(name.as_bytes(), 0, 0).unwrap();
        assert_eq!(probe.state, EndpointState::Absent);
        assert_eq!(probe.credentials, None);
    }
}
