/* scaling.c - the HPA's replica calculator and controller, and KEDA's
 * activation, in pure C (design note in scaling.h).
 *
 * Kubernetes computes in int64 milli-units (resource.Quantity.MilliValue()):
 * averages and utilisation percents are truncated, per-replica proposals of
 * object/external metrics are ceil(usage / target) on those integers. Here
 * values are doubles in the caller's units; every place Kubernetes truncates
 * or divides integers does the same on milli-units held exactly in doubles
 * (integers up to 2^53), so the proposals match, case for case, the upstream
 * tests tests/unit/test_scaling.c reproduces. Written by hand: no library
 * implements these semantics outside Kubernetes and KEDA themselves. */
#include "model/scaling.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#define NONE SCALING_MAX_METRICS

/* ------------------------------------------------------------- spec ---- */

void scaling_spec_defaults(struct scaling_spec *s)
{
	memset(s, 0, sizeof(*s));
	/* autoscaling/v2 SetDefaults_HorizontalPodAutoscaler: minReplicas 1. */
	s->min_replicas = 1;
	s->max_replicas = 1;
	s->idle_replicas = -1;
	/* defaults.go defaultHPAScaleUpRules: no window, Max of 4 pods / 15 s and 100 % / 15 s. */
	s->up.stabilization_s = 0;
	s->up.select = SCALING_SELECT_MAX;
	s->up.policies[0] = (struct scaling_policy){SCALING_PODS, 4, 15};
	s->up.policies[1] = (struct scaling_policy){SCALING_PERCENT, 100, 15};
	s->up.n_policies = 2;
	/* defaultHPAScaleDownRules: 100 % / 15 s; the window is the controller's
	 * --horizontal-pod-autoscaler-downscale-stabilization, 5 minutes. */
	s->down.stabilization_s = 300;
	s->down.select = SCALING_SELECT_MAX;
	s->down.policies[0] = (struct scaling_policy){SCALING_PERCENT, 100, 15};
	s->down.n_policies = 1;
	/* --horizontal-pod-autoscaler-tolerance 0.1; per direction since KEP-4951. */
	s->up.tolerance = 0.1;
	s->down.tolerance = 0.1;
	/* KEDA ScaledObject defaults: cooldownPeriod 300 s; fallback
	 * failureThreshold 3 when a fallback is given (keda.sh/docs, "Scaling Deployments"). */
	s->cooldown_s = 300;
	s->fallback_replicas = -1;
	s->fallback_failures = 3;
	s->fallback_behavior = SCALING_FALLBACK_STATIC;
}

static const char *rules_check(const struct scaling_rules *r)
{
	if (!(r->stabilization_s >= 0 && r->stabilization_s <= SCALING_MAX_WINDOW_S))
		return "the stabilization window must be between 0 s and 3600 s (autoscaling/v2 validation)";
	if (!(r->tolerance >= 0) || isinf(r->tolerance))
		return "the tolerance must be a number >= 0";
	if (r->n_policies > SCALING_MAX_POLICIES)
		return "too many policies (at most 8)";
	if (r->n_policies == 0 && r->select != SCALING_SELECT_DISABLED)
		return "at least one policy is needed unless select is disabled";
	for (unsigned i = 0; i < r->n_policies; i++) {
		if (r->policies[i].value <= 0)
			return "a policy's value must be greater than 0";
		if (!(r->policies[i].period_s > 0 && r->policies[i].period_s <= 1800))
			return "a policy's period must be over 0 s and at most 1800 s (autoscaling/v2 validation)";
	}
	return NULL;
}

const char *scaling_spec_check(const struct scaling_spec *s)
{
	if (s->min_replicas < 0)
		return "min_replicas must be 0 or more";
	if (s->max_replicas < 1 || s->max_replicas < s->min_replicas)
		return "max_replicas must be at least 1 and at least min_replicas";
	if (s->idle_replicas >= 0 && s->idle_replicas >= s->min_replicas)
		return "idle_replicas must be below min_replicas (KEDA idleReplicaCount)";
	if (!(s->cooldown_s >= 0) || isinf(s->cooldown_s))
		return "the cooldown must be a duration >= 0";
	if (!(s->max_age_s >= 0))
		return "max_age must be a duration >= 0";
	if (s->fallback_replicas > s->max_replicas)
		return "fallback replicas must not exceed max_replicas";
	const char *why = rules_check(&s->up);
	return why ? why : rules_check(&s->down);
}

const char *scaling_metric_check(const struct scaling_metric *m)
{
	if (!(m->target > 0) || isinf(m->target))
		return "the target must be a number greater than 0";
	switch (m->kind) {
	case SCALING_RESOURCE:
		if (m->target_type == SCALING_VALUE)
			return "a resource metric takes a utilization or an average target";
		if (m->target_type == SCALING_UTILIZATION && m->target != floor(m->target))
			return "a utilization target is a whole percent (autoscaling/v2 averageUtilization is an integer)";
		break;
	case SCALING_REPLICA:
		if (m->target_type != SCALING_AVERAGE_VALUE)
			return "a replica metric takes an average target (per replica)";
		break;
	case SCALING_OBJECT:
	case SCALING_EXTERNAL:
		if (m->target_type == SCALING_UTILIZATION)
			return "an object or external metric takes a value or an average target";
		break;
	}
	if ((m->kind == SCALING_RESOURCE || m->kind == SCALING_REPLICA) && m->slot >= SCALING_MAX_SLOTS)
		return "too many per-replica metrics (at most 8)";
	if (isnan(m->activation) || m->activation < 0)
		return "the activation threshold must be a number >= 0";
	return NULL;
}

