/* scaling.h - the autoscaler's decision, as Kubernetes' HPA and KEDA make it.
 *
 * One call, scaling_decide(), turns a service's metrics, its replicas and the
 * history kept in a caller-owned struct scaling_state into the number of
 * replicas to run and the rule that decided it. It follows, step for step:
 *
 *   - the replica calculator of the Horizontal Pod Autoscaler
 *     (kubernetes/kubernetes pkg/controller/podautoscaler/replica_calculator.go
 *     and metrics/utilization.go): utilisation as an integer percent of the
 *     requests, the ready-replica multiplier, missing samples counted as 100 %
 *     of the request on a scale-down and 0 on a scale-up, unready replicas
 *     counted as 0 on a scale-up (for CPU: starting replicas too), the
 *     direction-flip guard, a tolerance per direction (KEP-4951,
 *     behavior.scaleUp/scaleDown.tolerance, default 0.1);
 *   - the controller (horizontal.go): the maximum over the metrics, no
 *     scaling when every metric is invalid or when some are invalid and the
 *     valid ones say scale down, min/max enforced at once when the current
 *     count is outside them, the stabilisation windows (the lowest
 *     recommendation of the up window, the highest of the down window), the
 *     behavior policies (pods or percent per period, select Max/Min/Disabled,
 *     counted from the replica count at the start of each period);
 *   - the autoscaling/v2 defaults (pkg/apis/autoscaling/v2/defaults.go):
 *     scale-up 0 s window, max(4 pods, 100 %) per 15 s; scale-down 300 s
 *     window (the controller's --horizontal-pod-autoscaler-downscale-
 *     stabilization), 100 % per 15 s;
 *   - KEDA's ScaledObject (kedacore/keda pkg/scaling/executor/
 *     scale_scaledobjects.go, pkg/fallback/fallback.go): a trigger is active
 *     when its value is above its activation threshold; at zero an active
 *     trigger starts max(min, 1) replicas; with no active trigger the last
 *     replica goes (to 0, or idleReplicaCount) once cooldownPeriod has
 *     passed since the last activity; fallback replicas after failureThreshold
 *     failed reads.
 *
 * Where headroom deliberately differs it says so in docs/autoscale.md: a
 * failed or empty read is never taken as 0 and never scales down (no scale to
 * zero while a metric fails, a fallback lower than the current count is
 * held); scale to zero happens only from the HPA's floor, so N -> 0 steps down
 * through the scale-down policy (KEDA jumps N -> 0); a forecast (predictive)
 * proposal may only raise the count.
 *
 * Pure and allocation-free: no I/O, no clock, no globals, no malloc. Time is
 * an argument (seconds, any epoch); every array lives in the caller's
 * structs. A simulator calls scaling_decide() millions of times a second;
 * the human-readable reason is built on demand by scaling_explain(). */
#ifndef HR_SCALING_H
#define HR_SCALING_H

#include <stdbool.h>
#include <stddef.h>

#include "util/error.h"

/** Most metrics one service may scale on. */
#define SCALING_MAX_METRICS 16
/** Most per-replica metrics (resource and replica kinds): the slots of usage[] and requests[]. */
#define SCALING_MAX_SLOTS 8
/** Most policies per direction. */
#define SCALING_MAX_POLICIES 8
/**
 * Recommendations kept. Kubernetes keeps one per sync inside the longest
 * window; 512 covers the 3600 s maximum window at one decision per 7 s, the
 * default 300 s window at one per 0.6 s. When full, the oldest is replaced.
 */
#define SCALING_MAX_RECS 512
/** Scale events kept per direction (same rule as the recommendations). */
#define SCALING_MAX_EVENTS 128
/** Longest stabilisation window or policy period (autoscaling/v2 validation: 3600 s / 1800 s). */
#define SCALING_MAX_WINDOW_S 3600.0

/** What a metric measures (autoscaling/v2 MetricSourceType). */
enum scaling_kind {
	SCALING_RESOURCE, /**< per-replica usage of a requested resource (cpu, memory) */
	SCALING_REPLICA,  /**< per-replica value (Kubernetes "Pods" metric) */
	SCALING_OBJECT,   /**< one value describing one object */
	SCALING_EXTERNAL, /**< one value from outside (a queue length: KEDA's triggers) */
};

/** How the target is written (autoscaling/v2 MetricTargetType). */
enum scaling_target_type {
	SCALING_UTILIZATION,   /**< resource: percent of the requests */
	SCALING_AVERAGE_VALUE, /**< per replica */
	SCALING_VALUE,         /**< object/external: the total */
};

/** A replica's state, mapped from a pod's phase and readiness. */
enum scaling_replica_state {
	SCALING_READY,       /**< running and ready */
	SCALING_STARTING,    /**< running, not ready yet (for CPU: also inside its initialisation period) */
	SCALING_PENDING,     /**< not running yet */
	SCALING_FAILED,      /**< failed: left out */
	SCALING_TERMINATING, /**< being deleted: left out */
};

