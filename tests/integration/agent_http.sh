#!/bin/sh
# The agent's HTTP side: /metrics passes promtool's exposition check,
# /status is the check JSON, /healthz, the bearer token, the refusal to serve
# a non-loopback address without one, and a Slack-compatible webhook.
. "$HEADROOM_ROOT/tests/lib.sh"
cd "$T_TMP" || exit 1
export XDG_STATE_HOME="$T_TMP/state"

t_expect "non-loopback without a token is refused (2)" 2 "$HEADROOM" agent --listen 0.0.0.0:9
t_contains "saying why" "$T_ERR" "refusing to serve on 0.0.0.0:9 without agent.token"
t_expect "a bad --listen is bad input (2)" 2 "$HEADROOM" agent --listen nonsense
t_expect "a bad --interval is bad input (2)" 2 "$HEADROOM" agent --interval 10ms

# A webhook receiver standing in for Slack: it records each POST body.
HPORT=$(t_free_port)
cat >hook.py <<'PY'
import http.server, sys
class H(http.server.BaseHTTPRequestHandler):
    def do_POST(self):
        body = self.rfile.read(int(self.headers["Content-Length"]))
        with open(sys.argv[2], "ab") as f:
            f.write(body + b"\n")
        self.send_response(200); self.end_headers(); self.wfile.write(b"ok")
    def log_message(self, *a): pass
http.server.HTTPServer(("127.0.0.1", int(sys.argv[1])), H).serve_forever()
PY
python3 hook.py "$HPORT" "$T_TMP/hook.jsonl" &
t_started $!
t_wait_port "$HPORT" || t_not_ok "webhook receiver starts"

APORT=$(t_free_port)
cat >h.yaml <<YAML
triggers:
  cores:
    metric: cpu.cores
    warn: 0
    crit: 100000
    action: "Nothing to do, a test"
agent:
  listen: 127.0.0.1:$APORT
  token: s3cret-token
  webhook: http://127.0.0.1:$HPORT/hook
YAML
t_start_agent "$APORT" -f h.yaml --interval 200ms
AUTH="Authorization: Bearer s3cret-token"
# The port opens before the first round ends (warm-up, sample, store,
# webhook); /status answers 200 once that round is published.
i=0
while [ "$(curl -s -o /dev/null -w '%{http_code}' -H "$AUTH" "http://127.0.0.1:$APORT/status")" != 200 ] && [ $i -lt 100 ]; do
	sleep 0.1; i=$((i + 1))
done
t_check "/healthz answers without a token" [ "$(curl -s "http://127.0.0.1:$APORT/healthz")" = ok ]
t_check "/metrics without the token: 401" [ "$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$APORT/metrics")" = 401 ]
t_check "the scheme is case-insensitive (RFC 9110): 'bearer' works" [ "$(curl -s -o /dev/null -w '%{http_code}' -H 'Authorization: bearer s3cret-token' "http://127.0.0.1:$APORT/metrics")" = 200 ]
t_check "/metrics with a wrong token: 401" [ "$(curl -s -o /dev/null -w '%{http_code}' -H 'Authorization: Bearer s3cret-tokeX' "http://127.0.0.1:$APORT/metrics")" = 401 ]
curl -s -H "$AUTH" "http://127.0.0.1:$APORT/metrics" >metrics.txt
t_contains "/metrics has the local samples" "$(cat metrics.txt)" 'headroom_cpu_utilization{source="local"}'
t_contains "/metrics has labelled series" "$(cat metrics.txt)" 'headroom_disk_used_ratio{mount="/",source="local"}'
t_contains "/metrics has trigger states" "$(cat metrics.txt)" 'headroom_trigger_state{trigger="cores",metric="cpu.cores"} 1'
# Byte counters typed counter (named _total); numbers in the shortest form
# that reads back exactly (0.7, not 0.69999999999999996 as "%.17g" printed).
t_contains "/metrics: byte counters are counters" "$(cat metrics.txt)" "# TYPE headroom_net_rx_bytes_total counter"
t_check "/metrics: no byte counter typed gauge" sh -c "! grep -q 'TYPE headroom_net_[rt]x_bytes gauge' metrics.txt"
t_check "/metrics: every number in its shortest round-trip form" python3 -c "
import re, sys
bad = []
for line in open('metrics.txt'):
    if line.startswith('#') or not line.strip():
        continue
    s = line.rsplit(' ', 1)[1].strip()
    if s in ('NaN', '+Inf', '-Inf'):
        continue
    v = float(s)
    # Significant digits: leading zeros never count; an integer's trailing
    # zeros (4096000) do not either, a fraction's (0.50) do.
    def sig(t):
        m = t.lower().split('e')[0].lstrip('+-')
        d = m.replace('.', '').lstrip('0')
        if '.' not in m:
            d = d.rstrip('0')
        return len(d) or 1
    shortest = next(k for k in range(1, 18) if float('%.*g' % (k, v)) == v)
    if sig(s) > shortest:
        bad.append(line.strip())
print(bad[:5], file=sys.stderr)
sys.exit(bool(bad))"
if command -v promtool >/dev/null; then
	promtool check metrics <metrics.txt >promtool.txt 2>&1
	# promtool lints names too; only a parse error fails the format.
	if grep -q "error while linting" promtool.txt; then t_not_ok "promtool parses /metrics"; t_diag "$(cat promtool.txt)"; else t_ok "promtool parses /metrics"; fi
else
	t_skip "promtool is not installed"
fi
curl -s -H "$AUTH" "http://127.0.0.1:$APORT/status" >status.json
t_check "/status is the check document plus the agent" python3 -c "
import json
d=json.load(open('status.json'))
assert d['status'] == 'warning', d['status']
assert d['agent']['rounds'] >= 1 and d['agent']['interval_s'] == 0.2
assert any(t['name'] == 'cores' and t['state'] == 'warning' for t in d['triggers'])"
t_check "unknown paths: 404" [ "$(curl -s -o /dev/null -w '%{http_code}' -H "$AUTH" "http://127.0.0.1:$APORT/nope")" = 404 ]
t_check "POST: 405" [ "$(curl -s -o /dev/null -w '%{http_code}' -X POST -d x -H "$AUTH" "http://127.0.0.1:$APORT/metrics")" = 405 ]
t_check "the webhook got the change as Slack JSON" python3 -c "
import json
lines=[json.loads(l) for l in open('$T_TMP/hook.jsonl')]
c=[l for l in lines if l['trigger']=='cores']
assert c and c[0]['from']=='ok' and c[0]['to']=='warning', lines
assert 'cores OK -> WARNING' in c[0]['text'] and 'Nothing to do, a test' in c[0]['text'], c[0]"
kill -TERM $AGENT
wait $AGENT
t_check "SIGTERM: clean exit 0" [ $? -eq 0 ]
t_check "the port is released" sh -c "! python3 -c \"import socket; s=socket.socket(); s.settimeout(0.2); exit(s.connect_ex(('127.0.0.1',$APORT)))\""
t_done
