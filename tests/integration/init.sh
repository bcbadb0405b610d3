#!/bin/sh
# headroom init: a config drafted from compose files that validate and plan
# accept as written, located errors for bad compose files, and the round
# trip init --from X -> export compose keeping every service of X, checked
# by docker-compose 1.29 and the current compose-spec schema (as dclint bundles it),
# and no credential of the compose file copied into the draft or an export.
. "$HEADROOM_ROOT/tests/lib.sh"
cd "$T_TMP" || exit 1
FIX="$HEADROOM_ROOT/tests/fixtures/compose"
NM="$(dirname "$HEADROOM")/npm/node_modules"
# A fixed machine, so the drafts do not depend on where the test runs.
MACHINE="--cpus 4 --memory 8GiB --disk 160GB"

have_node=1
[ -d "$NM/dclint" ] && [ -d "$NM/js-yaml" ] || have_node=0
have_dc=1
command -v docker-compose >/dev/null 2>&1 || have_dc=0

# services FILE: the service names of a compose file, sorted, one a line.
services() {
	node -e '
const y = require(process.argv[1] + "/js-yaml");
const d = y.load(require("fs").readFileSync(process.argv[2], "utf8"));
console.log(Object.keys(d.services || {}).sort().join("\n"));' "$NM" "$1"
}

for f in seed002 django node-bullmq profiles-extends anchors; do
	# shellcheck disable=SC2086
	t_expect "$f: init --from writes a config" 0 "$HEADROOM" init --from "$FIX/$f.yml" -o "$f.yaml" $MACHINE
	t_expect "$f: validate accepts the draft" 0 "$HEADROOM" validate -f "$f.yaml"
	t_check "$f: validate prints nothing on stderr" [ -z "$T_ERR" ]
	t_expect "$f: plan accepts the draft" 0 "$HEADROOM" plan -f "$f.yaml"
	t_contains "$f: plan plans it" "$T_OUT" "choice:"
	t_contains "$f: guesses are marked" "$(cat "$f.yaml")" "# ASSUMPTION: "
	# Every component line carries its place in the compose file.
	n_svc=$(grep -c "^  [a-z][a-z0-9_-]*:    # .*$f.yml:[0-9]*:[0-9]*$" "$f.yaml")
	# shellcheck disable=SC2086
	"$HEADROOM" init --from "$FIX/$f.yml" -o "$f.again.yaml" $MACHINE 2>/dev/null
	t_check "$f: the same compose file gives the same bytes" cmp -s "$f.yaml" "$f.again.yaml"

	# Round trip: export compose keeps every service of the compose file.
	mkdir -p "rt-$f"
	t_expect "$f: export compose from the draft" 0 "$HEADROOM" export compose -f "$f.yaml" -o "rt-$f/docker-compose.yml"
	if [ $have_node -eq 1 ]; then
		services "$FIX/$f.yml" >"$f.in"
		services "rt-$f/docker-compose.yml" >"$f.out"
		t_check "$f: every service of the compose file is exported ($(wc -l <"$f.in") services, $n_svc located)" \
			sh -c "[ -s '$f.in' ] && [ \$(comm -23 '$f.in' '$f.out' | wc -l) -eq 0 ] && [ $n_svc -eq \$(wc -l <'$f.in') ]"
		if node "$HEADROOM_ROOT/tests/integration/compose_schema.js" "$NM" "rt-$f/docker-compose.yml" >"$f.dclint" 2>&1; then
			t_ok "$f: the export passes the compose-spec schema"
		else
			t_not_ok "$f: the export passes the compose-spec schema"
			t_diag "$(cat "$f.dclint")"
		fi
	else
		t_not_ok "$f: npm validators missing in $NM (run scripts/npm-deps.sh)"
	fi
	if [ $have_dc -eq 1 ]; then
		# Build contexts must exist for docker-compose to accept the file.
		for b in $(grep -h '^    build: ' "rt-$f/docker-compose.yml" | sed 's/^    build: //; s/"//g'); do mkdir -p "rt-$f/$b"; done
		if (cd "rt-$f" && docker-compose config -q) >"$f.dc" 2>&1; then
			t_ok "$f: docker-compose 1.29 accepts the export"
		else
			t_not_ok "$f: docker-compose 1.29 accepts the export"
			t_diag "$(cat "$f.dc")"
		fi
	else
		t_not_ok "$f: docker-compose is not installed (scripts/deps.sh)"
	fi
