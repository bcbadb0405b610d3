#!/bin/sh
# Kill the agent with SIGKILL mid-write, 20 times in a row, sampling every
# 100 ms: each time the store must open, pass SQLite's integrity check, hold
# every sample of every committed batch, and hold the last batch the agent
# reported as stored before it died.
. "$HEADROOM_ROOT/tests/lib.sh"
command -v sqlite3 >/dev/null || { t_skip "sqlite3 is not installed"; t_done; }
cd "$T_TMP" || exit 1
DB="$T_TMP/kill/history.db"
prev=0
bad=0
for round in $(seq 1 20); do
	PORT=$(t_free_port)
	"$HEADROOM" agent --store "$DB" --listen "127.0.0.1:$PORT" --interval 100ms -v 2>"agent.$round.log" &
	pid=$!
	# 0.5 s to 1.4 s in: somewhere between batches, or inside one.
	sleep "$(python3 -c "import random; print(round(random.uniform(0.5, 1.4), 3))")"
	kill -KILL $pid
	wait $pid 2>/dev/null
	ic=$(sqlite3 "$DB" "pragma integrity_check" 2>&1)
	counts=$(sqlite3 "$DB" "select (select count(*) from samples), (select sum(n) from batches), (select count(*) from batches)" 2>&1)
	samples=${counts%%|*}
	rest=${counts#*|}
	batched=${rest%%|*}
	batches=${rest#*|}
	last=$(grep -o 'stored batch t=[0-9.]*' "agent.$round.log" | tail -n 1 | sed 's/.*t=//')
	have_last=1
	if [ -n "$last" ]; then
		have_last=$(sqlite3 "$DB" "select count(*) from batches where abs(t - $last) < 1e-6")
	fi
	if [ "$ic" != ok ] || [ "$samples" != "$batched" ] || [ "$batches" -lt "$prev" ] || [ "$have_last" != 1 ]; then
		bad=$((bad + 1))
		t_diag "round $round: integrity=$ic samples=$samples batched=$batched batches=$batches (before $prev) last=$last found=$have_last"
	fi
	prev=$batches
done
t_check "20 SIGKILLs: the store opens and passes integrity_check every time ($bad bad)" [ $bad -eq 0 ]
t_check "batches accumulated across the kills ($prev)" [ "$prev" -ge 40 ]
# And the binary itself opens it and reads the history back.
t_expect "check opens the store afterwards" 0 sh -c "\"$HEADROOM\" check --store \"$DB\" --format json >/dev/null || [ \$? -le 2 ]"
t_done
