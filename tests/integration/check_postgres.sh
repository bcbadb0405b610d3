#!/bin/sh
# headroom check against a real PostgreSQL 15 started here: 40 open
# connections are counted and fire the db-connections trigger, a growing
# table grows the database size, and a stopped server makes its triggers
# UNKNOWN with the reason.
. "$HEADROOM_ROOT/tests/lib.sh"
cd "$T_TMP" || exit 1
export XDG_STATE_HOME="$T_TMP/state"
t_start_postgres -c max_connections=50
PORT=$PG_PORT
PSQL="psql -X -q -h 127.0.0.1 -p $PORT -U postgres -d postgres"

cat >h.yaml <<YAML
metrics:
  sources:
    - type: postgres
      dsn: "postgresql://postgres@127.0.0.1:$PORT/postgres"
      timeout: 3s
triggers:
  db-connections:
    for: 0s
YAML

metric() { python3 -c "
import json,sys
d=json.load(open('$1'))
v=[m['value'] for m in d['metrics'] if m['name']=='$2']
print(v[0] if v else 'missing')"; }
trig() { python3 -c "
import json
d=json.load(open('$1'))
t=[t for t in d['triggers'] if t['name']=='$2'][0]
print(t['$3'])"; }

"$HEADROOM" check -f h.yaml --format json >idle.json
t_check "idle: exit OK" [ $? -eq 0 ]
used=$(metric idle.json postgres.connections.used)
max=$(metric idle.json postgres.connections.max)
t_check "idle: max_connections read as 50 (got $max)" [ "${max%.*}" = 50 ]
t_check "idle: few connections in use (got $used)" [ "${used%.*}" -le 5 ]
size0=$(metric idle.json postgres.database.size_bytes)
hit=$(metric idle.json postgres.cache_hit_ratio)
t_check "cache hit ratio is a ratio (got $hit)" python3 -c "assert 0 <= float('$hit') <= 1"

# 40 clients holding a session open.
n=0
while [ $n -lt 40 ]; do
	$PSQL -c "select pg_sleep(60)" >/dev/null 2>&1 &
	t_started $!
	n=$((n + 1))
done
i=0
while [ $i -lt 100 ]; do
	c=$($PSQL -At -c "select count(*) from pg_stat_activity where backend_type='client backend'" 2>/dev/null)
	[ "${c:-0}" -ge 41 ] && break
	sleep 0.1; i=$((i + 1))
done
t_sleeps=$(date +%s.%N) # every pg_sleep session is connected by now
"$HEADROOM" check -f h.yaml --format json >busy.json
st=$?
used=$(metric busy.json postgres.connections.used)
t_check "40 open connections are counted (got $used, ours included)" python3 -c "assert 40 <= float('$used') <= 44"
t_check "db-connections fires: 41/50 > 70% of the pool, exit WARNING (got $st)" [ $st -eq 1 ]
t_check "db-connections state is warning" [ "$(trig busy.json db-connections state)" = warning ]
t_check "the trigger names its source" [ "$(trig busy.json db-connections source)" = postgres ]
"$HEADROOM" check -f h.yaml >busy.txt
t_contains "text names the advice" "$(cat busy.txt)" "db-connections: WARNING on postgres.connections.used_ratio; do: Increase the pool"

# A growing table grows the database.
$PSQL -c "create table grow(id int, pad text); insert into grow select g, repeat('x', 200) from generate_series(1, 100000) g" >/dev/null
# Let the pg_sleep queries run at least 1.5 s, however fast the steps above were.
sleep "$(python3 -c "import time; print(max(0, 1.5 - (time.time() - $t_sleeps)))")"
"$HEADROOM" check -f h.yaml --format json >grown.json
size1=$(metric grown.json postgres.database.size_bytes)
t_check "database size grows with a 20 MB table ($size0 -> $size1)" python3 -c "assert float('$size1') - float('$size0') > 15e6"
lq=$(metric grown.json postgres.longest_query_s)
t_check "longest running query is seen (pg_sleep sessions: $lq s)" python3 -c "assert float('$lq') >= 1.0"
t_check "no replica: replication lag is not applicable" [ "$(metric grown.json postgres.replication_lag_s)" = None ]

# Server gone: UNKNOWN, never OK.
kill "$(head -n 1 pg/postmaster.pid)"
i=0; while t_wait_port "$PORT" 1 && [ $i -lt 50 ]; do sleep 0.1; i=$((i + 1)); done
t_expect "server stopped: exit UNKNOWN (3)" 3 "$HEADROOM" check -f h.yaml
t_contains "the reason is given" "$T_OUT" "db-connections: UNKNOWN: source 'postgres' (postgres) is down"
"$HEADROOM" check -f h.yaml --format json >down.json
t_check "db-size is unknown too, not ok" [ "$(trig down.json db-size state)" = unknown ]
t_check "the source is listed as failed with its error" python3 -c "
import json
s=json.load(open('down.json'))['sources'][0]
assert s['ok'] is False and 'refused' in s['error'], s"
t_done
