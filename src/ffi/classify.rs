//! C boundary of Pacemaker's stateless leave rule.

use std::ffi::c_int;

use super::{c_slice, c_slice_mut, guard, rc};
use crate::classify::{Leave, classify_leaves};
use crate::cpg::CpgAddress;

/// What one `left_list` entry means under Pacemaker's rule (values of the
/// `verdicts` filled by rivalguard_classify_leaves()).
#[allow(non_camel_case_types)]
#[repr(u32)]
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum rivalguard_leave {
    /// No process of that node remains in `member_list`: the node left.
    RIVALGUARD_LEAVE_NODE = 0,
    /// A process of the local node remains: a local rival (or the local
    /// daemon's duplicate) left.
    RIVALGUARD_LEAVE_LOCAL_RIVAL = 1,
    /// A process of that remote node remains: one of its rivals left.
    RIVALGUARD_LEAVE_REMOTE_RIVAL = 2,
}

impl From<Leave> for rivalguard_leave {
    fn from(leave: Leave) -> Self {
        match leave {
            Leave::Node => rivalguard_leave::RIVALGUARD_LEAVE_NODE,
            Leave::LocalRival => rivalguard_leave::RIVALGUARD_LEAVE_LOCAL_RIVAL,
            Leave::RemoteRival => rivalguard_leave::RIVALGUARD_LEAVE_REMOTE_RIVAL,
        }
    }
}

/// Classifies each `left_list` entry exactly as Pacemaker 2.0.2+ does in
/// its confchg callback: a leave is a rival's when `member_list` holds any
/// entry with the same nodeid (the pid is not compared). A drop-in for
/// Pacemaker's own `qsort`/`bsearch` over `member_list`; the arguments are
/// the callback's, in the same order.
///
/// @param local_nodeid     our own corosync node id (tells local from remote rivals)
/// @param member_list      the callback's member list (may be NULL when empty)
/// @param left_list        the callback's left list (may be NULL when empty)
/// @param verdicts         `left_list_entries` slots: an `enum rivalguard_leave` per entry
/// @param remaining_pids   `left_list_entries` slots, or NULL: the pid of the first
///                         `member_list` entry of that node (in list order), 0 when none
/// @return 0, EINVAL (NULL with a non-zero length, or `verdicts` NULL while
///         `left_list_entries` > 0), ENOMEM, or ENOTRECOVERABLE (internal
///         error). Nothing is written unless 0 is returned.
///
/// # Safety
/// Each non-NULL pointer must be valid for its stated number of entries.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn rivalguard_classify_leaves(
    local_nodeid: u32,
    member_list: *const CpgAddress,
    member_list_entries: usize,
    left_list: *const CpgAddress,
    left_list_entries: usize,
    verdicts: *mut u32,
    remaining_pids: *mut u32,
) -> c_int {
    guard(rc::ENOTRECOVERABLE, || {
        // SAFETY: the caller's contract on each (pointer, length) pair.
        let lists = unsafe {
            (
                c_slice(member_list, member_list_entries),
                c_slice(left_list, left_list_entries),
                c_slice_mut(verdicts, left_list_entries),
            )
        };
        let (Ok(members), Ok(left), Ok(verdicts)) = lists else {
            return rc::EINVAL;
        };
        let mut remaining = if remaining_pids.is_null() {
            None
        } else {
            // SAFETY: non-NULL, so the caller promised left_list_entries slots.
            match unsafe { c_slice_mut(remaining_pids, left_list_entries) } {
                Ok(slots) => Some(slots),
                Err(code) => return code,
            }
        };
        let result = classify_leaves(local_nodeid, members, left, |index, classified| {
            verdicts[index] = rivalguard_leave::from(classified.leave) as u32;
            if let Some(slots) = remaining.as_deref_mut() {
                slots[index] = classified.remaining_pid;
            }
        });
        match result {
            Ok(()) => rc::OK,
            Err(_) => rc::ENOMEM,
        }
    })
}
