#!/bin/sh
# headroom bench against nginx started here on loopback: exact request and
# byte counts against nginx's access log, percentiles against a raw latency
# log, chunked bodies, non-2xx, TLS, and a 1 s stall (SIGSTOP of our own
# nginx) seen by the open loop and hidden by the closed loop.
. "$HEADROOM_ROOT/tests/lib.sh"

if ! command -v nginx >/dev/null 2>&1; then
	t_skip "nginx not installed"
	t_done
fi
PORT=$(t_free_port)
TPORT=$(t_free_port)
D=$T_TMP/nginx
mkdir -p "$D/www" "$D/logs" "$D/tmp"
printf 'hello headroom\n' >"$D/www/index.html"
python3 -c 'import sys; sys.stdout.write("".join("line %05d of a compressible text file\n" % i for i in range(2000)))' >"$D/www/big.txt"
openssl req -x509 -newkey rsa:2048 -nodes -keyout "$D/key.pem" -out "$D/cert.pem" \
	-days 1 -subj /CN=localhost >/dev/null 2>&1
# One process (no master), so its PID is the one we stop and continue.
cat >"$D/nginx.conf" <<CONF
worker_processes 1;
daemon off;
master_process off;
error_log $D/logs/error.log;
pid $D/nginx.pid;
events { worker_connections 1024; }
http {
  log_format counts '\$status \$bytes_sent \$request_length';
  access_log $D/logs/access.log counts;
  keepalive_requests 1000000;
  client_body_temp_path $D/tmp; proxy_temp_path $D/tmp; fastcgi_temp_path $D/tmp;
  uwsgi_temp_path $D/tmp; scgi_temp_path $D/tmp;
  types { text/html html; text/plain txt; }
  gzip on; gzip_min_length 0; gzip_types text/plain;
  server { listen 127.0.0.1:$PORT; root $D/www; }
  server { listen 127.0.0.1:$TPORT ssl; root $D/www;
           ssl_certificate $D/cert.pem; ssl_certificate_key $D/key.pem; }
}
CONF
nginx -c "$D/nginx.conf" -p "$D/" 2>"$D/start.err" &
NGINX=$!
t_started $NGINX
if ! t_wait_port "$PORT"; then
	t_not_ok "nginx started"
	t_diag "$(cat "$D/start.err" "$D/logs/error.log" 2>/dev/null)"
	t_done
fi
URL=http://127.0.0.1:$PORT

# jget FILE EXPR: a value from a JSON file, EXPR in Python on j.
jget() { python3 -c "import json,sys; j=json.load(open(sys.argv[1])); print($2)" "$1"; }
# logsum N: "lines bytes_sent request_length" of the access log, then empty
# it. nginx logs a request after sending its response, so the client can have
# read it first: wait (10 s at most) until N requests are logged.
logsum() {
	i=0
	while [ "$(wc -l <"$D/logs/access.log")" -lt "$1" ] && [ $i -lt 100 ]; do
		sleep 0.1
		i=$((i + 1))
	done
	awk '{n++; b+=$2; r+=$3} END {printf "%d %d %d\n", n, b, r}' "$D/logs/access.log"
	: >"$D/logs/access.log"
}

# --- exact counts
: >"$D/logs/access.log"
t_expect "requests run" 0 "$HEADROOM" bench "$URL/index.html" -t 2 -c 8 --requests 3000 \
	--format json --latency-log "$T_TMP/lat.log"
echo "$T_OUT" >"$T_TMP/r.json"
set -- $(logsum 3000)
got="$(jget "$T_TMP/r.json" '"%d %d %d" % (j["requests"], j["bytes"], j["bytes_sent"])')"
t_check "requests, bytes read and sent equal nginx's log ($1 $2 $3)" [ "$got" = "$1 $2 $3" ]
t_check "3000 requests" [ "$1" = 3000 ]
t_contains "no errors" "$(jget "$T_TMP/r.json" 'sum(j["errors"].values())')" "0"

# --- percentiles within one histogram bucket of the raw latencies
check=$(python3 - "$T_TMP/r.json" "$T_TMP/lat.log" <<'PY'
import json, math, sys
j = json.load(open(sys.argv[1]))
v = sorted(int(l.split()[0]) for l in open(sys.argv[2]))
bad = []
if len(v) != j["requests"]:
    bad.append("log has %d lines" % len(v))
for key, p in (("p50_s", 50), ("p90_s", 90), ("p95_s", 95), ("p99_s", 99), ("p999_s", 99.9)):
    exact = v[max(1, int(p / 100 * len(v) + 0.5)) - 1]
    got = round(j["latency"][key] * 1e6)
    # one counter of a 3-digit histogram spans at most exact/1024 (>= 1 us)
    width = max(1, 2 ** max(0, math.floor(math.log2(max(exact, 1))) - 10))
    if not (exact <= got <= exact + width) and got != v[-1]:
        bad.append("%s: raw %d us, histogram %d us" % (key, exact, got))
if round(j["latency"]["max_s"] * 1e6) != v[-1]:
    bad.append("max %s vs %d" % (j["latency"]["max_s"], v[-1]))
print("; ".join(bad) or "ok")
PY
)
t_contains "percentiles within one bucket of the raw log" "$check" "ok"

