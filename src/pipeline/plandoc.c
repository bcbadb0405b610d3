/* plandoc.c - gather a plan's documents' data (see plandoc.h). */
#include "pipeline/plandoc.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "model/availability.h"
#include "util/xalloc.h"

/* The config sections a plan rests on, in the order the documents list them
 * (metrics and agent configure live checks; triggers have their own table). */
static const char *const plan_sections[] = {"workload", "components", "deployment", "objectives",
					    "economics", "catalog", "calibration"};

struct values_ctx {
	struct plandoc *pd;
	const struct config *cfg;
};

/* A component key whose default means nothing for the component's kind:
 * max_connections is PostgreSQL's; processes and pools are the app's and
 * the workers'. */
static bool idle_default(const struct config *cfg, const char *path)
{
	if (strncmp(path, "components.", 11) != 0)
		return false;
	const char *name = path + 11, *dot = strrchr(name, '.');
	if (!dot)
		return false;
	for (size_t i = 0; i < cfg->n_components; i++) {
		const struct component *c = &cfg->components[i];
		if (!c->name || strlen(c->name) != (size_t)(dot - name) || strncmp(c->name, name, (size_t)(dot - name)) != 0)
			continue;
		bool proc = c->kind == COMP_APP || c->kind == COMP_WORKER;
		const char *key = dot + 1;
		if (strcmp(key, "max_connections") == 0)
			return c->kind != COMP_POSTGRES;
		if (strcmp(key, "workers") == 0 || strcmp(key, "concurrency") == 0 || strcmp(key, "db_pool") == 0)
			return !proc;
		return false;
	}
	return false;
}

static void add_value(const struct config_value *v, void *arg)
{
	struct values_ctx *vc = arg;
	struct plandoc *pd = vc->pd;
	if (v->secret || !v->text)
		return; /* nothing to show: no default and not written, or never shown */
	if (!v->given && idle_default(vc->cfg, v->path))
		return;
	if (pd->n_values == pd->cap_values) {
		pd->cap_values = pd->cap_values ? pd->cap_values * 2 : 64;
		pd->values = xreallocarray(pd->values, pd->cap_values, sizeof(*pd->values));
	}
	pd->values[pd->n_values++] = (struct plan_doc_value){
		.path = xstrdup(v->path), .text = xstrdup(v->text), .given = v->given, .why_default = v->why_default};
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return (x > y) - (x < y);
}

/* The milestones and PLANDOC_CURVE_POINTS counts spread between the first and
 * the last (evenly on a log scale when they span a factor of 20), sorted,
 * each once. Returns the count written to out (caller storage of n + points). */
static size_t curve_users(const double *users, size_t n, double *out)
{
	double lo = INFINITY, hi = -INFINITY;
	for (size_t i = 0; i < n; i++) {
		lo = fmin(lo, users[i]);
		hi = fmax(hi, users[i]);
	}
	size_t k = 0;
	for (size_t i = 0; i < n; i++)
		out[k++] = users[i];
	if (n && hi > lo) {
		bool log_scale = lo > 0 && hi / lo >= 20;
		for (size_t i = 1; i + 1 < PLANDOC_CURVE_POINTS; i++) {
			double f = (double)i / (PLANDOC_CURVE_POINTS - 1);
			/* whole users: a plan for 1234.5678 users reads oddly in a hover text */
			out[k++] = round(log_scale ? lo * pow(hi / lo, f) : lo + (hi - lo) * f);
		}
	}
	qsort(out, k, sizeof(double), cmp_double);
	size_t u = 0;
	for (size_t i = 0; i < k; i++)
		if (u == 0 || out[i] != out[u - 1])
			out[u++] = out[i];
	return u;
}

int plandoc_gather(const struct planning *ps, const struct config *cfg, const char *source, const char *version,
		   const double *users, size_t n, struct plandoc *pd)
{
	memset(pd, 0, sizeof(*pd));
	const struct planner_input *in = &ps->in;
	const struct workload *w = in->workload;
	pd->steps = xcalloc(n ? n : 1, sizeof(*pd->steps));
	int rc = planner_run(in, users, n, pd->steps);
	if (rc)
		return rc;

	/* the month growth reaches each milestone: users = now * (1 + g)^m */
	pd->months = xcalloc(n ? n : 1, sizeof(double));
	for (size_t i = 0; i < n; i++) {
		double u = users[i];
		if (w->growth_monthly > 0 && w->users > 0 && u > 0)
			pd->months[i] = u < w->users ? -1 : log(u / w->users) / log1p(w->growth_monthly);
		else
			pd->months[i] = u == w->users ? 0 : NAN;
	}

	/* where each milestone's downtime comes from */
	pd->avail = xcalloc(n ? n : 1, sizeof(*pd->avail));
	for (size_t i = 0; i < n; i++) {
		struct plan_doc_avail *a = &pd->avail[i];
		if (!pd->steps[i].feasible)
			continue;
		int np = planner_avail_parts(in, &pd->steps[i].best.shape, &pd->steps[i].demand, a->parts);
		double total;
		size_t bad;
		const char *why;
		if (np <= 0 || avail_compose(a->parts, (size_t)np, a->eval, &total, &bad, &why) != 0)
			continue;
		a->n = (size_t)np;
		for (size_t p = 0; p < a->n; p++)
			a->minutes[p] = avail_downtime_min_month(1 - a->eval[p].u);
	}

	/* plans at many user counts, for the charts */
	double *cu = xcalloc(n + PLANDOC_CURVE_POINTS + 1, sizeof(double));
	pd->n_curve = curve_users(users, n, cu);
	pd->curve = xcalloc(pd->n_curve ? pd->n_curve : 1, sizeof(*pd->curve));
	rc = planner_run(in, cu, pd->n_curve, pd->curve);
	free(cu);
	if (rc)
		return rc;

	/* today and the next change */
	bool today = w->users > 0;
	if (today) {
		rc = planning_next_step(ps, &pd->next);
		if (rc)
			return rc;
	}

	rules_merge(cfg->triggers, cfg->n_triggers, &pd->rules);
	struct values_ctx vc = {pd, cfg};
	for (size_t s = 0; s < sizeof(plan_sections) / sizeof(plan_sections[0]); s++)
		config_each_value(cfg, plan_sections[s], add_value, &vc);

	pd->report = (struct plan_report){
		.source = source,
		.currency = cfg->economics.currency[0] ? cfg->economics.currency : "USD",
		.in = in,
		.steps = pd->steps,
		.n_steps = n,
	};
	pd->input = (struct plan_doc_input){
		.report = &pd->report,
		.version = version,
		.months = pd->months,
		.avail = pd->avail,
		.curve = pd->curve,
		.n_curve = pd->n_curve,
		.today = today ? &pd->next.now : NULL,
		.then = today && pd->next.has_then ? &pd->next.then : NULL,
		.rules = pd->rules.rules,
		.rule_default = pd->rules.is_default,
		.n_rules = pd->rules.n,
		.values = pd->values,
		.n_values = pd->n_values,
	};
	return 0;
}

void plandoc_free(struct plandoc *pd)
{
	if (!pd)
		return;
	free(pd->steps);
	free(pd->months);
	free(pd->avail);
	free(pd->curve);
	rules_set_free(&pd->rules);
	for (size_t i = 0; i < pd->n_values; i++) {
		free((char *)pd->values[i].path);
		free((char *)pd->values[i].text);
	}
	free(pd->values);
	memset(pd, 0, sizeof(*pd));
}
