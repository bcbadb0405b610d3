# tests/lib.sh - helpers for integration tests (sourced, POSIX sh).
#
# A test script prints TAP lines through these functions; tests/run.sh counts
# them. $HEADROOM is the binary under test, $HEADROOM_ROOT the checkout.
# Servers a test starts are recorded with t_started PID and stopped, by that
# PID only, when the script exits.

: "${HEADROOM:?run through tests/run.sh}"
: "${HEADROOM_ROOT:?run through tests/run.sh}"
T_N=0
T_FAILED=0
T_PIDS=""
T_TMP=$(mktemp -d "${TMPDIR:-/tmp}/headroom-test.XXXXXX")
# Every variable an expectation depends on is set here, never the caller's
# (tests/env.sh); HOME and the XDG folders are this test's own, so `check`
# records its samples in a history store of its own, never in the user's.
T_ENV_DIR="$T_TMP/env" . "$HEADROOM_ROOT/tests/env.sh"

t_cleanup() {
	for p in $T_PIDS; do
		kill "$p" 2>/dev/null
	done
	for p in $T_PIDS; do
		i=0
		while kill -0 "$p" 2>/dev/null && [ $i -lt 50 ]; do sleep 0.1; i=$((i + 1)); done
		kill -9 "$p" 2>/dev/null
	done
	rm -rf "$T_TMP"
}
trap t_cleanup EXIT INT TERM

# t_started PID: stop this process when the script exits.
t_started() { T_PIDS="$T_PIDS $1"; }

t_ok() { T_N=$((T_N + 1)); echo "ok $T_N - $*"; }
t_not_ok() { T_N=$((T_N + 1)); T_FAILED=1; echo "not ok $T_N - $*"; }
t_skip() { T_N=$((T_N + 1)); echo "ok $T_N - $* # SKIP"; }
t_diag() { echo "$*" | sed 's/^/# /'; }

# t_check NAME COND...: ok when the command succeeds.
t_check() {
	name=$1
	shift
	if "$@"; then t_ok "$name"; else t_not_ok "$name"; fi
}

# t_run EXPECTED_STATUS CMD...: run, keeping stdout in $T_OUT and stderr in $T_ERR.
t_run() {
	want=$1
	shift
	"$@" >"$T_TMP/out" 2>"$T_TMP/err"
	T_STATUS=$?
	T_OUT=$(cat "$T_TMP/out")
	T_ERR=$(cat "$T_TMP/err")
	[ "$T_STATUS" -eq "$want" ]
}

# t_expect NAME STATUS CMD...: the command exits STATUS; on failure show its output.
t_expect() {
	name=$1 want=$2
	shift 2
	if t_run "$want" "$@"; then
		t_ok "$name"
	else
		t_not_ok "$name (exit $T_STATUS, want $want)"
		t_diag "stdout: $T_OUT"
		t_diag "stderr: $T_ERR"
	fi
}

# t_contains NAME HAYSTACK NEEDLE
t_contains() {
	case "$2" in
	*"$3"*) t_ok "$1" ;;
	*) t_not_ok "$1"; t_diag "wanted: $3"; t_diag "got: $2" ;;
	esac
}

# t_free_port: a TCP port on 127.0.0.1 nobody listens on now, and none this
# script was given before: the kernel can hand a port it freed out again, and
# two servers told the same port race for it. Called as $(t_free_port), a
# subshell, so the ports given are kept in a file.
t_free_port() {
	while :; do
		p=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()') || return 1
		grep -qx "$p" "$T_TMP/ports.given" 2>/dev/null || break
	done
	echo "$p" >>"$T_TMP/ports.given"
	echo "$p"
}

# t_wait_port PORT [TRIES]: wait until something accepts on 127.0.0.1:PORT.
t_wait_port() {
	i=0
	while [ $i -lt "${2:-100}" ]; do
		if python3 -c "import socket,sys; s=socket.socket(); s.settimeout(0.2); sys.exit(s.connect_ex(('127.0.0.1',$1)))" 2>/dev/null; then
			return 0
		fi
		sleep 0.1
		i=$((i + 1))
	done
	return 1
}

t_done() { exit $T_FAILED; }

