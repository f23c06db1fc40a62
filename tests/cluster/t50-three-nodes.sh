#!/usr/bin/env bash
# Three nodes, one daemon each (group rgd):
#  A. node 2's incumbent SIGKILLed while a forced rival remains: RIVAL_LEFT
#     with incumbent=1, node 2 stays online; then the rival leaves: NODE_LEFT.
#  B. rivals churn on node 2 (joins, leaves, SIGTERM, SIGKILL, and its daemon
#     killed and restarted while rivals remain): nodes 1 and 3 never mark
#     node 2 offline.
#  C. node 3's link cut: nodes 1 and 2 see NODE_LEFT for node 3 (nodedown)
#     exactly once and RIVAL_LEFT for its other processes; link restored:
#     NODE_JOINED once. Every table equals corosync's view at the end.
# shellcheck source=tests/cluster/lib.sh
. "$(dirname "$0")/lib.sh"
cluster_up 3

start_daemon d1 1 --name rgd
start_daemon d2 2 --name rgd
start_daemon d3 3 --name rgd
for d in d1 d2 d3; do wait_online "$d" 3; done
ok "three daemons, each sees three nodes online"
p2=$(daemon_pid d2); p3=$(daemon_pid d3)

say "A. node 2's incumbent killed while a rival remains"
start_daemon d2b 2 --name rgd --no-startup-check
p2b=$(daemon_pid d2b)
for d in d1 d3; do
    wait_line "$d" "^event seq=[0-9]+ kind=RIVAL_JOINED nodeid=2 pid=$p2b reason=join other_pid=$p2 local=0 incumbent=0\$"
done
ok "nodes 1 and 3: RIVAL_JOINED on node 2 (incumbent $p2)"
mark d1 d3 d2b
kill_in KILL "$p2"
for d in d1 d3; do
    wait_since "$d" "^event seq=[0-9]+ kind=RIVAL_LEFT nodeid=2 pid=$p2 reason=procdown other_pid=$p2b local=0 incumbent=1\$"
done
ok "nodes 1 and 3: RIVAL_LEFT for $p2 with incumbent=1, $p2b now carries node 2"
wait_since d2b "^event seq=[0-9]+ kind=RIVAL_LEFT nodeid=2 pid=$p2 reason=procdown other_pid=$p2b local=1 incumbent=1\$"
ok "the rival itself: local RIVAL_LEFT of the incumbent"
for d in d1 d3; do
    t=$(table_until "$d" 'match=yes')
    grep -Eq "^peer nodeid=2 state=online node_joined=1 node_left=0 .* pids=$p2b\$" <<<"$t" || fail "$d: $t"
    expect_since "$d" '^peer nodeid=2 state=offline' 0 "$d: node 2 stayed online"
done
mark d1 d3
kill_in TERM "$p2b"
for d in d1 d3; do
    wait_since "$d" "^event seq=[0-9]+ kind=NODE_LEFT nodeid=2 pid=$p2b reason=leave other_pid=0 local=0 incumbent=1\$"
    wait_since "$d" '^peer nodeid=2 state=offline$'
    expect_since "$d" '^event .*kind=NODE_LEFT' 1 "$d: the rival's leave, node 2's last process: NODE_LEFT once"
    t=$(table_until "$d" 'match=yes')
    grep -Eq "^peer nodeid=2 state=offline node_joined=1 node_left=1 .* pids=\$" <<<"$t" || fail "$d: $t"
done
ok "node 2 offline on nodes 1 and 3"

