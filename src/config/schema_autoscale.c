/* schema_autoscale.c - the key tables of `autoscale:` and their checks (the
 * structs are model/autoscale_config.h). The walker is schema.c's. */
#include "config/schema_int.h"

#include <math.h>
#include <stddef.h>
#include <string.h>

#include "model/autoscale_config.h"

/* In enum scaling_select / scaling_policy_type / scaling_fallback order. */
static const char *const select_names[] = {"max", "min", "disabled", NULL};
static const char *const policy_types[] = {"pods", "percent", NULL};
static const char *const fallback_names[] = {"static", "current", "current_if_higher", "current_if_lower", NULL};
static const char *const actuator_names[] = {"compose", "exec", NULL};

static const struct key_spec policy_keys[] = {
	{"type", KT_ENUM, F(struct autoscale_policy_config, type), .flags = KF_REQUIRED, .names = policy_types,
	 .doc = "pods | percent: at most value replicas, or value % of the replicas at the period's start"},
	{"value", KT_UINT, F(struct autoscale_policy_config, value), .flags = KF_REQUIRED | KF_POSITIVE,
	 .max = 1000000, .doc = "replicas or percent per period"},
	{"period", KT_DURATION, F(struct autoscale_policy_config, period_s), .flags = KF_REQUIRED | KF_POSITIVE,
	 .max = 1800, .doc = "the window the change is counted in (at most 30 min, autoscaling/v2 validation)"},
};
static SECTION(policy_section, "scaling policy", struct autoscale_policy_config, policy_keys);

#define RULES_KEYS(window, why_window)                                                                          \
	{"stabilization", KT_DURATION, F(struct autoscale_rules_config, stabilization_s), .def = window,         \
	 .max = 3600, .doc = "recommendations of this long ago still count (the up window keeps the lowest, "     \
			     "the down window the highest)",                                                     \
	 .why_default = why_window},                                                                              \
	{"select", KT_ENUM, F(struct autoscale_rules_config, select), .def = "max", .names = select_names,      \
	 .doc = "max | min | disabled: the policy allowing the most change, the least, or none",               \
	 .why_default = "autoscaling/v2 selectPolicy default (pkg/apis/autoscaling/v2/defaults.go)"},            \
	{"policies", KT_LIST, F(struct autoscale_rules_config, policies),                                      \
	 .count_off = offsetof(struct autoscale_rules_config, n_policies), .sub = &policy_section,             \
	 .doc = "rate limits; absent = the autoscaling/v2 defaults (docs/autoscale.md)"},                       \
	{"tolerance", KT_RATIO, F(struct autoscale_rules_config, tolerance), .def = "10%", .max = 10,          \
	 .doc = "a metric ratio within this of 1 changes nothing in this direction",                           \
	 .why_default = "--horizontal-pod-autoscaler-tolerance 0.1; per direction since KEP-4951"}

static const struct key_spec up_keys[] = {
	RULES_KEYS("0s", "autoscaling/v2 default scale-up: no stabilisation (defaults.go)"),
};
static SECTION(up_section, "scale-up behaviour", struct autoscale_rules_config, up_keys);
static const struct key_spec down_keys[] = {
	RULES_KEYS("5m", "--horizontal-pod-autoscaler-downscale-stabilization, 5 minutes"),
};
static SECTION(down_section, "scale-down behaviour", struct autoscale_rules_config, down_keys);

static void metric_check(struct loader *L, void *base, const struct ynode *map, const char *path)
{
	struct autoscale_metric_config *m = base;
	bool v = schema_get(map, "target_value") != NULL, a = schema_get(map, "target_average") != NULL;
	if (v == a)
		schema_error(L, map, "%s: give one target: target_average (per replica, a queue's length per "
				     "worker) or target_value (the total)", path);
	else if ((v && !(m->target_value > 0)) || (a && !(m->target_average > 0)))
		schema_error(L, schema_get(map, v ? "target_value" : "target_average"),
			     "%s.%s: must be greater than 0", path, v ? "target_value" : "target_average");
}

