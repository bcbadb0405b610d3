#!/bin/sh
# headroom plan on the five seed examples (text and JSON, the JSON checked
# against docs/plan.schema.json), milestone flags, infeasible milestones, and
# the one-line errors for bad flags and bad configs.
. "$HEADROOM_ROOT/tests/lib.sh"
EX="$HEADROOM_ROOT/examples"
SCHEMA="$HEADROOM_ROOT/docs/plan.schema.json"
CHECK="python3 $HEADROOM_ROOT/tests/integration/jsonschema_lite.py"

for e in altius agents pareto knowledge social; do
	t_expect "$e: text plan" 0 "$HEADROOM" plan -f "$EX/$e.yaml"
	t_contains "$e: roadmap header" "$T_OUT" "users  month  stage"
	t_contains "$e: reasons" "$T_OUT" "  why:"
	t_expect "$e: json plan" 0 "$HEADROOM" plan -f "$EX/$e.yaml" --format json
	printf '%s\n' "$T_OUT" >"$T_TMP/$e.json"
	if $CHECK "$SCHEMA" "$T_TMP/$e.json" >"$T_TMP/check.out" 2>&1; then
		t_ok "$e: json valid against docs/plan.schema.json"
	else
		t_not_ok "$e: json valid against docs/plan.schema.json"
		t_diag "$(cat "$T_TMP/check.out")"
	fi
done

# The checker itself must reject a document that breaks the schema.
python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); del d["milestones"][0]["stage"]; d["milestones"][0]["bottleneck"]="cpus"; json.dump(d,open(sys.argv[2],"w"))' \
	"$T_TMP/altius.json" "$T_TMP/broken.json"
if $CHECK "$SCHEMA" "$T_TMP/broken.json" >"$T_TMP/check.out" 2>&1; then
	t_not_ok "schema check rejects a broken document"
else
	t_contains "schema check names the missing key" "$(cat "$T_TMP/check.out")" "missing required key 'stage'"
fi

# Numbers a script can rely on: the seed's 380K messages a month at 5,000
# users (seed 000) cost 5000 * 50% * 20% * 3/h * 8h * 365/12 * $0.058 = $21,170.
t_expect "altius --users 5000 json" 0 "$HEADROOM" plan -f "$EX/altius.yaml" --users 5000 --format json
printf '%s\n' "$T_OUT" >"$T_TMP/a5k.json"
ext=$(python3 -c 'import json,sys; m=json.load(open(sys.argv[1]))["milestones"]; print(len(m), round(m[0]["cost"]["external"], 2), m[0]["feasible"])' "$T_TMP/a5k.json")
t_contains "one milestone, external cost, feasible" "$ext" "1 21170.0 True"

# Milestones: --users list with suffixes, --months from the growth rate.
t_expect "--users list" 0 "$HEADROOM" plan -f "$EX/social.yaml" --users 100,2k,5k --format json
n=$(printf '%s' "$T_OUT" | python3 -c 'import json,sys; print([m["users"] for m in json.load(sys.stdin)["milestones"]])')
t_contains "--users parsed" "$n" "[100.0, 2000.0, 5000.0]"
cat >"$T_TMP/growth.yaml" <<'YAML'
workload:
  users: 1000
  growth: 10%
  daily_active: 30%
  peak_concurrent: 10%
  requests:
    - {name: api, rate: 6/min, duration: 100ms, cpu: 10ms}
components:
  app: {kind: app, workers: 1, concurrency: 50, memory: 200MiB}
deployment:
  providers: [hetzner]
YAML
t_expect "--months 12" 0 "$HEADROOM" plan -f "$T_TMP/growth.yaml" --months 12 --format json
n=$(printf '%s' "$T_OUT" | python3 -c 'import json,sys; m=json.load(sys.stdin)["milestones"]; print(len(m), m[0]["users"], m[-1]["users"])')
# 1000 * 1.1^12 = 3138.4
t_contains "13 milestones, month 0 to 12" "$n" "13 1000.0 3138.0"
t_expect "default horizon is 24 months" 0 "$HEADROOM" plan -f "$T_TMP/growth.yaml" --format json
n=$(printf '%s' "$T_OUT" | python3 -c 'import json,sys; print(len(json.load(sys.stdin)["milestones"]))')
t_contains "25 milestones" "$n" "25"

