#!/bin/sh
# headroom autoscale decide: the issue's example document, the decision's
# schema (docs/autoscale.schema.json), and one exact line per bad input.
. "$HEADROOM_ROOT/tests/lib.sh"
cd "$T_TMP" || exit 1
SCHEMA="python3 $HEADROOM_ROOT/tests/integration/jsonschema_lite.py $HEADROOM_ROOT/docs/autoscale.schema.json"

cat >in.json <<'JSON'
{"now_s": 10000, "current_replicas": 3, "min_replicas": 1, "max_replicas": 10,
 "tolerance": {"up": 0.1, "down": 0.1},
 "metrics": [{"kind": "resource", "name": "cpu", "target_utilization_percent": 30},
             {"kind": "replica", "name": "qps", "target_average": 15000},
             {"kind": "object", "name": "queue", "value": 50000, "target_value": 10000},
             {"kind": "external", "name": "queue", "value": 20000, "target_average": 5000}],
 "replicas": [{"state": "ready", "usage": {"cpu": 600}, "requests": {"cpu": 2000}}],
 "behavior": {"scale_up": {"stabilization_s": 0, "select": "max", "policies": [{"type": "pods", "value": 4, "period_s": 15}]},
              "scale_down": {"stabilization_s": 300, "select": "max", "policies": [{"type": "percent", "value": 100, "period_s": 15}]}},
 "history": {"recommendations": [{"at_s": 9900, "replicas": 4}], "scale_events": [{"at_s": 9950, "delta": 2}]}}
JSON
t_expect "the documented example decides" 0 sh -c "'$HEADROOM' autoscale decide <in.json >out.json"
t_check "the decision matches docs/autoscale.schema.json" $SCHEMA out.json
t_check "5 replicas: the object metric proposes ceil(50000 / 10000 x 1 ready) = 5" python3 -c "
import json
d = json.load(open('out.json'))
assert d['desired_replicas'] == 5, d
p = d['proposals']
assert [x['replicas'] for x in p] == [3, None, 5, 4], p
assert p[0]['utilization'] == 30 and p[3]['utilization'] == 6666.667, p
assert d['reason'].startswith('scale up 3 -> 5: queue above target (proposes 5); qps ignored (no_samples)'), d['reason']"

# The scale-up policy and the down window, one decision each.
printf '{"now_s": 100, "current_replicas": 10, "max_replicas": 100, "metrics": [{"kind": "external", "name": "q", "value": 500, "target_average": 1}]}' >up.json
"$HEADROOM" autoscale decide <up.json >up.out 2>&1
t_contains "the default scale-up policy: max(+4, +100 %) per 15 s" "$(cat up.out)" '"reason": "scale up 10 -> 20: q above target (proposes 500); scale-up policy limit at 20 (wanted 500)"'
printf '{"now_s": 100, "current_replicas": 10, "max_replicas": 100, "metrics": [{"kind": "external", "name": "q", "value": 2, "target_average": 1}], "history": {"recommendations": [{"at_s": 0, "replicas": 8}]}}' >down.json
"$HEADROOM" autoscale decide <down.json >down.out 2>&1
t_contains "the down window keeps the highest recent recommendation" "$(cat down.out)" '"reason": "scale down 10 -> 8: all metrics below target (highest proposal 2, from q); scale-down stabilisation: the highest recommendation of the last 300 s is 8"'
printf '{"now_s": 100, "current_replicas": 4, "max_replicas": 10, "metrics": [{"kind": "external", "name": "q", "value": null, "target_average": 1}]}' >null.json
"$HEADROOM" autoscale decide <null.json >null.out 2>&1
t_contains "a null value is missing, never 0" "$(cat null.out)" '"reason": "hold 4: no valid metric (q: missing): no scaling"'

