#!/bin/sh
# `check` names the planner's next step: the deployment the model calls for
# at workload.users, the constraint that breaks it first, and the cheapest
# deployment after that, attached to every firing trigger.
. "$HEADROOM_ROOT/tests/lib.sh"
EX="$HEADROOM_ROOT/examples/social.yaml"

jget() { python3 -c "import json,sys; j=json.load(open(sys.argv[1])); print($2)" "$1"; }

# The same model as `plan`: the check's "now" is plan's first milestone at workload.users.
t_expect "plan at the users now" 0 "$HEADROOM" plan -f "$EX" --users 20 --format json
echo "$T_OUT" >"$T_TMP/plan.json"
want=$(jget "$T_TMP/plan.json" '"%s %s %.2f" % (j["milestones"][0]["stage"], j["milestones"][0]["nodes"][0]["plan"], j["milestones"][0]["cost"]["total"])')

t_run 0 "$HEADROOM" check -f "$EX" --no-history --format json
# Exit status is whatever this machine's triggers say (0-2); the plan must be there regardless.
echo "$T_OUT" >"$T_TMP/check.json"
t_check "check JSON parses" python3 -c 'import json,sys; json.load(open(sys.argv[1]))' "$T_TMP/check.json"
got=$(jget "$T_TMP/check.json" '"%s %s %.2f" % (j["plan"]["now"]["stage"], j["plan"]["now"]["nodes"][0]["plan"], j["plan"]["now"]["total"])')
t_contains "check's deployment now is plan's ($want)" "$got" "$want"
t_contains "the plan is for workload.users" "$(jget "$T_TMP/check.json" 'j["plan"]["users"]')" "20.0"
nxt=$(jget "$T_TMP/check.json" '"%s %d" % (j["plan"]["next"]["constraint"], j["plan"]["next"]["users"])')
t_diag "next: $nxt"
# The growth point is where plan itself changes its answer: one user below it
# the deployment still holds, at it plan picks the next deployment.
at=$(jget "$T_TMP/check.json" 'int(j["plan"]["next"]["users"])')
then=$(jget "$T_TMP/check.json" '"%s %.2f" % (j["plan"]["next"]["deployment"]["nodes"][0]["plan"], j["plan"]["next"]["deployment"]["total"])')
t_expect "plan at the growth point" 0 "$HEADROOM" plan -f "$EX" --users "$at" --format json
echo "$T_OUT" >"$T_TMP/plan2.json"
t_contains "plan at $at users picks the next step ($then)" \
	"$(jget "$T_TMP/plan2.json" '"%s %.2f" % (j["milestones"][0]["nodes"][0]["plan"], j["milestones"][0]["cost"]["total"])')" "$then"

# A trigger that fires carries the next step; one that does not, none.
cp "$EX" "$T_TMP/fire.yaml"
cat >>"$T_TMP/fire.yaml" <<'YAML'
triggers:
  memory:
    metric: memory.used_ratio
    warn: 0.1%
    crit: 100%
    for: 0s
YAML
t_run 1 "$HEADROOM" check -f "$T_TMP/fire.yaml" --no-history --format json
echo "$T_OUT" >"$T_TMP/fire.json"
t_contains "memory at warn: exit 1 (Nagios WARNING)" "$T_STATUS" "1"
t_contains "the firing trigger names the next step" \
	"$(jget "$T_TMP/fire.json" '[t for t in j["triggers"] if t["name"] == "memory"][0]["next_step"]["constraint"]')" \
	"$(jget "$T_TMP/check.json" 'j["plan"]["next"]["constraint"]')"
t_contains "a quiet trigger has none" \
	"$(jget "$T_TMP/fire.json" '[t["next_step"] for t in j["triggers"] if t["state"] == "ok"][:1]')" "[None]"

t_run 1 "$HEADROOM" check -f "$T_TMP/fire.yaml" --no-history
t_contains "text names the next step" "$T_OUT" "next step: single"

t_done
