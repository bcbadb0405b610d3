/* Unit tests for model/planner: one shape worked by hand, the stage choices
 * the objectives force, the checks, the growth point, and the search against
 * brute force on randomised small catalogues. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "model/planner.h"
#include "render/reason.h"

#include "testutil.h"

/* A reason's words (render/reason.h), for the assertions on what the plan says. */
#define WHY(r) reason_text(&(r), (char[REASON_STEP_MAX]){0}, REASON_STEP_MAX)

/* A small world: one request class, an app, a database. */
struct world {
	struct request_class rq[2];
	struct task_class tk[1];
	struct workload w;
	struct component comp[4];
	struct deployment dep;
	struct objectives obj;
	struct economics econ;
	struct offer offers[64];
	struct catalog cat;
	struct planner_input in;
};

static void add(struct world *x, struct offer o)
{
	x->offers[x->cat.n++] = o;
}

static void world_init(struct world *x)
{
	memset(x, 0, sizeof(*x));
	/* 1 request per second per user; 100 ms of which 50 ms CPU. */
	x->rq[0] = (struct request_class){.name = "api", .rate = 1, .duration_s = 0.100, .cpu_s = 0.050};
	x->w.users = 10;
	x->w.daily_active = 1;
	x->w.peak_concurrent = 1;
	x->w.requests = x->rq;
	x->w.n_requests = 1;
	x->comp[0] = (struct component){.name = "app", .kind = COMP_APP, .workers = 1, .concurrency = 10,
					.memory_base_b = 100 * MIB, .db_pool = 2};
	x->comp[1] = (struct component){.name = "db", .kind = COMP_POSTGRES, .max_connections = 20,
					.memory_b = 512 * MIB};
	for (int s = 0; s < STAGE_COUNT; s++)
		x->dep.stage_allowed[s] = true;
	x->econ.ops_rate = 0;
	x->cat.offers = x->offers;
	add(x, (struct offer){.provider = "p", .name = "small", .kind = OFFER_SERVER, .vcpu = 1,
			      .memory_b = 1 * GIB, .disk_b = 25e9, .price = 5, .availability = 0.999});
	add(x, (struct offer){.provider = "p", .name = "medium", .kind = OFFER_SERVER, .vcpu = 2,
			      .memory_b = 4 * GIB, .disk_b = 40e9, .price = 10, .availability = 0.999});
	add(x, (struct offer){.provider = "p", .name = "large", .kind = OFFER_SERVER, .vcpu = 4,
			      .memory_b = 8 * GIB, .disk_b = 80e9, .price = 20, .availability = 0.999});
	add(x, (struct offer){.provider = "p", .name = "lb", .kind = OFFER_LB, .price = 5, .availability = 0.9999});
	add(x, (struct offer){.provider = "p", .name = "pg", .kind = OFFER_MANAGED_DB, .vcpu = 2,
			      .memory_b = 4 * GIB, .disk_b = 50e9, .max_connections = 100, .price = 15,
			      .ha = true, .availability = 0.9995});
	add(x, (struct offer){.provider = "p", .name = "backup", .kind = OFFER_BACKUP, .percent = 0.20});
	add(x, (struct offer){.provider = "p", .name = "k8s", .kind = OFFER_K8S, .price = 0});
	add(x, (struct offer){.provider = "mon", .name = "uptime", .kind = OFFER_MONITORING, .price = 3});
	x->in = (struct planner_input){&x->w, x->comp, 2, &x->dep, &x->obj, &x->econ, &x->cat, NULL};
}

/* The unavailability of a stage straight from the model. */
static double stage_u(const struct reliability *r, const struct avail_stage *st)
{
	struct avail_part parts[AVAIL_STAGE_PARTS];
	size_t n;
	double u;
	const char *why;
	assert_int_equal(avail_stage_parts(r, st, parts, &n), 0);
	assert_int_equal(avail_compose(parts, n, NULL, &u, NULL, &why), 0);
	return u;
}

static const struct offer *find(const struct world *x, const char *name)
{
	for (size_t i = 0; i < x->cat.n; i++)
		if (strcmp(x->offers[i].name, name) == 0)
			return &x->offers[i];
	return NULL;
}

/* The part of a shape's availability with this name, or NULL. */
static const struct avail_part *part_named(const struct avail_part *parts, int n, const char *name)
{
	for (int k = 0; k < n; k++)
		if (strcmp(parts[k].name, name) == 0)
			return &parts[k];
	return NULL;
}

static void test_evaluate_by_hand(void **state)
{
	(void)state;
	static struct world x;
	world_init(&x);
	struct demand d;
	assert_int_equal(demand_at(&x.w, 10, &d), 0);
	struct plan_shape s = {.stage = STAGE_SINGLE_OPS, .app = find(&x, "medium"), .n_app = 1};
	struct plan_candidate c;
	assert_int_equal(planner_evaluate(&x.in, &s, &d, &c), 0);
	/* lambda = 10 users * 1/s = 10/s; CPU = 10 * 0.05 = 0.5 cores on 2 vCPU = 25 % */
	assert_near(c.util[PRES_CPU], 0.25, 1e-12);
	/* one process per vCPU: 2 replicas of a 1-worker app */
	assert_int_equal(c.app_replicas, 2);
	/* memory = 2 * 100 MiB + 512 MiB (postgres on the node) = 712 MiB of 4096 */
	assert_near(c.util[PRES_MEMORY], 712.0 / 4096, 1e-12);
	/* Little: 10/s * 0.1 s = 1 in flight over 2 replicas * 10 slots = 5 % */
	assert_near(c.util[PRES_CONNECTIONS], 0.05, 1e-12);
	/* 2 replicas * 1 worker * pool 2 = 4 connections of max 20 = 20 % */
	assert_near(c.util[PRES_DB_CONNECTIONS], 0.20, 1e-12);
	/* M/M/2, lambda 10, S 0.05: A = 0.5, B(2) = 1/13, C = 0.1; P(T > t) =
	 * 1.2 e^{-20t} - 0.2 e^{-30t} = 0.05 at t = 0.15714 s; p95 = 0.05 s delay + that */
	assert_near(c.p95_s, 0.05 + 0.1571407, 1e-5);
	assert_near(c.class_p95[0], c.p95_s, 0);
	/* Availability from failures and recoveries (model/availability.h): the
	 * stage the planner hands the model is the one written out here, and one
	 * monitored node with its database lands in seed 000's 99 % tier. */
	struct reliability rel;
	avail_defaults(&rel);
	struct avail_stage one = {.app_nodes = 1, .app_needed = 1, .peak_share = 8.0 * 365 / 12 / 730,
				  .single_node = true, .monitored = true, .db = AVAIL_DB_ON_NODE,
				  .db_bytes = d.db_size_b, .node_sla = 0.999};
	assert_near(c.availability, 1 - stage_u(&rel, &one), 1e-15);
	assert_true(c.availability >= 0.99 && c.availability < 0.995);
	assert_true(c.monitored);
	/* $10 server + 20 % backup + $3 monitoring = $15 */
	assert_near(c.cost.servers, 10, 0);
	assert_near(c.cost.backups, 2, 1e-12);
	assert_near(c.cost.monitoring, 3, 0);
	assert_near(c.cost.total, 15, 1e-12);
	assert_near(c.cost.per_user, 1.5, 1e-12);
	assert_true(c.feasible);

	/* ha: two medium nodes, LB, managed pg. Each node carries 5/s: 12.5 % CPU. */
	struct plan_shape h = {.stage = STAGE_HA, .app = find(&x, "medium"), .n_app = 2,
			       .managed_db = find(&x, "pg")};
	assert_int_equal(planner_evaluate(&x.in, &h, &d, &c), 0);
	assert_near(c.util[PRES_CPU], 0.125, 1e-12);
	/* k = ceil(2 * 0.125) = 1 of 2, behind the LB (its published 99.99 %),
	 * the managed database with its standby (99.95 % bounds it) */
	struct avail_stage two = {.app_nodes = 2, .app_needed = 1, .peak_share = one.peak_share, .monitored = true,
				  .lb = true, .lb_sla = 0.9999, .db = AVAIL_DB_MANAGED_HA, .db_sla = 0.9995,
				  .db_bytes = d.db_size_b, .node_sla = 0.999};
	assert_near(c.availability, 1 - stage_u(&rel, &two), 1e-15);
	assert_true(c.availability > 0.999);
	/* 2 * $10 + LB $5 + pg $15 + monitoring $3 (a managed database includes backups) */
	assert_near(c.cost.total, 43, 1e-12);
	/* 2 nodes * 2 replicas * pool 2 = 8 of the managed 100 */
	assert_near(c.util[PRES_DB_CONNECTIONS], 0.08, 1e-12);

	/* A caller's own copy of a plan, outside the catalogue and naming its
	 * provider with another string, is the same plan: same provider as the
	 * managed database, the same load balancer, the same figures. */
	char p_name[] = "p", q_name[] = "q";
	struct offer own = *find(&x, "medium");
	own.provider = p_name;
	struct plan_shape h_own = h;
	h_own.app = &own;
	struct plan_candidate c_own;
	assert_int_equal(planner_evaluate(&x.in, &h_own, &d, &c_own), 0);
	assert_ptr_equal(c_own.lb, find(&x, "lb"));
	assert_near(c_own.cost.total, c.cost.total, 0);
	assert_near(c_own.availability, c.availability, 0);
	/* ...and one from another provider cannot be paired with it. */
	own.provider = q_name;
	assert_int_equal(planner_evaluate(&x.in, &h_own, &d, &c_own), HR_E_NOTFOUND);

	/* The parts `headroom sla -f` reports compose to the same availability. */
	struct avail_part parts[PLANNER_AVAIL_PARTS];
	int np = planner_avail_parts(&x.in, &h, &d, parts);
	assert_int_equal(np, 5); /* zone, app (1 of 2), db, lb, releases */
	assert_string_equal(parts[1].name, "app");
	assert_int_equal(parts[1].count, 2);
	assert_int_equal(parts[1].k_needed, 1);
	double total;
	size_t bad_index;
	const char *why;
	assert_int_equal(avail_compose(parts, (size_t)np, NULL, &total, &bad_index, &why), 0);
	assert_near(1 - total, c.availability, 1e-12); /* avail_compose gives the unavailability */
	/* a self-run primary + standby: failover composition, as evaluated */
	x.obj.availability = 0;
	struct plan_shape pair = {.stage = STAGE_HA, .app = find(&x, "medium"), .n_app = 3,
				  .db_node = find(&x, "large"), .n_db = 2};
	assert_int_equal(planner_evaluate(&x.in, &pair, &d, &c), 0);
	np = planner_avail_parts(&x.in, &pair, &d, parts);
	assert_int_equal(np, 5);
	assert_string_equal(parts[2].name, "db");
	assert_int_equal(parts[2].mode, AVAIL_FAILOVER);
	assert_near(parts[2].causes[0].takeover_s, rel.db_failover_s, 0);
	/* the config's reliability reaches the composition */
	rel.db_failover_s = 300;
	x.in.reliability = &rel;
	np = planner_avail_parts(&x.in, &pair, &d, parts);
	assert_near(parts[2].causes[0].takeover_s, 300, 0);
	struct plan_candidate slow;
	assert_int_equal(planner_evaluate(&x.in, &pair, &d, &slow), 0);
	assert_true(slow.availability < c.availability);
	x.in.reliability = NULL;
	np = planner_avail_parts(&x.in, &pair, &d, parts);
	assert_int_equal(avail_compose(parts, (size_t)np, NULL, &total, &bad_index, &why), 0);
	assert_near(1 - total, c.availability, 1e-12); /* avail_compose gives the unavailability */

	/* Malformed shapes are refused, not guessed at. */
	struct plan_shape bad = {.stage = STAGE_HA, .app = find(&x, "medium"), .n_app = 1,
				 .managed_db = find(&x, "pg")};
	assert_int_equal(planner_evaluate(&x.in, &bad, &d, &c), HR_E_INVALID);
	bad = (struct plan_shape){.stage = STAGE_SPLIT, .app = find(&x, "lb"), .n_app = 1};
	assert_int_equal(planner_evaluate(&x.in, &bad, &d, &c), HR_E_INVALID);
}

