#!/bin/sh
# Man pages: one per command `headroom --help` lists, generated from its
# --help; every flag the help names is in the page and every flag the page
# names is in the help; groff and mandoc find nothing to warn about.
. "$HEADROOM_ROOT/tests/lib.sh"
MAN=$(dirname "$HEADROOM")/man

# The flags a text names: --long and -s words where an option can stand.
flags() { grep -oE -- '(^|[[:space:],[(])--?[A-Za-z][A-Za-z0-9-]*' | grep -oE -- '--?[A-Za-z][A-Za-z0-9-]*' | sort -u; }

cmds=$("$HEADROOM" --help | sed -n '/^Commands:/,/^$/s/^  \([a-z][a-z-]*\) .*/\1/p')
[ -n "$cmds" ] || t_not_ok "headroom --help lists commands"
for c in "" $cmds; do
	page="$MAN/headroom${c:+-$c}.1"
	name="headroom${c:+-$c}(1)"
	if [ ! -f "$page" ]; then
		t_not_ok "$name exists (add '$c' to hr_cmds in src/cmd/meson.build)"
		continue
	fi
	t_ok "$name exists"
	# Rendered as man(1) shows it; roff escapes (\-) are gone there.
	MANWIDTH=200 man -l "$page" 2>"$T_TMP/man.err" | col -b >"$T_TMP/page.txt"
	if [ -s "$T_TMP/man.err" ]; then t_not_ok "$name renders without warnings"; t_diag "$(cat "$T_TMP/man.err")"; else t_ok "$name renders without warnings"; fi
	w=$(groff -ww -man -Tutf8 -z "$page" 2>&1)
	if [ -z "$w" ]; then t_ok "$name: groff -ww is clean"; else t_not_ok "$name: groff -ww is clean"; t_diag "$w"; fi
	w=$(mandoc -T lint -W warning "$page" 2>&1)
	if [ -z "$w" ]; then t_ok "$name: mandoc -T lint is clean"; else t_not_ok "$name: mandoc -T lint is clean"; t_diag "$w"; fi
	if [ -n "$c" ]; then "$HEADROOM" "$c" --help; else "$HEADROOM" --help; fi | flags >"$T_TMP/help.flags"
	flags <"$T_TMP/page.txt" >"$T_TMP/page.flags"
	missing=$(comm -23 "$T_TMP/help.flags" "$T_TMP/page.flags")
	extra=$(comm -13 "$T_TMP/help.flags" "$T_TMP/page.flags")
	if [ -z "$missing" ]; then t_ok "$name has every flag --help lists"; else t_not_ok "$name has every flag --help lists"; t_diag "missing: $missing"; fi
	if [ -z "$extra" ]; then t_ok "$name names no flag --help does not"; else t_not_ok "$name names no flag --help does not"; t_diag "extra: $extra"; fi
done
t_done
