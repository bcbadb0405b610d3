/* exec.c - the `exec` actuator: a command of the user's.
 *
 *   current:  COMMAND... current SERVICE     prints the replica count (one whole number)
 *   scale:    COMMAND... scale SERVICE N     sets it; exit 0 on success
 *
 * The command gets argv, never a shell; SERVICE is checked first
 * (autoscale_name_check). N is the absolute count, so a command that runs
 * twice for one decision (a retry after a crash) does no harm: scale must be
 * idempotent, and docs/autoscale.md says so. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "actuators/backends.h"
#include "util/xalloc.h"

#define MAX_ARGS 32

struct exec_state {
	const char *const *command;
	size_t n_command;
	const char *service;
	const struct actuator_env *env;
};

static int exec_open(const struct autoscale_service_config *cfg, const struct actuator_env *env, struct diag *d,
		     void **state)
{
	const char *service = cfg->service ? cfg->service : cfg->name;
	const char *why = autoscale_name_check(service);
	if (why) {
		diag_error(d, "autoscale.services.%s: service '%s': %s", cfg->name, service, why);
		return HR_E_INVALID;
	}
	if (!cfg->n_command || !cfg->command[0][0]) {
		diag_error(d, "autoscale.services.%s: the exec actuator needs a command, such as [/usr/local/bin/scale]",
			   cfg->name);
		return HR_E_INVALID;
	}
	if (cfg->n_command > MAX_ARGS) {
		diag_error(d, "autoscale.services.%s: the command has more than %d words", cfg->name, MAX_ARGS);
		return HR_E_INVALID;
	}
	struct exec_state *e = xcalloc(1, sizeof(*e));
	e->command = (const char *const *)cfg->command;
	e->n_command = cfg->n_command;
	e->service = service;
	e->env = env;
	*state = e;
	return 0;
}

static size_t argv_of(const struct exec_state *e, const char **argv, const char *verb)
{
	size_t n = 0;
	for (size_t i = 0; i < e->n_command; i++)
		argv[n++] = e->command[i];
	argv[n++] = verb;
	argv[n++] = e->service;
	return n;
}

static int exec_current(void *state, int *out, struct strbuf *err)
{
	struct exec_state *e = state;
	const char *argv[MAX_ARGS + 4];
	size_t n = argv_of(e, argv, "current");
	argv[n] = NULL;
	struct strbuf o;
	strbuf_init(&o, 4096);
	int rc = actuator_run(e->env, false, argv, &o, err);
	if (!rc) {
		const char *s = strbuf_str(&o);
		char *end;
		long v = strtol(s, &end, 10);
		while (*end == '\n' || *end == '\r' || *end == ' ')
			end++;
		if (end == s || *end || v < 0 || v > 1000000000 || (*s < '0' || *s > '9')) {
			strbuf_reset(err);
			if (strbuf_printf(err, "%s current %s: expected a whole number on stdout, got '%.40s'",
					  e->command[0], e->service, s) != 0)
				strbuf_reset(err);
			rc = HR_E_PROTOCOL;
		} else {
			*out = (int)v;
		}
	}
	strbuf_free(&o);
	return rc;
}

static int exec_scale(void *state, int replicas, struct strbuf *err)
{
	struct exec_state *e = state;
	char count[16];
	snprintf(count, sizeof(count), "%d", replicas);
	const char *argv[MAX_ARGS + 4];
	size_t n = argv_of(e, argv, "scale");
	argv[n++] = count;
	argv[n] = NULL;
	struct strbuf o;
	strbuf_init(&o, 64u << 10);
	int rc = actuator_run(e->env, true, argv, &o, err);
	strbuf_free(&o);
	return rc;
}

static void exec_close(void *state)
{
	free(state);
}

const struct actuator_ops actuator_exec = {
	.type = "exec",
	.open = exec_open,
	.current = exec_current,
	.scale = exec_scale,
	.close = exec_close,
};
