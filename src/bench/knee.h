/* knee.h - find the highest rate a target sustains at a latency SLO.
 *
 * Two ladders (research notes on load generators, target T10):
 *   1. closed loop at concurrency 1, 2, 4, ... up to the connection limit,
 *      until the SLO percentile passes the SLO or throughput stops growing
 *      (a doubling adds less than 5 %); these (concurrency, throughput)
 *      points are what the Universal Scalability Law is fitted to;
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

#include "bench/engine.h"
#include "util/error.h"

/** Most steps a search takes. */
#define KNEE_MAX_STEPS 32

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
	const char *why;       /**< static text: why not ok, or "" */
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
	/** Called after each step (may be NULL). */
	void (*on_step)(void *arg, const struct knee_step *s);
	void *arg;
};

/** The outcome of a search. */
struct knee_result {
	struct knee_step steps[KNEE_MAX_STEPS];
	size_t n;
	double max_rps;        /**< highest sustainable rate found; 0 when none */
	double peak_rps;       /**< highest closed-loop throughput */
	double service_s;      /**< mean latency at concurrency 1 */
};

/**
 * Run the search.
 * @return 0; errors of bench_run(); HR_E_INVALID for bad options.
 */
HR_NODISCARD int knee_find(struct bench *b, const struct knee_opts *o, struct knee_result *out);

#endif
