/* availability.c - availability from failures and recoveries (see availability.h).
 * Formulas and defaults with their sources: availability.h, docs/plan.md
 * ("Availability") and docs/sla.md. */
#include "model/availability.h"

#include <math.h>
#include <string.h>

#include "util/units.h"

#define YEAR_S (365 * 86400.0)
#define MONTH_S UNITS_SECONDS_PER_MONTH

static bool prob_ok(double a)
{
	return a >= 0 && a <= 1; /* false for NAN too */
}

double avail_series(const double *a, size_t n)
{
	double prod = 1.0;
	for (size_t i = 0; i < n; i++) {
		if (!prob_ok(a[i]))
			return NAN;
		prod *= a[i];
	}
	return prod;
}

double avail_parallel(const double *a, size_t n)
{
	/* Down only when every part is down: U = prod (1 - A_i). */
	double u = 1.0;
	for (size_t i = 0; i < n; i++) {
		if (!prob_ok(a[i]))
			return NAN;
		u *= 1.0 - a[i];
	}
	return 1.0 - u;
}

/* P(fewer than k of n up) = sum_{j<k} C(n,j) a^j (1-a)^(n-j), the failure
 * side of the binomial (headroom default: the units fail independently, as
 * docs/sla.md takes them): its terms are small and summed, not subtracted
 * from 1. C(n,j) by the multiplicative recurrence stays below 2.7e299 for
 * n <= 1000, and the powers are at most 1, so nothing overflows; no
 * factorials. */
static double k_of_n_unavail(unsigned k, unsigned n, double a)
{
	if (k == 0)
		return 0.0;
	if (k > n || a == 0)
		return 1.0;
	if (a == 1)
		return 0.0;
	double u1 = 1.0 - a, choose = 1.0, u = 0;
	for (unsigned j = 0; j < k; j++) {
		u += choose * pow(a, (double)j) * pow(u1, (double)(n - j));
		choose = choose * (double)(n - j) / (double)(j + 1); /* C(n,j+1) from C(n,j) */
	}
	return u > 1.0 ? 1.0 : u;
}

double avail_k_of_n(unsigned k, unsigned n, double a)
{
	if (!prob_ok(a))
		return NAN;
	return 1.0 - k_of_n_unavail(k, n, a);
}

double avail_downtime_s(double a, double period_s)
{
	if (!prob_ok(a) || !(period_s >= 0))
		return NAN;
	return (1.0 - a) * period_s;
}

double avail_downtime_min_month(double a)
{
	return avail_downtime_s(a, MONTH_S) / 60.0;
}

double avail_from_mtbf(double mtbf_s, double mttr_s)
{
	if (!(mtbf_s >= 0) || !(mttr_s >= 0) || !(mtbf_s + mttr_s > 0) || !isfinite(mtbf_s) ||
	    !isfinite(mttr_s))
		return NAN;
	return mtbf_s / (mtbf_s + mttr_s);
}

/* --- parts ---------------------------------------------------------------- */

static bool time_ok(double s)
{
	return s >= 0 && isfinite(s);
}

static int check_part(const struct avail_part *p, const char **why)
{
	if (p->count < 1 || p->count > AVAIL_MAX_COUNT) {
		*why = "count must be between 1 and 1000";
		return HR_E_INVALID;
	}
	if (p->k_needed < 1 || p->k_needed > p->count) {
		*why = "the units needed must be between 1 and the count";
		return HR_E_INVALID;
	}
	if (!(p->peak_share >= 0 && p->peak_share <= 1)) {
		*why = "the peak's share of the time must be between 0% and 100%";
		return HR_E_INVALID;
	}
	if (!(p->max_u >= 0 && p->max_u <= 1)) {
		*why = "a published SLA must be between 0% and 100%";
		return HR_E_INVALID;
	}
	if (p->n_causes > AVAIL_MAX_CAUSES) {
		*why = "too many causes";
		return HR_E_INVALID;
	}
	if (p->n_causes == 0) {
		if (!prob_ok(p->availability)) {
			*why = "availability must be between 0% and 100%";
			return HR_E_INVALID;
		}
		if (p->mode == AVAIL_FAILOVER && p->count > 1) {
			*why = "failover needs a failure rate: an availability does not say how often the active unit fails";
			return HR_E_INVALID;
		}
		return 0;
	}
	for (size_t i = 0; i < p->n_causes; i++) {
		const struct avail_cause *c = &p->causes[i];
		if (!time_ok(c->rate)) {
			*why = "a failure rate must be a finite rate, 0 or more";
			return HR_E_INVALID;
		}
		if (!time_ok(c->down_s) || !time_ok(c->takeover_s)) {
			*why = "repair, detection and failover times must be finite durations";
			return HR_E_INVALID;
		}
	}
	if (p->mode == AVAIL_FAILOVER && p->count > 1 && p->k_needed != 1) {
		*why = "failover needs a standby: at least 2 units, of which 1 is needed";
		return HR_E_INVALID;
	}
	return 0;
}