done

# What recognition made of the Django file.
# Anchors and merge keys (x-app: &app, <<: *app): the merged settings
# count, a key written beside the merge wins.
an=$(cat anchors.yaml)
t_contains "anchors: the image comes through the merge key" "$an" "    image: registry.example.com/acme/store:5.2.0
    command: \"bundle exec puma"
t_contains "anchors: the merged memory limit, over puma's 4 workers" "$an" "memory limit 1024 MiB over 4 processes"
t_contains "anchors: sidekiq's own deploy wins over the merged one" "$an" "memory limit 768 MiB (the compose file)"
t_contains "anchors: sidekiq's replicas" "$an" "deploy.replicas 2 x 1"
dj=$(cat django.yaml)
t_contains "django: gunicorn --workers 3 x 2 replicas" "$dj" "workers: 6"
t_contains "django: gunicorn --threads 4" "$dj" "concurrency: 4"
t_contains "django: celery worker recognised" "$dj" "its command runs a Celery worker"
t_contains "django: celery -Q gives the list" "$dj" "queue: default"
t_contains "django: celery beat runs no tasks" "$dj" "Celery beat"
t_contains "django: max_connections from the command" "$dj" "max_connections: 200"
t_contains "django: redis --maxmemory 512mb" "$dj" "memory: 512MiB"
t_contains "django: health path from the health check" "$dj" "health: /healthz/"
t_contains "django: registry image with a tag is PostgreSQL" "$dj" "image docker.io/library/postgres:16.4-bookworm is PostgreSQL"
nb=$(cat node-bullmq.yaml)
t_contains "node: BullMQ worker recognised" "$nb" "taken to be a BullMQ worker"
t_contains "node: valkey is Redis" "$nb" "valkey/valkey:8-alpine speaks the Redis protocol"
t_contains "node: caddy is the proxy" "$nb" "caddy:2 is a reverse proxy"
t_contains "node: replicas become workers" "$nb" "deploy.replicas 3 x 1"
pe=$(cat profiles-extends.yaml)
t_contains "extends within the file keeps the base's image" "$pe" "  api:    # "
t_contains "extends from another file gives its memory" "$pe" "memory limit 384 MiB"
t_contains "a profile is kept and stated" "$pe" "runs only with --profile debug"
t_contains "postgis is PostgreSQL" "$pe" "postgis/postgis:16-3.4 is PostgreSQL"
t_contains "keydb is Redis" "$pe" "eqalpha/keydb:latest speaks the Redis protocol"
t_contains "rq worker's queue" "$pe" "queue: rq:queue:reports"
t_contains "an unrecognised image is a stated assumption" "$pe" "is not one headroom recognises"

# Credentials (tests/fixtures/compose/secrets.yml, each holding Pl4nted):
# a --requirepass, broker URLs with a password, a webhook URL, a token in a
# command, and environment in both forms. The draft holds ${VAR}
# references (written $${VAR}, so the config keeps them), each variable
# named in a comment with where it came from; the exports write references
# (${VAR} for compose, $(VAR) from a Secret for Kubernetes), never a value.
# Before, every one of them was copied into the draft and both exports.
# shellcheck disable=SC2086
t_expect "secrets: init --from writes a config" 0 "$HEADROOM" init --from "$FIX/secrets.yml" -o secrets.yaml $MACHINE
t_expect "secrets: the draft validates" 0 "$HEADROOM" validate -f secrets.yaml
t_check "secrets: validate prints nothing on stderr" [ -z "$T_ERR" ]
mkdir -p rt-secrets
t_expect "secrets: export compose" 0 "$HEADROOM" export compose -f secrets.yaml -o rt-secrets/docker-compose.yml
t_expect "secrets: export k8s" 0 "$HEADROOM" export k8s -f secrets.yaml -o secrets-k8s.yaml
"$HEADROOM" init --from "$FIX/secrets.yml" -o - $MACHINE >secrets-init.out 2>&1
for f in secrets.yaml rt-secrets/docker-compose.yml secrets-k8s.yaml secrets-init.out; do
	hits=$(grep -c Pl4nted "$f")
	if [ "$hits" -eq 0 ]; then
		t_ok "secrets: no planted secret in $f ($(wc -c <"$f") bytes)"
	else
		t_not_ok "secrets: the planted secrets are in $f ($hits lines)"
		t_diag "$(grep Pl4nted "$f" | head -5)"
	fi
