//! `rivalguard watch`: CPG membership per process, and every change as the
//! tracker classifies it, by polling (the watcher joins no group).

use std::collections::BTreeMap;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use clap::ArgMatches;
use rivalguard::cpg::CpgAddress;
use rivalguard::tracker::{EventKind, Tracker};
use serde_json::json;

use crate::cpg::{self, Cpg};
use crate::identity;
use crate::{EXIT_OK, Failure};

/// Local time as HH:MM:SS.mmm.
fn clock() -> String {
    let now = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap_or_default();
    let secs = now.as_secs() as libc::time_t;
    // SAFETY: an all-zero `tm` is a valid out value.
    let mut tm: libc::tm = unsafe { std::mem::zeroed() };
    // SAFETY: valid pointers to a time_t and an out struct.
    let converted = !unsafe { libc::localtime_r(&secs, &mut tm) }.is_null();
    if !converted {
        return format!("{}.{:03}", now.as_secs(), now.subsec_millis());
    }
    format!(
        "{:02}:{:02}:{:02}.{:03}",
        tm.tm_hour,
        tm.tm_min,
        tm.tm_sec,
        now.subsec_millis()
    )
}

fn cpg_failure(error: cpg::Error) -> Failure {
    if error.is_not_running() {
        Failure(format!(
            "cannot reach corosync's CPG service ({error}): is corosync running (in this network namespace)?"
        ))
    } else if error.is_access() {
        Failure(format!(
            "corosync refused this user ({error}): run as root, or allow the user with a uidgid entry in corosync.conf"
        ))
    } else {
        Failure(error.to_string())
    }
}

/// One group's state in the watcher.
struct Watched {
    tracker: Tracker,
    /// The members at the last poll, sorted.
    members: Vec<CpgAddress>,
}

/// Polls every group (or the named ones): group name → members in
/// corosync's order.
fn poll(cpg: &Cpg, filter: &[String]) -> Result<BTreeMap<String, Vec<CpgAddress>>, Failure> {
    let mut groups: BTreeMap<String, Vec<CpgAddress>> = BTreeMap::new();
    for name in filter {
        groups.insert(name.clone(), Vec::new());
    }
    let mut attempts = 0;
    let listed = loop {
        match cpg.iterate(None) {
            Ok(listed) => break listed,
            Err(error) if error.is_try_again() && attempts < 50 => {
                attempts += 1;
                std::thread::sleep(Duration::from_millis(20));
            }
            Err(error) => return Err(cpg_failure(error)),
        }
    };
    for member in listed {
        if !filter.is_empty() && !filter.contains(&member.group) {
            continue;
        }
        groups
            .entry(member.group)
            .or_default()
            .push(CpgAddress::new(member.nodeid, member.pid, 0));
    }
    Ok(groups)
}

thread_local! {
    /// Program names of the local processes seen so far, so that a LEFT
    /// event can still name a process that has already exited.
    static NAMES: std::cell::RefCell<BTreeMap<u32, String>> =
        const { std::cell::RefCell::new(BTreeMap::new()) };
}

/// The program of local process `pid`, as seen now or when last seen.
fn process_name(pid: u32) -> Option<String> {
    match identity::process_name(pid) {
        Some(name) => {
            NAMES.with(|names| {
                let mut names = names.borrow_mut();
                if names.len() >= 4096 {
                    names.clear(); // a long watch with much churn: start over
                }
                names.insert(pid, name.clone())
            });
            Some(name)
        }
        None => NAMES.with(|names| names.borrow().get(&pid).cloned()),
    }
}

/// When local process `pid` started (clock ticks since boot, field 22 of
/// /proc/PID/stat), when it is visible here.
fn start_time(pid: u32) -> Option<u64> {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    let after_comm = &stat[stat.rfind(')')? + 1..];
    after_comm.split_whitespace().nth(19)?.parse().ok()
}

