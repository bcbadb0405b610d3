/* compose.c - read a docker-compose.yml for `headroom init` (see compose.h).
 *
 * Design note. The file goes through the same libyaml tree as a headroom
 * config (config/yaml.c), so every message has FILE:LINE:COL. A service is
 * read field by field from its mapping; `extends` is resolved by reading the
 * base service the same way and taking each field the extending service
 * leaves unset (Compose Specification, "extends": the extending service's
 * own values win, mappings merge, so a field-by-field fill is what Compose
 * does for the fields read here). A base read for `extends` is a copy of
 * its text, once per service that extends it: those bytes are counted
 * against the same budget as YAML aliases (yaml.h: YAML_COPY_FACTOR times
 * the files read, at least YAML_COPY_FLOOR), and past it the reader stops
 * following `extends`, so 500 services extending one long command cannot
 * hold 500 copies of it. */
#include "config/compose.h"

#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config/yaml.h"
#include "util/redact.h"
#include "util/str.h"
#include "util/xalloc.h"

/* Top-level keys of the Compose Specification (spec.md, "Compose file"). */
static const char *const top_keys[] = {"version", "name", "services", "networks", "volumes",
				       "configs", "secrets", "include", "models"};

/* Files open while reading one project: the first and any `extends: {file}`. */
struct reader {
	struct diag *d;
	int rc;
	char *dir;                  /* folder of the first file, for relative paths */
	struct yaml_doc *docs[COMPOSE_MAX_EXTENDS + 1];
	size_t n_docs;
	size_t copied;              /* bytes of text read again for `extends` */
	bool over;                  /* copied went past the budget: reported, extends no longer followed */
};

static void rd_error(struct reader *r, const struct yaml_doc *doc, const struct ynode *n, const char *fmt, ...)
	HR_PRINTF(4, 5);

static void rd_error(struct reader *r, const struct yaml_doc *doc, const struct ynode *n, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	yaml_verror(r->d, &r->rc, doc, n, fmt, ap);
	va_end(ap);
}

/* A scalar's text, or an error naming what was expected. */
static const char *want_scalar(struct reader *r, const struct yaml_doc *doc, const struct ynode *n, const char *what)
{
	if (!n || n->null)
		return NULL;
	if (n->type != YNODE_SCALAR) {
		rd_error(r, doc, n, "%s: expected a value, got %s", what, ynode_type_name(n->type));
		return NULL;
	}
	return n->str;
}

/* A command or entrypoint: a string, or a list joined with spaces. */
static char *read_command(struct reader *r, const struct yaml_doc *doc, const struct ynode *n, const char *what)
{
	if (!n || n->null)
		return NULL;
	if (n->type == YNODE_SCALAR)
		return xstrdup(n->str);
	if (n->type != YNODE_SEQ) {
		rd_error(r, doc, n, "%s: expected a string or a list of strings, got %s", what, ynode_type_name(n->type));
		return NULL;
	}
	struct strbuf sb;
	strbuf_init(&sb, 1u << 16);
	for (size_t i = 0; i < n->n; i++) {
		const struct ynode *it = n->items[i];
		if (it->type != YNODE_SCALAR) {
			rd_error(r, doc, it, "%s: expected a string, got %s", what, ynode_type_name(it->type));
			break;
		}
		if ((i && strbuf_puts(&sb, " ")) || strbuf_puts(&sb, it->str)) {
			rd_error(r, doc, it, "%s: longer than 64 KiB", what);
			break;
		}
	}
	return strbuf_take(&sb);
}

int compose_parse_bytes(const char *s, double *out)
{
	if (!s || !*s)
		return HR_E_INVALID;
	char *end;
	errno = 0;
	double v = strtod(s, &end);
	if (end == s || errno || !isfinite(v) || v < 0 || !isdigit((unsigned char)*s))
		return HR_E_INVALID;
	while (*end == ' ')
		end++;
	double mult = 1;
	char u = (char)tolower((unsigned char)*end);
	if (u == 'k' || u == 'm' || u == 'g' || u == 't') {
		mult = u == 'k' ? 1024.0 : u == 'm' ? 1048576.0 : u == 'g' ? 1073741824.0 : 1099511627776.0;
		end++;
		if (tolower((unsigned char)*end) == 'i')
			end++;
		if (tolower((unsigned char)*end) == 'b')
			end++;
	} else if (u == 'b') {
		end++;
	}
	if (*end)
		return HR_E_INVALID;
	*out = v * mult;
	return 0;
}

