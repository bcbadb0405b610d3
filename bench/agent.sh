#!/bin/sh
# bench/agent.sh - the agent's resident memory and CPU time per minute next
# to prometheus-node-exporter's, on this machine, in the same run. Both are
# started here on loopback and scraped every 10 s (as Prometheus would); the
# agent samples every 10 s (its default) into a fresh store. Not a test.
#
#   sh bench/agent.sh [BUILDDIR] [SECONDS]
# Aim (issue): agent RSS at most a quarter of node_exporter's.
set -eu
B=${1:-build}
SECS=${2:-60}
ROOT=$(cd "$(dirname "$0")/.." && pwd)
BIN="$ROOT/$B/headroom"
[ -x "$BIN" ] || { echo "build first: make" >&2; exit 1; }
command -v prometheus-node-exporter >/dev/null || { echo "prometheus-node-exporter missing (scripts/deps.sh)" >&2; exit 1; }
T=$(mktemp -d "${TMPDIR:-/tmp}/headroom-bench.XXXXXX")
port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
AP=$(port)
NP=$(port)
XDG_STATE_HOME="$T/state" "$BIN" agent --listen "127.0.0.1:$AP" 2>"$T/agent.log" &
AGENT=$!
prometheus-node-exporter --web.listen-address="127.0.0.1:$NP" >"$T/ne.log" 2>&1 &
NE=$!
trap 'kill $AGENT $NE 2>/dev/null; wait $AGENT $NE 2>/dev/null; rm -rf "$T"' EXIT
sleep 2

# CPU time in nanoseconds summed over the process' threads (schedstat's
# first field: time on a CPU; finer than the 10 ms ticks of /proc/PID/stat).
# Threads that exit in between are missed: both programs keep theirs.
ticks() { cat /proc/$1/task/*/schedstat | awk '{s += $1} END {printf "%.0f\n", s}'; }
rss() { awk '/^VmRSS/ {print $2}' "/proc/$1/status"; }
HZ=1000000000
a0=$(ticks $AGENT) n0=$(ticks $NE)
peak_a=0 peak_n=0
end=$(($(date +%s) + SECS))
while [ "$(date +%s)" -lt $end ]; do
	curl -s -o /dev/null "http://127.0.0.1:$AP/metrics"
	curl -s -o /dev/null "http://127.0.0.1:$NP/metrics"
	ra=$(rss $AGENT) rn=$(rss $NE)
	[ "$ra" -gt "$peak_a" ] && peak_a=$ra
	[ "$rn" -gt "$peak_n" ] && peak_n=$rn
	sleep 10
done
a1=$(ticks $AGENT) n1=$(ticks $NE)
# Where the agent's resident memory is: its own (anonymous) pages, and the
# pages of shared libraries (libc, OpenSSL, GnuTLS, SQLite, libpq) it maps.
echo "agent:         $(grep -E '^(RssAnon|RssFile)' /proc/$AGENT/status | tr -s ' \t' ' ' | tr '\n' ' ')"
echo "node_exporter: $(grep -E '^(RssAnon|RssFile)' /proc/$NE/status | tr -s ' \t' ' ' | tr '\n' ' ')"
python3 - "$SECS" "$HZ" "$a0" "$a1" "$n0" "$n1" "$(rss $AGENT)" "$(rss $NE)" "$peak_a" "$peak_n" <<'PY'
import sys
secs, hz, a0, a1, n0, n1, ra, rn, pa, pn = map(float, sys.argv[1:])
ca = (a1 - a0) / hz * 60 / secs
cn = (n1 - n0) / hz * 60 / secs
print("over %.0f s, scraped every 10 s:" % secs)
print("  headroom agent    RSS %6.1f MiB (peak %6.1f)  CPU %.3f s/min" % (ra / 1024, pa / 1024, ca))
print("  node_exporter     RSS %6.1f MiB (peak %6.1f)  CPU %.3f s/min" % (rn / 1024, pn / 1024, cn))
print("  agent/node_exporter RSS ratio %.2f (aim <= 0.25)" % (ra / rn))
PY
