#!/bin/sh
# headroom simulate on the shipped traces and on small hand-made ones: the
# JSON document, figures checked against arithmetic done here, the config
# route, and one located line with exit 2 for each kind of bad input.
. "$HEADROOM_ROOT/tests/lib.sh"
TR="$HEADROOM_ROOT/data/traces"
py() { python3 -c 'import json,sys; d=json.load(sys.stdin); print(eval(sys.argv[1]))' "$1"; }

# --- a flat trace: static:N is N replicas for the whole span ---------------
{
	echo timestamp,requests
	i=0
	while [ $i -lt 120 ]; do
		printf '2026-01-01T%02d:%02d:00Z,600\n' $((i / 60)) $((i % 60))
		i=$((i + 1))
	done
} >"$T_TMP/flat.csv"
t_expect "flat: exit 0" 0 "$HEADROOM" simulate --trace "$T_TMP/flat.csv" --service 100ms --concurrency 4 \
	--price '$0.50/h' --policy static:3 --policy hpa --format json
printf '%s' "$T_OUT" >"$T_TMP/flat.json"
t_contains "flat: 120 buckets of 60 s, 4 ticks each" "$(py 'd["trace"]["buckets"], d["trace"]["steps"], d["trace"]["step_s"]' <"$T_TMP/flat.json")" "(120, 480, 15.0)"
# 3 replicas x 2 h = 6 replica-hours, $3.00
t_contains "flat: static:3 is 6 replica-hours" "$(py 'd["policies"][0]["replica_hours"], d["policies"][0]["cost"]' <"$T_TMP/flat.json")" "(6.0, 3.0)"
# 10 req/s on 3 replicas of 4 slots at 100 ms: rho = 10/120; no minute over 500 ms.
t_contains "flat: static:3 never misses the SLO" "$(py 'd["policies"][0]["slo_violation_minutes"], d["policies"][0]["scale_events"]' <"$T_TMP/flat.json")" "(0.0, 0)"
# HPA settles at what 10 req/s needs at 70 %: 10 x 0.1 / (4 x 0.7) = 0.36 -> 1 replica.
t_contains "flat: hpa needs 1 replica" "$(py 'd["policies"][1]["max_replicas"]' <"$T_TMP/flat.json")" "1"
t_contains "flat: every policy has the issue's keys" "$(py 'sorted(set.intersection(*[set(p) for p in d["policies"]]))' <"$T_TMP/flat.json")" \
	"'cost', 'kind', 'max_replicas', 'policy', 'recommended', 'replica_hours', 'reversals', 'scale_events', 'slo_violation_minutes', 'worst_p95_s'"

# --- a spike no autoscaler can meet in time: static:peak can ------------
{
	echo timestamp,requests
	i=0
	while [ $i -lt 60 ]; do
		r=60
		[ $i -ge 30 ] && [ $i -lt 35 ] && r=6000
		printf '2026-01-01T00:%02d:00Z,%d\n' $i $r
		i=$((i + 1))
	done
} >"$T_TMP/spike.csv"
t_expect "spike: exit 0" 0 "$HEADROOM" simulate --trace "$T_TMP/spike.csv" --service 100ms --concurrency 4 --format json
printf '%s' "$T_OUT" >"$T_TMP/spike.json"
t_contains "spike: static at the peak misses nothing" "$(py '[p["slo_violation_minutes"] for p in d["policies"] if p["policy"]=="static:peak"][0]' <"$T_TMP/spike.json")" "0.0"
hpa_min=$(py '[p["slo_violation_minutes"] for p in d["policies"] if p["policy"]=="hpa"][0]' <"$T_TMP/spike.json")
t_check "spike: hpa misses minutes while its replicas start ($hpa_min)" python3 -c "import sys; sys.exit(0 if $hpa_min > 0 else 1)"
t_check "spike: hpa costs less than static at the peak" python3 -c "
import json; d = json.load(open('$T_TMP/spike.json')); p = {x['policy']: x for x in d['policies']}
import sys; sys.exit(0 if p['hpa']['replica_hours'] < p['static:peak']['replica_hours'] else 1)"

