/* Unit tests for model/availability: the worked examples of the research
 * notes ("Availability maths"), each formula's edge cases, and parts. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <math.h>
#include <string.h>

#include "model/availability.h"

#define N(a) (sizeof(a) / sizeof((a)[0]))

/* Compare unavailabilities (1 - A), the part a budget is made of: a relative
 * error there is what a downtime figure shows. */
static void near_u(const char *what, double a, double want_a, double rel)
{
	double u = 1 - a, want = 1 - want_a;
	if (!(fabs(u - want) <= rel * fabs(want)))
		fail_msg("%s: got A=%.12g (U=%.6g), want A=%.12g (U=%.6g)", what, a, u, want_a, want);
}

static void test_worked_examples(void **state)
{
	(void)state;
	// Research notes, "Availability maths", worked examples:
	// LB 99.99 % x app 99.9 % x DB 99.95 % = 99.840 %.
	// 0.9999 * 0.999 = 0.9989001; * 0.9995 = 0.9989001 - 0.00049945005
	// = 0.99840064995 (by hand).
	const double chain[] = {0.9999, 0.999, 0.9995};
	near_u("series", avail_series(chain, 3), 0.99840064995, 1e-9);
	assert_true(fabs(avail_series(chain, 3) * 100 - 99.840) < 0.0005);

	// Two app nodes at 99.9 % in parallel = 1 - 0.001^2 = 99.9999 %.
	const double pair[] = {0.999, 0.999};
	near_u("parallel", avail_parallel(pair, 2), 1 - 1e-6, 1e-9);

	// 2-of-3 at 99.9 %: down when 0 or 1 is up,
	// U = 0.001^3 + 3 (0.999)(0.001)^2 = 1e-9 + 2.997e-6 = 2.998e-6 -> 99.9997 %.
	near_u("2-of-3", avail_k_of_n(2, 3, 0.999), 1 - 2.998e-6, 1e-9);

	// Active-passive: 99.9 % node, MTTR 1 h (so MTBF 999 h), 60 s failover:
	// U = Tf / (MTBF + MTTR) + (1 - a)^2 = (1/60 h) / 1000 h + 1e-6
	//   = 1.6667e-5 + 1e-6 = 1.7667e-5 -> 99.99823 %.
	double ap = avail_failover(0.999, 3600, 60);
	near_u("active-passive", ap, 1 - (1.0 / 60 / 1000 + 1e-6), 1e-9);
	assert_true(fabs(ap * 100 - 99.99823) < 0.000005);
}

static void test_formulas(void **state)
{
	(void)state;
	// k-of-n against the binomial sum written out, and its special cases.
	double a = 0.95;
	// 3-of-5: sum_{j=3..5} C(5,j) a^j (1-a)^(5-j)
	double want = 10 * pow(a, 3) * pow(1 - a, 2) + 5 * pow(a, 4) * (1 - a) + pow(a, 5);
	near_u("3-of-5", avail_k_of_n(3, 5, a), want, 1e-12);
	near_u("1-of-n is parallel", avail_k_of_n(1, 4, a), 1 - pow(1 - a, 4), 1e-12);
	near_u("n-of-n is series", avail_k_of_n(4, 4, a), pow(a, 4), 1e-12);
	assert_true(avail_k_of_n(0, 4, a) == 1.0);
	assert_true(avail_k_of_n(5, 4, a) == 0.0);
	assert_true(avail_k_of_n(2, 3, 1.0) == 1.0);
	assert_true(avail_k_of_n(2, 3, 0.0) == 0.0);
	assert_true(isnan(avail_k_of_n(2, 3, 1.5)));
	// Many units: C(1000, 500) alone overflows nothing, and the sum stays a probability.
	double big = avail_k_of_n(600, 1000, 0.6);
	assert_true(big > 0.4 && big < 0.6); // the mean is exactly 600 up
	near_u("999-of-1000", avail_k_of_n(999, 1000, 0.99999),
	       1 - (1 - pow(0.99999, 1000) - 1000 * pow(0.99999, 999) * 1e-5), 1e-6);

	// Series and parallel of nothing; of out-of-range numbers.
	assert_true(avail_series(NULL, 0) == 1.0);
	assert_true(avail_parallel(NULL, 0) == 0.0);
	const double bad[] = {0.9, 1.2};
	assert_true(isnan(avail_series(bad, 2)));
	assert_true(isnan(avail_parallel(bad, 2)));

	// Failover: instant switch-over leaves only the double failure; one
	// slower than a repair is never taken (outage per failure = MTTR).
	near_u("instant failover", avail_failover(0.999, 3600, 0), 1 - 1e-6, 1e-9);
	near_u("slow failover", avail_failover(0.999, 3600, 7200), 1 - (1e-3 + 1e-6), 1e-9);
	assert_true(isnan(avail_failover(0.999, 0, 60)));
	assert_true(isnan(avail_failover(0.999, 3600, -1)));

	// MTBF/MTTR and downtime.
	near_u("mtbf", avail_from_mtbf(999, 1), 0.999, 1e-12);
	assert_true(isnan(avail_from_mtbf(0, 0)));
	// 99.9 % of a 730 h month = 43.8 min (research notes' downtime table).
	assert_true(fabs(avail_downtime_min_month(0.999) - 43.8) < 1e-9);
	assert_true(fabs(avail_downtime_min_month(0.9999) - 4.38) < 1e-9);
	assert_true(fabs(avail_downtime_s(0.999, 365 * 86400.0) / 3600 - 8.76) < 1e-9);
	assert_true(isnan(avail_downtime_s(-0.1, 60)));
}

