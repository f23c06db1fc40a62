#!/usr/bin/env python3
"""Soak: rg-peerd on a private three-node corosync cluster under rival churn.

One daemon (rg-peerd, group "rgsoak") per node, started after one rival on
each node (so the daemons are not their nodes' incumbents at first), then
random membership changes: rivals (rg-rival) join on any node, leave
(cpg_leave), exit (SIGTERM) or are SIGKILLed, incumbents included; one
node's link is cut half-way, churn goes on in both partitions, the link is
restored. At every quiescent point (every --check-every changes, and around
the cut) each daemon's tracked membership -- its peer table over libqb IPC
-- must equal corosync's own (cpg_membership_get, in the same reply) and
the driver's own book of which processes run where; a node is online in a
table exactly when it has a process there.

At the end: no daemon ever marked a node offline except the cut node (seen
from the other two) and the other two (seen from the cut node), once each,
and every daemon is still running. Counts go to stdout and, with --report,
to a Markdown file.

Runs as root. The host part starts the cluster (scripts/cluster.sh) and
runs this same file inside the cluster's namespaces (--inside), so that
pids mean the same to the driver, the daemons and corosync; the cluster is
torn down on exit, failure or interruption (and by the harness's watcher if
this process is SIGKILLed).
"""

import argparse
import collections
import datetime
import json
import os
import random
import re
import select
import signal
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
CLUSTER_SH = os.path.join(ROOT, "scripts", "cluster.sh")
GROUP = "rgsoak"
NODES = 3


class SoakFailure(Exception):
    pass


# --------------------------------------------------------------------------
# inside the cluster's PID namespace
# --------------------------------------------------------------------------


class Cluster:
    def __init__(self, cdir, binary_dir, logdir):
        self.dir = cdir
        self.bin = binary_dir
        self.logdir = logdir
        self.holder = {}
        for n in range(1, NODES + 1):
            with open(os.path.join(cdir, "node%d" % n, "holder.pid")) as f:
                self.holder[n] = f.read().strip()
        self.link_up = {n: True for n in range(1, NODES + 1)}

    def enter(self, n):
        return ["nsenter", "-t", self.holder[n], "--net", "--mount", "--uts", "--ipc", "--"]

    def set_link(self, n, up):
        subprocess.run(["ip", "link", "set", "rgv%d" % n, "up" if up else "down"], check=True)
        self.link_up[n] = up

    def partition_of(self, n):
        """The nodes that node n can talk to (itself included)."""
        if not self.link_up[n]:
            return {n}
        return {m for m in self.link_up if self.link_up[m]}


class Proc:
    started = 0

    def __init__(self, node, popen, kind, name):
        Proc.started += 1
        self.join_order = Proc.started
        self.node = node
        self.popen = popen
        self.pid = popen.pid  # nsenter execs: this is the process itself
        self.kind = kind
        self.name = name


def read_line(popen, pattern, timeout):
    """Reads popen's stdout until a line matches pattern."""
    deadline = time.monotonic() + timeout
    buf = b""
    fd = popen.stdout.fileno()
    while time.monotonic() < deadline:
        r, _, _ = select.select([fd], [], [], max(0.0, deadline - time.monotonic()))
        if not r:
            break
        chunk = os.read(fd, 4096)
        if not chunk:
            break
        buf += chunk
        for line in buf.decode(errors="replace").splitlines():
            if re.search(pattern, line):
                return line
    raise SoakFailure("no line matching %r (got %r)" % (pattern, buf[-500:]))


