/* Unit tests for render/svg: ticks, number formats, escaping, and charts
 * drawn from small inputs, asserted byte for byte or by their parts. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "render/svg.h"
#include "testutil.h"

static void ticks_eq(double lo, double hi, unsigned max, double want_lo, double want_hi, double want_step, size_t want_n)
{
	struct svg_ticks t;
	svg_nice_ticks(lo, hi, max, &t);
	/* a step's millionth: the decimal steps are not exact in binary */
	double eps = fabs(want_step) * 1e-6;
	assert_near(t.lo, want_lo, eps);
	assert_near(t.hi, want_hi, eps);
	assert_near(t.step, want_step, eps);
	assert_int_equal(t.n, want_n);
	assert_near(t.v[0], t.lo, eps);
	assert_near(t.v[t.n - 1], t.hi, eps);
}

static void test_nice_numbers(void **state)
{
	(void)state;
	/* Heckbert 1990: rounded 1, 2, 5, 10; not rounded: the one at or above */
	assert_near(svg_nice_number(1.4, true), 1, 1e-12);
	assert_near(svg_nice_number(1.5, true), 2, 1e-12);
	assert_near(svg_nice_number(2.9, true), 2, 1e-12);
	assert_near(svg_nice_number(3, true), 5, 1e-12);
	assert_near(svg_nice_number(7, true), 10, 1e-12);
	assert_near(svg_nice_number(0.07, true), 0.1, 1e-15);
	assert_near(svg_nice_number(1.01, false), 2, 1e-12);
	assert_near(svg_nice_number(4200, false), 5000, 1e-9);
	assert_near(svg_nice_number(-3, false), 1, 0); /* not a length: a safe 1 */
	assert_near(svg_nice_number(NAN, true), 1, 0);

	ticks_eq(0, 97, 6, 0, 100, 20, 6);
	ticks_eq(12, 87, 5, 0, 100, 20, 6);
	ticks_eq(-3, 3, 5, -4, 4, 2, 5);
	/* one value: a range around it */
	ticks_eq(5, 5, 6, 4.4, 5.6, 0.2, 7);
	ticks_eq(0, 0, 6, -1, 1, 0.5, 5);
	/* nothing usable: 0..1 */
	ticks_eq(NAN, 3, 6, 0, 1, 0.2, 6);
	ticks_eq(4, 3, 6, 0, 1, 0.2, 6);
	/* huge and tiny ranges keep their steps */
	ticks_eq(0, 3e15, 5, 0, 3e15, 1e15, 4);
	ticks_eq(1.0000001, 1.0000002, 5, 1.0000001, 1.0000002, 2e-8, 6);
	ticks_eq(1e-12, 5e-12, 5, 1e-12, 5e-12, 1e-12, 5);
	/* the cap on ticks holds however many are asked for */
	struct svg_ticks t;
	svg_nice_ticks(0, 1, 1000, &t);
	assert_true(t.n <= SVG_MAX_TICKS);
	svg_nice_ticks(-1e308, 1e308, 6, &t); /* the span overflows: a safe 0..1 */
	assert_near(t.hi, 1, 1e-9);
	assert_true(t.n >= 2 && t.n <= SVG_MAX_TICKS);
}