# --- chunked bodies (nginx gzips on the fly and so chunks)
t_expect "chunked run" 0 "$HEADROOM" bench "$URL/big.txt" -t 1 -c 4 --requests 500 \
	-H 'Accept-Encoding: gzip' --format json
echo "$T_OUT" >"$T_TMP/c.json"
set -- $(logsum 500)
t_check "chunked: 500 responses, bytes equal the log ($2)" \
	[ "$(jget "$T_TMP/c.json" '"%d %d" % (j["requests"], j["bytes"])')" = "500 $2" ]
t_contains "chunked: no protocol errors" "$(jget "$T_TMP/c.json" 'j["errors"]["protocol"]')" "0"
t_check "chunked: each body is smaller than the file, so it was gzipped" [ $(($2 / 500)) -lt 20000 ]

# --- non-2xx counted apart; a run with no 2xx measured the error page: exit 1
t_expect "404 run: no 2xx, exit 1" 1 "$HEADROOM" bench "$URL/missing" -t 1 -c 2 --requests 50 --format json
t_contains "404s counted as non-2xx" "$(echo "$T_OUT" | python3 -c 'import json,sys; j=json.load(sys.stdin); print(j["errors"]["non2xx"], j["status"]["4xx"], j["requests"])')" "50 50 50"
t_contains "404 run: says so" "$T_ERR" "no response had a status in 2xx (50 responses: 0 2xx, 0 3xx, 50 4xx, 0 5xx)"
logsum 50 >/dev/null
t_expect "404 run with --ok-status 404: exit 0" 0 "$HEADROOM" bench "$URL/missing" -t 1 -c 2 --requests 50 \
	--ok-status 2xx,404 --format json
t_contains "--ok-status: nothing rejected" "$(echo "$T_OUT" | python3 -c 'import json,sys; j=json.load(sys.stdin); print(j["errors"]["rejected"], j["errors"]["non2xx"])')" "0 50"
logsum 50 >/dev/null
t_expect "--ok-status with a bad list: exit 2" 2 "$HEADROOM" bench "$URL/" --ok-status 2xx,99
t_contains "--ok-status: says what it takes" "$T_ERR" "expected statuses and classes such as 2xx,301,404"

# --- an open loop that misses its rate says so: one connection cannot
# carry 200k requests a second.
# A request count bounds the run, so nginx logs exactly that many.
t_expect "--rate out of reach: exit 1" 1 "$HEADROOM" bench "$URL/index.html" -t 1 -c 1 -R 200k --requests 2000 \
	--format json
t_contains "--rate out of reach: says by how much" "$T_ERR" "of --rate 200000 (at least 95% needed)"
logsum 2000 >/dev/null

# --- flags that do nothing in the chosen mode are errors, not ignored
t_expect "--slo without --find-knee: exit 2" 2 "$HEADROOM" bench "$URL/" --slo p99=1s
t_contains "--slo without --find-knee: says so" "$T_ERR" "--slo is the target of --find-knee; it does nothing without it"
t_expect "--latency-log with --find-knee: exit 2" 2 "$HEADROOM" bench "$URL/" --find-knee --latency-log "$T_TMP/x.log"
# A knee of 404 pages is no knee: the error page counts as errors.
t_expect "--find-knee on a 404: exit 1" 1 "$HEADROOM" bench "$URL/missing" --find-knee -d 200ms -t 1 -c 2
t_contains "--find-knee on a 404: says why" "$T_ERR" "no request succeeded with a status in 2xx at any step"

# --- TLS
t_expect "https with -k" 0 "$HEADROOM" bench "https://127.0.0.1:$TPORT/index.html" -k -t 1 -c 4 \
	--requests 400 --format json
t_contains "https: 400 responses" "$(echo "$T_OUT" | python3 -c 'import json,sys; j=json.load(sys.stdin); print(j["requests"], j["errors"]["tls"])')" "400 0"
t_expect "https, self-signed, verified: fails" 1 "$HEADROOM" bench "https://127.0.0.1:$TPORT/" \
	-t 1 -c 2 --requests 5 --format json
t_check "certificate failures counted as tls" python3 -c 'import json,sys; j=json.loads(sys.argv[1]); sys.exit(not (j["requests"] == 0 and j["errors"]["tls"] >= 5))' "$T_OUT"
logsum 400 >/dev/null

