//! Shared by the endpoint integration tests: our libqb test server
//! (c-tests/endpoint_server.c) started and stopped by the tests, unique
//! endpoint names, and a log handler that records the library's messages.
//! Every process a test starts is killed by a Drop guard (and by
//! PR_SET_PDEATHSIG should the test process die first).

#![allow(dead_code)]

use std::collections::HashMap;
use std::ffi::{CStr, c_char, c_int, c_void};
use std::io::{BufRead, BufReader};
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::mpsc::{Receiver, channel};
use std::sync::{Mutex, Once};
use std::time::{Duration, Instant};

/// How long a test waits for a process to come up or answer before failing
/// (a bound against hangs, not a timing assertion).
pub const PATIENCE: Duration = Duration::from_secs(15);

/// A name no other test (here or in a concurrent run) uses: abstract names
/// are shared by the whole network namespace.
pub fn unique_name(tag: &str) -> String {
    static NEXT: AtomicU32 = AtomicU32::new(0);
    format!(
        "rg-test-{}-{}-{tag}",
        std::process::id(),
        NEXT.fetch_add(1, Ordering::Relaxed)
    )
}

/// The test server binary, built with `make` on first use unless
/// `RIVALGUARD_ENDPOINT_SERVER` names one.
pub fn server_binary() -> PathBuf {
    static BUILD: Once = Once::new();
    if let Some(path) = std::env::var_os("RIVALGUARD_ENDPOINT_SERVER") {
        return PathBuf::from(path);
    }
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    BUILD.call_once(|| {
        let status = Command::new("make")
            .args(["--no-print-directory", "-s", "build/endpoint_server"])
            .current_dir(root)
            .status()
            .expect("run make");
        assert!(status.success(), "make build/endpoint_server failed");
    });
    root.join("build/endpoint_server")
}

/// How the test server is started.
#[derive(Clone, Debug)]
pub enum Launch {
    /// As root (the test runs as root).
    Root,
    /// As nobody: `setpriv --reuid=65534 --regid=65534 --clear-groups`.
    Nobody,
    /// In libqb's filesystem mode: in a private mount namespace whose /etc
    /// (an overlay) holds libqb's force file; with `Some(dir)`, `dir` is
    /// bind-mounted over libqb's socket directory there, so the socket file
    /// lands in `dir` instead of the host's socket directory.
    Filesystem(Option<PathBuf>),
}

/// Counters reported by the test server.
pub type Counts = HashMap<String, u64>;

/// A running test server; killed (SIGKILL) and reaped when dropped.
pub struct Server {
    child: Child,
    lines: Receiver<String>,
    /// The server's pid (as it reported it).
    pub pid: u32,
    /// Its endpoint name.
    pub name: String,
    scratch: Option<PathBuf>,
}

/// Makes the child die with the thread that started it.
fn die_with_parent(command: &mut Command) -> &mut Command {
    // SAFETY: prctl is async-signal-safe and touches no memory of ours.
    unsafe {
        command.pre_exec(|| {
            if libc::prctl(libc::PR_SET_PDEATHSIG, libc::SIGKILL) != 0 {
                return Err(std::io::Error::last_os_error());
            }
            Ok(())
        })
    }
}

/// The nearest existing ancestor of `path` (where an overlay can go).
fn existing_ancestor(path: &Path) -> PathBuf {
    let mut dir = path
        .parent()
        .expect("force file has a parent")
        .to_path_buf();
    while !dir.is_dir() {
        dir = dir.parent().expect("/ exists").to_path_buf();
    }
    dir
}

