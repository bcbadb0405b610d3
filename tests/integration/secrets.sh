#!/bin/sh
# No secret in any output: a known secret is planted in every place a
# config can hold one (a DSN's password in URL and key=value form, URL
# userinfo, a bearer token, a Prometheus token, the agent's token, a
# webhook URL's path), the sources fail in ways whose messages echo what
# they were given, and everything the program wrote is searched for it:
# check's text and JSON (stdout and stderr), the agent's log, /status,
# /metrics, every table of the store, the webhook bodies, and the source
# lines config errors show (check, agent, autoscale --once, validate; block
# and flow style). Before, the URL credentials, the webhook URL and parts
# of a DSN were printed verbatim, and so were flow-style tokens in excerpts.
. "$HEADROOM_ROOT/tests/lib.sh"
cd "$T_TMP" || exit 1
PEER="$HEADROOM_ROOT/tests/integration/hostile_peer.py"
command -v curl >/dev/null || { t_skip "curl is not installed"; t_done; }
S=Zq9SecretXy
DEAD=$(t_free_port)
MUTE=$(t_free_port)
t_start_mute "$MUTE"
HOOK=$(t_free_port)
python3 "$PEER" serve hook "$HOOK" &
t_started $!
t_wait_port "$HOOK" || { t_not_ok "webhook receiver starts"; t_done; }
APORT=$(t_free_port)
export PROM_TOKEN="${S}prom"
cat >h.yaml <<YAML
metrics:
  sources:
    - {name: pg-url, type: postgres, dsn: "postgresql://app:${S}url@127.0.0.1:$DEAD/app", timeout: 1s}
    - {name: pg-kv, type: postgres, dsn: "host=127.0.0.1 port=$MUTE user=app password=${S}kv dbname=app", timeout: 1s}
    - {name: web, type: http, url: "http://admin:${S}web@127.0.0.1:$DEAD/health", timeout: 1s, probes: 2}
    - {name: web-basic, type: http, url: "http://127.0.0.1:$MUTE/", user: admin, password: "${S}basic", timeout: 1s, probes: 1}
    - {name: prom, type: prometheus, url: "http://u:${S}prom-url@127.0.0.1:$DEAD", token: "\${PROM_TOKEN}", timeout: 1s,
       queries: {q.ratio: "up"}}
    - {name: cache, type: redis, url: "redis://:${S}redis@127.0.0.1:$MUTE/0", timeout: 1s}
triggers:
  q: {metric: q.ratio, warn: 50%, for: 0s}
  p95: {metric: http.p95, warn: 1s, for: 0s}
  conns: {metric: postgres.connections.used_ratio, warn: 50%, for: 0s}
agent:
  listen: 127.0.0.1:$APORT
  token: ${S}agent
  webhook: "http://127.0.0.1:$HOOK/services/T0/${S}hook"
YAML
"$HEADROOM" check -f h.yaml --store s.db >check.txt 2>&1
"$HEADROOM" check -f h.yaml --store s.db --format json >check.json 2>&1
t_contains "check ran and reports the sources down" "$(cat check.txt)" "UNKNOWN"

t_start_agent "$APORT" -f h.yaml --store s.db --interval 250ms
AUTH="Authorization: Bearer ${S}agent"
i=0
while [ ! -s hook.log ] && [ $i -lt 100 ]; do sleep 0.1; i=$((i + 1)); done
sleep 1
curl -s -H "$AUTH" "http://127.0.0.1:$APORT/status" >status.json
curl -s -H "$AUTH" "http://127.0.0.1:$APORT/metrics" >metrics.txt
kill "$AGENT"
wait "$AGENT"
t_check "the webhook got the changes" [ -s hook.log ]
t_check "/status was served" grep -q '"sources"' status.json

# The same webhook, down: the failure is logged without the URL's path.
sed "s|http://127.0.0.1:$HOOK/services|http://127.0.0.1:$DEAD/services|" h.yaml >h2.yaml
APORT2=$(t_free_port)
sed -i "s|127.0.0.1:$APORT|127.0.0.1:$APORT2|" h2.yaml
"$HEADROOM" agent -f h2.yaml --store s2.db --interval 250ms 2>agent2.log &
A2=$!
t_started $A2
i=0
while ! grep -q "webhook failed" agent2.log && [ $i -lt 100 ]; do sleep 0.1; i=$((i + 1)); done
kill "$A2"
wait "$A2"
t_contains "the failed webhook is logged by its origin" "$(cat agent2.log)" "webhook failed: http://127.0.0.1:$DEAD/***"

