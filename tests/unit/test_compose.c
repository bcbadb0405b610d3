/* Unit tests for config/compose (reading a compose file), the recognition
 * of services, render/yamlw (the scalar quoting every export relies on),
 * model/draft's plan matching and model/placement's figures. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "config/compose.h"
#include "model/draft.h"
#include "model/placement.h"
#include "render/yamlw.h"
#include "util/strbuf.h"

static struct compose_project *load_ok(const char *text)
{
	struct strbuf msgs;
	strbuf_init(&msgs, 0);
	struct diag d;
	diag_init_mem(&d, &msgs);
	struct compose_project *p = NULL;
	int rc = compose_load_string("c.yml", text, strlen(text), &d, &p);
	if (rc)
		fail_msg("rejected: %s", strbuf_str(&msgs));
	strbuf_free(&msgs);
	return p;
}

static void expect_error(const char *text, const char *want)
{
	struct strbuf msgs;
	strbuf_init(&msgs, 0);
	struct diag d;
	diag_init_mem(&d, &msgs);
	struct compose_project *p = NULL;
	int rc = compose_load_string("c.yml", text, strlen(text), &d, &p);
	assert_int_not_equal(rc, 0);
	assert_null(p);
	if (strcmp(strbuf_str(&msgs), want) != 0)
		fail_msg("messages differ\n--- got\n%s--- want\n%s", strbuf_str(&msgs), want);
	strbuf_free(&msgs);
}

static void test_read(void **state)
{
	(void)state;
	struct compose_project *p = load_ok("services:\n"
					    "  base:\n"
					    "    image: ghcr.io/a/b:1.2\n"
					    "    mem_limit: 1.5g\n"
					    "    expose: [\"8000\"]\n"
					    "  web:\n"
					    "    extends: base\n"
					    "    command: [gunicorn, app:wsgi, -w, \"3\"]\n"
					    "    ports: [\"127.0.0.1:80:8080/tcp\"]\n"
					    "    deploy:\n"
					    "      replicas: 2\n"
					    "      resources: {limits: {cpus: '0.5', memory: 512M}, reservations: {memory: 256m}}\n"
					    "    healthcheck: {test: [CMD-SHELL, \"curl -f http://localhost:8080/up?x=1 || exit 1\"]}\n"
					    "    profiles: [debug]\n");
	assert_int_equal(p->n, 2);
	const struct compose_service *w = &p->services[1];
	assert_string_equal(w->name, "web");
	assert_int_equal(w->line, 6);
	assert_int_equal(w->col, 3);
	assert_string_equal(w->image, "ghcr.io/a/b:1.2"); /* from its base */
	assert_string_equal(w->command, "gunicorn app:wsgi -w 3");
	assert_int_equal(w->replicas, 2);
	assert_true(fabs(w->mem_limit_b - 512.0 * 1048576) < 1);
	assert_true(fabs(w->mem_reservation_b - 256.0 * 1048576) < 1);
	assert_true(fabs(w->cpus_limit - 0.5) < 1e-9);
	assert_int_equal(w->port, 8080); /* its own ports, not the base's expose */
	assert_string_equal(w->health, "/up?x=1");
	assert_int_equal(w->n_profiles, 1);
	assert_true(fabs(p->services[0].mem_limit_b - 1.5 * 1073741824.0) < 1);
	compose_free(p);
}

static void test_errors(void **state)
{
	(void)state;
	expect_error("services:\n  a:\n    build: .\n  b:\n    restart: always\n",
		     "c.yml:4:3: error: services.b: has neither 'image' nor 'build'; headroom cannot tell what it runs\n");
	expect_error("service:\n  a: {image: x}\n",
		     "c.yml:1:1: error: unknown top-level key 'service' in a Compose file; did you mean 'services'?\n");
	expect_error("- a\n", "c.yml:1:1: error: expected a Compose file: a mapping with 'services' at the top, got a list\n");
	expect_error("services:\n  a:\n    image: x\n    mem_limit: 2 parsecs\n",
		     "c.yml:4:16: error: services.a.mem_limit: expected a byte size such as 512m or 2g, got '2 parsecs'\n");
	expect_error("services:\n  a:\n    extends: {service: nope}\n    image: x\n",
		     "c.yml:3:24: error: services.a.extends: no service 'nope' in c.yml\n");
	expect_error("services:\n  a: [1]\n", "c.yml:2:6: error: services.a: expected a mapping with image or build, got a list\n");
	expect_error("services:\n  a:\n    image: x\n    deploy: {replicas: many}\n",
		     "c.yml:4:24: error: services.a.deploy.replicas: expected a whole number from 0 to 10000, got 'many'\n");
}

static void kind_of(const char *image, const char *command, const char *name, enum component_kind want,
		    enum compose_framework fw, bool assumed)
{
	struct compose_service s = {.name = (char *)name, .image = (char *)image, .command = (char *)command,
				    .build = image ? NULL : (char *)"."};
	struct compose_kind k;
	compose_classify(&s, &k);
	if (k.kind != want || k.framework != fw || k.assumed != assumed)
		fail_msg("%s / %s: kind %d fw %d assumed %d (%s)", image ? image : "-", command ? command : "-", k.kind,
			 k.framework, k.assumed, k.why);
}

