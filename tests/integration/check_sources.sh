#!/bin/sh
# Per-source truth, against real servers started here: a source that is down
# is never hidden by one that is up. Two Redis sources (one on a closed
# port), two HTTP probes of a real nginx (one refused), and 17 sources of
# which 13 are down: each check is UNKNOWN (exit 3), names the source that
# did not answer, and lists every source with its state; the agent's
# headroom_status and headroom_source_up say the same.
. "$HEADROOM_ROOT/tests/lib.sh"
command -v redis-server >/dev/null || { t_skip "redis-server is not installed"; t_done; }
cd "$T_TMP" || exit 1
RPORT=$(t_free_port)
redis-server --port "$RPORT" --bind 127.0.0.1 --save '' --appendonly no --dir "$T_TMP" >redis.log 2>&1 &
t_started $!
HPORT=$(t_free_port)
t_start_nginx "$HPORT" '    location = /healthz { return 200 "ok\n"; }'
t_wait_port "$RPORT" || { t_not_ok "redis starts"; t_diag "$(cat redis.log)"; t_done; }
t_ok "redis on 127.0.0.1:$RPORT and nginx on 127.0.0.1:$HPORT run"
redis-cli -p "$RPORT" RPUSH celery a >/dev/null
# Closed ports: taken from the kernel, then nobody listens there.
DEAD=$(t_free_port)

get() { python3 -c "
import json
d=json.load(open('$1'))
t={x['name']: x for x in d['triggers']}
s={x['name']: x for x in d['sources']}
print(eval('''$2'''))"; }

# Two Redis sources: `up` with a queue, `down` on a closed port. It was
# "OK: 1 trigger ok", exit 0, with `down` nowhere in the text.
cat >redis2.yaml <<YAML
metrics:
  sources:
    - type: redis
      name: up
      url: "redis://127.0.0.1:$RPORT"
      queues: [celery]
    - type: redis
      name: down
      url: "redis://127.0.0.1:$DEAD"
YAML
t_expect "two Redis, one down: UNKNOWN (3)" 3 "$HEADROOM" check -f redis2.yaml --no-history
t_contains "the summary names the source down" "$(echo "$T_OUT" | head -n 1)" "1 of 2 sources down: down"
t_contains "redis-memory is UNKNOWN naming it" "$T_OUT" "redis-memory: UNKNOWN: source 'down' (redis) is down:"
t_contains "the text lists the source that is up" "$T_OUT" "source up (redis): up,"
t_contains "and the one that is down, with the reason" "$T_OUT" "source down (redis): down: redis 127.0.0.1:$DEAD:"
t_expect "the same as JSON: exit 3" 3 "$HEADROOM" check -f redis2.yaml --no-history --format json
echo "$T_OUT" >redis2.json
t_check "JSON: status unknown, exit_code 3" [ "$(get redis2.json "(d['status'], d['exit_code'])")" = "('unknown', 3)" ]
t_check "JSON: every source with its state" \
	[ "$(get redis2.json "[(x['name'], x['state'], x['ok']) for x in d['sources']]")" = "[('up', 'up', True), ('down', 'down', False)]" ]
t_check "JSON: redis-memory unknown, not skipped" [ "$(get redis2.json "t['redis-memory']['state']")" = unknown ]
t_check "JSON: queue-depth, which only 'up' gives, stays ok" [ "$(get redis2.json "t['queue-depth']['state']")" = ok ]

# Two HTTP probes: one of nginx, one refused. error-rate was OK.
cat >http2.yaml <<YAML
metrics:
  sources:
    - {type: http, name: web, url: "http://127.0.0.1:$HPORT/healthz", probes: 3, timeout: 2s}
    - {type: http, name: api, url: "http://127.0.0.1:$DEAD/healthz", probes: 3, timeout: 2s}
triggers:
  error-rate: {for: 0s}
YAML
t_expect "two HTTP probes, one refused: UNKNOWN (3)" 3 "$HEADROOM" check -f http2.yaml --no-history --format json
echo "$T_OUT" >http2.json
t_check "error-rate is unknown" [ "$(get http2.json "t['error-rate']['state']")" = unknown ]
t_contains "naming the refused probe" "$(get http2.json "t['error-rate']['message']")" "source 'api' (http) is down: all 3 probes failed"
t_check "the answering probe's value is kept" [ "$(get http2.json "(t['error-rate']['value'], t['error-rate']['source'])")" = "(0.0, 'web')" ]

# 17 sources, 13 down (Redis and HTTP on closed ports), each kind with one
# up beside them: it said "OK: 5 triggers ok".
{
	echo "metrics:"
	echo "  sources:"
	echo "    - {type: redis, name: r-up1, url: \"redis://127.0.0.1:$RPORT\"}"
	echo "    - {type: redis, name: r-up2, url: \"redis://127.0.0.1:$RPORT\", queues: [celery]}"
	echo "    - {type: http, name: h-up1, url: \"http://127.0.0.1:$HPORT/healthz\", probes: 2}"
	echo "    - {type: http, name: h-up2, url: \"http://127.0.0.1:$HPORT/healthz\", probes: 2}"
	for i in 1 2 3 4 5 6 7 8; do echo "    - {type: redis, name: r-down$i, url: \"redis://127.0.0.1:$DEAD/$i\"}"; done
	for i in 1 2 3 4 5; do echo "    - {type: http, name: h-down$i, url: \"http://127.0.0.1:$DEAD/$i\", probes: 2}"; done
} >many.yaml
t_expect "13 of 17 sources down: UNKNOWN (3)" 3 "$HEADROOM" check -f many.yaml --no-history
t_contains "the summary counts them and names the first five" "$(echo "$T_OUT" | head -n 1)" \
	"13 of 17 sources down: r-down1, r-down2, r-down3, r-down4, r-down5 and 8 more"
t_check "every source has its line" [ "$(echo "$T_OUT" | grep -c '^source ')" -eq 17 ]
t_check "13 of them down" [ "$(echo "$T_OUT" | grep -c '^source [^ ]* ([a-z]*): down: ')" -eq 13 ]
t_contains "error-rate names a probe that is down" "$T_OUT" "error-rate: UNKNOWN: source 'h-down1' (http) is down:"
t_contains "and counts the others" "$T_OUT" "also without it: 'h-down2' (down), 'h-down3' (down), 'h-down4' (down) and 1 more"
t_contains "redis-memory names a Redis that is down" "$T_OUT" "redis-memory: UNKNOWN: source 'r-down1' (redis) is down:"

# The agent says the same: headroom_status 3, the source down at 0.
APORT=$(t_free_port)
cp redis2.yaml agent.yaml
printf 'agent:\n  listen: 127.0.0.1:%s\n' "$APORT" >>agent.yaml
t_start_agent "$APORT" -f agent.yaml --interval 250ms --store "$T_TMP/agent.db"
i=0
while [ $i -lt 50 ] && ! curl -sf "http://127.0.0.1:$APORT/metrics" >metrics.txt; do sleep 0.1; i=$((i + 1)); done
t_contains "agent: headroom_status 3" "$(cat metrics.txt)" "headroom_status 3"
t_contains "agent: the source down is 0" "$(cat metrics.txt)" 'headroom_source_up{source="down",type="redis"} 0'
t_contains "agent: the source up is 1" "$(cat metrics.txt)" 'headroom_source_up{source="up",type="redis"} 1'
curl -sf "http://127.0.0.1:$APORT/status" >status.json
t_check "agent: /status lists the source down" [ "$(get status.json "(d['status'], s['down']['state'])")" = "('unknown', 'down')" ]
t_done
