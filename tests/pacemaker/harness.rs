//! One node of real Pacemaker 2.1.5 on a private corosync, in its own
//! namespaces (scripts/pacemaker-ns.sh does the inside); torn down when the
//! [`Node`] is dropped, also while a failed assertion unwinds, and — through
//! the lifeline pipe — when this process dies.

use std::collections::BTreeMap;
use std::fs;
use std::io::{BufRead, BufReader, Write};
use std::os::unix::fs::MetadataExt;
use std::path::{Path, PathBuf};
use std::process::{Child, ChildStdin, ChildStdout, Command, Output, Stdio};
use std::time::{Duration, Instant};

use serde_json::Value;

pub const SCRIPT: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/scripts/pacemaker-ns.sh");
pub const CLI: &str = env!("CARGO_BIN_EXE_rivalguard");
pub const ATTRD: &str = "/usr/lib/pacemaker/pacemaker-attrd";

/// Prints a timestamped progress line (stderr, unbuffered).
#[macro_export]
macro_rules! say {
    ($($arg:tt)*) => {
        eprintln!("    [{:>7.3}s] {}", $crate::harness::since_start().as_secs_f64(), format!($($arg)*))
    };
}

static START: std::sync::OnceLock<Instant> = std::sync::OnceLock::new();

pub fn since_start() -> Duration {
    START.get_or_init(Instant::now).elapsed()
}

/// A helper process of ours running inside the namespaces, talking over
/// its stdin/stdout.
pub struct Helper {
    child: Child,
    stdin: Option<ChildStdin>,
    stdout: BufReader<ChildStdout>,
    what: String,
}

impl Helper {
    /// The next line the helper prints, within `timeout`.
    pub fn line(&mut self, timeout: Duration) -> String {
        let fd = {
            use std::os::fd::AsRawFd;
            self.stdout.get_ref().as_raw_fd()
        };
        let deadline = Instant::now() + timeout;
        loop {
            if !self.stdout.buffer().is_empty() {
                break;
            }
            let left = deadline.saturating_duration_since(Instant::now());
            assert!(
                !left.is_zero(),
                "{}: no output within {timeout:?}",
                self.what
            );
            let mut pfd = libc::pollfd {
                fd,
                events: libc::POLLIN,
                revents: 0,
            };
            // SAFETY: one valid pollfd.
            let ready = unsafe { libc::poll(&mut pfd, 1, left.as_millis().max(1) as i32) };
            if ready > 0 {
                break;
            }
        }
        let mut line = String::new();
        self.stdout
            .read_line(&mut line)
            .unwrap_or_else(|e| panic!("{}: read: {e}", self.what));
        assert!(!line.is_empty(), "{}: exited without output", self.what);
        line.trim_end().to_owned()
    }

    /// The next line, parsed as JSON.
    pub fn json(&mut self, timeout: Duration) -> Value {
        let line = self.line(timeout);
        serde_json::from_str(&line)
            .unwrap_or_else(|e| panic!("{}: not JSON ({e}): {line}", self.what))
    }

    /// Sends one line to the helper.
    pub fn send(&mut self, line: &str) {
        let stdin = self.stdin.as_mut().expect("helper stdin");
        writeln!(stdin, "{line}").expect("write to helper");
        stdin.flush().expect("flush helper");
    }

    /// Waits for the helper to exit, within `timeout`; its status code.
    pub fn wait(&mut self, timeout: Duration) -> Option<i32> {
        self.stdin.take();
        let deadline = Instant::now() + timeout;
        loop {
            if let Some(status) = self.child.try_wait().expect("try_wait") {
                return status.code();
            }
            assert!(
                Instant::now() < deadline,
                "{}: still running after {timeout:?}",
                self.what
            );
            std::thread::sleep(Duration::from_millis(20));
        }
    }
}

