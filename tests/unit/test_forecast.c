/* Unit tests for model/forecast: synthetic series whose crossing times are
 * known, with deterministic noise. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <math.h>
#include <stdlib.h>

#include "model/forecast.h"

#define H 3600.0
#define DAY 86400.0

// Deterministic normal noise (LCG + Box-Muller) so failures reproduce.
static uint64_t seed;
static double uniform(void)
{
	seed = seed * 6364136223846793005ULL + 1442695040888963407ULL;
	return ((double)(seed >> 11) + 0.5) / 9007199254740992.0;
}
static double gauss(double sd)
{
	return sd * sqrt(-2 * log(uniform())) * cos(2 * M_PI * uniform());
}

struct ser {
	double t[20000], v[20000];
	size_t n;
};

static struct ser *make(double t0, double t1, double step, double (*f)(double), double noise)
{
	struct ser *s = calloc(1, sizeof(*s));
	seed = 42;
	for (double t = t0; t <= t1 + 1e-9 && s->n < 20000; t += step) {
		s->t[s->n] = t;
		s->v[s->n] = f(t) + (noise > 0 ? gauss(noise) : 0);
		s->n++;
	}
	return s;
}

// 0.3 rising to 0.7 at 40 h: a warn at 0.7 is crossed 30 h after 10 h.
static double line(double t) { return 0.3 + 0.4 * t / (40 * H); }

static void test_linear_crossing(void **state)
{
	(void)state;
	struct ser *s = make(0, 10 * H, 60, line, 0.005);
	struct forecast f;
	assert_int_equal(forecast_fit(s->t, s->v, s->n, NULL, &f), 0);
	assert_int_not_equal(f.method, FORECAST_NONE);
	assert_false(f.seasonal);
	struct forecast_eta e;
	forecast_eta(&f, TRIGGER_ABOVE, 0.7, 10 * H, NAN, 90 * DAY, &e);
	if (fabs(e.eta_s - 30 * H) > 1.5 * H)
		fail_msg("eta %.2f h, want 30 h (%s)", e.eta_s / H, forecast_method_name(f.method));
	assert_true(e.lo_s <= 30 * H && 30 * H <= e.hi_s);
	assert_true(e.lo_s < e.eta_s && e.eta_s < e.hi_s);
	// crit at 0.9: 50 h out, still inside 10 x the 10 h history.
	forecast_eta(&f, TRIGGER_ABOVE, 0.9, 10 * H, NAN, 90 * DAY, &e);
	assert_true(fabs(e.eta_s - 50 * H) < 3 * H);
	// A level past the 100 h the history allows is not within the horizon.
	forecast_eta(&f, TRIGGER_ABOVE, 5.0, 10 * H, NAN, 90 * DAY, &e);
	assert_true(isinf(e.eta_s) && isinf(e.lo_s));
	// Already past: now.
	forecast_eta(&f, TRIGGER_ABOVE, 0.3, 10 * H, 0.4, 90 * DAY, &e);
	assert_true(e.eta_s == 0);
	free(s);
}

static void test_exact_line(void **state)
{
	(void)state;
	struct ser *s = make(0, 10 * H, 60, line, 0);
	struct forecast f;
	assert_int_equal(forecast_fit(s->t, s->v, s->n, NULL, &f), 0);
	struct forecast_eta e;
	forecast_eta(&f, TRIGGER_ABOVE, 0.7, 10 * H, NAN, 90 * DAY, &e);
	assert_true(fabs(e.eta_s - 30 * H) < 60);
	free(s);
}

static double flat(double t) { (void)t; return 0.4; }

static void test_flat_is_not_within_horizon(void **state)
{
	(void)state;
	struct ser *s = make(0, 24 * H, 60, flat, 0.02);
	struct forecast f;
	assert_int_equal(forecast_fit(s->t, s->v, s->n, NULL, &f), 0);
	assert_true(f.slope == 0);
	struct forecast_eta e;
	forecast_eta(&f, TRIGGER_ABOVE, 0.7, 24 * H, NAN, 90 * DAY, &e);
	assert_true(isinf(e.eta_s));
	free(s);
}

// Free disk falling from 60 % by 1 % an hour: below 30 % at 30 h.
static double falling(double t) { return 0.6 - 0.01 * t / H; }

static void test_below(void **state)
{
	(void)state;
	struct ser *s = make(0, 12 * H, 120, falling, 0.002);
	struct forecast f;
	assert_int_equal(forecast_fit(s->t, s->v, s->n, NULL, &f), 0);
	struct forecast_eta e;
	forecast_eta(&f, TRIGGER_BELOW, 0.3, 12 * H, NAN, 90 * DAY, &e);
	assert_true(fabs(e.eta_s - 18 * H) < H);
	forecast_eta(&f, TRIGGER_ABOVE, 0.9, 12 * H, NAN, 90 * DAY, &e);
	assert_true(isinf(e.eta_s));
	free(s);
}

// Flat at 0.3 for 20 h, then +0.02/h: 0.4 at 25 h, 0.6 at 35 h.
static double kink(double t) { return t < 20 * H ? 0.3 : 0.3 + 0.02 * (t - 20 * H) / H; }

static void test_holt_follows_recent_trend(void **state)
{
	(void)state;
	struct ser *s = make(0, 25 * H, 60, kink, 0.003);
	struct forecast f;
	assert_int_equal(forecast_fit(s->t, s->v, s->n, NULL, &f), 0);
	assert_int_equal(f.method, FORECAST_HOLT);
	struct forecast_eta e;
	forecast_eta(&f, TRIGGER_ABOVE, 0.6, 25 * H, NAN, 90 * DAY, &e);
	if (fabs(e.eta_s - 10 * H) > 2 * H)
		fail_msg("eta %.2f h, want 10 h", e.eta_s / H);
	free(s);
}

// A daily cycle on a slow rise: peaks at 06:00 UTC.
static double daily(double t) { return 0.3 + 0.001 * t / H + 0.15 * sin(2 * M_PI * t / DAY); }

static void test_seasonal_crossing(void **state)
{
	(void)state;
	double now = 4 * DAY;
	struct ser *s = make(0, now, 300, daily, 0.01);
	struct forecast f;
	assert_int_equal(forecast_fit(s->t, s->v, s->n, NULL, &f), 0);
	assert_true(f.seasonal);
	// The true first crossing of 0.5, scanned minute by minute.
	double level = 0.5, truth = INFINITY;
	for (double t = now; t < now + 10 * DAY; t += 60) {
		if (daily(t) > level) {
			truth = t - now;
			break;
		}
	}
	assert_true(isfinite(truth) && truth > 0);
	struct forecast_eta e;
	forecast_eta(&f, TRIGGER_ABOVE, level, now, NAN, 90 * DAY, &e);
	if (fabs(e.eta_s - truth) > H)
		fail_msg("eta %.2f h, want %.2f h", e.eta_s / H, truth / H);
	// The trend alone (0.396 + 0.024/day) would cross 0.5 only in days.
	assert_true(truth < DAY);
	free(s);
}

static void test_too_little_and_bad(void **state)
{
	(void)state;
	double t[] = {0, 10, 20, 30}, v[] = {1, 2, 3, 4};
	struct forecast f;
	assert_int_equal(forecast_fit(t, v, 4, NULL, &f), 0);
	assert_int_equal(f.method, FORECAST_NONE);
	struct forecast_eta e;
	forecast_eta(&f, TRIGGER_ABOVE, 10, 30, 4, 90 * DAY, &e);
	assert_true(isinf(e.eta_s));
	double back[] = {0, 10, 5, 30};
	assert_int_equal(forecast_fit(back, v, 4, NULL, &f), HR_E_INVALID);
	// NaN points are skipped, not fatal.
	struct ser *s = make(0, 10 * H, 60, line, 0);
	for (size_t i = 0; i < s->n; i += 7)
		s->v[i] = NAN;
	assert_int_equal(forecast_fit(s->t, s->v, s->n, NULL, &f), 0);
	forecast_eta(&f, TRIGGER_ABOVE, 0.7, 10 * H, NAN, 90 * DAY, &e);
	assert_true(fabs(e.eta_s - 30 * H) < 120);
	free(s);
	assert_string_equal(forecast_method_name(FORECAST_HOLT), "holt");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_linear_crossing),
		cmocka_unit_test(test_exact_line),
		cmocka_unit_test(test_flat_is_not_within_horizon),
		cmocka_unit_test(test_below),
		cmocka_unit_test(test_holt_follows_recent_trend),
		cmocka_unit_test(test_seasonal_crossing),
		cmocka_unit_test(test_too_little_and_bad),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
