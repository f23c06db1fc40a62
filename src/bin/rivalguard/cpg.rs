//! A small, safe binding to corosync's libcpg: what the `rivalguard` CLI
//! needs to watch CPG groups without joining them (the iteration API, as
//! `corosync-cpgtool` uses it), plus join/leave/dispatch for the tests'
//! rival client (which includes this file by path). Links `-lcpg`, and only
//! into the programs that use it: never into the static library.

#![allow(dead_code)] // the CLI and the tests each use a different part

use std::ffi::{c_int, c_void};
use std::fmt;
use std::os::fd::RawFd;
use std::sync::Mutex;

use rivalguard::cpg::CpgAddress;

/// `CPG_MEMBERS_MAX`.
pub const MEMBERS_MAX: usize = 128;
/// Maximum length of a CPG group name (`struct cpg_name` value).
pub const NAME_MAX: usize = 128;

type CsError = c_int;
type CpgHandle = u64;
type IterationHandle = u64;

const CS_OK: CsError = 1;
const CS_ERR_NO_SECTIONS: CsError = 27;

const CS_DISPATCH_ALL: c_int = 2;
const CS_DISPATCH_ONE_NONBLOCKING: c_int = 4;

const CPG_ITERATION_ONE_GROUP: c_int = 2;
const CPG_ITERATION_ALL: c_int = 3;

/// `struct cpg_name`.
#[repr(C)]
#[derive(Clone, Copy)]
struct RawName {
    length: u32,
    value: [u8; NAME_MAX],
}

/// `struct cpg_iteration_description_t`.
#[repr(C)]
#[derive(Clone, Copy)]
struct RawDescription {
    group: RawName,
    nodeid: u32,
    pid: u32,
}

type DeliverFn = unsafe extern "C" fn(
    handle: CpgHandle,
    group: *const RawName,
    nodeid: u32,
    pid: u32,
    msg: *mut c_void,
    msg_len: usize,
);
type ConfchgFn = unsafe extern "C" fn(
    handle: CpgHandle,
    group: *const RawName,
    member_list: *const CpgAddress,
    member_list_entries: usize,
    left_list: *const CpgAddress,
    left_list_entries: usize,
    joined_list: *const CpgAddress,
    joined_list_entries: usize,
);

/// `cpg_callbacks_t`.
#[repr(C)]
struct RawCallbacks {
    deliver: Option<DeliverFn>,
    confchg: Option<ConfchgFn>,
}

#[link(name = "cpg")]
unsafe extern "C" {
    fn cpg_initialize(handle: *mut CpgHandle, callbacks: *mut RawCallbacks) -> CsError;
    fn cpg_finalize(handle: CpgHandle) -> CsError;
    fn cpg_fd_get(handle: CpgHandle, fd: *mut c_int) -> CsError;
    fn cpg_dispatch(handle: CpgHandle, flags: c_int) -> CsError;
    fn cpg_join(handle: CpgHandle, group: *const RawName) -> CsError;
    fn cpg_leave(handle: CpgHandle, group: *const RawName) -> CsError;
    fn cpg_local_get(handle: CpgHandle, local_nodeid: *mut u32) -> CsError;
    fn cpg_iteration_initialize(
        handle: CpgHandle,
        iteration_type: c_int,
        group: *const RawName,
        iteration: *mut IterationHandle,
    ) -> CsError;
    fn cpg_iteration_next(iteration: IterationHandle, description: *mut RawDescription) -> CsError;
    fn cpg_iteration_finalize(iteration: IterationHandle) -> CsError;
}

/// A corosync `cs_error_t` other than `CS_OK`, with the call that got it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Error {
    /// The libcpg function.
    pub call: &'static str,
    /// The `cs_error_t` value.
    pub code: c_int,
}

impl Error {
    /// `CS_ERR_LIBRARY`: corosync is not running (or not reachable).
    pub fn is_not_running(&self) -> bool {
        self.code == 2
    }
    /// `CS_ERR_ACCESS`: corosync refused our uid.
    pub fn is_access(&self) -> bool {
        self.code == 11
    }
    /// `CS_ERR_TRY_AGAIN`.
    pub fn is_try_again(&self) -> bool {
        self.code == 6
    }
}

