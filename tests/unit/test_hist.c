/* Unit tests for loadgen/hist: layout, percentiles against exact sorted values,
 * merging, clamping. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include <math.h>
#include <stdint.h>
#include <stdlib.h>

#include "loadgen/hist.h"

#define US_PER_HOUR INT64_C(3600000000)

static struct hist *mk(void)
{
	struct hist *h = NULL;
	assert_int_equal(hist_new(1, US_PER_HOUR, 3, &h), 0);
	assert_non_null(h);
	return h;
}

static void test_bad_args(void **state)
{
	(void)state;
	struct hist *h = (struct hist *)1;
	assert_int_equal(hist_new(0, 100, 3, &h), HR_E_INVALID);
	assert_null(h);
	assert_int_equal(hist_new(1, 1, 3, &h), HR_E_INVALID);
	assert_int_equal(hist_new(1, 100, 0, &h), HR_E_INVALID);
	assert_int_equal(hist_new(1, 100, 6, &h), HR_E_INVALID);
	hist_free(NULL);
}

/* HdrHistogram_c's bucket layout (HdrHistogram/HdrHistogram_c v0.11.10,
 * src/hdr_histogram.c): 1 us..1 h at 3 digits is 22 buckets, 23,552
 * counters = 184 KiB; 1 us..60 s is 17,408 counters. */
static void test_memory_is_fixed(void **state)
{
	(void)state;
	struct hist *h = mk();
	assert_int_equal(hist_memory(h), 23552 * 8);
	for (int i = 0; i < 100000; i++)
		hist_record(h, i * 37);
	assert_int_equal(hist_memory(h), 23552 * 8);
	hist_free(h);
	assert_int_equal(hist_new(1, 60000000, 3, &h), 0);
	assert_int_equal(hist_memory(h), 17408 * 8);
	hist_free(h);
}

static void test_empty(void **state)
{
	(void)state;
	struct hist *h = mk();
	assert_int_equal(hist_count(h), 0);
	assert_int_equal(hist_percentile(h, 50), 0);
	assert_int_equal(hist_max(h), 0);
	assert_true(hist_mean(h) == 0.0);
	assert_true(hist_stddev(h) == 0.0);
	hist_free(h);
}

/* Below 2048 every value has its own counter. */
static void test_exact_small_values(void **state)
{
	(void)state;
	struct hist *h = mk();
	for (int v = 1; v <= 1000; v++)
		hist_record(h, v);
	assert_int_equal(hist_percentile(h, 50), 500);
	assert_int_equal(hist_percentile(h, 99), 990);
	assert_int_equal(hist_percentile(h, 99.9), 999);
	assert_int_equal(hist_percentile(h, 100), 1000);
	assert_int_equal(hist_percentile(h, 0), 1);
	assert_int_equal(hist_min(h), 1);
	assert_true(fabs(hist_mean(h) - 500.5) < 1e-9);
	// Sample standard deviation of 1..n: sqrt(n (n + 1) / 12) = 288.8194...
	assert_true(fabs(hist_stddev(h) - sqrt(1000.0 * 1001.0 / 12.0)) < 1e-9);
	hist_free(h);
	// A constant service time: no spread, however large the value.
	h = mk();
	for (int i = 0; i < 100000; i++)
		hist_record(h, 25000);
	assert_true(hist_stddev(h) == 0.0);
	// Two values a and b: |a - b| / sqrt(2).
	hist_reset(h);
	hist_record(h, 25000);
	hist_record(h, 25100);
	assert_true(fabs(hist_stddev(h) - 100 / sqrt(2.0)) < 1e-6);
	hist_free(h);
}

/* Three significant digits from 1 us to an hour: every value's counter spans
 * at most 1/1024 of the value. */