class Driver:
    def __init__(self, args):
        self.args = args
        self.rng = random.Random(args.seed)
        self.cl = Cluster(args.inside, args.bin, args.logdir)
        self.rivals = {n: [] for n in range(1, NODES + 1)}  # join order
        self.daemons = {}
        self.instances = {}
        self.counts = collections.Counter()
        self.changes = 0
        self.checks = 0
        self.rival_seq = 0
        self.cut_node = None

    # --- processes ---

    def start_rival(self, n):
        self.rival_seq += 1
        p = subprocess.Popen(self.cl.enter(n) + [os.path.join(self.cl.bin, "rg-rival"), GROUP],
                             stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
        proc = Proc(n, p, "rival", "r%d" % self.rival_seq)
        read_line(p, r"^rival joined ", 15)
        self.rivals[n].append(proc)
        self.changes += 1
        self.counts["join"] += 1

    def stop_rival(self, n, how, proc=None):
        proc = proc or self.rng.choice(self.rivals[n])
        incumbent = self.is_incumbent(proc)
        sig = {"kill": signal.SIGKILL, "leave": signal.SIGUSR1, "term": signal.SIGTERM}[how]
        os.kill(proc.pid, sig)
        try:
            proc.popen.wait(timeout=15)
        except subprocess.TimeoutExpired:
            raise SoakFailure("rival %d did not exit on %s" % (proc.pid, how))
        proc.popen.stdout.close()
        self.rivals[n].remove(proc)
        self.changes += 1
        self.counts[how] += 1
        if incumbent:
            self.counts["incumbent_" + how] += 1

    def start_daemon(self, n):
        self.instances[n] = self.instances.get(n, 0) + 1
        path = os.path.join(self.args.logdir, "daemon%d.%d.log" % (n, self.instances[n]))
        log = open(path, "w")
        p = subprocess.Popen(self.cl.enter(n) + [os.path.join(self.cl.bin, "rg-peerd"),
                                                 "--name", GROUP],
                             stdout=log, stderr=subprocess.STDOUT)
        log.close()
        self.daemons[n] = Proc(n, p, "daemon", "d%d" % n)
        self.changes += 1
        self.counts["join"] += 1
        deadline = time.monotonic() + 15
        while time.monotonic() < deadline:
            with open(path) as f:
                if re.search(r"^event seq=1 ", f.read(), re.M):
                    return
            if p.poll() is not None:
                break
            time.sleep(0.05)
        raise SoakFailure("daemon on node %d did not join" % n)

    def restart_daemon(self, n):
        """SIGKILLs node n's daemon while rivals remain there, starts a new
        one: it comes back as a newcomer, a rival is the node's incumbent."""
        d = self.daemons.pop(n)
        os.kill(d.pid, signal.SIGKILL)
        d.popen.wait(timeout=15)
        self.changes += 1
        self.counts["daemon_kill"] += 1
        self.start_daemon(n)

    def members_on(self, n):
        """Processes of the group on node n, oldest first (the incumbent first
        while the node's processes all joined in separate changes)."""
        procs = list(self.rivals[n])
        if n in self.daemons:
            procs.append(self.daemons[n])
        return sorted(procs, key=lambda p: p.join_order)

    def is_incumbent(self, proc):
        return self.members_on(proc.node)[0] is proc

    # --- checks ---

    def table(self, n):
        r = subprocess.run(self.cl.enter(n) + [os.path.join(self.cl.bin, "rg-peerctl"), GROUP],
                           stdout=subprocess.PIPE, stderr=subprocess.STDOUT, timeout=15)
        if r.returncode != 0:
            raise SoakFailure("peer table of node %d: %s" % (n, r.stdout.decode(errors="replace")))
        return r.stdout.decode()

    @staticmethod
    def parse(text):
        tracked, cpg, online = set(), set(), set()
        match = None
        for line in text.splitlines():
            kv = dict(re.findall(r"(\w+)=(\S*)", line))
            if line.startswith("peer "):
                node = int(kv["nodeid"])
                for pid in filter(None, kv["pids"].split(",")):
                    tracked.add((node, int(pid)))
                if kv["state"] == "online":
                    online.add(node)
            elif line.startswith("cpg "):
                node = int(kv["nodeid"])
                for pid in filter(None, kv["pids"].split(",")):
                    cpg.add((node, int(pid)))
            elif line.startswith("match="):
                match = line == "match=yes"
        return tracked, cpg, online, match

    def expected(self, n):
        return {(p.node, p.pid) for m in self.cl.partition_of(n) for p in self.members_on(m)}

    def quiescent_check(self, what):
        """Waits until every daemon's table equals corosync's view and the
        book; fails after 30 s."""
        deadline = time.monotonic() + 30
        while True:
            bad = []
            for n in sorted(self.daemons):
                tracked, cpg, online, match = self.parse(self.table(n))
                want = self.expected(n)
                nodes_with_process = {node for node, _ in tracked}
                if not (tracked == cpg == want and online == nodes_with_process and match):
                    bad.append("node %d: tracked-cpg=%s cpg-tracked=%s book-cpg=%s cpg-book=%s "
                               "online=%s match=%s" % (n, sorted(tracked - cpg), sorted(cpg - tracked),
                                                       sorted(want - cpg), sorted(cpg - want),
                                                       sorted(online), match))
            if not bad:
                self.checks += 1
                return
            if time.monotonic() > deadline:
                raise SoakFailure("quiescent check (%s) failed: %s" % (what, "; ".join(bad)))
            time.sleep(0.1)

    # --- the run ---

    def random_change(self):
        n = self.rng.randint(1, NODES)
        have = len(self.rivals[n])
        roll = self.rng.random()
        if have == 0 or (have < self.args.max_rivals and roll < 0.45):
            self.start_rival(n)
        elif roll > 0.97:
            self.restart_daemon(n)
        elif roll > 0.85 and self.is_incumbent(self.members_on(n)[0]) \
                and self.members_on(n)[0].kind == "rival":
            self.stop_rival(n, self.rng.choice(["kill", "leave", "term"]), self.members_on(n)[0])
        else:
            self.stop_rival(n, self.rng.choices(["kill", "leave", "term"], [0.5, 0.25, 0.25])[0])

    def run(self):
        t0 = time.monotonic()
        for n in range(1, NODES + 1):
            self.start_rival(n)  # a rival first: the daemons start as newcomers
        for n in range(1, NODES + 1):
            self.start_daemon(n)
        self.quiescent_check("start")
        target = self.args.changes
        cut_at = target // 2
        cut_len = max(20, target // 10)
        while self.changes < target:
            if self.cut_node is None and self.changes >= cut_at and "cut" not in self.counts:
                self.quiescent_check("before the cut")
                self.cut_node = self.rng.randint(1, NODES)
                self.cl.set_link(self.cut_node, False)
                self.counts["cut"] += 1
                self.cut_started = self.changes
                self.quiescent_check("partitioned")
            elif self.cut_node is not None and self.changes >= self.cut_started + cut_len:
                self.quiescent_check("before the restore")
                self.cl.set_link(self.cut_node, True)
                self.counts["restore"] += 1
                self.quiescent_check("merged")
                self.cut_node_done = self.cut_node
                self.cut_node = None
            self.random_change()
            if self.changes % self.args.check_every == 0:
                self.quiescent_check("after %d changes" % self.changes)
        if self.cut_node is not None:
            self.cl.set_link(self.cut_node, True)
            self.cut_node_done = self.cut_node
            self.counts["restore"] += 1
        self.quiescent_check("end")
        # what the daemons said up to here is the soak; their own shutdown
        # (each one leaving in turn) is not
        self.log_sizes = {path: os.path.getsize(path) for path in self.log_paths()}
        for n, d in self.daemons.items():
            if d.popen.poll() is not None:
                raise SoakFailure("daemon on node %d exited (%s)" % (n, d.popen.returncode))
            os.kill(d.pid, signal.SIGTERM)
            d.popen.wait(timeout=15)
        duration = time.monotonic() - t0
        return self.summary(duration)

    def log_paths(self):
        return [os.path.join(self.args.logdir, "daemon%d.%d.log" % (n, i))
                for n in sorted(self.instances) for i in range(1, self.instances[n] + 1)]

    def summary(self, duration):
        kinds = collections.Counter()
        per_daemon = {}
        offline = []
        cut = getattr(self, "cut_node_done", None)
        for n in sorted(self.daemons):
            text = ""
            for i in range(1, self.instances[n] + 1):
                path = os.path.join(self.args.logdir, "daemon%d.%d.log" % (n, i))
                with open(path) as f:
                    text += f.read(self.log_sizes[path])
            k = collections.Counter(re.findall(r"^event seq=\d+ kind=(\w+)", text, re.M))
            incumbent_left = len(re.findall(r"^event .*kind=RIVAL_LEFT .*incumbent=1$", text, re.M))
            confchgs = len(re.findall(r"^confchg seq=", text, re.M))
            kinds.update(k)
            kinds["RIVAL_LEFT(incumbent=1)"] += incumbent_left
            per_daemon[n] = {"confchgs": confchgs, "events": dict(k), "instances": self.instances[n]}
            for node in map(int, re.findall(r"^peer nodeid=(\d+) state=offline$", text, re.M)):
                offline.append((n, node))
        # allowed: the cut node seen from the others, the others from the cut node; once each
        allowed = collections.Counter()
        if cut is not None:
            for n in range(1, NODES + 1):
                for node in range(1, NODES + 1):
                    if n != node and (n == cut or node == cut):
                        allowed[(n, node)] = 1
        seen = collections.Counter(offline)
        false_offline = sum(max(0, c - allowed[k]) for k, c in seen.items())
        missing_offline = sum(max(0, c - seen[k]) for k, c in allowed.items())
        return {
            "seed": self.args.seed,
            "nodes": NODES,
            "changes": self.changes,
            "actions": dict(self.counts),
            "quiescent_checks": self.checks,
            "cut_node": cut,
            "events": dict(kinds),
            "per_daemon": per_daemon,
            "offline_transitions": len(offline),
            "expected_offline_transitions": sum(allowed.values()),
            "false_offline": false_offline,
            "missing_offline": missing_offline,
            "duration_s": round(duration, 1),
        }


def inside_main(args):
    d = Driver(args)
    try:
        result = d.run()
        result["ok"] = result["false_offline"] == 0 and result["missing_offline"] == 0
    except SoakFailure as e:
        result = {"ok": False, "error": str(e), "changes": d.changes}
    finally:
        for procs in d.rivals.values():
            for p in procs:
                if p.popen.poll() is None:
                    p.popen.kill()
    with open(args.result, "w") as f:
        json.dump(result, f, indent=1)
    return 0 if result["ok"] else 1


# --------------------------------------------------------------------------
# on the host
# --------------------------------------------------------------------------


def report(result, path, args):
    ev = result["events"]
    lines = [
        "# Soak: rg-peerd on a private three-node corosync",
        "",
        "Written by `make soak` (`tests/cluster/soak.py`); `make check` runs a",
        "shorter one (%s changes). Real corosync 3 (knet, `token: 1000`), one" % args.check_changes,
        "rg-peerd per node in group `%s`, rivals are bare libcpg clients" % GROUP,
        "(`rg-rival`). Each change is one process joining or leaving the group:",
        "a rival joining, leaving with `cpg_leave`, exiting on SIGTERM or being",
        "SIGKILLed, on a random node; the first process of each node is a rival,",
        "so incumbents leave too. Half-way, one node's link is cut and, after",
        "more churn on both sides, restored. At every quiescent point (every",
        "%d changes and around the cut) each daemon's tracked membership must" % args.check_every,
        "equal corosync's own (`cpg_membership_get`) and the driver's book, and",
        "its peer table must say online exactly for nodes with a process.",
        "",
        "| figure | value |",
        "| --- | --- |",
        "| date | %s |" % datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
        "| seed | %d |" % result["seed"],
        "| membership changes (process joins + leaves) | %d |" % result["changes"],
        "| of which joins (rivals and daemon starts) | %d |" % result["actions"].get("join", 0),
        "| rivals leaving: SIGKILL / cpg_leave / SIGTERM | %d / %d / %d |" % (
            result["actions"].get("kill", 0), result["actions"].get("leave", 0),
            result["actions"].get("term", 0)),
        "| incumbent rivals removed (kill / leave / term) | %d / %d / %d |" % (
            result["actions"].get("incumbent_kill", 0), result["actions"].get("incumbent_leave", 0),
            result["actions"].get("incumbent_term", 0)),
        "| daemons SIGKILLed and restarted while rivals remained | %d |" % (
            result["actions"].get("daemon_kill", 0)),
        "| link cut / restored | node %s, %d / %d |" % (
            result["cut_node"], result["actions"].get("cut", 0), result["actions"].get("restore", 0)),
        "| quiescent checks passed (tracker = corosync = book, all daemons) | %d |" % result["quiescent_checks"],
        "| confchg callbacks, all daemon instances (node 1 / 2 / 3) | %s |" % " / ".join(
            str(result["per_daemon"][k]["confchgs"]) for k in sorted(result["per_daemon"])),
        "| events, all daemons: NODE_JOINED | %d |" % ev.get("NODE_JOINED", 0),
        "| NODE_LEFT | %d |" % ev.get("NODE_LEFT", 0),
        "| RIVAL_JOINED | %d |" % ev.get("RIVAL_JOINED", 0),
        "| RIVAL_LEFT (of which incumbent=1) | %d (%d) |" % (
            ev.get("RIVAL_LEFT", 0), ev.get("RIVAL_LEFT(incumbent=1)", 0)),
        "| EVICTED | %d |" % ev.get("EVICTED", 0),
        "| offline transitions (expected: the cut, 2 + 2) | %d (%d) |" % (
            result["offline_transitions"], result["expected_offline_transitions"]),
        "| **false offline** | **%d** |" % result["false_offline"],
        "| duration | %.1f s |" % result["duration_s"],
        "",
        "Every node always has at least one process in the group (a daemon is",
        "killed only while rivals remain on its node, a rival only while the",
        "daemon or another rival remains), so the only legitimate offline",
        "transitions are the cut's: the cut node seen from the other two and",
        "the other two seen from it, once each. NODE_JOINED counts every",
        "(re)started daemon learning the nodes already there, and the merge.",
        "Events are counted up to the last quiescent check (the daemons' own",
        "shutdown afterwards is not part of the soak).",
        "",
    ]
    with open(path, "w") as f:
        f.write("\n".join(lines))


def host_main(args):
    if os.geteuid() != 0:
        print("soak: needs root", file=sys.stderr)
        return 1
    binary_dir = os.path.abspath(args.bin or os.environ.get("CLUSTER_BIN") or
                                 os.path.join(ROOT, "build", "cluster"))
    # The cluster's directory holds the logs too: if this process is
    # SIGKILLed, the harness's watcher removes all of it.
    work = tempfile.mkdtemp(prefix="rg-soak.")
    cdir = work
    logdir = os.path.join(work, "soak")
    result_path = os.path.join(logdir, "result.json")
    rc = 1
    interrupted = []

    def on_signal(sig, frame):
        interrupted.append(sig)
        raise KeyboardInterrupt

    signal.signal(signal.SIGTERM, on_signal)
    signal.signal(signal.SIGHUP, on_signal)
    try:
        subprocess.run([CLUSTER_SH, "start", cdir, "--nodes", str(NODES), "--owner", str(os.getpid())],
                       check=True)
        os.mkdir(logdir)
        print("soak: %d changes on %d nodes, seed %d" % (args.changes, NODES, args.seed), flush=True)
        cmd = [CLUSTER_SH, "top", cdir, "--", sys.executable, os.path.abspath(__file__),
               "--inside", cdir, "--bin", binary_dir, "--logdir", logdir, "--result", result_path,
               "--changes", str(args.changes), "--seed", str(args.seed),
               "--check-every", str(args.check_every), "--max-rivals", str(args.max_rivals)]
        inner = subprocess.run(cmd)
        if not os.path.exists(result_path):
            print("soak: the driver died (rc %d)" % inner.returncode, file=sys.stderr)
        else:
            with open(result_path) as f:
                result = json.load(f)
            print(json.dumps(result, indent=1))
            if result.get("ok"):
                rc = 0
                if args.report:
                    report(result, args.report, args)
                    print("soak: wrote %s" % args.report)
                print("soak: passed: %d changes, %d quiescent checks, false offline %d, %.1f s" % (
                    result["changes"], result["quiescent_checks"], result["false_offline"],
                    result["duration_s"]))
            else:
                print("soak: FAILED: %s" % result.get("error", "false/missing offline"), file=sys.stderr)
        if rc != 0:
            for name in sorted(os.listdir(logdir)):
                with open(os.path.join(logdir, name)) as f:
                    tail = [line for line in f.read().splitlines() if not line.startswith("ipc request")]
                print("----- %s (last 40 lines)\n%s" % (name, "\n".join(tail[-40:])), file=sys.stderr)
    except KeyboardInterrupt:
        print("soak: interrupted", file=sys.stderr)
        rc = 130
    finally:
        subprocess.run([CLUSTER_SH, "stop", cdir])
        if rc != 0 and args.keep_logs:
            subprocess.run(["cp", "-a", logdir, args.keep_logs])
            print("soak: logs kept in %s" % args.keep_logs, file=sys.stderr)
        subprocess.run(["rm", "-rf", "--", work])
    return rc


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--changes", type=int, default=1200)
    ap.add_argument("--seed", type=int, default=int(os.environ.get("SOAK_SEED", "20261203")))
    ap.add_argument("--check-every", type=int, default=25)
    ap.add_argument("--max-rivals", type=int, default=6)
    ap.add_argument("--report")
    ap.add_argument("--keep-logs", metavar="DIR", help="on failure, copy the daemons' logs there")
    ap.add_argument("--check-changes", type=int, default=300, help=argparse.SUPPRESS)
    ap.add_argument("--bin")
    ap.add_argument("--inside", help=argparse.SUPPRESS)
    ap.add_argument("--logdir", help=argparse.SUPPRESS)
    ap.add_argument("--result", help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.inside:
        return inside_main(args)
    return host_main(args)


if __name__ == "__main__":
    sys.exit(main())