fn cs_name(code: c_int) -> &'static str {
    match code {
        1 => "CS_OK",
        2 => "CS_ERR_LIBRARY",
        3 => "CS_ERR_VERSION",
        4 => "CS_ERR_INIT",
        5 => "CS_ERR_TIMEOUT",
        6 => "CS_ERR_TRY_AGAIN",
        7 => "CS_ERR_INVALID_PARAM",
        8 => "CS_ERR_NO_MEMORY",
        9 => "CS_ERR_BAD_HANDLE",
        10 => "CS_ERR_BUSY",
        11 => "CS_ERR_ACCESS",
        12 => "CS_ERR_NOT_EXIST",
        13 => "CS_ERR_NAME_TOO_LONG",
        14 => "CS_ERR_EXIST",
        15 => "CS_ERR_NO_SPACE",
        16 => "CS_ERR_INTERRUPT",
        17 => "CS_ERR_NAME_NOT_FOUND",
        18 => "CS_ERR_NO_RESOURCES",
        19 => "CS_ERR_NOT_SUPPORTED",
        20 => "CS_ERR_BAD_OPERATION",
        21 => "CS_ERR_FAILED_OPERATION",
        22 => "CS_ERR_MESSAGE_ERROR",
        23 => "CS_ERR_QUEUE_FULL",
        24 => "CS_ERR_QUEUE_NOT_AVAILABLE",
        25 => "CS_ERR_BAD_FLAGS",
        26 => "CS_ERR_TOO_BIG",
        27 => "CS_ERR_NO_SECTIONS",
        28 => "CS_ERR_CONTEXT_NOT_FOUND",
        30 => "CS_ERR_TOO_MANY_GROUPS",
        100 => "CS_ERR_SECURITY",
        _ => "unknown cs_error_t",
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{} failed: {} ({})",
            self.call,
            cs_name(self.code),
            self.code
        )
    }
}

impl std::error::Error for Error {}

fn check(call: &'static str, code: CsError) -> Result<(), Error> {
    if code == CS_OK {
        Ok(())
    } else {
        Err(Error { call, code })
    }
}

fn raw_name(group: &str) -> Result<RawName, Error> {
    raw_name_bytes(group.as_bytes())
}

/// The CPG name Pacemaker uses for `group`: its bytes and the NUL.
fn pacemaker_name(group: &str) -> Result<RawName, Error> {
    let mut bytes = group.as_bytes().to_vec();
    bytes.push(0);
    raw_name_bytes(&bytes)
}

fn raw_name_bytes(bytes: &[u8]) -> Result<RawName, Error> {
    if bytes.is_empty() || bytes.len() > NAME_MAX {
        return Err(Error {
            call: "group name",
            code: 13, // CS_ERR_NAME_TOO_LONG
        });
    }
    let mut name = RawName {
        length: bytes.len() as u32,
        value: [0; NAME_MAX],
    };
    name.value[..bytes.len()].copy_from_slice(bytes);
    Ok(name)
}

/// A group's name as text. Pacemaker counts the terminating NUL in the
/// length (its groups are "attrd\0", "cib\0", ...): trailing NULs are
/// dropped, so "attrd" names Pacemaker's group.
fn name_string(name: &RawName) -> String {
    let len = (name.length as usize).min(NAME_MAX);
    let bytes = &name.value[..len];
    let end = bytes.iter().rposition(|&b| b != 0).map_or(0, |i| i + 1);
    String::from_utf8_lossy(&bytes[..end]).into_owned()
}

/// One configuration change as the confchg callback received it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Confchg {
    /// The group's name.
    pub group: String,
    /// `member_list`.
    pub members: Vec<CpgAddress>,
    /// `left_list`.
    pub left: Vec<CpgAddress>,
    /// `joined_list`.
    pub joined: Vec<CpgAddress>,
}

