#!/usr/bin/env bash
# Lists the functions that a header declares (one name a line, sorted):
# the exports a shared library embedding librivalguard.a must have.
set -euo pipefail
sed -n 's/^[a-z][a-z_ 0-9]* [*]*\(rivalguard_[a-z_]*\)[(].*/\1/p' "${1:-include/rivalguard.h}" | sort -u
