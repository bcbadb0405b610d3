/* Unit tests for model/sample: the unit read off a metric's name, for every
 * metric docs/metrics.md lists and the names that once read wrong (a `.max`
 * of connections is a count, not a time). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "model/sample.h"

struct unit_case {
	const char *name;
	enum sample_unit want;
};

static void check(const struct unit_case *c, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		enum sample_unit got = sample_unit(c[i].name);
		if (got != c[i].want)
			fail_msg("sample_unit(\"%s\") = %d, expected %d", c[i].name, (int)got, (int)c[i].want);
	}
}

/* Every built-in metric of docs/metrics.md, with the unit its table gives. */
static void test_documented(void **state)
{
	(void)state;
	static const struct unit_case c[] = {
		{"cpu.utilization", SAMPLE_UNIT_RATIO},
		{"cpu.iowait_ratio", SAMPLE_UNIT_RATIO},
		{"cpu.steal_ratio", SAMPLE_UNIT_RATIO},
		{"cpu.cores", SAMPLE_UNIT_COUNT},
		{"cgroup.cpu.used_cores", SAMPLE_UNIT_COUNT},
		{"cgroup.cpu.utilization", SAMPLE_UNIT_RATIO},
		{"cgroup.memory.used_bytes", SAMPLE_UNIT_BYTES},
		{"cgroup.memory.max_bytes", SAMPLE_UNIT_BYTES},
		{"cgroup.memory.used_ratio", SAMPLE_UNIT_RATIO},
		{"memory.used_ratio", SAMPLE_UNIT_RATIO},
		{"memory.available_bytes", SAMPLE_UNIT_BYTES},
		{"memory.total_bytes", SAMPLE_UNIT_BYTES},
		{"memory.swap_used_ratio", SAMPLE_UNIT_RATIO},
		{"load.1", SAMPLE_UNIT_COUNT},
		{"load.5", SAMPLE_UNIT_COUNT},
		{"load.15", SAMPLE_UNIT_COUNT},
		{"load.per_cpu", SAMPLE_UNIT_COUNT},
		{"disk.used_ratio", SAMPLE_UNIT_RATIO},
		{"disk.free_ratio", SAMPLE_UNIT_RATIO},
		{"disk.used_bytes", SAMPLE_UNIT_BYTES},
		{"disk.available_bytes", SAMPLE_UNIT_BYTES},
		{"disk.inodes_used_ratio", SAMPLE_UNIT_RATIO},
		{"net.rx_bytes", SAMPLE_UNIT_BYTES},
		{"net.tx_bytes", SAMPLE_UNIT_BYTES},
		{"net.rx_bytes_per_second", SAMPLE_UNIT_PER_SECOND},
		{"net.tx_bytes_per_second", SAMPLE_UNIT_PER_SECOND},
		{"postgres.connections.used", SAMPLE_UNIT_COUNT},
		{"postgres.connections.max", SAMPLE_UNIT_COUNT},
		{"postgres.connections.used_ratio", SAMPLE_UNIT_RATIO},
		{"postgres.cache_hit_ratio", SAMPLE_UNIT_RATIO},
		{"postgres.database.size_bytes", SAMPLE_UNIT_BYTES},
		{"postgres.longest_query_s", SAMPLE_UNIT_SECONDS},
		{"postgres.replication_lag_s", SAMPLE_UNIT_SECONDS},
		{"redis.memory.used_bytes", SAMPLE_UNIT_BYTES},
		{"redis.memory.max_bytes", SAMPLE_UNIT_BYTES},
		{"redis.memory.used_ratio", SAMPLE_UNIT_RATIO},
		{"redis.clients.connected", SAMPLE_UNIT_COUNT},
		{"redis.clients.blocked", SAMPLE_UNIT_COUNT},
		{"redis.evicted_keys", SAMPLE_UNIT_COUNT},
		{"redis.evicted_keys_per_second", SAMPLE_UNIT_PER_SECOND},
		{"redis.queue.length", SAMPLE_UNIT_COUNT},
		{"redis.queue.wait", SAMPLE_UNIT_SECONDS},
		{"http.p50", SAMPLE_UNIT_SECONDS},
		{"http.p95", SAMPLE_UNIT_SECONDS},
		{"http.p99", SAMPLE_UNIT_SECONDS},
		{"http.max", SAMPLE_UNIT_SECONDS},
		{"http.error_ratio", SAMPLE_UNIT_RATIO},
		{"http.request_rate", SAMPLE_UNIT_PER_SECOND},
		{"http.status", SAMPLE_UNIT_COUNT},
		{"http.up", SAMPLE_UNIT_COUNT},
	};
	check(c, sizeof(c) / sizeof(c[0]));
}

/* Labels never decide; a suffix decides only at the end of the base name. */
static void test_edges(void **state)
{
	(void)state;
	static const struct unit_case c[] = {
		/* The bug: a .max of connections was exported as a duration. */
		{"postgres.connections.max", SAMPLE_UNIT_COUNT},
		{"cpu.max", SAMPLE_UNIT_COUNT},
		{"memory.max", SAMPLE_UNIT_COUNT},
		{"app.max", SAMPLE_UNIT_COUNT},
		{"http.max{url=\"https://a.example/\"}", SAMPLE_UNIT_SECONDS},
		{"disk.used_ratio{mount=\"/\"}", SAMPLE_UNIT_RATIO},
		{"redis.queue.length{key=\"x_s\"}", SAMPLE_UNIT_COUNT},
		{"redis.queue.wait{key=\"bull:q:wait\"}", SAMPLE_UNIT_SECONDS},
		{"app.queue_age_s", SAMPLE_UNIT_SECONDS},
		{"api.latency.p95", SAMPLE_UNIT_SECONDS},
		{"api.p", SAMPLE_UNIT_COUNT},
		{"app.top99", SAMPLE_UNIT_COUNT},
		{"app.bytes_sent_count", SAMPLE_UNIT_COUNT},
		{"app.inflight", SAMPLE_UNIT_COUNT},
		{"s", SAMPLE_UNIT_COUNT},
		{"_s", SAMPLE_UNIT_SECONDS},
		{".p9", SAMPLE_UNIT_SECONDS},
		{"p9", SAMPLE_UNIT_COUNT},
		{"", SAMPLE_UNIT_COUNT},
		{"{x=\"1\"}", SAMPLE_UNIT_COUNT},
	};
	check(c, sizeof(c) / sizeof(c[0]));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_documented),
		cmocka_unit_test(test_edges),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
