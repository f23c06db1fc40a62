#!/usr/bin/env bash
# The daemon under valgrind memcheck through a real life: start-up check,
# IPC served and queried, rivals joining, leaving and SIGKILLed, a second
# instance refused, then SIGTERM. Any memory error, or a definite leak, in
# the daemon or in rivalguard's C boundary fails the test (exit 99).
# shellcheck source=tests/cluster/lib.sh
. "$(dirname "$0")/lib.sh"
command -v valgrind >/dev/null || fail "valgrind missing (make deps installs it)"
cluster_up 1

VG=(valgrind --quiet --error-exitcode=99 --leak-check=full --errors-for-leak-kinds=definite
    --show-leak-kinds=definite --track-fds=no)
spawn d 1 "${VG[@]}" "$BIN/rg-peerd" --name rgd --dump "$T_DIR/d.table"
wait_line d '^event seq=1 kind=NODE_JOINED ' 60
d=$(daemon_pid d)
exe=$("$CL_SH" top "$CL" readlink "/proc/$d/exe")
[[ $exe == *valgrind* || $exe == *memcheck* ]] || fail "the daemon runs $exe, not valgrind"
ok "the daemon runs under valgrind memcheck"
for i in 1 2 3 4 5 6; do start_rival "r$i" 1 rgd; done
kill_in KILL "$(daemon_pid r1)" "$(daemon_pid r3)"
kill_in USR1 "$(daemon_pid r2)"
kill_in TERM "$(daemon_pid r4)"
t=$(table_until d 'pids=[0-9]+,[0-9]+,[0-9]+$' 60)
in_node 1 "$BIN/rg-peerctl" rgd | grep -qx 'match=yes' || fail "IPC table"
spawn second 1 "$BIN/rg-peerd" --name rgd
wait_exit second; [[ $RC == 0 ]] || fail "second instance exited $RC"
kill_in TERM "$(daemon_pid r5)" "$(daemon_pid r6)"
table_until d "pids=$d\$" 60 >/dev/null
kill_in TERM "$d"
wait_exit d 60; rc=$RC
[[ $rc == 0 ]] || fail "daemon under valgrind exited $rc (99: memcheck found errors)"
expect_count d '^exit code=0 reason=sigterm$' 1 "clean exit under memcheck, no error, no definite leak"
expect_count d '^event .*kind=RIVAL_(JOINED|LEFT) ' 12 "all 12 rival events seen"
finish
