/* source.c - the source front: the table of backends, the secrets each
 * source's errors are masked for, and the calls every caller makes (see source.h). */
#include "sources/source.h"

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "sources/backends.h"
#include "util/redact.h"
#include "util/str.h"
#include "util/xalloc.h"

/* The backends; adding one is a file and a row here. */
static const struct source_ops *const backends[] = {
	&source_local_ops,
	&source_prometheus_ops,
	&source_postgres_ops,
	&source_redis_ops,
	&source_http_ops,
};
#define N_BACKENDS (sizeof(backends) / sizeof(backends[0]))

/* Literal secrets of one source: password, token, and the password of its
 * URL or DSN as written and percent-decoded. */
#define SECRETS_MAX 8

struct source {
	const struct source_ops *ops;
	const struct source_config *cfg;
	void *state;
	char *secrets[SECRETS_MAX + 1]; /* NULL terminated, owned */
	size_t n_secrets;
};

static void add_secret(struct source *src, const char *s, size_t n)
{
	if (n == 0 || src->n_secrets >= SECRETS_MAX)
		return;
	src->secrets[src->n_secrets++] = xstrndup(s, n);
}

static int hexval(char c)
{
	return c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 : c >= 'A' && c <= 'F' ? c - 'A' + 10 : -1;
}

/* The password of scheme://user:PASSWORD@host (up to the last '@' before the
 * path), and of a libpq "password=VALUE" pair. */
static void add_conn_secrets(struct source *src, const char *conn)
{
	if (!conn)
		return;
	const char *p = strstr(conn, "://");
	if (p) {
		p += 3;
		size_t auth = strcspn(p, "/?#");
		const char *at = NULL;
		for (size_t i = 0; i < auth; i++)
			if (p[i] == '@')
				at = p + i;
		const char *colon = at ? memchr(p, ':', (size_t)(at - p)) : NULL;
		if (colon) {
			size_t n = (size_t)(at - colon - 1);
			add_secret(src, colon + 1, n);
			char *dec = xstrndup(colon + 1, n);
			size_t o = 0;
			for (size_t i = 0; i < n; i++) {
				int hi = i + 2 < n && dec[i] == '%' ? hexval(dec[i + 1]) : -1;
				int lo = hi >= 0 ? hexval(dec[i + 2]) : -1;
				if (lo >= 0) {
					dec[o++] = (char)(hi * 16 + lo);
					i += 2;
				} else {
					dec[o++] = dec[i];
				}
			}
			if (o != n)
				add_secret(src, dec, o);
			free(dec);
		}
	}
	const char *kv = strstr(conn, "password=");
	if (kv) {
		kv += 9;
		char q = *kv == '\'' ? '\'' : '\0';
		if (q)
			kv++;
		size_t n = q ? strcspn(kv, "'") : strcspn(kv, " \t");
		add_secret(src, kv, n);
	}
}

void source_error(struct strbuf *err, const char *fmt, ...)
{
	va_list ap;
	strbuf_reset(err);
	va_start(ap, fmt);
	if (strbuf_vprintf(err, fmt, ap) != 0)
		strbuf_reset(err);
	va_end(ap);
}

/* The table's types as a message lists them: "local, prometheus, postgres,
 * redis or http". A new row is named without touching the message. */
static const char *list_types(struct strbuf *sb)
{
	for (size_t i = 0; i < N_BACKENDS; i++) {
		const char *sep = i == 0 ? "" : i + 1 < N_BACKENDS ? ", " : " or ";
		if (strbuf_printf(sb, "%s%s", sep, backends[i]->type) != 0)
			break;
	}
	return strbuf_str(sb);
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
		struct strbuf types;
		strbuf_init(&types, 256);
		const char *hint = str_suggest(type, names, N_BACKENDS);
		if (hint)
			diag_error(d, "unknown metric source type '%s'; did you mean '%s'?", type, hint);
		else
			diag_error(d, "unknown metric source type '%s'; expected %s", type, list_types(&types));
		strbuf_free(&types);
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
	if (cfg->password)
		add_secret(src, cfg->password, strlen(cfg->password));
	if (cfg->token)
		add_secret(src, cfg->token, strlen(cfg->token));
	add_conn_secrets(src, cfg->url);
	add_conn_secrets(src, cfg->dsn);
	*out = src;
	return 0;
}

int source_sample(struct source *src, struct sample_set *out, struct strbuf *err)
{
	strbuf_reset(err);
	int rc = src->ops->sample(src->state, source_name(src), out, err);
	source_redact(src, err);
	return rc;
}

void source_redact(const struct source *src, struct strbuf *err)
{
	if (!err->len)
		return;
	/* libpq, libcurl and hiredis echo what they were given: a URL with
	 * its userinfo, a piece of a mangled DSN. */
	char *safe = redact_dup(strbuf_str(err), (const char *const *)src->secrets);
	strbuf_reset(err);
	if (strbuf_puts(err, safe) != 0)
		strbuf_reset(err);
	free(safe);
}

void source_close(struct source *src)
{
	if (!src)
		return;
	src->ops->close(src->state);
	for (size_t i = 0; i < src->n_secrets; i++)
		free(src->secrets[i]);
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
		/* The names are base names: a selector with labels is provided
		 * when its base name is. */
		size_t bl = sample_base_len(selector);
		for (; names && *names; names++)
			if (sample_name_matches(selector, *names) ||
			    (strlen(*names) == bl && strncmp(selector, *names, bl) == 0))
				return true;
	}
	return false;
}

void source_cancel(struct source *src)
{
	if (src && src->ops->cancel)
		src->ops->cancel(src->state);
}

bool source_knows(const struct source *src, const char *selector)
{
	size_t bl = sample_base_len(selector);
	const char *const *lists[2] = {src->ops->known, src->ops->names ? src->ops->names(src->state) : NULL};
	for (int k = 0; k < 2; k++)
		for (const char *const *p = lists[k]; p && *p; p++)
			if (strlen(*p) == bl && strncmp(*p, selector, bl) == 0)
				return true;
	return false;
}

void source_known_names(const struct source *src, const char ***names, size_t *n, size_t *cap)
{
	const char *const *lists[2] = {src->ops->known, src->ops->names ? src->ops->names(src->state) : NULL};
	for (int k = 0; k < 2; k++) {
		for (const char *const *p = lists[k]; p && *p; p++) {
			if (*n + 1 >= *cap) {
				*cap = *cap ? 2 * *cap : 64;
				*names = xreallocarray(*names, *cap, sizeof(**names));
			}
			(*names)[(*n)++] = *p;
		}
	}
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
	int rc = src->ops->history(src->state, metric, from, to, step, out, err);
	source_redact(src, err);
	return rc;
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
