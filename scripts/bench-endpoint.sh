#!/usr/bin/env bash
# Runs the endpoint benchmark and replaces only its own section of the
# benchmarks document: the lines from "<!-- endpoint:begin" to
# "<!-- endpoint:end -->" (appended when absent; the file is created when
# missing). Other sections are left byte for byte.
#   scripts/bench-endpoint.sh BENCH_BINARY SERVER_BINARY ITERATIONS DOC
set -euo pipefail
bench=$1 server=$2 iterations=$3 doc=$4

section=$(mktemp)
trap 'rm -f "$section" "$doc.tmp.$$"' EXIT
"$bench" "$server" "$iterations" "$section"

if [[ ! -e $doc ]]; then
    printf '# Benchmarks\n\nEach section is written by its own `make bench` step.\n' >"$doc"
fi
awk -v section="$section" '
    function emit(   line) { while ((getline line < section) > 0) print line; close(section) }
    /^<!-- endpoint:begin/ { emit(); skipping = 1; done = 1; next }
    skipping && /^<!-- endpoint:end -->/ { skipping = 0; next }
    !skipping { print }
    END { if (skipping) exit 3; if (!done) { print ""; emit() } }
' "$doc" >"$doc.tmp.$$"
mv "$doc.tmp.$$" "$doc"
echo "bench-endpoint: wrote the \"Endpoint probe\" section of $doc"
