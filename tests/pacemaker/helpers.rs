//! Helper modes of this test binary, run inside the node's namespaces (the
//! harness re-executes the binary with `helper-*` arguments through
//! nsenter, optionally under setpriv). Each prints JSON lines on stdout.

use std::ffi::CString;
use std::io::BufRead;
use std::time::Instant;

use rivalguard::cpg::CpgAddress;
use rivalguard::ffi::endpoint::{
    rivalguard_credentials, rivalguard_endpoint_probe, rivalguard_startup_check,
};
use rivalguard::ffi::tracker::{
    rivalguard_event, rivalguard_tracker, rivalguard_tracker_confchg, rivalguard_tracker_free,
    rivalguard_tracker_new, rivalguard_tracker_next_event,
};
use serde_json::json;

use crate::cpg::Cpg;
use crate::identity;

/// Runs the helper named by `args[0]`; never returns.
pub fn run(args: &[String]) -> ! {
    let code = match args.first().map(String::as_str) {
        Some("helper-squatter") => squatter(&args[1]),
        Some("helper-fill") => fill(&args[1]),
        Some("helper-check") => check(&args[1..]),
        Some("helper-rival") => rival(&args[1]),
        other => {
            eprintln!("unknown helper {other:?}");
            2
        }
    };
    std::process::exit(code)
}

/// The address libqb binds and connects for abstract endpoint `name`: the
/// whole 108-byte sun_path (NUL, name, NUL padding), addrlen 110.
fn libqb_abstract_address(name: &str) -> (libc::sockaddr_un, libc::socklen_t) {
    // SAFETY: an all-zero sockaddr_un is valid.
    let mut address: libc::sockaddr_un = unsafe { std::mem::zeroed() };
    address.sun_family = libc::AF_UNIX as libc::sa_family_t;
    assert!(name.len() <= 106, "name too long for libqb");
    for (slot, byte) in address.sun_path[1..].iter_mut().zip(name.bytes()) {
        *slot = byte as libc::c_char;
    }
    (
        address,
        std::mem::size_of::<libc::sockaddr_un>() as libc::socklen_t,
    )
}

fn unix_socket(nonblocking: bool) -> i32 {
    let flags =
        libc::SOCK_STREAM | libc::SOCK_CLOEXEC | if nonblocking { libc::SOCK_NONBLOCK } else { 0 };
    // SAFETY: plain socket(2).
    let fd = unsafe { libc::socket(libc::AF_UNIX, flags, 0) };
    assert!(fd >= 0, "socket: {}", std::io::Error::last_os_error());
    fd
}

fn pause_forever() -> ! {
    loop {
        // SAFETY: pause(2) has no preconditions.
        unsafe { libc::pause() };
    }
}

/// Binds `name` exactly as libqb would and listens (backlog 128, as
/// libqb's servers) without ever accepting.
fn squatter(name: &str) -> i32 {
    let fd = unix_socket(false);
    let (address, len) = libqb_abstract_address(name);
    // SAFETY: a valid socket and address of `len` bytes.
    let rc = unsafe { libc::bind(fd, (&raw const address).cast(), len) };
    if rc != 0 {
        println!(
            "{}",
            json!({"error": format!("bind: {}", std::io::Error::last_os_error())})
        );
        return 1;
    }
    // SAFETY: a bound socket.
    let rc = unsafe { libc::listen(fd, 128) };
    assert_eq!(rc, 0, "listen: {}", std::io::Error::last_os_error());
    // SAFETY: getters without preconditions.
    let (uid, gid) = unsafe { (libc::getuid(), libc::getgid()) };
    println!(
        "{}",
        json!({"ready": true, "pid": std::process::id(), "uid": uid, "gid": gid, "addrlen": len})
    );
    pause_forever()
}

/// Connects to `name` without blocking until the listen queue is full
/// (EAGAIN), and holds every connection.
fn fill(name: &str) -> i32 {
    let (address, len) = libqb_abstract_address(name);
    let mut held = Vec::new();
    let error = loop {
        let fd = unix_socket(true);
        // SAFETY: a valid socket and address of `len` bytes.
        let rc = unsafe { libc::connect(fd, (&raw const address).cast(), len) };
        if rc != 0 {
            let error = std::io::Error::last_os_error();
            // SAFETY: closing our own fd.
            unsafe { libc::close(fd) };
            break error;
        }
        held.push(fd);
        if held.len() > 4096 {
            break std::io::Error::other("never full");
        }
    };
    println!(
        "{}",
        json!({"pid": std::process::id(), "filled": held.len(), "stopped_by": error.to_string(), "eagain": error.raw_os_error() == Some(libc::EAGAIN)})
    );
    pause_forever()
}

