//! The five scenarios of issue 6, each on its own Pacemaker node.

use std::time::{Duration, Instant};

use serde_json::Value;

use crate::harness::{ATTRD, CLI, Helper, Node};
use crate::identity::{self, Owner, PACEMAKER_ENDPOINTS};

/// The library's default start-up check timeout (a full queue is retried
/// this long), and the slack a loaded 2-core machine may add to it.
const CHECK_TIMEOUT: Duration = Duration::from_millis(1000);
const SLACK: Duration = Duration::from_millis(500);

/// hacluster's uid and primary gid, looked up.
fn hacluster() -> (u32, u32) {
    identity::user_by_name(identity::DAEMON_USER)
        .expect("user hacluster (apt-get install pacemaker)")
}

fn reference(name: &str) -> (u32, u32) {
    let endpoint = identity::pacemaker_endpoint(name).expect("a Pacemaker endpoint");
    identity::reference_ids(endpoint.owner).expect("reference identity")
}

/// Runs `helper-check KIND NAME UID GID REPEAT` inside; one JSON value per call.
fn check(node: &Node, kind: &str, name: &str, ids: (u32, u32), repeat: u32) -> Vec<Value> {
    let (uid, gid) = (ids.0.to_string(), ids.1.to_string());
    let repeat_text = repeat.to_string();
    let mut helper = node.helper(
        false,
        &["helper-check", kind, name, &uid, &gid, &repeat_text],
    );
    let timeout = (CHECK_TIMEOUT + SLACK) * (repeat + 2);
    let results: Vec<Value> = (0..repeat).map(|_| helper.json(timeout)).collect();
    assert_eq!(
        helper.wait(Duration::from_secs(5)),
        Some(0),
        "helper-check exit"
    );
    for result in &results {
        assert_eq!(result["rc"], 0, "{kind} {name}: rc {result}");
    }
    results
}

fn micros(result: &Value) -> Duration {
    Duration::from_micros(result["micros"].as_u64().expect("micros"))
}

fn attrd_pid(node: &Node) -> u32 {
    let pids = node.pids_of("pacemaker-attrd");
    assert_eq!(pids.len(), 1, "one pacemaker-attrd expected: {pids:?}");
    pids[0]
}

/// Waits (bounded) until `predicate` holds; the time it took.
fn wait_for(what: &str, timeout: Duration, mut predicate: impl FnMut() -> bool) -> Duration {
    let start = Instant::now();
    while !predicate() {
        assert!(start.elapsed() < timeout, "{what}: not within {timeout:?}");
        std::thread::sleep(Duration::from_millis(100));
    }
    start.elapsed()
}

fn log_lines_of<'a>(log: &'a str, daemon: &str, pid: u32) -> Vec<&'a str> {
    let tag = format!("[{pid}]");
    log.lines()
        .filter(|l| l.contains(daemon) && l.contains(&tag))
        .collect()
}

/// How a process ended: "exit N" or "signal N".
fn ending(status: std::process::ExitStatus) -> String {
    use std::os::unix::process::ExitStatusExt;
    match (status.code(), status.signal()) {
        (Some(code), _) => format!("exit {code}"),
        (None, Some(signal)) => format!("signal {signal}"),
        _ => "?".into(),
    }
}

/// Starts a second pacemaker-attrd by hand, as hacluster (as pacemakerd
/// would), bounded to 20 s; (how it ended, duration).
fn start_second_attrd(node: &Node) -> (String, Duration) {
    let (uid, gid) = hacluster();
    let start = Instant::now();
    let output = node.run(
        Duration::from_secs(20),
        "setpriv",
        &[
            &format!("--reuid={uid}"),
            &format!("--regid={gid}"),
            "--init-groups",
            "env",
            "PCMK_logfacility=none",
            "PCMK_logfile=/var/log/pacemaker/pacemaker.log",
            ATTRD,
        ],
    );
    (ending(output.status), start.elapsed())
}

