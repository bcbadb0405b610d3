/* Unit tests for model/availability: hand-worked cases with their sources
 * (the SRE book's availability table, Treynor et al. "The Calculus of
 * Service Availability", ACM Queue 15(2) 2017, the binomial k-of-n sum, the
 * worked examples of docs/sla.md, done by hand), the seeds' tiers from default inputs,
 * and property tests over random parts for the two monotonicity claims: a
 * longer repair never raises availability, a redundant unit never lowers it. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <math.h>
#include <string.h>

#include "model/availability.h"
#include "testutil.h"

#define N(a) (sizeof(a) / sizeof((a)[0]))
#define YEAR (365 * 86400.0)
#define MONTH (730 * 3600.0)
#define HOUR 3600.0

/* Compare unavailabilities (1 - A), the part a budget is made of: a relative
 * error there is what a downtime figure shows. */
static void near_u(const char *what, double a, double want_a, double rel)
{
	double u = 1 - a, want = 1 - want_a;
	if (!(fabs(u - want) <= rel * fabs(want)))
		fail_msg("%s: got A=%.12g (U=%.6g), want A=%.12g (U=%.6g)", what, a, u, want_a, want);
}

static double part_u(const struct avail_part *p)
{
	struct avail_part_u r;
	const char *why = NULL;
	if (avail_part_eval(p, &r, &why) != 0)
		fail_msg("part rejected: %s", why ? why : "?");
	return r.u;
}

static void test_sre_table(void **state)
{
	(void)state;
	// Google SRE book, Appendix A "Availability Table": downtime allowed per
	// year and per 30-day month (https://sre.google/sre-book/availability-table/).
	static const struct {
		double a, year_h, month30_min;
	} row[] = {
		{0.99, 87.6, 432}, {0.995, 43.8, 216}, {0.999, 8.76, 43.2}, {0.9995, 4.38, 21.6}, {0.9999, 0.876, 4.32},
	};
	for (size_t i = 0; i < N(row); i++) {
		assert_near(avail_downtime_s(row[i].a, YEAR) / 3600, row[i].year_h, 1e-9);
		assert_near(avail_downtime_s(row[i].a, 30 * 86400.0) / 60, row[i].month30_min, 1e-9);
	}
	// headroom's month is 730 h: 99.9 % allows 43.8 min of it.
	assert_near(avail_downtime_min_month(0.999), 43.8, 1e-9);
	assert_true(isnan(avail_downtime_s(-0.1, 60)));
}

static void test_worked_examples(void **state)
{
	(void)state;
	// Headroom default (a worked example, by hand): LB 99.99 % x app 99.9 % x DB 99.95 % = 99.840 %.
	// 0.9999 * 0.999 = 0.9989001; * 0.9995 = 0.99840064995 (by hand).
	const double chain[] = {0.9999, 0.999, 0.9995};
	near_u("series", avail_series(chain, 3), 0.99840064995, 1e-9);
	// Two at 99.9 % in parallel = 1 - 0.001^2 = 99.9999 %.
	const double pair[] = {0.999, 0.999};
	near_u("parallel", avail_parallel(pair, 2), 1 - 1e-6, 1e-9);
	// Binomial k-of-n, 2 of 3 at 99.9 %: down when 0 or 1 is up,
	// U = 0.001^3 + 3 (0.999)(0.001)^2 = 2.998e-6 -> 99.9997 %.
	near_u("2-of-3", avail_k_of_n(2, 3, 0.999), 1 - 2.998e-6, 1e-9);
	// 3 of 5 at 95 %: sum_{j=3..5} C(5,j) a^j (1-a)^(5-j) written out.
	double a = 0.95;
	double want = 10 * pow(a, 3) * pow(1 - a, 2) + 5 * pow(a, 4) * (1 - a) + pow(a, 5);
	near_u("3-of-5", avail_k_of_n(3, 5, a), want, 1e-12);
	near_u("1-of-n is parallel", avail_k_of_n(1, 4, a), 1 - pow(1 - a, 4), 1e-12);
	near_u("n-of-n is series", avail_k_of_n(4, 4, a), pow(a, 4), 1e-12);
	assert_true(avail_k_of_n(0, 4, a) == 1.0);
	assert_true(avail_k_of_n(5, 4, a) == 0.0);
	assert_true(isnan(avail_k_of_n(2, 3, 1.5)));
	double big = avail_k_of_n(600, 1000, 0.6);
	assert_true(big > 0.4 && big < 0.6); // the mean is exactly 600 up
	// MTBF / (MTBF + MTTR) (Treynor et al.): 999 h up, 1 h down.
	near_u("mtbf", avail_from_mtbf(999, 1), 0.999, 1e-12);
	assert_true(isnan(avail_from_mtbf(0, 0)));
	assert_true(avail_series(NULL, 0) == 1.0);
	const double bad[] = {0.9, 1.2};
	assert_true(isnan(avail_series(bad, 2)));
	assert_true(isnan(avail_parallel(bad, 2)));
}

