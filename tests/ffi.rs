//! The C boundary, called from Rust exactly as C calls it (Miri runs these
//! too): NULLs, absurd lengths, out-of-range values, too-small buffers,
//! out-parameters untouched on failure, and the log handler.

use std::ffi::{CStr, c_char, c_int, c_void};
use std::ptr::{null, null_mut};
use std::sync::Mutex;

use rivalguard::cpg::CpgAddress;
use rivalguard::ffi::classify::rivalguard_classify_leaves;
use rivalguard::ffi::log::rivalguard_set_log_handler;
use rivalguard::ffi::tracker::*;
use rivalguard::ffi::version::rivalguard_version;

const EINVAL: c_int = 22;
const ENOBUFS: c_int = 105;

fn addr(nodeid: u32, pid: u32, reason: u32) -> CpgAddress {
    CpgAddress::new(nodeid, pid, reason)
}

struct Handle(*mut rivalguard_tracker);

impl Handle {
    fn new(nodeid: u32, pid: u32) -> Self {
        let mut raw = null_mut();
        // SAFETY: `raw` is a valid out-pointer.
        assert_eq!(unsafe { rivalguard_tracker_new(nodeid, pid, &mut raw) }, 0);
        assert!(!raw.is_null());
        Handle(raw)
    }

    fn confchg(&self, members: &[CpgAddress], left: &[CpgAddress], joined: &[CpgAddress]) -> c_int {
        // SAFETY: live handle; slices valid for their lengths.
        unsafe {
            rivalguard_tracker_confchg(
                self.0,
                members.as_ptr(),
                members.len(),
                left.as_ptr(),
                left.len(),
                joined.as_ptr(),
                joined.len(),
            )
        }
    }

    fn drain(&self) -> Vec<rivalguard_event> {
        let mut events = Vec::new();
        let mut event = rivalguard_event::default();
        // SAFETY: live handle, valid out-pointer.
        while unsafe { rivalguard_tracker_next_event(self.0, &mut event) } {
            events.push(event);
        }
        events
    }
}

impl Drop for Handle {
    fn drop(&mut self) {
        // SAFETY: created by rivalguard_tracker_new, freed once.
        unsafe { rivalguard_tracker_free(self.0) };
    }
}

#[test]
fn tracker_new_checks_its_arguments() {
    let sentinel = 0x10 as *mut rivalguard_tracker;
    let mut out = sentinel;
    // SAFETY: NULL or valid out-pointers only.
    unsafe {
        assert_eq!(rivalguard_tracker_new(1, 2, null_mut()), EINVAL);
        assert_eq!(rivalguard_tracker_new(0, 2, &mut out), EINVAL);
        assert_eq!(rivalguard_tracker_new(1, 0, &mut out), EINVAL);
    }
    assert_eq!(out, sentinel, "out-parameter untouched on failure");
    // SAFETY: NULL is a no-op.
    unsafe { rivalguard_tracker_free(null_mut()) };
}

#[test]
fn confchg_through_the_boundary() {
    let tracker = Handle::new(1, 100);
    assert_eq!(
        tracker.confchg(&[addr(1, 100, 0), addr(2, 7, 0)], &[], &[addr(1, 100, 1)]),
        0
    );
    let events = tracker.drain();
    assert_eq!(events.len(), 2);
    assert_eq!(
        (
            events[0].kind,
            events[0].pid,
            events[0].reason,
            events[0].local
        ),
        (1, 100, 1, true)
    );
    assert_eq!(
        (
            events[1].kind,
            events[1].nodeid,
            events[1].reason,
            events[1].local
        ),
        (1, 2, 0, false)
    );
    // SAFETY: live handle.
    unsafe {
        assert!(rivalguard_tracker_is_member(tracker.0, 2));
        assert!(!rivalguard_tracker_is_member(tracker.0, 3));
        assert_eq!(rivalguard_tracker_node_count(tracker.0), 2);
    }
}

