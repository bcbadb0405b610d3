/* rules.c - trigger evaluation (levels, `for`, hysteresis), the default
 * policy, and the merge of the user's triggers over it (see rules.h). */
#include "model/rules.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "util/xalloc.h"

const char *rules_state_name(enum trigger_state s)
{
	switch (s) {
	case TRIG_OK: return "ok";
	case TRIG_WARN: return "warning";
	case TRIG_CRIT: return "critical";
	case TRIG_UNKNOWN: return "unknown";
	}
	return "unknown";
}

const char *rules_state_label(enum trigger_state s)
{
	switch (s) {
	case TRIG_OK: return "OK";
	case TRIG_WARN: return "WARNING";
	case TRIG_CRIT: return "CRITICAL";
	case TRIG_UNKNOWN: return "UNKNOWN";
	}
	return "UNKNOWN";
}

void rules_eval_init(struct rule_eval *e)
{
	e->state = TRIG_OK;
	e->since = NAN;
	e->beyond_since[0] = e->beyond_since[1] = NAN;
	e->last_t = NAN;
	e->value = NAN;
}

bool rules_beyond(const struct trigger_rule *r, double level, double v)
{
	if (isnan(level) || isnan(v))
		return false;
	return r->dir == TRIGGER_ABOVE ? v > level : v < level;
}

/* Back inside the level by the hysteresis band (a fraction of the level). */
static bool cleared(const struct trigger_rule *r, double level, double v)
{
	double band = fabs(level) * (r->hysteresis > 0 ? r->hysteresis : 0);
	return r->dir == TRIGGER_ABOVE ? v <= level - band : v >= level + band;
}

bool rules_step(const struct trigger_rule *r, struct rule_eval *e, double t, double v, double max_gap_s)
{
	if (isnan(v))
		return false;
	bool gap = !isnan(e->last_t) && max_gap_s > 0 && t - e->last_t > max_gap_s;
	const double levels[2] = {r->warn, r->crit};
	enum trigger_state state = TRIG_OK;
	for (int i = 0; i < 2; i++) {
		if (isnan(levels[i]))
			continue; /* a level the rule does not have is never active */
		bool active = e->state >= (enum trigger_state)(TRIG_WARN + i);
		if (active) {
			/* An active level stays until the value clears the band. */
			if (cleared(r, levels[i], v)) {
				active = false;
				e->beyond_since[i] = NAN;
			}
		} else if (rules_beyond(r, levels[i], v)) {
			if (isnan(e->beyond_since[i]) || gap)
				e->beyond_since[i] = t;
			active = t - e->beyond_since[i] >= (r->for_s > 0 ? r->for_s : 0);
		} else {
			e->beyond_since[i] = NAN;
		}
		if (active)
			state = (enum trigger_state)(TRIG_WARN + i);
	}
	e->last_t = t;
	e->value = v;
	if (state != e->state || isnan(e->since)) {
		bool changed = state != e->state;
		e->state = state;
		e->since = t;
		return changed;
	}
	return false;
}

void rules_replay(const struct trigger_rule *r, struct rule_eval *e, const double *t, const double *v,
		  size_t n, double max_gap_s)
{
	for (size_t i = 0; i < n; i++)
		(void)rules_step(r, e, t[i], v[i], max_gap_s);
}

enum trigger_state rules_pending(const struct trigger_rule *r, const struct rule_eval *e)
{
	(void)r;
	for (int i = 1; i >= 0; i--) {
		enum trigger_state lvl = (enum trigger_state)(TRIG_WARN + i);
		if (e->state < lvl && !isnan(e->beyond_since[i]))
			return lvl;
	}
	return TRIG_OK;
}

double rules_pressure(const struct trigger_rule *r, double v)
{
	double level = !isnan(r->warn) ? r->warn : r->crit;
	if (isnan(level) || isnan(v))
		return NAN;
	if (r->dir == TRIGGER_ABOVE)
		return level > 0 ? v / level : NAN;
	return v > 0 ? level / v : INFINITY;
}

const char *rules_validate(const struct trigger_rule *r)
{
	if (!r->metric || !r->metric[0])
		return "a trigger needs a metric";
	if (isnan(r->warn) && isnan(r->crit))
		return "a trigger needs a warn or a crit level";
	if (!isnan(r->warn) && !isnan(r->crit)) {
		if (r->dir == TRIGGER_ABOVE && r->crit < r->warn)
			return "crit must be at or above warn for a trigger that fires above";
		if (r->dir == TRIGGER_BELOW && r->crit > r->warn)
			return "crit must be at or below warn for a trigger that fires below";
	}
	if (!(r->for_s >= 0))
		return "'for' cannot be negative";
	if (!(r->hysteresis >= 0) || r->hysteresis >= 1)
		return "hysteresis is a fraction of the level, from 0 up to (not including) 100%";
	return NULL;
}

