#!/bin/sh
# Run every test and end with one line "N passed, N failed[, N skipped]".
#
#   tests/run.sh BUILDDIR [PATTERN]
#
# Unit tests are the cmocka programs BUILDDIR/test_*; each case counts once
# (their TAP output is read). Integration tests are tests/integration/*.sh;
# they print TAP lines ("ok N - name", "not ok N - name", "# SKIP") through
# tests/lib.sh. A program that dies without reporting a failure counts as one.
set -u
B=${1:?usage: tests/run.sh BUILDDIR [PATTERN]}
PAT=${2:-}
ROOT=$(cd "$(dirname "$0")/.." && pwd)
B=$(cd "$B" && pwd)
export HEADROOM="$B/headroom" HEADROOM_ROOT="$ROOT"
export ASAN_OPTIONS="${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=0}"
export UBSAN_OPTIONS="${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}"
LOG="$B/test-logs"
rm -rf "$LOG"
mkdir -p "$LOG"
# The environment the tests expect, whatever the caller's (TERM, NO_COLOR,
# COLUMNS, LANG, TZ, HOME, XDG_*): tests/env.sh.
T_ENV_DIR="$LOG/env" . "$ROOT/tests/env.sh"

pass=0 fail=0 skip=0

# count FILE NAME STATUS: add up TAP lines of one program.
count() {
	p=$(grep -cE '^ok [0-9]+' "$1" | tr -d ' ')
	s=$(grep -cE '^ok [0-9]+.*# ?[Ss][Kk][Ii][Pp]' "$1" | tr -d ' ')
	f=$(grep -cE '^not ok [0-9]+' "$1" | tr -d ' ')
	p=$((p - s))
	if [ "$3" -ne 0 ] && [ "$f" -eq 0 ]; then
		f=1
		echo "FAIL $2 (exit $3, no failing case reported; see $1)"
	fi
	pass=$((pass + p)) fail=$((fail + f)) skip=$((skip + s))
	if [ "$f" -gt 0 ]; then
		echo "FAIL $2: $p passed, $f failed"
		grep -E '^not ok|^# ' "$1" | head -20 | sed 's/^/    /'
	else
		if [ "$s" -gt 0 ]; then echo "ok   $2: $p passed, $s skipped"; else echo "ok   $2: $p passed"; fi
	fi
}

for t in "$B"/test_*; do
	[ -f "$t" ] && [ -x "$t" ] || continue
	name=$(basename "$t")
	case "$name" in *"$PAT"*) ;; *) continue ;; esac
	CMOCKA_MESSAGE_OUTPUT=TAP timeout 900 "$t" >"$LOG/$name.log" 2>&1
	count "$LOG/$name.log" "unit/$name" $?
done

for t in "$ROOT"/tests/integration/*.sh; do
	[ -f "$t" ] || continue
	name=$(basename "$t" .sh)
	case "$name" in *"$PAT"*) ;; *) continue ;; esac
	timeout 900 sh "$t" >"$LOG/$name.log" 2>&1
	count "$LOG/$name.log" "integration/$name" $?
done

if [ "$skip" -gt 0 ]; then
	echo "$pass passed, $fail failed, $skip skipped"
else
	echo "$pass passed, $fail failed"
fi
[ "$fail" -eq 0 ]
