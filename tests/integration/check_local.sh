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
assert m["cpu.count"] >= 1
assert 'disk.used_ratio{mount="/"}' in m
assert d["sources"][0]["ok"] is True
PY
if [ $? -eq 0 ]; then t_ok "JSON has status, triggers, bottleneck, matching exit code"; else t_not_ok "JSON document"; t_diag "$(cat py.txt)"; fi

t_expect "unknown option is UNKNOWN (3)" 3 "$HEADROOM" check --bogus
t_contains "unknown option names itself" "$T_ERR" "--bogus"
t_expect "bad --format is UNKNOWN (3)" 3 "$HEADROOM" check --format yaml
t_contains "bad --format lists the choices" "$T_ERR" "expected text, json"
t_expect "a missing -f file is UNKNOWN (3)" 3 "$HEADROOM" check -f "$T_TMP/nope.yaml"
t_expect "--help exits 0" 0 "$HEADROOM" check --help
t_contains "--help documents the exit codes" "$T_OUT" "0 OK, 1 WARNING, 2 CRITICAL, 3 UNKNOWN"
t_done
