//! C boundary of the PID-aware tracker: an opaque handle, the confchg
//! entry point, an event queue, and a few queries.

use std::ffi::{c_char, c_int};

use super::{c_slice, c_slice_mut, guard, out_ok, rc, write_out};
use crate::cpg::{CpgAddress, reason_c_name};
use crate::log::{LOG_ERR, LOG_WARNING};
use crate::rg_log;
use crate::tracker::{Event, EventKind, Tracker};

/// The PID-aware membership tracker of one CPG group (opaque). Create it
/// with rivalguard_tracker_new() after `cpg_join()`, feed it every confchg,
/// free it with rivalguard_tracker_free(). Not thread-safe: use it from the
/// thread that dispatches CPG.
#[allow(non_camel_case_types)]
pub struct rivalguard_tracker {
    inner: Tracker,
}

/// What an event says (values of `rivalguard_event.kind`).
#[allow(non_camel_case_types)]
#[repr(u32)]
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum rivalguard_event_kind {
    /// The node's first process arrived: mark the peer online.
    RIVALGUARD_EVENT_NODE_JOINED = 1,
    /// The node's last process (its incumbent) left: mark the peer offline.
    RIVALGUARD_EVENT_NODE_LEFT = 2,
    /// One more process on a node already present: the node's presence is
    /// unchanged. With `local` set and `pid` equal to our own pid, *we* are
    /// the newcomer beside an instance that was already running.
    RIVALGUARD_EVENT_RIVAL_JOINED = 3,
    /// A process left while others of its node remain (or a non-incumbent
    /// left with the rest of its node): the node's presence is unchanged by it.
    RIVALGUARD_EVENT_RIVAL_LEFT = 4,
    /// Our own (local nodeid, local pid) is not in `member_list`: we are no
    /// longer in the group. Always the last event of its change.
    RIVALGUARD_EVENT_EVICTED = 5,
}

impl From<EventKind> for rivalguard_event_kind {
    fn from(kind: EventKind) -> Self {
        match kind {
            EventKind::NodeJoined => rivalguard_event_kind::RIVALGUARD_EVENT_NODE_JOINED,
            EventKind::NodeLeft => rivalguard_event_kind::RIVALGUARD_EVENT_NODE_LEFT,
            EventKind::RivalJoined => rivalguard_event_kind::RIVALGUARD_EVENT_RIVAL_JOINED,
            EventKind::RivalLeft => rivalguard_event_kind::RIVALGUARD_EVENT_RIVAL_LEFT,
            EventKind::Evicted => rivalguard_event_kind::RIVALGUARD_EVENT_EVICTED,
        }
    }
}

/// One decision of the tracker about one process.
#[allow(non_camel_case_types)]
#[repr(C)]
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct rivalguard_event {
    /// An `enum rivalguard_event_kind`.
    pub kind: u32,
    /// The process's node.
    pub nodeid: u32,
    /// The process the event is about (our own pid for EVICTED).
    pub pid: u32,
    /// `CPG_REASON_*` of the `left_list`/`joined_list` entry that named the
    /// process; `CPG_REASON_UNDEFINED` when the tracker inferred it (a lost
    /// event, or a member already there when we joined) and for EVICTED.
    pub reason: u32,
    /// RIVAL_* and EVICTED: the node's incumbent after the change, 0 when
    /// none remains. 0 for NODE_*.
    pub other_pid: u32,
    /// `nodeid` is the local node.
    pub local: bool,
    /// LEFT events: the process that left was its node's incumbent (its
    /// longest-standing process).
    pub incumbent: bool,
}

impl From<Event> for rivalguard_event {
    fn from(event: Event) -> Self {
        Self {
            kind: rivalguard_event_kind::from(event.kind) as u32,
            nodeid: event.nodeid,
            pid: event.pid,
            reason: event.reason,
            other_pid: event.other_pid,
            local: event.local,
            incumbent: event.incumbent,
        }
    }
}

/// Borrows the tracker behind a C handle, or `None` for NULL/misaligned.
///
/// # Safety
/// A non-NULL `tracker` must come from rivalguard_tracker_new() and not be freed.
unsafe fn tracker_ref<'a>(tracker: *const rivalguard_tracker) -> Option<&'a Tracker> {
    if !tracker.is_aligned() {
        return None;
    }
    // SAFETY: aligned; a non-NULL handle is live per the caller's contract.
    unsafe { tracker.as_ref() }.map(|handle| &handle.inner)
}

