/* config.c - load a headroom.yaml: parse (yaml.c), walk the key table
 * (schema.c), then the checks that need the whole file: money in the
 * model's currency, names that must be unique, per-kind meanings. */
#include "config/config.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <libgen.h>
#include <netinet/in.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "config/catalog.h"
#include "config/fx.h"
#include "config/schema.h"
#include "config/yaml.h"
#include "util/str.h"
#include "util/strbuf.h"
#include "util/units.h"
#include "util/xalloc.h"

/* Money written in another currency than economics.currency, converted now
 * that the whole file (and so economics.exchange) is known. */
static void settle_money(struct loader *L, struct config *cfg)
{
	for (size_t i = 0; i < L->n_money; i++) {
		struct pending_money *m = &L->money[i];
		double rate;
		if (fx_rate(&cfg->economics, m->currency, &rate) == 0) {
			*m->target *= rate;
			continue;
		}
		yaml_error_at(L->d, &L->rc, L->doc, m->line, m->col,
			      "no exchange rate from %s to %s; add it as economics.exchange: {%s: RATE}",
			      m->currency, cfg->economics.currency, m->currency);
	}
}

static const struct ynode *path_node(const struct ynode *root, const char *path);

static void check_components(struct loader *L, struct config *cfg)
{
	for (size_t i = 0; i < cfg->n_components; i++) {
		struct component *c = &cfg->components[i];
		/* One `memory` key: per process for processes, a reservation for servers. */
		if (c->kind == COMP_POSTGRES || c->kind == COMP_REDIS) {
			c->memory_b = c->memory_base_b;
			c->memory_base_b = 0;
		}
	}
	(void)L;
}

static void check_sources(struct loader *L, struct config *cfg)
{
	for (size_t i = 0; i < cfg->n_sources; i++) {
		struct source_config *s = &cfg->sources[i];
		if (!s->name && s->type)
			s->name = xstrdup(s->type);
	}
	for (size_t i = 0; i < cfg->n_sources; i++) {
		for (size_t j = 0; j < i; j++) {
			if (!cfg->sources[i].name || !cfg->sources[j].name ||
			    strcmp(cfg->sources[i].name, cfg->sources[j].name) != 0)
				continue;
			char path[64];
			snprintf(path, sizeof(path), "metrics.sources[%zu]", i);
			const struct ynode *n = path_node(L->doc->root, path);
			schema_error(L, n,
				     "%s: a second source named '%s' (the first is metrics.sources[%zu]); give each a unique 'name'",
				     path, cfg->sources[i].name, j);
			break;
		}
	}
}

/* The shortest agent.token served beyond loopback: serve/httpd.h's
 * HTTPD_TOKEN_MIN (config/ includes no other adapter), which says why: a
 * short token is guessed by trying them all. */
#define AGENT_TOKEN_MIN 16

/* Is agent.listen (HOST:PORT or [V6]:PORT, as serve/httpd parses it) an
 * address beyond loopback? One that does not parse is not: the agent
 * refuses it for what it is. */
static bool listen_beyond_loopback(const char *listen)
{
	const char *colon = listen ? strrchr(listen, ':') : NULL;
	if (!colon)
		return false;
	size_t hl = (size_t)(colon - listen);
	if (listen[0] == '[' && hl >= 2 && listen[hl - 1] == ']')
		listen++, hl -= 2;
	char host[128];
	if (hl >= sizeof(host))
		return false;
	memcpy(host, listen, hl);
	host[hl] = '\0';
	struct in_addr v4;
	struct in6_addr v6;
	if (inet_pton(AF_INET, host, &v4) == 1)
		return (ntohl(v4.s_addr) >> 24) != 127;
	if (inet_pton(AF_INET6, host, &v6) == 1)
		return !IN6_IS_ADDR_LOOPBACK(&v6);
	return false;
}

/* A bearer token is RFC 6750's b64token: letters, digits and -._~+/ then
 * '=' padding. A blank or spaced one is a mistake (an unset ${VAR} written
 * as "${VAR} ", a stray newline) that would guard the endpoints with
 * nothing a client can send, or with whitespace. Beyond loopback it must be
 * AGENT_TOKEN_MIN characters or more; that error points at agent.listen,
 * whose line holds no secret, and never quotes the token. */
