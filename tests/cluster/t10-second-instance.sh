#!/usr/bin/env bash
# A second instance started while the first runs: the start-up check finds
# the endpoint served by an authentic process (root), the daemon exits 0 and
# never joins CPG; the first instance sees no membership change at all.
# shellcheck source=tests/cluster/lib.sh
. "$(dirname "$0")/lib.sh"
cluster_up 1

start_daemon first 1 --name rgd
first=$(daemon_pid first)
wait_line first '^event seq=1 kind=NODE_JOINED nodeid=1 pid='"$first"' reason=join .*local=1'
ok "first instance joined its group as the node's incumbent"

spawn second 1 "$BIN/rg-peerd" --name rgd
wait_exit second; rc=$RC
[[ $rc == 0 ]] || fail "second instance exited $rc, expected 0 (CRM_EX_OK)"
ok "second instance exited 0"
expect_count second "^startup verdict=ALREADY_ACTIVE holder_pid=$first holder_uid=0 holder_gid=0\$" 1 \
    "second instance: ALREADY_ACTIVE, naming the first ($first, uid 0)"
expect_count second '^(cpg joined|ipc serving|confchg|event)' 0 "second instance never joined CPG nor served IPC"

sleep 1 # any confchg the second one caused would have arrived by now
expect_count first '^confchg ' 1 "first instance saw no membership change"
t=$(in_node 1 "$BIN/rg-peerctl" rgd)
grep -qx "peer nodeid=1 state=online node_joined=1 node_left=0 rival_joined=0 rival_left=0 pids=$first" <<<"$t" \
    || fail "peer table over IPC: $t"
grep -qx "cpg nodeid=1 pids=$first" <<<"$t" || fail "corosync's view: $t"
grep -qx "match=yes" <<<"$t" || fail "tracker != corosync: $t"
ok "peer table over libqb IPC: node 1 online, only the first instance, equal to corosync's view"
finish
