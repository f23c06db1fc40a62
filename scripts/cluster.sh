#!/usr/bin/env bash
# A private corosync cluster of 1..8 nodes on this machine, for tests and the
# demo. Needs root, corosync, iproute2 and util-linux (unshare, nsenter).
#
#   cluster.sh start DIR [--nodes N] [--token MS] [--owner PID] [--no-wait]
#   cluster.sh wait  DIR [--timeout S]        every running node sees every running node
#   cluster.sh exec  DIR NODE [--] CMD...     run CMD inside node NODE (foreground)
#   cluster.sh top   DIR [--] CMD...          run CMD in the cluster's own namespaces
#   cluster.sh corosync DIR NODE stop|start   stop (SIGTERM, waits) or start a node's corosync
#   cluster.sh link  DIR NODE down|up         cut / restore a node's only network link
#   cluster.sh info  DIR                      what is running, as KEY=VALUE lines
#   cluster.sh stop  DIR [--keep]             kill everything, remove DIR (unless --keep)
#
# Layout. `start` runs, on the host, a small watcher process, and under it
# `unshare --pid --net --mount --uts --ipc`: a new PID namespace whose PID 1
# (the "top") owns a bridge `rgbr0` in its own network namespace. Each node is
# a holder process (`sleep infinity`) in its own network, mount, UTS and IPC
# namespaces, with tmpfs on /run and /dev/shm (corosync's fixed pid file, the
# libqb rings), hostname nodeN, and one veth pair: `eth0` (10.77.0.N/24) in
# the node, `rgvN` on the bridge in the top. One corosync runs per node
# (knet, nodeids 1..N, names node1..nodeN), state_dir DIR/nodeN/state, log
# DIR/nodeN/corosync.log.
#
# Every process of the cluster -- corosync, and whatever `exec` starts -- runs
# in that one PID namespace, so a pid printed by one of them means the same
# process to all the others (CPG reports pids as seen from corosync's PID
# namespace, which is this one). Killing the top (PID 1) therefore ends all
# of them at once, and with the last process of each namespace gone the
# kernel removes the namespaces, veth pairs, bridge and tmpfs mounts: nothing
# stays on the host. `stop` does that; the watcher does it as well when the
# owner (by default the process that called `start`) disappears, so even a
# SIGKILLed test leaves nothing running (within half a second) and DIR is
# removed. No file of the host is touched except DIR, which `stop` removes. Addresses exist only
# inside these namespaces; traffic never leaves them.
#
# Totem timing: `token` defaults to 1000 ms here (corosync's default is
# 3000 ms, plus 650 ms per node beyond two), so a node whose link is cut is
# declared down in about 2-3 s instead of ~5-15 s; `--token` changes it.
# Everything else is corosync's default (knet transport, consensus 1.2*token).
#
# DIR must not exist or be empty, and must not lie under /run or /dev/shm
# (those are private inside the nodes). Default owner: the caller ($PPID).
set -euo pipefail

SELF=$(readlink -f "$0")
die() { echo "cluster.sh: $*" >&2; exit 2; }
[[ $(id -u) -eq 0 ]] || die "needs root"

SUBNET=10.77.0
BRIDGE=rgbr0

node_conf() { # DIR NODES TOKEN N
    local dir=$1 nodes=$2 token=$3 n=$4 i
    {
        echo "# written by scripts/cluster.sh for node$n of a private test cluster"
        echo "totem {"
        echo "    version: 2"
        echo "    cluster_name: rgtest"
        echo "    transport: knet"
        echo "    crypto_cipher: none"
        echo "    crypto_hash: none"
        echo "    token: $token"
        echo "}"
        echo "nodelist {"
        for ((i = 1; i <= nodes; i++)); do
            echo "    node {"
            echo "        nodeid: $i"
            echo "        name: node$i"
            echo "        ring0_addr: $SUBNET.$i"
            echo "    }"
        done
        echo "}"
        echo "quorum {"
        echo "    provider: corosync_votequorum"
        ((nodes == 2)) && echo "    two_node: 1"
        echo "}"
        echo "logging {"
        echo "    to_stderr: yes"
        echo "    to_syslog: no"
        echo "    to_logfile: no"
        echo "    timestamp: on"
        echo "}"
        echo "system {"
        echo "    state_dir: $dir/node$n/state"
        echo "}"
    }
}