/// Changes received by [`confchg_callback`], for [`Cpg::take_confchgs`].
static CONFCHGS: Mutex<Vec<Confchg>> = Mutex::new(Vec::new());

/// # Safety
/// Called by libcpg with valid (pointer, length) lists.
unsafe fn list(ptr: *const CpgAddress, len: usize) -> Vec<CpgAddress> {
    if ptr.is_null() || len == 0 {
        Vec::new()
    } else {
        // SAFETY: libcpg passes `len` valid entries at `ptr`.
        unsafe { std::slice::from_raw_parts(ptr, len) }.to_vec()
    }
}

unsafe extern "C" fn confchg_callback(
    _handle: CpgHandle,
    group: *const RawName,
    member_list: *const CpgAddress,
    member_list_entries: usize,
    left_list: *const CpgAddress,
    left_list_entries: usize,
    joined_list: *const CpgAddress,
    joined_list_entries: usize,
) {
    // Nothing may unwind into C.
    let _ = std::panic::catch_unwind(|| {
        // SAFETY: libcpg passes a valid group name and valid lists.
        let change = unsafe {
            Confchg {
                group: if group.is_null() {
                    String::new()
                } else {
                    name_string(&*group)
                },
                members: list(member_list, member_list_entries),
                left: list(left_list, left_list_entries),
                joined: list(joined_list, joined_list_entries),
            }
        };
        if let Ok(mut queue) = CONFCHGS.lock() {
            queue.push(change);
        }
    });
}

unsafe extern "C" fn deliver_callback(
    _handle: CpgHandle,
    _group: *const RawName,
    _nodeid: u32,
    _pid: u32,
    _msg: *mut c_void,
    _msg_len: usize,
) {
}

/// One process of one group, as the iteration API lists it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct GroupMember {
    /// Group name.
    pub group: String,
    /// Corosync node id.
    pub nodeid: u32,
    /// Process id, as corosync's pid namespace sees it.
    pub pid: u32,
}

/// A connection to corosync's CPG service.
pub struct Cpg {
    handle: CpgHandle,
}

impl Cpg {
    /// Connects to corosync (`cpg_initialize`). Confchg callbacks are queued
    /// for [`Cpg::take_confchgs`].
    pub fn connect() -> Result<Self, Error> {
        let mut callbacks = RawCallbacks {
            deliver: Some(deliver_callback),
            confchg: Some(confchg_callback),
        };
        let mut handle: CpgHandle = 0;
        // SAFETY: both pointers are valid for the call; libcpg copies the callbacks.
        check("cpg_initialize", unsafe {
            cpg_initialize(&mut handle, &mut callbacks)
        })?;
        Ok(Self { handle })
    }

    /// Our node id (`cpg_local_get`).
    pub fn local_nodeid(&self) -> Result<u32, Error> {
        let mut nodeid = 0u32;
        // SAFETY: a valid handle and out pointer.
        check("cpg_local_get", unsafe {
            cpg_local_get(self.handle, &mut nodeid)
        })?;
        Ok(nodeid)
    }

    /// Every process of every group (`group` None), or of one group, in
    /// corosync's order, without joining anything.
    pub fn iterate(&self, group: Option<&str>) -> Result<Vec<GroupMember>, Error> {
        let name = group.map(raw_name).transpose()?;
        let (kind, name_ptr) = match &name {
            Some(name) => (CPG_ITERATION_ONE_GROUP, name as *const RawName),
            None => (CPG_ITERATION_ALL, std::ptr::null()),
        };
        let mut iteration: IterationHandle = 0;
        // SAFETY: a valid handle; `name_ptr` is NULL (allowed for ALL) or valid.
        check("cpg_iteration_initialize", unsafe {
            cpg_iteration_initialize(self.handle, kind, name_ptr, &mut iteration)
        })?;
        let mut out = Vec::new();
        let result = loop {
            let mut description = RawDescription {
                group: RawName {
                    length: 0,
                    value: [0; NAME_MAX],
                },
                nodeid: 0,
                pid: 0,
            };
            // SAFETY: a live iteration handle and a valid out pointer.
            let code = unsafe { cpg_iteration_next(iteration, &mut description) };
            if code == CS_OK {
                out.push(GroupMember {
                    group: name_string(&description.group),
                    nodeid: description.nodeid,
                    pid: description.pid,
                });
            } else if code == CS_ERR_NO_SECTIONS {
                break Ok(out);
            } else {
                break Err(Error {
                    call: "cpg_iteration_next",
                    code,
                });
            }
        };
        // SAFETY: finalizing the iteration we initialized.
        unsafe { cpg_iteration_finalize(iteration) };
        result
    }

