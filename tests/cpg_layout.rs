//! Proves the Rust mirror `CpgAddress` identical to corosync's own
//! `struct cpg_address` (size, alignment, field offsets) and the
//! `CPG_REASON_*` values equal to corosync's, from bindgen's view of
//! <corosync/cpg.h>. Needs the `cpg-bindings` feature (and libclang):
//! `cargo test --features cpg-bindings --test cpg_layout`.
#![cfg(feature = "cpg-bindings")]

mod corosync {
    #![allow(
        non_camel_case_types,
        non_upper_case_globals,
        dead_code,
        unsafe_op_in_unsafe_fn
    )]
    include!(concat!(env!("OUT_DIR"), "/cpg_bindings.rs"));
}

use std::mem::{align_of, offset_of, size_of};

use rivalguard::cpg::*;

#[test]
fn cpg_address_layout_matches_corosync() {
    assert_eq!(size_of::<CpgAddress>(), size_of::<corosync::cpg_address>());
    assert_eq!(size_of::<CpgAddress>(), 12);
    assert_eq!(
        align_of::<CpgAddress>(),
        align_of::<corosync::cpg_address>()
    );
    assert_eq!(
        offset_of!(CpgAddress, nodeid),
        offset_of!(corosync::cpg_address, nodeid)
    );
    assert_eq!(
        offset_of!(CpgAddress, pid),
        offset_of!(corosync::cpg_address, pid)
    );
    assert_eq!(
        offset_of!(CpgAddress, reason),
        offset_of!(corosync::cpg_address, reason)
    );
}

#[test]
fn cpg_reason_values_match_corosync() {
    assert_eq!(CPG_REASON_UNDEFINED, corosync::CPG_REASON_UNDEFINED);
    assert_eq!(CPG_REASON_JOIN, corosync::CPG_REASON_JOIN);
    assert_eq!(CPG_REASON_LEAVE, corosync::CPG_REASON_LEAVE);
    assert_eq!(CPG_REASON_NODEDOWN, corosync::CPG_REASON_NODEDOWN);
    assert_eq!(CPG_REASON_NODEUP, corosync::CPG_REASON_NODEUP);
    assert_eq!(CPG_REASON_PROCDOWN, corosync::CPG_REASON_PROCDOWN);
}

#[test]
fn members_max_is_what_the_tests_assume() {
    assert_eq!(corosync::CPG_MEMBERS_MAX, 128);
}
