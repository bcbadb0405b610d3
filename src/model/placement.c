/* placement.c - where each component of a planned step runs, with its
 * replicas and their CPU and memory (see placement.h). */
#include "model/placement.h"

#include <math.h>
#include <string.h>

/* Default memory objective when the config gives none (planner.c LIMIT_MEMORY,
 * seed 004's memory warning at 80 %). */
#define DEFAULT_MEMORY_MAX 0.80

/* A component's memory: per process for app/worker, per instance otherwise (planner.c). */
static double comp_mem(const struct component *c)
{
	if (c->kind == COMP_APP || c->kind == COMP_WORKER)
		return c->memory_base_b > 0 ? c->memory_base_b : c->memory_b;
	return c->memory_b > c->memory_base_b ? c->memory_b : c->memory_base_b;
}

/* Replicas of a group per node: one process per vCPU, at least one (planner.c). */
static unsigned per_node(double vcpu, double workers)
{
	if (workers <= 0)
		return 0;
	double r = floor(vcpu / workers);
	return r < 1 ? 1 : (unsigned)r;
}

int placement_compute(const struct planner_input *in, const struct plan_step *st, struct placement *out)
{
	const struct plan_candidate *c = &st->best;
	const struct offer *node = c->shape.app;
	if (!node)
		return HR_E_INVALID;
	const struct demand *d = &st->demand;
	double vcpu = node->vcpu > 0 ? node->vcpu : 1;
	unsigned n = c->shape.n_app ? c->shape.n_app : 1;
	double mem_max = in->objectives && in->objectives->memory_max > 0 ? in->objectives->memory_max : DEFAULT_MEMORY_MAX;
	double app_workers = 0, wrk_workers = 0;
	for (size_t i = 0; i < in->n_components; i++) {
		const struct component *k = &in->components[i];
		double w = k->workers ? k->workers : 1;
		if (k->kind == COMP_APP)
			app_workers += w;
		else if (k->kind == COMP_WORKER)
			wrk_workers += w;
	}
	unsigned r_app = c->app_replicas ? c->app_replicas : per_node(vcpu, app_workers);
	unsigned r_wrk = per_node(vcpu, wrk_workers);
	/* Mean task duration by Little's law: tasks in flight over task arrivals. */
	double task_s = d->task_rate > 0 ? d->task_inflight / d->task_rate : 0;
	if (!(task_s > 0) && in->workload) {
		double sum = 0;
		for (size_t i = 0; i < in->workload->n_tasks; i++)
			sum += in->workload->tasks[i].duration_s;
		task_s = in->workload->n_tasks ? sum / (double)in->workload->n_tasks : 0;
	}
	bool pg_done = false;
	for (size_t i = 0; i < in->n_components; i++) {
		const struct component *k = &in->components[i];
		struct placement *p = &out[i];
		memset(p, 0, sizeof(*p));
		p->comp = k;
		p->where = PLACE_NODE;
		p->offer = node;
		double w = k->workers ? k->workers : 1;
		double mem = comp_mem(k);
		switch (k->kind) {
		case COMP_APP: {
			double share = app_workers > 0 ? w / app_workers : 1;
			p->replicas = r_app * n;
			p->cpu_request = d->app_cpu / n / r_app * share + k->cpu_base;
			p->mem_request_b = w * mem + d->app_mem_b / n / r_app * share;
			p->cpu_limit = w;
			break;
		}
		case COMP_WORKER: {
			double share = wrk_workers > 0 ? w / wrk_workers : 1;
			p->replicas = r_wrk * n;
			p->cpu_request = d->task_cpu / n / r_wrk * share + k->cpu_base;
			p->mem_request_b = w * mem + d->task_mem_b / n / r_wrk * share;
			p->cpu_limit = w;
			p->task_s = task_s;
			double slots = w * (k->concurrency ? k->concurrency : 1);
			double t = task_s > 0 ? floor(slots / task_s * PLACEMENT_KEDA_POLL_S) : slots;
			p->queue_target = t < 1 ? 1 : t > 1e6 ? 1000000u : (unsigned)t;
			break;
		}
		case COMP_POSTGRES:
			p->replicas = 1;
			/* Only the first postgres component is the planner's database. */
			if (!pg_done && c->shape.managed_db) {
				p->where = PLACE_MANAGED;
				p->offer = c->shape.managed_db;
			} else if (!pg_done && c->shape.db_node) {
				p->where = PLACE_DB_NODE;
				p->offer = c->shape.db_node;
			}
			pg_done = true;
			p->cpu_request = d->db_cpu + k->cpu_base;
			p->mem_request_b = mem;
			p->cpu_limit = p->offer && p->offer->vcpu > 0 ? p->offer->vcpu : vcpu;
			break;
		case COMP_REDIS:
			p->replicas = 1;
			if (c->shape.managed_cache) {
				p->where = PLACE_MANAGED;
				p->offer = c->shape.managed_cache;
			}
			p->cpu_request = k->cpu_base;
			p->mem_request_b = mem;
			/* Redis runs its commands on one thread. */
			p->cpu_limit = 1;
			break;
		case COMP_PROXY:
		case COMP_OTHER:
			p->replicas = n;
			p->cpu_request = k->cpu_base;
			p->mem_request_b = mem;
			p->cpu_limit = 1;
			break;
		}
		if (p->cpu_limit > vcpu && p->where == PLACE_NODE)
			p->cpu_limit = vcpu;
		if (p->cpu_request < PLACEMENT_MIN_CPU)
			p->cpu_request = PLACEMENT_MIN_CPU;
		if (p->cpu_request > p->cpu_limit)
			p->cpu_request = p->cpu_limit;
		if (!(p->mem_request_b >= PLACEMENT_MIN_MEM))
			p->mem_request_b = PLACEMENT_MIN_MEM;
		p->mem_limit_b = p->mem_request_b / mem_max;
		if (p->replicas < 1)
			p->replicas = 1;
	}
	return 0;
}
