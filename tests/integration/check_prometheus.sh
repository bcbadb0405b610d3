#!/bin/sh
# Prometheus scraping a real node_exporter and headroom agent's /metrics,
# all started here: check reads through Prometheus the same CPU and memory
# figures it reads locally (within a tolerance), sees the agent's own series,
# and takes a trigger's history from a range query.
. "$HEADROOM_ROOT/tests/lib.sh"
command -v prometheus >/dev/null || { t_skip "prometheus is not installed"; t_done; }
command -v prometheus-node-exporter >/dev/null || { t_skip "node_exporter is not installed"; t_done; }
cd "$T_TMP" || exit 1
export XDG_STATE_HOME="$T_TMP/state"
NPORT=$(t_free_port)
APORT=$(t_free_port)
PPORT=$(t_free_port)

prometheus-node-exporter --web.listen-address="127.0.0.1:$NPORT" --collector.disable-defaults \
	--collector.cpu --collector.meminfo --collector.loadavg --collector.filesystem >ne.log 2>&1 &
t_started $!
"$HEADROOM" agent --listen "127.0.0.1:$APORT" --interval 1s 2>agent.log &
t_started $!
cat >prom.yml <<YAML
global: {scrape_interval: 1s, evaluation_interval: 1s}
scrape_configs:
  - job_name: node
    static_configs: [{targets: ["127.0.0.1:$NPORT"]}]
  - job_name: headroom
    static_configs: [{targets: ["127.0.0.1:$APORT"]}]
YAML
prometheus --config.file=prom.yml --storage.tsdb.path="$T_TMP/tsdb" --web.listen-address="127.0.0.1:$PPORT" \
	>prom.log 2>&1 &
PROM=$!
t_started $PROM
for p in $NPORT $APORT $PPORT; do t_wait_port "$p" 150 || { t_not_ok "port $p up"; t_diag "$(tail -5 ne.log agent.log prom.log)"; t_done; }; done
t_ok "node_exporter, agent and prometheus run"

# A steady load on one core for the comparison window, bounded in time.
timeout 40 sh -c 'while :; do :; done' &
t_started $!

# CPU over the same 20 s both ways: node_exporter through Prometheus, and
# the mean of what the agent sampled locally into its store.
W=20
sleep $((W + 3))
cat >h.yaml <<YAML
metrics:
  sources:
    - type: local
    - type: prometheus
      name: prom
      url: "http://127.0.0.1:$PPORT"
      timeout: 5s
      queries:
        prom.cpu: '1 - sum(rate(node_cpu_seconds_total{mode=~"idle|iowait"}[${W}s])) / count(node_cpu_seconds_total{mode="idle"})'
        prom.memory: '1 - sum(node_memory_MemAvailable_bytes) / sum(node_memory_MemTotal_bytes)'
        prom.agent_cpu_state: 'headroom_trigger_state{job="headroom",trigger="cpu"}'
        prom.agent_up: 'up{job="headroom"}'
triggers:
  prom-cpu:
    metric: prom.cpu
    warn: 99%
    crit: 100%
YAML
"$HEADROOM" check -f h.yaml --format json >both.json
st=$?
t_check "check with local + prometheus answers (exit $st)" [ $st -le 2 ]
NOW=$(python3 -c 'import json; print(json.load(open("both.json"))["time"])')
LOCAL_MEAN=$(sqlite3 state/headroom/history.db "select avg(v) from samples join series on series.id = samples.series where name = 'cpu.utilization' and t > $NOW - $W")
python3 - both.json "$LOCAL_MEAN" >cmp.txt 2>&1 <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
m = {}
for x in d["metrics"]:
    m.setdefault(x["name"], x["value"])
local_mean = float(sys.argv[2])
print("prometheus cpu %.3f, agent's local mean %.3f, check's local %.3f" % (m["prom.cpu"], local_mean, m["cpu.utilization"]))
print("prometheus memory %.4f, local memory %.4f" % (m["prom.memory"], m["memory.used_ratio"]))
assert abs(m["prom.cpu"] - local_mean) < 0.1, "cpu differs"
assert m["prom.cpu"] > 0.3, "the busy loop should show"
assert abs(m["prom.memory"] - m["memory.used_ratio"]) < 0.02, "memory differs"
assert m["prom.agent_up"] == 1
assert m["prom.agent_cpu_state"] in (0, 1, 2)
PY
if [ $? -eq 0 ]; then t_ok "same CPU and memory figures through Prometheus and locally"; else t_not_ok "same figures"; fi
t_diag "$(cat cmp.txt)"
t_check "prometheus source is ok" python3 -c "
import json
s=[s for s in json.load(open('both.json'))['sources'] if s['name']=='prom'][0]
assert s['ok'], s"

# Default queries (node_exporter figures under the local names), and a
# trigger whose history comes from a range query: no store for this run.
cat >p.yaml <<YAML
metrics:
  sources:
    - type: prometheus
      url: "http://127.0.0.1:$PPORT"
triggers:
  cpu: {warn: 1%, crit: 99.99%, for: 10s}
YAML
"$HEADROOM" check -f p.yaml --no-history --format json >nohist.json
"$HEADROOM" check -f p.yaml --store "$T_TMP/none.db" --format json >hist.json
t_check "default queries give cpu, memory, disk and load" python3 -c "
import json
names={x['name'].split('{')[0] for x in json.load(open('nohist.json'))['metrics']}
assert {'cpu.utilization','memory.used_ratio','disk.used_ratio','load.per_cpu'} <= names, names"
t_check "without history the 10 s for is pending" python3 -c "
import json
t=[t for t in json.load(open('nohist.json'))['triggers'] if t['name']=='cpu'][0]
# crit (99.99 %) may be pending too on a saturated machine
assert t['state']=='ok' and t['pending']['state'] in ('warning','critical'), t"
t_check "with Prometheus' range query as history the for has run: WARNING or worse" python3 -c "
import json
t=[t for t in json.load(open('hist.json'))['triggers'] if t['name']=='cpu'][0]
assert t['state'] in ('warning','critical'), t"

# Prometheus down: its triggers are UNKNOWN, the local ones still report.
kill "$PROM"
i=0; while t_wait_port "$PPORT" 1 && [ $i -lt 50 ]; do sleep 0.1; i=$((i + 1)); done
"$HEADROOM" check -f h.yaml --format json >down.json
t_check "prometheus down: prom-cpu unknown with the reason, status unknown" python3 -c "
import json
d=json.load(open('down.json'))
t=[t for t in d['triggers'] if t['name']=='prom-cpu'][0]
assert t['state']=='unknown' and \"source 'prom' (prometheus) is down\" in t['message'], t
assert d['status']=='unknown'
assert [t for t in d['triggers'] if t['name']=='cpu'][0]['state'] != 'unknown'"
t_done
