#!/bin/sh
# bench/store.sh - how fast the history store ingests, and how long it takes
# to evaluate every default trigger over 30 days of 10 s samples (read from
# SQLite, replayed through the rules, a forecast fitted). Not a test: prints
# figures. Uses the optimised build (make), never the sanitizer one.
#
#   sh bench/store.sh [BUILDDIR] [BATCHES] [METRICS]
set -eu
B=${1:-build}
ROOT=$(cd "$(dirname "$0")/.." && pwd)
[ -x "$ROOT/$B/bench/bench_store" ] || { echo "build first: make (wanted $B/bench/bench_store)" >&2; exit 1; }
T=$(mktemp -d "${TMPDIR:-/tmp}/headroom-bench.XXXXXX")
trap 'rm -rf "$T"' EXIT
echo "== $(uname -srm), $(nproc) CPUs, SQLite $(sqlite3 --version 2>/dev/null | cut -d' ' -f1)"
"$ROOT/$B/bench/bench_store" "$T" "${2:-20000}" "${3:-40}"
echo "   30 days of $(sqlite3 "$T/month.db" "select count(*) from series") series at 10 s: $(($(wc -c <"$T/month.db") / 1048576)) MiB on disk"
