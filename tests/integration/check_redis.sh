#!/bin/sh
# Queue keys of every Redis type, on a real Redis started here: a list, a
# zset and a stream are measured; a key that is no queue (a hash, a set, a
# string) is named with its type and makes the queue trigger UNKNOWN, never
# silently "not applicable".
. "$HEADROOM_ROOT/tests/lib.sh"
command -v redis-server >/dev/null || { t_skip "redis-server is not installed"; t_done; }
cd "$T_TMP" || exit 1
export XDG_STATE_HOME="$T_TMP/state"
RPORT=$(t_free_port)
redis-server --port "$RPORT" --bind 127.0.0.1 --save '' --appendonly no --dir "$T_TMP" >redis.log 2>&1 &
t_started $!
t_wait_port "$RPORT" || { t_not_ok "redis starts"; t_diag "$(cat redis.log)"; t_done; }
R="redis-cli -p $RPORT"
$R RPUSH l a b c >/dev/null
$R ZADD z 1 a 2 b >/dev/null
$R XADD s '*' f v >/dev/null
$R HSET h f v >/dev/null
$R SADD set a >/dev/null
$R SET str x >/dev/null

conf() {
	cat >"$1.yaml" <<YAML
metrics:
  sources:
    - type: redis
      url: "redis://127.0.0.1:$RPORT"
      queues: [$2]
triggers:
  queue-depth: {for: 0s}
YAML
}
get() { python3 -c "
import json
d=json.load(open('$1'))
m={x['name']: x['value'] for x in d['metrics']}
t={x['name']: x for x in d['triggers']}
s={x['name']: x for x in d['skipped']}
print(eval('''$2'''))"; }

conf queues "l, z, s"
t_expect "list, zset and stream: OK" 0 "$HEADROOM" check -f queues.yaml --no-history --format json
echo "$T_OUT" >queues.json
t_check "their lengths" [ "$(get queues.json "[m['redis.queue.length{key=\"%s\"}' % k] for k in 'lzs']")" = "[3.0, 2.0, 1.0]" ]

for k in h set str; do
	conf "$k" "$k"
	t_expect "a queue key '$k' of the wrong type: UNKNOWN" 3 "$HEADROOM" check -f "$k.yaml" --no-history --format json
	echo "$T_OUT" >"$k.json"
	t_check "'$k': queue-depth is unknown, not skipped" [ "$(get "$k.json" "t['queue-depth']['state']")" = unknown ]
done
t_contains "the reason names the key and its type" "$(get h.json "t['queue-depth']['message']")" "queue key 'h' is a hash, not a list, zset or stream"
t_check "the other Redis figures are still read" [ "$(get h.json "m['redis.memory.used_bytes'] > 0")" = True ]

# A healthy Redis needs no optional key: without `queues:` the queue
# triggers do not apply (check exited 3 for good on such a source).
cat >noq.yaml <<YAML
metrics:
  sources:
    - type: redis
      url: "redis://127.0.0.1:$RPORT"
YAML
t_expect "a Redis source without queues: OK (0)" 0 "$HEADROOM" check -f noq.yaml --no-history --format json
echo "$T_OUT" >noq.json
t_check "the queue triggers are not applicable, not unknown" [ "$(get noq.json "sorted(k for k in s if k.startswith('queue'))")" = "['queue-depth', 'queue-wait']" ]
t_check "the source is healthy" [ "$(get noq.json "[x['ok'] for x in d['sources']]")" = "[True]" ]
t_done
