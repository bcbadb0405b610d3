#!/bin/sh
# headroom bench vs wrk, in the same run, on the same nginx.
#
#   sh bench/vs-wrk.sh [ROUNDS] [SECONDS]      (defaults 5 and 5)
#   HEADROOM=path/to/headroom THREADS=1 CONNECTIONS=50 STRACE=1 sh bench/vs-wrk.sh
#
# nginx (one process, access log off, keep-alive unlimited) is pinned to
# CPU 0 and each load generator to CPU 1, so the server is the bottleneck and
# the generators' own CPU cost per response can be compared. Rounds alternate
# wrk and headroom, and medians are reported, because the machine may be
# shared (see the research notes on load generators: run-to-run spread here
# was 10-20 %). CPU is user+sys of the generator process from /usr/bin/time,
# also shown split into user and system time per response.
# With STRACE=1 a short extra run of each counts system calls per response:
# with perf's syscall tracepoints when perf may use them (full speed, and
# context switches too), else with strace (which distorts batching).
set -eu
ROUNDS=${1:-5}
SECS=${2:-5}
THREADS=${THREADS:-1}
CONNECTIONS=${CONNECTIONS:-50}
ROOT=$(cd "$(dirname "$0")/.." && pwd)
HEADROOM=${HEADROOM:-$ROOT/build/headroom}
for t in nginx wrk taskset /usr/bin/time python3; do
	command -v $t >/dev/null 2>&1 || { echo "vs-wrk: needs $t (sh scripts/deps.sh --bench)" >&2; exit 1; }
done
[ -x "$HEADROOM" ] || { echo "vs-wrk: build first (make): $HEADROOM" >&2; exit 1; }
NCPU=$(nproc)
if [ "$NCPU" -ge 2 ]; then SRV_CPU=0 LG_CPU=1; else SRV_CPU=0 LG_CPU=0; fi

D=$(mktemp -d "${TMPDIR:-/tmp}/vs-wrk.XXXXXX")
NGINX=""
cleanup() {
	[ -n "$NGINX" ] && kill "$NGINX" 2>/dev/null && wait "$NGINX" 2>/dev/null
	rm -rf "$D"
}
trap cleanup EXIT INT TERM
PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()')
mkdir -p "$D/www" "$D/logs" "$D/tmp"
printf 'hello headroom\n' >"$D/www/index.html"
cat >"$D/nginx.conf" <<CONF
worker_processes 1;
daemon off;
master_process off;
error_log $D/logs/error.log;
pid $D/nginx.pid;
events { worker_connections 4096; use epoll; multi_accept on; }
http {
  access_log off; sendfile on; tcp_nopush on; tcp_nodelay on;
  keepalive_timeout 65s; keepalive_requests 1000000;
  open_file_cache max=100 inactive=60s; types { text/html html; }
  client_body_temp_path $D/tmp; proxy_temp_path $D/tmp; fastcgi_temp_path $D/tmp;
  uwsgi_temp_path $D/tmp; scgi_temp_path $D/tmp;
  server { listen 127.0.0.1:$PORT backlog=4096 reuseport; root $D/www; }
}
CONF
taskset -c $SRV_CPU nginx -c "$D/nginx.conf" -p "$D/" &
NGINX=$!
sleep 0.5
URL=http://127.0.0.1:$PORT/index.html

# row ROUND TOOL REQUESTS RPS USER_S SYS_S
row() {
	awk -v r="$1" -v t="$2" -v n="$3" -v rps="$4" -v u="$5" -v s="$6" 'BEGIN {
		c = u + s
		printf "%5d %-8s %10d %8.0f %7.2f %11.3f %12.2f %8.2f %7.2f\n", r, t, n, rps, c,
		       c / n * 1e5, c / n * 1e6, u / n * 1e6, s / n * 1e6 }'
}

echo "nginx pinned to CPU $SRV_CPU, generators to CPU $LG_CPU; $ROUNDS rounds of ${SECS}s; -t $THREADS -c $CONNECTIONS"
echo "round tool      requests    req/s   cpu_s  cpu_s/100k  cpu_us/resp  user_us  sys_us"
: >"$D/results"
r=1
while [ $r -le "$ROUNDS" ]; do
	sleep 1
	/usr/bin/time -f "%U %S" -o "$D/time" taskset -c $LG_CPU wrk -t "$THREADS" -c "$CONNECTIONS" \
		-d "${SECS}s" "$URL" >"$D/wrk.out"
	n=$(awk '/requests in/ {print $1}' "$D/wrk.out")
	rps=$(awk '/Requests\/sec/ {print $2}' "$D/wrk.out")
	read -r usr sys <"$D/time"
	echo "wrk $n $rps $usr $sys" >>"$D/results"
	row $r wrk "$n" "$rps" "$usr" "$sys"
	sleep 1
	/usr/bin/time -f "%U %S" -o "$D/time" taskset -c $LG_CPU "$HEADROOM" bench -t "$THREADS" \
		-c "$CONNECTIONS" -d "${SECS}s" --format json "$URL" >"$D/hr.json"
	set -- $(python3 -c 'import json,sys; j=json.load(open(sys.argv[1])); print(j["requests"], j["rps"])' "$D/hr.json")
	read -r usr sys <"$D/time"
	echo "headroom $1 $2 $usr $sys" >>"$D/results"
	row $r headroom "$1" "$2" "$usr" "$sys"
	r=$((r + 1))
