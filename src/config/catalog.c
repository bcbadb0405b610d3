/* catalog.c - the price catalogue: one YAML file per provider under
 * data/catalog, read with the same key table as a config's `catalog:`
 * entries (schema.c), so both get the same checks and messages. */
#include "config/catalog.h"

#include <dirent.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "config/fx.h"
#include "config/schema.h"
#include "config/yaml.h"
#include "util/xalloc.h"

/* Most provider files read from one folder; a catalogue is a handful. */
enum { MAX_FILES = 256 };

#ifndef HEADROOM_DATADIR
#define HEADROOM_DATADIR "/usr/local/share/headroom"
#endif

/* The folder of the running binary, or NULL (no /proc). */
static char *exe_dir(void)
{
	char exe[PATH_MAX];
	ssize_t n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	if (n <= 0)
		return NULL;
	exe[n] = '\0';
	char *slash = strrchr(exe, '/');
	if (!slash)
		return NULL;
	*slash = '\0';
	return xstrdup(exe);
}

static bool is_dir(const char *path)
{
	struct stat st;
	return stat(path, &st) == 0 && S_ISDIR(st.st_mode);
}

char *catalog_default_dir(void)
{
	const char *env = getenv("HEADROOM_CATALOG");
	if (env && *env)
		return xstrdup(env);
	env = getenv("HEADROOM_DATA");
	if (env && *env)
		return xasprintf("%s/catalog", env);
	char *dir = exe_dir(), *found = NULL;
#if defined(HEADROOM_BUILDDIR) && defined(HEADROOM_SRCDATADIR)
	/* Run from the build folder (tests, ./build/headroom): the source tree's data. */
	size_t bl = strlen(HEADROOM_BUILDDIR);
	if (dir && strncmp(dir, HEADROOM_BUILDDIR, bl) == 0 && (dir[bl] == '/' || dir[bl] == '\0'))
		found = xasprintf("%s/catalog", HEADROOM_SRCDATADIR);
#endif
	/* Installed under a prefix the build did not know (make install
	 * DESTDIR=..., a copied tree): BINDIR/../share/headroom beside the binary. */
	if (dir && !found) {
		found = xasprintf("%s/../share/headroom/catalog", dir);
		if (!is_dir(found)) {
			free(found);
			found = NULL;
		}
	}
	free(dir);
	return found ? found : xasprintf("%s/catalog", HEADROOM_DATADIR);
}

void offer_free(struct offer *o)
{
	if (!o)
		return;
	free(o->provider);
	free(o->name);
	free(o->as_of);
	free(o->source);
	o->provider = o->name = o->as_of = o->source = NULL;
}

void offer_copy(struct offer *dst, const struct offer *src)
{
	*dst = *src;
	dst->provider = xstrdup(src->provider);
	dst->name = xstrdup(src->name);
	dst->as_of = xstrdup(src->as_of);
	dst->source = xstrdup(src->source);
}

void catalog_free(struct catalog *cat)
{
	if (!cat)
		return;
	for (size_t i = 0; i < cat->n; i++)
		offer_free(&cat->offers[i]);
	free(cat->offers);
	cat->offers = NULL;
	cat->n = 0;
}

static bool same(const char *a, const char *b)
{
	return a && b && strcmp(a, b) == 0;
}

const struct offer *catalog_find(const struct catalog *cat, const char *provider, const char *name)
{
	for (size_t i = 0; i < cat->n; i++)
		if (same(cat->offers[i].name, name) && (!provider || same(cat->offers[i].provider, provider)))
			return &cat->offers[i];
	return NULL;
}

bool catalog_find_provider(const struct catalog *cat, const char *provider)
{
	for (size_t i = 0; i < cat->n; i++)
		if (same(cat->offers[i].provider, provider))
			return true;
	return false;
}

/* Append or replace; takes ownership of o's strings. */
static void put(struct catalog *cat, struct offer *o)
{
	for (size_t i = 0; i < cat->n; i++) {
		if (same(cat->offers[i].provider, o->provider) && same(cat->offers[i].name, o->name)) {
			offer_free(&cat->offers[i]);
			cat->offers[i] = *o;
			return;
		}
	}
	cat->offers = xreallocarray(cat->offers, cat->n + 1, sizeof(*cat->offers));
	cat->offers[cat->n++] = *o;
}

void catalog_merge(struct catalog *cat, const struct catalog *extra)
{
	for (size_t i = 0; extra && i < extra->n; i++) {
		struct offer o;
		offer_copy(&o, &extra->offers[i]);
		put(cat, &o);
	}
}

