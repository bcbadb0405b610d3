/* planner.c - evaluate deployment shapes and search for the cheapest (see planner.h).
 *
 * Placement of the components (docs/plan.md, "Stages"):
 *   single, single+ops  one node "all": every component
 *   split               node "app" (app, worker, proxy, other, redis) + node "db"
 *                       (postgres) or a managed database
 *   ha                  2..5 "app" nodes behind a load balancer; postgres on a
 *                       primary + standby pair or managed; redis on the app nodes
 *                       (one instance, a single point of failure) or managed
 *   cluster             >= 3 Kubernetes "node"s, same database and cache choices,
 *                       plus the control plane
 * On every node that runs them, app and worker components are scaled to one
 * process per vCPU (seed 004, "--workers $(nproc)"): replicas = max(1,
 * floor(vCPU / workers per replica)). A process serves at most one core
 * (CPython's GIL, the Node.js event loop), so the CPU pool of a node has
 * min(vCPU, processes) servers. */
#include "model/planner.h"

#include <math.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "model/availability.h"
#include "model/calibrated.h"
#include "model/queue.h"
#include "util/str.h"
#include "util/units.h"
#include "util/xalloc.h"

/* Default utilisation limits (objectives), from the seeds. */
#define LIMIT_CPU 0.70          /* seed 004: "CPU consistently >70%" -> upgrade */
#define LIMIT_MEMORY 0.80       /* seed 004: memory warning ">80%" */
#define LIMIT_DB_CONN 0.80      /* seed 002: "Connections 80/100" */
#define LIMIT_DISK 0.80         /* seed 001: "Disk Usage: Alert at 80% full" */
#define LIMIT_EXT 0.80          /* same margin as the connection pool */
#define LIMIT_SLOTS 0.80        /* seed 002: "Connections 80/100" applied to worker slots */
#define LIMIT_BANDWIDTH 1.0     /* included transfer; overage is not priced */
/* PostgreSQL's own default max_connections (postgresql.org/docs, runtime-config-connection). */
#define PG_DEFAULT_MAX_CONN 100u
#define P95 0.95
#define EPS 1e-9

static const char *const res_names[PRES_COUNT] = {
	"cpu", "memory", "disk", "connections", "task_slots", "db_cpu", "db_memory", "db_disk",
	"db_connections", "cache_memory", "bandwidth", "external_rate", "p95", "availability",
};

const char *planner_res_name(enum plan_res r)
{
	return r < PRES_COUNT ? res_names[r] : "?";
}

/* Components summed by what they do (the planner places them as groups). */
struct profile {
	bool has_app, has_worker, has_pg, has_redis;
	double app_workers;      /* processes per app replica, all app components */
	double app_slots;        /* sum workers * concurrency per replica; 0 = unlimited */
	double app_pool;         /* sum workers * db_pool per replica */
	double app_mem;          /* bytes per replica */
	double app_cpu_base;     /* cores per replica */
	double wrk_workers, wrk_slots, wrk_pool, wrk_mem, wrk_cpu_base;
	double pg_mem, pg_cpu_base;
	unsigned pg_max_conn;
	double redis_mem, redis_cpu_base;
	double fixed_mem, fixed_cpu_base; /* proxy and other: one instance per app node */
};

/* A component's memory: per process for app/worker, per instance otherwise. */
static double comp_mem(const struct component *c)
{
	if (c->kind == COMP_APP || c->kind == COMP_WORKER)
		return c->memory_base_b > 0 ? c->memory_base_b : c->memory_b;
	return c->memory_b > c->memory_base_b ? c->memory_b : c->memory_base_b;
}

static void profile_build(const struct planner_input *in, struct profile *p)
{
	memset(p, 0, sizeof(*p));
	bool app_unlimited = false;
	for (size_t i = 0; i < in->n_components; i++) {
		const struct component *c = &in->components[i];
		double w = c->workers ? c->workers : 1;
		switch (c->kind) {
		case COMP_APP:
			p->has_app = true;
			p->app_workers += w;
			if (c->concurrency == 0)
				app_unlimited = true;
			p->app_slots += w * c->concurrency;
			p->app_pool += w * c->db_pool;
			p->app_mem += w * comp_mem(c);
			p->app_cpu_base += c->cpu_base;
			break;
		case COMP_WORKER:
			p->has_worker = true;
			p->wrk_workers += w;
			/* A worker without a stated concurrency runs one task per process. */
			p->wrk_slots += w * (c->concurrency ? c->concurrency : 1);
			p->wrk_pool += w * c->db_pool;
			p->wrk_mem += w * comp_mem(c);
			p->wrk_cpu_base += c->cpu_base;
			break;
		case COMP_POSTGRES:
			if (!p->has_pg) {
				p->has_pg = true;
				p->pg_mem = comp_mem(c);
				p->pg_cpu_base = c->cpu_base;
				p->pg_max_conn = c->max_connections ? c->max_connections : PG_DEFAULT_MAX_CONN;
			}
			break;
		case COMP_REDIS:
			p->has_redis = true;
			p->redis_mem += comp_mem(c);
			p->redis_cpu_base += c->cpu_base;
			break;
		case COMP_PROXY:
		case COMP_OTHER:
			p->fixed_mem += comp_mem(c);
			p->fixed_cpu_base += c->cpu_base;
			break;
		}
	}
	if (app_unlimited)
		p->app_slots = 0;
}

/* A queue solve the search has already done: its exact inputs and answer. */
struct qsolve {
	double lambda, service_s, cv, quantile;
	unsigned servers;
	bool used;
};

/* The search context of one run. */
struct ctx {
	const struct planner_input *in;
	struct profile prof;
	double lim[PRES_COUNT];
	double p95_target, avail_target;
	bool class_covered[PLANNER_MAX_CLASSES]; /* does the p95 objective apply to the class? */
	bool any_covered;
	struct reliability rel;  /* the input's, or avail_defaults() */
	double peak_share;       /* share of the month at the peak (workload.busy_time) */
	unsigned long evaluated;
	/* The catalogue grouped by provider, built once per run: the search asks
	 * "same provider?" and "this provider's cheapest load balancer?" for each
	 * of tens of thousands of shapes, and string compares dominated it. */
	struct provider {
		const char *name;
		const struct offer *lb, *k8s, *backup, *volume; /* the cheapest of each, or NULL */
		size_t first, n;                                 /* its offers: by_prov[first..first+n) */
	} *prov;
	size_t n_prov;
	size_t *prov_of;         /* per offer: its index in prov, or NO_PROVIDER */
	size_t *by_prov;         /* offer indices, grouped by provider, catalogue order within */
	const struct offer *monitoring;
	bool prices_nonneg;      /* every price >= 0: a part left out of a shape lowers its cost */
	/* Queue solves by their exact inputs: plans with the same vCPU give the
	 * same M/M/c at the same load, and the solve (a bisection) is the most
	 * expensive step of an evaluation. Open addressing, power-of-two size. */
	struct qsolve *qmemo;
	size_t qmemo_cap, qmemo_n;
	/* A calibration from `headroom bench`, resolved (model/calibrated.h):
	 * when set, it replaces every request class's cpu and duration. */
	bool calibrated;
	struct calib_service cal;
};

#define NO_PROVIDER ((size_t)-1)
/* Most queue solves remembered; past it the table starts afresh (a bound on
 * memory, not a limit on the search). */
#define QMEMO_MAX 65536u

static double pick(double v, double dflt)
{
	return v > 0 ? v : dflt;
}

static void keep_cheaper(const struct offer **slot, const struct offer *o)
{
	if (!*slot || o->price < (*slot)->price)
		*slot = o;
}

/* Index of an offer in the catalogue, or cat->n when it is not one of its
 * entries (a caller may evaluate a shape built from its own offers). An
 * offer inside the array's bytes is one of its elements. */
static size_t offer_index(const struct catalog *cat, const struct offer *o)
{
	uintptr_t p = (uintptr_t)o, b = (uintptr_t)cat->offers;
	if (p < b || p - b >= cat->n * sizeof(*o))
		return cat->n;
	return (size_t)(p - b) / sizeof(*o);
}

/* Group the catalogue by provider and find each provider's cheapest extras
 * (on equal price the first in catalogue order). An entry whose terms forbid
 * commercial use is kept out of the groups and the extras: no plan uses it. */
