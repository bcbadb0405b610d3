#!/bin/sh
# The agent against hostile peers on loopback (tests/integration/hostile_peer.py):
# sources that drip, flood and send oversized or malformed replies at once,
# a slowloris on its endpoints. Each bound is asserted: the well-behaved
# source is sampled on time beside the stuck one, the overrun is logged,
# RSS stays within 64 MiB of the same agent with well-behaved sources,
# /healthz and /metrics answer within a second under 64 trickling
# connections (from one address, and from 64), the trickling connections
# are closed by the header deadline, and SIGTERM ends the agent within a
# second while a source is stuck; /healthz answers every probe while 10,000
# idle connections come from 10,000 addresses (as many as the open-file
# limit allows) and while 300 addresses trickle and reconnect
# (tests/integration/crowd.py); every answer says Cache-Control: no-store;
# beyond loopback a token of under 16 characters is refused. Before: the
# dripping Redis held the round for ever (503, SIGTERM waited), 64
# connections blocked /healthz, the crowds reset 20 of 30 and 54 of 62
# probes, and a 1-character token was served on 0.0.0.0.
. "$HEADROOM_ROOT/tests/lib.sh"
cd "$T_TMP" || exit 1
PEER="$HEADROOM_ROOT/tests/integration/hostile_peer.py"
command -v curl >/dev/null || { t_skip "curl is not installed"; t_done; }
# ASan holds freed memory back (256 MiB of quarantine) to catch use after
# free: resident size would measure the sanitizer, not the agent. Without
# the quarantine it measures what the agent keeps (the other checks stay on).
export ASAN_OPTIONS="${ASAN_OPTIONS:-detect_leaks=1}:quarantine_size_mb=0:thread_local_quarantine_size_kb=0"

# peer MODE: start a hostile server, set $PORT (not in a subshell: the
# server's PID must be recorded to be stopped).
peer() {
	PORT=$(t_free_port)
	python3 "$PEER" serve "$1" "$PORT" &
	t_started $!
	t_wait_port "$PORT" || { t_not_ok "peer $1 starts"; t_done; }
}
# hwm PID: the peak resident set of a process, in KiB.
hwm() { awk '/^VmHWM:/ {print $2}' "/proc/$1/status"; }
# get PATH: GET from the agent; prints "CODE SECONDS".
get() { curl -s -o /dev/null -m 3 -w '%{http_code} %{time_total}' "http://127.0.0.1:$APORT$1"; }
# wait_rounds N: until /metrics says N rounds have run (60 s at most).
wait_rounds() {
	i=0
	while [ $i -lt 600 ]; do
		r=$(curl -s -m 2 "http://127.0.0.1:$APORT/metrics" | sed -n 's/^headroom_agent_rounds_total //p')
		[ "${r:-0}" -ge "$1" ] && return 0
		sleep 0.1
		i=$((i + 1))
	done
	return 1
}

# The baseline: the same agent with only the local source.
APORT=$(t_free_port)
printf 'agent:\n  listen: 127.0.0.1:%s\n' "$APORT" >base.yaml
t_start_agent "$APORT" -f base.yaml --store base.db --interval 250ms
wait_rounds 40 || { t_not_ok "baseline agent runs"; t_diag "$(cat agent.log)"; t_done; }
BASE=$(hwm "$AGENT")
kill "$AGENT"
wait "$AGENT" 2>/dev/null

peer redis-drip; RD=$PORT
peer redis-flood; RF=$PORT
peer redis-array; RA=$PORT
peer redis-many; RM=$PORT
peer prom-big; PB=$PORT
peer prom-churn; PC=$PORT
peer http-flood; HF=$PORT
peer http-headers; HH=$PORT
APORT=$(t_free_port)
cat >h.yaml <<YAML
metrics:
  sources:
    - {type: local, mounts: ["/"]}
    - {name: drip, type: redis, url: "redis://127.0.0.1:$RD", timeout: 2s}
    - {name: flood, type: redis, url: "redis://127.0.0.1:$RF", timeout: 2s}
    - {name: array, type: redis, url: "redis://127.0.0.1:$RA", timeout: 2s}
    - {name: many, type: redis, url: "redis://127.0.0.1:$RM", timeout: 2s}
    - {name: big, type: prometheus, url: "http://127.0.0.1:$PB", timeout: 2s, queries: {a.ratio: x}}
    - {name: churn, type: prometheus, url: "http://127.0.0.1:$PC", timeout: 2s, queries: {b.ratio: x}}
    - {name: body, type: http, url: "http://127.0.0.1:$HF/", timeout: 2s, probes: 3}
    - {name: heads, type: http, url: "http://127.0.0.1:$HH/", timeout: 2s, probes: 3}
triggers:
  b: {metric: b.ratio, warn: 90%}
agent:
  listen: 127.0.0.1:$APORT
