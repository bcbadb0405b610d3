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
t_contains "one node at Hetzner's 99.9 %" "$T_OUT" "node                1  99.9%"
t_contains "objective is the target" "$T_OUT" "meets the target 99.5%: yes"
sed -e 's/    stage: single /    stage: ha /' -e 's/      - {role: all, plan: cx22, count: 1}/      - {role: app, plan: cx22, count: 2}\n      - {role: db, plan: cx32, count: 2}/' \
	"$EX/altius.yaml" >"$T_TMP/ha.yaml"
t_expect "sla -f ha" 0 "$HEADROOM" sla -f "$T_TMP/ha.yaml" --format json
parts=$(printf '%s' "$T_OUT" | python3 -c 'import json,sys; print([(p["name"], p["count"], p["failover_s"]) for p in json.load(sys.stdin)["parts"]])')
# app 2 nodes (k of n), db pair failing over in db_failover = 5 min, the load balancer
t_contains "ha parts" "$parts" "[('app', 2, None), ('db', 2, 300.0), ('lb', 1, None)]"
sed -e 's/    stage: single /    stage: ha /' "$EX/altius.yaml" >"$T_TMP/notha.yaml"
t_expect "sla -f: nodes that are not the stage" 2 "$HEADROOM" sla -f "$T_TMP/notha.yaml"
t_contains "says so" "$T_ERR" "these nodes are not a 'ha' stage"

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
t_contains "and the remedy" "$T_OUT" "remedy:     deployment.pooler.max_client_conn:"
# A pooler never allowed: the remedy is the pooler.
sed 's/^    max_client_conn: 1000/    max_client_conn: 1000\n    use: never/' "$EX/pareto.yaml" >"$T_TMP/nopool.yaml"
t_expect "pareto 1M without a pooler" 0 "$HEADROOM" plan -f "$T_TMP/nopool.yaml" --users 1M
t_contains "db_connections block" "$T_OUT" "fails on db_connections"
t_contains "a pooler lifts it" "$T_OUT" "a connection pooler (deployment.pooler.use: any)"
# Read replicas where one database node cannot carry the reads: at 2M MAU on
# the 8-vCPU plans only, replicas of the primary take the reads.
sed -e 's/^  providers: \[hetzner\].*/  providers: [hetzner]\n  max_read_replicas: 15/' "$EX/pareto.yaml" >"$T_TMP/rep.yaml"
cat >>"$T_TMP/rep.yaml" <<'YAML'
  - {provider: hetzner, name: cpx51, kind: server, vcpu: 16, memory: 32GiB, disk: 360GB, price: €999/mo, as_of: 2026-01-01, source: test}
  - {provider: hetzner, name: cx52, kind: server, vcpu: 16, memory: 32GiB, disk: 320GB, price: €999/mo, as_of: 2026-01-01, source: test}
  - {provider: hetzner, name: ccx43, kind: server, vcpu: 16, memory: 64GiB, disk: 360GB, price: €999/mo, as_of: 2026-01-01, source: test}
  - {provider: hetzner, name: ccx53, kind: server, vcpu: 32, memory: 128GiB, disk: 600GB, price: €999/mo, as_of: 2026-01-01, source: test}
  - {provider: hetzner, name: managed-pg-ha, kind: managed_db, vcpu: 4, memory: 16GiB, disk: 500GB, price: €999/mo, as_of: 2026-01-01, source: test}
YAML
t_expect "replicas at 2M" 0 "$HEADROOM" plan -f "$T_TMP/rep.yaml" --users 2M
t_contains "replicas named" "$T_OUT" "replicas + pgbouncer"
t_contains "replication lag stated, not modelled" "$T_OUT" "not modelled"

# An AWS plan with a Redis component: one Redis node is 99.5 %, so the plan
# makes Redis highly available (Sentinel or a managed cache with a replica)
# rather than call 2,000 users infeasible.
sed 's/^  providers: \[digitalocean\]/  providers: [aws]/' "$EX/agents.yaml" >"$T_TMP/agents-aws.yaml"
t_expect "agents on AWS at 2000" 0 "$HEADROOM" plan -f "$T_TMP/agents-aws.yaml" --users 2000 --format json
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
v=$(printf '%s' "$T_OUT" | python3 -c 'import json,sys; m=json.load(sys.stdin)["milestones"][0]; print(m["stage"], m["services"]["managed_db"] is not None)')
t_contains "single with a managed database" "$v" "single True"

# A dedicated stack per enterprise customer (seed 000 section 9).
t_expect "altius dedicated" 0 "$HEADROOM" plan -f "$EX/altius.yaml" --format json
v=$(printf '%s' "$T_OUT" | python3 -c 'import json,sys; d=json.load(sys.stdin)["dedicated"]; print(d["users"], d["feasible"], d["availability"], d["total"] > 0)')
t_contains "dedicated planned" "$v" "5000.0 True 0.999 True"
t_expect "altius dedicated text" 0 "$HEADROOM" plan -f "$EX/altius.yaml"
t_contains "dedicated in the text" "$T_OUT" "dedicated stack (economics.dedicated): 1 customer of 5000 users each"

t_expect "--help" 0 "$HEADROOM" plan --help
t_contains "usage" "$T_OUT" "usage: headroom plan"
t_done