static void test_one_unit(void **state)
{
	(void)state;
	// Treynor et al.: A = MTTF / (MTTF + MTTR). A server failing twice a
	// year (MTTF 4380 h), out 2 h each time: A = 4380 / 4382 = 0.999543587...
	struct avail_part p = {.name = "node", .count = 1, .k_needed = 1, .n_causes = 1,
			       .causes = {{.name = "host", .rate = 2 / YEAR, .down_s = 2 * HOUR}}};
	near_u("MTTF/(MTTF+MTTR)", 1 - part_u(&p), 4380.0 / 4382.0, 1e-9);
	// Two failure modes in competition: 2/year for 2 h and 1/month for 1 h.
	// X = 2/8760 * 2 + 1/730 * 1 = 4.566210e-4 + 1.369863e-3 = 1.826484e-3;
	// U = X / (1 + X) = 1.823154e-3 (by hand), 79.9 min a 730 h month.
	p.causes[1] = (struct avail_cause){.name = "software", .rate = 1 / MONTH, .down_s = HOUR};
	p.n_causes = 2;
	struct avail_part_u r;
	const char *why;
	assert_int_equal(avail_part_eval(&p, &r, &why), 0);
	assert_near(r.u, 1.826484e-3 / (1 + 1.826484e-3), 1e-9);
	// Each cause's share: proportional to rate x time down (1 : 3).
	assert_near(r.cause_u[0] / r.u, 4.566210e-4 / 1.826484e-3, 1e-6);
	assert_near(r.cause_u[0] + r.cause_u[1], r.u, 1e-15);
	// Planned downtime on one unit counts in full: 20 deploys x 30 s = 10 min a month.
	struct avail_part d = {.count = 1, .k_needed = 1, .n_causes = 1,
			       .causes = {{.name = "deploys", .rate = 20 / MONTH, .down_s = 30, .planned = true}}};
	assert_near(part_u(&d) * MONTH / 60, 10 / (1 + 600 / MONTH), 1e-9);
}

