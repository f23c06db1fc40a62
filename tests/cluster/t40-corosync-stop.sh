#!/usr/bin/env bash
# corosync stopped under a running daemon: the daemon notices (its CPG
# dispatch fails), exits cleanly with 105 (CRM_EX_DISCONNECT), no crash.
# shellcheck source=tests/cluster/lib.sh
. "$(dirname "$0")/lib.sh"
cluster_up 1

start_daemon d 1 --name rgd
start_rival r 1 rgd
wait_line d '^event seq=2 kind=RIVAL_JOINED'
"$CL_SH" corosync "$CL" 1 stop
wait_exit d 30; rc=$RC
[[ $rc == 105 ]] || fail "daemon exited $rc, expected 105"
ok "daemon exited 105 when corosync stopped"
expect_count d '^cpg dispatch error=' 1 "it noticed through its CPG dispatch"
expect_count d '^exit code=105 reason=cpg-dispatch-error$' 1 "and said why, on its way out"
expect_count d '^event .*kind=(NODE_LEFT|EVICTED)' 0 "no confchg invented"
wait_exit r 30; rc=$RC
[[ $rc == 3 ]] || fail "rival exited $rc, expected 3"
ok "the rival client noticed too"
finish
