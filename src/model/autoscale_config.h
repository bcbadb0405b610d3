/* autoscale_config.h - the `autoscale:` section of a headroom.yaml, as loaded.
 *
 * Data only (and the check of a name headroom may pass to a command).
 * config/ fills it from the YAML (config/schema_autoscale.c: one row per key,
 * with its default and where the default comes from); actuators/ and
 * pipeline/ read it. It lives here, below them, so no adapter includes
 * another. docs/config.md lists the keys, docs/autoscale.md explains them. */
#ifndef HR_MODEL_AUTOSCALE_CONFIG_H
#define HR_MODEL_AUTOSCALE_CONFIG_H

#include <stdbool.h>
#include <stddef.h>

/** How a service is resized. */
enum autoscale_actuator_type {
	AUTOSCALE_COMPOSE, /**< docker compose ... up -d --no-recreate --scale SERVICE=N */
	AUTOSCALE_EXEC,    /**< a command of the user's: CMD scale SERVICE N / CMD current SERVICE */
};

/** One policy (autoscaling/v2 HPAScalingPolicy). */
struct autoscale_policy_config {
	int type;         /**< enum scaling_policy_type */
	unsigned value;   /**< pods or percent */
	double period_s;
};

/** One direction (HPAScalingRules). */
struct autoscale_rules_config {
	double stabilization_s;
	int select;                               /**< enum scaling_select */
	struct autoscale_policy_config *policies; /**< none: the autoscaling/v2 defaults */
	size_t n_policies;
	double tolerance;
};

/** One metric a service scales on: a series from the configured sources. */
struct autoscale_metric_config {
	char *metric;          /**< series name, e.g. redis.queue.length{key="celery"} */
	double target_value;   /**< HPA Value target (total); 0 = none */
	double target_average; /**< HPA AverageValue target (per replica; KEDA's queue length); 0 = none */
	double activation;     /**< KEDA activation threshold */
};

/** One autoscaled service (autoscale.services.NAME). */
struct autoscale_service_config {
	char *name;             /**< the key; also the service name unless `service` is given */
	int actuator;           /**< enum autoscale_actuator_type */
	char *service;          /**< compose service / name passed to the command; NULL = name */
	char *project;          /**< compose: project name (-p) */
	char **files;           /**< compose: -f files, may be none */
	size_t n_files;
	char *docker;           /**< compose: the docker executable (default "docker" on PATH) */
	char **command;         /**< exec: argv prefix */
	size_t n_command;
	unsigned min, max;
	unsigned idle;          /**< KEDA idleReplicaCount when has_idle */
	bool has_idle;
	double cooldown_s;      /**< KEDA cooldownPeriod */
	struct autoscale_metric_config *metrics;
	size_t n_metrics;
	struct autoscale_rules_config scale_up, scale_down;
	unsigned fallback_replicas;
	bool has_fallback;
	unsigned fallback_failures;
	int fallback_behavior;  /**< enum scaling_fallback */
	bool predictive;        /**< add the seasonal forecast as a scale-up-only proposal */
	double predictive_lead_s;
};

/** The section. */
struct autoscale_config {
	bool present;          /**< the file has an autoscale: section */
	bool apply;            /**< false: dry run, decisions logged but never applied */
	double interval_s;     /**< decision period per service (HPA sync period) */
	double max_age_s;      /**< older samples are stale */
	double timeout_s;      /**< per actuator command */
	double retry_max_s;    /**< longest wait between retries of a failed actuation */
	struct autoscale_service_config *services;
	size_t n_services;
};

struct scaling_spec;

/**
 * The scaling spec of a configured service (limits, behavior, tolerance,
 * cooldown, fallback) over the autoscaling/v2 defaults: what the loop runs
 * and `headroom simulate --policy config:NAME` replays.
 * @param max_age_s older samples are stale (autoscale.max_age).
 */
void autoscale_spec_from(const struct autoscale_service_config *c, double max_age_s, struct scaling_spec *out);

/**
 * A service or project name headroom may pass to a command: letters, digits,
 * '.', '_' and '-', 1 to 63 of them, not starting with '-' or '.' (so it can
 * never read as an option or a path).
 * @return NULL, or a static sentence saying what is wrong.
 */
const char *autoscale_name_check(const char *s);

#endif