/* A calibration from `headroom bench` worked by hand (docs/plan.md,
 * "Calibration"): 40 ms alone with cv 0 (constant), 1 ms of CPU per request,
 * 8 requests in service at a knee of 200/s on 2 vCPU. The measured latency
 * is waiting, not CPU; the slots scale by vCPU; the p95 is M/D/c. */
static void test_calibrated_by_hand(void **state)
{
	(void)state;
	static struct world x;
	world_init(&x);
	struct calibration cal = {.present = true, .service_s = 0.040, .service_cv = 0, .has_service_cv = true,
				  .cpu_s = 0.001, .concurrency = 8, .max_rps = 200, .cores = 2,
				  /* a USL fit on client concurrency: never applied per vCPU */
				  .sigma = 0.05, .kappa = 0.01, .gamma = 25};
	x.in.calibration = &cal;
	struct demand d;
	assert_int_equal(demand_at(&x.w, 100, &d), 0); /* 100 users x 1/s = 100/s */
	struct plan_shape s = {.stage = STAGE_SINGLE_OPS, .app = find(&x, "medium"), .n_app = 1};
	struct plan_candidate c;
	assert_int_equal(planner_evaluate(&x.in, &s, &d, &c), 0);
	/* CPU: 100/s x 1 ms = 0.1 core of 2 (not 100/s x 40 ms, nor the declared 50 ms) */
	assert_near(c.util[PRES_CPU], 0.05, 1e-12);
	/* slots: 8 on 2 vCPU, so 8 on this 2-vCPU node; in service 100/s x 40 ms = 4: 50 % */
	assert_near(c.util[PRES_CONNECTIONS], 0.5, 1e-12);
	/* p95. CPU queue: M/M/2 at A = 0.1, C = A^2/(2 + A) = 0.01/2.1, Wq =
	 * C/(2/1ms - 100/s) = 2.5063e-6 s, so a slot is held S = 0.0400025 s.
	 * Slots: M/D/8 at A = 4.0001: C = 0.0590623, theta' = (8/S - 100)/0.5 =
	 * 199.975/s; the tail is C e^{-theta'(t - S)}, so p95 = S + ln(C/0.05)/theta'
	 * = 0.0408355 s. The declared duration (100 ms) plays no part. */
	assert_near(c.p95_s, 0.0408355, 1e-6);
	assert_near(c.class_p95[0], c.p95_s, 0);
	assert_true(c.feasible);

	/* Twice the vCPU, twice the slots: 16, so 25 %; CPU 0.1 of 4 cores. */
	s.app = find(&x, "large");
	assert_int_equal(planner_evaluate(&x.in, &s, &d, &c), 0);
	assert_near(c.util[PRES_CONNECTIONS], 0.25, 1e-12);
	assert_near(c.util[PRES_CPU], 0.025, 1e-12);
	/* M/D/16 at A = 4: nobody waits for long; with C < 5 % the p95 is S itself. */
	assert_true(c.p95_s < 0.0401);

	/* At the measured knee on the measured size the slots are full: 100 %. */
	assert_int_equal(demand_at(&x.w, 200, &d), 0);
	s.app = find(&x, "medium");
	assert_int_equal(planner_evaluate(&x.in, &s, &d, &c), 0);
	assert_near(c.util[PRES_CONNECTIONS], 1.0, 1e-12);
	assert_false(c.feasible);

	/* Without cpu_per_request the CPU is derived from the knee: cores /
	 * max_rps = 10 ms a request, an upper bound (100 % at the knee). */
	cal.cpu_s = 0;
	assert_int_equal(demand_at(&x.w, 100, &d), 0);
	assert_int_equal(planner_evaluate(&x.in, &s, &d, &c), 0);
	assert_near(c.util[PRES_CPU], 0.5, 1e-12);
	/* Without cv: exponential service, the M/M/c p95 (far longer). */
	cal.cpu_s = 0.001;
	cal.has_service_cv = false;
	assert_int_equal(planner_evaluate(&x.in, &s, &d, &c), 0);
	assert_true(c.p95_s > 0.1);

	/* The floor: a p95 objective below what one request takes alone. */
	cal.has_service_cv = true;
	x.obj.p95_s = 0.039;
	struct diag dg;
	struct strbuf msgs;
	strbuf_init(&msgs, 0);
	diag_init_mem(&dg, &msgs);
	assert_int_equal(planner_check(&x.in, &dg, NULL, NULL), HR_E_INVALID);
	assert_non_null(strstr(strbuf_str(&msgs), "below what a request takes alone by the calibration (p95 0.04 s"));
	strbuf_free(&msgs);
	x.obj.p95_s = 0.041;
	strbuf_init(&msgs, 0);
	diag_init_mem(&dg, &msgs);
	assert_int_equal(planner_check(&x.in, &dg, NULL, NULL), 0);
	strbuf_free(&msgs);
}

