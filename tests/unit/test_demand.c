/* Unit tests for model/demand: the formulas pinned on hand-worked cases. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <math.h>
#include <string.h>

#include "model/demand.h"

#include "testutil.h"

/* The starter example's workload at 1,000 users. */
static void starter(struct workload *w, struct request_class rq[2], struct task_class tk[1])
{
	memset(w, 0, sizeof(*w));
	memset(rq, 0, 2 * sizeof(*rq));
	memset(tk, 0, sizeof(*tk));
	rq[0] = (struct request_class){.name = "api", .rate = 6.0 / 60, .duration_s = 0.120, .cpu_s = 0.015,
				       .memory_b = 2 * MIB, .db_queries = 4, .db_query_s = 0.002,
				       .bytes_out = 20000};
	rq[1] = (struct request_class){.name = "chat", .rate = 1.0 / 60, .duration_s = 15, .cpu_s = 0.030,
				       .memory_b = 1 * MIB, .db_queries = 3,
				       .external = {.name = "anthropic", .calls = 1, .price = 0.012, .rate_limit = 50}};
	tk[0] = (struct task_class){.name = "embed", .rate = 2.0 / 60, .rate_per_user = 1.0 / 3600,
				    .duration_s = 4, .cpu_s = 1.5, .memory_b = 150 * MIB};
	w->users = 1000;
	w->daily_active = 0.30;
	w->peak_concurrent = 0.10;
	w->requests = rq;
	w->n_requests = 2;
	w->tasks = tk;
	w->n_tasks = 1;
	w->storage_per_user_b = 5 * MIB;
	w->storage_base_b = 500 * MIB;
	w->files_per_user_b = 20 * MIB;
}

static void test_requests(void **state)
{
	(void)state;
	struct workload w;
	struct request_class rq[2];
	struct task_class tk[1];
	starter(&w, rq, tk);
	struct demand d;
	assert_int_equal(demand_at(&w, 1000, &d), 0);
	/* concurrent = 1000 * 0.30 * 0.10 = 30 users online at the peak */
	assert_near(d.concurrent, 30, 1e-9);
	/* api: lambda = 30 * 0.1/s = 3/s; chat: lambda = 30 / 60 = 0.5/s; total 3.5/s */
	assert_near(d.req_rate, 3.5, 1e-9);
	/* CPU = 3 * 0.015 + 0.5 * 0.030 = 0.045 + 0.015 = 0.06 cores */
	assert_near(d.app_cpu, 0.06, 1e-12);
	/* mean CPU per request = 0.06 / 3.5 = 0.0171428... s */
	assert_near(d.req_cpu_mean_s, 0.06 / 3.5, 1e-12);
	/* Little: L = 3 * 0.120 + 0.5 * 15 = 0.36 + 7.5 = 7.86 requests in flight */
	assert_near(d.app_inflight, 7.86, 1e-9);
	/* memory in flight = 0.36 * 2 MiB + 7.5 * 1 MiB = 8.22 MiB */
	assert_near(d.app_mem_b, 8.22 * MIB, 1e-3);
	/* DB: 3 * 4 + 0.5 * 3 = 13.5 queries/s; busy = 3 * 4 * 0.002 = 0.024 cores (chat states no time) */
	assert_near(d.db_qps, 13.5, 1e-9);
	assert_near(d.db_cpu, 0.024, 1e-12);
	/* egress = 3 * 20,000 B = 60,000 B/s at the peak */
	assert_near(d.egress_bps, 60000, 1e-6);
}

static void test_monthly_volumes(void **state)
{
	(void)state;
	struct workload w;
	struct request_class rq[2];
	struct task_class tk[1];
	starter(&w, rq, tk);
	struct demand d;
	/* busy seconds a month = 8 h * 3600 * 365/12 d = 876,000 s (default 8 h) */
	assert_near(demand_busy_seconds_month(&w), 876000, 1e-6);
	assert_int_equal(demand_at(&w, 1000, &d), 0);
	/* anthropic: 0.5 calls/s * 876,000 s = 438,000 calls; * $0.012 = $5,256 */
	assert_int_equal(d.n_ext, 1);
	assert_string_equal(d.ext[0].name, "anthropic");
	assert_near(d.ext[0].rate, 0.5, 1e-12);
	assert_near(d.ext[0].rate_limit, 50, 0);
	assert_near(d.ext[0].calls_month, 438000, 1e-6);
	assert_near(d.ext_cost_month, 5256, 1e-6);
	/* requests a month = 3.5 * 876,000 = 3,066,000; egress = 60,000 * 876,000 B */
	assert_near(d.requests_month, 3066000, 1e-6);
	assert_near(d.egress_month_b, 5.256e10, 1);
	/* the peak held all day: 24 h * 3600 * 365/12 = 2,628,000 s = 730 h */
	w.busy_s = 24 * 3600;
	assert_near(demand_busy_seconds_month(&w), 730 * 3600.0, 1e-6);
}