/// Scenario 1: all nine endpoints AUTHENTIC against Pacemaker's reference
/// identities, each served by the daemon that should own it; the CLI agrees.
pub fn nine_endpoints_authentic() {
    let mut node = Node::boot("s1");
    node.start_pacemaker();
    node.wait_ready(Duration::from_secs(40));
    let (hac_uid, hac_gid) = hacluster();
    let mut based_pid = None;
    for endpoint in PACEMAKER_ENDPOINTS {
        let ids = reference(endpoint.name);
        let expected_ids = match endpoint.owner {
            Owner::Root => (0, 0),
            Owner::DaemonUser => (hac_uid, hac_gid),
        };
        assert_eq!(ids, expected_ids);
        let probe = &check(&node, "probe", endpoint.name, ids, 1)[0];
        assert_eq!(probe["name"], "AUTHENTIC", "{}: {probe}", endpoint.name);
        assert_eq!(probe["uid"], expected_ids.0, "{}: {probe}", endpoint.name);
        assert_eq!(probe["gid"], expected_ids.1, "{}: {probe}", endpoint.name);
        assert_eq!(
            probe["process"], endpoint.daemon,
            "{}: {probe}",
            endpoint.name
        );
        let pid = probe["pid"].as_u64().expect("pid") as u32;
        assert!(
            node.pids_of(endpoint.daemon).contains(&pid),
            "{}: pid {pid} is not a {} of this node",
            endpoint.name,
            endpoint.daemon
        );
        if endpoint.daemon == "pacemaker-based" {
            assert_eq!(*based_pid.get_or_insert(pid), pid, "based serves all cib_*");
        }
        let startup = &check(&node, "startup", endpoint.name, ids, 1)[0];
        assert_eq!(
            startup["name"], "ALREADY_ACTIVE",
            "{}: {startup}",
            endpoint.name
        );
        assert_eq!(startup["pid"], pid, "{}: {startup}", endpoint.name);
        say!(
            "{:<10} AUTHENTIC pid {pid} {} uid {} gid {} ({} us); startup check ALREADY_ACTIVE",
            endpoint.name,
            endpoint.daemon,
            expected_ids.0,
            expected_ids.1,
            micros(probe).as_micros()
        );
    }

    // The CLI: table and JSON.
    let (code, table, stderr) = node.cli(&["probe", "--pacemaker"]);
    say!("rivalguard probe --pacemaker (exit {code:?}):\n{table}");
    assert_eq!(code, Some(0), "probe --pacemaker: {stderr}");
    let lines: Vec<&str> = table.lines().collect();
    assert_eq!(lines.len(), 10, "header + nine rows: {table}");
    assert!(lines[0].starts_with("ENDPOINT") && lines[0].contains("STATE"));
    for endpoint in PACEMAKER_ENDPOINTS {
        let row = lines
            .iter()
            .find(|l| l.split_whitespace().next() == Some(endpoint.name))
            .unwrap_or_else(|| panic!("no row for {}", endpoint.name));
        let user = match endpoint.owner {
            Owner::Root => "0(root)".to_owned(),
            Owner::DaemonUser => format!("{hac_uid}(hacluster)"),
        };
        assert!(
            row.contains(" authentic ") && row.contains(endpoint.daemon) && row.contains(&user),
            "row {row:?}"
        );
    }
    let (code, json, _) = node.cli(&["probe", "--pacemaker", "--json"]);
    assert_eq!(code, Some(0));
    let json: Value = serde_json::from_str(&json).expect("JSON");
    assert_eq!(json["ok"], true);
    let entries = json["endpoints"].as_array().expect("endpoints");
    assert_eq!(entries.len(), 9);
    for (entry, endpoint) in entries.iter().zip(PACEMAKER_ENDPOINTS) {
        assert_eq!(entry["endpoint"], endpoint.name);
        assert_eq!(entry["state"], "authentic", "{entry}");
        assert_eq!(entry["process"], endpoint.daemon, "{entry}");
        assert_eq!(entry["expected_process"], endpoint.daemon, "{entry}");
        let user = match endpoint.owner {
            Owner::Root => "root",
            Owner::DaemonUser => "hacluster",
        };
        assert_eq!(entry["user"], user, "{entry}");
        assert_eq!(entry["reference"]["user"], user, "{entry}");
    }
}

/// Scenario 2: a second pacemaker-attrd exits 0 ("already active"), and
/// rivalguard's start-up check says ALREADY_ACTIVE with the running attrd.
pub fn second_instance() {
    let mut node = Node::boot("s2");
    node.start_pacemaker();
    node.wait_ready(Duration::from_secs(40));
    let apid = attrd_pid(&node);
    let (code, took) = start_second_attrd(&node);
    let log = node.log();
    let already = log
        .lines()
        .filter(|l| l.contains("pacemaker-attrd") && l.contains("already active"))
        .map(str::to_owned)
        .collect::<Vec<_>>();
    say!(
        "Pacemaker: second pacemaker-attrd ended with {code} after {:.0} ms; log: {already:?}",
        took.as_secs_f64() * 1000.0
    );
    assert_eq!(code, "exit 0", "the second attrd's exit status");
    assert!(!already.is_empty(), "no 'already active' line in the log");
    let startup = &check(&node, "startup", "attrd", hacluster(), 1)[0];
    say!("rivalguard: startup_check(attrd) = {startup}");
    assert_eq!(startup["name"], "ALREADY_ACTIVE", "{startup}");
    assert_eq!(startup["pid"], apid, "{startup}");
    assert_eq!(startup["process"], "pacemaker-attrd");
    assert!(micros(startup) < CHECK_TIMEOUT);
    assert_eq!(attrd_pid(&node), apid, "the first attrd still runs");
}

