/* Unit tests for model/simulate: small synthetic traces (a constant load, a
 * step, a spike, a ramp) whose figures are worked by hand in the comments:
 * replica-hours, the backlog carried over, the start-up delay, what the
 * policy saw and did. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "model/simulate.h"

#define N(a) (sizeof(a) / sizeof((a)[0]))

static void assert_near(double got, double want, double tol, const char *what)
{
	if (!(fabs(got - want) <= tol))
		fail_msg("%s: got %.9g, want %.9g (tolerance %g)", what, got, want, tol);
}

/* One replica serves one request at a time, 100 ms each: mu = 10/s. */
static const struct sim_service one = {.service_s = 0.1, .concurrency = 1, .cv = 1};

struct run {
	struct sim_result r;
	int *replicas, *ready;
	double *p95;
	void *work;
};

static void run(const double *req, size_t n, const struct sim_params *p, const struct sim_policy *pol, struct run *o)
{
	size_t ticks = sim_ticks(p, n);
	o->work = calloc(1, sim_workspace_size(p, pol, n));
	o->replicas = calloc(ticks, sizeof(int));
	o->ready = calloc(ticks, sizeof(int));
	o->p95 = calloc(ticks, sizeof(double));
	struct sim_series s = {.replicas = o->replicas, .ready = o->ready, .p95_s = o->p95};
	assert_int_equal(sim_run(req, n, &one, p, pol, o->work, &o->r, &s), 0);
}

static void done(struct run *o)
{
	free(o->work);
	free(o->replicas);
	free(o->ready);
	free(o->p95);
}

/* M/M/1 response time is exponential with rate mu - lambda: p95 = ln 20 / (mu - lambda). */
static double mm1_p95(double lambda, double mu)
{
	return log(20) / (mu - lambda);
}

/* Two static replicas at half load for 10 minutes. */
static void test_static_constant(void **state)
{
	(void)state;
	double req[10];
	for (size_t i = 0; i < N(req); i++)
		req[i] = 600; // 10/s over 60 s buckets
	struct sim_params p = {.bucket_s = 60, .scale = 1, .slo_p95_s = 1, .sync_s = 60, .price_hour = 0.5};
	struct sim_policy pol = {.kind = SIM_STATIC, .replicas = 2};
	struct run o;
	run(req, N(req), &p, &pol, &o);
	assert_int_equal(o.r.ticks, 10);
	// 2 replicas x 600 s = 1/3 replica-hour, $0.5/h.
	assert_near(o.r.replica_hours, 2 * 600 / 3600.0, 1e-12, "replica-hours");
	assert_near(o.r.cost, 0.5 * 2 * 600 / 3600.0, 1e-12, "cost");
	// Each replica: lambda 5/s, mu 10/s.
	assert_near(o.r.worst_p95_s, mm1_p95(5, 10), 1e-4 * mm1_p95(5, 10), "p95");
	assert_near(o.r.slo_violation_minutes, 0, 0, "no violation");
	assert_near(o.r.served, 6000, 1e-9, "all served");
	assert_int_equal(o.r.scale_events, 0);
	assert_int_equal(o.r.max_replicas, 2);
	done(&o);
}

/* A step above capacity: the backlog carries over and drains.
 * One replica, 10 s buckets: 5/s, 15/s, 5/s, 0/s.
 *   tick 0: B = 0; p95 = M/M/1(5, 10) = 0.599 s
 *   tick 1: B = (15 - 10) x 10 = 50; p95 = M/M/1 at rho 0.99 (ln 20 / 0.1 = 29.96 s) + 50/10 = 34.96 s
 *   tick 2: B = max(0, 50 + (5 - 10) x 10) = 0; the first arrivals wait 50/10 = 5 s: p95 = 0.599 + 5
 *   tick 3: nothing arrives; p95 = M/M/1 at 0: ln 20 / 10 = 0.300 s
 * Served: 50 + 100 + 100 + 0 = all 250. Over a 1 s SLO: ticks 1 and 2, 20 s. */
static void test_backlog_carries_over(void **state)
{
	(void)state;
	const double req[] = {50, 150, 50, 0};
	struct sim_params p = {.bucket_s = 10, .scale = 1, .slo_p95_s = 1, .sync_s = 10, .price_hour = NAN};
	struct sim_policy pol = {.kind = SIM_STATIC, .replicas = 1};
	struct run o;
	run(req, N(req), &p, &pol, &o);
	double tol = 2e-4;
	assert_near(o.p95[0], mm1_p95(5, 10), tol, "tick 0");
	assert_near(o.p95[1], log(20) / 0.1 + 5, tol * 35, "tick 1: saturated plus the backlog");
	assert_near(o.p95[2], mm1_p95(5, 10) + 5, tol * 6, "tick 2: behind the draining backlog");
	assert_near(o.p95[3], log(20) / 10, tol, "tick 3");
	assert_near(o.r.served, 250, 1e-9, "everything is served");
	assert_near(o.r.backlog_end, 0, 0, "no backlog left");
	assert_near(o.r.slo_violation_minutes, 20 / 60.0, 1e-12, "20 s over the SLO");
	assert_true(isnan(o.r.cost));
	done(&o);
}