/* x / (1 + x): the share of time down of a unit that is out x times its time up. */
static double down_share(double x)
{
	return isfinite(x) ? x / (1 + x) : 1.0;
}

/* Spread u over the causes in proportion to w (their weights); when every
 * weight is 0, to the first cause. */
static void spread(double u, const double *w, size_t n, double *out)
{
	double sum = 0;
	for (size_t i = 0; i < n; i++)
		sum += w[i];
	for (size_t i = 0; i < n; i++)
		out[i] += sum > 0 ? u * (w[i] / sum) : (i == 0 ? u : 0);
}

int avail_part_eval(const struct avail_part *p, struct avail_part_u *out, const char **why)
{
	*why = NULL;
	memset(out, 0, sizeof(*out));
	int rc = check_part(p, why);
	if (rc)
		return rc;
	unsigned n = p->count, k = p->k_needed;
	double s = p->peak_share > 0 ? p->peak_share : 1;
	double u;
	if (p->n_causes == 0) {
		/* A fixed figure: k of n on it (a fixed unit has no takeover to count). */
		double u1 = 1 - p->availability;
		out->unit_u = u1;
		u = n == 1 ? u1 : s * k_of_n_unavail(k, n, p->availability) + (1 - s) * k_of_n_unavail(1, n, p->availability);
		out->cause_u[0] = u;
	} else {
		size_t nc = p->n_causes;
		double w_all[AVAIL_MAX_CAUSES] = {0}, w_unpl[AVAIL_MAX_CAUSES] = {0}, w_take[AVAIL_MAX_CAUSES] = {0},
		       w_plan[AVAIL_MAX_CAUSES] = {0};
		double x_all = 0, x = 0, y = 0, planned = 0;
		for (size_t i = 0; i < nc; i++) {
			const struct avail_cause *c = &p->causes[i];
			double t = fmin(c->takeover_s, c->down_s);
			w_all[i] = c->rate * c->down_s;
			x_all += w_all[i];
			if (c->planned) {
				w_plan[i] = c->rate * t; /* a pair switches over; a pool rolls it through */
				planned += w_plan[i];
			} else {
				w_unpl[i] = c->rate * c->down_s;
				w_take[i] = c->rate * t;
				x += w_unpl[i];
				y += w_take[i];
			}
		}
		/* One unit alone: failure modes in competition, A = 1 / (1 + sum rate * down). */
		double u1 = down_share(x_all);
		double uu = down_share(x); /* unplanned only: what redundancy works on */
		out->unit_u = uu;
		out->x = x_all;
		out->single_u = u1;
		if (n == 1) {
			u = u1;
			out->as_single = true;
			spread(u, w_all, nc, out->cause_u);
		} else {
			double a = 1 - uu, take = down_share(y), structural;
			if (p->mode == AVAIL_POOL) {
				/* k at the peak, one otherwise; plus the failed unit's share of
				 * the traffic until the health check takes it out. */
				structural = s * k_of_n_unavail(k, n, a) + (1 - s) * k_of_n_unavail(1, n, a);
				planned = 0;
			} else {
				/* All units down at once, plus a failover for each failure (and
				 * each planned restart) of the active unit. */
				structural = pow(uu, (double)n);
			}
			double pooled = structural + take + planned;
			out->structural_u = structural;
			out->takeover_u = take;
			out->planned_u = planned;
			if (pooled < u1) {
				u = pooled;
				spread(structural, w_unpl, nc, out->cause_u);
				spread(take, w_take, nc, out->cause_u);
				if (planned > 0)
					spread(planned, w_plan, nc, out->cause_u);
			} else {
				/* Redundancy that cannot beat one unit (a takeover as slow as the
				 * repair) is no worse than one unit. */
				u = u1;
				out->as_single = true;
				spread(u, w_all, nc, out->cause_u);
			}
		}
	}
	if (p->max_u > 0 && u > p->max_u) {
		double f = p->max_u / u;
		for (size_t i = 0; i < AVAIL_MAX_CAUSES; i++)
			out->cause_u[i] *= f;
		u = p->max_u;
		out->bounded = true;
	}
	out->u = u > 1 ? 1 : u;
	return 0;
}

