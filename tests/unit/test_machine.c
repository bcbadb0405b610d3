/* Unit tests for model/machine: which node a component gets in a plan step,
 * and how much of it, for every placement (own node, managed, shared). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <math.h>
#include <string.h>

#include "model/machine.h"
#include "testutil.h"

static const struct offer app_node = {.provider = "p", .name = "app-4gb", .kind = OFFER_SERVER, .vcpu = 2,
				      .memory_b = 4 * GIB};
static const struct offer db_node = {.provider = "p", .name = "db-8gb", .kind = OFFER_SERVER, .vcpu = 4,
				     .memory_b = 8 * GIB};
static const struct offer wrk_node = {.provider = "p", .name = "wrk-2gb", .kind = OFFER_SERVER, .vcpu = 1,
				      .memory_b = 2 * GIB};
static const struct offer managed = {.provider = "p", .name = "pg-2gb", .kind = OFFER_MANAGED_DB, .vcpu = 1,
				     .memory_b = 2 * GIB, .max_connections = 47};

static struct component comps[] = {
	{.name = "web", .kind = COMP_APP, .workers = 3, .memory_base_b = 256 * MIB, .db_pool = 5},
	{.name = "worker", .kind = COMP_WORKER, .workers = 2, .memory_base_b = 128 * MIB},
	{.name = "db", .kind = COMP_POSTGRES, .memory_b = 1 * GIB, .max_connections = 200},
	{.name = "cache", .kind = COMP_REDIS, .memory_b = 64 * MIB},
	{.name = "proxy", .kind = COMP_PROXY, .memory_base_b = 32 * MIB},
};

static struct planner_input input(size_t n)
{
	return (struct planner_input){.components = comps, .n_components = n};
}

static void test_db_placements(void **state)
{
	(void)state;
	struct planner_input in = input(5);
	struct plan_step st;
	memset(&st, 0, sizeof(st));
	st.best.shape.app = &app_node;
	st.demand.db_size_b = 3 * GIB;
	st.best.has[PRES_DB_CONNECTIONS] = true;
	st.best.util[PRES_DB_CONNECTIONS] = 0.25;
	struct machine m;
	const char *why = NULL;

	/* single: on the app node, the component's own 1 GiB. */
	assert_int_equal(machine_for_db(&in, &st, &m, &why), 0);
	assert_int_equal(m.where, MACHINE_SHARED);
	assert_ptr_equal(m.offer, &app_node);
	assert_near(m.memory_b, 1 * GIB, 0);
	assert_true(m.memory_from_config);
	assert_int_equal(m.max_connections, 200);
	assert_near(m.peak_connections, 50, 1e-9);
	assert_near(m.db_size_b, 3 * GIB, 0);

	/* ... all of the node when the config gives no memory. */
	comps[2].memory_b = 0;
	assert_int_equal(machine_for_db(&in, &st, &m, &why), 0);
	assert_near(m.memory_b, 4 * GIB, 0);
	assert_false(m.memory_from_config);
	comps[2].memory_b = 1 * GIB;

	/* split: its own node, all of it. */
	st.best.shape.db_node = &db_node;
	assert_int_equal(machine_for_db(&in, &st, &m, &why), 0);
	assert_int_equal(m.where, MACHINE_OWN_NODE);
	assert_near(m.memory_b, 8 * GIB, 0);
	assert_near(m.vcpu, 4, 0);

	/* PgBouncer and read replicas are said. */
	st.best.shape.pooler = true;
	st.best.shape.n_replicas = 2;
	assert_int_equal(machine_for_db(&in, &st, &m, &why), 0);
	assert_true(m.pooler);
	assert_int_equal(m.replicas, 2);
	st.best.shape.pooler = false;
	st.best.shape.n_replicas = 0;

	/* managed: the offer, and its connection limit. */
	st.best.shape.db_node = NULL;
	st.best.shape.managed_db = &managed;
	assert_int_equal(machine_for_db(&in, &st, &m, &why), 0);
	assert_int_equal(m.where, MACHINE_MANAGED);
	assert_int_equal(m.max_connections, 47);
	assert_near(m.peak_connections, 0.25 * 47, 1e-9);

	/* no postgres component; no deployment. */
	in = input(2);
	assert_int_equal(machine_for_db(&in, &st, &m, &why), HR_E_NOTFOUND);
	assert_non_null(strstr(why, "no postgres"));
	in = input(5);
	st.best.shape.app = NULL;
	assert_int_equal(machine_for_db(&in, &st, &m, &why), HR_E_INFEASIBLE);
}

static void test_app_share(void **state)
{
	(void)state;
	struct planner_input in = input(5);
	struct plan_step st;
	memset(&st, 0, sizeof(st));
	st.best.shape.app = &app_node;
	st.demand.app_cpu = 0.5;
	st.demand.app_inflight = 2;
	struct machine m;
	const char *why = NULL;
	/* single: the worker's 2 x 128 MiB, the database's 1 GiB, Redis 64 MiB
	 * and the proxy 32 MiB come off the node's 4 GiB. */
	assert_int_equal(machine_for_app(&in, &st, &comps[0], &m, &why), 0);
	assert_near(m.others_b, 256 * MIB + 1 * GIB + 64 * MIB + 32 * MIB, 0);
	assert_near(m.memory_b, 4 * GIB - m.others_b, 0);
	assert_near(m.cpu_share, 0.25, 1e-12);
	/* split with managed Redis: neither the database nor Redis is there. */
	st.best.shape.db_node = &db_node;
	st.best.shape.managed_cache = &managed;
	assert_int_equal(machine_for_app(&in, &st, &comps[0], &m, &why), 0);
	assert_near(m.others_b, 256 * MIB + 32 * MIB, 0);
	/* a worker: its tasks' share; the app's 3 x 256 MiB are on the node. */
	st.demand.task_cpu = 0.1;
	st.demand.task_inflight = 1;
	assert_int_equal(machine_for_app(&in, &st, &comps[1], &m, &why), 0);
	assert_near(m.others_b, 768 * MIB + 32 * MIB, 0);
	assert_near(m.cpu_share, 0.1, 1e-12);
	/* no tasks in flight: unknown. */
	st.demand.task_inflight = 0;
	assert_int_equal(machine_for_app(&in, &st, &comps[1], &m, &why), 0);
	assert_true(isnan(m.cpu_share));
	/* workers on nodes of their own: the worker's node holds the workers
	 * only, and the app node no longer holds them. */
	st.best.shape.wrk_node = &wrk_node;
	assert_int_equal(machine_for_app(&in, &st, &comps[1], &m, &why), 0);
	assert_ptr_equal(m.offer, &wrk_node);
	assert_near(m.others_b, 0, 0);
	assert_int_equal(machine_for_app(&in, &st, &comps[0], &m, &why), 0);
	assert_ptr_equal(m.offer, &app_node);
	assert_near(m.others_b, 32 * MIB, 0);
	/* the database is not an app server. */
	assert_int_equal(machine_for_app(&in, &st, &comps[2], &m, &why), HR_E_INVALID);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_db_placements),
		cmocka_unit_test(test_app_share),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
