/* planner_tier.c - the app tier of a shape (n nodes of one plan): its CPU,
 * memory, connection and task-slot loads per node, the p95 of each request
 * class (M/M/c, or M/G/c from a calibration), and what else the shape puts
 * on its app nodes (see planner_int.h). */
#include "model/planner_int.h"

#include <math.h>
#include <string.h>

#include "model/queue.h"

/* Everything about the app tier except the p95 (cheap arithmetic). */
void pl_tier_cheap(const struct ctx *cx, const struct offer *a, unsigned n, const struct tier_with *with,
		   const struct demand *d, struct tier *t)
{
	const struct profile *p = &cx->prof;
	memset(t, 0, sizeof(*t));
	t->done = true;
	double v = vcpu_of(a);
	unsigned r_app = replicas_for(v, p->app_workers);
	unsigned r_wrk = with->workers ? replicas_for(v, p->wrk_workers) : 0;
	t->replicas = r_app;
	t->processes = (unsigned)(r_app * p->app_workers);
	double servers = floor(v < t->processes ? v : t->processes);
	t->servers = servers < 1 ? 1 : (unsigned)servers;

	/* CPU: requests (calibrated if measured), tasks and the idle cost of each
	 * replica; the database's busy time too when it shares the node. */
	double app_cpu = d->app_cpu;
	if (cx->calibrated)
		app_cpu = d->req_rate * cx->cal.cpu_s;
	double task_cpu = with->workers ? d->task_cpu : 0, task_mem = with->workers ? d->task_mem_b : 0;
	double cpu = (app_cpu + task_cpu) / n + r_app * p->app_cpu_base + r_wrk * p->wrk_cpu_base + p->fixed_cpu_base;
	double mem = r_app * p->app_mem + r_wrk * p->wrk_mem + p->fixed_mem + (d->app_mem_b + task_mem) / n;
	double disk = d->files_b;
	if (with->db) {
		cpu += with->db_busy + p->pg_cpu_base;
		mem += p->pg_mem;
		disk += d->db_size_b;
	}
	if (with->cache) {
		cpu += p->redis_cpu_base;
		mem += p->redis_mem;
	}
	t->has[PRES_CPU] = t->has[PRES_MEMORY] = true;
	t->util[PRES_CPU] = cpu / v;
	t->util[PRES_MEMORY] = a->memory_b > 0 ? mem / a->memory_b : INFINITY;
	t->need_disk = disk;
	t->raw_load = t->util[PRES_CPU];
	double cal_slots = cx->calibrated ? calib_slots(&cx->cal, v) : 0;
	if (cal_slots > 0) {
		/* The measured deployment's slots, scaled to this node: at 100 % the
		 * node carries max_rps x v / cores (model/calibrated.h). */
		t->has[PRES_CONNECTIONS] = true;
		t->util[PRES_CONNECTIONS] = d->req_rate / n * cx->cal.service_s / cal_slots;
		if (t->util[PRES_CONNECTIONS] > t->raw_load)
			t->raw_load = t->util[PRES_CONNECTIONS];
	} else if (p->has_app && p->app_slots > 0) {
		t->has[PRES_CONNECTIONS] = true;
		t->util[PRES_CONNECTIONS] = d->app_inflight / n / (r_app * p->app_slots);
		if (t->util[PRES_CONNECTIONS] > t->raw_load)
			t->raw_load = t->util[PRES_CONNECTIONS];
	}
	if (with->workers && p->has_worker && d->task_rate > 0) {
		t->has[PRES_TASK_SLOTS] = true;
		t->util[PRES_TASK_SLOTS] = d->task_inflight / n / (r_wrk * p->wrk_slots);
		if (t->util[PRES_TASK_SLOTS] > t->raw_load)
			t->raw_load = t->util[PRES_TASK_SLOTS];
	}
	t->cheap_ok = true;
	for (int k = 0; k <= PRES_TASK_SLOTS; k++)
		if (t->has[k] && t->util[k] > cx->lim[k] + EPS)
			t->cheap_ok = false;
}

/* The p95 of a calibrated node (model/calibrated.h, docs/plan.md
 * "Calibration"): its slots are an M/G/c queue (Allen-Cunneen) with the
 * measured service time and cv; a request also queues for a core inside its
 * slot, so the CPU queue's mean wait (the node's CPU work as M/M/c over its
 * CPU servers, exponential since CPU bursts are not measured) lengthens the
 * service time. Every class takes the calibrated service. */
