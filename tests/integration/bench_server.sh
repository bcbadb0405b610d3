#!/bin/sh
# headroom bench against a small Python server started here (known service
# time and worker count): close-delimited and chunked bodies, resets, and
# --find-knee landing within 10 % of the capacity workers / service time.
. "$HEADROOM_ROOT/tests/lib.sh"

PORT=$(t_free_port)
LOG=$T_TMP/server.log
: >"$LOG"
WORKERS=4
SERVICE_MS=25
python3 "$HEADROOM_ROOT/tests/integration/bench_server.py" --port "$PORT" --workers $WORKERS \
	--service-ms $SERVICE_MS --log "$LOG" 2>"$T_TMP/server.err" &
t_started $!
if ! t_wait_port "$PORT"; then
	t_not_ok "test server started"
	t_diag "$(cat "$T_TMP/server.err")"
	t_done
fi
URL=http://127.0.0.1:$PORT

j() { echo "$T_OUT" | python3 -c "import json,sys; j=json.load(sys.stdin); print($1)"; }
# served PATH N: "count bytes" the server logged for PATH, then empty the log.
# The server logs a response after writing it, so the client can have read it
# first: wait (10 s at most) until N responses for PATH are logged.
served() {
	i=0
	while [ "$(awk -v p="$1" '$1 == p {n++} END {print n + 0}' "$LOG")" -lt "$2" ] && [ $i -lt 100 ]; do
		sleep 0.1
		i=$((i + 1))
	done
	awk -v p="$1" '$1 == p {n++; b+=$3} END {printf "%d %d\n", n, b}' "$LOG"
	: >"$LOG"
}

t_expect "close-delimited run" 0 "$HEADROOM" bench "$URL/close" -t 1 -c 4 --requests 300 --format json
t_check "close-delimited: counts and bytes equal the server's" [ "$(j '"%d %d" % (j["requests"], j["bytes"])')" = "$(served /close 300)" ]
t_contains "close-delimited: no errors" "$(j 'sum(j["errors"].values())')" "0"
t_check "close-delimited: one connection per response" [ "$(j 'j["connects"] >= 300')" = True ]

t_expect "chunked run" 0 "$HEADROOM" bench "$URL/chunked" -t 2 -c 4 --requests 300 --format json
t_check "chunked (split writes, extensions, trailer): counts and bytes equal" [ "$(j '"%d %d" % (j["requests"], j["bytes"])')" = "$(served /chunked 300)" ]
t_contains "chunked: no errors" "$(j 'sum(j["errors"].values())')" "0"

t_expect "resetting server: exit 1, no crash" 1 "$HEADROOM" bench "$URL/reset" -t 1 -c 4 --requests 60 --format json
t_contains "resets counted" "$(j '"%d %d" % (j["requests"], j["errors"]["reset"] + j["errors"]["closed"])')" "0 60"
served /reset 60 >/dev/null

# Capacity by construction: WORKERS / SERVICE time (Little's law;
# X_max = m / D as in PDQ, DrQz/pdq-qnm-pkg lib/MVA_Canon.c).
t_expect "find-knee run" 0 "$HEADROOM" bench "$URL/slow" -t 1 -c 16 -d 2s --find-knee \
	--slo p95=500ms --calibrate "$T_TMP/cal.yaml" --format json
knee=$(j 'j["max_rps"]')
# The slot is held for SERVICE_MS plus the server's wake-up delay, which
# load stretches: the capacity is WORKERS over the hold the server measured.
hold=$(awk '$1 == "/slow" {n++; s += $4} END {if (n) printf "%.6f\n", s / n}' "$LOG")
cap=$(python3 -c "print(round($WORKERS / $hold, 1))")
t_diag "slot held $hold s on average ($SERVICE_MS ms asked)"
t_check "knee $knee req/s within 10 % of $cap" python3 -c "import sys; sys.exit(not abs($knee - $cap) <= 0.1 * $cap)"
t_check "calibration file written" [ -s "$T_TMP/cal.yaml" ]
cal=$(cat "$T_TMP/cal.yaml")
for k in sigma kappa gamma service_time max_rps cores url measured_at slo points; do
	t_contains "calibration has '$k'" "$cal" "
  $k:"
done
t_check "calibration: service_time is a duration" grep -Eq '^  service_time: [0-9.e+-]+ms$' "$T_TMP/cal.yaml"
t_check "calibration: 3 or more points" [ "$(grep -c '^  - {concurrency: ' "$T_TMP/cal.yaml")" -ge 3 ]
t_done