static void providers_build(struct ctx *cx, const struct catalog *cat)
{
	size_t n = cat->n;
	cx->prov = xcalloc(n ? n : 1, sizeof(*cx->prov));
	cx->prov_of = xcalloc(n ? n : 1, sizeof(*cx->prov_of));
	cx->by_prov = xcalloc(n ? n : 1, sizeof(*cx->by_prov));
	cx->prices_nonneg = true;
	for (size_t i = 0; i < n; i++) {
		const struct offer *o = &cat->offers[i];
		/* The config loader rejects negative prices; a caller of the model
		 * might not, and then no shape is ruled out on cost. */
		if (!(o->price >= 0 && o->price_per_gb >= 0 && o->percent >= 0))
			cx->prices_nonneg = false;
		if (o->kind == OFFER_MONITORING && !o->non_commercial)
			keep_cheaper(&cx->monitoring, o);
		cx->prov_of[i] = NO_PROVIDER;
		if (!o->provider)
			continue;
		size_t j = 0;
		while (j < cx->n_prov && strcmp(cx->prov[j].name, o->provider) != 0)
			j++;
		if (j == cx->n_prov)
			cx->prov[cx->n_prov++].name = o->provider;
		struct provider *e = &cx->prov[j];
		cx->prov_of[i] = j;
		if (o->non_commercial)
			continue;
		e->n++;
		if (o->kind == OFFER_LB)
			keep_cheaper(&e->lb, o);
		else if (o->kind == OFFER_K8S)
			keep_cheaper(&e->k8s, o);
		else if (o->kind == OFFER_BACKUP)
			keep_cheaper(&e->backup, o);
		else if (o->kind == OFFER_VOLUME)
			keep_cheaper(&e->volume, o);
	}
	size_t at = 0;
	for (size_t j = 0; j < cx->n_prov; j++) {
		cx->prov[j].first = at;
		at += cx->prov[j].n;
		cx->prov[j].n = 0;
	}
	for (size_t i = 0; i < n; i++) {
		if (cx->prov_of[i] == NO_PROVIDER || cat->offers[i].non_commercial)
			continue;
		struct provider *e = &cx->prov[cx->prov_of[i]];
		cx->by_prov[e->first + e->n++] = i;
	}
}

/* The provider of an offer, or NULL when it names none. */
static const struct provider *provider_of(const struct ctx *cx, const struct offer *o)
{
	const struct catalog *cat = cx->in->catalog;
	size_t i = offer_index(cat, o);
	if (i < cat->n)
		return cx->prov_of[i] == NO_PROVIDER ? NULL : &cx->prov[cx->prov_of[i]];
	if (!o->provider)
		return NULL;
	for (size_t j = 0; j < cx->n_prov; j++)
		if (strcmp(cx->prov[j].name, o->provider) == 0)
			return &cx->prov[j];
	return NULL;
}

static void ctx_init(struct ctx *cx, const struct planner_input *in)
{
	memset(cx, 0, sizeof(*cx));
	cx->in = in;
	profile_build(in, &cx->prof);
	const struct objectives *o = in->objectives;
	cx->lim[PRES_CPU] = cx->lim[PRES_DB_CPU] = pick(o->cpu_max, LIMIT_CPU);
	cx->lim[PRES_MEMORY] = cx->lim[PRES_DB_MEMORY] = cx->lim[PRES_CACHE_MEMORY] =
		pick(o->memory_max, LIMIT_MEMORY);
	cx->lim[PRES_DISK] = cx->lim[PRES_DB_DISK] = pick(o->disk_max, LIMIT_DISK);
	cx->lim[PRES_DB_CONNECTIONS] = pick(o->db_conn_max, LIMIT_DB_CONN);
	cx->lim[PRES_EXT_RATE] = pick(o->ext_rate_max, LIMIT_EXT);
	cx->lim[PRES_CONNECTIONS] = cx->lim[PRES_TASK_SLOTS] = LIMIT_SLOTS;
	cx->lim[PRES_BANDWIDTH] = LIMIT_BANDWIDTH;
	cx->p95_target = o->p95_s;
	cx->avail_target = o->availability;
	cx->lim[PRES_P95] = o->p95_s;
	cx->lim[PRES_AVAILABILITY] = o->availability;
	const struct workload *w = in->workload;
	/* Latency a third party adds (a streamed LLM reply) is not the service's
	 * to promise: the objective covers the classes without an external call. */
	for (size_t i = 0; i < w->n_requests && i < PLANNER_MAX_CLASSES; i++) {
		cx->class_covered[i] = !(w->requests[i].external.name && w->requests[i].external.calls > 0);
		cx->any_covered |= cx->class_covered[i];
	}
	if (in->reliability)
		cx->rel = *in->reliability;
	else
		avail_defaults(&cx->rel);
	cx->peak_share = fmin(1, demand_busy_seconds_month(w) / UNITS_SECONDS_PER_MONTH);
	providers_build(cx, in->catalog);
	cx->calibrated = in->calibration && calib_resolve(in->calibration, &cx->cal) == 0;
}

static void ctx_free(struct ctx *cx)
{
	free(cx->prov);
	free(cx->prov_of);
	free(cx->by_prov);
	free(cx->qmemo);
}

/* Bits of a double, so equal keys are equal bit for bit (-0.0 is not 0.0 here,
 * which only costs a repeated solve). */
static uint64_t dbits(double x)
{
	uint64_t u;
	memcpy(&u, &x, sizeof(u));
	return u;
}

static size_t qsolve_slot(const struct ctx *cx, double lambda, double s, double cv, unsigned c)
{
	uint64_t h = (dbits(lambda) * 0x9E3779B97F4A7C15ULL) ^ (dbits(s) * 0xC2B2AE3D27D4EB4FULL) ^
		     (dbits(cv) * 0x165667B19E3779F9ULL) ^ c;
	h ^= h >> 29;
	size_t mask = cx->qmemo_cap - 1, i = (size_t)h & mask;
	while (cx->qmemo[i].used && !(cx->qmemo[i].servers == c && dbits(cx->qmemo[i].lambda) == dbits(lambda) &&
				     dbits(cx->qmemo[i].service_s) == dbits(s) && dbits(cx->qmemo[i].cv) == dbits(cv)))
		i = (i + 1) & mask;
	return i;
}

/* queue_response_quantile_g(lambda, s, cv, c, P95), remembered: it is a pure
 * function of its inputs, so the answer found by their exact bits is the one
 * a new solve would give. */
static double p95_solve(struct ctx *cx, double lambda, double s, double cv, unsigned c)
{
	if (cx->qmemo_cap) {
		const struct qsolve *e = &cx->qmemo[qsolve_slot(cx, lambda, s, cv, c)];
		if (e->used)
			return e->quantile;
	}
	double q = queue_response_quantile_g(lambda, s, cv, c, P95);
	/* Keep the table at most half full: double it, or start afresh at the cap. */
	if (2 * (cx->qmemo_n + 1) > cx->qmemo_cap) {
		struct qsolve *old = cx->qmemo;
		size_t old_cap = cx->qmemo_cap, cap = old_cap ? 2 * old_cap : 256;
		if (cap > QMEMO_MAX) {
			cap = old_cap;
			old_cap = 0;
		}
		cx->qmemo = xcalloc(cap, sizeof(*cx->qmemo));
		cx->qmemo_cap = cap;
		cx->qmemo_n = 0;
		for (size_t k = 0; k < old_cap; k++) {
			if (old[k].used) {
				cx->qmemo[qsolve_slot(cx, old[k].lambda, old[k].service_s, old[k].cv, old[k].servers)] = old[k];
				cx->qmemo_n++;
			}
		}
		free(old);
	}
	cx->qmemo[qsolve_slot(cx, lambda, s, cv, c)] = (struct qsolve){
		.lambda = lambda, .service_s = s, .cv = cv, .quantile = q, .servers = c, .used = true};
	cx->qmemo_n++;
	return q;
}

static bool provider_allowed(const struct deployment *dep, const char *provider)
{
	if (dep->n_providers == 0)
		return true;
	for (size_t i = 0; i < dep->n_providers; i++)
		if (provider && strcmp(dep->providers[i], provider) == 0)
			return true;
	return false;
}

/* Do two offers come from one provider? Offers outside the catalogue (a
 * caller's own) are compared by name. */
static bool same_provider(const struct ctx *cx, const struct offer *a, const struct offer *b)
{
	const struct provider *pa = provider_of(cx, a), *pb = provider_of(cx, b);
	if (pa && pb)
		return pa == pb;
	return a->provider && b->provider && strcmp(a->provider, b->provider) == 0;
}

/* Replicas of a component group per node: one process per vCPU, at least one. */
static unsigned replicas_for(double vcpu, double workers)
{
	if (workers <= 0)
		return 0;
	double r = floor(vcpu / workers);
	return r < 1 ? 1 : (unsigned)r;
}

/* CPU seconds a request takes on one vCPU: the declared cost, or the
 * calibration's CPU per request (model/calibrated.h: measured, or derived
 * from the knee). Only the CPU: the measured latency is mostly waiting, and
 * it is how long a request holds its slot (see tier_p95_calibrated), not CPU. */
