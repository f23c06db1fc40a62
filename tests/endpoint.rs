//! The endpoint pre-check against a real libqb server (our own
//! c-tests/endpoint_server.c, started and stopped by each test): root and
//! unprivileged servers, the authenticity matrix, absent, stopped, full
//! queue, filesystem mode, stale sockets, name limits, zero server
//! callbacks, and a real libqb client connection as the positive control.
//! Runs as root (setpriv, unshare, mount).

mod endpoint_support;

use std::ffi::{CString, c_char, c_void};
use std::os::fd::{AsFd, AsRawFd};
use std::os::unix::fs::FileTypeExt;
use std::path::Path;
use std::time::{Duration, Instant};

use endpoint_support::*;
use rivalguard::endpoint::{
    self, Attempt, Credentials, DEFAULT_SOCKET_DIR, EndpointState, ProbeOptions, Startup,
};
use rivalguard::ffi::endpoint::{
    rivalguard_credentials, rivalguard_endpoint_probe, rivalguard_endpoint_probe_with,
    rivalguard_endpoint_state as S, rivalguard_probe_options, rivalguard_socket_peer_check,
    rivalguard_startup as V, rivalguard_startup_check,
};
use rivalguard::ffi::rc;
use rivalguard::log::{LOG_DEBUG, LOG_ERR, LOG_WARNING};

#[link(name = "qb")]
unsafe extern "C" {
    fn qb_ipcc_connect(name: *const c_char, max_msg_size: usize) -> *mut c_void;
    fn qb_ipcc_fd_get(connection: *mut c_void, fd: *mut i32) -> i32;
    fn qb_ipcc_disconnect(connection: *mut c_void);
}

const NOBODY: u32 = 65534;

fn c_probe(name: &str, ref_uid: u32, ref_gid: u32) -> (i32, u32, rivalguard_credentials) {
    let name = CString::new(name).unwrap();
    let (mut state, mut creds) = (u32::MAX, rivalguard_credentials::default());
    // SAFETY: valid pointers.
    let code = unsafe {
        rivalguard_endpoint_probe(name.as_ptr(), ref_uid, ref_gid, &mut state, &mut creds)
    };
    (code, state, creds)
}

fn c_startup(name: &str, ref_uid: u32, ref_gid: u32) -> (i32, u32, rivalguard_credentials) {
    let name = CString::new(name).unwrap();
    let (mut verdict, mut holder) = (
        u32::MAX,
        rivalguard_credentials {
            pid: 9,
            uid: 9,
            gid: 9,
        },
    );
    // SAFETY: valid pointers.
    let code = unsafe {
        rivalguard_startup_check(name.as_ptr(), ref_uid, ref_gid, &mut verdict, &mut holder)
    };
    (code, verdict, holder)
}

fn creds(pid: u32, uid: u32, gid: u32) -> rivalguard_credentials {
    rivalguard_credentials { pid, uid, gid }
}

fn assert_no_callbacks(counts: &Counts) {
    for key in ["accept", "created", "closed", "destroyed", "msgs"] {
        assert_eq!(counts[key], 0, "{key} callbacks: {counts:?}");
    }
}

#[test]
fn root_server_is_authentic_and_already_active() {
    capture_logs();
    let name = unique_name("root");
    let mut server = Server::start(&name, Launch::Root);
    let probe = endpoint::probe(name.as_bytes(), 12345, 12345).unwrap();
    assert_eq!(probe.state, EndpointState::Authentic);
    assert_eq!(
        probe.credentials,
        Some(Credentials {
            pid: server.pid,
            uid: 0,
            gid: 0
        })
    );
    assert_eq!(
        c_probe(&name, 12345, 12345),
        (
            rc::OK,
            S::RIVALGUARD_ENDPOINT_AUTHENTIC as u32,
            creds(server.pid, 0, 0)
        )
    );
    assert_eq!(
        c_startup(&name, 12345, 12345),
        (
            rc::OK,
            V::RIVALGUARD_STARTUP_ALREADY_ACTIVE as u32,
            creds(server.pid, 0, 0)
        )
    );
    // Routine results are logged at debug level only.
    let logs = logs_mentioning(&name);
    assert!(!logs.is_empty());
    assert!(
        logs.iter().all(|(priority, _)| *priority == LOG_DEBUG),
        "{logs:?}"
    );
    assert!(
        logs[0].1.contains(&format!("process {}", server.pid)),
        "{logs:?}"
    );
    assert_no_callbacks(&server.counts());
    assert_no_callbacks(&server.terminate());
}

