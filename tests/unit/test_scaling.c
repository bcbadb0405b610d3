/* Unit tests for model/scaling: tables of cases reproducing the upstream
 * tests of the code it follows, each row naming the test it reproduces:
 *
 *   kubernetes/kubernetes pkg/controller/podautoscaler/replica_calculator_test.go
 *     (the replica calculator: TestReplicaCalc*, and the table tests
 *     TestReplicaCalcResourceTolerance, TestReplicaCalcResourceMissingMetrics,
 *     TestReplicaCalcPodMetric, TestReplicaCalcObjectMetric, ...);
 *   kubernetes/kubernetes pkg/controller/podautoscaler/horizontal_test.go
 *     (TestScalingWithRules, TestNormalizeDesiredReplicasWithBehavior,
 *     TestStoreScaleEvents, TestCalculateScaleUpLimitWithScalingRules, the
 *     controller cases TestScaleUp, TestTolerance, TestNoScaleDownOneMetricInvalid...);
 *   kedacore/keda pkg/scaling/executor/scale_scaledobjects_test.go,
 *     pkg/scaling/scale_handler_test.go, pkg/fallback/fallback_test.go,
 *     pkg/scalers/redis_scaler.go (activation).
 *
 * Kubernetes' fixtures give two containers per pod, each with the request and
 * the level listed; here a replica carries the pod's totals (2x each), which
 * gives the same ratios. Their custom-metric levels are milli-values: here
 * they are in units (20000m = 20). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <math.h>
#include <stdio.h>
#include <string.h>

#include "model/scaling.h"
#include "testutil.h"

#define N(a) (sizeof(a) / sizeof((a)[0]))

enum { R = SCALING_READY, S = SCALING_STARTING, P = SCALING_PENDING, F = SCALING_FAILED, T = SCALING_TERMINATING };

/* One replica-calculator case: one metric, a list of replicas. */
struct calc_case {
	const char *upstream;
	int current;
	enum scaling_kind kind;
	enum scaling_target_type tt;
	double target;
	double value;            /* object/external */
	unsigned n;              /* replicas */
	double usage[6];         /* per container; NaN: no sample */
	double req[6];           /* per container, millicores */
	int state[6];            /* 0 = ready */
	double tol_down, tol_up; /* NaN: the default 0.1 */
	int want;
	double want_util;        /* NaN: not checked */
	double want_avg;         /* NaN: not checked */
	int want_why;            /* -1: not checked */
};

#define X NAN
#define REQ3 {1000, 1000, 1000}
#define REQ4 {1000, 1000, 1000, 1000}
#define REQ5 {1000, 1000, 1000, 1000, 1000}
#define MIXED {900, 1000, 1100}
#define D .tol_down = NAN, .tol_up = NAN

