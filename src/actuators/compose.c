/* compose.c - the `compose` actuator: Docker Compose v2.
 *
 *   current:  docker compose [-f FILE]... -p PROJECT ps -q SERVICE
 *             (one container id per line: the running replicas)
 *   scale:    docker compose [-f FILE]... -p PROJECT up -d --no-recreate
 *             --scale SERVICE=N SERVICE
 *
 * `--no-recreate` keeps the running containers as they are (only the count
 * changes); naming SERVICE at the end keeps `up` from starting the
 * project's other services (docs.docker.com/reference/cli/docker/compose/up/). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "actuators/backends.h"
#include "util/xalloc.h"

/* docker, compose, 2 per file, -p, project, up, -d, --no-recreate, --scale, S=N, S, NULL. */
#define MAX_FILES 8

struct compose {
	const char *docker, *project, *service;
	const char *const *files;
	size_t n_files;
	const struct actuator_env *env;
};

static int compose_open(const struct autoscale_service_config *cfg, const struct actuator_env *env, struct diag *d,
			void **state)
{
	const char *service = cfg->service ? cfg->service : cfg->name;
	const char *why = autoscale_name_check(service);
	if (why) {
		diag_error(d, "autoscale.services.%s: service '%s': %s", cfg->name, service, why);
		return HR_E_INVALID;
	}
	if (!cfg->project || (why = autoscale_name_check(cfg->project)) != NULL) {
		diag_error(d, "autoscale.services.%s: the compose actuator needs a project: %s", cfg->name,
			   cfg->project ? why : "set 'project' (docker compose -p)");
		return HR_E_INVALID;
	}
	if (cfg->n_files > MAX_FILES) {
		diag_error(d, "autoscale.services.%s: at most %d compose files", cfg->name, MAX_FILES);
		return HR_E_INVALID;
	}
	for (size_t i = 0; i < cfg->n_files; i++) {
		if (!cfg->files[i][0] || cfg->files[i][0] == '-') {
			diag_error(d, "autoscale.services.%s: files[%zu]: a path, not empty nor starting with '-'",
				   cfg->name, i);
			return HR_E_INVALID;
		}
	}
	struct compose *c = xcalloc(1, sizeof(*c));
	c->docker = cfg->docker && *cfg->docker ? cfg->docker : "docker";
	c->project = cfg->project;
	c->service = service;
	c->files = (const char *const *)cfg->files;
	c->n_files = cfg->n_files;
	c->env = env;
	*state = c;
	return 0;
}

/* argv up to the subcommand: docker compose [-f FILE]... -p PROJECT */
static size_t head(const struct compose *c, const char **argv)
{
	size_t n = 0;
	argv[n++] = c->docker;
	argv[n++] = "compose";
	for (size_t i = 0; i < c->n_files; i++) {
		argv[n++] = "-f";
		argv[n++] = c->files[i];
	}
	argv[n++] = "-p";
	argv[n++] = c->project;
	return n;
}

static int compose_current(void *state, int *out, struct strbuf *err)
{
	struct compose *c = state;
	const char *argv[2 * MAX_FILES + 10];
	size_t n = head(c, argv);
	argv[n++] = "ps";
	argv[n++] = "-q";
	argv[n++] = c->service;
	argv[n] = NULL;
	struct strbuf o;
	strbuf_init(&o, 1u << 20);
	int rc = actuator_run(c->env, false, argv, &o, err);
	int count = 0;
	for (const char *p = strbuf_str(&o); !rc && *p;) {
		const char *nl = strchr(p, '\n');
		size_t len = nl ? (size_t)(nl - p) : strlen(p);
		/* A container id: hex digits (12 or 64 of them). */
		size_t hex = strspn(p, "0123456789abcdef");
		if (len && hex != len) {
			if (strbuf_printf(err, "docker compose ps -q %s: unexpected output '%.*s'", c->service,
					  (int)(len > 40 ? 40 : len), p) != 0)
				strbuf_reset(err);
			rc = HR_E_PROTOCOL;
		}
		count += len > 0;
		p += len + (nl != NULL);
	}
	strbuf_free(&o);
	if (!rc)
		*out = count;
	return rc;
}

static int compose_scale(void *state, int replicas, struct strbuf *err)
{
	struct compose *c = state;
	char scale[160];
	if (snprintf(scale, sizeof(scale), "%s=%d", c->service, replicas) >= (int)sizeof(scale))
		return HR_E_INVALID;
	const char *argv[2 * MAX_FILES + 14];
	size_t n = head(c, argv);
	argv[n++] = "up";
	argv[n++] = "-d";
	argv[n++] = "--no-recreate";
	argv[n++] = "--scale";
	argv[n++] = scale;
	argv[n++] = c->service;
	argv[n] = NULL;
	struct strbuf o;
	strbuf_init(&o, 64u << 10);
	int rc = actuator_run(c->env, true, argv, &o, err);
	strbuf_free(&o);
	return rc;
}

static void compose_close(void *state)
{
	free(state);
}

const struct actuator_ops actuator_compose = {
	.type = "compose",
	.open = compose_open,
	.current = compose_current,
	.scale = compose_scale,
	.close = compose_close,
};