#[test]
fn unprivileged_squatter_is_unauthorized_and_blocks() {
    capture_logs();
    let name = unique_name("nobody");
    let server = Server::start(&name, Launch::Nobody);
    let squatter = Credentials {
        pid: server.pid,
        uid: NOBODY,
        gid: NOBODY,
    };

    let probe = endpoint::probe(name.as_bytes(), 0, 0).unwrap();
    assert_eq!(probe.state, EndpointState::Unauthorized);
    assert_eq!(probe.credentials, Some(squatter));
    // The matrix of the authenticity rule, on the real server.
    let state = |ref_uid, ref_gid, strict| {
        let options = ProbeOptions {
            strict,
            ..Default::default()
        };
        endpoint::probe_with(name.as_bytes(), ref_uid, ref_gid, &options)
            .unwrap()
            .state
    };
    assert_eq!(state(0, 0, false), EndpointState::Unauthorized);
    assert_eq!(state(NOBODY, 1, false), EndpointState::Authentic);
    assert_eq!(state(NOBODY, 1, true), EndpointState::Authentic);
    assert_eq!(state(1000, NOBODY, false), EndpointState::Authentic);
    assert_eq!(state(1000, NOBODY, true), EndpointState::Unauthorized);
    assert_eq!(state(1000, 1000, true), EndpointState::Unauthorized);

    let nobody = creds(server.pid, NOBODY, NOBODY);
    assert_eq!(
        c_probe(&name, 0, 0),
        (rc::OK, S::RIVALGUARD_ENDPOINT_UNAUTHORIZED as u32, nobody)
    );
    assert_eq!(
        c_probe(&name, NOBODY, NOBODY),
        (rc::OK, S::RIVALGUARD_ENDPOINT_AUTHENTIC as u32, nobody)
    );
    assert_eq!(
        c_startup(&name, 0, 0),
        (rc::OK, V::RIVALGUARD_STARTUP_BLOCKED as u32, nobody)
    );
    assert_eq!(
        c_startup(&name, NOBODY, 0),
        (rc::OK, V::RIVALGUARD_STARTUP_ALREADY_ACTIVE as u32, nobody)
    );
    assert_eq!(
        endpoint::startup_check(name.as_bytes(), 0, 0).unwrap(),
        (Startup::Blocked, Some(squatter))
    );

    // A squatter is named in a warning (probe) and an error (start-up check).
    let logs = logs_mentioning(&name);
    let named = format!(
        "unauthorized process {} (uid {NOBODY}, gid {NOBODY}",
        server.pid
    );
    assert!(
        logs.iter()
            .any(|(p, t)| *p == LOG_WARNING && t.contains(&named)),
        "{logs:?}"
    );
    assert!(
        logs.iter()
            .any(|(p, t)| *p == LOG_ERR && t.contains(&named)),
        "{logs:?}"
    );
}

