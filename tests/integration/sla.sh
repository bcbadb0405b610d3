#!/bin/sh
# headroom sla: downtime budgets, the research notes' worked compositions
# through the command line, text and JSON, and one-line errors with exit 2.
. "$HEADROOM_ROOT/tests/lib.sh"

py() { python3 -c 'import json,sys; d=json.load(sys.stdin); print(eval(sys.argv[1]))' "$1"; }

# --- a target's budget ------------------------------------------------------
t_expect "target: exit 0" 0 "$HEADROOM" sla 99.9%
t_contains "target: month of 730 h" "$T_OUT" "per month (730 h)    43.8 min"
t_contains "target: month of 30 d" "$T_OUT" "per month (30 d)     43.2 min"
t_contains "target: year" "$T_OUT" "per year (365 d)     8.76 h"
t_contains "target: week" "$T_OUT" "per week             10.1 min"
t_contains "target: day" "$T_OUT" "per day              1.44 min"
t_contains "target: says the convention" "$T_OUT" "A month is 730 h (365 d / 12)"
t_expect "target json" 0 "$HEADROOM" sla 0.9999 --format json
t_contains "target json: budget in seconds" \
	"$(printf '%s' "$T_OUT" | py '[round(d["downtime_s"][k], 6) for k in ("year","month","month_30d","week","day")]')" \
	"[3153.6, 262.8, 259.2, 60.48, 8.64]"
t_contains "target json: no parts" "$(printf '%s' "$T_OUT" | py '(d["availability"], d["parts"], d["month_hours"])')" \
	"(0.9999, [], 730.0)"

# --- the worked examples (research notes, "Availability maths") -------------
t_expect "series" 0 "$HEADROOM" sla --series lb=99.99%,app=99.9%,db=99.95%
t_contains "series: 99.84%" "$T_OUT" "all, in series                                       99.84%"
t_contains "series: per part" "$T_OUT" "db                  1  99.95%     1  -               99.95%        21.9 min"
t_expect "series json" 0 "$HEADROOM" sla --series 99.99%,99.9%,99.95% --format json
t_contains "series json: 0.9999 x 0.999 x 0.9995" \
	"$(printf '%s' "$T_OUT" | py 'round(d["availability"], 12)')" "0.99840064995"
t_contains "series json: default names" "$(printf '%s' "$T_OUT" | py '[p["name"] for p in d["parts"]]')" \
	"['part 1', 'part 2', 'part 3']"

t_expect "parallel" 0 "$HEADROOM" sla --parallel 99.9%,99.9%
t_contains "parallel: 99.9999%" "$T_OUT" "99.9999%"
t_expect "parallel json" 0 "$HEADROOM" sla --parallel 99.9%,99.9% --format json
t_contains "parallel json: 1 - 0.001^2" "$(printf '%s' "$T_OUT" | py 'round(d["availability"], 12)')" "0.999999"

t_expect "2-of-3" 0 "$HEADROOM" sla --part app=99.9%,count=3,need=2
t_contains "2-of-3: 99.9997%" "$T_OUT" "app                 3  99.9%     2  -             99.9997%"
t_expect "2-of-3 json" 0 "$HEADROOM" sla --part app=99.9%,count=3,need=2 --format json
t_contains "2-of-3 json: 1 - 2.998e-6" "$(printf '%s' "$T_OUT" | py 'round(d["availability"], 12)')" "0.999997002"

t_expect "active-passive" 0 "$HEADROOM" sla --part db=99.9%,count=2,failover=60s,mttr=1h
t_contains "active-passive: 99.99823%" "$T_OUT" "99.99823%"
t_contains "active-passive: failover shown" "$T_OUT" "1.00 min (mttr 1.00 h)"
t_expect "active-passive json" 0 "$HEADROOM" sla --part db=99.9%,count=2,failover=60s,mttr=1h --format json
t_contains "active-passive json" \
	"$(printf '%s' "$T_OUT" | py '(round(d["availability"], 10), d["parts"][0]["failover_s"], d["parts"][0]["mttr_s"])')" \
	"(0.9999823333, 60.0, 3600.0)"

# --- all together, and against a target -------------------------------------
t_expect "stage vs target" 0 "$HEADROOM" sla 99.99% --series lb=99.99% \
	--part app=99.9%,count=3,need=2 --part db=99.9%,count=2,failover=60s,mttr=1h --format json
t_contains "stage: product of the parts, misses 99.99%" \
	"$(printf '%s' "$T_OUT" | py '(abs(d["availability"] - 0.9999 * (1 - 2.998e-6) * (1 - 1/60/1000 - 1e-6)) < 1e-11, d["target"]["met"])')" \
	"(True, False)"
t_expect "stage meets 99.9%" 0 "$HEADROOM" sla 99.9% --parallel app=99.9%,99.5%
t_contains "stage meets: said" "$T_OUT" "meets the target 99.9%: yes"
t_contains "mixed group shown" "$T_OUT" "99.9%|99.5%"

# --- bad input: one line, exit 2 ---------------------------------------------
bad() {
	b_name=$1 b_msg=$2
	shift 2
	t_expect "bad $b_name: exit 2" 2 "$HEADROOM" sla "$@"
	t_contains "bad $b_name: message" "$T_ERR" "$b_msg"
	lines=$(printf '%s\n' "$T_ERR" | wc -l | tr -d ' ')
	t_check "bad $b_name: one line" [ "$lines" -eq 1 ]
}
bad "nothing" "give a target such as 99.9%" 
bad "bare percent" "write 70% for a percentage" 99.9
bad "over 100%" "cannot exceed 100%" 101%
bad "two targets" "give one target" 99.9% 99%
bad "empty item" "expected a comma list" --series 99.9%,,99%
bad "lonely parallel" "2 to 32 availabilities" --parallel 99.9%
bad "typo key" "did you mean 'count'?" --part db=99.9%,cuont=2
bad "failover alone" "needs the repair time" --part db=99.9%,count=2,failover=60s
bad "failover no standby" "needs a standby" --part db=99.9%,failover=60s,mttr=1h
bad "need > count" "between 1 and the count" --part app=99.9%,count=2,need=3
bad "part without name" "start with NAME=AVAIL" --part 99.9%
bad "fractional count" "expected a whole number" --part app=99.9%,count=2.5
bad "unknown option" "unknown option '--seris'" --seris 99.9%

t_expect "help: exit 0" 0 "$HEADROOM" sla --help
for f in --series --parallel --part count need failover mttr --format "730 h"; do
	t_contains "help: documents $f" "$T_OUT" "$f"
done

t_done