static const struct calc_case calc_cases[] = {
	{"TestReplicaCalcScaleUp", 3, SCALING_RESOURCE, SCALING_UTILIZATION, 30, 0, 3, {300, 500, 700}, REQ3, {0}, D,
	 5, 50, 2 * 500, SCALING_PROP_SCALE},
	{"TestReplicaCalcScaleUpUnreadyLessScale", 3, SCALING_RESOURCE, SCALING_UTILIZATION, 30, 0, 3, {300, 500, 700},
	 REQ3, {S, R, R}, D, 4, 60, 2 * 600, SCALING_PROP_SCALE},
	{"TestReplicaCalcScaleUpHotCpuLessScale", 3, SCALING_RESOURCE, SCALING_UTILIZATION, 30, 0, 3, {300, 500, 700},
	 REQ3, {S, R, R}, D, 4, 60, 2 * 600, -1},
	{"TestReplicaCalcScaleUpUnreadyNoScale", 3, SCALING_RESOURCE, SCALING_UTILIZATION, 30, 0, 3, {400, 500, 700},
	 REQ3, {R, S, S}, D, 3, 40, 2 * 400, SCALING_PROP_FLIP},
	{"TestReplicaCalcScaleHotCpuNoScale", 3, SCALING_RESOURCE, SCALING_UTILIZATION, 30, 0, 3, {400, 500, 700}, REQ3,
	 {R, S, S}, D, 3, 40, 2 * 400, SCALING_PROP_FLIP},
	{"TestReplicaCalcScaleUpIgnoresFailedPods", 2, SCALING_RESOURCE, SCALING_UTILIZATION, 30, 0, 4,
	 {500, 700, X, X}, REQ4, {R, R, F, F}, D, 4, 60, 2 * 600, SCALING_PROP_SCALE},
	{"TestReplicaCalcScaleUpIgnoresDeletionPods", 2, SCALING_RESOURCE, SCALING_UTILIZATION, 30, 0, 4,
	 {500, 700, X, X}, REQ4, {R, R, T, T}, D, 4, 60, 2 * 600, SCALING_PROP_SCALE},
	{"TestReplicaCalcScaleDown", 5, SCALING_RESOURCE, SCALING_UTILIZATION, 50, 0, 5, {100, 300, 500, 250, 250},
	 REQ5, {0}, D, 3, 28, 2 * 280, SCALING_PROP_SCALE},
	{"TestReplicaCalcEmptyMetrics", 4, SCALING_RESOURCE, SCALING_UTILIZATION, 100, 0, 4, {X, X, X, X}, REQ4, {0},
	 D, -1, NAN, NAN, SCALING_PROP_NO_SAMPLES},
	{"TestReplicaCalcResourceTolerance/within default tolerance", 3, SCALING_RESOURCE, SCALING_UTILIZATION, 100, 0,
	 3, {1010, 1030, 1020}, MIXED, {0}, D, 3, 102, 2 * 1020, SCALING_PROP_TOLERANCE},
	{"TestReplicaCalcResourceTolerance/outside 0% tolerance", 3, SCALING_RESOURCE, SCALING_UTILIZATION, 100, 0, 3,
	 {909, 1010, 1111}, MIXED, {0}, .tol_down = 0, .tol_up = 0, 4, 101, 2 * 1010, SCALING_PROP_SCALE},
	{"TestReplicaCalcResourceTolerance/within 200% scale-up tolerance", 3, SCALING_RESOURCE, SCALING_UTILIZATION,
	 100, 0, 3, {1890, 1910, 1900}, MIXED, {0}, .tol_down = 0.1, .tol_up = 2, 3, 190, 2 * 1900,
	 SCALING_PROP_TOLERANCE},
	{"TestReplicaCalcResourceTolerance/outside 8% scale-up tolerance (superfluous scale-down tolerance)", 3,
	 SCALING_RESOURCE, SCALING_UTILIZATION, 100, 0, 3, {1100, 1080, 1090}, MIXED, {0}, .tol_down = 2,
	 .tol_up = 0.08, 4, 109, 2 * 1090, SCALING_PROP_SCALE},
	{"TestReplicaCalcResourceTolerance/within 36% scale-down tolerance", 3, SCALING_RESOURCE, SCALING_UTILIZATION,
	 100, 0, 3, {660, 640, 650}, MIXED, {0}, .tol_down = 0.36, .tol_up = 0.1, 3, 65, 2 * 650,
	 SCALING_PROP_TOLERANCE},
	{"TestReplicaCalcResourceTolerance/outside 34% scale-down tolerance", 3, SCALING_RESOURCE, SCALING_UTILIZATION,
	 100, 0, 3, {660, 640, 650}, MIXED, {0}, .tol_down = 0.34, .tol_up = 0.1, 2, 65, 2 * 650, SCALING_PROP_SCALE},
	{"TestReplicaCalcResourceMissingMetrics/some pods missing metrics scales down", 4, SCALING_RESOURCE,
	 SCALING_UTILIZATION, 100, 0, 4, {400, 95, X, X}, REQ4, {0}, D, 3, 24, 495, SCALING_PROP_SCALE},
	{"TestReplicaCalcResourceMissingMetrics/no change: metric equal to target", 2, SCALING_RESOURCE,
	 SCALING_UTILIZATION, 100, 0, 2, {1000, X}, {1000, 1000}, {0}, D, 2, 100, 2 * 1000, SCALING_PROP_TOLERANCE},
	{"TestReplicaCalcResourceMissingMetrics/no change: metric above target", 2, SCALING_RESOURCE,
	 SCALING_UTILIZATION, 100, 0, 2, {1900, X}, {1000, 1000}, {0}, D, 2, 190, 2 * 1900, SCALING_PROP_TOLERANCE},
	{"TestReplicaCalcResourceMissingMetrics/no change: metric below target", 2, SCALING_RESOURCE,
	 SCALING_UTILIZATION, 100, 0, 2, {600, X}, {1000, 1000}, {0}, D, 2, 60, 2 * 600, -1},
	{"TestReplicaCalcResourceMissingMetrics/no change: unready pod metric missing", 3, SCALING_RESOURCE,
	 SCALING_UTILIZATION, 50, 0, 3, {100, 450, X}, REQ3, {S, R, R}, D, 3, 45, 2 * 450, SCALING_PROP_FLIP},
	{"TestReplicaCalcResourceMissingMetrics/scale up: unready pod metric missing", 3, SCALING_RESOURCE,
	 SCALING_UTILIZATION, 50, 0, 3, {100, 2000, X}, REQ3, {S, R, R}, D, 4, 200, 2 * 2000, SCALING_PROP_SCALE},
	{"TestReplicaCalcResourceMissingMetrics/scale down: unready pod metric missing", 4, SCALING_RESOURCE,
	 SCALING_UTILIZATION, 50, 0, 4, {100, 100, 100, X}, REQ4, {S, R, R, R}, D, 3, 10, 2 * 100,
	 SCALING_PROP_SCALE},
	{"TestReplicaCalcResourceMissingMetrics/scale down: target over 100", 4, SCALING_RESOURCE, SCALING_UTILIZATION,
	 300, 0, 4, {200, 100, 100, X}, {1000, 1000, 2000, 2000}, {S, R, R, R}, D, 2, 6, 2 * 100, SCALING_PROP_SCALE},
	/* Pods (here: replica) metrics, levels in units. */
	{"TestReplicaCalcScaleUpCM", 3, SCALING_REPLICA, SCALING_AVERAGE_VALUE, 15, 0, 3, {20, 10, 30}, {0}, {0}, D, 4,
	 20, NAN, SCALING_PROP_SCALE},
	{"TestReplicaCalcScaleUpCMUnreadyHotCpuNoLessScale", 3, SCALING_REPLICA, SCALING_AVERAGE_VALUE, 15, 0, 3,
	 {50, 10, 30}, {0}, {R, R, S}, D, 6, 30, NAN, SCALING_PROP_SCALE},
	{"TestReplicaCalcScaleUpCMUnreadyHotCpuScaleWouldScaleDown", 3, SCALING_REPLICA, SCALING_AVERAGE_VALUE, 15, 0, 3,
	 {50, 15, 30}, {0}, {S, R, S}, D, 7, 31.666, NAN, SCALING_PROP_SCALE},
	{"TestReplicaCalcScaleUpCMExternal", 1, SCALING_REPLICA, SCALING_AVERAGE_VALUE, 4.4, 0, 1, {8.6}, {0}, {0}, D, 2,
	 8.6, NAN, SCALING_PROP_SCALE},
	{"TestReplicaCalcScaleDownCM", 5, SCALING_REPLICA, SCALING_AVERAGE_VALUE, 20, 0, 5, {12, 12, 12, 12, 12}, {0},
	 {0}, D, 3, 12, NAN, SCALING_PROP_SCALE},
	{"TestReplicaCalcPodMetric/within default tolerance", 3, SCALING_REPLICA, SCALING_AVERAGE_VALUE, 20, 0, 3,
	 {20, 21, 21}, {0}, {0}, D, 3, 20.666, NAN, SCALING_PROP_TOLERANCE},
	{"TestReplicaCalcPodMetric/outside configurable 1% tolerance", 3, SCALING_REPLICA, SCALING_AVERAGE_VALUE, 20, 0,
	 3, {20, 21, 21}, {0}, {0}, .tol_down = 0.1, .tol_up = 0.01, 4, 20.666, NAN, SCALING_PROP_SCALE},
	{"TestReplicaCalcPodMetric/no change: missing metrics", 5, SCALING_REPLICA, SCALING_AVERAGE_VALUE, 20, 0, 5,
	 {20, 19, 21, X, X}, {0}, {0}, D, 5, 20, NAN, SCALING_PROP_TOLERANCE},
	{"TestReplicaCalcPodMetric/rolling update with maxSurge: extra pod missing metric", 2, SCALING_REPLICA,
	 SCALING_AVERAGE_VALUE, 17, 0, 3, {10, 10, X}, {0}, {0}, D, 2, 10, NAN, SCALING_PROP_FLIP},
	/* Object and external metrics. */
	{"TestReplicaCalcScaleUpCMObject", 3, SCALING_OBJECT, SCALING_VALUE, 15, 20, 3, {0}, {0}, {0}, D, 4, 20, NAN,
	 SCALING_PROP_SCALE},
	{"TestReplicaCalcScaleUpCMPerPodObject", 3, SCALING_OBJECT, SCALING_AVERAGE_VALUE, 5, 20, 3, {0}, {0}, {0}, D, 4,
	 6.667, NAN, SCALING_PROP_SCALE},
	{"TestReplicaCalcScaleUpCMObjectIgnoresUnreadyPods", 3, SCALING_OBJECT, SCALING_VALUE, 10, 50, 3, {0}, {0},
	 {S, R, S}, D, 5, 50, NAN, SCALING_PROP_SCALE},
	{"TestReplicaCalcScaleUpCMExternalIgnoresUnreadyPods", 3, SCALING_EXTERNAL, SCALING_VALUE, 4.4, 8.6, 3, {0},
	 {0}, {S, R, S}, D, 2, 8.6, NAN, SCALING_PROP_SCALE},
	{"TestReplicaCalcScaleUpPerPodCMExternal", 3, SCALING_EXTERNAL, SCALING_AVERAGE_VALUE, 2.15, 8.6, 3, {0}, {0},
	 {0}, D, 4, 2.867, NAN, SCALING_PROP_SCALE},
	{"TestReplicaCalcScaleDownPerPodCMObject", 5, SCALING_OBJECT, SCALING_AVERAGE_VALUE, 2, 6, 5, {0}, {0}, {0}, D,
	 3, 1.2, NAN, SCALING_PROP_SCALE},
	{"TestReplicaCalcScaleDownCMObject", 5, SCALING_OBJECT, SCALING_VALUE, 20, 12, 5, {0}, {0}, {0}, D, 3, 12, NAN,
	 SCALING_PROP_SCALE},
	{"TestReplicaCalcScaleDownCMExternal", 5, SCALING_EXTERNAL, SCALING_VALUE, 14.334, 8.6, 5, {0}, {0}, {0}, D, 3,
	 8.6, NAN, SCALING_PROP_SCALE},
	{"TestReplicaCalcExternalPerPodMetric/scale down", 5, SCALING_EXTERNAL, SCALING_AVERAGE_VALUE, 2.867, 8.6, 5,
	 {0}, {0}, {0}, D, 3, 1.72, NAN, SCALING_PROP_SCALE},
	{"TestReplicaCalcExternalPerPodMetric/within default tolerance", 3, SCALING_EXTERNAL, SCALING_AVERAGE_VALUE,
	 2.9, 8.6, 3, {0}, {0}, {0}, D, 3, 2.867, NAN, SCALING_PROP_TOLERANCE},
	{"TestReplicaCalcExternalPerPodMetric/outside configurable 1% tolerance", 3, SCALING_EXTERNAL,
	 SCALING_AVERAGE_VALUE, 2.8, 8.6, 3, {0}, {0}, {0}, .tol_down = 0.1, .tol_up = 0.01, 4, 2.867, NAN,
	 SCALING_PROP_SCALE},
	{"TestReplicaCalcObjectMetric/within default tolerance", 3, SCALING_OBJECT, SCALING_VALUE, 20, 20.666, 3, {0},
	 {0}, {0}, D, 3, 20.666, NAN, SCALING_PROP_TOLERANCE},
	{"TestReplicaCalcObjectMetric/outside configurable 1% tolerance", 3, SCALING_OBJECT, SCALING_VALUE, 20, 20.666,
	 3, {0}, {0}, {0}, .tol_down = 0.1, .tol_up = 0.01, 4, 20.666, NAN, SCALING_PROP_SCALE},
	{"TestReplicaCalcObjectPerPodMetric/within default tolerance", 4, SCALING_OBJECT, SCALING_AVERAGE_VALUE, 5,
	 20.166, 4, {0}, {0}, {0}, D, 4, 5.042, NAN, SCALING_PROP_TOLERANCE},
	{"TestReplicaCalcObjectPerPodMetric/outside configurable 1% tolerance", 4, SCALING_OBJECT, SCALING_AVERAGE_VALUE,
	 5, 20.208, 4, {0}, {0}, {0}, .tol_down = 0.1, .tol_up = 0.01, 5, 5.052, NAN, SCALING_PROP_SCALE},
	{"TestReplicaCalcExternalMetric/within default tolerance", 3, SCALING_EXTERNAL, SCALING_VALUE, 8.888, 8.6, 3,
	 {0}, {0}, {0}, D, 3, 8.6, NAN, SCALING_PROP_TOLERANCE},
	{"TestReplicaCalcExternalMetric/outside configurable 1% tolerance", 3, SCALING_EXTERNAL, SCALING_VALUE, 8.8, 8.9,
	 3, {0}, {0}, {0}, .tol_down = 0.1, .tol_up = 0.01, 4, 8.9, NAN, SCALING_PROP_SCALE},
};