int avail_compose(const struct avail_part *parts, size_t n, struct avail_part_u *each, double *total_u,
		  size_t *index, const char **why)
{
	double log_up = 0; /* log of prod (1 - U_i) */
	for (size_t i = 0; i < n; i++) {
		struct avail_part_u r;
		int rc = avail_part_eval(&parts[i], &r, why);
		if (rc != 0) {
			if (index)
				*index = i;
			return rc;
		}
		if (each)
			each[i] = r;
		log_up += log1p(-r.u);
	}
	*total_u = -expm1(log_up);
	return 0;
}

int avail_breakdown(const struct avail_part *parts, size_t n, struct avail_breakdown *out, const char **why)
{
	memset(out, 0, sizeof(*out));
	struct avail_part_u each[AVAIL_STAGE_PARTS];
	if (n > AVAIL_STAGE_PARTS) {
		*why = "too many parts";
		return HR_E_INVALID;
	}
	int rc = avail_compose(parts, n, each, &out->total_u, NULL, why);
	if (rc)
		return rc;
	for (size_t i = 0; i < n; i++) {
		size_t nc = parts[i].n_causes ? parts[i].n_causes : 1;
		for (size_t j = 0; j < nc && out->n < AVAIL_LINES_MAX; j++) {
			if (!(each[i].cause_u[j] > 0))
				continue;
			const char *cause = parts[i].n_causes ? parts[i].causes[j].name
				: parts[i].fixed_cause ? parts[i].fixed_cause : "unit";
			out->line[out->n++] = (struct avail_line){.part = parts[i].name, .cause = cause, .u = each[i].cause_u[j]};
		}
	}
	return 0;
}

/* --- defaults ------------------------------------------------------------- */

void avail_defaults(struct reliability *r)
{
	/* Each value and its source: config/schema_objectives.c (reliability keys) and
	 * docs/config.md; a unit test checks the two agree. */
	*r = (struct reliability){
		.node_failures = 2 / YEAR_S,
		.app_failures = 24 / YEAR_S,
		.detection_s = 5 * 60.0,
		.unmonitored_s = 4 * 3600.0,
		.response_s = 2 * 3600.0,
		.repair_s = 30 * 60.0,
		.rebuild_s = 3 * 3600.0,
		.provision_s = 5 * 60.0,
		.restore_bps = 25e6,
		.wal_replay_s = 0,
		.deploys = 20 / MONTH_S,
		.restart_s = 30,
		.change_failure = 0.05,
		.rollback_s = 10 * 60.0,
		.patch_reboots = 1 / MONTH_S,
		.reboot_s = 2 * 60.0,
		.lb_failover_s = 60,
		.db_failover_s = 45,
		.managed_failover_s = 120,
		.cache_failover_s = 40,
		.pod_restart_s = 30,
		.reschedule_s = 340,
		.zone_outages = 1 / YEAR_S,
		.zone_outage_s = 2 * 3600.0,
	};
}

/* --- a stage as parts ------------------------------------------------------ */

static void add_cause(struct avail_part *p, const char *name, double rate, double down_s, double takeover_s,
		      bool planned)
{
	if (p->n_causes < AVAIL_MAX_CAUSES)
		p->causes[p->n_causes++] = (struct avail_cause){
			.name = name, .rate = rate, .down_s = down_s, .takeover_s = takeover_s, .planned = planned};
}

static struct avail_part unit_part(const char *name)
{
	return (struct avail_part){.name = name, .count = 1, .k_needed = 1, .mode = AVAIL_POOL};
}

/* A part that is all the provider's: its published SLA, or the lowest
 * published for its kind (availability.h). */
static struct avail_part provider_part(const char *name, double sla, double unpublished)
{
	struct avail_part p = unit_part(name);
	/* A published "100 %" (Vultr) is a credit promise, not a failure rate. */
	p.availability = sla > 0 ? fmin(sla, AVAIL_PUBLISHED_MAX) : unpublished;
	p.fixed_cause = sla > 0 ? "published SLA" : "no SLA published, taken at the lowest published";
	return p;
}

