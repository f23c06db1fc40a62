//! `rivalguard`: the administrator's view of what the library decides.
//!
//! * `rivalguard probe` tells who serves libqb IPC endpoints (Pacemaker's
//!   nine with `--pacemaker`), from the kernel's credentials, without a libqb
//!   handshake, and whether that server is the one Pacemaker expects.
//! * `rivalguard watch` shows CPG group membership per process and every
//!   join and leave as the PID-aware tracker classifies it, without joining
//!   the groups.
//!
//! Built only with the `cli` feature, so the static library's link line is
//! unchanged: `cargo build --release --features cli --bin rivalguard`.

mod cpg;
mod identity;
mod probe;
mod watch;

use std::process::ExitCode;

use clap::{Arg, ArgAction, Command, value_parser};

/// Exit status: every endpoint absent or authentic / the watch ended normally.
pub const EXIT_OK: u8 = 0;
/// Exit status: an operational error (corosync not running, not permitted,
/// a bad name, an unknown user).
pub const EXIT_ERROR: u8 = 1;
/// Exit status: some endpoint is unauthorized or unresponsive.
pub const EXIT_ALERT: u8 = 2;
/// Exit status: bad command line (sysexits' EX_USAGE; not clap's 2, which
/// means an alert here).
pub const EXIT_USAGE: u8 = 64;

/// An ordinary failure, reported on stderr as one line.
#[derive(Debug)]
pub struct Failure(pub String);

impl<T: std::fmt::Display> From<T> for Failure {
    fn from(message: T) -> Self {
        Failure(message.to_string())
    }
}

