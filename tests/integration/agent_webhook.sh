#!/bin/sh
# A webhook endpoint that accepts and never answers (started here on
# 127.0.0.1) must not stall sampling: the posts of one round share one time
# budget, and the ones past it are counted in the log, not waited for.
. "$HEADROOM_ROOT/tests/lib.sh"
cd "$T_TMP" || exit 1
export XDG_STATE_HOME="$T_TMP/state"
HPORT=$(t_free_port)
t_start_mute "$HPORT"

# Six triggers that all fire on the first round: six state changes at once.
APORT=$(t_free_port)
{
	echo "triggers:"
	for i in 1 2 3 4 5 6; do
		printf '  t%s: {metric: cpu.cores, warn: 0, for: 0s}\n' "$i"
	done
	cat <<YAML
agent:
  listen: 127.0.0.1:$APORT
  interval: 1s
  webhook: http://127.0.0.1:$HPORT/hook
YAML
} >h.yaml
"$HEADROOM" agent -f h.yaml -v 2>agent.log &
AGENT=$!
t_started $AGENT
# The log file exists once the agent listens (the redirection races the loop below).
t_wait_port "$APORT" || { t_not_ok "agent starts"; t_diag "$(cat agent.log)"; t_done; }
# Six posts of 5 s each held the first round for 30 s; with the budget the
# agent stores a batch every second or so after a first round of about 1 s.
i=0
while [ "$(grep -c 'stored batch' agent.log)" -lt 4 ] && [ $i -lt 120 ]; do sleep 0.1; i=$((i + 1)); done
n=$(grep -c 'stored batch' agent.log)
t_check "sampling goes on while the webhook hangs ($n batches in $((i / 10)) s)" [ "$n" -ge 4 ]
t_contains "the failed post is logged" "$(cat agent.log)" "webhook failed:"
t_contains "and the changes not posted are counted" "$(cat agent.log)" "5 state changes not posted (the webhook is down or slow)"
kill "$AGENT"
i=0
while kill -0 "$AGENT" 2>/dev/null && [ $i -lt 100 ]; do sleep 0.1; i=$((i + 1)); done
t_check "SIGTERM stops it" sh -c "! kill -0 $AGENT 2>/dev/null"
wait "$AGENT"
rc=$?
t_check "with exit 0 (got $rc)" [ "$rc" -eq 0 ]
t_done
