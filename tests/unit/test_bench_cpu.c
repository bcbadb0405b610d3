/* Unit tests for loadgen/cpu: the /proc/PID/stat parser on real and hostile
 * lines, the probe on a fixture tree, and the probe on this very process. */
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
#include <time.h>
#include <unistd.h>

#include "loadgen/cpu.h"

/* A line as Linux 6.x writes it (proc(5)): utime 1234, stime 567. */
#define LINE_HEAD "4242 (python3) S 1 4242 4242 0 -1 4194560 2712 0 0 0 "
#define LINE_TAIL " 0 0 20 0 2 0 98765 31000000 2500 18446744073709551615 1 1 0 0 0 0 0 16781312 2 0 0 0 0 0 0 0 0 0 0 0 0 0 0\n"

static void test_parse(void **state)
{
	(void)state;
	unsigned long long t = 0;
	const char *line = LINE_HEAD "1234 567" LINE_TAIL;
	assert_int_equal(cpu_parse_pid_stat(line, strlen(line), &t), 0);
	assert_true(t == 1234 + 567);
	// A command name with spaces and parentheses: fields count from the last ')'.
	const char *odd = "77 (a) b (c)) R 1 77 77 0 -1 0 0 0 0 0 10 20 0 0\n";
	assert_int_equal(cpu_parse_pid_stat(odd, strlen(odd), &t), 0);
	assert_true(t == 30);
	static const char *const bad[] = {
		"",
		"4242 python3 S 1\n",                                  /* no name */
		"4242 (python3) S 1 4242 4242 0 -1 4194560 2712 0\n",   /* short */
		"4242 (python3) S 1 4242 4242 0 -1 4194560 2712 0 0 0 x 5 0\n", /* utime not a number */
		"4242 (python3) S 1 4242 4242 0 -1 4194560 2712 0 0 0 99999999999999999999999 5\n", /* overflow */
		")(\n",
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		if (cpu_parse_pid_stat(bad[i], strlen(bad[i]), &t) != HR_E_PROTOCOL)
			fail_msg("bad line %zu parsed", i);
}

static void test_parse_stat(void **state)
{
	(void)state;
	unsigned long long t = 0;
	const char *line = "cpu  100 5 40 9000 70 3 2 500 0 0\ncpu0 50 2 20 4500 35 1 1 250 0 0\n";
	assert_int_equal(cpu_parse_stat_busy(line, strlen(line), &t), 0);
	assert_true(t == 100 + 5 + 40 + 3 + 2);
	const char *old = "cpu  7 1 2 90\n"; /* a kernel before 2.6: four fields */
	assert_int_equal(cpu_parse_stat_busy(old, strlen(old), &t), 0);
	assert_true(t == 10);
	static const char *const bad[] = {"", "cpu0 1 2 3 4\n", "cpu  1 2 3\n", "intr 1 2 3 4 5\n",
					  "cpu  99999999999999999999999 1 1 1\n",
					  "cpu  18446744073709551615 18446744073709551615 0 0\n"};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		if (cpu_parse_stat_busy(bad[i], strlen(bad[i]), &t) != HR_E_PROTOCOL)
			fail_msg("bad /proc/stat %zu parsed", i);
}

static void put(const char *dir, const char *rel, const char *text)
{
	char path[256];
	snprintf(path, sizeof(path), "%s%s", dir, rel);
	FILE *fp = fopen(path, "w");
	assert_non_null(fp);
	fputs(text, fp);
	fclose(fp);
}

static void test_probe_fixture(void **state)
{
	(void)state;
	char dir[] = "/tmp/hr-cpu-XXXXXX", sub[128];
	assert_non_null(mkdtemp(dir));
	snprintf(sub, sizeof(sub), "%s/proc", dir);
	assert_int_equal(mkdir(sub, 0700), 0);
	snprintf(sub, sizeof(sub), "%s/proc/10", dir);
	assert_int_equal(mkdir(sub, 0700), 0);
	snprintf(sub, sizeof(sub), "%s/proc/11", dir);
	assert_int_equal(mkdir(sub, 0700), 0);
	put(dir, "/proc/10/stat", "10 (srv) S 1 10 10 0 -1 0 0 0 0 0 300 100 0 0\n");
	put(dir, "/proc/11/stat", "11 (srv) S 1 10 10 0 -1 0 0 0 0 0 50 50 0 0\n");
	// user nice system idle iowait irq softirq steal: busy = 100+5+40+3+2.
	put(dir, "/proc/stat", "cpu  100 5 40 9000 70 3 2 500 0 0\ncpu0 50 2 20 4500 35 1 1 250 0 0\n");
	double hz = (double)sysconf(_SC_CLK_TCK), s = -1;
	struct cpu_probe pr = {.root = dir, .pids = {10, 11}, .n_pids = 2};
	assert_int_equal(cpu_probe_read(&pr, &s), 0);
	assert_true(fabs(s - 500 / hz) < 1e-12);
	struct cpu_probe machine = {.root = dir};
	assert_int_equal(cpu_probe_read(&machine, &s), 0);
	assert_true(fabs(s - 150 / hz) < 1e-12); // idle, iowait and steal are not busy
	// A process that ended: its file is gone.
	struct cpu_probe gone = {.root = dir, .pids = {12}, .n_pids = 1};
	assert_int_equal(cpu_probe_read(&gone, &s), HR_E_IO);
	put(dir, "/proc/10/stat", "garbage\n");
	assert_int_equal(cpu_probe_read(&pr, &s), HR_E_PROTOCOL);
	char cmd[256];
	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	assert_int_equal(system(cmd), 0);
}

/* This process: spin for a while and the probe sees the CPU time it took. */
static void test_probe_self(void **state)
{
	(void)state;
	struct cpu_probe pr = {.root = "/", .pids = {getpid()}, .n_pids = 1};
	double a = 0, b = 0;
	assert_int_equal(cpu_probe_read(&pr, &a), 0);
	volatile double x = 0;
	double t0 = (double)clock() / CLOCKS_PER_SEC;
	while ((double)clock() / CLOCKS_PER_SEC - t0 < 0.3)
		x += 1;
	assert_int_equal(cpu_probe_read(&pr, &b), 0);
	// At least 0.2 s of the 0.3 s spun shows (ticks are 10 ms), and not more than we could have used.
	assert_true(b - a >= 0.2 && b - a < 5);
	struct cpu_probe machine = {.root = "/"};
	assert_int_equal(cpu_probe_read(&machine, &a), 0);
	assert_true(a > 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse),
		cmocka_unit_test(test_parse_stat),
		cmocka_unit_test(test_probe_fixture),
		cmocka_unit_test(test_probe_self),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