static void read_bytes(struct reader *r, const struct yaml_doc *doc, const struct ynode *n, const char *what,
		       double *out)
{
	const char *t = want_scalar(r, doc, n, what);
	if (!t)
		return;
	if (compose_parse_bytes(t, out))
		rd_error(r, doc, n, "%s: expected a byte size such as 512m or 2g, got '%s'", what, t);
}

static void read_cpus(struct reader *r, const struct yaml_doc *doc, const struct ynode *n, const char *what,
		      double *out)
{
	const char *t = want_scalar(r, doc, n, what);
	if (!t)
		return;
	char *end;
	errno = 0;
	double v = strtod(t, &end);
	if (end == t || *end || errno || !isfinite(v) || v < 0 || v > 4096)
		rd_error(r, doc, n, "%s: expected a number of CPUs such as 0.5 or 2, got '%s'", what, t);
	else
		*out = v;
}

static void read_uint(struct reader *r, const struct yaml_doc *doc, const struct ynode *n, const char *what,
		      unsigned max, unsigned *out)
{
	const char *t = want_scalar(r, doc, n, what);
	if (!t)
		return;
	char *end;
	errno = 0;
	unsigned long v = strtoul(t, &end, 10);
	if (end == t || *end || errno || !isdigit((unsigned char)*t) || v > max)
		rd_error(r, doc, n, "%s: expected a whole number from 0 to %u, got '%s'", what, max, t);
	else
		*out = (unsigned)v;
}

/* The container side of a port entry: "8080", "80:8080", "127.0.0.1:80:8080/tcp",
 * "3000-3005", or the long syntax {target: 8080}. */
static unsigned port_of(const struct ynode *n)
{
	if (n->type == YNODE_MAP) {
		const struct ynode *t = ynode_get(n, "target");
		return t && t->type == YNODE_SCALAR ? (unsigned)strtoul(t->str, NULL, 10) : 0;
	}
	if (n->type != YNODE_SCALAR)
		return 0;
	const char *s = strrchr(n->str, ':');
	s = s ? s + 1 : n->str;
	unsigned long v = strtoul(s, NULL, 10);
	return v > 0 && v <= 65535 ? (unsigned)v : 0;
}

static unsigned first_port(const struct ynode *list)
{
	if (!list || list->type != YNODE_SEQ)
		return 0;
	for (size_t i = 0; i < list->n; i++) {
		unsigned p = port_of(list->items[i]);
		if (p)
			return p;
	}
	return 0;
}

/* The path of the first http://HOST[:PORT]/PATH in a health check's test. */
static char *health_path(const struct ynode *hc)
{
	const struct ynode *t = ynode_get(hc, "test");
	if (!t)
		return NULL;
	for (size_t i = 0; i < (t->type == YNODE_SEQ ? t->n : 1); i++) {
		const struct ynode *s = t->type == YNODE_SEQ ? t->items[i] : t;
		if (s->type != YNODE_SCALAR)
			continue;
		const char *u = strstr(s->str, "http://");
		if (!u)
			u = strstr(s->str, "https://");
		if (!u)
			continue;
		u = strstr(u, "://") + 3;
		const char *slash = strchr(u, '/');
		if (!slash)
			return xstrdup("/");
		size_t len = strcspn(slash, " \t'\"|;&");
		return xstrndup(slash, len);
	}
	return NULL;
}

static void read_resources(struct reader *r, const struct yaml_doc *doc, const struct ynode *res, const char *svc,
			   struct compose_service *s)
{
	if (!res || res->null)
		return;
	if (res->type != YNODE_MAP) {
		rd_error(r, doc, res, "services.%s.deploy.resources: expected a mapping, got %s", svc, ynode_type_name(res->type));
		return;
	}
	char what[200];
	const struct ynode *lim = ynode_get(res, "limits"), *resv = ynode_get(res, "reservations");
	if (lim && lim->type == YNODE_MAP) {
		snprintf(what, sizeof(what), "services.%s.deploy.resources.limits.memory", svc);
		read_bytes(r, doc, ynode_get(lim, "memory"), what, &s->mem_limit_b);
		snprintf(what, sizeof(what), "services.%s.deploy.resources.limits.cpus", svc);
		read_cpus(r, doc, ynode_get(lim, "cpus"), what, &s->cpus_limit);
	}
	if (resv && resv->type == YNODE_MAP) {
		snprintf(what, sizeof(what), "services.%s.deploy.resources.reservations.memory", svc);
		read_bytes(r, doc, ynode_get(resv, "memory"), what, &s->mem_reservation_b);
		snprintf(what, sizeof(what), "services.%s.deploy.resources.reservations.cpus", svc);
		read_cpus(r, doc, ynode_get(resv, "cpus"), what, &s->cpus_reservation);
	}
}

/* ------------------------------------------------------------ secrets -- */

