/* draft.c - a drafted config as commented YAML (see draft.h).
 *
 * Written with render/yamlw (a hand-written writer, because every guess
 * must carry its "# ASSUMPTION:" comment and libyaml's emitter writes no
 * comments). The text is a function of the draft alone, so the same
 * compose file on the same machine gives the same bytes. */
#include "render/draft.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

#include "render/yamlw.h"
#include "util/units.h"

static const char *const kind_names[] = {"app", "worker", "postgres", "redis", "proxy", "other"};

/* "# ASSUMPTION: text" or "# text" above a key, when there is a note. */
static int put_note(struct strbuf *out, int indent, const struct draft_note *n)
{
	if (!n->text[0])
		return 0;
	char line[DRAFT_NOTE_MAX + 16];
	snprintf(line, sizeof(line), "%s%s", n->assumed ? "ASSUMPTION: " : "", n->text);
	return yamlw_comment(out, indent, line);
}

/* A value copied from the compose file, with each "${" written "$${": the
 * config would expand ${VAR} when it is read, and the draft keeps compose's
 * references (the ${VAR} init put in place of a secret, an image's ${TAG})
 * as references for the exports. */
static int put_key_str(struct strbuf *out, int indent, const char *key, const char *v)
{
	int rc = strbuf_printf(out, "%*s%s: ", indent, "", key);
	struct strbuf esc;
	strbuf_init(&esc, 0);
	for (const char *p = v; !rc && *p; p++)
		rc = strbuf_puts(&esc, p[0] == '$' && p[1] == '{' ? "$$" : (char[]){*p, 0});
	if (!rc)
		rc = yamlw_str(out, strbuf_str(&esc));
	strbuf_free(&esc);
	return rc ? rc : strbuf_puts(out, "\n");
}

static int put_component(struct strbuf *out, const struct draft_component *dc)
{
	const struct component *c = &dc->c;
	char sz[32];
	int rc = strbuf_puts(out, "  ");
	if (!rc)
		rc = yamlw_str(out, c->name);
	if (!rc)
		rc = dc->origin[0] ? strbuf_printf(out, ":    # %s\n", dc->origin) : strbuf_puts(out, ":\n");
	if (!rc)
		rc = put_note(out, 4, &dc->kind);
	if (!rc)
		rc = strbuf_printf(out, "    kind: %s\n", kind_names[c->kind]);
	if (!rc && c->image)
		rc = put_key_str(out, 4, "image", c->image);
	if (!rc && c->build)
		rc = put_key_str(out, 4, "build", c->build);
	for (size_t i = 0; !rc && i < dc->n_secrets; i++)
		rc = put_note(out, 4, &dc->secrets[i]);
	if (!rc && c->command)
		rc = put_key_str(out, 4, "command", c->command);
	if (!rc && c->port)
		rc = strbuf_printf(out, "    port: %u\n", c->port);
	if (!rc && c->health)
		rc = put_key_str(out, 4, "health", c->health);
	if (!rc && c->n_profiles) {
		rc = put_note(out, 4, &dc->profiles);
		if (!rc)
			rc = strbuf_puts(out, "    profiles: [");
		for (size_t i = 0; !rc && i < c->n_profiles; i++) {
			rc = i ? strbuf_puts(out, ", ") : 0;
			if (!rc)
				rc = yamlw_quoted(out, c->profiles[i]);
		}
		if (!rc)
			rc = strbuf_puts(out, "]\n");
	}
	bool procs = c->kind == COMP_APP || c->kind == COMP_WORKER;
	if (!rc && procs) {
		rc = put_note(out, 4, &dc->workers);
		if (!rc)
			rc = strbuf_printf(out, "    workers: %u\n", c->workers ? c->workers : 1);
		if (!rc)
			rc = put_note(out, 4, &dc->concurrency);
		if (!rc)
			rc = strbuf_printf(out, "    concurrency: %u\n", c->concurrency ? c->concurrency : 1);
	}
	if (!rc && c->memory_base_b > 0) {
		rc = put_note(out, 4, &dc->memory);
		if (!rc)
			rc = strbuf_printf(out, "    memory: %s\n", yamlw_size(c->memory_base_b, sz, sizeof(sz)));
	}
	if (!rc && c->db_pool) {
		rc = put_note(out, 4, &dc->db_pool);
		if (!rc)
			rc = strbuf_printf(out, "    db_pool: %u\n", c->db_pool);
	}
	if (!rc && c->kind == COMP_POSTGRES) {
		rc = put_note(out, 4, &dc->max_connections);
		if (!rc)
			rc = strbuf_printf(out, "    max_connections: %u\n", c->max_connections ? c->max_connections : 100);
	}
	if (!rc && c->queue) {
		rc = put_note(out, 4, &dc->queue);
		if (!rc)
			rc = put_key_str(out, 4, "queue", c->queue);
	}
	return rc;
}

