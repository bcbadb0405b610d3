#!/bin/sh
# A real Redis started here, a Celery-style list, and the queue trigger
# walking OK -> WARNING -> CRITICAL through its `for`, seen by `check`
# replaying the history the agent stores, and by the agent's own log.
. "$HEADROOM_ROOT/tests/lib.sh"
command -v redis-server >/dev/null || { t_skip "redis-server is not installed"; t_done; }
cd "$T_TMP" || exit 1
export XDG_STATE_HOME="$T_TMP/state"
RPORT=$(t_free_port)
redis-server --port "$RPORT" --bind 127.0.0.1 --save '' --appendonly no --dir "$T_TMP" \
	--maxmemory 64mb >redis.log 2>&1 &
t_started $!
t_wait_port "$RPORT" || { t_not_ok "redis starts"; t_diag "$(cat redis.log)"; t_done; }
t_ok "redis runs on 127.0.0.1:$RPORT"
R="redis-cli -p $RPORT"

APORT=$(t_free_port)
cat >h.yaml <<YAML
metrics:
  sources:
    - type: redis
      url: "redis://127.0.0.1:$RPORT"
      queues: [celery, "bull:mail:wait"]
triggers:
  queue-depth:
    metric: 'redis.queue.length{key="celery"}'
    warn: 200
    crit: 500
    for: 4s
agent:
  listen: 127.0.0.1:$APORT

YAML
t_start_agent "$APORT" -f h.yaml --interval 250ms

state() { "$HEADROOM" check -f h.yaml --format json | python3 -c "
import json,sys
d=json.load(sys.stdin)
t=[t for t in d['triggers'] if t['name']=='queue-depth'][0]
print(t['state'], t['value'], (t['pending'] or {}).get('state','-'))"; }
# wait_state WANT TRIES: poll check until the queue trigger is WANT.
wait_state() {
	i=0
	while [ $i -lt "$2" ]; do
		s=$(state)
		[ "${s%% *}" = "$1" ] && return 0
		sleep 0.25; i=$((i + 1))
	done
	t_diag "last: $s"
	return 1
}

t_check "empty queue: ok" wait_state ok 20
# 300 tasks: past warn (200), below crit (500).
python3 -c "print('\n'.join('RPUSH celery task-%d' % i for i in range(300)))" | $R >/dev/null
s=$(state)
t_check "right after 300 pushes the for holds the state at ok (pending warn): $s" [ "$s" = "ok 300.0 warning" ]
t_check "after its 4 s for: WARNING" wait_state warning 60
# 300 more: 600, past crit.
python3 -c "print('\n'.join('RPUSH celery task-%d' % i for i in range(300, 600)))" | $R >/dev/null
s=$(state)
t_check "600 tasks: still WARNING, crit pending: $s" [ "$s" = "warning 600.0 critical" ]
t_check "after its for again: CRITICAL" wait_state critical 60
t_expect "check exits CRITICAL (2)" 2 "$HEADROOM" check -f h.yaml
t_contains "the advice is the default's" "$T_OUT" "do: Add worker replicas"
# check decides from its own fresh sample; the agent decides at its own next
# round, which on a busy machine can come later. Drain only once the agent
# has seen CRITICAL too, or it may go WARNING -> OK and never log it.
i=0; while ! grep -q "queue-depth WARNING -> CRITICAL" agent.log && [ $i -lt 200 ]; do sleep 0.1; i=$((i + 1)); done
$R DEL celery >/dev/null
t_check "drained (key gone): back to ok at once" wait_state ok 20
# check evaluates on its own; the agent logs at its next round.
i=0; while ! grep -q "queue-depth CRITICAL -> OK" agent.log && [ $i -lt 200 ]; do sleep 0.1; i=$((i + 1)); done
t_contains "agent logged OK -> WARNING" "$(cat agent.log)" "queue-depth OK -> WARNING"
t_contains "agent logged WARNING -> CRITICAL" "$(cat agent.log)" "queue-depth WARNING -> CRITICAL"
t_contains "agent logged CRITICAL -> OK" "$(cat agent.log)" "queue-depth CRITICAL -> OK"

# BullMQ: a wait list whose oldest job is 90 s old.
NOW=$(python3 -c 'import time; print(int(time.time()*1000))')
$R HSET bull:mail:1 timestamp $((NOW - 90000)) >/dev/null
$R HSET bull:mail:2 timestamp "$NOW" >/dev/null
$R LPUSH bull:mail:wait 1 >/dev/null
$R LPUSH bull:mail:wait 2 >/dev/null
"$HEADROOM" check -f h.yaml --format json >bull.json
t_check "BullMQ wait list length and oldest job's wait" python3 -c "
import json
m={x['name']: x['value'] for x in json.load(open('bull.json'))['metrics']}
assert m['redis.queue.length{key=\"bull:mail:wait\"}'] == 2, m
assert 89 <= m['redis.queue.wait{key=\"bull:mail:wait\"}'] <= 100, m
assert m['redis.queue.wait{key=\"celery\"}'] is None, m  # Celery messages carry no enqueue time
assert m['redis.memory.max_bytes'] == 64 * 2**20, m
assert 0 < m['redis.memory.used_ratio'] < 1, m
assert m['redis.clients.connected'] >= 2, m"

kill -TERM $AGENT
i=0; while kill -0 $AGENT 2>/dev/null && [ $i -lt 50 ]; do sleep 0.1; i=$((i + 1)); done
t_check "agent stops on SIGTERM" sh -c "! kill -0 $AGENT 2>/dev/null"
wait $AGENT; st=$?
t_check "and exits 0 (got $st)" [ $st -eq 0 ]
t_contains "saying so" "$(cat agent.log)" "stopping after"
t_check "state changes are in the store" [ "$(sqlite3 state/headroom/history.db "select count(*) from transitions where trigger='queue-depth'")" -ge 3 ]

# Redis gone: its triggers are UNKNOWN.
$R shutdown nosave >/dev/null 2>&1
i=0; while t_wait_port "$RPORT" 1 && [ $i -lt 50 ]; do sleep 0.1; i=$((i + 1)); done
t_expect "redis down: UNKNOWN (3)" 3 "$HEADROOM" check -f h.yaml
t_contains "with the reason" "$T_OUT" "queue-depth: UNKNOWN: source 'redis' (redis) is down: redis 127.0.0.1:$RPORT: Connection refused"
t_done