static void check_agent(struct loader *L, struct config *cfg)
{
	const char *t = cfg->agent.token;
	if (!t)
		return;
	size_t n = strlen(t), k = 0;
	while (k < n && (isalnum((unsigned char)t[k]) || strchr("-._~+/", t[k])))
		k++;
	while (k < n && t[k] == '=')
		k++;
	if (n > 0 && k == n) {
		if (n < AGENT_TOKEN_MIN && listen_beyond_loopback(cfg->agent.listen))
			schema_error(L, path_node(L->doc->root, "agent.listen"),
				     "agent.listen: %s is beyond loopback, where agent.token must be at least %d "
				     "characters (a shorter one is guessed by trying them all); set a longer token, "
				     "such as the output of 'openssl rand -hex 16', or listen on 127.0.0.1",
				     cfg->agent.listen, AGENT_TOKEN_MIN);
		return;
	}
	const struct ynode *node = path_node(L->doc->root, "agent.token");
	if (n == 0 || strspn(t, " \t\r\n") == n)
		schema_error(L, node, "agent.token: is blank; a bearer token needs letters or digits (RFC 6750 b64token)");
	else
		schema_error(L, node, "agent.token: may hold only letters, digits and -._~+/ then '=' (RFC 6750 b64token); "
				      "it holds a character at position %zu that a client cannot send as is", k + 1);
}

static void check_triggers(struct loader *L, struct config *cfg)
{
	const struct ynode *map = schema_get(L->doc->root, "triggers");
	for (size_t i = 0; i < cfg->n_triggers && map && i < map->n; i++)
		cfg->triggers[i].origin = xasprintf("%s:%d", L->doc->name, map->keys[i]->line);
}

static void check_catalog(struct loader *L, struct config *cfg)
{
	for (size_t i = 0; i < cfg->catalog.n; i++) {
		if (cfg->catalog.offers[i].provider)
			continue;
		char path[64];
		snprintf(path, sizeof(path), "catalog[%zu]", i);
		schema_error(L, path_node(L->doc->root, path), "%s: missing required key 'provider'", path);
	}
}

static int from_doc(struct yaml_doc *doc, const char *dir, struct diag *d, struct config **out)
{
	struct config *cfg = xcalloc(1, sizeof(*cfg));
	cfg->path = xstrdup(doc->name);
	schema_defaults(&schema_config, cfg);
	struct loader L = {.doc = doc, .d = d, .dir = dir, .calib = &cfg->calibration,
			   .rc = doc->n_errors ? HR_E_INVALID : 0};
	if (!doc->root) {
		schema_error(&L, NULL, "the file is empty; expected a mapping with workload:, components:, triggers: ...");
	} else {
		schema_load(&L, &schema_config, cfg, doc->root, "");
		if (doc->root->type == YNODE_MAP) {
			settle_money(&L, cfg);
			check_components(&L, cfg);
			check_sources(&L, cfg);
			check_agent(&L, cfg);
			check_triggers(&L, cfg);
			check_catalog(&L, cfg);
		}
	}
	free(L.money);
	cfg->doc = doc;
	if (L.rc) {
		config_free(cfg);
		return HR_E_INVALID;
	}
	*out = cfg;
	return 0;
}

int config_load(const char *path, struct diag *d, struct config **out)
{
	*out = NULL;
	struct yaml_doc *doc;
	int rc = yaml_doc_load(path, d, &doc);
	if (rc)
		return rc == HR_E_IO ? HR_E_IO : HR_E_INVALID;
	char *copy = xstrdup(path);
	rc = from_doc(doc, dirname(copy), d, out);
	free(copy);
	return rc;
}

int config_load_string(const char *name, const char *text, size_t len, struct diag *d,
		       struct config **out)
{
	*out = NULL;
	struct yaml_doc *doc;
	if (yaml_doc_parse(name, text, len, d, &doc))
		return HR_E_INVALID;
	return from_doc(doc, NULL, d, out);
}

char *config_catalog_dir(const struct config *cfg)
{
	if (!cfg || !cfg->catalog_dir || !*cfg->catalog_dir)
		return NULL;
	const char *slash = cfg->path ? strrchr(cfg->path, '/') : NULL;
	if (cfg->catalog_dir[0] == '/' || !slash)
		return xstrdup(cfg->catalog_dir);
	return xasprintf("%.*s/%s", (int)(slash - cfg->path), cfg->path, cfg->catalog_dir);
}

void config_free(struct config *cfg)
{
	if (!cfg)
		return;
	for (size_t i = 0; i < cfg->n_triggers; i++)
		free(cfg->triggers[i].origin);
	schema_free(&schema_config, cfg);
	yaml_doc_free(cfg->doc);
	free(cfg->path);
	free(cfg);
}

/* Follow "a.b[2].c" through the tree; NULL when any step is missing. */
static const struct ynode *path_node(const struct ynode *n, const char *path)
{
	const char *p = path;
	while (n && *p) {
		if (*p == '.') {
			p++;
			continue;
		}
		if (*p == '[') {
			char *end;
			unsigned long i = strtoul(p + 1, &end, 10);
			if (*end != ']' || n->type != YNODE_SEQ || i >= n->n)
				return NULL;
			n = n->items[i];
			p = end + 1;
			continue;
		}
		size_t len = strcspn(p, ".[");
		const struct ynode *next = NULL;
		for (size_t i = 0; n->type == YNODE_MAP && i < n->n && !next; i++)
			if (n->keys[i]->len == len && memcmp(n->keys[i]->str, p, len) == 0)
				next = n->items[i];
		n = next;
		p += len;
	}
	return n;
}