#[test]
fn nobody_serving_is_absent_and_proceeds() {
    let name = unique_name("absent");
    assert_eq!(
        endpoint::probe(name.as_bytes(), 0, 0).unwrap(),
        endpoint::Probe {
            state: EndpointState::Absent,
            credentials: None
        }
    );
    assert_eq!(
        c_probe(&name, 0, 0),
        (rc::OK, S::RIVALGUARD_ENDPOINT_ABSENT as u32, creds(0, 0, 0))
    );
    assert_eq!(
        c_startup(&name, 0, 0),
        (rc::OK, V::RIVALGUARD_STARTUP_PROCEED as u32, creds(0, 0, 0))
    );
    // Once served and then stopped for good, it is absent again.
    let server = Server::start(&name, Launch::Root);
    assert_eq!(
        c_probe(&name, 0, 0).1,
        S::RIVALGUARD_ENDPOINT_AUTHENTIC as u32
    );
    drop(server);
    assert_eq!(
        c_probe(&name, 0, 0),
        (rc::OK, S::RIVALGUARD_ENDPOINT_ABSENT as u32, creds(0, 0, 0))
    );
}

#[test]
fn stopped_server_is_answered_until_its_queue_is_full() {
    capture_logs();
    let name = unique_name("stopped");
    let mut server = Server::start(&name, Launch::Root);
    server.stop();
    // The kernel completes the connection into the listen queue.
    let probe = endpoint::probe(name.as_bytes(), 0, 0).unwrap();
    assert_eq!(probe.state, EndpointState::Authentic);
    assert_eq!(probe.credentials.unwrap().pid, server.pid);

    // Fill the queue with connections nobody accepts.
    let address = endpoint::address_for(name.as_bytes(), &ProbeOptions::default()).unwrap();
    let mut fillers = Vec::new();
    loop {
        match endpoint::connect_once(&address).unwrap() {
            Attempt::Connected(fd) => fillers.push(fd),
            Attempt::QueueFull => break,
            Attempt::Absent => panic!("the endpoint vanished"),
        }
        assert!(fillers.len() < 10_000, "the listen queue never filled");
    }
    assert!(
        fillers.len() >= 128,
        "libqb's backlog is 128; filled after {}",
        fillers.len()
    );

    let options = ProbeOptions {
        timeout: Some(Duration::from_millis(200)),
        ..Default::default()
    };
    let started = Instant::now();
    let probe = endpoint::probe_with(name.as_bytes(), 0, 0, &options).unwrap();
    // No connection is possible; as root we still find the holder in /proc.
    assert_eq!(
        probe,
        endpoint::Probe {
            state: EndpointState::Unresponsive,
            credentials: Some(Credentials {
                pid: server.pid,
                uid: 0,
                gid: 0
            })
        }
    );
    assert!(started.elapsed() < PATIENCE, "bounded by the timeout");
    // Default timeout through the C API, and the start-up verdict.
    let cname = CString::new(name.as_str()).unwrap();
    let copts = rivalguard_probe_options {
        force_file: std::ptr::null(),
        socket_dir: std::ptr::null(),
        timeout_ms: 50,
        strict: false,
    };
    let (mut state, mut found) = (u32::MAX, creds(9, 9, 9));
    // SAFETY: valid pointers.
    let code = unsafe {
        rivalguard_endpoint_probe_with(cname.as_ptr(), &copts, 0, 0, &mut state, &mut found)
    };
    assert_eq!(
        (code, state, found),
        (
            rc::OK,
            S::RIVALGUARD_ENDPOINT_UNRESPONSIVE as u32,
            creds(server.pid, 0, 0)
        )
    );
    assert_eq!(
        c_startup(&name, 0, 0),
        (
            rc::OK,
            V::RIVALGUARD_STARTUP_UNRESPONSIVE as u32,
            creds(server.pid, 0, 0)
        )
    );
    let logs = logs_mentioning(&name);
    assert!(
        logs.iter()
            .any(|(p, t)| *p == LOG_WARNING && t.contains("unresponsive")),
        "{logs:?}"
    );
    assert!(logs.iter().any(|(p, _)| *p == LOG_ERR), "{logs:?}");

    // Released and resumed, the server drains its queue and answers again,
    // having run no callback for any of those connections.
    drop(fillers);
    server.resume();
    assert_eq!(
        c_probe(&name, 0, 0),
        (
            rc::OK,
            S::RIVALGUARD_ENDPOINT_AUTHENTIC as u32,
            creds(server.pid, 0, 0)
        )
    );
    assert_no_callbacks(&server.counts_when(|c| c["log_debug"] >= 128));
}

