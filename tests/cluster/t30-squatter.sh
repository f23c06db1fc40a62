#!/usr/bin/env bash
# A squatter (uid 65534) holds the daemon's endpoint before it starts: the
# daemon refuses to start, exits 73 (CRM_EX_CANTCREAT) and names the
# squatter's pid and uid; it never joins CPG.
# shellcheck source=tests/cluster/lib.sh
. "$(dirname "$0")/lib.sh"
cluster_up 1

spawn squat 1 setpriv --reuid=65534 --regid=65534 --clear-groups "$BIN/rg-squat" rgd
squat=$(daemon_pid squat)
wait_line squat "^squat listening name=rgd pid=$squat uid=65534\$"

spawn daemon 1 "$BIN/rg-peerd" --name rgd
wait_exit daemon; rc=$RC
[[ $rc == 73 ]] || fail "daemon exited $rc, expected 73"
ok "daemon refused to start: exit 73"
expect_count daemon "^startup verdict=BLOCKED holder_pid=$squat holder_uid=65534 holder_gid=65534\$" 1 \
    "verdict BLOCKED names the squatter: pid $squat, uid 65534"
expect_count daemon "held by foreign process $squat \\(uid 65534\\)" 1 "the admin-facing message names it too"
expect_count daemon '^(cpg joined|ipc serving)' 0 "it never joined CPG nor served IPC"
alive "$squat" || fail "squatter gone"
ok "the squatter was left alone (the probe is passive)"
finish
