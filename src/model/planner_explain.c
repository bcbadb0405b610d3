/* planner_explain.c - what the plan says beyond its choice: the growth point
 * (the first user count at which the choice fails, or another shape becomes
 * cheaper), why no shape meets the targets at an infeasible milestone, and
 * the changes of the config that would lift it, each planned in full. */
#include "model/planner_int.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "util/xalloc.h"

/* --- growth point -------------------------------------------------------- */

void pl_set_months(const struct workload *w, struct plan_trigger *out)
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
void pl_growth_scan(struct ctx *cx, const struct plan_shape *shape, double users, struct plan_trigger *out,
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
		if (demand_at(w, hi, &d) || pl_evaluate(cx, shape, &d, &c))
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
		if (demand_at(w, mid, &d) || pl_evaluate(cx, shape, &d, &c))
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
	pl_set_months(w, out);
}

/* Does s, at the same user count, take the plan's choice from c: cheaper, or
 * as cheap and of a simpler stage (the search's tie rule)? */
static bool takes_over(const struct plan_candidate *s, const struct plan_candidate *c)
{
	return s->feasible &&
	       (s->cost.total < c->cost.total - EPS || (s->cost.total <= c->cost.total + EPS && s->shape.stage < c->shape.stage));
}

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
	if (demand_at(w, held, &d) || pl_evaluate(cx, &best->shape, &d, &cc) || !(cc.cost.total > best->cost.total + EPS))
		return;
	struct search band = {.cx = cx, .d = &st->demand, .band = true, .band_hi = cc.cost.total};
	pl_search_all(&band, memo);
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
		if (demand_at(w, e, &d) || pl_evaluate_options(cx, &s->shape, &d, &cs))
			continue;
		if (!cs.feasible) {
			double lo = u0, hi = held;
			for (int k = 0; k < 60 && hi - lo > 1 && hi - lo > lo * 1e-4; k++) {
				double mid = floor((lo + hi) / 2);
				if (mid <= lo || demand_at(w, mid, &d) || pl_evaluate_options(cx, &s->shape, &d, &cs))
					break;
				if (cs.feasible)
					lo = mid;
				else
					hi = mid;
			}
			e = lo;
			if (demand_at(w, e, &d) || pl_evaluate_options(cx, &s->shape, &d, &cs) || !cs.feasible)
				continue;
		}
		if (pl_evaluate(cx, &best->shape, &d, &cc) || !takes_over(&cs, &cc))
			continue;
		/* The first count at which it takes over, by bisection (the cost
		 * difference only moves one way as the volumes grow). */
		double lo = u0, hi = e;
		for (int k = 0; k < 60 && hi - lo > 1 && hi - lo > lo * 1e-4; k++) {
			double mid = floor((lo + hi) / 2);
			if (mid <= lo || demand_at(w, mid, &d))
				break;
			if (pl_evaluate_options(cx, &s->shape, &d, &cs) == 0 && pl_evaluate(cx, &best->shape, &d, &cc) == 0 &&
			    takes_over(&cs, &cc))
				hi = mid;
			else
				lo = mid;
		}
		hi = ceil(hi);
		if (hi < first) {
			if (demand_at(w, hi, &d) || pl_evaluate_options(cx, &s->shape, &d, &out->then) ||
			    pl_evaluate(cx, &best->shape, &d, &cc))
				continue;
			first = hi;
			c_at_first = cc.cost.total;
		}
	}
	if (isfinite(first) && (!out->found || first < out->users)) {
		out->found = true;
		out->cheaper = true;
		out->users = first;
		pl_set_months(w, out);
	}
	free(band.found);
}