#[test]
fn confchg_rejects_bad_lists_and_changes_nothing() {
    let tracker = Handle::new(1, 100);
    assert_eq!(
        tracker.confchg(&[addr(1, 100, 0)], &[], &[addr(1, 100, 1)]),
        0
    );
    let one = [addr(2, 7, 0)];
    // SAFETY: each call is rejected before any list is read.
    unsafe {
        assert_eq!(
            rivalguard_tracker_confchg(null_mut(), one.as_ptr(), 1, null(), 0, null(), 0),
            EINVAL
        );
        assert_eq!(
            rivalguard_tracker_confchg(tracker.0, null(), 1, null(), 0, null(), 0),
            EINVAL
        );
        assert_eq!(
            rivalguard_tracker_confchg(tracker.0, one.as_ptr(), 1, null(), 3, null(), 0),
            EINVAL
        );
        assert_eq!(
            rivalguard_tracker_confchg(tracker.0, one.as_ptr(), 1, null(), 0, null(), 3),
            EINVAL
        );
        assert_eq!(
            rivalguard_tracker_confchg(tracker.0, one.as_ptr(), usize::MAX, null(), 0, null(), 0),
            EINVAL
        );
        assert_eq!(
            rivalguard_tracker_confchg(
                tracker.0,
                one.as_ptr(),
                1,
                one.as_ptr(),
                usize::MAX,
                null(),
                0
            ),
            EINVAL
        );
        let misaligned = (one.as_ptr() as usize + 1) as *const CpgAddress;
        assert_eq!(
            rivalguard_tracker_confchg(tracker.0, misaligned, 1, null(), 0, null(), 0),
            EINVAL
        );
        assert_eq!(
            rivalguard_tracker_node_count(tracker.0),
            1,
            "membership unchanged"
        );
        assert!(!rivalguard_tracker_is_member(tracker.0, 2));
    }
    // Length 0 is an empty list whatever the pointer.
    // SAFETY: lengths are 0, so no pointer is read.
    let rc = unsafe {
        rivalguard_tracker_confchg(tracker.0, std::ptr::dangling(), 0, null(), 0, null(), 0)
    };
    assert_eq!(rc, 0);
    let events = tracker.drain();
    assert_eq!(events.len(), 2, "our LEFT, then EVICTED");
    assert_eq!(
        events[1].kind,
        rivalguard_event_kind::RIVALGUARD_EVENT_EVICTED as u32
    );
}

#[test]
fn next_event_and_queries_with_null() {
    let tracker = Handle::new(1, 100);
    assert_eq!(
        tracker.confchg(&[addr(1, 100, 0)], &[], &[addr(1, 100, 1)]),
        0
    );
    let mut event = rivalguard_event {
        kind: 99,
        ..Default::default()
    };
    // SAFETY: NULL handles and out-pointers are rejected without access.
    unsafe {
        assert!(!rivalguard_tracker_next_event(null_mut(), &mut event));
        assert!(!rivalguard_tracker_next_event(tracker.0, null_mut()));
        assert_eq!(event.kind, 99, "untouched");
        assert!(!rivalguard_tracker_is_member(null(), 1));
        assert_eq!(rivalguard_tracker_node_count(null()), 0);
    }
    // The NULL out-pointer did not consume the event.
    assert_eq!(tracker.drain().len(), 1);
}

#[test]
fn node_pids_buffer_rules() {
    let tracker = Handle::new(1, 100);
    let members = [addr(1, 100, 0), addr(1, 200, 0), addr(1, 300, 0)];
    assert_eq!(tracker.confchg(&members, &[], &[addr(1, 100, 1)]), 0);
    let mut pids = [0u32; 3];
    let mut count = 0usize;
    // SAFETY: buffers valid for their stated sizes; NULLs rejected first.
    unsafe {
        assert_eq!(
            rivalguard_tracker_node_pids(tracker.0, 1, pids.as_mut_ptr(), 3, &mut count),
            0
        );
        assert_eq!((count, pids), (3, [100, 200, 300]));
        let mut small = [7u32; 2];
        count = 0;
        assert_eq!(
            rivalguard_tracker_node_pids(tracker.0, 1, small.as_mut_ptr(), 2, &mut count),
            ENOBUFS
        );
        assert_eq!(
            (count, small),
            (3, [7, 7]),
            "ENOBUFS gives the size needed, buffer untouched"
        );
        count = 9;
        assert_eq!(
            rivalguard_tracker_node_pids(tracker.0, 1, null_mut(), 0, &mut count),
            ENOBUFS
        );
        assert_eq!(count, 3);
        assert_eq!(
            rivalguard_tracker_node_pids(tracker.0, 5, null_mut(), 0, &mut count),
            0
        );
        assert_eq!(count, 0);
        count = 9;
        assert_eq!(
            rivalguard_tracker_node_pids(null(), 1, pids.as_mut_ptr(), 3, &mut count),
            EINVAL
        );
        assert_eq!(
            rivalguard_tracker_node_pids(tracker.0, 1, pids.as_mut_ptr(), 3, null_mut()),
            EINVAL
        );
        assert_eq!(
            rivalguard_tracker_node_pids(tracker.0, 1, null_mut(), 3, &mut count),
            EINVAL
        );
        assert_eq!(
            rivalguard_tracker_node_pids(tracker.0, 1, pids.as_mut_ptr(), usize::MAX, &mut count),
            EINVAL
        );
        assert_eq!(count, 9, "count untouched by EINVAL");
    }
}