# Config errors show the offending line under the message (check, agent
# and autoscale always; validate on a terminal, run here under script(1)).
# A secret on that line, in block or flow style, is shown as '*', and the
# caret still points at the mistake. Before, these lines were printed as
# written: the agent's flow-style token, the Prometheus token and password,
# a Slack webhook's path, a password given as a list.
cat >e-agent-flow.yaml <<YAML
agent: {token: ${S}flow1, intervl: 1s}
YAML
cat >e-prom-flow.yaml <<YAML
metrics:
  sources:
    - {name: prom, type: prometheus, url: "http://127.0.0.1:9", token: ${S}pt, password: "${S}pw", timout: 1s}
YAML
cat >e-webhook.yaml <<YAML
metrics:
  sources:
    - {name: hook, type: http, url: "https://hooks.slack.com/services/T0/B0/${S}slack", timout: 1s}
agent: {webhook: https://hooks.slack.com/services/T1/B1/${S}wh, intervl: 1s}
YAML
cat >e-block.yaml <<YAML
agent:
  token: "${S}blk tail"
YAML
cat >e-list.yaml <<YAML
metrics:
  sources:
    - name: web
      type: http
      url: http://127.0.0.1:9/
      password: [${S}list]
YAML
cat >e-urls.yaml <<YAML
metrics:
  sources:
    - {name: db, type: postgres, dsn: "postgresql://app:${S}dsn@127.0.0.1/app", timout: 1s}
    - {name: db2, type: postgres, dsn: "host=127.0.0.1 password=${S}kv dbname=x", timout: 1s}
    - {name: gh, type: http, url: "http://127.0.0.1:9/?q=ghp_${S}0123456789", timout: 1s}
    - {name: jwt, type: http, url: "http://127.0.0.1:9/?sso=eyJhbGciOiJIUzI1NiJ9.eyJ${S}x.c2lnbmF0dXJl", timout: 1s}
YAML
have_script=1
command -v script >/dev/null 2>&1 || have_script=0
EXC=""
for f in e-agent-flow e-prom-flow e-webhook e-block e-list e-urls; do
	"$HEADROOM" check -f "$f.yaml" --no-history >"x-check-$f.txt" 2>&1
	"$HEADROOM" agent -f "$f.yaml" --store "x-$f.db" >"x-agent-$f.txt" 2>&1
	"$HEADROOM" autoscale --once -f "$f.yaml" --store "x-$f.db" >"x-autoscale-$f.txt" 2>&1
	EXC="$EXC x-check-$f.txt x-agent-$f.txt x-autoscale-$f.txt"
	if [ $have_script -eq 1 ]; then
		script -qec "\"$HEADROOM\" validate -f $f.yaml" "x-validate-$f.ts" >"x-validate-$f.txt" 2>&1 </dev/null
		EXC="$EXC x-validate-$f.txt x-validate-$f.ts"
	fi
done
for x in $EXC; do
	t_check "an excerpt with its caret is shown in $x" grep -q '^ *\^' "$x"
done
[ $have_script -eq 1 ] || t_skip "validate on a terminal: script(1) is not installed"
# The caret still points at the misspelt key, column for column.
caret_ok() {
	awk -v key="$2" '
		prev != "" && /^ *\^/ { want = index(prev, key); got = index($0, "^"); if (want > 0 && want == got) ok = 1 }
		{ prev = $0 }
		END { exit ok ? 0 : 1 }' "$1"
}
t_check "agent flow: the caret is under 'intervl' after masking" caret_ok x-check-e-agent-flow.txt intervl
t_check "prometheus flow: the caret is under 'timout' after masking" caret_ok x-agent-e-prom-flow.txt timout
t_contains "agent flow: the token is shown as one '*' a character" "$(cat x-check-e-agent-flow.txt)" \
	"agent: {token: ****************, intervl: 1s}"
t_contains "the webhook keeps its host" "$(cat x-autoscale-e-webhook.txt)" "https://hooks.slack.com/*"

sqlite3 s.db .dump >store.sql
sqlite3 s2.db .dump >>store.sql
t_check "the store holds the transitions" grep -q "INSERT INTO transitions" store.sql
t_contains "a DSN's password is masked where it is shown" "$(cat check.txt status.json)" "***"
for f in check.txt check.json agent.log agent2.log status.json metrics.txt store.sql hook.log $EXC; do
	hits=$(grep -c "$S" "$f")
	if [ "$hits" -eq 0 ]; then
		t_ok "no secret in $f ($(wc -c <"$f") bytes)"
	else
		t_not_ok "the secret is in $f ($hits lines)"
		t_diag "$(grep "$S" "$f" | head -3)"
	fi
done
t_done