static void test_pool_and_pair(void **state)
{
	(void)state;
	// Two app nodes behind a load balancer, one enough: each fails 2/year, out
	// 2 h, taken out by the health check in 60 s.
	// u = X/(1+X), X = 2/8760 * 2 = 4.566210e-4;
	// U = u^2 + Y/(1+Y), Y = 2/year * 60 s = 3.805175e-6:
	//   = 2.0842e-7 + 3.805160e-6 = 4.013585e-6 (by hand).
	struct avail_part pool = {.name = "app", .count = 2, .k_needed = 1, .mode = AVAIL_POOL, .n_causes = 2,
				  .causes = {{.name = "host", .rate = 2 / YEAR, .down_s = 2 * HOUR, .takeover_s = 60},
					     {.name = "deploys", .rate = 20 / MONTH, .down_s = 30, .planned = true}}};
	double x = 2 / YEAR * 2 * HOUR, y = 2 / YEAR * 60, u = x / (1 + x);
	assert_near(part_u(&pool), u * u + y / (1 + y), 1e-15);
	// Deploys roll through two nodes: none of the 10 minutes is lost.
	struct avail_part_u r;
	const char *why;
	assert_int_equal(avail_part_eval(&pool, &r, &why), 0);
	assert_true(r.cause_u[1] == 0);
	// Two needed at the peak for a third of the day, one otherwise:
	// U = 1/3 (1 - (1-u)^2) + 2/3 u^2 + Y/(1+Y).
	pool.k_needed = 2;
	pool.peak_share = 1.0 / 3;
	assert_near(part_u(&pool), (1 - (1 - u) * (1 - u)) / 3 + 2 * u * u / 3 + y / (1 + y), 1e-15);

	// A PostgreSQL pair failing over (Patroni, 45 s), the failed node rebuilt
	// in 8 h: U = u^2 + Y/(1+Y), u from 2/year x 8 h, Y = 2/year x 45 s.
	struct avail_part pair = {.name = "db", .count = 2, .k_needed = 1, .mode = AVAIL_FAILOVER, .n_causes = 1,
				  .causes = {{.name = "host", .rate = 2 / YEAR, .down_s = 8 * HOUR, .takeover_s = 45}}};
	x = 2 / YEAR * 8 * HOUR;
	y = 2 / YEAR * 45;
	u = x / (1 + x);
	double u8h = part_u(&pair);
	assert_near(u8h, u * u + y / (1 + y), 1e-15);
	// The old formula made this pair better with an 8 h repair than a 5 min
	// one (99.9989 % against 99.8999 % from `sla --part
	// db=99.9%,count=2,failover=300s,mttr=...`): a longer repair must never
	// raise availability.
	pair.causes[0].down_s = 5 * 60;
	double u5m = part_u(&pair);
	assert_true(u8h > u5m);
	// A planned reboot of the pair costs a switch-over, not the reboot.
	pair.causes[1] = (struct avail_cause){.name = "reboots", .rate = 1 / MONTH, .down_s = 120, .takeover_s = 45,
					      .planned = true};
	pair.n_causes = 2;
	x = 2 / YEAR * 5 * 60;
	u = x / (1 + x);
	assert_near(part_u(&pair), u * u + y / (1 + y) + 45 / MONTH, 1e-15);

	// A failover slower than the repair buys nothing: no worse than one unit.
	struct avail_part slow = {.count = 2, .k_needed = 1, .mode = AVAIL_FAILOVER, .n_causes = 1,
				  .causes = {{.rate = 1 / MONTH, .down_s = 60, .takeover_s = 600}}};
	struct avail_part one = slow;
	one.count = 1;
	assert_true(part_u(&slow) <= part_u(&one));

	// A published SLA bounds a part: never worse than it.
	struct avail_part bounded = {.count = 1, .k_needed = 1, .n_causes = 1, .max_u = 1e-4,
				     .causes = {{.rate = 1 / MONTH, .down_s = HOUR}}};
	assert_int_equal(avail_part_eval(&bounded, &r, &why), 0);
	assert_true(r.bounded && r.u == 1e-4 && fabs(r.cause_u[0] - 1e-4) < 1e-18);
}