done

python3 - "$D/results" <<'PY'
import statistics as st, sys
rows = [l.split() for l in open(sys.argv[1])]
def col(tool, f):
    return [f(float(n), float(rps), float(u), float(s)) for t, n, rps, u, s in rows if t == tool]
def med(tool, f):
    return st.median(col(tool, f))
def spread(tool, f):
    v = col(tool, f)
    return "%.3g-%.3g" % (min(v), max(v))
rps = lambda n, r, u, s: r
cpu = lambda n, r, u, s: (u + s) / n * 1e5
usr = lambda n, r, u, s: u / n * 1e6
sys_ = lambda n, r, u, s: s / n * 1e6
T = ("wrk", "headroom")
m = {t: (med(t, rps), med(t, cpu), med(t, usr), med(t, sys_)) for t in T}
print("median req/s: wrk %.0f (%s), headroom %.0f (%s) -> ratio headroom/wrk %.3f" % (
    m["wrk"][0], spread("wrk", rps), m["headroom"][0], spread("headroom", rps), m["headroom"][0] / m["wrk"][0]))
print("median generator CPU per 100k responses: wrk %.3f s (%s), headroom %.3f s (%s) -> ratio %.3f" % (
    m["wrk"][1], spread("wrk", cpu), m["headroom"][1], spread("headroom", cpu), m["headroom"][1] / m["wrk"][1]))
print("median generator CPU per response: wrk %.2f us (user %.2f, sys %.2f), headroom %.2f us (user %.2f, sys %.2f)" % (
    m["wrk"][1] * 10, m["wrk"][2], m["wrk"][3], m["headroom"][1] * 10, m["headroom"][2], m["headroom"][3]))
PY

SC="read write sendto recvfrom epoll_ctl epoll_wait epoll_pwait epoll_pwait2"
# count_calls NAME REQUESTS FILE: print one "per response" line from the
# "count syscall" pairs in FILE.
count_calls() {
	awk -v t="$1" -v n="$2" '$1 ~ /^[0-9]+$/ && $1 / n >= 0.005 {
		s += $1; d = d sprintf(" %s %.2f", $2, $1 / n) }
		END {printf "  %-8s %.2f per response:%s\n", t, s / n, d}' "$3"
}
if [ "${STRACE:-0}" = 1 ] && command -v perf >/dev/null 2>&1 &&
	perf stat -e syscalls:sys_enter_read true >/dev/null 2>&1; then
	# Counting tracepoints does not slow the generator; strace does, so
	# under strace events pile up and each epoll_wait returns many of them,
	# which undercounts epoll_wait calls at full speed.
	echo "system calls and context switches per response (perf stat, 2 s runs at full speed):"
	EV=context-switches
	for c in $SC; do EV="$EV,syscalls:sys_enter_$c"; done
	perf stat -x, -e "$EV" -o "$D/ps.wrk" taskset -c $LG_CPU wrk -t "$THREADS" -c "$CONNECTIONS" -d 2s "$URL" >"$D/wrk.out"
	n=$(awk '/requests in/ {print $1}' "$D/wrk.out")
	perf stat -x, -e "$EV" -o "$D/ps.hr" taskset -c $LG_CPU "$HEADROOM" bench -t "$THREADS" -c "$CONNECTIONS" -d 2s --format json "$URL" >"$D/hr.json"
	m=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["requests"])' "$D/hr.json")
	for x in "wrk $n $D/ps.wrk" "headroom $m $D/ps.hr"; do
		set -- $x
		awk -F, '$3 ~ /^syscalls:sys_enter_/ {sub(/^syscalls:sys_enter_/, "", $3); print $1, $3}' "$3" >"$3.calls"
		count_calls "$1" "$2" "$3.calls"
		awk -F, -v t="$1" -v n="$2" '$3 == "context-switches" {printf "  %-8s %.2f context switches per response\n", t, $1 / n}' "$3"
	done
elif [ "${STRACE:-0}" = 1 ] && command -v strace >/dev/null 2>&1; then
	echo "system calls per response (strace -f -c, 2 s runs; strace slows the generator, so"
	echo "epoll_wait returns bigger batches than at full speed and is undercounted):"
	strace -f -c -o "$D/st.wrk" taskset -c $LG_CPU wrk -t "$THREADS" -c "$CONNECTIONS" -d 2s "$URL" >"$D/wrk.out"
	n=$(awk '/requests in/ {print $1}' "$D/wrk.out")
	strace -f -c -o "$D/st.hr" taskset -c $LG_CPU "$HEADROOM" bench -t "$THREADS" -c "$CONNECTIONS" -d 2s --format json "$URL" >"$D/hr.json"
	m=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["requests"])' "$D/hr.json")
	for x in "wrk $n $D/st.wrk" "headroom $m $D/st.hr"; do
		set -- $x
		awk '{c = ($4 ~ /^[0-9]+$/) ? $4 : $3; print c, $NF}' "$3" |
			awk -v sc=" $SC " 'index(sc, " " $2 " ")' >"$3.calls"
		count_calls "$1" "$2" "$3.calls"
	done
fi