static void test_replica_calculator(void **state)
{
	(void)state;
	for (size_t c = 0; c < N(calc_cases); c++) {
		const struct calc_case *k = &calc_cases[c];
		struct scaling_spec spec;
		scaling_spec_defaults(&spec);
		spec.max_replicas = 100;
		if (!isnan(k->tol_down))
			spec.down.tolerance = k->tol_down, spec.up.tolerance = k->tol_up;
		struct scaling_metric m = {.name = "m", .kind = k->kind, .target_type = k->tt, .target = k->target,
					   .cpu = true, .value = k->value, .at_s = NAN};
		assert_null(scaling_metric_check(&m));
		struct scaling_replica reps[6];
		for (unsigned i = 0; i < k->n; i++) {
			reps[i].state = (enum scaling_replica_state)k->state[i];
			for (unsigned s = 0; s < SCALING_MAX_SLOTS; s++)
				reps[i].usage[s] = reps[i].requests[s] = NAN;
			// Two containers per pod upstream for resources; one value per pod otherwise.
			bool res = k->kind == SCALING_RESOURCE;
			reps[i].usage[0] = res ? 2 * k->usage[i] : k->usage[i];
			reps[i].requests[0] = res ? 2 * k->req[i] : NAN;
		}
		struct scaling_input in = {.now_s = 1000, .current_replicas = k->current, .metrics = &m, .n_metrics = 1,
					   .replicas = reps, .n_replicas = k->n};
		struct scaling_proposal p;
		scaling_propose(&spec, &in, 0, NULL, &p);
		if (p.replicas != k->want)
			fail_msg("%s: %d replicas, want %d (%s)", k->upstream, p.replicas, k->want,
				 scaling_prop_why_name(p.why));
		if (!isnan(k->want_util) && !(fabs(p.utilization - k->want_util) < 1e-9))
			fail_msg("%s: utilization %.9g, want %.9g", k->upstream, p.utilization, k->want_util);
		if (!isnan(k->want_avg) && !(fabs(p.average - k->want_avg) < 1e-9))
			fail_msg("%s: average %.9g, want %.9g", k->upstream, p.average, k->want_avg);
		if (k->want_why >= 0 && (int)p.why != k->want_why)
			fail_msg("%s: rule %s, want %s", k->upstream, scaling_prop_why_name(p.why),
				 scaling_prop_why_name((enum scaling_prop_why)k->want_why));
	}
}

/* ---- behaviour: TestScalingWithRules (convertDesiredReplicasWithBehaviorRate) ---- */

struct rules_gen {
	int pods, pods_period, percent, percent_period, window;
	bool set;
};

#define GEN(a, b, c, d, e) {a, b, c, d, e, true}

/* generateScalingRules(pods, podsPeriod, percent, percentPeriod, window), select Max;
 * unset: GenerateHPAScale{Up,Down}Rules(nil), the defaults. */
static void apply_rules(struct scaling_rules *r, const struct rules_gen *g)
{
	if (!g->set)
		return;
	r->select = SCALING_SELECT_MAX;
	r->stabilization_s = g->window;
	r->n_policies = 0;
	if (g->pods)
		r->policies[r->n_policies++] = (struct scaling_policy){SCALING_PODS, g->pods, g->pods_period};
	if (g->percent)
		r->policies[r->n_policies++] = (struct scaling_policy){SCALING_PERCENT, g->percent, g->percent_period};
}

/* generateEventsUniformDistribution: event i of n in the middle of segment i
 * of the last period, the first one the oldest. */
static void gen_events(struct scaling_state *st, bool up, const int *ev, unsigned n, double period, double now)
{
	double seg = period / n;
	for (unsigned i = 0; i < n; i++) {
		struct scaling_event *e = up ? &st->up[st->n_up++] : &st->down[st->n_down++];
		*e = (struct scaling_event){now - (period - seg * (i + 1) + seg / 2), ev[i], false};
	}
}

struct rate_case {
	const char *name;
	int up_ev[4], down_ev[4];
	unsigned n_up, n_down;
	int min, max;
	struct rules_gen up, down;
	int current, desired, want;
	enum scaling_why why;
};

