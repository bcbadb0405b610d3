#!/bin/sh
# Fault injection into the autoscaling loop, with a real Redis (and a real
# Prometheus for an empty result):
#   - a metric missing, NaN, stale or empty never scales down;
#   - a failing actuator is retried with a doubling wait, reported, and the
#     resize is applied once when it works again;
#   - kill -9 of the loop between the decision and the resize, then a
#     restart: the resize is reconciled (never run twice), the rate limit and
#     the stabilisation window still hold.
. "$HEADROOM_ROOT/tests/lib.sh"
command -v redis-server >/dev/null || { t_skip "redis-server is not installed"; t_done; }
cd "$T_TMP" || exit 1
RPORT=$(t_free_port)
redis-server --port "$RPORT" --bind 127.0.0.1 --save '' --appendonly no --dir "$T_TMP" >redis.log 2>&1 &
REDIS=$!
t_started $REDIS
t_wait_port "$RPORT" || { t_not_ok "redis starts"; t_diag "$(cat redis.log)"; t_done; }
R="redis-cli -p $RPORT"

# The actuator: the count in a file; each scale call logged.
cat >scale.sh <<'SH'
#!/bin/sh
cd "$(dirname "$0")"
case "$1" in
current) cat count ;;
scale) echo "$3" >count; echo "scale $2 $3" >>scale.log ;;
esac
SH
chmod +x scale.sh

# config FILE METRIC-LINES EXTRA: a service at 3 replicas, min 1, max 10.
config() {
	cat >"$1" <<YAML
metrics:
  sources:
    - type: redis
      url: "redis://127.0.0.1:$RPORT"
      queues: [jobs, celery]
$4
agent:
  store: $T_TMP/$1.db
autoscale:
  apply: true
  interval: 1s
  max_age: 2s
  services:
    worker:
      actuator: exec
      command: [$T_TMP/scale.sh]
      min: 1
      max: 10
      scale_down:
        stabilization: 0s
$3
      metrics:
$2
YAML
}

# --- a metric missing, NaN, stale or empty never scales down ---

echo 3 >count
config missing.yaml "        - {metric: 'redis.queue.length{key=\"nope\"}', target_average: 10}"
t_expect "missing: a round" 0 "$HEADROOM" autoscale -f missing.yaml --once
t_contains "missing: held, and why" "$T_ERR" 'worker: hold 3: no valid metric (redis.queue.length{key="nope"}: missing): no scaling'

# Celery messages carry no enqueue time: the wait of a Celery list is NaN.
$R RPUSH celery '{"task": "x"}' >/dev/null
config nan.yaml "        - {metric: 'redis.queue.length{key=\"jobs\"}', target_average: 10}
        - {metric: 'redis.queue.wait{key=\"celery\"}', target_average: 1s}"
t_expect "NaN: a round" 0 "$HEADROOM" autoscale -f nan.yaml --once
t_contains "NaN: the empty queue would scale down, the NaN holds it" "$T_ERR" \
	'worker: hold 3: metric redis.queue.wait{key="celery"} is invalid (nan) and the valid ones propose scaling down to 0: no scaling while a metric is missing'
t_check "missing and NaN: still 3 replicas, nothing run" sh -c '[ "$(cat count)" -eq 3 ] && [ ! -e scale.log ]' 

# Empty: a Prometheus query that answers an empty vector.
if command -v prometheus >/dev/null; then
	PPORT=$(t_free_port)
	printf 'global: {scrape_interval: 1s}\nscrape_configs: []\n' >prom.yml
	prometheus --config.file=prom.yml --storage.tsdb.path="$T_TMP/tsdb" --web.listen-address="127.0.0.1:$PPORT" \
		>prom.log 2>&1 &
	t_started $!
	if t_wait_port "$PPORT" 150; then
		i=0; while ! curl -sf "http://127.0.0.1:$PPORT/-/ready" >/dev/null && [ $i -lt 100 ]; do sleep 0.1; i=$((i + 1)); done
		config empty.yaml "        - {metric: depth, target_average: 10}" "" "    - type: prometheus
      url: http://127.0.0.1:$PPORT
      queries: {depth: 'sum(no_such_metric_anywhere)'}"
		t_expect "empty: a round" 0 "$HEADROOM" autoscale -f empty.yaml --once
		t_contains "empty: an empty result is no value, never 0" "$T_ERR" 'worker: hold 3: no valid metric (depth: missing): no scaling'
	else
		t_not_ok "prometheus starts"; t_diag "$(tail -5 prom.log)"
	fi
else
	t_skip "prometheus is not installed: the empty-result case"