impl Drop for Helper {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// One Pacemaker node in its own namespaces.
pub struct Node {
    pub dir: PathBuf,
    pub pid1: u32,
    unshare: Child,
    lifeline: Option<ChildStdin>,
    pacemakerd: Option<Child>,
}

impl Node {
    /// Boots the namespaces and corosync (not Pacemaker).
    pub fn boot(tag: &str) -> Node {
        let base = Path::new(env!("CARGO_TARGET_TMPDIR")).join("pacemaker");
        fs::create_dir_all(&base).expect("mkdir target tmp");
        let dir = loop {
            let candidate = base.join(format!(
                "{tag}-{}-{}",
                std::process::id(),
                since_start().as_nanos()
            ));
            if fs::create_dir(&candidate).is_ok() {
                break candidate;
            }
        };
        let status = Command::new(SCRIPT)
            .arg("prepare")
            .arg(&dir)
            .status()
            .expect("run pacemaker-ns.sh prepare");
        assert!(status.success(), "pacemaker-ns.sh prepare failed");
        let log = fs::File::create(dir.join("ns.out")).expect("ns.out");
        let mut unshare = Command::new("unshare")
            .args([
                "--net",
                "--mount",
                "--uts",
                "--ipc",
                "--pid",
                "--fork",
                "--mount-proc",
                "--propagation",
                "private",
            ])
            .arg(SCRIPT)
            .arg("inner")
            .arg(&dir)
            .arg("--lifeline")
            .stdin(Stdio::piped())
            .stdout(log.try_clone().expect("dup"))
            .stderr(log)
            .spawn()
            .expect("spawn unshare");
        let lifeline = unshare.stdin.take();
        let unshare_pid = unshare.id();
        let deadline = Instant::now() + Duration::from_secs(5);
        let pid1 = loop {
            let children =
                fs::read_to_string(format!("/proc/{unshare_pid}/task/{unshare_pid}/children"))
                    .unwrap_or_default();
            if let Some(pid) = children.split_whitespace().next() {
                break pid.parse::<u32>().expect("pid");
            }
            assert!(Instant::now() < deadline, "unshare did not fork");
            std::thread::sleep(Duration::from_millis(5));
        };
        fs::write(dir.join("ns.pid"), format!("{pid1}\n")).expect("ns.pid");
        let node = Node {
            dir,
            pid1,
            unshare,
            lifeline,
            pacemakerd: None,
        };
        let deadline = Instant::now() + Duration::from_secs(10);
        while !node.dir.join("corosync.ready").exists() {
            assert!(
                !node.dir.join("corosync.failed").exists() && Instant::now() < deadline,
                "corosync did not start: {}",
                node.file("corosync.out")
            );
            std::thread::sleep(Duration::from_millis(20));
        }
        node
    }

    /// A file of the node's directory, or "" when missing.
    pub fn file(&self, name: &str) -> String {
        fs::read_to_string(self.dir.join(name)).unwrap_or_default()
    }

    /// Pacemaker's log (all daemons).
    pub fn log(&self) -> String {
        String::from_utf8_lossy(&fs::read(self.dir.join("log/pacemaker.log")).unwrap_or_default())
            .into_owned()
    }

    /// A command that runs inside every namespace of the node.
    pub fn command(&self, program: &str) -> Command {
        let mut command = Command::new("nsenter");
        command
            .arg("--target")
            .arg(self.pid1.to_string())
            .args(["--net", "--mount", "--uts", "--ipc", "--pid", "--"])
            .arg(program);
        command
    }

    /// Runs a command inside, bounded by `timeout` (coreutils' timeout,
    /// SIGKILL after the limit); its output.
    pub fn run(&self, timeout: Duration, program: &str, args: &[&str]) -> Output {
        let mut command = self.command("timeout");
        command
            .args(["-s", "KILL", &format!("{}", timeout.as_secs_f64())])
            .arg(program)
            .args(args)
            .stdin(Stdio::null());
        command
            .output()
            .unwrap_or_else(|e| panic!("run {program} inside: {e}"))
    }

    /// Starts pacemakerd inside, as the recipe says.
    pub fn start_pacemaker(&mut self) {
        let out = fs::File::create(self.dir.join("pacemakerd.out")).expect("pacemakerd.out");
        let child = self
            .command("env")
            .args([
                "PCMK_logfacility=none",
                "PCMK_logfile=/var/log/pacemaker/pacemaker.log",
                "/usr/sbin/pacemakerd",
            ])
            .stdin(Stdio::null())
            .stdout(out.try_clone().expect("dup"))
            .stderr(out)
            .spawn()
            .expect("spawn pacemakerd");
        self.pacemakerd = Some(child);
    }

    /// Starts a helper mode of this test binary inside the namespaces,
    /// optionally as uid/gid 65534 with no supplementary groups.
    pub fn helper(&self, as_nobody: bool, args: &[&str]) -> Helper {
        let exe = std::env::current_exe().expect("current_exe");
        self.spawn(as_nobody, exe.to_str().expect("utf-8 path"), args)
    }

    /// Starts `program ARGS` inside the namespaces, optionally as uid/gid
    /// 65534 with no supplementary groups, talking over stdin/stdout.
    pub fn spawn(&self, as_nobody: bool, program: &str, args: &[&str]) -> Helper {
        let mut command = if as_nobody {
            let mut command = self.command("setpriv");
            command.args(["--reuid=65534", "--regid=65534", "--clear-groups"]);
            command.arg(program);
            command
        } else {
            self.command(program)
        };
        let mut child = command
            .args(args)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .expect("spawn helper");
        Helper {
            stdin: child.stdin.take(),
            stdout: BufReader::new(child.stdout.take().expect("stdout")),
            child,
            what: format!("{program} {}", args.join(" ")),
        }
    }