say "B. rival churn on node 2"
start_daemon d2 2 --name rgd
p2=$(daemon_pid d2)
for d in d1 d3; do wait_line "$d" "kind=NODE_JOINED nodeid=2 pid=$p2 reason=join"; done
mark d1 d3
rivals=()
ops=0
RANDOM=42
for ((i = 0; i < 40; i++)); do
    r=$((RANDOM % 4))
    if ((r == 0 || ${#rivals[@]} < 2)); then
        start_rival "r2_$i" 2 rgd
        rivals+=("r2_$i")
    else
        k=$((RANDOM % ${#rivals[@]}))
        name=${rivals[$k]}
        pid=$(daemon_pid "$name")
        case $r in
            1) kill_in KILL "$pid" ;;
            2) kill_in USR1 "$pid" ;; # cpg_leave
            3) kill_in TERM "$pid" ;;
        esac
        wait_exit "$name"
        rivals=("${rivals[@]:0:k}" "${rivals[@]:k+1}")
    fi
    ops=$((ops + 1))
    if ((i == 20)); then # the daemon itself dies while rivals remain, and comes back
        kill_in KILL "$p2"
        wait_exit d2
        start_daemon d2 2 --name rgd
        p2=$(daemon_pid d2)
        wait_line d2 "^event seq=1 kind=RIVAL_JOINED nodeid=2 pid=$p2 reason=join other_pid=[0-9]+ local=1 incumbent=0\$"
        ok "node 2's restarted daemon sees itself as a newcomer behind the rivals"
        ops=$((ops + 2))
    fi
done
for d in d1 d3; do
    t=$(table_until "$d" 'match=yes')
    grep -Eq '^peer nodeid=2 state=online ' <<<"$t" || fail "$d: $t"
    expect_since "$d" '^peer nodeid=2 state=offline' 0 "$d: node 2 never marked offline during $ops churn operations"
    expect_since "$d" '^event .*kind=NODE_(LEFT|JOINED) nodeid=2 ' 0 "$d: no NODE_* event for node 2 at all"
    [[ $(count_since "$d" '^event .*kind=RIVAL_(JOINED|LEFT) nodeid=2 ') -ge 40 ]] || fail "$d: too few RIVAL events"
    ok "$d: every churn step was a RIVAL_* event"
done
for name in "${rivals[@]}"; do kill_in KILL "$(daemon_pid "$name")"; wait_exit "$name"; done

say "C. node 3's link cut and restored"
start_rival r3a 3 rgd
start_rival r3b 3 rgd
pa=$(daemon_pid r3a); pb=$(daemon_pid r3b)
for d in d1 d2; do table_until "$d" "^peer nodeid=3 state=online .* pids=$p3,$pa,$pb\$" >/dev/null; done
mark d1 d2 d3
"$CL_SH" link "$CL" 3 down
for d in d1 d2; do
    wait_since "$d" '^peer nodeid=3 state=offline$' 30
done
sleep 2 # anything more would have arrived by now
for d in d1 d2; do
    expect_since "$d" "^event .*kind=NODE_LEFT nodeid=3 pid=$p3 reason=nodedown other_pid=0 local=0 incumbent=1\$" 1 \
        "$d: NODE_LEFT for node 3 (nodedown), once"
    expect_since "$d" '^event .*kind=NODE_LEFT ' 1 "$d: no other NODE_LEFT"
    expect_since "$d" "^event .*kind=RIVAL_LEFT nodeid=3 pid=($pa|$pb) reason=nodedown other_pid=[0-9]+ local=0 incumbent=0\$" 2 \
        "$d: RIVAL_LEFT for node 3's two other processes"
    t=$(table_until "$d" 'match=yes')
    grep -Eq "^peer nodeid=3 state=offline .* pids=\$" <<<"$t" || fail "$d: $t"
done
wait_since d3 '^peer nodeid=1 state=offline$' 30
wait_since d3 '^peer nodeid=2 state=offline$' 30
ok "node 3 sees nodes 1 and 2 go"
mark d1 d2 d3
"$CL_SH" link "$CL" 3 up
for d in d1 d2; do
    wait_since "$d" '^peer nodeid=3 state=online$' 30
done
"$CL_SH" wait "$CL"
sleep 2
for d in d1 d2; do
    expect_since "$d" "^event .*kind=NODE_JOINED nodeid=3 " 1 "$d: NODE_JOINED for node 3, once"
    expect_since "$d" "^event .*kind=RIVAL_JOINED nodeid=3 pid=($pa|$pb) " 2 "$d: RIVAL_JOINED for node 3's others"
    expect_since "$d" '^event .*kind=NODE_(LEFT|JOINED) nodeid=[12] ' 0 "$d: nodes 1 and 2 untouched"
done
for d in d1 d2 d3; do wait_online "$d" 3; done
ok "after the merge every daemon's table equals corosync's view, three nodes online"
finish