/// Scenario 3: a raw squatter (uid 65534) binds NAME before Pacemaker starts.
fn squatter_case(name: &str, observe: impl FnOnce(&Node, u32)) -> (Node, Helper, u32) {
    let mut node = Node::boot(&format!("s3-{name}"));
    let mut squatter = node.helper(true, &["helper-squatter", name]);
    let ready = squatter.json(Duration::from_secs(5));
    assert_eq!(ready["ready"], true, "squatter: {ready}");
    assert_eq!(ready["uid"], 65534);
    assert_eq!(ready["addrlen"], 110, "libqb's addrlen");
    let spid = ready["pid"].as_u64().expect("pid") as u32;
    say!("squatter on {name}: pid {spid} uid 65534");
    let ids = reference(name);
    let assert_blocked = |node: &Node, when: &str| {
        let results = check(node, "startup", name, ids, 10);
        let mut slowest = Duration::ZERO;
        for result in &results {
            assert_eq!(result["name"], "BLOCKED", "{when}: {result}");
            assert_eq!(result["pid"], spid, "{when}: {result}");
            assert_eq!(result["uid"], 65534, "{when}: {result}");
            slowest = slowest.max(micros(result));
        }
        assert!(slowest < CHECK_TIMEOUT, "{when}: slowest check {slowest:?}");
        say!(
            "rivalguard {when}: startup_check({name}) BLOCKED by pid {spid} uid 65534, 10/10, slowest {} us",
            slowest.as_micros()
        );
    };
    assert_blocked(&node, "before Pacemaker");
    node.start_pacemaker();
    let started = Instant::now();
    observe(&node, spid);
    say!(
        "Pacemaker observed for {:.1}s (bounded; torn down after)",
        started.elapsed().as_secs_f64()
    );
    assert_blocked(&node, "while Pacemaker hangs");
    // The CLI names the squatter and exits 2.
    let (code, out, _) = node.cli(&["probe", "--pacemaker", "--json"]);
    assert_eq!(code, Some(2), "probe exit status with a squatter: {out}");
    let json: Value = serde_json::from_str(&out).expect("JSON");
    assert_eq!(json["ok"], false);
    let entry = json["endpoints"]
        .as_array()
        .expect("endpoints")
        .iter()
        .find(|e| e["endpoint"] == name)
        .expect("entry")
        .clone();
    assert_eq!(entry["state"], "unauthorized", "{entry}");
    assert_eq!(entry["pid"], spid, "{entry}");
    assert_eq!(entry["uid"], 65534, "{entry}");
    let (code, table, _) = node.cli(&["probe", name]);
    say!("rivalguard probe {name} (exit {code:?}):\n{table}");
    assert_eq!(code, Some(2));
    assert!(table.contains("unauthorized") && table.contains("65534"));
    (node, squatter, spid)
}

