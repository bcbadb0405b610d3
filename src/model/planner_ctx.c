/* planner_ctx.c - the context of one planner run: the components summed by
 * what they do, the utilisation limits with their defaults, the catalogue
 * grouped by provider, and the table that remembers queue solves (see
 * planner_int.h). */
#include "model/planner_int.h"

#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "model/queue.h"
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

void pl_ctx_init(struct ctx *cx, const struct planner_input *in)
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
	const struct deployment *dep = in->deployment;
	cx->read_share = w->db_read_share > 0 ? (w->db_read_share < 1 ? w->db_read_share : 1) : 0;
	cx->hit_ratio = w->cache_hit_ratio > 0 ? (w->cache_hit_ratio < 1 ? w->cache_hit_ratio : 1) : 0;
	cx->rc_avail = cx->prof.has_redis && cx->prof.has_pg && cx->hit_ratio > 0 && cx->read_share > 0;
	cx->pooler = cx->prof.has_pg ? dep->pooler : POOLER_NEVER;
	cx->pool_size = dep->pool_size ? dep->pool_size : PGBOUNCER_POOL_SIZE;
	cx->max_client = dep->max_client_conn ? dep->max_client_conn : PGBOUNCER_MAX_CLIENT;
	cx->max_replicas = dep->max_replicas < PLANNER_MAX_REPLICAS ? dep->max_replicas : PLANNER_MAX_REPLICAS;
	size_t n = in->catalog->n ? in->catalog->n : 1;
	cx->wrk_m = xcalloc(n, sizeof(*cx->wrk_m));
	cx->wrk_front = xcalloc(n, sizeof(*cx->wrk_front));
	cx->rep_done = xcalloc(n, sizeof(*cx->rep_done));
	cx->rlo_memo = xcalloc(n, sizeof(*cx->rlo_memo));
	cx->amemo = xcalloc(AMEMO_CAP, sizeof(*cx->amemo));
	/* Worker nodes and replicas are held to the CPU and memory limits; the
	 * pooler's client and pool limits to the connection limit's margin. */
	cx->lim[PRES_WORKER_CPU] = cx->lim[PRES_REPLICA_CPU] = cx->lim[PRES_CPU];
	cx->lim[PRES_WORKER_MEMORY] = cx->lim[PRES_MEMORY];
	cx->lim[PRES_POOLER_CLIENTS] = cx->lim[PRES_POOLER_POOL] = cx->lim[PRES_DB_CONNECTIONS];
	cx->calibrated = in->calibration && calib_resolve(in->calibration, &cx->cal) == 0;
}

void pl_ctx_free(struct ctx *cx)
{
	free(cx->prov);
	free(cx->prov_of);
	free(cx->by_prov);
	free(cx->qmemo);
	free(cx->wrk_m);
	free(cx->wrk_front);
	free(cx->rep_done);
	free(cx->rlo_memo);
	free(cx->amemo);
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
double pl_p95_solve(struct ctx *cx, double lambda, double s, double cv, unsigned c)
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