static void secret_add(struct compose_service *s, const char *var, const char *what, const char *file,
		       const struct ynode *at, bool env)
{
	s->secrets = xreallocarray(s->secrets, s->n_secrets + 1, sizeof(*s->secrets));
	struct compose_secret *x = &s->secrets[s->n_secrets++];
	x->var = xstrdup(var);
	x->what = xstrdup(what);
	x->file = xstrdup(file);
	x->line = at->line;
	x->col = at->col;
	x->env = env;
}

static void secret_clear(struct compose_secret *x)
{
	free(x->var);
	free(x->what);
	free(x->file);
}

/* Replace each credential of a command by a ${VAR} reference named after
 * the service, and note the variable. */
static void secure_command(const struct yaml_doc *doc, const struct ynode *node, const char *svc, char **cmd,
			   struct compose_service *s, bool note)
{
	if (!*cmd)
		return;
	struct strbuf sb;
	strbuf_init(&sb, 0);
	struct redact_ref *refs = NULL;
	size_t n = 0;
	if (redact_refs(*cmd, svc, &sb, &refs, &n) == 0 && n) {
		free(*cmd);
		*cmd = strbuf_take(&sb);
		for (size_t i = 0; i < n && note; i++)
			secret_add(s, refs[i].var, refs[i].what, doc->name, node, false);
	}
	free(refs);
	strbuf_free(&sb);
}

/* A name an environment variable can have, from an environment key. */
static char *env_var_name(const char *key, size_t n)
{
	char *v = xmalloc(n + 2);
	size_t j = 0;
	if (n == 0 || isdigit((unsigned char)key[0]))
		v[j++] = '_';
	for (size_t i = 0; i < n; i++)
		v[j++] = isalnum((unsigned char)key[i]) ? key[i] : '_';
	v[j] = '\0';
	return v;
}

/* One KEY=VALUE of `environment`: a secret when KEY is secret-bearing and
 * VALUE is more than a reference, or VALUE holds one (a URL's password). */
static void env_entry(const struct yaml_doc *doc, const struct ynode *at, const char *key, size_t kl,
		      const char *value, struct compose_service *s)
{
	if (!value || !*value || !kl)
		return;
	char *pair = xasprintf("%.*s=%s", (int)kl, key, value);
	struct redact_span sp;
	bool secret = redact_next(pair, 0, NULL, &sp);
	free(pair);
	if (!secret)
		return;
	char *var = env_var_name(key, kl);
	for (size_t i = 0; i < s->n_secrets; i++) {
		if (s->secrets[i].env && strcmp(s->secrets[i].var, var) == 0) {
			free(var);
			return;
		}
	}
	char *what = xasprintf("environment %.*s", (int)kl, key);
	secret_add(s, var, what, doc->name, at, true);
	free(what);
	free(var);
}

/* The secrets of `environment`, a mapping or a list of KEY=VALUE. Nothing
 * else of it is read: sizing needs none of it. */
static void read_environment(const struct yaml_doc *doc, const struct ynode *env, struct compose_service *s)
{
	if (!env || env->null)
		return;
	if (env->type == YNODE_MAP) {
		for (size_t i = 0; i < env->n; i++) {
			const struct ynode *v = env->items[i];
			if (v && v->type == YNODE_SCALAR && !v->null)
				env_entry(doc, v, env->keys[i]->str, strlen(env->keys[i]->str), v->str, s);
		}
	} else if (env->type == YNODE_SEQ) {
		for (size_t i = 0; i < env->n; i++) {
			const struct ynode *v = env->items[i];
			if (v->type != YNODE_SCALAR)
				continue;
			const char *eq = strchr(v->str, '=');
			if (eq)
				env_entry(doc, v, v->str, (size_t)(eq - v->str), eq + 1, s);
		}
	}
}

/* ------------------------------------------------------------ services -- */

static void service_clear(struct compose_service *s)
{
	free(s->name);
	free(s->file);
	free(s->image);
	free(s->build);
	free(s->command);
	free(s->entrypoint);
	for (size_t i = 0; i < s->n_profiles; i++)
		free(s->profiles[i]);
	free(s->profiles);
	free(s->health);
	for (size_t i = 0; i < s->n_secrets; i++)
		secret_clear(&s->secrets[i]);
	free(s->secrets);
	memset(s, 0, sizeof(*s));
}

/* The bytes of a service's strings (what reading it allocated). */
static size_t service_bytes(const struct compose_service *s)
{
	const char *const f[] = {s->name, s->file, s->image, s->build, s->command, s->entrypoint, s->health};
	size_t n = 0;
	for (size_t i = 0; i < sizeof(f) / sizeof(f[0]); i++)
		n += f[i] ? strlen(f[i]) + 1 : 0;
	for (size_t i = 0; i < s->n_profiles; i++)
		n += strlen(s->profiles[i]) + 1;
	return n;
}

