#include "render/pgconf.h"

#include <math.h>
#include <stdio.h>

/* PGTune's printing: GB when the kB figure divides exactly, else MB, else kB
 * (le0pard/pgtune, configurationSlice.js formatValue). */
static char *kb_text(double kb, char *buf, size_t n)
{
	kb = floor(kb);
	if (kb >= 1048576 && fmod(kb, 1048576) == 0)
		snprintf(buf, n, "%.0fGB", kb / 1048576);
	else if (kb >= 1024 && fmod(kb, 1024) == 0)
		snprintf(buf, n, "%.0fMB", kb / 1024);
	else
		snprintf(buf, n, "%.0fkB", kb);
	return buf;
}

/* INTERIM until model/pgtune lands on main: PGTune's rules for a "web"
 * database on Linux with SSDs (research notes, "PGTune rules"), for the
 * settings that matter most; shared_buffers and effective_cache_size are
 * rounded down to whole 8 kB pages so SHOW reads back what is written. */
static void pgconf_interim_settings(struct yamlw *w, double ram_b, unsigned max_conn)
{
	char buf[32];
	double ram_kb = floor(ram_b / 1024);
	double sb = floor(ram_kb / 4 / 8) * 8;
	double ecs = floor(ram_kb * 3 / 4 / 8) * 8;
	double mwm = ram_kb / 16;
	if (mwm > 8 * 1048576.0)
		mwm = 8 * 1048576.0;
	double wm = floor((ram_kb - sb) / ((max_conn + 8) * 3.0));
	if (wm < 4096)
		wm = 4096;
	yw_printf(w, "max_connections = %u\n", max_conn);
	yw_printf(w, "shared_buffers = %s\n", kb_text(sb, buf, sizeof(buf)));
	yw_printf(w, "effective_cache_size = %s\n", kb_text(ecs, buf, sizeof(buf)));
	yw_printf(w, "maintenance_work_mem = %s\n", kb_text(mwm, buf, sizeof(buf)));
	yw_printf(w, "work_mem = %s\n", kb_text(wm, buf, sizeof(buf)));
	yw_printf(w, "checkpoint_completion_target = 0.9\nrandom_page_cost = 1.1\neffective_io_concurrency = 200\n"
		     "min_wal_size = 1GB\nmax_wal_size = 4GB\n");
}

int pgconf_render(const struct export_doc *x, size_t i, struct strbuf *out)
{
	const struct component *c = &x->comps[i];
	const struct placement *p = &x->pl[i];
	struct yamlw w = {.out = out};
	// The memory PostgreSQL may use: its own node, or its container's limit.
	double ram = p->where == PLACE_DB_NODE && p->offer && p->offer->memory_b > 0 ? p->offer->memory_b : p->mem_limit_b;
	unsigned max_conn = c->max_connections ? c->max_connections : 100;
	yw_printf(&w,
		  "# postgresql.conf - written by headroom %s `export %s` from %s for component %s:\n"
		  "# %.0f MiB of memory, %u connections. Mounted by the compose file as the whole\n"
		  "# configuration (postgres -c config_file=...).\n"
		  "listen_addresses = '*'\n",
		  x->version, x->kind, x->source, c->name, ram / 1048576.0, max_conn);
	pgconf_interim_settings(&w, ram, max_conn);
	return w.rc;
}