static void test_fixed_parts(void **state)
{
	(void)state;
	// The published-SLA composition (`sla --series/--parallel/--part NAME=AVAIL`).
	const struct avail_part parts[] = {
		{.name = "lb", .availability = 0.9999, .count = 1, .k_needed = 1},
		{.name = "app", .availability = 0.999, .count = 3, .k_needed = 2},
	};
	struct avail_part_u each[2];
	double total = 0;
	size_t idx = 99;
	const char *why = NULL;
	assert_int_equal(avail_compose(parts, 2, each, &total, &idx, &why), 0);
	assert_near(each[0].u, 1e-4, 1e-15);
	assert_near(each[1].u, 2.998e-6, 1e-15);
	near_u("stage", 1 - total, 0.9999 * (1 - 2.998e-6), 1e-9);
	assert_int_equal(idx, 99);
	// Digits kept near 100 %: 2 in parallel at 99.9 % is 0.001^2 to rounding.
	const struct avail_part pair = {.availability = 0.999, .count = 2, .k_needed = 1};
	assert_true(fabs(part_u(&pair) - (1 - 0.999) * (1 - 0.999)) <= 1e-15 * 1e-6);
	assert_int_equal(avail_compose(NULL, 0, NULL, &total, NULL, &why), 0);
	assert_true(total == 0.0);

	static const struct {
		struct avail_part p;
		const char *why_has;
	} bad[] = {
		{{.availability = 1.2, .count = 1, .k_needed = 1}, "availability"},
		{{.availability = NAN, .count = 1, .k_needed = 1}, "availability"},
		{{.availability = 0.9, .count = 0, .k_needed = 1}, "count"},
		{{.availability = 0.9, .count = 1001, .k_needed = 1}, "count"},
		{{.availability = 0.9, .count = 2, .k_needed = 3}, "needed"},
		{{.availability = 0.9, .count = 2, .k_needed = 1, .mode = AVAIL_FAILOVER}, "failure rate"},
		{{.count = 3, .k_needed = 2, .mode = AVAIL_FAILOVER, .n_causes = 1, .causes = {{.rate = 1e-7, .down_s = 60}}},
		 "standby"},
		{{.count = 1, .k_needed = 1, .n_causes = 1, .causes = {{.rate = -1, .down_s = 60}}}, "rate"},
		{{.count = 1, .k_needed = 1, .n_causes = 1, .causes = {{.rate = 1e-7, .down_s = INFINITY}}}, "durations"},
		{{.availability = 0.9, .count = 1, .k_needed = 1, .peak_share = 2}, "peak"},
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

static double stage_u(const struct reliability *r, const struct avail_stage *st, struct avail_breakdown *b)
{
	struct avail_part parts[AVAIL_STAGE_PARTS];
	size_t n;
	const char *why = NULL;
	assert_int_equal(avail_stage_parts(r, st, parts, &n), 0);
	struct avail_breakdown local;
	if (!b)
		b = &local;
	if (avail_breakdown(parts, n, b, &why) != 0)
		fail_msg("stage rejected: %s", why ? why : "?");
	double sum = 0;
	for (size_t i = 0; i < b->n; i++)
		sum += b->line[i].u;
	// The lines add up to the total to first order (series: 1 - prod).
	assert_true(fabs(sum - b->total_u) <= b->total_u * b->total_u + 1e-15);
	return b->total_u;
}

/* The seeds' stages (seed 000 §4 and §8), with the default inputs. */
static const struct avail_stage one_vps = {
	// Stage 2: one VPS running app + PostgreSQL, backups, monitoring, a standby image.
	.app_nodes = 1, .app_needed = 1, .peak_share = 1.0 / 3, .single_node = true, .monitored = true,
	.db = AVAIL_DB_ON_NODE, .db_bytes = 2e9, .node_sla = 0.999};
static const struct avail_stage two_nodes = {
	// Stage 3: 2x CX22 behind the Hetzner load balancer (published 99.9 %),
	// PostgreSQL primary + replica.
	.app_nodes = 2, .app_needed = 1, .peak_share = 1.0 / 3, .monitored = true, .lb = true, .lb_sla = 0.999,
	.db = AVAIL_DB_PAIR, .db_bytes = 2e9, .node_sla = 0.999};
static const struct avail_stage kubernetes = {
	// Stage 4, option C (the enterprise-procurement route): Kubernetes on AWS
	// (EKS 99.95 %) behind an ALB (99.99 %) with RDS Multi-AZ (99.95 %).
	.app_nodes = 3, .app_needed = 2, .peak_share = 1.0 / 3, .monitored = true, .kubernetes = true, .lb = true,
	.lb_sla = 0.9999, .k8s_sla = 0.9995, .db = AVAIL_DB_MANAGED_HA, .db_sla = 0.9995, .db_bytes = 2e9,
	.node_sla = 0.995};

static void test_seed_tiers(void **state)
{
	(void)state;
	struct reliability r;
	avail_defaults(&r);
	struct avail_breakdown b;
	// Seed 000 §8: one VPS with backups and monitoring ~99 %, two app nodes +
	// LB + DB replication ~99.5 %, Kubernetes + managed HA DB ~99.9 %. Each
	// comes out of the model inside its tier: it meets its tier's objective
	// and not the next one.
	double a1 = 1 - stage_u(&r, &one_vps, &b);
	assert_true(a1 >= 0.99 && a1 < 0.995);
	// Where it comes from: the service's own failures, each waiting for a
	// person: 2/month x (5 min + 2 h + 30 min) = 5.17 h of the month.
	bool seen = false;
	for (size_t i = 0; i < b.n; i++)
		if (strcmp(b.line[i].part, "node") == 0 && strcmp(b.line[i].cause, "software") == 0) {
			assert_near(b.line[i].u * MONTH / HOUR, 24 / 12.0 * (5 + 120 + 30) / 60.0, 0.05);
			seen = true;
		}
	assert_true(seen);
	double a2 = 1 - stage_u(&r, &two_nodes, NULL);
	assert_true(a2 >= 0.995 && a2 < 0.999);
	double a3 = 1 - stage_u(&r, &kubernetes, NULL);
	assert_true(a3 >= 0.999 && a3 < 0.9995);
	assert_true(a1 < a2 && a2 < a3);
	// Without monitoring (stage 1, "best-effort") one VPS is worse still.
	struct avail_stage bare = one_vps;
	bare.monitored = false;
	assert_true(1 - stage_u(&r, &bare, NULL) < a1);
	// A managed database with a standby instead of the self-run pair is in
	// the same tier (seed 000 stage 3: "Managed PostgreSQL or primary/replica").
	struct avail_stage managed = two_nodes;
	managed.db = AVAIL_DB_MANAGED_HA;
	double am = 1 - stage_u(&r, &managed, NULL);
	assert_true(am >= 0.995 && am < 0.999);
}

/* --- properties ------------------------------------------------------------ */

static uint64_t rng = 0x9E3779B97F4A7C15ULL;

static double rnd(void) /* xorshift64*: the same sequence every run */
{
	rng ^= rng >> 12;
	rng ^= rng << 25;
	rng ^= rng >> 27;
	return (double)((rng * 0x2545F4914F6CDD1DULL) >> 11) / 9007199254740992.0;
}

/* A rate from once in ten years to a few times a day, a time from a second
 * to a week: the decades either side of real inputs. */
static double rnd_rate(void)
{
	return pow(10, -9 + 5 * rnd());
}

static double rnd_time(void)
{
	return pow(10, 5.8 * rnd());
}

static struct avail_part rnd_part(void)
{
	struct avail_part p = {.name = "p"};
	p.count = 1 + (unsigned)(rnd() * 6);
	p.mode = rnd() < 0.5 ? AVAIL_POOL : AVAIL_FAILOVER;
	p.k_needed = p.mode == AVAIL_FAILOVER ? 1 : 1 + (unsigned)(rnd() * p.count);
	p.peak_share = rnd() < 0.3 ? 0 : rnd();
	p.n_causes = 1 + (size_t)(rnd() * AVAIL_MAX_CAUSES);
	for (size_t i = 0; i < p.n_causes; i++)
		p.causes[i] = (struct avail_cause){.name = "c", .rate = rnd_rate(), .down_s = rnd_time(),
						   .takeover_s = rnd() < 0.2 ? 0 : rnd_time(), .planned = rnd() < 0.3};
	if (rnd() < 0.2)
		p.max_u = rnd() * 0.01;
	return p;
}

static void test_property_longer_repair(void **state)
{
	(void)state;
	// A longer time down, of any cause of any part, never raises availability.
	for (int it = 0; it < 20000; it++) {
		struct avail_part p = rnd_part();
		double before = part_u(&p);
		size_t c = (size_t)(rnd() * p.n_causes);
		p.causes[c].down_s *= 1 + 3 * rnd();
		double after = part_u(&p);
		if (after < before * (1 - 1e-12) - 1e-300)
			fail_msg("iteration %d: cause %zu longer, U %.17g -> %.17g", it, c, before, after);
	}
}

static void test_property_redundant_unit(void **state)
{
	(void)state;
	// One more unit, the same number needed, never lowers availability.
	for (int it = 0; it < 20000; it++) {
		struct avail_part p = rnd_part();
		double before = part_u(&p);
		p.count++;
		double after = part_u(&p);
		if (after > before * (1 + 1e-12) + 1e-300)
			fail_msg("iteration %d: %u units (need %u, %s), U %.17g -> %.17g", it, p.count, p.k_needed,
				 p.mode == AVAIL_POOL ? "pool" : "pair", before, after);
	}
}

static void test_property_stage(void **state)
{
	(void)state;
	// Whole stages: any longer recovery input never raises availability; one
	// more app node with the same number needed never lowers it.
	static const size_t times[] = {
		offsetof(struct reliability, detection_s),     offsetof(struct reliability, unmonitored_s),
		offsetof(struct reliability, response_s),      offsetof(struct reliability, repair_s),
		offsetof(struct reliability, rebuild_s),       offsetof(struct reliability, provision_s),
		offsetof(struct reliability, wal_replay_s),    offsetof(struct reliability, restart_s),
		offsetof(struct reliability, rollback_s),      offsetof(struct reliability, reboot_s),
		offsetof(struct reliability, lb_failover_s),   offsetof(struct reliability, db_failover_s),
		offsetof(struct reliability, managed_failover_s), offsetof(struct reliability, cache_failover_s),
		offsetof(struct reliability, pod_restart_s),   offsetof(struct reliability, reschedule_s),
		offsetof(struct reliability, zone_outage_s),
	};
	for (int it = 0; it < 4000; it++) {
		struct reliability r;
		avail_defaults(&r);
		for (size_t i = 0; i < N(times); i++)
			*(double *)((char *)&r + times[i]) *= 0.2 + 2 * rnd();
		r.restore_bps *= 0.2 + 2 * rnd();
		struct avail_stage st = {0};
		st.kubernetes = rnd() < 0.3;
		st.single_node = !st.kubernetes && rnd() < 0.3;
		st.app_nodes = st.single_node ? 1 : st.kubernetes ? 3 + (unsigned)(rnd() * 5) : 1 + (unsigned)(rnd() * 5);
		st.app_needed = 1 + (unsigned)(rnd() * st.app_nodes);
		st.peak_share = rnd();
		st.monitored = !st.single_node || rnd() < 0.7;
		st.lb = st.app_nodes > 1;
		st.lb_sla = rnd() < 0.5 ? 0 : 0.999;
		st.db = st.single_node ? AVAIL_DB_ON_NODE : (enum avail_db)(1 + (int)(rnd() * 5));
		st.cache = st.single_node ? AVAIL_CACHE_ON_NODE : (enum avail_cache)(rnd() * 5);
		st.db_bytes = pow(10, 6 + 6 * rnd());
		st.node_sla = rnd() < 0.5 ? 0 : 0.999;
		double before = stage_u(&r, &st, NULL);
		// The planner's fast path gives the report's figure, with its memo
		// kept across database and cache options as well.
		double fast, memo_u;
		struct avail_memo memo = {0};
		assert_int_equal(avail_stage_u(&r, &st, NULL, &fast), 0);
		struct avail_stage other = st;
		if (st.db != AVAIL_DB_ON_NODE) /* a database on the node is part of the app tier */
			other.db = AVAIL_DB_PAIR;
		if (st.cache != AVAIL_CACHE_ON_NODE)
			other.cache = AVAIL_CACHE_MANAGED;
		assert_int_equal(avail_stage_u(&r, &other, &memo, &memo_u), 0);
		assert_int_equal(avail_stage_u(&r, &st, &memo, &memo_u), 0);
		if (fabs(fast - before) > 1e-12 * before || memo_u != fast)
			fail_msg("iteration %d: stage U %.17g, fast path %.17g, with a memo %.17g", it, before, fast, memo_u);
		size_t k = (size_t)(rnd() * N(times));
		*(double *)((char *)&r + times[k]) *= 1.5;
		double longer = stage_u(&r, &st, NULL);
		if (longer < before * (1 - 1e-12))
			fail_msg("iteration %d: input %zu longer, U %.17g -> %.17g", it, k, before, longer);
		if (!st.single_node && st.app_nodes >= 2) {
			st.app_nodes++;
			double more = stage_u(&r, &st, NULL);
			if (more > longer * (1 + 1e-12))
				fail_msg("iteration %d: an app node more, U %.17g -> %.17g", it, longer, more);
		}
	}
}

static void test_stage_shape(void **state)
{
	(void)state;
	struct reliability r;
	avail_defaults(&r);
	struct avail_part parts[AVAIL_STAGE_PARTS];
	size_t n;
	// The parts of a Kubernetes stage, in order.
	assert_int_equal(avail_stage_parts(&r, &kubernetes, parts, &n), 0);
	static const char *const want[] = {"zone", "app", "db", "lb", "control-plane", "releases"};
	assert_int_equal(n, N(want));
	for (size_t i = 0; i < n; i++)
		assert_string_equal(parts[i].name, want[i]);
	// An unpublished load balancer is not taken at a generous guess.
	struct avail_stage st = two_nodes;
	st.lb_sla = 0;
	assert_int_equal(avail_stage_parts(&r, &st, parts, &n), 0);
	assert_true(parts[3].availability == AVAIL_LB_UNPUBLISHED);
	// The zone's share is bounded by the servers' published SLA.
	st.node_sla = 0.99999;
	struct avail_part_u e;
	const char *why;
	assert_int_equal(avail_stage_parts(&r, &st, parts, &n), 0);
	assert_int_equal(avail_part_eval(&parts[0], &e, &why), 0);
	assert_true(e.bounded && fabs(e.u - 1e-5) < 1e-15);
	// Malformed stages are refused.
	st.app_needed = 3;
	assert_int_equal(avail_stage_parts(&r, &st, parts, &n), HR_E_INVALID);
	st.app_nodes = 0;
	assert_int_equal(avail_stage_parts(&r, &st, parts, &n), HR_E_INVALID);
}

/* The data tier's parts: read replicas (a pool carrying the reads) and Redis
 * under Sentinel (a failover pair), by hand. */
static void test_data_tier_parts(void **state)
{
	(void)state;
	struct reliability r;
	avail_defaults(&r);
	struct avail_part parts[AVAIL_STAGE_PARTS];
	size_t n;
	struct avail_stage st = two_nodes;
	st.cache = AVAIL_CACHE_ONE_NODE;
	st.db_replicas = 3;
	st.db_replicas_needed = 2;
	assert_int_equal(avail_stage_parts(&r, &st, parts, &n), 0);
	static const char *const want[] = {"zone", "app", "db", "replicas", "cache", "lb", "releases"};
	assert_int_equal(n, N(want));
	for (size_t i = 0; i < n; i++)
		assert_string_equal(parts[i].name, want[i]);
	// Replicas: 3 units, 2 needed at the peak; a lost one is rebuilt from a
	// base backup by a person, and its share of the reads fails until a
	// health check drops it.
	const struct avail_part *rep = &parts[3];
	assert_int_equal(rep->count, 3);
	assert_int_equal(rep->k_needed, 2);
	assert_int_equal(rep->mode, AVAIL_POOL);
	double restore = 2e9 / r.restore_bps + r.wal_replay_s;
	assert_near(rep->causes[0].down_s, r.detection_s + r.response_s + r.provision_s + restore, 1e-9);
	assert_near(rep->causes[0].takeover_s, r.lb_failover_s, 0);
	assert_true(rep->causes[1].planned);
	// More replicas needed for the same count never helps; one more replica
	// for the same need never hurts.
	double u2 = stage_u(&r, &st, NULL);
	st.db_replicas_needed = 3;
	double u3 = stage_u(&r, &st, NULL);
	assert_true(u3 >= u2);
	st.db_replicas = 4;
	st.db_replicas_needed = 2;
	assert_true(stage_u(&r, &st, NULL) <= u2);
	// No replicas: no part; needed past the count is refused.
	st.db_replicas = 0;
	st.db_replicas_needed = 0;
	assert_int_equal(avail_stage_parts(&r, &st, parts, &n), 0);
	assert_int_equal(n, N(want) - 1);
	st.db_replicas = 2;
	st.db_replicas_needed = 3;
	assert_int_equal(avail_stage_parts(&r, &st, parts, &n), HR_E_INVALID);
	// Sentinel: a pair failing over in cache_failover; the failed node waits
	// for a person. Better than one instance on one node.
	st.db_replicas = 0;
	st.db_replicas_needed = 0;
	double one = stage_u(&r, &st, NULL);
	st.cache = AVAIL_CACHE_SENTINEL;
	assert_int_equal(avail_stage_parts(&r, &st, parts, &n), 0);
	const struct avail_part *c = &parts[3];
	assert_string_equal(c->name, "cache");
	assert_int_equal(c->count, 2);
	assert_int_equal(c->mode, AVAIL_FAILOVER);
	assert_near(c->causes[0].takeover_s, r.cache_failover_s, 0);
	assert_near(c->causes[0].down_s, r.detection_s + r.response_s + r.repair_s, 1e-9);
	assert_true(stage_u(&r, &st, NULL) < one);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_sre_table),
		cmocka_unit_test(test_worked_examples),
		cmocka_unit_test(test_one_unit),
		cmocka_unit_test(test_pool_and_pair),
		cmocka_unit_test(test_fixed_parts),
		cmocka_unit_test(test_seed_tiers),
		cmocka_unit_test(test_property_longer_repair),
		cmocka_unit_test(test_property_redundant_unit),
		cmocka_unit_test(test_property_stage),
		cmocka_unit_test(test_stage_shape),
		cmocka_unit_test(test_data_tier_parts),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
