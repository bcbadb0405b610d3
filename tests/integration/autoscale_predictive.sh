#!/bin/sh
# The predictive option: reactive while the store holds less than two days of
# a metric's history; with three days showing a daily peak five minutes from
# now, the seasonal forecast scales up ahead of it and says so; a forecast
# never scales down.
. "$HEADROOM_ROOT/tests/lib.sh"
command -v redis-server >/dev/null || { t_skip "redis-server is not installed"; t_done; }
cd "$T_TMP" || exit 1
RPORT=$(t_free_port)
redis-server --port "$RPORT" --bind 127.0.0.1 --save '' --appendonly no --dir "$T_TMP" >redis.log 2>&1 &
t_started $!
t_wait_port "$RPORT" || { t_not_ok "redis starts"; t_diag "$(cat redis.log)"; t_done; }
R="redis-cli -p $RPORT"
$R RPUSH jobs $(seq 1 10) >/dev/null

# The actuator keeps the count in a file.
cat >scale.sh <<'SH'
#!/bin/sh
case "$1" in
current) cat count ;;
scale) echo "$3" >count; echo "scale $2 $3" >>scale.log ;;
esac
SH
chmod +x scale.sh
echo 1 >count
cat >h.yaml <<YAML
metrics:
  sources:
    - type: redis
      url: "redis://127.0.0.1:$RPORT"
      queues: [jobs]
agent:
  store: $T_TMP/h.db
autoscale:
  apply: true
  services:
    worker:
      actuator: exec
      command: [$T_TMP/scale.sh]
      min: 1
      max: 8
      predictive: true
      predictive_lead: 5m
      metrics:
        - metric: 'redis.queue.length{key="jobs"}'
          target_average: 10
YAML
SERIES='redis.queue.length{key="jobs"}'

# history DAYS: DAYS of 5-minute samples ending a minute ago, 10 jobs, and
# 200 from 2 to 25 minutes after the present time of day, every day.
history() {
	python3 - "$1" "$SERIES" <<'PY'
import sqlite3, sys, time
days, name = float(sys.argv[1]), sys.argv[2]
db = sqlite3.connect("h.db")
sid = db.execute("SELECT id FROM series WHERE name = ?", (name,)).fetchone()[0]
now = time.time()
tod = now % 86400
t = now - days * 86400
while t < now - 60:
    d = (t % 86400 - tod) % 86400
    db.execute("INSERT OR REPLACE INTO samples(series, t, v) VALUES(?, ?, ?)", (sid, t, 200.0 if 120 <= d <= 1500 else 10.0))
    t += 300
db.commit()
PY
}

t_expect "a first round: the store has no history yet" 0 "$HEADROOM" autoscale -f h.yaml --once
t_contains "it says it is reactive until two days are stored" "$T_ERR" "worker: predictive: reactive until 2 days of history of $SERIES are stored"
t_check "and holds 1 (10 jobs, 10 per replica)" [ "$(cat count)" -eq 1 ]

history 1
t_expect "one day of history" 0 "$HEADROOM" autoscale -f h.yaml --once -v
t_contains "is not enough: reactive" "$T_ERR" "worker: predictive: reactive until 2 days of history"
t_contains "the decision is the reactive one" "$T_ERR" "worker: hold 1: every metric within tolerance"
t_check "nothing resized" [ ! -e scale.log ]

history 3
t_expect "three days of history" 0 "$HEADROOM" autoscale -f h.yaml --once
t_contains "the forecast is in use" "$T_ERR" "worker: predictive: the seasonal forecast of $SERIES is in use"
t_contains "it scales up ahead of the peak, saying so" "$T_ERR" "worker: scale up 1 -> 5: predictive: the forecast of $SERIES (forecast +300s) proposes"
t_contains "within the scale-up policy" "$T_ERR" "; scale-up policy limit at 5"
t_check "5 replicas run" [ "$(cat count)" -eq 5 ]
t_check "the stored decision says predictive too" [ "$(sqlite3 h.db "select count(*) from scale_decisions where reason like '%predictive: the forecast%' and desired = 5")" -eq 1 ]

# A forecast only raises the count: with the peak over, 0 jobs now and a low
# forecast, the count comes down by the reactive rules (the down window
# holds it here), never because of the forecast.
python3 - "$SERIES" <<'PY'
import sqlite3, sys, time
db = sqlite3.connect("h.db")
sid = db.execute("SELECT id FROM series WHERE name = ?", (sys.argv[1],)).fetchone()[0]
db.execute("UPDATE samples SET v = 10 WHERE series = ?", (sid,))
db.commit()
PY
$R DEL jobs >/dev/null
t_expect "a round with the peak gone" 0 "$HEADROOM" autoscale -f h.yaml --once -v
t_contains "the forecast's proposal is ignored, not used to scale down" "$T_ERR" "worker: hold 5: all metrics below target"
t_check "5 replicas still run" [ "$(cat count)" -eq 5 ]
t_done
