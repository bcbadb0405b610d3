/* planner_int.h - private to the planner's own files (model/planner*.c): the
 * context of one run, the app tier, the search's state, and the functions one
 * of those files calls in another. Nothing else includes it: the planner's
 * API is planner.h.
 *
 * Design note. The planner is split by purpose:
 *   planner_ctx.c      the context of a run: the components as groups, the
 *                      limits, the catalogue by provider, the queue solves
 *                      remembered
 *   planner_tier.c     the app tier of a shape: per-node load and the p95
 *   planner_eval.c     one shape at one demand: well formed, cost, floor,
 *                      availability (the data tier's remembered), verdict,
 *                      the options that cost nothing
 *   planner_search.c   the search over every shape the catalogue allows
 *   planner_explain.c  the growth point, why a milestone is infeasible, and
 *                      the changes of the config that lift it
 *   planner.c          the API: one milestone, what runs today, the whole
 *                      plan, a dedicated stack, the checks
 * Functions shared between them start with pl_; the rest stay static. */
#ifndef HR_PLANNER_INT_H
#define HR_PLANNER_INT_H

#include <math.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "model/availability.h"
#include "model/calibrated.h"
#include "model/planner.h"

/** The percentile of the latency objective. */
#define P95 0.95
/** Margin of every comparison against a limit. */
#define EPS 1e-9
/** The bit of a constraint in a mask (plan_candidate.over). */
#define BIT(r) (1u << (r))
/** ctx.prov_of of an offer that names no provider. */
#define NO_PROVIDER ((size_t)-1)

/** Components summed by what they do (the planner places them as groups). */
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

struct qsolve;

/** The data tier's parts of a stage's availability, remembered (ctx.amemo):
 *  every field of the stage they read, and log(1 - U) of them together. */
struct amemo {
	bool used;
	unsigned char db, cache;
	bool monitored, kubernetes;
	unsigned reps, need;
	double db_bytes, db_sla, cache_sla, peak_share;
	double log_up;
};
/** Entries of ctx.amemo. */
#define AMEMO_CAP 4096u

/** The search context of one run (pl_ctx_init(), pl_ctx_free()). */
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
	bool searching;          /* inside pl_search_all(): every shape is built well formed, pl_shape_check() is skipped */
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

/** The app tier of a shape: n nodes of one plan and what they carry. */
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

/** Where the app nodes' work comes from besides the requests. */
struct tier_with {
	bool db;           /* the database runs on the node (single stages) */
	double db_busy;    /* its busy cores there */
	bool cache;        /* Redis runs on the app nodes */
	bool workers;      /* the worker components run on the app nodes */
};

/** What a shape buys besides its servers and database: from the app plan's
 *  provider, and uptime monitoring from any vendor. */
struct extras {
	const struct offer *lb, *k8s, *backup, *monitoring, *volume;
};

/** The state of one search over every shape at one demand. */
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

/* Small helpers every part of the planner uses, inline: the search calls
 * them for each of tens of thousands of shapes. */

/** A component's memory: per process for app/worker, per instance otherwise. */
static inline double comp_mem(const struct component *c)
{
	if (c->kind == COMP_APP || c->kind == COMP_WORKER)
		return c->memory_base_b > 0 ? c->memory_base_b : c->memory_b;
	return c->memory_b > c->memory_base_b ? c->memory_b : c->memory_base_b;
}

/** Replicas of a component group per node: one process per vCPU, at least one. */
static inline unsigned replicas_for(double vcpu, double workers)
{
	if (workers <= 0)
		return 0;
	double r = floor(vcpu / workers);
	return r < 1 ? 1 : (unsigned)r;
}

/** An offer's vCPU, 1 when it states none. */
static inline double vcpu_of(const struct offer *o)
{
	return o->vcpu > 0 ? o->vcpu : 1;
}