# An objective no stage can meet: a plan that says so per milestone, exit 0.
sed 's/availability: 99.5%/availability: 99.9999%/' "$EX/altius.yaml" >"$T_TMP/strict.yaml"
t_expect "unreachable SLA is not an error" 0 "$HEADROOM" plan -f "$T_TMP/strict.yaml" --users 1000
t_contains "says infeasible" "$T_OUT" "infeasible: availability"
# An external rate limit past its share, at 1M users (83/s of 66.7/s).
t_expect "rate limit" 0 "$HEADROOM" plan -f "$EX/altius.yaml" --users 1M
t_contains "names the API" "$T_OUT" "infeasible: anthropic calls"

# Bad flags: one line, exit 2.
t_expect "bad --users" 2 "$HEADROOM" plan -f "$EX/altius.yaml" --users 10,abc
t_contains "bad --users message" "$T_ERR" "--users: 'abc' is not a user count"
t_expect "bad --months" 2 "$HEADROOM" plan -f "$EX/altius.yaml" --months 0
# Past 1e12 users the sums overflow (1e308 users printed a "$-nan" cost and
# truncated user counts): the flag, the config and the growth curve stop there.
t_expect "--users past the cap" 2 "$HEADROOM" plan -f "$EX/altius.yaml" --users 1e308
t_contains "--users cap message" "$T_ERR" "--users: '1e308' is more than the 1e+12 users a plan models"
t_expect "--users overflowing a suffix" 2 "$HEADROOM" plan -f "$EX/altius.yaml" --users 1e308G
t_contains "--users overflow names the flag" "$T_ERR" "--users: '1e308G' is not a user count"
sed 's/^  users: 5000$/  users: 2e12/' "$EX/altius.yaml" >"$T_TMP/huge.yaml"
t_expect "workload.users past the cap" 2 "$HEADROOM" plan -f "$T_TMP/huge.yaml"
t_contains "workload.users cap located" "$T_ERR" "huge.yaml:"
t_contains "workload.users cap message" "$T_ERR" "workload.users: must be between 0 and 1e+12, got '2e12'"
printf 'workload:\n  milestones: [10, 5e12]\n' >"$T_TMP/hugem.yaml"
t_expect "workload.milestones past the cap" 2 "$HEADROOM" validate --no-catalog -f "$T_TMP/hugem.yaml"
t_contains "milestone cap located" "$T_ERR" "hugem.yaml:2:20: error: workload.milestones[1]: must be between 0 and 1e+12"
sed 's/growth: 10%/growth: 1000%/' "$T_TMP/growth.yaml" >"$T_TMP/boom.yaml"
t_expect "growth curve past the cap" 0 "$HEADROOM" plan -f "$T_TMP/boom.yaml" --months 240 --format json
n=$(printf '%s' "$T_OUT" | python3 -c 'import json,sys; m=json.load(sys.stdin)["milestones"]; print(len(m), max(x["users"] for x in m) <= 1e12)')
# 1000 * 11^8 = 2.1e11, 1000 * 11^9 = 2.4e12: months 0..8
t_contains "growth curve stops at the cap" "$n" "9 True"
t_contains "and says so" "$T_ERR" "the growth curve passes 1e+12 users after month 8; the plan stops there"
t_expect "bad --format" 2 "$HEADROOM" plan -f "$EX/altius.yaml" --format xml
t_expect "missing file" 2 "$HEADROOM" plan -f "$T_TMP/nope.yaml"