static void test_parts(void **state)
{
	(void)state;
	// The four worked examples as one stage: LB, 3 app nodes of which 2 are
	// needed, a database pair with 60 s failover and 1 h repair.
	const struct avail_part parts[] = {
		{.name = "lb", .availability = 0.9999, .count = 1, .k_needed = 1},
		{.name = "app", .availability = 0.999, .count = 3, .k_needed = 2},
		{.name = "db", .availability = 0.999, .count = 2, .k_needed = 1, .failover_s = 60,
		 .mttr_s = 3600},
	};
	double each[3], total = 0; // unavailabilities
	size_t idx = 99;
	const char *why = NULL;
	assert_int_equal(avail_compose(parts, 3, each, &total, &idx, &why), 0);
	near_u("lb", 1 - each[0], 0.9999, 1e-12);
	near_u("app 2-of-3", 1 - each[1], 1 - 2.998e-6, 1e-9);
	near_u("db failover", 1 - each[2], 1 - (1.0 / 60 / 1000 + 1e-6), 1e-9);
	near_u("stage", 1 - total, (1 - each[0]) * (1 - each[1]) * (1 - each[2]), 1e-12);
	assert_int_equal(idx, 99); // untouched on success
	// Unavailabilities keep their digits where 1 - A would round them:
	// 2 in parallel at 99.9 % is 0.001^2 to rounding (1e-15 relative), not
	// 1 - (1 - 1e-6) with its 1e-10 relative rounding.
	const struct avail_part pair = {.availability = 0.999, .count = 2, .k_needed = 1};
	double u;
	assert_int_equal(avail_part_unavail(&pair, &u, &why), 0);
	assert_true(fabs(u - (1 - 0.999) * (1 - 0.999)) <= 1e-15 * u);
	assert_int_equal(avail_compose(&pair, 1, NULL, &total, NULL, &why), 0);
	assert_true(fabs(total - u) <= 1e-15 * u);

	// An empty stage cannot fail.
	assert_int_equal(avail_compose(NULL, 0, NULL, &total, NULL, &why), 0);
	assert_true(total == 0.0);

	// Each bad field is named, and the bad part's index reported.
	static const struct {
		struct avail_part p;
		const char *why_has;
	} bad[] = {
		{{.availability = 1.2, .count = 1, .k_needed = 1}, "availability"},
		{{.availability = NAN, .count = 1, .k_needed = 1}, "availability"},
		{{.availability = 0.9, .count = 0, .k_needed = 1}, "count"},
		{{.availability = 0.9, .count = 1001, .k_needed = 1}, "count"},
		{{.availability = 0.9, .count = 2, .k_needed = 3}, "needed"},
		{{.availability = 0.9, .count = 2, .k_needed = 0}, "needed"},
		{{.availability = 0.9, .count = 1, .k_needed = 1, .failover_s = 30, .mttr_s = 60},
		 "standby"},
		{{.availability = 0.9, .count = 3, .k_needed = 2, .failover_s = 30, .mttr_s = 60},
		 "standby"},
		{{.availability = 0.9, .count = 2, .k_needed = 1, .failover_s = 30}, "mttr"},
		{{.availability = 0.9, .count = 2, .k_needed = 1, .failover_s = -1}, "failover"},
	};
	for (size_t i = 0; i < N(bad); i++) {
		struct avail_part two[2] = {parts[0], bad[i].p};
		why = NULL;
		idx = 99;
		assert_int_equal(avail_compose(two, 2, NULL, &total, &idx, &why), HR_E_INVALID);
		assert_int_equal(idx, 1);
		assert_non_null(why);
		if (!strstr(why, bad[i].why_has))
			fail_msg("case %zu: '%s' lacks '%s'", i, why, bad[i].why_has);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_worked_examples),
		cmocka_unit_test(test_formulas),
		cmocka_unit_test(test_parts),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