pub fn squatter_attrd() {
    let (node, _squatter, spid) = squatter_case("attrd", |node, spid| {
        // Pacemaker: attrd is forked and hangs in its own "already
        // running?" check; pacemakerd's liveness check times out too.
        let took = wait_for("pacemaker-attrd forked", Duration::from_secs(10), || {
            !node.pids_of("pacemaker-attrd").is_empty()
        });
        let apid = node.pids_of("pacemaker-attrd")[0];
        let unresponsive = format!("pacemaker-attrd[{apid}] is unresponsive to ipc after 1 tries");
        let took_check = wait_for(
            "pacemakerd's liveness check of attrd",
            Duration::from_secs(15),
            || node.log().contains(&unresponsive),
        );
        let log = node.log();
        let attrd_lines = log_lines_of(&log, "pacemaker-attrd", apid);
        let timeouts = log
            .lines()
            .filter(|l| l.contains("Could not connect to attrd IPC: timeout"))
            .count();
        say!(
            "Pacemaker: attrd pid {apid} forked after {:.1}s, still alive (hung), {} log line(s) of its own (last: {:?}); pacemakerd logged 'Could not connect to attrd IPC: timeout' {timeouts}x and '{unresponsive}' after {:.1}s more; the endpoint still belongs to squatter {spid}",
            took.as_secs_f64(),
            attrd_lines.len(),
            attrd_lines
                .last()
                .map(|l| l.split(')').nth(1).unwrap_or(l).trim()),
            took_check.as_secs_f64()
        );
        assert!(
            node.pids_of("pacemaker-attrd").contains(&apid),
            "attrd hung, not gone"
        );
    });
    // A squatter's queue fills too (every connect that is never accepted
    // stays queued): rivalguard still never says PROCEED.
    let mut filler = node.helper(false, &["helper-fill", "attrd"]);
    let filled = filler.json(Duration::from_secs(5));
    assert_eq!(filled["eagain"], true, "{filled}");
    let results = check(&node, "startup", "attrd", reference("attrd"), 2);
    for result in &results {
        assert_eq!(result["name"], "UNRESPONSIVE", "{result}");
        assert!(micros(result) < CHECK_TIMEOUT + SLACK, "{result}");
        // As root, the library names the holder of a full queue (via /proc).
        assert_eq!(result["pid"], spid, "the holder is the squatter: {result}");
        assert_eq!(result["uid"], 65534, "{result}");
    }
    say!(
        "squatter's queue filled ({} more connects): startup_check(attrd) UNRESPONSIVE after {} ms, holder pid {} uid {} (never PROCEED)",
        filled["filled"],
        micros(&results[0]).as_millis(),
        results[0]["pid"],
        results[0]["uid"]
    );
}

pub fn squatter_pacemakerd() {
    let _ = squatter_case("pacemakerd", |node, spid| {
        // Pacemaker: pacemakerd itself hangs at start-up (nothing else starts).
        std::thread::sleep(Duration::from_secs(3));
        let pacemakerd = node.pids_of("pacemakerd");
        let based = node.pids_of("pacemaker-based");
        let log = node.log();
        let last = log.lines().last().unwrap_or("").to_owned();
        say!(
            "Pacemaker after 3 s: pacemakerd pids {pacemakerd:?} (alive: {}), pacemaker-based {based:?}, {} log line(s), last: {last:?}; endpoint held by squatter {spid}",
            !pacemakerd.is_empty(),
            log.lines().count()
        );
        let cib = check(node, "probe", "cib_rw", reference("cib_rw"), 1);
        say!("cib_rw after 3 s: {}", cib[0]["name"]);
    });
}

pub fn squatter_cib_rw() {
    let _ = squatter_case("cib_rw", |node, spid| {
        // Pacemaker: based dies on a libqb assertion at its bind and is
        // respawned until pacemakerd gives up.
        let took = wait_for(
            "pacemakerd gives up on based",
            Duration::from_secs(20),
            || {
                node.log()
                    .contains("Child respawn count exceeded by pacemaker-based")
            },
        );
        let log = node.log();
        let bind_failures = log
            .lines()
            .filter(|l| l.contains("Could not start cib_rw IPC server"))
            .count();
        let aborted = log
            .lines()
            .filter(|l| l.contains("pacemaker-based") && l.contains("signal 6"))
            .count();
        let attrd = node.pids_of("pacemaker-attrd");
        say!(
            "Pacemaker: based failed to bind cib_rw {bind_failures}x, aborted (signal 6) {aborted}x, 'Child respawn count exceeded' after {:.1}s; pacemakerd alive: {}; attrd {attrd:?}; endpoint held by squatter {spid}",
            took.as_secs_f64(),
            !node.pids_of("pacemakerd").is_empty()
        );
    });
}

