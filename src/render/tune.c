/* tune.c - render `headroom tune` output (see tune.h). */
#include "render/tune.h"

#include <jansson.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "render/jsondoc.h"
#include "render/plan.h"
#include "util/units.h"

size_t tune_pg_plan_warnings(const struct tune_origin *o, const char **out)
{
	size_t n = 0;
	if (o->step && !o->step->feasible)
		out[n++] = "no deployment meets every target at this user count: these settings are for the "
			   "planner's closest attempt";
	if (o->machine && o->machine->where == MACHINE_MANAGED)
		out[n++] = "a managed database: the provider owns postgresql.conf; apply what its parameter "
			   "settings allow";
	if (o->machine && o->machine->where == MACHINE_SHARED && !o->machine->memory_from_config)
		out[n++] = "PostgreSQL shares its node with the app and the config gives the postgres component "
			   "no memory: these settings assume all of the node's memory; set the component's memory "
			   "to what PostgreSQL may use";
	return n;
}

/* "database node s-2vcpu-4gb: 2 vCPU, 4.0 GiB, all of it for PostgreSQL" */
static void pg_machine_text(const struct machine *m, char *buf, size_t n)
{
	char node[32], mem[32];
	units_fmt_size(m->node_memory_b, node, sizeof(node));
	units_fmt_size(m->memory_b, mem, sizeof(mem));
	switch (m->where) {
	case MACHINE_OWN_NODE:
		snprintf(buf, n, "database node %s: %g vCPU, %s, all of it for PostgreSQL", m->offer->name, m->vcpu, node);
		break;
	case MACHINE_MANAGED:
		snprintf(buf, n, "managed database %s: %g vCPU, %s", m->offer->name, m->vcpu, node);
		break;
	case MACHINE_SHARED:
		if (m->memory_from_config)
			snprintf(buf, n, "on the app node %s (%g vCPU, %s), with the %s the postgres component reserves",
				 m->offer->name, m->vcpu, node, mem);
		else
			snprintf(buf, n, "on the app node %s (%g vCPU, %s), shared with the app", m->offer->name, m->vcpu,
				 node);
		break;
	}
}

static const char *where_name(enum machine_where w)
{
	switch (w) {
	case MACHINE_OWN_NODE: return "own_node";
	case MACHINE_MANAGED: return "managed";
	case MACHINE_SHARED: return "shared";
	}
	return "?";
}

/* The lines every output opens with, without the comment marker. */
static int origin_lines(const struct tune_origin *o, const char *marker, struct strbuf *out)
{
	int rc;
	if (!o->config)
		return strbuf_printf(out, "%s from the command line (no config)\n", marker);
	if (!o->step)
		return strbuf_printf(out, "%s from %s\n", marker, o->config);
	rc = strbuf_printf(out, "%s from %s, the plan at %.0f users: %s on %s\n", marker, o->config, o->step->users,
			   o->step->feasible ? plan_stage_name(o->step->best.shape.stage) : "infeasible",
			   o->step->best.provider ? o->step->best.provider : "?");
	return rc;
}

int tune_render_pg_conf(const struct tune_pg_report *r, struct strbuf *out)
{
	const struct pgtune_input *in = r->in;
	const struct tune_origin *o = &r->origin;
	char ram[32], buf[320];
	int rc = strbuf_printf(out, "# postgresql.conf settings by headroom %s, after PGTune's rules (docs/tune.md)\n",
			       o->version);
	if (!rc)
		rc = origin_lines(o, "#", out);
	if (!rc && o->machine) {
		pg_machine_text(o->machine, buf, sizeof(buf));
		rc = strbuf_printf(out, "# machine: %s\n", buf);
		if (!rc && o->machine->replicas)
			rc = strbuf_printf(out, "# the same settings suit its %u read replica%s (the same plan)\n",
					   o->machine->replicas, o->machine->replicas == 1 ? "" : "s");
	}
	if (!rc) {
		char cpus[32], conns[48];
		snprintf(cpus, sizeof(cpus), in->cpus == 0 ? "CPUs not given" : in->cpus == 1 ? "1 CPU" : "%u CPUs",
			 in->cpus);
		snprintf(conns, sizeof(conns), in->connections ? "%u connections" : "connections by type",
			 in->connections);
		rc = strbuf_printf(out, "# input: PostgreSQL %u, %s, type %s, %s, %s, %s, %s storage, db size %s\n",
				   in->version, pgtune_os_name(in->os), pgtune_type_name(in->type),
				   units_fmt_size(in->ram_b, ram, sizeof(ram)), cpus, conns,
				   pgtune_storage_name(in->storage), pgtune_dbsize_name(in->db_size));
	}
	if (!rc && o->machine) {
		char size[32];
		units_fmt_size(o->machine->db_size_b, size, sizeof(size));
		if (isfinite(o->machine->peak_connections))
			rc = strbuf_printf(out, "# the plan: %.0f %sconnections at the peak of max_connections %u, %s of data\n",
					   ceil(o->machine->peak_connections), o->machine->pooler ? "PgBouncer server " : "",
					   o->machine->max_connections, size);
		else
			rc = strbuf_printf(out, "# the plan: max_connections %u, %s of data\n", o->machine->max_connections,
					   size);
	}
	const char *pw[4];
	size_t npw = tune_pg_plan_warnings(o, pw);
	if (!rc && (npw || r->res->n_warnings))
		rc = strbuf_puts(out, "#\n");
	for (size_t i = 0; !rc && i < npw; i++)
		rc = strbuf_printf(out, "# WARNING: %s\n", pw[i]);
	for (size_t i = 0; !rc && i < r->res->n_warnings; i++)
		rc = strbuf_printf(out, "# WARNING: %s\n", r->res->warnings[i]);
	if (!rc)
		rc = strbuf_puts(out, "\n");
	for (size_t i = 0; !rc && i < r->res->n; i++) {
		char v[64];
		rc = strbuf_printf(out, "%s = %s\n", r->res->settings[i].name,
				   pgtune_value(&r->res->settings[i], v, sizeof(v)));
	}
	return rc;
}

