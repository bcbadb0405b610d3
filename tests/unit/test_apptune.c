/* Unit tests for model/apptune: each runtime's rule as a table of machines
 * worked by hand (processes, threads, pool, memory, the command line). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <math.h>
#include <string.h>

#include "model/apptune.h"
#include "testutil.h"

struct tcase {
	const char *name;
	enum apptune_runtime rt;
	unsigned cpus;
	double mem_b, worker_b, share;
	unsigned processes, threads;
	const char *pool, *command;
	double per_process_b; /* 0: not checked */
	bool warns;
};

static const struct tcase cases[] = {
	/* 2 x 4 + 1 = 9 workers; CPU-bound: 4 in flight / 9 -> 1 thread: sync;
	 * 80 % of 8 GiB over 9 workers. */
	{"gunicorn, 4 cpus, CPU-bound", APPTUNE_GUNICORN, 4, 8 * GIB, 0, NAN, 9, 1, "sync",
	 "gunicorn --workers 9 --threads 1 --worker-class sync", 763549741, false},
	/* 10 % CPU: 2 / 0.1 = 20 in flight over 5 workers = 4 threads: gthread. */
	{"gunicorn, 2 cpus, I/O-bound", APPTUNE_GUNICORN, 2, 4 * GIB, 0, 0.1, 5, 4, "gthread",
	 "gunicorn --workers 5 --threads 4 --worker-class gthread", 0, false},
	/* 1 GiB per worker in 80 % of 4 GiB: 3 fit, not 5; 2 in flight / 3 -> 1. */
	{"gunicorn, memory caps the workers", APPTUNE_GUNICORN, 2, 4 * GIB, 1 * GIB, NAN, 3, 1, "sync",
	 "gunicorn --workers 3 --threads 1 --worker-class sync", 1 * GIB, false},
	/* One per core; 25 % CPU: 4 / 0.25 = 16 in flight, 4 each. */
	{"uvicorn, 4 cpus, 25% CPU", APPTUNE_UVICORN, 4, 8 * GIB, 0, 0.25, 4, 4, "asyncio", "uvicorn --workers 4", 0,
	 false},
	/* 80 % of 4 GiB over 2 = 1717986918 B each; heap 75 % = 1228.8 -> 1228 MiB. */
	{"node, 2 cpus", APPTUNE_NODE, 2, 4 * GIB, 0, NAN, 2, 1, "cluster",
	 "NODE_OPTIONS=--max-old-space-size=1228, 2 cluster workers", 1717986918, false},
	{"puma, 1 cpu: single mode", APPTUNE_PUMA, 1, 2 * GIB, 0, NAN, 1, 5, "single", "puma --workers 0 --threads 5:5", 0,
	 false},
	/* 80 % waiting: 4 / 0.2 = 20 / 4 = 5, the default anyway. */
	{"puma, 4 cpus, I/O-heavy at the default", APPTUNE_PUMA, 4, 8 * GIB, 0, 0.2, 4, 5, "threads",
	 "puma --workers 4 --threads 5:5", 0, false},
	/* 90 % waiting: 40 / 4 = 10 threads. */
	{"puma, 4 cpus, very I/O-heavy", APPTUNE_PUMA, 4, 8 * GIB, 0, 0.1, 4, 10, "threads",
	 "puma --workers 4 --threads 10:10", 0, false},
	/* 60 % CPU: less than half the time waits, so Puma's default 5. */
	{"puma, 2 cpus, mostly CPU: 5 threads", APPTUNE_PUMA, 2, 4 * GIB, 0, 0.6, 2, 5, "threads",
	 "puma --workers 2 --threads 5:5", 0, false},
	{"celery, 4 cpus, CPU-bound", APPTUNE_CELERY, 4, 8 * GIB, 0, NAN, 4, 1, "prefork",
	 "celery worker --pool prefork --concurrency 4", 0, false},
	/* 60 % CPU (not I/O-heavy): 4 / 0.6 = 6.7 in flight -> 7 prefork children. */
	{"celery, 4 cpus, 60% CPU", APPTUNE_CELERY, 4, 8 * GIB, 0, 0.6, 7, 1, "prefork",
	 "celery worker --pool prefork --concurrency 7", 0, false},
	/* 5 % CPU: gevent, 4 / 0.05 = 80 in flight over 4 processes = 20 each. */
	{"celery, 4 cpus, I/O-bound", APPTUNE_CELERY, 4, 8 * GIB, 0, 0.05, 4, 20, "gevent",
	 "celery worker --pool gevent --concurrency 20 (4 such workers)", 0, false},
	/* 8 GiB per process does not fit 80 % of 4 GiB: one, with the warning. */
	{"uvicorn, a process bigger than the budget", APPTUNE_UVICORN, 2, 4 * GIB, 8 * GIB, NAN, 1, 2, "asyncio",
	 "uvicorn --workers 1", 8 * GIB, true},
};