# --- runs as PID 1 of the cluster's PID namespace -------------------------
top_main() { # DIR NODES
    local dir=$1 nodes=$2 n holder
    trap '' INT TERM HUP
    mount -t tmpfs -o mode=0755 tmpfs /run
    mount -t tmpfs -o mode=1777 tmpfs /dev/shm
    ip link set lo up
    ip link add "$BRIDGE" type bridge
    ip link set "$BRIDGE" up
    for ((n = 1; n <= nodes; n++)); do
        rm -f "$dir/node$n/holder.ready"
        # shellcheck disable=SC2016 # expanded by the inner bash
        unshare --net --mount --uts --ipc --propagation private \
            bash -c 'set -e
                mount -t tmpfs -o mode=0755 tmpfs /run
                mount -t tmpfs -o mode=1777 tmpfs /dev/shm
                hostname "$1"
                ip link set lo up
                : > "$2"
                exec sleep infinity' holder "node$n" "$dir/node$n/holder.ready" \
            </dev/null >/dev/null 2>&1 &
        holder=$!
        while [[ ! -e $dir/node$n/holder.ready ]]; do
            kill -0 "$holder" 2>/dev/null || { echo "top: node$n holder died" >&2; exit 1; }
            sleep 0.02
        done
        ip link add "rgv$n" type veth peer name eth0 netns "$holder"
        ip link set "rgv$n" master "$BRIDGE" up
        nsenter -t "$holder" --net ip addr add "$SUBNET.$n/24" dev eth0
        nsenter -t "$holder" --net ip link set eth0 up
        echo "$holder" > "$dir/node$n/holder.pid"
    done
    for ((n = 1; n <= nodes; n++)); do
        start_corosync_inside "$dir" "$n"
    done
    : > "$dir/top.ready"
    # PID 1 must keep reaping orphans (bash reaps every child it is sent).
    while :; do sleep 3600 & wait $! || true; done
}

start_corosync_inside() { # DIR N (inside the top)
    local dir=$1 n=$2 holder pid
    holder=$(<"$dir/node$n/holder.pid")
    mkdir -p "$dir/node$n/state"
    nsenter -t "$holder" --net --mount --uts --ipc -- \
        corosync -f -c "$dir/node$n/corosync.conf" </dev/null >>"$dir/node$n/corosync.log" 2>&1 &
    pid=$!
    echo "$pid" > "$dir/node$n/corosync.pid"
}

# --- host side --------------------------------------------------------------
watch_main() { # DIR NODES OWNER
    local dir=$1 nodes=$2 owner=$3 upid top="" i
    unshare --pid --fork --kill-child --mount-proc --net --mount --uts --ipc \
        --propagation private -- "$SELF" _top "$dir" "$nodes" </dev/null >>"$dir/top.log" 2>&1 &
    upid=$!
    for ((i = 0; i < 500; i++)); do
        top=$(cat "/proc/$upid/task/$upid/children" 2>/dev/null || true)
        top=${top%% *}
        [[ -n $top ]] && break
        sleep 0.01
    done
    if [[ -z $top ]]; then kill -KILL "$upid" 2>/dev/null; wait "$upid" 2>/dev/null; exit 1; fi
    echo "$top" > "$dir/top.pid"
    while kill -0 "$upid" 2>/dev/null; do
        if ! kill -0 "$owner" 2>/dev/null; then
            echo "watcher: owner $owner is gone: tearing the cluster down" >&2
            kill -KILL "$top" 2>/dev/null || true
        fi
        sleep 0.5
    done
    wait "$upid" 2>/dev/null || true
    # nobody is left to read DIR when its owner is gone: remove it too
    kill -0 "$owner" 2>/dev/null || rm -rf -- "$dir"
}

need_dir() { [[ -n ${1:-} && -e $1/top.pid ]] || die "no cluster in '${1:-}'"; }