/* ------------------------------------------------------------ state ---- */

void scaling_state_init(struct scaling_state *st)
{
	st->n_recs = st->n_up = st->n_down = 0;
	st->last_active_s = NAN;
	memset(st->failures, 0, sizeof(st->failures));
}

/* Store a recommendation at old (an entry outside both windows), else
 * append; when full, over the oldest. */
static void put_rec(struct scaling_state *st, unsigned old, unsigned oldest, double t, int replicas)
{
	if (old == st->n_recs && st->n_recs == SCALING_MAX_RECS)
		old = oldest;
	if (old == st->n_recs)
		st->n_recs++;
	st->recs[old] = (struct scaling_rec){t, replicas};
}

void scaling_state_add_rec(struct scaling_state *st, const struct scaling_spec *spec, double t, int replicas)
{
	double up_cut = t - spec->up.stabilization_s, down_cut = t - spec->down.stabilization_s;
	unsigned old = st->n_recs, oldest = 0;
	/* The last entry outside both windows is reused (Kubernetes keeps the
	 * index of the last one it saw). */
	for (unsigned i = 0; i < st->n_recs; i++) {
		if (st->recs[i].t < up_cut && st->recs[i].t < down_cut)
			old = i;
		if (st->recs[i].t < st->recs[oldest].t)
			oldest = i;
	}
	put_rec(st, old, oldest, t, replicas);
}

static double longest_period(const struct scaling_rules *r)
{
	double p = 0;
	for (unsigned i = 0; i < r->n_policies; i++)
		if (r->policies[i].period_s > p)
			p = r->policies[i].period_s;
	return p;
}

void scaling_state_add_event(struct scaling_state *st, const struct scaling_spec *spec, double t, int delta)
{
	if (delta == 0)
		return;
	bool up = delta > 0;
	struct scaling_event *ev = up ? st->up : st->down;
	unsigned *n = up ? &st->n_up : &st->n_down;
	/* markScaleEventsOutdated, then the last outdated event is replaced. */
	double cut = t - longest_period(up ? &spec->up : &spec->down);
	unsigned old = *n, oldest = 0;
	for (unsigned i = 0; i < *n; i++) {
		if (ev[i].t < cut)
			ev[i].outdated = true;
		if (ev[i].outdated)
			old = i;
		if (ev[i].t < ev[oldest].t)
			oldest = i;
	}
	if (old == *n && *n == SCALING_MAX_EVENTS)
		old = oldest;
	if (old == *n)
		(*n)++;
	ev[old] = (struct scaling_event){t, up ? delta : -delta, false};
}

void scaling_record_scale(struct scaling_state *st, const struct scaling_spec *spec, double t, int from, int to)
{
	scaling_state_add_event(st, spec, t, to - from);
}

int scaling_change_in_period(const struct scaling_state *st, bool up, double now, double period_s)
{
	const struct scaling_event *ev = up ? st->up : st->down;
	unsigned n = up ? st->n_up : st->n_down;
	double cut = now - period_s;
	long sum = 0;
	for (unsigned i = 0; i < n; i++)
		if (ev[i].t > cut)
			sum += ev[i].change;
	return sum > 1000000000L ? 1000000000 : (int)sum;
}

/* -------------------------------------------------------- proposals ---- */

/* Kubernetes' tolerance test (Tolerances.isWithin): a ratio inside
 * [1 - down, 1 + up] changes nothing. NaN is never within. */
static bool within(const struct scaling_spec *s, double ratio)
{
	return 1.0 - s->down.tolerance <= ratio && ratio <= 1.0 + s->up.tolerance;
}

static double milli(double v)
{
	return round(v * 1000.0);
}

/* A count from a float, saturating as Kubernetes does at MaxInt32. */
static int count_of(double x)
{
	if (!(x > -2147483648.0))
		return 0;
	if (x >= 2147483647.0)
		return 2147483647;
	return (int)x;
}

enum rclass { R_COUNTED, R_UNREADY, R_MISSING, R_IGNORED };

/* groupPods: failed and terminating pods are left out; pending ones are
 * unready; a pod without a sample is missing; for CPU a pod still starting
 * is unready (its samples are not trusted). */
static enum rclass classify(const struct scaling_replica *r, const struct scaling_metric *m)
{
	if (r->state == SCALING_FAILED || r->state == SCALING_TERMINATING)
		return R_IGNORED;
	if (r->state == SCALING_PENDING)
		return R_UNREADY;
	double u = r->usage[m->slot];
	if (isnan(u))
		return R_MISSING;
	if (m->kind == SCALING_RESOURCE && m->cpu && r->state == SCALING_STARTING)
		return R_UNREADY;
	return R_COUNTED;
}

static void invalid(struct scaling_proposal *p, enum scaling_prop_why why)
{
	p->valid = false;
	p->replicas = -1;
	p->why = why;
}