/// Scenario 4: attrd SIGSTOPped with a full listen queue.
pub fn full_queue() {
    let mut node = Node::boot("s4");
    node.start_pacemaker();
    node.wait_ready(Duration::from_secs(40));
    let apid = attrd_pid(&node);
    let out = node.run(
        Duration::from_secs(10),
        "attrd_updater",
        &["-n", "rg-transient", "-U", "1"],
    );
    assert!(out.status.success(), "attrd_updater: {out:?}");
    let status_has_attr = |node: &Node| {
        let out = node.run(Duration::from_secs(10), "cibadmin", &["-Q", "-o", "status"]);
        String::from_utf8_lossy(&out.stdout).contains("rg-transient")
    };
    wait_for(
        "transient attribute in the CIB",
        Duration::from_secs(10),
        || status_has_attr(&node),
    );

    node.signal(apid, libc::SIGSTOP);
    let stopped = Instant::now();
    let mut filler = node.helper(false, &["helper-fill", "attrd"]);
    let filled = filler.json(Duration::from_secs(5));
    assert_eq!(filled["eagain"], true, "{filled}");
    let fpid = filled["pid"].as_u64().expect("pid") as u32;
    say!(
        "attrd {apid} stopped; its queue filled with {} connects",
        filled["filled"]
    );

    let results = check(&node, "startup", "attrd", hacluster(), 3);
    for result in &results {
        let verdict = result["name"].as_str().unwrap_or("?");
        assert!(
            verdict == "UNRESPONSIVE" || verdict == "ALREADY_ACTIVE",
            "never PROCEED: {result}"
        );
        assert!(
            micros(result) <= CHECK_TIMEOUT + SLACK,
            "within the timeout: {result}"
        );
        // Whoever the library names (as root it finds the holder of a full
        // queue through /proc) must be the stopped attrd.
        assert_eq!(result["pid"], apid, "the holder is attrd: {result}");
        assert_eq!(result["uid"], hacluster().0, "{result}");
    }
    say!(
        "rivalguard: startup_check(attrd) = {} (holder pid {} uid {}) in {} / {} / {} ms",
        results[0]["name"],
        results[0]["pid"],
        results[0]["uid"],
        micros(&results[0]).as_millis(),
        micros(&results[1]).as_millis(),
        micros(&results[2]).as_millis()
    );
    let (code, out, _) = node.cli(&["probe", "attrd", "--json"]);
    assert_eq!(code, Some(2), "{out}");
    let json: Value = serde_json::from_str(&out).expect("JSON");
    assert_eq!(json["endpoints"][0]["state"], "unresponsive", "{json}");
    assert_eq!(json["endpoints"][0]["pid"], apid, "{json}");
    assert_eq!(json["endpoints"][0]["process"], "pacemaker-attrd", "{json}");

    // What Pacemaker's own self-check does here.
    let (code, took) = start_second_attrd(&node);
    let log = node.log();
    let cleared = log.contains("Clearing transient attributes from CIB");
    let bind_failed = log.contains("Could not start attrd IPC server");
    let still_there = status_has_attr(&node);
    say!(
        "Pacemaker: second attrd ended with {code} after {} ms (its own check let it carry on); cleared the node's transient attributes: {cleared} (rg-transient still in the CIB: {still_there}); then failed to bind attrd: {bind_failed}",
        took.as_millis()
    );

    // Resume attrd before pacemakerd's liveness check kills it.
    node.signal(fpid, libc::SIGKILL);
    node.signal(apid, libc::SIGCONT);
    let stopped_for = stopped.elapsed();
    let recovered = wait_for("attrd answers again", Duration::from_secs(10), || {
        check(&node, "startup", "attrd", hacluster(), 1)[0]["name"] == "ALREADY_ACTIVE"
    });
    let after = &check(&node, "startup", "attrd", hacluster(), 1)[0];
    assert_eq!(after["pid"], apid, "the same attrd serves again: {after}");
    assert_eq!(attrd_pid(&node), apid, "pacemakerd did not replace attrd");
    say!(
        "attrd resumed after {:.1}s stopped; ALREADY_ACTIVE again after {} ms",
        stopped_for.as_secs_f64(),
        recovered.as_millis()
    );
    let _ = wait_for("attrd logs the rival", Duration::from_secs(3), || {
        node.log().contains("duplicate local pid")
    });
    let log = node.log();
    let duplicates: Vec<&str> = log_lines_of(&log, "pacemaker-attrd", apid)
        .into_iter()
        .filter(|l| l.contains("duplicate local pid"))
        .collect();
    say!("Pacemaker: the first attrd, resumed, logged {duplicates:#?}");
}