static const struct rate_case rate_cases[] = {
	{"prenormalized desired replicas within range", {0}, {0}, 0, 0, 3, 8, {0}, {0}, 5, 7, 7, SCALING_WHY_METRICS},
	{"prenormalized desired replicas < minReplicas", {0}, {0}, 0, 0, 2, 8, {0}, {0}, 3, 1, 2, SCALING_WHY_TOO_FEW},
	{"prenormalized desired replicas within range when minReplicas is 0", {0}, {0}, 0, 0, 0, 10, {0}, {0}, 1, 0, 0,
	 SCALING_WHY_METRICS},
	{"maxReplicas is the limit because maxReplicas < scaleUpLimit", {0}, {0}, 0, 0, 1, 10, {0}, {0}, 20, 1000, 10,
	 SCALING_WHY_TOO_MANY},
	{"desired replica count is more than the maximum replica count", {0}, {0}, 0, 0, 100, 150, {0}, {0}, 100, 1000,
	 150, SCALING_WHY_TOO_MANY},
	{"scaleUpLimit is the limit because scaleUpLimit < maxReplicas with user policies", {0}, {0}, 0, 0, 1, 2000,
	 GEN(0, 0, 1, 60, 0), {0}, 3, 1000, 4, SCALING_WHY_LIMIT_UP},
	{"scaleDownLimit is the limit because scaleDownLimit > minReplicas with user defined policies", {0}, {0}, 0, 0,
	 3, 2000, {0}, GEN(20, 60, 0, 0, 0), 1000, 3, 980, SCALING_WHY_LIMIT_DOWN},
	{"scaleUp with default behavior", {0}, {0}, 0, 0, 1, 1000, {0}, {0}, 10, 50, 20, SCALING_WHY_LIMIT_UP},
	{"scaleUp with pods policy larger than percent policy", {0}, {0}, 0, 0, 1, 1000, GEN(100, 60, 100, 60, 0), {0},
	 10, 500, 110, SCALING_WHY_LIMIT_UP},
	{"scaleUp with percent policy larger than pods policy", {0}, {0}, 0, 0, 1, 1000, GEN(2, 60, 100, 60, 0), {0}, 10,
	 500, 20, SCALING_WHY_LIMIT_UP},
	{"scaleUp with spec MaxReplicas limitation with large pod policy", {0}, {0}, 0, 0, 1, 1000,
	 GEN(100, 60, 0, 0, 0), {0}, 10, 50, 50, SCALING_WHY_METRICS},
	{"scaleUp with spec MaxReplicas limitation with large percent policy", {0}, {0}, 0, 0, 1, 1000,
	 GEN(10000, 60, 0, 0, 0), {0}, 10, 50, 50, SCALING_WHY_METRICS},
	{"scaleUp with pod policy limitation", {0}, {0}, 0, 0, 1, 1000, GEN(30, 60, 0, 0, 0), {0}, 10, 50, 40,
	 SCALING_WHY_LIMIT_UP},
	{"scaleUp with percent policy limitation", {0}, {0}, 0, 0, 1, 1000, GEN(0, 0, 200, 60, 0), {0}, 10, 50, 30,
	 SCALING_WHY_LIMIT_UP},
	{"scaleDown with percent policy larger than pod policy", {0}, {0}, 0, 0, 1, 1000, {0}, GEN(20, 60, 1, 60, 300),
	 100, 2, 80, SCALING_WHY_LIMIT_DOWN},
	{"scaleDown with pod policy larger than percent policy", {0}, {0}, 0, 0, 1, 1000, {0}, GEN(2, 60, 1, 60, 300),
	 100, 2, 98, SCALING_WHY_LIMIT_DOWN},
	{"scaleDown with spec MinReplicas=nil limitation with large pod policy", {0}, {0}, 0, 0, 1, 1000, {0},
	 GEN(100, 60, 0, 0, 300), 10, 0, 1, SCALING_WHY_TOO_FEW},
	{"scaleDown with spec MinReplicas limitation with large percent policy", {0}, {0}, 0, 0, 5, 1000, {0},
	 GEN(0, 0, 100, 60, 300), 10, 2, 5, SCALING_WHY_TOO_FEW},
	{"scaleDown with pod policy limitation", {0}, {0}, 0, 0, 1, 1000, {0}, GEN(5, 60, 0, 0, 300), 10, 2, 5,
	 SCALING_WHY_LIMIT_DOWN},
	{"scaleDown with percent policy limitation", {0}, {0}, 0, 0, 1, 1000, {0}, GEN(0, 0, 50, 60, 300), 10, 5, 5,
	 SCALING_WHY_METRICS},
	{"scaleUp with spec MaxReplicas limitation with large pod policy and events", {1, 5, 9}, {0}, 3, 0, 1, 200,
	 GEN(300, 60, 0, 0, 0), {0}, 100, 500, 200, SCALING_WHY_TOO_MANY},
	{"scaleUp with spec MaxReplicas limitation with large percent policy and events", {1, 5, 9}, {0}, 3, 0, 1, 200,
	 GEN(0, 0, 10000, 60, 0), {0}, 100, 500, 200, SCALING_WHY_TOO_MANY},
	{"scaleUp with currentReplicas limitation with rate.PeriodSeconds with a lot of recent scale up events",
	 {1, 5, 9}, {0}, 3, 0, 1, 1000, GEN(5, 120, 0, 0, 0), {0}, 100, 500, 100, SCALING_WHY_LIMIT_UP},
	{"scaleUp with pod policy and previous scale up events", {1, 5, 9}, {0}, 3, 0, 1, 1000,
	 GEN(150, 120, 0, 0, 0), {0}, 100, 500, 235, SCALING_WHY_LIMIT_UP},
	{"scaleUp with percent policy and previous scale up events", {1, 5, 9}, {0}, 3, 0, 1, 1000,
	 GEN(0, 0, 200, 120, 0), {0}, 100, 500, 255, SCALING_WHY_LIMIT_UP},
	{"scaleDown with default policy and previous events", {0}, {1, 5, 9}, 0, 3, 1, 1000, {0}, {0}, 10, 5, 5,
	 SCALING_WHY_METRICS},
	{"scaleDown with spec MinReplicas=nil limitation with large pod policy and previous events", {0}, {1, 5, 9}, 0,
	 3, 1, 1000, {0}, GEN(115, 120, 0, 0, 300), 100, 0, 1, SCALING_WHY_TOO_FEW},
	{"scaleDown with spec MinReplicas limitation with large pod policy and previous events", {0}, {1, 5, 9}, 0, 3,
	 5, 1000, {0}, GEN(130, 120, 0, 0, 300), 100, 0, 5, SCALING_WHY_TOO_FEW},
	{"scaleDown with spec MinReplicas limitation with large percent policy and previous events", {0}, {1, 5, 9}, 0,
	 3, 5, 1000, {0}, GEN(0, 0, 100, 120, 300), 100, 2, 5, SCALING_WHY_TOO_FEW},
	{"scaleDown with pod policy limitation and previous events", {0}, {1, 5, 9}, 0, 3, 1, 1000, {0},
	 GEN(5, 120, 0, 0, 300), 100, 2, 100, SCALING_WHY_LIMIT_DOWN},
	{"scaleDown with percent policy limitation and previous events", {0}, {2, 4, 6}, 0, 3, 1, 1000, {0},
	 GEN(0, 0, 50, 120, 300), 100, 0, 56, SCALING_WHY_LIMIT_DOWN},
	{"scaleDown with previous events preventing further scale down", {0}, {10, 10, 10}, 0, 3, 1, 1000, {0},
	 GEN(0, 0, 10, 120, 300), 100, 0, 100, SCALING_WHY_LIMIT_DOWN},
	{"scaleDown with with previous events still allowing more scale down", {0}, {10, 10, 10}, 0, 3, 1, 1000, {0},
	 GEN(0, 0, 1000, 120, 300), 10, 5, 5, SCALING_WHY_METRICS},
	{"check 'outdated' flag for events for one behavior for up", {8, 12, 9, 11}, {0}, 4, 0, 1, 1000,
	 GEN(1000, 60, 0, 0, 0), {0}, 100, 200, 200, SCALING_WHY_METRICS},
	{"check that events were not marked 'outdated' for two different policies in the behavior for up",
	 {8, 12, 9, 11}, {0}, 4, 0, 1, 1000, GEN(1000, 120, 100, 60, 0), {0}, 100, 200, 200, SCALING_WHY_METRICS},
	{"check that events were marked 'outdated' for two different policies in the behavior for up", {8, 12, 9, 11},
	 {0}, 4, 0, 1, 1000, GEN(1000, 30, 100, 60, 0), {0}, 100, 200, 200, SCALING_WHY_METRICS},
	{"check 'outdated' flag for events for one behavior for down", {0}, {8, 12, 9, 11}, 0, 4, 1, 1000, {0},
	 GEN(1000, 60, 0, 0, 300), 100, 5, 5, SCALING_WHY_METRICS},
	{"check that events were not marked 'outdated' for two different policies in the behavior for down", {0},
	 {8, 12, 9, 11}, 0, 4, 1, 1000, {0}, GEN(1000, 120, 100, 60, 300), 100, 5, 5, SCALING_WHY_METRICS},
	{"check that events were marked 'outdated' for two different policies in the behavior for down", {0},
	 {8, 12, 9, 11}, 0, 4, 1, 1000, {0}, GEN(1000, 30, 100, 60, 300), 100, 5, 5, SCALING_WHY_METRICS},
};

static struct scaling_state state_; /* large: kept out of the stack */