#[test]
fn classify_leaves_checks_its_arguments() {
    let members = [addr(1, 10, 0), addr(2, 20, 0), addr(1, 11, 0)];
    let left = [addr(1, 12, 2), addr(2, 21, 2), addr(3, 30, 3)];
    let mut verdicts = [9u32; 3];
    let mut pids = [9u32; 3];
    // SAFETY: valid buffers, or rejected before access.
    unsafe {
        let call =
            |m: *const CpgAddress,
             ml: usize,
             l: *const CpgAddress,
             ll: usize,
             v: *mut u32,
             p: *mut u32| { rivalguard_classify_leaves(1, m, ml, l, ll, v, p) };
        assert_eq!(
            call(
                null(),
                3,
                left.as_ptr(),
                3,
                verdicts.as_mut_ptr(),
                null_mut()
            ),
            EINVAL
        );
        assert_eq!(
            call(
                members.as_ptr(),
                3,
                null(),
                3,
                verdicts.as_mut_ptr(),
                null_mut()
            ),
            EINVAL
        );
        assert_eq!(
            call(
                members.as_ptr(),
                3,
                left.as_ptr(),
                3,
                null_mut(),
                null_mut()
            ),
            EINVAL
        );
        assert_eq!(
            call(
                members.as_ptr(),
                usize::MAX,
                left.as_ptr(),
                3,
                verdicts.as_mut_ptr(),
                null_mut()
            ),
            EINVAL
        );
        assert_eq!(
            call(
                members.as_ptr(),
                3,
                left.as_ptr(),
                usize::MAX,
                verdicts.as_mut_ptr(),
                null_mut()
            ),
            EINVAL
        );
        assert_eq!((verdicts, pids), ([9; 3], [9; 3]), "untouched on failure");
        assert_eq!(
            call(
                members.as_ptr(),
                3,
                left.as_ptr(),
                0,
                null_mut(),
                null_mut()
            ),
            0,
            "no leaves"
        );
        assert_eq!(
            call(
                members.as_ptr(),
                3,
                left.as_ptr(),
                3,
                verdicts.as_mut_ptr(),
                pids.as_mut_ptr()
            ),
            0
        );
    }
    assert_eq!(verdicts, [1, 2, 0]);
    assert_eq!(pids, [10, 20, 0]);
}

#[test]
fn names_are_static_and_total() {
    let name = |p: *const c_char| {
        // SAFETY: the functions return static NUL-terminated strings.
        unsafe { CStr::from_ptr(p) }.to_str().unwrap().to_owned()
    };
    assert_eq!(name(rivalguard_event_kind_name(1)), "NODE_JOINED");
    assert_eq!(name(rivalguard_event_kind_name(5)), "EVICTED");
    assert_eq!(name(rivalguard_event_kind_name(0)), "UNKNOWN");
    assert_eq!(name(rivalguard_event_kind_name(u32::MAX)), "UNKNOWN");
    assert_eq!(name(rivalguard_reason_name(3)), "nodedown");
    assert_eq!(name(rivalguard_reason_name(5)), "procdown");
    assert_eq!(name(rivalguard_reason_name(6)), "unknown");
    assert_eq!(name(rivalguard_version()), env!("CARGO_PKG_VERSION"));
}

static LOGGED: Mutex<Vec<(c_int, String, usize)>> = Mutex::new(Vec::new());

unsafe extern "C" fn record(priority: c_int, message: *const c_char, user_data: *mut c_void) {
    // SAFETY: the library passes a NUL-terminated message.
    let text = unsafe { CStr::from_ptr(message) }
        .to_string_lossy()
        .into_owned();
    LOGGED
        .lock()
        .unwrap()
        .push((priority, text, user_data as usize));
}

#[test]
fn contradictions_are_logged_through_the_handler_only() {
    let tracker = Handle::new(1, 100);
    rivalguard_set_log_handler(Some(record), 0x5eed as *mut c_void);
    assert_eq!(
        tracker.confchg(&[addr(1, 100, 0)], &[addr(1, 100, 2)], &[addr(1, 100, 1)]),
        0
    );
    rivalguard_set_log_handler(None, null_mut());
    assert_eq!(
        tracker.confchg(&[addr(1, 100, 0)], &[addr(1, 100, 2)], &[]),
        0
    );
    let logged = LOGGED.lock().unwrap();
    assert_eq!(logged.len(), 1, "{logged:?}");
    let (priority, text, user_data) = &logged[0];
    assert_eq!((*priority, *user_data), (4, 0x5eed));
    assert!(text.contains("nodeid 1 pid 100 reason leave"), "{text}");
}
