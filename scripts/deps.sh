#!/bin/sh
# Install the Debian packages headroom needs to build, test and benchmark,
# when they are missing. Idempotent: a second run installs nothing.
#   scripts/deps.sh              build + test dependencies
#   scripts/deps.sh --bench      also the benchmark peers (wrk, hyperfine)
#   scripts/deps.sh --package    also what building and testing the Debian
#                                package needs (debhelper, lintian, debootstrap)
set -eu

BUILD="gcc clang meson ninja-build pkg-config libyaml-dev libjansson-dev
libcmocka-dev libcurl4-openssl-dev libsqlite3-dev libpq-dev libhiredis-dev
libmicrohttpd-dev libssl-dev libclang-rt-14-dev"
# Real servers the integration tests start on loopback.
SERVERS="postgresql-15 postgresql-client-15 redis-server nginx-light prometheus
prometheus-node-exporter sqlite3 curl python3 python3-yaml docker-compose nodejs"
# Man pages, shell completion and the install test.
TOOLS="git groff-base man-db mandoc bsdextrautils zsh"
# The HTML report and the agent's page are opened in a real browser; SVG and
# HTML are checked by libxml2's xmllint.
BROWSER="chromium fonts-dejavu-core libxml2-utils"
BENCH="wrk hyperfine"
PACKAGE="build-essential dpkg-dev debhelper fakeroot lintian debootstrap systemd"

want="$BUILD $SERVERS $TOOLS $BROWSER"
[ "${1:-}" = "--bench" ] && want="$want $BENCH"
[ "${1:-}" = "--package" ] && want="$want $PACKAGE"

missing=""
for p in $want; do
	if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
		missing="$missing $p"
	fi
done
# Debian ships npm apart from nodejs; a Node.js that brings its own npm
# (NodeSource's) must not be replaced.
command -v npm >/dev/null 2>&1 || missing="$missing npm"
# The validators of generated files and the browser driver of the page
# tests that come from npm, pinned, into the test build folder
# (scripts/npm-deps.sh).
npm_deps() { sh "$(dirname "$0")/npm-deps.sh" "${HEADROOM_NPM_DIR:-build-asan/npm}"; }
[ -z "$missing" ] && { npm_deps; exit 0; }

echo "deps: installing$missing" >&2
SUDO=""
[ "$(id -u)" -ne 0 ] && SUDO="sudo"
export DEBIAN_FRONTEND=noninteractive
# Package scripts must not start system-wide servers: the tests start their own.
if [ ! -e /usr/sbin/policy-rc.d ]; then
	printf '#!/bin/sh\nexit 101\n' | $SUDO tee /usr/sbin/policy-rc.d >/dev/null
	$SUDO chmod +x /usr/sbin/policy-rc.d
	trap '$SUDO rm -f /usr/sbin/policy-rc.d' EXIT
fi
$SUDO apt-get update -qq
# shellcheck disable=SC2086
$SUDO apt-get install -y -qq --no-install-recommends $missing >/dev/null
npm_deps
