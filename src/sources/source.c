#include "sources/source.h"

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "sources/backends.h"
#include "util/str.h"
#include "util/xalloc.h"

// The backends; adding one is a file and a row here.
static const struct source_ops *const backends[] = {
	&source_local_ops,
	&source_prometheus_ops,
	&source_postgres_ops,
	&source_redis_ops,
	&source_http_ops,
};
#define N_BACKENDS (sizeof(backends) / sizeof(backends[0]))

struct source {
	const struct source_ops *ops;
	const struct source_config *cfg;
	void *state;
};

void source_error(struct strbuf *err, const char *fmt, ...)
{
	va_list ap;
	strbuf_reset(err);
	va_start(ap, fmt);
	if (strbuf_vprintf(err, fmt, ap) != 0)
		strbuf_reset(err);
	va_end(ap);
}

int source_open(const struct source_config *cfg, struct diag *d, struct source **out)
{
	const char *type = cfg->type ? cfg->type : "local";
	const struct source_ops *ops = NULL;
	const char *names[N_BACKENDS];
	for (size_t i = 0; i < N_BACKENDS; i++) {
		names[i] = backends[i]->type;
		if (strcmp(type, backends[i]->type) == 0)
			ops = backends[i];
	}
	if (!ops) {
		const char *hint = str_suggest(type, names, N_BACKENDS);
		if (hint)
			diag_error(d, "unknown metric source type '%s'; did you mean '%s'?", type, hint);
		else
			diag_error(d, "unknown metric source type '%s'; expected local, prometheus, "
				   "postgres, redis or http", type);
		return HR_E_INVALID;
	}
	void *state = NULL;
	int rc = ops->open(cfg, d, &state);
	if (rc)
		return rc;
	struct source *src = xcalloc(1, sizeof(*src));
	src->ops = ops;
	src->cfg = cfg;
	src->state = state;
	*out = src;
	return 0;
}

int source_sample(struct source *src, struct sample_set *out, struct strbuf *err)
{
	strbuf_reset(err);
	return src->ops->sample(src->state, source_name(src), out, err);
}

void source_close(struct source *src)
{
	if (!src)
		return;
	src->ops->close(src->state);
	free(src);
}

const char *source_name(const struct source *src)
{
	return src->cfg->name ? src->cfg->name : src->ops->type;
}

const char *source_type(const struct source *src)
{
	return src->ops->type;
}

double source_warmup(const struct source *src)
{
	return src->ops->warmup_s;
}

bool source_provides(const struct source *src, const char *selector)
{
	if (src->ops->prefixes) {
		for (const char *const *p = src->ops->prefixes; *p; p++)
			if (strncmp(selector, *p, strlen(*p)) == 0)
				return true;
	}
	if (src->ops->names) {
		const char *const *names = src->ops->names(src->state);
		for (; names && *names; names++)
			if (sample_name_matches(selector, *names))
				return true;
	}
	return false;
}

bool source_has_history(const struct source *src)
{
	return src->ops->history != NULL;
}

int source_history(struct source *src, const char *metric, double from, double to, double step,
		   struct series *out, struct strbuf *err)
{
	strbuf_reset(err);
	if (!src->ops->history)
		return HR_E_UNSUPPORTED;
	return src->ops->history(src->state, metric, from, to, step, out, err);
}

const struct source_config *source_default_config(void)
{
	static char *mounts[] = {"/"};
	static const struct source_config local = {
		.name = "local",
		.type = "local",
		.mounts = mounts,
		.n_mounts = 1,
		.timeout_s = 5,
	};
	return &local;
}
