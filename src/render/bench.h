/* bench.h - what `headroom bench` prints: one run, a knee search step by
 * step and its result, as text or JSON (docs/bench.md).
 *
 * The figures come in plain report structs (pipeline/loadtest fills them
 * from the load generator's results), so this renderer needs nothing of the
 * load generator itself. */
#ifndef HR_RENDER_BENCH_H
#define HR_RENDER_BENCH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "util/error.h"
#include "util/strbuf.h"

/** A latency distribution, in seconds. */
struct bench_latency {
	double mean_s, p50_s, p90_s, p95_s, p99_s, p999_s, min_s, max_s;
};

/** One run. */
struct bench_run_report {
	const char *url;
	bool interrupted;
	double duration_s;
	unsigned threads, connections;
	double rate;                 /**< open loop's target, 0 for closed loop */
	uint64_t scheduled, requests, bytes, bytes_sent, connects, unfinished, non2xx, rejected;
	const char *const *error_names; /**< n_errors names, borrowed */
	const uint64_t *errors;         /**< n_errors counts, borrowed */
	size_t n_errors;
	uint64_t status_class[6];    /**< [1]..[5]: 1xx..5xx */
	struct bench_latency latency;      /**< open loop: from the scheduled time */
	bool open_detail;                  /**< latency_sent and send_lag are set (open loop) */
	struct bench_latency latency_sent; /**< open loop: from the actual send */
	struct bench_latency send_lag;     /**< open loop: actual send - scheduled */
	double cpu_user_s, cpu_sys_s;
};

/** One step of a knee search. */
struct bench_step_report {
	bool open;
	unsigned concurrency;
	double rate, rps, pct_s, p95_s, mean_s, cv, error_ratio;
	bool ok;
	const char *why; /**< why not ok, or "" */
};

/** Why the closed ladder stopped (loadgen/knee's reasons). */
enum bench_ladder_stop { LADDER_SLO, LADDER_FLAT, LADDER_FELL, LADDER_CONNECTIONS };

/** A knee search's result; pointers borrowed. */
struct bench_knee_report {
	const char *url, *slo_text;
	double slo_pct, slo_s;
	double max_rps, peak_rps, service_s, service_cv;
	double concurrency;         /**< requests in service at the knee */
	double cores;               /**< 0: unknown */
	double cpu_s;               /**< CPU per request; NaN: unknown */
	const char *cpu_source;     /**< "process", "machine" or "knee" */
	size_t n_pids;              /**< server processes measured (process) */
	enum bench_ladder_stop stop;
	const char *stop_name;      /**< "slo", "flat", "fell", "connections" */
	bool has_stop_step;
	unsigned stop_concurrency;
	double stop_rps, before_rps;
	unsigned before_concurrency;
	const char *stop_why;       /**< the stop step's why (LADDER_SLO) */
	const struct bench_step_report *steps;
	size_t n_steps;
	bool fitted;
	double sigma, kappa, gamma, peak_concurrency, max_throughput, residual_se;
	size_t usl_points, usl_min_points;
};

/** The text of one run (wrk-like). @return 0 or HR_E_TOO_LARGE. */
HR_NODISCARD int bench_render_run_text(const struct bench_run_report *r, struct strbuf *out);
/** The JSON of one run (docs/bench.md). @return 0, HR_E_NOMEM or HR_E_TOO_LARGE. */
HR_NODISCARD int bench_render_run_json(const struct bench_run_report *r, struct strbuf *out);

/** The progress line of a step, as it ends. @return 0 or HR_E_TOO_LARGE. */
HR_NODISCARD int bench_render_step_text(const struct bench_step_report *s, double slo_pct, struct strbuf *out);

/** Why the closed ladder stopped, in a sentence (what more connections can and cannot do). */
HR_NODISCARD int bench_render_ladder(const struct bench_knee_report *k, struct strbuf *out);

/** The heading a knee search prints before its steps. */
HR_NODISCARD int bench_render_knee_heading(const struct bench_knee_report *k, double step_s, unsigned connections,
					   struct strbuf *out);
/** The knee's result as text. @return 0 or HR_E_TOO_LARGE. */
HR_NODISCARD int bench_render_knee_text(const struct bench_knee_report *k, struct strbuf *out);
/** The knee's result as JSON, its steps included. @return 0, HR_E_NOMEM or HR_E_TOO_LARGE. */
HR_NODISCARD int bench_render_knee_json(const struct bench_knee_report *k, struct strbuf *out);

#endif