static int name_cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* One provider file into cat. */
static int load_file(const char *path, struct diag *d, struct catalog *cat)
{
	struct yaml_doc *doc;
	int rc = yaml_doc_load(path, d, &doc);
	if (rc)
		return rc == HR_E_IO ? HR_E_IO : HR_E_INVALID;
	struct catalog_file cf = {0};
	struct loader L = {.doc = doc, .d = d, .rc = doc->n_errors ? HR_E_INVALID : 0};
	if (!doc->root)
		schema_error(&L, NULL, "the file is empty; expected provider: and offers:");
	else
		schema_load(&L, &schema_catalog_file, &cf, doc->root, "");
	for (size_t i = 0; !L.rc && i < cf.n; i++) {
		struct offer *o = &cf.offers[i];
		char p[64];
		snprintf(p, sizeof(p), "offers[%zu]", i);
		const struct ynode *n = schema_get(doc->root, "offers")->items[i];
		if (o->provider && strcmp(o->provider, cf.provider) != 0) {
			schema_error(&L, schema_get(n, "provider"), "%s.provider: '%s' in the file of provider '%s'",
				     p, o->provider, cf.provider);
			continue;
		}
		for (size_t j = 0; j < i; j++) {
			if (same(cf.offers[j].name, o->name)) {
				schema_error(&L, schema_get(n, "name"), "%s.name: a second entry named '%s'", p, o->name);
				break;
			}
		}
		if (!o->provider)
			o->provider = xstrdup(cf.provider);
	}
	if (!L.rc) {
		for (size_t i = 0; i < cf.n; i++)
			put(cat, &cf.offers[i]);
		free(cf.offers);
		free(cf.provider);
	} else {
		schema_free(&schema_catalog_file, &cf);
	}
	free(L.money);
	yaml_doc_free(doc);
	return L.rc ? HR_E_INVALID : 0;
}

int catalog_load_dir(const char *dir, struct diag *d, struct catalog *out)
{
	out->offers = NULL;
	out->n = 0;
	char *def = dir ? NULL : catalog_default_dir();
	const char *at = dir ? dir : def;
	struct diag_loc loc = {.file = at};
	char *names[MAX_FILES];
	size_t n = 0;
	int rc = 0;
	DIR *dp = opendir(at);
	if (!dp) {
		diag_at(d, DIAG_ERROR, &loc, "cannot read the price catalogue folder (set HEADROOM_DATA to the data folder)");
		rc = HR_E_IO;
		goto out;
	}
	struct dirent *e;
	while ((e = readdir(dp))) {
		size_t len = strlen(e->d_name);
		if (e->d_name[0] == '.' || len < 6 || strcmp(e->d_name + len - 5, ".yaml") != 0)
			continue;
		if (n == MAX_FILES) {
			diag_at(d, DIAG_ERROR, &loc, "more than %d catalogue files", MAX_FILES);
			rc = HR_E_TOO_LARGE;
			break;
		}
		names[n++] = xstrdup(e->d_name);
	}
	closedir(dp);
	/* Sorted, so a later file's override is the same on every machine. */
	qsort(names, n, sizeof(*names), name_cmp);
	for (size_t i = 0; i < n; i++) {
		char *path = xasprintf("%s/%s", at, names[i]);
		int r = load_file(path, d, out);
		if (r && !rc)
			rc = r;
		free(path);
		free(names[i]);
	}
out:
	free(def);
	if (rc)
		catalog_free(out);
	return rc;
}

int catalog_to_currency(struct catalog *cat, const struct economics *e, struct diag *d)
{
	int rc = 0;
	for (size_t i = 0; i < cat->n; i++) {
		struct offer *o = &cat->offers[i];
		double r;
		if (!o->currency[0] || strcmp(o->currency, e->currency) == 0)
			continue;
		if (fx_rate(e, o->currency, &r)) {
			diag_error(d, "no exchange rate from %s to %s for %s/%s; add economics.exchange: {%s: RATE}",
				   o->currency, e->currency, o->provider, o->name, o->currency);
			rc = HR_E_NOTFOUND;
			continue;
		}
		o->price *= r;
		o->price_per_gb *= r;
		o->per_million *= r;
		o->per_gb_s *= r;
		o->per_cpu_h *= r;
		o->replica_price *= r;
		memcpy(o->currency, e->currency, sizeof(o->currency));
	}
	return rc;
}