static void test_formats(void **state)
{
	(void)state;
	char b[64];
	svg_fmt_number(1500, 500, NULL, b, sizeof(b));
	assert_string_equal(b, "1.5k");
	svg_fmt_number(2000, 1000, NULL, b, sizeof(b));
	assert_string_equal(b, "2k");
	svg_fmt_number(0.25, 0.05, NULL, b, sizeof(b));
	assert_string_equal(b, "0.25");
	svg_fmt_number(-3, 1, NULL, b, sizeof(b));
	assert_string_equal(b, "-3");
	svg_fmt_number(0, 1e6, NULL, b, sizeof(b));
	assert_string_equal(b, "0");
	svg_fmt_number(1234567, 0, NULL, b, sizeof(b)); /* no step: three figures */
	assert_string_equal(b, "1.23M");
	svg_fmt_number(3e15, 1e15, NULL, b, sizeof(b));
	assert_string_equal(b, "3000T");
	svg_fmt_number(1.0000001, 2e-8, NULL, b, sizeof(b));
	assert_string_equal(b, "1.0000001");
	svg_fmt_number(NAN, 1, NULL, b, sizeof(b));
	assert_string_equal(b, "-");
	svg_fmt_percent(0.7, 0.1, NULL, b, sizeof(b));
	assert_string_equal(b, "70%");
	svg_fmt_percent(0.9995, 0.0001, NULL, b, sizeof(b));
	assert_string_equal(b, "99.95%");
	svg_fmt_percent(0.5, 0, NULL, b, sizeof(b));
	assert_string_equal(b, "50.0%");
	svg_fmt_time(0, 3600, NULL, b, sizeof(b));
	assert_string_equal(b, "00:00");
	svg_fmt_time(86400 * 31 + 3600 * 13 + 60 * 7, 300, NULL, b, sizeof(b));
	assert_string_equal(b, "13:07");
	svg_fmt_time(86400 * 31, 86400, NULL, b, sizeof(b));
	assert_string_equal(b, "1 Feb");
	svg_fmt_time(INFINITY, 60, NULL, b, sizeof(b));
	assert_string_equal(b, "-");
}

static void test_escape(void **state)
{
	(void)state;
	struct strbuf sb;
	strbuf_init(&sb, 0);
	assert_int_equal(svg_escape(&sb, "a<b & \"c\" 'd'>"), 0);
	assert_string_equal(strbuf_str(&sb), "a&lt;b &amp; &quot;c&quot; &#39;d&#39;&gt;");
	strbuf_reset(&sb);
	/* control characters are not XML; tab and newline are */
	assert_int_equal(svg_escape(&sb, "x\x01y\tz\n\x7f"), 0);
	assert_string_equal(strbuf_str(&sb), "xy\tz\n\x7f");
	strbuf_reset(&sb);
	/* bytes that are not UTF-8 become U+FFFD; valid sequences stay */
	assert_int_equal(svg_escape(&sb, "\xE2\x82\xAC \xff \xC0\xAF \xED\xA0\x80 \xE2\x82"), 0);
	assert_string_equal(strbuf_str(&sb), "\xE2\x82\xAC \xEF\xBF\xBD \xEF\xBF\xBD\xEF\xBF\xBD "
					     "\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD \xEF\xBF\xBD\xEF\xBF\xBD");
	strbuf_reset(&sb);
	assert_int_equal(svg_escape(&sb, NULL), 0);
	assert_string_equal(strbuf_str(&sb), "");
	strbuf_free(&sb);
}

