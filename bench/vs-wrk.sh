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
# was 10-20 %). CPU is user+sys of the generator process from /usr/bin/time.
# With STRACE=1 a short extra run of each counts system calls per response.
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

echo "nginx pinned to CPU $SRV_CPU, generators to CPU $LG_CPU; $ROUNDS rounds of ${SECS}s; -t $THREADS -c $CONNECTIONS"
echo "round tool      requests    req/s   cpu_s  cpu_s/100k  cpu_us/resp"
: >"$D/results"
r=1
while [ $r -le "$ROUNDS" ]; do
	sleep 1
	/usr/bin/time -f "%U %S" -o "$D/time" taskset -c $LG_CPU wrk -t "$THREADS" -c "$CONNECTIONS" \
		-d "${SECS}s" "$URL" >"$D/wrk.out"
	n=$(awk '/requests in/ {print $1}' "$D/wrk.out")
	rps=$(awk '/Requests\/sec/ {print $2}' "$D/wrk.out")
	cpu=$(awk '{print $1 + $2}' "$D/time")
	echo "wrk $n $rps $cpu" >>"$D/results"
	awk -v r=$r -v n="$n" -v rps="$rps" -v c="$cpu" 'BEGIN {printf "%5d %-8s %10d %8.0f %7.2f %11.3f %12.2f\n", r, "wrk", n, rps, c, c / n * 1e5, c / n * 1e6}'
	sleep 1
	/usr/bin/time -f "%U %S" -o "$D/time" taskset -c $LG_CPU "$HEADROOM" bench -t "$THREADS" \
		-c "$CONNECTIONS" -d "${SECS}s" --format json "$URL" >"$D/hr.json"
	set -- $(python3 -c 'import json,sys; j=json.load(open(sys.argv[1])); print(j["requests"], j["rps"])' "$D/hr.json")
	cpu=$(awk '{print $1 + $2}' "$D/time")
	echo "headroom $1 $2 $cpu" >>"$D/results"
	awk -v r=$r -v n="$1" -v rps="$2" -v c="$cpu" 'BEGIN {printf "%5d %-8s %10d %8.0f %7.2f %11.3f %12.2f\n", r, "headroom", n, rps, c, c / n * 1e5, c / n * 1e6}'
	r=$((r + 1))
done

python3 - "$D/results" <<'PY'
import statistics as st, sys
rows = [l.split() for l in open(sys.argv[1])]
def med(tool, f):
    return st.median(f(float(n), float(rps), float(cpu)) for t, n, rps, cpu in rows if t == tool)
rps = {t: med(t, lambda n, r, c: r) for t in ("wrk", "headroom")}
cpu = {t: med(t, lambda n, r, c: c / n * 1e5) for t in ("wrk", "headroom")}
print("median req/s: wrk %.0f, headroom %.0f -> ratio headroom/wrk %.3f" % (rps["wrk"], rps["headroom"], rps["headroom"] / rps["wrk"]))
print("median generator CPU per 100k responses: wrk %.3f s, headroom %.3f s -> ratio %.3f" % (cpu["wrk"], cpu["headroom"], cpu["headroom"] / cpu["wrk"]))
print("median generator CPU per response: wrk %.2f us, headroom %.2f us" % (cpu["wrk"] * 10, cpu["headroom"] * 10))
PY

if [ "${STRACE:-0}" = 1 ] && command -v strace >/dev/null 2>&1; then
	echo "system calls per response (strace -f -c, 2 s runs; rates under strace are low, ratios matter):"
	strace -f -c -o "$D/st.wrk" taskset -c $LG_CPU wrk -t "$THREADS" -c "$CONNECTIONS" -d 2s "$URL" >"$D/wrk.out"
	n=$(awk '/requests in/ {print $1}' "$D/wrk.out")
	strace -f -c -o "$D/st.hr" taskset -c $LG_CPU "$HEADROOM" bench -t "$THREADS" -c "$CONNECTIONS" -d 2s --format json "$URL" >"$D/hr.json"
	m=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["requests"])' "$D/hr.json")
	for x in "wrk $n $D/st.wrk" "headroom $m $D/st.hr"; do
		set -- $x
		awk -v t="$1" -v n="$2" '$NF ~ /^(read|write|sendto|recvfrom|epoll_ctl|epoll_wait|epoll_pwait|epoll_pwait2)$/ {
			c = ($4 ~ /^[0-9]+$/) ? $4 : $3; s += c; d = d sprintf(" %s %.2f", $NF, c / n) }
			END {printf "  %-8s %.2f per response:%s\n", t, s / n, d}' "$3"
	done
fi
