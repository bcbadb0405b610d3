#!/bin/sh
# headroom check with nothing configured: this machine against the default
# triggers, text and JSON, and the Nagios exit codes for usage errors.
. "$HEADROOM_ROOT/tests/lib.sh"
cd "$T_TMP" || exit 1
export XDG_STATE_HOME="$T_TMP/state"

"$HEADROOM" check >out.txt 2>err.txt
st=$?
case $st in
0 | 1 | 2) t_ok "check with no config exits with a state (got $st)" ;;
*) t_not_ok "check with no config exits with a state (got $st)"; t_diag "$(cat out.txt err.txt)" ;;
esac
first=$(head -n 1 out.txt)
case "$first" in
OK:* | WARNING:* | CRITICAL:*) t_ok "first line is a Nagios summary" ;;
*) t_not_ok "first line is a Nagios summary"; t_diag "$first" ;;
esac
t_contains "summary carries perfdata" "$first" " | cpu="
t_contains "table lists cpu" "$(cat out.txt)" "cpu "
t_contains "table lists memory" "$(cat out.txt)" "memory "
t_contains "table lists disk" "$(cat out.txt)" "disk "
t_contains "sources not configured are named" "$(cat out.txt)" "not applicable here"

"$HEADROOM" check --format json >out.json 2>err.txt
jst=$?
python3 - out.json "$jst" <<'PY' >py.txt 2>&1
import json, sys
d = json.load(open(sys.argv[1]))
code = {"ok": 0, "warning": 1, "critical": 2, "unknown": 3}[d["status"]]
assert code == int(sys.argv[2]) == d["exit_code"], (code, sys.argv[2])
names = {t["name"]: t for t in d["triggers"]}
for n in ("cpu", "memory", "disk"):
    t = names[n]
    for k in ("name", "state", "value", "warn", "crit", "for_s", "eta_warn_s", "eta_crit_s", "source"):
        assert k in t, (n, k)
    assert t["source"] == "local"
    assert 0 <= t["value"] <= 1, t
cpu = names["cpu"]
assert cpu["warn"] == 0.7 and cpu["crit"] == 0.9 and cpu["for_s"] == 300, cpu
assert "seed 004" in cpu["origin"]
assert d["bottleneck"]["trigger"] in names
skipped = {s["name"] for s in d["skipped"]}
assert "db-connections" in skipped and "queue-depth" in skipped, skipped
m = {x["name"]: x["value"] for x in d["metrics"]}
assert m["cpu.cores"] >= 1
assert 'disk.used_ratio{mount="/"}' in m
assert d["sources"][0]["ok"] is True
PY
if [ $? -eq 0 ]; then t_ok "JSON has status, triggers, bottleneck, matching exit code"; else t_not_ok "JSON document"; t_diag "$(cat py.txt)"; fi

t_expect "unknown option is UNKNOWN (3)" 3 "$HEADROOM" check --bogus
t_contains "unknown option names itself" "$T_ERR" "--bogus"
t_expect "bad --format is UNKNOWN (3)" 3 "$HEADROOM" check --format yaml
t_contains "bad --format lists the choices" "$T_ERR" "expected text, json"
t_expect "a missing -f file is UNKNOWN (3)" 3 "$HEADROOM" check -f "$T_TMP/nope.yaml"
# Exit codes driven by triggers whose outcome is known on any machine:
# cpu.cores is at least 1.
cat >warn.yaml <<'YAML'
triggers:
  cores:
    metric: cpu.cores
    warn: 0
    crit: 1000000
    action: "Nothing; this is a test"
  disk-plan:
    enabled: false
YAML
t_expect "a trigger past warn exits WARNING (1)" 1 "$HEADROOM" check -f warn.yaml
t_contains "WARNING summary names the trigger" "$T_OUT" "WARNING: cores"
t_contains "advice is printed" "$T_OUT" "cores: WARNING on cpu.cores; do: Nothing; this is a test"
case "$T_OUT" in *disk-plan*) t_not_ok "enabled: false drops a default" ;; *) t_ok "enabled: false drops a default" ;; esac
sed 's/crit: 1000000/crit: 0.5/' warn.yaml >crit.yaml
t_expect "a trigger past crit exits CRITICAL (2)" 2 "$HEADROOM" check -f crit.yaml
printf 'triggers:\n  typo:\n    metric: cpu.utilizaton\n    warn: 1\n    crit: 2\n' >typo.yaml
t_expect "a trigger on a metric nobody gives is UNKNOWN (3)" 3 "$HEADROOM" check -f typo.yaml
t_contains "and suggests the metric meant" "$T_OUT" "did you mean 'cpu.utilization'?"
printf 'triggers:\n  cores:\n    metrc: cpu.cores\n' >bad.yaml
t_expect "a config error is UNKNOWN (3), not 2" 3 "$HEADROOM" check -f bad.yaml
t_contains "config error names file:line:col" "$T_ERR" "bad.yaml:3:5: error: unknown key 'metrc'"
printf 'triggers:\n  cpu:\n    warn: 1%%\n    for: 0s\n' >low.yaml
"$HEADROOM" check -f low.yaml --format json >low.json
python3 -c '
import json,sys
d=json.load(open("low.json"))
c=[t for t in d["triggers"] if t["name"]=="cpu"][0]
assert c["warn"]==0.01 and c["crit"]==0.9 and c["for_s"]==0, c
assert c["default"] is False and "low.yaml:2" in c["origin"], c
' && t_ok "an override keeps the default's crit and takes its own for" || t_not_ok "override merge"

t_expect "--help exits 0" 0 "$HEADROOM" check --help
t_contains "--help documents the exit codes" "$T_OUT" "0 OK, 1 WARNING, 2 CRITICAL, 3 UNKNOWN"
t_done