/// `helper-check probe|startup NAME UID GID REPEAT`: calls the C ABI
/// (`rivalguard_endpoint_probe` / `rivalguard_startup_check`) REPEAT
/// times; one JSON line per call, with the holder's program name as this
/// pid namespace sees it.
fn check(args: &[String]) -> i32 {
    let [kind, name, uid, gid, repeat] = args else {
        eprintln!("usage: helper-check probe|startup NAME UID GID REPEAT");
        return 2;
    };
    let name_c = CString::new(name.as_str()).expect("name");
    let uid: u32 = uid.parse().expect("uid");
    let gid: u32 = gid.parse().expect("gid");
    let repeat: u32 = repeat.parse().expect("repeat");
    for attempt in 0..repeat {
        let mut value = u32::MAX;
        let mut creds = rivalguard_credentials {
            pid: 0,
            uid: 0,
            gid: 0,
        };
        let start = Instant::now();
        // SAFETY: a valid NUL-terminated name and valid out pointers.
        let rc = unsafe {
            if kind == "probe" {
                rivalguard_endpoint_probe(name_c.as_ptr(), uid, gid, &mut value, &mut creds)
            } else {
                rivalguard_startup_check(name_c.as_ptr(), uid, gid, &mut value, &mut creds)
            }
        };
        let elapsed = start.elapsed();
        let text = if kind == "probe" {
            ["ABSENT", "AUTHENTIC", "UNAUTHORIZED", "UNRESPONSIVE"]
        } else {
            ["PROCEED", "ALREADY_ACTIVE", "BLOCKED", "UNRESPONSIVE"]
        }
        .get(value as usize)
        .copied()
        .unwrap_or("?");
        println!(
            "{}",
            json!({
                "attempt": attempt,
                "rc": rc,
                "value": value,
                "name": text,
                "pid": creds.pid,
                "uid": creds.uid,
                "gid": creds.gid,
                "process": identity::process_name(creds.pid),
                "micros": elapsed.as_micros() as u64,
            })
        );
    }
    0
}

struct TrackerHandle(*mut rivalguard_tracker);

impl Drop for TrackerHandle {
    fn drop(&mut self) {
        // SAFETY: created by rivalguard_tracker_new, freed once.
        unsafe { rivalguard_tracker_free(self.0) };
    }
}

fn kind_name(kind: u32) -> &'static str {
    match kind {
        1 => "NODE_JOINED",
        2 => "NODE_LEFT",
        3 => "RIVAL_JOINED",
        4 => "RIVAL_LEFT",
        5 => "EVICTED",
        _ => "?",
    }
}

/// Feeds every queued confchg to the tracker through the C ABI, as a
/// Pacemaker daemon would from its callback; prints the lists and events.
fn feed(tracker: &TrackerHandle, own: (u32, u32)) -> (bool, bool) {
    let (mut joined_self, mut left_self) = (false, false);
    for change in Cpg::take_confchgs() {
        let show = |list: &[CpgAddress]| {
            list.iter()
                .map(|a| json!([a.nodeid, a.pid, a.reason]))
                .collect::<Vec<_>>()
        };
        println!(
            "{}",
            json!({"confchg": change.group, "members": show(&change.members), "left": show(&change.left), "joined": show(&change.joined)})
        );
        // SAFETY: a live tracker and valid (pointer, length) lists.
        let rc = unsafe {
            rivalguard_tracker_confchg(
                tracker.0,
                change.members.as_ptr(),
                change.members.len(),
                change.left.as_ptr(),
                change.left.len(),
                change.joined.as_ptr(),
                change.joined.len(),
            )
        };
        assert_eq!(rc, 0, "rivalguard_tracker_confchg");
        let mut event = rivalguard_event {
            kind: 0,
            nodeid: 0,
            pid: 0,
            reason: 0,
            other_pid: 0,
            local: false,
            incumbent: false,
        };
        // SAFETY: a live tracker and a valid out pointer.
        while unsafe { rivalguard_tracker_next_event(tracker.0, &mut event) } {
            println!(
                "{}",
                json!({
                    "event": kind_name(event.kind),
                    "nodeid": event.nodeid,
                    "pid": event.pid,
                    "reason": event.reason,
                    "other_pid": event.other_pid,
                    "local": event.local,
                    "incumbent": event.incumbent,
                })
            );
        }
        if change.members.iter().any(|a| (a.nodeid, a.pid) == own) {
            joined_self = true;
        }
        if change.left.iter().any(|a| (a.nodeid, a.pid) == own) {
            left_self = true;
        }
    }
    (joined_self, left_self)
}

/// Joins CPG group `group` with a tracker of our own, prints what it
/// decides; leaves on "leave" from stdin, then exits.
fn rival(group: &str) -> i32 {
    let cpg = Cpg::connect().expect("cpg_initialize");
    let nodeid = cpg.local_nodeid().expect("cpg_local_get");
    let pid = std::process::id();
    let mut raw = std::ptr::null_mut();
    // SAFETY: a valid out pointer.
    let rc = unsafe { rivalguard_tracker_new(nodeid, pid, &mut raw) };
    assert_eq!(rc, 0, "rivalguard_tracker_new");
    let tracker = TrackerHandle(raw);
    println!("{}", json!({"rival": pid, "nodeid": nodeid}));
    cpg.join_pacemaker(group).expect("cpg_join");
    let deadline = Instant::now() + std::time::Duration::from_secs(5);
    loop {
        cpg.poll_dispatch(100).expect("cpg_dispatch");
        if feed(&tracker, (nodeid, pid)).0 {
            break;
        }
        assert!(Instant::now() < deadline, "no confchg with ourselves");
    }
    println!("{}", json!({"status": "joined", "pid": pid}));
    let mut line = String::new();
    std::io::stdin().lock().read_line(&mut line).expect("stdin");
    cpg.leave_pacemaker(group).expect("cpg_leave");
    let deadline = Instant::now() + std::time::Duration::from_secs(3);
    while Instant::now() < deadline {
        cpg.poll_dispatch(100).expect("cpg_dispatch");
        if feed(&tracker, (nodeid, pid)).1 {
            break;
        }
    }
    println!("{}", json!({"status": "left", "pid": pid}));
    0
}