# --- the shipped traces ----------------------------------------------------
for f in nasa_jul95_1m wc98_jun26-27_1m; do
	t_expect "$f: four policies" 0 "$HEADROOM" simulate --trace "$TR/$f.csv" --service 50ms --concurrency 8 --format json
	t_contains "$f: four rows" "$(printf '%s' "$T_OUT" | py 'len(d["policies"])')" "4"
	t_contains "$f: one is recommended" "$(printf '%s' "$T_OUT" | py 'sum(p["recommended"] for p in d["policies"])')" "1"
done
t_expect "text report" 0 "$HEADROOM" simulate --trace "$TR/wc98_jun26-27_1m.csv" --service 50ms --concurrency 8
t_contains "text: the table" "$T_OUT" "replica-hours"
t_contains "text: the recommendation" "$T_OUT" "* recommended:"
t_expect "-o writes the file" 0 "$HEADROOM" simulate --trace "$TR/wc98_jun26-27_1m.csv" --service 50ms --concurrency 8 --format json -o "$T_TMP/out.json"
t_check "-o: valid JSON" python3 -c "import json; json.load(open('$T_TMP/out.json'))"
t_expect "same input, same output" 0 sh -c "'$HEADROOM' simulate --trace '$TR/wc98_jun26-27_1m.csv' --service 50ms --concurrency 8 --format json | cmp -s - '$T_TMP/out.json'"

# --- the HTML page: self-contained, and drawn in Chromium ------------------
B=$(dirname "$HEADROOM")
t_expect "html written" 0 "$HEADROOM" simulate --trace "$TR/wc98_jun26-27_1s.csv" --service 50ms --concurrency 8 \
	--price '$5.39/mo' --format html -o "$T_TMP/sim.html"
html=$(cat "$T_TMP/sim.html")
t_contains "html: the table" "$html" "Replica-hours"
t_contains "html: three charts" "$(grep -o '<svg' "$T_TMP/sim.html" | wc -l | tr -d ' ')" "6"
case "$html" in
*"<script"* | *"<link"* | *" src="* | *"url(http"* | *"@import"*) t_not_ok "html: loads nothing and runs no script" ;;
*) t_ok "html: loads nothing and runs no script" ;;
esac
if command -v chromium >/dev/null 2>&1 && [ -f "$B/npm/node_modules/puppeteer-core/package.json" ]; then
	mkdir -p "$B/screenshots"
	if HR_NODE_MODULES="$B/npm/node_modules" timeout 240 node "$HEADROOM_ROOT/tests/integration/page_check.js" \
		"file://$T_TMP/sim.html" "$B/screenshots/simulate" 3 >"$T_TMP/page.out" 2>&1; then
		t_ok "html in Chromium at 1280 and 390 px, light and dark, printed: charts drawn, no error, no request, no overflow"
	else
		t_not_ok "html in Chromium"
	fi
	t_diag "$(cat "$T_TMP/page.out")"
else
	t_skip "html in Chromium: chromium or puppeteer-core is not installed (scripts/deps.sh)"
fi

# --- from a config: the app tier, the replica's price --------------------
t_expect "from a config" 0 "$HEADROOM" simulate --trace "$TR/wc98_jun26-27_1m.csv" --scale 0.01 -f "$HEADROOM_ROOT/examples/social.yaml" --format json
t_contains "config: the service says where it came from" "$(printf '%s' "$T_OUT" | py 'd["service"]["from"]')" "config"

# --- config:NAME replays the autoscaler's own settings ---------------------
cp "$HEADROOM_ROOT/examples/social.yaml" "$T_TMP/as.yaml"
cat >>"$T_TMP/as.yaml" <<'YAML'
autoscale:
  services:
    web:
      actuator: compose
      project: social
      min: 2
      max: 3
      scale_down:
        stabilization: 60s
      metrics:
        - metric: 'http.request_rate'
          target_average: 5
YAML
t_expect "config:web" 0 "$HEADROOM" simulate --trace "$TR/wc98_jun26-27_1m.csv" --scale 0.01 -f "$T_TMP/as.yaml" \
	--policy config:web --policy keda --format json