/// Mutable twin of [`tracker_ref`].
///
/// # Safety
/// As for [`tracker_ref`], and not used by another thread meanwhile.
unsafe fn tracker_mut<'a>(tracker: *mut rivalguard_tracker) -> Option<&'a mut Tracker> {
    if !tracker.is_aligned() {
        return None;
    }
    // SAFETY: aligned; a non-NULL handle is live and unshared per the contract.
    unsafe { tracker.as_mut() }.map(|handle| &mut handle.inner)
}

/// Creates a tracker for our own process, to be fed every confchg of one
/// CPG group from the first one after our `cpg_join()` on.
///
/// @param local_nodeid  our corosync node id (`cpg_local_get()`), not 0
/// @param local_pid     our pid (`getpid()`), not 0
/// @param out           receives the new tracker
/// @return 0, EINVAL (a zero id, or `out` NULL), ENOMEM, or ENOTRECOVERABLE.
///         `*out` is written only on success.
///
/// # Safety
/// A non-NULL `out` must be valid for a write of one pointer.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn rivalguard_tracker_new(
    local_nodeid: u32,
    local_pid: u32,
    out: *mut *mut rivalguard_tracker,
) -> c_int {
    guard(rc::ENOTRECOVERABLE, || {
        if !out_ok(out) {
            return rc::EINVAL;
        }
        let Ok(inner) = Tracker::new(local_nodeid, local_pid) else {
            return rc::EINVAL;
        };
        let handle = Box::into_raw(Box::new(rivalguard_tracker { inner }));
        // SAFETY: `out` checked non-NULL and aligned; valid per the contract.
        unsafe { write_out(out, handle) }
    })
}

/// Frees a tracker. NULL is a no-op.
///
/// # Safety
/// A non-NULL `tracker` must come from rivalguard_tracker_new() and not be
/// used again.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn rivalguard_tracker_free(tracker: *mut rivalguard_tracker) {
    guard((), || {
        if tracker.is_null() || !tracker.is_aligned() {
            return;
        }
        // SAFETY: created by Box::into_raw in rivalguard_tracker_new and
        // given back exactly once, per the caller's contract.
        drop(unsafe { Box::from_raw(tracker) });
    });
}

/// Decides one CPG configuration change: pass the confchg callback's lists
/// through unchanged, then drain rivalguard_tracker_next_event().
///
/// `member_list` is the truth: afterwards the tracked membership equals it.
/// Every process that left yields exactly one LEFT event and every process
/// that arrived exactly one JOINED event: first those `left_list` names (in
/// its order), then those `joined_list` names (in its order), then the ones
/// no list named (inferred, reason `CPG_REASON_UNDEFINED`), by nodeid,
/// departures first, then by pid. A node's own transition (first process
/// in, last process out) is reported once, as NODE_JOINED / NODE_LEFT; every
/// other change as RIVAL_JOINED / RIVAL_LEFT. EVICTED comes last whenever
/// our own process is missing from `member_list`. Entries that contradict
/// `member_list` or repeat are logged (warning) and otherwise ignored.
/// Replaces the previous change's events. Allocates nothing once the
/// tracker has seen its largest membership.
///
/// @return 0, EINVAL (`tracker` NULL, or a list NULL with a non-zero length;
///         nothing changes), ENOMEM (nothing changes), or ENOTRECOVERABLE
///         (internal error: the membership is unchanged and no event is queued).
///
/// # Safety
/// `tracker` as for rivalguard_tracker_free(); each non-NULL list must be
/// valid for its number of entries.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn rivalguard_tracker_confchg(
    tracker: *mut rivalguard_tracker,
    member_list: *const CpgAddress,
    member_list_entries: usize,
    left_list: *const CpgAddress,
    left_list_entries: usize,
    joined_list: *const CpgAddress,
    joined_list_entries: usize,
) -> c_int {
    guard(rc::ENOTRECOVERABLE, || {
        // SAFETY: the caller's contract on the handle and each list.
        let (tracker, members, left, joined) = unsafe {
            (
                tracker_mut(tracker),
                c_slice(member_list, member_list_entries),
                c_slice(left_list, left_list_entries),
                c_slice(joined_list, joined_list_entries),
            )
        };
        let (Some(tracker), Ok(members), Ok(left), Ok(joined)) = (tracker, members, left, joined)
        else {
            return rc::EINVAL;
        };
        if tracker.confchg(members, left, joined).is_err() {
            rg_log!(
                LOG_ERR,
                "rivalguard: out of memory deciding a CPG change of {} members",
                members.len()
            );
            return rc::ENOMEM;
        }
        for anomaly in tracker.anomalies() {
            rg_log!(LOG_WARNING, "rivalguard: {}", anomaly.describe());
        }
        rc::OK
    })
}