/* Count a base read for `extends` (the caller's at ext) against the budget;
 * past it, report once and drop the base. */
static void charge_extends(struct reader *r, const struct yaml_doc *doc, const struct ynode *at, const char *svc,
			   struct compose_service *base)
{
	size_t text = 0;
	for (size_t i = 0; i < r->n_docs; i++)
		text += r->docs[i]->text_len;
	size_t cap = text > YAML_COPY_FLOOR / YAML_COPY_FACTOR ? text * YAML_COPY_FACTOR : YAML_COPY_FLOOR;
	if (r->over || r->copied <= cap)
		return;
	rd_error(r, doc, at,
		 "services.%s.extends: services extending others would copy %zu bytes, more than the %zu these files "
		 "may expand to (%u times their size, at least %u MiB)",
		 svc, r->copied, cap, YAML_COPY_FACTOR, YAML_COPY_FLOOR >> 20);
	r->over = true;
	service_clear(base);
}

/* Take each field dst leaves unset from src (which is cleared). */
static void service_fill(struct compose_service *dst, struct compose_service *src)
{
#define TAKE_STR(f) do { if (!dst->f) { dst->f = src->f; src->f = NULL; } } while (0)
#define TAKE_NUM(f) do { if (!dst->f) dst->f = src->f; } while (0)
	/* The base's command secrets come with its command; its environment
	 * merges with the service's (Compose: mappings merge). */
	bool took_command = !dst->command && src->command;
	for (size_t i = 0; i < src->n_secrets; i++) {
		struct compose_secret *x = &src->secrets[i];
		bool take = x->env ? true : took_command;
		for (size_t j = 0; take && x->env && j < dst->n_secrets; j++)
			take = !(dst->secrets[j].env && strcmp(dst->secrets[j].var, x->var) == 0);
		if (!take)
			continue;
		dst->secrets = xreallocarray(dst->secrets, dst->n_secrets + 1, sizeof(*dst->secrets));
		dst->secrets[dst->n_secrets++] = *x;
		memset(x, 0, sizeof(*x));
	}
	TAKE_STR(image);
	TAKE_STR(build);
	TAKE_STR(command);
	TAKE_STR(entrypoint);
	TAKE_STR(health);
	if (!dst->n_profiles) {
		dst->profiles = src->profiles;
		dst->n_profiles = src->n_profiles;
		src->profiles = NULL;
		src->n_profiles = 0;
	}
	TAKE_NUM(replicas);
	TAKE_NUM(mem_limit_b);
	TAKE_NUM(mem_reservation_b);
	TAKE_NUM(cpus_limit);
	TAKE_NUM(cpus_reservation);
	TAKE_NUM(port);
#undef TAKE_STR
#undef TAKE_NUM
	service_clear(src);
}

static const struct ynode *services_of(struct reader *r, const struct yaml_doc *doc);

static void read_service(struct reader *r, const struct yaml_doc *doc, const struct ynode *key,
			 const struct ynode *v, unsigned depth, struct compose_service *s);

/* Find the service `extends` names and read it into base. */
static void resolve_extends(struct reader *r, const struct yaml_doc *doc, const struct ynode *ext, const char *svc,
			    unsigned depth, struct compose_service *base)
{
	const struct ynode *name = ext, *file = NULL;
	if (ext->type == YNODE_MAP) {
		name = ynode_get(ext, "service");
		file = ynode_get(ext, "file");
		if (!name) {
			rd_error(r, doc, ext, "services.%s.extends: needs 'service', the service to extend", svc);
			return;
		}
	}
	if (name->type != YNODE_SCALAR || name->null) {
		rd_error(r, doc, name, "services.%s.extends: expected a service name, got %s", svc, ynode_type_name(name->type));
		return;
	}
	if (r->over)
		return;
	if (depth >= COMPOSE_MAX_EXTENDS) {
		rd_error(r, doc, name, "services.%s.extends: more than %d services deep; is there a cycle?", svc,
			 COMPOSE_MAX_EXTENDS);
		return;
	}
	const struct yaml_doc *from = doc;
	if (file && !file->null) {
		if (file->type != YNODE_SCALAR) {
			rd_error(r, doc, file, "services.%s.extends.file: expected a file name", svc);
			return;
		}
		if (r->n_docs >= sizeof(r->docs) / sizeof(r->docs[0])) {
			rd_error(r, doc, file, "services.%s.extends.file: more than %d files extended", svc, COMPOSE_MAX_EXTENDS);
			return;
		}
		char *path = file->str[0] == '/' || !r->dir ? xstrdup(file->str) : xasprintf("%s/%s", r->dir, file->str);
		struct yaml_doc *other = NULL;
		struct strbuf mem;
		strbuf_init(&mem, 4096);
		struct diag sub;
		diag_init_mem(&sub, &mem);
		int rc = yaml_doc_load(path, &sub, &other);
		if (rc) {
			/* Name the extends line, then what went wrong in the other file. */
			const char *why = strbuf_str(&mem);
			size_t len = strcspn(why, "\n");
			rd_error(r, doc, file, "services.%s.extends.file: %.*s", svc, (int)len, why);
		}
		strbuf_free(&mem);
		free(path);
		if (rc)
			return;
		r->docs[r->n_docs++] = other;
		from = other;
	}
	const struct ynode *svcs = services_of(r, from);
	if (!svcs)
		return;
	for (size_t i = 0; i < svcs->n; i++) {
		if (strcmp(svcs->keys[i]->str, name->str) == 0) {
			read_service(r, from, svcs->keys[i], svcs->items[i], depth + 1, base);
			charge_extends(r, doc, name, svc, base);
			return;
		}
	}
	rd_error(r, doc, name, "services.%s.extends: no service '%s' in %s", svc, name->str, from->name);
}