# t_start_postgres [-c NAME=VALUE ...]: initdb and start a PostgreSQL 15 of
# this test's own in $T_TMP/pg on 127.0.0.1:$PG_PORT (trust auth, user
# postgres), stopped by PID on exit. Reports "postgres 15 runs"; on failure
# reports why and ends the script. Skips it when PostgreSQL is not installed.
# After t_stop_postgres it starts again on the same data directory (no
# second initdb), so a test can try several settings (-c config_file=FILE).
t_start_postgres() {
	pgbin=/usr/lib/postgresql/15/bin
	[ -x "$pgbin/postgres" ] || { t_skip "PostgreSQL 15 is not installed (scripts/deps.sh)"; t_done; }
	# The server refuses to run as root: run it as the postgres user then.
	chmod 755 "$T_TMP"
	mkdir -p "$T_TMP/pg" "$T_TMP/sock"
	[ "$(id -u)" -eq 0 ] && chown postgres "$T_TMP/pg" "$T_TMP/sock"
	[ -s "$T_TMP/pg/PG_VERSION" ] ||
		t_as_pg "$pgbin/initdb" -D "$T_TMP/pg" --auth=trust -U postgres >"$T_TMP/initdb.log" 2>&1 ||
		{ t_not_ok "initdb"; t_diag "$(cat "$T_TMP/initdb.log")"; t_done; }
	PG_PORT=$(t_free_port)
	t_as_pg "$pgbin/postgres" -D "$T_TMP/pg" -p "$PG_PORT" -k "$T_TMP/sock" -c listen_addresses=127.0.0.1 \
		-c fsync=off "$@" >"$T_TMP/pg.log" 2>&1 &
	PG_PIDS=$!
	t_started $!
	t_wait_port "$PG_PORT" 150 || { t_not_ok "postgres starts"; t_diag "$(cat "$T_TMP/pg.log")"; t_done; }
	# runuser may fork; stop the postmaster itself too.
	i=0; while [ ! -s "$T_TMP/pg/postmaster.pid" ] && [ $i -lt 50 ]; do sleep 0.1; i=$((i + 1)); done
	PG_PIDS="$PG_PIDS $(head -n 1 "$T_TMP/pg/postmaster.pid")"
	t_started "$(head -n 1 "$T_TMP/pg/postmaster.pid")"
	t_ok "postgres 15 runs on 127.0.0.1:$PG_PORT"
}

# t_stop_postgres: stop the server t_start_postgres started, by its PIDs, wait
# until they are gone, and forget them (so the exit trap never signals a PID
# the system has since given to another process).
t_stop_postgres() {
	for p in $PG_PIDS; do kill "$p" 2>/dev/null; done
	for p in $PG_PIDS; do
		i=0
		while kill -0 "$p" 2>/dev/null && [ $i -lt 100 ]; do sleep 0.1; i=$((i + 1)); done
		kill -9 "$p" 2>/dev/null
		T_PIDS=$(echo " $T_PIDS " | sed "s/ $p / /")
	done
	PG_PIDS=""
}

# t_as_pg CMD...: run as the postgres user when we are root.
t_as_pg() { if [ "$(id -u)" -eq 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi; }

# t_start_mute PORT: a server on 127.0.0.1:PORT that accepts every
# connection and never says a word (a hung peer), stopped by PID on exit.
t_start_mute() {
	python3 -c '
import socket, sys
s = socket.socket()
s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(("127.0.0.1", int(sys.argv[1])))
s.listen(128)
held = []
while True:
    c, _ = s.accept()
    held.append(c)  # keep it open, say nothing
' "$1" &
	t_started $!
	t_wait_port "$1" || { t_not_ok "the mute server starts"; t_done; }
}

# t_start_agent PORT ARGS...: run `headroom agent ARGS` with its log in
# ./agent.log, set $AGENT, stop it by PID on exit, and wait until it listens
# on 127.0.0.1:PORT (ends the script with the log when it does not).
t_start_agent() {
	port=$1
	shift
	"$HEADROOM" agent "$@" 2>agent.log &
	AGENT=$!
	t_started $AGENT
	t_wait_port "$port" || { t_not_ok "agent starts"; t_diag "$(cat agent.log)"; t_done; }
}

# t_start_nginx PORT LOCATIONS: an nginx of this test's own on
# 127.0.0.1:PORT (prefix $T_TMP/ng), serving the location blocks given as
# one string, stopped by PID on exit; ends the script with nginx's log when
# it does not listen. Skips the script when nginx is not installed.
t_start_nginx() {
	command -v nginx >/dev/null || [ -x /usr/sbin/nginx ] || { t_skip "nginx is not installed"; t_done; }
	mkdir -p "$T_TMP/ng/logs"
	cat >"$T_TMP/ng/nginx.conf" <<CONF
worker_processes 1;
pid $T_TMP/ng/nginx.pid;
error_log $T_TMP/ng/logs/error.log;
events { worker_connections 64; }
http {
  access_log off;
  client_body_temp_path $T_TMP/ng/body;
  proxy_temp_path $T_TMP/ng/proxy;
  fastcgi_temp_path $T_TMP/ng/fastcgi;
  uwsgi_temp_path $T_TMP/ng/uwsgi;
  scgi_temp_path $T_TMP/ng/scgi;
  server {
    listen 127.0.0.1:$1;
$2
  }
}
CONF
	"$(command -v nginx || echo /usr/sbin/nginx)" -p "$T_TMP/ng" -c "$T_TMP/ng/nginx.conf" -g 'daemon off;' \
		>"$T_TMP/ng/out.log" 2>&1 &
	t_started $!
	t_wait_port "$1" || { t_not_ok "nginx starts"; t_diag "$(cat "$T_TMP/ng/out.log" "$T_TMP/ng/logs/error.log")"; t_done; }
}
