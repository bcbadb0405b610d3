/* Unit tests for render/promrules: metric -> PromQL (labels, renames, a
 * source's query, the agent's fallback), durations, alert names, and the
 * exact text of a small rule file. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <math.h>
#include <string.h>

#include "render/promrules.h"

static const char *expr(const char *metric, const struct source_config *src, size_t n, enum promrules_origin *o)
{
	static char buf[2048];
	struct strbuf sb;
	strbuf_init(&sb, 0);
	const char *what = NULL;
	assert_int_equal(promrules_expr(metric, src, n, &sb, o, &what), 0);
	assert_non_null(what);
	snprintf(buf, sizeof(buf), "%s", strbuf_str(&sb));
	strbuf_free(&sb);
	return buf;
}

static void test_expr(void **state)
{
	(void)state;
	enum promrules_origin o;
	assert_string_equal(expr("redis.queue.length", NULL, 0, &o), "redis_key_size");
	assert_int_equal(o, PROMRULES_EXPORTER);
	assert_string_equal(expr("redis.queue.length{key=\"bull:q:wait\"}", NULL, 0, &o),
			    "redis_key_size{key=\"bull:q:wait\"}");
	/* mount is node_exporter's mountpoint; an escaped quote stays escaped. */
	assert_string_equal(expr("disk.available_bytes{mount=\"/data \\\"x\\\"\"}", NULL, 0, &o),
			    "node_filesystem_avail_bytes{fstype!~\"tmpfs|overlay|squashfs|ramfs\","
			    "mountpoint=\"/data \\\"x\\\"\"}");
	assert_string_equal(expr("memory.used_ratio", NULL, 0, &o),
			    "1 - node_memory_MemAvailable_bytes / node_memory_MemTotal_bytes");
	/* no exporter: the agent's /metrics name */
	assert_string_equal(expr("app.in-flight{pool=\"a\"}", NULL, 0, &o), "headroom_app_in_flight{pool=\"a\"}");
	assert_int_equal(o, PROMRULES_AGENT);
	/* a prometheus source's query wins, even over a built-in name */
	char *q[] = {"cpu.utilization=avg(my_cpu)", "x=y"};
	struct source_config src[] = {
		{.name = "local", .type = "local"},
		{.name = "prom", .type = "prometheus", .queries = q, .n_queries = 2},
	};
	assert_string_equal(expr("cpu.utilization", src, 2, &o), "avg(my_cpu)");
	assert_int_equal(o, PROMRULES_QUERY);
	assert_string_equal(expr("cpu.utilization_x", src, 2, &o), "headroom_cpu_utilization_x");
	/* every built-in expands with and without labels, balanced */
	size_t n;
	const struct promrules_builtin *b = promrules_builtins(&n);
	assert_true(n >= 40);
	for (size_t i = 0; i < n; i++) {
		char m[256];
		snprintf(m, sizeof(m), "%s{a=\"b\"}", b[i].metric);
		const char *e = expr(m, NULL, 0, &o);
		assert_int_equal(o, PROMRULES_EXPORTER);
		assert_null(strstr(e, "$L"));
		assert_non_null(strstr(e, "a=\"b\""));
		int depth = 0;
		for (const char *p = e; *p; p++)
			depth += (*p == '(' || *p == '{') - (*p == ')' || *p == '}');
		assert_int_equal(depth, 0);
	}
}

static void test_names(void **state)
{
	(void)state;
	char buf[64];
	assert_string_equal(promrules_duration(300, buf, sizeof(buf)), "5m");
	assert_string_equal(promrules_duration(5400, buf, sizeof(buf)), "1h30m");
	assert_string_equal(promrules_duration(0.25, buf, sizeof(buf)), "250ms");
	assert_string_equal(promrules_duration(90061, buf, sizeof(buf)), "25h1m1s");
	assert_string_equal(promrules_duration(0, buf, sizeof(buf)), "0s");
	assert_string_equal(promrules_alert_name("db-connections", buf, sizeof(buf)), "HeadroomDbConnections");
	assert_string_equal(promrules_alert_name("latency-p95", buf, sizeof(buf)), "HeadroomLatencyP95");
	assert_string_equal(promrules_alert_name("x", buf, 9), "Headroom");
}

static void test_render(void **state)
{
	(void)state;
	struct trigger_rule rules[] = {
		{.name = "free-disk", .metric = "disk.free_ratio{mount=\"/\"}", .dir = TRIGGER_BELOW, .warn = 0.3,
		 .crit = NAN, .for_s = 900, .action = "Grow it {{ now }}"},
	};
	struct promrules_report r = {.version = "9.9", .config = "h.yaml", .rules = rules, .n_rules = 1};
	struct strbuf sb;
	strbuf_init(&sb, 0);
	assert_int_equal(promrules_render(&r, &sb), 0);
	const char *want =
		"# Prometheus alerting rules by headroom 9.9 from h.yaml\n"
		"# One rule per trigger and level; the PromQL of each metric: docs/export.md.\n"
		"# Check with: promtool check rules FILE\n"
		"groups:\n"
		"- name: headroom\n"
		"  rules:\n"
		"  - alert: HeadroomFreeDisk\n"
		"    expr: (node_filesystem_avail_bytes{fstype!~\"tmpfs|overlay|squashfs|ramfs\",mountpoint=\"/\"} / "
		"(node_filesystem_size_bytes{fstype!~\"tmpfs|overlay|squashfs|ramfs\",mountpoint=\"/\"} - "
		"node_filesystem_free_bytes{fstype!~\"tmpfs|overlay|squashfs|ramfs\",mountpoint=\"/\"} + "
		"node_filesystem_avail_bytes{fstype!~\"tmpfs|overlay|squashfs|ramfs\",mountpoint=\"/\"})) < 0.3\n"
		"    for: 15m\n"
		"    labels:\n"
		"      severity: warning\n"
		"      trigger: free-disk\n"
		"    annotations:\n"
		"      summary: 'free-disk: disk.free_ratio{mount=\"/\"} is {{ $value | humanizePercentage }}, below the "
		"warning level 30% for 15m'\n"
		"      description: Grow it {{ \"{{\" }} now }}\n"
		"      metric_source: PromQL over node_exporter\n";
	assert_string_equal(strbuf_str(&sb), want);
	strbuf_free(&sb);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_expr),
		cmocka_unit_test(test_names),
		cmocka_unit_test(test_render),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