struct diag_loc config_loc(const struct config *cfg, const char *path)
{
	const struct ynode *n = cfg->doc ? path_node(cfg->doc->root, path) : NULL;
	if (!n)
		return (struct diag_loc){.file = cfg->path};
	return yaml_doc_loc(cfg->doc, n);
}

int config_check_refs(const struct config *cfg, const struct catalog *cat, struct diag *d)
{
	int rc = 0;
	char path[96];
	const char *names[512];
	size_t nn = 0;
	const struct deployment *dep = &cfg->deployment;
	for (size_t i = 0; i < dep->n_providers; i++) {
		if (catalog_find_provider(cat, dep->providers[i]))
			continue;
		nn = 0;
		for (size_t j = 0; j < cat->n && nn < 512; j++) {
			bool seen = false;
			for (size_t k = 0; k < nn && !seen; k++)
				seen = strcmp(names[k], cat->offers[j].provider) == 0;
			if (!seen)
				names[nn++] = cat->offers[j].provider;
		}
		snprintf(path, sizeof(path), "deployment.providers[%zu]", i);
		struct diag_loc loc = config_loc(cfg, path);
		const char *sug = str_suggest(dep->providers[i], names, nn);
		diag_at(d, DIAG_ERROR, &loc, "%s: no provider '%s' in the price catalogue%s%s%s", path,
			dep->providers[i], sug ? "; did you mean '" : "", sug ? sug : "", sug ? "'?" : "");
		rc = HR_E_INVALID;
	}
	for (size_t i = 0; i < dep->n_current; i++) {
		const char *plan = dep->current[i].plan;
		if (!plan || catalog_find(cat, NULL, plan))
			continue;
		nn = 0;
		for (size_t j = 0; j < cat->n && nn < 512; j++)
			if (cat->offers[j].kind == OFFER_SERVER)
				names[nn++] = cat->offers[j].name;
		snprintf(path, sizeof(path), "deployment.current.nodes[%zu].plan", i);
		struct diag_loc loc = config_loc(cfg, path);
		const char *sug = str_suggest(plan, names, nn);
		diag_at(d, DIAG_ERROR, &loc, "%s: no plan '%s' in the price catalogue%s%s%s", path, plan,
			sug ? "; did you mean '" : "", sug ? sug : "", sug ? "'?" : "");
		rc = HR_E_INVALID;
	}
	return rc;
}

struct each_ctx {
	void (*fn)(const struct config_key_info *k, void *ctx);
	void *ctx;
};

static void each_key(const char *path, const struct key_spec *k, void *ctx)
{
	struct each_ctx *c = ctx;
	char bounds[64] = "", lo[24], hi[24];
	bool ratio = k->type == KT_RATIO;
	if (k->type == KT_DURATION) {
		/* "0 to 1.0 d", not "0 to 86400": the unit the key is written in */
		units_fmt_duration(k->min, lo, sizeof(lo));
		units_fmt_duration(k->max, hi, sizeof(hi));
	} else {
		snprintf(lo, sizeof(lo), "%g", k->min);
		snprintf(hi, sizeof(hi), "%g", k->max);
	}
	if (k->max > 0 && ratio)
		snprintf(bounds, sizeof(bounds), "%s%g%% to %g%%", k->flags & KF_POSITIVE ? "over " : "",
			 k->min * 100, k->max * 100);
	else if (k->max > 0)
		snprintf(bounds, sizeof(bounds), "%s%s to %s", k->flags & KF_POSITIVE ? "over " : "",
			 k->min == 0 && k->type == KT_DURATION ? "0" : lo, hi);
	else if (k->min > 0)
		snprintf(bounds, sizeof(bounds), "at least %s", lo);
	else if (k->flags & KF_POSITIVE)
		snprintf(bounds, sizeof(bounds), "over 0");
	struct config_key_info info = {
		.path = path, .type = schema_type_name(k), .doc = k->doc, .def = k->def,
		.why_default = k->why_default, .bounds = bounds[0] ? bounds : NULL,
		.required = (k->flags & KF_REQUIRED) != 0,
	};
	c->fn(&info, c->ctx);
}

void config_each_key(void (*fn)(const struct config_key_info *k, void *ctx), void *ctx)
{
	struct each_ctx c = {fn, ctx};
	schema_each_key(&schema_config, "", each_key, &c);
}

/* --- the values of a loaded config, given or defaulted ------------------- */