top_pid() { cat "$1/top.pid"; }

in_top() { # DIR CMD... : run in the top's pid, mount and net namespaces
    local dir=$1; shift
    nsenter -t "$(top_pid "$dir")" --pid --mount --net --wd="$PWD" -- "$@"
}

in_node() { # DIR N CMD...
    local dir=$1 n=$2; shift 2
    [[ -e $dir/node$n/holder.pid ]] || die "no node $n in $dir"
    in_top "$dir" nsenter -t "$(<"$dir/node$n/holder.pid")" --net --mount --uts --ipc --wd="$PWD" -- "$@"
}

nodes_of() { cat "$1/nodes"; }

corosync_running() { # DIR N
    local pid
    pid=$(cat "$1/node$2/corosync.pid" 2>/dev/null) || return 1
    in_top "$1" kill -0 "$pid" 2>/dev/null
}

cmd_start() {
    local dir="" nodes=1 token=1000 owner=$PPID wait=1 n i
    while (($#)); do
        case $1 in
            --nodes) nodes=$2; shift 2 ;;
            --token) token=$2; shift 2 ;;
            --owner) owner=$2; shift 2 ;;
            --no-wait) wait=0; shift ;;
            -*) die "start: unknown option $1" ;;
            *) [[ -z $dir ]] || die "start: one DIR only"; dir=$1; shift ;;
        esac
    done
    [[ -n $dir ]] || die "start: DIR missing"
    [[ $nodes =~ ^[1-8]$ ]] || die "start: --nodes must be 1..8"
    mkdir -p "$dir"
    dir=$(readlink -f "$dir")
    case $dir/ in /run/* | /dev/shm/*) die "start: DIR must not be under /run or /dev/shm" ;; esac
    [[ -z $(ls -A "$dir") ]] || die "start: $dir is not empty"
    echo "$nodes" > "$dir/nodes"
    echo "$owner" > "$dir/owner"
    for ((n = 1; n <= nodes; n++)); do
        mkdir -p "$dir/node$n/state"
        node_conf "$dir" "$nodes" "$token" "$n" > "$dir/node$n/corosync.conf"
    done
    setsid "$SELF" _watch "$dir" "$nodes" "$owner" </dev/null >>"$dir/watch.log" 2>&1 &
    echo "$!" > "$dir/watch.pid"
    for ((i = 0; i < 500; i++)); do
        [[ -e $dir/top.ready ]] && break
        kill -0 "$(<"$dir/watch.pid")" 2>/dev/null || { cat "$dir"/*.log >&2; die "start: the cluster did not come up"; }
        sleep 0.02
    done
    [[ -e $dir/top.ready ]] || { cmd_stop "$dir" --keep; die "start: the cluster did not come up in 10 s"; }
    if ((wait)); then
        cmd_wait "$dir" || { cmd_stop "$dir" --keep; die "start: membership did not form (logs kept in $dir)"; }
    fi
}

# Prints the nodeids this node's corosync has in its membership, one a line.
members_of() { # DIR N
    in_node "$1" "$2" corosync-quorumtool -l -p 2>/dev/null | awk '$1 ~ /^[0-9]+$/ && $2 ~ /^[0-9]+$/ {print $1}' | sort -n
}

cmd_wait() {
    local dir="" timeout=30 n deadline want got ok
    while (($#)); do
        case $1 in
            --timeout) timeout=$2; shift 2 ;;
            *) dir=$1; shift ;;
        esac
    done
    need_dir "$dir"
    deadline=$((SECONDS + timeout))
    while ((SECONDS < deadline)); do
        want=""
        for ((n = 1; n <= $(nodes_of "$dir"); n++)); do
            corosync_running "$dir" "$n" && [[ $(cat "$dir/node$n/link" 2>/dev/null || echo up) == up ]] && want+="$n"$'\n'
        done
        ok=1
        for n in $want; do
            got=$(members_of "$dir" "$n" || true)
            [[ $got$'\n' == "$want" ]] || { ok=0; break; }
            # CPG answers too (the service our daemons use)
            in_node "$dir" "$n" corosync-cpgtool >/dev/null 2>&1 || { ok=0; break; }
        done
        ((ok)) && return 0
        sleep 0.2
    done
    echo "cluster.sh: wait: membership not formed after ${timeout}s (want: ${want//$'\n'/ })" >&2
    return 1
}

cmd_corosync() { # DIR N stop|start
    local dir=$1 n=$2 what=$3 pid i
    need_dir "$dir"
    case $what in
        stop)
            pid=$(cat "$dir/node$n/corosync.pid")
            in_top "$dir" kill -TERM "$pid" 2>/dev/null || return 0
            for ((i = 0; i < 150; i++)); do
                in_top "$dir" kill -0 "$pid" 2>/dev/null || return 0
                sleep 0.1
            done
            in_top "$dir" kill -KILL "$pid" 2>/dev/null || true
            ;;
        start)
            corosync_running "$dir" "$n" && die "corosync of node $n already runs"
            in_top "$dir" "$SELF" _start_corosync "$dir" "$n"
            ;;
        *) die "corosync: stop or start" ;;
    esac
}

cmd_link() { # DIR N down|up
    local dir=$1 n=$2 what=$3
    need_dir "$dir"
    [[ $what == up || $what == down ]] || die "link: up or down"
    in_top "$dir" ip link set "rgv$n" "$what"
    echo "$what" > "$dir/node$n/link"
}

cmd_info() {
    local dir=$1 n
    need_dir "$dir"
    echo "DIR=$dir"
    echo "NODES=$(nodes_of "$dir")"
    echo "TOP_PID=$(top_pid "$dir")"
    for ((n = 1; n <= $(nodes_of "$dir"); n++)); do
        echo "NODE${n}_ADDR=$SUBNET.$n"
        echo "NODE${n}_HOLDER=$(cat "$dir/node$n/holder.pid")"
        echo "NODE${n}_COROSYNC=$(cat "$dir/node$n/corosync.pid")"
    done
}

cmd_stop() {
    local dir=${1:-} keep=0 top watch i
    [[ ${2:-} == --keep ]] && keep=1
    [[ -n $dir && -d $dir ]] || return 0
    dir=$(readlink -f "$dir")
    top=$(cat "$dir/top.pid" 2>/dev/null || true)
    watch=$(cat "$dir/watch.pid" 2>/dev/null || true)
    if [[ -n $top ]]; then kill -KILL "$top" 2>/dev/null || true; fi
    if [[ -n $watch ]]; then
        for ((i = 0; i < 200; i++)); do
            kill -0 "$watch" 2>/dev/null || break
            # no top yet (start failed early): the watcher's unshare is the one to kill
            [[ -z $top ]] && pkill -KILL -P "$watch" 2>/dev/null
            sleep 0.05
        done
        kill -0 "$watch" 2>/dev/null && { echo "cluster.sh: stop: watcher $watch still there" >&2; return 1; }
    fi
    ((keep)) || rm -rf -- "$dir"
}

cmd=${1:-}; shift || true
case $cmd in
    start) cmd_start "$@" ;;
    wait) cmd_wait "$@" ;;
    exec)
        dir=${1:-}; n=${2:-}; shift 2 || die "exec DIR NODE CMD..."
        [[ ${1:-} == -- ]] && shift
        need_dir "$dir"; in_node "$dir" "$n" "$@" ;;
    top)
        dir=${1:-}; shift || die "top DIR CMD..."
        [[ ${1:-} == -- ]] && shift
        need_dir "$dir"; in_top "$dir" "$@" ;;
    corosync) cmd_corosync "$@" ;;
    link) cmd_link "$@" ;;
    info) cmd_info "$@" ;;
    stop) cmd_stop "$@" ;;
    _watch) watch_main "$@" ;;
    _top) top_main "$@" ;;
    _start_corosync) start_corosync_inside "$@" ;;
    *) sed -n '2,/^set -euo/p' "$SELF" | sed '$d; s/^# \{0,1\}//' >&2; exit 2 ;;
esac