/// Fills the listen queue of a stopped server with connections nobody
/// accepts; returns them (closing them frees the queue).
fn fill_queue(name: &str) -> Vec<std::os::fd::OwnedFd> {
    let address = endpoint::address_for(name.as_bytes(), &ProbeOptions::default()).unwrap();
    let mut fillers = Vec::new();
    loop {
        match endpoint::connect_once(&address).unwrap() {
            Attempt::Connected(fd) => fillers.push(fd),
            Attempt::QueueFull => return fillers,
            Attempt::Absent => panic!("the endpoint vanished"),
        }
        assert!(fillers.len() < 10_000, "the listen queue never filled");
    }
}

#[test]
fn a_stopped_squatter_with_a_full_queue_is_still_named() {
    let name = unique_name("stuck-squatter");
    let server = Server::start(&name, Launch::Nobody);
    server.stop();
    let _fillers = fill_queue(&name);
    let squatter = Credentials {
        pid: server.pid,
        uid: NOBODY,
        gid: NOBODY,
    };
    assert_eq!(
        endpoint::startup_check(name.as_bytes(), 0, 0).unwrap(),
        (Startup::Unresponsive, Some(squatter))
    );
}

#[test]
fn a_thousand_probes_run_no_server_callback_and_create_no_shared_memory() {
    let name = unique_name("thousand");
    let mut server = Server::start(&name, Launch::Root);
    let before = server.counts();
    assert_no_callbacks(&before);
    let shm_before = shm_entries_of(server.pid);
    for _ in 0..1000 {
        assert_eq!(
            c_probe(&name, 0, 0),
            (
                rc::OK,
                S::RIVALGUARD_ENDPOINT_AUTHENTIC as u32,
                creds(server.pid, 0, 0)
            )
        );
    }
    // The server did see the connections (one debug line each when it
    // drops them)...
    let after = server.counts_when(|c| c["log_debug"] >= before["log_debug"] + 1000);
    // ...and ran no callback, logged nothing above debug, mapped no memory.
    assert_no_callbacks(&after);
    for key in ["log_info", "log_warning", "log_err"] {
        assert_eq!(after[key], before[key], "{key}: {before:?} -> {after:?}");
    }
    assert_eq!(shm_entries_of(server.pid), shm_before);

    // Positive control: one real libqb client handshake does all of that.
    let cname = CString::new(name.as_str()).unwrap();
    // SAFETY: a NUL-terminated name; the connection is closed below.
    let connection = unsafe { qb_ipcc_connect(cname.as_ptr(), 8192) };
    assert!(
        !connection.is_null(),
        "qb_ipcc_connect: {}",
        std::io::Error::last_os_error()
    );
    let with_client = server.counts_when(|c| c["created"] == 1);
    assert_eq!(with_client["accept"], 1);
    assert!(
        !shm_entries_of(server.pid).is_empty(),
        "a libqb connection maps shared memory"
    );
    // The peer check on libqb's own connection agrees with the probe.
    let mut fd = -1;
    // SAFETY: a live connection and a valid out-pointer.
    assert_eq!(unsafe { qb_ipcc_fd_get(connection, &mut fd) }, 0);
    let (mut authentic, mut peer) = (false, creds(9, 9, 9));
    // SAFETY: valid out-pointers; fd stays open until the disconnect.
    assert_eq!(
        unsafe { rivalguard_socket_peer_check(fd, 12345, 12345, &mut authentic, &mut peer) },
        rc::OK
    );
    assert!(authentic);
    assert_eq!(peer, c_probe(&name, 12345, 12345).2);
    // SAFETY: connected above, disconnected once.
    unsafe { qb_ipcc_disconnect(connection) };
    let finished = server.counts_when(|c| c["destroyed"] == 1);
    assert_eq!(finished["accept"], 1);
}