/* The time to restore the database from its backup: the data at the
 * restore rate, then the WAL (headroom default: a restore is bounded by the
 * bytes it loads and the WAL it replays). */
static double restore_s(const struct reliability *r, const struct avail_stage *st)
{
	double bytes = st->db_bytes > 0 ? st->db_bytes : 0;
	return (r->restore_bps > 0 ? bytes / r->restore_bps : 0) + r->wal_replay_s;
}

/* From a failure to a person at work on it: an alert, then the response; or,
 * unwatched, until someone (already there) notices. */
static double person_s(const struct reliability *r, const struct avail_stage *st)
{
	return st->monitored ? r->detection_s + r->response_s : r->unmonitored_s;
}

/* The app tier: who notices a failure and who brings the unit back. */
static struct avail_part app_part(const struct reliability *r, const struct avail_stage *st, bool kubernetes)
{
	double person = person_s(r, st);
	struct avail_part p = unit_part(st->single_node ? "node" : "app");
	p.count = st->app_nodes;
	p.k_needed = st->app_needed;
	p.peak_share = st->peak_share;
	if (kubernetes) {
		/* Pods of a dead node move after the eviction timeout; a failed pod is
		 * taken out by its readiness probe and restarted by its liveness probe. */
		add_cause(&p, "host", r->node_failures, r->reschedule_s, r->pod_restart_s, false);
		add_cause(&p, "software", r->app_failures, r->pod_restart_s, r->pod_restart_s, false);
		return p;
	}
	double host_down;
	if (!st->monitored)
		host_down = person + r->rebuild_s; /* no backup, no image: set up again by hand */
	else
		host_down = person + r->provision_s + (st->db == AVAIL_DB_ON_NODE ? restore_s(r, st) : 0);
	/* Behind a load balancer its health check takes a failed node out; the
	 * node itself waits for a person. */
	double take = st->lb ? r->lb_failover_s : 0;
	add_cause(&p, "host", r->node_failures, host_down, take, false);
	add_cause(&p, "software", r->app_failures, person + r->repair_s, take, false);
	/* Planned: an in-place `docker compose up` (it stops and recreates the
	 * changed containers: https://docs.docker.com/compose/reference/up) and OS
	 * patch reboots stop one node; two or more roll through them. */
	add_cause(&p, "deploys", r->deploys, r->restart_s, 0, true);
	add_cause(&p, "reboots", r->patch_reboots, r->reboot_s, 0, true);
	return p;
}

/* The app tier as if a person repaired it: what it is while the control
 * plane is down. */
static double manual_app_u(const struct reliability *r, const struct avail_stage *st)
{
	struct avail_part manual = app_part(r, st, false);
	struct avail_part_u mu;
	const char *why;
	return avail_part_eval(&manual, &mu, &why) == 0 ? mu.u : 1;
}

/* Common mode: the provider's location. A server plan's published SLA
 * bounds the provider's share of each server's downtime, so this share too. */
static struct avail_part zone_part(const struct reliability *r, const struct avail_stage *st)
{
	struct avail_part zone = unit_part("zone");
	add_cause(&zone, "outage", r->zone_outages, r->zone_outage_s, 0, false);
	if (st->node_sla > 0 && st->node_sla < 1)
		zone.max_u = 1 - st->node_sla;
	return zone;
}