static void test_objectives_choose_stage(void **state)
{
	(void)state;
	static struct world x;
	world_init(&x);
	double users[1] = {10};
	static struct plan_step st[1];
	/* No objective: the cheapest plan that fits, on one node, no extras. */
	assert_int_equal(planner_run(&x.in, users, 1, st), 0);
	assert_true(st[0].feasible);
	assert_int_equal(st[0].best.shape.stage, STAGE_SINGLE);
	assert_string_equal(st[0].best.shape.app->name, "small");
	assert_near(st[0].best.cost.total, 5, 1e-12);
	assert_false(st[0].has_binding); /* nothing is cheaper */
	/* A cheaper plan whose terms forbid commercial use is never chosen,
	 * nor named as the cheaper option. */
	add(&x, (struct offer){.provider = "p", .name = "hobby", .kind = OFFER_SERVER, .vcpu = 1,
			       .memory_b = 1 * GIB, .disk_b = 25e9, .price = 0, .availability = 0.999,
			       .non_commercial = true});
	assert_int_equal(planner_run(&x.in, users, 1, st), 0);
	assert_string_equal(st[0].best.shape.app->name, "small");
	assert_false(st[0].has_binding);
	x.offers[x.cat.n - 1].non_commercial = false;
	assert_int_equal(planner_run(&x.in, users, 1, st), 0);
	assert_string_equal(st[0].best.shape.app->name, "hobby");
	x.cat.n--;
	/* A 99 % objective needs monitoring: single+ops, $5 + $1 backup + $3. */
	x.obj.availability = 0.99;
	assert_int_equal(planner_run(&x.in, users, 1, st), 0);
	assert_int_equal(st[0].best.shape.stage, STAGE_SINGLE_OPS);
	assert_near(st[0].best.cost.total, 9, 1e-12);
	assert_true(st[0].has_binding);
	assert_int_equal(st[0].binding.fail, PRES_AVAILABILITY);
	assert_int_equal(st[0].binding.shape.stage, STAGE_SINGLE);
	assert_true(st[0].has_runner_up);
	assert_true(st[0].runner_up.cost.total >= st[0].best.cost.total);
	/* The plan says where the downtime comes from, and it adds up. */
	double sum = 0;
	for (size_t i = 0; i < st[0].downtime.n; i++)
		sum += st[0].downtime.line[i].u;
	assert_true(st[0].downtime.n > 3);
	/* series: the lines add to 1 - A to first order */
	assert_near(sum, 1 - st[0].best.availability, pow(1 - st[0].best.availability, 2));
	/* 99.5 % is beyond one node however it is watched (seed 000 §8):
	 * several nodes behind a balancer. */
	x.obj.availability = 0.995;
	assert_int_equal(planner_run(&x.in, users, 1, st), 0);
	assert_true(st[0].feasible);
	assert_true(st[0].best.shape.stage >= STAGE_HA);
	assert_true(st[0].best.availability >= 0.995);
	/* 99.9 %: the same, with parts that do not limit it. */
	x.offers[4].availability = 0.99999; /* a managed database */
	x.offers[3].availability = 0.99999; /* the load balancer */
	x.obj.availability = 0.999;
	assert_int_equal(planner_run(&x.in, users, 1, st), 0);
	assert_true(st[0].feasible);
	assert_true(st[0].best.shape.stage >= STAGE_HA);
	assert_true(st[0].best.availability >= 0.999);
	/* An unreachable availability is a per-milestone verdict, not an error. */
	x.obj.availability = 0.9999999;
	assert_int_equal(planner_run(&x.in, users, 1, st), 0);
	assert_false(st[0].feasible);
	if (!strstr(WHY(st[0].why), "availability")) fail_msg("why: %s", WHY(st[0].why));
	assert_true(st[0].why.kind == PLAN_REASON_AVAIL_BEST || st[0].why.kind == PLAN_REASON_AVAIL_UNMONITORED);
}

static void test_external_limit_infeasible(void **state)
{
	(void)state;
	static struct world x;
	world_init(&x);
	x.rq[0].external = (struct ext_call){.name = "llm", .calls = 1, .price = 0.01, .rate_limit = 5};
	double users[2] = {4, 10};
	static struct plan_step st[2];
	assert_int_equal(planner_run(&x.in, users, 2, st), 0);
	/* 4 calls/s of a 5/s limit is 80 %: allowed. 10/s is not. */
	assert_true(st[0].feasible);
	assert_false(st[1].feasible);
	assert_non_null(strstr(WHY(st[1].why), "rate limit"));
	assert_int_equal(st[1].why.kind, PLAN_REASON_EXT_RATE);
	assert_string_equal(st[1].why.name, "llm");
	/* The growth point of the first: 80 % of 5/s = 4/s, so the 5th user breaks it. */
	assert_true(st[0].next.found);
	assert_int_equal(st[0].next.res, PRES_EXT_RATE);
	assert_near(st[0].next.users, 5, 0);
	/* external cost: 4 calls/s * 876,000 s * $0.01 = $35,040 */
	assert_near(st[0].best.cost.external, 35040, 1e-6);
}

static void test_growth_point(void **state)
{
	(void)state;
	static struct world x;
	world_init(&x);
	double users[1] = {4};
	static struct plan_step st[1];
	assert_int_equal(planner_run(&x.in, users, 1, st), 0);
	assert_string_equal(st[0].best.shape.app->name, "small");
	assert_true(st[0].next.found);
	/* small: 1 vCPU at 70 % = 0.7 cores = 14 users at 0.05 s each; the 15th breaks it */
	assert_int_equal(st[0].next.res, PRES_CPU);
	assert_near(st[0].next.users, 15, 0);
	struct demand d;
	struct plan_candidate c;
	assert_int_equal(demand_at(&x.w, 14, &d), 0);
	assert_int_equal(planner_evaluate(&x.in, &st[0].best.shape, &d, &c), 0);
	assert_true(c.feasible);
	assert_int_equal(demand_at(&x.w, 15, &d), 0);
	assert_int_equal(planner_evaluate(&x.in, &st[0].best.shape, &d, &c), 0);
	assert_false(c.feasible);
	/* At 4 users memory is nearest its limit: (100 MiB + 512 MiB) / 1 GiB = 59.8 % of
	 * 80 %, against CPU 0.2 / 1 = 20 % of 70 %. */
	assert_string_equal(planner_res_name(st[0].bottleneck), "memory");
	assert_near(st[0].best.util[PRES_MEMORY], 612.0 / 1024, 1e-12);
}

static void test_check(void **state)
{
	(void)state;
	static struct world x;
	world_init(&x);
	struct strbuf sb;
	strbuf_init(&sb, 0);
	struct diag d;
	diag_init_mem(&d, &sb);
	d.prog = "headroom";
	assert_int_equal(planner_check(&x.in, &d, NULL, NULL), 0);
	assert_string_equal(strbuf_str(&sb), "");
	/* A task with no worker component to run it. */
	x.tk[0] = (struct task_class){.name = "embed", .rate = 1, .duration_s = 1};
	x.w.tasks = x.tk;
	x.w.n_tasks = 1;
	assert_int_equal(planner_check(&x.in, &d, NULL, NULL), HR_E_INVALID);
	assert_non_null(strstr(strbuf_str(&sb), "workload.tasks[0]: task class 'embed' needs a component of kind worker"));
	x.w.n_tasks = 0;
	strbuf_reset(&sb);
	/* A current plan missing from the catalogue, with a suggestion. */
	struct node_group g = {.role = "all", .plan = "medum", .count = 1};
	x.dep.current = &g;
	x.dep.n_current = 1;
	assert_int_equal(planner_check(&x.in, &d, NULL, NULL), HR_E_INVALID);
	assert_non_null(strstr(strbuf_str(&sb), "'medum' is not in the catalogue; did you mean 'medium'?"));
	g.plan = "medium";
	g.role = "web";
	strbuf_reset(&sb);
	assert_int_equal(planner_check(&x.in, &d, NULL, NULL), HR_E_INVALID);
	assert_non_null(strstr(strbuf_str(&sb), "'web' is neither a role"));
	x.dep.n_current = 0;
	/* p95 below 0.05 s delay + 0.05 s * ln 20 = 0.19979 s cannot be met. */
	x.obj.p95_s = 0.15;
	strbuf_reset(&sb);
	assert_int_equal(planner_check(&x.in, &d, NULL, NULL), HR_E_INVALID);
	assert_non_null(strstr(strbuf_str(&sb), "objectives.p95: 0.15 s is below what request class 'api' takes"));
	x.obj.p95_s = 0.25;
	strbuf_reset(&sb);
	assert_int_equal(planner_check(&x.in, &d, NULL, NULL), 0);
	/* A class with an external call is not held to the objective. */
	x.obj.p95_s = 0.15;
	x.rq[0].external = (struct ext_call){.name = "llm", .calls = 1};
	assert_int_equal(planner_check(&x.in, &d, NULL, NULL), 0);
	strbuf_free(&sb);
}


/* --- the data tier, by hand ------------------------------------------------ */

