#!/bin/sh
# headroom export compose / k8s for every example: each file passes its real
# validators (docker-compose 1.29, the compose-spec schema dclint bundles,
# kubernetes-models + @kubernetes-models/keda and headroom's own lint in
# k8s_check.js), names the headroom version and the config, and is the same
# byte for byte when exported twice. Stages Compose cannot run are clear
# errors that name the stage and point at export k8s.
. "$HEADROOM_ROOT/tests/lib.sh"
cd "$T_TMP" || exit 1
EX="$HEADROOM_ROOT/examples"
NM="$(dirname "$HEADROOM")/npm/node_modules"
VERSION=$("$HEADROOM" --version | sed 's/^headroom //')

have_node=1
[ -d "$NM/kubernetes-models" ] && [ -d "$NM/@kubernetes-models/keda" ] && [ -d "$NM/dclint" ] || have_node=0
[ $have_node -eq 1 ] || t_not_ok "npm validators missing in $NM (run scripts/npm-deps.sh)"

compose_ok() { # NAME DIR
	if (cd "$2" && docker-compose config -q) >dc.log 2>&1; then t_ok "$1: docker-compose 1.29 accepts it"; else
		t_not_ok "$1: docker-compose 1.29 accepts it"; t_diag "$(cat dc.log)"; fi
	if [ $have_node -eq 1 ] && node "$HEADROOM_ROOT/tests/integration/compose_schema.js" "$NM" "$2/docker-compose.yml" >dcl.log 2>&1; then
		t_ok "$1: the compose-spec schema accepts it"
	else
		t_not_ok "$1: the compose-spec schema accepts it"; t_diag "$(cat dcl.log)"
	fi
}

k8s_ok() { # NAME FILE
	if [ $have_node -eq 1 ] && node "$HEADROOM_ROOT/tests/integration/k8s_check.js" "$NM" "$2" >k8s.log 2>&1; then
		t_ok "$1: kubernetes-models, KEDA and the lint accept it ($(tail -n 1 k8s.log))"
	else
		t_not_ok "$1: kubernetes-models, KEDA and the lint accept it"; t_diag "$(cat k8s.log)"
	fi
}