/* The database, when it is a part of its own; false when it is not. */
static bool db_part(const struct reliability *r, const struct avail_stage *st, struct avail_part *db)
{
	double person = person_s(r, st);
	*db = unit_part("db");
	switch (st->db) {
	case AVAIL_DB_NONE:
	case AVAIL_DB_ON_NODE:
		return false;
	case AVAIL_DB_NODE:
		add_cause(db, "host", r->node_failures, person + r->provision_s + restore_s(r, st), 0, false);
		add_cause(db, "reboots", r->patch_reboots, r->reboot_s, 0, true);
		return true;
	case AVAIL_DB_PAIR:
		/* Patroni promotes the standby (ttl, loop_wait:
		 * https://patroni.readthedocs.io/en/latest/dynamic_configuration.html);
		 * the failed node is rebuilt by a person from a base backup (headroom
		 * default: nothing in a self-run pair rebuilds it unattended). */
		db->count = 2;
		db->mode = AVAIL_FAILOVER;
		add_cause(db, "host", r->node_failures, person + r->provision_s + restore_s(r, st), r->db_failover_s,
			  false);
		add_cause(db, "reboots", r->patch_reboots, r->reboot_s, r->db_failover_s, true);
		return true;
	case AVAIL_DB_MANAGED:
		/* The provider notices, replaces the node and restores it: no person. */
		add_cause(db, "host", r->node_failures, r->detection_s + r->provision_s + restore_s(r, st), 0, false);
		add_cause(db, "maintenance", r->patch_reboots, r->reboot_s, 0, true);
		break;
	case AVAIL_DB_MANAGED_HA:
		db->count = 2;
		db->mode = AVAIL_FAILOVER;
		add_cause(db, "host", r->node_failures, r->detection_s + r->provision_s + restore_s(r, st),
			  r->managed_failover_s, false);
		add_cause(db, "maintenance", r->patch_reboots, r->reboot_s, r->managed_failover_s, true);
		break;
	}
	if (st->db_sla > 0 && st->db_sla < 1)
		db->max_u = 1 - st->db_sla;
	return true;
}

/* Redis, when it is a part of its own; false when it is not. */
static bool cache_part(const struct reliability *r, const struct avail_stage *st, struct avail_part *cache)
{
	*cache = unit_part("cache");
	switch (st->cache) {
	case AVAIL_CACHE_NONE:
	case AVAIL_CACHE_ON_NODE:
		return false;
	case AVAIL_CACHE_ONE_NODE:
		if (st->kubernetes) {
			/* A Redis pod moves with its node; a drain restarts it elsewhere. */
			add_cause(cache, "host", r->node_failures, r->reschedule_s, 0, false);
			add_cause(cache, "reboots", r->patch_reboots, r->pod_restart_s, 0, true);
		} else {
			/* One Redis on one app node: a person starts it elsewhere. */
			add_cause(cache, "host", r->node_failures, person_s(r, st) + r->repair_s, 0, false);
			add_cause(cache, "reboots", r->patch_reboots, r->reboot_s, 0, true);
		}
		return true;
	case AVAIL_CACHE_MANAGED:
		add_cause(cache, "host", r->node_failures, r->detection_s + r->provision_s, 0, false);
		add_cause(cache, "maintenance", r->patch_reboots, r->reboot_s, 0, true);
		break;
	case AVAIL_CACHE_MANAGED_HA:
		cache->count = 2;
		cache->mode = AVAIL_FAILOVER;
		add_cause(cache, "host", r->node_failures, r->detection_s + r->provision_s, r->cache_failover_s, false);
		add_cause(cache, "maintenance", r->patch_reboots, r->reboot_s, r->cache_failover_s, true);
		break;
	case AVAIL_CACHE_SENTINEL:
		/* A primary and a replica on two app nodes: Sentinel promotes the
		 * replica; the failed one waits for its node (a person, or Kubernetes). */
		cache->count = 2;
		cache->mode = AVAIL_FAILOVER;
		add_cause(cache, "host", r->node_failures,
			  st->kubernetes ? r->reschedule_s : person_s(r, st) + r->repair_s, r->cache_failover_s, false);
		add_cause(cache, "reboots", r->patch_reboots, r->reboot_s, r->cache_failover_s, true);
		return true;
	}
	if (st->cache_sla > 0 && st->cache_sla < 1)
		cache->max_u = 1 - st->cache_sla;
	return true;
}

/* Read replicas: a pool carrying the reads, k of n needed. A replica is
 * rebuilt from a base backup (a managed one by its provider); until the
 * application's read pool or the pooler stops sending it queries (a health
 * check, as a load balancer's), its share of the reads fails. */
static bool replicas_part(const struct reliability *r, const struct avail_stage *st, struct avail_part *rep)
{
	if (st->db_replicas == 0)
		return false;
	bool managed = st->db == AVAIL_DB_MANAGED || st->db == AVAIL_DB_MANAGED_HA;
	*rep = unit_part("replicas");
	rep->count = st->db_replicas;
	rep->k_needed = st->db_replicas_needed;
	rep->peak_share = st->peak_share;
	double rebuild = (managed ? r->detection_s : person_s(r, st)) + r->provision_s + restore_s(r, st);
	add_cause(rep, "host", r->node_failures, rebuild, r->lb_failover_s, false);
	add_cause(rep, managed ? "maintenance" : "reboots", r->patch_reboots, r->reboot_s, 0, true);
	return true;
}