    /// Joins Pacemaker's group `group` (`cpg_join`), retrying while
    /// corosync says TRY_AGAIN. Pacemaker counts the terminating NUL in the
    /// name's length, so its "attrd" is the 6 bytes "attrd\0", a different
    /// group from the 5 bytes "attrd".
    pub fn join_pacemaker(&self, group: &str) -> Result<(), Error> {
        let name = pacemaker_name(group)?;
        self.retry("cpg_join", || {
            // SAFETY: a valid handle and name.
            unsafe { cpg_join(self.handle, &name) }
        })
    }

    /// Leaves Pacemaker's group `group` (see [`Cpg::join_pacemaker`]).
    pub fn leave_pacemaker(&self, group: &str) -> Result<(), Error> {
        let name = pacemaker_name(group)?;
        self.retry("cpg_leave", || {
            // SAFETY: a valid handle and name.
            unsafe { cpg_leave(self.handle, &name) }
        })
    }

    fn retry(&self, call: &'static str, mut f: impl FnMut() -> CsError) -> Result<(), Error> {
        for _ in 0..100 {
            let code = f();
            if code != 6 {
                return check(call, code);
            }
            std::thread::sleep(std::time::Duration::from_millis(20));
        }
        check(call, 6)
    }

    /// The descriptor to poll for callbacks.
    pub fn fd(&self) -> Result<RawFd, Error> {
        let mut fd: c_int = -1;
        // SAFETY: a valid handle and out pointer.
        check("cpg_fd_get", unsafe { cpg_fd_get(self.handle, &mut fd) })?;
        Ok(fd)
    }

    /// Runs every pending callback (`cpg_dispatch(CS_DISPATCH_ALL)`).
    pub fn dispatch(&self) -> Result<(), Error> {
        // SAFETY: a valid handle.
        check("cpg_dispatch", unsafe {
            cpg_dispatch(self.handle, CS_DISPATCH_ALL)
        })
    }

    /// Runs at most one pending callback without blocking.
    pub fn dispatch_one_nonblocking(&self) -> Result<(), Error> {
        // SAFETY: a valid handle.
        let code = unsafe { cpg_dispatch(self.handle, CS_DISPATCH_ONE_NONBLOCKING) };
        if code == 6 {
            Ok(())
        } else {
            check("cpg_dispatch", code)
        }
    }

    /// Waits up to `timeout_ms` for callbacks and runs them.
    pub fn poll_dispatch(&self, timeout_ms: i32) -> Result<bool, Error> {
        let mut pfd = libc::pollfd {
            fd: self.fd()?,
            events: libc::POLLIN,
            revents: 0,
        };
        // SAFETY: one valid pollfd.
        let ready = unsafe { libc::poll(&mut pfd, 1, timeout_ms) };
        if ready > 0 {
            self.dispatch()?;
            Ok(true)
        } else {
            Ok(false)
        }
    }

    /// The configuration changes the callback received so far (drained).
    pub fn take_confchgs() -> Vec<Confchg> {
        CONFCHGS
            .lock()
            .map(|mut queue| std::mem::take(&mut *queue))
            .unwrap_or_default()
    }
}

impl Drop for Cpg {
    fn drop(&mut self) {
        // SAFETY: finalizing the handle we initialized, once.
        unsafe { cpg_finalize(self.handle) };
    }
}