/* The scale parameter multiplies demand: half the requests at scale 2 is the same replay. */
static void test_scale(void **state)
{
	(void)state;
	const double a[] = {50, 150, 50, 0}, b[] = {25, 75, 25, 0};
	struct sim_params p = {.bucket_s = 10, .scale = 1, .slo_p95_s = 1, .sync_s = 10, .price_hour = NAN};
	struct sim_policy pol = {.kind = SIM_STATIC, .replicas = 1};
	struct run x, y;
	run(a, N(a), &p, &pol, &x);
	p.scale = 2;
	run(b, N(b), &p, &pol, &y);
	assert_near(y.r.worst_p95_s, x.r.worst_p95_s, 1e-12, "same worst p95");
	assert_near(y.r.slo_violation_minutes, x.r.slo_violation_minutes, 0, "same minutes");
	done(&x);
	done(&y);
}

/* HPA on a step, with the start-up delay. One-slot replicas (mu 10/s),
 * target 50 % CPU, 15 s sync and buckets, replicas ready 30 s after the
 * decision, Kubernetes' default behavior. The policy sees the last finished
 * tick. Demand 4/s for 60 s, then 16/s.
 *   ticks 0-4: 1 replica (40 % < 50 %: the ratio 0.8 would want ceil(0.8) = 1).
 *   tick 4 (t 60): 16/s on one replica: B = 6 x 15 = 90.
 *   tick 5 (t 75): it saw tick 4 saturated (100 %): ratio 2, ceil(2 x 1) = 2;
 *                  the scale-up policy allows max(4 pods, 100 %) = +4: 2. Ready at 105.
 *   tick 6 (t 90): saw 1 replica at 100 % and 1 starting: Kubernetes counts the
 *                  starting one as 0 % on a scale-up: (100 + 0)/2 = 50 %, ratio 1,
 *                  within tolerance: stay at 2 (no cascade while it starts).
 *   tick 7 (t 105): the second is ready. It saw tick 6: 1 ready at 100 %; the
 *                  new one has no sample yet (0 % on a scale-up): (100 + 0)/2 = 50 %:
 *                  stay at 2.
 *   tick 8 (t 120): saw tick 7, both ready, backlog left: 100 % each: ratio 2,
 *                  ceil(2 x 2) = 4 (+2 <= 4 pods): 4, ready at 150. */
static void test_hpa_step_with_startup(void **state)
{
	(void)state;
	double req[20];
	for (size_t i = 0; i < N(req); i++)
		req[i] = i < 4 ? 4 * 15 : 16 * 15;
	struct sim_params p = {.bucket_s = 15, .scale = 1, .slo_p95_s = 1, .startup_s = 30, .sync_s = 15,
			       .metric_lag_s = 0, .price_hour = NAN};
	struct sim_policy pol;
	sim_policy_defaults(&pol, SIM_HPA, &one, 10);
	pol.target = 50;
	pol.replicas = 1;
	struct run o;
	run(req, N(req), &p, &pol, &o);
	const int want_running[] = {1, 1, 1, 1, 1, 2, 2, 2, 4, 4, 4};
	const int want_ready[] = {1, 1, 1, 1, 1, 1, 1, 2, 2, 2, 4};
	for (size_t i = 0; i < N(want_running); i++) {
		if (o.replicas[i] != want_running[i] || o.ready[i] != want_ready[i])
			fail_msg("tick %zu: %d running (%d ready), want %d (%d)", i, o.replicas[i], o.ready[i],
				 want_running[i], want_ready[i]);
	}
	assert_near(o.p95[4], log(20) / 0.1 + 9, 0.01, "tick 4: saturated, 90 behind");
	// By the end the demand (16/s) is served below target: 4 replicas is 40 %.
	assert_int_equal(o.replicas[N(req) - 1], 4);
	assert_true(o.r.reversals == 0);
	assert_true(o.r.backlog_end == 0);
	done(&o);
}

/* A spike the policy cannot see in time: with a 30 s metric lag the same
 * step costs more minutes over the SLO than with none. */