static const struct key_spec metric_keys[] = {
	{"metric", KT_STRING, F(struct autoscale_metric_config, metric), .flags = KF_REQUIRED,
	 .doc = "a series the sources give (docs/metrics.md), such as redis.queue.length{key=\"celery\"}"},
	{"target_average", KT_LEVEL, F(struct autoscale_metric_config, target_average),
	 .doc = "the value per replica to hold (KEDA's listLength; the HPA's AverageValue): ceil(value / target)"},
	{"target_value", KT_LEVEL, F(struct autoscale_metric_config, target_value),
	 .doc = "the total to hold (the HPA's Value target): ceil(replicas x value / target)"},
	{"activation", KT_LEVEL, F(struct autoscale_metric_config, activation), .def = "0",
	 .doc = "with min: 0, the service starts when the value is above this (KEDA activationThreshold)",
	 .why_default = "KEDA's activation thresholds default to 0 (keda.sh/docs, \"Scalers\")"},
};
static SECTION(metric_section, "autoscale metric", struct autoscale_metric_config, metric_keys,
	       .check = metric_check);

static void service_check(struct loader *L, void *base, const struct ynode *map, const char *path)
{
	struct autoscale_service_config *s = base;
	const char *svc = s->service ? s->service : s->name;
	const char *why = svc ? autoscale_name_check(svc) : NULL;
	if (why)
		schema_error(L, schema_get(map, "service") ? schema_get(map, "service") : map,
			     "%s: the service name '%s' %s", path, svc, why);
	if (s->actuator == AUTOSCALE_COMPOSE && !s->project)
		schema_error(L, map, "%s: the compose actuator needs 'project' (docker compose -p)", path);
	if (s->actuator == AUTOSCALE_COMPOSE && s->project && (why = autoscale_name_check(s->project)))
		schema_error(L, schema_get(map, "project"), "%s.project: %s", path, why);
	if (s->actuator == AUTOSCALE_EXEC && !s->n_command)
		schema_error(L, map, "%s: the exec actuator needs 'command', such as [/usr/local/bin/scale-workers]",
			     path);
	if (s->max < s->min || s->max < 1)
		schema_error(L, schema_get(map, "max") ? schema_get(map, "max") : map,
			     "%s.max: must be at least 1 and at least min (%u)", path, s->min);
	if (s->has_idle && s->idle >= s->min)
		schema_error(L, schema_get(map, "idle"), "%s.idle: must be below min (KEDA idleReplicaCount)", path);
	if (!s->n_metrics)
		schema_error(L, map, "%s: missing required key 'metrics'", path);
	if (s->n_metrics > 15)
		schema_error(L, schema_get(map, "metrics"), "%s.metrics: at most 15", path);
	if (s->has_fallback && s->fallback_replicas > s->max)
		schema_error(L, schema_get(map, "fallback"), "%s.fallback: must not exceed max", path);
}

