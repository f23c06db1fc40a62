//! The endpoint probe against corosync's own libqb endpoints (`cpg`,
//! `cmap`), under a private single-node corosync in its own network and
//! mount namespaces (FIELD-NOTES.md), probed from a thread that joined that
//! network namespace with setns(): abstract sockets are per network
//! namespace, so the host's (or a concurrent test's) corosync cannot answer.
//! Needs root and the corosync package.

mod endpoint_support;

use std::fs::File;
use std::os::fd::AsRawFd;
use std::os::unix::process::CommandExt;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use endpoint_support::{PATIENCE, TempDir};
use rivalguard::endpoint::{self, Credentials, EndpointState, Startup};

/// A private corosync; SIGTERM, then SIGKILL, when dropped.
struct Corosync {
    child: Child,
    _dir: TempDir,
}

impl Corosync {
    fn start() -> Corosync {
        let dir = TempDir::new("corosync");
        let state = dir.0.join("state");
        std::fs::create_dir(&state).unwrap();
        let conf = dir.0.join("corosync.conf");
        std::fs::write(
            &conf,
            format!(
                "totem {{\n version: 2\n cluster_name: rgtest\n crypto_cipher: none\n crypto_hash: none\n}}\n\
                 nodelist {{\n node {{\n nodeid: 1\n ring0_addr: 127.0.0.1\n }}\n}}\n\
                 quorum {{\n provider: corosync_votequorum\n}}\n\
                 logging {{\n to_stderr: yes\n to_syslog: no\n to_logfile: no\n}}\n\
                 system {{\n state_dir: {}\n}}\n",
                state.display()
            ),
        )
        .unwrap();
        let log = File::create(dir.0.join("corosync.log")).unwrap();
        let mut command = Command::new("unshare");
        command
            .args(["--net", "--mount", "--propagation", "private", "sh", "-c"])
            .arg("ip link set lo up && mount -t tmpfs tmpfs /run && exec corosync -f -c \"$1\"")
            .arg("sh")
            .arg(&conf)
            .stdin(Stdio::null())
            .stdout(log.try_clone().unwrap())
            .stderr(log);
        // SAFETY: prctl is async-signal-safe and touches no memory of ours.
        unsafe {
            command.pre_exec(|| {
                if libc::prctl(libc::PR_SET_PDEATHSIG, libc::SIGKILL) != 0 {
                    return Err(std::io::Error::last_os_error());
                }
                Ok(())
            });
        }
        let child = command.spawn().expect("start unshare/corosync");
        Corosync { child, _dir: dir }
    }

    fn pid(&self) -> u32 {
        self.child.id()
    }

    fn log(&self) -> String {
        std::fs::read_to_string(self._dir.0.join("corosync.log")).unwrap_or_default()
    }

    /// Opens corosync's network namespace once it has its own.
    fn net_namespace(&mut self) -> File {
        let ours = std::fs::read_link("/proc/self/ns/net").unwrap();
        let path = format!("/proc/{}/ns/net", self.pid());
        let deadline = Instant::now() + PATIENCE;
        loop {
            if let Some(status) = self.child.try_wait().unwrap() {
                panic!("corosync exited: {status:?}\n{}", self.log());
            }
            if std::fs::read_link(&path).is_ok_and(|ns| ns != ours) {
                return File::open(&path).unwrap();
            }
            assert!(
                Instant::now() < deadline,
                "corosync never got its namespace"
            );
            std::thread::sleep(Duration::from_millis(10));
        }
    }
}

impl Drop for Corosync {
    fn drop(&mut self) {
        // SAFETY: kill() takes no pointers; the pid is our own child.
        unsafe { libc::kill(self.child.id() as libc::pid_t, libc::SIGTERM) };
        let deadline = Instant::now() + Duration::from_secs(5);
        while Instant::now() < deadline {
            if self.child.try_wait().ok().flatten().is_some() {
                return;
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Runs `probe` in a thread that joined the network namespace `ns`.
fn in_namespace<T: Send + 'static>(ns: File, probe: impl FnOnce() -> T + Send + 'static) -> T {
    std::thread::spawn(move || {
        // SAFETY: setns() takes an open namespace descriptor; it changes
        // only this thread's network namespace, which sockets created by
        // this thread then use.
        let rc = unsafe { libc::setns(ns.as_raw_fd(), libc::CLONE_NEWNET) };
        assert_eq!(rc, 0, "setns: {}", std::io::Error::last_os_error());
        probe()
    })
    .join()
    .expect("probe thread")
}

#[test]
fn corosync_endpoints_are_authentic_root_with_corosyncs_pid() {
    let mut corosync = Corosync::start();
    let ns = corosync.net_namespace();
    let pid = corosync.pid();
    let ns_for_probe = ns.try_clone().unwrap();
    let results = in_namespace(ns_for_probe, move || {
        // Wait for corosync to publish its endpoints (it starts in < 1 s).
        let deadline = Instant::now() + PATIENCE;
        while endpoint::probe(b"cmap", 12345, 12345).unwrap().state == EndpointState::Absent {
            if Instant::now() >= deadline {
                return None;
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        Some(["cpg", "cmap"].map(|name| {
            (
                endpoint::probe(name.as_bytes(), 12345, 12345).unwrap(),
                endpoint::startup_check(name.as_bytes(), 12345, 12345).unwrap(),
            )
        }))
    })
    .unwrap_or_else(|| panic!("corosync never served cmap; its log:\n{}", corosync.log()));
    let corosync_creds = Credentials {
        pid,
        uid: 0,
        gid: 0,
    };
    for (probe, startup) in results {
        assert_eq!(probe.state, EndpointState::Authentic, "{}", corosync.log());
        assert_eq!(probe.credentials, Some(corosync_creds));
        assert_eq!(startup, (Startup::AlreadyActive, Some(corosync_creds)));
    }
    // A name corosync does not serve is absent in its namespace too.
    let other = in_namespace(ns, || {
        endpoint::probe(b"rg-not-served", 0, 0).unwrap().state
    });
    assert_eq!(other, EndpointState::Absent);
    // And its endpoints are its namespace's only: the unique abstract name
    // space of this test's corosync is not ours (a concurrent corosync in
    // the host namespace may serve "cpg", but never with this pid).
    let host = endpoint::probe(b"cpg", 0, 0).unwrap();
    assert_ne!(host.credentials.map(|c| c.pid), Some(pid));
}
