#!/bin/sh
# The agent's page (GET /): behind the same token as every endpoint (a
# bearer header, or a cookie set by one visit to /?token=), never holding
# the token; its part (GET /dashboard.part); its history charts drawn from
# a store seeded with a week of samples; and the page opened in headless
# Chromium at 1280 and 390 px, light and dark: no console error, no request
# beyond the agent, every chart drawn, nothing overflowing, and the page
# refreshing itself without a reload. Screenshots go to BUILDDIR/screenshots.
. "$HEADROOM_ROOT/tests/lib.sh"
cd "$T_TMP" || exit 1
export XDG_STATE_HOME="$T_TMP/state"
B=$(dirname "$HEADROOM")
SHOTS="$B/screenshots"
mkdir -p "$SHOTS"
NODE_MODULES="$B/npm/node_modules"

APORT=$(t_free_port)
cat >d.yaml <<YAML
triggers:
  cpu:
    warn: 60%
    crit: 85%
  cores-held:
    metric: cpu.cores
    warn: 0
    crit: 100000
    for: 1h
    action: "Nothing to do, a test"
agent:
  listen: 127.0.0.1:$APORT
  token: s3cret-token
YAML
URL="http://127.0.0.1:$APORT"
AUTH="Authorization: Bearer s3cret-token"

wait_page() {
	i=0
	while [ "$(curl -s -o /dev/null -w '%{http_code}' -H "$AUTH" "$URL/")" != 200 ] && [ $i -lt 150 ]; do
		sleep 0.1; i=$((i + 1))
	done
}

# A first run makes the store and its series; stopped, the store gets a
# week of history (a sample every 5 minutes shaped like the last value),
# so the day and week charts have something to draw.
t_start_agent "$APORT" -f d.yaml --interval 1s --store "$T_TMP/h.db"
wait_page
t_check "the page is served once the first round is in" [ "$(curl -s -o /dev/null -w '%{http_code}' -H "$AUTH" "$URL/")" = 200 ]
kill "$AGENT"
i=0; while kill -0 "$AGENT" 2>/dev/null && [ $i -lt 100 ]; do sleep 0.1; i=$((i + 1)); done
now=$(date +%s)
if sqlite3 "$T_TMP/h.db" "WITH RECURSIVE k(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM k WHERE i < 2016)
	INSERT OR IGNORE INTO samples(series, t, v)
	SELECT s.id, $now - 120 - i * 300,
	       (SELECT v FROM samples WHERE series = s.id AND v IS NOT NULL ORDER BY t DESC LIMIT 1)
	       * (0.8 + 0.2 * ((i % 288) - 144) / 144.0)
	FROM series s, k;" 2>sqlite.err; then
	t_ok "a week of history seeded ($(sqlite3 "$T_TMP/h.db" 'SELECT count(*) FROM samples') samples)"
else
	t_not_ok "a week of history seeded"
	t_diag "$(cat sqlite.err)"
fi

t_start_agent "$APORT" -f d.yaml --interval 1s --store "$T_TMP/h.db"
wait_page
t_contains "a level held back by its for: which, for how long of how long" "$(curl -s -H "$AUTH" "$URL/")" \
	'<span class="pending">warning for '
t_check "... of the for: 1h" sh -c "curl -s -H '$AUTH' '$URL/' | grep -q '<span class=\"pending\">warning for [0-9.]* [a-z]* of 1.00 h</span>'"

# The token: header, or the cookie a ?token= visit sets; never in the page.
t_check "/ without the token: 401" [ "$(curl -s -o /dev/null -w '%{http_code}' "$URL/")" = 401 ]
t_contains "the 401 says how a browser gets in" "$(curl -s "$URL/")" "/?token=TOKEN"
t_check "/?token= with a wrong token: 401" [ "$(curl -s -o /dev/null -w '%{http_code}' "$URL/?token=s3cret-tokeX")" = 401 ]
curl -s -D head.txt -o /dev/null "$URL/?token=s3cret-token"
t_contains "/?token=TOKEN redirects (303)" "$(head -n 1 head.txt)" "303"
t_contains "... to the page without the token" "$(grep -i '^location:' head.txt)" "Location: /"
t_contains "... setting an HttpOnly SameSite=Strict cookie" "$(grep -i '^set-cookie:' head.txt)" \
	"headroom_token=s3cret-token; Path=/; HttpOnly; SameSite=Strict"
t_check "the cookie opens the page" [ "$(curl -s -o /dev/null -w '%{http_code}' -b 'headroom_token=s3cret-token' "$URL/")" = 200 ]
t_check "a wrong cookie does not" [ "$(curl -s -o /dev/null -w '%{http_code}' -b 'headroom_token=nope' "$URL/")" = 401 ]
t_check "the cookie opens /status too" [ "$(curl -s -o /dev/null -w '%{http_code}' -b 'headroom_token=s3cret-token' "$URL/status")" = 200 ]
curl -s -D page.head -H "$AUTH" "$URL/" >page.html
curl -s -H "$AUTH" "$URL/dashboard.part" >part.html
t_contains "the page is HTML" "$(grep -i '^content-type:' page.head)" "text/html"
t_contains "with a policy that allows only the agent itself" "$(grep -i '^content-security-policy:' page.head)" \
	"default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; connect-src 'self'"
if grep -q s3cret page.html part.html; then t_not_ok "the token is not in the page"; else t_ok "the token is not in the page"; fi
t_contains "the page names its generator" "$(cat page.html)" '<meta name="generator" content="headroom'
t_contains "... and its config" "$(cat page.html)" "<code>d.yaml</code>"
t_contains "the part has the trigger table" "$(cat part.html)" "<th>Trigger</th><th>State</th>"
t_contains "the cpu trigger with its levels" "$(cat part.html)" ">60.0%</td><td class=\"r\">85.0%</td>"
charts=$(grep -c '<svg ' part.html)
t_check "history charts: three windows per trigger ($charts)" [ "$charts" -ge 3 ] && [ $((charts % 3)) -eq 0 ]
t_contains "the week chart of cpu has its warn line" "$(cat part.html)" ">warn 60.0%</text>"
weekpts=$(python3 -c '
import re,sys
t=open(sys.argv[1]).read()
m=re.search(r"<figure class=\"chart win-week\">.*?</figure>", t, re.S)
print(len(re.findall(r"[ML][0-9.]+ [0-9.]+", m.group(0))) if m else 0)' part.html)
t_check "the week chart draws the seeded week ($weekpts points)" [ "$weekpts" -ge 100 ]

if ! command -v chromium >/dev/null 2>&1; then
	t_skip "the page in Chromium: Debian's chromium is not installed (scripts/deps.sh)"
elif [ ! -f "$NODE_MODULES/puppeteer-core/package.json" ]; then
	t_skip "the page in Chromium: puppeteer-core is not in $B/npm (scripts/npm-deps.sh $B/npm)"
elif HR_NODE_MODULES="$NODE_MODULES" timeout 240 node "$HEADROOM_ROOT/tests/integration/page_check.js" \
	"$URL/" "$SHOTS/agent" 3 "$URL" "headroom_token=s3cret-token" >page.out 2>&1; then
	t_ok "the page in Chromium at 1280 and 390 px, light and dark: refreshes itself, charts drawn, no error, no request beyond the agent"
	t_diag "$(cat page.out)"
else
	t_not_ok "the page in Chromium"
	t_diag "$(cat page.out)"
fi
t_done