void pl_growth_point(struct ctx *cx, const struct plan_step *st, struct tier (*memo)[2][PLANNER_CLUSTER_MAX_NODES + 1],
		     struct plan_trigger *out)
{
	/* These evaluations are not the milestone's search: leave its count alone. */
	unsigned long evaluated = cx->evaluated;
	double held;
	pl_growth_scan(cx, &st->best.shape, st->users, out, &held);
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
	st->why = (struct plan_reason){.kind = PLAN_REASON_AVAIL_BEST, .target = cx->avail_target, .best = best};
	if (!c->monitored)
		return;
	struct avail_part parts[PLANNER_AVAIL_PARTS];
	struct avail_breakdown b;
	const char *why;
	int n = pl_avail_parts(cx, &c->shape, sr->d, parts);
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
	if (worst) {
		st->why.name = worst; /* a static name (planner_avail_parts()) */
		st->why.part_u = worst_u;
		st->why.total_u = b.total_u;
	}
}

void pl_explain_infeasible(struct ctx *cx, struct search *sr, struct plan_step *st)
{
	const struct demand *d = sr->d;
	st->blocking = PRES_COUNT;
	/* An external API over its limit rules out every shape alike. */
	for (size_t i = 0; i < d->n_ext; i++) {
		if (d->ext[i].rate_limit > 0 && d->ext[i].rate > cx->lim[PRES_EXT_RATE] * d->ext[i].rate_limit + EPS) {
			st->blocking = PRES_EXT_RATE;
			st->blocking_ratio = d->ext[i].rate / d->ext[i].rate_limit / cx->lim[PRES_EXT_RATE];
			st->why = (struct plan_reason){.kind = PLAN_REASON_EXT_RATE, .name = d->ext[i].name,
						       .rate = d->ext[i].rate, .target = cx->lim[PRES_EXT_RATE],
						       .rate_limit = d->ext[i].rate_limit};
			return;
		}
	}
	if (!sr->have_closest) {
		st->why = (struct plan_reason){.kind = PLAN_REASON_NO_SHAPE};
		return;
	}
	/* The constraint that blocks: one no shape meets, however the rest fares
	 * (the one furthest from its limit at its best). */
	int blk = -1;
	for (int r = 0; r < PRES_COUNT; r++)
		if (sr->seen[r] && sr->min_ratio[r] > 1 + EPS && (blk < 0 || sr->min_ratio[r] > sr->min_ratio[blk]))
			blk = r;
	if (blk < 0) {
		st->why = (struct plan_reason){.kind = PLAN_REASON_NOT_AT_ONCE, .res = sr->closest.fail};
		return;
	}
	enum plan_res r = (enum plan_res)blk;
	double m = sr->min_ratio[blk];
	st->blocking = r;
	st->blocking_ratio = m;
	if (r == PRES_AVAILABILITY && !isfinite(m))
		st->why = (struct plan_reason){.kind = PLAN_REASON_AVAIL_UNMONITORED, .target = cx->avail_target};
	else if (r == PRES_AVAILABILITY)
		availability_why(cx, sr, st, 1 - m * (1 - cx->avail_target));
	else if (r == PRES_P95)
		st->why = (struct plan_reason){.kind = PLAN_REASON_P95, .target = cx->p95_target,
					       .best = m * cx->p95_target};
	else
		st->why = (struct plan_reason){.kind = PLAN_REASON_LIMIT, .res = r, .target = cx->lim[r],
					       .best = m * cx->lim[r]};
}

