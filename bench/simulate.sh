#!/bin/sh
# bench/simulate.sh - steps per second of the simulator's replay
# (model/simulate), one policy at a time on one core, on the shipped
# per-second World Cup trace (172,799 one-second buckets; with a 15 s sync
# a tick is the bucket). Not a test: prints figures. The replay is the inner
# loop of a policy search, so the aim is >= 10 M steps/s for the queueing
# step (the static policy: no decisions). There is no peer simulator to run
# beside it in the same process; the figure stands against that aim.
#
#   sh bench/simulate.sh [BUILDDIR] [SECONDS_PER_POLICY]
set -eu
B=${1:-build}
ROOT=$(cd "$(dirname "$0")/.." && pwd)
[ -x "$ROOT/$B/bench/bench_simulate" ] || { echo "build first: make (wanted $B/bench/bench_simulate)" >&2; exit 1; }
echo "== $(uname -srm), $(nproc) CPUs, one thread, $ROOT/data/traces/wc98_jun26-27_1s.csv"
"$ROOT/$B/bench/bench_simulate" "$ROOT/data/traces/wc98_jun26-27_1s.csv" "${2:-3}"