/* GetResourceReplicas (utilization) and calcPlainMetricReplicas (average
 * per replica, resource or "Pods" metric). */
static void per_replica(const struct scaling_spec *spec, const struct scaling_input *in,
			const struct scaling_metric *m, struct scaling_proposal *p)
{
	bool util = m->target_type == SCALING_UTILIZATION;
	int cur = in->current_replicas;
	double su = 0, sr = 0;
	unsigned counted = 0;
	for (unsigned i = 0; i < in->n_replicas; i++) {
		const struct scaling_replica *r = &in->replicas[i];
		enum rclass c = classify(r, m);
		if (c == R_IGNORED)
			continue;
		double req = r->requests[m->slot];
		if (util && !(req > 0 && isfinite(req))) {
			invalid(p, SCALING_PROP_NO_REQUEST);
			return;
		}
		if (c == R_UNREADY)
			p->unready++;
		else if (c == R_MISSING)
			p->missing++;
		else {
			counted++;
			su += milli(r->usage[m->slot]);
			sr += util ? milli(req) : 0;
		}
	}
	if (!counted) {
		invalid(p, SCALING_PROP_NO_SAMPLES);
		return;
	}
	double target = util ? m->target : milli(m->target);
	double usage = util ? floor(su * 100 / sr) : trunc(su / counted);
	double ratio = usage / target;
	p->utilization = util ? usage : usage / 1000.0;
	p->average = trunc(su / counted) / 1000.0;
	p->ratio = ratio;
	p->valid = true;
	bool up_unready = p->unready > 0 && ratio > 1.0;
	if (!up_unready && p->missing == 0) {
		if (within(spec, ratio)) {
			p->replicas = cur;
			p->why = SCALING_PROP_TOLERANCE;
		} else {
			p->replicas = count_of(ceil(ratio * counted));
			p->why = SCALING_PROP_SCALE;
		}
		return;
	}
	/* Count the replicas left out conservatively: a missing one as 100 % of
	 * its request (or of the target when that is higher) on a scale-down and
	 * 0 on a scale-up, an unready one as 0 on a scale-up. */
	double su2 = su, sr2 = sr;
	unsigned n2 = counted;
	double fill = util ? (m->target > 100 ? m->target : 100) : 0;
	for (unsigned i = 0; i < in->n_replicas; i++) {
		const struct scaling_replica *r = &in->replicas[i];
		enum rclass c = classify(r, m);
		bool add = (c == R_MISSING && ratio != 1.0) || (c == R_UNREADY && up_unready);
		if (!add)
			continue;
		double req = util ? milli(r->requests[m->slot]) : 0;
		if (c == R_MISSING && ratio < 1.0)
			su2 += util ? floor(req * fill / 100) : milli(m->target);
		sr2 += req;
		n2++;
	}
	double ratio2 = util ? floor(su2 * 100 / sr2) / target : trunc(su2 / n2) / target;
	if (within(spec, ratio2)) {
		p->replicas = cur;
		p->why = SCALING_PROP_TOLERANCE;
		return;
	}
	if ((ratio < 1.0 && ratio2 > 1.0) || (ratio > 1.0 && ratio2 < 1.0)) {
		p->replicas = cur;
		p->why = SCALING_PROP_FLIP;
		return;
	}
	int r2 = count_of(ceil(ratio2 * n2));
	if ((ratio2 < 1.0 && r2 > cur) || (ratio2 > 1.0 && r2 < cur)) {
		p->replicas = cur;
		p->why = SCALING_PROP_FLIP;
		return;
	}
	p->replicas = r2;
	p->why = SCALING_PROP_SCALE;
}

static unsigned ready_count(const struct scaling_input *in)
{
	/* No replica list: every current replica is taken as ready (Compose
	 * knows no readiness). */
	if (!in->n_replicas)
		return in->current_replicas > 0 ? (unsigned)in->current_replicas : 0;
	unsigned n = 0;
	for (unsigned i = 0; i < in->n_replicas; i++)
		n += in->replicas[i].state == SCALING_READY;
	return n;
}

/* GetObjectMetricReplicas / GetExternalMetricReplicas (Value target) and
 * GetObjectPerPodMetricReplicas / GetExternalPerPodMetricReplicas (AverageValue). */
static void from_value(const struct scaling_spec *spec, const struct scaling_input *in,
		       const struct scaling_metric *m, double value, struct scaling_proposal *p)
{
	int cur = in->current_replicas;
	double vm = milli(value), tm = milli(m->target);
	p->valid = true;
	if (m->target_type == SCALING_VALUE) {
		double ratio = vm / tm;
		p->ratio = ratio;
		p->utilization = value;
		if (cur != 0) {
			if (within(spec, ratio)) {
				p->replicas = cur;
				p->why = SCALING_PROP_TOLERANCE;
				return;
			}
			p->replicas = count_of(ceil(ratio * ready_count(in)));
		} else {
			/* From zero the ready count is not used (HPAScaleToZero). */
			p->replicas = count_of(ceil(ratio));
		}
		p->why = SCALING_PROP_SCALE;
		return;
	}
	/* Per replica: the count is ceil(total / target), the current count only
	 * decides whether the change is large enough. */
	double ratio = vm / (tm * cur);
	p->ratio = ratio;
	p->utilization = cur > 0 ? ceil(vm / cur) / 1000.0 : value;
	p->average = p->utilization;
	if (within(spec, ratio)) {
		p->replicas = cur;
		p->why = SCALING_PROP_TOLERANCE;
	} else {
		p->replicas = count_of(ceil(vm / tm));
		p->why = SCALING_PROP_SCALE;
	}
}