#[test]
fn socket_peer_check_on_a_raw_connection() {
    let name = unique_name("peer");
    let server = Server::start(&name, Launch::Nobody);
    let address = endpoint::address_for(name.as_bytes(), &ProbeOptions::default()).unwrap();
    let Attempt::Connected(fd) = endpoint::connect_once(&address).unwrap() else {
        panic!("not connected");
    };
    let expected = Credentials {
        pid: server.pid,
        uid: NOBODY,
        gid: NOBODY,
    };
    assert_eq!(
        endpoint::socket_peer_check(fd.as_fd(), 0, 0),
        Ok((false, expected))
    );
    assert_eq!(
        endpoint::socket_peer_check(fd.as_fd(), 0, NOBODY),
        Ok((true, expected))
    );
    let (mut authentic, mut peer) = (true, creds(9, 9, 9));
    // SAFETY: valid out-pointers; fd is open.
    let code =
        unsafe { rivalguard_socket_peer_check(fd.as_raw_fd(), 0, 0, &mut authentic, &mut peer) };
    assert_eq!(
        (code, authentic, peer),
        (rc::OK, false, creds(server.pid, NOBODY, NOBODY))
    );
    drop(fd);
    // A descriptor number that cannot be open (beyond any fd limit): EBADF;
    // a descriptor that is not a socket: ENOTSOCK. Outputs untouched.
    let null = std::fs::File::open("/dev/null").unwrap();
    let (mut authentic, mut peer) = (true, creds(9, 9, 9));
    // SAFETY: valid out-pointers; the fd numbers are only inspected.
    unsafe {
        assert_eq!(
            rivalguard_socket_peer_check(1 << 30, 0, 0, &mut authentic, &mut peer),
            libc::EBADF
        );
        assert_eq!(
            rivalguard_socket_peer_check(null.as_raw_fd(), 0, 0, &mut authentic, &mut peer),
            libc::ENOTSOCK
        );
    }
    assert_eq!((authentic, peer), (true, creds(9, 9, 9)));
    // SAFETY: as above.
    let code = unsafe { rivalguard_socket_peer_check(-5, 0, 0, &mut authentic, &mut peer) };
    assert_eq!((code, authentic, peer), (rc::EINVAL, true, creds(9, 9, 9)));
}

/// Pads a unique name to exactly `len` bytes.
fn name_of_len(tag: &str, len: usize) -> String {
    let mut name = unique_name(tag);
    assert!(name.len() < len);
    while name.len() < len {
        name.push('x');
    }
    name
}