# Compose for each example: the plan at its users, or a stage it can run.
for ex in "$EX"/*.yaml; do
	e=$(basename "$ex" .yaml)
	mkdir -p "c-$e"
	stage=
	if t_run 0 "$HEADROOM" export compose -f "$EX/$e.yaml" -o "c-$e/docker-compose.yml"; then
		t_ok "$e: export compose at the example's users"
	else
		# Only a stage Compose cannot run may refuse; then the smallest that can.
		t_contains "$e: the refusal names the stage and export k8s" "$T_ERR" "headroom export k8s"
		stage="--stage single"
		# shellcheck disable=SC2086
		t_expect "$e: export compose --stage single" 0 "$HEADROOM" export compose -f "$EX/$e.yaml" $stage -o "c-$e/docker-compose.yml"
	fi
	f="c-$e/docker-compose.yml"
	t_contains "$e: the header names the version and the config" "$(head -n 1 "$f")" "headroom $VERSION \`export compose\` from $EX/$e.yaml"
	compose_ok "$e compose" "c-$e"
	# shellcheck disable=SC2086
	"$HEADROOM" export compose -f "$EX/$e.yaml" $stage -o "c-$e/again.yml" 2>/dev/null
	t_check "$e: compose is the same bytes twice" cmp -s "$f" "c-$e/again.yml"

	t_expect "$e: export k8s" 0 "$HEADROOM" export k8s -f "$EX/$e.yaml" -o "k-$e.yaml"
	t_contains "$e: the k8s header names the version and the config" "$(head -n 1 "k-$e.yaml")" "headroom $VERSION \`export k8s\` from $EX/$e.yaml"
	k8s_ok "$e k8s" "k-$e.yaml"
	"$HEADROOM" export k8s -f "$EX/$e.yaml" -o "k-$e.again.yaml"
	t_check "$e: k8s is the same bytes twice" cmp -s "k-$e.yaml" "k-$e.again.yaml"
done

# pareto at 2M users is a cluster: Compose refuses, naming it; split works.
t_expect "pareto at 2M users: compose refuses" 2 "$HEADROOM" export compose -f "$EX/pareto.yaml" --users 2M
t_contains "... naming the stage" "$T_ERR" "the plan is stage 'cluster'"
t_contains "... and suggesting export k8s" "$T_ERR" "headroom export k8s"
t_check "... in one line" [ "$(printf '%s\n' "$T_ERR" | wc -l)" -eq 1 ]
t_expect "--stage ha is refused" 2 "$HEADROOM" export compose -f "$EX/pareto.yaml" --stage ha
t_contains "... naming ha and export k8s" "$T_ERR" "stage 'ha' runs on several app nodes, which one Compose file cannot; use headroom export k8s"
t_expect "--stage cluster is refused" 2 "$HEADROOM" export compose -f "$EX/pareto.yaml" --stage cluster
t_contains "... naming cluster" "$T_ERR" "stage 'cluster'"
mkdir -p split
t_expect "pareto --stage split" 0 "$HEADROOM" export compose -f "$EX/pareto.yaml" --stage split -o split/docker-compose.yml
t_contains "split puts PostgreSQL in the db-node profile" "$(cat split/docker-compose.yml)" '"db-node"'
compose_ok "pareto split" split
# The plan's PgBouncer is in the files: pareto at 250k users is single+ops
# with PgBouncer (Compose), at 1M ha with PgBouncer (Kubernetes), each with
# the pool the planner counted (deployment.pooler in the example).
mkdir -p pgb
t_expect "pareto at 250k: export compose" 0 "$HEADROOM" export compose -f "$EX/pareto.yaml" --users 250k -o pgb/docker-compose.yml
c=$(cat pgb/docker-compose.yml)
t_contains "... the header names PgBouncer" "$(sed -n 2p pgb/docker-compose.yml)" "+ pgbouncer"
t_contains "... a pgbouncer service in front of postgres" "$c" "  pgbouncer:
    # The plan's PgBouncer: transaction pooling in front of postgres, 20 server connections"
t_contains "... its pool and client limit from the config" "$c" 'DEFAULT_POOL_SIZE: "20"
      MAX_CLIENT_CONN: "1000"'
t_contains "... started once PostgreSQL is healthy" "$(sed -n '/^  pgbouncer:/,$p' pgb/docker-compose.yml)" "      postgres:
        condition: service_healthy"
compose_ok "pareto 250k with PgBouncer" pgb
t_expect "pareto at 1M: export k8s" 0 "$HEADROOM" export k8s -f "$EX/pareto.yaml" --users 1M -o k-1m.yaml
k=$(cat k-1m.yaml)
t_contains "... a PgBouncer Deployment" "$k" "image: edoburu/pgbouncer:"
t_contains "... two replicas holding half the pool each" "$k" '10 server connections a replica, 20 in all'
t_contains "... its Service" "$(grep -A3 'kind: Service' k-1m.yaml)" "name: pgbouncer"
t_check "... no secret written: credentials come from a Secret" sh -c "grep -q 'name: pgbouncer-auth' k-1m.yaml && ! grep -q DB_PASSWORD: k-1m.yaml"
k8s_ok "pareto k8s at 1M with PgBouncer" k-1m.yaml
# Read replicas and Sentinel stay outside the manifests, and say so.
sed -e 's/^  providers: \[hetzner\].*/  providers: [hetzner]\n  max_read_replicas: 15/' "$EX/pareto.yaml" >rep.yaml
cat "$HEADROOM_ROOT/tests/fixtures/plan/replicas-offers.yaml" >>rep.yaml
t_expect "pareto at 2M with read replicas: export k8s" 0 "$HEADROOM" export k8s -f rep.yaml --users 2M -o k-rep.yaml
t_contains "... the replicas are named" "$(cat k-rep.yaml)" "read replicas (streaming replication)"
k8s_ok "pareto k8s with replicas" k-rep.yaml
sed -e 's/^  providers: \[digitalocean\]/  providers: [aws]/' -e 's/^  availability: 99.5%/  availability: 99.9%/' "$EX/agents.yaml" >aws999.yaml
t_expect "agents on AWS at 99.9 %: export k8s" 0 "$HEADROOM" export k8s -f aws999.yaml --users 2000 -o k-sentinel.yaml
t_contains "... Sentinel is named" "$(cat k-sentinel.yaml)" "primary + replica under three Sentinels"
k8s_ok "agents k8s with Sentinel" k-sentinel.yaml
t_expect "social (no pooler in the plan): no pgbouncer" 0 "$HEADROOM" export k8s -f "$EX/social.yaml" -o k-social-nopgb.yaml
t_check "... none written" sh -c "! grep -q pgbouncer k-social-nopgb.yaml"