    /// The pids (inside the namespace) of processes running `program`
    /// (matched on /proc/PID/exe's file name, or comm).
    pub fn pids_of(&self, program: &str) -> Vec<u32> {
        let mut pids = Vec::new();
        for entry in fs::read_dir("/proc").expect("/proc").flatten() {
            let Ok(host_pid) = entry.file_name().to_string_lossy().parse::<u32>() else {
                continue;
            };
            let Some(ns_pid) = self.ns_pid(host_pid) else {
                continue;
            };
            let exe = fs::read_link(format!("/proc/{host_pid}/exe"))
                .ok()
                .and_then(|p| p.file_name().map(|n| n.to_string_lossy().into_owned()));
            let comm = fs::read_to_string(format!("/proc/{host_pid}/comm")).unwrap_or_default();
            if exe.as_deref() == Some(program) || comm.trim_end() == program {
                pids.push(ns_pid);
            }
        }
        pids.sort_unstable();
        pids
    }

    /// The pid inside the node's pid namespace of host process `host_pid`,
    /// when it lives in that namespace.
    pub fn ns_pid(&self, host_pid: u32) -> Option<u32> {
        let ours = fs::read_link(format!("/proc/{}/ns/pid", self.pid1)).ok()?;
        let theirs = fs::read_link(format!("/proc/{host_pid}/ns/pid")).ok()?;
        if ours != theirs {
            return None;
        }
        let status = fs::read_to_string(format!("/proc/{host_pid}/status")).ok()?;
        let line = status.lines().find(|l| l.starts_with("NSpid:"))?;
        line.split_whitespace().last()?.parse().ok()
    }

    /// The host pid of the namespace's process `ns_pid`.
    pub fn host_pid(&self, ns_pid: u32) -> Option<u32> {
        fs::read_dir("/proc")
            .ok()?
            .flatten()
            .filter_map(|e| e.file_name().to_string_lossy().parse::<u32>().ok())
            .find(|&host| self.ns_pid(host) == Some(ns_pid))
    }

    /// Sends `signal` to the namespace's process `ns_pid`.
    pub fn signal(&self, ns_pid: u32, signal: i32) {
        let host = self
            .host_pid(ns_pid)
            .unwrap_or_else(|| panic!("no process {ns_pid} in the namespace"));
        // SAFETY: kill(2) on a pid we just found.
        let rc = unsafe { libc::kill(host as i32, signal) };
        assert_eq!(rc, 0, "kill({host}, {signal})");
    }

    /// `rivalguard probe ARGS` inside; (status, stdout, stderr).
    pub fn cli(&self, args: &[&str]) -> (Option<i32>, String, String) {
        let output = self.run(Duration::from_secs(30), CLI, args);
        (
            output.status.code(),
            String::from_utf8_lossy(&output.stdout).into_owned(),
            String::from_utf8_lossy(&output.stderr).into_owned(),
        )
    }