# Bad configs: one located line each, exit 2.
cat >"$T_TMP/notask.yaml" <<'YAML'
workload:
  users: 100
  daily_active: 30%
  peak_concurrent: 10%
  requests:
    - {name: api, rate: 6/min, duration: 100ms, cpu: 10ms}
  tasks:
    - {name: embed, rate: 1/min, duration: 2s, cpu: 1s}
components:
  app: {kind: app, workers: 1, concurrency: 50, memory: 200MiB}
YAML
t_expect "task without a worker component" 2 "$HEADROOM" plan -f "$T_TMP/notask.yaml"
t_contains "names the task and the missing kind" "$T_ERR" "notask.yaml:8:7: error: task class 'embed' needs a component of kind worker"
t_check "one line" [ "$(printf '%s\n' "$T_ERR" | grep -c error:)" -eq 1 ]

sed 's/plan: cx22, count: 1/plan: cx99, count: 1/' "$EX/altius.yaml" >"$T_TMP/noplan.yaml"
t_expect "plan missing from the catalogue" 2 "$HEADROOM" plan -f "$T_TMP/noplan.yaml"
t_contains "names the plan" "$T_ERR" "cx99"

sed 's/p95: 500ms /p95: 50ms /' "$EX/altius.yaml" >"$T_TMP/fast.yaml"
t_expect "impossible p95" 2 "$HEADROOM" plan -f "$T_TMP/fast.yaml"
t_contains "explains the floor" "$T_ERR" "0.05 s is below what request class 'api' takes on an idle server"

# headroom sla -f: the configured deployment's parts, composed as plan does.
t_expect "sla -f single node" 0 "$HEADROOM" sla -f "$EX/altius.yaml"
t_contains "sla -f: the node and its causes" "$T_OUT" "  software             2/month x 4.50 h"
t_contains "sla -f: the provider's SLA bounds only the zone" "$T_OUT" "zone                1  99.9772%"
# plan refuses a stage without monitoring for any objective: so does sla -f
t_contains "objective is the target; plan's verdict" "$T_OUT" "meets the target 99.5%: no (a single node without monitoring"
sed -e 's/    stage: single /    stage: ha /' -e 's/      - {role: all, plan: cx22, count: 1}/      - {role: app, plan: cx22, count: 2}\n      - {role: db, plan: cx32, count: 2}/' \
	"$EX/altius.yaml" >"$T_TMP/ha.yaml"
t_expect "sla -f ha" 0 "$HEADROOM" sla -f "$T_TMP/ha.yaml" --format json
parts=$(printf '%s' "$T_OUT" | python3 -c 'import json,sys; print([(p["name"], p["count"], p["failover_s"]) for p in json.load(sys.stdin)["parts"]])')
# the zone, app 2 nodes (k of n), the db pair failing over in reliability.db_failover
# (45 s by default), the load balancer, the releases
t_contains "ha parts" "$parts" "[('zone', 1, None), ('app', 2, None), ('db', 2, 45.0), ('lb', 1, None), ('releases', 1, None)]"
# sla -f and plan agree: the shape plan chooses, configured as what runs
# today, composes to the availability plan reported for it.
t_expect "plan at 5000 users" 0 "$HEADROOM" plan -f "$EX/altius.yaml" --users 5000 --format json
printf '%s' "$T_OUT" >"$T_TMP/p5k.json"
python3 - "$EX/altius.yaml" "$T_TMP/p5k.json" "$T_TMP/chosen.yaml" <<'PY'
import json, re, sys
src, plan, out = sys.argv[1:4]
m = json.load(open(plan))["milestones"][0]
nodes = "".join("      - {role: %s, plan: %s, count: %d}\n" % (n["role"], n["plan"], n["count"]) for n in m["nodes"])
text = open(src).read()
text = re.sub(r"    stage: single .*\n    nodes:\n(      - .*\n)+", "    stage: %s\n    nodes:\n%s" % (m["stage"], nodes), text)
text = text.replace("  users: 1000 ", "  users: 5000 ")
open(out, "w").write(text)
print(m["availability"])
PY
t_expect "sla -f on plan's choice" 0 "$HEADROOM" sla -f "$T_TMP/chosen.yaml" --format json
t_check "sla -f and plan agree on the availability" python3 -c "
import json, sys
p = json.load(open('$T_TMP/p5k.json'))['milestones'][0]
s = json.loads(sys.argv[1])
sys.exit(not (abs(p['availability'] - s['availability']) < 1e-9 and s['target']['met'] == (p['availability'] >= 0.995)))" "$T_OUT"
t_check "plan's parts are sla -f's parts" python3 -c "
import json, sys
p = json.load(open('$T_TMP/p5k.json'))['milestones'][0]['downtime']
s = json.loads(sys.argv[1])
want = {x['part']: x['minutes_per_month'] for x in p['parts']}
got = {x['name']: x['downtime_s_per_month'] / 60 for x in s['parts'] if x['downtime_s_per_month'] > 0}
sys.exit(not (want.keys() == got.keys() and all(abs(want[k] - got[k]) < 1e-6 for k in want)))" "$T_OUT"
sed -e 's/    stage: single /    stage: ha /' "$EX/altius.yaml" >"$T_TMP/notha.yaml"
t_expect "sla -f: nodes that are not the stage" 2 "$HEADROOM" sla -f "$T_TMP/notha.yaml"
t_contains "says so" "$T_ERR" "these nodes are not a 'ha' stage"

