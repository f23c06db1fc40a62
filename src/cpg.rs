//! Rust mirror of corosync's `struct cpg_address` and the `CPG_REASON_*`
//! values. The mirror is proven identical to `<corosync/cpg.h>` by the
//! bindgen test in `tests/cpg_layout.rs`, so the C header can take
//! corosync's own struct directly.

use std::ffi::CStr;

/// One entry of a CPG member, left or joined list, laid out exactly as
/// corosync's `struct cpg_address` (12 bytes, alignment 4).
#[repr(C)]
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct CpgAddress {
    /// Corosync node id.
    pub nodeid: u32,
    /// Process id on that node.
    pub pid: u32,
    /// `CPG_REASON_*` (always 0 in a member list).
    pub reason: u32,
}

impl CpgAddress {
    /// An entry with the given node id, pid and reason.
    pub const fn new(nodeid: u32, pid: u32, reason: u32) -> Self {
        Self {
            nodeid,
            pid,
            reason,
        }
    }
}

/// `CPG_REASON_UNDEFINED`: also used for events the tracker inferred.
pub const CPG_REASON_UNDEFINED: u32 = 0;
/// `CPG_REASON_JOIN`: the process called `cpg_join()`.
pub const CPG_REASON_JOIN: u32 = 1;
/// `CPG_REASON_LEAVE`: the process called `cpg_leave()`.
pub const CPG_REASON_LEAVE: u32 = 2;
/// `CPG_REASON_NODEDOWN`: its node left the corosync membership.
pub const CPG_REASON_NODEDOWN: u32 = 3;
/// `CPG_REASON_NODEUP`: its node joined the corosync membership.
pub const CPG_REASON_NODEUP: u32 = 4;
/// `CPG_REASON_PROCDOWN`: the process exited or its connection closed.
pub const CPG_REASON_PROCDOWN: u32 = 5;

/// The symbolic name of a `CPG_REASON_*` value, `"unknown"` for others.
pub const fn reason_c_name(reason: u32) -> &'static CStr {
    match reason {
        CPG_REASON_UNDEFINED => c"undefined",
        CPG_REASON_JOIN => c"join",
        CPG_REASON_LEAVE => c"leave",
        CPG_REASON_NODEDOWN => c"nodedown",
        CPG_REASON_NODEUP => c"nodeup",
        CPG_REASON_PROCDOWN => c"procdown",
        _ => c"unknown",
    }
}

/// [`reason_c_name`] as a Rust string.
pub fn reason_name(reason: u32) -> &'static str {
    reason_c_name(reason).to_str().unwrap_or("unknown")
}