static void read_service(struct reader *r, const struct yaml_doc *doc, const struct ynode *key,
			 const struct ynode *v, unsigned depth, struct compose_service *s)
{
	const char *svc = key->str;
	char what[200];
	s->name = xstrdup(svc);
	s->file = xstrdup(doc->name);
	s->line = key->line;
	s->col = key->col;
	if (!v || v->null || v->type != YNODE_MAP) {
		rd_error(r, doc, v && !v->null ? v : key, "services.%s: expected a mapping with image or build, got %s", svc,
			 !v || v->null ? "nothing" : ynode_type_name(v->type));
		return;
	}
	const char *t;
	if ((t = want_scalar(r, doc, ynode_get(v, "image"), "image")))
		s->image = xstrdup(t);
	const struct ynode *b = ynode_get(v, "build");
	if (b && !b->null) {
		if (b->type == YNODE_SCALAR)
			s->build = xstrdup(b->str);
		else if (b->type == YNODE_MAP)
			s->build = xstrdup((t = want_scalar(r, doc, ynode_get(b, "context"), "build.context")) ? t : ".");
		else
			rd_error(r, doc, b, "services.%s.build: expected a path or a mapping, got %s", svc, ynode_type_name(b->type));
	}
	snprintf(what, sizeof(what), "services.%s.command", svc);
	s->command = read_command(r, doc, ynode_get(v, "command"), what);
	secure_command(doc, ynode_get(v, "command"), svc, &s->command, s, true);
	snprintf(what, sizeof(what), "services.%s.entrypoint", svc);
	s->entrypoint = read_command(r, doc, ynode_get(v, "entrypoint"), what);
	/* The entrypoint is read to recognise the service, never copied. */
	secure_command(doc, ynode_get(v, "entrypoint"), svc, &s->entrypoint, s, false);
	read_environment(doc, ynode_get(v, "environment"), s);
	const struct ynode *p = ynode_get(v, "profiles");
	if (p && !p->null) {
		if (p->type != YNODE_SEQ) {
			rd_error(r, doc, p, "services.%s.profiles: expected a list of names, got %s", svc, ynode_type_name(p->type));
		} else {
			s->profiles = xcalloc(p->n ? p->n : 1, sizeof(*s->profiles));
			for (size_t i = 0; i < p->n; i++) {
				if (p->items[i]->type != YNODE_SCALAR) {
					rd_error(r, doc, p->items[i], "services.%s.profiles: expected a name", svc);
					continue;
				}
				s->profiles[s->n_profiles++] = xstrdup(p->items[i]->str);
			}
		}
	}
	const struct ynode *dep = ynode_get(v, "deploy");
	if (dep && !dep->null && dep->type != YNODE_MAP)
		rd_error(r, doc, dep, "services.%s.deploy: expected a mapping, got %s", svc, ynode_type_name(dep->type));
	snprintf(what, sizeof(what), "services.%s.deploy.replicas", svc);
	read_uint(r, doc, ynode_get(dep, "replicas"), what, 10000, &s->replicas);
	if (!s->replicas) {
		snprintf(what, sizeof(what), "services.%s.scale", svc);
		read_uint(r, doc, ynode_get(v, "scale"), what, 10000, &s->replicas);
	}
	read_resources(r, doc, ynode_get(dep, "resources"), svc, s);
	if (!s->mem_limit_b) {
		snprintf(what, sizeof(what), "services.%s.mem_limit", svc);
		read_bytes(r, doc, ynode_get(v, "mem_limit"), what, &s->mem_limit_b);
	}
	if (!s->mem_reservation_b) {
		snprintf(what, sizeof(what), "services.%s.mem_reservation", svc);
		read_bytes(r, doc, ynode_get(v, "mem_reservation"), what, &s->mem_reservation_b);
	}
	if (!s->cpus_limit) {
		snprintf(what, sizeof(what), "services.%s.cpus", svc);
		read_cpus(r, doc, ynode_get(v, "cpus"), what, &s->cpus_limit);
	}
	s->port = first_port(ynode_get(v, "expose"));
	if (!s->port)
		s->port = first_port(ynode_get(v, "ports"));
	const struct ynode *hc = ynode_get(v, "healthcheck");
	if (hc && hc->type == YNODE_MAP)
		s->health = health_path(hc);

	if (depth > 0) /* a base: its strings are copies, counted before its own base is read */
		r->copied += service_bytes(s);
	const struct ynode *ext = ynode_get(v, "extends");
	if (ext && !ext->null) {
		struct compose_service base = {0};
		resolve_extends(r, doc, ext, svc, depth, &base);
		/* The extending service keeps its own name and place. */
		free(base.name);
		free(base.file);
		base.name = base.file = NULL;
		service_fill(s, &base);
	}
}