# With deployment.database: managed, pareto at 500k runs the seed's managed
# PostgreSQL (HA): it stays outside the cluster.
sed 's/^  database: any/  database: managed/' "$EX/pareto.yaml" >pareto-managed.yaml
t_expect "pareto k8s at 500k users" 0 "$HEADROOM" export k8s -f pareto-managed.yaml --users 500k -o k-500k.yaml
k8s_ok "pareto k8s at 500k" k-500k.yaml
k=$(cat k-500k.yaml)
t_contains "the worker scales on its Redis list" "$k" 'listName: "celery"'
t_contains "the HPA behaviour is written out" "$k" "stabilizationWindowSeconds: 300"
t_contains "managed PostgreSQL stays outside the cluster" "$k" "the managed database 'managed-pg-ha'"
t_expect "--users with --stage is refused" 2 "$HEADROOM" export compose -f "$EX/pareto.yaml" --users 5 --stage single
t_expect "an unknown kind" 2 "$HEADROOM" export helm
t_contains "... is named" "$T_ERR" "headroom export: unknown kind 'helm'"
t_expect "a bad --users" 2 "$HEADROOM" export k8s -f "$EX/pareto.yaml" --users lots
t_contains "... is one line" "$T_ERR" "headroom export k8s: --users: expected a user count"
t_expect "a bad namespace" 2 "$HEADROOM" export k8s -f "$EX/pareto.yaml" --namespace Prod_1
t_expect "export --help lists the kinds" 0 "$HEADROOM" export --help
t_contains "... compose" "$T_OUT" "compose"
t_contains "... k8s" "$T_OUT" "k8s"

# The PostgreSQL settings mounted by the compose file.
social=c-social
t_check "social: postgresql.conf is written beside the compose file" [ -s "$social/postgresql.conf" ]
t_contains "social: the compose file mounts it" "$(cat "$social/docker-compose.yml")" "./postgresql.conf:/etc/postgresql/postgresql.conf:ro"
t_contains "social: its header names the version and the config" "$(head -n 1 "$social/postgresql.conf")" "headroom $VERSION"
t_contains "social: max_connections from the config" "$(cat "$social/postgresql.conf")" "max_connections = 100"

# The lint catches what the schemas let through (so it can fail).
lint_catches() { # NAME SED-SCRIPT EXPECTED
	sed "$2" k-agents.yaml >broken.yaml
	if node "$HEADROOM_ROOT/tests/integration/k8s_check.js" "$NM" broken.yaml >lint.log 2>&1; then
		t_not_ok "lint catches $1"
	else
		t_contains "lint catches $1" "$(cat lint.log)" "$3"
	fi
}
if [ $have_node -eq 1 ]; then
	lint_catches "a misspelt field" 's/^  replicas: /  replcas: /' "unknown field Deployment.spec.replcas"
	lint_catches "a bad policy type" 's/type: Pods/type: Pod/' "'Pod' is not one of Pods|Percent"
	lint_catches "a bad selectPolicy" '0,/selectPolicy: Max/s//selectPolicy: Biggest/' "'Biggest' is not one of Max|Min|Disabled"
	lint_catches "min above max" 's/minReplicas: 2/minReplicas: 50/' "minReplicas 50 above maxReplicas"
	lint_catches "a KEDA min above max" 's/minReplicaCount: [0-9]*/minReplicaCount: 500/' "minReplicaCount 500 above maxReplicaCount"
	lint_catches "a request above its limit" '0,/cpu: 1$/s//cpu: 1m/' "cpu request"
	lint_catches "a selector that misses the pods" '0,/      app.kubernetes.io\/name: api/s//      app.kubernetes.io\/name: apx/' "selector does not match the template's labels"
	lint_catches "a PDB at the replica count" 's/minAvailable: 1/minAvailable: 2/' "not below the Deployment's 2 replicas"
	lint_catches "a schema error" 's/minReplicas: 2/minReplicas: two/' "schema:"
fi

t_done
