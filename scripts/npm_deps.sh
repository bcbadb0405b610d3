#!/bin/sh
# Install the npm packages the tests use into a folder of the build tree,
# pinned, when they are missing. Idempotent: a second run installs nothing.
#   scripts/npm_deps.sh DIR     (make test passes build-asan/npm)
#
# puppeteer-core drives Debian's chromium for the HTML report and dashboard
# tests. It is pinned to 24.x: 25 needs Node >= 22 and Debian 12 ships
# Node 18. Never "puppeteer" (it downloads a browser of its own); with
# puppeteer-core nothing but the npm packages is fetched.
set -eu
DIR=${1:?usage: scripts/npm_deps.sh DIR}
PUPPETEER_CORE=24.43.1

have() {
	[ -f "$DIR/node_modules/puppeteer-core/package.json" ] &&
		grep -q "\"version\": \"$PUPPETEER_CORE\"" "$DIR/node_modules/puppeteer-core/package.json"
}
have && exit 0

if ! command -v npm >/dev/null 2>&1; then
	echo "npm-deps: installing nodejs npm" >&2
	SUDO=""
	[ "$(id -u)" -ne 0 ] && SUDO="sudo"
	$SUDO apt-get update -qq
	DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends nodejs npm >/dev/null
fi
echo "npm-deps: installing puppeteer-core@$PUPPETEER_CORE into $DIR" >&2
mkdir -p "$DIR"
[ -f "$DIR/package.json" ] || printf '{"private": true}\n' >"$DIR/package.json"
PUPPETEER_SKIP_DOWNLOAD=1 npm install --prefix "$DIR" --no-audit --no-fund --ignore-scripts --save-exact \
	"puppeteer-core@$PUPPETEER_CORE" >&2
have
