//! The tracker allocates nothing per change once it has seen its largest
//! membership (the contract's cost rule), counted by a global allocator.

use std::alloc::{GlobalAlloc, Layout, System};
use std::sync::atomic::{AtomicUsize, Ordering};

use rivalguard::cpg::CpgAddress;
use rivalguard::tracker::Tracker;

struct Counting;

static ALLOCATIONS: AtomicUsize = AtomicUsize::new(0);

// SAFETY: forwards to the system allocator, only counting calls.
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        ALLOCATIONS.fetch_add(1, Ordering::Relaxed);
        // SAFETY: same contract as the caller's.
        unsafe { System.alloc(layout) }
    }
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        // SAFETY: same contract as the caller's.
        unsafe { System.dealloc(ptr, layout) }
    }
    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        ALLOCATIONS.fetch_add(1, Ordering::Relaxed);
        // SAFETY: same contract as the caller's.
        unsafe { System.realloc(ptr, layout, new_size) }
    }
}

#[global_allocator]
static GLOBAL: Counting = Counting;

#[test]
fn steady_state_changes_allocate_nothing() {
    // 32 nodes with 4 processes each: corosync's CPG_MEMBERS_MAX of 128.
    let full: Vec<CpgAddress> = (1..=32u32)
        .flat_map(|node| (0..4u32).map(move |i| CpgAddress::new(node, 1000 * node + i, 0)))
        .collect();
    let mut tracker = Tracker::new(1, 1000).unwrap();
    tracker
        .confchg(&full, &[], &[CpgAddress::new(1, 1000, 1)])
        .unwrap();
    while tracker.next_event().is_some() {}

    // Precompute every change so building them is not counted.
    let changes: Vec<(Vec<CpgAddress>, Vec<CpgAddress>, Vec<CpgAddress>)> = (0..full.len())
        .filter(|&i| i != 0)
        .flat_map(|i| {
            let gone = full[i];
            let without: Vec<CpgAddress> = full.iter().copied().filter(|m| *m != gone).collect();
            let left = vec![CpgAddress::new(gone.nodeid, gone.pid, 5)];
            let joined = vec![CpgAddress::new(gone.nodeid, gone.pid, 1)];
            [(without, left, vec![]), (full.clone(), vec![], joined)]
        })
        .collect();

    let before = ALLOCATIONS.load(Ordering::Relaxed);
    let mut events = 0;
    for (members, left, joined) in &changes {
        tracker.confchg(members, left, joined).unwrap();
        while tracker.next_event().is_some() {
            events += 1;
        }
        assert!(tracker.is_member(members[members.len() - 1].nodeid));
    }
    let allocated = ALLOCATIONS.load(Ordering::Relaxed) - before;
    assert_eq!(events, changes.len(), "one event per change");
    assert_eq!(
        allocated,
        0,
        "{allocated} allocations in {} steady-state changes",
        changes.len()
    );
}