    /// Waits until all nine endpoints are authentic by our own probe (the
    /// CLI) and the DC is idle (`crmadmin -S node1`: S_IDLE); the time it took.
    pub fn wait_ready(&self, timeout: Duration) -> Duration {
        let start = Instant::now();
        let deadline = start + timeout;
        loop {
            let (code, out, _) = self.cli(&["probe", "--pacemaker", "--json"]);
            if code == Some(0) {
                let probe: Value = serde_json::from_str(&out).expect("probe JSON");
                let authentic = probe["endpoints"]
                    .as_array()
                    .expect("endpoints")
                    .iter()
                    .filter(|e| e["state"] == "authentic")
                    .count();
                if authentic == 9 {
                    break;
                }
            }
            assert!(
                Instant::now() < deadline,
                "endpoints not all authentic after {timeout:?}"
            );
            std::thread::sleep(Duration::from_millis(100));
        }
        let endpoints = start.elapsed();
        loop {
            let output = self.run(
                Duration::from_secs(5),
                "crmadmin",
                &["-S", "node1", "-t", "1s"],
            );
            if String::from_utf8_lossy(&output.stdout).contains("S_IDLE") {
                break;
            }
            assert!(
                Instant::now() < deadline,
                "the DC is not idle after {timeout:?}"
            );
            std::thread::sleep(Duration::from_millis(200));
        }
        say!(
            "ready: nine endpoints authentic after {:.2}s, S_IDLE after {:.2}s",
            endpoints.as_secs_f64(),
            start.elapsed().as_secs_f64()
        );
        start.elapsed()
    }
}

impl Drop for Node {
    fn drop(&mut self) {
        // Killing the pid namespace's PID 1 kills every process inside.
        // SAFETY: kill(2) on the PID 1 we started.
        unsafe { libc::kill(self.pid1 as i32, libc::SIGKILL) };
        self.lifeline.take();
        let _ = self.unshare.wait();
        if let Some(mut child) = self.pacemakerd.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
        if std::env::var_os("RIVALGUARD_KEEP_PACEMAKER_DIRS").is_none() && !std::thread::panicking()
        {
            let _ = fs::remove_dir_all(&self.dir);
        }
    }
}

/// The host directories Pacemaker and corosync would write to.
pub const HOST_WATCHED: [&str; 4] = [
    "/run",
    "/var/lib/pacemaker",
    "/var/log/pacemaker",
    "/dev/shm",
];

/// Everything under the watched host directories: path → type, mode,
/// owner, size, mtime.
pub fn host_snapshot() -> BTreeMap<PathBuf, String> {
    fn walk(path: &Path, out: &mut BTreeMap<PathBuf, String>) {
        let Ok(meta) = fs::symlink_metadata(path) else {
            return;
        };
        out.insert(
            path.to_owned(),
            format!(
                "mode {:o} owner {}:{} size {} mtime {}.{:09}",
                meta.mode(),
                meta.uid(),
                meta.gid(),
                if meta.is_dir() { 0 } else { meta.size() },
                meta.mtime(),
                meta.mtime_nsec()
            ),
        );
        if meta.is_dir() {
            if let Ok(entries) = fs::read_dir(path) {
                for entry in entries.flatten() {
                    walk(&entry.path(), out);
                }
            }
        }
    }
    let mut out = BTreeMap::new();
    for root in HOST_WATCHED {
        walk(Path::new(root), &mut out);
    }
    out
}

/// Names that Pacemaker, libqb on its behalf, or corosync would give to
/// what they create under /run or /dev/shm.
const OURS: [&str; 16] = [
    "pacemaker",
    "corosync",
    "crm",
    "cib",
    "attrd",
    "stonith",
    "lrmd",
    "pengine",
    "cpg",
    "cmap",
    "quorum",
    "cfg",
    "qb-event-",
    "qb-request-",
    "qb-response-",
    "hacluster",
];

/// Whether a host change is Pacemaker's or corosync's doing (and so ours:
/// our daemons live in namespaces and must change nothing). Everything
/// under /var/lib/pacemaker and /var/log/pacemaker is; under /run and
/// /dev/shm, what carries one of their names. Other processes of the host
/// (other test suites running at the same time) create files there too:
/// those are reported, not failed, unless RIVALGUARD_HOST_STRICT is set.
pub fn is_ours(change: &str) -> bool {
    if std::env::var_os("RIVALGUARD_HOST_STRICT").is_some()
        || change.contains("/var/lib/pacemaker")
        || change.contains("/var/log/pacemaker")
    {
        return true;
    }
    let path = change.split_whitespace().nth(1).unwrap_or(change);
    let name = path.trim_end_matches(':');
    // libqb's shm directories are named after pids; the files inside after
    // the endpoint: "qb-request-attrd-..." is Pacemaker's, "qb-request-x-..." is not.
    OURS.iter().any(|word| {
        if word.starts_with("qb-") {
            [
                "attrd",
                "cib_",
                "crmd",
                "stonith-ng",
                "lrmd",
                "pengine",
                "pacemakerd",
                "cpg",
                "cmap",
                "quorum",
                "cfg",
            ]
            .iter()
            .any(|endpoint| name.contains(&format!("{word}{endpoint}")))
        } else {
            // (not in libqb's "qb-PID-PID-N-random" directory names)
            name.rsplit('/')
                .next()
                .is_some_and(|base| !base.starts_with("qb-") && base.contains(word))
        }
    })
}

/// The differences between two snapshots, one line each.
pub fn host_changes(
    before: &BTreeMap<PathBuf, String>,
    after: &BTreeMap<PathBuf, String>,
) -> Vec<String> {
    let mut changes = Vec::new();
    for (path, was) in before {
        match after.get(path) {
            None => changes.push(format!("removed {}", path.display())),
            Some(now) if now != was => {
                // A directory's mtime moves whenever anything inside does;
                // the entries themselves are compared.
                let is_dir = fs::symlink_metadata(path).is_ok_and(|m| m.is_dir());
                let strip = |s: &str| s.split(" mtime").next().unwrap_or("").to_owned();
                if !is_dir || strip(was) != strip(now) {
                    changes.push(format!("changed {}: {was} -> {now}", path.display()));
                }
            }
            Some(_) => {}
        }
    }
    for path in after.keys() {
        if !before.contains_key(path) {
            changes.push(format!("created {}", path.display()));
        }
    }
    changes
}