/* Running pods keep serving while the control plane is down (headroom
 * default: the kubelets keep their pods running without it); only repairs
 * stop: for that time the app tier is as if a person had to repair it.
 * U = U_cp x U_app(manual). */
static struct avail_part control_plane_part(const struct avail_stage *st, double manual_u)
{
	double a_cp = st->k8s_sla > 0 ? st->k8s_sla : AVAIL_K8S_UNPUBLISHED;
	struct avail_part cp = unit_part("control-plane");
	cp.availability = 1 - (1 - a_cp) * manual_u;
	cp.fixed_cause = "no self-healing while down";
	return cp;
}

/* Common mode: a release or config change reaches every replica at once.
 * The deployer is watching it, so it is noticed as fast as a monitor would,
 * and rolled back. */
static struct avail_part releases_part(const struct reliability *r)
{
	struct avail_part rel = unit_part("releases");
	add_cause(&rel, "bad release", r->deploys * r->change_failure, r->detection_s + r->rollback_s, 0, false);
	return rel;
}

static bool stage_ok(const struct avail_stage *st)
{
	return st->app_nodes >= 1 && st->app_nodes <= AVAIL_MAX_COUNT && st->app_needed >= 1 &&
	       st->app_needed <= st->app_nodes && st->peak_share >= 0 && st->peak_share <= 1 &&
	       st->db_replicas <= AVAIL_MAX_COUNT &&
	       (st->db_replicas == 0 || (st->db_replicas_needed >= 1 && st->db_replicas_needed <= st->db_replicas));
}

int avail_stage_parts(const struct reliability *r, const struct avail_stage *st, struct avail_part *parts,
		      size_t *np)
{
	size_t n = 0;
	*np = 0;
	if (!stage_ok(st))
		return HR_E_INVALID;
	parts[n++] = zone_part(r, st);
	parts[n++] = app_part(r, st, st->kubernetes); /* at AVAIL_APP_PART */
	if (db_part(r, st, &parts[n]))
		n++;
	if (replicas_part(r, st, &parts[n]))
		n++;
	if (cache_part(r, st, &parts[n]))
		n++;
	if (st->lb)
		parts[n++] = provider_part("lb", st->lb_sla, AVAIL_LB_UNPUBLISHED);
	if (st->kubernetes)
		parts[n++] = control_plane_part(st, manual_app_u(r, st));
	parts[n++] = releases_part(r);
	*np = n;
	return 0;
}

static int add_log(const struct avail_part *p, double *log_up)
{
	struct avail_part_u e;
	const char *why;
	int rc = avail_part_eval(p, &e, &why);
	if (!rc)
		*log_up += log1p(-e.u);
	return rc;
}

int avail_stage_u(const struct reliability *r, const struct avail_stage *st, struct avail_memo *memo, double *u)
{
	if (!stage_ok(st))
		return HR_E_INVALID;
	struct avail_memo local = {0};
	if (!memo)
		memo = &local;
	int rc;
	if (!memo->done) {
		/* Everything but the database and the cache: the same for every
		 * database and cache option of one app tier. */
		double log_up = 0;
		struct avail_part p = zone_part(r, st);
		if ((rc = add_log(&p, &log_up)) != 0)
			return rc;
		p = app_part(r, st, st->kubernetes);
		if ((rc = add_log(&p, &log_up)) != 0)
			return rc;
		if (st->lb) {
			p = provider_part("lb", st->lb_sla, AVAIL_LB_UNPUBLISHED);
			if ((rc = add_log(&p, &log_up)) != 0)
				return rc;
		}
		if (st->kubernetes) {
			p = control_plane_part(st, manual_app_u(r, st));
			if ((rc = add_log(&p, &log_up)) != 0)
				return rc;
		}
		p = releases_part(r);
		if ((rc = add_log(&p, &log_up)) != 0)
			return rc;
		memo->log_up = log_up;
		memo->done = true;
	}
	double log_up = memo->log_up;
	struct avail_part p;
	if (db_part(r, st, &p) && (rc = add_log(&p, &log_up)) != 0)
		return rc;
	if (replicas_part(r, st, &p) && (rc = add_log(&p, &log_up)) != 0)
		return rc;
	if (cache_part(r, st, &p) && (rc = add_log(&p, &log_up)) != 0)
		return rc;
	*u = -expm1(log_up);
	return 0;
}