# --- a 1 s stall inside a 5 s open-loop run at 1000/s. Requests due
# during a stall of S seconds wait for its end, so over a run of D seconds
# P(latency > x) = (S - x) / D and the p-quantile is S - (1 - p) D: with
# S = 1, D = 5, p99 = 0.95 s and p90 = 0.5 s (headroom default: derived
# here for requests due on a schedule; the frozen-server test of wg/wrk#99
# is the same idea). S and D are measured, not assumed: on a busy machine the
# SIGCONT can come late, and the prediction must follow the real stall.
#
# stall: SIGSTOP nginx for 1 s, starting 1 s after the run's first request is
# logged, so the stall lies inside the run however slowly the bench starts.
stall() {
	(i=0
	 while [ ! -s "$D/logs/access.log" ] && [ $i -lt 300 ]; do sleep 0.05; i=$((i + 1)); done
	 sleep 1
	 # One process times the stall from just before SIGSTOP to just after
	 # SIGCONT, so no process start-up on a busy machine is counted in S.
	 python3 -c "import os, signal, time
t = time.monotonic(); os.kill($NGINX, signal.SIGSTOP); time.sleep(1)
os.kill($NGINX, signal.SIGCONT); print(time.monotonic() - t)" >"$T_TMP/stall.t") &
	STALL=$!
}

stall
t_expect "open loop with a stall" 0 "$HEADROOM" bench "$URL/index.html" -t 1 -c 50 -R 1000 -d 5s \
	--format json
wait $STALL
echo "$T_OUT" >"$T_TMP/o.json"
STALL_S=$(cat "$T_TMP/stall.t")
RUN_S=$(jget "$T_TMP/o.json" 'j["duration_s"]')
p99=$(jget "$T_TMP/o.json" 'j["latency"]["p99_s"]')
p90=$(jget "$T_TMP/o.json" 'j["latency"]["p90_s"]')
t_diag "stall lasted $STALL_S s in a run of $RUN_S s"
t_check "stall ~1 s: open loop p99 $p99 s is S - 0.01 D +- 5 %" \
	python3 -c "import sys; w = $STALL_S - 0.01 * $RUN_S; sys.exit(not 0.95 * w <= $p99 <= 1.05 * w)"
t_check "stall ~1 s: open loop p90 $p90 s is S - 0.1 D +- 10 %" \
	python3 -c "import sys; w = $STALL_S - 0.1 * $RUN_S; sys.exit(not 0.9 * w <= $p90 <= 1.1 * w)"
sent99=$(jget "$T_TMP/o.json" 'j["latency_from_send"]["p99_s"]')
t_diag "open loop, latency from the actual send (uncorrected): p99 $sent99 s"
# Empty the log only once the whole run is in, or a late line would start
# the next stall early.
logsum "$(jget "$T_TMP/o.json" 'j["requests"]')" >/dev/null

stall
t_expect "closed loop with a stall" 0 "$HEADROOM" bench "$URL/index.html" -t 1 -c 10 -d 5s --format json
wait $STALL
echo "$T_OUT" >"$T_TMP/s.json"
cp99=$(jget "$T_TMP/s.json" 'j["latency"]["p99_s"]')
cmax=$(jget "$T_TMP/s.json" 'j["latency"]["max_s"]')
# Only the 10 requests in flight when it stopped wait for the stall: far
# under 1 % of the run, so they do not reach p99.
t_check "closed loop hides the stall: p99 $cp99 s < 50 ms" python3 -c "import sys; sys.exit(not $cp99 < 0.05)"
t_check "closed loop max $cmax s still shows it" python3 -c "import sys; sys.exit(not $cmax >= 0.95)"
logsum 0 >/dev/null

# --- bad input and a closed port
t_expect "bad URL exits 2" 2 "$HEADROOM" bench "ftp://127.0.0.1/"
t_contains "bad URL message" "$T_ERR" "expected http:// or https://"
t_expect "bad duration exits 2" 2 "$HEADROOM" bench "$URL/" -d ten
t_contains "bad duration message" "$T_ERR" "expected a duration"
t_expect "unknown flag exits 2" 2 "$HEADROOM" bench "$URL/" --bogus
t_expect "bad header exits 2" 2 "$HEADROOM" bench "$URL/" -H 'no colon here'
long=$(head -c 100000 /dev/zero | tr '\0' a)
t_expect "100 kB header exits 2" 2 "$HEADROOM" bench "$URL/" -H "X-Long: $long"
t_contains "100 kB header: says why" "$T_ERR" "bytes; at most 8191"
t_check "100 kB header: one short line" [ "$(printf '%s\n' "$T_ERR" | wc -l)" -eq 1 -a "${#T_ERR}" -lt 200 ]
t_expect "header with a line break exits 2" 2 "$HEADROOM" bench "$URL/" -H "X-A: 1
X-B: 2"
t_check "header with a line break: one line" [ "$(printf '%s\n' "$T_ERR" | wc -l)" -eq 1 ]
CLOSED=$(t_free_port)
t_expect "closed port: exits 1 by itself" 1 "$HEADROOM" bench "http://127.0.0.1:$CLOSED/" -t 1 -c 2 \
	--requests 5 --format json
t_check "closed port: every request ended as a connect error" python3 -c 'import json,sys; j=json.loads(sys.argv[1]); sys.exit(not (j["requests"] == 0 and j["errors"]["connect"] >= 5))' "$T_OUT"
t_expect "closed port, --find-knee: exits 1 as a plain run does" 1 "$HEADROOM" bench "http://127.0.0.1:$CLOSED/" \
	--find-knee -d 200ms -t 1 -c 2
t_contains "closed port, --find-knee: says why" "$T_ERR" "no request succeeded with a status in 2xx at any step"
t_done
