#!/bin/sh
# Install the npm packages the tests validate generated files with, pinned,
# into DIR/node_modules (default build-asan/npm): nothing is downloaded at
# test time. Idempotent: a second run installs nothing.
#   kubernetes-models 4.5.1, @kubernetes-models/keda 0.4.2  Kubernetes schemas
#       (5.x and keda 2.x need Node 22; these run on Node 20)
#   dclint 3.1.0        bundles the current compose-spec JSON schema; its CLI
#                       needs Node >= 20.19, so the tests read only the schema
#                       (tests/integration/compose_schema.js, with ajv)
#   ajv 8.17.1          JSON schema validation (runs on Debian 12's Node 18)
#   js-yaml 4.1.0       reads the multi-document YAML the tests check
#   puppeteer-core 24.43.1  drives Debian's chromium for the HTML report and
#                       the agent's page (25 needs Node 22); never "puppeteer",
#                       which downloads a browser of its own
set -eu
DIR=${1:-build-asan/npm}
PKGS="kubernetes-models@4.5.1 @kubernetes-models/keda@0.4.2 dclint@3.1.0 ajv@8.17.1 js-yaml@4.1.0 puppeteer-core@24.43.1"
command -v npm >/dev/null 2>&1 || { echo "npm-deps: npm is not installed (Debian package nodejs)" >&2; exit 1; }
mkdir -p "$DIR"
have=1
for p in $PKGS; do
	name=${p%@*}
	want=${p##*@}
	got=$(node -e "try{console.log(require('$DIR/node_modules/$name/package.json').version)}catch(e){}" 2>/dev/null || true)
	[ "$got" = "$want" ] || have=0
done
[ $have -eq 1 ] && exit 0
echo "npm-deps: installing $PKGS into $DIR" >&2
[ -f "$DIR/package.json" ] || echo '{"private": true}' >"$DIR/package.json"
# npm trusts its own bundled CAs unless told otherwise; the system's store is
# what the machine's administrator curates (a TLS-inspecting egress proxy's
# CA included), so use it when there is one.
CA=""
[ -r /etc/ssl/certs/ca-certificates.crt ] && CA="--cafile=/etc/ssl/certs/ca-certificates.crt"
# shellcheck disable=SC2086
npm install $CA --prefix "$DIR" --no-audit --no-fund --save-exact --loglevel=error --engine-strict=false $PKGS >/dev/null