/** Which policy wins (HPAScalingRules.selectPolicy). */
enum scaling_select {
	SCALING_SELECT_MAX,      /**< the policy allowing the largest change (default) */
	SCALING_SELECT_MIN,      /**< the smallest change */
	SCALING_SELECT_DISABLED, /**< no change in this direction */
};

/** HPAScalingPolicyType. */
enum scaling_policy_type {
	SCALING_PODS,    /**< at most value replicas per period */
	SCALING_PERCENT, /**< at most value % of the replicas at the period's start */
};

/** KEDA fallback.behavior. */
enum scaling_fallback {
	SCALING_FALLBACK_STATIC,            /**< the fallback replicas (default) */
	SCALING_FALLBACK_CURRENT,           /**< keep the current count */
	SCALING_FALLBACK_CURRENT_IF_HIGHER, /**< max(current, fallback) */
	SCALING_FALLBACK_CURRENT_IF_LOWER,  /**< min(current, fallback) */
};

/** One policy. */
struct scaling_policy {
	enum scaling_policy_type type;
	int value;       /**< > 0 */
	double period_s; /**< (0, 1800] */
};

/** One direction's behaviour (HPAScalingRules). */
struct scaling_rules {
	double stabilization_s; /**< [0, 3600] */
	enum scaling_select select;
	struct scaling_policy policies[SCALING_MAX_POLICIES];
	unsigned n_policies;    /**< >= 1 unless select is DISABLED */
	double tolerance;       /**< ratio band on this side of 1 (KEP-4951), >= 0 */
};

/** What a service may do. Fill with scaling_spec_defaults(), then change. */
struct scaling_spec {
	int min_replicas;  /**< >= 0; 0 enables KEDA's scale to zero */
	int max_replicas;  /**< >= max(min, 1) */
	int idle_replicas; /**< KEDA idleReplicaCount (< min), or -1 for none */
	struct scaling_rules up, down;
	double cooldown_s; /**< KEDA cooldownPeriod: inactivity before the last replica goes */
	double max_age_s;  /**< a value observed longer ago is stale (invalid); 0 = never stale */
	int fallback_replicas;      /**< KEDA fallback.replicas, or -1 for no fallback */
	unsigned fallback_failures; /**< KEDA fallback.failureThreshold */
	enum scaling_fallback fallback_behavior;
};

/** One metric and its target. Plain data; the name is borrowed. */
struct scaling_metric {
	const char *name;             /**< borrowed; shown in proposals and reasons */
	enum scaling_kind kind;
	enum scaling_target_type target_type;
	double target;                /**< percent (UTILIZATION), per replica (AVERAGE_VALUE) or total (VALUE); > 0 */
	unsigned slot;                /**< RESOURCE/REPLICA: index into each replica's usage[] and requests[] */
	bool cpu;                     /**< RESOURCE: a starting replica's sample is not trusted (Kubernetes' CPU rule) */
	double value;                 /**< OBJECT/EXTERNAL: the value read (NaN: not a number) */
	bool absent;                  /**< OBJECT/EXTERNAL: no value at all (the read failed or came back empty) */
	double at_s;                  /**< when value was read; NaN = now */
	double activation;            /**< KEDA activationThreshold: active when value > activation */
	bool predictive;              /**< value is a forecast: the proposal may only raise the count */
};

/** One replica: its state and, per slot, its usage and request (NaN: no sample / none). */
struct scaling_replica {
	enum scaling_replica_state state;
	double usage[SCALING_MAX_SLOTS];
	double requests[SCALING_MAX_SLOTS];
};

/** What is true now. Arrays are borrowed for the call. */
struct scaling_input {
	double now_s;
	int current_replicas;
	const struct scaling_metric *metrics;
	unsigned n_metrics;                   /**< <= SCALING_MAX_METRICS */
	const struct scaling_replica *replicas; /**< for RESOURCE/REPLICA metrics and the ready count */
	unsigned n_replicas;
};

/** A recommendation (the unstabilised desired count) and when it was made. */
struct scaling_rec {
	double t;
	int replicas;
};

/** A scale event: replicas added (up) or removed (down), both >= 0. */
struct scaling_event {
	double t;
	int change;
	bool outdated; /**< older than the direction's longest policy period: reusable */
};

/**
 * What the autoscaler remembers between decisions (Kubernetes keeps the same
 * per HPA: recommendations, scaleUpEvents, scaleDownEvents; KEDA keeps
 * lastActiveTime and the health of each trigger). Caller-owned, fixed size:
 * zero it with scaling_state_init(), persist it as the caller likes.
 */