static void test_scaling_with_rules(void **state)
{
	(void)state;
	const double now = 100000;
	for (size_t c = 0; c < N(rate_cases); c++) {
		const struct rate_case *k = &rate_cases[c];
		struct scaling_spec spec;
		scaling_spec_defaults(&spec);
		spec.min_replicas = k->min;
		spec.max_replicas = k->max;
		apply_rules(&spec.up, &k->up);
		apply_rules(&spec.down, &k->down);
		scaling_state_init(&state_);
		gen_events(&state_, true, k->up_ev, k->n_up, 120, now);
		gen_events(&state_, false, k->down_ev, k->n_down, 120, now);
		enum scaling_why why;
		int limit;
		int got = scaling_limit(&spec, &state_, now, k->current, k->desired, k->min, &why, &limit);
		if (got != k->want || why != k->why)
			fail_msg("TestScalingWithRules/%s: %d (%s), want %d (%s)", k->name, got, scaling_why_name(why),
				 k->want, scaling_why_name(k->why));
	}
}

static void test_scale_limits_min_select(void **state)
{
	(void)state;
	struct scaling_spec spec;
	scaling_spec_defaults(&spec);
	spec.max_replicas = 1000;
	spec.min_replicas = 0;
	struct scaling_rules r = {.stabilization_s = 300, .select = SCALING_SELECT_MIN, .n_policies = 2,
				  .policies = {{SCALING_PODS, 2, 60}, {SCALING_PERCENT, 50, 60}}, .tolerance = 0.1};
	spec.up = spec.down = r;
	scaling_state_init(&state_);
	enum scaling_why why;
	int limit;
	// TestCalculateScaleUpLimitWithScalingRules: min(1 + 2, ceil(1 x 1.5)) = 2.
	assert_int_equal(scaling_limit(&spec, &state_, 0, 1, 1000, 0, &why, &limit), 2);
	assert_int_equal(why, SCALING_WHY_LIMIT_UP);
	// TestCalculateScaleDownLimitWithBehaviors: max(5 - 2, trunc(5 x 0.5)) = 3.
	assert_int_equal(scaling_limit(&spec, &state_, 0, 5, 0, 0, &why, &limit), 3);
	assert_int_equal(why, SCALING_WHY_LIMIT_DOWN);
	// select: Disabled holds the direction (calculateScaleUpLimitWithScalingRules returns current).
	spec.up.select = SCALING_SELECT_DISABLED;
	assert_int_equal(scaling_limit(&spec, &state_, 0, 4, 9, 0, &why, &limit), 4);
	assert_int_equal(why, SCALING_WHY_LIMIT_UP);
	// A scale-down inside the period raises the start of the period for a
	// scale-up (the newer calculateScaleUpLimitWithScalingRules counts both).
	scaling_spec_defaults(&spec);
	spec.max_replicas = 1000;
	scaling_state_init(&state_);
	scaling_record_scale(&state_, &spec, 95, 10, 6);
	// Start 6 + 4 removed = 10: max(10 + 4, 20) = 20.
	assert_int_equal(scaling_limit(&spec, &state_, 100, 6, 100, 1, &why, &limit), 20);
}

/* ---- TestNormalizeDesiredReplicasWithBehavior (stabilizeRecommendationWithBehaviors) ---- */

struct stab_case {
	const char *name;
	double rec_age_min[4];
	int rec[4];
	unsigned n;
	int current, desired, want;
	int want_recs[5];
	unsigned n_want;
	double up_s, down_s;
};

static const struct stab_case stab_cases[] = {
	{"empty recommendations for scaling down", {0}, {0}, 0, 100, 5, 5, {5}, 1, 0, 0},
	{"simple scale down stabilization", {2, 1}, {4, 5}, 2, 100, 3, 5, {4, 5, 3}, 3, 0, 180},
	{"simple scale up stabilization", {2, 1}, {4, 5}, 2, 1, 7, 4, {4, 5, 7}, 3, 300, 0},
	{"no scale down stabilization", {2, 1}, {1, 2}, 2, 100, 3, 3, {1, 2, 3}, 3, 300, 0},
	{"no scale up stabilization", {2, 1}, {4, 5}, 2, 1, 3, 3, {4, 5, 3}, 3, 0, 300},
	{"no scale down stabilization, reuse recommendation element", {10, 9}, {10, 9}, 2, 100, 3, 3, {10, 3}, 2, 0, 0},
	{"no scale up stabilization, reuse recommendation element", {10, 9}, {10, 9}, 2, 1, 100, 100, {10, 100}, 2, 0,
	 0},
	{"scale down stabilization, reuse one of obsolete recommendation element", {10, 1, 2, 9}, {10, 4, 5, 9}, 4, 100,
	 3, 5, {10, 4, 5, 3}, 4, 0, 180},
	{"scale up stabilization, reuse one of obsolete recommendation element", {100, 1, 2, 3}, {10, 6, 5, 9}, 4, 1,
	 100, 5, {100, 6, 5, 9}, 4, 300, 0},
};

static void test_stabilization(void **state)
{
	(void)state;
	const double now = 100000;
	for (size_t c = 0; c < N(stab_cases); c++) {
		const struct stab_case *k = &stab_cases[c];
		struct scaling_spec spec;
		scaling_spec_defaults(&spec);
		spec.max_replicas = 1000;
		spec.up.stabilization_s = k->up_s;
		spec.down.stabilization_s = k->down_s;
		scaling_state_init(&state_);
		for (unsigned i = 0; i < k->n; i++)
			state_.recs[state_.n_recs++] = (struct scaling_rec){now - 60 * k->rec_age_min[i], k->rec[i]};
		enum scaling_why why;
		int bound;
		int got = scaling_stabilize(&spec, &state_, now, k->current, k->desired, &why, &bound);
		if (got != k->desired && got != k->current)
			assert_int_equal(bound, got);
		if (got != k->want)
			fail_msg("TestNormalizeDesiredReplicasWithBehavior/%s: %d, want %d", k->name, got, k->want);
		if (state_.n_recs != k->n_want)
			fail_msg("TestNormalizeDesiredReplicasWithBehavior/%s: %u recommendations, want %u", k->name,
				 state_.n_recs, k->n_want);
		for (unsigned i = 0; i < k->n_want; i++)
			if (state_.recs[i].replicas != k->want_recs[i])
				fail_msg("TestNormalizeDesiredReplicasWithBehavior/%s: recommendation %u is %d, want %d",
					 k->name, i, state_.recs[i].replicas, k->want_recs[i]);
		assert_int_equal(why, got == k->desired ? SCALING_WHY_METRICS
					: k->desired >= k->current ? SCALING_WHY_STABILIZED_UP
								   : SCALING_WHY_STABILIZED_DOWN);
	}
}

/* ---- TestStoreScaleEvents (storeScaleEvent, getReplicasChangePerPeriod) ---- */

struct store_case {
	const char *name;
	int prev[4];
	double prev_age[4];
	unsigned n_prev;
	struct rules_gen rules;
	int want_change;      /* getReplicasChangePerPeriod(60) before storing */
	int want[4];
	bool want_outdated[4];
	unsigned n_want;
};

static const struct store_case store_cases[] = {
	{"empty entries with two-policy-behavior", {0}, {0}, 0, GEN(10, 60, 100, 60, 0), 0, {5}, {false}, 1},
	{"one outdated entry to be replaced with behavior", {7}, {61}, 1, GEN(10, 60, 100, 60, 0), 0, {5}, {false}, 1},
	{"one actual entry to be not touched with behavior", {7}, {58}, 1, GEN(10, 60, 100, 60, 0), 7, {7, 5},
	 {false, false}, 2},
	{"two entries, one of them to be replaced", {7, 6}, {61, 59}, 2, GEN(10, 60, 0, 0, 0), 6, {5, 6}, {false, false},
	 2},
	{"replace one entry, use policies with different periods", {8, 6, 7, 9}, {29, 59, 61, 61}, 4,
	 GEN(10, 60, 100, 30, 0), 14, {8, 6, 7, 5}, {false, false, true, false}, 4},
	{"two entries, both actual", {7, 6}, {58, 59}, 2, GEN(10, 120, 100, 30, 0), 13, {7, 6, 5}, {false, false, false},
	 3},
};