static void tier_p95_calibrated(struct ctx *cx, const struct offer *a, unsigned n, const struct demand *d,
				struct tier *t)
{
	const struct workload *w = cx->in->workload;
	const struct calib_service *cs = &cx->cal;
	double v = a->vcpu > 0 ? a->vcpu : 1;
	double lambda = d->req_rate / n;
	double s = cs->service_s;
	if (cs->cpu_s > 0 && lambda > 0) {
		double other = t->util[PRES_CPU] * v - lambda * cs->cpu_s;
		double lambda_eff = lambda + (other > 0 ? other / cs->cpu_s : 0);
		s += queue_mean_wait_g(lambda_eff, cs->cpu_s, 1.0, t->servers);
	}
	unsigned c = calib_servers(cs, v);
	double p95 = !isfinite(s) ? INFINITY
		     : c > 0      ? pl_p95_solve(cx, lambda, s, cs->cv, c)
				  : queue_service_quantile(s, cs->cv, P95);
	for (size_t i = 0; i < w->n_requests && i < PLANNER_MAX_CLASSES; i++)
		t->class_p95[i] = p95;
	t->p95_done = true;
	t->p95_s = w->n_requests > 0 ? p95 : 0;
	t->has[PRES_P95] = cx->p95_target > 0 && cx->any_covered;
	t->util[PRES_P95] = t->p95_s;
}

/* Without a calibration, the p95 of each request class on one app node: an
 * M/M/c queue whose servers are the node's CPU pool, fed by the node's share
 * of the requests plus the node's other CPU work as extra arrivals of the
 * same mean size (so it takes its share of the servers); each class waits the
 * pool's response quantile scaled to its own CPU time, plus the non-CPU part
 * of its duration (database, network, external calls) as a pure delay. */
void pl_tier_p95(struct ctx *cx, const struct offer *a, unsigned n, const struct demand *d,
		 struct tier *t)
{
	const struct workload *w = cx->in->workload;
	if (cx->calibrated) {
		tier_p95_calibrated(cx, a, n, d, t);
		return;
	}
	t->p95_done = true;
	t->p95_s = 0;
	double v = vcpu_of(a);
	double lambda = d->req_rate / n;
	double s_mean = 0;
	for (size_t i = 0; i < w->n_requests; i++)
		s_mean += d->concurrent * w->requests[i].rate * class_cpu(cx, &w->requests[i]);
	s_mean = d->req_rate > 0 ? s_mean / d->req_rate : 0;
	double factor = 1; /* response quantile / mean service */
	if (s_mean > 0 && lambda > 0) {
		double other = t->util[PRES_CPU] * v - lambda * s_mean;
		double lambda_eff = lambda + (other > 0 ? other / s_mean : 0);
		double q = pl_p95_solve(cx, lambda_eff, s_mean, 1.0, t->servers);
		factor = isfinite(q) ? q / s_mean : INFINITY;
	} else if (s_mean > 0) {
		factor = log(1.0 / (1.0 - P95)); /* idle: the exponential service quantile */
	}
	double worst = 0, worst_all = 0;
	for (size_t i = 0; i < w->n_requests && i < PLANNER_MAX_CLASSES; i++) {
		const struct request_class *r = &w->requests[i];
		double cpu = class_cpu(cx, r);
		double delay = r->duration_s > r->cpu_s ? r->duration_s - r->cpu_s : 0;
		double p = delay + (cpu > 0 ? cpu * factor : 0);
		t->class_p95[i] = p;
		if (p > worst_all)
			worst_all = p;
		if (cx->class_covered[i] && p > worst)
			worst = p;
	}
	t->p95_s = cx->any_covered ? worst : worst_all;
	t->has[PRES_P95] = cx->p95_target > 0 && cx->any_covered;
	t->util[PRES_P95] = t->p95_s;
}

void pl_tier_solve(struct ctx *cx, const struct offer *a, unsigned n, const struct tier_with *with,
		   const struct demand *d, struct tier *t)
{
	pl_tier_cheap(cx, a, n, with, d, t);
	if (t->cheap_ok)
		pl_tier_p95(cx, a, n, d, t);
}

/* What a shape puts on its app nodes. */
struct tier_with pl_tier_with_of(const struct ctx *cx, const struct plan_shape *s, const struct demand *d)
{
	bool single = s->stage <= STAGE_SINGLE_OPS;
	struct tier_with w = {
		.db = single && cx->prof.has_pg && !s->managed_db,
		.cache = cx->prof.has_redis && !s->managed_cache,
		.workers = !s->wrk_node,
	};
	if (w.db)
		w.db_busy = db_load_of(cx, d, 0, s->read_cache).primary;
	return w;
}