/// corosync's iteration API lists a group's members in no useful order
/// (neither join order nor pid order), while the tracker takes the order
/// of a change's member list to rank processes that arrive together. So
/// the processes that arrive in one poll (all of them at the first one)
/// are ranked by start time where it can be read (local processes in our
/// pid namespace), the others keeping corosync's order: the best guess of
/// who joined first that a poller has.
fn rank_arrivals(members: &mut [CpgAddress], local_nodeid: u32) {
    members.sort_by_cached_key(|member| {
        if member.nodeid == local_nodeid {
            start_time(member.pid).unwrap_or(u64::MAX)
        } else {
            u64::MAX
        }
    });
}

fn name_of(pid: u32) -> String {
    process_name(pid).unwrap_or_else(|| "?".into())
}

fn print_membership(group: &str, tracker: &Tracker, local_nodeid: u32, as_json: bool) {
    let mut nodes: Vec<u32> = tracker.members().map(|(nodeid, _)| nodeid).collect();
    nodes.dedup();
    if as_json {
        let nodes: Vec<_> = nodes
            .iter()
            .map(|&nodeid| {
                let pids = tracker.node_pids(nodeid).unwrap_or_default();
                let local = nodeid == local_nodeid;
                let processes: Vec<_> = pids
                    .iter()
                    .enumerate()
                    .map(|(i, &pid)| {
                        json!({
                            "pid": pid,
                            "incumbent": i == 0,
                            "process": if local { process_name(pid) } else { None },
                        })
                    })
                    .collect();
                json!({ "nodeid": nodeid, "local": local, "processes": processes })
            })
            .collect();
        println!(
            "{}",
            json!({ "time": clock(), "type": "membership", "group": group, "nodes": nodes })
        );
        return;
    }
    println!(
        "{} group {group}: {} node(s), {} process(es)",
        clock(),
        tracker.node_count(),
        tracker.process_count()
    );
    for nodeid in nodes {
        let local = nodeid == local_nodeid;
        let pids = tracker.node_pids(nodeid).unwrap_or_default();
        let listed: Vec<String> = pids
            .iter()
            .enumerate()
            .map(|(i, &pid)| {
                let mark = if i == 0 { "*" } else { "" };
                if local {
                    format!("{pid}{mark} {}", name_of(pid))
                } else {
                    format!("{pid}{mark}")
                }
            })
            .collect();
        let rivals = if pids.len() > 1 {
            format!("  ({} rival(s))", pids.len() - 1)
        } else {
            String::new()
        };
        println!(
            "  node {nodeid}{}: {}{rivals}",
            if local { " (local)" } else { "" },
            listed.join(", ")
        );
    }
}

fn event_kind_text(kind: EventKind) -> &'static str {
    match kind {
        EventKind::NodeJoined => "NODE_JOINED",
        EventKind::NodeLeft => "NODE_LEFT",
        EventKind::RivalJoined => "RIVAL_JOINED",
        EventKind::RivalLeft => "RIVAL_LEFT",
        EventKind::Evicted => "EVICTED",
    }
}

fn report_events(group: &str, watched: &mut Watched, as_json: bool) {
    while let Some(event) = watched.tracker.next_event() {
        // The watcher is never a member: its own "eviction" means nothing.
        if event.kind == EventKind::Evicted {
            continue;
        }
        let process = if event.local {
            process_name(event.pid)
        } else {
            None
        };
        if as_json {
            println!(
                "{}",
                json!({
                    "time": clock(),
                    "type": "event",
                    "group": group,
                    "event": event_kind_text(event.kind),
                    "nodeid": event.nodeid,
                    "pid": event.pid,
                    "process": process,
                    "local": event.local,
                    "incumbent": event.incumbent,
                    "other_pid": event.other_pid,
                })
            );
            continue;
        }
        let mut text = format!(
            "{} {group}: {:<12} node {}{} pid {}",
            clock(),
            event_kind_text(event.kind),
            event.nodeid,
            if event.local { " (local)" } else { "" },
            event.pid
        );
        if let Some(process) = process {
            text.push_str(&format!(" [{process}]"));
        }
        if event.incumbent {
            text.push_str(" (was the incumbent)");
        }
        match event.kind {
            EventKind::RivalJoined | EventKind::RivalLeft if event.other_pid != 0 => {
                text.push_str(&format!("; node's incumbent {}", event.other_pid));
                if event.local {
                    text.push_str(&format!(" [{}]", name_of(event.other_pid)));
                }
            }
            _ => {}
        }
        println!("{text}");
    }
}

