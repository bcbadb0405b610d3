/* planner.c - evaluate deployment shapes and search for the cheapest (see planner.h).
 *
 * Placement of the components (docs/plan.md, "Stages"):
 *   single, single+ops  one node "all": every component (the database a
 *                       managed offer when deployment.database is managed)
 *   split               node "app" (app, worker, proxy, other, redis) + node "db"
 *                       (postgres) or a managed database
 *   ha                  2..5 "app" nodes behind a load balancer; postgres on a
 *                       primary + standby pair or managed; redis on the app nodes
 *                       (one instance, a single point of failure; or a primary
 *                       and a replica under Sentinel) or managed
 *   cluster             >= 3 Kubernetes "node"s, same database and cache choices,
 *                       plus the control plane
 * The data tier grows within a stage (docs/plan.md, "The data tier"): read
 * replicas of the database (split, ha, cluster), PgBouncer in front of each
 * database server, a Redis read cache taking reads off the database, and
 * worker nodes of their own (split, ha: seed 002's "VPS 2: Workers").
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
/* Redis Sentinel needs three Sentinels on hosts that fail independently
 * (redis.io, "High availability with Redis Sentinel"); its failover time is
 * reliability.cache_failover_s. */
#define SENTINEL_HOSTS 3u
#define P95 0.95
#define EPS 1e-9

static const char *const res_names[PRES_COUNT] = {
	"cpu", "memory", "disk", "connections", "task_slots", "worker_cpu", "worker_memory", "db_cpu",
	"db_memory", "db_disk", "db_connections", "replica_cpu", "pooler_clients", "pooler_pool",
	"cache_memory", "bandwidth", "external_rate", "p95", "availability",
};

#define BIT(r) (1u << (r))
/* Constraints no more app nodes can fix: each is the same, or grows, as the
 * node count grows (task slots only when the workers have nodes of their
 * own, see nondec_n()). */
#define NONDEC_N_MASK                                                                                        \
	(BIT(PRES_DB_CPU) | BIT(PRES_DB_MEMORY) | BIT(PRES_DB_DISK) | BIT(PRES_DB_CONNECTIONS) |              \
	 BIT(PRES_REPLICA_CPU) | BIT(PRES_POOLER_CLIENTS) | BIT(PRES_POOLER_POOL) | BIT(PRES_CACHE_MEMORY) | \
	 BIT(PRES_EXT_RATE) | BIT(PRES_WORKER_CPU) | BIT(PRES_WORKER_MEMORY))
/* Constraints more read replicas can fix; every other one is the same for
 * any count of replicas from one on. */
#define R_FIXABLE_MASK (BIT(PRES_REPLICA_CPU) | BIT(PRES_POOLER_POOL) | BIT(PRES_AVAILABILITY))

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

/* The data tier's parts of a stage's availability, remembered (amemo):
 * every field of the stage they read, and log(1 - U) of them together. */
struct amemo {
	bool used;
	unsigned char db, cache;
	bool monitored, kubernetes;
	unsigned reps, need;
	double db_bytes, db_sla, cache_sla, peak_share;
	double log_up;
};
#define AMEMO_CAP 4096u

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
	/* The data tier's inputs (model.h), defaults applied. */
	double read_share, hit_ratio;
	bool rc_avail;           /* a read cache is an option: Redis, a database, a hit ratio, reads */
	enum pooler_mode pooler;
	double pool_size, max_client;
	unsigned max_replicas;
	/* Per milestone: worker nodes each server offer needs to carry the tasks
	 * (0: none carries them), and whether it is on its provider's front. */
	unsigned *wrk_m;
	bool *wrk_front;
	unsigned *rlo_memo;      /* per offer, per milestone: replica_lo() + 1 as a database option; 0 = not yet */
	unsigned char *rep_done; /* per offer: a database option's representatives evaluated (bit 1: without
	                            replicas, bit 2: with them) */
	bool probe;              /* a search for another purpose (remedy, growth): no growth point, no remedies */
	bool searching;          /* inside search_all(): every shape is built well formed, shape_check() is skipped */
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
	struct amemo *amemo;     /* AMEMO_CAP entries */
	size_t amemo_n;
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

static void ctx_free(struct ctx *cx)
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

static double vcpu_of(const struct offer *o)
{
	return o->vcpu > 0 ? o->vcpu : 1;
}

/* CPU seconds a request takes on one vCPU: the declared cost, or the
 * calibration's CPU per request (model/calibrated.h: measured, or derived
 * from the knee). Only the CPU: the measured latency is mostly waiting, and
 * it is how long a request holds its slot (see tier_p95_calibrated), not CPU. */
static double class_cpu(const struct ctx *cx, const struct request_class *r)
{
	return cx->calibrated ? cx->cal.cpu_s : r->cpu_s;
}

/* The database's load split by where it lands. Reads go to the replicas when
 * there are any (the primary takes the writes); a read cache answers
 * hit_ratio of the reads first; each replica also replays every write
 * (headroom default: it replays all WAL), charged at the writes' own cost, an
 * upper bound. Busy cores = transactions in flight (Little, query time as
 * server time: demand.h). */
struct db_load {
	double primary;  /* busy cores on the primary */
	double replica;  /* client transactions in flight on each replica */
	double replay;   /* cores each replica spends replaying the writes */
};

