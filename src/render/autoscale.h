/* autoscale.h - what the autoscaler shows: the decision document of
 * `headroom autoscale decide` (docs/autoscale.md), written into a buffer. */
#ifndef HR_RENDER_AUTOSCALE_H
#define HR_RENDER_AUTOSCALE_H

#include <jansson.h>
#include <stdbool.h>

#include "model/scaling.h"
#include "util/strbuf.h"

/** Decision rules, for per-rule counters (enum scaling_why has this many). */
#define AUTOSCALE_WHYS (SCALING_WHY_HOLD_FAILED + 1)

/** What the loop shows of one service (plain data, filled by pipeline/autoscale). */
struct autoscale_view {
	const char *service;      /**< borrowed */
	const char *actuator;     /**< "compose", "exec" */
	bool decided;             /**< a decision was made */
	int current, desired;     /**< -1 when unknown */
	int min, max;
	const char *why;          /**< scaling_why_name() of the last decision */
	const char *reason;       /**< its sentence */
	const char *mode;         /**< "apply", "dry-run", "backoff", "error" */
	double at;                /**< time of the last decision (NaN: none) */
	unsigned long long decisions[AUTOSCALE_WHYS]; /**< decisions by rule */
	unsigned long long scale_ups, scale_downs, failures;
	const char *last_error;   /**< the last actuator or source problem, or NULL */
	double retry_at;          /**< next allowed attempt after a failure (NaN: none) */
	double last_scale_at;     /**< NaN: none since start */
	int last_from, last_to;
	const struct scaling_decision *decision; /**< the last one (for the proposals), or NULL */
	const struct scaling_input *input;       /**< what it was made from, or NULL */
	const struct scaling_spec *spec;
};

/**
 * The decision as JSON: {"desired_replicas", "proposals": [{"metric",
 * "replicas", "utilization", "reason"}], "reason"}, two-space indent, keys in
 * that order, numbers with 12 significant digits, null where there is none.
 * @return 0, or HR_E_TOO_LARGE when out's cap is reached.
 */
HR_NODISCARD int render_decision_json(const struct scaling_spec *spec, const struct scaling_input *in,
				      const struct scaling_decision *d, struct strbuf *out);

/**
 * Prometheus text format 0.0.4 lines for the agent's /metrics:
 * headroom_autoscale_desired_replicas{service}, _current_replicas{service},
 * _decisions_total{service,reason}, _scale_events_total{service,direction},
 * _actuator_failures_total{service}, _apply (1 applies, 0 dry run).
 */
HR_NODISCARD int render_autoscale_metrics(const struct autoscale_view *v, size_t n, bool apply, struct strbuf *out);

/**
 * The "autoscale" object of the agent's /status (docs/autoscale.md).
 * @return a new reference.
 */
json_t *render_autoscale_status(const struct autoscale_view *v, size_t n, bool apply);

#endif