static json_t *plan_json(const struct tune_origin *o)
{
	if (!o->step || !o->machine)
		return json_null();
	const struct machine *m = o->machine;
	json_t *p = json_object();
	json_object_set_new(p, "users", json_real(o->step->users));
	json_object_set_new(p, "feasible", json_boolean(o->step->feasible));
	json_object_set_new(p, "stage", json_string(plan_stage_name(o->step->best.shape.stage)));
	json_object_set_new(p, "provider", jsondoc_str(o->step->best.provider));
	json_object_set_new(p, "node", json_string(m->offer->name));
	json_object_set_new(p, "placement", json_string(where_name(m->where)));
	json_object_set_new(p, "vcpu", json_real(m->vcpu));
	json_object_set_new(p, "node_memory_bytes", json_real(m->node_memory_b));
	json_object_set_new(p, "memory_bytes", json_real(m->memory_b));
	return p;
}

int tune_render_pg_json(const struct tune_pg_report *r, struct strbuf *out)
{
	const struct pgtune_input *in = r->in;
	json_t *root = json_object();
	json_t *settings = json_object();
	for (size_t i = 0; i < r->res->n; i++) {
		char v[64];
		json_object_set_new(settings, r->res->settings[i].name,
				    json_string(pgtune_value(&r->res->settings[i], v, sizeof(v))));
	}
	json_object_set_new(root, "settings", settings);
	json_t *warnings = json_array();
	const char *pw[4];
	size_t npw = tune_pg_plan_warnings(&r->origin, pw);
	for (size_t i = 0; i < npw; i++)
		json_array_append_new(warnings, json_string(pw[i]));
	for (size_t i = 0; i < r->res->n_warnings; i++)
		json_array_append_new(warnings, json_string(r->res->warnings[i]));
	json_object_set_new(root, "warnings", warnings);
	json_t *input = json_object();
	json_object_set_new(input, "version", json_integer(in->version));
	json_object_set_new(input, "os", json_string(pgtune_os_name(in->os)));
	json_object_set_new(input, "type", json_string(pgtune_type_name(in->type)));
	json_object_set_new(input, "ram_bytes", json_real(in->ram_b));
	json_object_set_new(input, "cpus", in->cpus ? json_integer(in->cpus) : json_null());
	json_object_set_new(input, "connections", in->connections ? json_integer(in->connections) : json_null());
	json_object_set_new(input, "storage", json_string(pgtune_storage_name(in->storage)));
	json_object_set_new(input, "db_size", json_string(pgtune_dbsize_name(in->db_size)));
	json_object_set_new(root, "input", input);
	json_t *plan = plan_json(&r->origin);
	if (json_is_object(plan)) {
		const struct machine *m = r->origin.machine;
		json_object_set_new(plan, "max_connections", json_integer(m->max_connections));
		json_object_set_new(plan, "peak_connections", jsondoc_num(m->peak_connections));
		json_object_set_new(plan, "db_size_bytes", json_real(m->db_size_b));
		json_object_set_new(plan, "pooler", json_boolean(m->pooler));
		json_object_set_new(plan, "read_replicas", json_integer(m->replicas));
	}
	json_object_set_new(root, "plan", plan);
	json_object_set_new(root, "generated_by", json_sprintf("headroom %s", r->origin.version));
	json_object_set_new(root, "config", jsondoc_str(r->origin.config));
	return jsondoc_render(root, out);
}

/* What the per-process figure counts. */
static const char *per_process_unit(enum apptune_runtime rt, const struct apptune_result *x)
{
	bool one = x->threads == 1;
	if (rt == APPTUNE_GUNICORN || rt == APPTUNE_PUMA)
		return one ? "thread" : "threads";
	if (rt == APPTUNE_CELERY)
		return strcmp(x->pool, "gevent") == 0 ? (one ? "greenlet" : "greenlets") : "task at a time";
	return "in flight";
}

