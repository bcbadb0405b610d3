#!/bin/sh
# Time `headroom plan` on the largest example against the full catalogue over
# 24 monthly milestones (month 0..24 at 15 %/month), with hyperfine.
# Prints hyperfine's summary; the figure to watch is the mean (aim: well under 50 ms).
set -eu
ROOT=$(cd "$(dirname "$0")/.." && pwd)
BIN=${HEADROOM:-$ROOT/build/headroom}
[ -x "$BIN" ] || { echo "bench/plan.sh: build first (make)" >&2; exit 1; }
command -v hyperfine >/dev/null || { echo "bench/plan.sh: hyperfine missing (scripts/deps.sh --bench)" >&2; exit 1; }
TMP=$(mktemp -d "${TMPDIR:-/tmp}/headroom-bench.XXXXXX")
trap 'rm -rf "$TMP"' EXIT
# pareto has the most components and classes; open it to every provider and
# stage of the shipped catalogue, growing 15 % a month.
sed -e 's/^  providers: \[hetzner\].*$/  providers: []/' \
    -e 's/^  users: 20000 .*$/  users: 20000\n  growth: 15%/' \
    -e '/^  milestones:/d' "$ROOT/examples/pareto.yaml" >"$TMP/pareto-all.yaml"
"$BIN" plan -f "$TMP/pareto-all.yaml" --months 24 --format json >"$TMP/out.json"
python3 -c 'import json,sys; m=json.load(open(sys.argv[1]))["milestones"]; print("milestones:", len(m), " shapes evaluated:", sum(x.get("shapes_evaluated",0) for x in m))' "$TMP/out.json"
hyperfine --warmup 3 --runs 30 -N "$BIN plan -f $TMP/pareto-all.yaml --months 24 --format json"