void scaling_propose(const struct scaling_spec *spec, const struct scaling_input *in, unsigned index,
		     struct scaling_state *st, struct scaling_proposal *p)
{
	const struct scaling_metric *m = &in->metrics[index];
	memset(p, 0, sizeof(*p));
	p->replicas = -1;
	p->utilization = p->ratio = p->average = p->age_s = NAN;
	if (m->kind == SCALING_RESOURCE || m->kind == SCALING_REPLICA) {
		/* Never "active": KEDA's cpu and memory triggers cannot activate a
		 * service or keep it from going to zero; value metrics decide that. */
		per_replica(spec, in, m, p);
	} else {
		double age = isnan(m->at_s) ? 0 : in->now_s - m->at_s;
		if (m->absent)
			invalid(p, SCALING_PROP_MISSING);
		else if (isnan(m->value))
			invalid(p, SCALING_PROP_NAN);
		else if (spec->max_age_s > 0 && age > spec->max_age_s) {
			invalid(p, SCALING_PROP_STALE);
			p->age_s = age;
		} else {
			from_value(spec, in, m, m->value, p);
			p->active = !m->predictive && m->value > m->activation;
		}
	}
	if (!st || m->predictive || index >= SCALING_MAX_METRICS)
		return;
	if (p->valid) {
		st->failures[index] = 0;
		return;
	}
	if (st->failures[index] < 1000000u)
		st->failures[index]++;
	/* KEDA's fallback: past failureThreshold failed reads, the trigger
	 * reports target x fallback replicas, for AverageValue targets only. */
	bool value_kind = m->kind == SCALING_OBJECT || m->kind == SCALING_EXTERNAL;
	if (spec->fallback_replicas < 0 || !value_kind || m->target_type != SCALING_AVERAGE_VALUE ||
	    st->failures[index] <= spec->fallback_failures)
		return;
	int cur = in->current_replicas, fb = spec->fallback_replicas, r = fb;
	switch (spec->fallback_behavior) {
	case SCALING_FALLBACK_STATIC: r = fb; break;
	case SCALING_FALLBACK_CURRENT: r = cur; break;
	case SCALING_FALLBACK_CURRENT_IF_HIGHER: r = cur > fb ? cur : fb; break;
	case SCALING_FALLBACK_CURRENT_IF_LOWER: r = cur < fb ? cur : fb; break;
	}
	double age = p->age_s;
	from_value(spec, in, m, m->target * r, p);
	p->why = SCALING_PROP_FALLBACK;
	p->age_s = age;
	/* headroom: a failing metric never scales down, fallback or not. */
	if (p->replicas < cur)
		p->valid = false;
}

/* ------------------------------------------------------ the behaviour ---- */

int scaling_stabilize(const struct scaling_spec *spec, struct scaling_state *st, double now, int current,
		      int desired, enum scaling_why *why, int *bound)
{
	int up_rec = desired, down_rec = desired;
	double up_cut = now - spec->up.stabilization_s, down_cut = now - spec->down.stabilization_s;
	unsigned old = st->n_recs, oldest = 0;
	/* One pass: the windows' bounds and the slot the new recommendation takes. */
	for (unsigned i = 0; i < st->n_recs; i++) {
		const struct scaling_rec *r = &st->recs[i];
		if (r->t > up_cut && r->replicas < up_rec)
			up_rec = r->replicas;
		if (r->t > down_cut && r->replicas > down_rec)
			down_rec = r->replicas;
		if (r->t < up_cut && r->t < down_cut)
			old = i;
		if (r->t < st->recs[oldest].t)
			oldest = i;
	}
	int rec = current;
	if (rec < up_rec)
		rec = up_rec;
	if (rec > down_rec)
		rec = down_rec;
	put_rec(st, old, oldest, now, desired);
	*why = rec == desired ? SCALING_WHY_METRICS
				: desired >= current ? SCALING_WHY_STABILIZED_UP : SCALING_WHY_STABILIZED_DOWN;
	if (bound)
		*bound = *why == SCALING_WHY_STABILIZED_UP ? up_rec : *why == SCALING_WHY_STABILIZED_DOWN ? down_rec : -1;
	return rec;
}

/* calculateScaleUpLimitWithScalingRules / calculateScaleDownLimitWithBehaviors:
 * each policy counts from the replicas at the start of its period (the
 * current count, less what was added, plus what was removed in it). */
