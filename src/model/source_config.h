/* source_config.h - what a metric source is configured with (metrics.sources[]).
 *
 * Data only. config/ fills it from the YAML; sources/ reads it. It lives
 * here, below both, so neither adapter includes the other. */
#ifndef HR_MODEL_SOURCE_CONFIG_H
#define HR_MODEL_SOURCE_CONFIG_H

#include <stddef.h>

/** A metric source (metrics.sources[]). */
struct source_config {
	char *name;       /**< unique name; defaults to the type */
	char *type;       /**< local | prometheus | postgres | redis | http */
	char *url;        /**< prometheus base URL, http probe URL, redis://HOST:PORT */
	char *dsn;        /**< postgres connection string */
	char *user;       /**< basic auth user */
	char *password;   /**< basic auth password (usually ${ENV}) */
	char *token;      /**< bearer token (usually ${ENV}) */
	char **queues;    /**< redis: list keys to measure (celery, bull:QUEUE:wait) */
	size_t n_queues;
	char *cgroup;     /**< local: cgroup v2 path or container name to read */
	char **mounts;    /**< local: mount points for disk use; none = "/" */
	size_t n_mounts;
	char **queries;   /**< prometheus: metric=PROMQL pairs, "name=expr" */
	size_t n_queries;
	unsigned probes;  /**< http: requests per sample (default 10) */
	double timeout_s; /**< per operation (default 5s) */
};

#endif