YAML
t_start_agent "$APORT" -f h.yaml --store h.db --interval 250ms
wait_rounds 1 || { t_not_ok "the agent's first round"; t_diag "$(cat agent.log)"; t_done; }
t_ok "the first round ends though a source drips (it never did)"
set -- $(get /status)
t_check "/status answers 200 (got $1)" [ "$1" = 200 ]
curl -s -m 3 "http://127.0.0.1:$APORT/status" >status.json
t_check "the local source is sampled beside the stuck one, in under 0.5 s" python3 -c "
import json,sys
s={x['name']: x for x in json.load(open('status.json'))['sources']}
sys.exit(not (s['local']['ok'] and s['local']['took_s'] < 0.5 and not s['drip']['ok']))"
t_check "each hostile source is down with its reason" python3 -c "
import json,sys
s={x['name']: x['error'] or '' for x in json.load(open('status.json'))['sources']}
want={'drip': 'no complete answer within the 2 s timeout', 'flood': 'a reply larger than 512 KiB',
      'array': 'an array, which no command', 'many': 'more than one reply', 'big': 'reply larger than 1048576',
      'body': 'reply larger than 16777216', 'heads': 'reply headers larger than 65536'}
bad=[k for k, v in want.items() if v not in s[k]]
print(bad, file=sys.stderr)
sys.exit(bool(bad))"
wait_rounds 3 || t_not_ok "3 rounds"
t_contains "a round that overran is logged" "$(cat agent.log)" "longer than the 250 ms interval"

# Slowloris on the endpoints: 64 connections trickling their headers.
python3 "$PEER" slowloris "$APORT" 64 13 2 >loris1.out &
L1=$!
python3 "$PEER" slowloris "$APORT" 64 13 many >loris2.out &
L2=$!
sleep 1
worst=0
for i in 1 2 3 4 5 6; do
	set -- $(get /healthz)
	[ "$1" = 200 ] || worst=99
	worst=$(python3 -c "print(max($worst, $2))")
	set -- $(get /metrics)
	[ "$1" = 200 ] || worst=99
	worst=$(python3 -c "print(max($worst, $2))")
	sleep 1
done
t_check "under 2 x 64 trickling connections /healthz and /metrics answer, the slowest in ${worst}s (bound 1 s)" \
	python3 -c "import sys; sys.exit(not $worst <= 1)"
wait $L1 $L2
set -- $(cat loris1.out)
t_check "one address: all $1 of its connections closed (per-address limit, header deadline): $2" [ "$1" -eq "$2" ]
set -- $(cat loris2.out)
t_check "64 addresses: all $1 closed by the header deadline: $2" [ "$1" -eq "$2" ]

# A round lasts as long as the dripping source's timeout (2 s): 12 rounds
# take half a minute, every hostile reply read 12 times over.
wait_rounds 12 || t_not_ok "12 rounds"
PEAK=$(hwm "$AGENT")
t_diag "peak RSS: $((BASE / 1024)) MiB with the local source alone, $((PEAK / 1024)) MiB with every hostile peer (sanitizer build)"
t_check "peak RSS within 64 MiB of the well-behaved agent ($(((PEAK - BASE) / 1024)) MiB more)" \
	[ $((PEAK - BASE)) -le 65536 ]

