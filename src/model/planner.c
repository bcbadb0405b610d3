/* planner.c - the planner's API (see planner.h): plan one milestone from the
 * search's results, the milestones of a growth curve, what runs today, the
 * whole plan, a dedicated stack, and the checks of a model before planning.
 * The work is done in planner_ctx.c, planner_tier.c, planner_eval.c,
 * planner_search.c and planner_explain.c (planner_int.h). */
#include "model/planner.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "model/planner_int.h"
#include "model/queue.h"
#include "util/str.h"
#include "util/xalloc.h"

static const char *const res_names[PRES_COUNT] = {
	"cpu", "memory", "disk", "connections", "task_slots", "worker_cpu", "worker_memory", "db_cpu",
	"db_memory", "db_disk", "db_connections", "replica_cpu", "pooler_clients", "pooler_pool",
	"cache_memory", "bandwidth", "external_rate", "p95", "availability",
};

const char *planner_res_name(enum plan_res r)
{
	return r < PRES_COUNT ? res_names[r] : "?";
}

/* --- one milestone ------------------------------------------------------ */

void pl_plan_one(struct ctx *cx, double users, struct plan_step *st,
		 struct tier (*memo)[2][PLANNER_CLUSTER_MAX_NODES + 1],
		 struct plan_candidate **rejected, size_t *cap_rejected)
{
	struct search sr = {.cx = cx, .d = &st->demand, .rejected = *rejected, .cap_rejected = *cap_rejected};
	cx->evaluated = 0;
	pl_workers_prepare(cx, &st->demand);
	memset(cx->rlo_memo, 0, (cx->in->catalog->n ? cx->in->catalog->n : 1) * sizeof(*cx->rlo_memo));
	pl_search_all(&sr, memo);
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
		pl_explain_infeasible(cx, &sr, st);
		if (!cx->probe)
			pl_remedies(cx, users, st);
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
		pl_growth_point(cx, st, memo, &st->next);
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

static int current_shape(const struct ctx *cx, struct plan_shape *out, struct plan_reason *why)
{
	const struct planner_input *in = cx->in;
	const struct deployment *dep = in->deployment;
	memset(out, 0, sizeof(*out));
	*why = (struct plan_reason){.kind = PLAN_REASON_NONE};
	if (!dep->has_current || dep->n_current == 0)
		return HR_E_NOTFOUND;
	out->stage = dep->current_stage;
	const struct offer *replica = NULL;
	for (size_t i = 0; i < dep->n_current; i++) {
		const struct node_group *g = &dep->current[i];
		const struct offer *o = offer_named(in->catalog, g->plan);
		const char *role = g->role ? g->role : "all";
		if (!o) {
			*why = (struct plan_reason){.kind = PLAN_REASON_CUR_UNKNOWN_PLAN, .name = g->plan};
			return HR_E_INVALID;
		}
		const struct offer **slot = NULL;
		unsigned *count = NULL;
		if (strcmp(role, "replica") == 0 && (o->kind == OFFER_SERVER || o->kind == OFFER_MANAGED_DB)) {
			if (replica && replica != o) {
				*why = (struct plan_reason){.kind = PLAN_REASON_CUR_REPLICA_PLANS, .name = replica->name,
							    .other = o->name};
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
			*why = (struct plan_reason){.kind = PLAN_REASON_CUR_NOT_A_NODE, .name = o->name};
			return HR_E_INVALID;
		} else if (strcmp(role, "db") == 0) {
			slot = &out->db_node;
			count = &out->n_db;
		} else if (strcmp(role, "worker") == 0) {
			slot = &out->wrk_node;
			count = &out->n_wrk;
		} else if (strcmp(role, "cache") == 0) {
			*why = (struct plan_reason){.kind = PLAN_REASON_CUR_CACHE_NODE};
			return HR_E_INVALID;
		} else {
			slot = &out->app;
			count = &out->n_app;
		}
		if (*slot && *slot != o) {
			*why = (struct plan_reason){.kind = PLAN_REASON_CUR_ROLE_PLANS, .name = (*slot)->name,
						    .other = o->name};
			return HR_E_INVALID;
		}
		*slot = o;
		*count += g->count;
	}
	const struct offer *primary = out->db_node ? out->db_node : out->managed_db;
	if (replica && replica != primary) {
		*why = (struct plan_reason){.kind = PLAN_REASON_CUR_REPLICA_OF, .name = replica->name,
					    .other = primary ? primary->name : NULL};
		return HR_E_INVALID;
	}
	out->pooler = dep->pooler == POOLER_ALWAYS && cx->prof.has_pg;
	int rc = pl_shape_check(cx, out);
	if (rc) {
		*why = (struct plan_reason){.kind = PLAN_REASON_CUR_NOT_A_STAGE, .stage = out->stage};
		return HR_E_INVALID;
	}
	return 0;
}

int planner_current_shape(const struct planner_input *in, struct plan_shape *out, struct plan_reason *why)
{
	struct ctx cx;
	pl_ctx_init(&cx, in);
	int rc = current_shape(&cx, out, why);
	pl_ctx_free(&cx);
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
	pl_ctx_init(&cx, in);
	struct plan_shape s;
	int rc = 0;
	if (current_shape(&cx, &s, &out->why) == 0) {
		struct demand d;
		rc = demand_at(in->workload, in->workload->users, &d);
		if (rc == 0 && pl_evaluate(&cx, &s, &d, &out->now) == 0) {
			out->valid = true;
			if (out->now.feasible) {
				double held;
				pl_growth_scan(&cx, &s, in->workload->users, &out->until, &held);
			} else {
				out->until.found = true;
				out->until.res = out->now.fail;
				out->until.users = in->workload->users;
				pl_set_months(in->workload, &out->until);
			}
		}
	}
	pl_ctx_free(&cx);
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
	int n = pl_avail_parts(cx, &st->best.shape, &st->demand, parts);
	if (n > 0 && avail_breakdown(parts, (size_t)n, &st->downtime, &why) != 0)
		memset(&st->downtime, 0, sizeof(st->downtime));
}

int planner_run(const struct planner_input *in, const double *users, size_t n, struct plan_step *out)
{
	struct ctx cx;
	pl_ctx_init(&cx, in);
	struct tier (*memo)[2][PLANNER_CLUSTER_MAX_NODES + 1] = xcalloc(2, sizeof(*memo));
	struct plan_candidate *rejected = NULL;
	size_t cap_rejected = 0;
	double mem = 0;
	for (size_t i = 0; i < in->n_components; i++)
		if (in->components[i].kind == COMP_APP && comp_mem(&in->components[i]) > mem)
			mem = comp_mem(&in->components[i]);
	struct plan_shape cur;
	struct plan_reason why;
	bool has_cur = current_shape(&cx, &cur, &why) == 0;
	int rc = 0;
	for (size_t i = 0; i < n; i++) {
		struct plan_step *st = &out[i];
		memset(st, 0, sizeof(*st));
		st->users = users[i];
		st->month = planner_month_of(in->workload, users[i]);
		rc = demand_at(in->workload, users[i], &st->demand);
		if (rc)
			break;
		pl_plan_one(&cx, users[i], st, memo, &rejected, &cap_rejected);
		step_downtime(&cx, st);
		/* What runs today, at this milestone (not part of the search's count). */
		unsigned long evaluated = cx.evaluated;
		st->has_current = has_cur && pl_evaluate(&cx, &cur, &st->demand, &st->current) == 0;
		cx.evaluated = evaluated;
		/* A function instance holds the process and one request's memory. */
		double per_req = st->demand.app_inflight > 0 ? st->demand.app_mem_b / st->demand.app_inflight : 0;
		cost_serverless_best(in->catalog, &st->demand, mem + per_req, &st->serverless);
		cost_unit_economics(in->economics, users[i], st->best.cost.total, &st->econ);
	}
	free(rejected);
	free(memo);
	pl_ctx_free(&cx);
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
	pl_ctx_init(&cx, in);
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
		any_server |= pl_shape_allowed_provider(&cx, &cat->offers[j]);
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
	pl_ctx_free(&cx);
	return d->nerrors > before ? HR_E_INVALID : 0;
}

/* --- shapes and months ------------------------------------------------- */

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