/* PgBouncer: the clients' pools end at the pooler; the database sees its pool. */
static void test_pooler_by_hand(void **state)
{
	(void)state;
	static struct world x;
	world_init(&x);
	/* 100 users at 1/s, 2 queries of 5 ms each: 1.0 busy core of database. */
	x.rq[0].db_queries = 2;
	x.rq[0].db_query_s = 0.005;
	x.dep.pool_size = 5;
	x.dep.max_client_conn = 50;
	struct demand d;
	assert_int_equal(demand_at(&x.w, 100, &d), 0);
	assert_near(d.db_cpu, 1.0, 1e-12);
	/* ha: 3 large nodes (4 vCPU: 4 processes of pool 2 = 8 each), a large pair. */
	struct plan_shape s = {.stage = STAGE_HA, .app = find(&x, "large"), .n_app = 3, .db_node = find(&x, "large"),
			       .n_db = 2};
	struct plan_candidate c;
	assert_int_equal(planner_evaluate(&x.in, &s, &d, &c), 0);
	/* 24 client connections of max_connections 20: 120 % */
	assert_near(c.db_clients, 24, 0);
	assert_near(c.util[PRES_DB_CONNECTIONS], 1.2, 1e-12);
	assert_false(c.feasible);
	assert_int_equal(c.fail, PRES_DB_CONNECTIONS);
	s.pooler = true;
	assert_int_equal(planner_evaluate(&x.in, &s, &d, &c), 0);
	/* The server sees the pool: 5 of 20; the pooler 24 of its 50 clients;
	 * 1.0 transaction in flight (Little) in a pool of 5. */
	assert_near(c.util[PRES_DB_CONNECTIONS], 0.25, 1e-12);
	assert_near(c.util[PRES_POOLER_CLIENTS], 24.0 / 50, 1e-12);
	assert_near(c.util[PRES_POOLER_POOL], 1.0 / 5, 1e-12);
	assert_true(c.feasible);
	/* It costs nothing: the same price as without. */
	struct plan_candidate c0;
	s.pooler = false;
	assert_int_equal(planner_evaluate(&x.in, &s, &d, &c0), 0);
	assert_near(c.cost.total, c0.cost.total, 0);
	/* A managed database whose provider runs no pooler cannot have one. */
	struct plan_shape m = {.stage = STAGE_HA, .app = find(&x, "large"), .n_app = 3, .managed_db = find(&x, "pg"),
			       .pooler = true};
	assert_int_equal(planner_evaluate(&x.in, &m, &d, &c), HR_E_INVALID);
	x.offers[4].pooler = true;
	assert_int_equal(planner_evaluate(&x.in, &m, &d, &c), 0);
	/* The search adds it where the shape needs it, and only there. */
	double users[2] = {10, 100};
	static struct plan_step st[2];
	x.dep.database = DB_SELF;
	for (int k = 0; k < STAGE_COUNT; k++)
		x.dep.stage_allowed[k] = k == STAGE_HA;
	assert_int_equal(planner_run(&x.in, users, 2, st), 0);
	assert_true(st[0].feasible && st[1].feasible);
	assert_false(st[0].best.shape.pooler); /* 10/s fits the small nodes' pools */
	assert_true(st[1].best.shape.pooler || st[1].best.util[PRES_DB_CONNECTIONS] <= 0.8 + 1e-9);
	/* Never allowed: the limit blocks, and the remedy says so. */
	x.dep.pooler = POOLER_NEVER;
	x.comp[1].max_connections = 4;
	x.comp[0].db_pool = 5;
	x.dep.pool_size = 2;
	assert_int_equal(planner_run(&x.in, users, 1, st), 0);
	assert_false(st[0].feasible);
	assert_int_equal(st[0].blocking, PRES_DB_CONNECTIONS);
	if (!strstr(WHY(st[0].why), "db_connections"))
		fail_msg("why: %s", WHY(st[0].why));
	bool pooler_remedy = false;
	for (size_t k = 0; k < st[0].n_remedies; k++) {
		pooler_remedy |= strstr(WHY(st[0].remedies[k].what), "deployment.pooler.use: any") != NULL;
		assert_true(st[0].remedies[k].plan.feasible);
		if (k > 0)
			assert_true(st[0].remedies[k].plan.cost.total >= st[0].remedies[k - 1].plan.cost.total - 1e-9);
	}
	assert_true(pooler_remedy);
}

/* Read replicas take the reads; the primary the writes; each replica replays
 * the writes. A read cache answers its share of the reads first. */
static void test_replicas_by_hand(void **state)
{
	(void)state;
	static struct world x;
	world_init(&x);
	x.rq[0].db_queries = 2;
	x.rq[0].db_query_s = 0.005;
	x.w.db_read_share = 0.75;
	x.dep.max_replicas = 5;
	struct demand d;
	assert_int_equal(demand_at(&x.w, 100, &d), 0);
	/* 200 queries/s, 150 of them reads; 1.0 busy core, 0.75 of it reads. */
	assert_near(d.db_read_qps, 150, 1e-9);
	assert_near(d.db_read_cpu, 0.75, 1e-12);
	struct plan_shape s = {.stage = STAGE_SPLIT, .app = find(&x, "large"), .n_app = 1, .db_node = find(&x, "medium"),
			       .n_db = 1, .n_replicas = 2};
	struct plan_candidate c;
	assert_int_equal(planner_evaluate(&x.in, &s, &d, &c), 0);
	/* primary: the writes, 0.25 / 2 vCPU; each replica: 0.75 / 2 reads + 0.25 replayed, / 2 vCPU */
	assert_near(c.util[PRES_DB_CPU], 0.125, 1e-12);
	assert_near(c.util[PRES_REPLICA_CPU], (0.375 + 0.25) / 2, 1e-12);
	/* two replicas of the $10 plan */
	assert_near(c.cost.replicas, 20, 1e-12);
	/* Availability: the replicas are a part of their own, a pool of 2 of
	 * which ceil(2 x 0.3125) = 1 carries the reads, each rebuilt from a base
	 * backup like the database's node; in series with the rest. */
	struct avail_part parts[PLANNER_AVAIL_PARTS];
	int np = planner_avail_parts(&x.in, &s, &d, parts);
	const struct avail_part *rp = part_named(parts, np, "replicas");
	assert_non_null(rp);
	assert_int_equal(rp->count, 2);
	assert_int_equal(rp->k_needed, 1);
	assert_int_equal(rp->mode, AVAIL_POOL);
	double total_u;
	size_t bad;
	const char *why;
	assert_int_equal(avail_compose(parts, (size_t)np, NULL, &total_u, &bad, &why), 0);
	assert_near(1 - total_u, c.availability, 1e-12);
	/* A part that can fail, in series: the shape without replicas (its
	 * primary overloaded, but availability is arithmetic) is more available. */
	struct plan_shape s0 = s;
	s0.n_replicas = 0;
	struct plan_candidate c0;
	assert_int_equal(planner_evaluate(&x.in, &s0, &d, &c0), 0);
	assert_true(c0.availability > c.availability);
	/* A read cache answering 60 % of the reads: 0.3 busy cores of reads left. */
	x.w.cache_hit_ratio = 0.6;
	x.comp[2] = (struct component){.name = "redis", .kind = COMP_REDIS, .memory_b = 128 * MIB};
	x.in.n_components = 3;
	s.read_cache = true;
	assert_int_equal(planner_evaluate(&x.in, &s, &d, &c), 0);
	assert_near(c.util[PRES_REPLICA_CPU], (0.15 + 0.25) / 2, 1e-12);
	s.n_replicas = 0;
	assert_int_equal(planner_evaluate(&x.in, &s, &d, &c), 0);
	assert_near(c.util[PRES_DB_CPU], (0.25 + 0.3) / 2, 1e-12);
	/* Without Redis there is no cache to read through. */
	x.in.n_components = 2;
	assert_int_equal(planner_evaluate(&x.in, &s, &d, &c), HR_E_INVALID);

	/* The search: at 400 users the database is 4 busy cores, 3 of them
	 * reads, 1 writes. Alone, no plan carries it (4 vCPU at 70 % is 2.8).
	 * Replicas of the 2-vCPU plan have 0.7 x 2 - 1 = 0.4 cores for reads:
	 * ceil(3 / 0.4) = 8, more than the 5 allowed; of the 4-vCPU plan,
	 * 2.8 - 1 = 1.8: ceil(3 / 1.8) = 2. */
	x.rq[0].cpu_s = 0.001;
	x.rq[0].duration_s = 0.02;
	x.dep.database = DB_SELF;
	for (int k = 0; k < STAGE_COUNT; k++)
		x.dep.stage_allowed[k] = k == STAGE_SPLIT;
	x.w.cache_hit_ratio = 0;
	double users[1] = {400};
	static struct plan_step st[1];
	assert_int_equal(planner_run(&x.in, users, 1, st), 0);
	assert_true(st[0].feasible);
	assert_ptr_equal(st[0].best.shape.db_node, find(&x, "large"));
	assert_int_equal(st[0].best.shape.n_replicas, 2);
	assert_near(st[0].best.util[PRES_REPLICA_CPU], (1.5 + 1) / 4, 1e-12);
	/* With at most one replica allowed, nothing carries it, and the plan
	 * says what blocks and that more replicas would lift it. */
	x.dep.max_replicas = 1;
	assert_int_equal(planner_run(&x.in, users, 1, st), 0);
	assert_false(st[0].feasible);
	bool more_replicas = false;
	for (size_t k = 0; k < st[0].n_remedies; k++)
		more_replicas |= strstr(WHY(st[0].remedies[k].what), "deployment.max_read_replicas") != NULL;
	assert_true(more_replicas);
}