static void test_tasks_and_storage(void **state)
{
	(void)state;
	struct workload w;
	struct request_class rq[2];
	struct task_class tk[1];
	starter(&w, rq, tk);
	struct demand d;
	assert_int_equal(demand_at(&w, 1000, &d), 0);
	/* tasks: 2/min + 30 users * 1/h = 1/30 + 1/120 = 0.041666.../s */
	assert_near(d.task_rate, 1.0 / 30 + 1.0 / 120, 1e-12);
	/* task CPU = 0.0416667 * 1.5 s = 0.0625 cores; slots busy = 0.0416667 * 4 s = 0.1667 */
	assert_near(d.task_cpu, 0.0625, 1e-12);
	assert_near(d.task_inflight, 1.0 / 6, 1e-12);
	/* task memory = 0.1667 running * 150 MiB = 25 MiB */
	assert_near(d.task_mem_b, 25 * MIB, 1e-3);
	/* DB size = 500 MiB + 1000 * 5 MiB = 5,500 MiB; files = 1000 * 20 MiB */
	assert_near(d.db_size_b, 5500 * MIB, 1);
	assert_near(d.files_b, 20000 * MIB, 1);
	/* Zero users: only the user-independent parts remain. */
	assert_int_equal(demand_at(&w, 0, &d), 0);
	assert_near(d.req_rate, 0, 0);
	assert_near(d.task_rate, 1.0 / 30, 1e-12);
	assert_near(d.db_size_b, 500 * MIB, 1);
}

static void test_external_aggregation(void **state)
{
	(void)state;
	struct workload w;
	struct request_class rq[2];
	struct task_class tk[1];
	starter(&w, rq, tk);
	/* Both classes call the same API: rates add, the tighter limit holds. */
	rq[0].external = (struct ext_call){.name = "anthropic", .calls = 2, .price = 0.001, .rate_limit = 40};
	struct demand d;
	assert_int_equal(demand_at(&w, 1000, &d), 0);
	assert_int_equal(d.n_ext, 1);
	/* 3/s * 2 calls + 0.5/s * 1 call = 6.5 calls/s */
	assert_near(d.ext[0].rate, 6.5, 1e-12);
	assert_near(d.ext[0].rate_limit, 40, 0);
	/* cost = (6 * 0.001 + 0.5 * 0.012) * 876,000 = 0.012 * 876,000 = $10,512 */
	assert_near(d.ext_cost_month, 10512, 1e-6);
}

static void test_errors(void **state)
{
	(void)state;
	struct workload w;
	struct request_class rq[2];
	struct task_class tk[1];
	starter(&w, rq, tk);
	struct demand d;
	assert_int_equal(demand_at(&w, -1, &d), HR_E_INVALID);
	assert_int_equal(demand_at(&w, NAN, &d), HR_E_INVALID);
	/* more distinct external APIs than DEMAND_MAX_EXT */
	enum { N = DEMAND_MAX_EXT + 1 };
	struct request_class many[N];
	char names[N][8];
	memset(many, 0, sizeof(many));
	for (int i = 0; i < N; i++) {
		names[i][0] = (char)('a' + i);
		names[i][1] = 0;
		many[i].rate = 1;
		many[i].external = (struct ext_call){.name = names[i], .calls = 1};
	}
	w.requests = many;
	w.n_requests = N;
	assert_int_equal(demand_at(&w, 10, &d), HR_E_RANGE);
	w.n_requests = N - 1;
	assert_int_equal(demand_at(&w, 10, &d), 0);
	assert_int_equal(d.n_ext, DEMAND_MAX_EXT);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_requests),
		cmocka_unit_test(test_monthly_volumes),
		cmocka_unit_test(test_tasks_and_storage),
		cmocka_unit_test(test_external_aggregation),
		cmocka_unit_test(test_errors),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
