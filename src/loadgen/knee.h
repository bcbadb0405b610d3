/* knee.h - find the highest rate a target sustains at a latency SLO.
 *
 * Two ladders (headroom default: headroom bench's own capacity search):
 *   1. closed loop at concurrency 1, 2, 4, ... up to the connection limit,
 *      until the SLO percentile passes the SLO, errors pass 1 %, or
 *      throughput stops growing (a doubling adds less than 5 %) or falls
 *      (by more than 10 %) once there are KNEE_MIN_CLOSED points; these
 *      (concurrency, throughput) points are what the Universal Scalability
 *      Law is fitted to, and the step at concurrency 1 measures the service
 *      time alone (its mean and coefficient of variation). Why the ladder
 *      stopped is part of the result, since it says what more connections
 *      can and cannot do;
 *   2. open loop (coordinated-omission corrected), bisecting the rate
 *      between 0 and 1.5x the closed-loop peak. A rate is sustainable when
 *      the corrected SLO percentile is within the SLO, the achieved rate is
 *      at least 98 % of the target (an overloaded server falls behind by
 *      more; over a short step its queue may not yet have broken the SLO),
 *      and at most 1 % of requests fail (seed thresholds: error rate 1 %).
 * Each step discards its first 20 % as warm-up. */
#ifndef HR_BENCH_KNEE_H
#define HR_BENCH_KNEE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "loadgen/engine.h"
#include "util/error.h"

/** Most steps a search takes. */
#define KNEE_MAX_STEPS 32

/** Closed steps the ladder takes before a flat or falling throughput stops
 *  it: the USL has three parameters (model/usl.h, USL_MIN_POINTS). */
#define KNEE_MIN_CLOSED 3

/** Why a step is not within the SLO. */
enum knee_fail {
	KNEE_OK,           /**< within the SLO (and, open, keeping up) */
	KNEE_NO_RESPONSES, /**< nothing answered */
	KNEE_ERRORS,       /**< more than 1 % of requests failed */
	KNEE_SLOW,         /**< the SLO percentile passed the SLO */
	KNEE_BEHIND,       /**< open loop: achieved under 98 % of the rate */
};

/** Why the closed ladder stopped. */
enum knee_stop {
	KNEE_STOP_SLO,          /**< a step broke the SLO, or failed (see the step) */
	KNEE_STOP_FLAT,         /**< a doubling added less than 5 % throughput */
	KNEE_STOP_FELL,         /**< throughput fell by more than 10 %: past the service's peak */
	KNEE_STOP_CONNECTIONS,  /**< it reached the connection limit (-c) */
};

/** One measured step. */
struct knee_step {
	bool open;             /**< open loop (rate) or closed loop (concurrency) */
	unsigned concurrency;  /**< closed: connections; open: the pool */
	double rate;           /**< open: target requests/s */
	double rps;            /**< achieved responses/s */
	double pct_s;          /**< latency at the SLO percentile */
	double p95_s;          /**< latency at the 95th percentile */
	double mean_s;         /**< mean latency */
	double error_ratio;    /**< failed / (failed + completed) */
	bool ok;               /**< within the SLO (and, open, keeping up) */
	enum knee_fail fail;   /**< why not ok */
	const char *why;       /**< static text: why not ok, or "" */
	double cv;             /**< latency standard deviation / mean */
	uint64_t requests;     /**< responses counted */
	double cpu_s;          /**< the CPU probe's seconds over the step; NAN without one */
	double self_cpu_s;     /**< the load generator's own CPU seconds over the step */
};

/** Search settings. */
struct knee_opts {
	double slo_pct;           /**< the SLO percentile, e.g. 95 */
	double slo_s;             /**< the SLO latency at that percentile */
	unsigned max_connections; /**< concurrency ceiling of the closed ladder, open-loop pool */
	unsigned threads;
	double step_s;            /**< length of each step */
	double timeout_s;
	const struct bench_status_set *accept; /**< statuses that succeed; NULL = 2xx (others count as errors) */
	/** Optional CPU probe handed to every step (engine.h, cpu_probe). */
	int (*cpu_probe)(void *arg, double *cpu_s);
	void *cpu_probe_arg;
	/** Called after each step (may be NULL). */
	void (*on_step)(void *arg, const struct knee_step *s);
	void *arg;
};

/** The outcome of a search. */
struct knee_result {
	struct knee_step steps[KNEE_MAX_STEPS];
	size_t n;
	double max_rps;        /**< highest sustainable rate found; 0 when none */
	double peak_rps;       /**< highest closed-loop throughput within the SLO */
	unsigned peak_concurrency; /**< the closed step that gave it */
	double service_s;      /**< mean latency at concurrency 1 */
	double service_cv;     /**< its coefficient of variation */
	enum knee_stop stop;   /**< why the closed ladder stopped */
	const struct knee_step *stop_step; /**< the closed step it stopped at (in steps[]) */
	double before_rps;     /**< the best closed throughput before that step */
	unsigned before_concurrency; /**< and its concurrency */
	/* The CPU probe over every step that read it: */
	double cpu_s;          /**< its seconds */
	double self_cpu_s;     /**< this process's seconds over the same windows */
	uint64_t cpu_requests; /**< responses counted in those steps */
};

/** A word for why the ladder stopped, as the JSON spells it: "slo", "flat", "fell", "connections". */
const char *knee_stop_name(enum knee_stop s);

/**
 * Run the search.
 * @return 0; errors of bench_run(); HR_E_INVALID for bad options.
 */
HR_NODISCARD int knee_find(struct bench *b, const struct knee_opts *o, struct knee_result *out);

#endif