#[test]
fn name_limits_are_libqbs() {
    // A 106-byte name: carried whole by libqb, probed whole by us.
    let full = name_of_len("n106", 106);
    let server = Server::start(&full, Launch::Root);
    assert_eq!(
        c_probe(&full, 0, 0),
        (
            rc::OK,
            S::RIVALGUARD_ENDPOINT_AUTHENTIC as u32,
            creds(server.pid, 0, 0)
        )
    );
    drop(server);

    // A 107-byte name: libqb silently serves its first 106 bytes; we refuse
    // to probe a name other than the one asked for.
    let long = name_of_len("n107", 107);
    let server = Server::start(&long, Launch::Root);
    assert_eq!(
        c_probe(&long, 0, 0),
        (rc::ENAMETOOLONG, u32::MAX, creds(0, 0, 0))
    );
    assert_eq!(
        c_startup(&long, 0, 0),
        (rc::ENAMETOOLONG, u32::MAX, creds(9, 9, 9))
    );
    assert_eq!(
        endpoint::probe(long.as_bytes(), 0, 0),
        Err(libc::ENAMETOOLONG)
    );
    assert_eq!(
        c_probe(&long[..106], 0, 0).1,
        S::RIVALGUARD_ENDPOINT_AUTHENTIC as u32,
        "libqb truncated it"
    );
    drop(server);

    // Empty and NUL-carrying names.
    assert_eq!(c_probe("", 0, 0).0, rc::EINVAL);
    assert_eq!(endpoint::probe(b"at\0trd", 0, 0), Err(libc::EINVAL));
    // NULL name and NULL outputs, through the C API.
    let (mut state, mut found) = (u32::MAX, creds(9, 9, 9));
    // SAFETY: NULL or valid pointers.
    unsafe {
        assert_eq!(
            rivalguard_endpoint_probe(std::ptr::null(), 0, 0, &mut state, &mut found),
            rc::EINVAL
        );
        assert_eq!(
            rivalguard_endpoint_probe(c"cpg".as_ptr(), 0, 0, std::ptr::null_mut(), &mut found),
            rc::EINVAL
        );
        assert_eq!(
            rivalguard_endpoint_probe(c"cpg".as_ptr(), 0, 0, &mut state, std::ptr::null_mut()),
            rc::EINVAL
        );
        assert_eq!(
            rivalguard_startup_check(std::ptr::null(), 0, 0, &mut state, &mut found),
            rc::EINVAL
        );
    }
    assert_eq!((state, found), (u32::MAX, creds(9, 9, 9)));
}

#[test]
fn filesystem_mode_uses_libqbs_own_socket_directory() {
    let name = unique_name("fsdefault");
    let socket = Path::new(DEFAULT_SOCKET_DIR).join(&name);
    let _cleanup = RemoveOnDrop(socket.clone());
    let scratch = TempDir::new("force");
    let force = scratch.0.join("force-filesystem-sockets");
    std::fs::write(&force, "").unwrap();

    let mut server = Server::start(&name, Launch::Filesystem(None));
    // The real libqb put its socket where build.rs said it would.
    let kind = std::fs::symlink_metadata(&socket)
        .unwrap_or_else(|e| panic!("libqb's socket is not at {}: {e}", socket.display()))
        .file_type();
    assert!(kind.is_socket(), "{}", socket.display());

    let fs_mode = ProbeOptions {
        force_file: Some(&force),
        ..Default::default()
    };
    let probe = endpoint::probe_with(name.as_bytes(), 0, 0, &fs_mode).unwrap();
    assert_eq!(probe.state, EndpointState::Authentic);
    assert_eq!(
        probe.credentials,
        Some(Credentials {
            pid: server.pid,
            uid: 0,
            gid: 0
        })
    );
    // In filesystem mode libqb binds no abstract name.
    let abstract_mode = ProbeOptions {
        force_file: Some(&scratch.0.join("absent")),
        ..Default::default()
    };
    assert_eq!(
        endpoint::probe_with(name.as_bytes(), 0, 0, &abstract_mode)
            .unwrap()
            .state,
        EndpointState::Absent
    );
    // Another directory holds no socket: absent (ENOENT).
    let elsewhere = ProbeOptions {
        socket_dir: Some(&scratch.0),
        ..fs_mode
    };
    assert_eq!(
        endpoint::probe_with(name.as_bytes(), 0, 0, &elsewhere)
            .unwrap()
            .state,
        EndpointState::Absent
    );
    assert_no_callbacks(&server.counts());

    // Killed, the server leaves its socket file behind: stale, so absent.
    server.kill();
    assert!(socket.exists(), "stale socket file");
    assert_eq!(
        endpoint::probe_with(name.as_bytes(), 0, 0, &fs_mode).unwrap(),
        endpoint::Probe {
            state: EndpointState::Absent,
            credentials: None
        }
    );
}