static void test_relative_error(void **state)
{
	(void)state;
	struct hist *h = mk();
	for (int64_t v = 1; v < US_PER_HOUR; v = v * 3 / 2 + 1) {
		int64_t lo = hist_lowest_equivalent(h, v);
		int64_t hi = hist_highest_equivalent(h, v);
		assert_true(lo <= v && v <= hi);
		assert_true((double)(hi - lo) <= (double)v / 1024.0 + 1e-9);
		/* Neighbouring counters do not overlap. */
		assert_int_equal(hist_lowest_equivalent(h, hi + 1), hi + 1);
	}
	hist_free(h);
}

static int cmp_i64(const void *a, const void *b)
{
	int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
	return (x > y) - (x < y);
}

/* Percentiles of a skewed sample agree with the exact order statistics
 * (nearest rank) to within the counter holding the exact value. */
static void test_percentiles_match_sorted(void **state)
{
	(void)state;
	enum { N = 20000 };
	int64_t *v = malloc(N * sizeof(*v));
	struct hist *h = mk();
	srand(7);
	for (int i = 0; i < N; i++) {
		double u = (rand() + 1.0) / (RAND_MAX + 2.0);
		v[i] = 200 + (int64_t)(1e5 * pow(-log(u), 2.0)); /* heavy tail, < 1 min */
		hist_record(h, v[i]);
	}
	qsort(v, N, sizeof(*v), cmp_i64);
	const double ps[] = {50, 90, 95, 99, 99.9};
	for (size_t i = 0; i < sizeof(ps) / sizeof(ps[0]); i++) {
		size_t rank = (size_t)(ps[i] / 100.0 * N + 0.5);
		int64_t exact = v[rank - 1];
		int64_t got = hist_percentile(h, ps[i]);
		assert_int_equal(got, hist_highest_equivalent(h, exact) < v[N - 1]
						  ? hist_highest_equivalent(h, exact)
						  : v[N - 1]);
	}
	assert_int_equal(hist_max(h), v[N - 1]);
	assert_int_equal(hist_min(h), v[0]);
	free(v);
	hist_free(h);
}

static void test_merge(void **state)
{
	(void)state;
	struct hist *a = mk(), *b = mk(), *all = mk(), *other = NULL;
	for (int i = 0; i < 5000; i++) {
		int64_t x = (i * 7919) % 100000;
		hist_record(i % 2 ? a : b, x);
		hist_record(all, x);
	}
	assert_int_equal(hist_merge(a, b), 0);
	assert_int_equal(hist_count(a), 5000);
	const double ps[] = {1, 50, 90, 99, 99.99};
	for (size_t i = 0; i < 5; i++)
		assert_int_equal(hist_percentile(a, ps[i]), hist_percentile(all, ps[i]));
	assert_int_equal(hist_max(a), hist_max(all));
	assert_int_equal(hist_min(a), hist_min(all));
	assert_true(fabs(hist_mean(a) - hist_mean(all)) < 1e-6);
	assert_true(fabs(hist_stddev(a) - hist_stddev(all)) < 1e-6 * hist_stddev(all));
	assert_int_equal(hist_new(1, 60000000, 3, &other), 0);
	assert_int_equal(hist_merge(a, other), HR_E_INVALID);
	hist_free(a);
	hist_free(b);
	hist_free(all);
	hist_free(other);
}

static void test_saturation_and_reset(void **state)
{
	(void)state;
	struct hist *h = NULL;
	assert_int_equal(hist_new(1, 1000000, 3, &h), 0);
	hist_record(h, 5000000);
	hist_record(h, -3);
	assert_int_equal(hist_saturated(h), 1);
	assert_int_equal(hist_max(h), 1000000);
	assert_int_equal(hist_min(h), 0);
	assert_int_equal(hist_percentile(h, 100), 1000000);
	hist_reset(h);
	assert_int_equal(hist_count(h), 0);
	assert_int_equal(hist_saturated(h), 0);
	hist_free(h);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_bad_args),
		cmocka_unit_test(test_memory_is_fixed),
		cmocka_unit_test(test_empty),
		cmocka_unit_test(test_exact_small_values),
		cmocka_unit_test(test_relative_error),
		cmocka_unit_test(test_percentiles_match_sorted),
		cmocka_unit_test(test_merge),
		cmocka_unit_test(test_saturation_and_reset),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
