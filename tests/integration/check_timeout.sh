#!/bin/sh
# A server that accepts connections and never answers (started here on
# 127.0.0.1): every source pointed at it must give up within its `timeout`,
# and `check` must report its triggers UNKNOWN (or the probe's error rate),
# never hang and never say OK.
. "$HEADROOM_ROOT/tests/lib.sh"
cd "$T_TMP" || exit 1
export XDG_STATE_HOME="$T_TMP/state"
PORT=$(t_free_port)
t_start_mute "$PORT"

# elapsed CMD...: run, keeping the exit status in $T_STATUS and the seconds taken in $SECS.
elapsed() {
	t0=$(date +%s.%N)
	"$@" >"$T_TMP/out" 2>"$T_TMP/err"
	T_STATUS=$?
	SECS=$(python3 -c "print(round($(date +%s.%N) - $t0, 2))")
	T_OUT=$(cat "$T_TMP/out")
}
# within LIMIT: the run took less than LIMIT seconds.
within() { python3 -c "import sys; sys.exit(0 if $SECS < $1 else 1)"; }

source_yaml() {
	cat >"$1.yaml" <<YAML
metrics:
  sources:
    - type: $1
      $2
      timeout: 1s
YAML
}

# The http probe: 10 probes of 1 s each would be 10 s; the sample is bounded by 1 s.
source_yaml http "url: \"http://127.0.0.1:$PORT/\""
elapsed timeout 30 "$HEADROOM" check -f http.yaml --no-history --format json
t_check "http: a mute server fails the probe within its 1 s timeout (took $SECS s)" within 3
t_check "http: not OK (exit $T_STATUS)" [ "$T_STATUS" -ne 0 ]
t_contains "http: the reason is the timeout" "$T_OUT" "timed out"

source_yaml redis "url: \"redis://127.0.0.1:$PORT\""
elapsed timeout 30 "$HEADROOM" check -f redis.yaml --no-history
t_check "redis: gives up within its timeout (took $SECS s)" within 4
t_check "redis: UNKNOWN (exit $T_STATUS)" [ "$T_STATUS" -eq 3 ]

source_yaml prometheus "url: \"http://127.0.0.1:$PORT\""
elapsed timeout 30 "$HEADROOM" check -f prometheus.yaml --no-history
t_check "prometheus: gives up within its timeout (took $SECS s)" within 3
t_check "prometheus: UNKNOWN (exit $T_STATUS)" [ "$T_STATUS" -eq 3 ]

# libpq's connect_timeout is whole seconds, at least 2.
source_yaml postgres "dsn: \"host=127.0.0.1 port=$PORT dbname=x user=x\""
elapsed timeout 30 "$HEADROOM" check -f postgres.yaml --no-history
t_check "postgres: gives up within its connect timeout (took $SECS s)" within 5
t_check "postgres: UNKNOWN (exit $T_STATUS)" [ "$T_STATUS" -eq 3 ]
t_done
