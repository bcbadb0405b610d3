#!/bin/sh
# headroom queue: text and JSON answers, unstable and infeasible questions,
# and one-line errors with exit 2. The JSON is checked against an
# independent evaluation of the textbook Erlang C sum in Python.
. "$HEADROOM_ROOT/tests/lib.sh"

# Field access without jq (python3 is a test dependency): py EXPR reads JSON on stdin as d.
py() { python3 -c 'import json,sys; d=json.load(sys.stdin); print(eval(sys.argv[1]))' "$1"; }

# --- a stable queue, text -------------------------------------------------
t_expect "servers: exit 0" 0 "$HEADROOM" queue --arrival 80/s --service 20ms --servers 2
t_contains "servers: header" "$T_OUT" "M/M/2 queue: arrivals 80/s, mean service 20ms"
t_contains "servers: utilisation" "$T_OUT" "utilisation          80.0%"
# C(2, 1.6) = 2B/(2 - 1.6(1 - B)), B = 1.28/3.88: 0.7111
t_contains "servers: Erlang C" "$T_OUT" "probability of wait  71.11% (Erlang C)"
for k in "mean wait" "mean response" "response p50" "response p95" "response p99"; do
	t_contains "servers: $k" "$T_OUT" "$k"
done

# --- JSON, against the textbook sum -------------------------------------
t_expect "json: exit 0" 0 "$HEADROOM" queue --arrival 100/s --service 25ms --servers 3 --format json
printf '%s' "$T_OUT" >"$T_TMP/q.json"
check=$(python3 - "$T_TMP/q.json" <<'PY'
import json, math, sys
d = json.load(open(sys.argv[1]))
lam, s, c = 100.0, 0.025, 3
a = lam * s
top = a**c / math.factorial(c) * c / (c - a)
cw = top / (sum(a**k / math.factorial(k) for k in range(c)) + top)
wq = cw * s / (c - a)
want = {"utilization": a / c, "p_wait": cw, "mean_wait_s": wq, "mean_response_s": s + wq}
bad = [k for k, v in want.items() if abs(d[k] - v) > 1e-9 * abs(v)]
keys = ["utilization", "p_wait", "mean_wait_s", "mean_response_s", "p50_s", "p95_s",
        "p99_s", "servers", "stable"]
bad += [k for k in keys if k not in d]
if d["servers"] != 3 or d["stable"] is not True or not d["p50_s"] < d["p95_s"] < d["p99_s"]:
    bad.append("servers/stable/order")
print("ok" if not bad else "bad: %s" % bad)
PY
)
t_contains "json: matches the Erlang C sum" "$check" "ok"

# --- utilisation >= 1: a valid question, said plainly ----------------------
t_expect "unstable: exit 0" 0 "$HEADROOM" queue --arrival 100/s --service 50ms --servers 3
t_contains "unstable: said plainly" "$T_OUT" "unstable: arrivals (100/s) outpace what 3 servers can serve (60/s)"
t_contains "unstable: how many would do" "$T_OUT" "At least 6 servers are needed"
t_expect "unstable json: exit 0" 0 "$HEADROOM" queue --arrival 100/s --service 30ms --servers 3 --format json
t_contains "unstable json: stable false" "$(printf '%s' "$T_OUT" | py 'd["stable"]')" "False"
t_contains "unstable json: infinite times are null" \
	"$(printf '%s' "$T_OUT" | py '[d[k] for k in ("mean_wait_s","mean_response_s","p50_s","p95_s","p99_s")]')" \
	"[None, None, None, None, None]"
t_contains "unstable json: everyone waits" "$(printf '%s' "$T_OUT" | py 'd["p_wait"]')" "1.0"

# --- --target: fewest servers -------------------------------------------
t_expect "target: exit 0" 0 "$HEADROOM" queue --arrival 100/s --service 25ms --target p95=100ms
t_contains "target: fewest servers" "$T_OUT" "fewest servers       4"
t_contains "target: one fewer misses" "$T_OUT" "with 3 servers       p95 would be 166 ms"
t_expect "target json: exit 0" 0 "$HEADROOM" queue -a 100/s -s 25ms -t p95=100ms --format json
t_contains "target json: servers and target" \
	"$(printf '%s' "$T_OUT" | py '(d["servers"], d["target"]["quantile"], d["target"]["met"], d["p95_s"] <= 0.1)')" \
	"(4, 0.95, True, True)"
t_expect "target p99.9" 0 "$HEADROOM" queue -a 6000/min -s 25ms -t p99.9=1s --format json
t_contains "target p99.9: quantile" "$(printf '%s' "$T_OUT" | py 'd["target"]["quantile"]')" "0.999"
t_expect "infeasible: exit 0" 0 "$HEADROOM" queue --arrival 100/s --service 25ms --target p95=70ms
t_contains "infeasible: said plainly" "$T_OUT" "no number of servers meets p95 <= 70.0 ms"
t_expect "infeasible json" 0 "$HEADROOM" queue --arrival 100/s --service 25ms --target p95=70ms --format json
t_contains "infeasible json: servers null, not met" \
	"$(printf '%s' "$T_OUT" | py '(d["servers"], d["target"]["met"])')" "(None, False)"
t_expect "cap reached" 0 "$HEADROOM" queue -a 100/s -s 25ms -t p95=100ms --max-servers 3
t_contains "cap reached: said" "$T_OUT" "more than 3 servers would be needed"

