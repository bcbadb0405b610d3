#!/bin/sh
# headroom sla: downtime budgets, the worked compositions of docs/sla.md
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

# --- the worked examples (docs/sla.md; headroom default: by hand) ----------
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

# --- from failures and recoveries (docs/sla.md, "Formulas") ------------------
# A PostgreSQL pair failing 2/year per node, promoted in 45 s, a failed node
# rebuilt in 8 h: u = x/(1+x), x = 2/31536000 * 28800 = 1.826484e-3,
# u = 1.823154e-3; U = u^2 + y/(1+y), y = 2/31536000 * 45 = 2.853881e-6:
# U = 3.323891e-6 + 2.853873e-6 = 6.177764e-6 -> 99.999382 % (by hand).
t_expect "failover pair" 0 "$HEADROOM" sla --part db,count=2,failures=2/year,mttr=8h,failover=45s
t_contains "failover pair: 99.999382%" "$T_OUT" "99.999382%"
t_contains "failover pair: the cause row" "$T_OUT" "  failures             2/year x 8.00 h        45.0 s"
t_contains "failover pair: the arithmetic" "$T_OUT" "db: u = 0.00182 a unit; U = u^2 + failovers 2.85e-06 + planned switch-overs 0 = 6.18e-06"
t_expect "failover pair json" 0 "$HEADROOM" sla --part db,count=2,failures=2/year,mttr=8h,failover=45s --format json
t_contains "failover pair json" \
	"$(printf '%s' "$T_OUT" | py '(round(d["unavailability"], 12), d["parts"][0]["redundancy"], d["parts"][0]["failover_s"], [(c["cause"], round(c["per_month"] * 12, 9), c["down_s"]) for c in d["parts"][0]["causes"]])')" \
	"(6.177764e-06, 'failover', 45.0, [('failures', 2.0, 28800.0)])"
# A longer repair never raises availability (the old formula gave the 8 h
# pair 99.9989 % and the 5 min one 99.8999 %).
t_expect "failover pair, 5 min repair" 0 "$HEADROOM" sla --part db,count=2,failures=2/year,mttr=5m,failover=45s --format json
short=$(printf '%s' "$T_OUT" | py 'd["availability"]')
t_check "a longer repair is never better" python3 -c "import sys; sys.exit(not ($short > 0.99999382))"
# One node, noticed in 5 min, repaired in 2 h: A = MTTF/(MTTF+MTTR) with
# MTTF = 4380 h, MTTR = 2 h 5 min: 4380/4382.0833 = 99.95246 %.
t_expect "one unit" 0 "$HEADROOM" sla --part node,failures=2/year,detect=5m,mttr=2h --format json
t_contains "one unit: MTTF/(MTTF+MTTR)" "$(printf '%s' "$T_OUT" | py 'round(d["availability"] * 100, 5)')" "99.95246"

# --- all together, and against a target -------------------------------------
t_expect "stage vs target" 0 "$HEADROOM" sla 99.99% --series lb=99.99% \
	--part app=99.9%,count=3,need=2 --part db,count=2,failures=2/year,mttr=8h,failover=45s --format json
t_contains "stage: product of the parts, misses 99.99%" \
	"$(printf '%s' "$T_OUT" | py '(abs(d["availability"] - 0.9999 * (1 - 2.998e-6) * (1 - 6.177764e-6)) < 1e-11, d["target"]["met"])')" \
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
bad "failover from an availability" "failover needs failures=RATE and mttr=DURATION" --part db=99.9%,count=2,failover=60s,mttr=1h
bad "availability and a rate" "not both" --part db=99.9%,failures=1/year,mttr=1h
bad "rate without mttr" "needs failures=RATE and mttr=DURATION" --part db,failures=2/year
bad "rate without period" "a rate needs a period" --part db,failures=2,mttr=1h
bad "failover no standby" "needs a standby" --part db,count=3,need=2,failures=1/year,mttr=1h,failover=60s
bad "need > count" "between 1 and the count" --part app=99.9%,count=2,need=3
bad "part without name" "start with NAME=AVAIL" --part 99.9%
bad "fractional count" "expected a whole number" --part app=99.9%,count=2.5
bad "unknown option" "unknown option '--seris'" --seris 99.9%

t_expect "help: exit 0" 0 "$HEADROOM" sla --help
for f in --series --parallel --part count need failures mttr detect failover --format "730 h"; do
	t_contains "help: documents $f" "$T_OUT" "$f"
done

t_done