# bad NAME INPUT STDERR: exit 2, nothing on stdout, exactly one line.
bad() {
	printf '%s' "$2" >bad.json
	if t_run 2 sh -c "'$HEADROOM' autoscale decide <bad.json" && [ "$T_ERR" = "$3" ] && [ -z "$T_OUT" ]; then
		t_ok "$1"
	else
		t_not_ok "$1 (exit $T_STATUS)"
		t_diag "want: $3"
		t_diag "got:  $T_ERR"
	fi
}
bad "syntax error: line and column" '{"now_s": 1,
 "metrics": [}' "stdin:2:14: error: invalid JSON: unexpected token near '}'"
bad "empty input" '' "stdin:1:1: error: invalid JSON: '[' or '{' expected near end of file"
bad "duplicate key" '{"now_s": 1, "now_s": 2}' "stdin:1:20: error: invalid JSON: duplicate object key near '\"now_s\"'"
bad "unknown key, with a suggestion" '{"now_s": 1, "current_replicas": 1, "max_replicas": 3, "metrics": [{"kind": "external", "name": "q", "value": 1, "target_averag": 2}]}' \
	"headroom autoscale decide: error: stdin: metrics[0].target_averag: unknown key; did you mean 'target_average'?"
bad "a wrong type names its path" '{"now_s": 1, "current_replicas": 1, "max_replicas": 3, "behavior": {"scale_up": {"policies": [{"type": "pods", "value": "four", "period_s": 15}]}}, "metrics": [{"kind": "external", "name": "q", "value": 1, "target_value": 2}]}' \
	"headroom autoscale decide: error: stdin: behavior.scale_up.policies[0].value: expected a number, got a string"
bad "a target must be positive" '{"now_s": 1, "current_replicas": 1, "max_replicas": 3, "metrics": [{"kind": "external", "name": "q", "value": 1, "target_value": 0}]}' \
	"headroom autoscale decide: error: stdin: metrics[0].target_value: must be greater than 0, got 0"
bad "a required key" '{"now_s": 1, "max_replicas": 3, "metrics": []}' \
	"headroom autoscale decide: error: stdin: (top level): 'current_replicas' is required"
bad "min above max" '{"now_s": 1, "current_replicas": 1, "min_replicas": 5, "max_replicas": 3, "metrics": [{"kind": "external", "name": "q", "value": 1, "target_value": 2}]}' \
	"headroom autoscale decide: error: stdin: (top level): max_replicas must be at least 1 and at least min_replicas"
bad "scale to zero needs a value metric" '{"now_s": 1, "current_replicas": 1, "min_replicas": 0, "max_replicas": 3, "metrics": [{"kind": "resource", "name": "cpu", "target_utilization_percent": 50}]}' \
	"headroom autoscale decide: error: stdin: min_replicas: scaling to zero needs an object or external metric (KEDA's triggers; a per-replica metric has no value at zero replicas)"
bad "a usage with no metric" '{"now_s": 1, "current_replicas": 1, "max_replicas": 3, "metrics": [{"kind": "resource", "name": "cpu", "target_utilization_percent": 50}], "replicas": [{"state": "ready", "usage": {"memory": 3}}]}' \
	"headroom autoscale decide: error: stdin: replicas[0].usage.memory: no resource or replica metric is named 'memory'"
bad "a replica state" '{"now_s": 1, "current_replicas": 1, "max_replicas": 3, "metrics": [{"kind": "resource", "name": "cpu", "target_utilization_percent": 50}], "replicas": [{"state": "running"}]}' \
	"headroom autoscale decide: error: stdin: replicas[0].state: expected one of ready, starting, pending, failed, terminating, got 'running'"
python3 -c "print('{\"now_s\": ' + ' ' * (5 << 20) + '1}')" >huge.json
t_expect "input over 4 MiB: exit 2" 2 sh -c "'$HEADROOM' autoscale decide <huge.json"
t_contains "saying so" "$T_ERR" "headroom autoscale decide: stdin: the input is over 4 MiB"
t_expect "an argument: exit 2" 2 "$HEADROOM" autoscale decide extra
t_expect "--help: exit 0" 0 "$HEADROOM" autoscale decide --help
t_contains "--help shows the usage" "$T_OUT" "usage: headroom autoscale"
t_done
