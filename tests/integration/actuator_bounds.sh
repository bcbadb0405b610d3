#!/bin/sh
# Actuators inside their budget (docs/autoscale.md, "Bounds"), with real
# processes and a real agent on loopback:
#   - at its timeout an actuation is killed with its whole process group: a
#     child that would touch a marker later never does, no process of the
#     group is left;
#   - the agent's autoscaler runs on a thread of its own: while an actuator
#     hangs, /status answers 200 with fresh samples and no round is skipped;
#   - SIGTERM ends the agent within a second in the middle of a hanging
#     actuation, and the actuation's group goes with it;
#   - kill -9 of the agent mid-actuation and a restart at once: the restarted
#     agent waits for the running command (the resize runs once), or kills its
#     group at its timeout before deciding again.
. "$HEADROOM_ROOT/tests/lib.sh"
cd "$T_TMP" || exit 1
mkdir -p kids

# The actuation's children are not the test's: stop any still there by the
# pids the script recorded, whatever happens.
stop_kids() {
	for f in "$T_TMP"/kids/*; do
		[ -e "$f" ] && for p in $(cat "$f"); do kill -9 "$p" 2>/dev/null; done
	done
}
trap 'stop_kids; t_cleanup' EXIT INT TERM

now() { date +%s.%N; }
# elapsed T0: seconds since T0 (from now()).
elapsed() { awk -v a="$1" -v b="$(now)" 'BEGIN { printf "%.3f", b - a }'; }
# live_in_group PGID: processes of the group that are not zombies.
live_in_group() { ps -eo pgid=,stat=,pid= | awk -v g="$1" '$1 == g && $2 !~ /^Z/ { n++ } END { print n + 0 }'; }
# live_pids FILE: which of the pids in FILE are running (not zombies).
live_pids() {
	n=0
	for p in $(cat "$1"); do
		s=$(ps -o stat= -p "$p" 2>/dev/null)
		case "$s" in "" | Z*) ;; *) n=$((n + 1)) ;; esac
	done
	echo $n
}
# wait_for FILE PATTERN [TENTHS]
wait_for() {
	i=0
	while ! grep -q "$2" "$1" 2>/dev/null && [ $i -lt "${3:-100}" ]; do sleep 0.1; i=$((i + 1)); done
	grep -q "$2" "$1" 2>/dev/null
}

# The actuator. `current` prints the count; `scale` logs "begin N", records
# its process group and does what ./mode says:
#   hang    - starts a child that touches ./marker after ./marker_after s and
#             a `sleep 30`, then waits for them (a command that hangs);
#   stubborn - the same, ignoring SIGTERM (it and its children);
#   slow    - works 2 s, then sets the count (a resize that takes a while);
#   quick   - sets the count at once.
# After each call ./mode becomes ./mode.next when there is one.
cat >scale.sh <<'SH'
#!/bin/sh
cd "$(dirname "$0")"
case "$1" in
current) cat count ;;
scale)
	m=$(cat mode)
	[ -e mode.next ] && mv mode.next mode
	n=$(($(cat calls 2>/dev/null || echo 0) + 1))
	echo $n >calls
	echo "begin $3 ($m)" >>calls.log
	ps -o pgid= -p $$ | tr -d ' ' >pgid.$n
	[ "$m" = stubborn ] && trap '' TERM
	case "$m" in
	hang | stubborn)
		(sleep "$(cat marker_after)"; touch marker) &
		echo $! >"kids/$n"
		sleep 30 &
		echo $! >>"kids/$n"
		echo $$ >>"kids/$n"
		wait ;;
	slow) sleep 2; echo "$3" >count; echo "applied $3" >>calls.log ;;
	quick) echo "$3" >count; echo "applied $3" >>calls.log ;;
	esac ;;
esac
SH
chmod +x scale.sh

# config NAME TIMEOUT: the agent every second, a service at 1 replica with
# min 2 (the loop resizes to 2 at once: no metric source needed).
config() {
	cat >"$1.yaml" <<YAML
agent:
  store: $T_TMP/$1.db
  interval: 1s
autoscale:
  apply: true
  interval: 1s
  timeout: $2
  services:
    web:
      actuator: exec
      command: [$T_TMP/scale.sh]
      min: 2
      max: 5
      metrics:
        - {metric: host.cpu.utilization, target_value: 0.5}
YAML
}
reset() { rm -f calls calls.log marker pgid.* mode.next; echo 1 >count; echo "$1" >mode; echo "${2:-3}" >marker_after; }

# --- 1. the timeout kills the whole group ---

reset hang 3
config once 1s
t0=$(now)
t_expect "a round with a hanging actuator" 0 "$HEADROOM" autoscale -f once.yaml --once
took=$(elapsed "$t0")
t_contains "the resize failed at its timeout" "$T_ERR" "[FAILED: $T_TMP/scale.sh: timed out after 1.00 s (killed with its process group)"
t_check "the round ended within the timeout and its grace ($took s)" awk -v t="$took" 'BEGIN { exit !(t < 3.5) }'
PG=$(cat pgid.1)
t_check "the actuation ran in a process group of its own" [ -n "$PG" -a "$PG" != "$(ps -o pgid= -p $$ | tr -d ' ')" ]
t_check "no process of its group is left ($(live_in_group "$PG") live)" [ "$(live_in_group "$PG")" -eq 0 ]
t_check "none of the children it started runs ($(live_pids kids/1) live)" [ "$(live_pids kids/1)" -eq 0 ]
sleep 3
t_check "the child that would have resized later never did (no marker after 4 s)" [ ! -e marker ]
t_check "the intent is closed as failed" [ "$(sqlite3 once.db "select state from scale_intents")" = failed ]
t_check "no actuation is recorded as running afterwards" sh -c "! ls once.db.autoscale-*.pid 2>/dev/null | grep -q ."

# --- 2. a hanging actuator delays nothing in the agent; 3. SIGTERM within 1 s ---

reset stubborn 30
config agent 20s
PORT=$(t_free_port)
"$HEADROOM" agent -f agent.yaml --listen "127.0.0.1:$PORT" 2>agent.log &
A=$!
t_started $A
t_wait_port "$PORT" || { t_not_ok "the agent starts"; t_diag "$(cat agent.log)"; t_done; }
wait_for calls.log "begin 2" || t_not_ok "the resize begins"
# 5 s into the hang: /status every half second, the samples' time moving on.
codes="" stamps="" prev=0 fresh=0
for i in $(seq 1 10); do
	sleep 0.5
	c=$(curl -s -o status.json -w '%{http_code}' "http://127.0.0.1:$PORT/status")
	codes="$codes$c "
	t=$(curl -s "http://127.0.0.1:$PORT/metrics" | awk '/^headroom_last_sample_timestamp_seconds/ { print $2 }')
	stamps="$stamps$t "
	awk -v a="$t" -v b="$prev" 'BEGIN { exit !(a > b) }' && fresh=$((fresh + 1))
	prev=${t:-0}
done
t_check "during the hang /status answers 200 every time ($codes)" [ "$codes" = "200 200 200 200 200 200 200 200 200 200 " ]
t_check "the samples are fresh: their time moved on at least 4 times in 5 s ($stamps)" [ "$fresh" -ge 4 ]
rounds=$(curl -s "http://127.0.0.1:$PORT/metrics" | awk '/^headroom_agent_rounds_total/ { print $2 }')
t_check "rounds go on every second during the hang ($rounds rounds)" [ "${rounds:-0}" -ge 5 ]
t_check "no tick was skipped" sh -c "! grep -q 'skipped' agent.log"
t_check "the actuator is still hanging (one call)" [ "$(cat calls)" = 1 -a ! -e marker ]
PG=$(cat pgid.1)
t0=$(now)
kill -TERM $A
wait $A
rc=$?
took=$(elapsed "$t0")
t_check "SIGTERM ends the agent within a second in the middle of a hang that ignores SIGTERM ($took s, exit $rc)" \
	awk -v t="$took" -v rc=$rc 'BEGIN { exit !(t < 1.0 && rc == 0) }'
t_check "the actuation's group is killed on the way out ($(live_in_group "$PG") live)" [ "$(live_in_group "$PG") $(live_pids kids/1)" = "0 0" ]
t_contains "the interrupted resize is logged" "$(cat agent.log)" "autoscale: web: the resize 1 -> 2 was interrupted by the stop"
t_check "and left for the next start to reconcile" [ "$(sqlite3 agent.db "select state from scale_intents")" = pending ]

# The same for the loop of `headroom autoscale`.
reset stubborn 30
"$HEADROOM" autoscale -f agent.yaml 2>loop.log &
A=$!
t_started $A
wait_for calls.log "begin 2" || t_not_ok "the resize begins"
sleep 0.5
t0=$(now)
kill -TERM $A
wait $A
rc=$?
took=$(elapsed "$t0")
t_check "SIGTERM ends \`headroom autoscale\` within a second in the middle of the hang ($took s, exit $rc)" \
	awk -v t="$took" -v rc=$rc 'BEGIN { exit !(t < 1.0 && rc == 0) }'
t_check "and kills the actuation's group ($(live_pids kids/1) live)" [ "$(live_in_group "$(cat pgid.1)") $(live_pids kids/1)" = "0 0" ]

# --- 4. kill -9 mid-actuation, restart at once: the resize runs once ---

reset slow
config crash 20s
PORT=$(t_free_port)
"$HEADROOM" agent -f crash.yaml --listen "127.0.0.1:$PORT" 2>crash.log1 &
A=$!
t_started $A
wait_for calls.log "begin 2" || t_not_ok "the resize begins"
kill -9 $A
wait $A 2>/dev/null
PORT=$(t_free_port)
"$HEADROOM" agent -f crash.yaml --listen "127.0.0.1:$PORT" 2>crash.log2 &
B=$!
t_started $B
wait_for crash.log2 "begun before a restart was" 100
sleep 2.5
kill $B
wait $B
L=$(cat crash.log2)
t_contains "the restarted agent waits for the command still running" "$L" \
	"autoscale: web: the resize 1 -> 2 begun before a restart is still running (pid "
t_contains "then finds it applied" "$L" "autoscale: web: the resize 1 -> 2 begun before a restart was applied: 2 running now"
t_check "the actuator was called once for the resize ($(grep -c begin calls.log) calls)" [ "$(grep -c begin calls.log)" -eq 1 ]
t_check "2 replicas, the intent done" [ "$(cat count)" = 2 -a "$(sqlite3 crash.db "select group_concat(state) from scale_intents")" = done ]

# --- 5. kill -9, restart, the old command hangs: killed at its timeout ---

reset stubborn 6
echo quick >mode.next
config hung 3s
PORT=$(t_free_port)
"$HEADROOM" agent -f hung.yaml --listen "127.0.0.1:$PORT" 2>hung.log1 &
A=$!
t_started $A
wait_for calls.log "begin 2" || t_not_ok "the resize begins"
t0=$(now)
kill -9 $A
wait $A 2>/dev/null
PORT=$(t_free_port)
"$HEADROOM" agent -f hung.yaml --listen "127.0.0.1:$PORT" 2>hung.log2 &
B=$!
t_started $B
wait_for calls.log "applied 2" 100
early=$(elapsed "$t0")
sleep 4
kill $B
wait $B
L=$(cat hung.log2)
t_contains "the restarted agent kills the old command's group at its timeout" "$L" \
	"autoscale: web: the resize 1 -> 2 begun before a restart was still running at its timeout: its process group killed"
t_check "no new resize before the old one's timeout ($early s after the kill)" awk -v t="$early" 'BEGIN { exit !(t >= 2) }'
t_check "the old command's children are gone ($(live_pids kids/1) live)" [ "$(live_pids kids/1)" -eq 0 ]
t_check "the old command's late resize never happened (no marker)" [ ! -e marker ]
t_check "then one resize, decided afresh" [ "$(cat calls.log)" = "begin 2 (stubborn)
begin 2 (quick)
applied 2" -a "$(cat count)" = 2 ]
t_check "the intents: aborted, then done" [ "$(sqlite3 hung.db "select group_concat(state) from scale_intents")" = "aborted,done" ]
t_done