static int rate_limit(const struct scaling_spec *spec, const struct scaling_state *st, double now, int current,
		      bool up)
{
	const struct scaling_rules *r = up ? &spec->up : &spec->down;
	if (r->select == SCALING_SELECT_DISABLED)
		return current;
	/* Max for scale-up and Min for scale-down pick the larger change. */
	bool pick_high = up == (r->select == SCALING_SELECT_MAX);
	long result = pick_high ? -2147483648L : 2147483647L;
	for (unsigned i = 0; i < r->n_policies; i++) {
		const struct scaling_policy *p = &r->policies[i];
		long start = (long)current - scaling_change_in_period(st, true, now, p->period_s) +
			     scaling_change_in_period(st, false, now, p->period_s);
		long prop;
		if (p->type == SCALING_PODS)
			prop = up ? start + p->value : start - p->value;
		else if (up)
			/* Rounded up, or a small count could never grow. */
			prop = (long)ceil((double)start * (1 + p->value / 100.0));
		else
			prop = (long)((double)start * (1 - p->value / 100.0));
		if (pick_high ? prop > result : prop < result)
			result = prop;
	}
	if (result > 2147483647L)
		result = 2147483647L;
	if (result < -2147483648L)
		result = -2147483648L;
	return (int)result;
}

int scaling_limit(const struct scaling_spec *spec, const struct scaling_state *st, double now, int current,
		  int desired, int min_replicas, enum scaling_why *why, int *limit)
{
	*why = SCALING_WHY_METRICS;
	*limit = -1;
	if (desired > current) {
		int lim = rate_limit(spec, st, now, current, true);
		/* Past events may put the limit below the current count: hold. */
		if (lim < current)
			lim = current;
		int max = spec->max_replicas;
		enum scaling_why w = SCALING_WHY_TOO_MANY;
		if (max > lim) {
			max = lim;
			w = SCALING_WHY_LIMIT_UP;
		}
		if (desired > max) {
			*why = w;
			*limit = max;
			return max;
		}
	} else if (desired < current) {
		int lim = rate_limit(spec, st, now, current, false);
		if (lim > current)
			lim = current;
		int min = min_replicas;
		enum scaling_why w = SCALING_WHY_TOO_FEW;
		if (min < lim) {
			min = lim;
			w = SCALING_WHY_LIMIT_DOWN;
		}
		if (desired < min) {
			*why = w;
			*limit = min;
			return min;
		}
	}
	return desired;
}

/* ---------------------------------------------------------- decide ---- */

static void hold(struct scaling_decision *d, enum scaling_why why)
{
	d->desired = d->current;
	d->why = why;
}

int scaling_decide(const struct scaling_spec *spec, const struct scaling_input *in, struct scaling_state *st,
		   struct scaling_decision *d)
{
	memset(d, 0, sizeof(*d));
	d->current = in->current_replicas;
	d->desired = in->current_replicas;
	d->metric_desired = d->stabilized = d->limit = d->window = -1;
	d->winner = d->first_invalid = NONE;
	if (in->current_replicas < 0 || in->n_metrics > SCALING_MAX_METRICS || (in->n_metrics && !in->metrics) ||
	    (in->n_replicas && !in->replicas) || isnan(in->now_s))
		return HR_E_INVALID;
	const int cur = in->current_replicas;
	const double now = in->now_s;
	bool zero_ok = spec->min_replicas == 0 || spec->idle_replicas >= 0;
	bool has_value = false;
	for (unsigned i = 0; i < in->n_metrics; i++) {
		const struct scaling_metric *m = &in->metrics[i];
		if ((m->kind == SCALING_RESOURCE || m->kind == SCALING_REPLICA) && m->slot >= SCALING_MAX_SLOTS)
			return HR_E_INVALID;
		has_value |= (m->kind == SCALING_OBJECT || m->kind == SCALING_EXTERNAL) && !m->predictive;
	}
	/* Scale to zero needs a metric that exists at zero replicas (KEDA's
	 * triggers; Kubernetes' HPAScaleToZero wants an object or external one). */
	if (zero_ok && !has_value)
		return HR_E_INVALID;

	unsigned n_invalid = 0, n_counted = 0;
	for (unsigned i = 0; i < in->n_metrics; i++) {
		struct scaling_proposal *p = &d->props[i];
		scaling_propose(spec, in, i, st, p);
		d->n_props++;
		if (in->metrics[i].predictive) {
			/* A forecast may only raise the count; one that does not, or
			 * has no value, is left out (neither a proposal nor a failure). */
			if (p->valid && p->replicas <= cur) {
				p->valid = false;
				p->why = SCALING_PROP_PREDICTIVE_LOW;
			}
			if (!p->valid)
				continue;
		} else if (!p->valid) {
			n_invalid++;
			if (d->first_invalid == NONE)
				d->first_invalid = i;
			continue;
		}
		d->active |= p->active;
		n_counted++;
		/* computeReplicasForMetrics keeps the first of equal maxima. */
		if (d->metric_desired < 0 || p->replicas > d->metric_desired) {
			d->metric_desired = p->replicas;
			d->winner = i;
		}
	}
	d->failed = n_invalid > 0;
	if (d->active)
		st->last_active_s = now;
	/* For KEDA's layer only value metrics count: at zero replicas a
	 * per-replica metric has no samples by nature. */
	unsigned first_value_invalid = NONE;
	for (unsigned i = 0; i < d->n_props && first_value_invalid == NONE; i++) {
		const struct scaling_metric *m = &in->metrics[i];
		if (!m->predictive && !d->props[i].valid && (m->kind == SCALING_OBJECT || m->kind == SCALING_EXTERNAL))
			first_value_invalid = i;
	}

