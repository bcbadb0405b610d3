/* Unit tests for util/units: every accepted form and every rejection. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <math.h>
#include <string.h>

#include "util/units.h"

struct num_case {
	const char *text;
	double want;
};

static void check_ok(int (*parse)(const char *, double *, const char **),
		     const struct num_case *c, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		double v = -1;
		const char *why = NULL;
		int rc = parse(c[i].text, &v, &why);
		if (rc != 0)
			fail_msg("'%s' rejected: %s", c[i].text, why);
		if (fabs(v - c[i].want) > 1e-12 * fmax(1, fabs(c[i].want)))
			fail_msg("'%s' -> %.17g, want %.17g", c[i].text, v, c[i].want);
	}
}

static void check_bad(int (*parse)(const char *, double *, const char **),
		      const char *const *bad, size_t n, const char *const *why_has)
{
	for (size_t i = 0; i < n; i++) {
		double v = 42;
		const char *why = NULL;
		int rc = parse(bad[i], &v, &why);
		if (rc != HR_E_INVALID)
			fail_msg("'%s' accepted as %g", bad[i], v);
		assert_non_null(why);
		assert_true(v == 42); // a failed parse leaves the output alone
		if (why_has && why_has[i] && !strstr(why, why_has[i]))
			fail_msg("'%s': message '%s' lacks '%s'", bad[i], why, why_has[i]);
	}
}

#define N(a) (sizeof(a) / sizeof((a)[0]))

static void test_duration(void **state)
{
	(void)state;
	static const struct num_case ok[] = {
		{"250ms", 0.25}, {"15s", 15}, {"5m", 300}, {"2h", 7200}, {"7d", 604800},
		{"1w", 604800}, {"1.5s", 1.5}, {"100us", 1e-4}, {"\xC2\xB5" "s", 0}, {"0", 0},
		{"1h30m", 5400}, {"2m30s", 150}, {"10min", 600}, {"500ns", 5e-7}, {"1e3ms", 1},
	};
	// "µs" alone has no number; replace that row with a real one.
	struct num_case fixed[N(ok)];
	memcpy(fixed, ok, sizeof(ok));
	fixed[8] = (struct num_case){"3\xC2\xB5s", 3e-6};
	check_ok(units_parse_duration, fixed, N(fixed));

	static const char *const bad[] = {"", "15", "-5s", "5 parsecs", "s", "5x", "1.2.3s",
					  "nan", "infs", "0x10s", " 5s", "5s ", "5ss", "1e999s",
					  "1e308w", "1e308s1e308s"};
	static const char *const why[] = {NULL, "needs a unit", "negative", NULL, NULL, NULL, NULL,
					  NULL, NULL, NULL, NULL, NULL, NULL, NULL,
					  "too large", "too large"};
	check_bad(units_parse_duration, bad, N(bad), why);
}

static void test_size(void **state)
{
	(void)state;
	static const struct num_case ok[] = {
		{"512MiB", 536870912.0}, {"4GiB", 4294967296.0}, {"25GB", 25e9}, {"100kB", 1e5},
		{"1KB", 1e3}, {"1KiB", 1024}, {"2TB", 2e12}, {"1TiB", 1099511627776.0},
		{"0", 0}, {"10 MB", 1e7}, {"1.5GiB", 1610612736.0}, {"256Mi", 268435456.0}, {"7B", 7},
	};
	check_ok(units_parse_size, ok, N(ok));
	static const char *const bad[] = {"512", "-1GB", "4 gigs", "GB", "4Gb", "4GiBs", "4 GiB x",
					  "1e308PB"};
	static const char *const why[] = {"needs a unit", "negative", NULL, NULL, NULL, NULL, NULL,
					  "too large"};
	check_bad(units_parse_size, bad, N(bad), why);
}

static void test_ratio(void **state)
{
	(void)state;
	static const struct num_case ok[] = {
		{"70%", 0.7}, {"0.7", 0.7}, {"0", 0}, {"1", 1}, {"100%", 1}, {"150%", 1.5},
		{"12.5%", 0.125}, {"99.95%", 0.9995}, {"5 %", 0.05},
	};
	check_ok(units_parse_ratio, ok, N(ok));
	static const char *const bad[] = {"70", "-5%", "70%%", "%", "seventy", "0.7x", "1.01"};
	static const char *const why[] = {"write 70%", "negative", NULL, NULL, NULL, NULL, "between 0 and 1"};
	check_bad(units_parse_ratio, bad, N(bad), why);
}

static void test_rate(void **state)
{
	(void)state;
	static const struct num_case ok[] = {
		{"100/s", 100}, {"4/min", 4.0 / 60}, {"10k/day", 1e4 / 86400}, {"2/h", 2.0 / 3600},
		{"2/year", 2.0 / (365 * 86400)}, {"1/y", 1.0 / (365 * 86400)},
		{"5/week", 5.0 / 604800}, {"1M/month", 1e6 / (730.0 * 3600)}, {"3/m", 0.05},
		{"100 / s", 100}, {"0/s", 0}, {"1.5k/hour", 1500.0 / 3600}, {"7/second", 7},
		{"2/mo", 2.0 / (730.0 * 3600)},
	};
	check_ok(units_parse_rate, ok, N(ok));
	static const char *const bad[] = {"100", "-1/s", "100/fortnight", "/s", "10x/s", "5/s/s", "1/",
					  "1e308G/s"};
	static const char *const why[] = {"needs a period", "negative", NULL, NULL, NULL, NULL, NULL,
					  NULL};
	check_bad(units_parse_rate, bad, N(bad), why);
}

static void test_throughput(void **state)
{
	(void)state;
	static const struct num_case ok[] = {
		{"25MB/s", 25e6}, {"90GB/h", 90e9 / 3600}, {"1GiB/min", 1073741824.0 / 60}, {"0/s", 0},
	};
	check_ok(units_parse_throughput, ok, N(ok));
	static const char *const bad[] = {"25MB", "-1MB/s", "25/s", "25MB/fortnight", "/s", "MB/s"};
	static const char *const why[] = {"throughput", "negative", NULL, NULL, NULL, NULL};
	check_bad(units_parse_throughput, bad, N(bad), why);
}

static void test_count(void **state)
{
	(void)state;
	static const struct num_case ok[] = {
		{"5000", 5000}, {"10k", 1e4}, {"1.5M", 1.5e6}, {"2G", 2e9}, {"0", 0}, {"3K", 3000},
	};
	check_ok(units_parse_count, ok, N(ok));
	static const char *const bad[] = {"-3", "ten", "10kk", "5 users", "1e", "1e308G"};
	check_bad(units_parse_count, bad, N(bad), NULL);
}

static void test_money(void **state)
{
	(void)state;
	static const struct {
		const char *text;
		double amount;
		const char *cur;
		enum money_period period;
		double per_month;
	} ok[] = {
		{"$5.39/mo", 5.39, "USD", MONEY_MONTH, 5.39},
		{"\xE2\x82\xAC" "15/month", 15, "EUR", MONEY_MONTH, 15},
		{"0.04 USD", 0.04, "USD", MONEY_ONCE, 0.04},
		{"5.39 EUR/mo", 5.39, "EUR", MONEY_MONTH, 5.39},
		{"\xC2\xA3" "3/h", 3, "GBP", MONEY_HOUR, 3 * 730.0},
		{"USD 12/year", 12, "USD", MONEY_YEAR, 1},
		{"$0.0104/hour", 0.0104, "USD", MONEY_HOUR, 0.0104 * 730},
		{"2.4/day", 2.4, "", MONEY_DAY, 2.4 * 730 / 24},
		{"15", 15, "", MONEY_ONCE, 15},
		{"10 CHF/mo", 10, "CHF", MONEY_MONTH, 10},
	};
	for (size_t i = 0; i < N(ok); i++) {
		struct money m;
		const char *why = NULL;
		int rc = units_parse_money(ok[i].text, &m, &why);
		if (rc)
			fail_msg("'%s' rejected: %s", ok[i].text, why);
		assert_float_equal(m.amount, ok[i].amount, 1e-12);
		assert_string_equal(m.currency, ok[i].cur);
		assert_int_equal(m.period, ok[i].period);
		assert_float_equal(money_per_month(&m), ok[i].per_month, 1e-9);
	}
	static const char *const bad[] = {"$-5/mo", "5 dollars", "$5/fortnight", "$", "XYZ 5",
					  "$5 EUR", "$5/mo extra", "", "$1e307/h"};
	static const char *const why[] = {"negative", "currency", "period", NULL, "currency",
					  "currency", NULL, NULL, "too large"};
	for (size_t i = 0; i < N(bad); i++) {
		struct money m = {0};
		const char *why_got = NULL;
		if (units_parse_money(bad[i], &m, &why_got) != HR_E_INVALID)
			fail_msg("'%s' accepted", bad[i]);
		if (why[i] && !strstr(why_got, why[i]))
			fail_msg("'%s': message '%s' lacks '%s'", bad[i], why_got, why[i]);
	}
}

static void test_format(void **state)
{
	(void)state;
	char buf[32];
	assert_string_equal(units_fmt_duration(0.25, buf, sizeof(buf)), "250 ms");
	assert_string_equal(units_fmt_duration(1.5, buf, sizeof(buf)), "1.50 s");
	assert_string_equal(units_fmt_duration(300, buf, sizeof(buf)), "5.0 min");
	assert_string_equal(units_fmt_duration(7200, buf, sizeof(buf)), "2.0 h");
	assert_string_equal(units_fmt_duration(3 * 86400, buf, sizeof(buf)), "3.0 d");
	assert_string_equal(units_fmt_duration(INFINITY, buf, sizeof(buf)), "inf");
	assert_string_equal(units_fmt_duration3(0.0004, buf, sizeof(buf)), "400 us");
	assert_string_equal(units_fmt_duration3(0.025, buf, sizeof(buf)), "25.0 ms");
	assert_string_equal(units_fmt_duration3(1.234, buf, sizeof(buf)), "1.23 s");
	assert_string_equal(units_fmt_duration3(2628, buf, sizeof(buf)), "43.8 min");
	assert_string_equal(units_fmt_duration3(31536, buf, sizeof(buf)), "8.76 h");
	assert_string_equal(units_fmt_duration3(3 * 86400, buf, sizeof(buf)), "3.00 d");
	assert_string_equal(units_fmt_duration3(0, buf, sizeof(buf)), "0 s");
	/* rounding up into the next decade keeps three figures */
	assert_string_equal(units_fmt_duration3(599.99, buf, sizeof(buf)), "10.0 min");
	assert_string_equal(units_fmt_duration3(59.999, buf, sizeof(buf)), "60.0 s");
	assert_string_equal(units_fmt_duration3(INFINITY, buf, sizeof(buf)), "unbounded");
	assert_string_equal(units_fmt_size(536870912.0, buf, sizeof(buf)), "512 MiB");
	assert_string_equal(units_fmt_size(4294967296.0, buf, sizeof(buf)), "4.0 GiB");
	assert_string_equal(units_fmt_size(100, buf, sizeof(buf)), "100 B");
	assert_string_equal(units_fmt_money(5.39, "USD", buf, sizeof(buf)), "$5.39");
	assert_string_equal(units_fmt_money(15, "EUR", buf, sizeof(buf)), "\xE2\x82\xAC" "15.00");
	assert_string_equal(units_fmt_money(12, "CHF", buf, sizeof(buf)), "12.00 CHF");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_duration), cmocka_unit_test(test_size),
		cmocka_unit_test(test_ratio), cmocka_unit_test(test_rate), cmocka_unit_test(test_throughput),
		cmocka_unit_test(test_count), cmocka_unit_test(test_money),
		cmocka_unit_test(test_format),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
