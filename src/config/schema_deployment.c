/* schema_deployment.c - the key tables of `components:` (the services and
 * how each runs) and `deployment:` (where and how the planner may place
 * them: providers, stages, the database, the pooler, what runs today).
 * The walker is schema.c's. */
#include "config/schema_int.h"

#include <stddef.h>

#include "model/model.h"

const char *const schema_stage_names[] = {"single", "single+ops", "split", "ha", "cluster", NULL};
static const char *const component_kinds[] = {"app", "worker", "postgres", "redis", "proxy", "other", NULL};
static const char *const db_modes[] = {"any", "self", "managed", NULL};
static const char *const pooler_modes[] = {"any", "never", "always", NULL};

static const struct key_spec component_keys[] = {
	{"kind", KT_ENUM, F(struct component, kind), .flags = KF_REQUIRED, .names = component_kinds,
	 .doc = "app | worker | postgres | redis | proxy | other"},
	{"workers", KT_UINT, F(struct component, workers), .def = "1", .flags = KF_POSITIVE,
	 .doc = "processes per replica (uvicorn/gunicorn --workers)", .why_default = "one process"},
	{"concurrency", KT_UINT, F(struct component, concurrency), .def = "1", .flags = KF_POSITIVE,
	 .doc = "in-flight requests or tasks per process",
	 .why_default = "a synchronous worker serves one at a time"},
	{"memory", KT_SIZE, F(struct component, memory_base_b),
	 .doc = "app/worker/proxy/other: resident bytes per process; postgres/redis: memory to reserve"},
	{"cpu_idle", KT_NUMBER, F(struct component, cpu_base), .doc = "cores used at idle"},
	{"db_pool", KT_UINT, F(struct component, db_pool), .doc = "database connections per process"},
	{"max_connections", KT_UINT, F(struct component, max_connections), .def = "100", .flags = KF_POSITIVE,
	 .doc = "postgres: max_connections",
	 .why_default = "PostgreSQL's own default (postgresql.org/docs/current/runtime-config-connection.html)"},
	/* How it runs: read by init and export only (docs/export.md). */
	{"image", KT_STRING, F(struct component, image),
	 .doc = "container image for export, e.g. redis:7-alpine; absent = the kind's default image (app/worker: none, build or set one)"},
	{"build", KT_STRING, F(struct component, build), .doc = "compose build context for export, e.g. ./apps/api"},
	{"command", KT_STRING, F(struct component, command), .doc = "command line for export; absent = the image's own"},
	{"port", KT_UINT, F(struct component, port), .flags = KF_POSITIVE, .max = 65535,
	 .doc = "port the service listens on, for health checks, probes and the proxy; absent = the kind's default"},
	{"health", KT_STRING, F(struct component, health),
	 .doc = "HTTP path health checks and probes ask, e.g. /health; absent = a TCP check on the port"},
	{"queue", KT_STRING, F(struct component, queue),
	 .doc = "worker: the Redis list it consumes (celery, bull:NAME:wait), for the KEDA trigger"},
	{"profiles", KT_STR_LIST, F(struct component, profiles), .count_off = offsetof(struct component, n_profiles),
	 .doc = "compose profiles the service belongs to (kept by init, written by export compose)"},
};
SECTION(schema_component, "component", struct component, component_keys,
	.name_off = offsetof(struct component, name));

static const struct key_spec node_keys[] = {
	{"role", KT_STRING, F(struct node_group, role), .def = "all",
	 .doc = "what runs on these nodes: all, app, db, worker, ...", .why_default = "one node runs everything"},
	{"plan", KT_STRING, F(struct node_group, plan), .flags = KF_REQUIRED, .doc = "catalogue entry name, e.g. cx22"},
	{"count", KT_UINT, F(struct node_group, count), .def = "1", .flags = KF_POSITIVE, .doc = "how many such nodes",
	 .why_default = "one node"},
};
static SECTION(node_section, "node group", struct node_group, node_keys);

static const struct key_spec current_keys[] = {
	{"stage", KT_ENUM, F(struct deployment, current_stage), .flags = KF_REQUIRED, .names = schema_stage_names,
	 .doc = "the stage running today"},
	{"nodes", KT_LIST, F(struct deployment, current), .count_off = offsetof(struct deployment, n_current),
	 .sub = &node_section, .doc = "the nodes running today"},
};
static SECTION(current_section, "current deployment", struct deployment, current_keys);

static const struct key_spec pooler_keys[] = {
	{"use", KT_ENUM, F(struct deployment, pooler), .def = "any", .names = pooler_modes,
	 .doc = "a PgBouncer in front of the database (transaction pooling): any (where a shape needs it) | never | always",
	 .why_default = "let the planner compare, as for deployment.database"},
	{"pool_size", KT_UINT, F(struct deployment, pool_size), .def = "20", .flags = KF_POSITIVE,
	 .doc = "server connections the pooler holds to each database server",
	 .why_default = "PgBouncer's default_pool_size (pgbouncer.org/config.html)"},
	{"max_client_conn", KT_UINT, F(struct deployment, max_client_conn), .def = "100", .flags = KF_POSITIVE,
	 .doc = "client connections one pooler accepts (every process's db_pool ends there)",
	 .why_default = "PgBouncer's default max_client_conn (pgbouncer.org/config.html)"},
};
static SECTION(pooler_section, "pooler", struct deployment, pooler_keys);

static const struct key_spec deployment_keys[] = {
	{"providers", KT_STR_LIST, F(struct deployment, providers), .count_off = offsetof(struct deployment, n_providers),
	 .doc = "catalogue providers the planner may use; absent = all"},
	{"stages", KT_STAGE_SET, F(struct deployment, stage_allowed),
	 .doc = "stage templates the planner may use: single, single+ops, split, ha, cluster; absent = all"},
	{"database", KT_ENUM, F(struct deployment, database), .def = "any", .names = db_modes,
	 .doc = "how the database may run: any | self | managed", .why_default = "let the planner compare"},
	{"pooler", KT_SECTION, .offset = 0, .sub = &pooler_section, .doc = "the connection pooler"},
	{"max_read_replicas", KT_UINT, F(struct deployment, max_replicas), .def = "15", .max = 15,
	 .doc = "most read replicas of the database the planner tries (0 = none)",
	 .why_default = "Amazon RDS: each DB instance can have up to 15 read replicas (RDS API, CreateDBInstanceReadReplica)"},
	{"current", KT_SECTION, .offset = 0, .sub = &current_section, .flags = KF_PRESENT,
	 .flag_off = offsetof(struct deployment, has_current), .doc = "what runs today"},
};
SECTION(schema_deployment, "deployment", struct deployment, deployment_keys);