# Availability from failures and recoveries (docs/plan.md): the text says
# where each milestone's downtime comes from.
t_expect "altius text" 0 "$HEADROOM" plan -f "$EX/altius.yaml" --users 5000
t_contains "downtime by part and cause" "$T_OUT" "  downtime:   "
t_contains "a cheaper single VPS fails on availability" "$T_OUT" "fails on availability"
# A 99.9 % objective at 5,000 users (seed 000 section 8, enterprise tier): no
# single VPS. At Hetzner alone nothing reaches it, and the message says what
# stands in the way (its load balancer publishes 99.9 %); with every provider
# a replicated stage does.
sed 's/^  availability: 99.5%/  availability: 99.9%/' "$EX/altius.yaml" >"$T_TMP/altius999.yaml"
t_expect "99.9% at Hetzner" 0 "$HEADROOM" plan -f "$T_TMP/altius999.yaml" --users 5000 --format json
t_contains "99.9% at Hetzner: infeasible, the lb named" \
	"$(printf '%s' "$T_OUT" | python3 -c 'import json,sys; m=json.load(sys.stdin)["milestones"][0]; print(m["feasible"], "largest downtime is the lb" in m["infeasible_reason"])')" \
	"False True"
sed -e 's/^  availability: 99.5%/  availability: 99.9%/' -e '/^  providers: \[hetzner\]/d' "$EX/altius.yaml" >"$T_TMP/altius999all.yaml"
t_expect "99.9% anywhere" 0 "$HEADROOM" plan -f "$T_TMP/altius999all.yaml" --users 5000 --format json
t_contains "99.9% anywhere: several nodes, at least 99.9 %" \
	"$(printf '%s' "$T_OUT" | python3 -c 'import json,sys; m=json.load(sys.stdin)["milestones"][0]; print(m["feasible"], m["stage"] in ("ha", "cluster"), m["availability"] >= 0.999, sum(n["count"] for n in m["nodes"]) >= 2)')" \
	"True True True True"

# An empty catalogue and no provider named: the message names the catalogue,
# not a deployment.providers the config does not have.
mkdir -p "$T_TMP/nodata/catalog"
sed '/^deployment:/d; /providers:/d' "$T_TMP/growth.yaml" >"$T_TMP/anywhere.yaml"
t_expect "empty catalogue" 2 env HEADROOM_DATA="$T_TMP/nodata" "$HEADROOM" plan -f "$T_TMP/anywhere.yaml"
t_contains "empty catalogue: says so" "$T_ERR" "headroom: error: the price catalogue has no server plan"
sed 's/providers: \[hetzner\]/providers: [vercel]/' "$T_TMP/growth.yaml" >"$T_TMP/vercel.yaml"
t_expect "a provider without servers" 2 "$HEADROOM" plan -f "$T_TMP/vercel.yaml"
t_contains "a provider without servers: located" "$T_ERR" "vercel.yaml:11:14: error: the catalogue has no server plan from the allowed providers"