/** CPU seconds a request takes on one vCPU: the declared cost, or the
 *  calibration's CPU per request (model/calibrated.h: measured, or derived
 *  from the knee). Only the CPU: the measured latency is mostly waiting, and
 *  it is how long a request holds its slot (see tier_p95_calibrated), not CPU. */
static inline double class_cpu(const struct ctx *cx, const struct request_class *r)
{
	return cx->calibrated ? cx->cal.cpu_s : r->cpu_s;
}

/** Bits of a double, so equal keys are equal bit for bit (-0.0 is not 0.0
 *  here, which only costs a repeated solve). */
static inline uint64_t dbits(double x)
{
	uint64_t u;
	memcpy(&u, &x, sizeof(u));
	return u;
}

/** Index of an offer in the catalogue, or cat->n when it is not one of its
 *  entries (a caller may evaluate a shape built from its own offers). An
 *  offer inside the array's bytes is one of its elements. */
static inline size_t offer_index(const struct catalog *cat, const struct offer *o)
{
	uintptr_t p = (uintptr_t)o, b = (uintptr_t)cat->offers;
	if (p < b || p - b >= cat->n * sizeof(*o))
		return cat->n;
	return (size_t)(p - b) / sizeof(*o);
}

/** The provider of an offer, or NULL when it names none. */
static inline const struct provider *provider_of(const struct ctx *cx, const struct offer *o)
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

/** The database's load at d with that many read replicas, with or without a
 *  read cache (struct db_load). */
