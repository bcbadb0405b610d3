#!/bin/sh
# Colour: on a terminal by default, never into a pipe or a file, off with
# NO_COLOR, and --color always|never over both (no-color.org). A terminal
# is given by script(1) (util-linux), which runs the command on a pty with
# the TERM given here (xterm-256color, or PTY_TERM), never the caller's.
. "$HEADROOM_ROOT/tests/lib.sh"
ESC=$(printf '\033')
has_esc() { grep -q "$ESC\\[" "$1"; }
on_pty() { TERM=${PTY_TERM:-xterm-256color} script -qfec "$*" /dev/null; }

"$HEADROOM" check --no-history >"$T_TMP/pipe.out" 2>&1
t_check "into a pipe: no colour" sh -c "! grep -q '$ESC' '$T_TMP/pipe.out'"
on_pty "'$HEADROOM' check --no-history" >"$T_TMP/tty.out" 2>&1
t_check "on a terminal: coloured states" has_esc "$T_TMP/tty.out"
NO_COLOR=1 on_pty "'$HEADROOM' check --no-history" >"$T_TMP/nocolor.out" 2>&1
t_check "on a terminal with NO_COLOR=1: no colour" sh -c "! grep -q '$ESC' '$T_TMP/nocolor.out'"
NO_COLOR= on_pty "'$HEADROOM' check --no-history" >"$T_TMP/empty.out" 2>&1
t_check "NO_COLOR set but empty does not count" has_esc "$T_TMP/empty.out"
PTY_TERM=dumb on_pty "'$HEADROOM' check --no-history" >"$T_TMP/dumb.out" 2>&1
t_check "TERM=dumb: no colour" sh -c "! grep -q '$ESC' '$T_TMP/dumb.out'"
NO_COLOR=1 "$HEADROOM" check --no-history --color always >"$T_TMP/always.out" 2>&1
t_check "--color always over NO_COLOR and a pipe" has_esc "$T_TMP/always.out"
on_pty "'$HEADROOM' check --no-history --color never" >"$T_TMP/never.out" 2>&1
t_check "--color never on a terminal" sh -c "! grep -q '$ESC' '$T_TMP/never.out'"
# Colour takes no column: with the escapes taken out, every row's state
# starts under the header's "state", and its value (right-aligned) ends
# under the end of "value", whatever the value (a full "100.0%" on a busy
# machine fills its column). (stdout alone: a warning on stderr is no row
# of the table)
NO_COLOR=1 "$HEADROOM" check --no-history --color always >"$T_TMP/table.out" 2>"$T_TMP/table.err"
sed "s/$ESC\\[[0-9;]*m//g" "$T_TMP/table.out" | awk '
	/^trigger / { s = index($0, "state"); e = index($0, "value") + 4; next }
	s && /^-/ { next }
	s && NF == 0 { exit }
	s && (substr($0, s - 1, 1) != " " || substr($0, s, 1) == " " ||
	      substr($0, e, 1) == " " || substr($0, e + 1, 1) != " ") { bad = 1; print }
	END { exit bad }' >"$T_TMP/misaligned"
if [ ! -s "$T_TMP/misaligned" ]; then t_ok "coloured cells keep the table aligned"; else
	t_not_ok "coloured cells keep the table aligned"; t_diag "$(cat "$T_TMP/misaligned")"; t_diag "$(cat -v "$T_TMP/table.out")"; fi
t_expect "--color bad: a usage error (Nagios UNKNOWN)" 3 "$HEADROOM" check --no-history --color sometimes
t_contains "and says what it takes" "$T_ERR" "auto, always or never"
t_done