/* Plan one user count with a changed input, for a remedy. */
static bool plan_with(const struct planner_input *in, double users, struct plan_step *st)
{
	struct ctx cx;
	pl_ctx_init(&cx, in);
	cx.probe = true;
	struct tier (*memo)[2][PLANNER_CLUSTER_MAX_NODES + 1] = xcalloc(2, sizeof(*memo));
	struct plan_candidate *rejected = NULL;
	size_t cap = 0;
	memset(st, 0, sizeof(*st));
	st->users = users;
	bool ok = demand_at(in->workload, users, &st->demand) == 0;
	if (ok)
		pl_plan_one(&cx, users, st, memo, &rejected, &cap);
	free(rejected);
	free(memo);
	pl_ctx_free(&cx);
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
static bool remedy_try(struct plan_step *st, const struct variant *v, double users,
		       const struct plan_reason *what, struct plan_step *tmp)
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
	st->remedies[at].what = *what;
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
void pl_remedies(struct ctx *cx, double users, struct plan_step *st)
{
	const struct planner_input *in = cx->in;
	const struct profile *p = &cx->prof;
	const struct deployment *dep = in->deployment;
	struct variant *v = xcalloc(1, sizeof(*v));
	v->comp = xcalloc(in->n_components ? in->n_components : 1, sizeof(*v->comp));
	struct plan_step *tmp = xcalloc(1, sizeof(*tmp));
	struct plan_reason what;
	double clients = st->best.db_clients;
	if (p->has_pg && dep->pooler == POOLER_NEVER) {
		variant_init(v, in);
		v->dep.pooler = POOLER_ANY;
		what = (struct plan_reason){.kind = PLAN_REASON_FIX_POOLER};
		remedy_try(st, v, users, &what, tmp);
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
			what = (struct plan_reason){.kind = PLAN_REASON_FIX_MAX_CONNECTIONS, .name = in->components[pg].name,
						    .value = steps[k]};
			if (remedy_try(st, v, users, &what, tmp))
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
			what = (struct plan_reason){.kind = PLAN_REASON_FIX_DB_POOL};
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
				if (what.n_pools < PLAN_REASON_MAX_POOLS)
					what.pools[what.n_pools] =
						(struct plan_pool_change){.component = c->name, .db_pool = np};
				what.n_pools++;
			}
			if (lowered && remedy_try(st, v, users, &what, tmp))
				break;
		}
		if (cx->pooler != POOLER_NEVER) {
			ns = limit_steps(clients / cx->lim[PRES_POOLER_CLIENTS], 100, cx->max_client, 1e6, steps);
			for (size_t k = 0; k < ns; k++) {
				variant_init(v, in);
				v->dep.max_client_conn = (unsigned)steps[k];
				what = (struct plan_reason){.kind = PLAN_REASON_FIX_MAX_CLIENT_CONN,
							    .value = v->dep.max_client_conn};
				if (remedy_try(st, v, users, &what, tmp))
					break;
			}
		}
	}
	if (p->has_pg && dep->max_replicas < PLANNER_MAX_REPLICAS) {
		variant_init(v, in);
		v->dep.max_replicas = PLANNER_MAX_REPLICAS;
		what = (struct plan_reason){.kind = PLAN_REASON_FIX_MAX_REPLICAS, .value = PLANNER_MAX_REPLICAS};
		remedy_try(st, v, users, &what, tmp);
	}
	bool all_stages = true;
	for (int s = 0; s < STAGE_COUNT; s++)
		all_stages &= dep->stage_allowed[s];
	if (!all_stages) {
		variant_init(v, in);
		for (int s = 0; s < STAGE_COUNT; s++)
			v->dep.stage_allowed[s] = true;
		what = (struct plan_reason){.kind = PLAN_REASON_FIX_ALL_STAGES};
		remedy_try(st, v, users, &what, tmp);
	}
	if (p->has_pg && dep->database != DB_ANY) {
		variant_init(v, in);
		v->dep.database = DB_ANY;
		what = (struct plan_reason){.kind = PLAN_REASON_FIX_ANY_DATABASE};
		remedy_try(st, v, users, &what, tmp);
	}
	if (dep->n_providers > 0) {
		variant_init(v, in);
		v->dep.providers = NULL;
		v->dep.n_providers = 0;
		what = (struct plan_reason){.kind = PLAN_REASON_FIX_ALL_PROVIDERS};
		remedy_try(st, v, users, &what, tmp);
	}
	free(tmp);
	free(v->comp);
	free(v);
}
