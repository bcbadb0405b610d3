/* compose.h - a team's docker-compose.yml, read for `headroom init`.
 *
 * The file is parsed with libyaml (config/yaml.h: every node keeps its line
 * and column, the size, depth and node count are capped, aliases are copied
 * and merge keys folded in) and only what sizing needs is kept: each
 * service's image or build context, command, profiles, replicas
 * (deploy.replicas, or the older scale), memory and CPU limits and
 * reservations (deploy.resources, mem_limit, mem_reservation, cpus), its
 * first container port and the path of an HTTP health check. `extends` is
 * resolved within the file and from another file (relative to the first), at
 * most COMPOSE_MAX_EXTENDS deep.
 *
 * The Compose Specification (compose-spec/compose-spec, spec.md) is the
 * reference for every key read here. No credential is kept: a secret in a
 * command (util/redact.h says what is one) is replaced by a ${VAR}
 * reference, and the secrets of `environment` are only named, so `init`
 * can say which variables to set. Keys headroom does not need are
 * accepted and ignored; a key it reads with the wrong shape, an unknown
 * top-level key, or a service with neither image nor build is an error at
 * its place, FILE:LINE:COL. */
#ifndef HR_CONFIG_COMPOSE_H
#define HR_CONFIG_COMPOSE_H

#include <stdbool.h>
#include <stddef.h>

#include "model/model.h"
#include "util/diag.h"
#include "util/error.h"

/** Deepest chain of `extends` followed (a longer one is reported as a likely cycle). */
#define COMPOSE_MAX_EXTENDS 8
/** Most services one file may hold. */
#define COMPOSE_MAX_SERVICES 500

/** A credential found in a service: in its command (now a ${VAR}
 *  reference there) or in its environment (never copied). */
struct compose_secret {
	char *var;     /**< the variable to set: REDIS_REQUIREPASS, POSTGRES_PASSWORD */
	char *what;    /**< what held it: "the value of --requirepass", "the password of the URL to rabbit" */
	char *file;    /**< where it was written */
	int line, col;
	bool env;      /**< from `environment` (left out) rather than the command (replaced) */
};

/** One service, `extends` resolved. Owns its strings. */
struct compose_service {
	char *name;
	char *file;               /**< file the service is written in */
	int line, col;            /**< where its key is */
	char *image;              /**< as written ("docker.io/library/redis:7"); NULL when built */
	char *build;              /**< build context ("./apps/api"); NULL when not built */
	char *command;            /**< command (a list is joined with spaces); NULL = the image's */
	char *entrypoint;         /**< entrypoint, joined the same way; NULL = the image's */
	char **profiles;
	size_t n_profiles;
	unsigned replicas;        /**< deploy.replicas or scale; 0 = not given (one) */
	double mem_limit_b;       /**< deploy.resources.limits.memory or mem_limit; 0 = none */
	double mem_reservation_b; /**< deploy.resources.reservations.memory or mem_reservation; 0 = none */
	double cpus_limit;        /**< deploy.resources.limits.cpus or cpus; 0 = none */
	double cpus_reservation;  /**< deploy.resources.reservations.cpus; 0 = none */
	unsigned port;            /**< first container port of ports/expose; 0 = none */
	char *health;             /**< path of an http://... URL in healthcheck.test; NULL = none */
	struct compose_secret *secrets; /**< credentials of command and environment (util/redact.h's rule) */
	size_t n_secrets;
};

/** A compose file, read. */
struct compose_project {
	char *path;
	struct compose_service *services; /**< in file order */
	size_t n;
};

/**
 * Read a compose file.
 * @param path the file.
 * @param d where errors go, each FILE:LINE:COL: error: ...
 * @param out on success, a new project the caller frees with compose_free().
 * @return 0; HR_E_IO when a file cannot be read; HR_E_INVALID or
 *         HR_E_TOO_LARGE after reporting every problem found.
 */
HR_NODISCARD int compose_load(const char *path, struct diag *d, struct compose_project **out);

/** Same as compose_load() for text in memory; @p name is used in messages and
 *  to find files named by `extends` (relative to its folder). */
HR_NODISCARD int compose_load_string(const char *name, const char *text, size_t len, struct diag *d,
				     struct compose_project **out);

/** Release a project. NULL is a no-op. */
void compose_free(struct compose_project *p);

/** Background-job frameworks a worker's command can reveal. */
enum compose_framework {
	FW_NONE,
	FW_CELERY,   /**< celery ... worker */
	FW_RQ,       /**< rq worker, rqworker */
	FW_SIDEKIQ,  /**< sidekiq */
	FW_BULLMQ,   /**< a Node.js BullMQ worker */
	FW_DRAMATIQ, /**< dramatiq */
	FW_ARQ,      /**< arq */
};

/** What a service was recognised as, and why. */
struct compose_kind {
	enum component_kind kind;
	enum compose_framework framework;
	bool assumed;        /**< true when nothing recognised it: a stated guess */
	char why[200];       /**< "image postgres:16 is PostgreSQL", "command runs a Celery worker", ... */
};

/**
 * Recognise a service: images of PostgreSQL (postgres, timescaledb, postgis,
 * pgvector), Redis (redis, valkey, keydb, dragonfly), reverse proxies (nginx,
 * traefik, caddy, haproxy, envoy), a few known side services (other), and
 * commands that run celery/rq/sidekiq/BullMQ/dramatiq/arq workers; the
 * rest is an app, stated as an assumption. Pure.
 */
void compose_classify(const struct compose_service *s, struct compose_kind *out);

/**
 * The repository name of an image without registry, namespace, tag or
 * digest: "ghcr.io/org/api:1.2@sha256:..." -> "api",
 * "localhost:5000/timescale/timescaledb:2.23.0-pg18" -> "timescaledb".
 * @return out (a NUL-terminated copy, lowercased, truncated to n).
 */
char *compose_image_repo(const char *image, char *out, size_t n);

/**
 * The value of a command-line flag in a command: "--workers 4",
 * "--workers=4", "-w 4" or "-w4" for flags {"-w", "--workers"}.
 * @param flags NULL-terminated list of spellings.
 * @return 0 and *out set to a copy of the value (caller frees), or HR_E_NOTFOUND.
 */
HR_NODISCARD int compose_flag(const char *command, const char *const *flags, char **out);

/**
 * Parse a Compose byte size: "512m", "1.5g", "4G", "256MB", "1024" (bytes);
 * units b, k, m, g, t with an optional b, powers of 1024 as Docker reads them
 * (docker/go-units RAMInBytes).
 * @return 0 and *out in bytes, or HR_E_INVALID.
 */
HR_NODISCARD int compose_parse_bytes(const char *s, double *out);

#endif