/// Takes the next event of the last change, in order.
///
/// @return true with `*out` written, or false when the queue is drained
///         (or `tracker`/`out` is NULL; `*out` is then untouched).
///
/// # Safety
/// `tracker` as for rivalguard_tracker_free(); a non-NULL `out` must be
/// valid for a write.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn rivalguard_tracker_next_event(
    tracker: *mut rivalguard_tracker,
    out: *mut rivalguard_event,
) -> bool {
    guard(false, || {
        if !out_ok(out) {
            return false;
        }
        // SAFETY: the caller's contract on the handle.
        let Some(tracker) = (unsafe { tracker_mut(tracker) }) else {
            return false;
        };
        let Some(event) = tracker.next_event() else {
            return false;
        };
        // SAFETY: `out` checked non-NULL and aligned; valid per the contract.
        unsafe { write_out(out, rivalguard_event::from(event)) == rc::OK }
    })
}

/// Whether any process of `nodeid` is tracked, i.e. the peer is online in
/// this group. False for a NULL tracker.
///
/// # Safety
/// `tracker` as for rivalguard_tracker_free().
#[unsafe(no_mangle)]
pub unsafe extern "C" fn rivalguard_tracker_is_member(
    tracker: *const rivalguard_tracker,
    nodeid: u32,
) -> bool {
    // SAFETY: the caller's contract on the handle.
    guard(false, || {
        unsafe { tracker_ref(tracker) }.is_some_and(|t| t.is_member(nodeid))
    })
}

/// How many nodes have at least one tracked process. 0 for a NULL tracker.
///
/// # Safety
/// `tracker` as for rivalguard_tracker_free().
#[unsafe(no_mangle)]
pub unsafe extern "C" fn rivalguard_tracker_node_count(
    tracker: *const rivalguard_tracker,
) -> usize {
    // SAFETY: the caller's contract on the handle.
    guard(0, || {
        unsafe { tracker_ref(tracker) }.map_or(0, Tracker::node_count)
    })
}

/// Copies the tracked pids of `nodeid` into `pids`: its incumbent first,
/// then the others in arrival order. A node with no process gives 0 pids.
///
/// @param pids      `capacity` slots (may be NULL when `capacity` is 0)
/// @param count     receives how many pids were written
/// @return 0; ENOBUFS when `capacity` is too small: then `*count` is set to
///         the number needed and `pids` is untouched; EINVAL (`tracker` or
///         `count` NULL, or `pids` NULL with a capacity); ENOMEM; ENOTRECOVERABLE.
///
/// # Safety
/// `tracker` as for rivalguard_tracker_free(); a non-NULL `pids` must be
/// valid for `capacity` writes and `count` for one.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn rivalguard_tracker_node_pids(
    tracker: *const rivalguard_tracker,
    nodeid: u32,
    pids: *mut u32,
    capacity: usize,
    count: *mut usize,
) -> c_int {
    guard(rc::ENOTRECOVERABLE, || {
        // SAFETY: the caller's contract on the handle and the buffer.
        let (tracker, slots) = unsafe { (tracker_ref(tracker), c_slice_mut(pids, capacity)) };
        let (Some(tracker), Ok(slots)) = (tracker, slots) else {
            return rc::EINVAL;
        };
        if !out_ok(count) {
            return rc::EINVAL;
        }
        let Ok(node_pids) = tracker.node_pids(nodeid) else {
            return rc::ENOMEM;
        };
        // SAFETY: `count` checked non-NULL and aligned; valid per the contract.
        unsafe { write_out(count, node_pids.len()) };
        let Some(slots) = slots.get_mut(..node_pids.len()) else {
            return rc::ENOBUFS;
        };
        slots.copy_from_slice(&node_pids);
        rc::OK
    })
}

/// The name of an `enum rivalguard_event_kind` value ("NODE_JOINED", …),
/// "UNKNOWN" for any other value. A static string: never NULL, never freed.
#[unsafe(no_mangle)]
pub extern "C" fn rivalguard_event_kind_name(kind: u32) -> *const c_char {
    guard(c"UNKNOWN".as_ptr(), || {
        EventKind::from_u32(kind)
            .map_or(c"UNKNOWN", EventKind::c_name)
            .as_ptr()
    })
}

/// The name of a `CPG_REASON_*` value ("join", "leave", "nodedown",
/// "nodeup", "procdown", "undefined"), "unknown" for any other value. A
/// static string: never NULL, never freed.
#[unsafe(no_mangle)]
pub extern "C" fn rivalguard_reason_name(reason: u32) -> *const c_char {
    guard(c"unknown".as_ptr(), || reason_c_name(reason).as_ptr())
}