struct scaling_state {
	struct scaling_rec recs[SCALING_MAX_RECS];
	unsigned n_recs;
	struct scaling_event up[SCALING_MAX_EVENTS];
	unsigned n_up;
	struct scaling_event down[SCALING_MAX_EVENTS];
	unsigned n_down;
	double last_active_s;                   /**< NaN: never active */
	unsigned failures[SCALING_MAX_METRICS]; /**< consecutive failed reads, per metric index */
};

/** Why a metric proposed what it did. */
enum scaling_prop_why {
	SCALING_PROP_SCALE,       /**< outside the tolerance: ceil(ratio x replicas) */
	SCALING_PROP_TOLERANCE,   /**< within the tolerance: the current count */
	SCALING_PROP_FLIP,        /**< counting missing/unready replicas would reverse the direction: current */
	SCALING_PROP_MISSING,     /**< no value (failed or empty read) */
	SCALING_PROP_NAN,         /**< the value is not a number */
	SCALING_PROP_STALE,       /**< the value is older than max_age */
	SCALING_PROP_NO_SAMPLES,  /**< no replica gave a usable sample */
	SCALING_PROP_NO_REQUEST,  /**< a replica has no request for a utilisation target */
	SCALING_PROP_FALLBACK,    /**< failing past the threshold: KEDA's fallback count */
	SCALING_PROP_PREDICTIVE_LOW, /**< a forecast that would not raise the count: ignored */
};

/** One metric's proposal. */
struct scaling_proposal {
	int replicas;          /**< proposed count; -1 when the metric is invalid or ignored */
	double utilization;    /**< what Kubernetes reports: percent (utilisation), average or value; NaN if none */
	double ratio;          /**< usage / target (the first one computed); NaN if none */
	double average;        /**< mean per counted replica (resource: the raw usage); NaN if none */
	double age_s;          /**< age of the value (STALE); NaN otherwise */
	unsigned missing;      /**< replicas without a sample */
	unsigned unready;      /**< replicas not counted as ready */
	bool valid;            /**< takes part in the maximum */
	bool active;           /**< KEDA: value > activation */
	enum scaling_prop_why why;
};

/** The rule that decided the count. */
enum scaling_why {
	SCALING_WHY_METRICS,        /**< the metrics' count, within every limit */
	SCALING_WHY_TOLERANCE,      /**< every metric within tolerance: no change */
	SCALING_WHY_INVALID,        /**< a metric is invalid and the valid ones say scale down: hold */
	SCALING_WHY_NO_METRICS,     /**< no metric is valid: hold */
	SCALING_WHY_ABOVE_MAX,      /**< the current count is above max: max at once */
	SCALING_WHY_BELOW_MIN,      /**< the current count is below min: min at once */
	SCALING_WHY_STABILIZED_UP,  /**< a lower recommendation inside the up window */
	SCALING_WHY_STABILIZED_DOWN,/**< a higher recommendation inside the down window */
	SCALING_WHY_LIMIT_UP,       /**< the scale-up policy's limit */
	SCALING_WHY_LIMIT_DOWN,     /**< the scale-down policy's limit */
	SCALING_WHY_TOO_MANY,       /**< capped at max */
	SCALING_WHY_TOO_FEW,        /**< raised to min */
	SCALING_WHY_ZERO_DISABLED,  /**< 0 replicas and min > 0: autoscaling is off (Kubernetes) */
	SCALING_WHY_ACTIVATED,      /**< KEDA: an active trigger at zero (or idle) starts max(min, 1) */
	SCALING_WHY_INACTIVE,       /**< KEDA: at zero (or idle) and no trigger active */
	SCALING_WHY_COOLDOWN,       /**< KEDA: no trigger active, cooldown not over */
	SCALING_WHY_TO_ZERO,        /**< KEDA: no trigger active for the cooldown: to 0 (or idle) */
	SCALING_WHY_HOLD_FAILED,    /**< would go to zero, but a metric failed: hold */
};

/** The decision. Plain data. */
struct scaling_decision {
	int desired;             /**< replicas to run */
	int current;
	int metric_desired;      /**< max over the valid proposals; -1 when none was used */
	int stabilized;          /**< after the windows; -1 when not reached */
	int window;              /**< the recommendation that held it (STABILIZED_UP/DOWN), else -1 */
	int limit;               /**< the bound that applied (policy, min, max); -1 when none */
	enum scaling_why why;
	unsigned winner;         /**< metric index that set metric_desired, or SCALING_MAX_METRICS */
	unsigned first_invalid;  /**< first invalid metric, or SCALING_MAX_METRICS */
	bool active;             /**< KEDA: a trigger is active */
	bool failed;             /**< some metric is invalid */
	double cooldown_left_s;  /**< COOLDOWN: seconds to go */
	struct scaling_proposal props[SCALING_MAX_METRICS];
	unsigned n_props;
};

