#!/bin/sh
# headroom tune postgres against a real PostgreSQL 15: for several machines
# and for the database node of every example, the generated file is the
# server's config_file, and every setting read back with SHOW equals the
# JSON. Then the bounds of the flags (one line, exit 2), stability (the same
# bytes twice), and `tune app` for every runtime and every example.
. "$HEADROOM_ROOT/tests/lib.sh"
cd "$T_TMP" || exit 1
EX="$HEADROOM_ROOT/examples"
PSQL="psql -X -q -At -h 127.0.0.1 -U postgres -d postgres"

# --- what --version 15 may emit ----------------------------------------------
"$HEADROOM" tune postgres --ram 8GiB --cpus 8 --os windows --version 15 --format json >v15.json
"$HEADROOM" tune postgres --ram 8GiB --cpus 64 --os windows --version 18 --format json >v18.json
keys() { python3 -c 'import json,sys; print(" ".join(json.load(open(sys.argv[1]))["settings"]))' "$1"; }
case " $(keys v15.json) " in
*" io_method "* | *" io_workers "*) t_not_ok "15: no PostgreSQL 18 settings"; t_diag "$(keys v15.json)" ;;
*) t_ok "15: no PostgreSQL 18 settings (io_method, io_workers)" ;;
esac
t_contains "18: io_method and io_workers" "$(keys v18.json)" "io_method io_workers"

# --- several machines and every example's database node, on PostgreSQL 15 ---
# name|flags
cat >machines <<'EOF'
web-1g|--ram 1GiB --cpus 1
oltp-2g-nvme|--ram 2GiB --cpus 4 --type oltp --storage nvme --connections 300
dw-4g-hdd|--ram 4GiB --cpus 8 --type dw --storage hdd --db-size greater-ram
desktop-512m|--ram 512MiB --type desktop --storage san --db-size less-ram
mixed-8g-16cpu|--ram 8GiB --cpus 16 --type mixed
web-3gb-si|--ram 3GB --cpus 2
web-96m|--ram 96MiB
EOF
for f in "$EX"/*.yaml; do
	echo "example-$(basename "$f" .yaml)|-f $f" >>machines
done

started=0
while IFS='|' read -r mn flags; do
	# shellcheck disable=SC2086 # flags are words
	if ! "$HEADROOM" tune postgres $flags --version 15 >"$mn.conf" 2>"$mn.err" ||
		! "$HEADROOM" tune postgres $flags --version 15 --format json >"$mn.json" 2>>"$mn.err"; then
		t_not_ok "$mn: tune postgres"
		t_diag "$(cat "$mn.err")"
		continue
	fi
	chmod 644 "$mn.conf"
	[ $started -eq 1 ] && t_stop_postgres
	t_start_postgres -c config_file="$T_TMP/$mn.conf"
	started=1
	# Every setting of the JSON, read back with SHOW, in one session.
	python3 - "$mn.json" >"$mn.show" <<'PY'
import json, sys
for k in json.load(open(sys.argv[1]))["settings"]:
    print(f"SHOW {k};")
PY
	$PSQL -p "$PG_PORT" -f "$mn.show" >"$mn.got" 2>"$mn.psql"
	python3 - "$mn.json" "$mn.got" >"$mn.diff" <<'PY'
import json, sys
want = json.load(open(sys.argv[1]))["settings"]
got = open(sys.argv[2]).read().split("\n")
for i, (k, v) in enumerate(want.items()):
    g = got[i] if i < len(got) else "<missing>"
    if g != v:
        print(f"{k}: SHOW says {g}, the JSON {v}")
print(len(want))
PY
	n=$(tail -n 1 "$mn.diff")
	if [ "$(wc -l <"$mn.diff")" -eq 1 ] && [ "$n" -gt 10 ]; then
		t_ok "$mn: PostgreSQL 15 starts with it and SHOW reads back all $n settings"
	else
		t_not_ok "$mn: SHOW differs from the JSON"
		t_diag "$(cat "$mn.diff" "$mn.psql")"
	fi
	cf=$($PSQL -p "$PG_PORT" -c "SHOW config_file")
	t_check "$mn: the server read the generated file" [ "$cf" = "$T_TMP/$mn.conf" ]
	# The conf file and the JSON say the same.
	python3 - "$mn.json" "$mn.conf" >"$mn.cmp" <<'PY'
import json, sys
want = json.load(open(sys.argv[1]))["settings"]
lines = [l for l in open(sys.argv[2]).read().split("\n") if l and not l.startswith("#")]
print(lines == [f"{k} = {v}" for k, v in want.items()])
PY
	t_check "$mn: the conf lines are the JSON's settings" [ "$(cat "$mn.cmp")" = True ]
done <machines

# The postgresql.conf `export compose` mounts is tune postgres's too: the
# server takes it, and SHOW reads back each line (listen_addresses aside,
# which the test holds to 127.0.0.1).
mkdir -p compose
"$HEADROOM" export compose -f "$EX/social.yaml" -o compose/docker-compose.yml 2>/dev/null
chmod 644 compose/postgresql.conf
grep -v -e '^#' -e '^listen_addresses' compose/postgresql.conf | grep ' = ' >compose.want
t_check "export compose: postgresql.conf has tune's settings" grep -q '^wal_buffers = ' compose.want
t_stop_postgres
t_start_postgres -c config_file="$T_TMP/compose/postgresql.conf"
sed 's/^\([a-z_]*\) = .*/SHOW \1;/' compose.want >compose.show
$PSQL -p "$PG_PORT" -f compose.show >compose.got 2>compose.psql
sed 's/^[a-z_]* = //' compose.want >compose.values
if cmp -s compose.values compose.got; then
	t_ok "export compose: PostgreSQL 15 reads back all $(wc -l <compose.want) settings of its postgresql.conf"