static void test_metric_lag_costs_minutes(void **state)
{
	(void)state;
	double req[40];
	for (size_t i = 0; i < N(req); i++)
		req[i] = (i >= 4 && i < 12 ? 30 : 3) * 15.0;
	struct sim_params p = {.bucket_s = 15, .scale = 1, .slo_p95_s = 1, .startup_s = 15, .sync_s = 15,
			       .metric_lag_s = 0, .price_hour = NAN};
	struct sim_policy pol;
	sim_policy_defaults(&pol, SIM_HPA, &one, 20);
	struct run a, b;
	run(req, N(req), &p, &pol, &a);
	p.metric_lag_s = 30;
	run(req, N(req), &p, &pol, &b);
	if (!(b.r.slo_violation_minutes > a.r.slo_violation_minutes))
		fail_msg("lagged %.3g min, not lagged %.3g min", b.r.slo_violation_minutes, a.r.slo_violation_minutes);
	done(&a);
	done(&b);
}

/* Scale-down waits for the HPA's 300 s window: after the spike the count
 * holds for 300 s of low recommendations before it falls. */
static void test_hpa_scale_down_window(void **state)
{
	(void)state;
	double req[60];
	for (size_t i = 0; i < N(req); i++)
		req[i] = (i < 10 ? 30 : 2) * 15.0;
	struct sim_params p = {.bucket_s = 15, .scale = 1, .slo_p95_s = 1, .startup_s = 0, .sync_s = 15,
			       .price_hour = NAN};
	struct sim_policy pol;
	sim_policy_defaults(&pol, SIM_HPA, &one, 20);
	pol.replicas = 2;
	struct run o;
	run(req, N(req), &p, &pol, &o);
	// The load falls at tick 10 (t 150); the first low measurement is seen at
	// tick 11. The highest recommendation in the last 300 s (20 ticks) is
	// still the spike's until tick 11 + 20 = 31.
	int high = o.replicas[10];
	assert_true(high >= 5); // 30/s on one-slot replicas at 70 %
	for (size_t i = 11; i < 30; i++)
		if (o.replicas[i] != high)
			fail_msg("tick %zu: %d replicas inside the down window, want %d", i, o.replicas[i], high);
	assert_true(o.replicas[N(req) - 1] < high);
	assert_true(o.r.reversals >= 1); // up for the spike, down after it
	done(&o);
}

/* KEDA on work in flight: more replicas for more work, and back down. */
static void test_keda_follows_in_flight(void **state)
{
	(void)state;
	double req[80];
	for (size_t i = 0; i < N(req); i++)
		req[i] = (i >= 10 && i < 30 ? 40 : 4) * 15.0;
	struct sim_params p = {.bucket_s = 15, .scale = 1, .slo_p95_s = 2, .startup_s = 15, .sync_s = 15,
			       .price_hour = NAN};
	struct sim_policy pol;
	sim_policy_defaults(&pol, SIM_KEDA, &one, 20);
	struct run o;
	run(req, N(req), &p, &pol, &o);
	// 40/s x 0.1 s = 4 in service at least; at 0.7 per replica: >= 6 replicas.
	assert_true(o.r.max_replicas >= 6);
	assert_true(o.replicas[N(req) - 1] < o.r.max_replicas);
	done(&o);
}

/* Predictive: on a daily pattern seen twice, the forecast raises the count
 * before the morning step; reactive HPA misses more minutes. Seasons are
 * shortened to 10 minutes so the trace stays small. */
static void test_predictive_before_the_step(void **state)
{
	(void)state;
	double req[3 * 40];
	for (size_t i = 0; i < N(req); i++)
		req[i] = (i % 40 >= 20 && i % 40 < 30 ? 40 : 4) * 15.0;
	struct sim_params p = {.bucket_s = 15, .scale = 1, .slo_p95_s = 1, .startup_s = 60, .sync_s = 15,
			       .season_s = 600, .price_hour = NAN};
	struct sim_policy hpa, pred;
	sim_policy_defaults(&hpa, SIM_HPA, &one, 20);
	sim_policy_defaults(&pred, SIM_PREDICTIVE, &one, 20);
	struct run a, b;
	run(req, N(req), &p, &hpa, &a);
	run(req, N(req), &p, &pred, &b);
	// The first two seasons replay alike (no forecast yet).
	for (size_t i = 0; i < 80; i++)
		if (a.replicas[i] != b.replicas[i])
			fail_msg("tick %zu: predictive %d, hpa %d before two seasons", i, b.replicas[i], a.replicas[i]);
	// Third season: the count rises before the step at tick 100.
	assert_true(b.replicas[99] > a.replicas[99]);
	if (!(b.r.slo_violation_minutes < a.r.slo_violation_minutes))
		fail_msg("predictive %.3g min, hpa %.3g min", b.r.slo_violation_minutes, a.r.slo_violation_minutes);
	done(&a);
	done(&b);
}

/* KEDA with the forecast is KEDA until two seasons have passed, and scales
 * earlier for the third season's step. */
