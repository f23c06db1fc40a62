#!/usr/bin/env bash
# The rivalguard demo (`make demo`, as root): a private one-node corosync,
# a Pacemaker-style daemon (build/cluster/rg-peerd) that uses rivalguard at
# start-up and in its CPG callback, and the three kinds of trouble it is
# for: a second instance, a rival that gets in anyway, a squatter on the
# daemon's IPC endpoint. It says what rivalguard decided at each step and
# why, then removes everything it started. `make demo` builds first.
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
BIN=$(cd "${CLUSTER_BIN:-$ROOT/build/cluster}" && pwd)
CL_SH=$ROOT/scripts/cluster.sh
NAME=attrd-demo   # the daemon's IPC endpoint and CPG group
[[ $(id -u) -eq 0 ]] || { echo "demo: run it as root (it starts a private corosync)" >&2; exit 1; }
for p in rg-peerd rg-rival rg-squat rg-peerctl; do
    [[ -x $BIN/$p ]] || { echo "demo: $BIN/$p missing: run 'make demo'" >&2; exit 1; }
done

WORK=$(mktemp -d /tmp/rg-demo.XXXXXX)
CL=$WORK  # the cluster directory holds the logs too: one thing to remove
BG=()
cleanup() {
    local rc=$?
    trap - EXIT INT TERM HUP
    "$CL_SH" stop "$CL" >/dev/null 2>&1 || true
    local p
    for p in "${BG[@]}"; do wait "$p" 2>/dev/null || true; done
    rm -rf -- "$WORK"
    ((rc == 0)) || echo "demo: stopped early (exit $rc); everything it started is gone." >&2
    exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT TERM HUP

T0=$SECONDS
bold=$'\e[1m'; dim=$'\e[2m'; off=$'\e[0m'
[[ -t 1 ]] || { bold=; dim=; off=; }
step() { printf '\n%s== %s%s\n' "$bold" "$*" "$off"; }
tell() { printf '   %s\n' "$@"; }
show() { sed 's/^/   | /' | sed "s/^/$dim/; s/\$/$off/"; }

in_node() { "$CL_SH" exec "$CL" 1 -- "$@"; }
spawn() { # LOGNAME CMD...
    local log=$WORK/$1.log; shift
    "$CL_SH" exec "$CL" 1 -- "$@" >"$log" 2>&1 &
    BG+=($!)
    LAST_BG=$!
}
wait_line() { # LOGNAME REGEX
    local i
    for ((i = 0; i < 400; i++)); do
        grep -Eq -- "$2" "$WORK/$1.log" 2>/dev/null && return 0
        sleep 0.05
    done
    echo "demo: gave up waiting for '$2' in $1's log:" >&2
    cat "$WORK/$1.log" >&2
    exit 1
}
field() { # LOGNAME LINE-REGEX KEY: KEY's value on the first matching line
    grep -Em1 -- "$2" "$WORK/$1.log" | tr ' ' '\n' | sed -n "s/^$3=//p"
}
events() { grep -E '^(event|startup|exit|peer)' "$WORK/$1.log" | grep -v '^peer' | show; }

step "1. A private corosync"
tell "A one-node corosync cluster starts in its own network and mount namespaces" \
     "(scripts/cluster.sh): nothing on this machine's network or files is touched."
"$CL_SH" start "$CL" --nodes 1 --owner $$
tell "corosync is up and node 1 has formed its membership."

step "2. The daemon starts"
tell "rg-peerd is shaped like a Pacemaker daemon (attrd): before joining the cluster" \
     "it asks rivalguard whether its IPC endpoint '$NAME' is already served."
spawn daemon "$BIN/rg-peerd" --name "$NAME"
wait_line daemon '^event seq=1 '
D=$(field daemon '^start ' pid)
events daemon
tell "rivalguard: nobody listens on '$NAME', so PROCEED. The daemon (pid $D) serves" \
     "its endpoint, joins the CPG group '$NAME', and the tracker reports node 1's" \
     "first process: NODE_JOINED, so node 1 is online in its peer table."

step "3. Someone starts it a second time"
spawn second "$BIN/rg-peerd" --name "$NAME"
S=$LAST_BG
rc=0; wait "$S" || rc=$?
events second
HP=$(field second '^startup ' holder_pid); HU=$(field second '^startup ' holder_uid)
tell "rivalguard connected to '$NAME' the way a libqb client would, but without the" \
     "libqb handshake, and asked the kernel who is on the other end: pid $HP, uid $HU." \
     "uid 0 is an authentic owner, so the verdict is ALREADY_ACTIVE: the second copy" \
     "exits quietly with status $rc and never joins the cluster. The first daemon saw" \
     "no membership change besides its own join:"
[[ $rc == 0 && $HP == "$D" ]] || { echo "demo: unexpected result" >&2; exit 1; }
grep -c '^confchg ' "$WORK/daemon.log" | sed 's/^/membership changes seen by the daemon so far: /' | show

step "4. A rival gets in anyway"
tell "Now a copy that skips the check (--no-startup-check): what happens in a race," \
     "or when the first daemon is too busy to answer. It joins the same CPG group."
spawn rival "$BIN/rg-peerd" --name "$NAME" --no-startup-check
wait_line rival '^event seq=1 '
R=$(field rival '^start ' pid)
wait_line daemon "kind=RIVAL_JOINED nodeid=1 pid=$R "
tell "What the first daemon (pid $D) was told:"
grep -E "^event .*pid=$R " "$WORK/daemon.log" | show
tell "What the newcomer (pid $R) was told about itself and the node:"
grep -E '^event ' "$WORK/rival.log" | show
tell "rivalguard tracks every process by (node, pid), not just by node. Node 1" \
     "already had a process, pid $D (its incumbent, the longest-standing one), so pid" \
     "$R is a RIVAL: node 1 does not 'join' again, and the newcomer learns that it is" \
     "the rival (RIVAL_JOINED with its own pid, local=1) and can step down."
tell "" "The rival is killed with SIGKILL:"
in_node kill -KILL "$R"
wait_line daemon "kind=RIVAL_LEFT nodeid=1 pid=$R "
grep -E "^event .*kind=RIVAL_LEFT .*pid=$R " "$WORK/daemon.log" | show
tell "rivalguard knows exactly who left: pid $R, not the incumbent (incumbent=0);" \
     "pid $D still carries node 1 (other_pid=$D). So RIVAL_LEFT, not NODE_LEFT: the" \
     "peer stays online. The daemon's peer table, asked over its libqb IPC endpoint," \
     "next to corosync's own view of the group:"
in_node "$BIN/rg-peerctl" "$NAME" | grep -E '^(peer|cpg|match)' | show
tell "(Pacemaker today compares node ids only; its own source leaves 'track CPG" \
     "members' PIDs so we can tell exactly who left' as a TODO. This is that.)"

step "5. A squatter takes the endpoint"
in_node kill -TERM "$D"
wait_line daemon '^exit '
tell "The daemon is stopped (it left the group cleanly). Before it comes back, an" \
     "unprivileged process (uid 65534, 'nobody') binds the endpoint name '$NAME' --" \
     "any user can bind any abstract socket name."
spawn squat setpriv --reuid=65534 --regid=65534 --clear-groups "$BIN/rg-squat" "$NAME"
wait_line squat '^squat listening'
Q=$(field squat '^squat ' pid)
grep '^squat' "$WORK/squat.log" | show
tell "The daemon starts again:"
spawn blocked "$BIN/rg-peerd" --name "$NAME"
B=$LAST_BG
rc=0; wait "$B" || rc=$?
events blocked
grep -v '^[a-z]* ' "$WORK/blocked.log" | grep -v '^lib ' | show || true
tell "The kernel says the endpoint is held by pid $Q, uid 65534: not root and not" \
     "the daemon's own user, so rivalguard says BLOCKED. The daemon refuses to start" \
     "and names the squatter, exit status $rc (Pacemaker's CRM_EX_CANTCREAT), instead" \
     "of hanging on it or serving clients next to an impostor. The squatter was not" \
     "disturbed: the check only connected and read its credentials."
[[ $rc == 73 && $(field blocked '^startup ' holder_pid) == "$Q" ]] || { echo "demo: unexpected result" >&2; exit 1; }

step "6. Clean-up"
"$CL_SH" stop "$CL"
for p in "${BG[@]}"; do wait "$p" 2>/dev/null || true; done
tell "corosync, the daemons, the rival and the squatter are gone with their namespaces;" \
     "nothing is left running and no file outside a temporary directory was written."
tell "" "Demo done in $((SECONDS - T0)) s."