static inline struct db_load db_load_of(const struct ctx *cx, const struct demand *d, unsigned replicas,
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

/** A constraint's utilisation over its limit (availability: unavailability
 *  over the allowed; INFINITY on a stage without monitoring). */
static inline double ratio_of(const struct ctx *cx, const struct plan_candidate *c, int k)
{
	if (k == PRES_AVAILABILITY) {
		if (!c->monitored)
			return INFINITY;
		double allowed = 1 - cx->avail_target;
		return allowed > 0 ? (1 - c->util[k]) / allowed : INFINITY;
	}
	return c->limit[k] > 0 ? c->util[k] / c->limit[k] : INFINITY;
}

/* --- planner_ctx.c: the context of one run ------------------------------ */

/** Set up the context of a run on in (borrowed); pl_ctx_free() releases it. */
void pl_ctx_init(struct ctx *cx, const struct planner_input *in);
/** Release what pl_ctx_init() allocated. */
void pl_ctx_free(struct ctx *cx);
/** queue_response_quantile_g(lambda, s, cv, c, P95), remembered by its exact inputs. */
double pl_p95_solve(struct ctx *cx, double lambda, double s, double cv, unsigned c);

/* --- planner_tier.c: the app tier ------------------------------------------ */

/** Everything about the app tier of n nodes of plan a except the p95 (cheap arithmetic). */
void pl_tier_cheap(const struct ctx *cx, const struct offer *a, unsigned n, const struct tier_with *with,
		   const struct demand *d, struct tier *t);
/** The p95 of each request class on the tier pl_tier_cheap() filled. */
void pl_tier_p95(struct ctx *cx, const struct offer *a, unsigned n, const struct demand *d, struct tier *t);
/** pl_tier_cheap(), then pl_tier_p95() when the cheap constraints hold. */
void pl_tier_solve(struct ctx *cx, const struct offer *a, unsigned n, const struct tier_with *with,
		   const struct demand *d, struct tier *t);
/** What a shape puts on its app nodes. */
struct tier_with pl_tier_with_of(const struct ctx *cx, const struct plan_shape *s, const struct demand *d);

/* --- planner_eval.c: one shape at one demand ----------------------------- */

/** Is the shape well formed for its stage? @return 0, HR_E_INVALID, or
 *  HR_E_NOTFOUND for parts of different providers. */
HR_NODISCARD int pl_shape_check(const struct ctx *cx, const struct plan_shape *s);
/** The extras of a stage built on app plan a. @return 0, or HR_E_NOTFOUND when
 *  the provider sells no load balancer (ha, cluster) or control plane (cluster). */
HR_NODISCARD int pl_extras_for(const struct ctx *cx, enum stage_kind stage, const struct offer *a, struct extras *x);
/** A shape's monthly cost without volumes: a floor of its cost, bit for bit
 *  the total the full costing gives at no volume. */
double pl_shape_floor(const struct ctx *cx, const struct plan_shape *s, const struct extras *x, const struct demand *d);
/** Evaluate a priced shape, turning on the options that cost nothing where its
 *  failures ask for them; tiers[0] is the app tier without a read cache,
 *  tiers[1] with one. *open_fix (if not NULL) receives the constraints options
 *  left untried could still fix. @return 0 or an error as pl_shape_check(). */
HR_NODISCARD int pl_eval_options(struct ctx *cx, struct plan_shape s, struct tier *tiers[2], const struct demand *d,
				 struct plan_candidate *c, unsigned *open_fix);
/** planner_evaluate() in a context: every figure, the queue always solved. */
HR_NODISCARD int pl_evaluate(struct ctx *cx, const struct plan_shape *shape, const struct demand *d,
			     struct plan_candidate *out);
/** pl_evaluate() with the free options decided as the search decides them. */
HR_NODISCARD int pl_evaluate_options(struct ctx *cx, const struct plan_shape *shape, const struct demand *d,
				     struct plan_candidate *out);
/** planner_avail_parts() in a context. @return the number of parts, or an error. */
HR_NODISCARD int pl_avail_parts(struct ctx *cx, const struct plan_shape *shape, const struct demand *d,
				struct avail_part *parts);

/* --- planner_search.c: the search over shapes ---------------------------- */

/** May an offer be an app plan: a server, commercial use allowed, from an allowed provider? */
bool pl_shape_allowed_provider(const struct ctx *cx, const struct offer *o);
/** Per milestone: the fewest worker nodes of each plan that carry the tasks at d. */
void pl_workers_prepare(struct ctx *cx, const struct demand *d);
/** Search every allowed stage and app plan at sr->d, keeping in sr what the plan
 *  needs. memo: the app tiers, one per node count for each placement of Redis
 *  ([1]: on the app nodes) and of the workers ([1]: on the app nodes). */
void pl_search_all(struct search *sr, struct tier (*memo)[2][PLANNER_CLUSTER_MAX_NODES + 1]);

/* --- planner_explain.c: growth point, infeasibility, remedies ------------ */

/** The months from workload.users to out->users at the workload's growth rate. */
void pl_set_months(const struct workload *w, struct plan_trigger *out);
/** Users at which a shape first fails, searching up from a feasible count;
 *  *held receives the last count found to hold. */
void pl_growth_scan(struct ctx *cx, const struct plan_shape *shape, double users, struct plan_trigger *out,
		    double *held);
/** When the step's choice stops being the choice: a constraint breaks or another shape becomes cheaper. */
void pl_growth_point(struct ctx *cx, const struct plan_step *st, struct tier (*memo)[2][PLANNER_CLUSTER_MAX_NODES + 1],
		     struct plan_trigger *out);
/** Why no shape meets the targets at the step (st->why, st->blocking). */
void pl_explain_infeasible(struct ctx *cx, struct search *sr, struct plan_step *st);
/** The changes of the config that make the infeasible step feasible (st->remedies). */
void pl_remedies(struct ctx *cx, double users, struct plan_step *st);

/* --- planner.c: one milestone -------------------------------------------- */

/** Plan one user count into st (users and demand set). rejected and
 *  cap_rejected: a buffer the search may grow, reused across milestones. */
void pl_plan_one(struct ctx *cx, double users, struct plan_step *st,
		 struct tier (*memo)[2][PLANNER_CLUSTER_MAX_NODES + 1], struct plan_candidate **rejected,
		 size_t *cap_rejected);

#endif