/* Worker nodes of their own carry the tasks and open their own connections. */
static void test_worker_nodes_by_hand(void **state)
{
	(void)state;
	static struct world x;
	world_init(&x);
	/* 2 tasks/s of 2 s, 0.5 s CPU and 50 MiB each: 4 in flight, 1 core, 200 MiB. */
	x.tk[0] = (struct task_class){.name = "job", .rate = 2, .duration_s = 2, .cpu_s = 0.5, .memory_b = 50 * MIB};
	x.w.tasks = x.tk;
	x.w.n_tasks = 1;
	x.comp[2] = (struct component){.name = "worker", .kind = COMP_WORKER, .workers = 1, .concurrency = 2,
				       .memory_base_b = 200 * MIB, .db_pool = 2};
	x.in.n_components = 3;
	struct demand d;
	assert_int_equal(demand_at(&x.w, 10, &d), 0);
	struct plan_shape s = {.stage = STAGE_SPLIT, .app = find(&x, "small"), .n_app = 1, .managed_db = find(&x, "pg"),
			       .wrk_node = find(&x, "medium"), .n_wrk = 2};
	struct plan_candidate c;
	assert_int_equal(planner_evaluate(&x.in, &s, &d, &c), 0);
	/* each 2-vCPU worker node: 2 worker processes; 1 core / 2 nodes / 2 vCPU */
	assert_int_equal(c.wrk_replicas, 2);
	assert_near(c.util[PRES_WORKER_CPU], 0.25, 1e-12);
	/* 2 x 200 MiB + 200 MiB / 2 nodes = 500 MiB of 4 GiB */
	assert_near(c.util[PRES_WORKER_MEMORY], 500.0 / 4096, 1e-12);
	/* 4 tasks in flight / 2 nodes / (2 processes x 2 slots) */
	assert_near(c.util[PRES_TASK_SLOTS], 0.5, 1e-12);
	/* the app node: 1 process, pool 2; the workers 2 x 2 x pool 2 */
	assert_near(c.db_clients, 2 + 8, 0);
	assert_near(c.cost.workers, 20, 0);
	/* The app node no longer carries the tasks: 10 requests/s x 50 ms only. */
	assert_near(c.util[PRES_CPU], 0.5, 1e-12);
	/* ha may have them; cluster schedules workers as pods; single stages have one node. */
	s.stage = STAGE_CLUSTER;
	s.n_app = 3;
	assert_int_equal(planner_evaluate(&x.in, &s, &d, &c), HR_E_INVALID);
	/* The search finds them when the app node cannot carry the tasks: on
	 * split, a small app node with its 1 vCPU cannot add a core of tasks. */
	x.dep.database = DB_MANAGED;
	for (int k = 0; k < STAGE_COUNT; k++)
		x.dep.stage_allowed[k] = k == STAGE_SPLIT;
	x.offers[0].price = 1; /* the small plan is very cheap: app nodes stay small */
	double users[1] = {10};
	static struct plan_step st[1];
	assert_int_equal(planner_run(&x.in, users, 1, st), 0);
	assert_true(st[0].feasible);
	const struct plan_shape *b = &st[0].best.shape;
	assert_ptr_equal(b->app, find(&x, "small"));
	assert_true(st[0].best.util[PRES_TASK_SLOTS] <= 0.8 + 1e-9);
	/* Small worker nodes: 1 process with 2 slots each; 4 tasks in flight
	 * at 80 % need ceil(4 / 1.6) = 3 of them ($3), cheaper than a medium app
	 * node ($10) carrying it all. */
	assert_non_null(b->wrk_node);
	assert_ptr_equal(b->wrk_node, find(&x, "small"));
	assert_int_equal(b->n_wrk, 3);
}

/* Redis on the app nodes: one instance, or a primary and a replica under
 * Sentinel, which fails over in reliability.cache_failover_s. */
static void test_sentinel_by_hand(void **state)
{
	(void)state;
	static struct world x;
	world_init(&x);
	x.comp[2] = (struct component){.name = "redis", .kind = COMP_REDIS, .memory_b = 128 * MIB};
	x.in.n_components = 3;
	struct reliability rel;
	avail_defaults(&rel);
	struct demand d;
	assert_int_equal(demand_at(&x.w, 10, &d), 0);
	struct plan_shape s = {.stage = STAGE_HA, .app = find(&x, "medium"), .n_app = 2, .managed_db = find(&x, "pg")};
	struct plan_candidate one, pair;
	assert_int_equal(planner_evaluate(&x.in, &s, &d, &one), 0);
	/* Two app nodes and a managed database: two hosts, not the three
	 * Sentinel needs. */
	s.redis_ha = true;
	assert_int_equal(planner_evaluate(&x.in, &s, &d, &pair), HR_E_INVALID);
	s.n_app = 3;
	s.redis_ha = false;
	assert_int_equal(planner_evaluate(&x.in, &s, &d, &one), 0);
	struct avail_part p1[PLANNER_AVAIL_PARTS], p2[PLANNER_AVAIL_PARTS];
	int n1 = planner_avail_parts(&x.in, &s, &d, p1);
	s.redis_ha = true;
	assert_int_equal(planner_evaluate(&x.in, &s, &d, &pair), 0);
	int n2 = planner_avail_parts(&x.in, &s, &d, p2);
	assert_int_equal(n1, n2);
	/* The cache part goes from one instance (a person starts it elsewhere)
	 * to a failover pair: each failure of the primary costs Sentinel's
	 * failover, the failed node waits for a person. */
	const struct avail_part *c1 = part_named(p1, n1, "cache"), *c2 = part_named(p2, n2, "cache");
	assert_non_null(c1);
	assert_non_null(c2);
	assert_int_equal(c1->count, 1);
	assert_int_equal(c2->count, 2);
	assert_int_equal(c2->mode, AVAIL_FAILOVER);
	assert_string_equal(c2->causes[0].name, "host");
	assert_near(c2->causes[0].takeover_s, rel.cache_failover_s, 0);
	assert_near(c2->causes[0].down_s, rel.detection_s + rel.response_s + rel.repair_s, 1e-9);
	/* Everything else is the same: the ratio of the availabilities is the
	 * ratio of the cache parts'. */
	struct avail_part_u u1, u2;
	const char *why;
	assert_int_equal(avail_part_eval(c1, &u1, &why), 0);
	assert_int_equal(avail_part_eval(c2, &u2, &why), 0);
	assert_true(u2.u < u1.u);
	assert_near(pair.availability / one.availability, (1 - u2.u) / (1 - u1.u), 1e-12);
	assert_near(pair.cost.total, one.cost.total, 0);
}

/* deployment.database: managed holds on the single-node stages too. */
static void test_managed_everywhere(void **state)
{
	(void)state;
	static struct world x;
	world_init(&x);
	struct demand d;
	assert_int_equal(demand_at(&x.w, 10, &d), 0);
	struct plan_shape s = {.stage = STAGE_SINGLE_OPS, .app = find(&x, "small"), .n_app = 1,
			       .managed_db = find(&x, "pg")};
	struct plan_candidate c;
	assert_int_equal(planner_evaluate(&x.in, &s, &d, &c), HR_E_INVALID); /* database: any */
	x.dep.database = DB_MANAGED;
	assert_int_equal(planner_evaluate(&x.in, &s, &d, &c), 0);
	/* The node no longer holds PostgreSQL's 512 MiB: 100 MiB of 1 GiB. */
	assert_near(c.util[PRES_MEMORY], 100.0 / 1024, 1e-12);
	assert_near(c.cost.managed_db, 15, 0);
	assert_near(c.cost.backups, 0, 0); /* the managed database includes its backups */
	double users[1] = {10};
	static struct plan_step st[1];
	assert_int_equal(planner_run(&x.in, users, 1, st), 0);
	assert_true(st[0].feasible);
	assert_int_equal(st[0].best.shape.stage, STAGE_SINGLE);
	assert_ptr_equal(st[0].best.shape.managed_db, find(&x, "pg"));
}

/* The choice stops being the choice when another shape becomes cheaper:
 * here the volumes one node buys for its growing database. */
