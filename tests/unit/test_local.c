/* Unit tests for sources/local: the /proc and cgroup parsers on fixture
 * files, and the source itself on fixture trees (tests/fixtures/proc/). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "sources/backends.h"
#include "sources/local.h"
#include "sources/source.h"
#include "util/xalloc.h"

#define HOST HR_FIXTURES "/proc/host"

static char *slurp(const char *path, size_t *len)
{
	FILE *fp = fopen(path, "rb");
	if (!fp)
		fail_msg("cannot open fixture %s", path);
	char *buf = xcalloc(1, 1 << 16);
	*len = fread(buf, 1, (1 << 16) - 1, fp);
	fclose(fp);
	return buf;
}

static void spit(const char *path, const char *text)
{
	FILE *fp = fopen(path, "wb");
	assert_non_null(fp);
	fputs(text, fp);
	fclose(fp);
}

static void test_stat(void **state)
{
	(void)state;
	size_t n;
	char *s = slurp(HOST "/proc/stat", &n);
	struct cpu_times c;
	assert_int_equal(local_parse_stat(s, n, &c), 0);
	assert_int_equal(c.user, 1000);
	assert_int_equal(c.system, 500);
	assert_int_equal(c.idle, 8000);
	assert_int_equal(c.iowait, 400);
	assert_int_equal(c.softirq, 100);
	assert_int_equal(c.ncpu, 2);
	free(s);

	// 600 user + 200 system + 200 idle ticks: 80 % busy.
	struct cpu_times b = c;
	b.user += 600, b.system += 200, b.idle += 200;
	assert_true(fabs(local_cpu_busy(&c, &b) - 0.8) < 1e-12);
	// iowait counts as idle: the CPU could have run something else.
	b = c;
	b.iowait += 100, b.user += 100;
	assert_true(fabs(local_cpu_busy(&c, &b) - 0.5) < 1e-12);
	assert_true(isnan(local_cpu_busy(&c, &c)));      // no time passed
	assert_true(isnan(local_cpu_busy(&b, &c)));      // counters went back

	static const char *const bad[] = {"", "cpu 1 2 3\n", "intr 1 2\n", "cpu  x y z w\n", "cpux 1 2 3 4\n"};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		if (local_parse_stat(bad[i], strlen(bad[i]), &c) != HR_E_PROTOCOL)
			fail_msg("accepted '%s'", bad[i]);
	// A counter that overflows 64 bits is refused, not wrapped.
	const char *huge = "cpu  99999999999999999999999 0 0 0\n";
	assert_int_equal(local_parse_stat(huge, strlen(huge), &c), HR_E_PROTOCOL);
	// Old kernels print four counters and that is enough.
	const char *old = "cpu  1 2 3 4\n";
	assert_int_equal(local_parse_stat(old, strlen(old), &c), 0);
	assert_int_equal(c.ncpu, 1);
	assert_int_equal(c.iowait, 0);
}

static void test_meminfo(void **state)
{
	(void)state;
	size_t n;
	char *s = slurp(HOST "/proc/meminfo", &n);
	struct meminfo m;
	assert_int_equal(local_parse_meminfo(s, n, &m), 0);
	assert_true(m.total == 4000000.0 * 1024);
	assert_true(m.available == 1000000.0 * 1024);
	assert_true(m.swap_total == 1000000.0 * 1024);
	assert_true(m.swap_free == 750000.0 * 1024);
	free(s);
	// Before MemAvailable (Linux < 3.14): free + buffers + cached.
	s = slurp(HR_FIXTURES "/proc/old/proc/meminfo", &n);
	assert_int_equal(local_parse_meminfo(s, n, &m), 0);
	assert_true(m.available == 300.0 * 1024);
	free(s);
	const char *none = "MemFree: 10 kB\n";
	assert_int_equal(local_parse_meminfo(none, strlen(none), &m), HR_E_PROTOCOL);
	const char *junk = "MemTotal: lots\n";
	assert_int_equal(local_parse_meminfo(junk, strlen(junk), &m), HR_E_PROTOCOL);
}

static void test_loadavg_netdev(void **state)
{
	(void)state;
	size_t n;
	char *s = slurp(HOST "/proc/loadavg", &n);
	double l[3];
	assert_int_equal(local_parse_loadavg(s, n, l), 0);
	assert_true(l[0] == 1.5 && l[1] == 0.75 && l[2] == 0.25);
	free(s);
	assert_int_equal(local_parse_loadavg("1.0 x", 5, l), HR_E_PROTOCOL);

	s = slurp(HOST "/proc/net/dev", &n);
	double rx, tx;
	assert_int_equal(local_parse_netdev(s, n, &rx, &tx), 0);
	assert_true(rx == 1300000 && tx == 300000); // lo left out
	free(s);
	const char *cut = "  eth0: 1 2 3\n";
	assert_int_equal(local_parse_netdev(cut, strlen(cut), &rx, &tx), HR_E_PROTOCOL);
}

static void test_cgroup_parsers(void **state)
{
	(void)state;
	double v;
	assert_int_equal(local_parse_cgroup_cpu("usage_usec 42\nuser_usec 1\n", 27, &v), 0);
	assert_true(v == 42);
	assert_int_equal(local_parse_cgroup_cpu("user_usec 1\n", 12, &v), HR_E_PROTOCOL);
	assert_int_equal(local_parse_cgroup_value("max\n", 4, &v), 0);
	assert_true(isinf(v));
	assert_int_equal(local_parse_cgroup_value("1024\n", 5, &v), 0);
	assert_true(v == 1024);
	assert_int_equal(local_parse_cgroup_value("", 0, &v), HR_E_PROTOCOL);
	assert_int_equal(local_parse_cpu_max("50000 100000\n", 13, &v), 0);
	assert_true(v == 0.5);
	assert_int_equal(local_parse_cpu_max("max 100000\n", 11, &v), 0);
	assert_true(isinf(v));
	assert_int_equal(local_parse_cpu_max("50000 0\n", 8, &v), HR_E_PROTOCOL);
	assert_int_equal(local_parse_cpu_max("50000\n", 6, &v), HR_E_PROTOCOL);
}

static double get(const struct sample_set *s, const char *name)
{
	const struct metric *m = sample_set_find(s, name);
	if (!m)
		fail_msg("no metric %s", name);
	return m->value;
}

static void test_source_on_fixture(void **state)
{
	(void)state;
	static char *mounts[] = {"/"};
	struct source_config cfg = {.name = "local", .type = "local", .cgroup = "app",
				    .mounts = mounts, .n_mounts = 1};
	struct strbuf msgs;
	strbuf_init(&msgs, 0);
	struct diag d;
	diag_init_mem(&d, &msgs);
	void *st = NULL;
	assert_int_equal(local_open_at(HOST, &cfg, &d, &st), 0);
	struct sample_set s;
	sample_set_init(&s);
	struct strbuf err;
	strbuf_init(&err, 0);
	assert_int_equal(source_local_ops.sample(st, "local", &s, &err), 0);
	assert_true(get(&s, "cpu.cores") == 2);
	// The same /proc/stat twice: no time passed, so no CPU figure (not 0 %).
	assert_null(sample_set_find(&s, "cpu.utilization"));
	assert_true(fabs(get(&s, "memory.used_ratio") - 0.75) < 1e-12);
	assert_true(fabs(get(&s, "memory.swap_used_ratio") - 0.25) < 1e-12);
	assert_true(get(&s, "load.per_cpu") == 0.75);
	double du = get(&s, "disk.used_ratio{mount=\"/\"}");
	assert_true(du >= 0 && du <= 1);
	assert_true(fabs(get(&s, "disk.free_ratio{mount=\"/\"}") - (1 - du)) < 1e-12);
	assert_true(get(&s, "net.rx_bytes") == 1300000);
	assert_true(get(&s, "cgroup.memory.used_ratio{cgroup=\"app\"}") == 0.5);
	assert_true(get(&s, "cgroup.memory.max_bytes{cgroup=\"app\"}") == 536870912.0);
	source_local_ops.close(st);
	sample_set_free(&s);

	// A container by an ID prefix, with no memory limit: the ratio does not apply.
	cfg.cgroup = "0123";
	assert_int_equal(local_open_at(HOST, &cfg, &d, &st), 0);
	assert_int_equal(source_local_ops.sample(st, "local", &s, &err), 0);
	assert_true(isnan(get(&s, "cgroup.memory.used_ratio{cgroup=\"0123\"}")));
	assert_true(get(&s, "cgroup.memory.used_bytes{cgroup=\"0123\"}") == 268435456.0);
	source_local_ops.close(st);
	sample_set_free(&s);

	// A cgroup that is not there is a config error, said once.
	cfg.cgroup = "nosuch";
	assert_int_equal(local_open_at(HOST, &cfg, &d, &st), HR_E_INVALID);
	assert_non_null(strstr(strbuf_str(&msgs), "no cgroup 'nosuch'"));
	strbuf_free(&msgs);
	strbuf_free(&err);
}

static void test_cpu_delta_and_failure(void **state)
{
	(void)state;
	char dir[] = "/tmp/headroom-local-XXXXXX";
	assert_non_null(mkdtemp(dir));
	char *proc = xasprintf("%s/proc", dir), *net = xasprintf("%s/proc/net", dir);
	assert_int_equal(mkdir(proc, 0700), 0);
	assert_int_equal(mkdir(net, 0700), 0);
	char *stat = xasprintf("%s/stat", proc), *mem = xasprintf("%s/meminfo", proc);
	char *load = xasprintf("%s/loadavg", proc), *dev = xasprintf("%s/dev", net);
	spit(stat, "cpu  1000 0 500 8000 400 0 100 0\ncpu0 1 1 1 1\n");
	spit(mem, "MemTotal: 1000 kB\nMemAvailable: 250 kB\n");
	spit(load, "0.5 0.5 0.5 1/1 1\n");
	spit(dev, "h1\nh2\n  eth0: 100 0 0 0 0 0 0 0 50 0 0 0 0 0 0 0\n");
	static char *mounts[] = {"/"};
	struct source_config cfg = {.name = "l", .type = "local", .mounts = mounts, .n_mounts = 1};
	struct diag d;
	diag_init_file(&d, stderr, "test");
	void *st;
	assert_int_equal(local_open_at(dir, &cfg, &d, &st), 0);
	spit(stat, "cpu  1600 0 700 8200 400 0 100 0\ncpu0 1 1 1 1\n");
	spit(dev, "h1\nh2\n  eth0: 1100 0 0 0 0 0 0 0 550 0 0 0 0 0 0 0\n");
	struct sample_set s;
	sample_set_init(&s);
	struct strbuf err;
	strbuf_init(&err, 0);
	assert_int_equal(source_local_ops.sample(st, "l", &s, &err), 0);
	assert_true(fabs(get(&s, "cpu.utilization") - 0.8) < 1e-12);
	sample_set_free(&s);

	// /proc/meminfo gone: the sample fails with the reason, CPU still read.
	spit(stat, "cpu  1700 0 700 8300 400 0 100 0\ncpu0 1 1 1 1\n");
	assert_int_equal(unlink(mem), 0);
	assert_int_not_equal(source_local_ops.sample(st, "l", &s, &err), 0);
	assert_non_null(strstr(strbuf_str(&err), "meminfo"));
	assert_true(fabs(get(&s, "cpu.utilization") - 0.5) < 1e-12);
	assert_null(sample_set_find(&s, "memory.used_ratio"));
	sample_set_free(&s);

	// iowait can go down between reads (proc(5): "not reliable"): the ratio
	// is left out rather than wrapped to 1e16; utilization still counts it idle.
	spit(stat, "cpu  1800 0 700 8600 300 0 100 0\ncpu0 1 1 1 1\n");
	(void)source_local_ops.sample(st, "l", &s, &err);
	assert_true(fabs(get(&s, "cpu.utilization") - 1.0 / 3) < 1e-12);
	assert_null(sample_set_find(&s, "cpu.iowait_ratio"));
	assert_true(get(&s, "cpu.steal_ratio") == 0);
	source_local_ops.close(st);
	sample_set_free(&s);
	strbuf_free(&err);
	unlink(stat), unlink(load), unlink(dev);
	rmdir(net), rmdir(proc), rmdir(dir);
	free(proc), free(net), free(stat), free(mem), free(load), free(dev);
}

static void test_names(void **state)
{
	(void)state;
	assert_true(sample_name_matches("disk.used_ratio", "disk.used_ratio{mount=\"/\"}"));
	assert_true(sample_name_matches("disk.used_ratio", "disk.used_ratio"));
	assert_false(sample_name_matches("disk.used", "disk.used_ratio{mount=\"/\"}"));
	assert_true(sample_name_matches("disk.used_ratio{mount=\"/\"}", "disk.used_ratio{mount=\"/\"}"));
	assert_false(sample_name_matches("disk.used_ratio{mount=\"/data\"}", "disk.used_ratio{mount=\"/\"}"));
	struct sample_set s;
	sample_set_init(&s);
	char longname[400];
	memset(longname, 'x', sizeof(longname) - 1);
	longname[sizeof(longname) - 1] = 0;
	sample_set_add(&s, NULL, longname, 1);
	assert_int_equal(strlen(s.m[0].name), SAMPLE_NAME_MAX);
	sample_set_free(&s);
	sample_set_free(NULL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_stat),
		cmocka_unit_test(test_meminfo),
		cmocka_unit_test(test_loadavg_netdev),
		cmocka_unit_test(test_cgroup_parsers),
		cmocka_unit_test(test_source_on_fixture),
		cmocka_unit_test(test_cpu_delta_and_failure),
		cmocka_unit_test(test_names),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
