/* schema_workload.c - the key tables of `workload:`: who uses the service
 * and what each use costs (request and task classes, the external calls
 * they make, how the stored data grows). The walker is schema.c's. */
#include "config/schema_int.h"

#include <stddef.h>

#include "model/model.h"

/* workload.requests[].external and workload.tasks[].external */
static const struct key_spec ext_keys[] = {
	{"name", KT_STRING, F(struct ext_call, name), .flags = KF_REQUIRED,
	 .doc = "the external API (e.g. anthropic), for the cost breakdown"},
	{"calls", KT_NUMBER, F(struct ext_call, calls), .def = "1",
	 .doc = "calls per request or task", .why_default = "one call per request"},
	{"price", KT_MONEY_UNIT, F(struct ext_call, price),
	 .doc = "price per call; converted to economics.currency"},
	{"rate_limit", KT_RATE, F(struct ext_call, rate_limit),
	 .doc = "calls the account may make (a rate such as 50/s); absent = no limit"},
};
static SECTION(ext_section, "external call", struct ext_call, ext_keys);

static const struct key_spec request_keys[] = {
	{"name", KT_STRING, F(struct request_class, name), .flags = KF_REQUIRED, .doc = "name of the request class"},
	{"rate", KT_RATE, F(struct request_class, rate), .flags = KF_REQUIRED,
	 .doc = "requests per user online at the peak (a rate such as 6/min)"},
	{"duration", KT_DURATION, F(struct request_class, duration_s), .flags = KF_REQUIRED | KF_POSITIVE,
	 .doc = "wall time a request holds a connection and a worker slot"},
	{"cpu", KT_DURATION, F(struct request_class, cpu_s), .flags = KF_REQUIRED,
	 .doc = "CPU time per request on the app tier"},
	{"memory", KT_SIZE, F(struct request_class, memory_b), .doc = "memory held per in-flight request"},
	{"db_queries", KT_NUMBER, F(struct request_class, db_queries), .doc = "database queries per request"},
	{"db_query_time", KT_DURATION, F(struct request_class, db_query_s), .doc = "mean database time per query"},
	{"bytes_out", KT_SIZE, F(struct request_class, bytes_out), .doc = "response size"},
	{"bytes_in", KT_SIZE, F(struct request_class, bytes_in), .doc = "request size"},
	{"external", KT_SECTION, F(struct request_class, external), .sub = &ext_section,
	 .doc = "an external API each request calls"},
};
static SECTION(request_section, "request class", struct request_class, request_keys);

static void task_check(struct loader *L, void *base, const struct ynode *map, const char *path)
{
	if (map && !schema_get(map, "rate") && !schema_get(map, "rate_per_user"))
		schema_error(L, map, "%s: needs 'rate' (tasks regardless of users) or 'rate_per_user'", path);
	(void)base;
}

static const struct key_spec task_keys[] = {
	{"name", KT_STRING, F(struct task_class, name), .flags = KF_REQUIRED, .doc = "name of the task class"},
	{"rate", KT_RATE, F(struct task_class, rate), .doc = "tasks regardless of users (a rate such as 2/min)"},
	{"rate_per_user", KT_RATE, F(struct task_class, rate_per_user),
	 .doc = "tasks per user online at the peak, added to rate"},
	{"duration", KT_DURATION, F(struct task_class, duration_s), .flags = KF_REQUIRED | KF_POSITIVE,
	 .doc = "wall time a task holds a worker slot"},
	{"cpu", KT_DURATION, F(struct task_class, cpu_s), .flags = KF_REQUIRED, .doc = "CPU time per task"},
	{"memory", KT_SIZE, F(struct task_class, memory_b), .doc = "memory per running task"},
	{"db_queries", KT_NUMBER, F(struct task_class, db_queries), .doc = "database queries per task"},
	{"external", KT_SECTION, F(struct task_class, external), .sub = &ext_section,
	 .doc = "an external API each task calls"},
};
static SECTION(task_section, "task class", struct task_class, task_keys, .check = task_check);

static const struct key_spec storage_keys[] = {
	{"per_user", KT_SIZE, F(struct workload, storage_per_user_b), .doc = "database bytes per registered user"},
	{"base", KT_SIZE, F(struct workload, storage_base_b), .doc = "database bytes regardless of users"},
	{"files_per_user", KT_SIZE, F(struct workload, files_per_user_b),
	 .doc = "file/object bytes per user on disk, outside the database"},
};
static SECTION(storage_section, "storage", struct workload, storage_keys);

static const struct key_spec workload_keys[] = {
	{"users", KT_COUNT, F(struct workload, users), .flags = KF_REQUIRED, .max = WORKLOAD_MAX_USERS,
	 .doc = "registered users now"},
	{"growth", KT_RATIO, F(struct workload, growth_monthly), .max = 10,
	 .doc = "user growth per month (10%); at most 1000%"},
	{"milestones", KT_COUNT_LIST, F(struct workload, milestones), .count_off = offsetof(struct workload, n_milestones),
	 .max = WORKLOAD_MAX_USERS, .doc = "user counts to plan for, e.g. [500, 2000, 10k]"},
	{"daily_active", KT_RATIO, F(struct workload, daily_active), .flags = KF_REQUIRED | KF_POSITIVE, .max = 1,
	 .doc = "share of users active on a day"},
	{"peak_concurrent", KT_RATIO, F(struct workload, peak_concurrent), .flags = KF_REQUIRED | KF_POSITIVE, .max = 1,
	 .doc = "share of the day's active users online at the peak"},
	{"busy_time", KT_DURATION, F(struct workload, busy_s), .def = "8h", .max = 86400,
	 .doc = "how long a day the peak load lasts; monthly volumes (external calls, egress) = peak rate x this x 365/12",
	 .why_default = "a working day (headroom's assumption, docs/plan.md)"},
	{"db_read_share", KT_RATIO, F(struct workload, db_read_share), .def = "80%", .max = 1,
	 .doc = "share of the database queries that only read: read replicas and a read cache take these",
	 .why_default = "the low end of the 80-95 % reads quoted for web and CRUD apps (research notes, \"Read fraction\"); measure yours with pg_stat_statements"},
	{"cache_hit_ratio", KT_RATIO, F(struct workload, cache_hit_ratio), .max = 1,
	 .doc = "share of the read queries a Redis read cache would answer, when the planner adds one (seed 004, Tier 2 \"Add Redis Cache\"); absent = no read cache"},
	{"storage", KT_SECTION, .offset = 0, .sub = &storage_section, .doc = "how data grows"},
	{"requests", KT_LIST, F(struct workload, requests), .count_off = offsetof(struct workload, n_requests),
	 .sub = &request_section, .doc = "request classes"},
	{"tasks", KT_LIST, F(struct workload, tasks), .count_off = offsetof(struct workload, n_tasks),
	 .sub = &task_section, .doc = "background task classes"},
};
SECTION(schema_workload, "workload", struct workload, workload_keys);
