#!/bin/sh
# Time `headroom plan` on the largest example against the full catalogue over
# 24 monthly milestones (month 0..24 at 15 %/month).
#
# Prints: the milestones and shapes the search evaluated in full; hyperfine's
# median and mean wall time of the whole process (start-up, config and
# catalogue loading, the search, JSON output) and the shapes evaluated per
# second of it; and, when valgrind is installed, callgrind's instruction
# count, split into the search (planner_run), the JSON rendering and the
# rest. Instruction counts repeat exactly from run to run, so they are the
# figure to compare across changes on a shared machine; wall times are not.
# Aim (issue "the capacity model and headroom plan"): well under 50 ms.
#
#   HEADROOM=path/to/headroom sh bench/plan.sh     # another build
#   BENCH_RUNS=100 sh bench/plan.sh                # more hyperfine runs
set -eu
ROOT=$(cd "$(dirname "$0")/.." && pwd)
BIN=${HEADROOM:-$ROOT/build/headroom}
RUNS=${BENCH_RUNS:-30}
[ -x "$BIN" ] || { echo "bench/plan.sh: build first (make)" >&2; exit 1; }
command -v hyperfine >/dev/null || { echo "bench/plan.sh: hyperfine missing (scripts/deps.sh --bench)" >&2; exit 1; }
TMP=$(mktemp -d "${TMPDIR:-/tmp}/headroom-bench.XXXXXX")
trap 'rm -rf "$TMP"' EXIT
# pareto has the most components and classes; open it to every provider and
# stage of the shipped catalogue, growing 15 % a month.
sed -e 's/^  providers: \[hetzner\].*$/  providers: []/' \
    -e 's/^  users: 20000 .*$/  users: 20000\n  growth: 15%/' \
    -e '/^  milestones:/d' "$ROOT/examples/pareto.yaml" >"$TMP/pareto-all.yaml"
CMD="$BIN plan -f $TMP/pareto-all.yaml --months 24 --format json"
$CMD >"$TMP/out.json"
hyperfine --warmup 3 --runs "$RUNS" -N --export-json "$TMP/hf.json" "$CMD" >"$TMP/hf.txt" 2>&1 ||
	{ cat "$TMP/hf.txt" >&2; exit 1; }
python3 - "$TMP/out.json" "$TMP/hf.json" <<'PY'
import json, sys
m = json.load(open(sys.argv[1]))["milestones"]
shapes = sum(x.get("shapes_evaluated") or 0 for x in m)
r = json.load(open(sys.argv[2]))["results"][0]
med, mean, sd, lo = r["median"], r["mean"], r["stddev"], r["min"]
print(f"plan: {len(m)} milestones, {shapes} shapes evaluated in full")
print(f"wall: median {med * 1e3:.1f} ms, mean {mean * 1e3:.1f} ms +- {sd * 1e3:.1f}, "
      f"min {lo * 1e3:.1f} ms ({len(r['times'])} runs, hyperfine)")
print(f"throughput: {shapes / med:,.0f} shapes evaluated per second (whole process, median)")
PY
if command -v valgrind >/dev/null && command -v callgrind_annotate >/dev/null; then
	valgrind --tool=callgrind --callgrind-out-file="$TMP/cg.out" $CMD >/dev/null 2>"$TMP/vg.err"
	callgrind_annotate --inclusive=yes "$TMP/cg.out" 2>/dev/null | python3 -c '
import re, sys
total = search = render = 0
for line in sys.stdin:
    m = re.match(r"\s*([\d,]+) .*?(PROGRAM TOTALS|:planner_run |:plan_render_json )", line)
    if not m:
        continue
    n = int(m.group(1).replace(",", ""))
    if m.group(2) == "PROGRAM TOTALS": total = n
    elif "planner_run" in m.group(2): search = n
    else: render = n
print(f"instructions: {total / 1e6:.1f} M (callgrind): search {search / 1e6:.1f} M, "
      f"JSON {render / 1e6:.1f} M, start-up and loading {(total - search - render) / 1e6:.1f} M")'
else
	echo "instructions: valgrind not installed, skipped"
fi