static void test_store_scale_events(void **state)
{
	(void)state;
	const double now = 100000;
	for (size_t c = 0; c < N(store_cases); c++) {
		const struct store_case *k = &store_cases[c];
		for (int dir = 0; dir < 2; dir++) {
			bool up = dir == 0;
			struct scaling_spec spec;
			scaling_spec_defaults(&spec);
			apply_rules(up ? &spec.up : &spec.down, &k->rules);
			scaling_state_init(&state_);
			for (unsigned i = 0; i < k->n_prev; i++) {
				struct scaling_event *e = up ? &state_.up[state_.n_up++] : &state_.down[state_.n_down++];
				*e = (struct scaling_event){now - k->prev_age[i], k->prev[i], false};
			}
			assert_int_equal(scaling_change_in_period(&state_, up, now, 60), k->want_change);
			scaling_record_scale(&state_, &spec, now, 10, up ? 15 : 5);
			const struct scaling_event *ev = up ? state_.up : state_.down;
			unsigned n = up ? state_.n_up : state_.n_down;
			if (n != k->n_want)
				fail_msg("TestStoreScaleEvents/%s (%s): %u events, want %u", k->name, up ? "up" : "down", n,
					 k->n_want);
			for (unsigned i = 0; i < n; i++)
				if (ev[i].change != k->want[i] || ev[i].outdated != k->want_outdated[i])
					fail_msg("TestStoreScaleEvents/%s (%s): event %u is %d%s", k->name, up ? "up" : "down",
						 i, ev[i].change, ev[i].outdated ? " (outdated)" : "");
		}
	}
}

/* ---- the controller: horizontal_test.go cases through scaling_decide ---- */

static struct scaling_replica reps_[8];

static unsigned cpu_replicas(const double *levels, unsigned n, double request)
{
	for (unsigned i = 0; i < n; i++) {
		reps_[i].state = SCALING_READY;
		for (unsigned s = 0; s < SCALING_MAX_SLOTS; s++)
			reps_[i].usage[s] = reps_[i].requests[s] = NAN;
		reps_[i].usage[0] = levels[i];
		reps_[i].requests[0] = request;
	}
	return n;
}

static struct scaling_decision dec_;

static int decide(const struct scaling_spec *spec, int current, const struct scaling_metric *m, unsigned nm,
		  unsigned nr, double now)
{
	struct scaling_input in = {.now_s = now, .current_replicas = current, .metrics = m, .n_metrics = nm,
				   .replicas = reps_, .n_replicas = nr};
	assert_int_equal(scaling_decide(spec, &in, &state_, &dec_), 0);
	return dec_.desired;
}

static const struct scaling_metric cpu30 = {.name = "cpu", .kind = SCALING_RESOURCE,
					    .target_type = SCALING_UTILIZATION, .target = 30, .cpu = true,
					    .at_s = NAN};

static void test_controller(void **state)
{
	(void)state;
	struct scaling_spec spec;
	scaling_spec_defaults(&spec);
	spec.min_replicas = 2;
	spec.max_replicas = 6;
	spec.down.stabilization_s = 0; // the test controller runs without a downscale window
	struct scaling_metric ms[2] = {cpu30, {.name = "qps", .kind = SCALING_EXTERNAL, .target_type = SCALING_VALUE,
					       .target = 0.1, .absent = true, .at_s = NAN}};

	// TestScaleUp: 300m, 500m, 700m of 1 CPU at a 30 % target -> 5.
	scaling_state_init(&state_);
	unsigned n = cpu_replicas((double[]){300, 500, 700}, 3, 1000);
	assert_int_equal(decide(&spec, 3, ms, 1, n, 100), 5);
	assert_int_equal(dec_.why, SCALING_WHY_METRICS);
	assert_int_equal(dec_.winner, 0);

	// TestScaleUpOneMetricEmpty: an external metric fails, CPU still scales up (3 -> 4).
	scaling_state_init(&state_);
	n = cpu_replicas((double[]){300, 400, 500}, 3, 1000);
	assert_int_equal(decide(&spec, 3, ms, 2, n, 100), 4);
	assert_true(dec_.failed);

	// TestNoScaleDownOneMetricInvalid / TestNoScaleDownOneMetricEmpty: CPU
	// says 3, the other metric is invalid: no scaling (5 stays 5).
	ms[0].target = 50;
	scaling_state_init(&state_);
	n = cpu_replicas((double[]){100, 300, 500, 250, 250}, 5, 1000);
	assert_int_equal(decide(&spec, 5, ms, 2, n, 100), 5);
	assert_int_equal(dec_.why, SCALING_WHY_INVALID);
	assert_int_equal(dec_.metric_desired, 3);
	// ... and with the other metric back, the same CPU scales down to 3.
	ms[1].absent = false;
	ms[1].value = 0.01; // proposes ceil(0.1 x 5) = 1
	assert_int_equal(decide(&spec, 5, ms, 2, n, 115), 3);

	// TestScaleUpRCImmediately: 1 replica below min 2 -> 2 at once.
	assert_int_equal(decide(&spec, 1, ms, 1, 0, 200), 2);
	assert_int_equal(dec_.why, SCALING_WHY_BELOW_MIN);
	// TestScaleDownRCImmediately: 6 above max 5 -> 5 at once.
	spec.max_replicas = 5;
	assert_int_equal(decide(&spec, 6, ms, 1, 0, 200), 5);
	assert_int_equal(dec_.why, SCALING_WHY_ABOVE_MAX);

	// TestTolerance: 102 % of a 100 % target stays 3.
	ms[0].target = 100;
	spec.min_replicas = 1;
	scaling_state_init(&state_);
	n = cpu_replicas((double[]){1010, 1030, 1020}, 3, 1000);
	assert_int_equal(decide(&spec, 3, ms, 1, n, 300), 3);
	assert_int_equal(dec_.why, SCALING_WHY_TOLERANCE);

	// TestMinReplicas: 10m, 95m, 10m at 90 % -> 2 = min.
	ms[0].target = 90;
	spec.min_replicas = 2;
	n = cpu_replicas((double[]){10, 95, 10}, 3, 1000);
	assert_int_equal(decide(&spec, 3, ms, 1, n, 400), 2);
	// TestMaxReplicas: 8000m, 9500m, 1000m at 90 % -> capped at max 5.
	scaling_state_init(&state_);
	n = cpu_replicas((double[]){8000, 9500, 1000}, 3, 1000);
	assert_int_equal(decide(&spec, 3, ms, 1, n, 500), 5);
	assert_int_equal(dec_.why, SCALING_WHY_TOO_MANY);

	// The whole controller with the default behavior: a lasting spike scales
	// up at most max(+4, +100 %) per 15 s, and the down window holds the
	// highest recommendation of the last 300 s.
	scaling_spec_defaults(&spec);
	spec.max_replicas = 40;
	struct scaling_metric q = {.name = "queue", .kind = SCALING_EXTERNAL, .target_type = SCALING_AVERAGE_VALUE,
				   .target = 10, .value = 400, .at_s = NAN};
	scaling_state_init(&state_);
	int cur = 3;
	const int want_up[] = {7, 14, 28, 40};
	for (int i = 0; i < 4; i++) {
		int d = decide(&spec, cur, &q, 1, 0, 1000 + 15 * i);
		assert_int_equal(d, want_up[i]);
		scaling_record_scale(&state_, &spec, 1000 + 15 * i, cur, d);
		cur = d;
	}
	q.value = 50; // wants 5: held at 40 by the window for 300 s
	assert_int_equal(decide(&spec, cur, &q, 1, 0, 1100), 40);
	assert_int_equal(dec_.why, SCALING_WHY_STABILIZED_DOWN);
	assert_int_equal(decide(&spec, cur, &q, 1, 0, 1100 + 301), 5);
}