impl Server {
    /// Starts the server on `name` and waits for its "ready" line.
    pub fn start(name: &str, launch: Launch) -> Server {
        let binary = server_binary();
        let mut scratch = None;
        let mut command = match &launch {
            Launch::Root => Command::new(&binary),
            Launch::Nobody => {
                let mut c = Command::new("setpriv");
                c.args(["--reuid=65534", "--regid=65534", "--clear-groups"])
                    .arg(&binary);
                c
            }
            Launch::Filesystem(socket_dir) => {
                let force = Path::new(rivalguard::endpoint::DEFAULT_FORCE_FILE);
                let dir = std::env::temp_dir().join(format!("{name}.ns"));
                std::fs::create_dir_all(&dir).unwrap();
                scratch = Some(dir.clone());
                // The server binary is opened before the bind mount, which
                // may hide its path (a checkout under /tmp, libqb's socket
                // directory on Debian), and run through that descriptor.
                let script = r#"set -e
                    mount -t tmpfs tmpfs "$1"
                    mkdir "$1/up" "$1/work"
                    mount -t overlay overlay -o "lowerdir=$2,upperdir=$1/up,workdir=$1/work" "$2"
                    mkdir -p "$(dirname "$3")"
                    : > "$3"
                    exec 3< "$6"
                    if [ -n "$4" ]; then mount --bind "$4" "$5"; fi
                    exec /proc/self/fd/3 "$7""#;
                let mut c = Command::new("unshare");
                c.args([
                    "--mount",
                    "--propagation",
                    "private",
                    "sh",
                    "-c",
                    script,
                    "sh",
                ])
                .arg(&dir)
                .arg(existing_ancestor(force))
                .arg(force)
                .arg(socket_dir.as_deref().unwrap_or(Path::new("")))
                .arg(rivalguard::endpoint::DEFAULT_SOCKET_DIR)
                .arg(&binary);
                c
            }
        };
        command
            .arg(name)
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit());
        let mut child = die_with_parent(&mut command)
            .spawn()
            .expect("start the test server");
        let stdout = child.stdout.take().unwrap();
        let (send, lines) = channel();
        std::thread::spawn(move || {
            for line in BufReader::new(stdout).lines() {
                let Ok(line) = line else { break };
                if send.send(line).is_err() {
                    break;
                }
            }
        });
        let mut server = Server {
            child,
            lines,
            pid: 0,
            name: name.to_string(),
            scratch,
        };
        let ready = server
            .next_line()
            .unwrap_or_else(|| panic!("server {name} ({launch:?}) did not start"));
        let pid = ready
            .strip_prefix("ready pid=")
            .unwrap_or_else(|| panic!("unexpected line {ready:?}"));
        server.pid = pid.parse().unwrap();
        assert_eq!(
            server.pid,
            server.child.id(),
            "the server runs as the spawned process"
        );
        server
    }

    fn next_line(&mut self) -> Option<String> {
        self.lines.recv_timeout(PATIENCE).ok()
    }

    fn signal(&self, signal: c_int) {
        // SAFETY: kill() takes no pointers; the pid is our own live child.
        assert_eq!(unsafe { libc::kill(self.pid as libc::pid_t, signal) }, 0);
    }

    /// The server's counters (SIGUSR1, then its "counts" line).
    pub fn counts(&mut self) -> Counts {
        self.signal(libc::SIGUSR1);
        let line = self.next_line().expect("server answered SIGUSR1");
        let fields = line
            .strip_prefix("counts ")
            .unwrap_or_else(|| panic!("unexpected line {line:?}"));
        fields
            .split_whitespace()
            .map(|field| {
                let (key, value) = field.split_once('=').unwrap();
                (key.to_string(), value.parse().unwrap())
            })
            .collect()
    }

    /// Polls the counters until `done` holds (the server handles probes
    /// asynchronously), failing after [`PATIENCE`].
    pub fn counts_when(&mut self, done: impl Fn(&Counts) -> bool) -> Counts {
        let deadline = Instant::now() + PATIENCE;
        loop {
            let counts = self.counts();
            if done(&counts) {
                return counts;
            }
            assert!(
                Instant::now() < deadline,
                "server counts never satisfied the test: {counts:?}"
            );
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    /// SIGSTOP.
    pub fn stop(&self) {
        self.signal(libc::SIGSTOP);
    }

    /// SIGCONT.
    pub fn resume(&self) {
        self.signal(libc::SIGCONT);
    }

    /// SIGKILL and reap (a filesystem socket stays behind, stale).
    pub fn kill(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }

    /// SIGTERM and wait for a clean exit; returns the final counts.
    pub fn terminate(mut self) -> Counts {
        self.signal(libc::SIGTERM);
        let line = self.next_line().expect("final counts");
        let status = self.child.wait().unwrap();
        assert!(status.success(), "server exit: {status:?}");
        let mut counts = Counts::new();
        for field in line.trim_start_matches("counts ").split_whitespace() {
            let (key, value) = field.split_once('=').unwrap();
            counts.insert(key.to_string(), value.parse().unwrap());
        }
        counts
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        self.kill();
        if let Some(dir) = &self.scratch {
            let _ = std::fs::remove_dir_all(dir);
        }
    }
}

/// Removes a file when dropped (filesystem sockets left by killed servers).
pub struct RemoveOnDrop(pub PathBuf);

impl Drop for RemoveOnDrop {
    fn drop(&mut self) {
        let _ = std::fs::remove_file(&self.0);
    }
}

/// A scratch directory removed when dropped.
pub struct TempDir(pub PathBuf);

impl TempDir {
    /// Creates `$TMPDIR/<unique name>`.
    pub fn new(tag: &str) -> TempDir {
        let dir = std::env::temp_dir().join(unique_name(tag));
        std::fs::create_dir_all(&dir).unwrap();
        TempDir(dir)
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// `/dev/shm` entries created by libqb for connections to server `pid`
/// (libqb names them `qb-SERVERPID-CLIENTPID-...`).
pub fn shm_entries_of(pid: u32) -> Vec<String> {
    let prefix = format!("qb-{pid}-");
    let mut found: Vec<String> = std::fs::read_dir("/dev/shm")
        .unwrap()
        .filter_map(|entry| entry.ok()?.file_name().into_string().ok())
        .filter(|name| name.starts_with(&prefix))
        .collect();
    found.sort();
    found
}

static LOGS: Mutex<Vec<(c_int, String)>> = Mutex::new(Vec::new());

unsafe extern "C" fn record(priority: c_int, message: *const c_char, _user_data: *mut c_void) {
    // SAFETY: the library passes a NUL-terminated message valid for the call.
    let text = unsafe { CStr::from_ptr(message) }
        .to_string_lossy()
        .into_owned();
    LOGS.lock()
        .unwrap_or_else(|p| p.into_inner())
        .push((priority, text));
}

/// Installs the recording log handler (idempotent).
pub fn capture_logs() {
    rivalguard::log::set_handler(Some(record), std::ptr::null_mut());
}

/// The recorded messages that mention `needle`.
pub fn logs_mentioning(needle: &str) -> Vec<(c_int, String)> {
    LOGS.lock()
        .unwrap_or_else(|p| p.into_inner())
        .iter()
        .filter(|(_, text)| text.contains(needle))
        .cloned()
        .collect()
}