done
sd=$(cat secrets.yaml)
t_contains "secrets: the draft keeps a reference in the command" "$sd" \
	'command: "redis-server --requirepass $${REDIS_REQUIREPASS} --maxmemory 256mb'
t_contains "secrets: ... and names the variable, with its place" "$sd" \
	"# secret: the value of --requirepass in its command ($FIX/secrets.yml:33:14) is now \${REDIS_REQUIREPASS}"
t_contains "secrets: a broker URL's password" "$sd" 'amqp://shop:$${WORKER_RABBIT_PASSWORD}@rabbit:5672//'
t_contains "secrets: a list command's broker URL" "$sd" 'redis://:$${MAILER_REDIS_PASSWORD}@redis:6379/0'
t_contains "secrets: a webhook URL's path" "$sd" '--notify https://hooks.slack.com/$${WEB_WEBHOOK}'
t_contains "secrets: a token" "$sd" '--github-token $${SYNC_GITHUB_TOKEN}'
t_contains "secrets: environment is named, not copied" "$sd" \
	"# secret: environment POSTGRES_PASSWORD ($FIX/secrets.yml:30:26) is not copied (the exports write no environment);
    # set POSTGRES_PASSWORD where the service runs"
t_contains "secrets: ... in list form too" "$sd" "# secret: environment CELERY_RESULT_BACKEND"
t_contains "secrets: ... and a URL with a password" "$sd" "# secret: environment DATABASE_URL"
t_check "secrets: what is no secret is not named" sh -c "! grep -q 'DEBUG\|C_FORCE_ROOT\|POSTGRES_USER' secrets.yaml"
t_contains "secrets: export compose writes the reference" "$(cat rt-secrets/docker-compose.yml)" \
	'"redis-server", "--requirepass", "${REDIS_REQUIREPASS}"'
t_contains "secrets: ... and says where it is set" "$(cat rt-secrets/docker-compose.yml)" \
	'# reads ${REDIS_REQUIREPASS}: set it in the shell or an .env file beside this one'
sk=$(cat secrets-k8s.yaml)
t_contains "secrets: export k8s expands it from the env" "$sk" '"--requirepass", "$(REDIS_REQUIREPASS)"'
t_contains "secrets: ... which comes from a Secret" "$sk" "            - name: REDIS_REQUIREPASS
              valueFrom:
                secretKeyRef:
                  name: redis-env
                  key: REDIS_REQUIREPASS"
t_check "secrets: the draft's references are no secrets to the exports" \
	sh -c "! grep -q '# secret:' rt-secrets/docker-compose.yml secrets-k8s.yaml"
# A config written by hand (or drafted before) with a secret in a command:
# the exports write a reference all the same.
sed 's/\$\${REDIS_REQUIREPASS}/Pl4ntedByHand/' secrets.yaml >byhand.yaml
"$HEADROOM" export compose -f byhand.yaml -o byhand-compose.yml 2>byhand.err
"$HEADROOM" export k8s -f byhand.yaml -o byhand-k8s.yaml 2>>byhand.err
t_check "secrets: a hand-written secret reaches no export" sh -c "! grep -q Pl4nted byhand-compose.yml byhand-k8s.yaml byhand.err"
t_contains "secrets: ... which says what it did" "$(cat byhand-compose.yml)" \
	"# secret: the value of --requirepass in components.redis.command is written \${REDIS_REQUIREPASS}, never its value"
if [ $have_node -eq 1 ]; then
	if node "$HEADROOM_ROOT/tests/integration/compose_schema.js" "$NM" rt-secrets/docker-compose.yml >secrets.dclint 2>&1; then
		t_ok "secrets: the compose export passes the compose-spec schema"
	else
		t_not_ok "secrets: the compose export passes the compose-spec schema"
		t_diag "$(cat secrets.dclint)"
	fi
	if node "$HEADROOM_ROOT/tests/integration/k8s_check.js" "$NM" secrets-k8s.yaml >secrets-k8s.log 2>&1; then
		t_ok "secrets: kubernetes-models and the lint accept the k8s export"
	else
		t_not_ok "secrets: kubernetes-models and the lint accept the k8s export"
		t_diag "$(cat secrets-k8s.log)"
	fi