/* The services mapping of a document, or NULL after an error. */
static const struct ynode *services_of(struct reader *r, const struct yaml_doc *doc)
{
	const struct ynode *root = doc->root;
	if (!root || root->type != YNODE_MAP) {
		yaml_error_at(r->d, &r->rc, doc, root ? root->line : 1, root ? root->col : 1,
			      "expected a Compose file: a mapping with 'services' at the top, got %s",
			      root ? ynode_type_name(root->type) : "an empty document");
		return NULL;
	}
	const struct ynode *svcs = ynode_get(root, "services");
	if (!svcs || svcs->null) {
		yaml_error_at(r->d, &r->rc, doc, root->line, root->col, "expected a Compose file: no 'services' at the top");
		return NULL;
	}
	if (svcs->type != YNODE_MAP) {
		rd_error(r, doc, svcs, "services: expected a mapping of service names, got %s", ynode_type_name(svcs->type));
		return NULL;
	}
	return svcs;
}

static int load_doc(const char *name, struct yaml_doc *doc, struct diag *d, struct compose_project **out)
{
	struct reader r = {.d = d};
	const char *slash = strrchr(name, '/');
	r.dir = slash ? xstrndup(name, (size_t)(slash - name)) : NULL;
	r.docs[r.n_docs++] = doc;
	const struct ynode *root = doc->root;
	/* Unknown top-level keys: a typo of 'services' must not pass as an empty file. */
	if (root && root->type == YNODE_MAP) {
		for (size_t i = 0; i < root->n; i++) {
			const char *k = root->keys[i]->str;
			bool known = strncmp(k, "x-", 2) == 0;
			for (size_t j = 0; !known && j < sizeof(top_keys) / sizeof(top_keys[0]); j++)
				known = strcmp(k, top_keys[j]) == 0;
			if (known)
				continue;
			const char *hint = str_suggest(k, top_keys, sizeof(top_keys) / sizeof(top_keys[0]));
			if (hint)
				rd_error(&r, doc, root->keys[i], "unknown top-level key '%s' in a Compose file; did you mean '%s'?",
					 k, hint);
			else
				rd_error(&r, doc, root->keys[i],
					 "unknown top-level key '%s' in a Compose file (expected services, volumes, networks, configs, secrets, x-...)",
					 k);
		}
	}
	struct compose_project *p = xcalloc(1, sizeof(*p));
	p->path = xstrdup(name);
	const struct ynode *svcs = r.rc ? NULL : services_of(&r, doc);
	if (svcs && svcs->n == 0)
		rd_error(&r, doc, svcs, "services: the file defines no service");
	if (svcs && svcs->n > COMPOSE_MAX_SERVICES)
		rd_error(&r, doc, svcs, "services: more than %d services", COMPOSE_MAX_SERVICES);
	if (svcs && !r.rc) {
		p->services = xcalloc(svcs->n, sizeof(*p->services));
		for (size_t i = 0; i < svcs->n; i++) {
			struct compose_service *s = &p->services[p->n++];
			read_service(&r, doc, svcs->keys[i], svcs->items[i], 0, s);
			if (!r.rc && !s->image && !s->build)
				rd_error(&r, doc, svcs->keys[i], "services.%s: has neither 'image' nor 'build'; headroom cannot tell what it runs",
					 s->name);
		}
	}
	for (size_t i = 0; i < r.n_docs; i++)
		yaml_doc_free(r.docs[i]);
	free(r.dir);
	if (r.rc) {
		compose_free(p);
		return r.rc;
	}
	*out = p;
	return 0;
}