fi

# Stale: Redis goes away; its last value is used until it is max_age (2 s)
# old, then the metric is stale and nothing scales down.
$R RPUSH jobs $(seq 1 30) >/dev/null
config stale.yaml "        - {metric: 'redis.queue.length{key=\"jobs\"}', target_average: 10}"
"$HEADROOM" autoscale -f stale.yaml -v 2>stale.log &
LOOP=$!
t_started $LOOP
i=0; while ! grep -q 'worker: hold 3' stale.log && [ $i -lt 100 ]; do sleep 0.1; i=$((i + 1)); done
kill "$REDIS"
i=0; while kill -0 "$REDIS" 2>/dev/null && [ $i -lt 50 ]; do sleep 0.1; i=$((i + 1)); done
# (the log names the store, stale.yaml.db: wait for the reason itself)
i=0; while ! grep -q ': stale)' stale.log && [ $i -lt 100 ]; do sleep 0.1; i=$((i + 1)); done
sleep 2
kill "$LOOP"
wait "$LOOP"
t_contains "stale: the last value is used while it is fresh enough" "$(cat stale.log)" "worker: hold 3: every metric within tolerance"
t_contains "stale: then held, and why" "$(cat stale.log)" 'worker: hold 3: no valid metric (redis.queue.length{key="jobs"}: stale): no scaling'
t_check "stale: still 3 replicas, nothing run" sh -c '[ "$(cat count)" -eq 3 ] && [ ! -e scale.log ]' 
redis-server --port "$RPORT" --bind 127.0.0.1 --save '' --appendonly no --dir "$T_TMP" >redis.log 2>&1 &
REDIS=$!
t_started $REDIS
t_wait_port "$RPORT" || { t_not_ok "redis restarts"; t_done; }

# --- a failing actuator ---

cat >failing.sh <<'SH'
#!/bin/sh
cd "$(dirname "$0")"
case "$1" in
current) cat count ;;
scale) echo "$(date +%s.%N) $3" >>attempts.log
	[ -e ok ] || { echo "quota exceeded" >&2; exit 1; }
	echo "$3" >count; echo "scale $2 $3" >>scale.log ;;
esac
SH
chmod +x failing.sh
echo 1 >count
rm -f scale.log
$R DEL jobs >/dev/null
$R RPUSH jobs $(seq 1 50) >/dev/null
config failing.yaml "        - {metric: 'redis.queue.length{key=\"jobs\"}', target_average: 10}"
sed -i "s|scale.sh\]|failing.sh]|; s|max_age: 2s|max_age: 2s\n  retry_max: 4s|" failing.yaml
"$HEADROOM" autoscale -f failing.yaml 2>failing.log &
LOOP=$!
t_started $LOOP
i=0; while [ "$(cat attempts.log 2>/dev/null | wc -l)" -lt 4 ] && [ $i -lt 300 ]; do sleep 0.1; i=$((i + 1)); done
touch ok
i=0; while [ ! -e scale.log ] && [ $i -lt 200 ]; do sleep 0.1; i=$((i + 1)); done
sleep 1.5
kill "$LOOP"
wait "$LOOP"
F=$(cat failing.log)
t_contains "a failure is reported with the command's error" "$F" "[FAILED: $T_TMP/failing.sh: exit 1: quota exceeded; retry in 1.00 s]"
t_contains "the wait doubles" "$F" "quota exceeded; retry in 2.00 s]"
t_contains "up to retry_max" "$F" "quota exceeded; retry in 4.00 s]"
t_check "the gaps between attempts are at least the waits (1, 2, 4 s)" python3 -c "
t = [float(l.split()[0]) for l in open('attempts.log')]
waits = [1, 2, 4, 4]
for i in range(1, len(t)):
    assert t[i] - t[i - 1] >= waits[min(i - 1, 3)] - 0.1, (i, t)"
t_check "once the actuator works, the resize is applied once" [ "$(cat scale.log)" = "scale worker 5" ]
t_check "5 replicas run" [ "$(cat count)" -eq 5 ]
t_check "the store has the failed attempts and one done" [ "$(sqlite3 failing.yaml.db "
	select sum(state = 'failed') >= 3, sum(state = 'done') from scale_intents")" = "1|1" ]

# --- kill -9 between the decision and the resize ---

