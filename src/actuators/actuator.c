/* actuator.c - the actuator front: picks the backend by type from its table
 * (see actuator.h) and holds the backend's state behind one opaque handle. */
#include "actuators/actuator.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "actuators/backends.h"
#include "util/clock.h"
#include "util/units.h"
#include "util/xalloc.h"

static const struct actuator_ops *const backends[] = {
	[AUTOSCALE_COMPOSE] = &actuator_compose,
	[AUTOSCALE_EXEC] = &actuator_exec,
};

struct actuator {
	const struct actuator_ops *ops;
	void *state;
	struct actuator_env env;
};

int actuator_open(const struct autoscale_service_config *cfg, double timeout_s, struct diag *d,
		  struct actuator **out)
{
	if (cfg->actuator < 0 || (size_t)cfg->actuator >= sizeof(backends) / sizeof(backends[0])) {
		diag_error(d, "autoscale.services.%s: unknown actuator", cfg->name);
		return HR_E_INVALID;
	}
	struct actuator *a = xcalloc(1, sizeof(*a));
	a->ops = backends[cfg->actuator];
	a->env.timeout_s = timeout_s;
	int rc = a->ops->open(cfg, &a->env, d, &a->state);
	if (rc) {
		free(a);
		return rc;
	}
	*out = a;
	return 0;
}

int actuator_current(struct actuator *a, int *out, struct strbuf *err)
{
	strbuf_reset(err);
	return a->ops->current(a->state, out, err);
}

int actuator_scale(struct actuator *a, int replicas, struct strbuf *err)
{
	strbuf_reset(err);
	return a->ops->scale(a->state, replicas, err);
}

void actuator_guard(struct actuator *a, const char *pidfile, const volatile sig_atomic_t *stop)
{
	free(a->env.pidfile);
	a->env.pidfile = pidfile ? xstrdup(pidfile) : NULL;
	a->env.stop = stop;
}

bool actuator_inflight(struct actuator *a, struct actuator_inflight *out)
{
	struct run_record r;
	if (!a->env.pidfile)
		return false;
	int rc = run_record_read(a->env.pidfile, &r);
	if (rc == HR_E_NOTFOUND)
		return false;
	if (!rc && run_record_alive(&r)) {
		out->pid = r.pid;
		out->deadline = r.deadline;
		return true;
	}
	/* Ended (or a record cut short: its command never got the go). */
	unlink(a->env.pidfile);
	return false;
}

void actuator_inflight_kill(struct actuator *a)
{
	struct run_record r;
	if (!a->env.pidfile)
		return;
	if (run_record_read(a->env.pidfile, &r) == 0)
		run_record_kill(&r, RUN_GRACE_S, a->env.stop);
	unlink(a->env.pidfile);
}

const char *actuator_type(const struct actuator *a)
{
	return a->ops->type;
}

void actuator_close(struct actuator *a)
{
	if (!a)
		return;
	a->ops->close(a->state);
	free(a->env.pidfile);
	free(a);
}

/* Replace err's contents with one formatted line (dropped past its cap). */
static void source_error_line(struct strbuf *err, const char *fmt, ...) HR_PRINTF(2, 3);
static void source_error_line(struct strbuf *err, const char *fmt, ...)
{
	strbuf_reset(err);
	va_list ap;
	va_start(ap, fmt);
	if (strbuf_vprintf(err, fmt, ap) != 0)
		strbuf_reset(err);
	va_end(ap);
}

/* The last non-empty line of a command's stderr, printable bytes only. */
static void last_line(const char *s, char *buf, size_t n)
{
	const char *end = s + strlen(s);
	while (end > s && (end[-1] == '\n' || end[-1] == '\r' || end[-1] == ' '))
		end--;
	const char *start = end;
	while (start > s && start[-1] != '\n')
		start--;
	size_t j = 0;
	for (const char *p = start; p < end && j + 1 < n; p++)
		buf[j++] = (unsigned char)*p < 0x20 || *p == 0x7f ? '?' : *p;
	buf[j] = '\0';
}

int actuator_run(const struct actuator_env *env, bool record, const char *const *argv, struct strbuf *out,
		 struct strbuf *err)
{
	struct strbuf e;
	strbuf_init(&e, 16u << 10);
	struct run_result res;
	struct run_opts o = {.timeout_s = env->timeout_s, .stop = env->stop, .pidfile = record ? env->pidfile : NULL,
			     .deadline_unix = clock_unix() + env->timeout_s};
	int rc = run_command(argv, &o, out, &e, &res);
	char line[200];
	last_line(strbuf_str(&e), line, sizeof(line));
	strbuf_free(&e);
	char dur[32];
	if (rc == HR_E_TIMEOUT)
		source_error_line(err, "%s: timed out after %s (killed with its process group)", argv[0],
				  units_fmt_duration(env->timeout_s, dur, sizeof(dur)));
	else if (rc == -ECANCELED)
		source_error_line(err, "%s: stopped (killed with its process group)", argv[0]);
	else if (rc == HR_E_IO && o.pidfile)
		source_error_line(err, "%s: not run: cannot record it in %s", argv[0], o.pidfile);
	else if (rc == HR_E_NOTFOUND)
		source_error_line(err, "%s: cannot be started (not found or not executable)", argv[0]);
	else if (rc)
		source_error_line(err, "%s: cannot be run: %s", argv[0], hr_strerror(rc));
	else if (res.exit_code != 0) {
		source_error_line(err, "%s: exit %d%s%s", argv[0], res.exit_code, *line ? ": " : "", line);
		rc = HR_E_UNAVAILABLE;
	}
	return rc;
}
