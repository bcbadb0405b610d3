/* Unit tests for render/reason: each kind of a planner's reason in the words
 * the plan has always printed (a table of reasons and their exact text), and
 * the cut of reason_text(). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <string.h>

#include "render/reason.h"
#include "util/units.h"

struct reason_case {
	struct plan_reason r;
	const char *want;
};

/* Minutes a month as an unavailability (43,800 min = 730 h). */
#define MIN_U(m) ((m) * 60 / UNITS_SECONDS_PER_MONTH)

static const struct reason_case cases[] = {
	{{.kind = PLAN_REASON_NONE}, ""},
	{{.kind = PLAN_REASON_EXT_RATE, .name = "anthropic", .rate = 83.33, .target = 0.8, .rate_limit = 66.67},
	 "anthropic calls at 83.3/s need more than 80% of its 66.7/s rate limit; no deployment changes that "
	 "(raise the limit or spread keys)"},
	{{.kind = PLAN_REASON_NO_SHAPE}, "the catalogue offers no shape for the allowed stages and providers"},
	{{.kind = PLAN_REASON_NOT_AT_ONCE, .res = PRES_DB_DISK},
	 "every constraint is met by some shape, but none meets them all at once; the closest fails on db_disk"},
	{{.kind = PLAN_REASON_AVAIL_UNMONITORED, .target = 0.999999},
	 "availability: no allowed stage has monitoring and backups, which a 100.000% objective needs"},
	{{.kind = PLAN_REASON_AVAIL_BEST, .target = 0.999, .best = 0.995},
	 "availability: no shape reaches the 99.900% objective (the best: 99.500%)"},
	{{.kind = PLAN_REASON_AVAIL_BEST, .target = 0.999999, .best = 0.99838, .name = "lb", .part_u = MIN_U(43.8),
	  .total_u = MIN_U(70.7)},
	 "availability: no shape reaches the 100.000% objective (the best: 99.838%); the closest shape's largest "
	 "downtime is the lb, 43.8 of 70.7 min a month"},
	{{.kind = PLAN_REASON_P95, .target = 0.5, .best = 0.7123}, "p95: no shape answers within 0.5 s (the best: 0.712 s)"},
	{{.kind = PLAN_REASON_LIMIT, .res = PRES_DB_CPU, .target = 0.8, .best = 3.056},
	 "db_cpu: no shape keeps it under 80% (the best reaches 306%)"},
	{{.kind = PLAN_REASON_FIX_POOLER}, "a connection pooler (deployment.pooler.use: any)"},
	{{.kind = PLAN_REASON_FIX_MAX_CONNECTIONS, .name = "postgres", .value = 200},
	 "components.postgres.max_connections: 200 (each connection costs the server memory)"},
	{{.kind = PLAN_REASON_FIX_MAX_CONNECTIONS, .value = 1000},
	 "components.?.max_connections: 1000 (each connection costs the server memory)"},
	{{.kind = PLAN_REASON_FIX_DB_POOL, .n_pools = 2, .pools = {{"api", 2}, {"workers", 1}}},
	 "components.api.db_pool: 2, components.workers.db_pool: 1"},
	{{.kind = PLAN_REASON_FIX_DB_POOL, .n_pools = 1, .pools = {{NULL, 5}}}, "components.?.db_pool: 5"},
	{{.kind = PLAN_REASON_FIX_DB_POOL,
	  .n_pools = 9,
	  .pools = {{"a", 1}, {"b", 1}, {"c", 1}, {"d", 1}, {"e", 1}, {"f", 1}, {"g", 1}, {"h", 1}}},
	 "components.a.db_pool: 1, components.b.db_pool: 1, components.c.db_pool: 1, components.d.db_pool: 1, "
	 "components.e.db_pool: 1, components.f.db_pool: 1, components.g.db_pool: 1, components.h.db_pool: 1, ..."},
	{{.kind = PLAN_REASON_FIX_MAX_CLIENT_CONN, .value = 200}, "deployment.pooler.max_client_conn: 200"},
	{{.kind = PLAN_REASON_FIX_MAX_REPLICAS, .value = 15}, "deployment.max_read_replicas: 15"},
	{{.kind = PLAN_REASON_FIX_ALL_STAGES}, "every stage (deployment.stages left out)"},
	{{.kind = PLAN_REASON_FIX_ANY_DATABASE}, "deployment.database: any"},
	{{.kind = PLAN_REASON_FIX_ALL_PROVIDERS}, "every provider of the catalogue (deployment.providers left out)"},
	{{.kind = PLAN_REASON_CUR_UNKNOWN_PLAN, .name = "cx99"}, "plan 'cx99' is not in the catalogue"},
	{{.kind = PLAN_REASON_CUR_UNKNOWN_PLAN}, "plan '?' is not in the catalogue"},
	{{.kind = PLAN_REASON_CUR_REPLICA_PLANS, .name = "cx22", .other = "cx32"},
	 "replicas of two plans ('cx22', 'cx32'): the model has one plan per role"},
	{{.kind = PLAN_REASON_CUR_NOT_A_NODE, .name = "hetzner-lb"}, "'hetzner-lb' is not a node the model places"},
	{{.kind = PLAN_REASON_CUR_CACHE_NODE},
	 "a node of its own for Redis is not modelled (Redis runs on the app nodes, or a managed offer)"},
	{{.kind = PLAN_REASON_CUR_ROLE_PLANS, .name = "cx22", .other = "cx32"},
	 "nodes of two plans ('cx22', 'cx32') in one role: the model has one plan per role"},
	{{.kind = PLAN_REASON_CUR_REPLICA_OF, .name = "medium", .other = "large"},
	 "replicas of 'medium' beside large: the model's replicas are of the database's own plan"},
	{{.kind = PLAN_REASON_CUR_REPLICA_OF, .name = "medium"},
	 "replicas of 'medium' beside no database: the model's replicas are of the database's own plan"},
	{{.kind = PLAN_REASON_CUR_NOT_A_STAGE, .stage = STAGE_SPLIT},
	 "these nodes are not a 'split' stage (single: one node; split: one app and one db node or a managed "
	 "database; ha: 2-5 app nodes, a db pair or a managed database; cluster: at least 3 nodes; workers of "
	 "their own on split and ha), or the provider sells no load balancer or control plane the stage needs"},
};