static const struct key_spec service_keys[] = {
	{"actuator", KT_ENUM, F(struct autoscale_service_config, actuator), .flags = KF_REQUIRED,
	 .names = actuator_names, .doc = "compose | exec: how the service is resized"},
	{"service", KT_STRING, F(struct autoscale_service_config, service),
	 .doc = "the compose service (or the name given to the command); absent = the key"},
	{"project", KT_STRING, F(struct autoscale_service_config, project),
	 .doc = "compose: the project name (docker compose -p)"},
	{"files", KT_STR_LIST, F(struct autoscale_service_config, files),
	 .count_off = offsetof(struct autoscale_service_config, n_files),
	 .doc = "compose: compose files (docker compose -f); absent = Compose's own lookup"},
	{"docker", KT_STRING, F(struct autoscale_service_config, docker), .def = "docker",
	 .doc = "compose: the docker executable", .why_default = "found on PATH"},
	{"command", KT_STR_LIST, F(struct autoscale_service_config, command),
	 .count_off = offsetof(struct autoscale_service_config, n_command),
	 .doc = "exec: the command, run as COMMAND scale SERVICE N and COMMAND current SERVICE (argv, no shell)"},
	{"min", KT_UINT, F(struct autoscale_service_config, min), .def = "1", .max = 1000000,
	 .doc = "fewest replicas; 0 lets the service go to zero when no metric is active (KEDA)",
	 .why_default = "autoscaling/v2 minReplicas default"},
	{"max", KT_UINT, F(struct autoscale_service_config, max), .flags = KF_REQUIRED | KF_POSITIVE,
	 .max = 1000000, .doc = "most replicas"},
	{"idle", KT_UINT, F(struct autoscale_service_config, idle), .flags = KF_PRESENT,
	 .flag_off = offsetof(struct autoscale_service_config, has_idle), .max = 1000000,
	 .doc = "replicas when no metric is active, below min (KEDA idleReplicaCount); absent = none"},
	{"cooldown", KT_DURATION, F(struct autoscale_service_config, cooldown_s), .def = "5m", .max = 86400,
	 .doc = "inactivity before the last replicas go to 0 (or idle); only that last step waits for it",
	 .why_default = "KEDA cooldownPeriod default, 300 s"},
	{"metrics", KT_LIST, F(struct autoscale_service_config, metrics),
	 .count_off = offsetof(struct autoscale_service_config, n_metrics), .sub = &metric_section,
	 .doc = "what to scale on; the highest proposal wins"},
	{"scale_up", KT_SECTION, F(struct autoscale_service_config, scale_up), .sub = &up_section,
	 .doc = "scale-up behaviour (autoscaling/v2 behavior.scaleUp)"},
	{"scale_down", KT_SECTION, F(struct autoscale_service_config, scale_down), .sub = &down_section,
	 .doc = "scale-down behaviour (autoscaling/v2 behavior.scaleDown)"},
	{"fallback", KT_UINT, F(struct autoscale_service_config, fallback_replicas), .flags = KF_PRESENT,
	 .flag_off = offsetof(struct autoscale_service_config, has_fallback), .max = 1000000,
	 .doc = "replicas to run while a metric keeps failing (KEDA fallback.replicas; never lower than now); "
		"absent = hold"},
	{"fallback_failures", KT_UINT, F(struct autoscale_service_config, fallback_failures), .def = "3",
	 .max = 1000000, .doc = "failed reads in a row before the fallback applies",
	 .why_default = "KEDA fallback.failureThreshold, as in its documentation's example"},
	{"fallback_behavior", KT_ENUM, F(struct autoscale_service_config, fallback_behavior), .def = "static",
	 .names = fallback_names, .doc = "static | current | current_if_higher | current_if_lower (KEDA fallback.behavior)",
	 .why_default = "KEDA's default"},
	{"predictive", KT_BOOL, F(struct autoscale_service_config, predictive), .def = "false",
	 .doc = "also scale up ahead of the daily pattern, from the seasonal forecast of each metric (after 2 days of history)",
	 .why_default = "reactive unless asked"},
	{"predictive_lead", KT_DURATION, F(struct autoscale_service_config, predictive_lead_s), .def = "5m",
	 .min = 15, .max = 86400, .doc = "how far ahead the forecast is read",
	 .why_default = "the time a replica takes to start and warm up, as a first guess"},
};
static SECTION(service_section, "autoscaled service", struct autoscale_service_config, service_keys,
	       .name_off = offsetof(struct autoscale_service_config, name), .check = service_check);

static const struct key_spec autoscale_keys[] = {
	{"apply", KT_BOOL, F(struct autoscale_config, apply), .def = "false",
	 .doc = "false: decide and log, never resize (a dry run); true: resize",
	 .why_default = "nothing is resized until asked"},
	{"interval", KT_DURATION, F(struct autoscale_config, interval_s), .def = "15s", .min = 1, .max = 3600,
	 .doc = "time between decisions (at least 1s)",
	 .why_default = "--horizontal-pod-autoscaler-sync-period 15s (KEDA polls every 30s)"},
	{"max_age", KT_DURATION, F(struct autoscale_config, max_age_s), .def = "1m", .flags = KF_POSITIVE,
	 .doc = "a metric read longer ago is stale: it can no longer scale down",
	 .why_default = "four sync periods"},
	{"timeout", KT_DURATION, F(struct autoscale_config, timeout_s), .def = "2m", .flags = KF_POSITIVE,
	 .max = 3600, .doc = "deadline of one actuator command (docker compose up may pull an image)",
	 .why_default = "headroom's choice: an image pull of a few hundred MB"},
	{"retry_max", KT_DURATION, F(struct autoscale_config, retry_max_s), .def = "5m", .flags = KF_POSITIVE,
	 .doc = "longest wait between retries of a failed resize (the wait doubles from interval)",
	 .why_default = "the down window: a retry every 5 minutes at worst"},
	{"services", KT_NAMED, F(struct autoscale_config, services),
	 .count_off = offsetof(struct autoscale_config, n_services), .sub = &service_section,
	 .doc = "the services to scale, keyed by name"},
};
SECTION(schema_autoscale, "autoscale", struct autoscale_config, autoscale_keys);