int draft_render(const struct draft *dr, const char *version, struct strbuf *out)
{
	char a[32], b[32], c[32], e[32], f[32];
	const struct draft_workload *w = &dr->w;
	int rc = strbuf_printf(out,
			       "# headroom.yaml - drafted by headroom %s `init`%s%s.\n"
			       "#\n"
			       "# Every value marked ASSUMPTION is a guess: measure it and write yours.\n"
			       "# The rest was read from %s or from this machine. Then run:\n"
			       "#   headroom validate -f headroom.yaml\n"
			       "#   headroom plan -f headroom.yaml\n"
			       "# Every key is documented in docs/config.md.\n\n",
			       version, dr->from ? " from " : " as a starter for this machine", dr->from ? dr->from : "",
			       dr->from ? "the compose file" : "the machine's size");
	/* workload */
	if (!rc)
		rc = strbuf_puts(out, "workload:\n"
				      "  # ASSUMPTION: registered users now; write yours\n"
				      "  users: ");
	if (!rc)
		rc = strbuf_printf(out, "%.0f\n", w->users);
	if (!rc)
		rc = strbuf_printf(out,
				   "  # ASSUMPTION: the starter's shares (examples/starter.yaml); measure daily active users\n"
				   "  # over registered users, and the busiest minute's sessions over daily active users\n"
				   "  daily_active: %g%%\n"
				   "  peak_concurrent: %g%%\n",
				   w->daily_active * 100, w->peak_concurrent * 100);
	if (!rc && (w->storage_per_user_b > 0 || w->storage_base_b > 0))
		rc = strbuf_printf(out,
				   "  storage:\n"
				   "    # ASSUMPTION: the starter's; measure with SELECT pg_database_size(current_database())\n"
				   "    per_user: %s\n"
				   "    base: %s\n",
				   yamlw_size(w->storage_per_user_b, a, sizeof(a)), yamlw_size(w->storage_base_b, b, sizeof(b)));
	if (!rc && dr->has_app) {
		rc = strbuf_printf(out,
				   "  requests:\n"
				   "    # ASSUMPTION: one class with the starter's api figures; measure duration and CPU\n"
				   "    # with headroom bench --find-knee and your access log, queries with pg_stat_statements\n"
				   "    - name: requests\n"
				   "      rate: %s\n"
				   "      duration: %s\n"
				   "      cpu: %s\n"
				   "      memory: %s\n"
				   "      bytes_out: %s\n",
				   yamlw_rate(w->req_rate, a, sizeof(a)), yamlw_duration(w->req_duration_s, b, sizeof(b)),
				   yamlw_duration(w->req_cpu_s, c, sizeof(c)), yamlw_size(w->req_memory_b, e, sizeof(e)),
				   yamlw_size(w->req_bytes_out, f, sizeof(f)));
		if (!rc && w->req_db_queries > 0)
			rc = strbuf_printf(out, "      db_queries: %g\n      db_query_time: %s\n", w->req_db_queries,
					   yamlw_duration(w->req_db_query_s, a, sizeof(a)));
	}
	if (!rc && dr->has_worker) {
		rc = strbuf_printf(out,
				   "  tasks:\n"
				   "    # ASSUMPTION: one class with seed 002's Celery task figures (examples/pareto.yaml);\n"
				   "    # measure rate and duration from your queue (celery events, BullMQ job timings)\n"
				   "    - name: jobs\n"
				   "      rate_per_user: %s\n"
				   "      duration: %s\n"
				   "      cpu: %s\n"
				   "      memory: %s\n",
				   yamlw_rate(w->task_rate_per_user, a, sizeof(a)), yamlw_duration(w->task_duration_s, b, sizeof(b)),
				   yamlw_duration(w->task_cpu_s, c, sizeof(c)), yamlw_size(w->task_memory_b, e, sizeof(e)));
		if (!rc && w->task_db_queries > 0)
			rc = strbuf_printf(out, "      db_queries: %g\n", w->task_db_queries);
	}
	/* components */
	if (!rc)
		rc = strbuf_puts(out, "\ncomponents:\n");
	for (size_t i = 0; !rc && i < dr->n; i++)
		rc = put_component(out, &dr->comps[i]);
	/* deployment */
	if (!rc) {
		char mv[32], md[32], pm[32], pd[32];
		units_fmt_size(dr->memory_b, mv, sizeof(mv));
		units_fmt_size(dr->plan_memory_b, pm, sizeof(pm));
		if (dr->disk_b > 0)
			snprintf(md, sizeof(md), "%.0f GB", dr->disk_b / 1e9);
		else
			snprintf(md, sizeof(md), "unknown");
		if (dr->plan_disk_b > 0)
			snprintf(pd, sizeof(pd), "%.0f GB disk", dr->plan_disk_b / 1e9);
		else
			snprintf(pd, sizeof(pd), "no disk of its own");
		rc = strbuf_printf(out,
				   "\ndeployment:\n"
				   "  # ASSUMPTION: only the provider of the plan closest to this machine; remove to compare all\n"
				   "  providers: [");
		if (!rc)
			rc = yamlw_str(out, dr->provider);
		if (!rc)
			rc = strbuf_printf(out,
					   "]\n"
					   "  current:\n"
					   "    stage: single\n"
					   "    # this machine: %g vCPU, %s memory, %s disk (/proc/cpuinfo, /proc/meminfo, statvfs)\n"
					   "    # ASSUMPTION: the closest catalogue plan, %s %s (%g vCPU, %s, %s); write the plan you rent\n"
					   "    nodes:\n"
					   "      - role: all\n"
					   "        plan: ",
					   dr->vcpu, mv, md, dr->provider, dr->plan, dr->plan_vcpu, pm, pd);
		if (!rc)
			rc = yamlw_str(out, dr->plan);
		if (!rc)
			rc = strbuf_puts(out, "\n        count: 1\n");
	}
	/* objectives */
	if (!rc && w->p95_s > 0)
		rc = strbuf_printf(out,
				   "\nobjectives:\n"
				   "  # ASSUMPTION: the seeds' warning level for p95 (seeds 001, 002, 004); set your SLO\n"
				   "  p95: %s\n",
				   yamlw_duration(w->p95_s, a, sizeof(a)));
	if (!rc && dr->plan_currency[0])
		rc = strbuf_printf(out, "\neconomics:\n  currency: %s    # the catalogue's currency for %s\n",
				   dr->plan_currency, dr->provider);
	return rc;
}