# The actuator's scale waits for a 'release' file, so the test can kill the
# loop while the resize is in flight; then applies it if told to.
cat >slow.sh <<'SH'
#!/bin/sh
cd "$(dirname "$0")"
case "$1" in
current) cat count ;;
scale) echo "begin $3" >>calls.log; echo $$ >slow.pid; touch started
	i=0; while [ ! -e release ] && [ $i -lt 300 ]; do sleep 0.1; i=$((i + 1)); done
	[ "$(cat release 2>/dev/null)" = apply ] || exit 1
	echo "$3" >count; echo "applied $3" >>calls.log ;;
esac
SH
chmod +x slow.sh
# crash NAME: start the loop, kill -9 it once the resize has begun.
crash() {
	rm -f started release calls.log
	"$HEADROOM" autoscale -f "$1" 2>"$1.log1" &
	L=$!
	t_started $L
	i=0; while [ ! -e started ] && [ $i -lt 200 ]; do sleep 0.1; i=$((i + 1)); done
	kill -9 $L
	wait $L 2>/dev/null
	t_check "$1: the loop was killed with its resize in flight" \
		[ -e started -a "$(sqlite3 "$1.db" "select from_n, to_n, state from scale_intents")" = "1|4|pending" ]
}
$R DEL jobs >/dev/null
$R RPUSH jobs $(seq 1 100) >/dev/null
config kill.yaml "        - {metric: 'redis.queue.length{key=\"jobs\"}', target_average: 10}" "      scale_up:
        policies: [{type: pods, value: 3, period: 60s}]"
sed -i "s|scale.sh\]|slow.sh]|; s|stabilization: 0s|stabilization: 30s|" kill.yaml

# 1. The resize goes through after the kill.
echo 1 >count
crash kill.yaml
echo apply >release
i=0; while ! grep -q 'applied 4' calls.log && [ $i -lt 100 ]; do sleep 0.1; i=$((i + 1)); done
"$HEADROOM" autoscale -f kill.yaml 2>kill.log2 &
L=$!
t_started $L
i=0; while [ "$(grep -c 'worker: hold 4' kill.log2)" -lt 1 ] && [ $i -lt 100 ]; do sleep 0.1; i=$((i + 1)); done
sleep 3
kill $L
wait $L
K=$(cat kill.log2)
t_contains "restart: the resize found applied, counted, not run again" "$K" "worker: the resize 1 -> 4 begun before a restart was applied: 4 running now; counted toward the rate limit"
t_contains "restart: the rate limit still holds (3 per 60 s)" "$K" 'worker: hold 4: redis.queue.length{key="jobs"} above target (proposes 10); scale-up policy limit at 4 (wanted 10)'
t_check "restart: the command ran once" [ "$(cat calls.log)" = "begin 4
applied 4" ]
t_check "restart: 4 replicas, the intent closed as done" \
	[ "$(cat count)" = 4 -a "$(sqlite3 kill.yaml.db "select state, error from scale_intents")" = "done|reconciled after a restart" ]
# The down window still holds across a restart: the queue empties, the
# recommendation of 10 made before the restart keeps the 4 replicas.
$R DEL jobs >/dev/null
"$HEADROOM" autoscale -f kill.yaml --once 2>kill.log3
t_contains "restart: the stabilisation window still holds" "$(cat kill.log3)" \
	'worker: hold 4: all metrics below target (highest proposal 0, from redis.queue.length{key="jobs"}); scale-down stabilisation: the highest recommendation of the last 30 s is 10'
t_check "restart: still 4 replicas" [ "$(cat count)" -eq 4 ]

# 2. The resize dies with the loop (the command killed too): not applied,
# so the restarted loop decides afresh and resizes once.
$R RPUSH jobs $(seq 1 100) >/dev/null
rm -f kill2.yaml.db*
sed "s|kill.yaml.db|kill2.yaml.db|" kill.yaml >kill2.yaml
echo 1 >count
crash kill2.yaml
kill -9 "$(cat slow.pid)"
echo apply >release
"$HEADROOM" autoscale -f kill2.yaml 2>kill2.log2 &
L=$!
t_started $L
i=0; while ! grep -q 'applied 4' calls.log && [ $i -lt 100 ]; do sleep 0.1; i=$((i + 1)); done
sleep 1.5
kill $L
wait $L
t_contains "restart: the killed resize found not applied" "$(cat kill2.log2)" "worker: the resize 1 -> 4 begun before a restart was not applied: 1 running now; not run again"
t_check "restart: decided afresh and applied once" [ "$(cat calls.log)" = "begin 4
begin 4
applied 4" -a "$(cat count)" = 4 ]
t_check "restart: one intent aborted, one done" [ "$(sqlite3 kill2.yaml.db "select group_concat(state, ',') from scale_intents")" = "aborted,done" ]
t_done
