/* planner_search.c - the search over every shape the catalogue allows at one
 * demand: stage x app plan x database x replicas x cache x workers, the node
 * counts pruned by monotonicity and every shape whose cost floor is above
 * its stage's best left out (planner.h, docs/plan.md "Search"). */
#include "model/planner_int.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "util/xalloc.h"

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

/* Is the provider one deployment.providers allows (all when it names none)? */
static bool provider_allowed(const struct deployment *dep, const char *provider)
{
	if (dep->n_providers == 0)
		return true;
	for (size_t i = 0; i < dep->n_providers; i++)
		if (provider && strcmp(dep->providers[i], provider) == 0)
			return true;
	return false;
}

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
	return pl_shape_floor(sr->cx, s, x, sr->d) > stage_bound(sr, s->stage) + EPS;
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
	if (pl_extras_for(cx, stage, a, &x) != 0)
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
			struct tier_with with = pl_tier_with_of(cx, &s, sr->d);
			pl_tier_solve(cx, a, 1, &with, sr->d, &t[0]);
			if (cx->rc_avail && with.db) {
				/* The database shares the node: a read cache lightens it. */
				s.read_cache = true;
				with = pl_tier_with_of(cx, &s, sr->d);
				s.read_cache = false;
				pl_tier_solve(cx, a, 1, &with, sr->d, &t[1]);
				tp[1] = &t[1];
			}
			solved = true;
		}
		struct plan_candidate c;
		if (pl_eval_options(cx, s, tp, sr->d, &c, NULL) == 0)
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
	pl_tier_cheap(cx, a, hi, with, sr->d, &memo[hi]);
	if (memo[hi].cheap_ok) {
		unsigned l = lo, h = hi;
		while (l < h) {
			unsigned mid = l + (h - l) / 2;
			if (!memo[mid].done)
				pl_tier_cheap(cx, a, mid, with, sr->d, &memo[mid]);
			if (memo[mid].cheap_ok)
				h = mid;
			else
				l = mid + 1;
		}
		for (unsigned n = l; n <= hi; n++) {
			if (!memo[n].done)
				pl_tier_cheap(cx, a, n, with, sr->d, &memo[n]);
			if (!memo[n].p95_done)
				pl_tier_p95(cx, a, n, sr->d, &memo[n]);
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
		pl_tier_cheap(cx, s->app, n, with, sr->d, &mt[n]);
	if (mt[n].cheap_ok && !mt[n].p95_done)
		pl_tier_p95(cx, s->app, n, sr->d, &mt[n]);
	struct tier *tp[2] = {&mt[n], &mt[n]};
	return pl_eval_options(cx, *s, tp, sr->d, c, open_fix);
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

bool pl_shape_allowed_provider(const struct ctx *cx, const struct offer *o)
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
void pl_workers_prepare(struct ctx *cx, const struct demand *d)
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
		if (!pl_shape_allowed_provider(cx, o) || o->memory_b <= 0)
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
	if (pl_extras_for(cx, STAGE_SPLIT, a, &x) != 0)
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
		struct tier_with with = pl_tier_with_of(cx, &base, sr->d);
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
					pl_tier_solve(cx, a, 1, &with, sr->d, &t);
				struct plan_candidate c;
				unsigned open_fix;
				if (pl_eval_options(cx, s, tp, sr->d, &c, &open_fix) != 0)
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
	if (pl_extras_for(cx, stage, a, &x) != 0)
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
			struct tier_with with = pl_tier_with_of(cx, &least, sr->d);
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

void pl_search_all(struct search *sr, struct tier (*memo)[2][PLANNER_CLUSTER_MAX_NODES + 1])
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
			if (!pl_shape_allowed_provider(cx, a))
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