static double class_cpu(const struct ctx *cx, const struct request_class *r)
{
	return cx->calibrated ? cx->cal.cpu_s : r->cpu_s;
}

/* The app tier of a shape: n nodes of one plan and what they carry. */
struct tier {
	bool done;
	bool cheap_ok;     /* every constraint but p95 within its limit */
	bool p95_done;
	double util[PRES_COUNT];
	bool has[PRES_COUNT];
	double class_p95[PLANNER_MAX_CLASSES];
	double p95_s;
	unsigned replicas, processes, servers;
	double raw_load;   /* largest of CPU, connection and task utilisation (0-1 = capacity) */
	double need_disk;  /* bytes each app node must store */
	struct avail_memo avail; /* the app part of the availability, once per tier */
};

/* Everything about the app tier except the p95 (cheap arithmetic). */
static void tier_cheap(const struct ctx *cx, const struct offer *a, unsigned n, bool db_here,
		       bool cache_here, const struct demand *d, struct tier *t)
{
	const struct profile *p = &cx->prof;
	memset(t, 0, sizeof(*t));
	t->done = true;
	double v = a->vcpu > 0 ? a->vcpu : 1;
	unsigned r_app = replicas_for(v, p->app_workers);
	unsigned r_wrk = replicas_for(v, p->wrk_workers);
	t->replicas = r_app;
	t->processes = (unsigned)(r_app * p->app_workers);
	double servers = floor(v < t->processes ? v : t->processes);
	t->servers = servers < 1 ? 1 : (unsigned)servers;

	/* CPU: requests (calibrated if measured), tasks and the idle cost of each
	 * replica; the database's busy time too when it shares the node. */
	double app_cpu = d->app_cpu;
	if (cx->calibrated)
		app_cpu = d->req_rate * cx->cal.cpu_s;
	double cpu = (app_cpu + d->task_cpu) / n + r_app * p->app_cpu_base + r_wrk * p->wrk_cpu_base +
		     p->fixed_cpu_base;
	double mem = r_app * p->app_mem + r_wrk * p->wrk_mem + p->fixed_mem + (d->app_mem_b + d->task_mem_b) / n;
	double disk = d->files_b;
	if (db_here) {
		cpu += d->db_cpu + p->pg_cpu_base;
		mem += p->pg_mem;
		disk += d->db_size_b;
	}
	if (cache_here) {
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
	if (p->has_worker && d->task_rate > 0) {
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
		     : c > 0      ? p95_solve(cx, lambda, s, cs->cv, c)
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
static void tier_p95(struct ctx *cx, const struct offer *a, unsigned n, const struct demand *d,
		     struct tier *t)
{
	const struct workload *w = cx->in->workload;
	if (cx->calibrated) {
		tier_p95_calibrated(cx, a, n, d, t);
		return;
	}
	t->p95_done = true;
	t->p95_s = 0;
	double v = a->vcpu > 0 ? a->vcpu : 1;
	double lambda = d->req_rate / n;
	double s_mean = 0;
	for (size_t i = 0; i < w->n_requests; i++)
		s_mean += d->concurrent * w->requests[i].rate * class_cpu(cx, &w->requests[i]);
	s_mean = d->req_rate > 0 ? s_mean / d->req_rate : 0;
	double factor = 1; /* response quantile / mean service */
	if (s_mean > 0 && lambda > 0) {
		double other = t->util[PRES_CPU] * v - lambda * s_mean;
		double lambda_eff = lambda + (other > 0 ? other / s_mean : 0);
		double q = p95_solve(cx, lambda_eff, s_mean, 1.0, t->servers);
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

static bool stage_has_ops(enum stage_kind s)
{
	return s != STAGE_SINGLE;
}

/* Is the shape well formed for its stage? */
static int shape_check(const struct ctx *cx, const struct plan_shape *s)
{
	const struct profile *p = &cx->prof;
	if (!s->app || s->app->kind != OFFER_SERVER || s->n_app == 0 || s->stage >= STAGE_COUNT)
		return HR_E_INVALID;
	bool db_sep = s->db_node || s->managed_db;
	if (s->db_node && (s->db_node->kind != OFFER_SERVER || s->n_db == 0))
		return HR_E_INVALID;
	if (s->db_node && s->managed_db)
		return HR_E_INVALID;
	if (s->managed_db && s->managed_db->kind != OFFER_MANAGED_DB)
		return HR_E_INVALID;
	if (s->managed_cache && (s->managed_cache->kind != OFFER_MANAGED_CACHE || !p->has_redis))
		return HR_E_INVALID;
	if (db_sep && !p->has_pg)
		return HR_E_INVALID;
	switch (s->stage) {
	case STAGE_SINGLE:
	case STAGE_SINGLE_OPS:
		if (s->n_app != 1 || db_sep || s->managed_cache)
			return HR_E_INVALID;
		break;
	case STAGE_SPLIT:
		if (s->n_app != 1 || (p->has_pg && !db_sep) || (s->db_node && s->n_db != 1) || s->managed_cache)
			return HR_E_INVALID;
		break;
	case STAGE_HA:
	case STAGE_CLUSTER:
		if (s->stage == STAGE_HA && (s->n_app < 2 || s->n_app > PLANNER_HA_MAX_NODES))
			return HR_E_INVALID;
		if (s->stage == STAGE_CLUSTER && s->n_app < PLANNER_CLUSTER_MIN_NODES)
			return HR_E_INVALID;
		if ((p->has_pg && !db_sep) || (s->db_node && s->n_db != 2))
			return HR_E_INVALID;
		break;
	default:
		return HR_E_INVALID;
	}
	if ((s->db_node && !same_provider(cx, s->app, s->db_node)) ||
	    (s->managed_db && !same_provider(cx, s->app, s->managed_db)) ||
	    (s->managed_cache && !same_provider(cx, s->app, s->managed_cache)))
		return HR_E_NOTFOUND;
	return 0;
}

static double ratio_of(const struct ctx *cx, const struct plan_candidate *c, int k)
{
	if (k == PRES_AVAILABILITY) {
		if (!c->monitored)
			return INFINITY;
		double allowed = 1 - cx->avail_target;
		return allowed > 0 ? (1 - c->util[k]) / allowed : INFINITY;
	}
	return c->limit[k] > 0 ? c->util[k] / c->limit[k] : INFINITY;
}

/* What a shape buys besides its servers and database: from the app plan's
 * provider, and uptime monitoring from any vendor. */
struct extras {
	const struct offer *lb, *k8s, *backup, *monitoring, *volume;
};

/* The extras of a stage built on app plan a; HR_E_NOTFOUND when the provider
 * sells no load balancer (ha, cluster) or control plane (cluster). */
static int extras_for(const struct ctx *cx, enum stage_kind stage, const struct offer *a, struct extras *x)
{
	const struct provider *pv = provider_of(cx, a);
	memset(x, 0, sizeof(*x));
	if (stage == STAGE_HA || stage == STAGE_CLUSTER) {
		x->lb = pv ? pv->lb : NULL;
		if (!x->lb)
			return HR_E_NOTFOUND;
	}
	if (stage == STAGE_CLUSTER) {
		x->k8s = pv ? pv->k8s : NULL;
		if (!x->k8s)
			return HR_E_NOTFOUND;
	}
	if (stage_has_ops(stage)) {
		x->backup = pv ? pv->backup : NULL;
		x->monitoring = cx->monitoring;
	}
	x->volume = pv ? pv->volume : NULL;
	return 0;
}

/* A shape's monthly cost with vol_gb of volumes. With vol_gb = 0 it is a
 * floor of the shape's cost whatever volumes it turns out to need: the terms
 * are summed in one fixed order and rounding is monotonic, so adding a
 * non-negative volume term can only raise every partial sum. */
static void shape_cost(const struct ctx *cx, const struct plan_shape *s, const struct extras *x, double vol_gb,
		       const struct demand *d, struct cost_breakdown *k)
{
	const struct offer *a = s->app;
	memset(k, 0, sizeof(*k));
	k->servers = a->price * s->n_app + (s->db_node ? s->db_node->price * s->n_db : 0);
	if (stage_has_ops(s->stage)) {
		/* Back up the node holding the database (the primary of a pair); a
		 * managed database includes its backups. */
		if (s->db_node)
			k->backups = cost_backup(x->backup, s->db_node->price);
		else if (!s->managed_db && (s->stage == STAGE_SINGLE_OPS || !cx->prof.has_pg))
			k->backups = cost_backup(x->backup, a->price);
		k->monitoring = x->monitoring ? x->monitoring->price : 0;
	}
	k->lb = x->lb ? x->lb->price : 0;
	k->k8s = x->k8s ? x->k8s->price : 0;
	k->managed_db = s->managed_db ? s->managed_db->price : 0;
	k->managed_cache = s->managed_cache ? s->managed_cache->price : 0;
	k->volumes = cost_volume(x->volume, vol_gb);
	k->ops = cost_ops(cx->in->economics, s->stage);
	k->external = d->ext_cost_month;
	cost_sum(k, d->users);
}

/* The app nodes needed to carry the peak: k of n, k = ceil(n x the tier's
 * load at capacity) (research notes §A.1, k-of-n). */
static unsigned nodes_needed(unsigned n, double raw_load)
{
	if (n <= 1)
		return 1;
	double need = ceil(n * raw_load - 1e-9);
	return need < 1 ? 1 : (need > n ? n : (unsigned)need);
}

/* A shape as availability sees it: which nodes, where the database and the
 * cache run, what watches them, and the SLAs its provider publishes. */
static void shape_stage(const struct ctx *cx, const struct plan_shape *s, const struct extras *x, double raw_load,
			const struct demand *d, struct avail_stage *st)
{
	const struct profile *p = &cx->prof;
	bool single = s->stage <= STAGE_SINGLE_OPS;
	bool multi = s->stage == STAGE_HA || s->stage == STAGE_CLUSTER;
	memset(st, 0, sizeof(*st));
	st->app_nodes = s->n_app;
	st->app_needed = nodes_needed(s->n_app, raw_load);
	st->peak_share = cx->peak_share;
	st->single_node = single;
	st->monitored = stage_has_ops(s->stage);
	st->kubernetes = s->stage == STAGE_CLUSTER;
	st->lb = x->lb != NULL;
	st->lb_sla = x->lb ? x->lb->availability : 0;
	st->k8s_sla = x->k8s ? x->k8s->availability : 0;
	st->node_sla = s->app->availability;
	st->db_bytes = d->db_size_b;
	if (!p->has_pg) {
		st->db = AVAIL_DB_NONE;
	} else if (s->db_node) {
		st->db = s->n_db >= 2 ? AVAIL_DB_PAIR : AVAIL_DB_NODE;
	} else if (s->managed_db) {
		st->db = s->managed_db->ha ? AVAIL_DB_MANAGED_HA : AVAIL_DB_MANAGED;
		st->db_sla = s->managed_db->availability;
	} else {
		st->db = AVAIL_DB_ON_NODE;
	}
	if (!p->has_redis) {
		st->cache = AVAIL_CACHE_NONE;
	} else if (s->managed_cache) {
		st->cache = s->managed_cache->ha ? AVAIL_CACHE_MANAGED_HA : AVAIL_CACHE_MANAGED;
		st->cache_sla = s->managed_cache->availability;
	} else {
		st->cache = multi ? AVAIL_CACHE_ONE_NODE : AVAIL_CACHE_ON_NODE; /* one Redis on an app node */
	}
}

/* The composed availability of a shape (the app part remembered in its
 * tier: every database and cache option leaves it the same); 0 when it
 * cannot be composed. */
static double shape_availability(const struct ctx *cx, const struct plan_shape *s, const struct extras *x,
				 struct tier *t, const struct demand *d)
{
	struct avail_stage st;
	double u;
	shape_stage(cx, s, x, t->raw_load, d, &st);
	if (avail_stage_u(&cx->rel, &st, &t->avail, &u) != 0)
		return 0;
	return 1 - u;
}

/* Combine an evaluated app tier with the rest of the shape. */
static int eval_full(struct ctx *cx, const struct plan_shape *s, struct tier *t,
		     const struct demand *d, struct plan_candidate *c)
{
	const struct profile *p = &cx->prof;
	int rc = shape_check(cx, s);
	if (rc)
		return rc;
	memset(c, 0, sizeof(*c));
	cx->evaluated++;
	c->shape = *s;
	c->provider = s->app->provider;
	const struct offer *a = s->app;
	unsigned n = s->n_app;
	struct extras x;
	rc = extras_for(cx, s->stage, a, &x);
	if (rc)
		return rc;
	c->lb = x.lb;
	c->k8s = x.k8s;
	c->monitored = stage_has_ops(s->stage);
	c->backup = x.backup;
	c->monitoring = x.monitoring;
	c->volume = x.volume;
	c->app_replicas = t->replicas;
	c->app_processes = t->processes;
	for (int k = 0; k < PRES_COUNT; k++)
		c->limit[k] = cx->lim[k];
	for (int k = 0; k <= PRES_TASK_SLOTS; k++) {
		c->has[k] = t->has[k];
		c->util[k] = t->util[k];
	}

	/* Disk: each app node stores the files (and the database on one node);
	 * what does not fit under the limit is bought as a volume. */
	double vol_gb = 0;
	if (a->disk_b > 0) {
		c->has[PRES_DISK] = true;
		double room = a->disk_b * c->limit[PRES_DISK];
		if (t->need_disk > room && c->volume) {
			double gb = (t->need_disk / c->limit[PRES_DISK] - a->disk_b) / 1e9;
			vol_gb += ceil(gb) * n;
			c->util[PRES_DISK] = t->need_disk / (a->disk_b + ceil(gb) * 1e9);
		} else {
			c->util[PRES_DISK] = t->need_disk / a->disk_b;
		}
	}

	/* The database. */
	double conns = n * (t->replicas * p->app_pool + replicas_for(a->vcpu > 0 ? a->vcpu : 1, p->wrk_workers) * p->wrk_pool);
	unsigned max_conn = p->pg_max_conn;
	if (s->db_node) {
		const struct offer *q = s->db_node;
		double qv = q->vcpu > 0 ? q->vcpu : 1;
		c->has[PRES_DB_CPU] = c->has[PRES_DB_MEMORY] = true;
		c->util[PRES_DB_CPU] = (d->db_cpu + p->pg_cpu_base) / qv;
		c->util[PRES_DB_MEMORY] = q->memory_b > 0 ? p->pg_mem / q->memory_b : INFINITY;
		if (q->disk_b > 0) {
			c->has[PRES_DB_DISK] = true;
			double room = q->disk_b * c->limit[PRES_DB_DISK];
			if (d->db_size_b > room && c->volume) {
				double gb = ceil((d->db_size_b / c->limit[PRES_DB_DISK] - q->disk_b) / 1e9);
				vol_gb += gb * s->n_db;
				c->util[PRES_DB_DISK] = d->db_size_b / (q->disk_b + gb * 1e9);
			} else {
				c->util[PRES_DB_DISK] = d->db_size_b / q->disk_b;
			}
		}
	} else if (s->managed_db) {
		const struct offer *m = s->managed_db;
		if (m->vcpu > 0) {
			c->has[PRES_DB_CPU] = true;
			c->util[PRES_DB_CPU] = d->db_cpu / m->vcpu;
		}
		if (m->disk_b > 0) {
			c->has[PRES_DB_DISK] = true;
			c->util[PRES_DB_DISK] = d->db_size_b / m->disk_b;
		}
		if (m->max_connections > 0)
			max_conn = m->max_connections;
	}
	if (p->has_pg && conns > 0) {
		c->has[PRES_DB_CONNECTIONS] = true;
		c->util[PRES_DB_CONNECTIONS] = conns / max_conn;
	}

	/* The cache. */
	if (s->managed_cache) {
		const struct offer *m = s->managed_cache;
		if (m->memory_b > 0) {
			c->has[PRES_CACHE_MEMORY] = true;
			c->util[PRES_CACHE_MEMORY] = p->redis_mem / m->memory_b;
		}
	}

	/* Bandwidth against the transfer the servers include (pooled, as Hetzner
	 * and DigitalOcean pool it); not checked when a plan states none. */
	double transfer = a->transfer_b * n;
	bool transfer_known = a->transfer_b > 0;
	if (s->db_node) {
		transfer += s->db_node->transfer_b * s->n_db;
		transfer_known = transfer_known && s->db_node->transfer_b > 0;
	}
	if (transfer_known && d->egress_month_b > 0) {
		c->has[PRES_BANDWIDTH] = true;
		c->util[PRES_BANDWIDTH] = d->egress_month_b / transfer;
	}

	/* External APIs against their rate limits: the same for every shape. */
	for (size_t i = 0; i < d->n_ext; i++) {
		if (d->ext[i].rate_limit <= 0)
			continue;
		double u = d->ext[i].rate / d->ext[i].rate_limit;
		if (!c->has[PRES_EXT_RATE] || u > c->util[PRES_EXT_RATE])
			c->util[PRES_EXT_RATE] = u;
		c->has[PRES_EXT_RATE] = true;
	}

	/* Availability: the parts of the stage from failures and recoveries
	 * (model/availability.h), in series. */
	c->availability = shape_availability(cx, s, &x, t, d);
	c->util[PRES_AVAILABILITY] = c->availability;
	c->has[PRES_AVAILABILITY] = cx->avail_target > 0;

	/* p95, when the tier was solved. */
	if (t->p95_done) {
		c->has[PRES_P95] = t->has[PRES_P95];
		c->util[PRES_P95] = t->p95_s;
		c->p95_s = t->p95_s;
		memcpy(c->class_p95, t->class_p95, sizeof(c->class_p95));
	} else {
		c->p95_s = NAN;
		for (size_t i = 0; i < PLANNER_MAX_CLASSES; i++)
			c->class_p95[i] = NAN;
	}

	/* Cost. */
	c->volume_gb = vol_gb;
	shape_cost(cx, s, &x, vol_gb, d, &c->cost);

	/* Verdict: the constraint furthest over its target fails the shape. */
	c->feasible = true;
	double worst = 0;
	for (int r = 0; r < PRES_COUNT; r++) {
		if (!c->has[r])
			continue;
		double ratio = ratio_of(cx, c, r);
		bool over = ratio > 1 + EPS;
		if (r == PRES_P95 && !t->p95_done)
			continue;
		if (over && (c->feasible || ratio > worst)) {
			c->feasible = false;
			c->fail = (enum plan_res)r;
			worst = ratio;
		}
	}
	if (c->feasible && !t->p95_done && cx->p95_target > 0 && cx->any_covered) {
		/* The caller skipped the queue because a cheap constraint failed;
		 * a shape is never feasible without its p95. */
		c->feasible = false;
		c->fail = PRES_P95;
	}
	return 0;
}

static void tier_solve(struct ctx *cx, const struct offer *a, unsigned n, bool db_here,
		       bool cache_here, const struct demand *d, struct tier *t)
{
	tier_cheap(cx, a, n, db_here, cache_here, d, t);
	if (t->cheap_ok)
		tier_p95(cx, a, n, d, t);
}

/* planner_evaluate() in a context: every figure, the queue always solved. */
static int evaluate(struct ctx *cx, const struct plan_shape *shape, const struct demand *d,
		    struct plan_candidate *out)
{
	int rc = shape_check(cx, shape);
	if (rc)
		return rc;
	bool single = shape->stage <= STAGE_SINGLE_OPS;
	struct tier t;
	tier_cheap(cx, shape->app, shape->n_app, single && cx->prof.has_pg,
		   cx->prof.has_redis && !shape->managed_cache, d, &t);
	tier_p95(cx, shape->app, shape->n_app, d, &t);
	return eval_full(cx, shape, &t, d, out);
}

int planner_evaluate(const struct planner_input *in, const struct plan_shape *shape,
		     const struct demand *d, struct plan_candidate *out)
{
	struct ctx cx;
	ctx_init(&cx, in);
	int rc = evaluate(&cx, shape, d, out);
	ctx_free(&cx);
	return rc;
}

static int avail_parts(const struct ctx *cx, const struct plan_shape *shape, const struct demand *d,
		       struct avail_part *parts);

int planner_avail_parts(const struct planner_input *in, const struct plan_shape *shape,
			const struct demand *d, struct avail_part *parts)
{
	struct ctx cx;
	ctx_init(&cx, in);
	int rc = avail_parts(&cx, shape, d, parts);
	ctx_free(&cx);
	return rc;
}

static int avail_parts(const struct ctx *cx, const struct plan_shape *shape, const struct demand *d,
		       struct avail_part *parts)
{
	int rc = shape_check(cx, shape);
	if (rc)
		return rc;
	const struct profile *p = &cx->prof;
	bool single = shape->stage <= STAGE_SINGLE_OPS;
	struct extras x;
	rc = extras_for(cx, shape->stage, shape->app, &x);
	if (rc)
		return rc;
	struct tier t;
	tier_cheap(cx, shape->app, shape->n_app, single && p->has_pg, p->has_redis && !shape->managed_cache, d, &t);
	struct avail_stage st;
	shape_stage(cx, shape, &x, t.raw_load, d, &st);
	size_t n;
	rc = avail_stage_parts(&cx->rel, &st, parts, &n);
	return rc ? rc : (int)n;
}

unsigned planner_node_count(const struct plan_candidate *c)
{
	return c->shape.n_app + (c->shape.db_node ? c->shape.n_db : 0);
}

/* --- search ------------------------------------------------------------ */

struct search {
	struct ctx *cx;
	const struct demand *d;
	struct plan_step *st;
	bool have_best;               /* some stage has a feasible shape */
	bool have_stage[STAGE_COUNT];
	struct plan_candidate stage_best[STAGE_COUNT];
	bool have_closest;            /* infeasible shape with the smallest worst ratio */
	struct plan_candidate closest;
	double closest_ratio;
	struct plan_candidate *rejected; /* infeasible shapes, cheapest first not required */
	size_t n_rejected, cap_rejected;
};

static double worst_ratio(const struct ctx *cx, const struct plan_candidate *c)
{
	double w = 0;
	for (int r = 0; r < PRES_COUNT; r++) {
		if (!c->has[r])
			continue;
		double x = ratio_of(cx, c, r);
		if (x > w)
			w = x;
	}
	return w;
}

/* Keep what the search needs of one evaluated candidate. */
static void consider(struct search *sr, const struct plan_candidate *c)
{
	if (c->feasible) {
		enum stage_kind s = c->shape.stage;
		if (!sr->have_stage[s] || c->cost.total < sr->stage_best[s].cost.total - EPS) {
			sr->stage_best[s] = *c;
			sr->have_stage[s] = true;
			sr->have_best = true;
		}
		return;
	}
	/* The closest infeasible shape is reported only when nothing is
	 * feasible: once something is, stop tracking it. */
	if (!sr->have_best) {
		double w = worst_ratio(sr->cx, c);
		if (!sr->have_closest || w < sr->closest_ratio) {
			sr->closest = *c;
			sr->closest_ratio = w;
			sr->have_closest = true;
		}
	}
	/* Why-not-cheaper needs the dearest rejected shape below the final choice;
	 * the choice is only known at the end, so keep every rejected shape below
	 * the cheapest feasible one found so far (the final choice can only be
	 * cheaper still), purging those the bound has since passed. */
	double bound = INFINITY;
	for (int s = 0; s < STAGE_COUNT; s++)
		if (sr->have_stage[s] && sr->stage_best[s].cost.total < bound)
			bound = sr->stage_best[s].cost.total;
	if (c->cost.total >= bound)
		return;
	if (sr->n_rejected == sr->cap_rejected) {
		size_t k = 0;
		for (size_t i = 0; i < sr->n_rejected; i++)
			if (sr->rejected[i].cost.total < bound)
				sr->rejected[k++] = sr->rejected[i];
		sr->n_rejected = k;
	}
	if (sr->n_rejected == sr->cap_rejected) {
		sr->cap_rejected = sr->cap_rejected ? sr->cap_rejected * 2 : 64;
		sr->rejected = xreallocarray(sr->rejected, sr->cap_rejected, sizeof(*sr->rejected));
	}
	sr->rejected[sr->n_rejected++] = *c;
}

static double stage_bound(const struct search *sr, enum stage_kind s)
{
	return sr->have_stage[s] ? sr->stage_best[s].cost.total : INFINITY;
}

/* Can the shape be ruled out on cost alone? True when even its floor (no
 * volumes) is dearer than the stage's best so far: evaluating it could
 * neither become the stage's best nor be kept as a cheaper rejected option
 * (the search keeps only those below every stage's best), and with a
 * feasible shape in hand the closest infeasible one is never reported.
 * s may leave out the database and the managed cache: with prices >= 0 each
 * part only adds to the floor, so a partial shape that is ruled out rules
 * out all its completions, and so does a larger node count. */
static bool cost_rules_out(const struct search *sr, const struct plan_shape *s, const struct extras *x)
{
	if (!sr->cx->prices_nonneg)
		return false;
	struct cost_breakdown floor;
	shape_cost(sr->cx, s, x, 0, sr->d, &floor);
	return floor.total > stage_bound(sr, s->stage) + EPS;
}

static void search_single(struct search *sr, enum stage_kind stage, const struct offer *a)
{
	struct ctx *cx = sr->cx;
	struct plan_shape s = {.stage = stage, .app = a, .n_app = 1};
	struct extras x;
	if (extras_for(cx, stage, a, &x) != 0 || cost_rules_out(sr, &s, &x))
		return;
	struct tier t;
	tier_solve(cx, a, 1, cx->prof.has_pg, cx->prof.has_redis, sr->d, &t);
	struct plan_candidate c;
	if (eval_full(cx, &s, &t, sr->d, &c) == 0)
		consider(sr, &c);
}

/* The offers of the app plan's provider, in catalogue order (parts of one
 * shape come from one provider). */
static const size_t *provider_offers(const struct ctx *cx, const struct offer *a, size_t *n)
{
	const struct provider *pv = provider_of(cx, a);
	*n = pv ? pv->n : 0;
	return pv ? cx->by_prov + pv->first : NULL;
}

static void search_split(struct search *sr, const struct offer *a)
{
	struct ctx *cx = sr->cx;
	const struct catalog *cat = cx->in->catalog;
	enum db_mode mode = cx->in->deployment->database;
	struct extras x;
	if (extras_for(cx, STAGE_SPLIT, a, &x) != 0)
		return;
	struct tier t = {.done = false};
	size_t n_own;
	const size_t *own = provider_offers(cx, a, &n_own);
	for (size_t j = 0; j < n_own; j++) {
		const struct offer *o = &cat->offers[own[j]];
		struct plan_shape s = {.stage = STAGE_SPLIT, .app = a, .n_app = 1};
		if (o->kind == OFFER_SERVER && mode != DB_MANAGED) {
			s.db_node = o;
			s.n_db = 1;
		} else if (o->kind == OFFER_MANAGED_DB && mode != DB_SELF) {
			s.managed_db = o;
		} else {
			continue;
		}
		if (cost_rules_out(sr, &s, &x))
			continue;
		if (!t.done)
			tier_solve(cx, a, 1, false, cx->prof.has_redis, sr->d, &t);
		struct plan_candidate c;
		if (eval_full(cx, &s, &t, sr->d, &c) == 0)
			consider(sr, &c);
	}
}

/* The first node count to evaluate for an app plan: one below the smallest
 * whose app tier meets its own targets. Every per-node load is a constant
 * plus a share that falls as 1/n, so the cheap constraints hold from some n
 * on: if they fail at hi they fail everywhere, else bisect for the first n;
 * the p95 also only falls with n, so scan up from there. When no count
 * carries the app tier, hi: the largest is evaluated once so the milestone
 * can say why. */
static unsigned multi_start(struct search *sr, const struct offer *a, bool cache_here, struct tier *memo,
			    unsigned lo, unsigned hi)
{
	struct ctx *cx = sr->cx;
	unsigned n0 = 0;
	tier_cheap(cx, a, hi, false, cache_here, sr->d, &memo[hi]);
	if (memo[hi].cheap_ok) {
		unsigned l = lo, h = hi;
		while (l < h) {
			unsigned mid = l + (h - l) / 2;
			if (!memo[mid].done)
				tier_cheap(cx, a, mid, false, cache_here, sr->d, &memo[mid]);
			if (memo[mid].cheap_ok)
				h = mid;
			else
				l = mid + 1;
		}
		for (unsigned n = l; n <= hi; n++) {
			if (!memo[n].done)
				tier_cheap(cx, a, n, false, cache_here, sr->d, &memo[n]);
			if (!memo[n].p95_done)
				tier_p95(cx, a, n, sr->d, &memo[n]);
			if (!memo[n].has[PRES_P95] || memo[n].p95_s <= cx->p95_target + EPS) {
				n0 = n;
				break;
			}
		}
	}
	return n0 ? (n0 > lo ? n0 - 1 : lo) : hi;
}

/* ha and cluster: for one app plan, every database x cache option, the node
 * count scanned upward from one below the smallest that carries the app tier.
 * memo holds two tiers per count, with Redis on the app nodes ([1]) and
 * without ([0]): every managed cache leaves the app nodes the same work, so
 * their tiers and starting count are computed once. */
static void search_multi(struct search *sr, enum stage_kind stage, const struct offer *a,
			 struct tier (*memo)[PLANNER_CLUSTER_MAX_NODES + 1], unsigned lo, unsigned hi)
{
	struct ctx *cx = sr->cx;
	const struct catalog *cat = cx->in->catalog;
	const struct profile *p = &cx->prof;
	enum db_mode mode = cx->in->deployment->database;
	struct extras x;
	if (extras_for(cx, stage, a, &x) != 0)
		return;
	size_t n_own;
	const size_t *own = provider_offers(cx, a, &n_own);
	bool started[2] = {false, false};
	unsigned start_at[2] = {hi, hi};
	for (unsigned n = lo; n <= hi; n++)
		memo[0][n].done = memo[1][n].done = false;

	/* Cache options: each managed offer, then Redis on the app nodes (NULL). */
	for (size_t ci = 0; ci <= n_own; ci++) {
		const struct offer *mc = NULL;
		if (ci < n_own) {
			mc = &cat->offers[own[ci]];
			if (!p->has_redis || mc->kind != OFFER_MANAGED_CACHE)
				continue;
		}
		bool cache_here = p->has_redis && !mc;
		struct tier *m = memo[cache_here];
		struct plan_shape least = {.stage = stage, .app = a, .n_app = lo, .managed_cache = mc};
		if (cost_rules_out(sr, &least, &x))
			continue;
		if (!started[cache_here]) {
			start_at[cache_here] = multi_start(sr, a, cache_here, m, lo, hi);
			started[cache_here] = true;
		}
		unsigned start = start_at[cache_here];
		/* Database options: a self-run primary + standby of each plan, or each managed offer. */
		for (size_t j = 0; j <= n_own; j++) {
			struct plan_shape s = {.stage = stage, .app = a, .managed_cache = mc};
			if (j == n_own) {
				if (p->has_pg)
					continue;
			} else {
				const struct offer *o = &cat->offers[own[j]];
				if (!p->has_pg)
					continue;
				if (o->kind == OFFER_SERVER && mode != DB_MANAGED) {
					s.db_node = o;
					s.n_db = 2;
				} else if (o->kind == OFFER_MANAGED_DB && mode != DB_SELF) {
					s.managed_db = o;
				} else {
					continue;
				}
			}
			for (unsigned n = start; n <= hi; n++) {
				s.n_app = n;
				/* The floor only grows with n: past the bound, so is every larger count. */
				if (cost_rules_out(sr, &s, &x))
					break;
				if (!m[n].done)
					tier_cheap(cx, a, n, false, cache_here, sr->d, &m[n]);
				if (m[n].cheap_ok && !m[n].p95_done)
					tier_p95(cx, a, n, sr->d, &m[n]);
				s.n_app = n;
				struct plan_candidate c;
				if (eval_full(cx, &s, &m[n], sr->d, &c) != 0)
					break;
				bool over_bound = c.cost.total > stage_bound(sr, stage) + EPS;
				consider(sr, &c);
				/* Cost only grows with n: past the stage's best nothing can win. */
				if (c.feasible || over_bound)
					break;
				/* More nodes only add database connections. */
				if (c.fail == PRES_DB_CONNECTIONS || c.fail == PRES_EXT_RATE ||
				    c.fail == PRES_DB_CPU || c.fail == PRES_DB_MEMORY ||
				    c.fail == PRES_DB_DISK || c.fail == PRES_CACHE_MEMORY)
					break;
			}
		}
	}
}

/* Users at which a shape first fails, searching up from a feasible count. */
static void growth_scan(struct ctx *cx, const struct plan_candidate *best, double users,
			struct plan_trigger *out)
{
	const struct workload *w = cx->in->workload;
	memset(out, 0, sizeof(*out));
	out->months = -1;
	double lo = users, hi = users > 1 ? users : 1;
	struct demand d;
	struct plan_candidate c;
	const double cap = (users > 1 ? users : 1) * 1e4;
	bool failed = false;
	while (hi <= cap) {
		hi *= 1.5;
		if (demand_at(w, hi, &d) || evaluate(cx, &best->shape, &d, &c))
			return;
		if (!c.feasible) {
			failed = true;
			break;
		}
		lo = hi;
	}
	if (!failed) {
		out->users = lo;
		return;
	}
	enum plan_res res = c.fail;
	for (int i = 0; i < 60 && hi - lo > 1 && hi - lo > lo * 1e-4; i++) {
		double mid = floor((lo + hi) / 2);
		if (mid <= lo)
			break;
		if (demand_at(w, mid, &d) || evaluate(cx, &best->shape, &d, &c))
			return;
		if (c.feasible) {
			lo = mid;
		} else {
			hi = mid;
			res = c.fail;
		}
	}
	out->found = true;
	out->res = res;
	out->users = ceil(hi);
	if (w->growth_monthly > 0 && w->users > 0 && out->users > w->users)
		out->months = log(out->users / w->users) / log1p(w->growth_monthly);
	else if (w->growth_monthly > 0 && w->users > 0)
		out->months = 0;
}

static void growth_point(struct ctx *cx, const struct plan_candidate *best, double users,
			 struct plan_trigger *out)
{
	/* These evaluations are not the milestone's search: leave its count alone. */
	unsigned long evaluated = cx->evaluated;
	growth_scan(cx, best, users, out);
	cx->evaluated = evaluated;
}

static bool shape_allowed_provider(const struct ctx *cx, const struct offer *o)
{
	return o->kind == OFFER_SERVER && !o->non_commercial && provider_allowed(cx->in->deployment, o->provider);
}

/* Why no shape reaches the availability objective: the closest one's
 * figure and the part that costs it most (where a fix must start). */
static void explain_availability(const struct ctx *cx, const struct search *sr, struct plan_step *st)
{
	const struct plan_candidate *c = &sr->closest;
	int k = snprintf(st->why, sizeof(st->why), "availability %.4f%% below the %.4f%% objective even on the closest shape",
			 c->availability * 100, cx->avail_target * 100);
	if (!c->monitored || k < 0 || (size_t)k >= sizeof(st->why))
		return;
	struct avail_part parts[AVAIL_STAGE_PARTS];
	struct avail_breakdown b;
	const char *why;
	int n = avail_parts(cx, &c->shape, sr->d, parts);
	if (n <= 0 || avail_breakdown(parts, (size_t)n, &b, &why) != 0 || b.n == 0)
		return;
	/* The part with the most downtime (lines come grouped by part). */
	const char *worst = NULL;
	double worst_u = 0;
	for (size_t i = 0; i < b.n;) {
		double u = 0;
		size_t j = i;
		for (; j < b.n && strcmp(b.line[j].part, b.line[i].part) == 0; j++)
			u += b.line[j].u;
		if (u > worst_u) {
			worst_u = u;
			worst = b.line[i].part;
		}
		i = j;
	}
	if (worst)
		snprintf(st->why + k, sizeof(st->why) - (size_t)k,
			 "; its largest downtime is the %s, %.3g of %.3g min a month",
			 worst, worst_u * UNITS_SECONDS_PER_MONTH / 60, b.total_u * UNITS_SECONDS_PER_MONTH / 60);
}

static void explain_infeasible(struct ctx *cx, struct search *sr, struct plan_step *st)
{
	const struct demand *d = sr->d;
	/* An external API over its limit rules out every shape alike. */
	for (size_t i = 0; i < d->n_ext; i++) {
		if (d->ext[i].rate_limit > 0 && d->ext[i].rate > cx->lim[PRES_EXT_RATE] * d->ext[i].rate_limit + EPS) {
			snprintf(st->why, sizeof(st->why),
				 "%s calls at %.3g/s need more than %.0f%% of its %.3g/s rate limit; "
				 "no deployment changes that (raise the limit or spread keys)",
				 d->ext[i].name, d->ext[i].rate, cx->lim[PRES_EXT_RATE] * 100, d->ext[i].rate_limit);
			return;
		}
	}
	if (!sr->have_closest) {
		snprintf(st->why, sizeof(st->why),
			 "the catalogue offers no shape for the allowed stages and providers");
		return;
	}
	const struct plan_candidate *c = &sr->closest;
	enum plan_res r = c->fail;
	if (r == PRES_P95)
		snprintf(st->why, sizeof(st->why), "p95 %.3g s above the %.3g s objective even on the closest shape",
			 c->p95_s, cx->p95_target);
	else if (r == PRES_AVAILABILITY)
		explain_availability(cx, sr, st);
	else
		snprintf(st->why, sizeof(st->why), "%s at %.0f%% of capacity, above its %.0f%% limit, even on the closest shape",
			 planner_res_name(r), c->util[r] * 100, c->limit[r] * 100);
}

static void plan_one(struct ctx *cx, double users, struct plan_step *st,
		     struct tier (*memo)[PLANNER_CLUSTER_MAX_NODES + 1],
		     struct plan_candidate **rejected, size_t *cap_rejected)
{
	const struct planner_input *in = cx->in;
	const struct catalog *cat = in->catalog;
	struct search sr = {.cx = cx, .d = &st->demand, .st = st, .rejected = *rejected,
			    .cap_rejected = *cap_rejected};
	cx->evaluated = 0;
	for (int stage = 0; stage < STAGE_COUNT; stage++) {
		if (!in->deployment->stage_allowed[stage])
			continue;
		for (size_t i = 0; i < cat->n; i++) {
			const struct offer *a = &cat->offers[i];
			if (!shape_allowed_provider(cx, a))
				continue;
			switch (stage) {
			case STAGE_SINGLE:
			case STAGE_SINGLE_OPS:
				search_single(&sr, (enum stage_kind)stage, a);
				break;
			case STAGE_SPLIT:
				if (cx->prof.has_pg)
					search_split(&sr, a);
				break;
			case STAGE_HA:
				search_multi(&sr, STAGE_HA, a, memo, 2, PLANNER_HA_MAX_NODES);
				break;
			case STAGE_CLUSTER:
				search_multi(&sr, STAGE_CLUSTER, a, memo, PLANNER_CLUSTER_MIN_NODES,
					     PLANNER_CLUSTER_MAX_NODES);
				break;
			}
		}
	}
	st->evaluated = cx->evaluated;
	*rejected = sr.rejected; /* the buffer may have grown; reused by the next milestone */
	*cap_rejected = sr.cap_rejected;

	/* The choice: cheapest over stages; on a tie the simpler (earlier) stage. */
	int best = -1;
	for (int s = 0; s < STAGE_COUNT; s++) {
		st->stage_feasible[s] = sr.have_stage[s];
		st->stage_cost[s] = sr.have_stage[s] ? sr.stage_best[s].cost.total : 0;
		if (sr.have_stage[s] && (best < 0 || sr.stage_best[s].cost.total < sr.stage_best[best].cost.total - EPS))
			best = s;
	}
	if (best < 0) {
		st->feasible = false;
		if (sr.have_closest)
			st->best = sr.closest;
		explain_infeasible(cx, &sr, st);
		return;
	}
	st->feasible = true;
	st->best = sr.stage_best[best];
	int ru = -1;
	for (int s = 0; s < STAGE_COUNT; s++)
		if (s != best && sr.have_stage[s] &&
		    (ru < 0 || sr.stage_best[s].cost.total < sr.stage_best[ru].cost.total - EPS))
			ru = s;
	if (ru >= 0) {
		st->has_runner_up = true;
		st->runner_up = sr.stage_best[ru];
	}
	/* Why not something cheaper: the dearest rejected shape below the choice. */
	for (size_t i = 0; i < sr.n_rejected; i++) {
		const struct plan_candidate *r = &sr.rejected[i];
		if (r->cost.total < st->best.cost.total - EPS &&
		    (!st->has_binding || r->cost.total > st->binding.cost.total)) {
			st->binding = *r;
			st->has_binding = true;
		}
	}
	/* Bottleneck: the resource closest to its limit (latency and availability
	 * are objectives, not resources, and are reported on their own). */
	st->bottleneck_ratio = -1;
	for (int r = 0; r < PRES_P95; r++) {
		if (!st->best.has[r])
			continue;
		double x = ratio_of(cx, &st->best, r);
		if (x > st->bottleneck_ratio) {
			st->bottleneck_ratio = x;
			st->bottleneck = (enum plan_res)r;
		}
	}
	growth_point(cx, &st->best, users, &st->next);
}

/* Where the downtime of a step's shape comes from. */
static void step_downtime(const struct ctx *cx, struct plan_step *st)
{
	struct avail_part parts[AVAIL_STAGE_PARTS];
	const char *why;
	memset(&st->downtime, 0, sizeof(st->downtime));
	if (!st->best.shape.app)
		return;
	int n = avail_parts(cx, &st->best.shape, &st->demand, parts);
	if (n > 0 && avail_breakdown(parts, (size_t)n, &st->downtime, &why) != 0)
		memset(&st->downtime, 0, sizeof(st->downtime));
}

size_t planner_milestones(const struct workload *w, unsigned months, double *out, size_t cap)
{
	size_t n = 0;
	if (w->n_milestones > 0) {
		for (size_t i = 0; i < w->n_milestones && n < cap; i++)
			out[n++] = w->milestones[i];
		return n;
	}
	if (w->growth_monthly <= 0) {
		if (cap > 0)
			out[n++] = w->users;
		return n;
	}
	for (unsigned m = 0; m <= months && n < cap; m++) {
		double u = round(w->users * pow(1 + w->growth_monthly, m));
		if (u > WORKLOAD_MAX_USERS)
			break; /* 1000 %/month for 240 months is 1e250 users: stop where plans end */
		out[n++] = u;
	}
	return n;
}

int planner_run(const struct planner_input *in, const double *users, size_t n, struct plan_step *out)
{
	struct ctx cx;
	ctx_init(&cx, in);
	struct tier (*memo)[PLANNER_CLUSTER_MAX_NODES + 1] = xcalloc(2, sizeof(*memo));
	struct plan_candidate *rejected = NULL;
	size_t cap_rejected = 0;
	double mem = 0;
	for (size_t i = 0; i < in->n_components; i++)
		if (in->components[i].kind == COMP_APP && comp_mem(&in->components[i]) > mem)
			mem = comp_mem(&in->components[i]);
	int rc = 0;
	for (size_t i = 0; i < n; i++) {
		struct plan_step *st = &out[i];
		memset(st, 0, sizeof(*st));
		st->users = users[i];
		rc = demand_at(in->workload, users[i], &st->demand);
		if (rc)
			break;
		plan_one(&cx, users[i], st, memo, &rejected, &cap_rejected);
		step_downtime(&cx, st);
		/* A function instance holds the process and one request's memory. */
		double per_req = st->demand.app_inflight > 0 ? st->demand.app_mem_b / st->demand.app_inflight : 0;
		cost_serverless_best(in->catalog, &st->demand, mem + per_req, &st->serverless);
		cost_unit_economics(in->economics, users[i], st->best.cost.total, &st->econ);
	}
	free(rejected);
	free(memo);
	ctx_free(&cx);
	return rc;
}

/* --- checks ------------------------------------------------------------ */

/* Report one problem, at its place in the file when the caller can say where. */
static void check_error(struct diag *d, struct diag_loc (*locate)(const void *, const char *), const void *ctx,
			const char *path, const char *fmt, ...) HR_PRINTF(5, 6);
static void check_error(struct diag *d, struct diag_loc (*locate)(const void *, const char *), const void *ctx,
			const char *path, const char *fmt, ...)
{
	char msg[512];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (locate) {
		struct diag_loc loc = locate(ctx, path);
		if (loc.line > 0) {
			diag_at(d, DIAG_ERROR, &loc, "%s", msg);
			return;
		}
	}
	diag_error(d, "%s: %s", path, msg);
}

int planner_check(const struct planner_input *in, struct diag *d,
		  struct diag_loc (*locate)(const void *ctx, const char *path), const void *ctx)
{
	char path[96];
	const struct workload *w = in->workload;
	unsigned before = d->nerrors;
	struct ctx cx;
	ctx_init(&cx, in);
	const struct profile *p = &cx.prof;
	if (w->n_requests > PLANNER_MAX_CLASSES)
		check_error(d, locate, ctx, "workload.requests", "%zu request classes; at most %d are modelled",
			    w->n_requests, PLANNER_MAX_CLASSES);
	if (w->n_requests > 0 && !p->has_app)
		check_error(d, locate, ctx, "workload.requests[0]",
			    "request class '%s' needs a component of kind app to serve it; none is defined",
			    w->requests[0].name ? w->requests[0].name : "?");
	if (w->n_tasks > 0 && !p->has_worker)
		check_error(d, locate, ctx, "workload.tasks[0]",
			    "task class '%s' needs a component of kind worker to run it; none is defined",
			    w->tasks[0].name ? w->tasks[0].name : "?");
	bool uses_db = w->storage_per_user_b > 0 || w->storage_base_b > 0;
	for (size_t i = 0; i < w->n_requests; i++)
		uses_db |= w->requests[i].db_queries > 0;
	for (size_t i = 0; i < w->n_tasks; i++)
		uses_db |= w->tasks[i].db_queries > 0;
	if (uses_db && !p->has_pg)
		check_error(d, locate, ctx, "workload",
			    "database queries and storage need a component of kind postgres; none is defined");
	size_t n_pg = 0;
	for (size_t i = 0; i < in->n_components; i++)
		n_pg += in->components[i].kind == COMP_POSTGRES;
	if (n_pg > 1)
		check_error(d, locate, ctx, "components", "%zu postgres components; the model has one database", n_pg);
	struct demand dm;
	if (demand_at(w, w->users, &dm) == HR_E_RANGE)
		check_error(d, locate, ctx, "workload", "more than %d distinct external APIs", DEMAND_MAX_EXT);

	/* Providers and plans named in the deployment must be in the catalogue. */
	const struct catalog *cat = in->catalog;
	const struct deployment *dep = in->deployment;
	for (size_t i = 0; i < dep->n_providers; i++) {
		bool found = false;
		for (size_t j = 0; j < cat->n && !found; j++)
			found = cat->offers[j].provider && strcmp(cat->offers[j].provider, dep->providers[i]) == 0;
		if (!found) {
			snprintf(path, sizeof(path), "deployment.providers[%zu]", i);
			check_error(d, locate, ctx, path, "provider '%s' has no entry in the catalogue", dep->providers[i]);
		}
	}
	bool any_server = false;
	for (size_t j = 0; j < cat->n; j++)
		any_server |= shape_allowed_provider(&cx, &cat->offers[j]);
	if (!any_server && d->nerrors == before && dep->n_providers > 0)
		check_error(d, locate, ctx, "deployment.providers", "the catalogue has no server plan from the allowed providers");
	else if (!any_server && d->nerrors == before) /* no provider named: the catalogue itself is empty */
		diag_error(d, "the price catalogue has no server plan (is HEADROOM_DATA right?)");
	static const char *const roles[] = {"all", "app", "db", "worker", "node", "cache"};
	for (size_t i = 0; i < dep->n_current; i++) {
		const struct node_group *g = &dep->current[i];
		if (g->plan) {
			const struct offer *o = NULL;
			for (size_t j = 0; j < cat->n && !o; j++)
				if (cat->offers[j].name && strcmp(cat->offers[j].name, g->plan) == 0)
					o = &cat->offers[j];
			if (!o) {
				const char **names = xcalloc(cat->n ? cat->n : 1, sizeof(*names));
				for (size_t j = 0; j < cat->n; j++)
					names[j] = cat->offers[j].name;
				const char *s = str_suggest(g->plan, names, cat->n);
				snprintf(path, sizeof(path), "deployment.current.nodes[%zu].plan", i);
				check_error(d, locate, ctx, path, "'%s' is not in the catalogue%s%s%s", g->plan,
					    s ? "; did you mean '" : "", s ? s : "", s ? "'?" : "");
				free(names);
			}
		}
		if (g->role) {
			bool ok = false;
			for (size_t j = 0; j < sizeof(roles) / sizeof(roles[0]) && !ok; j++)
				ok = strcmp(g->role, roles[j]) == 0;
			for (size_t j = 0; j < in->n_components && !ok; j++)
				ok = in->components[j].name && strcmp(g->role, in->components[j].name) == 0;
			if (!ok) {
				snprintf(path, sizeof(path), "deployment.current.nodes[%zu].role", i);
				check_error(d, locate, ctx, path,
					    "'%s' is neither a role (all, app, db, worker, node, cache) nor a defined component",
					    g->role);
			}
		}
	}

	/* An objective no amount of hardware can meet. */
	const struct objectives *o = in->objectives;
	if (o->availability >= 1)
		check_error(d, locate, ctx, "objectives.availability",
			    "100%% cannot be met by any composition of parts that fail");
	if (o->p95_s > 0 && cx.calibrated && cx.any_covered) {
		/* Alone, a request takes the calibrated service time: its p95 under
		 * the measured cv (model/queue.h) is the floor. */
		double floor95 = queue_service_quantile(cx.cal.service_s, cx.cal.cv, P95);
		if (floor95 > o->p95_s + EPS)
			check_error(d, locate, ctx, "objectives.p95",
				    "%.4g s is below what a request takes alone by the calibration (p95 %.4g s of a %.4g s service time with cv %.3g)",
				    o->p95_s, floor95, cx.cal.service_s, cx.cal.cv);
	} else if (o->p95_s > 0) {
		for (size_t i = 0; i < w->n_requests && i < PLANNER_MAX_CLASSES; i++) {
			if (!cx.class_covered[i])
				continue;
			const struct request_class *r = &w->requests[i];
			double cpu = class_cpu(&cx, r);
			double delay = r->duration_s > r->cpu_s ? r->duration_s - r->cpu_s : 0;
			/* On an idle, infinitely wide server the response is the delay plus
			 * an exponential service time, whose 95th percentile is S ln 20. */
			double floor95 = delay + cpu * log(1.0 / (1.0 - P95));
			if (floor95 > o->p95_s + EPS)
				check_error(d, locate, ctx, "objectives.p95",
					    "%.4g s is below what request class '%s' takes on an idle server (p95 %.4g s = duration - cpu + cpu x ln 20)",
					    o->p95_s, r->name ? r->name : "?", floor95);
		}
	}
	ctx_free(&cx);
	return d->nerrors > before ? HR_E_INVALID : 0;
}