static struct db_load db_load_of(const struct ctx *cx, const struct demand *d, unsigned replicas,
				 bool read_cache)
{
	double reads = d->db_read_cpu, writes = d->db_cpu - d->db_read_cpu;
	if (writes < 0)
		writes = 0;
	if (read_cache)
		reads *= 1 - cx->hit_ratio;
	struct db_load l = {.primary = writes + (replicas ? 0 : reads)};
	if (replicas) {
		l.replica = reads / replicas;
		l.replay = writes;
	}
	return l;
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

/* Where the app nodes' work comes from besides the requests. */
struct tier_with {
	bool db;           /* the database runs on the node (single stages) */
	double db_busy;    /* its busy cores there */
	bool cache;        /* Redis runs on the app nodes */
	bool workers;      /* the worker components run on the app nodes */
};

/* Everything about the app tier except the p95 (cheap arithmetic). */
static void tier_cheap(const struct ctx *cx, const struct offer *a, unsigned n, const struct tier_with *with,
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

static bool stage_multi(enum stage_kind s)
{
	return s == STAGE_HA || s == STAGE_CLUSTER;
}

/* Hosts that fail independently for Sentinel processes: the app nodes, the
 * self-run database nodes and the worker nodes. */
static unsigned sentinel_hosts(const struct plan_shape *s)
{
	return s->n_app + (s->db_node ? s->n_db + s->n_replicas : 0) + (s->wrk_node ? s->n_wrk : 0);
}

/* Options that cost nothing, and when a shape can have them. */
static bool pooler_possible(const struct ctx *cx, const struct plan_shape *s)
{
	return cx->prof.has_pg && cx->pooler != POOLER_NEVER && (!s->managed_db || s->managed_db->pooler);
}

static bool sentinel_possible(const struct ctx *cx, const struct plan_shape *s)
{
	return cx->prof.has_redis && !s->managed_cache && stage_multi(s->stage) && sentinel_hosts(s) >= SENTINEL_HOSTS;
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
	if (s->n_replicas && (!db_sep || s->n_replicas > PLANNER_MAX_REPLICAS))
		return HR_E_INVALID;
	if (s->pooler && !p->has_pg)
		return HR_E_INVALID;
	if (s->pooler && s->managed_db && !s->managed_db->pooler)
		return HR_E_INVALID;
	if (s->read_cache && !cx->rc_avail)
		return HR_E_INVALID;
	if (s->redis_ha && !sentinel_possible(cx, s))
		return HR_E_INVALID;
	if (s->wrk_node && (s->wrk_node->kind != OFFER_SERVER || s->n_wrk == 0 || s->n_wrk > PLANNER_MAX_WORKER_NODES ||
			    !p->has_worker || (s->stage != STAGE_SPLIT && s->stage != STAGE_HA)))
		return HR_E_INVALID;
	if (!s->wrk_node && s->n_wrk)
		return HR_E_INVALID;
	switch (s->stage) {
	case STAGE_SINGLE:
	case STAGE_SINGLE_OPS:
		/* The database is on the node, or managed where deployment.database says so. */
		if (s->n_app != 1 || s->db_node || s->n_replicas || s->managed_cache)
			return HR_E_INVALID;
		if (s->managed_db && cx->in->deployment->database != DB_MANAGED)
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
	    (s->managed_cache && !same_provider(cx, s->app, s->managed_cache)) ||
	    (s->wrk_node && !same_provider(cx, s->app, s->wrk_node)))
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
	if (stage_multi(stage)) {
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

/* A read replica of a managed offer: its stated replica price, else an
 * instance of the offer (AWS bills a read replica as a DB instance of its
 * class; DigitalOcean a read-only node as a node of the cluster's plan). */
static double managed_replica_price(const struct offer *m)
{
	return m->replica_price > 0 ? m->replica_price : m->price;
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
	if (s->n_replicas)
		k->replicas = s->n_replicas * (s->db_node ? s->db_node->price : managed_replica_price(s->managed_db));
	if (s->wrk_node)
		k->workers = s->wrk_node->price * s->n_wrk;
	if (stage_has_ops(s->stage)) {
		/* Back up the node holding the database (the primary of a pair); a
		 * managed database includes its backups, replicas are copies. */
		if (s->db_node)
			k->backups = cost_backup(x->backup, s->db_node->price);
		else if (!s->managed_db && (s->stage <= STAGE_SINGLE_OPS || !cx->prof.has_pg))
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

/* shape_cost(s, vol_gb = 0).total without filling a breakdown: the same
 * terms, summed in the same order as cost_sum(), so bit for bit the same
 * floor (the search asks for it hundreds of thousands of times). */
static double shape_floor(const struct ctx *cx, const struct plan_shape *s, const struct extras *x,
			  const struct demand *d)
{
	const struct offer *a = s->app;
	double servers = a->price * s->n_app + (s->db_node ? s->db_node->price * s->n_db : 0);
	double replicas = s->n_replicas ? s->n_replicas * (s->db_node ? s->db_node->price : managed_replica_price(s->managed_db))
					: 0;
	double workers = s->wrk_node ? s->wrk_node->price * s->n_wrk : 0;
	double backups = 0, monitoring = 0;
	if (stage_has_ops(s->stage)) {
		if (s->db_node)
			backups = cost_backup(x->backup, s->db_node->price);
		else if (!s->managed_db && (s->stage <= STAGE_SINGLE_OPS || !cx->prof.has_pg))
			backups = cost_backup(x->backup, a->price);
		monitoring = x->monitoring ? x->monitoring->price : 0;
	}
	double infra = servers + replicas + workers + backups + monitoring + (x->lb ? x->lb->price : 0) +
		       (s->managed_db ? s->managed_db->price : 0) + (s->managed_cache ? s->managed_cache->price : 0) +
		       (x->k8s ? x->k8s->price : 0) + cost_volume(x->volume, 0);
	return infra + cost_ops(cx->in->economics, s->stage) + d->ext_cost_month;
}

/* Disk of one database server: the whole database, topped up with a volume
 * where the provider sells one. Returns the GB bought. */
static double db_disk(const struct offer *q, const struct extras *x, const struct demand *d, struct plan_candidate *c)
{
	if (q->disk_b <= 0)
		return 0;
	c->has[PRES_DB_DISK] = true;
	double room = q->disk_b * c->limit[PRES_DB_DISK];
	if (d->db_size_b > room && x->volume) {
		double gb = ceil((d->db_size_b / c->limit[PRES_DB_DISK] - q->disk_b) / 1e9);
		c->util[PRES_DB_DISK] = d->db_size_b / (q->disk_b + gb * 1e9);
		return gb;
	}
	c->util[PRES_DB_DISK] = d->db_size_b / q->disk_b;
	return 0;
}

/* The app nodes needed to carry the peak: k of n, k = ceil(n x the tier's
 * load at capacity) (headroom default: N+1 sizing). The read replicas alike. */
static unsigned nodes_needed(unsigned n, double raw_load)
{
	if (n <= 1)
		return 1;
	double need = ceil(n * raw_load - 1e-9);
	return need < 1 ? 1 : (need > n ? n : (unsigned)need);
}

/* A shape as availability sees it: which nodes, where the database, its
 * replicas and the cache run, what watches them, and the SLAs its provider
 * publishes. Worker nodes of their own serve no request: not a part. */
static void shape_stage(const struct ctx *cx, const struct plan_shape *s, const struct extras *x, double raw_load,
			const struct demand *d, struct avail_stage *st)
{
	const struct profile *p = &cx->prof;
	bool single = s->stage <= STAGE_SINGLE_OPS;
	bool multi = stage_multi(s->stage);
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
	if (p->has_pg && s->n_replicas && (s->db_node || s->managed_db)) {
		/* The replicas carry the reads while k of them are up (k of n on
		 * their load at capacity, as the app tier). */
		struct db_load dl = db_load_of(cx, d, s->n_replicas, s->read_cache);
		double v = s->db_node ? vcpu_of(s->db_node) : s->managed_db->vcpu;
		double base = s->db_node ? p->pg_cpu_base : 0;
		st->db_replicas = s->n_replicas;
		st->db_replicas_needed = nodes_needed(s->n_replicas, v > 0 ? (dl.replica + dl.replay + base) / v : 0);
	}
	if (!p->has_redis) {
		st->cache = AVAIL_CACHE_NONE;
	} else if (s->managed_cache) {
		st->cache = s->managed_cache->ha ? AVAIL_CACHE_MANAGED_HA : AVAIL_CACHE_MANAGED;
		st->cache_sla = s->managed_cache->availability;
	} else if (multi && s->redis_ha) {
		st->cache = AVAIL_CACHE_SENTINEL; /* a primary and a replica on two app nodes */
	} else {
		st->cache = multi ? AVAIL_CACHE_ONE_NODE : AVAIL_CACHE_ON_NODE; /* one Redis on an app node */
	}
}

/* The composed availability of a shape (the app part remembered in its
 * tier: every database, replica and cache option leaves it the same); 0
 * when it cannot be composed. */
static uint64_t dbits(double x);

/* The data tier's share of a stage's availability (database, replicas,
 * cache): avail_stage_u() with the rest remembered as nothing, so its
 * answer is those parts alone; remembered by every field they read. */
static int data_tier_log_up(struct ctx *cx, const struct avail_stage *st, double *log_up)
{
	struct amemo key = {.used = true, .db = (unsigned char)st->db, .cache = (unsigned char)st->cache,
			    .monitored = st->monitored, .kubernetes = st->kubernetes, .reps = st->db_replicas,
			    .need = st->db_replicas_needed, .db_bytes = st->db_bytes, .db_sla = st->db_sla,
			    .cache_sla = st->cache_sla, .peak_share = st->peak_share};
	uint64_t h = dbits(key.db_bytes) * 0x9E3779B97F4A7C15ULL ^ dbits(key.db_sla) * 0xC2B2AE3D27D4EB4FULL ^
		     dbits(key.cache_sla) * 0x165667B19E3779F9ULL ^ dbits(key.peak_share) ^
		     ((uint64_t)key.db << 1 ^ (uint64_t)key.cache << 5 ^ (uint64_t)key.monitored << 9 ^
		      (uint64_t)key.kubernetes << 10 ^ (uint64_t)key.reps << 11 ^ (uint64_t)key.need << 27);
	h ^= h >> 31;
	size_t mask = AMEMO_CAP - 1, i = (size_t)h & mask;
	for (size_t probes = 0; probes < AMEMO_CAP; probes++, i = (i + 1) & mask) {
		struct amemo *e = &cx->amemo[i];
		if (!e->used)
			break;
		if (e->db == key.db && e->cache == key.cache && e->monitored == key.monitored &&
		    e->kubernetes == key.kubernetes && e->reps == key.reps && e->need == key.need &&
		    dbits(e->db_bytes) == dbits(key.db_bytes) && dbits(e->db_sla) == dbits(key.db_sla) &&
		    dbits(e->cache_sla) == dbits(key.cache_sla) && dbits(e->peak_share) == dbits(key.peak_share)) {
			*log_up = e->log_up;
			return 0;
		}
	}
	struct avail_memo nothing = {.done = true, .log_up = 0};
	double u;
	int rc = avail_stage_u(&cx->rel, st, &nothing, &u);
	if (rc)
		return rc;
	*log_up = key.log_up = log1p(-u);
	/* Keep the table at most half full; past that start afresh (a bound on
	 * memory, not on the search). */
	if (2 * (cx->amemo_n + 1) > AMEMO_CAP) {
		memset(cx->amemo, 0, AMEMO_CAP * sizeof(*cx->amemo));
		cx->amemo_n = 0;
		i = (size_t)h & mask;
	}
	while (cx->amemo[i].used)
		i = (i + 1) & mask;
	cx->amemo[i] = key;
	cx->amemo_n++;
	return 0;
}

static double shape_availability(struct ctx *cx, const struct plan_shape *s, const struct extras *x,
				 struct tier *t, const struct demand *d)
{
	struct avail_stage st;
	double u;
	shape_stage(cx, s, x, t->raw_load, d, &st);
	/* The app tier's parts once per tier (their own memo), the data tier's
	 * once per combination: U = 1 - exp(log_up(app tier) + log_up(data tier)),
	 * the same sum avail_stage_u() forms, grouped. */
	if (!t->avail.done && avail_stage_u(&cx->rel, &st, &t->avail, &u) != 0)
		return 0;
	double data;
	if (data_tier_log_up(cx, &st, &data) != 0)
		return 0;
	return 1 + expm1(t->avail.log_up + data);
}

/* Combine an evaluated app tier with the rest of the shape. */
static int eval_full(struct ctx *cx, const struct plan_shape *s, struct tier *t,
		     const struct demand *d, struct plan_candidate *c)
{
	const struct profile *p = &cx->prof;
	/* The search builds its shapes from the provider's own offers, with the
	 * options options_open() allows: checked once by construction, not for
	 * each of its evaluations (planner_evaluate() and the growth scans check). */
	int rc = cx->searching ? 0 : shape_check(cx, s);
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

	/* Worker nodes of their own: the tasks' CPU, memory and slots, spread. */
	double clients = n * t->replicas * p->app_pool;
	if (s->wrk_node) {
		const struct offer *wn = s->wrk_node;
		double wv = vcpu_of(wn), m = s->n_wrk;
		unsigned rw = replicas_for(wv, p->wrk_workers);
		c->wrk_replicas = rw;
		c->has[PRES_WORKER_CPU] = c->has[PRES_WORKER_MEMORY] = true;
		c->util[PRES_WORKER_CPU] = (d->task_cpu / m + rw * p->wrk_cpu_base) / wv;
		c->util[PRES_WORKER_MEMORY] =
			wn->memory_b > 0 ? (rw * p->wrk_mem + d->task_mem_b / m) / wn->memory_b : INFINITY;
		if (d->task_rate > 0) {
			c->has[PRES_TASK_SLOTS] = true;
			c->util[PRES_TASK_SLOTS] = d->task_inflight / m / (rw * p->wrk_slots);
		}
		clients += m * rw * p->wrk_pool;
	} else {
		clients += n * replicas_for(vcpu_of(a), p->wrk_workers) * p->wrk_pool;
	}
	c->db_clients = p->has_pg ? clients : 0;

	/* The database: the primary (and its standby), its read replicas, the
	 * pooler in front of each server. */
	unsigned max_conn = p->pg_max_conn;
	unsigned nr = s->n_replicas;
	struct db_load dl = db_load_of(cx, d, nr, s->read_cache);
	if (s->db_node) {
		const struct offer *q = s->db_node;
		double qv = vcpu_of(q);
		c->has[PRES_DB_CPU] = c->has[PRES_DB_MEMORY] = true;
		c->util[PRES_DB_CPU] = (dl.primary + p->pg_cpu_base) / qv;
		c->util[PRES_DB_MEMORY] = q->memory_b > 0 ? p->pg_mem / q->memory_b : INFINITY;
		vol_gb += db_disk(q, &x, d, c) * (s->n_db + nr);
		if (nr) {
			c->has[PRES_REPLICA_CPU] = true;
			c->util[PRES_REPLICA_CPU] = (dl.replica + dl.replay + p->pg_cpu_base) / qv;
		}
	} else if (s->managed_db) {
		const struct offer *m = s->managed_db;
		if (m->vcpu > 0) {
			c->has[PRES_DB_CPU] = true;
			c->util[PRES_DB_CPU] = dl.primary / m->vcpu;
			if (nr) {
				c->has[PRES_REPLICA_CPU] = true;
				c->util[PRES_REPLICA_CPU] = (dl.replica + dl.replay) / m->vcpu;
			}
		}
		if (m->disk_b > 0) {
			c->has[PRES_DB_DISK] = true;
			c->util[PRES_DB_DISK] = d->db_size_b / m->disk_b;
		}
		if (m->max_connections > 0)
			max_conn = m->max_connections;
	}
	if (p->has_pg && s->pooler) {
		/* PgBouncer, transaction pooling (pgbouncer.org/config.html): the
		 * clients' pools end at the pooler, which holds pool_size server
		 * connections to each database server; a transaction holds one of
		 * them while it runs (Little: transactions in flight = busy time). */
		c->has[PRES_DB_CONNECTIONS] = c->has[PRES_POOLER_POOL] = true;
		c->util[PRES_DB_CONNECTIONS] = cx->pool_size / max_conn;
		c->util[PRES_POOLER_POOL] = (dl.primary > dl.replica ? dl.primary : dl.replica) / cx->pool_size;
		if (clients > 0) {
			c->has[PRES_POOLER_CLIENTS] = true;
			c->util[PRES_POOLER_CLIENTS] = clients / cx->max_client;
		}
	} else if (p->has_pg && clients > 0) {
		/* Every process holds its pool to the primary (and, with replicas,
		 * another to one of them: the primary is the busiest). */
		c->has[PRES_DB_CONNECTIONS] = true;
		c->util[PRES_DB_CONNECTIONS] = clients / max_conn;
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
	 * and DigitalOcean pool it); not checked when a plan states none. Worker
	 * nodes and replicas serve no users: their transfer is not counted. */
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
	c->app_needed = nodes_needed(s->n_app, t->raw_load);
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
		if (r == PRES_P95 && !t->p95_done)
			continue;
		double ratio = ratio_of(cx, c, r);
		if (!(ratio > 1 + EPS))
			continue;
		c->over |= BIT(r);
		if (c->feasible || ratio > worst) {
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
		c->over |= BIT(PRES_P95);
	}
	return 0;
}

static void tier_solve(struct ctx *cx, const struct offer *a, unsigned n, const struct tier_with *with,
		       const struct demand *d, struct tier *t)
{
	tier_cheap(cx, a, n, with, d, t);
	if (t->cheap_ok)
		tier_p95(cx, a, n, d, t);
}

/* What a shape puts on its app nodes. */
static struct tier_with tier_with_of(const struct ctx *cx, const struct plan_shape *s, const struct demand *d)
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

/* The free options a candidate's failures ask for (bit per option). */
enum { OPT_POOLER = 1, OPT_CACHE = 2, OPT_SENTINEL = 4 };

/* The constraints each free option can fix. */
static unsigned fixes_of(unsigned opts, const struct plan_shape *s)
{
	unsigned m = 0;
	if (opts & OPT_POOLER)
		m |= BIT(PRES_DB_CONNECTIONS);
	if (opts & OPT_CACHE) {
		m |= BIT(PRES_DB_CPU) | BIT(PRES_REPLICA_CPU) | BIT(PRES_POOLER_POOL);
		if (s->n_replicas)
			m |= BIT(PRES_AVAILABILITY); /* lighter replicas: fewer must stay up */
		if (s->stage <= STAGE_SINGLE_OPS && !s->managed_db)
			m |= BIT(PRES_CPU) | BIT(PRES_P95); /* the database shares the node */
	}
	if (opts & OPT_SENTINEL)
		m |= BIT(PRES_AVAILABILITY);
	return m;
}

/* The free options still open to a shape. */
static unsigned options_open(const struct ctx *cx, const struct plan_shape *s)
{
	unsigned o = 0;
	if (!s->pooler && cx->pooler == POOLER_ANY && pooler_possible(cx, s))
		o |= OPT_POOLER;
	if (!s->read_cache && cx->rc_avail)
		o |= OPT_CACHE;
	if (!s->redis_ha && sentinel_possible(cx, s))
		o |= OPT_SENTINEL;
	return o;
}

/* Evaluate a priced shape, turning on the options that cost nothing (a
 * pooler, a read cache, Sentinel) where its failures ask for them and only
 * then: the simplest deployment that works is the one reported. A shape is
 * tried again only when every constraint it fails is one an open option can
 * fix; each option only helps the constraints it fixes (the pooler trades
 * the database's connection limit for its own, and is turned on only when
 * that limit fails without it), so the loop finds a feasible variant when
 * there is one. tiers[0] is the app tier without a read cache, tiers[1]
 * with one (they differ only where the database shares the app node).
 * *open_fix receives the constraints options left untried could still fix. */
static int eval_options(struct ctx *cx, struct plan_shape s, struct tier *tiers[2], const struct demand *d,
			struct plan_candidate *c, unsigned *open_fix)
{
	if (cx->pooler == POOLER_ALWAYS && cx->prof.has_pg)
		s.pooler = true;
	int rc = eval_full(cx, &s, tiers[s.read_cache], d, c);
	for (int round = 0; rc == 0 && !c->feasible && round < 3; round++) {
		unsigned open = options_open(cx, &s);
		if (!open || (c->over & ~fixes_of(open, &s)))
			break; /* something no option fixes fails anyway */
		bool changed = false;
		if ((open & OPT_POOLER) && (c->over & fixes_of(OPT_POOLER, &s)))
			s.pooler = changed = true;
		if ((open & OPT_CACHE) && (c->over & fixes_of(OPT_CACHE, &s)))
			s.read_cache = changed = true;
		if ((open & OPT_SENTINEL) && (c->over & fixes_of(OPT_SENTINEL, &s)))
			s.redis_ha = changed = true;
		if (!changed)
			break;
		struct plan_candidate next;
		rc = eval_full(cx, &s, tiers[s.read_cache], d, &next);
		if (rc == 0)
			*c = next;
	}
	if (open_fix)
		*open_fix = c->feasible ? 0 : fixes_of(options_open(cx, &c->shape), &c->shape);
	return rc;
}

/* planner_evaluate() in a context: every figure, the queue always solved. */
static int evaluate(struct ctx *cx, const struct plan_shape *shape, const struct demand *d,
		    struct plan_candidate *out)
{
	int rc = shape_check(cx, shape);
	if (rc)
		return rc;
	struct tier_with with = tier_with_of(cx, shape, d);
	struct tier t;
	tier_cheap(cx, shape->app, shape->n_app, &with, d, &t);
	tier_p95(cx, shape->app, shape->n_app, d, &t);
	return eval_full(cx, shape, &t, d, out);
}

/* evaluate() with the free options decided as the search decides them. */
static int evaluate_options(struct ctx *cx, const struct plan_shape *shape, const struct demand *d,
			    struct plan_candidate *out)
{
	struct plan_shape s = *shape;
	s.pooler = s.read_cache = s.redis_ha = false;
	int rc = shape_check(cx, &s);
	if (rc)
		return rc;
	struct tier t[2];
	struct tier *tp[2] = {&t[0], &t[0]};
	struct tier_with with = tier_with_of(cx, &s, d);
	tier_cheap(cx, s.app, s.n_app, &with, d, &t[0]);
	tier_p95(cx, s.app, s.n_app, d, &t[0]);
	if (cx->rc_avail && with.db) {
		s.read_cache = true;
		with = tier_with_of(cx, &s, d);
		s.read_cache = false;
		tier_cheap(cx, s.app, s.n_app, &with, d, &t[1]);
		tier_p95(cx, s.app, s.n_app, d, &t[1]);
		tp[1] = &t[1];
	}
	return eval_options(cx, s, tp, d, out, NULL);
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

static int avail_parts(struct ctx *cx, const struct plan_shape *shape, const struct demand *d,
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

static int avail_parts(struct ctx *cx, const struct plan_shape *shape, const struct demand *d,
		       struct avail_part *parts)
{
	int rc = shape_check(cx, shape);
	if (rc)
		return rc;
	struct extras x;
	rc = extras_for(cx, shape->stage, shape->app, &x);
	if (rc)
		return rc;
	struct tier_with with = tier_with_of(cx, shape, d);
	struct tier t;
	tier_cheap(cx, shape->app, shape->n_app, &with, d, &t);
	struct avail_stage st;
	shape_stage(cx, shape, &x, t.raw_load, d, &st);
	size_t n;
	rc = avail_stage_parts(&cx->rel, &st, parts, &n);
	return rc ? rc : (int)n;
}

unsigned planner_node_count(const struct plan_candidate *c)
{
	const struct plan_shape *s = &c->shape;
	return s->n_app + (s->db_node ? s->n_db + s->n_replicas : 0) + (s->wrk_node ? s->n_wrk : 0);
}

bool planner_shape_equal(const struct plan_shape *a, const struct plan_shape *b)
{
	return a->stage == b->stage && a->app == b->app && a->n_app == b->n_app && a->db_node == b->db_node &&
	       (!a->db_node || a->n_db == b->n_db) && a->managed_db == b->managed_db &&
	       a->n_replicas == b->n_replicas && a->pooler == b->pooler && a->read_cache == b->read_cache &&
	       a->managed_cache == b->managed_cache && a->redis_ha == b->redis_ha && a->wrk_node == b->wrk_node &&
	       (!a->wrk_node || a->n_wrk == b->n_wrk);
}

double planner_month_of(const struct workload *w, double users)
{
	if (!(w->growth_monthly > 0) || !(w->users > 0) || !(users > 0))
		return NAN;
	return log(users / w->users) / log1p(w->growth_monthly);
}

/* --- search ------------------------------------------------------------ */

struct search {
	struct ctx *cx;
	const struct demand *d;
	bool have_best;               /* some stage has a feasible shape */
	bool have_stage[STAGE_COUNT];
	struct plan_candidate stage_best[STAGE_COUNT];
	bool have_closest;            /* infeasible shape with the smallest worst ratio */
	struct plan_candidate closest;
	double closest_ratio;
	double min_ratio[PRES_COUNT]; /* per constraint: the lowest utilisation / limit of any shape evaluated */
	bool seen[PRES_COUNT];        /* the constraint applied to some shape */
	struct plan_candidate *rejected; /* infeasible shapes, cheapest first not required */
	size_t n_rejected, cap_rejected;
	/* Band mode: collect every feasible shape whose cost is at most band_hi
	 * (the competitors of a choice whose own cost grows with users). */
	bool band;
	double band_hi;
	struct plan_candidate *found;
	size_t n_found, cap_found;
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

static void push(struct plan_candidate **v, size_t *n, size_t *cap, const struct plan_candidate *c)
{
	if (*n == *cap) {
		*cap = *cap ? *cap * 2 : 64;
		*v = xreallocarray(*v, *cap, sizeof(**v));
	}
	(*v)[(*n)++] = *c;
}

/* Keep what the search needs of one evaluated candidate. */
static void consider(struct search *sr, const struct plan_candidate *c)
{
	if (sr->band) {
		if (c->feasible && c->cost.total <= sr->band_hi + EPS)
			push(&sr->found, &sr->n_found, &sr->cap_found, c);
		return;
	}
	/* What each constraint comes to at best, over every shape: one that no
	 * shape meets is what blocks an infeasible milestone (only asked when
	 * nothing is feasible, so not tracked once something is). */
	for (int r = 0; r < PRES_COUNT && !sr->have_best; r++) {
		if (!c->has[r] || (r == PRES_P95 && isnan(c->p95_s)))
			continue;
		double x = ratio_of(sr->cx, c, r);
		if (!sr->seen[r] || x < sr->min_ratio[r])
			sr->min_ratio[r] = x;
		sr->seen[r] = true;
	}
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
	push(&sr->rejected, &sr->n_rejected, &sr->cap_rejected, c);
}

static double stage_bound(const struct search *sr, enum stage_kind s)
{
	if (sr->band)
		return sr->band_hi;
	return sr->have_stage[s] ? sr->stage_best[s].cost.total : INFINITY;
}

/* Can the shape be ruled out on cost alone? True when even its floor (no
 * volumes) is dearer than the stage's best so far: evaluating it could
 * neither become the stage's best nor be kept as a cheaper rejected option
 * (the search keeps only those below every stage's best), and with a
 * feasible shape in hand the closest infeasible one is never reported.
 * s may leave out the database, its replicas and the managed cache: with
 * prices >= 0 each part only adds to the floor, so a partial shape that is
 * ruled out rules out all its completions, and so does a larger count of
 * app nodes, replicas or worker nodes. */
static bool cost_rules_out(const struct search *sr, const struct plan_shape *s, const struct extras *x)
{
	if (!sr->cx->prices_nonneg)
		return false;
	return shape_floor(sr->cx, s, x, sr->d) > stage_bound(sr, s->stage) + EPS;
}

/* The offers of the app plan's provider, in catalogue order (parts of one
 * shape come from one provider). */
static const size_t *provider_offers(const struct ctx *cx, const struct offer *a, size_t *n)
{
	const struct provider *pv = provider_of(cx, a);
	*n = pv ? pv->n : 0;
	return pv ? cx->by_prov + pv->first : NULL;
}

static void search_single(struct search *sr, enum stage_kind stage, const struct offer *a)
{
	struct ctx *cx = sr->cx;
	const struct catalog *cat = cx->in->catalog;
	struct extras x;
	if (extras_for(cx, stage, a, &x) != 0)
		return;
	/* deployment.database: managed holds here too: the node and a managed offer. */
	bool managed = cx->prof.has_pg && cx->in->deployment->database == DB_MANAGED;
	size_t n_own = 0;
	const size_t *own = managed ? provider_offers(cx, a, &n_own) : NULL;
	struct tier t[2];
	struct tier *tp[2] = {&t[0], &t[0]};
	bool solved = false;
	for (size_t j = 0; j < (managed ? n_own : 1); j++) {
		struct plan_shape s = {.stage = stage, .app = a, .n_app = 1};
		if (managed) {
			const struct offer *o = &cat->offers[own[j]];
			if (o->kind != OFFER_MANAGED_DB || (cx->pooler == POOLER_ALWAYS && !o->pooler))
				continue;
			s.managed_db = o;
		}
		if (cost_rules_out(sr, &s, &x))
			continue;
		if (!solved) {
			struct tier_with with = tier_with_of(cx, &s, sr->d);
			tier_solve(cx, a, 1, &with, sr->d, &t[0]);
			if (cx->rc_avail && with.db) {
				/* The database shares the node: a read cache lightens it. */
				s.read_cache = true;
				with = tier_with_of(cx, &s, sr->d);
				s.read_cache = false;
				tier_solve(cx, a, 1, &with, sr->d, &t[1]);
				tp[1] = &t[1];
			}
			solved = true;
		}
		struct plan_candidate c;
		if (eval_options(cx, s, tp, sr->d, &c, NULL) == 0)
			consider(sr, &c);
	}
}

/* A database option of the app plan's provider: a self-run node (one on
 * split, a primary + standby on ha and cluster) or a managed offer, as
 * deployment.database and deployment.pooler allow. */
static bool db_option(const struct ctx *cx, const struct offer *o, struct plan_shape *s)
{
	enum db_mode mode = cx->in->deployment->database;
	s->db_node = s->managed_db = NULL;
	s->n_db = 0;
	if (o->kind == OFFER_SERVER && mode != DB_MANAGED) {
		s->db_node = o;
		s->n_db = s->stage == STAGE_SPLIT ? 1 : 2;
		return true;
	}
	if (o->kind == OFFER_MANAGED_DB && mode != DB_SELF && !(cx->pooler == POOLER_ALWAYS && !o->pooler)) {
		s->managed_db = o;
		return true;
	}
	return false;
}

/* The fewest read replicas worth trying for the shape's database, 0 when no
 * count is: when the primary alone carries the queries (with a read cache,
 * if one may be added), replicas only add cost and a part that can fail;
 * otherwise every count below the one whose CPU carries the reads plus the
 * replay of the writes fails on replica_cpu (or the pooler's pool, when a
 * pooler is always used). The count is exact: the constraint it solves is
 * the one eval_full() checks, with the same margin. */
static unsigned replica_lo_solve(const struct ctx *cx, const struct plan_shape *s, const struct demand *d)
{
	if (!cx->max_replicas || (!s->db_node && !s->managed_db) || !(d->db_read_cpu > 0))
		return 0;
	double v = s->db_node ? vcpu_of(s->db_node) : s->managed_db->vcpu;
	if (!(v > 0))
		return 0; /* a managed offer that states no vCPU: its CPU is not checked */
	double base = s->db_node ? cx->prof.pg_cpu_base : 0;
	double lim = cx->lim[PRES_DB_CPU] * (1 + EPS), pool = cx->lim[PRES_POOLER_POOL] * (1 + EPS) * cx->pool_size;
	struct db_load l0 = db_load_of(cx, d, 0, cx->rc_avail);
	if (l0.primary + base <= lim * v && l0.primary <= pool)
		return 0;
	struct db_load l1 = db_load_of(cx, d, 1, cx->rc_avail); /* one replica: every read */
	double room = lim * v - l1.replay - base;
	if (!(room > 0) || !(l1.replica > 0))
		return 0;
	double r = ceil(l1.replica / room * (1 - 1e-12));
	if (cx->pooler == POOLER_ALWAYS) {
		double rp = ceil(l1.replica / pool * (1 - 1e-12));
		r = rp > r ? rp : r;
	}
	if (r < 1)
		r = 1;
	return r > cx->max_replicas ? 0 : (unsigned)r;
}

/* replica_lo_solve(), remembered per database offer for the milestone: it
 * depends on the offer and the demand only. */
static unsigned replica_lo(struct ctx *cx, const struct plan_shape *s, const struct demand *d)
{
	const struct offer *o = s->db_node ? s->db_node : s->managed_db;
	size_t i = o ? offer_index(cx->in->catalog, o) : cx->in->catalog->n;
	if (i >= cx->in->catalog->n)
		return replica_lo_solve(cx, s, d);
	if (!cx->rlo_memo[i])
		cx->rlo_memo[i] = replica_lo_solve(cx, s, d) + 1;
	return cx->rlo_memo[i] - 1;
}

/* Does the shape's data tier fail on its own, whatever the app nodes, the
 * cache and the workers (and with a read cache and a pooler if they may be
 * added)? Then one shape of it is evaluated per app plan, to be reported. */
static bool db_dead(const struct ctx *cx, const struct plan_shape *s, const struct demand *d)
{
	const struct profile *p = &cx->prof;
	struct db_load l = db_load_of(cx, d, s->n_replicas, cx->rc_avail);
	double lim_cpu = cx->lim[PRES_DB_CPU] * (1 + EPS), lim_disk = cx->lim[PRES_DB_DISK] * (1 + EPS);
	if (s->db_node) {
		const struct offer *q = s->db_node;
		double v = vcpu_of(q);
		if (q->memory_b <= 0 || p->pg_mem / q->memory_b > cx->lim[PRES_DB_MEMORY] * (1 + EPS))
			return true;
		if ((l.primary + p->pg_cpu_base) / v > lim_cpu)
			return true;
		if (s->n_replicas && (l.replica + l.replay + p->pg_cpu_base) / v > lim_cpu)
			return true;
		const struct provider *pv = provider_of(cx, q);
		if (q->disk_b > 0 && !(pv && pv->volume) && d->db_size_b / q->disk_b > lim_disk)
			return true;
	} else if (s->managed_db) {
		const struct offer *m = s->managed_db;
		if (m->vcpu > 0 && (l.primary / m->vcpu > lim_cpu ||
				    (s->n_replicas && (l.replica + l.replay) / m->vcpu > lim_cpu)))
			return true;
		if (m->disk_b > 0 && d->db_size_b / m->disk_b > lim_disk)
			return true;
	}
	return false;
}

/* Constraints more app nodes cannot fix, for this shape. */
static unsigned nondec_n(const struct plan_shape *s)
{
	return NONDEC_N_MASK | (s->wrk_node ? BIT(PRES_TASK_SLOTS) : 0);
}

/* The first node count to evaluate for an app plan: one below the smallest
 * whose app tier meets its own targets. Every per-node load is a constant
 * plus a share that falls as 1/n, so the cheap constraints hold from some n
 * on: if they fail at hi they fail everywhere, else bisect for the first n;
 * the p95 also only falls with n, so scan up from there. When no count
 * carries the app tier, hi: the largest is evaluated once so the milestone
 * can say why. */
static unsigned multi_start(struct search *sr, const struct offer *a, const struct tier_with *with, struct tier *memo,
			    unsigned lo, unsigned hi)
{
	struct ctx *cx = sr->cx;
	unsigned n0 = 0;
	tier_cheap(cx, a, hi, with, sr->d, &memo[hi]);
	if (memo[hi].cheap_ok) {
		unsigned l = lo, h = hi;
		while (l < h) {
			unsigned mid = l + (h - l) / 2;
			if (!memo[mid].done)
				tier_cheap(cx, a, mid, with, sr->d, &memo[mid]);
			if (memo[mid].cheap_ok)
				h = mid;
			else
				l = mid + 1;
		}
		for (unsigned n = l; n <= hi; n++) {
			if (!memo[n].done)
				tier_cheap(cx, a, n, with, sr->d, &memo[n]);
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

/* One evaluation of a multi-node shape at n nodes, the tier from memo. */
static int multi_eval(struct search *sr, struct plan_shape *s, const struct tier_with *with, struct tier *mt,
		      unsigned n, struct plan_candidate *c, unsigned *open_fix)
{
	struct ctx *cx = sr->cx;
	s->n_app = n;
	if (!mt[n].done)
		tier_cheap(cx, s->app, n, with, sr->d, &mt[n]);
	if (mt[n].cheap_ok && !mt[n].p95_done)
		tier_p95(cx, s->app, n, sr->d, &mt[n]);
	struct tier *tp[2] = {&mt[n], &mt[n]};
	return eval_options(cx, *s, tp, sr->d, c, open_fix);
}

/* Scan the app node count of one shape upward from start: stop at the first
 * feasible count (more nodes only cost more), at a cost above the stage's
 * best, or at a failure more nodes cannot fix. Returns whether a larger
 * count of read replicas could still help: some count failed only on what
 * replicas fix (their CPU, the pooler's pool, availability), so the same
 * count with one more replica might pass; every other constraint is the
 * same for any count of replicas from one on (docs/plan.md, "Search"). */
static bool multi_scan(struct search *sr, struct plan_shape *s, const struct extras *x, const struct tier_with *with,
		       struct tier *mt, unsigned start, unsigned hi)
{
	bool r_more = false;
	for (unsigned n = start; n <= hi; n++) {
		s->n_app = n;
		/* The floor only grows with n: past the bound, so is every larger
		 * count (the caller checked the first). */
		if (n > start && cost_rules_out(sr, s, x))
			break;
		struct plan_candidate c;
		unsigned open_fix;
		if (multi_eval(sr, s, with, mt, n, &c, &open_fix) != 0)
			break;
		bool over_bound = c.cost.total > stage_bound(sr, s->stage) + EPS;
		consider(sr, &c);
		unsigned hard = c.over & ~open_fix; /* failures no option left untried could fix */
		if (!c.feasible && !(hard & ~R_FIXABLE_MASK))
			r_more = true;
		if ((c.feasible && !sr->band) || over_bound)
			break;
		unsigned nd = hard & nondec_n(s);
		if (nd) {
			if (!(nd & ~R_FIXABLE_MASK))
				r_more = true;
			break;
		}
	}
	return r_more;
}

/* The replica counts a database option tries: 0, then r_lo and up. */
static unsigned next_replicas(const struct ctx *cx, unsigned *r, unsigned r_lo)
{
	*r = *r ? *r + 1 : r_lo;
	return *r > 0 && *r <= cx->max_replicas;
}

static bool shape_allowed_provider(const struct ctx *cx, const struct offer *o)
{
	return o->kind == OFFER_SERVER && !o->non_commercial && provider_allowed(cx->in->deployment, o->provider);
}

static bool worker_options(const struct ctx *cx, const struct demand *d)
{
	return cx->prof.has_worker && d->task_rate > 0;
}

/* Per milestone: the fewest worker nodes of each server plan that carry the
 * tasks under the CPU, memory and slot limits (per-node loads fall as 1/m,
 * so any more only cost more and open more database connections), and which
 * plans are on their provider's front: a plan is left out when another of
 * the same provider needs no more money and opens no more connections (the
 * only two ways a worker tier of its own touches the rest of a shape). */
static void workers_prepare(struct ctx *cx, const struct demand *d)
{
	const struct catalog *cat = cx->in->catalog;
	const struct profile *p = &cx->prof;
	size_t n = cat->n;
	memset(cx->wrk_m, 0, (n ? n : 1) * sizeof(*cx->wrk_m));
	memset(cx->wrk_front, 0, (n ? n : 1) * sizeof(*cx->wrk_front));
	if (!worker_options(cx, d))
		return;
	for (size_t i = 0; i < n; i++) {
		const struct offer *o = &cat->offers[i];
		if (!shape_allowed_provider(cx, o) || o->memory_b <= 0)
			continue;
		double v = vcpu_of(o);
		unsigned rw = replicas_for(v, p->wrk_workers);
		for (unsigned m = 1; m <= PLANNER_MAX_WORKER_NODES; m++) {
			double cpu = (d->task_cpu / m + rw * p->wrk_cpu_base) / v;
			double mem = (rw * p->wrk_mem + d->task_mem_b / m) / o->memory_b;
			double slots = d->task_inflight / m / (rw * p->wrk_slots);
			if (cpu <= cx->lim[PRES_WORKER_CPU] + EPS && mem <= cx->lim[PRES_WORKER_MEMORY] + EPS &&
			    slots <= cx->lim[PRES_TASK_SLOTS] + EPS) {
				cx->wrk_m[i] = m;
				break;
			}
		}
	}
	for (size_t i = 0; i < n; i++) {
		if (!cx->wrk_m[i])
			continue;
		const struct offer *o = &cat->offers[i];
		double cost = o->price * cx->wrk_m[i];
		double conns = cx->wrk_m[i] * replicas_for(vcpu_of(o), p->wrk_workers) * p->wrk_pool;
		bool dominated = false;
		for (size_t j = 0; j < n && !dominated; j++) {
			if (j == i || !cx->wrk_m[j] || cx->prov_of[j] != cx->prov_of[i])
				continue;
			const struct offer *q = &cat->offers[j];
			double cj = q->price * cx->wrk_m[j];
			double nj = cx->wrk_m[j] * replicas_for(vcpu_of(q), p->wrk_workers) * p->wrk_pool;
			dominated = cj <= cost + EPS && nj <= conns && (cj < cost - EPS || nj < conns || j < i);
		}
		cx->wrk_front[i] = !dominated;
	}
}

/* A worker option of the app plan's provider: wi 0 is the app nodes, wi k
 * the provider's k-th offer when it is on the front. */
static bool worker_option(const struct ctx *cx, const size_t *own, size_t wi, struct plan_shape *s)
{
	s->wrk_node = NULL;
	s->n_wrk = 0;
	if (wi == 0)
		return true;
	size_t oi = own[wi - 1];
	if (!cx->wrk_m[oi] || !cx->wrk_front[oi])
		return false;
	s->wrk_node = &cx->in->catalog->offers[oi];
	s->n_wrk = cx->wrk_m[oi];
	return true;
}

/* split: one app node, every database option with its replica counts, the
 * workers on the app node or on nodes of their own. */
static void search_split(struct search *sr, const struct offer *a)
{
	struct ctx *cx = sr->cx;
	const struct catalog *cat = cx->in->catalog;
	struct extras x;
	if (extras_for(cx, STAGE_SPLIT, a, &x) != 0)
		return;
	size_t n_own;
	const size_t *own = provider_offers(cx, a, &n_own);
	for (size_t j = 0; j < n_own; j++)
		cx->rep_done[own[j]] = 0;
	size_t n_wi = worker_options(cx, sr->d) ? n_own + 1 : 1;
	for (size_t wi = 0; wi < n_wi; wi++) {
		struct plan_shape base = {.stage = STAGE_SPLIT, .app = a, .n_app = 1};
		if (!worker_option(cx, own, wi, &base))
			continue;
		if (cost_rules_out(sr, &base, &x))
			continue;
		struct tier_with with = tier_with_of(cx, &base, sr->d);
		struct tier t = {.done = false};
		struct tier *tp[2] = {&t, &t};
		for (size_t j = 0; j < n_own; j++) {
			struct plan_shape s = base;
			if (!db_option(cx, &cat->offers[own[j]], &s))
				continue;
			unsigned r_lo = replica_lo(cx, &s, sr->d);
			for (unsigned r = 0, go = 1; go; go = next_replicas(cx, &r, r_lo)) {
				s.n_replicas = r;
				if (cost_rules_out(sr, &s, &x))
					break; /* the floor grows with r */
				bool dead = db_dead(cx, &s, sr->d);
				if (dead) {
					/* Fails whatever the rest: evaluated once without replicas and
					 * once with the fewest, to be reported and to show what blocks. */
					unsigned char bit = r ? 2 : 1;
					if (cx->rep_done[own[j]] & bit) {
						if (r > 0)
							break;
						continue;
					}
					cx->rep_done[own[j]] |= bit;
				}
				if (!t.done)
					tier_solve(cx, a, 1, &with, sr->d, &t);
				struct plan_candidate c;
				unsigned open_fix;
				if (eval_options(cx, s, tp, sr->d, &c, &open_fix) != 0)
					break;
				bool over_bound = c.cost.total > stage_bound(sr, STAGE_SPLIT) + EPS;
				consider(sr, &c);
				if (r == 0)
					continue; /* on to the fewest replicas that carry the reads */
				if (dead)
					break; /* what fails does not depend on the count of replicas */
				bool r_more = !c.feasible && !((c.over & ~open_fix) & ~R_FIXABLE_MASK);
				if ((c.feasible && !sr->band) || over_bound || (!c.feasible && !r_more))
					break;
			}
		}
	}
}

/* ha and cluster: for one app plan, every worker x cache x database x
 * replica option, the node count scanned upward from one below the smallest
 * that carries the app tier. memo holds a tier per count for each placement
 * of Redis ([1]: on the app nodes) and the workers ([1]: on the app nodes):
 * every managed cache, every worker option of their own and every database
 * leave the app nodes the same work, so those tiers and the starting count
 * are computed once. */
static void search_multi(struct search *sr, enum stage_kind stage, const struct offer *a,
			 struct tier (*memo)[2][PLANNER_CLUSTER_MAX_NODES + 1], unsigned lo, unsigned hi)
{
	struct ctx *cx = sr->cx;
	const struct catalog *cat = cx->in->catalog;
	const struct profile *p = &cx->prof;
	struct extras x;
	if (extras_for(cx, stage, a, &x) != 0)
		return;
	size_t n_own;
	const size_t *own = provider_offers(cx, a, &n_own);
	bool started[2][2] = {{false, false}, {false, false}};
	unsigned start_at[2][2] = {{hi, hi}, {hi, hi}};
	for (int ch = 0; ch < 2; ch++)
		for (int wh = 0; wh < 2; wh++)
			for (unsigned n = lo; n <= hi; n++)
				memo[ch][wh][n].done = false;
	for (size_t j = 0; j < n_own; j++)
		cx->rep_done[own[j]] = 0;
	/* The database options of the provider, once: each offer db_option()
	 * accepts (or none at all without PostgreSQL). */
	size_t *dbo = xcalloc(n_own + 1, sizeof(*dbo)), n_dbo = 0;
	if (!p->has_pg) {
		dbo[n_dbo++] = n_own;
	} else {
		for (size_t j = 0; j < n_own; j++) {
			struct plan_shape probe = {.stage = stage};
			if (db_option(cx, &cat->offers[own[j]], &probe))
				dbo[n_dbo++] = j;
		}
	}
	/* Workers of their own on ha only: a cluster schedules them as pods on its nodes. */
	size_t n_wi = stage == STAGE_HA && worker_options(cx, sr->d) ? n_own + 1 : 1;
	for (size_t wi = 0; wi < n_wi; wi++) {
		struct plan_shape wbase = {.stage = stage, .app = a, .n_app = lo};
		if (!worker_option(cx, own, wi, &wbase))
			continue;
		bool wrk_here = !wbase.wrk_node;
		/* Cache options: each managed offer, then Redis on the app nodes (NULL). */
		for (size_t ci = 0; ci <= n_own; ci++) {
			const struct offer *mc = NULL;
			if (ci < n_own) {
				mc = &cat->offers[own[ci]];
				if (!p->has_redis || mc->kind != OFFER_MANAGED_CACHE)
					continue;
			}
			bool cache_here = p->has_redis && !mc;
			struct tier *mt = memo[cache_here][wrk_here];
			struct plan_shape least = wbase;
			least.managed_cache = mc;
			if (cost_rules_out(sr, &least, &x))
				continue;
			struct tier_with with = tier_with_of(cx, &least, sr->d);
			if (!started[cache_here][wrk_here]) {
				start_at[cache_here][wrk_here] = multi_start(sr, a, &with, mt, lo, hi);
				started[cache_here][wrk_here] = true;
			}
			unsigned start = start_at[cache_here][wrk_here];
			/* Database options: a self-run primary + standby of each plan, or
			 * each managed offer; then their read replicas. */
			for (size_t jj = 0; jj < n_dbo; jj++) {
				size_t j = dbo[jj];
				struct plan_shape s = least;
				if (j < n_own && !db_option(cx, &cat->offers[own[j]], &s))
					continue;
				unsigned r_lo = p->has_pg ? replica_lo(cx, &s, sr->d) : 0;
				for (unsigned r = 0, go = 1; go; go = next_replicas(cx, &r, r_lo)) {
					s.n_replicas = r;
					s.n_app = start;
					if (cost_rules_out(sr, &s, &x))
						break; /* the floor grows with r and n */
					if (p->has_pg && db_dead(cx, &s, sr->d)) {
						/* Fails whatever the rest: one shape of it without
						 * replicas and one with the fewest, to be reported
						 * and to show what blocks. */
						unsigned char bit = r ? 2 : 1;
						if (j < n_own && !(cx->rep_done[own[j]] & bit)) {
							cx->rep_done[own[j]] |= bit;
							struct plan_candidate c;
							if (multi_eval(sr, &s, &with, mt, start, &c, NULL) == 0)
								consider(sr, &c);
						}
						if (r == 0)
							continue;
						break; /* what fails does not depend on the count of replicas */
					}
					bool r_more = multi_scan(sr, &s, &x, &with, mt, start, hi);
					if (r > 0 && !r_more)
						break;
				}
			}
		}
	}
	free(dbo);
}

/* --- growth point -------------------------------------------------------- */

static void set_months(const struct workload *w, struct plan_trigger *out)
{
	out->months = -1;
	if (w->growth_monthly > 0 && w->users > 0 && out->users > w->users)
		out->months = log(out->users / w->users) / log1p(w->growth_monthly);
	else if (w->growth_monthly > 0 && w->users > 0)
		out->months = 0;
}

/* Users at which a shape first fails, searching up from a feasible count;
 * *held receives the last count found to hold (the search cap when none
 * fails). */
static void growth_scan(struct ctx *cx, const struct plan_shape *shape, double users, struct plan_trigger *out,
			double *held)
{
	const struct workload *w = cx->in->workload;
	memset(out, 0, sizeof(*out));
	out->months = -1;
	double lo = users, hi = users > 1 ? users : 1;
	*held = lo;
	struct demand d;
	struct plan_candidate c;
	const double cap = (users > 1 ? users : 1) * 1e4;
	bool failed = false;
	while (hi <= cap) {
		hi *= 1.5;
		if (demand_at(w, hi, &d) || evaluate(cx, shape, &d, &c))
			return;
		if (!c.feasible) {
			failed = true;
			break;
		}
		lo = hi;
	}
	*held = lo;
	if (!failed) {
		out->users = lo;
		return;
	}
	enum plan_res res = c.fail;
	for (int i = 0; i < 60 && hi - lo > 1 && hi - lo > lo * 1e-4; i++) {
		double mid = floor((lo + hi) / 2);
		if (mid <= lo)
			break;
		if (demand_at(w, mid, &d) || evaluate(cx, shape, &d, &c))
			return;
		if (c.feasible) {
			lo = mid;
		} else {
			hi = mid;
			res = c.fail;
		}
	}
	*held = lo;
	out->found = true;
	out->res = res;
	out->users = ceil(hi);
	set_months(w, out);
}

/* Does s, at the same user count, take the plan's choice from c: cheaper, or
 * as cheap and of a simpler stage (the search's tie rule)? */
static bool takes_over(const struct plan_candidate *s, const struct plan_candidate *c)
{
	return s->feasible &&
	       (s->cost.total < c->cost.total - EPS || (s->cost.total <= c->cost.total + EPS && s->shape.stage < c->shape.stage));
}

static void search_all(struct search *sr, struct tier (*memo)[2][PLANNER_CLUSTER_MAX_NODES + 1]);

static int cmp_cost(const void *a, const void *b)
{
	double x = ((const struct plan_candidate *)a)->cost.total, y = ((const struct plan_candidate *)b)->cost.total;
	return x < y ? -1 : x > y;
}

/* The first user count before the choice fails at which another shape
 * becomes cheaper. Costs change with users only through the volumes bought
 * for growing data (the external cost is the same for every shape), and a
 * shape that fails at some count fails at every larger one (every load
 * grows with users), so a shape that takes over must be feasible now and
 * dearer now, by no more than the choice's own cost grows before it fails:
 * those are collected by one more search at this milestone, bounded by that
 * cost (band mode), and each is followed up the curve. */
static void cheaper_scan(struct ctx *cx, const struct plan_step *st, struct tier (*memo)[2][PLANNER_CLUSTER_MAX_NODES + 1],
			 double held, struct plan_trigger *out)
{
	const struct workload *w = cx->in->workload;
	const struct plan_candidate *best = &st->best;
	double u0 = st->users;
	if (!(held > u0))
		return;
	struct demand d;
	struct plan_candidate cc, cs;
	if (demand_at(w, held, &d) || evaluate(cx, &best->shape, &d, &cc) || !(cc.cost.total > best->cost.total + EPS))
		return;
	struct search band = {.cx = cx, .d = &st->demand, .band = true, .band_hi = cc.cost.total};
	search_all(&band, memo);
	qsort(band.found, band.n_found, sizeof(*band.found), cmp_cost);
	double first = out->found ? out->users : INFINITY, c_at_first = cc.cost.total;
	for (size_t i = 0; i < band.n_found; i++) {
		const struct plan_candidate *s = &band.found[i];
		if (s->cost.total > c_at_first + EPS)
			break; /* the list is by cost: no later one can take over sooner */
		if (planner_shape_equal(&s->shape, &best->shape))
			continue;
		/* Where it last holds, at most where the choice last holds. */
		double e = held;
		if (demand_at(w, e, &d) || evaluate_options(cx, &s->shape, &d, &cs))
			continue;
		if (!cs.feasible) {
			double lo = u0, hi = held;
			for (int k = 0; k < 60 && hi - lo > 1 && hi - lo > lo * 1e-4; k++) {
				double mid = floor((lo + hi) / 2);
				if (mid <= lo || demand_at(w, mid, &d) || evaluate_options(cx, &s->shape, &d, &cs))
					break;
				if (cs.feasible)
					lo = mid;
				else
					hi = mid;
			}
			e = lo;
			if (demand_at(w, e, &d) || evaluate_options(cx, &s->shape, &d, &cs) || !cs.feasible)
				continue;
		}
		if (evaluate(cx, &best->shape, &d, &cc) || !takes_over(&cs, &cc))
			continue;
		/* The first count at which it takes over, by bisection (the cost
		 * difference only moves one way as the volumes grow). */
		double lo = u0, hi = e;
		for (int k = 0; k < 60 && hi - lo > 1 && hi - lo > lo * 1e-4; k++) {
			double mid = floor((lo + hi) / 2);
			if (mid <= lo || demand_at(w, mid, &d))
				break;
			if (evaluate_options(cx, &s->shape, &d, &cs) == 0 && evaluate(cx, &best->shape, &d, &cc) == 0 &&
			    takes_over(&cs, &cc))
				hi = mid;
			else
				lo = mid;
		}
		hi = ceil(hi);
		if (hi < first) {
			if (demand_at(w, hi, &d) || evaluate_options(cx, &s->shape, &d, &out->then) ||
			    evaluate(cx, &best->shape, &d, &cc))
				continue;
			first = hi;
			c_at_first = cc.cost.total;
		}
	}
	if (isfinite(first) && (!out->found || first < out->users)) {
		out->found = true;
		out->cheaper = true;
		out->users = first;
		set_months(w, out);
	}
	free(band.found);
}

static void growth_point(struct ctx *cx, const struct plan_step *st, struct tier (*memo)[2][PLANNER_CLUSTER_MAX_NODES + 1],
			 struct plan_trigger *out)
{
	/* These evaluations are not the milestone's search: leave its count alone. */
	unsigned long evaluated = cx->evaluated;
	double held;
	growth_scan(cx, &st->best.shape, st->users, out, &held);
	cheaper_scan(cx, st, memo, held, out);
	cx->evaluated = evaluated;
}

/* --- infeasible milestones --------------------------------------------- */

/* Why no shape reaches the availability objective: the best figure any
 * shape reaches, and the part that costs the closest shape most (where a fix
 * must start). */
static void availability_why(struct ctx *cx, const struct search *sr, struct plan_step *st, double best)
{
	const struct plan_candidate *c = &sr->closest;
	int k = snprintf(st->why, sizeof(st->why), "availability: no shape reaches the %.3f%% objective (the best: %.3f%%)",
			 cx->avail_target * 100, best * 100);
	if (!c->monitored || k < 0 || (size_t)k >= sizeof(st->why))
		return;
	struct avail_part parts[PLANNER_AVAIL_PARTS];
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
			 "; the closest shape's largest downtime is the %s, %.3g of %.3g min a month", worst,
			 worst_u * UNITS_SECONDS_PER_MONTH / 60, b.total_u * UNITS_SECONDS_PER_MONTH / 60);
}

static void explain_infeasible(struct ctx *cx, struct search *sr, struct plan_step *st)
{
	const struct demand *d = sr->d;
	st->blocking = PRES_COUNT;
	/* An external API over its limit rules out every shape alike. */
	for (size_t i = 0; i < d->n_ext; i++) {
		if (d->ext[i].rate_limit > 0 && d->ext[i].rate > cx->lim[PRES_EXT_RATE] * d->ext[i].rate_limit + EPS) {
			st->blocking = PRES_EXT_RATE;
			st->blocking_ratio = d->ext[i].rate / d->ext[i].rate_limit / cx->lim[PRES_EXT_RATE];
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
	/* The constraint that blocks: one no shape meets, however the rest fares
	 * (the one furthest from its limit at its best). */
	int blk = -1;
	for (int r = 0; r < PRES_COUNT; r++)
		if (sr->seen[r] && sr->min_ratio[r] > 1 + EPS && (blk < 0 || sr->min_ratio[r] > sr->min_ratio[blk]))
			blk = r;
	if (blk < 0) {
		const struct plan_candidate *c = &sr->closest;
		snprintf(st->why, sizeof(st->why),
			 "every constraint is met by some shape, but none meets them all at once; the closest fails on %s",
			 planner_res_name(c->fail));
		return;
	}
	enum plan_res r = (enum plan_res)blk;
	double m = sr->min_ratio[blk];
	st->blocking = r;
	st->blocking_ratio = m;
	if (r == PRES_AVAILABILITY && !isfinite(m))
		snprintf(st->why, sizeof(st->why),
			 "availability: no allowed stage has monitoring and backups, which a %.3f%% objective needs",
			 cx->avail_target * 100);
	else if (r == PRES_AVAILABILITY)
		availability_why(cx, sr, st, 1 - m * (1 - cx->avail_target));
	else if (r == PRES_P95)
		snprintf(st->why, sizeof(st->why), "p95: no shape answers within %.3g s (the best: %.3g s)", cx->p95_target,
			 m * cx->p95_target);
	else
		snprintf(st->why, sizeof(st->why), "%s: no shape keeps it under %.0f%% (the best reaches %.0f%%)",
			 planner_res_name(r), cx->lim[r] * 100, m * cx->lim[r] * 100);
}

static void plan_one(struct ctx *cx, double users, struct plan_step *st,
		     struct tier (*memo)[2][PLANNER_CLUSTER_MAX_NODES + 1],
		     struct plan_candidate **rejected, size_t *cap_rejected);

/* Plan one user count with a changed input, for a remedy. */
static bool plan_with(const struct planner_input *in, double users, struct plan_step *st)
{
	struct ctx cx;
	ctx_init(&cx, in);
	cx.probe = true;
	struct tier (*memo)[2][PLANNER_CLUSTER_MAX_NODES + 1] = xcalloc(2, sizeof(*memo));
	struct plan_candidate *rejected = NULL;
	size_t cap = 0;
	memset(st, 0, sizeof(*st));
	st->users = users;
	bool ok = demand_at(in->workload, users, &st->demand) == 0;
	if (ok)
		plan_one(&cx, users, st, memo, &rejected, &cap);
	free(rejected);
	free(memo);
	ctx_free(&cx);
	return ok && st->feasible;
}

/* Room for the changed copies a remedy plans with (comp: n_components of
 * them, owned). */
struct variant {
	struct planner_input in;
	struct workload w;
	struct deployment dep;
	struct objectives obj;
	struct component *comp;
};

/* A fresh copy of the input, every part the remedies change copied. */
static void variant_init(struct variant *v, const struct planner_input *in)
{
	struct component *comp = v->comp;
	v->in = *in;
	v->w = *in->workload;
	v->dep = *in->deployment;
	v->obj = *in->objectives;
	if (in->n_components)
		memcpy(comp, in->components, in->n_components * sizeof(*comp));
	v->comp = comp;
	v->in.workload = &v->w;
	v->in.deployment = &v->dep;
	v->in.objectives = &v->obj;
	v->in.components = comp;
}

/* Plan with the change; keep it among the remedies when it lifts the
 * milestone. Returns whether it did. */
static bool remedy_try(struct plan_step *st, const struct variant *v, double users, const char *what,
		       struct plan_step *tmp)
{
	if (!plan_with(&v->in, users, tmp))
		return false;
	/* Keep the cheapest PLANNER_MAX_REMEDIES, by cost. */
	size_t at = st->n_remedies;
	while (at > 0 && st->remedies[at - 1].plan.cost.total > tmp->best.cost.total + EPS)
		at--;
	if (at >= PLANNER_MAX_REMEDIES)
		return true;
	size_t last = st->n_remedies < PLANNER_MAX_REMEDIES ? st->n_remedies : PLANNER_MAX_REMEDIES - 1;
	memmove(&st->remedies[at + 1], &st->remedies[at], (last - at) * sizeof(st->remedies[0]));
	snprintf(st->remedies[at].what, sizeof(st->remedies[at].what), "%s", what);
	st->remedies[at].plan = tmp->best;
	if (st->n_remedies < PLANNER_MAX_REMEDIES)
		st->n_remedies++;
	return true;
}

static double round_up(double v, double step)
{
	return ceil(v / step - 1e-9) * step;
}

/* The values of a limit worth trying, ascending, each above today's and at
 * most cap: what the closest shape needs (rounded up to step), then 2, 5 and
 * 10 times today's (the closest shape is a guide, not the only way). */
static size_t limit_steps(double need, double step, double now, double cap, double out[4])
{
	double c[4] = {round_up(need, step), 2 * now, 5 * now, 10 * now};
	size_t n = 0;
	for (size_t i = 0; i < 4; i++) {
		if (!(c[i] > now) || c[i] > cap)
			continue;
		size_t at = n;
		while (at > 0 && out[at - 1] > c[i])
			at--;
		if (at > 0 && out[at - 1] == c[i])
			continue;
		memmove(&out[at + 1], &out[at], (n - at) * sizeof(*out));
		out[at] = c[i];
		n++;
	}
	return n;
}

/* The changes of the config the model knows to lift a limit, each planned in
 * full: a pooler, fewer connections per process, a higher max_connections
 * or max_client_conn, more replicas, stages, database modes and providers
 * the config rules out. What stays infeasible is not offered. */
static void remedies(struct ctx *cx, double users, struct plan_step *st)
{
	const struct planner_input *in = cx->in;
	const struct profile *p = &cx->prof;
	const struct deployment *dep = in->deployment;
	struct variant *v = xcalloc(1, sizeof(*v));
	v->comp = xcalloc(in->n_components ? in->n_components : 1, sizeof(*v->comp));
	struct plan_step *tmp = xcalloc(1, sizeof(*tmp));
	char what[200];
	double clients = st->best.db_clients;
	if (p->has_pg && dep->pooler == POOLER_NEVER) {
		variant_init(v, in);
		v->dep.pooler = POOLER_ANY;
		remedy_try(st, v, users, "a connection pooler (deployment.pooler.use: any)", tmp);
	}
	if (p->has_pg && clients > 0) {
		/* max_connections to take every client's pool, with the margin: what
		 * the closest shape needs, else 2, 5, 10 times today's. */
		size_t pg = in->n_components;
		for (size_t i = 0; i < in->n_components; i++)
			if (in->components[i].kind == COMP_POSTGRES)
				pg = i;
		double steps[4];
		size_t ns = limit_steps(clients / cx->lim[PRES_DB_CONNECTIONS], 10, p->pg_max_conn, 100000, steps);
		for (size_t k = 0; k < ns && pg < in->n_components; k++) {
			variant_init(v, in);
			v->comp[pg].max_connections = (unsigned)steps[k];
			snprintf(what, sizeof(what), "components.%s.max_connections: %.0f (each connection costs the server memory)",
				 in->components[pg].name ? in->components[pg].name : "?", steps[k]);
			if (remedy_try(st, v, users, what, tmp))
				break;
		}
		/* db_pool scaled down to fit max_connections (or the pooler's client
		 * limit) on the closest shape, else halved, else a quarter; at least
		 * one a process. */
		double f = p->pg_max_conn * cx->lim[PRES_DB_CONNECTIONS] / clients;
		if (cx->pooler != POOLER_NEVER)
			f = fmax(f, cx->max_client * cx->lim[PRES_POOLER_CLIENTS] / clients);
		double factors[3] = {f, 0.5, 0.25};
		for (size_t fi = 0; fi < 3; fi++) {
			if (!(factors[fi] < 1) || (fi > 0 && factors[fi] >= factors[0] && factors[0] < 1))
				continue;
			variant_init(v, in);
			int k = 0;
			bool lowered = false;
			for (size_t i = 0; i < v->in.n_components; i++) {
				struct component *c = &v->comp[i];
				if ((c->kind != COMP_APP && c->kind != COMP_WORKER) || c->db_pool == 0)
					continue;
				unsigned np = (unsigned)floor(c->db_pool * factors[fi]);
				np = np < 1 ? 1 : np;
				if (np < c->db_pool)
					lowered = true;
				c->db_pool = np;
				int w = snprintf(what + k, sizeof(what) - (size_t)k, "%scomponents.%s.db_pool: %u",
						 k ? ", " : "", c->name ? c->name : "?", np);
				if (w > 0 && (size_t)(k + w) < sizeof(what))
					k += w;
			}
			if (lowered && remedy_try(st, v, users, what, tmp))
				break;
		}
		if (cx->pooler != POOLER_NEVER) {
			ns = limit_steps(clients / cx->lim[PRES_POOLER_CLIENTS], 100, cx->max_client, 1e6, steps);
			for (size_t k = 0; k < ns; k++) {
				variant_init(v, in);
				v->dep.max_client_conn = (unsigned)steps[k];
				snprintf(what, sizeof(what), "deployment.pooler.max_client_conn: %u", v->dep.max_client_conn);
				if (remedy_try(st, v, users, what, tmp))
					break;
			}
		}
	}
	if (p->has_pg && dep->max_replicas < PLANNER_MAX_REPLICAS) {
		variant_init(v, in);
		v->dep.max_replicas = PLANNER_MAX_REPLICAS;
		snprintf(what, sizeof(what), "deployment.max_read_replicas: %u", PLANNER_MAX_REPLICAS);
		remedy_try(st, v, users, what, tmp);
	}
	bool all_stages = true;
	for (int s = 0; s < STAGE_COUNT; s++)
		all_stages &= dep->stage_allowed[s];
	if (!all_stages) {
		variant_init(v, in);
		for (int s = 0; s < STAGE_COUNT; s++)
			v->dep.stage_allowed[s] = true;
		remedy_try(st, v, users, "every stage (deployment.stages left out)", tmp);
	}
	if (p->has_pg && dep->database != DB_ANY) {
		variant_init(v, in);
		v->dep.database = DB_ANY;
		remedy_try(st, v, users, "deployment.database: any", tmp);
	}
	if (dep->n_providers > 0) {
		variant_init(v, in);
		v->dep.providers = NULL;
		v->dep.n_providers = 0;
		remedy_try(st, v, users, "every provider of the catalogue (deployment.providers left out)", tmp);
	}
	free(tmp);
	free(v->comp);
	free(v);
}

/* --- one milestone ------------------------------------------------------ */

static void search_all(struct search *sr, struct tier (*memo)[2][PLANNER_CLUSTER_MAX_NODES + 1])
{
	struct ctx *cx = sr->cx;
	const struct planner_input *in = cx->in;
	const struct catalog *cat = in->catalog;
	cx->searching = true;
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
				search_single(sr, (enum stage_kind)stage, a);
				break;
			case STAGE_SPLIT:
				if (cx->prof.has_pg)
					search_split(sr, a);
				break;
			case STAGE_HA:
				search_multi(sr, STAGE_HA, a, memo, 2, PLANNER_HA_MAX_NODES);
				break;
			case STAGE_CLUSTER:
				search_multi(sr, STAGE_CLUSTER, a, memo, PLANNER_CLUSTER_MIN_NODES, PLANNER_CLUSTER_MAX_NODES);
				break;
			}
		}
	}
	cx->searching = false;
}

static void plan_one(struct ctx *cx, double users, struct plan_step *st,
		     struct tier (*memo)[2][PLANNER_CLUSTER_MAX_NODES + 1],
		     struct plan_candidate **rejected, size_t *cap_rejected)
{
	struct search sr = {.cx = cx, .d = &st->demand, .rejected = *rejected, .cap_rejected = *cap_rejected};
	cx->evaluated = 0;
	workers_prepare(cx, &st->demand);
	memset(cx->rlo_memo, 0, (cx->in->catalog->n ? cx->in->catalog->n : 1) * sizeof(*cx->rlo_memo));
	search_all(&sr, memo);
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
		if (!cx->probe)
			remedies(cx, users, st);
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
	if (!cx->probe)
		growth_point(cx, st, memo, &st->next);
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

/* --- what runs today ---------------------------------------------------- */

static const struct offer *offer_named(const struct catalog *cat, const char *name)
{
	for (size_t j = 0; name && j < cat->n; j++)
		if (cat->offers[j].name && strcmp(cat->offers[j].name, name) == 0)
			return &cat->offers[j];
	return NULL;
}

static int current_shape(const struct ctx *cx, struct plan_shape *out, char *why, size_t why_n)
{
	const struct planner_input *in = cx->in;
	const struct deployment *dep = in->deployment;
	memset(out, 0, sizeof(*out));
	if (why_n)
		why[0] = 0;
	if (!dep->has_current || dep->n_current == 0)
		return HR_E_NOTFOUND;
	out->stage = dep->current_stage;
	const struct offer *replica = NULL;
	for (size_t i = 0; i < dep->n_current; i++) {
		const struct node_group *g = &dep->current[i];
		const struct offer *o = offer_named(in->catalog, g->plan);
		const char *role = g->role ? g->role : "all";
		if (!o) {
			snprintf(why, why_n, "plan '%s' is not in the catalogue", g->plan ? g->plan : "?");
			return HR_E_INVALID;
		}
		const struct offer **slot = NULL;
		unsigned *count = NULL;
		if (strcmp(role, "replica") == 0 && (o->kind == OFFER_SERVER || o->kind == OFFER_MANAGED_DB)) {
			if (replica && replica != o) {
				snprintf(why, why_n, "replicas of two plans ('%s', '%s'): the model has one plan per role",
					 replica->name, o->name);
				return HR_E_INVALID;
			}
			replica = o;
			out->n_replicas += g->count;
			continue;
		}
		if (o->kind == OFFER_MANAGED_DB) {
			out->managed_db = o;
		} else if (o->kind == OFFER_MANAGED_CACHE) {
			out->managed_cache = o;
		} else if (o->kind != OFFER_SERVER) {
			if (o->kind == OFFER_LB || o->kind == OFFER_K8S || o->kind == OFFER_BACKUP || o->kind == OFFER_MONITORING)
				continue; /* the stage brings these */
			snprintf(why, why_n, "'%s' is not a node the model places", o->name);
			return HR_E_INVALID;
		} else if (strcmp(role, "db") == 0) {
			slot = &out->db_node;
			count = &out->n_db;
		} else if (strcmp(role, "worker") == 0) {
			slot = &out->wrk_node;
			count = &out->n_wrk;
		} else if (strcmp(role, "cache") == 0) {
			snprintf(why, why_n, "a node of its own for Redis is not modelled (Redis runs on the app nodes, or a managed offer)");
			return HR_E_INVALID;
		} else {
			slot = &out->app;
			count = &out->n_app;
		}
		if (*slot && *slot != o) {
			snprintf(why, why_n, "nodes of two plans ('%s', '%s') in one role: the model has one plan per role",
				 (*slot)->name, o->name);
			return HR_E_INVALID;
		}
		*slot = o;
		*count += g->count;
	}
	const struct offer *primary = out->db_node ? out->db_node : out->managed_db;
	if (replica && replica != primary) {
		snprintf(why, why_n, "replicas of '%s' beside %s: the model's replicas are of the database's own plan",
			 replica->name, primary ? primary->name : "no database");
		return HR_E_INVALID;
	}
	out->pooler = dep->pooler == POOLER_ALWAYS && cx->prof.has_pg;
	int rc = shape_check(cx, out);
	if (rc) {
		snprintf(why, why_n,
			 "these nodes are not a '%s' stage (single: one node; split: one app and one db node or a "
			 "managed database; ha: 2-%u app nodes, a db pair or a managed database; cluster: at least %u "
			 "nodes; workers of their own on split and ha), or the provider sells no load balancer or "
			 "control plane the stage needs",
			 out->stage == STAGE_SINGLE ? "single" : out->stage == STAGE_SINGLE_OPS ? "single+ops"
				 : out->stage == STAGE_SPLIT ? "split" : out->stage == STAGE_HA ? "ha" : "cluster",
			 PLANNER_HA_MAX_NODES, PLANNER_CLUSTER_MIN_NODES);
		return HR_E_INVALID;
	}
	return 0;
}

int planner_current_shape(const struct planner_input *in, struct plan_shape *out, char *why, size_t why_n)
{
	struct ctx cx;
	ctx_init(&cx, in);
	int rc = current_shape(&cx, out, why, why_n);
	ctx_free(&cx);
	return rc;
}

int planner_current(const struct planner_input *in, struct plan_current *out)
{
	memset(out, 0, sizeof(*out));
	const struct deployment *dep = in->deployment;
	if (!dep->has_current || dep->n_current == 0)
		return 0;
	out->present = true;
	struct ctx cx;
	ctx_init(&cx, in);
	struct plan_shape s;
	int rc = 0;
	if (current_shape(&cx, &s, out->why, sizeof(out->why)) == 0) {
		struct demand d;
		rc = demand_at(in->workload, in->workload->users, &d);
		if (rc == 0 && evaluate(&cx, &s, &d, &out->now) == 0) {
			out->valid = true;
			if (out->now.feasible) {
				double held;
				growth_scan(&cx, &s, in->workload->users, &out->until, &held);
			} else {
				out->until.found = true;
				out->until.res = out->now.fail;
				out->until.users = in->workload->users;
				set_months(in->workload, &out->until);
			}
		}
	}
	ctx_free(&cx);
	return rc;
}

/* --- the whole plan ----------------------------------------------------- */

/* Where the downtime of a step's shape comes from. */
static void step_downtime(struct ctx *cx, struct plan_step *st)
{
	struct avail_part parts[PLANNER_AVAIL_PARTS];
	const char *why;
	memset(&st->downtime, 0, sizeof(st->downtime));
	if (!st->best.shape.app)
		return;
	int n = avail_parts(cx, &st->best.shape, &st->demand, parts);
	if (n > 0 && avail_breakdown(parts, (size_t)n, &st->downtime, &why) != 0)
		memset(&st->downtime, 0, sizeof(st->downtime));
}

int planner_run(const struct planner_input *in, const double *users, size_t n, struct plan_step *out)
{
	struct ctx cx;
	ctx_init(&cx, in);
	struct tier (*memo)[2][PLANNER_CLUSTER_MAX_NODES + 1] = xcalloc(2, sizeof(*memo));
	struct plan_candidate *rejected = NULL;
	size_t cap_rejected = 0;
	double mem = 0;
	for (size_t i = 0; i < in->n_components; i++)
		if (in->components[i].kind == COMP_APP && comp_mem(&in->components[i]) > mem)
			mem = comp_mem(&in->components[i]);
	struct plan_shape cur;
	char why[8];
	bool has_cur = current_shape(&cx, &cur, why, sizeof(why)) == 0;
	int rc = 0;
	for (size_t i = 0; i < n; i++) {
		struct plan_step *st = &out[i];
		memset(st, 0, sizeof(*st));
		st->users = users[i];
		st->month = planner_month_of(in->workload, users[i]);
		rc = demand_at(in->workload, users[i], &st->demand);
		if (rc)
			break;
		plan_one(&cx, users[i], st, memo, &rejected, &cap_rejected);
		step_downtime(&cx, st);
		/* What runs today, at this milestone (not part of the search's count). */
		unsigned long evaluated = cx.evaluated;
		st->has_current = has_cur && evaluate(&cx, &cur, &st->demand, &st->current) == 0;
		cx.evaluated = evaluated;
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

int planner_dedicated(const struct planner_input *in, struct plan_dedicated *out)
{
	memset(out, 0, sizeof(*out));
	const struct dedicated *dd = &in->economics->dedicated;
	if (!dd->present || !(dd->users > 0))
		return 0;
	out->present = true;
	out->users = dd->users;
	out->customers = dd->customers ? dd->customers : 1;
	struct objectives obj = *in->objectives;
	if (dd->availability > 0)
		obj.availability = dd->availability;
	out->availability = obj.availability;
	struct planner_input in2 = *in;
	in2.objectives = &obj;
	int rc = planner_run(&in2, &out->users, 1, &out->step);
	if (rc)
		return rc;
	out->total = out->step.feasible ? out->step.best.cost.total * out->customers : NAN;
	bool rev = out->step.feasible && dd->revenue > 0;
	out->margin = rev ? (dd->revenue - out->step.best.cost.total) / dd->revenue : NAN;
	out->margin_infra = rev ? (dd->revenue - out->step.best.cost.infra) / dd->revenue : NAN;
	return 0;
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
	if (w->cache_hit_ratio > 0 && !p->has_redis)
		check_error(d, locate, ctx, "workload.cache_hit_ratio",
			    "a read cache needs a component of kind redis to hold it; none is defined");
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
	static const char *const roles[] = {"all", "app", "db", "replica", "worker", "node", "cache"};
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
					    "'%s' is neither a role (all, app, db, replica, worker, node, cache) nor a defined component",
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
