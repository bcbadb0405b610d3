#!/bin/sh
# headroom catalog: the shipped price data, text and JSON, filters, overrides.
. "$HEADROOM_ROOT/tests/lib.sh"
cd "$T_TMP" || exit 1

t_expect "catalog lists" 0 "$HEADROOM" catalog
t_contains "header" "$T_OUT" "PROVIDER"
t_contains "hetzner cx22 at the seed's price" "$T_OUT" "cx22"
t_check "every provider file is listed" [ "$(printf '%s\n' "$T_OUT" | awk 'NR>2{print $1}' | sort -u | wc -l)" -eq \
	"$(ls "$HEADROOM_ROOT"/data/catalog/*.yaml | wc -l)" ]

t_expect "--provider filters" 0 "$HEADROOM" catalog --provider hetzner
t_check "only hetzner rows" [ -z "$(printf '%s\n' "$T_OUT" | awk 'NR>2 && $1!="hetzner"')" ]
t_contains "cx22 row" "$(printf '%s\n' "$T_OUT" | grep ' cx22 ')" '$5.39/mo'

t_expect "--kind filters" 0 "$HEADROOM" catalog --kind k8s
t_check "only k8s rows" [ -z "$(printf '%s\n' "$T_OUT" | awk 'NR>2 && $3!="k8s"')" ]
t_contains "EKS at \$0.10/h" "$T_OUT" '$73.00/mo'

t_expect "unknown provider: exit 2" 2 "$HEADROOM" catalog --provider hetzne
t_contains "unknown provider suggests" "$T_ERR" "no provider 'hetzne' in the catalogue; did you mean 'hetzner'?"
t_expect "unknown kind: exit 2" 2 "$HEADROOM" catalog --kind serverr
t_contains "unknown kind suggests" "$T_ERR" "did you mean 'server'?"
t_expect "unknown format: exit 2" 2 "$HEADROOM" catalog --format xml

# JSON: parsed by a real JSON parser, base units, every entry sourced.
t_expect "json" 0 "$HEADROOM" catalog --format json
printf '%s\n' "$T_OUT" >cat.json
t_check "json parses" python3 -m json.tool cat.json >/dev/null
t_check "json: cx22 in base units" python3 - cat.json <<'PY'
import json, sys
rows = json.load(open(sys.argv[1]))
cx22 = [r for r in rows if r["provider"] == "hetzner" and r["name"] == "cx22"][0]
assert cx22["memory_bytes"] == 4 * 2**30 and cx22["vcpu"] == 2, cx22
assert cx22["price_month"] == 5.39 and cx22["currency"] == "USD", cx22
assert cx22["disk_bytes"] == 40e9 and cx22["transfer_bytes"] == 20e12, cx22
assert all(r["source"] and len(r["as_of"]) == 10 for r in rows)
keys = {"provider", "name", "kind", "vcpu", "memory_bytes", "disk_bytes", "transfer_bytes", "price_month",
        "currency", "price_per_gb_month", "backup_ratio", "per_million_requests", "per_gb_second",
        "per_cpu_hour", "availability", "max_connections", "ha", "pooler", "replica_price_month", "non_commercial",
        "as_of", "source"}
assert all(set(r) == keys for r in rows), [set(r) ^ keys for r in rows if set(r) != keys][:1]
# DigitalOcean's managed PostgreSQL comes with PgBouncer pools; a Multi-AZ RDS
# instance's read replica is a Single-AZ instance of its class.
do_pg = [r for r in rows if r["provider"] == "digitalocean" and r["kind"] == "managed_db"]
assert do_pg and all(r["pooler"] for r in do_pg), do_pg
rds = [r for r in rows if r["name"] == "db.t3.large-multi-az"][0]
assert rds["replica_price_month"] == 105.85 and rds["ha"], rds
# Vercel's Hobby plan is for non-commercial use only (its fair use guidelines).
assert [r["name"] for r in rows if r["non_commercial"]] == ["functions-hobby"], rows
eks = [r for r in rows if r["name"] == "eks"][0]
assert abs(eks["price_month"] - 73.0) < 1e-9, eks
PY

# A config's entries override the shipped ones; prices convert to its currency.
cat >mine.yaml <<'YAML'
economics:
  currency: EUR
  exchange: {USD: 0.5}
catalog:
  - {provider: hetzner, name: cx22, kind: server, vcpu: 2, memory: 4GiB, price: €4.59/mo, as_of: 2026-11-01, source: my invoice}
  - {provider: acme, name: big, kind: server, vcpu: 64, memory: 256GiB, price: $900/mo, as_of: 2026-11-01, source: a quote}
YAML
t_expect "with -f" 0 "$HEADROOM" catalog -f mine.yaml --format json
printf '%s\n' "$T_OUT" >mine.json
t_check "override and conversion" python3 - mine.json <<'PY'
import json, sys
rows = json.load(open(sys.argv[1]))
cx22 = [r for r in rows if r["provider"] == "hetzner" and r["name"] == "cx22"]
assert len(cx22) == 1 and cx22[0]["price_month"] == 4.59 and cx22[0]["source"] == "my invoice", cx22
big = [r for r in rows if r["name"] == "big"][0]
assert big["price_month"] == 450 and big["currency"] == "EUR", big
assert all(r["currency"] in ("EUR", "") for r in rows)
PY
t_expect "bad config: exit 2" 2 "$HEADROOM" catalog -f nope.yaml

# HEADROOM_DATA points at another data folder.
mkdir -p data/catalog
printf 'provider: solo\noffers:\n  - {name: one, kind: lb, price: $1/mo, as_of: 2026-01-01, source: test}\n' >data/catalog/solo.yaml
t_expect "HEADROOM_DATA" 0 env HEADROOM_DATA="$T_TMP/data" "$HEADROOM" catalog
t_check "only the folder's entries" [ "$(printf '%s\n' "$T_OUT" | awk 'NR>2' | wc -l)" -eq 1 ]
printf 'provider: solo\noffers:\n  - {name: one, kind: lb, price: 1/mo, as_of: 2026-01-01, source: test}\n' >data/catalog/solo.yaml
t_expect "bad data file: exit 2" 2 env HEADROOM_DATA="$T_TMP/data" "$HEADROOM" catalog
t_contains "bad data file located" "$T_ERR" "solo.yaml:3:34: error: offers[0].price: a catalogue price needs a currency"
# catalog_dir in a config: a folder of catalogue files instead of the
# installed one, relative to the config file.
mkdir -p "$T_TMP/cfg/prices"
cp "$HEADROOM_ROOT/data/catalog/hetzner.yaml" "$T_TMP/cfg/prices/"
printf 'catalog_dir: prices\n' >"$T_TMP/cfg/h.yaml"
t_expect "catalog_dir: exit 0" 0 sh -c "cd / && '$HEADROOM' catalog -f '$T_TMP/cfg/h.yaml' --format json"
t_contains "catalog_dir: read from beside the config" "$(printf '%s' "$T_OUT" | python3 -c 'import json,sys; print(sorted({e["provider"] for e in json.load(sys.stdin)}))')" "['hetzner']"
printf 'catalog_dir: nowhere\n' >"$T_TMP/cfg/n.yaml"
t_expect "catalog_dir that does not exist: exit 2" 2 "$HEADROOM" catalog -f "$T_TMP/cfg/n.yaml"
t_contains "and it is named" "$T_ERR" "$T_TMP/cfg/nowhere"
t_done
