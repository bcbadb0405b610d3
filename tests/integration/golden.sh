#!/bin/sh
# Snapshot tests: each tests/golden/NAME.cmd is one command line (run with
# sh from the checkout's root, `headroom` being the binary under test); its
# standard output, then its standard error and exit status, must match
# tests/golden/NAME.out byte for byte. Every case runs twice: a document must
# be the same for the same input. After an intended change of output:
#
#   HEADROOM_GOLDEN_UPDATE=1 sh tests/run.sh build-asan golden
#
# rewrites the .out files; review them with `git diff tests/golden` before
# committing.
. "$HEADROOM_ROOT/tests/lib.sh"
cd "$HEADROOM_ROOT" || exit 1

# A function, not a PATH entry, so the .cmd files name the command as a user would.
run_case() {
	(
		headroom() { "$HEADROOM" "$@"; }
		export NO_COLOR=1 TZ=UTC LC_ALL=C
		. "./$1" >"$2" 2>"$2.err"
		echo "--- exit $?" >>"$2"
		if [ -s "$2.err" ]; then
			echo "--- stderr" >>"$2"
			cat "$2.err" >>"$2"
		fi
		rm -f "$2.err"
	)
}

n=0
for c in tests/golden/*.cmd; do
	[ -f "$c" ] || continue
	n=$((n + 1))
	name=$(basename "$c" .cmd)
	want="tests/golden/$name.out"
	run_case "$c" "$T_TMP/$name.1"
	run_case "$c" "$T_TMP/$name.2"
	if ! cmp -s "$T_TMP/$name.1" "$T_TMP/$name.2"; then
		t_not_ok "$name: the same input gives the same output"
		t_diag "$(diff "$T_TMP/$name.1" "$T_TMP/$name.2" | head -20)"
		continue
	fi
	if [ -n "${HEADROOM_GOLDEN_UPDATE:-}" ]; then
		cp "$T_TMP/$name.1" "$want"
		t_ok "$name: updated"
	elif [ ! -f "$want" ]; then
		t_not_ok "$name: no $want (HEADROOM_GOLDEN_UPDATE=1 writes it)"
	elif cmp -s "$T_TMP/$name.1" "$want"; then
		t_ok "$name: output as in $want"
	else
		t_not_ok "$name: output differs from $want"
		t_diag "$(diff "$want" "$T_TMP/$name.1" | head -40)"
	fi
done
[ "$n" -gt 0 ] || t_not_ok "no cases under tests/golden"
t_done