/** The autoscaling/v2 defaults (tolerance 0.1 both ways, min 1, max 1, cooldown 300 s, no fallback). */
void scaling_spec_defaults(struct scaling_spec *s);

/**
 * Check a spec (bounds as the autoscaling/v2 and KEDA validations set them).
 * @return NULL, or a static sentence saying what is wrong.
 */
const char *scaling_spec_check(const struct scaling_spec *s);

/** Check one metric against its kind. @return NULL or a static sentence. */
const char *scaling_metric_check(const struct scaling_metric *m);

/** Empty history: no recommendation, no event, never active, no failure. */
void scaling_state_init(struct scaling_state *st);

/**
 * Record a recommendation as Kubernetes does (stabilizeRecommendationWithBehaviors):
 * replace the last entry older than both windows, else append; when full,
 * replace the oldest. Also how a caller loads stored history.
 */
void scaling_state_add_rec(struct scaling_state *st, const struct scaling_spec *spec, double t, int replicas);

/**
 * Record a scale event (storeScaleEvent): @p delta > 0 is a scale-up of delta
 * replicas, < 0 a scale-down. Events older than the direction's longest policy
 * period are marked outdated and the last of them reused.
 */
void scaling_state_add_event(struct scaling_state *st, const struct scaling_spec *spec, double t, int delta);

/**
 * Decide. Kubernetes records the unstabilised recommendation inside the
 * decision (so does this: @p st changes) and the scale event only once the
 * target was resized: call scaling_record_scale() after acting.
 * @param st caller-owned history, updated.
 * @param out the decision (every field set).
 * @return 0; HR_E_INVALID for an input out of bounds (negative count, too
 *         many metrics, a slot out of range) - never for metric values.
 */
HR_NODISCARD int scaling_decide(const struct scaling_spec *spec, const struct scaling_input *in,
				struct scaling_state *st, struct scaling_decision *out);

/** After resizing from @p from to @p to at @p t: record the scale event (no-op when equal). */
void scaling_record_scale(struct scaling_state *st, const struct scaling_spec *spec, double t, int from, int to);

/**
 * One metric's proposal as the replica calculator makes it (the building
 * block of scaling_decide(); exported for tests and the simulator).
 * @param index the metric's index (for its failure count); @p st may be NULL
 *        (no fallback bookkeeping).
 */
void scaling_propose(const struct scaling_spec *spec, const struct scaling_input *in, unsigned index,
		     struct scaling_state *st, struct scaling_proposal *out);

/**
 * The stabilisation step (stabilizeRecommendationWithBehaviors): bring
 * @p desired within [lowest of the up window, highest of the down window]
 * around the current count, then record @p desired.
 * @param why set to STABILIZED_UP/DOWN when the result differs, else METRICS.
 * @param bound when not NULL, the window's recommendation that applied
 *        (the lowest of the up window, or the highest of the down window).
 */
int scaling_stabilize(const struct scaling_spec *spec, struct scaling_state *st, double now, int current,
		      int desired, enum scaling_why *why, int *bound);

/**
 * The rate and range step (convertDesiredReplicasWithBehaviorRate).
 * @param why LIMIT_UP/DOWN, TOO_MANY/FEW or METRICS (within range).
 * @param limit the bound that applied, or -1.
 */
int scaling_limit(const struct scaling_spec *spec, const struct scaling_state *st, double now, int current,
		  int desired, int min_replicas, enum scaling_why *why, int *limit);

/** Replicas added (@p up) or removed in the last @p period_s before @p now (getReplicasChangePerPeriod). */
int scaling_change_in_period(const struct scaling_state *st, bool up, double now, double period_s);

/**
 * One line saying why: the metric, the rule, the numbers, e.g.
 * "scale up 3 -> 5: qps above target (20 per replica vs 15); capped by the
 * scale-up policy at 5 (wanted 8)". Never longer than n - 1 bytes.
 * @return buf.
 */
char *scaling_explain(const struct scaling_spec *spec, const struct scaling_input *in,
		      const struct scaling_decision *d, char *buf, size_t n);

/** One proposal's reason, e.g. "ratio 1.33 outside [0.90, 1.10]: ceil(1.33 x 3 ready) = 4". @return buf. */
char *scaling_explain_proposal(const struct scaling_spec *spec, const struct scaling_input *in, unsigned index,
			       const struct scaling_proposal *p, char *buf, size_t n);

/** Stable short name of a rule, for logs and metrics labels: "metrics", "stabilized_down", ... */
const char *scaling_why_name(enum scaling_why w);

/** Stable short name of a proposal rule: "scale", "tolerance", "missing", ... */
const char *scaling_prop_why_name(enum scaling_prop_why w);

#endif