# SIGTERM while the dripping source holds a sample: gone within a second.
sleep 0.3
# One process sends the signal and times the exit (a zombie counts as gone:
# the shell reaps it later), so no process start-up is counted.
took=$(python3 -c "
import os, signal, time
pid = $AGENT
t = time.monotonic()
os.kill(pid, signal.SIGTERM)
while True:
    try:
        st = open('/proc/%d/stat' % pid).read().rsplit(')', 1)[1].split()[0]
    except OSError:
        break
    if st == 'Z':
        break
    time.sleep(0.005)
print(round(time.monotonic() - t, 3))")
wait "$AGENT"
rc=$?
t_check "SIGTERM during a stuck sample: exit 0 (got $rc)" [ "$rc" -eq 0 ]
t_check "SIGTERM during a stuck sample: gone in ${took}s (bound 1 s)" python3 -c "import sys; sys.exit(not $took <= 1)"

# Many addresses: 127.0.0.0/8 is loopback as a whole, so each crowd
# connection comes from its own address and no per-address limit applies.
# Before: 10,000 idle connections from 10,000 addresses reset 20 of 30
# /healthz probes (0 of 30 here), 300 addresses trickling and reconnecting
# 54 of 62 (61 of 62 here): libmicrohttpd refused every connection past its
# 256. Now a connection past the cap closes the oldest idle one instead.
CROWD="$HEADROOM_ROOT/tests/integration/crowd.py"
TOK=crowd-token-0123456789
APORT=$(t_free_port)
printf 'agent:\n  listen: 127.0.0.1:%s\n  token: %s\n' "$APORT" "$TOK" >crowd.yaml
t_start_agent "$APORT" -f crowd.yaml --store crowd.db --interval 250ms
# As many sockets as the open-file limit allows, raised in this subshell
# when it can be, up to 10,000 (the issue's figure): N plus 300 to spare.
set -- $(
	ulimit -n 10300 2>/dev/null
	n=$(($(ulimit -n) - 300))
	[ "$n" -gt 10000 ] && n=10000
	if [ "$n" -lt 300 ]; then echo "$n skip"; exit 0; fi
	echo "$n $(timeout 120 python3 "$CROWD" idle "$APORT" "$n" 30)"
)
N=$1
if [ "${2:-}" = skip ]; then
	t_skip "many idle addresses: the open-file limit allows only $N sockets"
else
	t_diag "idle crowd of $N addresses: opened $2, closed by the agent $3; probes $4, answered $5, slowest ${6}s"
	t_check "$N idle connections from $N addresses: every /healthz probe answers ($5 of $4, slowest ${6}s)" \
		[ "$2.$4.$5" = "$N.30.30" ]
	t_check "... the crowd's oldest idle connections were closed to make room ($3 of $2)" [ "$3" -ge $((N - 256)) ]
fi
set -- $(timeout 120 python3 "$CROWD" churn "$APORT" 300 62)
t_diag "trickling crowd of 300 addresses: opened $1, closed by the agent $2; probes $3, answered $4, slowest ${5}s"
t_check "300 addresses trickling and reconnecting: every /healthz probe answers ($4 of $3, slowest ${5}s)" \
	[ "${3:-}.${4:-}" = "62.62" ]
t_check "the agent lives on: /metrics answers 200 after the crowds" \
	[ "$(curl -s -o /dev/null -m 3 -w '%{http_code}' -H "Authorization: Bearer $TOK" "http://127.0.0.1:$APORT/metrics")" = 200 ]

# No cache keeps a round's state: Cache-Control: no-store on every path.
# Before: only the page (/) said it; /status and /metrics did not.
for path in /status /metrics / /healthz; do
	h=$(curl -s -m 3 -D - -o /dev/null -H "Authorization: Bearer $TOK" "http://127.0.0.1:$APORT$path" | tr -d '\r')
	t_contains "$path: Cache-Control: no-store" "$h" "Cache-Control: no-store"
done
h=$(curl -s -m 3 -D - -o /dev/null "http://127.0.0.1:$APORT/status" | tr -d '\r')
t_contains "a 401 too" "$h" "Cache-Control: no-store"
kill "$AGENT"
wait "$AGENT" 2>/dev/null

# A blank token is refused, not taken as "no token".
printf 'agent:\n  listen: 0.0.0.0:%s\n  token: "  "\n' "$(t_free_port)" >blank.yaml
t_expect "a whitespace-only token: exit 2" 2 "$HEADROOM" agent -f blank.yaml --store b.db
t_contains "and says so" "$T_ERR" "agent.token: is blank"

# Beyond loopback a token is 16 characters at least: a short one is guessed.
# Before: a 1-character token was served on 0.0.0.0. `validate` opens no
# socket; the agent is given 192.0.2.1 (TEST-NET-1, RFC 5737, on no
# interface here), so a build without the rule fails to bind instead of
# serving beyond loopback, and is bounded in time either way.
printf 'agent:\n  listen: 0.0.0.0:7992\n  token: Q\n' >short.yaml
t_expect "validate: a 1-character token on 0.0.0.0: exit 2" 2 "$HEADROOM" validate -f short.yaml
t_contains "validate: one located line" "$T_ERR" \
	"short.yaml:2:11: error: agent.listen: 0.0.0.0:7992 is beyond loopback, where agent.token must be at least 16 characters"
printf 'agent:\n  listen: 192.0.2.1:7992\n  token: Q\n' >short-agent.yaml
t_expect "agent: a 1-character token beyond loopback: exit 2" 2 timeout 20 "$HEADROOM" agent -f short-agent.yaml --store s.db
t_contains "agent: one located line" "$T_ERR" \
	"short-agent.yaml:2:11: error: agent.listen: 192.0.2.1:7992 is beyond loopback, where agent.token must be at least 16 characters"
case "$T_ERR" in *"token: Q"*) t_not_ok "the token is not quoted" ;; *) t_ok "the token is not quoted" ;; esac
printf 'agent:\n  token: 0123456789abcde\n' >short2.yaml
t_expect "--listen beyond loopback, a 15-character token: exit 2" 2 timeout 20 "$HEADROOM" agent -f short2.yaml \
	--store s.db --listen '192.0.2.1:7992'
t_contains "and says why" "$T_ERR" "beyond loopback the bearer token must be at least 16 characters"
case "$T_ERR" in *0123456789abcde*) t_not_ok "and does not quote it" ;; *) t_ok "and does not quote it" ;; esac
printf 'agent:\n  listen: 0.0.0.0:7992\n  token: 0123456789abcdef\n' >long.yaml
t_expect "a 16-character token on 0.0.0.0 validates" 0 "$HEADROOM" validate -f long.yaml
printf 'agent:\n  listen: 127.0.0.1:7992\n  token: Q\n' >loop.yaml
t_expect "a short token on loopback still validates" 0 "$HEADROOM" validate -f loop.yaml
t_done
