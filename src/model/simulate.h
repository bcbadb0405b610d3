/* simulate.h - replay a request-rate trace against a scaling policy.
 *
 * A discrete-time replay, the inner loop of `headroom simulate`. Time moves
 * in ticks of dt seconds: the trace's bucket, split so that the policy's
 * sync period is a whole number of ticks when it is shorter. Each tick:
 *
 *   1. demand: the bucket's requests / bucket length x scale (constant
 *      within a bucket);
 *   2. replicas: those whose start-up has passed become ready;
 *   3. the queue: the ready replicas serve c requests at a time each, mean
 *      service time S (coefficient of variation cv). Below saturation a
 *      replica is an M/G/c queue with the demand split evenly (the load
 *      balancer's round robin), its p95 from model/queue; what the ready
 *      replicas cannot serve in the tick is a backlog carried to the next
 *      (a fluid queue: B' = max(0, B + (lambda - mu) dt), mu = ready c / S),
 *      and a request arriving behind it waits for it. The tick's p95 is
 *      p95_queue(min(rho, 0.99)) + max(B, B')/mu: the stationary queue
 *      (at or above 99 % a replica is taken as at 99 %) plus the longest
 *      wait behind the backlog in the tick (conservative); with no replica
 *      ready and demand or backlog, it is infinite (requests wait for a
 *      replica to start);
 *   4. on a sync tick the policy decides, on what it saw at the end of the
 *      tick metric_lag before the last one,
 *      through model/scaling (the same code the autoscaler runs): new
 *      replicas are ready after startup_s; removed ones go at once, those
 *      still starting first (Kubernetes deletes unready pods first).
 *
 * What each policy sees: `hpa` the replicas' CPU utilisation (the CPU the
 * requests they serve use, as a percent of a replica's CPU request: an
 * I/O-bound service holds its slots long and its CPU little, which is why a
 * CPU target never scales it); `keda` the work in flight
 * (requests in service, waiting and backlogged: an external metric per
 * replica, as KEDA's queue-length scalers read it); `predictive` the HPA's
 * metric plus a forecast of the work in flight one start-up ahead from the
 * same time one and two seasons earlier (a seasonal-naive forecast, used
 * only once two seasons of trace have passed, and only to scale up).
 *
 * Pure: no I/O, no clock, no allocation in the tick loop (the caller gives
 * the work arrays through sim_workspace_size()). */
#ifndef HR_MODEL_SIMULATE_H
#define HR_MODEL_SIMULATE_H

#include <stdbool.h>
#include <stddef.h>

#include "model/scaling.h"
#include "util/error.h"

/** One replica's service. */
struct sim_service {
	double service_s;     /**< mean service time of a request (the slot it holds), > 0 */
	unsigned concurrency; /**< requests one replica serves at once (workers x threads), >= 1 */
	double cv;            /**< coefficient of variation of the service time (1 = exponential) */
	double cpu_s;         /**< CPU seconds a request uses (<= service_s); 0 = service_s */
	double cores;         /**< a replica's CPU request in cores; 0 = concurrency */
};

/** The replay's settings. */
struct sim_params {
	double bucket_s;     /**< the trace's bucket length, > 0 */
	double scale;        /**< demand multiplier, > 0 */
	double slo_p95_s;    /**< a tick whose p95 is above this counts against the SLO */
	double startup_s;    /**< from the decision to a ready replica, >= 0 */
	double sync_s;       /**< decision period, > 0 */
	double metric_lag_s; /**< the policy sees the metric this old, >= 0 */
	double season_s;     /**< predictive: the season (86400: a day) */
	double price_hour;   /**< one replica for an hour, NaN when unknown */
};

/** The policies `headroom simulate` compares. */
enum sim_policy_kind {
	SIM_STATIC,     /**< a fixed count */
	SIM_HPA,        /**< CPU utilisation target, HPA behavior */
	SIM_KEDA,       /**< work in flight per replica, KEDA semantics */
	SIM_PREDICTIVE, /**< SIM_HPA plus a seasonal forecast that may only raise the count */
	SIM_PREDICTIVE_KEDA, /**< SIM_KEDA plus the same forecast (a predictive autoscale: service) */
};

/** A policy: what it scales on and how (spec: limits, behavior, tolerance, cooldown). */
struct sim_policy {
	enum sim_policy_kind kind;
	int replicas;          /**< SIM_STATIC: the count; else the count at the start */
	double target;         /**< HPA/PREDICTIVE: CPU utilisation percent; KEDA: requests in flight per replica */
	struct scaling_spec spec;
};