#[test]
fn filesystem_mode_with_a_test_socket_directory() {
    let name = unique_name("fsdir");
    let scratch = TempDir::new("fsdir");
    let sockets = scratch.0.join("sockets");
    std::fs::create_dir(&sockets).unwrap();
    let force = scratch.0.join("force");
    std::fs::write(&force, "").unwrap();

    let server = Server::start(&name, Launch::Filesystem(Some(sockets.clone())));
    assert!(
        std::fs::symlink_metadata(sockets.join(&name))
            .unwrap()
            .file_type()
            .is_socket()
    );

    // Through the C API, with both options.
    let cname = CString::new(name.as_str()).unwrap();
    let cforce = CString::new(force.to_str().unwrap()).unwrap();
    let cdir = CString::new(sockets.to_str().unwrap()).unwrap();
    let mut options = rivalguard_probe_options {
        force_file: cforce.as_ptr(),
        socket_dir: cdir.as_ptr(),
        timeout_ms: 0,
        strict: true,
    };
    let (mut state, mut found) = (u32::MAX, creds(9, 9, 9));
    // SAFETY: valid pointers.
    let code = unsafe {
        rivalguard_endpoint_probe_with(cname.as_ptr(), &options, 7, 7, &mut state, &mut found)
    };
    assert_eq!(
        (code, state, found),
        (
            rc::OK,
            S::RIVALGUARD_ENDPOINT_AUTHENTIC as u32,
            creds(server.pid, 0, 0)
        )
    );
    // The default directory does not hold it.
    options.socket_dir = std::ptr::null();
    // SAFETY: valid pointers.
    let code = unsafe {
        rivalguard_endpoint_probe_with(cname.as_ptr(), &options, 7, 7, &mut state, &mut found)
    };
    assert_eq!(
        (code, state, found),
        (rc::OK, S::RIVALGUARD_ENDPOINT_ABSENT as u32, creds(0, 0, 0))
    );
    // A path over 107 bytes in filesystem mode: refused, not truncated.
    let deep = CString::new(format!("{}/{}", sockets.display(), "d".repeat(100))).unwrap();
    options.socket_dir = deep.as_ptr();
    let (mut state, mut found) = (u32::MAX, creds(9, 9, 9));
    // SAFETY: valid pointers.
    let code = unsafe {
        rivalguard_endpoint_probe_with(cname.as_ptr(), &options, 7, 7, &mut state, &mut found)
    };
    assert_eq!(
        (code, state, found),
        (rc::ENAMETOOLONG, u32::MAX, creds(9, 9, 9))
    );
}

#[test]
fn stale_or_foreign_files_are_absent() {
    let name = unique_name("stale");
    let scratch = TempDir::new("stale");
    let force = scratch.0.join("force");
    std::fs::write(&force, "").unwrap();
    let options = ProbeOptions {
        force_file: Some(&force),
        socket_dir: Some(&scratch.0),
        ..Default::default()
    };
    // No file: absent (ENOENT).
    assert_eq!(
        endpoint::probe_with(name.as_bytes(), 0, 0, &options)
            .unwrap()
            .state,
        EndpointState::Absent
    );
    // A socket file whose listener is gone: absent (ECONNREFUSED).
    drop(std::os::unix::net::UnixListener::bind(scratch.0.join(&name)).unwrap());
    assert_eq!(
        endpoint::probe_with(name.as_bytes(), 0, 0, &options)
            .unwrap()
            .state,
        EndpointState::Absent
    );
    // A regular file where the socket should be: nobody listens either.
    let other = unique_name("regular");
    std::fs::write(scratch.0.join(&other), "").unwrap();
    assert_eq!(
        endpoint::probe_with(other.as_bytes(), 0, 0, &options)
            .unwrap()
            .state,
        EndpointState::Absent
    );
    // A live plain listener there is reached like a libqb server.
    let live = unique_name("live");
    let _listener = std::os::unix::net::UnixListener::bind(scratch.0.join(&live)).unwrap();
    let probe = endpoint::probe_with(live.as_bytes(), 0, 0, &options).unwrap();
    assert_eq!(probe.state, EndpointState::Authentic);
    assert_eq!(probe.credentials.unwrap().pid, std::process::id());
}