# --- --service-cv: M/G/c by Allen-Cunneen ------------------------------------
# M/D/1 at rho 0.5 (lambda 0.5/s, S 1 s): Wq = M/M/1's 1 s x (1 + 0)/2 (the
# exact Pollaczek-Khinchine mean for one server); P(T > t) = 0.5 e^-(t-1)
# for t >= 1, so p95 = 1 + ln 10.
t_expect "cv 0: exit 0" 0 "$HEADROOM" queue --arrival 0.5/s --service 1s --servers 1 --service-cv 0 --format json
t_contains "cv 0: P-K mean wait, p95 1 + ln 10" \
	"$(printf '%s' "$T_OUT" | py '(round(d["mean_wait_s"], 12), abs(round(d["p95_s"] - 1 - __import__("math").log(10), 9)), d["service_cv"])')" \
	"(0.5, 0.0, 0.0)"
t_expect "cv 0: text" 0 "$HEADROOM" queue --arrival 0.5/s --service 1s --servers 1 --cv 0
t_contains "cv 0: says which model" "$T_OUT" "M/G/1 queue (Allen-Cunneen, service cv 0): arrivals 0.5/s"
t_contains "cv 0: p95" "$T_OUT" "response p95         3.30 s"
"$HEADROOM" queue --arrival 80/s --service 20ms --servers 2 >"$T_TMP/mm"
"$HEADROOM" queue --arrival 80/s --service 20ms --servers 2 --service-cv 1 >"$T_TMP/cv1"
t_check "cv 1: the M/M/c answer, byte for byte" cmp -s "$T_TMP/mm" "$T_TMP/cv1"
t_expect "cv 0 target: exit 0" 0 "$HEADROOM" queue --arrival 80/s --service 25ms --target p95=30ms --cv 0
t_contains "cv 0 target: constant service needs fewer servers than M/M/c could ever" "$T_OUT" "fewest servers       5"

# --- bad input: one line, exit 2 ------------------------------------------
bad() { # NAME WANT-IN-MESSAGE ARGS...
	b_name=$1 b_msg=$2
	shift 2
	t_expect "bad $b_name: exit 2" 2 "$HEADROOM" queue "$@"
	t_contains "bad $b_name: message" "$T_ERR" "$b_msg"
	lines=$(printf '%s\n' "$T_ERR" | wc -l | tr -d ' ')
	t_check "bad $b_name: one line" [ "$lines" -eq 1 ]
}
bad "bare rate" "a rate needs a period, e.g. 100/s" --arrival 100 --service 25ms --servers 3
bad "bare duration" "a duration needs a unit" --arrival 100/s --service 25 --servers 3
bad "zero service" "must be more than 0" --arrival 100/s --service 0 --servers 3
bad "zero servers" "--servers '0': expected a whole number" --arrival 100/s --service 1s --servers 0
bad "both modes" "give either --servers C or --target" -a 1/s -s 1s -c 2 -t p95=2s
bad "neither mode" "give either --servers C or --target" -a 1/s -s 1s
bad "target form" "expected pNN=DURATION" -a 1/s -s 1s -t 95=2s
bad "percentile range" "above 0 and below 100" -a 1/s -s 1s -t p100=2s
bad "unknown option" "unknown option '--servres'" -a 1/s -s 1s --servres 2
bad "missing value" "option '--arrival' needs a value" --arrival
bad "format" "unknown --format 'yaml'" -a 1/s -s 1s -c 2 --format yaml
bad "no arrival" "--arrival RATE is required" -s 1s -c 2
bad "cv word" "--service-cv 'x': expected a number from 0" -a 1/s -s 1s -c 2 --service-cv x
bad "cv negative" "--service-cv '-1': expected a number from 0" -a 1/s -s 1s -c 2 --cv -1
bad "cv too large" "--service-cv '11': expected a number from 0" -a 1/s -s 1s -c 2 --cv 11

# --- help -----------------------------------------------------------------
t_expect "help: exit 0" 0 "$HEADROOM" queue --help
for f in --arrival --service --servers --target --max-servers --service-cv --format "stable" "p95_s" "service_cv"; do
	t_contains "help: documents $f" "$T_OUT" "$f"
done
# The examples in --help run, and the --target one finds a server count
# (it asked for p95=2s of a 1.2 s service, below the service's own 3.59 s).
"$HEADROOM" queue --help | sed -n 's/^  headroom queue //p' >"$T_TMP/examples"
t_check "help: has examples" [ -s "$T_TMP/examples" ]
while read -r args; do
	# shellcheck disable=SC2086 # the example's words are the arguments
	t_expect "help example runs: $args" 0 "$HEADROOM" queue $args
	case "$args" in *--target*--format\ json*)
		t_contains "help example meets its target: $args" "$T_OUT" '"met": true' ;;
	esac
done <"$T_TMP/examples"
t_expect "listed in headroom --help" 0 "$HEADROOM" --help
# Output that cannot be written is a failure, said on stderr (it was exit 0).
if [ -w /dev/full ]; then
	"$HEADROOM" queue --arrival 1/s --service 1s --servers 2 >/dev/full 2>"$T_TMP/full.err"
	t_check "full disk: exit 1" [ $? -eq 1 ]
	t_contains "full disk: says so" "$(cat "$T_TMP/full.err")" "headroom: error: cannot write the output: No space left on device"
else
	t_skip "full disk: no /dev/full"
fi
t_contains "listed in headroom --help" "$T_OUT" "queue"

t_done