/* One point: the range is widened around it, the dot carries its hover text. */
static void test_one_point_exact(void **state)
{
	(void)state;
	double x[] = {3}, y[] = {5};
	struct svg_series s[] = {{"a", y, NULL, 0, false}};
	struct svg_chart c = {.id = "t", .title = "T", .kind = SVG_LINES, .x = x, .n = 1,
			      .xa = {NULL, SVG_LINEAR, NAN, NAN, false, NULL, NULL},
			      .ya = {NULL, SVG_LINEAR, NAN, NAN, false, NULL, NULL},
			      .series = s, .n_series = 1, .width = 200, .height = 120};
	struct strbuf sb;
	strbuf_init(&sb, 0);
	assert_int_equal(svg_render(&c, &sb), 0);
	assert_string_equal(
		strbuf_str(&sb),
		"<svg xmlns=\"http://www.w3.org/2000/svg\" class=\"hr-chart\" viewBox=\"0 0 200 120\" width=\"200\" "
		"height=\"120\" role=\"img\" aria-labelledby=\"t-title t-desc\">\n"
		"<title id=\"t-title\">T</title>\n"
		"<desc id=\"t-desc\">T</desc>\n"
		"<rect class=\"hr-bg\" width=\"200\" height=\"120\"/>\n"
		"<text class=\"hr-title\" x=\"8\" y=\"22\">T</text>\n"
		"<g class=\"hr-legend\"><path class=\"hr-line hr-c0\" d=\"M8 36H20\"/><text x=\"24\" y=\"40\">a</text></g>\n"
		"<clipPath id=\"t-clip\"><rect x=\"35.6\" y=\"58\" width=\"145.6\" height=\"40\"/></clipPath>\n"
		"<g class=\"hr-grid\"><path d=\"M35.6 98H181.2\"/><path d=\"M35.6 78H181.2\"/><path d=\"M35.6 58H181.2\"/>"
		"<path d=\"M35.6 58V98\"/><path d=\"M108.4 58V98\"/><path d=\"M181.2 58V98\"/></g>\n"
		"<g class=\"hr-ticks\"><text x=\"29.6\" y=\"102.2\" text-anchor=\"end\">4.5</text>"
		"<text x=\"29.6\" y=\"82.2\" text-anchor=\"end\">5</text>"
		"<text x=\"29.6\" y=\"62.2\" text-anchor=\"end\">5.5</text>"
		"<text x=\"35.6\" y=\"118\" text-anchor=\"middle\">2.5</text>"
		"<text x=\"108.4\" y=\"118\" text-anchor=\"middle\">3</text>"
		"<text x=\"181.2\" y=\"118\" text-anchor=\"middle\">3.5</text></g>\n"
		"<path class=\"hr-axis\" d=\"M35.6 58V98H181.2\"/>\n"
		"<g clip-path=\"url(#t-clip)\">\n"
		"<path class=\"hr-line hr-c0\" d=\"M108.4 78\"/>\n"
		"<circle class=\"hr-pt hr-c0\" cx=\"108.4\" cy=\"78\" r=\"3\"><title>a: 3, 5</title></circle>\n"
		"</g>\n"
		"</svg>\n");
	strbuf_free(&sb);
}

static size_t count(const char *hay, const char *needle)
{
	size_t n = 0;
	for (const char *p = strstr(hay, needle); p; p = strstr(p + 1, needle))
		n++;
	return n;
}

static char *render(const struct svg_chart *c)
{
	struct strbuf sb;
	strbuf_init(&sb, 0);
	assert_int_equal(svg_render(c, &sb), 0);
	return strbuf_take(&sb);
}

/* A NaN breaks the line in two; an infinite value too; every usable point has a dot. */
static void test_gaps(void **state)
{
	(void)state;
	double x[] = {1, 2, 3, 4, 5, 6}, y[] = {1, 2, NAN, 4, INFINITY, 6};
	struct svg_series s[] = {{"s", y, NULL, 1, true}};
	struct svg_chart c = {.id = "g", .title = "G", .x = x, .n = 6, .series = s, .n_series = 1,
			      .xa = {.min = NAN, .max = NAN}, .ya = {.min = NAN, .max = NAN}};
	char *o = render(&c);
	const char *line = strstr(o, "<path class=\"hr-line hr-c1 hr-dash\" d=\"M");
	assert_non_null(line);
	line = strstr(line + 1, "<path class=\"hr-line hr-c1 hr-dash\" d=\"M"); /* the first is the legend's */
	assert_non_null(line);
	const char *d = strstr(line, " d=\"") + 4, *end = strchr(d, '"');
	size_t moves = 0;
	for (const char *p = d; p < end; p++)
		moves += *p == 'M';
	assert_int_equal(moves, 3); /* 1-2, 4, 6 */
	assert_int_equal(count(o, "<circle"), 4);
	assert_null(strstr(o, "nan"));
	assert_null(strstr(o, "inf"));
	free(o);

	/* nothing usable: axes and "no data", no marks */
	double none[] = {NAN, NAN, NAN, NAN, NAN, NAN};
	s[0].y = none;
	o = render(&c);
	assert_non_null(strstr(o, ">no data</text>"));
	assert_int_equal(count(o, "<circle"), 0);
	free(o);
}

