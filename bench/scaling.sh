#!/bin/sh
# bench/scaling.sh - decisions per second of model/scaling (the HPA/KEDA
# decision the autoscaler and the simulator call). Not a test: prints
# figures. Uses the optimised build (make), never the sanitizer one. There is
# no peer to compare with in C: Kubernetes' controller is Go code behind an
# API server, not a function one can call in a loop.
#
#   sh bench/scaling.sh [BUILDDIR] [SECONDS_PER_CASE]
set -eu
B=${1:-build}
ROOT=$(cd "$(dirname "$0")/.." && pwd)
[ -x "$ROOT/$B/bench/bench_scaling" ] || { echo "build first: make (wanted $B/bench/bench_scaling)" >&2; exit 1; }
echo "== $(uname -srm), $(nproc) CPUs, one thread"
"$ROOT/$B/bench/bench_scaling" "${2:-2}"