# The data tier scales out: seed 002's 1M and 2M MAU plan, with PgBouncer in
# front of the database (the example's max_client_conn 1000, the seed's).
t_expect "pareto 1M and 2M" 0 "$HEADROOM" plan -f "$EX/pareto.yaml" --users 1M,2M --format json
v=$(printf '%s' "$T_OUT" | python3 -c 'import json,sys; m=json.load(sys.stdin)["milestones"]; print([x["feasible"] for x in m], [x["data_tier"]["pooler"] for x in m])')
t_contains "pareto 1M and 2M feasible, pooled" "$v" "[True, True] [True, True]"
# With PgBouncer's own client limit (100) the plan says what blocks and the
# change that lifts it, planned in full.
sed '/^  pooler:/,/^    max_client_conn:/d' "$EX/pareto.yaml" >"$T_TMP/pareto100.yaml"
t_expect "pareto 1M at max_client_conn 100" 0 "$HEADROOM" plan -f "$T_TMP/pareto100.yaml" --users 1M
t_contains "names the blocking constraint" "$T_OUT" "infeasible: pooler_clients: no shape keeps it under 80%"
t_contains "and the remedy" "$T_OUT" "deployment.pooler.max_client_conn: 200: ha"
# A pooler never allowed: the remedy is the pooler.
sed 's/^    max_client_conn: 1000/    max_client_conn: 1000\n    use: never/' "$EX/pareto.yaml" >"$T_TMP/nopool.yaml"
t_expect "pareto 1M without a pooler" 0 "$HEADROOM" plan -f "$T_TMP/nopool.yaml" --users 1M
t_contains "infeasible" "$T_OUT" "infeasible:"
t_contains "a pooler lifts it" "$T_OUT" "a connection pooler (deployment.pooler.use: any)"
# Read replicas where one database node cannot carry the reads: at 2M MAU on
# the 8-vCPU plans only, replicas of the primary take the reads.
sed -e 's/^  providers: \[hetzner\].*/  providers: [hetzner]\n  max_read_replicas: 15/' "$EX/pareto.yaml" >"$T_TMP/rep.yaml"
cat "$HEADROOM_ROOT/tests/fixtures/plan/replicas-offers.yaml" >>"$T_TMP/rep.yaml"
t_expect "replicas at 2M" 0 "$HEADROOM" plan -f "$T_TMP/rep.yaml" --users 2M
t_contains "replicas named" "$T_OUT" "replicas + pgbouncer"
t_contains "replication lag stated, not modelled" "$T_OUT" "not modelled"

# An AWS plan with a Redis component is feasible at 2,000 users; at 99.9 %
# the Redis on one app node (28 minutes a month) is what must go, and the
# plan makes it highly available (Sentinel or a managed cache with a
# replica) rather than call the milestone infeasible.
sed 's/^  providers: \[digitalocean\]/  providers: [aws]/' "$EX/agents.yaml" >"$T_TMP/agents-aws.yaml"
t_expect "agents on AWS at 2000" 0 "$HEADROOM" plan -f "$T_TMP/agents-aws.yaml" --users 2000 --format json
v=$(printf '%s' "$T_OUT" | python3 -c 'import json,sys; m=json.load(sys.stdin)["milestones"][0]; print(m["feasible"])')
t_contains "feasible" "$v" "True"
sed 's/^  availability: 99.5%/  availability: 99.9%/' "$T_TMP/agents-aws.yaml" >"$T_TMP/agents-aws999.yaml"
t_expect "agents on AWS at 2000, 99.9 %" 0 "$HEADROOM" plan -f "$T_TMP/agents-aws999.yaml" --users 2000 --format json
v=$(printf '%s' "$T_OUT" | python3 -c 'import json,sys; m=json.load(sys.stdin)["milestones"][0]; print(m["feasible"], m["data_tier"]["redis"] in ("sentinel", "managed"))')
t_contains "feasible, Redis highly available" "$v" "True True"

