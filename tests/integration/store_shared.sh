#!/bin/sh
# One history store, two users: the store's owner (daemon) runs check and
# the agent, another user (nobody) runs a read-only check on the same store
# in a folder both may write. The other user's check reads the history and
# leaves no file behind; a -wal and -shm another program left as that user
# (python3's sqlite3 opening the store read-only, as an older headroom did)
# are removed by the owner's agent, which then records every round; a -wal
# with something in it is refused with the fix in one line. Before: the
# other user's check left store.db-wal and -shm owned by itself (0644), and
# the owner's check and agent then failed "attempt to write a readonly
# database". Runs as root (it switches users with setpriv).
. "$HEADROOM_ROOT/tests/lib.sh"
cd "$T_TMP" || exit 1
[ "$(id -u)" -eq 0 ] || { t_skip "needs root to run as two users"; t_done; }
command -v setpriv >/dev/null || { t_skip "setpriv (util-linux) is not installed"; t_done; }
id daemon >/dev/null 2>&1 && id nobody >/dev/null 2>&1 || { t_skip "no daemon and nobody users"; t_done; }
# as USER CMD...: run CMD as USER (setpriv execs: the PID is the command's).
as() {
	u=$1
	shift
	setpriv --reuid="$u" --regid="$(id -g "$u")" --clear-groups -- "$@"
}
as nobody "$HEADROOM" --help >/dev/null 2>&1 || { t_skip "the build is not readable by nobody"; t_done; }
# The system's python3: one installed for root alone is not nobody's.
PY=/usr/bin/python3
as nobody "$PY" -c 'import sqlite3' 2>/dev/null || { t_skip "no python3 with sqlite3 that nobody may run"; t_done; }

# Both users reach the folder, and may write it (the case that went wrong).
chmod 755 "$T_TMP"
mkdir s
chmod 777 s
DB=s/store.db
printf 'triggers:\n  cores: {metric: cpu.cores, warn: 100000}\n' >c.yaml
chmod 644 c.yaml
# by USER: the names of the store's files USER owns.
by() { find s -user "$1" -name 'store.db*' | sort | tr '\n' ' '; }

t_expect "the owner's check creates the store" 0 as daemon "$HEADROOM" check -f c.yaml --store "$DB"
t_check "... and records it (no read-only note)" sh -c "! printf '%s' \"\$1\" | grep -q 'read-only here'" _ "$T_OUT"
t_expect "another user's check: exit 0" 0 as nobody "$HEADROOM" check -f c.yaml --store "$DB"
t_contains "... reads the store, not recording" "$T_OUT" "history store $DB is read-only here"
t_contains "... and says why" "$T_OUT" "this user may not write it"
t_check "... and leaves no file of its own (found: $(by nobody))" [ -z "$(by nobody)" ]
t_expect "the owner's check after it: exit 0" 0 as daemon "$HEADROOM" check -f c.yaml --store "$DB"
t_check "... recorded (no read-only note)" sh -c "! printf '%s' \"\$1\" | grep -q 'read-only here'" _ "$T_OUT"

# What an older headroom left: a read-only open by nobody that creates the
# -wal and -shm (SQLite does when the folder lets it).
# ro: like the old check's read, it creates them when they are missing.
leave() {
	as nobody "$PY" -c "
import sqlite3
c = sqlite3.connect('file:$DB?mode=ro', uri=True)
c.execute('SELECT count(*) FROM sqlite_master').fetchall()
c.close()"
}
leave
t_check "another program's read-only open leaves -wal and -shm as nobody ($(by nobody))" \
	[ "$(by nobody)" = "s/store.db-shm s/store.db-wal " ]
t_expect "the owner's check recovers: exit 0" 0 as daemon "$HEADROOM" check -f c.yaml --store "$DB"
t_check "... recorded (no read-only note)" sh -c "! printf '%s' \"\$1\" | grep -q 'read-only here'" _ "$T_OUT"
leave
t_check "left again for the agent ($(by nobody))" [ "$(by nobody)" = "s/store.db-shm s/store.db-wal " ]
APORT=$(t_free_port)
printf 'agent:\n  listen: 127.0.0.1:%s\n' "$APORT" >a.yaml
chmod 644 a.yaml
# setpriv itself, not the function: `as ... &` would fork a shell whose PID
# is not the agent's.
setpriv --reuid=daemon --regid="$(id -g daemon)" --clear-groups -- \
	"$HEADROOM" agent -f a.yaml --store "$DB" --interval 200ms 2>agent.log &
AGENT=$!
t_started $AGENT
t_wait_port "$APORT" || { t_not_ok "the owner's agent starts"; t_diag "$(cat agent.log)"; t_done; }
i=0
while [ $i -lt 100 ]; do
	m=$(curl -s -m 2 "http://127.0.0.1:$APORT/metrics")
	r=$(printf '%s\n' "$m" | sed -n 's/^headroom_agent_rounds_total //p')
	[ "${r:-0}" -ge 5 ] && break
	sleep 0.1
	i=$((i + 1))
done
t_check "the owner's agent runs after it: 5 rounds" [ "${r:-0}" -ge 5 ]
t_contains "... stores every one (no store error)" "$m" "headroom_store_errors_total 0"
t_contains "... having said what it removed" "$(cat agent.log)" \
	"history store $DB: removed its empty -wal and its -shm, which uid $(id -u nobody) left"
# A trigger every machine is past (cpu.cores of 1 core or more above 0.5)
# with a long `for`: how long it has been past comes from the agent's
# rounds in the store, whatever the machine's load.
printf 'triggers:\n  cores: {metric: cpu.cores, warn: 0.25, crit: 0.5, for: 1h}\n' >h.yaml
chmod 644 h.yaml
t_expect "another user's check while the agent runs: exit 0" 0 as nobody "$HEADROOM" check -f h.yaml --store "$DB"
t_contains "... reads the agent's history" "$T_OUT" "cores: past its crit level for"
t_check "... for longer than this check's own sample" sh -c "! printf '%s' \"\$1\" | grep -q 'crit level for 0 s'" _ "$T_OUT"
t_check "... and the store's files are all the owner's ($(by nobody))" [ -z "$(by nobody)" ]
kill "$AGENT"
wait "$AGENT"
rc=$?
t_check "the agent stops cleanly (exit $rc)" [ "$rc" -eq 0 ]
t_contains "... with no store error logged" "$(grep -c 'readonly\|history store' agent.log)" "1"

# A -wal with something in it is not removed: refused, the fix in one line.
as nobody sh -c "printf 'x' >$DB-wal; : >$DB-shm"
t_expect "a foreign -wal with content: the agent refuses (exit 1)" 1 as daemon timeout 20 "$HEADROOM" agent \
	-f a.yaml --store "$DB"
t_contains "... saying what to do" "$T_ERR" "the -wal holds transactions. Stop what uses the store, remove $DB-wal and $DB-shm"
t_contains "... in one line" "$(printf '%s\n' "$T_ERR" | wc -l | tr -d ' ')" "1"
t_check "... and leaves them" [ -s "$DB-wal" ]
t_done