else
	t_not_ok "export compose: SHOW differs from postgresql.conf"
	t_diag "$(paste -d' ' compose.want compose.got) $(cat compose.psql)"
fi
t_stop_postgres

# --- what the header and the plan say -----------------------------------------
head -n 1 web-1g.conf | grep -q "^# postgresql.conf settings by headroom [0-9]" &&
	grep -q "^# from the command line (no config)" web-1g.conf
t_check "header: the version and 'the command line'" [ $? -eq 0 ]
grep -q "^# from $EX/social.yaml, the plan at " example-social.conf
t_check "header: the config it came from" [ $? -eq 0 ]
t_contains "a split plan: the database node" "$(cat example-agents.conf)" "# machine: database node s-1vcpu-1gb: 1 vCPU"
t_contains "a single node: the component's memory" "$(cat example-social.conf)" \
	"with the 512 MiB the postgres component reserves"
t_contains "the plan's max_connections" "$(python3 -c 'import json; d=json.load(open("example-knowledge.json")); print(d["settings"]["max_connections"], d["plan"]["placement"], d["input"]["cpus"])')" \
	"200 own_node 8"
t_contains "low memory: PGTune's warning" "$(cat web-96m.conf)" "# WARNING: PGTune's rules are not made for less than 256 MB"
t_contains "3GB in SI units: whole 8 kB pages" "$(grep shared_buffers web-3gb-si.conf)" "shared_buffers = 732416kB"
# --users moves the plan: social at 5000 users is a split with its own database node.
"$HEADROOM" tune postgres -f "$EX/social.yaml" --users 5000 --format json >s5k.json
t_contains "--users: the plan at 5000 users" \
	"$(python3 -c 'import json; d=json.load(open("s5k.json"))["plan"]; print(d["users"], d["stage"], d["placement"])')" \
	"5000.0 split own_node"
# a flag given with -f wins over the plan
"$HEADROOM" tune postgres -f "$EX/social.yaml" --ram 16GiB --format json >s16.json
t_contains "-f with --ram: the flag wins" "$(python3 -c 'import json; print(json.load(open("s16.json"))["settings"]["shared_buffers"])')" "4GB"

