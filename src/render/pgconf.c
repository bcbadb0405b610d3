/* pgconf.c - the postgresql.conf `export compose` mounts (see pgconf.h):
 * `headroom tune postgres`'s settings (model/pgtune, PGTune's rules) for the
 * memory and CPUs the placement gives PostgreSQL. */
#include "render/pgconf.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

#include "model/pgtune.h"

/* The default image's version (export_image(): postgres:16). */
#define DEFAULT_PG_VERSION 16u

/* The PostgreSQL major version an image's tag names: "postgres:16",
 * "postgres:15.4-alpine", "timescale/timescaledb:2.14.2-pg15"; 0 when it
 * names none PGTune knows ("latest", a digest, a registry port). */
static unsigned image_version(const char *image)
{
	const char *tag = image ? strrchr(image, ':') : NULL;
	if (!tag || strchr(tag, '/'))
		return 0;
	tag++;
	const char *pg = strstr(tag, "pg");
	const char *p = pg && pg[2] >= '0' && pg[2] <= '9' ? pg + 2 : tag;
	unsigned v = 0;
	while (*p >= '0' && *p <= '9' && v < 1000)
		v = v * 10 + (unsigned)(*p++ - '0');
	return v >= PGTUNE_VERSION_MIN && v <= PGTUNE_VERSION_MAX ? v : 0;
}

int pgconf_render(const struct export_doc *x, size_t i, struct strbuf *out)
{
	const struct component *c = &x->comps[i];
	const struct placement *p = &x->pl[i];
	struct yamlw w = {.out = out};
	/* The memory and CPUs PostgreSQL may use: its own node, or its container's limits. */
	bool own = p->where == PLACE_DB_NODE && p->offer && p->offer->memory_b > 0;
	double ram = own ? p->offer->memory_b : p->mem_limit_b;
	double cores = own ? p->offer->vcpu : p->cpu_limit;
	unsigned max_conn = c->max_connections ? c->max_connections : 100;
	const char *image = export_image(c);
	unsigned version = image_version(image);
	yw_printf(&w,
		  "# postgresql.conf - written by headroom %s `export %s` from %s for component %s:\n"
		  "# %.0f MiB of memory, %u connections. Mounted by the compose file as the whole\n"
		  "# configuration (postgres -c config_file=...). The settings are `headroom tune\n"
		  "# postgres`'s (PGTune's rules, docs/tune.md) for PostgreSQL %u%s.\n"
		  "listen_addresses = '*'\n",
		  x->version, x->kind, x->source, c->name, ram / 1048576.0, max_conn,
		  version ? version : DEFAULT_PG_VERSION, version ? "" : " (the image's tag names no version)");
	struct pgtune_input in;
	pgtune_input_default(&in);
	in.version = version ? version : DEFAULT_PG_VERSION;
	in.ram_b = ram;
	in.cpus = cores >= 1 ? (unsigned)floor(cores + 0.5) : 1;
	in.connections = max_conn;
	struct pgtune_result res;
	const char *bad = pgtune_check(&in);
	if (bad || pgtune_compute(&in, &res)) {
		/* Too small (or large) for PGTune's rules: PostgreSQL's own defaults stand. */
		yw_printf(&w, "# WARNING: no tuning: %s\nmax_connections = %u\n", bad ? bad : "the rules refused it",
			  max_conn);
		return w.rc;
	}
	for (size_t k = 0; k < res.n_warnings; k++)
		yw_printf(&w, "# WARNING: %s\n", res.warnings[k]);
	for (size_t k = 0; k < res.n; k++) {
		char v[64];
		yw_printf(&w, "%s = %s\n", res.settings[k].name, pgtune_value(&res.settings[k], v, sizeof(v)));
	}
	return w.rc;
}