int tune_render_app_text(const struct tune_app_report *r, struct strbuf *out)
{
	const struct apptune_input *in = r->in;
	const struct apptune_result *x = r->res;
	const struct tune_origin *o = &r->origin;
	char a[32], b[32], c[32];
	int rc = strbuf_printf(out, "# %s sizing by headroom %s (docs/tune.md)\n", apptune_runtime_name(in->runtime),
			       o->version);
	if (!rc)
		rc = origin_lines(o, "#", out);
	if (!rc && o->machine)
		rc = strbuf_printf(out, "# machine: %s node %s, %g vCPU, %s, of which the other components reserve %s\n",
				   o->step && o->step->best.shape.wrk_node == o->machine->offer &&
						   o->machine->comp->kind == COMP_WORKER
					   ? "worker"
					   : "app",
				   o->machine->offer->name, o->machine->vcpu,
				   units_fmt_size(o->machine->node_memory_b, a, sizeof(a)),
				   units_fmt_size(o->machine->others_b, b, sizeof(b)));
	if (!rc)
		rc = strbuf_printf(out, "\n%s on %u CPU%s and %s:\n", apptune_runtime_name(in->runtime), in->cpus,
				   in->cpus == 1 ? "" : "s", units_fmt_size(in->memory_b, a, sizeof(a)));
	if (!rc)
		rc = strbuf_printf(out, "  processes     %u\n  per process   %u %s (pool %s)\n", x->processes, x->threads,
				   per_process_unit(in->runtime, x), x->pool);
	if (!rc)
		rc = strbuf_printf(out, "  memory        %s per process%s, %s in all (budget %s)\n",
				   units_fmt_size(x->memory_per_process_b, a, sizeof(a)),
				   x->memory_stated ? " (stated)" : " at most", units_fmt_size(x->memory_total_b, b, sizeof(b)),
				   units_fmt_size(x->budget_b, c, sizeof(c)));
	if (!rc)
		rc = strbuf_printf(out, "  command       %s\n", x->command);
	if (!rc && x->warning)
		rc = strbuf_printf(out, "\nWARNING: %s\n", x->warning);
	if (!rc)
		rc = strbuf_puts(out, "\nWhy:\n");
	for (size_t i = 0; !rc && i < x->n_reasons; i++)
		rc = strbuf_printf(out, "  - %s\n    source: %s\n", x->reasons[i].text, x->reasons[i].source);
	return rc;
}

int tune_render_app_json(const struct tune_app_report *r, struct strbuf *out)
{
	const struct apptune_input *in = r->in;
	const struct apptune_result *x = r->res;
	json_t *root = json_object();
	json_object_set_new(root, "runtime", json_string(apptune_runtime_name(in->runtime)));
	json_object_set_new(root, "cpus", json_integer(in->cpus));
	json_object_set_new(root, "memory_bytes", json_real(in->memory_b));
	json_object_set_new(root, "reserved_bytes", json_real(in->reserved_b));
	json_object_set_new(root, "cpu_share", jsondoc_num(in->cpu_share));
	json_object_set_new(root, "processes", json_integer(x->processes));
	json_object_set_new(root, "threads", json_integer(x->threads));
	json_object_set_new(root, "pool", json_string(x->pool));
	json_object_set_new(root, "target_inflight", json_real(x->target_inflight));
	json_object_set_new(root, "budget_bytes", json_real(x->budget_b));
	json_object_set_new(root, "memory_per_process_bytes", json_real(x->memory_per_process_b));
	json_object_set_new(root, "memory_stated", json_boolean(x->memory_stated));
	json_object_set_new(root, "memory_total_bytes", json_real(x->memory_total_b));
	json_object_set_new(root, "heap_mib", x->heap_mib > 0 ? json_real(x->heap_mib) : json_null());
	json_object_set_new(root, "command", json_string(x->command));
	json_t *reasons = json_array();
	for (size_t i = 0; i < x->n_reasons; i++) {
		json_t *e = json_object();
		json_object_set_new(e, "text", json_string(x->reasons[i].text));
		json_object_set_new(e, "source", json_string(x->reasons[i].source));
		json_array_append_new(reasons, e);
	}
	json_object_set_new(root, "reasons", reasons);
	json_t *warnings = json_array();
	if (x->warning)
		json_array_append_new(warnings, json_string(x->warning));
	json_object_set_new(root, "warnings", warnings);
	json_t *plan = plan_json(&r->origin);
	if (json_is_object(plan)) {
		json_object_set_new(plan, "component", json_string(r->origin.machine->comp->name));
		json_object_set_new(plan, "others_bytes", json_real(r->origin.machine->others_b));
	}
	json_object_set_new(root, "plan", plan);
	json_object_set_new(root, "generated_by", json_sprintf("headroom %s", r->origin.version));
	json_object_set_new(root, "config", jsondoc_str(r->origin.config));
	return jsondoc_render(root, out);
}