static void test_next_cheaper(void **state)
{
	(void)state;
	static struct world x;
	world_init(&x);
	x.cat.n = 0;
	add(&x, (struct offer){.provider = "p", .name = "tiny-disk", .kind = OFFER_SERVER, .vcpu = 2, .memory_b = 8 * GIB,
			       .disk_b = 10e9, .price = 10, .availability = 0.999});
	add(&x, (struct offer){.provider = "p", .name = "big-disk", .kind = OFFER_SERVER, .vcpu = 2, .memory_b = 8 * GIB,
			       .disk_b = 1000e9, .price = 12, .availability = 0.999});
	add(&x, (struct offer){.provider = "p", .name = "volume", .kind = OFFER_VOLUME, .price_per_gb = 1});
	for (int k = 0; k < STAGE_COUNT; k++)
		x.dep.stage_allowed[k] = k == STAGE_SINGLE;
	x.rq[0].rate = 0.001; /* a negligible load: only the data grows */
	x.w.storage_per_user_b = 100e6;
	double users[1] = {10};
	static struct plan_step st[1];
	assert_int_equal(planner_run(&x.in, users, 1, st), 0);
	assert_true(st[0].feasible);
	assert_string_equal(st[0].best.shape.app->name, "tiny-disk");
	/* tiny-disk holds 10 GB x 80 %; past that it buys ceil(u x 0.1 / 0.8 - 10)
	 * GB at $1: more than big-disk's extra $2 from 3 GB on, i.e. from
	 * u x 0.125 - 10 > 2: 97 users. */
	assert_true(st[0].next.found);
	assert_true(st[0].next.cheaper);
	assert_near(st[0].next.users, 97, 0);
	assert_string_equal(st[0].next.then.shape.app->name, "big-disk");
	assert_near(st[0].next.then.cost.total, 12, 1e-9);
	/* The plan at 97 users agrees. */
	users[0] = 97;
	assert_int_equal(planner_run(&x.in, users, 1, st), 0);
	assert_string_equal(st[0].best.shape.app->name, "big-disk");
	users[0] = 96;
	assert_int_equal(planner_run(&x.in, users, 1, st), 0);
	assert_string_equal(st[0].best.shape.app->name, "tiny-disk");
}

/* What runs today, against the growth curve. */
static void test_current(void **state)
{
	(void)state;
	static struct world x;
	world_init(&x);
	struct node_group g[3] = {{.role = "all", .plan = "small", .count = 1}};
	x.dep.current = g;
	x.dep.n_current = 1;
	x.dep.has_current = true;
	x.dep.current_stage = STAGE_SINGLE;
	x.w.users = 4;
	struct plan_current cur;
	assert_int_equal(planner_current(&x.in, &cur), 0);
	assert_true(cur.present && cur.valid);
	assert_true(cur.now.feasible);
	/* as test_growth_point: 1 vCPU at 70 % carries 14 users; the 15th breaks it */
	assert_true(cur.until.found);
	assert_int_equal(cur.until.res, PRES_CPU);
	assert_near(cur.until.users, 15, 0);
	/* Each milestone evaluates it. */
	double users[2] = {10, 20};
	static struct plan_step st[2];
	assert_int_equal(planner_run(&x.in, users, 2, st), 0);
	assert_true(st[0].has_current && st[0].current.feasible);
	assert_true(st[1].has_current && !st[1].current.feasible);
	assert_int_equal(st[1].current.fail, PRES_CPU);
	/* Roles: db, replica and worker nodes make their parts. */
	g[0] = (struct node_group){.role = "app", .plan = "medium", .count = 1};
	g[1] = (struct node_group){.role = "db", .plan = "large", .count = 1};
	g[2] = (struct node_group){.role = "replica", .plan = "large", .count = 2};
	x.dep.n_current = 3;
	x.dep.current_stage = STAGE_SPLIT;
	struct plan_shape s;
	struct plan_reason why;
	assert_int_equal(planner_current_shape(&x.in, &s, &why), 0);
	assert_int_equal(why.kind, PLAN_REASON_NONE);
	assert_ptr_equal(s.app, find(&x, "medium"));
	assert_ptr_equal(s.db_node, find(&x, "large"));
	assert_int_equal(s.n_replicas, 2);
	/* Replicas are of the database's own plan. */
	g[2].plan = "medium";
	assert_int_equal(planner_current_shape(&x.in, &s, &why), HR_E_INVALID);
	assert_non_null(strstr(WHY(why), "replicas of 'medium' beside large"));
	assert_int_equal(why.kind, PLAN_REASON_CUR_REPLICA_OF);
	/* Two app plans are not one shape, and it says why. */
	g[1] = (struct node_group){.role = "app", .plan = "large", .count = 1};
	x.dep.n_current = 2;
	assert_int_equal(planner_current_shape(&x.in, &s, &why), HR_E_INVALID);
	assert_non_null(strstr(WHY(why), "two plans"));
	assert_int_equal(why.kind, PLAN_REASON_CUR_ROLE_PLANS);
	assert_int_equal(planner_current(&x.in, &cur), 0);
	assert_true(cur.present && !cur.valid);
}

/* A dedicated stack per enterprise customer, priced beside the shared plan. */
static void test_dedicated(void **state)
{
	(void)state;
	static struct world x;
	world_init(&x);
	x.econ.dedicated = (struct dedicated){.present = true, .users = 10, .customers = 3, .availability = 0.99,
					      .revenue = 100};
	struct plan_dedicated dd;
	assert_int_equal(planner_dedicated(&x.in, &dd), 0);
	assert_true(dd.present && dd.step.feasible);
	/* 99 % needs monitoring: single+ops small, $5 + $1 backup + $3 */
	assert_int_equal(dd.step.best.shape.stage, STAGE_SINGLE_OPS);
	assert_near(dd.step.best.cost.total, 9, 1e-12);
	assert_near(dd.total, 27, 1e-12);
	assert_near(dd.margin, 0.91, 1e-12);
	assert_near(dd.margin_infra, 0.91, 1e-12); /* no operations, no external API here */
	x.econ.dedicated.present = false;
	assert_int_equal(planner_dedicated(&x.in, &dd), 0);
	assert_false(dd.present);
}

static void test_month_of(void **state)
{
	(void)state;
	struct workload w = {.users = 1000, .growth_monthly = 0.10};
	/* 1000 x 1.1^12 = 3138.4 */
	assert_near(planner_month_of(&w, 1000 * pow(1.1, 12)), 12, 1e-9);
	assert_near(planner_month_of(&w, 1000), 0, 0);
	w.growth_monthly = 0;
	assert_true(isnan(planner_month_of(&w, 2000)));
}

/* --- brute force ---------------------------------------------------------- */

static uint64_t rng_state;
static double rnd(void) /* xorshift64*, deterministic per seed */
{
	rng_state ^= rng_state >> 12;
	rng_state ^= rng_state << 25;
	rng_state ^= rng_state >> 27;
	return (double)((rng_state * 2685821657736338717ULL) >> 11) / 9007199254740992.0;
}

