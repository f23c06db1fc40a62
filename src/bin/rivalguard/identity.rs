//! Users, groups and processes by id (the system's user database and
//! /proc), and Pacemaker's endpoints with their reference identities. Used
//! by the CLI and, by path, by the tests.

#![allow(dead_code)] // the CLI and the tests each use a different part

use std::ffi::{CStr, CString};

/// A user's uid and primary gid, looked up by name.
pub fn user_by_name(name: &str) -> Option<(u32, u32)> {
    let name = CString::new(name).ok()?;
    let mut buf = vec![0u8; 16384];
    // SAFETY: an all-zero `passwd` is a valid out value.
    let mut pwd: libc::passwd = unsafe { std::mem::zeroed() };
    let mut result: *mut libc::passwd = std::ptr::null_mut();
    // SAFETY: valid name, out struct, buffer and result pointer.
    let rc = unsafe {
        libc::getpwnam_r(
            name.as_ptr(),
            &mut pwd,
            buf.as_mut_ptr().cast(),
            buf.len(),
            &mut result,
        )
    };
    (rc == 0 && !result.is_null()).then_some((pwd.pw_uid, pwd.pw_gid))
}

/// A group's gid, looked up by name.
pub fn group_by_name(name: &str) -> Option<u32> {
    let name = CString::new(name).ok()?;
    let mut buf = vec![0u8; 65536];
    // SAFETY: an all-zero `group` is a valid out value.
    let mut grp: libc::group = unsafe { std::mem::zeroed() };
    let mut result: *mut libc::group = std::ptr::null_mut();
    // SAFETY: valid name, out struct, buffer and result pointer.
    let rc = unsafe {
        libc::getgrnam_r(
            name.as_ptr(),
            &mut grp,
            buf.as_mut_ptr().cast(),
            buf.len(),
            &mut result,
        )
    };
    (rc == 0 && !result.is_null()).then_some(grp.gr_gid)
}

/// The name of user `uid`, when it has one.
pub fn user_name(uid: u32) -> Option<String> {
    let mut buf = vec![0u8; 16384];
    // SAFETY: an all-zero `passwd` is a valid out value.
    let mut pwd: libc::passwd = unsafe { std::mem::zeroed() };
    let mut result: *mut libc::passwd = std::ptr::null_mut();
    // SAFETY: valid out struct, buffer and result pointer.
    let rc = unsafe {
        libc::getpwuid_r(
            uid,
            &mut pwd,
            buf.as_mut_ptr().cast(),
            buf.len(),
            &mut result,
        )
    };
    if rc != 0 || result.is_null() {
        return None;
    }
    // SAFETY: getpwuid_r succeeded: pw_name is a NUL-terminated string in `buf`.
    Some(
        unsafe { CStr::from_ptr(pwd.pw_name) }
            .to_string_lossy()
            .into_owned(),
    )
}

/// The name of group `gid`, when it has one.
pub fn group_name(gid: u32) -> Option<String> {
    let mut buf = vec![0u8; 65536];
    // SAFETY: an all-zero `group` is a valid out value.
    let mut grp: libc::group = unsafe { std::mem::zeroed() };
    let mut result: *mut libc::group = std::ptr::null_mut();
    // SAFETY: valid out struct, buffer and result pointer.
    let rc = unsafe {
        libc::getgrgid_r(
            gid,
            &mut grp,
            buf.as_mut_ptr().cast(),
            buf.len(),
            &mut result,
        )
    };
    if rc != 0 || result.is_null() {
        return None;
    }
    // SAFETY: getgrgid_r succeeded: gr_name is a NUL-terminated string in `buf`.
    Some(
        unsafe { CStr::from_ptr(grp.gr_name) }
            .to_string_lossy()
            .into_owned(),
    )
}

/// The program a process runs, as this pid namespace sees it: the file
/// name of /proc/PID/exe (needs root for others' processes), else
/// /proc/PID/comm (15 characters at most). None when there is no such
/// process here (pid 0: the kernel could not name it in our namespace).
pub fn process_name(pid: u32) -> Option<String> {
    if pid == 0 {
        return None;
    }
    if let Ok(exe) = std::fs::read_link(format!("/proc/{pid}/exe")) {
        if let Some(name) = exe.file_name() {
            let name = name.to_string_lossy();
            // A replaced binary reads "name (deleted)": keep the name.
            return Some(name.trim_end_matches(" (deleted)").to_owned());
        }
    }
    std::fs::read_to_string(format!("/proc/{pid}/comm"))
        .ok()
        .map(|comm| comm.trim_end().to_owned())
}

/// The user Pacemaker's unprivileged daemons run as.
pub const DAEMON_USER: &str = "hacluster";

/// Who should serve a Pacemaker endpoint.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Owner {
    /// root (0:0): pacemakerd, execd, fenced.
    Root,
    /// The `hacluster` user and its primary group.
    DaemonUser,
}

/// One of Pacemaker's libqb endpoints.
#[derive(Clone, Copy, Debug)]
pub struct PacemakerEndpoint {
    /// The libqb IPC name.
    pub name: &'static str,
    /// The daemon's program name (file name of its executable).
    pub daemon: &'static str,
    /// Who should serve it.
    pub owner: Owner,
}

/// Pacemaker 2.x's nine IPC endpoints, in start order.
pub const PACEMAKER_ENDPOINTS: [PacemakerEndpoint; 9] = [
    PacemakerEndpoint {
        name: "pacemakerd",
        daemon: "pacemakerd",
        owner: Owner::Root,
    },
    PacemakerEndpoint {
        name: "cib_ro",
        daemon: "pacemaker-based",
        owner: Owner::DaemonUser,
    },
    PacemakerEndpoint {
        name: "cib_rw",
        daemon: "pacemaker-based",
        owner: Owner::DaemonUser,
    },
    PacemakerEndpoint {
        name: "cib_shm",
        daemon: "pacemaker-based",
        owner: Owner::DaemonUser,
    },
    PacemakerEndpoint {
        name: "stonith-ng",
        daemon: "pacemaker-fenced",
        owner: Owner::Root,
    },
    PacemakerEndpoint {
        name: "lrmd",
        daemon: "pacemaker-execd",
        owner: Owner::Root,
    },
    PacemakerEndpoint {
        name: "attrd",
        daemon: "pacemaker-attrd",
        owner: Owner::DaemonUser,
    },
    PacemakerEndpoint {
        name: "pengine",
        daemon: "pacemaker-schedulerd",
        owner: Owner::DaemonUser,
    },
    PacemakerEndpoint {
        name: "crmd",
        daemon: "pacemaker-controld",
        owner: Owner::DaemonUser,
    },
];

/// The Pacemaker endpoint called `name`, if it is one.
pub fn pacemaker_endpoint(name: &str) -> Option<&'static PacemakerEndpoint> {
    PACEMAKER_ENDPOINTS.iter().find(|e| e.name == name)
}

/// The (uid, gid) Pacemaker checks an endpoint's server against: root's
/// 0:0, or `hacluster` and its primary group, looked up (None when that
/// user does not exist).
pub fn reference_ids(owner: Owner) -> Option<(u32, u32)> {
    match owner {
        Owner::Root => Some((0, 0)),
        Owner::DaemonUser => user_by_name(DAEMON_USER),
    }
}