/* The default policy (docs/check.md, "Default triggers"): CPU 70/90 %, memory
 * 80/90 %, disk 70/80/90 %, DB connections 70/90 % of the pool, p95
 * 500/1000 ms, error rate 1/5 %, queue depth and wait, request rate and DB
 * size; each rule below says which seed document each number comes from.
 * The `for` durations follow seed 002's Prometheus alerts (5m for latency and
 * errors, 10m for the queue backlog); "sustained" in the seeds is read as 5m
 * for resources and 1h for the traffic-growth signals. */
#define MIN 60.0
static struct trigger_rule defaults[] = {
	{
		.name = "cpu",
		.metric = "cpu.utilization",
		.dir = TRIGGER_ABOVE, .warn = 0.70, .crit = 0.90, .for_s = 5 * MIN, .hysteresis = 0.05,
		.action = "Add workers or upgrade the VPS",
		.origin = "seed 004 (FastAPI + PostgreSQL scaling strategy), monitoring table: "
			  "CPU >70% avg warning, >90% critical; seed 001 (agent platform): target <70% average",
	},
	{
		.name = "memory",
		.metric = "memory.used_ratio",
		.dir = TRIGGER_ABOVE, .warn = 0.80, .crit = 0.90, .for_s = 5 * MIN, .hysteresis = 0.05,
		.action = "Upgrade the VPS RAM",
		.origin = "seed 004 (FastAPI + PostgreSQL scaling strategy), monitoring table: "
			  "memory >80% warning, >90% critical; seed 001 (agent platform): target <80% average",
	},
	{
		.name = "disk",
		.metric = "disk.used_ratio",
		.dir = TRIGGER_ABOVE, .warn = 0.80, .crit = 0.90, .for_s = 5 * MIN, .hysteresis = 0.02,
		.action = "Expand the volume or archive old data",
		.origin = "seed 002 (API + web + workers, VPS to Kubernetes), capacity limits: "
			  "disk 80% used -> expand or archive; seed 001 (agent platform): alert at 80% full; "
			  "90% critical is the policy's last step (docs/check.md)",
	},
	{
		.name = "disk-plan",
		.metric = "disk.used_ratio",
		.dir = TRIGGER_ABOVE, .warn = 0.70, .crit = NAN, .for_s = 60 * MIN, .hysteresis = 0.02,
		.action = "Plan the storage step now: a bigger volume, or move data off the node",
		.origin = "seed 003 (graph + vector databases on 3 VPS), scenario A triggers: "
			  "disk usage >70% on VPS1",
	},
	{
		.name = "db-connections",
		.metric = "postgres.connections.used_ratio",
		.dir = TRIGGER_ABOVE, .warn = 0.70, .crit = 0.90, .for_s = 5 * MIN, .hysteresis = 0.05,
		.action = "Increase the pool or upgrade; put PgBouncer in front of PostgreSQL",
		.origin = "seed 004 (FastAPI + PostgreSQL scaling strategy), monitoring table: "
			  "DB connections >70% pool warning, >90% critical; seed 001 (agent platform): "
			  "PgBouncer connection pooling",
	},
	{
		.name = "latency-p95",
		.metric = "http.p95",
		.dir = TRIGGER_ABOVE, .warn = 0.5, .crit = 1.0, .for_s = 5 * MIN, .hysteresis = 0.1,
		.action = "Add caching, optimize queries",
		.origin = "seed 004 (FastAPI + PostgreSQL scaling strategy), monitoring table: "
			  "P95 >500ms warning, >1000ms critical; seed 002 (API + web + workers): "
			  "HighLatency p95 > 0.5 s for 5m",
	},
	{
		.name = "error-rate",
		.metric = "http.error_ratio",
		.dir = TRIGGER_ABOVE, .warn = 0.01, .crit = 0.05, .for_s = 5 * MIN, .hysteresis = 0.1,
		.action = "Investigate immediately",
		.origin = "seed 004 (FastAPI + PostgreSQL scaling strategy), monitoring table: "
			  "error rate >1% warning, >5% critical; seed 002 (API + web + workers): "
			  "HighErrorRate > 0.05 for 5m",
	},
	{
		.name = "queue-depth",
		.metric = "redis.queue.length",
		.dir = TRIGGER_ABOVE, .warn = 100, .crit = 500, .for_s = 10 * MIN, .hysteresis = 0.1,
		.action = "Add worker replicas; scale workers on queue depth (KEDA listLength)",
		.origin = "seed 001 (agent platform): alert if queue depth >100; seed 002 (API + web + "
			  "workers): QueueBacklog celery_queue_length > 500 for 10m, Stage 2 when the "
			  "worker queue is consistently > 500",
	},
	{
		.name = "queue-wait",
		.metric = "redis.queue.wait",
		.dir = TRIGGER_ABOVE, .warn = 5 * MIN, .crit = NAN, .for_s = 5 * MIN, .hysteresis = 0.1,
		.action = "Add worker replicas or prioritise the queue",
		.origin = "seed 001 (agent platform): alert if wait time >5 minutes",
	},
	{
		.name = "request-rate",
		.metric = "http.request_rate",
		.dir = TRIGGER_ABOVE, .warn = 100, .crit = NAN, .for_s = 60 * MIN, .hysteresis = 0.1,
		.action = "Move to several app nodes behind a load balancer, with managed DB and Redis",
		.origin = "seed 002 (API + web + workers, VPS to Kubernetes): Stage 2 when API requests "
			  "> 100/sec sustained",
	},
	{
		.name = "db-size",
		.metric = "postgres.database.size_bytes",
		.dir = TRIGGER_ABOVE, .warn = 50e9, .crit = NAN, .for_s = 0, .hysteresis = 0.02,
		.action = "Move PostgreSQL to its own node or a managed service with read replicas",
		.origin = "seed 002 (API + web + workers): Stage 2 when database size > 50GB; "
			  "seed 003 (graph + vector databases): PostgreSQL >50GB data",
	},
	{
		.name = "redis-memory",
		.metric = "redis.memory.used_ratio",
		.dir = TRIGGER_ABOVE, .warn = 0.80, .crit = 0.90, .for_s = 5 * MIN, .hysteresis = 0.05,
		.action = "Raise maxmemory or move Redis to a bigger or managed instance",
		.origin = "seed 004's memory levels (80/90%) applied to Redis maxmemory; seed 001 "
			  "(agent platform) asks to monitor Redis memory and evictions",
	},
};