static void random_world(struct world *x)
{
	world_init(x);
	x->cat.n = 0;
	static const char *prov[2] = {"p", "q"};
	static char names[64][16];
	size_t k = 0;
	for (int p = 0; p < 2; p++) {
		int ns = 2 + (int)(rnd() * 2);
		for (int i = 0; i < ns; i++) {
			double v = (double)(1u << (int)(rnd() * 4));
			snprintf(names[k], sizeof(names[k]), "%s-s%d", prov[p], i);
			add(x, (struct offer){.provider = (char *)prov[p], .name = names[k++], .kind = OFFER_SERVER,
					      .vcpu = v, .memory_b = v * (1 + (int)(rnd() * 4)) * GIB,
					      .disk_b = (20 + rnd() * 200) * 1e9, .transfer_b = rnd() < 0.5 ? 0 : 20e12,
					      .price = round((v * (2 + 4 * rnd()) + 1) * 100) / 100,
					      .availability = rnd() < 0.3 ? 0 : 0.999});
		}
		if (rnd() < 0.8)
			add(x, (struct offer){.provider = (char *)prov[p], .name = "lb", .kind = OFFER_LB,
					      .price = 5 + rnd() * 10, .availability = 0.9999});
		int nm = (int)(rnd() * 3);
		for (int i = 0; i < nm; i++) {
			snprintf(names[k], sizeof(names[k]), "%s-pg%d", prov[p], i);
			add(x, (struct offer){.provider = (char *)prov[p], .name = names[k++], .kind = OFFER_MANAGED_DB,
					      .vcpu = 1 + i, .memory_b = 2 * GIB, .disk_b = 30e9 * (1 + i),
					      .max_connections = rnd() < 0.5 ? 0 : 50, .price = 10 + 20 * rnd(),
					      .ha = rnd() < 0.5, .pooler = rnd() < 0.5,
					      .replica_price = rnd() < 0.5 ? 0 : 5 + 10 * rnd()});
		}
		if (rnd() < 0.6)
			add(x, (struct offer){.provider = (char *)prov[p], .name = "redis", .kind = OFFER_MANAGED_CACHE,
					      .memory_b = 1 * GIB, .price = 8 + 10 * rnd(), .availability = 0.999,
					      .ha = rnd() < 0.5});
		if (rnd() < 0.7)
			add(x, (struct offer){.provider = (char *)prov[p], .name = "k8s", .kind = OFFER_K8S,
					      .price = rnd() < 0.5 ? 0 : 12});
		add(x, (struct offer){.provider = (char *)prov[p], .name = "backup", .kind = OFFER_BACKUP,
				      .percent = 0.2});
		add(x, (struct offer){.provider = (char *)prov[p], .name = "volume", .kind = OFFER_VOLUME,
				      .price_per_gb = 0.05});
	}
	add(x, (struct offer){.provider = "mon", .name = "uptime", .kind = OFFER_MONITORING, .price = 2});
	/* A workload with requests, tasks, a cache and stored data. */
	x->rq[0] = (struct request_class){.name = "api", .rate = 0.2 + rnd(), .duration_s = 0.05 + 0.2 * rnd(),
					  .cpu_s = 0.005 + 0.05 * rnd(), .memory_b = 1 * MIB, .db_queries = 3,
					  .db_query_s = 0.0002 + 0.001 * rnd(), .bytes_out = 20000};
	x->w.tasks = x->tk;
	x->w.n_tasks = 1;
	x->tk[0] = (struct task_class){.name = "job", .rate_per_user = 0.004 * rnd(), .duration_s = 2,
				       .cpu_s = 0.5 * rnd(), .memory_b = 50 * MIB, .db_queries = 2};
	x->w.storage_per_user_b = 50 * MIB * rnd();
	x->w.db_read_share = rnd() < 0.8 ? 0.7 + 0.3 * rnd() : 0;
	x->w.cache_hit_ratio = rnd() < 0.5 ? 0.5 + 0.4 * rnd() : 0;
	x->comp[0] = (struct component){.name = "app", .kind = COMP_APP, .workers = 1 + (unsigned)(rnd() * 2),
					.concurrency = 20, .memory_base_b = 150 * MIB, .db_pool = 1 + (unsigned)(rnd() * 5)};
	x->comp[1] = (struct component){.name = "db", .kind = COMP_POSTGRES, .max_connections = 100,
					.memory_b = 512 * MIB};
	x->comp[2] = (struct component){.name = "worker", .kind = COMP_WORKER, .workers = 1, .concurrency = 2,
					.memory_base_b = 200 * MIB, .db_pool = 2};
	x->comp[3] = (struct component){.name = "cache", .kind = COMP_REDIS, .memory_b = 256 * MIB};
	x->in.n_components = 4;
	x->obj.p95_s = 0.4 + rnd();
	x->obj.availability = rnd() < 0.3 ? 0 : (rnd() < 0.5 ? 0.99 : 0.999);
	x->econ.ops_rate = 50;
	for (int s = 0; s < STAGE_COUNT; s++)
		x->econ.ops_hours[s] = s * rnd();
	x->dep.database = rnd() < 0.2 ? DB_SELF : (rnd() < 0.2 ? DB_MANAGED : DB_ANY);
	for (int s = 0; s < STAGE_COUNT; s++)
		x->dep.stage_allowed[s] = rnd() < 0.85;
	x->dep.pooler = rnd() < 0.7 ? POOLER_ANY : (rnd() < 0.5 ? POOLER_NEVER : POOLER_ALWAYS);
	x->dep.pool_size = 5 + (unsigned)(rnd() * 20);
	x->dep.max_client_conn = 100 + (unsigned)(rnd() * 400);
	x->dep.max_replicas = (unsigned)(rnd() * 5);
}

struct brute {
	bool found;
	double cost;
	enum stage_kind stage;
	unsigned long evals;
};

/* One priced shape: feasible with any choice of the options that cost
 * nothing? A read cache and Sentinel only ever help (test_options_never_hurt
 * checks it), so the choices worth trying are as many of them as the shape
 * can have, with and without the pooler (which trades one limit for
 * another), as deployment.pooler allows. *c receives the last evaluation
 * (for the worker-node loop). Returns false when no variant is a shape. */
static bool brute_try(const struct world *x, const struct plan_shape *s, const struct demand *d, struct brute *b,
		      bool *over, struct plan_candidate *c)
{
	*over = false;
	bool any = false, feasible = false;
	double cost = 0;
	for (int pooler = 0; pooler < 2 && !feasible; pooler++) {
		if ((pooler && x->dep.pooler == POOLER_NEVER) || (!pooler && x->dep.pooler == POOLER_ALWAYS))
			continue;
		static const bool opts[4][2] = {{true, true}, {true, false}, {false, true}, {false, false}};
		for (int o = 0; o < 4; o++) {
			struct plan_shape v = *s;
			v.pooler = pooler;
			v.read_cache = opts[o][0];
			v.redis_ha = opts[o][1];
			b->evals++;
			if (planner_evaluate(&x->in, &v, d, c) != 0)
				continue; /* the shape cannot have these options: fewer */
			cost = c->cost.total;
			any = true;
			feasible = c->feasible;
			break;
		}
	}
	if (!any)
		return false;
	if (b->found && cost > b->cost + 1e-9)
		*over = true; /* dearer than the best so far: larger counts only cost more */
	if (feasible && (!b->found || cost < b->cost - 1e-9)) {
		b->found = true;
		b->cost = cost;
		b->stage = s->stage;
	}
	return true;
}

/* Every shape: stage x app plan x database x replicas x cache x workers x
 * node count, each with the best choice of free options. Loops over counts
 * stop only on cost (it grows with every count) and, for worker nodes, once
 * the worker nodes carry their tasks (each node's share of them only falls
 * with more nodes, and the rest of the shape only gets more connections). */
static void brute_force(const struct world *x, double users, struct brute *b)
{
	struct demand d;
	assert_int_equal(demand_at(&x->w, users, &d), 0);
	memset(b, 0, sizeof(*b));
	const struct catalog *cat = &x->cat;
	bool over;
	struct plan_candidate c;
	for (int st = 0; st < STAGE_COUNT; st++) {
		if (!x->dep.stage_allowed[st])
			continue;
		for (size_t i = 0; i < cat->n; i++) {
			const struct offer *a = &cat->offers[i];
			if (a->kind != OFFER_SERVER)
				continue;
			if (st <= STAGE_SINGLE_OPS) {
				struct plan_shape s = {.stage = (enum stage_kind)st, .app = a, .n_app = 1};
				if (x->dep.database != DB_MANAGED) {
					brute_try(x, &s, &d, b, &over, &c);
					continue;
				}
				for (size_t j = 0; j < cat->n; j++) {
					if (cat->offers[j].kind != OFFER_MANAGED_DB)
						continue;
					s.managed_db = &cat->offers[j];
					brute_try(x, &s, &d, b, &over, &c);
				}
				continue;
			}
			/* every database option x every cache option x workers x every count */
			for (size_t j = 0; j < cat->n; j++) {
				const struct offer *o = &cat->offers[j];
				bool self = o->kind == OFFER_SERVER && x->dep.database != DB_MANAGED;
				bool managed = o->kind == OFFER_MANAGED_DB && x->dep.database != DB_SELF;
				if (!self && !managed)
					continue;
				for (size_t ci = 0; ci <= cat->n; ci++) {
					const struct offer *mc = ci < cat->n ? &cat->offers[ci] : NULL;
					if (mc && mc->kind != OFFER_MANAGED_CACHE)
						continue;
					if (st == STAGE_SPLIT && mc)
						continue;
					/* workers on the app nodes (wi == cat->n) or of their own */
					for (size_t wi = 0; wi <= cat->n; wi++) {
						const struct offer *wn = wi < cat->n ? &cat->offers[wi] : NULL;
						if (wn && (wn->kind != OFFER_SERVER || st == STAGE_CLUSTER))
							continue;
						unsigned lo = st == STAGE_SPLIT ? 1 : st == STAGE_HA ? 2 : PLANNER_CLUSTER_MIN_NODES;
						unsigned hi = st == STAGE_SPLIT ? 1 : st == STAGE_HA ? PLANNER_HA_MAX_NODES
												  : PLANNER_CLUSTER_MAX_NODES;
						for (unsigned m = wn ? 1 : 0; m <= (wn ? PLANNER_MAX_WORKER_NODES : 0); m++) {
							bool carried = true, m_over = true, shaped = false;
							for (unsigned r = 0; r <= x->dep.max_replicas; r++) {
								bool r_over = true;
								for (unsigned n = lo; n <= hi; n++) {
									struct plan_shape s = {.stage = (enum stage_kind)st, .app = a,
											       .n_app = n, .managed_cache = mc,
											       .n_replicas = r, .wrk_node = wn, .n_wrk = m};
									if (self) {
										s.db_node = o;
										s.n_db = st == STAGE_SPLIT ? 1 : 2;
									} else {
										s.managed_db = o;
									}
									if (!brute_try(x, &s, &d, b, &over, &c))
										break;
									if (n == lo) {
										r_over = over;
										if (r == 0) {
											m_over = over;
											shaped = true;
											carried = !wn || !((c.util[PRES_WORKER_CPU] > c.limit[PRES_WORKER_CPU] + 1e-9) ||
													   (c.util[PRES_WORKER_MEMORY] > c.limit[PRES_WORKER_MEMORY] + 1e-9) ||
													   (c.has[PRES_TASK_SLOTS] && c.util[PRES_TASK_SLOTS] > c.limit[PRES_TASK_SLOTS] + 1e-9));
										}
									}
									if (over)
										break;
								}
								if (r_over)
									break;
							}
							if (!wn || !shaped || m_over || carried)
								break;
						}
					}
				}
			}
		}
	}
}


