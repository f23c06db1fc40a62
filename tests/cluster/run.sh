#!/usr/bin/env bash
# Runs the cluster scenario tests (t*.sh, in order), each on its own private
# cluster; stops at the first failure. Needs root and build/cluster/ (make
# cluster-build). `tests/cluster/run.sh t20` runs the tests whose name
# starts with t20.
set -euo pipefail
cd "$(dirname "$0")"
[[ $(id -u) -eq 0 ]] || { echo "cluster tests need root" >&2; exit 1; }
start=$SECONDS
n=0
for t in "${1:-t}"*.sh; do
    [[ -e $t ]] || continue
    s=$SECONDS
    bash "$t"
    n=$((n + 1))
    echo "[$(basename "$t" .sh)] took $((SECONDS - s)) s"
done
((n > 0)) || { echo "no test matched" >&2; exit 1; }
echo "cluster scenarios: $n passed in $((SECONDS - start)) s"
