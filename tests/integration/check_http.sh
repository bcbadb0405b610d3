#!/bin/sh
# The http source against a real nginx started here: a healthy URL, one that
# answers 500, and a port nobody listens on.
. "$HEADROOM_ROOT/tests/lib.sh"
cd "$T_TMP" || exit 1
export XDG_STATE_HOME="$T_TMP/state"
PORT=$(t_free_port)
t_start_nginx "$PORT" '    location = /healthz { return 200 "ok\n"; }
    location = /broken { return 500 "no\n"; }'
t_ok "nginx runs on 127.0.0.1:$PORT"

probe() {
	cat >"$1.yaml" <<YAML
metrics:
  sources:
    - type: http
      url: "$2"
      probes: 20
      timeout: 2s
triggers:
  latency-p95: {for: 0s}
  error-rate: {for: 0s}
YAML
}
get() { python3 -c "
import json
d=json.load(open('$1'))
m={x['name']: x['value'] for x in d['metrics']}
t={x['name']: x for x in d['triggers']}
print(eval('''$2'''))"; }

probe ok "http://127.0.0.1:$PORT/healthz"
t_expect "healthy URL: OK" 0 "$HEADROOM" check -f ok.yaml --format json
echo "$T_OUT" >ok.json
t_check "error ratio 0" [ "$(get ok.json "m['http.error_ratio']")" = 0.0 ]
t_check "status 200" [ "$(get ok.json "m['http.status']")" = 200.0 ]
t_check "p50 <= p95 <= max, all under a second" [ "$(get ok.json "0 < m['http.p50'] <= m['http.p95'] <= m['http.max'] < 1")" = True ]
t_check "latency-p95 is ok with its value" [ "$(get ok.json "t['latency-p95']['state']")" = ok ]

probe broken "http://127.0.0.1:$PORT/broken"
t_expect "a URL answering 500: CRITICAL (error rate 100% > 5%)" 2 "$HEADROOM" check -f broken.yaml
t_contains "error-rate is named" "$T_OUT" "error-rate 100.0% > 5.0%"

DEAD=$(t_free_port)
probe dead "http://127.0.0.1:$DEAD/healthz"
"$HEADROOM" check -f dead.yaml --format json >dead.json
# No reply says nothing about errors: every trigger on the source is
# UNKNOWN with the reason (it was CRITICAL here, and OK while its `for` ran).
t_check "nothing listening: error-rate unknown" [ "$(get dead.json "t['error-rate']['state']")" = unknown ]
t_check "and its reason says the probes failed" [ "$(get dead.json "'all 20 probes failed' in t['error-rate']['message']")" = True ]
t_check "nothing listening: latency unknown, not ok" [ "$(get dead.json "t['latency-p95']['state']")" = unknown ]
t_check "and the reason says the probes failed" [ "$(get dead.json "'all 20 probes failed' in t['latency-p95']['message']")" = True ]
# The default error-rate has a `for`: with the service down it was OK (pending).
sed '/error-rate: {for: 0s}/d' dead.yaml >dead-for.yaml
t_expect "down, with the default for: UNKNOWN, not OK" 3 "$HEADROOM" check -f dead-for.yaml --no-history
t_contains "error-rate named unknown" "$T_OUT" "error-rate unknown"

# A server that accepts and never answers, with a 2 s timeout: the reason
# names the 2 s waited. It quoted curl's "timed out after 1 milliseconds"
# (what was left of the budget for the last probe), or 1999 of them.
MUTE=$(t_free_port)
t_start_mute "$MUTE"
probe mute "http://127.0.0.1:$MUTE/healthz"
t_expect "a server that never answers: UNKNOWN (3)" 3 "$HEADROOM" check -f mute.yaml --no-history --format json
echo "$T_OUT" >mute.json
MSG=$(get mute.json "t['error-rate']['message']")
t_contains "the reason names the 2 s timeout" "$MSG" "/healthz: timed out: no reply within the 2 s timeout"
case "$MSG" in *milliseconds*) t_not_ok "and no count of milliseconds left over"; t_diag "$MSG" ;;
*) t_ok "and no count of milliseconds left over" ;; esac
t_done
