/* schema_sources.c - the key tables of what is measured: `metrics:` (the
 * live metric sources), `agent:` (the daemon that samples them) and
 * `calibration:` (what headroom bench --calibrate measured). The walker is
 * schema.c's. */
#include "config/schema_int.h"

#include <stddef.h>

#include "config/config.h"
#include "model/model.h"
#include "model/source_config.h"

static const char *const source_types[] = {"local", "prometheus", "postgres", "redis", "http", NULL};

static const struct key_spec source_keys[] = {
	{"name", KT_STRING, F(struct source_config, name), .doc = "unique name; absent = the type"},
	{"type", KT_STRING, F(struct source_config, type), .flags = KF_REQUIRED, .names = source_types,
	 .doc = "local | prometheus | postgres | redis | http"},
	{"url", KT_STRING, F(struct source_config, url), .doc = "prometheus base URL, http probe URL or redis://HOST:PORT"},
	{"dsn", KT_STRING, F(struct source_config, dsn), .doc = "postgres connection string"},
	{"user", KT_STRING, F(struct source_config, user), .doc = "basic-auth user"},
	{"password", KT_STRING, F(struct source_config, password), .doc = "basic-auth password (use ${VAR})"},
	{"token", KT_STRING, F(struct source_config, token), .doc = "bearer token (use ${VAR})"},
	{"queues", KT_STR_LIST, F(struct source_config, queues), .count_off = offsetof(struct source_config, n_queues),
	 .doc = "redis: list keys whose length is a queue depth"},
	{"cgroup", KT_STRING, F(struct source_config, cgroup), .doc = "local: cgroup v2 path or container to read"},
	{"mounts", KT_STR_LIST, F(struct source_config, mounts), .count_off = offsetof(struct source_config, n_mounts),
	 .doc = "local: mount points for disk use; absent = /"},
	{"queries", KT_QUERY_MAP, F(struct source_config, queries), .count_off = offsetof(struct source_config, n_queries),
	 .doc = "prometheus: metric name -> PromQL"},
	{"probes", KT_UINT, F(struct source_config, probes), .def = "10", .flags = KF_POSITIVE, .max = 10000,
	 .doc = "http: requests per sample", .why_default = "enough for a p95 of one sample to mean something, cheap enough for every 10s"},
	{"timeout", KT_DURATION, F(struct source_config, timeout_s), .def = "5s", .flags = KF_POSITIVE,
	 .doc = "per operation", .why_default = "half the default agent interval, so a slow source cannot stall a cycle"},
};
static SECTION(source_section, "metric source", struct source_config, source_keys);

static const struct key_spec metrics_keys[] = {
	{"sources", KT_LIST, F(struct config, sources), .count_off = offsetof(struct config, n_sources),
	 .sub = &source_section, .doc = "where live metrics come from; absent = local only"},
};
SECTION(schema_metrics, "metrics", struct config, metrics_keys);

static const struct key_spec agent_keys[] = {
	{"listen", KT_STRING, F(struct agent_config, listen), .def = "127.0.0.1:9870",
	 .doc = "HOST:PORT for /metrics and /status",
	 .why_default = "loopback only; the port is next to Prometheus exporters' 9100-9800 range"},
	{"interval", KT_DURATION, F(struct agent_config, interval_s), .def = "10s", .min = 1,
	 .doc = "sampling interval (at least 1s)", .why_default = "Prometheus scrape intervals are 10-60 s; 10 s resolves a 5 m trigger"},
	{"webhook", KT_STRING, F(struct agent_config, webhook), .doc = "Slack-compatible webhook URL for alerts"},
	{"token", KT_STRING, F(struct agent_config, token), .doc = "bearer token for the HTTP endpoints"},
	{"store", KT_STRING, F(struct agent_config, store), .doc = "SQLite path; absent = $XDG_STATE_HOME/headroom/history.db"},
	{"retention", KT_DURATION, F(struct agent_config, retention_s), .def = "7d", .flags = KF_POSITIVE,
	 .doc = "how long raw samples are kept", .why_default = "a week covers weekly peaks for trend fits"},
};
SECTION(schema_agent, "agent", struct agent_config, agent_keys);

/* What scales a calibration to other machines (docs/plan.md, "Calibration")
 * needs the measured machine's size. */
static void calibration_check(struct loader *L, void *base, const struct ynode *map, const char *path)
{
	const struct calibration *c = base;
	(void)path;
	if (!map)
		return;
	if (!schema_get(map, "cores") &&
	    (schema_get(map, "max_rps") || schema_get(map, "concurrency") || schema_get(map, "cpu_per_request")))
		schema_error(L, map, "calibration: 'cores' (vCPUs of the machine measured) is needed with max_rps, "
				     "concurrency or cpu_per_request, to scale them to other machines");
	if (schema_get(map, "cores") && !(c->cores > 0))
		schema_error(L, schema_get(map, "cores"), "calibration.cores: must be more than 0");
}

static const struct key_spec calibration_keys[] = {
	{"sigma", KT_NUMBER, F(struct calibration, sigma), .max = 1, .doc = "USL contention coefficient"},
	{"kappa", KT_NUMBER, F(struct calibration, kappa), .max = 1, .doc = "USL coherency coefficient"},
	{"gamma", KT_RATE_NUM, F(struct calibration, gamma), .doc = "USL throughput at concurrency 1 (req/s)"},
	{"service_time", KT_DURATION, F(struct calibration, service_s), .flags = KF_REQUIRED | KF_POSITIVE,
	 .doc = "mean latency of a request alone (concurrency 1): CPU and waiting"},
	/* QUEUE_MAX_CV (model/queue.h): past it a two-moment fit says little. */
	{"service_cv", KT_NUMBER, F(struct calibration, service_cv), .max = 10, .flags = KF_PRESENT,
	 .flag_off = offsetof(struct calibration, has_service_cv),
	 .doc = "coefficient of variation of that latency (0 constant, 1 exponential); absent = 1"},
	{"cpu_per_request", KT_DURATION, F(struct calibration, cpu_s),
	 .doc = "CPU time per request on one vCPU of the machine measured"},
	{"concurrency", KT_NUMBER, F(struct calibration, concurrency),
	 .doc = "requests in service at once at the knee (max_rps x service_time)"},
	{"max_rps", KT_RATE_NUM, F(struct calibration, max_rps), .doc = "highest sustainable rate at the SLO (req/s)"},
	{"cores", KT_NUMBER, F(struct calibration, cores), .doc = "vCPUs of the machine measured"},
	{"cpu_source", KT_ANY, .doc = "informational: how cpu_per_request was measured (process, machine or knee)"},
	{"ladder_stop", KT_ANY, .doc = "informational: why the closed-loop ladder stopped"},
	{"url", KT_ANY, .doc = "informational: the URL measured"},
	{"measured_at", KT_ANY, .doc = "informational: when"},
	{"slo", KT_ANY, .doc = "informational: the latency SLO used"},
	{"points", KT_ANY, .doc = "informational: the measured {concurrency, throughput, p95} points"},
};
SECTION(schema_calibration, "calibration", struct calibration, calibration_keys, .check = calibration_check);
