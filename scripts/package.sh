#!/bin/sh
# Build the Debian package from the checkout's source files (scripts/srcfiles.sh):
#   sh scripts/package.sh OUTDIR      -> OUTDIR/headroom_VERSION_ARCH.deb
# (debian/ holds the packaging; dpkg-buildpackage runs in OUTDIR/src, a copy,
# so the checkout is left as it was). Then lintian, whose findings are
# printed; the tags we accept are listed in debian/headroom.lintian-overrides
# with the reason.
set -eu
OUT=${1:?usage: scripts/package.sh OUTDIR}
ROOT=$(cd "$(dirname "$0")/.." && pwd)
mkdir -p "$OUT"
OUT=$(cd "$OUT" && pwd)
rm -rf "$OUT/src" "$OUT"/*.deb "$OUT"/*.buildinfo "$OUT"/*.changes
mkdir -p "$OUT/src"
(cd "$ROOT" && sh scripts/srcfiles.sh . | xargs -0 cp --parents -t "$OUT/src")
(cd "$OUT/src" && dpkg-buildpackage -us -uc -b >"$OUT/build.log" 2>&1) || {
	tail -40 "$OUT/build.log" >&2
	echo "package: dpkg-buildpackage failed; see $OUT/build.log" >&2
	exit 1
}
deb=$(ls "$OUT"/headroom_*.deb)
echo "package: $deb"
lintian --no-tag-display-limit "$deb" || true
