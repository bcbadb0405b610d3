#!/bin/sh
# Write `headroom plan` output for every example under a set of variants into
# DIR, so a change meant to leave results alone (a speed-up, a refactor) can
# be checked byte for byte:
#
#   sh scripts/plan-snapshot.sh build/headroom /tmp/before   # on the old code
#   sh scripts/plan-snapshot.sh build/headroom /tmp/after    # on the new code
#   diff -r /tmp/before /tmp/after && echo identical
#
# Variants per example: text and JSON as shipped; JSON with --months 24; JSON
# open to every provider of the catalogue at user counts from 100 to 1M; and
# the benchmark's input (bench/plan.sh: pareto, every provider, 15 %/month,
# months 0..24). Not a test: the figures legitimately move when the model or
# the catalogue does.
set -eu
[ $# -eq 2 ] || { echo "usage: $0 HEADROOM-BINARY OUT-DIR" >&2; exit 2; }
BIN=$1
OUT=$2
ROOT=$(cd "$(dirname "$0")/.." && pwd)
case $BIN in /*) ;; *) BIN=$(pwd)/$BIN ;; esac
mkdir -p "$OUT"
OUT=$(cd "$OUT" && pwd)
TMP=$(mktemp -d "${TMPDIR:-/tmp}/headroom-snap.XXXXXX")
trap 'rm -rf "$TMP"' EXIT
# Inputs are named relative to the temporary directory, so the reports' source
# line is the same from run to run.
cd "$TMP"

for f in "$ROOT"/examples/*.yaml; do
	e=$(basename "$f" .yaml)
	"$BIN" plan -f "$f" >"$OUT/$e.txt"
	"$BIN" plan -f "$f" --format json >"$OUT/$e.json"
	"$BIN" plan -f "$f" --months 24 --format json >"$OUT/$e-m24.json"
	sed -e 's/^  providers: \[.*\].*$/  providers: []/' "$f" >"$e-all.yaml"
	"$BIN" plan -f "$e-all.yaml" --users 100,1k,10k,100k,1M --format json >"$OUT/$e-all.json"
	"$BIN" plan -f "$e-all.yaml" --users 100,1k,10k,100k,1M >"$OUT/$e-all.txt"
done
sed -e 's/^  providers: \[hetzner\].*$/  providers: []/' \
    -e 's/^  users: 20000 .*$/  users: 20000\n  growth: 15%/' \
    -e '/^  milestones:/d' "$ROOT/examples/pareto.yaml" >pareto-bench.yaml
"$BIN" plan -f pareto-bench.yaml --months 24 --format json >"$OUT/pareto-bench.json"
"$BIN" plan -f pareto-bench.yaml --months 24 >"$OUT/pareto-bench.txt"
echo "$(ls "$OUT" | wc -l) outputs in $OUT"