int compose_load_string(const char *name, const char *text, size_t len, struct diag *d,
			struct compose_project **out)
{
	*out = NULL;
	struct yaml_doc *doc;
	int rc = yaml_doc_parse(name, text, len, d, &doc);
	if (rc)
		return rc;
	if (doc->n_errors) {
		yaml_doc_free(doc);
		return HR_E_INVALID;
	}
	return load_doc(name, doc, d, out);
}

int compose_load(const char *path, struct diag *d, struct compose_project **out)
{
	*out = NULL;
	struct yaml_doc *doc;
	int rc = yaml_doc_load(path, d, &doc);
	if (rc)
		return rc;
	if (doc->n_errors) {
		yaml_doc_free(doc);
		return HR_E_INVALID;
	}
	return load_doc(path, doc, d, out);
}

void compose_free(struct compose_project *p)
{
	if (!p)
		return;
	for (size_t i = 0; i < p->n; i++)
		service_clear(&p->services[i]);
	free(p->services);
	free(p->path);
	free(p);
}

/* --------------------------------------------------------- recognition -- */

char *compose_image_repo(const char *image, char *out, size_t n)
{
	if (!n)
		return out;
	out[0] = 0;
	if (!image)
		return out;
	/* Drop a digest, then take the last path component, then drop its tag. */
	size_t len = strcspn(image, "@");
	const char *start = image;
	for (size_t i = 0; i < len; i++)
		if (image[i] == '/')
			start = image + i + 1;
	size_t rl = (size_t)(image + len - start);
	const char *colon = memchr(start, ':', rl);
	if (colon)
		rl = (size_t)(colon - start);
	if (rl >= n)
		rl = n - 1;
	for (size_t i = 0; i < rl; i++)
		out[i] = (char)tolower((unsigned char)start[i]);
	out[rl] = 0;
	return out;
}

int compose_flag(const char *command, const char *const *flags, char **out)
{
	*out = NULL;
	if (!command)
		return HR_E_NOTFOUND;
	const char *p = command;
	while (*p) {
		while (*p == ' ' || *p == '\t' || *p == '\n')
			p++;
		size_t tl = strcspn(p, " \t\n");
		if (!tl)
			break;
		for (const char *const *f = flags; *f; f++) {
			size_t fl = strlen(*f);
			if (tl < fl || strncmp(p, *f, fl) != 0)
				continue;
			const char *v = NULL;
			size_t vl = 0;
			if (tl == fl) { /* "--workers 4" */
				const char *q = p + tl;
				while (*q == ' ' || *q == '\t')
					q++;
				v = q;
				vl = strcspn(q, " \t\n");
			} else if (p[fl] == '=') { /* "--workers=4" */
				v = p + fl + 1;
				vl = tl - fl - 1;
			} else if ((*f)[1] != '-') { /* "-w4" */
				v = p + fl;
				vl = tl - fl;
			}
			if (v && vl) {
				/* Quotes a shell would strip. */
				if (vl >= 2 && (v[0] == '"' || v[0] == '\'') && v[vl - 1] == v[0]) {
					v++;
					vl -= 2;
				}
				*out = xstrndup(v, vl);
				return 0;
			}
		}
		p += tl;
	}
	return HR_E_NOTFOUND;
}

/* Does the command hold word as a whole word (between non-identifier characters)? */
static bool has_word(const char *cmd, const char *word)
{
	if (!cmd)
		return false;
	size_t wl = strlen(word);
	for (const char *p = cmd; (p = strstr(p, word)); p++) {
		bool left = p == cmd || !(isalnum((unsigned char)p[-1]) || p[-1] == '_');
		bool right = !(isalnum((unsigned char)p[wl]) || p[wl] == '_');
		if (left && right)
			return true;
	}
	return false;
}

static bool in_list(const char *repo, const char *const *list)
{
	for (; *list; list++)
		if (strcmp(repo, *list) == 0)
			return true;
	return false;
}

