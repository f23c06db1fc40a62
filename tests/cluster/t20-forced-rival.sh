#!/usr/bin/env bash
# A rival forced in (--no-startup-check) on the same node: the incumbent
# sees a local RIVAL_JOINED; the rival sees itself as the newcomer (a local
# RIVAL_JOINED with its own pid); SIGKILL on the rival gives RIVAL_LEFT and
# the node stays online.
# shellcheck source=tests/cluster/lib.sh
. "$(dirname "$0")/lib.sh"
cluster_up 1

start_daemon inc 1 --name rgd
inc=$(daemon_pid inc)
start_daemon rival 1 --name rgd --no-startup-check
rival=$(daemon_pid rival)
wait_line rival '^ipc serving=none$'
ok "forced rival got in (the incumbent holds the endpoint, the rival serves none)"

wait_line inc "^event seq=2 kind=RIVAL_JOINED nodeid=1 pid=$rival reason=join other_pid=$inc local=1 incumbent=0\$"
ok "incumbent: local RIVAL_JOINED for $rival, incumbent still $inc"
wait_line rival "^event seq=1 kind=NODE_JOINED nodeid=1 pid=$inc reason=undefined other_pid=0 local=1 incumbent=0\$"
wait_line rival "^event seq=1 kind=RIVAL_JOINED nodeid=1 pid=$rival reason=join other_pid=$inc local=1 incumbent=0\$"
ok "rival: finds $inc already there, and itself ($rival) as the local newcomer"
expect_count rival '^event ' 2 "rival: exactly those two events"

kill_in KILL "$rival"
wait_line inc "^event seq=3 kind=RIVAL_LEFT nodeid=1 pid=$rival reason=procdown other_pid=$inc local=1 incumbent=0\$"
ok "incumbent: RIVAL_LEFT for the killed rival"
t=$(table inc)
grep -qx "peer nodeid=1 state=online node_joined=1 node_left=0 rival_joined=1 rival_left=1 pids=$inc" <<<"$t" || fail "table: $t"
grep -qx "match=yes" <<<"$t" || fail "tracker != corosync: $t"
ok "node 1 stays online, never marked offline; table equals corosync's view"
expect_count inc '^peer nodeid=1 state=offline' 0 "no offline transition logged"
expect_count inc '^event .*kind=(NODE_LEFT|EVICTED)' 0 "no NODE_LEFT, no EVICTED"
finish