printf '%s' "$T_OUT" >"$T_TMP/as.json"
t_contains "config:web: kept within its min and max (2..3)" "$(py '[p["max_replicas"] for p in d["policies"] if p["policy"]=="config:web"][0] <= 3' <"$T_TMP/as.json")" "True"
t_contains "config:web: scales as KEDA on work in flight" "$(py 'd["policies"][0]["kind"]' <"$T_TMP/as.json")" "keda"
t_expect "config:NAME without -f: exit 2" 2 "$HEADROOM" simulate --trace "$T_TMP/flat.csv" --service 50ms --concurrency 2 --policy config:web
t_expect "config: an unknown service: exit 2" 2 "$HEADROOM" simulate --trace "$TR/wc98_jun26-27_1m.csv" -f "$T_TMP/as.yaml" --policy config:api
t_contains "and which" "$T_ERR" "no autoscale.services.api"

# --- bad input: one line, exit 2 ------------------------------------------
printf 'timestamp,requests\n2026-01-01T00:00:00Z,5\n2026-01-01T00:01:00Z,x\n' >"$T_TMP/bad.csv"
t_expect "bad trace row: exit 2" 2 "$HEADROOM" simulate --trace "$T_TMP/bad.csv" --service 50ms --concurrency 8
t_contains "bad trace row: located" "$T_ERR" "bad.csv:3:22: error: expected a whole number of requests"
t_expect "missing trace file: exit 2" 2 "$HEADROOM" simulate --trace "$T_TMP/none.csv" --service 50ms --concurrency 8
t_expect "unknown policy: exit 2" 2 "$HEADROOM" simulate --trace "$T_TMP/flat.csv" --service 50ms --concurrency 8 --policy hap
t_contains "unknown policy: says so" "$T_ERR" "unknown policy 'hap'"
t_expect "--service without --concurrency: exit 2" 2 "$HEADROOM" simulate --trace "$T_TMP/flat.csv" --service 50ms
t_expect "-f and --service: exit 2" 2 "$HEADROOM" simulate --trace "$T_TMP/flat.csv" --service 50ms --concurrency 2 -f x.yaml
t_expect "an SLO a request alone misses: exit 2" 2 "$HEADROOM" simulate --trace "$T_TMP/flat.csv" --service 1s --concurrency 2 --slo p95=500ms
t_contains "and why" "$T_ERR" "a request alone has a p95 of"
t_expect "--price without a period: exit 2" 2 "$HEADROOM" simulate --trace "$T_TMP/flat.csv" --service 50ms --concurrency 2 --price '$5'

# --- the replay is bounded: a trace spans 366 days at most -----------------
# Before: two rows ten years apart were replayed for 23.8 s and 503 MB (120 s
# and still running under ASan); a row at 9999-12-31 ran for minutes.
printf 'timestamp,requests\n2016-01-01T00:00:00Z,600\n2026-01-01T00:00:00Z,600\n' >"$T_TMP/ten.csv"
printf 'timestamp,requests\n2026-01-01T00:00:00Z,600\n9999-12-31T00:00:00Z,600\n' >"$T_TMP/far.csv"
for f in ten far; do
	t_expect "$f: a trace past 366 days: exit 2" 2 timeout 20 "$HEADROOM" simulate --trace "$T_TMP/$f.csv" \
		--service 100ms --concurrency 4
	t_contains "$f: one located line" "$T_ERR" \
		"$f.csv:3:1: error: this row takes the trace past 366 days from its first row"
	t_contains "$f: and only one" "$(printf '%s\n' "$T_ERR" | wc -l | tr -d ' ')" "1"
done
# A sync short enough to split two hours of minutes into 3.6 million ticks.
t_expect "a --sync that makes more than 2,500,000 ticks: exit 2" 2 timeout 20 "$HEADROOM" simulate \
	--trace "$T_TMP/flat.csv" --service 100ms --concurrency 4 --sync 2ms
t_contains "and says so" "$T_ERR" "flat.csv: the replay would take more than 2,500,000 ticks"
t_done
