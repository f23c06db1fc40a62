# shellcheck shell=bash
# Helpers for the cluster scenario tests (sourced). Each test gets its own
# private cluster (scripts/cluster.sh) and scratch directory; both are torn
# down on exit, on failure and on interruption (traps), and the cluster
# also goes away by itself if the test is SIGKILLed (the harness watches its
# owner). Pids in logs are those of the cluster's PID namespace, the ones
# CPG reports; `kill_in` signals them from inside.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
CL_SH=$ROOT/scripts/cluster.sh
BIN=$(cd "${CLUSTER_BIN:-$ROOT/build/cluster}" && pwd)
TEST_NAME=$(basename "$0" .sh)
# The cluster's own directory holds the test's logs too, so that the
# harness's watcher removes them as well if the test is SIGKILLed.
T_DIR=$(mktemp -d "/tmp/rg-$TEST_NAME.XXXXXX")
CL=$T_DIR
BG_PIDS=()
ASSERTS=0

t_cleanup() {
    local rc=$?
    trap - EXIT INT TERM HUP
    if ((rc != 0)); then
        echo "--- $TEST_NAME failed (rc=$rc); logs:" >&2
        local f
        for f in "$T_DIR"/*.log; do
            [[ -e $f ]] || continue
            echo "----- $(basename "$f")" >&2
            grep -v "^dump file=" "$f" | tail -n 60 >&2
        done
        [[ -e $CL/node1/corosync.log ]] && { echo "----- corosync node1" >&2; tail -n 20 "$CL/node1/corosync.log" >&2; }
    fi
    "$CL_SH" stop "$CL" || true
    local p
    for p in "${BG_PIDS[@]}"; do wait "$p" 2>/dev/null || true; done
    rm -rf -- "$T_DIR"
    exit "$rc"
}
trap t_cleanup EXIT
trap 'exit 130' INT TERM HUP

say() { printf '[%s] %s\n' "$TEST_NAME" "$*"; }
fail() { echo "[$TEST_NAME] FAIL: $*" >&2; exit 1; }
ok() { ASSERTS=$((ASSERTS + 1)); printf '[%s]   ok: %s\n' "$TEST_NAME" "$*"; }

cluster_up() { # NODES
    "$CL_SH" start "$CL" --nodes "$1" --owner $$
}

in_node() { # N CMD...
    local n=$1; shift
    "$CL_SH" exec "$CL" "$n" -- "$@"
}

kill_in() { # SIG PID...
    "$CL_SH" top "$CL" kill "-$1" "${@:2}"
}

alive() { # PID (cluster pid)
    "$CL_SH" top "$CL" kill -0 "$1" 2>/dev/null
}

# spawn NAME NODE CMD...: starts CMD in node NODE in the background, output
# to $T_DIR/NAME.log; the host-side waiter's pid goes to BG[NAME].
declare -A BG=()
spawn() {
    local name=$1 n=$2; shift 2
    "$CL_SH" exec "$CL" "$n" -- "$@" >"$T_DIR/$name.log" 2>&1 &
    BG[$name]=$!
    BG_PIDS+=($!)
}

log_of() { echo "$T_DIR/$1.log"; }

# wait_line NAME REGEX [TIMEOUT_S]: until NAME's log has a line matching REGEX.
wait_line() {
    local f; f=$(log_of "$1")
    local deadline=$((SECONDS + ${3:-20}))
    until grep -Eq -- "$2" "$f" 2>/dev/null; do
        ((SECONDS < deadline)) || fail "timeout waiting in $1.log for: $2"
        sleep 0.05
    done
}

count() { # NAME REGEX
    grep -Ec -- "$2" "$(log_of "$1")" 2>/dev/null || true
}

# expect_count NAME REGEX N WHAT
expect_count() {
    local got; got=$(count "$1" "$2")
    [[ $got == "$3" ]] || fail "$4: expected $3 line(s) matching '$2' in $1.log, got $got"
    ok "$4"
}

# daemon_pid NAME: the cluster pid a rg-peerd/rg-rival/rg-squat printed.
daemon_pid() {
    wait_line "$1" '^(start|rival joined|squat listening) .*pid=[0-9]+'
    grep -Em1 '^(start|rival joined|squat listening) ' "$(log_of "$1")" | sed -E 's/.* pid=([0-9]+).*/\1/'
}

