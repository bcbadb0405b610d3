#!/bin/sh
# Hostile peers on loopback (tests/integration/hostile_peer.py) against each
# source: a reply dripped a byte every 0.5 s, floods, oversized and malformed
# Redis, Prometheus and HTTP replies. Each case asserts the bound: `check`
# ends within the source's timeout (2 s here) and a margin, its peak RSS stays
# within 64 MiB of a run against a well-behaved peer, it exits UNKNOWN (3),
# and the reason names what the peer did.
. "$HEADROOM_ROOT/tests/lib.sh"
cd "$T_TMP" || exit 1
export XDG_STATE_HOME="$T_TMP/state"
PEER="$HEADROOM_ROOT/tests/integration/hostile_peer.py"
# Time allowed past the 2 s timeout: start-up, the sanitizers, a loaded machine.
SLACK=3

# peer MODE: start a hostile server, set $PORT.
peer() {
	PORT=$(t_free_port)
	python3 "$PEER" serve "$1" "$PORT" &
	t_started $!
	t_wait_port "$PORT" || { t_not_ok "peer $1 starts"; t_done; }
}

# src TYPE URL [EXTRA]: a config with one source and a 2 s timeout.
src() {
	cat >h.yaml <<YAML
metrics:
  sources:
    - type: $1
      url: "$2"
      timeout: 2s
$3
YAML
}

# run: check the config; sets STATUS, TOOK, RSS (KiB), OUT, ERR.
run() {
	set -- $(timeout 120 python3 "$PEER" measure out err -- "$HEADROOM" check -f h.yaml --no-history)
	STATUS=$1 TOOK=$2 RSS=$3
	OUT=$(cat out)
	ERR=$(cat err)
}

# bound NAME WANT_TEXT [SECONDS]: exit 3, within time and memory, reason shown.
bound() {
	limit=${3:-$((2 + SLACK))}
	if [ "$STATUS" -eq 3 ]; then t_ok "$1: UNKNOWN (3)"; else t_not_ok "$1: exit $STATUS, want 3"; t_diag "$OUT$ERR"; fi
	if python3 -c "import sys; sys.exit(not $TOOK <= $limit)"; then
		t_ok "$1: done in ${TOOK}s (bound ${limit}s)"
	else
		t_not_ok "$1: took ${TOOK}s, bound ${limit}s"
	fi
	if [ "$RSS" -le $((BASE_RSS + 65536)) ]; then
		t_ok "$1: peak RSS $((RSS / 1024)) MiB (well-behaved peer: $((BASE_RSS / 1024)) MiB)"
	else
		t_not_ok "$1: peak RSS $((RSS / 1024)) MiB, over $((BASE_RSS / 1024)) + 64 MiB"
	fi
	t_contains "$1: the reason says so" "$OUT" "$2"
}

# A trigger on the query's metric, so a missing value shows in the status.
Q="      queries: {q.ratio: 'x'}
triggers:
  q: {metric: q.ratio, warn: 50%, crit: 90%}"

# The baseline: a peer that answers small and fast (with NaN: no value).
peer prom-nan
src prometheus "http://127.0.0.1:$PORT" "$Q"
run
BASE_RSS=$RSS
t_diag "well-behaved peer: ${TOOK}s, peak RSS $((RSS / 1024)) MiB"
bound "prometheus NaN" "q.ratio: the query gave NaN, no value"
t_contains "prometheus NaN: the trigger is unknown, not 'not applicable'" "$OUT" "UNKNOWN: q unknown"

peer prom-empty
src prometheus "http://127.0.0.1:$PORT" "$Q"
run
bound "prometheus empty vector" "the query returned no series"

peer prom-text
src prometheus "http://127.0.0.1:$PORT" "$Q"
run
bound "prometheus non-numeric value" "series 0 has no [time, \"value\"]"

peer prom-big
src prometheus "http://127.0.0.1:$PORT" "$Q"
run
bound "prometheus 8 MiB reply" "reply larger than 1048576 bytes"

# Four queries, each dripped: one deadline for the sample, not one per query.
peer prom-drip
src prometheus "http://127.0.0.1:$PORT" "      queries: {a.ratio: 'a', b.ratio: 'b', c.ratio: 'c', d.ratio: 'd'}
triggers:
  d: {metric: d.ratio, warn: 50%}"
run
bound "prometheus dripping four queries" "b.ratio, c.ratio, d.ratio: not asked, no time left within the 2 s timeout"

# Four queries answered in 1.5 s each: each within the timeout, the sample not.
peer prom-slow
src prometheus "http://127.0.0.1:$PORT" "      queries: {a.ratio: 'a', b.ratio: 'b', c.ratio: 'c', d.ratio: 'd'}
triggers:
  d: {metric: d.ratio, warn: 50%}"
run
bound "prometheus four slow queries" "c.ratio, d.ratio: not asked, no time left within the 2 s timeout"

# 256 new series whose range queries stall: back-fill bounded per round.
peer prom-series
src prometheus "http://127.0.0.1:$PORT" "      queries: {q.ratio: 'x'}
triggers:
  q: {metric: q.ratio, warn: 90%, crit: 95%, for: 1m}"
set -- $(timeout 600 python3 "$PEER" measure out err -- "$HEADROOM" check -f h.yaml)
STATUS=$1 TOOK=$2
t_check "prometheus 256 series, stalled range queries: OK (0), exit $STATUS" [ "$STATUS" -eq 0 ]
t_check "prometheus 256 series: back-fill bounded, done in ${TOOK}s (bound $((4 + SLACK))s)" \
	python3 -c "import sys; sys.exit(not $TOOK <= 4 + $SLACK)"

peer redis-drip
src redis "redis://127.0.0.1:$PORT"
run
bound "redis dripping a byte every 0.5 s" "no complete answer within the 2 s timeout"

peer redis-array
src redis "redis://127.0.0.1:$PORT"
run
bound "redis *2147483647" "an array, which no command sent here answers with" 2

peer redis-flood
src redis "redis://127.0.0.1:$PORT"
run
bound "redis 40 MB bulk string" "a reply larger than 512 KiB"

peer redis-many
src redis "redis://127.0.0.1:$PORT"
run
bound "redis 40 MB of small replies" "more than one reply to one command"

peer redis-garbage
src redis "redis://127.0.0.1:$PORT"
run
bound "redis malformed reply" "malformed reply"

peer http-headers
src http "http://127.0.0.1:$PORT/" "      probes: 3"
run
bound "http endless headers" "reply headers larger than 65536 bytes"

peer http-flood
src http "http://127.0.0.1:$PORT/" "      probes: 3"
run
bound "http 512 MiB body" "reply larger than 16777216 bytes"

peer http-drip
src http "http://127.0.0.1:$PORT/" "      probes: 3"
run
bound "http dripping its reply" "probes failed"
t_done