/* Equal values: a flat line in the middle of a widened range, no division by zero. */
static void test_all_equal(void **state)
{
	(void)state;
	double x[] = {10, 20, 30}, y[] = {7, 7, 7};
	struct svg_series s[] = {{"flat", y, NULL, 0, false}};
	struct svg_chart c = {.id = "e", .title = "E", .x = x, .n = 3, .series = s, .n_series = 1,
			      .xa = {.min = NAN, .max = NAN}, .ya = {.min = NAN, .max = NAN}};
	char *o = render(&c);
	assert_null(strstr(o, "nan"));
	assert_non_null(strstr(o, ">6.5</text>"));
	assert_non_null(strstr(o, ">7.5</text>"));
	assert_int_equal(count(o, "<circle"), 3);
	free(o);
}

/* A huge range and a log axis that leaves out what it cannot show. */
static void test_ranges_and_log(void **state)
{
	(void)state;
	double x[] = {0, 10, 1000, 1e6}, y[] = {1e-9, 2e12, 3e12, 1};
	struct svg_series s[] = {{"big", y, NULL, 0, false}};
	struct svg_chart c = {.id = "h", .title = "H", .x = x, .n = 4, .series = s, .n_series = 1,
			      .xa = {"Users", SVG_LOG, NAN, NAN, false, NULL, NULL},
			      .ya = {"Bytes", SVG_LINEAR, NAN, NAN, true, NULL, NULL}};
	char *o = render(&c);
	assert_int_equal(count(o, "<circle"), 3); /* x = 0 has no place on a log axis */
	assert_non_null(strstr(o, ">10</text>"));
	assert_non_null(strstr(o, ">1M</text>"));
	assert_non_null(strstr(o, ">3T</text>"));
	assert_non_null(strstr(o, ">Users</text>"));
	assert_non_null(strstr(o, "rotate(-90"));
	free(o);

	/* a log axis over less than a decade and a half: 1-2-5 ticks */
	double x2[] = {20, 40, 90}, y2[] = {1, 2, 3};
	c.x = x2;
	c.n = 3;
	s[0].y = y2;
	o = render(&c);
	assert_non_null(strstr(o, ">20</text>"));
	assert_non_null(strstr(o, ">50</text>"));
	assert_non_null(strstr(o, ">100</text>"));
	free(o);
}

/* Stacked areas sit on each other; bands, rules and the legend are drawn and escaped. */
static void test_stacked_bands_rules(void **state)
{
	(void)state;
	double x[] = {1, 2, 3}, a[] = {1, 1, 1}, b[] = {2, NAN, 2};
	const char *tips[] = {"first <1>", NULL, "third"};
	struct svg_series s[] = {{"infra & ops", a, tips, 0, false}, {"external", b, NULL, 2, false}};
	struct svg_band bands[] = {{1, 2, "single", 0}, {2, 3, "a label much too long to fit in its band", 1},
				   {5, 9, "off the axis", 2}};
	struct svg_rule rules[] = {{10, "warn 10", SVG_RULE_WARN}, {NAN, "ignored", SVG_RULE_CRIT}};
	struct svg_chart c = {.id = "s-1", .title = "Cost <total>", .desc = "d\"q", .kind = SVG_STACKED, .x = x, .n = 3,
			      .series = s, .n_series = 2, .bands = bands, .n_bands = 3, .rules = rules, .n_rules = 2,
			      .xa = {.min = NAN, .max = NAN}, .ya = {.min = NAN, .max = NAN},
			      .standalone = true, .comment = "headroom 1 -- from x.yaml"};
	char *o = render(&c);
	assert_memory_equal(o, "<!-- headroom 1 - - from x.yaml -->\n<svg", 40);
	assert_non_null(strstr(o, "<title id=\"s-1-title\">Cost &lt;total&gt;</title>"));
	assert_non_null(strstr(o, "<desc id=\"s-1-desc\">d&quot;q</desc>"));
	assert_non_null(strstr(o, "<style>"));
	assert_non_null(strstr(o, ">infra &amp; ops</text>"));
	assert_int_equal(count(o, "class=\"hr-area hr-c0\""), 1);
	assert_int_equal(count(o, "class=\"hr-area hr-c1\""), 0);
	assert_int_equal(count(o, "class=\"hr-area hr-c2\""), 2); /* the gap splits the top area */
	assert_non_null(strstr(o, "<title>first &lt;1&gt;</title>"));
	assert_non_null(strstr(o, "<title>infra &amp; ops: 2, 1</title>")); /* a NULL tip: the default */
	assert_int_equal(count(o, "class=\"hr-band"), 3);                      /* two rects, one label */
	assert_non_null(strstr(o, ">single</text>"));
	assert_null(strstr(o, "much too long"));
	assert_null(strstr(o, "off the axis"));
	assert_int_equal(count(o, "hr-rule hr-warn"), 1);
	assert_non_null(strstr(o, ">warn 10</text>")); /* the rule widened the axis to show itself */
	assert_null(strstr(o, "ignored"));
	free(o);

	/* a label wider than the plot is cut with an ellipsis; the whole is its hover title */
	rules[0].label = "limit 80%: db_disk, disk, memory, task_slots, db_connections, db_memory, external_rate";
	c.width = 300;
	o = render(&c);
	assert_non_null(strstr(o, "<title>limit 80%: db_disk, disk, memory, task_slots, db_connections, db_memory, "
				  "external_rate</title>limit 80%"));
	assert_non_null(strstr(o, "\xE2\x80\xA6</text>"));
	free(o);
}

