#!/bin/sh
# The Debian package, installed as a user installs it: into a fresh Debian 12
# root made by debootstrap (the same kind of system CI runs on), with apt
# resolving its dependencies; then the installed headroom plans an installed
# example, reads its catalogue and man pages, and systemd-analyze verifies
# its unit. Prints TAP and a last line "N passed, N failed".
#   sh tests/package/run.sh OUTDIR     (OUTDIR holds the .deb: make package)
set -u
OUT=$(cd "${1:?usage: tests/package/run.sh OUTDIR}" && pwd)
DEB=$(ls "$OUT"/headroom_*.deb 2>/dev/null | head -n 1)
MIRROR=${DEBIAN_MIRROR:-http://deb.debian.org/debian}
ROOTFS="$OUT/rootfs"
pass=0 fail=0 n=0
ok() { n=$((n + 1)); pass=$((pass + 1)); echo "ok $n - $*"; }
not_ok() { n=$((n + 1)); fail=$((fail + 1)); echo "not ok $n - $*"; }
check() { name=$1; shift; if "$@" >"$OUT/step.log" 2>&1; then ok "$name"; else not_ok "$name"; sed 's/^/# /' "$OUT/step.log" | tail -20; fi; }
finish() { echo "$pass passed, $fail failed"; [ "$fail" -eq 0 ]; exit $?; }

[ -n "$DEB" ] || { not_ok "a package in $OUT (run make package)"; finish; }
ok "built $(basename "$DEB")"
if lintian --tag-display-limit 0 "$DEB" >"$OUT/lintian.log" 2>&1 && ! grep -qE '^[EW]: ' "$OUT/lintian.log"; then
	ok "lintian: no error or warning"
else
	not_ok "lintian: no error or warning"
	sed 's/^/# /' "$OUT/lintian.log"
fi

# A fresh root, reused between runs of the same day (debootstrap takes minutes).
stamp="$ROOTFS/.headroom-$(date +%F)"
if [ ! -e "$stamp" ]; then
	rm -rf "$ROOTFS"
	tries=0
	until debootstrap --variant=minbase bookworm "$ROOTFS" "$MIRROR" >"$OUT/debootstrap.log" 2>&1; do
		tries=$((tries + 1))
		[ $tries -lt 3 ] || break
		rm -rf "$ROOTFS"
		sleep 5
	done
	[ -x "$ROOTFS/usr/bin/apt-get" ] && touch "$stamp"
fi
if [ -e "$stamp" ]; then ok "a fresh Debian 12 root (debootstrap minbase)"; else not_ok "a fresh Debian 12 root"; tail -20 "$OUT/debootstrap.log" | sed 's/^/# /'; finish; fi

in_root() { chroot "$ROOTFS" env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin HOME=/root LC_ALL=C.UTF-8 "$@"; }
cp /etc/resolv.conf "$ROOTFS/etc/resolv.conf" 2>/dev/null
cp "$DEB" "$ROOTFS/tmp/"
printf '#!/bin/sh\nexit 101\n' >"$ROOTFS/usr/sbin/policy-rc.d"
chmod +x "$ROOTFS/usr/sbin/policy-rc.d"
in_root dpkg --purge headroom >/dev/null 2>&1
check "apt installs the package and its dependencies" in_root sh -c \
	"apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends /tmp/$(basename "$DEB")"
check "headroom version" in_root headroom version
check "headroom plan on an installed example" in_root headroom plan -f /usr/share/doc/headroom/examples/social.yaml --users 1k,20k
check "headroom catalog reads the installed catalogue" in_root sh -c 'headroom catalog --provider hetzner | grep -q cx22'
check "man pages are installed" test -s "$ROOTFS/usr/share/man/man1/headroom-plan.1.gz"
check "bash completion is installed" test -s "$ROOTFS/usr/share/bash-completion/completions/headroom"
check "the unit is installed" test -s "$ROOTFS/usr/lib/systemd/system/headroom-agent.service"
check "the unit runs the packaged binary" grep -q '^ExecStart=/usr/bin/headroom agent' "$ROOTFS/usr/lib/systemd/system/headroom-agent.service"
for k in DynamicUser=yes ProtectSystem=strict NoNewPrivileges=yes StateDirectory=headroom; do
	check "the unit is hardened: $k" grep -qx "$k" "$ROOTFS/usr/lib/systemd/system/headroom-agent.service"
done
# systemd itself is not in a minbase root: the units the agent's depends on are.
check "systemd in the root (for the verify)" in_root sh -c "DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends systemd"
check "systemd-analyze verify accepts the unit" systemd-analyze verify --root="$ROOTFS" headroom-agent.service
check "dpkg --purge removes it" in_root dpkg --purge headroom
check "and nothing of it is left" sh -c "! ls '$ROOTFS/usr/share/headroom' '$ROOTFS/usr/bin/headroom' 2>/dev/null"
rm -f "$ROOTFS/tmp/$(basename "$DEB")"
finish
