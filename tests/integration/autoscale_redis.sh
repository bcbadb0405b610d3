#!/bin/sh
# The autoscaler end to end: a real Redis list, a producer pushing jobs, and
# worker processes (each popping jobs) started and stopped by an `exec`
# actuator script, the agent running the loop. The queue drains, the
# replicas rise from zero and fall back to zero within the policies, every
# resize is explained in the log and the store, served on /metrics and
# /status and posted to a webhook.
. "$HEADROOM_ROOT/tests/lib.sh"
command -v redis-server >/dev/null || { t_skip "redis-server is not installed"; t_done; }
cd "$T_TMP" || exit 1
export XDG_STATE_HOME="$T_TMP/state"
mkdir -p pids

# Workers are started by the actuator script, not by this test: stop them by
# the pids the script recorded, whatever happens.
stop_workers() {
	for f in "$T_TMP"/pids/*.pid; do
		[ -e "$f" ] && kill "$(cat "$f")" 2>/dev/null
	done
}
trap 'stop_workers; t_cleanup' EXIT INT TERM

RPORT=$(t_free_port)
redis-server --port "$RPORT" --bind 127.0.0.1 --save '' --appendonly no --dir "$T_TMP" >redis.log 2>&1 &
t_started $!
t_wait_port "$RPORT" || { t_not_ok "redis starts"; t_diag "$(cat redis.log)"; t_done; }
t_ok "redis runs on 127.0.0.1:$RPORT"
R="redis-cli -p $RPORT"

# A worker: pops a job, works 0.2 s on it, until SIGTERM.
cat >worker.sh <<SH
#!/bin/sh
trap 'exit 0' TERM
while :; do
	j=\$(redis-cli -p $RPORT BLPOP jobs 1 | tail -n 1)
	[ -n "\$j" ] && sleep 0.2
done
SH
# The actuator: `current SERVICE` counts live workers, `scale SERVICE N`
# starts or stops workers until N run (argv only: headroom runs no shell).
cat >workers.sh <<SH
#!/bin/sh
D=$T_TMP/pids
alive() { n=0; for f in \$D/*.pid; do [ -e "\$f" ] || continue; if kill -0 "\$(cat "\$f")" 2>/dev/null; then n=\$((n + 1)); else rm -f "\$f"; fi; done; echo \$n; }
case "\$1" in
current) alive ;;
scale)
	[ "\$2" = worker ] || { echo "no service \$2" >&2; exit 2; }
	n=\$(alive)
	while [ "\$n" -lt "\$3" ]; do
		sh $T_TMP/worker.sh </dev/null >/dev/null 2>&1 &
		echo \$! >"\$D/\$!.pid"
		n=\$((n + 1))
	done
	while [ "\$n" -gt "\$3" ]; do
		f=\$(ls "\$D"/*.pid | sort -t/ -k2 | tail -n 1)
		kill "\$(cat "\$f")" 2>/dev/null
		rm -f "\$f"
		n=\$((n - 1))
	done
	echo "\$(date +%s.%N) scale \$2 \$3" >>$T_TMP/scale.log ;;
*) echo "usage: \$0 current|scale SERVICE [N]" >&2; exit 64 ;;
esac
SH
chmod +x worker.sh workers.sh

# A webhook receiver: one JSON body a line in hook.log.
HPORT=$(t_free_port)
python3 -c '
import http.server, sys
class H(http.server.BaseHTTPRequestHandler):
    def do_POST(self):
        body = self.rfile.read(int(self.headers["Content-Length"]))
        with open("hook.log", "ab") as f:
            f.write(body + b"\n")
        self.send_response(200)
        self.end_headers()
    def log_message(self, *a):
        pass
http.server.HTTPServer(("127.0.0.1", int(sys.argv[1])), H).serve_forever()
' "$HPORT" &
t_started $!
t_wait_port "$HPORT" || { t_not_ok "the webhook receiver starts"; t_done; }

APORT=$(t_free_port)
cat >h.yaml <<YAML
metrics:
  sources:
    - type: redis
      url: "redis://127.0.0.1:$RPORT"
      queues: [jobs]
agent:
  listen: 127.0.0.1:$APORT
  webhook: http://127.0.0.1:$HPORT/hook
autoscale:
  apply: true
  interval: 1s
  services:
    worker:
      actuator: exec
      command: [$T_TMP/workers.sh]
      min: 0
      max: 6
      cooldown: 3s
      metrics:
        - metric: 'redis.queue.length{key="jobs"}'
          target_average: 10
      scale_up:
        policies: [{type: pods, value: 2, period: 2s}]
      scale_down:
        stabilization: 4s
        policies: [{type: pods, value: 1, period: 2s}]
YAML
t_expect "the config validates" 0 "$HEADROOM" validate --no-catalog -f h.yaml
t_start_agent "$APORT" -f h.yaml --interval 1s

# Idle: nothing active, nothing started.
i=0; while ! grep -q 'worker: hold 0: no trigger active' agent.log && [ $i -lt 100 ]; do sleep 0.1; i=$((i + 1)); done
t_contains "an empty queue starts nothing" "$(cat agent.log)" "autoscale: worker: hold 0: no trigger active"

# The producer: 400 jobs over about 4 s.
python3 -c '
import subprocess, sys, time
for b in range(8):
    subprocess.run(["redis-cli", "-p", sys.argv[1], "RPUSH", "jobs"] + ["job-%d-%d" % (b, i) for i in range(50)],
                   stdout=subprocess.DEVNULL, check=True)
    time.sleep(0.5)
' "$RPORT"

# It drains: workers were started, and the list empties.
i=0; while [ "$($R LLEN jobs)" -gt 0 ] && [ $i -lt 900 ]; do sleep 0.1; i=$((i + 1)); done
t_check "the queue drains (in $((i / 10)) s)" [ "$($R LLEN jobs)" -eq 0 ]
peak=$(awk '{print $4}' scale.log | sort -n | tail -n 1)
t_check "replicas rose above 1 (peak $peak) and never past max 6" [ "$peak" -gt 1 -a "$peak" -le 6 ]

# /metrics and /status while it runs.
curl -s "http://127.0.0.1:$APORT/metrics" >metrics.txt
t_contains "/metrics has the desired replicas" "$(cat metrics.txt)" 'headroom_autoscale_desired_replicas{service="worker"}'
t_contains "/metrics counts decisions by reason" "$(cat metrics.txt)" 'headroom_autoscale_decisions_total{service="worker",reason="activated"} 1'
curl -s "http://127.0.0.1:$APORT/status" >status.json
t_check "/status has the service, its rule and reason" python3 -c "
import json
s = json.load(open('status.json'))['autoscale']
assert s['apply'] is True, s
w = s['services'][0]
assert w['service'] == 'worker' and w['actuator'] == 'exec' and w['max_replicas'] == 6, w
assert w['rule'] and w['reason'] and w['proposals'][0]['metric'] == 'redis.queue.length{key=\"jobs\"}', w
assert w['scale_ups'] >= 2, w"

# Back to zero: down the policy to 1, then the cooldown.
i=0; while [ "$(./workers.sh current worker)" -gt 0 ] && [ $i -lt 900 ]; do sleep 0.1; i=$((i + 1)); done
t_check "replicas fall back to 0 (in $((i / 10)) s)" [ "$(./workers.sh current worker)" -eq 0 ]
sleep 1.5

DB=state/headroom/history.db
sqlite3 -separator ' ' "$DB" "select t, delta from scale_events where service='worker' order by t" >events.txt
t_diag "scale events: $(tr '\n' ',' <events.txt)"
t_check "every scale-up within the policy: at most 2 added in any 2 s" awk '
	{ t[NR] = $1; d[NR] = $2 }
	END { for (i = 1; i <= NR; i++) { if (d[i] <= 0) continue; s = 0
		for (j = 1; j <= i; j++) if (d[j] > 0 && t[j] > t[i] - 2 + 0.001) s += d[j]
		if (s > 2) { print "at " t[i] ": " s " added in 2 s"; exit 1 } } }' events.txt
# The last event is 1 -> 0, by the cooldown (KEDA's step, outside the HPA's
# policy): it may follow the policy's last step at once.
t_check "every scale-down within the policy: 1 at a time, one per 2 s (then 1 -> 0 by the cooldown)" awk '
	$2 < 0 { n++; t[n] = $1; d[n] = $2 }
	END { for (i = 1; i <= n; i++) { if (d[i] != -1) { print "at " t[i] ": " d[i]; exit 1 }
		if (i > 1 && i < n && t[i] - t[i - 1] < 2 - 0.05) { print "at " t[i]; exit 1 } } }' events.txt
t_check "up and back down: the events add up to 0" [ "$(awk '{s += $2} END {print s}' events.txt)" -eq 0 ]
t_check "the resizes the actuator ran are the recorded events" \
	[ "$(wc -l <scale.log)" -eq "$(wc -l <events.txt)" ]

# The log explains each step.
LOG=$(cat agent.log)
t_contains "activation from zero, explained" "$LOG" 'worker: scale up 0 -> 1: redis.queue.length{key="jobs"} is active (above its activation threshold): start 1 [applied]'
t_contains "a scale-up capped by the policy, explained" "$LOG" "scale-up policy limit at"
t_contains "the down window, explained" "$LOG" "scale-down stabilisation: the highest recommendation of the last 4 s is"
t_contains "the scale-down policy, explained" "$LOG" "scale-down policy limit at"
t_contains "the last replica by the cooldown, explained" "$LOG" "worker: scale down 1 -> 0: no trigger active for the cooldown of 3 s [applied]"
n_applied=$(grep -c '\[applied\]' agent.log)
t_check "one [applied] log line per resize ($n_applied)" [ "$n_applied" -eq "$(wc -l <events.txt)" ]
t_check "each resize has its decision stored with its reason" [ "$(sqlite3 "$DB" "
	select count(*) from scale_events e where not exists (select 1 from scale_decisions d
	where d.service = e.service and d.t = e.t and d.desired - d.current = e.delta and d.reason like 'scale %')")" -eq 0 ]
t_check "no resize left pending or failed" [ "$(sqlite3 "$DB" "select count(*) from scale_intents where state != 'done'")" -eq 0 ]
t_check "the webhook got one post per resize" [ "$(wc -l <hook.log)" -eq "$(wc -l <events.txt)" ]
t_contains "with the service, the counts and the reason" "$(head -n 1 hook.log)" '"text":"headroom autoscale: worker: scale up 0 -> 1: redis.queue.length{key=\"jobs\"} is active (above its activation threshold): start 1","service":"worker","from":0,"to":1,"rule":"activated"'

kill -TERM "$AGENT"
i=0; while kill -0 "$AGENT" 2>/dev/null && [ $i -lt 100 ]; do sleep 0.1; i=$((i + 1)); done
t_check "the agent stops on SIGTERM" sh -c "! kill -0 $AGENT 2>/dev/null"
t_done
