#!/usr/bin/env bash
# Debian's real Pacemaker 2.1.5 on a private single-node corosync, in its own
# namespaces (net, mount, uts, ipc, pid), for tests and demos. Needs root.
#
#   pacemaker-ns.sh up DIR          boot the namespaces and corosync (node1, nodeid 1);
#                                   prints the host pid of the namespace's PID 1
#   pacemaker-ns.sh prepare DIR     only write DIR's files (what `up` does first)
#   pacemaker-ns.sh pacemaker DIR   start pacemakerd inside (in the background)
#   pacemaker-ns.sh ready DIR [S]   wait until the DC is idle (crmadmin: S_IDLE), S seconds at most
#   pacemaker-ns.sh enter DIR CMD…  run CMD inside every namespace (nsenter)
#   pacemaker-ns.sh down DIR        kill the namespace's PID 1: every process inside dies
#
# DIR is a fresh directory of the caller's. Inside the namespaces /run and
# /dev/shm are tmpfs, DIR/lib is bind-mounted over /var/lib/pacemaker and
# DIR/log over /var/log/pacemaker, with mount propagation private: nothing of
# the host's /run, /dev/shm, /var/lib/pacemaker or /var/log/pacemaker changes.
# The CIB is seeded with dc-deadtime=1s and stonith-enabled=false, so the DC
# is idle about 4 s after pacemakerd starts. Pacemaker logs to DIR/log/pacemaker.log,
# pacemakerd's own stdout/stderr go to DIR/pacemakerd.out, corosync's to DIR/corosync.out.
set -euo pipefail

die() { echo "pacemaker-ns: $*" >&2; exit 1; }

ns_pid() {
    local dir=$1
    [[ -s $dir/ns.pid ]] || die "$dir/ns.pid: no namespace booted there"
    cat "$dir/ns.pid"
}

enter() {
    local dir=$1; shift
    exec nsenter --target "$(ns_pid "$dir")" --net --mount --uts --ipc --pid -- "$@"
}

# Runs as PID 1 of the new pid namespace. With --lifeline, PID 1 exits
# (and the kernel kills every process of the namespace) when its stdin
# reaches end-of-file: the test process holds the other end of that pipe,
# so the namespace dies with it even when it is SIGKILLed.
inner() {
    local dir=$1 lifeline=${2:-}
    ip link set lo up
    hostname node1
    mount -t tmpfs -o mode=0755 tmpfs /run
    mount -t tmpfs -o mode=1777 tmpfs /dev/shm
    mount --bind "$dir/lib" /var/lib/pacemaker
    mount --bind "$dir/log" /var/log/pacemaker
    corosync -f -c "$dir/corosync.conf" >"$dir/corosync.out" 2>&1 &
    local i
    for ((i = 0; i < 100; i++)); do
        if corosync-cpgtool >/dev/null 2>&1; then
            : >"$dir/corosync.ready"
            break
        fi
        sleep 0.05
    done
    [[ -e $dir/corosync.ready ]] || { echo "corosync did not answer in 5 s" >"$dir/corosync.failed"; exit 1; }
    if [[ $lifeline == --lifeline ]]; then
        exec 3<&0
        cat <&3 >/dev/null &
        wait $! || true
        exit 0
    fi
    # PID 1 stays: it reaps the orphans until the namespace is killed.
    while :; do wait || sleep 1; done
}

prepare() {
    local dir=$1
    [[ $(id -u) == 0 ]] || die "needs root"
    [[ -d $dir ]] || die "$dir: not a directory"
    dir=$(cd "$dir" && pwd)
    local user=hacluster group
    group=$(id -gn "$user") || die "user $user missing: apt-get install pacemaker"
    mkdir -p "$dir/lib" "$dir/log" "$dir/corosync"
    for sub in cib pengine blackbox cores; do
        install -d -o "$user" -g "$group" -m 0750 "$dir/lib/$sub"
    done
    chown "$user:$group" "$dir/log"
    chmod 0770 "$dir/log"
    cat >"$dir/lib/cib/cib.xml" <<'EOF'
<cib crm_feature_set="3.16.1" validate-with="pacemaker-3.9" epoch="1" num_updates="0" admin_epoch="0">
  <configuration>
    <crm_config>
      <cluster_property_set id="cib-bootstrap-options">
        <nvpair id="cib-bootstrap-options-dc-deadtime" name="dc-deadtime" value="1s"/>
        <nvpair id="cib-bootstrap-options-stonith-enabled" name="stonith-enabled" value="false"/>
      </cluster_property_set>
    </crm_config>
    <nodes/>
    <resources/>
    <constraints/>
  </configuration>
  <status/>
</cib>
EOF
    chown "$user:$group" "$dir/lib/cib/cib.xml"
    chmod 0600 "$dir/lib/cib/cib.xml"
    cat >"$dir/corosync.conf" <<EOF
totem {
    version: 2
    cluster_name: rivalguard
    crypto_cipher: none
    crypto_hash: none
}
nodelist {
    node {
        nodeid: 1
        name: node1
        ring0_addr: 127.0.0.1
    }
}
quorum {
    provider: corosync_votequorum
}
logging {
    to_stderr: yes
    to_syslog: no
    to_logfile: no
}
system {
    state_dir: $dir/corosync
}
EOF
    rm -f "$dir/ns.pid" "$dir/corosync.ready" "$dir/corosync.failed"
}