static void test_classify(void **state)
{
	(void)state;
	kind_of("docker.io/library/postgres:16", NULL, "db", COMP_POSTGRES, FW_NONE, false);
	kind_of("timescale/timescaledb:2.23.0-pg18", NULL, "db", COMP_POSTGRES, FW_NONE, false);
	kind_of("localhost:5000/postgis/postgis:16-3.4@sha256:abc", NULL, "db", COMP_POSTGRES, FW_NONE, false);
	kind_of("valkey/valkey:8", NULL, "q", COMP_REDIS, FW_NONE, false);
	kind_of("eqalpha/keydb", NULL, "q", COMP_REDIS, FW_NONE, false);
	kind_of("traefik:v3.2", NULL, "edge", COMP_PROXY, FW_NONE, false);
	kind_of("haproxy:2.9", NULL, "lb", COMP_PROXY, FW_NONE, false);
	kind_of("app:1", "celery -A x worker -c 4", "w", COMP_WORKER, FW_CELERY, false);
	kind_of("app:1", "celery -A x beat", "b", COMP_OTHER, FW_NONE, false);
	kind_of("app:1", "rq worker high", "w", COMP_WORKER, FW_RQ, false);
	kind_of("app:1", "bundle exec sidekiq -c 10", "w", COMP_WORKER, FW_SIDEKIQ, false);
	kind_of("node:20", "node dist/worker.js", "jobs", COMP_WORKER, FW_BULLMQ, false);
	kind_of("node:20", "node dist/server.js", "api", COMP_APP, FW_NONE, true);
	kind_of("myco/api:3", NULL, "background-worker", COMP_WORKER, FW_NONE, true);
	kind_of("myco/api:3", "gunicorn app", "api", COMP_APP, FW_NONE, true);
	kind_of("grafana/grafana", NULL, "g", COMP_OTHER, FW_NONE, false);
	/* "rq" inside another word is not RQ. */
	kind_of("app:1", "python manage.py runserver --rqueue worker", "api", COMP_APP, FW_NONE, true);
	char buf[64];
	assert_string_equal(compose_image_repo("ghcr.io/Org/API:1.2@sha256:ff", buf, sizeof(buf)), "api");
	assert_string_equal(compose_image_repo("localhost:5000/redis", buf, sizeof(buf)), "redis");
}

static void test_flags_bytes(void **state)
{
	(void)state;
	static const char *const w[] = {"-w", "--workers", NULL};
	char *v = NULL;
	assert_int_equal(compose_flag("gunicorn -b :80 --workers=5", w, &v), 0);
	assert_string_equal(v, "5");
	free(v);
	assert_int_equal(compose_flag("gunicorn -w4", w, &v), 0);
	assert_string_equal(v, "4");
	free(v);
	assert_int_equal(compose_flag("gunicorn --workers '3'", w, &v), 0);
	assert_string_equal(v, "3");
	free(v);
	assert_int_equal(compose_flag("gunicorn --worker-class x", w, &v), HR_E_NOTFOUND);
	double b;
	assert_int_equal(compose_parse_bytes("512m", &b), 0);
	assert_true(b == 512.0 * 1048576);
	assert_int_equal(compose_parse_bytes("1GB", &b), 0);
	assert_true(b == 1073741824.0);
	assert_int_equal(compose_parse_bytes("100", &b), 0);
	assert_true(b == 100);
	assert_int_equal(compose_parse_bytes("-1g", &b), HR_E_INVALID);
	assert_int_equal(compose_parse_bytes("1x", &b), HR_E_INVALID);
}

static void test_yamlw(void **state)
{
	(void)state;
	/* What a YAML 1.1 reader (PyYAML, docker-compose) would take for something else. */
	const char *quote[] = {"", "yes", "No", "on", "null", "~", "8080", "80:80", "1e3", "-x", ".5", "a: b", "a #b",
			       "*ref", "&a", "!tag", "{x}", "[x]", "'q'", "\"q\"", "%x", "@x", "`x", "|", ">", "a\nb"};
	for (size_t i = 0; i < sizeof(quote) / sizeof(quote[0]); i++)
		if (yamlw_plain_ok(quote[i]))
			fail_msg("'%s' must be quoted", quote[i]);
	const char *plain[] = {"redis:7-alpine", "ghcr.io/a/b:1.2", "/health", "celery", "bull:agents:wait", "api_v2"};
	for (size_t i = 0; i < sizeof(plain) / sizeof(plain[0]); i++)
		if (!yamlw_plain_ok(plain[i]))
			fail_msg("'%s' may be plain", plain[i]);
	struct strbuf sb;
	strbuf_init(&sb, 0);
	assert_int_equal(yamlw_str(&sb, "a\"b\\c\n\x01"), 0);
	assert_string_equal(strbuf_str(&sb), "\"a\\\"b\\\\c\\n\\x01\"");
	strbuf_free(&sb);
	char buf[32];
	assert_string_equal(yamlw_size(512.0 * 1048576, buf, sizeof(buf)), "512MiB");
	assert_string_equal(yamlw_size(20000, buf, sizeof(buf)), "20kB");
	assert_string_equal(yamlw_duration(0.12, buf, sizeof(buf)), "120ms");
	assert_string_equal(yamlw_duration(7200, buf, sizeof(buf)), "2h");
	assert_string_equal(yamlw_rate(0.1, buf, sizeof(buf)), "6/min");
	assert_string_equal(yamlw_rate(1.0 / 3600, buf, sizeof(buf)), "1/h");
}