struct value_walk {
	void (*fn)(const struct config_value *v, void *ctx);
	void *ctx;
	struct strbuf text;
};

/* Key names whose values are never shown (a report may be published). */
static bool secret_key(const char *name)
{
	static const char *const secret[] = {"password", "token", "dsn", "webhook"};
	for (size_t i = 0; i < sizeof(secret) / sizeof(secret[0]); i++)
		if (strcmp(name, secret[i]) == 0)
			return true;
	return false;
}

/* A scalar, or a list or mapping of scalars in flow style: "[500, 2k]", "{single: 1}". */
static int flow_text(struct strbuf *sb, const struct ynode *n, unsigned depth)
{
	if (n->type == YNODE_SCALAR)
		return strbuf_append(sb, n->str, n->len);
	if (depth > 4)
		return strbuf_puts(sb, "...");
	int rc = strbuf_puts(sb, n->type == YNODE_SEQ ? "[" : "{");
	for (size_t i = 0; i < n->n && !rc; i++) {
		if (i)
			rc = strbuf_puts(sb, ", ");
		if (!rc && n->type == YNODE_MAP) {
			rc = strbuf_append(sb, n->keys[i]->str, n->keys[i]->len);
			if (!rc)
				rc = strbuf_puts(sb, ": ");
		}
		if (!rc)
			rc = flow_text(sb, n->items[i], depth + 1);
	}
	if (!rc)
		rc = strbuf_puts(sb, n->type == YNODE_SEQ ? "]" : "}");
	return rc;
}

static void walk_values(struct value_walk *w, const struct section *s, const struct ynode *map, const char *prefix,
			bool in_element)
{
	char path[512];
	for (size_t i = 0; i < s->n_keys; i++) {
		const struct key_spec *k = &s->keys[i];
		snprintf(path, sizeof(path), "%s%s%s", prefix, *prefix ? "." : "", k->name);
		const struct ynode *n = schema_get(map, k->name);
		if (n && n->type == YNODE_SCALAR && n->null)
			n = NULL;
		switch (k->type) {
		case KT_ANY:
			continue;
		case KT_SECTION:
			/* an optional part of a list element (a request's external call) left out has nothing to default */
			if (!n && in_element && !(k->flags & KF_REQUIRED))
				continue;
			walk_values(w, k->sub, n && n->type == YNODE_MAP ? n : NULL, path, in_element);
			continue;
		case KT_LIST:
			for (size_t j = 0; n && n->type == YNODE_SEQ && j < n->n; j++) {
				char sub[560];
				snprintf(sub, sizeof(sub), "%s[%zu]", path, j);
				walk_values(w, k->sub, n->items[j]->type == YNODE_MAP ? n->items[j] : NULL, sub, true);
			}
			continue;
		case KT_NAMED:
			for (size_t j = 0; n && n->type == YNODE_MAP && j < n->n; j++) {
				char sub[560];
				snprintf(sub, sizeof(sub), "%s.%s", path, n->keys[j]->str);
				walk_values(w, k->sub, n->items[j]->type == YNODE_MAP ? n->items[j] : NULL, sub, true);
			}
			continue;
		case KT_CALIBRATION:
			if (n && n->type == YNODE_MAP) {
				walk_values(w, k->sub, n, path, in_element);
				continue;
			}
			break; /* a file name: one value */
		default:
			break;
		}
		if (k->type == KT_CALIBRATION && !n)
			continue;
		struct config_value v = {.path = path, .given = n != NULL, .secret = secret_key(k->name),
					 .doc = k->doc, .why_default = k->why_default};
		strbuf_reset(&w->text);
		if (v.secret)
			v.text = NULL;
		else if (n && flow_text(&w->text, n, 0) == 0)
			v.text = strbuf_str(&w->text);
		else if (!n)
			v.text = k->def;
		w->fn(&v, w->ctx);
	}
}

void config_each_value(const struct config *cfg, const char *prefix,
		       void (*fn)(const struct config_value *v, void *ctx), void *ctx)
{
	struct value_walk w = {fn, ctx, {0}};
	strbuf_init(&w.text, 1u << 16);
	const struct ynode *root = cfg->doc ? cfg->doc->root : NULL;
	if (root && root->type != YNODE_MAP)
		root = NULL;
	if (!prefix) {
		walk_values(&w, &schema_config, root, "", false);
	} else {
		/* one top-level key: a section of its own with that key alone */
		for (size_t i = 0; i < schema_config.n_keys; i++) {
			if (strcmp(schema_config.keys[i].name, prefix) != 0)
				continue;
			struct section one = schema_config;
			one.keys = &schema_config.keys[i];
			one.n_keys = 1;
			walk_values(&w, &one, root, "", false);
		}
	}
	strbuf_free(&w.text);
}