# The text table: infrastructure, operations and external API apart, and the
# month of each milestone; deployment.current evaluated; next names the trigger.
t_expect "--months table" 0 "$HEADROOM" plan -f "$T_TMP/growth.yaml" --months 3
t_contains "month column" "$T_OUT" "users  month  stage"
t_contains "ops column" "$T_OUT" "infra    ops  external"
cat >"$T_TMP/today.yaml" <<'YAML'
workload:
  users: 1000
  growth: 10%
  daily_active: 30%
  peak_concurrent: 10%
  requests:
    - {name: api, rate: 6/min, duration: 100ms, cpu: 100ms}
components:
  app: {kind: app, workers: 1, concurrency: 50, memory: 200MiB}
deployment:
  providers: [hetzner]
  stages: [single]
  current:
    stage: single
    nodes: [{role: all, plan: cx22}]
YAML
t_expect "current evaluated" 0 "$HEADROOM" plan -f "$T_TMP/today.yaml" --months 24
# 2 vCPU at 70 % carry 14 requests/s of 100 ms: 1.4 / (30% x 10% x 0.1/s) = 4,666 users
t_contains "until when today suffices" "$T_OUT" "today:      single 1×cx22 (\$5.39 a month of infrastructure) suffices until"
t_contains "what breaks first" "$T_OUT" "then cpu passes 70%"
t_contains "each milestone says so" "$T_OUT" "today's:    still meets every target"
t_contains "next says when" "$T_OUT" "next:       cpu passes 70% at"

# A growth option that cannot produce the milestones is an error, not one
# silent milestone.
sed '/growth:/d' "$T_TMP/growth.yaml" >"$T_TMP/flat.yaml"
t_expect "--months without growth" 2 "$HEADROOM" plan -f "$T_TMP/flat.yaml" --months 5
t_contains "says why" "$T_ERR" "--months 5: workload.growth is not set"
t_expect "no growth, no milestones" 0 "$HEADROOM" plan -f "$T_TMP/flat.yaml"
t_contains "a stated note" "$T_OUT" "note:       one milestone, workload.users"

# database: managed holds on the single-node stages too.
sed 's/^  database: any/  database: managed/' "$EX/social.yaml" >"$T_TMP/managed.yaml"
t_expect "database: managed" 0 "$HEADROOM" plan -f "$T_TMP/managed.yaml" --users 20 --format json
v=$(printf '%s' "$T_OUT" | python3 -c 'import json,sys; m=json.load(sys.stdin)["milestones"][0]; print(m["stage"].split("+")[0], m["services"]["managed_db"] is not None)')
t_contains "single with a managed database" "$v" "single True"

# A dedicated stack per enterprise customer (seed 000 section 9).
t_expect "altius dedicated" 0 "$HEADROOM" plan -f "$EX/altius.yaml" --format json
v=$(printf '%s' "$T_OUT" | python3 -c 'import json,sys; d=json.load(sys.stdin)["dedicated"]; print(d["users"], d["feasible"], d["availability"], d["total"] > 0)')
t_contains "dedicated planned" "$v" "5000.0 True 0.995 True"
t_expect "altius dedicated text" 0 "$HEADROOM" plan -f "$EX/altius.yaml"
t_contains "dedicated in the text" "$T_OUT" "dedicated stack (economics.dedicated): 1 customer of 5000 users each"

t_expect "--help" 0 "$HEADROOM" plan --help
t_contains "usage" "$T_OUT" "usage: headroom plan"
t_done