pub fn run(args: &ArgMatches) -> Result<u8, Failure> {
    let filter: Vec<String> = args
        .get_many::<String>("groups")
        .map(|groups| groups.cloned().collect())
        .unwrap_or_default();
    for group in &filter {
        if group.is_empty() || group.len() > cpg::NAME_MAX {
            return Err(Failure(format!(
                "{group:?}: a CPG group name has 1 to {} bytes",
                cpg::NAME_MAX
            )));
        }
    }
    let interval = Duration::from_millis(*args.get_one::<u64>("interval").unwrap_or(&200));
    let duration = args
        .get_one::<f64>("duration")
        .map(|s| {
            if s.is_finite() && *s >= 0.0 {
                Ok(Duration::from_secs_f64(*s))
            } else {
                Err(Failure(format!("--duration {s}: not a number of seconds")))
            }
        })
        .transpose()?;
    let once = args.get_flag("once");
    let as_json = args.get_flag("json");

    // SAFETY: geteuid has no preconditions.
    let euid = unsafe { libc::geteuid() };
    let cpg = Cpg::connect().map_err(|error| {
        let failure = cpg_failure(error);
        if euid != 0 && !error.is_not_running() {
            Failure(format!("{} (running as uid {euid}, not root)", failure.0))
        } else {
            failure
        }
    })?;
    let local_nodeid = cpg.local_nodeid().map_err(cpg_failure)?;
    // The tracker's "own process" is the watcher, which never joins: every
    // other process is seen as a member, and EVICTED events are dropped.
    let own_pid = std::process::id().max(1);

    let started = Instant::now();
    let mut watched: BTreeMap<String, Watched> = BTreeMap::new();
    let mut first = true;
    loop {
        let groups = poll(&cpg, &filter)?;
        let mut names: Vec<String> = groups.keys().cloned().collect();
        for name in watched.keys() {
            if !groups.contains_key(name) {
                names.push(name.clone());
            }
        }
        names.sort();
        names.dedup();
        for name in names {
            let mut members = groups.get(&name).cloned().unwrap_or_default();
            rank_arrivals(&mut members, local_nodeid);
            let entry = match watched.entry(name.clone()) {
                std::collections::btree_map::Entry::Occupied(entry) => entry.into_mut(),
                std::collections::btree_map::Entry::Vacant(entry) => entry.insert(Watched {
                    tracker: Tracker::new(local_nodeid.max(1), own_pid)
                        .map_err(|e| Failure(format!("tracker: {e:?}")))?,
                    members: Vec::new(),
                }),
            };
            let mut as_set = members.clone();
            as_set.sort_unstable();
            if !first && entry.members == as_set {
                continue;
            }
            entry
                .tracker
                .confchg(&members, &[], &[])
                .map_err(|_| Failure("out of memory".into()))?;
            entry.members = as_set;
            if first {
                // The members already there: show them, not their inferred joins.
                while entry.tracker.next_event().is_some() {}
                print_membership(&name, &entry.tracker, local_nodeid, as_json);
            } else {
                report_events(&name, entry, as_json);
                if !as_json {
                    print_membership(&name, &entry.tracker, local_nodeid, as_json);
                }
            }
        }
        if first && !as_json {
            if watched.is_empty() {
                println!("{} no CPG group has members", clock());
            }
            if !once {
                println!(
                    "{} watching {} every {} ms ('*' marks each node's incumbent)",
                    clock(),
                    if filter.is_empty() {
                        "every group".to_owned()
                    } else {
                        filter.join(", ")
                    },
                    interval.as_millis()
                );
            }
        }
        first = false;
        if once || duration.is_some_and(|d| started.elapsed() >= d) {
            return Ok(EXIT_OK);
        }
        std::thread::sleep(interval);
    }
}