const struct trigger_rule *rules_defaults(size_t *n)
{
	*n = sizeof(defaults) / sizeof(defaults[0]);
	return defaults;
}

/* A field the config left out takes the default's value. */
static struct trigger_rule overlay(const struct trigger_rule *def, const struct trigger_rule *u)
{
	struct trigger_rule r = *def;
	r.name = u->name;
	r.dir = u->dir;
	if (u->metric)
		r.metric = u->metric;
	if (!isnan(u->warn))
		r.warn = u->warn;
	if (!isnan(u->crit))
		r.crit = u->crit;
	if (!isnan(u->for_s))
		r.for_s = u->for_s;
	if (!isnan(u->hysteresis))
		r.hysteresis = u->hysteresis;
	if (u->action)
		r.action = u->action;
	if (u->origin)
		r.origin = u->origin;
	r.disabled = u->disabled;
	return r;
}

/* Fields a new rule leaves out: no delay, no band. */
static struct trigger_rule fill(const struct trigger_rule *u)
{
	struct trigger_rule r = *u;
	if (isnan(r.for_s))
		r.for_s = 0;
	if (isnan(r.hysteresis))
		r.hysteresis = 0;
	return r;
}

void rules_merge(const struct trigger_rule *user, size_t n_user, struct rule_set *out)
{
	size_t nd;
	const struct trigger_rule *def = rules_defaults(&nd);
	out->rules = xcalloc(nd + n_user + 1, sizeof(*out->rules));
	out->is_default = xcalloc(nd + n_user + 1, sizeof(*out->is_default));
	out->n = 0;
	for (size_t i = 0; i < nd; i++) {
		struct trigger_rule r = def[i];
		bool is_default = true;
		for (size_t k = 0; k < n_user; k++) {
			if (user[k].name && strcmp(user[k].name, def[i].name) == 0) {
				r = overlay(&def[i], &user[k]);
				is_default = false;
			}
		}
		if (r.disabled)
			continue;
		out->rules[out->n] = r;
		out->is_default[out->n] = is_default;
		out->n++;
	}
	for (size_t k = 0; k < n_user; k++) {
		bool overrides = false;
		for (size_t i = 0; i < nd && !overrides; i++)
			overrides = user[k].name && strcmp(user[k].name, def[i].name) == 0;
		if (overrides || user[k].disabled)
			continue;
		out->rules[out->n] = fill(&user[k]);
		out->is_default[out->n] = false;
		out->n++;
	}
}

void rules_set_free(struct rule_set *s)
{
	if (!s)
		return;
	free(s->rules);
	free(s->is_default);
	memset(s, 0, sizeof(*s));
}