static void test_cases(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const struct tcase *c = &cases[i];
		struct apptune_input in = {.runtime = c->rt, .cpus = c->cpus, .memory_b = c->mem_b,
					   .worker_memory_b = c->worker_b, .cpu_share = c->share};
		struct apptune_result r;
		if (apptune_compute(&in, &r))
			fail_msg("%s: refused: %s", c->name, apptune_check(&in));
		if (r.processes != c->processes || r.threads != c->threads || strcmp(r.pool, c->pool) != 0 ||
		    strcmp(r.command, c->command) != 0)
			fail_msg("%s: got %u x %u %s \"%s\", want %u x %u %s \"%s\"", c->name, r.processes, r.threads,
				 r.pool, r.command, c->processes, c->threads, c->pool, c->command);
		if (c->per_process_b > 0)
			assert_near(r.memory_per_process_b, c->per_process_b, 1);
		assert_int_equal(r.warning != NULL, c->warns);
		assert_true(r.n_reasons >= 3);
		for (size_t k = 0; k < r.n_reasons; k++)
			assert_non_null(r.reasons[k].source);
		assert_near(r.memory_total_b, r.processes * r.memory_per_process_b, 1);
	}
}

/* The other components' memory comes off the budget: 80 % of 4 GiB less
 * 1 GiB = 2.2 GiB holds 4 processes of 512 MiB, not gunicorn's 5. */
static void test_reserved(void **state)
{
	(void)state;
	struct apptune_input in = {.runtime = APPTUNE_GUNICORN, .cpus = 2, .memory_b = 4 * GIB, .reserved_b = 1 * GIB,
				   .worker_memory_b = 512 * MIB, .cpu_share = NAN};
	struct apptune_result r;
	assert_int_equal(apptune_compute(&in, &r), 0);
	assert_near(r.budget_b, 0.8 * 4 * GIB - 1 * GIB, 1);
	assert_int_equal(r.processes, 4);
	assert_string_equal(r.command, "gunicorn --workers 4 --threads 1 --worker-class sync");
	/* a node the others fill: refused, saying why */
	in.reserved_b = 3.2 * GIB;
	assert_int_equal(apptune_compute(&in, &r), HR_E_INVALID);
	assert_non_null(strstr(apptune_check(&in), "other components"));
}

static void test_reasons_name_figures(void **state)
{
	(void)state;
	struct apptune_input in = {.runtime = APPTUNE_GUNICORN, .cpus = 4, .memory_b = 8 * GIB, .cpu_share = NAN};
	struct apptune_result r;
	assert_int_equal(apptune_compute(&in, &r), 0);
	int found = 0;
	for (size_t k = 0; k < r.n_reasons; k++)
		if (strstr(r.reasons[k].text, "2 x 4 cores + 1 = 9") && strstr(r.reasons[k].source, "How Many Workers"))
			found = 1;
	assert_true(found);
}

static void test_check(void **state)
{
	(void)state;
	struct apptune_input in = {.runtime = APPTUNE_NODE, .cpus = 2, .memory_b = 0, .cpu_share = NAN};
	struct apptune_result r;
	assert_int_equal(apptune_compute(&in, &r), HR_E_INVALID);
	assert_non_null(strstr(apptune_check(&in), "--ram"));
	in.memory_b = GIB;
	in.cpus = 0;
	assert_non_null(strstr(apptune_check(&in), "--cpus"));
	in.cpus = 2;
	in.cpu_share = 1.5;
	assert_non_null(strstr(apptune_check(&in), "--cpu-share"));
	in.cpu_share = NAN;
	assert_null(apptune_check(&in));
	enum apptune_runtime rt;
	assert_int_equal(apptune_parse_runtime("rails", &rt), HR_E_INVALID);
	assert_int_equal(apptune_parse_runtime("celery", &rt), 0);
	assert_int_equal(rt, APPTUNE_CELERY);
	for (unsigned i = 0; i < APPTUNE_RUNTIME_COUNT; i++) {
		assert_int_equal(apptune_parse_runtime(apptune_runtime_name((enum apptune_runtime)i), &rt), 0);
		assert_int_equal(rt, i);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_cases),
		cmocka_unit_test(test_reserved),
		cmocka_unit_test(test_reasons_name_figures),
		cmocka_unit_test(test_check),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