fn command() -> Command {
    Command::new("rivalguard")
        .version(env!("CARGO_PKG_VERSION"))
        .about("Who serves Pacemaker's IPC endpoints, and who is in its CPG groups")
        .long_about(
            "Who serves Pacemaker's IPC endpoints, and who is in its CPG groups.\n\n\
             `probe` asks the kernel who listens on libqb endpoints (no libqb handshake: the \
             server runs no callback and logs nothing) and checks the server against the \
             identity Pacemaker expects. `watch` lists CPG group members per process and \
             reports every join and leave, telling a node's incumbent from a rival, without \
             joining any group.\n\n\
             Run it in the network namespace (and, for process names, the pid namespace) of \
             the cluster node it should look at.",
        )
        .subcommand_required(true)
        .arg_required_else_help(true)
        .subcommand(
            Command::new("probe")
                .about("Who serves libqb IPC endpoints, and is it who Pacemaker expects")
                .long_about(
                    "Who serves libqb IPC endpoints, and is it who Pacemaker expects.\n\n\
                     For each endpoint: one non-blocking connect exactly as a libqb client \
                     (abstract socket, or the filesystem socket when libqb's \
                     force-filesystem-sockets file exists), SO_PEERCRED, close. The state is \
                     absent (nothing listens), authentic (served by root, the reference user \
                     or the reference group: Pacemaker's rule), unauthorized (served by \
                     anybody else: a squatter) or unresponsive (it listens, but its listen \
                     queue stayed full for the whole timeout).\n\n\
                     Reference identities: Pacemaker's endpoints get Pacemaker's own (root \
                     for pacemakerd, lrmd and stonith-ng; the hacluster user and its primary \
                     group for cib_ro, cib_rw, cib_shm, attrd, pengine and crmd); other names \
                     get root:root. --user/--group override both.\n\n\
                     Exit status: 0 when every endpoint is absent or authentic, 2 when any \
                     is unauthorized or unresponsive, 1 on an error (bad name, unknown user), \
                     64 on a bad command line.",
                )
                .arg(
                    Arg::new("names")
                        .value_name("NAME")
                        .num_args(0..)
                        .help("libqb endpoint names, e.g. attrd cib_rw"),
                )
                .arg(
                    Arg::new("pacemaker")
                        .long("pacemaker")
                        .short('p')
                        .action(ArgAction::SetTrue)
                        .help("probe Pacemaker's nine endpoints with their reference identities"),
                )
                .arg(
                    Arg::new("json")
                        .long("json")
                        .action(ArgAction::SetTrue)
                        .help("print one JSON document instead of a table"),
                )
                .arg(
                    Arg::new("user")
                        .long("user")
                        .short('u')
                        .value_name("USER")
                        .help("reference user (name or uid) for every endpoint"),
                )
                .arg(
                    Arg::new("group")
                        .long("group")
                        .short('g')
                        .value_name("GROUP")
                        .help("reference group (name or gid); default: the user's primary group"),
                )
                .arg(
                    Arg::new("strict")
                        .long("strict")
                        .action(ArgAction::SetTrue)
                        .help("authentic only for root or the reference user (no group match)"),
                )
                .arg(
                    Arg::new("timeout")
                        .long("timeout")
                        .value_name("MS")
                        .value_parser(value_parser!(u32).range(1..=60_000))
                        .help("how long a full listen queue is retried [default: the library's, 1000]"),
                ),
        )
        .subcommand(
            Command::new("watch")
                .about("Show CPG group members per process, and every join and leave")
                .long_about(
                    "Show CPG group members per process, and every join and leave.\n\n\
                     Polls corosync's CPG membership the way corosync-cpgtool does (the \
                     iteration API: the watcher joins no group, so it is nobody's rival) and \
                     feeds each difference to rivalguard's PID-aware tracker, which tells a \
                     node joining or leaving (NODE_JOINED, NODE_LEFT) from one more process on \
                     a node already present (RIVAL_JOINED, RIVAL_LEFT). A node's incumbent \
                     (its longest-standing process) is marked with '*'. Changes shorter than \
                     the interval can be missed; the reason of a change is not known to a \
                     poller.\n\n\
                     Needs corosync running and, usually, root (corosync admits CPG clients by \
                     uid). Process names are looked up in the watcher's own pid namespace: run \
                     it in corosync's.",
                )
                .arg(
                    Arg::new("groups")
                        .value_name("GROUP")
                        .num_args(0..)
                        .help("CPG groups to watch [default: every group]"),
                )
                .arg(
                    Arg::new("interval")
                        .long("interval")
                        .short('i')
                        .value_name("MS")
                        .default_value("200")
                        .value_parser(value_parser!(u64).range(10..=60_000))
                        .help("polling interval in milliseconds"),
                )
                .arg(
                    Arg::new("duration")
                        .long("duration")
                        .short('d')
                        .value_name("SECONDS")
                        .value_parser(value_parser!(f64))
                        .help("stop after this many seconds [default: run until interrupted]"),
                )
                .arg(
                    Arg::new("once")
                        .long("once")
                        .action(ArgAction::SetTrue)
                        .help("print the membership once and exit"),
                )
                .arg(
                    Arg::new("json")
                        .long("json")
                        .action(ArgAction::SetTrue)
                        .help("print one JSON object per line (membership, then events)"),
                ),
        )
}

fn main() -> ExitCode {
    // Die quietly on a closed pipe (`rivalguard watch | head`), like other
    // command-line tools, instead of failing a write.
    // SAFETY: setting a signal disposition at start-up, before any thread.
    unsafe { libc::signal(libc::SIGPIPE, libc::SIG_DFL) };

    let matches = match command().try_get_matches() {
        Ok(matches) => matches,
        Err(error) => {
            use clap::error::ErrorKind;
            let _ = error.print();
            return match error.kind() {
                ErrorKind::DisplayHelp
                | ErrorKind::DisplayVersion
                | ErrorKind::DisplayHelpOnMissingArgumentOrSubcommand
                    if error.exit_code() == 0 =>
                {
                    ExitCode::from(EXIT_OK)
                }
                _ => ExitCode::from(EXIT_USAGE),
            };
        }
    };
    let result = match matches.subcommand() {
        Some(("probe", args)) => probe::run(args),
        Some(("watch", args)) => watch::run(args),
        _ => Err(Failure("no command: see rivalguard --help".into())),
    };
    match result {
        Ok(code) => ExitCode::from(code),
        Err(Failure(message)) => {
            eprintln!("rivalguard: {message}");
            ExitCode::from(EXIT_ERROR)
        }
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn command_is_consistent() {
        super::command().debug_assert();
    }
}