/** What a policy did over the trace. */
struct sim_result {
	size_t ticks;                  /**< ticks replayed */
	double dt;                     /**< tick length */
	double replica_hours;          /**< replicas running (ready or starting) x hours */
	double cost;                   /**< replica_hours x price_hour; NaN when the price is unknown */
	double slo_violation_minutes;  /**< minutes of ticks whose p95 was above the SLO */
	double worst_p95_s;            /**< the highest tick p95 (infinite: a tick with no replica ready) */
	unsigned scale_events;         /**< decisions that changed the count */
	unsigned reversals;            /**< scale events in the other direction from the one before */
	int max_replicas;              /**< the most replicas running at once */
	double served;                 /**< requests served (for checks: equals the demand once the backlog is gone) */
	double backlog_end;            /**< requests still waiting at the end */
};

/** Optional per-tick series (each NULL or ticks long), for charts. */
struct sim_series {
	int *replicas;   /**< replicas running */
	int *ready;      /**< of which ready */
	double *p95_s;   /**< the tick's p95 */
	double *demand;  /**< requests per second */
};

/** The most ticks one replay makes: 2,500,000, a 366-day trace (the longest
 * config/trace reads) at the default 15 s sync with room to spare (2.1 M
 * ticks), or 29 days of 1 s ticks. A tick costs about 0.2 us and, for the
 * HTML charts, 12 bytes of series per policy: the default four policies over
 * a full year (2.1 M ticks) take 1.6 s and 150 MB, sixteen 7.2 s and 460 MB
 * (an optimised build). */
#define SIM_MAX_TICKS 2500000u

/** Check params, service and policy. @return NULL or a static sentence. */
const char *sim_check(const struct sim_service *svc, const struct sim_params *p, const struct sim_policy *pol);

/**
 * Check that a replay of @p n buckets of p->bucket_s, at the tick p->sync_s
 * makes, stays within SIM_MAX_TICKS (before sim_workspace_size() is asked).
 * @return NULL or a static sentence.
 */
const char *sim_check_ticks(const struct sim_params *p, size_t n);

/** Ticks a replay of @p n buckets makes (the tick length is sim_tick_s()). */
size_t sim_ticks(const struct sim_params *p, size_t n);

/** The tick length: the bucket, split so the sync period is a whole number of ticks when shorter. */
double sim_tick_s(const struct sim_params *p);

/** Bytes of work space sim_run() needs for a replay of @p n buckets. */
size_t sim_workspace_size(const struct sim_params *p, const struct sim_policy *pol, size_t n);

/**
 * Replay @p n buckets of @p requests (per bucket) against @p pol.
 * @param work caller memory of sim_workspace_size() bytes, 16-byte aligned (malloc's are),
 *        zero-filled before its first use (calloc); a work area used again
 *        for the same service keeps the queue tables it built (a policy
 *        search replays one service many times).
 * @param series per-tick output, or NULL.
 * @return 0; HR_E_INVALID when sim_check() fails or a scaling input is out of bounds;
 *         HR_E_TOO_LARGE when sim_check_ticks() does.
 */
HR_NODISCARD int sim_run(const double *requests, size_t n, const struct sim_service *svc,
			 const struct sim_params *p, const struct sim_policy *pol, void *work,
			 struct sim_result *out, struct sim_series *series);

/**
 * The p95 of one replica at utilisation @p rho from the table a replay builds
 * (exported for tests and the benchmark): p95_queue of the M/G/c queue at
 * rho, rho < 1.
 */
double sim_queue_p95(const struct sim_service *svc, double rho);

/** The name of a policy kind: "static", "hpa", "keda", "predictive", "keda+predictive". */
const char *sim_policy_name(enum sim_policy_kind k);

/**
 * A policy with headroom's defaults for its kind: HPA at 70 % CPU (the
 * seeds' threshold), KEDA at 70 % of a replica's slots in flight, the
 * autoscaling/v2 behavior (scaling_spec_defaults()), min 1, max @p max.
 */
void sim_policy_defaults(struct sim_policy *pol, enum sim_policy_kind k, const struct sim_service *svc, int max);

/**
 * The fewest replicas that serve @p lambda requests/s with a p95 at or under
 * @p slo_s (utilisation below 1); 0 when more than @p max would be needed.
 */
int sim_replicas_for(const struct sim_service *svc, double lambda, double slo_s, int max);

#endif
