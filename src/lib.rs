//! rivalguard: rival-aware corosync CPG membership tracking and libqb
//! endpoint pre-checks for Pacemaker's daemons, behind a C ABI.
//!
//! One node may run several processes of one CPG group: the legitimate
//! daemon and a *rival* (a second instance started by accident or by a
//! race). This crate answers two questions exactly:
//!
//! * what a CPG configuration change means for each peer node
//!   ([`tracker::Tracker`] is PID-aware; [`classify`] is Pacemaker's own
//!   stateless rule, offered as a drop-in);
//! * who serves a libqb IPC endpoint, from kernel credentials, without a
//!   libqb handshake (the `endpoint` module).
//!
//! The decisions are plain safe Rust without I/O; `unsafe` lives only in
//! [`ffi`] (the C boundary) and in the few syscalls of the endpoint probe.

#![deny(unsafe_op_in_unsafe_fn)]
#![warn(missing_docs)]

// The pure modules are Rust API only: cbindgen exports just `ffi`.
/// cbindgen:ignore
pub mod classify;
/// cbindgen:ignore
pub mod cpg;
/// cbindgen:ignore
pub mod endpoint;
pub mod ffi;
/// cbindgen:ignore
pub mod log;
/// cbindgen:ignore
pub mod tracker;