static void test_errors_and_cap(void **state)
{
	(void)state;
	double x[] = {1}, y[] = {1};
	struct svg_series s[] = {{"s", y, NULL, 0, false}};
	struct svg_chart c = {.id = "bad id", .title = "T", .x = x, .n = 1, .series = s, .n_series = 1,
			      .xa = {.min = NAN, .max = NAN}, .ya = {.min = NAN, .max = NAN}};
	struct strbuf sb;
	strbuf_init(&sb, 0);
	assert_int_equal(svg_render(&c, &sb), HR_E_INVALID);
	c.id = NULL;
	assert_int_equal(svg_render(&c, &sb), HR_E_INVALID);
	c.id = "ok";
	s[0].y = NULL;
	assert_int_equal(svg_render(&c, &sb), HR_E_INVALID);
	s[0].y = y;
	strbuf_free(&sb);
	strbuf_init(&sb, 100);
	assert_int_equal(svg_render(&c, &sb), HR_E_TOO_LARGE);
	strbuf_free(&sb);
	/* the same input, the same bytes */
	char *a = render(&c), *b = render(&c);
	assert_string_equal(a, b);
	free(a);
	free(b);
}

static void test_time_axis(void **state)
{
	(void)state;
	double t0 = 1700000000; /* 2023-11-14 22:13:20 UTC */
	double x[] = {t0, t0 + 1800, t0 + 3600}, y[] = {0.5, 0.6, 0.7};
	struct svg_series s[] = {{"cpu", y, NULL, 0, false}};
	struct svg_chart c = {.id = "tm", .title = "CPU", .x = x, .n = 3, .series = s, .n_series = 1,
			      .xa = {"Time (UTC)", SVG_TIME, NAN, NAN, false, NULL, NULL},
			      .ya = {"CPU", SVG_LINEAR, 0, 1, false, svg_fmt_percent, NULL}};
	char *o = render(&c);
	assert_non_null(strstr(o, ">22:30</text>"));
	assert_non_null(strstr(o, ">23:00</text>"));
	assert_non_null(strstr(o, ">100%</text>"));
	assert_non_null(strstr(o, "<title>cpu: 22:43, 60.0%</title>"));
	free(o);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_nice_numbers),     cmocka_unit_test(test_formats),
		cmocka_unit_test(test_escape),           cmocka_unit_test(test_one_point_exact),
		cmocka_unit_test(test_gaps),             cmocka_unit_test(test_all_equal),
		cmocka_unit_test(test_ranges_and_log),   cmocka_unit_test(test_stacked_bands_rules),
		cmocka_unit_test(test_errors_and_cap),   cmocka_unit_test(test_time_axis),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
