#!/usr/bin/env bash
# EVICTED: a daemon whose own (nodeid, pid) disappears from the group (here:
# it leaves CPG on a test signal while another process of its node stays)
# is told EVICTED, after its own LEFT event, and exits (105); the other
# process sees a plain RIVAL_LEFT and the node stays online.
# shellcheck source=tests/cluster/lib.sh
. "$(dirname "$0")/lib.sh"
cluster_up 1

start_daemon a 1 --name rgd
pa=$(daemon_pid a)
start_daemon b 1 --name rgd --no-startup-check
pb=$(daemon_pid b)
wait_line a "kind=RIVAL_JOINED nodeid=1 pid=$pb "
kill_in USR2 "$pa"
wait_exit a; rc=$RC
[[ $rc == 105 ]] || fail "evicted daemon exited $rc, expected 105"
ok "the daemon that lost its place in the group exited 105"
wait_line a "^event seq=3 kind=EVICTED nodeid=1 pid=$pa reason=undefined other_pid=$pb local=1 incumbent=0\$"
ok "its last confchg: EVICTED for its own pid, naming $pb as the node's incumbent now"
grep -En '^event seq=3 ' "$(log_of a)" | tail -1 | grep -q 'kind=EVICTED' || fail "EVICTED is not the last event"
expect_count a "^event seq=3 kind=RIVAL_LEFT nodeid=1 pid=$pa reason=leave other_pid=$pb local=1 incumbent=1\$" 1 \
    "its own departure comes first, as the incumbent's RIVAL_LEFT (pid $pb remains)"
expect_count a '^exit code=105 reason=evicted$' 1 "it said why"
wait_line b "^event seq=[0-9]+ kind=RIVAL_LEFT nodeid=1 pid=$pa reason=leave other_pid=$pb local=1 incumbent=1\$"
t=$(table_until b 'match=yes')
grep -qx "peer nodeid=1 state=online node_joined=1 node_left=0 rival_joined=1 rival_left=1 pids=$pb" <<<"$t" || fail "b: $t"
ok "the remaining process: RIVAL_LEFT of the old incumbent, node 1 online, table = corosync"
finish