void compose_classify(const struct compose_service *s, struct compose_kind *out)
{
	/* Image repositories by what they run (last path component, no tag). */
	static const char *const pg[] = {"postgres", "postgresql", "timescaledb", "timescaledb-ha", "postgis",
					 "pgvector", "postgresql-repmgr", NULL};
	static const char *const redis[] = {"redis", "redis-stack", "redis-stack-server", "valkey", "keydb",
					    "dragonfly", NULL};
	static const char *const proxy[] = {"nginx", "nginx-unprivileged", "openresty", "traefik", "caddy",
					    "haproxy", "envoy", NULL};
	/* Side services that need a share of the node but serve none of the
	 * workload's requests: poolers, admin UIs, monitoring, mail catchers. */
	static const char *const other[] = {"pgbouncer", "adminer", "pgadmin4", "redis-commander", "redisinsight",
					    "prometheus", "grafana", "node-exporter", "cadvisor", "loki", "promtail",
					    "mailhog", "mailpit", "flower", NULL};
	memset(out, 0, sizeof(*out));
	char repo[128];
	compose_image_repo(s->image, repo, sizeof(repo));
	struct strbuf cmd;
	strbuf_init(&cmd, 1u << 17);
	if ((s->entrypoint && strbuf_puts(&cmd, s->entrypoint)) || strbuf_puts(&cmd, " ") ||
	    (s->command && strbuf_puts(&cmd, s->command)))
		strbuf_reset(&cmd);
	const char *c = strbuf_str(&cmd);
	/* The command decides first: a Celery worker often runs from the app's own image. */
	struct {
		const char *word, *also;
		enum compose_framework fw;
		const char *name;
	} workers[] = {
		{"celery", "worker", FW_CELERY, "a Celery worker"},
		{"rq", "worker", FW_RQ, "an RQ worker"},
		{"rqworker", NULL, FW_RQ, "an RQ worker"},
		{"sidekiq", NULL, FW_SIDEKIQ, "a Sidekiq worker"},
		{"bullmq", NULL, FW_BULLMQ, "a BullMQ worker"},
		{"dramatiq", NULL, FW_DRAMATIQ, "a Dramatiq worker"},
		{"arq", NULL, FW_ARQ, "an arq worker"},
	};
	for (size_t i = 0; i < sizeof(workers) / sizeof(workers[0]); i++) {
		if (has_word(c, workers[i].word) && (!workers[i].also || has_word(c, workers[i].also))) {
			out->kind = COMP_WORKER;
			out->framework = workers[i].fw;
			snprintf(out->why, sizeof(out->why), "its command runs %s", workers[i].name);
			goto done;
		}
	}
	if (has_word(c, "celery") && (has_word(c, "beat") || has_word(c, "flower"))) {
		out->kind = COMP_OTHER;
		snprintf(out->why, sizeof(out->why), "its command runs Celery %s, which runs no tasks itself",
			 has_word(c, "beat") ? "beat (the scheduler)" : "flower (the monitor)");
		goto done;
	}
	/* A Node.js process whose command names a worker script: BullMQ's shape. */
	if ((has_word(c, "node") || has_word(c, "npm") || has_word(c, "yarn") || has_word(c, "pnpm") ||
	     strncmp(repo, "node", 4) == 0) &&
	    (strstr(c, "worker") || strstr(c, "queue"))) {
		out->kind = COMP_WORKER;
		out->framework = FW_BULLMQ;
		snprintf(out->why, sizeof(out->why),
			 "its command runs a Node.js worker script; taken to be a BullMQ worker");
		goto done;
	}
	if (repo[0] && in_list(repo, pg)) {
		out->kind = COMP_POSTGRES;
		snprintf(out->why, sizeof(out->why), "image %s is PostgreSQL", s->image);
	} else if (repo[0] && in_list(repo, redis)) {
		out->kind = COMP_REDIS;
		snprintf(out->why, sizeof(out->why), "image %s speaks the Redis protocol", s->image);
	} else if (repo[0] && in_list(repo, proxy)) {
		out->kind = COMP_PROXY;
		snprintf(out->why, sizeof(out->why), "image %s is a reverse proxy", s->image);
	} else if (repo[0] && in_list(repo, other)) {
		out->kind = COMP_OTHER;
		snprintf(out->why, sizeof(out->why), "image %s serves none of the workload's requests", s->image);
	} else if (strstr(s->name, "worker")) {
		out->kind = COMP_WORKER;
		out->assumed = true;
		snprintf(out->why, sizeof(out->why),
			 "the service is named '%s' and its command shows no known framework; taken to be a queue worker",
			 s->name);
	} else {
		out->kind = COMP_APP;
		out->assumed = true;
		if (s->image)
			snprintf(out->why, sizeof(out->why),
				 "image %s is not one headroom recognises; taken to serve the workload's requests (set kind: other if it does not)",
				 s->image);
		else
			snprintf(out->why, sizeof(out->why),
				 "built from %s; taken to serve the workload's requests (set kind: other if it does not)", s->build);
	}
done:
	strbuf_free(&cmd);
}
