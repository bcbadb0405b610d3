/* simulate.c - set up and run the replay of `headroom simulate` (see simulate.h). */
#include "pipeline/simulate.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config/catalog.h"
#include "model/autoscale_config.h"
#include "pipeline/planning.h"
#include "util/units.h"
#include "util/xalloc.h"

/* The most replicas a replay sizes for. */
#define SIM_REPLICAS_MAX 100000

/* Set *why to the sentence. @return HR_E_INVALID. */
static int fail(char **why, const char *fmt, ...) HR_PRINTF(2, 3);
static int fail(char **why, const char *fmt, ...)
{
	va_list ap, aq;
	va_start(ap, fmt);
	va_copy(aq, ap);
	int n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	*why = xmalloc(n > 0 ? (size_t)n + 1 : 1);
	vsnprintf(*why, n > 0 ? (size_t)n + 1 : 1, fmt, aq);
	va_end(aq);
	return HR_E_INVALID;
}

int simulate_service_from_config(const struct config *cfg, struct sim_service *svc, double *price_hour,
				 const char **currency, struct diag *d)
{
	const struct workload *w = &cfg->workload;
	const struct component *app = NULL;
	for (size_t i = 0; i < cfg->n_components; i++)
		if (cfg->components[i].kind == COMP_APP) {
			app = &cfg->components[i];
			break;
		}
	if (!app || w->n_requests == 0) {
		diag_error(d, "%s: simulate needs an app component and request classes (or use --service and --concurrency)",
			   cfg->path);
		return HR_E_INVALID;
	}
	double rate = 0, dur = 0, cpu = 0;
	for (size_t i = 0; i < w->n_requests; i++) {
		rate += w->requests[i].rate;
		dur += w->requests[i].rate * w->requests[i].duration_s;
		cpu += w->requests[i].rate * w->requests[i].cpu_s;
	}
	svc->service_s = rate > 0 ? dur / rate : w->requests[0].duration_s;
	svc->cpu_s = rate > 0 ? cpu / rate : w->requests[0].cpu_s;
	svc->concurrency = (app->workers ? app->workers : 1) * (app->concurrency ? app->concurrency : 1);
	svc->cv = 1;
	const struct calibration *c = &cfg->calibration;
	if (c->present) {
		svc->service_s = c->service_s;
		if (c->has_service_cv)
			svc->cv = c->service_cv;
		if (c->cpu_s > 0)
			svc->cpu_s = c->cpu_s;
		if (c->concurrency >= 1)
			svc->concurrency = (unsigned)lround(c->concurrency);
	}
	if (svc->cpu_s > svc->service_s)
		svc->cpu_s = svc->service_s;
	*price_hour = NAN;
	*currency = NULL;
	struct planning ps = {0};
	int rc = planning_catalog(&ps, cfg, d);
	if (rc == 0) {
		for (size_t i = 0; i < cfg->deployment.n_current; i++) {
			const struct node_group *g = &cfg->deployment.current[i];
			if (strcmp(g->role, "app") != 0 && strcmp(g->role, "all") != 0)
				continue;
			const struct offer *o = catalog_find(&ps.cat, NULL, g->plan);
			if (o) {
				*price_hour = o->price / UNITS_HOURS_PER_MONTH;
				*currency = cfg->economics.currency[0] ? cfg->economics.currency : "USD";
				svc->cores = o->vcpu;
			}
			break;
		}
	}
	planning_free(&ps);
	return rc;
}

