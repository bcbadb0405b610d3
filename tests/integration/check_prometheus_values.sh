#!/bin/sh
# A real Prometheus started here whose answers are no value: a series
# recorded as +Inf (a rule `vector(+Inf)`, as a ratio over a zero
# denominator records), a scalar -Inf (`-1/0`) and a NaN (`vector(0/0)`).
# Each is no value, with the reason: the trigger on it is UNKNOWN, never
# "inf%" (it was OK at "inf%" for a ratio below its level, and an
# autoscaler scaled to its max on it).
. "$HEADROOM_ROOT/tests/lib.sh"
command -v prometheus >/dev/null || { t_skip "prometheus is not installed"; t_done; }
cd "$T_TMP" || exit 1
PPORT=$(t_free_port)
cat >rules.yml <<'YAML'
groups:
  - name: values
    interval: 1s
    rules:
      - record: app:error_ratio
        expr: vector(+Inf)
      - record: app:ok_ratio
        expr: vector(0.25)
YAML
cat >prom.yml <<'YAML'
global: {scrape_interval: 1s, evaluation_interval: 1s}
rule_files: [rules.yml]
YAML
prometheus --config.file=prom.yml --storage.tsdb.path="$T_TMP/tsdb" --web.listen-address="127.0.0.1:$PPORT" \
	>prom.log 2>&1 &
t_started $!
t_wait_port "$PPORT" 150 || { t_not_ok "prometheus starts"; t_diag "$(tail -5 prom.log)"; t_done; }
# Wait until the rules have been evaluated once (bounded: 15 s).
i=0
until curl -sf "http://127.0.0.1:$PPORT/api/v1/query?query=app:error_ratio" | grep -q '"+Inf"'; do
	i=$((i + 1))
	[ $i -lt 150 ] || { t_not_ok "the recording rule gives +Inf"; t_diag "$(tail -5 prom.log)"; t_done; }
	sleep 0.1
done
t_ok "prometheus records app:error_ratio as +Inf"

cat >h.yaml <<YAML
metrics:
  sources:
    - type: prometheus
      name: prom
      url: "http://127.0.0.1:$PPORT"
      timeout: 5s
      queries:
        app.error_ratio: 'app:error_ratio'
        app.down_ratio: '-1/0'
        app.nan_ratio: 'vector(0/0)'
        app.ok_ratio: 'app:ok_ratio'
triggers:
  errors: {metric: app.error_ratio, warn: 5%, crit: 10%, for: 0s}
  down: {metric: app.down_ratio, direction: below, warn: 50%, crit: 10%, for: 0s}
  nan: {metric: app.nan_ratio, warn: 5%, for: 0s}
  fine: {metric: app.ok_ratio, warn: 50%, for: 0s}
YAML
get() { python3 -c "
import json
d=json.load(open('$1'))
t={x['name']: x for x in d['triggers']}
m={x['name']: x['value'] for x in d['metrics']}
print(eval('''$2'''))"; }
t_expect "+Inf, -Inf and NaN answers: UNKNOWN (3)" 3 "$HEADROOM" check -f h.yaml --no-history --format json
echo "$T_OUT" >h.json
t_check "+Inf: errors is unknown" [ "$(get h.json "t['errors']['state']")" = unknown ]
t_contains "with the reason" "$(get h.json "t['errors']['message']")" "app.error_ratio: the query gave +Inf, no value"
t_check "-Inf: down is unknown" [ "$(get h.json "t['down']['state']")" = unknown ]
t_contains "with the reason" "$(get h.json "t['down']['message']")" "app.down_ratio: the query gave -Inf, no value"
t_check "NaN: nan is unknown" [ "$(get h.json "t['nan']['state']")" = unknown ]
t_contains "with the reason" "$(get h.json "t['nan']['message']")" "app.nan_ratio: the query gave NaN, no value"
t_check "the finite answer is kept" [ "$(get h.json "(t['fine']['state'], m['app.ok_ratio'])")" = "('ok', 0.25)" ]
t_check "no infinite value is a metric" [ "$(get h.json "sorted(m)")" = "['app.ok_ratio']" ]
t_expect "the text: UNKNOWN (3)" 3 "$HEADROOM" check -f h.yaml --no-history
case "$T_OUT" in *inf%*) t_not_ok "no 'inf%' in the text"; t_diag "$T_OUT" ;; *) t_ok "no 'inf%' in the text" ;; esac
t_contains "the source is partial, with the reasons" "$T_OUT" "source prom (prometheus): partial, 1 metric: prometheus http://127.0.0.1:$PPORT: app.error_ratio: the query gave +Inf, no value"
t_done
