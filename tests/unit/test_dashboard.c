/* Unit tests for render/dashboard: the agent's page from a fixed round and
 * history, escaped, the same bytes for the same input, no secret in it. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "render/dashboard.h"

static size_t count(const char *hay, const char *needle)
{
	size_t n = 0;
	for (const char *p = strstr(hay, needle); p; p = strstr(p + 1, needle))
		n++;
	return n;
}

static void test_page(void **state)
{
	(void)state;
	struct trigger_rule rules[3] = {
		{.name = "cpu", .metric = "cpu.utilization", .warn = 0.7, .crit = 0.9, .for_s = 300},
		{.name = "disk <root>", .metric = "disk.used_ratio", .warn = 0.8, .crit = NAN, .for_s = 60},
		{.name = "queue", .metric = "redis.queue.length", .warn = 100, .crit = 500, .for_s = 600},
	};
	struct live_trigger trig[3] = {
		{.rule = &rules[0], .state = TRIG_WARN, .series = "cpu.utilization", .value = 0.75, .method = FORECAST_LINEAR,
		 .eta_warn = {0, 0, 0}, .eta_crit = {7200, 3600, INFINITY}},
		{.rule = &rules[1], .state = TRIG_OK, .series = "disk.used_ratio{mount=\"/\"}", .value = 0.5},
		{.rule = &rules[2], .skipped = true, .value = NAN, .message = "no redis source"},
	};
	struct live_result res = {.now = 1700000000, .trig = trig, .n_trig = 3, .status = TRIG_WARN, .bottleneck = 0};
	static double t[DASH_WINDOWS][DASH_POINTS], v[DASH_WINDOWS][DASH_POINTS];
	struct dash_window hist[3][DASH_WINDOWS];
	memset(hist, 0, sizeof(hist));
	for (int w = 0; w < DASH_WINDOWS; w++) {
		double step = dash_window_s[w] / DASH_POINTS, from = res.now - dash_window_s[w];
		for (int k = 0; k < DASH_POINTS; k++) {
			t[w][k] = from + (k + 0.5) * step;
			v[w][k] = k % 17 == 5 ? NAN : 0.5 + 0.3 * sin(k / 10.0);
		}
		hist[0][w] = hist[1][w] = (struct dash_window){from, res.now, t[w], v[w], DASH_POINTS};
	}
	struct dash_input in = {.res = &res, .hist = (const struct dash_window(*)[DASH_WINDOWS])hist, .version = "9.9",
				.config = "/etc/headroom/headroom.yaml", .listen = "127.0.0.1:9870", .refresh_s = 10};
	struct strbuf a, b, part;
	strbuf_init(&a, 0);
	strbuf_init(&b, 0);
	strbuf_init(&part, 0);
	assert_int_equal(dashboard_render_page(&in, &a), 0);
	assert_int_equal(dashboard_render_page(&in, &b), 0);
	assert_string_equal(strbuf_str(&a), strbuf_str(&b));
	assert_int_equal(dashboard_render_part(&in, &part), 0);
	const char *o = strbuf_str(&a);
	/* the part is in the page, inside the element the script swaps */
	assert_non_null(strstr(o, strbuf_str(&part)));
	assert_non_null(strstr(o, "<div id=\"live\" data-refreshed=\"0\">\n<p class=\"status\">"));
	assert_non_null(strstr(o, "<meta name=\"generator\" content=\"headroom 9.9\">"));
	assert_non_null(strstr(o, "<code>/etc/headroom/headroom.yaml</code>"));
	assert_non_null(strstr(o, "setInterval(tick, 10000);"));
	assert_non_null(strstr(o, "fetch('dashboard.part'"));
	/* it asks nothing but the agent, by a relative path: the only URLs are the SVG namespace */
	assert_int_equal(count(o, "http://"), count(o, "xmlns=\"http://www.w3.org/2000/svg\""));
	assert_null(strstr(o, "https://"));
	assert_null(strstr(o, " src="));
	/* the status, the bottleneck, the rows, escaped */
	assert_non_null(strstr(o, "<span class=\"state state-warning\">WARNING</span> sampled 2023-11-14 22:13:20 UTC"));
	assert_non_null(strstr(o, "bottleneck: <strong>cpu</strong> (cpu.utilization at 75.0%, warn at 70.0%)"));
	assert_non_null(strstr(o, "<td>disk &lt;root&gt;</td>"));
	assert_non_null(strstr(o, "disk.used_ratio{mount=&quot;/&quot;}"));
	assert_non_null(strstr(o, "<tr class=\"bottleneck\"><td>cpu</td>"));
	assert_non_null(strstr(o, "<td class=\"r\">now</td><td class=\"r\">2.0 h</td>")); /* warn passed, crit in 2 h */
	assert_non_null(strstr(o, "<span class=\"state state-unknown\">n/a</span></td>"));
	assert_non_null(strstr(o, "no redis source"));
	/* two triggers with history, three windows each; the skipped one has no chart */
	assert_int_equal(count(o, "<svg "), 6);
	assert_int_equal(count(o, "class=\"chart win-hour\""), 2);
	assert_int_equal(count(o, "class=\"chart win-week\""), 2);
	assert_int_equal(count(o, "hr-rule hr-warn"), 6);
	assert_int_equal(count(o, "hr-rule hr-crit"), 3); /* the disk rule has no crit */
	assert_non_null(strstr(o, ">warn 70.0%</text>"));
	strbuf_free(&a);
	strbuf_free(&b);
	strbuf_free(&part);
}

int main(void)
{
	const struct CMUnitTest tests[] = {cmocka_unit_test(test_page)};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