int simulate_prepare(const struct trace *tr, const char *trace_name, const struct sim_service *svc,
		     const struct sim_params *p, long max_replicas, const char *service, struct diag *d,
		     struct simulate_setup *out)
{
	memset(out, 0, sizeof(*out));
	const char *big = sim_check_ticks(p, tr->n);
	if (big) {
		diag_error(d, "%s: %s", trace_name, big);
		return HR_E_TOO_LARGE;
	}
	for (size_t i = 0; i < tr->n; i++)
		out->peak_rps = fmax(out->peak_rps, tr->requests[i] / tr->bucket_s * p->scale);
	double alone = sim_queue_p95(svc, 0);
	if (alone > p->slo_p95_s) {
		char a[32], b[32];
		diag_error(d, "a request alone has a p95 of %s (service %s, cv %g), above the SLO p95 <= %s: no number of replicas meets it",
			   units_fmt_duration3(alone, a, sizeof(a)), service, svc->cv,
			   units_fmt_duration3(p->slo_p95_s, b, sizeof(b)));
		return HR_E_INFEASIBLE;
	}
	int peak_n = sim_replicas_for(svc, out->peak_rps, p->slo_p95_s, SIM_REPLICAS_MAX);
	if (peak_n == 0) {
		diag_error(d, "%s: the busiest bucket (%.4g req/s) needs more than 100000 replicas to meet p95 <= %g s; lower --scale",
			   trace_name, out->peak_rps, p->slo_p95_s);
		return HR_E_INFEASIBLE;
	}
	out->peak_n = peak_n;
	out->max = max_replicas ? (int)max_replicas : (peak_n * 2 > peak_n + 4 ? peak_n * 2 : peak_n + 4);
	/* Autoscalers start where a team would switch them on: the count the
	 * busiest bucket needs of those before a policy could have reacted
	 * (sync, metric lag and start-up), so a replay does not open with a
	 * backlog no policy could have avoided. */
	double react = p->sync_s + p->metric_lag_s + p->startup_s, early = 0;
	for (size_t i = 0; i < tr->n && (double)i * tr->bucket_s <= react; i++)
		early = fmax(early, tr->requests[i] / tr->bucket_s * p->scale);
	out->first = sim_replicas_for(svc, early, p->slo_p95_s, out->max);
	return 0;
}

/* config:NAME: the limits, behavior, tolerance and cooldown of the config's
 * autoscale.services.NAME, scaling (as KEDA) on work in flight per replica
 * at its first metric's per-replica target, plus the forecast when it is
 * predictive. What the loop would run, on the simulator's metric. */
static int config_policy(const char *spec, const char *svc_name, const struct config *cfg, struct sim_policy *pol,
			 char **why)
{
	if (!cfg || !cfg->autoscale.present)
		return fail(why, "--policy '%s': needs -f FILE with an autoscale: section", spec);
	const struct autoscale_config *ac = &cfg->autoscale;
	for (size_t i = 0; i < ac->n_services; i++) {
		const struct autoscale_service_config *c = &ac->services[i];
		if (strcmp(c->name, svc_name) != 0)
			continue;
		memset(pol, 0, sizeof(*pol));
		pol->kind = c->predictive ? SIM_PREDICTIVE_KEDA : SIM_KEDA;
		autoscale_spec_from(c, 0, &pol->spec);
		double t = c->n_metrics ? c->metrics[0].target_average : 0;
		if (!(t > 0))
			return fail(why, "--policy '%s': autoscale.services.%s has no per-replica target (target_average) to read as work in flight",
				    spec, svc_name);
		pol->target = t;
		pol->replicas = pol->spec.min_replicas;
		return 0;
	}
	return fail(why, "--policy '%s': no autoscale.services.%s in the config", spec, svc_name);
}

/* static:N or static:peak. */
static int static_policy(const char *spec, const char *arg, int peak, struct sim_policy *pol, char **why)
{
	memset(pol, 0, sizeof(*pol));
	pol->kind = SIM_STATIC;
	if (!arg)
		return fail(why, "--policy '%s': static needs a count, static:N or static:peak", spec);
	if (strcmp(arg, "peak") == 0) {
		pol->replicas = peak;
		return 0;
	}
	char *end;
	long n = strtol(arg, &end, 10);
	if (*arg == '\0' || *end || n < 1 || n > SIM_REPLICAS_MAX)
		return fail(why, "--policy '%s': expected static:N with N from 1 to 100000, or static:peak", spec);
	pol->replicas = (int)n;
	return 0;
}

