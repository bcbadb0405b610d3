#!/bin/sh
# `for` without the agent: each `check` records its sample in the history
# store, so checks from cron or Nagios see a condition hold across runs and
# reach WARNING / CRITICAL once it held for its `for`. Before, a disk over
# crit with `for: 1s`, checked three times 1.2 s apart, was OK every time.
# Also: the store made at the XDG path when missing, a store the check may
# not write read (not refused), and a planning error beside the triggers.
. "$HEADROOM_ROOT/tests/lib.sh"
cd "$T_TMP" || exit 1
PEER="$HEADROOM_ROOT/tests/integration/hostile_peer.py"

# Any disk is more than 0.001 % used: crit from the first check, for 1 s.
cat >disk.yaml <<YAML
metrics:
  sources:
    - type: local
      mounts: ["/"]
triggers:
  disk: {metric: disk.used_ratio, warn: 0.0005%, crit: 0.001%, for: 1s}
YAML
cmd() { "$HEADROOM" check -f disk.yaml "$@"; }

t_expect "1st check: the condition just began, OK (crit pending)" 0 cmd --store h.db
t_contains "1st check: pending shown" "$T_OUT" "OK (crit pending)"
sleep 1.2
t_expect "2nd check 1.2 s later: held past its for, CRITICAL (2)" 2 cmd --store h.db
t_contains "2nd check: named" "$T_OUT" "CRITICAL: disk"
sleep 1.2
t_expect "3rd check: still CRITICAL" 2 cmd --store h.db
t_check "the store holds the three samples" [ "$(sqlite3 h.db "select count(distinct t) from samples")" -eq 3 ]

# Without --store: made at $XDG_STATE_HOME/headroom/history.db.
export XDG_STATE_HOME="$T_TMP/xdg"
t_expect "XDG: 1st check OK" 0 cmd
t_check "XDG: the store was created" [ -s "$T_TMP/xdg/headroom/history.db" ]
sleep 1.2
t_expect "XDG: 2nd check CRITICAL" 2 cmd

# A service failing every request: 100 % HTTP 500s with the default
# error-rate (for 5 min) was OK from cron for ever; with for: 1s it fires
# on the second check.
PORT=$(t_free_port)
python3 "$PEER" serve http-500 "$PORT" &
t_started $!
t_wait_port "$PORT" || { t_not_ok "http-500 server starts"; t_done; }
cat >web.yaml <<YAML
metrics:
  sources:
    - {name: api, type: http, url: "http://127.0.0.1:$PORT/", probes: 3, timeout: 2s}
triggers:
  error-rate: {for: 1s}
YAML
t_expect "500s, 1st check: OK (crit pending)" 0 "$HEADROOM" check -f web.yaml --store w.db
sleep 1.2
t_expect "500s, 2nd check: CRITICAL (2)" 2 "$HEADROOM" check -f web.yaml --store w.db
t_contains "500s: error-rate named" "$T_OUT" "CRITICAL: error-rate 100.0% > 5.0%"

# A gap longer than 3 x --interval breaks the `for`: a check after a long
# pause starts it again.
sleep 0.5
t_expect "a gap over 3 x --interval: the for starts again (OK, pending)" 0 \
	"$HEADROOM" check -f web.yaml --store w.db --interval 100ms

# A store the check may not write is read, not refused. As root, run the
# check as nobody (root writes anything); else take the write bit away.
mkdir ro && cp h.db ro/h.db
chmod 755 "$T_TMP" ro && chmod 644 ro/h.db
if [ "$(id -u)" -eq 0 ]; then
	as() { runuser -u nobody -- "$@"; }
	chmod 755 "$T_TMP/xdg" 2>/dev/null
else
	as() { "$@"; }
	chmod 555 ro && chmod 444 ro/h.db
fi
t_run 2 as "$HEADROOM" check -f disk.yaml --store ro/h.db
t_check "read-only store: read, CRITICAL from its history (exit $T_STATUS)" [ "$T_STATUS" -eq 2 ]
t_contains "read-only store: says the check is not recorded" "$T_OUT" "is read-only here: it is read, and this check is not recorded"
t_check "read-only store: nothing on stderr" [ -z "$T_ERR" ]
t_check "read-only store: left as it was" [ "$(sqlite3 ro/h.db "select count(distinct t) from samples")" -eq 3 ]

# A store that cannot be created: the check runs without history, and says so.
t_run 0 as "$HEADROOM" check -f disk.yaml --store /proc/headroom/h.db
t_check "no store possible: the check still runs (exit $T_STATUS)" [ "$T_STATUS" -eq 0 ]
t_contains "no store possible: says why" "$T_OUT" "note: no history: history store /proc/headroom/h.db: cannot create its directory"

# A trigger on a metric no source gives: UNKNOWN with a did-you-mean among
# the names the sources can give (check said "gave no value" with none).
sed 's/metric: disk.used_ratio,/metric: disk.used_ration,/' disk.yaml >typo.yaml
t_expect "a metric-name typo: UNKNOWN" 3 "$HEADROOM" check -f typo.yaml --no-history
t_contains "with a did-you-mean" "$T_OUT" "gave no value for 'disk.used_ration'; did you mean 'disk.used_ratio'?"

# A planning error does not switch monitoring off: the triggers are
# evaluated and the error is reported beside them (exit 3 with no triggers
# before). CRITICAL stays CRITICAL; OK would become UNKNOWN.
cat >plan.yaml <<YAML
workload:
  users: 1000
  daily_active: 20%
  peak_concurrent: 10%
  requests:
    - {name: api, rate: 1/min, cpu: 5ms, duration: 50ms}
components:
  db: {kind: postgres}
metrics:
  sources:
    - type: local
      mounts: ["/"]
triggers:
  disk: {metric: disk.used_ratio, warn: 0.0005%, crit: 0.001%, for: 0s}
YAML
t_run 2 "$HEADROOM" check -f plan.yaml --no-history
t_check "planning error: triggers still evaluated, CRITICAL (exit $T_STATUS)" [ "$T_STATUS" -eq 2 ]
t_contains "planning error: disk reported" "$T_OUT" "CRITICAL: disk"
t_contains "planning error: reported beside them" "$T_OUT" "note: plan not computed:"
sed 's/warn: 0.0005%, crit: 0.001%/warn: 99.98%, crit: 99.99%/' plan.yaml >plan-ok.yaml
t_run 3 "$HEADROOM" check -f plan-ok.yaml --no-history --format json
t_check "planning error with every trigger OK: UNKNOWN (exit $T_STATUS)" [ "$T_STATUS" -eq 3 ]
t_check "planning error in JSON notes, triggers present" python3 -c "
import json,sys
d=json.loads(sys.argv[1])
sys.exit(not (d['notes'] and d['notes'][0].startswith('plan not computed') and any(t['name']=='disk' for t in d['triggers'])))" "$T_OUT"
t_done