/// Scenario 5: our own CPG client joins group attrd beside the real attrd.
pub fn rival_in_attrd_group() {
    let mut node = Node::boot("s5");
    node.start_pacemaker();
    node.wait_ready(Duration::from_secs(40));
    let apid = attrd_pid(&node);

    let mut watch = node.spawn(
        false,
        CLI,
        &[
            "watch",
            "attrd",
            "--json",
            "--interval",
            "100",
            "--duration",
            "30",
        ],
    );
    let membership = watch.json(Duration::from_secs(5));
    say!("watch: {membership}");
    assert_eq!(membership["type"], "membership", "{membership}");
    assert_eq!(membership["group"], "attrd");
    let processes = &membership["nodes"][0]["processes"];
    assert_eq!(processes.as_array().map(Vec::len), Some(1), "{membership}");
    assert_eq!(processes[0]["pid"], apid);
    assert_eq!(processes[0]["incumbent"], true);
    assert_eq!(processes[0]["process"], "pacemaker-attrd");

    let mut rival = node.helper(false, &["helper-rival", "attrd"]);
    let hello = rival.json(Duration::from_secs(5));
    let rpid = hello["rival"].as_u64().expect("pid") as u32;
    let mut joined_events = Vec::new();
    loop {
        let line = rival.json(Duration::from_secs(10));
        say!("rival: {line}");
        if line["status"] == "joined" {
            break;
        }
        if line.get("event").is_some() {
            joined_events.push(line);
        }
    }
    let newcomer = joined_events
        .iter()
        .find(|e| e["event"] == "RIVAL_JOINED" && e["pid"] == rpid)
        .unwrap_or_else(|| panic!("no RIVAL_JOINED for ourselves: {joined_events:?}"));
    assert_eq!(newcomer["local"], true, "{newcomer}");
    assert_eq!(newcomer["other_pid"], apid, "{newcomer}");
    assert!(
        !joined_events
            .iter()
            .any(|e| e["pid"] == rpid && e["event"] == "NODE_JOINED"),
        "we are not the node's incumbent: {joined_events:?}"
    );

    let seen_join = next_watch_event(&mut watch, "RIVAL_JOINED", rpid);
    assert_eq!(seen_join["other_pid"], apid, "{seen_join}");
    assert_eq!(seen_join["local"], true);

    let pacemaker_join = format!("detected duplicate local pid {rpid}");
    wait_for("attrd logs the duplicate", Duration::from_secs(5), || {
        node.log().contains(&pacemaker_join)
    });

    rival.send("leave");
    let mut left_events = Vec::new();
    loop {
        let line = rival.json(Duration::from_secs(10));
        say!("rival: {line}");
        if line["status"] == "left" {
            break;
        }
        if line.get("event").is_some() {
            left_events.push(line);
        }
    }
    assert_eq!(rival.wait(Duration::from_secs(5)), Some(0));
    let seen_leave = next_watch_event(&mut watch, "RIVAL_LEFT", rpid);
    assert_eq!(seen_leave["other_pid"], apid, "{seen_leave}");
    assert_eq!(seen_leave["incumbent"], false, "{seen_leave}");

    let pacemaker_leave = format!("duplicate local pid {rpid} left");
    wait_for(
        "attrd logs the duplicate's leave",
        Duration::from_secs(5),
        || node.log().contains(&pacemaker_leave),
    );
    let log = node.log();
    let attrd_says: Vec<&str> = log_lines_of(&log, "pacemaker-attrd", apid)
        .into_iter()
        .filter(|l| l.contains(&format!("pid {rpid}")))
        .collect();
    say!("Pacemaker's attrd [{apid}] about pid {rpid}: {attrd_says:#?}");
    assert!(
        attrd_says.iter().any(|l| l.contains(&pacemaker_join)),
        "attrd {apid} itself logged the join of {rpid}"
    );
    assert!(
        attrd_says.iter().any(|l| l.contains(&pacemaker_leave)),
        "attrd {apid} itself logged the leave of {rpid}"
    );
    // Both sides agree: the pid Pacemaker calls a duplicate is the one our
    // tracker called itself, and the attrd that logged it is the incumbent
    // our tracker named.
    assert_eq!(newcomer["pid"], rpid);
    assert_eq!(attrd_pid(&node), apid, "attrd untouched");
    if let Some(own_leave) = left_events
        .iter()
        .find(|e| e["pid"] == rpid && e["event"] == "RIVAL_LEFT")
    {
        assert_eq!(own_leave["other_pid"], apid, "{own_leave}");
    }
}

/// Reads the watcher's JSON lines until an event KIND about `pid`; every
/// process it reports must be attrd's or the rival's (it joined nothing).
fn next_watch_event(watch: &mut Helper, kind: &str, pid: u32) -> Value {
    loop {
        let line = watch.json(Duration::from_secs(10));
        say!("watch: {line}");
        if line["type"] == "event" && line["event"] == kind && line["pid"] == pid {
            return line;
        }
    }
}