fi
if [ $have_dc -eq 1 ]; then
	# docker-compose fills the reference in from the environment.
	if (cd rt-secrets && REDIS_REQUIREPASS=set-at-deploy WORKER_RABBIT_PASSWORD=x MAILER_REDIS_PASSWORD=x \
		WEB_WEBHOOK=x SYNC_GITHUB_TOKEN=x docker-compose config) >secrets.dc 2>&1; then
		t_contains "secrets: docker-compose reads the variable at deploy" "$(cat secrets.dc)" "set-at-deploy"
	else
		t_not_ok "secrets: docker-compose 1.29 accepts the export"
		t_diag "$(cat secrets.dc)"
	fi
fi

# Bad compose files: one located line each, exit 2.
bad() {
	if t_run 2 "$HEADROOM" init --from "$FIX/$1.yml" -o out.yaml && [ "$(printf '%s\n' "$T_ERR" | wc -l)" -eq 1 ]; then
		t_contains "$1: one located error" "$T_ERR" "$2"
	else
		t_not_ok "$1: exit 2 with one line (exit $T_STATUS)"
		t_diag "$T_ERR"
	fi
}
bad bad-yaml "bad-yaml.yml:6:1: error: invalid YAML: found unexpected end of stream while scanning a quoted scalar"
bad no-image "no-image.yml:4:3: error: services.helper: has neither 'image' nor 'build'"
bad bad-top "bad-top.yml:1:1: error: unknown top-level key 'servces' in a Compose file; did you mean 'services'?"
t_check "no file is written for a bad compose file" [ ! -e out.yaml ]
printf 'services:\n  api:\n    image: python:3.12\n    mem_limit: lots\n' >badmem.yml
t_expect "a bad memory limit is an error" 2 "$HEADROOM" init --from badmem.yml -o out.yaml
t_contains "... at its place" "$T_ERR" "badmem.yml:4:16: error: services.api.mem_limit: expected a byte size such as 512m or 2g, got 'lots'"
printf 'services:\n  api:\n    extends: api\n' >cycle.yml
t_expect "an extends cycle is an error" 2 "$HEADROOM" init --from cycle.yml -o out.yaml
t_contains "... named as one" "$T_ERR" "is there a cycle?"
printf 'services:\n  db:\n    image: postgres:16\n' >onlydb.yml
t_expect "nothing to plan is an error" 2 "$HEADROOM" init --from onlydb.yml -o out.yaml
t_contains "... with its place" "$T_ERR" "onlydb.yml:2:3: error: no service serves requests or runs tasks"
t_expect "a missing compose file" 2 "$HEADROOM" init --from nope.yml -o out.yaml
t_contains "... says so" "$T_ERR" "nope.yml: error: cannot read: No such file or directory"

# Without --from: a starter for this machine, and an existing file is kept.
t_expect "init without --from writes a starter" 0 "$HEADROOM" init -o starter.yaml
t_expect "the starter validates" 0 "$HEADROOM" validate -f starter.yaml
t_expect "the starter plans" 0 "$HEADROOM" plan -f starter.yaml
t_contains "it is sized from this machine" "$(cat starter.yaml)" "# this machine: "
t_expect "an existing file is not replaced" 2 "$HEADROOM" init -o starter.yaml
t_contains "... and the message says how" "$T_ERR" "use --force"
t_expect "--force replaces it" 0 "$HEADROOM" init -o starter.yaml --force
t_expect "a bad flag value" 2 "$HEADROOM" init --memory 0 -o x.yaml
t_contains "... is one line naming the flag" "$T_ERR" "headroom init: --memory: expected a size above 0"
t_expect "an unknown provider" 2 "$HEADROOM" init --provider nosuch -o x.yaml
t_contains "... is named" "$T_ERR" "no server plan of provider 'nosuch'"
t_expect "--help" 0 "$HEADROOM" init --help
t_contains "--help names --from" "$T_OUT" "--from FILE"

t_done