/* ---- KEDA ---- */

static void test_keda(void **state)
{
	(void)state;
	struct scaling_spec spec;
	scaling_spec_defaults(&spec);
	spec.min_replicas = 0;
	spec.max_replicas = 100; // KEDA maxReplicaCount default
	struct scaling_metric q = {.name = "redis", .kind = SCALING_EXTERNAL, .target_type = SCALING_AVERAGE_VALUE,
				   .target = 5, .value = 0, .at_s = NAN, .activation = 0};

	// TestScaleFromMinReplicasWhenActive: min 0, at 0, active -> 1.
	scaling_state_init(&state_);
	q.value = 3;
	assert_int_equal(decide(&spec, 0, &q, 1, 0, 100), 1);
	assert_int_equal(dec_.why, SCALING_WHY_ACTIVATED);
	// redis_scaler.go: active when listLen > activationListLength.
	q.activation = 3;
	assert_int_equal(decide(&spec, 0, &q, 1, 0, 100), 0);
	assert_int_equal(dec_.why, SCALING_WHY_INACTIVE);
	q.value = 4;
	assert_int_equal(decide(&spec, 0, &q, 1, 0, 100), 1);
	q.activation = 0;

	// The HPA KEDA creates (an AverageValue external metric): ceil(20000 / 5000) = 4.
	scaling_state_init(&state_);
	q.value = 20000;
	q.target = 5000;
	assert_int_equal(decide(&spec, 1, &q, 1, 0, 100), 4);
	q.target = 5;

	// TestScaleToMinReplicasWhenNotActive: KEDA jumps 10 -> 0; headroom
	// steps down through the scale-down policy to 1, then goes to 0 (no
	// LastActiveTime: no cooldown, as in KEDA's scaleToZero).
	spec.down.stabilization_s = 0;
	scaling_state_init(&state_);
	q.value = 0;
	assert_int_equal(decide(&spec, 10, &q, 1, 0, 100), 1);
	assert_int_equal(dec_.why, SCALING_WHY_TOO_FEW);
	assert_int_equal(decide(&spec, 1, &q, 1, 0, 115), 0);
	assert_int_equal(dec_.why, SCALING_WHY_TO_ZERO);

	// scaleToZero: inside the cooldown the last replica stays.
	scaling_state_init(&state_);
	q.value = 7;
	assert_int_equal(decide(&spec, 1, &q, 1, 0, 1000), 2); // active at t=1000
	q.value = 0;
	assert_int_equal(decide(&spec, 1, &q, 1, 0, 1200), 1);
	assert_int_equal(dec_.why, SCALING_WHY_COOLDOWN);
	assert_near(dec_.cooldown_left_s, 100, 1e-9);
	assert_int_equal(decide(&spec, 1, &q, 1, 0, 1300), 1); // exactly 300 s: not yet (Before)
	assert_int_equal(decide(&spec, 1, &q, 1, 0, 1301), 0);
	assert_int_equal(dec_.why, SCALING_WHY_TO_ZERO);

	// TestCheckScaledObjectScalersWithError: a failing scaler is not active
	// and is an error; headroom never goes to zero on it.
	scaling_state_init(&state_);
	q.absent = true;
	assert_int_equal(decide(&spec, 1, &q, 1, 0, 5000), 1);
	assert_int_equal(dec_.why, SCALING_WHY_HOLD_FAILED);
	assert_false(dec_.active);
	assert_true(dec_.failed);
	// TestCheckScaledObjectFindFirstActiveNotIgnoreOthers: one active
	// trigger and one failing one: active.
	struct scaling_metric two[2] = {q, q};
	two[1].absent = false;
	two[1].value = 8;
	two[1].name = "other";
	assert_int_equal(decide(&spec, 0, two, 2, 0, 5000), 1);
	assert_true(dec_.active);

	// TestScaleToMinReplicasFromLowerInitialReplicaCount: min 5, at 1, inactive -> 5.
	struct scaling_spec s5 = spec;
	s5.min_replicas = 5;
	s5.max_replicas = 10;
	scaling_state_init(&state_);
	q.absent = false;
	q.value = 0;
	assert_int_equal(decide(&s5, 1, &q, 1, 0, 100), 5);
	assert_int_equal(dec_.why, SCALING_WHY_BELOW_MIN);
	// TestScaleFromIdleToMinReplicasWhenActive: idle 0, min 5, at 0, active -> 5.
	s5.idle_replicas = 0;
	q.value = 9;
	assert_int_equal(decide(&s5, 0, &q, 1, 0, 100), 5);
	assert_int_equal(dec_.why, SCALING_WHY_ACTIVATED);
	// TestScaleToIdleReplicasWhenNotActive: idle 0, min 5, at 10, inactive:
	// down to 5 through the policy, then to idle 0 after the cooldown.
	scaling_state_init(&state_);
	q.value = 0;
	assert_int_equal(decide(&s5, 10, &q, 1, 0, 100), 5);
	assert_int_equal(decide(&s5, 5, &q, 1, 0, 115), 0);
	assert_int_equal(dec_.why, SCALING_WHY_TO_ZERO);

	// Scale to zero needs a value metric.
	struct scaling_input in = {.now_s = 1, .current_replicas = 1, .metrics = &cpu30, .n_metrics = 1};
	assert_int_equal(scaling_decide(&spec, &in, &state_, &dec_), HR_E_INVALID);
}

static void test_fallback(void **state)
{
	(void)state;
	struct scaling_spec spec;
	scaling_spec_defaults(&spec);
	spec.min_replicas = 1;
	spec.max_replicas = 20;
	spec.fallback_replicas = 10;
	spec.fallback_failures = 3;
	struct scaling_metric q = {.name = "q", .kind = SCALING_EXTERNAL, .target_type = SCALING_AVERAGE_VALUE,
				   .target = 10, .absent = true, .at_s = NAN};
	struct scaling_input in = {.now_s = 1, .current_replicas = 2, .metrics = &q, .n_metrics = 1};
	struct scaling_proposal p;
	scaling_state_init(&state_);
	// fallback_test.go "should bump the number of failures when metrics call fails".
	scaling_propose(&spec, &in, 0, &state_, &p);
	assert_int_equal(state_.failures[0], 1);
	assert_false(p.valid);
	// "should return a normalised metric when number of failures are beyond
	// threshold": failures 3 -> the fourth failure reports 10 replicas' worth.
	state_.failures[0] = 3;
	scaling_propose(&spec, &in, 0, &state_, &p);
	assert_int_equal(state_.failures[0], 4);
	assert_true(p.valid);
	assert_int_equal(p.why, SCALING_PROP_FALLBACK);
	assert_int_equal(p.replicas, 10);
	assert_near(p.utilization, 50, 1e-9); // 10 x 10 over 2 replicas
	// "should reset the health status when scaler metrics are available".
	q.absent = false;
	q.value = 30;
	scaling_propose(&spec, &in, 0, &state_, &p);
	assert_int_equal(state_.failures[0], 0);
	assert_int_equal(p.replicas, 3);
	// headroom: a fallback below the current count is held (never scales down).
	q.absent = true;
	state_.failures[0] = 5;
	in.current_replicas = 15;
	assert_int_equal(scaling_decide(&spec, &in, &state_, &dec_), 0);
	assert_int_equal(dec_.desired, 15);
	assert_int_equal(dec_.why, SCALING_WHY_NO_METRICS);
	// currentReplicasIfHigher: max(15, 10) = 15, within tolerance.
	spec.fallback_behavior = SCALING_FALLBACK_CURRENT_IF_HIGHER;
	scaling_propose(&spec, &in, 0, &state_, &p);
	assert_true(p.valid);
	assert_int_equal(p.replicas, 15);
	// "should behave as if fallback is disabled when the metrics spec target
	// type is not average value metric".
	q.target_type = SCALING_VALUE;
	scaling_propose(&spec, &in, 0, &state_, &p);
	assert_false(p.valid);
	assert_int_equal(p.why, SCALING_PROP_MISSING);
}