static void test_nearest_plan(void **state)
{
	(void)state;
	struct offer o[] = {
		{.provider = "p", .name = "small", .kind = OFFER_SERVER, .vcpu = 2, .memory_b = 4e9, .disk_b = 40e9, .price = 5},
		{.provider = "p", .name = "mid", .kind = OFFER_SERVER, .vcpu = 4, .memory_b = 8e9, .disk_b = 80e9, .price = 10},
		{.provider = "q", .name = "mid-cheap", .kind = OFFER_SERVER, .vcpu = 4, .memory_b = 8e9, .disk_b = 80e9, .price = 9},
		{.provider = "q", .name = "free", .kind = OFFER_SERVER, .vcpu = 4, .memory_b = 8e9, .disk_b = 80e9, .price = 0,
		 .non_commercial = true},
		{.provider = "q", .name = "lb", .kind = OFFER_LB, .price = 1},
	};
	struct catalog cat = {o, 5};
	assert_string_equal(draft_nearest_plan(&cat, 4, 7.8e9, 100e9, NULL)->name, "mid-cheap");
	assert_string_equal(draft_nearest_plan(&cat, 4, 7.8e9, 100e9, "p")->name, "mid");
	assert_string_equal(draft_nearest_plan(&cat, 1, 2e9, 20e9, NULL)->name, "small");
	assert_null(draft_nearest_plan(&cat, 1, 2e9, 20e9, "none"));
}

static void test_placement(void **state)
{
	(void)state;
	struct component comps[] = {
		{.name = "api", .kind = COMP_APP, .workers = 2, .concurrency = 10, .memory_base_b = 100 * 1048576.0},
		{.name = "w", .kind = COMP_WORKER, .workers = 1, .concurrency = 4, .memory_base_b = 200 * 1048576.0},
		{.name = "db", .kind = COMP_POSTGRES, .memory_base_b = 1024 * 1048576.0},
	};
	struct offer node = {.name = "n", .kind = OFFER_SERVER, .vcpu = 4, .memory_b = 8e9};
	struct objectives obj = {.memory_max = 0.8};
	struct workload wl = {0};
	struct planner_input in = {.workload = &wl, .components = comps, .n_components = 3, .objectives = &obj};
	struct plan_step st;
	memset(&st, 0, sizeof(st));
	st.best.shape.app = &node;
	st.best.shape.n_app = 2;
	st.best.app_replicas = 2;
	st.demand.app_cpu = 1.0;     /* cores over 2 nodes x 2 replicas */
	st.demand.app_mem_b = 400 * 1048576.0;
	st.demand.task_cpu = 0.8;
	st.demand.task_rate = 2;     /* tasks/s */
	st.demand.task_inflight = 4; /* -> 2 s a task (Little) */
	struct placement p[3];
	assert_int_equal(placement_compute(&in, &st, p), 0);
	assert_int_equal(p[0].replicas, 4);
	assert_true(fabs(p[0].cpu_request - 0.25) < 1e-9);
	assert_true(fabs(p[0].cpu_limit - 2) < 1e-9);
	assert_true(fabs(p[0].mem_request_b - (200 + 100) * 1048576.0) < 1);
	assert_true(fabs(p[0].mem_limit_b - p[0].mem_request_b / 0.8) < 1);
	/* Workers: floor(4 vCPU / 1) = 4 per node, 8 in all; 4 slots / 2 s x 30 s = 60. */
	assert_int_equal(p[1].replicas, 8);
	assert_true(fabs(p[1].task_s - 2) < 1e-9);
	assert_int_equal(p[1].queue_target, 60);
	assert_true(fabs(p[1].cpu_request - 0.1) < 1e-9);
	assert_int_equal(p[2].replicas, 1);
	assert_int_equal(p[2].where, PLACE_NODE);
	assert_true(p[2].cpu_request <= p[2].cpu_limit);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_read),
		cmocka_unit_test(test_errors),
		cmocka_unit_test(test_classify),
		cmocka_unit_test(test_flags_bytes),
		cmocka_unit_test(test_yamlw),
		cmocka_unit_test(test_nearest_plan),
		cmocka_unit_test(test_placement),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
