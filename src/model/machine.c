/* machine.c - the machine a planned step gives the database or an app
 * server, for `headroom tune` (see machine.h). */
#include "model/machine.h"

#include <math.h>
#include <string.h>

/* PostgreSQL's own default max_connections, the planner's too
 * (postgresql.org/docs/current/runtime-config-connection.html). */
#define PG_DEFAULT_MAX_CONN 100u

double machine_component_memory(const struct component *c)
{
	/* As the planner's comp_mem(): per process for app and worker, else the
	 * larger of the two figures a data component may state. */
	if (c->kind == COMP_APP || c->kind == COMP_WORKER)
		return c->memory_base_b > 0 ? c->memory_base_b : c->memory_b;
	return c->memory_b > c->memory_base_b ? c->memory_b : c->memory_base_b;
}

static const struct component *first_of(const struct planner_input *in, enum component_kind k)
{
	for (size_t i = 0; i < in->n_components; i++)
		if (in->components[i].kind == k)
			return &in->components[i];
	return NULL;
}

int machine_for_db(const struct planner_input *in, const struct plan_step *st, struct machine *out,
		   const char **why)
{
	memset(out, 0, sizeof(*out));
	out->peak_connections = NAN;
	out->cpu_share = NAN;
	const struct component *pg = first_of(in, COMP_POSTGRES);
	if (!pg) {
		*why = "the config has no postgres component to tune";
		return HR_E_NOTFOUND;
	}
	const struct plan_candidate *c = &st->best;
	if (!c->shape.app) {
		*why = "the plan has no deployment at this user count";
		return HR_E_INFEASIBLE;
	}
	out->comp = pg;
	out->max_connections = pg->max_connections ? pg->max_connections : PG_DEFAULT_MAX_CONN;
	if (c->shape.db_node) {
		out->where = MACHINE_OWN_NODE;
		out->offer = c->shape.db_node;
		out->memory_b = out->offer->memory_b;
	} else if (c->shape.managed_db) {
		out->where = MACHINE_MANAGED;
		out->offer = c->shape.managed_db;
		out->memory_b = out->offer->memory_b;
		if (out->offer->max_connections > 0)
			out->max_connections = out->offer->max_connections;
	} else {
		/* On the app node: what the config reserves for it, which is what
		 * the planner charged to the node's memory. */
		out->where = MACHINE_SHARED;
		out->offer = c->shape.app;
		double reserved = machine_component_memory(pg);
		out->memory_from_config = reserved > 0;
		out->memory_b = reserved > 0 ? reserved : out->offer->memory_b;
	}
	out->vcpu = out->offer->vcpu;
	out->node_memory_b = out->offer->memory_b;
	if (c->has[PRES_DB_CONNECTIONS])
		out->peak_connections = c->util[PRES_DB_CONNECTIONS] * out->max_connections;
	out->db_size_b = st->demand.db_size_b;
	out->pooler = c->shape.pooler;
	out->replicas = c->shape.n_replicas;
	return 0;
}

/* The memory component k takes from the node the sized component runs on
 * (an app node, or a worker node when wrk is set). */
static double on_same_node(const struct plan_candidate *c, const struct component *k, bool wrk)
{
	double m = machine_component_memory(k);
	if (wrk) /* a worker node holds the worker components only */
		return k->kind == COMP_WORKER ? m * (k->workers ? k->workers : 1) : 0;
	if (k->kind == COMP_WORKER && c->shape.wrk_node)
		return 0; /* the workers have nodes of their own */
	switch (k->kind) {
	case COMP_POSTGRES:
		return c->shape.db_node || c->shape.managed_db ? 0 : m;
	case COMP_REDIS:
		return c->shape.managed_cache ? 0 : m;
	case COMP_APP:
	case COMP_WORKER:
		return m * (k->workers ? k->workers : 1);
	case COMP_PROXY:
	case COMP_OTHER:
		return m;
	}
	return 0;
}

int machine_for_app(const struct planner_input *in, const struct plan_step *st, const struct component *comp,
		    struct machine *out, const char **why)
{
	memset(out, 0, sizeof(*out));
	out->peak_connections = NAN;
	out->cpu_share = NAN;
	if (!comp || (comp->kind != COMP_APP && comp->kind != COMP_WORKER)) {
		*why = "only an app or worker component runs an app server";
		return HR_E_INVALID;
	}
	const struct plan_candidate *c = &st->best;
	if (!c->shape.app) {
		*why = "the plan has no deployment at this user count";
		return HR_E_INFEASIBLE;
	}
	bool wrk = comp->kind == COMP_WORKER && c->shape.wrk_node;
	out->where = MACHINE_SHARED;
	out->comp = comp;
	out->offer = wrk ? c->shape.wrk_node : c->shape.app;
	out->vcpu = out->offer->vcpu;
	out->node_memory_b = out->offer->memory_b;
	for (size_t i = 0; i < in->n_components; i++)
		if (&in->components[i] != comp)
			out->others_b += on_same_node(c, &in->components[i], wrk);
	out->memory_b = out->node_memory_b - out->others_b;
	/* Little's law on both sides: cores busy = rate x cpu_s, in flight =
	 * rate x duration, so their ratio is the CPU share of the work's time. */
	const struct demand *d = &st->demand;
	double cpu = comp->kind == COMP_APP ? d->app_cpu : d->task_cpu;
	double inflight = comp->kind == COMP_APP ? d->app_inflight : d->task_inflight;
	if (inflight > 0 && cpu >= 0)
		out->cpu_share = fmin(1, cpu / inflight);
	return 0;
}