up() {
    local dir=$1
    prepare "$dir"
    dir=$(cd "$dir" && pwd)
    setsid unshare --net --mount --uts --ipc --pid --fork --mount-proc --propagation private \
        "$0" inner "$dir" </dev/null >"$dir/ns.out" 2>&1 &
    local unshare_pid=$! pid1="" i
    for ((i = 0; i < 100; i++)); do
        pid1=$(cat "/proc/$unshare_pid/task/$unshare_pid/children" 2>/dev/null || true)
        pid1=${pid1%% *}
        [[ -n $pid1 ]] && break
        sleep 0.02
    done
    [[ -n $pid1 ]] || die "unshare did not fork (see $dir/ns.out)"
    echo "$pid1" >"$dir/ns.pid"
    for ((i = 0; i < 200; i++)); do
        [[ -e $dir/corosync.ready ]] && { echo "$pid1"; return 0; }
        if [[ -e $dir/corosync.failed ]] || ! kill -0 "$pid1" 2>/dev/null; then
            kill -KILL "$pid1" 2>/dev/null || true
            die "corosync did not start (see $dir/corosync.out, $dir/ns.out)"
        fi
        sleep 0.05
    done
    kill -KILL "$pid1" 2>/dev/null || true
    die "corosync not ready after 10 s"
}

pacemaker() {
    local dir=$1
    ns_pid "$dir" >/dev/null
    # pacemakerd stays in the foreground; nsenter (on the host) waits for it.
    setsid nsenter --target "$(ns_pid "$dir")" --net --mount --uts --ipc --pid -- \
        env PCMK_logfacility=none PCMK_logfile=/var/log/pacemaker/pacemaker.log \
        /usr/sbin/pacemakerd </dev/null >"$dir/pacemakerd.out" 2>&1 &
}

ready() {
    local dir=$1 seconds=${2:-30} deadline
    deadline=$((SECONDS + seconds))
    while ((SECONDS < deadline)); do
        if nsenter --target "$(ns_pid "$dir")" --net --mount --uts --ipc --pid -- \
            crmadmin -S node1 -t 1s 2>/dev/null | grep -q S_IDLE; then
            return 0
        fi
        sleep 0.2
    done
    die "the DC is not idle after $seconds s (see $dir/log/pacemaker.log)"
}

down() {
    local dir=$1 pid
    [[ -s $dir/ns.pid ]] || return 0
    pid=$(cat "$dir/ns.pid")
    kill -KILL "$pid" 2>/dev/null || true
    for ((i = 0; i < 100; i++)); do
        kill -0 "$pid" 2>/dev/null || break
        sleep 0.02
    done
    rm -f "$dir/ns.pid"
}

cmd=${1:-}
[[ -n $cmd ]] && shift || true
case $cmd in
    up) [[ $# == 1 ]] || die "usage: $0 up DIR"; up "$1" ;;
    prepare) [[ $# == 1 ]] || die "usage: $0 prepare DIR"; prepare "$1" ;;
    pacemaker) [[ $# == 1 ]] || die "usage: $0 pacemaker DIR"; pacemaker "$1" ;;
    ready) [[ $# -ge 1 ]] || die "usage: $0 ready DIR [SECONDS]"; ready "$@" ;;
    enter) [[ $# -ge 2 ]] || die "usage: $0 enter DIR CMD..."; enter "$@" ;;
    down) [[ $# == 1 ]] || die "usage: $0 down DIR"; down "$1" ;;
    inner) inner "$@" ;;
    *) sed -n '2,20s/^# \{0,1\}//p' "$0"; [[ $cmd == -h || $cmd == --help ]] ;;
esac
