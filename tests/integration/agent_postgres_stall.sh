#!/bin/sh
# The agent keeps one PostgreSQL session between samples. When the backend
# serving it stops answering (SIGSTOP of our own server's backend, by PID),
# each sample must give up at the source's timeout: the source goes down,
# its triggers UNKNOWN, and the agent keeps sampling instead of waiting for
# TCP to give up (~15 min). After SIGCONT it reconnects and recovers.
. "$HEADROOM_ROOT/tests/lib.sh"
cd "$T_TMP" || exit 1
export XDG_STATE_HOME="$T_TMP/state"
t_start_postgres
PORT=$PG_PORT

APORT=$(t_free_port)
cat >h.yaml <<YAML
metrics:
  sources:
    - type: postgres
      dsn: "postgresql://postgres@127.0.0.1:$PORT/postgres"
      timeout: 1s
agent:
  listen: 127.0.0.1:$APORT
YAML
t_start_agent "$APORT" -f h.yaml --interval 250ms

# status FIELD: from the agent's /status (the last round).
status() {
	curl -s "http://127.0.0.1:$APORT/status" | python3 -c "
import json,sys
d=json.load(sys.stdin)
src=[s for s in d['sources'] if s['type']=='postgres'][0]
print({'up': src['ok'], 'rounds': d['agent']['rounds'], 'error': src['error']}['$1'])"
}
wait_up() {
	i=0
	while [ $i -lt 100 ]; do
		[ "$(status up 2>/dev/null)" = "$1" ] && return 0
		sleep 0.1; i=$((i + 1))
	done
	return 1
}
t_check "the agent samples PostgreSQL" wait_up True

BACKEND=$(psql -X -At -h 127.0.0.1 -p "$PORT" -U postgres -d postgres \
	-c "SELECT pid FROM pg_stat_activity WHERE application_name = 'headroom'" | head -n 1)
t_check "the agent's session is one backend (pid $BACKEND)" [ -n "$BACKEND" ]
[ -n "$BACKEND" ] || t_done
kill -STOP "$BACKEND"
t_started "$BACKEND" # a stopped process is still ours to clean up
t0=$(date +%s.%N)
# The next round gives up on the stopped session and the one after opens a
# new one (the postmaster still answers), so the source is down for about
# one round: the log, not a poll of /status, is where that shows for sure.
i=0
while ! grep -q "source postgres (postgres) is down" agent.log && [ $i -lt 300 ]; do sleep 0.05; i=$((i + 1)); done
t1=$(date +%s.%N)
t_contains "with its backend stopped, the source goes down, and the log says why" "$(cat agent.log)" \
	"source postgres (postgres) is down: postgres: no reply within 1 s"
t_check "within the timeout and a round, not TCP's minutes ($(python3 -c "print(round($t1 - $t0, 2))") s)" \
	python3 -c "import sys; sys.exit(not $t1 - $t0 < 5)"
r0=$(status rounds)
sleep 3
r1=$(status rounds)
t_check "and it keeps sampling ($r0 -> $r1 rounds in 3 s)" [ "$r1" -gt $((r0 + 1)) ]

kill -CONT "$BACKEND"
t_contains "it reconnects, and the log says the source answers again" "$(cat agent.log)" \
	"source postgres (postgres) answers again"
t_check "the source is up" wait_up True
t_done