	/* KEDA: zero (or idle) <-> the HPA's floor, max(min, 1). */
	int floor_ = spec->min_replicas > 1 ? spec->min_replicas : 1;
	if (zero_ok) {
		int idle = spec->idle_replicas >= 0 ? spec->idle_replicas : 0;
		if (cur <= idle || (!d->active && cur <= floor_)) {
			d->failed = first_value_invalid != NONE;
			d->first_invalid = first_value_invalid;
		}
		if (cur <= idle) {
			if (d->active) {
				d->desired = floor_;
				d->why = SCALING_WHY_ACTIVATED;
				for (unsigned i = 0; i < d->n_props; i++)
					if (d->props[i].active) {
						d->winner = i;
						break;
					}
			} else {
				hold(d, SCALING_WHY_INACTIVE);
			}
			return 0;
		}
		if (!d->active && cur <= floor_) {
			double since = now - st->last_active_s;
			if (d->failed) {
				hold(d, SCALING_WHY_HOLD_FAILED);
			} else if (isnan(st->last_active_s) || since > spec->cooldown_s) {
				d->desired = idle;
				d->why = SCALING_WHY_TO_ZERO;
			} else {
				hold(d, SCALING_WHY_COOLDOWN);
				d->cooldown_left_s = spec->cooldown_s - since;
			}
			return 0;
		}
	} else if (cur == 0) {
		/* reconcileAutoscaler: "scaling is disabled since the replica count
		 * of the target is zero". */
		hold(d, SCALING_WHY_ZERO_DISABLED);
		return 0;
	}

	/* The HPA, between its floor and max_replicas. */
	if (cur > spec->max_replicas) {
		d->desired = d->limit = spec->max_replicas;
		d->why = SCALING_WHY_ABOVE_MAX;
		return 0;
	}
	if (cur < floor_) {
		d->desired = d->limit = floor_;
		d->why = SCALING_WHY_BELOW_MIN;
		return 0;
	}
	/* Every metric invalid, or some invalid while the valid ones would scale
	 * down: no scaling (computeReplicasForMetrics returns -1). */
	if (n_counted == 0 || (n_invalid > 0 && d->metric_desired < cur)) {
		hold(d, n_counted == 0 ? SCALING_WHY_NO_METRICS : SCALING_WHY_INVALID);
		return 0;
	}
	enum scaling_why why;
	d->stabilized = scaling_stabilize(spec, st, now, cur, d->metric_desired, &why, &d->window);
	int lim;
	enum scaling_why lwhy;
	d->desired = scaling_limit(spec, st, now, cur, d->stabilized, floor_, &lwhy, &lim);
	d->limit = lim;
	if (lwhy != SCALING_WHY_METRICS)
		d->why = lwhy;
	else if (why != SCALING_WHY_METRICS)
		d->why = why;
	else if (d->desired == cur)
		d->why = SCALING_WHY_TOLERANCE;
	else
		d->why = SCALING_WHY_METRICS;
	/* "Tolerance" only when every proposal said so; a proposal equal to the
	 * current count for another reason (a flip guard) is "metrics". */
	if (d->why == SCALING_WHY_TOLERANCE) {
		for (unsigned i = 0; i < d->n_props; i++)
			if (d->props[i].valid && d->props[i].why != SCALING_PROP_TOLERANCE)
				d->why = SCALING_WHY_METRICS;
	}
	return 0;
}

/* --------------------------------------------------------- explain ---- */

const char *scaling_why_name(enum scaling_why w)
{
	switch (w) {
	case SCALING_WHY_METRICS: return "metrics";
	case SCALING_WHY_TOLERANCE: return "tolerance";
	case SCALING_WHY_INVALID: return "invalid_metric";
	case SCALING_WHY_NO_METRICS: return "no_metrics";
	case SCALING_WHY_ABOVE_MAX: return "above_max";
	case SCALING_WHY_BELOW_MIN: return "below_min";
	case SCALING_WHY_STABILIZED_UP: return "stabilized_up";
	case SCALING_WHY_STABILIZED_DOWN: return "stabilized_down";
	case SCALING_WHY_LIMIT_UP: return "limit_up";
	case SCALING_WHY_LIMIT_DOWN: return "limit_down";
	case SCALING_WHY_TOO_MANY: return "max_replicas";
	case SCALING_WHY_TOO_FEW: return "min_replicas";
	case SCALING_WHY_ZERO_DISABLED: return "zero_disabled";
	case SCALING_WHY_ACTIVATED: return "activated";
	case SCALING_WHY_INACTIVE: return "inactive";
	case SCALING_WHY_COOLDOWN: return "cooldown";
	case SCALING_WHY_TO_ZERO: return "to_zero";
	case SCALING_WHY_HOLD_FAILED: return "hold_failed";
	}
	return "metrics";
}