# --- the same input, the same bytes; for every example ------------------------
for f in "$EX"/*.yaml; do
	ex=$(basename "$f" .yaml)
	for fmt in conf json; do
		"$HEADROOM" tune postgres -f "$f" --format $fmt >a.out 2>/dev/null
		"$HEADROOM" tune postgres -f "$f" --format $fmt >b.out 2>/dev/null
		t_check "$ex: tune postgres --format $fmt twice, the same bytes" cmp -s a.out b.out
	done
	for rt in uvicorn gunicorn node puma celery; do
		"$HEADROOM" tune app --runtime $rt -f "$f" >a.out 2>a.err
		st=$?
		"$HEADROOM" tune app --runtime $rt -f "$f" >b.out 2>/dev/null
		if [ $st -eq 0 ]; then
			if cmp -s a.out b.out && grep -q "^# from $f, the plan at" a.out && grep -q "source: " a.out; then
				t_ok "$ex: tune app --runtime $rt: header, sources, the same bytes twice"
			else
				t_not_ok "$ex: tune app --runtime $rt"
				t_diag "$(cat a.out)"
			fi
		else
			# celery needs a worker component: say so, located, exit 2
			if [ $st -eq 2 ] && [ $rt = celery ] && [ "$(wc -l <a.err)" -eq 1 ] &&
				grep -q "^$f: error: the config has no worker component for celery" a.err; then
				t_ok "$ex: tune app --runtime celery: no worker component, one located line"
			else
				t_not_ok "$ex: tune app --runtime $rt (exit $st)"
				t_diag "$(cat a.err)"
			fi
		fi
	done
done
"$HEADROOM" tune app --runtime gunicorn --cpus 4 --ram 8GiB --format json >g.json
t_contains "tune app json: 2 x 4 + 1 workers" \
	"$(python3 -c 'import json; d=json.load(open("g.json")); print(d["processes"], d["threads"], d["pool"], d["command"])')" \
	"9 1 sync gunicorn --workers 9 --threads 1 --worker-class sync"
"$HEADROOM" tune app --runtime celery -f "$EX/agents.yaml" --format json >c.json
t_contains "tune app -f: the plan's node and the component" \
	"$(python3 -c 'import json; d=json.load(open("c.json")); print(d["plan"]["component"], d["plan"]["node"], d["pool"])')" \
	"agents s-1vcpu-2gb gevent"

# --- bad input: one line, exit 2 ------------------------------------------------
bad() {
	bname=$1 bwant=$2
	shift 2
	t_run 2 "$HEADROOM" "$@"
	st=$T_STATUS
	if [ $st -eq 2 ] && [ "$(printf '%s\n' "$T_ERR" | wc -l)" -eq 1 ] && [ -z "$T_OUT" ]; then
		t_contains "$bname: one line, exit 2" "$T_ERR" "$bwant"
	else
		t_not_ok "$bname: exit $st, want 2 and one line"
		t_diag "$T_ERR"
	fi
}
bad "unknown --type" "headroom tune postgres: --type: unknown 'warehouse'; expected web, oltp, dw, desktop or mixed" \
	tune postgres --ram 4GiB --type warehouse
bad "--ram 0" "headroom tune postgres: --ram: at least 64MiB" tune postgres --ram 0
bad "--ram without a unit" "headroom tune postgres: --ram: '4' is not a size" tune postgres --ram 4
bad "--version 9" "headroom tune postgres: --version: expected a whole number from 10 to 18, got '9'" \
	tune postgres --ram 4GiB --version 9
bad "--version 19" "got '19'" tune postgres --ram 4GiB --version 19
bad "unknown --os" "--os: unknown 'bsd'" tune postgres --ram 4GiB --os bsd
bad "unknown --storage" "--storage: unknown 'tape'" tune postgres --ram 4GiB --storage tape
bad "unknown --db-size" "--db-size: unknown 'huge'" tune postgres --ram 4GiB --db-size huge
bad "no --ram" "--ram is required" tune postgres
bad "--cpus 0" "--cpus: expected a whole number from 1 to 9999, got '0'" tune postgres --ram 4GiB --cpus 0
bad "--format yaml" "--format: unknown 'yaml'; expected conf or json" tune postgres --ram 4GiB --format yaml
bad "unknown --runtime" "headroom tune app: --runtime: unknown 'rails'; expected uvicorn, gunicorn, node, puma or celery" \
	tune app --runtime rails --cpus 2 --ram 4GiB
bad "tune app --ram 0" "headroom tune app: --ram: at least 64MiB" tune app --runtime node --cpus 2 --ram 0
bad "tune app without --runtime" "--runtime is required" tune app --cpus 2 --ram 4GiB
bad "tune app --cpu-share 0" "--cpu-share: expected a fraction above 0" tune app --runtime puma --cpus 2 --ram 4GiB --cpu-share 0
bad "tune what" "headroom tune: unknown target 'redis'; expected postgres or app" tune redis
printf 'workload: {users: 10\n' >broken.yaml
t_run 2 "$HEADROOM" tune postgres -f broken.yaml
t_check "a broken config: located, exit 2" [ $T_STATUS -eq 2 ]
t_contains "a broken config: file:line:col" "$T_ERR" "broken.yaml:"
printf 'components:\n  web: {kind: app}\n' >noworkload.yaml
bad "a config without a workload" "noworkload.yaml: error: the config has no workload to plan" \
	tune postgres -f noworkload.yaml

# --- help ---------------------------------------------------------------------
t_expect "tune --help" 0 "$HEADROOM" tune --help
t_contains "tune --help names both" "$T_OUT" "headroom tune app --runtime"
t_expect "tune postgres --help" 0 "$HEADROOM" tune postgres --help
t_contains "tune postgres --help: the contract" "$T_OUT" "--db-size less-ram|mid-ram|greater-ram"
t_expect "tune app --help" 0 "$HEADROOM" tune app --help
t_contains "tune app --help: runtimes" "$T_OUT" "uvicorn|gunicorn|node|puma|celery"
t_done