/* Every case in its exact words, through reason_write() and reason_text(). */
static void test_words(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct strbuf sb;
		strbuf_init(&sb, 0);
		assert_int_equal(reason_write(&sb, &cases[i].r), 0);
		if (strcmp(strbuf_str(&sb), cases[i].want) != 0)
			fail_msg("case %zu: '%s', want '%s'", i, strbuf_str(&sb), cases[i].want);
		char buf[1024];
		assert_string_equal(reason_text(&cases[i].r, buf, sizeof(buf)), cases[i].want);
		strbuf_free(&sb);
	}
}

/* Every kind says something; none but NONE is empty. */
static void test_every_kind(void **state)
{
	(void)state;
	for (int k = PLAN_REASON_NONE + 1; k < PLAN_REASON_COUNT; k++) {
		struct plan_reason r = {.kind = (enum plan_reason_kind)k, .n_pools = 1, .pools = {{"app", 1}}};
		char buf[REASON_STEP_MAX];
		if (reason_text(&r, buf, sizeof(buf))[0] == 0)
			fail_msg("kind %d has no words", k);
	}
}

/* reason_text() cuts to the buffer, as the fixed fields it replaces did: the
 * stage sentence is longer than REASON_SHORT_MAX. */
static void test_cut(void **state)
{
	(void)state;
	struct plan_reason r = {.kind = PLAN_REASON_CUR_NOT_A_STAGE, .stage = STAGE_HA};
	char buf[REASON_SHORT_MAX];
	const char *t = reason_text(&r, buf, sizeof(buf));
	assert_ptr_equal(t, buf);
	assert_int_equal(strlen(t), REASON_SHORT_MAX - 1);
	assert_string_equal(t + strlen(t) - 32, "at least 3 nodes; workers of the");
	assert_string_equal(reason_text(&r, buf, 1), "");
	assert_string_equal(reason_text(&r, buf, 6), "these");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_words),
		cmocka_unit_test(test_every_kind),
		cmocka_unit_test(test_cut),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
