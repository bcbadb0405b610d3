#!/bin/sh
# make install / make uninstall from a copy of the checkout, as a user runs
# them: DESTDIR staging, the installed binary finds its catalogue with the
# source tree gone, man pages render, completions and the unit are in place,
# and uninstall leaves nothing behind.
. "$HEADROOM_ROOT/tests/lib.sh"

SRC="$T_TMP/src"
DEST="$T_TMP/dest"
mkdir -p "$SRC"
# The source files, as a clean clone or a release tarball has them
# (scripts/srcfiles.sh: git ls-files, or the tree less its build folders).
(cd "$HEADROOM_ROOT" && sh scripts/srcfiles.sh . | xargs -0 cp --parents -t "$SRC") || { t_not_ok "copy the checkout"; t_done; }
# A plain build: the sanitizer build is the suite's; this is the user's.
if (cd "$SRC" && meson setup build -Dtests=false --prefix=/usr/local >"$T_TMP/setup.log" 2>&1 &&
	ninja -C build >"$T_TMP/build.log" 2>&1); then
	t_ok "a fresh copy builds"
else
	t_not_ok "a fresh copy builds"
	t_diag "$(cat "$T_TMP/setup.log" "$T_TMP/build.log" | tail -20)"
	t_done
fi
t_expect "make install DESTDIR=..." 0 make -s -C "$SRC" install DESTDIR="$DEST" BUILD=build
BIN="$DEST/usr/local/bin/headroom"
for f in bin/headroom share/headroom/catalog/hetzner.yaml share/man/man1/headroom.1 \
	share/man/man1/headroom-plan.1 share/bash-completion/completions/headroom \
	share/zsh/vendor-completions/_headroom lib/systemd/system/headroom-agent.service \
	share/doc/headroom/examples/altius.yaml share/doc/headroom/docs/plan.md; do
	t_check "installed: $f" test -e "$DEST/usr/local/$f"
done
t_contains "the unit runs the installed binary" "$(cat "$DEST/usr/local/lib/systemd/system/headroom-agent.service")" \
	"ExecStart=/usr/local/bin/headroom agent"

# The source tree moved away: the binary reads the catalogue installed beside it.
mv "$SRC" "$T_TMP/moved"
cd "$T_TMP" || exit 1
t_expect "installed headroom catalog (tree moved away)" 0 env -u HEADROOM_CATALOG -u HEADROOM_DATA "$BIN" catalog --provider hetzner
t_contains "catalog lists a Hetzner plan" "$T_OUT" "cx22"
t_expect "installed headroom plan on an installed example" 0 "$BIN" plan -f "$DEST/usr/local/share/doc/headroom/examples/social.yaml" --users 1k
t_expect "HEADROOM_CATALOG points elsewhere" 2 env HEADROOM_CATALOG="$T_TMP/none" "$BIN" catalog
t_contains "and the message names it" "$T_ERR" "$T_TMP/none"
t_expect "man -l renders headroom-check(1)" 0 sh -c "MANWIDTH=80 man -l '$DEST/usr/local/share/man/man1/headroom-check.1' 2>&1 | grep -q 'Nagios'"

mv "$T_TMP/moved" "$SRC"
t_expect "make uninstall" 0 make -s -C "$SRC" uninstall BUILD=build
left=$(find "$DEST" 2>/dev/null)
if [ -z "$left" ]; then t_ok "uninstall leaves nothing behind"; else t_not_ok "uninstall leaves nothing behind"; t_diag "$left"; fi
t_done