const char *scaling_prop_why_name(enum scaling_prop_why w)
{
	switch (w) {
	case SCALING_PROP_SCALE: return "scale";
	case SCALING_PROP_TOLERANCE: return "tolerance";
	case SCALING_PROP_FLIP: return "direction_guard";
	case SCALING_PROP_MISSING: return "missing";
	case SCALING_PROP_NAN: return "nan";
	case SCALING_PROP_STALE: return "stale";
	case SCALING_PROP_NO_SAMPLES: return "no_samples";
	case SCALING_PROP_NO_REQUEST: return "no_request";
	case SCALING_PROP_FALLBACK: return "fallback";
	case SCALING_PROP_PREDICTIVE_LOW: return "predictive_low";
	}
	return "scale";
}

/* A bounded appender: keeps writing into buf, never past n - 1 bytes. */
struct out {
	char *buf;
	size_t n, len;
};

static void put(struct out *o, const char *fmt, ...) HR_PRINTF(2, 3);
static void put(struct out *o, const char *fmt, ...)
{
	if (o->len + 1 >= o->n)
		return;
	va_list ap;
	va_start(ap, fmt);
	int w = vsnprintf(o->buf + o->len, o->n - o->len, fmt, ap);
	va_end(ap);
	if (w > 0)
		o->len = o->len + (size_t)w < o->n ? o->len + (size_t)w : o->n - 1;
}

static const char *mname(const struct scaling_input *in, unsigned i)
{
	return i < in->n_metrics && in->metrics[i].name ? in->metrics[i].name : "?";
}

char *scaling_explain_proposal(const struct scaling_spec *spec, const struct scaling_input *in, unsigned index,
			       const struct scaling_proposal *p, char *buf, size_t n)
{
	struct out o = {buf, n, 0};
	if (n)
		buf[0] = '\0';
	const struct scaling_metric *m = &in->metrics[index];
	double lo = 1 - spec->down.tolerance, hi = 1 + spec->up.tolerance;
	switch (p->why) {
	case SCALING_PROP_MISSING:
		put(&o, "no value (the read failed or came back empty): never read as 0");
		break;
	case SCALING_PROP_NAN:
		put(&o, "the value is not a number");
		break;
	case SCALING_PROP_STALE:
		put(&o, "stale: read %.0f s ago, max_age is %.0f s", p->age_s, spec->max_age_s);
		break;
	case SCALING_PROP_NO_SAMPLES:
		put(&o, "no replica reported it (%u missing, %u unready)", p->missing, p->unready);
		break;
	case SCALING_PROP_NO_REQUEST:
		put(&o, "a replica has no request for it: no utilisation can be computed");
		break;
	case SCALING_PROP_FALLBACK:
		put(&o, "failing past the threshold of %u reads: fallback %d replicas%s", spec->fallback_failures,
		    p->replicas, p->valid ? "" : " (below the current count: held, a failing metric never scales down)");
		break;
	case SCALING_PROP_PREDICTIVE_LOW:
		put(&o, "forecast proposes %d, not above the current %d: a forecast only scales up",
		    p->replicas < 0 ? 0 : p->replicas, in->current_replicas);
		break;
	case SCALING_PROP_TOLERANCE:
		put(&o, "ratio %.3g within [%.3g, %.3g]: no change", p->ratio, lo, hi);
		break;
	case SCALING_PROP_FLIP:
		put(&o, "ratio %.3g, but counting %u missing and %u unready replicas would reverse the direction: no change",
		    p->ratio, p->missing, p->unready);
		break;
	case SCALING_PROP_SCALE:
		if (m->kind == SCALING_RESOURCE && m->target_type == SCALING_UTILIZATION)
			put(&o, "utilisation %.0f%% vs target %.0f%%: ratio %.3g outside [%.3g, %.3g]", p->utilization,
			    m->target, p->ratio, lo, hi);
		else if (m->target_type == SCALING_AVERAGE_VALUE)
			put(&o, "%.6g per replica vs target %.6g: ratio %.3g outside [%.3g, %.3g]", p->utilization,
			    m->target, p->ratio, lo, hi);
		else
			put(&o, "%.6g vs target %.6g: ratio %.3g outside [%.3g, %.3g]", p->utilization, m->target, p->ratio,
			    lo, hi);
		if (p->missing || p->unready)
			put(&o, " (%u missing counted conservatively, %u unready)", p->missing, p->unready);
		put(&o, ": %d replicas", p->replicas);
		break;
	}
	if (m->predictive && p->why != SCALING_PROP_PREDICTIVE_LOW)
		put(&o, " [predictive: a forecast value]");
	return buf;
}

