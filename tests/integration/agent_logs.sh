#!/bin/sh
# Logs that keep speaking: a store that fails every round (a file-size
# limit on the agent, the way a full disk fails a write) is logged once,
# not every round and not "too many errors; stopping here" after 20 and
# then silence; when the limit is lifted, the recovery is logged with the
# count of failures not logged in full. (The summary a window later, "...
# N more in the last 10 min", is tested in tests/unit/test_lograte.c.)
. "$HEADROOM_ROOT/tests/lib.sh"
cd "$T_TMP" || exit 1
command -v prlimit >/dev/null || { t_skip "prlimit (util-linux) is not installed"; t_done; }
APORT=$(t_free_port)
printf 'agent:\n  listen: 127.0.0.1:%s\n' "$APORT" >h.yaml
# A soft limit of 256 KiB per file: the write-ahead log fills within seconds.
# SIGXFSZ ignored, as a full disk raises none: the write just fails.
sh -c 'trap "" XFSZ; ulimit -S -f 512; exec "$0" agent -f h.yaml --store h.db --interval 100ms 2>agent.log' \
	"$HEADROOM" &
AGENT=$!
t_started $AGENT
t_wait_port "$APORT" || { t_not_ok "agent starts"; t_diag "$(cat agent.log)"; t_done; }
# Wait for 30 failed rounds (the store error counter on /metrics).
fails() { curl -s -m 2 "http://127.0.0.1:$APORT/metrics" | sed -n 's/^headroom_store_errors_total //p'; }
# A reply that is late or missing (a loaded machine) is asked again, never
# read as a count.
i=0 n=
while [ $i -lt 300 ]; do
	v=$(fails)
	case $v in '' | *[!0-9]*) ;; *) n=$v; [ "$n" -ge 30 ] && break ;; esac
	sleep 0.2
	i=$((i + 1))
done
t_check "the store failed $n rounds" [ "${n:-0}" -ge 30 ]
t_check "logged once, not every round ($(grep -c 'cannot write the history' agent.log) lines)" \
	[ "$(grep -c 'cannot write the history' agent.log)" -eq 1 ]
t_check "not silenced for good" sh -c "! grep -q 'too many errors' agent.log"
# The disk is freed: the limit is lifted.
prlimit --pid "$AGENT" --fsize=unlimited:
i=0
while ! grep -q "written again" agent.log && [ $i -lt 100 ]; do sleep 0.1; i=$((i + 1)); done
line=$(grep "written again" agent.log)
t_contains "the recovery is logged" "$line" "the history is written again ("
t_check "with the count of failures not logged in full: $line" python3 -c "
import re, sys
m = re.search(r'\((\d+) more failures were not logged in full\)', sys.argv[1])
sys.exit(not (m and int(m.group(1)) >= 29))" "$line"
kill "$AGENT"
wait "$AGENT"
t_check "and it stops cleanly" [ $? -eq 0 ]
t_done