/* hpa, keda or predictive, with headroom's defaults or :target=V. */
static int scaler_policy(const char *spec, const char *kind, const char *arg, const struct sim_service *svc, int max,
			 struct sim_policy *pol, char **why)
{
	enum sim_policy_kind k;
	if (strcmp(kind, "hpa") == 0)
		k = SIM_HPA;
	else if (strcmp(kind, "keda") == 0)
		k = SIM_KEDA;
	else if (strcmp(kind, "predictive") == 0)
		k = SIM_PREDICTIVE;
	else
		return fail(why, "--policy '%s': unknown policy '%s'; expected static:N, static:peak, hpa, keda or predictive",
			    spec, kind);
	sim_policy_defaults(pol, k, svc, max);
	if (!arg)
		return 0;
	if (strncmp(arg, "target=", 7) != 0)
		return fail(why, "--policy '%s': expected %s:target=VALUE", spec, kind);
	const char *v = arg + 7, *w;
	double t;
	if (k == SIM_KEDA) {
		if (units_parse_number(v, &t, &w) != 0 || !(t > 0))
			return fail(why, "--policy '%s': expected requests in flight per replica, more than 0", spec);
	} else {
		if (units_parse_ratio(v, &t, &w) != 0 || !(t > 0 && t <= 1))
			return fail(why, "--policy '%s': expected a CPU target such as 70%%", spec);
		t *= 100;
	}
	pol->target = t;
	return 0;
}

/* A policy from its spelling. */
static int parse_policy(const char *spec, const struct sim_service *svc, const struct simulate_setup *su,
			const struct config *cfg, struct sim_policy *pol, char **why)
{
	char kind[32];
	const char *colon = strchr(spec, ':');
	size_t kl = colon ? (size_t)(colon - spec) : strlen(spec);
	if (kl == 0 || kl >= sizeof(kind))
		return fail(why, "--policy '%s': expected static:N, static:peak, hpa, keda or predictive", spec);
	memcpy(kind, spec, kl);
	kind[kl] = '\0';
	const char *arg = colon ? colon + 1 : NULL;
	if (strcmp(kind, "config") == 0) {
		if (!arg || !*arg)
			return fail(why, "--policy '%s': expected config:SERVICE, a service of autoscale.services", spec);
		return config_policy(spec, arg, cfg, pol, why);
	}
	if (strcmp(kind, "static") == 0)
		return static_policy(spec, arg, su->peak_n, pol, why);
	return scaler_policy(spec, kind, arg, svc, su->max, pol, why);
}

int simulate_policy(const char *spec, const struct sim_service *svc, const struct sim_params *p,
		    const struct simulate_setup *su, const struct config *cfg, struct sim_policy *pol, char **why)
{
	*why = NULL;
	int rc = parse_policy(spec, svc, su, cfg, pol, why);
	if (rc)
		return rc;
	if (pol->kind != SIM_STATIC) {
		pol->replicas = su->first ? su->first : pol->spec.max_replicas;
		if (pol->replicas > pol->spec.max_replicas)
			pol->replicas = pol->spec.max_replicas;
		if (pol->replicas < pol->spec.min_replicas)
			pol->replicas = pol->spec.min_replicas;
	}
	const char *bad = sim_check(svc, p, pol);
	return bad ? fail(why, "--policy '%s': %s", spec, bad) : 0;
}

int simulate_replay(const struct trace *tr, const struct sim_service *svc, const struct sim_params *p,
		    const struct sim_policy *pols, size_t n, struct sim_result *res, struct sim_series *series,
		    size_t *failed)
{
	for (size_t i = 0; i < n; i++) {
		void *work = xcalloc(1, sim_workspace_size(p, &pols[i], tr->n));
		struct sim_series *sp = NULL;
		if (series) {
			size_t ticks = sim_ticks(p, tr->n);
			series[i].replicas = xcalloc(ticks + 1, sizeof(int));
			series[i].p95_s = xcalloc(ticks + 1, sizeof(double));
			series[i].demand = i == 0 ? xcalloc(ticks + 1, sizeof(double)) : NULL;
			sp = &series[i];
		}
		int rc = sim_run(tr->requests, tr->n, svc, p, &pols[i], work, &res[i], sp);
		free(work);
		if (rc) {
			*failed = i;
			return rc;
		}
	}
	return 0;
}

void simulate_series_free(struct sim_series *series, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		free(series[i].replicas);
		free(series[i].p95_s);
		free(series[i].demand);
	}
}
