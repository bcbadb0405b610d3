/* exports.h - what every export of a planned deployment shares: the input
 * (a planned step, its placements), the header every file starts with,
 * default images, and quantities in the forms Compose and Kubernetes read.
 *
 * Every export is a function of its input alone: no clock, no host name, no
 * absolute path beyond what the caller passes, so the same config gives the
 * same bytes (the tests export twice and compare). */
#ifndef HR_RENDER_EXPORTS_H
#define HR_RENDER_EXPORTS_H

#include <stdbool.h>
#include <stddef.h>

#include "model/placement.h"
#include "render/yamlw.h"

/** What an exporter writes from; all borrowed. */
struct export_doc {
	const char *version;              /**< headroom's version */
	const char *kind;                 /**< "compose", "k8s": for the header */
	const char *source;               /**< the config path as given */
	const char *currency;             /**< of every amount */
	double users;
	const struct plan_candidate *best;
	const struct workload *workload;
	const struct objectives *objectives;
	const struct component *comps;
	size_t n;
	const struct placement *pl;       /**< n of them */
	const unsigned *max_replicas;     /**< n of them: the autoscaling ceiling (k8s) */
	const char *ns;                   /**< k8s namespace */
	const char *pg_conf;              /**< compose: file name of the PostgreSQL settings to mount, or NULL */
	unsigned pool_size;               /**< the plan's PgBouncer: server connections per database server */
	unsigned max_client_conn;         /**< the plan's PgBouncer: client connections it accepts */
};

/**
 * PgBouncer's image: edoburu/pgbouncer, configured by environment (DB_HOST,
 * POOL_MODE, DEFAULT_POOL_SIZE, MAX_CLIENT_CONN, AUTH_TYPE) and listening on
 * 5432, pinned to a release (github.com/edoburu/docker-pgbouncer).
 */
#define EXPORT_PGBOUNCER_IMAGE "edoburu/pgbouncer:v1.25.1-p0"
/** The service name PgBouncer gets in an export. */
#define EXPORT_PGBOUNCER_NAME "pgbouncer"

/** Whether the plan puts PgBouncer in front of the database (shape.pooler)
 *  and no component already has its name. */
bool export_has_pooler(const struct export_doc *x);

/** The PostgreSQL component the pooler fronts (self-run or managed), or x->n. */
size_t export_db_index(const struct export_doc *x);

/** The header comment: tool, version, command, config, stage, nodes, cost. */
void export_header(struct yamlw *w, const struct export_doc *x);

/**
 * The image of a component: its own, else the kind's default (postgres:16,
 * redis:7-alpine, nginx:1.27-alpine); NULL for an app, worker or other
 * without one (the exporter then writes a placeholder and says so).
 */
const char *export_image(const struct component *c);

/** The port a component listens on: its own, else the kind's (5432, 6379, 80); 0 = none. */
unsigned export_port(const struct component *c);

/** An environment variable name from a component name: "api" -> "API_IMAGE". */
void export_env_name(const char *comp, const char *suffix, char *buf, size_t n);

/** CPUs as Compose takes them: "0.25", "2" (rounded up to 10 millicores). */
char *export_cpus(double cores, char *buf, size_t n);
/** CPUs as Kubernetes takes them: "250m" (rounded up to a millicore). */
char *export_millicores(double cores, char *buf, size_t n);
/** Memory as Compose takes it: "512M" (mebibytes, rounded up). */
char *export_mem_compose(double bytes, char *buf, size_t n);
/** Memory as Kubernetes takes it: "512Mi" (rounded up). */
char *export_mem_k8s(double bytes, char *buf, size_t n);

#endif