# start_daemon NAME NODE [ARGS...]: rg-peerd, waits until it is in the group.
start_daemon() {
    local name=$1 n=$2; shift 2
    spawn "$name" "$n" "$BIN/rg-peerd" --dump "$T_DIR/$name.table" "$@"
    wait_line "$name" '^event seq=1 '
}

start_rival() { # NAME NODE GROUP
    spawn "$1" "$2" "$BIN/rg-rival" "$3"
    wait_line "$1" '^rival joined'
}

# table NAME: the daemon's peer table (SIGUSR1 -> its --dump file).
table() {
    local name=$1 pid f; pid=$(daemon_pid "$name"); f=$T_DIR/$name.table
    rm -f "$f"
    kill_in USR1 "$pid"
    local deadline=$((SECONDS + 10))
    until [[ -s $f ]]; do
        ((SECONDS < deadline)) || fail "no peer table from $name"
        sleep 0.05
    done
    cat "$f"
}

# table_until NAME REGEX: the table once it matches REGEX (confchgs may
# still be in flight right after an action); fails after 20 s.
table_until() {
    local deadline=$((SECONDS + ${3:-20})) t
    while :; do
        t=$(table "$1")
        grep -Eq -- "$2" <<<"$t" && { printf '%s\n' "$t"; return 0; }
        ((SECONDS < deadline)) || { printf '%s\n' "$t" >&2; fail "$1's table never matched: $2"; }
        sleep 0.2
    done
}

# wait_exit NAME [TIMEOUT_S]: waits for a spawned process; its exit code
# goes to RC (not printed: `wait` works only in this shell, not in $(...)).
# shellcheck disable=SC2034 # read by the tests
RC=
wait_exit() {
    local pid=${BG[$1]} deadline=$((SECONDS + ${2:-20}))
    while kill -0 "$pid" 2>/dev/null; do
        ((SECONDS < deadline)) || fail "$1 did not exit"
        sleep 0.05
    done
    RC=0
    # shellcheck disable=SC2034
    wait "$pid" || RC=$?
}

finish() { say "passed ($ASSERTS assertions)"; }

# mark NAME...: remembers where NAME's log ends now; *_since look after it.
declare -A MARK=()
mark() {
    local n
    for n; do MARK[$n]=$(wc -l <"$(log_of "$n")"); done
}
since() { tail -n +$((${MARK[$1]:-0} + 1)) "$(log_of "$1")"; }
count_since() { since "$1" | grep -Ec -- "$2" || true; }
expect_since() { # NAME REGEX N WHAT
    local got; got=$(count_since "$1" "$2")
    [[ $got == "$3" ]] || fail "$4: expected $3 line(s) matching '$2' in $1.log since the mark, got $got"
    ok "$4"
}
wait_since() { # NAME REGEX [TIMEOUT_S]
    local deadline=$((SECONDS + ${3:-20}))
    until since "$1" | grep -Eq -- "$2"; do
        ((SECONDS < deadline)) || fail "timeout waiting in $1.log for: $2"
        sleep 0.05
    done
}

# wait_online NAME N: until NAME's table has N nodes online and equals
# corosync's view.
wait_online() {
    local deadline=$((SECONDS + ${3:-30})) t
    while :; do
        t=$(table "$1")
        [[ $(grep -c ' state=online ' <<<"$t") == "$2" ]] && grep -qx 'match=yes' <<<"$t" && return 0
        ((SECONDS < deadline)) || { printf '%s\n' "$t" >&2; fail "$1: never $2 nodes online"; }
        sleep 0.2
    done
}