char *scaling_explain(const struct scaling_spec *spec, const struct scaling_input *in,
		      const struct scaling_decision *d, char *buf, size_t n)
{
	struct out o = {buf, n, 0};
	if (n)
		buf[0] = '\0';
	if (d->desired > d->current)
		put(&o, "scale up %d -> %d: ", d->current, d->desired);
	else if (d->desired < d->current)
		put(&o, "scale down %d -> %d: ", d->current, d->desired);
	else
		put(&o, "hold %d: ", d->current);
	const char *win = d->winner < d->n_props ? mname(in, d->winner) : NULL;
	bool pred = d->winner < d->n_props && in->metrics[d->winner].predictive;
	switch (d->why) {
	case SCALING_WHY_METRICS:
	case SCALING_WHY_LIMIT_UP:
	case SCALING_WHY_LIMIT_DOWN:
	case SCALING_WHY_TOO_MANY:
	case SCALING_WHY_TOO_FEW:
	case SCALING_WHY_STABILIZED_UP:
	case SCALING_WHY_STABILIZED_DOWN:
		if (pred)
			put(&o, "predictive: the forecast of %s proposes %d", win, d->metric_desired);
		else if (d->metric_desired > d->current)
			put(&o, "%s above target (proposes %d)", win ? win : "a metric", d->metric_desired);
		else if (d->metric_desired < d->current)
			put(&o, "all metrics below target (highest proposal %d, from %s)", d->metric_desired,
			    win ? win : "?");
		else
			put(&o, "metrics propose %d", d->metric_desired);
		/* Kubernetes scales up on the valid metrics and reports the others. */
		if (d->failed && d->first_invalid < d->n_props)
			put(&o, "; %s ignored (%s): an invalid metric may not scale down, the others may scale up",
			    mname(in, d->first_invalid), scaling_prop_why_name(d->props[d->first_invalid].why));
		break;
	case SCALING_WHY_TOLERANCE:
		put(&o, "every metric within tolerance [%.3g, %.3g]", 1 - spec->down.tolerance, 1 + spec->up.tolerance);
		break;
	case SCALING_WHY_INVALID:
		put(&o, "metric %s is invalid (%s) and the valid ones propose scaling down to %d: no scaling while a "
			"metric is missing", mname(in, d->first_invalid),
		    scaling_prop_why_name(d->props[d->first_invalid].why), d->metric_desired);
		break;
	case SCALING_WHY_NO_METRICS:
		if (d->first_invalid < d->n_props)
			put(&o, "no valid metric (%s: %s): no scaling", mname(in, d->first_invalid),
			    scaling_prop_why_name(d->props[d->first_invalid].why));
		else
			put(&o, "no valid metric: no scaling");
		break;
	case SCALING_WHY_ABOVE_MAX:
		put(&o, "the current count is above max_replicas %d: enforced at once", spec->max_replicas);
		break;
	case SCALING_WHY_BELOW_MIN:
		put(&o, "the current count is below min_replicas %d: enforced at once", d->desired);
		break;
	case SCALING_WHY_ZERO_DISABLED:
		put(&o, "0 replicas and min_replicas %d: autoscaling is off while a service is scaled to 0 by hand "
			"(as in Kubernetes)", spec->min_replicas);
		break;
	case SCALING_WHY_ACTIVATED:
		put(&o, "%s is active (above its activation threshold): start %d", win ? win : "a trigger", d->desired);
		break;
	case SCALING_WHY_INACTIVE:
		if (d->failed)
			put(&o, "no trigger active and %s failed (%s): never read as 0", mname(in, d->first_invalid),
			    scaling_prop_why_name(d->props[d->first_invalid].why));
		else
			put(&o, "no trigger active");
		break;
	case SCALING_WHY_COOLDOWN:
		put(&o, "no trigger active; cooldown %.0f s, %.0f s left before going to %d", spec->cooldown_s,
		    d->cooldown_left_s, spec->idle_replicas >= 0 ? spec->idle_replicas : 0);
		break;
	case SCALING_WHY_TO_ZERO:
		put(&o, "no trigger active for the cooldown of %.0f s", spec->cooldown_s);
		break;
	case SCALING_WHY_HOLD_FAILED:
		put(&o, "no trigger active, but %s failed (%s): no scale to zero on a failed read",
		    mname(in, d->first_invalid), scaling_prop_why_name(d->props[d->first_invalid].why));
		break;
	}
	switch (d->why) {
	case SCALING_WHY_STABILIZED_UP:
		put(&o, "; scale-up stabilisation: the lowest recommendation of the last %.0f s is %d",
		    spec->up.stabilization_s, d->window);
		break;
	case SCALING_WHY_STABILIZED_DOWN:
		put(&o, "; scale-down stabilisation: the highest recommendation of the last %.0f s is %d",
		    spec->down.stabilization_s, d->window);
		break;
	case SCALING_WHY_LIMIT_UP:
		put(&o, "; %s at %d (wanted %d)",
		    spec->up.select == SCALING_SELECT_DISABLED ? "scale-up is disabled: held" : "scale-up policy limit",
		    d->limit, d->stabilized);
		break;
	case SCALING_WHY_LIMIT_DOWN:
		put(&o, "; %s at %d (wanted %d)",
		    spec->down.select == SCALING_SELECT_DISABLED ? "scale-down is disabled: held"
								  : "scale-down policy limit",
		    d->limit, d->stabilized);
		break;
	case SCALING_WHY_TOO_MANY:
		put(&o, "; capped at max_replicas %d (wanted %d)", d->limit, d->stabilized);
		break;
	case SCALING_WHY_TOO_FEW:
		if (spec->min_replicas == 0 || spec->idle_replicas >= 0)
			put(&o, "; raised to the floor %d (wanted %d): below it only the cooldown takes the last "
				"replicas away", d->limit, d->stabilized);
		else
			put(&o, "; raised to min_replicas %d (wanted %d)", d->limit, d->stabilized);
		break;
	default:
		break;
	}
	return buf;
}