static void test_predictive_keda(void **state)
{
	(void)state;
	double req[3 * 40];
	for (size_t i = 0; i < N(req); i++)
		req[i] = (i % 40 >= 20 && i % 40 < 30 ? 40 : 4) * 15.0;
	struct sim_params p = {.bucket_s = 15, .scale = 1, .slo_p95_s = 1, .startup_s = 60, .sync_s = 15,
			       .season_s = 600, .price_hour = NAN};
	struct sim_policy keda, pk;
	sim_policy_defaults(&keda, SIM_KEDA, &one, 20);
	pk = keda;
	pk.kind = SIM_PREDICTIVE_KEDA;
	struct run a, b;
	run(req, N(req), &p, &keda, &a);
	run(req, N(req), &p, &pk, &b);
	for (size_t i = 0; i < 80; i++)
		if (a.replicas[i] != b.replicas[i])
			fail_msg("tick %zu: keda+predictive %d, keda %d before two seasons", i, b.replicas[i], a.replicas[i]);
	assert_true(b.replicas[99] > a.replicas[99]);
	assert_string_equal(sim_policy_name(SIM_PREDICTIVE_KEDA), "keda+predictive");
	done(&a);
	done(&b);
}

/* A 1-minute trace with a 15 s sync: four ticks a bucket. */
static void test_ticks_split_buckets(void **state)
{
	(void)state;
	struct sim_params p = {.bucket_s = 60, .scale = 1, .slo_p95_s = 1, .sync_s = 15};
	assert_near(sim_tick_s(&p), 15, 0, "tick");
	assert_int_equal(sim_ticks(&p, 10), 40);
	p.sync_s = 45; // 60/45 -> 2 ticks of 30 s: a sync every other tick is 60 s, not 45
	assert_near(sim_tick_s(&p), 30, 0, "tick");
	p.sync_s = 120;
	assert_near(sim_tick_s(&p), 60, 0, "tick");
}

static void test_check(void **state)
{
	(void)state;
	struct sim_params p = {.bucket_s = 60, .scale = 1, .slo_p95_s = 1, .sync_s = 15};
	struct sim_policy pol = {.kind = SIM_STATIC, .replicas = 0};
	assert_non_null(sim_check(&one, &p, &pol));
	pol.replicas = 2;
	assert_null(sim_check(&one, &p, &pol));
	struct sim_service bad = one;
	bad.service_s = 0;
	assert_non_null(sim_check(&bad, &p, &pol));
	p.scale = -1;
	assert_non_null(sim_check(&one, &p, &pol));
}

/* The replay's size is capped: a year of minutes at a 15 s sync is 2.1 M
 * ticks and runs; a 1 s sync (31.6 M ticks), a 1 ns one (an overflow of
 * size_t in the product) or ten years of minutes are refused before any
 * memory is sized, and sim_run() says HR_E_TOO_LARGE. */
static void test_ticks_capped(void **state)
{
	(void)state;
	struct sim_params p = {.bucket_s = 60, .scale = 1, .slo_p95_s = 1, .sync_s = 15};
	assert_null(sim_check_ticks(&p, 366 * 1440));
	assert_null(sim_check_ticks(&p, SIM_MAX_TICKS / 4));
	assert_non_null(sim_check_ticks(&p, SIM_MAX_TICKS / 4 + 1));
	p.sync_s = 1;
	assert_non_null(sim_check_ticks(&p, 366 * 1440));
	p.sync_s = 1e-9;
	assert_non_null(sim_check_ticks(&p, 366 * 1440));
	p.sync_s = 15;
	assert_non_null(sim_check_ticks(&p, 3653 * 1440));
	p.bucket_s = 10 * 365.25 * 86400; // two rows ten years apart, as a trace once set it
	assert_non_null(sim_check_ticks(&p, 2));
	static const double req[2] = {600, 600};
	struct sim_policy pol = {.kind = SIM_STATIC, .replicas = 2};
	struct sim_result res;
	p.bucket_s = 60;
	void *work = calloc(1, sim_workspace_size(&p, &pol, 2));
	assert_non_null(work);
	assert_int_equal(sim_run(req, 2, &one, &p, &pol, work, &res, NULL), 0);
	p.sync_s = 1e-9;
	assert_int_equal(sim_run(req, 2, &one, &p, &pol, work, &res, NULL), HR_E_TOO_LARGE);
	free(work);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_static_constant),
		cmocka_unit_test(test_backlog_carries_over),
		cmocka_unit_test(test_scale),
		cmocka_unit_test(test_hpa_step_with_startup),
		cmocka_unit_test(test_metric_lag_costs_minutes),
		cmocka_unit_test(test_hpa_scale_down_window),
		cmocka_unit_test(test_keda_follows_in_flight),
		cmocka_unit_test(test_predictive_before_the_step),
		cmocka_unit_test(test_predictive_keda),
		cmocka_unit_test(test_ticks_split_buckets),
		cmocka_unit_test(test_check),
		cmocka_unit_test(test_ticks_capped),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