/* ---- headroom's safety rules and the predictive option ---- */

static void test_safety(void **state)
{
	(void)state;
	struct scaling_spec spec;
	scaling_spec_defaults(&spec);
	spec.min_replicas = 1;
	spec.max_replicas = 10;
	spec.down.stabilization_s = 0;
	spec.max_age_s = 60;
	struct scaling_metric q = {.name = "queue", .kind = SCALING_EXTERNAL, .target_type = SCALING_AVERAGE_VALUE,
				   .target = 10, .value = 0, .at_s = NAN};
	const enum scaling_prop_why why[] = {SCALING_PROP_MISSING, SCALING_PROP_NAN, SCALING_PROP_STALE};
	for (int i = 0; i < 3; i++) {
		q.absent = i == 0;
		q.value = i == 1 ? NAN : 0;
		q.at_s = i == 2 ? 1000 - 61 : NAN;
		scaling_state_init(&state_);
		assert_int_equal(decide(&spec, 5, &q, 1, 0, 1000), 5);
		assert_int_equal(dec_.why, SCALING_WHY_NO_METRICS);
		assert_int_equal(dec_.props[0].why, why[i]);
	}
	// Fresh enough: 60 s old is not stale; the empty queue scales down.
	q.at_s = 940;
	assert_int_equal(decide(&spec, 5, &q, 1, 0, 1000), 1);

	// A forecast proposes 8 and wins; a forecast of 2 is ignored (only up).
	struct scaling_metric two[2] = {q, q};
	two[0].value = 30; // reactive: 3
	two[1].value = 80;
	two[1].predictive = true;
	two[1].name = "queue (forecast)";
	scaling_state_init(&state_);
	assert_int_equal(decide(&spec, 3, two, 2, 0, 1000), 7); // max(3 + 4, 6) = 7 this period
	assert_int_equal(dec_.winner, 1);
	char buf[512];
	scaling_explain(&spec, &(struct scaling_input){.now_s = 1000, .current_replicas = 3, .metrics = two,
						       .n_metrics = 2}, &dec_, buf, sizeof(buf));
	assert_string_equal(buf, "scale up 3 -> 7: predictive: the forecast of queue (forecast) proposes 8; "
				 "scale-up policy limit at 7 (wanted 8)");
	two[1].value = 20;
	scaling_state_init(&state_);
	assert_int_equal(decide(&spec, 3, two, 2, 0, 1000), 3);
	assert_int_equal(dec_.props[1].why, SCALING_PROP_PREDICTIVE_LOW);
	// A forecast never activates a service at zero.
	spec.min_replicas = 0;
	two[0].value = 0;
	two[1].value = 500;
	assert_int_equal(decide(&spec, 0, two, 2, 0, 1000), 0);
}

static void test_explain(void **state)
{
	(void)state;
	struct scaling_spec spec;
	scaling_spec_defaults(&spec);
	spec.max_replicas = 10;
	struct scaling_metric ms[2] = {cpu30, {.name = "queue", .kind = SCALING_EXTERNAL,
					       .target_type = SCALING_AVERAGE_VALUE, .target = 10, .absent = true,
					       .at_s = NAN}};
	unsigned n = cpu_replicas((double[]){100, 300, 500, 250, 250}, 5, 1000);
	ms[0].target = 50;
	scaling_state_init(&state_);
	// recordInitialRecommendation: the controller's first sight of a target.
	scaling_state_add_rec(&state_, &spec, 10, 5);
	struct scaling_input in = {.now_s = 10, .current_replicas = 5, .metrics = ms, .n_metrics = 2,
				   .replicas = reps_, .n_replicas = n};
	assert_int_equal(scaling_decide(&spec, &in, &state_, &dec_), 0);
	char buf[512];
	assert_string_equal(scaling_explain(&spec, &in, &dec_, buf, sizeof(buf)),
			    "hold 5: metric queue is invalid (missing) and the valid ones propose scaling down to 3: "
			    "no scaling while a metric is missing");
	assert_string_equal(scaling_explain_proposal(&spec, &in, 0, &dec_.props[0], buf, sizeof(buf)),
			    "utilisation 28% vs target 50%: ratio 0.56 outside [0.9, 1.1]: 3 replicas");
	assert_string_equal(scaling_explain_proposal(&spec, &in, 1, &dec_.props[1], buf, sizeof(buf)),
			    "no value (the read failed or came back empty): never read as 0");
	// The down window holds 5 (the first recommendation), then the policy.
	ms[1].absent = false;
	ms[1].value = 5;
	in.now_s = 20;
	assert_int_equal(scaling_decide(&spec, &in, &state_, &dec_), 0);
	assert_string_equal(scaling_explain(&spec, &in, &dec_, buf, sizeof(buf)), "hold 5: all metrics below target "
			    "(highest proposal 3, from cpu); scale-down stabilisation: the highest recommendation of "
			    "the last 300 s is 5");
	// Never past the buffer.
	assert_int_equal(strlen(scaling_explain(&spec, &in, &dec_, buf, 12)), 11);
	assert_string_equal(scaling_why_name(SCALING_WHY_LIMIT_DOWN), "limit_down");

	// Spec and metric checks.
	assert_null(scaling_spec_check(&spec));
	spec.max_replicas = 0;
	assert_non_null(scaling_spec_check(&spec));
	spec.max_replicas = 3;
	spec.up.stabilization_s = 3601;
	assert_non_null(strstr(scaling_spec_check(&spec), "3600"));
	spec.up.stabilization_s = 0;
	spec.idle_replicas = 1;
	assert_non_null(strstr(scaling_spec_check(&spec), "idle"));
	struct scaling_metric bad = cpu30;
	bad.target = 30.5;
	assert_non_null(strstr(scaling_metric_check(&bad), "whole percent"));
	bad.target = 0;
	assert_non_null(scaling_metric_check(&bad));
}

/* A spec, replicas and metrics built once; the decision repeated: no state
 * grows without bound and the history stays within its fixed capacity. */
static void test_history_bounds(void **state)
{
	(void)state;
	struct scaling_spec spec;
	scaling_spec_defaults(&spec);
	spec.max_replicas = 50;
	spec.up.stabilization_s = 3600;
	spec.down.stabilization_s = 3600;
	struct scaling_metric q = {.name = "q", .kind = SCALING_EXTERNAL, .target_type = SCALING_AVERAGE_VALUE,
				   .target = 10, .value = 100, .at_s = NAN};
	scaling_state_init(&state_);
	int cur = 5;
	for (int i = 0; i < 5000; i++) {
		q.value = 100 + 90 * sin(i / 50.0);
		int d = decide(&spec, cur, &q, 1, 0, i * 1.0);
		scaling_record_scale(&state_, &spec, i * 1.0, cur, d);
		cur = d;
		assert_true(state_.n_recs <= SCALING_MAX_RECS);
		assert_true(state_.n_up <= SCALING_MAX_EVENTS && state_.n_down <= SCALING_MAX_EVENTS);
		assert_true(cur >= 1 && cur <= 50);
	}
	assert_int_equal(state_.n_recs, SCALING_MAX_RECS);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_replica_calculator),
		cmocka_unit_test(test_scaling_with_rules),
		cmocka_unit_test(test_scale_limits_min_select),
		cmocka_unit_test(test_stabilization),
		cmocka_unit_test(test_store_scale_events),
		cmocka_unit_test(test_controller),
		cmocka_unit_test(test_keda),
		cmocka_unit_test(test_fallback),
		cmocka_unit_test(test_safety),
		cmocka_unit_test(test_explain),
		cmocka_unit_test(test_history_bounds),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
