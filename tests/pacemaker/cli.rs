//! The CLI's help, usage errors and ordinary failures: clear messages,
//! documented exit codes, never a panic.

use std::process::Command;
use std::time::Duration;

use crate::harness::{CLI, Node};

fn run(command: &mut Command) -> (Option<i32>, String, String) {
    let output = command.output().expect("run the CLI");
    let result = (
        output.status.code(),
        String::from_utf8_lossy(&output.stdout).into_owned(),
        String::from_utf8_lossy(&output.stderr).into_owned(),
    );
    for text in [&result.1, &result.2] {
        assert!(
            !text.contains("panicked") && !text.contains("RUST_BACKTRACE"),
            "a panic: {text}"
        );
    }
    result
}

fn cli(args: &[&str]) -> (Option<i32>, String, String) {
    run(Command::new(CLI).args(args))
}

pub fn errors() {
    let (code, out, _) = cli(&["--help"]);
    assert_eq!(code, Some(0));
    assert!(out.contains("probe") && out.contains("watch"), "{out}");
    let (code, out, _) = cli(&["probe", "--help"]);
    assert_eq!(code, Some(0));
    assert!(
        out.contains("Exit status") && out.contains("--pacemaker"),
        "{out}"
    );
    let (code, out, _) = cli(&["watch", "--help"]);
    assert_eq!(code, Some(0));
    assert!(
        out.contains("without joining") || out.contains("joins no group"),
        "{out}"
    );
    let (code, _, err) = cli(&["--version"]);
    assert_eq!(code, Some(0), "{err}");

    let (code, _, err) = cli(&["probe", "--bogus"]);
    assert_eq!(code, Some(64), "usage error: {err}");
    let (code, _, err) = cli(&["frobnicate"]);
    assert_eq!(code, Some(64), "unknown command: {err}");
    let (code, _, err) = cli(&["probe"]);
    assert_eq!(code, Some(1));
    assert!(err.contains("nothing to probe"), "{err}");
    let (code, _, err) = cli(&["probe", "--user", "no-such-user-rg", "attrd"]);
    assert_eq!(code, Some(1));
    assert!(err.contains("unknown user"), "{err}");
    let long = "x".repeat(200);
    let (code, out, _) = cli(&["probe", &long]);
    assert_eq!(code, Some(1), "{out}");
    assert!(out.contains("error: File name too long"), "{out}");
    let (code, out, _) = cli(&["probe", &long, "--json"]);
    assert_eq!(code, Some(1), "{out}");
    assert!(out.contains("\"state\": \"error\""), "{out}");

    // No corosync in a fresh network namespace.
    let (code, _, err) = run(Command::new("unshare").args(["--net", CLI, "watch", "--once"]));
    assert_eq!(code, Some(1), "{err}");
    assert!(err.contains("is corosync running"), "{err}");
    say!("watch without corosync: {}", err.trim());
    // Nothing listens in a fresh network namespace: all absent, exit 0.
    let (code, out, _) = run(Command::new("unshare").args(["--net", CLI, "probe", "--pacemaker"]));
    assert_eq!(code, Some(0), "{out}");
    assert_eq!(out.matches(" absent ").count(), 9, "{out}");

    // With corosync (no Pacemaker): as root the watch works; as nobody it
    // is refused with a clear message.
    let node = Node::boot("cli");
    let (code, out, err) = node.cli(&["watch", "--once"]);
    assert_eq!(code, Some(0), "{err}");
    assert!(out.contains("no CPG group has members"), "{out}");
    let output = node.run(
        Duration::from_secs(10),
        "setpriv",
        &[
            "--reuid=65534",
            "--regid=65534",
            "--clear-groups",
            CLI,
            "watch",
            "--once",
        ],
    );
    let err = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(1), "{err}");
    assert!(
        err.contains("run as root") && !err.contains("panicked"),
        "{err}"
    );
    say!("watch as uid 65534: {}", err.trim());
}