/* The search's properties, on the random worlds: cost never falls as users
 * grow (a shape that fails at some count fails at every larger one, and no
 * price falls with users); a tighter objective is never cheaper; planning one
 * milestone alone gives what the whole run gave for it. */
static void test_properties(void **state)
{
	(void)state;
	static struct world x;
	static struct plan_step all[6], one[1], tight[1];
	int checked = 0;
	for (uint64_t seed = 101; seed <= 124; seed++) {
		rng_state = seed * 0x9E3779B97F4A7C15ULL;
		random_world(&x);
		double users[6] = {5, 40, 300, 900, 2500, 6000};
		assert_int_equal(planner_run(&x.in, users, 6, all), 0);
		for (int i = 0; i < 6; i++) {
			/* --users agrees with the full plan */
			assert_int_equal(planner_run(&x.in, &users[i], 1, one), 0);
			assert_int_equal(one[0].feasible, all[i].feasible);
			if (all[i].feasible) {
				assert_near(one[0].best.cost.total, all[i].best.cost.total, 1e-9);
				assert_true(planner_shape_equal(&one[0].best.shape, &all[i].best.shape));
				assert_int_equal(one[0].next.found, all[i].next.found);
				assert_near(one[0].next.users, all[i].next.users, 0);
			}
			if (i > 0 && all[i].feasible) {
				/* cost never falls as users grow; once infeasible, always */
				assert_true(all[i - 1].feasible);
				assert_true(all[i].best.cost.total >= all[i - 1].best.cost.total - 1e-9);
			}
			if (!all[i].feasible)
				continue;
			/* the growth point: the shape holds just below it, not at it */
			if (all[i].next.found && !all[i].next.cheaper && all[i].next.users > users[i] + 1) {
				struct demand d;
				struct plan_candidate c;
				assert_int_equal(demand_at(&x.w, all[i].next.users, &d), 0);
				assert_int_equal(planner_evaluate(&x.in, &all[i].best.shape, &d, &c), 0);
				assert_false(c.feasible);
			}
			/* tighter objectives are never cheaper */
			struct objectives keep = x.obj;
			x.obj.availability = keep.availability > 0 ? 1 - (1 - keep.availability) / 2 : 0.99;
			x.obj.p95_s = keep.p95_s * 0.8;
			assert_int_equal(planner_run(&x.in, &users[i], 1, tight), 0);
			if (tight[0].feasible)
				assert_true(tight[0].best.cost.total >= all[i].best.cost.total - 1e-9);
			x.obj = keep;
			checked++;
		}
	}
	assert_true(checked > 40);
}

/* A read cache and Sentinel only ever help: turned on, a feasible shape stays
 * feasible, availability never falls, the database's load never rises, the
 * cost is the same. (The brute force relies on it.) */
static void test_options_never_hurt(void **state)
{
	(void)state;
	static struct world x;
	int pairs = 0;
	for (uint64_t seed = 201; seed <= 230; seed++) {
		rng_state = seed * 0x9E3779B97F4A7C15ULL;
		random_world(&x);
		struct demand d;
		assert_int_equal(demand_at(&x.w, 50 + 3000 * rnd(), &d), 0);
		for (size_t i = 0; i < x.cat.n; i++) {
			const struct offer *a = &x.offers[i];
			if (a->kind != OFFER_SERVER)
				continue;
			for (size_t j = 0; j < x.cat.n; j++) {
				const struct offer *o = &x.offers[j];
				if (o->kind != OFFER_SERVER && o->kind != OFFER_MANAGED_DB)
					continue;
				for (int st = STAGE_SINGLE; st < STAGE_COUNT; st++) {
					struct plan_shape s = {.stage = (enum stage_kind)st, .app = a,
							       .n_app = st == STAGE_HA ? 3 : st == STAGE_CLUSTER ? 4 : 1,
							       .n_replicas = st >= STAGE_SPLIT ? (unsigned)(rnd() * 3) : 0,
							       .pooler = rnd() < 0.5};
					if (st >= STAGE_SPLIT && o->kind == OFFER_SERVER) {
						s.db_node = o;
						s.n_db = st == STAGE_SPLIT ? 1 : 2;
					} else if (st >= STAGE_SPLIT) {
						s.managed_db = o;
					}
					struct plan_candidate c0, c1;
					if (planner_evaluate(&x.in, &s, &d, &c0) != 0)
						continue;
					for (int opt = 0; opt < 2; opt++) {
						struct plan_shape v = s;
						if (opt == 0)
							v.read_cache = true;
						else
							v.redis_ha = true;
						if (planner_evaluate(&x.in, &v, &d, &c1) != 0)
							continue;
						pairs++;
						assert_near(c1.cost.total, c0.cost.total, 1e-9);
						if (c0.feasible)
							assert_true(c1.feasible);
						assert_true(c1.availability >= c0.availability - 1e-15);
						for (int r = PRES_DB_CPU; r <= PRES_POOLER_POOL; r++)
							if (c0.has[r])
								assert_true(c1.util[r] <= c0.util[r] + 1e-12);
						assert_true(c1.util[PRES_CPU] <= c0.util[PRES_CPU] + 1e-12);
					}
				}
			}
		}
	}
	assert_true(pairs > 100);
}

static void test_brute_force(void **state)
{
	(void)state;
	static struct world x;
	static struct plan_step st[4];
	int feasible = 0, infeasible = 0, multi = 0, replicas = 0, pooled = 0, cached = 0, sentinel = 0, workers = 0;
	unsigned long evals = 0;
	for (uint64_t seed = 1; seed <= 40; seed++) {
		rng_state = seed * 0x9E3779B97F4A7C15ULL;
		random_world(&x);
		double users[4] = {5, 50 + 100 * rnd(), 500 + 1000 * rnd(), 2000 + 4000 * rnd()};
		assert_int_equal(planner_run(&x.in, users, 4, st), 0);
		for (int i = 0; i < 4; i++) {
			struct brute b;
			brute_force(&x, users[i], &b);
			evals += b.evals;
			if (b.found != st[i].feasible || (b.found && fabs(b.cost - st[i].best.cost.total) > 1e-6)) {
				fail_msg("seed %llu users %.0f: brute force %s %.4f (stage %d), planner %s %.4f (stage %d)",
					 (unsigned long long)seed, users[i], b.found ? "found" : "none", b.cost, b.stage,
					 st[i].feasible ? "found" : "none", st[i].best.cost.total, st[i].best.shape.stage);
			}
			if (b.found) {
				/* On equal cost the simpler stage wins. */
				assert_true(st[i].best.shape.stage <= b.stage);
				const struct plan_shape *s = &st[i].best.shape;
				feasible++;
				multi += s->stage >= STAGE_SPLIT;
				replicas += s->n_replicas > 0;
				pooled += s->pooler;
				cached += s->read_cache;
				sentinel += s->redis_ha;
				workers += s->wrk_node != NULL;
			} else {
				infeasible++;
				if (getenv("HR_TEST_VERBOSE"))
					print_message("seed %llu users %.0f infeasible: %s\n", (unsigned long long)seed, users[i],
						      WHY(st[i].why));
			}
		}
	}
	print_message("brute force: %d feasible, %d infeasible, %lu evaluations; chosen with replicas %d, "
		      "pooler %d, read cache %d, sentinel %d, worker nodes %d\n",
		      feasible, infeasible, evals, replicas, pooled, cached, sentinel, workers);
	/* The cases must exercise both verdicts, the multi-node stages and
	 * every dimension of the data tier. */
	assert_true(feasible > 20);
	assert_true(infeasible > 0);
	assert_true(multi > 5);
	assert_true(replicas > 0);
	assert_true(pooled > 0);
	assert_true(cached > 0);
	assert_true(sentinel > 0);
	assert_true(workers > 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_evaluate_by_hand),
		cmocka_unit_test(test_calibrated_by_hand),
		cmocka_unit_test(test_objectives_choose_stage),
		cmocka_unit_test(test_external_limit_infeasible),
		cmocka_unit_test(test_growth_point),
		cmocka_unit_test(test_check),
		cmocka_unit_test(test_pooler_by_hand),
		cmocka_unit_test(test_replicas_by_hand),
		cmocka_unit_test(test_worker_nodes_by_hand),
		cmocka_unit_test(test_sentinel_by_hand),
		cmocka_unit_test(test_managed_everywhere),
		cmocka_unit_test(test_next_cheaper),
		cmocka_unit_test(test_current),
		cmocka_unit_test(test_dedicated),
		cmocka_unit_test(test_month_of),
		cmocka_unit_test(test_properties),
		cmocka_unit_test(test_options_never_hurt),
		cmocka_unit_test(test_brute_force),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
